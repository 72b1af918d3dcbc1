//! The measurement child: one fresh process per map and round, so that no
//! map inherits another's pages or allocator state. `runner.rs` starts it
//! as `lab child --map NAME --mode MODE --n N --seed S` and reads the lines
//! it prints, the same lines the Go peer prints (`lab/go/`), so both parse
//! alike.
//!
//! Modes:
//! - **throughput**: 1. *build*: insert `key(seed, i)` for `i < n` into a
//!   new map made without a size hint, timed as a whole loop; then the peak
//!   RSS (`VmHWM`) and the bytes in transparent huge pages
//!   (`AnonHugePages`) are read, before anything else is allocated, and for
//!   evacmap the old-array residency of the build (from its events);
//!   2. *hit*: look up every inserted key, in a shuffled order; 3. *miss*:
//!   look up `n` keys of another stream; 4. *path*: build a second map
//!   keyed by `n` path strings (`keys::path_key`), then look each up with
//!   a freshly allocated copy (so no lookup can short-cut on pointer
//!   equality), shuffled. The map is not settled between phases: reads see
//!   it as a burst of inserts leaves it, as they would in Go.
//! - **lookups**: phases 1 to 3.
//! - **build**: phase 1 only.
//! - **pause**: `n` empty `Instant` pairs (the timer's floor), then every
//!   insert of the build timed on its own.
//! - **attribute**: `attribute.rs`: every insert timed, and what happened
//!   inside the slow ones.

use std::collections::BTreeMap;
use std::fs;
use std::hint::black_box;
use std::time::Instant;

use crate::keys::{key, path_key, shuffled_indices};
use crate::maps::{LabMap, make};

use crate::Res;
use crate::stats::{LatencyLog, percentile_curve};

/// Inserts slower than this are kept individually for the timeline plot.
pub const SLOW_NS: u64 = 20_000;

/// `n` timings of an empty `Instant` pair: the timer's noise floor.
pub fn timer_floor(n: usize) -> LatencyLog {
    timer_floor_traced(n, None)
}

/// [`timer_floor`], also writing each pair's latency into `trace` (which
/// holds `n` entries) if given.
pub fn timer_floor_traced(n: usize, mut trace: Option<&mut [u32]>) -> LatencyLog {
    let mut log = LatencyLog::new(SLOW_NS);
    for i in 0..n {
        let start = black_box(Instant::now());
        let ns = start.elapsed().as_nanos() as u64;
        log.record(ns);
        if let Some(t) = trace.as_deref_mut() {
            t[i] = saturate(ns);
        }
    }
    log
}

/// A latency as a trace stores it.
pub fn saturate(ns: u64) -> u32 {
    u32::try_from(ns).unwrap_or(u32::MAX)
}

/// What a child does besides its mode: where the pause mode writes its
/// trace (`trace.rs`), and costs injected into given inserts (for the
/// lab's own tests of the own-latency filter).
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// Write every latency of the timed build and of the floor here.
    pub trace: Option<std::path::PathBuf>,
    /// `(insert, ns)`: spin this long inside the timed region of that
    /// insert, in insert order.
    pub inject: Vec<(u64, u64)>,
}

impl Extras {
    /// Parses `--inject INDEX:NS[,INDEX:NS…]`.
    ///
    /// # Errors
    ///
    /// A pair that is not two numbers.
    pub fn parse_inject(spec: &str) -> Result<Vec<(u64, u64)>, String> {
        let mut v = spec
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|pair| {
                let (i, ns) = pair
                    .split_once(':')
                    .ok_or_else(|| format!("--inject takes INDEX:NS pairs, got {pair:?}"))?;
                let num = |s: &str| {
                    s.parse::<u64>()
                        .map_err(|_| format!("--inject: {s:?} is not a number"))
                };
                Ok((num(i)?, num(ns)?))
            })
            .collect::<Result<Vec<_>, String>>()?;
        v.sort_unstable();
        Ok(v)
    }
}

/// Spins for `ns` nanoseconds (an injected cost: it must look like work,
/// not like a sleep the scheduler could stretch).
#[inline(never)]
fn spin(ns: u64) {
    let start = Instant::now();
    while (start.elapsed().as_nanos() as u64) < ns {
        std::hint::spin_loop();
    }
}

/// The stream of absent keys for seed `seed`.
pub fn miss_seed(seed: u64) -> u64 {
    seed ^ 0xA5A5_A5A5_A5A5_A5A5
}

/// The seed of the shuffles.
pub fn shuffle_seed(seed: u64) -> u64 {
    seed.wrapping_add(0x5151)
}

/// Runs the child for `map` ("none" for the baseline process that builds
/// nothing) in `mode` and prints its lines.
///
/// # Errors
///
/// An unknown map or mode, a map that lost keys, or `/proc` unreadable.
pub fn child(map: &str, mode: &str, n: u64, seed: u64, extras: &Extras) -> Res<()> {
    match mode {
        "throughput" => throughput(map, n, seed, Phases::All),
        "lookups" => throughput(map, n, seed, Phases::Lookups),
        "build" => throughput(map, n, seed, Phases::Build),
        "pause" => pause(map, n, seed, extras),
        "attribute" => super::attribute::child(map, n, seed, extras),
        other => Err(format!("unknown child mode {other:?}").into()),
    }
}

/// The phases a throughput process runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phases {
    /// Build only.
    Build,
    /// Build, hits, misses.
    Lookups,
    /// Build, hits, misses, path strings.
    All,
}

fn throughput(map: &str, n: u64, seed: u64, phases: Phases) -> Res<()> {
    let mut out = BTreeMap::new();
    if map == "none" {
        let (hwm, thp) = (vm_hwm()?, anon_huge_pages());
        out.insert("hwm_bytes", hwm as f64);
        out.insert("thp_bytes", thp as f64);
        print_result(map, &out);
        return Ok(());
    }
    let mut m: Box<dyn LabMap<u64>> = make(map)?;
    let t = Instant::now();
    for i in 0..n {
        m.insert(key(seed, i), i);
    }
    out.insert("build_ns", per_op(t, n));
    out.insert("hwm_bytes", vm_hwm()? as f64);
    out.insert("thp_bytes", anon_huge_pages() as f64);
    if let Some(s) = m.stats() {
        out.insert("bytes_allocated", s.bytes_allocated as f64);
        out.insert("peak_bytes_allocated", s.peak_bytes_allocated as f64);
    }
    if let Some(r) = m.residency() {
        out.insert("held_writes", r.writes as f64);
        out.insert("held_ms", r.ns as f64 / 1e6);
        out.insert("old_mib_writes", r.byte_writes / (1u64 << 20) as f64);
        out.insert("old_mib_ms", r.byte_ns / (1u64 << 20) as f64 / 1e6);
    }
    if m.len() as u64 != n {
        return Err(format!("{map}: {} of {n} keys stored", m.len()).into());
    }
    if phases != Phases::Build {
        lookups(&mut out, map, m, n, seed, phases == Phases::All)?;
    }
    print_result(map, &out);
    Ok(())
}

/// Phases 2 to 4 of the throughput mode.
fn lookups(
    out: &mut BTreeMap<&str, f64>,
    map: &str,
    m: Box<dyn LabMap<u64>>,
    n: u64,
    seed: u64,
    paths: bool,
) -> Res<()> {
    let order = shuffled_indices(n as usize, shuffle_seed(seed));
    let hits: Vec<u64> = order.iter().map(|&i| key(seed, i as u64)).collect();
    let t = Instant::now();
    let found = hits.iter().filter(|k| m.get(k).is_some()).count();
    out.insert("hit_ns", per_op(t, n));
    check(map, "hit", found as u64, n)?;
    drop(hits);
    let misses: Vec<u64> = (0..n).map(|i| key(miss_seed(seed), i)).collect();
    let t = Instant::now();
    let found = misses.iter().filter(|k| m.get(k).is_some()).count();
    out.insert("miss_ns", per_op(t, n));
    check(map, "miss", found as u64, 0)?;
    drop(misses);
    drop(m);
    if !paths {
        return Ok(());
    }
    let mut p: Box<dyn LabMap<String>> = make(map)?;
    let t = Instant::now();
    for i in 0..n {
        p.insert(path_key(seed, i), i);
    }
    out.insert("path_build_ns", per_op(t, n));
    let copies: Vec<String> = order.iter().map(|&i| path_key(seed, i as u64)).collect();
    let t = Instant::now();
    let found = copies.iter().filter(|k| p.get(k).is_some()).count();
    out.insert("path_hit_ns", per_op(t, n));
    check(map, "path hit", found as u64, n)?;
    black_box(&p);
    Ok(())
}

/// The pause mode: the timer's floor, then every insert timed; with a
/// trace path, every latency of both also goes to a trace file
/// (`trace.rs`), from buffers filled (so their pages are resident) before
/// anything is timed.
fn pause(map: &str, n: u64, seed: u64, extras: &Extras) -> Res<()> {
    let len = if extras.trace.is_some() {
        n as usize
    } else {
        0
    };
    let (mut inserts, mut pairs) = (vec![u32::MAX; len], vec![u32::MAX; len]);
    let tracing = extras.trace.is_some();
    let floor = timer_floor_traced(n as usize, tracing.then_some(&mut pairs[..]));
    let mut m: Box<dyn LabMap<u64>> = make(map)?;
    let mut log = LatencyLog::new(SLOW_NS);
    let mut growths = Vec::new();
    let mut cap = m.capacity();
    let mut inject = extras.inject.iter().copied().peekable();
    for i in 0..n {
        let k = key(seed, i);
        let cost = match inject.peek() {
            Some(&(at, ns)) if at == i => {
                inject.next();
                ns
            }
            _ => 0,
        };
        let start = Instant::now();
        m.insert(k, k);
        if cost > 0 {
            spin(cost);
        }
        let ns = start.elapsed().as_nanos() as u64;
        log.record(ns);
        if tracing {
            inserts[i as usize] = saturate(ns);
        }
        let now = m.capacity();
        if now != cap {
            // The first insert allocates the first table: not a growth.
            if i > 0 {
                growths.push(i);
            }
            cap = now;
        }
    }
    if m.len() as u64 != n {
        return Err(format!("{map}: {} of {n} keys stored", m.len()).into());
    }
    drop(m);
    if let Some(path) = &extras.trace {
        super::trace::write(path, &inserts, &pairs)?;
    }
    print_latencies(map, &log);
    print_latencies(&format!("{map}-timer-floor"), &floor);
    for (i, ns) in &log.slow {
        println!("SLOW {i} {ns}");
    }
    for i in growths {
        println!("GROWTH {i}");
    }
    Ok(())
}

/// A `RESULT` line with a log's quantiles, mean and argmax, and its
/// `CURVE` lines.
pub fn print_latencies(label: &str, log: &LatencyLog) {
    let mut out = BTreeMap::new();
    for (name, q) in crate::stats::QUANTILES {
        let v = if q.is_nan() {
            log.mean_ns()
        } else {
            log.quantile(q) as f64
        };
        out.insert(name, v);
    }
    out.insert("argmax", log.argmax as f64);
    print_result(label, &out);
    for (nines, ns) in percentile_curve(log) {
        println!("CURVE {label} {nines} {ns}");
    }
}

fn per_op(t: Instant, n: u64) -> f64 {
    t.elapsed().as_nanos() as f64 / n.max(1) as f64
}

fn check(map: &str, what: &str, found: u64, expect: u64) -> Res<()> {
    if found == expect {
        Ok(())
    } else {
        Err(format!("{map}: {what} phase found {found}, expected {expect}").into())
    }
}

/// Prints `RESULT map=NAME key=value ...`.
pub fn print_result(map: &str, out: &BTreeMap<&str, f64>) {
    let fields: Vec<String> = out.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("RESULT map={map} {}", fields.join(" "));
}

/// Parses a `RESULT map=NAME key=value ...` line (from this child or the Go
/// peer) into its map name and numbers.
///
/// # Errors
///
/// A message quoting the line if it is not of that form.
pub fn parse_result(line: &str) -> Result<(String, BTreeMap<String, f64>), String> {
    let bad = || format!("not a RESULT line: {line:?}");
    let mut words = line.split_whitespace();
    if words.next() != Some("RESULT") {
        return Err(bad());
    }
    let name = words
        .next()
        .and_then(|w| w.strip_prefix("map="))
        .ok_or_else(bad)?
        .to_string();
    let mut values = BTreeMap::new();
    for w in words {
        let (k, v) = w.split_once('=').ok_or_else(bad)?;
        let v: f64 = v.parse().map_err(|_| bad())?;
        values.insert(k.to_string(), v);
    }
    Ok((name, values))
}

/// The `RESULT` line among a child's output lines.
///
/// # Errors
///
/// A message with the output if there is none, or it does not parse.
pub fn find_result(stdout: &str) -> Result<(String, BTreeMap<String, f64>), String> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .ok_or_else(|| format!("no RESULT line in the output: {stdout:?}"))?;
    parse_result(line)
}

/// `VmHWM` (peak resident memory) of this process, in bytes.
pub fn vm_hwm() -> Res<u64> {
    let status = fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("reading /proc/self/status (Linux only): {e}"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM line in /proc/self/status")?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .ok_or("bad VmHWM line")?
        .parse()?;
    Ok(kib * 1024)
}

/// Bytes of this process in transparent huge pages now (0 where unknown).
fn anon_huge_pages() -> u64 {
    fs::read_to_string("/proc/self/smaps_rollup")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("AnonHugePages:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

/// The kernel's transparent huge page mode (the bracketed word of
/// `/sys/kernel/mm/transparent_hugepage/enabled`), or "unknown".
pub fn thp_mode() -> String {
    fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
        .ok()
        .and_then(|s| {
            let start = s.find('[')?;
            let end = s[start..].find(']')?;
            Some(s[start + 1..start + end].to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_parse() {
        let (name, v) = parse_result("RESULT map=go/gc_off build_ns=12.5 hwm_bytes=1024").unwrap();
        assert_eq!(name, "go/gc_off");
        assert_eq!(v["build_ns"], 12.5);
        assert_eq!(v["hwm_bytes"], 1024.0);
        for bad in [
            "",
            "RESULT",
            "RESULT build_ns=1",
            "RESULT map=x y",
            "RESULT map=x y=z",
        ] {
            assert!(parse_result(bad).is_err(), "{bad:?}");
        }
        assert!(find_result("noise\nRESULT map=a b=1\n").is_ok());
        assert!(find_result("noise\n").is_err());
    }
}
