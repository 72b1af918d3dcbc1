//! Every map the lab measures, in one list: its name, what it is and how
//! it is built ([`Kind`], which carries a Rust map's constructor), its
//! colour in every plot, and which experiments run it. Adding a map is one
//! entry in [`MAPS`] (plus its crate in `lab/Cargo.toml`; Go's maps come
//! from the Go program); `maps::make`, the criterion benches and `lab
//! maps` are derived from this list, and each experiment takes its maps from
//! [`maps_in`], so the new map joins every experiment that accepts its kind,
//! and every experiment that leaves it out says why ([`why_not`], printed by
//! `lab maps`). `lab/tests/smoke.rs` checks that each experiment's output
//! has exactly the maps this module says it runs.

use std::fmt;

use evacmap::{Policy, SplitPairLayout};

use crate::keys::{Hasher, hasher};
use crate::maker;
use crate::maps::go::{Flavour, GoPeers};
use crate::maps::shared::{self, SharedMap};
use crate::maps::{AUTO_SHRINK_FILL, Maker, evacmap, evacmap_layout, evacmap_split};

/// The experiments that choose maps from the registry. (`compare` and `all`
/// run `pause`, `throughput` and `memory`; `plot` only redraws.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Experiment {
    /// Every insert timed.
    Pause,
    /// Untimed builds and lookups.
    Throughput,
    /// Peak RSS of a build.
    Memory,
    /// Old-array bytes held through a burst, reads and idle time.
    Residency,
    /// Insert/delete at constant size.
    Churn,
    /// Fill, delete 95%, keep going.
    Drain,
    /// Readers against one writer.
    Concurrent,
    /// Growth decisions against Go's classic map.
    Fidelity,
    /// Throughput against pause, per growth setting.
    Frontier,
    /// The worst insert from 10^4 to 10^8 keys.
    Scaling,
    /// The criterion benches (`cargo bench -p evacmap-lab`).
    Bench,
}

impl Experiment {
    /// Every experiment, in `lab maps`' column order.
    pub const ALL: [Experiment; 11] = [
        Experiment::Pause,
        Experiment::Throughput,
        Experiment::Memory,
        Experiment::Residency,
        Experiment::Churn,
        Experiment::Drain,
        Experiment::Concurrent,
        Experiment::Fidelity,
        Experiment::Frontier,
        Experiment::Scaling,
        Experiment::Bench,
    ];

    /// The subcommand's name.
    pub fn name(self) -> &'static str {
        match self {
            Experiment::Pause => "pause",
            Experiment::Throughput => "throughput",
            Experiment::Memory => "memory",
            Experiment::Residency => "residency",
            Experiment::Churn => "churn",
            Experiment::Drain => "drain",
            Experiment::Concurrent => "concurrent",
            Experiment::Fidelity => "fidelity",
            Experiment::Frontier => "frontier",
            Experiment::Scaling => "scaling",
            Experiment::Bench => "bench",
        }
    }

    /// Why this experiment leaves out every map of `kind`, if it does.
    fn refuses(self, kind: Class) -> Option<&'static str> {
        use Class as Kind;
        use Experiment as E;
        let go = matches!(kind, Kind::Go(..));
        match (self, kind) {
            (E::Concurrent, Kind::Concurrent) => None,
            (E::Concurrent, _) => Some("single-threaded: `concurrent` runs the concurrent maps"),
            (_, Kind::Concurrent) => Some("a concurrent map: measured in `concurrent`"),
            (E::Bench, Kind::Go(..)) => Some("criterion runs Rust maps in-process"),
            (E::Churn | E::Drain, _) if go => {
                Some("runs in-process on the Rust maps (Go's churn behaviour is in `fidelity`)")
            }
            (E::Residency | E::Fidelity, Kind::Go(Flavour::Swiss, _)) => {
                Some("a Swiss map keeps no old array and has no growth to compare")
            }
            (E::Residency | E::Fidelity, Kind::Go(Flavour::Classic, Gc::On)) => {
                Some("growth decisions and old-array residency do not depend on the collector")
            }
            (E::Residency, Kind::Peer) => {
                Some("no old array to watch from outside the map (hashbrown, std, griddle, papaya)")
            }
            (E::Fidelity, Kind::Peer) => Some("compares evacmap's growths with Go's classic map"),
            _ => None,
        }
    }
}

impl fmt::Display for Experiment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Go's collector during the map phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gc {
    /// `debug.SetGCPercent(-1)`: the reference for ratios.
    Off,
    /// Go's default.
    On,
}

impl Gc {
    /// The Go program's `-gc` flag value.
    pub fn flag(self) -> &'static str {
        match self {
            Gc::Off => "off",
            Gc::On => "on",
        }
    }
}

/// What kind of map an entry is, which decides how it runs, with its
/// constructor.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// evacmap, single-threaded.
    Evacmap(Maker),
    /// A single-threaded Rust peer.
    Peer(Maker),
    /// Go's map of this flavour, run by the Go program.
    Go(Flavour, Gc),
    /// A concurrent map (`lab concurrent`).
    Concurrent(fn() -> Box<dyn SharedMap>),
}

impl Kind {
    /// The constructor of a single-threaded Rust map.
    pub fn maker(&self) -> Option<&Maker> {
        match self {
            Kind::Evacmap(m) | Kind::Peer(m) => Some(m),
            _ => None,
        }
    }

    /// The kind without its constructor.
    pub fn class(&self) -> Class {
        match *self {
            Kind::Evacmap(_) => Class::Evacmap,
            Kind::Peer(_) => Class::Peer,
            Kind::Go(f, gc) => Class::Go(f, gc),
            Kind::Concurrent(_) => Class::Concurrent,
        }
    }
}

/// A [`Kind`] without its constructor: how a map runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// evacmap, in a Rust child process or in-process.
    Evacmap,
    /// A Rust peer, likewise.
    Peer,
    /// Go's map, in the Go program.
    Go(Flavour, Gc),
    /// A concurrent map, in-process.
    Concurrent,
}

/// One registered map.
#[derive(Clone, Copy, Debug)]
pub struct MapSpec {
    /// Its name in tables, CSV files and plots.
    pub name: &'static str,
    /// How it runs.
    pub kind: Kind,
    /// One line for `lab maps`.
    pub about: &'static str,
    /// Its colour in every plot.
    pub colour: (u8, u8, u8),
    /// Experiments that leave it out although they accept its kind, and why.
    pub sits_out: &'static [(Experiment, &'static str)],
}

const SETTING: &str = "a departure from Go's layout or pages, not a growth setting: see `compare`";

/// What an opt-in departure from Go (huge pages, the split layout) sits
/// out: every experiment about growth settings and Go's behaviour.
const A_DEPARTURE: &[(Experiment, &str)] = &[
    (Experiment::Residency, SETTING),
    (Experiment::Churn, SETTING),
    (Experiment::Drain, SETTING),
    (Experiment::Fidelity, SETTING),
    (Experiment::Frontier, SETTING),
    (Experiment::Scaling, SETTING),
];

/// What the allocation-ahead settings sit out: the departures' list, and
/// throughput and the benches (what they change is a few inserts'
/// latency and the memory held, which `pause` and `memory` show).
const AHEAD_SITS_OUT: &[(Experiment, &str)] = &[
    (Experiment::Residency, SETTING),
    (Experiment::Churn, SETTING),
    (Experiment::Drain, SETTING),
    (Experiment::Fidelity, SETTING),
    (Experiment::Frontier, SETTING),
    (Experiment::Scaling, SETTING),
    (Experiment::Throughput, SETTING),
    (Experiment::Bench, SETTING),
];

/// What a huge-pages departure sits out: the departures' list, and the
/// benches (their sizes are too small for huge pages to matter).
const HUGE_PAGES_SITS_OUT: &[(Experiment, &str)] = &[
    (Experiment::Residency, SETTING),
    (Experiment::Churn, SETTING),
    (Experiment::Drain, SETTING),
    (Experiment::Fidelity, SETTING),
    (Experiment::Frontier, SETTING),
    (Experiment::Scaling, SETTING),
    (
        Experiment::Bench,
        "arrays of the benches' sizes are too small to get huge pages",
    ),
];
const REMOVALS: &str = "differs from `evacmap` only when entries are removed";
const STD: &str =
    "std's map is hashbrown (with the same hasher here): its point repeats hashbrown's";

/// The registry. The order is the order of tables and legends.
pub const MAPS: &[MapSpec] = &[
    MapSpec {
        name: "evacmap",
        kind: Kind::Evacmap(maker!(K => evacmap::<K>(Policy::go()))),
        about: "EvacMap with Go's policy (1 cursor step per write)",
        colour: (214, 39, 40),
        sits_out: &[],
    },
    MapSpec {
        name: "evacmap/all_at_once",
        kind: Kind::Evacmap(maker!(K => evacmap::<K>(Policy::all_at_once()))),
        about: "the same buckets, every growth evacuated inside the insert that starts it",
        colour: (255, 127, 14),
        sits_out: &[
            (Experiment::Residency, "holds no old array after any insert"),
            (Experiment::Drain, "shrinks like `evacmap`, only at once"),
            (Experiment::Fidelity, "compares Go's own policy"),
        ],
    },
    MapSpec {
        name: "evacmap/cursor_steps=4",
        kind: Kind::Evacmap(maker!(K => evacmap::<K>(Policy::go().with_cursor_steps(4)))),
        about: "Go's policy with 4 cursor steps per write",
        colour: (240, 128, 128),
        sits_out: &[
            (
                Experiment::Residency,
                "`frontier` gives every setting's residency",
            ),
            (
                Experiment::Churn,
                "a growth setting: `frontier` compares them",
            ),
            (
                Experiment::Drain,
                "a growth setting: `frontier` compares them",
            ),
            (Experiment::Fidelity, "compares Go's own policy"),
            (
                Experiment::Scaling,
                "a growth setting: `frontier` compares them",
            ),
            (
                Experiment::Bench,
                "a growth setting: `frontier` compares them",
            ),
        ],
    },
    MapSpec {
        name: "evacmap/huge_pages",
        kind: Kind::Evacmap(maker!(K => evacmap::<K>(Policy::go().with_huge_pages(true)))),
        about: "Go's policy with Policy::with_huge_pages(true)",
        colour: (227, 119, 194),
        sits_out: HUGE_PAGES_SITS_OUT,
    },
    MapSpec {
        name: "evacmap/no_ahead",
        kind: Kind::Evacmap(maker!(K => evacmap::<K>(Policy::go().with_allocate_ahead(false)))),
        about: "Go's policy, each array allocated when its doubling starts (as Go does)",
        colour: (180, 80, 80),
        sits_out: AHEAD_SITS_OUT,
    },
    MapSpec {
        name: "evacmap/no_touch",
        kind: Kind::Evacmap(maker!(K => evacmap::<K>(Policy::go().with_touch_ahead(false)))),
        about: "Go's policy, the array allocated ahead but its pages faulted in by the doubling",
        colour: (200, 100, 60),
        sits_out: AHEAD_SITS_OUT,
    },
    MapSpec {
        name: "evacmap/split",
        kind: Kind::Evacmap(maker!(K => evacmap_split::<K>(Policy::go()))),
        about: "Go's policy on SplitLayout (tophash words beside the buckets)",
        colour: (23, 190, 207),
        sits_out: A_DEPARTURE,
    },
    MapSpec {
        name: "evacmap/split_pair",
        kind: Kind::Evacmap(maker!(K => evacmap_layout::<K, SplitPairLayout>(Policy::go()))),
        about: "Go's policy on SplitPairLayout (dense tophash words, each key beside its value)",
        colour: (0, 128, 128),
        sits_out: A_DEPARTURE,
    },
    MapSpec {
        name: "evacmap/auto_shrink",
        kind: Kind::Evacmap(
            maker!(K => evacmap::<K>(Policy::go().with_auto_shrink(AUTO_SHRINK_FILL))),
        ),
        about: "Go's policy plus automatic shrinking at a fill of 1/8",
        colour: (188, 189, 34),
        sits_out: &[
            (Experiment::Pause, REMOVALS),
            (Experiment::Throughput, REMOVALS),
            (Experiment::Memory, REMOVALS),
            (Experiment::Residency, REMOVALS),
            (Experiment::Fidelity, "Go's map never shrinks"),
            (Experiment::Frontier, REMOVALS),
            (Experiment::Scaling, REMOVALS),
            (Experiment::Bench, REMOVALS),
        ],
    },
    MapSpec {
        name: "hashbrown",
        kind: Kind::Peer(maker!(K => hashbrown::HashMap::<K, u64, Hasher>::with_hasher(hasher()))),
        about: "hashbrown::HashMap (std's map), all-at-once resize",
        colour: (44, 160, 44),
        sits_out: &[],
    },
    MapSpec {
        name: "std",
        kind: Kind::Peer(
            maker!(K => std::collections::HashMap::<K, u64, Hasher>::with_hasher(hasher())),
        ),
        about: "std::collections::HashMap",
        colour: (230, 171, 2),
        sits_out: &[
            (Experiment::Frontier, STD),
            (Experiment::Scaling, STD),
            (Experiment::Drain, STD),
        ],
    },
    MapSpec {
        name: "griddle",
        kind: Kind::Peer(maker!(K => griddle::HashMap::<K, u64, Hasher>::with_hasher(hasher()))),
        about: "griddle::HashMap: hashbrown with incremental resize",
        colour: (148, 103, 189),
        sits_out: &[(Experiment::Drain, "has no incremental shrink to compare")],
    },
    MapSpec {
        name: "papaya",
        kind: Kind::Peer(maker!(K => papaya::HashMap::<K, u64, Hasher>::with_hasher(hasher()))),
        about: "papaya::HashMap through its pinned API (incremental resize)",
        colour: (140, 86, 75),
        sits_out: &[(Experiment::Drain, "has no shrink_to_fit")],
    },
    MapSpec {
        name: "go/gc_off",
        kind: Kind::Go(Flavour::Classic, Gc::Off),
        about: "Go's classic map, GC off (the reference for ratios to Go)",
        colour: (0, 0, 0),
        sits_out: &[],
    },
    MapSpec {
        name: "go/gc_on",
        kind: Kind::Go(Flavour::Classic, Gc::On),
        about: "Go's classic map, GC on",
        colour: (110, 110, 110),
        sits_out: &[],
    },
    MapSpec {
        name: "go-swiss/gc_off",
        kind: Kind::Go(Flavour::Swiss, Gc::Off),
        about: "Go's Swiss map (Go 1.24+), GC off",
        colour: (31, 80, 180),
        sits_out: &[],
    },
    MapSpec {
        name: "go-swiss/gc_on",
        kind: Kind::Go(Flavour::Swiss, Gc::On),
        about: "Go's Swiss map (Go 1.24+), GC on",
        colour: (120, 160, 220),
        sits_out: &[],
    },
    MapSpec {
        name: "sharded/evacmap",
        kind: Kind::Concurrent(|| shared::sharded(Policy::go())),
        about: "ShardedEvacMap, 8 shards, Go's policy",
        colour: (214, 39, 40),
        sits_out: &[],
    },
    MapSpec {
        name: "sharded/all_at_once",
        kind: Kind::Concurrent(|| shared::sharded(Policy::all_at_once())),
        about: "ShardedEvacMap, 8 shards, Policy::all_at_once()",
        colour: (255, 127, 14),
        sits_out: &[],
    },
    MapSpec {
        name: "dashmap",
        kind: Kind::Concurrent(shared::dashmap),
        about: "dashmap::DashMap, 8 shards",
        colour: (31, 119, 180),
        sits_out: &[],
    },
    MapSpec {
        name: "papaya/concurrent",
        kind: Kind::Concurrent(shared::papaya),
        about: "papaya::HashMap shared by the threads",
        colour: (140, 86, 75),
        sits_out: &[],
    },
    MapSpec {
        name: "RwLock<hashbrown>",
        kind: Kind::Concurrent(shared::rwlock_hashbrown),
        about: "one std RwLock around a hashbrown::HashMap",
        colour: (44, 160, 44),
        sits_out: &[],
    },
];

impl MapSpec {
    /// Whether the map lays out its table the same in every process, so
    /// that an insert's own work recurs at the same index of every build of
    /// the same keys (`run::trace`). True for the Rust maps, which hash
    /// with the lab's fixed-seed hasher: papaya's slowest inserts were
    /// checked to recur at the same indices (3 processes of 1M inserts: its
    /// 13,200 inserts above 5 µs per process keep 12,832 after the
    /// per-insert minimum). False for Go's maps, which mix a per-process
    /// random key into every hash.
    pub fn layout_repeats(&self) -> bool {
        !matches!(self.kind, Kind::Go(..))
    }
}

/// The entry of a registered map.
pub fn spec(name: &str) -> Option<&'static MapSpec> {
    MAPS.iter().find(|m| m.name == name)
}

/// Why `exp` leaves out `map`, or `None` if it runs it.
pub fn why_not(map: &MapSpec, exp: Experiment) -> Option<&'static str> {
    exp.refuses(map.kind.class()).or_else(|| {
        map.sits_out
            .iter()
            .find(|(e, _)| *e == exp)
            .map(|(_, why)| *why)
    })
}

/// The maps `exp` runs, in registry order; Go's only where `go` has the
/// flavour.
pub fn maps_in(exp: Experiment, go: &GoPeers) -> Vec<&'static MapSpec> {
    MAPS.iter()
        .filter(|m| why_not(m, exp).is_none())
        .filter(|m| match m.kind {
            Kind::Go(f, _) => go.get(f).is_some(),
            _ => true,
        })
        .collect()
}

/// The maps `exp` runs whether or not Go is installed.
pub fn names_in(exp: Experiment) -> Vec<&'static str> {
    MAPS.iter()
        .filter(|m| why_not(m, exp).is_none())
        .map(|m| m.name)
        .collect()
}

/// A colour for any series name: the registry's for a registered map (a
/// `cursor_steps=N` setting gets evacmap's hue, darker the more steps),
/// greys for timer floors, a fixed palette otherwise.
pub fn colour(name: &str) -> (u8, u8, u8) {
    // A map's name with a note after it ("go/gc_on (events)") is the map.
    let base = name.split(" (").next().unwrap_or(name);
    if let Some(m) = spec(base) {
        return m.colour;
    }
    if name.contains("floor") {
        // Drawn dashed: light, and no map is this grey.
        return if name.starts_with("go") {
            (215, 215, 215)
        } else {
            (175, 175, 175)
        };
    }
    if let Some(steps) = name
        .strip_prefix("evacmap/cursor_steps=")
        .and_then(|s| s.parse::<u32>().ok())
    {
        let shade = (steps.max(1).ilog2() * 18).min(160) as u8;
        return (230 - shade / 2, 60u8.saturating_sub(shade / 3), 40);
    }
    for (prefix, m) in [
        ("evacmap", "evacmap"),
        ("go-swiss", "go-swiss/gc_off"),
        ("go", "go/gc_off"),
    ] {
        if name.starts_with(prefix) {
            return spec(m).map_or((0, 0, 0), |s| s.colour);
        }
    }
    const PALETTE: [(u8, u8, u8); 6] = [
        (31, 119, 180),
        (44, 160, 44),
        (148, 103, 189),
        (140, 86, 75),
        (23, 190, 207),
        (127, 127, 127),
    ];
    let h = name
        .bytes()
        .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    PALETTE[h % PALETTE.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_reasons_are_given() {
        for (i, m) in MAPS.iter().enumerate() {
            assert!(
                MAPS[..i].iter().all(|o| o.name != m.name),
                "{} registered twice",
                m.name
            );
            for (e, why) in m.sits_out {
                assert!(!why.is_empty(), "{} sits out {e} without a reason", m.name);
                assert!(
                    !matches!(m.kind, Kind::Concurrent(_)) || *e == Experiment::Concurrent,
                    "{}: a concurrent map's reasons come from its kind",
                    m.name
                );
            }
        }
    }

    /// Every experiment runs at least one map, and every registered map
    /// runs somewhere.
    #[test]
    fn every_map_runs_somewhere() {
        for e in Experiment::ALL {
            assert!(!names_in(e).is_empty(), "{e} runs nothing");
        }
        for m in MAPS {
            assert!(
                Experiment::ALL.iter().any(|&e| why_not(m, e).is_none()),
                "{} runs nowhere",
                m.name
            );
        }
    }

    /// Maps drawn in the same plot never share a colour.
    #[test]
    fn colours_differ_within_an_experiment() {
        for e in Experiment::ALL {
            let maps: Vec<&MapSpec> = MAPS.iter().filter(|m| why_not(m, e).is_none()).collect();
            for (i, a) in maps.iter().enumerate() {
                for b in &maps[..i] {
                    assert_ne!(a.colour, b.colour, "{e}: {} and {}", a.name, b.name);
                }
            }
        }
    }
}
