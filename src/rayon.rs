//! Parallel iterators with `rayon` (feature `rayon`), as hashbrown's and
//! dashmap's `rayon` features offer.
//!
//! - `EvacMap`: `par_iter()` and `par_iter_mut()` split the table's
//!   chains between tasks (each entry exactly once, at any point of a
//!   growth); `into_par_iter()` and `par_drain()` move the entries into a
//!   `Vec` first (one sequential pass), then hand it to rayon;
//!   `par_extend` collects in parallel and inserts sequentially (a map's
//!   writes are sequential by nature).
//! - `EvacSet`: the same for elements.
//! - `ShardedEvacMap`, `ShardedEvacSet`: shards in parallel, each under
//!   its own lock (`par_for_each`, `par_for_each_mut`); `par_extend`
//!   inserts from many threads at once, each insert locking its shard;
//!   `into_par_iter` takes the shards apart in parallel.

use core::hash::{BuildHasher, Hash};

use ::rayon::iter::plumbing::UnindexedConsumer;
use ::rayon::iter::{FromParallelIterator, IntoParallelIterator, ParallelExtend, ParallelIterator};

use crate::layout::{BucketLayout, DefaultLayout};
use crate::raw::{RawParIter, RawParIterMut};
use crate::{EvacMap, EvacSet, ShardedEvacMap, ShardedEvacSet};

/// Parallel iterator over `(&K, &V)`; see [`EvacMap`]'s
/// `IntoParallelIterator for &EvacMap`.
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub struct ParIter<'a, K, V, L: BucketLayout = DefaultLayout> {
    inner: RawParIter<'a, K, V, L>,
}

impl<'a, K: Sync, V: Sync, L: BucketLayout> ParallelIterator for ParIter<'a, K, V, L> {
    type Item = (&'a K, &'a V);

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.inner.drive_unindexed(consumer)
    }
}

impl<K, V, L: BucketLayout> core::fmt::Debug for ParIter<'_, K, V, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ParIter").finish_non_exhaustive()
    }
}

/// Parallel iterator over `(&K, &mut V)`.
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub struct ParIterMut<'a, K, V, L: BucketLayout = DefaultLayout> {
    inner: RawParIterMut<'a, K, V, L>,
}

impl<'a, K: Sync, V: Send, L: BucketLayout> ParallelIterator for ParIterMut<'a, K, V, L> {
    type Item = (&'a K, &'a mut V);

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.inner.drive_unindexed(consumer)
    }
}

impl<K, V, L: BucketLayout> core::fmt::Debug for ParIterMut<'_, K, V, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ParIterMut").finish_non_exhaustive()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<'a, K: Sync, V: Sync, S, L: BucketLayout> IntoParallelIterator for &'a EvacMap<K, V, S, L> {
    type Item = (&'a K, &'a V);
    type Iter = ParIter<'a, K, V, L>;

    /// # Examples
    ///
    /// ```
    /// use rayon::prelude::*;
    ///
    /// let map: evacmap::EvacMap<u64, u64> = (0..10_000).map(|i| (i, i)).collect();
    /// let sum: u64 = map.par_iter().map(|(_, v)| *v).sum();
    /// assert_eq!(sum, (0..10_000).sum());
    /// ```
    fn into_par_iter(self) -> ParIter<'a, K, V, L> {
        ParIter {
            inner: RawParIter::new(self.raw()),
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<'a, K: Sync, V: Send, S, L: BucketLayout> IntoParallelIterator
    for &'a mut EvacMap<K, V, S, L>
{
    type Item = (&'a K, &'a mut V);
    type Iter = ParIterMut<'a, K, V, L>;

    /// # Examples
    ///
    /// ```
    /// use rayon::prelude::*;
    ///
    /// let mut map: evacmap::EvacMap<u64, u64> = (0..1000).map(|i| (i, i)).collect();
    /// map.par_iter_mut().for_each(|(_, v)| *v *= 2);
    /// assert_eq!(map[&7], 14);
    /// ```
    fn into_par_iter(self) -> ParIterMut<'a, K, V, L> {
        ParIterMut {
            inner: RawParIterMut::new(self.raw_mut()),
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<K: Send, V: Send, S, L: BucketLayout> IntoParallelIterator for EvacMap<K, V, S, L> {
    type Item = (K, V);
    type Iter = ::rayon::vec::IntoIter<(K, V)>;

    /// The entries move into a `Vec` first (sequentially), then rayon
    /// splits it.
    ///
    /// # Examples
    ///
    /// ```
    /// use rayon::prelude::*;
    ///
    /// let map: evacmap::EvacMap<u64, u64> = (0..1000).map(|i| (i, 1)).collect();
    /// assert_eq!(map.into_par_iter().map(|(_, v)| v).sum::<u64>(), 1000);
    /// ```
    fn into_par_iter(self) -> Self::Iter {
        self.into_iter().collect::<Vec<_>>().into_par_iter()
    }
}

impl<K: Send, V: Send, S, L: BucketLayout> EvacMap<K, V, S, L> {
    /// Removes every entry and hands them to rayon (through a `Vec`); the
    /// map keeps its array, as [`drain`](Self::drain) does.
    ///
    /// # Examples
    ///
    /// ```
    /// use rayon::prelude::*;
    ///
    /// let mut map: evacmap::EvacMap<u64, u64> = (0..1000).map(|i| (i, 1)).collect();
    /// assert_eq!(map.par_drain().count(), 1000);
    /// assert!(map.is_empty());
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_drain(&mut self) -> ::rayon::vec::IntoIter<(K, V)> {
        self.drain().collect::<Vec<_>>().into_par_iter()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<K: Eq + Hash + Send, V: Send, S: BuildHasher, L: BucketLayout> ParallelExtend<(K, V)>
    for EvacMap<K, V, S, L>
{
    /// Collects in parallel, then inserts sequentially.
    ///
    /// # Examples
    ///
    /// ```
    /// use rayon::prelude::*;
    ///
    /// let mut map = evacmap::EvacMap::new();
    /// map.par_extend((0..1000u32).into_par_iter().map(|i| (i, i)));
    /// assert_eq!(map.len(), 1000);
    /// ```
    fn par_extend<I: IntoParallelIterator<Item = (K, V)>>(&mut self, iter: I) {
        let items: Vec<(K, V)> = iter.into_par_iter().collect();
        self.extend(items);
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<K: Eq + Hash + Send, V: Send, S: BuildHasher + Default> FromParallelIterator<(K, V)>
    for EvacMap<K, V, S>
{
    fn from_par_iter<I: IntoParallelIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::default();
        map.par_extend(iter);
        map
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<'a, T: Sync, S> IntoParallelIterator for &'a EvacSet<T, S> {
    type Item = &'a T;
    type Iter = ::rayon::iter::Map<ParIter<'a, T, ()>, fn((&'a T, &'a ())) -> &'a T>;

    /// # Examples
    ///
    /// ```
    /// use rayon::prelude::*;
    ///
    /// let set: evacmap::EvacSet<u64> = (0..1000).collect();
    /// assert_eq!(set.par_iter().sum::<u64>(), (0..1000).sum());
    /// ```
    fn into_par_iter(self) -> Self::Iter {
        self.as_map().into_par_iter().map(|(k, _)| k)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T: Send, S> IntoParallelIterator for EvacSet<T, S> {
    type Item = T;
    type Iter = ::rayon::vec::IntoIter<T>;

    fn into_par_iter(self) -> Self::Iter {
        self.into_iter().collect::<Vec<_>>().into_par_iter()
    }
}

impl<T: Send, S> EvacSet<T, S> {
    /// Removes every element and hands them to rayon (through a `Vec`).
    ///
    /// # Examples
    ///
    /// ```
    /// use rayon::prelude::*;
    ///
    /// let mut set: evacmap::EvacSet<u64> = (0..100).collect();
    /// assert_eq!(set.par_drain().count(), 100);
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_drain(&mut self) -> ::rayon::vec::IntoIter<T> {
        self.drain().collect::<Vec<_>>().into_par_iter()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T: Eq + Hash + Send, S: BuildHasher> ParallelExtend<T> for EvacSet<T, S> {
    fn par_extend<I: IntoParallelIterator<Item = T>>(&mut self, iter: I) {
        let items: Vec<T> = iter.into_par_iter().collect();
        self.extend(items);
    }
}

impl<K, V, S> ShardedEvacMap<K, V, S>
where
    K: Send + Sync,
    V: Send + Sync,
    S: Send + Sync,
{
    /// Calls `f` on every entry, the shards in parallel, each under its
    /// read lock for the whole shard (not a snapshot across shards).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    ///
    /// let map: evacmap::ShardedEvacMap<u64, u64> = (0..1000).map(|i| (i, i)).collect();
    /// let sum = AtomicU64::new(0);
    /// map.par_for_each(|_, v| { sum.fetch_add(*v, Ordering::Relaxed); });
    /// assert_eq!(sum.into_inner(), (0..1000).sum());
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_for_each(&self, f: impl Fn(&K, &V) + Sync) {
        (0..self.shard_count()).into_par_iter().for_each(|i| {
            for (k, v) in self.read_shard(i).map.iter() {
                f(k, v);
            }
        });
    }

    /// Calls `f` on every entry with its value mutable, the shards in
    /// parallel, each under its write lock for the whole shard.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::ShardedEvacMap<u64, u64> = (0..1000).map(|i| (i, i)).collect();
    /// map.par_for_each_mut(|_, v| *v += 1);
    /// assert_eq!(map.get_cloned(&9), Some(10));
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_for_each_mut(&self, f: impl Fn(&K, &mut V) + Sync) {
        (0..self.shard_count()).into_par_iter().for_each(|i| {
            for (k, v) in self.write_shard(i).iter_mut() {
                f(k, v);
            }
        });
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<K: Send, V: Send, S: Send> IntoParallelIterator for ShardedEvacMap<K, V, S> {
    type Item = (K, V);
    #[allow(clippy::type_complexity)]
    type Iter = ::rayon::iter::FlatMapIter<
        ::rayon::vec::IntoIter<EvacMap<K, V, S>>,
        fn(EvacMap<K, V, S>) -> crate::map::IntoIter<K, V>,
    >;

    /// The shards' maps, in parallel.
    ///
    /// # Examples
    ///
    /// ```
    /// use rayon::prelude::*;
    ///
    /// let map: evacmap::ShardedEvacMap<u64, u64> = (0..1000).map(|i| (i, 1)).collect();
    /// assert_eq!(map.into_par_iter().map(|(_, v)| v).sum::<u64>(), 1000);
    /// ```
    fn into_par_iter(self) -> Self::Iter {
        self.into_shard_maps()
            .into_par_iter()
            .flat_map_iter(IntoIterator::into_iter as fn(_) -> _)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<K, V, S> ParallelExtend<(K, V)> for ShardedEvacMap<K, V, S>
where
    K: Eq + Hash + Send + Sync,
    V: Send + Sync,
    S: BuildHasher + Send + Sync,
{
    /// Inserts from many threads at once, each insert locking its shard.
    ///
    /// # Examples
    ///
    /// ```
    /// use rayon::prelude::*;
    ///
    /// let mut map = evacmap::ShardedEvacMap::new();
    /// map.par_extend((0..10_000u64).into_par_iter().map(|i| (i, i)));
    /// assert_eq!(map.len(), 10_000);
    /// ```
    fn par_extend<I: IntoParallelIterator<Item = (K, V)>>(&mut self, iter: I) {
        let map = &*self;
        iter.into_par_iter().for_each(|(k, v)| {
            map.insert(k, v);
        });
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T, S> ParallelExtend<T> for ShardedEvacSet<T, S>
where
    T: Eq + Hash + Send + Sync,
    S: BuildHasher + Send + Sync,
{
    /// Inserts from many threads at once, each insert locking its shard.
    fn par_extend<I: IntoParallelIterator<Item = T>>(&mut self, iter: I) {
        let set = &*self;
        iter.into_par_iter().for_each(|t| {
            set.insert(t);
        });
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T: Eq + Hash + Send, S: BuildHasher + Default> FromParallelIterator<T> for EvacSet<T, S> {
    fn from_par_iter<I: IntoParallelIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::default();
        set.par_extend(iter);
        set
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<K, V, S> FromParallelIterator<(K, V)> for ShardedEvacMap<K, V, S>
where
    K: Eq + Hash + Send + Sync,
    V: Send + Sync,
    S: BuildHasher + Default + Clone + Send + Sync,
{
    /// A map with the default shard count, filled from many threads.
    ///
    /// # Examples
    ///
    /// ```
    /// use rayon::prelude::*;
    ///
    /// let map: evacmap::ShardedEvacMap<u64, u64> =
    ///     (0..10_000u64).into_par_iter().map(|i| (i, i)).collect();
    /// assert_eq!(map.len(), 10_000);
    /// ```
    fn from_par_iter<I: IntoParallelIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::default();
        map.par_extend(iter);
        map
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
impl<T, S> FromParallelIterator<T> for ShardedEvacSet<T, S>
where
    T: Eq + Hash + Send + Sync,
    S: BuildHasher + Default + Clone + Send + Sync,
{
    fn from_par_iter<I: IntoParallelIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::default();
        set.par_extend(iter);
        set
    }
}
