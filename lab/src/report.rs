//! Percentiles, tables, CSV and SVG output.

use std::fs;
use std::io;
use std::path::Path;

use plotters::prelude::*;

/// Exact percentiles of a sample (sorted copy).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Summary {
    pub(crate) p50: u64,
    pub(crate) p99: u64,
    pub(crate) p999: u64,
    pub(crate) p9999: u64,
    pub(crate) max: u64,
    /// Index of the (first) maximum in the original order.
    pub(crate) argmax: usize,
}

impl Summary {
    pub(crate) fn of(samples: &[u64]) -> Summary {
        assert!(!samples.is_empty(), "no samples");
        let argmax = samples
            .iter()
            .enumerate()
            .max_by_key(|&(i, v)| (*v, std::cmp::Reverse(i)))
            .map_or(0, |(i, _)| i);
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let q =
            |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
        Summary {
            p50: q(0.5),
            p99: q(0.99),
            p999: q(0.999),
            p9999: q(0.9999),
            max: sorted[sorted.len() - 1],
            argmax,
        }
    }
}

/// Writes `rows` (first row = header) as CSV.
pub(crate) fn write_csv(path: &Path, rows: &[Vec<String>]) -> io::Result<()> {
    let text: String = rows.iter().map(|r| r.join(",") + "\n").collect();
    fs::write(path, text)
}

/// The maximum of each of `windows` consecutive windows of `samples`: a
/// plottable series that keeps every spike.
pub(crate) fn window_max(samples: &[u64], windows: usize) -> Vec<(usize, u64)> {
    let width = samples.len().div_ceil(windows.max(1)).max(1);
    samples
        .chunks(width)
        .enumerate()
        .map(|(i, c)| (i * width, c.iter().copied().max().unwrap_or(0)))
        .collect()
}

/// An SVG line plot with a log y axis, one series per (name, points).
pub(crate) fn plot_log_y(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(String, Vec<(usize, u64)>)],
) -> Result<(), Box<dyn std::error::Error>> {
    let y_max = extent(series).1.max(10) as f64;
    plot(
        path,
        title,
        x_label,
        y_label,
        series,
        (1.0..y_max * 2.0).log_scale(),
    )
}

/// An SVG line plot with a linear y axis from 0, one series per (name, points).
pub(crate) fn plot_linear(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(String, Vec<(usize, u64)>)],
) -> Result<(), Box<dyn std::error::Error>> {
    let y_max = extent(series).1 as f64;
    plot(path, title, x_label, y_label, series, 0.0..y_max * 1.05)
}

/// The line plot both of the above draw, on the given y axis (values below
/// 1 are drawn at 1, which only matters on the log axis).
fn plot<Y>(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(String, Vec<(usize, u64)>)],
    y_axis: Y,
) -> Result<(), Box<dyn std::error::Error>>
where
    Y: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
    Y::CoordDescType: plotters::coord::ranged1d::ValueFormatter<f64>,
{
    let (x_max, _) = extent(series);
    let root = SVGBackend::new(path, (1000, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(90)
        .build_cartesian_2d(0..x_max, y_axis)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()?;
    for (i, (name, points)) in series.iter().enumerate() {
        let color = color(i);
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|&(x, y)| (x, (y as f64).max(1.0))),
                color,
            ))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Largest x and y over all series (at least 1).
fn extent(series: &[(String, Vec<(usize, u64)>)]) -> (usize, u64) {
    let points = || series.iter().flat_map(|(_, p)| p.iter());
    (
        points().map(|&(x, _)| x).max().unwrap_or(1).max(1),
        points().map(|&(_, y)| y).max().unwrap_or(1).max(1),
    )
}

fn color(i: usize) -> RGBColor {
    [RED, BLUE, GREEN, BLACK, MAGENTA, CYAN][i % 6]
}

/// Prints rows as an aligned table (first column left, others right).
pub(crate) fn print_table(rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if c == 0 {
                    format!("{v:<w$}", w = widths[c])
                } else {
                    format!("{v:>w$}", w = widths[c])
                }
            })
            .collect();
        println!("{}", cells.join("  "));
    }
}

/// An SVG bar chart: one bar per (label, value).
pub(crate) fn plot_bars(
    path: &Path,
    title: &str,
    y_label: &str,
    bars: &[(String, f64)],
) -> Result<(), Box<dyn std::error::Error>> {
    let y_max = bars.iter().map(|b| b.1).fold(1.0, f64::max);
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..bars.len() as f64, 0.0..y_max * 1.1)?;
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(bars.len() * 2 + 1)
        .x_label_formatter(&|x| {
            let i = x.floor() as usize;
            if (x - i as f64 - 0.5).abs() < 0.01 {
                labels.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc(y_label)
        .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        Rectangle::new(
            [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, b.1)],
            color(i).filled(),
        )
    }))?;
    root.present()?;
    Ok(())
}
