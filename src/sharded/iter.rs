//! Iteration over a [`ShardedEvacMap`], shard by shard, and the
//! collection traits built on it.
//!
//! The iterators lock one shard at a time, in shard order: `iter` takes
//! read locks, `iter_mut` write locks. A shard is locked when the iterator
//! reaches it and released when the iterator has moved on *and* every item
//! it gave out from that shard has dropped. This is **not** a snapshot:
//! while a thread iterates, other threads may write to shards it has not
//! reached yet (those writes are seen) or has already left (those are
//! not), so an entry moved between shards by a remove and an insert of
//! another key may be seen twice or not at all; an entry present and
//! unchanged for the whole iteration is seen exactly once.

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;

use super::ShardedEvacMap;
use super::guard::{ShardIter, ShardIterMut};
use super::refs::{RefMulti, RefMutMulti};
use super::shard::Shard;
use crate::map;

/// Iterator over the entries of a [`ShardedEvacMap`], one read-locked
/// shard at a time; see [`ShardedEvacMap::iter`].
pub struct Iter<'a, K, V, S> {
    pub(super) map: &'a ShardedEvacMap<K, V, S>,
    pub(super) next_shard: usize,
    pub(super) current: Option<ShardIter<'a, K, V, S>>,
}

impl<'a, K, V, S> Iterator for Iter<'a, K, V, S> {
    type Item = RefMulti<'a, K, V, S>;

    fn next(&mut self) -> Option<RefMulti<'a, K, V, S>> {
        loop {
            if let Some(item) = self.current.as_mut().and_then(ShardIter::next) {
                return Some(RefMulti { inner: item });
            }
            if self.next_shard == self.map.shard_count() {
                self.current = None;
                return None;
            }
            // The previous shard's guard goes with `current` (unless items
            // from it are still alive); then the next shard is locked.
            self.current = None;
            self.current = Some(ShardIter::new(self.map.read_shard(self.next_shard)));
            self.next_shard += 1;
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.current.as_ref().map_or(0, ShardIter::len), None)
    }
}

impl<K, V, S> FusedIterator for Iter<'_, K, V, S> {}

impl<K, V, S> fmt::Debug for Iter<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("next_shard", &self.next_shard)
            .finish_non_exhaustive()
    }
}

/// Iterator over the entries of a [`ShardedEvacMap`] with mutable values,
/// one write-locked shard at a time; see [`ShardedEvacMap::iter_mut`].
pub struct IterMut<'a, K, V, S> {
    pub(super) map: &'a ShardedEvacMap<K, V, S>,
    pub(super) next_shard: usize,
    pub(super) current: Option<ShardIterMut<'a, K, V, S>>,
}

impl<'a, K, V, S> Iterator for IterMut<'a, K, V, S> {
    type Item = RefMutMulti<'a, K, V, S>;

    fn next(&mut self) -> Option<RefMutMulti<'a, K, V, S>> {
        loop {
            if let Some(item) = self.current.as_mut().and_then(ShardIterMut::next) {
                return Some(RefMutMulti { inner: item });
            }
            if self.next_shard == self.map.shard_count() {
                self.current = None;
                return None;
            }
            self.current = None;
            self.current = Some(ShardIterMut::new(self.map.write_shard(self.next_shard)));
            self.next_shard += 1;
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.current.as_ref().map_or(0, ShardIterMut::len), None)
    }
}

impl<K, V, S> FusedIterator for IterMut<'_, K, V, S> {}

impl<K, V, S> fmt::Debug for IterMut<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IterMut")
            .field("next_shard", &self.next_shard)
            .finish_non_exhaustive()
    }
}

/// Owning iterator over the entries of a [`ShardedEvacMap`], shard by
/// shard (no locking: the map is owned).
pub struct IntoIter<K, V, S> {
    pub(super) shards: std::vec::IntoIter<Shard<K, V, S>>,
    pub(super) current: Option<map::IntoIter<K, V>>,
    pub(super) remaining: usize,
}

impl<K, V, S> Iterator for IntoIter<K, V, S> {
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        loop {
            if let Some(kv) = self.current.as_mut().and_then(Iterator::next) {
                self.remaining -= 1;
                return Some(kv);
            }
            let shard = self.shards.next()?;
            self.current = Some(shard.into_map().into_iter());
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K, V, S> ExactSizeIterator for IntoIter<K, V, S> {}
impl<K, V, S> FusedIterator for IntoIter<K, V, S> {}

impl<K, V, S> fmt::Debug for IntoIter<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter")
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl<K, V, S> IntoIterator for ShardedEvacMap<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V, S>;

    /// Consumes the map, yielding every entry, shard by shard.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::ShardedEvacMap<u32, u32> = (0..10).map(|i| (i, i)).collect();
    /// let mut v: Vec<_> = map.into_iter().collect();
    /// v.sort();
    /// assert_eq!(v.len(), 10);
    /// ```
    fn into_iter(self) -> IntoIter<K, V, S> {
        let remaining = self.len();
        IntoIter {
            shards: self.shards.into_vec().into_iter(),
            current: None,
            remaining,
        }
    }
}

impl<'a, K, V, S> IntoIterator for &'a ShardedEvacMap<K, V, S> {
    type Item = RefMulti<'a, K, V, S>;
    type IntoIter = Iter<'a, K, V, S>;

    fn into_iter(self) -> Iter<'a, K, V, S> {
        self.iter()
    }
}

impl<K: Hash + Eq, V, S: BuildHasher + Default + Clone> FromIterator<(K, V)>
    for ShardedEvacMap<K, V, S>
{
    /// A map with the default shard count and Go's policy, holding the
    /// entries (later duplicates overwrite earlier ones).
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::ShardedEvacMap<&str, i32> = [("a", 1), ("b", 2)].into_iter().collect();
    /// assert_eq!(map.get_cloned("b"), Some(2));
    /// ```
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let mut map = Self::default();
        map.extend(iter);
        map
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> Extend<(K, V)> for ShardedEvacMap<K, V, S> {
    /// Inserts every entry (each a write in its shard).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::ShardedEvacMap::new();
    /// map.extend([(1, 1), (2, 2)]);
    /// assert_eq!(map.len(), 2);
    /// ```
    fn extend<T: IntoIterator<Item = (K, V)>>(&mut self, iter: T) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'b, K, V, S> Extend<(&'b K, &'b V)> for ShardedEvacMap<K, V, S>
where
    K: Hash + Eq + Copy,
    V: Copy,
    S: BuildHasher,
{
    /// Inserts copies of every entry.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::ShardedEvacMap::new();
    /// map.extend([(&1, &10)]);
    /// assert_eq!(map.get_cloned(&1), Some(10));
    /// ```
    fn extend<T: IntoIterator<Item = (&'b K, &'b V)>>(&mut self, iter: T) {
        for (&k, &v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Clone, V: Clone, S: Clone> Clone for ShardedEvacMap<K, V, S> {
    /// A copy of every shard, each cloned under its read lock in turn (not a
    /// snapshot while writers run). Each shard's map is cloned with its
    /// shape, so a shard cloned mid-growth is mid-growth too.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, "a");
    /// let copy = map.clone();
    /// map.insert(2, "b");
    /// assert_eq!((copy.len(), map.len()), (1, 2));
    /// ```
    fn clone(&self) -> Self {
        let shards: Box<[Shard<K, V, S>]> = (0..self.shard_count())
            .map(|i| {
                let locked = self.read_shard(i);
                Shard::new(locked.map.clone(), locked.hold.is_some())
            })
            .collect();
        ShardedEvacMap {
            shards,
            shard_bits: self.shard_bits,
            hash_builder: self.hash_builder.clone(),
            policy: self.policy,
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for ShardedEvacMap<K, V, S> {
    /// Every entry, as std's maps print (`{k: v, ...}`), shard by shard
    /// under each shard's read lock. The whole map is printed, however
    /// large.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::builder().shards(1).build();
    /// map.insert(1, 2);
    /// assert_eq!(format!("{map:?}"), "{1: 2}");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for r in self.iter() {
            m.entry(r.key(), r.value());
        }
        m.finish()
    }
}

impl<K: Hash + Eq, V: PartialEq, S: BuildHasher> PartialEq for ShardedEvacMap<K, V, S> {
    /// Same length, and every entry of `self` is in `other` with an equal
    /// value. Takes read locks of both maps, shard by shard: not a
    /// snapshot while writers run.
    ///
    /// # Examples
    ///
    /// ```
    /// let a: evacmap::ShardedEvacMap<u8, u8> = [(1, 1)].into_iter().collect();
    /// let b: evacmap::ShardedEvacMap<u8, u8> = [(1, 1)].into_iter().collect();
    /// assert_eq!(a, b);
    /// b.insert(2, 2);
    /// assert_ne!(a, b);
    /// ```
    fn eq(&self, other: &Self) -> bool {
        if core::ptr::eq(self, other) {
            return true;
        }
        self.len() == other.len()
            && self
                .iter()
                .all(|r| other.view(r.key(), |_, v| v == r.value()).unwrap_or(false))
    }
}

impl<K: Hash + Eq, V: Eq, S: BuildHasher> Eq for ShardedEvacMap<K, V, S> {}
