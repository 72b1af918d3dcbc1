//! `lab scaling`: how each map's worst insert grows with the map, from
//! 10^4 keys up by decades to `--largest` (10^7 by default; 10^8 on
//! request). Per map and size, each in fresh processes: an untimed build
//! (ns per insert, peak RSS; medians of `--rounds`) and the timed one in
//! `--repeat` processes (`run/repeat.rs`): raw p99.9 and worst insert
//! (medians), the own p99.9 and worst insert (the per-insert minimum over
//! the processes; for Go's maps, their slowest structural event), and
//! the largest empty clock pair, raw and own. The growth exponent is
//! fitted to the own worst insert.
//!
//! Before each size past the first two, a map's peak RSS is extrapolated
//! from the size below (linearly, with 20% to spare); a map that would not
//! fit in the memory the machine has available (`MemAvailable`) is
//! skipped, and the table says so.

use std::path::Path;

use crate::Res;
use crate::experiments::pause::summarize;
use crate::experiments::throughput::{add_net_rss, get, medians};
use crate::maps::go::GoPeers;
use crate::maps::registry::{self, Experiment};
use crate::output::charts::plot_loglog;
use crate::output::{Shown, Table, fmt_bytes, fmt_count, out_dir, read_csv};
use crate::run::measure;
use crate::run::repeat::timed;
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

/// How one map at one size is measured.
struct Plan<'a> {
    rounds: usize,
    repeat: usize,
    seed: u64,
    traces: &'a Path,
    go: &'a GoPeers,
}

/// The cells of [`COLUMNS`] after `map` and `keys`, for one map at one
/// size: its untimed processes and its timed ones.
fn measure_one(t: &Target, n: u64, plan: &Plan<'_>) -> Res<Vec<String>> {
    let targets = std::slice::from_ref(t);
    let (go, seed) = (plan.go, plan.seed);
    let mut b = medians(&measure(targets, Mode::Build, n, plan.rounds, seed, go)?);
    add_net_rss(&mut b, go)?;
    let p = summarize(&timed(
        targets,
        n,
        plan.repeat,
        seed,
        go,
        plan.traces,
        false,
    )?);
    let p = &p[0];
    let f0 = |v: f64| {
        if v.is_finite() {
            format!("{v:.0}")
        } else {
            "-".into()
        }
    };
    Ok(vec![
        get(&b, &t.name, "build_ns").map_or("-".into(), |v| format!("{v:.1}")),
        f0(p.numbers[2]),
        f0(p.numbers[MAX]),
        f0(p.floor[MAX]),
        f0(p.own.p999),
        f0(p.own.max),
        p.own.argmax.map_or("-".into(), |i| i.to_string()),
        p.own.over.map_or("-".into(), |o| o[0].to_string()),
        p.own.over.map_or("-".into(), |o| o[1].to_string()),
        f0(p.own.floor_max),
        p.own.how.note(),
        get(&b, &t.name, "net_peak_rss")
            .map_or("-".into(), |v| format!("{:.1}", v / (1u64 << 20) as f64)),
        String::new(),
    ])
}

/// The columns of `scaling.csv`.
const COLUMNS: [&str; 15] = [
    "map",
    "keys",
    "build_ns",
    "p99.9_ns",
    "max_ns",
    "floor_max_ns",
    "own_p99.9_ns",
    "own_max_ns",
    "own_argmax",
    "own_over_30us",
    "own_over_100us",
    "own_floor_max_ns",
    "own_from",
    "peak_rss_MiB",
    "note",
];

/// Index of `peak_rss_MiB` among the cells after `map` and `keys`.
const RSS: usize = 11;

/// Measures every map at every size.
///
/// # Errors
///
/// A bad `largest`, or a process's error.
pub fn measure_all(
    largest: u64,
    rounds: usize,
    repeat: usize,
    seed: u64,
    out: &Path,
    go: &GoPeers,
) -> Res<Table> {
    let traces = out.join("traces");
    let plan = Plan {
        rounds,
        repeat,
        seed,
        traces: &traces,
        go,
    };
    let sizes = sizes(largest)?;
    let maps: Vec<Target> = registry::maps_in(Experiment::Scaling, go)
        .into_iter()
        .map(Target::from)
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    let bar = crate::output::progress((sizes.len() * maps.len()) as u64, "scaling");
    for &n in &sizes {
        for t in &maps {
            bar.set_message(format!(
                "scaling: {} at {} keys",
                t.name,
                fmt_count(n as f64)
            ));
            bar.inc(1);
            let prev = rows
                .iter()
                .rev()
                .find(|r| r.map == t.name && r.cells[RSS] != "-")
                .and_then(|r| {
                    Some((
                        r.keys,
                        r.cells[RSS].parse::<f64>().ok()? * (1u64 << 20) as f64,
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
                    bar.suspend(|| {
                        eprintln!("scaling: {} at {}: {why}", t.name, fmt_count(n as f64));
                    });
                    let mut cells = vec!["-".to_string(); COLUMNS.len() - 3];
                    cells.push(why);
                    rows.push(Row {
                        map: t.name.clone(),
                        keys: n,
                        cells,
                    });
                    continue;
                }
            }
            let cells = measure_one(t, n, &plan)?;
            rows.push(Row {
                map: t.name.clone(),
                keys: n,
                cells,
            });
        }
    }
    bar.finish_and_clear();
    let mut table = Table::new(&COLUMNS);
    for r in rows {
        let mut row = vec![r.map, r.keys.to_string()];
        row.extend(r.cells);
        table.push(row);
    }
    Ok(table)
}

/// The least-squares slope of `ln y` on `ln x`.
fn log_slope(pts: &[(f64, f64)]) -> f64 {
    let lx: Vec<f64> = pts.iter().map(|p| p.0.ln()).collect();
    let ly: Vec<f64> = pts.iter().map(|p| p.1.ln()).collect();
    let (mx, my) = (
        lx.iter().sum::<f64>() / lx.len() as f64,
        ly.iter().sum::<f64>() / ly.len() as f64,
    );
    let cov: f64 = lx.iter().zip(&ly).map(|(x, y)| (x - mx) * (y - my)).sum();
    let var: f64 = lx.iter().map(|x| (x - mx) * (x - mx)).sum();
    cov / var
}

/// How each map's worst insert grew from 10^6 keys up, per column `col`
/// (`own_max_ns` or `max_ns`): `(map, exponent, ratio)`, the exponent `k`
/// of `max ∝ keys^k` fitted on logs over the sizes from 10^6 up, and the
/// worst insert at the largest size over that at 10^6. Maps with fewer
/// than two sizes from 10^6 up are left out.
pub fn growth_exponents(t: &Table, col: &str) -> Vec<(String, f64, f64)> {
    let c = t.header.iter().position(|h| h == col).expect("column");
    let mut names: Vec<&str> = Vec::new();
    for r in &t.rows {
        if !names.contains(&r[0].as_str()) {
            names.push(&r[0]);
        }
    }
    let mut out = Vec::new();
    for name in names {
        let pts: Vec<(f64, f64)> = t
            .rows
            .iter()
            .filter(|r| r[0] == name)
            .filter_map(|r| Some((r[1].parse::<f64>().ok()?, r[c].parse::<f64>().ok()?)))
            .filter(|p| p.0 >= 1e6 && p.1 > 0.0)
            .collect();
        if pts.len() >= 2 {
            let ratio = pts[pts.len() - 1].1 / pts[0].1;
            out.push((name.to_string(), log_slope(&pts), ratio));
        }
    }
    out
}

/// Draws `scaling.svg` from `scaling.csv`: each map's own worst insert
/// against the number of keys, log–log (Go's maps: their slowest
/// structural event; maps without own figures: the raw worst insert,
/// marked so), and the timer floor, raw (the median over the maps'
/// processes at each size) and own.
///
/// # Errors
///
/// A missing or malformed CSV file, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let t = read_csv(&out.join("scaling.csv"))?;
    let col = |name: &str| t.header.iter().position(|h| h == name);
    let (own, raw, floor, own_floor, from) = (
        col("own_max_ns").ok_or("scaling.csv: no own_max_ns column (an old run?)")?,
        col("max_ns").ok_or("scaling.csv: no max_ns column")?,
        col("floor_max_ns").ok_or("scaling.csv: no floor_max_ns column")?,
        col("own_floor_max_ns").ok_or("scaling.csv: no own_floor_max_ns column")?,
        col("own_from").ok_or("scaling.csv: no own_from column")?,
    );
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let mut floors: [Vec<(f64, Vec<f64>)>; 2] = [Vec::new(), Vec::new()];
    let mut add = |name: String, pt: (f64, f64)| match series.iter_mut().find(|s| s.0 == name) {
        Some(s) => s.1.push(pt),
        None => series.push((name, vec![pt])),
    };
    for r in &t.rows {
        let Ok(n) = r[1].parse::<f64>() else { continue };
        let num = |i: usize| r[i].parse::<f64>().ok().filter(|v| v.is_finite());
        match (num(own), num(raw)) {
            (Some(v), _) if r[from].contains("events") => add(format!("{} (events)", r[0]), (n, v)),
            (Some(v), _) => add(r[0].clone(), (n, v)),
            (None, Some(v)) => add(format!("{} (raw)", r[0]), (n, v)),
            (None, None) => {}
        }
        for (k, c) in [floor, own_floor].into_iter().enumerate() {
            if let Some(f) = num(c) {
                match floors[k].iter_mut().find(|x| x.0 == n) {
                    Some(x) => x.1.push(f),
                    None => floors[k].push((n, vec![f])),
                }
            }
        }
    }
    for (label, f) in ["clock floor (raw, median)", "clock floor (own)"]
        .into_iter()
        .zip(floors)
    {
        if !f.is_empty() {
            series.push((
                label.into(),
                f.into_iter().map(|(n, v)| (n, median(v))).collect(),
            ));
        }
    }
    plot_loglog(
        &out.join("scaling.svg"),
        "The own worst insert of a build into a new map, by the number of keys",
        "keys inserted (log)",
        "own worst insert: per-insert minimum over repeated builds (log)",
        &series,
    )
}

/// The printed columns of the scaling table (`scaling.csv` has all).
fn view(t: &Table) -> Table {
    t.view(&[
        ("map", "map", Shown::Text),
        ("keys", "keys", Shown::Count),
        ("build_ns", "build", Shown::Ns),
        ("max_ns", "max", Shown::Ns),
        ("own_p99.9_ns", "own p99.9", Shown::Ns),
        ("own_max_ns", "own max", Shown::Ns),
        ("own_argmax", "own max at", Shown::Count),
        ("own_over_30us", ">30µs", Shown::Count),
        ("floor_max_ns", "floor", Shown::Ns),
        ("own_floor_max_ns", "own floor", Shown::Ns),
        ("peak_rss_MiB", "peak", Shown::MiB),
        ("note", "note", Shown::Text),
    ])
}

/// Runs the experiment.
///
/// # Errors
///
/// A bad `largest`, any process's error, or output errors.
pub fn run(
    largest: u64,
    rounds: usize,
    repeat: usize,
    seed: u64,
    out: &Path,
    go: &GoPeers,
) -> Res<Table> {
    out_dir(out)?;
    let t = measure_all(largest, rounds, repeat, seed, out, go)?;
    crate::say!(
        "\n== scaling: per map and size, an untimed build (ns per insert, peak RSS net of a \
         baseline process; medians of {rounds}) and {repeat} timed ones: the raw worst insert \
         (median), the own p99.9 and worst insert (per-insert minimum over them; Go's maps: their \
         slowest structural event), own inserts over 30 µs, the largest empty clock pair (raw \
         and own)"
    );
    view(&t).print();
    t.write_csv(&out.join("scaling.csv"))?;
    let mut g = Table::new(&[
        "map",
        "own_exponent_from_1M",
        "own_max_largest/own_max_1M",
        "raw_exponent_from_1M",
    ]);
    let raw = growth_exponents(&t, "max_ns");
    for (name, k, ratio) in growth_exponents(&t, "own_max_ns") {
        let rk = raw
            .iter()
            .find(|r| r.0 == name)
            .map_or("-".into(), |r| format!("{:.2}", r.1));
        g.push(vec![name, format!("{k:.2}"), format!("{ratio:.1}"), rk]);
    }
    if g.rows.is_empty() {
        crate::say!(
            "\n(no growth exponents: they are fitted from 10^6 keys up, and this run's largest \
             size is {largest}; `--largest 100000000` gives three points)"
        );
    } else {
        crate::say!(
            "\nhow the own worst insert grows from 10^6 keys up (own max ∝ keys^exponent; raw for \
             comparison):"
        );
        g.print();
    }
    g.write_csv(&out.join("scaling_growth.csv"))?;
    plot(out)?;
    crate::say!(
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
        let mut t = Table::new(&["map", "keys", "a", "b", "own_max_ns", "f", "r", "note"]);
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
        let g = growth_exponents(&t, "own_max_ns");
        let k = |m: &str| g.iter().find(|x| x.0 == m).unwrap().1;
        assert!(k("flat").abs() < 1e-9 && (k("linear") - 1.0).abs() < 1e-9);
    }
}
