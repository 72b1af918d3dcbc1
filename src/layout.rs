//! Where a bucket's eight tophash bytes live: the map's layout, chosen by
//! a type parameter ([`EvacMap<K, V, S, L>`](crate::EvacMap)).
//!
//! | layout | tophash word of a bucket | a lookup that misses reads |
//! |---|---|---|
//! | [`GoLayout`] (the default) | inside the bucket, before its keys, as in Go's `bmap` | the first cache line of each bucket of the chain |
//! | [`SplitLayout`] | in a dense array of 8-byte words beside the buckets, indexed like them | the dense word (8 bytes per bucket: 2 MiB at 1M keys), and a full bucket's overflow link |
//!
//! Everything else is Go's in both: 8-slot buckets, overflow chains and
//! the overflow pool, the evacuation cursor, the growth triggers. The split
//! layout is a departure from Go, offered to measure what Go's layout costs
//! apart from what incremental evacuation costs (`docs/results.md`).
//!
//! The trait is sealed: the two layouts are the only ones.
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

/// A bucket layout: [`GoLayout`] or [`SplitLayout`] (see the
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

/// The layout of `EvacMap::new()`, of every constructor without a layout,
/// and of the type's default parameter: [`GoLayout`], the layout Go's
/// classic map has. (The crate's own tests build a second time with
/// `--cfg evacmap_split_default`, under which it is [`SplitLayout`], so
/// that every suite runs on both layouts; a normal build never sets it.)
#[cfg(not(evacmap_split_default))]
pub type DefaultLayout = GoLayout;

/// The layout of `EvacMap::new()` and of the type's default parameter (in
/// this test build, [`SplitLayout`]).
#[cfg(evacmap_split_default)]
pub type DefaultLayout = SplitLayout;
