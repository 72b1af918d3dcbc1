//! Go's own classic map as the lab's peer: the Go program reproduces the
//! lab's key generator bit for bit, and evacmap grows exactly where Go does
//! (`lab fidelity` at a small size). These tests need a Go with the
//! classic map (found as `lab` finds it: `GO`, `PATH`, or Debian's
//! `/usr/lib/go-1.19/bin/go`); without one they print why and pass.
//! `.ci/run` installs Go 1.19 first, so CI always runs them. The error
//! paths (a `--go` that is not a Go) run everywhere.

use std::process::Command;

use evacmap_lab::fidelity::{measure, tolerance};
use evacmap_lab::go::{Availability, GoPeer, find};
use evacmap_lab::keys::{key, path_key};

fn peer() -> Option<GoPeer> {
    match find(None).expect("GO, if set, names a usable Go") {
        Availability::Ready(p) => Some(p),
        Availability::Skipped(why) => {
            eprintln!("skipped: no Go with the classic map ({why})");
            None
        }
    }
}

#[test]
fn go_reproduces_the_key_streams() {
    let Some(go) = peer() else { return };
    for seed in [1u64, 7, u64::MAX] {
        let out = go
            .run(&[
                "-mode".into(),
                "keys".into(),
                "-n".into(),
                "100".into(),
                "-seed".into(),
                seed.to_string(),
            ])
            .unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 100);
        for (i, line) in lines.iter().enumerate() {
            let w: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(w[0], "KEY");
            assert_eq!(
                w[2].parse::<u64>().unwrap(),
                key(seed, i as u64),
                "seed {seed} key {i}"
            );
            assert_eq!(w[3], path_key(seed, i as u64), "seed {seed} path {i}");
        }
    }
}

/// Doubling growths start at the same insert in both maps, for every seed;
/// the writes each lasts agree within `fidelity::tolerance` (six standard
/// deviations of the difference of the two means, derived in the module
/// docs) for growths from 2^7 buckets up.
#[test]
fn evacmap_grows_where_go_grows() {
    let Some(go) = peer() else { return };
    let seeds = 3;
    let f = measure(&go, 100_000, 50_000, 1, seeds).unwrap();
    // 8, 13, 26, … 851: every doubling up to B = 14.
    assert_eq!(f.doublings.len(), 14, "{:?}", f.doublings);
    for r in &f.doublings {
        assert!(
            r.starts_match(),
            "B {}->{}: Go started at {:?}, evacmap at {:?}",
            r.old_b,
            r.new_b,
            r.go_starts,
            r.evac_starts
        );
        assert_eq!(r.go_writes.len(), seeds as usize);
        assert_eq!(r.evac_writes.len(), seeds as usize);
        if r.old_b >= 7 {
            let mean = |v: &[u64]| v.iter().sum::<u64>() as f64 / v.len() as f64;
            let (g, e) = (mean(&r.go_writes), mean(&r.evac_writes));
            let tol = tolerance(r.old_b, seeds);
            assert!(
                (g - e).abs() <= tol,
                "B {}->{}: writes per growth Go {g}, evacmap {e}, tolerance {tol}",
                r.old_b,
                r.new_b
            );
        }
    }
}

#[test]
fn a_go_that_is_not_a_go_is_a_clear_error() {
    let lab = || Command::new(env!("CARGO_BIN_EXE_lab"));
    let out = lab()
        .args(["pause", "--n", "100", "--go", "/nonexistent/go", "--out"])
        .arg(std::env::temp_dir().join("evacmap-go-peer-bad"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/nonexistent/go") && !err.contains("panicked"),
        "{err}"
    );
    // `true` exits 0 and prints no version.
    let out = lab()
        .args([
            "fidelity",
            "--n",
            "100",
            "--seeds",
            "1",
            "--go",
            "/bin/true",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read a Go version"), "{err}");
}
