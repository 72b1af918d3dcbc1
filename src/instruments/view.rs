//! [`Instruments`]: the one view through which a map's or a set's
//! instruments are read, the same for [`EvacMap`](crate::EvacMap) and
//! [`EvacSet`](crate::EvacSet) (made by their `instruments()`), so that
//! the two cannot drift apart. The sharded collections have their own,
//! [`ShardedInstruments`](crate::sharded::ShardedInstruments), over all
//! their shards. Publishing to probes needs the map itself (`probe`,
//! `publish` take `&mut self`) and stays on the collections.

use core::fmt;

use crate::instruments::{ChainLengths, Event, PauseBuckets, PausePercentiles, Stats, TimingStats};
use crate::layout::{BucketLayout, DefaultLayout};
use crate::raw::RawTable;

/// A map's or a set's instruments, borrowed: counters ([`Stats`]), growth
/// events, pause timing, chain lengths and array bytes. (A set is a map of
/// `K -> ()`.)
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, EvacSet};
///
/// let map: EvacMap<u32, u32> = (0..1000).map(|i| (i, i)).collect();
/// let set: EvacSet<u32> = (0..1000).collect();
/// assert_eq!(map.instruments().stats().growths, set.instruments().stats().growths);
/// ```
pub struct Instruments<'a, K, V, L: BucketLayout = DefaultLayout> {
    table: &'a RawTable<K, V, L>,
}

impl<'a, K, V, L: BucketLayout> Instruments<'a, K, V, L> {
    pub(crate) fn of(table: &'a RawTable<K, V, L>) -> Self {
        Instruments { table }
    }

    /// A snapshot of the map's counters: shape now, cumulative work,
    /// per-operation maxima and residency. O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..10_000u32 {
    ///     map.insert(i, i);
    /// }
    /// map.finish_evacuation();
    /// let s = map.instruments().stats();
    /// assert_eq!(s.old_bytes_held, 0);
    /// assert_eq!(s.growths, s.growths_completed + s.forced_completions);
    /// ```
    pub fn stats(&self) -> Stats {
        self.table.stats()
    }

    /// The last `Policy::event_capacity()` growth events, oldest first.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::instruments::EventKind;
    ///
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..100u32 {
    ///     map.insert(i, i);
    /// }
    /// let events = map.instruments().events();
    /// assert!(events.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
    /// assert!(events.iter().any(|e| matches!(e.kind, EventKind::OldArrayReleased { .. })));
    /// ```
    pub fn events(&self) -> Vec<Event> {
        self.table.recorder().events()
    }

    /// Pause timing totals and the longest write, or `None` unless the
    /// policy has [`with_timing(true)`](crate::Policy::with_timing).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{EvacMap, Policy};
    ///
    /// let mut map = EvacMap::with_policy(Policy::default().with_timing(true));
    /// map.insert(1, 1);
    /// assert!(map.instruments().timing().unwrap().max_pause_ns > 0);
    /// assert!(EvacMap::<u8, u8>::new().instruments().timing().is_none());
    /// ```
    pub fn timing(&self) -> Option<TimingStats> {
        self.table.recorder().timing_stats()
    }

    /// Percentiles (p50, p99, p99.9, p99.99, max) of timed inserts and
    /// removals, or `None` unless timing is on.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{EvacMap, Policy};
    ///
    /// let mut map = EvacMap::with_policy(Policy::default().with_timing(true));
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    /// }
    /// let h = map.instruments().pause_percentiles().unwrap();
    /// assert_eq!(h.insert.count, 1000);
    /// assert_eq!(h.remove.count, 0);
    /// ```
    pub fn pause_percentiles(&self) -> Option<PausePercentiles> {
        self.table.recorder().pause_percentiles()
    }

    /// Renamed [`pause_percentiles`](Self::pause_percentiles): it gives
    /// percentiles; the histogram is [`pause_buckets`](Self::pause_buckets).
    #[deprecated(since = "0.1.0", note = "renamed `pause_percentiles`")]
    pub fn pause_histogram(&self) -> Option<PausePercentiles> {
        self.pause_percentiles()
    }

    /// The pause histograms' buckets (bounds and counts of the non-empty
    /// ones), to merge across runs or export to a metrics system, or
    /// `None` unless timing is on.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{EvacMap, Policy};
    ///
    /// let mut map = EvacMap::with_policy(Policy::default().with_timing(true));
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    /// }
    /// let b = map.instruments().pause_buckets().unwrap();
    /// assert_eq!(b.insert.iter().map(|b| b.count).sum::<u64>(), 1000);
    /// assert!(b.remove.is_empty());
    /// ```
    pub fn pause_buckets(&self) -> Option<PauseBuckets> {
        self.table.recorder().pause_buckets()
    }

    /// How long the chains are: how many chains have 1, 2, … buckets,
    /// the longest, and the chains whose first bucket is empty, as Redis's
    /// `DEBUG HTSTATS` prints. Computed now, walking every chain
    /// (O(buckets)); during a growth, the old array's unevacuated chains
    /// count too.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..10_000u32 {
    ///     map.insert(i, i);
    /// }
    /// map.finish_evacuation();
    /// let c = map.instruments().chain_lengths();
    /// assert_eq!(c.chains, map.instruments().stats().bucket_count);
    /// assert!(c.longest >= 1 && c.counts.iter().sum::<u64>() == c.chains);
    /// ```
    pub fn chain_lengths(&self) -> ChainLengths {
        self.table.chain_lengths()
    }

    /// Bytes held by the bucket arrays (new and old, including Go's
    /// preallocated overflow pool), not counting overflow buckets allocated
    /// one by one or memory owned by keys and values.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// assert_eq!(map.instruments().array_bytes(), 0);
    /// map.insert(1u64, 1u64);
    /// assert_eq!(map.instruments().array_bytes(), 8 + 8 * 8 + 8 * 8 + 8); // one bucket
    /// ```
    pub fn array_bytes(&self) -> usize {
        self.table.array_bytes()
    }
}

impl<K, V, L: BucketLayout> fmt::Debug for Instruments<'_, K, V, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instruments")
            .field("stats", &self.stats())
            .finish()
    }
}
