//! `lab throughput` and `lab memory`: untimed builds, lookups and peak
//! memory, each map in a fresh process (`runner.rs`), so that no map
//! inherits another's pages or allocator state. `--rounds R` runs every map
//! R times, the maps in a different order each round; tables give medians
//! and ratios to hashbrown and to Go's classic map (GC off) computed from
//! them.

use std::collections::BTreeMap;
use std::path::Path;

use crate::Res;
use crate::maps::go::GoPeers;
use crate::maps::registry::{self, Class, Experiment};
use crate::output::charts::plot_bars;
use crate::output::{Shown, Table, Unit, fmt_count, out_dir, read_csv};
use crate::run::child::thp_mode;
use crate::run::{MapRuns, measure};
use crate::run::{Mode, Target, baseline_rss};
use crate::stats::median;

/// One map's medians over the rounds: field name -> value.
pub type Medians = BTreeMap<String, f64>;

/// Results: per map, its medians, in registry order.
pub type Throughput = Vec<(String, Medians)>;

/// The reference of the `_vs_go` columns.
pub const GO_REF: &str = "go/gc_off";

/// Medians over the rounds of every field of every map.
pub fn medians(runs: &[MapRuns]) -> Throughput {
    runs.iter()
        .map(|r| {
            let keys: Vec<String> = r
                .rounds
                .first()
                .map(|o| o.values.keys().cloned().collect())
                .unwrap_or_default();
            let mut med: Medians = keys
                .into_iter()
                .map(|k| {
                    let v = median(
                        r.rounds
                            .iter()
                            .filter_map(|o| o.values.get(&k).copied())
                            .collect(),
                    );
                    (k, v)
                })
                .collect();
            // How far the rounds' builds spread: the slowest over the
            // fastest (the noise verdict reads it).
            let builds: Vec<f64> = r
                .rounds
                .iter()
                .filter_map(|o| o.values.get("build_ns").copied())
                .collect();
            if builds.len() >= 2 {
                let (lo, hi) = builds
                    .iter()
                    .fold((f64::MAX, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                if lo > 0.0 {
                    med.insert("build_spread".into(), hi / lo);
                }
            }
            (r.target.name.clone(), med)
        })
        .collect()
}

/// The targets of `exp`, or only those named in `only`.
///
/// # Errors
///
/// A name in `only` that `exp` does not run here.
pub fn targets(exp: Experiment, go: &GoPeers, only: Option<&[String]>) -> Res<Vec<Target>> {
    let mut maps = registry::maps_in(exp, go);
    if let Some(only) = only {
        if let Some(unknown) = only
            .iter()
            .find(|m| !maps.iter().any(|s| s.name == m.as_str()))
        {
            let known: Vec<&str> = maps.iter().map(|m| m.name).collect();
            return Err(format!(
                "--maps: no map {unknown:?} here (maps: {}; Go's need a Go toolchain: {})",
                known.join(", "),
                crate::maps::go::HOW_TO_GET
            )
            .into());
        }
        maps.retain(|m| only.iter().any(|o| o == m.name));
    }
    Ok(maps.into_iter().map(Target::from).collect())
}

/// `value / reference`, or "-" if either is missing.
pub fn ratio(v: Option<f64>, reference: Option<f64>) -> String {
    match (v, reference) {
        (Some(v), Some(r)) if r > 0.0 && v.is_finite() => format!("{:.2}", v / r),
        _ => "-".into(),
    }
}

/// The median of `field` for `name`.
pub fn get(m: &[(String, Medians)], name: &str, field: &str) -> Option<f64> {
    m.iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.get(field).copied())
}

/// The printed columns of the throughput table (the CSV file has all).
fn view(t: &Table) -> Table {
    t.view(&[
        ("map", "map", Shown::Text),
        ("build_ns", "build", Shown::Ns),
        ("build_vs_hb", "×hb", Shown::Text),
        ("hit_ns", "hit", Shown::Ns),
        ("hit_vs_hb", "×hb", Shown::Text),
        ("miss_ns", "miss", Shown::Ns),
        ("miss_vs_hb", "×hb", Shown::Text),
        ("path_hit_ns", "path hit", Shown::Ns),
        ("path_hit_vs_hb", "×hb", Shown::Text),
    ])
}

/// The throughput table: each field, its ratio to hashbrown and, when Go's
/// classic map ran, to it.
pub fn table(res: &Throughput) -> Table {
    let fields = [
        "build_ns",
        "hit_ns",
        "miss_ns",
        "path_build_ns",
        "path_hit_ns",
    ];
    let with_go = get(res, GO_REF, "build_ns").is_some();
    let mut header: Vec<String> = vec!["map".into()];
    for f in fields {
        let stem = f.trim_end_matches("_ns");
        header.push(f.into());
        header.push(format!("{stem}_vs_hb"));
        if with_go {
            header.push(format!("{stem}_vs_go"));
        }
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new(&header);
    for (name, m) in res {
        let mut row = vec![name.clone()];
        for f in fields {
            row.push(m.get(f).map_or("-".into(), |v| format!("{v:.1}")));
            row.push(ratio(m.get(f).copied(), get(res, "hashbrown", f)));
            if with_go {
                row.push(ratio(m.get(f).copied(), get(res, GO_REF, f)));
            }
        }
        table.push(row);
    }
    table
}

/// `lab throughput`, on every map or on those named in `only`.
///
/// # Errors
///
/// A process that fails or prints no result, a name in `only` that is no
/// map, or output errors.
pub fn run(
    n: u64,
    rounds: usize,
    seed: u64,
    out: &Path,
    go: &GoPeers,
    only: Option<&[String]>,
) -> Res<Throughput> {
    out_dir(out)?;
    let targets = targets(Experiment::Throughput, go, only)?;
    let res = medians(&measure(&targets, Mode::Throughput, n, rounds, seed, go)?);
    let t = table(&res);
    view(&t).print();
    crate::say!(
        "(time per operation, medians of {} round(s), each map in its own process; \
         builds insert {} keys into a map made without a size hint; ×hb: as a multiple of \
         hashbrown's; throughput.csv adds the ratios to Go's classic map and path-string builds)",
        rounds.max(1),
        fmt_count(n as f64)
    );
    t.write_csv(&out.join("throughput.csv"))?;
    crate::output::write_csv(
        &out.join("throughput_info.csv"),
        &["keys".to_string()],
        &[vec![n.to_string()]],
    )?;
    plot(out)?;
    crate::say!(
        "\noutput: {} (throughput.csv, throughput.svg)",
        out.display()
    );
    Ok(res)
}

/// Subtracts the peak RSS of a process that builds nothing (one per
/// program: the lab's and Go's) from each map's, as `net_peak_rss`.
///
/// # Errors
///
/// A baseline process that fails.
pub fn add_net_rss(res: &mut Throughput, go: &GoPeers) -> Res<BTreeMap<String, f64>> {
    let mut bases = BTreeMap::new();
    for (name, m) in res.iter_mut() {
        let kind = registry::spec(name).map_or(Class::Evacmap, |s| s.kind.class());
        let program = match kind {
            Class::Go(f, _) => f.word(),
            _ => "lab",
        };
        let base = match bases.get(program) {
            Some(&b) => b,
            None => {
                let b = baseline_rss(kind, go)?;
                bases.insert(program.to_string(), b);
                b
            }
        };
        let hwm = m.get("hwm_bytes").copied().unwrap_or(0.0);
        m.insert("net_peak_rss".into(), (hwm - base).max(0.0));
    }
    Ok(bases)
}

/// The memory table.
pub fn memory_table(res: &Throughput) -> Table {
    let mib = |v: f64| format!("{:.1}", v / (1 << 20) as f64);
    let with_go = get(res, GO_REF, "net_peak_rss").is_some();
    let mut header = vec!["map", "peak_rss_MiB", "net_of_baseline_MiB", "vs_hashbrown"];
    if with_go {
        header.push("vs_go");
    }
    header.extend(["thp_MiB", "bytes_allocated_MiB", "peak_bytes_allocated_MiB"]);
    let mut table = Table::new(&header);
    for (name, m) in res {
        let net = m.get("net_peak_rss").copied();
        let mut row = vec![
            name.clone(),
            m.get("hwm_bytes").map_or("-".into(), |&v| mib(v)),
            net.map_or("-".into(), mib),
            ratio(net, get(res, "hashbrown", "net_peak_rss")),
        ];
        if with_go {
            row.push(ratio(net, get(res, GO_REF, "net_peak_rss")));
        }
        for f in ["thp_bytes", "bytes_allocated", "peak_bytes_allocated"] {
            row.push(m.get(f).map_or("-".into(), |&v| mib(v)));
        }
        table.push(row);
    }
    table
}

/// `lab memory`: peak RSS of a process that only builds the map, net of a
/// baseline process that builds nothing.
///
/// # Errors
///
/// A process that fails or prints no result, or output errors.
pub fn memory(n: u64, rounds: usize, seed: u64, out: &Path, go: &GoPeers) -> Res<Throughput> {
    out_dir(out)?;
    let targets = targets(Experiment::Memory, go, None)?;
    let mut res = medians(&measure(&targets, Mode::Build, n, rounds, seed, go)?);
    let bases = add_net_rss(&mut res, go)?;
    let t = memory_table(&res);
    t.view(&[
        ("map", "map", Shown::Text),
        ("peak_rss_MiB", "peak RSS", Shown::MiB),
        ("net_of_baseline_MiB", "net of baseline", Shown::MiB),
        ("vs_hashbrown", "×hb", Shown::Text),
        ("bytes_allocated_MiB", "evacmap's bytes", Shown::MiB),
        ("peak_bytes_allocated_MiB", "its peak", Shown::MiB),
    ])
    .print();
    let mib = |v: &f64| format!("{:.1}", v / (1 << 20) as f64);
    crate::say!(
        "(medians of {} round(s); baseline processes' peak RSS in MiB: {}; transparent huge pages: {})",
        rounds.max(1),
        bases
            .iter()
            .map(|(k, v)| format!("{k} {}", mib(v)))
            .collect::<Vec<_>>()
            .join(", "),
        thp_mode()
    );
    t.write_csv(&out.join("memory.csv"))?;
    crate::output::write_csv(
        &out.join("memory_info.csv"),
        &["keys".to_string()],
        &[vec![n.to_string()]],
    )?;
    plot_memory(out)?;
    crate::say!("\noutput: {} (memory.csv, memory.svg)", out.display());
    Ok(res)
}

/// Draws `throughput.svg` from `throughput.csv`: each map's untimed
/// build as a multiple of hashbrown's.
///
/// # Errors
///
/// A missing or malformed CSV file, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let t = read_csv(&out.join("throughput.csv"))?;
    let n: f64 = read_csv(&out.join("throughput_info.csv"))?.rows[0][0].parse()?;
    let col = t
        .header
        .iter()
        .position(|h| h == "build_vs_hb")
        .ok_or("throughput.csv: no build_vs_hb")?;
    let bars: Vec<(String, f64)> = t
        .rows
        .iter()
        .filter_map(|r| Some((r[0].clone(), r[col].parse::<f64>().ok()?)))
        .collect();
    plot_bars(
        &out.join("throughput.svg"),
        &format!(
            "Untimed build of {} u64 keys into a new map, as a multiple of hashbrown's (lower is \
             better)",
            fmt_count(n)
        ),
        Unit::Ratio,
        &bars,
    )
}

/// Draws `memory.svg` from `memory.csv`.
///
/// # Errors
///
/// Missing or malformed CSV files, drawing errors.
pub fn plot_memory(out: &Path) -> Res<()> {
    let t = read_csv(&out.join("memory.csv"))?;
    let n: f64 = read_csv(&out.join("memory_info.csv"))?.rows[0][0].parse()?;
    let col = t
        .header
        .iter()
        .position(|h| h == "net_of_baseline_MiB")
        .ok_or("memory.csv: no net_of_baseline_MiB")?;
    let bars: Vec<(String, f64)> = t
        .rows
        .iter()
        .map(|r| {
            (
                r[0].clone(),
                r[col].parse::<f64>().unwrap_or(0.0) * (1u64 << 20) as f64,
            )
        })
        .collect();
    plot_bars(
        &out.join("memory.svg"),
        &format!(
            "Peak RSS building a map of {} u64 -> u64 (net of a baseline process)",
            fmt_count(n)
        ),
        Unit::Bytes,
        &bars,
    )
}
