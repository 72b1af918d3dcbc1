//! `lab maps`: every map the lab knows, what it is, which experiments run
//! it, the reasons for the ones that do not (each reason once, with the
//! maps and experiments it covers), and which Go toolchain each of Go's
//! maps comes from.

use std::collections::BTreeMap;

use crate::Res;
use crate::maps::go::GoPeers;
use crate::maps::registry::{Experiment, MAPS, why_not};
use crate::output::Table;

/// The table: every map, what it is, and per experiment "runs" or "-".
pub fn matrix() -> Table {
    let mut header = vec!["map", "what it is"];
    header.extend(Experiment::ALL.iter().map(|e| e.name()));
    let mut t = Table::new(&header);
    for m in MAPS {
        let mut row = vec![m.name.to_string(), m.about.to_string()];
        row.extend(
            Experiment::ALL
                .iter()
                .map(|&e| why_not(m, e).map_or("runs".to_string(), |_| "-".to_string())),
        );
        t.push(row);
    }
    t
}

/// Each reason an experiment leaves a map out, once, with the maps it
/// covers and, per map, the experiments: `(reason, ["map: exp, exp", …])`,
/// in the registry's order.
pub fn reasons() -> Vec<(&'static str, Vec<String>)> {
    let mut by_reason: Vec<(&'static str, BTreeMap<usize, Vec<&'static str>>)> = Vec::new();
    for (i, m) in MAPS.iter().enumerate() {
        for e in Experiment::ALL {
            let Some(why) = why_not(m, e) else { continue };
            let pos = match by_reason.iter().position(|(r, _)| *r == why) {
                Some(p) => p,
                None => {
                    by_reason.push((why, BTreeMap::new()));
                    by_reason.len() - 1
                }
            };
            by_reason[pos].1.entry(i).or_default().push(e.name());
        }
    }
    by_reason
        .into_iter()
        .map(|(why, maps)| {
            let lines = maps
                .into_iter()
                .map(|(i, exps)| format!("{}: {}", MAPS[i].name, exps.join(", ")))
                .collect();
            (why, lines)
        })
        .collect()
}

/// Prints the table, the reasons and the Go toolchains.
///
/// # Errors
///
/// None today; the signature matches the other subcommands.
pub fn run(go: &GoPeers) -> Res<()> {
    matrix().print();
    crate::say!("\n(runs: the experiment measures the map; -: it does not, for these reasons:)");
    for (why, lines) in reasons() {
        crate::say!("\n  {why}:");
        for l in lines {
            crate::say!("    {l}");
        }
    }
    crate::say!();
    for line in go.lines() {
        crate::say!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (map, experiment) pair left out appears under exactly one
    /// reason, and no reason is printed twice.
    #[test]
    fn reasons_cover_every_left_out_pair_once() {
        let r = reasons();
        let listed: usize = r
            .iter()
            .flat_map(|(_, lines)| lines.iter())
            .map(|l| l.split_once(": ").unwrap().1.split(", ").count())
            .sum();
        let expected = MAPS
            .iter()
            .flat_map(|m| {
                Experiment::ALL
                    .iter()
                    .filter(move |&&e| why_not(m, e).is_some())
            })
            .count();
        assert_eq!(listed, expected);
        for (i, (why, _)) in r.iter().enumerate() {
            assert!(r[..i].iter().all(|(w, _)| w != why), "{why} twice");
        }
    }
}
