//! The next doubling's array, allocated ahead (`Policy::with_allocate_ahead`).
//!
//! At 7/8 of the load limit (`trigger.rs`, `Start::Spare`) an insert
//! allocates the array the next doubling will use; every 32nd insert
//! after it touches a few of its pages (as many as finish the array by the
//! limit), so that the kernel maps and zeroes them before the doubling
//! instead of inside the evacuation's writes. The
//! doubling then takes the array (`lifecycle.rs`, `begin`): the insert
//! that starts it makes no system call and, once every page was touched,
//! takes no page fault. A shrink, `shrink_to_fit` on an empty map and
//! drop free it.
//!
//! What it costs: the larger array is held (and, once touched, resident)
//! from 7/8 of the limit instead of from the limit; the peak is the same
//! (the current array and one twice its size, as during the doubling).

use super::RawTable;
use super::alloc::page_size;
use super::array::{BucketArray, MAX_LOG2};
use crate::instruments::Source;
use crate::layout::BucketLayout;

/// Arrays smaller than this are not allocated ahead: they cost little.
const SPARE_MIN_BYTES: usize = 4 << 10;

/// Inserts between two spare steps: each step touches enough pages for
/// the array to be ready by the load limit (`Spare::per_step`), and the
/// inserts between steps pay nothing.
const STEP_INSERTS: usize = 32;

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
    /// Pages each step touches: the array's pages over the steps left
    /// before the load limit, at least one.
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
    /// each later one (every `STEP_INSERTS` inserts) touches a few of its
    /// pages, until all are touched. If the allocation fails nothing is
    /// lost: the doubling allocates the array (and reports the failure) as
    /// without a spare.
    pub(super) fn spare_step(&mut self) {
        debug_assert!(!self.is_evacuating());
        if self.spare.is_held() {
            self.touch_spare_pages();
        } else {
            self.allocate_spare();
        }
        if !self.spare.is_held() || self.spare.ready {
            self.triggers.spare_made();
        } else {
            self.triggers.spare_step_at(self.count + STEP_INSERTS);
        }
    }

    fn allocate_spare(&mut self) {
        let Ok(array) = self.alloc_array(self.buckets.log2() + 1) else {
            return;
        };
        let bytes = array.bytes() as u64;
        let steps = (self.capacity().saturating_sub(self.count) / STEP_INSERTS).max(1);
        let pages = page_size().map_or(0, |p| array.array_bytes().div_ceil(p));
        self.spare = Spare {
            array,
            touched: 0,
            // Touching a huge page zeroes 2 MiB at once: left to the
            // doubling's writes, as without a spare.
            ready: self.policy.huge_pages() || pages == 0,
            per_step: pages.div_ceil(steps).max(1),
        };
        let held = self.bytes_held();
        self.recorder.allocated(bytes, held);
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
