//! The map's iterator types. All of them visit each live entry exactly once,
//! also while a growth is in progress (old buckets not yet evacuated first,
//! then the new array).

use core::fmt;
use core::iter::FusedIterator;

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
pub struct Iter<'a, K, V> {
    inner: RefIter<'a, K, V>,
}

impl<'a, K, V> Iter<'a, K, V> {
    pub(super) fn new(inner: RefIter<'a, K, V>) -> Self {
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
impl<K, V> Default for Iter<'_, K, V> {
    fn default() -> Self {
        Iter {
            inner: RefIter::default(),
        }
    }
}

impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl<K, V> FusedIterator for Iter<'_, K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Iter<'_, K, V> {
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
pub struct IterMut<'a, K, V> {
    inner: MutIter<'a, K, V>,
}

/// An empty iterator, as std's.
impl<K, V> Default for IterMut<'_, K, V> {
    fn default() -> Self {
        IterMut {
            inner: MutIter::default(),
        }
    }
}

impl<'a, K, V> IterMut<'a, K, V> {
    pub(super) fn new(inner: MutIter<'a, K, V>) -> Self {
        IterMut { inner }
    }
}

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl<K, V> FusedIterator for IterMut<'_, K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IterMut<'_, K, V> {
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
pub struct IntoIter<K, V> {
    inner: RawIntoIter<K, V>,
}

impl<K, V> IntoIter<K, V> {
    pub(super) fn new(inner: RawIntoIter<K, V>) -> Self {
        IntoIter { inner }
    }
}

/// An empty iterator, as std's.
impl<K, V> Default for IntoIter<K, V> {
    fn default() -> Self {
        IntoIter {
            inner: RawIntoIter::default(),
        }
    }
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> ExactSizeIterator for IntoIter<K, V> {
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl<K, V> FusedIterator for IntoIter<K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IntoIter<K, V> {
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
pub struct Drain<'a, K, V> {
    inner: RawDrain<'a, K, V>,
}

impl<'a, K, V> Drain<'a, K, V> {
    pub(super) fn new(inner: RawDrain<'a, K, V>) -> Self {
        Drain { inner }
    }
}

impl<K, V> Iterator for Drain<'_, K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> ExactSizeIterator for Drain<'_, K, V> {
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl<K, V> FusedIterator for Drain<'_, K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Drain<'_, K, V> {
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
pub struct ExtractIf<'a, K, V, F> {
    inner: RawExtractIf<'a, K, V>,
    pred: F,
}

impl<'a, K, V, F> ExtractIf<'a, K, V, F> {
    pub(super) fn new(inner: RawExtractIf<'a, K, V>, pred: F) -> Self {
        ExtractIf { inner, pred }
    }
}

impl<K, V, F: FnMut(&K, &mut V) -> bool> Iterator for ExtractIf<'_, K, V, F> {
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next(&mut self.pred)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.inner.len()))
    }
}

impl<K, V, F: FnMut(&K, &mut V) -> bool> FusedIterator for ExtractIf<'_, K, V, F> {}

impl<K, V, F> fmt::Debug for ExtractIf<'_, K, V, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf").finish_non_exhaustive()
    }
}

/// Defines an iterator that projects each item of an inner iterator.
macro_rules! projection {
    ($(#[$doc:meta])* $name:ident<$($lt:lifetime,)? $k:ident, $v:ident>: $inner:ty => $item:ty, |$x:pat_param| $proj:expr, debug: |$s:ident| $dbg:expr, clone: $clone:tt) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? $k, $v> {
            inner: $inner,
        }

        impl<$($lt,)? $k, $v> $name<$($lt,)? $k, $v> {
            pub(super) fn new(inner: $inner) -> Self {
                $name { inner }
            }
        }

        impl<$($lt,)? $k, $v> Iterator for $name<$($lt,)? $k, $v> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<$item> {
                self.inner.next().map(|$x| $proj)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<$($lt,)? $k, $v> ExactSizeIterator for $name<$($lt,)? $k, $v> {
            fn len(&self) -> usize {
                self.inner.len()
            }
        }

        impl<$($lt,)? $k, $v> FusedIterator for $name<$($lt,)? $k, $v> {}

        /// An empty iterator, as std's.
        impl<$($lt,)? $k, $v> Default for $name<$($lt,)? $k, $v> {
            fn default() -> Self {
                $name { inner: Default::default() }
            }
        }

        impl<$($lt,)? $k: fmt::Debug, $v: fmt::Debug> fmt::Debug for $name<$($lt,)? $k, $v> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let $s = self;
                f.debug_list().entries($dbg).finish()
            }
        }

        projection!(@clone $clone $name<$($lt,)? $k, $v>);
    };
    (@clone yes $name:ident<$($lt:lifetime,)? $k:ident, $v:ident>) => {
        impl<$($lt,)? $k, $v> Clone for $name<$($lt,)? $k, $v> {
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
    Keys<'a, K, V>: Iter<'a, K, V> => &'a K, |(k, _)| k,
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
    Values<'a, K, V>: Iter<'a, K, V> => &'a V, |(_, v)| v,
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
    ValuesMut<'a, K, V>: IterMut<'a, K, V> => &'a mut V, |(_, v)| v,
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
    IntoKeys<K, V>: IntoIter<K, V> => K, |(k, _)| k,
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
    IntoValues<K, V>: IntoIter<K, V> => V, |(_, v)| v,
    debug: |s| s.inner.inner.remaining().map(|(_, v)| v), clone: no
);
