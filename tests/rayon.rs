//! The `rayon` feature against std: every parallel iterator yields each
//! entry exactly once, also mid-growth and mid-shrink (entries split
//! between the old and the new array), and the owning ones drop what they
//! do not yield exactly once.
#![cfg(feature = "rayon")]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};

use evacmap::{EvacMap, EvacSet, Policy, ShardedEvacMap, ShardedEvacSet};
use rayon::prelude::*;

/// `n`, or a tenth of it under Miri.
const fn size(n: u64) -> u64 {
    if cfg!(miri) { n / 10 } else { n }
}

/// Maps in the states iteration must handle: empty, small, stopped
/// mid-growth, grown and settled, and mid-shrink.
fn maps() -> Vec<(String, EvacMap<u64, u64>)> {
    let mut out = vec![("empty".to_string(), EvacMap::new())];
    for n in [1u64, 7, 100, size(5_000)] {
        let map: EvacMap<u64, u64> = (0..n).map(|i| (i, i * 3)).collect();
        out.push((format!("{n} entries"), map));
    }
    let mut growing = EvacMap::new();
    let mut i = 0;
    while growing.len() < size(2_000) as usize || !growing.is_evacuating() {
        growing.insert(i, i * 3);
        i += 1;
    }
    out.push((format!("mid-growth at {i}"), growing));
    let mut shrinking: EvacMap<u64, u64> =
        EvacMap::with_policy(Policy::go().with_auto_shrink(0.25));
    shrinking.extend((0..size(20_000)).map(|i| (i, i * 3)));
    shrinking.finish_evacuation();
    let mut i = 0;
    while !shrinking.is_evacuating() {
        shrinking.remove(&i);
        i += 1;
    }
    out.push((format!("mid-shrink after {i} removals"), shrinking));
    out
}

fn model(map: &EvacMap<u64, u64>) -> BTreeMap<u64, u64> {
    map.iter().map(|(k, v)| (*k, *v)).collect()
}

#[test]
fn par_iter_and_par_iter_mut_see_every_entry_once() {
    for (name, mut map) in maps() {
        let expected = model(&map);
        let seen: Vec<(u64, u64)> = map.par_iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(seen.len(), expected.len(), "{name}");
        assert_eq!(
            seen.into_iter().collect::<BTreeMap<_, _>>(),
            expected,
            "{name}"
        );
        assert_eq!(
            (&map).into_par_iter().map(|(_, v)| *v).sum::<u64>(),
            expected.values().sum::<u64>(),
            "{name}"
        );

        map.par_iter_mut().for_each(|(k, v)| *v += k);
        map.check_invariants();
        let bumped: BTreeMap<u64, u64> = expected.iter().map(|(k, v)| (*k, v + k)).collect();
        assert_eq!(model(&map), bumped, "{name}");
    }
}

#[test]
fn into_par_iter_par_drain_and_collect_match_std() {
    for (name, mut map) in maps() {
        let expected = model(&map);
        let copy = map.clone();
        let drained: BTreeMap<u64, u64> = map.par_drain().collect();
        assert_eq!(drained, expected, "{name}");
        assert!(map.is_empty(), "{name}");
        map.check_invariants();
        map.insert(1, 1);
        assert_eq!(map.get(&1), Some(&1), "{name}: usable after par_drain");

        let owned: BTreeMap<u64, u64> = copy.into_par_iter().collect();
        assert_eq!(owned, expected, "{name}");

        let collected: EvacMap<u64, u64> = expected.clone().into_par_iter().collect();
        collected.check_invariants();
        assert_eq!(model(&collected), expected, "{name}");
    }
}

#[test]
fn par_extend_overwrites_like_extend() {
    let mut map: EvacMap<u64, u64> = (0..1_000).map(|i| (i, 0)).collect();
    map.par_extend((500..3_000u64).into_par_iter().map(|i| (i, i)));
    map.check_invariants();
    let mut expected: BTreeMap<u64, u64> = (0..1_000).map(|i| (i, 0)).collect();
    expected.extend((500..3_000).map(|i| (i, i)));
    assert_eq!(model(&map), expected);
}

/// A value that counts how many of its kind are alive.
struct Live(Arc<AtomicIsize>);

impl Live {
    fn new(count: &Arc<AtomicIsize>) -> Live {
        count.fetch_add(1, Ordering::Relaxed);
        Live(Arc::clone(count))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[test]
fn owning_parallel_iterators_drop_what_they_do_not_yield() {
    let live = Arc::new(AtomicIsize::new(0));
    let build = || {
        let mut map = EvacMap::new();
        let mut i = 0u64;
        while map.len() < size(3_000) as usize || !map.is_evacuating() {
            map.insert(i, Live::new(&live));
            i += 1;
        }
        map
    };
    let map = build();
    let n = map.len() as isize;
    assert_eq!(live.load(Ordering::Relaxed), n);
    // `find_any` stops early: the rest is dropped with the iterator.
    let found = map.into_par_iter().find_any(|(k, _)| *k == 17);
    assert!(found.is_some());
    assert_eq!(live.load(Ordering::Relaxed), 1);
    drop(found);
    assert_eq!(live.load(Ordering::Relaxed), 0);

    let mut map = build();
    let taken: Vec<_> = map.par_drain().take_any(10).collect();
    assert_eq!(taken.len(), 10);
    assert!(map.is_empty());
    assert_eq!(live.load(Ordering::Relaxed), 10);
    drop(taken);
    drop(map);
    assert_eq!(live.load(Ordering::Relaxed), 0);
}

#[test]
fn sets_in_parallel() {
    let n = size(10_000);
    let mut set: EvacSet<u64> = (0..n).into_par_iter().collect();
    set.check_invariants();
    assert_eq!(set.par_iter().sum::<u64>(), (0..n).sum::<u64>());
    set.par_extend((n / 2..n + n / 5).into_par_iter());
    assert_eq!(set.len() as u64, n + n / 5);
    let drained: BTreeSet<u64> = set.par_drain().collect();
    assert_eq!(drained, (0..n + n / 5).collect());
    assert!(set.is_empty());
    let owned: EvacSet<u64> = (0..100).collect();
    assert_eq!(owned.into_par_iter().count(), 100);
}

#[test]
fn sharded_maps_and_sets_in_parallel() {
    let n = size(20_000);
    let mut map: ShardedEvacMap<u64, u64> = ShardedEvacMap::builder().shards(8).build();
    map.par_extend((0..n).into_par_iter().map(|i| (i, i)));
    map.check_invariants();
    assert_eq!(map.len() as u64, n);
    let sum = AtomicIsize::new(0);
    map.par_for_each(|_, v| {
        sum.fetch_add(*v as isize, Ordering::Relaxed);
    });
    assert_eq!(sum.into_inner() as u64, (0..n).sum::<u64>());
    map.par_for_each_mut(|k, v| *v += k);
    let owned: BTreeMap<u64, u64> = map.into_par_iter().collect();
    assert_eq!(owned, (0..n).map(|i| (i, 2 * i)).collect());

    let mut set: ShardedEvacSet<u64> = ShardedEvacSet::new();
    set.par_extend((0..n / 4).into_par_iter());
    set.par_extend((0..n / 2).into_par_iter());
    assert_eq!(set.len() as u64, n / 2);
    let map: ShardedEvacMap<u64, u64> = (0..n / 8).into_par_iter().map(|i| (i, i)).collect();
    assert_eq!(map.len() as u64, n / 8);
    let set: ShardedEvacSet<u64> = (0..n / 8).into_par_iter().collect();
    assert!(set.contains(&(n / 8 - 1)));
}
