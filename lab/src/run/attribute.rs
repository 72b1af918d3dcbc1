//! The child of `lab attribute` (`experiments/attribute.rs` runs it and
//! reads its lines): every insert of an evacmap build timed, and around
//! every insert (outside the timed region) the map's `Stats` and the
//! thread's `getrusage` counters; for each insert slower than the
//! threshold, what happened inside it ([`CAUSES`]). It also measures the
//! machine alone: empty clock pairs and the first touch of every page of
//! a fresh 256 MiB allocation.

use std::collections::BTreeMap;
use std::time::Instant;

use evacmap::instruments::Stats;

use super::child::{Extras, print_result, saturate, timer_floor_traced};
use crate::Res;
use crate::keys::key;
use crate::maps::{LabMap, make};

/// The threshold of the child, from `EVACMAP_LAB_SLOW_US` (default 100).
fn threshold_ns() -> u64 {
    std::env::var("EVACMAP_LAB_SLOW_US")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(100)
        * 1000
}

/// The thread's page faults (minor + major) and involuntary context
/// switches so far (zeros where `getrusage` is unavailable).
fn rusage() -> (i64, i64) {
    #[cfg(target_os = "linux")]
    {
        use nix::sys::resource::{UsageWho, getrusage};
        getrusage(UsageWho::RUSAGE_THREAD).map_or((0, 0), |u| {
            (
                u.minor_page_faults() + u.major_page_faults(),
                u.involuntary_context_switches(),
            )
        })
    }
    #[cfg(not(target_os = "linux"))]
    (0, 0)
}

/// The causes, in the order they are reported.
pub const CAUSES: [&str; 10] = [
    "growth_start",
    "growth_end",
    "retired_freed",
    "page_release",
    "unmap",
    "array_ahead",
    "overflow_beyond_pool",
    "page_faults",
    "preempted",
    "none",
];

/// What happened inside one insert, from the counters before and after.
pub fn causes(before: &Stats, after: &Stats, faults: i64, switches: i64) -> Vec<&'static str> {
    let mut c = Vec::new();
    let started = after.growths + after.shrinks > before.growths + before.shrinks;
    let ended = after.growths_completed + after.forced_completions + after.shrinks_completed
        > before.growths_completed + before.forced_completions + before.shrinks_completed;
    if started {
        c.push("growth_start");
    }
    if ended {
        c.push("growth_end");
    }
    if !ended && before.old_bytes_held > 0 && after.old_bytes_held == 0 {
        c.push("retired_freed");
    }
    let released = after.bytes_released_early > before.bytes_released_early;
    if released {
        c.push("page_release");
    }
    let ahead = after.spare_bytes > before.spare_bytes;
    if ahead {
        c.push("array_ahead");
    }
    // A system call that gave nothing back, allocated nothing and freed no
    // array: a retiring array's block unmapped.
    let quiet = !started && !ended && !released && !ahead && !c.contains(&"retired_freed");
    if quiet && after.system_calls > before.system_calls {
        c.push("unmap");
    }
    if !started && !ahead && after.bytes_allocated > before.bytes_allocated {
        c.push("overflow_beyond_pool");
    }
    if faults > 0 {
        c.push("page_faults");
    }
    if switches > 0 {
        c.push("preempted");
    }
    if c.is_empty() {
        c.push("none");
    }
    c
}

/// The child: prints one `ATTR index ns len faults switches causes` line
/// per slow insert and a `RESULT` line with the counts; with a trace path,
/// writes every insert's and every empty clock pair's latency there
/// (`trace.rs`).
///
/// # Errors
///
/// A map without counters (not an evacmap), or one that lost keys.
pub fn child(map: &str, n: u64, seed: u64, extras: &Extras) -> Res<()> {
    let threshold = threshold_ns();
    let len = if extras.trace.is_some() {
        n as usize
    } else {
        0
    };
    let (mut inserts, mut pairs) = (vec![u32::MAX; len], vec![u32::MAX; len]);
    let tracing = extras.trace.is_some();
    let floor = timer_floor_traced(n as usize, tracing.then_some(&mut pairs[..]));
    let floor_slow = floor.hist.count_between(threshold + 1, u64::MAX);
    let mut m: Box<dyn LabMap<u64>> = make(map)?;
    let mut before = m
        .stats()
        .ok_or("attribute needs an evacmap (its counters)")?;
    let mut usage = rusage();
    let mut counts: BTreeMap<&str, f64> = CAUSES.iter().map(|&c| (c, 0.0)).collect();
    let mut slow = 0u64;
    let mut inside_ns = 0u64;
    for i in 0..n {
        let k = key(seed, i);
        let t = Instant::now();
        m.insert(k, k);
        let ns = t.elapsed().as_nanos() as u64;
        inside_ns += ns;
        if tracing {
            inserts[i as usize] = saturate(ns);
        }
        let after_usage = rusage();
        let after = m.stats().ok_or("counters vanished")?;
        if ns > threshold {
            slow += 1;
            let (faults, switches) = (after_usage.0 - usage.0, after_usage.1 - usage.1);
            let c = causes(&before, &after, faults, switches);
            for cause in &c {
                *counts.entry(cause).or_default() += 1.0;
            }
            println!(
                "ATTR {i} {ns} {} {faults} {switches} {}",
                after.len,
                c.join(",")
            );
        }
        before = after;
        usage = after_usage;
    }
    if m.len() as u64 != n {
        return Err(format!("{map}: {} of {n} keys stored", m.len()).into());
    }
    work_per_write(&*m, &mut counts);
    drop(m);
    if let Some(path) = &extras.trace {
        super::trace::write(path, &inserts, &pairs)?;
    }
    drop((inserts, pairs));
    let touch = touch_probe(256 << 20, threshold);
    counts.insert("inserts", n as f64);
    counts.insert("slow_inserts", slow as f64);
    counts.insert("inserts_secs", inside_ns as f64 / 1e9);
    counts.insert("floor_slow_pairs", floor_slow as f64);
    counts.insert("floor_secs", floor.sum_ns as f64 / 1e9);
    counts.insert("floor_max_ns", floor.max_ns as f64);
    counts.insert("threshold_ns", threshold as f64);
    counts.insert("touch_pages", touch.0 as f64);
    counts.insert("touch_mean_ns", touch.1);
    counts.insert("touch_slow_pages", touch.2 as f64);
    counts.insert("touch_max_ns", touch.3 as f64);
    print_result(map, &counts);
    Ok(())
}

/// The most work one write did over the build (the counters' per-operation
/// maxima, `work_*`) and the policy constants that cap it (`policy_*`).
fn work_per_write(m: &dyn LabMap<u64>, counts: &mut BTreeMap<&str, f64>) {
    if let (Some(s), Some(p)) = (m.stats(), m.policy()) {
        for (k, v) in [
            ("work_chains", s.max_buckets_evacuated_in_one_op),
            ("work_entries", s.max_entries_moved_in_one_op),
            ("work_bytes_allocated", s.max_bytes_allocated_in_one_op),
            ("work_bytes_released", s.max_bytes_released_in_one_op),
            ("work_bytes_freed", s.max_bytes_freed_in_one_op),
            ("work_system_calls", s.max_system_calls_in_one_op),
            ("policy_cursor_steps", p.cursor_steps() as u64),
            ("policy_release_batch", p.release_batch() as u64),
        ] {
            counts.insert(k, v as f64);
        }
    }
}

/// Times the first write to every 4 KiB page of a fresh zeroed allocation
/// of `bytes` (large, so the allocator maps it directly): pages, mean ns,
/// pages slower than `threshold` ns, the slowest.
fn touch_probe(bytes: usize, threshold: u64) -> (u64, f64, u64, u64) {
    const PAGE: usize = 4096;
    let mut v: Vec<u8> = vec![0; bytes];
    let (mut total, mut slow, mut max) = (0u64, 0u64, 0u64);
    for i in (0..bytes).step_by(PAGE) {
        let t = Instant::now();
        touch(&mut v[i]);
        let ns = t.elapsed().as_nanos() as u64;
        total += ns;
        slow += u64::from(ns > threshold);
        max = max.max(ns);
    }
    let pages = (bytes / PAGE) as u64;
    std::hint::black_box(&v);
    (pages, total as f64 / pages as f64, slow, max)
}

/// A store the optimiser keeps.
#[inline(never)]
fn touch(b: &mut u8) {
    *std::hint::black_box(b) = 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_read_the_counters() {
        let a = Stats::default();
        let mut b = a;
        b.growths = 1;
        b.bytes_allocated = 10;
        assert_eq!(causes(&a, &b, 0, 0), ["growth_start"]);
        let mut c = b;
        c.bytes_allocated = 20;
        assert_eq!(
            causes(&b, &c, 3, 1),
            ["overflow_beyond_pool", "page_faults", "preempted"]
        );
        assert_eq!(causes(&c, &c, 0, 0), ["none"]);
        let mut d = c;
        d.old_bytes_held = 5;
        assert_eq!(causes(&d, &c, 0, 0), ["retired_freed"]);
    }
}
