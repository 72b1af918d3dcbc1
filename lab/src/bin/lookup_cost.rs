//! The workload behind `lab/scripts/lookup-profile`: inserts N random `u64`
//! keys into a new evacmap, a new evacmap on the split-tophash layout
//! (`evacsplit`) and a new hashbrown map (same `ahash` seeds, no reserve),
//! then looks up N present keys (shuffled) and N absent keys in each, one
//! `#[inline(never)]` function per (map, phase), so that callgrind can
//! report instructions and simulated cache misses per operation.
//!
//! Run: `cargo run --release -p evacmap-lab --bin lookup_cost [N]` (default 1,000,000)
//! prints ns per operation for each phase (wall clock, one run).

use std::hint::black_box;
use std::time::Instant;

use evacmap::{EvacMap, SplitLayout};
use evacmap_lab::keys::{Hasher, hasher, n_from_args, random_keys, shuffled_indices};

type Evac = EvacMap<u64, u64, Hasher>;
type Split = EvacMap<u64, u64, Hasher, SplitLayout>;
type Brown = hashbrown::HashMap<u64, u64, Hasher>;

#[inline(never)]
fn evacmap_insert(keys: &[u64]) -> Evac {
    let mut map = Evac::with_hasher(hasher());
    for &k in keys {
        map.insert(k, k);
    }
    map
}

#[inline(never)]
fn evacsplit_insert(keys: &[u64]) -> Split {
    let mut map = EvacMap::builder()
        .layout::<SplitLayout>()
        .policy(evacmap::Policy::go())
        .hasher(hasher())
        .build();
    for &k in keys {
        map.insert(k, k);
    }
    map
}

#[inline(never)]
fn evacsplit_hit(map: &Split, keys: &[u64]) -> usize {
    keys.iter().filter(|&k| map.get(k).is_some()).count()
}

#[inline(never)]
fn evacsplit_miss(map: &Split, keys: &[u64]) -> usize {
    keys.iter().rev().filter(|&k| map.get(k).is_none()).count()
}

#[inline(never)]
fn hashbrown_insert(keys: &[u64]) -> Brown {
    let mut map = Brown::with_hasher(hasher());
    for &k in keys {
        map.insert(k, k);
    }
    map
}

#[inline(never)]
fn evacmap_hit(map: &Evac, keys: &[u64]) -> usize {
    keys.iter().filter(|&k| map.get(k).is_some()).count()
}

// The miss functions walk backwards and count `is_none()`, so that the
// compiler cannot fold them into the hit functions (callgrind would then
// see one function).
#[inline(never)]
fn evacmap_miss(map: &Evac, keys: &[u64]) -> usize {
    keys.iter().rev().filter(|&k| map.get(k).is_none()).count()
}

#[inline(never)]
fn hashbrown_hit(map: &Brown, keys: &[u64]) -> usize {
    keys.iter().filter(|&k| map.get(k).is_some()).count()
}

#[inline(never)]
fn hashbrown_miss(map: &Brown, keys: &[u64]) -> usize {
    keys.iter().rev().filter(|&k| map.get(k).is_none()).count()
}

fn main() {
    let n = n_from_args("lookup_cost", 1_000_000);
    let present = random_keys(n, 1);
    let absent = random_keys(n, 2);
    let shuffled: Vec<u64> = shuffled_indices(n, 3)
        .into_iter()
        .map(|i| present[i])
        .collect();
    let t = Instant::now();
    let mut evac = evacmap_insert(&present);
    let ei = t.elapsed().as_nanos() as f64 / n as f64;
    let t = Instant::now();
    let mut split = evacsplit_insert(&present);
    let si = t.elapsed().as_nanos() as f64 / n as f64;
    let t = Instant::now();
    let brown = hashbrown_insert(&present);
    let bi = t.elapsed().as_nanos() as f64 / n as f64;
    evac.finish_evacuation();
    split.finish_evacuation();
    let time = |f: &dyn Fn() -> usize, expect: usize| {
        let t = Instant::now();
        assert_eq!(black_box(f()), expect);
        t.elapsed().as_nanos() as f64 / n as f64
    };
    let eh = time(&|| evacmap_hit(&evac, &shuffled), n);
    let em = time(&|| evacmap_miss(&evac, &absent), n);
    let sh = time(&|| evacsplit_hit(&split, &shuffled), n);
    let sm = time(&|| evacsplit_miss(&split, &absent), n);
    let bh = time(&|| hashbrown_hit(&brown, &shuffled), n);
    let bm = time(&|| hashbrown_miss(&brown, &absent), n);
    println!(
        "ns/op: evacmap insert {ei:.1} hit {eh:.1} miss {em:.1}; \
         hashbrown insert {bi:.1} hit {bh:.1} miss {bm:.1}; \
         ratios insert {:.2} hit {:.2} miss {:.2}; \
         evacsplit insert {si:.1} hit {sh:.1} miss {sm:.1}",
        ei / bi,
        eh / bh,
        em / bm
    );
}
