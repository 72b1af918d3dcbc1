//! `evacmap-lab`: the measurement tools of evacmap, in one place.
//!
//! - The `lab` binary (`src/main.rs`) runs the experiments: each prints a
//!   table and writes CSV files and SVG plots into an output folder that it
//!   names at the end. `lab --help` lists them.
//! - The harnesses in `src/bin/` are small programs for profilers
//!   (callgrind, perf) and one-off measurements; the scripts in
//!   `lab/scripts/` drive them. `lab/README.md` has one line on each.
//! - The criterion benches (`benches/bench.rs`) compare the same maps.
//! - `lab/go/` is Go's own classic map running the same workloads.
//!
//! Everything here shares one key generator and one fixed-seed hasher
//! ([`keys`]) and one map adapter ([`maps::LabMap`]).

pub mod attribute;
pub mod charts;
pub mod child;
pub mod churn;
pub mod concurrent;
pub mod drain;
pub mod fidelity;
pub mod frontier;
pub mod go;
pub mod keys;
pub mod maps;
pub mod pause;
pub mod plot;
pub mod registry;
pub mod report;
pub mod residency;
pub mod runner;
pub mod scaling;
pub mod soak;
pub mod summary;
pub mod throughput;
