//! [`EvacSet`]: a hash set over `EvacMap<T, ()>`, with std's `HashSet` API,
//! and its iterator types.
//!
//! # Examples
//!
//! ```
//! use evacmap::set::EvacSet;
//!
//! let set: EvacSet<u32> = (0..10).collect();
//! let evens: Vec<u32> = set.iter().copied().filter(|x| x % 2 == 0).collect();
//! assert_eq!(evens.len(), 5);
//! ```

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;
use std::time::Duration;

use crate::builder::Builder;
use crate::instruments::{Instruments, Probe};
use crate::map::{self, EvacMap};
use crate::raw::RawExtractIf;
use crate::{DefaultHashBuilder, Equivalent, Phase, Policy, TryReserveError};

/// A hash set with Go's bucket layout and incremental evacuation: an
/// [`EvacMap<T, ()>`](EvacMap) with `std::collections::HashSet`'s API.
///
/// # Examples
///
/// ```
/// use evacmap::EvacSet;
///
/// let mut set = EvacSet::new();
/// assert!(set.insert("a"));
/// assert!(!set.insert("a"));
/// assert!(set.contains("a"));
/// ```
pub struct EvacSet<T, S = DefaultHashBuilder> {
    map: EvacMap<T, (), S>,
}

impl<T> EvacSet<T, DefaultHashBuilder> {
    /// An empty set with Go's policy.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u32> = evacmap::EvacSet::new();
    /// assert!(set.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        EvacSet {
            map: EvacMap::new(),
        }
    }

    /// An empty set with room for `capacity` elements.
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if `capacity` needs more buckets than
    /// can be addressed.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u32> = evacmap::EvacSet::with_capacity(50);
    /// assert!(set.capacity() >= 50);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        EvacSet {
            map: EvacMap::with_capacity(capacity),
        }
    }

    /// An empty set with the given policy.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u32> = evacmap::EvacSet::with_policy(evacmap::Policy::all_at_once());
    /// assert!(set.policy().is_all_at_once());
    /// ```
    #[must_use]
    pub fn with_policy(policy: Policy) -> Self {
        EvacSet {
            map: EvacMap::with_policy(policy),
        }
    }

    /// A [`Builder`] for a set with a policy, a hasher and a first capacity
    /// given together.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{DefaultHashBuilder, EvacSet, Policy};
    ///
    /// let set: EvacSet<u32> = EvacSet::builder()
    ///     .policy(Policy::all_at_once())
    ///     .capacity(100)
    ///     .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
    ///     .build();
    /// assert!(set.capacity() >= 100 && set.policy().is_all_at_once());
    /// ```
    pub fn builder() -> Builder<EvacSet<T>> {
        Builder::new()
    }
}

impl<T, S> EvacSet<T, S> {
    /// An empty set using `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = evacmap::EvacSet::with_hasher(std::collections::hash_map::RandomState::new());
    /// set.insert(1);
    /// ```
    #[must_use]
    pub const fn with_hasher(hash_builder: S) -> Self {
        EvacSet {
            map: EvacMap::with_hasher(hash_builder),
        }
    }

    /// An empty set with room for `capacity` elements, using `hash_builder`.
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if `capacity` needs more buckets than
    /// can be addressed.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u8, _> =
    ///     evacmap::EvacSet::with_capacity_and_hasher(9, std::collections::hash_map::RandomState::new());
    /// assert!(set.capacity() >= 9);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        EvacSet {
            map: EvacMap::with_capacity_and_hasher(capacity, hash_builder),
        }
    }

    /// The set over a map of `T -> ()` (the builder's constructor).
    pub(crate) const fn from_map(map: EvacMap<T, (), S>) -> Self {
        EvacSet { map }
    }

    /// The policy this set was built with.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u8> = evacmap::EvacSet::new();
    /// assert_eq!(set.policy(), evacmap::Policy::go());
    /// ```
    pub fn policy(&self) -> Policy {
        self.map.policy()
    }

    /// The set's hasher builder.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u8> = evacmap::EvacSet::new();
    /// let _ = set.hasher();
    /// ```
    pub fn hasher(&self) -> &S {
        self.map.hasher()
    }

    /// Number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::EvacSet::from([1, 2]);
    /// assert_eq!(set.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if the set is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u8> = evacmap::EvacSet::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Elements the set holds before the next doubling; see
    /// [`EvacMap::capacity`].
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::EvacSet::from([1]);
    /// assert_eq!(set.capacity(), 8);
    /// ```
    pub fn capacity(&self) -> usize {
        self.map.capacity()
    }

    /// True while a growth or shrink runs; see [`EvacMap::is_evacuating`].
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u8> = evacmap::EvacSet::new();
    /// assert!(!set.is_evacuating());
    /// ```
    pub fn is_evacuating(&self) -> bool {
        self.map.is_evacuating()
    }

    /// Where the set is in its growth lifecycle; see [`EvacMap::phase`].
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u8> = evacmap::EvacSet::new();
    /// assert_eq!(set.phase(), evacmap::Phase::Idle);
    /// ```
    pub fn phase(&self) -> Phase {
        self.map.phase()
    }

    /// An iterator over the elements in arbitrary order.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::EvacSet::from([1, 2]);
    /// assert_eq!(set.iter().sum::<i32>(), 3);
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            inner: self.map.keys(),
        }
    }

    /// Keeps only the elements for which `f` returns `true`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<i32> = (0..10).collect();
    /// set.retain(|x| x % 2 == 0);
    /// assert_eq!(set.len(), 5);
    /// ```
    pub fn retain<F: FnMut(&T) -> bool>(&mut self, mut f: F) {
        self.map.retain(|k, _| f(k));
    }

    /// An iterator removing and yielding the elements for which `pred`
    /// returns `true`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<i32> = (0..10).collect();
    /// assert_eq!(set.extract_if(|x| *x >= 5).count(), 5);
    /// assert_eq!(set.len(), 5);
    /// ```
    pub fn extract_if<F: FnMut(&T) -> bool>(&mut self, pred: F) -> ExtractIf<'_, T, F> {
        ExtractIf {
            inner: self.map.raw_extract_if(),
            pred,
        }
    }

    /// Removes every element, returning them as an iterator.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = evacmap::EvacSet::from([1, 2]);
    /// assert_eq!(set.drain().count(), 2);
    /// assert!(set.is_empty());
    /// ```
    pub fn drain(&mut self) -> Drain<'_, T> {
        Drain {
            inner: self.map.drain(),
        }
    }

    /// Removes every element, keeping the bucket array.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = evacmap::EvacSet::from([1, 2]);
    /// set.clear();
    /// assert!(set.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// The map underneath (for the parallel iterators).
    #[cfg(feature = "rayon")]
    pub(crate) fn as_map(&self) -> &EvacMap<T, (), S> {
        &self.map
    }

    /// True while an old array is held; see [`EvacMap::holds_old_memory`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<u32> = (0..5000).collect();
    /// set.finish_evacuation();
    /// assert!(!set.holds_old_memory());
    /// ```
    pub fn holds_old_memory(&self) -> bool {
        self.map.holds_old_memory()
    }

    /// The set's instruments: the same view as a map's
    /// ([`EvacMap::instruments`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = evacmap::EvacSet::new();
    /// for i in 0..100u32 {
    ///     set.insert(i); // growths start as it fills
    /// }
    /// assert_eq!(set.instruments().stats().len, 100);
    /// assert!(!set.instruments().events().is_empty());
    /// ```
    pub fn instruments(&self) -> Instruments<'_, T, ()> {
        self.map.instruments()
    }

    /// A probe other threads can read snapshots from; see
    /// [`EvacMap::probe`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = evacmap::EvacSet::new();
    /// let probe = set.probe();
    /// set.insert(1);
    /// set.publish();
    /// assert_eq!(probe.snapshot().len, 1);
    /// ```
    pub fn probe(&mut self) -> Probe {
        self.map.probe()
    }

    /// Publishes the counters to the probes now; see [`EvacMap::publish`].
    pub fn publish(&mut self) {
        self.map.publish();
    }
}

impl<T: Eq + Hash, S: BuildHasher> EvacSet<T, S> {
    /// Shrinks the capacity as much as possible, incrementally; see
    /// [`EvacMap::shrink_to_fit`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<u32> = (0..1000).collect();
    /// set.retain(|&x| x < 5);
    /// set.shrink_to_fit();
    /// set.finish_evacuation();
    /// assert!(set.capacity() < 100);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.map.shrink_to_fit();
    }

    /// Shrinks the capacity to at least `max(len(), min_capacity)`; see
    /// [`EvacMap::shrink_to`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<u32> = (0..1000).collect();
    /// set.clear();
    /// set.shrink_to(50);
    /// assert!(set.capacity() >= 50 && set.capacity() < 1000);
    /// ```
    pub fn shrink_to(&mut self, min_capacity: usize) {
        self.map.shrink_to(min_capacity);
    }

    /// Adds `value`; returns `false` (and keeps the stored element) if an
    /// equal element was present.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = evacmap::EvacSet::new();
    /// assert!(set.insert(1));
    /// assert!(!set.insert(1));
    /// ```
    pub fn insert(&mut self, value: T) -> bool {
        match self.map.entry(value) {
            map::Entry::Occupied(_) => false,
            map::Entry::Vacant(v) => {
                v.insert(());
                true
            }
        }
    }

    /// Adds `value`, replacing and returning an equal stored element.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = evacmap::EvacSet::new();
    /// assert_eq!(set.replace(1), None);
    /// assert_eq!(set.replace(1), Some(1));
    /// ```
    pub fn replace(&mut self, value: T) -> Option<T> {
        // The entry API drops the caller's key when the entry is occupied, so
        // replacing the stored element is a removal and an insertion.
        let old = self.take(&value);
        self.insert(value);
        old
    }

    /// True if the set holds `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::EvacSet::from(["a"]);
    /// assert!(set.contains("a"));
    /// ```
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        Q: Hash + Equivalent<T> + ?Sized,
    {
        self.map.contains_key(value)
    }

    /// The stored element equal to `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = evacmap::EvacSet::from([String::from("a")]);
    /// assert_eq!(set.get("a"), Some(&String::from("a")));
    /// ```
    pub fn get<Q>(&self, value: &Q) -> Option<&T>
    where
        Q: Hash + Equivalent<T> + ?Sized,
    {
        self.map.get_key_value(value).map(|(k, _)| k)
    }

    /// Removes `value`; returns whether it was present.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = evacmap::EvacSet::from([1]);
    /// assert!(set.remove(&1));
    /// assert!(!set.remove(&1));
    /// ```
    pub fn remove<Q>(&mut self, value: &Q) -> bool
    where
        Q: Hash + Equivalent<T> + ?Sized,
    {
        self.map.remove(value).is_some()
    }

    /// Removes and returns the stored element equal to `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = evacmap::EvacSet::from([String::from("a")]);
    /// assert_eq!(set.take("a"), Some(String::from("a")));
    /// ```
    pub fn take<Q>(&mut self, value: &Q) -> Option<T>
    where
        Q: Hash + Equivalent<T> + ?Sized,
    {
        self.map.remove_entry(value).map(|(k, ())| k)
    }

    /// Makes room for `additional` more elements; see [`EvacMap::reserve`].
    ///
    /// # Panics
    ///
    /// Panics with "capacity overflow" if the capacity cannot be addressed.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<u8> = evacmap::EvacSet::new();
    /// set.reserve(100);
    /// assert!(set.capacity() >= 100);
    /// ```
    #[track_caller]
    pub fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
    }

    /// Fallible [`reserve`](Self::reserve).
    ///
    /// # Errors
    ///
    /// As [`EvacMap::try_reserve`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<u8> = evacmap::EvacSet::new();
    /// assert!(set.try_reserve(usize::MAX).is_err());
    /// ```
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.map.try_reserve(additional)
    }

    /// Evacuates at most `max_buckets` old buckets; see [`EvacMap::evacuate`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<u32> = (0..5000).collect();
    /// while set.is_evacuating() {
    ///     set.evacuate(8);
    /// }
    /// ```
    pub fn evacuate(&mut self, max_buckets: usize) -> usize {
        self.map.evacuate(max_buckets)
    }

    /// Evacuates for about `budget`; see [`EvacMap::evacuate_for`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<u32> = (0..5000).collect();
    /// set.evacuate_for(std::time::Duration::from_millis(1));
    /// ```
    pub fn evacuate_for(&mut self, budget: Duration) -> usize {
        self.map.evacuate_for(budget)
    }

    /// Finishes the growth in progress; see [`EvacMap::finish_evacuation`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<u32> = (0..5000).collect();
    /// set.finish_evacuation();
    /// assert!(!set.is_evacuating());
    /// ```
    pub fn finish_evacuation(&mut self) {
        self.map.finish_evacuation();
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

    /// Checks every invariant; see [`EvacMap::check_invariants`].
    ///
    /// # Panics
    ///
    /// Panics if an invariant is broken.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u32> = (0..100).collect();
    /// set.check_invariants();
    /// ```
    pub fn check_invariants(&self) {
        self.map.check_invariants();
    }

    /// Elements in `self` or `other`, each once.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = evacmap::EvacSet::from([1, 2]);
    /// let b = evacmap::EvacSet::from([2, 3]);
    /// let mut u: Vec<_> = a.union(&b).copied().collect();
    /// u.sort();
    /// assert_eq!(u, [1, 2, 3]);
    /// ```
    pub fn union<'a>(&'a self, other: &'a Self) -> Union<'a, T, S> {
        Union {
            iter: self.iter().chain(other.difference(self)),
        }
    }

    /// Elements in both `self` and `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = evacmap::EvacSet::from([1, 2]);
    /// let b = evacmap::EvacSet::from([2, 3]);
    /// assert_eq!(a.intersection(&b).collect::<Vec<_>>(), [&2]);
    /// ```
    pub fn intersection<'a>(&'a self, other: &'a Self) -> Intersection<'a, T, S> {
        let (small, large) = if self.len() <= other.len() {
            (self, other)
        } else {
            (other, self)
        };
        Intersection {
            iter: small.iter(),
            other: large,
        }
    }

    /// Elements in `self` but not in `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = evacmap::EvacSet::from([1, 2]);
    /// let b = evacmap::EvacSet::from([2, 3]);
    /// assert_eq!(a.difference(&b).collect::<Vec<_>>(), [&1]);
    /// ```
    pub fn difference<'a>(&'a self, other: &'a Self) -> Difference<'a, T, S> {
        Difference {
            iter: self.iter(),
            other,
        }
    }

    /// Elements in exactly one of `self` and `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = evacmap::EvacSet::from([1, 2]);
    /// let b = evacmap::EvacSet::from([2, 3]);
    /// let mut d: Vec<_> = a.symmetric_difference(&b).copied().collect();
    /// d.sort();
    /// assert_eq!(d, [1, 3]);
    /// ```
    pub fn symmetric_difference<'a>(&'a self, other: &'a Self) -> SymmetricDifference<'a, T, S> {
        SymmetricDifference {
            iter: self.difference(other).chain(other.difference(self)),
        }
    }

    /// The stored element equal to `value`, inserting `f(value)` first if
    /// there is none. `f(value)` must hash and compare equal to `value`.
    ///
    /// # Panics
    ///
    /// Panics if the element `f` made is not equivalent to `value` (it
    /// would be stored where lookups of it cannot find it).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<String> = evacmap::EvacSet::new();
    /// let s = set.get_or_insert_with("k", |k| k.to_owned());
    /// assert_eq!(s, "k");
    /// assert_eq!(set.len(), 1);
    /// ```
    #[track_caller]
    pub fn get_or_insert_with<Q>(&mut self, value: &Q, f: impl FnOnce(&Q) -> T) -> &T
    where
        Q: Hash + Equivalent<T> + ?Sized,
    {
        if !self.map.contains_key(value) {
            let made = f(value);
            assert!(
                value.equivalent(&made),
                "evacmap: get_or_insert_with made a value not equal to the one looked up"
            );
            self.map.insert(made, ());
        }
        self.map
            .get_key_value(value)
            .map(|(k, ())| k)
            .expect("present: found or just inserted")
    }

    /// True if every element of `self` is in `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = evacmap::EvacSet::from([1]);
    /// let b = evacmap::EvacSet::from([1, 2]);
    /// assert!(a.is_subset(&b) && !b.is_subset(&a));
    /// ```
    pub fn is_subset(&self, other: &Self) -> bool {
        self.len() <= other.len() && self.iter().all(|x| other.contains(x))
    }

    /// True if every element of `other` is in `self`.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = evacmap::EvacSet::from([1, 2]);
    /// assert!(a.is_superset(&evacmap::EvacSet::from([2])));
    /// ```
    pub fn is_superset(&self, other: &Self) -> bool {
        other.is_subset(self)
    }

    /// True if `self` and `other` have no element in common.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = evacmap::EvacSet::from([1]);
    /// assert!(a.is_disjoint(&evacmap::EvacSet::from([2])));
    /// ```
    pub fn is_disjoint(&self, other: &Self) -> bool {
        self.intersection(other).next().is_none()
    }
}

impl<T: Clone, S: Clone> Clone for EvacSet<T, S> {
    fn clone(&self) -> Self {
        EvacSet {
            map: self.map.clone(),
        }
    }
}

impl<T: fmt::Debug, S> fmt::Debug for EvacSet<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T, S: Default> Default for EvacSet<T, S> {
    fn default() -> Self {
        EvacSet {
            map: EvacMap::default(),
        }
    }
}

impl<T: Eq + Hash, S: BuildHasher> PartialEq for EvacSet<T, S> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.is_subset(other)
    }
}

impl<T: Eq + Hash, S: BuildHasher> Eq for EvacSet<T, S> {}

impl<T: Eq + Hash, S: BuildHasher> Extend<T> for EvacSet<T, S> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.map.extend(iter.into_iter().map(|k| (k, ())));
    }
}

impl<'a, T: Eq + Hash + Copy + 'a, S: BuildHasher> Extend<&'a T> for EvacSet<T, S> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied());
    }
}

impl<T: Eq + Hash, S: BuildHasher + Default> FromIterator<T> for EvacSet<T, S> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::default();
        set.extend(iter);
        set
    }
}

impl<T: Eq + Hash, const N: usize> From<[T; N]> for EvacSet<T, DefaultHashBuilder> {
    fn from(values: [T; N]) -> Self {
        values.into_iter().collect()
    }
}

impl<T, S> IntoIterator for EvacSet<T, S> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter {
            inner: self.map.into_keys(),
        }
    }
}

impl<'a, T, S> IntoIterator for &'a EvacSet<T, S> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// Iterator over `&T`; made by [`EvacSet::iter`].
///
/// # Examples
///
/// ```
/// let set = evacmap::EvacSet::from([1]);
/// assert_eq!(set.iter().len(), 1);
/// ```
pub struct Iter<'a, T> {
    inner: map::Keys<'a, T, ()>,
}

/// Owning iterator over `T`; made by `EvacSet::into_iter`.
///
/// # Examples
///
/// ```
/// let set = evacmap::EvacSet::from([1]);
/// assert_eq!(set.into_iter().collect::<Vec<_>>(), [1]);
/// ```
pub struct IntoIter<T> {
    inner: map::IntoKeys<T, ()>,
}

/// Draining iterator; made by [`EvacSet::drain`].
///
/// # Examples
///
/// ```
/// let mut set = evacmap::EvacSet::from([1]);
/// assert_eq!(set.drain().collect::<Vec<_>>(), [1]);
/// ```
pub struct Drain<'a, T> {
    inner: map::Drain<'a, T, ()>,
}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> Iterator for Drain<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.inner.next().map(|(k, ())| k)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}
impl<T> ExactSizeIterator for IntoIter<T> {}
impl<T> ExactSizeIterator for Drain<'_, T> {}
impl<T> FusedIterator for Iter<'_, T> {}
impl<T> FusedIterator for IntoIter<T> {}
impl<T> FusedIterator for Drain<'_, T> {}

impl<T: fmt::Debug> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl<T: fmt::Debug> fmt::Debug for Drain<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

/// Iterator removing the elements that match a predicate; made by
/// [`EvacSet::extract_if`].
///
/// # Examples
///
/// ```
/// let mut set = evacmap::EvacSet::from([1, 2, 3]);
/// let mut odd: Vec<_> = set.extract_if(|x| x % 2 == 1).collect();
/// odd.sort();
/// assert_eq!(odd, [1, 3]);
/// ```
#[must_use = "iterators are lazy and do nothing unless consumed; extract_if removes only the entries it yields"]
pub struct ExtractIf<'a, T, F> {
    inner: RawExtractIf<'a, T, (), crate::DefaultLayout>,
    pred: F,
}

impl<T, F: FnMut(&T) -> bool> Iterator for ExtractIf<'_, T, F> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        let pred = &mut self.pred;
        self.inner.next(|k, _| pred(k)).map(|(k, ())| k)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.inner.len()))
    }
}

impl<T, F: FnMut(&T) -> bool> FusedIterator for ExtractIf<'_, T, F> {}

impl<T, F> fmt::Debug for ExtractIf<'_, T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf").finish_non_exhaustive()
    }
}

/// Iterator over the elements in either of two sets; see
/// [`EvacSet::union`].
pub struct Union<'a, T, S> {
    iter: core::iter::Chain<Iter<'a, T>, Difference<'a, T, S>>,
}

/// Iterator over the elements in both of two sets; see
/// [`EvacSet::intersection`].
pub struct Intersection<'a, T, S> {
    iter: Iter<'a, T>,
    other: &'a EvacSet<T, S>,
}

/// Iterator over the elements of one set that are not in another; see
/// [`EvacSet::difference`].
pub struct Difference<'a, T, S> {
    iter: Iter<'a, T>,
    other: &'a EvacSet<T, S>,
}

/// Iterator over the elements in exactly one of two sets; see
/// [`EvacSet::symmetric_difference`].
pub struct SymmetricDifference<'a, T, S> {
    iter: core::iter::Chain<Difference<'a, T, S>, Difference<'a, T, S>>,
}

impl<'a, T: Eq + Hash, S: BuildHasher> Iterator for Union<'a, T, S> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        self.iter.next()
    }
}

impl<'a, T: Eq + Hash, S: BuildHasher> Iterator for Intersection<'a, T, S> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        let other = self.other;
        self.iter.by_ref().find(|x| other.contains(*x))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.iter.size_hint().1)
    }
}

impl<'a, T: Eq + Hash, S: BuildHasher> Iterator for Difference<'a, T, S> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        let other = self.other;
        self.iter.by_ref().find(|x| !other.contains(*x))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.iter.size_hint().1)
    }
}

impl<'a, T: Eq + Hash, S: BuildHasher> Iterator for SymmetricDifference<'a, T, S> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        self.iter.next()
    }
}

macro_rules! set_iter_traits {
    ($($name:ident { $($field:ident),* })*) => {$(
        impl<T: Eq + Hash, S: BuildHasher> FusedIterator for $name<'_, T, S> {}

        impl<T, S> Clone for $name<'_, T, S> {
            fn clone(&self) -> Self {
                $name { $($field: self.$field.clone()),* }
            }
        }

        impl<T: fmt::Debug + Eq + Hash, S: BuildHasher> fmt::Debug for $name<'_, T, S> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.clone()).finish()
            }
        }
    )*};
}

set_iter_traits! {
    Union { iter }
    Intersection { iter, other }
    Difference { iter, other }
    SymmetricDifference { iter }
}

/// The operators std's `HashSet` has on references: a new set, with a
/// default hasher, holding clones.
macro_rules! set_operator {
    ($trait:ident, $method:ident, $op:ident, $doc:literal) => {
        impl<T: Eq + Hash + Clone, S: BuildHasher + Default> core::ops::$trait<&EvacSet<T, S>>
            for &EvacSet<T, S>
        {
            type Output = EvacSet<T, S>;

            #[doc = $doc]
            fn $method(self, rhs: &EvacSet<T, S>) -> EvacSet<T, S> {
                self.$op(rhs).cloned().collect()
            }
        }
    };
}

set_operator!(
    BitOr,
    bitor,
    union,
    "The union, as a new set.\n\n```\nlet (a, b) = (evacmap::EvacSet::from([1, 2]), evacmap::EvacSet::from([2, 3]));\nassert_eq!(&a | &b, evacmap::EvacSet::from([1, 2, 3]));\n```"
);
set_operator!(
    BitAnd,
    bitand,
    intersection,
    "The intersection, as a new set.\n\n```\nlet (a, b) = (evacmap::EvacSet::from([1, 2]), evacmap::EvacSet::from([2, 3]));\nassert_eq!(&a & &b, evacmap::EvacSet::from([2]));\n```"
);
set_operator!(
    Sub,
    sub,
    difference,
    "The difference, as a new set.\n\n```\nlet (a, b) = (evacmap::EvacSet::from([1, 2]), evacmap::EvacSet::from([2, 3]));\nassert_eq!(&a - &b, evacmap::EvacSet::from([1]));\n```"
);
set_operator!(
    BitXor,
    bitxor,
    symmetric_difference,
    "The symmetric difference, as a new set.\n\n```\nlet (a, b) = (evacmap::EvacSet::from([1, 2]), evacmap::EvacSet::from([2, 3]));\nassert_eq!(&a ^ &b, evacmap::EvacSet::from([1, 3]));\n```"
);

/// An empty iterator, as std's.
impl<T> Default for Iter<'_, T> {
    fn default() -> Self {
        Iter {
            inner: Default::default(),
        }
    }
}

/// An empty iterator, as std's.
impl<T> Default for IntoIter<T> {
    fn default() -> Self {
        IntoIter {
            inner: Default::default(),
        }
    }
}
