//! Writes (Go `mapassign` and `mapdelete`): the entry search with its
//! evacuation work first, the growth check, placing a new entry, overflow
//! buckets, and removal with `EMPTY_REST` upkeep.
//!
//! An insert reads top to bottom as Go's does: `entry` runs `grow_work`
//! (`evacuate.rs`) and scans the key's new chain; `RawVacant::insert` runs
//! the growth check (`make_room`, starting a growth in `lifecycle.rs`) and
//! places the entry.

use core::ptr::{self, NonNull};

use super::RawTable;
use super::bucket::{Bucket, Slot, Tops, mark_slot_empty};
use super::find::Chain;
use super::group::Group;
use super::tophash::{self, MIN_TOP_HASH, ends_chain, tophash};
use super::trigger::Start;
use crate::instruments::ForceReason;
use crate::instruments::{OpKind, OpStart};
use crate::layout::BucketLayout;

/// Where an absent key can be inserted, found while scanning its chain. It
/// holds positions in the arrays as they were, so it is neither `Copy` nor
/// `Clone`: it is used once, by `insert_absent`, which searches again
/// instead whenever it restructured the table first (`make_room`).
pub(crate) enum InsertHint<K, V, L: BucketLayout> {
    /// The first empty slot of the chain.
    Empty(Slot<K, V, L>),
    /// The chain has no empty slot; this is its last bucket.
    Full(NonNull<Bucket<K, V, L>>),
}

/// What a write's search found: the key's slot, or where it would go
/// (`None` when there is no array yet).
type WriteSearch<K, V, L> = Result<Slot<K, V, L>, Option<InsertHint<K, V, L>>>;

/// Whether `make_room` changed the arrays (and so voided any position
/// found before it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Room {
    /// Nothing moved: positions found before are still right.
    Unchanged,
    /// The first array was allocated, or a growth started.
    Restructured,
}

/// Result of [`RawTable::entry`].
pub(crate) enum RawEntry<'a, K, V, L: BucketLayout> {
    Occupied(RawOccupied<'a, K, V, L>),
    Vacant(RawVacant<'a, K, V, L>),
}

/// A live slot, borrowed mutably with its table.
pub(crate) struct RawOccupied<'a, K, V, L: BucketLayout> {
    table: &'a mut RawTable<K, V, L>,
    /// Head of the chain holding `slot`, and its array's tophash words, for
    /// `EMPTY_REST` upkeep on removal.
    tops: Tops<K, V, L>,
    head: NonNull<Bucket<K, V, L>>,
    slot: Slot<K, V, L>,
}

/// An absent key's insertion point, borrowed mutably with its table.
pub(crate) struct RawVacant<'a, K, V, L: BucketLayout> {
    table: &'a mut RawTable<K, V, L>,
    hash: u64,
    hint: Option<InsertHint<K, V, L>>,
    /// When the write started, if timed.
    started: Option<OpStart>,
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// Go `mapassign` up to the growth check: evacuates the old chain this
    /// write uses plus `cursor_steps` at the cursor, then scans the (new)
    /// chain for the key.
    #[inline]
    pub(crate) fn entry(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
        hasher: impl Fn(&K) -> u64,
    ) -> RawEntry<'_, K, V, L> {
        let started = self.write_begin(hash, true, &hasher);
        match self.search_for_write(hash, eq) {
            Ok(slot) => {
                self.write_end(OpKind::Insert, started);
                let (tops, head) = (self.buckets.tops(), self.buckets.head_for(hash));
                RawEntry::Occupied(RawOccupied {
                    table: self,
                    tops,
                    head,
                    slot,
                })
            }
            Err(hint) => RawEntry::Vacant(RawVacant {
                table: self,
                hash,
                hint,
                started,
            }),
        }
    }

    /// Go `mapassign` whole: `entry` and, for an absent key, the vacant
    /// entry's insert, without building either. `eq(stored, &key)` says
    /// whether a stored key is `key`. Returns the value replaced (the key
    /// in the table is kept and `key` dropped, as std's `insert` does).
    #[inline]
    pub(crate) fn insert(
        &mut self,
        hash: u64,
        key: K,
        value: V,
        eq: impl Fn(&K, &K) -> bool,
        hasher: impl Fn(&K) -> u64,
    ) -> Option<V> {
        let started = self.write_begin(hash, true, &hasher);
        let replaced = match self.search_for_write(hash, |k| eq(k, &key)) {
            // SAFETY: a live slot (I1) of this table, borrowed uniquely.
            Ok(slot) => Some(core::mem::replace(unsafe { &mut *slot.value() }, value)),
            Err(hint) => {
                self.insert_absent(hash, key, value, hint, &hasher);
                None
            }
        };
        self.write_end(OpKind::Insert, started);
        replaced
    }

    /// The key's slot in its new chain (I5: `write_begin` evacuated the old
    /// chain feeding it), or where it would go (`None` when there is no
    /// array yet).
    #[inline]
    fn search_for_write(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> WriteSearch<K, V, L> {
        if !self.buckets.is_allocated() {
            return Err(None);
        }
        // SAFETY: allocated (checked above).
        let chain = unsafe { self.new_chain(hash) };
        debug_assert!(
            // SAFETY: allocated.
            chain.head() == unsafe { self.read_chain(hash, false) }.head(),
            "I5: write chain not evacuated"
        );
        Self::search_for_insert(chain, tophash(hash), eq).map_err(Some)
    }

    /// `search_chain` for writes, in one pass per bucket: the key's slot,
    /// or where it would go (the chain's first empty slot, or its last
    /// bucket if it has none; a chain that ended at an `EMPTY_REST` has an
    /// empty slot).
    #[inline]
    fn search_for_insert(
        chain: Chain<'_, K, V, L>,
        top: u8,
        mut eq: impl FnMut(&K) -> bool,
    ) -> Result<Slot<K, V, L>, InsertHint<K, V, L>> {
        let mut first_empty = None;
        let mut walk = chain.walk();
        loop {
            let (b, word) = (walk.bucket(), walk.word());
            // SAFETY: the walk is on a live bucket of the chain, with its
            // word (I6, I11).
            let g = Group::load(unsafe { *word });
            // SAFETY: `b` is live (above).
            if let Some(slot) = unsafe { Self::match_in_bucket(b, g, top, &mut eq) } {
                return Ok(slot);
            }
            let empty = g.match_empty();
            if let Some(index) = empty.lowest() {
                let slot = Slot { bucket: b, index };
                let first = *first_empty.get_or_insert(slot);
                // SAFETY: `word` is `b`'s word (above).
                if ends_chain(unsafe { &*word }) {
                    return Err(InsertHint::Empty(first)); // I2
                }
            }
            if !walk.advance() {
                return Err(first_empty.map_or(InsertHint::Full(b), InsertHint::Empty));
            }
        }
    }

    /// Go `mapassign` from the growth check on, for a key known to be absent;
    /// `found` is where `entry`'s search would put it (`None` when there was
    /// no array to search).
    #[inline]
    fn insert_absent(
        &mut self,
        hash: u64,
        key: K,
        value: V,
        found: Option<InsertHint<K, V, L>>,
        hasher: &impl Fn(&K) -> u64,
    ) -> Slot<K, V, L> {
        let room = self.make_room(hash, hasher);
        let hint = match found {
            Some(hint) if room == Room::Unchanged => hint,
            // The search's positions are void: search the new layout.
            // SAFETY: `make_room` leaves the array allocated.
            _ => unsafe { self.find_insert_hint(hash) },
        };
        let slot = match hint {
            InsertHint::Empty(slot) => slot,
            InsertHint::Full(last) => {
                // SAFETY: `last` ends the key's chain in the current array
                // (the hint is the current layout's, above).
                let bucket = unsafe { self.new_overflow(last) };
                Slot { bucket, index: 0 }
            }
        };
        // SAFETY: `slot` is an empty slot (tophash <= EMPTY_ONE) of a live
        // bucket in the new chain for `hash`, found in the current layout
        // (above). It is the key's chain because `grow_work` evacuated the
        // old chain feeding it (I5). Writing key and value before the
        // tophash establishes I1.
        unsafe {
            let top = self.buckets.tops().slot(slot);
            debug_assert!(tophash::is_empty(*top));
            slot.key().write(key);
            slot.value().write(value);
            *top = tophash(hash);
        }
        self.count += 1;
        slot
    }

    /// The growth check of an insert: allocates the first array, or starts
    /// a growth when the load limit (or, outside a growth, the overflow
    /// count) says so.
    #[inline]
    fn make_room(&mut self, hash: u64, hasher: &impl Fn(&K) -> u64) -> Room {
        // One comparison covers Go's two conditions (`trigger.rs`); without
        // an array the first insert takes the cold path too, which
        // allocates the array.
        if self.triggers.insert_due(self.count) {
            return self.grow_for_insert(hash, hasher);
        }
        Room::Unchanged
    }

    /// The growth check of `make_room` fired (kept out of line: it runs
    /// once per growth, and inlined it burdens every insert): allocates the
    /// first array, or starts a growth.
    #[cold]
    #[inline(never)]
    fn grow_for_insert(&mut self, hash: u64, hasher: &impl Fn(&K) -> u64) -> Room {
        let start = self
            .triggers
            .insert_start(self.count, self.buckets.is_allocated());
        let log2 = match start {
            None => return Room::Unchanged,
            Some(Start::FirstArray) => {
                let array = self.alloc_array(0).unwrap_or_else(|e| e.raise());
                self.set_buckets(array);
                return Room::Restructured;
            }
            Some(Start::Doubling) => self.buckets.log2() + 1,
            Some(Start::SameSize) => self.buckets.log2(),
            Some(Start::Spare) => {
                self.spare_step();
                return Room::Unchanged;
            }
        };
        // Only the load limit gets here during a growth: finish it first,
        // since a growth never starts while one is running.
        self.finish(ForceReason::LoadLimit, hasher);
        self.start_growth(log2, hasher)
            .unwrap_or_else(|e| e.raise());
        // Go's `goto again`: the old chain feeding this key's new chain must
        // be evacuated before we write to it (I5).
        self.grow_work(hash, hasher);
        Room::Restructured
    }

    /// Where the absent key of `hash` goes in its new chain, searched again
    /// after the first array or a growth start voided `entry`'s hint (out
    /// of line: once per growth).
    ///
    /// # Safety
    ///
    /// The array is allocated.
    #[inline(never)]
    unsafe fn find_insert_hint(&self, hash: u64) -> InsertHint<K, V, L> {
        // SAFETY: caller: the array is allocated.
        let chain = unsafe { self.new_chain(hash) };
        match Self::search_for_insert(chain, tophash(hash), |_| false) {
            Ok(_) => unreachable!("no key matches `|_| false`"),
            Err(hint) => hint,
        }
    }

    /// Go `newoverflow` + `incrnoverflow`: links a fresh bucket after `last`.
    ///
    /// # Safety
    ///
    /// `last` is the last bucket of one of the current array's chains (a
    /// live bucket whose overflow link is null, I6).
    pub(super) unsafe fn new_overflow(
        &mut self,
        last: NonNull<Bucket<K, V, L>>,
    ) -> NonNull<Bucket<K, V, L>> {
        self.triggers.overflow_linked();
        // SAFETY: caller: `last` ends one of the current array's chains.
        let (bucket, bytes) = unsafe { self.buckets.push_overflow(last) };
        let held = self.bytes_held();
        self.recorder.overflow_linked(1, bytes as u64, held);
        bucket
    }

    /// Go `mapdelete`: evacuates as a write (if the policy says so), then
    /// removes the key and maintains `EMPTY_REST` markers.
    pub(crate) fn remove(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
        hasher: impl Fn(&K) -> u64,
    ) -> Option<(K, V)> {
        if self.count == 0 {
            return None;
        }
        let started = self.write_begin(hash, self.policy.evacuate_on_remove(), &hasher);
        // SAFETY: `count > 0`, so the array is allocated (I7).
        let chain = unsafe { self.read_chain(hash, false) };
        let (tops, head) = (chain.tops(), chain.head());
        let removed = Self::find_in_chain(chain, hash, eq).map(|slot| {
            // SAFETY: `find_in_chain` returned a live slot (I1) of the chain
            // headed by `head`, in the array of `tops`.
            unsafe { self.erase(tops, head, slot) }
        });
        if removed.is_some() {
            self.maybe_auto_shrink();
        }
        self.write_end(OpKind::Remove, started);
        removed
    }

    /// After a removal: starts the shrink the triggers call for, if any
    /// (automatic shrinking, `trigger.rs`). Skipped if the new array cannot
    /// be allocated: shrinking is an optimisation.
    #[inline]
    fn maybe_auto_shrink(&mut self) {
        if let Some(target) = self.triggers.removal_shrink(&self.policy, self.count) {
            let _ = self.start_shrink(target);
        }
    }

    /// Moves a live entry out of its slot and marks the slot empty.
    ///
    /// # Safety
    ///
    /// `slot` is live (I1) and belongs to the chain headed by `head`, a
    /// chain of this table in the array whose tophash words are `tops`.
    pub(super) unsafe fn erase(
        &mut self,
        tops: Tops<K, V, L>,
        head: NonNull<Bucket<K, V, L>>,
        slot: Slot<K, V, L>,
    ) -> (K, V) {
        // SAFETY: caller: a live slot (I1) of a live chain, so its key and
        // value are initialised and may be moved out; `mark_slot_empty` then
        // marks it empty (I1 again: an empty slot is never read), with the
        // chain's own head and array (its precondition).
        unsafe {
            debug_assert!(*tops.slot(slot) >= MIN_TOP_HASH);
            let entry = (ptr::read(slot.key()), ptr::read(slot.value()));
            mark_slot_empty(tops, head, slot.bucket, slot.index);
            self.count -= 1;
            entry
        }
    }
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// The start of a write (insert, entry or removal) of `hash`: counts
    /// it and starts its clock if writes are timed; then, outside the idle
    /// state, does the write's share of the growth: evacuation (Go
    /// `growWork`, if `evacuate`) or one batch of a retiring array's pages.
    #[inline]
    fn write_begin(
        &mut self,
        hash: u64,
        evacuate: bool,
        hasher: &impl Fn(&K) -> u64,
    ) -> Option<OpStart> {
        let started = self.recorder.write_begun(self.count);
        if self.state.holds_old_memory() {
            self.growth_share(hash, evacuate, hasher);
        }
        started
    }

    /// `write_begin`'s work outside the idle state (out of line: most
    /// writes find the table idle).
    #[inline(never)]
    fn growth_share(&mut self, hash: u64, evacuate: bool, hasher: &impl Fn(&K) -> u64) {
        if self.state.is_evacuating() {
            self.recorder.write_in_evacuation();
            if evacuate {
                self.grow_work(hash, hasher);
            }
        } else {
            self.retire_step();
        }
    }

    /// The end of a write: records its time, publishes when due.
    #[inline]
    fn write_end(&mut self, kind: OpKind, started: Option<OpStart>) {
        let publish = self.recorder.write_ended(kind, started);
        self.published(publish);
    }
}

impl<'a, K, V, L: BucketLayout> RawOccupied<'a, K, V, L> {
    pub(crate) fn key(&self) -> &K {
        // SAFETY: `slot` is a live slot (I1) of `table`, which this entry
        // borrows mutably, so no write can free or move it meanwhile.
        unsafe { &*self.slot.key() }
    }

    pub(crate) fn get(&self) -> &V {
        // SAFETY: a live slot (I1) of the borrowed table, as in `key`.
        unsafe { &*self.slot.value() }
    }

    pub(crate) fn get_mut(&mut self) -> &mut V {
        // SAFETY: a live slot (I1) of the borrowed table, as in `key`; `&mut self`
        // holds the table's unique borrow, so the reference is unique.
        unsafe { &mut *self.slot.value() }
    }

    pub(crate) fn into_mut(self) -> &'a mut V {
        // SAFETY: a live slot (I1) of the table borrowed uniquely for `'a`; this
        // consumes the entry, so the reference stays unique for `'a`.
        unsafe { &mut *self.slot.value() }
    }

    /// The key (shared) and the value (unique) for the rest of the table
    /// borrow.
    pub(crate) fn into_key_value(self) -> (&'a K, &'a mut V) {
        // SAFETY: as in `into_mut`: a live slot (I1) of the table borrowed
        // uniquely for `'a`; the key is only shared and the value only
        // reachable through the returned reference, as key and value are
        // separate places.
        unsafe { (&*self.slot.key(), &mut *self.slot.value()) }
    }

    /// Removes the entry (no evacuation: `entry` already did this write's).
    pub(crate) fn remove(self) -> (K, V) {
        // SAFETY: `slot` is live (I1) and `head` heads its chain (both set
        // by `entry` or `insert` under this borrow).
        let entry = unsafe { self.table.erase(self.tops, self.head, self.slot) };
        self.table.maybe_auto_shrink();
        entry
    }
}

impl<'a, K, V, L: BucketLayout> RawVacant<'a, K, V, L> {
    #[inline]
    pub(crate) fn insert(
        self,
        key: K,
        value: V,
        hasher: impl Fn(&K) -> u64,
    ) -> RawOccupied<'a, K, V, L> {
        let slot = self
            .table
            .insert_absent(self.hash, key, value, self.hint, &hasher);
        self.table.write_end(OpKind::Insert, self.started);
        let head = self.table.buckets.head_for(self.hash);
        RawOccupied {
            tops: self.table.buckets.tops(),
            table: self.table,
            head,
            slot,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{fill, get, insert, one_chain, remove, spread, table};
    use super::super::tophash::{EMPTY_ONE, EMPTY_REST};
    use crate::Policy;

    /// One chain of three buckets: an insert replaces in place, removals
    /// leave `EMPTY_ONE` holes that inserts fill again, and removing the
    /// last entries turns the run before them into `EMPTY_REST` across
    /// bucket boundaries (I2, checked after every step).
    #[test]
    fn removals_keep_the_chain_end_marked() {
        let mut t = table(Policy::go().with_load_factor(8.0));
        fill(&mut t, one_chain, 8);
        t.finish_evacuation(&one_chain);
        fill(&mut t, one_chain, 20);
        assert_eq!(insert(&mut t, one_chain, 3, 99), Some(6));
        assert_eq!(t.len(), 20);
        let chain = || t.stats();
        assert!(chain().overflow_buckets >= 2, "a chain of three buckets");
        for k in (5..20).rev() {
            assert_eq!(remove(&mut t, one_chain, k), Some(2 * k));
            t.check_invariants(one_chain);
        }
        // SAFETY: allocated (entries remain); chain 0, never given back.
        let word = unsafe { *t.new_chain(0).head_word() };
        assert!(word[5..].iter().all(|&b| b == EMPTY_REST), "{word:?}");
        assert_eq!(remove(&mut t, one_chain, 1), Some(2));
        // SAFETY: as above.
        let word = unsafe { *t.new_chain(0).head_word() };
        assert_eq!(word[1], EMPTY_ONE, "a hole before live slots");
        insert(&mut t, one_chain, 100, 0);
        t.check_invariants(one_chain);
        assert_eq!(get(&t, one_chain, 100), Some(0));
        assert_eq!(t.len(), 5);
    }

    /// A write during a growth evacuates the old chain it is about to use
    /// first (Go `growWork`), even when it only replaces a value, and
    /// counts as a write in the growth.
    #[test]
    fn a_write_during_a_growth_moves_its_own_chain_first() {
        let mut t = table(Policy::go().with_cursor_steps(0));
        fill(&mut t, spread, 104);
        t.finish_evacuation(&spread);
        insert(&mut t, spread, 104, 0); // starts the doubling to 32 buckets
        let before = t.phase().progress().unwrap().evacuated;
        let k = (0..104).find(|k| {
            // A key whose old chain is not evacuated yet.
            let j = spread(k) as usize & 15;
            // SAFETY: `j < 16`, at or above the cursor (0).
            t.state
                .old()
                .is_some_and(|o| !unsafe { o.array.chain_evacuated(j) })
        });
        let k = k.expect("an unevacuated chain");
        let writes = t.stats().writes_during_evacuation;
        assert_eq!(insert(&mut t, spread, k, 7), Some(2 * k));
        assert_eq!(t.phase().progress().unwrap().evacuated, before + 1);
        if cfg!(feature = "stats") {
            assert_eq!(t.stats().writes_during_evacuation, writes + 1);
        }
        t.check_invariants(spread);
    }

    /// The entry API places an absent key where `insert` would, and an
    /// occupied entry removes through the same upkeep.
    #[test]
    fn entries_insert_and_remove() {
        let mut t = table(Policy::go());
        fill(&mut t, spread, 50);
        match t.entry(spread(&77), |k| *k == 77, spread) {
            super::RawEntry::Vacant(v) => {
                v.insert(77, 1, spread);
            }
            super::RawEntry::Occupied(_) => panic!("77 is absent"),
        }
        t.check_invariants(spread);
        match t.entry(spread(&10), |k| *k == 10, spread) {
            super::RawEntry::Occupied(o) => assert_eq!(o.remove(), (10, 20)),
            super::RawEntry::Vacant(_) => panic!("10 is there"),
        }
        t.check_invariants(spread);
        assert_eq!(
            (get(&t, spread, 77), get(&t, spread, 10), t.len()),
            (Some(1), None, 50)
        );
    }
}
