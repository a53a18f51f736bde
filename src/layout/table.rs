//! Table layout: cell text wrapped inside its cell, row heights from the tallest
//! cell (merged cells stretch their last row), rows never split, header rows
//! repeated on each page the table continues on, a ruled grid.

use super::text::{self, SetLine};
use super::{Cx, Item};
use crate::resolve::{Run, Table};

struct Measured {
    /// Set lines of each cell.
    lines: Vec<Vec<SetLine>>,
    /// Height of each grid row.
    heights: Vec<f64>,
    /// Line height inside cells.
    leading: f64,
    /// Cell padding.
    pad: f64,
    /// Left edge of each column (plus the right edge at the end).
    xs: Vec<f64>,
}

fn measure(cx: &mut Cx<'_>, t: &Table) -> Measured {
    let style = &cx.doc.style;
    let pad = style.table_cell_padding.to_pt();
    let size = style.role(crate::template::Role::Table).size.to_pt();
    let leading = size * 1.3;
    let mut xs = vec![cx.left];
    for w in &t.columns {
        xs.push(xs.last().copied().unwrap_or(0.0) + w.to_pt());
    }
    let mut lines = Vec::with_capacity(t.cells.len());
    for cell in &t.cells {
        let w = xs[cell.col + cell.colspan] - xs[cell.col] - 2.0 * pad;
        let glyphs = cx.shape(&[Run { text: cell.text.clone(), role: cell.role }], t.span);
        lines.push(text::set_paragraph(&glyphs, w, 0.0, cell.align));
    }
    let min = leading + 2.0 * pad;
    let mut heights = vec![min; t.rows];
    for (cell, l) in t.cells.iter().zip(&lines) {
        if cell.rowspan == 1 {
            let h = l.len() as f64 * leading + 2.0 * pad;
            heights[cell.row] = heights[cell.row].max(h);
        }
    }
    for (cell, l) in t.cells.iter().zip(&lines) {
        if cell.rowspan > 1 {
            let need = l.len() as f64 * leading + 2.0 * pad;
            let have: f64 = heights[cell.row..cell.row + cell.rowspan].iter().sum();
            if need > have {
                heights[cell.row + cell.rowspan - 1] += need - have;
            }
        }
    }
    Measured { lines, heights, leading, pad, xs }
}

/// Body rows a table must bring along when it starts on a page, so a page never
/// ends with a header and a lone row.
const MIN_START_ROWS: usize = 3;

/// Height the start of a table needs: the header rows plus the first few body rows.
fn start_height(m: &Measured, t: &Table) -> f64 {
    m.heights.iter().take(t.header_rows + MIN_START_ROWS).sum()
}

/// Height the start of a table needs (for keeping a heading with it).
pub(super) fn lead_height(cx: &mut Cx<'_>, t: &Table) -> f64 {
    let m = measure(cx, t);
    start_height(&m, t)
}

pub(super) fn layout_table(cx: &mut Cx<'_>, t: &Table) {
    let m = measure(cx, t);
    // Fragments: (page index, [(row, top y)]).
    let mut fragments: Vec<(usize, Vec<(usize, f64)>)> = Vec::new();
    let first_need = start_height(&m, t);
    if !cx.fits(first_need) && cx.y > cx.top + 0.5 {
        cx.new_page();
    }
    let mut current: Vec<(usize, f64)> = Vec::new();
    for r in 0..t.rows {
        let h = m.heights[r];
        if !cx.fits(h) && !current.is_empty() {
            fragments.push((cx.pages.len() - 1, std::mem::take(&mut current)));
            cx.new_page();
            if r >= t.header_rows {
                for hr in 0..t.header_rows {
                    current.push((hr, cx.y));
                    cx.y += m.heights[hr];
                }
            }
        }
        current.push((r, cx.y));
        cx.y += h;
    }
    if !current.is_empty() {
        fragments.push((cx.pages.len() - 1, current));
    }

    // A merged cell cut by a page break keeps its text in its tallest part.
    let mut text_fragment = vec![usize::MAX; t.cells.len()];
    let mut best = vec![0.0f64; t.cells.len()];
    for (f, (_, rows)) in fragments.iter().enumerate() {
        for (i, cell) in t.cells.iter().enumerate() {
            let h: f64 = rows
                .iter()
                .filter(|(r, _)| (cell.row..cell.row + cell.rowspan).contains(r))
                .map(|(r, _)| m.heights[*r])
                .sum();
            if h > best[i] + 0.01 {
                best[i] = h;
                text_fragment[i] = f;
            }
        }
    }

    let line_width = cx.doc.style.table_line_width.to_pt();
    for (f, (page, rows)) in fragments.iter().enumerate() {
        for (i, cell) in t.cells.iter().enumerate() {
            let inside: Vec<&(usize, f64)> = rows
                .iter()
                .filter(|(r, _)| (cell.row..cell.row + cell.rowspan).contains(r))
                .collect();
            let Some(&&(_, top)) = inside.first() else { continue };
            let height: f64 = inside.iter().map(|(r, _)| m.heights[*r]).sum();
            let (x0, x1) = (m.xs[cell.col], m.xs[cell.col + cell.colspan]);
            let (y0, y1) = (top, top + height);
            let items = &mut cx.pages[*page].items;
            for (a, b, c, d) in
                [(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)]
            {
                items.push(Item::Line { x0: a, y0: b, x1: c, y1: d, width: line_width });
            }
            // Repeated header rows carry their labels on every page.
            if text_fragment[i] != f && cell.row >= t.header_rows {
                continue;
            }
            let lines = &m.lines[i];
            let text_h = lines.len() as f64 * m.leading;
            let mut y = top + (height - text_h) / 2.0;
            for line in lines {
                cx.place_line_on(*page, line, x0 + m.pad, y, m.leading);
                y += m.leading;
            }
        }
    }
}
