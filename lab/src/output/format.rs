//! Human units for tables and plot ticks, and progress bars.

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar on stderr for `len` steps of one phase (hidden when
/// stderr is not a terminal, as in CI and tests).
pub fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:<40} {wide_bar} {pos}/{len} ({elapsed})")
            .expect("valid template"),
    );
    bar.set_message(what.to_string());
    bar
}

/// `ns` in a human unit with three significant digits: `850 ns`,
/// `2.91 µs`, `31.1 µs`, `151 µs`, `4.56 ms`, `1.20 s`.
pub fn fmt_ns(ns: f64) -> String {
    let three = |v: f64| {
        if v < 10.0 {
            format!("{v:.2}")
        } else if v < 100.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.0}")
        }
    };
    if ns < 999.5 {
        format!("{ns:.0} ns")
    } else if ns < 999_500.0 {
        format!("{} µs", three(ns / 1e3))
    } else if ns < 999_500_000.0 {
        format!("{} ms", three(ns / 1e6))
    } else {
        format!("{} s", three(ns / 1e9))
    }
}

/// `bytes` in a human unit (B, KiB, MiB, GiB).
pub fn fmt_bytes(bytes: f64) -> String {
    const K: f64 = 1024.0;
    if bytes < K {
        format!("{bytes:.0} B")
    } else if bytes < K * K {
        format!("{} KiB", short(bytes / K))
    } else if bytes < K * K * K {
        format!("{} MiB", short(bytes / (K * K)))
    } else {
        format!("{:.1} GiB", bytes / (K * K * K))
    }
}

/// A count with a k/M suffix (`900k`, `10M`).
pub fn fmt_count(n: f64) -> String {
    if n >= 1e6 {
        format!("{}M", trim(n / 1e6))
    } else if n >= 1e3 {
        format!("{}k", trim(n / 1e3))
    } else {
        format!("{n:.0}")
    }
}

/// A whole number with thousands separators (`1,234,567`).
pub fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// One decimal below 10 (`1.4`, `9`), none above (`437`).
fn short(x: f64) -> String {
    if x < 10.0 { trim(x) } else { format!("{x:.0}") }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.1}");
    s.trim_end_matches(".0").to_string()
}

/// What the y axis of a plot holds, for its tick labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Nanoseconds, shown as ns/µs/ms/s.
    Nanos,
    /// Bytes, shown as KiB/MiB/GiB.
    Bytes,
    /// A plain count, shown with k/M.
    Count,
    /// A ratio, shown with two decimals.
    Ratio,
}

impl Unit {
    pub(crate) fn fmt(self, v: f64) -> String {
        match self {
            Unit::Nanos => fmt_ns(v),
            Unit::Bytes => fmt_bytes(v),
            Unit::Count => fmt_count(v),
            Unit::Ratio => format!("{v:.2}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(fmt_ns(850.0), "850 ns");
        assert_eq!(fmt_ns(12_300.0), "12.3 µs");
        assert_eq!(fmt_ns(2_906.0), "2.91 µs");
        assert_eq!(fmt_ns(151_183.0), "151 µs");
        assert_eq!(fmt_ns(999_700.0), "1.00 ms");
        assert_eq!(fmt_ns(1_200_000_000.0), "1.20 s");
        assert_eq!(fmt_ns(4_560_000.0), "4.56 ms");
        assert_eq!(fmt_bytes(3.0 * 1024.0 * 1024.0), "3 MiB");
        assert_eq!(fmt_bytes(1.5 * 1024.0 * 1024.0), "1.5 MiB");
        assert_eq!(fmt_bytes(436.8 * 1024.0 * 1024.0), "437 MiB");
        assert_eq!(fmt_count(900_000.0), "900k");
        assert_eq!(fmt_count(10_000_000.0), "10M");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(999.0), "999");
    }
}
