//! Growth events and the map's fixed-capacity event ring.

/// One recorded event; see [`Instruments::events`](crate::instruments::Instruments::events).
///
/// # Examples
///
/// ```
/// use evacmap::EvacMap;
/// use evacmap::instruments::EventKind;
///
/// let mut map = EvacMap::new();
/// for i in 0..100u32 {
///     map.insert(i, i);
/// }
/// let first = map.instruments().events()[0];
/// assert_eq!(first.seq, 0);
/// assert!(matches!(first.kind, EventKind::GrowthStarted { from_log2: 0, to_log2: 1, .. }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Event {
    /// Position in the map's event sequence (0 for the first event ever).
    pub seq: u64,
    /// Monotonic timestamp: nanoseconds since the process-wide epoch of
    /// the instruments, [`Event::epoch`] (so [`Event::instant`] is the
    /// event's time on the caller's own clock).
    pub time_ns: u64,
    /// What happened.
    pub kind: EventKind,
}

impl Event {
    /// The instant every event's `time_ns` counts from: set the first time
    /// any map records an event or starts an evacuation (or the first time
    /// this is called), the same for every map of the process.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::instruments::Event;
    ///
    /// let mut map = evacmap::EvacMap::new();
    /// for i in 0..100u32 {
    ///     map.insert(i, i); // growths record events
    /// }
    /// let first = map.instruments().events()[0];
    /// assert!(first.instant() >= Event::epoch());
    /// assert!(first.instant() <= std::time::Instant::now());
    /// ```
    pub fn epoch() -> std::time::Instant {
        crate::instruments::stats::epoch()
    }

    /// When the event happened, on the caller's clock:
    /// [`epoch`](Self::epoch) plus `time_ns`.
    pub fn instant(&self) -> std::time::Instant {
        Self::epoch() + std::time::Duration::from_nanos(self.time_ns)
    }
}

/// What an [`Event`] records.
///
/// # Examples
///
/// ```
/// use evacmap::instruments::EventKind;
///
/// let e = EventKind::OldArrayReleased { bytes: 4096 };
/// assert_eq!(format!("{e:?}"), "OldArrayReleased { bytes: 4096 }");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum EventKind {
    /// A growth started (Go `hashGrow`).
    GrowthStarted {
        /// `B` before.
        from_log2: u8,
        /// `B` after (equal for a same-size growth).
        to_log2: u8,
        /// Same-size growth (too many overflow buckets) rather than doubling.
        same_size: bool,
        /// Entries in the map when it started.
        len: u64,
    },
    /// A shrink started: a smaller array was allocated and the current one
    /// became the old array. It ends with `ShrinkFinished` (after a
    /// `ForcedCompletion` if it was finished at once) and
    /// `OldArrayReleased`.
    ShrinkStarted {
        /// `B` before.
        from_log2: u8,
        /// `B` after (smaller).
        to_log2: u8,
        /// Entries in the map when it started.
        len: u64,
    },
    /// The rest of a growth or a shrink is being evacuated at once.
    ForcedCompletion {
        /// Why.
        reason: ForceReason,
        /// Old buckets still to evacuate at that moment.
        buckets_left: u64,
    },
    /// A growth finished: its last old bucket was evacuated.
    GrowthFinished {
        /// Writes from the start of the growth to its end.
        writes: u64,
        /// Wall time from the start of the growth to its end (ns).
        wall_ns: u64,
    },
    /// A shrink finished: its last old bucket was evacuated.
    ShrinkFinished {
        /// Writes from the start of the shrink to its end.
        writes: u64,
        /// Wall time from the start of the shrink to its end (ns).
        wall_ns: u64,
        /// Bytes the shrink gives back: the old array (and its overflow
        /// buckets) less the new one.
        bytes_returned: u64,
    },
    /// An old array was freed (at the end of a growth or shrink, or by
    /// `clear`), or the whole array of an empty map by `shrink_to_fit`.
    OldArrayReleased {
        /// Bytes freed.
        bytes: u64,
    },
}

/// Why a growth was finished all at once.
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, Policy};
/// use evacmap::instruments::{EventKind, ForceReason};
///
/// let mut map = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
/// let mut i = 0u64;
/// while !map.is_evacuating() {
///     map.insert(i, ());
///     i += 1;
/// }
/// map.finish_evacuation();
/// assert!(map.instruments().events().iter().any(|e| matches!(
///     e.kind,
///     EventKind::ForcedCompletion { reason: ForceReason::Explicit, .. }
/// )));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ForceReason {
    /// An insert crossed the load limit while the growth was still running.
    LoadLimit,
    /// `finish_evacuation` or `reserve` was called.
    Explicit,
}

impl Event {
    /// Words in the probe's encoding of an event.
    pub(crate) const WORDS: usize = 6;

    /// `[seq, time, tag, a, b, c]`.
    pub(crate) fn to_words(self) -> [u64; Self::WORDS] {
        let (tag, a, b, c) = match self.kind {
            EventKind::GrowthStarted {
                from_log2,
                to_log2,
                same_size,
                len,
            } => (
                0,
                u64::from(from_log2) | u64::from(to_log2) << 8,
                u64::from(same_size),
                len,
            ),
            EventKind::ForcedCompletion {
                reason,
                buckets_left,
            } => (
                1,
                u64::from(reason == ForceReason::Explicit),
                buckets_left,
                0,
            ),
            EventKind::GrowthFinished { writes, wall_ns } => (2, writes, wall_ns, 0),
            EventKind::OldArrayReleased { bytes } => (3, bytes, 0, 0),
            EventKind::ShrinkStarted {
                from_log2,
                to_log2,
                len,
            } => (4, u64::from(from_log2) | u64::from(to_log2) << 8, len, 0),
            EventKind::ShrinkFinished {
                writes,
                wall_ns,
                bytes_returned,
            } => (5, writes, wall_ns, bytes_returned),
        };
        [self.seq, self.time_ns, tag, a, b, c]
    }

    /// Inverse of `to_words`.
    pub(crate) fn from_words(w: [u64; Self::WORDS]) -> Self {
        let [seq, time_ns, tag, a, b, c] = w;
        let kind = match tag {
            0 => EventKind::GrowthStarted {
                from_log2: (a & 0xff) as u8,
                to_log2: (a >> 8) as u8,
                same_size: b != 0,
                len: c,
            },
            1 => EventKind::ForcedCompletion {
                reason: if a != 0 {
                    ForceReason::Explicit
                } else {
                    ForceReason::LoadLimit
                },
                buckets_left: b,
            },
            2 => EventKind::GrowthFinished {
                writes: a,
                wall_ns: b,
            },
            5 => EventKind::ShrinkFinished {
                writes: a,
                wall_ns: b,
                bytes_returned: c,
            },
            4 => EventKind::ShrinkStarted {
                from_log2: (a & 0xff) as u8,
                to_log2: (a >> 8) as u8,
                len: b,
            },
            _ => EventKind::OldArrayReleased { bytes: a },
        };
        Event { seq, time_ns, kind }
    }
}

/// The map's own ring of the last `capacity` events. Its buffer is allocated
/// once, at the first event, and never grows.
#[derive(Clone, Debug)]
pub(crate) struct EventLog {
    buf: Vec<Event>,
    capacity: usize,
    /// Sequence number of the next event.
    next_seq: u64,
}

impl EventLog {
    pub(crate) const fn new(capacity: usize) -> Self {
        EventLog {
            buf: Vec::new(),
            capacity,
            next_seq: 0,
        }
    }

    /// Records an event and returns it (with its sequence number).
    pub(crate) fn push(&mut self, time_ns: u64, kind: EventKind) -> Event {
        let event = Event {
            seq: self.next_seq,
            time_ns,
            kind,
        };
        self.next_seq += 1;
        if self.capacity > 0 {
            if self.buf.capacity() == 0 {
                self.buf.reserve_exact(self.capacity);
            }
            if self.buf.len() < self.capacity {
                self.buf.push(event);
            } else {
                let slot = (event.seq % self.capacity as u64) as usize;
                self.buf[slot] = event;
            }
        }
        event
    }

    /// Events recorded so far (including those overwritten).
    pub(crate) fn recorded(&self) -> u64 {
        self.next_seq
    }

    /// The retained events, oldest first.
    pub(crate) fn to_vec(&self) -> Vec<Event> {
        let mut v = self.buf.clone();
        v.sort_unstable_by_key(|e| e.seq);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        let kinds = [
            EventKind::GrowthStarted {
                from_log2: 7,
                to_log2: 8,
                same_size: false,
                len: 833,
            },
            EventKind::GrowthStarted {
                from_log2: 4,
                to_log2: 4,
                same_size: true,
                len: 9,
            },
            EventKind::ForcedCompletion {
                reason: ForceReason::LoadLimit,
                buckets_left: 3,
            },
            EventKind::ForcedCompletion {
                reason: ForceReason::Explicit,
                buckets_left: 0,
            },
            EventKind::GrowthFinished {
                writes: 12,
                wall_ns: 345,
            },
            EventKind::OldArrayReleased { bytes: 1 << 40 },
            EventKind::ShrinkStarted {
                from_log2: 20,
                to_log2: 14,
                len: 77,
            },
            EventKind::ShrinkFinished {
                writes: 3,
                wall_ns: 4,
                bytes_returned: 5 << 30,
            },
        ];
        for (i, kind) in kinds.into_iter().enumerate() {
            let e = Event {
                seq: i as u64,
                time_ns: 99,
                kind,
            };
            assert_eq!(Event::from_words(e.to_words()), e);
        }
    }

    #[test]
    fn ring_keeps_the_last_events_in_order() {
        let mut log = EventLog::new(3);
        for i in 0..7 {
            log.push(i, EventKind::OldArrayReleased { bytes: i });
        }
        let seqs: Vec<u64> = log.to_vec().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [4, 5, 6]);
        assert_eq!(log.recorded(), 7);
        assert_eq!(log.buf.capacity(), 3, "allocated once, never grown");
    }
}
