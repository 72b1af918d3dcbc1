//! `lab residency`: how long, and how much memory, old buckets stay held
//! after a burst of writes, and what a bounded background step changes.
//!
//! Three phases on two identical evacmap maps (Go's policy):
//! 1. **burst**: insert N random keys, continuing until a growth is in
//!    progress (so there are old buckets to hold);
//! 2. **reads**: 2N lookups of present keys, no writes;
//! 3. **idle**: 50 ticks of 1 ms.
//!
//! "go" only does the above, like a Go map: nothing moves old buckets
//! without writes. "go+tick" is the same map that also calls
//! `evacuate_for(1 ms)` every `TICK_EVERY` reads and on each idle tick.
//! Samples of `old_bytes_held`, old buckets still to evacuate and reads that
//! had to consult old buckets are taken every `SAMPLE_EVERY` operations.

use std::error::Error;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use evacmap::{EvacMap, Policy};

use crate::maps::{Hasher, hasher, random_keys};
use crate::report::{plot_linear, write_csv};

const SAMPLE_EVERY: usize = 1000;
const TICK_EVERY: usize = 10_000;
const IDLE_TICKS: usize = 50;
const TICK: Duration = Duration::from_millis(1);

/// One sample of a map's residency state.
struct Sample {
    phase: &'static str,
    op: usize,
    micros: u64,
    old_bytes_held: u64,
    old_buckets_pending: u64,
    lookups_in_old: u64,
}

fn sample(
    map: &EvacMap<u64, u64, Hasher>,
    phase: &'static str,
    op: usize,
    start: Instant,
) -> Sample {
    let s = map.stats();
    Sample {
        phase,
        op,
        micros: start.elapsed().as_micros() as u64,
        old_bytes_held: s.old_bytes_held,
        old_buckets_pending: s.old_bucket_count - s.old_buckets_evacuated,
        lookups_in_old: s.lookups_in_old_buckets,
    }
}

/// Runs the three phases; `tick` decides whether the map gets
/// `evacuate_for` steps.
fn scenario(keys: &[u64], reads: &[u64], tick: bool) -> (Vec<Sample>, usize) {
    let mut map: EvacMap<u64, u64, Hasher> =
        EvacMap::with_policy_and_hasher(Policy::go(), hasher());
    let start = Instant::now();
    let mut samples = Vec::new();
    let mut op = 0;
    let mut burst = 0;
    while burst < keys.len() || !map.is_growing() {
        let k = keys
            .get(burst)
            .copied()
            .unwrap_or(burst as u64 ^ 0xDEAD_BEEF);
        map.insert(k, k);
        burst += 1;
        op += 1;
        if op % SAMPLE_EVERY == 0 {
            samples.push(sample(&map, "burst", op, start));
        }
    }
    samples.push(sample(&map, "burst", op, start));
    for (i, k) in reads.iter().enumerate() {
        std::hint::black_box(map.get(k));
        op += 1;
        if tick && i % TICK_EVERY == 0 {
            map.evacuate_for(TICK);
        }
        if op % SAMPLE_EVERY == 0 {
            samples.push(sample(&map, "reads", op, start));
        }
    }
    samples.push(sample(&map, "reads", op, start));
    for _ in 0..IDLE_TICKS {
        if tick {
            map.evacuate_for(TICK);
        } else {
            std::thread::sleep(TICK);
        }
        op += 1;
        samples.push(sample(&map, "idle", op, start));
    }
    (samples, burst)
}

pub(crate) fn run(n: usize, out: &Path) -> Result<(), Box<dyn Error>> {
    fs::create_dir_all(out)?;
    let keys = random_keys(n, 1);
    // Reads cycle over the keys inserted (all present).
    let reads: Vec<u64> = (0..2 * n).map(|i| keys[(i * 7919) % n]).collect();
    let mut rows = vec![
        "map,phase,op,micros,old_bytes_held,old_buckets_pending,lookups_in_old"
            .split(',')
            .map(String::from)
            .collect(),
    ];
    let mut series = Vec::new();
    println!(
        "{:<8} {:>9} {:>14} {:>14} {:>14} {:>16}",
        "map", "burst", "phase end", "old bytes", "old pending", "reads in old"
    );
    for (name, tick) in [("go", false), ("go+tick", true)] {
        eprintln!("residency: {name}");
        let (samples, burst) = scenario(&keys, &reads, tick);
        for phase in ["burst", "reads", "idle"] {
            if let Some(s) = samples.iter().rev().find(|s| s.phase == phase) {
                println!(
                    "{name:<8} {burst:>9} {:>14} {:>14} {:>14} {:>16}",
                    format!("{phase} ({} ms)", s.micros / 1000),
                    s.old_bytes_held,
                    s.old_buckets_pending,
                    s.lookups_in_old
                );
            }
        }
        rows.extend(samples.iter().map(|s| {
            vec![
                name.to_string(),
                s.phase.to_string(),
                s.op.to_string(),
                s.micros.to_string(),
                s.old_bytes_held.to_string(),
                s.old_buckets_pending.to_string(),
                s.lookups_in_old.to_string(),
            ]
        }));
        series.push((
            name.to_string(),
            samples
                .iter()
                .map(|s| (s.micros as usize, s.old_bytes_held))
                .collect(),
        ));
    }
    write_csv(&out.join("residency.csv"), &rows)?;
    plot_linear(
        &out.join("residency.svg"),
        "Bytes held by old buckets over time",
        "µs since start",
        "bytes",
        &series,
    )?;
    println!("\noutput: {} (residency.csv, residency.svg)", out.display());
    Ok(())
}
