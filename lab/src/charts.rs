//! The plot kinds added to `report.rs`'s line, percentile and bar plots:
//! small multiples (one panel per map, shared axes), labelled scatter
//! plots with a Pareto front, and log–log line plots. Same conventions:
//! human units, the registry's colour for every map, SVG.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::{LinePlot, Res, Unit, color_of, fmt_count, fmt_ns, legend, width_of};

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
