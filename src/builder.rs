//! [`Builder`]: one way to give a collection a [`Policy`], a hasher, a
//! first capacity and, for [`EvacMap`], a bucket layout, together; the
//! same for all four collections.
//!
//! | collection | plain constructors | everything together |
//! |---|---|---|
//! | [`EvacMap`] | `new`, `with_capacity`, `with_hasher`, `with_capacity_and_hasher`, `with_policy` | `EvacMap::builder()` … `.layout::<L>()` … `.build()` |
//! | [`EvacSet`] | the same | `EvacSet::builder()` … `.build()` |
//! | [`ShardedEvacMap`] | the same | `ShardedEvacMap::builder()` … `.shards(n)` … `.build()` |
//! | [`ShardedEvacSet`] | the same | `ShardedEvacSet::builder()` … `.shards(n)` … `.build()` |
//!
//! The bucket layout is a parameter of [`EvacMap`] only: the sets and the
//! sharded collections use [`DefaultLayout`] (Go's
//! layout, [`GoLayout`](crate::GoLayout)), so their builders have no
//! `layout` method.
//!
//! # Examples
//!
//! ```
//! use std::collections::hash_map::RandomState;
//! use evacmap::{EvacMap, Policy, ShardedEvacMap, SplitLayout};
//!
//! let map: EvacMap<u64, u64, RandomState, SplitLayout> = EvacMap::builder()
//!     .policy(Policy::go().with_cursor_steps(4))
//!     .capacity(1000)
//!     .hasher(RandomState::new())
//!     .layout::<SplitLayout>()
//!     .build();
//! assert!(map.capacity() >= 1000);
//!
//! let sharded: ShardedEvacMap<u64, u64> = ShardedEvacMap::builder().shards(4).build();
//! assert_eq!(sharded.shard_count(), 4);
//! ```

use core::fmt;
use core::marker::PhantomData;

use crate::layout::{BucketLayout, DefaultLayout};
use crate::{DefaultHashBuilder, EvacMap, EvacSet, Policy, ShardedEvacMap, ShardedEvacSet};

/// Builds a collection `T` (`EvacMap<K, V>`, `EvacSet<T>`,
/// `ShardedEvacMap<K, V>` or `ShardedEvacSet<T>`, with the key and value
/// types it will hold) with hasher `S` and, for [`EvacMap`], bucket layout
/// `L`. Made by each collection's `builder()`; see the
/// [module docs](self).
#[must_use = "a builder does nothing until `build` is called"]
pub struct Builder<T, S = DefaultHashBuilder, L: BucketLayout = DefaultLayout> {
    policy: Policy,
    capacity: usize,
    hasher: S,
    shards: Option<usize>,
    target: PhantomData<fn() -> (T, L)>,
}

impl<T> Builder<T> {
    /// A builder of Go's policy, no capacity, the default hasher and
    /// layout.
    pub(crate) fn new() -> Self {
        Builder {
            policy: Policy::go(),
            capacity: 0,
            hasher: DefaultHashBuilder::new(),
            shards: None,
            target: PhantomData,
        }
    }
}

impl<T, S, L: BucketLayout> Builder<T, S, L> {
    /// The policy (default: [`Policy::go`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{EvacMap, Policy};
    ///
    /// let map: EvacMap<u8, u8> = EvacMap::builder().policy(Policy::all_at_once()).build();
    /// assert!(map.policy().is_all_at_once());
    /// ```
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Room for at least `capacity` entries before the first growth
    /// (default 0: nothing is allocated until the first insert). A sharded
    /// collection gives each shard its share, rounded up.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u8> = evacmap::EvacSet::builder().capacity(100).build();
    /// assert!(set.capacity() >= 100);
    /// ```
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// The hasher (default: [`DefaultHashBuilder`], randomly seeded).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{DefaultHashBuilder, EvacMap};
    ///
    /// let mut map = EvacMap::builder()
    ///     .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
    ///     .build();
    /// map.insert(1u8, 2u8);
    /// ```
    pub fn hasher<S2>(self, hasher: S2) -> Builder<T, S2, L> {
        Builder {
            policy: self.policy,
            capacity: self.capacity,
            hasher,
            shards: self.shards,
            target: PhantomData,
        }
    }
}

impl<K, V, S, L: BucketLayout> Builder<EvacMap<K, V>, S, L> {
    /// The bucket layout (default: [`DefaultLayout`],
    /// which is [`GoLayout`](crate::GoLayout), Go's `bmap`; see
    /// [`layout`](crate::layout)).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{DefaultHashBuilder, EvacMap, SplitLayout};
    ///
    /// let map: EvacMap<u8, u8, DefaultHashBuilder, SplitLayout> =
    ///     EvacMap::builder().layout::<SplitLayout>().build();
    /// assert!(map.is_empty());
    /// ```
    pub fn layout<L2: BucketLayout>(self) -> Builder<EvacMap<K, V>, S, L2> {
        Builder {
            policy: self.policy,
            capacity: self.capacity,
            hasher: self.hasher,
            shards: self.shards,
            target: PhantomData,
        }
    }

    /// The map.
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if the capacity needs more buckets
    /// than can be addressed.
    #[track_caller]
    #[must_use]
    pub fn build(self) -> EvacMap<K, V, S, L> {
        EvacMap::from_parts(self.policy, self.capacity, self.hasher)
    }
}

impl<E, S> Builder<EvacSet<E>, S> {
    /// The set.
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if the capacity needs more buckets
    /// than can be addressed.
    #[track_caller]
    #[must_use]
    pub fn build(self) -> EvacSet<E, S> {
        EvacSet::from_map(EvacMap::from_parts(self.policy, self.capacity, self.hasher))
    }
}

impl<K, V, S: Clone> Builder<ShardedEvacMap<K, V>, S> {
    /// The number of shards, a power of two up to
    /// [`MAX_SHARDS`](crate::sharded::MAX_SHARDS) (default:
    /// [`default_shard_count`](crate::sharded::default_shard_count)).
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::ShardedEvacMap<u8, u8> =
    ///     evacmap::ShardedEvacMap::builder().shards(2).build();
    /// assert_eq!(map.shard_count(), 2);
    /// ```
    pub fn shards(mut self, shards: usize) -> Self {
        self.shards = Some(shards);
        self
    }

    /// The map.
    ///
    /// # Panics
    ///
    /// Panics if the shard count is not a power of two or exceeds
    /// [`MAX_SHARDS`](crate::sharded::MAX_SHARDS), or with "capacity
    /// overflow" if a shard's capacity needs more buckets than can be
    /// addressed.
    #[track_caller]
    #[must_use]
    pub fn build(self) -> ShardedEvacMap<K, V, S> {
        let shards = self
            .shards
            .unwrap_or_else(crate::sharded::default_shard_count);
        ShardedEvacMap::from_parts(shards, self.policy, self.capacity, self.hasher)
    }
}

impl<E, S: Clone> Builder<ShardedEvacSet<E>, S> {
    /// The number of shards; see the sharded map's
    /// [`shards`](Builder::shards).
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::ShardedEvacSet<u8> =
    ///     evacmap::ShardedEvacSet::builder().shards(2).build();
    /// assert_eq!(set.shard_count(), 2);
    /// ```
    pub fn shards(mut self, shards: usize) -> Self {
        self.shards = Some(shards);
        self
    }

    /// The set.
    ///
    /// # Panics
    ///
    /// As for the sharded map's [`build`](Builder::build).
    #[track_caller]
    #[must_use]
    pub fn build(self) -> ShardedEvacSet<E, S> {
        let shards = self
            .shards
            .unwrap_or_else(crate::sharded::default_shard_count);
        ShardedEvacSet::from_map(ShardedEvacMap::from_parts(
            shards,
            self.policy,
            self.capacity,
            self.hasher,
        ))
    }
}

impl<T, S, L: BucketLayout> fmt::Debug for Builder<T, S, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("policy", &self.policy)
            .field("capacity", &self.capacity)
            .field("shards", &self.shards)
            .field("layout", &L::NAME)
            .finish_non_exhaustive()
    }
}
