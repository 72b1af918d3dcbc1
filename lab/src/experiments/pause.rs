//! `lab pause`: the latency of every single insert, per map.
//!
//! Each map runs in its own process per round (`runner.rs`): N random keys
//! inserted into a new map (no reserve), each insert timed with a pair of
//! clock reads into a histogram. Every process first times N empty pairs
//! of the same clock, because on a shared machine a maximum means
//! something only relative to the largest delay an empty pair sees in the
//! same process. evacmap's pause sources come from a separate in-process
//! evacmap run with its own timing on (`Policy::with_timing`), so that the
//! latencies above are not inflated by it. With `--rounds R` the maps run
//! R times in alternating order and the table gives medians.
//!
//! Steps: [`measure`] (processes), [`summarize`] (medians), [`table`],
//! [`write_csv`], [`plot`] (from the CSV files alone, so `lab plot`
//! redraws them).

use std::path::Path;
use std::time::Instant;

use evacmap::Policy;

use crate::Res;
use crate::keys::key;
use crate::maps::evacmap;
use crate::maps::go::GoPeers;
use crate::maps::registry::{self, Class, Experiment};
use crate::output::charts::{LinePlot, plot_percentiles};
use crate::output::charts::{Panel, plot_panels};
use crate::output::{Table, Unit, fmt_count, out_dir, read_csv, write_csv as write_rows};
use crate::run::child::SLOW_NS;
use crate::run::{self, Mode, Output, Target};
use crate::stats::{MAX, QUANTILES, median};

/// One map's processes, one per round.
#[derive(Clone, Debug)]
pub struct MapRuns {
    /// The map.
    pub target: Target,
    /// One output per round.
    pub rounds: Vec<Output>,
}

/// Runs every target `rounds` times, in a different order each round.
///
/// # Errors
///
/// A process that fails or prints nothing usable.
pub fn measure(
    targets: &[Target],
    mode: Mode,
    n: u64,
    rounds: usize,
    seed: u64,
    go: &GoPeers,
) -> Res<Vec<MapRuns>> {
    let mut runs: Vec<MapRuns> = targets
        .iter()
        .map(|t| MapRuns {
            target: t.clone(),
            rounds: Vec::new(),
        })
        .collect();
    let bar = crate::output::progress((rounds.max(1) * targets.len()) as u64, mode.word());
    for round in 0..rounds.max(1) {
        let mut order: Vec<usize> = (0..targets.len()).collect();
        order.rotate_left(round % targets.len().max(1));
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            bar.inc(1);
            let out = run::run(&targets[i], mode, n, seed, go)?;
            runs[i].rounds.push(out);
        }
    }
    bar.finish_and_clear();
    Ok(runs)
}

/// What `pause` found for one map, medians over the rounds.
#[derive(Clone, Debug)]
pub struct PauseSummary {
    /// The map.
    pub name: String,
    /// p50, p99, p99.9, p99.99, max, mean (ns), medians over the rounds.
    pub numbers: Vec<f64>,
    /// Entries before the slowest insert, in the round whose maximum is the
    /// median one.
    pub len_at_max: u64,
    /// The same quantiles of the timer floor of the map's own processes.
    pub floor: Vec<f64>,
}

/// Medians over the rounds of each map's quantiles and of its floor's.
pub fn summarize(runs: &[MapRuns]) -> Vec<PauseSummary> {
    runs.iter()
        .map(|r| {
            let med = |pick: &dyn Fn(&Output) -> Option<f64>| {
                median(r.rounds.iter().filter_map(pick).collect())
            };
            let numbers: Vec<f64> = QUANTILES
                .iter()
                .map(|(k, _)| med(&|o| o.values.get(*k).copied()))
                .collect();
            let floor: Vec<f64> = QUANTILES
                .iter()
                .map(|(k, _)| med(&|o| o.floor.as_ref()?.get(*k).copied()))
                .collect();
            let max = numbers[MAX];
            let len_at_max = r
                .rounds
                .iter()
                .min_by(|a, b| {
                    let d = |o: &Output| (o.values.get("max_ns").unwrap_or(&0.0) - max).abs();
                    d(a).total_cmp(&d(b))
                })
                .and_then(|o| o.values.get("argmax"))
                .map_or(0, |&v| v as u64);
            PauseSummary {
                name: r.target.name.clone(),
                numbers,
                len_at_max,
                floor,
            }
        })
        .collect()
}

/// The timer floors: the median over the Rust maps' processes, and over
/// Go's (`runtime.nanotime` pairs), if any ran.
pub fn floors(summaries: &[PauseSummary]) -> Vec<(String, Vec<f64>)> {
    let mut out = Vec::new();
    for (label, go) in [("timer floor", false), ("go timer floor", true)] {
        let of: Vec<&PauseSummary> = summaries
            .iter()
            .filter(|s| s.name.starts_with("go") == go && !s.floor[MAX].is_nan())
            .collect();
        if of.is_empty() {
            continue;
        }
        let f = (0..QUANTILES.len())
            .map(|q| median(of.iter().map(|s| s.floor[q]).collect()))
            .collect();
        out.push((label.to_string(), f));
    }
    out
}

/// The summary table: quantiles, where the maximum happened, the map's
/// own floor's maximum and the ratio of the two; then the floors.
pub fn table(summaries: &[PauseSummary]) -> Table {
    let mut header: Vec<&str> = vec!["map"];
    header.extend(QUANTILES.iter().map(|q| q.0));
    header.extend(["len_at_max", "floor_max_ns", "max/floor_max"]);
    let mut t = Table::new(&header);
    let fmt = |v: f64| {
        if v.is_nan() {
            "-".to_string()
        } else {
            format!("{v:.0}")
        }
    };
    for s in summaries {
        let mut row = vec![s.name.clone()];
        row.extend(s.numbers.iter().map(|&v| fmt(v)));
        row.push(s.len_at_max.to_string());
        row.push(fmt(s.floor[MAX]));
        row.push(format!("{:.1}", s.numbers[MAX] / s.floor[MAX].max(1.0)));
        t.push(row);
    }
    for (label, f) in floors(summaries) {
        let mut row = vec![label];
        row.extend(f.iter().map(|&v| fmt(v)));
        row.extend(["-".into(), fmt(f[MAX]), "1.0".into()]);
        t.push(row);
    }
    t
}

/// How many slow inserts per map the timeline and `pause_slow.csv` keep: a
/// map whose every insert is slow (papaya at 10M keys has ~175,000 above
/// the threshold) would otherwise bury the others and make a 17 MB SVG. The
/// percentile plot carries the whole distribution.
const TIMELINE_CAP: usize = 5_000;

/// The `TIMELINE_CAP` slowest of `points` (`(insert, ns)`), in insert order.
fn slowest(mut points: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    if points.len() > TIMELINE_CAP {
        points.sort_by_key(|p| std::cmp::Reverse(p.1));
        points.truncate(TIMELINE_CAP);
        points.sort_by_key(|p| p.0);
    }
    points
}

/// Writes `pause_summary.csv` and, from each map's first round,
/// `pause_curves.csv` (latency by percentile, floors included),
/// `pause_slow.csv` and `pause_growth_starts.csv`, plus `pause_info.csv`
/// (the key count, for plot titles).
///
/// # Errors
///
/// I/O errors.
pub fn write_csv(out: &Path, n: u64, runs: &[MapRuns], summaries: &[PauseSummary]) -> Res<()> {
    table(summaries).write_csv(&out.join("pause_summary.csv"))?;
    let (mut curves, mut slow, mut growths) = (Vec::new(), Vec::new(), Vec::new());
    let mut floors_done = [false, false];
    for r in runs {
        let Some(first) = r.rounds.first() else {
            continue;
        };
        let name = &r.target.name;
        let go = matches!(r.target.class, Class::Go(..));
        for (label, pts) in &first.curves {
            let label = if label == name {
                name.clone()
            } else if !floors_done[usize::from(go)] {
                floors_done[usize::from(go)] = true;
                if go { "go timer floor" } else { "timer floor" }.to_string()
            } else {
                continue;
            };
            curves.extend(
                pts.iter()
                    .map(|(x, y)| vec![label.clone(), x.to_string(), y.to_string()]),
            );
        }
        slow.extend(
            slowest(first.slow.clone())
                .into_iter()
                .map(|(i, ns)| vec![name.clone(), i.to_string(), ns.to_string()]),
        );
        growths.extend(
            first
                .growths
                .iter()
                .map(|i| vec![name.clone(), i.to_string()]),
        );
    }
    let h = |cols: &[&str]| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    write_rows(
        &out.join("pause_curves.csv"),
        &h(&["map", "nines", "ns"]),
        &curves,
    )?;
    write_rows(
        &out.join("pause_slow.csv"),
        &h(&["map", "insert", "ns"]),
        &slow,
    )?;
    write_rows(
        &out.join("pause_growth_starts.csv"),
        &h(&["map", "insert"]),
        &growths,
    )?;
    write_rows(
        &out.join("pause_info.csv"),
        &h(&["keys"]),
        &[vec![n.to_string()]],
    )?;
    Ok(())
}

/// Draws `pause.svg` (latency by percentile) and `pause_timeline.svg`
/// (slow inserts over the build, one panel per map) from the CSV files in
/// `out`.
///
/// # Errors
///
/// Missing or malformed CSV files, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let n: f64 = read_csv(&out.join("pause_info.csv"))?.rows[0][0].parse()?;
    let curves = read_csv(&out.join("pause_curves.csv"))?;
    let mut by_map: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for r in &curves.rows {
        let pt = (r[1].parse()?, r[2].parse()?);
        match by_map.iter_mut().find(|c| c.0 == r[0]) {
            Some(c) => c.1.push(pt),
            None => by_map.push((r[0].clone(), vec![pt])),
        }
    }
    plot_percentiles(
        &out.join("pause.svg"),
        &format!(
            "Insert latency by percentile, {} random u64 keys into a new map",
            fmt_count(n)
        ),
        &by_map,
    )?;
    let slow = read_csv(&out.join("pause_slow.csv"))?;
    let starts = read_csv(&out.join("pause_growth_starts.csv"))?;
    let mut panels: Vec<Panel> = Vec::new();
    for (name, _) in by_map.iter().filter(|(m, _)| !m.contains("floor")) {
        let points = slow
            .rows
            .iter()
            .filter(|r| &r[0] == name)
            .map(|r| Ok((r[1].parse()?, r[2].parse()?)))
            .collect::<Res<Vec<(f64, f64)>>>()?;
        let marks = starts
            .rows
            .iter()
            .filter(|r| &r[0] == name)
            .map(|r| Ok(r[1].parse()?))
            .collect::<Res<Vec<f64>>>()?;
        panels.push(Panel {
            name: name.clone(),
            points,
            marks,
        });
    }
    plot_panels(
        &out.join("pause_timeline.svg"),
        &LinePlot {
            title: &format!(
                "Inserts slower than {} µs (at most the {} slowest per map) over a build of {} keys; \
                 red ticks: growth starts (Swiss: directory doublings)",
                SLOW_NS / 1000,
                fmt_count(TIMELINE_CAP as f64),
                fmt_count(n)
            ),
            x_label: "entries before the insert",
            x_unit: Unit::Count,
            y_label: "latency",
            y_unit: Unit::Nanos,
            log_y: true,
            phases: Vec::new(),
            marks: None,
            points_only: true,
        },
        (0.0, n),
        &panels,
    )?;
    Ok(())
}

/// evacmap's pause sources: an in-process run with its own timing on.
fn pause_sources(n: u64, seed: u64) -> Res<()> {
    eprintln!("pause: evacmap with its own timing on (pause sources)");
    let mut timed = evacmap::<u64>(Policy::go().with_timing(true));
    let start = Instant::now();
    for i in 0..n {
        let k = key(seed, i);
        timed.insert(k, k);
    }
    let total_ns = start.elapsed().as_nanos().max(1) as f64;
    let t = timed.instruments().timing().ok_or("timing is on")?;
    println!(
        "\nevacmap (own timing on, {n} inserts, {:.0} ms): evacuation {:.1}%, allocating arrays {:.1}%, \
         freeing arrays {:.1}% of insert time; longest insert {} ns at len {}",
        total_ns / 1e6,
        100.0 * t.evacuation_ns as f64 / total_ns,
        100.0 * t.alloc_ns as f64 / total_ns,
        100.0 * t.free_ns as f64 / total_ns,
        t.max_pause_ns,
        t.max_pause_len
    );
    Ok(())
}

/// Runs the experiment on every map the registry gives `pause`.
///
/// # Errors
///
/// Output errors, a map that lost keys, or a process whose output does
/// not parse.
pub fn run(n: u64, rounds: usize, seed: u64, out: &Path, go: &GoPeers) -> Res<Vec<PauseSummary>> {
    out_dir(out)?;
    let targets: Vec<Target> = registry::maps_in(Experiment::Pause, go)
        .into_iter()
        .map(Target::from)
        .collect();
    let runs = measure(&targets, Mode::Pause, n, rounds, seed, go)?;
    let summaries = summarize(&runs);
    table(&summaries).print();
    println!(
        "(ns; medians over {} round(s), one process per map and round; floor_max_ns: the largest \
         of N empty clock pairs in the map's own processes)",
        rounds.max(1)
    );
    pause_sources(n, seed)?;
    write_csv(out, n, &runs, &summaries)?;
    plot(out)?;
    println!(
        "\noutput: {} (pause_summary.csv, pause_curves.csv, pause_slow.csv, \
         pause_growth_starts.csv, pause.svg, pause_timeline.svg)",
        out.display()
    );
    Ok(summaries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowest_keeps_the_slowest_in_insert_order() {
        let few = vec![(3, 1), (1, 9)];
        assert_eq!(slowest(few.clone()), few);
        let many: Vec<(u64, u64)> = (0..TIMELINE_CAP as u64 + 10)
            .map(|i| (i, (i * 7919) % 10_007))
            .collect();
        let kept = slowest(many.clone());
        assert_eq!(kept.len(), TIMELINE_CAP);
        assert!(kept.windows(2).all(|w| w[0].0 < w[1].0));
        let cut = kept.iter().map(|p| p.1).min().unwrap();
        let dropped = many.iter().filter(|p| !kept.contains(p));
        assert!(dropped.into_iter().all(|p| p.1 <= cut));
    }
}
