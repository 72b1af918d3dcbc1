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
//! with `madvise(MADV_DONTNEED)` ([`give_back`]); on platforms without it
//! (and under Miri, which cannot model it) [`page_size`] is `None` and
//! memory goes back only when the array is freed.

use core::alloc::Layout;
use core::ptr::NonNull;
use std::alloc;

/// Arrays this large or larger are mapped directly on Linux (see the
/// module docs). Smaller ones are cheap to zero and come from the
/// allocator without a system call, and each mapping counts against the
/// process's `vm.max_map_count` (65,530 by default), so thousands of small
/// maps must not take one each.
pub(super) const MAP_DIRECT_BYTES: usize = 256 << 10;

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

/// Gives the pages of `[start, start + len)` back to the OS
/// (`madvise(MADV_DONTNEED)`); true on success. The range stays mapped and
/// reads as zeros if touched again, so freeing the array later with
/// [`free_array`] is unaffected.
///
/// # Safety
///
/// `[start, start + len)` is whole pages (see [`page_size`]) inside an
/// array from [`alloc_array`] that the caller owns, holding nothing that is
/// read again, with no reference into it alive.
#[cfg(all(target_os = "linux", not(miri)))]
pub(super) unsafe fn give_back(start: *mut u8, len: usize) -> bool {
    // SAFETY: caller: owned, page-aligned, never read again.
    unsafe { libc::madvise(start.cast(), len, libc::MADV_DONTNEED) == 0 }
}

/// Without early release ([`page_size`] is `None`) nobody calls this.
#[cfg(not(all(target_os = "linux", not(miri))))]
pub(super) unsafe fn give_back(_start: *mut u8, _len: usize) -> bool {
    false
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
