//! Tables: printed aligned on stdout (`comfy-table`), written and read as
//! CSV (`csv`); and the output folder.

use std::fs;
use std::path::Path;

use comfy_table::{CellAlignment, Table as Comfy, presets};

use crate::Res;

/// The widest a printed table may be, in columns: a terminal of 120
/// columns shows every line whole.
pub const WIDTH: usize = 120;

/// A table: printed aligned on stdout, written as CSV.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// One row per line, as many cells as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    ///
    /// # Panics
    ///
    /// Panics if the row does not have as many cells as the header.
    pub fn push(&mut self, row: Vec<String>) {
        assert_eq!(
            row.len(),
            self.header.len(),
            "row {row:?} does not fit the header"
        );
        self.rows.push(row);
    }

    /// The cell of `row` under column `col`, if both exist.
    pub fn cell(&self, row: usize, col: &str) -> Option<&str> {
        let c = self.header.iter().position(|h| h == col)?;
        self.rows.get(row).map(|r| r[c].as_str())
    }

    /// Prints the table (first column left-aligned, the others right),
    /// within [`WIDTH`] columns: the rightmost columns that do not fit are
    /// left out, and a line says how many (the CSV files keep them all).
    pub fn print(&self) {
        print!("{}", self.render(WIDTH));
    }

    /// The table as [`print`](Self::print) shows it, at most `width`
    /// columns wide (but the first column, whatever its width).
    pub fn render(&self, width: usize) -> String {
        let mut keep = self.header.len();
        loop {
            let text = self.render_columns(keep);
            let fits = text.lines().all(|l| l.chars().count() <= width);
            if fits || keep <= 1 {
                let left_out = self.header.len() - keep;
                return if left_out == 0 {
                    format!("{text}\n")
                } else {
                    let note = format!(
                        "(and {left_out} more column{}: {}, in the CSV file)",
                        if left_out == 1 { "" } else { "s" },
                        self.header[keep..].join(", ")
                    );
                    format!("{text}\n{}\n", super::wrap(&note))
                };
            }
            keep -= 1;
        }
    }

    /// The first `keep` columns, aligned.
    fn render_columns(&self, keep: usize) -> String {
        let mut t = Comfy::new();
        t.load_preset(presets::NOTHING);
        t.set_header(&self.header[..keep]);
        for r in &self.rows {
            t.add_row(&r[..keep]);
        }
        for (i, col) in t.column_iter_mut().enumerate() {
            col.set_cell_alignment(if i == 0 {
                CellAlignment::Left
            } else {
                CellAlignment::Right
            });
        }
        t.to_string()
    }

    /// A printable view of some columns, each shown under its own header
    /// and in a human unit: `cols` holds `(column, shown as, unit)`. Cells
    /// that do not parse as numbers are shown as they are (a `-` stays a
    /// `-`); an empty cell shows as `-`.
    ///
    /// # Panics
    ///
    /// If a named column does not exist (a programming error).
    pub fn view(&self, cols: &[(&str, &str, Shown)]) -> Table {
        let idx: Vec<usize> = cols
            .iter()
            .map(|(c, _, _)| {
                self.header
                    .iter()
                    .position(|h| h == c)
                    .unwrap_or_else(|| panic!("no column {c:?} in {:?}", self.header))
            })
            .collect();
        let mut v = Table::new(&cols.iter().map(|c| c.1).collect::<Vec<_>>());
        for r in &self.rows {
            v.push(
                idx.iter()
                    .zip(cols)
                    .map(|(&i, (_, _, shown))| shown.cell(&r[i]))
                    .collect(),
            );
        }
        v
    }

    /// Writes the table as CSV (header first).
    ///
    /// # Errors
    ///
    /// I/O or CSV errors, with the path.
    pub fn write_csv(&self, path: &Path) -> Res<()> {
        write_csv(path, &self.header, &self.rows)
    }
}

/// How [`Table::view`] shows a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// As it is.
    Text,
    /// Nanoseconds in ns/µs/ms/s.
    Ns,
    /// Bytes in B/KiB/MiB/GiB.
    Bytes,
    /// MiB in B/KiB/MiB/GiB.
    MiB,
    /// A count with thousands separators.
    Count,
    /// A ratio with two decimals and a `×`.
    Ratio,
}

impl Shown {
    /// One cell in this unit.
    pub fn cell(self, raw: &str) -> String {
        if raw.is_empty() {
            return "-".into();
        }
        let Ok(v) = raw.parse::<f64>() else {
            return raw.to_string();
        };
        if !v.is_finite() {
            return "-".into();
        }
        match self {
            Shown::Text => raw.to_string(),
            Shown::Ns => super::fmt_ns(v),
            Shown::Bytes => super::fmt_bytes(v),
            Shown::MiB => super::fmt_bytes(v * 1024.0 * 1024.0),
            Shown::Count => super::format::thousands(v),
            Shown::Ratio => format!("{v:.2}×"),
        }
    }
}

/// Reads a CSV file written by [`write_csv`] (or [`Table::write_csv`]).
///
/// # Errors
///
/// I/O or CSV errors, with the path.
pub fn read_csv(path: &Path) -> Res<Table> {
    let mut r = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let header = r
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        rows.push(rec.iter().map(String::from).collect());
    }
    Ok(Table { header, rows })
}

/// Writes rows as CSV with a header.
///
/// # Errors
///
/// I/O or CSV errors, with the path.
pub fn write_csv<R: AsRef<[String]>>(path: &Path, header: &[String], rows: &[R]) -> Res<()> {
    let mut w = csv::Writer::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    w.write_record(header)?;
    for r in rows {
        w.write_record(r.as_ref())?;
    }
    w.flush()?;
    Ok(())
}

/// Creates the output folder.
///
/// # Errors
///
/// I/O errors, with the path.
pub fn out_dir(out: &Path) -> Res<()> {
    fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()).into())
}
