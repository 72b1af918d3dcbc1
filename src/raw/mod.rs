//! The raw table: Go's `hmap` with its buckets, old buckets and evacuation
//! cursor. This module tree holds all of the crate's `unsafe` code; the safe
//! API in `map.rs` hashes keys and hands this layer hashes, equality closures
//! and a hasher closure (needed to re-hash keys while evacuating).
//!
//! Invariants (numbered as in `docs/design.md`; `check.rs` verifies all of
//! them and the hot paths `debug_assert!` the cheap ones):
//!
//! - **I1** A slot's key and value are initialised iff its tophash is
//!   `>= MIN_TOP_HASH`; the live entry's tophash is `tophash(hash(key))`.
//! - **I2** In a chain that is not evacuated, every slot after an `EMPTY_REST`
//!   slot (in this bucket and all following overflow buckets) is `EMPTY_REST`.
//! - **I3** While growing, every old bucket with index `< nevacuate` is
//!   evacuated and `nevacuate < 2^oldB`; when the cursor reaches `2^oldB` the
//!   old array is released at once.
//! - **I4** An old chain is either wholly evacuated (every slot holds
//!   `EVACUATED_X/Y/EMPTY`) or holds no evacuation marker; slot 0 of its head
//!   tells which. An evacuated chain is its head alone: its overflow link is
//!   cut and its spilled overflow buckets are freed. The new array never
//!   holds evacuation markers.
//! - **I5** A live entry with hash `h` is in new chain `h & (2^B - 1)`, unless
//!   growing and old chain `h & (2^oldB - 1)` is not evacuated, in which case
//!   it is there. (So a new chain holds no entry whose old chain is not yet
//!   evacuated; during a doubling or same-size growth, the new chains fed by
//!   an unevacuated old chain are therefore empty.)
//! - **I6** Overflow links point at pool buckets of the same array or at
//!   buckets allocated one by one; each bucket is linked at most once; pool
//!   buckets not yet handed out are unlinked and empty.
//! - **I7** `count` equals the number of live slots (new array plus
//!   unevacuated old chains); `old_evacuated` equals the number of evacuated
//!   old chains.
//! - **I8** Not growing ⇔ no old array, and then `nevacuate == 0`. While
//!   growing, `B == oldB` (same-size), `B == oldB + 1` (doubling) or
//!   `B < oldB` (shrink). One evacuation at a time.
//! - **I9** When the array is allocated, `count <= 8 * 2^B`, and, for load
//!   factors of at least 4.5, `count <= policy.capacity_at(B)`. (Below 4.5 a
//!   doubling of a small table may not raise its capacity, Go's formula being
//!   `max(8, lf * 2^B)`; the table then catches up one doubling per insert.)
//! - **I10** Old chains below `old_buckets.released_chains() <= nevacuate`
//!   may have been given back (pages returned to the OS): nothing reads an
//!   old chain below the cursor; readers compare with the cursor before
//!   reading a chain's marker.
#![allow(unsafe_code)]

mod bucket;
mod check;
mod evacuate;
pub(crate) mod guard;
mod instrument;
mod iter;
pub(crate) mod tophash;

use core::marker::PhantomData;
use core::ptr::{self, NonNull};

pub(crate) use bucket::Slot;
pub(crate) use bucket::{BUCKET_SLOTS, MAX_LOG2};
use bucket::{Bucket, BucketArray, group, mark_slot_empty, overflow, top_at};
use iter::RawIter;
pub(crate) use iter::{MutIter, RawDrain, RawExtractIf, RawIntoIter, RefIter};
use tophash::{Group, MIN_TOP_HASH, is_evacuated_marker, tophash};

use crate::events::{EventLog, ForceReason};
use crate::probe::Shared;
use crate::stats::Counters;
use crate::sync::Arc;
use crate::timing::{OpKind, OpStart, Source, Timing};
use crate::{GrowthKind, GrowthProgress, Policy, TryReserveError};

/// Go's `hmap`, minus the fields Rust ownership makes unnecessary (`flags`:
/// `&mut` rules out concurrent writers and iterators that outlive a write).
pub(crate) struct RawTable<K, V> {
    /// Live entries (Go `count`), I7.
    count: usize,
    /// `buckets`: `2^B` buckets, `B = buckets.log2()`.
    buckets: BucketArray<K, V>,
    /// `oldbuckets`: the array being evacuated; unallocated when not growing (I8).
    old_buckets: BucketArray<K, V>,
    /// An old array whose growth has ended, holding no entry, whose
    /// remaining pages (mostly the overflow pool) are given back one batch
    /// per write before it is freed (not in Go; see `retire_old_array`).
    retired: BucketArray<K, V>,
    /// `nevacuate`: every old bucket below it is evacuated (I3).
    evac_cursor: usize,
    /// Old chains evacuated so far in this growth (by writes or the cursor).
    old_evacuated: usize,
    /// Go's approximate overflow count (`noverflow`), reset at each growth.
    noverflow: u16,
    /// xorshift state for `noverflow`'s probabilistic increments (B >= 16).
    /// Fixed seed, so runs are reproducible.
    overflow_rng: u64,
    policy: Policy,
    /// Counters behind `stats()`.
    counters: Counters,
    /// Pause timing, created at the first write when `policy.timing()`.
    timing: Option<Box<Timing>>,
    /// The last `policy.event_capacity()` growth events.
    events: EventLog,
    /// Shared with `Probe`s, once `probe()` was called.
    probe: Option<Arc<Shared>>,
    /// Writes since the last publication to the probe.
    writes_since_publish: u64,
    /// True while a growth is being finished at once (`finish_growth_forced`),
    /// so that its end counts as a forced completion.
    forcing: bool,
    /// Cache of `policy.capacity_at(B)`: the insert that would exceed it
    /// starts a doubling. Recomputed whenever `buckets` changes.
    max_load: usize,
    /// Cache of `policy.shrink_below_at(B)`: a removal leaving fewer entries
    /// may start a shrink (0 when automatic shrinking is off).
    shrink_below: usize,
    marker: PhantomData<(K, V)>,
}

// SAFETY: the table owns its keys and values (like a `Vec<(K, V)>`); the raw
// pointers are private and never shared outside a borrow of the table.
unsafe impl<K: Send, V: Send> Send for RawTable<K, V> {}
// SAFETY: `&RawTable` only gives out `&K`/`&V` and reads; it never mutates.
unsafe impl<K: Sync, V: Sync> Sync for RawTable<K, V> {}

/// Where an absent key can be inserted, found while scanning its chain.
#[derive(Clone, Copy)]
pub(crate) enum InsertHint<K, V> {
    /// The first empty slot of the chain.
    Empty(Slot<K, V>),
    /// The chain has no empty slot; this is its last bucket.
    Full(NonNull<Bucket<K, V>>),
}

/// Result of [`RawTable::entry`].
pub(crate) enum RawEntry<'a, K, V> {
    Occupied(RawOccupied<'a, K, V>),
    Vacant(RawVacant<'a, K, V>),
}

/// A live slot, borrowed mutably with its table.
pub(crate) struct RawOccupied<'a, K, V> {
    table: &'a mut RawTable<K, V>,
    /// Head of the chain holding `slot`, for `EMPTY_REST` upkeep on removal.
    head: NonNull<Bucket<K, V>>,
    slot: Slot<K, V>,
}

/// An absent key's insertion point, borrowed mutably with its table.
pub(crate) struct RawVacant<'a, K, V> {
    table: &'a mut RawTable<K, V>,
    hash: u64,
    hint: Option<InsertHint<K, V>>,
    /// When the write started, if timed.
    started: Option<OpStart>,
}

impl<K, V> RawTable<K, V> {
    /// An empty table that owns no memory.
    pub(crate) const fn new(policy: Policy) -> Self {
        RawTable {
            count: 0,
            buckets: BucketArray::unallocated(),
            old_buckets: BucketArray::unallocated(),
            retired: BucketArray::unallocated(),
            evac_cursor: 0,
            old_evacuated: 0,
            noverflow: 0,
            overflow_rng: 0x9E37_79B9_7F4A_7C15,
            policy,
            counters: Counters::new(),
            timing: None,
            events: EventLog::new(policy.event_capacity()),
            probe: None,
            writes_since_publish: 0,
            forcing: false,
            max_load: 0,
            shrink_below: 0,
            marker: PhantomData,
        }
    }

    /// A table whose first array is large enough for `capacity` entries
    /// (Go `makemap(hint)`).
    pub(crate) fn with_capacity(policy: Policy, capacity: usize) -> Result<Self, TryReserveError> {
        let mut t = Self::new(policy);
        if capacity > 0 {
            let array = BucketArray::allocate(policy.log2_for(capacity)?)?;
            t.set_buckets(array);
        }
        Ok(t)
    }

    /// Installs a freshly allocated array as `buckets` (the previous one must
    /// be freed or moved away by the caller) and accounts for its memory.
    fn set_buckets(&mut self, array: BucketArray<K, V>) {
        let bytes = array.bytes() as u64;
        self.buckets = array;
        self.max_load = self.policy.capacity_at(self.buckets.log2());
        self.shrink_below = self.policy.shrink_below_at(self.buckets.log2());
        self.counters.allocated(bytes, self.bytes_held());
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    pub(crate) fn policy(&self) -> Policy {
        self.policy
    }

    /// Entries the table holds before an insert starts a doubling.
    pub(crate) fn capacity(&self) -> usize {
        if self.buckets.is_allocated() {
            self.max_load
        } else {
            0
        }
    }

    /// True while an old array is held (Go `h.growing()`).
    #[inline]
    pub(crate) fn is_growing(&self) -> bool {
        self.old_buckets.is_allocated()
    }

    /// True while an old array is held: during a growth, or after one while
    /// its retired remainder is being given back.
    pub(crate) fn holds_old_buckets(&self) -> bool {
        self.is_growing() || self.retired.is_allocated()
    }

    pub(crate) fn growth_progress(&self) -> Option<GrowthProgress> {
        self.is_growing().then(|| GrowthProgress {
            evacuated: self.old_evacuated,
            total: self.old_buckets.len(),
            kind: match self.buckets.log2().cmp(&self.old_buckets.log2()) {
                core::cmp::Ordering::Equal => GrowthKind::SameSize,
                core::cmp::Ordering::Greater => GrowthKind::Doubling,
                core::cmp::Ordering::Less => GrowthKind::Shrink,
            },
        })
    }

    /// `B`, or `None` before the first array is allocated.
    pub(crate) fn log2(&self) -> Option<u8> {
        self.buckets.is_allocated().then(|| self.buckets.log2())
    }

    /// Head of the chain a read of `hash` must search: the old chain while it
    /// is not evacuated, else the new one (Go `mapaccess` step 4).
    /// `count_read`: count it in `lookups_in_old_buckets` when the old
    /// chain is used (only reads do; the count sits inside the growing
    /// branch, so reads cost nothing extra when no growth runs).
    #[inline]
    fn read_chain(&self, hash: u64, count_read: bool) -> NonNull<Bucket<K, V>> {
        let head = self.buckets.bucket(hash as usize & self.buckets.mask());
        if self.is_growing() {
            let j = hash as usize & self.old_buckets.mask();
            let old = self.old_buckets.bucket(j);
            // SAFETY: `old` is a live primary bucket of the old array, read
            // only at or above the cursor (I10: below it, evacuated by I3).
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
    fn search_chain(
        head: NonNull<Bucket<K, V>>,
        hash: u64,
        mut eq: impl FnMut(&K) -> bool,
        mut on_miss: impl FnMut(NonNull<Bucket<K, V>>, Group),
    ) -> Result<Slot<K, V>, NonNull<Bucket<K, V>>> {
        let top = tophash(hash);
        let mut b = head;
        loop {
            // SAFETY: `b` is a live bucket of a chain (I6).
            let g = unsafe { group(b) };
            for i in g.match_byte(top) {
                let slot = Slot {
                    bucket: b,
                    index: i,
                };
                // SAFETY: tophash `top >= MIN_TOP_HASH`, so the key is
                // initialised (I1); the caller's borrow of the table keeps it
                // alive for the call.
                if eq(unsafe { &*slot.key() }) {
                    return Ok(slot);
                }
            }
            on_miss(b, g);
            if g.has_empty_rest() {
                return Err(b); // I2: nothing live after an EMPTY_REST.
            }
            // SAFETY: `b` is live.
            match unsafe { overflow(b) } {
                Some(next) => b = next,
                None => return Err(b),
            }
        }
    }

    /// `search_chain` for lookups.
    #[inline]
    fn find_in_chain(
        head: NonNull<Bucket<K, V>>,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
    ) -> Option<Slot<K, V>> {
        Self::search_chain(head, hash, eq, |_, _| {}).ok()
    }

    #[inline]
    pub(crate) fn get(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        let slot = self.find(hash, eq)?;
        // SAFETY: `find` returns live slots (I1); the references borrow `self`.
        Some(unsafe { (&*slot.key(), &*slot.value()) })
    }

    #[inline]
    pub(crate) fn get_mut(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
    ) -> Option<(&K, &mut V)> {
        let slot = self.find(hash, eq)?;
        // SAFETY: live slot (I1); `&mut self` makes the value reference unique.
        Some(unsafe { (&*slot.key(), &mut *slot.value()) })
    }

    /// Go `mapassign` up to the growth check: allocates the first bucket if
    /// needed, evacuates the old bucket this write uses plus `cursor_steps` at
    /// the cursor, then scans the (new) chain for the key.
    #[inline]
    pub(crate) fn entry(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
        hasher: impl Fn(&K) -> u64,
    ) -> RawEntry<'_, K, V> {
        let started = self.write_begin();
        if !self.buckets.is_allocated() {
            return RawEntry::Vacant(RawVacant {
                table: self,
                hash,
                hint: None,
                started,
            });
        }
        if self.is_growing() {
            self.grow_work(hash, &hasher);
        }
        let head = self.buckets.bucket(hash as usize & self.buckets.mask());
        debug_assert!(
            head == self.read_chain(hash, false),
            "I5: write chain not evacuated"
        );
        let mut first_empty = None;
        let found = Self::search_chain(head, hash, eq, |b, g| {
            if first_empty.is_none() {
                first_empty = g
                    .match_empty()
                    .lowest()
                    .map(|index| Slot { bucket: b, index });
            }
        });
        let hint = match found {
            Ok(slot) => {
                self.write_end(OpKind::Insert, started);
                return RawEntry::Occupied(RawOccupied {
                    table: self,
                    head,
                    slot,
                });
            }
            // A chain that ended at an EMPTY_REST has an empty slot.
            Err(last) => Some(first_empty.map_or(InsertHint::Full(last), InsertHint::Empty)),
        };
        RawEntry::Vacant(RawVacant {
            table: self,
            hash,
            hint,
            started,
        })
    }

    /// Go `mapassign` from the growth check on, for a key known to be absent.
    #[inline]
    fn insert_absent(
        &mut self,
        hash: u64,
        key: K,
        value: V,
        mut hint: Option<InsertHint<K, V>>,
        hasher: &impl Fn(&K) -> u64,
    ) -> Slot<K, V> {
        if !self.buckets.is_allocated() {
            self.first_array();
            hint = None;
        }
        let overloaded = self.count + 1 > self.max_load;
        if overloaded || (!self.is_growing() && self.too_many_overflow()) {
            self.grow_for_insert(hash, overloaded, hasher);
            hint = None;
        }
        let slot = match hint.unwrap_or_else(|| self.find_insert_hint(hash)) {
            InsertHint::Empty(slot) => slot,
            InsertHint::Full(last) => {
                let bucket = self.new_overflow(last);
                Slot { bucket, index: 0 }
            }
        };
        // SAFETY: the slot is empty (tophash <= EMPTY_ONE) in the chain this
        // hash belongs to (I5: grow_work evacuated the old chain feeding it);
        // writing key and value before the tophash establishes I1.
        unsafe {
            debug_assert!(tophash::is_empty(*slot.tophash()));
            slot.key().write(key);
            slot.value().write(value);
            *slot.tophash() = tophash(hash);
        }
        self.count += 1;
        slot
    }

    /// The first insert into a table without an array allocates one bucket.
    #[cold]
    #[inline(never)]
    fn first_array(&mut self) {
        let array = self.alloc_array(0).unwrap_or_else(|e| e.raise());
        self.set_buckets(array);
    }

    /// The growth check of `insert_absent` fired (kept out of line: it runs
    /// once per growth, and inlined it burdens every insert).
    #[cold]
    #[inline(never)]
    fn grow_for_insert(&mut self, hash: u64, overloaded: bool, hasher: &impl Fn(&K) -> u64) {
        if self.is_growing() {
            // Only the load limit gets here: finish the current growth
            // first, since a growth never starts while one is running.
            self.finish_growth_forced(ForceReason::LoadLimit, hasher);
        }
        let log2 = self.buckets.log2() + u8::from(overloaded);
        self.start_growth(log2, hasher)
            .unwrap_or_else(|e| e.raise());
        // Go's `goto again`: positions are void, and the old chain feeding
        // this key's new chain must be evacuated before we write to it (I5).
        if self.is_growing() {
            self.grow_work(hash, hasher);
        }
    }

    /// First empty slot of the new chain for `hash`, or its last bucket.
    fn find_insert_hint(&self, hash: u64) -> InsertHint<K, V> {
        let mut b = self.buckets.bucket(hash as usize & self.buckets.mask());
        loop {
            // SAFETY: `b` is a live bucket of the chain (I6).
            let g = unsafe { group(b) };
            if let Some(i) = g.match_empty().lowest() {
                return InsertHint::Empty(Slot {
                    bucket: b,
                    index: i,
                });
            }
            // SAFETY: `b` is live.
            match unsafe { overflow(b) } {
                Some(next) => b = next,
                None => return InsertHint::Full(b),
            }
        }
    }

    /// Go `tooManyOverflowBuckets`.
    fn too_many_overflow(&self) -> bool {
        usize::from(self.noverflow) >= 1usize << self.buckets.log2().min(15)
    }

    /// Go `newoverflow` + `incrnoverflow`: links a fresh bucket after `last`.
    fn new_overflow(&mut self, last: NonNull<Bucket<K, V>>) -> NonNull<Bucket<K, V>> {
        let log2 = self.buckets.log2();
        if log2 < 16 {
            self.noverflow = self.noverflow.saturating_add(1);
        } else {
            // Count with probability 1/2^(B-15), so that 2^15 approximates 2^B.
            let mut x = self.overflow_rng;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.overflow_rng = x;
            if x & ((1u64 << (log2 - 15)) - 1) == 0 {
                self.noverflow = self.noverflow.saturating_add(1);
            }
        }
        // SAFETY: `last` ends one of the new array's chains (callers pass the
        // last bucket of a chain, whose link is null).
        let (bucket, bytes) = unsafe { self.buckets.push_overflow(last) };
        self.counters
            .overflow_linked(bytes as u64, self.bytes_held());
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
        let started = self.write_begin();
        if self.is_growing() && self.policy.evacuate_on_remove() {
            self.grow_work(hash, &hasher);
        }
        let head = self.read_chain(hash, false);
        let removed = Self::find_in_chain(head, hash, eq).map(|slot| {
            // SAFETY: `find_in_chain` returned a live slot of the chain at `head`.
            unsafe { self.erase(head, slot) }
        });
        if removed.is_some() {
            self.maybe_auto_shrink();
        }
        self.write_end(OpKind::Remove, started);
        removed
    }

    /// After a removal: starts a shrink if the policy's automatic shrinking
    /// says so (`count < shrink_below`, no evacuation running) and a smaller
    /// table would still have room for twice the entries (the hysteresis
    /// documented on `Policy::with_auto_shrink`). Skipped if the new array
    /// cannot be allocated: shrinking is an optimisation.
    #[inline]
    fn maybe_auto_shrink(&mut self) {
        if self.count < self.shrink_below && !self.is_growing() {
            self.auto_shrink();
        }
    }

    #[cold]
    fn auto_shrink(&mut self) {
        let Ok(target) = self.policy.log2_for(self.count.saturating_mul(2)) else {
            return;
        };
        if target < self.buckets.log2() {
            let _ = self.start_shrink(target);
        }
    }

    /// `shrink_to(min_capacity)` (std semantics): starts a shrink to the
    /// smallest table whose capacity is at least `max(len, min_capacity)`,
    /// if that is smaller than the current one. An evacuation in progress is
    /// finished first. An empty map asked to shrink to 0 frees its array at
    /// once. If the smaller array cannot be allocated, nothing changes
    /// (beyond the finished evacuation).
    pub(crate) fn shrink_to(&mut self, min_capacity: usize, hasher: impl Fn(&K) -> u64) {
        if !self.buckets.is_allocated() {
            return;
        }
        let want = self.count.max(min_capacity);
        let Ok(target) = self.policy.log2_for(want) else {
            return; // more than any table holds: nothing to give back
        };
        if want == 0 {
            self.counters.op_begin();
            let bytes = self.free_arrays_of_empty_table();
            self.counters.shrink_bytes_returned += bytes;
            self.event(crate::events::EventKind::OldArrayReleased { bytes });
            return;
        }
        if target >= self.buckets.log2() {
            return;
        }
        self.counters.op_begin();
        self.finish_growth_forced(ForceReason::Explicit, &hasher);
        let _ = self.start_shrink(target);
    }

    /// Frees every array of a table with no entries (old, retired and
    /// current), leaving it unallocated; returns the current array's bytes.
    fn free_arrays_of_empty_table(&mut self) -> u64 {
        debug_assert_eq!(self.count, 0);
        self.release_old_array();
        self.free_retired();
        let bytes = self.buckets.bytes() as u64;
        // SAFETY: no live entries (count == 0, I7), so nothing is lost;
        // `free` leaves the array unallocated.
        self.timed(Source::Free, |t| unsafe { t.buckets.free() });
        self.max_load = 0;
        self.shrink_below = 0;
        self.noverflow = 0;
        bytes
    }

    /// Moves a live entry out of its slot and marks the slot empty.
    ///
    /// # Safety
    /// `slot` is live and belongs to the chain headed by `head`.
    unsafe fn erase(&mut self, head: NonNull<Bucket<K, V>>, slot: Slot<K, V>) -> (K, V) {
        // SAFETY: caller: live slot (I1); after the reads it is marked empty,
        // so the moved-out values are never read again.
        unsafe {
            debug_assert!(*slot.tophash() >= MIN_TOP_HASH);
            let entry = (ptr::read(slot.key()), ptr::read(slot.value()));
            mark_slot_empty(head, slot.bucket, slot.index);
            self.count -= 1;
            entry
        }
    }

    /// Ensures room for `additional` more entries without a growth starting.
    /// Finishes a running growth, then doubles (each doubling finished at
    /// once) until the array is large enough. An empty table just gets a new
    /// array of the right size.
    pub(crate) fn reserve(
        &mut self,
        additional: usize,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<(), TryReserveError> {
        let need = self
            .count
            .checked_add(additional)
            .ok_or(TryReserveError::CapacityOverflow)?;
        if need <= self.capacity() || need == 0 {
            return Ok(());
        }
        let target = self.policy.log2_for(need)?;
        self.counters.op_begin();
        if self.count == 0 {
            let array = self.alloc_array(target)?;
            self.free_arrays_of_empty_table();
            self.set_buckets(array);
            return Ok(());
        }
        self.finish_growth_forced(ForceReason::Explicit, &hasher);
        while self.buckets.log2() < target {
            self.start_growth(self.buckets.log2() + 1, &hasher)?;
            self.finish_growth_forced(ForceReason::Explicit, &hasher);
        }
        Ok(())
    }

    /// Drops every entry and empties the table, keeping the current array
    /// (Go `mapclear`: `B` is kept, the old array is released).
    pub(crate) fn clear(&mut self) {
        let guard = ScopeGuard::new(self, |t| t.clear_no_drop());
        iter::drop_remaining(RawIter::new(&guard));
    }

    /// Empties the table without dropping entries (they were moved out).
    fn clear_no_drop(&mut self) {
        // A growth in progress is abandoned: its old array goes now.
        self.release_old_array();
        self.free_retired();
        // SAFETY: callers have moved out or dropped every entry.
        unsafe { self.buckets.reset() };
        self.count = 0;
        self.noverflow = 0;
    }

    /// Shared references to every entry.
    pub(crate) fn iter(&self) -> RefIter<'_, K, V> {
        RefIter::new(self)
    }

    /// Every entry with its value borrowed mutably.
    pub(crate) fn iter_mut(&mut self) -> MutIter<'_, K, V> {
        MutIter::new(self)
    }

    /// Removes entries matching a predicate, one per `next` call.
    pub(crate) fn extract_if(&mut self) -> RawExtractIf<'_, K, V> {
        RawExtractIf::new(self)
    }

    /// Moves every array out into a drain, leaving `self` empty and
    /// unallocated until the drain gives the (cleared) arrays back.
    pub(crate) fn drain(&mut self) -> RawDrain<'_, K, V> {
        RawDrain::new(self)
    }

    /// Consumes the table into an owning iterator.
    pub(crate) fn into_iter(self) -> RawIntoIter<K, V> {
        RawIntoIter::new(self)
    }

    /// Bytes held by bucket arrays (new and old, pool included), not counting
    /// overflow buckets allocated one by one.
    pub(crate) fn array_bytes(&self) -> usize {
        self.buckets.array_bytes() + self.old_buckets.array_bytes()
    }
}

impl<K: Clone, V: Clone> Clone for RawTable<K, V> {
    /// A deep copy with the same shape: same arrays, same chains, same
    /// markers, same cursor, so a clone taken mid-growth is mid-growth too.
    fn clone(&self) -> Self {
        let mut new = Self::new(self.policy);
        let alloc = |a: &BucketArray<K, V>| {
            if a.is_allocated() {
                BucketArray::allocate(a.log2()).unwrap_or_else(|e| e.raise())
            } else {
                BucketArray::unallocated()
            }
        };
        new.old_buckets = alloc(&self.old_buckets);
        new.set_buckets(alloc(&self.buckets));
        new.evac_cursor = self.evac_cursor;
        new.old_evacuated = self.old_evacuated;
        new.noverflow = self.noverflow;
        new.counters = self.counters.clone();
        new.events = self.events.clone();
        new.timing.clone_from(&self.timing);
        new.overflow_rng = self.overflow_rng;
        // If a clone panics, `new` is dropped: it holds exactly the entries
        // cloned so far (each slot's tophash is set after its entry, and
        // `count` counts them), so it drops those and frees its memory.
        for old in [true, false] {
            let (src, dst) = if old {
                (&self.old_buckets, &mut new.old_buckets)
            } else {
                (&self.buckets, &mut new.buckets)
            };
            // Old chains below the cursor may have been given back (I10):
            // the copy gets their evacuated markers without reading them.
            let start = if old { self.evac_cursor } else { 0 };
            for i in 0..start {
                let d = dst.bucket(i);
                // SAFETY: `d` is a primary bucket of the fresh array `dst`.
                unsafe { (*d.as_ptr()).tophash = [tophash::EVACUATED_EMPTY; bucket::BUCKET_SLOTS] };
            }
            for i in start..src.len() {
                let (mut s, mut d) = (src.bucket(i), dst.bucket(i));
                loop {
                    for j in 0..bucket::BUCKET_SLOTS {
                        let (from, to) = (
                            Slot {
                                bucket: s,
                                index: j,
                            },
                            Slot {
                                bucket: d,
                                index: j,
                            },
                        );
                        // SAFETY: `s` and `d` are live buckets of chains with
                        // the same position; a source slot with tophash >=
                        // MIN_TOP_HASH is initialised (I1), and the
                        // destination is written before its tophash.
                        unsafe {
                            let top = *from.tophash();
                            if top >= MIN_TOP_HASH {
                                to.key().write((*from.key()).clone());
                                to.value().write((*from.value()).clone());
                                new.count += 1;
                            }
                            *to.tophash() = top;
                        }
                    }
                    // SAFETY: `s` is live; `d` is the last bucket of its chain.
                    match unsafe { overflow(s) } {
                        Some(next) => {
                            s = next;
                            // SAFETY: `d` ends a chain of `dst`.
                            d = unsafe { dst.push_overflow(d) }.0;
                        }
                        None => break,
                    }
                }
            }
        }
        debug_assert_eq!(new.count, self.count);
        new
    }
}

impl<K, V> Drop for RawTable<K, V> {
    fn drop(&mut self) {
        let guard = ScopeGuard::new(self, |t| {
            // SAFETY: every entry has been dropped by then (or we are
            // unwinding from a panicking drop and leak nothing else); the
            // retired array holds none.
            unsafe {
                t.buckets.free();
                t.old_buckets.free();
                t.retired.free();
            }
        });
        if core::mem::needs_drop::<(K, V)>() && guard.count != 0 {
            iter::drop_remaining(RawIter::new(&guard));
        }
    }
}

impl<'a, K, V> RawOccupied<'a, K, V> {
    pub(crate) fn key(&self) -> &K {
        // SAFETY: the slot is live (I1) and borrowed with the table.
        unsafe { &*self.slot.key() }
    }

    pub(crate) fn get(&self) -> &V {
        // SAFETY: as in `key`.
        unsafe { &*self.slot.value() }
    }

    pub(crate) fn get_mut(&mut self) -> &mut V {
        // SAFETY: as in `key`; `&mut self` holds the table's unique borrow.
        unsafe { &mut *self.slot.value() }
    }

    pub(crate) fn into_mut(self) -> &'a mut V {
        // SAFETY: as in `get_mut`, for the rest of the table borrow.
        unsafe { &mut *self.slot.value() }
    }

    /// Removes the entry (no evacuation: `entry` already did this write's).
    pub(crate) fn remove(self) -> (K, V) {
        // SAFETY: the slot is live and `head` is its chain's head.
        let entry = unsafe { self.table.erase(self.head, self.slot) };
        self.table.maybe_auto_shrink();
        entry
    }
}

impl<'a, K, V> RawVacant<'a, K, V> {
    #[inline]
    pub(crate) fn insert(
        self,
        key: K,
        value: V,
        hasher: impl Fn(&K) -> u64,
    ) -> RawOccupied<'a, K, V> {
        let slot = self
            .table
            .insert_absent(self.hash, key, value, self.hint, &hasher);
        self.table.write_end(OpKind::Insert, self.started);
        let head = self
            .table
            .buckets
            .bucket(self.hash as usize & self.table.buckets.mask());
        RawOccupied {
            table: self.table,
            head,
            slot,
        }
    }
}

/// Runs `on_exit` on the guarded value when the guard goes out of scope,
/// including during unwinding.
pub(crate) struct ScopeGuard<T, F: FnMut(&mut T)> {
    value: T,
    on_exit: F,
}

impl<T, F: FnMut(&mut T)> ScopeGuard<T, F> {
    pub(crate) fn new(value: T, on_exit: F) -> Self {
        ScopeGuard { value, on_exit }
    }
}

impl<T, F: FnMut(&mut T)> core::ops::Deref for ScopeGuard<T, F> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T, F: FnMut(&mut T)> core::ops::DerefMut for ScopeGuard<T, F> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T, F: FnMut(&mut T)> Drop for ScopeGuard<T, F> {
    fn drop(&mut self) {
        (self.on_exit)(&mut self.value);
    }
}
