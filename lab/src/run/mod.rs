//! Running one single-threaded map in a fresh process and reading what it
//! prints. A Rust map runs as `lab child` (`child.rs`); Go's maps run as
//! the Go program (`lab/go/`). Both print the same lines, parsed here:
//!
//! ```text
//! RESULT map=NAME key=value ...   the run's numbers (pause: a second one for the timer floor)
//! CURVE label nines ns            latency by percentile (pause)
//! SLOW index ns                   inserts slower than 20 µs (pause)
//! GROWTH index                    inserts that started a growth (pause)
//! EVENT kind index ns             a Go map's structural events, each timed (pause)
//! ```
//!
//! So every experiment that runs processes (`throughput`, `memory`,
//! `pause`, `frontier`, `scaling`) treats Rust and Go maps alike.
//! [`measure`] runs several maps in alternating order; [`repeat`] runs
//! timed builds in several processes and finds each map's own latency
//! from their traces ([`trace`]).

pub mod attribute;
pub mod child;
pub mod repeat;
pub mod trace;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::Res;
use crate::maps::go::GoPeers;
use crate::maps::registry::{Class, MapSpec};
use crate::run::child::find_result;

/// What a process measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Untimed build, then hits, misses and path-string keys.
    Throughput,
    /// Untimed build, hits and misses.
    Lookups,
    /// Untimed build and peak RSS only.
    Build,
    /// Every insert timed, and the timer's floor.
    Pause,
}

impl Mode {
    /// The word both programs take (`--mode`, `-mode`).
    pub fn word(self) -> &'static str {
        match self {
            Mode::Throughput => "throughput",
            Mode::Lookups => "lookups",
            Mode::Build => "build",
            Mode::Pause => "pause",
        }
    }
}

/// A map to run: a registered one, or a setting of evacmap that is not
/// registered on its own (`frontier`'s `evacmap/cursor_steps=N`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The name `maps::make` (or the Go program's `-name`) takes.
    pub name: String,
    /// How it runs.
    pub class: Class,
    /// Whether its table is laid out the same in every process, so that
    /// repeated builds can find its own latency (`MapSpec::layout_repeats`).
    pub repeats: bool,
}

impl From<&MapSpec> for Target {
    fn from(m: &MapSpec) -> Target {
        Target {
            name: m.name.to_string(),
            class: m.kind.class(),
            repeats: m.layout_repeats(),
        }
    }
}

impl Target {
    /// A setting of evacmap by name (`maps::make` must know it).
    pub fn evacmap(name: impl Into<String>) -> Target {
        Target {
            name: name.into(),
            class: Class::Evacmap,
            repeats: true,
        }
    }
}

/// Numbers from one `RESULT` line.
pub type Values = BTreeMap<String, f64>;

/// Everything one process printed.
#[derive(Clone, Debug, Default)]
pub struct Output {
    /// The map's `RESULT` line.
    pub values: Values,
    /// The timer floor's `RESULT` line (pause).
    pub floor: Option<Values>,
    /// Latency-by-percentile curves by label (the map's, then its floor's).
    pub curves: Vec<(String, Vec<(f64, f64)>)>,
    /// `(insert, ns)` of inserts slower than 20 µs.
    pub slow: Vec<(u64, u64)>,
    /// Inserts that started a growth.
    pub growths: Vec<u64>,
    /// A Go map's structural events, timed by the Go program.
    pub events: Vec<GoEvent>,
}

/// One insert of a Go map that did a structural event, timed by the Go
/// program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoEvent {
    /// `growth_start` (classic); `small_growth`, `table_growth`,
    /// `table_split`, `directory_growth` (Swiss).
    pub kind: String,
    /// The insert (0-based).
    pub index: u64,
    /// Its latency (ns).
    pub ns: u64,
}

/// Runs `target` once in `mode`.
///
/// # Errors
///
/// A Go map whose flavour `go` lacks, a process that fails, or output that
/// does not parse.
pub fn run(target: &Target, mode: Mode, n: u64, seed: u64, go: &GoPeers) -> Res<Output> {
    run_with(target, mode, n, seed, go, None)
}

/// [`run`], and a Rust map's timed build (`Mode::Pause`) writes its trace
/// to `trace` if given (`trace.rs`).
///
/// # Errors
///
/// As for [`run`].
pub fn run_with(
    target: &Target,
    mode: Mode,
    n: u64,
    seed: u64,
    go: &GoPeers,
    trace: Option<&Path>,
) -> Res<Output> {
    let stdout = match target.class {
        Class::Go(flavour, gc) => {
            let peer = go.get(flavour).ok_or_else(|| go.skipped_line(flavour))?;
            peer.run(&[
                "-mode".into(),
                mode.word().into(),
                "-n".into(),
                n.to_string(),
                "-seed".into(),
                seed.to_string(),
                "-gc".into(),
                gc.flag().into(),
                "-name".into(),
                target.name.clone(),
            ])?
        }
        Class::Evacmap | Class::Peer => rust_child(&target.name, mode, n, seed, trace)?,
        Class::Concurrent => {
            return Err(format!(
                "{} is a concurrent map: it runs in `concurrent`",
                target.name
            )
            .into());
        }
    };
    parse(&stdout).map_err(|e| format!("{}: {e}", target.name).into())
}

/// One map's processes, one per round.
#[derive(Clone, Debug)]
pub struct MapRuns {
    /// The map.
    pub target: Target,
    /// One output per round.
    pub rounds: Vec<Output>,
}

/// Runs every target `rounds` times, in a different order each round.
///
/// # Errors
///
/// A process that fails or prints nothing usable.
pub fn measure(
    targets: &[Target],
    mode: Mode,
    n: u64,
    rounds: usize,
    seed: u64,
    go: &GoPeers,
) -> Res<Vec<MapRuns>> {
    measure_traced(targets, mode, n, rounds, seed, go, &|_, _| None)
}

/// [`measure`], with the trace file of target `i`'s round `r` at
/// `trace_of(i, r)` where that is given.
///
/// # Errors
///
/// As for [`measure`].
pub fn measure_traced(
    targets: &[Target],
    mode: Mode,
    n: u64,
    rounds: usize,
    seed: u64,
    go: &GoPeers,
    trace_of: &dyn Fn(usize, usize) -> Option<std::path::PathBuf>,
) -> Res<Vec<MapRuns>> {
    let mut runs: Vec<MapRuns> = targets
        .iter()
        .map(|t| MapRuns {
            target: t.clone(),
            rounds: Vec::new(),
        })
        .collect();
    let bar = crate::output::progress((rounds.max(1) * targets.len()) as u64, mode.word());
    for round in 0..rounds.max(1) {
        let mut order: Vec<usize> = (0..targets.len()).collect();
        order.rotate_left(round % targets.len().max(1));
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            bar.set_message(format!("{} {}", mode.word(), targets[i].name));
            let trace = trace_of(i, round);
            let out = run_with(&targets[i], mode, n, seed, go, trace.as_deref())?;
            runs[i].rounds.push(out);
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    Ok(runs)
}

/// The baseline process of `memory`: a process of the same program that
/// builds nothing; its peak RSS (bytes).
///
/// # Errors
///
/// As for [`run`].
pub fn baseline_rss(kind: Class, go: &GoPeers) -> Res<f64> {
    let stdout = match kind {
        Class::Go(flavour, _) => {
            let peer = go.get(flavour).ok_or_else(|| go.skipped_line(flavour))?;
            peer.run(&["-mode".into(), "build".into(), "-baseline".into()])?
        }
        _ => rust_child("none", Mode::Build, 0, 0, None)?,
    };
    Ok(find_result(&stdout)?
        .1
        .get("hwm_bytes")
        .copied()
        .ok_or("baseline: no hwm_bytes")?)
}

fn rust_child(map: &str, mode: Mode, n: u64, seed: u64, trace: Option<&Path>) -> Res<String> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(["child", "--map", map, "--mode", mode.word()])
        .args(["--n", &n.to_string(), "--seed", &seed.to_string()]);
    if let Some(t) = trace {
        cmd.arg("--trace").arg(t);
    }
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!(
            "child for {map} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// Parses a process's output (see the module docs).
///
/// # Errors
///
/// No `RESULT` line, or a line that does not parse.
pub fn parse(stdout: &str) -> Result<Output, String> {
    let mut out = Output::default();
    let mut results = Vec::new();
    for line in stdout.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("bad line {line:?}");
        let num = |i: usize| -> Result<f64, String> {
            w.get(i).and_then(|v| v.parse().ok()).ok_or_else(bad)
        };
        match w.first().copied() {
            Some("RESULT") => results.push(crate::run::child::parse_result(line)?.1),
            Some("CURVE") => {
                let label = w.get(1).ok_or_else(bad)?.to_string();
                let pt = (num(2)?, num(3)?);
                match out.curves.iter_mut().find(|c| c.0 == label) {
                    Some(c) => c.1.push(pt),
                    None => out.curves.push((label, vec![pt])),
                }
            }
            Some("SLOW") => out.slow.push((num(1)? as u64, num(2)? as u64)),
            Some("GROWTH") => out.growths.push(num(1)? as u64),
            Some("EVENT") => out.events.push(GoEvent {
                kind: w.get(1).ok_or_else(bad)?.to_string(),
                index: num(2)? as u64,
                ns: num(3)? as u64,
            }),
            _ => {}
        }
    }
    let mut results = results.into_iter();
    out.values = results.next().ok_or("no RESULT line")?;
    out.floor = results.next();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_parses() {
        let out = parse(
            "noise\nRESULT map=a p50_ns=5 max_ns=9\nRESULT map=a-timer-floor max_ns=3\n\
             CURVE a 0 5\nCURVE a 1 7\nCURVE a-timer-floor 0 1\nSLOW 17 25000\nGROWTH 8\n\
             EVENT table_split 3 900\n",
        )
        .unwrap();
        assert_eq!(out.values["max_ns"], 9.0);
        assert_eq!(out.floor.unwrap()["max_ns"], 3.0);
        assert_eq!(out.curves.len(), 2);
        assert_eq!(out.curves[0].1, [(0.0, 5.0), (1.0, 7.0)]);
        assert_eq!(out.slow, [(17, 25000)]);
        assert_eq!(out.growths, [8]);
        assert_eq!(out.events[0].kind, "table_split");
        assert_eq!((out.events[0].index, out.events[0].ns), (3, 900));
        assert!(parse("CURVE a x 1\nRESULT map=a b=1").is_err());
        assert!(parse("nothing").is_err());
    }
}
