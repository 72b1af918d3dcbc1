//! How many entries each map moves while `lookup_cost` inserts N random
//! `u64` keys into a new map (same keys, same `ahash` seeds, no reserve):
//! evacmap counts its own (`Stats::entries_moved`); hashbrown moves every
//! entry present at each resize, which happens on the insert that finds
//! `len() == capacity()`. `lab/scripts/lookup-profile` divides the instructions
//! of each map's growth code by these counts. A separate program, so that
//! `lookup_cost`'s timed code is compiled exactly as before.
//!
//! Run: `cargo run --release -p evacmap-lab --bin growth_moves [N]`.

use evacmap::EvacMap;
use evacmap_lab::keys::{hasher, n_from_args, random_keys};

fn main() {
    let n = n_from_args("growth_moves", 1_000_000);
    let keys = random_keys(n, 1);
    let mut evac = EvacMap::<u64, u64, _>::with_hasher(hasher());
    let mut brown = hashbrown::HashMap::<u64, u64, _>::with_hasher(hasher());
    let mut brown_moved = 0u64;
    for &k in &keys {
        evac.insert(k, k);
        if brown.len() == brown.capacity() && !brown.contains_key(&k) {
            brown_moved += brown.len() as u64;
        }
        brown.insert(k, k);
    }
    println!(
        "entries moved by growth during the inserts: evacmap {} hashbrown {brown_moved}",
        evac.instruments().stats().entries_moved
    );
}
