//! The noise verdict of a `lab all` run: the run checked against itself,
//! and one plain sentence saying which of its figures to trust.
//!
//! | check | what it compares | trusted when |
//! |---|---|---|
//! | same table | std's build against hashbrown's (std's map *is* hashbrown) | within 15% |
//! | rounds | each map's slowest build over its fastest, over the rounds | within 25% for most maps |
//! | raw maxima | each map's raw worst insert against the largest empty clock pair of its own processes (the machine alone) | the maximum is over twice that floor |
//! | own figures | the own floor: the per-pair minimum of the empty clock pairs | under 1 µs |

use crate::experiments::pause::PauseSummary;
use crate::experiments::throughput::Throughput;
use crate::output::fmt_ns;
use crate::stats::MAX;

/// How far std's build may be from hashbrown's (the same table).
const SAME_TABLE: f64 = 0.15;
/// How far a map's rounds may spread (slowest build over fastest).
const SPREAD: f64 = 1.25;
/// A raw maximum at most this many times its floor is the machine's.
const FLOOR_FACTOR: f64 = 2.0;
/// An own floor above this says the filter did not remove the stalls.
const OWN_FLOOR_NS: f64 = 1_000.0;

/// The checks and the sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// One line per check: what it found.
    pub checks: Vec<String>,
    /// Whether the builds (and lookups) can be compared.
    pub builds_trusted: bool,
    /// Whether the raw maxima can be read (else: the own ones).
    pub raw_max_trusted: bool,
    /// Whether the own figures can be read.
    pub own_trusted: bool,
    /// The plain sentence.
    pub sentence: String,
}

/// The verdict on a run's throughput and pause results.
pub fn verdict(tp: &Throughput, pause: &[PauseSummary]) -> Verdict {
    let get = |map: &str, f: &str| {
        tp.iter()
            .find(|(n, _)| n == map)
            .and_then(|(_, m)| m.get(f).copied())
    };
    let mut checks = Vec::new();
    let same = match (get("std", "build_ns"), get("hashbrown", "build_ns")) {
        (Some(s), Some(h)) if h > 0.0 => {
            let r = s / h;
            checks.push(format!(
                "std's build is {r:.2}× hashbrown's (the same table: within {:.0}% is quiet)",
                SAME_TABLE * 100.0
            ));
            (r - 1.0).abs() <= SAME_TABLE
        }
        _ => true,
    };
    let spreads: Vec<(&str, f64)> = tp
        .iter()
        .filter_map(|(n, m)| m.get("build_spread").map(|&v| (n.as_str(), v)))
        .collect();
    let wide: Vec<&str> = spreads
        .iter()
        .filter(|(_, v)| *v > SPREAD)
        .map(|(n, _)| *n)
        .collect();
    if !spreads.is_empty() {
        checks.push(format!(
            "{} of {} maps' builds spread more than {:.0}% over the rounds{}",
            wide.len(),
            spreads.len(),
            (SPREAD - 1.0) * 100.0,
            if wide.is_empty() {
                String::new()
            } else {
                format!(" ({})", wide.join(", "))
            }
        ));
    }
    let rounds_ok = wide.len() * 4 <= spreads.len();
    let at_floor: Vec<&str> = pause
        .iter()
        .filter(|p| p.numbers[MAX] <= FLOOR_FACTOR * p.floor[MAX])
        .map(|p| p.name.as_str())
        .collect();
    let floor_max = pause.iter().map(|p| p.floor[MAX]).fold(0.0, f64::max);
    if !pause.is_empty() {
        checks.push(format!(
            "{} of {} maps' raw worst insert is within {FLOOR_FACTOR}× the largest empty clock \
             pair of its processes (the machine alone reached {})",
            at_floor.len(),
            pause.len(),
            fmt_ns(floor_max)
        ));
    }
    let own_floor = pause
        .iter()
        .map(|p| p.own.floor_max)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let own_ok = own_floor <= OWN_FLOOR_NS;
    if !pause.is_empty() {
        checks.push(format!(
            "the own floor (the per-pair minimum of those clock pairs) is {}",
            fmt_ns(own_floor)
        ));
    }
    let builds_trusted = same && rounds_ok;
    let raw_max_trusted = at_floor.is_empty();
    let sentence = format!(
        "Noise verdict: {} {} {}",
        if builds_trusted {
            "builds and lookups are comparable (std matches hashbrown, rounds agree);"
        } else {
            "builds and lookups are NOT comparable in this run (std and hashbrown, the same \
             table, differ, or rounds disagree): rerun on a quieter machine or with more rounds;"
        },
        if raw_max_trusted {
            "raw worst inserts stand above the machine's stalls;"
        } else {
            "raw worst inserts are the machine's stalls for some maps: read the own max \
             (the per-insert minimum over processes) instead;"
        },
        if own_ok {
            "the own figures are clean (their floor is under 1 µs)."
        } else {
            "even the own figures carry stalls (their floor is over 1 µs): use more processes \
             (--repeat)."
        }
    );
    Verdict {
        checks,
        builds_trusted,
        raw_max_trusted,
        own_trusted: own_ok,
        sentence,
    }
}
