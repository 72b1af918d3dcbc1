//! `lab churn`: steady-state churn at constant size. Fill to N, then M
//! operations that each insert a new key and remove the oldest one, so
//! `len` stays N. Per map: ns per operation. For evacmap: overflow buckets,
//! same-size growths and bucket memory, sampled over the operations (Go's
//! known weakness: deletes never free overflow buckets, and only a same-size
//! growth compacts them).

use std::error::Error;
use std::fs;
use std::path::Path;
use std::time::Instant;

use crate::maps::{NAMES, key, make};
use crate::report::{plot_linear, print_table, write_csv};

const SEED: u64 = 5;
const SAMPLES: u64 = 200;

pub(crate) fn run(n: u64, m: u64, out: &Path) -> Result<Vec<(&'static str, f64)>, Box<dyn Error>> {
    fs::create_dir_all(out)?;
    let mut rows = vec![
        [
            "map",
            "ns_per_op",
            "vs_hashbrown",
            "overflow_buckets",
            "same_size_growths",
            "growths",
            "shrinks",
            "bytes_allocated",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut csv = vec![
        "map,op,overflow_buckets,same_size_growths,bytes_allocated"
            .split(',')
            .map(String::from)
            .collect(),
    ];
    let mut series = Vec::new();
    let mut speeds = Vec::new();
    let mut ends = Vec::new();
    // Plus automatic shrinking, which must not fire at a constant size.
    for name in NAMES.into_iter().chain(["evacmap/auto_shrink"]) {
        eprintln!("churn: {name}: fill {n}, then {m} insert+remove pairs");
        let mut map = make(name);
        for i in 0..n {
            map.insert(key(SEED, i), i);
        }
        let every = (m / SAMPLES).max(1);
        let mut points = Vec::new();
        let mut timed_ns = 0u128;
        let mut j = 0;
        while j < m {
            let chunk = every.min(m - j);
            let start = Instant::now();
            for op in j..j + chunk {
                map.insert(key(SEED, n + op), op);
                map.remove(key(SEED, op));
            }
            timed_ns += start.elapsed().as_nanos();
            j += chunk;
            if let Some(s) = map.stats() {
                csv.push(vec![
                    name.into(),
                    j.to_string(),
                    s.overflow_buckets.to_string(),
                    s.same_size_growths.to_string(),
                    s.bytes_allocated.to_string(),
                ]);
                points.push((j as usize, s.overflow_buckets));
            }
        }
        assert_eq!(map.len() as u64, n, "churn keeps the size constant");
        if !points.is_empty() {
            series.push((name.to_string(), points));
        }
        speeds.push((name, timed_ns as f64 / m.max(1) as f64));
        ends.push(map.stats());
    }
    let brown = speeds
        .iter()
        .find(|s| s.0 == "hashbrown")
        .map_or(1.0, |s| s.1);
    for (&(name, ns), end) in speeds.iter().zip(&ends) {
        let field =
            |f: fn(&evacmap::Stats) -> u64| end.as_ref().map_or("-".into(), |s| f(s).to_string());
        rows.push(vec![
            name.into(),
            format!("{ns:.1}"),
            format!("{:.2}", ns / brown),
            field(|s| s.overflow_buckets),
            field(|s| s.same_size_growths),
            field(|s| s.growths),
            field(|s| s.shrinks),
            field(|s| s.bytes_allocated),
        ]);
    }
    print_table(&rows);
    write_csv(&out.join("churn_summary.csv"), &rows)?;
    write_csv(&out.join("churn.csv"), &csv)?;
    plot_linear(
        &out.join("churn.svg"),
        "Overflow buckets during churn at constant size",
        "operations",
        "overflow buckets",
        &series,
    )?;
    println!(
        "\noutput: {} (churn_summary.csv, churn.csv, churn.svg)",
        out.display()
    );
    Ok(speeds)
}
