//! What the unit tests of `raw/` share: a table of `u64 → u64` on the
//! default layout driven directly (no `EvacMap`), with a hash function
//! that spreads keys (or one that puts them all in one chain), and the
//! invariant check after every step.

use super::RawTable;
use crate::Policy;
use crate::layout::DefaultLayout;

/// The table the tests drive.
pub(super) type Table = RawTable<u64, u64, DefaultLayout>;

/// splitmix64's finaliser: a good hash of a `u64`.
pub(super) fn spread(k: &u64) -> u64 {
    let mut z = k.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Every key in chain 0, with distinct tophashes: the longest chains.
pub(super) fn one_chain(k: &u64) -> u64 {
    spread(k) << 32
}

/// A table with `policy`.
pub(super) fn table(policy: Policy) -> Table {
    RawTable::new(policy)
}

/// Inserts `k → v` hashing with `h`; returns the value replaced.
pub(super) fn insert(t: &mut Table, h: fn(&u64) -> u64, k: u64, v: u64) -> Option<u64> {
    t.insert(h(&k), k, v, |a, b| a == b, h)
}

/// Removes `k`, hashing with `h`.
pub(super) fn remove(t: &mut Table, h: fn(&u64) -> u64, k: u64) -> Option<u64> {
    t.remove(h(&k), |s| *s == k, h).map(|(_, v)| v)
}

/// The value of `k`, hashing with `h`.
pub(super) fn get(t: &Table, h: fn(&u64) -> u64, k: u64) -> Option<u64> {
    t.get(h(&k), |s| *s == k).map(|(_, v)| *v)
}

/// Inserts between two invariant checks in `fill`: every insert natively;
/// under Miri, where one check of a table of a hundred entries takes about
/// a tenth of a second, every 16th (and the last), which keeps the raw
/// unit tests to minutes there while each insert's memory accesses are
/// still checked.
pub(super) const CHECK_EVERY: u64 = if cfg!(miri) { 16 } else { 1 };

/// Inserts `0..n` (value `2k`), checking the invariants after each (after
/// every `CHECK_EVERY`-th under Miri) and after the last.
pub(super) fn fill(t: &mut Table, h: fn(&u64) -> u64, n: u64) {
    for k in 0..n {
        insert(t, h, k, 2 * k);
        if k.is_multiple_of(CHECK_EVERY) || k + 1 == n {
            t.check_invariants(h);
        }
    }
}
