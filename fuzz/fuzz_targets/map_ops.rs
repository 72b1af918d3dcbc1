//! `EvacMap` against `std::collections::HashMap`: an arbitrary policy,
//! layout, hasher (good to degenerate) and first capacity, then an
//! arbitrary sequence of every operation that touches growth, each
//! followed by `check_invariants` and a comparison of what it returned;
//! the whole contents are compared every 16 operations and at the end,
//! and every value made must be dropped exactly once.

#![no_main]

use std::collections::HashMap;
use std::time::Duration;

use arbitrary::Arbitrary;
use evacmap::{BucketLayout, EvacMap, GoLayout, SplitLayout, SplitPairLayout, TryReserveError};
use evacmap_fuzz::{
    FuzzHasher, HasherChoice, Key, PolicyChoice, Tracked, assert_no_tracked_since, live,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    policy: PolicyChoice,
    hasher: HasherChoice,
    layout: LayoutChoice,
    capacity: u8,
    ops: Vec<Op>,
}

/// The bucket layout of the map under test.
#[derive(Arbitrary, Debug)]
enum LayoutChoice {
    Go,
    Split,
    SplitPair,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(u16, u32),
    /// Keys `start..start + count * 8`.
    InsertMany(u16, u8),
    Remove(u16),
    RemoveMany(u16, u8),
    RemoveEntry(u16),
    Get(u16),
    GetMut(u16, u32),
    EntryOrInsert(u16, u32),
    EntryAndModify(u16, u32),
    EntryRemove(u16),
    EntryInsertEntry(u16, u32),
    EntryRefOrInsert(u16, u32),
    /// Keeps keys with `k % (m + 2) != 0`.
    Retain(u8),
    /// Extracts keys with `k % (m + 2) == 0`, stopping after `take`.
    ExtractIf(u8, u8),
    /// Drains, consuming `take` entries before dropping the drain.
    Drain(u8),
    /// Iterates `take` entries, then drops the iterator.
    IterPartial(u8),
    IterMutAdd(u32),
    /// An owning iterator over a clone, dropped after `take` entries.
    IntoIterPartial(u8),
    Reserve(u16),
    TryReserve(ReserveSize),
    ShrinkTo(u16),
    ShrinkToFit,
    Evacuate(u8),
    EvacuateFor(u8),
    FinishGrowth,
    Clone,
    /// `spare.clone_from(&map)`, then the two maps trade places.
    CloneFromAndSwap,
    GetDisjointMut(u16, u16, u32),
    Clear,
}

#[derive(Arbitrary, Debug)]
enum ReserveSize {
    Small(u16),
    /// More than any table holds: must be a capacity overflow.
    Huge,
    /// `usize::MAX` more: the length overflows.
    Max,
}

type Model = HashMap<u16, u32>;

fn same<L: BucketLayout>(map: &EvacMap<u16, Tracked, FuzzHasher, L>, model: &Model) {
    assert_eq!(map.len(), model.len());
    let mut n = 0;
    for (k, v) in map {
        assert_eq!(model.get(k), Some(&v.0), "key {k}");
        n += 1;
    }
    assert_eq!(n, model.len(), "iteration length");
}

fn run<L: BucketLayout>(input: &Input) {
    let start = live();
    let policy = input.policy.policy();
    let hasher = FuzzHasher(input.hasher);
    let mut map: EvacMap<u16, Tracked, FuzzHasher, L> = EvacMap::builder()
        .layout::<L>()
        .capacity(usize::from(input.capacity))
        .policy(policy)
        .hasher(hasher)
        .build();
    let mut spare: EvacMap<u16, Tracked, FuzzHasher, L> = EvacMap::builder()
        .layout::<L>()
        .policy(policy)
        .hasher(hasher)
        .build();
    let mut model = Model::new();
    for (i, op) in input.ops.iter().enumerate() {
        apply(op, &mut map, &mut spare, &mut model);
        map.check_invariants();
        assert_eq!(map.len(), model.len(), "after {op:?}");
        if i % 16 == 15 {
            same(&map, &model);
        }
    }
    same(&map, &model);
    drop(map);
    drop(spare);
    assert_no_tracked_since(start);
}

fn apply<L: BucketLayout>(
    op: &Op,
    map: &mut EvacMap<u16, Tracked, FuzzHasher, L>,
    spare: &mut EvacMap<u16, Tracked, FuzzHasher, L>,
    model: &mut Model,
) {
    match *op {
        Op::Insert(k, v) => {
            let old = map.insert(k, Tracked::new(v)).map(|t| t.0);
            assert_eq!(old, model.insert(k, v));
        }
        Op::InsertMany(start, count) => {
            for k in (0..u16::from(count) * 8).map(|d| start.wrapping_add(d)) {
                map.insert(k, Tracked::new(u32::from(k)));
                model.insert(k, u32::from(k));
            }
        }
        Op::Remove(k) => assert_eq!(map.remove(&k).map(|t| t.0), model.remove(&k)),
        Op::RemoveMany(start, count) => {
            for k in (0..u16::from(count) * 8).map(|d| start.wrapping_add(d)) {
                assert_eq!(map.remove(&k).map(|t| t.0), model.remove(&k));
            }
        }
        Op::RemoveEntry(k) => {
            let got = map.remove_entry(&k).map(|(k, v)| (k, v.0));
            assert_eq!(got, model.remove_entry(&k));
        }
        Op::Get(k) => assert_eq!(map.get(&k).map(|t| t.0), model.get(&k).copied()),
        Op::GetMut(k, v) => {
            if let Some(t) = map.get_mut(&k) {
                t.0 = v;
            }
            if let Some(m) = model.get_mut(&k) {
                *m = v;
            }
        }
        Op::EntryOrInsert(k, v) => {
            let got = map.entry(k).or_insert_with(|| Tracked::new(v)).0;
            assert_eq!(got, *model.entry(k).or_insert(v));
        }
        Op::EntryAndModify(k, v) => {
            map.entry(k).and_modify(|t| t.0 ^= v);
            model.entry(k).and_modify(|m| *m ^= v);
        }
        Op::EntryRemove(k) => match map.entry(k) {
            evacmap::Entry::Occupied(o) => assert_eq!(Some(o.remove().0), model.remove(&k)),
            evacmap::Entry::Vacant(_) => assert!(!model.contains_key(&k)),
        },
        Op::EntryInsertEntry(k, v) => {
            let e = map.entry(k).insert_entry(Tracked::new(v));
            assert_eq!((*e.key(), e.get().0), (k, v));
            model.insert(k, v);
        }
        Op::EntryRefOrInsert(k, v) => {
            let got = map.entry_ref(&Key(k)).or_insert_with(|| Tracked::new(v)).0;
            assert_eq!(got, *model.entry(k).or_insert(v));
        }
        Op::Retain(m) => {
            let keep = |k: &u16| k % (u16::from(m) + 2) != 0;
            map.retain(|k, _| keep(k));
            model.retain(|k, _| keep(k));
        }
        Op::ExtractIf(m, take) => {
            let pick = |k: &u16| k % (u16::from(m) + 2) == 0;
            let out: Vec<(u16, u32)> = map
                .extract_if(|k, _| pick(k))
                .take(usize::from(take))
                .map(|(k, v)| (k, v.0))
                .collect();
            for (k, v) in out {
                assert_eq!(model.remove(&k), Some(v));
                assert!(pick(&k));
            }
        }
        Op::Drain(take) => {
            let mut seen = 0;
            for (k, v) in map.drain().take(usize::from(take)) {
                assert_eq!(model.get(&k), Some(&v.0));
                seen += 1;
            }
            assert!(seen <= model.len());
            model.clear();
        }
        Op::IterPartial(take) => {
            for (k, v) in map.iter().take(usize::from(take)) {
                assert_eq!(model.get(k), Some(&v.0));
            }
        }
        Op::IterMutAdd(d) => {
            for (_, v) in map.iter_mut() {
                v.0 = v.0.wrapping_add(d);
            }
            for v in model.values_mut() {
                *v = v.wrapping_add(d);
            }
        }
        Op::IntoIterPartial(take) => {
            for (k, v) in map.clone().into_iter().take(usize::from(take)) {
                assert_eq!(model.get(&k), Some(&v.0));
            }
        }
        Op::Reserve(n) => {
            map.reserve(usize::from(n));
            assert!(map.capacity() >= map.len() + usize::from(n));
        }
        Op::TryReserve(ref size) => {
            let n = match *size {
                ReserveSize::Small(n) => usize::from(n),
                ReserveSize::Huge => 1 << (usize::BITS - 2),
                ReserveSize::Max => usize::MAX,
            };
            match (map.try_reserve(n), size) {
                (Ok(()), ReserveSize::Small(_)) => assert!(map.capacity() >= map.len() + n),
                (Err(TryReserveError::CapacityOverflow), ReserveSize::Huge | ReserveSize::Max) => {}
                (r, s) => panic!("try_reserve({s:?}) = {r:?}"),
            }
        }
        Op::ShrinkTo(n) => {
            map.shrink_to(usize::from(n));
            assert!(map.capacity() >= map.len());
        }
        Op::ShrinkToFit => map.shrink_to_fit(),
        Op::Evacuate(n) => {
            map.evacuate(usize::from(n));
        }
        Op::EvacuateFor(us) => {
            map.evacuate_for(Duration::from_micros(u64::from(us % 64)));
        }
        Op::FinishGrowth => {
            map.finish_evacuation();
            assert!(!map.is_evacuating() && !map.holds_old_memory());
        }
        Op::Clone => {
            let c = map.clone();
            c.check_invariants();
            same(&c, model);
            assert_eq!(c.is_evacuating(), map.is_evacuating());
        }
        Op::CloneFromAndSwap => {
            spare.clone_from(map);
            spare.check_invariants();
            same(spare, model);
            std::mem::swap(map, spare);
        }
        // (The same key twice panics by contract, and a panic ends a fuzz
        // run: tests/api.rs covers that case.)
        Op::GetDisjointMut(a, b, v) if a != b => {
            let [x, y] = map.get_disjoint_mut([&a, &b]);
            assert_eq!(x.is_some(), model.contains_key(&a));
            assert_eq!(y.is_some(), model.contains_key(&b));
            if let Some(x) = x {
                x.0 = v;
                model.insert(a, v);
            }
        }
        Op::GetDisjointMut(..) => {}
        Op::Clear => {
            map.clear();
            model.clear();
            assert!(!map.is_evacuating());
        }
    }
}

fuzz_target!(|input: Input| {
    match input.layout {
        LayoutChoice::Go => run::<GoLayout>(&input),
        LayoutChoice::Split => run::<SplitLayout>(&input),
        LayoutChoice::SplitPair => run::<SplitPairLayout>(&input),
    }
});
