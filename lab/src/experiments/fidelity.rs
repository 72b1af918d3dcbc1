//! `lab fidelity`: does evacmap grow like Go's classic map? The same
//! writes go to both: `n` inserts of the lab's keys into a new map, then
//! `churn` pairs that insert a new key and delete the oldest (constant
//! size, which makes Go start same-size growths). Go's side reads its map
//! header after every write (`lab/go/`, `-mode trace`); evacmap's side asks
//! the map. Per growth: where it started in both (doubling growths start
//! at a count, so the indices must match exactly), `B` before and after,
//! the writes until the old array was gone, and the residency (old-array
//! bytes times writes).
//!
//! The hashes differ (Go seeds its own), so the writes a growth lasts agree
//! only in distribution. Both maps evacuate the written bucket plus one at
//! the cursor per write, so a growth from `2^oldB = N` buckets lasts about
//! `N ln 2` writes (the cursor's speed after `w` writes is `e^(w/N)`
//! buckets per write, since a fraction `1 - e^(-w/N)` of the buckets ahead
//! of it has already been hit at random; it reaches `N` at `w = N ln 2`),
//! with a standard deviation that simulation puts at `0.23 √N` (0.22–0.26
//! for `N` from 16 to 65,536; `lab/README.md`). [`tolerance`] turns that
//! into the bound the test asserts.

use std::collections::BTreeMap;
use std::path::Path;

use evacmap::Policy;

use crate::Res;
use crate::keys::key;
use crate::maps::evacmap;
use crate::maps::go::GoPeer;
use crate::output::charts::{LinePlot, Series, plot_lines};
use crate::output::{Table, Unit, out_dir, read_csv};

/// One growth of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Growth {
    /// "double" or "same" (size).
    pub kind: String,
    /// Index (0-based) of the write that started it.
    pub start: u64,
    /// `B` before and after.
    pub old_b: u8,
    /// `B` after.
    pub new_b: u8,
    /// Writes until the old array was gone (the growth ended), counting the
    /// write that started it when that write also ended it (0 otherwise
    /// impossible: `end - start`, at least 0).
    pub writes: Option<u64>,
    /// Sum over the writes of the growth of the old-array bytes held after
    /// each (bytes × writes).
    pub residency: f64,
}

/// Bytes of one `u64 -> u64` bucket (in both maps: 8 tophash bytes, 8 keys,
/// 8 values, the overflow link).
const BUCKET_BYTES: f64 = 144.0;

/// Go's old-array bytes for a growth from `2^old_b` buckets: primary
/// buckets plus the overflow pool (before size-class rounding).
fn go_old_bytes(old_b: u8) -> f64 {
    let n = 1u64 << old_b;
    let pool = if old_b >= 4 { 1u64 << (old_b - 4) } else { 0 };
    (n + pool) as f64 * BUCKET_BYTES
}

/// Parses the Go peer's `TRACE` lines.
fn parse_trace(out: &str) -> Res<Vec<Growth>> {
    let mut v = Vec::new();
    for line in out.lines().filter(|l| l.starts_with("TRACE ")) {
        let w: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("go trace: bad line {line:?}");
        if w.len() != 6 {
            return Err(bad().into());
        }
        let int = |i: usize| w[i].parse::<i64>().map_err(|_| bad());
        let (start, old_b, new_b, end) = (int(2)?, int(3)?, int(4)?, int(5)?);
        let writes = (end >= 0).then(|| (end - start) as u64);
        v.push(Growth {
            kind: w[1].to_string(),
            start: start as u64,
            old_b: old_b as u8,
            new_b: new_b as u8,
            writes,
            residency: writes.map_or(0.0, |w| w as f64 * go_old_bytes(old_b as u8)),
        });
    }
    Ok(v)
}

/// Go's growths for one seed.
///
/// # Errors
///
/// The Go peer failing, or output that does not parse.
pub fn go_growths(go: &GoPeer, n: u64, churn: u64, seed: u64) -> Res<Vec<Growth>> {
    let out = go.run(&[
        "-mode".into(),
        "trace".into(),
        "-n".into(),
        n.to_string(),
        "-m".into(),
        churn.to_string(),
        "-seed".into(),
        seed.to_string(),
    ])?;
    let g = parse_trace(&out)?;
    if g.is_empty() && n > 8 {
        return Err("go trace: no growth reported".into());
    }
    Ok(g)
}

/// Follows an evacmap's growths write by write.
struct Tracker {
    growths: Vec<Growth>,
    open: Option<Growth>,
    write: u64,
    last_b: Option<u8>,
}

impl Tracker {
    /// Looks at the map after write number `self.write`.
    fn observe(&mut self, map: &evacmap::EvacMap<u64, u64, crate::keys::Hasher>) {
        let b = map.bucket_log2();
        let progress = map.phase().progress();
        if let Some(g) = self.open.as_mut() {
            g.residency += map.instruments().stats().old_bytes_held as f64;
            if progress.is_none() {
                g.writes = Some(self.write - g.start);
                self.growths.push(self.open.take().expect("open"));
            }
        } else if let Some(p) = progress {
            let same = p.kind == evacmap::EvacuationKind::SameSize;
            let new_b = b.unwrap_or(0);
            self.open = Some(Growth {
                kind: if same { "same" } else { "double" }.into(),
                start: self.write,
                old_b: if same { new_b } else { new_b.saturating_sub(1) },
                new_b,
                writes: None,
                residency: map.instruments().stats().old_bytes_held as f64,
            });
        } else if b != self.last_b && self.last_b.is_some() {
            // Started and finished within this write (1 or 2 old buckets).
            self.growths.push(Growth {
                kind: "double".into(),
                start: self.write,
                old_b: self.last_b.unwrap_or(0),
                new_b: b.unwrap_or(0),
                writes: Some(0),
                residency: 0.0,
            });
        }
        self.last_b = b;
        self.write += 1;
    }
}

/// evacmap's growths for the same writes (Go's policy).
pub fn evacmap_growths(n: u64, churn: u64, seed: u64) -> Vec<Growth> {
    let mut map = evacmap::<u64>(Policy::go());
    let mut t = Tracker {
        growths: Vec::new(),
        open: None,
        write: 0,
        last_b: None,
    };
    for i in 0..n {
        map.insert(key(seed, i), i);
        if i == 0 {
            // The first insert allocates the one-bucket array: not a growth.
            t.last_b = map.bucket_log2();
        }
        t.observe(&map);
    }
    for j in 0..churn {
        map.insert(key(seed, n + j), j);
        t.observe(&map);
        map.remove(&key(seed, j));
        t.observe(&map);
    }
    if let Some(g) = t.open.take() {
        t.growths.push(g);
    }
    t.growths
}

/// The bound on `|mean_evacmap - mean_go|` of the writes a growth from
/// `2^old_b` buckets lasts, each mean over `seeds` runs: six standard
/// deviations of the difference of two such means (`0.25 √N` per run, the
/// top of the simulated 0.22–0.26), plus one write for the integer counts.
pub fn tolerance(old_b: u8, seeds: u64) -> f64 {
    let n = (1u64 << old_b) as f64;
    6.0 * 0.25 * n.sqrt() * (2.0 / seeds.max(1) as f64).sqrt() + 1.0
}

/// Summary of one doubling (by `B` transition) or of the same-size growths.
#[derive(Clone, Debug)]
pub struct Row {
    /// "double" or "same".
    pub kind: String,
    /// `B` before.
    pub old_b: u8,
    /// `B` after.
    pub new_b: u8,
    /// The write that started it in each seed's run: Go's, evacmap's.
    pub go_starts: Vec<u64>,
    /// evacmap's.
    pub evac_starts: Vec<u64>,
    /// Writes the growth lasted in each run.
    pub go_writes: Vec<u64>,
    /// evacmap's.
    pub evac_writes: Vec<u64>,
    /// Residency (bytes × writes) in each run.
    pub go_residency: Vec<f64>,
    /// evacmap's.
    pub evac_residency: Vec<f64>,
}

impl Row {
    /// True if the start indices agree in every run.
    pub fn starts_match(&self) -> bool {
        self.go_starts == self.evac_starts
    }
}

fn mean_u(v: &[u64]) -> f64 {
    v.iter().sum::<u64>() as f64 / v.len().max(1) as f64
}

fn mean_f(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// What `lab fidelity` measured.
#[derive(Clone, Debug)]
pub struct Fidelity {
    /// Doubling growths, by `B` transition.
    pub doublings: Vec<Row>,
    /// Same-size growths per seed: Go's, evacmap's.
    pub same_size: (Vec<usize>, Vec<usize>),
}

/// Runs both maps for `seeds` seeds (`seed`, `seed + 1`, …).
///
/// # Errors
///
/// The Go peer failing, or output that does not parse.
pub fn measure(go: &GoPeer, n: u64, churn: u64, seed: u64, seeds: u64) -> Res<Fidelity> {
    let mut rows: BTreeMap<(u8, u8), Row> = BTreeMap::new();
    let (mut go_same, mut evac_same) = (Vec::new(), Vec::new());
    for s in 0..seeds.max(1) {
        let seed = seed + s;
        let g = go_growths(go, n, churn, seed)?;
        let e = evacmap_growths(n, churn, seed);
        go_same.push(g.iter().filter(|x| x.kind == "same").count());
        evac_same.push(e.iter().filter(|x| x.kind == "same").count());
        for (which, list) in [(0, &g), (1, &e)] {
            for x in list.iter().filter(|x| x.kind == "double") {
                let row = rows.entry((x.old_b, x.new_b)).or_insert_with(|| Row {
                    kind: "double".into(),
                    old_b: x.old_b,
                    new_b: x.new_b,
                    go_starts: Vec::new(),
                    evac_starts: Vec::new(),
                    go_writes: Vec::new(),
                    evac_writes: Vec::new(),
                    go_residency: Vec::new(),
                    evac_residency: Vec::new(),
                });
                let (starts, writes, res) = if which == 0 {
                    (
                        &mut row.go_starts,
                        &mut row.go_writes,
                        &mut row.go_residency,
                    )
                } else {
                    (
                        &mut row.evac_starts,
                        &mut row.evac_writes,
                        &mut row.evac_residency,
                    )
                };
                starts.push(x.start);
                if let Some(w) = x.writes {
                    writes.push(w);
                    res.push(x.residency);
                }
            }
        }
    }
    Ok(Fidelity {
        doublings: rows.into_values().collect(),
        same_size: (go_same, evac_same),
    })
}

/// `lab fidelity`: prints the table, writes `fidelity.csv` and
/// `fidelity.svg`.
///
/// # Errors
///
/// As [`measure`], or output errors.
pub fn run(go: &GoPeer, n: u64, churn: u64, seed: u64, seeds: u64, out: &Path) -> Res<Fidelity> {
    out_dir(out)?;
    eprintln!(
        "fidelity: {seeds} seed(s), {n} inserts then {churn} insert+delete pairs, Go {}",
        go.version
    );
    let f = measure(go, n, churn, seed, seeds)?;
    let mut table = Table::new(&[
        "growth",
        "B",
        "start_go",
        "start_evacmap",
        "same_start",
        "writes_go_mean",
        "writes_go_min",
        "writes_go_max",
        "writes_evacmap_mean",
        "writes_evacmap_min",
        "writes_evacmap_max",
        "N_ln2",
        "tolerance",
        "residency_go_MiBxwrites",
        "residency_evacmap_MiBxwrites",
    ]);
    let mib = (1u64 << 20) as f64;
    let minmax = |v: &[u64]| {
        (
            v.iter().min().map_or("-".into(), |x| x.to_string()),
            v.iter().max().map_or("-".into(), |x| x.to_string()),
        )
    };
    for (i, r) in f.doublings.iter().enumerate() {
        let starts = |v: &[u64]| {
            let mut u = v.to_vec();
            u.dedup();
            u.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("/")
        };
        let (gmin, gmax) = minmax(&r.go_writes);
        let (emin, emax) = minmax(&r.evac_writes);
        table.push(vec![
            format!("{} double", i + 1),
            format!("{}->{}", r.old_b, r.new_b),
            starts(&r.go_starts),
            starts(&r.evac_starts),
            if r.starts_match() { "yes" } else { "NO" }.into(),
            format!("{:.1}", mean_u(&r.go_writes)),
            gmin,
            gmax,
            format!("{:.1}", mean_u(&r.evac_writes)),
            emin,
            emax,
            format!("{:.1}", (1u64 << r.old_b) as f64 * std::f64::consts::LN_2),
            format!("{:.1}", tolerance(r.old_b, seeds)),
            format!("{:.2}", mean_f(&r.go_residency) / mib),
            format!("{:.2}", mean_f(&r.evac_residency) / mib),
        ]);
    }
    table.print();
    let (gs, es) = &f.same_size;
    crate::say!(
        "same-size growths during the churn phase, per seed: Go {gs:?}, evacmap {es:?} \
         (they depend on overflow buckets, so on the hashes: equal only in distribution)"
    );
    let all_match = f.doublings.iter().all(Row::starts_match);
    crate::say!(
        "doubling growths start at the same insert in both maps: {}",
        if all_match { "yes, every one" } else { "NO" }
    );
    table.write_csv(&out.join("fidelity.csv"))?;
    plot(out)?;
    crate::say!("\noutput: {} (fidelity.csv, fidelity.svg)", out.display());
    Ok(f)
}

/// Draws `fidelity.svg` from `fidelity.csv`: the writes each doubling
/// lasted, per old bucket, in both maps.
///
/// # Errors
///
/// A missing or malformed CSV file, drawing errors.
pub fn plot(out: &Path) -> Res<()> {
    let t = read_csv(&out.join("fidelity.csv"))?;
    let col = |name: &str| {
        t.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("fidelity.csv: no column {name}"))
    };
    let (b, go, evac) = (
        col("B")?,
        col("writes_go_mean")?,
        col("writes_evacmap_mean")?,
    );
    let mut series = [Series::new("go/gc_off", []), Series::new("evacmap", [])];
    for r in &t.rows {
        let old_b: f64 = r[b].split("->").next().unwrap_or("").parse()?;
        for (s, c) in series.iter_mut().zip([go, evac]) {
            if let Some(w) = r[c].parse::<f64>().ok().filter(|w| w.is_finite()) {
                s.points.push((old_b, Some(w / old_b.exp2())));
            }
        }
    }
    plot_lines(
        &out.join("fidelity.svg"),
        &LinePlot {
            title: "Writes each doubling lasts, per old bucket (ln 2 = 0.693 expected)",
            x_label: "old B (the growth doubles 2^B buckets)",
            x_unit: Unit::Count,
            y_label: "writes / 2^oldB",
            y_unit: Unit::Ratio,
            log_y: false,
            phases: Vec::new(),
            marks: None,
            points_only: false,
        },
        &series,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evacmap_side_sees_every_doubling() {
        let g = evacmap_growths(1000, 0, 1);
        let starts: Vec<u64> = g.iter().map(|x| x.start).collect();
        // Go's (and evacmap's) doubling points: the insert after 8, 13, 26…
        assert_eq!(starts, [8, 13, 26, 52, 104, 208, 416, 832]);
        assert!(g.iter().all(|x| x.kind == "double"));
        assert_eq!(g[0].writes, Some(0));
    }

    #[test]
    fn go_trace_lines_parse() {
        let g = parse_trace("TRACE double 26 2 3 27\nTRACE same 900 10 10 -1\nnoise\n").unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].writes, Some(1));
        assert_eq!(g[1].writes, None);
        assert!(parse_trace("TRACE double x 2 3 27").is_err());
    }
}
