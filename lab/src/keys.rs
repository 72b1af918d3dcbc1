//! The one key generator and the one fixed-seed hasher of the lab, its
//! harnesses (`src/bin/`), the criterion benches and the Go peer
//! (`lab/go/`, which reproduces [`key`] and [`path_key`] bit for bit).

/// The hasher every Rust map in the lab uses.
pub type Hasher = ahash::RandomState;

/// `ahash` with fixed seeds, so that runs are reproducible and every map
/// hashes alike.
pub fn hasher() -> Hasher {
    Hasher::with_seeds(1, 2, 3, 4)
}

/// splitmix64's output function.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Key number `i` of the stream with this seed: splitmix64 of
/// `seed + (i + 1) * 0x9E3779B97F4A7C15`. Distinct with overwhelming
/// probability, computable without storing.
///
/// # Examples
///
/// ```
/// use evacmap_lab::keys::{key, random_keys};
///
/// assert_eq!(random_keys(3, 7), [key(7, 0), key(7, 1), key(7, 2)]);
/// assert_ne!(key(7, 0), key(8, 0));
/// ```
#[inline]
pub fn key(seed: u64, i: u64) -> u64 {
    mix(seed.wrapping_add(i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15)))
}

/// The first `n` keys of the stream with this seed.
pub fn random_keys(n: usize, seed: u64) -> Vec<u64> {
    (0..n as u64).map(|i| key(seed, i)).collect()
}

/// Directory names of [`path_key`].
const DIRS: [&str; 16] = [
    "usr", "lib", "var", "log", "srv", "data", "home", "opt", "etc", "tmp", "cache", "spool",
    "share", "local", "run", "mnt",
];

/// A file-path-like string key derived from [`key`]`(seed, i)`:
/// `/<dir>/<dir>/<16 hex digits>.log`, 28 to 36 bytes, as a service's
/// path-keyed cache would hold.
///
/// # Examples
///
/// ```
/// let p = evacmap_lab::keys::path_key(1, 0);
/// assert!(p.starts_with('/') && p.ends_with(".log"));
/// assert_eq!(p, evacmap_lab::keys::path_key(1, 0));
/// ```
pub fn path_key(seed: u64, i: u64) -> String {
    let k = key(seed, i);
    format!(
        "/{}/{}/{k:016x}.log",
        DIRS[(k & 15) as usize],
        DIRS[((k >> 4) & 15) as usize]
    )
}

/// `n` distinct indices `0..n` in a fixed pseudo-random order
/// (Fisher–Yates driven by [`key`]).
pub fn shuffled_indices(n: usize, seed: u64) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        v.swap(i, (key(seed, i as u64) % (i as u64 + 1)) as usize);
    }
    v
}

/// The first command-line argument as a key count (default `default`;
/// `_` separators allowed), for the harnesses in `src/bin/`; prints the
/// usage of harness `name` and exits with status 2 on a bad value.
pub fn n_from_args(name: &str, default: usize) -> usize {
    match std::env::args().nth(1).map(|a| a.replace('_', "").parse()) {
        None => default,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: {name} [N]   (N > 0 keys, default {default})");
            std::process::exit(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Pinned: the Go peer (lab/go/) reproduces these.
        assert_eq!(key(1, 0), 0x910a_2dec_8902_5cc1);
        assert_eq!(path_key(1, 0), "/lib/share/910a2dec89025cc1.log");
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v = shuffled_indices(1000, 3);
        v.sort_unstable();
        assert_eq!(v, (0..1000).collect::<Vec<_>>());
    }
}
