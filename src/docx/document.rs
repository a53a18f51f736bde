//! `word/document.xml`: the blocks in reading order, then the section (page, margins,
//! footers, line grid). Every element's children are written in schema order.

use super::Ctx;
use super::media::Media;
use super::rels::{EVEN_FOOTER, ODD_FOOTER};
use super::styles::{self, char_style_id, jc, para_defaults, para_style_id};
use super::xml::Xml;
use crate::resolve::{Align, Block, FigureBlock, Paragraph, Run, SignatureBlock, Table, em_width};
use crate::template::Role;
use crate::units::Abs;

/// Namespaces of the document and footer roots.
pub(super) const NAMESPACES: &str = "\
xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"";

/// EMU per twip.
const EMU_PER_TWIP: i64 = 635;

/// Writes the main document part.
pub(super) fn write(dx: &Ctx, media: &[Media]) -> Vec<u8> {
    let mut w = Writer { dx, x: Xml::with_capacity(256 * 1024), media, images: 0 };
    w.x.elem("w:document").raw_attrs(NAMESPACES).open();
    w.x.open("w:body");
    let blocks = &dx.doc.blocks;
    // GB/T 9704 §7.3.5: the signature follows the text on its page. The text the PDF
    // carried over to the signature's page goes with it here too (every paragraph from
    // the cut on, the signature's last of all).
    let carried = dx.pagination.carried;
    for (i, block) in blocks.iter().enumerate() {
        if let (Some(c), Block::Paragraph(p)) = (carried.filter(|c| i >= c.block), block) {
            w.carried(p, (i == c.block).then_some(c.at).filter(|_| c.line > 0));
            continue;
        }
        // Without a carry, keepNext on a short last paragraph and on the blank line
        // before the signature keeps them together should Word break elsewhere.
        let before_signature = match blocks.get(i + 1) {
            Some(Block::Signature(_)) => true,
            Some(Block::BlankLine) => matches!(blocks.get(i + 2), Some(Block::Signature(_))),
            _ => false,
        };
        match block {
            // Only a short paragraph: LibreOffice moves a long one whole rather than
            // carry its last lines, leaving its heading alone on the page before.
            Block::Paragraph(p) if before_signature && !p.keep_with_next && short(p) => {
                w.paragraph(&Paragraph { keep_with_next: true, ..p.clone() }, false);
            }
            Block::BlankLine if before_signature => keep_paragraph(&mut w.x, "Body"),
            Block::Paragraph(p) => w.paragraph(p, false),
            Block::Table(t) => {
                w.table(t, &dx.table_breaks(i));
                // A table must be followed by a paragraph before another table or the
                // end of the body, or Word merges or rejects them.
                if matches!(blocks.get(i + 1), None | Some(Block::Table(_))) {
                    empty_paragraph(&mut w.x, "Body");
                }
            }
            Block::Figure(f) => w.figure(f),
            Block::BlankLine => empty_paragraph(&mut w.x, "Body"),
            Block::Signature(s) => w.signature(s),
        }
    }
    w.section();
    w.x.close("w:body");
    w.x.close("w:document");
    w.x.finish()
}

/// The document writer: the output and the images placed so far.
struct Writer<'a> {
    dx: &'a Ctx<'a>,
    x: Xml,
    media: &'a [Media<'a>],
    /// Images written so far; the next one is `media[images]`.
    images: usize,
}

impl Writer<'_> {
    /// A paragraph in its named style, with only what differs from the style;
    /// `keep_lines`: never split across pages.
    fn paragraph(&mut self, p: &Paragraph, keep_lines: bool) {
        let defaults = para_defaults(self.dx, p.style);
        let x = &mut self.x;
        x.open("w:p");
        x.open("w:pPr");
        x.val("w:pStyle", para_style_id(p.style));
        if p.keep_with_next != defaults.keep_next {
            if p.keep_with_next { x.empty("w:keepNext") } else { x.val("w:keepNext", 0) }
        }
        if keep_lines {
            x.empty("w:keepLines");
        }
        if p.first_line_indent_chars != defaults.indent_chars {
            let chars = p.first_line_indent_chars;
            x.elem("w:ind")
                .attr("w:firstLineChars", chars * 100)
                .attr("w:firstLine", self.dx.metrics.chars(f64::from(chars)))
                .empty();
        }
        if p.align != defaults.align {
            x.val("w:jc", jc(p.align));
        }
        x.close("w:pPr");
        let role = p.style.role();
        for (i, run) in p.runs.iter().enumerate() {
            // The title's runs are its lines (unit name, then the rest).
            if i > 0 && p.style == crate::resolve::ParaStyle::Title {
                self.x.open("w:r");
                self.x.empty("w:br");
                self.x.close("w:r");
            }
            self.run(run, role);
        }
        self.x.close("w:p");
    }

    /// A paragraph at or after the text the PDF carried over to the signature's page
    /// (GB/T 9704 §7.3.5): kept whole and with the next, so the carried lines, the
    /// blank line and the signature move to a page together. `split`: the carry starts
    /// inside this paragraph, at that character; the lines before it stay a paragraph
    /// of their own, and the rest continues without an indent, as the PDF's next page
    /// does. (LibreOffice moves a whole paragraph kept with the next rather than its
    /// last lines, so the carried lines must be a paragraph.)
    fn carried(&mut self, p: &Paragraph, split: Option<usize>) {
        let kept = |runs: Vec<Run>, indent: u32| Paragraph {
            runs,
            first_line_indent_chars: indent,
            keep_with_next: true,
            ..p.clone()
        };
        match split {
            Some(at) => {
                let (before, after) = split_runs(&p.runs, at);
                self.paragraph(&Paragraph { runs: before, ..p.clone() }, false);
                self.paragraph(&kept(after, 0), true);
            }
            None => self.paragraph(&kept(p.runs.clone(), p.first_line_indent_chars), true),
        }
    }

    /// A run; formatting only when its role is not the paragraph's (run-in headings).
    fn run(&mut self, run: &Run, para_role: Role) {
        self.x.open("w:r");
        if run.role != para_role {
            match char_style_id(run.role) {
                Some(id) => {
                    self.x.open("w:rPr");
                    self.x.val("w:rStyle", id);
                    self.x.close("w:rPr");
                }
                None => styles::rpr(&mut self.x, &self.dx.role_font(run.role), false),
            }
        }
        text(&mut self.x, &run.text);
        self.x.close("w:r");
    }

    /// An official table: fixed grid, merged cells as the model says, header rows
    /// repeated, rows never split; a merged body label cut by one of `breaks` (rows
    /// that begin a page in the PDF) starts again, with its text, on that row.
    fn table(&mut self, t: &Table, breaks: &[usize]) {
        let grid = column_twips(&t.columns);
        let ncols = grid.len();
        // Which cell covers each grid slot.
        let mut cover = vec![None; t.rows * ncols];
        for (i, cell) in t.cells.iter().enumerate() {
            for r in cell.row..(cell.row + cell.rowspan).min(t.rows) {
                for c in cell.col..(cell.col + cell.colspan).min(ncols) {
                    cover[r * ncols + c] = Some(i);
                }
            }
        }
        let style = self.dx.style();
        let rule = (style.table_line_width.to_pt() * 8.0).round().max(2.0) as i64;
        let pad_x = t.pad_x.to_twips();
        let pad_y = style.table_cell_padding.to_twips();
        // A table set smaller than the style (so its numbers fit) says so on each
        // paragraph: size and the same exact leading as the PDF (1.3 × size).
        let sized = (t.size != style.role(Role::Table).size).then(|| {
            let half_points = (t.size.to_pt() * 2.0).round() as i64;
            (half_points, (t.size * 1.3).to_twips())
        });
        let x = &mut self.x;
        x.open("w:tbl");
        x.open("w:tblPr");
        x.elem("w:tblW").attr("w:w", grid.iter().sum::<i64>()).attr("w:type", "dxa").empty();
        x.val("w:jc", "center");
        x.open("w:tblBorders");
        for side in ["w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV"] {
            x.elem(side)
                .attr("w:val", "single")
                .attr("w:sz", rule)
                .attr("w:space", 0)
                .attr("w:color", "000000")
                .empty();
        }
        x.close("w:tblBorders");
        x.elem("w:tblLayout").attr("w:type", "fixed").empty();
        x.open("w:tblCellMar");
        for (side, v) in
            [("w:top", pad_y), ("w:left", pad_x), ("w:bottom", pad_y), ("w:right", pad_x)]
        {
            x.elem(side).attr("w:w", v).attr("w:type", "dxa").empty();
        }
        x.close("w:tblCellMar");
        x.close("w:tblPr");
        x.open("w:tblGrid");
        for w in &grid {
            x.elem("w:gridCol").attr("w:w", w).empty();
        }
        x.close("w:tblGrid");
        for r in 0..t.rows {
            x.open("w:tr");
            x.open("w:trPr");
            x.empty("w:cantSplit");
            if r < t.header_rows {
                x.empty("w:tblHeader");
            }
            x.close("w:trPr");
            let mut c = 0;
            while c < ncols {
                let Some(i) = cover[r * ncols + c] else {
                    // NOTE: resolve fills every slot; an empty cell keeps the grid valid
                    // should a format ever leave a hole.
                    cell_start(x, grid[c], 1, None);
                    empty_paragraph(x, "TableText");
                    x.close("w:tc");
                    c += 1;
                    continue;
                };
                let cell = &t.cells[i];
                let span = cell.colspan.min(ncols - c);
                let width = grid[c..c + span].iter().sum();
                let pstyle = if cell.role == Role::TableHead { "TableHead" } else { "TableText" };
                // Where this part of the cell starts: its own row, or a break that
                // cuts it (the header rows repeat by w:tblHeader instead).
                let starts = cell.row == r || (cell.row >= t.header_rows && breaks.contains(&r));
                let end = cell.row + cell.rowspan;
                let part_end = breaks.iter().copied().filter(|&b| b > r && b < end).min();
                let part_end = part_end.unwrap_or(end);
                let merge = match (starts, part_end > r + 1) {
                    (true, true) => Some(true),
                    (true, false) => None,
                    (false, _) => Some(false),
                };
                cell_start(x, width, span, merge);
                // keepNext on every paragraph of a row keeps it with the next row in
                // Word and LibreOffice: the table's keep rules, as the PDF breaks.
                let keep = t.keep_with_next.get(r).copied().unwrap_or(false);
                x.open("w:p");
                x.open("w:pPr");
                x.val("w:pStyle", pstyle);
                if keep {
                    x.empty("w:keepNext");
                }
                if let Some((_, line)) = sized {
                    x.elem("w:spacing").attr("w:line", line).attr("w:lineRule", "exact").empty();
                }
                if starts && cell.align != Align::Center {
                    x.val("w:jc", jc(cell.align));
                }
                x.close("w:pPr");
                if starts {
                    x.open("w:r");
                    if let Some((half_points, _)) = sized {
                        x.open("w:rPr");
                        x.val("w:sz", half_points);
                        x.val("w:szCs", half_points);
                        x.close("w:rPr");
                    }
                    text(x, &cell.text);
                    x.close("w:r");
                }
                x.close("w:p");
                x.close("w:tc");
                c += span;
            }
            x.close("w:tr");
        }
        x.close("w:tbl");
    }

    /// A figure: the image inline in its own centred paragraph, then the caption.
    fn figure(&mut self, f: &FigureBlock) {
        self.x.open("w:p");
        self.x.open("w:pPr");
        self.x.val("w:pStyle", "Figure");
        if f.caption.is_some() {
            // The caption on the image's page (#31), as the PDF keeps them.
            self.x.empty("w:keepNext");
        }
        self.x.close("w:pPr");
        self.x.open("w:r");
        self.drawing(f.width, f.height, None);
        self.x.close("w:r");
        self.x.close("w:p");
        if let Some(caption) = &f.caption {
            self.paragraph(caption, false);
        }
    }

    /// 落款 (GB/T 9704 §7.3.5), arranged by [`SignatureBlock::arrange`] exactly as
    /// the PDF is: each line of a long unit name its own paragraph, right-indented
    /// so it stays inside the 版心; the seal centred as in the PDF, behind the text
    /// so the name and date show through it.
    fn signature(&mut self, s: &SignatureBlock) {
        let m = &self.dx.metrics;
        let pitch_pt = self.dx.style().page.line_pitch().to_pt();
        let chars = self.dx.style().page.chars_per_line;
        let arranged = s.arrange(chars, pitch_pt, &em_width);
        let (text_width, char_pitch, pitch) = (m.text_width(), m.char_pitch, m.line_pitch);
        let count = arranged.lines.len();
        for (i, line) in arranged.lines.iter().enumerate() {
            let seal = if i == 0 { s.seal.as_ref().zip(arranged.seal_centre) } else { None };
            self.signature_line(line.right_chars, i + 1 < count, |w| {
                if let Some(((image, diameter), (right_chars, lines_down))) = seal {
                    let (width, height) = (*diameter, *diameter * image_ratio(image));
                    let centre_x = text_width - (right_chars * char_pitch as f64).round() as i64;
                    let centre_y = (lines_down * pitch as f64).round() as i64;
                    let anchor = Anchor {
                        x: centre_x * EMU_PER_TWIP - width.to_emu() / 2,
                        y: centre_y * EMU_PER_TWIP - height.to_emu() / 2,
                    };
                    w.x.open("w:r");
                    w.drawing(width, height, Some(anchor));
                    w.x.close("w:r");
                }
                w.x.open("w:r");
                text(&mut w.x, &line.text);
                w.x.close("w:r");
            });
        }
    }

    fn signature_line(&mut self, right_chars: f64, keep: bool, content: impl FnOnce(&mut Self)) {
        self.x.open("w:p");
        self.x.open("w:pPr");
        self.x.val("w:pStyle", "Signature");
        if keep {
            // The block's lines stay together.
            self.x.empty("w:keepNext");
        }
        let right_chars = right_chars.max(0.0);
        self.x
            .elem("w:ind")
            .attr("w:right", self.dx.metrics.chars(right_chars))
            .attr("w:rightChars", (right_chars * 100.0).round() as i64)
            .empty();
        self.x.close("w:pPr");
        content(self);
        self.x.close("w:p");
    }

    /// `w:drawing` with the next image: inline, or floating in front of the text.
    fn drawing(&mut self, width: Abs, height: Abs, anchor: Option<Anchor>) {
        let media = &self.media[self.images];
        self.images += 1;
        let id = self.images;
        let (cx, cy) = (width.to_emu(), height.to_emu());
        let x = &mut self.x;
        x.open("w:drawing");
        match anchor {
            None => {
                let el = x.elem("wp:inline");
                el.attr("distT", 0).attr("distB", 0).attr("distL", 0).attr("distR", 0).open();
                x.elem("wp:extent").attr("cx", cx).attr("cy", cy).empty();
                effect_extent(x);
            }
            Some(a) => {
                // behindDoc="1": the seal lies behind the text, so the name and date
                // show through the red (an opaque seal PNG would hide them on top).
                x.elem("wp:anchor")
                    .attr("distT", 0)
                    .attr("distB", 0)
                    .attr("distL", 0)
                    .attr("distR", 0)
                    .attr("simplePos", 0)
                    .attr("relativeHeight", 251_659_264 + id)
                    .attr("behindDoc", 1)
                    .attr("locked", 0)
                    .attr("layoutInCell", 1)
                    .attr("allowOverlap", 1)
                    .open();
                x.elem("wp:simplePos").attr("x", 0).attr("y", 0).empty();
                x.elem("wp:positionH").attr("relativeFrom", "margin").open();
                x.leaf("wp:posOffset", &a.x.to_string());
                x.close("wp:positionH");
                x.elem("wp:positionV").attr("relativeFrom", "paragraph").open();
                x.leaf("wp:posOffset", &a.y.to_string());
                x.close("wp:positionV");
                x.elem("wp:extent").attr("cx", cx).attr("cy", cy).empty();
                effect_extent(x);
                x.empty("wp:wrapNone");
            }
        }
        let name = if anchor.is_some() { "Seal" } else { "Figure" };
        let name = format!("{name} {id}");
        x.elem("wp:docPr").attr("id", id).attr("name", &name).empty();
        x.open("wp:cNvGraphicFramePr");
        x.elem("a:graphicFrameLocks").attr("noChangeAspect", 1).empty();
        x.close("wp:cNvGraphicFramePr");
        x.open("a:graphic");
        x.elem("a:graphicData")
            .attr("uri", "http://schemas.openxmlformats.org/drawingml/2006/picture")
            .open();
        x.open("pic:pic");
        x.open("pic:nvPicPr");
        x.elem("pic:cNvPr").attr("id", 0).attr("name", format!("image{}", media.index)).empty();
        x.empty("pic:cNvPicPr");
        x.close("pic:nvPicPr");
        x.open("pic:blipFill");
        x.elem("a:blip").attr("r:embed", media.rel_id()).empty();
        x.open("a:stretch");
        x.empty("a:fillRect");
        x.close("a:stretch");
        x.close("pic:blipFill");
        x.open("pic:spPr");
        x.open("a:xfrm");
        x.elem("a:off").attr("x", 0).attr("y", 0).empty();
        x.elem("a:ext").attr("cx", cx).attr("cy", cy).empty();
        x.close("a:xfrm");
        x.elem("a:prstGeom").attr("prst", "rect").open();
        x.empty("a:avLst");
        x.close("a:prstGeom");
        x.close("pic:spPr");
        x.close("pic:pic");
        x.close("a:graphicData");
        x.close("a:graphic");
        x.close(if anchor.is_some() { "wp:anchor" } else { "wp:inline" });
        x.close("w:drawing");
    }

    /// `w:sectPr` in CT_SectPr order: footers, A4, GB/T 9704 margins, the line grid.
    fn section(&mut self) {
        let m = &self.dx.metrics;
        let style = self.dx.style();
        let number = style.role(Role::PageNumber).size;
        // The 一字线 (at about the middle of the number's line) sits
        // `page_number_gap` below the 版心; Word measures the footer distance from
        // the page edge to the bottom of the footer's line.
        let footer = (style.page.margin_bottom - style.page_number_gap - number / 2.0).to_twips();
        let x = &mut self.x;
        x.open("w:sectPr");
        x.elem("w:footerReference").attr("w:type", "default").attr("r:id", ODD_FOOTER).empty();
        x.elem("w:footerReference").attr("w:type", "even").attr("r:id", EVEN_FOOTER).empty();
        x.elem("w:pgSz").attr("w:w", m.page_width).attr("w:h", m.page_height).empty();
        x.elem("w:pgMar")
            .attr("w:top", m.margin_top)
            .attr("w:right", m.margin_right)
            .attr("w:bottom", m.margin_bottom)
            .attr("w:left", m.margin_left)
            .attr("w:header", 851)
            .attr("w:footer", footer)
            .attr("w:gutter", 0)
            .empty();
        x.elem("w:cols").attr("w:space", 425).empty();
        x.elem("w:docGrid").attr("w:type", "lines").attr("w:linePitch", m.line_pitch).empty();
        x.close("w:sectPr");
    }
}

/// Offsets of a floating image in EMU: from the left margin and from the top of
/// the anchoring paragraph.
#[derive(Clone, Copy)]
struct Anchor {
    x: i64,
    y: i64,
}

fn effect_extent(x: &mut Xml) {
    x.elem("wp:effectExtent").attr("l", 0).attr("t", 0).attr("r", 0).attr("b", 0).empty();
}

/// `w:t`, keeping leading or trailing spaces.
fn text(x: &mut Xml, text: &str) {
    let el = x.elem("w:t");
    if text.starts_with(' ') || text.ends_with(' ') {
        el.attr("xml:space", "preserve").open();
    } else {
        el.open();
    }
    x.text(text);
    x.close("w:t");
}

/// `<w:tc>` up to its properties: width, span, vertical merge (`Some(true)` starts
/// a merge, `Some(false)` continues one), vertical centring.
fn cell_start(x: &mut Xml, width: i64, span: usize, merge: Option<bool>) {
    x.open("w:tc");
    x.open("w:tcPr");
    x.elem("w:tcW").attr("w:w", width).attr("w:type", "dxa").empty();
    if span > 1 {
        x.val("w:gridSpan", span);
    }
    match merge {
        Some(true) => x.val("w:vMerge", "restart"),
        Some(false) => x.empty("w:vMerge"),
        None => {}
    }
    x.val("w:vAlign", "center");
    x.close("w:tcPr");
}

/// A paragraph with only a style: a blank line, or the paragraph every table cell
/// needs, even one merged into the cell above.
fn empty_paragraph(x: &mut Xml, style: &str) {
    x.open("w:p");
    x.open("w:pPr");
    x.val("w:pStyle", style);
    x.close("w:pPr");
    x.close("w:p");
}

/// Whether a paragraph sets in at most three lines of the 28-character measure
/// (estimated: CJK one character, ASCII half).
fn short(p: &Paragraph) -> bool {
    let chars: f64 = p.runs.iter().map(|r| em_width(&r.text)).sum();
    chars + f64::from(p.first_line_indent_chars) <= 3.0 * 28.0
}

/// `runs` cut before their `at`-th character (counted over all runs in order).
fn split_runs(runs: &[Run], at: usize) -> (Vec<Run>, Vec<Run>) {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let mut start = 0;
    for run in runs {
        let len = run.text.chars().count();
        match at.checked_sub(start) {
            Some(k) if k >= len => before.push(run.clone()),
            Some(k) if k > 0 => {
                let cut = run.text.char_indices().nth(k).map_or(run.text.len(), |(b, _)| b);
                before.push(Run { text: run.text[..cut].to_string(), role: run.role });
                after.push(Run { text: run.text[cut..].to_string(), role: run.role });
            }
            _ => after.push(run.clone()),
        }
        start += len;
    }
    (before, after)
}

/// A blank line kept with the next paragraph.
fn keep_paragraph(x: &mut Xml, style: &str) {
    x.open("w:p");
    x.open("w:pPr");
    x.val("w:pStyle", style);
    x.empty("w:keepNext");
    x.close("w:pPr");
    x.close("w:p");
}

/// Column widths in twips that add up to the rounded total, so the grid matches
/// the table width exactly.
fn column_twips(columns: &[Abs]) -> Vec<i64> {
    let mut sum = Abs::ZERO;
    let mut prev = 0;
    columns
        .iter()
        .map(|&w| {
            sum = sum + w;
            let edge = sum.to_twips();
            let width = edge - prev;
            prev = edge;
            width
        })
        .collect()
}

/// Height over width of an image.
fn image_ratio(image: &crate::resolve::ImageData) -> f64 {
    f64::from(image.height_px) / f64::from(image.width_px)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_at_a_character_of_any_run() {
        let run = |text: &str, role| Run { text: text.into(), role };
        let runs = [run("（一）", Role::Heading2), run("主动公开。", Role::Body)];
        let texts = |rs: &[Run]| rs.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("|");
        let (a, b) = split_runs(&runs, 5);
        assert_eq!((texts(&a), texts(&b)), ("（一）|主动".to_string(), "公开。".to_string()));
        assert_eq!(b[0].role, Role::Body);
        let (a, b) = split_runs(&runs, 3);
        assert_eq!((texts(&a), texts(&b)), ("（一）".to_string(), "主动公开。".to_string()));
        let (a, b) = split_runs(&runs, 0);
        assert_eq!((a.len(), b.len()), (0, 2));
    }

    #[test]
    fn columns_sum_to_the_rounded_total() {
        let cols = vec![Abs::mm(156.0 / 7.0); 7];
        let tw = column_twips(&cols);
        assert_eq!(tw.iter().sum::<i64>(), Abs::mm(156.0).to_twips());
    }
}
