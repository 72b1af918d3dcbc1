//! Growth and incremental evacuation (Go `hashGrow`, `growWork`, `evacuate`,
//! `advanceEvacuationMark`).
//!
//! A growth allocates the new array and keeps the old one (`old_buckets`);
//! nothing moves at that point. Every write then evacuates the old chain that
//! feeds the bucket it is about to use, plus `cursor_steps` chains at the
//! cursor. When the cursor passes the last old chain the old array is freed.
//!
//! Panic safety: evacuating a chain of a doubling growth re-hashes its keys,
//! and `Hash` may panic. We therefore hash every key of the chain first
//! ("pass 1") and only then move entries ("pass 2", which cannot panic). A
//! panic in pass 1 leaves the table exactly as it was.

use core::ptr::{self, NonNull};

use super::RawTable;
use super::bucket::{
    BUCKET_SLOTS, Bucket, BucketArray, Slot, can_release, group, overflow, top_at,
};
use super::tophash::{
    EVACUATED_EMPTY, EVACUATED_X, EVACUATED_Y, MIN_TOP_HASH, is_empty, is_evacuated_marker,
};
use crate::TryReserveError;
use crate::events::{EventKind, ForceReason};
use crate::stats::now_ns;
use crate::timing::Source;
use std::time::{Duration, Instant};

/// Most already-evacuated chains the cursor skips in one step (Go: 1024).
const CURSOR_SKIP_CAP: usize = 1024;

/// Smallest run of old-array pages given back to the OS in one `madvise`
/// call as the cursor passes them: large enough to amortise the system call,
/// small enough that the write paying for it stays within a few µs
/// (`docs/results.md`).
const RELEASE_BATCH_BYTES: usize = 16 << 10;

/// One bit per old slot of a chain: "goes to the Y destination". Chains of up
/// to 16 buckets use the inline words; longer chains (only with very weak
/// hashers) spill to the heap.
struct YBits {
    inline: [u64; 2],
    heap: Vec<u64>,
}

impl YBits {
    fn new() -> Self {
        YBits {
            inline: [0; 2],
            heap: Vec::new(),
        }
    }

    #[inline]
    fn set(&mut self, n: usize) {
        let (word, bit) = (n / 64, n % 64);
        if word < self.inline.len() {
            self.inline[word] |= 1 << bit;
        } else {
            let idx = word - self.inline.len();
            if self.heap.len() <= idx {
                self.heap.resize(idx + 1, 0);
            }
            self.heap[idx] |= 1 << bit;
        }
    }

    #[inline]
    fn get(&self, n: usize) -> bool {
        let (word, bit) = (n / 64, n % 64);
        let w = if word < self.inline.len() {
            self.inline[word]
        } else {
            self.heap
                .get(word - self.inline.len())
                .copied()
                .unwrap_or(0)
        };
        w & (1 << bit) != 0
    }
}

/// Where evacuated entries of one destination chain go next (Go `evacDst`).
/// A growth's destinations start empty, so entries land densely; a shrink's
/// may hold entries already, which the scan for empty slots steps over.
struct Dest<K, V> {
    bucket: NonNull<Bucket<K, V>>,
    /// Next slot of `bucket` to try; every slot before it is full.
    index: usize,
    /// Entries moved here so far.
    moved: u64,
    /// The chain was empty at the start (a growth's destination, I5), so
    /// every slot from `index` on is empty and no scan is needed.
    dense: bool,
}

impl<K, V> Dest<K, V> {
    fn new(bucket: NonNull<Bucket<K, V>>, dense: bool) -> Self {
        Dest {
            bucket,
            index: 0,
            moved: 0,
            dense,
        }
    }
}

impl<K, V> RawTable<K, V> {
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

    /// Go `growWork`: evacuates the old chain that a write of `hash` uses
    /// (so the write sees its key's chain in the new array, I5), then
    /// `cursor_steps` more at the cursor.
    pub(crate) fn grow_work(&mut self, hash: u64, hasher: &impl Fn(&K) -> u64) {
        let old_index = hash as usize & self.old_buckets.mask();
        self.evacuate_chain(old_index, hasher);
        for _ in 0..self.policy.cursor_steps() {
            if !self.is_growing() {
                break;
            }
            self.evacuate_chain(self.evac_cursor, hasher);
        }
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
        while self.is_growing() {
            self.evacuate_chain(self.evac_cursor, hasher);
        }
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

    /// Finishes the growth in progress at once, counted as a forced
    /// completion (`finish_growth` called, `reserve`, or the load limit hit
    /// during the growth).
    pub(crate) fn finish_growth_forced(
        &mut self,
        reason: ForceReason,
        hasher: &impl Fn(&K) -> u64,
    ) {
        if self.is_growing() {
            if reason == ForceReason::Explicit {
                self.op_begin();
            }
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

    /// Go `evacuate(oldbucket)`. Returns true if the chain was moved now
    /// (false if an earlier write had moved it already).
    fn evacuate_chain(&mut self, old_index: usize, hasher: &impl Fn(&K) -> u64) -> bool {
        debug_assert!(self.is_growing() && old_index < self.old_buckets.len());
        if old_index < self.evac_cursor {
            return false; // I3; and its memory may be given back (I10)
        }
        let head = self.old_buckets.bucket(old_index);
        // SAFETY: `head` is a live primary bucket of the old array.
        let moved = !is_evacuated_marker(unsafe { top_at(head, 0) });
        if moved {
            let entries = self.timed(Source::Evacuation, |t| t.move_chain(old_index, hasher));
            self.counters.evacuated(entries);
            self.old_evacuated += 1;
        }
        if old_index == self.evac_cursor {
            self.advance_cursor();
        }
        moved
    }

    /// Moves every entry of old chain `old_index` to its destination and
    /// marks the chain evacuated; returns the number of entries moved.
    ///
    /// Destinations: a doubling splits the chain between new chains
    /// `old_index` (X) and `old_index + 2^oldB` (Y) by hash bit `oldB`; a
    /// same-size growth keeps it at `old_index`; a shrink appends it to new
    /// chain `old_index & (2^B - 1)`, which may already hold entries from
    /// other old chains and from writes.
    fn move_chain(&mut self, old_index: usize, hasher: &impl Fn(&K) -> u64) -> u64 {
        let head = self.old_buckets.bucket(old_index);
        let doubling = self.buckets.log2() > self.old_buckets.log2();
        let newbit = self.old_buckets.len();
        // Pass 1: the only step that can panic (in `hasher`).
        let mut ybits = YBits::new();
        if doubling {
            let mut n = 0;
            let mut b = Some(head);
            while let Some(bb) = b {
                // SAFETY: live chain buckets (I6); live slots hold keys (I1).
                unsafe {
                    for i in group(bb).match_full() {
                        if hasher(
                            &*Slot {
                                bucket: bb,
                                index: i,
                            }
                            .key(),
                        ) as usize
                            & newbit
                            != 0
                        {
                            ybits.set(n + i);
                        }
                    }
                    b = overflow(bb);
                }
                n += BUCKET_SLOTS;
            }
        }
        // Pass 2: move; nothing below can panic.
        // A growth's destinations are empty (I5); a shrink's may not be.
        let dense = self.buckets.log2() >= self.old_buckets.log2();
        let mut x = Dest::new(self.buckets.bucket(old_index & self.buckets.mask()), dense);
        let mut y = doubling.then(|| Dest::new(self.buckets.bucket(old_index + newbit), true));
        let mut n = 0;
        let mut b = Some(head);
        while let Some(bb) = b {
            for i in 0..BUCKET_SLOTS {
                let from = Slot {
                    bucket: bb,
                    index: i,
                };
                // SAFETY: `from` is a slot of a live old chain; a slot with
                // tophash >= MIN_TOP_HASH holds an entry (I1), which we move
                // out and then mark evacuated so it is never read again.
                unsafe {
                    let top = *from.tophash();
                    if is_empty(top) {
                        *from.tophash() = EVACUATED_EMPTY;
                        continue;
                    }
                    debug_assert!(top >= MIN_TOP_HASH, "I4: marker in unevacuated chain");
                    let use_y = ybits.get(n + i);
                    *from.tophash() = if use_y { EVACUATED_Y } else { EVACUATED_X };
                    let dst = match (&mut y, use_y) {
                        (Some(y), true) => y,
                        _ => &mut x,
                    };
                    self.push_evacuated(dst, top, from);
                }
            }
            n += BUCKET_SLOTS;
            // SAFETY: live chain.
            b = unsafe { overflow(bb) };
        }
        // Go unlinks an evacuated chain's overflow buckets; we free the
        // spilled ones now rather than when the cursor passes, which also
        // keeps the cursor's release check to one comparison.
        // SAFETY: every slot of the chain was just marked evacuated and
        // moved out; only the head's markers are read again (I4, I10).
        let freed = unsafe { self.old_buckets.unlink_overflow(head) };
        if freed > 0 {
            self.counters.released_early(freed as u64);
        }
        x.moved + y.map_or(0, |y| y.moved)
    }

    /// Puts one moved entry in the first empty slot of a destination chain
    /// at or after `dst`'s position, linking an overflow bucket if the chain
    /// is full. Filling the first empty slot keeps I2, as an insert does.
    ///
    /// # Safety
    /// `from` is a live old slot whose entry has not been moved yet and is
    /// marked evacuated by the caller; `dst` is a destination of this
    /// evacuation, and every slot before its position is full.
    unsafe fn push_evacuated(&mut self, dst: &mut Dest<K, V>, top: u8, from: Slot<K, V>) {
        loop {
            if dst.index == BUCKET_SLOTS {
                // SAFETY: `dst.bucket` is a live bucket of a new chain (I6).
                dst.bucket = match unsafe { overflow(dst.bucket) } {
                    Some(next) => next,
                    None => self.new_overflow(dst.bucket),
                };
                dst.index = 0;
            }
            // SAFETY: `dst.index < 8` in a live bucket.
            if dst.dense || is_empty(unsafe { top_at(dst.bucket, dst.index) }) {
                break;
            }
            dst.index += 1;
        }
        // SAFETY: as above.
        debug_assert!(is_empty(unsafe { top_at(dst.bucket, dst.index) }), "I5");
        let to = Slot {
            bucket: dst.bucket,
            index: dst.index,
        };
        // SAFETY: `to` is an empty slot of the destination chain for this
        // entry's hash (I5); `from` is live (caller). Key and value are
        // copied before the tophash (I1).
        unsafe {
            ptr::copy_nonoverlapping(from.key(), to.key(), 1);
            ptr::copy_nonoverlapping(from.value(), to.value(), 1);
            *to.tophash() = top;
        }
        dst.index += 1;
        dst.moved += 1;
    }

    /// Go `advanceEvacuationMark`: moves the cursor past the chain it points
    /// at and past up to 1024 chains that writes have already evacuated; frees
    /// the old array when the cursor reaches its end.
    fn advance_cursor(&mut self) {
        self.evac_cursor += 1;
        let len = self.old_buckets.len();
        let stop = (self.evac_cursor + CURSOR_SKIP_CAP).min(len);
        while self.evac_cursor != stop
            // SAFETY: `evac_cursor < len`: a live old primary bucket.
            && is_evacuated_marker(unsafe { top_at(self.old_buckets.bucket(self.evac_cursor), 0) })
        {
            self.evac_cursor += 1;
            self.counters.skipped();
        }
        if self.evac_cursor == len {
            debug_assert_eq!(self.old_evacuated, len, "I3/I7");
            self.complete_growth();
        } else {
            // SAFETY: chains below the cursor are evacuated (I3) and are
            // never read again: every reader checks the cursor first (I10).
            let released = unsafe {
                self.old_buckets
                    .release_below(self.evac_cursor, RELEASE_BATCH_BYTES)
            };
            if released > 0 {
                self.counters.released_early(released as u64);
            }
        }
    }

    /// The cursor passed the last old chain: counts the growth as completed
    /// (or forced, inside `finish_growth_forced`) or the shrink as completed,
    /// records its residency, and releases the old array (I3: it holds no
    /// live entry).
    fn complete_growth(&mut self) {
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
        // SAFETY: every old chain is evacuated (I3) and none is read again.
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
        // and released (`retire_old_array`).
        let (released, done) = unsafe { self.retired.release_tail(RELEASE_BATCH_BYTES) };
        self.counters.released_early(released as u64);
        if done {
            self.free_retired();
        }
    }
}
