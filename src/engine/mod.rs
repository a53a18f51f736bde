//! The engine: the one entry point every front end calls (`nianbao render`, `check`, `batch`,
//! the 汇总表, the benches, and the importer and web form to come). Built once from
//! [`EngineOptions`], it has two verbs, as typst's `compile(world)` has one:
//!
//! - [`Engine::check`]: a [`Source`] and the [`Resources`] it may name → a [`Loaded`] report
//!   with every diagnostic (schema, 勾稽关系, plausibility, and every image decoded);
//! - [`Engine::render`]: a loaded, error-free report → the [`Rendered`] outputs asked for
//!   (signed, when the engine has a signing session), with warnings.
//!
//! Nothing here reads a file or the clock: bytes come in through the source and the
//! resources, fonts and the signing session are given when the engine is built.

mod check;
mod output;

pub use check::{Loaded, Source, check_source};
pub use output::{Output, OutputKind, Rendered};

use crate::diag::Diagnostic;
use crate::docx::{DocxFonts, DocxOptions};
use crate::fonts::{FontBook, FontOverride};
use crate::html::HtmlOptions;
use crate::layout::{Layout, LayoutOptions, Pagination, layout_document};
use crate::ofd::OfdOptions;
use crate::pdf::PdfOptions;
use crate::resolve::{Block, Document, ImageData, resolve_document};
use crate::sign::{Signing, sign_rendered};
use crate::source::Span;
use crate::template::{Formats, Style, default_style};
use crate::world::Resources;
use std::borrow::Cow;
use std::sync::Arc;

/// How an engine renders: chosen once per run.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// The outputs to make, in [`OutputKind::ALL`]'s order.
    pub outputs: Vec<OutputKind>,
    /// PDF/A-2b (PDF/A-2a with `pdfua`).
    pub pdfa: bool,
    /// Tag the PDF (structure tree in reading order, tables with scopes and headers,
    /// artifacts). On by default: it costs about a tenth more time per PDF
    /// (docs/performance.md).
    pub tagged: bool,
    /// Claim and validate PDF/UA-1 (tags the PDF whatever `tagged` says).
    pub pdfua: bool,
    /// Which font names the DOCX asks for.
    pub docx_fonts: DocxFonts,
    /// The HTML page's options (fragment, seal).
    pub html: HtmlOptions,
    /// Fonts that replace the bundled face of a role (`--font`), already loaded.
    pub fonts: Vec<FontOverride>,
    /// A seal image for every report, replacing `signature.seal` or adding one (`--seal`).
    pub seal: Option<Arc<ImageData>>,
    /// Leave the seal off the page content: a signature widget carries it (set by
    /// [`Engine::with_signing`]; on its own it gives the unsigned prefix of a signed PDF).
    pub omit_seal: bool,
    /// Editions known besides the bundled ones.
    pub extra_formats: Vec<crate::template::Format>,
    /// Draw characters no bundled face has with an installed font (fontdb). The CLI turns
    /// this on; off, as by default (and in `serve`), the output depends on the bundled fonts
    /// alone, whatever the machine has installed.
    pub system_fonts: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            outputs: vec![OutputKind::Pdf, OutputKind::Docx],
            pdfa: false,
            tagged: true,
            pdfua: false,
            system_fonts: false,
            docx_fonts: DocxFonts::Official,
            html: HtmlOptions::default(),
            fonts: Vec::new(),
            seal: None,
            omit_seal: false,
            extra_formats: Vec::new(),
        }
    }
}

/// The pipeline with its fonts, style, editions and signing session, shared across threads.
pub struct Engine {
    options: EngineOptions,
    style: &'static Style,
    fonts: FontBook,
    formats: Formats,
    signing: Option<Signing>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("options", &self.options).finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine for `options` with the bundled GB/T 9704 style. A font that cannot be used
    /// is an error naming its role and source.
    pub fn new(options: EngineOptions) -> Result<Engine, String> {
        let style = default_style();
        let fonts = FontBook::new(style, &options.fonts)?;
        let mut formats = Formats::bundled().clone();
        for f in &options.extra_formats {
            formats = formats.with(f.clone());
        }
        Ok(Engine { options, style, fonts, formats, signing: None })
    }

    /// Signs every PDF this engine renders with `signing` (the seal, if any, becomes the
    /// signature's appearance and is left off the page content).
    pub fn with_signing(mut self, signing: Signing) -> Engine {
        self.options.omit_seal = true;
        self.signing = Some(signing);
        self
    }

    /// The options the engine was built with.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// The style preset.
    pub fn style(&self) -> &'static Style {
        self.style
    }

    /// The fonts.
    pub fn fonts(&self) -> &FontBook {
        &self.fonts
    }

    /// With [`EngineOptions::system_fonts`], a copy of the fonts with the installed faces
    /// that have some of `missing` (characters the layout found no face for).
    fn with_fallback(&self, missing: &[char]) -> Option<FontBook> {
        if !self.options.system_fonts || missing.is_empty() {
            return None;
        }
        self.fonts.with_system_fallback(&missing.iter().collect::<String>())
    }

    /// The W-G1 warnings of `doc` (characters no font can draw, the installed ones too
    /// with [`EngineOptions::system_fonts`]), for `check`, which renders nothing.
    pub fn glyph_warnings(&self, doc: &Document) -> Vec<Diagnostic> {
        let (missing, warnings) = crate::layout::missing_glyphs(doc, &self.fonts);
        match self.with_fallback(&missing) {
            Some(book) => crate::layout::missing_glyphs(doc, &book).1,
            None => warnings,
        }
    }

    /// The editions known.
    pub fn formats(&self) -> &Formats {
        &self.formats
    }

    /// Whether PDFs are signed.
    pub fn signs(&self) -> bool {
        self.signing.is_some()
    }

    /// Checks a source: every diagnostic, the computed tables, every image fetched and decoded.
    pub fn check(&self, source: Source, resources: &dyn Resources) -> Loaded {
        check_source(source, &self.formats, resources)
    }

    /// Resolves a loaded, error-free report into the shared block tree (with the engine's
    /// `--seal` override, sized by the style, so the layout reserves its place).
    pub fn resolve(&self, loaded: &Loaded) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
        let (Some(report), Some(checked)) = (&loaded.report, &loaded.checked) else {
            return Err(loaded.diags.clone());
        };
        let format = self.formats.get(report.format).expect("loaded reports name a known format");
        let (mut doc, diags) =
            resolve_document(report, checked, format, self.style, &loaded.images);
        if crate::diag::has_errors(&diags) {
            return Err(diags);
        }
        if let Some(seal) = &self.options.seal {
            for block in &mut doc.blocks {
                if let Block::Signature(s) = block {
                    s.seal = Some((seal.clone(), self.style.seal_size));
                }
            }
        }
        Ok((doc, diags))
    }

    /// Renders a loaded, error-free report into the outputs asked for.
    pub fn render(&self, loaded: &Loaded) -> Result<Rendered, Vec<Diagnostic>> {
        let (doc, warnings) = self.resolve(loaded)?;
        self.render_document(&doc, warnings)
    }

    /// Renders a resolved document (the 汇总表 and tests build one directly).
    pub fn render_document(
        &self,
        doc: &Document,
        mut warnings: Vec<Diagnostic>,
    ) -> Result<Rendered, Vec<Diagnostic>> {
        let kinds = &self.options.outputs;
        let laid = self.lay_out(doc, &mut warnings)?;
        let pagination = laid.as_ref().map(|(layout, _)| &layout.pagination);
        let others = || -> Result<Vec<(OutputKind, Vec<u8>)>, Vec<Diagnostic>> {
            kinds
                .iter()
                .filter(|&&k| k != OutputKind::Pdf)
                .map(|&kind| {
                    let bytes = match kind {
                        OutputKind::Docx => crate::docx::export_paginated(
                            doc,
                            &DocxOptions { fonts: self.options.docx_fonts },
                            pagination.unwrap_or(&Pagination::default()),
                        ),
                        OutputKind::Ofd => {
                            let (layout, fonts) =
                                laid.as_ref().expect("an OFD is laid out (lay_out)");
                            crate::ofd::export(layout, fonts, doc, OfdOptions::default())?
                        }
                        OutputKind::Html | OutputKind::Pdf => {
                            crate::html::export(doc, &self.options.html).into_bytes()
                        }
                    };
                    Ok((kind, bytes))
                })
                .collect()
        };
        let pdf = |laid: &Option<(Layout, Cow<'_, FontBook>)>| match laid {
            Some((layout, fonts)) if kinds.contains(&OutputKind::Pdf) => {
                self.pdf(doc, layout, fonts).map(Some)
            }
            _ => Ok(None),
        };
        // One report (not a batch, whose workers keep both cores busy with other units): the
        // DOCX and HTML (told the layout's page breaks) are written on another thread while
        // this one makes the PDF.
        let parallel = kinds.len() > 1 && kinds.contains(&OutputKind::Pdf);
        let (pdf, others) = if parallel && rayon::current_thread_index().is_none() {
            std::thread::scope(|scope| {
                let others = scope.spawn(others);
                let pdf = pdf(&laid);
                (pdf, others.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            })
        } else {
            let pdf = pdf(&laid)?;
            (Ok(pdf), others())
        };
        let pdf = pdf?;
        let mut others = others?;
        let layout = laid.as_ref().map(|(layout, _)| layout).filter(|_| pdf.is_some());
        let paged = laid.as_ref().filter(|_| pdf.is_some() || kinds.contains(&OutputKind::Ofd));
        let mut out = Rendered {
            outputs: Vec::new(),
            pages: paged.map_or(0, |(l, _)| l.pages.len()),
            seal: layout.and_then(|l| l.seal.clone()),
            signed: pdf.is_some() && self.signing.is_some(),
            warnings,
        };
        if let Some(bytes) = pdf {
            others.push((OutputKind::Pdf, bytes));
        }
        // In the order asked for.
        for &kind in kinds {
            if let Some(i) = others.iter().position(|(k, _)| *k == kind) {
                let (kind, bytes) = others.swap_remove(i);
                out.outputs.push(Output { kind, bytes });
            }
        }
        Ok(out)
    }

    /// The layout, for the PDF and for the DOCX too (it finds characters no font can draw,
    /// and the DOCX repeats labels at its page breaks); an HTML page alone skips it: the
    /// browser chooses the fonts. Its warnings join `warnings`; a number wider than its
    /// cell (E-W1) stops the render.
    fn lay_out(
        &self,
        doc: &Document,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Option<(Layout, Cow<'_, FontBook>)>, Vec<Diagnostic>> {
        let kinds = &self.options.outputs;
        if !kinds.iter().any(|k| matches!(k, OutputKind::Pdf | OutputKind::Docx | OutputKind::Ofd))
        {
            return Ok(None);
        }
        // Signed: the seal is the signature widget's appearance, not page content.
        let options = LayoutOptions { omit_seal: self.options.omit_seal };
        let mut fonts = Cow::Borrowed(&self.fonts);
        let mut layout = layout_document(doc, &fonts, options);
        // Characters no bundled face has: laid out again with installed faces that have them.
        if let Some(book) = self.with_fallback(&layout.missing) {
            layout = layout_document(doc, &book, options);
            fonts = Cow::Owned(book);
        }
        warnings.extend(layout.warnings.iter().cloned());
        if crate::diag::has_errors(&layout.warnings) {
            return Err(std::mem::take(warnings));
        }
        Ok(Some((layout, fonts)))
    }

    /// The PDF of a layout, signed when the engine signs.
    fn pdf(
        &self,
        doc: &Document,
        layout: &Layout,
        fonts: &FontBook,
    ) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let options = PdfOptions {
            pdfa: self.options.pdfa,
            ua: self.options.pdfua,
            tagged: self.options.tagged,
        };
        let pdf = crate::pdf::export(layout, fonts, doc, options)?;
        match &self.signing {
            None => Ok(pdf),
            Some(signing) => sign_rendered(&pdf, layout.seal.as_ref(), self.style, signing)
                .map_err(|e| vec![signing_failed(&e)]),
        }
    }
}

fn signing_failed(e: &str) -> Diagnostic {
    crate::diag!(SigningFailed, Span::detached(), why = e)
}
