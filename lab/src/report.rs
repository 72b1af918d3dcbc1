//! Output: aligned tables (`comfy-table`), CSV (`csv`), latency logs and
//! their percentiles (`hdrhistogram`), progress bars (`indicatif`), and SVG
//! plots (`plotters`) drawn alike: human units on the ticks, the legend
//! outside the data, evacmap drawn last and thickest, phases shaded.

use std::error::Error;
use std::fs;
use std::ops::Range;
use std::path::Path;

use comfy_table::{CellAlignment, Table as Comfy, presets};
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The error type of the experiments.
pub type Res<T> = Result<T, Box<dyn Error>>;

/// A table: printed aligned on stdout, written as CSV.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// One row per line, as many cells as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    ///
    /// # Panics
    ///
    /// Panics if the row does not have as many cells as the header.
    pub fn push(&mut self, row: Vec<String>) {
        assert_eq!(
            row.len(),
            self.header.len(),
            "row {row:?} does not fit the header"
        );
        self.rows.push(row);
    }

    /// The cell of `row` under column `col`, if both exist.
    pub fn cell(&self, row: usize, col: &str) -> Option<&str> {
        let c = self.header.iter().position(|h| h == col)?;
        self.rows.get(row).map(|r| r[c].as_str())
    }

    /// Prints the table (first column left-aligned, the others right).
    pub fn print(&self) {
        let mut t = Comfy::new();
        t.load_preset(presets::NOTHING);
        t.set_header(&self.header);
        for r in &self.rows {
            t.add_row(r);
        }
        for (i, col) in t.column_iter_mut().enumerate() {
            col.set_cell_alignment(if i == 0 {
                CellAlignment::Left
            } else {
                CellAlignment::Right
            });
        }
        println!("{t}");
    }

    /// Writes the table as CSV (header first).
    ///
    /// # Errors
    ///
    /// I/O or CSV errors, with the path.
    pub fn write_csv(&self, path: &Path) -> Res<()> {
        write_csv(path, &self.header, &self.rows)
    }
}

/// Reads a CSV file written by [`write_csv`] (or [`Table::write_csv`]).
///
/// # Errors
///
/// I/O or CSV errors, with the path.
pub fn read_csv(path: &Path) -> Res<Table> {
    let mut r = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let header = r
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        rows.push(rec.iter().map(String::from).collect());
    }
    Ok(Table { header, rows })
}

/// Writes rows as CSV with a header.
///
/// # Errors
///
/// I/O or CSV errors, with the path.
pub fn write_csv<R: AsRef<[String]>>(path: &Path, header: &[String], rows: &[R]) -> Res<()> {
    let mut w = csv::Writer::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    w.write_record(header)?;
    for r in rows {
        w.write_record(r.as_ref())?;
    }
    w.flush()?;
    Ok(())
}

/// A nanosecond histogram from 1 ns to 100 s at 3 significant digits
/// (values above are clamped, never dropped).
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000_000, 3).expect("valid bounds")
}

/// Every latency of one run, kept as a histogram (not a list: 10M inserts
/// would take 80 MB per map), plus the exact sum and maximum with the
/// index it happened at, and the operations slower than a threshold (for
/// the timeline plot).
#[derive(Clone, Debug)]
pub struct LatencyLog {
    /// All latencies.
    pub hist: Histogram<u64>,
    /// Sum of all latencies (ns).
    pub sum_ns: u128,
    /// The largest latency.
    pub max_ns: u64,
    /// Index (0-based) of the first operation with the largest latency.
    pub argmax: u64,
    /// Operations recorded so far.
    pub count: u64,
    /// `(index, ns)` of operations slower than `slow_ns`, at most
    /// `SLOW_CAP` of them.
    pub slow: Vec<(u64, u64)>,
    /// The threshold for `slow`.
    pub slow_ns: u64,
}

/// Most slow operations a [`LatencyLog`] keeps.
const SLOW_CAP: usize = 200_000;

impl LatencyLog {
    /// An empty log keeping operations slower than `slow_ns`.
    pub fn new(slow_ns: u64) -> LatencyLog {
        LatencyLog {
            hist: new_histogram(),
            sum_ns: 0,
            max_ns: 0,
            argmax: 0,
            count: 0,
            slow: Vec::new(),
            slow_ns,
        }
    }

    /// Records the next operation's latency.
    #[inline]
    pub fn record(&mut self, ns: u64) {
        self.hist.saturating_record(ns.max(1));
        self.sum_ns += u128::from(ns);
        if ns > self.max_ns {
            self.max_ns = ns;
            self.argmax = self.count;
        }
        if ns > self.slow_ns && self.slow.len() < SLOW_CAP {
            self.slow.push((self.count, ns));
        }
        self.count += 1;
    }

    /// Mean latency (ns).
    pub fn mean_ns(&self) -> f64 {
        self.sum_ns as f64 / self.count.max(1) as f64
    }

    /// The latency at quantile `q` (0..=1), within 0.1%; the exact maximum
    /// at 1.
    pub fn quantile(&self, q: f64) -> u64 {
        if q >= 1.0 {
            self.max_ns
        } else {
            // The histogram reports a bucket's highest equivalent value,
            // which can exceed the exact maximum by 0.1%.
            self.hist.value_at_quantile(q).min(self.max_ns)
        }
    }
}

/// A progress bar on stderr for `len` steps of one phase (hidden when
/// stderr is not a terminal, as in CI and tests).
pub fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:<40} {wide_bar} {pos}/{len} ({elapsed})")
            .expect("valid template"),
    );
    bar.set_message(what.to_string());
    bar
}

/// `ns` in a human unit: `850 ns`, `12.3 µs`, `4.56 ms`, `1.20 s`.
pub fn fmt_ns(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        let v = format!("{:.3}", ns / 1e3);
        format!("{} µs", v.trim_end_matches('0').trim_end_matches('.'))
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// `bytes` in a human unit (B, KiB, MiB, GiB).
pub fn fmt_bytes(bytes: f64) -> String {
    const K: f64 = 1024.0;
    if bytes < K {
        format!("{bytes:.0} B")
    } else if bytes < K * K {
        format!("{} KiB", short(bytes / K))
    } else if bytes < K * K * K {
        format!("{} MiB", short(bytes / (K * K)))
    } else {
        format!("{:.1} GiB", bytes / (K * K * K))
    }
}

/// A count with a k/M suffix (`900k`, `10M`).
pub fn fmt_count(n: f64) -> String {
    if n >= 1e6 {
        format!("{}M", trim(n / 1e6))
    } else if n >= 1e3 {
        format!("{}k", trim(n / 1e3))
    } else {
        format!("{n:.0}")
    }
}

/// One decimal below 10 (`1.4`, `9`), none above (`437`).
fn short(x: f64) -> String {
    if x < 10.0 { trim(x) } else { format!("{x:.0}") }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.1}");
    s.trim_end_matches(".0").to_string()
}

/// What the y axis of a plot holds, for its tick labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Nanoseconds, shown as ns/µs/ms/s.
    Nanos,
    /// Bytes, shown as KiB/MiB/GiB.
    Bytes,
    /// A plain count, shown with k/M.
    Count,
    /// A ratio, shown with two decimals.
    Ratio,
}

impl Unit {
    pub(crate) fn fmt(self, v: f64) -> String {
        match self {
            Unit::Nanos => fmt_ns(v),
            Unit::Bytes => fmt_bytes(v),
            Unit::Count => fmt_count(v),
            Unit::Ratio => format!("{v:.2}"),
        }
    }
}

/// One plotted series: a name and its points. A `None` y is a gap (the
/// line is broken there, nothing is drawn).
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// `(x, y)` points in x order.
    pub points: Vec<(f64, Option<f64>)>,
}

impl Series {
    /// A series without gaps.
    pub fn new(name: impl Into<String>, points: impl IntoIterator<Item = (f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points: points.into_iter().map(|(x, y)| (x, Some(y))).collect(),
        }
    }
}

/// A shaded x range with a label (a phase of an experiment).
#[derive(Clone, Debug)]
pub struct Phase {
    /// Label drawn at the top of the band.
    pub label: String,
    /// The x range it covers.
    pub x: Range<f64>,
}

/// A line plot.
#[derive(Clone, Debug)]
pub struct LinePlot<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// X axis description.
    pub x_label: &'a str,
    /// How x ticks are printed.
    pub x_unit: Unit,
    /// Y axis description.
    pub y_label: &'a str,
    /// How y ticks are printed.
    pub y_unit: Unit,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// Shaded bands behind the lines.
    pub phases: Vec<Phase>,
    /// Vertical marks (x positions) and their legend label, e.g. growth
    /// starts.
    pub marks: Option<(String, Vec<f64>)>,
    /// Draw points instead of lines.
    pub points_only: bool,
}

/// The order series are drawn in: evacmap (Go's policy) last, so that it
/// is on top; the others as given.
fn draw_order(series: &[Series]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..series.len()).collect();
    order.sort_by_key(|&i| is_main(&series[i].name));
    order
}

/// The series drawn thickest, in the main colour: evacmap with Go's policy.
fn is_main(name: &str) -> bool {
    name == "evacmap" || name == "sharded/evacmap"
}

/// A series' colour: the registry's for its map (`registry::colour`),
/// the same in every plot.
pub(crate) fn color_of(name: &str, _i: usize) -> RGBColor {
    let (r, g, b) = crate::registry::colour(name);
    RGBColor(r, g, b)
}

pub(crate) fn width_of(name: &str) -> u32 {
    if is_main(name) { 3 } else { 1 }
}

/// Draws a legend in `area`, one row per series, in the given order.
pub(crate) fn legend(
    area: &DrawingArea<SVGBackend, Shift>,
    entries: &[(String, RGBColor, u32)],
) -> Res<()> {
    for (row, (name, color, width)) in entries.iter().enumerate() {
        let y = 40 + row as i32 * 22;
        area.draw(&PathElement::new(
            vec![(5, y), (35, y)],
            color.stroke_width(*width + 1),
        ))?;
        area.draw(&Text::new(
            name.clone(),
            (42, y - 7),
            ("sans-serif", 14).into_font(),
        ))?;
    }
    Ok(())
}

/// Draws `series` as an SVG line plot into `path`.
///
/// # Errors
///
/// Drawing or I/O errors.
pub fn plot_lines(path: &Path, plot: &LinePlot<'_>, series: &[Series]) -> Res<()> {
    let root = SVGBackend::new(path, (1100, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let (chart_area, legend_area) = root.split_horizontally(850);
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (x_min, x_max) = xs.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let (x_min, x_max) = if x_min > x_max {
        (0.0, 1.0)
    } else {
        (x_min.min(0.0), x_max.max(x_min + 1.0))
    };
    let ys = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.1));
    let (y_lo, y_hi) = ys.fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let (y_lo, y_hi) = if y_lo > y_hi {
        (1.0, 10.0)
    } else {
        (y_lo, y_hi)
    };
    let mut builder = ChartBuilder::on(&chart_area);
    builder
        .caption(plot.title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(45)
        .y_label_area_size(80);
    let entries = |marks: bool| {
        let mut e: Vec<(String, RGBColor, u32)> = draw_order(series)
            .into_iter()
            .rev()
            .map(|i| {
                let n = &series[i].name;
                (n.clone(), color_of(n, i), width_of(n))
            })
            .collect();
        if let (true, Some((label, _))) = (marks, &plot.marks) {
            e.push((label.clone(), RGBColor(240, 160, 160), 1));
        }
        e
    };
    let x_fmt = |v: &f64| plot.x_unit.fmt(*v);
    let y_fmt = |v: &f64| plot.y_unit.fmt(*v);
    if plot.log_y {
        let lo = (y_lo.max(1.0) / 2.0).max(1.0);
        let mut chart = builder
            .build_cartesian_2d(x_min..x_max, (lo..y_hi.max(lo * 10.0) * 2.0).log_scale())?;
        chart
            .configure_mesh()
            .x_desc(plot.x_label)
            .y_desc(plot.y_label)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let (y0, y1) = (lo, y_hi.max(lo * 10.0) * 2.0);
        draw_decor(&mut chart, plot, y0, y1)?;
        draw_series(&mut chart, plot, series)?;
    } else {
        let hi = if y_hi <= 0.0 { 1.0 } else { y_hi * 1.05 };
        let lo = y_lo.min(0.0);
        let mut chart = builder.build_cartesian_2d(x_min..x_max, lo..hi)?;
        chart
            .configure_mesh()
            .x_desc(plot.x_label)
            .y_desc(plot.y_label)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        draw_decor(&mut chart, plot, lo, hi)?;
        draw_series(&mut chart, plot, series)?;
    }
    legend(&legend_area, &entries(true))?;
    root.present()?;
    Ok(())
}

type Chart<'a, Y> =
    ChartContext<'a, SVGBackend<'a>, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>;

/// Phase bands and vertical marks, behind the data.
fn draw_decor<Y>(chart: &mut Chart<'_, Y>, plot: &LinePlot<'_>, y0: f64, y1: f64) -> Res<()>
where
    Y: Ranged<ValueType = f64>,
{
    let shades = [
        RGBColor(235, 242, 250),
        RGBColor(250, 245, 230),
        RGBColor(240, 250, 240),
    ];
    for (i, ph) in plot.phases.iter().enumerate() {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(ph.x.start, y0), (ph.x.end, y1)],
            shades[i % shades.len()].filled(),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            ph.label.clone(),
            (ph.x.start, y1),
            ("sans-serif", 13).into_font().color(&RGBColor(90, 90, 90)),
        )))?;
    }
    if let Some((_, xs)) = &plot.marks {
        for &x in xs {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, y0), (x, y1)],
                RGBColor(240, 160, 160).stroke_width(1),
            )))?;
        }
    }
    Ok(())
}

/// The series, evacmap last.
fn draw_series<Y>(chart: &mut Chart<'_, Y>, plot: &LinePlot<'_>, series: &[Series]) -> Res<()>
where
    Y: Ranged<ValueType = f64>,
{
    for i in draw_order(series) {
        let s = &series[i];
        let style = color_of(&s.name, i).stroke_width(width_of(&s.name));
        if plot.points_only {
            let pts = s.points.iter().filter_map(|&(x, y)| y.map(|y| (x, y)));
            chart.draw_series(pts.map(|p| Circle::new(p, 2, style.filled())))?;
            continue;
        }
        // One polyline per run of points without a gap.
        let mut run: Vec<(f64, f64)> = Vec::new();
        for &(x, y) in &s.points {
            match y {
                Some(y) => run.push((x, y)),
                None if !run.is_empty() => {
                    chart.draw_series(LineSeries::new(std::mem::take(&mut run), style))?;
                }
                None => {}
            }
        }
        if run.len() == 1 {
            chart.draw_series(std::iter::once(Circle::new(run[0], 2, style.filled())))?;
        } else if !run.is_empty() {
            chart.draw_series(LineSeries::new(run, style))?;
        }
    }
    Ok(())
}

/// The percentiles of a latency-by-percentile plot, as "nines": x = 0 is
/// p0, 1 is p90, 2 p99, 3 p99.9, …
pub const NINES: [f64; 9] = [0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];

/// A log's latency-by-percentile curve: `(nines, ns)` at each of [`NINES`]
/// below `log10(count)`, then the maximum at `log10(count)` (the Go peer
/// prints the same points as `CURVE` lines).
pub fn percentile_curve(log: &LatencyLog) -> Vec<(f64, f64)> {
    let max_nines = (log.count.max(2) as f64).log10();
    let mut pts: Vec<(f64, f64)> = NINES
        .iter()
        .filter(|&&n| n < max_nines)
        .map(|&n| (n, log.quantile(1.0 - 10f64.powf(-n)) as f64))
        .collect();
    pts.push((max_nines, log.max_ns as f64));
    pts
}

/// The HdrHistogram-style latency-by-percentile plot: x from p0 through
/// p90, p99, p99.9, p99.99 to the maximum on a log axis of `1/(1-q)`, one
/// line per map (curves from [`percentile_curve`]), the timer's noise
/// floor as its own line.
///
/// # Errors
///
/// Drawing or I/O errors.
pub fn plot_percentiles(path: &Path, title: &str, curves: &[(String, Vec<(f64, f64)>)]) -> Res<()> {
    let max_nines = curves
        .iter()
        .flat_map(|(_, c)| c.iter().map(|p| p.0))
        .fold(1.0, f64::max);
    let series: Vec<Series> = curves
        .iter()
        .map(|(name, c)| Series::new(name.clone(), c.iter().copied()))
        .collect();
    let nines_fmt = |v: f64| -> String {
        if v >= max_nines - 1e-9 {
            "max".into()
        } else if v < 1e-9 {
            "p0".into()
        } else {
            let q = 100.0 * (1.0 - 10f64.powf(-v));
            format!(
                "p{}",
                format!("{q:.4}")
                    .trim_end_matches('0')
                    .trim_end_matches('.')
            )
        }
    };
    let root = SVGBackend::new(path, (1100, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let (chart_area, legend_area) = root.split_horizontally(850);
    let y_hi = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.1))
        .fold(10.0, f64::max);
    let mut chart = ChartBuilder::on(&chart_area)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..max_nines, (5.0..y_hi * 2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("percentile (log scale of 1/(1 - q))")
        .y_desc("latency")
        .x_labels(((max_nines.ceil() as usize) + 2).min(12))
        .x_label_formatter(&|v| nines_fmt(*v))
        .y_label_formatter(&|v| fmt_ns(*v))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    let plot = LinePlot {
        title,
        x_label: "",
        x_unit: Unit::Count,
        y_label: "",
        y_unit: Unit::Nanos,
        log_y: true,
        phases: Vec::new(),
        marks: None,
        points_only: false,
    };
    draw_series(&mut chart, &plot, &series)?;
    // The last point of every line is the maximum: label it.
    chart.draw_series(std::iter::once(Text::new(
        "max",
        (max_nines, 7.0),
        ("sans-serif", 13).into_font().color(&RGBColor(90, 90, 90)),
    )))?;
    let entries: Vec<(String, RGBColor, u32)> = draw_order(&series)
        .into_iter()
        .rev()
        .map(|i| {
            let n = &series[i].name;
            (n.clone(), color_of(n, i), width_of(n))
        })
        .collect();
    legend(&legend_area, &entries)?;
    root.present()?;
    Ok(())
}

/// An SVG bar chart: one horizontal bar per (label, value), top to bottom
/// in the order given, each with its value at its end, values in `unit`.
///
/// # Errors
///
/// Drawing or I/O errors.
pub fn plot_bars(path: &Path, title: &str, unit: Unit, bars: &[(String, f64)]) -> Res<()> {
    let x_max = bars.iter().map(|b| b.1).fold(1.0, f64::max);
    let rows = bars.len().max(1);
    let height = 90 + 32 * rows as u32;
    let root = SVGBackend::new(path, (1000, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(190)
        .build_cartesian_2d(0.0..x_max * 1.18, 0.0..rows as f64)?;
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    // Row `i` (from the top) spans y in [rows - i - 1, rows - i).
    let row_of = |y: f64| rows as f64 - y;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(rows * 2 + 1)
        .y_label_formatter(&|y| {
            let r = row_of(*y);
            let i = r.floor() as usize;
            if (r - i as f64 - 0.5).abs() < 0.01 {
                labels.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_style(("sans-serif", 14))
        .x_label_formatter(&|v| unit.fmt(*v))
        .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        let top = (rows - i) as f64;
        Rectangle::new(
            [(0.0, top - 0.85), (b.1, top - 0.15)],
            color_of(&b.0, i).filled(),
        )
    }))?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        let top = (rows - i) as f64;
        Text::new(
            format!(" {}", unit.fmt(b.1)),
            (b.1, top - 0.5),
            TextStyle::from(("sans-serif", 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center)),
        )
    }))?;
    root.present()?;
    Ok(())
}

/// Creates the output folder.
///
/// # Errors
///
/// I/O errors, with the path.
pub fn out_dir(out: &Path) -> Res<()> {
    fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(fmt_ns(850.0), "850 ns");
        assert_eq!(fmt_ns(12_300.0), "12.3 µs");
        assert_eq!(fmt_ns(4_560_000.0), "4.56 ms");
        assert_eq!(fmt_bytes(3.0 * 1024.0 * 1024.0), "3 MiB");
        assert_eq!(fmt_bytes(1.5 * 1024.0 * 1024.0), "1.5 MiB");
        assert_eq!(fmt_bytes(436.8 * 1024.0 * 1024.0), "437 MiB");
        assert_eq!(fmt_count(900_000.0), "900k");
        assert_eq!(fmt_count(10_000_000.0), "10M");
    }

    #[test]
    fn latency_log_keeps_the_maximum_and_its_index() {
        let mut log = LatencyLog::new(100);
        for ns in [5, 50, 500, 7] {
            log.record(ns);
        }
        assert_eq!((log.max_ns, log.argmax, log.count), (500, 2, 4));
        assert_eq!(log.slow, [(2, 500)]);
        assert_eq!(log.quantile(1.0), 500);
        assert!((log.mean_ns() - 140.5).abs() < 1e-9);
    }
}
