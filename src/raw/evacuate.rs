//! Incremental evacuation (Go `growWork`, `evacuate`, `evacDst`,
//! `advanceEvacuationMark`).
//!
//! A growth (`lifecycle.rs`) allocates the new array and keeps the old one;
//! nothing moves at that point. Every write then evacuates the old chain
//! that feeds the bucket it is about to use, plus `cursor_steps` chains at
//! the cursor. When the cursor passes the last old chain the growth is
//! complete (`lifecycle.rs` retires the old array).
//!
//! An evacuation step works on an [`Evacuation`]: the borrow of the old
//! array with its cursor, the new array, and what linking an overflow
//! bucket updates, taken once per step by matching the lifecycle. Holding
//! one is the proof that an evacuation runs; its kind (doubling, same-size
//! growth or shrink) was decided once when it began (`OldArray::kind`).
//! Three movers share one destination cursor ([`Dest`]) and one move of
//! an entry ([`move_entry`]):
//!
//! | mover | evacuation | destination |
//! |---|---|---|
//! | `move_bucket_into_doubled` | a doubling of a one-bucket chain (most chains) | two empty chains: at most 8 entries, no overflow |
//! | `move_chain_into_grown` | a doubling or same-size growth | empty chains (I5): filled densely |
//! | `move_chain_into_shrunk` | a shrink | a chain that may hold entries: first empty slots |
//!
//! Panic safety: evacuating a chain of a doubling growth re-hashes its keys,
//! and `Hash` may panic. We therefore hash every key of the chain first
//! ("pass 1") and only then move entries ("pass 2", which cannot panic). A
//! panic in pass 1 leaves the table exactly as it was. Same-size growths and
//! shrinks hash nothing.

use core::ptr::{self, NonNull};

use super::RawTable;
use super::array::BucketArray;
use super::bucket::{BUCKET_SLOTS, Bucket, ChainWalk, Slot, Tops, overflow};
use super::group::{BitMask, Group};
use super::lifecycle::{Lifecycle, OldArray, Pace};
use super::pages::GivenBack;
use super::recorder::Recorder;
use super::tophash::{EVACUATED_EMPTY, EVACUATED_X, MIN_TOP_HASH, evacuated_markers, is_empty};
use crate::EvacuationKind;
use crate::instruments::Source;
use crate::layout::BucketLayout;

/// Most already-evacuated chains the cursor skips in one step (Go: 1024).
const CURSOR_SKIP_CAP: usize = 1024;

/// Moves the entry of the live slot `from`, whose tophash is `top`, into
/// the empty slot `to`, whose tophash byte is at `to_top`: key and value
/// first, the tophash last (I1).
///
/// # Safety
///
/// 1. `from` is a live slot (I1) of a live bucket, and its entry is moved
///    once: the caller marks it evacuated;
/// 2. `to` is an empty slot of a live bucket, and `to_top` is its tophash
///    byte (I11).
#[inline(always)]
unsafe fn move_entry<K, V, L: BucketLayout>(
    from: Slot<K, V, L>,
    top: u8,
    to: Slot<K, V, L>,
    to_top: *mut u8,
) {
    // SAFETY: caller (1): `from`'s key and value are initialised and
    // nobody reads them again; caller (2): `to`'s are writable and
    // uninitialised, its tophash byte is `to_top`.
    unsafe {
        debug_assert!(is_empty(*to_top), "destination slot not empty");
        ptr::copy_nonoverlapping(from.key(), to.key(), 1);
        ptr::copy_nonoverlapping(from.value(), to.value(), 1);
        *to_top = top;
    }
}

/// The next slot to fill in a destination chain (Go `evacDst`): its
/// bucket, that bucket's tophash word (found once per bucket, I11) and the
/// slot's index.
struct Dest<K, V, L: BucketLayout> {
    bucket: NonNull<Bucket<K, V, L>>,
    word: *mut [u8; 8],
    index: usize,
}

impl<K, V, L: BucketLayout> Clone for Dest<K, V, L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V, L: BucketLayout> Copy for Dest<K, V, L> {}

impl<K, V, L: BucketLayout> Dest<K, V, L> {
    /// Chain `i` of `new`, whose words `tops` describes, from its first
    /// slot.
    ///
    /// # Safety
    ///
    /// `i < new.len()`, and `tops` is `new.tops()`.
    #[inline(always)]
    unsafe fn at(new: &BucketArray<K, V, L>, tops: Tops<K, V, L>, i: usize) -> Self {
        // SAFETY: caller: `i` indexes a primary bucket of the allocated
        // array.
        let bucket = unsafe { new.bucket(i) };
        Dest {
            bucket,
            // SAFETY: `bucket` is primary bucket `i` of the array `tops`
            // describes (caller).
            word: unsafe { tops.head_word(i, bucket) },
            index: 0,
        }
    }

    /// The slot at the position, and its tophash byte; the position moves
    /// on. The bucket has room (the caller knows: at most 8 entries into a
    /// chain that was empty, I5).
    #[inline(always)]
    fn next_in_bucket(&mut self) -> (Slot<K, V, L>, *mut u8) {
        debug_assert!(self.index < BUCKET_SLOTS, "no room left in the bucket");
        let slot = Slot {
            bucket: self.bucket,
            index: self.index,
        };
        // SAFETY: `index < 8`: a byte of the bucket's word.
        let top = unsafe { self.word.cast::<u8>().add(self.index) };
        self.index += 1;
        (slot, top)
    }
}

/// What one evacuation step did, counted once at its end.
#[derive(Default)]
struct Tally {
    /// Old chains moved, and the entries they held.
    chains: u64,
    entries: u64,
    /// Chains the cursor skipped because writes had moved them.
    skipped: u64,
    /// Overflow buckets linked into destination chains, the bytes newly
    /// held for them, and the most bytes the table held right after one
    /// was linked (told to the triggers and the instruments at the end of
    /// the step, as if one by one).
    linked: u64,
    linked_bytes: u64,
    peak_held: u64,
}

/// One evacuation step's borrow of the table: the old array and its
/// cursor, and the new array; what the step did is tallied and told to the
/// triggers and the instruments once, at its end. Made only by
/// [`RawTable::evacuation`], which matches the lifecycle: holding one
/// proves that an evacuation runs.
pub(super) struct Evacuation<'a, K, V, L: BucketLayout> {
    old: &'a mut OldArray<K, V, L>,
    new: &'a mut BucketArray<K, V, L>,
    /// Told directly what the step gives back (rarely anything: a run of
    /// pages every few dozen chains, spilled buckets).
    recorder: &'a mut Recorder,
    tally: Tally,
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// The borrow of an evacuation step, if an evacuation runs.
    #[inline]
    fn evacuation(&mut self) -> Option<Evacuation<'_, K, V, L>> {
        let Lifecycle::Evacuating(old) = &mut self.state else {
            return None;
        };
        Some(Evacuation {
            old,
            new: &mut self.buckets,
            recorder: &mut self.recorder,
            tally: Tally::default(),
        })
    }

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
        let start = self.recorder.clock();
        let Some(mut ev) = self.evacuation() else {
            return 0;
        };
        let mut own = hash.map(|h| h as usize & ev.old.array.mask());
        let mut left = at_cursor.saturating_add(usize::from(own.is_some()));
        let mut done = false;
        while left > 0 && !done {
            left -= 1;
            let i = own.take().unwrap_or(ev.old.cursor);
            // SAFETY: `i` is masked with the old mask, or is the cursor,
            // which stays below the old length while evacuating (I3).
            done = unsafe { ev.evacuate_chain(i, hasher) };
        }
        let Tally {
            chains,
            entries,
            skipped,
            linked,
            linked_bytes,
            peak_held,
        } = ev.tally;
        self.recorder.record(Source::Evacuation, start);
        self.recorder.step_evacuated(chains, entries, skipped);
        if linked > 0 {
            self.overflows_linked(linked, linked_bytes, peak_held);
        }
        if done {
            self.evacuation_done(pace);
        }
        chains as usize
    }
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// A step linked `linked` overflow buckets (`bytes` newly held, the
    /// table holding at most `peak_held` bytes of its two arrays right
    /// after one): tells the triggers and the recorder (out of line: most
    /// steps link none).
    #[cold]
    #[inline(never)]
    fn overflows_linked(&mut self, linked: u64, bytes: u64, peak_held: u64) {
        self.triggers.overflows_linked(linked);
        // A same-size growth may run with a spare held.
        let spare = self.spare.bytes() as u64;
        self.recorder
            .overflow_linked(linked, bytes, peak_held + spare);
    }
}

impl<K, V, L: BucketLayout> Evacuation<'_, K, V, L> {
    /// Go `evacuate(oldbucket)`: moves old chain `old_index` unless an
    /// earlier write did; a chain at the cursor moves the cursor on.
    /// Returns true when the cursor has passed the last chain: the caller
    /// then ends the growth (`evacuation_done`) before anything else.
    ///
    /// # Safety
    ///
    /// `old_index` is below the old array's length.
    #[inline(always)]
    unsafe fn evacuate_chain(&mut self, old_index: usize, hasher: &impl Fn(&K) -> u64) -> bool {
        debug_assert!(old_index < self.old.array.len());
        if old_index < self.old.cursor {
            return false; // I3; and its memory may be given back (I10)
        }
        let at_cursor = old_index == self.old.cursor;
        // SAFETY: `old_index < len()` (caller); at or above the cursor its
        // pages are still there (I10).
        if !unsafe { self.old.array.chain_evacuated(old_index) } {
            // SAFETY: `old_index < len()`, at or above the cursor and not
            // evacuated (checked above).
            self.tally.entries += unsafe { self.move_chain(old_index, hasher) };
            self.tally.chains += 1;
        }
        // SAFETY: the chain at the cursor is evacuated (it was, or was just
        // moved).
        at_cursor && unsafe { self.advance_cursor() }
    }

    /// Moves every entry of old chain `old_index` to its destination and
    /// marks the chain evacuated; returns the entries moved.
    ///
    /// # Safety
    ///
    /// `old_index` is below the old array's length and at or above the
    /// cursor (its pages are there, I10), and the chain is not evacuated
    /// yet.
    ///
    /// Destinations: a doubling splits the chain between new chains
    /// `old_index` (X) and `old_index + 2^oldB` (Y) by hash bit `oldB`; a
    /// same-size growth keeps it at `old_index`; a shrink appends it to new
    /// chain `old_index & (2^B - 1)`, which may already hold entries from
    /// other old chains and from writes.
    #[inline(always)]
    unsafe fn move_chain(&mut self, old_index: usize, hasher: &impl Fn(&K) -> u64) -> u64 {
        // SAFETY: caller: `old_index` is below the old array's length.
        let head = unsafe { self.old.array.bucket(old_index) };
        // SAFETY: `head` is a primary bucket of the allocated old array.
        let alone = unsafe { overflow(head) }.is_none();
        let entries = match self.old.kind {
            // SAFETY: `head` heads an unevacuated old chain (caller), alone
            // in it (checked), and the table is doubling.
            EvacuationKind::Doubling if alone => unsafe {
                self.move_bucket_into_doubled(head, old_index, hasher)
            },
            // SAFETY: as above, and the table is shrinking.
            EvacuationKind::Shrink => unsafe { self.move_chain_into_shrunk(head, old_index) },
            // SAFETY: as above, and the table grows into an array at least
            // as large.
            _ => unsafe { self.move_chain_into_grown(head, old_index, hasher) },
        };
        self.old.evacuated += 1;
        // Go unlinks an evacuated chain's overflow buckets; we free the
        // spilled ones now rather than when the cursor passes, which also
        // keeps the cursor's release check to one comparison.
        // SAFETY: `head` is a primary bucket of the old array whose chain
        // was just evacuated: every slot marked and moved out, and only the
        // head's markers are read again (I4, I10).
        let freed = unsafe { self.old.array.unlink_overflow(head) };
        if freed > 0 {
            self.recorder.given_back(freed, 0);
        }
        entries
    }

    /// A growth's tophash words, old and new, and `2^oldB`: the hash bit
    /// that sends an entry to Y in a doubling, and the distance from X to Y.
    #[inline(always)]
    fn growth_tops(&self) -> (Tops<K, V, L>, Tops<K, V, L>, usize) {
        debug_assert!(self.old.kind != EvacuationKind::Shrink);
        (self.old.array.tops(), self.new.tops(), self.old.array.len())
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
        let (old, new, newbit) = self.growth_tops();
        debug_assert!(old_index + newbit < self.new.len(), "a doubling");
        // SAFETY: caller: `head` is primary bucket `old_index`, live.
        let word = unsafe { old.head_word(old_index, head) };
        // SAFETY: `word` is `head`'s (I11).
        let full = Group::load(unsafe { *word }).match_full();
        // SAFETY: `head` is live and its live slots are `full` (above).
        let y = BitMask::from_bits(unsafe { y_slots(head, full, newbit, hasher) });
        // Pass 2: nothing below can panic.
        let mut moved = 0;
        for (dest, slots) in [(old_index, full.minus(y)), (old_index + newbit, y)] {
            // SAFETY: `dest < len()`: X is `old_index`, Y is
            // `old_index + 2^oldB < 2^(oldB+1)`; `new` is its `Tops`.
            let mut to = unsafe { Dest::at(self.new, new, dest) };
            for i in slots {
                let (slot, to_top) = to.next_in_bucket();
                // SAFETY: slot `i` of `head` is live (I1), moved once (the
                // markers below say so); `slot` is empty (I5: the chain
                // was empty, and at most 8 entries come from one bucket).
                unsafe {
                    let top = *word.cast::<u8>().add(i);
                    move_entry(
                        Slot {
                            bucket: head,
                            index: i,
                        },
                        top,
                        slot,
                        to_top,
                    );
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
        let (old, new, newbit) = self.growth_tops();
        let doubling = self.old.kind == EvacuationKind::Doubling;
        // SAFETY: caller: `head` is the live head of old chain `old_index`,
        // not evacuated, not given back (I10), and nothing changes its
        // links while the walks below run.
        let walk = || unsafe { ChainWalk::new(old, old_index, head) };
        let ys = if doubling {
            YSlots::of_chain(walk(), newbit, hasher)
        } else {
            YSlots::none()
        };
        // Pass 2: nothing below can panic. X is `old_index`'s chain; a
        // doubling's Y is `old_index + 2^oldB < 2^(oldB+1)`, which exists. A
        // same-size growth has no Y bits set, so its Y is never used.
        // SAFETY: `old_index < len()` of the new array (at least as large),
        // whose `Tops` is `new`.
        let mut x = unsafe { Dest::at(self.new, new, old_index) };
        let mut y = if doubling {
            // SAFETY: a doubling's Y chain exists (above).
            unsafe { Dest::at(self.new, new, old_index + newbit) }
        } else {
            x
        };
        let mut moved = 0u64;
        let mut walk = walk();
        let mut k = 0;
        loop {
            let (b, word) = (walk.bucket(), walk.word());
            // SAFETY: `b` is a live bucket of the old chain with word `word`
            // (I6, I11), not evacuated (caller). Its live slots
            // (tophash >= MIN_TOP_HASH: initialised, I1) are `full`, split
            // by `ymask` between X and Y; each is moved exactly once into
            // the next empty slot of its destination chain (`Dest`, I5).
            // The bucket's markers are written last and leave no live
            // tophash behind (I4); its link is not touched.
            unsafe {
                let full = Group::load(*word).match_full();
                let ymask = ys.get(k);
                for i in full.minus(ymask) {
                    self.move_to::<false>(&mut x, b, *word.cast::<u8>().add(i), i);
                    moved += 1;
                }
                for i in ymask {
                    self.move_to::<false>(&mut y, b, *word.cast::<u8>().add(i), i);
                    moved += 1;
                }
                *word = evacuated_markers(full, ymask);
            }
            if !walk.advance() {
                return moved;
            }
            k += 1;
        }
    }

    /// Moves the entry in slot `i` of old bucket `from` (tophash `top`)
    /// into the next empty slot of the destination chain of `to`, linking
    /// an overflow bucket when its bucket is full. `SCAN`: skip full slots
    /// (a shrink's destination); without it the position is empty (a
    /// growth's destination, I5).
    ///
    /// # Safety
    ///
    /// Slot `i` of `from` is live (I1) with tophash `top`, and is moved
    /// once (the caller marks it evacuated); `to`'s bucket is live in the
    /// new array; without `SCAN`, every slot from `to`'s position on is
    /// empty (I5), with it every slot before the position is full.
    #[inline(always)]
    unsafe fn move_to<const SCAN: bool>(
        &mut self,
        to: &mut Dest<K, V, L>,
        from: NonNull<Bucket<K, V, L>>,
        top: u8,
        i: usize,
    ) {
        loop {
            if to.index == BUCKET_SLOTS {
                // SAFETY: caller: the bucket is live in the new array's
                // chains, and so is the one linked after it (I6, I11).
                unsafe {
                    to.bucket =
                        next_dest_bucket(self.new, &self.old.array, &mut self.tally, to.bucket);
                    to.word = self.new.tops().word(to.bucket);
                }
                to.index = 0;
            }
            // SAFETY: `index < 8` (wrapped above): a byte of the word.
            if !SCAN || is_empty(unsafe { *to.word.cast::<u8>().add(to.index) }) {
                break;
            }
            to.index += 1;
        }
        let (slot, to_top) = to.next_in_bucket();
        // SAFETY: caller: slot `i` of `from` is live and moved once;
        // `slot` is empty (I5 without `SCAN`; found empty with it).
        unsafe {
            move_entry(
                Slot {
                    bucket: from,
                    index: i,
                },
                top,
                slot,
                to_top,
            )
        };
    }

    /// `move_chain` for a shrink: every entry goes to new chain
    /// `old_index & mask`, into its first empty slots, which keeps I2 as
    /// an insert does. No key is hashed, so nothing here can panic.
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
        // SAFETY: masked, so below the new array's length.
        let mut to = unsafe { Dest::at(self.new, self.new.tops(), old_index & self.new.mask()) };
        // SAFETY: caller: the live head of old chain `old_index`, not given
        // back (I10); only slots change during the walk, never links.
        let walk = unsafe { ChainWalk::new(self.old.array.tops(), old_index, head) };
        let mut moved = 0;
        for (b, word) in walk {
            for i in 0..BUCKET_SLOTS {
                // SAFETY: `word` is `b`'s (I11) and `i < 8`. A slot with
                // tophash >= MIN_TOP_HASH holds an entry (I1), which
                // `move_to` moves out once: its old slot is marked evacuated
                // first, so it is never read as live again (I1, I4). Every
                // slot before `to`'s position is full (`move_to::<true>`
                // keeps it so).
                unsafe {
                    let from_top = word.cast::<u8>().add(i);
                    let top = *from_top;
                    if is_empty(top) {
                        *from_top = EVACUATED_EMPTY;
                        continue;
                    }
                    debug_assert!(top >= MIN_TOP_HASH, "I4: marker in unevacuated chain");
                    *from_top = EVACUATED_X;
                    self.move_to::<true>(&mut to, b, top, i);
                }
                moved += 1;
            }
        }
        moved
    }

    /// Go `advanceEvacuationMark`: moves the cursor past the chain it points
    /// at and past up to 1024 chains that writes have already evacuated,
    /// then gives back the pages below it that are due. Returns true if the
    /// cursor reached the end (the caller ends the growth).
    ///
    /// # Safety
    ///
    /// The chain at the cursor is evacuated.
    #[inline(always)]
    unsafe fn advance_cursor(&mut self) -> bool {
        let old = &mut *self.old;
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
        self.tally.skipped += (cursor - from) as u64;
        if cursor == len {
            return true;
        }
        // SAFETY: chains below the cursor are evacuated (I3; the one at the
        // old cursor by the caller) and are never read again: every reader
        // checks the cursor first (I10).
        let given = unsafe { old.array.release_below(cursor) };
        if given != GivenBack::default() {
            self.recorder.given_back(given.bytes, given.calls);
        }
        false
    }
}

/// The bucket after `full`, a full bucket of a destination chain (a
/// growth's or a shrink's) in `new`: the one linked after it, or a fresh
/// overflow bucket (Go `newoverflow`), tallied for the end of the step
/// (`old`: the old array, for the bytes held). Out of line and on the
/// parts of the evacuation's borrow, so that the move loops keep their
/// registers.
///
/// # Safety
///
/// `full` is a live bucket of `new`'s chains (I6).
#[cold]
#[inline(never)]
unsafe fn next_dest_bucket<K, V, L: BucketLayout>(
    new: &mut BucketArray<K, V, L>,
    old: &BucketArray<K, V, L>,
    tally: &mut Tally,
    full: NonNull<Bucket<K, V, L>>,
) -> NonNull<Bucket<K, V, L>> {
    // SAFETY: caller: `full` is live.
    if let Some(next) = unsafe { overflow(full) } {
        return next;
    }
    // SAFETY: caller: `full` is live in `new`'s chains and its link is
    // null: it ends its chain.
    let (bucket, bytes) = unsafe { new.push_overflow(full) };
    tally.linked += 1;
    tally.linked_bytes += bytes as u64;
    tally.peak_held = tally.peak_held.max((new.bytes() + old.bytes()) as u64);
    bucket
}

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
    /// No slot goes to Y (a same-size growth).
    fn none() -> Self {
        YSlots {
            first: [0; 8],
            more: Vec::new(),
        }
    }

    /// Pass 1 over the chain `walk` walks (the old chain of a doubling,
    /// not evacuated).
    #[inline(always)]
    fn of_chain<K, V, L: BucketLayout>(
        mut walk: ChainWalk<K, V, L>,
        newbit: usize,
        hasher: &impl Fn(&K) -> u64,
    ) -> Self {
        let mut ys = YSlots::none();
        let mut k = 0;
        loop {
            // SAFETY: the walk is on a live bucket of the chain with its
            // word (I6, I11); its live slots are the full ones (I1).
            let y = unsafe {
                y_slots(
                    walk.bucket(),
                    Group::load(*walk.word()).match_full(),
                    newbit,
                    hasher,
                )
            };
            match ys.first.get_mut(k) {
                Some(slot) => *slot = y,
                None => ys.more.push(y), // buckets are visited in order
            }
            if !walk.advance() {
                return ys;
            }
            k += 1;
        }
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

#[cfg(test)]
mod tests {
    use super::super::fixture::CHECK_EVERY;
    use core::hash::{BuildHasher, Hasher};

    use crate::{EvacMap, EvacuationKind, Phase, Policy};

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
        for (i, &k) in (0u64..).zip(&keys[..104]) {
            map.insert(k, k + 1);
            if i.is_multiple_of(CHECK_EVERY) {
                map.check_invariants();
            }
        }
        map.finish_evacuation();
        let chains = map.instruments().chain_lengths();
        assert_eq!(chains.chains, 16);
        assert!(
            chains.longest > 8,
            "chains of {} buckets: too short",
            chains.longest
        );
        map.insert(keys[104], keys[104] + 1); // the doubling to 32 buckets
        map.finish_evacuation();
        map.check_invariants();
        assert_eq!(map.instruments().chain_lengths().chains, 32);
        for &k in &keys {
            assert_eq!(map.get(&k), Some(&(k + 1)));
        }
        assert_eq!(map.len(), keys.len());
    }

    /// The kind is decided when the evacuation begins and drives the
    /// movers: a doubling, then a shrink of the same map, each evacuated
    /// one chain at a time with every invariant checked.
    #[test]
    fn each_kind_of_evacuation_moves_every_entry() {
        let mut map: EvacMap<u64, u64> = EvacMap::with_policy(
            Policy::go()
                .with_cursor_steps(0)
                .with_evacuate_on_remove(false),
        );
        // 2,000 keys (Miri: 120): a doubling is running at the end.
        let (n, keep) = if cfg!(miri) { (120, 10) } else { (2_000, 100) };
        for i in 0..n {
            map.insert(i, i);
        }
        let kind = |m: &EvacMap<u64, u64>| match m.phase() {
            Phase::Evacuating(p) => Some(p.kind),
            _ => None,
        };
        assert_eq!(kind(&map), Some(EvacuationKind::Doubling));
        while map.evacuate(1) > 0 {
            map.check_invariants();
        }
        for i in 0..n - keep {
            map.remove(&i);
        }
        map.shrink_to_fit();
        assert_eq!(kind(&map), Some(EvacuationKind::Shrink));
        while map.evacuate(1) > 0 {
            map.check_invariants();
        }
        assert!((n - keep..n).all(|i| map.get(&i) == Some(&i)));
        assert_eq!(map.len(), keep as usize);
    }
}
