//! `lab soak`: a long mixed run of `ShardedEvacMap`, checked as it goes
//! and at the end for lost or phantom writes.
//!
//! - **Writers** (`--writers`, default 3): each owns a key range (its index
//!   in the top bits) and keeps a model (`std::collections::HashMap`) of
//!   it. Operations, at random: insert (45%; 20% at ebb tide, every other
//!   2^21 operations, when inserts and removals trade places so that the
//!   range empties and the map shrinks), remove (20%; the removed
//!   value must be the model's), an entry guard that bumps a value (10%),
//!   `remove_if` (5%), a lookup that must find exactly the model's value
//!   (15%), `alter` (5%), and one operation in 50,000 a rare one: `retain`
//!   dropping 1/97 of the writer's own range, a full iteration that must
//!   count exactly the model's keys in the range, or `shrink_to_fit`.
//!   Since only its owner writes a key, every answer is known.
//! - **Readers** (`--readers`, default 2): look up random keys of every
//!   range; a value found must carry its key's tag (values are
//!   `tag(key) | counter << 32`), or it was never written for that key.
//! - A **`Maintainer`** finishes growths in the background (1 ms ticks),
//!   and a **`Sampler`** snapshots the map's probe every 200 ms; a monitor
//!   thread reads the process's RSS every 250 ms.
//!
//! At the end: `check_invariants`, then each range's contents against its
//! model (lost: in the model, not in the map or with another value;
//! phantom: in the map, not in the model). Any mismatch is an error.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use evacmap::Policy;
use evacmap::instruments::Sampler;
use evacmap::sharded::{Maintainer, ShardedEvacMap};

use crate::Res;
use crate::keys::{Hasher, hasher};
use crate::output::charts::{LinePlot, Series, plot_lines};
use crate::output::{Table, Unit, fmt_bytes, out_dir, read_csv};

/// Keys per writer's range.
const RANGE: u64 = 1 << 18;
/// Shards of the map.
const SHARDS: usize = 8;
/// One operation in this many is also a rare one (`rare`).
const RARE: u64 = 50_000;

type Map = ShardedEvacMap<u64, u64, Hasher>;

/// The low half every value of `key` carries.
fn tag(key: u64) -> u64 {
    key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32
}

/// Which writer owns `key`.
fn owner(key: u64) -> u64 {
    key >> 40
}

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// What went wrong, counted.
#[derive(Default, Debug)]
struct Faults {
    /// A lookup or removal disagreed with the model.
    mismatches: u64,
    /// A full iteration counted another number of keys than the model's.
    count_mismatches: u64,
}

/// One writer: random operations on its own range until `stop`.
fn writer(map: &Map, w: u64, stop: &AtomicBool, ops: &AtomicU64) -> (HashMap<u64, u64>, Faults) {
    let mut rng = Rng(0x5EED ^ (w + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut model: HashMap<u64, u64> = HashMap::new();
    let mut faults = Faults::default();
    let mut serial = 0u64;
    while !stop.load(Ordering::Relaxed) {
        // Tides: every 2^21 operations the writer turns from mostly
        // inserting to mostly removing and back, so that its range fills
        // and empties and the map grows and shrinks.
        let ebb = (serial >> 21) & 1 == 1;
        for _ in 0..256 {
            let k = (w << 40) | (rng.next() % RANGE);
            serial += 1;
            let v = tag(k) | (serial << 32);
            let mut op = rng.next() % 1000;
            if ebb && op < 250 {
                op = 450 + op % 200; // 25 of the 45% inserts become removals
            }
            match op {
                0..450 => {
                    let prev = map.insert(k, v);
                    faults.mismatches += u64::from(prev != model.insert(k, v));
                }
                450..650 => {
                    let got = map.remove(&k);
                    faults.mismatches += u64::from(got != model.remove(&k));
                }
                650..750 => {
                    *map.entry(k).or_insert(tag(k)) += 1 << 32;
                    *model.entry(k).or_insert(tag(k)) += 1 << 32;
                }
                750..800 => {
                    let even = |v: &u64| (v >> 32) % 2 == 0;
                    let got = map.remove_if(&k, |_, v| even(v)).map(|e| e.1);
                    let want = model.get(&k).copied().filter(even);
                    if want.is_some() {
                        model.remove(&k);
                    }
                    faults.mismatches += u64::from(got != want);
                }
                800..950 => {
                    let got = map.get(&k).map(|r| *r);
                    faults.mismatches += u64::from(got != model.get(&k).copied());
                }
                _ => {
                    map.alter(&k, |_, v| v + (1 << 32));
                    if let Some(v) = model.get_mut(&k) {
                        *v += 1 << 32;
                    }
                }
            }
            if rng.next() % RARE == 0 {
                rare(map, w, &mut rng, &mut model, &mut faults);
            }
        }
        ops.fetch_add(256, Ordering::Relaxed);
    }
    (model, faults)
}

/// The rare operations: `retain` on the writer's range, a full iteration
/// counting the range, `shrink_to_fit`.
fn rare(map: &Map, w: u64, rng: &mut Rng, model: &mut HashMap<u64, u64>, faults: &mut Faults) {
    match rng.next() % 3 {
        0 => {
            let cut = rng.next() % 97;
            let drop = |k: u64| owner(k) == w && k % 97 == cut;
            map.retain(|k, _| !drop(*k));
            model.retain(|k, _| !drop(*k));
        }
        1 => {
            let n = map.iter().filter(|r| owner(*r.key()) == w).count();
            faults.count_mismatches += u64::from(n != model.len());
        }
        _ => map.shrink_to_fit(),
    }
}

/// One reader: random lookups in every range until `stop`; counts values
/// that do not carry their key's tag.
fn reader(map: &Map, writers: u64, r: u64, stop: &AtomicBool, reads: &AtomicU64) -> u64 {
    let mut rng = Rng(0xBEEF ^ (r + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut bad = 0;
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..256 {
            let k = ((rng.next() % writers) << 40) | (rng.next() % RANGE);
            if let Some(v) = map.get(&k).map(|r| *r) {
                bad += u64::from(v & 0xFFFF_FFFF != tag(k));
            }
        }
        reads.fetch_add(256, Ordering::Relaxed);
    }
    bad
}

/// This process's resident memory now (`VmRSS`), in bytes.
fn vm_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let l = s.lines().find(|l| l.starts_with("VmRSS:"))?;
            l.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kib| kib * 1024)
}

/// The end check: each range against its model; returns (lost, phantom).
fn final_check(map: &Map, models: &[HashMap<u64, u64>]) -> (u64, u64) {
    let mut phantom = 0;
    let mut seen = vec![0usize; models.len()];
    for r in map.iter() {
        let (k, v) = (*r.key(), *r.value());
        match models.get(owner(k) as usize).and_then(|m| m.get(&k)) {
            Some(&want) if want == v => seen[owner(k) as usize] += 1,
            _ => phantom += 1,
        }
    }
    let lost = models
        .iter()
        .zip(&seen)
        .map(|(m, &s)| (m.len() - s.min(m.len())) as u64)
        .sum();
    (lost, phantom)
}

/// What a soak's threads came back with.
struct Outcome {
    /// Each writer's model of its range.
    models: Vec<HashMap<u64, u64>>,
    faults: Faults,
    /// Reader values without their key's tag.
    bad_reads: u64,
    ops: u64,
    reads: u64,
    wall: f64,
    readers: u64,
    /// `(seconds, RSS bytes, writer ops so far)` every 250 ms.
    rss: Vec<(f64, u64, u64)>,
}

/// The map under soak: 8 shards, Go's policy (publishing every 256
/// writes), lock timing on.
fn new_map() -> Arc<Map> {
    let policy = Policy::go().with_publish_interval(256);
    Arc::new(
        ShardedEvacMap::builder()
            .shards(SHARDS)
            .policy(policy)
            .hasher(hasher())
            .build()
            .with_lock_timing(true),
    )
}

/// Runs the writers and readers for `secs`, sampling RSS, then joins them.
fn drive(map: &Map, secs: f64, writers: u64, readers: u64) -> Res<Outcome> {
    let stop = AtomicBool::new(false);
    let (ops, reads) = (AtomicU64::new(0), AtomicU64::new(0));
    let start = Instant::now();
    let mut rss = Vec::new();
    let (models, faults, bad_reads) = thread::scope(|s| -> Res<_> {
        let ws: Vec<_> = (0..writers)
            .map(|w| {
                let (stop, ops) = (&stop, &ops);
                s.spawn(move || writer(map, w, stop, ops))
            })
            .collect();
        let rs: Vec<_> = (0..readers)
            .map(|r| {
                let (stop, reads) = (&stop, &reads);
                s.spawn(move || reader(map, writers, r, stop, reads))
            })
            .collect();
        while start.elapsed().as_secs_f64() < secs {
            thread::sleep(Duration::from_millis(250));
            let now = start.elapsed().as_secs_f64();
            rss.push((now, vm_rss(), ops.load(Ordering::Relaxed)));
        }
        stop.store(true, Ordering::Relaxed);
        let mut models = Vec::new();
        let mut faults = Faults::default();
        for h in ws {
            let (m, f) = h.join().map_err(|_| "a writer panicked")?;
            models.push(m);
            faults.mismatches += f.mismatches;
            faults.count_mismatches += f.count_mismatches;
        }
        let mut bad = 0;
        for h in rs {
            bad += h.join().map_err(|_| "a reader panicked")?;
        }
        Ok((models, faults, bad))
    })?;
    Ok(Outcome {
        models,
        faults,
        bad_reads,
        ops: ops.load(Ordering::Relaxed),
        reads: reads.load(Ordering::Relaxed),
        wall: start.elapsed().as_secs_f64(),
        readers,
        rss,
    })
}

/// The summary table of a finished soak.
fn summary(
    map: &Map,
    o: &Outcome,
    lost: u64,
    phantom: u64,
    moved: u64,
    samples: usize,
) -> Res<Table> {
    let expect: usize = o.models.iter().map(HashMap::len).sum();
    let stats = map.instruments().stats();
    let hold = map.instruments().lock_hold().ok_or("lock timing is on")?;
    let peak = o.rss.iter().map(|r| r.1).max().unwrap_or(0);
    let end = o.rss.last().map_or(0, |r| r.1);
    let mut t = Table::new(&["figure", "value"]);
    for (k, v) in [
        ("seconds", format!("{:.1}", o.wall)),
        (
            "writers / readers",
            format!("{} / {}", o.models.len(), o.readers),
        ),
        (
            "writer ops per second",
            format!("{:.0}", o.ops as f64 / o.wall),
        ),
        (
            "reader lookups per second",
            format!("{:.0}", o.reads as f64 / o.wall),
        ),
        (
            "entries at the end (models)",
            format!("{} ({expect})", map.len()),
        ),
        ("lost writes", lost.to_string()),
        ("phantom writes", phantom.to_string()),
        (
            "writer mismatches (lookups, removals)",
            o.faults.mismatches.to_string(),
        ),
        (
            "iteration count mismatches",
            o.faults.count_mismatches.to_string(),
        ),
        (
            "reader values without their key's tag",
            o.bad_reads.to_string(),
        ),
        (
            "growths (same-size) / shrinks",
            format!(
                "{} ({}) / {}",
                stats.growths, stats.same_size_growths, stats.shrinks
            ),
        ),
        ("old buckets moved by the maintainer", moved.to_string()),
        ("write-lock holds timed", hold.count.to_string()),
        (
            "hold p50 / p99 / p99.9 / p99.99 / max (ns)",
            format!(
                "{} / {} / {} / {} / {}",
                hold.p50_ns, hold.p99_ns, hold.p999_ns, hold.p9999_ns, hold.max_ns
            ),
        ),
        (
            "peak RSS / RSS at the end",
            format!("{} / {}", fmt_bytes(peak as f64), fmt_bytes(end as f64)),
        ),
        ("probe samples", samples.to_string()),
    ] {
        t.push(vec![k.into(), v]);
    }
    Ok(t)
}

/// Writes `soak.csv`: RSS over the run, and the map's bucket memory from
/// the sampler's snapshots.
fn write_series(
    out: &Path,
    o: &Outcome,
    history: &[(u64, evacmap::instruments::Stats)],
) -> Res<()> {
    let t0 = history.first().map_or(0, |h| h.0);
    let mut rows: Vec<Vec<String>> = o
        .rss
        .iter()
        .map(|(s, b, n)| {
            vec![
                "rss".into(),
                format!("{s:.3}"),
                b.to_string(),
                n.to_string(),
            ]
        })
        .collect();
    rows.extend(history.iter().map(|(ns, s)| {
        let at = format!("{:.3}", (ns - t0) as f64 / 1e9);
        vec![
            "bytes_allocated".into(),
            at,
            s.bytes_allocated.to_string(),
            s.writes.to_string(),
        ]
    }));
    crate::output::write_csv(
        &out.join("soak.csv"),
        &["series", "seconds", "bytes", "ops"].map(String::from),
        &rows,
    )
}

/// Runs the soak for `secs` seconds.
///
/// # Errors
///
/// Any lost or phantom write, mismatch, reader fault or invariant
/// failure, or output errors.
pub fn run(secs: f64, writers: u64, readers: u64, out: &Path) -> Res<()> {
    out_dir(out)?;
    if writers == 0 || secs.is_nan() || secs <= 0.0 {
        return Err("soak needs --secs > 0 and at least one writer".into());
    }
    let map = new_map();
    let maintainer = Maintainer::spawn(Arc::clone(&map), Duration::from_millis(1), 64);
    let sampler = Sampler::spawn(map.probe(), Duration::from_millis(200), 1 << 16);
    let o = drive(&map, secs, writers, readers)?;
    let moved = maintainer.stop();
    let history = sampler.stop();
    map.check_invariants();
    let (lost, phantom) = final_check(&map, &o.models);
    let t = summary(&map, &o, lost, phantom, moved, history.len())?;
    t.print();
    t.write_csv(&out.join("soak_summary.csv"))?;
    write_series(out, &o, &history)?;
    plot(out)?;
    crate::say!(
        "\noutput: {} (soak_summary.csv, soak.csv, soak.svg)",
        out.display()
    );
    let expect: usize = o.models.iter().map(HashMap::len).sum();
    let wrong = lost + phantom + o.faults.mismatches + o.faults.count_mismatches + o.bad_reads;
    if wrong > 0 || map.len() != expect {
        return Err(format!(
            "soak: {wrong} wrong answers, {} entries for {expect} in the models",
            map.len()
        )
        .into());
    }
    crate::say!("soak: no lost or phantom write, every answer as the models say");
    Ok(())
}

/// Draws `soak.svg` from `soak.csv`: RSS and the map's bucket memory over
/// the run.
///
/// # Errors
///
/// A missing or malformed CSV file, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let t = read_csv(&out.join("soak.csv"))?;
    let mut series: Vec<Series> = Vec::new();
    for r in &t.rows {
        let pt: (f64, f64) = (r[1].parse()?, r[2].parse()?);
        let name = if r[0] == "rss" {
            "process RSS"
        } else {
            "sharded/evacmap"
        };
        match series.iter_mut().find(|s| s.name == name) {
            Some(s) => s.points.push((pt.0, Some(pt.1))),
            None => series.push(Series::new(name, [pt])),
        }
    }
    plot_lines(
        &out.join("soak.svg"),
        &LinePlot {
            title: "Soak of ShardedEvacMap: process RSS and the map's bucket memory",
            x_label: "seconds",
            x_unit: Unit::Count,
            y_label: "bytes",
            y_unit: Unit::Bytes,
            log_y: false,
            phases: Vec::new(),
            marks: None,
            points_only: false,
        },
        &series,
    )
}
