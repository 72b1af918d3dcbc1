//! `lab all`: every experiment at a size that takes seconds, then one
//! summary table per map, built from the experiments' medians.

use std::path::Path;

use crate::Res;
use crate::experiments::pause::PauseSummary;
use crate::experiments::throughput::{GO_REF, Throughput, ratio};
use crate::maps::go::GoPeers;
use crate::output::{Shown, Table};
use crate::stats::MAX;

/// Sizes of `lab all` at `--scale 1`.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// `pause` inserts.
    pub pause: u64,
    /// `pause` processes per map (own figures from their traces).
    pub repeat: usize,
    /// `throughput` keys.
    pub throughput: u64,
    /// `throughput` rounds.
    pub rounds: usize,
    /// `residency` burst.
    pub residency: u64,
    /// `churn` entries.
    pub churn_n: u64,
    /// `churn` insert+remove pairs.
    pub churn_m: u64,
    /// `memory` keys.
    pub memory: u64,
}

impl Sizes {
    /// The sizes at `scale` (at least 100 keys each).
    pub fn at(scale: f64) -> Sizes {
        let size = |n: f64| ((n * scale) as u64).max(100);
        Sizes {
            pause: size(1e6),
            repeat: 3,
            throughput: size(1e6),
            rounds: 3,
            residency: size(3e5),
            churn_n: size(1e5),
            churn_m: size(1e6),
            memory: size(2e6),
        }
    }
}

/// Runs everything and prints the summary.
///
/// # Errors
///
/// A bad scale, or any experiment's error.
pub fn all(out: &Path, scale: f64, seed: u64, go: &GoPeers) -> Res<()> {
    if !(scale > 0.0 && scale.is_finite()) {
        return Err(format!("--scale must be a positive number, got {scale}").into());
    }
    let s = Sizes::at(scale);
    go.announce();
    println!("== pause ({} inserts per map, each timed)", s.pause);
    let pause = crate::experiments::pause::run(s.pause, s.repeat, seed, out, go)?;
    println!(
        "\n== throughput ({} keys, {} rounds, one process per map and round)",
        s.throughput, s.rounds
    );
    let tp = crate::experiments::throughput::run(s.throughput, s.rounds, seed, out, go, None)?;
    println!("\n== residency (burst of {} keys)", s.residency);
    crate::experiments::residency::run(s.residency as usize, seed, out, go)?;
    println!(
        "\n== churn ({} entries, {} insert+remove pairs)",
        s.churn_n, s.churn_m
    );
    let churn = crate::experiments::churn::run(s.churn_n, s.churn_m, seed, out)?;
    println!(
        "\n== drain (fill {0}, remove 95%, {0} more operations)",
        s.residency
    );
    crate::experiments::drain::run(s.residency, s.residency, seed, out)?;
    println!(
        "\n== concurrent ({} inserts by one writer, timed readers)",
        s.residency
    );
    crate::experiments::concurrent::run(s.residency, seed, out)?;
    println!("\n== memory ({} inserts, one process per map)", s.memory);
    let mem = crate::experiments::throughput::memory(s.memory, 1, seed, out, go)?;
    let table = summary(&pause, &tp, &churn, &mem, go);
    println!(
        "\n== summary: each map's time or memory divided by hashbrown's{} (lower is better), \
         and its own insert latencies in ns",
        if go.classic().is_some() {
            " and by Go's classic map with GC off"
        } else {
            ""
        }
    );
    table.print();
    println!(
        "(build: untimed inserts into a new map, medians of {} processes per map; hit, miss, path hit: \
         lookups in those processes; p99/p99.99/max: `pause`, every insert timed; peak memory: `memory`)",
        s.rounds
    );
    table.write_csv(&out.join("summary.csv"))?;
    go.announce();
    println!(
        "\noutput: {} (summary.csv and the files above)",
        out.display()
    );
    Ok(())
}

fn field(tp: &Throughput, name: &str, f: &str) -> Option<f64> {
    tp.iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, m)| m.get(f).copied())
}

/// The summary table from the experiments' results.
pub fn summary(
    pause: &[PauseSummary],
    tp: &Throughput,
    churn: &[(&'static str, f64)],
    mem: &Throughput,
    go: &GoPeers,
) -> Table {
    let with_go = go.classic().is_some();
    let mut header = vec!["map", "build_vs_hb"];
    if with_go {
        header.push("build_vs_go");
    }
    header.extend(["hit_vs_hb", "miss_vs_hb", "path_hit_vs_hb"]);
    if with_go {
        header.extend(["hit_vs_go", "miss_vs_go", "path_hit_vs_go"]);
    }
    header.extend([
        "p99_ns",
        "p99.9_ns",
        "p99.99_ns",
        "max_ns",
        "own_max_ns",
        "churn_vs_hb",
        "peak_mem_vs_hb",
    ]);
    if with_go {
        header.push("peak_mem_vs_go");
    }
    let mut table = Table::new(&header);
    let go_ref = GO_REF;
    for (name, _) in tp {
        let mut row = vec![name.clone()];
        let tpr = |f: &str, reference: &str| ratio(field(tp, name, f), field(tp, reference, f));
        row.push(tpr("build_ns", "hashbrown"));
        if with_go {
            row.push(tpr("build_ns", go_ref));
        }
        for f in ["hit_ns", "miss_ns", "path_hit_ns"] {
            row.push(tpr(f, "hashbrown"));
        }
        if with_go {
            for f in ["hit_ns", "miss_ns", "path_hit_ns"] {
                row.push(tpr(f, go_ref));
            }
        }
        let p = pause.iter().find(|p| &p.name == name);
        for q in [1, 2, 3, MAX] {
            row.push(p.map_or("-".into(), |p| format!("{:.0}", p.numbers[q])));
        }
        row.push(p.map_or("-".into(), |p| {
            if p.own.max.is_finite() {
                format!("{:.0}", p.own.max)
            } else {
                "-".into()
            }
        }));
        let hb_churn = churn.iter().find(|c| c.0 == "hashbrown").map(|c| c.1);
        row.push(ratio(
            churn.iter().find(|c| c.0 == name).map(|c| c.1),
            hb_churn,
        ));
        let m = |n: &str| field(mem, n, "net_peak_rss");
        row.push(ratio(m(name), m("hashbrown")));
        if with_go {
            row.push(ratio(m(name), m(go_ref)));
        }
        table.push(row);
    }
    table
}

/// `lab compare`: `pause`, `throughput` and `memory` at one size, then one
/// table per map with absolute numbers and their ratios to hashbrown and
/// to Go's classic map (GC off): the side-by-side table of
/// `docs/results.md`. Go's Swiss map has its own rows when a Go 1.24 or
/// later is found.
///
/// # Errors
///
/// Any experiment's error.
pub fn compare(
    n: u64,
    rounds: usize,
    repeat: usize,
    seed: u64,
    out: &Path,
    go: &GoPeers,
) -> Res<Table> {
    println!("== pause ({n} inserts per map, each timed, {repeat} processes per map)");
    let pause = crate::experiments::pause::run(n, repeat, seed, out, go)?;
    println!("\n== throughput ({n} keys, {rounds} rounds, one process per map and round)");
    let tp = crate::experiments::throughput::run(n, rounds, seed, out, go, None)?;
    let mem_rounds = rounds.min(3);
    println!("\n== memory ({n} keys, {mem_rounds} rounds, one process per map and round)");
    let mem = crate::experiments::throughput::memory(n, mem_rounds, seed, out, go)?;
    let table = compare_table(&pause, &tp, &mem);
    println!(
        "\n== compare at {n} keys: build, hit, miss per operation (untimed loops, medians of \
         {rounds} processes per map) and as × hashbrown; p99 and max of timed inserts (medians \
         of {repeat} processes), own p99.9 and max (per-insert minimum over them; Go's maps: \
         their slowest structural event); peak RSS net of a baseline process (median of \
         {mem_rounds}); THP: {} (compare.csv: every column, path-string hits, ratios to Go)",
        crate::run::child::thp_mode()
    );
    compare_view(&table).print();
    for flavour in crate::maps::go::Flavour::ALL {
        if go.get(flavour).is_none() {
            println!("{}", go.skipped_line(flavour));
        }
    }
    table.write_csv(&out.join("compare.csv"))?;
    println!(
        "\noutput: {} (compare.csv and the files above)",
        out.display()
    );
    Ok(table)
}

/// The printed columns of `compare` (`compare.csv` has all).
fn compare_view(t: &Table) -> Table {
    t.view(&[
        ("map", "map", Shown::Text),
        ("build_ns", "build", Shown::Ns),
        ("build_vs_hb", "×hb", Shown::Text),
        ("hit_ns", "hit", Shown::Ns),
        ("hit_vs_hb", "×hb", Shown::Text),
        ("miss_ns", "miss", Shown::Ns),
        ("miss_vs_hb", "×hb", Shown::Text),
        ("p99_ns", "p99", Shown::Ns),
        ("max_ns", "max", Shown::Ns),
        ("own_p99.9_ns", "own p99.9", Shown::Ns),
        ("own_max_ns", "own max", Shown::Ns),
        ("peak_rss_MiB", "peak", Shown::MiB),
        ("rss_vs_hb", "×hb", Shown::Text),
    ])
}

/// The side-by-side table of `compare`.
pub fn compare_table(pause: &[PauseSummary], tp: &Throughput, mem: &Throughput) -> Table {
    let get = crate::experiments::throughput::get;
    let with_go = get(tp, GO_REF, "build_ns").is_some();
    let mut header: Vec<String> = vec!["map".into()];
    for f in ["build_ns", "hit_ns", "miss_ns", "path_hit_ns"] {
        let stem = f.trim_end_matches("_ns");
        header.push(f.into());
        header.push(format!("{stem}_vs_hb"));
        if with_go {
            header.push(format!("{stem}_vs_go"));
        }
    }
    for h in [
        "p99_ns",
        "p99.9_ns",
        "p99.99_ns",
        "max_ns",
        "floor_max_ns",
        "max_at_insert",
        "own_p99.9_ns",
        "own_p99.99_ns",
        "own_max_ns",
        "own_max_at_insert",
        "own_floor_max_ns",
        "own_from",
        "peak_rss_MiB",
        "rss_vs_hb",
    ] {
        header.push(h.into());
    }
    if with_go {
        header.push("rss_vs_go".into());
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new(&header);
    for (name, _) in tp {
        let mut row = vec![name.clone()];
        for f in ["build_ns", "hit_ns", "miss_ns", "path_hit_ns"] {
            row.push(get(tp, name, f).map_or("-".into(), |v| format!("{v:.1}")));
            row.push(ratio(get(tp, name, f), get(tp, "hashbrown", f)));
            if with_go {
                row.push(ratio(get(tp, name, f), get(tp, GO_REF, f)));
            }
        }
        let p = pause.iter().find(|p| &p.name == name);
        for q in [1, 2, 3, MAX] {
            row.push(p.map_or("-".into(), |p| format!("{:.0}", p.numbers[q])));
        }
        row.push(p.map_or("-".into(), |p| format!("{:.0}", p.floor[MAX])));
        row.push(p.map_or("-".into(), |p| p.len_at_max.to_string()));
        let f0 = |v: f64| {
            if v.is_finite() {
                format!("{v:.0}")
            } else {
                "-".into()
            }
        };
        row.push(p.map_or("-".into(), |p| f0(p.own.p999)));
        row.push(p.map_or("-".into(), |p| f0(p.own.p9999)));
        row.push(p.map_or("-".into(), |p| f0(p.own.max)));
        row.push(p.map_or("-".into(), |p| {
            p.own.argmax.map_or("-".into(), |i| i.to_string())
        }));
        row.push(p.map_or("-".into(), |p| f0(p.own.floor_max)));
        row.push(p.map_or("-".into(), |p| p.own.how.note()));
        let m = |n: &str| get(mem, n, "net_peak_rss");
        row.push(m(name).map_or("-".into(), |v| format!("{:.1}", v / (1u64 << 20) as f64)));
        row.push(ratio(m(name), m("hashbrown")));
        if with_go {
            row.push(ratio(m(name), m(GO_REF)));
        }
        table.push(row);
    }
    table
}
