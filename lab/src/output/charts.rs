//! Every plot of the lab, drawn alike: human units on the ticks, the
//! registry's colour for every map, the legend outside the data, evacmap
//! drawn last and thickest, phases shaded; SVG (`plotters`). Line plots,
//! latency by percentile, bars, small multiples (one panel per map),
//! labelled scatter plots with a Pareto front, and log–log lines.

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
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

/// One panel of a small-multiples plot: a map's points and vertical marks.
#[derive(Clone, Debug)]
pub struct Panel {
    /// The map (panel title and colour).
    pub name: String,
    /// `(x, y)` points.
    pub points: Vec<(f64, f64)>,
    /// x positions of vertical marks (growth starts).
    pub marks: Vec<f64>,
}

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
    let (title, grid) = root.split_vertically(50);
    title.draw(&Text::new(
        plot.title.to_string(),
        (10, 15),
        ("sans-serif", 16).into_font(),
    ))?;
    let ys = panels.iter().flat_map(|p| p.points.iter().map(|q| q.1));
    let y_hi = ys.fold(10.0, f64::max) * 2.0;
    let y_lo = if plot.log_y { 1e4 } else { 0.0 };
    let y_hi = y_hi.max(y_lo * 10.0);
    for (area, panel) in grid.split_evenly((rows, COLUMNS)).iter().zip(panels) {
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.name, ("sans-serif", 14))
            .margin(6)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(x.0..x.1.max(x.0 + 1.0), (y_lo..y_hi).log_scale())?;
        chart
            .configure_mesh()
            .x_labels(4)
            .y_labels(4)
            .x_label_formatter(&|v| fmt_count(*v))
            .y_label_formatter(&|v| plot.y_unit_fmt(*v))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let tick = y_lo * 1.6;
        chart.draw_series(panel.marks.iter().map(|&m| {
            PathElement::new(
                vec![(m, y_lo), (m, tick)],
                RGBColor(220, 60, 60).stroke_width(1),
            )
        }))?;
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
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            // On a log axis, few labels: plotters then puts them at powers
            // of ten only, instead of crowding 2×, 3×, … 9× into a decade.
            chart
                .configure_mesh()
                .x_labels(if x_axis.log { 4 } else { 10 })
                .y_labels(if y_axis.log { 4 } else { 10 })
                .x_desc(x_axis.label)
                .y_desc(y_axis.label)
                .x_label_formatter(&|v| x_axis.unit_fmt(*v))
                .y_label_formatter(&|v| y_axis.unit_fmt(*v))
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            let mut stairs = Vec::new();
            for (i, &(x, y)) in front.iter().enumerate() {
                if i > 0 {
                    stairs.push((x, stairs.last().map_or(y, |p: &(f64, f64)| p.1)));
                }
                stairs.push((x, y));
            }
            chart.draw_series(DashedLineSeries::new(
                stairs,
                6,
                4,
                RGBColor(120, 120, 120).stroke_width(1),
            ))?;
            for p in points {
                let c = color_of(&p.series, 0);
                chart.draw_series(std::iter::once(Circle::new((p.x, p.y), 5, c.filled())))?;
                chart.draw_series(std::iter::once(Text::new(
                    format!(" {}", p.label),
                    (p.x, p.y),
                    TextStyle::from(("sans-serif", 12).into_font())
                        .pos(Pos::new(HPos::Left, VPos::Bottom)),
                )))?;
            }
        }};
    }
    match (x_axis.log, y_axis.log) {
        (true, true) => {
            draw!(builder.build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?)
        }
        (true, false) => draw!(builder.build_cartesian_2d((x0..x1).log_scale(), y0..y1)?),
        (false, true) => draw!(builder.build_cartesian_2d(x0..x1, (y0..y1).log_scale())?),
        (false, false) => draw!(builder.build_cartesian_2d(x0..x1, y0..y1)?),
    }
    let mut entries: Vec<(String, RGBColor, u32)> = Vec::new();
    for p in points {
        if !entries.iter().any(|e| e.0 == p.series) {
            entries.push((
                p.series.clone(),
                color_of(&p.series, 0),
                width_of(&p.series),
            ));
        }
    }
    entries.push(("Pareto front".into(), RGBColor(120, 120, 120), 1));
    legend(&legend_area, &entries)?;
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
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(8)
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&|v| fmt_count(*v))
        .y_label_formatter(&|v| fmt_ns(*v))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (name, pts) in series {
        let style = color_of(name, 0).stroke_width(width_of(name));
        chart.draw_series(LineSeries::new(pts.iter().copied(), style))?;
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, style.filled())))?;
    }
    let entries: Vec<(String, RGBColor, u32)> = series
        .iter()
        .map(|(n, _)| (n.clone(), color_of(n, 0), width_of(n)))
        .collect();
    legend(&legend_area, &entries)?;
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
