//! The maps under test: the adapter every single-threaded Rust map
//! implements, [`LabMap`] (used by the experiments and the criterion
//! benches through `Box<dyn LabMap<K>>`), and their constructors; the
//! concurrent maps' adapter ([`shared`]); the registry of every map with
//! its constructor ([`registry`]); Go's toolchains ([`go`]). Every map
//! hashes with [`hasher`](crate::keys::hasher): `ahash` with fixed seeds.
//!
//! A map is built by its registry name with [`make`]; evacmap settings
//! that are not registered on their own (`evacmap/cursor_steps=N`, which
//! `frontier` sweeps) are built from their names too.

pub mod go;
pub mod registry;
pub mod shared;

use std::hash::{BuildHasher, Hash};

use evacmap::instruments::{EventKind, Stats};
use evacmap::{BucketLayout, EvacMap, Policy, SplitLayout};

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
    /// evacmap's policy; `None` for the other maps.
    fn policy(&self) -> Option<evacmap::Policy> {
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
/// gives the old `B`, `GrowthFinished` and `ShrinkFinished` the writes and
/// wall time).
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
        self.finish_evacuation();
    }
    fn capacity(&self) -> Option<usize> {
        Some(EvacMap::capacity(self))
    }
    fn stats(&self) -> Option<Stats> {
        Some(self.instruments().stats())
    }
    fn policy(&self) -> Option<evacmap::Policy> {
        Some(EvacMap::policy(self))
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
                EventKind::GrowthFinished { writes, wall_ns }
                | EventKind::ShrinkFinished {
                    writes, wall_ns, ..
                } => {
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

/// The fill at which `evacmap/auto_shrink` shrinks: Redis's 1/8.
pub const AUTO_SHRINK_FILL: f64 = 0.125;

/// Prefix of the Go-policy settings with more cursor steps per write.
pub const CURSOR_STEPS: &str = "evacmap/cursor_steps=";

/// An evacmap with `policy` and the lab's hasher.
pub fn evacmap<K>(policy: Policy) -> EvacMap<K, u64, Hasher> {
    EvacMap::builder().policy(policy).hasher(hasher()).build()
}

/// An evacmap on the split-tophash layout with `policy` and the lab's
/// hasher.
pub fn evacmap_split<K>(policy: Policy) -> EvacMap<K, u64, Hasher, SplitLayout> {
    evacmap_layout::<K, SplitLayout>(policy)
}

/// An evacmap on layout `L` with `policy` and the lab's hasher.
pub fn evacmap_layout<K, L: evacmap::BucketLayout>(policy: Policy) -> EvacMap<K, u64, Hasher, L> {
    EvacMap::builder()
        .layout::<L>()
        .policy(policy)
        .hasher(hasher())
        .build()
}

/// How to build one single-threaded Rust map, for each key type the lab
/// uses (`u64` keys, and the path strings of `throughput`).
#[derive(Clone, Copy, Debug)]
pub struct Maker {
    /// A new, empty map for `u64` keys.
    pub u64: fn() -> Box<dyn LabMap<u64>>,
    /// A new, empty map for `String` keys.
    pub string: fn() -> Box<dyn LabMap<String>>,
}

/// The key types a [`Maker`] builds maps for.
pub trait Key: Hash + Eq + 'static {
    /// The maker's constructor for this key type.
    fn pick(maker: &Maker) -> fn() -> Box<dyn LabMap<Self>>;
}

impl Key for u64 {
    fn pick(maker: &Maker) -> fn() -> Box<dyn LabMap<u64>> {
        maker.u64
    }
}

impl Key for String {
    fn pick(maker: &Maker) -> fn() -> Box<dyn LabMap<String>> {
        maker.string
    }
}

/// A [`Maker`] from a generic constructor expression in `K`:
/// `maker!(K => hashbrown::HashMap::<K, u64, Hasher>::with_hasher(hasher()))`.
#[macro_export]
macro_rules! maker {
    ($k:ident => $new:expr) => {
        $crate::maps::Maker {
            u64: || {
                type $k = u64;
                Box::new($new)
            },
            string: || {
                type $k = String;
                Box::new($new)
            },
        }
    };
}

/// The cursor steps of an unregistered evacmap setting's name
/// (`evacmap/cursor_steps=N`).
///
/// # Errors
///
/// A name with that prefix whose number does not parse.
pub fn cursor_steps_of(name: &str) -> Result<Option<usize>, String> {
    match name.strip_prefix(CURSOR_STEPS) {
        None => Ok(None),
        Some(n) => n
            .parse()
            .map(Some)
            .map_err(|_| format!("bad cursor steps in map name {name:?}")),
    }
}

/// A new, empty map by name: a registered single-threaded Rust map, or an
/// evacmap setting `evacmap/cursor_steps=N`.
///
/// # Errors
///
/// A message naming the map if the name is unknown, or names a map that
/// does not run in this process (Go's maps, the concurrent ones).
pub fn make<K: Key>(name: &str) -> Result<Box<dyn LabMap<K>>, String> {
    if let Some(spec) = registry::spec(name) {
        return match spec.kind.maker() {
            Some(maker) => Ok(K::pick(maker)()),
            None => Err(format!(
                "{name} is not a single-threaded Rust map (`lab maps` says how it runs)"
            )),
        };
    }
    match cursor_steps_of(name)? {
        Some(steps) => Ok(Box::new(evacmap::<K>(
            Policy::go().with_cursor_steps(steps),
        ))),
        None => Err(format!("unknown map {name:?} (`lab maps` lists them)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_map_behaves_like_a_map() {
        let rust = registry::MAPS.iter().filter(|m| m.kind.maker().is_some());
        for name in rust.map(|m| m.name).chain(["evacmap/cursor_steps=64"]) {
            assert_eq!(make::<String>(name).unwrap().len(), 0, "{name}");
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
        assert!(make::<u64>("dashmap").is_err());
        assert!(make::<u64>("evacmap/cursor_steps=x").is_err());
    }
}
