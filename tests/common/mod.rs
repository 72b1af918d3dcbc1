//! Test support shared by the integration tests: weak hashers, drop
//! counting, and keys/values whose `Hash`, `Eq` or `Drop` panic on demand.
#![allow(dead_code, unreachable_pub)]

use std::cell::Cell;
use std::hash::{BuildHasher, Hash, Hasher};
use std::rc::Rc;

/// How a [`Weak`] hasher turns the key's integer into a hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weakness {
    /// Every key hashes to 0: one chain, one tophash.
    Constant,
    /// hash = key: spread over buckets, all with tophash 5 (top byte 0).
    LowBits,
    /// hash = key << 48: every key in bucket 0, tophash from the key.
    HighBits,
    /// A real hash (ahash with fixed seeds).
    Strong,
}

pub const ALL_WEAKNESSES: [Weakness; 4] = [
    Weakness::Constant,
    Weakness::LowBits,
    Weakness::HighBits,
    Weakness::Strong,
];

/// A `BuildHasher` whose hashers collect the integers written and apply a
/// [`Weakness`].
#[derive(Clone, Copy, Debug)]
pub struct Weak(pub Weakness);

pub struct WeakHasher {
    weakness: Weakness,
    acc: u64,
}

impl Hasher for WeakHasher {
    fn finish(&self) -> u64 {
        match self.weakness {
            Weakness::Constant => 0,
            Weakness::LowBits => self.acc,
            Weakness::HighBits => self.acc << 48,
            Weakness::Strong => ahash::RandomState::with_seeds(1, 2, 3, 4).hash_one(self.acc),
        }
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.acc = self.acc.rotate_left(8) ^ u64::from(b);
        }
    }
}

impl BuildHasher for Weak {
    type Hasher = WeakHasher;
    fn build_hasher(&self) -> WeakHasher {
        WeakHasher {
            weakness: self.0,
            acc: 0,
        }
    }
}

/// Counts live instances: created minus dropped.
#[derive(Clone, Default)]
pub struct Counter(Rc<Cell<isize>>);

impl Counter {
    pub fn live(&self) -> isize {
        self.0.get()
    }
    pub fn value(&self, id: u64) -> Counted {
        self.0.set(self.0.get() + 1);
        Counted {
            id,
            counter: self.clone(),
            panic_on_drop: false,
        }
    }
    pub fn panicking_value(&self, id: u64) -> Counted {
        let mut v = self.value(id);
        v.panic_on_drop = true;
        v
    }
}

/// A value that decrements its counter when dropped, and panics in `drop`
/// (after counting) if asked to. Dropping twice would show as a negative
/// count; leaking as a positive one.
pub struct Counted {
    pub id: u64,
    counter: Counter,
    panic_on_drop: bool,
}

impl Clone for Counted {
    /// Counts the new instance; panics first if [`CLONE_FUSE`] runs out.
    fn clone(&self) -> Self {
        burn(&CLONE_FUSE, "clone");
        self.counter.value(self.id)
    }
}

impl std::fmt::Debug for Counted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Counted({})", self.id)
    }
}

/// Counted values can be keys too: hashed and compared by `id`.
impl Hash for Counted {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl PartialEq for Counted {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Counted {}

impl Drop for Counted {
    fn drop(&mut self) {
        self.counter.0.set(self.counter.0.get() - 1);
        if self.panic_on_drop && !std::thread::panicking() {
            panic!("drop of value {} panics", self.id);
        }
    }
}

thread_local! {
    /// Calls left before a [`Trap`] key's `Hash` panics (`None`: never).
    pub static HASH_FUSE: Cell<Option<u32>> = const { Cell::new(None) };
    /// Calls left before a [`Trap`] key's `Eq` panics (`None`: never).
    pub static EQ_FUSE: Cell<Option<u32>> = const { Cell::new(None) };
    /// Calls left before a [`Counted`]'s `Clone` panics (`None`: never).
    pub static CLONE_FUSE: Cell<Option<u32>> = const { Cell::new(None) };
}

/// Arms a fuse: the `n`-th next call (0 = the very next) panics.
pub fn arm(fuse: &'static std::thread::LocalKey<Cell<Option<u32>>>, n: u32) {
    fuse.with(|f| f.set(Some(n)));
}

pub fn disarm() {
    HASH_FUSE.with(|f| f.set(None));
    EQ_FUSE.with(|f| f.set(None));
    CLONE_FUSE.with(|f| f.set(None));
}

fn burn(fuse: &'static std::thread::LocalKey<Cell<Option<u32>>>, what: &str) {
    fuse.with(|f| match f.get() {
        Some(0) => {
            f.set(None);
            panic!("{what} panics");
        }
        Some(n) => f.set(Some(n - 1)),
        None => {}
    });
}

/// A key whose `Hash` and `Eq` panic when their fuse runs out.
#[derive(Clone, Copy, Debug)]
pub struct Trap(pub u64);

impl Hash for Trap {
    fn hash<H: Hasher>(&self, state: &mut H) {
        burn(&HASH_FUSE, "hash");
        self.0.hash(state);
    }
}

impl PartialEq for Trap {
    fn eq(&self, other: &Self) -> bool {
        burn(&EQ_FUSE, "eq");
        self.0 == other.0
    }
}

impl Eq for Trap {}
