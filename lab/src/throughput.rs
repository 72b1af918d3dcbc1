//! `lab throughput` and `lab memory`: untimed builds, lookups and peak
//! memory, each map in a fresh child process (`child.rs`), so that no map
//! inherits another's pages or allocator state. `--rounds R` runs every map
//! R times, the maps in a different order each round; tables give medians
//! and ratios to hashbrown and to Go's map (GC off) computed from them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::child::{find_result, thp_mode};
use crate::go::{self, Availability};
use crate::maps::SINGLE_THREADED;
use crate::pause::median;
use crate::report::{Res, Table, Unit, fmt_count, out_dir, plot_bars, progress};

/// One map's medians over the rounds: field name -> value.
pub type Medians = BTreeMap<String, f64>;

/// A peer process to run: a Rust map through `lab child`, or the Go peer.
#[derive(Clone, Debug)]
enum Peer<'a> {
    Rust(&'static str),
    Go(&'a go::GoPeer, &'static str, &'static str),
}

impl Peer<'_> {
    fn name(&self) -> &'static str {
        match self {
            Peer::Rust(n) => n,
            Peer::Go(_, n, _) => n,
        }
    }
}

/// Runs `peer` once; returns its numbers.
fn run_peer(peer: &Peer<'_>, n: u64, seed: u64, build_only: bool) -> Res<BTreeMap<String, f64>> {
    let stdout = match peer {
        Peer::Rust(map) => {
            let exe = std::env::current_exe()?;
            let mut args = vec![
                "child".to_string(),
                "--map".into(),
                map.to_string(),
                "--n".into(),
                n.to_string(),
                "--seed".into(),
                seed.to_string(),
            ];
            if build_only {
                args.push("--build-only".into());
            }
            let out = Command::new(exe).args(&args).output()?;
            if !out.status.success() {
                return Err(format!(
                    "child for {map} failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )
                .into());
            }
            String::from_utf8(out.stdout)?
        }
        Peer::Go(p, name, gc) => p.run(&[
            "-mode".into(),
            if build_only { "build" } else { "throughput" }.into(),
            "-n".into(),
            n.to_string(),
            "-seed".into(),
            seed.to_string(),
            "-gc".into(),
            gc.to_string(),
            "-name".into(),
            name.to_string(),
        ])?,
    };
    let (_, values) = find_result(&stdout).map_err(|e| format!("{}: {e}", peer.name()))?;
    Ok(values)
}

/// The baseline process's peak RSS (a child that builds nothing).
fn baseline(go: Option<&go::GoPeer>) -> Res<(f64, Option<f64>)> {
    let rust = run_peer(&Peer::Rust("none"), 0, 0, true)?["hwm_bytes"];
    let go = match go {
        Some(p) => {
            let out = p.run(&["-mode".into(), "build".into(), "-baseline".into()])?;
            Some(find_result(&out)?.1["hwm_bytes"])
        }
        None => None,
    };
    Ok((rust, go))
}

/// Runs every peer (those named in `only`, if given) `rounds` times
/// (alternating order) and returns the medians per peer, in the order of
/// `SINGLE_THREADED` then Go's.
fn run_all(
    n: u64,
    rounds: usize,
    seed: u64,
    build_only: bool,
    go: &Availability,
    only: Option<&[String]>,
) -> Res<Vec<(String, Medians)>> {
    let mut peers: Vec<Peer<'_>> = SINGLE_THREADED.iter().map(|&m| Peer::Rust(m)).collect();
    if let Some(p) = go.peer() {
        peers.extend(go::CONFIGS.iter().map(|&(name, gc)| Peer::Go(p, name, gc)));
    }
    if let Some(only) = only {
        let known: Vec<&str> = peers.iter().map(Peer::name).collect();
        if let Some(unknown) = only.iter().find(|m| !known.contains(&m.as_str())) {
            return Err(format!(
                "--maps: no map {unknown:?} here (maps: {}; Go's need a Go with the classic map)",
                known.join(", ")
            )
            .into());
        }
        peers.retain(|p| only.iter().any(|m| m == p.name()));
    }
    let mut samples: Vec<Vec<BTreeMap<String, f64>>> = vec![Vec::new(); peers.len()];
    let bar = progress((rounds * peers.len()) as u64, "child processes");
    for round in 0..rounds.max(1) {
        let mut order: Vec<usize> = (0..peers.len()).collect();
        // A different rotation each round, reversed every other one.
        order.rotate_left(round % peers.len().max(1));
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            bar.inc(1);
            samples[i].push(run_peer(&peers[i], n, seed, build_only)?);
        }
    }
    bar.finish_and_clear();
    Ok(peers
        .iter()
        .zip(samples)
        .map(|(p, runs)| {
            let keys: Vec<String> = runs[0].keys().cloned().collect();
            let med = keys
                .into_iter()
                .map(|k| {
                    let v = median(runs.iter().filter_map(|r| r.get(&k).copied()).collect());
                    (k, v)
                })
                .collect();
            (p.name().to_string(), med)
        })
        .collect())
}

/// `value / reference`, or "-" if either is missing.
fn ratio(v: Option<f64>, reference: Option<f64>) -> String {
    match (v, reference) {
        (Some(v), Some(r)) if r > 0.0 => format!("{:.2}", v / r),
        _ => "-".into(),
    }
}

fn get(m: &[(String, Medians)], name: &str, field: &str) -> Option<f64> {
    m.iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.get(field).copied())
}

/// Throughput results: per peer, its medians.
pub type Throughput = Vec<(String, Medians)>;

/// `lab throughput`, on every map or on those named in `only`.
///
/// # Errors
///
/// A child that fails or prints no result, a name in `only` that is no
/// map, or output errors.
pub fn run(
    n: u64,
    rounds: usize,
    seed: u64,
    out: &Path,
    go: &Availability,
    only: Option<&[String]>,
) -> Res<Throughput> {
    out_dir(out)?;
    let res = run_all(n, rounds, seed, false, go, only)?;
    let fields = [
        "build_ns",
        "hit_ns",
        "miss_ns",
        "path_build_ns",
        "path_hit_ns",
    ];
    let mut header = vec!["map"];
    for f in fields {
        header.push(f);
        header.push(match f {
            "build_ns" => "build_vs_hb",
            "hit_ns" => "hit_vs_hb",
            "miss_ns" => "miss_vs_hb",
            "path_build_ns" => "path_build_vs_hb",
            _ => "path_hit_vs_hb",
        });
        if go.peer().is_some() {
            header.push(match f {
                "build_ns" => "build_vs_go",
                "hit_ns" => "hit_vs_go",
                "miss_ns" => "miss_vs_go",
                "path_build_ns" => "path_build_vs_go",
                _ => "path_hit_vs_go",
            });
        }
    }
    let mut table = Table::new(&header);
    for (name, m) in &res {
        let mut row = vec![name.clone()];
        for f in fields {
            row.push(m.get(f).map_or("-".into(), |v| format!("{v:.1}")));
            row.push(ratio(m.get(f).copied(), get(&res, "hashbrown", f)));
            if go.peer().is_some() {
                row.push(ratio(m.get(f).copied(), get(&res, "go/gc_off", f)));
            }
        }
        table.push(row);
    }
    table.print();
    println!(
        "(ns per operation, medians of {} round(s), each map in its own process; \
         builds insert {} keys into a map made without a size hint)",
        rounds.max(1),
        fmt_count(n as f64)
    );
    table.write_csv(&out.join("throughput.csv"))?;
    println!("\noutput: {} (throughput.csv)", out.display());
    Ok(res)
}

/// `lab memory`: peak RSS of a process that only builds the map, net of a
/// baseline process that builds nothing.
///
/// # Errors
///
/// A child that fails or prints no result, or output errors.
pub fn memory(n: u64, rounds: usize, seed: u64, out: &Path, go: &Availability) -> Res<Throughput> {
    out_dir(out)?;
    let (base, go_base) = baseline(go.peer())?;
    let mut res = run_all(n, rounds, seed, true, go, None)?;
    for (name, m) in &mut res {
        let b = if name.starts_with("go/") {
            go_base.unwrap_or(0.0)
        } else {
            base
        };
        let hwm = m.get("hwm_bytes").copied().unwrap_or(0.0);
        m.insert("net_peak_rss".into(), (hwm - b).max(0.0));
    }
    let mib = |v: f64| format!("{:.1}", v / (1 << 20) as f64);
    let mut header = vec!["map", "peak_rss_MiB", "net_of_baseline_MiB", "vs_hashbrown"];
    if go.peer().is_some() {
        header.push("vs_go");
    }
    header.extend(["thp_MiB", "bytes_allocated_MiB", "peak_bytes_allocated_MiB"]);
    let mut table = Table::new(&header);
    for (name, m) in &res {
        let net = m.get("net_peak_rss").copied();
        let mut row = vec![
            name.clone(),
            m.get("hwm_bytes").map_or("-".into(), |&v| mib(v)),
            net.map_or("-".into(), mib),
            ratio(net, get(&res, "hashbrown", "net_peak_rss")),
        ];
        if go.peer().is_some() {
            row.push(ratio(net, get(&res, "go/gc_off", "net_peak_rss")));
        }
        row.push(m.get("thp_bytes").map_or("-".into(), |&v| mib(v)));
        row.push(m.get("bytes_allocated").map_or("-".into(), |&v| mib(v)));
        row.push(
            m.get("peak_bytes_allocated")
                .map_or("-".into(), |&v| mib(v)),
        );
        table.push(row);
    }
    table.print();
    println!(
        "(medians of {} round(s); baseline process: {} MiB peak RSS{}; transparent huge pages: {})",
        rounds.max(1),
        mib(base),
        go_base.map_or(String::new(), |g| format!(", Go's: {} MiB", mib(g))),
        thp_mode()
    );
    table.write_csv(&out.join("memory.csv"))?;
    let bars: Vec<(String, f64)> = res
        .iter()
        .map(|(name, m)| (name.clone(), m.get("net_peak_rss").copied().unwrap_or(0.0)))
        .collect();
    plot_bars(
        &out.join("memory.svg"),
        &format!(
            "Peak RSS building a map of {} u64 -> u64 (net of a baseline process)",
            fmt_count(n as f64)
        ),
        Unit::Bytes,
        &bars,
    )?;
    println!("\noutput: {} (memory.csv, memory.svg)", out.display());
    Ok(res)
}
