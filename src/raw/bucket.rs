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
use core::ptr::NonNull;

use super::group::{BitMask, Group};
use super::tophash::{EMPTY_ONE, EMPTY_REST};
use crate::layout::BucketLayout;

/// Slots per bucket (Go `bucketCnt`).
pub(crate) const BUCKET_SLOTS: usize = 8;

/// One bucket: (in Go's layout) 8 tophash bytes, then 8 keys, 8 values, and
/// the overflow link. (`pub` in this private module: the layouts' trait,
/// `layout.rs`, names it.)
#[repr(C)]
pub struct Bucket<K, V, L: BucketLayout> {
    /// Go's layout: the tophash or marker of each slot; a key/value slot is
    /// initialised iff its tophash is `>= MIN_TOP_HASH` (invariant I1).
    /// Zero-sized in the split layout. Read and written only through
    /// [`Tops`].
    tophash: L::Inline,
    /// The eight slots' keys and values, arranged as the layout says
    /// (`Placement::Slots`); a slot is initialised iff its tophash is
    /// `>= MIN_TOP_HASH` (I1).
    slots: L::Slots<K, V>,
    /// Next bucket of this chain, or null. Points into the same array's pool or
    /// at a separately allocated bucket (invariant I6).
    pub(crate) overflow: *mut Bucket<K, V, L>,
}

impl<K, V, L: BucketLayout> core::fmt::Debug for Bucket<K, V, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Bucket")
            .field("overflow", &self.overflow)
            .finish_non_exhaustive()
    }
}

impl<K, V, L: BucketLayout> Bucket<K, V, L> {
    /// The tophash field inside bucket `b` (Go's layout: its first 8
    /// bytes; nothing in the split layout, whose `Placement` never asks).
    ///
    /// # Safety
    ///
    /// `b` points at a live bucket.
    #[inline]
    pub(crate) unsafe fn inline_tophash(b: NonNull<Self>) -> *mut [u8; 8] {
        // SAFETY: caller: `b` is live; the field is its first member.
        unsafe { (&raw mut (*b.as_ptr()).tophash).cast::<[u8; 8]>() }
    }
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
        // SAFETY: caller (1): the place `(*bucket).slots` is inside a live
        // allocation; caller (2): the index is below 8 (`Placement::key`).
        unsafe { L::key(&raw mut (*self.bucket.as_ptr()).slots, self.index) }
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
        unsafe { L::value(&raw mut (*self.bucket.as_ptr()).slots, self.index) }
    }
}

/// Where the tophash words of one array's buckets are: inside each bucket
/// (Go's layout), or (split layout) in the array's dense words for buckets
/// inside the allocation and just before a separately allocated overflow
/// bucket; the layout's `Placement` (`layout.rs`) decides from these
/// fields. Copied out of a `BucketArray` (`tops()`); valid while that
/// array is allocated.
pub struct Tops<K, V, L: BucketLayout> {
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

impl<K, V, L: BucketLayout> core::fmt::Debug for Tops<K, V, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tops")
            .field("words", &self.words)
            .field("start", &self.start)
            .field("len", &self.len)
            .finish()
    }
}

/// The allocation of one separately allocated overflow bucket, and the
/// bucket's offset in it (the layout's `Placement::spill_layout`).
#[inline]
pub(crate) fn spill_layout<K, V, L: BucketLayout>() -> (core::alloc::Layout, usize) {
    L::spill_layout(core::alloc::Layout::new::<Bucket<K, V, L>>())
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

    /// Split layout: the dense word of the array's bucket 0.
    #[inline]
    pub(crate) fn words(self) -> *mut [u8; 8] {
        self.words
    }

    /// Split layout: the address of the array's bucket 0.
    #[inline]
    pub(crate) fn start(self) -> usize {
        self.start
    }

    /// Split layout: the bytes of buckets from bucket 0 (primary, pool and
    /// extension).
    #[inline]
    pub(crate) fn len(self) -> usize {
        self.len
    }

    /// The tophash word of `b` (the layout's `Placement::word`).
    ///
    /// # Safety
    ///
    /// `b` points at a live bucket of this array's chains (a bucket of the
    /// array, or a separately allocated overflow bucket linked into one of
    /// its chains, I6), and the array is still allocated.
    #[inline]
    pub(crate) unsafe fn word(self, b: NonNull<Bucket<K, V, L>>) -> *mut [u8; 8] {
        // SAFETY: the caller's guarantee, passed on.
        unsafe { L::word(self, b) }
    }

    /// The tophash word of primary bucket `i`, `b` (no range check).
    ///
    /// # Safety
    ///
    /// `b` is primary bucket `i` of this array, which is allocated.
    #[inline]
    pub(crate) unsafe fn head_word(self, i: usize, b: NonNull<Bucket<K, V, L>>) -> *mut [u8; 8] {
        // SAFETY: the caller's guarantee, passed on.
        unsafe { L::head_word(self, i, b) }
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

/// A walk over one chain: a cursor on one of its buckets and that
/// bucket's tophash word (I11), which [`advance`](Self::advance) moves to
/// the next bucket. Lazy: a bucket's overflow link is read only when the
/// walk moves past it, so a search that stops in a bucket never reads its
/// link (in Go's layout the link is in the bucket's last cache line). The
/// one way `raw/` walks a chain: the searches and the movers loop on
/// `advance`, and the other readers iterate (`ChainWalk` is an iterator of
/// `(bucket, word)` from the head on).
pub(crate) struct ChainWalk<K, V, L: BucketLayout> {
    tops: Tops<K, V, L>,
    bucket: NonNull<Bucket<K, V, L>>,
    word: *mut [u8; 8],
    /// Iteration only: whether the head was yielded yet.
    started: bool,
}

impl<K, V, L: BucketLayout> ChainWalk<K, V, L> {
    /// A walk at the head of chain `i`, whose head is `head`, of the array
    /// whose words `tops` describes.
    ///
    /// # Safety
    ///
    /// `head` is primary bucket `i` of that array, which is allocated;
    /// the chain's pages were not given back (I10); and while the walk is
    /// used the chain's links stay as they are up to the walk's bucket,
    /// which stays live (the caller may change slots and words, and may
    /// cut or set the link of the walk's bucket only if it stops walking).
    #[inline]
    pub(crate) unsafe fn new(
        tops: Tops<K, V, L>,
        i: usize,
        head: NonNull<Bucket<K, V, L>>,
    ) -> Self {
        ChainWalk {
            tops,
            bucket: head,
            // SAFETY: caller: `head` is primary bucket `i` of the allocated
            // array `tops` describes.
            word: unsafe { tops.head_word(i, head) },
            started: false,
        }
    }

    /// A walk at `b`, any live bucket of a chain of the array whose words
    /// `tops` describes (found by address, with the split layout's range
    /// check).
    ///
    /// # Safety
    ///
    /// As for [`new`](Self::new), with `b` in place of the head.
    #[inline]
    pub(crate) unsafe fn at(tops: Tops<K, V, L>, b: NonNull<Bucket<K, V, L>>) -> Self {
        ChainWalk {
            tops,
            bucket: b,
            // SAFETY: caller: `b` is a live bucket of the array's chains.
            word: unsafe { tops.word(b) },
            started: false,
        }
    }

    /// The bucket the walk is on.
    #[inline(always)]
    pub(crate) fn bucket(&self) -> NonNull<Bucket<K, V, L>> {
        self.bucket
    }

    /// Its tophash word.
    #[inline(always)]
    pub(crate) fn word(&self) -> *mut [u8; 8] {
        self.word
    }

    /// Where the walk's array keeps its tophash words.
    #[inline(always)]
    pub(crate) fn tops(&self) -> Tops<K, V, L> {
        self.tops
    }

    /// Moves to the next bucket of the chain; false (staying put) at the
    /// chain's end.
    #[inline(always)]
    pub(crate) fn advance(&mut self) -> bool {
        // SAFETY: the walk's bucket is live with its link unchanged
        // (`new`'s contract); links point at live buckets of the same
        // array's chains (I6).
        match unsafe { overflow(self.bucket) } {
            Some(b) => {
                self.bucket = b;
                // SAFETY: `b` is a live bucket of one of the chains of the
                // array `tops` describes (I6, I11).
                self.word = unsafe { self.tops.word(b) };
                true
            }
            None => false,
        }
    }
}

impl<K, V, L: BucketLayout> Clone for ChainWalk<K, V, L> {
    fn clone(&self) -> Self {
        ChainWalk { ..*self }
    }
}

/// The live slots of one chain, in order (a [`ChainWalk`] and the live
/// slots of its bucket not yet yielded): what iteration, rayon's producers
/// and drops walk.
pub(crate) struct LiveSlots<K, V, L: BucketLayout> {
    walk: ChainWalk<K, V, L>,
    full: BitMask,
}

impl<K, V, L: BucketLayout> Clone for LiveSlots<K, V, L> {
    fn clone(&self) -> Self {
        LiveSlots {
            walk: self.walk.clone(),
            full: self.full,
        }
    }
}

impl<K, V, L: BucketLayout> LiveSlots<K, V, L> {
    /// The live slots of the chain `walk` is at the head of.
    pub(crate) fn new(walk: ChainWalk<K, V, L>) -> Self {
        // SAFETY: the walk's word is its bucket's (I11), a live bucket.
        let full = Group::load(unsafe { *walk.word() }).match_full();
        LiveSlots { walk, full }
    }
}

impl<K, V, L: BucketLayout> Iterator for LiveSlots<K, V, L> {
    type Item = Slot<K, V, L>;

    #[inline]
    fn next(&mut self) -> Option<Slot<K, V, L>> {
        loop {
            if let Some(index) = self.full.lowest() {
                self.full = self.full.remove_lowest();
                return Some(Slot {
                    bucket: self.walk.bucket(),
                    index,
                });
            }
            if !self.walk.advance() {
                return None;
            }
            // SAFETY: the walk's word is its bucket's (I11), a live bucket
            // of the chain (I6).
            self.full = Group::load(unsafe { *self.walk.word() }).match_full();
        }
    }
}

impl<K, V, L: BucketLayout> Iterator for ChainWalk<K, V, L> {
    type Item = (NonNull<Bucket<K, V, L>>, *mut [u8; 8]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.started && !self.advance() {
            return None;
        }
        self.started = true;
        Some((self.bucket, self.word))
    }
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
                let mut walk = ChainWalk::at(tops, head);
                let prev = loop {
                    let c = walk.bucket();
                    let more = walk.advance();
                    debug_assert!(more, "I6: bucket not in its chain");
                    if walk.bucket() == b {
                        break c;
                    }
                };
                b = prev;
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
