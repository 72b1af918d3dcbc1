//! Giving an old array's pages back to the OS before the array is freed:
//! the bookkeeping of how far that has gone.
//!
//! As the cursor passes old chains they are evacuated and never read again
//! (I10), so whole pages of them can be given back (`madvise`,
//! `alloc.rs`) a batch at a time; after the growth, the retiring array's
//! remaining pages (mostly the overflow pool) go the same way, one batch
//! per write (`lifecycle.rs`). [`Pages`] remembers what was given back, so
//! that nothing is given back twice, nothing below the line is read, and
//! the byte counts stay exact.

use super::alloc::{give_back, page_size};

/// Smallest run of old-array pages given back in one `madvise` call: large
/// enough to amortise the system call, small enough that the write paying
/// for it stays short (`docs/design.md`, "Giving the old array back
/// progressively", has the cost of each batch size and the command that
/// measures it).
pub(super) const BATCH_BYTES: usize = 16 << 10;

/// What has been given back of one array's pages.
#[derive(Clone, Copy, Debug)]
pub(super) struct Pages {
    /// Chains `0..released_chains` are evacuated, their spilled overflow
    /// buckets freed and their head links cut, and their pages may be gone
    /// (I10).
    released_chains: usize,
    /// Byte offset from bucket 0 below which whole pages were given back.
    released_end: usize,
    /// Bytes given back early: pages plus spilled overflow buckets.
    released_bytes: usize,
    /// Of `released_bytes`, the pages (still part of the allocation).
    page_bytes: usize,
    /// Nothing is due while the released chains stay below this: the fast
    /// path of every cursor step.
    due: usize,
}

/// Where an array's buckets are, for [`Pages`]: the address of bucket 0
/// and the size of one bucket.
#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    /// Address of bucket 0.
    pub(super) base: *mut u8,
    /// Bytes per bucket.
    pub(super) bucket: usize,
}

impl Pages {
    /// Nothing given back.
    pub(super) const NONE: Pages = Pages {
        released_chains: 0,
        released_end: 0,
        released_bytes: 0,
        page_bytes: 0,
        due: 0,
    };

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

    /// Marks chains `0..chains` released, giving back their whole pages
    /// once at least a batch is due. Returns the bytes given back.
    ///
    /// # Safety
    ///
    /// `span` is the array's, `chains` is at most its primary bucket
    /// count, and chains `0..chains` are evacuated, their links cut, and
    /// never read again (I10).
    #[inline]
    pub(super) unsafe fn release_below(&mut self, span: Span, chains: usize) -> usize {
        if chains < self.due {
            self.released_chains = self.released_chains.max(chains);
            return 0;
        }
        // SAFETY: the caller's guarantee, passed on.
        unsafe { self.release_below_now(span, chains) }
    }

    /// `release_below` past its fast path.
    ///
    /// # Safety
    ///
    /// As for `release_below`.
    #[cold]
    unsafe fn release_below_now(&mut self, span: Span, chains: usize) -> usize {
        self.released_chains = self.released_chains.max(chains);
        let Some(page) = page_size() else {
            self.due = usize::MAX; // no pages to give back here
            return 0;
        };
        let base = span.base.addr();
        let lo = (base + self.released_end).next_multiple_of(page);
        let hi = (base + chains * span.bucket) / page * page;
        let mut released = 0;
        if hi >= lo + BATCH_BYTES.max(page) {
            // SAFETY: `[lo, hi)` is whole pages between bucket 0 and the
            // end of chain `chains - 1` (caller: inside the allocation),
            // holding only buckets of released chains, never read again
            // (caller, I10).
            if unsafe { give_back(span.base.add(lo - base), hi - lo) } {
                released = hi - lo;
                self.page_bytes += released;
            }
            self.released_end = hi - base;
        }
        // The first chain count at which the next batch is due.
        let lo = (base + self.released_end).next_multiple_of(page);
        self.due = (lo + BATCH_BYTES.max(page) - base).div_ceil(span.bucket);
        self.released_bytes += released;
        released
    }

    /// After every chain was released: gives back the next batch of pages
    /// of the first `used` bytes of buckets (the pool, and the primary
    /// tail that did not fill a batch). Returns the bytes given back and
    /// whether less than a batch remains.
    ///
    /// # Safety
    ///
    /// `span` is the array's, `used` bytes from bucket 0 are inside its
    /// allocation, and nothing in the array is read again.
    pub(super) unsafe fn release_tail(&mut self, span: Span, used: usize) -> (usize, bool) {
        let Some(page) = page_size() else {
            return (0, true);
        };
        let base = span.base.addr();
        let lo = (base + self.released_end).next_multiple_of(page);
        let end = (base + used) / page * page;
        let hi = (lo + BATCH_BYTES.max(page)).min(end);
        if hi <= lo {
            return (0, true);
        }
        // SAFETY: `[lo, hi)` is whole pages inside the first `used` bytes
        // (caller), none of it read again (caller).
        let ok = unsafe { give_back(span.base.add(lo - base), hi - lo) };
        self.released_end = hi - base;
        let released = if ok { hi - lo } else { 0 };
        self.page_bytes += released;
        self.released_bytes += released;
        (released, !ok || end - hi < BATCH_BYTES.max(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::DefaultLayout;
    use crate::raw::array::BucketArray;

    /// Chains released below a rising cursor go back in whole pages, once
    /// a batch of them is due; the tail then goes batch by batch until
    /// less than one is left. Where pages cannot go back (Miri, other
    /// platforms), nothing is given back and the chains are still marked.
    #[test]
    fn pages_go_back_in_batches_below_the_cursor() {
        // 2^12 buckets of 144 bytes: about 590 KiB, mapped directly.
        let mut a = BucketArray::<u64, u64, DefaultLayout>::allocate(12, false).unwrap();
        let len = a.len();
        let size = size_of::<crate::raw::bucket::Bucket<u64, u64, DefaultLayout>>();
        let mut given = 0;
        for cursor in (0..=len).step_by(7) {
            // SAFETY: nothing in this array is read (no entries, and the
            // test never reads a released chain).
            given += unsafe { a.release_below(cursor) };
            assert!(a.released_chains() >= cursor.saturating_sub(7));
        }
        // SAFETY: as above.
        given += unsafe { a.release_below(len) };
        assert_eq!(a.released_chains(), len);
        let Some(page) = page_size() else {
            assert_eq!(given, 0);
            return;
        };
        assert!(given % page == 0 && given > 0, "{given}");
        assert!(given <= len * size && len * size - given < 2 * BATCH_BYTES.max(page));
        let mut tail = 0;
        loop {
            // SAFETY: every chain is released and nothing is read again.
            let (bytes, done) = unsafe { a.release_tail() };
            assert!(bytes <= BATCH_BYTES.max(page), "one batch at a time");
            tail += bytes;
            if done {
                break;
            }
        }
        assert!(tail > 0, "the pool goes back too");
        assert_eq!(a.released_bytes(), given + tail);
        // SAFETY: nothing in the array is used again.
        unsafe { a.free() };
    }
}
