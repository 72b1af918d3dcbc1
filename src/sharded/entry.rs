//! [`Entry`]: a [`ShardedEvacMap`]'s entry for one key, holding the key's
//! shard write-locked until it drops (as `dashmap`'s entries do).

use core::fmt;
use core::hash::{BuildHasher, Hash};

#[cfg(doc)]
use super::ShardedEvacMap;
use super::guard::{LockedOccupied, LockedVacant};
use super::refs::RefMut;
use crate::DefaultHashBuilder;

/// The entry for one key of a [`ShardedEvacMap`], from
/// [`ShardedEvacMap::entry`]. The key's shard stays write-locked until the
/// entry (or the [`RefMut`] it turns into) drops: no other thread can read
/// or write that shard meanwhile, and the thread holding it must not touch
/// the map either (see "Deadlocks" on [`ShardedEvacMap`]).
///
/// # Examples
///
/// ```
/// use evacmap::sharded::Entry;
///
/// let map = evacmap::ShardedEvacMap::new();
/// *map.entry("a").or_insert(0) += 1;
/// *map.entry("a").or_insert(0) += 1;
/// match map.entry("a") {
///     Entry::Occupied(o) => assert_eq!(o.remove(), 2),
///     Entry::Vacant(_) => unreachable!(),
/// }
/// assert!(map.is_empty());
/// ```
pub enum Entry<'a, K, V, S = DefaultHashBuilder> {
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V, S>),
    /// The key is absent.
    Vacant(VacantEntry<'a, K, V, S>),
}

/// An entry whose key is present; see [`Entry`].
pub struct OccupiedEntry<'a, K, V, S = DefaultHashBuilder> {
    pub(super) inner: LockedOccupied<'a, K, V, S>,
}

/// An entry whose key is absent; see [`Entry`].
pub struct VacantEntry<'a, K, V, S = DefaultHashBuilder> {
    pub(super) inner: LockedVacant<'a, K, V, S>,
}

impl<'a, K: Hash + Eq, V, S: BuildHasher> Entry<'a, K, V, S> {
    /// The key (the stored one if present, else the one given).
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::ShardedEvacMap<&str, u32> = evacmap::ShardedEvacMap::new();
    /// assert_eq!(*map.entry("k").key(), "k");
    /// ```
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(o) => o.key(),
            Entry::Vacant(v) => v.key(),
        }
    }

    /// The value, inserting `default` if absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// *map.entry(1).or_insert(10) += 1;
    /// assert_eq!(map.get_cloned(&1), Some(11));
    /// ```
    pub fn or_insert(self, default: V) -> RefMut<'a, K, V, S> {
        self.or_insert_with(|| default)
    }

    /// The value, inserting `default()` if absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.entry(1).or_insert_with(Vec::new).push(2);
    /// assert_eq!(map.get_cloned(&1), Some(vec![2]));
    /// ```
    pub fn or_insert_with(self, default: impl FnOnce() -> V) -> RefMut<'a, K, V, S> {
        match self {
            Entry::Occupied(o) => o.into_ref(),
            Entry::Vacant(v) => v.insert(default()),
        }
    }

    /// The value, inserting `default(&key)` if absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// assert_eq!(*map.entry(4).or_insert_with_key(|k| k * 2), 8);
    /// ```
    pub fn or_insert_with_key(self, default: impl FnOnce(&K) -> V) -> RefMut<'a, K, V, S> {
        match self {
            Entry::Occupied(o) => o.into_ref(),
            Entry::Vacant(v) => {
                let value = default(v.key());
                v.insert(value)
            }
        }
    }

    /// The value, inserting `V::default()` if absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::ShardedEvacMap<&str, u32> = evacmap::ShardedEvacMap::new();
    /// *map.entry("n").or_default() += 5;
    /// assert_eq!(map.get_cloned("n"), Some(5));
    /// ```
    pub fn or_default(self) -> RefMut<'a, K, V, S>
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Runs `f` on the value if present; the entry stays locked.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 1);
    /// map.entry(1).and_modify(|v| *v += 1).or_insert(0);
    /// map.entry(2).and_modify(|v| *v += 1).or_insert(0);
    /// assert_eq!((map.get_cloned(&1), map.get_cloned(&2)), (Some(2), Some(0)));
    /// ```
    #[must_use]
    pub fn and_modify(mut self, f: impl FnOnce(&mut V)) -> Self {
        if let Entry::Occupied(o) = &mut self {
            f(o.get_mut());
        }
        self
    }

    /// Sets the value (inserting or replacing) and returns it, locked.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(1, 1);
    /// assert_eq!(*map.entry(1).insert(5), 5);
    /// assert_eq!(map.get_cloned(&1), Some(5));
    /// ```
    pub fn insert(self, value: V) -> RefMut<'a, K, V, S> {
        match self {
            Entry::Occupied(mut o) => {
                o.insert(value);
                o.into_ref()
            }
            Entry::Vacant(v) => v.insert(value),
        }
    }
}

impl<'a, K, V, S> OccupiedEntry<'a, K, V, S> {
    /// The stored key.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::sharded::Entry;
    ///
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert("k", 1);
    /// if let Entry::Occupied(o) = map.entry("k") {
    ///     assert_eq!(*o.key(), "k");
    /// }
    /// ```
    pub fn key(&self) -> &K {
        self.inner.key()
    }

    /// The value.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::sharded::Entry;
    ///
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert("k", 1);
    /// if let Entry::Occupied(o) = map.entry("k") {
    ///     assert_eq!(*o.get(), 1);
    /// }
    /// ```
    pub fn get(&self) -> &V {
        self.inner.get()
    }

    /// The value, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::sharded::Entry;
    ///
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert("k", 1);
    /// if let Entry::Occupied(mut o) = map.entry("k") {
    ///     *o.get_mut() = 2;
    /// }
    /// assert_eq!(map.get_cloned("k"), Some(2));
    /// ```
    pub fn get_mut(&mut self) -> &mut V {
        self.inner.get_mut()
    }

    /// Replaces the value, returning the old one.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::sharded::Entry;
    ///
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert("k", 1);
    /// if let Entry::Occupied(mut o) = map.entry("k") {
    ///     assert_eq!(o.insert(2), 1);
    /// }
    /// ```
    pub fn insert(&mut self, value: V) -> V {
        self.inner.insert(value)
    }

    /// Removes the entry, returning its value (and unlocking the shard).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::sharded::Entry;
    ///
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert("k", 1);
    /// if let Entry::Occupied(o) = map.entry("k") {
    ///     assert_eq!(o.remove(), 1);
    /// }
    /// assert!(map.is_empty());
    /// ```
    pub fn remove(self) -> V {
        self.remove_entry().1
    }

    /// Removes the entry, returning the stored key and the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::sharded::Entry;
    ///
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert(String::from("k"), 1);
    /// if let Entry::Occupied(o) = map.entry("k".into()) {
    ///     assert_eq!(o.remove_entry(), ("k".into(), 1));
    /// }
    /// ```
    pub fn remove_entry(self) -> (K, V) {
        self.inner.remove_entry()
    }

    /// The entry as a write guard on its value.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::sharded::Entry;
    ///
    /// let map = evacmap::ShardedEvacMap::new();
    /// map.insert("k", 1);
    /// if let Entry::Occupied(o) = map.entry("k") {
    ///     *o.into_ref() += 1;
    /// }
    /// assert_eq!(map.get_cloned("k"), Some(2));
    /// ```
    pub fn into_ref(self) -> RefMut<'a, K, V, S> {
        RefMut {
            inner: self.inner.into_key_value(),
        }
    }
}

impl<'a, K: Hash, V, S: BuildHasher> VacantEntry<'a, K, V, S> {
    /// The key that would be inserted.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::sharded::Entry;
    ///
    /// let map: evacmap::ShardedEvacMap<&str, u8> = evacmap::ShardedEvacMap::new();
    /// if let Entry::Vacant(v) = map.entry("k") {
    ///     assert_eq!(*v.key(), "k");
    /// }
    /// ```
    pub fn key(&self) -> &K {
        self.inner.key()
    }

    /// The key back, inserting nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::sharded::Entry;
    ///
    /// let map: evacmap::ShardedEvacMap<String, u8> = evacmap::ShardedEvacMap::new();
    /// if let Entry::Vacant(v) = map.entry("k".into()) {
    ///     assert_eq!(v.into_key(), "k");
    /// }
    /// assert!(map.is_empty());
    /// ```
    pub fn into_key(self) -> K {
        self.inner.into_key()
    }

    /// Inserts `value`, returning a write guard on it.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::sharded::Entry;
    ///
    /// let map = evacmap::ShardedEvacMap::new();
    /// if let Entry::Vacant(v) = map.entry("k") {
    ///     assert_eq!(*v.insert(3), 3);
    /// }
    /// assert_eq!(map.get_cloned("k"), Some(3));
    /// ```
    pub fn insert(self, value: V) -> RefMut<'a, K, V, S> {
        RefMut {
            inner: self.inner.insert(value),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for OccupiedEntry<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OccupiedEntry")
            .field("key", self.key())
            .field("value", self.get())
            .finish_non_exhaustive()
    }
}

impl<K: fmt::Debug + Hash, V, S: BuildHasher> fmt::Debug for VacantEntry<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntry").field(self.key()).finish()
    }
}

impl<K: fmt::Debug + Hash, V: fmt::Debug, S: BuildHasher> fmt::Debug for Entry<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(o) => f.debug_tuple("Entry").field(o).finish(),
            Entry::Vacant(v) => f.debug_tuple("Entry").field(v).finish(),
        }
    }
}
