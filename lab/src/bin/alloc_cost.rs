//! What a growth's allocation costs: a zeroed allocation of a
//! bucket-array-sized block (`vec![0u8; n]`, which asks the allocator for
//! zeroed memory: O(1) for large sizes, fresh zero pages from the kernel)
//! against touching every page of it once (the cost that is spread over the
//! writes that follow), and freeing the touched block (the final free of
//! an old array, paid in one call).
//!
//! On Linux it also times `madvise(MADV_DONTNEED)` on touched runs of
//! pages of several sizes: what the progressive release of an old array
//! pays per call.
//!
//! Run: `cargo run --release -p evacmap-lab --bin alloc_cost`. Prints
//! medians of 5 runs.
// `madvise` is the one call here with no safe wrapper that fits: it is
// what the measurement is about.
#![cfg_attr(target_os = "linux", allow(unsafe_code))]

use std::hint::black_box;
use std::time::Instant;

const PAGE: usize = 4096;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Writes one byte in every page.
fn touch(block: &mut [u8]) {
    for off in (0..block.len()).step_by(PAGE) {
        block[off] = 1;
    }
    black_box(&mut *block);
}

fn main() {
    println!(
        "{:>10} {:>14} {:>16} {:>12}",
        "bytes", "alloc_zeroed", "touch all pages", "free"
    );
    for mib in [1usize, 16, 64, 256, 1024] {
        let size = mib << 20;
        let (mut a, mut t, mut d) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..5 {
            let start = Instant::now();
            let mut block = black_box(vec![0u8; size]);
            a.push(start.elapsed().as_secs_f64());
            let start = Instant::now();
            touch(&mut block);
            t.push(start.elapsed().as_secs_f64());
            let start = Instant::now();
            drop(block);
            d.push(start.elapsed().as_secs_f64());
        }
        let us = |v: Vec<f64>| format!("{:.1} us", median(v) * 1e6);
        println!("{:>7} MiB {:>14} {:>16} {:>12}", mib, us(a), us(t), us(d));
    }
    madvise_cost();
}

#[cfg(target_os = "linux")]
fn madvise_cost() {
    let size = 256usize << 20;
    println!(
        "\n{:>12} {:>12} {:>12} {:>10}",
        "run", "median", "max", "calls"
    );
    for pages in [1usize, 4, 16, 64, 256] {
        // One page more than needed, so that a page-aligned run of `size`
        // bytes fits inside.
        let mut block = vec![0u8; size + PAGE];
        let skip = block.as_ptr().align_offset(PAGE);
        let aligned = &mut block[skip..skip + size];
        touch(aligned);
        let run = pages * PAGE;
        let mut times = Vec::new();
        for chunk in aligned.chunks_exact_mut(run) {
            let start = Instant::now();
            // SAFETY: `chunk` is a page-aligned run of whole pages of a
            // block we own, borrowed uniquely; after DONTNEED it reads as
            // zeros, which is a valid `u8` slice, and the allocator's own
            // free later is unaffected (the range stays mapped).
            let rc = unsafe { libc::madvise(chunk.as_mut_ptr().cast(), run, libc::MADV_DONTNEED) };
            times.push(start.elapsed().as_secs_f64());
            assert_eq!(rc, 0, "madvise failed");
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
    }
}

#[cfg(not(target_os = "linux"))]
fn madvise_cost() {}
