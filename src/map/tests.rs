//! Unit tests of the map, including asserts on mid-evacuation state.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use crate::{EvacMap, EvacSet, EvacuationKind, Policy, TryReserveError};

/// Cuts loop sizes under Miri, which is ~1000x slower.
fn scaled(n: usize) -> usize {
    if cfg!(miri) { (n / 50).max(20) } else { n }
}

/// Inserts `key(i) -> i` for `i = 0, 1, ...` until at least `min` entries
/// are in and a growth is in progress; returns the number inserted.
fn fill_until_growing<S: BuildHasher>(map: &mut EvacMap<u64, u64, S>, min: u64) -> u64 {
    let mut i = 0;
    while i < min || !map.is_evacuating() {
        map.insert(i, i);
        i += 1;
    }
    i
}

/// Hashes a `u64` key to itself: tests choose bucket index and tophash.
#[derive(Clone, Default)]
struct Identity;
struct IdentityHasher(u64);
impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
impl BuildHasher for Identity {
    type Hasher = IdentityHasher;
    fn build_hasher(&self) -> IdentityHasher {
        IdentityHasher(0)
    }
}

#[test]
fn insert_get_remove_with_invariants() {
    let mut map = EvacMap::new();
    let n = scaled(3000) as u64;
    for i in 0..n {
        assert_eq!(map.insert(i, i * 10), None);
        map.check_invariants();
    }
    for i in 0..n {
        assert_eq!(map.get(&i), Some(&(i * 10)));
    }
    assert_eq!(map.get(&n), None);
    for i in (0..n).step_by(2) {
        assert_eq!(map.remove(&i), Some(i * 10));
        map.check_invariants();
    }
    assert_eq!(map.len(), (n / 2) as usize);
    for i in 0..n {
        assert_eq!(map.contains_key(&i), i % 2 == 1);
    }
}

#[test]
fn growth_triggers_follow_go_formula() {
    // Capacity before doubling: B=0 -> 8, B=1 -> 13, B=2 -> 26, B=3 -> 52.
    let mut map = EvacMap::builder()
        .policy(Policy::all_at_once())
        .hasher(Identity)
        .build();
    let mut log2s = Vec::new();
    for i in 0..60u64 {
        map.insert(i, ());
        log2s.push(map.bucket_log2().unwrap());
    }
    let first = |b: u8| log2s.iter().position(|&x| x == b).unwrap() + 1;
    assert_eq!([first(1), first(2), first(3), first(4)], [9, 14, 27, 53]);
}

#[test]
fn default_map_is_growing_during_many_inserts() {
    // Done-when criterion: 200,000 u64 keys, growing during > 1000 inserts.
    let n = if cfg!(miri) { 1_000 } else { 200_000 };
    let mut map = EvacMap::new();
    let mut growing = 0;
    for i in 0..n as u64 {
        map.insert(i, i);
        growing += usize::from(map.is_evacuating());
    }
    let want = if cfg!(miri) { 10 } else { 1_000 };
    assert!(growing > want, "growing during only {growing} inserts");
}

#[test]
fn reads_never_finish_a_growth_but_finish_growth_does() {
    let mut map = EvacMap::new();
    let mut i = 0u64;
    while !map.is_evacuating() || map.phase().progress().unwrap().total < 16 {
        map.insert(i, i);
        i += 1;
    }
    let before = map.phase().progress().unwrap();
    for _ in 0..5 {
        for k in 0..i + 100 {
            assert_eq!(map.get(&k).copied(), (k < i).then_some(k));
        }
        map.iter().for_each(drop);
    }
    assert_eq!(
        map.phase().progress(),
        Some(before),
        "a read moved something"
    );
    map.finish_evacuation();
    assert!(!map.is_evacuating());
    map.check_invariants();
    for k in 0..i {
        assert_eq!(map[&k], k);
    }
}

#[test]
fn all_at_once_never_growing_after_insert() {
    let mut map = EvacMap::with_policy(Policy::all_at_once());
    for i in 0..scaled(20_000) as u64 {
        map.insert(i, i);
        assert!(!map.is_evacuating());
    }
    map.check_invariants();
}

#[test]
fn mid_growth_state_and_progress() {
    let mut map = EvacMap::builder()
        .policy(Policy::go().with_cursor_steps(0))
        .hasher(Identity)
        .build();
    // Fill B=3 (8 buckets) to its limit of 52, then one more starts a doubling.
    for i in 0..52u64 {
        map.insert(i, i);
    }
    assert_eq!(map.bucket_log2(), Some(3));
    assert!(!map.is_evacuating());
    map.insert(52, 52);
    let p = map.phase().progress().expect("growing");
    assert_eq!((p.total, p.kind), (8, EvacuationKind::Doubling));
    // Key 52 lives in bucket 52 & 15 = 4; its old bucket 4 was evacuated.
    assert_eq!(p.evacuated, 1);
    map.check_invariants();
    // Reads find entries in old and new buckets alike.
    for i in 0..=52 {
        assert_eq!(map[&i], i);
    }
    assert_eq!(map.evacuate(3), 3);
    assert_eq!(map.phase().progress().unwrap().evacuated, 4);
    map.check_invariants();
    assert_eq!(map.iter().count(), 53);
    assert_eq!(map.evacuate(100), 4);
    assert!(!map.is_evacuating());
    map.check_invariants();
}

#[test]
fn same_size_growth_when_overflow_piles_up() {
    // Go's churn case: nine keys into one bucket need an overflow bucket;
    // deleting them leaves it linked. Doing that to each of the 2^B buckets
    // reaches `noverflow >= 2^B` while `count` stays tiny, and the next insert
    // starts a same-size growth that compacts the chains.
    let mut map = EvacMap::builder()
        .policy(Policy::go().with_cursor_steps(0))
        .hasher(Identity)
        .build();
    map.reserve(100);
    assert_eq!(map.bucket_log2(), Some(4));
    let key = |bucket: u64, i: u64| (i << 8) | bucket; // low 4 bits = bucket
    let mut kinds = Vec::new();
    for round in 0..if cfg!(miri) { 2 } else { 3 } {
        for bucket in 0..16 {
            for i in 0..9 {
                map.insert(key(bucket, round * 9 + i), ());
                // Under Miri (slow) once per bucket, not per insert.
                if !cfg!(miri) || i == 8 {
                    map.check_invariants();
                }
                if let Some(p) = map.phase().progress() {
                    kinds.push(p.kind);
                }
            }
            for i in 0..9 {
                map.remove(&key(bucket, round * 9 + i));
            }
            map.check_invariants();
        }
    }
    assert!(
        kinds.contains(&EvacuationKind::SameSize),
        "no same-size growth"
    );
    assert!(
        !kinds.contains(&EvacuationKind::Doubling),
        "count never exceeded 9"
    );
    assert_eq!(map.bucket_log2(), Some(4));
}

#[test]
fn forced_completion_when_limit_hit_mid_growth() {
    // No cursor steps and Identity keys in order: the writes only evacuate
    // the buckets they touch, so the next doubling comes due mid-growth.
    let mut map = EvacMap::builder()
        .policy(Policy::go().with_cursor_steps(0))
        .hasher(Identity)
        .build();
    let n = scaled(5000) as u64;
    // Every insert checked, but only every 7th under Miri (the check is a
    // full walk; Miri is there for the memory accesses).
    let every = if cfg!(miri) { 7 } else { 1 };
    for i in 0..n {
        map.insert(i * 16, i);
        if i % every == 0 || i == n - 1 {
            map.check_invariants();
        }
    }
    for i in 0..n {
        assert_eq!(map[&(i * 16)], i);
    }
}

#[test]
fn entry_api() {
    let mut map: EvacMap<String, u32> = EvacMap::new();
    for w in "a b c a b a".split(' ') {
        *map.entry(w.to_string()).or_default() += 1;
    }
    assert_eq!(map["a"], 3);
    assert_eq!(map["c"], 1);
    let e = map.entry("c".into());
    assert_eq!(e.key(), "c");
    match map.entry("c".into()) {
        crate::map::Entry::Occupied(o) => assert_eq!(o.remove_entry(), ("c".into(), 1)),
        crate::map::Entry::Vacant(_) => panic!("c is present"),
    }
    assert!(!map.contains_key("c"));
    map.check_invariants();
}

#[test]
fn retain_extract_drain_clear_mid_growth() {
    let mut map = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
    fill_until_growing(&mut map, scaled(1000) as u64);
    map.retain(|k, _| k % 3 != 0);
    map.check_invariants();
    assert!(map.keys().all(|k| k % 3 != 0));
    let mut taken: Vec<_> = map.extract_if(|k, _| k % 3 == 1).map(|(k, _)| k).collect();
    taken.sort();
    assert!(taken.iter().all(|k| k % 3 == 1));
    map.check_invariants();
    let left = map.len();
    assert!(map.keys().all(|k| k % 3 == 2));
    let cap = map.capacity();
    assert_eq!(map.drain().count(), left);
    assert!(map.is_empty() && !map.is_evacuating());
    assert_eq!(map.capacity(), cap);
    map.check_invariants();
    map.insert(1, 1);
    map.clear();
    assert!(map.is_empty());
    map.check_invariants();
}

#[test]
fn clone_mid_growth_is_mid_growth() {
    let mut map = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
    fill_until_growing(&mut map, scaled(500) as u64);
    let copy = map.clone();
    assert_eq!(copy.phase().progress(), map.phase().progress());
    assert_eq!(copy, map);
    copy.check_invariants();
}

#[test]
fn capacity_overflow() {
    let mut map: EvacMap<u64, u64> = EvacMap::new();
    assert_eq!(
        map.try_reserve(usize::MAX),
        Err(TryReserveError::CapacityOverflow)
    );
    map.insert(1, 1);
    assert!(map.try_reserve(usize::MAX - 1).is_err());
    assert_eq!(map[&1], 1);
    let r = std::panic::catch_unwind(|| EvacMap::<u8, u8>::with_capacity(usize::MAX));
    let msg = r.err().and_then(|e| e.downcast_ref::<&str>().copied());
    assert_eq!(msg, Some("evacmap: capacity overflow"));
}

#[test]
fn reserve_on_nonempty_map_keeps_entries() {
    let mut map = EvacMap::new();
    for i in 0..100u32 {
        map.insert(i, i);
    }
    let want = if cfg!(miri) { 1_000 } else { 10_000 };
    map.reserve(want);
    assert!(map.capacity() >= want + 100);
    assert!(!map.is_evacuating());
    map.check_invariants();
    for i in 0..100 {
        assert_eq!(map[&i], i);
    }
}

#[test]
fn zero_sized_and_large_values() {
    let mut zst: EvacMap<(), ()> = EvacMap::new();
    assert_eq!(zst.insert((), ()), None);
    assert_eq!(zst.insert((), ()), Some(()));
    assert_eq!(zst.len(), 1);
    let mut set: EvacSet<u32> = EvacSet::new();
    for i in 0..scaled(2000) as u32 {
        set.insert(i);
    }
    set.check_invariants();
    // Values over Go's 128-byte inline limit are stored inline here.
    let mut big: EvacMap<u32, [u64; 40]> = EvacMap::new();
    for i in 0..scaled(300) as u32 {
        big.insert(i, [u64::from(i); 40]);
    }
    big.check_invariants();
    assert!(
        big.iter()
            .all(|(k, v)| v.iter().all(|&x| x == u64::from(*k)))
    );
}

#[test]
fn agrees_with_std_on_mixed_ops() {
    let mut map = EvacMap::with_policy(Policy::go().with_cursor_steps(0).with_load_factor(2.0));
    let mut model = HashMap::new();
    let mut x = 7u64;
    for _ in 0..scaled(20_000) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = x % 700;
        match x % 5 {
            0 | 1 => assert_eq!(map.insert(k, x), model.insert(k, x)),
            2 => assert_eq!(map.remove(&k), model.remove(&k)),
            3 => assert_eq!(map.get(&k), model.get(&k)),
            _ => {
                map.evacuate(1);
            }
        }
    }
    map.check_invariants();
    assert_eq!(map.len(), model.len());
    for (k, v) in &model {
        assert_eq!(map.get(k), Some(v));
    }
}

#[test]
fn iterators_are_exact_and_fused() {
    let mut map: EvacMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    let mut it = map.iter();
    assert_eq!(it.len(), 100);
    it.by_ref().take(40).for_each(drop);
    assert_eq!(it.len(), 60);
    assert_eq!(it.by_ref().count(), 60);
    assert_eq!(it.next(), None);
    assert_eq!(map.iter_mut().len(), 100);
    assert_eq!(map.keys().len(), 100);
    assert_eq!(map.values_mut().len(), 100);
    let mut drain = map.drain();
    drain.next();
    assert_eq!(drain.len(), 99);
}

#[test]
fn debug_output() {
    let map = EvacMap::from([(1, 2)]);
    assert_eq!(format!("{map:?}"), "{1: 2}");
    let set = EvacSet::from([3]);
    assert_eq!(format!("{set:?}"), "{3}");
    assert_eq!(format!("{:?}", map.keys()), "[1]");
}

#[test]
fn thread_safety_traits() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<EvacMap<String, Vec<u8>>>();
    send_sync::<EvacSet<u64>>();
    send_sync::<crate::instruments::Probe>();
    send_sync::<crate::map::Iter<'static, u64, u64>>();
    send_sync::<crate::map::IterMut<'static, u64, u64>>();
    send::<crate::map::IntoIter<String, u64>>();
    send::<crate::map::Drain<'static, String, u64>>();
    fn probe_is_static<T: Clone + Send + Sync + 'static>() {}
    probe_is_static::<crate::instruments::Probe>();
}
