//! The shared model: the validated report lowered into a resolved, styled block
//! tree. Numbering, fonts, sizes, table grids with spans and column widths, the
//! printed numbers, images: all settled here, once. The PDF side goes on to line
//! breaking and pagination (`layout`); the DOCX side maps these blocks to OOXML
//! and lets Word paginate. No backend reads YAML or the report model.

mod breaks;
mod cells;
mod columns;
mod image;
mod lower;
mod signature;

pub use breaks::{break_lines, em_width};
pub use cells::{CellKind, CellRoles};
pub use columns::number_wider_than_cell;
pub use image::{ImageData, ImageKind, MAX_PIXELS, MAX_SIDE_PX};
pub use lower::{Images, resolve_document};
pub use signature::{SignatureLayout, SignatureLine};

use crate::source::Span;
use crate::template::{Role, Style};
use crate::units::Abs;
use std::sync::Arc;

/// A styled span of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The text.
    pub text: String,
    /// Which font/size role sets it.
    pub role: Role,
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Flush left.
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
    /// Justified to both edges, last line flush left.
    Justify,
}

/// A paragraph: runs, first-line indent, alignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    /// Runs in order (a run-in heading is a first run in the heading's role).
    pub runs: Vec<Run>,
    /// First-line indent in characters of the body grid (2 = 左空二字).
    pub first_line_indent_chars: u32,
    /// Alignment.
    pub align: Align,
    /// Keep on the same page as the next block (headings).
    pub keep_with_next: bool,
    /// The paragraph style name the DOCX writer uses (`Body`, `Heading1` …).
    pub style: ParaStyle,
    /// Where it came from in the YAML.
    pub span: Span,
}

/// The named paragraph styles shared by both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParaStyle {
    /// The report title.
    Title,
    /// Body text.
    Body,
    /// `一、` section headings.
    Heading1,
    /// `（一）` headings.
    Heading2,
    /// `1.` headings.
    Heading3,
    /// `（1）` headings.
    Heading4,
    /// Figure captions.
    Caption,
    /// The signature block lines.
    Signature,
}

impl ParaStyle {
    /// The role that sets the style's text.
    pub fn role(self) -> Role {
        match self {
            ParaStyle::Title => Role::Title,
            ParaStyle::Body => Role::Body,
            ParaStyle::Heading1 => Role::Heading1,
            ParaStyle::Heading2 => Role::Heading2,
            ParaStyle::Heading3 => Role::Heading3,
            ParaStyle::Heading4 => Role::Heading4,
            ParaStyle::Caption => Role::Caption,
            ParaStyle::Signature => Role::Signature,
        }
    }
}

/// One cell of a table, at its grid position.
#[derive(Debug, Clone, PartialEq)]
pub struct TableCell {
    /// Grid row of the top-left corner.
    pub row: usize,
    /// Grid column of the top-left corner.
    pub col: usize,
    /// Rows spanned.
    pub rowspan: usize,
    /// Columns spanned.
    pub colspan: usize,
    /// The text (a label or a printed number).
    pub text: String,
    /// A header label (heading font).
    pub head: bool,
    /// A number (centred).
    pub numeric: bool,
    /// Alignment.
    pub align: Align,
    /// The role that sets it.
    pub role: Role,
    /// For a number: its stable key, `table.record.field`, `table.record.total` or
    /// `table.record` for a one-number record (the keys of batch's `summary.csv`).
    pub key: Option<String>,
}

/// An official table, resolved: columns in absolute widths, cells with spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Table key (`applications`).
    pub key: String,
    /// Absolute column widths; they sum to the 版心 width.
    pub columns: Vec<Abs>,
    /// Number of grid rows.
    pub rows: usize,
    /// Top rows repeated when the table crosses a page.
    pub header_rows: usize,
    /// For each grid row: it stays on the same page as the next row (the header with
    /// the first rows, a sub-heading row with what it heads, a small merged group
    /// whole, the last two rows together). Both backends break tables by it.
    pub keep_with_next: Vec<bool>,
    /// The one font size of every cell (the style's table size, or smaller when the
    /// numbers need it; see `columns`).
    pub size: Abs,
    /// Space between a cell's text and its left and right rules (the style's
    /// padding, or half of it when the numbers need the room).
    pub pad_x: Abs,
    /// Cells in row-major order of their top-left corner.
    pub cells: Vec<TableCell>,
    /// Where the table's numbers came from.
    pub span: Span,
}

/// A figure.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureBlock {
    /// The image.
    pub image: Arc<ImageData>,
    /// Printed width.
    pub width: Abs,
    /// Printed height (keeps the aspect ratio).
    pub height: Abs,
    /// Caption paragraph below the image.
    pub caption: Option<Paragraph>,
    /// Alternative text (the YAML `alt`), for HTML and tagged PDF.
    pub alt: Option<String>,
    /// Where the figure was written.
    pub span: Span,
}

/// 落款: unit name and date, with an optional seal over them (GB/T 9704 §7.3.5).
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureBlock {
    /// Signing unit.
    pub unit: String,
    /// Units signing together with `unit` (联合行文), each starting a line below it.
    pub joint: Vec<String>,
    /// Date in the official form (`2025年1月22日`).
    pub date: Option<String>,
    /// Seal image and its printed diameter.
    pub seal: Option<(Arc<ImageData>, Abs)>,
    /// Alternative text for the seal (the YAML `seal.alt`).
    pub seal_alt: Option<String>,
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph (title, heading, body, caption).
    Paragraph(Paragraph),
    /// An official table.
    Table(Table),
    /// A figure.
    Figure(FigureBlock),
    /// One empty line of the body grid.
    BlankLine,
    /// The signature block.
    Signature(SignatureBlock),
}

/// The resolved document both backends consume.
#[derive(Debug, Clone)]
pub struct Document {
    /// Title (also the PDF/DOCX metadata title).
    pub title: String,
    /// The issuing unit (metadata author / DOCX creator).
    pub author: String,
    /// Date of issue, used for metadata dates (never the clock).
    pub date: Option<crate::model::Date>,
    /// The style preset (page geometry, fonts by role).
    pub style: Style,
    /// Blocks in reading order.
    pub blocks: Vec<Block>,
}
