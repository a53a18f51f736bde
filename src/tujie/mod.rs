//! 图解 (graphic reading): the report's numbers as the charts units publish beside it — a
//! long PNG 1080 px wide for 政务新媒体, an SVG, and 图解 pages in the PDF style — all drawn
//! from one description ([`charts::Tujie`], read from the computed tables by cell key) laid
//! out once ([`scene`]): the SVG writes the scene, the PNG is the SVG rasterised by resvg with
//! the bundled fonts, the PDF draws the same blocks with krilla, tagged.

pub mod charts;
mod pdf;
#[cfg(feature = "tujie")]
mod png;
pub mod scene;
mod svg;

pub use charts::{Chart, ChartKind, Row, Tujie, build, largest_remainder};

use crate::fonts::{FaceId, FontBook};
use crate::pdf::PdfOptions;

/// The SVG of the long image.
pub fn svg(t: &Tujie, fonts: &FontBook) -> String {
    svg::write(t, &scene::long_image(t, fonts), fonts)
}

/// The long image as a PNG, 1080 px wide: the SVG rasterised with the faces its text is
/// set in.
#[cfg(feature = "tujie")]
pub fn png(t: &Tujie, fonts: &FontBook) -> Result<Vec<u8>, String> {
    let blocks = scene::long_image(t, fonts);
    let svg = svg::write(t, &blocks, fonts);
    png::rasterise(&svg, fonts, &faces(&blocks, fonts))
}

/// Built without the `tujie` feature there is no rasteriser.
#[cfg(not(feature = "tujie"))]
pub fn png(_: &Tujie, _: &FontBook) -> Result<Vec<u8>, String> {
    Err("built without the `tujie` feature (no PNG rasteriser)".into())
}

/// The 图解 pages as a PDF (A4, the GB/T 9704 type area), tagged as `options` say.
pub fn pdf(
    t: &Tujie,
    fonts: &FontBook,
    options: PdfOptions,
    date: Option<crate::model::Date>,
) -> Result<Vec<u8>, String> {
    pdf::write(t, &scene::paged(t, fonts), fonts, options, date)
}

/// The faces the blocks' text is set in, each once.
#[cfg_attr(not(feature = "tujie"), allow(dead_code))]
fn faces(blocks: &[scene::Block], fonts: &FontBook) -> Vec<FaceId> {
    let mut faces = Vec::new();
    for prim in blocks.iter().flat_map(|b| &b.prims) {
        if let scene::Prim::Text(t) = prim {
            for c in t.text.chars() {
                let face = fonts.glyph(t.face.role(), c).face;
                if !faces.contains(&face) {
                    faces.push(face);
                }
            }
        }
    }
    faces
}
