//! `lab pause`: the latency of every single insert, per map.
//!
//! Each map gets the same N random keys, inserted into a new map (no
//! reserve), each insert timed with a pair of `Instant::now()` calls. The
//! timer's own cost is measured in the same run (N empty pairs), because on a
//! shared machine a maximum means something only relative to the largest
//! delay an empty pair sees. evacmap's pause sources come from a second
//! evacmap run with its own timing on (`Policy::with_timing`), so that the
//! latencies above are not inflated by it.

use std::error::Error;
use std::fs;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use evacmap::{EvacMap, Policy};

use crate::maps::{FAST_CURSOR, LabMap, NAMES, hasher, make, random_keys};

pub(crate) use crate::report::print_table;
use crate::report::{Summary, plot_log_y, window_max, write_csv};

/// Points per plotted series (each the maximum of its window of inserts).
const PLOT_WINDOWS: usize = 2000;

/// One map's results.
#[derive(Clone, Debug)]
pub(crate) struct MapResult {
    pub(crate) name: &'static str,
    /// Latency of each insert, in order.
    pub(crate) latencies: Vec<u64>,
    /// Mean ns per lookup of all inserted keys, after the inserts.
    pub(crate) lookup_ns: f64,
}

impl MapResult {
    /// Mean ns per insert (sum of the timed inserts).
    pub(crate) fn insert_ns(&self) -> f64 {
        self.latencies.iter().sum::<u64>() as f64 / self.latencies.len() as f64
    }
}

fn time_map(name: &'static str, keys: &[u64]) -> MapResult {
    let mut map: Box<dyn LabMap> = make(name);
    let mut latencies = Vec::with_capacity(keys.len());
    for &k in keys {
        let start = Instant::now();
        map.insert(k, k);
        latencies.push(start.elapsed().as_nanos() as u64);
    }
    assert_eq!(map.len(), keys.len(), "keys were not distinct");
    let start = Instant::now();
    let found = keys.iter().filter(|&&k| map.get(k)).count();
    let lookup_ns = start.elapsed().as_nanos() as f64 / keys.len() as f64;
    assert_eq!(found, keys.len());
    drop(map); // outside the timed regions
    MapResult {
        name,
        latencies,
        lookup_ns,
    }
}

/// `n` timings of an empty `Instant` pair: the timer's noise floor.
pub(crate) fn timer_floor(n: usize) -> Vec<u64> {
    (0..n)
        .map(|_| {
            let start = black_box(Instant::now());
            start.elapsed().as_nanos() as u64
        })
        .collect()
}

pub(crate) fn run(n: usize, out: &Path) -> Result<Vec<MapResult>, Box<dyn Error>> {
    fs::create_dir_all(out)?;
    let keys = random_keys(n, 1);
    eprintln!("pause: timer noise floor ({n} empty Instant pairs)");
    let floor = Summary::of(&timer_floor(n));
    let mut runs = Vec::new();
    for name in NAMES.into_iter().chain([FAST_CURSOR]) {
        eprintln!("pause: {name}: timing {n} inserts");
        runs.push(time_map(name, &keys));
    }
    eprintln!("pause: evacmap with its own timing on (pause sources)");
    let mut timed = EvacMap::with_policy_and_hasher(Policy::go().with_timing(true), hasher());
    let start = Instant::now();
    for &k in &keys {
        timed.insert(k, k);
    }
    let total_ns = start.elapsed().as_nanos().max(1) as f64;
    let t = timed.timing().expect("timing is on");

    let header = [
        "map",
        "p50_ns",
        "p99_ns",
        "p99.9_ns",
        "p99.99_ns",
        "max_ns",
        "len_at_max",
        "max/floor_max",
    ];
    let mut rows = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut row = |name: &str, s: &Summary, len_at_max: String| {
        rows.push(vec![
            name.to_string(),
            s.p50.to_string(),
            s.p99.to_string(),
            s.p999.to_string(),
            s.p9999.to_string(),
            s.max.to_string(),
            len_at_max,
            format!("{:.1}", s.max as f64 / floor.max.max(1) as f64),
        ]);
    };
    for r in &runs {
        let s = Summary::of(&r.latencies);
        row(r.name, &s, s.argmax.to_string());
    }
    row("timer floor", &floor, "-".into());
    print_table(&rows);
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

    write_csv(&out.join("pause_summary.csv"), &rows)?;
    let series: Vec<(String, Vec<(usize, u64)>)> = runs
        .iter()
        .map(|r| (r.name.to_string(), window_max(&r.latencies, PLOT_WINDOWS)))
        .collect();
    let mut csv = vec![vec![
        "map".to_string(),
        "len".to_string(),
        "max_ns_in_window".to_string(),
    ]];
    for (name, points) in &series {
        csv.extend(
            points
                .iter()
                .map(|(x, y)| vec![name.clone(), x.to_string(), y.to_string()]),
        );
    }
    write_csv(&out.join("pause_series.csv"), &csv)?;
    plot_log_y(
        &out.join("pause.svg"),
        &format!(
            "Insert latency, {n} random u64 keys (max per {} inserts)",
            n.div_ceil(PLOT_WINDOWS)
        ),
        "len (entries before the insert)",
        "ns (log)",
        &series,
    )?;
    println!(
        "\noutput: {} (pause_summary.csv, pause_series.csv, pause.svg)",
        out.display()
    );
    Ok(runs)
}
