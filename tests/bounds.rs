//! The work one write may do is capped by policy constants, whatever the
//! map's size: the per-operation maxima of the counters (`stats` feature)
//! after building maps through many doublings, with tiny batch constants so
//! that every cap is reached many times. (What a write's work costs in time
//! is measured by the lab, `lab attribute` and `lab scaling`; no test here
//! reads a clock.)
#![cfg(feature = "stats")]

use evacmap::instruments::Stats;
use evacmap::{BucketLayout, DefaultHashBuilder, EvacMap, GoLayout, Policy, SplitLayout};

/// Enough keys for arrays of several MiB (2^15 buckets): arrays are mapped
/// directly, given back in runs and unmapped in 2 MiB blocks.
const N: u64 = 250_000;

/// Memory regions of an array: the buckets, and in the split layout the
/// tophash words before them. A write gives back at most one run of each.
const REGIONS: u64 = 2;

/// Bytes of an overflow bucket allocated on its own, at most (a `u64`
/// bucket, with its tophash word in the split layout).
const SPILLED_BUCKET: u64 = 8 + 8 * 8 + 8 * 8 + 8 + 8;

/// The most system calls one insert makes: one `mmap` (an array allocated
/// ahead, or at a growth start without one); freeing a retiring array's
/// remainder at a growth start (one `munmap` per region and one for the
/// tail); one run (`madvise`) or one block (`munmap`) per region; and
/// freeing the old array at a growth end (as the remainder).
const CALLS_PER_WRITE: u64 = 1 + (REGIONS + 1) + REGIONS + (REGIONS + 1);

fn build<L: BucketLayout>(policy: Policy) -> Stats {
    let mut map: EvacMap<u64, u64, DefaultHashBuilder, L> = EvacMap::builder()
        .policy(policy)
        .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
        .layout::<L>()
        .build();
    for i in 0..N {
        map.insert(i, i);
    }
    map.check_invariants();
    map.instruments().stats()
}

/// Chains moved, bytes given back and freed, and system calls, per write,
/// under each pace and layout.
#[test]
fn per_write_work_stays_under_the_policy_caps() {
    let page = 4096;
    for steps in [1, 8, 64] {
        for batch in [page, 2 * page] {
            let policy = Policy::go()
                .with_cursor_steps(steps)
                .with_release_batch(batch as usize);
            for (layout, s) in [
                ("Go", build::<GoLayout>(policy)),
                ("split", build::<SplitLayout>(policy)),
            ] {
                let at = format!("{layout} layout, {steps} steps, batch {batch}: {s:?}");
                assert_eq!(s.len, N, "{at}");
                assert!(s.growths >= 14, "{at}");
                // A write evacuates its own chain and `steps` at the cursor.
                assert!(
                    s.max_buckets_evacuated_in_one_op <= 1 + steps as u64,
                    "{at}"
                );
                // One run a region, plus the overflow buckets of the chains
                // it evacuated that were allocated one by one (small arrays
                // have no pool extension): with these keys, fewer than two
                // a chain.
                let spilled = (1 + steps as u64) * 2 * SPILLED_BUCKET;
                assert!(
                    s.max_bytes_released_in_one_op <= REGIONS * batch + spilled,
                    "{at}"
                );
                assert!(s.bytes_released_early > 100 * batch, "{at}");
                // An old array is freed when less than four runs are left.
                assert!(s.max_bytes_freed_in_one_op < 4 * batch, "{at}");
                assert!(s.max_system_calls_in_one_op <= CALLS_PER_WRITE, "{at}");
                assert!(s.system_calls > s.growths, "{at}");
            }
        }
    }
}
