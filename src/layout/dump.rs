//! A stable text form of a layout, for golden tests.

use super::{Item, Layout, TextItem};
use crate::fonts::FontBook;
use std::fmt::Write;

/// A stable text dump of the positioned pages (one item per line, coordinates
/// rounded to 0.01 pt) so layout changes show up as diffs in tests.
pub fn dump(layout: &Layout, fonts: &FontBook) -> String {
    let mut out = String::new();
    for (i, page) in layout.pages.iter().enumerate() {
        let _ = writeln!(out, "page {} {:.2}x{:.2}", i + 1, page.width, page.height);
        for item in &page.items {
            match item {
                Item::Text(t) => {
                    let _ = writeln!(
                        out,
                        "  text {:.2} {:.2} {} {:.1} {}",
                        t.x,
                        t.y,
                        fonts.face(t.face).name,
                        t.size,
                        t.text
                    );
                }
                Item::Line { x0, y0, x1, y1, width } => {
                    let _ = writeln!(out, "  line {x0:.2} {y0:.2} {x1:.2} {y1:.2} w{width:.2}");
                }
                Item::Image { x, y, w, h, image, .. } => {
                    let _ = writeln!(
                        out,
                        "  image {x:.2} {y:.2} {w:.2}x{h:.2} {}x{}px",
                        image.width_px, image.height_px
                    );
                }
            }
        }
    }
    out
}

/// Right edge of a set line placed at `x0` (used by tests).
pub fn line_extent(t: &TextItem) -> (f64, f64) {
    (t.x, t.x + t.glyphs.iter().map(|g| g.advance).sum::<f64>())
}
