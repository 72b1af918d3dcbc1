//! Incremental evacuation (Go `growWork`, `evacuate`,
//! `advanceEvacuationMark`).
//!
//! A growth (`grow.rs`) allocates the new array and keeps the old one
//! (`old_buckets`); nothing moves at that point. Every write then evacuates
//! the old chain that feeds the bucket it is about to use, plus
//! `cursor_steps` chains at the cursor. When the cursor passes the last old
//! chain the growth is complete (`grow.rs` retires the old array).
//!
//! Panic safety: evacuating a chain of a doubling growth re-hashes its keys,
//! and `Hash` may panic. We therefore hash every key of the chain first
//! ("pass 1") and only then move entries ("pass 2", which cannot panic). A
//! panic in pass 1 leaves the table exactly as it was.

use core::ptr::{self, NonNull};

use super::RawTable;
use super::bucket::{BUCKET_SLOTS, Bucket, Slot, group, overflow, top_at};
use super::tophash::{
    EVACUATED_EMPTY, EVACUATED_X, EVACUATED_Y, MIN_TOP_HASH, is_empty, is_evacuated_marker,
};
use crate::timing::Source;

/// Most already-evacuated chains the cursor skips in one step (Go: 1024).
const CURSOR_SKIP_CAP: usize = 1024;

/// Smallest run of old-array pages given back to the OS in one `madvise`
/// call as the cursor passes them: large enough to amortise the system call,
/// small enough that the write paying for it stays within a few µs
/// (`docs/design.md`, "Giving the old array back progressively").
pub(super) const RELEASE_BATCH_BYTES: usize = 16 << 10;

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

    /// Go `evacuate(oldbucket)`. Returns true if the chain was moved now
    /// (false if an earlier write had moved it already).
    pub(super) fn evacuate_chain(&mut self, old_index: usize, hasher: &impl Fn(&K) -> u64) -> bool {
        debug_assert!(self.is_growing() && old_index < self.old_buckets.len());
        if old_index < self.evac_cursor {
            return false; // I3; and its memory may be given back (I10)
        }
        // SAFETY: growing, so the old array is allocated (I8), and
        // `old_index < len()` (asserted above; callers mask a hash with the
        // old mask or pass the cursor, I3); at or above the cursor its
        // pages are still there (I10).
        let head = unsafe { self.old_buckets.bucket(old_index) };
        // SAFETY: `head` is a live primary bucket (I8, I10, above).
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
        // SAFETY: `evacuate_chain` checked `old_index` against the old
        // array's length and the cursor (I8, I10).
        let head = unsafe { self.old_buckets.bucket(old_index) };
        let doubling = self.buckets.log2() > self.old_buckets.log2();
        let newbit = self.old_buckets.len();
        // Pass 1: the only step that can panic (in `hasher`).
        let mut ybits = YBits::new();
        if doubling {
            let mut n = 0;
            let mut b = Some(head);
            while let Some(bb) = b {
                // SAFETY: `bb` is the head or reached from it through links:
                // live (I6); `match_full` yields slots with a live tophash,
                // whose keys are initialised (I1).
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
        // Every `old_index` maps to new chains that exist: X is
        // `old_index & mask` (masked), and a doubling's Y is
        // `old_index + 2^oldB < 2^(oldB+1)`.
        let mut x = Dest::new(self.buckets.head_for(old_index as u64), dense);
        let mut y = doubling.then(|| {
            debug_assert!(old_index + newbit < self.buckets.len());
            Dest::new(self.buckets.head_for((old_index + newbit) as u64), true)
        });
        let mut n = 0;
        let mut b = Some(head);
        while let Some(bb) = b {
            for i in 0..BUCKET_SLOTS {
                let from = Slot {
                    bucket: bb,
                    index: i,
                };
                // SAFETY: `from` is a slot (`i < 8`) of a live bucket of the
                // old chain (I6). A slot with tophash >= MIN_TOP_HASH holds
                // an entry (I1), which `push_evacuated` moves out; its old
                // slot is marked evacuated first, so it is never read as
                // live again (I1, I4). `dst` is X or Y of this chain, every
                // slot before its position full (`Dest`).
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
            // SAFETY: `bb` is live (I6); its link was not cut yet (that
            // happens below, after the walk).
            b = unsafe { overflow(bb) };
        }
        // Go unlinks an evacuated chain's overflow buckets; we free the
        // spilled ones now rather than when the cursor passes, which also
        // keeps the cursor's release check to one comparison.
        // SAFETY: `head` is a primary bucket of the old array whose chain was
        // just evacuated: every slot marked and moved out, and only the
        // head's markers are read again (I4, I10).
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
    ///
    /// 1. `from` is a slot of a live old bucket whose entry has not been
    ///    moved yet, and the caller marks it evacuated (so it is moved once);
    /// 2. `dst` is a destination of this evacuation: its bucket is live in
    ///    the new array, and every slot before its position is full.
    unsafe fn push_evacuated(&mut self, dst: &mut Dest<K, V>, top: u8, from: Slot<K, V>) {
        loop {
            if dst.index == BUCKET_SLOTS {
                // SAFETY: caller (2): `dst.bucket` is a live bucket of a
                // new chain (I6).
                dst.bucket = match unsafe { overflow(dst.bucket) } {
                    Some(next) => next,
                    None => self.new_overflow(dst.bucket),
                };
                dst.index = 0;
            }
            // SAFETY: `dst.index < 8` (the branch above wraps at 8) in a live
            // bucket (caller (2), or just linked by `new_overflow`).
            if dst.dense || is_empty(unsafe { top_at(dst.bucket, dst.index) }) {
                break;
            }
            dst.index += 1;
        }
        // SAFETY: the same bucket (live, caller (2) or just linked, I6) and
        // index below 8 as in the loop.
        debug_assert!(is_empty(unsafe { top_at(dst.bucket, dst.index) }), "I5");
        let to = Slot {
            bucket: dst.bucket,
            index: dst.index,
        };
        // SAFETY: `to` is an empty slot of a live bucket of the destination
        // chain for this entry's hash (I5); `from` holds a live entry
        // (caller (1)), moved exactly once since the caller marks it
        // evacuated. Key and value are copied before the tophash (I1).
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
            // SAFETY: `evac_cursor < stop <= len`: a primary bucket of the
            // allocated old array (I8), at or above the cursor, so not given
            // back (I10).
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
}
