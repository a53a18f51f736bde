//! What a rendering produces: a list of outputs of known kinds.

use crate::diag::Diagnostic;
use crate::layout::SealPlacement;

/// A kind of document a report is exported to. Adding a backend is a variant here, its
/// extension and name, and one arm in [`super::Engine::render`]'s dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutputKind {
    /// The PDF for publication (laid out by nianbao).
    Pdf,
    /// The DOCX editors change (Word paginates).
    Docx,
    /// The accessible page for the portal (the browser lays it out).
    Html,
    /// The OFD (GB/T 33190) for 公文 and archive systems: the PDF's pages.
    Ofd,
}

impl OutputKind {
    /// Every kind, in the order outputs are made and written.
    pub const ALL: [OutputKind; 4] =
        [OutputKind::Pdf, OutputKind::Docx, OutputKind::Html, OutputKind::Ofd];

    /// The file extension (and the name used in `--format`).
    pub fn ext(self) -> &'static str {
        match self {
            OutputKind::Pdf => "pdf",
            OutputKind::Docx => "docx",
            OutputKind::Html => "html",
            OutputKind::Ofd => "ofd",
        }
    }

    /// Parses a `--format` list such as `pdf,docx`: the kinds asked for, in [`Self::ALL`]'s
    /// order, each once.
    pub fn parse_list(list: &str) -> Result<Vec<OutputKind>, String> {
        let names: Vec<&str> = Self::ALL.iter().map(|k| k.ext()).collect();
        let mut asked = Vec::new();
        for part in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let kind = Self::ALL
                .into_iter()
                .find(|k| k.ext() == part)
                .ok_or_else(|| format!("unknown output format `{part}` ({})", names.join(", ")))?;
            asked.push(kind);
        }
        if asked.is_empty() {
            return Err(format!("no output format given ({})", names.join(", ")));
        }
        asked.sort();
        asked.dedup();
        Ok(asked)
    }
}

/// One document made from a report.
#[derive(Debug, Clone)]
pub struct Output {
    /// Its kind.
    pub kind: OutputKind,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The outputs of one report.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The documents, in [`OutputKind::ALL`]'s order.
    pub outputs: Vec<Output>,
    /// Pages in the PDF and the OFD (0 when neither was made).
    pub pages: usize,
    /// Where the seal sits in the PDF.
    pub seal: Option<SealPlacement>,
    /// Whether the PDF carries a signature.
    pub signed: bool,
    /// Warnings from rendering (missing glyphs).
    pub warnings: Vec<Diagnostic>,
}

impl Rendered {
    /// The bytes of one kind, when it was made.
    pub fn get(&self, kind: OutputKind) -> Option<&[u8]> {
        self.outputs.iter().find(|o| o.kind == kind).map(|o| o.bytes.as_slice())
    }

    /// The PDF, when one was made.
    pub fn pdf(&self) -> Option<&[u8]> {
        self.get(OutputKind::Pdf)
    }

    /// The DOCX, when one was made.
    pub fn docx(&self) -> Option<&[u8]> {
        self.get(OutputKind::Docx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_lists_parse_in_a_fixed_order() {
        assert_eq!(
            OutputKind::parse_list("docx,pdf").unwrap(),
            [OutputKind::Pdf, OutputKind::Docx]
        );
        assert_eq!(OutputKind::parse_list(" pdf ,pdf").unwrap(), [OutputKind::Pdf]);
        assert!(OutputKind::parse_list("").is_err());
        assert!(OutputKind::parse_list("pdf,odt").unwrap_err().contains("odt"));
        assert_eq!(OutputKind::parse_list("html").unwrap(), [OutputKind::Html]);
        assert_eq!(OutputKind::parse_list("ofd,pdf").unwrap(), [OutputKind::Pdf, OutputKind::Ofd]);
    }
}
