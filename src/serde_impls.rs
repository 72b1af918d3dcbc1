//! `serde` support (feature `serde`): a map serializes as a map, a set as a
//! sequence, like std's collections; the sharded map and set alike (shard
//! by shard, under each shard's read lock: not a snapshot while writers
//! run). The instruments (`Stats`, `Event`, `TimingStats`, `Percentiles`,
//! `PausePercentiles`) derive `Serialize` where they are defined.

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::layout::BucketLayout;
use crate::{EvacMap, EvacSet, Policy, ShardedEvacMap, ShardedEvacSet};

/// Most entries preallocated from an untrusted size hint.
const MAX_PREALLOC: usize = 4096;

impl<K: Serialize, V: Serialize, S, L: BucketLayout> Serialize for EvacMap<K, V, S, L> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de, K, V, S, L> Deserialize<'de> for EvacMap<K, V, S, L>
where
    K: Deserialize<'de> + Eq + Hash,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
    L: BucketLayout,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V, S, L: BucketLayout>(PhantomData<EvacMap<K, V, S, L>>);

        impl<'de, K, V, S, L> Visitor<'de> for MapVisitor<K, V, S, L>
        where
            K: Deserialize<'de> + Eq + Hash,
            V: Deserialize<'de>,
            S: BuildHasher + Default,
            L: BucketLayout,
        {
            type Value = EvacMap<K, V, S, L>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let hint = access.size_hint().unwrap_or(0).min(MAX_PREALLOC);
                let mut map = EvacMap::from_parts(Policy::go(), hint, S::default());
                while let Some((k, v)) = access.next_entry()? {
                    map.insert(k, v);
                }
                Ok(map)
            }
        }

        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

impl<T: Serialize, S> Serialize for EvacSet<T, S> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de, T, S> Deserialize<'de> for EvacSet<T, S>
where
    T: Deserialize<'de> + Eq + Hash,
    S: BuildHasher + Default,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor<T, S>(PhantomData<EvacSet<T, S>>);

        impl<'de, T, S> Visitor<'de> for SetVisitor<T, S>
        where
            T: Deserialize<'de> + Eq + Hash,
            S: BuildHasher + Default,
        {
            type Value = EvacSet<T, S>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let hint = access.size_hint().unwrap_or(0).min(MAX_PREALLOC);
                let mut set = EvacSet::with_capacity_and_hasher(hint, S::default());
                while let Some(value) = access.next_element()? {
                    set.insert(value);
                }
                Ok(set)
            }
        }

        deserializer.deserialize_seq(SetVisitor(PhantomData))
    }
}

impl<K: Serialize, V: Serialize, S> Serialize for ShardedEvacMap<K, V, S> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        use serde::ser::SerializeMap;
        let mut m = serializer.serialize_map(None)?;
        for r in self.iter() {
            m.serialize_entry(r.key(), r.value())?;
        }
        m.end()
    }
}

impl<'de, K, V, S> Deserialize<'de> for ShardedEvacMap<K, V, S>
where
    K: Deserialize<'de> + Eq + Hash,
    V: Deserialize<'de>,
    S: BuildHasher + Default + Clone,
{
    /// Into a map with the default shard count and Go's policy.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = EvacMap::<K, V, S>::deserialize(deserializer)?;
        Ok(map.into_iter().collect())
    }
}

impl<T: Serialize, S> Serialize for ShardedEvacSet<T, S> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(None)?;
        for r in self.iter() {
            seq.serialize_element(&*r)?;
        }
        seq.end()
    }
}

impl<'de, T, S> Deserialize<'de> for ShardedEvacSet<T, S>
where
    T: Deserialize<'de> + Eq + Hash,
    S: BuildHasher + Default + Clone,
{
    /// Into a set with the default shard count and Go's policy.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let set = EvacSet::<T, S>::deserialize(deserializer)?;
        Ok(set.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::{EvacMap, EvacSet, ShardedEvacMap, ShardedEvacSet};

    #[test]
    fn sharded_round_trips() {
        let map: ShardedEvacMap<String, u32> = (0..100).map(|i| (i.to_string(), i)).collect();
        let json = serde_json::to_string(&map).unwrap();
        let back: ShardedEvacMap<String, u32> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, map);
        let set: ShardedEvacSet<u32> = (0..100).collect();
        let json = serde_json::to_string(&set).unwrap();
        let back: ShardedEvacSet<u32> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, set);
    }

    #[test]
    fn map_and_set_round_trip_through_json() {
        let map: EvacMap<String, u32> = (0..50).map(|i| (i.to_string(), i)).collect();
        let json = serde_json::to_string(&map).unwrap();
        let back: EvacMap<String, u32> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, map);
        back.check_invariants();

        let set: EvacSet<u32> = (0..50).collect();
        let json = serde_json::to_string(&set).unwrap();
        let back: EvacSet<u32> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, set);
        assert_eq!(serde_json::to_string(&EvacSet::from([7])).unwrap(), "[7]");
    }
}
