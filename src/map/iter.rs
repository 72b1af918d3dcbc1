//! The map's iterator types. All of them visit each live entry exactly once,
//! also while a growth is in progress (old buckets not yet evacuated first,
//! then the new array).

use core::fmt;
use core::iter::FusedIterator;

use crate::layout::{BucketLayout, DefaultLayout};
use crate::raw::{MutIter, RawDrain, RawExtractIf, RawIntoIter, RefIter};

/// Defines an iterator over the items of an inner iterator, each mapped by
/// a projection (`|x| x` for the raw iterators' own items), with
/// `ExactSizeIterator`, `FusedIterator`, `Debug` (a list of what is left),
/// and, where the inner iterator has them, `Default` (empty, as std's) and
/// `Clone`.
macro_rules! projection {
    ($(#[$doc:meta])* $name:ident<$($lt:lifetime,)? $k:ident, $v:ident>: $inner:ty => $item:ty, |$x:pat_param| $proj:expr, debug: |$s:ident| $dbg:expr, clone: $clone:tt $(, default: $default:tt)?) => {
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

        impl<$($lt,)? $k: fmt::Debug, $v: fmt::Debug, L: BucketLayout> fmt::Debug for $name<$($lt,)? $k, $v, L> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let $s = self;
                f.debug_list().entries($dbg).finish()
            }
        }

        projection!(@clone $clone $name<$($lt,)? $k, $v>);
        projection!(@default $($default)? $name<$($lt,)? $k, $v>);
    };
    (@default no $($rest:tt)*) => {};
    (@default $name:ident<$($lt:lifetime,)? $k:ident, $v:ident>) => {
        /// An empty iterator, as std's.
        impl<$($lt,)? $k, $v, L: BucketLayout> Default for $name<$($lt,)? $k, $v, L> {
            fn default() -> Self {
                $name { inner: Default::default() }
            }
        }
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

projection!(
    /// Iterator over `(&K, &V)`; made by [`EvacMap::iter`](crate::EvacMap::iter).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::EvacMap::from([(1, 2)]);
    /// let it = map.iter();
    /// assert_eq!(it.len(), 1);
    /// let empty: evacmap::map::Iter<'_, u8, u8> = Default::default();
    /// assert_eq!(empty.count(), 0);
    /// ```
    Iter<'a, K, V>: RefIter<'a, K, V, L> => (&'a K, &'a V), |x| x,
    debug: |s| s.inner.clone(), clone: yes
);

projection!(
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
    IterMut<'a, K, V>: MutIter<'a, K, V, L> => (&'a K, &'a mut V), |x| x,
    debug: |s| s.inner.remaining(), clone: no
);

projection!(
    /// Owning iterator over `(K, V)`; made by `EvacMap::into_iter`.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::EvacMap::from([(1, 2)]);
    /// let v: Vec<(i32, i32)> = map.into_iter().collect();
    /// assert_eq!(v, [(1, 2)]);
    /// ```
    IntoIter<K, V>: RawIntoIter<K, V, L> => (K, V), |x| x,
    debug: |s| s.inner.remaining(), clone: no
);

projection!(
    /// Draining iterator over `(K, V)`; made by [`EvacMap::drain`](crate::EvacMap::drain).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::from([(1, 2)]);
    /// assert_eq!(map.drain().len(), 1);
    /// assert!(map.is_empty());
    /// ```
    Drain<'a, K, V>: RawDrain<'a, K, V, L> => (K, V), |x| x,
    debug: |s| s.inner.remaining(), clone: no, default: no
);

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
