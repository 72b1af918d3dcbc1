//! Borrows of a shard's map that outlive the borrow of the guard: what
//! `Ref`, `RefMut`, the sharded `Entry` and the sharded iterators hold.
//! std's `RwLockReadGuard::map` is not stable (and loom's guards have no
//! `map`), so each of these keeps the guard and references into its
//! target side by side. The only `unsafe` code of the sharded map: every
//! such reference is made here, and none leaves this module with the lock
//! lifetime `'a` (accessors reborrow for `&self`).
//!
//! # Why this is sound (invariant G1)
//!
//! **G1.** Every value here that borrows a shard's map for the lock
//! lifetime `'a` is built from a guard of that shard, passed in by value
//! (the lock's own read guard, or the sharded map's private write guard,
//! which only `Shard::write` makes), and is stored next to it (or next to
//! an `Rc` of it) in a struct with private fields, declared before the
//! guard so that it drops first. The guard's target lives in the lock, not
//! in the guard value: moving the guard does not move the map, and while
//! the guard lives the map cannot be changed by anyone else (a read guard
//! excludes writers; a write guard excludes everyone) nor freed (the guard
//! borrows the lock for `'a`). So a reference derived from `&*guard` or
//! `&mut *guard` stays valid, with the access it was derived with, for as
//! long as the guard (or the last `Rc` of it) lives, and its lifetime can
//! be stretched to `'a` as long as it is never used after that. Through a
//! write guard, each value takes the one unique borrow of the map
//! (`LockedOccupied`, `LockedVacant`), or unique borrows of distinct
//! values from one `IterMut` (`ShardIterMut` and its items).
#![allow(unsafe_code)]

use core::hash::{BuildHasher, Hash};
use std::rc::Rc;

use super::shard::{Locked, WriteGuard};
use crate::EvacMap;
use crate::map::{self, Entry as MapEntry};
use crate::sync::RwLockReadGuard;

/// A shard's read guard.
pub(crate) type ReadGuard<'a, K, V, S> = RwLockReadGuard<'a, Locked<K, V, S>>;

/// The map behind a read guard, for the lock's lifetime.
///
/// # Safety
///
/// The returned reference must not be used after `guard` drops (G1).
unsafe fn stretch_read<'a, K, V, S>(guard: &ReadGuard<'a, K, V, S>) -> &'a EvacMap<K, V, S> {
    let map: *const EvacMap<K, V, S> = &guard.map;
    // SAFETY: G1: the map lives in the lock, which outlives `'a`, and no
    // writer can reach it while `guard` lives; the caller stops using the
    // reference before `guard` drops.
    unsafe { &*map }
}

/// The map behind a write guard, mutably, for the lock's lifetime.
///
/// # Safety
///
/// The returned reference must not be used after `guard` drops, and
/// `guard` must not be dereferenced while it is in use (G1).
unsafe fn stretch_write<'a, K, V, S>(
    guard: &mut WriteGuard<'a, K, V, S>,
) -> &'a mut EvacMap<K, V, S> {
    let map: *mut EvacMap<K, V, S> = &mut **guard;
    // SAFETY: G1: the map lives in the lock, which outlives `'a`, and no one
    // else can reach it while `guard` lives; the caller neither uses the
    // reference after `guard` drops nor touches `guard` meanwhile.
    unsafe { &mut *map }
}

/// A shared key and value inside a locked shard, and what keeps the lock.
pub(crate) struct KeyValue<'a, K, V, G> {
    key: &'a K,
    value: &'a V,
    /// Keeps the shard locked (G1). Declared last: drops last.
    _guard: G,
}

impl<K, V, G> KeyValue<'_, K, V, G> {
    pub(crate) fn key(&self) -> &K {
        self.key
    }

    pub(crate) fn value(&self) -> &V {
        self.value
    }
}

impl<'a, K, V, S> KeyValue<'a, K, V, ReadGuard<'a, K, V, S>> {
    /// Narrows `guard` to the entry `find` returns, or gives `None` (and
    /// releases the lock).
    pub(crate) fn find(
        guard: ReadGuard<'a, K, V, S>,
        find: impl FnOnce(&'a EvacMap<K, V, S>) -> Option<(&'a K, &'a V)>,
    ) -> Option<Self> {
        // SAFETY: the references `find` returns are stored beside `guard`
        // and never used after it drops (G1).
        let (key, value) = find(unsafe { stretch_read(&guard) })?;
        Some(KeyValue {
            key,
            value,
            _guard: guard,
        })
    }
}

/// A shared key and a unique value inside a write-locked shard.
pub(crate) struct KeyValueMut<'a, K, V, G> {
    key: &'a K,
    value: &'a mut V,
    /// Keeps the shard locked (G1). Declared last: drops last.
    _guard: G,
}

impl<K, V, G> KeyValueMut<'_, K, V, G> {
    pub(crate) fn key(&self) -> &K {
        self.key
    }

    pub(crate) fn value(&self) -> &V {
        self.value
    }

    pub(crate) fn value_mut(&mut self) -> &mut V {
        self.value
    }
}

impl<'a, K, V, S> KeyValueMut<'a, K, V, WriteGuard<'a, K, V, S>> {
    /// Narrows a write guard to the entry `find` returns.
    pub(crate) fn find(
        mut guard: WriteGuard<'a, K, V, S>,
        find: impl FnOnce(&'a mut EvacMap<K, V, S>) -> Option<(&'a K, &'a mut V)>,
    ) -> Option<Self> {
        // SAFETY: the references `find` returns are stored beside `guard`,
        // which is not touched again until it drops after them (G1).
        let (key, value) = find(unsafe { stretch_write(&mut guard) })?;
        Some(KeyValueMut {
            key,
            value,
            _guard: guard,
        })
    }
}

/// An occupied entry of a write-locked shard.
pub(crate) struct LockedOccupied<'a, K, V, S> {
    entry: map::OccupiedEntry<'a, K, V>,
    /// Keeps the shard locked (G1). Declared last: drops last.
    guard: WriteGuard<'a, K, V, S>,
}

/// A vacant entry of a write-locked shard.
pub(crate) struct LockedVacant<'a, K, V, S> {
    entry: map::VacantEntry<'a, K, V, S>,
    /// Keeps the shard locked (G1). Declared last: drops last.
    guard: WriteGuard<'a, K, V, S>,
}

/// `EvacMap::entry` on a write-locked shard.
pub(crate) enum LockedEntry<'a, K, V, S> {
    Occupied(LockedOccupied<'a, K, V, S>),
    Vacant(LockedVacant<'a, K, V, S>),
}

impl<'a, K: Hash + Eq, V, S: BuildHasher> LockedEntry<'a, K, V, S> {
    /// The entry for `key` (with `hash`, its hash under the map's hasher)
    /// in the map behind `guard`: a write, with its evacuation work.
    pub(crate) fn new(mut guard: WriteGuard<'a, K, V, S>, hash: u64, key: K) -> Self {
        // SAFETY: the entry is stored beside `guard`, which is not touched
        // again until it drops after the entry (G1).
        let map = unsafe { stretch_write(&mut guard) };
        match map.entry_hashed(hash, key) {
            MapEntry::Occupied(entry) => LockedEntry::Occupied(LockedOccupied { entry, guard }),
            MapEntry::Vacant(entry) => LockedEntry::Vacant(LockedVacant { entry, guard }),
        }
    }
}

impl<'a, K, V, S> LockedOccupied<'a, K, V, S> {
    pub(crate) fn key(&self) -> &K {
        self.entry.key()
    }

    pub(crate) fn get(&self) -> &V {
        self.entry.get()
    }

    pub(crate) fn get_mut(&mut self) -> &mut V {
        self.entry.get_mut()
    }

    pub(crate) fn insert(&mut self, value: V) -> V {
        self.entry.insert(value)
    }

    /// Removes the entry; the lock is released after.
    pub(crate) fn remove_entry(self) -> (K, V) {
        let LockedOccupied { entry, guard } = self;
        let kv = entry.remove_entry();
        drop(guard);
        kv
    }

    /// The entry's key and value, the shard still locked.
    pub(crate) fn into_key_value(self) -> KeyValueMut<'a, K, V, WriteGuard<'a, K, V, S>> {
        let LockedOccupied { entry, guard } = self;
        let (key, value) = entry.into_key_value();
        KeyValueMut {
            key,
            value,
            _guard: guard,
        }
    }
}

impl<'a, K: Hash, V, S: BuildHasher> LockedVacant<'a, K, V, S> {
    pub(crate) fn key(&self) -> &K {
        self.entry.key()
    }

    pub(crate) fn into_key(self) -> K {
        self.entry.into_key()
    }

    /// Inserts, keeping the shard locked.
    pub(crate) fn insert(self, value: V) -> KeyValueMut<'a, K, V, WriteGuard<'a, K, V, S>> {
        let LockedVacant { entry, guard } = self;
        let (key, value) = entry.insert_entry(value).into_key_value();
        KeyValueMut {
            key,
            value,
            _guard: guard,
        }
    }
}

/// Iteration over one read-locked shard: each item holds an `Rc` of the
/// shard's guard, so the shard stays locked until the iterator and every
/// item it gave out are gone.
pub(crate) struct ShardIter<'a, K, V, S> {
    iter: map::Iter<'a, K, V>,
    /// Keeps the shard locked (G1). Declared last: drops last.
    guard: Rc<ReadGuard<'a, K, V, S>>,
}

impl<'a, K, V, S> ShardIter<'a, K, V, S> {
    pub(crate) fn new(guard: ReadGuard<'a, K, V, S>) -> Self {
        // SAFETY: the iterator is stored beside the guard's `Rc`, and every
        // reference it yields is stored beside a clone of that `Rc` (G1).
        let iter = unsafe { stretch_read(&guard) }.iter();
        ShardIter {
            iter,
            guard: Rc::new(guard),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.iter.len()
    }

    #[allow(clippy::type_complexity)]
    pub(crate) fn next(&mut self) -> Option<KeyValue<'a, K, V, Rc<ReadGuard<'a, K, V, S>>>> {
        let (key, value) = self.iter.next()?;
        Some(KeyValue {
            key,
            value,
            _guard: Rc::clone(&self.guard),
        })
    }
}

/// Mutable iteration over one write-locked shard (see [`ShardIter`]).
pub(crate) struct ShardIterMut<'a, K, V, S> {
    iter: map::IterMut<'a, K, V>,
    /// Keeps the shard locked (G1). Declared last: drops last.
    guard: Rc<WriteGuard<'a, K, V, S>>,
}

impl<'a, K, V, S> ShardIterMut<'a, K, V, S> {
    pub(crate) fn new(mut guard: WriteGuard<'a, K, V, S>) -> Self {
        // SAFETY: the iterator is stored beside the guard's `Rc`, every
        // reference it yields beside a clone of it, and the guard is never
        // dereferenced again before it drops (G1). `IterMut` yields each
        // value once, so the `&mut V`s never alias.
        let iter = unsafe { stretch_write(&mut guard) }.iter_mut();
        ShardIterMut {
            iter,
            guard: Rc::new(guard),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.iter.len()
    }

    #[allow(clippy::type_complexity)]
    pub(crate) fn next(&mut self) -> Option<KeyValueMut<'a, K, V, Rc<WriteGuard<'a, K, V, S>>>> {
        let (key, value) = self.iter.next()?;
        Some(KeyValueMut {
            key,
            value,
            _guard: Rc::clone(&self.guard),
        })
    }
}
