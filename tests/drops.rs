//! Drop accounting: every value is dropped exactly once, on every path that
//! drops values, including mid-growth. `Counter::live()` counts values
//! created minus dropped: a double drop shows as fewer, a leak as more.

mod common;

use common::{Counted, Counter};
use evacmap::{DefaultHashBuilder, EvacMap, Policy};

/// A map mid-growth (cursor steps 0) holding `n` counted values, keys
/// `0..n`, and `String` keys so that keys need dropping too. Fixed hash
/// seeds: with random ones, the few writes after a small growth starts can
/// happen to evacuate every old bucket.
fn filled(counter: &Counter, n: u64) -> EvacMap<String, Counted, DefaultHashBuilder> {
    let mut map = EvacMap::builder()
        .policy(Policy::go().with_cursor_steps(0))
        .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
        .build();
    for i in 0..n {
        map.insert(i.to_string(), counter.value(i));
    }
    assert!(
        map.is_evacuating(),
        "the scenarios want a growth in progress"
    );
    map
}

const N: u64 = if cfg!(miri) { 60 } else { 500 };

#[test]
fn remove_and_overwrite() {
    let c = Counter::default();
    let mut map = filled(&c, N);
    assert_eq!(c.live(), N as isize);
    let old = map.insert("1".into(), c.value(1000)).expect("present");
    assert_eq!(c.live(), N as isize + 1); // the old value is ours now
    drop(old);
    assert_eq!(c.live(), N as isize);
    for i in 0..N / 2 {
        drop(map.remove(&i.to_string()));
    }
    assert_eq!(c.live(), (N - N / 2) as isize);
    assert_eq!(c.live(), map.len() as isize);
    drop(map);
    assert_eq!(c.live(), 0);
}

#[test]
fn clear_drops_all_and_map_stays_usable() {
    let c = Counter::default();
    let mut map = filled(&c, N);
    map.clear();
    assert_eq!(c.live(), 0);
    map.insert("x".into(), c.value(1));
    assert_eq!(c.live(), 1);
    drop(map);
    assert_eq!(c.live(), 0);
}

#[test]
fn drain_full_and_half_consumed() {
    let c = Counter::default();
    let mut map = filled(&c, N);
    let mut drain = map.drain();
    let half: Vec<_> = drain.by_ref().take(N as usize / 2).collect();
    drop(drain);
    assert_eq!(c.live(), half.len() as isize);
    assert!(map.is_empty());
    drop(half);
    assert_eq!(c.live(), 0);
    map.insert("x".into(), c.value(1));
    assert_eq!(map.drain().count(), 1);
    assert_eq!(c.live(), 0);
}

#[test]
#[cfg_attr(miri, ignore = "leaks on purpose (mem::forget), which Miri reports")]
fn forgotten_drain_leaks_but_never_double_drops() {
    let c = Counter::default();
    let mut map = filled(&c, N);
    let mut drain = map.drain();
    drop(drain.next());
    std::mem::forget(drain);
    assert!(map.is_empty());
    assert_eq!(c.live(), N as isize - 1); // leaked, not dropped twice
    map.insert("x".into(), c.value(1));
    map.check_invariants();
}

#[test]
fn retain_and_extract_if() {
    let c = Counter::default();
    let mut map = filled(&c, N);
    map.retain(|_, v| v.id % 2 == 0);
    assert_eq!(c.live(), map.len() as isize);
    // Take one entry, then stop: entries not visited stay in the map.
    let first = map.extract_if(|_, v| v.id % 4 == 0).next();
    assert!(first.is_some());
    assert_eq!(c.live(), map.len() as isize + 1);
    drop(first);
    assert_eq!(c.live(), map.len() as isize);
    map.check_invariants();
    drop(map);
    assert_eq!(c.live(), 0);
}

#[test]
fn into_iter_partial_and_into_values() {
    let c = Counter::default();
    let map = filled(&c, N);
    let mut it = map.into_iter();
    let some: Vec<_> = it.by_ref().take(10).collect();
    drop(it);
    assert_eq!(c.live(), 10);
    drop(some);
    assert_eq!(c.live(), 0);

    let map = filled(&c, N);
    assert_eq!(map.into_values().take(3).count(), 3);
    assert_eq!(c.live(), 0);
}

#[test]
fn clone_mid_growth_counts() {
    let c = Counter::default();
    let map = filled(&c, N);
    let copy = map.clone();
    assert_eq!(c.live(), 2 * N as isize);
    assert_eq!(copy.phase().progress(), map.phase().progress());
    drop(map);
    assert_eq!(c.live(), N as isize);
    copy.check_invariants();
    drop(copy);
    assert_eq!(c.live(), 0);
}

#[test]
fn entry_paths() {
    let c = Counter::default();
    let mut map: EvacMap<u64, Counted> = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
    for i in 0..N {
        map.entry(i).or_insert_with(|| c.value(i));
        // or_insert on an occupied entry drops the unused default
        map.entry(i).or_insert(c.value(i + 1000));
    }
    assert_eq!(c.live(), N as isize);
    match map.entry(3) {
        evacmap::map::Entry::Occupied(o) => drop(o.remove_entry()),
        evacmap::map::Entry::Vacant(_) => unreachable!(),
    }
    assert_eq!(c.live(), N as isize - 1);
    drop(map);
    assert_eq!(c.live(), 0);
}

#[test]
fn zero_sized_values_are_dropped_too() {
    use std::cell::Cell;
    thread_local!(static DROPS: Cell<usize> = const { Cell::new(0) });
    struct Zst;
    impl Drop for Zst {
        fn drop(&mut self) {
            DROPS.with(|d| d.set(d.get() + 1));
        }
    }
    let mut map = EvacMap::new();
    for i in 0..N {
        map.insert(i, Zst);
    }
    drop(map);
    assert_eq!(DROPS.with(Cell::get), N as usize);
}
