//! Where a bucket's eight tophash bytes live: the map's layout, chosen by
//! a type parameter ([`EvacMap<K, V, S, L>`](crate::EvacMap)).
//!
//! | layout | tophash word of a bucket | its slots | a lookup that misses reads |
//! |---|---|---|---|
//! | [`GoLayout`] (the default) | inside the bucket, before its keys, as in Go's `bmap` | 8 keys, then 8 values | the first cache line of each bucket of the chain |
//! | [`SplitLayout`] | in a dense array of 8-byte words beside the buckets, indexed like them | 8 keys, then 8 values | the dense word (8 bytes per bucket: 2 MiB at 1M keys), and a full bucket's overflow link |
//! | [`SplitPairLayout`] | as [`SplitLayout`] | 8 key-value pairs | as [`SplitLayout`] |
//!
//! Everything else is Go's in all three: 8-slot buckets, overflow chains and
//! the overflow pool, the evacuation cursor, the growth triggers. The split
//! layouts are departures from Go, offered to measure what Go's layout
//! costs apart from what incremental evacuation costs (`docs/results.md`).
//!
//! The trait is sealed: these three layouts are the only ones.
//!
//! Where the layout can be chosen: [`EvacMap`](crate::EvacMap), through
//! its [`builder`](crate::EvacMap::builder), and everything implemented on
//! it (entries, iterators, the `serde` and `rayon` impls). Where it
//! cannot: [`EvacSet`](crate::EvacSet), [`ShardedEvacMap`](crate::ShardedEvacMap)
//! and [`ShardedEvacSet`](crate::ShardedEvacSet) always use
//! [`DefaultLayout`] (their builders have no `layout` method).
//!
//! # Examples
//!
//! ```
//! use evacmap::{DefaultHashBuilder, EvacMap, SplitLayout};
//!
//! let mut map: EvacMap<u64, u64, DefaultHashBuilder, SplitLayout> =
//!     EvacMap::builder().layout::<SplitLayout>().build();
//! map.insert(1, 2);
//! assert_eq!(map.get(&1), Some(&2));
//! ```

/// A bucket layout: [`GoLayout`], [`SplitLayout`] or [`SplitPairLayout`] (see the
/// [module docs](self)). Sealed: each layout's behaviour is an
/// implementation of a crate-private trait, so the set of layouts is
/// closed.
pub trait BucketLayout: crate::raw::layout::Placement + Send + Sync + Unpin + 'static {
    /// The name `Debug` and the lab print.
    #[doc(hidden)]
    const NAME: &'static str;
}

/// Go's `bmap`: each bucket starts with its eight tophash bytes. The
/// layout of [`DefaultLayout`], so of every map built without a `layout`.
#[derive(Debug)]
pub enum GoLayout {}

impl BucketLayout for GoLayout {
    const NAME: &'static str = "go";
}

/// The tophash words of all primary and pool buckets in one dense array
/// beside the buckets (8 bytes per bucket, indexed like them); buckets hold
/// only keys, values and the overflow link. An overflow bucket allocated on
/// its own carries its word just before it.
#[derive(Debug)]
pub enum SplitLayout {}

impl BucketLayout for SplitLayout {
    const NAME: &'static str = "split";
}

/// The split layout's dense tophash words, and each slot's key beside its
/// value (eight key-value pairs instead of eight keys then eight values):
/// an insert of small keys and values writes one slot's cache line
/// instead of the key's and the value's. (Pairs behind Go's inline
/// tophash word were measured too and lost: a hit then reads a second
/// line for the keys of slots 4 to 7, `docs/results.md`.)
#[derive(Debug)]
pub enum SplitPairLayout {}

impl BucketLayout for SplitPairLayout {
    const NAME: &'static str = "split_pair";
}

/// The layout of `EvacMap::new()`, of every constructor without a layout,
/// and of the type's default parameter: [`GoLayout`], the layout Go's
/// classic map has. (The crate's own tests build again with
/// `--cfg evacmap_split_default` and `--cfg evacmap_split_pair_default`,
/// under which it is [`SplitLayout`] or [`SplitPairLayout`], so that every
/// suite runs on every layout; a normal build never sets them.)
#[cfg(not(any(evacmap_split_default, evacmap_split_pair_default)))]
pub type DefaultLayout = GoLayout;

/// The layout of `EvacMap::new()` and of the type's default parameter (in
/// this test build, [`SplitLayout`]).
#[cfg(all(evacmap_split_default, not(evacmap_split_pair_default)))]
pub type DefaultLayout = SplitLayout;

/// The layout of `EvacMap::new()` and of the type's default parameter (in
/// this test build, [`SplitPairLayout`]).
#[cfg(evacmap_split_pair_default)]
pub type DefaultLayout = SplitPairLayout;
