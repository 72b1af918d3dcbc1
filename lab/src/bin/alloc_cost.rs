//! What a growth's allocation costs: a zeroed allocation of a
//! bucket-array-sized block (`vec![0u8; n]`, which asks the allocator for
//! zeroed memory: O(1) for large sizes, fresh zero pages from the kernel)
//! against touching every page of it once (the cost that is spread over the
//! writes that follow), and freeing the touched block (the final free of
//! an old array, paid in one call), touched or with its pages given back
//! first (as the cursor gives back an old array's pages before the free).
//!
//! On Linux it also times `madvise(MADV_DONTNEED)` on touched runs of
//! pages of several sizes: what the progressive release of an old array
//! pays per call, with its tail (p99.9, maximum, calls over 100 µs); and
//! one 16 KiB run given back by `madvise` or by `munmap`, right after
//! another call (warm) or after 32 MiB of other memory was written (cold:
//! the caches and TLB as a map's writes leave them): what a write that
//! gives back a run pays, and why evacmap advises runs away and unmaps
//! only whole blocks, later.
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
        "{:>10} {:>14} {:>16} {:>12} {:>22}",
        "bytes", "alloc_zeroed", "touch all pages", "free", "free, pages given back"
    );
    for mib in [1usize, 16, 64, 256, 1024, 2048] {
        let size = mib << 20;
        let (mut a, mut t, mut d, mut r) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
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
            let mut block = black_box(vec![0u8; size]);
            touch(&mut block);
            give_back_runs(&mut block, 4 * PAGE);
            let start = Instant::now();
            drop(block);
            r.push(start.elapsed().as_secs_f64());
        }
        let us = |v: Vec<f64>| format!("{:.1} us", median(v) * 1e6);
        println!(
            "{:>7} MiB {:>14} {:>16} {:>12} {:>22}",
            mib,
            us(a),
            us(t),
            us(d),
            us(r)
        );
    }
    madvise_cost();
    warm_and_cold();
}

/// Gives the whole pages of `block` back (`MADV_DONTNEED`) in runs of
/// `run` bytes (a multiple of the page), as the cursor does to an old
/// array, and returns how long each call took (seconds). Elsewhere than on
/// Linux it gives nothing back and returns no times.
fn give_back_runs(block: &mut [u8], run: usize) -> Vec<f64> {
    let mut times = Vec::new();
    #[cfg(target_os = "linux")]
    {
        let skip = block.as_ptr().align_offset(PAGE);
        for chunk in block[skip..].chunks_exact_mut(run) {
            let start = Instant::now();
            // SAFETY: `chunk` is a page-aligned run of whole pages of a
            // block we own, borrowed uniquely; after DONTNEED it reads as
            // zeros, which is a valid `u8` slice, and the allocator's own
            // free later is unaffected (the range stays mapped).
            let rc = unsafe { libc::madvise(chunk.as_mut_ptr().cast(), run, libc::MADV_DONTNEED) };
            times.push(start.elapsed().as_secs_f64());
            assert_eq!(rc, 0, "madvise failed");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (block, run);
    times
}

#[cfg(target_os = "linux")]
fn madvise_cost() {
    let size = 1usize << 30;
    println!(
        "\n{:>12} {:>12} {:>12} {:>12} {:>12} {:>10}",
        "run", "median", "p99.9", "max", "over 100 us", "calls"
    );
    for pages in [1usize, 4, 16, 64, 256] {
        // One page more than needed, so that a page-aligned run of `size`
        // bytes fits inside.
        let mut block = vec![0u8; size + PAGE];
        let skip = block.as_ptr().align_offset(PAGE);
        let aligned = &mut block[skip..skip + size];
        touch(aligned);
        let run = pages * PAGE;
        let mut times = give_back_runs(aligned, run);
        let calls = times.len();
        let slow = times.iter().filter(|&&t| t > 100e-6).count();
        times.sort_by(f64::total_cmp);
        let (p999, max) = (times[calls * 999 / 1000], times[calls - 1]);
        println!(
            "{:>8} KiB {:>9.2} us {:>9.1} us {:>9.1} us {:>12} {:>10}",
            run >> 10,
            median(times) * 1e6,
            p999 * 1e6,
            max * 1e6,
            slow,
            calls
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn madvise_cost() {}

/// One 16 KiB run of a touched mapping given back by `madvise` and by
/// `munmap`, warm (right after the same call on the run before) and cold
/// (after writing 32 MiB of other memory): medians and maxima of 101
/// calls each.
#[cfg(target_os = "linux")]
fn warm_and_cold() {
    const RUN: usize = 4 * PAGE;
    const TRIALS: usize = 101;
    let mut junk = vec![0u8; 32 << 20];
    println!(
        "\n{:>22} {:>12} {:>12} {:>12} {:>12}",
        "16 KiB run", "warm median", "warm max", "cold median", "cold max"
    );
    for (name, unmap) in [("madvise(DONTNEED)", false), ("munmap", true)] {
        let len = 2 * TRIALS * RUN;
        // SAFETY: an anonymous private mapping of our own, nothing else
        // in it; unmapped below (what the trials did not unmap).
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(base, libc::MAP_FAILED, "mmap failed");
        // SAFETY: `len` bytes mapped just above, ours alone.
        let block = unsafe { std::slice::from_raw_parts_mut(base.cast::<u8>(), len) };
        touch(block);
        let (mut warm, mut cold) = (Vec::new(), Vec::new());
        let give = |i: usize| {
            // SAFETY: run `i` is whole pages of our mapping, not given
            // back before, never read again.
            let p = unsafe { base.cast::<u8>().add(i * RUN) }.cast();
            let start = Instant::now();
            // SAFETY: as above.
            let rc = unsafe {
                if unmap {
                    libc::munmap(p, RUN)
                } else {
                    libc::madvise(p, RUN, libc::MADV_DONTNEED)
                }
            };
            assert_eq!(rc, 0, "{name} failed");
            start.elapsed().as_secs_f64()
        };
        for t in 0..TRIALS {
            junk.iter_mut()
                .step_by(64)
                .for_each(|b| *b = b.wrapping_add(1));
            black_box(&mut junk);
            cold.push(give(2 * t));
            warm.push(give(2 * t + 1));
        }
        if !unmap {
            // SAFETY: our mapping, whole, nothing in it used again.
            unsafe { libc::munmap(base, len) };
        }
        let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max) * 1e6;
        let (wm, cm) = (max(&warm), max(&cold));
        println!(
            "{:>22} {:>9.1} us {:>9.1} us {:>9.1} us {:>9.1} us",
            name,
            median(warm) * 1e6,
            wm,
            median(cold) * 1e6,
            cm
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn warm_and_cold() {}
