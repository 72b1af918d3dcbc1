//! The memory layer: the one place in the crate that asks the allocator or
//! the operating system for memory, or gives it back.
//!
//! Bucket arrays of [`MAP_DIRECT_BYTES`] or more are mapped directly from
//! the kernel on Linux (`mmap`), whose fresh pages are zero: allocation is
//! O(1) and each page is zeroed on first touch, spread over the writes that
//! follow. Smaller arrays, single overflow buckets, Miri and other platforms
//! use the global allocator's `alloc_zeroed`. (glibc's `calloc` also maps
//! large blocks, but its threshold rises to the size of any mapped block
//! freed, up to 32 MiB; below it, `calloc` serves the heap and `memset`s
//! reused memory inside the insert that starts the growth.)
//!
//! Pages of an array that will never be read again can be given back early
//! ([`give_back`]): the kernel is told it no longer needs them
//! (`madvise(MADV_DONTNEED)`), and a directly mapped array is also unmapped
//! part by part (`munmap` of a part of the mapping frees, once a whole 2 MiB
//! of address space is gone, its page table, so that no later free has to
//! tear down page tables for the whole array); a heap block stays the
//! allocator's. On platforms without either (and under Miri,
//! which cannot model them) [`page_size`] is `None` and memory goes back
//! only when the array is freed. Every system call is counted by the
//! callers (`SYSCALLS_*`), for the per-operation maxima of the instruments.

use core::alloc::Layout;
use core::ptr::NonNull;
use std::alloc;

/// Arrays this large or larger are mapped directly on Linux (see the
/// module docs): a heap block this large is zeroed, its pages faulted
/// in, inside the insert that allocates it (36 µs for a 147 KiB array,
/// the least of three processes, `lab attribute`). Smaller ones are cheap to zero and come from
/// the allocator without a system call, and each mapping counts against
/// the process's `vm.max_map_count` (65,530 by default), so thousands of
/// small maps must not take one each (a map maps one array at this size
/// from about 1,500 `u64` entries on).
pub(super) const MAP_DIRECT_BYTES: usize = 64 << 10;

/// True if an array of `bytes` is (and was) mapped directly: one predicate
/// decides both allocation and free.
#[inline]
pub(super) fn maps_directly(bytes: usize) -> bool {
    cfg!(all(target_os = "linux", not(miri))) && bytes >= MAP_DIRECT_BYTES
}

/// Size of a transparent huge page on x86-64 and most aarch64 kernels:
/// the alignment of a mapping that asks for them.
const HUGE_PAGE_BYTES: usize = 2 << 20;

/// Zeroed memory for a bucket array of `layout`, mapped directly if
/// [`maps_directly`] says so; `None` if the allocator or the kernel refuses.
/// With `huge_pages`, a direct mapping of at least one huge page is
/// aligned to [`HUGE_PAGE_BYTES`] and marked `MADV_HUGEPAGE`
/// (`Policy::with_huge_pages`). Free it with [`free_array`] and the same
/// layout.
///
/// # Panics
///
/// Never for a valid layout; `layout.size()` must be non-zero (checked in
/// debug builds: a bucket is never zero-sized).
pub(super) fn alloc_array(layout: Layout, huge_pages: bool) -> Option<NonNull<u8>> {
    debug_assert!(layout.size() > 0, "bucket arrays are never zero-sized");
    let raw = if maps_directly(layout.size()) {
        // SAFETY: non-zero size (`maps_directly` needs MAP_DIRECT_BYTES).
        unsafe {
            map_zeroed(
                layout.size(),
                huge_pages && layout.size() >= HUGE_PAGE_BYTES,
            )
        }
    } else {
        // SAFETY: `alloc_zeroed` needs a non-zero size: a bucket holds at
        // least 8 tophash bytes and a pointer, so `layout` is never empty.
        unsafe { alloc::alloc_zeroed(layout) }
    };
    NonNull::new(raw)
}

/// Frees what [`alloc_array`] returned.
///
/// # Safety
///
/// `ptr` was returned by `alloc_array(layout)` with this same `layout`, is
/// not freed yet, and nothing in it is used again.
pub(super) unsafe fn free_array(ptr: NonNull<u8>, layout: Layout) {
    if maps_directly(layout.size()) {
        // SAFETY: caller: `ptr` came from `map_zeroed(layout.size())` (the
        // same predicate chose the mapping), unused from now on.
        unsafe { unmap(ptr.as_ptr(), layout.size()) };
    } else {
        // SAFETY: caller: `ptr` came from `alloc_zeroed(layout)`.
        unsafe { alloc::dealloc(ptr.as_ptr(), layout) };
    }
}

/// One zeroed overflow bucket of `layout` from the allocator. Aborts
/// through `handle_alloc_error` if the allocator fails, as `Box::new` does
/// (an overflow bucket is needed in the middle of a write).
pub(super) fn alloc_bucket(layout: Layout) -> NonNull<u8> {
    // SAFETY: a bucket has non-zero size (8 tophash bytes and a pointer).
    let raw = unsafe { alloc::alloc_zeroed(layout) };
    NonNull::new(raw).unwrap_or_else(|| alloc::handle_alloc_error(layout))
}

/// Frees what [`alloc_bucket`] returned.
///
/// # Safety
///
/// `ptr` came from `alloc_bucket(layout)`, is not freed yet and is not used
/// again.
pub(super) unsafe fn free_bucket(ptr: NonNull<u8>, layout: Layout) {
    // SAFETY: caller: allocated by `alloc_zeroed` with this layout.
    unsafe { alloc::dealloc(ptr.as_ptr(), layout) };
}

/// True if pages can be given back early on this platform.
pub(crate) fn can_release() -> bool {
    page_size().is_some()
}

/// The OS page size, if pages can be given back early on this platform.
#[cfg(all(target_os = "linux", not(miri)))]
pub(super) fn page_size() -> Option<usize> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    let mut page = PAGE.load(Ordering::Relaxed);
    if page == 0 {
        // SAFETY: `sysconf` has no preconditions.
        let raw = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        page = usize::try_from(raw).ok().filter(|p| p.is_power_of_two())?;
        PAGE.store(page, Ordering::Relaxed);
    }
    Some(page)
}

/// Portable fallback (and Miri, which cannot model `madvise`): pages are
/// only given back when the whole array is freed.
#[cfg(not(all(target_os = "linux", not(miri))))]
pub(super) fn page_size() -> Option<usize> {
    None
}

/// System calls [`alloc_array`] makes for an array of `bytes` mapped
/// directly (`huge`: with huge pages): the `mmap`, and for huge pages the
/// trims and the advice.
pub(super) fn alloc_syscalls(bytes: usize, huge: bool) -> u32 {
    match (maps_directly(bytes), huge && bytes >= HUGE_PAGE_BYTES) {
        (false, _) => 0,
        (true, false) => 1,
        (true, true) => 4,
    }
}

/// Gives the pages of `[start, start + len)` back to the OS; true on
/// success. With `unmap` (only in an array mapped directly) the range is
/// unmapped: it must never be touched again, and freeing the array later
/// frees only what is left ([`free_array_rest`]). Otherwise the kernel
/// drops the pages (`MADV_DONTNEED`): the range stays mapped (or the
/// allocator's) and reads as zeros, and the array's free frees it. One
/// system call either way; advising is the cheaper (about half the time of
/// unmapping, `cargo run --release -p evacmap-lab --bin alloc_cost`),
/// unmapping also frees the page tables of the 2 MiB blocks the range
/// completes.
///
/// # Safety
///
/// `[start, start + len)` is whole pages (see [`page_size`]) inside an
/// array from [`alloc_array`] that the caller owns (mapped directly if
/// `unmap`, and the range still mapped), holding nothing that is read or
/// written again, with no reference into it alive.
#[cfg(all(target_os = "linux", not(miri)))]
pub(super) unsafe fn give_back(start: *mut u8, len: usize, unmap: bool) -> bool {
    // SAFETY: caller: owned, page-aligned, never used again; only a mapping
    // of our own is unmapped.
    unsafe {
        if unmap {
            libc::munmap(start.cast(), len) == 0
        } else {
            libc::madvise(start.cast(), len, libc::MADV_DONTNEED) == 0
        }
    }
}

/// Without early release ([`page_size`] is `None`) nobody calls this.
#[cfg(not(all(target_os = "linux", not(miri))))]
pub(super) unsafe fn give_back(_start: *mut u8, _len: usize, _unmap: bool) -> bool {
    false
}

/// Frees what is left of an array mapped directly after parts of it were
/// unmapped by [`give_back`]: the ranges `rest` (empty ones skipped), one
/// `munmap` each. Returns the system calls made.
///
/// # Safety
///
/// Each range lies inside the mapping `alloc_array` made, is still
/// mapped, holds nothing used again, and together they are all of the
/// mapping that is left.
pub(super) unsafe fn free_array_rest(rest: &[(*mut u8, usize)]) -> u32 {
    let mut calls = 0;
    for &(start, len) in rest.iter().filter(|r| r.1 > 0) {
        // SAFETY: caller: a mapped range of our own, unused from now on.
        unsafe { unmap(start, len) };
        calls += 1;
    }
    calls
}

/// Fresh zeroed pages from the kernel (`mmap` of anonymous memory), or null
/// if the mapping fails. With `huge`, the mapping starts on a huge-page
/// boundary (a larger mapping is trimmed to `len` at an aligned start) and
/// is marked `MADV_HUGEPAGE`; if the kernel refuses the advice, the
/// mapping is kept with normal pages.
///
/// # Safety
///
/// `len > 0`.
#[cfg(all(target_os = "linux", not(miri)))]
unsafe fn map_zeroed(len: usize, huge: bool) -> *mut u8 {
    let map = |len: usize| {
        // SAFETY: an anonymous private mapping at an address of the
        // kernel's choosing touches no existing memory; `len > 0` (caller).
        let p = unsafe {
            libc::mmap(
                core::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        (p != libc::MAP_FAILED).then_some(p.cast::<u8>())
    };
    if !huge {
        return map(len).unwrap_or(core::ptr::null_mut());
    }
    let Some(page) = page_size() else {
        return core::ptr::null_mut(); // unreachable: Linux has a page size
    };
    let len = len.next_multiple_of(page);
    let Some(total) = len.checked_add(HUGE_PAGE_BYTES) else {
        return core::ptr::null_mut();
    };
    let Some(p) = map(total) else {
        return core::ptr::null_mut();
    };
    let head = p.align_offset(HUGE_PAGE_BYTES);
    let tail = total - head - len;
    // SAFETY: `[p, p + total)` is the mapping just made, owned here and
    // unused; `head` and `tail` are whole pages (both `p` and `len` are
    // page-aligned, and so is a 2 MiB boundary), and what stays mapped is
    // `[p + head, p + head + len)`, which `unmap(start, len)` frees later.
    // The advice only changes how the kernel backs the pages; a refusal
    // (THP compiled out) leaves normal pages.
    unsafe {
        let start = p.add(head);
        if head > 0 {
            libc::munmap(p.cast(), head);
        }
        if tail > 0 {
            libc::munmap(start.add(len).cast(), tail);
        }
        libc::madvise(start.cast(), len, libc::MADV_HUGEPAGE);
        start
    }
}

/// Unmaps what `map_zeroed` mapped.
///
/// # Safety
///
/// `start` was returned by `map_zeroed(len)`, and nothing in it is used
/// again.
#[cfg(all(target_os = "linux", not(miri)))]
unsafe fn unmap(start: *mut u8, len: usize) {
    // SAFETY: caller: our own mapping of exactly `len` bytes, unused from now.
    let r = unsafe { libc::munmap(start.cast(), len) };
    debug_assert_eq!(r, 0, "munmap of our own mapping failed");
}

#[cfg(not(all(target_os = "linux", not(miri))))]
unsafe fn map_zeroed(_len: usize, _huge: bool) -> *mut u8 {
    unreachable!("maps_directly is false off Linux and under Miri")
}

#[cfg(not(all(target_os = "linux", not(miri))))]
unsafe fn unmap(_start: *mut u8, _len: usize) {
    unreachable!("maps_directly is false off Linux and under Miri")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A huge-page array is aligned to a huge page where mappings are made,
    /// zeroed, and freed like any other.
    #[test]
    fn huge_page_arrays_are_aligned_zeroed_and_freed() {
        for (len, huge) in [(5 << 20, true), (5 << 20, false), (3 << 20 | 8, true)] {
            let layout = Layout::from_size_align(len, 8).unwrap();
            let p = alloc_array(layout, huge).expect("allocation");
            if huge && maps_directly(len) {
                assert_eq!(p.as_ptr().align_offset(HUGE_PAGE_BYTES), 0, "{len}");
            }
            // SAFETY: `p` holds `len` zeroed, writable bytes, owned here.
            unsafe {
                let bytes = core::slice::from_raw_parts_mut(p.as_ptr(), len);
                assert!(bytes.iter().step_by(4093).all(|&b| b == 0));
                bytes[len - 1] = 1;
                free_array(p, layout);
            }
        }
    }
}
