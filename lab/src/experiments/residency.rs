//! `lab residency`: how long, and how much memory, old buckets stay held
//! after a burst of writes, and what a bounded background step changes.
//!
//! Three phases, the same for every map:
//! 1. **burst**: insert N random keys, continuing until a growth is in
//!    progress (so there are old buckets to hold);
//! 2. **reads**: 2N lookups of present keys, no writes;
//! 3. **idle**: 50 ticks of 1 ms.
//!
//! "evacmap" only does the above, as a Go map would: nothing moves old
//! buckets without writes. "evacmap+tick" is the same map that also calls
//! `evacuate_for(1 ms)` every `TICK_EVERY` reads and on each idle tick (a
//! tick that finishes early sleeps out its millisecond, so both maps' idle
//! phases last 50 ms). "go/gc_off" is Go's classic map on the same keys,
//! which has no way to evacuate without a write. Samples of the old-array
//! bytes held, old buckets still to evacuate and reads that had to consult
//! old buckets are taken every `SAMPLE_EVERY` operations.

use std::path::Path;
use std::time::{Duration, Instant};

use evacmap::{EvacMap, Policy};

use crate::Res;
use crate::keys::{Hasher, key};
use crate::maps::evacmap;
use crate::maps::go::GoPeers;
use crate::maps::registry::{self, Class, Experiment};
use crate::output::charts::{LinePlot, Phase, Series, plot_lines};
use crate::output::{Table, Unit, fmt_bytes, fmt_count, out_dir, read_csv};

const SAMPLE_EVERY: usize = 1000;
const TICK_EVERY: usize = 10_000;
const IDLE_TICKS: usize = 50;
const TICK: Duration = Duration::from_millis(1);

/// One sample of a map's residency state.
#[derive(Clone, Debug)]
struct Sample {
    phase: String,
    op: usize,
    micros: u64,
    old_bytes_held: u64,
    old_buckets_pending: u64,
    lookups_in_old: Option<u64>,
}

fn sample(map: &EvacMap<u64, u64, Hasher>, phase: &str, op: usize, start: Instant) -> Sample {
    let s = map.instruments().stats();
    Sample {
        phase: phase.into(),
        op,
        micros: start.elapsed().as_micros() as u64,
        old_bytes_held: s.old_bytes_held,
        old_buckets_pending: s.old_bucket_count - s.old_buckets_evacuated,
        lookups_in_old: Some(s.lookups_in_old_buckets),
    }
}

/// Runs the three phases on evacmap; `tick` decides whether the map gets
/// `evacuate_for` steps. Returns the samples and the burst's length.
fn scenario(n: usize, seed: u64, tick: bool) -> (Vec<Sample>, usize) {
    let mut map = evacmap::<u64>(Policy::go());
    let start = Instant::now();
    let mut samples = Vec::new();
    let mut op = 0;
    let mut burst = 0;
    while burst < n || !map.is_evacuating() {
        let k = key(seed, burst as u64);
        map.insert(k, k);
        burst += 1;
        op += 1;
        if op % SAMPLE_EVERY == 0 {
            samples.push(sample(&map, "burst", op, start));
        }
    }
    samples.push(sample(&map, "burst", op, start));
    for i in 0..2 * n {
        std::hint::black_box(map.get(&key(seed, ((i * 7919) % n) as u64)));
        op += 1;
        if tick && i % TICK_EVERY == 0 {
            map.evacuate_for(TICK);
        }
        if op % SAMPLE_EVERY == 0 {
            samples.push(sample(&map, "reads", op, start));
        }
    }
    samples.push(sample(&map, "reads", op, start));
    for _ in 0..IDLE_TICKS {
        let t = Instant::now();
        if tick {
            map.evacuate_for(TICK);
        }
        // Sleep out the rest of the tick, so both maps idle as long.
        if let Some(rest) = TICK.checked_sub(t.elapsed()) {
            std::thread::sleep(rest);
        }
        op += 1;
        samples.push(sample(&map, "idle", op, start));
    }
    (samples, burst)
}

/// The Go peer's residency samples.
fn go_scenario(go: &crate::maps::go::GoPeer, n: usize, seed: u64) -> Res<(Vec<Sample>, usize)> {
    let out = go.run(&[
        "-mode".into(),
        "residency".into(),
        "-n".into(),
        n.to_string(),
        "-seed".into(),
        seed.to_string(),
        "-gc".into(),
        "off".into(),
    ])?;
    let mut samples = Vec::new();
    for line in out.lines().filter(|l| l.starts_with("SAMPLE ")) {
        let w: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("go residency: bad line {line:?}");
        if w.len() != 6 {
            return Err(bad().into());
        }
        let f = |i: usize| w[i].parse::<f64>().map_err(|_| bad());
        samples.push(Sample {
            phase: w[1].into(),
            op: f(2)? as usize,
            micros: f(3)? as u64,
            old_bytes_held: f(4)? as u64,
            old_buckets_pending: f(5)? as u64,
            lookups_in_old: None,
        });
    }
    let (_, v) = crate::run::child::find_result(&out)?;
    let burst = v.get("burst").copied().ok_or("go residency: no burst")? as usize;
    Ok((samples, burst))
}

/// One map's run: its label, samples and burst length.
type Run = (String, Vec<Sample>, usize);

/// Runs the scenario on every map the registry gives `residency`:
/// evacmap twice (without and with ticks), Go's classic map once.
///
/// # Errors
///
/// Go output that does not parse.
fn measure(n: usize, seed: u64, go: &GoPeers) -> Res<Vec<Run>> {
    let mut runs = Vec::new();
    for m in registry::maps_in(Experiment::Residency, go) {
        match m.kind.class() {
            Class::Evacmap => {
                for tick in [false, true] {
                    let label = format!("{}{}", m.name, if tick { "+tick" } else { "" });
                    eprintln!("residency: {label}");
                    let (samples, burst) = scenario(n, seed, tick);
                    runs.push((label, samples, burst));
                }
            }
            Class::Go(flavour, _) => {
                eprintln!("residency: {}", m.name);
                let peer = go.get(flavour).ok_or("Go peer vanished")?;
                let (samples, burst) = go_scenario(peer, n, seed)?;
                runs.push((m.name.to_string(), samples, burst));
            }
            _ => return Err(format!("residency cannot run {}", m.name).into()),
        }
    }
    Ok(runs)
}

/// The table: per map and phase, the state at the phase's end.
fn table(runs: &[Run]) -> Table {
    let mut table = Table::new(&[
        "map",
        "burst",
        "phase",
        "phase_end_ms",
        "old_bytes_held",
        "old_buckets_pending",
        "reads_in_old",
    ]);
    for (name, samples, burst) in runs {
        for phase in ["burst", "reads", "idle"] {
            if let Some(s) = samples.iter().rev().find(|s| s.phase == phase) {
                table.push(vec![
                    name.to_string(),
                    burst.to_string(),
                    phase.into(),
                    format!("{:.1}", s.micros as f64 / 1000.0),
                    s.old_bytes_held.to_string(),
                    s.old_buckets_pending.to_string(),
                    s.lookups_in_old.map_or("-".into(), |v| v.to_string()),
                ]);
            }
        }
    }
    table
}

/// Writes `residency.csv` (every sample) and `residency_info.csv`.
fn write_csv(out: &Path, n: usize, runs: &[Run]) -> Res<()> {
    let rows: Vec<Vec<String>> = runs
        .iter()
        .flat_map(|(name, samples, _)| {
            samples.iter().map(move |s| {
                vec![
                    name.to_string(),
                    s.phase.clone(),
                    s.op.to_string(),
                    s.micros.to_string(),
                    s.old_bytes_held.to_string(),
                    s.old_buckets_pending.to_string(),
                    s.lookups_in_old.map_or(String::new(), |v| v.to_string()),
                ]
            })
        })
        .collect();
    let header = [
        "map",
        "phase",
        "op",
        "micros",
        "old_bytes_held",
        "old_buckets_pending",
        "lookups_in_old",
    ]
    .map(String::from);
    crate::output::write_csv(&out.join("residency.csv"), &header, &rows)?;
    crate::output::write_csv(
        &out.join("residency_info.csv"),
        &["keys".to_string()],
        &[vec![n.to_string()]],
    )
}

/// Draws `residency.svg` from the CSV files in `out`.
///
/// # Errors
///
/// Missing or malformed CSV files, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let n: f64 = read_csv(&out.join("residency_info.csv"))?.rows[0][0].parse()?;
    let t = read_csv(&out.join("residency.csv"))?;
    let mut series: Vec<Series> = Vec::new();
    let mut ends = [0.0f64; 3];
    for r in &t.rows {
        let (ms, bytes): (f64, f64) = (r[3].parse::<f64>()? / 1000.0, r[4].parse()?);
        match series.iter_mut().find(|s| s.name == r[0]) {
            Some(s) => s.points.push((ms, Some(bytes))),
            None => series.push(Series::new(r[0].clone(), [(ms, bytes)])),
        }
        // Phase bands from the first map's samples (the runs' phases take
        // about as long; each line's own samples are exact).
        if r[0] == t.rows[0][0] {
            let i = ["burst", "reads", "idle"]
                .iter()
                .position(|p| *p == r[1])
                .unwrap_or(2);
            ends[i] = ends[i].max(ms);
        }
    }
    let [b, r, i] = ends;
    plot_lines(
        &out.join("residency.svg"),
        &LinePlot {
            title: &format!(
                "Bytes held by old buckets: a burst of {} inserts, {} reads, 50 ms idle",
                fmt_count(n),
                fmt_count(2.0 * n)
            ),
            x_label: "ms since the burst began",
            x_unit: Unit::Count,
            y_label: "old-array bytes held",
            y_unit: Unit::Bytes,
            log_y: false,
            phases: vec![
                Phase {
                    label: "burst".into(),
                    x: 0.0..b,
                },
                Phase {
                    label: "reads".into(),
                    x: b..r,
                },
                Phase {
                    label: "idle".into(),
                    x: r..i,
                },
            ],
            marks: None,
            points_only: false,
        },
        &series,
    )
}

/// Runs the experiment.
///
/// # Errors
///
/// Output errors, or Go output that does not parse.
pub fn run(n: usize, seed: u64, out: &Path, go: &GoPeers) -> Res<()> {
    out_dir(out)?;
    let runs = measure(n, seed, go)?;
    let bursts: Vec<String> = runs.iter().map(|r| r.2.to_string()).collect();
    crate::say!(
        "residency: burst of {} keys requested ({} actually inserted, continuing until a growth runs), \
         {} reads, {IDLE_TICKS} idle ticks of 1 ms",
        fmt_count(n as f64),
        bursts.join(" / "),
        fmt_count(2.0 * n as f64)
    );
    table(&runs).print();
    if let Some(go_run) = runs.iter().find(|r| r.0.starts_with("go")) {
        if let Some(last) = go_run.1.last() {
            crate::say!(
                "Go's map still holds {} of old buckets at the end: only a write evacuates",
                fmt_bytes(last.old_bytes_held as f64)
            );
        }
    }
    write_csv(out, n, &runs)?;
    plot(out)?;
    crate::say!("\noutput: {} (residency.csv, residency.svg)", out.display());
    Ok(())
}
