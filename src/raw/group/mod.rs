//! Matching a bucket's eight tophash bytes at once.
//!
//! A [`Group`] is one bucket's tophash word; its `match_*` methods return
//! the slots whose byte passes a test as a [`BitMask`]. Two
//! implementations sit behind the same interface, as in hashbrown:
//!
//! | implementation | where | one match |
//! |---|---|---|
//! | `sse2` | x86-64 (SSE2 is part of the base ISA) | load, compare, `pmovmskb`: one bit per slot |
//! | `generic` | every other target, Miri, and `--cfg evacmap_generic_group` | SWAR on a `u64`: one `0x80` bit per slot's byte |
//!
//! `--cfg evacmap_generic_group` forces the portable one on x86-64, so that
//! CI runs it natively as well as under Miri.

#[cfg(all(target_arch = "x86_64", not(miri), not(evacmap_generic_group)))]
mod sse2;
#[cfg(all(target_arch = "x86_64", not(miri), not(evacmap_generic_group)))]
use sse2 as imp;

#[cfg(not(all(target_arch = "x86_64", not(miri), not(evacmap_generic_group))))]
mod generic;
#[cfg(not(all(target_arch = "x86_64", not(miri), not(evacmap_generic_group))))]
use generic as imp;

pub(crate) use imp::Group;

/// A set of slot indices (`0..8`): one bit per slot, `imp::STRIDE` bits
/// apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BitMask(imp::MaskWord);

impl BitMask {
    /// No slot selected.
    pub(crate) const NONE: BitMask = BitMask(0);

    /// The slots of the set bits of `bits` (bit `i` = slot `i`).
    #[inline]
    pub(crate) fn from_bits(bits: u8) -> BitMask {
        BitMask(imp::from_bits(bits))
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
            Some(self.0.trailing_zeros() as usize / imp::STRIDE)
        }
    }

    /// The mask without its lowest selected slot.
    #[inline]
    pub(crate) fn remove_lowest(self) -> BitMask {
        BitMask(self.0 & self.0.wrapping_sub(1))
    }

    /// The mask as a word with `0x80` in the byte of every selected slot
    /// (byte `i` = slot `i`), for word arithmetic on tophash bytes.
    #[inline]
    pub(crate) fn to_bytes(self) -> u64 {
        imp::to_bytes(self.0)
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
    use super::super::tophash::{MIN_TOP_HASH, is_empty};
    use super::*;

    fn bytes_matching(bytes: [u8; 8], pred: impl Fn(u8) -> bool) -> Vec<usize> {
        (0..8).filter(|&i| pred(bytes[i])).collect()
    }

    #[test]
    fn group_matches_a_byte_loop_on_every_byte_value() {
        // Every byte value in every position, with neighbours that provoke
        // borrows (0, 1) and high-bit values (a sample under Miri, which is
        // slow).
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
                }
            }
        }
    }

    #[test]
    fn bitmask_operations() {
        let m = BitMask::from_bits(0b0100_0010);
        assert_eq!(m.collect::<Vec<_>>(), [1, 6]);
        assert_eq!(m.lowest(), Some(1));
        assert_eq!(m.remove_lowest(), BitMask::from_bits(0b0100_0000));
        assert_eq!(
            m.minus(BitMask::from_bits(0b10)),
            BitMask::from_bits(0b0100_0000)
        );
        assert_eq!(BitMask::NONE.lowest(), None);
        for bits in 0..=255u8 {
            let mask = BitMask::from_bits(bits);
            let slots: Vec<usize> = (0..8).filter(|i| bits >> i & 1 != 0).collect();
            assert_eq!(mask.collect::<Vec<_>>(), slots, "{bits:08b}");
            let want = slots.iter().fold(0u64, |w, i| w | 0x80 << (8 * i));
            assert_eq!(mask.to_bytes(), want, "{bits:08b}");
        }
    }
}
