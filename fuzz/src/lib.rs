//! What the fuzz targets share: hashers from good to degenerate, the
//! policies, and a value type that counts its live instances (so that a
//! double drop or a leak of a value is caught even where no memory error
//! is, e.g. a value dropped twice from a slot that was copied).
//!
//! Every target applies an arbitrary operation sequence to an evacmap
//! collection and to std's, compares them as it goes, and calls
//! `check_invariants` after every operation.

use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};

use arbitrary::Arbitrary;
use evacmap::Policy;

/// How a [`FuzzHasher`] turns the bytes written into a hash.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HasherChoice {
    /// ahash with these seeds: a real hash.
    Good(u64),
    /// Every key hashes to 0: one chain, one tophash.
    Constant,
    /// Only the low `1 + n % 6` bits vary (top byte 0: every tophash is 5).
    FewBits(u8),
    /// `1 + n % 6` random bits repeated in every byte: bucket and tophash
    /// collide together.
    FewBitsSpread(u8),
    /// A real hash with its top byte fixed: every key has one tophash.
    EqualTop,
    /// The key's bytes in the top bits only: one chain until the table is
    /// enormous, distinct tophashes.
    HighOnly,
}

/// A `BuildHasher` applying a [`HasherChoice`].
#[derive(Clone, Copy, Debug)]
pub struct FuzzHasher(pub HasherChoice);

impl Default for FuzzHasher {
    fn default() -> Self {
        FuzzHasher(HasherChoice::Good(0))
    }
}

/// The hasher state: the bytes written, folded.
#[derive(Debug)]
pub struct FuzzHasherState {
    choice: HasherChoice,
    acc: u64,
}

/// splitmix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Hasher for FuzzHasherState {
    fn finish(&self) -> u64 {
        let bits = |n: u8| (1u64 << (1 + n % 6)) - 1;
        match self.choice {
            HasherChoice::Good(seed) => {
                ahash::RandomState::with_seeds(seed, 2, 3, 4).hash_one(self.acc)
            }
            HasherChoice::Constant => 0,
            HasherChoice::FewBits(n) => mix(self.acc) & bits(n),
            HasherChoice::FewBitsSpread(n) => {
                (mix(self.acc) & bits(n)).wrapping_mul(0x0101_0101_0101_0101)
            }
            HasherChoice::EqualTop => mix(self.acc) & !(0xFF << 56) | (0x42 << 56),
            HasherChoice::HighOnly => self.acc << 48,
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.acc = self.acc.rotate_left(8) ^ u64::from(b);
        }
    }
}

impl BuildHasher for FuzzHasher {
    type Hasher = FuzzHasherState;
    fn build_hasher(&self) -> FuzzHasherState {
        FuzzHasherState {
            choice: self.0,
            acc: 0,
        }
    }
}

/// The policy knobs, every one of them.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub struct PolicyChoice {
    all_at_once: bool,
    steps: u8,
    load: u8,
    auto_shrink: Option<u8>,
    no_evacuation_on_remove: bool,
    timing: bool,
    huge_pages: bool,
    events: u8,
}

impl PolicyChoice {
    /// The policy.
    pub fn policy(self) -> Policy {
        let base = if self.all_at_once {
            Policy::all_at_once()
        } else {
            Policy::go()
        };
        let mut p = base
            .with_cursor_steps([0, 1, 1, 2, 3, 4, 16, 64][usize::from(self.steps % 8)])
            .with_load_factor([6.5, 6.5, 1.0, 4.5, 8.0, 6.0][usize::from(self.load % 6)])
            .with_evacuate_on_remove(!self.no_evacuation_on_remove)
            .with_timing(self.timing)
            .with_huge_pages(self.huge_pages)
            .with_event_capacity([256, 0, 1, 4][usize::from(self.events % 4)]);
        if let Some(fill) = self.auto_shrink {
            p = p.with_auto_shrink([0.05, 0.125, 0.25, 0.5][usize::from(fill % 4)]);
        }
        p
    }
}

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

/// A `u32` that counts its live instances (created or cloned, minus
/// dropped) in a thread-local counter, [`live`].
#[derive(Debug, PartialEq, Eq)]
pub struct Tracked(pub u32);

impl Tracked {
    /// A new tracked value.
    pub fn new(v: u32) -> Tracked {
        LIVE.with(|l| l.set(l.get() + 1));
        Tracked(v)
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Tracked {
        Tracked::new(self.0)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        LIVE.with(|l| l.set(l.get() - 1));
    }
}

/// Live [`Tracked`] values on this thread.
pub fn live() -> isize {
    LIVE.with(Cell::get)
}

/// Asserts that every [`Tracked`] value made since `start` was dropped
/// exactly once.
pub fn assert_no_tracked_since(start: isize) {
    assert_eq!(live(), start, "values leaked (> 0) or dropped twice (< 0)");
}

/// A query type for `u16` keys that is `Equivalent` (it hashes as the key
/// does: the derived `Hash` hashes the one field) but not `Borrow`, for
/// `entry_ref`.
#[derive(Hash, Debug)]
pub struct Key(pub u16);

impl evacmap::Equivalent<u16> for Key {
    fn equivalent(&self, key: &u16) -> bool {
        self.0 == *key
    }
}

impl From<&Key> for u16 {
    fn from(k: &Key) -> u16 {
        k.0
    }
}
