//! Every plot of the lab, drawn alike: human units on the ticks, the
//! registry's colour for every map, the legend outside the data, evacmap
//! drawn last and thickest, phases shaded; SVG (`plotters`). Line plots,
//! latency by percentile, bars, small multiples (one panel per map),
//! labelled scatter plots with a Pareto front, and log–log lines.

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{Unit, fmt_count, fmt_ns};
use crate::Res;

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
    let (r, g, b) = crate::maps::registry::colour(name);
    RGBColor(r, g, b)
}

pub(crate) fn width_of(name: &str) -> u32 {
    if is_main(name) { 3 } else { 1 }
}

/// Tick positions at 1, 2 and 5 times every power of ten inside
/// `[lo, hi]` (a log axis's labels), or the powers of ten alone when that
/// would be more than `max` ticks.
pub(crate) fn log_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return Vec::new();
    }
    let mut p = 10f64.powf(lo.log10().floor());
    let mut all = Vec::new();
    let mut decades = Vec::new();
    while p <= hi {
        for m in [1.0, 2.0, 5.0] {
            let v = p * m;
            if v >= lo && v <= hi {
                all.push(v);
                if m == 1.0 {
                    decades.push(v);
                }
            }
        }
        p *= 10.0;
    }
    if all.len() <= max { all } else { decades }
}

/// How a legend row shows its series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    /// A line (line plots).
    Line,
    /// A thick line (the main series).
    Thick,
    /// A filled dot (scatter plots).
    Dot,
    /// A dashed line (a front).
    Dashed,
}

/// The colour of a scatter plot's Pareto front: a hue no map has.
const FRONT: RGBColor = RGBColor(200, 0, 200);

/// Draws a legend in `area`, one row per series, in the given order: a
/// thick line for a series drawn wider than 1 (`width_of`), else a line.
pub(crate) fn legend(
    area: &DrawingArea<SVGBackend, Shift>,
    entries: &[(String, RGBColor, u32)],
) -> Res<()> {
    let keyed: Vec<(String, RGBColor, Key)> = entries
        .iter()
        .map(|(name, color, width)| {
            let key = if *width > 1 { Key::Thick } else { Key::Line };
            (name.clone(), *color, key)
        })
        .collect();
    keyed_legend(area, &keyed)
}

/// Draws a legend whose rows show a dot, a line or a dashed line.
fn keyed_legend(
    area: &DrawingArea<SVGBackend, Shift>,
    entries: &[(String, RGBColor, Key)],
) -> Res<()> {
    for (row, (name, color, key)) in entries.iter().enumerate() {
        let y = 40 + row as i32 * 22;
        match key {
            Key::Dot => {
                area.draw(&Circle::new((20, y), 5, color.filled()))?;
            }
            Key::Line | Key::Thick => {
                let w = if *key == Key::Thick { 4 } else { 2 };
                area.draw(&PathElement::new(
                    vec![(5, y), (35, y)],
                    color.stroke_width(w),
                ))?;
            }
            Key::Dashed => {
                for x in [5, 17, 29] {
                    area.draw(&PathElement::new(
                        vec![(x, y), (x + 7, y)],
                        color.stroke_width(2),
                    ))?;
                }
            }
        }
        area.draw(&Text::new(
            name.clone(),
            (42, y - 7),
            ("sans-serif", 14).into_font(),
        ))?;
    }
    Ok(())
}

/// The width a point label takes on a plot (12-point sans-serif).
fn label_width(text: &str) -> i32 {
    7 * text.chars().count() as i32
}

/// Places point labels so that they do not overlap each other or the
/// points: for each point (pixel position `at`, label `text`), the first
/// of 64 places beside, above or below it, then further out to either
/// side, whose box is free, or the least crowded. Returns each label's top-left pixel.
fn place_labels(points: &[((i32, i32), String)], bounds: (i32, i32, i32, i32)) -> Vec<(i32, i32)> {
    const H: i32 = 14;
    let overlap = |a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)| {
        a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
    };
    let mut taken: Vec<(i32, i32, i32, i32)> = points
        .iter()
        .map(|((x, y), _)| (x - 6, y - 6, x + 6, y + 6))
        .collect();
    let mut out = Vec::new();
    for ((x, y), text) in points {
        let w = label_width(text);
        // Beside the point first, then further up or down, right or left,
        // then further out to the side (a dense cluster: a leader line
        // joins label and point).
        let mut candidates = Vec::new();
        for dx in [8, 8 + 5 * H] {
            for k in 0..8 {
                for dy in [-(k + 1) * H, k * H] {
                    candidates.push((x + dx, y + dy));
                    candidates.push((x - dx - w, y + dy));
                }
            }
        }
        let cost = |(cx, cy): (i32, i32)| {
            let b = (cx, cy, cx + w, cy + H);
            let outside =
                i32::from(cx < bounds.0 || cy < bounds.1 || cx + w > bounds.2 || cy + H > bounds.3);
            taken.iter().filter(|t| overlap(b, **t)).count() as i32 + 10 * outside
        };
        let best = candidates
            .iter()
            .copied()
            .min_by_key(|&c| cost(c))
            .unwrap_or((x + 8, y - H));
        taken.push((best.0, best.1, best.0 + w, best.1 + H));
        out.push(best);
    }
    out
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
    if plot.log_y {
        let lo = (y_lo.max(1.0) / 2.0).max(1.0);
        let hi = y_hi.max(lo * 10.0) * 2.0;
        let chart = builder.build_cartesian_2d(x_min..x_max, (lo..hi).log_scale())?;
        draw_chart(chart, plot, series, lo, hi)?;
    } else {
        let hi = if y_hi <= 0.0 { 1.0 } else { y_hi * 1.05 };
        let lo = y_lo.min(0.0);
        let chart = builder.build_cartesian_2d(x_min..x_max, lo..hi)?;
        draw_chart(chart, plot, series, lo, hi)?;
    }
    legend(&legend_area, &entries(true))?;
    root.present()?;
    Ok(())
}

/// The axes with their labels, then the phases and marks, then the
/// series, on a linear or logarithmic y axis from `y0` to `y1`.
fn draw_chart<Y>(
    mut chart: Chart<'_, Y>,
    plot: &LinePlot<'_>,
    series: &[Series],
    y0: f64,
    y1: f64,
) -> Res<()>
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let x_fmt = |v: &f64| plot.x_unit.fmt(*v);
    let y_fmt = |v: &f64| plot.y_unit.fmt(*v);
    chart
        .configure_mesh()
        .x_desc(plot.x_label)
        .y_desc(plot.y_label)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    draw_decor(&mut chart, plot, y0, y1)?;
    draw_series(&mut chart, plot, series)
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

/// The HdrHistogram-style latency-by-percentile plot: x from p0 through
/// p90, p99, p99.9, p99.99 to the maximum on a log axis of `1/(1-q)`, one
/// line per map (curves from `stats::percentile_curve`), the timer's noise
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
    // The maps, then the floors (drawn dashed, listed last).
    let is_floor = |n: &str| n.contains("floor");
    let series: Vec<Series> = curves
        .iter()
        .filter(|(n, _)| !is_floor(n))
        .chain(curves.iter().filter(|(n, _)| is_floor(n)))
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
        .x_desc("percentile (log scale of 1/(1 - q)); own: per-insert minimum over processes")
        .y_desc("insert latency (log)")
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
    let (floors, maps): (Vec<Series>, Vec<Series>) =
        series.iter().cloned().partition(|s| is_floor(&s.name));
    for f in &floors {
        let pts = f.points.iter().filter_map(|&(x, y)| y.map(|y| (x, y)));
        chart.draw_series(DashedLineSeries::new(
            pts,
            6,
            4,
            color_of(&f.name, 0).stroke_width(2),
        ))?;
    }
    draw_series(&mut chart, &plot, &maps)?;
    // The last point of every line is the maximum: label it.
    chart.draw_series(std::iter::once(Text::new(
        "max",
        (max_nines, 7.0),
        ("sans-serif", 13)
            .into_font()
            .color(&RGBColor(90, 90, 90))
            .pos(Pos::new(HPos::Right, VPos::Bottom)),
    )))?;
    // The legend in the table's order (the registry's), floors last.
    let entries: Vec<(String, RGBColor, Key)> = series
        .iter()
        .map(|s| {
            let n = &s.name;
            let key = if is_floor(n) {
                Key::Dashed
            } else if is_main(n) {
                Key::Thick
            } else {
                Key::Line
            };
            (n.clone(), color_of(n, 0), key)
        })
        .collect();
    keyed_legend(&legend_area, &entries)?;
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
    // Bytes are drawn in MiB (or GiB), so that the ticks fall at 1-2-5
    // steps of that unit rather than of bytes.
    let raw_max = bars.iter().map(|b| b.1).fold(1.0, f64::max);
    let (scale, suffix) = match unit {
        Unit::Bytes if raw_max >= 2.0 * (1u64 << 30) as f64 => ((1u64 << 30) as f64, " GiB"),
        Unit::Bytes if raw_max >= 2.0 * (1u64 << 20) as f64 => ((1u64 << 20) as f64, " MiB"),
        Unit::Bytes => (1024.0, " KiB"),
        _ => (1.0, ""),
    };
    let tick_fmt = |v: f64| {
        if suffix.is_empty() {
            unit.fmt(v)
        } else {
            format!("{}{suffix}", fmt_count(v))
        }
    };
    let bars: Vec<(String, f64)> = bars.iter().map(|(n, v)| (n.clone(), v / scale)).collect();
    let bars = &bars[..];
    let value_fmt = |v: f64| unit.fmt(v * scale);
    let x_max = bars.iter().map(|b| b.1).fold(1e-9, f64::max);
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
        .x_label_formatter(&|v| tick_fmt(*v))
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
            format!(" {}", value_fmt(b.1)),
            (b.1, top - 0.5),
            TextStyle::from(("sans-serif", 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center)),
        )
    }))?;
    root.present()?;
    Ok(())
}

/// One panel of a small-multiples plot: a map's points and vertical marks.
#[derive(Clone, Debug)]
pub struct Panel {
    /// The map (panel title and colour).
    pub name: String,
    /// `(x, y)` points.
    pub points: Vec<(f64, f64)>,
    /// x positions of vertical marks (growth starts).
    pub marks: Vec<f64>,
    /// The machine's floor in the map's processes (the largest empty
    /// clock pair), drawn as a dashed line.
    pub floor: Option<f64>,
}

/// The colour of growth-start marks: a grey no map has.
const MARKS: RGBColor = RGBColor(70, 70, 70);

/// Columns of a small-multiples grid.
const COLUMNS: usize = 3;

/// Small multiples: one panel per map in a grid, all with the same x range
/// `x` and the same (log) y range, points only, marks as short red ticks
/// at the bottom of each panel. `plot` gives the title, axis labels and
/// units (`phases`, `marks` and `points_only` are ignored).
///
/// # Errors
///
/// Drawing or I/O errors.
pub fn plot_panels(path: &Path, plot: &LinePlot<'_>, x: (f64, f64), panels: &[Panel]) -> Res<()> {
    let rows = panels.len().div_ceil(COLUMNS).max(1);
    let root = SVGBackend::new(path, (1200, 60 + 230 * rows as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let (title, grid) = root.split_vertically(56);
    // The title on as many lines as it needs (about 140 characters each).
    for (i, line) in textwrap::wrap(plot.title, 140).iter().enumerate() {
        title.draw(&Text::new(
            line.to_string(),
            (10, 10 + 20 * i as i32),
            ("sans-serif", 16).into_font(),
        ))?;
    }
    let ys = panels.iter().flat_map(|p| p.points.iter().map(|q| q.1));
    let y_hi = ys.fold(10.0, f64::max) * 2.0;
    let y_lo = if plot.log_y { 1e4 } else { 0.0 };
    let y_hi = y_hi.max(y_lo * 10.0);
    for (area, panel) in grid.split_evenly((rows, COLUMNS)).iter().zip(panels) {
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.name, ("sans-serif", 14))
            .margin(6)
            .margin_right(24)
            .x_label_area_size(38)
            .y_label_area_size(70)
            .build_cartesian_2d(
                x.0..x.1.max(x.0 + 1.0),
                (y_lo..y_hi)
                    .log_scale()
                    .with_key_points(log_ticks(y_lo, y_hi, 4)),
            )?;
        chart
            .configure_mesh()
            .x_labels(4)
            .x_desc(plot.x_label)
            .y_desc(plot.y_label)
            .axis_desc_style(("sans-serif", 11))
            .x_label_formatter(&|v| fmt_count(*v))
            .y_label_formatter(&|v| plot.y_unit_fmt(*v))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        if let Some(f) = panel.floor.filter(|f| *f > y_lo && *f < y_hi) {
            chart.draw_series(DashedLineSeries::new(
                [(x.0, f), (x.1, f)],
                5,
                4,
                RGBColor(150, 150, 150).stroke_width(1),
            ))?;
        }
        let tick = y_lo * 1.6;
        chart.draw_series(
            panel
                .marks
                .iter()
                .map(|&m| PathElement::new(vec![(m, y_lo), (m, tick)], MARKS.stroke_width(1))),
        )?;
        let style = color_of(&panel.name, 0).filled();
        chart.draw_series(
            panel
                .points
                .iter()
                .map(|&(px, py)| Circle::new((px, py.max(y_lo)), 2, style)),
        )?;
        if panel.points.is_empty() {
            chart.draw_series(std::iter::once(Text::new(
                "no insert above the threshold",
                (x.0 + (x.1 - x.0) * 0.05, y_lo * 30.0),
                ("sans-serif", 12).into_font(),
            )))?;
        }
    }
    root.present()?;
    Ok(())
}

/// One labelled point of a scatter plot.
#[derive(Clone, Debug)]
pub struct Point {
    /// The series it belongs to (its colour and legend entry).
    pub series: String,
    /// Its label, drawn beside it.
    pub label: String,
    /// Coordinates.
    pub x: f64,
    /// Coordinates.
    pub y: f64,
}

/// Axis of a scatter plot.
#[derive(Clone, Copy, Debug)]
pub struct Axis<'a> {
    /// Description.
    pub label: &'a str,
    /// Tick format.
    pub unit: Unit,
    /// Logarithmic.
    pub log: bool,
}

/// A labelled scatter plot with the Pareto front (the points no other
/// point beats on both axes, lower being better on both) drawn as a
/// dashed staircase through `front`, given in x order.
///
/// # Errors
///
/// Drawing or I/O errors.
pub fn plot_scatter(
    path: &Path,
    title: &str,
    x_axis: Axis<'_>,
    y_axis: Axis<'_>,
    points: &[Point],
    front: &[(f64, f64)],
) -> Res<()> {
    let root = SVGBackend::new(path, (1100, 650)).into_drawing_area();
    root.fill(&WHITE)?;
    let (chart_area, legend_area) = root.split_horizontally(850);
    let range = |v: &mut dyn Iterator<Item = f64>, log: bool| {
        let (lo, hi) = v.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
        if log {
            (lo.max(1e-9) / 1.6, hi.max(lo) * 1.6)
        } else {
            let pad = (hi - lo).abs().max(1.0) * 0.08;
            ((lo - pad).max(0.0), hi + pad)
        }
    };
    let (x0, x1) = range(&mut points.iter().map(|p| p.x), x_axis.log);
    let (y0, y1) = range(&mut points.iter().map(|p| p.y), y_axis.log);
    let mut builder = ChartBuilder::on(&chart_area);
    builder
        .caption(title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(80);
    // The labels, placed where they overlap nothing, in pixels of the
    // whole image (the chart area starts at its top-left corner).
    let mut placed: Vec<((i32, i32), String)> = Vec::new();
    let bounds;
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(x_axis.label)
                .y_desc(y_axis.label)
                .x_label_formatter(&|v| x_axis.unit_fmt(*v))
                .y_label_formatter(&|v| y_axis.unit_fmt(*v))
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            // A front is drawn where there is one: two points or more.
            if front.len() >= 2 {
                let mut stairs = Vec::new();
                for (i, &(x, y)) in front.iter().enumerate() {
                    if i > 0 {
                        stairs.push((x, stairs.last().map_or(y, |p: &(f64, f64)| p.1)));
                    }
                    stairs.push((x, y));
                }
                chart.draw_series(DashedLineSeries::new(stairs, 6, 4, FRONT.stroke_width(2)))?;
            }
            for p in points {
                let c = color_of(&p.series, 0);
                chart.draw_series(std::iter::once(Circle::new((p.x, p.y), 5, c.filled())))?;
                placed.push((chart.backend_coord(&(p.x, p.y)), p.label.clone()));
            }
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            bounds = (xr.start, yr.start, xr.end, yr.end);
        }};
    }
    let ticks = |lo: f64, hi: f64| log_ticks(lo, hi, 12);
    match (x_axis.log, y_axis.log) {
        (true, true) => draw!(builder.build_cartesian_2d(
            (x0..x1).log_scale().with_key_points(ticks(x0, x1)),
            (y0..y1).log_scale().with_key_points(ticks(y0, y1))
        )?),
        (true, false) => draw!(
            builder
                .build_cartesian_2d((x0..x1).log_scale().with_key_points(ticks(x0, x1)), y0..y1)?
        ),
        (false, true) => draw!(
            builder
                .build_cartesian_2d(x0..x1, (y0..y1).log_scale().with_key_points(ticks(y0, y1)))?
        ),
        (false, false) => draw!(builder.build_cartesian_2d(x0..x1, y0..y1)?),
    }
    for ((at, text), (x, y)) in placed.iter().zip(place_labels(&placed, bounds)) {
        // A label moved away from its point gets a thin line to it.
        let w = label_width(text);
        if (y - at.1).abs() > 14 || x > at.0 + 20 || x + w < at.0 - 20 {
            let end = (if x > at.0 { x } else { x + w }, y + 7);
            root.draw(&PathElement::new(
                vec![*at, end],
                RGBColor(160, 160, 160).stroke_width(1),
            ))?;
        }
        root.draw(&Text::new(
            text.clone(),
            (x, y),
            ("sans-serif", 12).into_font(),
        ))?;
    }
    let mut entries: Vec<(String, RGBColor, Key)> = Vec::new();
    for p in points {
        if !entries.iter().any(|e| e.0 == p.series) {
            entries.push((p.series.clone(), color_of(&p.series, 0), Key::Dot));
        }
    }
    if front.len() >= 2 {
        entries.push(("Pareto front".into(), FRONT, Key::Dashed));
    }
    keyed_legend(&legend_area, &entries)?;
    root.present()?;
    Ok(())
}

/// A log–log line plot: one line per series (points marked), x a count.
///
/// # Errors
///
/// Drawing or I/O errors.
pub fn plot_loglog(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> Res<()> {
    let root = SVGBackend::new(path, (1100, 650)).into_drawing_area();
    root.fill(&WHITE)?;
    let (chart_area, legend_area) = root.split_horizontally(850);
    let all = series.iter().flat_map(|s| s.1.iter());
    let (x0, x1, y0, y1) = all.fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |a, p| {
        (a.0.min(p.0), a.1.max(p.0), a.2.min(p.1), a.3.max(p.1))
    });
    let (x0, x1) = if x0 > x1 {
        (1.0, 10.0)
    } else {
        (x0 / 1.5, x1 * 1.5)
    };
    let (y0, y1) = if y0 > y1 {
        (1.0, 10.0)
    } else {
        (y0.max(1.0) / 2.0, y1 * 2.0)
    };
    let mut chart = ChartBuilder::on(&chart_area)
        .caption(title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(
            (x0..x1).log_scale().with_key_points(log_ticks(x0, x1, 12)),
            (y0..y1).log_scale().with_key_points(log_ticks(y0, y1, 14)),
        )?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&|v| fmt_count(*v))
        .y_label_formatter(&|v| fmt_ns(*v))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    // The machine's floors dashed, the maps drawn over them.
    let is_floor = |n: &str| n.contains("floor");
    for (name, pts) in series.iter().filter(|(n, _)| is_floor(n)) {
        let style = color_of(name, 0).stroke_width(2);
        chart.draw_series(DashedLineSeries::new(pts.iter().copied(), 6, 4, style))?;
    }
    for (name, pts) in series.iter().filter(|(n, _)| !is_floor(n)) {
        let style = color_of(name, 0).stroke_width(width_of(name));
        chart.draw_series(LineSeries::new(pts.iter().copied(), style))?;
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, style.filled())))?;
    }
    let entries: Vec<(String, RGBColor, Key)> = series
        .iter()
        .map(|(n, _)| {
            let key = if is_floor(n) {
                Key::Dashed
            } else if is_main(n) {
                Key::Thick
            } else {
                Key::Line
            };
            (n.clone(), color_of(n, 0), key)
        })
        .collect();
    keyed_legend(&legend_area, &entries)?;
    root.present()?;
    Ok(())
}

impl LinePlot<'_> {
    fn y_unit_fmt(&self, v: f64) -> String {
        self.y_unit.fmt(v)
    }
}

impl Axis<'_> {
    fn unit_fmt(&self, v: f64) -> String {
        self.unit.fmt(v)
    }
}
