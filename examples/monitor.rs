//! Watching a map from another thread: a `Probe` gives consistent `Stats`
//! snapshots and the growth events while the owner keeps writing, and a
//! `Sampler` records a snapshot every interval into a fixed ring (the
//! monitoring the Go services this crate is about built by hand). The
//! owner calls `publish()` when its writes stop, so the last snapshot is
//! exact (publications are otherwise every `Policy::publish_interval()`
//! writes and on every growth event).
//!
//! Run: `cargo run --release --example monitor [N]` (default 2,000,000).

use std::time::Duration;

use evacmap::EvacMap;
use evacmap::instruments::{EventKind, Sampler};

fn main() {
    let n: u64 = match std::env::args().nth(1).map(|a| a.replace('_', "").parse()) {
        None => 2_000_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: monitor [N]   (N = keys, default 2000000)");
            std::process::exit(2);
        }
    };
    let mut map = EvacMap::new();
    let probe = map.probe();
    let sampler = Sampler::spawn(probe.clone(), Duration::from_millis(20), 1024);
    for i in 0..n {
        map.insert(i, i);
    }
    // Without this, the probe can lag by up to `publish_interval` writes.
    map.publish();
    std::thread::sleep(Duration::from_millis(50)); // one more sample
    let history = sampler.stop();
    println!("{:>10} {:>10} {:>6} {:>14}", "ms", "len", "B", "old bytes");
    let t0 = history.first().map_or(0, |h| h.0);
    for (ns, s) in &history {
        println!(
            "{:>10.1} {:>10} {:>6} {:>14}",
            (ns - t0) as f64 / 1e6,
            s.len,
            s.bucket_count.max(1).ilog2(),
            s.old_bytes_held
        );
    }
    let last = probe.snapshot();
    assert_eq!(last.len, n, "published after the last write");
    let events = probe.events_since(0);
    let growths = events
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::GrowthStarted { .. }))
        .count();
    println!(
        "\nprobe: len {} (exact after publish()), {growths} growth-start events read, {} lost",
        last.len, events.lost
    );
}
