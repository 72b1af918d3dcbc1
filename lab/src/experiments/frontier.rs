//! `lab frontier`: what each way of paying for growth buys and costs, as
//! points on one chart. evacmap's per-write budget (`cursor_steps`: old
//! buckets evacuated at the cursor by each write, besides the one the
//! write uses; Go's is 1) is swept over 1, 2, 4, … 256, plus all at once;
//! the other maps the registry gives `frontier` (hashbrown, griddle,
//! papaya, Go's classic and Swiss maps) are single points.
//!
//! Per point, each in its own processes (`run/`), in alternating order:
//! - untimed build (ns per insert), hits and misses (ns per lookup), peak
//!   RSS net of a baseline process (`Mode::Lookups`), medians of
//!   `--rounds` processes;
//! - the timed build in `--repeat` processes (`run/repeat.rs`): raw p99
//!   … worst insert (medians) with the largest empty clock pair of the
//!   same processes, and the own p99.9 and worst insert (the per-insert
//!   minimum over the processes; for Go's maps, their slowest structural
//!   event);
//! - for evacmap, the old-array residency of the untimed build: writes
//!   and milliseconds during which an old array was held, and the same
//!   weighted by the old array's size (MiB × writes, MiB × ms).
//!
//! Two plots, each with its Pareto front (the points that no other point
//! beats on both axes): build time against the own worst insert, and p99
//! against the own p99.9. The table marks the points on each front.

use std::path::Path;

use crate::Res;
use crate::experiments::pause::summarize;
use crate::experiments::throughput::{add_net_rss, get, medians};
use crate::maps::go::GoPeers;
use crate::maps::registry::{self, Class, Experiment};
use crate::output::charts::{Axis, Point, plot_scatter};
use crate::output::{Shown, Table, Unit, fmt_count, out_dir, read_csv};
use crate::run::measure;
use crate::run::repeat::timed;
use crate::run::{Mode, Target};
use crate::stats::MAX;

/// The cursor steps swept.
pub const STEPS: [usize; 9] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/// The map name of evacmap with `steps` cursor steps (Go's is `evacmap`).
pub fn setting_name(steps: usize) -> String {
    if steps == 1 {
        "evacmap".into()
    } else {
        format!("evacmap/cursor_steps={steps}")
    }
}

/// The points: the registry's maps for `frontier`, and the settings of
/// [`STEPS`] not registered on their own.
pub fn targets(go: &GoPeers) -> Vec<Target> {
    let mut t: Vec<Target> = registry::maps_in(Experiment::Frontier, go)
        .into_iter()
        .map(Target::from)
        .collect();
    for steps in STEPS {
        let name = setting_name(steps);
        if !t.iter().any(|x| x.name == name) {
            t.push(Target::evacmap(name));
        }
    }
    // evacmap's settings first, by steps, then all at once, then the rest.
    let rank = |x: &Target| match steps_of(&x.name) {
        Some(s) => s,
        None if x.name == "evacmap/all_at_once" => usize::MAX - 1,
        None => usize::MAX,
    };
    t.sort_by_key(rank);
    t
}

/// The cursor steps of an evacmap setting's name.
fn steps_of(name: &str) -> Option<usize> {
    if name == "evacmap" {
        return Some(1);
    }
    name.strip_prefix("evacmap/cursor_steps=")?.parse().ok()
}

/// A point's short label in the plots.
fn label(name: &str) -> String {
    match steps_of(name) {
        Some(s) => format!("{s} step{}", if s == 1 { " (Go)" } else { "s" }),
        None if name == "evacmap/all_at_once" => "all at once".into(),
        None => name.into(),
    }
}

/// The series a point belongs to (its colour): evacmap's settings and
/// all-at-once are one family.
fn series(name: &str) -> String {
    if steps_of(name).is_some() {
        "evacmap (cursor steps)".into()
    } else {
        name.into()
    }
}

/// The indices of the Pareto front of `pts` (lower is better on both
/// axes), in x order; points with a missing coordinate are never on it.
pub fn pareto(pts: &[(f64, f64)]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..pts.len())
        .filter(|&i| pts[i].0.is_finite() && pts[i].1.is_finite())
        .collect();
    idx.sort_by(|&a, &b| {
        pts[a]
            .0
            .total_cmp(&pts[b].0)
            .then(pts[a].1.total_cmp(&pts[b].1))
    });
    let mut front = Vec::new();
    let mut best = f64::INFINITY;
    for i in idx {
        if pts[i].1 < best {
            best = pts[i].1;
            front.push(i);
        }
    }
    front
}

/// Measures every point.
///
/// # Errors
///
/// A process that fails or prints nothing usable.
pub fn measure_points(
    n: u64,
    rounds: usize,
    repeat: usize,
    seed: u64,
    out: &Path,
    go: &GoPeers,
) -> Res<Table> {
    let targets = targets(go);
    eprintln!(
        "frontier: {} points, {rounds} untimed and {repeat} timed process(es) each, {n} keys",
        targets.len()
    );
    let pause = summarize(&timed(
        &targets,
        n,
        repeat,
        seed,
        go,
        &out.join("traces"),
        false,
    )?);
    let mut tp = medians(&measure(&targets, Mode::Lookups, n, rounds, seed, go)?);
    add_net_rss(&mut tp, go)?;
    let mut t = Table::new(&[
        "map",
        "chains_per_write",
        "build_ns",
        "hit_ns",
        "miss_ns",
        "p99_ns",
        "p99.9_ns",
        "p99.99_ns",
        "max_ns",
        "floor_max_ns",
        "own_p99.9_ns",
        "own_max_ns",
        "own_floor_max_ns",
        "own_from",
        "peak_rss_MiB",
        "held_writes",
        "held_ms",
        "old_MiB_x_writes",
        "old_MiB_x_ms",
        "front_build_max",
        "front_p99_p999",
    ]);
    let f1 = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.1}"));
    let f0 = |v: f64| {
        if v.is_finite() {
            format!("{v:.0}")
        } else {
            "-".into()
        }
    };
    for (target, p) in targets.iter().zip(&pause) {
        let name = &target.name;
        let chains = match (steps_of(name), target.class) {
            (Some(s), _) => (s + 1).to_string(),
            (None, Class::Evacmap) => "all".into(),
            _ => "-".into(),
        };
        let g = |f: &str| get(&tp, name, f);
        t.push(vec![
            name.clone(),
            chains,
            f1(g("build_ns")),
            f1(g("hit_ns")),
            f1(g("miss_ns")),
            f0(p.numbers[1]),
            f0(p.numbers[2]),
            f0(p.numbers[3]),
            f0(p.numbers[MAX]),
            f0(p.floor[MAX]),
            f0(p.own.p999),
            f0(p.own.max),
            f0(p.own.floor_max),
            p.own.how.note(),
            f1(g("net_peak_rss").map(|v| v / (1u64 << 20) as f64)),
            g("held_writes").map_or("-".into(), |v| format!("{v:.0}")),
            f1(g("held_ms")),
            f1(g("old_mib_writes")),
            f1(g("old_mib_ms")),
            String::new(),
            String::new(),
        ]);
    }
    mark_fronts(&mut t);
    Ok(t)
}

/// The printed columns of the frontier table (`frontier.csv` has all).
fn view(t: &Table) -> Table {
    t.view(&[
        ("map", "map", Shown::Text),
        ("chains_per_write", "chains", Shown::Text),
        ("build_ns", "build", Shown::Ns),
        ("hit_ns", "hit", Shown::Ns),
        ("miss_ns", "miss", Shown::Ns),
        ("p99_ns", "p99", Shown::Ns),
        ("own_p99.9_ns", "own p99.9", Shown::Ns),
        ("max_ns", "max", Shown::Ns),
        ("own_max_ns", "own max", Shown::Ns),
        ("peak_rss_MiB", "peak", Shown::MiB),
        ("held_writes", "old held", Shown::Count),
        ("front_build_max", "front 1", Shown::Text),
        ("front_p99_p999", "front 2", Shown::Text),
    ])
}

/// A column of `t` as numbers (NaN where missing).
fn column(t: &Table, name: &str) -> Vec<f64> {
    let c = t.header.iter().position(|h| h == name).expect("column");
    t.rows
        .iter()
        .map(|r| r[c].parse().unwrap_or(f64::NAN))
        .collect()
}

/// Fills the two `front_` columns.
fn mark_fronts(t: &mut Table) {
    let xy = |x: &str, y: &str| -> Vec<(f64, f64)> {
        column(t, x).into_iter().zip(column(t, y)).collect()
    };
    let fronts = [
        pareto(&xy("own_max_ns", "build_ns")),
        pareto(&xy("own_p99.9_ns", "p99_ns")),
    ];
    let cols = ["front_build_max", "front_p99_p999"]
        .map(|c| t.header.iter().position(|h| h == c).expect("column"));
    for (i, row) in t.rows.iter_mut().enumerate() {
        for (front, &c) in fronts.iter().zip(&cols) {
            row[c] = if front.contains(&i) { "yes" } else { "" }.into();
        }
    }
}

/// Draws `frontier_build_max.svg` and `frontier_p99.svg` from
/// `frontier.csv`.
///
/// # Errors
///
/// A missing or malformed CSV file, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let t = read_csv(&out.join("frontier.csv"))?;
    let n: f64 = read_csv(&out.join("frontier_info.csv"))?.rows[0][0].parse()?;
    let names: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
    for (file, (x, x_label), (y, y_label, y_log), title) in [
        (
            "frontier_build_max.svg",
            (
                "own_max_ns",
                "own worst insert: per-insert minimum over repeated builds (log)",
            ),
            ("build_ns", "untimed build per insert (log)", true),
            "Throughput against the worst insert",
        ),
        (
            "frontier_p99.svg",
            ("own_p99.9_ns", "own p99.9 insert (log)"),
            ("p99_ns", "p99 insert (log)", true),
            "The typical slow insert against the rare one",
        ),
    ] {
        let (xs, ys) = (column(&t, x), column(&t, y));
        let pts: Vec<(f64, f64)> = xs.iter().copied().zip(ys.iter().copied()).collect();
        let points: Vec<Point> = names
            .iter()
            .zip(&pts)
            .filter(|(_, p)| p.0.is_finite() && p.1.is_finite())
            .map(|(name, p)| Point {
                series: series(name),
                label: label(name),
                x: p.0,
                y: p.1,
            })
            .collect();
        let front: Vec<(f64, f64)> = pareto(&pts).into_iter().map(|i| pts[i]).collect();
        plot_scatter(
            &out.join(file),
            &format!("{title}: {} random u64 keys into a new map", fmt_count(n)),
            Axis {
                label: x_label,
                unit: Unit::Nanos,
                log: true,
            },
            Axis {
                label: y_label,
                unit: Unit::Nanos,
                log: y_log,
            },
            &points,
            &front,
        )?;
    }
    Ok(())
}

/// Runs the experiment.
///
/// # Errors
///
/// Any process's error, or output errors.
pub fn run(
    n: u64,
    rounds: usize,
    repeat: usize,
    seed: u64,
    out: &Path,
    go: &GoPeers,
) -> Res<Table> {
    out_dir(out)?;
    let t = measure_points(n, rounds, repeat, seed, out, go)?;
    crate::say!(
        "\n== frontier at {n} keys: untimed build, hit, miss per operation (medians of {rounds} \
         processes); p99 and max of timed inserts (medians of {repeat}) and own p99.9 and max \
         (per-insert minimum over them; Go: its slowest structural event); peak RSS net of a \
         baseline process; writes the old array was held (evacmap); fronts: on the Pareto front \
         of build vs own max, p99 vs own p99.9 (CSV: every column)"
    );
    view(&t).print();
    t.write_csv(&out.join("frontier.csv"))?;
    crate::output::write_csv(
        &out.join("frontier_info.csv"),
        &["keys".to_string()],
        &[vec![n.to_string()]],
    )?;
    plot(out)?;
    for flavour in crate::maps::go::Flavour::ALL {
        if go.get(flavour).is_none() {
            crate::say!("{}", go.skipped_line(flavour));
        }
    }
    crate::say!(
        "\noutput: {} (frontier.csv, frontier_build_max.svg, frontier_p99.svg)",
        out.display()
    );
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pareto_keeps_the_undominated_points() {
        let pts = [
            (1.0, 9.0),
            (2.0, 5.0),
            (3.0, 6.0),
            (4.0, 1.0),
            (f64::NAN, 0.0),
            (2.0, 5.0),
        ];
        assert_eq!(pareto(&pts), [0, 1, 3]);
        assert!(pareto(&[]).is_empty());
    }

    #[test]
    fn labels_and_settings() {
        assert_eq!(setting_name(1), "evacmap");
        assert_eq!(steps_of("evacmap/cursor_steps=16"), Some(16));
        assert_eq!(label("evacmap"), "1 step (Go)");
        assert_eq!(label("evacmap/all_at_once"), "all at once");
        let t = targets(&GoPeers::none());
        assert_eq!(t[0].name, "evacmap");
        assert!(t.iter().any(|x| x.name == "evacmap/cursor_steps=256"));
        assert!(t.iter().any(|x| x.name == "griddle"));
    }
}
