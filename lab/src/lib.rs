//! `evacmap-lab`: the measurement tools of evacmap, in one place.
//!
//! - The `lab` binary (`src/main.rs`) runs the experiments: each prints a
//!   table and writes CSV files and SVG plots into an output folder that it
//!   names at the end. `lab --help` lists them.
//! - The harnesses in `src/bin/` are small programs for profilers
//!   (callgrind, perf) and one-off measurements; the scripts in
//!   `lab/scripts/` drive them. `lab/README.md` has one line on each.
//! - The criterion benches (`benches/bench.rs`) compare the same maps.
//! - `lab/go/` is Go's own maps running the same workloads.
//!
//! The library reads as the pipeline it runs, each layer using only the
//! ones below it:
//!
//! | layer | modules | what it holds |
//! |---|---|---|
//! | experiments | [`experiments`] | one module per `lab` subcommand: what to run, the tables, CSV files and plots |
//! | output | [`output`] | tables and CSV, human units, progress bars, SVG plots |
//! | running | [`run`] | one map in one fresh process (the parent's side and the child's), repeated builds and their traces |
//! | maps | [`maps`] | every map the lab knows ([`maps::registry`]), the adapter every Rust map implements ([`maps::LabMap`]), Go's toolchains ([`maps::go`]) |
//! | base | [`keys`], [`stats`] | the key streams and the fixed-seed hasher; latency records, quantiles, medians |

pub mod experiments;
pub mod keys;
pub mod maps;
pub mod output;
pub mod run;
pub mod stats;

/// The error type of the lab: any error, with a message for the user.
pub type Res<T> = Result<T, Box<dyn std::error::Error>>;
