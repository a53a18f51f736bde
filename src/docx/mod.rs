//! DOCX export: the resolved block tree → a WordprocessingML package, written part by
//! part in schema order and zipped deterministically. Word (or WPS, LibreOffice)
//! paginates; we only state the page, the grid, the styles and the content.
//!
//! The page follows GB/T 9704: a 22-line document grid (`w:docGrid w:type="lines"`)
//! with exact line spacing, and 28 characters per line from a small negative tracking
//! on the 16 pt roles. A character grid (`linesAndChars`) is what Word templates
//! usually use, but LibreOffice lays 16 pt text over two grid cells per character with
//! it (shared/research/docx-rs.md), so we get the character pitch from tracking.

mod content_types;
mod document;
mod font_table;
mod footer;
mod media;
mod props;
mod rels;
mod settings;
mod styles;
mod theme;
mod xml;

use crate::layout::Pagination;
use crate::resolve::Document;
use crate::template::{Role, Style};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// How the DOCX is written.
#[derive(Debug, Clone, Default)]
pub struct DocxOptions {
    /// Which font names the document asks for.
    pub fonts: DocxFonts,
}

/// The font names written into the DOCX.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DocxFonts {
    /// The official names (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体) for East
    /// Asian text and the style's Latin font (Times New Roman) for Latin and digits.
    #[default]
    Official,
    /// The bundled Fandol families (FandolFang, FandolSong …) for all text, so the
    /// DOCX looks like the PDF on a machine that has the bundled fonts installed.
    Bundled,
}

/// Writes `doc` as a DOCX package. Apart from bugs this cannot fail, and the same
/// document and options always give the same bytes.
pub fn export(doc: &Document, options: &DocxOptions) -> Vec<u8> {
    export_paginated(doc, options, &Pagination::default())
}

/// Writes `doc` as [`export`] does, told where the PDF's layout broke its pages: a
/// vertically merged row label cut there starts again, with its text, on the row
/// that begins the continuation, so Word and LibreOffice (which break where the PDF
/// does, by the same keep rules) show it on each page as the PDF does (#14 item 5).
pub fn export_paginated(doc: &Document, options: &DocxOptions, pagination: &Pagination) -> Vec<u8> {
    let dx = Ctx::new(doc, options, pagination);
    let media = media::collect(doc);
    let parts: [(&str, Vec<u8>); 12] = [
        ("[Content_Types].xml", content_types::write(&media)),
        ("_rels/.rels", rels::package()),
        ("docProps/core.xml", props::core(doc)),
        ("docProps/app.xml", props::app()),
        ("word/document.xml", document::write(&dx, &media)),
        ("word/_rels/document.xml.rels", rels::document(&media)),
        ("word/styles.xml", styles::write(&dx)),
        ("word/settings.xml", settings::write()),
        ("word/fontTable.xml", font_table::write(&dx)),
        ("word/theme/theme1.xml", theme::write(&dx)),
        ("word/footer1.xml", footer::write(&dx, footer::Side::Odd)),
        ("word/footer2.xml", footer::write(&dx, footer::Side::Even)),
    ];
    // NOTE: a fixed timestamp (1980-01-01, the zip epoch) and a fixed entry order make
    // the package byte-identical for the same input.
    let xml_opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let stored = xml_opts.compression_method(CompressionMethod::Stored);
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(64 * 1024)));
    let mut put = |name: &str, bytes: &[u8], opts: SimpleFileOptions| {
        zip.start_file(name, opts).expect("zip entry into memory");
        zip.write_all(bytes).expect("zip write into memory");
    };
    for (name, bytes) in &parts {
        put(name, bytes, xml_opts);
    }
    for m in &media {
        // PNG and JPEG are compressed already.
        put(&m.part_name(), &m.image.bytes, stored);
    }
    zip.finish().expect("zip into memory").into_inner()
}

/// The DOCX writer's context (`dx`): the document, the chosen fonts and the page
/// metrics in twips, computed once.
pub(crate) struct Ctx<'a> {
    doc: &'a Document,
    fonts: DocxFonts,
    metrics: Metrics,
    pagination: &'a Pagination,
}

impl<'a> Ctx<'a> {
    fn new(doc: &'a Document, options: &DocxOptions, pagination: &'a Pagination) -> Ctx<'a> {
        Ctx { doc, fonts: options.fonts, metrics: Metrics::new(&doc.style), pagination }
    }

    /// The body rows of the table at `block` that begin a page in the PDF.
    fn table_breaks(&self, block: usize) -> Vec<usize> {
        let breaks = &self.pagination.table_breaks;
        breaks.iter().filter(|&&(b, _)| b == block).map(|&(_, row)| row).collect()
    }

    fn style(&self) -> &Style {
        &self.doc.style
    }

    /// The fonts, size and tracking of one role.
    fn role_font(&self, role: Role) -> RoleFont {
        let rs = self.style().role(role);
        let (east_asia, latin, bold) = match self.fonts {
            DocxFonts::Official => (rs.docx.clone(), self.style().latin_font.clone(), rs.bold),
            DocxFonts::Bundled => {
                let (family, bold_face) = family_of_face(&rs.font);
                (family.to_string(), family.to_string(), rs.bold || bold_face)
            }
        };
        let on_grid = rs.size == self.style().role(Role::Body).size;
        RoleFont {
            east_asia,
            latin,
            bold,
            half_points: (rs.size.to_pt() * 2.0).round() as i64,
            tracking: if on_grid { self.metrics.tracking } else { 0 },
        }
    }
}

/// One role's run properties.
struct RoleFont {
    east_asia: String,
    latin: String,
    bold: bool,
    /// `w:sz`, in half-points.
    half_points: i64,
    /// `w:spacing`, in twips (negative: tighter).
    tracking: i64,
}

/// Maps a face name such as `FandolSong-Bold` to its family and whether it is bold.
fn family_of_face(face: &str) -> (&str, bool) {
    match face.rsplit_once('-') {
        Some((family, "Bold")) => (family, true),
        Some((family, "Regular" | "Medium" | "Light")) => (family, false),
        _ => (face, false),
    }
}

/// Page geometry and the body grid in twips.
struct Metrics {
    page_width: i64,
    page_height: i64,
    margin_top: i64,
    margin_left: i64,
    margin_right: i64,
    margin_bottom: i64,
    /// Body line pitch, rounded down so that all lines fit the 版心.
    line_pitch: i64,
    /// Tracking on 16 pt roles, rounded down so that a full line of characters fits.
    tracking: i64,
    /// The resulting character pitch of body text.
    char_pitch: i64,
}

impl Metrics {
    fn new(style: &Style) -> Metrics {
        let p = &style.page;
        let (margin_top, margin_bottom) = (p.margin_top.to_twips(), p.margin_bottom.to_twips());
        let (margin_left, margin_right) = (p.margin_left.to_twips(), p.margin_right.to_twips());
        let (page_width, page_height) = (p.width.to_twips(), p.height.to_twips());
        // NOTE: both pitches are rounded down: 22 × 580 twips would overflow the 版心 by
        // 4 twips and Word would set 21 lines; likewise 28 characters at −4 twips.
        let text_height = page_height - margin_top - margin_bottom;
        let text_width = page_width - margin_left - margin_right;
        let line_pitch = text_height / i64::from(p.lines_per_page.max(1));
        let char_pitch = text_width / i64::from(p.chars_per_line.max(1));
        let tracking = char_pitch - style.role(Role::Body).size.to_twips();
        Metrics {
            page_width,
            page_height,
            margin_top,
            margin_left,
            margin_right,
            margin_bottom,
            line_pitch,
            tracking,
            char_pitch,
        }
    }

    /// The width of the 版心.
    fn text_width(&self) -> i64 {
        self.page_width - self.margin_left - self.margin_right
    }

    /// `chars` characters of the body grid, in twips.
    fn chars(&self, chars: f64) -> i64 {
        (chars * self.char_pitch as f64).round() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::default_style;

    #[test]
    fn grid_fits_the_type_area() {
        let m = Metrics::new(default_style());
        assert_eq!((m.page_width, m.page_height), (11906, 16838));
        assert_eq!(m.line_pitch, 579);
        assert!(22 * m.line_pitch <= m.page_height - m.margin_top - m.margin_bottom);
        assert_eq!(m.tracking, -5);
        assert!(28 * m.char_pitch <= m.text_width());
    }

    #[test]
    fn face_names_map_to_families() {
        assert_eq!(family_of_face("FandolSong-Bold"), ("FandolSong", true));
        assert_eq!(family_of_face("FandolFang-Regular"), ("FandolFang", false));
        assert_eq!(family_of_face("SimSun"), ("SimSun", false));
    }
}
