//! Tophash bytes: Go's reserved marker values and the SWAR matching of a
//! bucket's eight tophash bytes as one `u64`.
//!
//! Every slot of a bucket has one tophash byte. Values below
//! [`MIN_TOP_HASH`] are markers; a live slot holds the top eight bits of its
//! key's hash, moved up past the markers (see [`tophash`]).

/// Slot empty, and so is every later slot of this bucket and of every
/// overflow bucket after it (Go `emptyRest`). Zero, so a zeroed bucket is empty.
pub(crate) const EMPTY_REST: u8 = 0;
/// Slot empty; a later slot may be live (Go `emptyOne`).
pub(crate) const EMPTY_ONE: u8 = 1;
/// Old-array slot whose entry moved to the destination bucket with the same
/// index as the old bucket (Go `evacuatedX`).
pub(crate) const EVACUATED_X: u8 = 2;
/// Old-array slot whose entry moved to a destination bucket with a different
/// index (the upper half after a doubling; Go `evacuatedY`).
pub(crate) const EVACUATED_Y: u8 = 3;
/// Old-array slot that was empty when its bucket was evacuated (Go `evacuatedEmpty`).
pub(crate) const EVACUATED_EMPTY: u8 = 4;
/// Smallest tophash of a live slot (Go `minTopHash`).
pub(crate) const MIN_TOP_HASH: u8 = 5;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The tophash stored for a key with this hash: its top byte, moved past the
/// markers (`top < 5` becomes `top + 5`, as in Go, so 5..=9 are twice as likely).
#[inline]
pub(crate) fn tophash(hash: u64) -> u8 {
    let top = (hash >> 56) as u8;
    if top < MIN_TOP_HASH {
        top + MIN_TOP_HASH
    } else {
        top
    }
}

/// True if this tophash marks a slot that holds no entry and is not an
/// evacuation marker (Go `isEmpty`).
#[inline]
pub(crate) fn is_empty(top: u8) -> bool {
    top <= EMPTY_ONE
}

/// True if the first tophash of a chain says the whole chain was evacuated
/// (Go `evacuated`: only slot 0 of the head bucket is inspected, valid because
/// a chain is evacuated in one step).
#[inline]
pub(crate) fn is_evacuated_marker(top: u8) -> bool {
    top > EMPTY_ONE && top < MIN_TOP_HASH
}

/// Exact zero-byte detector: `0x80` in every byte of the result whose byte in
/// `x` is zero, `0` elsewhere (no false positives, unlike the classic
/// `(x - LO) & !x & HI` trick, whose borrow can flag the byte above a zero).
#[inline]
fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// The eight tophash bytes of one bucket as one word (byte `i` = slot `i`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Group(u64);

impl Group {
    /// Reads the group from a bucket's tophash array.
    #[inline]
    pub(crate) fn load(bytes: [u8; 8]) -> Self {
        Group(u64::from_le_bytes(bytes))
    }

    /// Tophash byte of slot `i` (`i < 8`).
    #[inline]
    pub(crate) fn byte(self, i: usize) -> u8 {
        (self.0 >> (8 * i)) as u8
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

    /// True if any slot is `EMPTY_REST`: nothing after it in the chain is live.
    #[inline]
    pub(crate) fn has_empty_rest(self) -> bool {
        // The classic test: it may flag the wrong byte, but it flags some
        // byte iff a zero byte exists, which is all this asks.
        self.0.wrapping_sub(LO) & !self.0 & HI != 0
    }
}

// `evacuated_markers` computes X and Y from EMPTY by subtraction.
const _: () = assert!(EVACUATED_X == EVACUATED_EMPTY - 2 && EVACUATED_Y == EVACUATED_X + 1);

/// The tophash word of an evacuated bucket: `EVACUATED_Y` at the slots of
/// `y`, `EVACUATED_X` at the other slots of `full`, `EVACUATED_EMPTY`
/// elsewhere (`y` is a subset of `full`).
#[inline]
pub(crate) fn evacuated_markers(full: BitMask, y: BitMask) -> [u8; 8] {
    debug_assert_eq!(y.minus(full), BitMask::NONE);
    // Per byte: EMPTY - 2·full + y, where `full >> 6` holds 2 and `y >> 7`
    // holds 1 in each selected byte. No byte goes below 2, so nothing
    // borrows or carries across bytes.
    (LO * u64::from(EVACUATED_EMPTY) - (full.0 >> 6) + (y.0 >> 7)).to_le_bytes()
}

/// A set of slot indices, one `0x80` bit per selected byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BitMask(u64);

impl BitMask {
    /// No slot selected.
    pub(crate) const NONE: BitMask = BitMask(0);

    /// Slot `i` alone (`i < 8`).
    #[inline]
    pub(crate) fn slot(i: usize) -> BitMask {
        BitMask(0x80 << (8 * i))
    }

    /// This mask if `keep`, else none (without a branch).
    #[inline]
    pub(crate) fn keep_if(self, keep: bool) -> BitMask {
        BitMask(self.0 & 0u64.wrapping_sub(u64::from(keep)))
    }

    /// Slots selected in either mask.
    #[inline]
    pub(crate) fn union(self, other: BitMask) -> BitMask {
        BitMask(self.0 | other.0)
    }

    /// Slots selected here and not in `other`.
    #[inline]
    pub(crate) fn minus(self, other: BitMask) -> BitMask {
        BitMask(self.0 & !other.0)
    }

    /// Lowest selected slot index.
    #[inline]
    pub(crate) fn lowest(self) -> Option<usize> {
        if self.0 == 0 {
            None
        } else {
            Some(self.0.trailing_zeros() as usize / 8)
        }
    }

    /// The mask without its lowest selected slot.
    #[inline]
    pub(crate) fn remove_lowest(self) -> BitMask {
        BitMask(self.0 & self.0.wrapping_sub(1))
    }
}

impl Iterator for BitMask {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        let i = self.lowest()?;
        *self = self.remove_lowest();
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_matching(bytes: [u8; 8], pred: impl Fn(u8) -> bool) -> Vec<usize> {
        (0..8).filter(|&i| pred(bytes[i])).collect()
    }

    #[test]
    fn swar_matches_byte_loop_on_every_byte_value() {
        // Every byte value in every position, with neighbours that provoke
        // borrows (0, 1) and high-bit values.
        // Every byte value (a sample of them under Miri, which is slow).
        let step = if cfg!(miri) { 97 } else { 1 };
        for v in (0..=255u8).step_by(step) {
            for pos in 0..8 {
                for fill in [0u8, 1, 2, 4, 5, 0x7f, 0x80, 0xff, v ^ 1] {
                    let mut bytes = [fill; 8];
                    bytes[pos] = v;
                    let g = Group::load(bytes);
                    for top in [5u8, 6, 9, 0x80, 0xff, v.max(5)] {
                        let got: Vec<_> = g.match_byte(top).collect();
                        assert_eq!(got, bytes_matching(bytes, |b| b == top), "{bytes:?} {top}");
                    }
                    let got: Vec<_> = g.match_empty().collect();
                    assert_eq!(got, bytes_matching(bytes, is_empty), "{bytes:?}");
                    let got: Vec<_> = g.match_full().collect();
                    assert_eq!(got, bytes_matching(bytes, |b| b >= MIN_TOP_HASH));
                    assert_eq!(g.has_empty_rest(), bytes.contains(&EMPTY_REST));
                }
            }
        }
    }

    #[test]
    fn evacuated_markers_match_a_byte_loop() {
        // Every pair of masks (a sample of them under Miri, which is slow).
        let step = if cfg!(miri) { 29 } else { 1 };
        for full in (0..=255u32).step_by(step) {
            for y in (0..=255u32).step_by(step) {
                if y & !full != 0 {
                    continue;
                }
                let mask = |bits: u32| {
                    (0..8)
                        .filter(|i| bits >> i & 1 != 0)
                        .fold(BitMask::NONE, |m, i| m.union(BitMask::slot(i)))
                };
                let want: Vec<u8> = (0..8)
                    .map(|i| match (full >> i & 1, y >> i & 1) {
                        (0, _) => EVACUATED_EMPTY,
                        (_, 0) => EVACUATED_X,
                        _ => EVACUATED_Y,
                    })
                    .collect();
                assert_eq!(evacuated_markers(mask(full), mask(y)).to_vec(), want);
            }
        }
    }

    #[test]
    fn tophash_skips_markers() {
        assert_eq!(tophash(0), 5);
        assert_eq!(tophash(4 << 56), 9);
        assert_eq!(tophash(5 << 56), 5);
        assert_eq!(tophash(u64::MAX), 255);
        for top in 0..=255u64 {
            assert!(tophash(top << 56) >= MIN_TOP_HASH);
        }
    }

    #[test]
    fn marker_predicates() {
        assert!(is_empty(EMPTY_REST) && is_empty(EMPTY_ONE) && !is_empty(EVACUATED_X));
        for m in [EVACUATED_X, EVACUATED_Y, EVACUATED_EMPTY] {
            assert!(is_evacuated_marker(m));
        }
        for m in [EMPTY_REST, EMPTY_ONE, MIN_TOP_HASH, 255] {
            assert!(!is_evacuated_marker(m));
        }
        // Go checks at runtime that Y = X + 1 = X ^ 1.
        const { assert!(EVACUATED_Y == EVACUATED_X + 1 && EVACUATED_Y == EVACUATED_X ^ 1) };
    }
}
