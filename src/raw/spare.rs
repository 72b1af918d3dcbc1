//! The next doubling's array, allocated ahead and its pages touched before
//! the doubling (`Policy::with_allocate_ahead`, `Policy::with_touch_ahead`,
//! both on by default).
//!
//! At 7/8 of the load limit (`trigger.rs`, `Start::Spare`) an insert
//! allocates the array the next doubling will use, so that the insert that
//! starts the doubling makes no system call: the doubling takes the array
//! (`lifecycle.rs`, `begin`). Then, from as late as lets it finish by the
//! limit, one insert in four writes a zero into its next two pages, so
//! that the kernel maps and zeroes them before the doubling instead of
//! inside its evacuation steps, which would otherwise take up to four page
//! faults each. A shrink, `shrink_to_fit` on an empty map and
//! drop free it.
//!
//! What it costs: `Stats::bytes_allocated` counts the larger array from 7/8
//! of the limit (the peak is the same: the current array and one twice its
//! size, as during the doubling), and its touched pages are resident from
//! then on: in a map that stops growing in the last stretch before its
//! limit (for `u64` pairs, the last 4%), they stay resident, unused.

use super::RawTable;
use super::alloc::page_size;
use super::array::{BucketArray, MAX_LOG2};
use crate::instruments::Source;
use crate::layout::BucketLayout;

/// Arrays smaller than this are not allocated ahead: they cost little.
const SPARE_MIN_BYTES: usize = 4 << 10;

/// Inserts between two touching steps, and the pages a step touches (two
/// page faults: a few µs; fewer steps cost fewer instructions).
/// Touching starts as late as lets `PAGES_PER_STEP` pages every `STRIDE`
/// inserts finish the array by the load limit (a map that stops growing
/// before then has touched none of it), or right away with more pages a
/// step if there are fewer inserts left than that.
const STRIDE: usize = 4;
const PAGES_PER_STEP: usize = 2;

/// The array allocated ahead, and how far its pages were touched.
pub(super) struct Spare<K, V, L: BucketLayout> {
    /// Unallocated when none is held; else `B + 1` buckets holding
    /// nothing (I12).
    array: BucketArray<K, V, L>,
    /// Pages of its Go part touched so far (from the start).
    touched: usize,
    /// Every page that evacuation will write was touched (or touching is
    /// not done here: huge pages, or no page size).
    ready: bool,
    /// Pages a touching step touches: `PAGES_PER_STEP`, or more if the
    /// array has more pages than that for every `STRIDE` inserts left
    /// before the load limit.
    per_step: usize,
}

impl<K, V, L: BucketLayout> Spare<K, V, L> {
    pub(super) const fn none() -> Self {
        Spare {
            array: BucketArray::unallocated(),
            touched: 0,
            ready: false,
            per_step: 1,
        }
    }

    pub(super) fn is_held(&self) -> bool {
        self.array.is_allocated()
    }

    /// Held, with every page touched: nothing left to do before the
    /// doubling.
    pub(super) fn is_ready(&self) -> bool {
        self.is_held() && self.ready
    }

    /// Bytes held (0 when none).
    #[inline]
    pub(super) fn bytes(&self) -> usize {
        if self.is_held() {
            self.array.bytes()
        } else {
            0
        }
    }

    /// For `check_invariants` (I12): the array's `B` and whether nothing
    /// was stored in it.
    pub(super) fn shape(&self) -> Option<(u8, bool)> {
        self.is_held()
            .then(|| (self.array.log2(), self.array.is_pristine()))
    }
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// Whether the triggers should call for `Start::Spare` (asked when an
    /// array is installed): the policy says so, the next doubling's array
    /// would be worth it, and it is not held ready yet.
    pub(super) fn spare_wanted(&self) -> bool {
        let Some(b) = self.log2() else { return false };
        self.policy.allocates_ahead()
            && !self.spare.is_ready()
            && b < MAX_LOG2
            && BucketArray::<K, V, L>::array_bytes_at(b + 1) >= SPARE_MIN_BYTES
    }

    /// `Start::Spare`: the first call allocates the next doubling's array;
    /// with `Policy::with_touch_ahead`, the later ones (every `STRIDE`
    /// inserts, from as late as lets them finish by the load limit) touch
    /// its next pages, until all are touched. If the allocation fails
    /// nothing is lost: the doubling allocates the array (and reports the
    /// failure) as without a spare.
    pub(super) fn spare_step(&mut self) {
        debug_assert!(!self.is_evacuating());
        let next = if self.spare.is_held() {
            self.touch_spare_pages();
            self.count + STRIDE
        } else {
            self.allocate_spare()
        };
        if !self.spare.is_held() || self.spare.ready {
            self.triggers.spare_made();
        } else {
            self.triggers.spare_step_at(next);
        }
    }

    /// Allocates the spare; returns the count after which its first
    /// touching step is due.
    fn allocate_spare(&mut self) -> usize {
        let Ok(array) = self.alloc_array(self.buckets.log2() + 1) else {
            return usize::MAX;
        };
        let bytes = array.bytes() as u64;
        let left = self.capacity().saturating_sub(self.count);
        let pages = page_size().map_or(0, |p| array.array_bytes().div_ceil(p));
        let steps = (left / STRIDE).max(1);
        let per_step = pages.div_ceil(steps).max(PAGES_PER_STEP);
        self.spare = Spare {
            array,
            touched: 0,
            // Touching a huge page zeroes 2 MiB at once: left to the
            // doubling's writes.
            ready: !self.policy.touches_ahead() || self.policy.huge_pages() || pages == 0,
            per_step,
        };
        let held = self.bytes_held();
        self.recorder.allocated(bytes, held);
        // The last steps before the limit that touch every page, or all.
        self.capacity()
            .saturating_sub(pages.div_ceil(per_step).saturating_mul(STRIDE))
            .max(self.count)
    }

    fn touch_spare_pages(&mut self) {
        let spare = &mut self.spare;
        for _ in 0..spare.per_step {
            // SAFETY: a spare holds nothing (I12) and is ours alone.
            let more = unsafe { spare.array.touch_page(spare.touched) };
            spare.touched += 1;
            if !more {
                spare.ready = true;
                return;
            }
        }
    }

    /// The spare, if one of `2^log2` buckets is held (touched or not); any
    /// other is freed (a shrink makes it useless).
    pub(super) fn take_spare(&mut self, log2: u8) -> Option<BucketArray<K, V, L>> {
        if self.spare.is_held() && self.spare.array.log2() == log2 {
            return Some(core::mem::replace(&mut self.spare, Spare::none()).array);
        }
        if log2 < self.buckets.log2() {
            self.free_spare();
        }
        None
    }

    /// Frees the spare, if one is held (timed and recorded as a free).
    pub(super) fn free_spare(&mut self) {
        if !self.spare.is_held() {
            return;
        }
        let bytes = self.spare.bytes() as u64;
        let start = self.recorder.clock();
        // SAFETY: a spare holds nothing (I12); `free` leaves it
        // unallocated.
        let calls = unsafe { self.spare.array.free() };
        self.spare = Spare::none();
        self.recorder.record(Source::Free, start);
        self.recorder.array_freed(bytes, calls);
    }

    /// Frees the spare without recording (drop, an owning iterator's end).
    pub(super) fn forget_spare(&mut self) {
        // SAFETY: a spare holds nothing (I12).
        unsafe { self.spare.array.free() };
        self.spare = Spare::none();
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{fill, get, insert, remove, spread, table};
    use super::page_size;
    use crate::Policy;

    /// 7/8 of the load limit allocates the next array (B + 1, empty); the
    /// doubling takes it (no second allocation), and the next array ahead
    /// comes at 7/8 of the new limit. Natively from `B = 8`, so that the
    /// array ahead (73 KiB) takes many touching steps; under Miri, which has
    /// no pages to touch, from the smallest `B` with an array ahead
    /// (`SPARE_MIN_BYTES`), so that the test stays short there.
    #[test]
    fn the_doubling_takes_the_array_allocated_ahead() {
        const B: u8 = if cfg!(miri) { 4 } else { 8 };
        let limit = 13u64 << (B - 1); // Go's load limit at B: 6.5 * 2^B
        let past_next_spare = (13u64 << B) / 8 * 7 + 1;
        let mut t = table(Policy::go().with_touch_ahead(true));
        fill(&mut t, spread, limit);
        t.finish_evacuation(&spread);
        assert_eq!(t.log2(), Some(B));
        let s = t.stats();
        assert!(s.spare_bytes > 0, "allocated at 7/8 of {limit}: {s:?}");
        let spare = s.spare_bytes;
        // Every page was touched by the limit (where pages can be: not
        // under Miri, which has no page size and calls the spare ready).
        assert!(t.spare.is_ready(), "touched by the limit");
        assert!(page_size().is_none() || t.spare.touched > 0);
        insert(&mut t, spread, limit, 0); // starts the doubling
        t.check_invariants(spread);
        let s = t.stats();
        assert_eq!((t.log2(), s.spare_bytes), (Some(B + 1), 0));
        assert_eq!(
            s.bytes_allocated - s.old_bytes_held,
            spare,
            "the same array"
        );
        fill(&mut t, spread, past_next_spare);
        assert!(t.stats().spare_bytes > 0);
        assert!((0..past_next_spare).all(|k| get(&t, spread, k) == Some(2 * k)));
    }

    /// A shrink frees the array ahead (its `B` no longer fits), and so
    /// does emptying the map with `shrink_to`; without allocation ahead
    /// there is none.
    #[test]
    fn a_shrink_frees_the_array_ahead() {
        let mut t = table(Policy::go());
        fill(&mut t, spread, 190);
        assert!(t.stats().spare_bytes > 0);
        for k in 0..180 {
            remove(&mut t, spread, k);
        }
        t.shrink_to(0, spread);
        t.check_invariants(spread);
        assert_eq!(t.stats().spare_bytes, 0);
        let mut off = table(Policy::go().with_allocate_ahead(false));
        fill(&mut off, spread, 200);
        assert_eq!(off.stats().spare_bytes, 0);
    }
}
