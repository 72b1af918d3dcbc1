//! loom models of `ShardedEvacMap`: every interleaving (up to the
//! preemption bound of the README's test command) of writers, a reader and
//! the maintainer on a map whose single shard is tiny, so that a growth
//! starts inside the model and stays in progress across operations (no
//! cursor steps: a write evacuates only the old bucket it touches).
//!
//! After each model the map's own checks run: `check_invariants` verifies
//! every shard's structure, that each key sits in the shard its hash picks,
//! and that the lock-free `len` / `growing` / `holds_old` mirrors equal the
//! map's. The canary at the end updates `len` outside the lock and must be
//! caught.
//!
//! Run: `scripts/test-all`, or from this directory:
//! `RUSTFLAGS="--cfg evacmap_loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release`
#![cfg(evacmap_loom)]

use evacmap::sharded::ShardedEvacMap;
use evacmap::{DefaultHashBuilder, Policy};
use loom::sync::Arc;
use loom::thread;

/// 13 entries fill 2 buckets to Go's load limit (6.5 per bucket): the next
/// insert starts a doubling.
const FULL: u32 = 13;

type Map = ShardedEvacMap<u32, u32>;

/// A one-shard map holding `0..FULL`: at its load limit.
fn full_map() -> Arc<Map> {
    let map = ShardedEvacMap::builder()
        .shards(1)
        .policy(Policy::go().with_cursor_steps(0))
        .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
        .build();
    for k in 0..FULL {
        map.insert(k, k * 10);
    }
    assert!(!map.is_evacuating());
    Arc::new(map)
}

/// Two writers (one starts the growth, one removes and inserts) and a
/// reader of keys present throughout: the reader always finds them with
/// their values, `len` stays within what was inserted, and the final
/// contents are exact.
#[test]
fn two_writers_and_a_reader_across_a_growth() {
    loom::model(|| {
        let map = full_map();
        let reader = {
            let map = Arc::clone(&map);
            thread::spawn(move || {
                for k in [1, 2] {
                    assert_eq!(map.get(&k).map(|r| *r), Some(k * 10), "lost key {k}");
                    let len = map.len();
                    assert!(
                        (FULL as usize - 1..=FULL as usize + 2).contains(&len),
                        "len {len} out of bounds"
                    );
                }
            })
        };
        let other = {
            let map = Arc::clone(&map);
            thread::spawn(move || {
                assert_eq!(map.remove(&0), Some(0));
                map.insert(101, 1010);
            })
        };
        map.insert(100, 1000);
        assert!(map.instruments().stats().growths >= 1);
        reader.join().unwrap();
        other.join().unwrap();
        map.check_invariants();
        assert_eq!(map.len(), FULL as usize + 1);
        assert_eq!(map.get_cloned(&0), None);
        for k in 1..FULL {
            assert_eq!(map.get_cloned(&k), Some(k * 10));
        }
        assert_eq!(map.get_cloned(&100), Some(1000));
        assert_eq!(map.get_cloned(&101), Some(1010));
    });
}

/// The maintainer moving old buckets while a writer starts and continues a
/// growth: nothing is lost, and maintenance can always finish it.
#[test]
fn writer_races_the_maintainer() {
    loom::model(|| {
        let map = full_map();
        let maintainer = {
            let map = Arc::clone(&map);
            thread::spawn(move || {
                map.maintain(1);
                map.maintain(1);
            })
        };
        map.insert(100, 1000);
        map.insert(101, 1010);
        maintainer.join().unwrap();
        map.check_invariants();
        while map.holds_old_memory() {
            map.maintain(8);
        }
        map.check_invariants();
        assert_eq!(map.len(), FULL as usize + 2);
        for k in 0..FULL {
            assert_eq!(map.get_cloned(&k), Some(k * 10));
        }
    });
}

/// A writer through a guard-holding `entry` (it inserts the key whose
/// insert starts the growth, then updates the value through the returned
/// `RefMut`) racing a reader of a present key and the maintainer: the
/// reader sees the old value or nothing torn, the entry's guard keeps its
/// value exclusive until it drops (G1), and the final contents are exact.
#[test]
fn entry_guard_races_a_reader_and_the_maintainer() {
    loom::model(|| {
        let map = full_map();
        let reader = {
            let map = Arc::clone(&map);
            thread::spawn(move || {
                assert_eq!(map.get(&3).map(|r| *r), Some(30));
                let seen = map.get_cloned(&100);
                assert!(matches!(seen, None | Some(1001)), "torn or early: {seen:?}");
            })
        };
        let maintainer = {
            let map = Arc::clone(&map);
            thread::spawn(move || {
                map.maintain(1);
            })
        };
        {
            let mut r = map.entry(100).or_insert(1000);
            *r += 1; // still under the write lock: no one saw 1000
        }
        reader.join().unwrap();
        maintainer.join().unwrap();
        map.check_invariants();
        assert_eq!(map.get_cloned(&100), Some(1001));
        assert_eq!(map.len(), FULL as usize + 1);
        assert!(map.instruments().stats().growths >= 1);
    });
}

/// A reader holding a `Ref` and a thread holding a `RefMut` (then
/// `update`) while a writer starts a growth in the same shard: the guards
/// keep their entries valid and exclusive until they drop (G1), and the
/// writer's growth waits for them.
#[test]
fn guards_stay_valid_across_a_growth() {
    loom::model(|| {
        let map = full_map();
        let reader = {
            let map = Arc::clone(&map);
            thread::spawn(move || {
                let r = map.get(&3).expect("key 3 present");
                let first = *r;
                thread::yield_now();
                assert_eq!(*r, first, "a held Ref changed under the reader");
                assert_eq!(*r.key(), 3);
            })
        };
        let bumper = {
            let map = Arc::clone(&map);
            thread::spawn(move || {
                *map.get_mut(&4).expect("key 4 present") += 1;
                map.update(&4, |v| *v += 1);
            })
        };
        map.insert(100, 1000);
        reader.join().unwrap();
        bumper.join().unwrap();
        map.check_invariants();
        assert_eq!(map.get_cloned(&3), Some(30));
        assert_eq!(map.get_cloned(&4), Some(42));
        assert_eq!(map.get_cloned(&100), Some(1000));
    });
}

/// `len` read while one thread inserts a key and another removes it: never
/// above the inserts made (a wrapped, "negative" count would be huge), and
/// exact at the end. Two shards, so `len` adds up two mirrors.
#[test]
fn len_is_never_negative_or_beyond_the_inserts() {
    loom::model(|| {
        let map = Arc::new(
            ShardedEvacMap::<u32, u32>::builder()
                .shards(2)
                .policy(Policy::go())
                .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
                .build(),
        );
        let observer = {
            let map = Arc::clone(&map);
            thread::spawn(move || {
                for _ in 0..2 {
                    let len = map.len();
                    assert!(len <= 2, "len {len}: beyond the 2 inserts, or negative");
                }
            })
        };
        let remover = {
            let map = Arc::clone(&map);
            thread::spawn(move || map.remove(&7))
        };
        map.insert(7, 70);
        map.insert(8, 80);
        observer.join().unwrap();
        let removed = remover.join().unwrap();
        map.check_invariants();
        assert_eq!(map.len(), if removed.is_some() { 1 } else { 2 });
    });
}

/// The canary: an insert that stores its shard's `len` mirror again after
/// releasing the lock. loom must find the interleaving in which a remove
/// runs in between, leaving the mirror stale, which shows the models above
/// can fail.
#[test]
#[should_panic(expected = "lock-free len differs")]
fn canary_len_stored_outside_the_lock_is_caught() {
    loom::model(|| {
        let map = Arc::new(
            ShardedEvacMap::<u32, u32>::builder()
                .shards(1)
                .policy(Policy::go())
                .hasher(DefaultHashBuilder::with_seeds(1, 2, 3, 4))
                .build(),
        );
        let remover = {
            let map = Arc::clone(&map);
            thread::spawn(move || map.remove(&7))
        };
        evacmap::loom_hooks::insert_with_stale_len(&map, 7, 70);
        remover.join().unwrap();
        map.check_invariants();
    });
}
