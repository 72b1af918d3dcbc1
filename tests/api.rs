//! The std- and hashbrown-shaped API beyond the basics: unwind safety as
//! std has it, `Equivalent` lookups, `get_disjoint_mut`, `clone_from`,
//! `Default` iterators, the set's named iterators and operators, and the
//! instruments' exports (`Display`, buckets, chain lengths, serde).

use std::cell::UnsafeCell;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, UnwindSafe, catch_unwind};

use evacmap::{
    DefaultHashBuilder, Equivalent, EvacMap, EvacSet, Policy, ShardedEvacMap, ShardedEvacSet,
};

/// std's own test (library/std/src/collections/hash/map/tests.rs): a map
/// of values with interior mutability is still `UnwindSafe`.
#[test]
fn maps_are_unwind_safe_whatever_their_contents_allow_through_a_reference() {
    fn assert_unwind_safe<T: UnwindSafe>() {}
    assert_unwind_safe::<EvacMap<(), UnsafeCell<()>>>();
    assert_unwind_safe::<EvacSet<()>>();
    assert_unwind_safe::<ShardedEvacMap<(), UnsafeCell<()>>>();
    assert_unwind_safe::<ShardedEvacSet<()>>();
}

/// A borrowed form of `(String, u32)` keys that is not `Borrow` of them.
#[derive(Hash)]
struct Pair<'a>(&'a str, u32);

impl Equivalent<(String, u32)> for Pair<'_> {
    fn equivalent(&self, key: &(String, u32)) -> bool {
        self.0 == key.0 && self.1 == key.1
    }
}

#[test]
fn equivalent_lookups_and_borrow_lookups() {
    let mut map: EvacMap<(String, u32), u32> = EvacMap::new();
    for i in 0..1000 {
        map.insert((format!("k{i}"), i), i);
    }
    // `Hash` of a tuple hashes its fields in order, as `Pair` does (a `&str`
    // hashes like a `String`).
    assert_eq!(map.get(&Pair("k7", 7)), Some(&7));
    assert!(!map.contains_key(&Pair("k7", 8)));
    assert_eq!(map.remove(&Pair("k8", 8)), Some(8));
    // `Borrow` keeps working.
    let mut m: EvacMap<String, u32> = EvacMap::new();
    m.insert("a".into(), 1);
    assert_eq!(m.get("a"), Some(&1));
    assert_eq!(m["a"], 1);
    let s: EvacSet<String> = ["x".to_string()].into_iter().collect();
    assert!(s.contains("x"));
    let sh: ShardedEvacMap<String, u32> = [("y".to_string(), 2)].into_iter().collect();
    assert_eq!(sh.get_cloned("y"), Some(2));
}

#[test]
fn get_disjoint_mut_matches_std() {
    let mut map: EvacMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    let [a, b, c] = map.get_disjoint_mut([&1, &2, &500]);
    assert_eq!(
        (a.copied(), b.copied(), c.copied()),
        (Some(1), Some(2), None)
    );
    let [a, b] = map.get_disjoint_mut([&1, &2]);
    std::mem::swap(a.unwrap(), b.unwrap());
    assert_eq!((map[&1], map[&2]), (2, 1));
    let r = catch_unwind(AssertUnwindSafe(|| {
        let _ = map.get_disjoint_mut([&3, &3]);
    }));
    assert!(r.is_err(), "overlapping keys panic, as in std");
    map.check_invariants();
}

#[test]
fn clone_from_copies_mid_growth_and_reuses_same_shapes() {
    let mut source: EvacMap<u64, String> = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
    let mut i = 0;
    while i < 500 || !source.is_evacuating() {
        source.insert(i, i.to_string());
        i += 1;
    }
    let mut target: EvacMap<u64, String> = EvacMap::new();
    target.insert(1, "x".into());
    target.clone_from(&source);
    target.check_invariants();
    assert_eq!(target, source);
    assert_eq!(target.phase().progress(), source.phase().progress());
    source.finish_evacuation();
    let mut same: EvacMap<u64, String> = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
    for k in 0..source.len() as u64 {
        same.insert(k + 10_000, String::new());
    }
    same.finish_evacuation();
    assert_eq!(same.bucket_log2(), source.bucket_log2());
    same.clone_from(&source);
    same.check_invariants();
    assert_eq!(same, source);
}

#[test]
fn default_iterators_are_empty() {
    assert_eq!(evacmap::map::Iter::<u8, u8>::default().count(), 0);
    assert_eq!(evacmap::map::IterMut::<u8, u8>::default().count(), 0);
    assert_eq!(evacmap::map::IntoIter::<u8, u8>::default().count(), 0);
    assert_eq!(evacmap::map::Keys::<u8, u8>::default().count(), 0);
    assert_eq!(evacmap::map::Values::<u8, u8>::default().count(), 0);
    assert_eq!(evacmap::map::ValuesMut::<u8, u8>::default().count(), 0);
    assert_eq!(evacmap::map::IntoKeys::<u8, u8>::default().count(), 0);
    assert_eq!(evacmap::map::IntoValues::<u8, u8>::default().count(), 0);
    assert_eq!(evacmap::set::Iter::<u8>::default().count(), 0);
    assert_eq!(evacmap::set::IntoIter::<u8>::default().count(), 0);
}

#[test]
fn set_operations_against_std() {
    let a: EvacSet<u32> = (0..100).collect();
    let b: EvacSet<u32> = (50..150).collect();
    let (sa, sb): (HashSet<u32>, HashSet<u32>) = ((0..100).collect(), (50..150).collect());
    let sorted = |it: &mut dyn Iterator<Item = &u32>| {
        let mut v: Vec<u32> = it.copied().collect();
        v.sort_unstable();
        v
    };
    let want = |it: &mut dyn Iterator<Item = &u32>| sorted(it);
    assert_eq!(sorted(&mut a.union(&b)), want(&mut sa.union(&sb)));
    assert_eq!(
        sorted(&mut a.intersection(&b)),
        want(&mut sa.intersection(&sb))
    );
    assert_eq!(sorted(&mut a.difference(&b)), want(&mut sa.difference(&sb)));
    assert_eq!(
        sorted(&mut a.symmetric_difference(&b)),
        want(&mut sa.symmetric_difference(&sb))
    );
    // Named, cloneable, printable.
    let u = a.union(&b);
    assert_eq!(u.clone().count(), 150);
    assert!(format!("{:?}", a.intersection(&b)).starts_with('['));
    // Operators on references.
    assert_eq!((&a | &b).len(), 150);
    assert_eq!((&a & &b).len(), 50);
    assert_eq!((&a - &b).len(), 50);
    assert_eq!((&a ^ &b).len(), 100);
    let mut c: EvacSet<String> = EvacSet::new();
    assert_eq!(c.get_or_insert_with("k", |k| k.to_string()), "k");
    assert_eq!(c.get_or_insert_with("k", |_| unreachable!()), "k");
    assert_eq!(c.len(), 1);
}

#[test]
fn set_instruments() {
    let mut set: EvacSet<u32> = EvacSet::builder()
        .capacity(10)
        .policy(Policy::go().with_timing(true))
        .build();
    let probe = set.probe();
    let n = if cfg!(miri) { 500 } else { 10_000 };
    for i in 0..n {
        set.insert(i);
    }
    set.publish();
    assert_eq!(probe.snapshot().len, u64::from(n));
    assert!(set.instruments().stats().growths > 0 && !set.instruments().events().is_empty());
    assert!(
        set.instruments().timing().is_some()
            && set.instruments().pause_percentiles().unwrap().insert.count == u64::from(n)
    );
    while set.holds_old_memory() {
        set.evacuate_for(std::time::Duration::from_millis(1));
    }
    assert_eq!(set.instruments().stats().old_bytes_held, 0);
}

#[test]
fn stats_display_names_every_field() {
    let mut map: EvacMap<u32, u32> = EvacMap::new();
    for i in 0..1000 {
        map.insert(i, i);
    }
    let s = map.instruments().stats();
    let report = s.to_string();
    for (name, value) in s.fields() {
        assert!(
            report.lines().any(|l| l == format!("{name}: {value}")),
            "{name} missing from\n{report}"
        );
    }
    // The sharded map's aggregate prints the same way.
    let sharded: ShardedEvacMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    assert!(
        sharded
            .instruments()
            .stats()
            .to_string()
            .contains("len: 100")
    );
}

#[test]
fn pause_buckets_add_up_and_merge() {
    let timed = || EvacMap::<u32, u32>::with_policy(Policy::go().with_timing(true));
    let (mut a, mut b) = (timed(), timed());
    let n = if cfg!(miri) { 200 } else { 5000 };
    for i in 0..n {
        a.insert(i, i);
        b.insert(i, i);
        if i % 2 == 0 {
            b.remove(&i);
        }
    }
    let (ba, bb) = (
        a.instruments().pause_buckets().unwrap(),
        b.instruments().pause_buckets().unwrap(),
    );
    assert_eq!(ba.insert.iter().map(|x| x.count).sum::<u64>(), u64::from(n));
    assert_eq!(
        bb.remove.iter().map(|x| x.count).sum::<u64>(),
        u64::from(n / 2)
    );
    assert!(ba.insert.windows(2).all(|w| w[0].upper_ns < w[1].lower_ns));
    let mut all = ba.clone();
    all.merge(&bb);
    assert_eq!(
        all.insert.iter().map(|x| x.count).sum::<u64>(),
        u64::from(2 * n)
    );
    assert!(all.insert.windows(2).all(|w| w[0].upper_ns < w[1].lower_ns));
    assert!(
        EvacMap::<u8, u8>::new()
            .instruments()
            .pause_buckets()
            .is_none()
    );
}

#[test]
fn chain_lengths_count_every_chain() {
    let mut map = EvacMap::with_hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4));
    assert_eq!(map.instruments().chain_lengths().chains, 0);
    for i in 0..if cfg!(miri) { 2_000 } else { 100_000u64 } {
        map.insert(i, i);
    }
    map.finish_evacuation();
    let c = map.instruments().chain_lengths();
    let s = map.instruments().stats();
    assert_eq!(c.chains, s.bucket_count);
    assert_eq!(c.counts.iter().sum::<u64>(), c.chains);
    let buckets: u64 = c
        .counts
        .iter()
        .enumerate()
        .map(|(i, n)| (i as u64 + 1) * n)
        .sum();
    assert_eq!(buckets, s.bucket_count + s.overflow_buckets);
    assert_eq!(c.longest as usize, c.counts.len());
}

#[cfg(feature = "serde")]
#[test]
fn instruments_serialize_to_json() {
    let mut map = EvacMap::with_policy(Policy::go().with_timing(true));
    for i in 0..1000u32 {
        map.insert(i, i);
    }
    let stats = serde_json::to_value(map.instruments().stats()).unwrap();
    assert_eq!(stats["len"], 1000);
    let events = serde_json::to_value(map.instruments().events()).unwrap();
    assert!(events[0]["kind"]["GrowthStarted"].is_object());
    assert!(
        serde_json::to_value(map.instruments().timing().unwrap()).unwrap()["max_pause_ns"].is_u64()
    );
    assert_eq!(
        serde_json::to_value(map.instruments().pause_percentiles().unwrap()).unwrap()["insert"]["count"],
        1000
    );
    assert!(
        serde_json::to_value(map.instruments().pause_buckets().unwrap()).unwrap()["insert"]
            .is_array()
    );
    assert!(serde_json::to_value(map.instruments().chain_lengths()).unwrap()["chains"].is_u64());
    let mut m = map;
    let s = evacmap::instruments::Sampler::spawn(m.probe(), std::time::Duration::from_millis(1), 4);
    m.publish();
    let history = s.stop();
    let last = history.last().expect("a last sample on stop");
    assert_eq!(last.1.len, 1000);
    assert!(
        serde_json::to_string(&history)
            .unwrap()
            .contains("\"len\":1000")
    );
}

/// `Policy::with_huge_pages` changes only how large arrays are mapped: the
/// map behaves as with Go's policy, through growths and early release.
#[test]
fn huge_page_maps_match_std() {
    let n: u64 = if cfg!(miri) { 2_000 } else { 300_000 };
    let mut map: EvacMap<u64, u64> = EvacMap::with_policy(Policy::go().with_huge_pages(true));
    let mut model = std::collections::HashMap::new();
    for i in 0..n {
        map.insert(i, i);
        model.insert(i, i);
        if i % 997 == 0 {
            map.remove(&(i / 2));
            model.remove(&(i / 2));
        }
    }
    map.check_invariants();
    while map.holds_old_memory() {
        map.evacuate(64);
    }
    map.check_invariants();
    assert_eq!(map.len(), model.len());
    assert!(model.iter().all(|(k, v)| map.get(k) == Some(v)));
    let clone = map.clone();
    assert_eq!(clone, map);
}

/// The split-tophash layout against std through growths, removals, a
/// shrink, iteration, clone and drain, with `check_invariants` along the
/// way. (Every suite also runs on it with `--cfg evacmap_split_default`:
/// `scripts/test-all`.)
#[test]
fn split_layout_matches_std() {
    use evacmap::SplitLayout;
    type Split = EvacMap<u64, String, DefaultHashBuilder, SplitLayout>;
    let n: u64 = if cfg!(miri) { 700 } else { 50_000 };
    let mut map: Split = EvacMap::builder()
        .layout::<SplitLayout>()
        .policy(Policy::go().with_auto_shrink(0.25))
        .build();
    let mut model = std::collections::HashMap::new();
    for i in 0..n {
        map.insert(i, i.to_string());
        model.insert(i, i.to_string());
        if i % 7 == 0 {
            assert_eq!(map.remove(&(i / 3)), model.remove(&(i / 3)));
        }
        if i % 1_000 == 0 {
            map.check_invariants();
        }
    }
    map.check_invariants();
    let clone = map.clone();
    clone.check_invariants();
    assert_eq!(clone, map);
    map.retain(|k, _| k % 5 != 0);
    model.retain(|k, _| k % 5 != 0);
    for i in 0..n * 9 / 10 {
        assert_eq!(map.remove(&i), model.remove(&i));
        if i % 4_096 == 0 {
            map.check_invariants();
        }
    }
    map.check_invariants();
    assert!(
        map.instruments().stats().shrinks > 0,
        "the removals shrank the table"
    );
    assert_eq!(map.len(), model.len());
    let seen: std::collections::HashMap<u64, String> = map.drain().collect();
    assert_eq!(seen, model);
    assert!(map.is_empty());
    map.check_invariants();
    assert_eq!(map.get(&1), None);
}

/// `--cfg evacmap_split_default` and `--cfg evacmap_split_pair_default`
/// (the later passes of `scripts/test-all`) really run the suites on those
/// layouts.
#[test]
fn default_layout_follows_the_test_configuration() {
    use evacmap::BucketLayout;
    let want = if cfg!(evacmap_split_pair_default) {
        "split_pair"
    } else if cfg!(evacmap_split_default) {
        "split"
    } else {
        "go"
    };
    assert_eq!(<evacmap::DefaultLayout as BucketLayout>::NAME, want);
}
