//! The rendering pipeline for one checked report: resolve → layout → PDF, and
//! resolve → DOCX, from the same resolved document.

use crate::Loaded;
use crate::diag::{Code, Diagnostic};
use crate::docx::{DocxFonts, DocxOptions};
use crate::fonts::FontBook;
use crate::layout::{LayoutOptions, SealPlacement, layout_document};
use crate::pdf::PdfOptions;
use crate::resolve::{Block, Document, ImageData, resolve_document};
use crate::source::Span;
use crate::template::{Style, bundled_format};
use std::sync::Arc;

/// What to produce.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Write the PDF.
    pub pdf: bool,
    /// Write the DOCX.
    pub docx: bool,
    /// PDF/A-2b.
    pub pdfa: bool,
    /// Leave the seal off the PDF page (a signature widget will carry it).
    pub omit_seal: bool,
    /// Which font names the DOCX asks for.
    pub docx_fonts: DocxFonts,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            pdf: true,
            docx: true,
            pdfa: false,
            omit_seal: false,
            docx_fonts: DocxFonts::Official,
        }
    }
}

impl RenderOptions {
    /// The file extensions of the outputs asked for, PDF first.
    pub fn extensions(&self) -> impl Iterator<Item = &'static str> {
        [(self.pdf, "pdf"), (self.docx, "docx")].into_iter().filter(|(on, _)| *on).map(|(_, e)| e)
    }
}

/// The outputs of one report.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// PDF bytes.
    pub pdf: Option<Vec<u8>>,
    /// DOCX bytes.
    pub docx: Option<Vec<u8>>,
    /// Pages in the PDF (0 when no PDF was made).
    pub pages: usize,
    /// Where the seal sits in the PDF.
    pub seal: Option<SealPlacement>,
    /// Warnings from rendering (missing glyphs).
    pub warnings: Vec<Diagnostic>,
}

impl Rendered {
    /// Each output made, with its file extension, PDF first.
    pub fn outputs(&self) -> impl Iterator<Item = (&'static str, &[u8])> {
        [("pdf", &self.pdf), ("docx", &self.docx)]
            .into_iter()
            .filter_map(|(ext, bytes)| Some((ext, bytes.as_deref()?)))
    }
}

/// Resolves a loaded, error-free report into the shared document.
pub fn resolve(
    loaded: &Loaded,
    style: &Style,
) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    resolve_with_seal(loaded, style, None)
}

/// Like [`resolve`], with `seal` (when given) as the 落款's seal at the style's seal size: it
/// replaces the report's `signature.seal`, or adds one where the report has none, so the layout
/// reserves the seal's place (`--seal FILE`).
pub fn resolve_with_seal(
    loaded: &Loaded,
    style: &Style,
    seal: Option<&Arc<ImageData>>,
) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (Some(report), Some(checked)) = (&loaded.report, &loaded.checked) else {
        return Err(loaded.diags.clone());
    };
    let format = bundled_format(report.format).expect("loaded reports name a bundled format");
    let (mut doc, diags) = resolve_document(report, checked, format, style);
    if crate::diag::has_errors(&diags) {
        return Err(diags);
    }
    if let Some(seal) = seal {
        for block in &mut doc.blocks {
            if let Block::Signature(s) = block {
                s.seal = Some((seal.clone(), style.seal_size));
            }
        }
    }
    Ok((doc, diags))
}

/// Renders a loaded, error-free report.
pub fn render(
    loaded: &Loaded,
    fonts: &FontBook,
    style: &Style,
    options: RenderOptions,
) -> Result<Rendered, Vec<Diagnostic>> {
    render_with_seal(loaded, fonts, style, options, None)
}

/// Like [`render`], with a seal image that overrides the report's (see [`resolve_with_seal`]).
/// A separate function rather than a [`RenderOptions`] field, so the options stay `Copy`.
pub fn render_with_seal(
    loaded: &Loaded,
    fonts: &FontBook,
    style: &Style,
    options: RenderOptions,
    seal: Option<&Arc<ImageData>>,
) -> Result<Rendered, Vec<Diagnostic>> {
    let (doc, mut warnings) = resolve_with_seal(loaded, style, seal)?;
    let mut out = Rendered { pdf: None, docx: None, pages: 0, seal: None, warnings: Vec::new() };
    // Layout runs for the DOCX too: it finds characters no font can draw.
    let layout = layout_document(&doc, fonts, LayoutOptions { omit_seal: options.omit_seal });
    warnings.extend(layout.warnings.iter().cloned());
    // A number wider than its cell with the fonts in use (E-W1) stops the render.
    if crate::diag::has_errors(&layout.warnings) {
        return Err(warnings);
    }
    if options.pdf {
        let bytes = crate::pdf::export(&layout, fonts, &doc, PdfOptions { pdfa: options.pdfa })
            .map_err(|e| {
                vec![Diagnostic::error(
                    Code::Internal,
                    Span::detached(),
                    format!("写 PDF 失败：{e}（这是程序缺陷，请报告）"),
                    format!("failed to write the PDF ({e}); this is a bug, please report it"),
                )]
            })?;
        out.pdf = Some(bytes);
        out.pages = layout.pages.len();
        out.seal = layout.seal.clone();
    }
    if options.docx {
        out.docx = Some(crate::docx::export(&doc, &DocxOptions { fonts: options.docx_fonts }));
    }
    out.warnings = warnings;
    Ok(out)
}
