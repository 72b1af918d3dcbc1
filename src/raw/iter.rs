//! Raw iteration over live slots, and the owning/draining iterators.
//!
//! Every live entry is either in an old chain that is not evacuated or in the
//! new array, never both (I4, I5): evacuated old slots carry markers, not
//! entries. So iterating the old chains from the cursor on (skipping
//! evacuated ones; those below the cursor are evacuated and may be given
//! back, I3/I10) and then all new chains visits each live entry exactly
//! once, without hashing, at any point of a growth.

use core::marker::PhantomData;
use core::ptr::{self, NonNull};

use super::array::BucketArray;
use super::bucket::{Bucket, ChainWalk, LiveSlots, Slot, Tops};
use super::tophash::is_evacuated_marker;
use super::{RawTable, ScopeGuard};
use crate::layout::BucketLayout;

/// A live slot, the head of the chain it is in, and where that array's
/// tophash words are.
pub(crate) type ChainSlot<K, V, L> = (Tops<K, V, L>, NonNull<Bucket<K, V, L>>, Slot<K, V, L>);

/// Base pointer and length of one array's primary buckets, and its tophash
/// words.
struct ArrayView<K, V, L: BucketLayout> {
    base: Option<NonNull<Bucket<K, V, L>>>,
    len: usize,
    tops: Tops<K, V, L>,
}

impl<K, V, L: BucketLayout> Clone for ArrayView<K, V, L> {
    fn clone(&self) -> Self {
        ArrayView {
            base: self.base,
            len: self.len,
            tops: self.tops,
        }
    }
}

impl<K, V, L: BucketLayout> ArrayView<K, V, L> {
    fn of(a: &BucketArray<K, V, L>) -> Self {
        ArrayView {
            // SAFETY: `0 < len()` when allocated (`bucket`'s precondition).
            base: a.is_allocated().then(|| unsafe { a.bucket(0) }),
            len: a.len(),
            tops: a.tops(),
        }
    }
}

/// The chain an iterator is in: its head, and its live slots not yet
/// yielded.
type InChain<K, V, L> = (NonNull<Bucket<K, V, L>>, LiveSlots<K, V, L>);

/// Iterator over the live slots of a table, old chains first.
pub(crate) struct RawIter<K, V, L: BucketLayout> {
    /// `[old array, new array]`.
    arrays: [ArrayView<K, V, L>; 2],
    /// Index into `arrays` being walked.
    phase: usize,
    /// Next primary bucket to start in `arrays[phase]`.
    next_primary: usize,
    /// The chain being walked: its head, and its live slots not yet
    /// yielded.
    chain: Option<InChain<K, V, L>>,
    /// Live slots not yet yielded (the table's `count` at creation).
    remaining: usize,
    marker: PhantomData<(K, V)>,
}

impl<K, V, L: BucketLayout> Clone for RawIter<K, V, L> {
    fn clone(&self) -> Self {
        RawIter {
            arrays: self.arrays.clone(),
            phase: self.phase,
            next_primary: self.next_primary,
            chain: self.chain.clone(),
            remaining: self.remaining,
            marker: PhantomData,
        }
    }
}

impl<K, V, L: BucketLayout> RawIter<K, V, L> {
    /// An iterator over `table`'s live slots as they are now.
    ///
    /// # Safety
    ///
    /// Until the iterator (and every `Slot` it yields) is last used, `table`
    /// stays alive and is not restructured: no growth, evacuation, insert,
    /// clear or free; only `erase` of slots already yielded (which keeps
    /// every position, and the remaining slots' contents). The callers hold
    /// a borrow of the table, or own it, for that long.
    pub(crate) unsafe fn new(table: &RawTable<K, V, L>) -> Self {
        let unallocated = BucketArray::unallocated();
        let (old, cursor) = table
            .state
            .old()
            .map_or((&unallocated, 0), |o| (&o.array, o.cursor));
        RawIter {
            arrays: [ArrayView::of(old), ArrayView::of(&table.buckets)],
            phase: 0,
            // Old chains below the cursor are evacuated (I3) and must not be
            // read (I10).
            next_primary: cursor,
            chain: None,
            remaining: table.count,
            marker: PhantomData,
        }
    }

    /// An iterator over nothing (for the `Default` of the public
    /// iterators): no arrays, no entries, no pointers to follow.
    pub(crate) fn empty() -> Self {
        RawIter {
            arrays: [
                ArrayView::of(&BucketArray::unallocated()),
                ArrayView::of(&BucketArray::unallocated()),
            ],
            phase: 1,
            next_primary: 0,
            chain: None,
            remaining: 0,
            marker: PhantomData,
        }
    }

    /// Live entries not yet yielded.
    pub(crate) fn len(&self) -> usize {
        self.remaining
    }

    /// The next live slot and the head of its chain.
    pub(crate) fn next_with_head(&mut self) -> Option<ChainSlot<K, V, L>> {
        loop {
            if self.remaining == 0 {
                return None;
            }
            if let Some((head, slots)) = &mut self.chain {
                if let Some(slot) = slots.next() {
                    self.remaining -= 1;
                    return Some((self.arrays[self.phase].tops, *head, slot));
                }
                self.chain = None;
            }
            let view = &self.arrays[self.phase];
            if self.next_primary < view.len {
                let i = self.next_primary;
                self.next_primary += 1;
                let base = view.base.expect("allocated array");
                // SAFETY: `i < len`: a primary bucket inside the array,
                // which is still allocated and, at or above the cursor in
                // the old array, not given back (`new`'s contract; I10:
                // `new` starts the old array at the cursor); the table is
                // not restructured while the iterator is used.
                let walk = unsafe { ChainWalk::new(view.tops, i, base.add(i)) };
                // I4: an evacuated old chain holds no entry; skip it whole.
                // SAFETY: the head's word (I11).
                if self.phase == 0 && is_evacuated_marker(unsafe { (*walk.word())[0] }) {
                    continue;
                }
                self.chain = Some((walk.bucket(), LiveSlots::new(walk)));
                continue;
            }
            if self.phase == 1 {
                debug_assert!(false, "I7: count larger than the live slots found");
                return None;
            }
            self.phase = 1;
            self.next_primary = 0;
        }
    }
}

impl<K, V, L: BucketLayout> Iterator for RawIter<K, V, L> {
    type Item = Slot<K, V, L>;

    #[inline]
    fn next(&mut self) -> Option<Slot<K, V, L>> {
        self.next_with_head().map(|(_, _, slot)| slot)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

/// Moves the entry out of a live slot.
///
/// # Safety
///
/// `slot` is live (its bucket live, its tophash `>= MIN_TOP_HASH`, I1), and
/// its entry is neither read nor dropped again.
unsafe fn read_entry<K, V, L: BucketLayout>(slot: Slot<K, V, L>) -> (K, V) {
    // SAFETY: caller: a live slot (I1) of a live bucket, whose key and value
    // are initialised; ownership passes to the caller.
    unsafe { (ptr::read(slot.key()), ptr::read(slot.value())) }
}

/// Drops the entry in a live slot.
///
/// # Safety
///
/// As for `read_entry`.
unsafe fn drop_slot<K, V, L: BucketLayout>(slot: Slot<K, V, L>) {
    // A tuple drops its second field even if dropping the first panics.
    // SAFETY: caller: `read_entry`'s contract; ownership passes to this tuple.
    drop(unsafe { read_entry(slot) });
}

/// Drops every entry `iter` has not yielded. If one drop panics, the rest are
/// still dropped (a second panic aborts, as for std's collections).
///
/// # Safety
///
/// `iter` is valid (`RawIter::new`'s contract) and the caller treats every
/// entry it yields as gone: the table is cleared or freed afterwards,
/// without reading or dropping those entries again.
pub(crate) unsafe fn drop_remaining<K, V, L: BucketLayout>(iter: RawIter<K, V, L>) {
    let mut guard = ScopeGuard::new(iter, |iter| {
        for slot in iter {
            // SAFETY: a valid iterator yields each live slot (I1) once, so
            // each entry is dropped once; the caller never reads it again.
            unsafe { drop_slot(slot) };
        }
    });
    // Normal path: this loop drops everything and the guard finds nothing
    // left. If a drop panics, unwinding runs the guard, which drops the rest.
    for slot in &mut *guard {
        // SAFETY: a valid iterator yields each live slot (I1) once; the
        // caller never reads it again (this function's contract).
        unsafe { drop_slot(slot) };
    }
}

/// An iterator that owns a table and moves its entries out: the owning
/// iterator (`into_iter`, ending [`FreeArrays`]) and the draining one
/// (`drain`, ending [`GiveBack`]: the arrays were moved out of the map up
/// front, leaving it empty, so `mem::forget` on the drain leaks but never
/// double-drops). Either way the entries not yet yielded are dropped
/// first, then the ending runs.
pub(crate) struct RawOwningIter<K, V, L: BucketLayout, E: Ending<K, V, L>> {
    iter: RawIter<K, V, L>,
    table: RawTable<K, V, L>,
    ending: E,
}

/// What a [`RawOwningIter`] does with its table once its entries are gone.
pub(crate) trait Ending<K, V, L: BucketLayout> {
    /// Ends `table`.
    ///
    /// # Safety
    ///
    /// Every entry of `table` was moved out or dropped.
    unsafe fn end(&mut self, table: &mut RawTable<K, V, L>);
}

/// `into_iter`'s ending: the arrays are freed.
#[derive(Debug, Default)]
pub(crate) struct FreeArrays;

impl<K, V, L: BucketLayout> Ending<K, V, L> for FreeArrays {
    unsafe fn end(&mut self, table: &mut RawTable<K, V, L>) {
        // SAFETY: caller: no entry is used again.
        unsafe { table.forget_entries_and_free() }
    }
}

/// `drain`'s ending: the emptied arrays go back to the map, keeping `B`.
pub(crate) struct GiveBack<'a, K, V, L: BucketLayout>(&'a mut RawTable<K, V, L>);

impl<K, V, L: BucketLayout> Ending<K, V, L> for GiveBack<'_, K, V, L> {
    unsafe fn end(&mut self, table: &mut RawTable<K, V, L>) {
        table.clear_no_drop();
        core::mem::swap(table, self.0);
    }
}

/// The owning iterator of `into_iter`.
pub(crate) type RawIntoIter<K, V, L> = RawOwningIter<K, V, L, FreeArrays>;

/// The draining iterator of `drain`.
pub(crate) type RawDrain<'a, K, V, L> = RawOwningIter<K, V, L, GiveBack<'a, K, V, L>>;

// SAFETY: it owns the entries (like `RawTable`), and a draining one holds
// the map's exclusive `&mut` borrow: sound to send when `K` and `V` are
// `Send`.
unsafe impl<K: Send, V: Send, L: BucketLayout, E: Ending<K, V, L>> Send
    for RawOwningIter<K, V, L, E>
{
}
// SAFETY: `&RawOwningIter` gives out only `&K`/`&V` (through `remaining`,
// for `Debug`), which is sound to share when `K` and `V` are `Sync`.
unsafe impl<K: Sync, V: Sync, L: BucketLayout, E: Ending<K, V, L>> Sync
    for RawOwningIter<K, V, L, E>
{
}

impl<K, V, L: BucketLayout> Default for RawIntoIter<K, V, L> {
    fn default() -> Self {
        RawOwningIter::new(RawTable::new(crate::Policy::go()))
    }
}

impl<K, V, L: BucketLayout> RawIntoIter<K, V, L> {
    /// The owning iterator of `table`.
    pub(crate) fn new(table: RawTable<K, V, L>) -> Self {
        RawOwningIter::with_ending(table, FreeArrays)
    }
}

impl<'a, K, V, L: BucketLayout> RawDrain<'a, K, V, L> {
    /// A draining iterator of `orig`: its arrays move into the iterator,
    /// leaving `orig` empty until the iterator gives them back.
    pub(crate) fn drain(orig: &'a mut RawTable<K, V, L>) -> Self {
        let table = core::mem::replace(orig, RawTable::new(orig.policy));
        RawOwningIter::with_ending(table, GiveBack(orig))
    }
}

impl<K, V, L: BucketLayout, E: Ending<K, V, L>> RawOwningIter<K, V, L, E> {
    fn with_ending(table: RawTable<K, V, L>, ending: E) -> Self {
        RawOwningIter {
            // SAFETY: the iterator owns the table (moving the `RawTable`
            // value does not move its arrays) and only reads entries out.
            iter: unsafe { RawIter::new(&table) },
            table,
            ending,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.iter.len()
    }

    /// Shared view of the entries not yet yielded.
    pub(crate) fn remaining(&self) -> RefIter<'_, K, V, L> {
        RefIter {
            iter: self.iter.clone(),
            marker: PhantomData,
        }
    }
}

impl<K, V, L: BucketLayout, E: Ending<K, V, L>> Iterator for RawOwningIter<K, V, L, E> {
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        let slot = self.iter.next()?;
        // SAFETY: the owned table's iterator yields each live slot (I1)
        // once; `Drop` below ends the table without dropping the entries
        // moved out.
        Some(unsafe { read_entry(slot) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

impl<K, V, L: BucketLayout, E: Ending<K, V, L>> Drop for RawOwningIter<K, V, L, E> {
    fn drop(&mut self) {
        let parts = (&mut self.table, &mut self.ending);
        let _end = ScopeGuard::new(parts, |(table, ending)| {
            // SAFETY: the guard runs once every entry was moved out or
            // dropped, by `drop_remaining` or by its own guard.
            unsafe { ending.end(table) }
        });
        // SAFETY: the iterator is valid (the owned table is unchanged); the
        // guard above ends the table without reading the entries.
        unsafe { drop_remaining(self.iter.clone()) };
    }
}

/// Shared-reference iterator over a borrowed table.
pub(crate) struct RefIter<'a, K, V, L: BucketLayout> {
    iter: RawIter<K, V, L>,
    marker: PhantomData<&'a RawTable<K, V, L>>,
}

// SAFETY: yields `&K`/`&V` only, like `&RawTable`: sound to send to another
// thread when `K` and `V` are `Sync`.
unsafe impl<K: Sync, V: Sync, L: BucketLayout> Send for RefIter<'_, K, V, L> {}
// SAFETY: `&RefIter` gives out nothing but clones of it, which yield `&K`
// and `&V`: sound when `K` and `V` are `Sync`.
unsafe impl<K: Sync, V: Sync, L: BucketLayout> Sync for RefIter<'_, K, V, L> {}

impl<K, V, L: BucketLayout> Default for RefIter<'_, K, V, L> {
    fn default() -> Self {
        RefIter {
            iter: RawIter::empty(),
            marker: PhantomData,
        }
    }
}

impl<K, V, L: BucketLayout> Clone for RefIter<'_, K, V, L> {
    fn clone(&self) -> Self {
        RefIter {
            iter: self.iter.clone(),
            marker: PhantomData,
        }
    }
}

impl<'a, K, V, L: BucketLayout> RefIter<'a, K, V, L> {
    pub(crate) fn new(table: &'a RawTable<K, V, L>) -> Self {
        RefIter {
            // SAFETY: the shared borrow for `'a` keeps the table alive and
            // unchanged for as long as this iterator and its items.
            iter: unsafe { RawIter::new(table) },
            marker: PhantomData,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.iter.len()
    }
}

impl<'a, K, V, L: BucketLayout> Iterator for RefIter<'a, K, V, L> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a V)> {
        let slot = self.iter.next()?;
        // SAFETY: a live slot (I1) of a table borrowed shared for `'a`
        // (or owned by the iterator `remaining` was called on, borrowed for
        // `'a`), so the entry stays put and unchanged for `'a`.
        Some(unsafe { (&*slot.key(), &*slot.value()) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

/// Mutable-value iterator over a borrowed table.
pub(crate) struct MutIter<'a, K, V, L: BucketLayout> {
    iter: RawIter<K, V, L>,
    marker: PhantomData<&'a mut RawTable<K, V, L>>,
}

// SAFETY: yields `&K` and `&mut V`, like `(&K, &mut V)`.
unsafe impl<K: Sync, V: Send, L: BucketLayout> Send for MutIter<'_, K, V, L> {}
// SAFETY: `&MutIter` gives out only `&K`/`&V` (through `remaining`, for
// `Debug`), sound to share when `K` and `V` are `Sync`.
unsafe impl<K: Sync, V: Sync, L: BucketLayout> Sync for MutIter<'_, K, V, L> {}

impl<K, V, L: BucketLayout> Default for MutIter<'_, K, V, L> {
    fn default() -> Self {
        MutIter {
            iter: RawIter::empty(),
            marker: PhantomData,
        }
    }
}

impl<'a, K, V, L: BucketLayout> MutIter<'a, K, V, L> {
    pub(crate) fn new(table: &'a mut RawTable<K, V, L>) -> Self {
        MutIter {
            // SAFETY: the unique borrow for `'a` keeps the table alive and
            // unchanged, except through this iterator's `&mut V`s.
            iter: unsafe { RawIter::new(table) },
            marker: PhantomData,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.iter.len()
    }

    /// Shared view of the entries not yet yielded.
    pub(crate) fn remaining(&self) -> RefIter<'_, K, V, L> {
        RefIter {
            iter: self.iter.clone(),
            marker: PhantomData,
        }
    }
}

impl<'a, K, V, L: BucketLayout> Iterator for MutIter<'a, K, V, L> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a mut V)> {
        let slot = self.iter.next()?;
        // SAFETY: a live slot (I1) of a table borrowed uniquely for `'a`;
        // each slot is yielded once, so the `&mut V`s never alias.
        Some(unsafe { (&*slot.key(), &mut *slot.value()) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

/// Removes entries matching a predicate while walking a borrowed table.
pub(crate) struct RawExtractIf<'a, K, V, L: BucketLayout> {
    table: &'a mut RawTable<K, V, L>,
    iter: RawIter<K, V, L>,
}

// SAFETY: like `&mut RawTable`.
unsafe impl<K: Send, V: Send, L: BucketLayout> Send for RawExtractIf<'_, K, V, L> {}
// SAFETY: `&RawExtractIf` gives access to nothing.
unsafe impl<K: Sync, V: Sync, L: BucketLayout> Sync for RawExtractIf<'_, K, V, L> {}

impl<'a, K, V, L: BucketLayout> RawExtractIf<'a, K, V, L> {
    pub(crate) fn new(table: &'a mut RawTable<K, V, L>) -> Self {
        // SAFETY: the unique borrow for `'a` keeps the table alive; it only
        // changes through `next`, by `erase` of slots already yielded.
        let iter = unsafe { RawIter::new(table) };
        RawExtractIf { table, iter }
    }

    /// Upper bound of entries left to visit.
    pub(crate) fn len(&self) -> usize {
        self.iter.len()
    }

    /// The next entry for which `pred` holds, removed from the table.
    /// Entries stay in place; removal only marks the slot empty, so the
    /// iterator's position stays valid.
    pub(crate) fn next(&mut self, mut pred: impl FnMut(&K, &mut V) -> bool) -> Option<(K, V)> {
        while let Some((tops, head, slot)) = self.iter.next_with_head() {
            // SAFETY: `iter` was made from `table`, which is borrowed uniquely
            // and only changes by `erase` (which keeps positions); each live
            // slot (I1) is yielded once, so the `&mut V` is unique.
            let take = unsafe { pred(&*slot.key(), &mut *slot.value()) };
            if take {
                // SAFETY: `next_with_head` yields a live slot (I1) with the
                // head of its chain (`erase`'s precondition).
                return Some(unsafe { self.table.erase(tops, head, slot) });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::fixture::{fill, get, spread, table};
    use crate::Policy;

    /// Mid-growth (old chains half evacuated) iteration yields every entry
    /// once; an owning iterator dropped half way frees everything; a drain
    /// gives the arrays back, empty, keeping `B`.
    #[test]
    fn every_iterator_sees_each_entry_once_mid_growth() {
        let mut t = table(Policy::go().with_cursor_steps(0));
        fill(&mut t, spread, 105); // a doubling from 16 buckets has begun
        assert!(t.is_evacuating());
        let keys: BTreeSet<u64> = t.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, (0..105).collect());
        for (k, v) in t.iter_mut() {
            *v = k + 1;
        }
        assert!((0..105).all(|k| get(&t, spread, k) == Some(k + 1)));
        let b = t.log2();
        let drained: BTreeSet<u64> = t.drain().map(|(k, _)| k).collect();
        assert_eq!(drained.len(), 105);
        assert_eq!((t.len(), t.log2(), t.is_evacuating()), (0, b, false));
        t.check_invariants(spread);
        fill(&mut t, spread, 105);
        let mut it = t.into_iter();
        assert_eq!(it.len(), 105);
        let first: Vec<_> = it.by_ref().take(50).collect();
        assert_eq!((first.len(), it.len()), (50, 55));
        drop(it); // drops the rest and frees the arrays
    }

    /// `extract_if` removes in place during a growth, old chains included.
    #[test]
    fn extract_if_removes_from_old_and_new_chains() {
        let mut t = table(Policy::go().with_cursor_steps(0));
        fill(&mut t, spread, 105);
        let mut x = t.extract_if();
        let mut taken = Vec::new();
        while let Some((k, _)) = x.next(|k, _| k % 3 == 0) {
            taken.push(k);
        }
        assert_eq!(taken.len(), 35);
        t.check_invariants(spread);
        assert!((0..105).all(|k| get(&t, spread, k).is_some() == (k % 3 != 0)));
    }
}
