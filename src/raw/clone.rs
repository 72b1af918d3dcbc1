//! `Clone` for the raw table: a deep copy with the same shape.

use super::RawTable;
use super::array::BucketArray;
use super::bucket::{BUCKET_SLOTS, Slot, overflow};
use super::tophash::{EVACUATED_EMPTY, MIN_TOP_HASH};

impl<K: Clone, V: Clone> Clone for RawTable<K, V> {
    /// A deep copy with the same shape: same arrays, same chains, same
    /// markers, same cursor, so a clone taken mid-growth is mid-growth too.
    fn clone(&self) -> Self {
        let mut new = Self::new(self.policy);
        let alloc = |a: &BucketArray<K, V>| {
            if a.is_allocated() {
                BucketArray::allocate(a.log2()).unwrap_or_else(|e| e.raise())
            } else {
                BucketArray::unallocated()
            }
        };
        new.old_buckets = alloc(&self.old_buckets);
        new.set_buckets(alloc(&self.buckets));
        new.evac_cursor = self.evac_cursor;
        new.old_evacuated = self.old_evacuated;
        new.noverflow = self.noverflow;
        new.counters = self.counters.clone();
        new.events = self.events.clone();
        new.timing.clone_from(&self.timing);
        new.overflow_rng = self.overflow_rng;
        // If a clone panics, `new` is dropped: it holds exactly the entries
        // cloned so far (each slot's tophash is set after its entry, and
        // `count` counts them), so it drops those and frees its memory.
        for old in [true, false] {
            let (src, dst) = if old {
                (&self.old_buckets, &mut new.old_buckets)
            } else {
                (&self.buckets, &mut new.buckets)
            };
            // Old chains below the cursor may have been given back (I10):
            // the copy gets their evacuated markers without reading them.
            let start = if old { self.evac_cursor } else { 0 };
            for i in 0..start {
                // SAFETY: `i < start <= len()` (the cursor is below the old
                // array's length, I3), and `dst` has the same length: a
                // primary bucket of the fresh array.
                let d = unsafe { dst.bucket(i) };
                // SAFETY: `d` is live (above); writing markers into an empty
                // fresh chain makes it an evacuated one (I4).
                unsafe { (*d.as_ptr()).tophash = [EVACUATED_EMPTY; BUCKET_SLOTS] };
            }
            for i in start..src.len() {
                // SAFETY: `i < len()` for both arrays (same `B`); chains at or
                // above the cursor were not given back (I10).
                let (mut s, mut d) = unsafe { (src.bucket(i), dst.bucket(i)) };
                loop {
                    for j in 0..BUCKET_SLOTS {
                        let (from, to) = (
                            Slot {
                                bucket: s,
                                index: j,
                            },
                            Slot {
                                bucket: d,
                                index: j,
                            },
                        );
                        // SAFETY: `s` and `d` are live buckets (I6) at the
                        // same position of their chains and `j < 8`; a source
                        // slot with tophash >= MIN_TOP_HASH is initialised
                        // (I1), and the destination's key and value are
                        // written before its tophash (I1).
                        unsafe {
                            let top = *from.tophash();
                            if top >= MIN_TOP_HASH {
                                // Both clones before either write: if the
                                // value's clone panics, the key's clone is
                                // a local and is dropped, not leaked in a
                                // slot without a tophash.
                                let key = (*from.key()).clone();
                                let value = (*from.value()).clone();
                                to.key().write(key);
                                to.value().write(value);
                                new.count += 1;
                            }
                            *to.tophash() = top;
                        }
                    }
                    // SAFETY: `s` is live (I6).
                    match unsafe { overflow(s) } {
                        Some(next) => {
                            s = next;
                            // SAFETY: `d` is the last bucket of a chain of
                            // `dst` (copied up to here, link still null).
                            d = unsafe { dst.push_overflow(d) }.0;
                        }
                        None => break,
                    }
                }
            }
        }
        debug_assert_eq!(new.count, self.count);
        new
    }
}
