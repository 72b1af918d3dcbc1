//! Latency records and the statistics every experiment reports:
//! histograms (`hdrhistogram`), quantiles, latency-by-percentile curves
//! and medians.

use hdrhistogram::Histogram;

/// A nanosecond histogram from 1 ns to 100 s at 3 significant digits
/// (values above are clamped, never dropped).
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000_000, 3).expect("valid bounds")
}

/// Every latency of one run, kept as a histogram (not a list: 10M inserts
/// would take 80 MB per map), plus the exact sum and maximum with the
/// index it happened at, and the operations slower than a threshold (for
/// the timeline plot).
#[derive(Clone, Debug)]
pub struct LatencyLog {
    /// All latencies.
    pub hist: Histogram<u64>,
    /// Sum of all latencies (ns).
    pub sum_ns: u128,
    /// The largest latency.
    pub max_ns: u64,
    /// Index (0-based) of the first operation with the largest latency.
    pub argmax: u64,
    /// Operations recorded so far.
    pub count: u64,
    /// `(index, ns)` of operations slower than `slow_ns`, at most
    /// `SLOW_CAP` of them.
    pub slow: Vec<(u64, u64)>,
    /// The threshold for `slow`.
    pub slow_ns: u64,
}

/// Most slow operations a [`LatencyLog`] keeps.
const SLOW_CAP: usize = 200_000;

impl LatencyLog {
    /// An empty log keeping operations slower than `slow_ns`.
    pub fn new(slow_ns: u64) -> LatencyLog {
        LatencyLog {
            hist: new_histogram(),
            sum_ns: 0,
            max_ns: 0,
            argmax: 0,
            count: 0,
            slow: Vec::new(),
            slow_ns,
        }
    }

    /// Records the next operation's latency.
    #[inline]
    pub fn record(&mut self, ns: u64) {
        self.hist.saturating_record(ns.max(1));
        self.sum_ns += u128::from(ns);
        if ns > self.max_ns {
            self.max_ns = ns;
            self.argmax = self.count;
        }
        if ns > self.slow_ns && self.slow.len() < SLOW_CAP {
            self.slow.push((self.count, ns));
        }
        self.count += 1;
    }

    /// Mean latency (ns).
    pub fn mean_ns(&self) -> f64 {
        self.sum_ns as f64 / self.count.max(1) as f64
    }

    /// The latency at quantile `q` (0..=1), within 0.1%; the exact maximum
    /// at 1.
    pub fn quantile(&self, q: f64) -> u64 {
        if q >= 1.0 {
            self.max_ns
        } else {
            // The histogram reports a bucket's highest equivalent value,
            // which can exceed the exact maximum by 0.1%.
            self.hist.value_at_quantile(q).min(self.max_ns)
        }
    }
}

/// The percentiles of a latency-by-percentile plot, as "nines": x = 0 is
/// p0, 1 is p90, 2 p99, 3 p99.9, …
pub const NINES: [f64; 9] = [0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];

/// A log's latency-by-percentile curve: `(nines, ns)` at each of [`NINES`]
/// below `log10(count)`, then the maximum at `log10(count)` (the Go peer
/// prints the same points as `CURVE` lines).
pub fn percentile_curve(log: &LatencyLog) -> Vec<(f64, f64)> {
    curve(log.count, log.max_ns, |q| log.quantile(q))
}

/// The latency-by-percentile curve of `count` latencies whose maximum is
/// `max` and whose quantile `q` is `quantile(q)` (see [`percentile_curve`]).
pub fn curve(count: u64, max: u64, quantile: impl Fn(f64) -> u64) -> Vec<(f64, f64)> {
    let max_nines = (count.max(2) as f64).log10();
    let mut pts: Vec<(f64, f64)> = NINES
        .iter()
        .filter(|&&n| n < max_nines)
        .map(|&n| (n, quantile(1.0 - 10f64.powf(-n)) as f64))
        .collect();
    pts.push((max_nines, max as f64));
    pts
}

/// The percentiles every latency table shows, with their column names.
pub const QUANTILES: [(&str, f64); 6] = [
    ("p50_ns", 0.5),
    ("p99_ns", 0.99),
    ("p99.9_ns", 0.999),
    ("p99.99_ns", 0.9999),
    ("max_ns", 1.0),
    ("mean_ns", f64::NAN),
];

/// Index of `max_ns` in [`QUANTILES`].
pub const MAX: usize = 4;

/// The median of `v` (the upper one for an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_log_keeps_the_maximum_and_its_index() {
        let mut log = LatencyLog::new(100);
        for ns in [5, 50, 500, 7] {
            log.record(ns);
        }
        assert_eq!((log.max_ns, log.argmax, log.count), (500, 2, 4));
        assert_eq!(log.slow, [(2, 500)]);
        assert_eq!(log.quantile(1.0), 500);
        assert!((log.mean_ns() - 140.5).abs() < 1e-9);
    }
}
