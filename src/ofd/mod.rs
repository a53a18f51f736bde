//! OFD backend (GB/T 33190-2016): the positioned pages the PDF is drawn from → an OFD
//! package. Every glyph is text (`TextObject` › `TextCode` with `DeltaX`) in a subset of its
//! face embedded in the package, the table rules are `PathObject`s, figures and the seal
//! `ImageObject`s with their files, the page numbers the layout's own; the document's title,
//! unit and date go into `DocInfo`, the sections and their `（一）` headings into `Outlines`.
//!
//! The package: `OFD.xml` → `Doc_0/Document.xml` (pages, outline, `MaxUnitID`),
//! `Doc_0/PublicRes.xml` (fonts) and `Doc_0/DocumentRes.xml` (images), both with `BaseLoc`
//! `Res`, the files in `Doc_0/Res/`, and `Doc_0/Pages/Page_N/Content.xml`. Lengths are in
//! millimetres, as OFD's are; the layout's points are converted once, here.
//!
//! Deterministic: IDs are given in drawing order, the zip's entries come in a fixed order
//! with the zip epoch as their time, and the `DocID` is a hash of the pages.

mod font;
mod xml;

use crate::diag::{Diagnostic, Hint};
use crate::fonts::{FaceId, FontBook};
use crate::layout::{Item, Layout, Owner, Page};
use crate::resolve::{Block, Document, ImageData, ImageKind, ParaStyle};
use crate::source::Span;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::sync::Arc;
use xml::{Xml, mm};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// OFD options. There is nothing to choose yet (the PDF's choices — tagging, PDF/A, signing —
/// have no OFD counterpart here); the type keeps the call shaped like [`crate::pdf::export`].
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct OfdOptions {}

/// Writes the laid-out pages as an OFD package. A font the subsetter cannot read comes back
/// as a diagnostic naming it.
pub fn export(
    layout: &Layout,
    fonts: &FontBook,
    doc: &Document,
    _options: OfdOptions,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let mut ids = Ids::default();
    let faces = used_faces(layout);
    // Fonts first (IDs 1…), then images, then pages and what they draw.
    let font_ids: BTreeMap<FaceId, u32> = faces.keys().map(|&f| (f, ids.next())).collect();
    let images = images(layout, &mut ids);
    let subsets = subset_all(fonts, faces)?;

    let mut pages: Vec<(u32, Vec<u8>)> = Vec::with_capacity(layout.pages.len());
    let first_size = layout.pages.first().map_or((210.0, 297.0), |p| (mm(p.width), mm(p.height)));
    for page in &layout.pages {
        let id = ids.next();
        let content = page_content(page, first_size, &font_ids, &images, &mut ids);
        pages.push((id, content));
    }
    let doc_id = {
        let mut hash = Sha256::new();
        for (_, content) in &pages {
            hash.update(content);
        }
        hash.update(doc.title.as_bytes());
        hash.update(doc.author.as_bytes());
        let digest = hash.finalize();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect::<String>()
    };

    let mut parts: Vec<(String, Vec<u8>, bool)> = Vec::with_capacity(pages.len() + 8);
    parts.push(("OFD.xml".into(), ofd_xml(doc, &doc_id), true));
    let page_ids: Vec<u32> = pages.iter().map(|(id, _)| *id).collect();
    parts.push((
        "Doc_0/Document.xml".into(),
        document_xml(doc, layout, first_size, &page_ids, ids.max()),
        true,
    ));
    parts.push(("Doc_0/PublicRes.xml".into(), public_res(fonts, &font_ids), true));
    parts.push(("Doc_0/DocumentRes.xml".into(), document_res(&images), true));
    for (i, (_, content)) in pages.into_iter().enumerate() {
        parts.push((format!("Doc_0/Pages/Page_{i}/Content.xml"), content, true));
    }
    for (face, bytes) in subsets {
        // Stored: a CFF subset deflates by 1–6 % (its charstrings are compact already), and
        // deflating it was three quarters of the OFD step (callgrind, benches/ofd.rs): stored,
        // the OFD is 1.14× the PDF's size instead of 1.10× and no slower than the PDF step.
        parts.push((format!("Doc_0/Res/{}", font_file(font_ids[&face])), bytes, false));
    }
    for image in &images.list {
        // PNG and JPEG are compressed already.
        parts.push((format!("Doc_0/Res/{}", image.file()), image.data.bytes.clone(), false));
    }
    Ok(package(&parts))
}

/// Unit IDs, given in order from 1; the last is the document's `MaxUnitID`.
#[derive(Default)]
struct Ids {
    last: u32,
}

impl Ids {
    fn next(&mut self) -> u32 {
        self.last += 1;
        self.last
    }

    fn max(&self) -> u32 {
        self.last
    }
}

/// The glyphs each face draws, with their characters.
fn used_faces(layout: &Layout) -> BTreeMap<FaceId, font::Used> {
    let mut faces: BTreeMap<FaceId, font::Used> = BTreeMap::new();
    for item in layout.pages.iter().flat_map(|p| &p.items) {
        if let Item::Text(t) = item {
            let used = faces.entry(t.face).or_insert_with(font::Used::new);
            for g in &t.glyphs {
                if let Some(c) = t.text[g.range.clone()].chars().next() {
                    used.add(c, g.gid);
                }
            }
        }
    }
    faces
}

/// A face's subset file, or why the subsetter refused the face.
type Subset = Result<(FaceId, Vec<u8>), (FaceId, String)>;

/// The subset of every face used, each face on its own thread outside a batch's workers.
fn subset_all(
    fonts: &FontBook,
    faces: BTreeMap<FaceId, font::Used>,
) -> Result<Vec<(FaceId, Vec<u8>)>, Vec<Diagnostic>> {
    let one = |(face, used): (FaceId, font::Used)| {
        font::subset(fonts.face(face), used).map(|bytes| (face, bytes)).map_err(|why| (face, why))
    };
    let faces: Vec<(FaceId, font::Used)> = faces.into_iter().collect();
    let results: Vec<Subset> = if rayon::current_thread_index().is_some() {
        faces.into_iter().map(one).collect()
    } else {
        use rayon::prelude::*;
        faces.into_par_iter().map(one).collect()
    };
    let mut subsets = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(subset) => subsets.push(subset),
            Err((face, why)) => {
                let name = fonts.face(face).name.clone();
                errors.push(
                    crate::diag!(OfdFontNotEmbeddable, Span::detached(), name = name, why = why)
                        .hint(Hint::CompleteFont, &[]),
                );
            }
        }
    }
    if errors.is_empty() { Ok(subsets) } else { Err(errors) }
}

fn font_file(id: u32) -> String {
    format!("font_{id}.otf")
}

/// An image of the document, once however often it is drawn.
struct Image {
    id: u32,
    data: Arc<ImageData>,
}

impl Image {
    fn file(&self) -> String {
        match self.data.kind {
            ImageKind::Png => format!("image_{}.png", self.id),
            ImageKind::Jpeg => format!("image_{}.jpg", self.id),
        }
    }
}

struct Images {
    list: Vec<Image>,
}

impl Images {
    fn id(&self, data: &Arc<ImageData>) -> u32 {
        self.list.iter().find(|i| Arc::ptr_eq(&i.data, data)).map_or(0, |i| i.id)
    }
}

fn images(layout: &Layout, ids: &mut Ids) -> Images {
    let mut list: Vec<Image> = Vec::new();
    for item in layout.pages.iter().flat_map(|p| &p.items) {
        if let Item::Image { image, .. } = item
            && !list.iter().any(|i| Arc::ptr_eq(&i.data, image))
        {
            list.push(Image { id: ids.next(), data: image.clone() });
        }
    }
    Images { list }
}

/// `OFD.xml`: the entry, with the document's metadata.
fn ofd_xml(doc: &Document, doc_id: &str) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("ofd:OFD", &[("xmlns:ofd", xml::NS), ("Version", "1.0"), ("DocType", "OFD")]);
    x.open("ofd:DocBody", &[]);
    x.open("ofd:DocInfo", &[]);
    x.leaf("ofd:DocID", doc_id);
    x.leaf("ofd:Title", &doc.title);
    x.leaf("ofd:Author", &doc.author);
    if let Some(d) = doc.date {
        x.leaf("ofd:CreationDate", &format!("{:04}-{:02}-{:02}", d.year, d.month, d.day));
    }
    x.leaf("ofd:Creator", "nianbao");
    x.leaf("ofd:CreatorVersion", env!("CARGO_PKG_VERSION"));
    x.close("ofd:DocInfo");
    x.leaf("ofd:DocRoot", "Doc_0/Document.xml");
    x.close("ofd:DocBody");
    x.close("ofd:OFD");
    x.finish()
}

/// `Document.xml`: page area, resources, the pages and the outline.
fn document_xml(
    doc: &Document,
    layout: &Layout,
    size: (f64, f64),
    page_ids: &[u32],
    max_id: u32,
) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("ofd:Document", &[("xmlns:ofd", xml::NS)]);
    x.open("ofd:CommonData", &[]);
    x.leaf("ofd:MaxUnitID", &max_id.to_string());
    x.open("ofd:PageArea", &[]);
    x.leaf("ofd:PhysicalBox", &format!("0 0 {} {}", xml::num(size.0), xml::num(size.1)));
    x.close("ofd:PageArea");
    x.leaf("ofd:PublicRes", "PublicRes.xml");
    x.leaf("ofd:DocumentRes", "DocumentRes.xml");
    x.close("ofd:CommonData");
    x.open("ofd:Pages", &[]);
    for (i, id) in page_ids.iter().enumerate() {
        let loc = format!("Pages/Page_{i}/Content.xml");
        x.empty("ofd:Page", &[("ID", &id.to_string()), ("BaseLoc", &loc)]);
    }
    x.close("ofd:Pages");
    let outline = outline(doc, layout);
    if !outline.is_empty() {
        x.open("ofd:Outlines", &[]);
        for entry in &outline {
            outline_elem(&mut x, entry, page_ids);
        }
        x.close("ofd:Outlines");
    }
    x.close("ofd:Document");
    x.finish()
}

/// An outline entry: its title, where it goes (page, left, top in pt) and its children.
struct Entry {
    title: String,
    at: (usize, f64, f64),
    children: Vec<Entry>,
}

/// The sections (`一、`) with their `（一）` headings, each where its first line is drawn.
fn outline(doc: &Document, layout: &Layout) -> Vec<Entry> {
    let mut at: Vec<Option<(usize, f64, f64)>> = vec![None; doc.blocks.len()];
    for (index, page) in layout.pages.iter().enumerate() {
        for (item, owner) in page.items.iter().zip(&page.owners) {
            if let (Owner::Block { block, .. }, Item::Text(t)) = (owner, item)
                && let Some(slot @ None) = at.get_mut(*block)
            {
                *slot = Some((index, t.x, t.y - t.size));
            }
        }
    }
    let mut entries: Vec<Entry> = Vec::new();
    for (b, block) in doc.blocks.iter().enumerate() {
        let (Block::Paragraph(p), Some(place)) = (block, at[b]) else { continue };
        let entry = || Entry {
            title: p.runs.iter().map(|r| r.text.as_str()).collect(),
            at: place,
            children: Vec::new(),
        };
        match p.style {
            ParaStyle::Heading1 => entries.push(entry()),
            ParaStyle::Heading2 => match entries.last_mut() {
                Some(section) => section.children.push(entry()),
                None => entries.push(entry()),
            },
            _ => {}
        }
    }
    entries
}

fn outline_elem(x: &mut Xml, entry: &Entry, page_ids: &[u32]) {
    x.open("ofd:OutlineElem", &[("Title", &entry.title)]);
    x.open("ofd:Actions", &[]);
    x.open("ofd:Action", &[("Event", "CLICK")]);
    x.open("ofd:Goto", &[]);
    let (page, left, top) = entry.at;
    x.empty(
        "ofd:Dest",
        &[
            ("Type", "XYZ"),
            ("PageID", &page_ids[page].to_string()),
            ("Left", &xml::num(mm(left))),
            ("Top", &xml::num(mm(top))),
        ],
    );
    x.close("ofd:Goto");
    x.close("ofd:Action");
    x.close("ofd:Actions");
    for child in &entry.children {
        outline_elem(x, child, page_ids);
    }
    x.close("ofd:OutlineElem");
}

/// `PublicRes.xml`: the embedded fonts.
fn public_res(fonts: &FontBook, font_ids: &BTreeMap<FaceId, u32>) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("ofd:Res", &[("xmlns:ofd", xml::NS), ("BaseLoc", "Res")]);
    if !font_ids.is_empty() {
        x.open("ofd:Fonts", &[]);
        for (&face, &id) in font_ids {
            let f = fonts.face(face);
            x.open(
                "ofd:Font",
                &[("ID", &id.to_string()), ("FontName", &f.name), ("FamilyName", &f.family)],
            );
            x.leaf("ofd:FontFile", &font_file(id));
            x.close("ofd:Font");
        }
        x.close("ofd:Fonts");
    }
    x.close("ofd:Res");
    x.finish()
}

/// `DocumentRes.xml`: the images.
fn document_res(images: &Images) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("ofd:Res", &[("xmlns:ofd", xml::NS), ("BaseLoc", "Res")]);
    if !images.list.is_empty() {
        x.open("ofd:MultiMedias", &[]);
        for image in &images.list {
            let format = match image.data.kind {
                ImageKind::Png => "PNG",
                ImageKind::Jpeg => "JPEG",
            };
            x.open(
                "ofd:MultiMedia",
                &[("ID", &image.id.to_string()), ("Type", "Image"), ("Format", format)],
            );
            x.leaf("ofd:MediaFile", &image.file());
            x.close("ofd:MultiMedia");
        }
        x.close("ofd:MultiMedias");
    }
    x.close("ofd:Res");
    x.finish()
}

/// A page's `Content.xml`: one body layer with the items in drawing order; runs of rules of
/// one width drawn as one path.
fn page_content(
    page: &Page,
    default_size: (f64, f64),
    font_ids: &BTreeMap<FaceId, u32>,
    images: &Images,
    ids: &mut Ids,
) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("ofd:Page", &[("xmlns:ofd", xml::NS)]);
    let size = (mm(page.width), mm(page.height));
    if size != default_size {
        x.open("ofd:Area", &[]);
        x.leaf("ofd:PhysicalBox", &format!("0 0 {} {}", xml::num(size.0), xml::num(size.1)));
        x.close("ofd:Area");
    }
    x.open("ofd:Content", &[]);
    x.open("ofd:Layer", &[("ID", &ids.next().to_string()), ("Type", "Body")]);
    // The seal multiplies its ink with what lies below in the PDF; OFD has no blend modes,
    // so it is drawn first and the black text and rules over it: the same colours, as black
    // times red is black and red over white is red.
    let multiplied = |item: &Item| matches!(item, Item::Image { multiply: true, .. });
    for item in page.items.iter().filter(|i| multiplied(i)) {
        image_object(&mut x, item, images, ids.next());
    }
    let mut i = 0;
    while i < page.items.len() {
        match &page.items[i] {
            item @ Item::Image { .. } => {
                if !multiplied(item) {
                    image_object(&mut x, item, images, ids.next());
                }
                i += 1;
            }
            Item::Text(t) => {
                text_object(&mut x, t, font_ids[&t.face], ids.next());
                i += 1;
            }
            Item::Line { width, .. } => {
                let mut end = i + 1;
                while let Some(Item::Line { width: w, .. }) = page.items.get(end)
                    && w == width
                {
                    end += 1;
                }
                path_object(&mut x, &page.items[i..end], *width, ids.next());
                i = end;
            }
        }
    }
    x.close("ofd:Layer");
    x.close("ofd:Content");
    x.close("ofd:Page");
    x.finish()
}

/// An image in its box (the image's unit square scaled to the box).
fn image_object(x: &mut Xml, item: &Item, images: &Images, id: u32) {
    let Item::Image { x: left, y: top, w, h, image, .. } = item else { return };
    let b = [mm(*left), mm(*top), mm(*w), mm(*h)];
    x.empty(
        "ofd:ImageObject",
        &[
            ("ID", &id.to_string()),
            ("Boundary", &xml::boxed(b)),
            ("CTM", &format!("{} 0 0 {} 0 0", xml::num(b[2]), xml::num(b[3]))),
            ("ResourceID", &images.id(image).to_string()),
        ],
    );
}

/// A run of glyphs: its box from the em top to below the descenders, the baseline one em
/// down, each glyph's advance in `DeltaX`.
fn text_object(x: &mut Xml, t: &crate::layout::TextItem, font: u32, id: u32) {
    let size = mm(t.size);
    let width: f64 = t.glyphs.iter().map(|g| mm(g.advance)).sum();
    let b = [mm(t.x), mm(t.y) - size, width.max(size), size * 1.25];
    let n = t.glyphs.len();
    let deltas: Vec<f64> = t.glyphs[..n.saturating_sub(1)].iter().map(|g| mm(g.advance)).collect();
    let size_s = xml::num(size);
    x.open(
        "ofd:TextObject",
        &[
            ("ID", &id.to_string()),
            ("Boundary", &xml::boxed(b)),
            ("Font", &font.to_string()),
            ("Size", &size_s),
        ],
    );
    let delta = xml::deltas(&deltas);
    let mut attrs: Vec<(&str, &str)> = vec![("X", "0"), ("Y", &size_s)];
    if !delta.is_empty() {
        attrs.push(("DeltaX", &delta));
    }
    x.open("ofd:TextCode", &attrs);
    x.text(&t.text);
    x.close_inline("ofd:TextCode");
    x.close("ofd:TextObject");
}

/// Rules of one width as one path: a box around them all, each a move and a line in it.
fn path_object(x: &mut Xml, lines: &[Item], width: f64, id: u32) {
    let half = width / 2.0;
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for item in lines {
        if let Item::Line { x0: a, y0: b, x1: c, y1: d, .. } = item {
            x0 = x0.min(a.min(*c) - half);
            y0 = y0.min(b.min(*d) - half);
            x1 = x1.max(a.max(*c) + half);
            y1 = y1.max(b.max(*d) + half);
        }
    }
    let mut data = String::with_capacity(lines.len() * 32);
    for item in lines {
        if let Item::Line { x0: a, y0: b, x1: c, y1: d, .. } = item {
            if !data.is_empty() {
                data.push(' ');
            }
            data.push_str(&format!(
                "M {} {} L {} {}",
                xml::num(mm(a - x0)),
                xml::num(mm(b - y0)),
                xml::num(mm(c - x0)),
                xml::num(mm(d - y0))
            ));
        }
    }
    let b = [mm(x0), mm(y0), mm(x1 - x0), mm(y1 - y0)];
    x.open(
        "ofd:PathObject",
        &[
            ("ID", &id.to_string()),
            ("Boundary", &xml::boxed(b)),
            ("LineWidth", &xml::num(mm(width))),
        ],
    );
    x.leaf("ofd:AbbreviatedData", &data);
    x.close("ofd:PathObject");
}

/// The zip: entries in the order given, the zip epoch as every entry's time. Deflate at its
/// fastest level (zlib's 1, as the PDF's streams are compressed): level 6 made the OFD step
/// 2.6 times the PDF's for 7 % smaller files (benches/ofd.rs).
fn package(parts: &[(String, Vec<u8>, bool)]) -> Vec<u8> {
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let stored = deflated.compression_method(CompressionMethod::Stored).compression_level(None);
    let size: usize = parts.iter().map(|(_, b, _)| b.len()).sum();
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(size / 2 + 4096)));
    for (name, bytes, compress) in parts {
        zip.start_file(name.as_str(), if *compress { deflated } else { stored })
            .expect("zip entry into memory");
        zip.write_all(bytes).expect("zip write into memory");
    }
    zip.finish().expect("zip into memory").into_inner()
}
