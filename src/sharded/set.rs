//! [`ShardedEvacSet`]: a concurrent hash set, a [`ShardedEvacMap`] with
//! `()` values, for code moving from `dashmap::DashSet`.

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;
use core::ops::Deref;

use super::{IntoIter, Iter, Ref, RefMulti, ShardedEvacMap, ShardedInstruments, ShardedProbe};
use crate::builder::Builder;
use crate::{DefaultHashBuilder, Equivalent, Policy};

/// A concurrent hash set: [`ShardedEvacMap<T, ()>`](ShardedEvacMap), with
/// the same shards, locks, incremental growth and maintenance. All methods
/// take `&self`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use evacmap::ShardedEvacSet;
///
/// let set = Arc::new(ShardedEvacSet::new());
/// std::thread::scope(|s| {
///     for t in 0..2u32 {
///         let set = &set;
///         s.spawn(move || (0..1000).for_each(|i| { set.insert(t * 1000 + i); }));
///     }
/// });
/// assert_eq!(set.len(), 2000);
/// assert!(set.contains(&1999));
/// ```
pub struct ShardedEvacSet<T, S = DefaultHashBuilder> {
    map: ShardedEvacMap<T, (), S>,
}

impl<T> ShardedEvacSet<T, DefaultHashBuilder> {
    /// An empty set with the default shard count and Go's policy.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::ShardedEvacSet<u32> = evacmap::ShardedEvacSet::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::from_map(ShardedEvacMap::new())
    }

    /// An empty set with room for `capacity` elements in all (see
    /// [`ShardedEvacMap::with_capacity`]).
    ///
    /// # Panics
    ///
    /// As for [`ShardedEvacMap::with_capacity`].
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::ShardedEvacSet<u32> = evacmap::ShardedEvacSet::with_capacity(100);
    /// assert!(set.is_empty());
    /// ```
    #[track_caller]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::from_map(ShardedEvacMap::with_capacity(capacity))
    }

    /// An empty set whose shards use `policy`.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::ShardedEvacSet<u32> =
    ///     evacmap::ShardedEvacSet::with_policy(evacmap::Policy::all_at_once());
    /// assert!(set.is_empty());
    /// ```
    pub fn with_policy(policy: Policy) -> Self {
        Self::from_map(ShardedEvacMap::with_policy(policy))
    }

    /// A [`Builder`] for a set with a shard count, a policy, a hasher and a
    /// first capacity given together.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::ShardedEvacSet<u8> =
    ///     evacmap::ShardedEvacSet::builder().shards(2).build();
    /// assert_eq!(set.shard_count(), 2);
    /// ```
    pub fn builder() -> Builder<ShardedEvacSet<T>> {
        Builder::new()
    }
}

impl<T, S: Clone> ShardedEvacSet<T, S> {
    /// An empty set hashing with `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::ShardedEvacSet::with_hasher(evacmap::DefaultHashBuilder::new());
    /// set.insert(1u8);
    /// ```
    pub fn with_hasher(hash_builder: S) -> Self {
        Self::from_map(ShardedEvacMap::with_hasher(hash_builder))
    }

    /// An empty set with room for `capacity` elements in all, hashing with
    /// `hash_builder`.
    ///
    /// # Panics
    ///
    /// As for [`ShardedEvacMap::with_capacity`].
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::ShardedEvacSet<u8> = evacmap::ShardedEvacSet::with_capacity_and_hasher(
    ///     10,
    ///     evacmap::DefaultHashBuilder::new(),
    /// );
    /// assert!(set.is_empty());
    /// ```
    #[track_caller]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        Self::from_map(ShardedEvacMap::with_capacity_and_hasher(
            capacity,
            hash_builder,
        ))
    }
}

impl<T, S> ShardedEvacSet<T, S> {
    /// The set over a map of `T -> ()` (the builder's constructor).
    pub(crate) const fn from_map(map: ShardedEvacMap<T, (), S>) -> Self {
        ShardedEvacSet { map }
    }
}

impl<T, S> ShardedEvacSet<T, S> {
    /// The number of shards.
    pub fn shard_count(&self) -> usize {
        self.map.shard_count()
    }

    /// The policy every shard was built with.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::ShardedEvacSet<u8> = evacmap::ShardedEvacSet::new();
    /// assert_eq!(set.policy(), evacmap::Policy::go());
    /// ```
    pub fn policy(&self) -> crate::Policy {
        self.map.policy()
    }

    /// The set's hasher (each shard holds a clone).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::hash::BuildHasher;
    ///
    /// let set: evacmap::ShardedEvacSet<u8> = evacmap::ShardedEvacSet::new();
    /// let _h = set.hasher().hash_one(1u8);
    /// ```
    pub fn hasher(&self) -> &S {
        self.map.hasher()
    }

    /// Elements, read without locking (see [`ShardedEvacMap::len`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::ShardedEvacSet::new();
    /// set.insert(1);
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if [`len`](Self::len) is 0.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// True if some shard is growing (see [`ShardedEvacMap::is_evacuating`]).
    pub fn is_evacuating(&self) -> bool {
        self.map.is_evacuating()
    }

    /// True if some shard holds old-array memory (see
    /// [`ShardedEvacMap::holds_old_memory`]).
    pub fn holds_old_memory(&self) -> bool {
        self.map.holds_old_memory()
    }

    /// The elements, one read-locked shard at a time (see
    /// [`ShardedEvacMap::iter`]: not a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::ShardedEvacSet<u32> = (0..10).collect();
    /// assert_eq!(set.iter().map(|r| *r).sum::<u32>(), 45);
    /// ```
    pub fn iter(&self) -> SetIter<'_, T, S> {
        SetIter {
            inner: self.map.iter(),
        }
    }

    /// Keeps the elements for which `f` is true, shard by shard.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::ShardedEvacSet<u32> = (0..10).collect();
    /// set.retain(|x| x % 2 == 0);
    /// assert_eq!(set.len(), 5);
    /// ```
    pub fn retain(&self, mut f: impl FnMut(&T) -> bool) {
        self.map.retain(|k, _| f(k));
    }

    /// Removes every element, shard by shard.
    pub fn clear(&self) {
        self.map.clear();
    }

    /// The instruments of all shards (see
    /// [`ShardedEvacMap::instruments`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::ShardedEvacSet<u32> = (0..10).collect();
    /// assert_eq!(set.instruments().stats().len, 10);
    /// ```
    pub fn instruments(&self) -> ShardedInstruments<'_, T, (), S> {
        self.map.instruments()
    }

    /// A probe over every shard (see [`ShardedEvacMap::probe`]).
    pub fn probe(&self) -> ShardedProbe {
        self.map.probe()
    }

    /// Publishes every shard's counters to its probes now.
    pub fn publish(&self) {
        self.map.publish();
    }

    /// Elements held before some shard grows (see
    /// [`ShardedEvacMap::capacity`]).
    pub fn capacity(&self) -> usize {
        self.map.capacity()
    }
}

impl<T: Hash + Eq, S: BuildHasher> ShardedEvacSet<T, S> {
    /// Adds `value`; true if it was not there.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::ShardedEvacSet::new();
    /// assert!(set.insert(1));
    /// assert!(!set.insert(1));
    /// ```
    pub fn insert(&self, value: T) -> bool {
        match self.map.entry(value) {
            super::Entry::Occupied(_) => false,
            super::Entry::Vacant(v) => {
                v.insert(());
                true
            }
        }
    }

    /// True if the set holds `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::ShardedEvacSet::new();
    /// set.insert("a".to_string());
    /// assert!(set.contains("a"));
    /// ```
    pub fn contains<Q: Hash + Equivalent<T> + ?Sized>(&self, value: &Q) -> bool {
        self.map.contains_key(value)
    }

    /// A read guard on the stored element equal to `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::ShardedEvacSet::new();
    /// set.insert("a".to_string());
    /// assert_eq!(set.get("a").unwrap().as_str(), "a");
    /// ```
    pub fn get<Q: Hash + Equivalent<T> + ?Sized>(&self, value: &Q) -> Option<SetRef<'_, T, S>> {
        self.map.get(value).map(|r| SetRef {
            inner: SetRefInner::Single(r),
        })
    }

    /// Removes `value`; true if it was there.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::ShardedEvacSet::new();
    /// set.insert(1);
    /// assert!(set.remove(&1));
    /// assert!(!set.remove(&1));
    /// ```
    pub fn remove<Q: Hash + Equivalent<T> + ?Sized>(&self, value: &Q) -> bool {
        self.map.remove(value).is_some()
    }

    /// Removes and returns the stored element equal to `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::ShardedEvacSet::new();
    /// set.insert(String::from("a"));
    /// assert_eq!(set.take("a").as_deref(), Some("a"));
    /// ```
    pub fn take<Q: Hash + Equivalent<T> + ?Sized>(&self, value: &Q) -> Option<T> {
        self.map.remove_entry(value).map(|(k, ())| k)
    }

    /// Moves up to `budget` old buckets (see [`ShardedEvacMap::maintain`]).
    pub fn maintain(&self, budget: usize) -> usize {
        self.map.maintain(budget)
    }

    /// Makes room for about `additional` more elements (see
    /// [`ShardedEvacMap::reserve`]).
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if a shard's capacity overflows.
    #[track_caller]
    pub fn reserve(&self, additional: usize) {
        self.map.reserve(additional);
    }

    /// Starts an incremental shrink in every shard that can shrink.
    pub fn shrink_to_fit(&self) {
        self.map.shrink_to_fit();
    }

    /// Checks every shard's invariants (see
    /// [`ShardedEvacMap::check_invariants`]).
    ///
    /// # Panics
    ///
    /// Panics, naming what is broken, if any check fails.
    pub fn check_invariants(&self) {
        self.map.check_invariants();
    }
}

/// A read guard on one element of a [`ShardedEvacSet`]; dereferences to it.
pub struct SetRef<'a, T, S = DefaultHashBuilder> {
    inner: SetRefInner<'a, T, S>,
}

enum SetRefInner<'a, T, S> {
    Single(Ref<'a, T, (), S>),
    Multi(RefMulti<'a, T, (), S>),
}

impl<T, S> Deref for SetRef<'_, T, S> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.inner {
            SetRefInner::Single(r) => r.key(),
            SetRefInner::Multi(r) => r.key(),
        }
    }
}

impl<T: fmt::Debug, S> fmt::Debug for SetRef<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SetRef").field(&**self).finish()
    }
}

/// Iterator over a [`ShardedEvacSet`]; see [`ShardedEvacSet::iter`].
pub struct SetIter<'a, T, S> {
    inner: Iter<'a, T, (), S>,
}

impl<'a, T, S> Iterator for SetIter<'a, T, S> {
    type Item = SetRef<'a, T, S>;

    fn next(&mut self) -> Option<SetRef<'a, T, S>> {
        self.inner.next().map(|r| SetRef {
            inner: SetRefInner::Multi(r),
        })
    }
}

impl<T, S> FusedIterator for SetIter<'_, T, S> {}

impl<T, S> fmt::Debug for SetIter<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetIter").finish_non_exhaustive()
    }
}

/// Owning iterator over a [`ShardedEvacSet`].
pub struct SetIntoIter<T, S> {
    inner: IntoIter<T, (), S>,
}

impl<T, S> Iterator for SetIntoIter<T, S> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.inner.next().map(|(k, ())| k)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T, S> ExactSizeIterator for SetIntoIter<T, S> {}
impl<T, S> FusedIterator for SetIntoIter<T, S> {}

impl<T, S> fmt::Debug for SetIntoIter<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetIntoIter")
            .field("remaining", &self.inner.len())
            .finish()
    }
}

impl<T, S> IntoIterator for ShardedEvacSet<T, S> {
    type Item = T;
    type IntoIter = SetIntoIter<T, S>;

    fn into_iter(self) -> SetIntoIter<T, S> {
        SetIntoIter {
            inner: self.map.into_iter(),
        }
    }
}

impl<'a, T, S> IntoIterator for &'a ShardedEvacSet<T, S> {
    type Item = SetRef<'a, T, S>;
    type IntoIter = SetIter<'a, T, S>;

    fn into_iter(self) -> SetIter<'a, T, S> {
        self.iter()
    }
}

impl<T, S: Default + Clone> Default for ShardedEvacSet<T, S> {
    fn default() -> Self {
        ShardedEvacSet {
            map: ShardedEvacMap::default(),
        }
    }
}

impl<T: Clone, S: Clone> Clone for ShardedEvacSet<T, S> {
    fn clone(&self) -> Self {
        ShardedEvacSet {
            map: self.map.clone(),
        }
    }
}

impl<T: fmt::Debug, S> fmt::Debug for ShardedEvacSet<T, S> {
    /// Every element, as std's sets print (`{a, b}`), shard by shard.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_set();
        for r in self.iter() {
            s.entry(&*r);
        }
        s.finish()
    }
}

impl<T: Hash + Eq, S: BuildHasher> PartialEq for ShardedEvacSet<T, S> {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl<T: Hash + Eq, S: BuildHasher> Eq for ShardedEvacSet<T, S> {}

impl<T: Hash + Eq, S: BuildHasher + Default + Clone> FromIterator<T> for ShardedEvacSet<T, S> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        ShardedEvacSet {
            map: iter.into_iter().map(|t| (t, ())).collect(),
        }
    }
}

impl<T: Hash + Eq, S: BuildHasher> Extend<T> for ShardedEvacSet<T, S> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for t in iter {
            self.insert(t);
        }
    }
}

impl<'b, T: Hash + Eq + Copy + 'b, S: BuildHasher> Extend<&'b T> for ShardedEvacSet<T, S> {
    fn extend<I: IntoIterator<Item = &'b T>>(&mut self, iter: I) {
        for &t in iter {
            self.insert(t);
        }
    }
}
