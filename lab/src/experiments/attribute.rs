//! `lab attribute`: what each slow insert of an evacmap build was, and
//! what the map's own worst inserts were. `--repeat` fresh processes each
//! insert the same N keys into a new map, timing each insert and writing
//! a trace (`run/trace.rs`), and read around every insert (outside the
//! timed region) the map's `Stats` and the thread's `getrusage` counters.
//! For each insert slower than the threshold (100 µs by default) a process
//! reports what happened inside it:
//!
//! | cause | seen as |
//! |---|---|
//! | `growth_start` | `growths` or `shrinks` went up: the new array was allocated (and a retired array freed) |
//! | `growth_end` | a growth or shrink completed: the old array was retired or freed |
//! | `retired_freed` | the retired old array was freed (`old_bytes_held` fell to 0 outside a growth end) |
//! | `page_release` | `bytes_released_early` went up: old pages given back with `madvise` (a run, `Policy::with_release_batch`) |
//! | `unmap` | `system_calls` went up with nothing else: a block of a retiring array's address space unmapped (its pages were given back before) |
//! | `array_ahead` | `spare_bytes` went up: the next doubling's array allocated ahead (`Policy::with_allocate_ahead`) |
//! | `overflow_beyond_pool` | `bytes_allocated` went up outside a growth start and an allocation ahead: an overflow bucket from the pool's extension or the allocator |
//! | `page_faults` | the thread took minor (or major) page faults: first touch of fresh pages |
//! | `preempted` | the thread was switched out involuntarily: the machine |
//! | `none` | nothing of the above: an interrupt, or the hypervisor |
//!
//! The per-insert minimum over the processes is the map's own latency;
//! its ten worst inserts are explained from every process's record of
//! them (an insert whose own latency is above the threshold is slow, and
//! so recorded, in every process): the causes every process saw (the
//! map's own doing: growth starts and ends, page releases, overflow
//! buckets), and in how many processes page faults and preemptions came
//! on top. Only inserts whose own latency is above the threshold can be
//! explained; a lower `--threshold-us` explains more.
//!
//! Each process also measures the machine alone: N empty clock pairs
//! (how often a delay above the threshold hits code that does nothing,
//! per second of running), and the first touch of every 4 KiB page of a
//! fresh 256 MiB allocation, each timed (what one page fault costs here:
//! evacmap's arrays are mapped directly, so their pages are faulted in by
//! the writes that first touch them).

use std::collections::BTreeMap;
use std::path::Path;

use crate::run::attribute::CAUSES;

use crate::Res;
use crate::output::{Table, fmt_bytes, fmt_ns, out_dir, thousands};
use crate::run::repeat::check_repeat;
use crate::run::trace::{check_room, reduce};
use crate::stats::median;

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

/// Runs the child for `map` (writing its trace to `trace` if given) and
/// returns its slow inserts and counts.
///
/// # Errors
///
/// The child's errors.
pub fn measure(
    map: &str,
    n: u64,
    seed: u64,
    threshold_us: u64,
    trace: Option<&Path>,
) -> Res<(Vec<Slow>, BTreeMap<String, f64>)> {
    let exe = std::env::current_exe()?;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["child", "--map", map, "--mode", "attribute"])
        .args(["--n", &n.to_string(), "--seed", &seed.to_string()])
        .env("EVACMAP_LAB_SLOW_US", threshold_us.to_string());
    if let Some(t) = trace {
        cmd.arg("--trace").arg(t);
    }
    let out = cmd.output()?;
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

/// One of the map's own worst inserts, with what every process saw in it.
#[derive(Clone, Debug)]
pub struct OwnSlow {
    /// Insert index (0-based).
    pub index: u64,
    /// Its own latency: the minimum over the processes.
    pub own_ns: u64,
    /// Its latency in each process that recorded it.
    pub raw_ns: Vec<u64>,
    /// Entries after it.
    pub len: u64,
    /// The causes every recording process saw (the map's own).
    pub causes: Vec<String>,
    /// Processes in which page faults / preemptions came on top.
    pub faults_in: usize,
    /// Processes in which the thread was preempted.
    pub preempted_in: usize,
    /// Processes that recorded it (all of them when its own latency is
    /// above the threshold).
    pub recorded: usize,
}

/// Joins the own worst inserts `top` with each process's slow inserts.
pub fn explain(top: &[(u64, u64)], processes: &[Vec<Slow>]) -> Vec<OwnSlow> {
    top.iter()
        .map(|&(index, own_ns)| {
            let seen: Vec<&Slow> = processes
                .iter()
                .filter_map(|p| p.iter().find(|s| s.index == index))
                .collect();
            let machine = ["page_faults", "preempted", "none"];
            let causes = seen.first().map_or_else(Vec::new, |first| {
                first
                    .causes
                    .iter()
                    .filter(|c| !machine.contains(&c.as_str()))
                    .filter(|c| seen.iter().all(|s| s.causes.contains(c)))
                    .cloned()
                    .collect()
            });
            OwnSlow {
                index,
                own_ns,
                raw_ns: seen.iter().map(|s| s.ns).collect(),
                // A build inserts distinct keys: the length before insert i is i.
                len: seen.first().map_or(index, |s| s.len),
                causes,
                faults_in: seen.iter().filter(|s| s.faults > 0).count(),
                preempted_in: seen.iter().filter(|s| s.switches > 0).count(),
                recorded: seen.len(),
            }
        })
        .collect()
}

/// The table of the own worst inserts: in human units to print (`human`),
/// in nanoseconds for `attribute_own.csv`.
fn own_table(own: &[OwnSlow], processes: usize, human: bool) -> Table {
    let mut t = Table::new(&[
        "insert",
        if human { "own" } else { "own_ns" },
        if human {
            "raw in each process"
        } else {
            "raw_ns"
        },
        "len",
        "the map's own causes",
        "page faults in",
        "preempted in",
    ]);
    let ns = |v: u64| {
        if human {
            fmt_ns(v as f64)
        } else {
            v.to_string()
        }
    };
    let count = |v: u64| {
        if human {
            thousands(v as f64)
        } else {
            v.to_string()
        }
    };
    for o in own {
        let raw: Vec<String> = o.raw_ns.iter().map(|&v| ns(v)).collect();
        t.push(vec![
            count(o.index),
            ns(o.own_ns),
            if o.recorded == 0 {
                // Under the threshold in every process: not recorded.
                "under threshold".into()
            } else {
                raw.join(" ")
            },
            count(o.len),
            if o.causes.is_empty() {
                "-".into()
            } else {
                o.causes.join(" ")
            },
            seen_in(o.faults_in, o.recorded, processes),
            seen_in(o.preempted_in, o.recorded, processes),
        ]);
    }
    t
}

/// "k/n" processes, or "-" when no process recorded the insert (it was
/// under the threshold in all of them, so nothing is known).
fn seen_in(k: usize, recorded: usize, processes: usize) -> String {
    if recorded == 0 {
        "-".into()
    } else {
        format!("{k}/{processes}")
    }
}

/// The most work one insert did in the build (the counters are the same
/// in every process: the build is), beside the policy constant that caps
/// it. `R` is the array's regions: 1 in Go's layout (the lab's maps).
fn work_table(c: &BTreeMap<String, f64>) -> Table {
    let v = |k: &str| c.get(k).copied().unwrap_or(0.0);
    let batch = v("policy_release_batch");
    let mut t = Table::new(&["most in one insert", "", "capped by"]);
    let rows = [
        (
            "old chains evacuated",
            thousands(v("work_chains")),
            format!(
                "1 + cursor steps = {}",
                thousands(1.0 + v("policy_cursor_steps"))
            ),
        ),
        (
            "entries moved",
            thousands(v("work_entries")),
            "the chains' lengths (no constant, as in Go)".into(),
        ),
        (
            "bytes allocated",
            fmt_bytes(v("work_bytes_allocated")),
            "one array: one mmap, pages touched later".into(),
        ),
        (
            "bytes given back",
            fmt_bytes(v("work_bytes_released")),
            format!(
                "R x release batch ({}) + spilled buckets of those chains",
                fmt_bytes(batch)
            ),
        ),
        (
            "bytes freed",
            fmt_bytes(v("work_bytes_freed")),
            format!("4 x release batch ({})", fmt_bytes(4.0 * batch)),
        ),
        (
            "system calls",
            thousands(v("work_system_calls")),
            "1 + (R + 1) + R + (R + 1) = 6".into(),
        ),
    ];
    for (what, most, cap) in rows {
        t.push(vec![what.into(), most, cap]);
    }
    t
}

/// How many of the own worst inserts are explained.
pub const EXPLAINED: usize = 10;

/// Runs the experiment: `repeat` processes; the counts by cause (medians
/// over the processes), the slowest raw inserts, and with two processes or
/// more the map's ten worst own inserts, each with what happened inside
/// it. `attribute.csv` holds every slow insert of every process,
/// `attribute_own.csv` the own worst.
///
/// # Errors
///
/// The child's errors, too little disk for the traces, or output errors.
pub fn run(
    map: &str,
    n: u64,
    threshold_us: u64,
    repeat: usize,
    seed: u64,
    out: &Path,
) -> Res<Vec<Slow>> {
    out_dir(out)?;
    check_repeat(repeat)?;
    let traces = out.join("traces");
    if repeat >= 2 {
        check_room(&traces, repeat as u64, n, n)?;
    }
    eprintln!("attribute: {map}, {n} inserts, threshold {threshold_us} µs, {repeat} process(es)");
    let mut processes = Vec::new();
    let mut counts = Vec::new();
    let mut paths = Vec::new();
    let bar = crate::output::progress(repeat as u64, "attribute");
    for p in 0..repeat {
        let path = traces.join(format!("attribute.{p}.trace"));
        let (slow, c) = measure(map, n, seed, threshold_us, (repeat >= 2).then_some(&path))?;
        processes.push(slow);
        counts.push(c);
        paths.push(path);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let c = |k: &str| {
        median(
            counts
                .iter()
                .map(|c| c.get(k).copied().unwrap_or(0.0))
                .collect(),
        )
    };
    crate::say!(
        "\n{map} (medians over {repeat} process(es)): {} of {} inserts took more than \
         {threshold_us} µs ({:.2} per second spent inside inserts); {} of as many empty clock \
         pairs did ({:.2} per second; largest pair {:.0} µs)",
        c("slow_inserts"),
        c("inserts"),
        c("slow_inserts") / c("inserts_secs").max(1e-9),
        c("floor_slow_pairs"),
        c("floor_slow_pairs") / c("floor_secs").max(1e-9),
        c("floor_max_ns") / 1e3
    );
    crate::say!(
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
    if counts.iter().all(|c| c.contains_key("work_chains")) {
        work_table(&counts[0]).print();
    }
    let mut rows = Table::new(&[
        "process",
        "insert",
        "us",
        "len",
        "page_faults",
        "preemptions",
        "causes",
    ]);
    for (p, slow) in processes.iter().enumerate() {
        for s in slow {
            let mut r = vec![p.to_string()];
            r.extend(s.row());
            rows.push(r);
        }
    }
    rows.write_csv(&out.join("attribute.csv"))?;
    let mut top = processes[0].clone();
    top.sort_by_key(|s| std::cmp::Reverse(s.ns));
    top.truncate(20);
    let mut shown = Table::new(&[
        "insert",
        "us",
        "len",
        "page_faults",
        "preemptions",
        "causes",
    ]);
    for s in &top {
        shown.push(s.row());
    }
    crate::say!("\nthe slowest inserts of the first process (raw):");
    shown.print();
    if repeat >= 2 {
        let reduced = reduce(&paths, n);
        for p in &paths {
            let _ = std::fs::remove_file(p);
        }
        let reduced = reduced?;
        let own = explain(
            &reduced.inserts.top[..EXPLAINED.min(reduced.inserts.top.len())],
            &processes,
        );
        let t = own_table(&own, repeat, true);
        crate::say!(
            "\nthe map's {EXPLAINED} worst own inserts (the per-insert minimum over {repeat} \
             processes; own max {}, own inserts over 30 µs: {}, over 100 µs: {}; the timer's own \
             floor {}), with the causes every process saw in them:",
            fmt_ns(reduced.inserts.max_ns as f64),
            reduced.inserts.over[0],
            reduced.inserts.over[1],
            fmt_ns(reduced.floor.max_ns as f64),
        );
        t.print();
        own_table(&own, repeat, false).write_csv(&out.join("attribute_own.csv"))?;
    } else {
        eprintln!("one process: no own figures (they need --repeat 2 or more)");
    }
    crate::say!(
        "\noutput: {} (attribute.csv{})",
        out.display(),
        if repeat >= 2 {
            ", attribute_own.csv"
        } else {
            ""
        }
    );
    Ok(processes.into_iter().next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_worst_inserts_take_the_causes_every_process_saw() {
        let slow = |index, ns, faults, causes: &str| Slow {
            index,
            ns,
            len: index + 1,
            faults,
            switches: 0,
            causes: causes.split(',').map(String::from).collect(),
        };
        let processes = vec![
            vec![slow(7, 50_000, 0, "growth_start")],
            vec![slow(7, 90_000, 3, "growth_start,page_faults")],
        ];
        let own = explain(&[(7, 50_000), (9, 40_000)], &processes);
        assert_eq!(own[0].causes, ["growth_start"]);
        assert_eq!((own[0].faults_in, own[0].recorded), (1, 2));
        assert_eq!(own[0].raw_ns, [50_000, 90_000]);
        assert_eq!(own[1].recorded, 0);
        assert_eq!(own[1].len, 9, "a build's length before insert i is i");
        let table = own_table(&own, 2, true);
        let text = format!("{table:?}");
        assert!(text.contains("under threshold"), "{text}");
    }

    #[test]
    fn attr_lines_parse() {
        assert!(parse("ATTR 1 2 3 4 5 a,b\nnoise").unwrap()[0].causes == ["a", "b"]);
        assert!(parse("ATTR 1 x 3 4 5 a").is_err());
    }
}
