//! The entry API, as `std::collections::hash_map`'s.

use core::fmt;
use core::hash::{BuildHasher, Hash};

use super::hasher_of;
use crate::DefaultHashBuilder;
use crate::layout::{BucketLayout, DefaultLayout};
use crate::raw::{RawOccupied, RawVacant};

/// A view into one entry of an [`EvacMap`](crate::EvacMap), occupied or
/// vacant; made by [`EvacMap::entry`](crate::EvacMap::entry).
///
/// # Examples
///
/// ```
/// use evacmap::map::Entry;
///
/// let mut map = evacmap::EvacMap::new();
/// match map.entry("k") {
///     Entry::Vacant(v) => {
///         v.insert(1);
///     }
///     Entry::Occupied(_) => unreachable!(),
/// }
/// assert_eq!(map["k"], 1);
/// ```
pub enum Entry<'a, K, V, S = DefaultHashBuilder, L: BucketLayout = DefaultLayout> {
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V, L>),
    /// The key is absent.
    Vacant(VacantEntry<'a, K, V, S, L>),
}

/// An entry whose key is present.
///
/// # Examples
///
/// ```
/// use evacmap::map::Entry;
///
/// let mut map = evacmap::EvacMap::from([("k", 1)]);
/// if let Entry::Occupied(mut o) = map.entry("k") {
///     *o.get_mut() += 1;
/// }
/// assert_eq!(map["k"], 2);
/// ```
pub struct OccupiedEntry<'a, K, V, L: BucketLayout = DefaultLayout> {
    raw: RawOccupied<'a, K, V, L>,
}

/// An entry whose key is absent; holds the key until it is inserted.
///
/// # Examples
///
/// ```
/// use evacmap::map::Entry;
///
/// let mut map: evacmap::EvacMap<&str, i32> = evacmap::EvacMap::new();
/// if let Entry::Vacant(v) = map.entry("k") {
///     assert_eq!(v.key(), &"k");
///     v.insert(3);
/// }
/// assert_eq!(map["k"], 3);
/// ```
pub struct VacantEntry<'a, K, V, S = DefaultHashBuilder, L: BucketLayout = DefaultLayout> {
    raw: RawVacant<'a, K, V, L>,
    key: K,
    hash_builder: &'a S,
}

impl<'a, K, V, L: BucketLayout> OccupiedEntry<'a, K, V, L> {
    pub(super) fn new(raw: RawOccupied<'a, K, V, L>) -> Self {
        OccupiedEntry { raw }
    }

    /// The stored key and the value for the rest of the map's borrow (the
    /// sharded map's entries need both).
    pub(crate) fn into_key_value(self) -> (&'a K, &'a mut V) {
        self.raw.into_key_value()
    }

    /// The stored key.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::from([("k", 1)]);
    /// assert_eq!(map.entry("k").key(), &"k");
    /// ```
    pub fn key(&self) -> &K {
        self.raw.key()
    }

    /// The value.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::Entry;
    ///
    /// let mut map = evacmap::EvacMap::from([("k", 1)]);
    /// if let Entry::Occupied(o) = map.entry("k") {
    ///     assert_eq!(o.get(), &1);
    /// }
    /// ```
    pub fn get(&self) -> &V {
        self.raw.get()
    }

    /// The value, mutably, for the life of the entry.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::Entry;
    ///
    /// let mut map = evacmap::EvacMap::from([("k", 1)]);
    /// if let Entry::Occupied(mut o) = map.entry("k") {
    ///     *o.get_mut() = 5;
    /// }
    /// assert_eq!(map["k"], 5);
    /// ```
    pub fn get_mut(&mut self) -> &mut V {
        self.raw.get_mut()
    }

    /// The value, mutably, for the life of the map borrow.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::Entry;
    ///
    /// let mut map = evacmap::EvacMap::from([("k", 1)]);
    /// if let Entry::Occupied(o) = map.entry("k") {
    ///     *o.into_mut() += 10;
    /// }
    /// assert_eq!(map["k"], 11);
    /// ```
    pub fn into_mut(self) -> &'a mut V {
        self.raw.into_mut()
    }

    /// Replaces the value, returning the old one.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::Entry;
    ///
    /// let mut map = evacmap::EvacMap::from([("k", 1)]);
    /// if let Entry::Occupied(mut o) = map.entry("k") {
    ///     assert_eq!(o.insert(2), 1);
    /// }
    /// assert_eq!(map["k"], 2);
    /// ```
    pub fn insert(&mut self, value: V) -> V {
        core::mem::replace(self.get_mut(), value)
    }

    /// Removes the entry, returning the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::Entry;
    ///
    /// let mut map = evacmap::EvacMap::from([("k", 1)]);
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
    /// use evacmap::map::Entry;
    ///
    /// let mut map = evacmap::EvacMap::from([("k", 1)]);
    /// if let Entry::Occupied(o) = map.entry("k") {
    ///     assert_eq!(o.remove_entry(), ("k", 1));
    /// }
    /// ```
    pub fn remove_entry(self) -> (K, V) {
        self.raw.remove()
    }
}

impl<'a, K, V, S, L: BucketLayout> VacantEntry<'a, K, V, S, L> {
    pub(super) fn new(raw: RawVacant<'a, K, V, L>, key: K, hash_builder: &'a S) -> Self {
        VacantEntry {
            raw,
            key,
            hash_builder,
        }
    }

    /// The key that would be inserted.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<&str, ()> = evacmap::EvacMap::new();
    /// assert_eq!(map.entry("k").key(), &"k");
    /// ```
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Gives the key back without inserting.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::Entry;
    ///
    /// let mut map: evacmap::EvacMap<String, ()> = evacmap::EvacMap::new();
    /// if let Entry::Vacant(v) = map.entry("k".to_string()) {
    ///     assert_eq!(v.into_key(), "k");
    /// }
    /// assert!(map.is_empty());
    /// ```
    pub fn into_key(self) -> K {
        self.key
    }
}

impl<'a, K: Hash, V, S: BuildHasher, L: BucketLayout> VacantEntry<'a, K, V, S, L> {
    /// Inserts the value, returning a mutable reference to it. May start a
    /// growth (after finishing a running one if the load limit is crossed).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::Entry;
    ///
    /// let mut map = evacmap::EvacMap::new();
    /// if let Entry::Vacant(v) = map.entry("k") {
    ///     *v.insert(1) += 1;
    /// }
    /// assert_eq!(map["k"], 2);
    /// ```
    pub fn insert(self, value: V) -> &'a mut V {
        self.insert_entry(value).into_mut()
    }

    /// Inserts the value, returning the now occupied entry.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::Entry;
    ///
    /// let mut map = evacmap::EvacMap::new();
    /// if let Entry::Vacant(v) = map.entry("k") {
    ///     let o = v.insert_entry(1);
    ///     assert_eq!(o.key(), &"k");
    /// }
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V, L> {
        let raw = self
            .raw
            .insert(self.key, value, hasher_of(self.hash_builder));
        OccupiedEntry::new(raw)
    }
}

impl<'a, K: Hash, V, S: BuildHasher, L: BucketLayout> Entry<'a, K, V, S, L> {
    /// The value, inserting `default` first if the key is absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// *map.entry("k").or_insert(1) += 1;
    /// assert_eq!(map["k"], 2);
    /// ```
    pub fn or_insert(self, default: V) -> &'a mut V {
        self.or_insert_with(|| default)
    }

    /// The value, inserting `default()` first if the key is absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<&str, Vec<i32>> = evacmap::EvacMap::new();
    /// map.entry("k").or_insert_with(Vec::new).push(1);
    /// assert_eq!(map["k"], [1]);
    /// ```
    pub fn or_insert_with<F: FnOnce() -> V>(self, default: F) -> &'a mut V {
        self.or_insert_with_key(|_| default())
    }

    /// The value, inserting `default(&key)` first if the key is absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// map.entry("abc").or_insert_with_key(|k| k.len());
    /// assert_eq!(map["abc"], 3);
    /// ```
    pub fn or_insert_with_key<F: FnOnce(&K) -> V>(self, default: F) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let value = default(v.key());
                v.insert(value)
            }
        }
    }

    /// The value, inserting `V::default()` first if the key is absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<&str, u32> = evacmap::EvacMap::new();
    /// *map.entry("k").or_default() += 1;
    /// assert_eq!(map["k"], 1);
    /// ```
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Sets the value, inserting or replacing, and returns the entry.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// let e = map.entry("k").insert_entry(1);
    /// assert_eq!(e.get(), &1);
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V, L> {
        match self {
            Entry::Occupied(mut o) => {
                o.insert(value);
                o
            }
            Entry::Vacant(v) => v.insert_entry(value),
        }
    }
}

impl<'a, K, V, S, L: BucketLayout> Entry<'a, K, V, S, L> {
    /// The entry's key.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<&str, ()> = evacmap::EvacMap::new();
    /// assert_eq!(map.entry("k").key(), &"k");
    /// ```
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(o) => o.key(),
            Entry::Vacant(v) => v.key(),
        }
    }

    /// Runs `f` on the value if the key is present; returns the entry.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// map.entry("k").and_modify(|v| *v += 1).or_insert(1);
    /// map.entry("k").and_modify(|v| *v += 1).or_insert(1);
    /// assert_eq!(map["k"], 2);
    /// ```
    pub fn and_modify<F: FnOnce(&mut V)>(mut self, f: F) -> Self {
        if let Entry::Occupied(o) = &mut self {
            f(o.get_mut());
        }
        self
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S, L: BucketLayout> fmt::Debug for Entry<'_, K, V, S, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(o) => f.debug_tuple("Entry").field(o).finish(),
            Entry::Vacant(v) => f.debug_tuple("Entry").field(v).finish(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, L: BucketLayout> fmt::Debug for OccupiedEntry<'_, K, V, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OccupiedEntry")
            .field("key", self.key())
            .field("value", self.get())
            .finish()
    }
}

impl<K: fmt::Debug, V, S, L: BucketLayout> fmt::Debug for VacantEntry<'_, K, V, S, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntry").field(self.key()).finish()
    }
}

/// A view into one entry of an [`EvacMap`](crate::EvacMap) for a borrowed
/// key; made by [`EvacMap::entry_ref`](crate::EvacMap::entry_ref). The owned
/// key (`K::from(&Q)`) is made only when a vacant entry is filled.
///
/// # Examples
///
/// ```
/// use evacmap::map::EntryRef;
///
/// let mut map: evacmap::EvacMap<String, u32> = evacmap::EvacMap::new();
/// match map.entry_ref("k") {
///     EntryRef::Vacant(v) => {
///         v.insert(1);
///     }
///     EntryRef::Occupied(_) => unreachable!(),
/// }
/// assert_eq!(map["k"], 1);
/// ```
pub enum EntryRef<'a, 'b, K, Q: ?Sized, V, S = DefaultHashBuilder, L: BucketLayout = DefaultLayout>
{
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V, L>),
    /// The key is absent.
    Vacant(VacantEntryRef<'a, 'b, K, Q, V, S, L>),
}

/// An entry whose borrowed key is absent; see [`EntryRef`].
pub struct VacantEntryRef<
    'a,
    'b,
    K,
    Q: ?Sized,
    V,
    S = DefaultHashBuilder,
    L: BucketLayout = DefaultLayout,
> {
    raw: RawVacant<'a, K, V, L>,
    key: &'b Q,
    hash_builder: &'a S,
}

impl<'a, 'b, K, Q: ?Sized, V, S, L: BucketLayout> VacantEntryRef<'a, 'b, K, Q, V, S, L> {
    pub(super) fn new(raw: RawVacant<'a, K, V, L>, key: &'b Q, hash_builder: &'a S) -> Self {
        VacantEntryRef {
            raw,
            key,
            hash_builder,
        }
    }

    /// The borrowed key.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::EntryRef;
    ///
    /// let mut map: evacmap::EvacMap<String, u32> = evacmap::EvacMap::new();
    /// if let EntryRef::Vacant(v) = map.entry_ref("k") {
    ///     assert_eq!(v.key(), "k");
    /// }
    /// ```
    pub fn key(&self) -> &'b Q {
        self.key
    }
}

impl<'a, 'b, K: Hash + From<&'b Q>, Q: ?Sized, V, S: BuildHasher, L: BucketLayout>
    VacantEntryRef<'a, 'b, K, Q, V, S, L>
{
    /// Inserts `K::from(key)` with `value`, returning a mutable reference
    /// to the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::EntryRef;
    ///
    /// let mut map: evacmap::EvacMap<String, u32> = evacmap::EvacMap::new();
    /// if let EntryRef::Vacant(v) = map.entry_ref("k") {
    ///     *v.insert(1) += 1;
    /// }
    /// assert_eq!(map["k"], 2);
    /// ```
    pub fn insert(self, value: V) -> &'a mut V {
        self.insert_entry(value).into_mut()
    }

    /// Inserts, returning the now occupied entry.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::map::EntryRef;
    ///
    /// let mut map: evacmap::EvacMap<String, u32> = evacmap::EvacMap::new();
    /// if let EntryRef::Vacant(v) = map.entry_ref("k") {
    ///     assert_eq!(v.insert_entry(1).key(), "k");
    /// }
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V, L> {
        let key = K::from(self.key);
        let raw = self.raw.insert(key, value, hasher_of(self.hash_builder));
        OccupiedEntry::new(raw)
    }
}

impl<'a, 'b, K: Hash + From<&'b Q>, Q: ?Sized, V, S: BuildHasher, L: BucketLayout>
    EntryRef<'a, 'b, K, Q, V, S, L>
{
    /// The value, inserting `default` first if the key is absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<String, u32> = evacmap::EvacMap::new();
    /// *map.entry_ref("k").or_insert(1) += 1;
    /// assert_eq!(map["k"], 2);
    /// ```
    pub fn or_insert(self, default: V) -> &'a mut V {
        self.or_insert_with(|| default)
    }

    /// The value, inserting `default()` first if the key is absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<String, Vec<u8>> = evacmap::EvacMap::new();
    /// map.entry_ref("k").or_insert_with(Vec::new).push(1);
    /// assert_eq!(map["k"], [1]);
    /// ```
    pub fn or_insert_with(self, default: impl FnOnce() -> V) -> &'a mut V {
        match self {
            EntryRef::Occupied(o) => o.into_mut(),
            EntryRef::Vacant(v) => v.insert(default()),
        }
    }

    /// The value, inserting `default(key)` first if the key is absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<String, usize> = evacmap::EvacMap::new();
    /// assert_eq!(*map.entry_ref("four").or_insert_with_key(|k| k.len()), 4);
    /// ```
    pub fn or_insert_with_key(self, default: impl FnOnce(&Q) -> V) -> &'a mut V {
        match self {
            EntryRef::Occupied(o) => o.into_mut(),
            EntryRef::Vacant(v) => {
                let value = default(v.key);
                v.insert(value)
            }
        }
    }

    /// The value, inserting `V::default()` first if the key is absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<String, u32> = evacmap::EvacMap::new();
    /// *map.entry_ref("k").or_default() += 3;
    /// assert_eq!(map["k"], 3);
    /// ```
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Runs `f` on the value if the key is present.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<String, u32> = evacmap::EvacMap::new();
    /// map.entry_ref("k").and_modify(|v| *v += 1).or_insert(0);
    /// map.entry_ref("k").and_modify(|v| *v += 1).or_insert(0);
    /// assert_eq!(map["k"], 1);
    /// ```
    #[must_use]
    pub fn and_modify(mut self, f: impl FnOnce(&mut V)) -> Self {
        if let EntryRef::Occupied(o) = &mut self {
            f(o.get_mut());
        }
        self
    }
}

impl<K: fmt::Debug, Q: ?Sized + fmt::Debug, V: fmt::Debug, S, L: BucketLayout> fmt::Debug
    for EntryRef<'_, '_, K, Q, V, S, L>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryRef::Occupied(o) => f.debug_tuple("EntryRef").field(o).finish(),
            EntryRef::Vacant(v) => f.debug_tuple("EntryRef").field(v).finish(),
        }
    }
}

impl<K, Q: ?Sized + fmt::Debug, V, S, L: BucketLayout> fmt::Debug
    for VacantEntryRef<'_, '_, K, Q, V, S, L>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntryRef").field(&self.key).finish()
    }
}
