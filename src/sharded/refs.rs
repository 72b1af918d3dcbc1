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

/// For an entry guard whose `inner` has `key()` and `value()`: those
/// accessors, documented with an example that gets the guard with `$get`
/// from a map holding `1 => 2`; `Deref` to the value; and a `Debug` of
/// `Name(key, value)`. With `mut`, also `value_mut()` and `DerefMut`.
macro_rules! entry_guard_traits {
    ($name:ident, $get:literal) => {
        impl<K, V, S> $name<'_, K, V, S> {
            /// The stored key.
            ///
            /// # Examples
            ///
            #[doc = concat!(
                        "```\nlet map = evacmap::ShardedEvacMap::new();\nmap.insert(1, 2);\n",
                        "assert_eq!(*", $get, ".key(), 1);\n```"
                    )]
            pub fn key(&self) -> &K {
                self.inner.key()
            }

            /// The value.
            ///
            /// # Examples
            ///
            #[doc = concat!(
                        "```\nlet map = evacmap::ShardedEvacMap::new();\nmap.insert(1, 2);\n",
                        "assert_eq!(*", $get, ".value(), 2);\n```"
                    )]
            pub fn value(&self) -> &V {
                self.inner.value()
            }
        }

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
    ($name:ident, $get:literal, mut) => {
        entry_guard_traits!($name, $get);

        impl<K, V, S> $name<'_, K, V, S> {
            /// The value, mutably.
            ///
            /// # Examples
            ///
            #[doc = concat!(
                        "```\nlet map = evacmap::ShardedEvacMap::new();\nmap.insert(1, 2);\n",
                        "*", $get, ".value_mut() = 3;\n",
                        "assert_eq!(map.get_cloned(&1), Some(3));\n```"
                    )]
            pub fn value_mut(&mut self) -> &mut V {
                self.inner.value_mut()
            }
        }

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

entry_guard_traits!(Ref, "map.get(&1).unwrap()");

/// A write-locked entry of a [`ShardedEvacMap`]; see
/// [`ShardedEvacMap::get_mut`]. Dereferences (mutably) to the value.
pub struct RefMut<'a, K, V, S = DefaultHashBuilder> {
    pub(super) inner: KeyValueMut<'a, K, V, WriteGuard<'a, K, V, S>>,
}

entry_guard_traits!(RefMut, "map.get_mut(&1).unwrap()", mut);

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

entry_guard_traits!(RefMulti, "map.iter().next().unwrap()");

/// One entry of [`ShardedEvacMap::iter_mut`]: its shard stays write-locked
/// while this item, or the iterator still in that shard, lives.
/// Dereferences (mutably) to the value.
pub struct RefMutMulti<'a, K, V, S = DefaultHashBuilder> {
    pub(super) inner: KeyValueMut<'a, K, V, Rc<WriteGuard<'a, K, V, S>>>,
}

entry_guard_traits!(RefMutMulti, "map.iter_mut().next().unwrap()", mut);
