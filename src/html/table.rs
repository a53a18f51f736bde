//! An official table as an HTML table: the grid's exact spans, `<th>` with a scope for
//! every label, row groups where the grid has them, and on every number cell a
//! `headers` list naming its row labels and then its column labels.

use super::{Writer, esc, role_class};
use crate::resolve::{Align, Table, TableCell};
use crate::template::Role;
use std::fmt::Write as _;

/// What a grid cell becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The top-left note over the label columns (table 三's 勾稽关系 remark): a `<td>`.
    Corner,
    /// A column label (`scope="col"`, or `colgroup` for a top cell over a column group).
    ColHead { colgroup: bool },
    /// A full-width label that opens a group of rows (table 二's 第二十条第（一）项).
    GroupHead,
    /// A row label (`scope="row"`, or `rowgroup` when it spans its whole row group).
    RowHead { rowgroup: bool },
    /// A number.
    Number,
}

/// Writes `t` with `caption` naming it.
pub(super) fn write(hx: &mut Writer, t: &Table, caption: &str) {
    let prefix = format!("t-{}", id_part(&t.key));
    let ncols = t.columns.len();
    let groups = row_groups(t);
    let kinds: Vec<Kind> = t.cells.iter().map(|c| kind(t, c, &groups)).collect();
    let fragment = hx.options.fragment;
    let total: f64 = t.columns.iter().map(|c| c.to_pt()).sum();
    let out = &mut hx.out;

    let region = if fragment { " style=\"overflow-x:auto\"" } else { "" };
    let _ = write!(
        out,
        "<div class=\"nb-table\" role=\"region\" aria-labelledby=\"{prefix}-cap\" \
         tabindex=\"0\"{region}>\n<table class=\"nb-grid\" data-table=\"{}\"{}>\n",
        esc(&t.key),
        if fragment { " style=\"border-collapse:collapse;width:100%\"" } else { "" }
    );
    let _ = writeln!(out, "<caption id=\"{prefix}-cap\">{}</caption>", esc(caption));
    column_groups(out, t, total);

    let head_rows = t.header_rows.min(t.rows);
    let mut sections: Vec<(&str, std::ops::Range<usize>)> = Vec::new();
    if head_rows > 0 {
        sections.push(("thead", 0..head_rows));
    }
    sections.extend(groups.iter().map(|g| ("tbody", g.clone())));
    for (tag, rows) in sections {
        let _ = writeln!(out, "<{tag}>");
        for r in rows {
            out.push_str("<tr>");
            for (i, cell) in t.cells.iter().enumerate().filter(|(_, c)| c.row == r) {
                cell_html(out, t, &prefix, i, cell, kinds[i], &kinds, fragment, ncols);
            }
            out.push_str("</tr>\n");
        }
        let _ = writeln!(out, "</{tag}>");
    }
    out.push_str("</table>\n</div>\n");
}

/// `<colgroup>`s: one per top header cell when the table has a header (so a top label
/// over several columns is a real column group), else one for all columns.
fn column_groups(out: &mut String, t: &Table, total: f64) {
    let col = |out: &mut String, c: usize| {
        let _ = write!(out, "<col style=\"width:{:.2}%\">", t.columns[c].to_pt() / total * 100.0);
    };
    let top: Vec<&TableCell> = t.cells.iter().filter(|c| c.row == 0).collect();
    let covers = top.iter().map(|c| c.colspan).sum::<usize>() == t.columns.len();
    if t.header_rows > 0 && covers {
        for cell in top {
            out.push_str("<colgroup>");
            for c in cell.col..cell.col + cell.colspan {
                col(out, c);
            }
            out.push_str("</colgroup>\n");
        }
    } else {
        out.push_str("<colgroup>");
        for c in 0..t.columns.len() {
            col(out, c);
        }
        out.push_str("</colgroup>\n");
    }
}

/// The body's row groups. A full-width label in the body opens a group (table 二); else
/// a first-column label spanning several rows is a group of its own (table 三's
/// 三、本年度办理结果). A boundary that a merged cell would cross is dropped, since a
/// row span cannot leave its row group.
fn row_groups(t: &Table) -> Vec<std::ops::Range<usize>> {
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

fn kind(t: &Table, c: &TableCell, groups: &[std::ops::Range<usize>]) -> Kind {
    let in_head = c.row < t.header_rows;
    if c.numeric {
        Kind::Number
    } else if c.head && in_head && c.row == 0 && c.col == 0 && c.rowspan == t.header_rows {
        Kind::Corner
    } else if c.head && !in_head && c.colspan == t.columns.len() {
        Kind::GroupHead
    } else if c.head || in_head {
        Kind::ColHead { colgroup: in_head && c.row == 0 && c.colspan > 1 }
    } else {
        let rowgroup =
            c.rowspan > 1 && groups.iter().any(|g| g.start == c.row && g.end == c.row + c.rowspan);
        Kind::RowHead { rowgroup }
    }
}

#[allow(clippy::too_many_arguments, reason = "one cell's context, passed flat")]
fn cell_html(
    out: &mut String,
    t: &Table,
    prefix: &str,
    index: usize,
    cell: &TableCell,
    kind: Kind,
    kinds: &[Kind],
    fragment: bool,
    ncols: usize,
) {
    let id = cell_id(prefix, cell);
    let (tag, attrs) = match kind {
        Kind::Corner => ("td", String::new()),
        Kind::ColHead { colgroup } => {
            let scope = if colgroup { "colgroup" } else { "col" };
            ("th", format!(" id=\"{id}\" scope=\"{scope}\""))
        }
        Kind::GroupHead => ("th", format!(" id=\"{id}\" scope=\"rowgroup\"")),
        Kind::RowHead { rowgroup } => {
            let scope = if rowgroup { "rowgroup" } else { "row" };
            ("th", format!(" id=\"{id}\" scope=\"{scope}\""))
        }
        Kind::Number => {
            let headers = headers(t, prefix, index, kinds, ncols).join(" ");
            let key = cell
                .key
                .as_deref()
                .map_or_else(String::new, |k| format!(" data-key=\"{}\"", esc(k)));
            ("td", format!(" headers=\"{headers}\"{key}"))
        }
    };
    let mut class = vec![match cell.align {
        Align::Left | Align::Justify => "l",
        Align::Center => "c",
        Align::Right => "r",
    }];
    if cell.numeric {
        class.push("num");
    }
    let role = role_class(cell.role);
    if cell.role == Role::TableHead {
        class.push(&role);
    }
    if kind == Kind::Corner {
        class.push("nb-corner");
    }
    let _ = write!(out, "<{tag}{attrs} class=\"{}\"", class.join(" "));
    if cell.rowspan > 1 {
        let _ = write!(out, " rowspan=\"{}\"", cell.rowspan);
    }
    if cell.colspan > 1 {
        let _ = write!(out, " colspan=\"{}\"", cell.colspan);
    }
    if fragment {
        let align = match cell.align {
            Align::Left | Align::Justify => "left",
            Align::Center => "center",
            Align::Right => "right",
        };
        let weight = if tag == "th" { ";font-weight:normal" } else { "" };
        let _ = write!(
            out,
            " style=\"border:1px solid #000;padding:2px 4px;text-align:{align}{weight}\""
        );
    }
    let _ = write!(out, ">{}</{tag}>", esc(&cell.text));
}

/// The ids a number cell names: the row labels to its left (outermost first), then the
/// column labels above it (top first) up to and including the label that opens its
/// group of rows (table 二), so each table 二 group is read with its own header row.
fn headers(t: &Table, prefix: &str, index: usize, kinds: &[Kind], ncols: usize) -> Vec<String> {
    let cell = &t.cells[index];
    let rows = cell.row..cell.row + cell.rowspan;
    let cols = cell.col..cell.col + cell.colspan;
    let overlaps = |a: &std::ops::Range<usize>, start: usize, len: usize| {
        a.start < start + len && start < a.end
    };
    let group_top = t
        .cells
        .iter()
        .zip(kinds)
        .filter(|(c, k)| **k == Kind::GroupHead && c.row <= cell.row)
        .map(|(c, _)| c.row)
        .max()
        .unwrap_or(0);
    let mut row_heads: Vec<&TableCell> = t
        .cells
        .iter()
        .zip(kinds)
        .filter(|(c, k)| {
            matches!(k, Kind::RowHead { .. })
                && overlaps(&rows, c.row, c.rowspan)
                && c.col + c.colspan <= cell.col
        })
        .map(|(c, _)| c)
        .collect();
    row_heads.sort_by_key(|c| c.col);
    let mut col_heads: Vec<&TableCell> = t
        .cells
        .iter()
        .zip(kinds)
        .filter(|(c, k)| {
            matches!(k, Kind::ColHead { .. } | Kind::GroupHead)
                && c.row >= group_top
                && c.row + c.rowspan <= cell.row
                && (overlaps(&cols, c.col, c.colspan) || c.colspan == ncols)
        })
        .map(|(c, _)| c)
        .collect();
    col_heads.sort_by_key(|c| (c.row, c.col));
    row_heads.iter().chain(&col_heads).map(|c| cell_id(prefix, c)).collect()
}

fn cell_id(prefix: &str, c: &TableCell) -> String {
    format!("{prefix}-r{}c{}", c.row, c.col)
}

/// An id-safe form of a table key.
fn id_part(key: &str) -> String {
    key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}
