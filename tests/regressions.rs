//! Bugs found, pinned as deterministic tests: one test per bug, with what
//! went wrong in its doc comment. A quickcheck failure in `tests/quick.rs`
//! prints its shrunk op list; replay it here as a plain sequence of calls.
//! Related pinned cases live beside the feature they exercise:
//! `tests/stats.rs` (`reserve_is_one_operation`: `reserve` once counted each
//! forced finish inside it as a separate operation) and `tests/unwind.rs`
//! (`clone_panics_mid_clone`: a value's `Clone` panicking after its key
//! was cloned leaked the key's clone).

use evacmap::{DefaultHashBuilder, EvacMap};
use std::time::Duration;

/// At 900,000 keys the README's first example looped
/// `while map.is_evacuating() { map.evacuate_for(..) }` and then asserted
/// `old_bytes_held == 0`, which failed: the growth had ended, but its old
/// array was still *retired* (its last pages are given back over the next
/// writes), and `old_bytes_held` counts it. `holds_old_memory()` is the
/// loop condition that ends with nothing held.
#[test]
#[cfg_attr(miri, ignore)] // 900,000 inserts take too long under Miri
fn retired_array_outlives_is_growing() {
    let mut map = EvacMap::with_hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4));
    for i in 0..900_000u64 {
        map.insert(i, i * 2);
    }
    while map.is_evacuating() {
        map.evacuate(64);
    }
    let s = map.instruments().stats();
    if cfg!(target_os = "linux") {
        // Where early release works, the finished growth's old array is
        // retired, and still counted.
        assert!(map.holds_old_memory(), "the old array is retired");
        assert!(s.old_bytes_held > 0, "a retired array is counted");
    }
    while map.holds_old_memory() {
        map.evacuate_for(Duration::from_micros(200));
    }
    assert_eq!(map.instruments().stats().old_bytes_held, 0);
    assert_eq!(map.get(&21), Some(&42));
    map.check_invariants();
}

/// A clone of a map that never held an entry has no array; its first
/// insert must allocate one. (A refactoring once cached the capacity of a
/// one-bucket array in such a clone, so the insert looked for a slot in an
/// array that did not exist; quickcheck found it: `[Clone, Insert(..)]`.)
#[test]
fn clone_of_an_empty_map_allocates_on_insert() {
    let empty: EvacMap<u64, u64> = EvacMap::new();
    let mut copy = empty.clone();
    assert_eq!(copy.capacity(), 0);
    copy.insert(1, 2);
    copy.check_invariants();
    assert_eq!(copy.get(&1), Some(&2));
}
