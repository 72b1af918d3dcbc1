//! The maps under test, behind one trait, all hashing with `ahash` with the
//! same fixed seeds.

use std::hash::BuildHasher;

use evacmap::{EvacMap, Policy, Stats};

/// The hasher every map uses.
pub(crate) type Hasher = ahash::RandomState;

pub(crate) fn hasher() -> Hasher {
    Hasher::with_seeds(1, 2, 3, 4)
}

/// What the experiments need from a map.
pub(crate) trait LabMap {
    fn insert(&mut self, key: u64, value: u64);
    fn get(&self, key: u64) -> bool;
    fn remove(&mut self, key: u64);
    fn len(&self) -> usize;
    /// evacmap's counters; `None` for the other maps.
    fn stats(&self) -> Option<Stats> {
        None
    }
    /// Heap bytes the table holds (evacmap: `bytes_allocated`; hashbrown:
    /// `allocation_size`); `None` where the map does not tell.
    fn table_bytes(&self) -> Option<u64> {
        None
    }
    /// The map's `shrink_to_fit`.
    fn shrink_to_fit(&mut self);
}

impl<S: BuildHasher> LabMap for EvacMap<u64, u64, S> {
    #[inline]
    fn insert(&mut self, key: u64, value: u64) {
        EvacMap::insert(self, key, value);
    }
    #[inline]
    fn get(&self, key: u64) -> bool {
        EvacMap::contains_key(self, &key)
    }
    #[inline]
    fn remove(&mut self, key: u64) {
        EvacMap::remove(self, &key);
    }
    fn len(&self) -> usize {
        EvacMap::len(self)
    }
    fn stats(&self) -> Option<Stats> {
        Some(EvacMap::stats(self))
    }
    fn table_bytes(&self) -> Option<u64> {
        Some(EvacMap::stats(self).bytes_allocated)
    }
    fn shrink_to_fit(&mut self) {
        EvacMap::shrink_to_fit(self);
    }
}

impl<S: BuildHasher> LabMap for hashbrown::HashMap<u64, u64, S> {
    #[inline]
    fn insert(&mut self, key: u64, value: u64) {
        hashbrown::HashMap::insert(self, key, value);
    }
    #[inline]
    fn get(&self, key: u64) -> bool {
        hashbrown::HashMap::contains_key(self, &key)
    }
    #[inline]
    fn remove(&mut self, key: u64) {
        hashbrown::HashMap::remove(self, &key);
    }
    fn len(&self) -> usize {
        hashbrown::HashMap::len(self)
    }
    fn table_bytes(&self) -> Option<u64> {
        Some(hashbrown::HashMap::allocation_size(self) as u64)
    }
    fn shrink_to_fit(&mut self) {
        hashbrown::HashMap::shrink_to_fit(self);
    }
}

impl<S: BuildHasher> LabMap for std::collections::HashMap<u64, u64, S> {
    #[inline]
    fn insert(&mut self, key: u64, value: u64) {
        std::collections::HashMap::insert(self, key, value);
    }
    #[inline]
    fn get(&self, key: u64) -> bool {
        std::collections::HashMap::contains_key(self, &key)
    }
    #[inline]
    fn remove(&mut self, key: u64) {
        std::collections::HashMap::remove(self, &key);
    }
    fn len(&self) -> usize {
        std::collections::HashMap::len(self)
    }
    fn shrink_to_fit(&mut self) {
        std::collections::HashMap::shrink_to_fit(self);
    }
}

/// The four maps every experiment compares, by name.
pub(crate) const NAMES: [&str; 4] = ["evacmap", "evacmap/all_at_once", "hashbrown", "std"];

/// Go's policy with 4 cursor steps per write instead of 1: the old array
/// is released about twice as fast, for more evacuation per write. `pause`
/// and `memory` add it to `NAMES` (issue 5's peak-memory target).
pub(crate) const FAST_CURSOR: &str = "evacmap/cursor_steps=4";

/// The fill at which `evacmap/auto_shrink` shrinks: Redis's 1/8.
pub(crate) const AUTO_SHRINK_FILL: f64 = 0.125;

/// Prefix of the Go-policy variants with more cursor steps per write
/// (`evacmap/cursor_steps=4`).
pub(crate) const CURSOR_STEPS: &str = "evacmap/cursor_steps=";

/// A new, empty map by name (one of `NAMES`, `evacmap/auto_shrink`, or
/// `evacmap/cursor_steps=N`).
pub(crate) fn make(name: &str) -> Box<dyn LabMap> {
    match name {
        "evacmap" => Box::new(EvacMap::<u64, u64, _>::with_policy_and_hasher(
            Policy::go(),
            hasher(),
        )),
        "evacmap/auto_shrink" => Box::new(EvacMap::<u64, u64, _>::with_policy_and_hasher(
            Policy::go().with_auto_shrink(AUTO_SHRINK_FILL),
            hasher(),
        )),
        "evacmap/all_at_once" => Box::new(EvacMap::<u64, u64, _>::with_policy_and_hasher(
            Policy::all_at_once(),
            hasher(),
        )),
        other if other.starts_with(CURSOR_STEPS) => {
            let steps = other[CURSOR_STEPS.len()..]
                .parse()
                .unwrap_or_else(|_| panic!("bad cursor steps in {other}"));
            Box::new(EvacMap::<u64, u64, _>::with_policy_and_hasher(
                Policy::go().with_cursor_steps(steps),
                hasher(),
            ))
        }
        "hashbrown" => Box::new(hashbrown::HashMap::<u64, u64, _>::with_hasher(hasher())),
        "std" => Box::new(std::collections::HashMap::<u64, u64, _>::with_hasher(
            hasher(),
        )),
        other => unreachable!("unknown map {other}"),
    }
}

/// Key number `i` of the stream with this seed (splitmix64 of `seed + i`):
/// distinct with overwhelming probability, computable without storing.
pub(crate) fn key(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_add(i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The first `n` keys of the stream with this seed.
pub(crate) fn random_keys(n: usize, seed: u64) -> Vec<u64> {
    (0..n as u64).map(|i| key(seed, i)).collect()
}
