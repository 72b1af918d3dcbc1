//! The raw table's side of the instruments: counters, events, pause timing
//! and publication to probes. No `unsafe` here: the operations in the other
//! files call these one-line hooks.

use std::time::Instant;

use super::RawTable;
use super::array::BucketArray;
use crate::TryReserveError;
use crate::events::{Event, EventKind};
use crate::layout::BucketLayout;
use crate::probe::{Probe, Shared};
use crate::stats::{Stats, now_ns};
use crate::timing::{OpKind, OpStart, PauseBuckets, PauseHistogram, Source, Timing, TimingStats};

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// Bucket memory held now: both arrays and their allocated overflow buckets.
    pub(crate) fn bytes_held(&self) -> u64 {
        (self.buckets.bytes() + self.old_buckets.bytes() + self.retired.bytes()) as u64
    }

    /// Hook at the start of a write (insert/entry or remove).
    #[inline]
    pub(super) fn write_begin(&mut self) -> Option<OpStart> {
        self.counters.write(self.is_growing());
        let started = self.policy.timing().then(|| OpStart {
            at: Instant::now(),
            len: self.count,
        });
        self.retire_step();
        started
    }

    /// Hook at the end of a write: records its time and publishes to the
    /// probe every `publish_interval` writes.
    #[inline]
    pub(super) fn write_end(&mut self, kind: OpKind, started: Option<OpStart>) {
        if let Some(start) = started {
            self.timing_mut().record_op(kind, start);
        }
        if self.probe.is_some() {
            self.writes_since_publish += 1;
            if self.writes_since_publish >= self.policy.publish_interval() {
                self.publish();
            }
        }
    }

    /// Starts an operation that is not a write (explicit evacuation, reserve)
    /// for the per-operation maxima.
    pub(crate) fn op_begin(&mut self) {
        self.counters.op_begin();
    }

    fn timing_mut(&mut self) -> &mut Timing {
        self.timing.get_or_insert_with(Timing::new)
    }

    /// Runs `f`, adding its duration to `source` when timing is on. `f` is
    /// called from one place, so that it can be inlined.
    #[inline]
    pub(super) fn timed<R>(&mut self, source: Source, f: impl FnOnce(&mut Self) -> R) -> R {
        let start = self.policy.timing().then(Instant::now);
        let r = f(self);
        if let Some(start) = start {
            self.timing_mut().record_source(source, start);
        }
        r
    }

    /// Allocates a bucket array (timed as a pause source).
    pub(super) fn alloc_array(
        &mut self,
        log2: u8,
    ) -> Result<BucketArray<K, V, L>, TryReserveError> {
        let huge_pages = self.policy.huge_pages();
        self.timed(Source::Alloc, |_| BucketArray::allocate(log2, huge_pages))
    }

    /// Records an event, hands it to the probe, and publishes.
    pub(super) fn event(&mut self, kind: EventKind) {
        let event = self.events.push(now_ns(), kind);
        if let Some(shared) = &self.probe {
            shared.push_event(&event);
        }
        self.publish();
    }

    /// Publishes a snapshot to the probe, if there is one.
    pub(crate) fn publish(&mut self) {
        self.writes_since_publish = 0;
        if let Some(shared) = &self.probe {
            shared.publish(&self.stats());
        }
    }

    /// A probe on this table's counters. The shared area is created at the
    /// first call (sized for `policy.event_capacity()` events) and seeded
    /// with the retained events and a first snapshot.
    pub(crate) fn probe(&mut self) -> Probe {
        if self.probe.is_none() {
            let retained = self.events.to_vec();
            let first = retained.first().map_or(self.events.recorded(), |e| e.seq);
            let shared = Shared::new(self.policy.event_capacity(), first);
            for e in &retained {
                shared.push_event(e);
            }
            self.probe = Some(shared);
            self.publish();
        }
        Probe::new(self.probe.clone().expect("just set"))
    }

    /// The retained events, oldest first.
    pub(crate) fn events(&self) -> Vec<Event> {
        self.events.to_vec()
    }

    pub(crate) fn timing_stats(&self) -> Option<TimingStats> {
        self.policy.timing().then(|| TimingStats {
            growth_wall_ns: self.counters.last_growth_wall_ns,
            ..self.timing.as_ref().map(|t| t.stats).unwrap_or_default()
        })
    }

    pub(crate) fn pause_buckets(&self) -> Option<PauseBuckets> {
        self.policy.timing().then(|| {
            self.timing
                .as_ref()
                .map(|t| t.buckets())
                .unwrap_or_default()
        })
    }

    pub(crate) fn pause_histogram(&self) -> Option<PauseHistogram> {
        self.policy.timing().then(|| {
            self.timing
                .as_ref()
                .map(|t| t.histogram())
                .unwrap_or_default()
        })
    }

    /// A snapshot of every counter; shape fields computed now, O(1).
    pub(crate) fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            len: self.count as u64,
            bucket_count: self.buckets.len() as u64,
            overflow_buckets: (self.buckets.linked_overflow() + self.old_buckets.linked_overflow())
                as u64,
            old_bucket_count: self.old_buckets.len() as u64,
            old_buckets_evacuated: self.old_evacuated as u64,
            bytes_allocated: self.bytes_held(),
            old_bytes_held: (self.old_buckets.bytes() + self.retired.bytes()) as u64,
            bytes_released_early: c.bytes_released_early,
            writes: c.writes,
            growths: c.growths,
            same_size_growths: c.same_size_growths,
            growths_completed: c.growths_completed,
            forced_completions: c.forced_completions,
            shrinks: c.shrinks,
            shrinks_completed: c.shrinks_completed,
            shrink_bytes_returned: c.shrink_bytes_returned,
            buckets_evacuated: c.buckets_evacuated,
            entries_moved: c.entries_moved,
            evacuated_buckets_skipped: c.evacuated_buckets_skipped,
            overflow_allocated: c.overflow_allocated,
            lookups_in_old_buckets: c.lookups_in_old_buckets.get(),
            max_entries_moved_in_one_op: c.max_entries_moved_in_one_op,
            max_buckets_evacuated_in_one_op: c.max_buckets_evacuated_in_one_op,
            max_bytes_allocated_in_one_op: c.max_bytes_allocated_in_one_op,
            writes_during_growth: c.writes_during_growth,
            last_growth_writes: c.last_growth_writes,
            last_growth_wall_ns: c.last_growth_wall_ns,
            peak_bytes_allocated: c.peak_bytes_allocated,
            events_recorded: self.events.recorded(),
        }
    }
}
