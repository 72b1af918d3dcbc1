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

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;
use std::time::Duration;

use crate::map::{self, EvacMap};
use crate::raw::RawExtractIf;
use crate::{DefaultHashBuilder, GrowthProgress, Policy, TryReserveError};

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
    pub fn with_policy(policy: Policy) -> Self {
        EvacSet {
            map: EvacMap::with_policy(policy),
        }
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
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        EvacSet {
            map: EvacMap::with_capacity_and_hasher(capacity, hash_builder),
        }
    }

    /// An empty set with the given policy and hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u8, _> = evacmap::EvacSet::with_policy_and_hasher(
    ///     evacmap::Policy::default(),
    ///     std::collections::hash_map::RandomState::new(),
    /// );
    /// assert!(set.is_empty());
    /// ```
    pub const fn with_policy_and_hasher(policy: Policy, hash_builder: S) -> Self {
        EvacSet {
            map: EvacMap::with_policy_and_hasher(policy, hash_builder),
        }
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

    /// True while old buckets are held; see [`EvacMap::is_growing`].
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u8> = evacmap::EvacSet::new();
    /// assert!(!set.is_growing());
    /// ```
    pub fn is_growing(&self) -> bool {
        self.map.is_growing()
    }

    /// Progress of the growth in progress; see [`EvacMap::growth_progress`].
    ///
    /// # Examples
    ///
    /// ```
    /// let set: evacmap::EvacSet<u8> = evacmap::EvacSet::new();
    /// assert_eq!(set.growth_progress(), None);
    /// ```
    pub fn growth_progress(&self) -> Option<GrowthProgress> {
        self.map.growth_progress()
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
    /// set.finish_growth();
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
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
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
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
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
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
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
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
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
    /// while set.is_growing() {
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

    /// Finishes the growth in progress; see [`EvacMap::finish_growth`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set: evacmap::EvacSet<u32> = (0..5000).collect();
    /// set.finish_growth();
    /// assert!(!set.is_growing());
    /// ```
    pub fn finish_growth(&mut self) {
        self.map.finish_growth();
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
    pub fn union<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + 'a {
        self.iter().chain(other.difference(self))
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
    pub fn intersection<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + 'a {
        let (small, large) = if self.len() <= other.len() {
            (self, other)
        } else {
            (other, self)
        };
        small.iter().filter(move |x| large.contains(*x))
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
    pub fn difference<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + 'a {
        self.iter().filter(move |x| !other.contains(*x))
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
    pub fn symmetric_difference<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + 'a {
        self.difference(other).chain(other.difference(self))
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
pub struct ExtractIf<'a, T, F> {
    inner: RawExtractIf<'a, T, ()>,
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
