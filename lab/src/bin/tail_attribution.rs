//! Where the insert tail (p99.99) comes from on this machine: counts the
//! operations that took more than 20 µs, and compares their rate with what
//! a machine that stalls at random instants would give.
//!
//! One loop inserts N random keys into evacmap and into hashbrown, side by
//! side, timing each insert. evacmap's inserts are split into those made
//! while a growth was in progress (they evacuate old buckets and give pages
//! back) and the rest; hashbrown's into resizes and the rest. A third
//! series times a 1 µs busy wait: its stall rate is the machine's rate of
//! interruptions longer than 20 µs per second of running time, `λ`. If the
//! map's tail is the machine's, each series' rate of > 20 µs operations is
//! about `λ × mean time per operation`, and the table shows both.
//!
//! On Linux the growth-time series is split once more: stalls in writes
//! that took a page fault (`getrusage` minor faults, read around the timed
//! insert) and the rest.
//!
//! Run: `cargo run --release -p evacmap-lab --bin tail_attribution [N]` (default
//! 1,000,000).

use std::hint::black_box;
use std::time::{Duration, Instant};

use evacmap::EvacMap;
use evacmap_lab::keys::{hasher, n_from_args, random_keys};

/// What counts as a stall.
const STALL_NS: u64 = 20_000;

/// Operations of one kind: how many, their total time, and how many stalled.
#[derive(Default)]
struct Series {
    ops: u64,
    total_ns: u64,
    stalls: u64,
}

impl Series {
    fn record(&mut self, ns: u64) {
        self.ops += 1;
        self.total_ns += ns;
        self.stalls += u64::from(ns > STALL_NS);
    }
    fn mean_ns(&self) -> f64 {
        self.total_ns as f64 / self.ops.max(1) as f64
    }
    fn rate(&self) -> f64 {
        self.stalls as f64 / self.ops.max(1) as f64
    }
}

/// Minor page faults of this thread so far (Linux; 0 elsewhere).
/// Minor page faults of this thread so far (0 where unknown).
fn minor_faults() -> i64 {
    #[cfg(target_os = "linux")]
    {
        nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_THREAD)
            .map_or(0, |u| u.minor_page_faults())
    }
    #[cfg(not(target_os = "linux"))]
    0
}

fn timed(f: impl FnOnce()) -> u64 {
    let t = Instant::now();
    f();
    t.elapsed().as_nanos() as u64
}

fn main() {
    let n = n_from_args("tail_attribution", 1_000_000);
    let keys = random_keys(n, 42);
    let mut evac = EvacMap::with_hasher(hasher());
    let mut brown = hashbrown::HashMap::with_hasher(hasher());
    let [mut growing, mut calm, mut resize, mut plain, mut spin] =
        [(); 5].map(|()| Series::default());
    let spin_for = Duration::from_micros(1);
    let (mut faulted, mut faulted_stalls) = (0u64, 0u64);
    for (i, &k) in keys.iter().enumerate() {
        if evac.is_evacuating() {
            let before = minor_faults();
            let ns = timed(|| {
                evac.insert(k, i);
            });
            let fault = minor_faults() > before;
            growing.record(ns);
            faulted += u64::from(fault);
            faulted_stalls += u64::from(fault && ns > STALL_NS);
        } else {
            calm.record(timed(|| {
                evac.insert(k, i);
            }));
        }
        let cap = brown.capacity();
        let ns = timed(|| {
            brown.insert(k, i);
        });
        if brown.capacity() == cap {
            &mut plain
        } else {
            &mut resize
        }
        .record(ns);
        spin.record(
            timed(|| {
                let t = Instant::now();
                while t.elapsed() < spin_for {
                    black_box(());
                }
            }) - spin_for.as_nanos() as u64,
        );
    }
    // Stalls per second of running time, from the busy wait (its own length
    // is subtracted above, so a stall is > 20 µs beyond it).
    let lambda = spin.stalls as f64 / (spin.ops as f64 * spin_for.as_secs_f64());
    println!(
        "N = {n}; machine stalls > 20 µs: λ = {lambda:.0} per second (from {} of {} 1 µs busy waits)\n",
        spin.stalls, spin.ops
    );
    println!(
        "{:<28} {:>10} {:>9} {:>8} {:>12} {:>12}",
        "operations", "count", "mean_ns", "stalls", "stall_rate", "λ × mean"
    );
    for (name, s) in [
        ("evacmap, growth in progress", &growing),
        ("evacmap, no growth", &calm),
        ("hashbrown, no resize", &plain),
        ("hashbrown, resizes", &resize),
    ] {
        println!(
            "{name:<28} {:>10} {:>9.0} {:>8} {:>12.2e} {:>12.2e}",
            s.ops,
            s.mean_ns(),
            s.stalls,
            s.rate(),
            (lambda * s.mean_ns() * 1e-9).min(1.0)
        );
    }
    println!(
        "\nevacmap writes during growth that took a page fault: {faulted} of {}; \
         of its {} stalls, {faulted_stalls} took a page fault",
        growing.ops, growing.stalls
    );
}
