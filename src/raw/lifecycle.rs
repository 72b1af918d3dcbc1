//! The growth lifecycle: one state, [`Lifecycle`], and every transition
//! between its phases, in this file.
//!
//! ```text
//!          start (a growth: Go hashGrow; or a shrink)
//!   Idle ─────────────────────────────────────────► Evacuating ──┐ writes (and `evacuate`,
//!    ▲  ▲                                            │     ▲      │ `evacuate_for`) evacuate
//!    │  │        the cursor passes the last old chain │     └──────┘ old chains; `finish`
//!    │  │        (small arrays: freed at once)        ▼              evacuates all that is left
//!    │  └──────────────── free ────────────────── Retiring ──┐ each write gives back one
//!    │                                               ▲        │ batch of its pages
//!    │                                               └────────┘
//!    └──── free (clear, drain, drop; an empty map's shrink; the next start frees a retiring array)
//! ```
//!
//! The words mean the same everywhere in the crate:
//! - **evacuate**: move old chains into the current array (a write's
//!   share, `evacuate`, `evacuate_for`; `evacuate.rs` moves one chain);
//! - **finish**: evacuate everything left of a growth at once;
//! - **retire**: once the old array holds no entry, give its remaining
//!   pages back one batch per write instead of freeing them in the write
//!   that ended the growth (a millisecond per 10 MiB of touched pages);
//! - **free**: give an array back to the allocator or the OS;
//! - pages given back *while* evacuating, below the cursor, are
//!   `pages.rs`'s.
//!
//! A "growth" in the table's vocabulary is any evacuation, shrinks
//! included; where it matters the kind is named (`EvacuationKind`).

use std::time::{Duration, Instant};

use super::alloc::can_release;
use super::array::BucketArray;
use super::recorder::Publish;
use super::{RawTable, sizing};
use crate::TryReserveError;
use crate::instruments::EvacuationEnd;
use crate::instruments::ForceReason;
use crate::instruments::Source;
use crate::layout::BucketLayout;

// ---- the lifecycle as users see it

/// Where a map is in its lifecycle; see
/// [`EvacMap::phase`](crate::EvacMap::phase). *Evacuation* is moving
/// entries from an old array into the current one, for a growth (a
/// doubling or a same-size growth) or a shrink.
///
/// | phase | entries in old buckets? | old-array memory held? | what ends it |
/// |---|---|---|---|
/// | `Idle` | no | no | an insert that crosses the load limit (a growth), a shrink |
/// | `Evacuating` | maybe: reads look there, writes move them | yes | the cursor passing the last old bucket (writes, `evacuate`, `evacuate_for`, `finish_evacuation`) |
/// | `Retiring` | no | yes, less each write | the last batch given back (writes, `evacuate`, `evacuate_for`), or `finish_evacuation` |
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, EvacuationKind, Phase};
///
/// let mut map = EvacMap::new();
/// for i in 0..100_000u32 {
///     map.insert(i, i);
/// }
/// match map.phase() {
///     Phase::Evacuating(p) => assert_eq!(p.kind, EvacuationKind::Doubling),
///     Phase::Retiring { bytes } => assert!(bytes > 0),
///     Phase::Idle => {}
///     _ => unreachable!(),
/// }
/// map.finish_evacuation();
/// assert_eq!(map.phase(), Phase::Idle);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Phase {
    /// No old array: nothing to evacuate, no old memory held.
    Idle,
    /// A growth or shrink runs (Go `h.growing()`): some entries may still
    /// be in old buckets, which reads consult and writes evacuate.
    Evacuating(EvacuationProgress),
    /// The last evacuation is over (every entry is in the current array),
    /// but its old array still holds `bytes` of memory (mostly the
    /// overflow pool), given back one batch per write.
    Retiring {
        /// Old-array memory still held.
        bytes: u64,
    },
}

impl Phase {
    /// True while a growth or shrink runs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!evacmap::Phase::Idle.is_evacuating());
    /// ```
    pub const fn is_evacuating(&self) -> bool {
        matches!(self, Phase::Evacuating(_))
    }

    /// True while an old array holds memory: evacuating or retiring.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(evacmap::Phase::Retiring { bytes: 1 }.holds_old_memory());
    /// ```
    pub const fn holds_old_memory(&self) -> bool {
        !matches!(self, Phase::Idle)
    }

    /// How far the evacuation in progress has come, while evacuating.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(evacmap::Phase::Idle.progress(), None);
    /// ```
    pub const fn progress(&self) -> Option<EvacuationProgress> {
        match self {
            Phase::Evacuating(p) => Some(*p),
            _ => None,
        }
    }
}

/// How far the evacuation in progress has come; see [`Phase::Evacuating`].
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, Policy};
///
/// // No cursor steps: only writes to a bucket evacuate it.
/// let mut map = EvacMap::with_policy(Policy::go().with_cursor_steps(0));
/// let mut i = 0u64;
/// while !map.is_evacuating() {
///     map.insert(i, ());
///     i += 1;
/// }
/// let p = map.phase().progress().unwrap();
/// assert!(p.evacuated < p.total);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct EvacuationProgress {
    /// Old buckets evacuated so far (by writes and by the cursor).
    pub evacuated: usize,
    /// Old buckets in all (`2^oldB`).
    pub total: usize,
    /// A doubling, a same-size growth or a shrink.
    pub kind: EvacuationKind,
}

/// Which kind of evacuation is in progress: one of the two kinds of growth
/// (Go's), or a shrink (evacmap's).
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, EvacuationKind};
///
/// let mut map = EvacMap::new();
/// for i in 0..100u32 {
///     map.insert(i, i);
///     if let Some(p) = map.phase().progress() {
///         assert_eq!(p.kind, EvacuationKind::Doubling); // inserts only: always doubling
///     }
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum EvacuationKind {
    /// The bucket count doubles (load factor exceeded).
    Doubling,
    /// Same bucket count, rebuilt to compact sparse overflow chains (too many
    /// overflow buckets).
    SameSize,
    /// A shrink, not a growth: the bucket count halves or more
    /// (`shrink_to_fit`, `shrink_to`, or
    /// [`Policy::with_auto_shrink`](crate::Policy::with_auto_shrink)): old
    /// buckets `i`, `i + 2^B`, … merge into new bucket `i`.
    Shrink,
}

// ---- the lifecycle inside the table

/// Where a table is in its growth lifecycle (see the module docs). An
/// explicit tag (`repr(u8)`): every write tests the phase, and a tag byte
/// is one comparison where a niche in `OldArray::kind` took five
/// instructions.
#[repr(u8)]
pub(super) enum Lifecycle<K, V, L: BucketLayout> {
    /// No old array.
    Idle,
    /// A growth or shrink runs: entries may still be in old chains.
    Evacuating(OldArray<K, V, L>),
    /// The last growth is over and its old array holds no entry; its
    /// remaining pages are given back one batch per write, then it is
    /// freed (not in Go).
    Retiring(BucketArray<K, V, L>),
}

/// Go's `oldbuckets` and `nevacuate`: the array being evacuated, the
/// cursor, and the kind of the evacuation, decided once when it began.
pub(super) struct OldArray<K, V, L: BucketLayout> {
    /// The old array (I8: allocated).
    pub(super) array: BucketArray<K, V, L>,
    /// `nevacuate`: every old chain below it is evacuated (I3).
    pub(super) cursor: usize,
    /// Old chains evacuated so far, by writes or the cursor (I7).
    pub(super) evacuated: usize,
    /// Doubling, same-size growth or shrink (I8: the new array's `B` is
    /// `oldB + 1`, `oldB` or smaller).
    pub(super) kind: EvacuationKind,
}

impl<K, V, L: BucketLayout> OldArray<K, V, L> {
    /// The old array of an evacuation into an array of `2^new_log2`
    /// buckets, nothing evacuated yet.
    pub(super) fn new(array: BucketArray<K, V, L>, new_log2: u8) -> Self {
        let kind = match new_log2.cmp(&array.log2()) {
            core::cmp::Ordering::Equal => EvacuationKind::SameSize,
            core::cmp::Ordering::Greater => EvacuationKind::Doubling,
            core::cmp::Ordering::Less => EvacuationKind::Shrink,
        };
        debug_assert!(
            kind != EvacuationKind::Doubling || new_log2 == array.log2() + 1,
            "I8"
        );
        OldArray {
            array,
            cursor: 0,
            evacuated: 0,
            kind,
        }
    }
}

/// How the evacuation that completes a growth is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pace {
    /// Bounded steps (writes, `evacuate`, `evacuate_for`) or all at once
    /// by policy: a completed growth.
    Steps,
    /// `finish`: a forced completion.
    Finish,
}

/// How much one explicit evacuation call may do.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Budget {
    /// At most this many old chains moved (already-evacuated ones skipped
    /// do not count); or, once no growth runs, one batch of a retiring
    /// array's pages.
    Chains(usize),
    /// About this long, the clock read every few chains.
    Time(Duration),
}

impl<K, V, L: BucketLayout> Lifecycle<K, V, L> {
    /// The array being evacuated, if a growth runs.
    #[inline]
    pub(super) fn old(&self) -> Option<&OldArray<K, V, L>> {
        match self {
            Lifecycle::Evacuating(old) => Some(old),
            _ => None,
        }
    }

    /// The array being evacuated, if a growth runs.
    #[inline]
    pub(super) fn old_mut(&mut self) -> Option<&mut OldArray<K, V, L>> {
        match self {
            Lifecycle::Evacuating(old) => Some(old),
            _ => None,
        }
    }

    /// The old array, evacuating or retiring, if any.
    pub(super) fn old_array(&self) -> Option<&BucketArray<K, V, L>> {
        match self {
            Lifecycle::Idle => None,
            Lifecycle::Evacuating(old) => Some(&old.array),
            Lifecycle::Retiring(array) => Some(array),
        }
    }

    #[inline]
    pub(super) fn is_evacuating(&self) -> bool {
        matches!(self, Lifecycle::Evacuating(_))
    }

    /// True while an old array holds memory: evacuating or retiring.
    #[inline]
    pub(super) fn holds_old_memory(&self) -> bool {
        !matches!(self, Lifecycle::Idle)
    }
}

impl<K, V, L: BucketLayout> RawTable<K, V, L> {
    /// The public phase: idle, evacuating (how far, what kind), retiring.
    pub(crate) fn phase(&self) -> Phase {
        match &self.state {
            Lifecycle::Idle => Phase::Idle,
            Lifecycle::Evacuating(old) => Phase::Evacuating(EvacuationProgress {
                evacuated: old.evacuated,
                total: old.array.len(),
                kind: old.kind,
            }),
            Lifecycle::Retiring(array) => Phase::Retiring {
                bytes: array.bytes() as u64,
            },
        }
    }

    // ---- Idle (or Retiring) → Evacuating

    /// Go `hashGrow`: allocates the new array (`log2` is `B` for a same-size
    /// growth, `B + 1` for a doubling) and makes the current one the old
    /// array. Nothing moves here, except under `Policy::all_at_once()`,
    /// which evacuates everything before returning.
    pub(crate) fn start_growth(
        &mut self,
        log2: u8,
        hasher: &impl Fn(&K) -> u64,
    ) -> Result<(), TryReserveError> {
        debug_assert!(log2 == self.buckets.log2() || log2 == self.buckets.log2() + 1);
        self.begin(log2)?;
        if self.policy.is_all_at_once() {
            self.evacuate_all(Pace::Steps, hasher);
        }
        Ok(())
    }

    /// Starts a shrink to `2^log2` buckets (`log2 < B`): the same swap of
    /// arrays as a growth; the cursor and writes then merge old chains `i`,
    /// `i + 2^log2`, … into new chain `i`. Entries keep their hashes' low
    /// bits, so nothing is re-hashed and nothing here can panic.
    pub(crate) fn start_shrink(&mut self, log2: u8) -> Result<(), TryReserveError> {
        debug_assert!(log2 < self.buckets.log2());
        self.begin(log2)?;
        if self.policy.is_all_at_once() {
            self.evacuate_all(Pace::Steps, &|_: &K| -> u64 {
                unreachable!("a shrink never re-hashes")
            });
        }
        Ok(())
    }

    /// The start common to growths and shrinks: the new array becomes
    /// `buckets`, the current one the old array, the cursor rewinds. A
    /// retiring array is freed first.
    fn begin(&mut self, log2: u8) -> Result<(), TryReserveError> {
        debug_assert!(
            !self.state.is_evacuating(),
            "I8: a growth never starts during another"
        );
        let new = match self.take_spare(log2) {
            Some(spare) => spare,
            None => self.alloc_array(log2)?,
        };
        self.free_old(); // a retiring array, if still there
        let from_log2 = self.buckets.log2();
        let old = core::mem::replace(&mut self.buckets, BucketArray::unallocated());
        self.set_state(Lifecycle::Evacuating(OldArray::new(old, log2)));
        self.set_buckets(new);
        let kind = match &self.state {
            Lifecycle::Evacuating(old) => old.kind,
            _ => unreachable!("just set"),
        };
        let publish = self
            .recorder
            .evacuation_started(kind, from_log2, log2, self.count);
        self.published(publish);
        Ok(())
    }

    // ---- Evacuating → Retiring or Idle

    /// The cursor passed the last old chain: the growth (or shrink) is over
    /// (I3: the old array holds no entry). Counts it as `pace` says, then
    /// retires the old array, or frees it when little is left to give back.
    #[cold]
    #[inline(never)]
    pub(super) fn evacuation_done(&mut self, pace: Pace) {
        let Lifecycle::Evacuating(old) = &mut self.state else {
            unreachable!("I8: a growth ends only while evacuating");
        };
        debug_assert_eq!(old.evacuated, old.array.len(), "I3/I7");
        // Counting what was given back early too.
        let (old_bytes, new_bytes) = (
            old.array.bytes() + old.array.released_bytes(),
            self.buckets.array_bytes(),
        );
        let end = match (old.kind == EvacuationKind::Shrink, pace) {
            (true, _) => EvacuationEnd::Shrunk(old_bytes.saturating_sub(new_bytes) as u64),
            (false, Pace::Steps) => EvacuationEnd::Completed,
            (false, Pace::Finish) => EvacuationEnd::Forced,
        };
        let publish = self.recorder.evacuation_ended(end);
        self.published(publish);
        let Lifecycle::Evacuating(mut old) = self.set_state(Lifecycle::Idle) else {
            unreachable!("matched above");
        };
        // SAFETY: the cursor passed the last old chain, so every chain is
        // evacuated with its links cut (I3, I4), and nothing reads an old
        // chain below the cursor (I10). (What is left of its pages goes
        // back a run per write from the next write on.)
        unsafe { old.array.mark_all_released() };
        let left = old.array.bytes();
        let unmap_due = old.array.unmap_due();
        self.set_state(Lifecycle::Retiring(old.array));
        // A few runs are cheap to free now; more go back one run (or, once
        // given back, one unmapped block) per write.
        let small = left < 4 * self.policy.release_batch().max(4096) && !unmap_due;
        if self.policy.is_all_at_once() || small || !can_release() {
            self.free_old();
        }
    }

    // ---- Retiring → Retiring or Idle

    /// One write's share of giving back a retiring array: one batch of
    /// pages; frees it when less than a batch is left.
    #[inline]
    pub(super) fn retire_step(&mut self) {
        if matches!(self.state, Lifecycle::Retiring(_)) {
            self.retire_step_now();
        }
    }

    #[cold]
    fn retire_step_now(&mut self) {
        let Lifecycle::Retiring(array) = &mut self.state else {
            return;
        };
        // SAFETY: a retiring array's chains were all evacuated and released
        // (`evacuation_done`, I3, I10), with no spilled bucket left (each
        // went with its chain's evacuation, I4).
        let (released, done) = unsafe { array.release_tail() };
        self.recorder.given_back(released.bytes, released.calls);
        if done {
            self.free_old();
        }
    }

    // ---- any phase → Idle

    /// Frees the old array, evacuating or retiring (timed), and records
    /// the free.
    ///
    /// Callers free an evacuating array only when it holds no live entry:
    /// `clear`, `drain` and drop (which moved out or dropped every entry)
    /// and an empty table's shrink.
    pub(super) fn free_old(&mut self) {
        let mut array = match self.set_state(Lifecycle::Idle) {
            Lifecycle::Idle => return,
            Lifecycle::Evacuating(old) => old.array,
            Lifecycle::Retiring(array) => array,
        };
        let bytes = array.bytes() as u64;
        let start = self.recorder.clock();
        // SAFETY: the old array holds no live entry: a retiring one by I3
        // and I4; an evacuating one by the callers' contract above.
        let calls = unsafe { array.free() };
        self.recorder.record(Source::Free, start);
        let publish = self.recorder.old_array_freed(bytes, calls);
        self.published(publish);
    }

    /// Frees every array without dropping entries and without recording
    /// anything (drop, an owning iterator's end), leaving an empty
    /// unallocated table.
    ///
    /// # Safety
    ///
    /// Every entry was moved out or dropped: nothing in the arrays is used
    /// again.
    pub(super) unsafe fn forget_entries_and_free(&mut self) {
        if let Some(mut array) = match self.set_state(Lifecycle::Idle) {
            Lifecycle::Idle => None,
            Lifecycle::Evacuating(old) => Some(old.array),
            Lifecycle::Retiring(array) => Some(array),
        } {
            // SAFETY: caller: no entry is used again.
            unsafe { array.free() };
        }
        // SAFETY: as above.
        unsafe { self.buckets.free() };
        self.forget_spare();
        self.count = 0;
    }

    // ---- evacuation, driven

    /// `EvacMap::evacuate` and `evacuate_for`: one operation that moves old
    /// chains at the cursor within `budget`. A chain budget gives back one
    /// batch of a retiring array's pages instead when no growth runs; a
    /// time budget gives back batches with the time left after the growth.
    /// Returns the chains moved.
    pub(crate) fn evacuate(&mut self, budget: Budget, hasher: &impl Fn(&K) -> u64) -> usize {
        /// Chains evacuated between clock reads.
        const BATCH: usize = 16;
        self.recorder.op_begun();
        let start = Instant::now();
        let mut moved = 0;
        let limit = match budget {
            Budget::Chains(max) => {
                if !self.state.is_evacuating() {
                    self.retire_step();
                }
                return self.evacuate_up_to(max, Pace::Steps, hasher);
            }
            Budget::Time(limit) => {
                while self.state.is_evacuating() {
                    moved += self.evacuate_up_to(BATCH, Pace::Steps, hasher);
                    if start.elapsed() >= limit {
                        break;
                    }
                }
                limit
            }
        };
        // Then the retiring array's pages, batch by batch, in what is left.
        while matches!(self.state, Lifecycle::Retiring(_)) && start.elapsed() < limit {
            self.retire_step();
        }
        moved
    }

    /// Evacuates at most `max` old chains at the cursor, as part of the
    /// operation in progress; returns how many were moved (chains a write
    /// evacuated already, skipped, do not count).
    fn evacuate_up_to(&mut self, max: usize, pace: Pace, hasher: &impl Fn(&K) -> u64) -> usize {
        let mut moved = 0;
        while moved < max && self.state.is_evacuating() {
            moved += self.evacuate_step(None, max - moved, pace, hasher);
        }
        moved
    }

    /// Evacuates everything left, as part of the operation in progress.
    fn evacuate_all(&mut self, pace: Pace, hasher: &impl Fn(&K) -> u64) {
        self.evacuate_up_to(usize::MAX, pace, hasher);
    }

    /// `EvacMap::finish_evacuation`: one operation that finishes the
    /// growth or shrink in progress and frees the old array, retiring or
    /// not.
    pub(crate) fn finish_evacuation(&mut self, hasher: &impl Fn(&K) -> u64) {
        self.recorder.op_begun();
        self.finish(ForceReason::Explicit, hasher);
    }

    /// Finishes the growth in progress at once, as part of the operation in
    /// progress, counted as a forced completion for `reason`. An explicit
    /// finish also frees a retiring array now.
    pub(super) fn finish(&mut self, reason: ForceReason, hasher: &impl Fn(&K) -> u64) {
        if let Some(old) = self.state.old() {
            let left = (old.array.len() - old.evacuated) as u64;
            let publish = self.recorder.evacuation_forced(reason, left);
            self.published(publish);
            self.evacuate_all(Pace::Finish, hasher);
        }
        if reason == ForceReason::Explicit {
            self.free_old();
        }
    }

    // ---- sizing on request

    /// `shrink_to(min_capacity)` (std semantics): starts a shrink to the
    /// smallest table whose capacity is at least `max(len, min_capacity)`,
    /// if that is smaller than the current one. An evacuation in progress is
    /// finished first. An empty map asked to shrink to 0 frees its array at
    /// once. If the smaller array cannot be allocated, nothing changes
    /// (beyond the finished evacuation).
    pub(crate) fn shrink_to(&mut self, min_capacity: usize, hasher: impl Fn(&K) -> u64) {
        if !self.buckets.is_allocated() {
            return;
        }
        let want = self.count.max(min_capacity);
        let Ok(target) = sizing::log2_for(&self.policy, want) else {
            return; // more than any table holds: nothing to give back
        };
        if want == 0 {
            self.recorder.op_begun();
            let (bytes, calls) = self.free_all_arrays();
            let publish = self.recorder.empty_array_freed(bytes, calls);
            self.published(publish);
            return;
        }
        if target >= self.buckets.log2() {
            return;
        }
        // One public call is one operation: the forced finish below is part
        // of it, not another.
        self.recorder.op_begun();
        self.finish(ForceReason::Explicit, &hasher);
        let _ = self.start_shrink(target);
    }

    /// Frees every array of a table with no entries (old and current),
    /// leaving it unallocated; returns the current array's bytes and the
    /// system calls its free took.
    pub(super) fn free_all_arrays(&mut self) -> (u64, u32) {
        debug_assert_eq!(self.count, 0);
        self.free_old();
        self.free_spare();
        let bytes = self.buckets.bytes() as u64;
        let start = self.recorder.clock();
        // SAFETY: no live entry (count == 0, I7), so nothing in the array
        // is used again; `free` leaves it unallocated.
        let calls = unsafe { self.buckets.free() };
        self.recorder.record(Source::Free, start);
        self.triggers.array_installed(&self.policy, None, false);
        (bytes, calls)
    }

    /// Ensures room for `additional` more entries without a growth starting.
    /// Finishes a running growth, then doubles (each doubling finished at
    /// once) until the array is large enough. An empty table just gets a new
    /// array of the right size.
    pub(crate) fn reserve(
        &mut self,
        additional: usize,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<(), TryReserveError> {
        let need = self
            .count
            .checked_add(additional)
            .ok_or(TryReserveError::CapacityOverflow)?;
        if need <= self.capacity() || need == 0 {
            return Ok(());
        }
        let target = sizing::log2_for(&self.policy, need)?;
        // One public call is one operation: every forced finish and doubling
        // below counts towards this operation's maxima.
        self.recorder.op_begun();
        if self.count == 0 {
            let array = self.alloc_array(target)?;
            self.free_all_arrays();
            self.set_buckets(array);
            return Ok(());
        }
        self.finish(ForceReason::Explicit, &hasher);
        while self.buckets.log2() < target {
            self.start_growth(self.buckets.log2() + 1, &hasher)?;
            self.finish(ForceReason::Explicit, &hasher);
        }
        Ok(())
    }

    /// Publishes a snapshot if a fact asked for it.
    #[inline]
    pub(super) fn published(&mut self, publish: Publish) {
        if publish == Publish::Now {
            self.publish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{CHECK_EVERY, fill, get, insert, one_chain, spread, table};
    use super::*;
    use crate::Policy;
    use crate::instruments::EventKind;

    /// A doubling: idle, then evacuating (kind decided at the start), then
    /// idle again when the cursor passes the last old chain (a small old
    /// array is freed at once), with its events in order.
    #[test]
    fn a_doubling_runs_from_idle_back_to_idle() {
        // No cursor steps: each write moves only its own chain.
        let mut t = table(Policy::go().with_cursor_steps(0));
        fill(&mut t, spread, 104); // 16 buckets at Go's load limit
        t.finish_evacuation(&spread);
        assert_eq!(t.phase(), Phase::Idle);
        let events = t.recorder().events().len();
        insert(&mut t, spread, 104, 208);
        let Phase::Evacuating(p) = t.phase() else {
            panic!("a growth started: {:?}", t.phase());
        };
        assert_eq!(
            (p.kind, p.total, p.evacuated),
            (EvacuationKind::Doubling, 16, 1)
        );
        t.check_invariants(spread);
        let mut k = 105;
        while t.holds_old_memory() {
            insert(&mut t, spread, k, 2 * k);
            if k.is_multiple_of(CHECK_EVERY) {
                t.check_invariants(spread);
            }
            k += 1;
        }
        t.check_invariants(spread);
        let kinds: Vec<_> = t.recorder().events()[events..]
            .iter()
            .map(|e| e.kind)
            .collect();
        assert!(matches!(
            kinds[0],
            EventKind::GrowthStarted {
                from_log2: 4,
                to_log2: 5,
                ..
            }
        ));
        assert!(matches!(kinds[1], EventKind::GrowthFinished { .. }));
        assert!(matches!(kinds[2], EventKind::OldArrayReleased { .. }));
        assert!((0..k).all(|i| get(&t, spread, i) == Some(2 * i)));
    }

    /// A shrink is an evacuation of its own kind, ends as one, and gives
    /// memory back.
    #[test]
    fn a_shrink_is_counted_as_a_shrink() {
        let mut t = table(Policy::go());
        fill(&mut t, spread, 200);
        t.finish_evacuation(&spread);
        for k in 10..200 {
            super::super::fixture::remove(&mut t, spread, k);
        }
        t.shrink_to(0, spread);
        assert_eq!(
            t.phase().progress().map(|p| p.kind),
            Some(EvacuationKind::Shrink)
        );
        t.finish_evacuation(&spread);
        t.check_invariants(spread);
        let s = t.stats();
        assert_eq!((s.shrinks, s.shrinks_completed), (1, 1));
        assert!(s.shrink_bytes_returned > 0);
        assert!(
            t.recorder()
                .events()
                .iter()
                .any(|e| matches!(e.kind, EventKind::ShrinkFinished { .. }))
        );
        assert!((0..10).all(|i| get(&t, spread, i) == Some(2 * i)));
    }

    /// A finished growth whose old array has more than four batches left
    /// retires: each later write gives one batch back, then frees it.
    /// (Pages go back early only where the OS lets us: not under Miri.)
    #[test]
    #[cfg_attr(miri, ignore = "Miri cannot give pages back: no retiring")]
    fn a_large_old_array_retires_batch_by_batch() {
        let mut t = table(Policy::go().with_cursor_steps(64));
        let mut k = 0;
        // Until a growth from 2^13 buckets (a mapped array whose pool
        // alone is 73 KiB) has ended.
        while t.log2().is_none_or(|b| b < 14) || t.is_evacuating() {
            insert(&mut t, spread, k, k);
            k += 1;
        }
        let Phase::Retiring { bytes } = t.phase() else {
            panic!("expected a retiring old array: {:?}", t.phase());
        };
        let mut writes = 0;
        let mut left = bytes;
        while let Phase::Retiring { bytes } = t.phase() {
            assert!(bytes <= left, "retiring gives back, never takes");
            left = bytes;
            insert(&mut t, spread, k, k);
            k += 1;
            writes += 1;
        }
        assert!(writes >= 4, "{writes} writes");
        assert_eq!(t.phase(), Phase::Idle);
        t.check_invariants(spread);
    }

    /// `clear` abandons a running growth: the old array is freed, the
    /// table is idle with its current array, counted in neither
    /// completion.
    #[test]
    fn clear_abandons_a_running_growth() {
        let mut t = table(Policy::go().with_cursor_steps(0));
        fill(&mut t, spread, 104);
        t.finish_evacuation(&spread);
        let before = t.stats();
        insert(&mut t, spread, 104, 0);
        assert!(t.is_evacuating());
        let b = t.log2();
        t.clear();
        assert_eq!((t.phase(), t.len(), t.log2()), (Phase::Idle, 0, b));
        let s = t.stats();
        assert_eq!(
            (s.growths_completed, s.forced_completions),
            (before.growths_completed, before.forced_completions)
        );
        t.check_invariants(spread);
        fill(&mut t, one_chain, 20);
    }

    /// `reserve` on a non-empty table finishes the running growth and
    /// doubles until the capacity suffices, each doubling finished.
    #[test]
    fn reserve_doubles_until_the_capacity_suffices() {
        let mut t = table(Policy::go());
        fill(&mut t, spread, 20);
        t.reserve(500, spread).unwrap();
        assert!(t.capacity() >= 520 && !t.holds_old_memory());
        t.check_invariants(spread);
        assert!((0..20).all(|i| get(&t, spread, i) == Some(2 * i)));
    }
}
