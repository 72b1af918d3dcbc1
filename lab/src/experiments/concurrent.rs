//! `lab concurrent`: readers and one writer on the same concurrent map. The
//! writer inserts N keys (no reserve) while readers look up random keys
//! already inserted, timing every lookup. Run with 1 reader (2 threads on
//! this 2-core machine) and with 3 readers (4 threads: oversubscribed).
//!
//! Maps, all hashing with the same fixed-seed `ahash` and 8 shards where
//! sharded: `ShardedEvacMap` with Go's policy, the same with
//! `Policy::all_at_once()` (stop-the-world on identical code),
//! `dashmap::DashMap`, `papaya::HashMap` (lock-free, incremental resize by
//! default), and one `RwLock<hashbrown::HashMap>`.
//!
//! Write-lock hold: `ShardedEvacMap` times every hold itself (timing on);
//! for `RwLock<hashbrown>` the writer times the guard's life; `DashMap`
//! does not expose its locks and papaya has none, so only the writer's
//! insert time (lock wait plus hold) is reported for them.
//!
//! The timeline plots each map against the share of its own writer's run
//! (so a map whose writer is starved, and takes longer, does not squeeze
//! the others into a corner); a window in which a map's readers finished
//! no lookup is a gap in its line.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use hdrhistogram::Histogram;

use crate::Res;
use crate::keys::random_keys;
use crate::maps::registry::{self, Experiment, Kind};
use crate::maps::shared::{Hold, SharedMap};
use crate::output::charts::{LinePlot, Series, plot_lines};
use crate::output::{Shown, Table, Unit, fmt_count, read_csv};
use crate::run::child::timer_floor;

/// Width of the timeline's windows: each point is the largest lookup
/// latency that ended in it.
const WINDOW_MS: usize = 5;

/// One run's results.
struct RunResult {
    /// Every lookup's latency (ns), all readers merged.
    reads: Histogram<u64>,
    writer_ops_per_s: f64,
    writer_max_ns: u64,
    /// Write-lock hold, if measured.
    hold: Option<Hold>,
    /// Largest lookup latency per `WINDOW_MS` since the writer started
    /// (0: no lookup finished in that window).
    timeline: Vec<u64>,
    /// How long the writer took (ms).
    writer_ms: f64,
}

/// Nanoseconds from 1 to 100 s at 3 significant digits (values above are
/// clamped, never dropped).
fn new_histogram() -> Histogram<u64> {
    crate::stats::new_histogram()
}

/// What one reader thread records.
struct ReaderLog {
    hist: Histogram<u64>,
    /// Max latency per `WINDOW_MS` window since the start.
    per_window: Vec<u64>,
    missing: u64,
}

fn reader(
    map: &dyn SharedMap,
    keys: &[u64],
    published: &AtomicUsize,
    done: &AtomicBool,
    start: Instant,
    seed: u64,
) -> ReaderLog {
    let mut log = ReaderLog {
        hist: new_histogram(),
        per_window: Vec::new(),
        missing: 0,
    };
    let mut x = seed | 1;
    // At least one lookup, even if the writer finished first (tiny N).
    while !done.load(Ordering::Relaxed) || log.hist.is_empty() {
        let present = published.load(Ordering::Acquire);
        if present == 0 {
            std::hint::spin_loop();
            continue;
        }
        // xorshift64: a random index among the keys already inserted.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let key = keys[(x % present as u64) as usize];
        let t = Instant::now();
        let found = black_box(map.get(black_box(key)));
        let end = Instant::now();
        let ns = (end - t).as_nanos() as u64;
        log.missing += u64::from(found.is_none());
        log.hist.saturating_record(ns);
        let w = (end - start).as_millis() as usize / WINDOW_MS;
        if log.per_window.len() <= w {
            log.per_window.resize(w + 1, 0);
        }
        log.per_window[w] = log.per_window[w].max(ns);
    }
    log
}

fn run_one(name: &'static str, keys: &Arc<Vec<u64>>, readers: usize) -> Res<RunResult> {
    let spec = registry::spec(name).ok_or_else(|| format!("concurrent: unknown map {name:?}"))?;
    let Kind::Concurrent(make) = spec.kind else {
        return Err(format!("{name} is not a concurrent map").into());
    };
    let map: Arc<dyn SharedMap> = Arc::from(make());
    let published = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let handles: Vec<_> = (0..readers)
        .map(|r| {
            let (map, keys, published, done) = (
                Arc::clone(&map),
                Arc::clone(keys),
                Arc::clone(&published),
                Arc::clone(&done),
            );
            thread::spawn(move || reader(&*map, &keys, &published, &done, start, r as u64 + 7))
        })
        .collect();
    let mut writer_max = 0u64;
    let mut holds = Vec::new();
    let w_start = Instant::now();
    for (i, &k) in keys.iter().enumerate() {
        let t = Instant::now();
        if let Some(h) = map.insert(k, i as u64) {
            holds.push(h);
        }
        writer_max = writer_max.max(t.elapsed().as_nanos() as u64);
        published.store(i + 1, Ordering::Release);
    }
    let w_secs = w_start.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let mut hist = new_histogram();
    let mut timeline: Vec<u64> = Vec::new();
    let mut missing = 0;
    for h in handles {
        let log = h.join().map_err(|_| "a reader panicked")?;
        hist.add(&log.hist)?;
        missing += log.missing;
        if timeline.len() < log.per_window.len() {
            timeline.resize(log.per_window.len(), 0);
        }
        for (t, v) in timeline.iter_mut().zip(log.per_window) {
            *t = (*t).max(v);
        }
    }
    if missing > 0 {
        return Err(format!("{name}: {missing} lookups of inserted keys found nothing").into());
    }
    if hist.is_empty() {
        return Err(format!("{name}: the readers made no lookup").into());
    }
    let hold = map.own_hold().or_else(|| {
        (!holds.is_empty()).then(|| {
            let mut h = new_histogram();
            for &v in &holds {
                h.saturating_record(v.max(1));
            }
            Hold {
                p99: h.value_at_quantile(0.99),
                p9999: h.value_at_quantile(0.9999),
                max: h.max(),
            }
        })
    });
    Ok(RunResult {
        reads: hist,
        writer_ops_per_s: keys.len() as f64 / w_secs,
        writer_max_ns: writer_max,
        hold,
        timeline,
        writer_ms: w_secs * 1e3,
    })
}

/// Runs the experiment with 1 and with 3 readers.
///
/// # Errors
///
/// A lookup of an inserted key that found nothing, a reader that panicked,
/// or output errors.
pub fn run(n: u64, seed: u64, out: &Path) -> Res<()> {
    std::fs::create_dir_all(out)?;
    let keys = Arc::new(random_keys(n as usize, seed ^ 0xC0C0));
    let floor = timer_floor(1_000_000);
    let mut table = Table::new(&[
        "map",
        "readers",
        "read_p50_ns",
        "read_p99_ns",
        "read_p99.9_ns",
        "read_max_ns",
        "lookups",
        "writer_Mops_per_s",
        "writer_max_ns",
        "hold_p99_ns",
        "hold_p99.99_ns",
        "hold_max_ns",
    ]);
    let mut timeline_rows = Vec::new();
    let names = registry::names_in(Experiment::Concurrent);
    let bar = crate::output::progress(2 * names.len() as u64, "concurrent");
    for readers in [1, 3] {
        for &name in &names {
            bar.set_message(format!("concurrent: {name}, {readers} reader(s)"));
            bar.inc(1);
            let r = run_one(name, &keys, readers)?;
            let hold = r
                .hold
                .map_or(["n/a".to_string(), "n/a".into(), "n/a".into()], |h| {
                    [h.p99, h.p9999, h.max].map(|v| v.to_string())
                });
            let mut row = vec![
                name.into(),
                readers.to_string(),
                r.reads.value_at_quantile(0.5).to_string(),
                r.reads.value_at_quantile(0.99).to_string(),
                r.reads.value_at_quantile(0.999).to_string(),
                r.reads.max().to_string(),
                r.reads.len().to_string(),
                format!("{:.2}", r.writer_ops_per_s / 1e6),
                r.writer_max_ns.to_string(),
            ];
            row.extend(hold);
            table.push(row);
            for (w, v) in r.timeline.iter().enumerate() {
                timeline_rows.push(vec![
                    name.into(),
                    readers.to_string(),
                    (w * WINDOW_MS).to_string(),
                    v.to_string(),
                    format!("{:.3}", r.writer_ms),
                ]);
            }
        }
    }
    bar.finish_and_clear();
    let mut floor_row = vec!["-".to_string(); table.header.len()];
    floor_row[0] = "timer floor".into();
    floor_row[2] = floor.quantile(0.5).to_string();
    floor_row[3] = floor.quantile(0.99).to_string();
    floor_row[4] = floor.quantile(0.999).to_string();
    floor_row[5] = floor.max_ns.to_string();
    table.push(floor_row);
    table
        .view(&[
            ("map", "map", Shown::Text),
            ("readers", "readers", Shown::Text),
            ("read_p50_ns", "read p50", Shown::Ns),
            ("read_p99.9_ns", "p99.9", Shown::Ns),
            ("read_max_ns", "max", Shown::Ns),
            ("writer_Mops_per_s", "writer Mops/s", Shown::Text),
            ("writer_max_ns", "writer max", Shown::Ns),
            ("hold_p99.99_ns", "lock hold p99.99", Shown::Ns),
            ("hold_max_ns", "hold max", Shown::Ns),
        ])
        .print();
    table.write_csv(&out.join("concurrent_summary.csv"))?;
    crate::output::write_csv(
        &out.join("concurrent_timeline.csv"),
        &["map", "readers", "ms", "read_max_ns", "writer_ms"].map(String::from),
        &timeline_rows,
    )?;
    crate::output::write_csv(
        &out.join("concurrent_info.csv"),
        &["keys".to_string()],
        &[vec![n.to_string()]],
    )?;
    plot(out)?;
    crate::say!(
        "\noutput: {} (concurrent_summary.csv, concurrent_timeline.csv, concurrent_1r.svg, concurrent_3r.svg)",
        out.display()
    );
    Ok(())
}

/// Draws `concurrent_1r.svg` and `concurrent_3r.svg` from the CSV files
/// in `out`: per map, the largest lookup latency of each window against
/// the share of its own writer's run; a window without a lookup is a gap.
///
/// # Errors
///
/// Missing or malformed CSV files, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let n: f64 = read_csv(&out.join("concurrent_info.csv"))?.rows[0][0].parse()?;
    let t = read_csv(&out.join("concurrent_timeline.csv"))?;
    for readers in ["1", "3"] {
        let mut series: Vec<Series> = Vec::new();
        for r in t.rows.iter().filter(|r| r[1] == readers) {
            let (ms, v, writer_ms): (f64, f64, f64) = (r[2].parse()?, r[3].parse()?, r[4].parse()?);
            let x = 100.0 * (ms / writer_ms.max(WINDOW_MS as f64)).min(1.0);
            let pt = (x, (v > 0.0).then_some(v));
            match series.iter_mut().find(|s| s.name == r[0]) {
                Some(s) => s.points.push(pt),
                None => series.push(Series {
                    name: r[0].clone(),
                    points: vec![pt],
                }),
            }
        }
        plot_lines(
            &out.join(format!("concurrent_{readers}r.svg")),
            &LinePlot {
                title: &format!(
                    "Largest lookup latency per {WINDOW_MS} ms: {readers} reader(s), 1 writer inserting {} keys",
                    fmt_count(n)
                ),
                x_label: "% of the map's writer run (each map's own duration)",
                x_unit: Unit::Count,
                y_label: &format!("lookup latency (max per {WINDOW_MS} ms)"),
                y_unit: Unit::Nanos,
                log_y: true,
                phases: Vec::new(),
                marks: None,
                points_only: false,
            },
            &series,
        )?;
    }
    Ok(())
}
