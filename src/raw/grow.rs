//! Starting, finishing and sizing evacuations (Go `hashGrow`), and the
//! lifecycle of old arrays: a growth or shrink swaps in a new array and
//! keeps the old one; `evacuate.rs` moves chains over; when the cursor
//! passes the last old chain the old array is retired, its remaining pages
//! given back one batch per write, then freed. Also the operations that
//! size the table on request: `reserve` and `shrink_to`.

use std::time::{Duration, Instant};

use super::alloc::can_release;
use super::array::BucketArray;
use super::evacuate::RELEASE_BATCH_BYTES;
use super::{RawTable, sizing};
use crate::TryReserveError;
use crate::events::{EventKind, ForceReason};
use crate::layout::BucketLayout;
use crate::stats::now_ns;
use crate::timing::Source;

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// Go `hashGrow`: allocates the new array (`log2` is `B` for a same-size
    /// growth, `B + 1` for a doubling) and makes the current one the old
    /// array. Nothing moves here, except under `Policy::all_at_once()`, which
    /// evacuates everything before returning.
    pub(crate) fn start_growth(
        &mut self,
        log2: u8,
        hasher: &impl Fn(&K) -> u64,
    ) -> Result<(), TryReserveError> {
        let from_log2 = self.buckets.log2();
        debug_assert!(log2 == from_log2 || log2 == from_log2 + 1);
        self.begin_evacuation(log2)?;
        let same_size = log2 == from_log2;
        self.counters.growths += 1;
        self.counters.same_size_growths += u64::from(same_size);
        self.event(EventKind::GrowthStarted {
            from_log2,
            to_log2: log2,
            same_size,
            len: self.len() as u64,
        });
        if self.policy.is_all_at_once() {
            self.finish_growth(hasher);
        }
        Ok(())
    }

    /// Starts a shrink to `2^log2` buckets (`log2 < B`): the same swap of
    /// arrays as a growth; the cursor and writes then merge old chains `i`,
    /// `i + 2^log2`, … into new chain `i`. Entries keep their hashes'
    /// low bits, so nothing is re-hashed and nothing here can panic.
    pub(crate) fn start_shrink(&mut self, log2: u8) -> Result<(), TryReserveError> {
        let from_log2 = self.buckets.log2();
        debug_assert!(log2 < from_log2);
        self.begin_evacuation(log2)?;
        self.counters.shrinks += 1;
        self.event(EventKind::ShrinkStarted {
            from_log2,
            to_log2: log2,
            len: self.len() as u64,
        });
        if self.policy.is_all_at_once() {
            self.finish_growth(&|_: &K| -> u64 { unreachable!("a shrink never re-hashes") });
        }
        Ok(())
    }

    /// The part of a growth or shrink start common to both: the new array
    /// becomes `buckets`, the current one `old_buckets`, the cursor rewinds.
    fn begin_evacuation(&mut self, log2: u8) -> Result<(), TryReserveError> {
        debug_assert!(
            !self.is_growing(),
            "I8: a growth never starts during another"
        );
        let new = self.alloc_array(log2)?;
        self.free_retired(); // the previous growth's tail, if still there
        self.old_buckets = core::mem::replace(&mut self.buckets, BucketArray::unallocated());
        self.set_buckets(new);
        self.evac_cursor = 0;
        self.old_evacuated = 0;
        self.noverflow = 0;
        self.counters.current_growth_writes = 0;
        self.counters.growth_started_ns = now_ns();
        Ok(())
    }

    /// Evacuates at most `max` old chains at the cursor; returns how many
    /// were moved (already-evacuated chains skipped do not count).
    /// Once no growth runs, a call gives back one batch of a retired
    /// array instead (`retire_step`).
    pub(crate) fn evacuate_steps(&mut self, max: usize, hasher: &impl Fn(&K) -> u64) -> usize {
        self.op_begin();
        if !self.is_growing() {
            self.retire_step();
        }
        self.evacuate_steps_in_op(max, hasher)
    }

    /// `evacuate_steps` as part of an operation already begun.
    fn evacuate_steps_in_op(&mut self, max: usize, hasher: &impl Fn(&K) -> u64) -> usize {
        let mut moved = 0;
        while moved < max && self.is_growing() {
            moved += usize::from(self.evacuate_chain(self.evac_cursor, hasher));
        }
        moved
    }

    /// Evacuates everything left and releases the old array.
    pub(crate) fn finish_growth(&mut self, hasher: &impl Fn(&K) -> u64) {
        self.evacuate_steps_in_op(usize::MAX, hasher);
    }

    /// Evacuates for about `budget`, checking the clock every `BATCH`
    /// chains (Redis's timed rehash); one operation. Returns chains moved.
    pub(crate) fn evacuate_for(&mut self, budget: Duration, hasher: &impl Fn(&K) -> u64) -> usize {
        /// Chains evacuated between clock reads.
        const BATCH: usize = 16;
        let start = Instant::now();
        self.op_begin();
        let mut moved = 0;
        while self.is_growing() {
            moved += self.evacuate_steps_in_op(BATCH, hasher);
            if start.elapsed() >= budget {
                break;
            }
        }
        // Then the retired array's tail, batch by batch, in what is left.
        while self.retired.is_allocated() && start.elapsed() < budget {
            self.retire_step();
        }
        moved
    }

    /// `EvacMap::finish_growth`: one operation that finishes the growth in
    /// progress and frees any retired array.
    pub(crate) fn finish_growth_explicit(&mut self, hasher: &impl Fn(&K) -> u64) {
        self.op_begin();
        self.finish_growth_forced(ForceReason::Explicit, hasher);
    }

    /// Finishes the growth in progress at once, counted as a forced
    /// completion (`finish_growth` called, `reserve`, `shrink_to`, or the
    /// load limit hit during the growth), as part of the operation in
    /// progress (the caller began it).
    pub(crate) fn finish_growth_forced(
        &mut self,
        reason: ForceReason,
        hasher: &impl Fn(&K) -> u64,
    ) {
        if self.is_growing() {
            let buckets_left = (self.old_buckets.len() - self.old_evacuated) as u64;
            self.event(EventKind::ForcedCompletion {
                reason,
                buckets_left,
            });
            self.forcing = true;
            self.finish_growth(hasher);
            self.forcing = false;
        }
        if reason == ForceReason::Explicit {
            // An explicit finish gives back everything now, including the
            // tail this growth (or an earlier one) left retired.
            self.free_retired();
        }
    }

    /// The cursor passed the last old chain: counts the growth as completed
    /// (or forced, inside `finish_growth_forced`) or the shrink as completed,
    /// records its residency, and releases the old array (I3: it holds no
    /// live entry).
    pub(super) fn complete_growth(&mut self) {
        let shrink = self.buckets.log2() < self.old_buckets.log2();
        // Counting what was given back early too.
        let returned = (self.old_buckets.bytes() + self.old_buckets.released_bytes())
            .saturating_sub(self.buckets.array_bytes());
        let c = &mut self.counters;
        if shrink {
            c.shrinks_completed += 1;
            c.shrink_bytes_returned += returned as u64;
        } else if self.forcing {
            c.forced_completions += 1;
        } else {
            c.growths_completed += 1;
        }
        c.last_growth_writes = c.current_growth_writes;
        c.last_growth_wall_ns = now_ns().saturating_sub(c.growth_started_ns);
        let (writes, wall_ns) = (c.last_growth_writes, c.last_growth_wall_ns);
        self.event(EventKind::GrowthFinished { writes, wall_ns });
        self.retire_old_array();
    }

    /// At the end of a growth: frees the old array's last spilled overflow
    /// buckets, then, if more than a few batches of pages are left (the
    /// overflow pool, 1/17 of the array, and the primary tail), moves it to
    /// `retired`, whose pages later writes give back one batch at a time
    /// (`retire_step`). Freeing those touched pages in this write would be
    /// a pause of about a millisecond per 10 MiB. Smaller arrays, and
    /// platforms without early release, are freed now.
    fn retire_old_array(&mut self) {
        let len = self.old_buckets.len();
        // SAFETY: the cursor passed the last old chain, so every chain is
        // evacuated with its links cut (I3, I4), and nothing reads an old
        // chain below the cursor (I10).
        let released = unsafe { self.old_buckets.release_below(len, RELEASE_BATCH_BYTES) };
        self.counters.released_early(released as u64);
        let left = self.old_buckets.bytes() as u64;
        if self.policy.is_all_at_once() || left < 4 * RELEASE_BATCH_BYTES as u64 || !can_release() {
            self.release_old_array();
            return;
        }
        self.free_retired();
        self.retired = core::mem::replace(&mut self.old_buckets, BucketArray::unallocated());
        self.evac_cursor = 0;
        self.old_evacuated = 0;
    }

    /// One write's share of giving back the retired array: one batch of
    /// pages; frees it when less than a batch is left.
    #[inline]
    pub(crate) fn retire_step(&mut self) {
        if self.retired.is_allocated() {
            self.retire_step_now();
        }
    }

    #[cold]
    fn retire_step_now(&mut self) {
        // SAFETY: `retired` holds an array whose chains were all evacuated
        // and released (`retire_old_array`, I3, I10), with no spilled bucket
        // left (each went with its chain's evacuation, I4).
        let (released, done) = unsafe { self.retired.release_tail(RELEASE_BATCH_BYTES) };
        self.counters.released_early(released as u64);
        if done {
            self.free_retired();
        }
    }

    /// Frees the old array, if any (timed), and records the release.
    pub(super) fn release_old_array(&mut self) {
        if !self.old_buckets.is_allocated() {
            return;
        }
        let bytes = self.old_buckets.bytes() as u64;
        // SAFETY: callers release the old array only when it holds no live
        // entry: every chain evacuated (I3, I4), or every entry moved out or
        // dropped (`clear`, `drain`).
        self.timed(Source::Free, |t| unsafe { t.old_buckets.free() });
        self.evac_cursor = 0;
        self.old_evacuated = 0;
        self.event(EventKind::OldArrayReleased { bytes });
    }

    /// Frees the retired array (see `retire_old_array`) at once, if any.
    pub(super) fn free_retired(&mut self) {
        if !self.retired.is_allocated() {
            return;
        }
        let bytes = self.retired.bytes() as u64;
        // SAFETY: the retired array holds no entry: `retire_old_array` moves
        // an old array there only after every chain was evacuated (I3, I4).
        self.timed(Source::Free, |t| unsafe { t.retired.free() });
        self.event(EventKind::OldArrayReleased { bytes });
    }

    /// `shrink_to(min_capacity)` (std semantics): starts a shrink to the
    /// smallest table whose capacity is at least `max(len, min_capacity)`,
    /// if that is smaller than the current one. An evacuation in progress is
    /// finished first. An empty map asked to shrink to 0 frees its array at
    /// once. If the smaller array cannot be allocated, nothing changes
    /// (beyond the finished evacuation).
    pub(crate) fn shrink_to(&mut self, min_capacity: usize, hasher: impl Fn(&K) -> u64) {
        if !self.buckets.is_allocated() {
            return;
        }
        let want = self.count.max(min_capacity);
        let Ok(target) = sizing::log2_for(&self.policy, want) else {
            return; // more than any table holds: nothing to give back
        };
        if want == 0 {
            self.op_begin();
            let bytes = self.free_arrays_of_empty_table();
            self.counters.shrink_bytes_returned += bytes;
            self.event(crate::events::EventKind::OldArrayReleased { bytes });
            return;
        }
        if target >= self.buckets.log2() {
            return;
        }
        // One public call is one operation: the forced finish below is part
        // of it, not another.
        self.op_begin();
        self.finish_growth_forced(ForceReason::Explicit, &hasher);
        let _ = self.start_shrink(target);
    }

    /// Frees every array of a table with no entries (old, retired and
    /// current), leaving it unallocated; returns the current array's bytes.
    fn free_arrays_of_empty_table(&mut self) -> u64 {
        debug_assert_eq!(self.count, 0);
        self.release_old_array();
        self.free_retired();
        let bytes = self.buckets.bytes() as u64;
        // SAFETY: no live entry (count == 0, I7), so nothing in the array
        // is used again; `free` leaves it unallocated.
        self.timed(Source::Free, |t| unsafe { t.buckets.free() });
        self.max_load = 0;
        self.shrink_below = 0;
        self.noverflow = 0;
        bytes
    }

    /// Ensures room for `additional` more entries without a growth starting.
    /// Finishes a running growth, then doubles (each doubling finished at
    /// once) until the array is large enough. An empty table just gets a new
    /// array of the right size.
    pub(crate) fn reserve(
        &mut self,
        additional: usize,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<(), TryReserveError> {
        let need = self
            .count
            .checked_add(additional)
            .ok_or(TryReserveError::CapacityOverflow)?;
        if need <= self.capacity() || need == 0 {
            return Ok(());
        }
        let target = sizing::log2_for(&self.policy, need)?;
        // One public call is one operation: every forced finish and doubling
        // below counts towards this operation's maxima.
        self.op_begin();
        if self.count == 0 {
            let array = self.alloc_array(target)?;
            self.free_arrays_of_empty_table();
            self.set_buckets(array);
            return Ok(());
        }
        self.finish_growth_forced(ForceReason::Explicit, &hasher);
        while self.buckets.log2() < target {
            self.start_growth(self.buckets.log2() + 1, &hasher)?;
            self.finish_growth_forced(ForceReason::Explicit, &hasher);
        }
        Ok(())
    }
}
