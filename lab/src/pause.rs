//! `lab pause`: the latency of every single insert, per map.
//!
//! Each map gets the same N random keys, inserted into a new map (no
//! reserve), each insert timed with a pair of `Instant::now()` calls into a
//! histogram. The timer's own cost is measured in the same run (N empty
//! pairs), because on a shared machine a maximum means something only
//! relative to the largest delay an empty pair sees. evacmap's pause
//! sources come from a separate evacmap run with its own timing on
//! (`Policy::with_timing`), so that the latencies above are not inflated by
//! it. With `--rounds R` the maps run R times in alternating order and the
//! table gives medians.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use evacmap::Policy;

use crate::child::find_result;
use crate::go::{self, Availability, GoPeer};
use crate::keys::random_keys;
use crate::maps::{LabMap, SINGLE_THREADED, evacmap, make};
use crate::report::{
    LatencyLog, LinePlot, Res, Series, Table, Unit, fmt_count, out_dir, percentile_curve,
    plot_lines, plot_percentiles, progress,
};

/// Inserts slower than this are kept individually for the timeline plot.
pub const SLOW_NS: u64 = 20_000;

/// One map's run.
#[derive(Clone, Debug)]
pub struct MapRun {
    /// The map's name.
    pub name: String,
    /// Every insert's latency.
    pub log: LatencyLog,
    /// Entries before each insert that started a growth (from
    /// `capacity()` changing), for the timeline's marks.
    pub growth_starts: Vec<u64>,
}

/// Times every insert of `keys` into a new map `name`.
///
/// # Errors
///
/// An unknown map name.
pub fn time_inserts(name: &str, keys: &[u64]) -> Res<MapRun> {
    let mut map: Box<dyn LabMap<u64>> = make(name)?;
    let mut log = LatencyLog::new(SLOW_NS);
    let mut growth_starts = Vec::new();
    let bar = progress(keys.len() as u64, &format!("pause: {name}"));
    let mut cap = map.capacity();
    for (i, &k) in keys.iter().enumerate() {
        let start = Instant::now();
        map.insert(k, k);
        log.record(start.elapsed().as_nanos() as u64);
        let now = map.capacity();
        if now != cap {
            // The first insert allocates the first table: not a growth.
            if i > 0 {
                growth_starts.push(i as u64);
            }
            cap = now;
        }
        if i % 65_536 == 0 {
            bar.set_position(i as u64);
        }
    }
    bar.finish_and_clear();
    if map.len() != keys.len() {
        return Err(format!("{name}: {} of {} keys stored", map.len(), keys.len()).into());
    }
    drop(map); // outside the timed regions
    Ok(MapRun {
        name: name.to_string(),
        log,
        growth_starts,
    })
}

/// `n` timings of an empty `Instant` pair: the timer's noise floor.
pub fn timer_floor(n: usize) -> LatencyLog {
    let mut log = LatencyLog::new(SLOW_NS);
    for _ in 0..n {
        let start = black_box(Instant::now());
        log.record(start.elapsed().as_nanos() as u64);
    }
    log
}

/// The percentiles every latency table shows, with their column names.
pub const QUANTILES: [(&str, f64); 6] = [
    ("p50_ns", 0.5),
    ("p99_ns", 0.99),
    ("p99.9_ns", 0.999),
    ("p99.99_ns", 0.9999),
    ("max_ns", 1.0),
    ("mean_ns", f64::NAN),
];

/// A latency row's numbers: the quantiles, then the mean.
pub fn latency_numbers(log: &LatencyLog) -> Vec<f64> {
    QUANTILES
        .iter()
        .map(|&(_, q)| {
            if q.is_nan() {
                log.mean_ns()
            } else {
                log.quantile(q) as f64
            }
        })
        .collect()
}

/// The median of `v` (the upper one for an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
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
}

/// One run of the Go peer's pause mode: the map's numbers, its timer
/// floor's, the curves, the slow inserts and the growth starts.
struct GoRun {
    numbers: Vec<f64>,
    argmax: u64,
    floor: Vec<f64>,
    curves: Vec<(String, Vec<(f64, f64)>)>,
    slow: Vec<(f64, f64)>,
    growths: Vec<f64>,
}

fn go_pause(peer: &GoPeer, name: &str, gc: &str, n: usize, seed: u64) -> Res<GoRun> {
    let out = peer.run(&[
        "-mode".into(),
        "pause".into(),
        "-n".into(),
        n.to_string(),
        "-seed".into(),
        seed.to_string(),
        "-gc".into(),
        gc.into(),
        "-name".into(),
        name.into(),
    ])?;
    let mut results = out.lines().filter(|l| l.starts_with("RESULT "));
    let parse = |l: Option<&str>| -> Res<Vec<f64>> {
        let (_, v) = find_result(l.ok_or_else(|| format!("{name}: missing RESULT line"))?)?;
        QUANTILES
            .iter()
            .map(|(k, _)| {
                v.get(*k)
                    .copied()
                    .ok_or_else(|| format!("{name}: no {k}").into())
            })
            .chain(std::iter::once(
                v.get("argmax")
                    .copied()
                    .ok_or_else(|| format!("{name}: no argmax").into()),
            ))
            .collect()
    };
    let mut numbers = parse(results.next())?;
    let argmax = numbers.pop().unwrap_or(0.0) as u64;
    let mut floor = parse(results.next())?;
    floor.pop();
    let mut curves: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let (mut slow, mut growths) = (Vec::new(), Vec::new());
    for line in out.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| -> Res<f64> {
            Ok(w.get(i)
                .ok_or_else(|| format!("short line {line:?}"))?
                .parse()?)
        };
        match w.first() {
            Some(&"CURVE") => {
                let label = w.get(1).ok_or("short CURVE line")?.to_string();
                let pt = (num(2)?, num(3)?);
                match curves.iter_mut().find(|c| c.0 == label) {
                    Some(c) => c.1.push(pt),
                    None => curves.push((label, vec![pt])),
                }
            }
            Some(&"SLOW") => slow.push((num(1)?, num(2)?)),
            Some(&"GROWTH") => growths.push(num(1)?),
            _ => {}
        }
    }
    Ok(GoRun {
        numbers,
        argmax,
        floor,
        curves,
        slow,
        growths,
    })
}

/// Runs the experiment on every single-threaded map, and on Go's map when
/// `go` has it.
///
/// # Errors
///
/// Output errors, a map that lost keys, or Go output that does not parse.
pub fn run(
    n: usize,
    rounds: usize,
    seed: u64,
    out: &Path,
    go: &Availability,
) -> Res<(Vec<PauseSummary>, LatencyLog)> {
    out_dir(out)?;
    let keys = random_keys(n, seed);
    eprintln!("pause: timer noise floor ({n} empty Instant pairs)");
    let floor = timer_floor(n);
    let mut runs: Vec<Vec<MapRun>> = vec![Vec::new(); SINGLE_THREADED.len()];
    for round in 0..rounds.max(1) {
        // Alternate the order, so that no map always runs first.
        let mut order: Vec<usize> = (0..SINGLE_THREADED.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            runs[i].push(time_inserts(SINGLE_THREADED[i], &keys)?);
        }
    }
    let mut go_runs: Vec<(&str, Vec<GoRun>)> = Vec::new();
    if let Some(peer) = go.peer() {
        for &(name, gc) in &go::CONFIGS {
            eprintln!("pause: {name}: timing {n} inserts into Go's map");
            let runs = (0..rounds.max(1))
                .map(|_| go_pause(peer, name, gc, n, seed))
                .collect::<Res<Vec<_>>>()?;
            go_runs.push((name, runs));
        }
    }
    eprintln!("pause: evacmap with its own timing on (pause sources)");
    let mut timed = evacmap::<u64>(Policy::go().with_timing(true));
    let start = Instant::now();
    for &k in &keys {
        timed.insert(k, k);
    }
    let total_ns = start.elapsed().as_nanos().max(1) as f64;
    let t = timed.timing().ok_or("timing is on")?;
    drop(timed);

    let mut header: Vec<&str> = vec!["map"];
    header.extend(QUANTILES.iter().map(|q| q.0));
    header.extend(["len_at_max", "max/floor_max"]);
    let mut table = Table::new(&header);
    let mut summaries = Vec::new();
    for (i, map_runs) in runs.iter().enumerate() {
        let numbers: Vec<f64> = (0..QUANTILES.len())
            .map(|q| {
                median(
                    map_runs
                        .iter()
                        .map(|r| latency_numbers(&r.log)[q])
                        .collect(),
                )
            })
            .collect();
        let max = numbers[4];
        let at = map_runs
            .iter()
            .min_by(|a, b| {
                (a.log.max_ns as f64 - max)
                    .abs()
                    .total_cmp(&(b.log.max_ns as f64 - max).abs())
            })
            .map_or(0, |r| r.log.argmax);
        summaries.push(PauseSummary {
            name: SINGLE_THREADED[i].to_string(),
            numbers,
            len_at_max: at,
        });
    }
    for (name, runs) in &go_runs {
        let numbers: Vec<f64> = (0..QUANTILES.len())
            .map(|q| median(runs.iter().map(|r| r.numbers[q]).collect()))
            .collect();
        summaries.push(PauseSummary {
            name: name.to_string(),
            len_at_max: runs[0].argmax,
            numbers,
        });
    }
    let floor_numbers = latency_numbers(&floor);
    for s in &summaries {
        table.push(row(
            &s.name,
            &s.numbers,
            s.len_at_max.to_string(),
            floor.max_ns,
        ));
    }
    table.push(row("timer floor", &floor_numbers, "-".into(), floor.max_ns));
    for (name, runs) in &go_runs {
        let f: Vec<f64> = (0..QUANTILES.len())
            .map(|q| median(runs.iter().map(|r| r.floor[q]).collect()))
            .collect();
        // Go's floor against its own clock (runtime.nanotime pairs).
        table.push(row(
            &format!("{name} timer floor"),
            &f,
            "-".into(),
            f[4] as u64,
        ));
    }
    table.print();
    println!(
        "(medians over {} round(s); max/floor_max divides each maximum by the floor's)",
        rounds.max(1)
    );
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
    table.write_csv(&out.join("pause_summary.csv"))?;

    // Plots and the timeline CSV from the first round.
    let first: Vec<&MapRun> = runs.iter().map(|r| &r[0]).collect();
    let mut curves: Vec<(String, Vec<(f64, f64)>)> = first
        .iter()
        .map(|r| (r.name.clone(), percentile_curve(&r.log)))
        .collect();
    for (i, (name, runs)) in go_runs.iter().enumerate() {
        for (label, curve) in &runs[0].curves {
            if label == name {
                curves.push((label.clone(), curve.clone()));
            } else if i == 0 {
                // One Go floor: both configurations use the same clock.
                curves.push(("go timer floor (runtime.nanotime)".into(), curve.clone()));
            }
        }
    }
    curves.push(("timer floor".into(), percentile_curve(&floor)));
    plot_percentiles(
        &out.join("pause.svg"),
        &format!(
            "Insert latency by percentile, {} random u64 keys into a new map",
            fmt_count(n as f64)
        ),
        &curves,
    )?;
    let mut slow_rows = Vec::new();
    let mut series = Vec::new();
    let mut add = |name: &str, points: Vec<(f64, f64)>| {
        let points = slowest(points);
        slow_rows.extend(
            points
                .iter()
                .map(|&(i, ns)| vec![name.to_string(), i.to_string(), ns.to_string()]),
        );
        series.push(Series::new(name.to_string(), points));
    };
    for r in &first {
        add(
            &r.name,
            r.log
                .slow
                .iter()
                .map(|&(i, ns)| (i as f64, ns as f64))
                .collect(),
        );
    }
    for (name, runs) in &go_runs {
        add(name, runs[0].slow.clone());
    }
    add(
        "timer floor",
        floor
            .slow
            .iter()
            .map(|&(i, ns)| (i as f64, ns as f64))
            .collect(),
    );
    crate::report::write_csv(
        &out.join("pause_slow.csv"),
        &["map".into(), "insert".into(), "ns".into()],
        &slow_rows,
    )?;
    let mut growth_rows: Vec<Vec<String>> = first
        .iter()
        .flat_map(|r| {
            r.growth_starts
                .iter()
                .map(|i| vec![r.name.clone(), i.to_string()])
        })
        .collect();
    for (name, runs) in &go_runs {
        growth_rows.extend(
            runs[0]
                .growths
                .iter()
                .map(|i| vec![name.to_string(), i.to_string()]),
        );
    }
    crate::report::write_csv(
        &out.join("pause_growth_starts.csv"),
        &["map".into(), "insert".into()],
        &growth_rows,
    )?;
    let evac_starts = first
        .iter()
        .find(|r| r.name == "evacmap")
        .map(|r| r.growth_starts.iter().map(|&x| x as f64).collect())
        .unwrap_or_default();
    plot_lines(
        &out.join("pause_timeline.svg"),
        &LinePlot {
            title: &format!(
                "Inserts slower than {} µs, at most the {} slowest per map ({} keys; timer \
                 floor: empty Instant pairs)",
                SLOW_NS / 1000,
                fmt_count(TIMELINE_CAP as f64),
                fmt_count(n as f64)
            ),
            x_label: "entries before the insert",
            x_unit: Unit::Count,
            y_label: "latency",
            y_unit: Unit::Nanos,
            log_y: true,
            phases: Vec::new(),
            marks: Some(("evacmap growth starts".into(), evac_starts)),
            points_only: true,
        },
        &series,
    )?;
    println!(
        "\noutput: {} (pause_summary.csv, pause_slow.csv, pause_growth_starts.csv, pause.svg, \
         pause_timeline.svg)",
        out.display()
    );
    Ok((summaries, floor))
}

/// How many slow inserts per map the timeline and `pause_slow.csv` keep: a
/// map whose every insert is slow (papaya at 10M keys has ~175,000 above
/// the threshold) would otherwise bury the others and make a 17 MB SVG. The
/// percentile plot carries the whole distribution.
const TIMELINE_CAP: usize = 5_000;

/// The `TIMELINE_CAP` slowest of `points` (`(insert, ns)`), in insert order.
fn slowest(mut points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    if points.len() > TIMELINE_CAP {
        points.sort_by(|a, b| b.1.total_cmp(&a.1));
        points.truncate(TIMELINE_CAP);
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    points
}

fn row(name: &str, numbers: &[f64], len_at_max: String, floor_max: u64) -> Vec<String> {
    let mut r = vec![name.to_string()];
    r.extend(numbers.iter().map(|v| format!("{v:.0}")));
    r.push(len_at_max);
    r.push(format!("{:.1}", numbers[4] / floor_max.max(1) as f64));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowest_keeps_the_slowest_in_insert_order() {
        let few = vec![(3.0, 1.0), (1.0, 9.0)];
        assert_eq!(slowest(few.clone()), few);
        let many: Vec<(f64, f64)> = (0..TIMELINE_CAP + 10)
            .map(|i| (i as f64, ((i * 7919) % 10_007) as f64))
            .collect();
        let kept = slowest(many.clone());
        assert_eq!(kept.len(), TIMELINE_CAP);
        assert!(kept.windows(2).all(|w| w[0].0 < w[1].0));
        let cut = kept.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let dropped = many.iter().filter(|p| !kept.contains(p));
        assert!(dropped.into_iter().all(|p| p.1 <= cut));
    }
}
