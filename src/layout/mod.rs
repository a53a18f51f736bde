//! Layout (PDF path only): the resolved block tree → pages of positioned items.
//! Body text sits on the GB/T 9704 grid (22 lines × 28 characters filling the
//! 版心); tables and figures sit between grid lines and the grid resumes after
//! them. Page numbers `— N —` go 7 mm below the 版心, odd right, even left.

mod dump;
mod table;
pub mod text;

pub use dump::{dump, line_extent};

use crate::diag::{Diagnostic, Hint};
use crate::fonts::{FaceId, FontBook};
use crate::resolve::{Block, Document, FigureBlock, ImageData, Paragraph, Run, SignatureBlock};
use crate::source::Span;
use crate::template::Role;
use std::collections::BTreeMap;
use std::sync::Arc;
use text::{Glyph, SetLine, Shaper};

/// One glyph as placed: glyph id, advance in pt, byte range of its character in
/// the item's text (for ToUnicode).
#[derive(Debug, Clone, PartialEq)]
pub struct PosGlyph {
    /// Glyph id.
    pub gid: u16,
    /// Advance in pt.
    pub advance: f64,
    /// Byte range in [`TextItem::text`].
    pub range: std::ops::Range<usize>,
}

/// A run of glyphs in one face and size on one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct TextItem {
    /// Left edge, pt from the page's left.
    pub x: f64,
    /// Baseline, pt from the page's top.
    pub y: f64,
    /// Face.
    pub face: FaceId,
    /// Size in pt.
    pub size: f64,
    /// The characters.
    pub text: String,
    /// The glyphs.
    pub glyphs: Vec<PosGlyph>,
}

/// Something drawn on a page. Coordinates in pt from the top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Text.
    Text(TextItem),
    /// A ruled line.
    Line {
        /// Start x.
        x0: f64,
        /// Start y.
        y0: f64,
        /// End x.
        x1: f64,
        /// End y.
        y1: f64,
        /// Stroke width.
        width: f64,
    },
    /// An image with its top-left corner at (x, y).
    Image {
        /// Left.
        x: f64,
        /// Top.
        y: f64,
        /// Width.
        w: f64,
        /// Height.
        h: f64,
        /// The image.
        image: Arc<ImageData>,
        /// Multiply with what lies below (a seal: the text shows through the red ink).
        multiply: bool,
    },
}

/// A positioned page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Width in pt.
    pub width: f64,
    /// Height in pt.
    pub height: f64,
    /// Items in drawing order.
    pub items: Vec<Item>,
    /// What each item is part of (the same length as `items`), for the PDF's tags.
    pub owners: Vec<Owner>,
}

impl Page {
    fn push(&mut self, item: Item, owner: Owner) {
        self.items.push(item);
        self.owners.push(owner);
    }
}

/// What a drawn item belongs to: a block of the document, or the page's furniture. The
/// PDF backend turns this into its structure tree (reading order is the blocks' order,
/// whatever the drawing order) and marks furniture as artifacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    /// Part `part` of block `block` of [`Document::blocks`]: for a table the cell's index,
    /// for a figure 0 the image and 1 its caption, for a signature the line; else 0.
    Block {
        /// Index of the block.
        block: usize,
        /// Which part of it.
        part: usize,
    },
    /// Not content a reader should meet.
    Artifact(Furniture),
}

/// Page furniture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Furniture {
    /// `— N —`.
    PageNumber,
    /// A table's ruled lines.
    Rule,
    /// A table's header rows, or a merged label, repeated on a continuation page.
    Repeat,
    /// The seal image (the signature's text says whose it is).
    Seal,
}

/// Where the seal went, for the signature widget of a signed PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct SealPlacement {
    /// 0-based page index.
    pub page: usize,
    /// Left, top, width, height in pt from the page's top-left corner.
    pub rect: [f64; 4],
    /// The seal image.
    pub image: Arc<ImageData>,
}

/// The laid-out document.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Pages.
    pub pages: Vec<Page>,
    /// The seal's position (drawn on the page unless `omit_seal` was asked).
    pub seal: Option<SealPlacement>,
    /// Warnings (characters no font has).
    pub warnings: Vec<Diagnostic>,
    /// The characters no face of the font book has.
    pub missing: Vec<char>,
    /// Where the pages broke, for an output that paginates itself (the DOCX).
    pub pagination: Pagination,
}

/// Where the layout broke pages inside blocks, so the DOCX (which Word and
/// LibreOffice paginate) can repeat what the PDF repeats at those breaks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pagination {
    /// Each table continued on a new page: (block index, first body row of the
    /// continuation), in order.
    pub table_breaks: Vec<(usize, usize)>,
    /// Text carried over to the signature's page (GB/T 9704 §7.3.5), when the
    /// signature would otherwise have started a page alone.
    pub carried: Option<Carried>,
}

/// Where the text carried over to the signature's page begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Carried {
    /// The block (a paragraph) whose line starts the signature's page.
    pub block: usize,
    /// That line, from 0.
    pub line: usize,
    /// The character (`char`, counted over the paragraph's runs in order) it starts with.
    pub at: usize,
}

/// Layout options.
#[derive(Debug, Clone, Copy, Default)]
pub struct LayoutOptions {
    /// Leave the seal off the page content (a signature widget will show it).
    pub omit_seal: bool,
}

struct Cx<'a> {
    fonts: &'a FontBook,
    doc: &'a Document,
    options: LayoutOptions,
    pages: Vec<Page>,
    y: f64,
    top: f64,
    bottom: f64,
    left: f64,
    width: f64,
    pitch: f64,
    char_pitch: f64,
    missing: BTreeMap<(char, u32, u32), Span>,
    /// Characters drawn with an installed face (`FontBook::installed_name`), and where first.
    installed: BTreeMap<(char, FaceId), Span>,
    seal: Option<SealPlacement>,
    /// Errors found while setting (a number wider than its cell).
    errors: Vec<Diagnostic>,
    /// The block being laid out.
    block: usize,
    /// Every paragraph line placed: (block, line, page).
    placed: Vec<(usize, usize, usize)>,
    /// Start a new page before these (block, line) (carrying text over to the signature).
    force_break: Vec<(usize, usize)>,
    /// The signature had to start a page of its own.
    signature_alone: bool,
    /// What the items placed now belong to.
    owner: Owner,
    /// The breaks made so far inside tables.
    pagination: Pagination,
}

/// Lays out a resolved document.
///
/// GB/T 9704 §7.3.5: the signature follows the text on its page. When it would
/// start a page alone, the layout runs again with the last lines of text carried
/// over to that page (never one line of a paragraph left behind or carried alone,
/// and a heading carried with its first lines).
pub fn layout_document(doc: &Document, fonts: &FontBook, options: LayoutOptions) -> Layout {
    let first = run(doc, fonts, options, Vec::new());
    if !first.signature_alone {
        return first.finish();
    }
    match carry_cut(&first) {
        Some(cut) => {
            let second = run(doc, fonts, options, vec![cut]);
            if second.signature_alone { first.finish() } else { second.finish() }
        }
        None => first.finish(),
    }
}

/// The characters of `doc` no face of `fonts` has, and their W-G1 warnings.
pub fn missing_glyphs(doc: &Document, fonts: &FontBook) -> (Vec<char>, Vec<Diagnostic>) {
    run(doc, fonts, LayoutOptions::default(), Vec::new()).missing_glyphs()
}

/// Where to break so the last lines of text go with the signature: the paragraph
/// line to start the next page with.
fn carry_cut(cx: &Cx<'_>) -> Option<(usize, usize)> {
    let sig_page = cx.pages.len().checked_sub(1)?;
    let page = sig_page.checked_sub(1)?;
    let on: Vec<(usize, usize)> =
        cx.placed.iter().filter(|e| e.2 == page).map(|e| (e.0, e.1)).collect();
    if on.len() < 3 {
        return None;
    }
    let mut idx = on.len() - 2;
    // A paragraph's last line is never carried alone (a widow on the new page).
    let carried_of = |idx: usize| on[idx..].iter().filter(|e| e.0 == on[idx].0).count();
    if carried_of(idx) == 1 && on[idx].1 > 0 {
        idx -= 1;
    }
    // Nor is its first line left alone (an orphan at the page foot).
    let left_of = |idx: usize| on[..idx].iter().filter(|e| e.0 == on[idx].0).count();
    if left_of(idx) == 1 && on[idx - 1].1 == 0 {
        idx -= 1;
    }
    // A heading goes with the lines it heads.
    while idx > 0 && on[idx].1 == 0 {
        let prev = on[idx - 1].0;
        let keeps = matches!(&cx.doc.blocks[prev], Block::Paragraph(p) if p.keep_with_next);
        if !keeps {
            break;
        }
        idx = on.iter().position(|e| e.0 == prev).expect("on this page");
    }
    (idx > 0).then_some(on[idx])
}

fn run<'a>(
    doc: &'a Document,
    fonts: &'a FontBook,
    options: LayoutOptions,
    force_break: Vec<(usize, usize)>,
) -> Cx<'a> {
    let page = &doc.style.page;
    let mut cx = Cx {
        fonts,
        doc,
        options,
        pages: Vec::new(),
        y: 0.0,
        top: page.margin_top.to_pt(),
        bottom: (page.height - page.margin_bottom).to_pt(),
        left: page.margin_left.to_pt(),
        width: page.text_width().to_pt(),
        pitch: page.line_pitch().to_pt(),
        char_pitch: page.char_pitch().to_pt(),
        missing: BTreeMap::new(),
        installed: BTreeMap::new(),
        seal: None,
        errors: Vec::new(),
        block: 0,
        placed: Vec::new(),
        force_break,
        signature_alone: false,
        owner: Owner::Block { block: 0, part: 0 },
        pagination: Pagination::default(),
    };
    cx.new_page();
    for (i, block) in doc.blocks.iter().enumerate() {
        cx.block = i;
        cx.owner = Owner::Block { block: i, part: 0 };
        match block {
            Block::Paragraph(p) => cx.paragraph(p, &doc.blocks[i + 1..]),
            Block::BlankLine => {
                if cx.y > cx.top + 0.5 {
                    cx.y += cx.pitch;
                }
            }
            Block::Table(t) => {
                table::layout_table(&mut cx, t);
                cx.snap();
            }
            Block::Figure(f) => cx.figure(f),
            Block::Signature(s) => cx.signature(s),
        }
    }
    cx.page_numbers();
    cx
}

impl Cx<'_> {
    fn finish(self) -> Layout {
        let (missing, mut warnings) = self.missing_glyphs();
        // W-G3: what an installed font drew, once per character and face, naming the face.
        warnings.extend(self.installed.iter().filter_map(|(&(c, face), &span)| {
            let name = self.fonts.installed_name(face)?;
            let code = format!("{:04X}", c as u32);
            Some(crate::diag!(InstalledFont, span, c = c, code = code, face = name))
        }));
        warnings.extend(self.errors);
        Layout {
            pages: self.pages,
            seal: self.seal,
            warnings,
            missing,
            pagination: self.pagination,
        }
    }

    /// The characters no face has (the map is keyed by character first, so they come
    /// sorted) and their W-G1 warnings.
    fn missing_glyphs(&self) -> (Vec<char>, Vec<Diagnostic>) {
        let mut chars: Vec<char> = self.missing.keys().map(|&(c, _, _)| c).collect();
        chars.dedup();
        let warnings =
            self.missing.iter().map(|(&(c, _, _), &span)| missing_glyph(c, span)).collect();
        (chars, warnings)
    }
}

/// Lines a paragraph of `n` lines needs at the foot of a page: two, or all of a
/// paragraph of three or fewer (never one line left behind or carried over).
fn first_part(n: usize) -> usize {
    if n <= 3 { n } else { 2 }
}

/// The character of `p` that the line after `before` starts with: the glyphs of those
/// lines are the paragraph's characters in order, less the spaces dropped where a
/// line turns, which are skipped here too.
fn line_start(p: &Paragraph, before: &[SetLine]) -> usize {
    let mut chars = p.runs.iter().flat_map(|r| r.text.chars()).enumerate().peekable();
    for g in before.iter().flat_map(|l| &l.glyphs) {
        // NOTE: every glyph shows one character of the runs; a mismatch can only be
        // a dropped space.
        while chars.next_if(|&(_, c)| c != g.ch).is_some() {}
        chars.next();
    }
    while chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
    chars.peek().map_or_else(|| p.runs.iter().map(|r| r.text.chars().count()).sum(), |&(i, _)| i)
}

/// W-G1: a character no font can draw.
fn missing_glyph(c: char, span: Span) -> Diagnostic {
    let code = format!("{:04X}", c as u32);
    crate::diag!(MissingGlyph, span, c = c, code = code).hint(Hint::ReplaceGlyph, &[])
}

impl Cx<'_> {
    fn shaper_parts(&self) -> (impl Fn(Role) -> f64 + '_, impl Fn(Role) -> Option<f64> + '_) {
        let style = &self.doc.style;
        let body = style.role(Role::Body).size.to_pt();
        let pitch = self.char_pitch;
        let size = move |r: Role| style.role(r).size.to_pt();
        let grid = move |r: Role| match r {
            Role::Body
            | Role::Heading1
            | Role::Heading2
            | Role::Heading3
            | Role::Heading4
            | Role::Signature => Some(pitch * style.role(r).size.to_pt() / body),
            _ => None,
        };
        (size, grid)
    }

    fn shape(&mut self, runs: &[Run], span: Span) -> Vec<Glyph> {
        let glyphs = {
            let (size, grid) = self.shaper_parts();
            let shaper = Shaper { fonts: self.fonts, size: &size, grid_pitch: &grid };
            shaper.shape(runs)
        };
        self.note_fonts(&glyphs, span);
        glyphs
    }

    /// Shapes runs at one `size` whatever their roles (a table's cells).
    fn shape_sized(&mut self, runs: &[Run], span: Span, size: f64) -> Vec<Glyph> {
        let glyphs = {
            let size = move |_: Role| size;
            let grid = |_: Role| None;
            let shaper = Shaper { fonts: self.fonts, size: &size, grid_pitch: &grid };
            shaper.shape(runs)
        };
        self.note_fonts(&glyphs, span);
        glyphs
    }

    /// Keeps what no face drew (W-G1) and what an installed face drew (W-G3).
    fn note_fonts(&mut self, glyphs: &[Glyph], span: Span) {
        for g in glyphs {
            if !g.found {
                self.missing.entry((g.ch, span.line, span.col)).or_insert(span);
            } else if self.fonts.installed_name(g.face).is_some() {
                self.installed.entry((g.ch, g.face)).or_insert(span);
            }
        }
    }

    fn new_page(&mut self) {
        let page = &self.doc.style.page;
        self.pages.push(Page {
            width: page.width.to_pt(),
            height: page.height.to_pt(),
            items: Vec::new(),
            owners: Vec::new(),
        });
        self.y = self.top;
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a page exists")
    }

    /// Moves the cursor down to the next grid line (no-op when on one).
    fn snap(&mut self) {
        let lines = ((self.y - self.top) / self.pitch - 1e-6).ceil().max(0.0);
        self.y = self.top + lines * self.pitch;
        if self.y + self.pitch > self.bottom + 0.01 {
            self.new_page();
        }
    }

    fn fits(&self, height: f64) -> bool {
        self.y + height <= self.bottom + 0.01
    }

    /// Places one set line on the current page, baseline centred in a slot of `slot` height.
    fn place_line(&mut self, line: &SetLine, x0: f64, top: f64, slot: f64) {
        let page = self.pages.len() - 1;
        self.place_line_on(page, line, x0, top, slot);
    }

    /// Places one set line on page `page`.
    fn place_line_on(&mut self, page: usize, line: &SetLine, x0: f64, top: f64, slot: f64) {
        let size = line.glyphs.iter().map(|g| g.size).fold(0.0, f64::max);
        // The ideographic em box (≈ −0.12…0.88 em) centred in the slot.
        let baseline = top + (slot - size) / 2.0 + size * 0.88;
        let mut x = x0 + line.x;
        let mut item: Option<TextItem> = None;
        for g in &line.glyphs {
            let same = item.as_ref().is_some_and(|t| t.face == g.face && t.size == g.size);
            if !same {
                if let Some(t) = item.take() {
                    self.pages[page].push(Item::Text(t), self.owner);
                }
                item = Some(TextItem {
                    x,
                    y: baseline,
                    face: g.face,
                    size: g.size,
                    text: String::new(),
                    glyphs: Vec::new(),
                });
            }
            let t = item.as_mut().expect("set above");
            let start = t.text.len();
            t.text.push(g.ch);
            t.glyphs.push(PosGlyph { gid: g.gid, advance: g.width, range: start..t.text.len() });
            x += g.width;
        }
        if let Some(t) = item {
            self.pages[page].push(Item::Text(t), self.owner);
        }
    }

    fn set(&mut self, p: &Paragraph) -> Vec<SetLine> {
        if p.style == crate::resolve::ParaStyle::Title {
            // Each run is one line, as resolve broke the title (at word boundaries,
            // the same lines as the DOCX); a run this font sets wider than the
            // measure is balanced over lines of its own.
            let parts: Vec<Vec<Glyph>> =
                p.runs.iter().map(|r| self.shape(std::slice::from_ref(r), p.span)).collect();
            parts.into_iter().flat_map(|g| text::set_balanced(&g, self.width)).collect()
        } else {
            let glyphs = self.shape(&p.runs, p.span);
            let indent = f64::from(p.first_line_indent_chars) * self.char_pitch;
            text::set_paragraph(&glyphs, self.width, indent, p.align)
        }
    }

    /// Height the start of the blocks `rest` needs so a heading before them is not left
    /// alone: the first two lines of a paragraph (all of one up to three lines), a
    /// table's lead. A heading followed by a heading (`六、` then `（一）`) needs all of
    /// its lines and what that heading needs in turn (#31: `六、` was left at a page foot
    /// with two free lines, its `（一）` and text on the next page).
    fn lead_height(&mut self, rest: &[Block]) -> f64 {
        self.lead_height_at(rest, 0)
    }

    fn lead_height_at(&mut self, rest: &[Block], depth: usize) -> f64 {
        match rest.first() {
            // A run of headings deeper than the four levels is no document nianbao makes;
            // the bound only keeps the recursion finite.
            Some(Block::Paragraph(p)) if p.keep_with_next && depth < 8 => {
                self.set(p).len() as f64 * self.pitch + self.lead_height_at(&rest[1..], depth + 1)
            }
            Some(Block::Paragraph(p)) => first_part(self.set(p).len()) as f64 * self.pitch,
            Some(Block::Table(t)) => table::lead_height(self, t),
            Some(Block::Figure(f)) => {
                let caption = f.caption.as_ref().map_or(0, |c| self.set(c).len());
                f.height.to_pt() + caption as f64 * self.pitch
            }
            _ => self.pitch,
        }
    }

    fn paragraph(&mut self, p: &Paragraph, rest: &[Block]) {
        let lines = self.set(p);
        if p.keep_with_next {
            let need = lines.len() as f64 * self.pitch + self.lead_height(rest);
            if !self.fits(need) && self.y > self.top + 0.5 {
                self.new_page();
            }
        }
        // Widows and orphans: a paragraph crossing the page foot leaves at least two
        // lines behind and carries at least two over.
        let n = lines.len();
        let room = ((self.bottom + 0.01 - self.y) / self.pitch).floor().max(0.0) as usize;
        let mut split = None;
        if n >= 2 && room < n && self.y > self.top + 0.5 {
            let mut first_part = room;
            if n - room == 1 && n >= 3 {
                first_part = room.saturating_sub(1);
            }
            if first_part == 1 {
                first_part = 0;
            }
            split = Some(first_part);
        }
        for (i, line) in lines.iter().enumerate() {
            let forced = self.force_break.contains(&(self.block, i)) && self.y > self.top + 0.5;
            if forced {
                let at = line_start(p, &lines[..i]);
                self.pagination.carried = Some(Carried { block: self.block, line: i, at });
            }
            if forced || split == Some(i) || !self.fits(self.pitch) {
                self.new_page();
            }
            let (x, y, pitch) = (self.left, self.y, self.pitch);
            self.place_line(line, x, y, pitch);
            let page = self.pages.len() - 1;
            self.placed.push((self.block, i, page));
            self.y += pitch;
        }
    }

    fn figure(&mut self, f: &FigureBlock) {
        let (w, h) = (f.width.to_pt(), f.height.to_pt());
        let caption = f.caption.as_ref().map(|c| self.set(c)).unwrap_or_default();
        let total = h + caption.len() as f64 * self.pitch;
        if !self.fits(total) && self.y > self.top + 0.5 {
            self.new_page();
        }
        let x = self.left + (self.width - w) / 2.0;
        let y = self.y;
        let image = Item::Image { x, y, w, h, image: f.image.clone(), multiply: false };
        let owner = self.owner;
        self.page().push(image, owner);
        self.y += h;
        self.owner = Owner::Block { block: self.block, part: 1 };
        for line in &caption {
            let (x, y, pitch) = (self.left, self.y, self.pitch);
            self.place_line(line, x, y, pitch);
            self.y += pitch;
        }
        self.snap();
    }

    /// 落款 per GB/T 9704 §7.3.5, arranged by [`SignatureBlock::arrange`] (shared
    /// with the DOCX): a long unit name turns into several lines inside the 版心,
    /// the date under it, the seal over both with the text in its lower half.
    fn signature(&mut self, s: &SignatureBlock) {
        let chars = self.doc.style.page.chars_per_line;
        let measure = |text: &str| {
            let run = [Run { text: text.to_string(), role: Role::Signature }];
            let (size, grid) = self.shaper_parts();
            let shaper = Shaper { fonts: self.fonts, size: &size, grid_pitch: &grid };
            text::advance(&shaper.shape(&run)) / self.char_pitch
        };
        let arranged = s.arrange(chars, self.pitch, &measure);
        let right = self.left + self.width;
        let ch = self.char_pitch;
        let set: Vec<(Vec<Glyph>, f64)> = arranged
            .lines
            .iter()
            .map(|l| {
                let run = [Run { text: l.text.clone(), role: Role::Signature }];
                let glyphs = self.shape(&run, Span::detached());
                let x = right - l.right_chars * ch - text::advance(&glyphs);
                (glyphs, x)
            })
            .collect();
        let lines = set.len() as f64;
        let seal_size = s.seal.as_ref().map_or(0.0, |(_, d)| d.to_pt());
        let seal_y = arranged.seal_centre.map_or(0.0, |(_, y)| y * self.pitch);
        // Keep the block (and the seal below it) inside the 版心.
        let below = (seal_y + seal_size / 2.0 - lines * self.pitch).max(0.0);
        // How far the seal reaches above the first line.
        let rise = seal_size / 2.0 - seal_y;
        self.clear_seal(seal_size, rise);
        if !self.fits(lines * self.pitch + below) {
            self.new_page();
            self.signature_alone = true;
            self.clear_seal(seal_size, rise);
        }
        let top = self.y;
        for (i, (glyphs, x)) in set.into_iter().enumerate() {
            self.owner = Owner::Block { block: self.block, part: i };
            let line = SetLine { x: 0.0, glyphs };
            let (y, pitch) = (top + i as f64 * self.pitch, self.pitch);
            self.place_line(&line, x, y, pitch);
        }
        if let (Some((image, size)), Some((cx_chars, _))) = (&s.seal, arranged.seal_centre) {
            let d = size.to_pt();
            let cx_ = right - cx_chars * ch;
            let cy = top + seal_y;
            let rect = [cx_ - d / 2.0, cy - d / 2.0, d, d];
            let page = self.pages.len() - 1;
            if !self.options.omit_seal {
                let seal = Item::Image {
                    x: rect[0],
                    y: rect[1],
                    w: d,
                    h: d,
                    image: image.clone(),
                    multiply: true,
                };
                self.page().push(seal, Owner::Artifact(Furniture::Seal));
            }
            self.seal = Some(SealPlacement { page, rect, image: image.clone() });
        }
        self.y = top + lines * self.pitch;
    }

    /// 印章顶端应当上距正文一行之内 (GB/T 9704 §7.3.5.1): the seal may not cover the
    /// text above it (nor leave the 版心 at a page top). Moves the cursor down
    /// whole grid lines until a seal reaching `rise` above it clears the lowest
    /// thing on the page; the gap left is then under one line.
    fn clear_seal(&mut self, seal_size: f64, rise: f64) {
        if seal_size <= 0.0 {
            return;
        }
        let mut ink = self.top;
        for item in &self.page().items {
            let bottom = match item {
                // The ideographic em box reaches 0.12 em below the baseline.
                Item::Text(t) => t.y + 0.12 * t.size,
                Item::Line { y0, y1, .. } => y0.max(*y1),
                Item::Image { y, h, .. } => y + h,
            };
            ink = ink.max(bottom);
        }
        let overlap = ink - (self.y - rise);
        if overlap > 0.0 {
            self.y += (overlap / self.pitch - 1e-6).ceil() * self.pitch;
        }
    }

    fn page_numbers(&mut self) {
        let gap = self.doc.style.page_number_gap.to_pt();
        let size = self.doc.style.role(Role::PageNumber).size.to_pt();
        let right = self.left + self.width;
        self.owner = Owner::Artifact(Furniture::PageNumber);
        for i in 0..self.pages.len() {
            let n = i + 1;
            let glyphs = self.shape(
                &[Run { text: format!("— {n} —"), role: Role::PageNumber }],
                Span::detached(),
            );
            let w = text::advance(&glyphs);
            // 单页码居右空一字，双页码居左空一字 (one 4号 character = `size`).
            let x = if n % 2 == 1 { right - size - w } else { self.left + size };
            // The dash line (≈ 0.3 em above the baseline) sits `gap` below the 版心.
            let baseline = self.bottom + gap + size * 0.3;
            let line = SetLine { x: 0.0, glyphs };
            self.place_line_on(i, &line, x, baseline - size * 0.88, size);
        }
    }
}
