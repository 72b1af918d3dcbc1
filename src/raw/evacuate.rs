//! Incremental evacuation (Go `growWork`, `evacuate`,
//! `advanceEvacuationMark`).
//!
//! A growth (`lifecycle.rs`) allocates the new array and keeps the old one;
//! nothing moves at that point. Every write then evacuates the old chain
//! that feeds the bucket it is about to use, plus `cursor_steps` chains at
//! the cursor. When the cursor passes the last old chain the growth is
//! complete (`lifecycle.rs` retires the old array).
//!
//! Panic safety: evacuating a chain of a doubling growth re-hashes its keys,
//! and `Hash` may panic. We therefore hash every key of the chain first
//! ("pass 1") and only then move entries ("pass 2", which cannot panic). A
//! panic in pass 1 leaves the table exactly as it was. Same-size growths and
//! shrinks hash nothing.

use core::ptr::{self, NonNull};

use super::RawTable;
use super::bucket::{BUCKET_SLOTS, Bucket, Slot, Tops, overflow};
use super::lifecycle::Pace;
use super::tophash::{
    BitMask, EVACUATED_EMPTY, EVACUATED_X, Group, MIN_TOP_HASH, evacuated_markers, is_empty,
};
use crate::layout::BucketLayout;
use crate::timing::Source;

/// Most already-evacuated chains the cursor skips in one step (Go: 1024).
const CURSOR_SKIP_CAP: usize = 1024;

/// The Y destinations of one old chain of a doubling: mask `k` selects the
/// slots of the chain's `k`-th bucket that go to Y. Chains of up to 8
/// buckets use the inline masks; longer chains (only with very weak
/// hashers) spill to the heap.
struct YMasks {
    inline: [BitMask; 8],
    heap: Vec<BitMask>,
}

impl YMasks {
    fn new() -> Self {
        YMasks {
            inline: [BitMask::NONE; 8],
            heap: Vec::new(),
        }
    }

    #[inline]
    fn set(&mut self, k: usize, mask: BitMask) {
        match self.inline.get_mut(k) {
            Some(m) => *m = mask,
            None => self.heap.push(mask), // buckets are visited in order
        }
    }

    /// Bucket `k`'s mask; none (all X) if none was set, as in a same-size
    /// growth.
    #[inline]
    fn get(&self, k: usize) -> BitMask {
        match self.inline.get(k) {
            Some(&m) => m,
            None => self
                .heap
                .get(k - self.inline.len())
                .copied()
                .unwrap_or(BitMask::NONE),
        }
    }
}

/// Pass 1 of a doubling's move: hashes every live key of old chain
/// `old_index` (the only step of an evacuation that can panic, in
/// `hasher`) and records in `ymasks`, per bucket, the slots whose hash has
/// bit `newbit` set: those go to Y.
///
/// # Safety
///
/// `head` is the live head of old chain `old_index` of the array whose
/// tophash words are `old`, and the chain is not evacuated (I4, I10).
#[inline(always)]
unsafe fn y_masks<K, V, L: BucketLayout>(
    ymasks: &mut YMasks,
    old: Tops<K, V, L>,
    head: NonNull<Bucket<K, V, L>>,
    old_index: usize,
    newbit: usize,
    hasher: &impl Fn(&K) -> u64,
) {
    let mut k = 0;
    let mut b = Some(head);
    while let Some(bb) = b {
        let mut mask = BitMask::NONE;
        // SAFETY: `bb` is the head or reached from it through links: live
        // (I6); `match_full` yields slots with a live tophash, whose keys
        // are initialised (I1).
        unsafe {
            let group = Group::load(*old.chain_word(old_index, k, bb));
            for i in group.match_full() {
                let key = &*Slot {
                    bucket: bb,
                    index: i,
                }
                .key();
                let to_y = hasher(key) as usize & newbit != 0;
                mask = mask.union(BitMask::slot(i).keep_if(to_y));
            }
            b = overflow(bb);
        }
        ymasks.set(k, mask);
        k += 1;
    }
}

/// The next slot to fill in a growth's destination chain (Go `evacDst`).
/// The chain was empty when the evacuation of its old chain began (I5), so
/// every slot from `index` on is empty and no scan is needed.
struct Fill<K, V, L: BucketLayout> {
    bucket: NonNull<Bucket<K, V, L>>,
    /// `bucket`'s tophash word (I11), found once per bucket.
    word: *mut [u8; 8],
    index: usize,
}

impl<K, V, L: BucketLayout> Clone for Fill<K, V, L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V, L: BucketLayout> Copy for Fill<K, V, L> {}

/// The next slot to try in a shrink's destination chain, which may hold
/// entries already: every slot before `index` is full.
struct Dest<K, V, L: BucketLayout> {
    bucket: NonNull<Bucket<K, V, L>>,
    index: usize,
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// Go `growWork`: evacuates the old chain that a write of `hash` uses
    /// (so the write sees its key's chain in the new array, I5), then
    /// `cursor_steps` more at the cursor. Does nothing when no growth runs.
    #[inline]
    pub(crate) fn grow_work(&mut self, hash: u64, hasher: &impl Fn(&K) -> u64) {
        let Some(old) = self.state.old() else {
            return;
        };
        let old_index = hash as usize & old.array.mask();
        // SAFETY: evacuating; masked with the old mask, so below its length.
        unsafe { self.evacuate_chain(old_index, Pace::Steps, hasher) };
        for _ in 0..self.policy.cursor_steps() {
            let Some(old) = self.state.old() else {
                break;
            };
            let cursor = old.cursor;
            // SAFETY: evacuating, and the cursor is below the old length (I3).
            unsafe { self.evacuate_chain(cursor, Pace::Steps, hasher) };
        }
    }

    /// Go `evacuate(oldbucket)`. Returns true if the chain was moved now
    /// (false if an earlier write had moved it already). A chain at the
    /// cursor moves the cursor on; the last one ends the growth, counted as
    /// `pace` says.
    ///
    /// # Safety
    ///
    /// A growth runs, and `old_index` is below the old array's length.
    pub(super) unsafe fn evacuate_chain(
        &mut self,
        old_index: usize,
        pace: Pace,
        hasher: &impl Fn(&K) -> u64,
    ) -> bool {
        // SAFETY: caller: evacuating.
        let old = unsafe { self.state.old_unchecked() };
        debug_assert!(old_index < old.array.len());
        if old_index < old.cursor {
            return false; // I3; and its memory may be given back (I10)
        }
        // SAFETY: `old_index < len()` (caller); at or above the cursor its
        // pages are still there (I10).
        let moved = !unsafe { old.array.chain_evacuated(old_index) };
        let at_cursor = old_index == old.cursor;
        if moved {
            let start = self.instruments.clock();
            // SAFETY: evacuating, `old_index < len()` (caller), and the
            // chain is not evacuated (checked just above).
            let entries = unsafe { self.move_chain(old_index, hasher) };
            self.instruments.record(Source::Evacuation, start);
            self.instruments.chain_evacuated(entries);
            // SAFETY: caller: evacuating.
            unsafe { self.state.old_unchecked_mut() }.evacuated += 1;
        }
        if at_cursor {
            // SAFETY: caller: evacuating.
            unsafe { self.advance_cursor(pace) };
        }
        moved
    }

    /// Moves every entry of old chain `old_index` to its destination and
    /// marks the chain evacuated; returns the number of entries moved.
    ///
    /// # Safety
    ///
    /// A growth runs, `old_index` is below the old array's length and at or
    /// above the cursor (its pages are there, I10), and the chain is not
    /// evacuated yet.
    ///
    /// Destinations: a doubling splits the chain between new chains
    /// `old_index` (X) and `old_index + 2^oldB` (Y) by hash bit `oldB`; a
    /// same-size growth keeps it at `old_index`; a shrink appends it to new
    /// chain `old_index & (2^B - 1)`, which may already hold entries from
    /// other old chains and from writes.
    #[inline(always)]
    unsafe fn move_chain(&mut self, old_index: usize, hasher: &impl Fn(&K) -> u64) -> u64 {
        // SAFETY: caller: evacuating.
        let old = unsafe { self.state.old_unchecked() };
        // SAFETY: caller: `old_index` is below the old array's length.
        let head = unsafe { old.array.bucket(old_index) };
        let moved = if self.buckets.log2() < old.array.log2() {
            // SAFETY: as above: the head of an unevacuated old chain.
            unsafe { self.move_chain_into_shrunk(head, old_index) }
        } else {
            // SAFETY: as above.
            unsafe { self.move_chain_into_grown(head, old_index, hasher) }
        };
        // Go unlinks an evacuated chain's overflow buckets; we free the
        // spilled ones now rather than when the cursor passes, which also
        // keeps the cursor's release check to one comparison.
        // SAFETY: caller: evacuating. `head` is a primary bucket of the old
        // array whose chain was just evacuated: every slot marked and moved
        // out, and only the head's markers are read again (I4, I10).
        let freed = unsafe { self.state.old_unchecked_mut().array.unlink_overflow(head) };
        self.instruments.given_back(freed);
        moved
    }

    /// `move_chain` for a doubling or a same-size growth, whose destination
    /// chains are empty (I5), so entries land densely, in order.
    ///
    /// Two passes, for panic safety: pass 1 hashes every key of the chain
    /// (the only step that can panic, in `hasher`) and records which go to
    /// Y; pass 2 moves, and cannot panic. A panic in pass 1 leaves the table
    /// exactly as it was.
    ///
    /// # Safety
    ///
    /// `head` is old chain `old_index`'s head, not evacuated yet (I4, I10),
    /// and the table is growing into an array at least as large.
    #[inline(always)]
    unsafe fn move_chain_into_grown(
        &mut self,
        head: NonNull<Bucket<K, V, L>>,
        old_index: usize,
        hasher: &impl Fn(&K) -> u64,
    ) -> u64 {
        // SAFETY: caller: growing.
        let old_array = unsafe { &self.state.old_unchecked().array };
        let (old, new) = (old_array.tops(), self.buckets.tops());
        let newbit = old_array.len();
        let doubling = self.buckets.log2() > old_array.log2();
        let mut ymasks = YMasks::new();
        if doubling {
            // SAFETY: caller: `head` is the live head of old chain
            // `old_index`, not evacuated, in the array of `old`.
            unsafe { y_masks(&mut ymasks, old, head, old_index, newbit, hasher) };
        }
        // Pass 2: nothing below can panic. X is `old_index`'s chain; a
        // doubling's Y is `old_index + 2^oldB < 2^(oldB+1)`, which exists. A
        // same-size growth has no Y bits set, so its Y is never used.
        let fill_at = |i: usize| {
            let bucket = self.buckets.head_for(i as u64);
            Fill {
                bucket,
                // SAFETY: `i < len()` (above): primary bucket `i` of the
                // allocated new array.
                word: unsafe { new.head_word(i, bucket) },
                index: 0,
            }
        };
        let mut x = fill_at(old_index);
        let mut y = if doubling {
            debug_assert!(old_index + newbit < self.buckets.len());
            fill_at(old_index + newbit)
        } else {
            x
        };
        let mut moved = 0u64;
        let mut k = 0;
        let mut b = Some(head);
        while let Some(bb) = b {
            // SAFETY: `bb` is a live bucket of the old chain (I6), not
            // evacuated (caller). Its live slots (tophash >= MIN_TOP_HASH:
            // initialised, I1) are `full`, split by `ymask` between X and Y;
            // each is moved out exactly once, into the next empty slot of its
            // destination chain (`Fill`, I5), key and value before the
            // tophash (I1). The bucket's markers are written from the copy in
            // `group`, and leave no live tophash behind (I4).
            unsafe {
                let word = old.chain_word(old_index, k, bb);
                let group = Group::load(*word);
                let full = group.match_full();
                let ymask = ymasks.get(k);
                *word = evacuated_markers(full, ymask);
                for i in full.minus(ymask) {
                    let from = Slot {
                        bucket: bb,
                        index: i,
                    };
                    self.fill_slot(new, &mut x, from, group.byte(i));
                    moved += 1;
                }
                for i in ymask {
                    let from = Slot {
                        bucket: bb,
                        index: i,
                    };
                    self.fill_slot(new, &mut y, from, group.byte(i));
                    moved += 1;
                }
                b = overflow(bb);
            }
            k += 1;
        }
        moved
    }

    /// Moves the entry at `from` (with tophash `top`) into the next slot of
    /// a growth's destination chain.
    ///
    /// # Safety
    ///
    /// `from` is a live slot (I1) of a live old bucket, whose entry is
    /// moved once (the caller marks it evacuated); `fill`'s bucket is live in
    /// the new array, whose tophash words are `new`, and every slot from its
    /// index on is empty (I5).
    #[inline(always)]
    unsafe fn fill_slot(
        &mut self,
        new: Tops<K, V, L>,
        fill: &mut Fill<K, V, L>,
        from: Slot<K, V, L>,
        top: u8,
    ) {
        if fill.index == BUCKET_SLOTS {
            // SAFETY: caller: the bucket is live, and so is the one linked
            // after it, in the new array's chains (I6, I11).
            unsafe {
                fill.bucket = self.next_dest_bucket(fill.bucket);
                fill.word = new.word(fill.bucket);
            }
            fill.index = 0;
        }
        let to = Slot {
            bucket: fill.bucket,
            index: fill.index,
        };
        // SAFETY: `to` is an empty slot (caller, `index < 8` by the branch
        // above) of a live destination bucket, whose word is `fill.word`;
        // `from` holds a live entry that is moved exactly once (caller). Key
        // and value are copied before the tophash (I1).
        unsafe {
            let to_top = fill.word.cast::<u8>().add(fill.index);
            debug_assert!(is_empty(*to_top), "I5: growth destination not empty");
            ptr::copy_nonoverlapping(from.key(), to.key(), 1);
            ptr::copy_nonoverlapping(from.value(), to.value(), 1);
            *to_top = top;
        }
        fill.index += 1;
    }

    /// The bucket after `full`, a full bucket of a destination chain (a
    /// growth's or a shrink's): the one linked after it, or a fresh overflow
    /// bucket. Out of line, so that the move loops keep their registers.
    ///
    /// # Safety
    ///
    /// `full` is a live bucket of the new array's chains (I6).
    #[cold]
    #[inline(never)]
    unsafe fn next_dest_bucket(
        &mut self,
        full: NonNull<Bucket<K, V, L>>,
    ) -> NonNull<Bucket<K, V, L>> {
        // SAFETY: caller: `full` is live.
        match unsafe { overflow(full) } {
            Some(next) => next,
            // SAFETY: caller: `full` is live in the new array's chains and
            // its link is null: it ends its chain.
            None => unsafe { self.new_overflow(full) },
        }
    }

    /// `move_chain` for a shrink: every entry goes to new chain
    /// `old_index & mask`, into its first empty slots. No key is hashed, so
    /// nothing here can panic.
    ///
    /// # Safety
    ///
    /// `head` is old chain `old_index`'s head, not evacuated yet (I4, I10),
    /// and the table is shrinking.
    unsafe fn move_chain_into_shrunk(
        &mut self,
        head: NonNull<Bucket<K, V, L>>,
        old_index: usize,
    ) -> u64 {
        // SAFETY: caller: shrinking.
        let old = unsafe { self.state.old_unchecked() }.array.tops();
        // Masked, so the chain exists.
        let mut dst = Dest {
            bucket: self.buckets.head_for(old_index as u64),
            index: 0,
        };
        let mut moved = 0;
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
                // live again (I1, I4). Every slot before `dst`'s position is
                // full (`Dest`).
                unsafe {
                    let from_top = old.slot(from);
                    let top = *from_top;
                    if is_empty(top) {
                        *from_top = EVACUATED_EMPTY;
                        continue;
                    }
                    debug_assert!(top >= MIN_TOP_HASH, "I4: marker in unevacuated chain");
                    *from_top = EVACUATED_X;
                    self.push_evacuated(&mut dst, top, from);
                }
                moved += 1;
            }
            // SAFETY: `bb` is live (I6); its link was not cut yet (that
            // happens after the walk).
            b = unsafe { overflow(bb) };
        }
        moved
    }

    /// Puts one entry moved by a shrink in the first empty slot of its
    /// destination chain at or after `dst`'s position, linking an overflow
    /// bucket if the chain is full. Filling the first empty slot keeps I2,
    /// as an insert does.
    ///
    /// # Safety
    ///
    /// 1. `from` is a slot of a live old bucket whose entry has not been
    ///    moved yet, and the caller marks it evacuated (so it is moved once);
    /// 2. `dst`'s bucket is live in the new array, and every slot before its
    ///    position is full.
    unsafe fn push_evacuated(&mut self, dst: &mut Dest<K, V, L>, top: u8, from: Slot<K, V, L>) {
        let new = self.buckets.tops();
        loop {
            if dst.index == BUCKET_SLOTS {
                // SAFETY: caller (2): `dst.bucket` is a live bucket of a
                // new chain (I6).
                dst.bucket = unsafe { self.next_dest_bucket(dst.bucket) };
                dst.index = 0;
            }
            // SAFETY: `dst.index < 8` (the branch above wraps at 8) in a live
            // bucket (caller (2), or just linked by `new_overflow`).
            if is_empty(unsafe { new.top_at(dst.bucket, dst.index) }) {
                break;
            }
            dst.index += 1;
        }
        let to = Slot {
            bucket: dst.bucket,
            index: dst.index,
        };
        // SAFETY: `to` is an empty slot (the loop stopped at it) of a live
        // bucket of the destination chain for this entry's hash (I5);
        // `from` holds a live entry (caller (1)), moved exactly once since
        // the caller marks it evacuated. Key and value are copied before the
        // tophash (I1).
        unsafe {
            ptr::copy_nonoverlapping(from.key(), to.key(), 1);
            ptr::copy_nonoverlapping(from.value(), to.value(), 1);
            *new.slot(to) = top;
        }
        dst.index += 1;
    }

    /// Go `advanceEvacuationMark`: moves the cursor past the chain it points
    /// at and past up to 1024 chains that writes have already evacuated;
    /// ends the growth (counted as `pace` says) when the cursor reaches the
    /// end, else gives back the pages below it that are due.
    ///
    /// # Safety
    ///
    /// A growth runs, and the chain at the cursor is evacuated.
    unsafe fn advance_cursor(&mut self, pace: Pace) {
        // SAFETY: caller: evacuating.
        let old = unsafe { self.state.old_unchecked_mut() };
        old.cursor += 1;
        let len = old.array.len();
        let stop = (old.cursor + CURSOR_SKIP_CAP).min(len);
        let mut skipped = 0;
        while old.cursor != stop
            // SAFETY: `cursor < stop <= len`: a chain of the allocated old
            // array (I8), at or above the cursor, so not given back (I10).
            && unsafe { old.array.chain_evacuated(old.cursor) }
        {
            old.cursor += 1;
            skipped += 1;
        }
        if old.cursor == len {
            self.instruments.chains_skipped(skipped);
            self.evacuation_done(pace);
            return;
        }
        // SAFETY: chains below the cursor are evacuated (I3) and are never
        // read again: every reader checks the cursor first (I10).
        let released = unsafe { old.array.release_below(old.cursor) };
        self.instruments.chains_skipped(skipped);
        self.instruments.given_back(released);
    }
}
