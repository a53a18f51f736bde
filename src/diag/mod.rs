//! Diagnostics: every problem with a report, with a stable code, a location, the
//! key path and the official label, worded in Chinese first and English after.

mod render;

pub use render::{render_human, render_json, render_short};

use crate::source::Span;
use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
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
    /// A character no available font can draw.
    MissingGlyph,
    /// A font given on the command line cannot be used.
    Font,
    /// A table's numbers cannot fit the type area (a number is never broken).
    NumberTooWide,
    /// An internal failure while writing the output (a bug, please report it).
    Internal,
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
            Code::MissingGlyph => "W-G1",
            Code::Font => "E-G2",
            Code::NumberTooWide => "E-W1",
            Code::Internal => "E-X1",
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
}

impl Diagnostic {
    /// An error with both messages.
    pub fn error(code: Code, span: Span, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            span,
            path: None,
            label: None,
            message_zh: zh.into(),
            message_en: en.into(),
            hints: Vec::new(),
        }
    }

    /// A warning with both messages.
    pub fn warning(code: Code, span: Span, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, zh, en) }
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

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether any diagnostic in the list is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}
