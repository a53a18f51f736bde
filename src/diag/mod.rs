//! Diagnostics: every problem with a report, with a stable code, a location, the
//! key path and the official label, worded in Chinese first and English after.

mod codes;
mod messages;
mod render;

pub use codes::AuditCode;

pub use messages::{Args, Hint, Msg, Reply, fill, markdown_table};
pub use render::{render_human, render_json, render_short};

/// A diagnostic from the catalogue: `diag!(Msg, span, name = value, …)`. The wording lives in
/// `diag/messages.rs`; call sites give only the values.
#[macro_export]
macro_rules! diag {
    ($msg:ident, $span:expr $(, $k:ident = $v:expr)* $(,)?) => {
        $crate::diag::Diagnostic::of(
            $crate::diag::Msg::$msg,
            $span,
            &[$((stringify!($k), &$v as &dyn ::std::fmt::Display)),*],
        )
    };
}

use crate::source::Span;
use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information for a reviewer (a sharp jump, a dismissed finding); never fails.
    Note,
    /// The document is still produced.
    Warning,
    /// Nothing is written for the file.
    Error,
}

/// Stable diagnostic codes. The string form (`E-R3`) is what users and tools see;
/// tests assert on codes and spans, never on wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// The file could not be read.
    Io,
    /// YAML syntax error.
    Syntax,
    /// The same key twice in one mapping.
    DuplicateKey,
    /// Alias expansion or nesting beyond the limits.
    TooComplex,
    /// The file is not UTF-8.
    Encoding,
    /// The file holds no document.
    Empty,
    /// The file is larger than any report could be.
    TooLarge,
    /// The top level is not a mapping.
    TopLevel,
    /// Unknown key (with a "did you mean").
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value of the wrong type.
    WrongType,
    /// A negative count.
    Negative,
    /// A count that is not a whole number.
    NotInteger,
    /// A count beyond the u32 range.
    OutOfRange,
    /// A malformed decimal amount.
    BadDecimal,
    /// A list with the wrong number of elements.
    ListLength,
    /// A value that is not allowed (date, edition, year …).
    BadValue,
    /// A file referred to by the report (seal, figure) cannot be used.
    MissingFile,
    /// Rule 1: a row's 总计 differs from the sum of its applicant columns.
    RowTotal,
    /// Rule 2: 三（七）总计 differs from the sum of its items.
    ColumnTotal,
    /// Rule 3: 一 + 二 ≠ 三（七）总计 + 四.
    Balance,
    /// Rule 1 for table 四: a group's 总计 differs from its four results.
    GroupTotal,
    /// Half-width punctuation inside Chinese prose.
    HalfWidthPunct,
    /// A township (乡/镇/街道) reports 规章.
    TownshipRegulations,
    /// The statistics period does not match `year`.
    PeriodMismatch,
    /// The date of issue lies before the end of the reported year.
    EarlyDate,
    /// Placeholder text from `nianbao init` is still in the report.
    Placeholder,
    /// A required prose section has no text.
    EmptySection,
    /// An input cell of a table was left blank (counted as 0).
    BlankCell,
    /// A character no available font can draw.
    MissingGlyph,
    /// A character no bundled face has, drawn with an installed font (named).
    InstalledFont,
    /// A font given on the command line cannot be used.
    Font,
    /// The document breaks a rule of the PDF/A profile asked for.
    PdfA,
    /// Signing the PDF failed.
    Signing,
    /// A table's numbers cannot fit the type area (a number is never broken).
    NumberTooWide,
    /// An internal failure while writing the output (a bug, please report it).
    Internal,
    /// Import: a blank table cell (imported as 0).
    ImportBlank,
    /// Import: glued digits split by the 勾稽 rules.
    ImportGluedResolved,
    /// Import: glued digits with no single balancing reading.
    ImportGluedAmbiguous,
    /// Import: 2019 labels, or 2019 and 2021 mixed.
    ImportEdition,
    /// Import: an official row not found.
    ImportMissingRow,
    /// Import: a number cell that holds no number the table can hold (a fraction in a
    /// count, a count past 2³² − 1).
    ImportBadCell,
    /// Import: more numbers than the official table has cells.
    ImportExtraCells,
    /// Import: the unit or year not found.
    ImportUnknown,
    /// Import: an amount converted from 元 to 万元.
    ImportConverted,
    /// Import: none of the official tables found.
    ImportNoTables,
    /// Import: the document cannot be read.
    ImportUnreadable,
    /// Import: an official table was found but none of its rows could be read, or it
    /// was not found while the others were.
    ImportTableUnread,
    /// Audit (`src/audit`): a finding of an evaluator's check; wording in `audit::text`.
    Audit(AuditCode),
}

impl Code {
    /// The stable short code shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "E-IO",
            Code::Syntax => "E-Y1",
            Code::DuplicateKey => "E-Y2",
            Code::TooComplex => "E-Y3",
            Code::Encoding => "E-Y4",
            Code::Empty => "E-Y5",
            Code::TooLarge => "E-Y6",
            Code::TopLevel => "E-Y7",
            Code::UnknownKey => "E-K1",
            Code::MissingKey => "E-K2",
            Code::WrongType => "E-T1",
            Code::Negative => "E-N1",
            Code::NotInteger => "E-N2",
            Code::OutOfRange => "E-N3",
            Code::BadDecimal => "E-N4",
            Code::ListLength => "E-L1",
            Code::BadValue => "E-V1",
            Code::MissingFile => "E-F1",
            Code::RowTotal => "E-R1",
            Code::ColumnTotal => "E-R2",
            Code::Balance => "E-R3",
            Code::GroupTotal => "E-R4",
            Code::HalfWidthPunct => "W-P1",
            Code::TownshipRegulations => "W-P2",
            Code::PeriodMismatch => "W-P3",
            Code::EarlyDate => "W-P4",
            Code::Placeholder => "W-P5",
            Code::EmptySection => "W-P6",
            Code::BlankCell => "W-P7",
            Code::MissingGlyph => "W-G1",
            Code::InstalledFont => "W-G3",
            Code::Font => "E-G2",
            Code::PdfA => "E-P1",
            Code::Signing => "E-S1",
            Code::NumberTooWide => "E-W1",
            Code::Internal => "E-X1",
            Code::ImportBlank => "W-I1",
            Code::ImportGluedResolved => "W-I2",
            Code::ImportGluedAmbiguous => "W-I3",
            Code::ImportEdition => "W-I4",
            Code::ImportMissingRow => "W-I5",
            Code::ImportBadCell => "W-I6",
            Code::ImportExtraCells => "W-I7",
            Code::ImportUnknown => "W-I8",
            Code::ImportConverted => "W-I9",
            Code::ImportNoTables => "E-I1",
            Code::ImportUnreadable => "E-I2",
            Code::ImportTableUnread => "E-I3",
            Code::Audit(c) => c.as_str(),
        }
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem found in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// Where in the YAML file.
    #[serde(skip)]
    pub span: Span,
    /// Key path such as `applications.withheld.state_secret[2]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The official label such as `三（三）1.属于国家秘密 / 科研机构`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The message in Chinese.
    pub message_zh: String,
    /// The same message in English.
    pub message_en: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// The table cells a broken rule spans, by their stable keys
    /// (`applications.received.natural_person`), when the path alone names no one cell
    /// (a column that does not balance): where the serve form shows it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with a catalogue message; an `E-` code is an error, a `W-` code a warning,
    /// an `N-` code a note.
    pub fn of(msg: Msg, span: Span, args: &Args) -> Self {
        let (zh, en) = msg.templates();
        Diagnostic::with_text(msg.code(), span, fill(zh, args), fill(en, args))
    }

    /// A diagnostic whose text was already filled from the catalogue (by a module with typed
    /// findings, such as the audit).
    pub fn with_text(code: Code, span: Span, zh: String, en: String) -> Self {
        let severity = match code.as_str().as_bytes().first() {
            Some(b'W') => Severity::Warning,
            Some(b'N') => Severity::Note,
            _ => Severity::Error,
        };
        Diagnostic {
            severity,
            code,
            span,
            path: None,
            label: None,
            message_zh: zh,
            message_en: en,
            hints: Vec::new(),
            cells: Vec::new(),
        }
    }

    /// Adds a hint from the catalogue.
    pub fn hint(mut self, hint: Hint, args: &Args) -> Self {
        self.hints.push(hint.text(args));
        self
    }

    /// Adds the key path (an empty path, the top level, adds nothing).
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        if !path.is_empty() {
            self.path = Some(path);
        }
        self
    }

    /// Adds the official label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        let label = label.into();
        if !label.is_empty() {
            self.label = Some(label);
        }
        self
    }

    /// Adds a hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds a hint line when there is one.
    pub fn with_hints(mut self, hint: Option<&str>) -> Self {
        self.hints.extend(hint.map(str::to_string));
        self
    }

    /// Adds the keys of the cells a rule spans.
    pub fn with_cells(mut self, cells: Vec<String>) -> Self {
        self.cells = cells;
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether any diagnostic in the list is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}
