//! The concurrent maps of `lab concurrent` behind one trait, [`SharedMap`];
//! the registry (`registry.rs`) holds each one's constructor. Every map
//! hashes with the lab's fixed-seed `ahash`, and the sharded ones have
//! [`SHARDS`] shards.

use std::sync::{PoisonError, RwLock};
use std::time::Instant;

use dashmap::DashMap;
use evacmap::Policy;
use evacmap::sharded::ShardedEvacMap;

use crate::keys::{Hasher, hasher};

/// Shards of every sharded map (the default for 2 CPUs, as in `dashmap`).
pub const SHARDS: usize = 8;

/// Write-lock hold percentiles (ns).
#[derive(Clone, Copy, Debug)]
pub struct Hold {
    /// 99th percentile.
    pub p99: u64,
    /// 99.99th percentile.
    pub p9999: u64,
    /// The longest.
    pub max: u64,
}

/// What the experiment needs from a concurrent map.
pub trait SharedMap: Send + Sync {
    /// Inserts; returns the write-lock hold time if the lab measured it.
    fn insert(&self, key: u64, value: u64) -> Option<u64>;
    /// The value for `key`, copied.
    fn get(&self, key: u64) -> Option<u64>;
    /// Hold-time percentiles the map measured itself.
    fn own_hold(&self) -> Option<Hold>;
}

impl SharedMap for ShardedEvacMap<u64, u64, Hasher> {
    fn insert(&self, key: u64, value: u64) -> Option<u64> {
        ShardedEvacMap::insert(self, key, value);
        None
    }
    fn get(&self, key: u64) -> Option<u64> {
        ShardedEvacMap::get(self, &key).map(|r| *r)
    }
    fn own_hold(&self) -> Option<Hold> {
        self.instruments().lock_hold().map(|p| Hold {
            p99: p.p99_ns,
            p9999: p.p9999_ns,
            max: p.max_ns,
        })
    }
}

impl SharedMap for DashMap<u64, u64, Hasher> {
    fn insert(&self, key: u64, value: u64) -> Option<u64> {
        DashMap::insert(self, key, value);
        None
    }
    fn get(&self, key: u64) -> Option<u64> {
        DashMap::get(self, &key).map(|r| *r)
    }
    fn own_hold(&self) -> Option<Hold> {
        None
    }
}

impl SharedMap for papaya::HashMap<u64, u64, Hasher> {
    fn insert(&self, key: u64, value: u64) -> Option<u64> {
        self.pin().insert(key, value);
        None
    }
    fn get(&self, key: u64) -> Option<u64> {
        self.pin().get(&key).copied()
    }
    fn own_hold(&self) -> Option<Hold> {
        None
    }
}

impl SharedMap for RwLock<hashbrown::HashMap<u64, u64, Hasher>> {
    fn insert(&self, key: u64, value: u64) -> Option<u64> {
        let mut guard = self.write().unwrap_or_else(PoisonError::into_inner);
        let held = Instant::now();
        guard.insert(key, value);
        let ns = held.elapsed().as_nanos() as u64;
        drop(guard);
        Some(ns)
    }
    fn get(&self, key: u64) -> Option<u64> {
        self.read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .copied()
    }
    fn own_hold(&self) -> Option<Hold> {
        None
    }
}

/// `ShardedEvacMap` with `policy`, [`SHARDS`] shards and lock timing on.
pub fn sharded(policy: Policy) -> Box<dyn SharedMap> {
    Box::new(
        ShardedEvacMap::builder()
            .shards(SHARDS)
            .policy(policy)
            .hasher(hasher())
            .build()
            .with_lock_timing(true),
    )
}

/// `dashmap::DashMap` with [`SHARDS`] shards.
pub fn dashmap() -> Box<dyn SharedMap> {
    Box::new(DashMap::<u64, u64, Hasher>::with_hasher_and_shard_amount(
        hasher(),
        SHARDS,
    ))
}

/// `papaya::HashMap`, shared by the threads.
pub fn papaya() -> Box<dyn SharedMap> {
    Box::new(papaya::HashMap::<u64, u64, Hasher>::with_hasher(hasher()))
}

/// One `std::sync::RwLock` around a `hashbrown::HashMap`.
pub fn rwlock_hashbrown() -> Box<dyn SharedMap> {
    Box::new(RwLock::new(
        hashbrown::HashMap::<u64, u64, Hasher>::with_hasher(hasher()),
    ))
}
