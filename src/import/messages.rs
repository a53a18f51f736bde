//! The import's problems: what the importer reports, each tied to a catalogue message
//! (`diag/messages.rs` holds the wording).

use crate::diag::{Diagnostic, Msg};
use crate::source::Span;

/// Codes of problems found while importing a published report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportCode {
    /// A table cell is blank (left blank, counted as 0, never silently).
    Blank,
    /// Digits glued together without separators, read one way by the 勾稽 rules.
    GluedResolved,
    /// Glued digits with several (or no) readings that balance: cells left blank.
    GluedAmbiguous,
    /// 2019 labels (or a mix of 2019 and 2021 labels) in the tables.
    Edition,
    /// A record of the official table was not found in the document.
    MissingRow,
    /// A number cell holds no number the table can hold (a fraction in a count, a count
    /// past 2³² − 1).
    BadCell,
    /// A row has more numbers than the official table has cells.
    ExtraCells,
    /// The issuing body or the year could not be found.
    Unknown,
    /// An amount was converted from 元 to 万元.
    Converted,
    /// None of the three official tables were found (published as images?).
    NoTables,
    /// The document cannot be read (a broken DOCX, not a PDF …).
    Unreadable,
    /// An official table could not be read: none of its rows were found.
    TableUnread,
    /// A workbook's number cell is blank: it stays blank (never a 0).
    SheetBlank,
    /// A workbook's number cell holds text that is no number the table can hold: left blank.
    SheetRefused,
    /// A workbook's number cell holds text read as a number (`12件`, `１２`, `—`).
    SheetNormalised,
}

impl ImportCode {
    /// The stable short code.
    pub fn as_str(self) -> &'static str {
        self.msg().code().as_str()
    }

    /// Whether the problem is an error (the import is unusable without a fix).
    pub fn is_error(self) -> bool {
        matches!(self, ImportCode::NoTables | ImportCode::Unreadable | ImportCode::TableUnread)
    }
}

impl ImportCode {
    /// The catalogue message of this problem (`{a}` is the cell or row, `{b}` a detail).
    pub fn msg(self) -> Msg {
        match self {
            ImportCode::Blank => Msg::ImportBlank,
            ImportCode::GluedResolved => Msg::ImportGluedResolved,
            ImportCode::GluedAmbiguous => Msg::ImportGluedAmbiguous,
            ImportCode::Edition => Msg::ImportEdition,
            ImportCode::MissingRow => Msg::ImportMissingRow,
            ImportCode::BadCell => Msg::ImportBadCell,
            ImportCode::ExtraCells => Msg::ImportExtraCells,
            ImportCode::Unknown => Msg::ImportUnknown,
            ImportCode::Converted => Msg::ImportConverted,
            ImportCode::NoTables => Msg::ImportNoTables,
            ImportCode::Unreadable => Msg::ImportUnreadable,
            ImportCode::TableUnread => Msg::ImportTableUnread,
            ImportCode::SheetBlank => Msg::SheetBlank,
            ImportCode::SheetRefused => Msg::SheetRefused,
            ImportCode::SheetNormalised => Msg::SheetNormalised,
        }
    }

    /// The diagnostic, with the cell or row `a` and the detail `b`.
    pub fn diagnostic(self, a: &str, b: &str) -> Diagnostic {
        Diagnostic::of(self.msg(), Span::detached(), &[("a", &a), ("b", &b)])
    }
}
