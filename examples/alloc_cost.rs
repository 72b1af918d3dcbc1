//! What a growth's allocation costs: `alloc_zeroed` of a bucket-array-sized
//! block (O(1) for large sizes: fresh zero pages from the kernel) against
//! touching every page of it once (the cost that is spread over the writes
//! that follow), and `dealloc` of the touched block (the final free of an
//! old array, paid in one call).
//!
//! On Linux it also times `madvise(MADV_DONTNEED)` on touched runs of
//! pages of several sizes: what the progressive release of an old array
//! pays per call.
//!
//! Run: `cargo run --release --example alloc_cost`. Prints medians of 5 runs.

// This example measures the allocator itself, so it calls it directly.
#![allow(unsafe_code)]

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    const PAGE: usize = 4096;
    println!(
        "{:>10} {:>14} {:>16} {:>12}",
        "bytes", "alloc_zeroed", "touch all pages", "dealloc"
    );
    for mib in [1usize, 16, 64, 256, 1024] {
        let size = mib << 20;
        let layout = Layout::from_size_align(size, 8).unwrap();
        let (mut a, mut t, mut d) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..5 {
            let start = Instant::now();
            // SAFETY: non-zero size.
            let p = unsafe { alloc_zeroed(layout) };
            a.push(start.elapsed().as_secs_f64());
            assert!(!p.is_null());
            let start = Instant::now();
            for off in (0..size).step_by(PAGE) {
                // SAFETY: `off < size`, inside the allocation.
                unsafe { p.add(off).write_volatile(1) };
            }
            t.push(start.elapsed().as_secs_f64());
            let start = Instant::now();
            // SAFETY: allocated above with this layout.
            unsafe { dealloc(p, layout) };
            d.push(start.elapsed().as_secs_f64());
        }
        let us = |v: Vec<f64>| format!("{:.1} us", median(v) * 1e6);
        println!("{:>7} MiB {:>14} {:>16} {:>12}", mib, us(a), us(t), us(d));
    }
    madvise_cost();
}

/// Median and maximum time of one `madvise(MADV_DONTNEED)` call on a run of
/// `pages` touched pages, over a 256 MiB block released run by run (as the
/// cursor releases an old array).
#[cfg(target_os = "linux")]
fn madvise_cost() {
    const PAGE: usize = 4096;
    let size = 256usize << 20;
    let layout = Layout::from_size_align(size, PAGE).unwrap();
    println!(
        "\n{:>12} {:>12} {:>12} {:>10}",
        "run", "median", "max", "calls"
    );
    for pages in [1usize, 4, 16, 64, 256] {
        // SAFETY: non-zero size.
        let p = unsafe { alloc_zeroed(layout) };
        assert!(!p.is_null());
        for off in (0..size).step_by(PAGE) {
            // SAFETY: `off < size`, inside the allocation.
            unsafe { p.add(off).write_volatile(1) };
        }
        let run = pages * PAGE;
        let mut times = Vec::new();
        for off in (0..size).step_by(run) {
            let start = Instant::now();
            // SAFETY: page-aligned run inside the block, never read again.
            let rc = unsafe { libc::madvise(p.add(off).cast(), run, libc::MADV_DONTNEED) };
            times.push(start.elapsed().as_secs_f64());
            assert_eq!(rc, 0);
        }
        let calls = times.len();
        let max = times.iter().copied().fold(0.0, f64::max);
        println!(
            "{:>8} KiB {:>9.2} us {:>9.1} us {:>10}",
            run >> 10,
            median(times) * 1e6,
            max * 1e6,
            calls
        );
        // SAFETY: allocated above with this layout.
        unsafe { dealloc(p, layout) };
    }
}

#[cfg(not(target_os = "linux"))]
fn madvise_cost() {}
