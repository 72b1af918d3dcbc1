//! [`ShardedProbe`]: the probes of every shard, added up.

#[cfg(doc)]
use super::ShardedEvacMap;
use crate::instruments::{Probe, Stats};

/// Probes of every shard of a [`ShardedEvacMap`]; see
/// [`ShardedEvacMap::probe`]. A [`Sampler`](crate::instruments::Sampler) can sample it.
#[derive(Clone, Debug)]
pub struct ShardedProbe {
    pub(super) shards: Vec<Probe>,
}

impl ShardedProbe {
    /// The shards' last published counters, added up as in
    /// [`ShardedInstruments::stats`](crate::sharded::ShardedInstruments::stats). Each shard's part is a whole publication;
    /// the sum is not a point-in-time snapshot across shards.
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::sharded::ShardedEvacMap<u8, u8> =
    ///     evacmap::sharded::ShardedEvacMap::new();
    /// assert_eq!(map.probe().snapshot().len, 0);
    /// ```
    pub fn snapshot(&self) -> Stats {
        Stats::combine(self.shards.iter().map(Probe::snapshot))
    }

    /// Each shard's probe, in shard order (for its events).
    ///
    /// # Examples
    ///
    /// ```
    /// let map: evacmap::sharded::ShardedEvacMap<u8, u8> =
    ///     evacmap::sharded::ShardedEvacMap::builder().shards(4).build();
    /// assert_eq!(map.probe().shards().len(), 4);
    /// ```
    pub fn shards(&self) -> &[Probe] {
        &self.shards
    }
}

#[cfg(not(evacmap_loom))]
impl crate::instruments::SnapshotSource for ShardedProbe {
    fn snapshot(&self) -> Stats {
        ShardedProbe::snapshot(self)
    }
}
