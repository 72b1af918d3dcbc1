//! [`Maintainer`]: a thread that calls [`ShardedEvacMap::maintain`] on a
//! timer, so that old buckets are released even when writes stop.

use core::hash::{BuildHasher, Hash};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::ShardedEvacMap;
use crate::instruments::periodic::Periodic;

/// A background thread that calls [`ShardedEvacMap::maintain`] with a
/// fixed budget every interval. Stopped (and joined) by
/// [`stop`](Self::stop) or on drop.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use evacmap::{DefaultHashBuilder, Policy, sharded::{Maintainer, ShardedEvacMap}};
///
/// // No cursor steps: writes only evacuate the old buckets they touch, so
/// // with these seeds a growth is left for the maintainer whenever its
/// // thread gets to run (during the inserts or after them).
/// let map = Arc::new(
///     ShardedEvacMap::builder()
///         .shards(2)
///         .policy(Policy::go().with_cursor_steps(0))
///         .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
///         .build(),
/// );
/// let maintainer = Maintainer::spawn(Arc::clone(&map), Duration::from_millis(1), 256);
/// for i in 0..10_000u32 {
///     map.insert(i, i);
/// }
/// // Writes have stopped; the maintainer finishes the growths and gives
/// // the old arrays back.
/// while map.holds_old_memory() {
///     std::thread::sleep(Duration::from_millis(1));
/// }
/// assert!(maintainer.stop() > 0);
/// assert_eq!(map.instruments().stats().old_bytes_held, 0);
/// ```
#[derive(Debug)]
pub struct Maintainer {
    moved: Arc<AtomicU64>,
    thread: Periodic,
}

impl Maintainer {
    /// Starts a thread that calls `map.maintain(per_tick_budget)` at once
    /// and then every `interval`.
    ///
    /// # Panics
    ///
    /// Panics if `per_tick_budget` is 0 or `interval` is zero, or if the
    /// thread cannot be spawned.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use evacmap::sharded::{Maintainer, ShardedEvacMap};
    ///
    /// let map: Arc<ShardedEvacMap<u32, u32>> = Arc::new(ShardedEvacMap::new());
    /// let m = Maintainer::spawn(map, Duration::from_millis(10), 64);
    /// drop(m); // stops and joins
    /// ```
    #[track_caller]
    pub fn spawn<K, V, S>(
        map: Arc<ShardedEvacMap<K, V, S>>,
        interval: Duration,
        per_tick_budget: usize,
    ) -> Maintainer
    where
        K: Hash + Eq + Send + Sync + 'static,
        V: Send + Sync + 'static,
        S: BuildHasher + Send + Sync + 'static,
    {
        assert!(
            per_tick_budget > 0,
            "evacmap: maintainer budget must be at least 1"
        );
        assert!(
            !interval.is_zero(),
            "evacmap: maintainer interval must be non-zero"
        );
        let moved = Arc::new(AtomicU64::new(0));
        let thread_moved = Arc::clone(&moved);
        let thread = Periodic::spawn("evacmap-maintainer", interval, move |last| {
            if last {
                // Stopped (or dropped): publish every shard's counters, so
                // probes see the map as it is, not up to
                // `publish_interval` writes behind.
                map.publish();
            } else {
                let n = map.maintain(per_tick_budget) as u64;
                thread_moved.fetch_add(n, Ordering::Relaxed);
            }
        });
        Maintainer { moved, thread }
    }

    /// Old buckets moved by this maintainer so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let map: Arc<evacmap::sharded::ShardedEvacMap<u8, u8>> = Arc::default();
    /// let m = evacmap::sharded::Maintainer::spawn(map, std::time::Duration::from_millis(1), 8);
    /// assert_eq!(m.moved(), 0); // nothing is growing
    /// ```
    pub fn moved(&self) -> u64 {
        self.moved.load(Ordering::Relaxed)
    }

    /// Stops the thread, publishes every shard's counters to its probes
    /// (as dropping the maintainer also does), waits for the thread, and
    /// returns the old buckets it moved.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let map: Arc<evacmap::sharded::ShardedEvacMap<u8, u8>> = Arc::default();
    /// let m = evacmap::sharded::Maintainer::spawn(map, std::time::Duration::from_millis(1), 8);
    /// assert_eq!(m.stop(), 0);
    /// ```
    pub fn stop(mut self) -> u64 {
        self.thread.stop();
        self.moved()
    }
}
