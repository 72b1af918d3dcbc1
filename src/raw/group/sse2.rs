//! Group matching with SSE2 (part of x86-64's base ISA): the tophash word
//! in the low half of a vector, one byte compare, and `pmovmskb` for one
//! bit per slot.
//!
//! The vector's high half is zero. Compares whose operand is never zero
//! (`match_byte`: a tophash is at least `MIN_TOP_HASH`; `match_full`) cannot
//! select it; the others keep only the low eight bits.

use core::arch::x86_64::{
    __m128i, _mm_cmpeq_epi8, _mm_cvtsi64_si128, _mm_max_epu8, _mm_min_epu8, _mm_movemask_epi8,
    _mm_set1_epi8, _mm_set1_epi64x,
};

use super::BitMask;
use crate::raw::tophash::{EMPTY_ONE, MIN_TOP_HASH};

pub(super) type MaskWord = u32;
/// Bits between two slots' bits in a [`MaskWord`].
pub(super) const STRIDE: usize = 1;

/// `SPREAD[m]`: mask `m` (one bit per slot) as `0x80` in each selected
/// slot's byte. A table (2 KiB) because x86-64's base ISA has no `pdep`;
/// evacuation converts two masks per bucket.
static SPREAD: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut m = 0;
    while m < 256 {
        let mut i = 0;
        while i < 8 {
            if m >> i & 1 != 0 {
                table[m] |= 0x80 << (8 * i);
            }
            i += 1;
        }
        m += 1;
    }
    table
};

/// The mask of the set bits of `bits` (bit `i` = slot `i`).
#[inline]
pub(super) fn from_bits(bits: u8) -> MaskWord {
    MaskWord::from(bits)
}

/// One bit per slot spread to `0x80` in the slot's byte.
#[inline]
pub(super) fn to_bytes(mask: MaskWord) -> u64 {
    debug_assert!(mask < 256);
    SPREAD[mask as usize & 0xff]
}

/// The eight tophash bytes of one bucket as one word (byte `i` = slot `i`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Group(u64);

impl Group {
    /// The group of a bucket's tophash bytes.
    #[inline]
    pub(crate) fn load(bytes: [u8; 8]) -> Self {
        Group(u64::from_le_bytes(bytes))
    }

    #[inline]
    fn vector(self) -> __m128i {
        // SAFETY: SSE2 is part of x86-64's base ISA; no memory is accessed.
        unsafe { _mm_cvtsi64_si128(self.0 as i64) }
    }

    /// Slots whose bytes compare equal in `cmp`'s low half.
    #[inline]
    fn low_mask(cmp: __m128i) -> BitMask {
        // SAFETY: SSE2 (base ISA); no memory is accessed.
        BitMask(unsafe { _mm_movemask_epi8(cmp) } as u32 & 0xff)
    }

    /// Slots whose tophash equals `top` (a tophash, `>= MIN_TOP_HASH`).
    #[inline]
    pub(crate) fn match_byte(self, top: u8) -> BitMask {
        debug_assert!(top >= MIN_TOP_HASH);
        // `top` in every byte: a multiply, a move and one shuffle, where a
        // byte broadcast takes four instructions.
        // SAFETY: SSE2 (base ISA); no memory is accessed.
        let tops = unsafe { _mm_set1_epi64x((0x0101_0101_0101_0101 * u64::from(top)) as i64) };
        // SAFETY: SSE2 (base ISA); no memory is accessed. `top` is not zero,
        // so the zero high half selects nothing.
        BitMask(unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(self.vector(), tops)) } as u32)
    }

    /// Slots that are empty (`EMPTY_REST` or `EMPTY_ONE`).
    #[inline]
    pub(crate) fn match_empty(self) -> BitMask {
        let v = self.vector();
        // SAFETY: SSE2 (base ISA); no memory is accessed. A byte is empty iff
        // min(byte, EMPTY_ONE) == byte.
        Self::low_mask(unsafe {
            _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(EMPTY_ONE as i8)), v)
        })
    }

    /// Slots that hold a live entry (tophash >= `MIN_TOP_HASH`).
    #[inline]
    pub(crate) fn match_full(self) -> BitMask {
        let v = self.vector();
        // SAFETY: SSE2 (base ISA); no memory is accessed. A byte is full iff
        // max(byte, MIN_TOP_HASH) == byte; the zero high half never is.
        BitMask(unsafe {
            _mm_movemask_epi8(_mm_cmpeq_epi8(
                _mm_max_epu8(v, _mm_set1_epi8(MIN_TOP_HASH as i8)),
                v,
            ))
        } as u32)
    }
}
