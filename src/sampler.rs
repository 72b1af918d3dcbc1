//! [`Sampler`]: a thread that copies a probe's snapshot into a fixed ring
//! every interval, so the last seconds before a failure can be replayed.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::stats::now_ns;
use crate::{Probe, Stats};

/// The sampling interval of the Go monitoring sidecars this mimics (200 ms).
///
/// # Examples
///
/// ```
/// assert_eq!(evacmap::DEFAULT_SAMPLE_INTERVAL.as_millis(), 200);
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
/// use evacmap::{EvacMap, Sampler};
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
    state: Arc<State>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct State {
    inner: Mutex<Inner>,
    wake: Condvar,
}

#[derive(Debug)]
struct Inner {
    ring: VecDeque<(u64, Stats)>,
    capacity: usize,
    stop: bool,
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
    /// let s = evacmap::Sampler::spawn(map.probe(), evacmap::DEFAULT_SAMPLE_INTERVAL, 50);
    /// drop(s); // stops and joins
    /// ```
    #[track_caller]
    pub fn spawn(probe: Probe, interval: Duration, capacity: usize) -> Sampler {
        assert!(capacity > 0, "evacmap: sampler capacity must be at least 1");
        assert!(
            !interval.is_zero(),
            "evacmap: sampler interval must be non-zero"
        );
        let state = Arc::new(State {
            inner: Mutex::new(Inner {
                ring: VecDeque::with_capacity(capacity),
                capacity,
                stop: false,
            }),
            wake: Condvar::new(),
        });
        let thread_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("evacmap-sampler".into())
            .spawn(move || run(&thread_state, &probe, interval))
            .expect("evacmap: failed to spawn the sampler thread");
        Sampler {
            state,
            thread: Some(thread),
        }
    }

    /// The samples so far, oldest first: (nanoseconds since the process-wide
    /// epoch that event timestamps also use, snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<u8, u8> = evacmap::EvacMap::new();
    /// let s = evacmap::Sampler::spawn(map.probe(), std::time::Duration::from_millis(1), 10);
    /// std::thread::sleep(std::time::Duration::from_millis(10));
    /// assert!(s.history().len() <= 10);
    /// ```
    pub fn history(&self) -> Vec<(u64, Stats)> {
        let inner = self
            .state
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        inner.ring.iter().copied().collect()
    }

    /// Stops the thread, waits for it, and returns the history.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map: evacmap::EvacMap<u8, u8> = evacmap::EvacMap::new();
    /// let s = evacmap::Sampler::spawn(map.probe(), std::time::Duration::from_millis(1), 10);
    /// let history = s.stop();
    /// assert!(history.len() <= 10);
    /// ```
    pub fn stop(mut self) -> Vec<(u64, Stats)> {
        self.shutdown();
        self.history()
    }

    fn shutdown(&mut self) {
        self.state
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .stop = true;
        self.state.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            // A panic in the sampler thread is not re-raised in `drop`.
            let _ = thread.join();
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run(state: &State, probe: &Probe, interval: Duration) {
    let mut inner = state.inner.lock().unwrap_or_else(PoisonError::into_inner);
    while !inner.stop {
        let sample = (now_ns(), probe.snapshot());
        if inner.ring.len() == inner.capacity {
            inner.ring.pop_front();
        }
        inner.ring.push_back(sample);
        inner = state
            .wake
            .wait_timeout(inner, interval)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}
