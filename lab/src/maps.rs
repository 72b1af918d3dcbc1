//! The maps under test, behind one trait, all hashing with `ahash` with the
//! same fixed seeds.

use std::hash::BuildHasher;

use evacmap::{EvacMap, Policy};

/// The hasher every map uses.
pub(crate) type Hasher = ahash::RandomState;

pub(crate) fn hasher() -> Hasher {
    Hasher::with_seeds(1, 2, 3, 4)
}

/// What the experiments need from a map.
pub(crate) trait LabMap {
    fn insert(&mut self, key: u64, value: u64);
    fn len(&self) -> usize;
}

impl<S: BuildHasher> LabMap for EvacMap<u64, u64, S> {
    #[inline]
    fn insert(&mut self, key: u64, value: u64) {
        EvacMap::insert(self, key, value);
    }
    fn len(&self) -> usize {
        EvacMap::len(self)
    }
}

impl<S: BuildHasher> LabMap for hashbrown::HashMap<u64, u64, S> {
    #[inline]
    fn insert(&mut self, key: u64, value: u64) {
        hashbrown::HashMap::insert(self, key, value);
    }
    fn len(&self) -> usize {
        hashbrown::HashMap::len(self)
    }
}

impl<S: BuildHasher> LabMap for std::collections::HashMap<u64, u64, S> {
    #[inline]
    fn insert(&mut self, key: u64, value: u64) {
        std::collections::HashMap::insert(self, key, value);
    }
    fn len(&self) -> usize {
        std::collections::HashMap::len(self)
    }
}

/// The four maps every experiment compares, by name.
pub(crate) const NAMES: [&str; 4] = ["evacmap", "evacmap/all_at_once", "hashbrown", "std"];

/// A new, empty map by name.
pub(crate) fn make(name: &str) -> Box<dyn LabMap> {
    match name {
        "evacmap" => Box::new(EvacMap::<u64, u64, _>::with_policy_and_hasher(
            Policy::go(),
            hasher(),
        )),
        "evacmap/all_at_once" => Box::new(EvacMap::<u64, u64, _>::with_policy_and_hasher(
            Policy::all_at_once(),
            hasher(),
        )),
        "hashbrown" => Box::new(hashbrown::HashMap::<u64, u64, _>::with_hasher(hasher())),
        "std" => Box::new(std::collections::HashMap::<u64, u64, _>::with_hasher(
            hasher(),
        )),
        other => unreachable!("unknown map {other}"),
    }
}

/// `n` pseudo-random keys (splitmix64), distinct with overwhelming probability.
pub(crate) fn random_keys(n: usize, seed: u64) -> Vec<u64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
        .collect()
}
