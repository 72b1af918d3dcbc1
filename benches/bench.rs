//! Criterion entry point. Groups: lookup (hit, miss) and insert into a new
//! map, for evacmap (Go policy), evacmap (all at once) and hashbrown, all
//! with the same fixed-seed `ahash` hasher and `u64` random keys.
//!
//! Quick run: `EVACMAP_BENCH_QUICK=1 cargo bench` (1k entries only).

// `criterion_group!`/`criterion_main!` generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use evacmap::{EvacMap, Policy};

type Hasher = ahash::RandomState;

fn hasher() -> Hasher {
    Hasher::with_seeds(1, 2, 3, 4)
}

/// `n` distinct pseudo-random keys (splitmix64), and `n` keys that are not
/// among them.
fn keys(n: usize) -> (Vec<u64>, Vec<u64>) {
    let mut x = 0x1234_5678_u64;
    let mut next = || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let present: Vec<u64> = (0..n).map(|_| next() | 1).collect();
    let absent: Vec<u64> = (0..n).map(|_| next() & !1).collect();
    (present, absent)
}

fn sizes() -> Vec<usize> {
    if std::env::var_os("EVACMAP_BENCH_QUICK").is_some() {
        vec![1_000]
    } else {
        vec![1_000, 100_000, 1_000_000]
    }
}

fn lookup(c: &mut Criterion) {
    for (name, miss) in [("lookup_hit", false), ("lookup_miss", true)] {
        let mut group = c.benchmark_group(name);
        for n in sizes() {
            let (present, absent) = keys(n);
            let probe = if miss { &absent } else { &present };
            group.throughput(Throughput::Elements(n as u64));
            let mut evac = EvacMap::with_hasher(hasher());
            let mut brown = hashbrown::HashMap::with_hasher(hasher());
            for &k in &present {
                evac.insert(k, k);
                brown.insert(k, k);
            }
            evac.finish_growth();
            group.bench_with_input(BenchmarkId::new("evacmap", n), probe, |b, probe| {
                b.iter(|| probe.iter().filter(|k| evac.get(*k).is_some()).count())
            });
            group.bench_with_input(BenchmarkId::new("hashbrown", n), probe, |b, probe| {
                b.iter(|| probe.iter().filter(|k| brown.get(*k).is_some()).count())
            });
        }
        group.finish();
    }
}

fn insert(c: &mut Criterion) {
    let mut group = c.benchmark_group("insert_new");
    for n in sizes() {
        let (present, _) = keys(n);
        group.throughput(Throughput::Elements(n as u64));
        for (label, policy) in [
            ("evacmap", Policy::go()),
            ("evacmap/all_at_once", Policy::all_at_once()),
        ] {
            group.bench_with_input(BenchmarkId::new(label, n), &present, |b, keys| {
                b.iter(|| {
                    let mut m = EvacMap::with_policy_and_hasher(policy, hasher());
                    for &k in keys {
                        m.insert(k, k);
                    }
                    black_box(m.len())
                })
            });
        }
        group.bench_with_input(BenchmarkId::new("hashbrown", n), &present, |b, keys| {
            b.iter(|| {
                let mut m = hashbrown::HashMap::with_hasher(hasher());
                for &k in keys {
                    m.insert(k, k);
                }
                black_box(m.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, lookup, insert);
criterion_main!(benches);
