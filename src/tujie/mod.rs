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
    long_svg(t, &scene::long_image(t, fonts), fonts)
}

fn long_svg(t: &Tujie, blocks: &[scene::Block], fonts: &FontBook) -> String {
    svg::write(t, &format!("{}图解", t.title), blocks, fonts, "")
}

/// The 图解 as a section of the report's HTML page: each chart's title as a heading, the
/// chart as an inline SVG (a `role="img"` group with `<title>` and a `<desc>` giving every
/// number; a chart of zeros as its sentence), then its numbers as a table with scoped
/// labels. Ids start with `nb-tujie-`.
pub fn html_section(t: &Tujie, fonts: &FontBook) -> String {
    use svg::escape;
    // The page's table rules, inline too: a section pasted into a portal's editor keeps them.
    const CELL: &str = " style=\"border:1px solid #000;padding:0.25em 0.3em\"";
    use std::fmt::Write as _;
    let mut out = String::with_capacity(32 * 1024);
    out.push_str(
        "<section class=\"nb-tujie\" aria-labelledby=\"nb-tujie-h\">\n\
         <h2 id=\"nb-tujie-h\">图解</h2>\n",
    );
    for chart in &t.charts {
        let _ = writeln!(out, "<h3>{}</h3>", escape(&chart.title));
        match scene::chart_figure(t, chart, fonts) {
            Some(block) => {
                let svg = svg::write(t, &chart.title, &[block], fonts, "nb-tujie-");
                // Scaled to the column, its proportions kept.
                let svg = svg.replacen(
                    "<svg ",
                    "<svg style=\"display:block;max-width:100%;height:auto\" ",
                    1,
                );
                let _ = writeln!(out, "<figure class=\"nb-chart\">{}</figure>", svg.trim_end());
            }
            None => {
                let _ = writeln!(out, "<p>{}</p>", escape(&chart.zero_sentence));
            }
        }
        let table = chart.table(t.year, t.previous_year);
        let _ = write!(
            out,
            "<table class=\"nb-grid nb-tujie-table\" style=\"border-collapse:collapse;width:100%\">\
             <caption>{}（单位：{}）</caption><thead><tr>",
            escape(&chart.title),
            chart.measure
        );
        for h in &table.head {
            let _ = write!(out, "<th scope=\"col\" class=\"c\"{CELL}>{}</th>", escape(h));
        }
        out.push_str("</tr></thead><tbody>");
        for row in &table.rows {
            out.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                match (i, &cell.number) {
                    (0, _) => {
                        let _ = write!(
                            out,
                            "<th scope=\"row\" class=\"l\"{CELL}>{}</th>",
                            escape(&cell.text)
                        );
                    }
                    (_, Some((key, year))) => {
                        let _ = write!(
                            out,
                            "<td class=\"c num\"{CELL} data-key=\"{}\" data-year=\"{year}\">{}</td>",
                            escape(key),
                            escape(&cell.text)
                        );
                    }
                    (_, None) => {
                        let _ =
                            write!(out, "<td class=\"c num\"{CELL}>{}</td>", escape(&cell.text));
                    }
                }
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
    out
}

/// The long image as a PNG, 1080 px wide: the SVG rasterised with the faces its text is
/// set in.
#[cfg(feature = "tujie")]
pub fn png(t: &Tujie, fonts: &FontBook) -> Result<Vec<u8>, String> {
    let blocks = scene::long_image(t, fonts);
    let svg = long_svg(t, &blocks, fonts);
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
