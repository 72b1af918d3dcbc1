//! The bucket layout and the operations on one chain of buckets.
//!
//! ```text
//! Bucket<K, V> (#[repr(C)]):
//! +-------------+----------------+----------------+-----------------+
//! | tophash [8] | keys [K; 8]    | values [V; 8]  | overflow *mut _ |
//! +-------------+----------------+----------------+-----------------+
//! ```
//! Keys are grouped before values (as in Go) so that `u64 -> u8` maps do not
//! pay per-pair padding, and the tophash word shares a cache line with the
//! first keys. A zeroed bucket is a valid empty bucket (`EMPTY_REST` is 0 and
//! the overflow pointer is null), which is why arrays are allocated zeroed
//! (`array.rs`, `alloc.rs`).

use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use super::tophash::{EMPTY_ONE, EMPTY_REST, Group};

/// Slots per bucket (Go `bucketCnt`).
pub(crate) const BUCKET_SLOTS: usize = 8;

/// One bucket: 8 tophash bytes, 8 keys, 8 values, then the overflow link.
#[repr(C)]
pub(crate) struct Bucket<K, V> {
    /// Tophash or marker of each slot; a key/value slot is initialised iff its
    /// tophash is `>= MIN_TOP_HASH` (invariant I1).
    pub(crate) tophash: [u8; BUCKET_SLOTS],
    keys: [MaybeUninit<K>; BUCKET_SLOTS],
    values: [MaybeUninit<V>; BUCKET_SLOTS],
    /// Next bucket of this chain, or null. Points into the same array's pool or
    /// at a separately allocated bucket (invariant I6).
    pub(crate) overflow: *mut Bucket<K, V>,
}

/// A position in a bucket chain: the bucket and the slot index within it.
///
/// A `Slot` is only an address: it may outlive its bucket, so every access
/// through it is an `unsafe fn` whose caller vouches that the bucket is
/// still live.
pub(crate) struct Slot<K, V> {
    pub(crate) bucket: NonNull<Bucket<K, V>>,
    pub(crate) index: usize,
}

impl<K, V> Clone for Slot<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for Slot<K, V> {}

impl<K, V> Slot<K, V> {
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

    /// Pointer to the slot's tophash byte.
    ///
    /// # Safety
    ///
    /// As for [`key`](Self::key).
    #[inline]
    pub(crate) unsafe fn tophash(self) -> *mut u8 {
        debug_assert!(self.index < BUCKET_SLOTS);
        // SAFETY: caller: a live bucket and an index below 8, as in `key`.
        unsafe {
            (&raw mut (*self.bucket.as_ptr()).tophash)
                .cast::<u8>()
                .add(self.index)
        }
    }
}

/// Reads the tophash word of a bucket.
///
/// # Safety
///
/// `b` points at a live bucket.
#[inline]
pub(crate) unsafe fn group<K, V>(b: NonNull<Bucket<K, V>>) -> Group {
    // SAFETY: caller: `b` is live; tophash is plain bytes, always initialised
    // (arrays and overflow buckets are allocated zeroed).
    Group::load(unsafe { ptr::read(&raw const (*b.as_ptr()).tophash) })
}

/// Reads tophash byte `i` of a bucket.
///
/// # Safety
///
/// `b` points at a live bucket and `i < 8`.
#[inline]
pub(crate) unsafe fn top_at<K, V>(b: NonNull<Bucket<K, V>>, i: usize) -> u8 {
    debug_assert!(i < BUCKET_SLOTS);
    // SAFETY: caller: `b` live, `i < 8`: a byte of its tophash array.
    unsafe { *(&raw const (*b.as_ptr()).tophash).cast::<u8>().add(i) }
}

/// The overflow link of a bucket.
///
/// # Safety
///
/// `b` points at a live bucket.
#[inline]
pub(crate) unsafe fn overflow<K, V>(b: NonNull<Bucket<K, V>>) -> Option<NonNull<Bucket<K, V>>> {
    // SAFETY: caller: `b` live; the link is initialised (zeroed or written
    // by `push_overflow`).
    NonNull::new(unsafe { (*b.as_ptr()).overflow })
}

/// Marks slot `i` of `b` empty, turning it (and the empty run before it) into
/// `EMPTY_REST` when nothing live follows it in the chain (Go `mapdelete`
/// step 5). `head` is the first bucket of the chain.
///
/// # Safety
///
/// 1. `head` is the head of a live chain that contains `b` (I6);
/// 2. `i < 8`;
/// 3. the slot's key and value have been moved out or dropped already.
pub(crate) unsafe fn mark_slot_empty<K, V>(
    head: NonNull<Bucket<K, V>>,
    b: NonNull<Bucket<K, V>>,
    i: usize,
) {
    let slot = Slot {
        bucket: b,
        index: i,
    };
    // SAFETY: caller (1, 2): `head` and `b` are live buckets of one chain
    // and `i < 8`; every bucket reached below is one of that chain's (I6).
    // Only tophash bytes are written, which is what caller (3) allows; the
    // run turned into EMPTY_REST holds only empty slots, keeping I2.
    unsafe {
        *slot.tophash() = EMPTY_ONE;
        let next_is_rest = if i == BUCKET_SLOTS - 1 {
            match overflow(b) {
                None => true,
                Some(next) => top_at(next, 0) == EMPTY_REST,
            }
        } else {
            top_at(b, i + 1) == EMPTY_REST
        };
        if !next_is_rest {
            return;
        }
        let (mut b, mut i) = (b, i);
        loop {
            *(Slot {
                bucket: b,
                index: i,
            })
            .tophash() = EMPTY_REST;
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
            if top_at(b, i) != EMPTY_ONE {
                break;
            }
        }
    }
}
