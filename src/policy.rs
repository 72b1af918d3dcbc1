//! [`Policy`]: the research knobs, fixed when a map is built. The table
//! arithmetic they feed (capacity at each `B`, the shrink threshold) lives
//! with the table, in `raw/sizing.rs`.

/// Largest load factor: a bucket holds 8 entries (`raw/sizing.rs` checks
/// that this is the bucket's slot count).
pub(crate) const MAX_LOAD_FACTOR: f64 = 8.0;

/// The default of [`Policy::with_release_batch`]: 16 KiB.
pub const DEFAULT_RELEASE_BATCH: usize = 16 << 10;

/// How a map grows and evacuates, and what it measures.
/// `Policy::default()` is Go's classic map.
///
/// Two groups of settings: the **growth knobs** decide the table's shape
/// and when and how much it evacuates; the **instrument settings**
/// ([`with_timing`](Policy::with_timing),
/// [`with_event_capacity`](Policy::with_event_capacity),
/// [`with_publish_interval`](Policy::with_publish_interval)) decide only
/// what is measured and never change the table. `clone_from` reuses an
/// array when the growth knobs agree, whatever the instrument settings.
///
/// | growth knob | Go | meaning |
/// |---|---|---|
/// | [`load_factor`](Policy::load_factor) | 6.5 | average entries per bucket before the table doubles |
/// | [`cursor_steps`](Policy::cursor_steps) | 1 | old buckets evacuated at the cursor by each write, besides the one the write uses |
/// | [`evacuate_on_remove`](Policy::evacuate_on_remove) | `true` | removals do evacuation work too |
/// | [`is_all_at_once`](Policy::is_all_at_once) | `false` | evacuate everything inside the insert that starts a growth |
/// | [`auto_shrink`](Policy::auto_shrink) | `None` | fill at or below which a removal starts an incremental shrink |
/// | [`huge_pages`](Policy::huge_pages) | (runtime: yes, THP) | ask for transparent huge pages on large bucket arrays |
///
/// # Examples
///
/// ```
/// use evacmap::{EvacMap, Policy};
///
/// let policy = Policy::default().with_cursor_steps(4).with_load_factor(4.0);
/// let mut map: EvacMap<u64, u64> = EvacMap::with_policy(policy);
/// map.insert(1, 2);
/// assert_eq!(map.policy().cursor_steps(), 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    growth: GrowthKnobs,
    instruments: InstrumentSettings,
}

/// The settings that shape the table (see [`Policy`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct GrowthKnobs {
    load_factor: f64,
    cursor_steps: usize,
    evacuate_on_remove: bool,
    all_at_once: bool,
    /// Fill (entries per slot) at or below which a removal starts a shrink;
    /// 0 when off.
    auto_shrink: f64,
    huge_pages: bool,
    release_batch: usize,
    allocate_ahead: bool,
    touch_ahead: bool,
}

/// The settings of the instruments only (see [`Policy`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InstrumentSettings {
    pub(crate) timing: bool,
    pub(crate) event_capacity: usize,
    pub(crate) publish_interval: u64,
}

impl Default for Policy {
    /// Go's classic map: load factor 6.5, one cursor step per write,
    /// evacuation on removal, incremental.
    fn default() -> Self {
        Policy::go()
    }
}

impl Policy {
    /// Go's classic map; the same as `Policy::default()`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(evacmap::Policy::go(), evacmap::Policy::default());
    /// ```
    pub const fn go() -> Self {
        Policy {
            growth: GrowthKnobs {
                load_factor: 6.5,
                cursor_steps: 1,
                evacuate_on_remove: true,
                all_at_once: false,
                auto_shrink: 0.0,
                huge_pages: false,
                release_batch: DEFAULT_RELEASE_BATCH,
                allocate_ahead: true,
                touch_ahead: true,
            },
            instruments: InstrumentSettings {
                timing: false,
                event_capacity: 256,
                publish_interval: 1024,
            },
        }
    }

    /// The growth knobs alone: two policies that agree on them build the
    /// same tables.
    pub(crate) const fn growth_knobs(&self) -> GrowthKnobs {
        self.growth
    }

    /// The instrument settings alone.
    pub(crate) const fn instrument_settings(&self) -> InstrumentSettings {
        self.instruments
    }

    /// The stop-the-world baseline on the same structure: identical buckets
    /// and growth triggers, but the insert that starts a growth evacuates
    /// every old bucket before it returns, so the map is never seen growing.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{EvacMap, Policy};
    ///
    /// let mut map = EvacMap::with_policy(Policy::all_at_once());
    /// for i in 0..1000u32 {
    ///     map.insert(i, i);
    ///     assert!(!map.is_evacuating());
    /// }
    /// ```
    pub const fn all_at_once() -> Self {
        let mut p = Policy::go();
        p.growth.all_at_once = true;
        p
    }

    /// Sets the load factor: the average number of entries per bucket at
    /// which the table doubles. Go uses 6.5 (6.0 in Go 1.21 by accident).
    /// Whatever the factor, a table never grows before it holds more than
    /// one bucket's worth (8) of entries, as in Go.
    ///
    /// # Panics
    ///
    /// Panics if `load_factor` is NaN, not greater than 0, or greater than 8
    /// (a bucket holds 8 entries), naming the rejected value.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = evacmap::Policy::default().with_load_factor(6.0);
    /// assert_eq!(p.load_factor(), 6.0);
    /// ```
    #[track_caller]
    pub fn with_load_factor(self, load_factor: f64) -> Self {
        assert!(
            load_factor > 0.0 && load_factor <= MAX_LOAD_FACTOR,
            "evacmap: load factor must be in (0, 8], got {load_factor}"
        );
        let mut p = self;
        p.growth.load_factor = load_factor;
        p
    }

    /// Sets how many extra old buckets each write evacuates at the cursor,
    /// after the one it is about to use (Go: 1). With 0, only buckets that
    /// writes touch are moved, and a growth may have to be finished all at
    /// once when the next one is due.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = evacmap::Policy::default().with_cursor_steps(0);
    /// assert_eq!(p.cursor_steps(), 0);
    /// ```
    pub const fn with_cursor_steps(self, cursor_steps: usize) -> Self {
        let mut p = self;
        p.growth.cursor_steps = cursor_steps;
        p
    }

    /// Sets whether removals evacuate like inserts do (Go: `true`). With
    /// `false`, a removal deletes the entry where it is, in the old bucket if
    /// that has not been evacuated yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = evacmap::Policy::default().with_evacuate_on_remove(false);
    /// assert!(!p.evacuate_on_remove());
    /// ```
    pub const fn with_evacuate_on_remove(self, evacuate_on_remove: bool) -> Self {
        let mut p = self;
        p.growth.evacuate_on_remove = evacuate_on_remove;
        p
    }

    /// Turns pause timing on or off (default off): every write is timed with
    /// `Instant` into per-kind histograms, and evacuation, array allocation
    /// and array freeing are timed separately. See
    /// [`Instruments::timing`](crate::instruments::Instruments::timing) and
    /// [`Instruments::pause_percentiles`](crate::instruments::Instruments::pause_percentiles). Off,
    /// it costs one predictable branch per write.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = evacmap::Policy::default().with_timing(true);
    /// assert!(p.timing());
    /// ```
    pub const fn with_timing(self, timing: bool) -> Self {
        let mut p = self;
        p.instruments.timing = timing;
        p
    }

    /// Asks the kernel for transparent huge pages (2 MiB) on the bucket
    /// arrays it maps directly (default off). On Linux, arrays of 2 MiB or
    /// more are then mapped 2 MiB-aligned and marked
    /// `madvise(MADV_HUGEPAGE)`; elsewhere, and for smaller arrays, this
    /// does nothing. It matters when the machine's THP mode
    /// (`/sys/kernel/mm/transparent_hugepage/enabled`) is `madvise`: under
    /// `always` large mappings get huge pages anyway, under `never` none do.
    ///
    /// The trade-off: lookups in large maps miss the TLB less, but the first
    /// write to each 2 MiB of a new array zeroes all of it inside that write,
    /// and giving old pages back early (`madvise(MADV_DONTNEED)` in 16 KiB
    /// batches) splits the huge pages of the old array. Go's own map gets
    /// huge pages from its heap. `docs/results.md` has the measured
    /// effect on hits, misses, inserts, insert latency and memory.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{EvacMap, Policy};
    ///
    /// let mut map: EvacMap<u64, u64> = EvacMap::with_policy(Policy::go().with_huge_pages(true));
    /// map.extend((0..100_000).map(|i| (i, i)));
    /// assert!(map.policy().huge_pages());
    /// ```
    pub const fn with_huge_pages(self, huge_pages: bool) -> Self {
        let mut p = self;
        p.growth.huge_pages = huge_pages;
        p
    }

    /// Sets how much of an old array's memory one write gives back (default
    /// [`DEFAULT_RELEASE_BATCH`], 16 KiB; rounded up to whole pages). As
    /// the cursor passes old buckets, their pages go back to the OS in runs
    /// of this size (`madvise`), at most one run per write and region of
    /// the array; after a growth the rest of the old array (mostly the
    /// overflow pool) goes back the same way, then a directly mapped array
    /// is unmapped one 2 MiB block per write, so that its final free is
    /// small too. Larger runs cost fewer system calls and a longer write;
    /// smaller ones the reverse. `docs/design.md` has the measured cost of
    /// each size.
    ///
    /// # Panics
    ///
    /// If `bytes` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = evacmap::Policy::go().with_release_batch(64 << 10);
    /// assert_eq!(p.release_batch(), 64 << 10);
    /// ```
    #[track_caller]
    pub const fn with_release_batch(self, bytes: usize) -> Self {
        assert!(bytes > 0, "the release batch must be at least one byte");
        let mut p = self;
        p.growth.release_batch = bytes;
        p
    }

    /// The most old-array bytes one write gives back
    /// ([`with_release_batch`](Self::with_release_batch)).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(evacmap::Policy::go().release_batch(), evacmap::DEFAULT_RELEASE_BATCH);
    /// ```
    pub const fn release_batch(&self) -> usize {
        self.growth.release_batch
    }

    /// Sets whether the next doubling's array is allocated ahead (default
    /// on). At 7/8 of the load limit an insert allocates the array the next
    /// doubling will need (when it is at least 4 KiB), so that the insert
    /// that starts the doubling makes no system call. The growth itself is
    /// unchanged (it starts at the same insert as Go's). An array mapped
    /// directly (64 KiB or more) is address space until the doubling
    /// writes to it: the map's resident memory does not change, though
    /// `Stats::bytes_allocated` counts the array from 7/8 of the limit
    /// (`Stats::spare_bytes`). Off, arrays are allocated when the doubling
    /// starts, as Go does.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = evacmap::Policy::go().with_allocate_ahead(false);
    /// assert!(!p.allocates_ahead());
    /// ```
    pub const fn with_allocate_ahead(self, allocate_ahead: bool) -> Self {
        let mut p = self;
        p.growth.allocate_ahead = allocate_ahead;
        p
    }

    /// Whether the next doubling's array is allocated ahead
    /// ([`with_allocate_ahead`](Self::with_allocate_ahead)).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(evacmap::Policy::go().allocates_ahead());
    /// ```
    pub const fn allocates_ahead(&self) -> bool {
        self.growth.allocate_ahead
    }

    /// Sets whether the pages of the array allocated ahead
    /// ([`with_allocate_ahead`](Self::with_allocate_ahead)) are touched
    /// before the doubling (default on): over the last inserts before the
    /// load limit, one insert in four writes into the next two of its
    /// pages, starting as late as lets that finish the array by the limit
    /// (for `u64` keys and values, the last 2.3% of the inserts), so that
    /// the doubling's evacuation steps take no page fault. A page fault
    /// costs 2–10 µs on the machine of `docs/results.md`, and an early
    /// evacuation step can take four. The cost is memory: the touched
    /// pages are resident from then on, and stay resident, unused, in a map
    /// that stops growing in that last stretch. Off, the pages are faulted
    /// in by the doubling's writes, as Go's are.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = evacmap::Policy::go().with_touch_ahead(false);
    /// assert!(!p.touches_ahead());
    /// ```
    pub const fn with_touch_ahead(self, touch_ahead: bool) -> Self {
        let mut p = self;
        p.growth.touch_ahead = touch_ahead;
        p
    }

    /// Whether the pages of the array allocated ahead are touched before
    /// the doubling ([`with_touch_ahead`](Self::with_touch_ahead)).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(evacmap::Policy::go().touches_ahead());
    /// ```
    pub const fn touches_ahead(&self) -> bool {
        self.growth.touch_ahead
    }

    /// Sets how many events the map keeps (default 256; 0 keeps none). The
    /// ring is allocated at the first event and never grows; a probe's ring
    /// has the same capacity.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = evacmap::Policy::default().with_event_capacity(16);
    /// assert_eq!(p.event_capacity(), 16);
    /// ```
    pub const fn with_event_capacity(self, event_capacity: usize) -> Self {
        let mut p = self;
        p.instruments.event_capacity = event_capacity;
        p
    }

    /// Sets how often, in writes, the map publishes its counters to a probe
    /// (default 1024). Growth events always publish at once.
    ///
    /// # Panics
    ///
    /// Panics if `writes` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = evacmap::Policy::default().with_publish_interval(1);
    /// assert_eq!(p.publish_interval(), 1);
    /// ```
    #[track_caller]
    pub const fn with_publish_interval(self, writes: u64) -> Self {
        assert!(
            writes > 0,
            "evacmap: publish interval must be at least 1 write"
        );
        let mut p = self;
        p.instruments.publish_interval = writes;
        p
    }

    /// Turns automatic shrinking on (default off, as in Go, whose maps never
    /// shrink). After a removal leaves the table's *fill* — entries per slot,
    /// `len / (8 * 2^B)` — at or below `fill`, an incremental shrink starts:
    /// a new array half the size or smaller, filled by the same evacuation
    /// machinery as a growth (the cursor, the per-write budget,
    /// [`EvacMap::evacuate`](crate::EvacMap::evacuate)). Redis shrinks at a
    /// fill of 1/8.
    ///
    /// Hysteresis: the shrink's target is the smallest table whose capacity
    /// is at least *twice* the current length, and no shrink starts unless
    /// that table is smaller than the current one. So after a shrink the map
    /// must double its length before it grows again, and a map whose length
    /// moves back and forth around one value cannot alternate between
    /// growing and shrinking. One evacuation runs at a time, so during a long
    /// delete burst shrinks follow one another: the next starts at the first
    /// removal after the previous one finished, if the fill is still low.
    /// Only `remove` and `OccupiedEntry::remove` start shrinks; removals
    /// inside `retain`, `extract_if` and `drain` never do.
    ///
    /// # Panics
    ///
    /// Panics if `fill` is NaN or not in (0, 1), naming the rejected value.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::{EvacMap, Policy};
    ///
    /// let mut map = EvacMap::with_policy(Policy::go().with_auto_shrink(0.125));
    /// for i in 0..10_000u32 {
    ///     map.insert(i, i);
    /// }
    /// let big = map.capacity();
    /// for i in 0..9_900u32 {
    ///     map.remove(&i);
    /// }
    /// map.finish_evacuation(); // or let later writes finish the shrink
    /// assert!(map.instruments().stats().shrinks >= 2);
    /// assert!(map.capacity() < big / 4);
    /// assert_eq!(map.len(), 100);
    /// ```
    #[track_caller]
    pub fn with_auto_shrink(self, fill: f64) -> Self {
        assert!(
            fill > 0.0 && fill < 1.0,
            "evacmap: auto-shrink fill must be in (0, 1), got {fill}"
        );
        let mut p = self;
        p.growth.auto_shrink = fill;
        p
    }

    /// The fill at or below which removals start a shrink, if automatic
    /// shrinking is on.
    ///
    /// # Examples
    ///
    /// ```
    /// use evacmap::Policy;
    ///
    /// assert_eq!(Policy::go().auto_shrink(), None);
    /// assert_eq!(Policy::go().with_auto_shrink(0.125).auto_shrink(), Some(0.125));
    /// ```
    pub fn auto_shrink(&self) -> Option<f64> {
        (self.growth.auto_shrink > 0.0).then_some(self.growth.auto_shrink)
    }

    /// Whether writes are timed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!evacmap::Policy::default().timing());
    /// ```
    pub const fn timing(&self) -> bool {
        self.instruments.timing
    }

    /// Whether large bucket arrays ask for transparent huge pages.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!evacmap::Policy::default().huge_pages());
    /// ```
    pub const fn huge_pages(&self) -> bool {
        self.growth.huge_pages
    }

    /// Events kept by the map.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(evacmap::Policy::default().event_capacity(), 256);
    /// ```
    pub const fn event_capacity(&self) -> usize {
        self.instruments.event_capacity
    }

    /// Writes between publications to a probe.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(evacmap::Policy::default().publish_interval(), 1024);
    /// ```
    pub const fn publish_interval(&self) -> u64 {
        self.instruments.publish_interval
    }

    /// The load factor (entries per bucket before doubling).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(evacmap::Policy::default().load_factor(), 6.5);
    /// ```
    pub const fn load_factor(&self) -> f64 {
        self.growth.load_factor
    }

    /// Extra old buckets evacuated at the cursor by each write.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(evacmap::Policy::default().cursor_steps(), 1);
    /// ```
    pub const fn cursor_steps(&self) -> usize {
        self.growth.cursor_steps
    }

    /// Whether removals do evacuation work.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(evacmap::Policy::default().evacuate_on_remove());
    /// ```
    pub const fn evacuate_on_remove(&self) -> bool {
        self.growth.evacuate_on_remove
    }

    /// Whether growth is evacuated entirely by the insert that starts it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(evacmap::Policy::all_at_once().is_all_at_once());
    /// ```
    pub const fn is_all_at_once(&self) -> bool {
        self.growth.all_at_once
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "auto-shrink fill must be in (0, 1), got 1")]
    fn full_auto_shrink_rejected() {
        let _ = Policy::go().with_auto_shrink(1.0);
    }

    #[test]
    #[should_panic(expected = "got NaN")]
    fn nan_auto_shrink_rejected() {
        let _ = Policy::go().with_auto_shrink(f64::NAN);
    }

    #[test]
    #[should_panic(expected = "load factor must be in (0, 8], got NaN")]
    fn nan_load_factor_rejected() {
        let _ = Policy::go().with_load_factor(f64::NAN);
    }

    #[test]
    #[should_panic(expected = "got 0")]
    fn zero_load_factor_rejected() {
        let _ = Policy::go().with_load_factor(0.0);
    }

    #[test]
    #[should_panic(expected = "got 8.5")]
    fn too_large_load_factor_rejected() {
        let _ = Policy::go().with_load_factor(8.5);
    }
}
