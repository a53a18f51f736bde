//! The PDF's logical structure: a tag tree in the blocks' reading order (the title and the
//! section headings as `H1`–`H5`, body text as `P`, the official tables as `Table` with
//! `THead`/`TBody`, `TR`, `TH` with a scope and `TD` naming its labels, as the HTML page
//! does, figures with alternative text, the signature), page furniture as artifacts, and
//! the outline (bookmarks) of the sections.

use crate::layout::{Furniture, Item, Owner, Page};
use crate::resolve::{Block, CellKind, CellRoles, Document, ParaStyle, Table};
use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::outline::{Outline, OutlineNode};
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagId, TagKind, TagTree,
};
use std::num::{NonZeroU16, NonZeroU32};

/// The marked content met while drawing, and where each block first appears.
///
/// One list of runs rather than a map of lists: a report draws ~400 runs, and a map made
/// a list for each part of each block as it was drawn, and dropped them all afterwards.
#[derive(Default)]
pub(super) struct Marks {
    /// Each tagged run's (block, part) and identifier, in drawing order until
    /// [`Marks::settle`] sorts them by block and part (drawing order within each).
    runs: Vec<Run>,
    /// Where each block first appears (page, x, y), by block.
    at: Vec<Option<(usize, f32, f32)>>,
}

/// A run of marked content: its owner's block and part, and krilla's identifier of it.
#[derive(Clone, Copy)]
struct Run {
    owner: (usize, usize),
    id: Identifier,
}

/// A page's items with their owners, each marked `true` where a marked-content sequence
/// starts: where the owner, or whether the item is text, changes.
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
            if let Some(id) = id {
                self.runs.push(Run { owner: (block, part), id });
            }
            if block >= self.at.len() {
                self.at.resize(block + 1, None);
            }
            self.at[block].get_or_insert((page, x, y));
        }
    }

    /// Sorts the runs by their owners, each owner's in drawing order: once the drawing is
    /// done, before the tree is built.
    pub(super) fn settle(&mut self) {
        // Stable, and the runs come mostly in their blocks' order already.
        self.runs.sort_by_key(|r| r.owner);
    }

    /// The runs of block `block` (settled).
    fn of_block(&self, block: usize) -> &[Run] {
        let start = self.runs.partition_point(|r| r.owner.0 < block);
        let end = start + self.runs[start..].partition_point(|r| r.owner.0 == block);
        &self.runs[start..end]
    }

    /// The identifiers of part `part` of block `block`, in drawing order (settled).
    fn get(&self, block: usize, part: usize) -> Vec<Identifier> {
        let runs = self.of_block(block);
        let start = runs.partition_point(|r| r.owner.1 < part);
        let end = start + runs[start..].partition_point(|r| r.owner.1 == part);
        runs[start..end].iter().map(|r| r.id).collect()
    }

    /// The parts of `block` that have marked content, in the parts' order (a signature's
    /// lines).
    fn parts(&self, block: usize) -> Vec<usize> {
        let mut parts: Vec<usize> = self.of_block(block).iter().map(|r| r.owner.1).collect();
        parts.dedup();
        parts
    }
}

/// The tag tree of `doc` from the marked content its drawing met (settled), in the blocks'
/// reading order: the title and the section headings as `H1`–`H5` (titled with their
/// text), body text as `P`, the official tables as `Table` › `THead`/`TBody` › `TR` ›
/// `TH` (with a scope and an ID) / `TD` (naming its labels), figures with alternative
/// text and their captions, the signature as a `Div` of `P`s. Every recorded identifier
/// gets exactly one parent; a block, row or cell with no marked content gets no element.
pub(super) fn tag_tree(doc: &Document, marks: &Marks) -> TagTree {
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
                push_group(&mut tree, kind, marks.get(b, 0));
            }
            Block::BlankLine => {}
            Block::Table(t) => {
                let table = table_group(b, t, marks, &mut labels);
                if !table.children.is_empty() {
                    tree.push(table);
                }
            }
            Block::Figure(f) => {
                let caption: Option<String> =
                    f.caption.as_ref().map(|c| c.runs.iter().map(|r| r.text.as_str()).collect());
                // Without an `alt`, the caption is the best description there is.
                let alt = f.alt.clone().or(caption).unwrap_or_else(|| "插图".to_string());
                push_group(&mut tree, Tag::Figure(Some(alt)).into(), marks.get(b, 0));
                push_group(&mut tree, Tag::Caption.into(), marks.get(b, 1));
            }
            Block::Signature(_) => {
                let mut group = TagGroup::new(Tag::Div);
                for part in marks.parts(b) {
                    group.push(with(Tag::P.into(), marks.get(b, part)));
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
    // Each label's ID made once; the numbers' `Headers` clone them.
    let ids: Vec<Option<TagId>> = label_numbers(&roles, labels)
        .into_iter()
        .map(|n| n.map(|n| TagId::from(label_id(n))))
        .collect();
    let id = |i: usize| ids[i].clone().expect("a label has an ID");
    let span = |n: usize| NonZeroU32::new(u32::try_from(n).unwrap_or(1)).filter(|n| n.get() > 1);
    // Which cells have content (an empty cell has nothing to tag).
    let mut marked = vec![false; t.cells.len()];
    for run in marks.of_block(b) {
        if let Some(m) = marked.get_mut(run.owner.1) {
            *m = true;
        }
    }
    let mut table = TagGroup::new(Tag::Table);
    for (head, rows) in roles.sections(t) {
        let mut section = if head { TagGroup::new(Tag::THead) } else { TagGroup::new(Tag::TBody) };
        for r in rows {
            let mut row = TagGroup::new(Tag::TR);
            for (i, cell) in t.cells.iter().enumerate().filter(|&(i, c)| c.row == r && marked[i]) {
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
                row.push(with(kind, marks.get(b, i)));
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
/// of the structure tree is written and deflated): the label's number in base 62, digits
/// first (krilla writes it with a `U` before it).
fn label_id(mut n: u32) -> Vec<u8> {
    const DIGITS: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut id = vec![DIGITS[(n % 62) as usize]];
    while n >= 62 {
        n /= 62;
        id.push(DIGITS[(n % 62) as usize]);
    }
    id.reverse();
    id
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

    #[test]
    fn label_ids_are_short_and_never_the_same() {
        assert_eq!(label_id(0), b"0");
        assert_eq!(label_id(61), b"Z");
        assert_eq!(label_id(62), b"10");
        assert_eq!(label_id(3843), b"ZZ");
        assert_eq!(label_id(3844), b"100");
        assert_eq!(label_id(u32::MAX), b"4GFfc3");
        let ids: std::collections::HashSet<Vec<u8>> = (0..250_000).map(label_id).collect();
        assert_eq!(ids.len(), 250_000);
    }

    /// An element with one marked content names it with the MCID alone (`/K 3`), not an
    /// array of one (`/K [3]`, what krilla 0.8.2 writes): `pdfua`'s empty-heading rule
    /// cannot read a heading whose `/K` is an array (krilla patch row, NIANBAO.md). Every
    /// marked content drawn has exactly one element.
    #[test]
    fn one_marked_content_is_written_as_its_mcid() {
        use crate::layout::{LayoutOptions, layout_document};
        use crate::{Engine, EngineOptions};
        use lopdf::Object;
        let options = EngineOptions::default();
        let engine = Engine::new(options).expect("fonts");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let loaded = crate::load_and_check(&root.join("examples/shengsi-2024.yaml"));
        let Ok((doc, _)) = engine.resolve(&loaded) else { panic!("the example resolves") };
        let layout = layout_document(&doc, engine.fonts(), LayoutOptions::default());
        let options = super::super::PdfOptions { tagged: true, ua: false, pdfa: false };
        let pdf = super::super::export(&layout, engine.fonts(), &doc, options).expect("a PDF");
        let pdf = lopdf::Document::load_mem(&pdf).expect("lopdf reads it");
        let (mut single, mut arrays, mut headings, mut mcids) = (0, 0, 0, 0);
        for object in pdf.objects.values() {
            let Ok(elem) = object.as_dict() else { continue };
            if !elem.get(b"Type").is_ok_and(|t| t.as_name().is_ok_and(|n| n == b"StructElem")) {
                continue;
            }
            let heading = elem.get(b"S").is_ok_and(|s| s.as_name().is_ok_and(|n| n[0] == b'H'));
            match elem.get(b"K") {
                Ok(Object::Integer(_)) => {
                    single += 1;
                    mcids += 1;
                    headings += usize::from(heading);
                }
                Ok(Object::Array(kids)) => {
                    assert!(!matches!(kids.as_slice(), [Object::Integer(_)]), "/K [n] in {elem:?}");
                    let marked = kids.iter().filter(|k| !matches!(k, Object::Reference(_))).count();
                    arrays += 1;
                    mcids += marked;
                }
                other => panic!("an element without kids: {other:?}"),
            }
        }
        assert!(single > 100 && arrays > 50 && headings > 10, "{single} {arrays} {headings}");
        // Every page's marked content is counted once among the elements' kids.
        let drawn: usize = layout
            .pages
            .iter()
            .map(|page| {
                runs(page).filter(|&(_, o, s)| s && matches!(o, Owner::Block { .. })).count()
            })
            .sum();
        assert_eq!(mcids, drawn);
    }
}
