//! Model tests: random operation sequences applied to `EvacMap` and to
//! `std::collections::HashMap`, compared after every step, with
//! `check_invariants()` after every step. Run for several policies (so that
//! most operations happen mid-growth) and weak hashers (so that overflow
//! chains, tophash collisions and same-size growth are exercised).

mod common;

use std::collections::HashMap;

use common::{ALL_WEAKNESSES, Weak, Weakness};
use evacmap::{EvacMap, EvacuationKind, Policy};
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};

/// One step of a test. Keys are small so that operations hit each other.
#[derive(Clone, Debug)]
enum Op {
    Insert(u16, u32),
    /// Inserts keys `start..start + 8 * count`, to reach larger tables.
    InsertMany(u16, u8),
    Remove(u16),
    /// Removes keys `start..start + 8 * count`: a delete burst, to reach
    /// sparse tables that shrink.
    RemoveMany(u16, u8),
    Get(u16),
    GetMut(u16, u32),
    EntryOrInsert(u16, u32),
    EntryRemove(u16),
    Evacuate(u8),
    FinishGrowth,
    Clone,
    Retain(u8),
    /// Extracts keys `k % modulus == 0`, stopping after `take` of them.
    ExtractIf(u8, u8),
    /// Drains, consuming only `take` entries before dropping the drain.
    Drain(u8),
    Clear,
    Reserve(u8),
    ShrinkToFit,
    ShrinkTo(u16),
    IterAll,
}

const KEY_SPACE: u16 = 2048;

impl Arbitrary for Op {
    fn arbitrary(g: &mut Gen) -> Self {
        let k = u16::arbitrary(g) % KEY_SPACE;
        let v = u32::arbitrary(g);
        let n = u8::arbitrary(g);
        // Weighted: mostly inserts and removes, the rest now and then.
        match u8::arbitrary(g) % 43 {
            0..=11 => Op::Insert(k, v),
            12..=13 => Op::InsertMany(k, n % 64),
            14..=19 => Op::Remove(k),
            20 => Op::RemoveMany(k, n % 64),
            21..=24 => Op::Get(k),
            25..=26 => Op::GetMut(k, v),
            27..=28 => Op::EntryOrInsert(k, v),
            29..=30 => Op::EntryRemove(k),
            31..=32 => Op::Evacuate(n % 8),
            33 => Op::FinishGrowth,
            34 => Op::Clone,
            35 => Op::Retain(n % 7 + 2),
            36 => Op::ExtractIf(n % 5 + 2, u8::arbitrary(g) % 16),
            37 => {
                if n % 8 == 0 {
                    Op::Drain(n / 8)
                } else {
                    Op::Clear
                }
            }
            38 => Op::Reserve(n),
            39 => Op::ShrinkToFit,
            40 => Op::ShrinkTo(k),
            _ => Op::IterAll,
        }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        match *self {
            Op::InsertMany(k, n) if n > 0 => {
                Box::new([Op::InsertMany(k, n / 2), Op::Insert(k, 0)].into_iter())
            }
            Op::RemoveMany(k, n) if n > 0 => {
                Box::new([Op::RemoveMany(k, n / 2), Op::Remove(k)].into_iter())
            }
            _ => Box::new(std::iter::empty()),
        }
    }
}

type Map = EvacMap<u16, u32, Weak>;

/// A query type for `u16` keys that is `Equivalent` (hashing as the key
/// does: the derived `Hash` hashes the one field) but not `Borrow`.
#[derive(Hash)]
struct Key(u16);

impl evacmap::Equivalent<u16> for Key {
    fn equivalent(&self, key: &u16) -> bool {
        self.0 == *key
    }
}

impl From<&Key> for u16 {
    fn from(k: &Key) -> u16 {
        k.0
    }
}

fn assert_same(map: &Map, model: &HashMap<u16, u32>) {
    map.check_invariants();
    assert_eq!(map.len(), model.len());
    let mut seen = 0;
    for (k, v) in map.iter() {
        assert_eq!(model.get(k), Some(v), "key {k}");
        seen += 1;
    }
    assert_eq!(seen, model.len());
}

/// Applies `ops` to a map with this policy and hasher and to the model.
fn run(policy: Policy, weakness: Weakness, ops: &[Op]) {
    let mut map: Map = EvacMap::builder()
        .policy(policy)
        .hasher(Weak(weakness))
        .build();
    let mut model: HashMap<u16, u32> = HashMap::new();
    for op in ops {
        let shrinks_before = map.instruments().stats().shrinks_completed;
        match *op {
            Op::Insert(k, v) => assert_eq!(map.insert(k, v), model.insert(k, v)),
            Op::InsertMany(start, count) => {
                for k in (start..start.saturating_add(8 * u16::from(count))).map(|k| k % KEY_SPACE)
                {
                    assert_eq!(map.insert(k, u32::from(k)), model.insert(k, u32::from(k)));
                }
            }
            Op::Remove(k) => assert_eq!(map.remove(&k), model.remove(&k)),
            Op::RemoveMany(start, count) => {
                for k in (start..start.saturating_add(8 * u16::from(count))).map(|k| k % KEY_SPACE)
                {
                    assert_eq!(map.remove(&k), model.remove(&k));
                }
            }
            Op::Get(k) => assert_eq!(map.get_key_value(&k), model.get_key_value(&k)),
            Op::GetMut(k, v) => {
                if let Some(x) = map.get_mut(&k) {
                    *x = v;
                }
                if let Some(x) = model.get_mut(&k) {
                    *x = v;
                }
                // Two keys at once (k + 1 may be absent), against std's.
                let k2 = (k + 1) % KEY_SPACE;
                let want = (model.get(&k).copied(), model.get(&k2).copied());
                if k != k2 {
                    let [a, b] = map.get_disjoint_mut([&k, &k2]);
                    assert_eq!((a.as_deref().copied(), b.as_deref().copied()), want);
                    if let Some(a) = a {
                        *a ^= 2;
                        *model.get_mut(&k).unwrap() ^= 2;
                    }
                }
            }
            Op::EntryOrInsert(k, v) => {
                if v % 2 == 0 {
                    *map.entry(k).or_insert(v) ^= 1;
                } else {
                    // The borrowed-key entry, through a query type that is
                    // `Equivalent` to the key (not `Borrow`).
                    *map.entry_ref(&Key(k)).or_insert(v) ^= 1;
                }
                *model.entry(k).or_insert(v) ^= 1;
            }
            Op::EntryRemove(k) => {
                let got = match map.entry(k) {
                    evacmap::map::Entry::Occupied(o) => Some(o.remove()),
                    evacmap::map::Entry::Vacant(_) => None,
                };
                assert_eq!(got, model.remove(&k));
            }
            Op::Evacuate(n) => {
                let before = map.phase().progress();
                let moved = map.evacuate(usize::from(n));
                assert!(moved <= usize::from(n));
                if before.is_none() {
                    assert_eq!(moved, 0);
                }
            }
            Op::FinishGrowth => {
                map.finish_evacuation();
                assert!(!map.is_evacuating());
            }
            Op::Clone => {
                let copy = map.clone();
                assert_eq!(copy.phase().progress(), map.phase().progress());
                assert_same(&copy, &model);
                // clone_from into a map of another shape, and into one of
                // the same shape (which reuses its array).
                let mut other: Map = EvacMap::builder()
                    .policy(policy)
                    .hasher(Weak(weakness))
                    .build();
                other.insert(1, 1);
                other.clone_from(&copy);
                assert_same(&other, &model);
                other.clone_from(&copy);
                assert_same(&other, &model);
                map = copy;
            }
            Op::Retain(m) => {
                map.retain(|k, _| k % u16::from(m) != 0);
                model.retain(|k, _| k % u16::from(m) != 0);
            }
            Op::ExtractIf(m, take) => {
                let taken: Vec<_> = map
                    .extract_if(|k, _| k % u16::from(m) == 0)
                    .take(usize::from(take))
                    .collect();
                for (k, v) in taken {
                    assert_eq!(k % u16::from(m), 0);
                    assert_eq!(model.remove(&k), Some(v));
                }
            }
            Op::Drain(take) => {
                let mut drain = map.drain();
                for (k, v) in drain.by_ref().take(usize::from(take)) {
                    assert_eq!(model.get(&k), Some(&v));
                }
                drop(drain);
                model.clear();
            }
            Op::Clear => {
                map.clear();
                model.clear();
            }
            Op::Reserve(n) => {
                map.reserve(usize::from(n));
                assert!(map.capacity() >= model.len() + usize::from(n));
            }
            Op::ShrinkToFit => {
                map.shrink_to_fit();
                assert!(map.capacity() >= model.len());
                if model.is_empty() {
                    assert_eq!(map.capacity(), 0);
                }
            }
            Op::ShrinkTo(n) => {
                let before = map.capacity();
                map.shrink_to(usize::from(n));
                assert!(map.capacity() >= model.len().max(usize::from(n)).min(before));
                assert!(map.capacity() <= before);
            }
            Op::IterAll => {
                let mut from_map: Vec<_> = map.iter().map(|(k, v)| (*k, *v)).collect();
                let mut from_model: Vec<_> = model.iter().map(|(k, v)| (*k, *v)).collect();
                from_map.sort_unstable();
                from_model.sort_unstable();
                assert_eq!(from_map, from_model);
                for v in map.values_mut() {
                    *v = v.wrapping_add(1);
                }
                for v in model.values_mut() {
                    *v = v.wrapping_add(1);
                }
            }
        }
        assert_same(&map, &model);
        let shrinking =
            matches!(map.phase().progress(), Some(p) if p.kind == EvacuationKind::Shrink);
        STEPS.with(|c| {
            let (growing, all) = c.get();
            c.set((growing + usize::from(map.is_evacuating()), all + 1));
        });
        SHRINKS.with(|c| {
            c.set(c.get() + map.instruments().stats().shrinks_completed - shrinks_before)
        });
        SHRINK_STEPS.with(|c| c.set(c.get() + usize::from(shrinking)));
    }
}

fn policies() -> [(&'static str, Policy); 6] {
    [
        ("go", Policy::go()),
        ("no_cursor", Policy::go().with_cursor_steps(0)),
        (
            "tight_no_cursor",
            Policy::go().with_cursor_steps(0).with_load_factor(1.0),
        ),
        (
            "no_evac_on_remove",
            Policy::go()
                .with_evacuate_on_remove(false)
                .with_load_factor(2.0),
        ),
        ("all_at_once", Policy::all_at_once().with_auto_shrink(0.125)),
        (
            "auto_shrink_no_cursor",
            Policy::go().with_cursor_steps(0).with_auto_shrink(0.25),
        ),
    ]
}

thread_local! {
    /// The (policy, hasher) the property below runs with: quickcheck takes
    /// plain `fn`s, which cannot capture.
    static CONFIG: std::cell::Cell<(Policy, Weakness)> =
        const { std::cell::Cell::new((Policy::go(), Weakness::Strong)) };
}

fn prop(ops: Vec<Op>) -> TestResult {
    let (policy, weakness) = CONFIG.with(|c| c.get());
    run(policy, weakness, &ops);
    TestResult::passed()
}

thread_local! {
    /// (steps that ended mid-growth, all steps) over one `check`.
    static STEPS: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
    /// Shrinks completed, and steps that ended mid-shrink, over one `check`.
    static SHRINKS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static SHRINK_STEPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The generator seed: fixed, so CI runs are reproducible; set
/// `EVACMAP_QC_SEED=<u64>` to explore other sequences (a failure prints the
/// shrunk op list; pin it in `tests/regressions.rs`).
fn seed() -> u64 {
    match std::env::var("EVACMAP_QC_SEED") {
        Ok(s) => s.parse().expect("EVACMAP_QC_SEED must be a u64"),
        Err(_) => 0x5EED_0FE7_AC00_u64,
    }
}

fn check(policy: Policy, weakness: Weakness) {
    let (tests, size) = if cfg!(miri) { (2, 40) } else { (40, 150) };
    CONFIG.with(|c| c.set((policy, weakness)));
    STEPS.with(|c| c.set((0, 0)));
    SHRINKS.with(|c| c.set(0));
    SHRINK_STEPS.with(|c| c.set(0));
    QuickCheck::new()
        .tests(tests)
        .max_tests(tests * 10)
        .rng(Gen::from_size_and_seed(size, seed()))
        .quickcheck(prop as fn(Vec<Op>) -> TestResult);
    let (growing, all) = STEPS.with(|c| c.get());
    let (shrinks, shrinking) = (SHRINKS.with(|c| c.get()), SHRINK_STEPS.with(|c| c.get()));
    eprintln!(
        "{policy:?} {weakness:?}: {growing} of {all} steps mid-growth, \
         {shrinking} mid-shrink, {shrinks} shrinks completed"
    );
    if !cfg!(miri) {
        // Shrinks come from `shrink_to_fit`/`shrink_to` in every policy
        // and from delete bursts where auto-shrink is on.
        assert!(shrinks > 0, "no shrink completed");
        if !policy.is_all_at_once() {
            assert!(shrinking > 0, "no step ended mid-shrink");
        }
    }
    if policy.is_all_at_once() {
        assert_eq!(growing, 0, "all-at-once left a growth running");
    } else if !cfg!(miri) {
        // Guard against the generator drifting away from growth states.
        // Measured 11-30% (cursor 0) and 2-5% (Go's cursor 1: small tables
        // finish growing within 2^oldB writes) over many seeds; the floors
        // leave a wide margin so that other seeds pass too.
        let floor = if policy.cursor_steps() == 0 { 20 } else { 200 };
        assert!(
            growing * floor >= all,
            "only {growing} of {all} steps mid-growth"
        );
    }
}

macro_rules! model_tests {
    ($($name:ident: $policy:expr;)*) => {$(
        #[test]
        fn $name() {
            for weakness in ALL_WEAKNESSES {
                check($policy, weakness);
            }
        }
    )*};
}

model_tests! {
    model_go: policies()[0].1;
    model_no_cursor: policies()[1].1;
    model_tight_no_cursor: policies()[2].1;
    model_no_evacuate_on_remove: policies()[3].1;
    model_all_at_once: policies()[4].1;
    model_auto_shrink_no_cursor: policies()[5].1;
}

#[test]
fn policy_names_are_distinct() {
    let names: std::collections::HashSet<_> = policies().iter().map(|p| p.0).collect();
    assert_eq!(names.len(), policies().len());
}
