//! The typed report model: what a unit reported, with the location of every value.
//! Built from the YAML node tree by [`load_report`]; checked by `validate`.

mod decimal;
mod dismissed;
mod emit;
mod load;
mod numbers;
mod skeleton;

pub use decimal::Decimal;
pub use dismissed::Dismissal;
pub(crate) use dismissed::read as read_dismissed;
pub use emit::{emit_yaml, strip_locations};
pub use load::{MAX_COUNT, REPORT_YEARS, load_report, parse_date};
pub use numbers::{NumberCell, SetNumberError, input_cells};
pub use skeleton::{PLACEHOLDER, skeleton, yaml_string};

use crate::source::Span;

/// Text with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// The text.
    pub text: String,
    /// Where it starts.
    pub span: Span,
}

/// A calendar date (成文日期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
}

impl Date {
    /// The official written form: `2025年1月22日` (no zero padding).
    pub fn to_chinese(self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }
}

/// A number from a table cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A count of items (件, 个).
    Count(u64),
    /// An amount kept as written (万元).
    Decimal(Decimal),
}

impl Value {
    /// The printed form.
    pub fn display(&self) -> String {
        match self {
            Value::Count(n) => n.to_string(),
            Value::Decimal(d) => d.to_string(),
        }
    }

    /// Exact sum; a count added to an amount gives an amount.
    pub fn plus(self, other: Value) -> Value {
        match (self, other) {
            (Value::Count(x), Value::Count(y)) => Value::Count(x + y),
            (Value::Decimal(x), Value::Decimal(y)) => Value::Decimal(x.plus(y)),
            (Value::Decimal(x), Value::Count(y)) | (Value::Count(y), Value::Decimal(x)) => {
                Value::Decimal(x.plus(Decimal::from_int(y)))
            }
        }
    }

    /// The value as a count (decimals give `None`).
    pub fn count(&self) -> Option<u64> {
        match self {
            Value::Count(n) => Some(*n),
            Value::Decimal(_) => None,
        }
    }
}

/// A number with its location.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num {
    /// The value (0 when the cell was left blank: sums and rules count a blank as 0).
    pub value: Value,
    /// Where it was written (detached when the user left it out).
    pub span: Span,
    /// The cell was left blank: not written in the YAML (or the spreadsheet). Kept apart from
    /// a written 0 (「没有数据…则留空不填写」): [`emit_yaml`] leaves it out and `check` warns.
    pub blank: bool,
}

impl Num {
    /// A number that was written.
    pub const fn written(value: Value, span: Span) -> Num {
        Num { value, span, blank: false }
    }

    /// A cell left blank (counted as 0).
    pub const fn blank() -> Num {
        Num { value: Value::Count(0), span: Span::detached(), blank: true }
    }
}

/// One record of a table: a row of table 三, a group of table 四, an item of table 二.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The record key from the format (`withheld.state_secret`).
    pub key: String,
    /// Where the record was written (the key), detached when omitted.
    pub span: Span,
    /// The field values in the format's field order; a scalar record has one.
    pub values: Vec<Num>,
    /// The total the user wrote, if any (checked, never trusted).
    pub given_total: Option<Num>,
    /// Whether the record was written as a list (paths then use `[i]`).
    pub from_list: bool,
}

/// The numbers of one official table, records in the format's order.
#[derive(Debug, Clone, PartialEq)]
pub struct TableData {
    /// Table key (`applications`).
    pub key: String,
    /// Records in the format's order.
    pub records: Vec<Record>,
}

impl TableData {
    /// Finds a record by key.
    pub fn record(&self, key: &str) -> Option<&Record> {
        self.records.iter().find(|r| r.key == key)
    }
}

/// An item of prose.
#[derive(Debug, Clone, PartialEq)]
pub enum ProseItem {
    /// One paragraph.
    Paragraph(Text),
    /// A numbered subsection.
    Subsection(Subsection),
    /// A figure with an optional caption.
    Figure(Figure),
}

/// A subsection: heading (numbered automatically), paragraphs, nested items.
#[derive(Debug, Clone, PartialEq)]
pub struct Subsection {
    /// The heading as written, without its number.
    pub heading: Text,
    /// Whether the heading starts the first paragraph.
    pub run_in: bool,
    /// Paragraphs.
    pub text: Vec<Text>,
    /// Nested items (the next numbering level).
    pub items: Vec<ProseItem>,
}

/// A file the report names (a seal or figure image): the name as written, where it was written
/// and its key path. The bytes are fetched through [`crate::world::Resources`] when the report
/// is checked, never read by the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceRef {
    /// The name as written (a path relative to the report's folder, for files).
    pub name: String,
    /// Where the name was written.
    pub span: Span,
    /// Key path such as `signature.seal` or `overview[1].image`.
    pub key: String,
}

/// A figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The image.
    pub image: ResourceRef,
    /// The caption.
    pub caption: Option<Text>,
    /// Printed width; default is the full text width or the image's own size.
    pub width_mm: Option<f64>,
    /// Alternative text for readers who cannot see the image (HTML `alt`).
    pub alt: Option<Text>,
    /// Where the figure was written.
    pub span: Span,
}

/// One of the six sections.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Section key from the format (`overview`).
    pub key: String,
    /// Where the key was written.
    pub span: Span,
    /// Prose (for table sections: the `intro`).
    pub prose: Vec<ProseItem>,
    /// The table's numbers, for table sections.
    pub table: Option<TableData>,
    /// Prose after the table (`notes`).
    pub notes: Vec<ProseItem>,
}

/// 落款: who signs, when, and the seal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signature {
    /// The signing unit (defaults to the report's unit).
    pub unit: Option<Text>,
    /// The units signing together with `unit` (联合行文: `unit` written as a list, whose
    /// first entry is `unit`), in the order written; each starts a line of the 署名.
    pub joint: Vec<Text>,
    /// The date (defaults to the report's date).
    pub date: Option<(Date, Span)>,
    /// The seal image.
    pub seal: Option<ResourceRef>,
    /// Alternative text for the seal image (`seal: {image, alt}`).
    pub seal_alt: Option<Text>,
}

/// A unit's annual report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Edition of the official format.
    pub format: u32,
    /// Issuing body (发布机关).
    pub unit: Text,
    /// Reported year.
    pub year: (i32, Span),
    /// Date of issue (成文日期).
    pub date: Option<(Date, Span)>,
    /// Title, if the user overrode the default.
    pub title: Option<Text>,
    /// Prose before section 一.
    pub preamble: Vec<ProseItem>,
    /// The six sections in the format's order.
    pub sections: Vec<Section>,
    /// 落款.
    pub signature: Signature,
    /// Findings a reviewer settled (`dismissed:`), the entries that can be used.
    pub dismissed: Vec<Dismissal>,
}

impl Report {
    /// Finds a section by key.
    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }

    /// Finds a table by key.
    pub fn table(&self, key: &str) -> Option<&TableData> {
        self.sections.iter().filter_map(|s| s.table.as_ref()).find(|t| t.key == key)
    }

    /// The title: the user's or the format's default.
    pub fn title_text(&self, pattern: &str) -> String {
        match &self.title {
            Some(t) => t.text.clone(),
            None => pattern
                .replace("{unit}", &self.unit.text)
                .replace("{year}", &self.year.0.to_string()),
        }
    }

    /// The signing unit's name.
    pub fn signing_unit(&self) -> &str {
        self.signature.unit.as_ref().map_or(&self.unit.text, |t| &t.text)
    }

    /// Every file the report names: the seal, then each figure's image in reading order, with
    /// the official label of its role.
    pub fn resources(&self) -> Vec<(&ResourceRef, &'static str)> {
        fn walk<'a>(items: &'a [ProseItem], out: &mut Vec<(&'a ResourceRef, &'static str)>) {
            for item in items {
                match item {
                    ProseItem::Figure(f) => out.push((&f.image, "图片")),
                    ProseItem::Subsection(s) => walk(&s.items, out),
                    ProseItem::Paragraph(_) => {}
                }
            }
        }
        let mut out: Vec<(&ResourceRef, &'static str)> =
            self.signature.seal.iter().map(|s| (s, "印章")).collect();
        walk(&self.preamble, &mut out);
        for s in &self.sections {
            walk(&s.prose, &mut out);
            walk(&s.notes, &mut out);
        }
        out
    }

    /// The signing date.
    pub fn signing_date(&self) -> Option<Date> {
        self.signature.date.or(self.date).map(|(d, _)| d)
    }
}
