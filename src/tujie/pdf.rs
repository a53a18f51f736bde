//! The 图解 pages of the PDF: the scene's blocks (each chart followed by its numbers as a
//! table) scaled onto A4 inside the GB/T 9704 type area, in vector paths and the bundled
//! fonts through krilla, tagged: the title `H1`, each chart's title `H2`, the chart a
//! `Figure` whose alternative text gives every number, its numbers a `Table` with `TH`
//! scopes, a chart whose numbers are all 0 a `P`; rules, fills and page numbers artifacts.

use super::charts::Tujie;
use super::scene::{Block, Color, Part, Prim, Text, WIDTH};
use crate::fonts::FontBook;
use crate::pdf::PdfOptions;
use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagKind, TagTree,
};
use krilla::text::{GlyphId, KrillaGlyph};
use std::num::NonZeroU16;

/// A4 in points.
const PAGE: (f32, f32) = (595.276, 841.89);
/// GB/T 9704's type area: 28 mm from the left, 37 mm from the top, 156 × 225 mm.
const LEFT: f32 = 28.0 * MM;
const TOP: f32 = 37.0 * MM;
const AREA: (f32, f32) = (156.0 * MM, 225.0 * MM);
const MM: f32 = 72.0 / 25.4;

/// What each drawn block's marked content was.
struct Drawn {
    /// Per block: identifiers of its text (with the table cell or note they belong to), and
    /// of its figure drawing.
    text: Vec<(Identifier, Option<usize>, bool)>,
    shapes: Vec<Identifier>,
}

/// The PDF of `blocks` (the paged scene). `options` as the report's PDF (`tagged`, `ua`,
/// `pdfa`); `date` the report's date for the metadata.
pub fn write(
    t: &Tujie,
    blocks: &[Block],
    fonts: &FontBook,
    options: PdfOptions,
    date: Option<crate::model::Date>,
) -> Result<Vec<u8>, String> {
    let settings = crate::pdf::serialize_settings(options)?;
    let tagged = settings.enable_tagging;
    let mut pdf = krilla::Document::new_with(settings);
    pdf.set_metadata(crate::pdf::metadata(format!("{}图解", t.title), t.unit.clone(), date));

    let pages = paginate(blocks);
    let mut drawn: Vec<Drawn> =
        blocks.iter().map(|_| Drawn { text: vec![], shapes: vec![] }).collect();
    let size = PageSettings::from_wh(PAGE.0, PAGE.1).ok_or("bad page size")?;
    // Bookmarks: each chart's title, opening its page.
    let mut outline = Outline::new();
    for (number, page) in pages.iter().enumerate() {
        let mut p = pdf.start_page_with(size.clone());
        let mut s = p.surface();
        for &(b, y, scale) in page {
            if let Part::Heading { title } = &blocks[b].part {
                let at = Point::from_xy(LEFT, TOP + y);
                outline
                    .push_child(OutlineNode::new(title.clone(), XyzDestination::new(number, at)));
            }
            s.push_transform(&Transform::from_row(scale, 0.0, 0.0, scale, LEFT, TOP + y));
            draw_block(&mut s, &blocks[b], fonts, tagged, &mut drawn[b]);
            s.pop();
        }
        // The page number, GB/T 9704 style (— 1 —), an artifact.
        let label = format!("— {} —", number + 1);
        let w = label
            .chars()
            .map(|c| fonts.glyph(crate::template::Role::PageNumber, c).advance)
            .sum::<f32>()
            * 14.0;
        if tagged {
            s.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::PageNumber)));
        }
        draw_text(
            &mut s,
            fonts,
            crate::template::Role::PageNumber,
            &label,
            (PAGE.0 - w) / 2.0,
            PAGE.1 - 20.0 * MM,
            14.0,
            Color(0, 0, 0),
        );
        if tagged {
            s.end_tagged();
        }
        s.finish();
        p.finish();
    }
    pdf.set_outline(outline);
    if tagged {
        pdf.set_tag_tree(tag_tree(blocks, &drawn));
    }
    pdf.finish().map_err(|e| format!("{e:?}"))
}

/// The blocks on pages: (block, top in points within the type area, scale). A chart (its
/// title, drawing and table) starts a new page when it does not fit the rest of this one but
/// fits a page; a chart's title always stays with its drawing; a block taller than the type
/// area is shrunk to fit it.
fn paginate(blocks: &[Block]) -> Vec<Vec<(usize, f32, f32)>> {
    let scale = AREA.0 / WIDTH;
    let tall = |b: &Block| b.height * scale.min(AREA.1 / b.height);
    let mut pages = vec![Vec::new()];
    let mut y = 0.0;
    for (i, b) in blocks.iter().enumerate() {
        let need = if matches!(b.part, Part::Heading { .. }) {
            // The whole chart, or else its title and drawing.
            // Up to the next chart's title or the source line (the last block).
            let end = (blocks.len() - 1).max(i + 1);
            let chart: f32 = blocks[i..end]
                .iter()
                .enumerate()
                .take_while(|&(j, c)| j == 0 || !matches!(c.part, Part::Heading { .. }))
                .map(|(_, c)| tall(c))
                .sum();
            let with_next = tall(b) + blocks.get(i + 1).map_or(0.0, tall);
            if chart <= AREA.1 { chart } else { with_next }
        } else {
            tall(b)
        };
        if y + need > AREA.1 && y > 0.0 {
            pages.push(Vec::new());
            y = 0.0;
        }
        pages.last_mut().expect("a page").push((i, y, scale.min(AREA.1 / b.height)));
        y += tall(b);
    }
    pages
}

fn paint(c: Color) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

fn draw_block(s: &mut Surface, block: &Block, fonts: &FontBook, tagged: bool, drawn: &mut Drawn) {
    let figure = matches!(block.part, Part::Figure { .. });
    // Consecutive prims of one kind (text of one cell or note, or shapes) are one marked-
    // content sequence: a heading is one MCID (pdfua's empty-heading rule reads no array).
    let mut open: Option<(bool, Option<usize>, bool)> = None;
    for prim in &block.prims {
        let run = match prim {
            Prim::Text(t) => (false, t.cell, t.note),
            _ => (true, None, false),
        };
        if tagged && open != Some(run) {
            if open.is_some() {
                s.end_tagged();
            }
            let tag = match (run.0, figure) {
                (true, true) => ContentTag::Other,
                (true, false) => ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout)),
                (false, _) => ContentTag::Span(SpanTag::empty()),
            };
            let id = s.start_tagged(tag);
            match prim {
                Prim::Text(t) => drawn.text.push((id, t.cell, t.note)),
                _ if figure => drawn.shapes.push(id),
                _ => {}
            }
            open = Some(run);
        }
        match prim {
            Prim::Rect { x, y, w, h, fill, stroke } => {
                let mut pb = PathBuilder::new();
                if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                    pb.push_rect(r);
                }
                if let Some(path) = pb.finish() {
                    s.set_fill(Some(Fill { paint: paint(*fill), ..Default::default() }));
                    s.set_stroke(stroke.map(|c| Stroke {
                        paint: paint(c),
                        width: 2.0,
                        ..Default::default()
                    }));
                    s.draw_path(&path);
                    s.set_stroke(None);
                }
            }
            Prim::Line { x0, y0, x1, y1, width, color } => {
                let mut pb = PathBuilder::new();
                pb.move_to(*x0, *y0);
                pb.line_to(*x1, *y1);
                if let Some(path) = pb.finish() {
                    s.set_fill(None);
                    s.set_stroke(Some(Stroke {
                        paint: paint(*color),
                        width: *width,
                        ..Default::default()
                    }));
                    s.draw_path(&path);
                    s.set_stroke(None);
                }
            }
            Prim::Text(Text { x, y, size, text, face, fill, .. }) => {
                draw_text(s, fonts, face.role(), text, *x, *y, *size, *fill);
            }
        }
    }
    if tagged && open.is_some() {
        s.end_tagged();
    }
}

/// A line of text from (x, baseline y), in runs of the face that has each character.
#[allow(clippy::too_many_arguments)]
fn draw_text(
    s: &mut Surface,
    fonts: &FontBook,
    role: crate::template::Role,
    text: &str,
    mut x: f32,
    y: f32,
    size: f32,
    fill: Color,
) {
    s.set_stroke(None);
    s.set_fill(Some(Fill { paint: paint(fill), ..Default::default() }));
    let mut run: Vec<(usize, char, crate::fonts::GlyphChoice)> = Vec::new();
    let mut flush = |run: &mut Vec<(usize, char, crate::fonts::GlyphChoice)>, x: &mut f32| {
        let Some(&(start, _, first)) = run.first() else { return };
        let end = run.last().map_or(start, |&(i, c, _)| i + c.len_utf8());
        let glyphs: Vec<KrillaGlyph> = run
            .iter()
            .map(|&(i, c, g)| KrillaGlyph {
                glyph_id: GlyphId::new(u32::from(g.gid)),
                text_range: (i - start)..(i - start + c.len_utf8()),
                x_advance: g.advance,
                x_offset: 0.0,
                y_offset: 0.0,
                y_advance: 0.0,
                location: None,
            })
            .collect();
        s.draw_glyphs(
            Point::from_xy(*x, y),
            &glyphs,
            fonts.face(first.face).krilla.clone(),
            &text[start..end],
            size,
            false,
        );
        *x += run.iter().map(|r| r.2.advance).sum::<f32>() * size;
        run.clear();
    };
    for (i, c) in text.char_indices() {
        let g = fonts.glyph(role, c);
        if run.first().is_some_and(|r| r.2.face != g.face) {
            flush(&mut run, &mut x);
        }
        run.push((i, c, g));
    }
    flush(&mut run, &mut x);
}

fn group(kind: TagKind, ids: impl IntoIterator<Item = Identifier>) -> TagGroup {
    TagGroup::with_children(kind, ids.into_iter().map(Into::into).collect())
}

/// The structure tree: the blocks in reading order.
fn tag_tree(blocks: &[Block], drawn: &[Drawn]) -> TagTree {
    let mut tree = TagTree::new().with_lang(Some("zh-CN".to_string()));
    let texts = |d: &Drawn, note: bool| -> Vec<Identifier> {
        d.text.iter().filter(|t| t.2 == note).map(|t| t.0).collect()
    };
    for (block, d) in blocks.iter().zip(drawn) {
        match &block.part {
            Part::Header { title } => {
                let level = NonZeroU16::new(1).expect("1");
                tree.push(group(Tag::Hn(level, Some(title.clone())).into(), texts(d, false)));
            }
            Part::Heading { title } => {
                let level = NonZeroU16::new(2).expect("2");
                tree.push(group(Tag::Hn(level, Some(title.clone())).into(), texts(d, false)));
                let notes = texts(d, true);
                if !notes.is_empty() {
                    tree.push(group(Tag::P.into(), notes));
                }
            }
            Part::Figure { alt, .. } => {
                let ids = d.shapes.iter().copied().chain(texts(d, false));
                tree.push(group(Tag::Figure(Some(alt.clone())).into(), ids));
            }
            Part::Sentence => tree.push(group(Tag::P.into(), texts(d, false))),
            Part::Table { cells } => {
                let mut table = TagGroup::new(Tag::Table);
                let rows = cells.iter().map(|c| c.0).max().map_or(0, |r| r + 1);
                let mut head = TagGroup::new(Tag::THead);
                let mut body = TagGroup::new(Tag::TBody);
                for r in 0..rows {
                    let mut tr = TagGroup::new(Tag::TR);
                    for (i, &(row, is_head, row_scope)) in cells.iter().enumerate() {
                        if row != r {
                            continue;
                        }
                        let ids = d.text.iter().filter(|t| t.1 == Some(i)).map(|t| t.0);
                        let kind: TagKind = if is_head {
                            let scope = if row_scope {
                                TableHeaderScope::Row
                            } else {
                                TableHeaderScope::Column
                            };
                            Tag::TH(scope).into()
                        } else {
                            Tag::TD.into()
                        };
                        tr.push(group(kind, ids));
                    }
                    if r == 0 { head.push(tr) } else { body.push(tr) }
                }
                table.push(head);
                table.push(body);
                tree.push(table);
            }
        }
    }
    tree
}
