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

mod audit;
mod check;
mod output;

pub use audit::{
    Audited, Reading, audit_batch, audit_loaded, audit_streamed, by_unit_name, families,
    families_run, load_previous, match_by_unit,
};
use check::Prepared;
pub use check::{CheckOptions, Loaded, Previous, Source, check_source};
pub use output::{Output, OutputKind, PageFacts, Rendered, TujieForm};

use crate::diag::{Code, Diagnostic, Hint};
use crate::docx::{DocxFonts, DocxOptions};
use crate::fonts::{FontBook, FontOverride};
use crate::html::HtmlOptions;
use crate::layout::{Layout, LayoutOptions, layout_document};
use crate::ofd::OfdOptions;
use crate::pdf::PdfOptions;
use crate::resolve::{Block, Document, ImageData, resolve_document};
#[cfg(feature = "sign")]
use crate::sign::{Signing, sign_rendered};
use crate::source::Span;
use crate::template::{Formats, Style, default_style};
use crate::world::Resources;
use std::borrow::Cow;
use std::sync::Arc;

/// How an engine renders: chosen once per run (the kinds of output are chosen per call).
#[derive(Debug, Clone)]
pub struct EngineOptions {
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
    /// Tells this engine's prepared layouts from another's.
    id: u64,
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
        Ok(Engine { id: next_id(), options, style, fonts, formats, signing: None })
    }

    /// Signs every PDF this engine renders with `signing` (the seal, if any, becomes the
    /// signature's appearance and is left off the page content).
    pub fn with_signing(mut self, signing: Signing) -> Engine {
        self.options.omit_seal = true;
        self.signing = Some(signing);
        // The seal is left off the pages now: layouts made before are not this engine's.
        self.id = next_id();
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

    /// The editions known.
    pub fn formats(&self) -> &Formats {
        &self.formats
    }

    /// Whether PDFs are signed.
    pub fn signs(&self) -> bool {
        self.signing.is_some()
    }

    /// The one check every front end runs: the schema, the rules (勾稽关系, plausibility),
    /// every image fetched and decoded, and, as `options` ask, the renderers' refusals and
    /// warnings predicted (the report resolved and laid out: E-W1, W-G1) and the evaluators'
    /// audit (against last year's report, with `dismissed:` settled). A report that passes
    /// renders in every kind of output.
    pub fn check(
        &self,
        source: Source,
        resources: &dyn Resources,
        options: &CheckOptions,
    ) -> Loaded {
        let mut loaded = check_source(source, &self.formats, resources);
        if options.predict && loaded.is_ok() {
            self.predict(&mut loaded, options.keep_for_render);
        }
        if let Some(audit) = &options.audit {
            let previous = loaded.report.as_ref().and_then(|r| options.previous.of(r));
            audit_loaded(&mut loaded, previous, audit);
        }
        loaded.diags.sort_by_key(|d| (d.span.line == 0, d.span.line, d.span.col));
        loaded
    }

    /// Resolves and lays out a checked report as a render would, adding what would stop the
    /// render (E-W1) and the characters no font can draw (W-G1) to its diagnostics; with
    /// `keep`, the document and layout are kept for the render.
    fn predict(&self, loaded: &mut Loaded, keep: bool) {
        let (doc, warnings) = match self.resolve(loaded) {
            Ok(resolved) => resolved,
            Err(errors) => {
                loaded.diags.extend(errors);
                return;
            }
        };
        let mut found = Vec::new();
        let laid = self.lay_out(&doc, &[OutputKind::Pdf], &mut found);
        match laid {
            Err(all) => loaded.diags.extend(all),
            Ok(laid) => {
                let missing = laid.as_ref().map_or(&[][..], |(l, _)| &l.missing[..]);
                let refusals = self.archive_refusals(&doc, missing, &found);
                loaded.diags.extend(found);
                loaded.diags.extend(refusals);
                if let (true, Some((layout, fonts))) = (keep, laid) {
                    let fonts = match fonts {
                        Cow::Owned(book) => Some(book),
                        Cow::Borrowed(_) => None,
                    };
                    let prepared = Prepared { engine: self.id, doc, warnings, layout, fonts };
                    *loaded.prepared.0.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(Box::new(prepared));
                }
            }
        }
    }

    /// What PDF/A or PDF/UA (as the engine's options ask) would refuse in the PDF step
    /// (krilla's validation, E-P1), told by the check: each character no font draws (a
    /// .notdef glyph is refused by both) at the place of its first W-G1 warning in
    /// `glyphs`, and, for PDF/A, a report with no date for the document's metadata.
    fn archive_refusals(
        &self,
        doc: &Document,
        missing: &[char],
        glyphs: &[Diagnostic],
    ) -> Vec<Diagnostic> {
        let (pdfa, ua) = (self.options.pdfa, self.options.pdfua);
        if !pdfa && !ua {
            return Vec::new();
        }
        let standard = crate::pdf::standard_name(pdfa, ua);
        let refusal = |span: Span, zh: String, en: String| {
            crate::diag!(PdfA, span, standard = standard, list_zh = zh, list_en = en)
        };
        let mut out: Vec<Diagnostic> = missing
            .iter()
            .map(|c| {
                let quoted = format!("“{c}”");
                let span = glyphs
                    .iter()
                    .find(|d| d.code == Code::MissingGlyph && d.message_en.contains(&quoted))
                    .map_or_else(Span::detached, |d| d.span);
                let zh = format!("字符{quoted}没有字体能显示，不能写入");
                let en = format!("no font draws {quoted}, which it does not allow");
                refusal(span, zh, en).hint(Hint::ReplaceGlyph, &[])
            })
            .collect();
        if pdfa && doc.date.is_none() {
            let d = refusal(Span::detached(), "没有文档日期".into(), "no document date".into());
            out.push(d.hint(Hint::AddDate, &[]));
        }
        out
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

    /// Renders a loaded, error-free report into the outputs asked for (`kinds`, made in the
    /// order given, each once).
    pub fn render(
        &self,
        loaded: &Loaded,
        kinds: &[OutputKind],
    ) -> Result<Rendered, Vec<Diagnostic>> {
        self.render_compared(loaded, None, kinds)
    }

    /// The 图解 of a loaded, error-free report: its charts from the computed tables, compared
    /// with last year's report when given (`None` for a report with errors).
    pub fn tujie(&self, loaded: &Loaded, previous: Option<&Loaded>) -> Option<crate::tujie::Tujie> {
        let (report, checked) = (loaded.report.as_ref()?, loaded.checked.as_ref()?);
        let format = self.formats.get(report.format)?;
        let last = previous.and_then(|p| {
            let (r, c) = (p.report.as_ref()?, p.checked.as_ref()?);
            Some((r, self.formats.get(r.format)?, c))
        });
        Some(crate::tujie::build(report, format, checked, last))
    }

    /// [`Engine::render`], the 图解 comparing with last year's report (`previous`).
    pub fn render_compared(
        &self,
        loaded: &Loaded,
        previous: Option<&Loaded>,
        kinds: &[OutputKind],
    ) -> Result<Rendered, Vec<Diagnostic>> {
        let tujie = if kinds.iter().any(|k| matches!(k, OutputKind::Tujie(_))) {
            self.tujie(loaded, previous)
        } else {
            None
        };
        let tujie = tujie.as_ref();
        let prepared = loaded.prepared.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        let mut rendered = match prepared.filter(|p| p.engine == self.id) {
            Some(p) => {
                let Prepared { doc, mut warnings, layout, fonts, .. } = *p;
                warnings.extend(layout.warnings.iter().cloned());
                let fonts = fonts.map_or(Cow::Borrowed(&self.fonts), Cow::Owned);
                self.render_laid(&doc, warnings, kinds, Some((layout, fonts)), tujie)?
            }
            None => {
                let (doc, mut warnings) = self.resolve(loaded)?;
                let laid = self.lay_out(&doc, kinds, &mut warnings)?;
                self.render_laid(&doc, warnings, kinds, laid, tujie)?
            }
        };
        // What the check told already is not told again.
        rendered.warnings.retain(|w| !loaded.diags.contains(w));
        Ok(rendered)
    }

    /// Renders a resolved document (the 汇总表 and tests build one directly). A 图解 needs
    /// the report's computed tables ([`Engine::render`]): asked for here, it is an error.
    pub fn render_document(
        &self,
        doc: &Document,
        mut warnings: Vec<Diagnostic>,
        kinds: &[OutputKind],
    ) -> Result<Rendered, Vec<Diagnostic>> {
        let laid = self.lay_out(doc, kinds, &mut warnings)?;
        self.render_laid(doc, warnings, kinds, laid, None)
    }

    /// Renders a document already laid out (when a paged kind is asked for).
    fn render_laid(
        &self,
        doc: &Document,
        warnings: Vec<Diagnostic>,
        kinds: &[OutputKind],
        laid: Option<(Layout, Cow<'_, FontBook>)>,
        tujie: Option<&crate::tujie::Tujie>,
    ) -> Result<Rendered, Vec<Diagnostic>> {
        let kinds: Vec<OutputKind> = kinds
            .iter()
            .enumerate()
            .filter(|(i, k)| !kinds[..*i].contains(k))
            .map(|(_, &k)| k)
            .collect();
        let laid = laid.as_ref().map(|(layout, fonts)| (layout, fonts.as_ref()));
        let make = |kind| self.export(kind, doc, laid, tujie);
        // One report (not a batch, whose workers keep both cores busy with other units): the
        // DOCX and HTML (told the layout's page breaks) are written on another thread while
        // this one makes the PDF.
        let (first, rest): (Vec<OutputKind>, Vec<OutputKind>) =
            kinds.iter().partition(|&&k| k == OutputKind::Pdf);
        let parallel = !first.is_empty() && !rest.is_empty();
        let (first, rest) = if parallel && rayon::current_thread_index().is_none() {
            std::thread::scope(|scope| {
                let rest = scope.spawn(|| rest.iter().map(|&k| make(k)).collect::<Vec<_>>());
                let first: Vec<_> = first.iter().map(|&k| make(k)).collect();
                (first, rest.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            })
        } else {
            let first = first.iter().map(|&k| make(k)).collect::<Vec<_>>();
            if let Some(Err(e)) = first.iter().find(|r| r.is_err()) {
                return Err(e.clone());
            }
            (first, rest.iter().map(|&k| make(k)).collect())
        };
        let mut made = Vec::with_capacity(kinds.len());
        for output in first.into_iter().chain(rest) {
            made.push(output?);
        }
        // In the order asked for.
        let outputs = kinds
            .iter()
            .filter_map(|&kind| {
                let i = made.iter().position(|o: &Output| o.kind == kind)?;
                Some(made.swap_remove(i))
            })
            .collect();
        Ok(Rendered { outputs, warnings })
    }

    /// One output: the engine's one backend dispatch, then the post-step of its kind (the
    /// PDF is signed when the engine signs).
    fn export(
        &self,
        kind: OutputKind,
        doc: &Document,
        laid: Option<(&Layout, &FontBook)>,
        tujie: Option<&crate::tujie::Tujie>,
    ) -> Result<Output, Vec<Diagnostic>> {
        let layout = || laid.expect("the layout runs for every paged kind asked for");
        let bytes = crate::dispatch_output!(kind, OutputKind,
            pdf => {
                let (layout, fonts) = layout();
                let options = PdfOptions {
                    pdfa: self.options.pdfa,
                    ua: self.options.pdfua,
                    tagged: self.options.tagged,
                };
                crate::pdf::export(layout, fonts, doc, options)?
            },
            docx => crate::docx::export_paginated(
                doc,
                &DocxOptions { fonts: self.options.docx_fonts },
                &layout().0.pagination,
            ),
            // Asked for with the 图解, the page carries it as a section.
            html => {
                let section = tujie.map(|t| crate::tujie::html_section(t, &self.fonts));
                crate::html::export_with(doc, &self.options.html, section.as_deref()).into_bytes()
            },
            ofd => {
                let (layout, fonts) = layout();
                crate::ofd::export(layout, fonts, doc, OfdOptions::default())?
            },
            tujie(form) => self.export_tujie(form, tujie, doc)?,
        );
        let (bytes, pages) = crate::dispatch_output!(kind, OutputKind,
            pdf => {
                let layout = layout().0;
                let bytes = match &self.signing {
                    None => bytes,
                    Some(signing) => sign_rendered(&bytes, layout.seal.as_ref(), self.style, signing)
                        .map_err(|e| vec![signing_failed(&e)])?,
                };
                let facts = PageFacts {
                    count: layout.pages.len(),
                    seal: layout.seal.clone(),
                    signed: self.signing.is_some(),
                };
                (bytes, Some(facts))
            },
            docx => (bytes, None),
            html => (bytes, None),
            ofd => {
                let layout = layout().0;
                let facts =
                    PageFacts { count: layout.pages.len(), seal: layout.seal.clone(), signed: false };
                (bytes, Some(facts))
            },
            // Its own pages, not the report's: nothing to sign or place a seal on.
            tujie(_) => (bytes, None),
        );
        Ok(Output { kind, bytes, pages })
    }

    /// One form of the 图解, drawn with the engine's fonts (its PDF tagged as the report's is).
    fn export_tujie(
        &self,
        form: TujieForm,
        tujie: Option<&crate::tujie::Tujie>,
        doc: &Document,
    ) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let failed = |why: String| vec![crate::diag!(TujieFailed, Span::detached(), why = why)];
        let Some(t) = tujie else {
            return Err(failed(
                "图解需要报告的计算表格 (a 图解 needs the report's computed tables)".into(),
            ));
        };
        match form {
            TujieForm::Svg => Ok(crate::tujie::svg(t, &self.fonts).into_bytes()),
            TujieForm::Png => crate::tujie::png(t, &self.fonts).map_err(failed),
            TujieForm::Pdf => {
                let options = PdfOptions {
                    pdfa: self.options.pdfa,
                    ua: self.options.pdfua,
                    tagged: self.options.tagged,
                };
                crate::tujie::pdf(t, &self.fonts, options, doc.date).map_err(failed)
            }
        }
    }

    /// The layout, for the paged kinds: the PDF, and the DOCX too (it finds characters no
    /// font can draw, and the DOCX repeats labels at its page breaks); an HTML page alone
    /// skips it: the browser chooses the fonts. Its warnings join `warnings`; a number wider
    /// than its cell (E-W1) stops the render.
    fn lay_out(
        &self,
        doc: &Document,
        kinds: &[OutputKind],
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Option<(Layout, Cow<'_, FontBook>)>, Vec<Diagnostic>> {
        if !kinds.iter().any(|k| k.is_paged()) {
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
}

/// A fresh engine id.
fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Built without the `sign` feature, no engine signs: a signing session has no values.
#[cfg(not(feature = "sign"))]
#[derive(Debug)]
pub enum Signing {}

#[cfg(not(feature = "sign"))]
fn sign_rendered(
    _: &[u8],
    _: Option<&crate::layout::SealPlacement>,
    _: &Style,
    signing: &Signing,
) -> Result<Vec<u8>, String> {
    match *signing {}
}

fn signing_failed(e: &str) -> Diagnostic {
    crate::diag!(SigningFailed, Span::detached(), why = e)
}
