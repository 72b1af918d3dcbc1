//! The map's iterator types. All of them visit each live entry exactly once,
//! also while a growth is in progress (old buckets not yet evacuated first,
//! then the new array).

use core::fmt;
use core::iter::FusedIterator;

use crate::layout::{BucketLayout, DefaultLayout};
use crate::raw::{MutIter, RawDrain, RawExtractIf, RawIntoIter, RefIter};

/// Iterator over `(&K, &V)`; made by [`EvacMap::iter`](crate::EvacMap::iter).
///
/// # Examples
///
/// ```
/// let map = evacmap::EvacMap::from([(1, 2)]);
/// let it = map.iter();
/// assert_eq!(it.len(), 1);
/// ```
pub struct Iter<'a, K, V, L: BucketLayout = DefaultLayout> {
    inner: RefIter<'a, K, V, L>,
}

impl<'a, K, V, L: BucketLayout> Iter<'a, K, V, L> {
    pub(super) fn new(inner: RefIter<'a, K, V, L>) -> Self {
        Iter { inner }
    }
}

/// An empty iterator, as std's.
///
/// # Examples
///
/// ```
/// let it: evacmap::map::Iter<'_, u8, u8> = Default::default();
/// assert_eq!(it.count(), 0);
/// ```
impl<K, V, L: BucketLayout> Default for Iter<'_, K, V, L> {
    fn default() -> Self {
        Iter {
            inner: RefIter::default(),
        }
    }
}

impl<K, V, L: BucketLayout> Clone for Iter<'_, K, V, L> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<'a, K, V, L: BucketLayout> Iterator for Iter<'a, K, V, L> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V, L: BucketLayout> ExactSizeIterator for Iter<'_, K, V, L> {
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl<K, V, L: BucketLayout> FusedIterator for Iter<'_, K, V, L> {}

impl<K: fmt::Debug, V: fmt::Debug, L: BucketLayout> fmt::Debug for Iter<'_, K, V, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// Iterator over `(&K, &mut V)`; made by
/// [`EvacMap::iter_mut`](crate::EvacMap::iter_mut).
///
/// # Examples
///
/// ```
/// let mut map = evacmap::EvacMap::from([(1, 2)]);
/// for (_, v) in map.iter_mut() {
///     *v = 3;
/// }
/// assert_eq!(map[&1], 3);
/// ```
pub struct IterMut<'a, K, V, L: BucketLayout = DefaultLayout> {
    inner: MutIter<'a, K, V, L>,
}

/// An empty iterator, as std's.
impl<K, V, L: BucketLayout> Default for IterMut<'_, K, V, L> {
    fn default() -> Self {
        IterMut {
            inner: MutIter::default(),
        }
    }
}

impl<'a, K, V, L: BucketLayout> IterMut<'a, K, V, L> {
    pub(super) fn new(inner: MutIter<'a, K, V, L>) -> Self {
        IterMut { inner }
    }
}

impl<'a, K, V, L: BucketLayout> Iterator for IterMut<'a, K, V, L> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V, L: BucketLayout> ExactSizeIterator for IterMut<'_, K, V, L> {
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl<K, V, L: BucketLayout> FusedIterator for IterMut<'_, K, V, L> {}

impl<K: fmt::Debug, V: fmt::Debug, L: BucketLayout> fmt::Debug for IterMut<'_, K, V, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.inner.remaining()).finish()
    }
}

/// Owning iterator over `(K, V)`; made by `EvacMap::into_iter`.
///
/// # Examples
///
/// ```
/// let map = evacmap::EvacMap::from([(1, 2)]);
/// let v: Vec<(i32, i32)> = map.into_iter().collect();
/// assert_eq!(v, [(1, 2)]);
/// ```
pub struct IntoIter<K, V, L: BucketLayout = DefaultLayout> {
    inner: RawIntoIter<K, V, L>,
}

impl<K, V, L: BucketLayout> IntoIter<K, V, L> {
    pub(super) fn new(inner: RawIntoIter<K, V, L>) -> Self {
        IntoIter { inner }
    }
}

/// An empty iterator, as std's.
impl<K, V, L: BucketLayout> Default for IntoIter<K, V, L> {
    fn default() -> Self {
        IntoIter {
            inner: RawIntoIter::default(),
        }
    }
}

impl<K, V, L: BucketLayout> Iterator for IntoIter<K, V, L> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V, L: BucketLayout> ExactSizeIterator for IntoIter<K, V, L> {
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl<K, V, L: BucketLayout> FusedIterator for IntoIter<K, V, L> {}

impl<K: fmt::Debug, V: fmt::Debug, L: BucketLayout> fmt::Debug for IntoIter<K, V, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.inner.remaining()).finish()
    }
}

/// Draining iterator over `(K, V)`; made by [`EvacMap::drain`](crate::EvacMap::drain).
///
/// # Examples
///
/// ```
/// let mut map = evacmap::EvacMap::from([(1, 2)]);
/// assert_eq!(map.drain().len(), 1);
/// assert!(map.is_empty());
/// ```
pub struct Drain<'a, K, V, L: BucketLayout = DefaultLayout> {
    inner: RawDrain<'a, K, V, L>,
}

impl<'a, K, V, L: BucketLayout> Drain<'a, K, V, L> {
    pub(super) fn new(inner: RawDrain<'a, K, V, L>) -> Self {
        Drain { inner }
    }
}

impl<K, V, L: BucketLayout> Iterator for Drain<'_, K, V, L> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V, L: BucketLayout> ExactSizeIterator for Drain<'_, K, V, L> {
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl<K, V, L: BucketLayout> FusedIterator for Drain<'_, K, V, L> {}

impl<K: fmt::Debug, V: fmt::Debug, L: BucketLayout> fmt::Debug for Drain<'_, K, V, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.inner.remaining()).finish()
    }
}

/// Iterator that removes entries matching a predicate; made by
/// [`EvacMap::extract_if`](crate::EvacMap::extract_if).
///
/// # Examples
///
/// ```
/// let mut map = evacmap::EvacMap::from([(1, 2), (2, 3)]);
/// let taken: Vec<_> = map.extract_if(|k, _| *k == 1).collect();
/// assert_eq!(taken, [(1, 2)]);
/// ```
#[must_use = "iterators are lazy and do nothing unless consumed; extract_if removes only the entries it yields"]
pub struct ExtractIf<'a, K, V, F, L: BucketLayout = DefaultLayout> {
    inner: RawExtractIf<'a, K, V, L>,
    pred: F,
}

impl<'a, K, V, F, L: BucketLayout> ExtractIf<'a, K, V, F, L> {
    pub(super) fn new(inner: RawExtractIf<'a, K, V, L>, pred: F) -> Self {
        ExtractIf { inner, pred }
    }
}

impl<K, V, F: FnMut(&K, &mut V) -> bool, L: BucketLayout> Iterator for ExtractIf<'_, K, V, F, L> {
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next(&mut self.pred)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.inner.len()))
    }
}

impl<K, V, F: FnMut(&K, &mut V) -> bool, L: BucketLayout> FusedIterator
    for ExtractIf<'_, K, V, F, L>
{
}

impl<K, V, F, L: BucketLayout> fmt::Debug for ExtractIf<'_, K, V, F, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf").finish_non_exhaustive()
    }
}

/// Defines an iterator that projects each item of an inner iterator.
macro_rules! projection {
    ($(#[$doc:meta])* $name:ident<$($lt:lifetime,)? $k:ident, $v:ident>: $inner:ty => $item:ty, |$x:pat_param| $proj:expr, debug: |$s:ident| $dbg:expr, clone: $clone:tt) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? $k, $v, L: BucketLayout = DefaultLayout> {
            inner: $inner,
        }

        impl<$($lt,)? $k, $v, L: BucketLayout> $name<$($lt,)? $k, $v, L> {
            pub(super) fn new(inner: $inner) -> Self {
                $name { inner }
            }
        }

        impl<$($lt,)? $k, $v, L: BucketLayout> Iterator for $name<$($lt,)? $k, $v, L> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<$item> {
                self.inner.next().map(|$x| $proj)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<$($lt,)? $k, $v, L: BucketLayout> ExactSizeIterator for $name<$($lt,)? $k, $v, L> {
            fn len(&self) -> usize {
                self.inner.len()
            }
        }

        impl<$($lt,)? $k, $v, L: BucketLayout> FusedIterator for $name<$($lt,)? $k, $v, L> {}

        /// An empty iterator, as std's.
        impl<$($lt,)? $k, $v, L: BucketLayout> Default for $name<$($lt,)? $k, $v, L> {
            fn default() -> Self {
                $name { inner: Default::default() }
            }
        }

        impl<$($lt,)? $k: fmt::Debug, $v: fmt::Debug, L: BucketLayout> fmt::Debug for $name<$($lt,)? $k, $v, L> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let $s = self;
                f.debug_list().entries($dbg).finish()
            }
        }

        projection!(@clone $clone $name<$($lt,)? $k, $v>);
    };
    (@clone yes $name:ident<$($lt:lifetime,)? $k:ident, $v:ident>) => {
        impl<$($lt,)? $k, $v, L: BucketLayout> Clone for $name<$($lt,)? $k, $v, L> {
            fn clone(&self) -> Self {
                $name { inner: self.inner.clone() }
            }
        }
    };
    (@clone no $($rest:tt)*) => {};
}

projection!(
    /// Iterator over `&K`; made by [`EvacMap::keys`](crate::EvacMap::keys).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::EvacMap::from([(1, 2)]);
    /// assert_eq!(map.keys().collect::<Vec<_>>(), [&1]);
    /// ```
    Keys<'a, K, V>: Iter<'a, K, V, L> => &'a K, |(k, _)| k,
    debug: |s| s.inner.clone().map(|(k, _)| k), clone: yes
);

projection!(
    /// Iterator over `&V`; made by [`EvacMap::values`](crate::EvacMap::values).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::EvacMap::from([(1, 2)]);
    /// assert_eq!(map.values().collect::<Vec<_>>(), [&2]);
    /// ```
    Values<'a, K, V>: Iter<'a, K, V, L> => &'a V, |(_, v)| v,
    debug: |s| s.inner.clone().map(|(_, v)| v), clone: yes
);

projection!(
    /// Iterator over `&mut V`; made by
    /// [`EvacMap::values_mut`](crate::EvacMap::values_mut).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::from([(1, 2)]);
    /// map.values_mut().for_each(|v| *v = 0);
    /// assert_eq!(map[&1], 0);
    /// ```
    ValuesMut<'a, K, V>: IterMut<'a, K, V, L> => &'a mut V, |(_, v)| v,
    debug: |s| s.inner.inner.remaining().map(|(_, v)| v), clone: no
);

projection!(
    /// Owning iterator over keys; made by
    /// [`EvacMap::into_keys`](crate::EvacMap::into_keys).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::EvacMap::from([(1, 2)]);
    /// assert_eq!(map.into_keys().collect::<Vec<_>>(), [1]);
    /// ```
    IntoKeys<K, V>: IntoIter<K, V, L> => K, |(k, _)| k,
    debug: |s| s.inner.inner.remaining().map(|(k, _)| k), clone: no
);

projection!(
    /// Owning iterator over values; made by
    /// [`EvacMap::into_values`](crate::EvacMap::into_values).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::EvacMap::from([(1, 2)]);
    /// assert_eq!(map.into_values().collect::<Vec<_>>(), [2]);
    /// ```
    IntoValues<K, V>: IntoIter<K, V, L> => V, |(_, v)| v,
    debug: |s| s.inner.inner.remaining().map(|(_, v)| v), clone: no
);
