//! Incremental shrinking: counters and events, reads and writes during a
//! shrink, hysteresis of automatic shrinking, drops, and the guarantee that
//! moving entries into a smaller array never calls `Hash` (so it cannot
//! panic in user code).

mod common;

use common::{Counter, HASH_FUSE, Trap, Weak, Weakness, arm, disarm};
use evacmap::instruments::EventKind;
use evacmap::{EvacMap, EvacuationKind, Policy};

const N: u32 = if cfg!(miri) { 300 } else { 20_000 };
const KEEP: u32 = N / 100;

/// `N` keys inserted, all but `KEEP` removed, no evacuation running.
fn sparse(policy: Policy) -> EvacMap<u32, u32> {
    let mut map = EvacMap::with_policy(policy);
    for i in 0..N {
        map.insert(i, i);
    }
    map.finish_evacuation();
    for i in KEEP..N {
        assert_eq!(map.remove(&i), Some(i));
    }
    map.finish_evacuation();
    map
}

#[test]
fn shrink_to_fit_counts_and_events() {
    let mut map = sparse(Policy::go().with_cursor_steps(0));
    let before = map.instruments().stats();
    let from_log2 = map.bucket_log2().unwrap();
    map.shrink_to_fit();
    let s = map.instruments().stats();
    assert_eq!(s.shrinks, 1);
    assert_eq!(s.shrinks_completed, 0);
    let progress = map.phase().progress().expect("a shrink is running");
    assert_eq!(progress.kind, EvacuationKind::Shrink);
    let to_log2 = map.bucket_log2().unwrap();
    assert!(to_log2 < from_log2);
    assert_eq!(
        map.instruments().events().last().unwrap().kind,
        EventKind::ShrinkStarted {
            from_log2,
            to_log2,
            len: u64::from(KEEP)
        }
    );
    // Reads during the shrink see every entry and move nothing.
    for i in 0..N {
        assert_eq!(map.get(&i), (i < KEEP).then_some(&i));
    }
    assert_eq!(map.phase().progress(), Some(progress));
    map.check_invariants();

    while map.is_evacuating() {
        map.evacuate(7);
        map.check_invariants();
    }
    let s = map.instruments().stats();
    assert_eq!(s.shrinks_completed, 1);
    assert_eq!((s.growths_completed, s.forced_completions), {
        (before.growths_completed, before.forced_completions)
    });
    let new_array = map.instruments().array_bytes() as u64;
    assert_eq!(
        s.shrink_bytes_returned,
        before.bytes_allocated - new_array,
        "old array and its overflow buckets, minus the new array"
    );
    assert!(s.bytes_allocated >= new_array);
    assert!(s.bytes_allocated < before.bytes_allocated / 16);
    assert_eq!(s.entries_moved - before.entries_moved, u64::from(KEEP));
    let tail: Vec<_> = map
        .instruments()
        .events()
        .iter()
        .rev()
        .take(2)
        .map(|e| e.kind)
        .collect();
    // The final free releases what was not given back early.
    let early = s.bytes_released_early - before.bytes_released_early;
    assert!(
        matches!(tail[0], EventKind::OldArrayReleased { bytes } if bytes + early == before.bytes_allocated),
        "{tail:?}, {early} early"
    );
    // A shrink ends as a shrink, with what it gave back, and is counted as
    // the last shrink, not as a growth.
    assert!(
        matches!(tail[1], EventKind::ShrinkFinished { bytes_returned, .. }
            if bytes_returned == s.shrink_bytes_returned),
        "{tail:?}"
    );
    assert!(
        s.last_shrink_wall_ns > 0,
        "evacuated by `evacuate` calls, not writes"
    );
    assert_eq!(s.last_shrink_writes, 0);
    assert_eq!(s.last_growth_writes, before.last_growth_writes);
    for i in 0..KEEP {
        assert_eq!(map.get(&i), Some(&i));
    }
}

#[test]
fn writes_during_a_shrink_finish_it() {
    let mut map = sparse(Policy::go());
    map.shrink_to_fit();
    let total = map.phase().progress().unwrap().total;
    let mut writes = 0;
    // Overwrites and removals: the length stays small, so no growth starts.
    while map.is_evacuating() {
        let k = writes % (2 * KEEP);
        if k < KEEP {
            assert_eq!(map.insert(k, k + 1), Some(k));
            map.insert(k, k);
        } else {
            assert_eq!(map.remove(&k), None);
        }
        writes += 1;
        map.check_invariants();
    }
    // Each write evacuates its own chain and one at the cursor.
    assert!(
        writes as usize <= total,
        "{writes} writes for {total} chains"
    );
    assert_eq!(map.instruments().stats().shrinks_completed, 1);
    assert_eq!(map.len(), KEEP as usize);
}

#[test]
fn inserts_past_the_capacity_during_a_shrink_force_it_then_double() {
    let mut map = sparse(Policy::go().with_cursor_steps(0));
    map.shrink_to_fit();
    let cap = map.capacity();
    let mut i = N;
    while map.len() <= cap {
        map.insert(i, i);
        i += 1;
        map.check_invariants();
    }
    let s = map.instruments().stats();
    assert_eq!(s.shrinks_completed, 1, "the shrink was finished first");
    assert!(map.capacity() > cap);
    assert!(map.instruments().events().iter().any(|e| matches!(
        e.kind,
        EventKind::ForcedCompletion {
            reason: evacmap::instruments::ForceReason::LoadLimit,
            ..
        }
    )));
}

#[test]
fn shrink_during_a_growth_finishes_the_growth_first() {
    let mut map = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
    let mut i = 0u32;
    while !map.is_evacuating() || map.len() < 1000 {
        map.insert(i, i);
        i += 1;
    }
    assert_eq!(
        map.phase().progress().unwrap().kind,
        EvacuationKind::Doubling
    );
    map.retain(|&k, _| k < 10);
    let forced = map.instruments().stats().forced_completions;
    map.shrink_to_fit();
    assert_eq!(map.phase().progress().unwrap().kind, EvacuationKind::Shrink);
    assert_eq!(map.instruments().stats().forced_completions, forced + 1);
    map.check_invariants();
}

#[test]
fn shrink_to_keeps_the_requested_capacity() {
    let mut map = sparse(Policy::go());
    let cap = map.capacity();
    map.shrink_to(cap); // not smaller: nothing to do
    assert!(!map.is_evacuating());
    let min = cap / 4;
    map.shrink_to(min);
    assert!(map.capacity() >= min && map.capacity() < cap);
    map.finish_evacuation();
    assert!(map.capacity() >= min);
    map.shrink_to(usize::MAX); // more than any table holds: nothing to do
    assert!(!map.is_evacuating());
}

#[test]
fn empty_map_frees_its_array() {
    let mut map = sparse(Policy::go());
    map.clear();
    let held = map.instruments().stats().bytes_allocated;
    map.shrink_to_fit();
    assert_eq!((map.capacity(), map.instruments().array_bytes()), (0, 0));
    assert_eq!(map.instruments().stats().shrink_bytes_returned, held);
    map.check_invariants();
    map.insert(1, 1); // and it works again
    assert_eq!(map.get(&1), Some(&1));
}

#[test]
fn all_at_once_shrinks_inside_the_call() {
    let mut map = sparse(Policy::all_at_once());
    map.shrink_to_fit();
    assert!(!map.is_evacuating());
    assert_eq!(map.instruments().stats().shrinks_completed, 1);
    map.check_invariants();
}

#[test]
fn auto_shrink_starts_on_a_delete_burst() {
    let policy = Policy::go().with_auto_shrink(0.125);
    let mut map = EvacMap::with_policy(policy);
    for i in 0..N {
        map.insert(i, i);
    }
    let big = map.capacity();
    for i in KEEP..N {
        map.remove(&i);
        check_invariants_every(&map, i);
    }
    map.finish_evacuation();
    // Shrinks cascade while removals continue: one starts whenever none is
    // running and the fill is low enough.
    assert!(map.instruments().stats().shrinks >= 2);
    assert!(map.capacity() < big / 4, "{} of {big}", map.capacity());
    // The last removals came while a shrink ran; the next one starts
    // another, down to the smallest table with room for twice the entries.
    map.remove(&0);
    map.finish_evacuation();
    let len = map.len();
    assert!(map.capacity() >= 2 * len, "hysteresis: room for 2x");
    assert!(
        map.capacity() < (4 * len).max(9),
        "{} for {len}",
        map.capacity()
    );
}

/// `check_invariants` on a sample of steps (the full walk is O(n)).
fn check_invariants_every(map: &EvacMap<u32, u32>, step: u32) {
    if step % 97 == 0 {
        map.check_invariants();
    }
}

#[test]
fn auto_shrink_does_not_oscillate_at_the_boundary() {
    let policy = Policy::go().with_auto_shrink(0.125);
    let mut map = EvacMap::with_policy(policy);
    for i in 0..N {
        map.insert(i, i);
    }
    map.finish_evacuation();
    // Remove until the first shrink starts, then finish it.
    let mut i = N;
    while map.instruments().stats().shrinks == 0 {
        i -= 1;
        map.remove(&i);
    }
    map.finish_evacuation();
    let s = map.instruments().stats();
    // Now sit at the boundary: insert one, remove one, many times.
    for _ in 0..if cfg!(miri) { 500 } else { 10_000 } {
        map.insert(i, i);
        map.remove(&i);
    }
    let t = map.instruments().stats();
    assert_eq!(t.shrinks, s.shrinks, "no further shrink");
    assert_eq!(t.growths, s.growths, "no growth");
}

#[test]
fn removals_inside_retain_never_start_a_shrink() {
    let mut map = EvacMap::with_policy(Policy::go().with_auto_shrink(0.125));
    for i in 0..N {
        map.insert(i, i);
    }
    map.finish_evacuation();
    map.retain(|&k, _| k < KEEP);
    assert_eq!(map.instruments().stats().shrinks, 0);
    // The next removal does.
    map.remove(&0);
    assert_eq!(map.instruments().stats().shrinks, 1);
}

#[test]
fn constant_hash_chains_merge() {
    // Every key in one chain: the shrink appends whole chains to one
    // destination that already holds entries.
    let mut map = EvacMap::builder()
        .policy(Policy::go())
        .hasher(Weak(Weakness::LowBits))
        .build();
    let n = if cfg!(miri) { 100 } else { 3000 };
    for i in 0..n {
        map.insert(i, i);
    }
    map.finish_evacuation();
    map.retain(|&k, _| k % 10 == 0);
    map.shrink_to_fit();
    let mut step = 0;
    while map.is_evacuating() {
        map.insert(step * 10 % n, 0);
        map.remove(&(step * 10 % n + 1));
        map.check_invariants();
        step += 1;
    }
    assert_eq!(map.len(), (n / 10) as usize);
}

#[test]
fn values_are_dropped_once_across_a_shrink() {
    let c = Counter::default();
    let mut map = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
    let n = u64::from(N / 4);
    for i in 0..n {
        map.insert(i, c.value(i));
    }
    map.finish_evacuation();
    for i in 10..n {
        drop(map.remove(&i));
    }
    map.shrink_to_fit();
    map.evacuate(1);
    assert!(map.is_evacuating());
    assert_eq!(c.live(), 10);
    let copy = map.clone();
    assert_eq!(c.live(), 20);
    drop(copy);
    drop(map); // mid-shrink
    assert_eq!(c.live(), 0);
}

#[test]
fn shrinking_never_calls_hash() {
    let mut map = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
    for i in 0..u64::from(N / 4) {
        map.insert(Trap(i), i);
    }
    map.finish_evacuation();
    map.retain(|k, _| k.0 < 10);
    arm(&HASH_FUSE, 0); // the next `Hash` call panics
    map.shrink_to_fit();
    map.finish_evacuation();
    disarm();
    assert_eq!(map.instruments().stats().shrinks_completed, 1);
    assert_eq!(map.len(), 10);
}
