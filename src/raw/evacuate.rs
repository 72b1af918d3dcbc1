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

use core::cmp::Ordering;
use core::ptr::{self, NonNull};

use super::RawTable;
use super::bucket::{BUCKET_SLOTS, Bucket, Slot, Tops, overflow};
use super::group::{BitMask, Group};
use super::lifecycle::Pace;
use super::tophash::{EVACUATED_EMPTY, EVACUATED_X, MIN_TOP_HASH, evacuated_markers, is_empty};
use crate::layout::BucketLayout;
use crate::timing::Source;

/// Most already-evacuated chains the cursor skips in one step (Go: 1024).
const CURSOR_SKIP_CAP: usize = 1024;

/// Pass 1 for one bucket of a doubling: the slots of `full` (the live
/// slots of `b`) whose key's hash has bit `newbit` set, which go to Y. The
/// only step of an evacuation that can panic (in `hasher`), and it changes
/// nothing.
///
/// # Safety
///
/// `b` is a live old bucket whose live slots are `full` (I1).
#[inline(always)]
unsafe fn y_slots<K, V, L: BucketLayout>(
    b: NonNull<Bucket<K, V, L>>,
    full: BitMask,
    newbit: usize,
    hasher: &impl Fn(&K) -> u64,
) -> u8 {
    let mut y = 0u8;
    for index in full {
        // SAFETY: caller: a live slot of `b` (tophash >= MIN_TOP_HASH, I1).
        let key = unsafe { &*Slot { bucket: b, index }.key() };
        y |= u8::from(hasher(key) as usize & newbit != 0) << index;
    }
    y
}

/// The Y slots of every bucket of an old chain of a doubling (pass 1 of a
/// chain longer than one bucket): bucket `k`'s in `first[k]` for the first
/// eight buckets (all but the chains of very weak hashers), then in `more`.
struct YSlots {
    first: [u8; 8],
    more: Vec<u8>,
}

impl YSlots {
    /// Pass 1 over the chain at `head`, old chain `old_index` of the
    /// array whose tophash words are `old`.
    ///
    /// # Safety
    ///
    /// `head` is the live head of that chain, not evacuated (I4, I10).
    #[inline(always)]
    unsafe fn of_chain<K, V, L: BucketLayout>(
        old: Tops<K, V, L>,
        head: NonNull<Bucket<K, V, L>>,
        old_index: usize,
        newbit: usize,
        hasher: &impl Fn(&K) -> u64,
    ) -> Self {
        let mut ys = YSlots {
            first: [0; 8],
            more: Vec::new(),
        };
        let mut k = 0;
        let mut b = Some(head);
        while let Some(bb) = b {
            // SAFETY: `bb` is the head or reached from it through links:
            // live (I6), with its word where `old` says (I11).
            let y = unsafe {
                let full = Group::load(*old.chain_word(old_index, k, bb)).match_full();
                b = overflow(bb);
                y_slots(bb, full, newbit, hasher)
            };
            match ys.first.get_mut(k) {
                Some(slot) => *slot = y,
                None => ys.more.push(y), // buckets are visited in order
            }
            k += 1;
        }
        ys
    }

    /// Bucket `k`'s slots that go to Y.
    #[inline]
    fn get(&self, k: usize) -> BitMask {
        BitMask::from_bits(match self.first.get(k) {
            Some(&y) => y,
            None => self.more.get(k - 8).copied().unwrap_or(0),
        })
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

/// What one evacuation step did, counted once at its end.
#[derive(Default)]
struct Tally {
    /// Old chains moved, and the entries they held.
    chains: u64,
    entries: u64,
    /// Chains the cursor skipped because writes had moved them.
    skipped: u64,
    /// Old-array bytes given back to the OS.
    given_back: usize,
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// Go `growWork`: evacuates the old chain that a write of `hash` uses
    /// (so the write sees its key's chain in the new array, I5), then
    /// `cursor_steps` more at the cursor. Does nothing when no growth runs.
    #[inline]
    pub(crate) fn grow_work(&mut self, hash: u64, hasher: &impl Fn(&K) -> u64) {
        if self.is_evacuating() {
            self.evacuate_step(Some(hash), self.policy.cursor_steps(), Pace::Steps, hasher);
        }
    }

    /// One step of evacuation, timed and counted as one: the old chain of
    /// `hash` if given (a write's own), then `at_cursor` chains at the
    /// cursor (Go `evacuate` and `advanceEvacuationMark`). Ends the growth,
    /// counted as `pace` says, if the cursor passes the last chain. Returns
    /// the chains moved (chains found evacuated already do not count).
    #[inline(never)]
    pub(super) fn evacuate_step(
        &mut self,
        hash: Option<u64>,
        at_cursor: usize,
        pace: Pace,
        hasher: &impl Fn(&K) -> u64,
    ) -> usize {
        let Some(old) = self.state.old() else {
            return 0;
        };
        let mut own = hash.map(|h| h as usize & old.array.mask());
        let start = self.instruments.clock();
        let mut tally = Tally::default();
        let mut left = at_cursor.saturating_add(usize::from(own.is_some()));
        let mut done = false;
        while left > 0 && !done {
            left -= 1;
            // SAFETY: evacuating: only `evacuation_done`, after the loop,
            // ends it.
            let i = own
                .take()
                .unwrap_or(unsafe { self.state.old_unchecked() }.cursor);
            // SAFETY: evacuating (above); `i` is masked with the old mask or
            // is the cursor, below the old length (I3).
            done = unsafe { self.evacuate_chain(i, &mut tally, hasher) };
        }
        self.instruments.record(Source::Evacuation, start);
        let Tally {
            chains,
            entries,
            skipped,
            given_back,
        } = tally;
        self.instruments
            .step_evacuated(chains, entries, skipped, given_back);
        if done {
            self.evacuation_done(pace);
        }
        chains as usize
    }

    /// Go `evacuate(oldbucket)`: moves old chain `old_index` unless an
    /// earlier write did; a chain at the cursor moves the cursor on.
    /// Returns true when the cursor has passed the last chain: the caller
    /// then ends the growth (`evacuation_done`) before anything else.
    ///
    /// # Safety
    ///
    /// A growth runs, and `old_index` is below the old array's length.
    #[inline(always)]
    unsafe fn evacuate_chain(
        &mut self,
        old_index: usize,
        tally: &mut Tally,
        hasher: &impl Fn(&K) -> u64,
    ) -> bool {
        // SAFETY: caller: evacuating.
        let old = unsafe { self.state.old_unchecked() };
        debug_assert!(old_index < old.array.len());
        if old_index < old.cursor {
            return false; // I3; and its memory may be given back (I10)
        }
        let at_cursor = old_index == old.cursor;
        // SAFETY: `old_index < len()` (caller); at or above the cursor its
        // pages are still there (I10).
        if !unsafe { old.array.chain_evacuated(old_index) } {
            // SAFETY: caller: evacuating, `old_index < len()`; the chain is
            // at or above the cursor and not evacuated (checked above).
            tally.entries += unsafe { self.move_chain(old_index, tally, hasher) };
            tally.chains += 1;
        }
        // SAFETY: caller: evacuating; the chain at the cursor is evacuated
        // (it was, or was just moved).
        at_cursor && unsafe { self.advance_cursor(tally) }
    }

    /// Moves every entry of old chain `old_index` to its destination and
    /// marks the chain evacuated; returns the entries moved.
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
    unsafe fn move_chain(
        &mut self,
        old_index: usize,
        tally: &mut Tally,
        hasher: &impl Fn(&K) -> u64,
    ) -> u64 {
        // SAFETY: caller: evacuating.
        let old = unsafe { self.state.old_unchecked() };
        // SAFETY: caller: `old_index` is below the old array's length.
        let head = unsafe { old.array.bucket(old_index) };
        // SAFETY: `head` is a primary bucket of the allocated old array.
        let alone = unsafe { overflow(head) }.is_none();
        let entries = match self.buckets.log2().cmp(&old.array.log2()) {
            // SAFETY: `head` heads an unevacuated old chain (above), alone
            // in it (checked), and the table is doubling.
            Ordering::Greater if alone => unsafe {
                self.move_bucket_into_doubled(head, old_index, hasher)
            },
            // SAFETY: as above, and the table is shrinking.
            Ordering::Less => unsafe { self.move_chain_into_shrunk(head, old_index) },
            // SAFETY: as above, and the table grows into an array at least
            // as large.
            _ => unsafe { self.move_chain_into_grown(head, old_index, hasher) },
        };
        // SAFETY: caller: evacuating.
        let old = unsafe { self.state.old_unchecked_mut() };
        old.evacuated += 1;
        // Go unlinks an evacuated chain's overflow buckets; we free the
        // spilled ones now rather than when the cursor passes, which also
        // keeps the cursor's release check to one comparison.
        // SAFETY: `head` is a primary bucket of the old array whose chain
        // was just evacuated: every slot marked and moved out, and only the
        // head's markers are read again (I4, I10).
        tally.given_back += unsafe { old.array.unlink_overflow(head) };
        entries
    }

    /// Where the old and the new array keep their tophash words, and
    /// `2^oldB`: the hash bit that sends an entry to Y in a doubling, and
    /// the distance from X to Y.
    ///
    /// # Safety
    ///
    /// A growth runs (not a shrink).
    #[inline(always)]
    unsafe fn growth_tops(&self) -> (Tops<K, V, L>, Tops<K, V, L>, usize) {
        // SAFETY: caller: evacuating.
        let old_array = unsafe { &self.state.old_unchecked().array };
        debug_assert!(self.buckets.log2() >= old_array.log2(), "not a shrink");
        (old_array.tops(), self.buckets.tops(), old_array.len())
    }

    /// `move_chain` for a doubling of a chain that is one bucket (most
    /// chains): both passes over one group, the Y slots in a register, and
    /// no overflow in the destinations (at most 8 entries into two empty
    /// chains, I5).
    ///
    /// # Safety
    ///
    /// `head` is old chain `old_index`'s head and links nothing, it is not
    /// evacuated yet (I4, I10), and the table is doubling.
    #[inline(always)]
    unsafe fn move_bucket_into_doubled(
        &mut self,
        head: NonNull<Bucket<K, V, L>>,
        old_index: usize,
        hasher: &impl Fn(&K) -> u64,
    ) -> u64 {
        // SAFETY: caller: growing.
        let (old, new, newbit) = unsafe { self.growth_tops() };
        debug_assert!(old_index + newbit < self.buckets.len(), "a doubling");
        // SAFETY: caller: `head` is primary bucket `old_index`, live.
        let word = unsafe { old.head_word(old_index, head) };
        // SAFETY: `word` is `head`'s (I11).
        let full = Group::load(unsafe { *word }).match_full();
        // SAFETY: `head` is live and its live slots are `full` (above).
        let y = BitMask::from_bits(unsafe { y_slots(head, full, newbit, hasher) });
        // Pass 2: nothing below can panic.
        let mut moved = 0;
        for (dest, slots) in [(old_index, full.minus(y)), (old_index + newbit, y)] {
            let to_bucket = self.buckets.head_for(dest as u64);
            // SAFETY: `dest < len()` (a doubling): primary bucket `dest` of
            // the allocated new array, whose chain is empty (I5).
            let to_word = unsafe { new.head_word(dest, to_bucket) };
            for (to_index, i) in slots.enumerate() {
                let (from, to) = (
                    Slot {
                        bucket: head,
                        index: i,
                    },
                    Slot {
                        bucket: to_bucket,
                        index: to_index,
                    },
                );
                // SAFETY: `from` is live (I1) and moved once (the markers
                // below say so); `to` is slot `to_index < 8` of an empty
                // destination (I5: at most 8 entries come from one bucket).
                // Key and value before the tophash (I1).
                unsafe {
                    let to_top = to_word.cast::<u8>().add(to_index);
                    debug_assert!(is_empty(*to_top), "I5: growth destination not empty");
                    ptr::copy_nonoverlapping(from.key(), to.key(), 1);
                    ptr::copy_nonoverlapping(from.value(), to.value(), 1);
                    *to_top = *word.cast::<u8>().add(i);
                }
                moved += 1;
            }
        }
        // SAFETY: `head`'s word (I11); every live slot was moved out (I4).
        unsafe { *word = evacuated_markers(full, y) };
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
        let (old, new, newbit) = unsafe { self.growth_tops() };
        let doubling = self.buckets.len() > newbit;
        let ys = if doubling {
            // SAFETY: caller: `head` is the live head of old chain
            // `old_index`, not evacuated, in the array of `old`.
            unsafe { YSlots::of_chain(old, head, old_index, newbit, hasher) }
        } else {
            YSlots {
                first: [0; 8],
                more: Vec::new(),
            }
        };
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
            // tophash (I1). The bucket's markers are written last and leave
            // no live tophash behind (I4).
            unsafe {
                let word = old.chain_word(old_index, k, bb);
                let full = Group::load(*word).match_full();
                let ymask = ys.get(k);
                for i in full.minus(ymask) {
                    self.fill_slot(new, &mut x, word, bb, i);
                    moved += 1;
                }
                for i in ymask {
                    self.fill_slot(new, &mut y, word, bb, i);
                    moved += 1;
                }
                *word = evacuated_markers(full, ymask);
                b = overflow(bb);
            }
            k += 1;
        }
        moved
    }

    /// Moves the entry in slot `i` of old bucket `from` (tophash word
    /// `from_word`) into the next slot of a growth's destination chain.
    ///
    /// # Safety
    ///
    /// Slot `i` of `from` is live (I1), in a live old bucket whose word is
    /// `from_word` (I11), and its entry is moved once (the caller marks it
    /// evacuated); `fill`'s bucket is live in the new array, whose tophash
    /// words are `new`, and every slot from its index on is empty (I5).
    #[inline(always)]
    unsafe fn fill_slot(
        &mut self,
        new: Tops<K, V, L>,
        fill: &mut Fill<K, V, L>,
        from_word: *mut [u8; 8],
        from: NonNull<Bucket<K, V, L>>,
        i: usize,
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
        let (from, to) = (
            Slot {
                bucket: from,
                index: i,
            },
            Slot {
                bucket: fill.bucket,
                index: fill.index,
            },
        );
        // SAFETY: `to` is an empty slot (caller, `index < 8` by the branch
        // above) of a live destination bucket, whose word is `fill.word`;
        // `from` holds a live entry that is moved exactly once (caller). Key
        // and value are copied before the tophash (I1).
        unsafe {
            let to_top = fill.word.cast::<u8>().add(fill.index);
            debug_assert!(is_empty(*to_top), "I5: growth destination not empty");
            ptr::copy_nonoverlapping(from.key(), to.key(), 1);
            ptr::copy_nonoverlapping(from.value(), to.value(), 1);
            *to_top = *from_word.cast::<u8>().add(i);
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
    /// at and past up to 1024 chains that writes have already evacuated,
    /// then gives back the pages below it that are due. Returns true if the
    /// cursor reached the end (the caller ends the growth).
    ///
    /// # Safety
    ///
    /// A growth runs, and the chain at the cursor is evacuated.
    #[inline(always)]
    unsafe fn advance_cursor(&mut self, tally: &mut Tally) -> bool {
        // SAFETY: caller: evacuating.
        let old = unsafe { self.state.old_unchecked_mut() };
        let len = old.array.len();
        let from = old.cursor + 1;
        let stop = (from + CURSOR_SKIP_CAP).min(len);
        let mut cursor = from;
        // SAFETY: `cursor < stop <= len`: a chain of the allocated old
        // array (I8), above the cursor, so not given back (I10).
        while cursor != stop && unsafe { old.array.chain_evacuated(cursor) } {
            cursor += 1;
        }
        old.cursor = cursor;
        tally.skipped += (cursor - from) as u64;
        if cursor == len {
            return true;
        }
        // SAFETY: chains below the cursor are evacuated (I3) and are never
        // read again: every reader checks the cursor first (I10).
        tally.given_back += unsafe { old.array.release_below(cursor) };
        false
    }
}

#[cfg(test)]
mod tests {
    use core::hash::{BuildHasher, Hasher};

    use crate::EvacMap;

    /// hash = key % 32: every key of `keys_in_chain_zero` lands in chain 0
    /// while `B <= 4`, and bit 4 of their hashes alternates, so the
    /// doubling from 16 buckets splits a chain of 13 buckets between X and
    /// Y: pass 1's record of Y slots goes past its first word (8 buckets).
    #[derive(Clone, Default)]
    struct Mod32(u64);

    impl Hasher for Mod32 {
        fn finish(&self) -> u64 {
            self.0 % 32
        }
        fn write(&mut self, _: &[u8]) {
            unreachable!("only u64 keys")
        }
        fn write_u64(&mut self, k: u64) {
            self.0 = k;
        }
    }

    #[derive(Clone, Default)]
    struct Mod32Builder;

    impl BuildHasher for Mod32Builder {
        type Hasher = Mod32;
        fn build_hasher(&self) -> Mod32 {
            Mod32::default()
        }
    }

    #[test]
    fn long_chains_split_between_x_and_y() {
        let mut map = EvacMap::with_hasher(Mod32Builder);
        // 104 keys fill 16 buckets to Go's load limit (6.5 per bucket).
        let keys: Vec<u64> = (0..105).map(|i| i * 16).collect();
        for &k in &keys[..104] {
            map.insert(k, k + 1);
            map.check_invariants();
        }
        map.finish_growth();
        let chains = map.instruments().chain_lengths();
        assert_eq!(chains.chains, 16);
        assert!(
            chains.longest > 8,
            "chains of {} buckets: too short",
            chains.longest
        );
        map.insert(keys[104], keys[104] + 1); // the doubling to 32 buckets
        map.finish_growth();
        map.check_invariants();
        assert_eq!(map.instruments().chain_lengths().chains, 32);
        for &k in &keys {
            assert_eq!(map.get(&k), Some(&(k + 1)));
        }
        assert_eq!(map.len(), keys.len());
    }
}
