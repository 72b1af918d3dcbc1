//! `lab plot DIR`: redraws every plot from the CSV files an experiment
//! left in `DIR`, without measuring anything again (a changed colour,
//! title or axis costs seconds, not the hour a 10^8-key run takes).

use std::path::Path;

use crate::report::Res;

/// An experiment's plotting step: it reads its CSV files from the folder.
type Plotter = fn(&Path) -> Res<()>;

/// Each experiment's plotting step, with the CSV file that tells whether
/// the experiment ran in the folder.
const PLOTTERS: [(&str, &str, Plotter); 10] = [
    ("pause", "pause_curves.csv", crate::pause::plot),
    ("memory", "memory.csv", crate::throughput::plot_memory),
    ("residency", "residency.csv", crate::residency::plot),
    ("churn", "churn.csv", crate::churn::plot),
    ("drain", "drain.csv", crate::drain::plot),
    (
        "concurrent",
        "concurrent_timeline.csv",
        crate::concurrent::plot,
    ),
    ("fidelity", "fidelity.csv", crate::fidelity::plot),
    ("frontier", "frontier.csv", crate::frontier::plot),
    ("scaling", "scaling.csv", crate::scaling::plot),
    ("soak", "soak.csv", crate::soak::plot),
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
    println!(
        "redrew the plots of {} in {}",
        done.join(", "),
        dir.display()
    );
    Ok(done)
}
