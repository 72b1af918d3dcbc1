//! Giving an old array's memory back to the OS before the array is freed,
//! a bounded run per write: the bookkeeping of how far that has gone.
//!
//! As the cursor passes old chains they are evacuated and never read again
//! (I10), so whole pages of them can be given back (`alloc::give_back`:
//! advised away; once the growth is over, a directly mapped array is also
//! unmapped, a 2 MiB block per write, `UNMAP_BLOCK`). After the growth the
//! retiring array's remaining pages (mostly the overflow pool) go the same
//! way (`lifecycle.rs`). [`Pages`] remembers what was given back, so that
//! nothing is given back twice, nothing below the line is read, the byte
//! counts stay exact, and the final free frees only what is left
//! ([`Pages::rest`]).
//!
//! An array's memory is one or two *regions*, each a run of equal strides
//! indexed like the chains (`Region`): Go's layout has the buckets; the
//! split layout its dense tophash words, then the buckets. A write gives
//! back at most one run of `batch` bytes per region (`Policy::
//! with_release_batch`), and only once a whole run is due, so that the
//! system call is amortised and no single write's share grows with the
//! array: when the cursor runs ahead (a cursor step skips up to 1024
//! evacuated chains), the release lags and catches up on later writes.

use super::alloc::{give_back, page_size};

/// The address space one page table maps (x86-64, and aarch64 with 4 KiB
/// pages). Below the cursor pages are advised away (`MADV_DONTNEED`, the
/// cheaper call); once the growth is over, the retiring array is unmapped
/// a block at a time, one block per write, so that each block's page
/// table goes with it and the final free has at most one block a region
/// left to tear down.
const UNMAP_BLOCK: usize = 2 << 20;

/// Regions of an array: at most two.
pub(crate) const REGIONS: usize = 2;

/// One region of an array's allocation: chain `i`'s part of it starts at
/// `base + i * stride` (a stride of 0: no such region). (`pub` in this
/// private module: the layouts' trait, `layout.rs`, names it.)
#[derive(Clone, Copy, Debug)]
pub struct Region {
    /// Where chain 0's part starts.
    pub(super) base: *mut u8,
    /// Bytes per chain (per bucket: the pool and extension follow the
    /// primary buckets with the same stride).
    pub(super) stride: usize,
}

impl Region {
    /// No region.
    pub(super) const NONE: Region = Region {
        base: core::ptr::null_mut(),
        stride: 0,
    };
}

/// What one call gave back: bytes, and the system calls it made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub(super) struct GivenBack {
    /// Bytes given back.
    pub(super) bytes: usize,
    /// System calls made (`munmap`, `madvise`).
    pub(super) calls: u32,
}

impl GivenBack {
    /// Adds what another call gave back.
    #[inline]
    pub(super) fn add(&mut self, other: GivenBack) {
        self.bytes += other.bytes;
        self.calls += other.calls;
    }
}

/// What has been given back of one array's memory.
#[derive(Clone, Copy, Debug)]
pub(super) struct Pages {
    /// Chains `0..released_chains` are evacuated, their spilled overflow
    /// buckets freed and their head links cut, and their pages may be gone
    /// (I10): nothing reads them.
    released_chains: usize,
    /// Per region: the byte offset from its base below which whole pages
    /// were given back (0 when nothing was).
    released_end: [usize; REGIONS],
    /// Per region, in an array mapped directly: the offset below which it
    /// was unmapped (from the region's first whole page; 0 when nothing
    /// was). Between it and `released_end` pages were advised away but
    /// are still mapped.
    unmapped_end: [usize; REGIONS],
    /// Bytes given back early: pages plus spilled overflow buckets.
    released_bytes: usize,
    /// Of `released_bytes`, the pages.
    page_bytes: usize,
    /// Nothing is due while the released chains stay below this: the fast
    /// path of every cursor step.
    due: usize,
    /// The most bytes one call gives back per region, and the least that
    /// is worth a call below the cursor (a whole number of pages, at least
    /// one).
    run: usize,
    /// Whether the array is mapped directly: once retiring it is unmapped
    /// block by block (`UNMAP_BLOCK`).
    mapped: bool,
}

impl Pages {
    /// The bookkeeping of an array without memory: nothing to give back.
    pub(super) const NONE: Pages = Pages {
        released_chains: 0,
        released_end: [0; REGIONS],
        unmapped_end: [0; REGIONS],
        released_bytes: 0,
        page_bytes: 0,
        due: usize::MAX,
        run: usize::MAX,
        mapped: false,
    };

    /// Nothing given back, runs of `batch` bytes (rounded up to pages), in
    /// an array that is mapped directly iff `mapped`.
    pub(super) fn new(batch: usize, mapped: bool) -> Pages {
        let run = page_size().map_or(usize::MAX, |p| batch.max(1).next_multiple_of(p));
        Pages {
            released_chains: 0,
            released_end: [0; REGIONS],
            unmapped_end: [0; REGIONS],
            released_bytes: 0,
            page_bytes: 0,
            due: 0,
            run,
            mapped,
        }
    }

    /// Chains that must not be read (I10).
    #[inline]
    pub(super) fn released_chains(&self) -> usize {
        self.released_chains
    }

    /// Bytes given back early (pages and spilled buckets).
    pub(super) fn released_bytes(&self) -> usize {
        self.released_bytes
    }

    /// Of those, the pages.
    pub(super) fn page_bytes(&self) -> usize {
        self.page_bytes
    }

    /// Counts spilled overflow buckets freed with their chain.
    pub(super) fn spills_freed(&mut self, bytes: usize) {
        self.released_bytes += bytes;
    }

    /// Marks chains `0..chains` released (I10): nothing reads them from
    /// now on. Returns whether a run is due below them (then
    /// [`release_due`](Self::release_due) gives it back): the fast path of
    /// every evacuation step.
    #[inline]
    pub(super) fn mark_released(&mut self, chains: usize) -> bool {
        self.released_chains = self.released_chains.max(chains);
        chains >= self.due
    }

    /// Gives back at most one run of whole pages per region below the
    /// released chains (only whole runs), then notes where the next run
    /// is due.
    ///
    /// # Safety
    ///
    /// `regions` are the array's; its released chains are evacuated,
    /// their links cut, and never read again (I10).
    pub(super) unsafe fn release_due(&mut self, regions: &[Region; REGIONS]) -> GivenBack {
        let Some(page) = page_size() else {
            self.due = usize::MAX; // no pages to give back here
            return GivenBack::default();
        };
        let mut given = GivenBack::default();
        let mut due = usize::MAX;
        for (r, region) in regions.iter().enumerate().filter(|(_, r)| r.stride > 0) {
            let limit = self.released_chains * region.stride;
            // SAFETY: caller: the first `limit` bytes of the region hold
            // only released chains, never read again.
            given.add(unsafe { self.give_run(region, r, limit, page, true) });
            // The chain count at which this region's next run is due.
            let start = (region.base.addr() + self.released_end[r]).next_multiple_of(page);
            let next = (start + self.run - region.base.addr()).div_ceil(region.stride);
            due = due.min(next);
        }
        self.due = due;
        given
    }

    /// Gives back the next run of whole pages of region `r` below `limit`
    /// bytes from its base: a whole run only (`full`), or up to a run.
    ///
    /// # Safety
    ///
    /// The first `limit` bytes of the region hold nothing read again, and
    /// lie inside the array's allocation.
    unsafe fn give_run(
        &mut self,
        region: &Region,
        r: usize,
        limit: usize,
        page: usize,
        full: bool,
    ) -> GivenBack {
        let base = region.base.addr();
        let lo = (base + self.released_end[r]).next_multiple_of(page);
        let end = (base + limit) / page * page;
        if end <= lo || (full && end - lo < self.run) {
            return GivenBack::default();
        }
        let hi = end.min(lo + self.run);
        // SAFETY: `[lo, hi)` is whole pages of the region's first `limit`
        // bytes (caller), never read again (caller).
        let ok = unsafe { give_back(region.base.add(lo - base), hi - lo, false) };
        self.released_end[r] = hi - base;
        let bytes = if ok { hi - lo } else { 0 };
        self.page_bytes += bytes;
        self.released_bytes += bytes;
        GivenBack { bytes, calls: 1 }
    }

    /// After every chain was released: gives back the next run of the
    /// first `used` buckets of each region (the pool, and the primary tail
    /// not given back yet), at most one run per region. Returns what was
    /// given back and whether less than a run remains in every region, at
    /// which point the array is freed.
    ///
    /// # Safety
    ///
    /// `regions` are the array's, `used` buckets of each are inside its
    /// allocation, and nothing in the array is read again.
    pub(super) unsafe fn release_tail(
        &mut self,
        regions: &[Region; REGIONS],
        used: usize,
    ) -> (GivenBack, bool) {
        let Some(page) = page_size() else {
            return (GivenBack::default(), true);
        };
        let mut given = GivenBack::default();
        let mut done = true;
        for (r, region) in regions.iter().enumerate().filter(|(_, r)| r.stride > 0) {
            let limit = used * region.stride;
            let base = region.base.addr();
            let left = ((base + limit) / page * page)
                .saturating_sub((base + self.released_end[r]).next_multiple_of(page));
            if left > 0 {
                // SAFETY: caller: the first `used` buckets of the region
                // are inside the allocation and never read again.
                given.add(unsafe { self.give_run(region, r, limit, page, false) });
                done &= left <= self.run && !self.mapped;
            } else if self.mapped {
                // SAFETY: as above; only what was given back is unmapped.
                let (g, last) = unsafe { self.unmap_block(region, r, page) };
                given.add(g);
                done &= last;
            }
        }
        (given, done)
    }

    /// True if some region has a whole block (`UNMAP_BLOCK`) given back
    /// but still mapped: freeing the array now would tear down its page
    /// tables in one call, so it retires instead.
    pub(super) fn unmap_due(&self) -> bool {
        self.mapped
            && (0..REGIONS).any(|r| self.released_end[r] >= self.unmapped_end[r] + UNMAP_BLOCK)
    }

    /// Unmaps the next block (`UNMAP_BLOCK`) of region `r`'s pages that
    /// were given back: from where unmapping stopped (the region's first
    /// whole page at first) to the next block boundary, or to the end of
    /// what was given back. Returns the call made and whether less than a
    /// block is left, which the final free unmaps.
    ///
    /// # Safety
    ///
    /// The region's pages below `released_end` are never used again and
    /// lie in the array's mapping, which is mapped directly.
    unsafe fn unmap_block(&mut self, region: &Region, r: usize, page: usize) -> (GivenBack, bool) {
        let base = region.base.addr();
        let lo = (base + self.unmapped_end[r]).max(base.next_multiple_of(page));
        let released = (base + self.released_end[r]) / page * page;
        let hi = (lo / UNMAP_BLOCK + 1) * UNMAP_BLOCK;
        if hi > released {
            return (GivenBack::default(), true);
        }
        // SAFETY: `[lo, hi)` is whole pages below `released_end`, still
        // mapped (`unmapped_end`), never used again (caller).
        let ok = unsafe { give_back(region.base.add(lo - base), hi - lo, true) };
        if ok {
            self.unmapped_end[r] = hi - base;
        }
        let call = GivenBack { bytes: 0, calls: 1 };
        (call, !ok || hi + UNMAP_BLOCK > released)
    }

    /// The parts of the allocation `[start, start + size)` not unmapped
    /// yet (what the final free of a directly mapped array unmaps), as up
    /// to three ranges in address order.
    pub(super) fn rest(
        &self,
        regions: &[Region; REGIONS],
        start: *mut u8,
        size: usize,
    ) -> [(*mut u8, usize); REGIONS + 1] {
        let mut gone: [(usize, usize); REGIONS] = [(0, 0); REGIONS];
        let page = page_size().unwrap_or(1);
        for (r, region) in regions.iter().enumerate() {
            if region.stride > 0 && self.unmapped_end[r] > 0 {
                let lo = region.base.addr().next_multiple_of(page);
                gone[r] = (lo, region.base.addr() + self.unmapped_end[r]);
            }
        }
        gone.sort_unstable();
        let mut out = [(core::ptr::null_mut(), 0); REGIONS + 1];
        let mut at = start.addr();
        for (i, &(lo, hi)) in gone.iter().enumerate() {
            if hi > lo {
                out[i] = (start.with_addr(at), lo.saturating_sub(at));
                at = at.max(hi);
            }
        }
        let end = (start.addr() + size).next_multiple_of(page);
        out[REGIONS] = (start.with_addr(at), end.saturating_sub(at));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;
    use crate::layout::DefaultLayout;
    use crate::raw::array::BucketArray;

    /// Chains released below a rising cursor go back in whole pages, one
    /// run at a time, once a run is due; the tail then goes run by run
    /// until less than one is left. Where pages cannot go back (Miri, other
    /// platforms), nothing is given back and the chains are still marked.
    #[test]
    fn pages_go_back_in_runs_below_the_cursor() {
        // 2^12 buckets of 144 bytes: about 590 KiB, mapped directly.
        let policy = Policy::go();
        let mut a = BucketArray::<u64, u64, DefaultLayout>::allocate(12, &policy).unwrap();
        let len = a.len();
        let mut given = 0;
        for cursor in (0..=len).step_by(7) {
            // SAFETY: nothing in this array is read (no entries, and the
            // test never reads a released chain).
            let g = unsafe { a.release_below(cursor) };
            assert!(
                g.bytes <= REGIONS * policy.release_batch(),
                "one run a region"
            );
            given += g.bytes;
            assert!(a.released_chains() >= cursor.saturating_sub(7));
        }
        // The release lags the cursor by less than a run a region; the
        // retiring steps give back the rest.
        let mut tail = 0;
        loop {
            // SAFETY: every chain is released (above, then by the final
            // `release_below`) and nothing is read again.
            let (g, done) = unsafe {
                given += a.release_below(len).bytes;
                a.release_tail()
            };
            assert!(
                g.bytes <= REGIONS * policy.release_batch(),
                "one run a region"
            );
            tail += g.bytes;
            if done {
                break;
            }
        }
        if let Some(page) = page_size() {
            assert!(given % page == 0 && given > 0, "{given}");
            assert!(tail > 0, "the pool goes back too");
            assert_eq!(a.released_bytes(), given + tail);
        } else {
            assert_eq!(given + tail, 0);
        }
        // SAFETY: nothing in the array is used again.
        unsafe { a.free() };
    }

    /// A retiring array mapped directly is unmapped one 2 MiB block per
    /// call once its pages are given back, so that its free has at most a
    /// block a region left (and no call unmaps more than a block).
    #[test]
    fn retiring_arrays_are_unmapped_a_block_at_a_time() {
        // 2^15 buckets of 144 bytes: about 4.7 MiB.
        let policy = Policy::go().with_release_batch(64 << 10);
        let mut a = BucketArray::<u64, u64, DefaultLayout>::allocate(15, &policy).unwrap();
        // SAFETY: nothing in this array is read (no entries).
        unsafe { a.mark_all_released() };
        let (mut calls, mut blocks) = (0, 0);
        loop {
            // SAFETY: every chain is released and nothing is read again.
            let (g, done) = unsafe { a.release_tail() };
            calls += g.calls;
            blocks += u32::from(g.bytes == 0 && g.calls > 0);
            assert!(g.calls <= REGIONS as u32, "one call a region");
            if done {
                assert!(!a.unmap_due(), "less than a block left to unmap");
                break;
            }
        }
        if page_size().is_some() {
            assert!(blocks >= 1, "{calls} calls, {blocks} blocks unmapped");
            assert_eq!(a.released_bytes(), a.array_bytes() / 4096 * 4096);
        }
        // SAFETY: nothing in the array is used again.
        unsafe { a.free() };
    }
}
