//! Shared by the `overhead` and `lookup_cost` examples (included with
//! `#[path]`; not an example itself).

/// splitmix64: `n` distinct-enough pseudo-random keys from `seed`.
pub(crate) fn keys(n: usize, seed: u64) -> Vec<u64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
        .collect()
}

/// The first command-line argument as a key count (default 1,000,000;
/// `_` separators allowed); prints the usage of example `name` and exits
/// with status 2 on a bad value.
pub(crate) fn n_from_args(name: &str) -> usize {
    match std::env::args().nth(1).map(|a| a.replace('_', "").parse()) {
        None => 1_000_000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: {name} [N]   (N > 0 keys, default 1000000)");
            std::process::exit(2);
        }
    }
}
