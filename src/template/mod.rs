//! Templates as data: the official format editions (`templates/formats/*.yaml`:
//! sections, tables, labels, merges, rules) and style presets
//! (`templates/styles/*.yaml`: page, fonts, sizes). The bundled ones are embedded
//! in the binary and read once per process.

mod format;
mod lexicon;
mod style;

pub use format::{
    CellContent, FieldRef, Format, GridCell, GridDef, RecordDef, RuleDef, ScalarKind, SectionDef,
    TableDef, TownshipZero, place_cells,
};
pub use lexicon::{
    Anchor, AuditData, AuditWords, EarlierEdition, ImportData, ImportWords, MergedRow, Naming,
    WordList, Words,
};
pub use style::{PageStyle, Role, RoleStyle, Style};

use crate::source::{Node, NodeKind, YamlLimits, parse_yaml};
use std::sync::OnceLock;

/// The bundled format editions. Adding an edition is one file in `templates/formats/` and one
/// line here; everything else (top-level keys, tables, rules and their hints, the skeleton,
/// plausibility checks) comes from the file.
const BUNDLED_FORMATS: &[&str] = &[include_str!("../../templates/formats/2021.yaml")];
const STYLE_GBT9704: &str = include_str!("../../templates/styles/gbt9704.yaml");

/// The format editions a run knows: the bundled ones, plus any the caller adds.
#[derive(Debug, Clone)]
pub struct Formats {
    formats: Vec<std::sync::Arc<Format>>,
}

impl Formats {
    /// The bundled editions, parsed once per process.
    pub fn bundled() -> &'static Formats {
        static FORMATS: OnceLock<Formats> = OnceLock::new();
        FORMATS.get_or_init(|| Formats {
            formats: BUNDLED_FORMATS
                .iter()
                .map(|text| {
                    std::sync::Arc::new(Format::from_yaml(text).expect("bundled formats are valid"))
                })
                .collect(),
        })
    }

    /// These editions plus `format` (replacing a registered edition of the same number).
    pub fn with(&self, format: Format) -> Formats {
        let mut formats: Vec<_> =
            self.formats.iter().filter(|f| f.edition != format.edition).cloned().collect();
        formats.push(std::sync::Arc::new(format));
        Formats { formats }
    }

    /// The format of an edition.
    pub fn get(&self, edition: u32) -> Option<&Format> {
        self.formats.iter().find(|f| f.edition == edition).map(|f| &**f)
    }

    /// The format of an edition, shared (a loaded report keeps the one it was read in).
    pub fn shared(&self, edition: u32) -> Option<std::sync::Arc<Format>> {
        self.formats.iter().find(|f| f.edition == edition).cloned()
    }

    /// The editions, in registration order.
    pub fn editions(&self) -> Vec<u32> {
        self.formats.iter().map(|f| f.edition).collect()
    }

    /// The edition a report without `format:` is read in: the newest bundled one.
    pub fn default_edition(&self) -> u32 {
        self.formats.iter().map(|f| f.edition).max().unwrap_or(2021)
    }

    /// The source texts of the bundled editions, for hashing in `batch --changed`.
    pub fn bundled_sources() -> &'static [&'static str] {
        BUNDLED_FORMATS
    }
}

/// The bundled format for an edition, if there is one.
pub fn bundled_format(edition: u32) -> Option<&'static Format> {
    Formats::bundled().get(edition)
}

/// The bundled GB/T 9704 style preset.
pub fn default_style() -> &'static Style {
    static STYLE: OnceLock<Style> = OnceLock::new();
    STYLE.get_or_init(|| Style::from_yaml(STYLE_GBT9704).expect("bundled style is valid"))
}

/// Text of the bundled templates (formats, then the style), for hashing in `batch --changed`.
pub fn bundled_sources() -> impl Iterator<Item = &'static str> {
    BUNDLED_FORMATS.iter().copied().chain([STYLE_GBT9704])
}

/// Parses template YAML into a node tree or a message.
fn parse_template(text: &str) -> Result<Node, String> {
    let (root, diags) = parse_yaml(text, YamlLimits::default());
    if let Some(d) = diags.first() {
        return Err(format!("{}:{}: {}", d.span.line, d.span.col, d.message_en));
    }
    root.ok_or_else(|| "empty template".to_string())
}

// Small accessors for template nodes: templates are trusted data, so a problem is
// a message naming the line, not a user diagnostic.

fn req<'a>(node: &'a Node, key: &str) -> Result<&'a Node, String> {
    node.get(key).ok_or_else(|| format!("line {}: missing `{key}`", node.span.line))
}

fn string(node: &Node) -> Result<String, String> {
    node.as_scalar()
        .map(str::to_string)
        .ok_or_else(|| format!("line {}: expected a string", node.span.line))
}

fn opt_string(node: &Node, key: &str) -> Result<Option<String>, String> {
    node.get(key).map(string).transpose()
}

fn uint(node: &Node) -> Result<u64, String> {
    node.as_scalar()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("line {}: expected a whole number", node.span.line))
}

fn float(node: &Node) -> Result<f64, String> {
    node.as_scalar()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("line {}: expected a number", node.span.line))
}

fn boolean(node: &Node, key: &str) -> Result<bool, String> {
    match node.get(key).and_then(Node::as_scalar) {
        None => Ok(false),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => {
            Err(format!("line {}: `{key}` must be true or false, not {other}", node.span.line))
        }
    }
}

fn seq(node: &Node) -> Result<&[Node], String> {
    match &node.kind {
        NodeKind::Seq(items) => Ok(items),
        _ => Err(format!("line {}: expected a list", node.span.line)),
    }
}

fn map(node: &Node) -> Result<&[(Node, Node)], String> {
    match &node.kind {
        NodeKind::Map(entries) => Ok(entries),
        _ => Err(format!("line {}: expected a mapping", node.span.line)),
    }
}
