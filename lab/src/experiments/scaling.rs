//! `lab scaling`: how each map's worst insert grows with the map, from
//! 10^4 keys up by decades to `--largest` (10^7 by default; 10^8 on
//! request). Per map and size, each in a fresh process: an untimed build
//! (ns per insert, peak RSS) and a timed one (p99.9, the worst insert, and
//! the largest empty clock pair of the same process).
//!
//! Before each size past the first two, a map's peak RSS is extrapolated
//! from the size below (linearly, with 20% to spare); a map that would not
//! fit in the memory the machine has available (`MemAvailable`) is
//! skipped, and the table says so.

use std::path::Path;

use crate::Res;
use crate::experiments::pause::{measure, summarize};
use crate::experiments::throughput::{add_net_rss, get, medians};
use crate::maps::go::GoPeers;
use crate::maps::registry::{self, Experiment};
use crate::output::charts::plot_loglog;
use crate::output::{Table, fmt_bytes, fmt_count, out_dir, read_csv};
use crate::run::{Mode, Target};
use crate::stats::{MAX, median};

/// The sizes: decades from 10^4 to `largest` (a power of ten).
///
/// # Errors
///
/// `largest` is not a power of ten between 10^4 and 10^9.
pub fn sizes(largest: u64) -> Res<Vec<u64>> {
    let v: Vec<u64> = (4..=9)
        .map(|e| 10u64.pow(e))
        .take_while(|&s| s <= largest)
        .collect();
    if v.last() != Some(&largest) {
        return Err(format!(
            "--largest must be a power of ten from 10000 to 1000000000, got {largest}"
        )
        .into());
    }
    Ok(v)
}

/// `MemAvailable` from `/proc/meminfo`, in bytes (`None` where unknown).
fn mem_available() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = s.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// One row of the results.
struct Row {
    map: String,
    keys: u64,
    cells: Vec<String>,
}

/// Runs one map at one size: its untimed and its timed process.
fn measure_one(t: &Target, n: u64, rounds: usize, seed: u64, go: &GoPeers) -> Res<Vec<String>> {
    let targets = std::slice::from_ref(t);
    let mut b = medians(&measure(targets, Mode::Build, n, rounds, seed, go)?);
    add_net_rss(&mut b, go)?;
    let p = summarize(&measure(targets, Mode::Pause, n, rounds, seed, go)?);
    let p = &p[0];
    let f0 = |v: f64| format!("{v:.0}");
    Ok(vec![
        get(&b, &t.name, "build_ns").map_or("-".into(), |v| format!("{v:.1}")),
        f0(p.numbers[2]),
        f0(p.numbers[MAX]),
        f0(p.floor[MAX]),
        get(&b, &t.name, "net_peak_rss")
            .map_or("-".into(), |v| format!("{:.1}", v / (1u64 << 20) as f64)),
        String::new(),
    ])
}

/// Measures every map at every size.
///
/// # Errors
///
/// A bad `largest`, or a process's error.
pub fn measure_all(largest: u64, rounds: usize, seed: u64, go: &GoPeers) -> Res<Table> {
    let sizes = sizes(largest)?;
    let maps: Vec<Target> = registry::maps_in(Experiment::Scaling, go)
        .into_iter()
        .map(Target::from)
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    for &n in &sizes {
        for t in &maps {
            let prev = rows
                .iter()
                .rev()
                .find(|r| r.map == t.name && r.cells[4] != "-")
                .and_then(|r| {
                    Some((
                        r.keys,
                        r.cells[4].parse::<f64>().ok()? * (1u64 << 20) as f64,
                    ))
                });
            let need = prev.map(|(k, rss)| rss * (n as f64 / k as f64) * 1.2);
            if let (Some(need), Some(avail)) = (need, mem_available()) {
                if n >= 1_000_000 && need > avail {
                    let why = format!(
                        "skipped: needs about {} (its peak at {} times {}), {} available",
                        fmt_bytes(need),
                        fmt_count(prev.map_or(0.0, |p| p.0 as f64)),
                        n / prev.map_or(1, |p| p.0),
                        fmt_bytes(avail)
                    );
                    eprintln!("scaling: {} at {}: {why}", t.name, fmt_count(n as f64));
                    let mut cells = vec!["-".to_string(); 5];
                    cells.push(why);
                    rows.push(Row {
                        map: t.name.clone(),
                        keys: n,
                        cells,
                    });
                    continue;
                }
            }
            eprintln!("scaling: {} at {} keys", t.name, fmt_count(n as f64));
            let cells = measure_one(t, n, rounds, seed, go)?;
            rows.push(Row {
                map: t.name.clone(),
                keys: n,
                cells,
            });
        }
    }
    let mut table = Table::new(&[
        "map",
        "keys",
        "build_ns",
        "p99.9_ns",
        "max_ns",
        "floor_max_ns",
        "peak_rss_MiB",
        "note",
    ]);
    for r in rows {
        let mut row = vec![r.map, r.keys.to_string()];
        row.extend(r.cells);
        table.push(row);
    }
    Ok(table)
}

/// Per map, how its worst insert grew: the exponent `k` of `max ∝ n^k`
/// fitted (least squares on logs) over the sizes from 10^6 up, and the
/// ratio of its worst insert at the largest size to that at 10^6.
pub fn growth_exponents(t: &Table) -> Vec<(String, f64, f64)> {
    let mut out = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for r in &t.rows {
        if !names.contains(&r[0].as_str()) {
            names.push(&r[0]);
        }
    }
    for name in names {
        let pts: Vec<(f64, f64)> = t
            .rows
            .iter()
            .filter(|r| r[0] == name)
            .filter_map(|r| Some((r[1].parse::<f64>().ok()?, r[4].parse::<f64>().ok()?)))
            .filter(|p| p.0 >= 1e6)
            .collect();
        if pts.len() < 2 {
            continue;
        }
        let lx: Vec<f64> = pts.iter().map(|p| p.0.ln()).collect();
        let ly: Vec<f64> = pts.iter().map(|p| p.1.ln()).collect();
        let (mx, my) = (
            lx.iter().sum::<f64>() / lx.len() as f64,
            ly.iter().sum::<f64>() / ly.len() as f64,
        );
        let cov: f64 = lx.iter().zip(&ly).map(|(x, y)| (x - mx) * (y - my)).sum();
        let var: f64 = lx.iter().map(|x| (x - mx) * (x - mx)).sum();
        let ratio = pts[pts.len() - 1].1 / pts[0].1;
        out.push((name.to_string(), cov / var, ratio));
    }
    out
}

/// Draws `scaling.svg` from `scaling.csv`: the worst insert against the
/// number of keys, log–log, one line per map and the timer floor (the
/// median over the maps' processes at each size).
///
/// # Errors
///
/// A missing or malformed CSV file, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let t = read_csv(&out.join("scaling.csv"))?;
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let mut floors: Vec<(f64, Vec<f64>)> = Vec::new();
    for r in &t.rows {
        let (Ok(n), Ok(max)) = (r[1].parse::<f64>(), r[4].parse::<f64>()) else {
            continue;
        };
        match series.iter_mut().find(|s| s.0 == r[0]) {
            Some(s) => s.1.push((n, max)),
            None => series.push((r[0].clone(), vec![(n, max)])),
        }
        if let Ok(f) = r[5].parse::<f64>() {
            match floors.iter_mut().find(|x| x.0 == n) {
                Some(x) => x.1.push(f),
                None => floors.push((n, vec![f])),
            }
        }
    }
    series.push((
        "timer floor".into(),
        floors.into_iter().map(|(n, v)| (n, median(v))).collect(),
    ));
    plot_loglog(
        &out.join("scaling.svg"),
        "The worst insert of a build into a new map, by the number of keys",
        "keys inserted (log)",
        "worst insert (log)",
        &series,
    )
}

/// Runs the experiment.
///
/// # Errors
///
/// A bad `largest`, any process's error, or output errors.
pub fn run(largest: u64, rounds: usize, seed: u64, out: &Path, go: &GoPeers) -> Res<Table> {
    out_dir(out)?;
    let t = measure_all(largest, rounds, seed, go)?;
    println!(
        "\n== scaling: per map and size, an untimed build (ns per insert, peak RSS net of a \
         baseline process) and a timed one (p99.9, worst insert, the largest empty clock pair of \
         the same process); medians of {rounds} round(s)"
    );
    t.print();
    t.write_csv(&out.join("scaling.csv"))?;
    let mut g = Table::new(&["map", "exponent_from_1M", "max_largest/max_1M"]);
    for (name, k, ratio) in growth_exponents(&t) {
        g.push(vec![name, format!("{k:.2}"), format!("{ratio:.1}")]);
    }
    println!("\nhow the worst insert grows from 10^6 keys up (max ∝ keys^exponent):");
    g.print();
    g.write_csv(&out.join("scaling_growth.csv"))?;
    plot(out)?;
    println!(
        "\noutput: {} (scaling.csv, scaling_growth.csv, scaling.svg)",
        out.display()
    );
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_decades() {
        assert_eq!(sizes(100_000).unwrap(), [10_000, 100_000]);
        assert_eq!(sizes(100_000_000).unwrap().len(), 5);
        assert!(sizes(5_000_000).is_err());
        assert!(sizes(1000).is_err());
    }

    #[test]
    fn exponents_fit_straight_lines() {
        let mut t = Table::new(&["map", "keys", "a", "b", "max_ns", "f", "r", "note"]);
        for (n, flat, linear) in [(1e6, 100.0, 1e6), (1e7, 100.0, 1e7), (1e8, 100.0, 1e8)] {
            for (m, v) in [("flat", flat), ("linear", linear)] {
                t.push(vec![
                    m.into(),
                    n.to_string(),
                    "".into(),
                    "".into(),
                    v.to_string(),
                    "".into(),
                    "".into(),
                    "".into(),
                ]);
            }
        }
        let g = growth_exponents(&t);
        let k = |m: &str| g.iter().find(|x| x.0 == m).unwrap().1;
        assert!(k("flat").abs() < 1e-9 && (k("linear") - 1.0).abs() < 1e-9);
    }
}
