//! Lookups (Go `mapaccess`): which chain a read searches while a growth
//! runs, and the SWAR search of one chain, shared with the write path.

use core::ptr::NonNull;

use super::RawTable;
use super::bucket::{Bucket, Slot, group, overflow, top_at};
use super::tophash::{Group, is_evacuated_marker, tophash};

impl<K, V> RawTable<K, V> {
    /// Head of the chain a read of `hash` must search: the old chain while it
    /// is not evacuated, else the new one (Go `mapaccess` step 4).
    /// `count_read`: count it in `lookups_in_old_buckets` when the old
    /// chain is used (only reads do; the count sits inside the growing
    /// branch, so reads cost nothing extra when no growth runs).
    #[inline]
    pub(super) fn read_chain(&self, hash: u64, count_read: bool) -> NonNull<Bucket<K, V>> {
        let head = self.buckets.head_for(hash);
        if self.is_growing() {
            // Growing, so the old array is allocated (I8): `head_for` masks
            // to a primary bucket of it.
            let old = self.old_buckets.head_for(hash);
            let j = hash as usize & self.old_buckets.mask();
            // SAFETY: `old` is that primary bucket, read only at or above
            // the cursor (I10: below it the chain may have been given back;
            // it is evacuated by I3).
            if j >= self.evac_cursor && !is_evacuated_marker(unsafe { top_at(old, 0) }) {
                if count_read {
                    self.counters.lookup_in_old();
                }
                return old;
            }
        }
        head
    }

    /// Finds the live slot holding a key with this hash for which `eq` holds.
    #[inline]
    pub(crate) fn find(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<Slot<K, V>> {
        if self.count == 0 {
            return None;
        }
        Self::find_in_chain(self.read_chain(hash, true), hash, eq)
    }

    /// Searches one chain (Go `mapaccess` step 5): SWAR-match the tophash
    /// word, compare keys only on matches, stop at `EMPTY_REST`. Calls
    /// `on_miss` with each bucket (and its tophash word) that did not hold
    /// the key. Returns the key's slot, or the last bucket visited.
    #[inline]
    pub(super) fn search_chain(
        head: NonNull<Bucket<K, V>>,
        hash: u64,
        mut eq: impl FnMut(&K) -> bool,
        mut on_miss: impl FnMut(NonNull<Bucket<K, V>>, Group),
    ) -> Result<Slot<K, V>, NonNull<Bucket<K, V>>> {
        let top = tophash(hash);
        let mut b = head;
        loop {
            // SAFETY: `b` is the head the caller passed (a primary bucket of
            // an allocated array) or reached through its links (I6): live.
            let g = unsafe { group(b) };
            for i in g.match_byte(top) {
                let slot = Slot {
                    bucket: b,
                    index: i,
                };
                // SAFETY: `b` is live (above) and `i < 8`; the slot's tophash
                // is `top >= MIN_TOP_HASH`, so its key is initialised (I1);
                // the caller's borrow of the table keeps it alive for the call.
                if eq(unsafe { &*slot.key() }) {
                    return Ok(slot);
                }
            }
            on_miss(b, g);
            if g.has_empty_rest() {
                return Err(b); // I2: nothing live after an EMPTY_REST.
            }
            // SAFETY: `b` is live (the head or linked, I6, as above).
            match unsafe { overflow(b) } {
                Some(next) => b = next,
                None => return Err(b),
            }
        }
    }

    /// `search_chain` for lookups.
    #[inline]
    pub(super) fn find_in_chain(
        head: NonNull<Bucket<K, V>>,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
    ) -> Option<Slot<K, V>> {
        Self::search_chain(head, hash, eq, |_, _| {}).ok()
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

impl<K, V> RawTable<K, V> {
    /// Mutable references to the values of `N` keys (`eq(i, k)` says
    /// whether `k` is key `i`, of hash `hashes[i]`); `None` if two of them
    /// are the same entry.
    pub(crate) fn get_disjoint_mut<const N: usize>(
        &mut self,
        hashes: [u64; N],
        mut eq: impl FnMut(usize, &K) -> bool,
    ) -> Option<[Option<&mut V>; N]> {
        let mut slots: [Option<Slot<K, V>>; N] = [None; N];
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
