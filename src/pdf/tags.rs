//! The PDF's logical structure: a tag tree in the blocks' reading order (the title and the
//! section headings as `H1`–`H5`, body text as `P`, the official tables as `Table` with
//! `THead`/`TBody`, `TR`, `TH` with a scope and `TD` naming its labels, as the HTML page
//! does, figures with alternative text, the signature), page furniture as artifacts, and
//! the outline (bookmarks) of the sections.

use crate::layout::{Furniture, Item, Layout, Owner, Page};
use crate::resolve::{Block, CellKind, CellRoles, Document, ParaStyle, Table};
use krilla::SerializeSettings;
use krilla::configure::ValidationError;
use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::outline::{Outline, OutlineNode};
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, PreparedNumbers, PreparedTagTree, SpanTag,
};
use pdf_writer::types::{StructRole, TableHeaderScope};
use pdf_writer::writers::StructElement;
use pdf_writer::{Chunk, Finish, Name, Ref, Str, TextStr};

/// The marked content met while drawing, and where each block first appears.
///
/// One list of runs rather than a map of lists: a report draws ~400 runs, and a map made
/// a list for each part of each block as it was drawn, and dropped them all afterwards.
#[derive(Default)]
pub(super) struct Marks {
    /// Each tagged run's (block, part) and (page, MCID), in drawing order until
    /// [`Marks::settle`] sorts them by block and part (drawing order within each).
    runs: Vec<Run>,
    /// Where each block first appears (page, x, y), by block.
    at: Vec<Option<(usize, f32, f32)>>,
}

/// A run of marked content: its owner's block and part, its page and its MCID there.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Run {
    owner: (usize, usize),
    content: (usize, i32),
}

/// A page's items with their owners, each marked `true` where a marked-content sequence
/// starts: where the owner, or whether the item is text, changes. The drawing and
/// [`Marks::predict`] both go by it, so they cannot disagree.
pub(super) fn runs(page: &Page) -> impl Iterator<Item = (&Item, Owner, bool)> {
    let mut open: Option<(Owner, bool)> = None;
    page.items.iter().zip(&page.owners).map(move |(item, &owner)| {
        let run = Some((owner, matches!(item, Item::Text(_))));
        let starts = open != run;
        open = run;
        (item, owner, starts)
    })
}

/// The content tag an item of `owner` is drawn under.
pub(super) fn content_tag(owner: Owner, text: bool) -> ContentTag<'static> {
    match owner {
        Owner::Artifact(f) => ContentTag::Artifact(Artifact::with_kind(match f {
            Furniture::PageNumber => ArtifactType::PageNumber,
            Furniture::Rule => ArtifactType::Layout,
            Furniture::Repeat => ArtifactType::PaginationOther,
            Furniture::Seal => ArtifactType::Other,
        })),
        Owner::Block { .. } if text => ContentTag::Span(SpanTag::empty()),
        Owner::Block { .. } => ContentTag::Other,
    }
}

impl Marks {
    /// Records a run of items of `owner` starting at (`x`, `y`) on page `page`, with its
    /// marked-content sequence when the PDF is tagged.
    pub(super) fn record(
        &mut self,
        owner: Owner,
        id: Option<Identifier>,
        page: usize,
        x: f32,
        y: f32,
    ) {
        if let Owner::Block { block, part } = owner {
            if let Some(content) = id.as_ref().and_then(Identifier::page_and_mcid) {
                self.runs.push(Run { owner: (block, part), content });
            }
            if block >= self.at.len() {
                self.at.resize(block + 1, None);
            }
            self.at[block].get_or_insert((page, x, y));
        }
    }

    /// Sorts the runs by their owners, each owner's in drawing order: once the drawing
    /// (or the prediction) is done, before the tree is written.
    pub(super) fn settle(&mut self) {
        // Stable, and the runs come mostly in their blocks' order already.
        self.runs.sort_by_key(|r| r.owner);
    }

    /// The identifiers drawing `layout` tagged gives, without drawing it: the PDF backend
    /// starts a marked-content sequence where the owner or the kind of item (text or not)
    /// changes, and krilla numbers a page's sequences from 0, artifacts not counted.
    pub(super) fn predict(layout: &Layout) -> Marks {
        let mut marks = Marks::default();
        for (index, page) in layout.pages.iter().enumerate() {
            let mut mcid = 0;
            for (_, owner, _) in runs(page).filter(|&(_, _, starts)| starts) {
                let id = matches!(owner, Owner::Block { .. }).then(|| {
                    mcid += 1;
                    Identifier::page_content(index, mcid - 1)
                });
                marks.record(owner, id, index, 0.0, 0.0);
            }
        }
        marks.settle();
        marks
    }

    /// Whether both met the same marked content in the same order (both settled).
    pub(super) fn same_ids(&self, other: &Marks) -> bool {
        self.runs == other.runs
    }

    /// The runs of block `block` (settled).
    fn of_block(&self, block: usize) -> &[Run] {
        let start = self.runs.partition_point(|r| r.owner.0 < block);
        let end = start + self.runs[start..].partition_point(|r| r.owner.0 == block);
        &self.runs[start..end]
    }

    /// The runs of part `part` of block `block`, in drawing order (settled).
    fn get(&self, block: usize, part: usize) -> &[Run] {
        let runs = self.of_block(block);
        let start = runs.partition_point(|r| r.owner.1 < part);
        let end = start + runs[start..].partition_point(|r| r.owner.1 == part);
        &runs[start..end]
    }

    /// The parts of `block` that have marked content, in the parts' order (a signature's
    /// lines).
    fn parts(&self, block: usize) -> Vec<usize> {
        let mut parts: Vec<usize> = self.of_block(block).iter().map(|r| r.owner.1).collect();
        parts.dedup();
        parts
    }
}

/// Writes the structure elements of `doc` for a document of `page_count` pages, with
/// the numbers krilla gives a tree written ahead ([`PreparedNumbers`]), in the blocks'
/// reading order: the title and the section headings as `H1`–`H5` (titled with their
/// text), body text as `P`, the official tables as `Table` › `THead`/`TBody` › `TR` ›
/// `TH` (with a scope and an ID) / `TD` (naming its labels), figures with alternative
/// text and their captions, the signature as a `Div` of `P`s. Every recorded identifier
/// gets exactly one parent; a block, row or cell with no marked content gets no element.
///
/// Written here rather than built as krilla's `TagTree` and written by it: the elements
/// krilla writes from that tree, byte for byte but for one marked content written as its
/// MCID instead of an array of one (a test compares the two), without building and
/// dropping a tree of ~800 nodes, which was most of what tagging cost a batch's worker.
pub(super) fn write_tree(
    doc: &Document,
    marks: &Marks,
    settings: &SerializeSettings,
    page_count: usize,
) -> PreparedTagTree {
    let numbers = PreparedNumbers::new(page_count);
    let mut w = Writer {
        chunk: PreparedTagTree::new_chunk(settings),
        next: numbers.document.get() + 1,
        numbers,
        marks: Vec::with_capacity(marks.runs.len()),
        ids: Vec::new(),
        errors: Vec::new(),
    };
    // About 100 bytes an element; the elements are about as many as the marks.
    w.chunk.reserve(128 * w.marks.capacity() + 1024);
    let document = numbers.document;
    let mut top = Vec::new();
    let mut labels = 0;
    for (b, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Paragraph(p) => {
                let kind = match p.style {
                    ParaStyle::Title => Kind::Heading(1),
                    ParaStyle::Heading1 => Kind::Heading(2),
                    ParaStyle::Heading2 => Kind::Heading(3),
                    ParaStyle::Heading3 => Kind::Heading(4),
                    ParaStyle::Heading4 => Kind::Heading(5),
                    ParaStyle::Caption => Kind::Role(StructRole::Caption),
                    ParaStyle::Body | ParaStyle::Signature => Kind::Role(StructRole::P),
                };
                let runs = marks.get(b, 0);
                if !runs.is_empty() {
                    let title = matches!(kind, Kind::Heading(_)).then(|| plain_text(p));
                    let text = Text { title: title.as_deref(), alt: None };
                    top.push(w.leaf(document, kind, text, runs));
                }
            }
            Block::BlankLine => {}
            Block::Table(t) => {
                if let Some(table) = w.table(document, b, t, marks, &mut labels) {
                    top.push(table);
                }
            }
            Block::Figure(f) => {
                let figure = marks.get(b, 0);
                if !figure.is_empty() {
                    let caption: Option<String> = f
                        .caption
                        .as_ref()
                        .map(|c| c.runs.iter().map(|r| r.text.as_str()).collect());
                    // Without an `alt`, the caption is the best description there is.
                    let alt = f.alt.clone().or(caption).unwrap_or_else(|| "插图".to_string());
                    let text = Text { title: None, alt: Some(&alt) };
                    top.push(w.leaf(document, Kind::Role(StructRole::Figure), text, figure));
                }
                let caption = marks.get(b, 1);
                if !caption.is_empty() {
                    let kind = Kind::Role(StructRole::Caption);
                    top.push(w.leaf(document, kind, Text::default(), caption));
                }
            }
            Block::Signature(_) => {
                let parts = marks.parts(b);
                if !parts.is_empty() {
                    let div = w.new_ref();
                    let lines: Vec<Ref> = parts
                        .into_iter()
                        .map(|part| {
                            let kind = Kind::Role(StructRole::P);
                            w.leaf(div, kind, Text::default(), marks.get(b, part))
                        })
                        .collect();
                    w.group(div, document, StructRole::Div, &lines);
                    top.push(div);
                }
            }
        }
    }
    let mut root = w.chunk.struct_element(document);
    root.kind(StructRole::Document);
    root.parent(numbers.struct_tree_root);
    root.lang(TextStr("zh-CN"));
    let mut kids = root.children();
    for r in top {
        kids.struct_element(r);
    }
    kids.finish();
    root.finish();
    let Writer { chunk, next, marks, ids, errors, .. } = w;
    PreparedTagTree::from_written(settings, page_count, chunk, Ref::new(next), marks, ids, errors)
}

/// A paragraph's text, for a heading's title.
fn plain_text(p: &crate::resolve::Paragraph) -> String {
    p.runs.iter().map(|r| r.text.as_str()).collect()
}

/// An element's structure type: a standard role, or a heading of a level.
#[derive(Clone, Copy)]
enum Kind {
    Role(StructRole),
    Heading(u8),
}

/// An element's title (`/T`) and alternative text (`/Alt`).
#[derive(Default, Clone, Copy)]
struct Text<'a> {
    title: Option<&'a str>,
    alt: Option<&'a str>,
}

/// A table cell's ID (a label's) and attributes (the `Table` owner's).
#[derive(Default)]
struct CellAttrs<'a> {
    id: Option<LabelId>,
    scope: Option<TableHeaderScope>,
    headers: &'a [LabelId],
    row_span: usize,
    col_span: usize,
}

/// The structure elements being written, with the numbers they take.
struct Writer {
    chunk: Chunk,
    next: i32,
    numbers: PreparedNumbers,
    /// Each marked content's (page, MCID) and its element.
    marks: Vec<((usize, i32), Ref)>,
    /// Each label's ID and its element.
    ids: Vec<(LabelId, Ref)>,
    errors: Vec<ValidationError>,
}

impl Writer {
    fn new_ref(&mut self) -> Ref {
        self.next += 1;
        Ref::new(self.next - 1)
    }

    /// An element whose children are marked content, child of `parent`.
    fn leaf(&mut self, parent: Ref, kind: Kind, text: Text, runs: &[Run]) -> Ref {
        let me = self.new_ref();
        self.element(me, parent, kind, text, CellAttrs::default(), runs);
        me
    }

    /// An element whose children are the elements `kids`.
    fn group(&mut self, me: Ref, parent: Ref, role: StructRole, kids: &[Ref]) {
        let mut elem = self.chunk.struct_element(me);
        elem.kind(role);
        elem.parent(parent);
        let mut children = elem.children();
        for &r in kids {
            children.struct_element(r);
        }
        children.finish();
        elem.finish();
    }

    /// Writes element `me`. Its entries are in the order krilla writes them in.
    fn element(
        &mut self,
        me: Ref,
        parent: Ref,
        kind: Kind,
        text: Text,
        cell: CellAttrs,
        runs: &[Run],
    ) {
        let mut elem: StructElement = self.chunk.struct_element(me);
        match kind {
            Kind::Role(role) => {
                elem.kind(role);
            }
            Kind::Heading(level) => {
                elem.custom_kind(Name(&[b'H', b'0' + level]));
            }
        }
        elem.parent(parent);
        if let Some(id) = &cell.id {
            elem.id(Str(id.as_ref()));
        }
        if let Some(title) = text.title {
            if title.is_empty() {
                self.errors.push(ValidationError::MissingHeadingTitle);
            }
            elem.title(TextStr(title));
        }
        if let Some(alt) = text.alt {
            if alt.is_empty() {
                self.errors.push(ValidationError::MissingAltText(None));
            }
            elem.alt(TextStr(alt));
        }
        let spans = cell.row_span > 1 || cell.col_span > 1;
        if cell.scope.is_some() || !cell.headers.is_empty() || spans {
            let mut attributes = elem.attributes();
            let mut table = attributes.push().table();
            if let Some(scope) = cell.scope {
                table.scope(scope);
            }
            if !cell.headers.is_empty() {
                let mut headers = table.headers();
                for h in cell.headers {
                    headers.item(Str(h.as_ref()));
                }
                headers.finish();
            }
            if cell.row_span > 1 {
                table.row_span(i32::try_from(cell.row_span).unwrap_or(i32::MAX));
            }
            if cell.col_span > 1 {
                table.col_span(i32::try_from(cell.col_span).unwrap_or(i32::MAX));
            }
            table.finish();
            attributes.finish();
        }
        // The element's page is its first content's; content on another page is named
        // with a marked-content reference. One marked content is written as its MCID alone
        // (ISO 32000-1 Table 323 allows an integer for `/K`), not as an array of one:
        // `pdfua`'s empty-heading rule cannot read a heading whose `/K` is an array.
        let numbers = self.numbers;
        let page_of = |index: usize| {
            let count = numbers.page_count();
            numbers
                .page(index)
                .unwrap_or_else(|| panic!("marked content on page {index} of {count}"))
        };
        let mut page = None;
        if let [run] = runs {
            let (index, mcid) = run.content;
            page = Some(page_of(index));
            self.marks.push((run.content, me));
            elem.pair(Name(b"K"), mcid);
        } else {
            let mut kids = elem.children();
            for run in runs {
                let (index, mcid) = run.content;
                let page_ref = page_of(index);
                self.marks.push((run.content, me));
                if *page.get_or_insert(page_ref) == page_ref {
                    kids.marked_content_id(mcid);
                } else {
                    kids.marked_content_ref().marked_content_id(mcid).page(page_ref);
                }
            }
            kids.finish();
        }
        if let Some(page) = page {
            elem.page(page);
        }
        elem.finish();
    }

    /// A table as `Table` › `THead`/`TBody` › `TR` › `TH`/`TD`, with the grid's spans;
    /// `None` when nothing of it was drawn. `labels` counts the document's label cells so
    /// far: their IDs.
    fn table(
        &mut self,
        parent: Ref,
        b: usize,
        t: &Table,
        marks: &Marks,
        labels: &mut u32,
    ) -> Option<Ref> {
        let roles = CellRoles::of(t);
        let label_no = label_numbers(&roles, labels);
        // Which cells have content (an empty cell has nothing to tag), and those cells row
        // by row, each row's in the cells' order.
        let runs = marks.of_block(b);
        let mut marked = vec![false; t.cells.len()];
        for run in runs {
            if let Some(m) = marked.get_mut(run.owner.1) {
                *m = true;
            }
        }
        let mut by_row: Vec<usize> = (0..t.cells.len()).filter(|&i| marked[i]).collect();
        by_row.sort_by_key(|&i| t.cells[i].row);
        let cells_of = |r: usize| {
            let start = by_row.partition_point(|&i| t.cells[i].row < r);
            let end = start + by_row[start..].partition_point(|&i| t.cells[i].row == r);
            &by_row[start..end]
        };
        let sections: Vec<(bool, std::ops::Range<usize>)> = roles
            .sections(t)
            .into_iter()
            .filter(|(_, rows)| rows.clone().any(|r| !cells_of(r).is_empty()))
            .collect();
        if sections.is_empty() {
            return None;
        }
        let label = |i: usize| LabelId::new(label_no[i].expect("a label has a number"));
        let table = self.new_ref();
        let mut section_refs = Vec::with_capacity(sections.len());
        let (mut row_refs, mut cell_refs, mut headers) = (Vec::new(), Vec::new(), Vec::new());
        for (head, rows) in sections {
            let section = self.new_ref();
            section_refs.push(section);
            row_refs.clear();
            for r in rows.filter(|&r| !cells_of(r).is_empty()) {
                let row = self.new_ref();
                row_refs.push(row);
                cell_refs.clear();
                for &i in cells_of(r) {
                    let cell = &t.cells[i];
                    let me = self.new_ref();
                    cell_refs.push(me);
                    let kind = roles.kinds[i];
                    headers.clear();
                    let (role, id, scope) = if kind.is_header() {
                        let id = label(i);
                        self.ids.push((id, me));
                        let scope = if matches!(kind, CellKind::RowHead { .. }) {
                            TableHeaderScope::Row
                        } else {
                            TableHeaderScope::Column
                        };
                        (StructRole::TH, Some(id), Some(scope))
                    } else {
                        let names = roles.headers(t, i).into_iter().filter(|&h| marked[h]);
                        headers.extend(names.map(label));
                        (StructRole::TD, None, None)
                    };
                    let attrs = CellAttrs {
                        id,
                        scope,
                        headers: &headers,
                        row_span: cell.rowspan,
                        col_span: cell.colspan,
                    };
                    let runs = marks.get(b, i);
                    let text = Text::default();
                    self.element(me, row, Kind::Role(role), text, attrs, runs);
                }
                self.group(row, section, StructRole::TR, &cell_refs);
            }
            let role = if head { StructRole::THead } else { StructRole::TBody };
            self.group(section, table, role, &row_refs);
        }
        self.group(table, parent, StructRole::Table, &section_refs);
        Some(table)
    }
}

/// Each cell's label number, for the label cells of a table (`None` for the others),
/// counting on from `labels`, the document's label cells so far; every label is counted,
/// drawn or not.
fn label_numbers(roles: &CellRoles, labels: &mut u32) -> Vec<Option<u32>> {
    roles
        .kinds
        .iter()
        .map(|k| {
            k.is_header().then(|| {
                *labels += 1;
                *labels - 1
            })
        })
        .collect()
}

/// A label's ID, as short as can be (a number cell lists up to six of them, and every byte
/// of the structure tree is written and deflated): `U` (as krilla prefixes the IDs it is
/// given) and the label's number in base 62, digits first; on the stack.
#[derive(Clone, Copy)]
struct LabelId {
    bytes: [u8; 8],
    len: u8,
}

impl LabelId {
    fn new(mut n: u32) -> LabelId {
        const DIGITS: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        // u32::MAX has 6 digits in base 62.
        let mut digits = [0; 6];
        let mut len = 0;
        loop {
            digits[len] = DIGITS[(n % 62) as usize];
            len += 1;
            n /= 62;
            if n == 0 {
                break;
            }
        }
        let mut bytes = [0; 8];
        bytes[0] = b'U';
        for (to, from) in bytes[1..=len].iter_mut().zip(digits[..len].iter().rev()) {
            *to = *from;
        }
        LabelId { bytes, len: len as u8 + 1 }
    }
}

impl AsRef<[u8]> for LabelId {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Bookmarks: each section heading (`一、`), with its `（一）` headings under it.
pub(super) fn outline(doc: &Document, marks: &Marks) -> Outline {
    let mut outline = Outline::new();
    let mut section: Option<OutlineNode> = None;
    for (b, block) in doc.blocks.iter().enumerate() {
        let Block::Paragraph(p) = block else { continue };
        let Some(&Some((page, x, y))) = marks.at.get(b) else { continue };
        let text: String = p.runs.iter().map(|r| r.text.as_str()).collect();
        let node =
            || OutlineNode::new(text.clone(), XyzDestination::new(page, Point::from_xy(x, y)));
        match p.style {
            ParaStyle::Heading1 => {
                if let Some(done) = section.replace(node()) {
                    outline.push_child(done);
                }
            }
            ParaStyle::Heading2 => match section.as_mut() {
                Some(s) => s.push_child(node()),
                None => outline.push_child(node()),
            },
            _ => {}
        }
    }
    if let Some(done) = section {
        outline.push_child(done);
    }
    outline
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::CellKind;
    use krilla::tagging::{TableHeaderScope, Tag, TagGroup, TagId, TagKind, TagTree};
    use std::num::{NonZeroU16, NonZeroU32};

    /// krilla's identifiers of `runs`.
    fn identifiers(runs: &[Run]) -> Vec<Identifier> {
        runs.iter().map(|r| Identifier::page_content(r.content.0, r.content.1)).collect()
    }

    /// The tag tree of `doc` as krilla's `TagTree`, which krilla's `prepare` writes: what
    /// `write_tree` must write, byte for byte (nianbao built this tree until it wrote the
    /// elements itself).
    fn tag_tree(doc: &Document, marks: &Marks) -> TagTree {
        let mut tree = TagTree::new().with_lang(Some("zh-CN".to_string()));
        let mut labels = 0;
        for (b, block) in doc.blocks.iter().enumerate() {
            match block {
                Block::Paragraph(p) => {
                    let kind: TagKind = match p.style {
                        ParaStyle::Title => heading(1, p),
                        ParaStyle::Heading1 => heading(2, p),
                        ParaStyle::Heading2 => heading(3, p),
                        ParaStyle::Heading3 => heading(4, p),
                        ParaStyle::Heading4 => heading(5, p),
                        ParaStyle::Caption => Tag::Caption.into(),
                        ParaStyle::Body | ParaStyle::Signature => Tag::P.into(),
                    };
                    push_group(&mut tree, kind, identifiers(marks.get(b, 0)));
                }
                Block::BlankLine => {}
                Block::Table(t) => {
                    let table = table_group(b, t, marks, &mut labels);
                    if !table.children.is_empty() {
                        tree.push(table);
                    }
                }
                Block::Figure(f) => {
                    let caption: Option<String> = f
                        .caption
                        .as_ref()
                        .map(|c| c.runs.iter().map(|r| r.text.as_str()).collect());
                    // Without an `alt`, the caption is the best description there is.
                    let alt = f.alt.clone().or(caption).unwrap_or_else(|| "插图".to_string());
                    push_group(
                        &mut tree,
                        Tag::Figure(Some(alt)).into(),
                        identifiers(marks.get(b, 0)),
                    );
                    push_group(&mut tree, Tag::Caption.into(), identifiers(marks.get(b, 1)));
                }
                Block::Signature(_) => {
                    let mut group = TagGroup::new(Tag::Div);
                    for ids in marks
                        .parts(b)
                        .into_iter()
                        .map(|part| identifiers(marks.get(b, part)))
                        .collect::<Vec<_>>()
                    {
                        group.push(with(Tag::P.into(), ids));
                    }
                    if !group.children.is_empty() {
                        tree.push(group);
                    }
                }
            }
        }
        tree
    }

    /// A heading of `level`, titled with its text (PDF/UA-1 asks for the title).
    fn heading(level: u16, p: &crate::resolve::Paragraph) -> TagKind {
        let text: String = p.runs.iter().map(|r| r.text.as_str()).collect();
        Tag::Hn(NonZeroU16::new(level).expect("1…5"), Some(text)).into()
    }

    fn with(kind: TagKind, ids: Vec<Identifier>) -> TagGroup {
        TagGroup::with_children(kind, ids.into_iter().map(Into::into).collect())
    }

    fn push_group(tree: &mut TagTree, kind: TagKind, ids: Vec<Identifier>) {
        if !ids.is_empty() {
            tree.push(with(kind, ids));
        }
    }

    /// A table as `Table` › `THead`/`TBody` › `TR` › `TH`/`TD`, with the grid's spans.
    /// `labels` counts the document's label cells so far: their IDs.
    fn table_group(b: usize, t: &Table, marks: &Marks, labels: &mut u32) -> TagGroup {
        let roles = CellRoles::of(t);
        // Each label's ID made once (krilla adds the `U`); the numbers' `Headers` clone them.
        let ids: Vec<Option<TagId>> = label_numbers(&roles, labels)
            .into_iter()
            .map(|n| n.map(|n| TagId::from(LabelId::new(n).as_ref()[1..].to_vec())))
            .collect();
        let id = |i: usize| ids[i].clone().expect("a label has an ID");
        let span =
            |n: usize| NonZeroU32::new(u32::try_from(n).unwrap_or(1)).filter(|n| n.get() > 1);
        // Which cells have content (an empty cell has nothing to tag); asked before any is taken.
        let marked: Vec<bool> = (0..t.cells.len()).map(|i| !marks.get(b, i).is_empty()).collect();
        let mut table = TagGroup::new(Tag::Table);
        for (head, rows) in roles.sections(t) {
            let mut section =
                if head { TagGroup::new(Tag::THead) } else { TagGroup::new(Tag::TBody) };
            for r in rows {
                let mut row = TagGroup::new(Tag::TR);
                for (i, cell) in t.cells.iter().enumerate().filter(|(_, c)| c.row == r) {
                    if !marked[i] {
                        continue;
                    }
                    let kind: TagKind = match roles.kinds[i] {
                        k if k.is_header() => {
                            let scope = if matches!(k, CellKind::RowHead { .. }) {
                                TableHeaderScope::Row
                            } else {
                                TableHeaderScope::Column
                            };
                            Tag::TH(scope)
                                .with_id(Some(id(i)))
                                .with_row_span(span(cell.rowspan))
                                .with_col_span(span(cell.colspan))
                                .into()
                        }
                        _ => {
                            let headers: Vec<TagId> = roles
                                .headers(t, i)
                                .into_iter()
                                .filter(|&h| marked[h])
                                .map(id)
                                .collect();
                            Tag::TD
                                .with_headers((!headers.is_empty()).then_some(headers))
                                .with_row_span(span(cell.rowspan))
                                .with_col_span(span(cell.colspan))
                                .into()
                        }
                    };
                    row.push(with(kind, identifiers(marks.get(b, i))));
                }
                if !row.children.is_empty() {
                    section.push(row);
                }
            }
            if !section.children.is_empty() {
                table.push(section);
            }
        }
        table
    }

    #[test]
    fn label_ids_are_short_and_never_the_same() {
        let id = |n| LabelId::new(n).as_ref().to_vec();
        assert_eq!(id(0), b"U0");
        assert_eq!(id(61), b"UZ");
        assert_eq!(id(62), b"U10");
        assert_eq!(id(3843), b"UZZ");
        assert_eq!(id(3844), b"U100");
        assert_eq!(id(u32::MAX), b"U4GFfc3");
        let ids: std::collections::HashSet<Vec<u8>> = (0..250_000).map(id).collect();
        assert_eq!(ids.len(), 250_000);
    }

    use crate::layout::{LayoutOptions, layout_document};
    use crate::{Engine, EngineOptions};
    use std::path::Path;

    /// `write_tree` writes what krilla wrote from the same tree built as its `TagTree`:
    /// the same elements, byte for byte once krilla's `/K[n]` reads `/K n`, the same
    /// numbers, parents and IDs, for reports with headings, the three tables (spans,
    /// scopes, labels), figures with and without `alt`, a seal and a signature, tables
    /// continued on later pages; tagged, and PDF/UA + PDF/A.
    #[test]
    fn the_elements_written_here_are_the_ones_krilla_writes() {
        let options = EngineOptions::default();
        let engine = Engine::new(options).expect("fonts");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        // The examples, the figures case and every typesetting case (long unit names with
        // and without a seal, big numbers, a signature near the foot, a missing glyph…).
        let mut paths: Vec<std::path::PathBuf> = ["examples", "tests/suite/render"]
            .iter()
            .flat_map(|dir| std::fs::read_dir(root.join(dir)).expect("a folder"))
            .map(|entry| entry.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        paths.push(root.join("tests/suite/html/figures.yaml"));
        paths.sort();
        assert!(paths.len() >= 10, "{paths:?}");
        let mut refused = Vec::new();
        for path in &paths {
            let path = path.strip_prefix(root).expect("in the project").display().to_string();
            let loaded = crate::load_and_check(&root.join(&path));
            let Ok((doc, _)) = engine.resolve(&loaded) else {
                refused.push(path);
                continue;
            };
            let layout = layout_document(&doc, engine.fonts(), LayoutOptions::default());
            let marks = Marks::predict(&layout);
            let pages = layout.pages.len();
            for ua in [false, true] {
                let settings =
                    super::super::settings(super::super::PdfOptions { tagged: true, ua, pdfa: ua })
                        .ok()
                        .expect("settings");
                let ours = write_tree(&doc, &marks, &settings, pages);
                let theirs =
                    tag_tree(&doc, &marks).prepare(&settings, pages).ok().expect("prepared");
                let (ours, theirs) = (ours.written(), theirs.written());
                let (ours, mut theirs) = (ours.expect("written"), theirs.expect("written"));
                // krilla writes one marked content as an array of one; `write_tree` as
                // the integer.
                let single = single_mcids(theirs.elements);
                theirs.elements = &single;
                assert!(ours.elements.len() > 10_000, "{path}: {} bytes", ours.elements.len());
                if ours.elements != theirs.elements {
                    let at = ours.elements.iter().zip(theirs.elements).position(|(a, b)| a != b);
                    let at = at.unwrap_or(ours.elements.len().min(theirs.elements.len()));
                    let show = |b: &[u8]| {
                        String::from_utf8_lossy(&b[at.saturating_sub(120)..(at + 120).min(b.len())])
                            .into_owned()
                    };
                    panic!(
                        "{path}: the elements differ at byte {at}:\nours   {}\nkrilla {}",
                        show(ours.elements),
                        show(theirs.elements)
                    );
                }
                assert_eq!(ours, theirs, "{path}");
            }
        }
        // The one case made to fail rendering (a number too wide for its table).
        assert_eq!(refused, ["tests/suite/render/number-too-wide.yaml"]);
    }

    /// `elements` with every `/K[n]` (one marked content) written `/K n`.
    fn single_mcids(elements: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(elements.len());
        let mut rest = elements;
        while let Some(at) = rest.windows(3).position(|w| w == b"/K[") {
            let after = &rest[at + 3..];
            let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
            out.extend_from_slice(&rest[..at]);
            if digits > 0 && after.get(digits) == Some(&b']') {
                out.extend_from_slice(b"/K ");
                out.extend_from_slice(&after[..digits]);
                rest = &after[digits + 1..];
            } else {
                out.extend_from_slice(b"/K[");
                rest = after;
            }
        }
        out.extend_from_slice(rest);
        out
    }
}
