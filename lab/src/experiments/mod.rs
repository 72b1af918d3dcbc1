//! The experiments: one module per `lab` subcommand (`lab --help` lists
//! them). Each measures through [`crate::run`] or in-process, then prints
//! its table and writes its CSV files and plots through [`crate::output`];
//! every plot is drawn from the CSV files alone, so `lab plot DIR`
//! ([`plot`]) redraws a folder without measuring.

pub mod attribute;
pub mod churn;
pub mod concurrent;
pub mod drain;
pub mod fidelity;
pub mod frontier;
pub mod maps;
pub mod noise;
pub mod pause;
pub mod plot;
pub mod residency;
pub mod scaling;
pub mod soak;
pub mod summary;
pub mod throughput;
