//! Portable group matching: SWAR on the tophash word as a `u64`, one `0x80`
//! bit per selected slot's byte.

use super::BitMask;
use crate::raw::tophash::MIN_TOP_HASH;

pub(super) type MaskWord = u64;
/// Bits between two slots' bits in a [`MaskWord`].
pub(super) const STRIDE: usize = 8;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// Exact zero-byte detector: `0x80` in every byte of the result whose byte in
/// `x` is zero, `0` elsewhere (no false positives, unlike the classic
/// `(x - LO) & !x & HI` trick, whose borrow can flag the byte above a zero).
#[inline]
fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

#[inline]
pub(super) fn to_bytes(mask: MaskWord) -> u64 {
    mask
}

/// The mask of the set bits of `bits` (bit `i` = slot `i`).
#[inline]
pub(super) fn from_bits(bits: u8) -> MaskWord {
    // Byte `i` of the product holds all of `bits`; keeping bit `i` of byte
    // `i` and adding `0x7f` sets bit 7 exactly where it was set (no byte
    // exceeds 0x80 + 0x7f, so nothing carries).
    let spread = (u64::from(bits) * LO) & 0x8040_2010_0804_0201;
    (spread + LOW7) & HI
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

    /// Slots whose tophash equals `top`.
    #[inline]
    pub(crate) fn match_byte(self, top: u8) -> BitMask {
        BitMask(zero_bytes(self.0 ^ (LO * u64::from(top))))
    }

    /// Slots that are empty (`EMPTY_REST` or `EMPTY_ONE`).
    #[inline]
    pub(crate) fn match_empty(self) -> BitMask {
        // A byte is <= 1 iff its value with the low bit cleared is zero.
        BitMask(zero_bytes(self.0 & !LO))
    }

    /// Slots that hold a live entry (tophash >= `MIN_TOP_HASH`).
    #[inline]
    pub(crate) fn match_full(self) -> BitMask {
        // Per byte b < 128: b + (128 - 5) sets bit 7 iff b >= 5, and cannot
        // carry into the next byte (127 + 123 < 256). Bytes >= 128 keep bit 7.
        const ADD: u64 = LO * (0x80 - MIN_TOP_HASH as u64);
        BitMask((((self.0 & LOW7).wrapping_add(ADD)) | self.0) & HI)
    }
}
