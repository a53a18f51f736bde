//! Table geometry settled once for both backends: column widths from the content
//! (a number is never broken), the table's one font size, and which rows stay on a
//! page with the next.
//!
//! Widths start from the official format's proportions. A column whose widest
//! number (estimated in ems: digits ½) does not fit takes the room from the columns
//! with slack, label columns first in practice since they have the most; if that
//! is not enough the cells' side padding halves, then the whole table steps down in
//! size, to [`MIN_SIZE`] at the least.
//! A number that still cannot fit is an error naming the cell, never a wrapped
//! number.

use super::breaks::em_width;
use super::{Table, TableCell};
use crate::diag::{Diagnostic, Hint};
use crate::source::Span;
use crate::units::Abs;

/// The smallest size a table may be set in to make its numbers fit (小五).
pub const MIN_SIZE: f64 = 9.0;
/// Size steps tried between the style's size and [`MIN_SIZE`].
const STEP: f64 = 0.5;
/// Slack kept beside a number so rounding never tips it over, pt.
const SLACK: f64 = 0.5;
/// A label column keeps room for at least this many characters a line.
const LABEL_CHARS: f64 = 2.0;
/// Body rows that start a table with its header (a page never ends with the header
/// and one row; more would leave half a page empty before table 三).
pub const MIN_START_ROWS: usize = 2;
/// A header label in one column should need no more lines than this, where the
/// label columns can spare the room (a shorter header lets a table start lower).
const HEAD_LINES: f64 = 2.0;
/// Merged groups of at most this many rows are kept on one page; longer ones keep
/// two rows together at each end.
const KEEP_GROUP_ROWS: usize = 5;

/// Column widths and size for `cells`, from the format's `ratios`, within `width`.
pub(super) fn fit(
    ratios: &[f64],
    cells: &[TableCell],
    width: Abs,
    size: Abs,
    pad: Abs,
) -> Result<(Vec<Abs>, Abs, Abs), Vec<usize>> {
    let total: f64 = ratios.iter().sum();
    let width = width.to_pt();
    let natural: Vec<f64> = ratios.iter().map(|r| width * r / total).collect();
    let side = pad.to_pt();
    let mut size_pt = size.to_pt();
    loop {
        for side in [side, side / 2.0] {
            let fitted = try_fit(&natural, cells, width, size_pt, 2.0 * side, true)
                .or_else(|| try_fit(&natural, cells, width, size_pt, 2.0 * side, false));
            if let Some(w) = fitted {
                let columns = w.into_iter().map(Abs::pt).collect();
                return Ok((columns, Abs::pt(size_pt), Abs::pt(side)));
            }
        }
        if size_pt <= MIN_SIZE + 1e-9 {
            break;
        }
        size_pt = (size_pt - STEP).max(MIN_SIZE);
    }
    // The numbers that cannot fit even at the smallest size in an equal share.
    let pad = side;
    let need = needs(cells, natural.len(), MIN_SIZE, pad);
    let share = width / natural.len() as f64;
    let mut bad: Vec<usize> = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.numeric && number_width(c, MIN_SIZE, pad) > share * c.colspan as f64)
        .map(|(i, _)| i)
        .collect();
    if bad.is_empty() {
        // Every number fits a column alone, but not all of them together: name the widest.
        let widest = (0..natural.len()).max_by(|&a, &b| need[a].total_cmp(&need[b]));
        bad.extend(cells.iter().position(|c| {
            c.numeric && widest == Some(c.col) && number_width(c, MIN_SIZE, pad) >= need[c.col]
        }));
    }
    Err(bad)
}

fn number_width(c: &TableCell, size: f64, pad: f64) -> f64 {
    em_width(&c.text) * size + pad + SLACK
}

/// The width each column needs for its numbers at `size`.
fn needs(cells: &[TableCell], ncols: usize, size: f64, pad: f64) -> Vec<f64> {
    let mut need = vec![0.0f64; ncols];
    for c in cells.iter().filter(|c| c.numeric && !c.text.is_empty()) {
        let w = number_width(c, size, pad) / c.colspan as f64;
        for n in &mut need[c.col..c.col + c.colspan] {
            *n = n.max(w);
        }
    }
    need
}

/// The width that sets each single-column header label in [`HEAD_LINES`] lines.
fn head_wants(cells: &[TableCell], ncols: usize, size: f64, pad: f64) -> Vec<f64> {
    let mut want = vec![0.0f64; ncols];
    for c in cells.iter().filter(|c| c.head && c.colspan == 1) {
        let chars = em_width(&c.text);
        if chars > HEAD_LINES {
            let w = (chars / HEAD_LINES).ceil() * size + pad + SLACK;
            want[c.col] = want[c.col].max(w);
        }
    }
    want
}

fn try_fit(
    natural: &[f64],
    cells: &[TableCell],
    width: f64,
    size: f64,
    pad: f64,
    heads: bool,
) -> Option<Vec<f64>> {
    let ncols = natural.len();
    let mut need = needs(cells, ncols, size, pad);
    let numeric_col: Vec<bool> = (0..ncols).map(|c| need[c] > 0.0).collect();
    if heads {
        // Only number columns widen for their header labels.
        let want = head_wants(cells, ncols, size, pad);
        for c in (0..ncols).filter(|&c| numeric_col[c]) {
            need[c] = need[c].max(want[c]);
        }
    }
    // The least a column may shrink to: its numbers, or a few characters of label.
    let floor: Vec<f64> = (0..ncols)
        .map(|c| if numeric_col[c] { need[c] } else { (LABEL_CHARS * size + pad).min(natural[c]) })
        .collect();
    let mut w: Vec<f64> = (0..ncols).map(|c| natural[c].max(need[c])).collect();
    let excess: f64 = w.iter().sum::<f64>() - width;
    if excess <= 1e-9 {
        return Some(w);
    }
    let slack: Vec<f64> = (0..ncols).map(|c| (w[c] - floor[c]).max(0.0)).collect();
    let total_slack: f64 = slack.iter().sum();
    if total_slack + 1e-9 < excess {
        return None;
    }
    for c in 0..ncols {
        w[c] -= excess * slack[c] / total_slack;
    }
    Some(w)
}

/// Which rows keep with the next (see [`Table::keep_with_next`]).
pub(super) fn keep_rules(rows: usize, header_rows: usize, cells: &[TableCell]) -> Vec<bool> {
    let mut keep = vec![false; rows];
    // The header with the first body rows.
    for k in keep.iter_mut().take((header_rows + MIN_START_ROWS - 1).min(rows)) {
        *k = true;
    }
    for (r, k) in keep.iter_mut().enumerate().skip(header_rows) {
        let starting: Vec<&TableCell> = cells.iter().filter(|c| c.row == r).collect();
        // A row of only header labels inside the body heads what follows it.
        if !starting.is_empty() && starting.iter().all(|c| c.head) && r + 1 < rows {
            *k = true;
        }
    }
    for c in cells.iter().filter(|c| c.row >= header_rows && c.rowspan > 1) {
        if c.rowspan <= KEEP_GROUP_ROWS {
            for k in &mut keep[c.row..c.row + c.rowspan - 1] {
                *k = true;
            }
        } else {
            // A longer group is never cut one row from either end, so its label has
            // room in both parts (Word and LibreOffice cannot measure that; the PDF
            // also moves a break that leaves a label too little room).
            keep[c.row] = true;
            keep[c.row + c.rowspan - 2] = true;
        }
    }
    // Never one row alone at the top of a continuation page.
    if rows >= header_rows + 2 {
        keep[rows - 2] = true;
    }
    keep[rows - 1] = false;
    keep
}

/// The label of a cell for messages: its row's labels and its column's header.
fn cell_label(t: &Table, i: usize) -> String {
    let cell = &t.cells[i];
    let row: Vec<&str> = t
        .cells
        .iter()
        .filter(|c| {
            !c.numeric
                && (c.row..c.row + c.rowspan).contains(&cell.row)
                && c.col < cell.col
                && c.row >= t.header_rows
        })
        .map(|c| c.text.as_str())
        .collect();
    let mut heads: Vec<&TableCell> = t
        .cells
        .iter()
        .filter(|c| {
            c.head && c.row < t.header_rows.max(1) && (c.col..c.col + c.colspan).contains(&cell.col)
        })
        .collect();
    heads.sort_by_key(|c| c.row);
    let head = (!heads.is_empty())
        .then(|| heads.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("/"));
    let mut label = row.join("");
    if let Some(h) = head {
        if !label.is_empty() {
            label.push_str(" / ");
        }
        label.push_str(&h);
    }
    label
}

// E-W1: both cases (wording in the catalogue).

/// E-W1 from layout: a number the fonts in use set wider than its cell, though
/// resolve's estimate (digits ½ em) let it fit.
pub fn number_wider_than_cell(t: &Table, cell: &TableCell, natural: f64, width: f64) -> Diagnostic {
    let (row, col) = (cell.row + 1, cell.col + 1);
    let (natural, width) = (format!("{natural:.1}"), format!("{width:.1}"));
    crate::diag!(
        NumberWiderThanCell,
        t.span,
        table = t.key,
        row = row,
        col = col,
        number = cell.text,
        natural = natural,
        width = width
    )
    .hint(Hint::NarrowDigits, &[])
}

/// E-W1 from resolve: numbers that cannot fit their table at any allowed size.
pub(super) fn too_wide(t: &Table, bad: &[usize], heading: &str, span: Span) -> Diagnostic {
    let cells: Vec<String> = bad
        .iter()
        .take(3)
        .map(|&i| {
            format!(
                "{}（第{}行第{}列）：{}",
                cell_label(t, i),
                t.cells[i].row + 1,
                t.cells[i].col + 1,
                t.cells[i].text
            )
        })
        .collect();
    let list = cells.join("；");
    let label = bad.first().map(|&i| cell_label(t, i)).unwrap_or_default();
    crate::diag!(NumbersTooWide, span, heading = heading, min = MIN_SIZE, list = list)
        .with_label(label)
        .hint(Hint::ExtraDigits, &[])
}
