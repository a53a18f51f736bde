//! PDF backend: positioned pages → PDF bytes through krilla (CID fonts subset
//! with ToUnicode, images with soft masks, Info + XMP metadata, optional PDF/A-2b).
//! Output is deterministic: dates come from the report, never the clock.

use crate::diag::{Diagnostic, Hint};
use crate::fonts::{FaceId, FontBook};
use crate::layout::{Item, Layout};
use crate::resolve::{Block, Document, ImageData, ImageKind};
use crate::source::Span;
use krilla::SerializeSettings;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{GlyphId, KrillaGlyph};
use std::collections::BTreeMap;
use std::sync::Arc;

mod objstm;
mod tags;

/// PDF options. Every PDF has bookmarks for its sections; `tagged` adds the structure tree
/// (and artifacts), `ua` also the PDF/UA-1 identification and krilla's UA-1 validation.
#[derive(Debug, Clone, Copy, Default)]
pub struct PdfOptions {
    /// Write PDF/A (validated by krilla) for archiving: PDF/A-2b, or PDF/A-2a with `ua`.
    pub pdfa: bool,
    /// Claim and validate PDF/UA-1.
    pub ua: bool,
    /// Write the structure tree: headings, paragraphs, tables with scopes and headers,
    /// figures with alternative text, furniture as artifacts (implied by `ua`).
    pub tagged: bool,
}

/// Writes the laid-out pages as a PDF. What the user can cause (an image krilla cannot embed,
/// a font it cannot subset, a PDF/A violation) comes back as diagnostics naming the resource.
pub fn export(
    layout: &Layout,
    fonts: &FontBook,
    doc: &Document,
    options: PdfOptions,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let mut images: Vec<(*const ImageData, Image)> = Vec::new();
    let written = settings(options).and_then(|settings| {
        if rayon::current_thread_index().is_some() {
            return write(layout, fonts, doc, &settings, &mut images);
        }
        // One report (not a batch, whose workers keep both cores busy with other units):
        // the subsets' glyph outlines, most of a cold export, are decompiled on the other
        // core while this one draws the pages; the subsets at the end then find them made.
        rayon::in_place_scope(|scope| {
            for (face, glyphs) in glyphs_by_face(layout) {
                let font = &fonts.face(face).krilla;
                scope.spawn(move |_| font.warm_glyph_cache(glyphs));
            }
            write(layout, fonts, doc, &settings, &mut images)
        })
    });
    written.map_err(|e| match e {
        Failure::Krilla(e) => vec![krilla_error(e, fonts, doc, &images, options)],
        Failure::Image(ptr, e) => vec![image_error(image_span(doc, ptr), &e)],
        Failure::Bug(e) => vec![internal(&e)],
    })
}

/// The glyphs the pages draw, by face: each face's glyph ids, sorted, without repeats.
fn glyphs_by_face(layout: &Layout) -> BTreeMap<FaceId, Vec<GlyphId>> {
    let mut by_face: BTreeMap<FaceId, Vec<u16>> = BTreeMap::new();
    for item in layout.pages.iter().flat_map(|p| &p.items) {
        if let Item::Text(t) = item {
            by_face.entry(t.face).or_default().extend(t.glyphs.iter().map(|g| g.gid));
        }
    }
    by_face
        .into_iter()
        .map(|(face, mut gids)| {
            gids.sort_unstable();
            gids.dedup();
            (face, gids.into_iter().map(|g| GlyphId::new(u32::from(g))).collect())
        })
        .collect()
}

/// Why writing stopped.
enum Failure {
    /// krilla's own error (fonts, validation, images met at the end).
    Krilla(krilla::error::KrillaError),
    /// An image krilla refused when it was added.
    Image(*const ImageData, String),
    /// Something that cannot happen with a layout nianbao made.
    Bug(String),
}

/// krilla's settings for `options`.
fn settings(options: PdfOptions) -> Result<SerializeSettings, Failure> {
    serialize_settings(options).map_err(Failure::Bug)
}

/// krilla's settings for `options` (the report's PDF and the 图解's pages): compressed
/// streams, tagging, and the PDF/A and PDF/UA validators asked for.
pub(crate) fn serialize_settings(options: PdfOptions) -> Result<SerializeSettings, String> {
    let mut settings = SerializeSettings { compress_content_streams: true, ..Default::default() };
    settings.enable_tagging = options.tagged || options.ua;
    if options.pdfa || options.ua {
        let mut config = ConfigurationBuilder::new();
        if options.pdfa {
            config = config.with_archival_validator(if options.ua {
                Archival::A2_A
            } else {
                Archival::A2_B
            });
        }
        if options.ua {
            config = config.with_accessibility_validator(Accessibility::UA1);
        }
        settings.configuration =
            config.finish().map_err(|e| format!("PDF configuration: {e:?}"))?;
    }
    Ok(settings)
}

/// The metadata of a nianbao PDF: title, author, zh-CN, creator and producer, and the date
/// (the report's, never the clock) at midnight in China.
pub(crate) fn metadata(
    title: String,
    author: String,
    date: Option<crate::model::Date>,
) -> Metadata {
    let mut meta = Metadata::new()
        .title(title)
        .authors(vec![author])
        .language("zh-CN".into())
        .creator(format!("nianbao {}", env!("CARGO_PKG_VERSION")))
        .producer(format!("nianbao {} (krilla)", env!("CARGO_PKG_VERSION")));
    if let Some(d) = date {
        let y = u16::try_from(d.year).unwrap_or(2000);
        meta = meta.creation_date(
            DateTime::new(y)
                .month(d.month as u8)
                .day(d.day as u8)
                .hour(0)
                .minute(0)
                .second(0)
                .utc_offset_hour(8),
        );
    }
    meta
}

fn write(
    layout: &Layout,
    fonts: &FontBook,
    doc: &Document,
    settings: &SerializeSettings,
    images: &mut Vec<(*const ImageData, Image)>,
) -> Result<Vec<u8>, Failure> {
    let tagged = settings.enable_tagging;
    let mut pdf = krilla::Document::new_with(settings.clone());
    let meta = metadata(doc.title.clone(), doc.author.clone(), doc.date);
    pdf.set_metadata(meta);

    let mut marks = tags::Marks::default();
    for (index, page) in layout.pages.iter().enumerate() {
        let size = PageSettings::from_wh(page.width as f32, page.height as f32)
            .ok_or_else(|| Failure::Bug("bad page size".into()))?;
        let mut p = pdf.start_page_with(size);
        let mut s = p.surface();
        // Whether a marked-content sequence is open.
        let mut open = false;
        for (item, owner, starts) in tags::runs(page) {
            if starts {
                if tagged && open {
                    s.end_tagged();
                }
                let text = matches!(item, Item::Text(_));
                let id = tagged.then(|| s.start_tagged(tags::content_tag(owner, text)));
                let (x, y) = match item {
                    Item::Text(t) => (t.x, t.y - t.size),
                    Item::Line { x0, y0, .. } => (*x0, *y0),
                    Item::Image { x, y, .. } => (*x, *y),
                };
                marks.record(owner, id, index, x as f32, y as f32);
                open = true;
            }
            match item {
                Item::Text(t) => {
                    let face = fonts.face(t.face);
                    let size = t.size as f32;
                    let glyphs: Vec<KrillaGlyph> = t
                        .glyphs
                        .iter()
                        .map(|g| KrillaGlyph {
                            glyph_id: GlyphId::new(u32::from(g.gid)),
                            text_range: g.range.clone(),
                            x_advance: (g.advance / t.size) as f32,
                            x_offset: 0.0,
                            y_offset: 0.0,
                            y_advance: 0.0,
                            location: None,
                        })
                        .collect();
                    s.set_stroke(None);
                    s.set_fill(Some(Default::default()));
                    s.draw_glyphs(
                        Point::from_xy(t.x as f32, t.y as f32),
                        &glyphs,
                        face.krilla.clone(),
                        &t.text,
                        size,
                        false,
                    );
                }
                Item::Line { x0, y0, x1, y1, width } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x0 as f32, *y0 as f32);
                    pb.line_to(*x1 as f32, *y1 as f32);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke { width: *width as f32, ..Default::default() }));
                        s.draw_path(&path);
                        s.set_stroke(None);
                    }
                }
                Item::Image { x, y, w, h, image, multiply } => {
                    let key = Arc::as_ptr(image);
                    let img = match images.iter().find(|(k, _)| *k == key) {
                        Some((_, img)) => img.clone(),
                        None => {
                            let data = krilla::Data::from(image.bytes.clone());
                            let img = match image.kind {
                                ImageKind::Png => Image::from_png(data, false),
                                ImageKind::Jpeg => Image::from_jpeg(data, false),
                            }
                            .map_err(|e| Failure::Image(key, e.to_string()))?;
                            images.push((key, img.clone()));
                            img
                        }
                    };
                    let size = Size::from_wh(*w as f32, *h as f32)
                        .ok_or_else(|| Failure::Bug("bad image size".into()))?;
                    if *multiply {
                        s.push_blend_mode(krilla::blend::BlendMode::Multiply);
                    }
                    s.push_transform(&Transform::from_translate(*x as f32, *y as f32));
                    s.draw_image(img, size);
                    s.pop();
                    if *multiply {
                        s.pop();
                    }
                }
            }
        }
        if tagged && open {
            s.end_tagged();
        }
        s.finish();
        p.finish();
    }
    marks.settle();
    pdf.set_outline(tags::outline(doc, &marks));
    if tagged {
        // krilla writes the structure elements in `finish`, while the fonts' subsets are
        // made on the pool (outside a batch's worker).
        pdf.set_tag_tree(tags::tag_tree(doc, &marks));
    }
    pdf.finish().map(objstm::pack).map_err(Failure::Krilla)
}

/// Where the document names an image: a figure's span (the seal has no span of its own).
fn image_span(doc: &Document, ptr: *const ImageData) -> Span {
    doc.blocks
        .iter()
        .find_map(|b| match b {
            Block::Figure(f) if Arc::as_ptr(&f.image) == ptr => Some(f.span),
            _ => None,
        })
        .unwrap_or_default()
}

fn image_error(span: Span, e: &str) -> Diagnostic {
    crate::diag!(ImageNotEmbeddable, span, why = e).hint(Hint::OrdinaryImage, &[])
}

fn internal(e: &str) -> Diagnostic {
    crate::diag!(PdfBug, Span::detached(), why = e)
}

/// The standard a PDF is validated against, as messages name it.
pub(crate) fn standard_name(pdfa: bool, ua: bool) -> &'static str {
    match (pdfa, ua) {
        (true, true) => "PDF/A-2a + PDF/UA-1",
        (false, true) => "PDF/UA-1",
        _ => "PDF/A-2b",
    }
}

fn krilla_error(
    e: krilla::error::KrillaError,
    fonts: &FontBook,
    doc: &Document,
    images: &[(*const ImageData, Image)],
    options: PdfOptions,
) -> Diagnostic {
    use krilla::error::KrillaError;
    match e {
        KrillaError::Font(font, msg) => {
            let name = fonts.face_of_krilla(&font).map_or("?", |f| f.name.as_str()).to_string();
            crate::diag!(FontNotEmbeddable, Span::detached(), name = name, why = msg)
                .hint(Hint::CompleteFont, &[])
        }
        KrillaError::Validation(errors) => {
            let list: Vec<String> = errors.iter().map(|(v, _)| format!("{v:?}")).collect();
            let (zh, en) = (list.join("；"), list.join("; "));
            let standard = standard_name(options.pdfa, options.ua);
            let d = crate::diag!(
                PdfA,
                Span::detached(),
                standard = standard,
                list_zh = zh,
                list_en = en
            );
            // A report with neither `date:` nor `signature.date` has no date for the PDF's
            // metadata (the signature date is taken when `date:` is absent, `Document::date`):
            // say what to write, not to change fonts or images that are not the cause.
            let (dated, other): (Vec<_>, Vec<_>) = errors.iter().partition(|(v, _)| {
                matches!(v, krilla::configure::ValidationError::MissingDocumentDate)
            });
            let d = if dated.is_empty() { d } else { d.hint(Hint::AddDate, &[]) };
            if other.is_empty() { d } else { d.hint(Hint::DropPdfA, &[]) }
        }
        #[allow(unreachable_patterns)]
        KrillaError::Image(image, _, msg) => {
            let ptr = images.iter().find(|(_, i)| *i == image).map(|(p, _)| *p);
            image_error(ptr.map_or_else(Span::detached, |p| image_span(doc, p)), &msg)
        }
        other => internal(&format!("{other:?}")),
    }
}
