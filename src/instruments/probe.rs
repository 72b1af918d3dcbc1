//! [`Probe`]: consistent snapshots of a map's counters and events, read from
//! other threads while the owning thread keeps writing.
//!
//! # Protocol
//!
//! One writer (the map's owner, holding `&mut EvacMap`) publishes, and any
//! number of readers read. The writer never blocks, spins or allocates to
//! publish.
//!
//! **Stats: a seqlock.** `seq` is even when the words are stable.
//! - The writer stores `seq + 1` (odd, relaxed), issues a release fence,
//!   stores every word (relaxed), then stores `seq + 2` (even) with release.
//! - A reader loads `seq` (acquire), retrying while it is odd. It then loads
//!   every word (relaxed), issues an acquire fence, and loads `seq` again
//!   (relaxed). It accepts the words only if the two loads are equal.
//!
//! If a word the reader read came from a publication that began after its
//! first `seq` load, the reader's acquire fence synchronises with the
//! writer's release fence. The second `seq` load then sees at least the odd
//! value, so the snapshot is rejected. If the two loads are equal (and even),
//! every word read belongs to that publication: a snapshot is never torn.
//! This is the construction of Boehm, "Can seqlocks get along with
//! programming language memory models?" (2012).
//!
//! **Events: a ring of seqlocked slots.** Event `n` goes to slot
//! `n % capacity`. The slot's stamp is set to `2n + 1` while it is written
//! and `2n + 2` when it is complete, with the same fences as above. After the
//! slot is complete, `head` is set to `n + 1` (release). A reader loads
//! `head` (acquire) and reads slots `max(from, head - capacity)..head`. It
//! keeps an event only if the slot's stamp was `2n + 2` both before and after
//! reading the words. Otherwise the writer has lapped the reader, and the
//! event is counted as lost, never returned torn or twice.

use crate::instruments::Event;
use crate::instruments::Stats;
use crate::sync::{Arc, AtomicU64, Ordering, fence, spin_wait};

/// A handle for reading a map's counters and events from any thread; see
/// [`EvacMap::probe`](crate::EvacMap::probe).
///
/// # Examples
///
/// ```
/// use evacmap::EvacMap;
///
/// let mut map = EvacMap::new();
/// let probe = map.probe();
/// let reader = std::thread::spawn(move || probe.snapshot());
/// map.insert(1, 1);
/// let s = reader.join().unwrap();
/// assert!(s.len <= 1);
/// ```
#[derive(Clone)]
pub struct Probe {
    shared: Arc<Shared>,
}

impl core::fmt::Debug for Probe {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Probe").finish_non_exhaustive()
    }
}

/// Events read by [`Probe::events_since`].
///
/// # Examples
///
/// ```
/// let mut map = evacmap::EvacMap::new();
/// let probe = map.probe();
/// for i in 0..100u32 {
///     map.insert(i, i);
/// }
/// let batch = probe.events_since(0);
/// assert_eq!(batch.lost, 0);
/// assert_eq!(batch.next, batch.events.len() as u64);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventBatch {
    /// Events with `seq` in `from..next`, oldest first, without duplicates.
    pub events: Vec<Event>,
    /// Events in `from..next` that were overwritten before they could be
    /// read (the ring is smaller than the reader's lag).
    pub lost: u64,
    /// Pass this as `from` next time.
    pub next: u64,
}

/// The state shared between a map and its probes.
pub(crate) struct Shared {
    stats: SeqLock,
    events: EventRing,
}

impl Shared {
    /// Allocates the shared area (the only allocation; publishing never
    /// allocates). `ring` is the event capacity; `first` the sequence number
    /// of the first event that will be pushed (events recorded before the
    /// probe existed and no longer retained count as lost for readers).
    pub(crate) fn new(ring: usize, first: u64) -> Arc<Self> {
        Arc::new(Shared {
            stats: SeqLock::new(Stats::WORDS),
            events: EventRing::new(ring, Event::WORDS, first),
        })
    }

    /// Publishes a snapshot (single writer).
    pub(crate) fn publish(&self, stats: &Stats) {
        self.stats.write(&stats.to_words());
    }

    /// Publishes one event (single writer, in sequence order).
    pub(crate) fn push_event(&self, event: &Event) {
        self.events.push(event.seq, &event.to_words());
    }

    fn snapshot(&self) -> Stats {
        let mut words = [0; Stats::WORDS];
        self.stats.read(&mut words);
        Stats::from_words(words)
    }

    fn events_since(&self, from: u64) -> EventBatch {
        let mut batch = EventBatch {
            events: Vec::new(),
            lost: 0,
            next: from,
        };
        let mut words = [0; Event::WORDS];
        let (lost, next) = self.events.read_since(from, &mut words, |w| {
            batch
                .events
                .push(Event::from_words(w.try_into().expect("event width")))
        });
        batch.lost = lost;
        batch.next = next;
        batch
    }
}

/// A single-writer seqlock over a fixed number of `u64` words (the
/// protocol in the module docs). Sized at construction; never allocates
/// afterwards.
#[allow(unreachable_pub)] // public only in loom builds, through `loom_hooks`
pub struct SeqLock {
    /// Even = stable, odd = publication in progress.
    seq: AtomicU64,
    words: Box<[AtomicU64]>,
}

impl core::fmt::Debug for SeqLock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SeqLock")
            .field("words", &self.words.len())
            .finish_non_exhaustive()
    }
}

impl SeqLock {
    /// A seqlock over `words` words, all 0.
    #[allow(unreachable_pub)]
    pub fn new(words: usize) -> Self {
        SeqLock {
            seq: AtomicU64::new(0),
            words: atomics(words),
        }
    }

    /// Publishes `values` (one writer at a time). Never blocks or spins.
    #[allow(unreachable_pub)]
    pub fn write(&self, values: &[u64]) {
        debug_assert_eq!(values.len(), self.words.len());
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        for (word, &value) in self.words.iter().zip(values) {
            word.store(value, Ordering::Relaxed);
        }
        self.seq.store(seq + 2, Ordering::Release);
    }

    /// The broken variant the loom canary uses: no "in progress" mark.
    #[cfg(evacmap_loom)]
    #[allow(unreachable_pub)]
    pub fn write_broken(&self, values: &[u64]) {
        for (word, &value) in self.words.iter().zip(values) {
            word.store(value, Ordering::Relaxed);
        }
        self.seq.fetch_add(2, Ordering::Release);
    }

    /// Copies one whole publication into `out`, retrying while a
    /// publication is in progress or raced with the copy.
    #[allow(unreachable_pub)]
    pub fn read(&self, out: &mut [u64]) {
        while !self.try_read(out) {
            spin_wait();
        }
    }

    /// One attempt of `read`: true if `out` now holds one whole publication,
    /// false if a publication was in progress or raced with the copy.
    #[allow(unreachable_pub)]
    pub fn try_read(&self, out: &mut [u64]) -> bool {
        let before = self.seq.load(Ordering::Acquire);
        if before & 1 == 1 {
            return false;
        }
        for (o, word) in out.iter_mut().zip(self.words.iter()) {
            *o = word.load(Ordering::Relaxed);
        }
        fence(Ordering::Acquire);
        self.seq.load(Ordering::Relaxed) == before
    }
}

/// A ring of seqlocked slots holding the last `capacity` records of a
/// sequence, each `words` long (the protocol in the module docs).
#[allow(unreachable_pub)] // public only in loom builds, through `loom_hooks`
pub struct EventRing {
    /// Records published so far (the next record's sequence number).
    head: AtomicU64,
    slots: Box<[RingSlot]>,
}

struct RingSlot {
    /// `2n + 1` while record `n` is written, `2n + 2` once complete.
    stamp: AtomicU64,
    words: Box<[AtomicU64]>,
}

impl core::fmt::Debug for EventRing {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EventRing")
            .field("capacity", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl EventRing {
    /// A ring of `capacity` records of `words` words; the first record
    /// pushed will be number `first`.
    #[allow(unreachable_pub)]
    pub fn new(capacity: usize, words: usize, first: u64) -> Self {
        EventRing {
            head: AtomicU64::new(first),
            slots: (0..capacity)
                .map(|_| RingSlot {
                    stamp: AtomicU64::new(0),
                    words: atomics(words),
                })
                .collect(),
        }
    }

    /// Publishes record `n`, which must be the next in sequence (one writer).
    #[allow(unreachable_pub)]
    pub fn push(&self, n: u64, values: &[u64]) {
        debug_assert_eq!(
            n,
            self.head.load(Ordering::Relaxed),
            "records published in order"
        );
        if self.slots.is_empty() {
            self.head.store(n + 1, Ordering::Release);
            return;
        }
        let slot = &self.slots[(n % self.slots.len() as u64) as usize];
        slot.stamp.store(2 * n + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        for (word, &value) in slot.words.iter().zip(values) {
            word.store(value, Ordering::Relaxed);
        }
        slot.stamp.store(2 * n + 2, Ordering::Release);
        self.head.store(n + 1, Ordering::Release);
    }

    /// Hands every record with sequence number `from` or later, still in the
    /// ring and not overwritten while read, to `each` (oldest first, using
    /// `buf` as scratch). Returns (records lost, the `from` for next time).
    #[allow(unreachable_pub)]
    pub fn read_since(
        &self,
        from: u64,
        buf: &mut [u64],
        mut each: impl FnMut(&[u64]),
    ) -> (u64, u64) {
        let head = self.head.load(Ordering::Acquire);
        let cap = self.slots.len() as u64;
        let start = from.max(head.saturating_sub(cap)).min(head);
        let mut lost = start.saturating_sub(from);
        for n in start..head {
            let slot = &self.slots[(n % cap) as usize];
            let before = slot.stamp.load(Ordering::Acquire);
            for (b, word) in buf.iter_mut().zip(slot.words.iter()) {
                *b = word.load(Ordering::Relaxed);
            }
            fence(Ordering::Acquire);
            let after = slot.stamp.load(Ordering::Relaxed);
            if before == 2 * n + 2 && after == before {
                each(buf);
            } else {
                lost += 1; // overwritten by record n + cap or later
            }
        }
        (lost, head.max(from))
    }
}

fn atomics(n: usize) -> Box<[AtomicU64]> {
    (0..n).map(|_| AtomicU64::new(0)).collect()
}

impl Probe {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Probe { shared }
    }

    /// The last published snapshot: every field from one publication, so
    /// cross-field relations (e.g. `old_buckets_evacuated <=
    /// old_bucket_count`) hold. The map publishes on every growth event, every
    /// `Policy::publish_interval` writes, and on
    /// [`EvacMap::publish`](crate::EvacMap::publish). The reader retries
    /// while a publication is in progress; the writer never waits.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// let probe = map.probe();
    /// map.insert(1, 2);
    /// map.publish();
    /// assert_eq!(probe.snapshot().len, 1);
    /// ```
    pub fn snapshot(&self) -> Stats {
        self.shared.snapshot()
    }

    /// Events with sequence number `from` or later that were published,
    /// oldest first, each exactly once across successive calls that pass the
    /// previous batch's `next`. Events overwritten before they were read are
    /// counted in `lost`, never returned torn.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = evacmap::EvacMap::new();
    /// let probe = map.probe();
    /// let mut next = 0;
    /// let mut seen = 0;
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    ///     let batch = probe.events_since(next);
    ///     seen += batch.events.len() as u64;
    ///     next = batch.next;
    /// }
    /// assert_eq!(seen, map.instruments().stats().events_recorded);
    /// ```
    pub fn events_since(&self, from: u64) -> EventBatch {
        self.shared.events_since(from)
    }
}
