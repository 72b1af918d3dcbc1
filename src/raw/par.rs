//! Parallel iteration over a raw table (feature `rayon`): the table's
//! chains (the unevacuated old ones from the cursor on, then every new
//! one) are numbered, and rayon splits the numbers into disjoint ranges,
//! each walked by one task. By I4/I5 each live entry is in exactly one of
//! those chains, so each is yielded exactly once, and tasks never share a
//! chain: for the mutable iterator, no two `&mut V` alias.

use core::marker::PhantomData;
use core::ptr::NonNull;

use ::rayon::iter::ParallelIterator;
use ::rayon::iter::plumbing::{Folder, UnindexedConsumer, UnindexedProducer, bridge_unindexed};

use super::RawTable;
use super::array::BucketArray;
use super::bucket::{Bucket, ChainWalk, LiveSlots, Slot, Tops};
use super::tophash::is_evacuated_marker;
use crate::layout::BucketLayout;

/// The chains to walk, as numbers `0..count`, and how to find chain `c`.
struct Chains<K, V, L: BucketLayout> {
    /// First primary bucket of the old array's unreleased part (at the
    /// cursor), and how many chains from there; then the new array. With
    /// each array's tophash words.
    old: Option<NonNull<Bucket<K, V, L>>>,
    old_cursor: usize,
    old_count: usize,
    old_tops: Tops<K, V, L>,
    new: Option<NonNull<Bucket<K, V, L>>>,
    new_count: usize,
    new_tops: Tops<K, V, L>,
}

impl<K, V, L: BucketLayout> Clone for Chains<K, V, L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V, L: BucketLayout> Copy for Chains<K, V, L> {}

impl<K, V, L: BucketLayout> Chains<K, V, L> {
    fn of(table: &RawTable<K, V, L>) -> Self {
        let unallocated = BucketArray::unallocated();
        let (old, cursor) = table
            .state
            .old()
            .map_or((&unallocated, 0), |o| (&o.array, o.cursor));
        let old_count = old.len() - cursor.min(old.len());
        Chains {
            old_tops: old.tops(),
            new_tops: table.buckets.tops(),
            // SAFETY: `cursor < len()` while evacuating (I3), so the bucket
            // at the cursor is a primary bucket of the old array.
            old: (old_count > 0).then(|| unsafe { old.bucket(cursor) }),
            old_cursor: cursor,
            old_count,
            // SAFETY: `0 < len()` when allocated.
            new: table
                .buckets
                .is_allocated()
                .then(|| unsafe { table.buckets.bucket(0) }),
            new_count: table.buckets.len(),
        }
    }

    fn count(&self) -> usize {
        self.old_count + self.new_count
    }

    /// The live slots of chain `c`.
    ///
    /// # Safety
    ///
    /// The table these chains were taken from stays alive and unchanged
    /// (but for values written through the slots) while the iterator is
    /// used, and `c < count()`.
    unsafe fn slots(&self, c: usize) -> Option<LiveSlots<K, V, L>> {
        let walk = if c < self.old_count {
            // SAFETY: caller: `c < old_count`; chains from the cursor on
            // are in the array and not given back (I10), unchanged while
            // the iterator is used.
            let walk = unsafe {
                let head = self.old.expect("old chains").add(c);
                ChainWalk::new(self.old_tops, self.old_cursor + c, head)
            };
            // I4: an evacuated old chain holds no entry.
            // SAFETY: the head's word (I11).
            if is_evacuated_marker(unsafe { (*walk.word())[0] }) {
                return None;
            }
            walk
        } else {
            let i = c - self.old_count;
            // SAFETY: caller: `i < new_count`: a primary bucket of the
            // allocated new array, unchanged while the iterator is used.
            unsafe { ChainWalk::new(self.new_tops, i, self.new.expect("new chains").add(i)) }
        };
        Some(LiveSlots::new(walk))
    }
}

/// Chains `lo..hi` of a table: what one rayon task walks.
struct ChainRange<K, V, L: BucketLayout> {
    chains: Chains<K, V, L>,
    lo: usize,
    hi: usize,
}

impl<K, V, L: BucketLayout> ChainRange<K, V, L> {
    fn whole(table: &RawTable<K, V, L>) -> Self {
        let chains = Chains::of(table);
        ChainRange {
            lo: 0,
            hi: chains.count(),
            chains,
        }
    }

    /// Keeps the lower half and returns the upper one; `None` below two
    /// chains.
    fn split_off(&mut self) -> Option<Self> {
        if self.hi - self.lo < 2 {
            return None;
        }
        let mid = self.lo + (self.hi - self.lo) / 2;
        let upper = ChainRange {
            chains: self.chains,
            lo: mid,
            hi: self.hi,
        };
        self.hi = mid;
        Some(upper)
    }

    /// Feeds `item(slot)` of every live slot of the range to `folder`,
    /// until it is full.
    ///
    /// # Safety
    ///
    /// As for [`Chains::slots`]: the table stays alive and unchanged (but for
    /// values written through the slots) while `item`'s results are used.
    unsafe fn fold<T, F: Folder<T>>(
        self,
        mut folder: F,
        mut item: impl FnMut(Slot<K, V, L>) -> T,
    ) -> F {
        for c in self.lo..self.hi {
            // SAFETY: caller; `c < hi <= count()`.
            for slot in unsafe { self.chains.slots(c) }.into_iter().flatten() {
                folder = folder.consume(item(slot));
                if folder.full() {
                    return folder;
                }
            }
        }
        folder
    }
}

/// A range of chains of a shared table.
pub(crate) struct RawParIter<'a, K, V, L: BucketLayout> {
    range: ChainRange<K, V, L>,
    marker: PhantomData<&'a RawTable<K, V, L>>,
}

// SAFETY: it only reads the table and yields `&K`/`&V`, like `&RawTable`,
// which is `Send` when `K` and `V` are `Sync`.
unsafe impl<K: Sync, V: Sync, L: BucketLayout> Send for RawParIter<'_, K, V, L> {}

impl<'a, K, V, L: BucketLayout> RawParIter<'a, K, V, L> {
    pub(crate) fn new(table: &'a RawTable<K, V, L>) -> Self {
        RawParIter {
            range: ChainRange::whole(table),
            marker: PhantomData,
        }
    }
}

impl<'a, K: Sync, V: Sync, L: BucketLayout> ParallelIterator for RawParIter<'a, K, V, L> {
    type Item = (&'a K, &'a V);

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge_unindexed(self, consumer)
    }
}

impl<'a, K: Sync, V: Sync, L: BucketLayout> UnindexedProducer for RawParIter<'a, K, V, L> {
    type Item = (&'a K, &'a V);

    fn split(mut self) -> (Self, Option<Self>) {
        let upper = self.range.split_off().map(|range| RawParIter {
            range,
            marker: PhantomData,
        });
        (self, upper)
    }

    fn fold_with<F: Folder<Self::Item>>(self, folder: F) -> F {
        let item = |slot: Slot<K, V, L>| {
            // SAFETY: a live slot (I1) of the table shared for `'a`.
            unsafe { (&*slot.key(), &*slot.value()) }
        };
        // SAFETY: the table is borrowed shared for `'a` (the marker), so it
        // stays alive and unchanged.
        unsafe { self.range.fold(folder, item) }
    }
}

/// A range of chains of a uniquely borrowed table.
pub(crate) struct RawParIterMut<'a, K, V, L: BucketLayout> {
    range: ChainRange<K, V, L>,
    marker: PhantomData<&'a mut RawTable<K, V, L>>,
}

// SAFETY: it yields `&K` and `&mut V` of distinct entries (each chain is in
// exactly one range), like `(&K, &mut V)`: `Send` when `K: Sync` and
// `V: Send`.
unsafe impl<K: Sync, V: Send, L: BucketLayout> Send for RawParIterMut<'_, K, V, L> {}

impl<'a, K, V, L: BucketLayout> RawParIterMut<'a, K, V, L> {
    pub(crate) fn new(table: &'a mut RawTable<K, V, L>) -> Self {
        RawParIterMut {
            range: ChainRange::whole(table),
            marker: PhantomData,
        }
    }
}

impl<'a, K: Sync, V: Send, L: BucketLayout> ParallelIterator for RawParIterMut<'a, K, V, L> {
    type Item = (&'a K, &'a mut V);

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge_unindexed(self, consumer)
    }
}

impl<'a, K: Sync, V: Send, L: BucketLayout> UnindexedProducer for RawParIterMut<'a, K, V, L> {
    type Item = (&'a K, &'a mut V);

    fn split(mut self) -> (Self, Option<Self>) {
        let upper = self.range.split_off().map(|range| RawParIterMut {
            range,
            marker: PhantomData,
        });
        (self, upper)
    }

    fn fold_with<F: Folder<Self::Item>>(self, folder: F) -> F {
        let item = |slot: Slot<K, V, L>| {
            // SAFETY: a live slot (I1); chain ranges are disjoint and each
            // slot is visited once, so the `&mut V` is unique for `'a`.
            unsafe { (&*slot.key(), &mut *slot.value()) }
        };
        // SAFETY: the table is borrowed uniquely for `'a` and changed only
        // through these `&mut V`.
        unsafe { self.range.fold(folder, item) }
    }
}
