//! `lab pause`: the latency of every single insert, per map.
//!
//! Each map's timed build runs in `--repeat` processes (`run/repeat.rs`),
//! alternating the maps: N random keys inserted into a new map (no
//! reserve), each insert timed with a pair of clock reads. Every process
//! first times N empty pairs of the same clock: on a shared machine a
//! maximum means something only beside the largest delay an empty pair
//! sees in the same process.
//!
//! Two kinds of figures come out of it:
//! - **raw**: each process's percentiles, medians over the processes;
//! - **own**: for maps whose table is the same in every process, the
//!   per-insert minimum over the processes' traces (`run/trace.rs`): a
//!   stall of the machine hits one process at one insert, the map's own
//!   work recurs at the same insert in all of them. Go's maps are laid
//!   out differently in every process, so their own figure is their
//!   structural events' latency, timed by the Go program.
//!
//! evacmap's pause sources come from a separate in-process evacmap run
//! with its own timing on (`Policy::with_timing`), so that the latencies
//! above are not inflated by it.
//!
//! Steps: [`measure`] (processes), [`summarize`], [`table`],
//! [`write_csv`], [`plot`] (from the CSV files alone, so `lab plot`
//! redraws them).

use std::path::Path;
use std::time::Instant;

use evacmap::Policy;

use crate::Res;
use crate::keys::key;
use crate::maps::evacmap;
use crate::maps::go::GoPeers;
use crate::maps::registry::{self, Class, Experiment};
use crate::output::charts::{LinePlot, Panel, plot_panels, plot_percentiles};
use crate::output::{
    Shown, Table, Unit, fmt_count, fmt_ns, out_dir, read_csv, write_csv as write_rows,
};
use crate::run::child::SLOW_NS;
use crate::run::repeat::{How, Timed, timed};
use crate::run::trace::OVER_NS;
use crate::run::{Output, Target};
use crate::stats::{MAX, QUANTILES, median};

/// A map's own figures (see the module docs): NaN or `None` where the way
/// they were found does not give them.
#[derive(Clone, Debug)]
pub struct OwnFigures {
    /// How they were found.
    pub how: How,
    /// Own p99.9, p99.99 and worst insert (ns).
    pub p999: f64,
    /// Own p99.99 (ns).
    pub p9999: f64,
    /// Own worst insert (ns): the per-insert minimum's maximum; for Go's
    /// maps, the largest own latency of their structural events
    /// ([`EventFigures`]).
    pub max: f64,
    /// The insert (0-based) of the own worst.
    pub argmax: Option<u64>,
    /// Own inserts over 30 µs and over 100 µs.
    pub over: Option<[u64; 2]>,
    /// The timer's own floor: the per-pair minimum's maximum (ns).
    pub floor_max: f64,
    /// The largest own latencies, `(insert, ns)`, largest first.
    pub top: Vec<(u64, u64)>,
    /// Go's structural events, per kind.
    pub events: Vec<EventFigures>,
}

/// What `pause` found for one map.
#[derive(Clone, Debug)]
pub struct PauseSummary {
    /// The map.
    pub name: String,
    /// Processes run.
    pub processes: usize,
    /// Raw p50, p99, p99.9, p99.99, max, mean (ns), medians over the
    /// processes.
    pub numbers: Vec<f64>,
    /// Entries before the slowest insert, in the process whose maximum is
    /// the median one.
    pub len_at_max: u64,
    /// The same quantiles of the timer floor of the map's own processes.
    pub floor: Vec<f64>,
    /// The own figures.
    pub own: OwnFigures,
}

/// One kind of a Go map's structural events over its processes.
#[derive(Clone, Debug, PartialEq)]
pub struct EventFigures {
    /// `growth_start`, `table_split`, ….
    pub kind: String,
    /// Events of this kind per process (median).
    pub count: f64,
    /// Own median and largest latency: the `k`-th event of a kind does the
    /// same work in every process (the `k`-th split rehashes a full table,
    /// the `k`-th directory growth copies a directory of the same size),
    /// so the minimum over the processes of each `k`-th event filters the
    /// machine's stalls as the per-insert minimum does for maps whose
    /// inserts repeat.
    pub own_median: f64,
    /// The largest own latency.
    pub own_max: f64,
    /// The raw largest latency, median over the processes.
    pub raw_max: f64,
}

/// Go's structural events of every kind over the processes (see
/// [`EventFigures`]).
pub fn event_figures(rounds: &[Output]) -> Vec<EventFigures> {
    let mut kinds: Vec<&str> = Vec::new();
    for e in rounds.iter().flat_map(|o| &o.events) {
        if !kinds.contains(&e.kind.as_str()) {
            kinds.push(&e.kind);
        }
    }
    kinds
        .into_iter()
        .map(|kind| {
            let per: Vec<Vec<u64>> = rounds
                .iter()
                .map(|o| {
                    o.events
                        .iter()
                        .filter(|e| e.kind == kind)
                        .map(|e| e.ns)
                        .collect()
                })
                .collect();
            let ranks = per.iter().map(Vec::len).min().unwrap_or(0);
            let mut own: Vec<f64> = (0..ranks)
                .map(|k| per.iter().map(|v| v[k]).min().unwrap_or(0) as f64)
                .collect();
            own.sort_by(f64::total_cmp);
            let raw_max = median(
                per.iter()
                    .filter_map(|v| v.iter().max().map(|&m| m as f64))
                    .collect(),
            );
            EventFigures {
                kind: kind.to_string(),
                count: median(per.iter().map(|v| v.len() as f64).collect()),
                own_median: own.get(own.len() / 2).copied().unwrap_or(f64::NAN),
                own_max: own.last().copied().unwrap_or(f64::NAN),
                raw_max,
            }
        })
        .collect()
}

/// The own figures of one map's timed builds.
fn own_figures(t: &Timed) -> OwnFigures {
    let mut f = OwnFigures {
        how: t.how.clone(),
        p999: f64::NAN,
        p9999: f64::NAN,
        max: f64::NAN,
        argmax: None,
        over: None,
        floor_max: f64::NAN,
        top: Vec::new(),
        events: event_figures(&t.runs.rounds),
    };
    if let Some(r) = &t.own {
        f.p999 = r.inserts.quantile(0.999) as f64;
        f.p9999 = r.inserts.quantile(0.9999) as f64;
        f.max = r.inserts.max_ns as f64;
        f.argmax = Some(r.inserts.argmax);
        f.over = Some(r.inserts.over);
        f.floor_max = r.floor.max_ns as f64;
        f.top = r.inserts.top.clone();
    } else if let How::Events(_) = t.how {
        f.max = f.events.iter().map(|e| e.own_max).fold(f64::NAN, f64::max);
    }
    f
}

/// Raw medians over each map's processes, and its own figures.
pub fn summarize(timed: &[Timed]) -> Vec<PauseSummary> {
    timed
        .iter()
        .map(|t| {
            let r = &t.runs;
            let med = |pick: &dyn Fn(&Output) -> Option<f64>| {
                median(r.rounds.iter().filter_map(pick).collect())
            };
            let numbers: Vec<f64> = QUANTILES
                .iter()
                .map(|(k, _)| med(&|o| o.values.get(*k).copied()))
                .collect();
            let floor: Vec<f64> = QUANTILES
                .iter()
                .map(|(k, _)| med(&|o| o.floor.as_ref()?.get(*k).copied()))
                .collect();
            let max = numbers[MAX];
            let len_at_max = r
                .rounds
                .iter()
                .min_by(|a, b| {
                    let d = |o: &Output| (o.values.get("max_ns").unwrap_or(&0.0) - max).abs();
                    d(a).total_cmp(&d(b))
                })
                .and_then(|o| o.values.get("argmax"))
                .map_or(0, |&v| v as u64);
            PauseSummary {
                name: r.target.name.clone(),
                processes: r.rounds.len(),
                numbers,
                len_at_max,
                floor,
                own: own_figures(t),
            }
        })
        .collect()
}

/// A latency for a table: human units, `-` where unknown.
pub fn ns_cell(v: f64) -> String {
    if v.is_nan() { "-".into() } else { fmt_ns(v) }
}

/// A number for a CSV cell: whole nanoseconds, empty where unknown.
fn csv_ns(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v:.0}")
    }
}

/// The printed table (human units, under 120 columns): raw p99 … max
/// (medians over the processes), the own figures, and the timer floors
/// (raw, and the own floor where traces were taken).
pub fn table(summaries: &[PauseSummary]) -> Table {
    let mut t = Table::new(&[
        "map",
        "p99",
        "p99.9",
        "max",
        "own p99.9",
        "own max",
        "own max at",
        ">30µs",
        "floor",
        "own floor",
        "own from",
    ]);
    for s in summaries {
        let o = &s.own;
        t.push(vec![
            s.name.clone(),
            ns_cell(s.numbers[1]),
            ns_cell(s.numbers[2]),
            ns_cell(s.numbers[MAX]),
            ns_cell(o.p999),
            ns_cell(o.max),
            o.argmax.map_or("-".into(), |i| i.to_string()),
            o.over.map_or("-".into(), |v| v[0].to_string()),
            ns_cell(s.floor[MAX]),
            ns_cell(o.floor_max),
            o.how.note(),
        ]);
    }
    t
}

/// Every figure, for `pause_summary.csv` (ns).
pub fn csv_table(summaries: &[PauseSummary]) -> Table {
    let mut header: Vec<String> = vec!["map".into(), "processes".into()];
    header.extend(QUANTILES.iter().map(|q| q.0.to_string()));
    header.extend(
        [
            "len_at_max",
            "floor_max_ns",
            "own_p99.9_ns",
            "own_p99.99_ns",
            "own_max_ns",
            "own_argmax",
            "own_over_30us",
            "own_over_100us",
            "own_floor_max_ns",
            "own_from",
        ]
        .map(String::from),
    );
    let mut t = Table {
        header,
        rows: Vec::new(),
    };
    for s in summaries {
        let o = &s.own;
        let mut row = vec![s.name.clone(), s.processes.to_string()];
        row.extend(s.numbers.iter().map(|&v| csv_ns(v)));
        row.push(s.len_at_max.to_string());
        row.push(csv_ns(s.floor[MAX]));
        row.extend([csv_ns(o.p999), csv_ns(o.p9999), csv_ns(o.max)]);
        row.push(o.argmax.map_or(String::new(), |i| i.to_string()));
        for k in 0..OVER_NS.len() {
            row.push(o.over.map_or(String::new(), |v| v[k].to_string()));
        }
        row.push(csv_ns(o.floor_max));
        row.push(o.how.note());
        t.push(row);
    }
    t
}

/// Go's structural events, one row per map and kind (`pause_events.csv`,
/// nanoseconds).
fn events_table(summaries: &[PauseSummary]) -> Table {
    let mut t = Table::new(&[
        "map",
        "event",
        "per_process",
        "own_median_ns",
        "own_max_ns",
        "raw_max_ns",
    ]);
    for s in summaries {
        for e in &s.own.events {
            t.push(vec![
                s.name.clone(),
                e.kind.clone(),
                format!("{:.0}", e.count),
                csv_ns(e.own_median),
                csv_ns(e.own_max),
                csv_ns(e.raw_max),
            ]);
        }
    }
    t
}

/// How many slow inserts per map the timeline and `pause_slow.csv` keep: a
/// map whose every insert is slow (papaya at 10M keys has ~175,000 above
/// the threshold) would otherwise bury the others and make a 17 MB SVG. The
/// percentile plot carries the whole distribution.
const TIMELINE_CAP: usize = 5_000;

/// The `TIMELINE_CAP` slowest of `points` (`(insert, ns)`), in insert order.
fn slowest(mut points: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    if points.len() > TIMELINE_CAP {
        points.sort_by_key(|p| std::cmp::Reverse(p.1));
        points.truncate(TIMELINE_CAP);
        points.sort_by_key(|p| p.0);
    }
    points
}

/// Writes `pause_summary.csv`, `pause_events.csv` (Go's structural
/// events), `pause_curves.csv` (latency by percentile: the own curve
/// where there is one, else the first process's, and the timer floors),
/// and, from each map's first process, `pause_slow.csv` and
/// `pause_growth_starts.csv`, plus `pause_info.csv` (the key count, for
/// plot titles).
///
/// # Errors
///
/// I/O errors.
pub fn write_csv(out: &Path, n: u64, timed: &[Timed], summaries: &[PauseSummary]) -> Res<()> {
    csv_table(summaries).write_csv(&out.join("pause_summary.csv"))?;
    events_table(summaries).write_csv(&out.join("pause_events.csv"))?;
    let (mut curves, mut slow, mut growths) = (Vec::new(), Vec::new(), Vec::new());
    let mut floors_done = [false, false];
    let mut own_floor_done = false;
    let mut curve_rows = |label: &str, pts: &[(f64, f64)]| {
        curves.extend(
            pts.iter()
                .map(|(x, y)| vec![label.to_string(), x.to_string(), y.to_string()]),
        );
    };
    for t in timed {
        let r = &t.runs;
        let Some(first) = r.rounds.first() else {
            continue;
        };
        let name = &r.target.name;
        let go = matches!(r.target.class, Class::Go(..));
        if let Some(own) = &t.own {
            curve_rows(name, &own.inserts.curve());
            if !own_floor_done {
                own_floor_done = true;
                curve_rows("timer floor (own)", &own.floor.curve());
            }
        }
        for (label, pts) in &first.curves {
            let label = if label == name {
                if t.own.is_some() {
                    continue; // the own curve stands for it
                }
                format!("{name} (raw)")
            } else if !floors_done[usize::from(go)] {
                floors_done[usize::from(go)] = true;
                if go { "go timer floor" } else { "timer floor" }.to_string()
            } else {
                continue;
            };
            curve_rows(&label, pts);
        }
        slow.extend(
            slowest(first.slow.clone())
                .into_iter()
                .map(|(i, ns)| vec![name.clone(), i.to_string(), ns.to_string()]),
        );
        growths.extend(
            first
                .growths
                .iter()
                .map(|i| vec![name.clone(), i.to_string()]),
        );
    }
    let h = |cols: &[&str]| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    write_rows(
        &out.join("pause_curves.csv"),
        &h(&["map", "nines", "ns"]),
        &curves,
    )?;
    write_rows(
        &out.join("pause_slow.csv"),
        &h(&["map", "insert", "ns"]),
        &slow,
    )?;
    write_rows(
        &out.join("pause_growth_starts.csv"),
        &h(&["map", "insert"]),
        &growths,
    )?;
    write_rows(
        &out.join("pause_info.csv"),
        &h(&["keys"]),
        &[vec![n.to_string()]],
    )?;
    Ok(())
}

/// Draws `pause.svg` (latency by percentile) and `pause_timeline.svg`
/// (slow inserts over the build, one panel per map) from the CSV files in
/// `out`.
///
/// # Errors
///
/// Missing or malformed CSV files, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let n: f64 = read_csv(&out.join("pause_info.csv"))?.rows[0][0].parse()?;
    let curves = read_csv(&out.join("pause_curves.csv"))?;
    let mut by_map: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for r in &curves.rows {
        let pt = (r[1].parse()?, r[2].parse()?);
        match by_map.iter_mut().find(|c| c.0 == r[0]) {
            Some(c) => c.1.push(pt),
            None => by_map.push((r[0].clone(), vec![pt])),
        }
    }
    // The percentile plot keeps the maps the claim is about: evacmap with
    // Go's policy and all at once, the peers, and the floors (the other
    // evacmap settings are in the table and `frontier`).
    let shown: Vec<(String, Vec<(f64, f64)>)> = by_map
        .iter()
        .filter(|(m, _)| !m.starts_with("evacmap/") || m == "evacmap/all_at_once")
        .cloned()
        .collect();
    plot_percentiles(
        &out.join("pause.svg"),
        &format!(
            "Insert latency by percentile, {} random u64 keys into a new map",
            fmt_count(n)
        ),
        &shown,
    )?;
    let slow = read_csv(&out.join("pause_slow.csv"))?;
    let starts = read_csv(&out.join("pause_growth_starts.csv"))?;
    let summary = read_csv(&out.join("pause_summary.csv"))?;
    let floor_of = |name: &str| {
        let row = summary.rows.iter().position(|r| r[0] == name)?;
        summary.cell(row, "floor_max_ns")?.parse::<f64>().ok()
    };
    let mut panels: Vec<Panel> = Vec::new();
    for (label, _) in by_map.iter().filter(|(m, _)| !m.contains("floor")) {
        let name = label.trim_end_matches(" (raw)");
        let points = slow
            .rows
            .iter()
            .filter(|r| r[0] == name)
            .map(|r| Ok((r[1].parse()?, r[2].parse()?)))
            .collect::<Res<Vec<(f64, f64)>>>()?;
        let marks = starts
            .rows
            .iter()
            .filter(|r| r[0] == name)
            .map(|r| Ok(r[1].parse()?))
            .collect::<Res<Vec<f64>>>()?;
        panels.push(Panel {
            name: name.to_string(),
            points,
            marks,
            floor: floor_of(name),
        });
    }
    plot_panels(
        &out.join("pause_timeline.svg"),
        &LinePlot {
            title: &format!(
                "Inserts slower than {} µs in one build of {} keys per map (raw; at most the {} \
                 slowest); dark ticks: growth starts (Swiss: directory doublings); dashed: the \
                 machine alone (largest empty clock pair)",
                SLOW_NS / 1000,
                fmt_count(n),
                fmt_count(TIMELINE_CAP as f64)
            ),
            x_label: "entries before the insert",
            x_unit: Unit::Count,
            y_label: "insert latency (log)",
            y_unit: Unit::Nanos,
            log_y: true,
            phases: Vec::new(),
            marks: None,
            points_only: true,
        },
        (0.0, n),
        &panels,
    )?;
    Ok(())
}

/// evacmap's pause sources: an in-process run with its own timing on.
fn pause_sources(n: u64, seed: u64) -> Res<()> {
    eprintln!("pause: evacmap with its own timing on (pause sources)");
    let mut timed = evacmap::<u64>(Policy::go().with_timing(true));
    let start = Instant::now();
    for i in 0..n {
        let k = key(seed, i);
        timed.insert(k, k);
    }
    let total_ns = start.elapsed().as_nanos().max(1) as f64;
    let t = timed.instruments().timing().ok_or("timing is on")?;
    crate::say!(
        "\nevacmap (own timing on, {n} inserts, {:.0} ms): evacuation {:.1}%, allocating arrays {:.1}%, \
         freeing arrays {:.1}% of insert time; longest insert {} ns at len {}",
        total_ns / 1e6,
        100.0 * t.evacuation_ns as f64 / total_ns,
        100.0 * t.alloc_ns as f64 / total_ns,
        100.0 * t.free_ns as f64 / total_ns,
        t.max_pause_ns,
        t.max_pause_len
    );
    Ok(())
}

/// The sentence under every latency table: what raw, own and floor mean.
pub fn legend(repeat: usize) -> String {
    format!(
        "(raw p99 … max: medians over {repeat} process(es) per map; own: the per-insert minimum \
         over them, where the map lays out its table the same in every process (Go's maps do \
         not: their own max is their slowest structural event, `pause_events.csv`); >30µs: own \
         inserts above 30 µs; floor: the largest of N empty clock pairs, raw and own)"
    )
}

/// Runs the experiment on every map the registry gives `pause`: `repeat`
/// processes per map; traces under `out/traces`, deleted once reduced.
///
/// # Errors
///
/// Output errors, too little disk for the traces, a map that lost keys,
/// or a process whose output does not parse.
pub fn run(n: u64, repeat: usize, seed: u64, out: &Path, go: &GoPeers) -> Res<Vec<PauseSummary>> {
    out_dir(out)?;
    let targets: Vec<Target> = registry::maps_in(Experiment::Pause, go)
        .into_iter()
        .map(Target::from)
        .collect();
    let timed = timed(&targets, n, repeat, seed, go, &out.join("traces"), false)?;
    let summaries = summarize(&timed);
    table(&summaries).print();
    crate::say!("{}", legend(repeat));
    let events = events_table(&summaries);
    if !events.rows.is_empty() {
        crate::say!(
            "\nGo's structural events, timed by the Go program (own: the k-th event of a kind \
             does the same work in every process, so each k-th event's minimum over the processes):"
        );
        events
            .view(&[
                ("map", "map", Shown::Text),
                ("event", "event", Shown::Text),
                ("per_process", "per process", Shown::Count),
                ("own_median_ns", "own median", Shown::Ns),
                ("own_max_ns", "own max", Shown::Ns),
                ("raw_max_ns", "raw max", Shown::Ns),
            ])
            .print();
    }
    pause_sources(n, seed)?;
    write_csv(out, n, &timed, &summaries)?;
    plot(out)?;
    crate::say!(
        "\noutput: {} (pause_summary.csv, pause_events.csv, pause_curves.csv, pause_slow.csv, \
         pause_growth_starts.csv, pause.svg, pause_timeline.svg)",
        out.display()
    );
    Ok(summaries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowest_keeps_the_slowest_in_insert_order() {
        let few = vec![(3, 1), (1, 9)];
        assert_eq!(slowest(few.clone()), few);
        let many: Vec<(u64, u64)> = (0..TIMELINE_CAP as u64 + 10)
            .map(|i| (i, (i * 7919) % 10_007))
            .collect();
        let kept = slowest(many.clone());
        assert_eq!(kept.len(), TIMELINE_CAP);
        assert!(kept.windows(2).all(|w| w[0].0 < w[1].0));
        let cut = kept.iter().map(|p| p.1).min().unwrap();
        let dropped = many.iter().filter(|p| !kept.contains(p));
        assert!(dropped.into_iter().all(|p| p.1 <= cut));
    }
}
