//! `EvacSet` against `std::collections::HashSet`: two sets under an
//! arbitrary policy and hasher, arbitrary operations on either, and the
//! set operations (iterators, predicates, operators) between them, each
//! compared with std's; `check_invariants` after every operation.

#![no_main]

use std::collections::HashSet;

use arbitrary::Arbitrary;
use evacmap::EvacSet;
use evacmap_fuzz::{FuzzHasher, HasherChoice, PolicyChoice};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    policy: PolicyChoice,
    hasher: HasherChoice,
    ops: Vec<(bool, Op)>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(u16),
    InsertMany(u16, u8),
    Remove(u16),
    RemoveMany(u16, u8),
    Contains(u16),
    Take(u16),
    Replace(u16),
    GetOrInsertWith(u16),
    Retain(u8),
    ExtractIf(u8, u8),
    Drain(u8),
    Reserve(u16),
    ShrinkToFit,
    Evacuate(u8),
    FinishGrowth,
    Clear,
    CloneBack,
    /// Set operations between the two sets, all compared with std's.
    Algebra,
}

type Set = EvacSet<u16, FuzzHasher>;
type Model = HashSet<u16>;

fn sorted<'a>(it: impl Iterator<Item = &'a u16>) -> Vec<u16> {
    let mut v: Vec<u16> = it.copied().collect();
    v.sort_unstable();
    v
}

fn algebra(a: &Set, b: &Set, ma: &Model, mb: &Model) {
    assert_eq!(sorted(a.union(b)), sorted(ma.union(mb)));
    assert_eq!(sorted(a.intersection(b)), sorted(ma.intersection(mb)));
    assert_eq!(sorted(a.difference(b)), sorted(ma.difference(mb)));
    assert_eq!(
        sorted(a.symmetric_difference(b)),
        sorted(ma.symmetric_difference(mb))
    );
    assert_eq!(a.is_subset(b), ma.is_subset(mb));
    assert_eq!(a.is_superset(b), ma.is_superset(mb));
    assert_eq!(a.is_disjoint(b), ma.is_disjoint(mb));
    assert_eq!(sorted((a | b).iter()), sorted((ma | mb).iter()));
    assert_eq!(sorted((a & b).iter()), sorted((ma & mb).iter()));
    assert_eq!(sorted((a - b).iter()), sorted((ma - mb).iter()));
    assert_eq!(sorted((a ^ b).iter()), sorted((ma ^ mb).iter()));
    assert_eq!(a == b, ma == mb);
}

fn apply(op: &Op, set: &mut Set, model: &mut Model, other: &Set) {
    match *op {
        Op::Insert(k) => assert_eq!(set.insert(k), model.insert(k)),
        Op::InsertMany(s, n) => {
            for k in (0..u16::from(n) * 8).map(|d| s.wrapping_add(d)) {
                assert_eq!(set.insert(k), model.insert(k));
            }
        }
        Op::Remove(k) => assert_eq!(set.remove(&k), model.remove(&k)),
        Op::RemoveMany(s, n) => {
            for k in (0..u16::from(n) * 8).map(|d| s.wrapping_add(d)) {
                assert_eq!(set.remove(&k), model.remove(&k));
            }
        }
        Op::Contains(k) => assert_eq!(set.contains(&k), model.contains(&k)),
        Op::Take(k) => assert_eq!(set.take(&k), model.take(&k)),
        Op::Replace(k) => assert_eq!(set.replace(k), model.replace(k)),
        Op::GetOrInsertWith(k) => {
            assert_eq!(*set.get_or_insert_with(&k, |&k| k), k);
            model.insert(k);
        }
        Op::Retain(m) => {
            let keep = |k: &u16| k % (u16::from(m) + 2) != 0;
            set.retain(keep);
            model.retain(keep);
        }
        Op::ExtractIf(m, take) => {
            let pick = |k: &u16| k % (u16::from(m) + 2) == 0;
            let out: Vec<u16> = set.extract_if(pick).take(usize::from(take)).collect();
            for k in out {
                assert!(pick(&k) && model.remove(&k));
            }
        }
        Op::Drain(take) => {
            for k in set.drain().take(usize::from(take)) {
                assert!(model.contains(&k));
            }
            model.clear();
        }
        Op::Reserve(n) => set.reserve(usize::from(n)),
        Op::ShrinkToFit => set.shrink_to_fit(),
        Op::Evacuate(n) => {
            set.evacuate(usize::from(n));
        }
        Op::FinishGrowth => set.finish_evacuation(),
        Op::Clear => {
            set.clear();
            model.clear();
        }
        Op::CloneBack => {
            *set = set.clone();
        }
        Op::Algebra => {
            let _ = other;
        }
    }
}

fuzz_target!(|input: Input| {
    let (policy, hasher) = (input.policy.policy(), FuzzHasher(input.hasher));
    let mut sets = [
        EvacSet::builder().policy(policy).hasher(hasher).build(),
        EvacSet::builder().policy(policy).hasher(hasher).build(),
    ];
    let mut models = [Model::new(), Model::new()];
    for (second, op) in &input.ops {
        let i = usize::from(*second);
        if let Op::Algebra = op {
            algebra(&sets[0], &sets[1], &models[0], &models[1]);
            algebra(&sets[1], &sets[0], &models[1], &models[0]);
            continue;
        }
        let [a, b] = &mut sets;
        let (set, other) = if i == 0 { (a, &*b) } else { (b, &*a) };
        apply(op, set, &mut models[i], other);
        set.check_invariants();
        assert_eq!(set.len(), models[i].len(), "after {op:?}");
    }
    for (s, m) in sets.iter().zip(&models) {
        assert_eq!(sorted(s.iter()), sorted(m.iter()));
    }
});
