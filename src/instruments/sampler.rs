//! [`Sampler`]: a thread that copies a probe's snapshot into a fixed ring
//! every interval, so the last seconds before a failure can be replayed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::instruments::now_ns;
use crate::instruments::periodic::Periodic;
use crate::instruments::{Probe, Stats};

/// The sampling interval of the Go monitoring sidecars this mimics (200 ms).
///
/// # Examples
///
/// ```
/// assert_eq!(evacmap::instruments::DEFAULT_SAMPLE_INTERVAL.as_millis(), 200);
/// ```
pub const DEFAULT_SAMPLE_INTERVAL: Duration = Duration::from_millis(200);

/// A background thread sampling a [`Probe`] into a ring of the last
/// `capacity` snapshots. Stopped (and joined) by [`stop`](Self::stop) or on
/// drop.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use evacmap::EvacMap;
/// use evacmap::instruments::Sampler;
///
/// let mut map = EvacMap::new();
/// let sampler = Sampler::spawn(map.probe(), Duration::from_millis(1), 100);
/// for i in 0..100_000u32 {
///     map.insert(i, i);
/// }
/// map.publish();
/// std::thread::sleep(Duration::from_millis(20));
/// let history = sampler.stop();
/// assert!(!history.is_empty() && history.len() <= 100);
/// assert!(history.windows(2).all(|w| w[0].0 <= w[1].0));
/// ```
#[derive(Debug)]
pub struct Sampler {
    ring: Arc<Mutex<VecDeque<(u64, Stats)>>>,
    thread: Periodic,
}

/// Something a [`Sampler`] can sample: a [`Probe`] (one map) or a
/// [`ShardedProbe`](crate::sharded::ShardedProbe) (every shard of a
/// sharded map, added up).
pub trait SnapshotSource: Send + 'static {
    /// The counters now.
    fn snapshot(&self) -> Stats;
}

impl SnapshotSource for Probe {
    fn snapshot(&self) -> Stats {
        Probe::snapshot(self)
    }
}

impl Sampler {
    /// Starts sampling `probe` every `interval` (use
    /// [`DEFAULT_SAMPLE_INTERVAL`] for Go's 200 ms), keeping the last
    /// `capacity` samples. The ring is allocated here and never grows.
    ///
    /// # Panics
    ///
    /// Panics if `capacity` is 0 or `interval` is zero, or if the thread
    /// cannot be spawned.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<u8, u8> = evacmap::EvacMap::new();
    /// let s = evacmap::instruments::Sampler::spawn(map.probe(), evacmap::instruments::DEFAULT_SAMPLE_INTERVAL, 50);
    /// drop(s); // stops and joins
    /// ```
    #[track_caller]
    pub fn spawn(probe: impl SnapshotSource, interval: Duration, capacity: usize) -> Sampler {
        assert!(capacity > 0, "evacmap: sampler capacity must be at least 1");
        assert!(
            !interval.is_zero(),
            "evacmap: sampler interval must be non-zero"
        );
        let ring = Arc::new(Mutex::new(VecDeque::with_capacity(capacity)));
        let thread_ring = Arc::clone(&ring);
        // Also a last sample when stopped (`tick(true)`), so the history
        // ends with what was published last.
        let thread = Periodic::spawn("evacmap-sampler", interval, move |_last| {
            let sample = (now_ns(), probe.snapshot());
            let mut ring = thread_ring.lock().unwrap_or_else(PoisonError::into_inner);
            if ring.len() == capacity {
                ring.pop_front();
            }
            ring.push_back(sample);
        });
        Sampler { ring, thread }
    }

    /// The samples so far, oldest first: (nanoseconds since the process-wide
    /// epoch that event timestamps also use, snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<u8, u8> = evacmap::EvacMap::new();
    /// let s = evacmap::instruments::Sampler::spawn(map.probe(), std::time::Duration::from_millis(1), 10);
    /// std::thread::sleep(std::time::Duration::from_millis(10));
    /// assert!(s.history().len() <= 10);
    /// ```
    pub fn history(&self) -> Vec<(u64, Stats)> {
        let ring = self.ring.lock().unwrap_or_else(PoisonError::into_inner);
        ring.iter().copied().collect()
    }

    /// Stops the thread, takes a last sample, waits for the thread, and
    /// returns the history (the last sample is the probe's latest
    /// publication: the owner's `publish()` makes it exact).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<u8, u8> = evacmap::EvacMap::new();
    /// let s = evacmap::instruments::Sampler::spawn(map.probe(), std::time::Duration::from_millis(1), 10);
    /// let history = s.stop();
    /// assert!(history.len() <= 10);
    /// ```
    pub fn stop(mut self) -> Vec<(u64, Stats)> {
        self.thread.stop();
        self.history()
    }
}
