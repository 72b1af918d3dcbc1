//! The workload behind `lab/scripts/layout-profile`: one map, given by a
//! layout and a growth policy, inserts N random `u64` keys into a new map
//! (no reserve), then looks up N present keys (shuffled) and N absent
//! keys; one `#[inline(never)]` function per phase (`insert`, `hit`,
//! `miss`), so that callgrind can report each phase's instructions and
//! simulated cache misses, and the entries the map moved while growing,
//! so that the script can put its growth per moved entry.
//!
//! Run: `cargo run --release -p evacmap-lab --bin layout_cost -- N LAYOUT POLICY`
//! with LAYOUT one of `go`, `split`, `split_pair`, `hashbrown` and
//! POLICY one of `go` (1 cursor step), `steps=S`, `all_at_once` (ignored
//! for hashbrown). Prints the entries moved and ns per operation (wall
//! clock, one run: for the record, not for comparison).

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use evacmap::{BucketLayout, EvacMap, GoLayout, Policy, SplitLayout, SplitPairLayout};
use evacmap_lab::keys::{Hasher, hasher, random_keys, shuffled_indices};

/// The map under test, with what the phases need of it.
trait Map {
    fn insert(&mut self, k: u64);
    fn contains(&self, k: &u64) -> bool;
    /// Entries moved by growth so far.
    fn moved(&self) -> u64;
}

impl<L: BucketLayout> Map for EvacMap<u64, u64, Hasher, L> {
    #[inline(always)]
    fn insert(&mut self, k: u64) {
        EvacMap::insert(self, k, k);
    }
    #[inline(always)]
    fn contains(&self, k: &u64) -> bool {
        self.get(k).is_some()
    }
    fn moved(&self) -> u64 {
        self.instruments().stats().entries_moved
    }
}

/// hashbrown, counting what its resizes move (every entry present at each
/// resize, which happens on the insert that finds `len() == capacity()`).
struct Brown {
    map: hashbrown::HashMap<u64, u64, Hasher>,
    moved: u64,
}

impl Map for Brown {
    #[inline(always)]
    fn insert(&mut self, k: u64) {
        if self.map.len() == self.map.capacity() && !self.map.contains_key(&k) {
            self.moved += self.map.len() as u64;
        }
        self.map.insert(k, k);
    }
    #[inline(always)]
    fn contains(&self, k: &u64) -> bool {
        self.map.get(k).is_some()
    }
    fn moved(&self) -> u64 {
        self.moved
    }
}

// Generic, so that each map's calls are direct and inlined as in a
// program of its own; one process runs one instantiation, which callgrind
// names `layout_cost::insert` (and `hit`, `miss`) whatever the map.
#[inline(never)]
fn insert<M: Map>(map: &mut M, keys: &[u64]) {
    for &k in keys {
        map.insert(k);
    }
}

#[inline(never)]
fn hit<M: Map>(map: &M, keys: &[u64]) -> usize {
    keys.iter().filter(|&k| map.contains(k)).count()
}

// Walks backwards and counts absent keys, so that the compiler cannot
// fold it into `hit` (callgrind would then see one function).
#[inline(never)]
fn miss<M: Map>(map: &M, keys: &[u64]) -> usize {
    keys.iter().rev().filter(|&k| !map.contains(k)).count()
}

fn policy(name: &str) -> Option<Policy> {
    match name {
        "go" => Some(Policy::go()),
        "all_at_once" => Some(Policy::all_at_once()),
        _ => {
            let steps = name.strip_prefix("steps=")?.parse().ok()?;
            Some(Policy::go().with_cursor_steps(steps))
        }
    }
}

fn evacmap<L: BucketLayout>(policy: Policy) -> EvacMap<u64, u64, Hasher, L> {
    EvacMap::builder()
        .layout::<L>()
        .policy(policy)
        .hasher(hasher())
        .build()
}

/// The phases on `map`: prints the entries moved and ns per operation.
fn run<M: Map>(mut map: M, n: usize) {
    let present = random_keys(n, 1);
    let absent = random_keys(n, 2);
    let shuffled: Vec<u64> = shuffled_indices(n, 3)
        .into_iter()
        .map(|i| present[i])
        .collect();
    let t = Instant::now();
    insert(&mut map, &present);
    let ins = t.elapsed().as_nanos() as f64 / n as f64;
    let moved = map.moved();
    let t = Instant::now();
    assert_eq!(black_box(hit(&map, &shuffled)), n);
    let h = t.elapsed().as_nanos() as f64 / n as f64;
    let t = Instant::now();
    assert_eq!(black_box(miss(&map, &absent)), n);
    let m = t.elapsed().as_nanos() as f64 / n as f64;
    println!("moved {moved}");
    println!("ns/op: insert {ins:.1} hit {h:.1} miss {m:.1}");
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = args
        .first()
        .and_then(|a| a.replace('_', "").parse::<usize>().ok())
        .filter(|&n| n > 0);
    let (Some(n), Some(layout), Some(policy)) =
        (n, args.get(1), args.get(2).and_then(|p| policy(p)))
    else {
        eprintln!(
            "usage: layout_cost N LAYOUT POLICY   (N > 0; LAYOUT: go, split, \
             split_pair, hashbrown; POLICY: go, steps=S, all_at_once)"
        );
        return ExitCode::from(2);
    };
    match layout.as_str() {
        "go" => run(evacmap::<GoLayout>(policy), n),
        "split" => run(evacmap::<SplitLayout>(policy), n),
        "split_pair" => run(evacmap::<SplitPairLayout>(policy), n),
        "hashbrown" => run(
            Brown {
                map: hashbrown::HashMap::with_hasher(hasher()),
                moved: 0,
            },
            n,
        ),
        other => {
            eprintln!("layout_cost: unknown layout {other:?}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
