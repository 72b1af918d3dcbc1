//! `lab attribute`: what each slow insert of an evacmap build was. One
//! fresh process inserts N keys into a new map, timing each insert, and
//! reads around every insert (outside the timed region) the map's `Stats`
//! and the thread's `getrusage` counters. For each insert slower than the
//! threshold (100 µs by default) it reports what happened inside it:
//!
//! | cause | seen as |
//! |---|---|
//! | `growth_start` | `growths` or `shrinks` went up: the new array was allocated (and a retired array freed) |
//! | `growth_end` | a growth or shrink completed: the old array was retired or freed |
//! | `retired_freed` | the retired old array was freed (`old_bytes_held` fell to 0 outside a growth end) |
//! | `page_release` | `bytes_released_early` went up: pages given back with `madvise` |
//! | `overflow_beyond_pool` | `bytes_allocated` went up outside a growth start: an overflow bucket from the pool's extension or the allocator |
//! | `page_faults` | the thread took minor (or major) page faults: first touch of fresh pages |
//! | `preempted` | the thread was switched out involuntarily: the machine |
//! | `none` | nothing of the above: an interrupt, or the hypervisor |
//!
//! The same process also measures the machine alone: N empty clock pairs
//! (how often a delay above the threshold hits code that does nothing,
//! per second of running), and the first touch of every 4 KiB page of a
//! fresh 256 MiB allocation, each timed (what one page fault costs here:
//! evacmap's arrays are mapped directly, so their pages are faulted in by
//! the writes that first touch them).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use evacmap::Stats;

use crate::child::print_result;
use crate::keys::key;
use crate::maps::{LabMap, make};
use crate::pause::timer_floor;
use crate::report::{Res, Table, out_dir};

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
pub const CAUSES: [&str; 8] = [
    "growth_start",
    "growth_end",
    "retired_freed",
    "page_release",
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
    if after.bytes_released_early > before.bytes_released_early {
        c.push("page_release");
    }
    if !started && after.bytes_allocated > before.bytes_allocated {
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
/// per slow insert and a `RESULT` line with the counts.
///
/// # Errors
///
/// A map without counters (not an evacmap), or one that lost keys.
pub fn child(map: &str, n: u64, seed: u64) -> Res<()> {
    let threshold = threshold_ns();
    let floor = timer_floor(n as usize);
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
    drop(m);
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

/// One slow insert as the child reported it.
#[derive(Clone, Debug)]
pub struct Slow {
    /// Insert index (0-based).
    pub index: u64,
    /// Its latency.
    pub ns: u64,
    /// Entries after it.
    pub len: u64,
    /// Page faults during it.
    pub faults: i64,
    /// Involuntary context switches during it.
    pub switches: i64,
    /// What happened inside it.
    pub causes: Vec<String>,
}

impl Slow {
    /// The insert's row in the CSV file and in the printed table.
    fn row(&self) -> Vec<String> {
        vec![
            self.index.to_string(),
            format!("{:.1}", self.ns as f64 / 1e3),
            self.len.to_string(),
            self.faults.to_string(),
            self.switches.to_string(),
            self.causes.join(" "),
        ]
    }
}

/// Parses `ATTR` lines.
///
/// # Errors
///
/// A line that does not parse.
pub fn parse(stdout: &str) -> Res<Vec<Slow>> {
    let mut v = Vec::new();
    for line in stdout.lines().filter(|l| l.starts_with("ATTR ")) {
        let w: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("bad ATTR line {line:?}");
        if w.len() != 7 {
            return Err(bad().into());
        }
        let num = |i: usize| w[i].parse::<i64>().map_err(|_| bad());
        v.push(Slow {
            index: num(1)? as u64,
            ns: num(2)? as u64,
            len: num(3)? as u64,
            faults: num(4)?,
            switches: num(5)?,
            causes: w[6].split(',').map(String::from).collect(),
        });
    }
    Ok(v)
}

/// Runs the child for `map` and returns its slow inserts and counts.
///
/// # Errors
///
/// The child's errors.
pub fn measure(
    map: &str,
    n: u64,
    seed: u64,
    threshold_us: u64,
) -> Res<(Vec<Slow>, BTreeMap<String, f64>)> {
    let exe = std::env::current_exe()?;
    let out = std::process::Command::new(exe)
        .args(["child", "--map", map, "--mode", "attribute"])
        .args(["--n", &n.to_string(), "--seed", &seed.to_string()])
        .env("EVACMAP_LAB_SLOW_US", threshold_us.to_string())
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "attribute child for {map} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    let stdout = String::from_utf8(out.stdout)?;
    let (_, counts) = crate::child::find_result(&stdout)?;
    Ok((parse(&stdout)?, counts))
}

/// Runs the experiment: the counts by cause, then every slow insert
/// (the 40 slowest printed, all in `attribute.csv`).
///
/// # Errors
///
/// The child's errors, or output errors.
pub fn run(map: &str, n: u64, threshold_us: u64, seed: u64, out: &Path) -> Res<Vec<Slow>> {
    out_dir(out)?;
    eprintln!("attribute: {map}, {n} inserts, threshold {threshold_us} µs");
    let (slow, counts) = measure(map, n, seed, threshold_us)?;
    let c = |k: &str| counts.get(k).copied().unwrap_or(0.0);
    println!(
        "\n{map}: {} of {} inserts took more than {threshold_us} µs ({:.2} per second spent inside \
         inserts); {} of as many empty clock pairs did ({:.2} per second; largest pair {:.0} µs)",
        c("slow_inserts"),
        c("inserts"),
        c("slow_inserts") / c("inserts_secs").max(1e-9),
        c("floor_slow_pairs"),
        c("floor_slow_pairs") / c("floor_secs").max(1e-9),
        c("floor_max_ns") / 1e3
    );
    println!(
        "the machine's page faults: first writes to the {} pages of a fresh 256 MiB allocation \
         took {:.2} µs each on average; {} took more than {threshold_us} µs, the slowest {:.0} µs",
        c("touch_pages"),
        c("touch_mean_ns") / 1e3,
        c("touch_slow_pages"),
        c("touch_max_ns") / 1e3
    );
    let mut t = Table::new(&["cause", "slow_inserts_with_it"]);
    for cause in CAUSES {
        t.push(vec![cause.into(), format!("{:.0}", c(cause))]);
    }
    t.print();
    let mut rows = Table::new(&[
        "insert",
        "us",
        "len",
        "page_faults",
        "preemptions",
        "causes",
    ]);
    for s in &slow {
        rows.push(s.row());
    }
    rows.write_csv(&out.join("attribute.csv"))?;
    let mut top = slow.clone();
    top.sort_by_key(|s| std::cmp::Reverse(s.ns));
    top.truncate(40);
    let mut shown = Table::new(&rows.header.iter().map(String::as_str).collect::<Vec<_>>());
    for s in &top {
        shown.push(s.row());
    }
    println!("\nthe slowest inserts:");
    shown.print();
    println!("\noutput: {} (attribute.csv)", out.display());
    Ok(slow)
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
        assert!(parse("ATTR 1 2 3 4 5 a,b\nnoise").unwrap()[0].causes == ["a", "b"]);
        assert!(parse("ATTR 1 x 3 4 5 a").is_err());
    }
}
