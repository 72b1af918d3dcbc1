//! Smoke tests of the `lab` binary at a tiny size: the tables and files are
//! produced and parse; bad arguments give a clear error and the usage text,
//! never a panic. No assertion on time.

use std::path::PathBuf;
use std::process::Command;

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
    for name in [
        "evacmap",
        "evacmap/all_at_once",
        "hashbrown",
        "std",
        "evacmap/cursor_steps=4",
        "timer floor",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(name)),
            "no row for {name}:\n{stdout}"
        );
    }
    assert!(
        stdout.contains(&dir.display().to_string()),
        "output folder not named"
    );

    let summary = std::fs::read_to_string(dir.join("pause_summary.csv")).unwrap();
    let rows: Vec<Vec<&str>> = summary.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0][0], "map");
    assert_eq!(rows.len(), 7, "header, 5 maps, timer floor");
    for row in &rows[1..] {
        assert_eq!(row.len(), rows[0].len());
        let nums: Vec<u64> = row[1..6].iter().map(|v| v.parse().unwrap()).collect();
        assert!(
            nums.windows(2).all(|w| w[0] <= w[1]),
            "percentiles not ordered: {row:?}"
        );
    }
    let series = std::fs::read_to_string(dir.join("pause_series.csv")).unwrap();
    assert!(series.lines().skip(1).all(|l| l.split(',').count() == 3));
    let svg = std::fs::read_to_string(dir.join("pause.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<polyline"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_arguments_get_usage_not_a_panic() {
    for args in [
        &["pause", "--n", "zero"][..],
        &["pause", "--n", "0"],
        &["frobnicate"],
        &["pause", "--bogus"],
    ] {
        let out = lab().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("Usage"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn residency_writes_csv_and_svg_and_ticks_release() {
    let dir = out_dir("residency");
    let stdout = run_ok(&["residency", "--n", "3000"], &dir);
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
    assert!(held(&last("go")) > 0);
    assert_eq!(held(&last("go+tick")), 0);
    let burst_end = rows
        .iter()
        .find(|r| r[0] == "go" && r[1] == "reads")
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
    assert_eq!(rows.len(), 6, "4 maps, auto-shrink, header");
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
    assert!(rows.iter().any(|r| r[0] == "timer floor"));
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
    for map in [
        "evacmap",
        "evacmap/all_at_once",
        "dashmap",
        "RwLock<hashbrown>",
    ] {
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
            // Every map but dashmap reports its write-lock hold.
            assert_eq!(
                row[col("hold_max_ns")] == "n/a",
                map == "dashmap",
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
    assert_eq!(rows.len(), 6, "header and 5 maps");
    assert!(rows.iter().any(|r| r[0] == "evacmap/cursor_steps=4"));
    for row in &rows[1..] {
        assert!(row[1].parse::<f64>().unwrap() > 0.0, "{row:?}");
        if row[0].starts_with("evacmap") {
            assert!(
                row[5].parse::<f64>().unwrap() >= row[4].parse::<f64>().unwrap(),
                "peak >= now: {row:?}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn all_ends_with_a_summary_table() {
    let dir = out_dir("all");
    let stdout = run_ok(&["all", "--scale", "0.005"], &dir);
    assert!(stdout.contains("== summary"));
    let rows = csv_rows(&dir.join("summary.csv"));
    assert_eq!(rows[0][0], "map");
    let hb = rows.iter().find(|r| r[0] == "hashbrown").unwrap();
    assert_eq!(hb[1], "1.00");
    assert_eq!(hb[2], "1.00");
    for file in [
        "pause.svg",
        "residency.svg",
        "churn.svg",
        "drain.svg",
        "memory.csv",
    ] {
        assert!(dir.join(file).exists(), "{file} missing");
    }
    let bad = lab().args(["all", "--scale", "-1"]).output().unwrap();
    assert!(!bad.status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}
