//! Opt-in pause timing (`Policy::with_timing(true)`): every write is timed
//! with `Instant`, into a log-scaled histogram per operation kind, and the
//! three pause sources (evacuation, allocating, freeing a bucket array) are
//! timed separately. With timing off none of this runs: the map holds a
//! `None` and checks it once per write.

use std::time::Instant;

/// Sub-buckets per power of two: relative resolution 1/16 (6.25%).
const SUB_BITS: u32 = 4;
const SUB: usize = 1 << SUB_BITS;
/// Enough buckets for every `u64`.
const BUCKETS: usize = (64 - SUB_BITS as usize + 1) * SUB;

/// A log-linear histogram of nanosecond values (like HDR histograms with
/// 4 significant bits): fixed size, no allocation after construction.
#[derive(Clone)]
pub(crate) struct LogHistogram {
    counts: Box<[u64; BUCKETS]>,
    total: u64,
    max: u64,
}

impl LogHistogram {
    pub(crate) fn new() -> Self {
        LogHistogram {
            counts: Box::new([0; BUCKETS]),
            total: 0,
            max: 0,
        }
    }

    /// Bucket of `v`: values below 16 are exact; above, the top 5 bits
    /// (leading one + 4 more) pick the bucket.
    fn index(v: u64) -> usize {
        if v < SUB as u64 {
            return v as usize;
        }
        let msb = 63 - v.leading_zeros(); // >= SUB_BITS
        let shift = msb - SUB_BITS;
        let sub = ((v >> shift) as usize) & (SUB - 1);
        (shift as usize + 1) * SUB + sub
    }

    /// Largest value that falls in bucket `i`.
    fn upper(i: usize) -> u64 {
        if i < SUB {
            return i as u64;
        }
        let shift = (i / SUB - 1) as u32;
        let sub = (i % SUB) as u64;
        (((SUB as u64 | sub) + 1) << shift) - 1
    }

    pub(crate) fn record(&mut self, v: u64) {
        self.counts[Self::index(v)] += 1;
        self.total += 1;
        self.max = self.max.max(v);
    }

    /// Adds `other`'s samples (the sharded map merges its shards' lock-hold
    /// histograms).
    pub(crate) fn merge(&mut self, other: &Self) {
        for (c, o) in self.counts.iter_mut().zip(other.counts.iter()) {
            *c += o;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// The value at or below which a fraction `q` of the samples lie
    /// (bucket upper bound, capped at the exact maximum).
    fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::upper(i).min(self.max);
            }
        }
        self.max
    }

    /// The non-empty buckets, in value order.
    pub(crate) fn buckets(&self) -> Vec<HistogramBucket> {
        self.counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(i, &count)| HistogramBucket {
                lower_ns: if i == 0 { 0 } else { Self::upper(i - 1) + 1 },
                upper_ns: Self::upper(i),
                count,
            })
            .collect()
    }

    pub(crate) fn percentiles(&self) -> Percentiles {
        Percentiles {
            count: self.total,
            p50_ns: self.quantile(0.50),
            p99_ns: self.quantile(0.99),
            p999_ns: self.quantile(0.999),
            p9999_ns: self.quantile(0.9999),
            max_ns: self.max,
        }
    }
}

/// Percentiles of the timed operations of one kind, in nanoseconds; from a
/// log-linear histogram, so within 6.25% above the exact value (the maximum
/// is exact).
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, Policy};
///
/// let mut map = EvacMap::with_policy(Policy::default().with_timing(true));
/// for i in 0..10_000u32 {
///     map.insert(i, i);
/// }
/// let h = map.instruments().pause_percentiles().unwrap();
/// assert_eq!(h.insert.count, 10_000);
/// assert!(h.insert.p50_ns <= h.insert.p99_ns && h.insert.p99_ns <= h.insert.max_ns);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Percentiles {
    /// Operations timed.
    pub count: u64,
    /// Median.
    pub p50_ns: u64,
    /// 99th percentile.
    pub p99_ns: u64,
    /// 99.9th percentile.
    pub p999_ns: u64,
    /// 99.99th percentile.
    pub p9999_ns: u64,
    /// Largest (exact).
    pub max_ns: u64,
}

/// Pause percentiles per operation kind; see
/// [`Instruments::pause_percentiles`](crate::instruments::Instruments::pause_percentiles).
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, Policy};
///
/// let mut map = EvacMap::with_policy(Policy::default().with_timing(true));
/// map.insert(1, 1);
/// map.remove(&1);
/// let h = map.instruments().pause_percentiles().unwrap();
/// assert_eq!((h.insert.count, h.remove.count), (1, 1));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct PausePercentiles {
    /// Inserts (`insert`, and `entry` with what follows on the entry).
    pub insert: Percentiles,
    /// Removals (`remove`, `remove_entry`).
    pub remove: Percentiles,
}

/// One bucket of a pause histogram: `count` operations took between
/// `lower_ns` and `upper_ns` nanoseconds (both inclusive). Bucket bounds are
/// the same in every histogram (4 significant bits: widths of 1/16 of the
/// value), so buckets from different runs or maps merge by adding the
/// counts of equal bounds ([`PauseBuckets::merge`]).
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, Policy};
///
/// let mut map = EvacMap::with_policy(Policy::default().with_timing(true));
/// for i in 0..100u32 {
///     map.insert(i, i);
/// }
/// let b = map.instruments().pause_buckets().unwrap();
/// assert_eq!(b.insert.iter().map(|b| b.count).sum::<u64>(), 100);
/// assert!(b.insert.iter().all(|b| b.lower_ns <= b.upper_ns));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct HistogramBucket {
    /// Smallest value of the bucket (ns).
    pub lower_ns: u64,
    /// Largest value of the bucket (ns).
    pub upper_ns: u64,
    /// Operations that fell in it.
    pub count: u64,
}

/// The buckets of the pause histograms (non-empty ones, in value order),
/// for export to a metrics system; see
/// [`Instruments::pause_buckets`](crate::instruments::Instruments::pause_buckets).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct PauseBuckets {
    /// Inserts.
    pub insert: Vec<HistogramBucket>,
    /// Removals.
    pub remove: Vec<HistogramBucket>,
}

impl PauseBuckets {
    /// Adds `other`'s counts to these (same bounds add up).
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{EvacMap, Policy};
    ///
    /// let timed = || EvacMap::<u32, u32>::with_policy(Policy::default().with_timing(true));
    /// let (mut a, mut b) = (timed(), timed());
    /// a.insert(1, 1);
    /// b.insert(2, 2);
    /// let mut all = a.instruments().pause_buckets().unwrap();
    /// all.merge(&b.instruments().pause_buckets().unwrap());
    /// assert_eq!(all.insert.iter().map(|b| b.count).sum::<u64>(), 2);
    /// ```
    pub fn merge(&mut self, other: &PauseBuckets) {
        fn merge_into(mine: &mut Vec<HistogramBucket>, theirs: &[HistogramBucket]) {
            for b in theirs {
                match mine.binary_search_by_key(&b.upper_ns, |m| m.upper_ns) {
                    Ok(i) => mine[i].count += b.count,
                    Err(i) => mine.insert(i, *b),
                }
            }
        }
        merge_into(&mut self.insert, &other.insert);
        merge_into(&mut self.remove, &other.remove);
    }
}

/// Which kind of write an operation was.
///
/// # Examples
///
/// ```
/// assert_ne!(evacmap::instruments::OpKind::Insert, evacmap::instruments::OpKind::Remove);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum OpKind {
    /// `insert` or an `entry` operation.
    #[default]
    Insert,
    /// `remove` or `remove_entry`.
    Remove,
}

/// The timing report; see [`Instruments::timing`](crate::instruments::Instruments::timing).
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, Policy};
///
/// let mut map = EvacMap::with_policy(Policy::default().with_timing(true));
/// for i in 0..100_000u32 {
///     map.insert(i, i);
/// }
/// let t = map.instruments().timing().unwrap();
/// assert!(t.max_pause_ns > 0 && t.max_pause_len < 100_000);
/// assert!(t.alloc_ns > 0 && t.evacuation_ns > 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct TimingStats {
    /// Longest write (ns).
    pub max_pause_ns: u64,
    /// Its kind.
    pub max_pause_op: OpKind,
    /// The map's `len` when it ran (before the operation).
    pub max_pause_len: u64,
    /// Total time spent evacuating old buckets (ns), inside any operation.
    pub evacuation_ns: u64,
    /// Total time spent allocating bucket arrays (ns).
    pub alloc_ns: u64,
    /// Total time spent freeing bucket arrays (ns).
    pub free_ns: u64,
    /// Wall time of the last completed growth, from its start to the
    /// release of its old array (ns): residency in time. Also in
    /// [`Stats::last_growth_wall_ns`](crate::instruments::Stats::last_growth_wall_ns),
    /// which is kept with timing off too.
    pub growth_wall_ns: u64,
}

/// When a timed write started, and the map's `len` then.
#[derive(Clone, Copy)]
pub(crate) struct OpStart {
    pub(crate) at: Instant,
    pub(crate) len: usize,
}

/// Per-map timing state, boxed behind an `Option` in the raw table.
#[derive(Clone)]
pub(crate) struct Timing {
    insert: LogHistogram,
    remove: LogHistogram,
    pub(crate) stats: TimingStats,
}

/// Which pause source a timed section belongs to.
#[derive(Clone, Copy)]
pub(crate) enum Source {
    Evacuation,
    Alloc,
    Free,
}

impl Timing {
    pub(crate) fn new() -> Box<Self> {
        Box::new(Timing {
            insert: LogHistogram::new(),
            remove: LogHistogram::new(),
            stats: TimingStats::default(),
        })
    }

    /// Records one write.
    pub(crate) fn record_op(&mut self, kind: OpKind, start: OpStart) {
        let OpStart { at, len } = start;
        let ns = u64::try_from(at.elapsed().as_nanos()).unwrap_or(u64::MAX);
        match kind {
            OpKind::Insert => self.insert.record(ns),
            OpKind::Remove => self.remove.record(ns),
        }
        if ns > self.stats.max_pause_ns {
            self.stats.max_pause_ns = ns;
            self.stats.max_pause_op = kind;
            self.stats.max_pause_len = len as u64;
        }
    }

    /// Adds the time since `start` to a pause source.
    pub(crate) fn record_source(&mut self, source: Source, start: Instant) {
        let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let total = match source {
            Source::Evacuation => &mut self.stats.evacuation_ns,
            Source::Alloc => &mut self.stats.alloc_ns,
            Source::Free => &mut self.stats.free_ns,
        };
        *total += ns;
    }

    pub(crate) fn histogram(&self) -> PausePercentiles {
        PausePercentiles {
            insert: self.insert.percentiles(),
            remove: self.remove.percentiles(),
        }
    }

    pub(crate) fn buckets(&self) -> PauseBuckets {
        PauseBuckets {
            insert: self.insert.buckets(),
            remove: self.remove.buckets(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_bound_their_values() {
        let mut v = 0u64;
        while v < u64::MAX / 3 {
            for x in [v, v + 1, v.saturating_mul(3) / 2] {
                let i = LogHistogram::index(x);
                assert!(x <= LogHistogram::upper(i), "{x} above bucket {i}");
                if i > 0 {
                    assert!(x > LogHistogram::upper(i - 1), "{x} belongs lower than {i}");
                }
                // 4 significant bits: the bucket is at most 1/16 wide.
                assert!(LogHistogram::upper(i) - x <= x / 16 + 1);
            }
            v = v * 2 + 1;
        }
        assert!(LogHistogram::index(u64::MAX) < BUCKETS);
    }

    #[test]
    fn quantiles_of_known_samples() {
        let mut h = LogHistogram::new();
        for v in 1..=1000u64 {
            h.record(v);
        }
        let p = h.percentiles();
        assert_eq!(p.count, 1000);
        assert_eq!(p.max_ns, 1000);
        assert!((500..=532).contains(&p.p50_ns), "{}", p.p50_ns);
        assert!((990..=1000).contains(&p.p99_ns), "{}", p.p99_ns);
        assert_eq!(p.p9999_ns, 1000);
    }
}
