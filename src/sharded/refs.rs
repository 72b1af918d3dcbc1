//! The guards a [`ShardedEvacMap`] hands out: [`Ref`] and [`RefMut`] (one
//! entry, its shard locked), [`RefMulti`] and [`RefMutMulti`] (one entry of
//! an iteration, its shard locked while any item of it lives) and
//! [`ShardRef`] (a whole shard, read-locked).

use core::fmt;
use core::ops::{Deref, DerefMut};

#[cfg(doc)]
use super::ShardedEvacMap;
use std::rc::Rc;

use super::guard::{KeyValue, KeyValueMut, ReadGuard};
use super::shard::{Locked, WriteGuard};
use crate::sync::RwLockReadGuard;
use crate::{DefaultHashBuilder, EvacMap};

/// For an entry guard with `key()` and `value()`: `Deref` to the value and
/// a `Debug` of `Name(key, value)`; with `mut`, also `DerefMut` through
/// `value_mut()`.
macro_rules! entry_guard_traits {
    ($name:ident) => {
        impl<K, V, S> Deref for $name<'_, K, V, S> {
            type Target = V;
            fn deref(&self) -> &V {
                self.value()
            }
        }

        impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for $name<'_, K, V, S> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name))
                    .field(self.key())
                    .field(self.value())
                    .finish()
            }
        }
    };
    ($name:ident, mut) => {
        entry_guard_traits!($name);

        impl<K, V, S> DerefMut for $name<'_, K, V, S> {
            fn deref_mut(&mut self) -> &mut V {
                self.value_mut()
            }
        }
    };
}

/// A read-locked entry of a [`ShardedEvacMap`]; see
/// [`ShardedEvacMap::get`]. Dereferences to the value.
pub struct Ref<'a, K, V, S = DefaultHashBuilder> {
    pub(super) inner: KeyValue<'a, K, V, ReadGuard<'a, K, V, S>>,
}

impl<K, V, S> Ref<'_, K, V, S> {
    /// The stored key.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// assert_eq!(*map.get(&1).unwrap().key(), 1);
    /// ```
    pub fn key(&self) -> &K {
        self.inner.key()
    }

    /// The value.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// assert_eq!(*map.get(&1).unwrap().value(), 2);
    /// ```
    pub fn value(&self) -> &V {
        self.inner.value()
    }
}

entry_guard_traits!(Ref);

/// A write-locked entry of a [`ShardedEvacMap`]; see
/// [`ShardedEvacMap::get_mut`]. Dereferences (mutably) to the value.
pub struct RefMut<'a, K, V, S = DefaultHashBuilder> {
    pub(super) inner: KeyValueMut<'a, K, V, WriteGuard<'a, K, V, S>>,
}

impl<K, V, S> RefMut<'_, K, V, S> {
    /// The stored key.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// assert_eq!(*map.get_mut(&1).unwrap().key(), 1);
    /// ```
    pub fn key(&self) -> &K {
        self.inner.key()
    }

    /// The value.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// assert_eq!(*map.get_mut(&1).unwrap().value(), 2);
    /// ```
    pub fn value(&self) -> &V {
        self.inner.value()
    }

    /// The value, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// *map.get_mut(&1).unwrap().value_mut() = 3;
    /// assert_eq!(map.get_cloned(&1), Some(3));
    /// ```
    pub fn value_mut(&mut self) -> &mut V {
        self.inner.value_mut()
    }
}

entry_guard_traits!(RefMut, mut);

/// One shard, read-locked; see [`ShardedEvacMap::shards`]. Dereferences to
/// the shard's [`EvacMap`].
pub struct ShardRef<'a, K, V, S = DefaultHashBuilder> {
    pub(super) guard: RwLockReadGuard<'a, Locked<K, V, S>>,
}

impl<K, V, S> Deref for ShardRef<'_, K, V, S> {
    type Target = EvacMap<K, V, S>;
    fn deref(&self) -> &EvacMap<K, V, S> {
        &self.guard.map
    }
}

impl<K, V, S> fmt::Debug for ShardRef<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShardRef")
            .field("len", &self.guard.map.len())
            .finish_non_exhaustive()
    }
}

/// One entry of [`ShardedEvacMap::iter`]: its shard stays read-locked
/// while this item, or the iterator still in that shard, lives.
/// Dereferences to the value.
pub struct RefMulti<'a, K, V, S = DefaultHashBuilder> {
    pub(super) inner: KeyValue<'a, K, V, Rc<ReadGuard<'a, K, V, S>>>,
}

impl<K, V, S> RefMulti<'_, K, V, S> {
    /// The stored key.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// assert_eq!(map.iter().map(|r| *r.key()).sum::<i32>(), 1);
    /// ```
    pub fn key(&self) -> &K {
        self.inner.key()
    }

    /// The value.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// assert_eq!(map.iter().map(|r| *r.value()).sum::<i32>(), 2);
    /// ```
    pub fn value(&self) -> &V {
        self.inner.value()
    }

    /// The key and the value.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// let r = map.iter().next().unwrap();
    /// assert_eq!(r.pair(), (&1, &2));
    /// ```
    pub fn pair(&self) -> (&K, &V) {
        (self.key(), self.value())
    }
}

entry_guard_traits!(RefMulti);

/// One entry of [`ShardedEvacMap::iter_mut`]: its shard stays write-locked
/// while this item, or the iterator still in that shard, lives.
/// Dereferences (mutably) to the value.
pub struct RefMutMulti<'a, K, V, S = DefaultHashBuilder> {
    pub(super) inner: KeyValueMut<'a, K, V, Rc<WriteGuard<'a, K, V, S>>>,
}

impl<K, V, S> RefMutMulti<'_, K, V, S> {
    /// The stored key.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// assert_eq!(*map.iter_mut().next().unwrap().key(), 1);
    /// ```
    pub fn key(&self) -> &K {
        self.inner.key()
    }

    /// The value.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// assert_eq!(*map.iter_mut().next().unwrap().value(), 2);
    /// ```
    pub fn value(&self) -> &V {
        self.inner.value()
    }

    /// The value, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 2);
    /// for mut r in map.iter_mut() {
    ///     *r.value_mut() += 1;
    /// }
    /// assert_eq!(map.get_cloned(&1), Some(3));
    /// ```
    pub fn value_mut(&mut self) -> &mut V {
        self.inner.value_mut()
    }
}

entry_guard_traits!(RefMutMulti, mut);
