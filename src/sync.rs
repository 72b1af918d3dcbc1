//! The atomics the probe is built on: std's, or loom's under
//! `--cfg evacmap_loom` (with the `loom` feature), so that `loom-tests/` can
//! model-check the publication protocol. Only the probe uses this module.

#[cfg(evacmap_loom)]
pub(crate) use loom::sync::Arc;
#[cfg(evacmap_loom)]
pub(crate) use loom::sync::atomic::{AtomicU64, Ordering, fence};

#[cfg(not(evacmap_loom))]
pub(crate) use std::sync::Arc;
#[cfg(not(evacmap_loom))]
pub(crate) use std::sync::atomic::{AtomicU64, Ordering, fence};

/// Lets a reader's retry loop make progress: under loom it hands control to
/// the other threads (loom requires spin loops to yield).
#[inline]
pub(crate) fn spin_wait() {
    #[cfg(evacmap_loom)]
    loom::thread::yield_now();
    #[cfg(not(evacmap_loom))]
    std::hint::spin_loop();
}
