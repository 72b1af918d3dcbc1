//! A background thread that runs a closure every interval until stopped:
//! the loop under [`Sampler`](crate::instruments::Sampler) and
//! [`Maintainer`](crate::sharded::Maintainer).

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// The thread and its stop flag. Stopping is idempotent and joins; dropping
/// stops.
#[derive(Debug)]
pub(crate) struct Periodic {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Periodic {
    /// Spawns a thread named `name` that calls `tick(false)` at once and
    /// then every `interval` (measured from the end of the previous call),
    /// until [`stop`](Self::stop); then it calls `tick(true)` once and ends.
    ///
    /// # Panics
    ///
    /// Panics if the thread cannot be spawned.
    #[track_caller]
    pub(crate) fn spawn(
        name: &str,
        interval: Duration,
        mut tick: impl FnMut(bool) + Send + 'static,
    ) -> Periodic {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let thread_stop = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let (flag, wake) = &*thread_stop;
                let mut stopped = flag.lock().unwrap_or_else(PoisonError::into_inner);
                while !*stopped {
                    drop(stopped);
                    tick(false);
                    // Returns at once if stopped meanwhile; ignores
                    // spurious wake-ups.
                    let flag = flag.lock().unwrap_or_else(PoisonError::into_inner);
                    stopped = wake
                        .wait_timeout_while(flag, interval, |stopped| !*stopped)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
                drop(stopped);
                tick(true);
            })
            .unwrap_or_else(|e| panic!("evacmap: failed to spawn the {name} thread: {e}"));
        Periodic {
            stop,
            thread: Some(thread),
        }
    }

    /// Tells the thread to stop, wakes it, and waits for it (and for its
    /// last tick). A panic in the
    /// thread is not re-raised (this also runs in `drop`).
    pub(crate) fn stop(&mut self) {
        let (flag, wake) = &*self.stop;
        *flag.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Periodic {
    fn drop(&mut self) {
        self.stop();
    }
}
