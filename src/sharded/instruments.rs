//! [`ShardedInstruments`]: the one view through which a sharded map's or
//! set's instruments are read, over all shards.

use core::fmt;

use super::ShardedEvacMap;
#[cfg(doc)]
use crate::Policy;
use crate::instruments::{Percentiles, Stats};

/// A sharded map's or set's instruments, borrowed: the counters of all
/// shards added up and per shard, and the write-lock hold times. Made by
/// `instruments()`; each reading read-locks the shards in turn, so it is
/// not a point-in-time snapshot (the [`probe`](ShardedEvacMap::probe) gives
/// consistent ones per shard).
///
/// # Examples
///
/// ```
/// let set: evacmap::ShardedEvacSet<u32> = (0..1000).collect();
/// assert_eq!(set.instruments().stats().len, 1000);
/// ```
pub struct ShardedInstruments<'a, K, V, S> {
    pub(super) map: &'a ShardedEvacMap<K, V, S>,
}

impl<K, V, S> ShardedInstruments<'_, K, V, S> {
    /// The counters of all shards added up (see [`Stats`]): counts and bytes
    /// are sums, `max_*` and `last_growth_*` the largest shard's, and
    /// `peak_bytes_allocated` the sum of the shards' peaks (an upper bound).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::new();
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    /// }
    /// assert_eq!(map.instruments().stats().len, 1000);
    /// ```
    pub fn stats(&self) -> Stats {
        Stats::combine(self.shard_stats())
    }

    /// Each shard's counters, in shard order.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = evacmap::sharded::ShardedEvacMap::builder().shards(4).build();
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    /// }
    /// let per_shard = map.instruments().shard_stats();
    /// assert_eq!(per_shard.len(), 4);
    /// assert_eq!(per_shard.iter().map(|s| s.len).sum::<u64>(), 1000);
    /// ```
    pub fn shard_stats(&self) -> Vec<Stats> {
        self.map.shards().map(|s| s.instruments().stats()).collect()
    }

    /// Write-lock hold times over all shards, in nanoseconds (p50 … max),
    /// or `None` unless the policy has
    /// [`with_timing(true)`](Policy::with_timing) or
    /// [`with_lock_timing(true)`](ShardedEvacMap::with_lock_timing) was
    /// called. Every write-lock acquisition is timed, from when it is granted
    /// until it is released: writes, `get_mut` guards, `update`,
    /// `with_entry`, `retain`, `clear` and maintenance steps.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{Policy, sharded::ShardedEvacMap};
    ///
    /// let map = ShardedEvacMap::with_policy(Policy::default().with_timing(true));
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    /// }
    /// let hold = map.instruments().lock_hold().unwrap();
    /// assert!(hold.count >= 1000 && hold.max_ns >= hold.p50_ns);
    /// ```
    pub fn lock_hold(&self) -> Option<Percentiles> {
        self.map.lock_hold()
    }
}

impl<K, V, S> fmt::Debug for ShardedInstruments<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShardedInstruments")
            .field("stats", &self.stats())
            .finish()
    }
}
