//! PDF backend: positioned pages → PDF bytes through krilla (CID fonts subset
//! with ToUnicode, images with soft masks, Info + XMP metadata, optional PDF/A-2b).
//! Output is deterministic: dates come from the report, never the clock.

use crate::fonts::FontBook;
use crate::layout::{Item, Layout};
use crate::resolve::{Document, ImageKind};
use krilla::SerializeSettings;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{GlyphId, KrillaGlyph};

/// PDF options.
#[derive(Debug, Clone, Copy, Default)]
pub struct PdfOptions {
    /// Write PDF/A-2b (validated by krilla) for archiving.
    pub pdfa: bool,
}

/// Writes the laid-out pages as a PDF.
pub fn export(
    layout: &Layout,
    fonts: &FontBook,
    doc: &Document,
    options: PdfOptions,
) -> Result<Vec<u8>, String> {
    let mut settings = SerializeSettings { compress_content_streams: true, ..Default::default() };
    if options.pdfa {
        settings.configuration = ConfigurationBuilder::new()
            .with_archival_validator(Archival::A2_B)
            .finish()
            .map_err(|e| format!("PDF/A configuration: {e:?}"))?;
    }
    let mut pdf = krilla::Document::new_with(settings);
    let mut meta = Metadata::new()
        .title(doc.title.clone())
        .authors(vec![doc.author.clone()])
        .language("zh-CN".into())
        .creator(format!("nianbao {}", env!("CARGO_PKG_VERSION")))
        .producer(format!("nianbao {} (krilla)", env!("CARGO_PKG_VERSION")));
    if let Some(d) = doc.date {
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
    pdf.set_metadata(meta);

    let mut images: Vec<(*const crate::resolve::ImageData, Image)> = Vec::new();
    for page in &layout.pages {
        let size =
            PageSettings::from_wh(page.width as f32, page.height as f32).ok_or("bad page size")?;
        let mut p = pdf.start_page_with(size);
        let mut s = p.surface();
        for item in &page.items {
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
                    let key = std::sync::Arc::as_ptr(image);
                    let img = match images.iter().find(|(k, _)| *k == key) {
                        Some((_, img)) => img.clone(),
                        None => {
                            let data = krilla::Data::from(image.bytes.clone());
                            let img = match image.kind {
                                ImageKind::Png => Image::from_png(data, false),
                                ImageKind::Jpeg => Image::from_jpeg(data, false),
                            }
                            .map_err(|e| format!("image: {e}"))?;
                            images.push((key, img.clone()));
                            img
                        }
                    };
                    let size = Size::from_wh(*w as f32, *h as f32).ok_or("bad image size")?;
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
        s.finish();
        p.finish();
    }
    pdf.finish().map_err(|e| format!("{e:?}"))
}
