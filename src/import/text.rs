//! Plain text copied from a page → blocks: a line with `|` or tab separators is a
//! table row; a line of only separators (one cell per line with `|` lines between)
//! is skipped; every other line is a paragraph or a single cell.
//!
//! Text laid out by a PDF viewer (`pdftotext -layout`, a copy from a viewer) sets the
//! columns of a table apart by runs of spaces: each piece is a cell of its own, one block
//! each, the way the PDF reader gives a page's cells. Page furniture — page numbers
//! (`-3-`, `— 3 —`), the form feeds between pages, a running head repeated at the top of
//! the pages — is dropped.

use super::Loc;
use super::scan::{Block, Cell};
use std::collections::BTreeMap;

/// Reads text into blocks, each with its 1-based line number. `is_table` says whether a
/// line is text of the official tables (never a running head, however often it repeats).
pub(super) fn read_text(text: &str, is_table: &dyn Fn(&str) -> bool) -> Vec<Block> {
    let heads = running_heads(text, is_table);
    let full = full_width(text);
    let mut out = Vec::new();
    // The width of the last line of the paragraph in `out`'s last block, while one is open.
    let mut open: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let loc = Loc::Line(i as u32 + 1);
        let trimmed = line.trim();
        if trimmed.is_empty() || super::pdf::is_page_number(trimmed) || heads.contains(&trimmed) {
            continue;
        }
        if !trimmed.contains(['|', '\t']) {
            let pieces = columns(trimmed);
            // A line of prose broken at the page's right edge goes on on the next line.
            if let ([piece], Some(w), Some(Block::Para(p))) =
                (pieces.as_slice(), open, out.last_mut())
                && w + 4 >= full
                && !is_table(piece)
            {
                p.text.push_str(piece);
                open = Some(width(line.trim_end()));
                continue;
            }
            open = match pieces.as_slice() {
                [piece] if !is_table(piece) => Some(width(line.trim_end())),
                _ => None,
            };
            for piece in pieces {
                out.push(Block::Para(Cell { text: piece.to_string(), loc }));
            }
            continue;
        }
        open = None;
        if trimmed.chars().all(|c| c == '|' || c.is_whitespace()) {
            continue;
        }
        let mut cells: Vec<&str> = trimmed.split(['|', '\t']).collect();
        // `a | b |` ends with a separator: the empty piece after it is no cell.
        if cells.last().is_some_and(|c| c.trim().is_empty()) && trimmed.ends_with(['|', '\t']) {
            cells.pop();
        }
        if trimmed.starts_with('|') && cells.first().is_some_and(|c| c.trim().is_empty()) {
            cells.remove(0);
        }
        out.push(Block::Row(
            cells.into_iter().map(|c| Cell { text: c.trim().to_string(), loc }).collect(),
        ));
    }
    out
}

/// How wide a line is set, in columns (a Chinese character takes two).
fn width(line: &str) -> usize {
    line.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// The width of the page's full lines of prose (those with a `，` or `。`) when the text
/// was laid out on pages: the widest of them, a page's width (at most 160 columns), shared
/// by several lines. Otherwise (a paragraph a line: text copied from a web page)
/// `usize::MAX`, so that no line is taken for a full one.
fn full_width(text: &str) -> usize {
    let widths: Vec<usize> = text
        .lines()
        .filter(|l| l.contains(['，', '。']) && columns(l.trim()).len() == 1)
        .map(|l| width(l.trim_end()))
        .collect();
    let Some(&full) = widths.iter().max() else { return usize::MAX };
    let full_lines = widths.iter().filter(|&&w| w + 4 >= full).count();
    if full <= 160 && full_lines >= 3 { full } else { usize::MAX }
}

/// The pieces of a line set apart by two spaces or more (a single space is part of the
/// text: `总 计`, `4.无正当理由大量反复 申请`).
fn columns(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut run: Option<(usize, usize)> = None; // (where the spaces start, how many)
    for (i, c) in line.char_indices() {
        if c.is_whitespace() || c == '\u{a0}' {
            run = Some(run.map_or((i, 1), |(s, n)| (s, n + 1)));
            continue;
        }
        if let Some((s, n)) = run.take()
            && n >= 2
        {
            out.push(&line[start..s]);
            start = i;
        }
    }
    out.push(&line[start..]);
    out.retain(|p| !p.trim().is_empty());
    out
}

/// Lines that open (or close) two pages or more: a running head or foot, with its page
/// number the only difference.
fn running_heads<'a>(text: &'a str, is_table: &dyn Fn(&str) -> bool) -> Vec<&'a str> {
    let pages: Vec<&str> = text.split('\u{c}').collect();
    if pages.len() < 3 {
        return Vec::new();
    }
    let key = |l: &str| l.chars().filter(|c| !c.is_ascii_digit() && !c.is_whitespace()).collect();
    let mut seen: BTreeMap<String, (usize, Vec<&str>)> = BTreeMap::new();
    for page in &pages {
        let mut lines = page.lines().map(str::trim).filter(|l| !l.is_empty());
        let (first, last) = (lines.next(), lines.next_back());
        for l in first.into_iter().chain(last) {
            if super::pdf::is_page_number(l) {
                continue;
            }
            let e = seen.entry(key(l)).or_default();
            e.0 += 1;
            e.1.push(l);
        }
    }
    seen.into_iter()
        .filter(|(k, (n, lines))| *n >= 2 && !k.is_empty() && !is_table(lines[0]))
        .flat_map(|(_, (_, lines))| lines)
        .collect()
}
