//! Table layout: cell text wrapped inside its cell (a number never), row heights
//! from the tallest cell (merged cells stretch their last row), rows never split,
//! pages broken by the table's keep rules, header rows repeated on each page the
//! table continues on, a merged row label repeated on its continuation, a ruled grid.

use super::text::{self, Glyph, SetLine};
use super::{Cx, Furniture, Item, Owner};
use crate::resolve::{Run, Table};

struct Measured {
    /// Set lines of each cell.
    lines: Vec<Vec<SetLine>>,
    /// Height of each grid row.
    heights: Vec<f64>,
    /// Line height inside cells.
    leading: f64,
    /// Cell padding above and below.
    pad: f64,
    /// Cell padding left and right.
    pad_x: f64,
    /// Left edge of each column (plus the right edge at the end).
    xs: Vec<f64>,
}

impl Measured {
    /// Height a cell's text needs.
    fn need(&self, i: usize) -> f64 {
        self.lines[i].len() as f64 * self.leading + 2.0 * self.pad
    }
}

fn measure(cx: &mut Cx<'_>, t: &Table) -> Measured {
    let style = &cx.doc.style;
    let pad = style.table_cell_padding.to_pt();
    let pad_x = t.pad_x.to_pt();
    let size = t.size.to_pt();
    let leading = size * 1.3;
    let mut xs = vec![cx.left];
    for w in &t.columns {
        xs.push(xs.last().copied().unwrap_or(0.0) + w.to_pt());
    }
    let mut lines = Vec::with_capacity(t.cells.len());
    for cell in &t.cells {
        let w = xs[cell.col + cell.colspan] - xs[cell.col] - 2.0 * pad_x;
        let glyphs =
            cx.shape_sized(&[Run { text: cell.text.clone(), role: cell.role }], t.span, size);
        if cell.numeric {
            lines.push(vec![number_line(cx, t, cell, glyphs, w)]);
        } else {
            lines.push(text::set_paragraph(&glyphs, w, 0.0, cell.align));
        }
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
    Measured { lines, heights, leading, pad, pad_x, xs }
}

/// A number as one centred line, never broken. One wider than its cell (a font with
/// wider digits than resolve allowed for) is an error naming the cell.
fn number_line(
    cx: &mut Cx<'_>,
    t: &Table,
    cell: &crate::resolve::TableCell,
    glyphs: Vec<Glyph>,
    width: f64,
) -> SetLine {
    let natural = text::advance(&glyphs);
    if natural > width + 0.01 {
        cx.errors.push(crate::resolve::number_wider_than_cell(t, cell, natural, width));
    }
    SetLine { x: (width - natural) / 2.0, glyphs }
}

/// Height the start of a table needs: the rows chained to the first body row by the
/// keep rules (the header and the first rows).
fn start_height(m: &Measured, t: &Table) -> f64 {
    let mut end = t.header_rows.min(t.rows.saturating_sub(1));
    while end + 1 < t.rows && t.keep_with_next[end] {
        end += 1;
    }
    m.heights[..=end].iter().sum()
}

/// Height the start of a table needs (for keeping a heading with it).
pub(super) fn lead_height(cx: &mut Cx<'_>, t: &Table) -> f64 {
    let m = measure(cx, t);
    start_height(&m, t)
}

/// Whether a page break before row `b` cuts a merged body cell so that one of its
/// parts is too short for its label.
fn cuts_label(m: &Measured, t: &Table, b: usize, from: usize) -> bool {
    t.cells.iter().enumerate().any(|(i, c)| {
        c.row >= t.header_rows && c.row < b && b < c.row + c.rowspan && {
            let before: f64 = m.heights[c.row.max(from)..b].iter().sum();
            let after: f64 = m.heights[b..c.row + c.rowspan].iter().sum();
            before + 0.01 < m.need(i) || after + 0.01 < m.need(i)
        }
    })
}

pub(super) fn layout_table(cx: &mut Cx<'_>, t: &Table) {
    let m = measure(cx, t);
    // Fragments: (page index, [(row, top y)]).
    let mut fragments: Vec<(usize, Vec<(usize, f64)>)> = Vec::new();
    if !cx.fits(start_height(&m, t)) && cx.y > cx.top + 0.5 {
        cx.new_page();
    }
    let mut current: Vec<(usize, f64)> = Vec::new();
    let mut r = 0;
    while r < t.rows {
        let h = m.heights[r];
        // The first body row of this page's fragment.
        let first = current.iter().map(|&(row, _)| row).find(|&row| row >= t.header_rows);
        if let Some(first) = first.filter(|_| !cx.fits(h)) {
            // Move the break up past rows that keep with the next, and past a cut
            // that would leave a merged label too little room.
            let mut b = r;
            while b > first + 1 && (t.keep_with_next[b - 1] || cuts_label(&m, t, b, first)) {
                b -= 1;
            }
            if b > first && b < r {
                while current.last().is_some_and(|&(row, _)| row >= b) {
                    current.pop();
                }
            } else {
                b = r;
            }
            fragments.push((cx.pages.len() - 1, std::mem::take(&mut current)));
            cx.pagination.table_breaks.push((cx.block, b));
            cx.new_page();
            for hr in 0..t.header_rows {
                current.push((hr, cx.y));
                cx.y += m.heights[hr];
            }
            r = b;
            continue;
        }
        current.push((r, cx.y));
        cx.y += h;
        r += 1;
    }
    if !current.is_empty() {
        fragments.push((cx.pages.len() - 1, current));
    }

    let line_width = cx.doc.style.table_line_width.to_pt();
    let mut placed = std::collections::HashSet::new();
    for (page, rows) in &fragments {
        // Each cell's box on this page: (cell, top, height).
        let boxes: Vec<(usize, f64, f64)> = t
            .cells
            .iter()
            .enumerate()
            .filter_map(|(i, cell)| {
                let inside: Vec<&(usize, f64)> = rows
                    .iter()
                    .filter(|(r, _)| (cell.row..cell.row + cell.rowspan).contains(r))
                    .collect();
                let &&(_, top) = inside.first()?;
                Some((i, top, inside.iter().map(|(r, _)| m.heights[*r]).sum()))
            })
            .collect();
        // The rules first, each edge once (neighbouring cells share theirs), then the
        // text: one run of furniture and one of cells for the PDF's marked content.
        let mut edges = std::collections::BTreeSet::new();
        for &(i, top, height) in &boxes {
            let cell = &t.cells[i];
            let (x0, x1) = (m.xs[cell.col], m.xs[cell.col + cell.colspan]);
            let (y0, y1) = (top, top + height);
            for (a, b, c, d) in
                [(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)]
            {
                let key = [a, b, c, d].map(|v| (v * 100.0).round() as i64);
                if edges.insert(key) {
                    let rule = Item::Line { x0: a, y0: b, x1: c, y1: d, width: line_width };
                    cx.pages[*page].push(rule, Owner::Artifact(Furniture::Rule));
                }
            }
        }
        for &(i, top, height) in &boxes {
            let cell = &t.cells[i];
            let x0 = m.xs[cell.col];
            // The cell is content where it first appears; its repetitions (header rows
            // and merged labels on continuation pages) are furniture.
            let first = placed.insert(i);
            cx.owner = if first {
                Owner::Block { block: cx.block, part: i }
            } else {
                Owner::Artifact(Furniture::Repeat)
            };
            // A merged label cut by a page break is repeated on each part, as the
            // header rows are; each part was given room for it when paginating.
            let lines = &m.lines[i];
            let text_h = lines.len() as f64 * m.leading;
            let mut y = top + ((height - text_h) / 2.0).max(m.pad);
            for line in lines {
                cx.place_line_on(*page, line, x0 + m.pad_x, y, m.leading);
                y += m.leading;
            }
        }
    }
}
