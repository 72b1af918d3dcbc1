//! # evacmap
//!
//! Go's classic (pre-Swiss, Go ≤ 1.23) runtime hash map in Rust, with the API
//! of `std::collections::HashMap`.
//!
//! A table that grows by doubling must move every entry into the new array.
//! `std`/hashbrown move them all inside the insert that crosses the load limit
//! (one O(n) pause). evacmap does what Go did: it allocates the new array,
//! keeps the old one (the *old buckets*), and every later write moves a
//! bounded amount of old data (*evacuation*): the old bucket the write is
//! about to use, plus one more at a cursor (Go's `nevacuate`). No single
//! operation pays O(n), but the old array stays allocated until the cursor
//! passes its end, and reads never move anything: a map that stops being
//! written keeps its old buckets forever. [`EvacMap::evacuate`],
//! [`EvacMap::evacuate_for`] and [`EvacMap::finish_evacuation`] make that
//! a choice.
//!
//! ```
//! use evacmap::EvacMap;
//!
//! let mut map = EvacMap::new();
//! for i in 0..100_000u64 {
//!     map.insert(i, i * 2);
//! }
//! assert_eq!(map.get(&21), Some(&42));
//! // The last doubling started at 6.5 entries per bucket and is still being
//! // evacuated a little on every write:
//! if let Some(p) = map.phase().progress() {
//!     println!("{} of {} old buckets evacuated", p.evacuated, p.total);
//! }
//! map.finish_evacuation(); // release the old buckets now
//! assert!(!map.is_evacuating());
//! ```
//!
//! ## Structure
//!
//! 8-slot buckets with one tophash byte per slot (matched eight at a time as
//! one `u64`), keys grouped before values, overflow chains, a load factor of
//! 6.5 entries per bucket, same-size growth when overflow buckets pile up,
//! and incremental evacuation. `docs/design.md` in the repository gives the
//! algorithm, its numbered invariants, the Go ↔ Rust name table, and what
//! differs from Go. [`Policy`] holds the research knobs (load factor, cursor
//! steps, evacuation on removal, and an all-at-once baseline on the same
//! structure).
//!
//! ## Concurrent use
//!
//! [`ShardedEvacMap`] (and [`ShardedEvacSet`]) puts `EvacMap` shards behind
//! reader-writer locks (all methods take `&self`), with the API of
//! `dashmap`: guards, entries, iteration, collection traits. Because each
//! write evacuates only a bounded number of old buckets, no writer holds a
//! shard's lock for a whole rehash. [`sharded::Maintainer`] finishes
//! growths in the background once writes stop.
//!
//! ## Lookups with borrowed keys
//!
//! Lookups take any `Q: Hash + Equivalent<K>` ([`Equivalent`], the trait
//! hashbrown, indexmap and dashmap share); every `Q` that `K: Borrow<Q>`
//! works, as with std.
//!
//! ## Feature flags
//!
#![doc = document_features::document_features!()]
//!
//! ## Minimum Rust version
//!
//! Rust 1.85 (edition 2024).

#![warn(rustdoc::broken_intra_doc_links)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod builder;
mod error;
pub mod instruments;
pub mod layout;
#[cfg(evacmap_loom)]
#[doc(hidden)]
pub mod loom_hooks;
pub mod map;
mod policy;
mod raw;
#[cfg(feature = "rayon")]
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub mod rayon;
#[cfg(feature = "serde")]
mod serde_impls;
pub mod set;
pub mod sharded;
mod sync;

pub use builder::Builder;
pub use equivalent::Equivalent;
pub use error::TryReserveError;
pub use layout::{BucketLayout, DefaultLayout, GoLayout, SplitLayout, SplitPairLayout};
pub use map::{Entry, EvacMap};
pub use policy::{DEFAULT_RELEASE_BATCH, Policy};
pub use raw::lifecycle::{EvacuationKind, EvacuationProgress, Phase};

/// The former name of [`EvacuationKind`]: a shrink is an evacuation, not a
/// growth.
#[deprecated(since = "0.2.0", note = "renamed `EvacuationKind`")]
pub type GrowthKind = EvacuationKind;

/// The former name of [`EvacuationProgress`].
#[deprecated(since = "0.2.0", note = "renamed `EvacuationProgress`")]
pub type GrowthProgress = EvacuationProgress;
pub use set::EvacSet;
pub use sharded::{ShardedEvacMap, ShardedEvacSet};

/// The default hasher: `ahash`'s randomly seeded `RandomState`.
///
/// # Examples
///
/// ```
/// use evacmap::{DefaultHashBuilder, EvacMap};
///
/// // Fixed seeds, e.g. for reproducible benchmarks:
/// let mut map = EvacMap::with_hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4));
/// map.insert(1, 2);
/// ```
pub type DefaultHashBuilder = ahash::RandomState;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
