//! The bucket layout and the operations on one chain of buckets.
//!
//! ```text
//! Bucket<K, V, GoLayout> (#[repr(C)]):
//! +-------------+----------------+----------------+-----------------+
//! | tophash [8] | keys [K; 8]    | values [V; 8]  | overflow *mut _ |
//! +-------------+----------------+----------------+-----------------+
//! Bucket<K, V, SplitLayout>: the same without the tophash bytes, which live
//! in the array's dense tophash words (`array.rs`), or, for an overflow
//! bucket allocated on its own, in a word just before it.
//! ```
//! Keys are grouped before values (as in Go) so that `u64 -> u8` maps do not
//! pay per-pair padding, and in Go's layout the tophash word shares a cache
//! line with the first keys. A zeroed bucket (and tophash word) is a valid
//! empty bucket (`EMPTY_REST` is 0 and the overflow pointer is null), which
//! is why arrays are allocated zeroed (`array.rs`, `alloc.rs`).
//!
//! Every tophash access goes through [`Tops`], which knows where the words
//! of one array's buckets are.

use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use super::group::Group;
use super::tophash::{EMPTY_ONE, EMPTY_REST};
use crate::layout::BucketLayout;

/// Slots per bucket (Go `bucketCnt`).
pub(crate) const BUCKET_SLOTS: usize = 8;

/// One bucket: (in Go's layout) 8 tophash bytes, then 8 keys, 8 values, and
/// the overflow link.
#[repr(C)]
pub(crate) struct Bucket<K, V, L: BucketLayout> {
    /// Go's layout: the tophash or marker of each slot; a key/value slot is
    /// initialised iff its tophash is `>= MIN_TOP_HASH` (invariant I1).
    /// Zero-sized in the split layout. Read and written only through
    /// [`Tops`].
    tophash: L::Inline,
    keys: [MaybeUninit<K>; BUCKET_SLOTS],
    values: [MaybeUninit<V>; BUCKET_SLOTS],
    /// Next bucket of this chain, or null. Points into the same array's pool or
    /// at a separately allocated bucket (invariant I6).
    pub(crate) overflow: *mut Bucket<K, V, L>,
}

/// A position in a bucket chain: the bucket and the slot index within it.
///
/// A `Slot` is only an address: it may outlive its bucket, so every access
/// through it is an `unsafe fn` whose caller vouches that the bucket is
/// still live.
pub(crate) struct Slot<K, V, L: BucketLayout> {
    pub(crate) bucket: NonNull<Bucket<K, V, L>>,
    pub(crate) index: usize,
}

impl<K, V, L: BucketLayout> Clone for Slot<K, V, L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V, L: BucketLayout> Copy for Slot<K, V, L> {}

impl<K, V, L: BucketLayout> Slot<K, V, L> {
    /// Pointer to the slot's key.
    ///
    /// # Safety
    ///
    /// 1. `self.bucket` points at a live bucket (one of a table's arrays,
    ///    not freed, or a separately allocated overflow bucket linked into
    ///    one of its chains, I6);
    /// 2. `self.index < BUCKET_SLOTS`.
    ///
    /// Reading the key through the pointer further needs the slot to be
    /// live (I1).
    #[inline]
    pub(crate) unsafe fn key(self) -> *mut K {
        debug_assert!(self.index < BUCKET_SLOTS);
        // SAFETY: caller (1): the place `(*bucket).keys` is inside a live
        // allocation; caller (2): the offset stays inside the `keys` array.
        unsafe {
            (&raw mut (*self.bucket.as_ptr()).keys)
                .cast::<K>()
                .add(self.index)
        }
    }

    /// Pointer to the slot's value.
    ///
    /// # Safety
    ///
    /// As for [`key`](Self::key).
    #[inline]
    pub(crate) unsafe fn value(self) -> *mut V {
        debug_assert!(self.index < BUCKET_SLOTS);
        // SAFETY: caller: a live bucket and an index below 8, as in `key`.
        unsafe {
            (&raw mut (*self.bucket.as_ptr()).values)
                .cast::<V>()
                .add(self.index)
        }
    }
}

/// Where the tophash words of one array's buckets are: inside each bucket
/// (Go's layout), or (split layout) in the array's dense words for buckets
/// inside the allocation and just before a separately allocated overflow
/// bucket. Copied out of a `BucketArray` (`tops()`); valid while that
/// array is allocated.
pub(crate) struct Tops<K, V, L: BucketLayout> {
    /// Split layout: the dense word of the array's bucket 0.
    words: *mut [u8; 8],
    /// Split layout: address of the array's bucket 0, and the bytes of
    /// buckets from there (primary, pool and extension).
    start: usize,
    len: usize,
    marker: PhantomData<*mut Bucket<K, V, L>>,
}

impl<K, V, L: BucketLayout> Clone for Tops<K, V, L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V, L: BucketLayout> Copy for Tops<K, V, L> {}

/// Split layout: the offset of a separately allocated overflow bucket from
/// the start of its allocation, which holds its tophash word (`array.rs`
/// allocates them with [`spill_layout`]).
#[inline]
pub(crate) fn spill_offset<K, V, L: BucketLayout>() -> usize {
    spill_layout::<K, V, L>().1
}

/// The allocation of one separately allocated overflow bucket, and the
/// bucket's offset in it: the bucket alone in Go's layout; its tophash
/// word, then the bucket, in the split layout.
#[inline]
pub(crate) fn spill_layout<K, V, L: BucketLayout>() -> (core::alloc::Layout, usize) {
    let bucket = core::alloc::Layout::new::<Bucket<K, V, L>>();
    if L::SPLIT {
        let (layout, offset) = core::alloc::Layout::new::<[u8; 8]>()
            .extend(bucket)
            .expect("a bucket and 8 bytes fit in isize::MAX");
        (layout.pad_to_align(), offset)
    } else {
        (bucket, 0)
    }
}

impl<K, V, L: BucketLayout> Tops<K, V, L> {
    /// The tops of an array whose bucket 0 is at `start`, `len` bytes of
    /// buckets, with its dense words from `words` (split layout; unused in
    /// Go's).
    pub(crate) fn new(words: *mut [u8; 8], start: usize, len: usize) -> Self {
        Tops {
            words,
            start,
            len,
            marker: PhantomData,
        }
    }

    /// The tophash word of `b`.
    ///
    /// # Safety
    ///
    /// `b` points at a live bucket of this array's chains (a bucket of the
    /// array, or a separately allocated overflow bucket linked into one of
    /// its chains, I6), and the array is still allocated.
    #[inline]
    pub(crate) unsafe fn word(self, b: NonNull<Bucket<K, V, L>>) -> *mut [u8; 8] {
        if !L::SPLIT {
            // SAFETY: caller: `b` is live; the field is its first 8 bytes.
            return unsafe { (&raw mut (*b.as_ptr()).tophash).cast::<[u8; 8]>() };
        }
        let offset = b.as_ptr().addr().wrapping_sub(self.start);
        if offset < self.len {
            // SAFETY: `b` is bucket `offset / size` of the array (caller),
            // whose dense words cover every bucket of the allocation.
            unsafe { self.words.add(offset / size_of::<Bucket<K, V, L>>()) }
        } else {
            // SAFETY: outside the array, so a separately allocated overflow
            // bucket (caller, I6), allocated with `spill_layout`: its word
            // is at the start of its allocation.
            unsafe {
                b.as_ptr()
                    .cast::<u8>()
                    .sub(spill_offset::<K, V, L>())
                    .cast::<[u8; 8]>()
            }
        }
    }

    /// The tophash word of primary bucket `i`, `b` (no range check).
    ///
    /// # Safety
    ///
    /// `b` is primary bucket `i` of this array, which is allocated.
    #[inline]
    pub(crate) unsafe fn head_word(self, i: usize, b: NonNull<Bucket<K, V, L>>) -> *mut [u8; 8] {
        if L::SPLIT {
            // SAFETY: caller: `i` indexes a bucket of the allocation.
            unsafe { self.words.add(i) }
        } else {
            // SAFETY: caller: `b` is live.
            unsafe { self.word(b) }
        }
    }

    /// The tophash word of `b`, the `k`-th bucket of chain `head_index`
    /// (the head, `k == 0`, found by index in the split layout).
    ///
    /// # Safety
    ///
    /// As for [`word`](Self::word), and `b` is bucket `k` of chain
    /// `head_index` of this array.
    #[inline]
    pub(crate) unsafe fn chain_word(
        self,
        head_index: usize,
        k: usize,
        b: NonNull<Bucket<K, V, L>>,
    ) -> *mut [u8; 8] {
        if L::SPLIT && k == 0 {
            // SAFETY: caller: `b` is primary bucket `head_index`.
            unsafe { self.head_word(head_index, b) }
        } else {
            // SAFETY: caller: `b` is live in this array's chains.
            unsafe { self.word(b) }
        }
    }

    /// Reads the tophash word of a bucket.
    ///
    /// # Safety
    ///
    /// As for [`word`](Self::word).
    #[inline]
    pub(crate) unsafe fn group(self, b: NonNull<Bucket<K, V, L>>) -> Group {
        // SAFETY: caller: `b` is live; tophash words are plain bytes, always
        // initialised (arrays and overflow buckets are allocated zeroed).
        Group::load(unsafe { ptr::read(self.word(b)) })
    }

    /// Reads tophash byte `i` of a bucket.
    ///
    /// # Safety
    ///
    /// As for [`word`](Self::word), and `i < 8`.
    #[inline]
    pub(crate) unsafe fn top_at(self, b: NonNull<Bucket<K, V, L>>, i: usize) -> u8 {
        debug_assert!(i < BUCKET_SLOTS);
        // SAFETY: caller: `b` live, `i < 8`: a byte of its tophash word.
        unsafe { *self.word(b).cast::<u8>().add(i) }
    }

    /// Pointer to a slot's tophash byte.
    ///
    /// # Safety
    ///
    /// As for [`word`](Self::word) for the slot's bucket, and the slot's
    /// index is below 8.
    #[inline]
    pub(crate) unsafe fn slot(self, slot: Slot<K, V, L>) -> *mut u8 {
        debug_assert!(slot.index < BUCKET_SLOTS);
        // SAFETY: caller: a live bucket and an index below 8.
        unsafe { self.word(slot.bucket).cast::<u8>().add(slot.index) }
    }
}

/// The overflow link of a bucket.
///
/// # Safety
///
/// `b` points at a live bucket.
#[inline]
pub(crate) unsafe fn overflow<K, V, L: BucketLayout>(
    b: NonNull<Bucket<K, V, L>>,
) -> Option<NonNull<Bucket<K, V, L>>> {
    // SAFETY: caller: `b` live; the link is initialised (zeroed or written
    // by `push_overflow`).
    NonNull::new(unsafe { (*b.as_ptr()).overflow })
}

/// Marks slot `i` of `b` empty, turning it (and the empty run before it) into
/// `EMPTY_REST` when nothing live follows it in the chain (Go `mapdelete`
/// step 5). `head` is the first bucket of the chain; `tops` are its array's.
///
/// # Safety
///
/// 1. `head` is the head of a live chain of `tops`'s array that contains
///    `b` (I6);
/// 2. `i < 8`;
/// 3. the slot's key and value have been moved out or dropped already.
pub(crate) unsafe fn mark_slot_empty<K, V, L: BucketLayout>(
    tops: Tops<K, V, L>,
    head: NonNull<Bucket<K, V, L>>,
    b: NonNull<Bucket<K, V, L>>,
    i: usize,
) {
    // SAFETY: caller (1, 2): `b` is a live bucket of `tops`'s array and
    // `i < 8`; only a tophash byte is written, as caller (3) allows. The
    // next slot is in `b` or, after slot 7, the first slot of the bucket
    // linked after it (I6).
    let next_is_rest = unsafe {
        *tops.slot(Slot {
            bucket: b,
            index: i,
        }) = EMPTY_ONE;
        if i == BUCKET_SLOTS - 1 {
            match overflow(b) {
                None => true,
                Some(next) => tops.top_at(next, 0) == EMPTY_REST,
            }
        } else {
            tops.top_at(b, i + 1) == EMPTY_REST
        }
    };
    if next_is_rest {
        // SAFETY: the caller's guarantees, passed on; the slot just marked
        // is empty and everything after it is `EMPTY_REST`.
        unsafe { extend_empty_rest(tops, head, b, i) };
    }
}

/// Turns the empty slot `i` of `b`, and the run of `EMPTY_ONE` slots before
/// it, into `EMPTY_REST`, walking backwards across bucket boundaries (a
/// singly linked chain: each step back re-walks it from `head`).
///
/// # Safety
///
/// As for [`mark_slot_empty`], and every slot after slot `i` of `b` in the
/// chain is `EMPTY_REST` (so the run keeps I2).
unsafe fn extend_empty_rest<K, V, L: BucketLayout>(
    tops: Tops<K, V, L>,
    head: NonNull<Bucket<K, V, L>>,
    b: NonNull<Bucket<K, V, L>>,
    i: usize,
) {
    let (mut b, mut i) = (b, i);
    // SAFETY: caller: `head` and `b` are live buckets of one chain of
    // `tops`'s array and `i < 8`; every bucket reached below is one of that
    // chain's (I6). Only tophash bytes of empty slots are written; the run
    // turned into EMPTY_REST holds only empty slots and reaches the chain's
    // end, keeping I2.
    unsafe {
        loop {
            *tops.slot(Slot {
                bucket: b,
                index: i,
            }) = EMPTY_REST;
            if i == 0 {
                if b == head {
                    break;
                }
                // Re-walk the singly linked chain to find b's predecessor.
                let mut c = head;
                while let Some(next) = overflow(c) {
                    if next == b {
                        break;
                    }
                    c = next;
                }
                debug_assert!(overflow(c) == Some(b), "I6: bucket not in its chain");
                b = c;
                i = BUCKET_SLOTS - 1;
            } else {
                i -= 1;
            }
            if tops.top_at(b, i) != EMPTY_ONE {
                break;
            }
        }
    }
}
