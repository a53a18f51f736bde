//! An official table as an HTML table: the grid's exact spans, `<th>` with a scope for
//! every label, row groups where the grid has them, and on every number cell a
//! `headers` list naming its row labels and then its column labels.

use super::{Writer, esc, role_class};
use crate::resolve::{Align, CellKind as Kind, CellRoles, Table, TableCell};
use crate::template::Role;
use std::fmt::Write as _;

/// Writes `t` with `caption` naming it.
pub(super) fn write(hx: &mut Writer, t: &Table, caption: &str) {
    let prefix = format!("t-{}", id_part(&t.key));
    let roles = CellRoles::of(t);
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

    for (head, rows) in roles.sections(t) {
        let tag = if head { "thead" } else { "tbody" };
        let _ = writeln!(out, "<{tag}>");
        for r in rows {
            out.push_str("<tr>");
            for (i, cell) in t.cells.iter().enumerate().filter(|(_, c)| c.row == r) {
                cell_html(out, t, &prefix, i, cell, &roles, fragment);
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

fn cell_html(
    out: &mut String,
    t: &Table,
    prefix: &str,
    index: usize,
    cell: &TableCell,
    roles: &CellRoles,
    fragment: bool,
) {
    let kind = roles.kinds[index];
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
            let headers: Vec<String> =
                roles.headers(t, index).iter().map(|&h| cell_id(prefix, &t.cells[h])).collect();
            let headers = headers.join(" ");
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

fn cell_id(prefix: &str, c: &TableCell) -> String {
    format!("{prefix}-r{}c{}", c.row, c.col)
}

/// An id-safe form of a table key.
fn id_part(key: &str) -> String {
    key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}
