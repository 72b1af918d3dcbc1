//! The raw table: Go's `hmap` with its buckets, old buckets and evacuation
//! cursor. This module tree holds the map's `unsafe` code (the only other
//! `unsafe` in the crate narrows the sharded map's lock guards,
//! `sharded/guard.rs`); the safe API in `map.rs` hashes keys and hands this
//! layer hashes, equality closures and a hasher closure (needed to re-hash
//! keys while evacuating).
//!
//! | file | holds |
//! |---|---|
//! | `mod.rs` | `RawTable` (Go `hmap`): fields, construction, accessors, clear, drop |
//! | `trigger.rs` | the growth decision: thresholds, Go's overflow count, what an insert, an overflow link or a removal must start (no `unsafe`) |
//! | `lifecycle.rs` | the lifecycle: its state (idle, evacuating, retiring), every transition, its public view (`Phase`); `reserve`, `shrink_to` |
//! | `evacuate.rs` | evacuation steps on an `Evacuation` borrow: moving one chain (three movers, one move, one destination cursor), the cursor (`growWork`, `evacuate`, `evacDst`) |
//! | `find.rs` | lookups (`mapaccess`): which chain a read searches, the chain search |
//! | `write.rs` | inserts and removals (`mapassign`, `mapdelete`), entries, overflow links |
//! | `pages.rs` | giving an old array's pages back early: what was given back |
//! | `spare.rs` | the next doubling's array, allocated ahead and its pages touched before the doubling |
//! | `sizing.rs` | capacity at each `B`, smallest `B` for a length, shrink threshold |
//! | `bucket.rs` | the bucket, slots, where tophash words are (`Tops`), the one chain walk (`ChainWalk`, `LiveSlots`), `EMPTY_REST` upkeep |
//! | `layout.rs` | each layout's placement of tophash words (`Placement`, one impl per layout) |
//! | `array.rs` | bucket arrays: pool, extension, spilled buckets, progressive release |
//! | `alloc.rs` | the memory layer: the only calls to the allocator and the OS |
//! | `tophash.rs` | marker values, a hash's tophash, an evacuated bucket's markers |
//! | `group/` | matching a bucket's 8 tophash bytes at once (SSE2 on x86-64, SWAR elsewhere) |
//! | `iter.rs` | raw iteration, the owning and draining iterator, `extract_if` |
//! | `clone.rs` | deep copy with the same shape, `clone_from` |
//! | `par.rs` | rayon producers over the chains of both arrays (feature `rayon`) |
//! | `recorder.rs` | the recorder beside the table: counters, events, timing, probe (no `unsafe`) |
//! | `check.rs` | `check_invariants`: a full walk checking I1–I12 |
//! | `fixture.rs` | what the modules' unit tests share (tests only) |
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
//!   growth is over: the old array holds no entry, and is freed or retired
//!   (its remaining pages given back over the next writes, `lifecycle.rs`).
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
//! - **I8** An old array with a cursor exists exactly while evacuating
//!   (`Lifecycle::Evacuating`, by construction). While evacuating,
//!   `B == oldB` (same-size), `B == oldB + 1` (doubling) or `B < oldB`
//!   (shrink). One evacuation at a time.
//! - **I9** When the array is allocated, `count <= 8 * 2^B`, and, for load
//!   factors of at least 4.5, `count <= sizing::capacity_at(policy, B)`. (Below 4.5 a
//!   doubling of a small table may not raise its capacity, Go's formula being
//!   `max(8, lf * 2^B)`; the table then catches up one doubling per insert.)
//! - **I10** Old chains below `old_buckets.released_chains() <= nevacuate`
//!   may have been given back (pages returned to the OS): nothing reads an
//!   old chain below the cursor; readers compare with the cursor before
//!   reading a chain's marker.
//! - **I11** A bucket's tophash word is where its array's `Tops` says
//!   (`bucket.rs`): inside the bucket in Go's layout; in the split layout,
//!   the array's dense word of the bucket's index, or, for a spilled
//!   overflow bucket, the word at the start of its own allocation. Every
//!   tophash access goes through the `Tops` of the array holding the chain.
//! - **I12** The spare array, when allocated, has `B + 1` and holds nothing:
//!   no entry, no overflow bucket handed out, no page given back.
#![allow(unsafe_code)]

mod alloc;
mod array;
mod bucket;
mod check;
mod clone;
mod evacuate;
mod find;
#[cfg(test)]
mod fixture;
mod group;
mod iter;
pub(crate) mod layout;
pub(crate) mod lifecycle;
pub(crate) mod pages;
#[cfg(feature = "rayon")]
mod par;
mod recorder;
mod sizing;
mod spare;
pub(crate) mod tophash;
mod trigger;
mod write;

use core::marker::PhantomData;

use array::BucketArray;
use iter::RawIter;
pub(crate) use iter::{MutIter, RawDrain, RawExtractIf, RawIntoIter, RefIter};
pub(crate) use lifecycle::Budget;
use lifecycle::Lifecycle;
#[cfg(feature = "rayon")]
pub(crate) use par::{RawParIter, RawParIterMut};
use recorder::{Recorder, Shape};
use spare::Spare;
use trigger::Triggers;
pub(crate) use write::{RawEntry, RawOccupied, RawVacant};

use crate::instruments::Source;
use crate::instruments::{Probe, Stats};
use crate::layout::BucketLayout;
use crate::{Policy, TryReserveError};

/// Go's `hmap`, minus the fields Rust ownership makes unnecessary (`flags`:
/// `&mut` rules out concurrent writers and iterators that outlive a write),
/// with its recorder (counters, events, timing, probe) beside it in one
/// field.
pub(crate) struct RawTable<K, V, L: BucketLayout> {
    /// Live entries (Go `count`), I7.
    count: usize,
    /// `buckets`: `2^B` buckets, `B = buckets.log2()`.
    buckets: BucketArray<K, V, L>,
    /// `oldbuckets` and `nevacuate`, and a retiring old array: the growth
    /// lifecycle (`lifecycle.rs`). Changed only through `set_state`, which
    /// tells `triggers`.
    state: Lifecycle<K, V, L>,
    /// The next doubling's array, allocated ahead at 7/8 of the load limit
    /// (`Policy::with_allocate_ahead`), or none: empty, with `B + 1` (I12).
    /// A doubling's start takes it (`spare.rs`).
    spare: Spare<K, V, L>,
    policy: Policy,
    /// The growth decision: thresholds and Go's overflow count
    /// (`trigger.rs`).
    triggers: Triggers,
    /// Counters, events, timing and the probe (`recorder.rs`).
    recorder: Recorder,
    marker: PhantomData<(K, V)>,
}

// SAFETY: the table owns its keys and values (like a `Vec<(K, V)>`); the raw
// pointers are private and never shared outside a borrow of the table.
unsafe impl<K: Send, V: Send, L: BucketLayout> Send for RawTable<K, V, L> {}
// SAFETY: through `&RawTable` a thread gets only `&K`/`&V` (sound to share
// when `K` and `V` are `Sync`) and reads the table's own fields. The one
// write through `&self` is the `lookups_in_old_buckets` counter, bumped by
// reads during a growth: an atomic (`stats::RelaxedCount`), so concurrent
// readers may lose counts but never race on memory.
unsafe impl<K: Sync, V: Sync, L: BucketLayout> Sync for RawTable<K, V, L> {}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// An empty table that owns no memory.
    pub(crate) const fn new(policy: Policy) -> Self {
        RawTable {
            count: 0,
            buckets: BucketArray::unallocated(),
            state: Lifecycle::Idle,
            spare: Spare::none(),
            policy,
            triggers: Triggers::new(),
            recorder: Recorder::new(policy.instrument_settings()),
            marker: PhantomData,
        }
    }

    /// A table whose first array is large enough for `capacity` entries
    /// (Go `makemap(hint)`).
    pub(crate) fn with_capacity(policy: Policy, capacity: usize) -> Result<Self, TryReserveError> {
        let mut t = Self::new(policy);
        if capacity > 0 {
            let array = BucketArray::allocate(sizing::log2_for(&policy, capacity)?, &policy)?;
            t.set_buckets(array);
        }
        Ok(t)
    }

    /// Installs a freshly allocated array as `buckets` (the previous one must
    /// be freed or moved away by the caller), tells the triggers, and
    /// accounts for its memory.
    fn set_buckets(&mut self, array: BucketArray<K, V, L>) {
        let bytes = array.bytes() as u64;
        self.buckets = array;
        let spare = self.spare_wanted();
        self.triggers
            .array_installed(&self.policy, self.log2(), spare);
        let held = self.bytes_held();
        self.recorder.allocated(bytes, held);
    }

    /// Moves the lifecycle to `state` and returns the one it leaves: the
    /// one place the state changes, so the triggers always know whether an
    /// evacuation runs.
    fn set_state(&mut self, state: Lifecycle<K, V, L>) -> Lifecycle<K, V, L> {
        self.triggers.set_evacuating(state.is_evacuating());
        core::mem::replace(&mut self.state, state)
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
        self.triggers.max_load()
    }

    /// True while a growth or shrink runs (Go `h.growing()`): entries may
    /// still be in old chains.
    #[inline]
    pub(crate) fn is_evacuating(&self) -> bool {
        self.state.is_evacuating()
    }

    /// True while an old array holds memory: during a growth, or after one
    /// while its retiring remainder is being given back.
    pub(crate) fn holds_old_memory(&self) -> bool {
        self.state.holds_old_memory()
    }

    /// `B`, or `None` before the first array is allocated.
    pub(crate) fn log2(&self) -> Option<u8> {
        self.buckets.is_allocated().then(|| self.buckets.log2())
    }

    /// Drops every entry and empties the table, keeping the current array
    /// (Go `mapclear`: `B` is kept, the old array is released).
    pub(crate) fn clear(&mut self) {
        let guard = ScopeGuard::new(self, |t| t.clear_no_drop());
        // SAFETY: the table is borrowed uniquely and unchanged while the
        // iterator runs; the guard then empties it without reading the
        // dropped entries (`clear_no_drop`).
        unsafe { iter::drop_remaining(RawIter::new(&guard)) };
    }

    /// Empties the table without dropping entries (they were moved out).
    fn clear_no_drop(&mut self) {
        // A growth in progress is abandoned: its old array goes now.
        self.free_old();
        // SAFETY: callers have moved out or dropped every entry, so nothing
        // in the array is used again (`reset`'s precondition).
        unsafe { self.buckets.reset() };
        self.count = 0;
        self.triggers.array_cleared();
    }

    /// Shared references to every entry.
    pub(crate) fn iter(&self) -> RefIter<'_, K, V, L> {
        RefIter::new(self)
    }

    /// Every entry with its value borrowed mutably.
    pub(crate) fn iter_mut(&mut self) -> MutIter<'_, K, V, L> {
        MutIter::new(self)
    }

    /// Removes entries matching a predicate, one per `next` call.
    pub(crate) fn extract_if(&mut self) -> RawExtractIf<'_, K, V, L> {
        RawExtractIf::new(self)
    }

    /// Moves every array out into a drain, leaving `self` empty and
    /// unallocated until the drain gives the (cleared) arrays back.
    pub(crate) fn drain(&mut self) -> RawDrain<'_, K, V, L> {
        RawDrain::drain(self)
    }

    /// Consumes the table into an owning iterator.
    pub(crate) fn into_iter(self) -> RawIntoIter<K, V, L> {
        RawIntoIter::new(self)
    }

    /// Bytes held by bucket arrays (new and old, pool included), not counting
    /// overflow buckets allocated one by one.
    pub(crate) fn array_bytes(&self) -> usize {
        self.buckets.array_bytes() + self.state.old().map_or(0, |o| o.array.array_bytes())
    }

    /// Allocates a bucket array (timed as a pause source, its system calls
    /// counted).
    fn alloc_array(&mut self, log2: u8) -> Result<BucketArray<K, V, L>, TryReserveError> {
        let start = self.recorder.clock();
        let array = BucketArray::allocate(log2, &self.policy);
        self.recorder.record(Source::Alloc, start);
        if let Ok(a) = &array {
            self.recorder
                .mapped(a.alloc_syscalls(self.policy.huge_pages()));
        }
        array
    }

    /// Bucket memory held now: both arrays and their allocated overflow buckets.
    pub(crate) fn bytes_held(&self) -> u64 {
        let old = self.state.old_array().map_or(0, BucketArray::bytes);
        (self.buckets.bytes() + old + self.spare.bytes()) as u64
    }

    // ---- what the recorder needs the table for: its shape

    /// A snapshot of every counter; shape fields computed now, O(1).
    pub(crate) fn stats(&self) -> Stats {
        let old = self.state.old();
        let old_bytes = self.state.old_array().map_or(0, BucketArray::bytes);
        let linked = old.map_or(0, |o| o.array.linked_overflow());
        self.recorder.stats(Shape {
            len: self.count as u64,
            bucket_count: self.buckets.len() as u64,
            overflow_buckets: (self.buckets.linked_overflow() + linked) as u64,
            old_bucket_count: old.map_or(0, |o| o.array.len()) as u64,
            old_buckets_evacuated: old.map_or(0, |o| o.evacuated) as u64,
            bytes_allocated: self.bytes_held(),
            old_bytes_held: old_bytes as u64,
            spare_bytes: self.spare.bytes() as u64,
        })
    }

    /// Publishes a snapshot to the probe, if there is one.
    pub(crate) fn publish(&mut self) {
        let snapshot = self.recorder.has_probe().then(|| self.stats());
        self.recorder.publish(snapshot);
    }

    /// A probe on this table's counters (a first snapshot is published at
    /// its creation).
    pub(crate) fn probe(&mut self) -> Probe {
        let fresh = !self.recorder.has_probe();
        let probe = self.recorder.probe();
        if fresh {
            self.publish();
        }
        probe
    }

    /// The recorder, for the instruments' view to read what it recorded
    /// (events, timing); `stats`, `probe` and `publish` stay on the table,
    /// which knows its shape.
    pub(crate) fn recorder(&self) -> &Recorder {
        &self.recorder
    }
}

impl<K, V, L: BucketLayout> Drop for RawTable<K, V, L> {
    fn drop(&mut self) {
        let guard = ScopeGuard::new(self, |t| {
            // SAFETY: the guard runs once every entry was dropped, by
            // `drop_remaining` or (if a drop panics) by its own guard.
            unsafe { t.forget_entries_and_free() }
        });
        if core::mem::needs_drop::<(K, V)>() && guard.count != 0 {
            // SAFETY: the table is being dropped and unchanged while the
            // iterator runs; the guard then frees the arrays without reading
            // the dropped entries.
            unsafe { iter::drop_remaining(RawIter::new(&guard)) };
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
