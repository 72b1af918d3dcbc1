//! `lab drain`: fill to N, delete 95% of the keys, then keep reading and
//! writing at the small size. Table memory over time, and the pause of
//! every operation, for:
//!
//! - `evacmap`: Go's policy, which never shrinks;
//! - `evacmap/auto_shrink`: `Policy::with_auto_shrink(1/8)`, shrinking
//!   incrementally as the removals go;
//! - `evacmap+shrink_to_fit`: Go's policy plus one `shrink_to_fit` call after
//!   the removals (which starts an incremental shrink);
//! - `hashbrown+shrink_to_fit`: the same call on hashbrown, which rehashes
//!   the survivors into a new table at once.
//!
//! Memory is what each table reports holding (evacmap's `bytes_allocated`,
//! hashbrown's `allocation_size`), sampled through all phases. Every
//! removal, every steady operation, and the `shrink_to_fit` call are timed;
//! the timer's noise floor is measured in the same run.

use std::path::Path;
use std::time::Instant;

use crate::keys::key;
use crate::maps::{LabMap, make};
use crate::pause::{SLOW_NS, timer_floor};
use crate::report::{
    LatencyLog, LinePlot, Phase, Res, Series, Table, Unit, fmt_count, out_dir, plot_lines,
};

/// One key in `KEEP_EVERY` survives the removal phase (5%).
const KEEP_EVERY: u64 = 20;
/// Memory samples per run.
const SAMPLES: u64 = 600;

/// (label, map name for `make`, whether `shrink_to_fit` is called after the
/// removals).
const RUNS: [(&str, &str, bool); 4] = [
    ("evacmap", "evacmap", false),
    ("evacmap/auto_shrink", "evacmap/auto_shrink", false),
    ("evacmap+shrink_to_fit", "evacmap", true),
    ("hashbrown+shrink_to_fit", "hashbrown", true),
];

/// One run's measurements.
struct Run {
    label: &'static str,
    /// (operation number, table bytes) through every phase.
    bytes: Vec<(usize, u64)>,
    peak: u64,
    after_removals: u64,
    end: u64,
    /// Time of each removal, then of the `shrink_to_fit` call (if any), then
    /// of each steady operation.
    latencies: LatencyLog,
    /// Operation numbers where the removals began and ended.
    removals: (usize, usize),
    shrink_call_ns: Option<u64>,
    steady_ns: f64,
    shrinks: Option<u64>,
}

/// The live keys of the steady phase, oldest first: the survivors (every
/// `KEEP_EVERY`-th key of the fill), then the keys inserted since.
fn live_key(seed: u64, n: u64, position: u64) -> u64 {
    let kept = n / KEEP_EVERY;
    if position < kept {
        key(seed, position * KEEP_EVERY)
    } else {
        key(seed, n + position - kept)
    }
}

fn run_one(label: &'static str, name: &str, shrink: bool, n: u64, m: u64, seed: u64) -> Res<Run> {
    let mut map: Box<dyn LabMap<u64>> = make(name)?;
    let every = ((n + n + m) / SAMPLES).max(1);
    let mut op = 0usize;
    let mut bytes = Vec::new();
    let mut sample = |map: &dyn LabMap<u64>, op: usize, force: bool| {
        if force || op as u64 % every == 0 {
            bytes.push((op, map.table_bytes().unwrap_or(0)));
        }
    };
    for i in 0..n {
        map.insert(key(seed, i), i);
        op += 1;
        sample(&*map, op, false);
    }
    let mut latencies = LatencyLog::new(SLOW_NS);
    let removals_start = op;
    for i in (0..n).filter(|i| i % KEEP_EVERY != 0) {
        let start = Instant::now();
        map.remove(&key(seed, i));
        latencies.record(start.elapsed().as_nanos() as u64);
        op += 1;
        sample(&*map, op, false);
    }
    let removals = (removals_start, op);
    sample(&*map, op, true);
    let after_removals = map.table_bytes().unwrap_or(0);
    let shrink_call_ns = shrink.then(|| {
        let start = Instant::now();
        map.shrink_to_fit();
        let ns = start.elapsed().as_nanos() as u64;
        latencies.record(ns);
        sample(&*map, op, true);
        ns
    });
    let kept = n / KEEP_EVERY;
    let steady = Instant::now();
    for j in 0..m {
        // Insert a new key, remove the oldest, read a live one.
        let read = live_key(seed, n, j + 1 + (key(seed ^ 1, j) % kept.max(1)));
        let start = Instant::now();
        map.insert(key(seed, n + j), j);
        map.remove(&live_key(seed, n, j));
        let found = map.get(&read).is_some();
        latencies.record(start.elapsed().as_nanos() as u64);
        if !found {
            return Err(format!("{label}: a steady-phase read missed").into());
        }
        op += 1;
        sample(&*map, op, false);
    }
    let steady_ns = steady.elapsed().as_nanos() as f64 / m.max(1) as f64;
    sample(&*map, op, true);
    if map.len() as u64 != kept {
        return Err(format!("{label}: the steady phase changed the size").into());
    }
    let peak = bytes.iter().map(|b| b.1).max().unwrap_or(0);
    Ok(Run {
        label,
        peak,
        after_removals,
        end: map.table_bytes().unwrap_or(0),
        bytes,
        latencies,
        shrink_call_ns,
        steady_ns,
        shrinks: map.stats().map(|s| s.shrinks_completed),
        removals,
    })
}

/// Runs the experiment.
///
/// # Errors
///
/// Output errors, or a map that lost keys.
pub fn run(n: u64, m: u64, seed: u64, out: &Path) -> Res<()> {
    out_dir(out)?;
    let floor = timer_floor((n + m) as usize);
    let mut runs = Vec::new();
    for (label, name, shrink) in RUNS {
        eprintln!(
            "drain: {label}: fill {n}, remove {}, then {m} insert+remove+read",
            n - n / KEEP_EVERY
        );
        runs.push(run_one(label, name, shrink, n, m, seed)?);
    }
    let brown = runs
        .iter()
        .find(|r| r.label.starts_with("hashbrown"))
        .map_or(1.0, |r| r.steady_ns);
    let mib = |b: u64| format!("{:.2}", b as f64 / (1 << 20) as f64);
    let mut table = Table::new(&[
        "map",
        "peak_MiB",
        "after_removals_MiB",
        "end_MiB",
        "end/peak",
        "shrinks",
        "shrink_call_ns",
        "p99.99_ns",
        "max_ns",
        "max/floor_max",
        "steady_ns_per_op",
        "steady_vs_hb",
    ]);
    for r in &runs {
        let s = &r.latencies;
        table.push(vec![
            r.label.into(),
            mib(r.peak),
            mib(r.after_removals),
            mib(r.end),
            format!("{:.3}", r.end as f64 / r.peak.max(1) as f64),
            r.shrinks.map_or("-".into(), |s| s.to_string()),
            r.shrink_call_ns.map_or("-".into(), |ns| ns.to_string()),
            s.quantile(0.9999).to_string(),
            s.max_ns.to_string(),
            format!("{:.1}", s.max_ns as f64 / floor.max_ns.max(1) as f64),
            format!("{:.1}", r.steady_ns),
            format!("{:.2}", r.steady_ns / brown),
        ]);
    }
    let mut floor_row = vec!["-".to_string(); table.header.len()];
    floor_row[0] = "timer floor".into();
    floor_row[7] = floor.quantile(0.9999).to_string();
    floor_row[8] = floor.max_ns.to_string();
    table.push(floor_row);
    table.print();
    table.write_csv(&out.join("drain_summary.csv"))?;

    let mut csv = Vec::new();
    for r in &runs {
        csv.extend(
            r.bytes
                .iter()
                .map(|(op, b)| vec![r.label.to_string(), op.to_string(), b.to_string()]),
        );
    }
    crate::report::write_csv(
        &out.join("drain.csv"),
        &["map", "op", "table_bytes"].map(String::from),
        &csv,
    )?;
    let series: Vec<Series> = runs
        .iter()
        .map(|r| {
            Series::new(
                r.label,
                r.bytes.iter().map(|&(op, b)| (op as f64, b as f64)),
            )
        })
        .collect();
    let (r0, r1) = runs[0].removals;
    let last = runs[0].bytes.last().map_or(0.0, |b| b.0 as f64);
    plot_lines(
        &out.join("drain.svg"),
        &LinePlot {
            title: &format!(
                "Table memory: fill {}, remove 95%, then {} insert+remove+read operations",
                fmt_count(n as f64),
                fmt_count(m as f64)
            ),
            x_label: "operations",
            x_unit: Unit::Count,
            y_label: "bytes held by the table",
            y_unit: Unit::Bytes,
            log_y: false,
            phases: vec![
                Phase {
                    label: "fill".into(),
                    x: 0.0..r0 as f64,
                },
                Phase {
                    label: "delete burst".into(),
                    x: r0 as f64..r1 as f64,
                },
                Phase {
                    label: "steady".into(),
                    x: r1 as f64..last,
                },
            ],
            marks: None,
            points_only: false,
        },
        &series,
    )?;
    println!(
        "\noutput: {} (drain_summary.csv, drain.csv, drain.svg)",
        out.display()
    );
    Ok(())
}
