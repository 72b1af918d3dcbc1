//! [`EvacMap`] and its entry and iterator types.
//!
//! # Examples
//!
//! ```
//! use evacmap::map::{Entry, EvacMap};
//!
//! let mut map = EvacMap::new();
//! if let Entry::Vacant(v) = map.entry("k") {
//!     v.insert(1);
//! }
//! assert_eq!(map["k"], 1);
//! ```

mod entry;
mod iter;
#[cfg(test)]
mod tests;

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::ops::Index;
use std::panic::UnwindSafe;
use std::time::Duration;

pub use entry::{Entry, EntryRef, OccupiedEntry, VacantEntry, VacantEntryRef};
pub use iter::{
    Drain, ExtractIf, IntoIter, IntoKeys, IntoValues, Iter, IterMut, Keys, Values, ValuesMut,
};

use crate::builder::Builder;
use crate::instruments::{Instruments, Probe};
use crate::layout::{BucketLayout, DefaultLayout};
use crate::raw::{Budget, RawEntry, RawExtractIf, RawTable};
use crate::{DefaultHashBuilder, Equivalent, Phase, Policy, TryReserveError};

/// A hash map with Go's bucket layout and incremental evacuation.
///
/// The API follows `std::collections::HashMap`; the additions are the
/// growth controls ([`is_evacuating`](Self::is_evacuating),
/// [`phase`](Self::phase), [`evacuate`](Self::evacuate),
/// [`evacuate_for`](Self::evacuate_for), [`finish_evacuation`](Self::finish_evacuation))
/// and the [`Policy`] chosen at construction.
///
/// # Examples
///
/// ```
/// use evacmap::EvacMap;
///
/// let mut books = EvacMap::new();
/// books.insert("Dune", 1965);
/// books.insert("Solaris", 1961);
/// assert_eq!(books["Dune"], 1965);
/// assert_eq!(books.remove("Solaris"), Some(1961));
/// assert_eq!(books.len(), 1);
/// ```
pub struct EvacMap<K, V, S = DefaultHashBuilder, L: BucketLayout = DefaultLayout> {
    hash_builder: S,
    table: RawTable<K, V, L>,
}

/// The hasher closure the raw table uses to re-hash keys while evacuating.
#[inline]
fn hasher_of<K: Hash, S: BuildHasher>(hash_builder: &S) -> impl Fn(&K) -> u64 + '_ {
    move |k| hash_builder.hash_one(k)
}

/// The equality closure for a borrowed query key.
#[inline]
fn equivalent<'q, K, Q: Equivalent<K> + ?Sized>(q: &'q Q) -> impl FnMut(&K) -> bool + 'q {
    move |k| q.equivalent(k)
}

impl<K, V> EvacMap<K, V, DefaultHashBuilder> {
    /// An empty map with Go's policy. Allocates nothing until the first insert.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::EvacMap<u32, u32> = evacmap::EvacMap::new();
    /// assert!(map.is_empty());
    /// assert_eq!(map.capacity(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(DefaultHashBuilder::new())
    }

    /// An empty map whose first bucket array holds at least `capacity`
    /// entries before it grows.
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if `capacity` needs more buckets than
    /// can be addressed.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::EvacMap<u32, u32> = evacmap::EvacMap::with_capacity(100);
    /// assert!(map.capacity() >= 100);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, DefaultHashBuilder::new())
    }

    /// An empty map with the given policy.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{EvacMap, Policy};
    ///
    /// let map: EvacMap<u32, u32> = EvacMap::with_policy(Policy::all_at_once());
    /// assert!(map.policy().is_all_at_once());
    /// ```
    #[must_use]
    pub fn with_policy(policy: Policy) -> Self {
        Self::from_parts(policy, 0, DefaultHashBuilder::new())
    }

    /// A [`Builder`] for a map with a policy, a hasher, a first capacity
    /// and a bucket layout given together (the other constructors each give
    /// one of them).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{DefaultHashBuilder, EvacMap, Policy, SplitLayout};
    ///
    /// let map: EvacMap<u32, u32, DefaultHashBuilder, SplitLayout> = EvacMap::builder()
    ///     .policy(Policy::go().with_cursor_steps(4))
    ///     .capacity(1000)
    ///     .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
    ///     .layout::<SplitLayout>()
    ///     .build();
    /// assert!(map.capacity() >= 1000);
    /// assert_eq!(map.policy().cursor_steps(), 4);
    /// ```
    pub fn builder() -> Builder<EvacMap<K, V>> {
        Builder::new()
    }
}

impl<K, V, S> EvacMap<K, V, S> {
    /// An empty map using `hash_builder` to hash keys.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::hash_map::RandomState;
    ///
    /// let mut map = evacmap::EvacMap::with_hasher(RandomState::new());
    /// map.insert(1, "one");
    /// assert_eq!(map[&1], "one");
    /// ```
    #[must_use]
    pub const fn with_hasher(hash_builder: S) -> Self {
        EvacMap {
            hash_builder,
            table: RawTable::new(Policy::go()),
        }
    }

    /// An empty map with room for `capacity` entries, using `hash_builder`.
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if `capacity` needs more buckets than
    /// can be addressed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::hash_map::RandomState;
    ///
    /// let map: evacmap::EvacMap<u8, u8, _> =
    ///     evacmap::EvacMap::with_capacity_and_hasher(10, RandomState::new());
    /// assert!(map.capacity() >= 10);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        Self::from_parts(Policy::go(), capacity, hash_builder)
    }
}

impl<K, V, S, L: BucketLayout> EvacMap<K, V, S, L> {
    /// The builder's constructor: `policy`, room for `capacity` entries,
    /// `hash_builder`, layout `L`.
    #[track_caller]
    pub(crate) fn from_parts(policy: Policy, capacity: usize, hash_builder: S) -> Self {
        EvacMap {
            hash_builder,
            table: RawTable::with_capacity(policy, capacity).unwrap_or_else(|e| e.raise()),
        }
    }

    /// The policy this map was built with.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::EvacMap<u8, u8> = evacmap::EvacMap::new();
    /// assert_eq!(map.policy(), evacmap::Policy::go());
    /// ```
    pub fn policy(&self) -> Policy {
        self.table.policy()
    }

    /// The map's hasher builder.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::BuildHasher;
    ///
    /// let map: evacmap::EvacMap<u8, u8> = evacmap::EvacMap::new();
    /// let _h = map.hasher().hash_one(1u8);
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// Number of entries.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// map.insert(1, 1);
    /// assert_eq!(map.len(), 1);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True if the map holds no entries.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// assert!(map.is_empty());
    /// map.insert(1, 1);
    /// assert!(!map.is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries the map can hold before an insert starts the next doubling:
    /// `load factor × 2^B`, at least 8 (one bucket), or 0 before the first
    /// array is allocated. While a growth is in progress this is the new
    /// array's capacity.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// map.insert(1, 1);
    /// assert_eq!(map.capacity(), 8); // one bucket
    /// ```
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// Where the map is in its growth lifecycle: idle, evacuating (with
    /// how far it has come) or retiring (see [`Phase`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{EvacMap, EvacuationKind, Phase};
    ///
    /// let mut map = EvacMap::new();
    /// let mut seen = false;
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    ///     if let Phase::Evacuating(p) = map.phase() {
    ///         assert!(p.evacuated < p.total);
    ///         assert_eq!(p.kind, EvacuationKind::Doubling);
    ///         seen = true;
    ///     }
    /// }
    /// assert!(seen);
    /// ```
    pub fn phase(&self) -> Phase {
        self.table.phase()
    }

    /// True while a growth or shrink runs (Go's `h.growing()`): some
    /// entries may still be in old buckets, which reads consult and writes
    /// evacuate. Not the same as [`holds_old_memory`](Self::holds_old_memory):
    /// a growth's old array outlives it while its memory is given back.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..9 {
    ///     map.insert(i, ());
    /// }
    /// // The 9th insert overloaded the single bucket and started a doubling;
    /// // the old bucket feeding the new key's bucket was evacuated, and with
    /// // only one old bucket the growth is already complete.
    /// assert!(!map.is_evacuating());
    /// ```
    #[inline]
    pub fn is_evacuating(&self) -> bool {
        self.table.is_evacuating()
    }

    /// True while old-array memory is held: while evacuating, and after a
    /// growth while the rest of its old array (mostly the overflow pool) is
    /// given back one batch per write (`Phase::Retiring`). `evacuate` and
    /// `evacuate_for` give it back too; `finish_evacuation` frees it at once.
    /// Equivalent to `instruments().stats().old_bytes_held > 0`, without the
    /// snapshot. Not the same as [`is_evacuating`](Self::is_evacuating),
    /// which says whether entries may still be in old buckets.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..100_000u32 {
    ///     map.insert(i, i);
    /// }
    /// while map.holds_old_memory() {
    ///     map.evacuate(64);
    /// }
    /// assert_eq!(map.instruments().stats().old_bytes_held, 0);
    /// ```
    #[inline]
    pub fn holds_old_memory(&self) -> bool {
        self.table.holds_old_memory()
    }

    /// `B`: the map has `2^B` buckets (`None` before the first insert).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// assert_eq!(map.bucket_log2(), None);
    /// map.extend((0..14u32).map(|i| (i, i)));
    /// assert_eq!(map.bucket_log2(), Some(2)); // 13 fit in 2 buckets, 14 need 4
    /// ```
    pub fn bucket_log2(&self) -> Option<u8> {
        self.table.log2()
    }

    /// An iterator over `(&K, &V)` in arbitrary order. While a growth is in
    /// progress it visits the unevacuated old buckets and then the new array;
    /// every entry is yielded exactly once.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::EvacMap<_, _> = [(1, 'a'), (2, 'b')].into_iter().collect();
    /// let mut pairs: Vec<_> = map.iter().collect();
    /// pairs.sort();
    /// assert_eq!(pairs, [(&1, &'a'), (&2, &'b')]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V, L> {
        Iter::new(self.table.iter())
    }

    /// An iterator over `(&K, &mut V)` in arbitrary order.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<_, _> = [(1, 10), (2, 20)].into_iter().collect();
    /// for (_, v) in map.iter_mut() {
    ///     *v += 1;
    /// }
    /// assert_eq!(map[&2], 21);
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V, L> {
        IterMut::new(self.table.iter_mut())
    }

    /// An iterator over the keys.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::EvacMap<_, _> = [(1, 'a'), (2, 'b')].into_iter().collect();
    /// let mut keys: Vec<_> = map.keys().copied().collect();
    /// keys.sort();
    /// assert_eq!(keys, [1, 2]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V, L> {
        Keys::new(self.iter())
    }

    /// An iterator over the values.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::EvacMap<_, _> = [(1, 10), (2, 20)].into_iter().collect();
    /// assert_eq!(map.values().sum::<i32>(), 30);
    /// ```
    pub fn values(&self) -> Values<'_, K, V, L> {
        Values::new(self.iter())
    }

    /// An iterator over mutable references to the values.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<_, _> = [(1, 10), (2, 20)].into_iter().collect();
    /// map.values_mut().for_each(|v| *v *= 2);
    /// assert_eq!(map.values().sum::<i32>(), 60);
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V, L> {
        ValuesMut::new(self.iter_mut())
    }

    /// Consumes the map into an iterator over its keys.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::EvacMap<_, _> = [(1, 'a'), (2, 'b')].into_iter().collect();
    /// let mut keys: Vec<i32> = map.into_keys().collect();
    /// keys.sort();
    /// assert_eq!(keys, [1, 2]);
    /// ```
    pub fn into_keys(self) -> IntoKeys<K, V, L> {
        IntoKeys::new(self.into_iter())
    }

    /// Consumes the map into an iterator over its values.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::EvacMap<_, _> = [(1, 10), (2, 20)].into_iter().collect();
    /// assert_eq!(map.into_values().sum::<i32>(), 30);
    /// ```
    pub fn into_values(self) -> IntoValues<K, V, L> {
        IntoValues::new(self.into_iter())
    }

    /// Removes every entry, returning them as an iterator; the bucket array
    /// is kept (old buckets are released). Entries the iterator does not
    /// yield are dropped when it is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<_, _> = [(1, 'a'), (2, 'b')].into_iter().collect();
    /// let cap = map.capacity();
    /// let mut drained: Vec<_> = map.drain().collect();
    /// drained.sort();
    /// assert_eq!(drained, [(1, 'a'), (2, 'b')]);
    /// assert!(map.is_empty());
    /// assert_eq!(map.capacity(), cap);
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, V, L> {
        Drain::new(self.table.drain())
    }

    /// Keeps only the entries for which `f` returns `true`. Entries are
    /// removed where they are (also from old buckets not yet evacuated); this
    /// does no evacuation work.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<i32, i32> = (0..8).map(|i| (i, i)).collect();
    /// map.retain(|&k, _| k % 2 == 0);
    /// assert_eq!(map.len(), 4);
    /// ```
    pub fn retain<F: FnMut(&K, &mut V) -> bool>(&mut self, mut f: F) {
        let mut extract = self.table.extract_if();
        while let Some(entry) = extract.next(|k, v| !f(k, v)) {
            drop(entry);
        }
    }

    /// An iterator that removes and yields every entry for which `pred`
    /// returns `true`. Entries not yet visited when it is dropped stay in the
    /// map.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<i32, i32> = (0..8).map(|i| (i, i)).collect();
    /// let mut odd: Vec<_> = map.extract_if(|k, _| k % 2 == 1).map(|(k, _)| k).collect();
    /// odd.sort();
    /// assert_eq!(odd, [1, 3, 5, 7]);
    /// assert_eq!(map.len(), 4);
    /// ```
    pub fn extract_if<F: FnMut(&K, &mut V) -> bool>(
        &mut self,
        pred: F,
    ) -> ExtractIf<'_, K, V, F, L> {
        ExtractIf::new(self.table.extract_if(), pred)
    }

    /// The raw removal walker, for `EvacSet::extract_if`.
    pub(crate) fn raw_extract_if(&mut self) -> RawExtractIf<'_, K, V, L> {
        self.table.extract_if()
    }

    /// Removes every entry. Like Go's `clear`, the bucket array (and so the
    /// capacity) is kept and the old buckets are released.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<i32, i32> = (0..100).map(|i| (i, i)).collect();
    /// let cap = map.capacity();
    /// map.clear();
    /// assert!(map.is_empty());
    /// assert_eq!(map.capacity(), cap);
    /// ```
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// The map's instruments, read through one view that every map and set
    /// shares ([`Instruments`]): counters, events, pause timing, chain
    /// lengths, array bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..10_000u32 {
    ///     map.insert(i, i);
    /// }
    /// let s = map.instruments().stats();
    /// assert_eq!(s.len, 10_000);
    /// ```
    pub fn instruments(&self) -> Instruments<'_, K, V, L> {
        Instruments::of(&self.table)
    }

    /// A handle that other threads can read consistent [`Stats`](crate::instruments::Stats)
    /// snapshots and events from while this map keeps being written. The map
    /// publishes on every growth event, every `Policy::publish_interval()`
    /// writes, and on [`publish`](Self::publish). The first call allocates
    /// the shared area; later calls return handles to the same one.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// let probe = map.probe();
    /// map.insert(1, 1);
    /// map.publish();
    /// assert_eq!(probe.snapshot().len, 1);
    /// ```
    pub fn probe(&mut self) -> Probe {
        self.table.probe()
    }

    /// Publishes the current counters to the probes now (no-op without a
    /// probe). Never blocks or allocates.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// let probe = map.probe();
    /// map.insert(1, 1);
    /// assert_eq!(probe.snapshot().len, 0); // not published yet
    /// map.publish();
    /// assert_eq!(probe.snapshot().len, 1);
    /// ```
    pub fn publish(&mut self) {
        self.table.publish();
    }

    /// The raw table (for the parallel iterators).
    #[cfg(feature = "rayon")]
    pub(crate) fn raw(&self) -> &RawTable<K, V, L> {
        &self.table
    }

    /// The raw table, mutably (for the parallel iterators).
    #[cfg(feature = "rayon")]
    pub(crate) fn raw_mut(&mut self) -> &mut RawTable<K, V, L> {
        &mut self.table
    }
}

impl<K, V, S, L: BucketLayout> EvacMap<K, V, S, L>
where
    K: Eq + Hash,
    S: BuildHasher,
{
    /// Shrinks the capacity as much as possible (std semantics for the
    /// final capacity: the smallest table that holds `len()` entries).
    ///
    /// Unlike std, this does not move the entries at once: it *starts* an
    /// incremental shrink, which later writes, [`evacuate`](Self::evacuate)
    /// or [`finish_evacuation`](Self::finish_evacuation) complete; the old array is
    /// released when the last old bucket has been moved. `capacity()` reports
    /// the final capacity at once. Go's maps never shrink; this is evacmap's
    /// extension (see also [`Policy::with_auto_shrink`]).
    ///
    /// If a growth is in progress it is finished first (a pause), since one
    /// evacuation runs at a time. An empty map frees its array at once. If
    /// the smaller array cannot be allocated, the map stays as it is.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<i32, i32> = (0..10_000).map(|i| (i, i)).collect();
    /// map.retain(|&k, _| k < 10);
    /// map.shrink_to_fit();
    /// assert!(map.capacity() >= 10 && map.capacity() < 100);
    /// assert!(map.is_evacuating()); // the shrink runs incrementally...
    /// map.finish_evacuation(); // ...or is finished on demand
    /// assert_eq!(map.instruments().stats().shrinks_completed, 1);
    /// assert_eq!(map.len(), 10);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.shrink_to(0);
    }

    /// Shrinks the capacity to at least `max(len(), min_capacity)`, starting
    /// an incremental shrink as [`shrink_to_fit`](Self::shrink_to_fit) does.
    /// Does nothing if the capacity is already that small or smaller.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<i32, i32> = (0..10_000).map(|i| (i, i)).collect();
    /// map.clear();
    /// map.shrink_to(100);
    /// assert!(map.capacity() >= 100 && map.capacity() < 1000);
    /// map.shrink_to(1_000_000); // never grows
    /// assert!(map.capacity() < 1000);
    /// ```
    pub fn shrink_to(&mut self, min_capacity: usize) {
        self.table
            .shrink_to(min_capacity, hasher_of(&self.hash_builder));
    }

    /// Makes room for at least `additional` more entries without a growth
    /// starting. A growth in progress is finished first, and any doubling
    /// needed is done at once (this is the one call that moves entries in
    /// bulk, as `std`'s `reserve` does).
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if the new capacity needs more buckets
    /// than can be addressed. Use [`try_reserve`](Self::try_reserve) to get an
    /// error instead.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<u32, u32> = evacmap::EvacMap::new();
    /// map.reserve(1000);
    /// assert!(map.capacity() >= 1000);
    /// ```
    #[track_caller]
    pub fn reserve(&mut self, additional: usize) {
        self.try_reserve(additional).unwrap_or_else(|e| e.raise());
    }

    /// Like [`reserve`](Self::reserve), but returns an error instead of
    /// panicking or aborting if the capacity overflows or the allocator fails.
    ///
    /// A reserve that needs several doublings makes them one after the
    /// other, each finished before the next; if the memory for one of them
    /// cannot be had, the call stops there: the map keeps its entries and is
    /// whole, with the capacity of the last doubling that succeeded.
    ///
    /// # Errors
    ///
    /// [`TryReserveError::CapacityOverflow`] if the capacity would exceed
    /// what a table can address (nothing changes), or
    /// [`TryReserveError::AllocError`] with the layout the allocator (or,
    /// for large arrays, the kernel's `mmap`) refused.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<u32, u32> = evacmap::EvacMap::new();
    /// assert!(map.try_reserve(10).is_ok());
    /// assert!(map.try_reserve(usize::MAX).is_err());
    /// ```
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.table
            .reserve(additional, hasher_of(&self.hash_builder))
    }

    /// The entry for `key`, for in-place access or insertion. Counts as a
    /// write: like Go's assign, it does this write's evacuation work first.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut counts = evacmap::EvacMap::new();
    /// for word in ["a", "b", "a"] {
    ///     *counts.entry(word).or_insert(0) += 1;
    /// }
    /// assert_eq!(counts["a"], 2);
    /// ```
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V, S, L> {
        let hash = self.hash_builder.hash_one(&key);
        self.entry_hashed(hash, key)
    }

    /// [`entry`](Self::entry) with `hash == self.hasher().hash_one(&key)`
    /// already computed (the sharded map hashes once to pick the shard).
    #[inline]
    pub(crate) fn entry_hashed(&mut self, hash: u64, key: K) -> Entry<'_, K, V, S, L> {
        let hasher = hasher_of(&self.hash_builder);
        match self.table.entry(hash, |k| *k == key, hasher) {
            RawEntry::Occupied(raw) => Entry::Occupied(OccupiedEntry::new(raw)),
            RawEntry::Vacant(raw) => Entry::Vacant(VacantEntry::new(raw, key, &self.hash_builder)),
        }
    }

    /// The entry for a borrowed key: like [`entry`](Self::entry), but the
    /// owned key is made (`K::from(key)`) only if a vacant entry is filled,
    /// as hashbrown's `entry_ref`. `key` must hash and compare like the `K`
    /// made from it.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut counts: evacmap::EvacMap<String, u32> = evacmap::EvacMap::new();
    /// for word in ["a", "b", "a"] {
    ///     *counts.entry_ref(word).or_insert(0) += 1; // a String only for new words
    /// }
    /// assert_eq!(counts["a"], 2);
    /// ```
    pub fn entry_ref<'a, 'b, Q>(&'a mut self, key: &'b Q) -> EntryRef<'a, 'b, K, Q, V, S, L>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let hash = self.hash_builder.hash_one(key);
        let hasher = hasher_of(&self.hash_builder);
        match self.table.entry(hash, equivalent(key), hasher) {
            RawEntry::Occupied(raw) => EntryRef::Occupied(OccupiedEntry::new(raw)),
            RawEntry::Vacant(raw) => {
                EntryRef::Vacant(VacantEntryRef::new(raw, key, &self.hash_builder))
            }
        }
    }

    /// Mutable references to the values of `N` keys at once (`None` for a
    /// key that is absent), as std's `HashMap::get_disjoint_mut`. Lookups:
    /// no evacuation.
    ///
    /// # Panics
    ///
    /// Panics if two of the keys are the same entry (their `&mut V` would
    /// alias).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::from([("a", 1), ("b", 2)]);
    /// let [a, b, c] = map.get_disjoint_mut(["a", "b", "c"]);
    /// std::mem::swap(a.unwrap(), b.unwrap());
    /// assert!(c.is_none());
    /// assert_eq!((map["a"], map["b"]), (2, 1));
    /// ```
    #[track_caller]
    pub fn get_disjoint_mut<Q, const N: usize>(&mut self, keys: [&Q; N]) -> [Option<&mut V>; N]
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let hashes = keys.map(|k| self.hash_builder.hash_one(k));
        self.table
            .get_disjoint_mut(hashes, |i, k| keys[i].equivalent(k))
            .unwrap_or_else(|| panic!("evacmap: get_disjoint_mut called with overlapping keys"))
    }

    /// A reference to the value for `key`. Reads never evacuate; during a
    /// growth they look in the old bucket while it is not evacuated.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// map.insert(1, "a");
    /// assert_eq!(map.get(&1), Some(&"a"));
    /// assert_eq!(map.get(&2), None);
    /// ```
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.get_key_value(key).map(|(_, v)| v)
    }

    /// The stored key and value for `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// map.insert(String::from("k"), 1);
    /// assert_eq!(map.get_key_value("k"), Some((&String::from("k"), &1)));
    /// ```
    #[inline]
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let hash = self.hash_builder.hash_one(key);
        self.get_key_value_hashed(hash, key)
    }

    /// [`get_key_value`](Self::get_key_value) with the key's hash computed.
    #[inline]
    pub(crate) fn get_key_value_hashed<Q>(&self, hash: u64, key: &Q) -> Option<(&K, &V)>
    where
        Q: Equivalent<K> + ?Sized,
    {
        self.table.get(hash, equivalent(key))
    }

    /// A mutable reference to the value for `key` (a read: no evacuation).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// map.insert(1, 10);
    /// *map.get_mut(&1).unwrap() += 1;
    /// assert_eq!(map[&1], 11);
    /// ```
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let hash = self.hash_builder.hash_one(key);
        self.get_key_value_mut_hashed(hash, key).map(|(_, v)| v)
    }

    /// The stored key and a mutable value, with the key's hash computed.
    #[inline]
    pub(crate) fn get_key_value_mut_hashed<Q>(&mut self, hash: u64, key: &Q) -> Option<(&K, &mut V)>
    where
        Q: Equivalent<K> + ?Sized,
    {
        self.table.get_mut(hash, equivalent(key))
    }

    /// True if the map holds `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// map.insert(1, ());
    /// assert!(map.contains_key(&1));
    /// assert!(!map.contains_key(&2));
    /// ```
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.get_key_value(key).is_some()
    }

    /// Inserts `value` under `key`, returning the previous value. As in
    /// `std`, an existing key is not replaced, only its value.
    ///
    /// A write: while a growth is in progress it first evacuates the old
    /// bucket feeding the key's bucket and `cursor_steps` more; if the load
    /// limit is crossed it starts a growth (finishing a running one first).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// assert_eq!(map.insert(1, "a"), None);
    /// assert_eq!(map.insert(1, "b"), Some("a"));
    /// assert_eq!(map[&1], "b");
    /// ```
    #[inline]
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = self.hash_builder.hash_one(&key);
        self.insert_hashed(hash, key, value)
    }

    /// [`insert`](Self::insert) with the key's hash computed.
    #[inline]
    pub(crate) fn insert_hashed(&mut self, hash: u64, key: K, value: V) -> Option<V> {
        let hasher = hasher_of(&self.hash_builder);
        self.table.insert(hash, key, value, K::eq, hasher)
    }

    /// Removes `key`, returning its value. A write: does evacuation work
    /// first unless the policy turned that off.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// map.insert(1, "a");
    /// assert_eq!(map.remove(&1), Some("a"));
    /// assert_eq!(map.remove(&1), None);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    /// Removes `key`, returning the stored key and value.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// map.insert(String::from("k"), 1);
    /// assert_eq!(map.remove_entry("k"), Some((String::from("k"), 1)));
    /// ```
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let hash = self.hash_builder.hash_one(key);
        self.remove_entry_hashed(hash, key)
    }

    /// [`remove_entry`](Self::remove_entry) with the key's hash computed.
    #[inline]
    pub(crate) fn remove_entry_hashed<Q>(&mut self, hash: u64, key: &Q) -> Option<(K, V)>
    where
        Q: Equivalent<K> + ?Sized,
    {
        self.table
            .remove(hash, equivalent(key), hasher_of(&self.hash_builder))
    }

    /// Evacuates at most `max_buckets` old buckets at the cursor, without a
    /// write; returns how many were moved (0 when not growing). The tool for
    /// releasing old buckets when writes have stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..10_000u32 {
    ///     map.insert(i, i);
    /// }
    /// while map.is_evacuating() {
    ///     assert!(map.evacuate(64) > 0);
    /// }
    /// assert_eq!(map.evacuate(64), 0);
    /// ```
    pub fn evacuate(&mut self, max_buckets: usize) -> usize {
        let hasher = hasher_of(&self.hash_builder);
        self.table.evacuate(Budget::Chains(max_buckets), &hasher)
    }

    /// Evacuates old buckets for about `budget` of wall time, checking the
    /// clock every few buckets (like Redis's timed rehash); returns how many
    /// were moved. Stops early when the growth completes. At least one batch
    /// is done per call, so the call can overrun `budget` by one batch.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..10_000u32 {
    ///     map.insert(i, i);
    /// }
    /// while map.is_evacuating() {
    ///     map.evacuate_for(Duration::from_micros(100));
    /// }
    /// ```
    pub fn evacuate_for(&mut self, budget: Duration) -> usize {
        let hasher = hasher_of(&self.hash_builder);
        self.table.evacuate(Budget::Time(budget), &hasher)
    }

    /// Evacuates every remaining old bucket of the growth or shrink in
    /// progress and releases the old array (retiring or not).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..10_000u32 {
    ///     map.insert(i, i);
    /// }
    /// map.finish_evacuation();
    /// assert_eq!(map.phase(), evacmap::Phase::Idle);
    /// ```
    pub fn finish_evacuation(&mut self) {
        self.table.finish_evacuation(&hasher_of(&self.hash_builder));
    }

    /// The former name of [`finish_evacuation`](Self::finish_evacuation),
    /// which finishes a shrink too.
    #[deprecated(
        since = "0.2.0",
        note = "renamed `finish_evacuation`: it finishes shrinks too"
    )]
    pub fn finish_growth(&mut self) {
        self.finish_evacuation();
    }

    /// Walks the whole table and panics, naming the broken invariant (see
    /// `docs/design.md`), if any does not hold. O(buckets + entries); meant
    /// for tests and debugging, e.g. after every step of a model test.
    ///
    /// # Panics
    ///
    /// Panics if an invariant is broken (a bug in evacmap, or a key whose
    /// `Hash`/`Eq` changed while it was in the map).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    ///     map.check_invariants();
    /// }
    /// ```
    pub fn check_invariants(&self) {
        self.table.check_invariants(hasher_of(&self.hash_builder));
    }
}

impl<K: Clone, V: Clone, S: Clone, L: BucketLayout> Clone for EvacMap<K, V, S, L> {
    /// A deep copy with the same shape: a map cloned mid-growth is
    /// mid-growth at the same point.
    fn clone(&self) -> Self {
        EvacMap {
            hash_builder: self.hash_builder.clone(),
            table: self.table.clone(),
        }
    }

    /// Makes `self` a copy of `source`, reusing `self`'s bucket array when
    /// it has the same size and `source` is not growing.
    ///
    /// # Examples
    ///
    /// ```
    /// let source: evacmap::EvacMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    /// let mut copy: evacmap::EvacMap<u32, u32> = (0..90).map(|i| (i, 0)).collect();
    /// copy.clone_from(&source);
    /// assert_eq!(copy, source);
    /// ```
    fn clone_from(&mut self, source: &Self) {
        self.hash_builder.clone_from(&source.hash_builder);
        self.table.clone_from(&source.table);
    }
}

// Unwind safety as std's `HashMap` has it (rust-lang/rust#62301): the map is
// `UnwindSafe` when its keys, values and hasher are, whatever they allow
// through `&`. The raw pointers inside would otherwise demand
// `RefUnwindSafe` contents. Sound to claim: every operation leaves the map
// consistent if user code (`Hash`, `Eq`, `Clone`, `Drop`) panics in it
// (`tests/unwind.rs`), so observing it after a caught panic shows no broken
// invariant; at worst an entry being moved is lost, as in std.
impl<K: UnwindSafe, V: UnwindSafe, S: UnwindSafe, L: BucketLayout> UnwindSafe
    for EvacMap<K, V, S, L>
{
}

impl<K: fmt::Debug, V: fmt::Debug, S, L: BucketLayout> fmt::Debug for EvacMap<K, V, S, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V, S: Default, L: BucketLayout> Default for EvacMap<K, V, S, L> {
    fn default() -> Self {
        Self::from_parts(Policy::go(), 0, S::default())
    }
}

impl<K, V, S, L: BucketLayout> PartialEq for EvacMap<K, V, S, L>
where
    K: Eq + Hash,
    V: PartialEq,
    S: BuildHasher,
{
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Eq + Hash, V: Eq, S: BuildHasher, L: BucketLayout> Eq for EvacMap<K, V, S, L> {}

impl<K, Q, V, S, L: BucketLayout> Index<&Q> for EvacMap<K, V, S, L>
where
    K: Eq + Hash,
    Q: Hash + Equivalent<K> + ?Sized,
    S: BuildHasher,
{
    type Output = V;

    /// # Panics
    ///
    /// Panics if the key is not in the map.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: Eq + Hash, V, S: BuildHasher, L: BucketLayout> Extend<(K, V)> for EvacMap<K, V, S, L> {
    fn extend<T: IntoIterator<Item = (K, V)>>(&mut self, iter: T) {
        // std's heuristic: reserve the whole hint into an empty map, half of
        // it otherwise (keys may already be present).
        let iter = iter.into_iter();
        let hint = iter.size_hint().0;
        self.reserve(if self.is_empty() {
            hint
        } else {
            hint.div_ceil(2)
        });
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'a, K, V, S, L: BucketLayout> Extend<(&'a K, &'a V)> for EvacMap<K, V, S, L>
where
    K: Eq + Hash + Copy,
    V: Copy,
    S: BuildHasher,
{
    fn extend<T: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: T) {
        self.extend(iter.into_iter().map(|(&k, &v)| (k, v)));
    }
}

impl<K: Eq + Hash, V, S: BuildHasher + Default, L: BucketLayout> FromIterator<(K, V)>
    for EvacMap<K, V, S, L>
{
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let mut map = Self::default();
        map.extend(iter);
        map
    }
}

impl<K: Eq + Hash, V, const N: usize> From<[(K, V); N]> for EvacMap<K, V, DefaultHashBuilder> {
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::EvacMap::from([(1, 2), (3, 4)]);
    /// assert_eq!(map[&3], 4);
    /// ```
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K, V, S, L: BucketLayout> IntoIterator for EvacMap<K, V, S, L> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V, L>;

    fn into_iter(self) -> IntoIter<K, V, L> {
        IntoIter::new(self.table.into_iter())
    }
}

impl<'a, K, V, S, L: BucketLayout> IntoIterator for &'a EvacMap<K, V, S, L> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V, L>;

    fn into_iter(self) -> Iter<'a, K, V, L> {
        self.iter()
    }
}

impl<'a, K, V, S, L: BucketLayout> IntoIterator for &'a mut EvacMap<K, V, S, L> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V, L>;

    fn into_iter(self) -> IterMut<'a, K, V, L> {
        self.iter_mut()
    }
}
