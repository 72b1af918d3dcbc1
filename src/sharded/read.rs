//! Read locking with a bounded spin before blocking (see [`READ_SPIN`]).

use std::sync::PoisonError;
use std::time::Duration;
#[cfg(not(evacmap_loom))]
use std::time::Instant;

use crate::sync::{RwLock, RwLockReadGuard};

/// How long a reader spins on a write-locked shard before it blocks. A
/// write under Go's policy holds its shard for one insert plus a bounded
/// evacuation step, a few microseconds; a reader that blocks on the lock's
/// futex instead waits for a wake-up, which costs more than that on a
/// virtual machine. The spin is bounded, so a writer that is descheduled
/// while it holds the lock costs a reader at most `READ_SPIN` of CPU
/// before it sleeps. `docs/results.md` ("Concurrent readers and one
/// writer") has the readers' tail and the lock hold times with this spin,
/// and the command that measures them.
pub const READ_SPIN: Duration = Duration::from_micros(50);

/// Locks `lock` for reading: spins on `try_read` for up to [`READ_SPIN`]
/// before blocking (see there). A poisoned lock is taken as is.
pub(super) fn read_spinning<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    // loom models the blocking path only (a spin loop there must yield).
    #[cfg(not(evacmap_loom))]
    {
        use std::sync::TryLockError;
        let mut since: Option<Instant> = None;
        for spins in 1u32.. {
            match lock.try_read() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
            // Read the clock every 64 attempts (about 1 µs).
            if spins % 64 == 0 && since.get_or_insert_with(Instant::now).elapsed() > READ_SPIN {
                break;
            }
            core::hint::spin_loop();
        }
    }
    lock.read().unwrap_or_else(PoisonError::into_inner)
}
