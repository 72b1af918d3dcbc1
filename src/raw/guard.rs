//! Lock guards narrowed to one entry: what `ShardedEvacMap::get` and
//! `get_mut` return. std's `RwLockReadGuard::map` is not stable (and loom's
//! guards have no `map`), so the narrowing keeps the guard and a pointer to
//! the entry, derived from the guard, side by side.
//!
//! # Why this is sound (invariant G1)
//!
//! **G1.** A `Mapped` is only built from a guard whose target lives in the
//! lock, not in the guard value: moving the guard does not move the target,
//! and the target cannot be changed by anyone else (a read guard excludes
//! writers; a write guard excludes everyone) nor freed (the guard borrows
//! the lock for its lifetime) while the guard lives. So a pointer derived
//! from `&*guard` or `&mut *guard` stays valid, and keeps the access it was
//! derived with, until the guard drops. The fields are private and the
//! guard is dropped after the pointers are last used (struct fields drop
//! after any borrow of `self` ends).

use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

/// A lock guard plus shared pointers to one key and value inside its target.
pub(crate) struct MappedRead<G, K, V> {
    key: NonNull<K>,
    value: NonNull<V>,
    /// Keeps the lock held (G1). Never dereferenced after construction.
    _guard: G,
    _borrows: PhantomData<(*const K, *const V)>,
}

impl<G: Deref, K, V> MappedRead<G, K, V> {
    /// Narrows `guard` to the entry `find` returns, or gives `None` (and
    /// releases the lock) if `find` finds nothing. `guard` must be a lock
    /// guard (G1); the callers are the sharded map's read paths.
    #[inline]
    pub(crate) fn new(guard: G, find: impl FnOnce(&G::Target) -> Option<(&K, &V)>) -> Option<Self> {
        let (key, value) = find(&guard)?;
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
        // SAFETY: as in `key` (G1).
        unsafe { self.value.as_ref() }
    }
}

/// A write-lock guard plus a shared pointer to one key and a unique pointer
/// to its value inside the guard's target.
pub(crate) struct MappedWrite<G, K, V> {
    key: NonNull<K>,
    value: NonNull<V>,
    /// Keeps the lock held (G1). Never dereferenced before it drops.
    _guard: G,
    _borrows: PhantomData<(*const K, *mut V)>,
}

impl<G: DerefMut, K, V> MappedWrite<G, K, V> {
    /// Narrows a write guard to the entry `find` returns (see
    /// [`MappedRead::new`]).
    #[inline]
    pub(crate) fn new(
        mut guard: G,
        find: impl FnOnce(&mut G::Target) -> Option<(&K, &mut V)>,
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
        // SAFETY: G1, as in `key`; `&self` excludes `value_mut` for the
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
