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

use crate::events::Event;
use crate::stats::Stats;
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
        f.debug_struct("Probe")
            .field("published", &self.shared.seq.load(Ordering::Relaxed))
            .finish()
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
    /// Seqlock sequence: even = stable, odd = publication in progress.
    seq: AtomicU64,
    words: Vec<AtomicU64>,
    /// Events published so far (the next event's sequence number).
    head: AtomicU64,
    slots: Vec<EventSlot>,
}

struct EventSlot {
    /// `2n + 1` while event `n` is written, `2n + 2` once complete.
    stamp: AtomicU64,
    words: Vec<AtomicU64>,
}

fn atomics(n: usize) -> Vec<AtomicU64> {
    (0..n).map(|_| AtomicU64::new(0)).collect()
}

impl Shared {
    /// Allocates the shared area (the only allocation; publishing never
    /// allocates). `ring` is the event capacity; `first` the sequence number
    /// of the first event that will be pushed (events recorded before the
    /// probe existed and no longer retained count as lost for readers).
    pub(crate) fn new(ring: usize, first: u64) -> Arc<Self> {
        Arc::new(Shared {
            seq: AtomicU64::new(0),
            words: atomics(Stats::WORDS),
            head: AtomicU64::new(first),
            slots: (0..ring)
                .map(|_| EventSlot {
                    stamp: AtomicU64::new(0),
                    words: atomics(Event::WORDS),
                })
                .collect(),
        })
    }

    /// Publishes a snapshot (single writer).
    pub(crate) fn publish(&self, stats: &Stats) {
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        for (word, value) in self.words.iter().zip(stats.to_words()) {
            word.store(value, Ordering::Relaxed);
        }
        self.seq.store(seq + 2, Ordering::Release);
    }

    /// Test-only switch for the loom canary: publishes without marking the
    /// publication in progress, so readers can see a torn snapshot.
    #[cfg(evacmap_loom)]
    pub(crate) fn publish_broken(&self, stats: &Stats) {
        for (word, value) in self.words.iter().zip(stats.to_words()) {
            word.store(value, Ordering::Relaxed);
        }
        self.seq.fetch_add(2, Ordering::Release);
    }

    /// Publishes one event (single writer; `event.seq` is the next number).
    pub(crate) fn push_event(&self, event: &Event) {
        if self.slots.is_empty() {
            return;
        }
        let n = event.seq;
        debug_assert_eq!(
            n,
            self.head.load(Ordering::Relaxed),
            "events published in order"
        );
        let slot = &self.slots[(n % self.slots.len() as u64) as usize];
        slot.stamp.store(2 * n + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        for (word, value) in slot.words.iter().zip(event.to_words()) {
            word.store(value, Ordering::Relaxed);
        }
        slot.stamp.store(2 * n + 2, Ordering::Release);
        self.head.store(n + 1, Ordering::Release);
    }

    fn snapshot(&self) -> Stats {
        loop {
            let before = self.seq.load(Ordering::Acquire);
            if before & 1 == 1 {
                spin_wait();
                continue;
            }
            let mut words = [0; Stats::WORDS];
            for (out, word) in words.iter_mut().zip(&self.words) {
                *out = word.load(Ordering::Relaxed);
            }
            fence(Ordering::Acquire);
            if self.seq.load(Ordering::Relaxed) == before {
                return Stats::from_words(words);
            }
            spin_wait();
        }
    }

    fn events_since(&self, from: u64) -> EventBatch {
        let head = self.head.load(Ordering::Acquire);
        let cap = self.slots.len() as u64;
        let start = from.max(head.saturating_sub(cap)).min(head);
        let mut batch = EventBatch {
            events: Vec::new(),
            lost: start.saturating_sub(from),
            next: head.max(from),
        };
        for n in start..head {
            let slot = &self.slots[(n % cap) as usize];
            let before = slot.stamp.load(Ordering::Acquire);
            let mut words = [0; Event::WORDS];
            for (out, word) in words.iter_mut().zip(&slot.words) {
                *out = word.load(Ordering::Relaxed);
            }
            fence(Ordering::Acquire);
            let after = slot.stamp.load(Ordering::Relaxed);
            if before == 2 * n + 2 && after == before {
                batch.events.push(Event::from_words(words));
            } else {
                batch.lost += 1; // overwritten by event n + cap or later
            }
        }
        batch
    }
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
    /// assert_eq!(seen, map.stats().events_recorded);
    /// ```
    pub fn events_since(&self, from: u64) -> EventBatch {
        self.shared.events_since(from)
    }
}
