//! The Rust maps under test behind one trait, [`LabMap`], used by the
//! experiments (through `Box<dyn LabMap<u64>>`) and by the criterion
//! benches (statically, through the constructors below). Every map hashes
//! with [`hasher`](crate::keys::hasher): `ahash` with fixed seeds. Which
//! experiments run which map is `registry.rs`'s; this file only builds
//! them by name:
//!
//! | name | map |
//! |---|---|
//! | `evacmap` | `EvacMap` with Go's policy |
//! | `evacmap/all_at_once` | the same buckets, every growth evacuated inside the insert that starts it |
//! | `evacmap/cursor_steps=N` | Go's policy with `N` cursor steps per write (any `N`: `frontier` sweeps them) |
//! | `evacmap/auto_shrink` | Go's policy plus automatic shrinking at a fill of 1/8 |
//! | `evacmap/huge_pages` | Go's policy with `Policy::with_huge_pages(true)`: large arrays ask for transparent huge pages |
//! | `evacmap/split` | Go's policy on `SplitLayout`: the tophash words in a dense array beside the buckets |
//! | `hashbrown` | `hashbrown::HashMap` (what std uses) |
//! | `std` | `std::collections::HashMap` |
//! | `griddle` | `griddle::HashMap`: hashbrown with incremental resize |
//! | `papaya` | `papaya::HashMap`, single-threaded through its pinned API (one `pin()` per operation); its default resize mode is incremental |

use std::hash::{BuildHasher, Hash};

use evacmap::{BucketLayout, EvacMap, EventKind, Policy, SplitLayout, Stats};

use crate::keys::{Hasher, hasher};

/// What the experiments and benches need from a map (values are `u64`).
pub trait LabMap<K> {
    /// Inserts or overwrites.
    fn insert(&mut self, key: K, value: u64);
    /// The value for `key`, copied.
    fn get(&self, key: &K) -> Option<u64>;
    /// Removes `key`, returning its value.
    fn remove(&mut self, key: &K) -> Option<u64>;
    /// Live entries.
    fn len(&self) -> usize;
    /// True if empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The sum of all values (a full iteration).
    fn value_sum(&self) -> u64;
    /// Room for `additional` more entries.
    fn reserve(&mut self, additional: usize);
    /// The map's `shrink_to_fit`, where it has one (papaya has none: a
    /// no-op).
    fn shrink_to_fit(&mut self);
    /// Brings the map to its steady state before read benchmarks (evacmap:
    /// finishes a growth in progress; the others: nothing).
    fn settle(&mut self) {}
    /// Entries the map holds before it grows, where it tells.
    fn capacity(&self) -> Option<usize> {
        None
    }
    /// evacmap's counters; `None` for the other maps.
    fn stats(&self) -> Option<Stats> {
        None
    }
    /// Heap bytes the table holds (evacmap: `bytes_allocated`; hashbrown:
    /// `allocation_size`); `None` where the map does not tell.
    fn table_bytes(&self) -> Option<u64> {
        None
    }
    /// How long old arrays were held over the map's life so far (evacmap);
    /// `None` for the other maps.
    fn residency(&self) -> Option<Residency> {
        None
    }
}

/// Old-array residency summed over every growth that ended: how many
/// writes and how long each old array was held, and the same weighted by
/// the old array's bytes (from the map's growth events: `GrowthStarted`
/// gives the old `B`, `GrowthFinished` the writes and wall time).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Residency {
    /// Writes during which an old array was held.
    pub writes: u64,
    /// Nanoseconds during which an old array was held.
    pub ns: u64,
    /// Sum of old-array bytes × writes held.
    pub byte_writes: f64,
    /// Sum of old-array bytes × nanoseconds held.
    pub byte_ns: f64,
}

/// Bytes of Go's array at `B = log2` (primary buckets and the pool of
/// `2^(B-4)`), given the bytes per bucket.
fn array_bytes(log2: u8, per_bucket: f64) -> f64 {
    let pool = if log2 >= 4 { 1u64 << (log2 - 4) } else { 0 };
    ((1u64 << log2) + pool) as f64 * per_bucket
}

impl<K: Hash + Eq, S: BuildHasher, L: BucketLayout> LabMap<K> for EvacMap<K, u64, S, L> {
    #[inline]
    fn insert(&mut self, key: K, value: u64) {
        EvacMap::insert(self, key, value);
    }
    #[inline]
    fn get(&self, key: &K) -> Option<u64> {
        EvacMap::get(self, key).copied()
    }
    #[inline]
    fn remove(&mut self, key: &K) -> Option<u64> {
        EvacMap::remove(self, key)
    }
    fn len(&self) -> usize {
        EvacMap::len(self)
    }
    fn value_sum(&self) -> u64 {
        self.values().fold(0, |a, v| a.wrapping_add(*v))
    }
    fn reserve(&mut self, additional: usize) {
        EvacMap::reserve(self, additional);
    }
    fn shrink_to_fit(&mut self) {
        EvacMap::shrink_to_fit(self);
    }
    fn settle(&mut self) {
        self.finish_growth();
    }
    fn capacity(&self) -> Option<usize> {
        Some(EvacMap::capacity(self))
    }
    fn stats(&self) -> Option<Stats> {
        Some(self.instruments().stats())
    }
    fn table_bytes(&self) -> Option<u64> {
        Some(self.instruments().stats().bytes_allocated)
    }
    fn residency(&self) -> Option<Residency> {
        let b = self.bucket_log2()?;
        let per_bucket = self.instruments().array_bytes() as f64 / array_bytes(b, 1.0);
        let mut r = Residency::default();
        let mut old_bytes = 0.0;
        for e in self.instruments().events() {
            match e.kind {
                EventKind::GrowthStarted { from_log2, .. }
                | EventKind::ShrinkStarted { from_log2, .. } => {
                    old_bytes = array_bytes(from_log2, per_bucket);
                }
                EventKind::GrowthFinished { writes, wall_ns } => {
                    r.writes += writes;
                    r.ns += wall_ns;
                    r.byte_writes += old_bytes * writes as f64;
                    r.byte_ns += old_bytes * wall_ns as f64;
                }
                _ => {}
            }
        }
        Some(r)
    }
}

/// The std-like maps (hashbrown, std, griddle) implement the trait alike.
macro_rules! std_like_lab_map {
    ($map:ident :: $($path:ident)::+, $bytes:expr) => {
        impl<K: Hash + Eq, S: BuildHasher> LabMap<K> for $map::$($path)::+<K, u64, S> {
            #[inline]
            fn insert(&mut self, key: K, value: u64) {
                $map::$($path)::+::insert(self, key, value);
            }
            #[inline]
            fn get(&self, key: &K) -> Option<u64> {
                $map::$($path)::+::get(self, key).copied()
            }
            #[inline]
            fn remove(&mut self, key: &K) -> Option<u64> {
                $map::$($path)::+::remove(self, key)
            }
            fn len(&self) -> usize {
                $map::$($path)::+::len(self)
            }
            fn value_sum(&self) -> u64 {
                self.values().fold(0, |a, v| a.wrapping_add(*v))
            }
            fn reserve(&mut self, additional: usize) {
                $map::$($path)::+::reserve(self, additional);
            }
            fn shrink_to_fit(&mut self) {
                $map::$($path)::+::shrink_to_fit(self);
            }
            fn capacity(&self) -> Option<usize> {
                Some($map::$($path)::+::capacity(self))
            }
            fn table_bytes(&self) -> Option<u64> {
                #[allow(clippy::redundant_closure_call)]
                ($bytes)(self)
            }
        }
    };
}
std_like_lab_map!(
    hashbrown::HashMap,
    |m: &hashbrown::HashMap<K, u64, S>| Some(m.allocation_size() as u64)
);
std_like_lab_map!(std::collections::HashMap, |_| None);
std_like_lab_map!(griddle::HashMap, |_| None);

impl<K: Hash + Eq, S: BuildHasher> LabMap<K> for papaya::HashMap<K, u64, S> {
    #[inline]
    fn insert(&mut self, key: K, value: u64) {
        self.pin().insert(key, value);
    }
    #[inline]
    fn get(&self, key: &K) -> Option<u64> {
        self.pin().get(key).copied()
    }
    #[inline]
    fn remove(&mut self, key: &K) -> Option<u64> {
        self.pin().remove(key).copied()
    }
    fn len(&self) -> usize {
        papaya::HashMap::len(self)
    }
    fn value_sum(&self) -> u64 {
        self.pin().values().fold(0, |a, v| a.wrapping_add(*v))
    }
    fn reserve(&mut self, additional: usize) {
        self.pin().reserve(additional);
    }
    fn shrink_to_fit(&mut self) {}
}

/// Go's policy with 4 cursor steps per write instead of 1: the old array
/// is released about twice as fast, for more evacuation per write.
pub const FAST_CURSOR: &str = "evacmap/cursor_steps=4";

/// Go's policy on the split-tophash layout.
pub const SPLIT: &str = "evacmap/split";

/// Go's policy with transparent huge pages asked for on large arrays.
pub const HUGE_PAGES: &str = "evacmap/huge_pages";

/// The fill at which `evacmap/auto_shrink` shrinks: Redis's 1/8.
pub const AUTO_SHRINK_FILL: f64 = 0.125;

/// Prefix of the Go-policy variants with more cursor steps per write.
const CURSOR_STEPS: &str = "evacmap/cursor_steps=";

/// The policy of an evacmap map name, or `None` for the other maps.
///
/// # Errors
///
/// A message naming the map if the name is not one of the table above.
pub fn evacmap_policy(name: &str) -> Result<Option<Policy>, String> {
    Ok(Some(match name {
        "evacmap" => Policy::go(),
        "evacmap/all_at_once" => Policy::all_at_once(),
        "evacmap/auto_shrink" => Policy::go().with_auto_shrink(AUTO_SHRINK_FILL),
        HUGE_PAGES => Policy::go().with_huge_pages(true),
        SPLIT => Policy::go(),
        other if other.starts_with(CURSOR_STEPS) => {
            let steps = other[CURSOR_STEPS.len()..]
                .parse()
                .map_err(|_| format!("bad cursor steps in map name {other:?}"))?;
            Policy::go().with_cursor_steps(steps)
        }
        "hashbrown" | "std" | "griddle" | "papaya" => return Ok(None),
        other => return Err(format!("unknown map {other:?}")),
    }))
}

/// An evacmap with `policy` and the lab's hasher.
pub fn evacmap<K>(policy: Policy) -> EvacMap<K, u64, Hasher> {
    EvacMap::builder().policy(policy).hasher(hasher()).build()
}

/// An evacmap on the split-tophash layout with `policy` and the lab's
/// hasher.
pub fn evacmap_split<K>(policy: Policy) -> EvacMap<K, u64, Hasher, SplitLayout> {
    EvacMap::builder()
        .layout::<SplitLayout>()
        .policy(policy)
        .hasher(hasher())
        .build()
}

/// A hashbrown map with the lab's hasher.
pub fn hashbrown<K>() -> hashbrown::HashMap<K, u64, Hasher> {
    hashbrown::HashMap::with_hasher(hasher())
}

/// A std map with the lab's hasher.
pub fn std_map<K>() -> std::collections::HashMap<K, u64, Hasher> {
    std::collections::HashMap::with_hasher(hasher())
}

/// A griddle map with the lab's hasher.
pub fn griddle<K>() -> griddle::HashMap<K, u64, Hasher> {
    griddle::HashMap::with_hasher(hasher())
}

/// A papaya map with the lab's hasher and its default (incremental)
/// resize mode.
pub fn papaya<K>() -> papaya::HashMap<K, u64, Hasher> {
    papaya::HashMap::with_hasher(hasher())
}

/// A new, empty map by name (see the table above).
///
/// # Errors
///
/// A message naming the map if the name is unknown.
pub fn make<K: Hash + Eq + 'static>(name: &str) -> Result<Box<dyn LabMap<K>>, String> {
    if let Some(policy) = evacmap_policy(name)? {
        if name == SPLIT {
            return Ok(Box::new(evacmap_split::<K>(policy)));
        }
        return Ok(Box::new(evacmap::<K>(policy)));
    }
    Ok(match name {
        "hashbrown" => Box::new(hashbrown::<K>()),
        "std" => Box::new(std_map::<K>()),
        "griddle" => Box::new(griddle::<K>()),
        "papaya" => Box::new(papaya::<K>()),
        other => return Err(format!("unknown map {other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_map_behaves_like_a_map() {
        let rust = crate::registry::MAPS.iter().filter(|m| {
            matches!(
                m.kind,
                crate::registry::Kind::Evacmap | crate::registry::Kind::Peer
            )
        });
        for name in rust.map(|m| m.name).chain(["evacmap/cursor_steps=64"]) {
            let mut m = make::<u64>(name).unwrap();
            for i in 0..1000 {
                m.insert(i, i * 2);
            }
            m.insert(5, 7);
            assert_eq!(m.len(), 1000, "{name}");
            assert_eq!(m.get(&5), Some(7), "{name}");
            assert_eq!(m.remove(&6), Some(12), "{name}");
            assert_eq!(m.get(&6), None, "{name}");
            m.settle();
            let expect = (0..1000u64).map(|i| i * 2).sum::<u64>() - 10 + 7 - 12;
            assert_eq!(m.value_sum(), expect, "{name}");
        }
        assert!(make::<u64>("nope").is_err());
        assert!(make::<u64>("evacmap/cursor_steps=x").is_err());
    }
}
