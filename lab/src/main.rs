//! `lab`: the experiment runner. Each subcommand prints a table and writes
//! CSV files and SVG plots into an output folder that it names at the end.
//!
//! Done so far: `pause` and `residency`. To come (issue 4): `churn`,
//! `memory`, and `all` with a summary table; with no subcommand the lab runs
//! `pause` and `residency` at sizes that take seconds.

mod maps;
mod pause;
mod report;
mod residency;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "lab",
    about = "Measure evacmap against hashbrown and std on this machine"
)]
struct Cli {
    /// Folder for CSV and SVG output (created if missing).
    #[arg(long, global = true, default_value = "target/lab")]
    out: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Time every insert of N keys into each map; percentiles, the len at
    /// the maximum, the timer's noise floor, and evacmap's pause sources.
    Pause {
        /// Keys to insert into each map.
        #[arg(long, default_value_t = 2_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
    },
    /// A write burst, a read-only phase, then idle ticks: old-bucket bytes
    /// held over time for Go's policy and for the same map given
    /// `evacuate_for(1ms)` ticks.
    Residency {
        /// Keys in the burst (continued until a growth is in progress;
        /// 900,000 stops mid-growth).
        #[arg(long, default_value_t = 900_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
    },
}

/// Parses the command line; on a bad argument prints the error and the
/// usage text and exits with status 2 (help and version exit 0).
fn parse_args() -> Cli {
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            let _ = e.print();
            eprintln!("\n{}", Cli::command().render_usage());
            std::process::exit(2);
        }
    }
}

fn main() -> ExitCode {
    let cli = parse_args();
    let result = match cli.command {
        Some(Command::Pause { n }) => pause::run(n as usize, &cli.out),
        Some(Command::Residency { n }) => residency::run(n as usize, &cli.out),
        None => pause::run(200_000, &cli.out).and_then(|()| residency::run(200_000, &cli.out)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lab: {e}");
            ExitCode::FAILURE
        }
    }
}
