//! The 图解 as SVG: the scene's blocks stacked in one 1080-wide image, the text as `<text>` in
//! the bundled faces' families (what the PNG is rasterised from, and what the HTML page can
//! inline). Each chart is a `<g role="img">` with its `<title>` and a `<desc>` giving every
//! number; every number drawn carries its cell key and year (`data-key`, `data-year`).

use super::charts::Tujie;
use super::scene::{Block, Face, Part, Prim, WIDTH};
use crate::fonts::FontBook;
use std::fmt::Write as _;

/// The SVG of `blocks` (the long image's, or one chart's for the HTML page), whose height is
/// theirs together, titled `title`; every id starts with `ids` (unique within a page).
pub fn write(t: &Tujie, title: &str, blocks: &[Block], fonts: &FontBook, ids: &str) -> String {
    let height: f32 = blocks.iter().map(|b| b.height).sum();
    let family = |face: Face| {
        let family = &fonts.face(fonts.role_face(face.role())).family;
        format!("{}, sans-serif", escape(family))
    };
    let (title_family, hei_family) = (family(Face::Title), family(Face::Hei));
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" lang=\"zh-CN\" aria-labelledby=\"{ids}tujie-title\">\
         <title id=\"{ids}tujie-title\">{}</title>",
        escape(title),
        w = WIDTH,
        h = height.ceil(),
    );
    let _ = write!(out, "<rect width=\"{WIDTH}\" height=\"{}\" fill=\"#ffffff\"/>", height.ceil());
    let mut y = 0.0;
    for block in blocks {
        let _ = write!(out, "<g transform=\"translate(0 {})\">", n(y));
        if let Part::Figure { key, alt } = &block.part {
            let chart = t.charts.iter().find(|c| c.key == *key).map_or("", |c| c.title.as_str());
            let _ = write!(
                out,
                "<g role=\"img\" aria-labelledby=\"{ids}{key}-title {ids}{key}-desc\">\
                 <title id=\"{ids}{key}-title\">{}</title><desc id=\"{ids}{key}-desc\">{}</desc>",
                escape(chart),
                escape(alt)
            );
        }
        for prim in &block.prims {
            match prim {
                Prim::Rect { x, y, w, h, fill, stroke } => {
                    let _ = write!(
                        out,
                        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"",
                        n(*x),
                        n(*y),
                        n(*w),
                        n(*h),
                        fill.hex()
                    );
                    if let Some(s) = stroke {
                        let _ = write!(out, " stroke=\"{}\" stroke-width=\"2\"", s.hex());
                    }
                    out.push_str("/>");
                }
                Prim::Line { x0, y0, x1, y1, width, color } => {
                    let _ = write!(
                        out,
                        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>",
                        n(*x0),
                        n(*y0),
                        n(*x1),
                        n(*y1),
                        color.hex(),
                        n(*width)
                    );
                }
                Prim::Text(t) => {
                    let family = match t.face {
                        Face::Title => &title_family,
                        Face::Hei => &hei_family,
                    };
                    let _ = write!(
                        out,
                        "<text x=\"{}\" y=\"{}\" font-family=\"{family}\" font-size=\"{}\" fill=\"{}\"",
                        n(t.x),
                        n(t.y),
                        n(t.size),
                        t.fill.hex()
                    );
                    if let Some((key, year)) = &t.number {
                        let _ = write!(out, " data-key=\"{}\" data-year=\"{year}\"", escape(key));
                    }
                    let _ = write!(out, ">{}</text>", escape(&t.text));
                }
            }
        }
        if matches!(block.part, Part::Figure { .. }) {
            out.push_str("</g>");
        }
        out.push_str("</g>");
        y += block.height;
    }
    out.push_str("</svg>\n");
    out
}

/// A coordinate with at most two decimals.
fn n(v: f32) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == r.trunc() { format!("{}", r as i64) } else { format!("{r}") }
}

/// Text and attribute values escaped for XML, without the control characters XML 1.0 does
/// not allow (the rasteriser's parser would refuse the file).
pub(crate) fn escape(s: &str) -> String {
    let allowed = |c: &char| (*c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r');
    crate::html::esc(&s.chars().filter(allowed).collect::<String>())
}
