//! The PDF's logical structure: a tag tree in the blocks' reading order (the title and the
//! section headings as `H1`–`H5`, body text as `P`, the official tables as `Table` with
//! `THead`/`TBody`, `TR`, `TH` with a scope and `TD` naming its labels, as the HTML page
//! does, figures with alternative text, the signature), page furniture as artifacts, and
//! the outline (bookmarks) of the sections.

use crate::layout::{Furniture, Item, Layout, Owner, Page};
use crate::resolve::{Block, CellKind, CellRoles, Document, ParaStyle, Table};
use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::outline::{Outline, OutlineNode};
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagId, TagKind, TagTree,
};
use rustc_hash::FxHashMap;
use std::num::{NonZeroU16, NonZeroU32};

/// The marked content met while drawing: for each part of each block its sequences in
/// drawing order, and where each block first appears.
#[derive(Default, Clone)]
pub(super) struct Marks {
    // Hashed: each of a report's ~400 runs is looked up as it is drawn, and again twice
    // when the tree is built.
    ids: FxHashMap<(usize, usize), Vec<Identifier>>,
    at: FxHashMap<usize, (usize, f32, f32)>,
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
            self.ids.entry((block, part)).or_default().extend(id);
            self.at.entry(block).or_insert((page, x, y));
        }
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
        marks
    }

    /// Whether both met the same marked content in the same order.
    pub(super) fn same_ids(&self, other: &Marks) -> bool {
        self.ids == other.ids
    }

    fn take(&mut self, block: usize, part: usize) -> Vec<Identifier> {
        self.ids.remove(&(block, part)).unwrap_or_default()
    }

    /// Every part of `block`, in the parts' order (a signature's lines).
    fn take_parts(&mut self, block: usize) -> Vec<Vec<Identifier>> {
        let mut keys: Vec<(usize, usize)> =
            self.ids.keys().filter(|(b, _)| *b == block).copied().collect();
        keys.sort_unstable();
        keys.into_iter().filter_map(|k| self.ids.remove(&k)).collect()
    }

    fn has(&self, block: usize, part: usize) -> bool {
        self.ids.contains_key(&(block, part))
    }
}

/// The tag tree of `doc`. Every recorded identifier gets exactly one parent.
pub(super) fn tag_tree(doc: &Document, mut marks: Marks) -> TagTree {
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
                push_group(&mut tree, kind, marks.take(b, 0));
            }
            Block::BlankLine => {}
            Block::Table(t) => {
                let table = table_group(b, t, &mut marks, &mut labels);
                if !table.children.is_empty() {
                    tree.push(table);
                }
            }
            Block::Figure(f) => {
                let caption: Option<String> =
                    f.caption.as_ref().map(|c| c.runs.iter().map(|r| r.text.as_str()).collect());
                // Without an `alt`, the caption is the best description there is.
                let alt = f.alt.clone().or(caption).unwrap_or_else(|| "插图".to_string());
                push_group(&mut tree, Tag::Figure(Some(alt)).into(), marks.take(b, 0));
                push_group(&mut tree, Tag::Caption.into(), marks.take(b, 1));
            }
            Block::Signature(_) => {
                let mut group = TagGroup::new(Tag::Div);
                for ids in marks.take_parts(b) {
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

/// A label's ID, as short as can be (a number cell lists up to six of them, and every byte
/// of the structure tree is renumbered and deflated): `n` in base 62, digits first.
fn short_id(mut n: u32) -> Vec<u8> {
    const DIGITS: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut id = vec![DIGITS[(n % 62) as usize]];
    while n >= 62 {
        n /= 62;
        id.push(DIGITS[(n % 62) as usize]);
    }
    id.reverse();
    id
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
fn table_group(b: usize, t: &Table, marks: &mut Marks, labels: &mut u32) -> TagGroup {
    let roles = CellRoles::of(t);
    // Each label's ID made once; the numbers' `Headers` clone them.
    let ids: Vec<Option<TagId>> = roles
        .kinds
        .iter()
        .map(|k| {
            k.is_header().then(|| {
                *labels += 1;
                TagId::from(short_id(*labels - 1))
            })
        })
        .collect();
    let id = |i: usize| ids[i].clone().expect("a label has an ID");
    let span = |n: usize| NonZeroU32::new(u32::try_from(n).unwrap_or(1)).filter(|n| n.get() > 1);
    // Which cells have content (an empty cell has nothing to tag); asked before any is taken.
    let marked: Vec<bool> = (0..t.cells.len()).map(|i| marks.has(b, i)).collect();
    let mut table = TagGroup::new(Tag::Table);
    for (head, rows) in roles.sections(t) {
        let mut section = if head { TagGroup::new(Tag::THead) } else { TagGroup::new(Tag::TBody) };
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
                row.push(with(kind, marks.take(b, i)));
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

/// Bookmarks: each section heading (`一、`), with its `（一）` headings under it.
pub(super) fn outline(doc: &Document, marks: &Marks) -> Outline {
    let mut outline = Outline::new();
    let mut section: Option<OutlineNode> = None;
    for (b, block) in doc.blocks.iter().enumerate() {
        let Block::Paragraph(p) = block else { continue };
        let Some(&(page, x, y)) = marks.at.get(&b) else { continue };
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
    use super::short_id;

    #[test]
    fn label_ids_are_short_and_never_the_same() {
        assert_eq!(short_id(0), b"0");
        assert_eq!(short_id(61), b"Z");
        assert_eq!(short_id(62), b"10");
        assert_eq!(short_id(3843), b"ZZ");
        assert_eq!(short_id(3844), b"100");
        let ids: std::collections::HashSet<Vec<u8>> = (0..250_000).map(short_id).collect();
        assert_eq!(ids.len(), 250_000);
    }
}
