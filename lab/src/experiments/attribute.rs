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

use crate::run::attribute::CAUSES;

use crate::Res;
use crate::output::{Table, out_dir};

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
    let (_, counts) = crate::run::child::find_result(&stdout)?;
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
    fn attr_lines_parse() {
        assert!(parse("ATTR 1 2 3 4 5 a,b\nnoise").unwrap()[0].causes == ["a", "b"]);
        assert!(parse("ATTR 1 x 3 4 5 a").is_err());
    }
}
