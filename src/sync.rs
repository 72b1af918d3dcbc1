//! The synchronisation primitives the probe and the sharded map are built
//! on: std's, or loom's under `--cfg evacmap_loom` (with the `loom`
//! feature), so that `loom-tests/` can model-check the probe's publication
//! protocol and the sharded map's locking.

#[cfg(evacmap_loom)]
pub(crate) use loom::sync::Arc;
#[cfg(evacmap_loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(evacmap_loom)]
pub(crate) use loom::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

#[cfg(not(evacmap_loom))]
pub(crate) use std::sync::Arc;
#[cfg(not(evacmap_loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(not(evacmap_loom))]
pub(crate) use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Lets a reader's retry loop make progress: under loom it hands control to
/// the other threads (loom requires spin loops to yield).
#[inline]
pub(crate) fn spin_wait() {
    #[cfg(evacmap_loom)]
    loom::thread::yield_now();
    #[cfg(not(evacmap_loom))]
    std::hint::spin_loop();
}

/// Lets other threads take a lock just released (the sharded map's
/// maintenance does this between bounded steps): under loom a scheduling
/// point, otherwise `std::thread::yield_now`.
#[inline]
pub(crate) fn yield_now() {
    #[cfg(evacmap_loom)]
    loom::thread::yield_now();
    #[cfg(not(evacmap_loom))]
    std::thread::yield_now();
}
