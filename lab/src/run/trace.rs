//! Per-insert latency traces and a map's *own* latency.
//!
//! A timed build run with `--trace PATH` (`child.rs`) writes every
//! insert's latency, and every empty clock pair's of its timer floor, to
//! a binary file. Run the same build (same keys, fixed-seed hasher, so the
//! same table) in R processes and keep, for each insert, its minimum over
//! the R traces: the work an insert does recurs at the same index in every
//! process, a stall of the machine does not. That minimum is the map's
//! *own* latency ([`reduce`]); its maximum is the map's own worst insert.
//!
//! This holds only for maps whose table is laid out the same in every
//! process. Go's maps mix a per-process random key into their hash, so
//! their slow inserts fall at different indices and the minimum would
//! erase real work: the registry marks them (`MapSpec::repeats`), and the
//! experiments report them raw.
//!
//! File format (little-endian):
//!
//! ```text
//! b"EVTRACE1"   magic
//! u64 n         inserts
//! u64 m         empty clock pairs (the timer floor)
//! u32 × n       each insert's latency in ns (saturated at u32::MAX, 4.3 s)
//! u32 × m       each empty pair's latency in ns
//! ```
//!
//! A file of the wrong length (a process killed while writing it) is named
//! and left out of the reduction, never averaged in.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use hdrhistogram::Histogram;

use crate::Res;
use crate::stats::new_histogram;

/// The first 8 bytes of a trace file.
const MAGIC: &[u8; 8] = b"EVTRACE1";

/// Bytes before the latencies.
const HEADER: u64 = 24;

/// Own latencies above these count in [`Own::over`] (30 µs: the target
/// of a bounded pause; 100 µs).
pub const OVER_NS: [u64; 2] = [30_000, 100_000];

/// How many of the largest own latencies [`Own::top`] keeps.
pub const TOP: usize = 20;

/// Latencies per read while reducing (4 MiB of each file at a time).
const CHUNK: usize = 1 << 20;

/// Bytes of the trace of a build of `n` inserts with `m` floor pairs.
pub fn file_bytes(n: u64, m: u64) -> u64 {
    HEADER + 4 * (n + m)
}

/// Writes a trace file.
///
/// # Errors
///
/// I/O errors, with the path.
pub fn write(path: &Path, inserts: &[u32], floor: &[u32]) -> Res<()> {
    let err = |e: std::io::Error| format!("writing {}: {e}", path.display());
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).map_err(err)?);
    w.write_all(MAGIC).map_err(err)?;
    w.write_all(&(inserts.len() as u64).to_le_bytes())
        .map_err(err)?;
    w.write_all(&(floor.len() as u64).to_le_bytes())
        .map_err(err)?;
    for chunk in [inserts, floor] {
        for part in chunk.chunks(CHUNK) {
            let bytes: Vec<u8> = part.iter().flat_map(|v| v.to_le_bytes()).collect();
            w.write_all(&bytes).map_err(err)?;
        }
    }
    w.flush().map_err(err)?;
    Ok(())
}

/// A trace file that passed its checks: its path and counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFile {
    /// Where it is.
    pub path: PathBuf,
    /// Inserts.
    pub n: u64,
    /// Empty clock pairs.
    pub m: u64,
}

/// Opens `path` and checks its magic, its counts against `n`, and its
/// length against the counts.
///
/// # Errors
///
/// A message naming the file and what is wrong with it.
pub fn check(path: &Path, n: u64) -> Result<TraceFile, String> {
    let name = path.display();
    let mut f = File::open(path).map_err(|e| format!("{name}: {e}"))?;
    let len = f.metadata().map_err(|e| format!("{name}: {e}"))?.len();
    let mut head = [0u8; HEADER as usize];
    f.read_exact(&mut head)
        .map_err(|_| format!("{name}: {len} bytes, shorter than a trace's header"))?;
    if &head[..8] != MAGIC {
        return Err(format!("{name}: not a trace file"));
    }
    let word = |i: usize| u64::from_le_bytes(head[i..i + 8].try_into().expect("8 bytes"));
    let (tn, m) = (word(8), word(16));
    if tn != n {
        return Err(format!("{name}: a trace of {tn} inserts, expected {n}"));
    }
    let want = file_bytes(n, m);
    if len != want {
        return Err(format!(
            "{name}: {len} bytes where {n} inserts and {m} clock pairs take {want} \
             (a process that did not finish writing it?)"
        ));
    }
    Ok(TraceFile {
        path: path.to_path_buf(),
        n,
        m,
    })
}

/// The per-index minimum of several traces of the same run, summarised.
#[derive(Clone, Debug)]
pub struct Own {
    /// Indices (inserts or clock pairs) reduced.
    pub count: u64,
    /// Traces reduced.
    pub traces: usize,
    /// Every own latency.
    pub hist: Histogram<u64>,
    /// The largest own latency and its index.
    pub max_ns: u64,
    /// Index (0-based) of the largest.
    pub argmax: u64,
    /// How many own latencies exceed each of [`OVER_NS`].
    pub over: [u64; 2],
    /// The [`TOP`] largest own latencies, `(index, ns)`, largest first.
    pub top: Vec<(u64, u64)>,
}

impl Own {
    fn new(traces: usize) -> Own {
        Own {
            count: 0,
            traces,
            hist: new_histogram(),
            max_ns: 0,
            argmax: 0,
            over: [0; 2],
            top: Vec::new(),
        }
    }

    fn record(&mut self, index: u64, ns: u64) {
        self.hist.saturating_record(ns.max(1));
        if ns > self.max_ns || self.count == 0 {
            self.max_ns = ns;
            self.argmax = index;
        }
        for (o, limit) in self.over.iter_mut().zip(OVER_NS) {
            *o += u64::from(ns > limit);
        }
        if self.top.len() < TOP || ns > self.top[TOP - 1].1 {
            let at = self.top.partition_point(|t| t.1 >= ns);
            self.top.insert(at, (index, ns));
            self.top.truncate(TOP);
        }
        self.count += 1;
    }

    /// The own latency at quantile `q` (within 0.1%; exact at 1).
    pub fn quantile(&self, q: f64) -> u64 {
        if q >= 1.0 {
            self.max_ns
        } else {
            self.hist.value_at_quantile(q).min(self.max_ns)
        }
    }

    /// The own latency by percentile (`stats::curve`).
    pub fn curve(&self) -> Vec<(f64, f64)> {
        crate::stats::curve(self.count, self.max_ns, |q| self.quantile(q))
    }
}

/// What [`reduce`] found: the inserts' own latency, the floor's, and the
/// files it left out.
#[derive(Clone, Debug)]
pub struct Reduced {
    /// The inserts' own latency.
    pub inserts: Own,
    /// The empty clock pairs' own latency: the timer's own floor.
    pub floor: Own,
    /// Files left out, each with what was wrong.
    pub left_out: Vec<String>,
}

/// Reads the traces of one run (`paths`, `n` inserts each) in chunks and
/// keeps each index's minimum over the files that pass [`check`].
///
/// # Errors
///
/// Fewer than two good files (the message names the bad ones), files
/// whose floor counts differ, or I/O errors.
pub fn reduce(paths: &[PathBuf], n: u64) -> Res<Reduced> {
    let mut good = Vec::new();
    let mut left_out = Vec::new();
    for p in paths {
        match check(p, n) {
            Ok(t) => good.push(t),
            Err(e) => left_out.push(e),
        }
    }
    if good.len() < 2 {
        return Err(format!(
            "own latency needs at least 2 good traces, {} of {} are{}",
            good.len(),
            paths.len(),
            if left_out.is_empty() {
                String::new()
            } else {
                format!(" ({})", left_out.join("; "))
            }
        )
        .into());
    }
    let m = good[0].m;
    if let Some(t) = good.iter().find(|t| t.m != m) {
        return Err(format!("{}: {} clock pairs, the others {m}", t.path.display(), t.m).into());
    }
    let mut readers = good
        .iter()
        .map(|t| {
            let mut r = BufReader::with_capacity(1 << 20, File::open(&t.path)?);
            r.read_exact(&mut [0u8; HEADER as usize])?;
            Ok(r)
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let inserts = min_section(&mut readers, n)?;
    let floor = min_section(&mut readers, m)?;
    Ok(Reduced {
        inserts,
        floor,
        left_out,
    })
}

/// The per-index minimum of the next `count` latencies of every reader.
fn min_section(readers: &mut [BufReader<File>], count: u64) -> Res<Own> {
    let mut own = Own::new(readers.len());
    let mut mins = vec![u32::MAX; CHUNK];
    let mut buf = vec![0u8; 4 * CHUNK];
    let mut done = 0u64;
    while done < count {
        let len = CHUNK.min((count - done) as usize);
        mins[..len].fill(u32::MAX);
        for r in readers.iter_mut() {
            r.read_exact(&mut buf[..4 * len])?;
            for (m, b) in mins[..len].iter_mut().zip(buf.chunks_exact(4)) {
                *m = (*m).min(u32::from_le_bytes(b.try_into().expect("4 bytes")));
            }
        }
        for (i, &ns) in mins[..len].iter().enumerate() {
            own.record(done + i as u64, u64::from(ns));
        }
        done += len as u64;
    }
    Ok(own)
}

/// Bytes free for unprivileged use on the file system holding `dir`.
///
/// # Errors
///
/// `dir` does not exist or cannot be queried.
#[cfg(unix)]
pub fn free_bytes(dir: &Path) -> Res<u64> {
    let s = nix::sys::statvfs::statvfs(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(s.blocks_available() as u64 * s.fragment_size() as u64)
}

/// Elsewhere: unknown, so no check (`u64::MAX`).
#[cfg(not(unix))]
pub fn free_bytes(_dir: &Path) -> Res<u64> {
    Ok(u64::MAX)
}

/// Checks that `dir` has room for `files` traces of `n` inserts and `m`
/// floor pairs each (with 5% to spare), before any process starts.
///
/// # Errors
///
/// Not enough room: the message says how much is needed and how much is
/// free.
pub fn check_room(dir: &Path, files: u64, n: u64, m: u64) -> Res<()> {
    fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let need = files * file_bytes(n, m);
    let free = free_bytes(dir)?;
    if need + need / 20 > free {
        return Err(format!(
            "the traces need {} in {} ({files} files of {}), only {} is free: \
             use fewer --repeat processes, a smaller size, or --out on a larger disk",
            crate::output::fmt_bytes(need as f64),
            dir.display(),
            crate::output::fmt_bytes(file_bytes(n, m) as f64),
            crate::output::fmt_bytes(free as f64)
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("evacmap-trace-{name}-{}", std::process::id()));
        fs::create_dir_all(&d).unwrap();
        d
    }

    /// A stall in one trace is filtered away; a cost at the same index in
    /// every trace is kept, and is the own maximum.
    #[test]
    fn the_minimum_drops_stalls_and_keeps_recurring_cost() {
        let d = dir("filter");
        let n = 3 * CHUNK + 17; // several chunks, the last one short
        let (cost_at, stall_at) = (CHUNK as u64 + 5, 2 * CHUNK as u64 + 9);
        let mut paths = Vec::new();
        for p in 0..3u32 {
            let mut v: Vec<u32> = (0..n as u32).map(|i| 100 + (i + p) % 7).collect();
            v[cost_at as usize] = 250_000 + p;
            if p == 1 {
                v[stall_at as usize] = 5_000_000;
            }
            let floor: Vec<u32> = (0..1000)
                .map(|i| if p == 2 && i == 3 { 9_000 } else { 20 })
                .collect();
            let path = d.join(format!("{p}.trace"));
            write(&path, &v, &floor).unwrap();
            paths.push(path);
        }
        let r = reduce(&paths, n as u64).unwrap();
        assert!(r.left_out.is_empty());
        assert_eq!(r.inserts.count, n as u64);
        assert_eq!((r.inserts.argmax, r.inserts.max_ns), (cost_at, 250_000));
        assert_eq!(r.inserts.over, [1, 1]);
        assert_eq!(r.inserts.top[0], (cost_at, 250_000));
        assert!(
            r.inserts.top[1].1 < 110,
            "the stall was kept: {:?}",
            r.inserts.top
        );
        assert_eq!((r.floor.count, r.floor.max_ns), (1000, 20));
        fs::remove_dir_all(&d).unwrap();
    }

    /// A truncated file is named and left out; fewer than two good files
    /// is an error naming the bad ones.
    #[test]
    fn a_short_file_is_named_and_left_out() {
        let d = dir("short");
        let mut paths = Vec::new();
        for p in 0..3 {
            let path = d.join(format!("{p}.trace"));
            write(&path, &[5, 6, 7], &[1]).unwrap();
            paths.push(path);
        }
        let f = File::options().write(true).open(&paths[1]).unwrap();
        f.set_len(file_bytes(3, 1) - 2).unwrap();
        let r = reduce(&paths, 3).unwrap();
        assert_eq!(r.left_out.len(), 1);
        assert!(r.left_out[0].contains("1.trace"), "{:?}", r.left_out);
        assert_eq!(r.inserts.max_ns, 7);
        fs::write(&paths[2], b"EVTRACE1").unwrap();
        let e = reduce(&paths, 3).unwrap_err().to_string();
        assert!(e.contains("1 of 3") && e.contains("2.trace"), "{e}");
        assert!(check(&paths[0], 4).unwrap_err().contains("expected 4"));
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn room_is_checked_before_anything_runs() {
        let d = dir("room");
        assert!(check_room(&d, 2, 10, 10).is_ok());
        let e = check_room(&d, 1 << 20, 1 << 40, 0).unwrap_err().to_string();
        assert!(e.contains("the traces need") && e.contains("free"), "{e}");
        fs::remove_dir_all(&d).unwrap();
    }
}
