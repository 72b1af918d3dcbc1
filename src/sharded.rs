//! [`ShardedEvacMap`]: a concurrent map made of [`EvacMap`] shards, each
//! behind a reader-writer lock, so that no writer holds a lock for longer
//! than one incremental step of a growth.
//!
//! A stop-the-world resize behind a lock (a `dashmap` shard, or a
//! `RwLock<hashbrown::HashMap>`) makes every reader of that shard wait for the
//! whole rehash. Here a write that crosses the load limit only allocates the
//! new array; every later write moves a bounded number of old buckets, and
//! [`ShardedEvacMap::maintain`] (or a [`Maintainer`] thread) moves the rest
//! in bounded steps, one lock acquisition each. With
//! [`Policy::all_at_once`] the same code becomes the stop-the-world baseline.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use evacmap::sharded::ShardedEvacMap;
//!
//! let map = Arc::new(ShardedEvacMap::new());
//! let writers: Vec<_> = (0..2u64)
//!     .map(|t| {
//!         let map = Arc::clone(&map);
//!         std::thread::spawn(move || {
//!             for i in 0..1000 {
//!                 map.insert(t * 1000 + i, i);
//!             }
//!         })
//!     })
//!     .collect();
//! for w in writers {
//!     w.join().unwrap();
//! }
//! assert_eq!(map.len(), 2000);
//! assert_eq!(map.get_cloned(&1999), Some(999));
//! ```

mod entry;
mod guard;
mod instruments;
mod iter;
mod lock_timing;
#[cfg(not(evacmap_loom))]
mod maintainer;
mod probe;
mod read;
mod refs;
mod set;
mod shard;

use core::hash::{BuildHasher, Hash};

pub use entry::{Entry, OccupiedEntry, VacantEntry};
pub use instruments::ShardedInstruments;
pub use iter::{IntoIter, Iter, IterMut};
#[cfg(not(evacmap_loom))]
pub use maintainer::Maintainer;
pub use probe::ShardedProbe;
pub use read::READ_SPIN;
pub use refs::{Ref, RefMulti, RefMut, RefMutMulti, ShardRef};
pub use set::{SetIntoIter, SetIter, SetRef, ShardedEvacSet};

use crate::builder::Builder;
use crate::map::Entry as MapEntry;
use crate::sync::{Ordering, RwLockReadGuard, yield_now};
use crate::{DefaultHashBuilder, Equivalent, EvacMap, Policy};
use guard::{KeyValue, KeyValueMut, LockedEntry};
use shard::{Locked, Shard, WriteGuard};

/// The outcome of a lookup that never blocks ([`ShardedEvacMap::try_get`],
/// [`ShardedEvacMap::try_get_mut`]).
///
/// # Examples
///
/// ```
/// use evacmap::sharded::TryResult;
///
/// let map = evacmap::ShardedEvacMap::builder().shards(1).build();
/// map.insert(1, 1);
/// assert!(matches!(map.try_get(&1), TryResult::Present(r) if *r == 1));
/// assert!(matches!(map.try_get(&2), TryResult::Absent));
/// let held = map.get_mut(&1).unwrap(); // the only shard, write-locked
/// assert!(matches!(map.try_get(&1), TryResult::Locked));
/// drop(held);
/// ```
#[derive(Debug)]
pub enum TryResult<R> {
    /// The key is present; `R` holds its shard's lock.
    Present(R),
    /// The key is absent.
    Absent,
    /// The key's shard is locked by someone else (for `try_get`: by a
    /// writer): nothing was looked up.
    Locked,
}

impl<R> TryResult<R> {
    /// True for [`TryResult::Present`].
    pub fn is_present(&self) -> bool {
        matches!(self, TryResult::Present(_))
    }

    /// True for [`TryResult::Locked`].
    pub fn is_locked(&self) -> bool {
        matches!(self, TryResult::Locked)
    }

    /// The guard, if present.
    pub fn try_unwrap(self) -> Option<R> {
        match self {
            TryResult::Present(r) => Some(r),
            _ => None,
        }
    }
}

/// Old buckets [`ShardedEvacMap::maintain`] moves per write-lock
/// acquisition: the bound on how long maintenance makes readers wait.
pub const MAINTAIN_STEP: usize = 16;

/// The largest shard count. With `2^k` shards the shard is hash bits
/// `56-k..56`, just below the tophash byte; at this maximum, bits 40..56,
/// still above any bucket index a shard can reach (`2^40` buckets).
pub const MAX_SHARDS: usize = 1 << 16;

/// A concurrent hash map: `2^k` [`EvacMap`] shards, each behind a
/// reader-writer lock. All methods take `&self`; the map is `Send + Sync`
/// when `K`, `V` and `S` are.
///
/// The shard is chosen from hash bits that a shard's bucket index never
/// uses (the `log2(shards)` bits just below the tophash byte, far above the
/// low bits that pick a bucket), and the key is hashed once: the shard's
/// map is handed the hash.
///
/// # Deadlocks
///
/// [`Ref`], [`RefMut`] and [`ShardRef`] hold their shard's lock until they
/// drop, as `dashmap`'s guards do. A thread that holds one and then writes
/// to the same map (or takes a `RefMut`) may deadlock if the key falls in
/// the same shard. Closures passed to [`with_entry`](Self::with_entry),
/// [`update`](Self::update), [`retain`](Self::retain) and
/// [`for_each`](Self::for_each) run under a shard's lock and must not
/// access the map either.
///
/// # Poisoning
///
/// A poisoned lock (a `Hash`, `Eq` or closure that panicked while a shard
/// was locked) is not an error here: [`EvacMap`] stays consistent across a
/// panic (its operations are panic-safe), so the next caller takes the lock
/// as if it were not poisoned.
///
/// # Examples
///
/// ```
/// use evacmap::sharded::ShardedEvacMap;
/// use evacmap::Policy;
///
/// let map = ShardedEvacMap::with_policy(Policy::default());
/// map.insert("a", 1);
/// *map.get_mut("a").unwrap() += 1;
/// assert_eq!(*map.get("a").unwrap(), 2);
/// assert_eq!(map.remove("a"), Some(2));
/// assert!(map.is_empty());
/// ```
pub struct ShardedEvacMap<K, V, S = DefaultHashBuilder> {
    shards: Box<[Shard<K, V, S>]>,
    /// `log2(shards.len())`.
    shard_bits: u32,
    hash_builder: S,
    policy: Policy,
}

/// The default shard count: four per available CPU, rounded up to a power
/// of two (as `dashmap` does).
///
/// # Examples
///
/// ```
/// let n = evacmap::sharded::default_shard_count();
/// assert!(n.is_power_of_two() && n >= 4);
/// ```
pub fn default_shard_count() -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cpus * 4).next_power_of_two().min(MAX_SHARDS)
}

impl<K, V> ShardedEvacMap<K, V, DefaultHashBuilder> {
    /// An empty map with [`default_shard_count`] shards and Go's policy.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::sharded::ShardedEvacMap<u32, u32> =
    ///     evacmap::sharded::ShardedEvacMap::new();
    /// assert_eq!(map.shard_count(), evacmap::sharded::default_shard_count());
    /// ```
    pub fn new() -> Self {
        Self::with_hasher(DefaultHashBuilder::new())
    }

    /// An empty map with room for `capacity` entries in all, each shard
    /// its share, rounded up.
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if a shard's share needs more
    /// buckets than can be addressed.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::ShardedEvacMap<u32, u32> = evacmap::ShardedEvacMap::with_capacity(1000);
    /// assert!(map.capacity() >= 1000);
    /// ```
    #[track_caller]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, DefaultHashBuilder::new())
    }

    /// An empty map whose shards use `policy`: `Policy::all_at_once()`
    /// gives the stop-the-world baseline on identical code.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{Policy, sharded::ShardedEvacMap};
    ///
    /// let map: ShardedEvacMap<u32, u32> = ShardedEvacMap::with_policy(Policy::all_at_once());
    /// assert!(map.policy().is_all_at_once());
    /// ```
    pub fn with_policy(policy: Policy) -> Self {
        Self::from_parts(default_shard_count(), policy, 0, DefaultHashBuilder::new())
    }

    /// A [`Builder`] for a map with a shard count, a policy, a hasher and a
    /// first capacity given together.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{DefaultHashBuilder, Policy, ShardedEvacMap};
    ///
    /// let map: ShardedEvacMap<u8, u8> = ShardedEvacMap::builder()
    ///     .shards(8)
    ///     .policy(Policy::default().with_timing(true))
    ///     .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
    ///     .build();
    /// assert_eq!(map.shard_count(), 8);
    /// ```
    pub fn builder() -> Builder<ShardedEvacMap<K, V>> {
        Builder::new()
    }
}

impl<K, V, S: Clone> ShardedEvacMap<K, V, S> {
    /// An empty map with [`default_shard_count`] shards hashing with
    /// `hash_builder` (every shard holds a clone, so all hash alike).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{DefaultHashBuilder, sharded::ShardedEvacMap};
    ///
    /// let map = ShardedEvacMap::with_hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4));
    /// map.insert(1, 1);
    /// assert!(map.contains_key(&1));
    /// ```
    pub fn with_hasher(hash_builder: S) -> Self {
        Self::from_parts(default_shard_count(), Policy::go(), 0, hash_builder)
    }

    /// An empty map with room for `capacity` entries in all, hashing with
    /// `hash_builder`.
    ///
    /// # Panics
    ///
    /// As for [`with_capacity`](ShardedEvacMap::with_capacity).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{DefaultHashBuilder, ShardedEvacMap};
    ///
    /// let map: ShardedEvacMap<u8, u8> =
    ///     ShardedEvacMap::with_capacity_and_hasher(100, DefaultHashBuilder::new());
    /// assert!(map.capacity() >= 100);
    /// ```
    #[track_caller]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        Self::from_parts(default_shard_count(), Policy::go(), capacity, hash_builder)
    }

    /// The builder's constructor: `shards` shards, each with `policy` and
    /// room for its share of `capacity`, hashing with `hash_builder`.
    ///
    /// # Panics
    ///
    /// Panics if `shards` is not a power of two or exceeds [`MAX_SHARDS`],
    /// or with "capacity overflow" as [`EvacMap::with_capacity`] does.
    #[track_caller]
    pub(crate) fn from_parts(
        shards: usize,
        policy: Policy,
        capacity: usize,
        hash_builder: S,
    ) -> Self {
        assert!(
            shards.is_power_of_two() && shards <= MAX_SHARDS,
            "evacmap: shard count must be a power of two from 1 to {MAX_SHARDS}, got {shards}"
        );
        let per_shard = capacity.div_ceil(shards);
        let shards: Box<[_]> = (0..shards)
            .map(|_| {
                let map = EvacMap::from_parts(policy, per_shard, hash_builder.clone());
                Shard::new(map, policy.timing())
            })
            .collect();
        ShardedEvacMap {
            shard_bits: shards.len().trailing_zeros(),
            shards,
            hash_builder,
            policy,
        }
    }
}

impl<K, V, S> ShardedEvacMap<K, V, S> {
    /// The number of shards.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::sharded::ShardedEvacMap<u8, u8> =
    ///     evacmap::sharded::ShardedEvacMap::builder().shards(2).build();
    /// assert_eq!(map.shard_count(), 2);
    /// ```
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The policy every shard was built with.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::sharded::ShardedEvacMap<u8, u8> =
    ///     evacmap::sharded::ShardedEvacMap::new();
    /// assert_eq!(map.policy(), evacmap::Policy::go());
    /// ```
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The map's hasher (each shard holds a clone).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::hash::BuildHasher;
    ///
    /// let map: evacmap::sharded::ShardedEvacMap<u8, u8> =
    ///     evacmap::sharded::ShardedEvacMap::new();
    /// let _h = map.hasher().hash_one(1u8);
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// Live entries: the sum of the shards' lengths, read without locking.
    /// Each shard's length is exact as of its last write; while writers run,
    /// the sum is not a point-in-time value, but it never counts an entry
    /// that was not inserted or misses one no removal took out.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, 1);
    /// assert_eq!(map.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.len.load(Ordering::Relaxed))
            .sum()
    }

    /// True if [`len`](Self::len) is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::sharded::ShardedEvacMap<u8, u8> =
    ///     evacmap::sharded::ShardedEvacMap::new();
    /// assert!(map.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True if some shard holds old buckets (as of its last write).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::builder().shards(1).build();
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    /// }
    /// while map.is_evacuating() {
    ///     map.maintain(64);
    /// }
    /// ```
    pub fn is_evacuating(&self) -> bool {
        self.shards
            .iter()
            .any(|s| s.growing.load(Ordering::Relaxed))
    }

    /// True if some shard holds old-array memory (as of its last write): a
    /// growth in progress, or the remainder of a finished one being given
    /// back (see [`EvacMap::holds_old_memory`]). [`maintain`](Self::maintain)
    /// works until this is false.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::builder().shards(1).build();
    /// for i in 0..100_000u32 {
    ///     map.insert(i, i);
    /// }
    /// while map.holds_old_memory() {
    ///     map.maintain(256);
    /// }
    /// assert_eq!(map.instruments().stats().old_bytes_held, 0);
    /// ```
    pub fn holds_old_memory(&self) -> bool {
        self.shards
            .iter()
            .any(|s| s.holds_old.load(Ordering::Relaxed))
    }

    /// The entries, one read-locked shard at a time, in shard order; each
    /// item is a guard that keeps its shard read-locked until it drops. Not
    /// a snapshot: see the [`sharded::iter`](self) module docs for what
    /// concurrent writers can change.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// for i in 0..100u32 {
    ///     map.insert(i, i * 2);
    /// }
    /// let sum: u32 = map.iter().map(|r| *r.value()).sum();
    /// assert_eq!(sum, 2 * (0..100).sum::<u32>());
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V, S> {
        Iter {
            map: self,
            next_shard: 0,
            current: None,
        }
    }

    /// The entries with mutable values, one write-locked shard at a time
    /// (see [`iter`](Self::iter)).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 1);
    /// map.insert(2, 2);
    /// for mut r in map.iter_mut() {
    ///     *r *= 10;
    /// }
    /// assert_eq!(map.get_cloned(&2), Some(20));
    /// ```
    pub fn iter_mut(&self) -> IterMut<'_, K, V, S> {
        IterMut {
            map: self,
            next_shard: 0,
            current: None,
        }
    }

    /// Entries the map holds before some shard grows: the sum of the
    /// shards' capacities, read under each shard's read lock in turn. Keys
    /// do not spread perfectly evenly, so a shard may grow a little before
    /// the sum is reached.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::ShardedEvacMap<u8, u8> = evacmap::ShardedEvacMap::builder().shards(2).build();
    /// assert_eq!(map.capacity(), 0);
    /// map.insert(1, 1);
    /// assert!(map.capacity() >= 8);
    /// ```
    pub fn capacity(&self) -> usize {
        (0..self.shard_count())
            .map(|i| self.read_shard(i).map.capacity())
            .sum()
    }

    /// Locks shard `i` for writing (lock-hold timing starts).
    pub(crate) fn write_shard(&self, i: usize) -> WriteGuard<'_, K, V, S> {
        self.shards[i].write()
    }

    /// Locks shard `i` for reading, spinning briefly first (`READ_SPIN`).
    pub(crate) fn read_shard(&self, i: usize) -> RwLockReadGuard<'_, Locked<K, V, S>> {
        read::read_spinning(&self.shards[i].lock)
    }

    /// The shards' maps, taking the map apart.
    #[cfg(feature = "rayon")]
    pub(crate) fn into_shard_maps(self) -> Vec<EvacMap<K, V, S>> {
        self.shards
            .into_vec()
            .into_iter()
            .map(Shard::into_map)
            .collect()
    }

    /// The shards, each read-locked in turn as the iterator reaches it (and
    /// released when the item drops): iteration shard by shard. This is
    /// **not** a point-in-time snapshot: shards not yet reached, or already
    /// released, keep changing. Holding an item blocks that shard's writers.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// for i in 0..100u32 {
    ///     map.insert(i, i);
    /// }
    /// let sum: u32 = map.shards().map(|shard| shard.values().sum::<u32>()).sum();
    /// assert_eq!(sum, (0..100).sum());
    /// ```
    pub fn shards(&self) -> impl Iterator<Item = ShardRef<'_, K, V, S>> + '_ {
        (0..self.shards.len()).map(|i| ShardRef {
            guard: self.read_shard(i),
        })
    }

    /// Calls `f` on every entry, shard by shard under each shard's read
    /// lock (see [`shards`](Self::shards): not a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, 10);
    /// map.insert(2, 20);
    /// let mut total = 0;
    /// map.for_each(|_, v| total += v);
    /// assert_eq!(total, 30);
    /// ```
    pub fn for_each(&self, mut f: impl FnMut(&K, &V)) {
        for shard in self.shards() {
            shard.iter().for_each(|(k, v)| f(k, v));
        }
    }

    /// Keeps only the entries for which `f` returns true, shard by shard
    /// under each shard's write lock. Like [`EvacMap::retain`] it walks the
    /// whole shard in one lock hold (O(shard), not bounded) and never
    /// starts a shrink.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// for i in 0..10u32 {
    ///     map.insert(i, i);
    /// }
    /// map.retain(|k, _| k % 2 == 0);
    /// assert_eq!(map.len(), 5);
    /// ```
    pub fn retain(&self, mut f: impl FnMut(&K, &mut V) -> bool) {
        for i in 0..self.shards.len() {
            self.write_shard(i).retain(&mut f);
        }
    }

    /// Removes every entry, shard by shard (each shard's arrays are freed
    /// under its write lock).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, 1);
    /// map.clear();
    /// assert!(map.is_empty());
    /// ```
    pub fn clear(&self) {
        for i in 0..self.shards.len() {
            self.write_shard(i).clear();
        }
    }

    /// Moves up to `budget` old buckets in shards that hold old buckets, in
    /// steps of at most [`MAINTAIN_STEP`] buckets per write-lock
    /// acquisition, and returns how many it moved. A shard whose growth has
    /// ended but whose old array is still being given back gets one batch
    /// of it per step (counted as one bucket against `budget`). Readers of a
    /// shard wait for at most one step; between steps the lock is released
    /// and the thread yields. This is what releases old buckets when writes
    /// stop (residency); a [`Maintainer`] calls it on a timer.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{DefaultHashBuilder, Policy, sharded::ShardedEvacMap};
    ///
    /// // No cursor steps: writes only evacuate the old buckets they touch.
    /// let map = ShardedEvacMap::builder()
    ///     .shards(2)
    ///     .policy(Policy::go().with_cursor_steps(0))
    ///     .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
    ///     .build();
    /// for i in 0..10_000u32 {
    ///     map.insert(i, i);
    /// }
    /// assert!(map.is_evacuating());
    /// let mut moved = 0;
    /// while map.holds_old_memory() {
    ///     moved += map.maintain(100);
    /// }
    /// assert!(moved > 0);
    /// assert_eq!(map.instruments().stats().old_bytes_held, 0);
    /// ```
    pub fn maintain(&self, budget: usize) -> usize
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let (mut moved, mut spent) = (0, 0);
        for (i, shard) in self.shards.iter().enumerate() {
            while spent < budget && shard.holds_old.load(Ordering::Relaxed) {
                let step = (budget - spent).min(MAINTAIN_STEP);
                // Evacuates up to `step` chains, or (growth over) gives
                // back one batch of the retired array.
                let n = self.write_shard(i).evacuate(step);
                moved += n;
                spent += n.max(1);
                yield_now();
            }
            if spent >= budget {
                break;
            }
        }
        moved
    }

    /// The instruments of all shards, read through one view
    /// ([`ShardedInstruments`]): the counters added up and per shard, and
    /// the write-lock hold times.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    /// }
    /// assert_eq!(map.instruments().stats().len, 1000);
    /// ```
    pub fn instruments(&self) -> ShardedInstruments<'_, K, V, S> {
        ShardedInstruments { map: self }
    }

    /// A probe over every shard: [`ShardedProbe::snapshot`] adds the
    /// shards' published counters up, [`ShardedProbe::shards`] gives each
    /// shard's own [`Probe`](crate::instruments::Probe) (and its events). Takes each shard's write lock
    /// once, to create its probe.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// let probe = map.probe();
    /// map.insert(1, 1);
    /// map.publish();
    /// assert_eq!(probe.snapshot().len, 1);
    /// ```
    pub fn probe(&self) -> ShardedProbe {
        ShardedProbe {
            shards: (0..self.shards.len())
                .map(|i| self.write_shard(i).probe())
                .collect(),
        }
    }

    /// Publishes every shard's counters to its probes now.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::sharded::ShardedEvacMap<u8, u8> =
    ///     evacmap::sharded::ShardedEvacMap::new();
    /// map.publish(); // no probe: nothing to do
    /// ```
    pub fn publish(&self) {
        for i in 0..self.shards.len() {
            self.write_shard(i).publish();
        }
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> ShardedEvacMap<K, V, S> {
    /// The key's hash and its shard.
    #[inline]
    fn locate<Q: Hash + ?Sized>(&self, key: &Q) -> (u64, usize) {
        let hash = self.hash_builder.hash_one(key);
        let shard = if self.shard_bits == 0 {
            0
        } else {
            ((hash << 8) >> (64 - self.shard_bits)) as usize
        };
        (hash, shard)
    }

    /// Inserts `value` under `key` (a write in the key's shard: its
    /// evacuation work runs under the write lock), returning the previous
    /// value.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// assert_eq!(map.insert(1, "a"), None);
    /// assert_eq!(map.insert(1, "b"), Some("a"));
    /// ```
    pub fn insert(&self, key: K, value: V) -> Option<V> {
        let (hash, shard) = self.locate(&key);
        self.write_shard(shard).insert_hashed(hash, key, value)
    }

    /// Runs `f` on `key`'s [`Entry`] under the shard's write lock: a
    /// read-modify-write that no other thread can interleave with. Counts
    /// as a write (evacuation work first), like [`EvacMap::entry`].
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// for word in ["a", "b", "a"] {
    ///     map.with_entry(word, |e| *e.or_insert(0) += 1);
    /// }
    /// assert_eq!(map.get_cloned("a"), Some(2));
    /// ```
    pub fn with_entry<R>(&self, key: K, f: impl FnOnce(MapEntry<'_, K, V, S>) -> R) -> R {
        let (hash, shard) = self.locate(&key);
        let mut guard = self.write_shard(shard);
        f(guard.entry_hashed(hash, key))
    }

    /// Runs `f` on the value for `key`, if present, under the shard's write
    /// lock, and returns its result. A read in the shard's map (no
    /// evacuation), like [`EvacMap::get_mut`].
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert("k", 1);
    /// assert_eq!(map.update("k", |v| { *v += 1; *v }), Some(2));
    /// assert_eq!(map.update("x", |v| *v), None);
    /// ```
    pub fn update<Q, R>(&self, key: &Q, f: impl FnOnce(&mut V) -> R) -> Option<R>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        let mut guard = self.write_shard(shard);
        guard.get_key_value_mut_hashed(hash, key).map(|(_, v)| f(v))
    }

    /// Removes `key`, returning its value (a write in its shard).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, "a");
    /// assert_eq!(map.remove(&1), Some("a"));
    /// assert_eq!(map.remove(&1), None);
    /// ```
    pub fn remove<Q>(&self, key: &Q) -> Option<V>
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
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(String::from("k"), 1);
    /// assert_eq!(map.remove_entry("k"), Some((String::from("k"), 1)));
    /// ```
    pub fn remove_entry<Q>(&self, key: &Q) -> Option<(K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        self.write_shard(shard).remove_entry_hashed(hash, key)
    }

    /// A read guard on the entry for `key`: the shard stays read-locked (its
    /// writers wait) until the [`Ref`] drops.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, String::from("one"));
    /// let r = map.get(&1).unwrap();
    /// assert_eq!(r.len(), 3);
    /// assert_eq!((r.key(), r.value().as_str()), (&1, "one"));
    /// drop(r);
    /// assert!(map.get(&2).is_none());
    /// ```
    pub fn get<Q>(&self, key: &Q) -> Option<Ref<'_, K, V, S>>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        KeyValue::find(self.read_shard(shard), |map| {
            map.get_key_value_hashed(hash, key)
        })
        .map(|inner| Ref { inner })
    }

    /// A clone of the value for `key`, taken under the read lock and
    /// released at once.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, 10);
    /// assert_eq!(map.get_cloned(&1), Some(10));
    /// ```
    pub fn get_cloned<Q>(&self, key: &Q) -> Option<V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
        V: Clone,
    {
        let (hash, shard) = self.locate(key);
        let locked = self.read_shard(shard);
        locked
            .map
            .get_key_value_hashed(hash, key)
            .map(|(_, v)| v.clone())
    }

    /// True if the map holds `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, ());
    /// assert!(map.contains_key(&1) && !map.contains_key(&2));
    /// ```
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        self.read_shard(shard)
            .map
            .get_key_value_hashed(hash, key)
            .is_some()
    }

    /// A write guard on the value for `key`: the shard stays write-locked
    /// (everyone else waits) until the [`RefMut`] drops. A read in the
    /// shard's map (no evacuation).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, 10);
    /// *map.get_mut(&1).unwrap() += 1;
    /// assert_eq!(map.get_cloned(&1), Some(11));
    /// ```
    pub fn get_mut<Q>(&self, key: &Q) -> Option<RefMut<'_, K, V, S>>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        KeyValueMut::find(self.write_shard(shard), |map| {
            map.get_key_value_mut_hashed(hash, key)
        })
        .map(|inner| RefMut { inner })
    }

    /// The entry for `key`, holding its shard's write lock until the entry
    /// (or the [`RefMut`] it becomes) drops, as `dashmap`'s `entry` does. A
    /// write: like [`EvacMap::entry`], it does the write's evacuation work
    /// first. For a closure-shaped read-modify-write, see
    /// [`with_entry`](Self::with_entry).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// for word in ["a", "b", "a"] {
    ///     *map.entry(word).or_insert(0) += 1;
    /// }
    /// assert_eq!(map.get_cloned("a"), Some(2));
    /// ```
    pub fn entry(&self, key: K) -> Entry<'_, K, V, S> {
        let (hash, shard) = self.locate(&key);
        match LockedEntry::new(self.write_shard(shard), hash, key) {
            LockedEntry::Occupied(inner) => Entry::Occupied(OccupiedEntry { inner }),
            LockedEntry::Vacant(inner) => Entry::Vacant(VacantEntry { inner }),
        }
    }

    /// A read guard on the entry for `key`, without blocking: `Locked` if
    /// its shard is write-locked (no spinning either).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 1);
    /// assert_eq!(*map.try_get(&1).try_unwrap().unwrap(), 1);
    /// ```
    pub fn try_get<Q>(&self, key: &Q) -> TryResult<Ref<'_, K, V, S>>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        let guard = match self.shards[shard].lock.try_read() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return TryResult::Locked,
        };
        match KeyValue::find(guard, |map| map.get_key_value_hashed(hash, key)) {
            Some(inner) => TryResult::Present(Ref { inner }),
            None => TryResult::Absent,
        }
    }

    /// A write guard on the value for `key`, without blocking: `Locked` if
    /// anyone holds its shard's lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 1);
    /// if let evacmap::sharded::TryResult::Present(mut r) = map.try_get_mut(&1) {
    ///     *r += 1;
    /// }
    /// assert_eq!(map.get_cloned(&1), Some(2));
    /// ```
    pub fn try_get_mut<Q>(&self, key: &Q) -> TryResult<RefMut<'_, K, V, S>>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        let Some(guard) = self.shards[shard].try_write() else {
            return TryResult::Locked;
        };
        match KeyValueMut::find(guard, |map| map.get_key_value_mut_hashed(hash, key)) {
            Some(inner) => TryResult::Present(RefMut { inner }),
            None => TryResult::Absent,
        }
    }

    /// Removes `key` if `f(key, value)` says so, under the shard's write
    /// lock; returns the removed entry.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 10);
    /// assert_eq!(map.remove_if(&1, |_, v| *v > 100), None);
    /// assert_eq!(map.remove_if(&1, |_, v| *v == 10), Some((1, 10)));
    /// ```
    pub fn remove_if<Q>(&self, key: &Q, f: impl FnOnce(&K, &V) -> bool) -> Option<(K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.remove_if_mut(key, |k, v| f(k, v))
    }

    /// [`remove_if`](Self::remove_if) with the value given mutably (it may
    /// be changed and kept).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 1);
    /// // Decrement, and remove at zero.
    /// let dec = |_: &i32, v: &mut i32| { *v -= 1; *v == 0 };
    /// assert_eq!(map.remove_if_mut(&1, dec), Some((1, 0)));
    /// ```
    pub fn remove_if_mut<Q>(&self, key: &Q, f: impl FnOnce(&K, &mut V) -> bool) -> Option<(K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        let mut guard = self.write_shard(shard);
        let (k, v) = guard.get_key_value_mut_hashed(hash, key)?;
        if f(k, v) {
            guard.remove_entry_hashed(hash, key)
        } else {
            None
        }
    }

    /// `f(key, value)` for the entry of `key`, under its shard's read lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert("k", vec![1, 2, 3]);
    /// assert_eq!(map.view("k", |_, v| v.len()), Some(3));
    /// assert_eq!(map.view("x", |_, v| v.len()), None);
    /// ```
    pub fn view<Q, R>(&self, key: &Q, f: impl FnOnce(&K, &V) -> R) -> Option<R>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        let locked = self.read_shard(shard);
        locked
            .map
            .get_key_value_hashed(hash, key)
            .map(|(k, v)| f(k, v))
    }

    /// Replaces the value of `key`, if present, by `f(key, value)`, under
    /// the shard's write lock. The entry is taken out and put back (two
    /// writes in the shard's counters); if `f` panics, the entry is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, String::from("a"));
    /// map.alter(&1, |_, v| v + "b");
    /// assert_eq!(map.get_cloned(&1).as_deref(), Some("ab"));
    /// ```
    pub fn alter<Q>(&self, key: &Q, f: impl FnOnce(&K, V) -> V)
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        let mut guard = self.write_shard(shard);
        if let Some((k, v)) = guard.remove_entry_hashed(hash, key) {
            let v = f(&k, v);
            guard.insert_hashed(hash, k, v);
        }
    }

    /// Makes room for about `additional` more entries: each shard reserves
    /// `ceil(additional / shard_count)` more (keys spread evenly over the
    /// shards). Like [`EvacMap::reserve`], a shard that needs more room
    /// finishes its growth in progress and doubles at once, moving its
    /// entries under its write lock: a pause for that shard's readers and
    /// writers, bounded by the shard's size, not the map's. One shard at a
    /// time.
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if a shard's capacity overflows.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::ShardedEvacMap<u32, u32> = evacmap::ShardedEvacMap::builder().shards(4).build();
    /// map.reserve(10_000);
    /// assert!(map.capacity() >= 10_000);
    /// ```
    #[track_caller]
    pub fn reserve(&self, additional: usize) {
        let per_shard = additional.div_ceil(self.shard_count());
        for i in 0..self.shard_count() {
            self.write_shard(i).reserve(per_shard);
        }
    }

    /// Starts an incremental shrink in every shard that can shrink (see
    /// [`EvacMap::shrink_to_fit`]); later writes, [`maintain`](Self::maintain)
    /// or a [`Maintainer`] complete it.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::ShardedEvacMap<u32, u32> = (0..10_000).map(|i| (i, i)).collect();
    /// map.retain(|k, _| *k < 10);
    /// let before = map.capacity();
    /// map.shrink_to_fit();
    /// assert!(map.capacity() < before);
    /// ```
    pub fn shrink_to_fit(&self) {
        for i in 0..self.shard_count() {
            self.write_shard(i).shrink_to_fit();
        }
    }

    /// The loom canary's broken insert (`loom-tests/`, through
    /// `evacmap::loom_hooks`): stores its shard's `len` mirror a second time
    /// after releasing the lock, so a write in between leaves the mirror
    /// stale.
    #[cfg(evacmap_loom)]
    pub(crate) fn insert_with_stale_len(&self, key: K, value: V) {
        let (hash, shard) = self.locate(&key);
        let len = {
            let mut guard = self.write_shard(shard);
            guard.insert_hashed(hash, key, value);
            guard.len()
        };
        self.shards[shard].len.store(len, Ordering::Relaxed);
    }

    /// Checks every shard's invariants (see [`EvacMap::check_invariants`]),
    /// that every key lives in the shard its hash picks, and that each
    /// shard's lock-free `len`, `growing` and `holds_old` mirror its map.
    /// Takes each shard's read lock in turn (no writer is then between its
    /// change and its mirror store, S2); meant for tests.
    ///
    /// # Panics
    ///
    /// Panics, naming what is broken, if any check fails.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    /// }
    /// map.check_invariants();
    /// ```
    pub fn check_invariants(&self) {
        for i in 0..self.shards.len() {
            let guard = ShardRef {
                guard: self.read_shard(i),
            };
            guard.check_invariants();
            for (k, _) in guard.iter() {
                assert_eq!(
                    self.locate(k).1,
                    i,
                    "sharded: a key lives in shard {i}, not the shard its hash picks"
                );
            }
            let shard = &self.shards[i];
            assert_eq!(
                shard.len.load(Ordering::Relaxed),
                guard.len(),
                "sharded: shard {i}'s lock-free len differs from its map's"
            );
            assert_eq!(
                shard.growing.load(Ordering::Relaxed),
                guard.is_evacuating(),
                "sharded: shard {i}'s growing flag differs from its map's"
            );
            assert_eq!(
                shard.holds_old.load(Ordering::Relaxed),
                guard.holds_old_memory(),
                "sharded: shard {i}'s old-buckets flag differs from its map's"
            );
        }
    }
}

impl<K, V, S: Default + Clone> Default for ShardedEvacMap<K, V, S> {
    fn default() -> Self {
        Self::from_parts(default_shard_count(), Policy::go(), 0, S::default())
    }
}
