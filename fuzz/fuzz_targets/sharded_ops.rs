//! `ShardedEvacMap` against `std::collections::HashMap`, on one thread: an
//! arbitrary shard count, policy and hasher, then arbitrary operations
//! (entry guards, `remove_if`, `alter`, `update`, `view`, `maintain`,
//! `retain`, iteration, resizing), each followed by `check_invariants`.

#![no_main]

use std::collections::HashMap;

use arbitrary::Arbitrary;
use evacmap::sharded::{Entry, ShardedEvacMap};
use evacmap_fuzz::{
    FuzzHasher, HasherChoice, PolicyChoice, Tracked, assert_no_tracked_since, live,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    shards: u8,
    policy: PolicyChoice,
    hasher: HasherChoice,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(u16, u32),
    InsertMany(u16, u8),
    Remove(u16),
    RemoveMany(u16, u8),
    Get(u16),
    GetMutSet(u16, u32),
    EntryOrInsertAdd(u16, u32),
    EntryRemove(u16),
    RemoveIfOdd(u16),
    RemoveIfMutDecrement(u16),
    Alter(u16, u32),
    Update(u16, u32),
    View(u16),
    Maintain(u8),
    Retain(u8),
    IterCount,
    IterMutXor(u32),
    Reserve(u16),
    ShrinkToFit,
    Clear,
    CloneCompare,
}

type Map = ShardedEvacMap<u16, Tracked, FuzzHasher>;
type Model = HashMap<u16, u32>;

fn apply(op: &Op, map: &Map, model: &mut Model) {
    match *op {
        Op::Insert(k, v) => {
            assert_eq!(
                map.insert(k, Tracked::new(v)).map(|t| t.0),
                model.insert(k, v)
            );
        }
        Op::InsertMany(s, n) => {
            for k in (0..u16::from(n) * 8).map(|d| s.wrapping_add(d)) {
                map.insert(k, Tracked::new(u32::from(k)));
                model.insert(k, u32::from(k));
            }
        }
        Op::Remove(k) => assert_eq!(map.remove(&k).map(|t| t.0), model.remove(&k)),
        Op::RemoveMany(s, n) => {
            for k in (0..u16::from(n) * 8).map(|d| s.wrapping_add(d)) {
                assert_eq!(map.remove(&k).map(|t| t.0), model.remove(&k));
            }
        }
        Op::Get(k) => assert_eq!(map.get(&k).map(|r| r.0), model.get(&k).copied()),
        Op::GetMutSet(k, v) => {
            if let Some(mut r) = map.get_mut(&k) {
                r.0 = v;
            }
            if let Some(m) = model.get_mut(&k) {
                *m = v;
            }
        }
        Op::EntryOrInsertAdd(k, v) => {
            let got = {
                let mut r = map.entry(k).or_insert_with(|| Tracked::new(0));
                r.0 = r.0.wrapping_add(v);
                r.0
            };
            let m = model.entry(k).or_insert(0);
            *m = m.wrapping_add(v);
            assert_eq!(got, *m);
        }
        Op::EntryRemove(k) => match map.entry(k) {
            Entry::Occupied(o) => assert_eq!(Some(o.remove().0), model.remove(&k)),
            Entry::Vacant(_) => assert!(!model.contains_key(&k)),
        },
        Op::RemoveIfOdd(k) => {
            let got = map.remove_if(&k, |_, v| v.0 % 2 == 1).map(|(_, v)| v.0);
            let want = model.get(&k).copied().filter(|v| v % 2 == 1);
            if want.is_some() {
                model.remove(&k);
            }
            assert_eq!(got, want);
        }
        Op::RemoveIfMutDecrement(k) => {
            let got = map.remove_if_mut(&k, |_, v| {
                v.0 = v.0.wrapping_sub(1);
                v.0 % 4 == 0
            });
            if let Some(m) = model.get_mut(&k) {
                *m = m.wrapping_sub(1);
                if *m % 4 == 0 {
                    assert_eq!(got.map(|(_, v)| v.0), model.remove(&k));
                    return;
                }
            }
            assert!(got.is_none());
        }
        Op::Alter(k, d) => {
            map.alter(&k, |_, v| Tracked::new(v.0 ^ d));
            if let Some(m) = model.get_mut(&k) {
                *m ^= d;
            }
        }
        Op::Update(k, v) => {
            let got = map.update(&k, |t| std::mem::replace(&mut t.0, v));
            let want = model.get_mut(&k).map(|m| std::mem::replace(m, v));
            assert_eq!(got, want);
        }
        Op::View(k) => assert_eq!(map.view(&k, |_, v| v.0), model.get(&k).copied()),
        Op::Maintain(n) => {
            map.maintain(usize::from(n) + 1);
        }
        Op::Retain(m) => {
            let keep = |k: &u16| k % (u16::from(m) + 2) != 0;
            map.retain(|k, _| keep(k));
            model.retain(|k, _| keep(k));
        }
        Op::IterCount => {
            let mut n = 0;
            for r in map.iter() {
                assert_eq!(model.get(r.key()), Some(&r.value().0));
                n += 1;
            }
            assert_eq!(n, model.len());
        }
        Op::IterMutXor(d) => {
            for mut r in map.iter_mut() {
                r.value_mut().0 ^= d;
            }
            for v in model.values_mut() {
                *v ^= d;
            }
        }
        Op::Reserve(n) => map.reserve(usize::from(n)),
        Op::ShrinkToFit => map.shrink_to_fit(),
        Op::Clear => {
            map.clear();
            model.clear();
        }
        Op::CloneCompare => {
            let c = map.clone();
            c.check_invariants();
            assert_eq!(c.len(), model.len());
            for r in c.iter() {
                assert_eq!(model.get(r.key()), Some(&r.value().0));
            }
        }
    }
}

fuzz_target!(|input: Input| {
    let start = live();
    let shards = [1, 2, 4, 8, 16][usize::from(input.shards % 5)];
    let map = ShardedEvacMap::builder()
        .shards(shards)
        .policy(input.policy.policy())
        .hasher(FuzzHasher(input.hasher))
        .build();
    let mut model = Model::new();
    for op in &input.ops {
        apply(op, &map, &mut model);
        map.check_invariants();
        assert_eq!(map.len(), model.len(), "after {op:?}");
    }
    drop(map);
    assert_no_tracked_since(start);
});
