//! `lab plot DIR`: redraws every plot from the CSV files an experiment
//! left in `DIR`, without measuring anything again (a changed colour,
//! title or axis costs seconds, not the hour a 10^8-key run takes).

use std::path::Path;

use crate::Res;

/// An experiment's plotting step: it reads its CSV files from the folder.
type Plotter = fn(&Path) -> Res<()>;

/// Each experiment's plotting step, with the CSV file that tells whether
/// the experiment ran in the folder.
const PLOTTERS: [(&str, &str, Plotter); 11] = [
    ("pause", "pause_curves.csv", crate::experiments::pause::plot),
    (
        "throughput",
        "throughput_info.csv",
        crate::experiments::throughput::plot,
    ),
    (
        "memory",
        "memory.csv",
        crate::experiments::throughput::plot_memory,
    ),
    (
        "residency",
        "residency.csv",
        crate::experiments::residency::plot,
    ),
    ("churn", "churn.csv", crate::experiments::churn::plot),
    ("drain", "drain.csv", crate::experiments::drain::plot),
    (
        "concurrent",
        "concurrent_timeline.csv",
        crate::experiments::concurrent::plot,
    ),
    (
        "fidelity",
        "fidelity.csv",
        crate::experiments::fidelity::plot,
    ),
    (
        "frontier",
        "frontier.csv",
        crate::experiments::frontier::plot,
    ),
    ("scaling", "scaling.csv", crate::experiments::scaling::plot),
    ("soak", "soak.csv", crate::experiments::soak::plot),
];

/// Redraws every plot whose CSV files are in `dir`; returns the
/// experiments redrawn.
///
/// # Errors
///
/// `dir` holds no experiment's CSV files, or one of them does not parse.
pub fn run(dir: &Path) -> Res<Vec<&'static str>> {
    if !dir.is_dir() {
        return Err(format!("{} is not a folder", dir.display()).into());
    }
    let mut done = Vec::new();
    for (name, csv, plot) in PLOTTERS {
        if dir.join(csv).is_file() {
            plot(dir).map_err(|e| format!("{name}: {e}"))?;
            done.push(name);
        }
    }
    if done.is_empty() {
        return Err(format!(
            "no experiment's CSV files in {} (looked for {})",
            dir.display(),
            PLOTTERS.map(|p| p.1).join(", ")
        )
        .into());
    }
    crate::say!(
        "redrew the plots of {} in {}",
        done.join(", "),
        dir.display()
    );
    Ok(done)
}
