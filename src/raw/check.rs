//! Full walks: the invariant check (`EvacMap::check_invariants`), in
//! O(buckets and entries), used by the tests after every operation; and
//! the chain-length distribution (`EvacMap::chain_lengths`).

use super::array::BucketArray;
use super::bucket::{BUCKET_SLOTS, Slot, overflow};
use super::tophash::{EMPTY_REST, MIN_TOP_HASH, is_empty, is_evacuated_marker, tophash};
use super::{RawTable, sizing};
use crate::layout::BucketLayout;

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// The chain-length distribution of the current array and of the
    /// unevacuated old chains (from the cursor on: below it, chains may
    /// have been given back, I10, and are evacuated, I3).
    pub(crate) fn chain_lengths(&self) -> crate::ChainLengths {
        let mut out = crate::ChainLengths::default();
        let arrays = [(&self.old_buckets, self.evac_cursor), (&self.buckets, 0)];
        for (array, start) in arrays {
            for j in start.min(array.len())..array.len() {
                // SAFETY: `j < len()`, at or above the released chains (I10).
                let head = unsafe { array.bucket(j) };
                let tops = array.tops();
                // SAFETY: a live primary bucket (above).
                if is_evacuated_marker(unsafe { tops.top_at(head, 0) }) {
                    continue; // I4: no entry, nothing linked
                }
                let (mut buckets, mut live) = (0usize, 0usize);
                let mut b = Some(head);
                while let Some(bucket) = b {
                    buckets += 1;
                    // SAFETY: the head or linked from it (I6): live.
                    live += unsafe { tops.group(bucket) }.match_full().count();
                    // SAFETY: as above.
                    b = unsafe { overflow(bucket) };
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
        let mut seen = Vec::new();
        let mut live = 0usize;

        // I8
        if self.is_growing() {
            let (b, ob) = (self.buckets.log2(), self.old_buckets.log2());
            assert!(b <= ob + 1, "I8: B {b} vs old B {ob}");
            assert!(
                self.evac_cursor < self.old_buckets.len(),
                "I3: cursor past the end while growing"
            );
        } else {
            assert_eq!(self.evac_cursor, 0, "I8: cursor set while not growing");
            assert_eq!(
                self.old_evacuated, 0,
                "I8: evacuated count set while not growing"
            );
        }
        // I9
        if self.buckets.is_allocated() {
            let slots = self.buckets.len() * BUCKET_SLOTS;
            assert!(
                self.count <= slots,
                "I9: count {} > {slots} primary slots",
                self.count
            );
            if self.policy.load_factor() >= 4.5 {
                assert!(
                    self.count <= self.max_load,
                    "I9: count {} > capacity {}",
                    self.count,
                    self.max_load
                );
            }
            assert_eq!(
                self.max_load,
                sizing::capacity_at(&self.policy, self.buckets.log2()),
                "cached max_load"
            );
        } else {
            assert_eq!(self.count, 0, "I7: entries without an array");
            assert!(!self.is_growing(), "I8: old array without a new one");
        }

        // Old array: I3, I4, I5 (location), I7 (evacuated count).
        // A retired old array holds no entry and is read no more (I10).
        if self.retired.is_allocated() {
            assert_eq!(
                self.retired.released_chains(),
                self.retired.len(),
                "I10: retired array with unreleased chains"
            );
        }
        // I10: chains below `released_chains` may have been given back and
        // are not read; they are below the cursor, so evacuated by I3.
        let released = self.old_buckets.released_chains();
        assert!(
            released <= self.evac_cursor,
            "I10: released chains {released} beyond the cursor {}",
            self.evac_cursor
        );
        let mut evacuated = released;
        for j in released..self.old_buckets.len() {
            // SAFETY: `j < len()`; chains at or above `released` still have
            // their pages (I10, the claim checked just above).
            let head = unsafe { self.old_buckets.bucket(j) };
            // SAFETY: `head` is a primary bucket of the allocated old array
            // whose pages were not given back (I10, above).
            let is_evac = is_evacuated_marker(unsafe { self.old_buckets.tops().top_at(head, 0) });
            if j < self.evac_cursor {
                assert!(
                    is_evac,
                    "I3: old chain {j} below the cursor {} not evacuated",
                    self.evac_cursor
                );
            }
            evacuated += usize::from(is_evac);
            // SAFETY: `head` is live (I10, above).
            let linked = unsafe { overflow(head) }.is_some();
            assert!(
                !(is_evac && linked),
                "I4: evacuated chain {j} still links overflow buckets"
            );
            self.walk_chain(&self.old_buckets, j, &mut seen, |slot, top| {
                if is_evac {
                    assert!(is_evacuated_marker(top), "I4: chain {j} partly evacuated");
                    return;
                }
                assert!(
                    !is_evacuated_marker(top),
                    "I4: marker {top} in unevacuated chain {j}"
                );
                if top >= MIN_TOP_HASH {
                    // SAFETY: live slot (I1 is what we are checking: a live
                    // tophash must come with an initialised key).
                    let h = hasher(unsafe { &*slot.key() });
                    assert_eq!(top, tophash(h), "I1: stored tophash differs from the key's");
                    assert_eq!(
                        h as usize & self.old_buckets.mask(),
                        j,
                        "I5: entry in the wrong old chain"
                    );
                    live += 1;
                }
            });
            if !is_evac && self.buckets.log2() >= self.old_buckets.log2() {
                // I5, growth: the new chains this old chain feeds are empty.
                let step = self.old_buckets.len();
                let mut dest = j;
                while dest < self.buckets.len() {
                    // SAFETY: `dest < len()` (`bucket`'s precondition).
                    let b = unsafe { self.buckets.bucket(dest) };
                    // SAFETY: `b` is a primary bucket of the allocated new
                    // array, and `i < 8`.
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
        }
        assert_eq!(evacuated, self.old_evacuated, "I7: evacuated chain count");

        // New array: I1, I2, I4 (no markers), I5.
        for j in 0..self.buckets.len() {
            self.walk_chain(&self.buckets, j, &mut seen, |slot, top| {
                assert!(
                    !is_evacuated_marker(top),
                    "I4: evacuation marker in the new array"
                );
                if top >= MIN_TOP_HASH {
                    // SAFETY: a live tophash, so an initialised key (I1,
                    // the invariant under check: a broken table can fail
                    // here, as it can anywhere else).
                    let h = hasher(unsafe { &*slot.key() });
                    assert_eq!(top, tophash(h), "I1: stored tophash differs from the key's");
                    assert_eq!(
                        h as usize & self.buckets.mask(),
                        j,
                        "I5: entry in the wrong chain"
                    );
                    let old_j = h as usize & self.old_buckets.mask();
                    if self.is_growing() && old_j >= released {
                        // SAFETY: `old_j` is masked with the old mask, so
                        // below its length (`bucket`'s precondition).
                        let old = unsafe { self.old_buckets.bucket(old_j) };
                        // SAFETY: a primary bucket of the live old array, not
                        // given back (I10).
                        let top0 = unsafe { self.old_buckets.tops().top_at(old, 0) };
                        assert!(
                            is_evacuated_marker(top0),
                            "I5: entry in new chain {j} while its old chain is not evacuated"
                        );
                    }
                    live += 1;
                }
            });
        }
        assert_eq!(
            live, self.count,
            "I7: count {} but {live} live slots",
            self.count
        );
        // I6: pool buckets not handed out yet are unlinked and empty.
        for (name, array) in [("new", &self.buckets), ("old", &self.old_buckets)] {
            if let Some(i) = array.first_dirty_unused_pool_bucket() {
                panic!("I6: unused pool bucket {i} of the {name} array is not empty");
            }
        }
        seen.sort_unstable();
        assert!(
            seen.windows(2).all(|w| w[0] != w[1]),
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

    /// Visits every slot of chain `j` of `array`, checking I2 and I6.
    fn walk_chain(
        &self,
        array: &BucketArray<K, V, L>,
        j: usize,
        seen: &mut Vec<usize>,
        mut visit: impl FnMut(Slot<K, V, L>, u8),
    ) {
        let tops = array.tops();
        let mut rest = false;
        // SAFETY: callers pass `j < array.len()`, at or above the array's
        // released chains (I10).
        let mut b = Some(unsafe { array.bucket(j) });
        while let Some(bucket) = b {
            seen.push(bucket.as_ptr().addr());
            for index in 0..BUCKET_SLOTS {
                // SAFETY: `bucket` is the chain's head (above) or reached
                // from it through links (I6), and `index < 8`.
                let top = unsafe { tops.top_at(bucket, index) };
                if !is_evacuated_marker(top) {
                    if rest {
                        assert_eq!(top, EMPTY_REST, "I2: non-EMPTY_REST slot after EMPTY_REST");
                    }
                    rest |= top == EMPTY_REST;
                }
                debug_assert!(is_empty(top) || is_evacuated_marker(top) || top >= MIN_TOP_HASH);
                visit(Slot { bucket, index }, top);
            }
            // SAFETY: `bucket` is live (I6, as above).
            b = unsafe { overflow(bucket) };
        }
    }
}
