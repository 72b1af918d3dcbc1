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
    /// `pause`, `scaling` and `attribute` processes per map (own figures
    /// from their traces).
    pub repeat: usize,
    /// `throughput` keys.
    pub throughput: u64,
    /// `throughput` rounds.
    pub rounds: usize,
    /// `scaling`'s largest size (a power of ten).
    pub scaling: u64,
    /// `frontier` keys.
    pub frontier: u64,
    /// `fidelity` inserts (and as many insert+delete pairs).
    pub fidelity: u64,
    /// `attribute` inserts.
    pub attribute: u64,
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
    /// The sizes at `scale` (at least 100 keys each; scaling's largest
    /// size the largest power of ten at most 10^6 × scale, at least 10^4).
    pub fn at(scale: f64) -> Sizes {
        let size = |n: f64| ((n * scale) as u64).max(100);
        let mut largest = 10_000u64;
        while largest * 10 <= size(1e6) {
            largest *= 10;
        }
        Sizes {
            pause: size(5e5),
            repeat: 3,
            throughput: size(1e6),
            rounds: 3,
            scaling: largest,
            frontier: size(2e5),
            fidelity: size(1e5),
            attribute: size(1e6),
            residency: size(3e5),
            churn_n: size(1e5),
            churn_m: size(5e5),
            memory: size(2e6),
        }
    }
}

/// Prints a section header and runs `f`, timing it.
fn section<T>(title: &str, f: impl FnOnce() -> Res<T>) -> Res<T> {
    crate::say!("\n== {title}");
    let start = std::time::Instant::now();
    let v = f()?;
    crate::say!("({title}: {:.0} s)", start.elapsed().as_secs_f64());
    Ok(v)
}

/// Runs everything and prints the summary, the noise verdict and where
/// the plots are.
///
/// # Errors
///
/// A bad scale, or any experiment's error.
pub fn all(out: &Path, scale: f64, seed: u64, go: &GoPeers) -> Res<()> {
    if !(scale > 0.0 && scale.is_finite()) {
        return Err(format!("--scale must be a positive number, got {scale}").into());
    }
    let s = Sizes::at(scale);
    let started = std::time::Instant::now();
    go.announce();
    let pause = section(
        &format!(
            "pause ({} inserts per map, each timed, {} processes per map)",
            s.pause, s.repeat
        ),
        || crate::experiments::pause::run(s.pause, s.repeat, seed, out, go),
    )?;
    let tp = section(
        &format!(
            "throughput ({} keys, {} rounds, one process per map and round)",
            s.throughput, s.rounds
        ),
        || crate::experiments::throughput::run(s.throughput, s.rounds, seed, out, go, None),
    )?;
    let mem = section(
        &format!("memory ({} inserts, one process per map)", s.memory),
        || crate::experiments::throughput::memory(s.memory, 1, seed, out, go),
    )?;
    section(
        &format!(
            "scaling (the own worst insert from 10^4 keys to {}, {} processes per map and size)",
            s.scaling, s.repeat
        ),
        || crate::experiments::scaling::run(s.scaling, 1, s.repeat, seed, out, go),
    )?;
    section(
        &format!("frontier ({} keys per growth setting)", s.frontier),
        || crate::experiments::frontier::run(s.frontier, 1, s.repeat, seed, out, go),
    )?;
    match go.classic() {
        Some(peer) => {
            section(
                &format!(
                    "fidelity ({} inserts, then as many insert+delete pairs)",
                    s.fidelity
                ),
                || crate::experiments::fidelity::run(peer, s.fidelity, s.fidelity, seed, 1, out),
            )?;
        }
        None => crate::say!(
            "\n== fidelity skipped: it compares with Go's classic map ({})",
            go.skipped_line(crate::maps::go::Flavour::Classic)
        ),
    }
    section(
        &format!(
            "attribute (evacmap's slow inserts, {} inserts)",
            s.attribute
        ),
        || {
            crate::experiments::attribute::run(
                "evacmap",
                s.attribute,
                20,
                s.repeat,
                seed,
                &out.join("attribute"),
            )
        },
    )?;
    section(
        &format!("residency (burst of {} keys)", s.residency),
        || crate::experiments::residency::run(s.residency as usize, seed, out, go),
    )?;
    let churn = section(
        &format!(
            "churn ({} entries, {} insert+remove pairs)",
            s.churn_n, s.churn_m
        ),
        || crate::experiments::churn::run(s.churn_n, s.churn_m, seed, out),
    )?;
    section(
        &format!(
            "drain (fill {0}, remove 95%, {0} more operations)",
            s.residency
        ),
        || crate::experiments::drain::run(s.residency, s.residency, seed, out),
    )?;
    section(
        &format!(
            "concurrent ({} inserts by one writer, timed readers)",
            s.residency
        ),
        || crate::experiments::concurrent::run(s.residency, seed, out),
    )?;
    crate::say!(
        "\n== soak skipped: it runs for half an hour (`lab soak`; `lab soak --secs 60` for a \
         minute)"
    );
    let table = summary(&pause, &tp, &churn, &mem, go);
    crate::say!(
        "\n== summary: each map's time or memory as a multiple of hashbrown's (lower is \
         better), and its own worst insert (the per-insert minimum over {} processes)",
        s.repeat
    );
    summary_view(&table).print();
    crate::say!(
        "(build, hit, miss: untimed loops, medians of {} processes per map; p99.9, max: every \
         insert of `pause` timed, medians over its processes; own max: the per-insert minimum \
         over them (Go's maps: their slowest structural event); churn: insert+remove pairs; \
         peak: peak RSS of `memory`; summary.csv has every column, and ratios to Go's classic map)",
        s.rounds
    );
    let verdict = crate::experiments::noise::verdict(&tp, &pause);
    let mut csv = table.clone();
    let mut row = vec![String::new(); csv.header.len()];
    row[0] = "noise verdict".into();
    row[1] = verdict.sentence.clone();
    csv.push(row);
    csv.write_csv(&out.join("summary.csv"))?;
    go.announce();
    crate::say!("\nthe run against itself:");
    for c in &verdict.checks {
        crate::say!("  - {c}");
    }
    crate::say!("\n{}", verdict.sentence);
    plots_list(out)?;
    crate::say!(
        "\n(all experiments: {:.0} s; tables in {}, summary.csv first)",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

/// Prints every plot the run drew, by path, and how to redraw them.
fn plots_list(out: &Path) -> Res<()> {
    let mut plots: Vec<std::path::PathBuf> = Vec::new();
    for dir in [out.to_path_buf(), out.join("attribute")] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "svg") {
                    plots.push(p);
                }
            }
        }
    }
    plots.sort();
    crate::say!(
        "\nplots ({}; `lab plot {}` redraws them from the CSV files):",
        plots.len(),
        out.display()
    );
    for p in plots {
        crate::say!("  {}", p.display());
    }
    Ok(())
}

/// The printed columns of the summary (`summary.csv` has all).
fn summary_view(t: &Table) -> Table {
    t.view(&[
        ("map", "map", Shown::Text),
        ("build_vs_hb", "build", Shown::Text),
        ("hit_vs_hb", "hit", Shown::Text),
        ("miss_vs_hb", "miss", Shown::Text),
        ("p99.9_ns", "p99.9", Shown::Ns),
        ("max_ns", "max", Shown::Ns),
        ("own_max_ns", "own max", Shown::Ns),
        ("churn_vs_hb", "churn", Shown::Text),
        ("peak_mem_vs_hb", "peak", Shown::Text),
    ])
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
    crate::say!("== pause ({n} inserts per map, each timed, {repeat} processes per map)");
    let pause = crate::experiments::pause::run(n, repeat, seed, out, go)?;
    crate::say!("\n== throughput ({n} keys, {rounds} rounds, one process per map and round)");
    let tp = crate::experiments::throughput::run(n, rounds, seed, out, go, None)?;
    let mem_rounds = rounds.min(3);
    crate::say!("\n== memory ({n} keys, {mem_rounds} rounds, one process per map and round)");
    let mem = crate::experiments::throughput::memory(n, mem_rounds, seed, out, go)?;
    let table = compare_table(&pause, &tp, &mem);
    crate::say!(
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
            crate::say!("{}", go.skipped_line(flavour));
        }
    }
    table.write_csv(&out.join("compare.csv"))?;
    crate::say!(
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
