//! Bucket arrays: Go's array of `2^B` primary buckets and its overflow
//! pool, the pool's extension, the overflow buckets allocated one by one,
//! and the progressive release of an old array's memory.
//!
//! ```text
//! BucketArray, Go's layout:  [ 2^B primary buckets | pool (2^(B-4) if B >= 4) | extension ]
//! BucketArray, split layout: [ one tophash word per bucket below ] [ the same buckets, without them ]
//! ```
//! The extension (`POOL_EXTENSION` more pools) exists only for arrays mapped
//! directly, where reserved address space costs nothing until touched, and
//! under Miri so that Miri checks its code. Memory itself comes from
//! `alloc.rs`.

use core::alloc::Layout;
use core::ptr::{self, NonNull};

use super::alloc::{
    alloc_array, alloc_bucket, alloc_syscalls, free_array, free_array_rest, free_bucket,
    maps_directly, page_size,
};
use super::bucket::{Bucket, Tops, overflow, spill_layout};
use super::pages::{GivenBack, Pages, REGIONS, Region};
use super::tophash::is_evacuated_marker;
use crate::layout::BucketLayout;
use crate::{Policy, TryReserveError};

/// Largest supported `B`: keeps `2^B` buckets addressable and the byte size
/// of an array within `isize::MAX` for every bucket size we can have.
pub(crate) const MAX_LOG2: u8 = (usize::BITS - 5) as u8;

/// An array mapped directly reserves this many more pools' worth of
/// overflow buckets after Go's pool of `2^(B-4)`. Reserved address space
/// costs no memory until a page is touched, and buckets are handed out in
/// order, so only the ones used are resident. With random keys Go's pool
/// runs out near the load limit (about a fifth of the chains overflow at
/// 6.5 per bucket, the pool covers a sixteenth); without the extension the
/// rest would come from `malloc` one by one, and freeing them returns a
/// scattered heap whose final trim (`brk`) pauses one insert
/// (`docs/design.md`, "Differences from Go": the pool extension).
const POOL_EXTENSION: usize = 3;

/// True if an array whose Go part (primary and pool) takes `bytes` reserves
/// the pool's extension: arrays mapped directly, where it is address space
/// that costs nothing until used; and under Miri every array, which then
/// comes zeroed from the allocator, so that Miri checks the extension's
/// code (it cannot map memory). Either way `Stats` counts only the
/// extension buckets handed out, exactly as it would count spilled ones.
#[inline]
fn has_extension(bytes: usize) -> bool {
    maps_directly(bytes) || cfg!(miri)
}

/// A bucket array: `2^log2` primary buckets followed by a pool of
/// preallocated overflow buckets (and, for arrays mapped directly or under
/// Miri, the pool's extension: `has_extension`), plus the overflow buckets
/// allocated one by one once those ran out (found by walking the chains;
/// invariant I6).
pub(crate) struct BucketArray<K, V, L: BucketLayout> {
    /// Bucket 0: the start of the allocation in Go's layout, just after the
    /// dense tophash words in the split layout; dangling when `total == 0`
    /// (no array yet).
    ptr: NonNull<Bucket<K, V, L>>,
    /// Split layout: the dense tophash words (`capacity` of them), at the
    /// start of the allocation. Dangling in Go's layout and when
    /// unallocated.
    words: NonNull<[u8; 8]>,
    /// `B`: the array has `2^log2` primary buckets (0 when unallocated).
    log2: u8,
    /// `2^log2 - 1`, cached: every lookup masks a hash with it.
    mask: usize,
    /// Primary plus pool buckets (Go's array); 0 = nothing allocated.
    total: usize,
    /// Buckets in the allocation: `total`, plus `POOL_EXTENSION` times the
    /// pool for arrays with an extension (`has_extension`). Mapped directly,
    /// the extension is reserved, not touched: its pages cost memory only
    /// once handed out.
    capacity: usize,
    /// `capacity` buckets in bytes: where the allocation's buckets end
    /// (cached for `tops`, which every chain walk takes).
    span: usize,
    /// Index of the next unused pool (or extension) bucket (`capacity` when
    /// all are used; Go keeps a pointer and a sentinel link instead).
    next_pool: usize,
    /// Overflow buckets linked into this array's chains (pool and allocated).
    linked_overflow: usize,
    /// Of those, the ones allocated one by one (outside the allocation) and
    /// not yet freed.
    spilled: usize,
    /// What has been given back of an old array's pages (`pages.rs`).
    pages: Pages,
}

impl<K, V, L: BucketLayout> BucketArray<K, V, L> {
    /// An array that owns no memory (a map that never held an entry).
    pub(crate) const fn unallocated() -> Self {
        BucketArray {
            ptr: NonNull::dangling(),
            words: NonNull::dangling(),
            log2: 0,
            mask: 0,
            total: 0,
            capacity: 0,
            span: 0,
            next_pool: 0,
            linked_overflow: 0,
            spilled: 0,
            pages: Pages::NONE,
        }
    }

    /// Go `makeBucketArray`: `2^log2` buckets plus `2^(log2-4)` pool buckets
    /// when `log2 >= 4`, all zeroed (so all empty). An array mapped directly
    /// (or any array under Miri) also reserves the pool's extension
    /// (`POOL_EXTENSION`, `has_extension`).
    /// With `Policy::with_huge_pages`, a directly mapped array asks for
    /// transparent huge pages; `Policy::with_release_batch` sets the runs
    /// in which its memory is given back once it is an old array.
    pub(crate) fn allocate(log2: u8, policy: &Policy) -> Result<Self, TryReserveError> {
        if log2 > MAX_LOG2 {
            return Err(TryReserveError::CapacityOverflow);
        }
        let primary = 1usize << log2;
        let pool = if log2 >= 4 { 1usize << (log2 - 4) } else { 0 };
        let total = primary + pool;
        let capacity = if has_extension(Self::layout(total)?.0.size()) {
            total + POOL_EXTENSION * pool
        } else {
            total
        };
        let (layout, buckets_at) = Self::layout(capacity)?;
        // Off Miri, `capacity > total` only when `total`'s size maps
        // directly, and a larger size does too; under Miri nothing maps. So
        // `free` reaches the same decision from `capacity`.
        let start = alloc_array(layout, policy.huge_pages())
            .ok_or(TryReserveError::AllocError { layout })?;
        // SAFETY: `buckets_at < layout.size()`: the buckets' offset inside
        // the allocation (`layout`).
        let ptr = unsafe { start.add(buckets_at) }.cast::<Bucket<K, V, L>>();
        Ok(BucketArray {
            ptr,
            words: start.cast::<[u8; 8]>(),
            log2,
            mask: primary - 1,
            total,
            capacity,
            span: capacity * size_of::<Bucket<K, V, L>>(),
            next_pool: primary,
            pages: Pages::new(policy.release_batch(), maps_directly(layout.size())),
            ..Self::unallocated()
        })
    }

    /// The allocation of an array of `capacity` buckets, and the offset of
    /// bucket 0 in it: the buckets alone in Go's layout; in the split
    /// layout, first their dense tophash words.
    fn layout(capacity: usize) -> Result<(Layout, usize), TryReserveError> {
        L::array_layout(Layout::new::<Bucket<K, V, L>>(), capacity)
            .map_err(|_| TryReserveError::CapacityOverflow)
    }

    /// System calls allocating this array took (`alloc::alloc_syscalls`).
    pub(crate) fn alloc_syscalls(&self, huge_pages: bool) -> u32 {
        Self::layout(self.capacity).map_or(0, |(l, _)| alloc_syscalls(l.size(), huge_pages))
    }

    /// Memory per bucket: the bucket, and its dense tophash word in the
    /// split layout.
    const BUCKET_BYTES: usize = size_of::<Bucket<K, V, L>>() + L::WORD_BYTES;

    /// Where this array's tophash words are (valid while it is allocated).
    #[inline]
    pub(crate) fn tops(&self) -> Tops<K, V, L> {
        Tops::new(self.words.as_ptr(), self.ptr.as_ptr().addr(), self.span)
    }

    /// Bytes of Go's array: primary and pool buckets (not counting the pool's
    /// extension or spilled overflow buckets).
    pub(crate) fn array_bytes(&self) -> usize {
        self.total * Self::BUCKET_BYTES
    }

    /// Bytes of Go's array (primary and pool buckets) at `B = log2`,
    /// saturating.
    pub(crate) fn array_bytes_at(log2: u8) -> usize {
        let primary = 1usize.checked_shl(log2.into()).unwrap_or(usize::MAX);
        let pool = if log2 >= 4 { primary >> 4 } else { 0 };
        primary
            .saturating_add(pool)
            .saturating_mul(Self::BUCKET_BYTES)
    }

    /// Extension buckets handed out so far.
    fn extension_used(&self) -> usize {
        self.next_pool.saturating_sub(self.total)
    }

    /// All bucket memory this array holds: Go's array (less the pages given
    /// back early), plus the overflow buckets taken from the extension or
    /// allocated one by one. (The extension's untouched pages hold no
    /// memory and are not counted.)
    pub(crate) fn bytes(&self) -> usize {
        let extension = self.extension_used() * Self::BUCKET_BYTES;
        let spilled = self.spilled * spill_layout::<K, V, L>().0.size();
        self.array_bytes() + extension + spilled - self.pages.page_bytes()
    }

    /// Bytes given back early by `release_below` (pages and spilled buckets).
    pub(crate) fn released_bytes(&self) -> usize {
        self.pages.released_bytes()
    }

    /// Chains whose memory `release_below` may have given back (I10): they
    /// must not be read.
    #[inline]
    pub(crate) fn released_chains(&self) -> usize {
        self.pages.released_chains()
    }

    /// Where the array's memory is, chain by chain, for the page
    /// bookkeeping (the layout's regions).
    fn regions(&self) -> [Region; REGIONS] {
        L::regions(
            self.words.as_ptr().cast::<u8>(),
            self.ptr.as_ptr().cast::<u8>(),
            size_of::<Bucket<K, V, L>>(),
        )
    }

    /// Gives back the memory of chains `0..chains` of an old array, which are
    /// evacuated and never read again: on Linux, at most one run of whole
    /// pages per region below chain `chains`, once a run is due
    /// (`pages.rs`). (Their spilled overflow buckets were freed when they
    /// were evacuated, `unlink_overflow`.) The pool is left for
    /// `release_tail`.
    ///
    /// # Safety
    /// Chains `0..chains` are evacuated (their overflow links cut) and
    /// nothing reads them again (I10).
    #[inline]
    pub(crate) unsafe fn release_below(&mut self, chains: usize) -> GivenBack {
        debug_assert!(chains <= self.len());
        if !self.pages.mark_released(chains) {
            return GivenBack::default();
        }
        // SAFETY: the caller's guarantee, passed on.
        unsafe { self.release_due() }
    }

    /// `release_below` once a run is due (out of line: the fast path of
    /// every evacuation step is the comparison above).
    ///
    /// # Safety
    /// As for `release_below`.
    #[cold]
    #[inline(never)]
    unsafe fn release_due(&mut self) -> GivenBack {
        let regions = self.regions();
        // SAFETY: the caller's guarantee; the released chains' buckets
        // (and words) are inside the allocation.
        unsafe { self.pages.release_due(&regions) }
    }

    /// True if freeing this array now would unmap whole blocks of pages
    /// already given back (`Pages::unmap_due`): it should retire instead.
    pub(crate) fn unmap_due(&self) -> bool {
        self.pages.unmap_due()
    }

    /// Marks every chain released (I10) without giving anything back: the
    /// array retires, and `release_tail` gives back the rest.
    ///
    /// # Safety
    /// Every chain is evacuated (its links cut) and never read again.
    pub(crate) unsafe fn mark_all_released(&mut self) {
        let _due = self.pages.mark_released(self.len());
    }

    /// Overflow buckets linked into this array's chains.
    pub(crate) fn linked_overflow(&self) -> usize {
        self.linked_overflow
    }

    /// True if the array owns memory.
    #[inline]
    pub(crate) fn is_allocated(&self) -> bool {
        self.total != 0
    }

    /// `B`.
    #[inline]
    pub(crate) fn log2(&self) -> u8 {
        self.log2
    }

    /// Number of primary buckets (`2^B`), 0 when unallocated.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        if self.total == 0 { 0 } else { self.mask + 1 }
    }

    /// `2^B - 1`: the low-bits mask that picks a bucket from a hash.
    #[inline]
    pub(crate) fn mask(&self) -> usize {
        self.mask
    }

    /// Primary bucket `i` (the head of chain `i`).
    ///
    /// # Safety
    ///
    /// `i < self.len()` (so the array is allocated).
    #[inline]
    pub(crate) unsafe fn bucket(&self, i: usize) -> NonNull<Bucket<K, V, L>> {
        debug_assert!(
            self.is_allocated() && i < self.len(),
            "bucket {i} out of range"
        );
        // SAFETY: caller: `i < 2^B <= total`, so the offset stays inside the
        // allocation.
        unsafe { self.ptr.add(i) }
    }

    /// Go `evacuated(b)` for chain `i`: whether its head's first tophash
    /// byte is an evacuation marker, which marks the whole chain (I4).
    ///
    /// # Safety
    ///
    /// `i < self.len()`, and chain `i`'s pages were not given back (I10).
    #[inline]
    pub(crate) unsafe fn chain_evacuated(&self, i: usize) -> bool {
        // SAFETY: caller: primary bucket `i` of the allocated array, with
        // its pages; its word is found by index (`head_word`).
        unsafe { is_evacuated_marker((*self.tops().head_word(i, self.bucket(i)))[0]) }
    }

    /// Head of the chain that `hash` selects (`hash & mask`). Dangling, but
    /// never dereferenced by anyone keeping the invariants, when the array
    /// is unallocated: the caller checks `is_allocated` (or `count > 0`,
    /// I7) before reading through it.
    #[inline]
    pub(crate) fn head_for(&self, hash: u64) -> NonNull<Bucket<K, V, L>> {
        let i = hash as usize & self.mask;
        // SAFETY: allocated: `i <= mask < 2^B <= total`, inside the
        // allocation; unallocated: `mask == 0`, so `i == 0`, and an offset
        // of 0 is valid for any pointer.
        unsafe { self.ptr.add(i) }
    }

    /// For `check_invariants` (I6): the index of the first pool or
    /// extension bucket not handed out yet that is not all zeroes (empty
    /// slots, null link), if any. Reading untouched extension pages maps
    /// the kernel's zero page: no memory is used.
    pub(crate) fn first_dirty_unused_pool_bucket(&self) -> Option<usize> {
        self.first_dirty_bucket_from(self.next_pool)
    }

    /// Writes a zero into page `page` of the part of this array that
    /// evacuation writes (Go's array: primary and pool buckets, and in the
    /// split layout the tophash words before them), so that the kernel
    /// maps it now rather than inside a later write. Returns whether pages
    /// after it are left; false (touching nothing) past the end, and off
    /// Linux or under Miri (no page size: nothing is mapped lazily there
    /// that this could help).
    ///
    /// # Safety
    ///
    /// The array is allocated and holds nothing: every byte of it is still
    /// the zero it was allocated as (I12).
    pub(crate) unsafe fn touch_page(&mut self, page: usize) -> bool {
        let Some(size) = page_size() else {
            return false;
        };
        let start = self.words.cast::<u8>();
        let len = (self.ptr.as_ptr().addr() - start.as_ptr().addr())
            + self.total * size_of::<Bucket<K, V, L>>();
        let Some(at) = page.checked_mul(size).filter(|&at| at < len) else {
            return false;
        };
        // SAFETY: `at < len`: inside the allocation (it starts at `words`,
        // `allocate`); the caller: the byte is zero and nothing reads or
        // writes it meanwhile (`&mut self`), so writing a zero changes
        // nothing but where the kernel keeps the page.
        unsafe { start.add(at).write_volatile(0) };
        at + size < len
    }

    /// For `check_invariants` (I12): true if nothing was ever stored in
    /// this allocated array: no overflow bucket handed out, no page given
    /// back, every bucket all zeroes.
    pub(crate) fn is_pristine(&self) -> bool {
        self.is_allocated()
            && self.next_pool == self.len()
            && self.linked_overflow == 0
            && self.spilled == 0
            && self.released_bytes() == 0
            && self.first_dirty_bucket_from(0).is_none()
    }

    /// The first bucket at or after `from` that is not all zeroes (slots
    /// and link), if the array is allocated and none of it was given back.
    fn first_dirty_bucket_from(&self, from: usize) -> Option<usize> {
        if !self.is_allocated() || self.released_bytes() > 0 {
            return None; // an old array past the cursor: pages may be gone
        }
        (from..self.capacity).find(|&i| {
            // SAFETY: `i < capacity`: a bucket inside the allocation, never
            // given back (`released_bytes == 0`); its tophash and link are
            // initialised (the allocation was zeroed).
            let b = unsafe { self.ptr.add(i) };
            // SAFETY: `b` is inside the allocation and initialised (above).
            unsafe { *self.tops().word(b) != [0; 8] || overflow(b).is_some() }
        })
    }

    /// True if `b` lies inside this array's allocation (primary, pool or
    /// extension), as opposed to a separately allocated overflow bucket.
    fn contains(&self, b: NonNull<Bucket<K, V, L>>) -> bool {
        let start = self.ptr.as_ptr().addr();
        let addr = b.as_ptr().addr();
        addr >= start && addr < start + self.capacity * size_of::<Bucket<K, V, L>>()
    }

    /// Go `newoverflow`: a fresh empty bucket linked after `last`, taken from
    /// the pool while it lasts, then from its extension, then from the
    /// allocator. Returns the new bucket and the bytes newly held for it (0
    /// if it came from the pool).
    ///
    /// # Safety
    /// `last` is a live bucket of one of this array's chains whose overflow
    /// link is null.
    pub(crate) unsafe fn push_overflow(
        &mut self,
        last: NonNull<Bucket<K, V, L>>,
    ) -> (NonNull<Bucket<K, V, L>>, usize) {
        // SAFETY: caller: `last` is live.
        debug_assert!(unsafe { overflow(last) }.is_none());
        self.linked_overflow += 1;
        let mut allocated = 0;
        let new = if self.next_pool < self.capacity {
            // SAFETY: `next_pool < capacity`: inside the allocation, a
            // zeroed bucket that no chain links to yet (I6).
            let b = unsafe { self.ptr.add(self.next_pool) };
            if self.next_pool >= self.total {
                allocated = Self::BUCKET_BYTES; // extension: counted in `bytes`
            }
            self.next_pool += 1;
            b
        } else {
            let (layout, offset) = spill_layout::<K, V, L>();
            self.spilled += 1;
            allocated = layout.size();
            // A zeroed bucket (and tophash word) is an empty one
            // (`bucket.rs`).
            let start = alloc_bucket(layout);
            // SAFETY: `offset < layout.size()`: the bucket inside the
            // allocation (`spill_layout`).
            unsafe { start.add(offset) }.cast::<Bucket<K, V, L>>()
        };
        // SAFETY: caller: `last` is live and ours to link.
        unsafe { (*last.as_ptr()).overflow = new.as_ptr() };
        (new, allocated)
    }

    /// Go `evacuate`'s "unlink the overflow buckets": cuts the overflow link
    /// of chain head `head` and frees the chain's buckets that `push_overflow`
    /// took from the allocator. Returns the bytes freed.
    ///
    /// # Safety
    /// `head` is a primary bucket of this array whose chain was just
    /// evacuated: its slots are all marked evacuated and hold no live entry,
    /// and nothing reads past the head again (I4, I10).
    pub(crate) unsafe fn unlink_overflow(&mut self, head: NonNull<Bucket<K, V, L>>) -> usize {
        // SAFETY: the caller's guarantee, passed on.
        let freed = unsafe { self.free_chain_spills(head) } * spill_layout::<K, V, L>().0.size();
        self.pages.spills_freed(freed);
        freed
    }

    /// Frees the buckets of the chain at `head` that `push_overflow` took
    /// from the allocator (those outside the allocation) and cuts `head`'s
    /// link. Returns how many were freed. A chain that links nothing (most
    /// chains) is only read, so its head's cache line is not dirtied. The
    /// one chain walk not made with `ChainWalk`: it frees buckets as it
    /// goes, so it reads each link before freeing the bucket that holds it,
    /// where `ChainWalk` reads a link when it moves past the bucket.
    ///
    /// # Safety
    /// `head` is a primary bucket of this array whose chain is intact (I6)
    /// and holds no entry that is used again.
    #[inline]
    unsafe fn free_chain_spills(&mut self, head: NonNull<Bucket<K, V, L>>) -> usize {
        // SAFETY: caller: `head` is live.
        let mut next = unsafe { overflow(head) };
        if next.is_none() {
            return 0;
        }
        let mut freed = 0;
        // SAFETY: caller: the chain's links are valid and each bucket is
        // linked once (I6), and a bucket outside this allocation was
        // allocated alone by `push_overflow` with `alloc_bucket` and
        // `spill_layout`, at its offset (I6), so `free_bucket` may free its
        // allocation. Each link is read before the bucket holding it is
        // freed, and the head's link is cut last, so nothing reaches the
        // freed buckets.
        unsafe {
            let (layout, offset) = spill_layout::<K, V, L>();
            while let Some(b) = next {
                next = overflow(b);
                if !self.contains(b) {
                    free_bucket(b.cast::<u8>().sub(offset), layout);
                    freed += 1;
                }
            }
            (*head.as_ptr()).overflow = ptr::null_mut();
        }
        self.spilled -= freed;
        freed
    }

    /// After every chain was released: gives back the next run of pages
    /// above what was released so far, per region (the pool, and the
    /// primary tail not given back yet). Returns what was given back and
    /// whether less than a run remains, at which point the caller frees
    /// the array.
    ///
    /// # Safety
    /// Every chain is evacuated and released (`released_chains() == len()`),
    /// so nothing in the array is read again, and no spilled bucket remains.
    pub(crate) unsafe fn release_tail(&mut self) -> (GivenBack, bool) {
        debug_assert!(self.released_chains() == self.len() && self.spilled == 0);
        // Up to the last bucket handed out: the extension's untouched pages
        // hold nothing to give back.
        let used = self.total.max(self.next_pool);
        let regions = self.regions();
        // SAFETY: the caller's guarantee; `used <= capacity` buckets are
        // inside the allocation.
        unsafe { self.pages.release_tail(&regions, used) }
    }

    /// Frees the overflow buckets that `push_overflow` took from the allocator
    /// (those outside the array), cutting the head links that reached them.
    ///
    /// # Safety
    /// No entry in those buckets is used again, and the caller frees or zeroes
    /// the array before any chain is walked again.
    unsafe fn free_spilled(&mut self) {
        // Chains below `released_chains` have no spilled buckets left, and
        // their pages may be given back: not reading them avoids faulting
        // those pages in again (I10).
        for i in self.released_chains()..self.len() {
            if self.spilled == 0 {
                return;
            }
            // SAFETY: `i < len()`, so `bucket(i)` is a primary bucket; its
            // chain is intact (I6: only chains below `released_chains` were
            // cut, and they have no spilled buckets left) and the caller
            // gives up its entries.
            unsafe { self.free_chain_spills(self.bucket(i)) };
        }
    }

    /// Frees the array and every separately allocated overflow bucket
    /// reachable from its chains, without dropping any key or value.
    /// Returns the system calls made (an array mapped directly is unmapped:
    /// what is left of it, once parts were given back).
    ///
    /// # Safety
    /// No key or value still live in the array will be used again (they were
    /// moved out, or the caller accepts leaking them).
    pub(crate) unsafe fn free(&mut self) -> u32 {
        if !self.is_allocated() {
            return 0;
        }
        // SAFETY: caller: nothing in the array is used again.
        unsafe { self.free_spilled() };
        let (layout, buckets_at) =
            Self::layout(self.capacity).expect("layout was valid at allocation");
        // SAFETY: the allocation starts `buckets_at` bytes before bucket 0
        // (`allocate`).
        let start = unsafe { self.ptr.cast::<u8>().sub(buckets_at) };
        let calls = if self.pages.page_bytes() > 0 && maps_directly(layout.size()) {
            let rest = self
                .pages
                .rest(&self.regions(), start.as_ptr(), layout.size());
            // SAFETY: the mapping `alloc_array` made for `layout` less the
            // runs `give_back` unmapped is exactly `rest` (`Pages::rest`);
            // the caller gives up its contents.
            unsafe { free_array_rest(&rest) }
        } else {
            // SAFETY: `start` came from `alloc_array` with this layout (and
            // nothing of it was unmapped); the caller gives up its contents.
            unsafe { free_array(start, layout) };
            alloc_syscalls(layout.size(), false)
        };
        *self = Self::unallocated();
        calls
    }

    /// Go `mapclear` on one array: frees separately allocated overflow
    /// buckets, zeroes every bucket in place (all slots `EMPTY_REST`, all links
    /// null) and makes the whole pool available again. `B` is kept.
    ///
    /// # Safety
    /// As for `free`: no live entry in the array is used again.
    pub(crate) unsafe fn reset(&mut self) {
        if !self.is_allocated() {
            return;
        }
        debug_assert_eq!(self.released_bytes(), 0, "only old arrays are released");
        let log2 = self.log2;
        // Every bucket handed out: the extension's beyond `next_pool` are
        // still untouched zeroes. (Its used pages stay resident, and are
        // handed out again first.)
        let (ptr, used) = (self.ptr, self.total.max(self.next_pool));
        // SAFETY: caller: nothing in the array is used again; the links left
        // dangling by this are zeroed just below.
        unsafe { self.free_spilled() };
        // SAFETY: `used <= capacity` buckets were allocated at `ptr`, and as
        // many dense words at `words` in the split layout; all-zero bytes
        // are a valid empty bucket (EMPTY_REST = 0, null link, uninit
        // slots).
        unsafe {
            ptr::write_bytes(ptr.as_ptr(), 0, used);
            L::zero_words(self.words.as_ptr(), used);
        }
        self.next_pool = 1 << log2;
        self.linked_overflow = 0;
        self.spilled = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::DefaultLayout;

    type Array = BucketArray<u64, u64, DefaultLayout>;

    /// Go's array: `2^B` buckets and a pool of `2^(B-4)` from `B = 4`;
    /// overflow buckets come from the pool, then (mapped arrays and Miri)
    /// the pool's extension, then the allocator, each counted once; a
    /// chain's spilled buckets are freed with its evacuation.
    #[test]
    fn overflow_buckets_come_from_the_pool_then_the_extension_then_the_heap() {
        let mut a = Array::allocate(4, &crate::Policy::go()).unwrap();
        assert_eq!((a.len(), a.total, a.next_pool), (16, 17, 16));
        let extension = a.capacity - a.total;
        let go_part = Array::layout(17).unwrap().0.size();
        assert_eq!(extension, if has_extension(go_part) { 3 } else { 0 });
        let held = a.bytes();
        // SAFETY: bucket 0 is a primary bucket of the allocated array.
        let mut last = unsafe { a.bucket(0) };
        for i in 0..(1 + extension + 2) {
            // SAFETY: `last` ends chain 0 (each new bucket is linked after
            // it, link null).
            let (b, bytes) = unsafe { a.push_overflow(last) };
            let from_pool = i == 0;
            assert_eq!(bytes == 0, from_pool, "bucket {i}: {bytes} bytes");
            assert_eq!(a.contains(b), i < 1 + extension, "bucket {i}");
            last = b;
        }
        assert_eq!(a.linked_overflow(), 1 + extension + 2);
        assert_eq!(a.spilled, 2);
        assert!(a.bytes() > held);
        assert_eq!(a.first_dirty_unused_pool_bucket(), None);
        // `clear`: the spilled buckets are freed, the pool handed out anew.
        // SAFETY: no entry lives in the array.
        unsafe { a.reset() };
        assert_eq!((a.next_pool, a.linked_overflow(), a.spilled), (16, 0, 0));
        assert!(a.is_pristine());
        // An old chain's evacuation: its spilled buckets go back with it.
        // SAFETY: bucket 0 is a primary bucket of the allocated array.
        let mut last = unsafe { a.bucket(0) };
        for _ in 0..(1 + extension + 2) {
            // SAFETY: `last` ends chain 0, as above.
            last = unsafe { a.push_overflow(last) }.0;
        }
        // SAFETY: chain 0 holds no entry; nothing reads past its head.
        let freed = unsafe { a.unlink_overflow(a.bucket(0)) };
        let spilled = 2 * spill_layout::<u64, u64, DefaultLayout>().0.size();
        assert_eq!(
            (freed, a.released_bytes(), a.spilled),
            (spilled, spilled, 0)
        );
        // SAFETY: as above.
        unsafe { a.free() };
        assert!(!a.is_allocated());
    }

    #[test]
    fn impossible_sizes_are_refused() {
        assert!(matches!(
            Array::allocate(MAX_LOG2 + 1, &crate::Policy::go()),
            Err(TryReserveError::CapacityOverflow)
        ));
    }
}
