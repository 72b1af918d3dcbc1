//! serde for the collections: arbitrary bytes into `Deserialize` (JSON and
//! bincode) must give an error or the same collection std's gives for the
//! same bytes (duplicate keys: the last wins, as for std), never a panic,
//! an abort or a leak (LeakSanitizer); and arbitrary maps and sets must
//! survive a round trip through both formats.

#![no_main]

use std::collections::{HashMap, HashSet};

use arbitrary::{Arbitrary, Unstructured};
use evacmap::{EvacMap, EvacSet, ShardedEvacMap, ShardedEvacSet};
use evacmap_fuzz::FuzzHasher;
use libfuzzer_sys::fuzz_target;

type Map = EvacMap<u16, u32, FuzzHasher>;
type Set = EvacSet<u16, FuzzHasher>;

fn same_map(m: &Map, std: &HashMap<u16, u32>) {
    m.check_invariants();
    assert_eq!(m.len(), std.len());
    for (k, v) in std {
        assert_eq!(m.get(k), Some(v));
    }
}

fn same_set(s: &Set, std: &HashSet<u16>) {
    s.check_invariants();
    assert_eq!(s.len(), std.len());
    assert!(std.iter().all(|k| s.contains(k)));
}

/// Decodes `bytes` with `decode` into ours and std's and compares.
fn differential(bytes: &[u8]) {
    let json_map: Result<Map, _> = serde_json::from_slice(bytes);
    let json_std: Result<HashMap<u16, u32>, _> = serde_json::from_slice(bytes);
    if let (Ok(m), Ok(s)) = (&json_map, &json_std) {
        same_map(m, s);
    }
    assert_eq!(
        json_map.is_ok(),
        json_std.is_ok(),
        "JSON map: ours and std's disagree"
    );
    let bin_map: Result<Map, _> = bincode::deserialize(bytes);
    let bin_std: Result<HashMap<u16, u32>, _> = bincode::deserialize(bytes);
    if let (Ok(m), Ok(s)) = (&bin_map, &bin_std) {
        same_map(m, s);
    }
    assert_eq!(
        bin_map.is_ok(),
        bin_std.is_ok(),
        "bincode map: ours and std's disagree"
    );
    let bin_set: Result<Set, _> = bincode::deserialize(bytes);
    let bin_std: Result<HashSet<u16>, _> = bincode::deserialize(bytes);
    if let (Ok(m), Ok(s)) = (&bin_set, &bin_std) {
        same_set(m, s);
    }
    assert_eq!(
        bin_set.is_ok(),
        bin_std.is_ok(),
        "bincode set: ours and std's disagree"
    );
    let sharded: Result<ShardedEvacMap<u16, u32, FuzzHasher>, _> = bincode::deserialize(bytes);
    if let Ok(m) = sharded {
        m.check_invariants();
    }
    let sharded: Result<ShardedEvacSet<u16, FuzzHasher>, _> = serde_json::from_slice(bytes);
    if let Ok(s) = sharded {
        s.check_invariants();
    }
}

/// An arbitrary map and set through both formats and back.
fn round_trip(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let pairs: Vec<(u16, u32)> = Vec::arbitrary(u)?;
    let map: Map = pairs.iter().copied().collect();
    let std: HashMap<u16, u32> = pairs.iter().copied().collect();
    same_map(&map, &std);
    let back: Map = serde_json::from_str(&serde_json::to_string(&map).unwrap()).unwrap();
    same_map(&back, &std);
    let back: Map = bincode::deserialize(&bincode::serialize(&map).unwrap()).unwrap();
    same_map(&back, &std);
    let set: Set = pairs.iter().map(|p| p.0).collect();
    let std_set: HashSet<u16> = pairs.iter().map(|p| p.0).collect();
    let back: Set = bincode::deserialize(&bincode::serialize(&set).unwrap()).unwrap();
    same_set(&back, &std_set);
    let sharded: ShardedEvacMap<u16, u32, FuzzHasher> = pairs.iter().copied().collect();
    let back: ShardedEvacMap<u16, u32, FuzzHasher> =
        serde_json::from_str(&serde_json::to_string(&sharded).unwrap()).unwrap();
    back.check_invariants();
    assert_eq!(back.len(), std.len());
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((0, rest)) => {
            let _ = round_trip(&mut Unstructured::new(rest));
        }
        Some((_, rest)) => differential(rest),
        None => {}
    }
});
