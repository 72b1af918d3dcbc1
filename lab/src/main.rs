//! `lab`: the experiment runner. Each subcommand prints a table and writes
//! CSV files and SVG plots into an output folder that it names at the end.
//!
//! Subcommands: `pause`, `residency`, `churn`, `drain`, `memory`,
//! `concurrent`, and `all`
//! (the default): each of them at a size that takes seconds, then a summary
//! table.

mod churn;
mod concurrent;
mod drain;
mod maps;
mod memory;
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
    /// Steady-state insert/delete at constant size: overflow buckets,
    /// same-size growths, memory, throughput against hashbrown.
    Churn {
        /// Entries kept in the map.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
        /// Insert+remove pairs.
        #[arg(long, default_value_t = 2_000_000)]
        m: u64,
    },
    /// Fill to N, remove 95%, then M insert+remove+read operations: table
    /// memory over time and the pause of every operation, for Go's policy
    /// (never shrinks), automatic shrinking, and `shrink_to_fit` on evacmap
    /// and on hashbrown.
    Drain {
        /// Keys in the fill.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(20..))]
        n: u64,
        /// Operations after the removals.
        #[arg(long, default_value_t = 1_000_000)]
        m: u64,
    },
    /// Peak resident memory (VmHWM) of a child process inserting N keys,
    /// per map, next to evacmap's own byte counters.
    Memory {
        /// Keys to insert.
        #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
    },
    /// Readers and one writer on the same concurrent map: the writer inserts
    /// N keys while readers time lookups of keys already inserted. Reader
    /// percentiles and latency over time, writer throughput, and write-lock
    /// hold, for the sharded evacmap (Go's policy and all-at-once), dashmap
    /// and RwLock<hashbrown>; with 1 reader and with 3 (oversubscribed).
    Concurrent {
        /// Keys the writer inserts.
        #[arg(long, default_value_t = 2_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
    },
    /// Every experiment at a size that takes seconds, then one summary table.
    All {
        /// Multiplies every size (e.g. 0.01 for a smoke run, 10 for a long one).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
    },
    /// Internal: the child process of `memory`.
    #[command(hide = true)]
    MemoryChild {
        #[arg(long)]
        map: String,
        #[arg(long)]
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
    let out = &cli.out;
    let result = match cli.command {
        Some(Command::Pause { n }) => pause::run(n as usize, out).map(drop),
        Some(Command::Residency { n }) => residency::run(n as usize, out),
        Some(Command::Churn { n, m }) => churn::run(n, m, out).map(drop),
        Some(Command::Drain { n, m }) => drain::run(n, m, out),
        Some(Command::Memory { n }) => memory::run(n, out).map(drop),
        Some(Command::Concurrent { n }) => concurrent::run(n, out),
        Some(Command::MemoryChild { map, n }) => memory::child(&map, n),
        Some(Command::All { scale }) => all(out, scale),
        None => all(out, 1.0),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lab: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every experiment at a size that finishes in seconds, then per map: insert
/// and lookup time relative to hashbrown (from `pause`), p99.99 and max
/// insert pause, churn time and peak memory relative to hashbrown.
fn all(out: &std::path::Path, scale: f64) -> Result<(), Box<dyn std::error::Error>> {
    if !(scale > 0.0 && scale.is_finite()) {
        return Err(format!("--scale must be a positive number, got {scale}").into());
    }
    let size = |n: f64| ((n * scale) as u64).max(100);
    let (p, r, cn, cm, m) = (size(1e6), size(3e5), size(1e5), size(1e6), size(2e6));
    println!("== pause ({p} inserts)");
    let pause = pause::run(p as usize, out)?;
    println!("\n== residency (burst of {r})");
    residency::run(r as usize, out)?;
    println!("\n== churn ({cn} entries, {cm} insert+remove pairs)");
    let churn = churn::run(cn, cm, out)?;
    println!("\n== drain (fill {r}, remove 95%, {r} more operations)");
    drain::run(r, r, out)?;
    println!("\n== concurrent ({r} inserts by one writer, timed readers)");
    concurrent::run(r, out)?;
    println!("\n== memory ({m} inserts)");
    let memory = memory::run(m, out)?;

    let brown = pause
        .iter()
        .find(|r| r.name == "hashbrown")
        .expect("hashbrown ran");
    let brown_churn = churn
        .iter()
        .find(|c| c.0 == "hashbrown")
        .map_or(1.0, |c| c.1);
    let brown_mem = memory
        .iter()
        .find(|m| m.name == "hashbrown")
        .map_or(1, |m| m.net_peak_rss.max(1));
    let mut rows = vec![
        [
            "map",
            "insert_vs_hb",
            "lookup_vs_hb",
            "p99.99_ns",
            "max_pause_ns",
            "churn_vs_hb",
            "peak_mem_vs_hb",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for r in &pause {
        let s = report::Summary::of(&r.latencies);
        let churn_ns = churn
            .iter()
            .find(|c| c.0 == r.name)
            .map_or(f64::NAN, |c| c.1);
        let mem = memory
            .iter()
            .find(|m| m.name == r.name)
            .map_or(0, |m| m.net_peak_rss);
        rows.push(vec![
            r.name.to_string(),
            format!("{:.2}", r.insert_ns() / brown.insert_ns()),
            format!("{:.2}", r.lookup_ns / brown.lookup_ns),
            s.p9999.to_string(),
            s.max.to_string(),
            if churn_ns.is_nan() {
                "-".into() // not run by churn
            } else {
                format!("{:.2}", churn_ns / brown_churn)
            },
            format!("{:.2}", mem as f64 / brown_mem as f64),
        ]);
    }
    println!("\n== summary (ratios: this map / hashbrown, same run; lower is better)");
    report::print_table(&rows);
    report::write_csv(&out.join("summary.csv"), &rows)?;
    println!(
        "\noutput: {} (summary.csv and the files above)",
        out.display()
    );
    Ok(())
}
