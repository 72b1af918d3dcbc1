//! Criterion entry point: evacmap against hashbrown and std on the same
//! workloads, all maps hashing with `ahash` with the same fixed seeds.
//!
//! Groups (`<workload>/<keys>`): `insert_new` (no reserve), `insert_reserve`,
//! `lookup_hit` (shuffled order), `lookup_miss`, `remove`, `iterate`, `mixed`
//! (90% lookups, 10% inserts/removes); keys `u64_random`, `u64_seq` and
//! `string` (8–40 bytes); sizes 1k, 100k, 1M. Maps: `evacmap` (Go's policy),
//! `evacmap/all_at_once`, `hashbrown`, `std`.
//!
//! - Full run: `cargo bench --bench bench` (short warm-up and measurement
//!   times, so the whole matrix fits in about 20 minutes on 2 cores).
//! - Quick run (1k only): `EVACMAP_BENCH_QUICK=1 cargo bench --bench bench`.
//! - A filter selects groups, as usual: `cargo bench --bench bench -- lookup_hit/u64_random`.
//! - `scripts/bench-summary` prints medians and ratios to hashbrown.
//!
//! CI only compiles this (`cargo clippy --all-targets`).

// `criterion_group!`/`criterion_main!` generate undocumented items.
#![allow(missing_docs)]

use std::hash::Hash;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use evacmap::{EvacMap, Policy};

type Hasher = ahash::RandomState;

fn hasher() -> Hasher {
    Hasher::with_seeds(1, 2, 3, 4)
}

/// What the workloads need from a map.
trait BenchMap<K>: Default {
    const NAME: &'static str;
    fn with_capacity(n: usize) -> Self;
    fn insert(&mut self, k: K, v: u64);
    fn get(&self, k: &K) -> Option<&u64>;
    fn remove(&mut self, k: &K) -> Option<u64>;
    fn sum(&self) -> u64;
    /// Bring the map to its steady state before read benchmarks.
    fn settle(&mut self) {}
}

/// The `BenchMap` methods every map implements the same way (`self.0` is a
/// std-like map).
macro_rules! delegate_ops {
    () => {
        fn insert(&mut self, k: K, v: u64) {
            self.0.insert(k, v);
        }
        fn get(&self, k: &K) -> Option<&u64> {
            self.0.get(k)
        }
        fn remove(&mut self, k: &K) -> Option<u64> {
            self.0.remove(k)
        }
        fn sum(&self) -> u64 {
            self.0.values().fold(0, |a, v| a.wrapping_add(*v))
        }
    };
}

/// Newtypes so that each map kind has its own `NAME` and `Default` with the
/// shared hasher.
struct Evac<K, const ALL_AT_ONCE: bool>(EvacMap<K, u64, Hasher>);
struct Brown<K>(hashbrown::HashMap<K, u64, Hasher>);
struct Std<K>(std::collections::HashMap<K, u64, Hasher>);

impl<K, const A: bool> Default for Evac<K, A> {
    fn default() -> Self {
        let policy = if A {
            Policy::all_at_once()
        } else {
            Policy::go()
        };
        Evac(EvacMap::with_policy_and_hasher(policy, hasher()))
    }
}
impl<K> Default for Brown<K> {
    fn default() -> Self {
        Brown(hashbrown::HashMap::with_hasher(hasher()))
    }
}
impl<K> Default for Std<K> {
    fn default() -> Self {
        Std(std::collections::HashMap::with_hasher(hasher()))
    }
}

impl<K: Hash + Eq, const A: bool> BenchMap<K> for Evac<K, A> {
    const NAME: &'static str = if A { "evacmap/all_at_once" } else { "evacmap" };
    fn with_capacity(n: usize) -> Self {
        let mut m = Self::default();
        m.0.reserve(n);
        m
    }
    delegate_ops!();
    fn settle(&mut self) {
        self.0.finish_growth();
    }
}

macro_rules! std_like_bench_map {
    ($t:ident, $name:literal, $map:ty) => {
        impl<K: Hash + Eq> BenchMap<K> for $t<K> {
            const NAME: &'static str = $name;
            fn with_capacity(n: usize) -> Self {
                $t(<$map>::with_capacity_and_hasher(n, hasher()))
            }
            delegate_ops!();
        }
    };
}
std_like_bench_map!(Brown, "hashbrown", hashbrown::HashMap<K, u64, Hasher>);
std_like_bench_map!(Std, "std", std::collections::HashMap<K, u64, Hasher>);

/// splitmix64 stream.
fn stream(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed;
    move || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Key kinds: `n` present keys and `n` absent ones.
trait Keys: Clone + Hash + Eq + Sized {
    const NAME: &'static str;
    fn make(n: usize) -> (Vec<Self>, Vec<Self>);
}

impl Keys for u64 {
    const NAME: &'static str = "u64_random";
    fn make(n: usize) -> (Vec<u64>, Vec<u64>) {
        let mut next = stream(1);
        // Low bit splits present from absent keys.
        (
            (0..n).map(|_| next() | 1).collect(),
            (0..n).map(|_| next() & !1).collect(),
        )
    }
}

impl Keys for String {
    const NAME: &'static str = "string";
    fn make(n: usize) -> (Vec<String>, Vec<String>) {
        let mut next = stream(2);
        let mut key = |tag: char| {
            let len = 8 + (next() % 33) as usize; // 8..=40 bytes
            let mut s = format!("{tag}{:016x}{:016x}", next(), next());
            s.truncate(len);
            s
        };
        (
            (0..n).map(|_| key('p')).collect(),
            (0..n).map(|_| key('a')).collect(),
        )
    }
}

/// Sequential `u64` keys: present `0..n`, absent `n..2n`.
fn seq_keys(n: usize) -> (Vec<u64>, Vec<u64>) {
    ((0..n as u64).collect(), (n as u64..2 * n as u64).collect())
}

fn sizes() -> Vec<usize> {
    if std::env::var_os("EVACMAP_BENCH_QUICK").is_some() {
        vec![1_000]
    } else {
        vec![1_000, 100_000, 1_000_000]
    }
}

/// Shuffles deterministically (Fisher–Yates on splitmix64).
fn shuffled<T: Clone>(v: &[T]) -> Vec<T> {
    let mut v = v.to_vec();
    let mut next = stream(3);
    for i in (1..v.len()).rev() {
        v.swap(i, (next() % (i as u64 + 1)) as usize);
    }
    v
}

fn filled<K: Clone, M: BenchMap<K>>(keys: &[K]) -> M {
    let mut m = M::default();
    for (i, k) in keys.iter().enumerate() {
        m.insert(k.clone(), i as u64);
    }
    m.settle();
    m
}

/// A benchmark group `<workload>/<keys>` measuring `n` elements per
/// iteration (10 samples for the large sizes).
fn group<'c>(
    c: &'c mut Criterion,
    keys_name: &str,
    n: usize,
    workload: &str,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(format!("{workload}/{keys_name}"));
    g.throughput(Throughput::Elements(n as u64));
    if n >= 100_000 {
        g.sample_size(10);
    }
    g
}

/// Every workload for one map type and one key set.
fn workloads<K: Clone + Hash + Eq, M: BenchMap<K>>(
    c: &mut Criterion,
    keys_name: &str,
    n: usize,
    present: &[K],
    absent: &[K],
) {
    let id = || BenchmarkId::new(M::NAME, n);

    let mut g = group(c, keys_name, n, "insert_new");
    g.bench_function(id(), |b| {
        b.iter_batched(
            || present.to_vec(),
            |keys| black_box(filled::<K, M>(&keys)),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut g = group(c, keys_name, n, "insert_reserve");
    g.bench_function(id(), |b| {
        b.iter_batched(
            || present.to_vec(),
            |keys| {
                let mut m = M::with_capacity(keys.len());
                for (i, k) in keys.into_iter().enumerate() {
                    m.insert(k, i as u64);
                }
                black_box(m)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let map: M = filled(present);
    let hit_order = shuffled(present);
    let mut g = group(c, keys_name, n, "lookup_hit");
    g.bench_function(id(), |b| {
        b.iter(|| hit_order.iter().filter(|k| map.get(k).is_some()).count())
    });
    g.finish();

    let mut g = group(c, keys_name, n, "lookup_miss");
    g.bench_function(id(), |b| {
        b.iter(|| absent.iter().filter(|k| map.get(k).is_some()).count())
    });
    g.finish();

    let mut g = group(c, keys_name, n, "iterate");
    g.bench_function(id(), |b| b.iter(|| black_box(map.sum())));
    g.finish();
    drop(map);

    let mut g = group(c, keys_name, n, "remove");
    g.bench_function(id(), |b| {
        b.iter_batched(
            || filled::<K, M>(present),
            |mut m| {
                for k in &hit_order {
                    black_box(m.remove(k));
                }
                m
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();

    // 90% lookups of present keys; 10% writes alternating insert of an
    // absent key and its removal, so the size stays at n.
    let mut g = group(c, keys_name, n, "mixed");
    g.bench_function(id(), |b| {
        b.iter_batched(
            || filled::<K, M>(present),
            |mut m| {
                let mut hits = 0;
                for i in 0..n {
                    if i % 10 == 9 {
                        let k = &absent[i % absent.len()];
                        if (i / 10) % 2 == 0 {
                            m.insert(k.clone(), 0);
                        } else {
                            m.remove(k);
                        }
                    } else {
                        hits += usize::from(m.get(&hit_order[i]).is_some());
                    }
                }
                black_box(hits);
                m
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn all_maps<K: Clone + Hash + Eq>(
    c: &mut Criterion,
    keys_name: &str,
    n: usize,
    present: &[K],
    absent: &[K],
) {
    workloads::<K, Evac<K, false>>(c, keys_name, n, present, absent);
    workloads::<K, Evac<K, true>>(c, keys_name, n, present, absent);
    workloads::<K, Brown<K>>(c, keys_name, n, present, absent);
    workloads::<K, Std<K>>(c, keys_name, n, present, absent);
}

fn u64_random(c: &mut Criterion) {
    for n in sizes() {
        let (present, absent) = u64::make(n);
        all_maps(c, u64::NAME, n, &present, &absent);
    }
}

fn u64_sequential(c: &mut Criterion) {
    for n in sizes() {
        let (present, absent) = seq_keys(n);
        all_maps(c, "u64_seq", n, &present, &absent);
    }
}

fn strings(c: &mut Criterion) {
    for n in sizes() {
        let (present, absent) = String::make(n);
        all_maps(c, String::NAME, n, &present, &absent);
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
}

criterion_group! {
    name = benches;
    config = config();
    targets = u64_random, u64_sequential, strings
}
criterion_main!(benches);
