//! Tophash bytes: Go's reserved marker values, the tophash of a hash, and
//! the markers of an evacuated bucket computed as one word (matching a
//! bucket's eight bytes at once is `group`'s).
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

use super::group::BitMask;

const LO: u64 = 0x0101_0101_0101_0101;

/// The tophash stored for a key with this hash: its top byte, moved past the
/// markers (`top < 5` becomes `top + 5`, as in Go, so 5..=9 are twice as likely).
/// A table lookup (256 bytes, four cache lines): two instructions where the
/// comparison and the conditional move take four.
#[inline]
pub(crate) fn tophash(hash: u64) -> u8 {
    TOPHASH[(hash >> 56) as usize]
}

/// `TOPHASH[b]`: the tophash of a hash whose top byte is `b`.
static TOPHASH: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = if b < MIN_TOP_HASH as usize {
            b as u8 + MIN_TOP_HASH
        } else {
            b as u8
        };
        b += 1;
    }
    table
};

/// True if a bucket with these tophash bytes ends its chain's search: it
/// holds an `EMPTY_REST` slot, so nothing after it is live. In a chain that
/// is not evacuated, I2 makes every slot after an `EMPTY_REST` one
/// `EMPTY_REST` too, so slot 7 answers (one byte read, no group
/// arithmetic).
#[inline]
pub(crate) fn ends_chain(bytes: &[u8; 8]) -> bool {
    debug_assert_eq!(
        bytes.contains(&EMPTY_REST),
        bytes[7] == EMPTY_REST,
        "I2: a slot after an EMPTY_REST is not EMPTY_REST"
    );
    bytes[7] == EMPTY_REST
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
    (LO * u64::from(EVACUATED_EMPTY) - (full.to_bytes() >> 6) + (y.to_bytes() >> 7)).to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evacuated_markers_match_a_byte_loop() {
        // Every pair of masks (a sample of them under Miri, which is slow).
        let step = if cfg!(miri) { 29 } else { 1 };
        for full in (0..=255u32).step_by(step) {
            for y in (0..=255u32).step_by(step) {
                if y & !full != 0 {
                    continue;
                }
                let mask = |bits: u32| BitMask::from_bits(bits as u8);
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
