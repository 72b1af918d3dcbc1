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

use crate::Res;
use crate::keys::key;
use crate::maps::registry::{self, Class, Experiment, MapSpec};
use crate::maps::{LabMap, make};
use crate::output::charts::{LinePlot, Phase, Series, plot_lines};
use crate::output::{Shown, Table, Unit, fmt_count, out_dir, read_csv};
use crate::run::child::{SLOW_NS, timer_floor};
use crate::stats::LatencyLog;

/// One key in `KEEP_EVERY` survives the removal phase (5%).
const KEEP_EVERY: u64 = 20;
/// Memory samples per run.
const SAMPLES: u64 = 600;

/// The runs of one registered map: (label, whether `shrink_to_fit` is
/// called after the removals). Go's policy runs without and with the
/// call; automatic shrinking needs no call; the other maps only shrink
/// when asked.
fn runs_for(m: &MapSpec) -> Vec<(String, bool)> {
    match (m.kind.class(), m.name) {
        (Class::Evacmap, "evacmap/auto_shrink") => vec![(m.name.into(), false)],
        (Class::Evacmap, _) => vec![
            (m.name.into(), false),
            (format!("{}+shrink_to_fit", m.name), true),
        ],
        _ => vec![(format!("{}+shrink_to_fit", m.name), true)],
    }
}

/// One run's measurements.
struct Run {
    label: String,
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

fn run_one(label: String, name: &str, shrink: bool, n: u64, m: u64, seed: u64) -> Res<Run> {
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
    for spec in registry::maps_in(Experiment::Drain, &crate::maps::go::GoPeers::none()) {
        for (label, shrink) in runs_for(spec) {
            eprintln!(
                "drain: {label}: fill {n}, remove {}, then {m} insert+remove+read",
                n - n / KEEP_EVERY
            );
            runs.push(run_one(label, spec.name, shrink, n, m, seed)?);
        }
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
            r.label.clone(),
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
    table
        .view(&[
            ("map", "map", Shown::Text),
            ("peak_MiB", "peak", Shown::MiB),
            ("after_removals_MiB", "after removals", Shown::MiB),
            ("end_MiB", "end", Shown::MiB),
            ("shrinks", "shrinks", Shown::Text),
            ("shrink_call_ns", "shrink call", Shown::Ns),
            ("p99.99_ns", "p99.99", Shown::Ns),
            ("max_ns", "max", Shown::Ns),
            ("steady_ns_per_op", "steady op", Shown::Ns),
            ("steady_vs_hb", "×hb", Shown::Text),
        ])
        .print();
    table.write_csv(&out.join("drain_summary.csv"))?;

    let mut csv = Vec::new();
    for r in &runs {
        csv.extend(
            r.bytes
                .iter()
                .map(|(op, b)| vec![r.label.to_string(), op.to_string(), b.to_string()]),
        );
    }
    crate::output::write_csv(
        &out.join("drain.csv"),
        &["map", "op", "table_bytes"].map(String::from),
        &csv,
    )?;
    let (r0, r1) = runs[0].removals;
    crate::output::write_csv(
        &out.join("drain_info.csv"),
        &["keys", "ops", "removals_start", "removals_end"].map(String::from),
        &[vec![
            n.to_string(),
            m.to_string(),
            r0.to_string(),
            r1.to_string(),
        ]],
    )?;
    plot(out)?;
    crate::say!(
        "\noutput: {} (drain_summary.csv, drain.csv, drain.svg)",
        out.display()
    );
    Ok(())
}

/// Draws `drain.svg` from the CSV files in `out`.
///
/// # Errors
///
/// Missing or malformed CSV files, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let info = read_csv(&out.join("drain_info.csv"))?;
    let v: Vec<f64> = info.rows[0]
        .iter()
        .map(|c| c.parse())
        .collect::<Result<_, _>>()?;
    let (n, m, r0, r1) = (v[0], v[1], v[2], v[3]);
    let t = read_csv(&out.join("drain.csv"))?;
    let mut series: Vec<Series> = Vec::new();
    let mut last = 0.0f64;
    for r in &t.rows {
        let pt: (f64, f64) = (r[1].parse()?, r[2].parse()?);
        last = last.max(pt.0);
        match series.iter_mut().find(|s| s.name == r[0]) {
            Some(s) => s.points.push((pt.0, Some(pt.1))),
            None => series.push(Series::new(r[0].clone(), [pt])),
        }
    }
    plot_lines(
        &out.join("drain.svg"),
        &LinePlot {
            title: &format!(
                "Table memory: fill {}, remove 95%, then {} insert+remove+read operations",
                fmt_count(n),
                fmt_count(m)
            ),
            x_label: "operations",
            x_unit: Unit::Count,
            y_label: "bytes held by the table",
            y_unit: Unit::Bytes,
            log_y: false,
            phases: vec![
                Phase {
                    label: "fill".into(),
                    x: 0.0..r0,
                },
                Phase {
                    label: "delete burst".into(),
                    x: r0..r1,
                },
                Phase {
                    label: "steady".into(),
                    x: r1..last,
                },
            ],
            marks: None,
            points_only: false,
        },
        &series,
    )
}
