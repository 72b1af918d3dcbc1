//! loom models of the probe's publication protocol (`src/probe.rs`): the
//! seqlock that publishes `Stats` and the ring that publishes events.
//!
//! The models drive the crate's own `SeqLock` and `EventRing` (exposed only
//! in loom builds) with 3-word payloads. The map publishes 25-word
//! snapshots through the same code, and 25 relaxed words per publication are
//! beyond exhaustive exploration (two publications did not finish in 8
//! minutes). The protocol does not depend on the word count. The full-size
//! instance is covered at scale by `tests/probe.rs`, with real threads.
//!
//! Run: `scripts/test-all`, or from this directory:
//! `RUSTFLAGS="--cfg evacmap_loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release`
#![cfg(evacmap_loom)]

use evacmap::loom_hooks::{EventRing, SeqLock};
use loom::sync::Arc;
use loom::thread;

const WORDS: usize = 3;

/// A publication `k` is `[k, 10k, 100k]`: a snapshot mixing two
/// publications is visible as a mismatch.
fn publication(k: u64) -> [u64; WORDS] {
    [k, 10 * k, 100 * k]
}

/// Reads one snapshot and checks it is whole; returns its `k`.
fn read_whole(lock: &SeqLock) -> u64 {
    let mut out = [0; WORDS];
    lock.read(&mut out);
    assert_eq!(out, publication(out[0]), "torn snapshot");
    out[0]
}

#[test]
fn one_writer_three_publications_one_reader() {
    loom::model(|| {
        let lock = Arc::new(SeqLock::new(WORDS));
        let reader = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                let a = read_whole(&lock);
                let b = read_whole(&lock);
                assert!(a <= b, "counters went back: {a} then {b}");
            })
        };
        for k in 1..=3 {
            lock.write(&publication(k));
        }
        reader.join().unwrap();
        assert_eq!(read_whole(&lock), 3);
    });
}

#[test]
fn one_writer_two_publications_two_readers() {
    // Two readers that retry (spinning, yielding) while the writer is
    // preempted make loom explore endless alternations between them, beyond
    // any branch budget. So here each reader makes one attempt (`try_read`,
    // the validated copy that `read` retries): if it succeeds it must hold
    // one whole publication. (Two attempts per reader did not finish in 8
    // minutes; monotonicity across attempts is checked with one reader.)
    loom::model(|| {
        let lock = Arc::new(SeqLock::new(WORDS));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let lock = Arc::clone(&lock);
                thread::spawn(move || {
                    let mut out = [0; WORDS];
                    if lock.try_read(&mut out) {
                        assert_eq!(out, publication(out[0]), "torn snapshot");
                    }
                })
            })
            .collect();
        for k in 1..=2 {
            lock.write(&publication(k));
        }
        for r in readers {
            r.join().unwrap();
        }
    });
}

#[test]
fn event_ring_read_concurrently_without_duplicates_or_gaps() {
    loom::model(|| {
        // Three records into a ring of two: a slow reader loses at least one
        // and must count it; it may never see a record twice or torn.
        let ring = Arc::new(EventRing::new(2, 2, 0));
        let reader = {
            let ring = Arc::clone(&ring);
            thread::spawn(move || {
                let mut seen = Vec::new();
                let mut buf = [0; 2];
                let mut next = 0;
                let mut lost = 0;
                for _ in 0..2 {
                    let (l, n) = ring.read_since(next, &mut buf, |w| {
                        assert_eq!(w[1], 10 * w[0], "torn record {w:?}");
                        seen.push(w[0]);
                    });
                    lost += l;
                    next = n;
                }
                assert!(
                    seen.windows(2).all(|w| w[0] < w[1]),
                    "duplicate or out of order: {seen:?}"
                );
                assert_eq!(
                    seen.len() as u64 + lost,
                    next,
                    "gap not counted as lost: {seen:?}"
                );
            })
        };
        for n in 0..3 {
            ring.push(n, &[n, 10 * n]);
        }
        reader.join().unwrap();
    });
}

/// The canary: a writer that skips the seqlock's "in progress" mark. loom
/// must find the torn snapshot, which shows the models above can fail.
#[test]
#[should_panic(expected = "torn snapshot")]
fn canary_broken_protocol_is_caught() {
    loom::model(|| {
        let lock = Arc::new(SeqLock::new(WORDS));
        let reader = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || read_whole(&lock))
        };
        lock.write_broken(&publication(1));
        reader.join().unwrap();
    });
}
