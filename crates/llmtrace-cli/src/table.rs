//! Aligned text tables: a header row and rows of cells, columns padded to their widest cell
//! (numbers right-aligned).

use crate::style::Style;

/// Formats `rows` under `header`; the first `left` columns are left-aligned, the others
/// right-aligned.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>], left: usize, style: Style) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let format_row = |cells: Vec<&str>| -> String {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            let pad = width.saturating_sub(cell.chars().count());
            if i > 0 {
                line.push_str("  ");
            }
            if i < left {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        line.trim_end().to_owned() + "\n"
    };
    let mut out = style.bold(&format_row(header.to_vec()));
    for row in rows {
        out.push_str(&format_row(row.iter().map(String::as_str).collect()));
    }
    out
}
