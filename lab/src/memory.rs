//! `lab memory`: peak resident memory (`VmHWM`, Linux) of a child process
//! that inserts N keys into one map, per map, next to evacmap's own
//! `bytes_allocated` and `peak_bytes_allocated`. Keys are computed, not
//! stored, so the child holds nothing but the map. A child that inserts
//! nothing gives the baseline, which is subtracted.

use std::error::Error;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::maps::{FAST_CURSOR, NAMES, key, make};
use crate::report::{plot_bars, print_table, write_csv};

/// One map's memory.
#[derive(Clone, Debug)]
pub(crate) struct MemResult {
    pub(crate) name: &'static str,
    /// Peak RSS of the child minus the baseline child's (bytes).
    pub(crate) net_peak_rss: u64,
}

const MIB: f64 = 1024.0 * 1024.0;

/// The child: insert, then print `VmHWM_bytes bytes_allocated peak_bytes`.
/// (`VmHWM` is a high-water mark, so reading it after the map is gone is fine.)
pub(crate) fn child(map: &str, n: u64) -> Result<(), Box<dyn Error>> {
    let (now, peak) = if map == "none" {
        (0, 0)
    } else {
        let mut m = make(map);
        for i in 0..n {
            m.insert(key(7, i), i);
        }
        std::hint::black_box(&m);
        m.stats()
            .map_or((0, 0), |s| (s.bytes_allocated, s.peak_bytes_allocated))
    };
    println!("{} {now} {peak}", vm_hwm()?);
    Ok(())
}

/// `VmHWM` of this process, in bytes.
fn vm_hwm() -> Result<u64, Box<dyn Error>> {
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

fn run_child(map: &str, n: u64) -> Result<[u64; 3], Box<dyn Error>> {
    let exe = std::env::current_exe()?;
    let out = Command::new(exe)
        .args(["memory-child", "--map", map, "--n", &n.to_string()])
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "child for {map} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let text = String::from_utf8(out.stdout)?;
    let v: Vec<u64> = text
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    Ok([v[0], v[1], v[2]])
}

pub(crate) fn run(n: u64, out: &Path) -> Result<Vec<MemResult>, Box<dyn Error>> {
    fs::create_dir_all(out)?;
    eprintln!("memory: baseline child");
    let base = run_child("none", n)?[0];
    let mut rows = vec![
        [
            "map",
            "peak_rss_MiB",
            "net_of_baseline_MiB",
            "vs_hashbrown",
            "bytes_allocated_MiB",
            "peak_bytes_allocated_MiB",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut results = Vec::new();
    for name in NAMES.into_iter().chain([FAST_CURSOR]) {
        eprintln!("memory: {name}: {n} inserts in a child process");
        let [hwm, now, peak] = run_child(name, n)?;
        results.push((name, hwm, now, peak));
    }
    let brown = results
        .iter()
        .find(|r| r.0 == "hashbrown")
        .map_or(1, |r| r.1.saturating_sub(base).max(1));
    let mut mem = Vec::new();
    for &(name, hwm, now, peak) in &results {
        let net = hwm.saturating_sub(base);
        let evac = name.starts_with("evacmap");
        rows.push(vec![
            name.to_string(),
            format!("{:.1}", hwm as f64 / MIB),
            format!("{:.1}", net as f64 / MIB),
            format!("{:.2}", net as f64 / brown as f64),
            if evac {
                format!("{:.1}", now as f64 / MIB)
            } else {
                "-".into()
            },
            if evac {
                format!("{:.1}", peak as f64 / MIB)
            } else {
                "-".into()
            },
        ]);
        mem.push(MemResult {
            name,
            net_peak_rss: net,
        });
    }
    print_table(&rows);
    println!("(baseline child: {:.1} MiB peak RSS)", base as f64 / MIB);
    write_csv(&out.join("memory.csv"), &rows)?;
    let bars: Vec<(String, f64)> = results
        .iter()
        .map(|&(name, hwm, _, _)| (name.to_string(), hwm.saturating_sub(base) as f64 / MIB))
        .collect();
    plot_bars(
        &out.join("memory.svg"),
        &format!(
            "Peak RSS inserting {n} u64 -> u64 (net of a {:.1} MiB baseline)",
            base as f64 / MIB
        ),
        "MiB",
        &bars,
    )?;
    println!("\noutput: {} (memory.csv, memory.svg)", out.display());
    Ok(mem)
}
