//! Panic safety: a `Hash`, `Eq`, `Clone` or value `Drop` that panics in the middle of
//! an operation (in particular in the middle of evacuation) leaves the map
//! usable: invariants hold, no double drop, no use of freed memory (run under
//! Miri too), `len()` equals what iteration yields, and every entry the
//! operation did not involve is still found.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{CLONE_FUSE, Counted, Counter, EQ_FUSE, HASH_FUSE, Trap, arm, disarm};
use evacmap::{EvacMap, Policy};

const N: u64 = if cfg!(miri) { 80 } else { 400 };
const FUSES: u32 = if cfg!(miri) { 5 } else { 60 };

/// A map mid-growth with keys `0..N`, value = key * 10.
fn growing_map(policy: Policy) -> EvacMap<Trap, u64> {
    disarm();
    let mut map = EvacMap::with_policy(policy);
    let mut i = 0;
    while i < N || !map.is_evacuating() {
        map.insert(Trap(i), i * 10);
        i += 1;
    }
    map
}

/// The checks every scenario ends with: invariants, len == iteration, the
/// `untouched` keys still present with their values, and the map still
/// works for writes and a full evacuation.
fn assert_usable(map: &mut EvacMap<Trap, u64>, untouched: impl Iterator<Item = u64>) {
    disarm();
    map.check_invariants();
    assert_eq!(map.len(), map.iter().count());
    for k in untouched {
        assert_eq!(map.get(&Trap(k)), Some(&(k * 10)), "key {k} lost");
    }
    for k in 10_000..10_050 {
        map.insert(Trap(k), k * 10);
    }
    map.finish_evacuation();
    map.check_invariants();
}

#[test]
fn hash_panics_during_insert_evacuation() {
    let mut panicked = 0;
    for fuse in 0..FUSES {
        let mut map = growing_map(Policy::go().with_cursor_steps(3));
        let before = map.len();
        arm(&HASH_FUSE, fuse);
        let r = catch_unwind(AssertUnwindSafe(|| {
            map.insert(Trap(50_000), 1);
            map.evacuate(8);
        }));
        panicked += usize::from(r.is_err());
        let len = map.len();
        assert!(len == before || len == before + 1);
        assert_usable(&mut map, 0..N);
    }
    // Fuse 0 fires on the key's own hash; the others inside evacuation
    // (pass 1 re-hashes the keys of each chain it moves).
    assert!(
        panicked > FUSES as usize / 2,
        "only {panicked} runs panicked"
    );
}

#[test]
fn hash_panics_during_remove_and_reserve() {
    for fuse in 0..FUSES {
        let mut map = growing_map(Policy::go());
        arm(&HASH_FUSE, fuse);
        let _ = catch_unwind(AssertUnwindSafe(|| {
            map.remove(&Trap(7));
            map.reserve(10 * N as usize); // doubles all at once: many hashes
        }));
        assert_usable(&mut map, (0..N).filter(|&k| k != 7));
    }
}

#[test]
fn hash_panics_during_all_at_once_growth() {
    for fuse in 0..FUSES {
        disarm();
        let mut map = EvacMap::with_policy(Policy::all_at_once());
        for i in 0..52 {
            map.insert(Trap(i), i * 10); // 52 = capacity of 8 buckets
        }
        arm(&HASH_FUSE, fuse);
        let r = catch_unwind(AssertUnwindSafe(|| map.insert(Trap(52), 520)));
        if r.is_err() && fuse > 0 {
            // Interrupted mid-evacuation: the growth is left in progress,
            // consistently, and the next write continues it.
            assert!(map.is_evacuating());
        }
        assert_usable(&mut map, 0..52);
    }
}

#[test]
fn eq_panics_mid_growth() {
    for fuse in 0..if cfg!(miri) { 4 } else { 8 } {
        let mut map = growing_map(Policy::go().with_cursor_steps(0));
        arm(&EQ_FUSE, fuse);
        let _ = catch_unwind(AssertUnwindSafe(|| {
            for k in 0..20 {
                map.insert(Trap(k), k * 10); // existing keys: Eq is called
                map.remove(&Trap(N + k)); // absent
            }
        }));
        assert_usable(&mut map, 0..N);
    }
}

/// A map mid-growth of counted values, one of which (id `bad`) panics when
/// dropped.
fn counted_map(c: &Counter, bad: u64) -> EvacMap<u64, common::Counted> {
    let mut map = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
    let mut i = 0;
    while i < N || !map.is_evacuating() {
        let v = if i == bad {
            c.panicking_value(i)
        } else {
            c.value(i)
        };
        map.insert(i, v);
        i += 1;
    }
    map
}

#[test]
fn drop_panics_in_clear_drop_drain_and_into_iter() {
    for bad in [0, N / 2, N - 1] {
        let c = Counter::default();
        let mut map = counted_map(&c, bad);
        assert!(catch_unwind(AssertUnwindSafe(|| map.clear())).is_err());
        assert_eq!(c.live(), 0, "every value dropped exactly once");
        assert!(map.is_empty() && !map.is_evacuating());
        map.insert(1, c.value(1));
        map.check_invariants();
        drop(map);

        let map = counted_map(&c, bad);
        assert!(catch_unwind(AssertUnwindSafe(move || drop(map))).is_err());
        assert_eq!(c.live(), 0);

        let mut map = counted_map(&c, bad);
        assert!(catch_unwind(AssertUnwindSafe(|| drop(map.drain()))).is_err());
        assert_eq!(c.live(), 0);
        assert!(map.is_empty());
        map.insert(1, c.value(1));
        map.check_invariants();
        drop(map);

        let map = counted_map(&c, bad);
        assert!(catch_unwind(AssertUnwindSafe(move || drop(map.into_iter()))).is_err());
        assert_eq!(c.live(), 0);
    }
}

#[test]
fn drop_panics_in_retain_and_remove() {
    for bad in [0, N / 2, N - 1] {
        let c = Counter::default();
        let mut map = counted_map(&c, bad);
        let r = catch_unwind(AssertUnwindSafe(|| map.retain(|k, _| k % 3 != bad % 3)));
        assert!(r.is_err());
        map.check_invariants();
        assert_eq!(map.len(), map.iter().count());
        assert_eq!(c.live(), map.len() as isize);
        assert!(!map.contains_key(&bad));
        for k in (0..N).filter(|k| k % 3 != bad % 3) {
            assert!(map.contains_key(&k), "kept key {k} lost");
        }
        drop(map);
        assert_eq!(c.live(), 0);

        let mut map = counted_map(&c, bad);
        let removed = map.remove(&bad);
        assert!(catch_unwind(AssertUnwindSafe(move || drop(removed))).is_err());
        map.check_invariants();
        assert!(!map.contains_key(&bad));
        assert_eq!(c.live(), map.len() as isize);
    }
}

/// A `Clone` of a key or a value that panics in the middle of `clone()`:
/// the original is untouched (same entries, invariants hold), and the
/// partial copy drops exactly the entries it had cloned (no leak, no double
/// drop), with the map mid-growth so that both arrays are being copied.
#[test]
fn clone_panics_mid_clone() {
    let c = Counter::default();
    let mut map: EvacMap<Counted, Counted> =
        EvacMap::with_policy(Policy::go().with_cursor_steps(0));
    let mut i = 0;
    while i < N || !map.is_evacuating() {
        map.insert(c.value(i), c.value(i * 10));
        i += 1;
    }
    let p = map.phase().progress().unwrap();
    assert!(
        p.evacuated > 0 && p.evacuated < p.total,
        "both arrays hold entries"
    );
    let len = map.len();
    // Keys and values are cloned in turn: even fuses break a key's clone,
    // odd ones a value's; the first, the middle and the last clone.
    let clones = 2 * len as u32;
    for fuse in [0, 1, clones / 2, clones / 2 + 1, clones - 2, clones - 1] {
        arm(&CLONE_FUSE, fuse);
        let r = catch_unwind(AssertUnwindSafe(|| map.clone()));
        disarm();
        assert!(r.is_err(), "clone {fuse} of {clones} panics");
        assert_eq!(
            c.live(),
            2 * len as isize,
            "fuse {fuse}: leak or double drop"
        );
        map.check_invariants();
        assert_eq!(map.len(), len);
        for k in 0..i {
            assert_eq!(map.get(&c.value(k)).map(|v| v.id), Some(k * 10));
        }
    }
    let copy = map.clone();
    assert_eq!(copy, map);
    copy.check_invariants();
    drop(copy);
    assert_eq!(c.live(), 2 * len as isize);
}
