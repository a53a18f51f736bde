//! Source files: the text of a report file with a line index, and the YAML →
//! spanned node tree reader that every later stage points back into.

mod yaml;

pub use yaml::{Node, NodeKind, YamlLimits, parse_yaml};

use std::path::{Path, PathBuf};

/// A location in a source file: 1-based line and column, counted in characters
/// (a Chinese character is one column, not three bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    /// 1-based line; 0 means "no location" (detached).
    pub line: u32,
    /// 1-based column in characters.
    pub col: u32,
    /// Length in characters on that line (at least 1 when located).
    pub len: u32,
}

impl Span {
    /// A span that points nowhere, for problems without a source position.
    pub const fn detached() -> Self {
        Span { line: 0, col: 0, len: 0 }
    }

    /// A span at `line`:`col` (both 1-based) covering `len` characters.
    pub const fn new(line: u32, col: u32, len: u32) -> Self {
        Span { line, col, len }
    }

    /// Whether this span points into the file.
    pub fn is_located(&self) -> bool {
        self.line > 0
    }
}

/// One loaded report or template file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps already-decoded text (a leading BOM is removed).
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        // Line breaks as YAML counts them: LF, CRLF and a lone CR (old Mac files);
        // otherwise the parser's line numbers and ours drift apart.
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(bytes.iter().enumerate().filter_map(|(i, &b)| {
            let brk = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            brk.then_some(i + 1)
        }));
        SourceFile { path: path.into(), text, line_starts }
    }

    /// The path the file was read from (as the user gave it).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text of a 1-based line without its line break.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let idx = (line as usize).checked_sub(1)?;
        let start = *self.line_starts.get(idx)?;
        let end = self.line_starts.get(idx + 1).copied().unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 1-based line and character column of a byte offset.
    pub fn line_col_of_byte(&self, byte: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= byte).max(1);
        let start = self.line_starts[line - 1];
        let col = self.text.get(start..byte.min(self.text.len())).map_or(0, |s| s.chars().count());
        (line as u32, col as u32 + 1)
    }
}
