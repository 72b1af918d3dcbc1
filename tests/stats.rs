//! Exact counter values for known scenarios (the `stats` feature, on by
//! default). No test here asserts on wall-clock time.
#![cfg(feature = "stats")]

use evacmap::instruments::{EventKind, ForceReason, Stats};
use evacmap::{DefaultHashBuilder, EvacMap, Policy};

type Map = EvacMap<u64, u64, DefaultHashBuilder>;

const N: u64 = if cfg!(miri) { 1_500 } else { 200_000 };

fn map(policy: Policy) -> Map {
    // Fixed seeds: the counts below are deterministic.
    EvacMap::builder()
        .policy(policy.with_event_capacity(1024))
        .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
        .build()
}

/// Doublings needed to hold `n` entries from one bucket, by Go's formula
/// `capacity(B) = max(8, 13 * 2^B / 2)`, computed independently of the crate.
fn go_doublings(n: u64) -> u64 {
    let mut b = 0;
    while (13 * ((1u64 << b) / 2)).max(8) < n {
        b += 1;
    }
    b
}

/// `len` at the start of every growth, from the event log.
fn lens_at_growth_start(map: &Map) -> Vec<u64> {
    map.instruments()
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::GrowthStarted { len, .. } => Some(len),
            _ => None,
        })
        .collect()
}

fn assert_cross_field(s: &Stats) {
    assert!(s.old_buckets_evacuated <= s.old_bucket_count, "{s:?}");
    assert!(
        s.growths_completed + s.forced_completions <= s.growths,
        "{s:?}"
    );
    assert!(
        s.old_bytes_held <= s.bytes_allocated && s.bytes_allocated <= s.peak_bytes_allocated,
        "{s:?}"
    );
    assert!(
        s.same_size_growths <= s.growths && s.writes_during_evacuation <= s.writes,
        "{s:?}"
    );
    assert_eq!(s.old_bucket_count == 0, s.old_bytes_held == 0, "{s:?}");
}

#[test]
fn inserting_n_keys_starts_go_many_growths_and_moves_each_entry_present_at_start() {
    let mut m = map(Policy::go());
    let mut growing_inserts = 0;
    for i in 0..N {
        m.insert(i, i);
        growing_inserts += u64::from(m.is_evacuating());
    }
    let s = m.instruments().stats();
    assert_cross_field(&s);
    assert_eq!(s.growths, go_doublings(N));
    assert_eq!(s.same_size_growths, 0);
    assert_eq!(s.writes, N);
    assert_eq!(
        s.forced_completions, 0,
        "insert-only Go policy never forces"
    );
    // Go's bound: each write evacuates the bucket it uses and one at the cursor.
    assert!(s.max_buckets_evacuated_in_one_op <= 1 + 1, "{s:?}");
    assert!(s.writes_during_evacuation >= growing_inserts);

    m.finish_evacuation();
    let s = m.instruments().stats();
    assert_eq!(s.old_bytes_held, 0);
    assert_eq!(s.old_bucket_count, 0);
    assert_eq!(s.growths, s.growths_completed + s.forced_completions);
    // Every entry present when a growth started is moved exactly once by it.
    let moved: u64 = lens_at_growth_start(&m).iter().sum();
    assert_eq!(s.entries_moved, moved);
    // Every old bucket of every growth was evacuated once: 1 + 2 + 4 + ...
    assert_eq!(s.buckets_evacuated, (1u64 << s.growths) - 1);
    assert_cross_field(&s);
}

#[test]
fn cursor_steps_bound_the_work_per_write() {
    for steps in [0, 1, 3] {
        let mut m = map(Policy::go().with_cursor_steps(steps));
        for i in 0..N / 4 {
            m.insert(i, i);
        }
        let s = m.instruments().stats();
        if s.forced_completions == 0 {
            assert!(
                s.max_buckets_evacuated_in_one_op <= 1 + steps as u64,
                "steps {steps}: {s:?}"
            );
        }
    }
}

#[test]
fn all_at_once_moves_the_whole_table_in_one_insert() {
    let mut m = map(Policy::all_at_once());
    for i in 0..N {
        m.insert(i, i);
        assert!(!m.is_evacuating());
    }
    let s = m.instruments().stats();
    let largest = *lens_at_growth_start(&m).iter().max().unwrap();
    assert_eq!(s.max_entries_moved_in_one_op, largest);
    assert_eq!(s.max_buckets_evacuated_in_one_op, 1 << (s.growths - 1));
    assert_eq!(s.growths_completed, s.growths);
    assert_eq!(s.writes_during_evacuation, 0);
}

#[test]
fn reads_during_growth_count_lookups_in_old_buckets() {
    let mut m = map(Policy::go().with_cursor_steps(0));
    let mut i = 0;
    while i < 1000 || !m.is_evacuating() {
        m.insert(i, i);
        i += 1;
    }
    let before = m.instruments().stats();
    let p = m.phase().progress().unwrap();
    for k in 0..i {
        assert!(m.get(&k).is_some());
    }
    let after = m.instruments().stats();
    let in_old = after.lookups_in_old_buckets - before.lookups_in_old_buckets;
    assert!(in_old > 0 && in_old <= i, "{in_old}");
    assert!(p.evacuated < p.total);
    // Reads do not move anything.
    assert_eq!(after.buckets_evacuated, before.buckets_evacuated);
    m.finish_evacuation();
    let s = m.instruments().stats();
    for k in 0..i {
        assert!(m.get(&k).is_some());
    }
    assert_eq!(
        m.instruments().stats().lookups_in_old_buckets,
        s.lookups_in_old_buckets
    );
}

#[test]
fn forced_completions_are_counted_and_logged() {
    let mut m = map(Policy::go().with_cursor_steps(0));
    let mut i = 0;
    while !m.is_evacuating() {
        m.insert(i, i);
        i += 1;
    }
    let left = m
        .phase()
        .progress()
        .map(|p| (p.total - p.evacuated) as u64)
        .unwrap();
    m.finish_evacuation();
    let s = m.instruments().stats();
    assert_eq!(s.forced_completions, 1);
    assert_eq!(s.growths, s.growths_completed + 1);
    let events = m.instruments().events();
    let tail: Vec<_> = events.iter().rev().take(3).rev().map(|e| e.kind).collect();
    assert!(matches!(
        tail[0],
        EventKind::ForcedCompletion { reason: ForceReason::Explicit, buckets_left } if buckets_left == left
    ));
    assert!(
        matches!(tail[1], EventKind::GrowthFinished { writes, .. } if writes == s.last_growth_writes)
    );
    assert!(matches!(tail[2], EventKind::OldArrayReleased { bytes } if bytes > 0));
    // finish_evacuation moved everything left in one operation.
    assert!(s.max_buckets_evacuated_in_one_op >= left);
}

/// One public call is one operation, however many growths it finishes:
/// `reserve(100_000)` on a 1,000-entry map doubles six times (B 8 -> 14),
/// moving 6,000 entries, and its per-operation maxima say so (they once
/// read 1,000: each forced finish inside the call started a new operation).
/// Under Miri, 100 entries and B 4 -> 11.
#[test]
fn reserve_is_one_operation() {
    let (n, extra, b0, b1) = if cfg!(miri) {
        (100, 10_000, 4, 11)
    } else {
        (1000, 100_000, 8, 14)
    };
    let mut m = map(Policy::go());
    for i in 0..n {
        m.insert(i, i);
    }
    m.finish_evacuation();
    assert_eq!(m.bucket_log2(), Some(b0));
    let before = m.instruments().stats();
    m.reserve(extra);
    let after = m.instruments().stats();
    assert_eq!(m.bucket_log2(), Some(b1));
    let moved = after.entries_moved - before.entries_moved;
    assert_eq!(moved, u64::from(b1 - b0) * n);
    assert_eq!(after.max_entries_moved_in_one_op, moved);
    let buckets = after.buckets_evacuated - before.buckets_evacuated;
    assert_eq!(after.max_buckets_evacuated_in_one_op, buckets);
    // Mid-growth, the forced finish of the running growth belongs to the
    // same operation as the doublings after it.
    let mut m = map(Policy::go().with_cursor_steps(0));
    let mut i = 0;
    while !m.is_evacuating() {
        m.insert(i, i);
        i += 1;
    }
    let before = m.instruments().stats();
    m.reserve(if cfg!(miri) { 4 } else { 50 } * i as usize);
    let after = m.instruments().stats();
    let moved = after.entries_moved - before.entries_moved;
    assert!(moved > i, "a forced finish and doublings: {moved}");
    assert_eq!(after.max_entries_moved_in_one_op, moved);
}

#[test]
fn growth_residency_in_writes() {
    let mut m = map(Policy::go());
    for i in 0..N {
        m.insert(i, i);
    }
    let s = m.instruments().stats();
    // With Go's policy a doubling from 2^k old buckets ends within 2^k writes.
    let events = m.instruments().events();
    for pair in events.windows(2) {
        if let (
            EventKind::GrowthStarted { from_log2, .. },
            EventKind::GrowthFinished { writes, .. },
        ) = (pair[0].kind, pair[1].kind)
        {
            assert!(
                writes <= 1 << from_log2,
                "{writes} writes for {} old buckets",
                1 << from_log2
            );
        }
    }
    assert!(s.last_growth_writes > 0);
    // Events are numbered without gaps.
    assert!(events.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
    assert!(events.windows(2).all(|w| w[0].time_ns <= w[1].time_ns));
}

#[test]
fn bytes_allocated_tracks_arrays_and_overflow() {
    let mut m = map(Policy::go());
    for i in 0..N / 10 {
        m.insert(i, i);
    }
    m.finish_evacuation();
    let s = m.instruments().stats();
    let bucket = 8 + 8 * 8 + 8 * 8 + 8; // u64 -> u64
    let b = s.bucket_count;
    let pool = if b >= 16 { b / 16 } else { 0 };
    assert_eq!(m.instruments().array_bytes() as u64, (b + pool) * bucket);
    assert!(s.bytes_allocated >= m.instruments().array_bytes() as u64);
    assert_eq!(
        (s.bytes_allocated - m.instruments().array_bytes() as u64) % bucket,
        0
    );
    assert!(s.overflow_buckets <= s.overflow_allocated);
    // Peak: old + new arrays of the last doubling were held together.
    assert!(s.peak_bytes_allocated >= (b + pool) * bucket + (b / 2 + pool / 2) * bucket);
    m.clear();
    let c = m.instruments().stats();
    assert_eq!((c.len, c.overflow_buckets), (0, 0));
    assert_eq!(c.bytes_allocated, m.instruments().array_bytes() as u64);
}

#[test]
fn clear_mid_growth_abandons_the_growth() {
    let mut m = map(Policy::go().with_cursor_steps(0));
    let mut i = 0;
    while !m.is_evacuating() {
        m.insert(i, i);
        i += 1;
    }
    m.clear();
    let s = m.instruments().stats();
    assert_eq!(s.old_bytes_held, 0);
    assert_eq!(s.growths, s.growths_completed + s.forced_completions + 1);
    assert!(matches!(
        m.instruments().events().last().unwrap().kind,
        EventKind::OldArrayReleased { .. }
    ));
    assert_cross_field(&s);
}

#[test]
fn timing_counts_every_write_and_is_off_by_default() {
    let mut m = map(Policy::go().with_timing(true));
    for i in 0..N / 10 {
        m.insert(i, i);
    }
    for i in 0..N / 20 {
        m.remove(&i);
    }
    *m.entry(1).or_insert(0) += 1;
    let h = m.instruments().pause_percentiles().unwrap();
    assert_eq!(h.insert.count, N / 10 + 1);
    assert_eq!(h.remove.count, N / 20);
    let t = m.instruments().timing().unwrap();
    assert!(t.max_pause_ns >= h.insert.p9999_ns.min(h.remove.p9999_ns));
    assert_eq!(
        t.growth_wall_ns,
        m.instruments().stats().last_growth_wall_ns
    );
    assert!(t.max_pause_len < N / 10);
    assert!(map(Policy::go()).instruments().timing().is_none());
    assert!(
        map(Policy::go())
            .instruments()
            .pause_percentiles()
            .is_none()
    );
}

#[test]
fn old_array_is_given_back_as_the_cursor_passes() {
    let mut m = map(Policy::go());
    let mut i = 0;
    // Until a growth from at least 2^12 buckets (576 KiB) is under way
    // (smaller under Miri, which cannot model `madvise` anyway).
    let min_old = if cfg!(miri) { 1 << 5 } else { 1 << 12 };
    while !(m.is_evacuating() && m.instruments().stats().old_bucket_count >= min_old) {
        m.insert(i, i);
        i += 1;
    }
    let start = m.instruments().stats();
    let old_array = start.old_bytes_held;
    m.evacuate(start.old_bucket_count as usize / 2);
    let half = m.instruments().stats();
    assert_cross_field(&half);
    // Reads of keys in given-back chains go to the new array.
    for k in 0..i {
        assert_eq!(m.get(&k), Some(&k));
    }
    m.check_invariants();
    let early = half.bytes_released_early - start.bytes_released_early;
    assert_eq!(
        half.old_bytes_held + early,
        old_array,
        "held + given back = the old array"
    );
    if cfg!(all(target_os = "linux", not(miri))) {
        // About half of the primary buckets' pages, in 16 KiB batches.
        assert!(early * 3 > old_array, "{early} of {old_array}");
    }
    let copy = m.clone();
    copy.check_invariants();
    assert_eq!(copy.len(), m.len());
    m.finish_evacuation();
    let end = m.instruments().stats();
    let freed_at_end = m
        .instruments()
        .events()
        .iter()
        .rev()
        .find_map(|e| match e.kind {
            EventKind::OldArrayReleased { bytes } => Some(bytes),
            _ => None,
        })
        .unwrap();
    let early = end.bytes_released_early - start.bytes_released_early;
    assert_eq!(freed_at_end + early, old_array);
}

/// Hashes a `u64` key to itself, so that a test chooses each key's chain.
#[derive(Clone, Copy, Default)]
struct Identity;

struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0 << 8 | u64::from(b);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

impl std::hash::BuildHasher for Identity {
    type Hasher = IdentityHasher;
    fn build_hasher(&self) -> IdentityHasher {
        IdentityHasher(0)
    }
}

#[test]
fn overflow_beyond_the_pool_is_counted_and_freed() {
    // Every key lands in one of 64 chains whatever `B` is (bits 6 to 55 are
    // zero, so doublings never split them): chains grow long, the overflow
    // pool (2^(B-4) buckets) runs out, then its extension (reserved after
    // arrays of 64 KiB or more on Linux; at 10,000 keys `B` is 11, 300 KiB),
    // and then overflow buckets come from the allocator one by one.
    let n: u64 = if cfg!(miri) { 600 } else { 10_000 };
    let key = |i: u64| (i % 64) | (i / 64) << 56;
    let mut m = EvacMap::builder()
        .policy(Policy::go())
        .hasher(Identity)
        .build();
    let mut model = std::collections::HashMap::new();
    for i in 0..n {
        assert_eq!(m.insert(key(i), i), model.insert(key(i), i));
        if i % 997 == 0 {
            m.check_invariants();
        }
    }
    m.check_invariants();
    m.finish_evacuation();
    let s = m.instruments().stats();
    let bucket = 8 + 8 * 8 + 8 * 8 + 8; // u64 -> u64
    let pool = if s.bucket_count >= 16 {
        s.bucket_count / 16
    } else {
        0
    };
    assert!(s.overflow_buckets > pool, "the pool ran out: {s:?}");
    // Overflow buckets beyond Go's pool are counted as held, whether they
    // came from the extension or from the allocator.
    assert_eq!(
        s.bytes_allocated,
        m.instruments().array_bytes() as u64 + (s.overflow_buckets - pool) * bucket,
        "{s:?}"
    );
    for i in 0..n {
        assert_eq!(m.get(&key(i)), model.get(&key(i)));
    }
    // A clone links its own overflow buckets; the original is unchanged.
    let c = m.clone();
    c.check_invariants();
    assert_eq!(c.len(), m.len());
    assert_eq!(c.instruments().stats().bytes_allocated, s.bytes_allocated);
    drop(c);
    for i in (0..n).step_by(2) {
        assert_eq!(m.remove(&key(i)), model.remove(&key(i)));
    }
    m.check_invariants();
    // `clear` hands the pool and the extension out again from the start.
    m.clear();
    assert_eq!(
        m.instruments().stats().bytes_allocated,
        m.instruments().array_bytes() as u64
    );
    for i in 0..n / 2 {
        m.insert(key(i), i);
    }
    m.check_invariants();
    assert_eq!(m.len(), n as usize / 2);
}
