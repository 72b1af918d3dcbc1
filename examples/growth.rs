//! Watch incremental evacuation happen: inserts keys one by one, prints a
//! line whenever a growth starts or finishes, then shows that a read-only
//! phase keeps the old buckets alive and that `evacuate_for` releases them,
//! and ends with the map's own counters.
//!
//! Run: `cargo run --release --example growth [N]` (default 900,000: stops mid-growth).

use std::time::{Duration, Instant};

use evacmap::EvacMap;

fn main() {
    let n: u64 = match std::env::args().nth(1).map(|a| a.replace('_', "").parse()) {
        None => 900_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: growth [N]   (N = number of keys, default 900000)");
            std::process::exit(2);
        }
    };
    let mut map = EvacMap::new();
    let mut started_at = None;
    println!(
        "{:>10} {:>6} {:>12} {:>22}",
        "len", "B", "array bytes", "event"
    );
    for i in 0..n {
        let was_growing = map.is_evacuating();
        let log2 = map.bucket_log2();
        map.insert(i, i);
        match (was_growing, map.phase().progress()) {
            // Tables of 1 or 2 buckets: the insert that starts the growth
            // also evacuates every old bucket.
            (false, None) if log2.is_some() && map.bucket_log2() != log2 => println!(
                "{:>10} {:>6} {:>12} {:>22}",
                map.len(),
                map.bucket_log2().unwrap(),
                map.instruments().array_bytes(),
                format!("growth, done at once ({} old)", 1u32 << log2.unwrap())
            ),
            (false, Some(p)) => {
                started_at = Some(i);
                println!(
                    "{:>10} {:>6} {:>12} {:>22}",
                    map.len(),
                    map.bucket_log2().unwrap(),
                    map.instruments().array_bytes(),
                    format!("growth starts ({} old)", p.total)
                );
            }
            (true, None) => println!(
                "{:>10} {:>6} {:>12} {:>22}",
                map.len(),
                map.bucket_log2().unwrap(),
                map.instruments().array_bytes(),
                format!("done after {} writes", i - started_at.unwrap_or(i))
            ),
            _ => {}
        }
    }
    match map.phase().progress() {
        None => println!("\nno growth in progress after {n} inserts"),
        Some(p) => {
            println!(
                "\nafter {n} inserts: {} of {} old buckets evacuated",
                p.evacuated, p.total
            );
            for _ in 0..3 {
                for i in 0..n {
                    assert_eq!(map.get(&i), Some(&i));
                }
            }
            let q = map.phase().progress().unwrap();
            println!(
                "after {} reads: still {} of {} evacuated, {} bytes of bucket arrays held",
                3 * n,
                q.evacuated,
                q.total,
                map.instruments().array_bytes()
            );
            println!(
                "old-array bytes held: {}",
                map.instruments().stats().old_bytes_held
            );
            let start = Instant::now();
            let mut ticks = 0;
            // Until the old array is gone: the growth, then the retired
            // remainder of its pages.
            while map.holds_old_memory() {
                map.evacuate_for(Duration::from_millis(1));
                ticks += 1;
            }
            println!(
                "evacuate_for(1ms) x {ticks} ({:.1} ms): old array released, {} old bytes held, \
                 {} bytes of bucket arrays in all",
                start.elapsed().as_secs_f64() * 1e3,
                map.instruments().stats().old_bytes_held,
                map.instruments().array_bytes()
            );
        }
    }
    let s = map.instruments().stats();
    println!(
        "\nstats: {} growths ({} completed incrementally, {} forced), {} entries moved;\n\
         most work in one operation: {} entries, {} buckets; peak bucket memory {} bytes;\n\
         last growth took {} writes and {:.1} ms",
        s.growths,
        s.growths_completed,
        s.forced_completions,
        s.entries_moved,
        s.max_entries_moved_in_one_op,
        s.max_buckets_evacuated_in_one_op,
        s.peak_bytes_allocated,
        s.last_growth_writes,
        s.last_growth_wall_ns as f64 / 1e6
    );
}
