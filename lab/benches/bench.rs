//! Criterion entry point: evacmap against hashbrown, std, griddle and
//! papaya on the same workloads, every map hashing with the lab's
//! fixed-seed `ahash` (`evacmap_lab::keys::hasher`), through the lab's one
//! map adapter (`evacmap_lab::maps::LabMap`).
//!
//! Groups (`<workload>/<keys>`): `insert_new` (no reserve), `insert_reserve`,
//! `lookup_hit` (shuffled order), `lookup_miss`, `remove`, `iterate`, `mixed`
//! (90% lookups, 10% inserts/removes); keys `u64_random`, `u64_seq` and
//! `string` (8–40 bytes); sizes 1k, 100k, 1M. Maps: every map of the lab's
//! registry that runs in `bench` (`lab maps` lists them: `evacmap` with
//! Go's policy, `evacmap/all_at_once`, `evacmap/split`, `hashbrown`, `std`,
//! `griddle`, `papaya`), each built by its registry constructor and called
//! through `Box<dyn LabMap<K>>`, as every experiment of the lab does.
//!
//! - Full run: `cargo bench -p evacmap-lab --bench bench` (short warm-up and
//!   measurement times, so the whole matrix fits in about half an hour on 2
//!   cores).
//! - Quick run (1k only): `EVACMAP_BENCH_QUICK=1 cargo bench -p evacmap-lab --bench bench`.
//! - A filter selects groups, as usual: `cargo bench -p evacmap-lab --bench bench -- lookup_hit/u64_random`.
//! - `lab/scripts/bench-summary` prints medians and ratios to hashbrown.
//!
//! CI only compiles this (`cargo clippy --all-targets`).

// `criterion_group!`/`criterion_main!` generate undocumented items.
#![allow(missing_docs)]

use std::hash::Hash;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use evacmap_lab::keys::key;
use evacmap_lab::maps::go::GoPeers;
use evacmap_lab::maps::registry::{self, Experiment};
use evacmap_lab::maps::{Key, LabMap};

/// A map constructor and its name in the benchmark ids.
struct Map<K> {
    name: &'static str,
    new: fn() -> Box<dyn LabMap<K>>,
}

/// The splitmix stream with this seed, as `key(seed, 0)`, `key(seed, 1)`, …
fn stream(seed: u64) -> impl FnMut() -> u64 {
    let mut i = 0;
    move || {
        i += 1;
        key(seed, i - 1)
    }
}

/// Key kinds: `n` present keys and `n` absent ones.
trait Keys: Key + Clone + Sized {
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

fn filled<K: Clone>(map: &Map<K>, keys: &[K]) -> Box<dyn LabMap<K>> {
    let mut m = (map.new)();
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
fn workloads<K: Clone + Hash + Eq>(
    c: &mut Criterion,
    map_kind: &Map<K>,
    keys_name: &str,
    n: usize,
    present: &[K],
    absent: &[K],
) {
    let id = || BenchmarkId::new(map_kind.name, n);

    let mut g = group(c, keys_name, n, "insert_new");
    g.bench_function(id(), |b| {
        b.iter_batched(
            || present.to_vec(),
            |keys| black_box(filled(map_kind, &keys)),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut g = group(c, keys_name, n, "insert_reserve");
    g.bench_function(id(), |b| {
        b.iter_batched(
            || present.to_vec(),
            |keys| {
                let mut m = (map_kind.new)();
                m.reserve(keys.len());
                for (i, k) in keys.into_iter().enumerate() {
                    m.insert(k, i as u64);
                }
                black_box(m)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let map = filled(map_kind, present);
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
    g.bench_function(id(), |b| b.iter(|| black_box(map.value_sum())));
    g.finish();
    drop(map);

    let mut g = group(c, keys_name, n, "remove");
    g.bench_function(id(), |b| {
        b.iter_batched(
            || filled(map_kind, present),
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
            || filled(map_kind, present),
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

/// Every map the registry gives `bench`, on one key set.
fn all_maps<K: Key + Clone>(
    c: &mut Criterion,
    keys_name: &str,
    n: usize,
    present: &[K],
    absent: &[K],
) {
    for spec in registry::maps_in(Experiment::Bench, &GoPeers::none()) {
        let maker = spec
            .kind
            .maker()
            .expect("`bench` runs only single-threaded Rust maps (registry::Experiment::Bench)");
        let map = Map {
            name: spec.name,
            new: K::pick(maker),
        };
        workloads(c, &map, keys_name, n, present, absent);
    }
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
