//! What each cell of an official table is to a reader: a column label, a row label, the
//! label of a group of rows, the corner note, or a number; the table's row groups; and for
//! each number the labels that name it. Shared by the HTML backend (`<th scope>`,
//! `headers`) and the PDF's structure tree (`TH` with `Scope`, `TD` with `Headers`), so a
//! screen reader announces a cell the same way in both.

use super::{Table, TableCell};
use std::ops::Range;

/// What a grid cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// The top-left note over the label columns (table 三's 勾稽关系 remark): data, not a label.
    Corner,
    /// A column label; `colgroup` for a top cell over a group of columns.
    ColHead {
        /// Whether it heads a column group.
        colgroup: bool,
    },
    /// A full-width label that opens a group of rows (table 二's 第二十条第（一）项).
    GroupHead,
    /// A row label; `rowgroup` when it spans its whole row group.
    RowHead {
        /// Whether it heads a row group.
        rowgroup: bool,
    },
    /// A number.
    Number,
}

impl CellKind {
    /// Whether the cell is a label (`<th>`, `TH`).
    pub fn is_header(self) -> bool {
        !matches!(self, CellKind::Corner | CellKind::Number)
    }
}

/// The reading of one table: a kind per cell (in [`Table::cells`]' order) and the body's
/// row groups.
#[derive(Debug, Clone)]
pub struct CellRoles {
    /// The kind of each cell.
    pub kinds: Vec<CellKind>,
    /// The body's row groups (the header rows are not in any).
    pub groups: Vec<Range<usize>>,
    /// The row labels, then the column and group labels (indices into the cells): a
    /// number's labels are looked for among these, not among all the table's cells.
    row_heads: Vec<usize>,
    col_heads: Vec<usize>,
}

impl CellRoles {
    /// Reads `t`.
    pub fn of(t: &Table) -> CellRoles {
        let groups = row_groups(t);
        let kinds: Vec<CellKind> = t.cells.iter().map(|c| kind(t, c, &groups)).collect();
        let of_kind = |f: fn(CellKind) -> bool| -> Vec<usize> {
            kinds.iter().enumerate().filter(|(_, k)| f(**k)).map(|(i, _)| i).collect()
        };
        let row_heads = of_kind(|k| matches!(k, CellKind::RowHead { .. }));
        let col_heads = of_kind(|k| matches!(k, CellKind::ColHead { .. } | CellKind::GroupHead));
        CellRoles { kinds, groups, row_heads, col_heads }
    }

    /// The labels that name cell `index` (indices into [`Table::cells`]): the row labels
    /// to its left (outermost first), then the column labels above it (top first) up to
    /// and including the label that opens its group of rows (table 二), so each table 二
    /// group is read with its own header row.
    pub fn headers(&self, t: &Table, index: usize) -> Vec<usize> {
        let kinds = &self.kinds;
        let ncols = t.columns.len();
        let cell = &t.cells[index];
        let rows = cell.row..cell.row + cell.rowspan;
        let cols = cell.col..cell.col + cell.colspan;
        let overlaps =
            |a: &Range<usize>, start: usize, len: usize| a.start < start + len && start < a.end;
        let group_top = self
            .col_heads
            .iter()
            .filter(|&&i| kinds[i] == CellKind::GroupHead && t.cells[i].row <= cell.row)
            .map(|&i| t.cells[i].row)
            .max()
            .unwrap_or(0);
        // One list (a tagged report asks this of each of its ~200 numbers): the row labels,
        // sorted, then the column labels, sorted after them.
        let mut heads = Vec::with_capacity(8);
        heads.extend(self.row_heads.iter().copied().filter(|&i| {
            let c: &TableCell = &t.cells[i];
            overlaps(&rows, c.row, c.rowspan) && c.col + c.colspan <= cell.col
        }));
        heads.sort_by_key(|&i| t.cells[i].col);
        let row_heads = heads.len();
        heads.extend(self.col_heads.iter().copied().filter(|&i| {
            let c: &TableCell = &t.cells[i];
            c.row >= group_top
                && c.row + c.rowspan <= cell.row
                && (overlaps(&cols, c.col, c.colspan) || c.colspan == ncols)
        }));
        heads[row_heads..].sort_by_key(|&i| (t.cells[i].row, t.cells[i].col));
        heads
    }

    /// The table's sections in reading order: the header rows (when there are any), then
    /// each row group; `true` marks the header.
    pub fn sections(&self, t: &Table) -> Vec<(bool, Range<usize>)> {
        let head_rows = t.header_rows.min(t.rows);
        let mut sections = Vec::new();
        if head_rows > 0 {
            sections.push((true, 0..head_rows));
        }
        sections.extend(self.groups.iter().map(|g| (false, g.clone())));
        sections
    }
}

/// The body's row groups. A full-width label in the body opens a group (table 二); else
/// a first-column label spanning several rows is a group of its own (table 三's
/// 三、本年度办理结果). A boundary that a merged cell would cross is dropped, since a
/// row span cannot leave its row group.
fn row_groups(t: &Table) -> Vec<Range<usize>> {
    let ncols = t.columns.len();
    let start = t.header_rows.min(t.rows);
    let mut bounds: Vec<usize> = t
        .cells
        .iter()
        .filter(|c| c.row >= start && c.head && c.colspan == ncols)
        .map(|c| c.row)
        .collect();
    if bounds.is_empty() {
        for c in t.cells.iter().filter(|c| c.row >= start && c.col == 0 && c.rowspan > 1) {
            bounds.push(c.row);
            bounds.push(c.row + c.rowspan);
        }
    }
    bounds.push(start);
    bounds.push(t.rows);
    bounds.sort_unstable();
    bounds.dedup();
    bounds.retain(|&b| {
        b == start || b == t.rows || !t.cells.iter().any(|c| c.row < b && b < c.row + c.rowspan)
    });
    bounds.windows(2).map(|w| w[0]..w[1]).filter(|r| !r.is_empty()).collect()
}

fn kind(t: &Table, c: &TableCell, groups: &[Range<usize>]) -> CellKind {
    let in_head = c.row < t.header_rows;
    if c.numeric {
        CellKind::Number
    } else if c.head && in_head && c.row == 0 && c.col == 0 && c.rowspan == t.header_rows {
        CellKind::Corner
    } else if c.head && !in_head && c.colspan == t.columns.len() {
        CellKind::GroupHead
    } else if c.head || in_head {
        CellKind::ColHead { colgroup: in_head && c.row == 0 && c.colspan > 1 }
    } else {
        let rowgroup =
            c.rowspan > 1 && groups.iter().any(|g| g.start == c.row && g.end == c.row + c.rowspan);
        CellKind::RowHead { rowgroup }
    }
}
