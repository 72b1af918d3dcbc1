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

use std::error::Error;
use std::fs;
use std::path::Path;
use std::time::Instant;

use crate::maps::{LabMap, key, make};
use crate::pause::timer_floor;
use crate::report::{Summary, plot_linear, print_table, write_csv};

const SEED: u64 = 11;
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
    latencies: Vec<u64>,
    shrink_call_ns: Option<u64>,
    steady_ns: f64,
    shrinks: Option<u64>,
}

/// The live keys of the steady phase, oldest first: the survivors (every
/// `KEEP_EVERY`-th key of the fill), then the keys inserted since.
fn live_key(n: u64, position: u64) -> u64 {
    let kept = n / KEEP_EVERY;
    if position < kept {
        key(SEED, position * KEEP_EVERY)
    } else {
        key(SEED, n + position - kept)
    }
}

fn run_one(label: &'static str, name: &str, shrink: bool, n: u64, m: u64) -> Run {
    let mut map: Box<dyn LabMap> = make(name);
    let every = ((n + n + m) / SAMPLES).max(1);
    let mut op = 0usize;
    let mut bytes = Vec::new();
    let mut sample = |map: &dyn LabMap, op: usize, force: bool| {
        if force || op as u64 % every == 0 {
            bytes.push((op, map.table_bytes().unwrap_or(0)));
        }
    };
    for i in 0..n {
        map.insert(key(SEED, i), i);
        op += 1;
        sample(&*map, op, false);
    }
    let mut latencies = Vec::with_capacity((n + m) as usize);
    for i in (0..n).filter(|i| i % KEEP_EVERY != 0) {
        let start = Instant::now();
        map.remove(key(SEED, i));
        latencies.push(start.elapsed().as_nanos() as u64);
        op += 1;
        sample(&*map, op, false);
    }
    sample(&*map, op, true);
    let after_removals = map.table_bytes().unwrap_or(0);
    let shrink_call_ns = shrink.then(|| {
        let start = Instant::now();
        map.shrink_to_fit();
        let ns = start.elapsed().as_nanos() as u64;
        latencies.push(ns);
        sample(&*map, op, true);
        ns
    });
    let kept = n / KEEP_EVERY;
    let steady = Instant::now();
    for j in 0..m {
        // Insert a new key, remove the oldest, read a live one.
        let read = live_key(n, j + 1 + (key(SEED ^ 1, j) % kept.max(1)));
        let start = Instant::now();
        map.insert(key(SEED, n + j), j);
        map.remove(live_key(n, j));
        let found = map.get(read);
        latencies.push(start.elapsed().as_nanos() as u64);
        assert!(found, "steady-phase reads hit");
        op += 1;
        sample(&*map, op, false);
    }
    let steady_ns = steady.elapsed().as_nanos() as f64 / m.max(1) as f64;
    sample(&*map, op, true);
    assert_eq!(map.len() as u64, kept, "the steady phase keeps the size");
    let peak = bytes.iter().map(|b| b.1).max().unwrap_or(0);
    Run {
        label,
        peak,
        after_removals,
        end: map.table_bytes().unwrap_or(0),
        bytes,
        latencies,
        shrink_call_ns,
        steady_ns,
        shrinks: map.stats().map(|s| s.shrinks_completed),
    }
}

pub(crate) fn run(n: u64, m: u64, out: &Path) -> Result<(), Box<dyn Error>> {
    fs::create_dir_all(out)?;
    let floor = Summary::of(&timer_floor((n + m) as usize));
    let mut runs = Vec::new();
    for (label, name, shrink) in RUNS {
        eprintln!(
            "drain: {label}: fill {n}, remove {}, then {m} insert+remove+read",
            n - n / KEEP_EVERY
        );
        runs.push(run_one(label, name, shrink, n, m));
    }
    let brown = runs
        .iter()
        .find(|r| r.label.starts_with("hashbrown"))
        .map_or(1.0, |r| r.steady_ns);
    let mib = |b: u64| format!("{:.2}", b as f64 / (1 << 20) as f64);
    let mut rows = vec![
        [
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
        ]
        .map(String::from)
        .to_vec(),
    ];
    for r in &runs {
        let s = Summary::of(&r.latencies);
        rows.push(vec![
            r.label.into(),
            mib(r.peak),
            mib(r.after_removals),
            mib(r.end),
            format!("{:.3}", r.end as f64 / r.peak.max(1) as f64),
            r.shrinks.map_or("-".into(), |s| s.to_string()),
            r.shrink_call_ns.map_or("-".into(), |ns| ns.to_string()),
            s.p9999.to_string(),
            s.max.to_string(),
            format!("{:.1}", s.max as f64 / floor.max.max(1) as f64),
            format!("{:.1}", r.steady_ns),
            format!("{:.2}", r.steady_ns / brown),
        ]);
    }
    let mut floor_row = vec!["-".to_string(); rows[0].len()];
    floor_row[0] = "timer floor".into();
    floor_row[7] = floor.p9999.to_string();
    floor_row[8] = floor.max.to_string();
    rows.push(floor_row);
    print_table(&rows);
    write_csv(&out.join("drain_summary.csv"), &rows)?;

    let mut csv = vec!["map,op,table_bytes".split(',').map(String::from).collect()];
    for r in &runs {
        csv.extend(
            r.bytes
                .iter()
                .map(|(op, b)| vec![r.label.to_string(), op.to_string(), b.to_string()]),
        );
    }
    write_csv(&out.join("drain.csv"), &csv)?;
    let series: Vec<(String, Vec<(usize, u64)>)> = runs
        .iter()
        .map(|r| {
            let kib = r.bytes.iter().map(|&(op, b)| (op, b >> 10)).collect();
            (r.label.to_string(), kib)
        })
        .collect();
    plot_linear(
        &out.join("drain.svg"),
        &format!("Table memory: fill {n}, remove 95%, then {m} insert+remove+read operations"),
        "operations (fill, removals, steady)",
        "KiB held by the table",
        &series,
    )?;
    println!(
        "\noutput: {} (drain_summary.csv, drain.csv, drain.svg)",
        out.display()
    );
    Ok(())
}
