//! Source files: the text of a report file with a line index, and the YAML →
//! spanned node tree reader that every later stage points back into.

mod yaml;

pub use yaml::{Node, NodeKind, YamlLimits, parse_yaml};

use std::path::{Path, PathBuf};

/// Which source a span points into: the report's own YAML ([`SourceId::REPORT`]) or another
/// one a front end registered (an imported document, a form field), looked up through a
/// [`SourceLookup`] when diagnostics are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u16);

impl SourceId {
    /// The report being checked.
    pub const REPORT: SourceId = SourceId(0);
}

/// A location in a source: 1-based line and column, counted in characters (a Chinese
/// character is one column, not three bytes), and the source it points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    /// 1-based line; 0 means "no location" (detached).
    pub line: u32,
    /// 1-based column in characters.
    pub col: u32,
    /// Length in characters on that line (at least 1 when located).
    pub len: u32,
    /// The source.
    pub source: SourceId,
}

impl Span {
    /// A span that points nowhere, for problems without a source position.
    pub const fn detached() -> Self {
        Span { line: 0, col: 0, len: 0, source: SourceId::REPORT }
    }

    /// A span at `line`:`col` (both 1-based) covering `len` characters of the report.
    pub const fn new(line: u32, col: u32, len: u32) -> Self {
        Span { line, col, len, source: SourceId::REPORT }
    }

    /// The same place in another source.
    pub const fn in_source(self, source: SourceId) -> Self {
        Span { source, ..self }
    }

    /// Whether this span points into the file.
    pub fn is_located(&self) -> bool {
        self.line > 0
    }
}

/// What a source is, for the location line of a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SourceKind {
    /// A YAML file: `path:line:col`.
    #[default]
    Yaml,
    /// A document read by an importer, as text with one label per line that says where the
    /// line was in the original (`表3 第5行 第2列`, `第2页`): `path:line:col（label）`.
    Document {
        /// One label per line (1-based line `n` is `labels[n - 1]`).
        labels: Vec<String>,
    },
}

/// Finds the source a span points into, for rendering diagnostics.
pub trait SourceLookup {
    /// The source with this id, if there is one.
    fn source(&self, id: SourceId) -> Option<&SourceFile>;
}

impl SourceLookup for SourceFile {
    fn source(&self, id: SourceId) -> Option<&SourceFile> {
        (id == self.id).then_some(self)
    }
}

/// Several sources: a report and the documents or fields it came from.
#[derive(Debug, Clone, Default)]
pub struct SourceSet {
    files: Vec<SourceFile>,
}

impl SourceSet {
    /// Adds a source and gives it the next id.
    pub fn add(&mut self, mut file: SourceFile) -> SourceId {
        let id = SourceId(u16::try_from(self.files.len()).unwrap_or(u16::MAX));
        file.id = id;
        self.files.push(file);
        id
    }
}

impl SourceLookup for SourceSet {
    fn source(&self, id: SourceId) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.id == id)
    }
}

/// One loaded report, template or imported document.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
    id: SourceId,
    kind: SourceKind,
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
        SourceFile {
            path: path.into(),
            text,
            line_starts,
            id: SourceId::REPORT,
            kind: SourceKind::Yaml,
        }
    }

    /// The same file as a source of another kind.
    pub fn with_kind(mut self, kind: SourceKind) -> Self {
        self.kind = kind;
        self
    }

    /// What kind of source it is.
    pub fn kind(&self) -> &SourceKind {
        &self.kind
    }

    /// Its id (spans that point into it carry it).
    pub fn id(&self) -> SourceId {
        self.id
    }

    /// Where a located span is, as the user reads it: `path:line:col`, with the original
    /// place for an imported document.
    pub fn describe(&self, span: Span) -> String {
        let path = self.path.display();
        if !span.is_located() {
            return path.to_string();
        }
        match &self.kind {
            SourceKind::Document { labels } => match labels.get(span.line as usize - 1) {
                Some(label) if !label.is_empty() => {
                    format!("{path}:{}:{}（{label}）", span.line, span.col)
                }
                _ => format!("{path}:{}:{}", span.line, span.col),
            },
            SourceKind::Yaml => format!("{path}:{}:{}", span.line, span.col),
        }
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
