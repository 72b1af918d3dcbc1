//! One shard of a [`ShardedEvacMap`](super::ShardedEvacMap): its lock, the
//! lock-free mirrors of its map's `len`, `growing` and `holds_old`
//! (invariant S2), and the write guard that keeps the mirrors exact.

use core::ops::{Deref, DerefMut};
use std::sync::{PoisonError, TryLockError};
use std::time::Instant;

use crate::EvacMap;
use crate::instruments::LogHistogram;
use crate::sync::{AtomicBool, AtomicUsize, Ordering, RwLock, RwLockWriteGuard};

/// What a shard's lock protects: the map, and the write-lock hold times
/// when lock timing is on.
pub(crate) struct Locked<K, V, S> {
    pub(crate) map: EvacMap<K, V, S>,
    pub(crate) hold: Option<LogHistogram>,
}

/// One shard. `len`, `growing` and `holds_old` mirror the map, stored by
/// every write-lock holder before it releases the lock, so that `len()`,
/// `is_evacuating()` and `maintain` read them without locking. Aligned so that
/// two shards' hot words never share a cache line (two lines: adjacent-line
/// prefetch).
#[repr(align(128))]
pub(crate) struct Shard<K, V, S> {
    pub(super) lock: RwLock<Locked<K, V, S>>,
    pub(super) len: AtomicUsize,
    pub(super) growing: AtomicBool,
    pub(super) holds_old: AtomicBool,
}

impl<K, V, S> Shard<K, V, S> {
    /// A shard holding `map`, with lock-hold timing if `timed`; the mirrors
    /// start equal to the map's state (S2).
    pub(super) fn new(map: EvacMap<K, V, S>, timed: bool) -> Self {
        Shard {
            len: AtomicUsize::new(map.len()),
            growing: AtomicBool::new(map.is_evacuating()),
            holds_old: AtomicBool::new(map.holds_old_memory()),
            lock: RwLock::new(Locked {
                map,
                hold: timed.then(LogHistogram::new),
            }),
        }
    }

    /// Locks the shard for writing if no one holds it, without blocking.
    pub(super) fn try_write(&self) -> Option<WriteGuard<'_, K, V, S>> {
        let guard = match self.lock.try_write() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        let since = guard.hold.is_some().then(Instant::now);
        Some(WriteGuard {
            guard,
            shard: self,
            since,
        })
    }

    /// The shard's map, consuming the shard.
    pub(super) fn into_map(self) -> EvacMap<K, V, S> {
        self.lock
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .map
    }

    /// Locks the shard for writing (lock-hold timing starts). A poisoned
    /// lock is taken as is: `EvacMap` is consistent after a panic.
    pub(super) fn write(&self) -> WriteGuard<'_, K, V, S> {
        let guard = self.lock.write().unwrap_or_else(PoisonError::into_inner);
        let since = guard.hold.is_some().then(Instant::now);
        WriteGuard {
            guard,
            shard: self,
            since,
        }
    }
}

/// A shard's write guard. On release it stores the map's `len` and
/// `growing` into the shard's lock-free mirrors (still under the lock, so
/// the stores are ordered like the writes) and records how long the lock
/// was held when timing is on. Every write-lock acquisition goes through it.
pub(crate) struct WriteGuard<'a, K, V, S> {
    guard: RwLockWriteGuard<'a, Locked<K, V, S>>,
    shard: &'a Shard<K, V, S>,
    since: Option<Instant>,
}

impl<K, V, S> Deref for WriteGuard<'_, K, V, S> {
    type Target = EvacMap<K, V, S>;
    fn deref(&self) -> &EvacMap<K, V, S> {
        &self.guard.map
    }
}

impl<K, V, S> DerefMut for WriteGuard<'_, K, V, S> {
    fn deref_mut(&mut self) -> &mut EvacMap<K, V, S> {
        &mut self.guard.map
    }
}

impl<K, V, S> Drop for WriteGuard<'_, K, V, S> {
    fn drop(&mut self) {
        let locked = &mut *self.guard;
        self.shard.len.store(locked.map.len(), Ordering::Relaxed);
        self.shard
            .growing
            .store(locked.map.is_evacuating(), Ordering::Relaxed);
        self.shard
            .holds_old
            .store(locked.map.holds_old_memory(), Ordering::Relaxed);
        if let (Some(since), Some(hold)) = (self.since, locked.hold.as_mut()) {
            hold.record(u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX));
        }
    }
}
