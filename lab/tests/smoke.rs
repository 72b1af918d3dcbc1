//! Smoke tests of the `lab` binary at a tiny size: the tables and files are
//! produced and parse; every experiment's output has exactly the maps the
//! registry says it runs (Go's where a Go toolchain is found, see
//! `go_peer.rs`); `lab plot` redraws from the CSV files; bad arguments give
//! a clear error and the usage text, never a panic. No assertion on time.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use evacmap_lab::maps::go::GoPeers;
use evacmap_lab::maps::registry::{self, Experiment};

/// Go's maps as `lab` finds them (built once for all tests).
fn go() -> &'static GoPeers {
    static GO: OnceLock<GoPeers> = OnceLock::new();
    GO.get_or_init(|| evacmap_lab::maps::go::find(None).expect("GO, if set, names a usable Go"))
}

/// Asserts that the maps named in the first column of `rows` (header
/// first) are exactly those the registry gives `exp` here, plus `extra`
/// (rows that are not maps: floors, labelled variants).
fn assert_maps(rows: &[Vec<String>], exp: Experiment, extra: &[&str]) {
    let got: BTreeSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let mut want: BTreeSet<&str> = registry::maps_in(exp, go())
        .iter()
        .map(|m| m.name)
        .collect();
    want.extend(extra);
    assert_eq!(
        got, want,
        "{exp}: the maps in the output differ from the registry's"
    );
}

fn lab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lab"))
}

/// Runs `lab ARGS --out DIR`, asserts success, returns stdout.
fn run_ok(args: &[&str], dir: &std::path::Path) -> String {
    let out = lab().args(args).arg("--out").arg(dir).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evacmap-lab-smoke-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn pause_writes_table_csv_and_svg() {
    let dir = out_dir("pause");
    let stdout = run_ok(&["pause", "--n", "3000"], &dir);
    for name in registry::names_in(Experiment::Pause)
        .iter()
        .filter(|n| !n.starts_with("go"))
    {
        assert!(
            stdout.lines().any(|l| l.trim_start().starts_with(name)),
            "no row for {name}:\n{stdout}"
        );
    }
    assert!(
        stdout.contains(&dir.display().to_string()),
        "output folder not named"
    );
    let rows = csv_rows(&dir.join("pause_summary.csv"));
    assert_eq!(rows[0][0], "map");
    assert_maps(&rows, Experiment::Pause, &[]);
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    for row in &rows[1..] {
        assert_eq!(row.len(), rows[0].len());
        assert_eq!(row[col("processes")], "3", "--repeat's default: {row:?}");
        let nums: Vec<u64> = row[col("p50_ns")..=col("max_ns")]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        assert!(
            nums.windows(2).all(|w| w[0] <= w[1]),
            "percentiles not ordered: {row:?}"
        );
        let num = |c: &str| row[col(c)].parse::<f64>().unwrap();
        if row[0].starts_with("go") {
            assert_eq!(row[col("own_from")], "raw; events of 3", "{row:?}");
            assert_eq!(
                row[col("own_p99.9_ns")],
                "",
                "no per-insert minimum for Go: {row:?}"
            );
        } else {
            // The per-insert minimum is at most each process's latency, so
            // its maximum is at most the median of the maxima.
            assert_eq!(row[col("own_from")], "min of 3", "{row:?}");
            assert!(num("own_max_ns") <= num("max_ns"), "{row:?}");
            assert!(num("own_p99.9_ns") <= num("own_max_ns"), "{row:?}");
            assert!(num("own_floor_max_ns") <= num("floor_max_ns"), "{row:?}");
        }
    }
    if go().classic().is_some() {
        let events = csv_rows(&dir.join("pause_events.csv"));
        let starts = events
            .iter()
            .find(|r| r[0] == "go/gc_off" && r[1] == "growth_start")
            .expect("Go's classic map times its growth starts");
        assert_eq!(starts[2], "9", "8, 13, 26, … 1664: {starts:?}");
    }
    let slow = csv_rows(&dir.join("pause_slow.csv"));
    assert!(slow.iter().skip(1).all(|l| l.len() == 3));
    let starts = csv_rows(&dir.join("pause_growth_starts.csv"));
    // evacmap's growth starts at 3000 keys: inserts 8, 13, 26, … 1664.
    let growths = |map: &str| -> Vec<String> {
        starts
            .iter()
            .filter(|r| r[0] == map)
            .map(|r| r[1].clone())
            .collect()
    };
    let go_classic = ["8", "13", "26", "52", "104", "208", "416", "832", "1664"];
    assert_eq!(growths("evacmap"), go_classic);
    if go().classic().is_some() {
        assert_eq!(
            growths("go/gc_off"),
            go_classic,
            "Go's classic map grows where evacmap does"
        );
    }
    if go().get(evacmap_lab::maps::go::Flavour::Swiss).is_some() {
        // The Swiss map's directory doubles as tables split: a few times
        // in 3,000 inserts, never at a classic growth point.
        let swiss = growths("go-swiss/gc_off");
        assert!(!swiss.is_empty() && swiss.iter().all(|g| !go_classic.contains(&g.as_str())));
    }
    let curves = csv_rows(&dir.join("pause_curves.csv"));
    assert!(curves.iter().any(|r| r[0] == "timer floor"));
    assert!(curves.iter().any(|r| r[0] == "timer floor (own)"));
    assert!(
        !dir.join("traces").read_dir().unwrap().any(|_| true),
        "traces are deleted once reduced"
    );
    for svg in ["pause.svg", "pause_timeline.svg"] {
        let svg = std::fs::read_to_string(dir.join(svg)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<polyline") || svg.contains("<circle"));
    }
    // `lab plot` redraws both from the CSV files alone.
    std::fs::remove_file(dir.join("pause.svg")).unwrap();
    let out = lab().arg("plot").arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("pause"), "{stdout}");
    assert!(dir.join("pause.svg").exists());
    // `--out` does not apply to `plot`, and says so.
    let out = lab()
        .args(["plot", "--out", "/tmp/x"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("do not apply"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_arguments_get_usage_not_a_panic() {
    for args in [
        &["pause", "--n", "zero"][..],
        &["pause", "--n", "0"],
        &["frobnicate"],
        &["pause", "--bogus"],
        &["pause", "--repeat", "0"],
    ] {
        let out = lab().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("Usage"), "{args:?}: {stderr}");
        assert_eq!(stderr.matches("Usage").count(), 1, "usage once: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let help = lab().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("runs `all`"), "{help}");
    assert!(
        help.contains("lookup-profile") && help.contains("lookup_cost"),
        "{help}"
    );
    let version = lab().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("lab "));
}

/// The own-latency filter through real processes: 3 timed builds of the
/// same keys, a cost spun inside insert 7,000 of every one (50 ms: far
/// above hashbrown's own rehashes even in a debug build on a loaded
/// machine), and a stall spun inside a random insert of one of them
/// (200 ms). The per-insert minimum
/// keeps the cost (it is the own worst insert) and drops the stall.
#[test]
fn own_latency_keeps_recurring_cost_and_drops_a_stall() {
    const COST: u64 = 50_000_000;
    const STALL: u64 = 200_000_000;
    let dir = out_dir("own");
    std::fs::create_dir_all(&dir).unwrap();
    let n = 20_000u64;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let stall_at = 100 + nanos % (n - 200);
    let stall_at = if stall_at == 7_000 { 7_001 } else { stall_at };
    let mut paths = Vec::new();
    for p in 0..3 {
        let path = dir.join(format!("{p}.trace"));
        let inject = if p == 1 {
            let mut both = [(7_000, COST), (stall_at, STALL)];
            both.sort();
            format!("{}:{},{}:{}", both[0].0, both[0].1, both[1].0, both[1].1)
        } else {
            format!("7000:{COST}")
        };
        let out = lab()
            .args(["child", "--map", "hashbrown", "--mode", "pause"])
            .args(["--n", &n.to_string(), "--inject", &inject, "--trace"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        paths.push(path);
    }
    let r = evacmap_lab::run::trace::reduce(&paths, n).unwrap();
    assert_eq!(
        r.inserts.argmax, 7_000,
        "the recurring cost is the own worst"
    );
    assert!(r.inserts.max_ns >= COST, "{}", r.inserts.max_ns);
    assert!(
        r.inserts
            .top
            .iter()
            .all(|&(i, ns)| i != stall_at || ns < STALL),
        "the stall at insert {stall_at} was kept: {:?}",
        r.inserts.top
    );
    assert!(
        r.inserts.over[0] < 50,
        "own inserts over 30 µs: {}",
        r.inserts.over[0]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--repeat 1` runs, with raw figures only, and says why.
#[test]
fn one_process_says_the_filter_needs_two() {
    let dir = out_dir("repeat1");
    let out = lab()
        .args(["pause", "--n", "2000", "--repeat", "1", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("own figures need --repeat 2"), "{stderr}");
    let rows = csv_rows(&dir.join("pause_summary.csv"));
    let from = rows[0].iter().position(|h| h == "own_from").unwrap();
    assert!(
        rows[1..].iter().all(|r| r[from].starts_with("raw")),
        "{rows:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn residency_writes_csv_and_svg_and_ticks_release() {
    let dir = out_dir("residency");
    let stdout = run_ok(&["residency", "--n", "3000"], &dir);
    assert!(stdout.contains("burst of 3k keys"), "{stdout}");
    assert!(
        stdout.contains(&format!("output: {}", dir.display())),
        "folder not named: {stdout}"
    );
    let csv = std::fs::read_to_string(dir.join("residency.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "map",
            "phase",
            "op",
            "micros",
            "old_bytes_held",
            "old_buckets_pending",
            "lookups_in_old"
        ]
    );
    let last = |map: &str| rows.iter().rev().find(|r| r[0] == map).unwrap().clone();
    let held = |r: &Vec<&str>| r[4].parse::<u64>().unwrap();
    // Reads never evacuate: the Go map still holds its old buckets at the
    // end. 50 idle ticks of at least one 16-bucket batch each release the
    // few hundred old buckets of this size.
    assert!(held(&last("evacmap")) > 0);
    assert_eq!(held(&last("evacmap+tick")), 0);
    if rows.iter().any(|r| r[0] == "go/gc_off") {
        // Go's map cannot evacuate without a write.
        assert!(held(&last("go/gc_off")) > 0);
    }
    let mut maps: Vec<Vec<String>> = vec![vec!["map".into()]];
    maps.extend(rows.iter().skip(1).map(|r| vec![r[0].to_string()]));
    maps.dedup();
    assert_maps(&maps, Experiment::Residency, &["evacmap+tick"]);
    // Both evacmap runs idle for 50 ticks of 1 ms.
    let micros = |r: &Vec<&str>| r[3].parse::<u64>().unwrap();
    let idle = |map: &str| {
        let r: Vec<_> = rows
            .iter()
            .filter(|r| r[0] == map && r[1] == "idle")
            .collect();
        micros(r.last().unwrap()) - micros(r.first().unwrap())
    };
    assert!(idle("evacmap+tick") >= 45_000, "ticks sleep out their ms");
    assert!(idle("evacmap") >= 45_000);
    let burst_end = rows
        .iter()
        .find(|r| r[0] == "evacmap" && r[1] == "reads")
        .unwrap();
    assert!(
        burst_end[6].parse::<u64>().unwrap() > 0,
        "reads consulted old buckets"
    );
    assert!(
        std::fs::read_to_string(dir.join("residency.svg"))
            .unwrap()
            .contains("<polyline")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn csv_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

#[test]
fn churn_keeps_size_and_writes_files() {
    let dir = out_dir("churn");
    let stdout = run_ok(&["churn", "--n", "2000", "--m", "20000"], &dir);
    assert!(
        stdout.contains(&format!("output: {}", dir.display())),
        "folder not named: {stdout}"
    );
    let rows = csv_rows(&dir.join("churn_summary.csv"));
    assert_maps(&rows, Experiment::Churn, &[]);
    let auto = rows.iter().find(|r| r[0] == "evacmap/auto_shrink").unwrap();
    assert_eq!(auto[6], "0", "no shrink at a constant size: {auto:?}");
    for row in &rows[1..] {
        assert!(row[1].parse::<f64>().unwrap() > 0.0, "{row:?}");
    }
    assert!(csv_rows(&dir.join("churn.csv")).len() > 1);
    assert!(
        std::fs::read_to_string(dir.join("churn.svg"))
            .unwrap()
            .contains("<polyline")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn drain_shrinks_and_writes_files() {
    let dir = out_dir("drain");
    let stdout = run_ok(&["drain", "--n", "40000", "--m", "20000"], &dir);
    assert!(stdout.contains(&format!("output: {}", dir.display())));
    let rows = csv_rows(&dir.join("drain_summary.csv"));
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = |map: &str| rows.iter().find(|r| r[0] == map).unwrap().clone();
    let end_over_peak = |map: &str| row(map)[col("end/peak")].parse::<f64>().unwrap();
    // Go's policy keeps the big array; the shrinking variants give most
    // of it back (byte counts, not timings).
    assert_eq!(row("evacmap")[col("shrinks")], "0");
    assert!(end_over_peak("evacmap") > 0.5, "{rows:?}");
    for map in [
        "evacmap/auto_shrink",
        "evacmap+shrink_to_fit",
        "hashbrown+shrink_to_fit",
    ] {
        assert!(end_over_peak(map) < 0.25, "{map}: {rows:?}");
    }
    assert!(
        row("evacmap/auto_shrink")[col("shrinks")]
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // hashbrown runs with its shrink_to_fit call only.
    let mut maps = rows.clone();
    for r in &mut maps {
        if r[0] == "hashbrown+shrink_to_fit" {
            r[0] = "hashbrown".into();
        }
    }
    assert_maps(
        &maps,
        Experiment::Drain,
        &["evacmap+shrink_to_fit", "timer floor"],
    );
    assert!(csv_rows(&dir.join("drain.csv")).len() > 100);
    assert!(
        std::fs::read_to_string(dir.join("drain.svg"))
            .unwrap()
            .contains("<polyline")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn concurrent_reports_every_map_and_thread_count() {
    let dir = out_dir("concurrent");
    let stdout = run_ok(&["concurrent", "--n", "30000"], &dir);
    assert!(stdout.contains(&format!("output: {}", dir.display())));
    let rows = csv_rows(&dir.join("concurrent_summary.csv"));
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut maps: Vec<Vec<String>> = rows.clone();
    maps.dedup_by(|a, b| a[0] == b[0]);
    assert_maps(&maps, Experiment::Concurrent, &["timer floor"]);
    for map in registry::names_in(Experiment::Concurrent) {
        for readers in ["1", "3"] {
            let row = rows
                .iter()
                .find(|r| r[0] == map && r[col("readers")] == readers)
                .unwrap_or_else(|| panic!("no row for {map} with {readers} readers: {rows:?}"));
            let p: Vec<u64> = ["read_p50_ns", "read_p99_ns", "read_p99.9_ns", "read_max_ns"]
                .iter()
                .map(|c| row[col(c)].parse().unwrap())
                .collect();
            assert!(p.windows(2).all(|w| w[0] <= w[1]), "{row:?}");
            assert!(row[col("lookups")].parse::<u64>().unwrap() > 0);
            // Every map but dashmap and papaya reports its write-lock hold.
            assert_eq!(
                row[col("hold_max_ns")] == "n/a",
                map == "dashmap" || map == "papaya/concurrent",
                "{row:?}"
            );
        }
    }
    assert!(rows.iter().any(|r| r[0] == "timer floor"));
    assert!(csv_rows(&dir.join("concurrent_timeline.csv")).len() > 1);
    for svg in ["concurrent_1r.svg", "concurrent_3r.svg"] {
        assert!(
            std::fs::read_to_string(dir.join(svg))
                .unwrap()
                .contains("<polyline")
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn memory_reports_every_map() {
    let dir = out_dir("memory");
    let stdout = run_ok(&["memory", "--n", "20000"], &dir);
    assert!(
        stdout.contains(&format!("output: {}", dir.display())),
        "folder not named: {stdout}"
    );
    assert!(
        std::fs::read_to_string(dir.join("memory.svg"))
            .unwrap()
            .contains("<rect")
    );
    let rows = csv_rows(&dir.join("memory.csv"));
    assert_maps(&rows, Experiment::Memory, &[]);
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    for row in &rows[1..] {
        assert!(
            row[col("peak_rss_MiB")].parse::<f64>().unwrap() > 0.0,
            "{row:?}"
        );
        if row[0].starts_with("evacmap") {
            let now = row[col("bytes_allocated_MiB")].parse::<f64>().unwrap();
            let peak = row[col("peak_bytes_allocated_MiB")].parse::<f64>().unwrap();
            assert!(peak >= now, "peak >= now: {row:?}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The default run at its smallest size: every experiment that can run
/// here, lines that fit a 120-column terminal, tables in human units, and
/// an end a newcomer can act on (the noise verdict, then every plot by
/// path and how to redraw them).
#[test]
fn all_ends_with_a_summary_table() {
    let dir = out_dir("all");
    let stdout = run_ok(&["all", "--scale", "0.005"], &dir);
    assert!(stdout.contains("== summary"));
    for line in stdout.lines() {
        assert!(
            line.chars().count() <= 120,
            "wider than 120 columns: {line:?}"
        );
    }
    for section in [
        "== pause",
        "== throughput",
        "== memory",
        "== scaling",
        "== frontier",
        "== attribute",
        "== residency",
        "== churn",
        "== drain",
        "== concurrent",
        "== soak skipped",
    ] {
        assert!(stdout.contains(section), "no {section:?} section");
    }
    assert!(
        stdout.contains("== fidelity"),
        "fidelity runs, or says why it is skipped"
    );
    // Human units, not raw nanoseconds, in the printed tables.
    let summary = stdout.split("== summary").nth(1).unwrap();
    assert!(
        summary.contains(" µs") || summary.contains(" ns"),
        "{summary}"
    );
    assert!(
        !summary.lines().any(|l| l
            .split_whitespace()
            .any(|w| w.len() > 7 && w.bytes().all(|b| b.is_ascii_digit()))),
        "a raw number in {summary}"
    );
    // The end: the verdict, then the plots.
    let verdict = stdout.find("Noise verdict:").expect("a noise verdict");
    let plots = stdout.find("plots (").expect("the list of plots");
    assert!(verdict < plots, "the verdict comes before the plots");
    let tail = &stdout[plots..];
    assert!(
        tail.contains("lab plot") && tail.contains("pause.svg") && tail.contains("throughput.svg")
    );
    let rows = csv_rows(&dir.join("summary.csv"));
    assert!(
        rows.iter().any(|r| r[0] == "noise verdict"
            && r[1].trim_start_matches('"').starts_with("Noise verdict:")),
        "summary.csv carries the verdict"
    );
    assert_eq!(rows[0][0], "map");
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let hb = rows.iter().find(|r| r[0] == "hashbrown").unwrap();
    for c in [
        "build_vs_hb",
        "hit_vs_hb",
        "miss_vs_hb",
        "path_hit_vs_hb",
        "churn_vs_hb",
    ] {
        assert_eq!(hb[col(c)], "1.00", "{c}: {hb:?}");
    }
    for map in ["evacmap", "griddle", "papaya", "std"] {
        assert!(rows.iter().any(|r| r[0] == map), "no {map} row");
    }
    for file in [
        "pause.svg",
        "residency.svg",
        "churn.svg",
        "drain.svg",
        "memory.csv",
        "throughput.csv",
    ] {
        assert!(dir.join(file).exists(), "{file} missing");
    }
    let bad = lab().args(["all", "--scale", "-1"]).output().unwrap();
    assert!(!bad.status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn throughput_reports_every_map_and_honours_maps() {
    let dir = out_dir("throughput");
    run_ok(&["throughput", "--n", "5000", "--rounds", "1"], &dir);
    let rows = csv_rows(&dir.join("throughput.csv"));
    assert_maps(&rows, Experiment::Throughput, &[]);
    run_ok(
        &[
            "throughput",
            "--n",
            "5000",
            "--rounds",
            "2",
            "--maps",
            "evacmap,hashbrown",
        ],
        &dir,
    );
    let rows = csv_rows(&dir.join("throughput.csv"));
    assert_eq!(rows.len(), 3, "{rows:?}");
    let bad = lab()
        .args(["throughput", "--n", "10", "--maps", "nope", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no map \"nope\""));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn frontier_marks_its_pareto_fronts() {
    let dir = out_dir("frontier");
    run_ok(&["frontier", "--n", "20000", "--rounds", "1"], &dir);
    let rows = csv_rows(&dir.join("frontier.csv"));
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    // The registry's maps, and every swept setting of evacmap.
    let settings: Vec<String> = evacmap_lab::experiments::frontier::STEPS
        .iter()
        .map(|&s| evacmap_lab::experiments::frontier::setting_name(s))
        .filter(|n| registry::spec(n).is_none())
        .collect();
    let extra: Vec<&str> = settings.iter().map(String::as_str).collect();
    assert_maps(&rows, Experiment::Frontier, &extra);
    for r in &rows[1..] {
        // The fronts rest on own figures: every map has an own worst insert.
        assert_ne!(r[col("own_max_ns")], "-", "{r:?}");
    }
    for front in ["front_build_max", "front_p99_p999"] {
        assert!(
            rows.iter().any(|r| r[col(front)] == "yes"),
            "{front} is empty"
        );
    }
    // Residency shrinks as the budget grows: Go's setting holds its old
    // arrays for more writes than 256 steps per write.
    let held = |m: &str| -> f64 {
        rows.iter().find(|r| r[0] == m).unwrap()[col("held_writes")]
            .parse()
            .unwrap()
    };
    assert!(held("evacmap") > held("evacmap/cursor_steps=256"));
    assert_eq!(
        rows.iter().find(|r| r[0] == "hashbrown").unwrap()[col("held_writes")],
        "-"
    );
    for svg in ["frontier_build_max.svg", "frontier_p99.svg"] {
        assert!(
            std::fs::read_to_string(dir.join(svg))
                .unwrap()
                .contains("<circle")
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn scaling_measures_every_size_and_map() {
    let dir = out_dir("scaling");
    run_ok(&["scaling", "--largest", "100000"], &dir);
    let rows = csv_rows(&dir.join("scaling.csv"));
    for keys in ["10000", "100000"] {
        let mut at: Vec<Vec<String>> = vec![rows[0].clone()];
        at.extend(rows.iter().filter(|r| r[1] == keys).cloned());
        assert_maps(&at, Experiment::Scaling, &[]);
    }
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    for r in &rows[1..] {
        let (p999, max): (f64, f64) = (
            r[col("p99.9_ns")].parse().unwrap(),
            r[col("max_ns")].parse().unwrap(),
        );
        assert!(p999 <= max, "{r:?}");
        let own: f64 = r[col("own_max_ns")].parse().unwrap();
        assert!(own > 0.0, "{r:?}");
    }
    let growth = csv_rows(&dir.join("scaling_growth.csv"));
    assert_eq!(
        growth.len(),
        1,
        "no exponent from sizes below 10^6: {growth:?}"
    );
    assert!(
        std::fs::read_to_string(dir.join("scaling.svg"))
            .unwrap()
            .contains("<polyline")
    );
    let bad = lab()
        .args(["scaling", "--largest", "50000"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("power of ten"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn attribute_explains_slow_inserts() {
    let dir = out_dir("attribute");
    // A threshold of 0 µs makes every insert "slow": each one is explained,
    // and the growth starts of 20,000 inserts are among them.
    let stdout = run_ok(&["attribute", "--n", "20000", "--threshold-us", "0"], &dir);
    assert!(stdout.contains("20000 of 20000 inserts"), "{stdout}");
    let rows = csv_rows(&dir.join("attribute.csv"));
    assert_eq!(rows.len(), 3 * 20_000 + 1, "every insert of 3 processes");
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let starts = rows
        .iter()
        .filter(|r| r[col("process")] == "0" && r[col("causes")].contains("growth_start"))
        .count();
    assert_eq!(starts, 12, "growths from 8 to 13,312 entries");
    // The own worst inserts, each explained from all three processes.
    let own = csv_rows(&dir.join("attribute_own.csv"));
    assert_eq!(own.len(), 11, "{own:?}");
    let raw = own[0].iter().position(|h| h == "raw_ns").unwrap();
    assert!(
        own[1..].iter().all(|r| r[raw].split(' ').count() == 3),
        "{own:?}"
    );
    assert!(stdout.contains("worst own inserts"), "{stdout}");
    let bad = lab()
        .args(["attribute", "--n", "10", "--map", "hashbrown", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad.stderr).contains("needs an evacmap"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn soak_finds_every_write() {
    let dir = out_dir("soak");
    let stdout = run_ok(&["soak", "--secs", "2"], &dir);
    assert!(stdout.contains("no lost or phantom write"), "{stdout}");
    assert!(csv_rows(&dir.join("soak.csv")).len() > 4);
    assert!(
        std::fs::read_to_string(dir.join("soak.svg"))
            .unwrap()
            .contains("<polyline")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn maps_and_plot_explain_themselves() {
    let out = lab().arg("maps").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for m in registry::MAPS {
        assert!(text.contains(m.name), "{} missing from `lab maps`", m.name);
    }
    assert!(text.contains("a Swiss map keeps no old array and has no growth to compare:"));
    assert!(
        text.contains("    go-swiss/gc_off: residency, fidelity"),
        "{text}"
    );
    // Each reason once.
    assert_eq!(
        text.matches("a Swiss map keeps no old array").count(),
        1,
        "{text}"
    );
    // Where each of Go's maps comes from, or why it is skipped.
    assert_eq!(
        text.lines().filter(|l| l.starts_with("go: Go's")).count(),
        2,
        "{text}"
    );
    let empty = out_dir("plot-empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = lab().arg("plot").arg(&empty).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no experiment's CSV files"));
    std::fs::remove_dir_all(&empty).unwrap();
}
