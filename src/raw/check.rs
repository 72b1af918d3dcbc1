//! Full walks: the invariant check (`EvacMap::check_invariants`), in
//! O(buckets and entries), used by the tests after every operation; and
//! the chain-length distribution (`EvacMap::chain_lengths`).
//!
//! `check_invariants` runs one function per group of invariants (`mod.rs`
//! numbers them): the table's scalars (I7–I9, and the cached `max_load`
//! and `grow_at`), the old array (I1–I5, I10), the current array (I1, I2,
//! I4, I5), then the cross checks (I6, I7); every chain walk checks I2 and
//! I11 for its head.

use super::RawTable;
use super::array::BucketArray;
use super::bucket::{BUCKET_SLOTS, ChainWalk, Slot, overflow};
use super::group::Group;
use super::lifecycle::{Lifecycle, OldArray};
use super::tophash::{EMPTY_REST, MIN_TOP_HASH, is_empty, is_evacuated_marker, tophash};
use crate::layout::BucketLayout;

/// What the walks collected: every bucket seen (I6) and live slots (I7).
struct Walk {
    seen: Vec<usize>,
    live: usize,
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// The chain-length distribution of the current array and of the
    /// unevacuated old chains (from the cursor on: below it, chains may
    /// have been given back, I10, and are evacuated, I3).
    pub(crate) fn chain_lengths(&self) -> crate::instruments::ChainLengths {
        let mut out = crate::instruments::ChainLengths::default();
        let old = self.state.old().map(|o| (&o.array, o.cursor));
        for (array, start) in old.into_iter().chain([(&self.buckets, 0)]) {
            for j in start.min(array.len())..array.len() {
                // SAFETY: `j < len()`, at or above the released chains (I10).
                let head = unsafe { array.bucket(j) };
                let tops = array.tops();
                // SAFETY: a live primary bucket (above).
                if is_evacuated_marker(unsafe { tops.top_at(head, 0) }) {
                    continue; // I4: no entry, nothing linked
                }
                let (mut buckets, mut live) = (0usize, 0usize);
                // SAFETY: `head` is primary bucket `j`, not given back
                // (above); `&self` keeps the chain unchanged.
                for (_, word) in unsafe { ChainWalk::new(tops, j, head) } {
                    buckets += 1;
                    // SAFETY: the walk's word is its live bucket's (I11).
                    live += Group::load(unsafe { *word }).match_full().count();
                }
                out.chains += 1;
                out.empty += u64::from(live == 0);
                if out.counts.len() < buckets {
                    out.counts.resize(buckets, 0);
                }
                out.counts[buckets - 1] += 1;
                out.longest = out.longest.max(buckets as u64);
            }
        }
        out
    }

    /// Panics with the number of the broken invariant (see `mod.rs`).
    pub(crate) fn check_invariants(&self, hasher: impl Fn(&K) -> u64) {
        let mut walk = Walk {
            seen: Vec::new(),
            live: 0,
        };
        self.check_scalars();
        match &self.state {
            Lifecycle::Evacuating(old) => self.check_old_array(old, &mut walk, &hasher),
            Lifecycle::Retiring(array) => assert_eq!(
                array.released_chains(),
                array.len(),
                "I10: retiring array with unreleased chains"
            ),
            Lifecycle::Idle => {}
        }
        self.check_current_array(&mut walk, &hasher);
        self.check_totals(walk);
    }

    /// I7–I9 on the table's own fields.
    fn check_scalars(&self) {
        if let Some(old) = self.state.old() {
            let (b, ob) = (self.buckets.log2(), old.array.log2());
            assert!(b <= ob + 1, "I8: B {b} vs old B {ob}");
            assert!(
                old.array.is_allocated(),
                "I8: evacuating without an old array"
            );
            assert!(
                old.cursor < old.array.len(),
                "I3: cursor past the end while evacuating"
            );
        }
        self.triggers.check(
            &self.policy,
            self.log2(),
            self.is_evacuating(),
            self.spare.is_ready(),
        );
        if let Some((log2, pristine)) = self.spare.shape() {
            assert_eq!(self.log2().map(|b| b + 1), Some(log2), "I12: spare B");
            assert!(pristine, "I12: the spare array was used");
        }
        if !self.buckets.is_allocated() {
            assert_eq!(self.count, 0, "I7: entries without an array");
            assert!(!self.is_evacuating(), "I8: old array without a new one");
            return;
        }
        let slots = self.buckets.len() * BUCKET_SLOTS;
        assert!(
            self.count <= slots,
            "I9: count {} > {slots} primary slots",
            self.count
        );
        if self.policy.load_factor() >= 4.5 {
            assert!(
                self.count <= self.triggers.max_load(),
                "I9: count {} > capacity {}",
                self.count,
                self.triggers.max_load()
            );
        }
    }

    /// The old array: I1, I3, I4, I5 (where entries are, and that the new
    /// chains an unevacuated old chain feeds are empty), I7 (evacuated
    /// count), I10 (nothing read below the released chains).
    fn check_old_array(
        &self,
        old: &OldArray<K, V, L>,
        walk: &mut Walk,
        hasher: &impl Fn(&K) -> u64,
    ) {
        let released = old.array.released_chains();
        assert!(
            released <= old.cursor,
            "I10: released chains {released} beyond the cursor {}",
            old.cursor
        );
        let mut evacuated = released;
        for j in released..old.array.len() {
            // SAFETY: `j < len()`; chains at or above `released` still have
            // their pages (I10, the claim checked just above).
            let head = unsafe { old.array.bucket(j) };
            // SAFETY: a primary bucket of the allocated old array whose
            // pages were not given back (I10, above).
            let is_evac = is_evacuated_marker(unsafe { old.array.tops().top_at(head, 0) });
            assert!(
                is_evac || j >= old.cursor,
                "I3: old chain {j} below the cursor {} not evacuated",
                old.cursor
            );
            evacuated += usize::from(is_evac);
            // SAFETY: `head` is live (I10, above).
            let linked = unsafe { overflow(head) }.is_some();
            assert!(
                !(is_evac && linked),
                "I4: evacuated chain {j} still links overflow buckets"
            );
            walk_chain(&old.array, j, &mut walk.seen, |slot, top| {
                if is_evac {
                    assert!(is_evacuated_marker(top), "I4: chain {j} partly evacuated");
                    return;
                }
                assert!(
                    !is_evacuated_marker(top),
                    "I4: marker {top} in unevacuated chain {j}"
                );
                if top >= MIN_TOP_HASH {
                    check_entry(slot, top, hasher, &old.array, j);
                    walk.live += 1;
                }
            });
            if !is_evac && old.kind != crate::EvacuationKind::Shrink {
                self.check_fed_chains_empty(old, j);
            }
        }
        assert_eq!(evacuated, old.evacuated, "I7: evacuated chain count");
    }

    /// I5, growth: the new chains old chain `j` (not evacuated) feeds are
    /// empty.
    fn check_fed_chains_empty(&self, old: &OldArray<K, V, L>, j: usize) {
        let step = old.array.len();
        let mut dest = j;
        while dest < self.buckets.len() {
            // SAFETY: `dest < len()` (`bucket`'s precondition).
            let b = unsafe { self.buckets.bucket(dest) };
            // SAFETY: `b` is a primary bucket of the allocated new array,
            // and `i < 8`.
            let all_rest = (0..BUCKET_SLOTS)
                .all(|i| unsafe { self.buckets.tops().top_at(b, i) } == EMPTY_REST);
            // SAFETY: `b` is live (just above).
            let unlinked = unsafe { overflow(b) }.is_none();
            assert!(
                all_rest && unlinked,
                "I5: new chain {dest} filled before old chain {j} was evacuated"
            );
            dest += step;
        }
    }

    /// The current array: I1, I2, I4 (no markers), I5.
    fn check_current_array(&self, walk: &mut Walk, hasher: &impl Fn(&K) -> u64) {
        let old = self.state.old();
        for j in 0..self.buckets.len() {
            walk_chain(&self.buckets, j, &mut walk.seen, |slot, top| {
                assert!(
                    !is_evacuated_marker(top),
                    "I4: evacuation marker in the new array"
                );
                if top < MIN_TOP_HASH {
                    return;
                }
                let h = check_entry(slot, top, hasher, &self.buckets, j);
                if let Some(old) = old {
                    let old_j = h as usize & old.array.mask();
                    if old_j >= old.array.released_chains() {
                        // SAFETY: `old_j` is masked with the old mask, so
                        // below its length (`bucket`'s precondition).
                        let head = unsafe { old.array.bucket(old_j) };
                        // SAFETY: a primary bucket of the live old array,
                        // not given back (I10).
                        let top0 = unsafe { old.array.tops().top_at(head, 0) };
                        assert!(
                            is_evacuated_marker(top0),
                            "I5: entry in new chain {j} while its old chain is not evacuated"
                        );
                    }
                }
                walk.live += 1;
            });
        }
    }

    /// I6 (pool buckets not handed out are unlinked and empty, each bucket
    /// linked once) and I7 (`count` = live slots = what iteration yields).
    fn check_totals(&self, mut walk: Walk) {
        assert_eq!(
            walk.live, self.count,
            "I7: count {} but {} live slots",
            self.count, walk.live
        );
        let old = self.state.old().map(|o| &o.array);
        for (name, array) in [("new", Some(&self.buckets)), ("old", old)] {
            if let Some(i) = array.and_then(BucketArray::first_dirty_unused_pool_bucket) {
                panic!("I6: unused pool bucket {i} of the {name} array is not empty");
            }
        }
        walk.seen.sort_unstable();
        assert!(
            walk.seen.windows(2).all(|w| w[0] != w[1]),
            "I6: bucket linked twice"
        );
        assert_eq!(
            // SAFETY: `&self` keeps the table alive and unchanged while the
            // iterator counts.
            unsafe { super::RawIter::new(self) }.count(),
            self.count,
            "I7: iteration disagrees with count"
        );
    }
}

/// I1 and I5 for the live slot `slot` of chain `j` of `array`: its tophash
/// is its key's, and its key belongs in that chain. Returns the key's hash.
fn check_entry<K, V, L: BucketLayout>(
    slot: Slot<K, V, L>,
    top: u8,
    hasher: &impl Fn(&K) -> u64,
    array: &BucketArray<K, V, L>,
    j: usize,
) -> u64 {
    // SAFETY: a live tophash, so an initialised key (I1, the invariant
    // under check: a broken table can fail here, as it can anywhere else).
    let h = hasher(unsafe { &*slot.key() });
    assert_eq!(top, tophash(h), "I1: stored tophash differs from the key's");
    assert_eq!(h as usize & array.mask(), j, "I5: entry in the wrong chain");
    h
}

/// Visits every slot of chain `j` of `array`, checking I2 and recording
/// every bucket for I6.
///
/// # Panics
///
/// If `j` is not a chain of `array` whose pages are still there (below its
/// length and at or above its released chains, I10): the index is
/// checked here, once, so the walk needs no caller's promise.
fn walk_chain<K, V, L: BucketLayout>(
    array: &BucketArray<K, V, L>,
    j: usize,
    seen: &mut Vec<usize>,
    mut visit: impl FnMut(Slot<K, V, L>, u8),
) {
    assert!(
        j < array.len() && j >= array.released_chains(),
        "walk_chain: chain {j} is not readable"
    );
    let tops = array.tops();
    let mut rest = false;
    // SAFETY: `j < array.len()`, at or above the array's released chains
    // (I10), both checked above.
    let head = unsafe { array.bucket(j) };
    assert_eq!(
        // SAFETY: `head` is primary bucket `j` of the allocated array.
        unsafe { tops.head_word(j, head) },
        // SAFETY: as above; a primary bucket is live.
        unsafe { tops.word(head) },
        "I11: head {j}'s word by index is not its word by address"
    );
    // SAFETY: `head` is primary bucket `j` of the allocated array, not
    // given back (checked above); `&BucketArray` keeps the chain unchanged.
    for (bucket, word) in unsafe { ChainWalk::new(tops, j, head) } {
        seen.push(bucket.as_ptr().addr());
        // SAFETY: the walk's word is `bucket`'s (I11), a live bucket.
        for (index, &top) in unsafe { *word }.iter().enumerate() {
            if !is_evacuated_marker(top) {
                if rest {
                    assert_eq!(top, EMPTY_REST, "I2: non-EMPTY_REST slot after EMPTY_REST");
                }
                rest |= top == EMPTY_REST;
            }
            debug_assert!(is_empty(top) || is_evacuated_marker(top) || top >= MIN_TOP_HASH);
            visit(Slot { bucket, index }, top);
        }
    }
}
