//! The recorder beside the table: its counters, its event ring, its pause
//! timing and the probe it publishes to, in one component that the table
//! tells facts to (a write began, a growth or shrink started, a chain
//! moved, an evacuation ended and how) and that turns them into counters,
//! events and timings (`crate::instruments` holds their public types;
//! `Instruments` there is the read-only view of what this records). The
//! table holds it as one field and never touches a counter itself: every
//! counter is updated through `Counters`' methods, whose one gate, the
//! `stats` feature, compiles out the counters marked (stats) in `Stats`;
//! the growth and shrink bookkeeping is always counted (events and
//! residency report it). No `unsafe` here.

use std::time::Instant;

use crate::EvacuationKind;
use crate::instruments::{Counters, EvacuationEnd, Stats, now_ns};
use crate::instruments::{Event, EventKind, EventLog, ForceReason};
use crate::instruments::{
    OpKind, OpStart, PauseBuckets, PausePercentiles, Source, Timing, TimingStats,
};
use crate::instruments::{Probe, Shared};
use crate::policy::InstrumentSettings;
use crate::sync::Arc;

/// The counters, events, timing and probe of one table.
pub(crate) struct Recorder {
    settings: InstrumentSettings,
    /// The counters behind `stats()`.
    counters: Counters,
    /// The last `settings.event_capacity` growth events.
    events: EventLog,
    /// Pause timing, created at the first write when `settings.timing`.
    timing: Option<Box<Timing>>,
    /// Shared with `Probe`s, once `probe()` was called.
    probe: Option<Arc<Shared>>,
    /// Writes since the last publication to the probe.
    writes_since_publish: u64,
}

/// What a fact asks of the table: nothing, or a publication of a fresh
/// snapshot to the probe (which only the table can take: it has the shape).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub(super) enum Publish {
    /// Nothing to do.
    No,
    /// Publish a snapshot now.
    Now,
}

/// The table's shape, for a snapshot: what the counters cannot know.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Shape {
    pub(super) len: u64,
    pub(super) bucket_count: u64,
    pub(super) overflow_buckets: u64,
    pub(super) old_bucket_count: u64,
    pub(super) old_buckets_evacuated: u64,
    pub(super) bytes_allocated: u64,
    pub(super) old_bytes_held: u64,
    pub(super) spare_bytes: u64,
}

impl Recorder {
    /// Instruments with these settings, nothing recorded.
    pub(super) const fn new(settings: InstrumentSettings) -> Self {
        Recorder {
            settings,
            counters: Counters::new(),
            events: EventLog::new(settings.event_capacity),
            timing: None,
            probe: None,
            writes_since_publish: 0,
        }
    }

    /// A copy of what `src` recorded (counters, events, timing) for a
    /// clone; the copy has no probe of its own yet.
    pub(super) fn copy_of(src: &Self) -> Self {
        Recorder {
            settings: src.settings,
            counters: src.counters.clone(),
            events: src.events.clone(),
            timing: src.timing.clone(),
            probe: None,
            writes_since_publish: 0,
        }
    }

    /// Takes `src`'s records (as `copy_of`) and settings, keeping this
    /// table's probe.
    pub(super) fn copy_records_from(&mut self, src: &Self) {
        let probe = self.probe.take();
        *self = Self::copy_of(src);
        self.probe = probe;
    }

    // ---- facts: operations

    /// A write (insert, entry or removal) began, the table holding `len`
    /// entries. Returns its start if writes are timed.
    #[inline]
    pub(super) fn write_begun(&mut self, len: usize) -> Option<OpStart> {
        self.counters.write();
        self.settings.timing.then(|| OpStart {
            at: Instant::now(),
            len,
        })
    }

    /// The write that just began runs while an evacuation (a growth or a
    /// shrink) runs.
    #[inline]
    pub(super) fn write_in_evacuation(&mut self) {
        self.counters.write_in_evacuation();
    }

    /// A write ended: records its time; asks for a publication every
    /// `publish_interval` writes when a probe exists.
    #[inline]
    pub(super) fn write_ended(&mut self, kind: OpKind, started: Option<OpStart>) -> Publish {
        if let Some(start) = started {
            self.timing_mut().record_op(kind, start);
        }
        if self.probe.is_some() {
            self.writes_since_publish += 1;
            if self.writes_since_publish >= self.settings.publish_interval {
                return Publish::Now;
            }
        }
        Publish::No
    }

    /// An operation that is not a write began (explicit evacuation,
    /// reserve, shrink), for the per-operation maxima.
    #[inline]
    pub(super) fn op_begun(&mut self) {
        self.counters.op_begin();
    }

    /// A read had to look in an old chain.
    #[inline]
    pub(super) fn read_in_old(&self) {
        self.counters.lookup_in_old();
    }

    // ---- facts: evacuation (a growth or a shrink)

    /// An evacuation of `kind` started from `2^from_log2` buckets to
    /// `2^to_log2`, with `len` entries.
    pub(super) fn evacuation_started(
        &mut self,
        kind: EvacuationKind,
        from_log2: u8,
        to_log2: u8,
        len: usize,
    ) -> Publish {
        self.counters.evacuation_started(kind);
        let len = len as u64;
        self.event(match kind {
            EvacuationKind::Shrink => EventKind::ShrinkStarted {
                from_log2,
                to_log2,
                len,
            },
            _ => EventKind::GrowthStarted {
                from_log2,
                to_log2,
                same_size: kind == EvacuationKind::SameSize,
                len,
            },
        })
    }

    /// The evacuation in progress is about to be finished at once, with
    /// `buckets_left` old chains still to move.
    pub(super) fn evacuation_forced(&mut self, reason: ForceReason, buckets_left: u64) -> Publish {
        self.event(EventKind::ForcedCompletion {
            reason,
            buckets_left,
        })
    }

    /// One evacuation step ended: it moved `chains` old chains holding
    /// `entries` entries, and its cursor skipped `skipped` chains that
    /// writes had evacuated. (What it gave back is told by `given_back`.)
    #[inline]
    pub(super) fn step_evacuated(&mut self, chains: u64, entries: u64, skipped: u64) {
        if chains > 0 {
            self.counters.evacuated(chains, entries);
        }
        self.counters.skipped(skipped);
    }

    /// The evacuation in progress ended, as `end` says.
    pub(super) fn evacuation_ended(&mut self, end: EvacuationEnd) -> Publish {
        let (writes, wall_ns) = self.counters.evacuation_ended(end);
        self.event(match end {
            EvacuationEnd::Shrunk(bytes_returned) => EventKind::ShrinkFinished {
                writes,
                wall_ns,
                bytes_returned,
            },
            _ => EventKind::GrowthFinished { writes, wall_ns },
        })
    }

    // ---- facts: memory

    /// `bytes` of bucket memory were allocated (an array, or an overflow
    /// bucket outside the pool); `held` is the table's total now.
    #[inline]
    pub(super) fn allocated(&mut self, bytes: u64, held: u64) {
        self.counters.allocated(bytes, held);
    }

    /// `count` overflow buckets were linked (`bytes` newly held, 0 from
    /// the pool), the table holding at most `held` bytes right after one.
    #[inline]
    pub(super) fn overflow_linked(&mut self, count: u64, bytes: u64, held: u64) {
        self.counters.overflow_linked(count, bytes, held);
    }

    /// Old-array memory was given back before its free: `bytes` (pages
    /// and spilled buckets), with `calls` system calls.
    #[inline]
    pub(super) fn given_back(&mut self, bytes: usize, calls: u32) {
        if bytes > 0 {
            self.counters.released_early(bytes as u64);
        }
        self.counters.system_calls(calls);
    }

    /// `calls` system calls were made to allocate an array.
    #[inline]
    pub(super) fn mapped(&mut self, calls: u32) {
        self.counters.system_calls(calls);
    }

    /// An array holding `bytes` was freed with `calls` system calls (not
    /// recorded as an event: see `old_array_freed`).
    #[inline]
    pub(super) fn array_freed(&mut self, bytes: u64, calls: u32) {
        self.counters.freed(bytes);
        self.counters.system_calls(calls);
    }

    /// An old (or retired) array holding `bytes` was freed with `calls`
    /// system calls.
    pub(super) fn old_array_freed(&mut self, bytes: u64, calls: u32) -> Publish {
        self.array_freed(bytes, calls);
        self.event(EventKind::OldArrayReleased { bytes })
    }

    /// An empty table's array of `bytes` was freed by a shrink request,
    /// with `calls` system calls.
    pub(super) fn empty_array_freed(&mut self, bytes: u64, calls: u32) -> Publish {
        self.counters.shrink_freed(bytes);
        self.old_array_freed(bytes, calls)
    }

    // ---- timing

    /// The clock, if pause sources are timed.
    #[inline]
    pub(super) fn clock(&self) -> Option<Instant> {
        self.settings.timing.then(Instant::now)
    }

    /// Adds the time since `start` (from `clock`) to `source`.
    #[inline]
    pub(super) fn record(&mut self, source: Source, start: Option<Instant>) {
        if let Some(start) = start {
            self.timing_mut().record_source(source, start);
        }
    }

    fn timing_mut(&mut self) -> &mut Timing {
        self.timing.get_or_insert_with(Timing::new)
    }

    // ---- events and the probe

    /// Records an event and hands it to the probe; the table then
    /// publishes.
    fn event(&mut self, kind: EventKind) -> Publish {
        let event = self.events.push(now_ns(), kind);
        if let Some(shared) = &self.probe {
            shared.push_event(&event);
        }
        Publish::Now
    }

    /// Publishes `snapshot` to the probe (the table takes one only when
    /// there is a probe, `has_probe`).
    pub(super) fn publish(&mut self, snapshot: Option<Stats>) {
        self.writes_since_publish = 0;
        if let (Some(shared), Some(s)) = (&self.probe, snapshot) {
            shared.publish(&s);
        }
    }

    /// True once a probe exists.
    pub(super) fn has_probe(&self) -> bool {
        self.probe.is_some()
    }

    /// A probe on these instruments. The shared area is created at the
    /// first call (sized for the event capacity) and seeded with the
    /// retained events; the table then publishes a first snapshot.
    pub(super) fn probe(&mut self) -> Probe {
        let shared = self.probe.get_or_insert_with(|| {
            let retained = self.events.to_vec();
            let first = retained.first().map_or(self.events.recorded(), |e| e.seq);
            let shared = Shared::new(self.settings.event_capacity, first);
            for e in &retained {
                shared.push_event(e);
            }
            shared
        });
        Probe::new(Arc::clone(shared))
    }

    // ---- readings

    /// A snapshot: the table's shape and every counter.
    pub(super) fn stats(&self, shape: Shape) -> Stats {
        let mut s = Stats {
            len: shape.len,
            bucket_count: shape.bucket_count,
            overflow_buckets: shape.overflow_buckets,
            old_bucket_count: shape.old_bucket_count,
            old_buckets_evacuated: shape.old_buckets_evacuated,
            bytes_allocated: shape.bytes_allocated,
            old_bytes_held: shape.old_bytes_held,
            spare_bytes: shape.spare_bytes,
            events_recorded: self.events.recorded(),
            ..Stats::default()
        };
        self.counters.fill(&mut s);
        s
    }

    /// The retained events, oldest first.
    pub(crate) fn events(&self) -> Vec<Event> {
        self.events.to_vec()
    }

    pub(crate) fn timing_stats(&self) -> Option<TimingStats> {
        self.settings.timing.then(|| TimingStats {
            growth_wall_ns: self.counters.last_growth_wall_ns(),
            ..self.timing.as_ref().map(|t| t.stats).unwrap_or_default()
        })
    }

    pub(crate) fn pause_buckets(&self) -> Option<PauseBuckets> {
        self.settings.timing.then(|| {
            self.timing
                .as_ref()
                .map(|t| t.buckets())
                .unwrap_or_default()
        })
    }

    pub(crate) fn pause_percentiles(&self) -> Option<PausePercentiles> {
        self.settings.timing.then(|| {
            self.timing
                .as_ref()
                .map(|t| t.histogram())
                .unwrap_or_default()
        })
    }
}
