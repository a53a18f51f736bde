//! Plain text copied from a page → blocks: a line with `|` or tab separators is a
//! table row; a line of only separators (one cell per line with `|` lines between)
//! is skipped; every other line is a paragraph or a single cell.

use super::Loc;
use super::scan::{Block, Cell};

/// Reads text into blocks, each with its 1-based line number.
pub(super) fn read_text(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let loc = Loc::Line(i as u32 + 1);
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if !trimmed.contains(['|', '\t']) {
            out.push(Block::Para(Cell { text: trimmed.to_string(), loc }));
            continue;
        }
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
