//! Everything a map tells about itself, in one module: counters
//! ([`Stats`]), the event ring ([`Event`]), opt-in pause timing
//! ([`TimingStats`], [`PausePercentiles`], [`PauseBuckets`]), chain lengths
//! ([`ChainLengths`]), the read-only view that gathers them
//! ([`Instruments`], from `map.instruments()`), and the cross-thread
//! readers: [`Probe`] (consistent snapshots while the owner writes) and
//! [`Sampler`] (a ring of them at a fixed interval).
//!
//! | type | what it holds | from |
//! |---|---|---|
//! | [`Instruments`] | the view of one map's or set's instruments | `EvacMap::instruments`, `EvacSet::instruments` |
//! | [`Stats`] | every counter and the table's shape, one snapshot | [`Instruments::stats`], [`Probe::snapshot`] |
//! | [`Event`], [`EventKind`], [`ForceReason`] | growth and shrink starts and ends, forced completions, frees | [`Instruments::events`], [`Probe::events_since`] |
//! | [`TimingStats`], [`Percentiles`], [`PausePercentiles`], [`PauseBuckets`], [`HistogramBucket`], [`OpKind`] | pause timing, with `Policy::with_timing(true)` | [`Instruments::timing`], [`Instruments::pause_percentiles`], [`Instruments::pause_buckets`] |
//! | [`ChainLengths`] | how long the chains are | [`Instruments::chain_lengths`] |
//! | [`Probe`], [`EventBatch`] | snapshots and events read from other threads | `EvacMap::probe` |
//! | [`Sampler`], [`SnapshotSource`] | a background ring of snapshots | [`Sampler::spawn`] |
//!
//! The sharded map's view is
//! [`ShardedInstruments`](crate::sharded::ShardedInstruments).
//!
//! The vocabulary is the crate's: a *growth* is a doubling or a same-size
//! growth (Go's `hashGrow`), a *shrink* is evacuation into a smaller
//! array, and *evacuation* is either (see [`Phase`](crate::Phase)).

mod events;
#[cfg(not(evacmap_loom))]
pub(crate) mod periodic;
pub(crate) mod probe;
#[cfg(not(evacmap_loom))]
mod sampler;
mod stats;
mod timing;
mod view;

pub(crate) use events::EventLog;
pub use events::{Event, EventKind, ForceReason};
pub(crate) use probe::Shared;
pub use probe::{EventBatch, Probe};
#[cfg(not(evacmap_loom))]
pub use sampler::{DEFAULT_SAMPLE_INTERVAL, Sampler, SnapshotSource};
pub use stats::{ChainLengths, Stats};
pub(crate) use stats::{Counters, EvacuationEnd, now_ns};
pub use timing::{
    HistogramBucket, OpKind, PauseBuckets, PausePercentiles, Percentiles, TimingStats,
};

/// Renamed [`PausePercentiles`]: it holds percentiles; the histogram is
/// [`PauseBuckets`].
#[deprecated(since = "0.1.0", note = "renamed `PausePercentiles`")]
pub type PauseHistogram = PausePercentiles;
pub(crate) use timing::{LogHistogram, OpStart, Source, Timing};
pub use view::Instruments;
