//! What a rendering produces: a list of outputs of known kinds.

use crate::diag::Diagnostic;
use crate::layout::SealPlacement;

/// A kind of document a report is exported to. Adding a backend is a variant here, its
/// extension, MIME type and whether it is paged, and one arm in the engine's one dispatch
/// ([`crate::dispatch_output!`], which has no wildcard arm: a kind without a backend does not
/// compile).
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
    /// The 图解 (the report's numbers as charts) in one of its forms.
    Tujie(TujieForm),
}

/// A form of the 图解 (`--format tujie` asks for all three).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TujieForm {
    /// The long image's SVG.
    Svg,
    /// The long image, 1080 px wide, for 政务新媒体 (needs the `tujie` feature).
    Png,
    /// The 图解 pages in the PDF style (A4, GB/T 9704 type area, tagged).
    Pdf,
}

impl OutputKind {
    /// Every kind, in the order outputs are made and written.
    pub const ALL: [OutputKind; 7] = [
        OutputKind::Pdf,
        OutputKind::Docx,
        OutputKind::Html,
        OutputKind::Ofd,
        OutputKind::Tujie(TujieForm::Svg),
        OutputKind::Tujie(TujieForm::Png),
        OutputKind::Tujie(TujieForm::Pdf),
    ];

    /// The 图解's forms this build makes (the PNG needs the `tujie` feature).
    pub fn tujie() -> Vec<OutputKind> {
        Self::ALL
            .into_iter()
            .filter(|k| {
                matches!(k, OutputKind::Tujie(f) if *f != TujieForm::Png || cfg!(feature = "tujie"))
            })
            .collect()
    }

    /// The file extension (and the name used in `--format`).
    pub fn ext(self) -> &'static str {
        match self {
            OutputKind::Pdf => "pdf",
            OutputKind::Docx => "docx",
            OutputKind::Html => "html",
            OutputKind::Ofd => "ofd",
            OutputKind::Tujie(TujieForm::Svg) => "tujie.svg",
            OutputKind::Tujie(TujieForm::Png) => "tujie.png",
            OutputKind::Tujie(TujieForm::Pdf) => "tujie.pdf",
        }
    }

    /// The MIME type (the `Content-Type` a server sends it with).
    pub fn mime(self) -> &'static str {
        match self {
            OutputKind::Pdf => "application/pdf",
            OutputKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            OutputKind::Html => "text/html; charset=utf-8",
            OutputKind::Ofd => "application/ofd",
            OutputKind::Tujie(TujieForm::Svg) => "image/svg+xml",
            OutputKind::Tujie(TujieForm::Png) => "image/png",
            OutputKind::Tujie(TujieForm::Pdf) => "application/pdf",
        }
    }

    /// Whether the document is made of pages that follow nianbao's layout: the PDF is drawn
    /// from it, the DOCX breaks its pages where it does (Word paginates the rest). An HTML page
    /// is not (the browser lays it out), so a render of HTML alone skips the layout.
    pub fn is_paged(self) -> bool {
        match self {
            OutputKind::Pdf | OutputKind::Docx | OutputKind::Ofd => true,
            OutputKind::Html | OutputKind::Tujie(_) => false,
        }
    }

    /// Parses a `--format` list such as `pdf,docx`: the kinds asked for, in [`Self::ALL`]'s
    /// order, each once. `tujie` is the 图解's forms together (`tujie.svg`, `tujie.png`,
    /// `tujie.pdf` one at a time).
    pub fn parse_list(list: &str) -> Result<Vec<OutputKind>, String> {
        let mut names: Vec<&str> = ["pdf", "docx", "html", "ofd", "tujie"].into();
        names.extend(Self::tujie().iter().map(|k| k.ext()));
        let mut asked = Vec::new();
        for part in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if part == "tujie" {
                asked.extend(Self::tujie());
                continue;
            }
            let kind = Self::ALL
                .into_iter()
                .filter(|k| !matches!(k, OutputKind::Tujie(_)) || Self::tujie().contains(k))
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

/// The backend dispatch: one arm per [`OutputKind`], no wildcard arm. The engine runs its
/// backends (`Engine::export`) and their post-step (signing) through it, so a kind added to
/// the enum without a backend is a compile error, not a document of another kind.
///
/// Given an enum with one kind more, the engine's dispatch does not compile (E0004, patterns
/// not covered):
///
/// ```compile_fail,E0004
/// enum OutputKind { Pdf, Docx, Html, Ofd, Tujie(u8), Xlsx }
/// fn ext(kind: OutputKind) -> &'static str {
///     nianbao::dispatch_output!(kind, OutputKind, pdf => "pdf", docx => "docx", html => "html",
///         ofd => "ofd", tujie(_form) => "tujie")
/// }
/// ```
///
/// while the same call on the kinds nianbao has compiles:
///
/// ```
/// use nianbao::OutputKind;
/// fn ext(kind: OutputKind) -> &'static str {
///     nianbao::dispatch_output!(kind, OutputKind, pdf => "pdf", docx => "docx", html => "html",
///         ofd => "ofd", tujie(_form) => "tujie")
/// }
/// assert_eq!(ext(OutputKind::Docx), "docx");
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! dispatch_output {
    (
        $kind:expr, $Kind:ident,
        pdf => $pdf:expr, docx => $docx:expr, html => $html:expr, ofd => $ofd:expr,
        tujie($form:pat) => $tujie:expr $(,)?
    ) => {
        match $kind {
            $Kind::Pdf => $pdf,
            $Kind::Docx => $docx,
            $Kind::Html => $html,
            $Kind::Ofd => $ofd,
            $Kind::Tujie($form) => $tujie,
        }
    };
}

/// One document made from a report.
#[derive(Debug, Clone)]
pub struct Output {
    /// Its kind.
    pub kind: OutputKind,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The facts of the pages nianbao laid out for it (the PDF); `None` for the kinds the
    /// reader's program paginates or lays out (DOCX, HTML).
    pub pages: Option<PageFacts>,
}

/// What only a document whose pages nianbao drew can tell.
#[derive(Debug, Clone, PartialEq)]
pub struct PageFacts {
    /// How many pages it has.
    pub count: usize,
    /// Where the seal sits.
    pub seal: Option<SealPlacement>,
    /// Whether it carries a signature.
    pub signed: bool,
}

/// The outputs of one report.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The documents, in the order asked for.
    pub outputs: Vec<Output>,
    /// Warnings from rendering that the check did not give (a document rendered without a
    /// check, such as the 汇总表).
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

    /// The facts of the pages nianbao laid out: the PDF's when one was made (it alone can be
    /// signed), else the OFD's (the same pages).
    pub fn pages(&self) -> Option<&PageFacts> {
        let of = |kind| self.outputs.iter().find(|o| o.kind == kind).and_then(|o| o.pages.as_ref());
        of(OutputKind::Pdf).or_else(|| self.outputs.iter().find_map(|o| o.pages.as_ref()))
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
        let tujie = OutputKind::parse_list("tujie,pdf").unwrap();
        assert_eq!(tujie[0], OutputKind::Pdf);
        assert!(tujie.contains(&OutputKind::Tujie(TujieForm::Svg)));
        assert!(tujie.contains(&OutputKind::Tujie(TujieForm::Pdf)));
        assert_eq!(tujie.len(), 1 + OutputKind::tujie().len());
        assert_eq!(
            OutputKind::parse_list("tujie.svg").unwrap(),
            [OutputKind::Tujie(TujieForm::Svg)]
        );
    }

    #[test]
    fn kinds_know_their_type_and_pages() {
        let mimes: Vec<&str> = OutputKind::ALL.iter().map(|k| k.mime()).collect();
        assert_eq!(mimes[0], "application/pdf");
        assert!(mimes[1].ends_with("wordprocessingml.document"));
        assert!(mimes[2].starts_with("text/html"));
        assert_eq!(mimes[3], "application/ofd");
        let paged: Vec<bool> = OutputKind::ALL.iter().map(|k| k.is_paged()).collect();
        assert_eq!(paged, [true, true, false, true, false, false, false]);
        assert_eq!(OutputKind::Tujie(TujieForm::Png).mime(), "image/png");
    }
}
