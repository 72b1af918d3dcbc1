//! What the experiments print and write: tables and CSV files
//! ([`table`]), human units and progress bars ([`format`]), and SVG plots
//! ([`charts`]).

pub mod charts;
pub mod format;
pub mod table;

pub use format::{Unit, fmt_bytes, fmt_count, fmt_ns, progress, thousands};
pub use table::{Shown, Table, out_dir, read_csv, write_csv};
