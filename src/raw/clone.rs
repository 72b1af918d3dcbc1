//! `Clone` for the raw table: a deep copy with the same shape.

use super::RawTable;
use super::array::BucketArray;
use super::bucket::{BUCKET_SLOTS, ChainWalk, Slot};
use super::lifecycle::{Lifecycle, OldArray};
use super::tophash::{EVACUATED_EMPTY, MIN_TOP_HASH};
use crate::layout::BucketLayout;

/// Copies chains `start..src.len()` of `src` into the empty, same-sized
/// `dst` (same chains, same markers, same slot positions), and marks
/// chains `0..start` evacuated without reading them; adds each entry
/// cloned to `*count` as soon as it is in place. If a clone panics, `dst`
/// holds exactly the entries counted (each slot's tophash is written after
/// its entry), so a table made of it stays consistent.
fn copy_chains<K: Clone, V: Clone, L: BucketLayout>(
    src: &BucketArray<K, V, L>,
    dst: &mut BucketArray<K, V, L>,
    start: usize,
    count: &mut usize,
) {
    debug_assert_eq!(src.log2(), dst.log2());
    let (src_tops, dst_tops) = (src.tops(), dst.tops());
    for i in 0..start {
        // SAFETY: `i < start <= len()` (`bucket`'s precondition), and `dst`
        // has the same length: a primary bucket of the fresh array.
        let d = unsafe { dst.bucket(i) };
        // SAFETY: `d` is live (above); writing markers into an empty fresh
        // chain makes it an evacuated one (I4).
        unsafe { *dst_tops.word(d) = [EVACUATED_EMPTY; BUCKET_SLOTS] };
    }
    for i in start..src.len() {
        // SAFETY: `i < len()` for both arrays (same `B`); chains at or above
        // the cursor were not given back (I10), and `&src` keeps them
        // unchanged.
        let (mut walk, mut d) =
            unsafe { (ChainWalk::new(src_tops, i, src.bucket(i)), dst.bucket(i)) };
        loop {
            let s = walk.bucket();
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
                // SAFETY: `s` and `d` are live buckets (I6) at the same
                // position of their chains and `j < 8`; a source slot with
                // tophash >= MIN_TOP_HASH is initialised (I1), and the
                // destination's key and value are written before its
                // tophash (I1).
                unsafe {
                    let top = *src_tops.slot(from);
                    if top >= MIN_TOP_HASH {
                        // Both clones before either write: if the value's
                        // clone panics, the key's clone is a local and is
                        // dropped, not leaked in a slot without a tophash.
                        let key = (*from.key()).clone();
                        let value = (*from.value()).clone();
                        to.key().write(key);
                        to.value().write(value);
                        *count += 1;
                    }
                    *dst_tops.slot(to) = top;
                }
            }
            if !walk.advance() {
                break;
            }
            // SAFETY: `d` is the last bucket of a chain of `dst` (copied up
            // to here, link still null).
            d = unsafe { dst.push_overflow(d) }.0;
        }
    }
}

impl<K: Clone, V: Clone, L: BucketLayout> Clone for RawTable<K, V, L> {
    /// A deep copy with the same shape: same arrays, same chains, same
    /// markers, same cursor, so a clone taken mid-growth is mid-growth too
    /// (a retiring array holds no entry and is not copied).
    fn clone(&self) -> Self {
        let mut new = Self::new(self.policy);
        let alloc = |a: &BucketArray<K, V, L>| {
            if a.is_allocated() {
                BucketArray::allocate(a.log2(), &self.policy).unwrap_or_else(|e| e.raise())
            } else {
                BucketArray::unallocated()
            }
        };
        if let Some(old) = self.state.old() {
            new.set_state(Lifecycle::Evacuating(OldArray {
                array: alloc(&old.array),
                cursor: old.cursor,
                evacuated: old.evacuated,
                kind: old.kind,
            }));
        }
        new.set_buckets(alloc(&self.buckets));
        new.copy_state_of(self);
        // If a clone panics, `new` is dropped: it holds exactly the entries
        // cloned so far (`copy_chains`), so it drops those and frees its
        // memory.
        if let (Some(old), Some(new_old)) = (self.state.old(), new.state.old_mut()) {
            copy_chains(&old.array, &mut new_old.array, old.cursor, &mut new.count);
        }
        copy_chains(&self.buckets, &mut new.buckets, 0, &mut new.count);
        debug_assert_eq!(new.count, self.count);
        new
    }

    /// Makes `self` a copy of `src`, reusing `self`'s array when it has the
    /// same `B`, neither table holds old memory, and the growth knobs agree
    /// (the instrument settings may differ: `src`'s are taken).
    /// If a clone panics, `self` holds the entries copied so far.
    fn clone_from(&mut self, src: &Self) {
        let reusable = self.buckets.is_allocated()
            && self.buckets.log2() == src.buckets.log2()
            && !self.holds_old_memory()
            && !src.holds_old_memory()
            && self.policy.growth_knobs() == src.policy.growth_knobs();
        if !reusable {
            *self = src.clone();
            return;
        }
        self.clear(); // drops the entries, zeroes the array, keeps `B`
        self.policy = src.policy;
        self.copy_state_of(src);
        copy_chains(&src.buckets, &mut self.buckets, 0, &mut self.count);
        debug_assert_eq!(self.count, src.count);
    }
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// Copies everything but the entries, the arrays and the cursor:
    /// overflow count, counters, events, timing (the probe stays).
    fn copy_state_of(&mut self, src: &Self) {
        self.triggers.copy_overflow_of(&src.triggers);
        self.recorder.copy_records_from(&src.recorder);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{fill, get, insert, spread, table};
    use crate::Policy;

    /// A clone taken mid-growth is mid-growth at the same point (cursor,
    /// evacuated chains, kind) and holds the same entries; both then go on
    /// independently.
    #[test]
    fn a_clone_mid_growth_has_the_same_shape() {
        let mut t = table(Policy::go().with_cursor_steps(0));
        fill(&mut t, spread, 110);
        let mut c = t.clone();
        c.check_invariants(spread);
        assert_eq!(c.phase(), t.phase());
        assert_eq!(
            c.stats().old_buckets_evacuated,
            t.stats().old_buckets_evacuated
        );
        assert!((0..110).all(|k| get(&c, spread, k) == Some(2 * k)));
        insert(&mut c, spread, 500, 1);
        assert_eq!(
            (get(&c, spread, 500), get(&t, spread, 500)),
            (Some(1), None)
        );
        t.check_invariants(spread);
    }

    /// `clone_from` reuses the destination's array when the shapes agree.
    #[test]
    fn clone_from_reuses_an_array_of_the_same_shape() {
        let mut src = table(Policy::go());
        fill(&mut src, spread, 50);
        src.finish_evacuation(&spread);
        let mut dst = table(Policy::go());
        fill(&mut dst, spread, 40);
        dst.finish_evacuation(&spread);
        assert_eq!(dst.log2(), src.log2());
        // SAFETY: bucket 0 of an allocated array.
        let before = unsafe { dst.buckets.bucket(0) };
        dst.clone_from(&src);
        // SAFETY: as above.
        let after = unsafe { dst.buckets.bucket(0) };
        assert_eq!(after, before, "the array was reused");
        dst.check_invariants(spread);
        assert!((0..50).all(|k| get(&dst, spread, k) == Some(2 * k)));
    }
}
