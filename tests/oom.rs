//! Running out of memory, in child processes under an address-space limit
//! (`setrlimit(RLIMIT_AS)`, Linux).
//!
//! A test without libtest's harness (`harness = false` in `Cargo.toml`):
//! `main` runs this binary again with a scenario in `EVACMAP_OOM` for each
//! case, and the child runs it on its main thread with nothing else
//! allocating beside it. The child builds a map up to the brink of an
//! allocation, then limits its address space to what it maps (bucket
//! arrays of 64 KiB or more are mapped directly, so theirs fails) and arms
//! this test's global allocator to refuse every request (an address-space
//! limit alone does not stop a heap that still has free blocks: glibc
//! keeps them), then makes the call. The parent checks how the child
//! ended:
//!
//! | call | when memory runs out |
//! |---|---|
//! | an insert that starts a growth | aborts through `handle_alloc_error` (the new array's size in the message) |
//! | the insert at 7/8 of the load limit that allocates the next array ahead | goes on without it; the doubling asks again |
//! | an insert in the middle of a growth, or when the overflow pool is used up | aborts through `handle_alloc_error` (one bucket) |
//! | `clone`, `reserve`, `extend` | abort through `handle_alloc_error` |
//! | `try_reserve` | returns `TryReserveError::AllocError`; the map keeps its entries, whole, with the doublings that succeeded; `CapacityOverflow` for more entries than an array can hold |
//! | `shrink_to_fit`, `shrink_to` | do nothing (shrinking is an optimisation) |
//!
//! As for std's maps, nothing is half-done: after a refused `try_reserve`
//! or shrink the map passes `check_invariants` and keeps working.
// Refusing allocations (a `GlobalAlloc`) and limiting the address space
// (`setrlimit`) take `unsafe`; the map under test is used safely.
#![allow(unsafe_code)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Weak, Weakness};
use evacmap::{EvacMap, Policy, ShardedEvacMap, TryReserveError};

/// Bytes of one `u64 -> u64` bucket in Go's layout: 8 tophash bytes, 8
/// keys, 8 values, the overflow link.
const BUCKET: usize = 8 + 8 * 8 + 8 * 8 + 8;

/// Bytes of a directly mapped array of `2^log2` buckets: primary buckets,
/// Go's pool of `2^(log2-4)` and the pool's extension of three more pools
/// (`raw/array.rs`).
fn mapped_array_bytes(log2: u32) -> usize {
    ((1 << log2) + 4 * (1 << (log2 - 4))) * BUCKET
}

/// How a child ended.
struct Ending {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_child(scenario: &str) -> Ending {
    let out = Command::new(std::env::current_exe().unwrap())
        .env("EVACMAP_OOM", scenario)
        .output()
        .unwrap();
    Ending {
        code: out.status.code(),
        signal: out.status.signal(),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// The child reached the call (it printed `at the brink`) and aborted
/// through `handle_alloc_error` with `message` (SIGABRT).
fn assert_aborts(scenario: &str, message: &str) {
    let e = run_child(scenario);
    assert!(
        e.stdout.contains("at the brink"),
        "{scenario}: never got there:\n{}{}",
        e.stdout,
        e.stderr
    );
    assert!(
        !e.stdout.contains("ended before"),
        "{scenario}: {}",
        e.stdout
    );
    assert_eq!(
        e.signal,
        Some(libc::SIGABRT),
        "{scenario}: {:?}\n{}",
        e.code,
        e.stderr
    );
    assert!(
        e.stderr.contains(message),
        "{scenario}: expected {message:?} in:\n{}",
        e.stderr
    );
    assert!(!e.stderr.contains("panicked"), "{scenario}: {}", e.stderr);
}

/// The child ran to the end and exited 0.
fn assert_survives(scenario: &str) {
    let e = run_child(scenario);
    assert_eq!(e.code, Some(0), "{scenario}:\n{}{}", e.stdout, e.stderr);
    assert!(e.stdout.contains("survived"), "{scenario}:\n{}", e.stdout);
}

fn growth_start_aborts_with_the_array_size() {
    // 2^15 buckets hold 212,992 entries; the next insert asks for 2^16.
    let message = format!(
        "memory allocation of {} bytes failed",
        mapped_array_bytes(16)
    );
    assert_aborts("growth_start", &message);
}

/// With the next array allocated ahead (the default), the insert at 7/8
/// of the load limit asks for it: refused, the insert goes on without it,
/// and the doubling asks again, and aborts, when the limit is reached.
fn a_refused_array_ahead_is_asked_for_again_at_the_limit() {
    let message = format!(
        "memory allocation of {} bytes failed",
        mapped_array_bytes(16)
    );
    assert_aborts("array_ahead", &message);
    let e = run_child("array_ahead");
    assert!(
        e.stdout.contains("the insert at 7/8 went on without it"),
        "{}",
        e.stdout
    );
}

fn an_insert_mid_growth_that_needs_memory_aborts() {
    // An overflow bucket: a table this small has no pool.
    assert_aborts(
        "mid_growth",
        &format!("memory allocation of {BUCKET} bytes failed"),
    );
}

fn an_insert_past_the_overflow_pool_aborts() {
    assert_aborts(
        "pool_overflow",
        &format!("memory allocation of {BUCKET} bytes failed"),
    );
}

fn clone_aborts() {
    assert_aborts(
        "clone",
        &format!(
            "memory allocation of {} bytes failed",
            mapped_array_bytes(15)
        ),
    );
}

fn reserve_and_extend_abort_and_try_reserve_reports() {
    assert_aborts("reserve", "memory allocation of");
    assert_aborts("extend", "memory allocation of");
    assert_survives("try_reserve");
    assert_survives("try_reserve_part_way");
    assert_survives("try_reserve_overflow");
}

fn shrinking_without_memory_does_nothing() {
    assert_survives("shrink_to_fit");
}

fn a_sharded_insert_that_starts_a_growth_aborts() {
    assert_aborts("sharded", "memory allocation of");
}

/// The global allocator of this test: the system's, until armed; then it
/// refuses every allocation, as an allocator out of memory does.
struct Refusing;

static REFUSE: AtomicBool = AtomicBool::new(false);

// SAFETY: forwards to `System` (whose contract it keeps) or returns null,
// which `GlobalAlloc` allows for any allocation.
unsafe impl GlobalAlloc for Refusing {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if REFUSE.load(Ordering::Relaxed) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if REFUSE.load(Ordering::Relaxed) {
            return std::ptr::null_mut();
        }
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if REFUSE.load(Ordering::Relaxed) {
            return std::ptr::null_mut();
        }
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Refusing = Refusing;

/// From now on no memory: the address space is limited to what the
/// process maps now (so a bucket array, which evacmap maps directly, cannot
/// be mapped), and the allocator refuses every request (a heap that still
/// has free blocks would serve small requests under an address-space limit
/// alone: glibc keeps freed blocks, and merges them lazily).
fn exhaust() {
    limit_address_space(0);
    REFUSE.store(true, Ordering::Relaxed);
}

/// Limits the address space to what the process maps now plus `spare`
/// bytes.
fn limit_address_space(spare: u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: u64 = status
        .lines()
        .find(|l| l.starts_with("VmSize:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap();
    let limit = libc::rlimit {
        rlim_cur: kib * 1024 + spare,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: setrlimit with a valid pointer to an initialised struct.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) }, 0);
}

/// Memory again: the allocator serves, the limit is lifted.
fn restore() {
    REFUSE.store(false, Ordering::Relaxed);
    let limit = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: as in `exhaust`.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) }, 0);
}

fn brink() {
    use std::io::Write;
    println!("at the brink");
    std::io::stdout().flush().unwrap();
}

/// The parent runs every case; a child (`EVACMAP_OOM` set) its scenario.
fn main() {
    if !cfg!(target_os = "linux") || cfg!(miri) {
        println!("oom: skipped (address-space limits are tested on Linux, outside Miri)");
        return;
    }
    if let Ok(scenario) = std::env::var("EVACMAP_OOM") {
        return child(&scenario);
    }
    let cases: [(&str, fn()); 8] = [
        (
            "growth_start_aborts_with_the_array_size",
            growth_start_aborts_with_the_array_size,
        ),
        (
            "a_refused_array_ahead_is_asked_for_again_at_the_limit",
            a_refused_array_ahead_is_asked_for_again_at_the_limit,
        ),
        (
            "an_insert_mid_growth_that_needs_memory_aborts",
            an_insert_mid_growth_that_needs_memory_aborts,
        ),
        (
            "an_insert_past_the_overflow_pool_aborts",
            an_insert_past_the_overflow_pool_aborts,
        ),
        ("clone_aborts", clone_aborts),
        (
            "reserve_and_extend_abort_and_try_reserve_reports",
            reserve_and_extend_abort_and_try_reserve_reports,
        ),
        (
            "shrinking_without_memory_does_nothing",
            shrinking_without_memory_does_nothing,
        ),
        (
            "a_sharded_insert_that_starts_a_growth_aborts",
            a_sharded_insert_that_starts_a_growth_aborts,
        ),
    ];
    for (name, case) in cases {
        case();
        println!("test {name} ... ok");
    }
}

/// A child: builds the scenario's map, exhausts memory, makes the call.
fn child(scenario: &str) {
    match scenario {
        "growth_start" => {
            // Arrays allocated when the doubling starts, as in Go.
            let policy = Policy::go().with_allocate_ahead(false);
            let mut map: EvacMap<u64, u64> = EvacMap::with_policy(policy);
            let mut i = 0;
            while map.len() < 212_992 {
                map.insert(i, i);
                i += 1;
            }
            map.finish_evacuation();
            assert_eq!(map.bucket_log2(), Some(15));
            brink();
            exhaust();
            map.insert(u64::MAX, 0);
        }
        "array_ahead" => {
            // 2^15 buckets: the next array is allocated ahead by the insert
            // that takes the map past 7/8 of 212,992 entries.
            let mut map: EvacMap<u64, u64> = EvacMap::new();
            let mut i = 0;
            while map.len() < 186_368 {
                map.insert(i, i);
                i += 1;
            }
            map.finish_evacuation();
            assert_eq!(map.bucket_log2(), Some(15));
            assert_eq!(map.instruments().stats().spare_bytes, 0);
            brink();
            exhaust();
            map.insert(i, i);
            i += 1;
            if map.instruments().stats().spare_bytes == 0 {
                println!("the array ahead was refused; the insert at 7/8 went on without it");
                std::io::Write::flush(&mut std::io::stdout()).unwrap();
            }
            while map.len() < 212_993 {
                map.insert(i, i);
                i += 1;
            }
        }
        "extend" => {
            let mut map: EvacMap<u64, u64> = (0..1000).map(|i| (i, i)).collect();
            brink();
            exhaust();
            map.extend((1000..10_000_000).map(|i| (i, i)));
        }
        "try_reserve_overflow" => {
            // More entries than any array can hold: refused before anything
            // is allocated, with memory to spare.
            let mut map: EvacMap<u64, u64> = (0..1000).map(|i| (i, i)).collect();
            for n in [usize::MAX, usize::MAX - 1000, usize::MAX / 2] {
                let err = map.try_reserve(n).unwrap_err();
                assert_eq!(err, TryReserveError::CapacityOverflow, "{n}");
            }
            map.check_invariants();
            assert_eq!(map.len(), 1000);
            println!("survived");
        }
        "mid_growth" => {
            // One chain, no cursor steps: the growth stays in progress, and
            // every eighth insert needs an overflow bucket, which a table
            // this small has no pool for.
            let mut map = EvacMap::builder()
                .policy(Policy::go().with_cursor_steps(0))
                .hasher(Weak(Weakness::Constant))
                .build();
            let mut i = 0u64;
            while !map.is_evacuating() {
                map.insert(i, i);
                i += 1;
            }
            brink();
            exhaust();
            for k in i..i + 64 {
                if !map.is_evacuating() {
                    println!("the growth ended before memory did");
                    return;
                }
                map.insert(k, k);
            }
        }
        "pool_overflow" => {
            // 2^8 buckets with a pool of 16: one chain of 17 buckets holds
            // 136 entries; the 137th needs a bucket from the allocator.
            let mut map = EvacMap::with_capacity_and_hasher(1000, Weak(Weakness::Constant));
            for k in 0..136u64 {
                map.insert(k, k);
            }
            assert_eq!(map.instruments().stats().overflow_buckets, 16);
            assert!(!map.is_evacuating());
            brink();
            exhaust();
            map.insert(136, 136);
        }
        "clone" => {
            let mut map: EvacMap<u64, u64> = (0..150_000).map(|i| (i, i)).collect();
            map.finish_evacuation();
            assert_eq!(map.bucket_log2(), Some(15));
            brink();
            exhaust();
            let _copy = map.clone();
        }
        "reserve" => {
            let mut map: EvacMap<u64, u64> = (0..1000).map(|i| (i, i)).collect();
            brink();
            exhaust();
            map.reserve(10_000_000);
        }
        "try_reserve" => {
            let mut map: EvacMap<u64, u64> = (0..1000).map(|i| (i, i)).collect();
            map.finish_evacuation();
            let (len, cap) = (map.len(), map.capacity());
            exhaust();
            let result = map.try_reserve(10_000_000);
            let err = result.unwrap_err();
            assert!(matches!(err, TryReserveError::AllocError { .. }), "{err:?}");
            assert_eq!((map.len(), map.capacity()), (len, cap));
            restore();
            map.check_invariants(); // (it allocates: after the restore)
            map.extend((1000..100_000).map(|i| (i, i)));
            map.check_invariants();
            assert_eq!(map.len(), 100_000);
            println!("survived: {err}");
        }
        "try_reserve_part_way" => {
            // Room for the arrays of the first doublings (the allocator
            // serves; the address space has 16 MiB to spare), not for all
            // nine: the call stops after a complete doubling.
            let mut map: EvacMap<u64, u64> = (0..1000).map(|i| (i, i)).collect();
            map.finish_evacuation();
            let cap = map.capacity();
            limit_address_space(16 << 20);
            let err = map.try_reserve(10_000_000).unwrap_err();
            assert!(matches!(err, TryReserveError::AllocError { .. }), "{err:?}");
            assert!(!map.is_evacuating() && map.capacity() > cap && map.capacity() < 10_000_000);
            restore();
            map.check_invariants();
            assert!((0..1000).all(|i| map[&i] == i));
            map.try_reserve(10_000_000).unwrap();
            println!("survived");
        }
        "shrink_to_fit" => {
            let mut map: EvacMap<u64, u64> = (0..100_000).map(|i| (i, i)).collect();
            for i in 0..99_000 {
                map.remove(&i);
            }
            map.finish_evacuation();
            let cap = map.capacity();
            exhaust();
            map.shrink_to_fit();
            map.shrink_to(10);
            assert_eq!(map.capacity(), cap, "no smaller array could be allocated");
            restore();
            map.check_invariants();
            map.shrink_to_fit();
            map.finish_evacuation();
            assert!(map.capacity() < cap / 16);
            map.check_invariants();
            assert_eq!(map.len(), 1000);
            println!("survived");
        }
        "sharded" => {
            let map: ShardedEvacMap<u64, u64> = ShardedEvacMap::new();
            for i in 0..100_000 {
                map.insert(i, i);
            }
            brink();
            exhaust();
            for i in 100_000..10_000_000 {
                map.insert(i, i);
            }
        }
        other => panic!("unknown scenario {other}"),
    }
}
