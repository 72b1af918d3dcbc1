//! `lab churn`: steady-state churn at constant size. Fill to N, then M
//! operations that each insert a new key and remove the oldest one, so
//! `len` stays N. Per map: ns per operation. For evacmap: overflow buckets,
//! same-size growths and bucket memory, sampled over the operations (Go's
//! known weakness: deletes never free overflow buckets, and only a same-size
//! growth compacts them).

use std::path::Path;
use std::time::Instant;

use crate::Res;
use crate::keys::key;
use crate::maps::make;
use crate::output::charts::{LinePlot, Series, plot_lines};
use crate::output::{Shown, Table, Unit, fmt_count, out_dir, progress, read_csv};

const SAMPLES: u64 = 200;

/// One map's churn: ns per insert+remove pair, its counters at the end
/// (evacmap), and its samples for `churn.csv`.
struct ChurnRun {
    name: &'static str,
    ns: f64,
    end: Option<evacmap::instruments::Stats>,
    samples: Vec<Vec<String>>,
}

/// Fills map `name` to `n`, then makes `m` insert+remove pairs, sampling
/// its overflow buckets `SAMPLES` times.
fn churn_one(name: &'static str, n: u64, m: u64, seed: u64) -> Res<ChurnRun> {
    let mut map = make::<u64>(name)?;
    for i in 0..n {
        map.insert(key(seed, i), i);
    }
    let every = (m / SAMPLES).max(1);
    let (mut timed_ns, mut j, mut samples) = (0u128, 0, Vec::new());
    let bar = progress(m, &format!("churn: {name}"));
    while j < m {
        let chunk = every.min(m - j);
        let start = Instant::now();
        for op in j..j + chunk {
            map.insert(key(seed, n + op), op);
            map.remove(&key(seed, op));
        }
        timed_ns += start.elapsed().as_nanos();
        j += chunk;
        bar.set_position(j);
        if let Some(s) = map.stats() {
            samples.push(vec![
                name.to_string(),
                j.to_string(),
                s.overflow_buckets.to_string(),
                s.same_size_growths.to_string(),
                s.bytes_allocated.to_string(),
            ]);
        }
    }
    bar.finish_and_clear();
    if map.len() as u64 != n {
        return Err(format!("{name}: churn changed the size to {}", map.len()).into());
    }
    Ok(ChurnRun {
        name,
        ns: timed_ns as f64 / m.max(1) as f64,
        end: map.stats(),
        samples,
    })
}

/// The summary table: speed, its ratio to hashbrown's, and evacmap's
/// counters at the end.
fn table(runs: &[ChurnRun]) -> Table {
    let mut table = Table::new(&[
        "map",
        "ns_per_pair",
        "vs_hashbrown",
        "overflow_buckets",
        "same_size_growths",
        "growths",
        "shrinks",
        "bytes_allocated",
    ]);
    let brown = runs
        .iter()
        .find(|r| r.name == "hashbrown")
        .map_or(1.0, |r| r.ns);
    for r in runs {
        let field = |f: fn(&evacmap::instruments::Stats) -> u64| {
            r.end.as_ref().map_or("-".into(), |s| f(s).to_string())
        };
        table.push(vec![
            r.name.into(),
            format!("{:.1}", r.ns),
            format!("{:.2}", r.ns / brown),
            field(|s| s.overflow_buckets),
            field(|s| s.same_size_growths),
            field(|s| s.growths),
            field(|s| s.shrinks),
            field(|s| s.bytes_allocated),
        ]);
    }
    table
}

/// Runs the experiment; returns ns per insert+remove pair per map.
///
/// # Errors
///
/// Output errors, or a map that did not keep its size.
pub fn run(n: u64, m: u64, seed: u64, out: &Path) -> Res<Vec<(&'static str, f64)>> {
    out_dir(out)?;
    let runs = crate::maps::registry::names_in(crate::maps::registry::Experiment::Churn)
        .into_iter()
        .map(|name| churn_one(name, n, m, seed))
        .collect::<Res<Vec<_>>>()?;
    crate::say!(
        "churn: {} entries, then {} insert+remove pairs (one run per map)",
        fmt_count(n as f64),
        fmt_count(m as f64)
    );
    let t = table(&runs);
    t.view(&[
        ("map", "map", Shown::Text),
        ("ns_per_pair", "per pair", Shown::Ns),
        ("vs_hashbrown", "×hb", Shown::Text),
        ("overflow_buckets", "overflow buckets", Shown::Count),
        ("same_size_growths", "same-size growths", Shown::Count),
        ("growths", "growths", Shown::Count),
        ("shrinks", "shrinks", Shown::Count),
        ("bytes_allocated", "bytes held", Shown::Bytes),
    ])
    .print();
    t.write_csv(&out.join("churn_summary.csv"))?;
    let header = [
        "map",
        "op",
        "overflow_buckets",
        "same_size_growths",
        "bytes_allocated",
    ];
    let samples: Vec<Vec<String>> = runs.iter().flat_map(|r| r.samples.clone()).collect();
    crate::output::write_csv(&out.join("churn.csv"), &header.map(String::from), &samples)?;
    crate::output::write_csv(
        &out.join("churn_info.csv"),
        &["keys".to_string()],
        &[vec![n.to_string()]],
    )?;
    plot(out)?;
    crate::say!(
        "\noutput: {} (churn_summary.csv, churn.csv, churn.svg)",
        out.display()
    );
    Ok(runs.iter().map(|r| (r.name, r.ns)).collect())
}

/// Draws `churn.svg` from the CSV files in `out`.
///
/// # Errors
///
/// Missing or malformed CSV files, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let n: f64 = read_csv(&out.join("churn_info.csv"))?.rows[0][0].parse()?;
    let t = read_csv(&out.join("churn.csv"))?;
    let mut series: Vec<Series> = Vec::new();
    for r in &t.rows {
        let pt: (f64, f64) = (r[1].parse()?, r[2].parse()?);
        match series.iter_mut().find(|s| s.name == r[0]) {
            Some(s) => s.points.push((pt.0, Some(pt.1))),
            None => series.push(Series::new(r[0].clone(), [pt])),
        }
    }
    plot_lines(
        &out.join("churn.svg"),
        &LinePlot {
            title: &format!(
                "Overflow buckets while churning {} entries (insert a new key, remove the oldest)",
                fmt_count(n)
            ),
            x_label: "insert+remove pairs",
            x_unit: Unit::Count,
            y_label: "overflow buckets linked",
            y_unit: Unit::Count,
            log_y: false,
            phases: Vec::new(),
            marks: None,
            points_only: false,
        },
        &series,
    )
}
