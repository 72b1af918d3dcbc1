//! The slowest inserts of one evacmap run, with the instant each ended, for
//! `scripts/slow-inserts`, which matches them with `perf` samples to tell
//! time the thread spent running (and where) from time it was not running
//! at all.
//!
//! Inserts N keys of `lab`'s key stream (seed 1) into a new evacmap (Go's
//! policy, the lab's `ahash` seeds), timing each insert, and prints one
//! line per insert slower than THRESHOLD µs:
//! `SLOW <end, CLOCK_MONOTONIC seconds> <ns> <len after> <growing before>`.
//!
//! Run: `cargo run --release --example slow_inserts [N] [THRESHOLD_US]`
//! (defaults 10,000,000 and 500). Linux only (the clock).
#![cfg_attr(target_os = "linux", allow(unsafe_code))]

use std::time::Instant;

use evacmap::{DefaultHashBuilder, EvacMap};

/// `lab`'s key number `i` of the stream with this seed (`lab/src/maps.rs`).
fn key(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_add(i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `CLOCK_MONOTONIC` in seconds: the clock `perf record -k CLOCK_MONOTONIC`
/// stamps its samples with.
#[cfg(target_os = "linux")]
fn monotonic_s() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes a `timespec` into the pointer it is
    // given, which points at one.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    assert_eq!(r, 0, "clock_gettime(CLOCK_MONOTONIC)");
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

#[cfg(not(target_os = "linux"))]
fn monotonic_s() -> f64 {
    eprintln!("slow_inserts: Linux only");
    std::process::exit(2);
}

fn arg(i: usize, default: u64) -> u64 {
    std::env::args()
        .nth(i)
        .map_or(default, |a| a.replace('_', "").parse().expect("a number"))
}

fn main() {
    let n = arg(1, 10_000_000);
    let threshold_ns = arg(2, 500) * 1000;
    let keys: Vec<u64> = (0..n).map(|i| key(1, i)).collect();
    let mut map = EvacMap::<u64, u64, _>::with_hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4));
    let mut slow = Vec::new();
    for &k in &keys {
        let growing = map.is_growing();
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
