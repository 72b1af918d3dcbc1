//! Timed builds repeated in several processes, and each map's own latency
//! from them (`trace.rs` has the idea and the file format).
//!
//! [`timed`] runs every map's timed build `repeat` times (alternating the
//! maps, as [`measure`](super::measure) does). A map whose table repeats
//! between processes writes a trace per process, and the per-insert
//! minimum over them is its own latency ([`How::Minimum`]). Go's maps do
//! not repeat: they are reported raw, with their structural events timed
//! by the Go program itself ([`How::Events`]). With one process there is
//! nothing to take a minimum over ([`How::Raw`]).

use std::fs;
use std::path::{Path, PathBuf};

use super::trace::{self, Reduced};
use super::{MapRuns, Mode, Target, measure_traced};
use crate::Res;
use crate::maps::go::GoPeers;
use crate::maps::registry::Class;

/// How a map's own figures were found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum How {
    /// The per-insert minimum over this many traces.
    Minimum(usize),
    /// Go's maps (their layout differs between processes): raw figures,
    /// and their structural events timed by the Go program in this many
    /// processes.
    Events(usize),
    /// Raw figures only, for this reason.
    Raw(String),
}

impl How {
    /// A short note for tables: `min of 5`, `raw; events of 5`, `raw`.
    pub fn note(&self) -> String {
        match self {
            How::Minimum(k) => format!("min of {k}"),
            How::Events(k) => format!("raw; events of {k}"),
            How::Raw(_) => "raw".into(),
        }
    }
}

/// One map's timed builds and what was found from them.
#[derive(Clone, Debug)]
pub struct Timed {
    /// The processes' outputs (raw figures).
    pub runs: MapRuns,
    /// The own latency, where traces were reduced.
    pub own: Option<Reduced>,
    /// How the own figures were found.
    pub how: How,
}

/// Checks `--repeat`.
///
/// # Errors
///
/// `repeat` is 0.
pub fn check_repeat(repeat: usize) -> Res<()> {
    if repeat == 0 {
        return Err("--repeat must be at least 1 (2 or more for own figures)".into());
    }
    Ok(())
}

/// A file name for a map's trace of one round (map names hold `/`, `=`).
fn trace_path(dir: &Path, name: &str, round: usize) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    dir.join(format!("{safe}.{round}.trace"))
}

/// Runs every target's timed build of `n` keys in `repeat` processes and
/// finds each one's own latency. Traces go to `traces` (checked for room
/// before anything runs) and are deleted once reduced unless `keep`.
/// With `repeat == 1`, prints that the filter needs at least two.
///
/// # Errors
///
/// `repeat` is 0, too little disk for the traces, or a process's error.
pub fn timed(
    targets: &[Target],
    n: u64,
    repeat: usize,
    seed: u64,
    go: &GoPeers,
    traces: &Path,
    keep: bool,
) -> Res<Vec<Timed>> {
    check_repeat(repeat)?;
    let traced: Vec<bool> = targets.iter().map(|t| repeat >= 2 && t.repeats).collect();
    let files = traced.iter().filter(|&&t| t).count() * repeat;
    if files > 0 {
        trace::check_room(traces, files as u64, n, n)?;
    } else if repeat == 1 {
        eprintln!(
            "one process per map: raw figures only (own figures need --repeat 2 or more: \
             the per-insert minimum over the processes' traces)"
        );
    }
    let trace_of =
        |i: usize, round: usize| traced[i].then(|| trace_path(traces, &targets[i].name, round));
    let runs = measure_traced(targets, Mode::Pause, n, repeat, seed, go, &trace_of)?;
    let mut out = Vec::with_capacity(runs.len());
    for (i, r) in runs.into_iter().enumerate() {
        let (own, how) = if traced[i] {
            let paths: Vec<PathBuf> = (0..repeat)
                .map(|k| trace_of(i, k).expect("traced"))
                .collect();
            let reduced = trace::reduce(&paths, n);
            if !keep {
                for p in &paths {
                    let _ = fs::remove_file(p);
                }
            }
            match reduced {
                Ok(red) => {
                    for bad in &red.left_out {
                        eprintln!("{}: trace left out: {bad}", r.target.name);
                    }
                    let k = repeat - red.left_out.len();
                    (Some(red), How::Minimum(k))
                }
                Err(e) => {
                    eprintln!("{}: no own figures: {e}", r.target.name);
                    (None, How::Raw(e.to_string()))
                }
            }
        } else if matches!(r.target.class, Class::Go(..)) {
            (None, How::Events(repeat))
        } else if repeat == 1 {
            (None, How::Raw("one process".into()))
        } else {
            (
                None,
                How::Raw("its layout differs between processes".into()),
            )
        };
        out.push(Timed { runs: r, own, how });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_file_names_and_repeat_is_checked() {
        let p = trace_path(Path::new("/t"), "evacmap/cursor_steps=4", 2);
        assert_eq!(p, Path::new("/t/evacmap_cursor_steps_4.2.trace"));
        assert!(
            check_repeat(0)
                .unwrap_err()
                .to_string()
                .contains("at least 1")
        );
        assert!(check_repeat(1).is_ok());
        assert_eq!(How::Minimum(5).note(), "min of 5");
    }
}
