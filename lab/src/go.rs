//! Go's own classic map as a lab peer: finding a Go toolchain whose
//! runtime still has it, building the Go program in `lab/go/` with it, and
//! running it.
//!
//! The toolchain is looked up, in order: `--go PATH`, the `GO` environment
//! variable, `go` on `PATH`, then Debian's `golang-1.19-go` location
//! (`/usr/lib/go-1.19/bin/go`). Go 1.23 and older have the classic map;
//! Go 1.24 and 1.25 build it with `GOEXPERIMENT=noswissmap`; later releases
//! dropped it. A toolchain named explicitly (`--go`, `GO`) that is missing,
//! too new, or fails to build the program is an error; one found
//! implicitly that is unusable means the Go column is skipped, with one
//! line saying why and how to get one.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::report::Res;

/// How to get a Go with the classic map, for the "skipped" line.
pub const HOW_TO_GET: &str = "on Debian: `apt-get install golang-1.19-go` (binary at \
     /usr/lib/go-1.19/bin/go), then pass `--go /usr/lib/go-1.19/bin/go` or set GO";

/// The Go peer's configurations: name, `-gc` flag.
pub const CONFIGS: [(&str, &str); 2] = [("go/gc_off", "off"), ("go/gc_on", "on")];

/// A built Go peer.
#[derive(Clone, Debug)]
pub struct GoPeer {
    /// The `go` binary used.
    pub go: PathBuf,
    /// `go version`'s version, e.g. `go1.19.8`.
    pub version: String,
    /// The built program.
    pub program: PathBuf,
    /// Whether `GOEXPERIMENT=noswissmap` was needed (Go 1.24, 1.25).
    pub noswissmap: bool,
}

/// The outcome of looking for the Go peer.
#[derive(Clone, Debug)]
pub enum Availability {
    /// Built and ready.
    Ready(GoPeer),
    /// No usable toolchain was found implicitly: the Go column is skipped
    /// for this reason.
    Skipped(String),
}

impl Availability {
    /// The peer, if ready.
    pub fn peer(&self) -> Option<&GoPeer> {
        match self {
            Availability::Ready(p) => Some(p),
            Availability::Skipped(_) => None,
        }
    }

    /// Prints the one line that says whether the Go column runs.
    pub fn announce(&self) {
        match self {
            Availability::Ready(p) => eprintln!(
                "go: Go's classic map from {} ({}{})",
                p.go.display(),
                p.version,
                if p.noswissmap {
                    ", GOEXPERIMENT=noswissmap"
                } else {
                    ""
                }
            ),
            Availability::Skipped(why) => {
                println!("Go column skipped: {why}; to get it, {HOW_TO_GET}")
            }
        }
    }
}

/// Whether a `go version` string names a Go whose runtime has the classic
/// map: `Ok(false)` for Go 1.23 and older, `Ok(true)` for 1.24 and 1.25
/// (which need `GOEXPERIMENT=noswissmap`).
///
/// # Errors
///
/// A message naming the version if it is too new or does not parse.
pub fn classic_map_support(version: &str) -> Result<bool, String> {
    let v = version
        .split_whitespace()
        .find_map(|w| w.strip_prefix("go").filter(|r| r.starts_with('1')))
        .ok_or_else(|| format!("cannot read a Go version from {version:?}"))?;
    let mut parts = v.split(|c: char| !c.is_ascii_digit());
    let major: u32 = parts
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("cannot read a Go version from {version:?}"))?;
    let minor: u32 = parts
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("cannot read a Go version from {version:?}"))?;
    match (major, minor) {
        (1, 0..=23) => Ok(false),
        (1, 24 | 25) => Ok(true),
        _ => Err(format!(
            "go{major}.{minor} no longer has the classic map (Go 1.23 or older is needed, \
             or 1.24/1.25, which build it with GOEXPERIMENT=noswissmap)"
        )),
    }
}

/// The candidate toolchains, with whether each was named explicitly.
fn candidates(explicit: Option<&Path>) -> Vec<(PathBuf, bool)> {
    if let Some(p) = explicit {
        return vec![(p.to_path_buf(), true)];
    }
    if let Some(p) = std::env::var_os("GO").filter(|p| !p.is_empty()) {
        return vec![(PathBuf::from(p), true)];
    }
    let mut found = Vec::new();
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let go = dir.join("go");
            if go.is_file() {
                found.push((go, false));
                break;
            }
        }
    }
    let debian = PathBuf::from("/usr/lib/go-1.19/bin/go");
    if debian.is_file() && !found.iter().any(|(p, _)| p == &debian) {
        found.push((debian, false));
    }
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
        .env("GOFLAGS", "");
    if noswissmap {
        c.env("GOEXPERIMENT", "noswissmap");
    }
    c
}

/// Checks one toolchain and builds the program into `target/lab-go/`.
fn build_with(go: &Path) -> Result<GoPeer, String> {
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
    let version_line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let noswissmap = classic_map_support(&version_line)
        .map_err(|e| format!("{} is {version_line}: {e}", go.display()))?;
    let version = version_line
        .split_whitespace()
        .nth(2)
        .unwrap_or(&version_line)
        .to_string();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("go");
    let target = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("lab-go");
    std::fs::create_dir_all(&target).map_err(|e| format!("creating {}: {e}", target.display()))?;
    let program = target.join(format!("evacmap-lab-go-{version}"));
    let out = go_command(go, noswissmap)
        .current_dir(&src)
        .arg("build")
        .arg("-o")
        .arg(&program)
        .arg(".")
        .output()
        .map_err(|e| format!("running `{} build`: {e}", go.display()))?;
    if !out.status.success() {
        return Err(format!(
            "the Go program in {} does not build with {} ({version}): {}",
            src.display(),
            go.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(GoPeer {
        go: go.to_path_buf(),
        version,
        program,
        noswissmap,
    })
}

/// Finds a toolchain and builds the Go peer.
///
/// # Errors
///
/// When a toolchain was named explicitly (`--go`, `GO`) and is unusable.
pub fn find(explicit: Option<&Path>) -> Res<Availability> {
    let mut reasons = Vec::new();
    for (go, named) in candidates(explicit) {
        match build_with(&go) {
            Ok(peer) => return Ok(Availability::Ready(peer)),
            Err(e) if named => return Err(e.into()),
            Err(e) => reasons.push(e),
        }
    }
    Ok(Availability::Skipped(if reasons.is_empty() {
        "no Go toolchain found (`--go`, GO, PATH)".into()
    } else {
        reasons.join("; ")
    }))
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
        assert_eq!(
            classic_map_support("go version go1.19.8 linux/amd64"),
            Ok(false)
        );
        assert_eq!(
            classic_map_support("go version go1.23.4 linux/amd64"),
            Ok(false)
        );
        assert_eq!(
            classic_map_support("go version go1.24.1 linux/amd64"),
            Ok(true)
        );
        assert_eq!(
            classic_map_support("go version go1.25rc2 linux/amd64"),
            Ok(true)
        );
        assert!(classic_map_support("go version go1.26.0 linux/amd64").is_err());
        assert!(classic_map_support("nonsense").is_err());
    }
}
