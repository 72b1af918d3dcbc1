//! The workload behind `lab/scripts/stats-overhead`: what the always-on counters
//! cost. Inserts N random `u64` keys into a new map (no reserve), then looks
//! up N present and N absent keys, timing each phase. The script runs it in
//! a build with the `stats` feature (default) and one without, under
//! callgrind (instruction counts per phase) and natively (time per phase).
//!
//! Run: `cargo run --release -p evacmap-lab --bin overhead [N]` (default 1,000,000).
//! Prints one line: `insert_ns_per_op hit_ns_per_op miss_ns_per_op`.

use std::hint::black_box;
use std::time::Instant;

use evacmap::EvacMap;
use evacmap_lab::keys::{Hasher, hasher, n_from_args, random_keys};

type Map = EvacMap<u64, u64, Hasher>;

#[inline(never)]
fn insert_phase(keys: &[u64]) -> Map {
    let mut map = EvacMap::with_hasher(hasher());
    for &k in keys {
        map.insert(k, k);
    }
    map
}

#[inline(never)]
fn lookup_phase(map: &Map, keys: &[u64]) -> usize {
    keys.iter().filter(|&k| map.get(k).is_some()).count()
}

fn main() {
    let n = n_from_args("overhead", 1_000_000);
    let present = random_keys(n, 1);
    let absent = random_keys(n, 2);
    let ns = |start: Instant| start.elapsed().as_nanos() as f64 / n as f64;

    let t = Instant::now();
    let map = black_box(insert_phase(&present));
    let insert = ns(t);
    let t = Instant::now();
    let hits = black_box(lookup_phase(&map, &present));
    let hit = ns(t);
    let t = Instant::now();
    let misses = black_box(lookup_phase(&map, &absent));
    let miss = ns(t);
    assert_eq!(hits, n);
    assert!(misses < n / 1000 + 1, "absent keys found: {misses}");
    println!("{insert:.2} {hit:.2} {miss:.2}");
}
