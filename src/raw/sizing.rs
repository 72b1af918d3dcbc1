//! Table sizing: how many entries a table of `2^B` buckets holds before it
//! doubles under a policy's load factor (Go `overLoadFactor`), the smallest
//! table for a number of entries (Go `makemap`), and the automatic-shrink
//! threshold. `Policy` holds the knobs; the arithmetic on buckets lives
//! here, with the bucket layout it depends on.

use super::array::MAX_LOG2;
use super::bucket::BUCKET_SLOTS;
use crate::{Policy, TryReserveError};

// The load-factor bound `Policy` checks is a bucket's slot count.
const _: () = assert!(crate::policy::MAX_LOAD_FACTOR == BUCKET_SLOTS as f64);

/// Entries a table with `2^log2` buckets holds before an insert starts a
/// doubling. Go: `count > 8 && count > 13 * (2^B / 2)` overloads, which is
/// `max(8, floor(6.5 * 2^B))` for every `B`; this generalises it to any
/// factor.
pub(crate) fn capacity_at(policy: &Policy, log2: u8) -> usize {
    let scaled = (policy.load_factor() * (1u64 << log2) as f64).floor() as usize;
    scaled.max(BUCKET_SLOTS)
}

/// Smallest `B` whose capacity is at least `entries` (Go `makemap`).
pub(crate) fn log2_for(policy: &Policy, entries: usize) -> Result<u8, TryReserveError> {
    (0..=MAX_LOG2)
        .find(|&b| capacity_at(policy, b) >= entries)
        .ok_or(TryReserveError::CapacityOverflow)
}

/// Largest length at which a removal from a table with `2^log2` buckets
/// starts a shrink, plus one (0 when automatic shrinking is off), so the
/// check is `len < shrink_below_at(B)`.
pub(crate) fn shrink_below_at(policy: &Policy, log2: u8) -> usize {
    match policy.auto_shrink() {
        Some(fill) => {
            let slots = (BUCKET_SLOTS << log2) as f64;
            (fill * slots).floor() as usize + 1
        }
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_integer_formula() {
        // Go: overLoadFactor(count, B) = count > 8 && count > 13 * (2^B / 2).
        let p = Policy::go();
        for b in 0..=40u8 {
            let go = (13u64 * ((1u64 << b) / 2)).max(8) as usize;
            assert_eq!(capacity_at(&p, b), go, "B = {b}");
        }
        // Go 1.21's accidental 6.0: 8, 12, 24, 48.
        let p = Policy::go().with_load_factor(6.0);
        assert_eq!([1, 2, 3].map(|b| capacity_at(&p, b)), [12, 24, 48]);
    }

    #[test]
    fn log2_for_is_smallest_fit() {
        let p = Policy::go();
        assert_eq!(log2_for(&p, 0), Ok(0));
        assert_eq!(log2_for(&p, 8), Ok(0));
        assert_eq!(log2_for(&p, 9), Ok(1));
        assert_eq!(log2_for(&p, 13), Ok(1));
        assert_eq!(log2_for(&p, 14), Ok(2));
        assert_eq!(
            log2_for(&p, usize::MAX),
            Err(TryReserveError::CapacityOverflow)
        );
    }

    #[test]
    fn shrink_threshold() {
        assert_eq!(shrink_below_at(&Policy::go(), 10), 0, "off by default");
        let p = Policy::go().with_auto_shrink(0.125);
        // 2^10 buckets = 8192 slots; 1/8 of them is 1024 entries.
        assert_eq!(shrink_below_at(&p, 10), 1025);
        assert_eq!(shrink_below_at(&p, 0), 2);
    }
}
