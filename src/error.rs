//! [`TryReserveError`].

use core::alloc::Layout;
use core::fmt;

/// The error [`EvacMap::try_reserve`](crate::EvacMap::try_reserve) returns
/// instead of aborting.
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, TryReserveError};
///
/// let mut map: EvacMap<u64, u64> = EvacMap::new();
/// assert_eq!(map.try_reserve(usize::MAX), Err(TryReserveError::CapacityOverflow));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TryReserveError {
    /// The requested capacity needs more buckets than can be addressed.
    CapacityOverflow,
    /// The allocator refused a bucket array of this layout.
    AllocError {
        /// The layout that could not be allocated.
        layout: Layout,
    },
}

impl TryReserveError {
    /// What the infallible paths do with the error: panic on overflow (as
    /// std does) and report allocation failure to the global handler.
    #[cold]
    #[track_caller]
    pub(crate) fn raise(self) -> ! {
        match self {
            TryReserveError::CapacityOverflow => panic!("evacmap: capacity overflow"),
            TryReserveError::AllocError { layout } => std::alloc::handle_alloc_error(layout),
        }
    }
}

impl fmt::Display for TryReserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryReserveError::CapacityOverflow => {
                f.write_str("memory allocation failed because the computed capacity exceeded the collection's maximum")
            }
            TryReserveError::AllocError { layout } => {
                write!(f, "memory allocation of {} bytes failed", layout.size())
            }
        }
    }
}

impl std::error::Error for TryReserveError {}
