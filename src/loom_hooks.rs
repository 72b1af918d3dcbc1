//! What `loom-tests/` needs beyond the public API, compiled only under
//! `--cfg evacmap_loom` (so none of it is part of the crate's API):
//!
//! - the probe's protocol types, so that the models can check them
//!   exhaustively with small payloads (the map publishes 25-word snapshots,
//!   too many for exhaustive exploration; the protocol does not depend on
//!   the word count), and their broken variant for the canary;
//! - a broken sharded insert for the sharded map's canary.

use core::hash::{BuildHasher, Hash};

pub use crate::instruments::probe::{EventRing, SeqLock};
use crate::sharded::ShardedEvacMap;

/// The sharded map's canary: an insert that stores its shard's `len` mirror
/// a second time after releasing the lock, breaking S2. The loom model must
/// catch it.
pub fn insert_with_stale_len<K: Hash + Eq, V, S: BuildHasher>(
    map: &ShardedEvacMap<K, V, S>,
    key: K,
    value: V,
) {
    map.insert_with_stale_len(key, value);
}
