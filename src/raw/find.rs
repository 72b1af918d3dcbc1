//! Lookups (Go `mapaccess`): which chain a read searches while a growth
//! runs, and the SWAR search of one chain, shared with the write path.

use core::marker::PhantomData;
use core::ptr::NonNull;

use super::RawTable;
use super::array::BucketArray;
use super::bucket::{Bucket, ChainWalk, Slot, Tops};
use super::group::Group;
use super::tophash::{ends_chain, is_evacuated_marker, tophash};
use crate::layout::BucketLayout;

/// One chain of an array, ready to search: a walk at its head (the head,
/// its tophash word found by index, and the array's `Tops`), borrowing
/// the array so that the chain cannot change while it is searched. What
/// the searches trust, so only [`Chain::new`], an `unsafe fn`, makes one.
pub(super) struct Chain<'a, K, V, L: BucketLayout> {
    walk: ChainWalk<K, V, L>,
    marker: PhantomData<&'a BucketArray<K, V, L>>,
}

impl<'a, K, V, L: BucketLayout> Chain<'a, K, V, L> {
    /// Chain `i` of `array`.
    ///
    /// # Safety
    ///
    /// `array` is allocated, `i < array.len()`, and chain `i`'s pages were
    /// not given back (I10).
    #[inline]
    pub(super) unsafe fn new(array: &'a BucketArray<K, V, L>, i: usize) -> Self {
        Chain {
            // SAFETY: caller: `i` is a primary bucket of the allocated
            // array, not given back; the borrow of the array for `'a`
            // keeps the chain unchanged while the walk is used.
            walk: unsafe { ChainWalk::new(array.tops(), i, array.bucket(i)) },
            marker: PhantomData,
        }
    }

    /// The chain's first bucket.
    pub(super) fn head(&self) -> NonNull<Bucket<K, V, L>> {
        self.walk.bucket()
    }

    /// The head's tophash word.
    pub(super) fn head_word(&self) -> *mut [u8; 8] {
        self.walk.word()
    }

    /// Where the chain's array keeps its tophash words.
    pub(super) fn tops(&self) -> Tops<K, V, L> {
        self.walk.tops()
    }

    /// A walk over the chain's buckets and their tophash words, at the
    /// head.
    #[inline]
    pub(super) fn walk(&self) -> ChainWalk<K, V, L> {
        self.walk.clone()
    }
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// The new array's chain for `hash`.
    ///
    /// # Safety
    ///
    /// The array is allocated.
    #[inline]
    pub(super) unsafe fn new_chain(&self, hash: u64) -> Chain<'_, K, V, L> {
        let i = hash as usize & self.buckets.mask();
        // SAFETY: caller: allocated; masked, so `i < len()`; the current
        // array gives nothing back.
        unsafe { Chain::new(&self.buckets, i) }
    }

    /// The chain a read of `hash` must search: the old chain while it is
    /// not evacuated, else the new one (Go `mapaccess` step 4).
    /// `count_read`: count it in `lookups_in_old_buckets` when the old
    /// chain is used (only reads do; the count sits inside the growing
    /// branch, so reads cost nothing extra when no growth runs).
    ///
    /// # Safety
    ///
    /// The new array is allocated.
    #[inline]
    pub(super) unsafe fn read_chain(&self, hash: u64, count_read: bool) -> Chain<'_, K, V, L> {
        if let Some(old) = self.state.old() {
            let j = hash as usize & old.array.mask();
            // Read only at or above the cursor (I10: below it the chain may
            // have been given back; it is evacuated by I3).
            if j >= old.cursor {
                // SAFETY: the old array is allocated while evacuating (I8),
                // `j` is masked with its mask, and at or above the cursor
                // its pages are there (I10).
                let chain = unsafe { Chain::new(&old.array, j) };
                // SAFETY: the word of that live primary bucket (I11).
                if !is_evacuated_marker(unsafe { (*chain.head_word())[0] }) {
                    if count_read {
                        self.recorder.read_in_old();
                    }
                    return chain;
                }
            }
        }
        // SAFETY: caller: the new array is allocated.
        unsafe { self.new_chain(hash) }
    }

    /// Finds the live slot holding a key with this hash for which `eq` holds.
    #[inline]
    pub(crate) fn find(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<Slot<K, V, L>> {
        if self.count == 0 {
            return None;
        }
        // SAFETY: `count > 0`, so the array is allocated (I7).
        Self::find_in_chain(unsafe { self.read_chain(hash, true) }, hash, eq)
    }

    /// Searches one chain for a read (Go `mapaccess` step 5): match the
    /// tophash word, compare keys only on matches, stop at `EMPTY_REST`.
    #[inline]
    pub(super) fn find_in_chain(
        chain: Chain<'_, K, V, L>,
        hash: u64,
        mut eq: impl FnMut(&K) -> bool,
    ) -> Option<Slot<K, V, L>> {
        let top = tophash(hash);
        let mut walk = chain.walk();
        loop {
            // SAFETY: the walk is on a live bucket of the chain, with its
            // word (I6, I11).
            let g = Group::load(unsafe { *walk.word() });
            // SAFETY: the bucket is live (above).
            if let Some(slot) = unsafe { Self::match_in_bucket(walk.bucket(), g, top, &mut eq) } {
                return Some(slot);
            }
            // SAFETY: the walk's word (above).
            if ends_chain(unsafe { &*walk.word() }) || !walk.advance() {
                return None; // I2: nothing live after an EMPTY_REST.
            }
        }
    }

    /// The slot of bucket `b` (tophash word `g`) whose tophash is `top`
    /// and whose key satisfies `eq`: one group match, keys compared only
    /// where the tophash matches.
    ///
    /// # Safety
    ///
    /// `b` is live and `g` is its tophash word (I11), and the keys stay
    /// alive for the call.
    #[inline]
    pub(super) unsafe fn match_in_bucket(
        b: NonNull<Bucket<K, V, L>>,
        g: Group,
        top: u8,
        eq: &mut impl FnMut(&K) -> bool,
    ) -> Option<Slot<K, V, L>> {
        let mut matches = g.match_byte(top);
        while let Some(index) = matches.lowest() {
            let slot = Slot { bucket: b, index };
            // SAFETY: caller: `b` is live, and `index < 8`; the slot's
            // tophash is `top >= MIN_TOP_HASH`, so its key is initialised
            // (I1).
            if eq(unsafe { &*slot.key() }) {
                return Some(slot);
            }
            matches = matches.remove_lowest();
        }
        None
    }

    #[inline]
    pub(crate) fn get(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        let slot = self.find(hash, eq)?;
        // SAFETY: `find` returns a live slot of this table (I1), whose bucket
        // stays live while `self` is borrowed; the references borrow `self`.
        Some(unsafe { (&*slot.key(), &*slot.value()) })
    }

    #[inline]
    pub(crate) fn get_mut(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
    ) -> Option<(&K, &mut V)> {
        let slot = self.find(hash, eq)?;
        // SAFETY: as in `get`: a live slot (I1) of this table; `&mut self`
        // makes the value reference unique.
        Some(unsafe { (&*slot.key(), &mut *slot.value()) })
    }
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// Mutable references to the values of `N` keys (`eq(i, k)` says
    /// whether `k` is key `i`, of hash `hashes[i]`); `None` if two of them
    /// are the same entry.
    pub(crate) fn get_disjoint_mut<const N: usize>(
        &mut self,
        hashes: [u64; N],
        mut eq: impl FnMut(usize, &K) -> bool,
    ) -> Option<[Option<&mut V>; N]> {
        let mut slots: [Option<Slot<K, V, L>>; N] = [None; N];
        for (i, slot) in slots.iter_mut().enumerate() {
            *slot = self.find(hashes[i], |k| eq(i, k));
        }
        for i in 0..N {
            for j in 0..i {
                if let (Some(a), Some(b)) = (slots[i], slots[j]) {
                    if a.bucket == b.bucket && a.index == b.index {
                        return None;
                    }
                }
            }
        }
        // SAFETY: each slot is a live slot (I1) of this table, found just
        // now; they are pairwise distinct (checked above), so the `&mut V`s
        // do not alias, and `&mut self` keeps the table unchanged and
        // unshared for as long as they live.
        Some(slots.map(|s| s.map(|s| unsafe { &mut *s.value() })))
    }
}
