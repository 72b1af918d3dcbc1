//! [`Stats`]: the map's counters, and the crate-private [`Counters`] that the
//! raw table updates.
//!
//! Shape fields are computed when a snapshot is taken (O(1)). Cumulative and
//! per-operation counters are plain integers bumped on the write and
//! evacuation paths. The one counter on the read path,
//! `lookups_in_old_buckets`, is bumped only when a read has to look in an old
//! bucket, with a relaxed load and store (not a read-modify-write): readers
//! sharing `&EvacMap` across threads may lose increments, never corrupt
//! memory. With the `stats` feature off, the counters marked (stats) below
//! stay 0 and cost nothing.

use core::fmt;

use crate::EvacuationKind;
use std::sync::atomic::{AtomicU64, Ordering};

/// Defines `Stats` and its encoding as `[u64; WORDS]` for the probe.
macro_rules! stats_struct {
    ($($(#[$doc:meta])* $field:ident,)*) => {
        /// A snapshot of a map's counters; see [`Instruments::stats`](crate::instruments::Instruments::stats)
        /// and [`Probe::snapshot`](crate::instruments::Probe::snapshot).
        ///
        /// Counts are plain numbers, sizes are bytes, times are nanoseconds.
        /// Fields marked (stats) need the default `stats` feature and read 0
        /// without it.
        ///
        /// # Examples
        ///
        /// ```
        /// let mut map = evacmap::EvacMap::new();
        /// for i in 0..1000u32 {
        ///     map.insert(i, i);
        /// }
        /// let s = map.instruments().stats();
        /// assert_eq!(s.len, 1000);
        /// assert!(s.growths >= 6);
        /// assert!(s.old_buckets_evacuated <= s.old_bucket_count);
        /// ```
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub struct Stats {
            $($(#[$doc])* pub $field: u64,)*
        }

        impl Stats {
            /// Number of fields (words in the probe's encoding).
            pub(crate) const WORDS: usize = [$(stringify!($field)),*].len();

            /// The fields in declaration order.
            pub(crate) fn to_words(self) -> [u64; Self::WORDS] {
                [$(self.$field),*]
            }

            /// Inverse of `to_words`.
            pub(crate) fn from_words(words: [u64; Self::WORDS]) -> Self {
                let mut it = words.into_iter();
                Stats { $($field: it.next().unwrap_or_default(),)* }
            }

            /// Adds up the stats of several maps (the shards of a sharded
            /// map): counts and bytes are summed; the `max_*` and `last_*`
            /// fields take the largest value.
            /// `peak_bytes_allocated` is summed, an upper bound on the peak
            /// of the sum.
            pub(crate) fn combine(parts: impl IntoIterator<Item = Stats>) -> Stats {
                let is_max = [$(stringify!($field).starts_with("max_")
                    || stringify!($field).starts_with("last_")),*];
                let mut acc = [0u64; Self::WORDS];
                for part in parts {
                    for (i, w) in part.to_words().into_iter().enumerate() {
                        acc[i] = if is_max[i] { acc[i].max(w) } else { acc[i].saturating_add(w) };
                    }
                }
                Stats::from_words(acc)
            }

            /// `(name, value)` for every field, in declaration order (for
            /// tables and CSV).
            ///
            /// # Examples
            ///
            /// ```
            /// let s = evacmap::EvacMap::<u8, u8>::new().instruments().stats();
            /// assert!(s.fields().any(|(name, v)| name == "len" && v == 0));
            /// ```
            pub fn fields(&self) -> impl Iterator<Item = (&'static str, u64)> {
                [$((stringify!($field), self.$field)),*].into_iter()
            }
        }
    };
}

stats_struct! {
    /// Live entries.
    len,
    /// Primary buckets in the current array (`2^B`; 0 before the first insert).
    bucket_count,
    /// Overflow buckets linked into chains, in the current and the old array.
    overflow_buckets,
    /// Buckets in the old array; 0 when no growth is in progress.
    old_bucket_count,
    /// Old buckets evacuated so far in the growth in progress.
    old_buckets_evacuated,
    /// Bytes of bucket memory held now: both arrays (overflow pools
    /// included) plus overflow buckets allocated one by one.
    bytes_allocated,
    /// The part of `bytes_allocated` held by the old array: during a growth,
    /// and after it while the array's remainder (mostly its overflow pool)
    /// is given back a batch per write.
    old_bytes_held,
    /// The part of `bytes_allocated` held by the next doubling's array,
    /// allocated ahead at 7/8 of the load limit
    /// ([`Policy::with_allocate_ahead`](crate::Policy::with_allocate_ahead)):
    /// an empty array that, mapped directly, is address space with no
    /// resident page until the doubling writes to it.
    spare_bytes,
    /// Old-array memory given back before the growth (or shrink) ended, as
    /// the cursor passed it: whole pages returned to the OS on Linux
    /// (`madvise(MADV_DONTNEED)`) and overflow buckets freed. Cumulative;
    /// no longer counted in `bytes_allocated`.
    bytes_released_early,
    /// Write operations: inserts, entry lookups and removals that ran (stats).
    writes,
    /// Growths started (doubling and same-size).
    growths,
    /// Of `growths`, the same-size ones.
    same_size_growths,
    /// Growths completed by incremental work (writes, `evacuate`,
    /// `evacuate_for`), or all at once by `Policy::all_at_once()`.
    growths_completed,
    /// Growths finished all at once because the load limit was hit again
    /// during them, or because `finish_evacuation` (or `reserve`) was called.
    /// Disjoint from `growths_completed`; a growth cut short by `clear` or
    /// `drain` counts in neither. Shrinks are not counted here.
    forced_completions,
    /// Shrinks started (`shrink_to_fit`, `shrink_to`, automatic shrinking).
    shrinks,
    /// Shrinks whose old array was released after every old bucket was
    /// evacuated (incrementally or all at once); a shrink cut short by
    /// `clear` or `drain` is not counted.
    shrinks_completed,
    /// Bucket memory given back by shrinks, in bytes: at each completed
    /// shrink, the old array (and its overflow buckets) minus the new array;
    /// plus whole arrays freed by `shrink_to_fit` on an empty map.
    shrink_bytes_returned,
    /// Old buckets (chains) evacuated (stats).
    buckets_evacuated,
    /// Entries moved from old to new buckets (stats).
    entries_moved,
    /// Already-evacuated old buckets the cursor skipped over (stats).
    evacuated_buckets_skipped,
    /// Overflow buckets linked into chains, from the pool or the allocator (stats).
    overflow_allocated,
    /// Reads that had to look in an old bucket (stats; increments may be
    /// lost when several threads read through `&map` at once).
    lookups_in_old_buckets,
    /// Most entries moved by one operation (stats).
    max_entries_moved_in_one_op,
    /// Most old buckets evacuated by one operation (stats).
    max_buckets_evacuated_in_one_op,
    /// Most bucket memory allocated by one operation, in bytes (stats). An
    /// array of 64 KiB or more is mapped directly: allocating it is one
    /// system call whatever its size (its pages are zeroed by the writes
    /// that first touch them); a smaller one is zeroed by the allocator.
    max_bytes_allocated_in_one_op,
    /// Most old-array memory one operation gave back before the array's
    /// free, in bytes: pages (at most one run of
    /// `Policy::release_batch()` per region of the array) and the spilled
    /// overflow buckets of the chains it evacuated (stats).
    max_bytes_released_in_one_op,
    /// Most array memory one operation freed, in bytes: an old array's
    /// remainder at its end (a write ends a growth with at most a few runs
    /// left), or whole arrays (`finish_evacuation`, a shrink of an empty
    /// map, `reserve`) (stats).
    max_bytes_freed_in_one_op,
    /// System calls made for bucket memory (`mmap`, `munmap`, `madvise`)
    /// (stats).
    system_calls,
    /// Most system calls one operation made (`mmap`, `munmap`, `madvise`)
    /// (stats).
    max_system_calls_in_one_op,
    /// Writes that ran while an evacuation (a growth or a shrink) was in
    /// progress (stats).
    writes_during_evacuation,
    /// Writes the last completed growth took from its start to the end of
    /// its evacuation (shrinks are not growths: see `last_shrink_writes`).
    last_growth_writes,
    /// Wall time from the start of the last completed growth to the end of
    /// its evacuation (ns): residency in time.
    last_growth_wall_ns,
    /// Writes the last completed shrink took from its start to the end of
    /// its evacuation.
    last_shrink_writes,
    /// Wall time of the last completed shrink, from its start to the end
    /// of its evacuation (ns).
    last_shrink_wall_ns,
    /// Largest `bytes_allocated` ever held.
    peak_bytes_allocated,
    /// Events recorded so far (the sequence number of the next event).
    events_recorded,
}

/// What the raw table counts, behind one gate: every update is a method
/// below, and those marked (stats) in [`Stats`] compile to nothing without
/// the `stats` feature. Shape fields are not stored here: they are
/// computed from the arrays when a snapshot is taken.
#[derive(Clone, Debug)]
pub(crate) struct Counters {
    writes: u64,
    growths: u64,
    same_size_growths: u64,
    growths_completed: u64,
    forced_completions: u64,
    shrinks: u64,
    shrinks_completed: u64,
    shrink_bytes_returned: u64,
    bytes_released_early: u64,
    buckets_evacuated: u64,
    entries_moved: u64,
    evacuated_buckets_skipped: u64,
    overflow_allocated: u64,
    /// Bumped through `&self` on the read path.
    lookups_in_old_buckets: RelaxedCount,
    max_entries_moved_in_one_op: u64,
    max_buckets_evacuated_in_one_op: u64,
    max_bytes_allocated_in_one_op: u64,
    max_bytes_released_in_one_op: u64,
    max_bytes_freed_in_one_op: u64,
    system_calls: u64,
    max_system_calls_in_one_op: u64,
    writes_during_evacuation: u64,
    last_growth_writes: u64,
    last_growth_wall_ns: u64,
    last_shrink_writes: u64,
    last_shrink_wall_ns: u64,
    peak_bytes_allocated: u64,
    /// Writes of the evacuation in progress (always counted: events report
    /// it).
    current_writes: u64,
    /// Start of the evacuation in progress (ns since the process epoch).
    started_ns: u64,
    /// Operations other than writes begun (explicit evacuation, reserve).
    /// `writes + other_ops` numbers the operation in progress.
    other_ops: u64,
    /// Work done by operation number `acc_seq`; stale (and reset on first
    /// use) once a new operation begins, so beginning one is one increment.
    acc_seq: u64,
    op_entries: u64,
    op_buckets: u64,
    op_bytes: u64,
    op_released: u64,
    op_freed: u64,
    op_calls: u64,
}

/// How long a map's chains are; see
/// [`Instruments::chain_lengths`](crate::instruments::Instruments::chain_lengths).
///
/// # Examples
///
/// ```
/// let mut map = evacmap::EvacMap::new();
/// map.insert(1, 1);
/// let c = map.instruments().chain_lengths();
/// assert_eq!((c.chains, c.longest, c.counts[0]), (1, 1, 1));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ChainLengths {
    /// Chains walked: the current array's, plus the old array's not yet
    /// evacuated.
    pub chains: u64,
    /// Of those, the ones holding no entry.
    pub empty: u64,
    /// `counts[i]`: chains of `i + 1` buckets (a primary bucket and `i`
    /// overflow buckets).
    pub counts: Vec<u64>,
    /// Buckets in the longest chain (0 for a map without an array).
    pub longest: u64,
}

/// The field groups of the `Display` report, in order.
const SECTIONS: [(&str, &[&str]); 5] = [
    ("shape", &["len", "bucket_count", "overflow_buckets"]),
    (
        "growth",
        &[
            "old_bucket_count",
            "old_buckets_evacuated",
            "growths",
            "same_size_growths",
            "growths_completed",
            "forced_completions",
            "shrinks",
            "shrinks_completed",
            "events_recorded",
        ],
    ),
    (
        "residency",
        &[
            "writes_during_evacuation",
            "last_growth_writes",
            "last_growth_wall_ns",
            "last_shrink_writes",
            "last_shrink_wall_ns",
            "lookups_in_old_buckets",
        ],
    ),
    (
        "work",
        &[
            "writes",
            "buckets_evacuated",
            "entries_moved",
            "evacuated_buckets_skipped",
            "overflow_allocated",
            "max_entries_moved_in_one_op",
            "max_buckets_evacuated_in_one_op",
            "max_bytes_allocated_in_one_op",
            "max_bytes_released_in_one_op",
            "max_bytes_freed_in_one_op",
            "system_calls",
            "max_system_calls_in_one_op",
        ],
    ),
    (
        "memory",
        &[
            "bytes_allocated",
            "peak_bytes_allocated",
            "old_bytes_held",
            "spare_bytes",
            "bytes_released_early",
            "shrink_bytes_returned",
        ],
    ),
];

impl fmt::Display for Stats {
    /// A report in the spirit of Redis's `INFO`: `# section` headers, then
    /// one `key: value` line per field (every field, names as in the
    /// struct), so that it greps well. A growth in progress adds a line
    /// `growth_in_progress: evacuated/total`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    /// }
    /// let report = map.instruments().stats().to_string();
    /// assert!(report.lines().any(|l| l == "len: 1000"));
    /// assert!(report.contains("# residency"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<(&str, u64)> = self.fields().collect();
        debug_assert_eq!(
            SECTIONS.iter().map(|s| s.1.len()).sum::<usize>(),
            fields.len(),
            "every field in one section"
        );
        for (i, (section, names)) in SECTIONS.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            writeln!(f, "# {section}")?;
            if *section == "growth" && self.old_bucket_count > 0 {
                writeln!(
                    f,
                    "growth_in_progress: {}/{}",
                    self.old_buckets_evacuated, self.old_bucket_count
                )?;
            }
            for name in names.iter() {
                if let Some((_, v)) = fields.iter().find(|(n, _)| n == name) {
                    writeln!(f, "{name}: {v}")?;
                }
            }
        }
        Ok(())
    }
}

/// A counter bumped through `&self`: a relaxed load and store, not a
/// read-modify-write, so concurrent bumpers may lose counts but never cost
/// a locked instruction or corrupt memory.
#[derive(Debug)]
pub(crate) struct RelaxedCount(AtomicU64);

impl RelaxedCount {
    #[inline]
    fn bump(&self) {
        self.0
            .store(self.0.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Clone for RelaxedCount {
    fn clone(&self) -> Self {
        RelaxedCount(AtomicU64::new(self.get()))
    }
}

/// True if the `stats` feature is on.
const ON: bool = cfg!(feature = "stats");

/// How a growth or shrink ended (see [`Stats::growths_completed`] and
/// [`Stats::forced_completions`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EvacuationEnd {
    /// A growth whose cursor reached the end through incremental work, or
    /// all at once under `Policy::all_at_once()`.
    Completed,
    /// A growth finished at once before its time (`finish_evacuation`,
    /// `reserve`, `shrink_to`, or the load limit).
    Forced,
    /// A shrink, which gave back this many bytes.
    Shrunk(u64),
}

impl Counters {
    pub(crate) const fn new() -> Self {
        Counters {
            writes: 0,
            growths: 0,
            same_size_growths: 0,
            growths_completed: 0,
            forced_completions: 0,
            shrinks: 0,
            shrinks_completed: 0,
            shrink_bytes_returned: 0,
            bytes_released_early: 0,
            buckets_evacuated: 0,
            entries_moved: 0,
            evacuated_buckets_skipped: 0,
            overflow_allocated: 0,
            lookups_in_old_buckets: RelaxedCount(AtomicU64::new(0)),
            max_entries_moved_in_one_op: 0,
            max_buckets_evacuated_in_one_op: 0,
            max_bytes_allocated_in_one_op: 0,
            max_bytes_released_in_one_op: 0,
            max_bytes_freed_in_one_op: 0,
            system_calls: 0,
            max_system_calls_in_one_op: 0,
            writes_during_evacuation: 0,
            last_growth_writes: 0,
            last_growth_wall_ns: 0,
            last_shrink_writes: 0,
            last_shrink_wall_ns: 0,
            peak_bytes_allocated: 0,
            current_writes: 0,
            started_ns: 0,
            other_ops: 0,
            acc_seq: 0,
            op_entries: 0,
            op_buckets: 0,
            op_bytes: 0,
            op_released: 0,
            op_freed: 0,
            op_calls: 0,
        }
    }

    /// Starts an operation that is not a write, for the per-operation maxima.
    #[inline]
    pub(crate) fn op_begin(&mut self) {
        if ON {
            self.other_ops += 1;
        }
    }

    /// Resets the per-operation work if it belongs to an earlier operation.
    #[inline]
    fn current_op(&mut self) {
        let op = self.writes + self.other_ops;
        if self.acc_seq != op {
            self.acc_seq = op;
            self.op_entries = 0;
            self.op_buckets = 0;
            self.op_bytes = 0;
            self.op_released = 0;
            self.op_freed = 0;
            self.op_calls = 0;
        }
    }

    /// A write operation runs.
    #[inline]
    pub(crate) fn write(&mut self) {
        if ON {
            self.writes += 1; // also begins a new operation (see `current_op`)
        }
    }

    /// The write that just began runs during an evacuation.
    #[inline]
    pub(crate) fn write_in_evacuation(&mut self) {
        self.current_writes += 1;
        if ON {
            self.writes_during_evacuation += 1;
        }
    }

    /// An evacuation of `kind` started.
    pub(crate) fn evacuation_started(&mut self, kind: EvacuationKind) {
        match kind {
            EvacuationKind::Shrink => self.shrinks += 1,
            EvacuationKind::Doubling => self.growths += 1,
            EvacuationKind::SameSize => {
                self.growths += 1;
                self.same_size_growths += 1;
            }
        }
        self.current_writes = 0;
        self.started_ns = now_ns();
    }

    /// The evacuation in progress ended; returns the writes it lasted and
    /// its wall time (ns), which become the last growth's or the last
    /// shrink's.
    pub(crate) fn evacuation_ended(&mut self, end: EvacuationEnd) -> (u64, u64) {
        let (writes, wall_ns) = (
            self.current_writes,
            now_ns().saturating_sub(self.started_ns),
        );
        match end {
            EvacuationEnd::Completed => self.growths_completed += 1,
            EvacuationEnd::Forced => self.forced_completions += 1,
            EvacuationEnd::Shrunk(returned) => {
                self.shrinks_completed += 1;
                self.shrink_bytes_returned += returned;
            }
        }
        if matches!(end, EvacuationEnd::Shrunk(_)) {
            (self.last_shrink_writes, self.last_shrink_wall_ns) = (writes, wall_ns);
        } else {
            (self.last_growth_writes, self.last_growth_wall_ns) = (writes, wall_ns);
        }
        (writes, wall_ns)
    }

    /// An empty table's array of `bytes` was freed by a shrink request.
    pub(crate) fn shrink_freed(&mut self, bytes: u64) {
        self.shrink_bytes_returned += bytes;
    }

    /// Wall time of the last completed growth (ns).
    pub(crate) fn last_growth_wall_ns(&self) -> u64 {
        self.last_growth_wall_ns
    }

    /// Writes the counters' fields of a snapshot.
    pub(crate) fn fill(&self, s: &mut Stats) {
        s.bytes_released_early = self.bytes_released_early;
        s.writes = self.writes;
        s.growths = self.growths;
        s.same_size_growths = self.same_size_growths;
        s.growths_completed = self.growths_completed;
        s.forced_completions = self.forced_completions;
        s.shrinks = self.shrinks;
        s.shrinks_completed = self.shrinks_completed;
        s.shrink_bytes_returned = self.shrink_bytes_returned;
        s.buckets_evacuated = self.buckets_evacuated;
        s.entries_moved = self.entries_moved;
        s.evacuated_buckets_skipped = self.evacuated_buckets_skipped;
        s.overflow_allocated = self.overflow_allocated;
        s.lookups_in_old_buckets = self.lookups_in_old_buckets.get();
        s.max_entries_moved_in_one_op = self.max_entries_moved_in_one_op;
        s.max_buckets_evacuated_in_one_op = self.max_buckets_evacuated_in_one_op;
        s.max_bytes_allocated_in_one_op = self.max_bytes_allocated_in_one_op;
        s.max_bytes_released_in_one_op = self.max_bytes_released_in_one_op;
        s.max_bytes_freed_in_one_op = self.max_bytes_freed_in_one_op;
        s.system_calls = self.system_calls;
        s.max_system_calls_in_one_op = self.max_system_calls_in_one_op;
        s.writes_during_evacuation = self.writes_during_evacuation;
        s.last_growth_writes = self.last_growth_writes;
        s.last_growth_wall_ns = self.last_growth_wall_ns;
        s.last_shrink_writes = self.last_shrink_writes;
        s.last_shrink_wall_ns = self.last_shrink_wall_ns;
        s.peak_bytes_allocated = self.peak_bytes_allocated;
    }

    /// A read looked in an old bucket.
    #[inline]
    pub(crate) fn lookup_in_old(&self) {
        if ON {
            self.lookups_in_old_buckets.bump();
        }
    }

    /// `chains` old chains holding `entries` entries were evacuated.
    #[inline]
    pub(crate) fn evacuated(&mut self, chains: u64, entries: u64) {
        if ON {
            self.current_op();
            self.buckets_evacuated += chains;
            self.entries_moved += entries;
            self.op_buckets += chains;
            self.op_entries += entries;
            self.max_buckets_evacuated_in_one_op =
                self.max_buckets_evacuated_in_one_op.max(self.op_buckets);
            self.max_entries_moved_in_one_op =
                self.max_entries_moved_in_one_op.max(self.op_entries);
        }
    }

    /// The cursor skipped `n` already-evacuated chains.
    #[inline]
    pub(crate) fn skipped(&mut self, n: u64) {
        if ON {
            self.evacuated_buckets_skipped += n;
        }
    }

    /// An overflow bucket was linked (`bytes` newly allocated, 0 if pooled).
    #[inline]
    pub(crate) fn overflow_linked(&mut self, count: u64, bytes: u64, held: u64) {
        if ON {
            self.overflow_allocated += count;
        }
        self.allocated(bytes, held);
    }

    /// `bytes` of old-array memory were given back early.
    #[inline]
    pub(crate) fn released_early(&mut self, bytes: u64) {
        self.bytes_released_early += bytes;
        if ON && bytes > 0 {
            self.current_op();
            self.op_released += bytes;
            self.max_bytes_released_in_one_op =
                self.max_bytes_released_in_one_op.max(self.op_released);
        }
    }

    /// `bytes` of array memory were freed.
    #[inline]
    pub(crate) fn freed(&mut self, bytes: u64) {
        if ON && bytes > 0 {
            self.current_op();
            self.op_freed += bytes;
            self.max_bytes_freed_in_one_op = self.max_bytes_freed_in_one_op.max(self.op_freed);
        }
    }

    /// `calls` system calls were made for memory.
    #[inline]
    pub(crate) fn system_calls(&mut self, calls: u32) {
        if ON && calls > 0 {
            self.current_op();
            self.system_calls += u64::from(calls);
            self.op_calls += u64::from(calls);
            self.max_system_calls_in_one_op = self.max_system_calls_in_one_op.max(self.op_calls);
        }
    }

    /// `bytes` of bucket memory were allocated; `held` is the new total.
    #[inline]
    pub(crate) fn allocated(&mut self, bytes: u64, held: u64) {
        self.peak_bytes_allocated = self.peak_bytes_allocated.max(held);
        if ON && bytes > 0 {
            self.current_op();
            self.op_bytes += bytes;
            self.max_bytes_allocated_in_one_op =
                self.max_bytes_allocated_in_one_op.max(self.op_bytes);
        }
    }
}

/// Nanoseconds since a process-wide epoch (the first call), monotonic: the
/// time base of events and samples.
pub(crate) fn now_ns() -> u64 {
    u64::try_from(epoch().elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// The process-wide instant events count from (`Event::epoch`).
pub(crate) fn epoch() -> std::time::Instant {
    use std::sync::OnceLock;
    use std::time::Instant;
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

#[cfg(test)]
mod tests {
    use super::Stats;

    #[test]
    fn combine_sums_counts_and_takes_the_largest_maxima() {
        let a = Stats {
            len: 1,
            growths: 2,
            max_entries_moved_in_one_op: 5,
            last_growth_wall_ns: 100,
            peak_bytes_allocated: 10,
            ..Stats::default()
        };
        let b = Stats {
            len: 2,
            growths: 3,
            max_entries_moved_in_one_op: 7,
            last_growth_wall_ns: 50,
            peak_bytes_allocated: 20,
            ..Stats::default()
        };
        let sum = Stats::combine([a, b]);
        assert_eq!((sum.len, sum.growths), (3, 5));
        assert_eq!(sum.max_entries_moved_in_one_op, 7);
        assert_eq!(sum.last_growth_wall_ns, 100);
        assert_eq!(sum.peak_bytes_allocated, 30);
        assert_eq!(Stats::combine([]), Stats::default());
    }
}
