//! The slowest inserts of one evacmap run, with the instant each ended, for
//! `lab/scripts/slow-inserts`, which matches them with `perf` samples to tell
//! time the thread spent running (and where) from time it was not running
//! at all.
//!
//! Inserts N keys of `lab`'s key stream (seed 1) into a new evacmap (Go's
//! policy, the lab's `ahash` seeds), timing each insert, and prints one
//! line per insert slower than THRESHOLD µs:
//! `SLOW <end, CLOCK_MONOTONIC seconds> <ns> <len after> <growing before>`.
//!
//! Run: `cargo run --release -p evacmap-lab --bin slow_inserts [N] [THRESHOLD_US]`
//! (defaults 10,000,000 and 500). Linux only (the clock).
use std::time::Instant;

use evacmap::EvacMap;
use evacmap_lab::keys::{hasher, random_keys};

/// `CLOCK_MONOTONIC` in seconds: the clock `perf record -k CLOCK_MONOTONIC`
/// stamps its samples with.
#[cfg(unix)]
fn monotonic_s() -> f64 {
    let ts = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
        .expect("clock_gettime(CLOCK_MONOTONIC)");
    ts.tv_sec() as f64 + ts.tv_nsec() as f64 * 1e-9
}

#[cfg(not(unix))]
fn monotonic_s() -> f64 {
    eprintln!("slow_inserts: Linux only");
    std::process::exit(2);
}

fn arg(i: usize, default: u64) -> u64 {
    std::env::args().nth(i).map_or(default, |a| {
        a.replace('_', "").parse().unwrap_or_else(|_| {
            eprintln!("usage: slow_inserts [N] [THRESHOLD_US]   (numbers; defaults 10000000 500)");
            std::process::exit(2);
        })
    })
}

fn main() {
    let n = arg(1, 10_000_000);
    let threshold_ns = arg(2, 500) * 1000;
    let keys = random_keys(n as usize, 1);
    let mut map = EvacMap::<u64, u64, _>::with_hasher(hasher());
    let mut slow = Vec::new();
    for &k in &keys {
        let growing = map.is_evacuating();
        let t = Instant::now();
        map.insert(k, k);
        let ns = t.elapsed().as_nanos() as u64;
        if ns > threshold_ns {
            slow.push((monotonic_s(), ns, map.len(), growing));
        }
    }
    for (end, ns, len, growing) in slow {
        println!("SLOW {end:.9} {ns} {len} {growing}");
    }
}
