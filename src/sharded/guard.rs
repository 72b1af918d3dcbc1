//! Lock guards narrowed to one entry: what `ShardedEvacMap::get` and
//! `get_mut` return. std's `RwLockReadGuard::map` is not stable (and loom's
//! guards have no `map`), so the narrowing keeps the guard and a pointer to
//! the entry, derived from the guard, side by side. The only `unsafe` code
//! of the sharded map.
//!
//! # Why this is sound (invariant G1)
//!
//! **G1.** A `MappedRead` holds a shard's read guard and a `MappedWrite` a
//! shard's [`WriteGuard`]; nothing else can be passed to their
//! constructors (the types are the lock's own guard and the sharded map's
//! private write guard, which only `ShardedEvacMap::write_shard` makes).
//! Both guards' targets live in the lock, not in the guard value: moving
//! the guard does not move the target, and the target cannot be changed by
//! anyone else (a read guard excludes writers; a write guard excludes
//! everyone) nor freed (the guard borrows the lock for `'a`) while the
//! guard lives. So a pointer derived from `&*guard` or `&mut *guard` stays
//! valid, and keeps the access it was derived with, until the guard drops.
//! The fields are private and the guard is dropped after the pointers are
//! last used (struct fields drop after any borrow of `self` ends).
#![allow(unsafe_code)]

use core::marker::PhantomData;
use core::ptr::NonNull;

use super::shard::{Locked, WriteGuard};
use crate::EvacMap;
use crate::sync::RwLockReadGuard;

/// A shard's read guard plus shared pointers to one key and value inside
/// the shard's map.
pub(crate) struct MappedRead<'a, K, V, S> {
    key: NonNull<K>,
    value: NonNull<V>,
    /// Keeps the lock held (G1). Never dereferenced after construction.
    _guard: RwLockReadGuard<'a, Locked<K, V, S>>,
    _borrows: PhantomData<(&'a K, &'a V)>,
}

impl<'a, K, V, S> MappedRead<'a, K, V, S> {
    /// Narrows `guard` to the entry `find` returns, or gives `None` (and
    /// releases the lock) if `find` finds nothing.
    #[inline]
    pub(crate) fn new(
        guard: RwLockReadGuard<'a, Locked<K, V, S>>,
        find: impl FnOnce(&EvacMap<K, V, S>) -> Option<(&K, &V)>,
    ) -> Option<Self> {
        let (key, value) = find(&guard.map)?;
        let (key, value) = (NonNull::from(key), NonNull::from(value));
        Some(MappedRead {
            key,
            value,
            _guard: guard,
            _borrows: PhantomData,
        })
    }

    /// The key.
    #[inline]
    pub(crate) fn key(&self) -> &K {
        // SAFETY: G1: `key` was derived from a shared borrow of the guard's
        // target, which stays in place and unchanged while `_guard` lives,
        // and `_guard` lives as long as `self`.
        unsafe { self.key.as_ref() }
    }

    /// The value.
    #[inline]
    pub(crate) fn value(&self) -> &V {
        // SAFETY: G1, as for `key`: derived from a shared borrow of the
        // target, valid while `_guard` (owned by `self`) lives.
        unsafe { self.value.as_ref() }
    }
}

/// A shard's write guard plus a shared pointer to one key and a unique
/// pointer to its value inside the shard's map.
pub(crate) struct MappedWrite<'a, K, V, S> {
    key: NonNull<K>,
    value: NonNull<V>,
    /// Keeps the lock held (G1). Never dereferenced before it drops.
    _guard: WriteGuard<'a, K, V, S>,
    _borrows: PhantomData<(&'a K, &'a mut V)>,
}

impl<'a, K, V, S> MappedWrite<'a, K, V, S> {
    /// Narrows a write guard to the entry `find` returns (see
    /// [`MappedRead::new`]).
    #[inline]
    pub(crate) fn new(
        mut guard: WriteGuard<'a, K, V, S>,
        find: impl FnOnce(&mut EvacMap<K, V, S>) -> Option<(&K, &mut V)>,
    ) -> Option<Self> {
        let (key, value) = find(&mut guard)?;
        let (key, value) = (NonNull::from(key), NonNull::from(value));
        Some(MappedWrite {
            key,
            value,
            _guard: guard,
            _borrows: PhantomData,
        })
    }

    /// The key.
    #[inline]
    pub(crate) fn key(&self) -> &K {
        // SAFETY: G1: `key` was derived from the guard's target, which no one
        // else can reach while `_guard` lives; it is only ever read.
        unsafe { self.key.as_ref() }
    }

    /// The value.
    #[inline]
    pub(crate) fn value(&self) -> &V {
        // SAFETY: G1, as for `key`; `&self` excludes `value_mut` for the
        // lifetime of the returned reference.
        unsafe { self.value.as_ref() }
    }

    /// The value, mutably.
    #[inline]
    pub(crate) fn value_mut(&mut self) -> &mut V {
        // SAFETY: G1: `value` was derived from a unique borrow of the
        // guard's target, which no one else can reach while `_guard` lives;
        // `&mut self` makes this the only live reference derived from it.
        unsafe { self.value.as_mut() }
    }
}
