//! A concurrent map shared by threads: `ShardedEvacMap` behind an `Arc`,
//! two writers and a reader, and a `Maintainer` that finishes growths (and
//! gives old arrays back) once the writers stop.
//!
//! Run: `cargo run --release --example sharded [N]` (default 1,000,000
//! keys per writer).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use evacmap::sharded::{Maintainer, ShardedEvacMap};

fn main() {
    let n: u64 = match std::env::args().nth(1).map(|a| a.replace('_', "").parse()) {
        None => 1_000_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: sharded [N]   (N = keys per writer, default 1000000)");
            std::process::exit(2);
        }
    };
    let map: Arc<ShardedEvacMap<u64, u64>> = Arc::new(ShardedEvacMap::new());
    // Every millisecond, up to 256 old buckets move, 16 per lock hold.
    let maintainer = Maintainer::spawn(Arc::clone(&map), Duration::from_millis(1), 256);
    let done = AtomicBool::new(false);
    let start = Instant::now();
    let lookups = std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut found = 0u64;
            while !done.load(Ordering::Relaxed) {
                found += u64::from(map.contains_key(&(found % n)));
            }
            found
        });
        let writers: Vec<_> = (0..2u64)
            .map(|t| {
                let map = &map;
                s.spawn(move || {
                    for i in 0..n {
                        map.insert(t * n + i, i);
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, Ordering::Relaxed);
        reader.join().unwrap()
    });
    println!(
        "2 writers inserted {} keys in {:.0} ms while a reader found {lookups} of its lookups",
        map.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "right after the writers: growing {}, {} bytes of old arrays held",
        map.is_evacuating(),
        map.instruments().stats().old_bytes_held
    );
    while map.holds_old_memory() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let moved = maintainer.stop();
    let s = map.instruments().stats();
    println!(
        "the maintainer moved {moved} old buckets; now {} bytes held by old arrays, {} growths in all",
        s.old_bytes_held, s.growths
    );
    assert_eq!(map.len() as u64, 2 * n);
    assert_eq!(map.get_cloned(&(n + 7)), Some(7));
}
