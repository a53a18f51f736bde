//! Import: a published report (plain text, HTML) becomes a [`Report`] in the
//! contract's form, written out through [`crate::model::emit_yaml`].
//!
//! Every input kind is first read into [`Block`]s (paragraphs and table rows of
//! cells, each with its [`Loc`] in the source document); [`core`] then finds the
//! three official tables in the blocks, maps their rows onto the format's records
//! (blanks kept apart from zeros, amounts exact, glued digits split by the 勾稽
//! rules) and splits the prose into the six sections.

mod core;
mod docx;
mod flat;
mod html;
mod intake;
mod messages;
mod next;
mod pdf;
mod prose;
mod scan;
mod text;
#[cfg(feature = "xlsx")]
mod workbook;

pub use self::core::build_report;
pub use self::scan::{Block, Cell};
pub use intake::{Published, is_published, published_in};
pub use messages::ImportCode;
pub use next::next_year;
#[cfg(feature = "xlsx")]
pub use workbook::{
    MAX_CELLS, WORKBOOK_INFLATE_LIMIT, draft, import_workbook, is_workbook, precheck,
};

use crate::diag::Diagnostic;
use crate::model::Report;
use crate::template::Format;
use std::collections::BTreeMap;
use std::fmt;

/// Where an imported value was found in the source document. A [`crate::source::Span`]
/// is a YAML position; this names the place in the document that was imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Loc {
    /// A line of a text file (1-based).
    Line(u32),
    /// A paragraph of an HTML page (1-based, in reading order).
    Para(u32),
    /// A line of a PDF page, and the cell on that line (1-based).
    Pdf {
        /// Page number.
        page: u32,
        /// Line on the page, top to bottom.
        line: u32,
        /// Cell on the line, left to right.
        col: u32,
    },
    /// A cell of a workbook: sheet (1-based, in the workbook's order), row and column
    /// (1-based; printed as `C12`).
    Sheet {
        /// Sheet number.
        sheet: u32,
        /// Row.
        row: u32,
        /// Column.
        col: u32,
    },
    /// A cell of an HTML or DOCX table: table, row and column of the grid (1-based).
    Cell {
        /// Table number in the page.
        table: u32,
        /// Row in the expanded grid.
        row: u32,
        /// Column in the expanded grid.
        col: u32,
    },
}

impl Loc {
    /// The place in Chinese.
    pub fn zh(&self) -> String {
        match *self {
            Loc::Line(l) => format!("第 {l} 行"),
            Loc::Para(p) => format!("第 {p} 段"),
            Loc::Cell { table, row, col } => format!("表 {table} 第 {row} 行第 {col} 列"),
            Loc::Pdf { page, line, col } => format!("第 {page} 页第 {line} 行第 {col} 格"),
            Loc::Sheet { sheet, row, col } => format!("第 {sheet} 张工作表 {}", a1(row, col)),
        }
    }

    /// The place in English.
    pub fn en(&self) -> String {
        match *self {
            Loc::Line(l) => format!("line {l}"),
            Loc::Para(p) => format!("paragraph {p}"),
            Loc::Cell { table, row, col } => format!("table {table}, row {row}, column {col}"),
            Loc::Pdf { page, line, col } => format!("page {page}, line {line}, cell {col}"),
            Loc::Sheet { sheet, row, col } => format!("sheet {sheet}, cell {}", a1(row, col)),
        }
    }
}

/// `C12` for 1-based row 12, column 3.
pub(crate) fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col;
    while n > 0 {
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &row.to_string()
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.zh(), self.en())
    }
}

/// The kind of document being imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Plain text copied from a page (`|` or tab separated, one cell per line, glued).
    Text,
    /// An HTML page (whole page or the article only), any encoding.
    Html,
    /// A Word/WPS document (`.docx`).
    Docx,
    /// A PDF with a text layer.
    Pdf,
    /// A workbook (`.xlsx`, `.xls`, `.ods`): the template filled in, or any sheet with the
    /// official tables' labels (read by `crate::xlsx`, feature `xlsx`).
    Workbook,
}

impl SourceKind {
    /// Guesses the kind from the file name and the first bytes.
    pub fn sniff(name: &str, bytes: &[u8]) -> SourceKind {
        let lower = name.to_ascii_lowercase();
        if [".xlsx", ".xlsm", ".xls", ".ods"].iter().any(|e| lower.ends_with(e))
            || bytes.starts_with(b"\xD0\xCF\x11\xE0")
        {
            return SourceKind::Workbook;
        }
        if lower.ends_with(".pdf") || bytes.starts_with(b"%PDF") {
            return SourceKind::Pdf;
        }
        if lower.ends_with(".docx") || bytes.starts_with(b"PK\x03\x04") {
            return SourceKind::Docx;
        }
        if lower.ends_with(".html") || lower.ends_with(".htm") || lower.ends_with(".shtml") {
            return SourceKind::Html;
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
        if head.contains("<html")
            || head.contains("<table")
            || head.contains("<div")
            || head.contains("<p>")
        {
            SourceKind::Html
        } else {
            SourceKind::Text
        }
    }
}

/// Which edition of the official format the document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    /// 国办公开办函〔2021〕30号.
    F2021,
    /// 国办公开办函〔2019〕60号 (试行).
    F2019,
    /// Labels of both editions.
    Mixed,
}

/// What the caller expects (`--format auto|2021|2019`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormatChoice {
    /// Detect from the labels.
    #[default]
    Auto,
    /// Expect the 2021 format.
    F2021,
    /// Expect the 2019 format.
    F2019,
}

/// One problem found while importing, with its place in the source document.
#[derive(Debug, Clone)]
pub struct ImportDiag {
    /// The diagnostic (code, messages, key path and official label).
    pub diag: Diagnostic,
    /// Where in the source document.
    pub loc: Option<Loc>,
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The report (always produced; problems are in `diags`).
    pub report: Report,
    /// The edition the labels follow.
    pub edition: Edition,
    /// Problems, in document order.
    pub diags: Vec<ImportDiag>,
    /// The source location of every imported number, by the key path `check` uses
    /// for it (`applications.received[0]`, `proactive.regulations.issued`).
    pub locations: BTreeMap<String, Loc>,
    /// Every paragraph of prose as written into the report (tidied), with its place.
    pub paragraphs: Vec<(String, Loc)>,
}

impl Imported {
    /// The source location for a diagnostic of `check` run on the imported report,
    /// found through its key path.
    pub fn locate(&self, diag: &Diagnostic) -> Option<Loc> {
        let path = diag.path.as_deref()?;
        self.locations.get(path).copied()
    }

    /// [`Imported::locate`], and for a diagnostic in the prose (the audit's findings, the
    /// draft and placeholder warnings) the source paragraph its YAML line came from:
    /// `yaml` is the imported file as written, whose prose is one quoted string per line.
    pub fn locate_in(&self, diag: &Diagnostic, yaml: &str) -> Option<Loc> {
        if let Some(loc) = self.locate(diag) {
            return Some(loc);
        }
        let line = yaml.lines().nth(usize::try_from(diag.span.line).ok()?.checked_sub(1)?)?;
        let text = quoted(line)?;
        self.locate_text(&text)
    }

    /// The place of the source paragraph a text of the report came from (a subsection's
    /// heading or text is part of one).
    pub fn locate_text(&self, text: &str) -> Option<Loc> {
        let text = text.trim();
        if text.chars().count() < 2 {
            return None;
        }
        let found = self.paragraphs.iter().find(|(p, _)| p == text);
        found.or_else(|| self.paragraphs.iter().find(|(p, _)| p.contains(text))).map(|(_, l)| *l)
    }
}

/// The double-quoted YAML string on a line (`- "…"`, `text: "…"`), unescaped as
/// `model::yaml_string` escapes it.
fn quoted(line: &str) -> Option<String> {
    let start = line.find('"')? + 1;
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// The most a published document's compressed parts may inflate to, all together: a PDF's
/// page content, a DOCX's `word/document.xml` (a real report's are a few MB at most).
pub const INFLATE_LIMIT: usize = 64 * 1024 * 1024;

/// Why a document whose parts inflate past [`INFLATE_LIMIT`] is not read.
fn inflate_refused() -> String {
    let mib = INFLATE_LIMIT / (1024 * 1024);
    format!(
        "压缩内容解压后超过 {mib} MiB，可能是压缩炸弹；compressed content inflates past {mib} MiB"
    )
}

/// Imports a document of the given kind into an edition of the format (from the engine's
/// registry: [`crate::Engine::formats`]), whose grids and `import:` data name the rows.
pub fn import_bytes(
    bytes: &[u8],
    kind: SourceKind,
    choice: FormatChoice,
    format: &Format,
) -> Imported {
    let labels = scan::Labels::new(format);
    let blocks = match kind {
        SourceKind::Text => {
            let is_table =
                |l: &str| labels.is_table_line(l) || labels.anchor(&scan::norm(l)).is_some();
            text::read_text(&decode_text(bytes), &is_table)
        }
        SourceKind::Html => html::read_html(bytes),
        SourceKind::Docx => match docx::read_docx(bytes) {
            Ok(b) => b,
            Err(why) => return unreadable(&why, choice, format),
        },
        SourceKind::Pdf => match pdf::read_pdf(bytes) {
            Ok(b) => b,
            Err(why) => return unreadable(&why, choice, format),
        },
        #[cfg(feature = "xlsx")]
        SourceKind::Workbook => return workbook::import_workbook(bytes, format),
        #[cfg(not(feature = "xlsx"))]
        SourceKind::Workbook => {
            let why = "此版本未包含电子表格功能（feature xlsx）；this build has no spreadsheet support (feature xlsx)";
            return unreadable(why, choice, format);
        }
    };
    core::build_report_with(&blocks, choice, format, &labels)
}

/// The result for a document that cannot be read at all.
fn unreadable(why: &str, choice: FormatChoice, format: &Format) -> Imported {
    let mut imported = build_report(&[], choice, format);
    let diag = ImportCode::Unreadable.diagnostic(why, "");
    imported.diags.insert(0, ImportDiag { diag, loc: None });
    imported
}

/// Decodes text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.
fn decode_text(bytes: &[u8]) -> String {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_with_bom_removal(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
    }
}
