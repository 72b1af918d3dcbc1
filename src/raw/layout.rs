//! Where each layout keeps a bucket's eight tophash bytes and its slots'
//! keys and values: the behaviour behind the public [`BucketLayout`], one
//! impl of [`Placement`] per layout, each made of a tophash placement
//! (`inline_tops!` or `dense_tops!`) and a slot arrangement
//! (`grouped_slots!` or `paired_slots!`). Everything in `raw/` that
//! touches a tophash word, a key or a value, or lays out an allocation,
//! asks the layout through this trait; nothing else in the crate tells
//! the layouts apart.
//!
//! | | [`GoLayout`] | [`SplitLayout`] | [`SplitPairLayout`] |
//! |---|---|---|---|
//! | a bucket's word | its first 8 bytes (Go's `bmap`) | the array's dense word of the bucket's index | as split |
//! | a bucket's slots | 8 keys, then 8 values | as Go | 8 key-value pairs |
//! | an array's allocation | the buckets | one 8-byte word per bucket, then the buckets | as split |
//! | a spilled overflow bucket | the bucket alone | its word, then the bucket | as split |
//! | `reset` zeroes | the buckets | the buckets and the words | as split |
//! | memory given back as the cursor passes | the buckets | the words, and the buckets | as split |
//!
//! The trait is public in name only: `raw` is private, so no one outside
//! the crate can name it, and so no one can implement [`BucketLayout`]
//! (which requires it): the set of layouts is closed.

use core::alloc::{Layout, LayoutError};
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use super::bucket::{BUCKET_SLOTS, Bucket, Tops};
use super::pages::{REGIONS, Region};
use crate::layout::{BucketLayout, GoLayout, SplitLayout, SplitPairLayout};

/// A layout's placement of tophash words and of its slots' keys and
/// values (see the module docs).
pub trait Placement: Sized + 'static {
    /// The tophash field inside a bucket: 8 bytes, or nothing.
    type Inline: Copy;

    /// A bucket's eight slots: eight keys then eight values (`Grouped`,
    /// Go's), or eight key-value pairs (`Paired`).
    type Slots<K, V>;

    /// Slot `i`'s key in the slots at `slots`.
    ///
    /// # Safety
    ///
    /// `slots` points at the slots of a live bucket, and `i < 8`.
    unsafe fn key<K, V>(slots: *mut Self::Slots<K, V>, i: usize) -> *mut K;

    /// Slot `i`'s value in the slots at `slots`.
    ///
    /// # Safety
    ///
    /// As for [`key`](Self::key).
    unsafe fn value<K, V>(slots: *mut Self::Slots<K, V>, i: usize) -> *mut V;

    /// Bytes an array holds per bucket besides the bucket itself (its
    /// dense tophash word, if any).
    const WORD_BYTES: usize;

    /// The allocation of an array of `capacity` buckets of layout
    /// `bucket`, and the offset of bucket 0 in it.
    ///
    /// # Errors
    ///
    /// The size overflows `isize::MAX`.
    fn array_layout(bucket: Layout, capacity: usize) -> Result<(Layout, usize), LayoutError>;

    /// The allocation of one separately allocated overflow bucket of
    /// layout `bucket`, and the bucket's offset in it.
    fn spill_layout(bucket: Layout) -> (Layout, usize);

    /// The tophash word of bucket `b`.
    ///
    /// # Safety
    ///
    /// `b` is a live bucket of the chains of the array `tops` describes (a
    /// bucket of the array, or a separately allocated overflow bucket
    /// linked into one of its chains, I6), and that array is allocated.
    unsafe fn word<K, V>(tops: Tops<K, V, Self>, b: NonNull<Bucket<K, V, Self>>) -> *mut [u8; 8]
    where
        Self: BucketLayout;

    /// The tophash word of primary bucket `i`, `b`, without the range
    /// check that an overflow bucket needs.
    ///
    /// # Safety
    ///
    /// `b` is primary bucket `i` of the allocated array `tops` describes.
    unsafe fn head_word<K, V>(
        tops: Tops<K, V, Self>,
        i: usize,
        b: NonNull<Bucket<K, V, Self>>,
    ) -> *mut [u8; 8]
    where
        Self: BucketLayout;

    /// Where an array's memory is, chain by chain (`pages.rs`): given its
    /// dense words (`words`, unused in Go's layout), its bucket 0
    /// (`buckets`) and the size of a bucket.
    fn regions(words: *mut u8, buckets: *mut u8, bucket: usize) -> [Region; REGIONS];

    /// Zeroes the dense words of the first `used` buckets of an array
    /// whose words start at `words` (nothing in Go's layout, whose words
    /// are zeroed with the buckets).
    ///
    /// # Safety
    ///
    /// In the split layout, `words` points at `used` or more writable
    /// words of an allocated array.
    unsafe fn zero_words(words: *mut [u8; 8], used: usize);
}

/// Go's slots: eight keys, then eight values (no padding between a key
/// and its value; `u64 -> u8` maps pay none per pair).
#[repr(C)]
pub struct Grouped<K, V> {
    keys: [MaybeUninit<K>; BUCKET_SLOTS],
    values: [MaybeUninit<V>; BUCKET_SLOTS],
}

/// Paired slots: eight key-value pairs, each key beside its value (one
/// cache line for both when they are small).
#[repr(C)]
pub struct Paired<K, V>([MaybeUninit<Pair<K, V>>; BUCKET_SLOTS]);

/// One slot of [`Paired`].
#[repr(C)]
pub(crate) struct Pair<K, V> {
    key: K,
    value: V,
}

impl<K, V> core::fmt::Debug for Grouped<K, V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Grouped")
    }
}

impl<K, V> core::fmt::Debug for Paired<K, V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Paired")
    }
}

/// The slot accessors of [`Grouped`].
macro_rules! grouped_slots {
    () => {
        type Slots<K, V> = Grouped<K, V>;

        #[inline(always)]
        unsafe fn key<K, V>(slots: *mut Grouped<K, V>, i: usize) -> *mut K {
            // SAFETY: caller: live slots and `i < 8`: inside `keys`.
            unsafe { (&raw mut (*slots).keys).cast::<K>().add(i) }
        }

        #[inline(always)]
        unsafe fn value<K, V>(slots: *mut Grouped<K, V>, i: usize) -> *mut V {
            // SAFETY: caller: live slots and `i < 8`: inside `values`.
            unsafe { (&raw mut (*slots).values).cast::<V>().add(i) }
        }
    };
}

/// The slot accessors of [`Paired`].
macro_rules! paired_slots {
    () => {
        type Slots<K, V> = Paired<K, V>;

        #[inline(always)]
        unsafe fn key<K, V>(slots: *mut Paired<K, V>, i: usize) -> *mut K {
            // SAFETY: caller: live slots and `i < 8`: pair `i` is inside
            // the array, its key a field of it.
            unsafe { &raw mut (*slots.cast::<Pair<K, V>>().add(i)).key }
        }

        #[inline(always)]
        unsafe fn value<K, V>(slots: *mut Paired<K, V>, i: usize) -> *mut V {
            // SAFETY: as for the key.
            unsafe { &raw mut (*slots.cast::<Pair<K, V>>().add(i)).value }
        }
    };
}

/// The tophash placement of Go's layout: each bucket's word is its first
/// 8 bytes.
macro_rules! inline_tops {
    () => {
        type Inline = [u8; 8];

        const WORD_BYTES: usize = 0;

        fn array_layout(bucket: Layout, capacity: usize) -> Result<(Layout, usize), LayoutError> {
            Ok((repeat(bucket, capacity)?, 0))
        }

        fn spill_layout(bucket: Layout) -> (Layout, usize) {
            (bucket, 0)
        }

        #[inline]
        unsafe fn word<K, V>(_: Tops<K, V, Self>, b: NonNull<Bucket<K, V, Self>>) -> *mut [u8; 8] {
            // SAFETY: caller: `b` is live; the word is its first field.
            unsafe { Bucket::inline_tophash(b) }
        }

        #[inline]
        unsafe fn head_word<K, V>(
            tops: Tops<K, V, Self>,
            _: usize,
            b: NonNull<Bucket<K, V, Self>>,
        ) -> *mut [u8; 8] {
            // SAFETY: caller: `b` is a live primary bucket.
            unsafe { Self::word(tops, b) }
        }

        fn regions(_: *mut u8, buckets: *mut u8, bucket: usize) -> [Region; REGIONS] {
            [
                Region {
                    base: buckets,
                    stride: bucket,
                },
                Region::NONE,
            ]
        }

        unsafe fn zero_words(_: *mut [u8; 8], _: usize) {}
    };
}

/// The tophash placement of the split layouts: a dense word per bucket
/// of the array, before the buckets; a spilled bucket's word just before
/// it.
macro_rules! dense_tops {
    () => {
        type Inline = [u8; 0];

        const WORD_BYTES: usize = 8;

        fn array_layout(bucket: Layout, capacity: usize) -> Result<(Layout, usize), LayoutError> {
            let words = Layout::array::<[u8; 8]>(capacity)?;
            words.extend(repeat(bucket, capacity)?)
        }

        fn spill_layout(bucket: Layout) -> (Layout, usize) {
            let (layout, offset) = Layout::new::<[u8; 8]>()
                .extend(bucket)
                .expect("a bucket and 8 bytes fit in isize::MAX");
            debug_assert_eq!(offset, 8usize.next_multiple_of(bucket.align()));
            (layout.pad_to_align(), offset)
        }

        #[inline]
        unsafe fn word<K, V>(
            tops: Tops<K, V, Self>,
            b: NonNull<Bucket<K, V, Self>>,
        ) -> *mut [u8; 8] {
            let offset = b.as_ptr().addr().wrapping_sub(tops.start());
            if offset < tops.len() {
                // SAFETY: `b` is bucket `offset / size` of the array
                // (caller), whose dense words cover every bucket of the
                // allocation.
                unsafe { tops.words().add(offset / size_of::<Bucket<K, V, Self>>()) }
            } else {
                // SAFETY: outside the array, so a separately allocated
                // overflow bucket (caller, I6), allocated with
                // `spill_layout`: its word is at the start of its
                // allocation, the bucket at the word's size rounded up to
                // the bucket's alignment.
                unsafe {
                    b.as_ptr()
                        .cast::<u8>()
                        .sub(spill_offset::<Bucket<K, V, Self>>())
                        .cast::<[u8; 8]>()
                }
            }
        }

        #[inline]
        unsafe fn head_word<K, V>(
            tops: Tops<K, V, Self>,
            i: usize,
            _: NonNull<Bucket<K, V, Self>>,
        ) -> *mut [u8; 8] {
            // SAFETY: caller: `i` indexes a bucket of the allocation, which
            // has a dense word per bucket.
            unsafe { tops.words().add(i) }
        }

        fn regions(words: *mut u8, buckets: *mut u8, bucket: usize) -> [Region; REGIONS] {
            [
                Region {
                    base: words,
                    stride: 8,
                },
                Region {
                    base: buckets,
                    stride: bucket,
                },
            ]
        }

        unsafe fn zero_words(words: *mut [u8; 8], used: usize) {
            // SAFETY: caller: `used` writable words at `words`; all-zero
            // words are empty (`EMPTY_REST` is 0).
            unsafe { ptr::write_bytes(words, 0, used) };
        }
    };
}

impl Placement for GoLayout {
    inline_tops!();
    grouped_slots!();
}

impl Placement for SplitLayout {
    dense_tops!();
    grouped_slots!();
}

impl Placement for SplitPairLayout {
    dense_tops!();
    paired_slots!();
}

/// Split layout: the offset of a spilled bucket of type `B` in its
/// allocation (`spill_layout`'s), as a constant.
#[inline(always)]
const fn spill_offset<B>() -> usize {
    8usize.next_multiple_of(align_of::<B>())
}

/// `n` copies of `bucket` back to back.
fn repeat(bucket: Layout, n: usize) -> Result<Layout, LayoutError> {
    let size = bucket
        .pad_to_align()
        .size()
        .checked_mul(n)
        .filter(|&s| s <= isize::MAX as usize - (bucket.align() - 1));
    match size {
        Some(s) => Layout::from_size_align(s, bucket.align()),
        // Any layout error: the size does not fit.
        None => Layout::from_size_align(usize::MAX, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type B<L> = Bucket<u64, u64, L>;

    #[test]
    fn arrays_and_spills_are_laid_out_per_layout() {
        let bucket = Layout::new::<B<GoLayout>>();
        let (go, at) = GoLayout::array_layout(bucket, 17).unwrap();
        assert_eq!((go.size(), at), (17 * 144, 0), "Go: the buckets alone");
        let bucket = Layout::new::<B<SplitLayout>>();
        let (split, at) = SplitLayout::array_layout(bucket, 17).unwrap();
        assert_eq!(at, 17 * 8, "split: the words first");
        assert_eq!(split.size(), 17 * 8 + 17 * 136);
        assert_eq!(SplitLayout::spill_layout(bucket).1, 8);
        assert_eq!(spill_offset::<B<SplitLayout>>(), 8);
        #[repr(align(32))]
        struct Wide;
        let wide = Layout::new::<Bucket<Wide, u8, SplitLayout>>();
        assert_eq!(
            SplitLayout::spill_layout(wide).1,
            spill_offset::<Bucket<Wide, u8, SplitLayout>>()
        );
        assert_eq!(GoLayout::spill_layout(Layout::new::<B<GoLayout>>()).1, 0);
        assert!(GoLayout::array_layout(Layout::new::<B<GoLayout>>(), usize::MAX / 2).is_err());
    }
}
