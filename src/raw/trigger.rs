//! The growth decision, in one place: when an insert must allocate the
//! first array or start a growth (Go `overLoadFactor` and
//! `tooManyOverflowBuckets`), and when a removal starts an automatic
//! shrink; and when an insert allocates the next array ahead of the
//! doubling that will use it (a *spare*), so that the insert that starts
//! the doubling pays no system call. [`Triggers`] owns every threshold and
//! the overflow count with its generator; the table tells it facts (an
//! array was installed, a spare was allocated, an overflow bucket was
//! linked, an evacuation began or ended) and asks it questions (is this
//! insert due, what must it start, must this removal shrink). No `unsafe`
//! here.

use super::sizing;
use crate::Policy;

/// What an insert must start before it places its entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Start {
    /// The table has no array yet: allocate the first one (`B = 0`).
    FirstArray,
    /// The load limit: a doubling (finishing a running growth first).
    Doubling,
    /// Too many overflow buckets while idle: a same-size growth.
    SameSize,
    /// 7/8 of the load limit: allocate the next doubling's array now, or
    /// touch one more of its pages (`spare.rs`).
    Spare,
}

/// The fraction of the load limit at which the next array is allocated
/// ahead: far enough from the doubling that the insert allocating it does
/// nothing else, and after the last growth's old array is gone (with Go's
/// policy a doubling ends by about 55% of the new limit).
const SPARE_AT: (usize, usize) = (7, 8);

/// Every threshold of the growth decision, cached for the current array,
/// and Go's approximate overflow count.
#[derive(Clone, Debug)]
pub(super) struct Triggers {
    /// Entries the current array holds before an insert starts a doubling
    /// (`sizing::capacity_at(policy, B)`); 0 without an array.
    max_load: usize,
    /// The insert path's one comparison: an insert that would take the
    /// count above it asks [`insert_start`](Self::insert_start).
    /// `max_load`, or 0 while the overflow buckets call for a same-size
    /// growth (idle, and `noverflow` at Go's limit) and without an array.
    grow_at: usize,
    /// A removal leaving fewer entries may start a shrink
    /// (`sizing::shrink_below_at`); 0 when automatic shrinking is off.
    shrink_below: usize,
    /// An insert that would take the count above it allocates the next
    /// array ahead or touches one of its pages (`Start::Spare`);
    /// `usize::MAX` once the array is ready or when there is none to make.
    spare_at: usize,
    /// `B` of the current array.
    log2: u8,
    /// Whether an evacuation runs (the overflow count then starts nothing:
    /// a growth never starts during another, I8).
    evacuating: bool,
    /// Go's `noverflow`: overflow buckets linked since the current array
    /// was installed, counted exactly below `B = 16` and with probability
    /// `1/2^(B-15)` above (Go `incrnoverflow`).
    noverflow: u16,
    /// xorshift state of those probabilistic increments; a fixed seed, so
    /// runs are reproducible.
    rng: u64,
}

impl Triggers {
    /// No array: the next insert allocates one.
    pub(super) const fn new() -> Self {
        Triggers {
            max_load: 0,
            grow_at: 0,
            shrink_below: 0,
            spare_at: usize::MAX,
            log2: 0,
            evacuating: false,
            noverflow: 0,
            rng: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// A new current array of `2^log2` buckets was installed (`None`: the
    /// table has no array any more). Its overflow count starts at 0, as
    /// Go's `hashGrow` resets `noverflow`. `spare`: the next doubling's
    /// array is worth allocating ahead and none is held.
    pub(super) fn array_installed(&mut self, policy: &Policy, log2: Option<u8>, spare: bool) {
        self.noverflow = 0;
        match log2 {
            Some(b) => {
                self.log2 = b;
                self.max_load = sizing::capacity_at(policy, b);
                self.shrink_below = sizing::shrink_below_at(policy, b);
            }
            None => {
                self.log2 = 0;
                self.max_load = 0;
                self.shrink_below = 0;
            }
        }
        self.spare_at = if spare && log2.is_some() {
            self.max_load / SPARE_AT.1 * SPARE_AT.0
        } else {
            usize::MAX
        };
        self.refresh();
    }

    /// The next array was allocated ahead and its pages touched (or could
    /// not be allocated: then the doubling allocates it, as without a
    /// spare).
    pub(super) fn spare_made(&mut self) {
        self.spare_at = usize::MAX;
        self.refresh();
    }

    /// The spare's next step is due when an insert takes the count above
    /// `count`.
    pub(super) fn spare_step_at(&mut self, count: usize) {
        self.spare_at = count;
        self.refresh();
    }

    /// The current array was emptied in place (`clear`): no overflow
    /// bucket is linked any more.
    pub(super) fn array_cleared(&mut self) {
        self.noverflow = 0;
        self.refresh();
    }

    /// An evacuation began (`true`) or ended (`false`).
    pub(super) fn set_evacuating(&mut self, evacuating: bool) {
        self.evacuating = evacuating;
        self.refresh();
    }

    /// Go `incrnoverflow` `n` times: `n` overflow buckets were linked
    /// into the current array by one evacuation step.
    pub(super) fn overflows_linked(&mut self, n: u64) {
        for _ in 0..n {
            self.overflow_linked();
        }
    }

    /// Go `incrnoverflow`: an overflow bucket was linked into the current
    /// array.
    #[inline]
    pub(super) fn overflow_linked(&mut self) {
        if self.log2 < 16 {
            self.noverflow = self.noverflow.saturating_add(1);
        } else {
            // Counted with probability 1/2^(B-15), so that 2^15 stands for
            // 2^B.
            let mut x = self.rng;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.rng = x;
            if x & ((1u64 << (self.log2 - 15)) - 1) == 0 {
                self.noverflow = self.noverflow.saturating_add(1);
            }
        }
        self.refresh();
    }

    /// A clone takes `src`'s overflow count and generator (its array is a
    /// copy of `src`'s, installed first).
    pub(super) fn copy_overflow_of(&mut self, src: &Triggers) {
        self.noverflow = src.noverflow;
        self.rng = src.rng;
        self.refresh();
    }

    /// Go `tooManyOverflowBuckets`.
    #[inline]
    fn too_many_overflow(&self) -> bool {
        usize::from(self.noverflow) >= 1usize << self.log2.min(15)
    }

    #[inline]
    fn refresh(&mut self) {
        self.grow_at = self.grow_at_now();
    }

    /// `grow_at` from the other fields: 0 while a same-size growth is due;
    /// the spare's threshold only while idle (allocated during an
    /// evacuation it would be a third array held at once).
    #[inline]
    fn grow_at_now(&self) -> usize {
        if self.evacuating {
            self.max_load
        } else if self.too_many_overflow() {
            0
        } else {
            self.max_load.min(self.spare_at)
        }
    }

    /// Whether an insert into a table of `count` entries must ask
    /// [`insert_start`](Self::insert_start): the insert path's one
    /// comparison, covering Go's two conditions.
    #[inline]
    pub(super) fn insert_due(&self, count: usize) -> bool {
        count + 1 > self.grow_at
    }

    /// What a due insert into a table of `count` entries must start
    /// (`allocated`: the table has an array), or nothing.
    pub(super) fn insert_start(&self, count: usize, allocated: bool) -> Option<Start> {
        if !allocated {
            return Some(Start::FirstArray);
        }
        if count + 1 > self.max_load {
            Some(Start::Doubling)
        } else if !self.evacuating && self.too_many_overflow() {
            Some(Start::SameSize)
        } else if !self.evacuating && count + 1 > self.spare_at {
            Some(Start::Spare)
        } else {
            debug_assert!(false, "`grow_at` out of date");
            None
        }
    }

    /// After a removal left `count` entries: the `B` of the automatic
    /// shrink to start, if the policy's fill says so, no evacuation runs,
    /// and a smaller table would still hold twice the entries (the
    /// hysteresis of `Policy::with_auto_shrink`).
    #[inline]
    pub(super) fn removal_shrink(&self, policy: &Policy, count: usize) -> Option<u8> {
        if count < self.shrink_below && !self.evacuating {
            self.shrink_target(policy, count)
        } else {
            None
        }
    }

    #[cold]
    fn shrink_target(&self, policy: &Policy, count: usize) -> Option<u8> {
        let target = sizing::log2_for(policy, count.saturating_mul(2)).ok()?;
        (target < self.log2).then_some(target)
    }

    /// Entries the current array holds before an insert starts a doubling
    /// (0 without an array).
    pub(super) fn max_load(&self) -> usize {
        self.max_load
    }

    /// For `check_invariants`: the cached thresholds agree with `policy`,
    /// the current array's `B` (`None`: no array) and the lifecycle; no
    /// spare step is due once the spare is ready (`spare_ready`).
    pub(super) fn check(
        &self,
        policy: &Policy,
        log2: Option<u8>,
        evacuating: bool,
        spare_ready: bool,
    ) {
        assert!(
            !(spare_ready && self.spare_at != usize::MAX),
            "triggers: the spare is ready, yet a spare step is due"
        );
        assert_eq!(self.evacuating, evacuating, "triggers: evacuating");
        let Some(b) = log2 else {
            assert_eq!(self.max_load, 0, "no array, so no capacity");
            assert_eq!(self.grow_at, 0, "no array, so the next insert allocates");
            return;
        };
        assert_eq!(self.log2, b, "triggers: B");
        assert_eq!(
            self.max_load,
            sizing::capacity_at(policy, b),
            "cached max_load"
        );
        assert_eq!(
            self.shrink_below,
            sizing::shrink_below_at(policy, b),
            "cached shrink_below"
        );
        assert_eq!(self.grow_at, self.grow_at_now(), "cached grow_at");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_insert_allocates() {
        let t = Triggers::new();
        assert!(t.insert_due(0));
        assert_eq!(t.insert_start(0, false), Some(Start::FirstArray));
        t.check(&Policy::go(), None, false, false);
    }

    /// Go's load limit: 6.5 entries per bucket, 8 below `B = 1`.
    #[test]
    fn the_load_limit_starts_a_doubling() {
        let mut t = Triggers::new();
        t.array_installed(&Policy::go(), Some(4), false);
        assert_eq!(t.max_load(), 104);
        assert!(!t.insert_due(103));
        assert!(t.insert_due(104));
        assert_eq!(t.insert_start(104, true), Some(Start::Doubling));
        t.check(&Policy::go(), Some(4), false, false);
    }

    /// `2^B` overflow buckets (below `B = 15`) call for a same-size growth,
    /// but only while idle: a growth never starts during another.
    #[test]
    fn overflow_buckets_start_a_same_size_growth_only_when_idle() {
        let mut t = Triggers::new();
        t.array_installed(&Policy::go(), Some(3), false);
        for _ in 0..7 {
            t.overflow_linked();
        }
        assert!(!t.insert_due(10));
        t.set_evacuating(true);
        t.overflow_linked();
        assert!(!t.insert_due(10), "evacuating: the count starts nothing");
        t.check(&Policy::go(), Some(3), true, false);
        t.set_evacuating(false);
        assert!(t.insert_due(10));
        assert_eq!(t.insert_start(10, true), Some(Start::SameSize));
        t.array_cleared();
        assert!(!t.insert_due(10), "a cleared array links nothing");
    }

    /// Above `B = 15` the count is probabilistic: about `2^15` increments
    /// for `2^B` links, the same sequence every run (fixed seed).
    #[test]
    fn large_arrays_count_overflow_probabilistically() {
        // Fewer links under Miri, where each takes about a millisecond.
        const LINKS: u32 = if cfg!(miri) { 4_000 } else { 40_000 };
        let count = || {
            let mut t = Triggers::new();
            t.array_installed(&Policy::go(), Some(17), false);
            for _ in 0..LINKS {
                t.overflow_linked();
            }
            t.noverflow
        };
        let n = u32::from(count());
        assert!(
            (LINKS / 5..LINKS * 3 / 10).contains(&n),
            "{n} of {LINKS} with p = 1/4"
        );
        assert_eq!(n, u32::from(count()), "reproducible");
    }

    /// At 7/8 of the load limit an insert allocates the next array ahead,
    /// once; the doubling itself stays at the limit.
    #[test]
    fn the_next_array_is_allocated_ahead_once() {
        let mut t = Triggers::new();
        t.array_installed(&Policy::go(), Some(10), true);
        let at = t.max_load() / 8 * 7;
        assert!(!t.insert_due(at - 1));
        assert!(t.insert_due(at));
        assert_eq!(t.insert_start(at, true), Some(Start::Spare));
        t.set_evacuating(true);
        assert!(!t.insert_due(at), "not while evacuating");
        t.set_evacuating(false);
        t.spare_made();
        assert!(!t.insert_due(at));
        assert!(t.insert_due(t.max_load()));
        assert_eq!(t.insert_start(t.max_load(), true), Some(Start::Doubling));
        t.check(&Policy::go(), Some(10), false, true);
    }

    #[test]
    fn removals_shrink_only_with_auto_shrink_and_room_to_double() {
        let mut t = Triggers::new();
        t.array_installed(&Policy::go(), Some(10), false);
        assert_eq!(t.removal_shrink(&Policy::go(), 0), None, "off by default");
        let p = Policy::go().with_auto_shrink(0.125);
        t.array_installed(&p, Some(10), false);
        assert_eq!(t.removal_shrink(&p, 1025), None, "above the fill");
        let b = t.removal_shrink(&p, 100).expect("a shrink");
        assert!(b < 10 && sizing::capacity_at(&p, b) >= 200);
        t.set_evacuating(true);
        assert_eq!(t.removal_shrink(&p, 100), None, "one evacuation at a time");
    }
}
