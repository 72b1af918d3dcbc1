//! Write-lock hold timing of a [`ShardedEvacMap`]: every hold is recorded
//! by the shard's write guard (`shard.rs`) into a histogram that lives
//! under the lock it times.

use std::sync::PoisonError;

use super::ShardedEvacMap;
#[cfg(doc)]
use crate::Policy;
use crate::instruments::LogHistogram;
use crate::instruments::Percentiles;

impl<K, V, S> ShardedEvacMap<K, V, S> {
    /// Turns write-lock hold timing on or off (it starts on only when the
    /// policy has [`with_timing(true)`](Policy::with_timing)), without the
    /// per-write timing inside each shard that the policy's switch also
    /// turns on. Resets the hold histograms.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new().with_lock_timing(true);
    /// map.insert(1, 1);
    /// assert_eq!(map.instruments().lock_hold().unwrap().count, 1);
    /// ```
    #[must_use]
    pub fn with_lock_timing(self, on: bool) -> Self {
        for shard in self.shards.iter() {
            let mut locked = shard.lock.write().unwrap_or_else(PoisonError::into_inner);
            locked.hold = on.then(LogHistogram::new);
        }
        self
    }

    /// Write-lock hold times over all shards (`ShardedInstruments::lock_hold`).
    pub(super) fn lock_hold(&self) -> Option<Percentiles> {
        let mut total: Option<LogHistogram> = None;
        for i in 0..self.shards.len() {
            let locked = self.read_shard(i);
            if let Some(h) = &locked.hold {
                total.get_or_insert_with(LogHistogram::new).merge(h);
            }
        }
        total.map(|h| h.percentiles())
    }
}
