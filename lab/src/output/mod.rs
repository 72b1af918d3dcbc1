//! What the experiments print and write: tables and CSV files
//! ([`table`]), human units and progress bars ([`format`]), and SVG plots
//! ([`charts`]).

pub mod charts;
pub mod format;
pub mod table;

pub use format::{Unit, fmt_bytes, fmt_count, fmt_ns, progress, thousands};
pub use table::{Shown, Table, out_dir, read_csv, write_csv};

/// `text` wrapped at [`table::WIDTH`] columns, its lines' leading spaces
/// kept on the lines they continue.
pub fn wrap(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let indent: String = line.chars().take_while(|c| *c == ' ').collect();
            let more = format!("{indent}  ");
            let options = textwrap::Options::new(table::WIDTH)
                .break_words(false)
                .subsequent_indent(if indent.is_empty() { "" } else { &more });
            textwrap::fill(line, options)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints prose wrapped at [`table::WIDTH`] columns, as `println!` takes it
/// (tables fit by themselves: [`Table::print`]).
#[macro_export]
macro_rules! say {
    () => {
        println!()
    };
    ($($arg:tt)*) => {
        println!("{}", $crate::output::wrap(&format!($($arg)*)))
    };
}
