//! Images (`word/media/*`): every figure and seal, numbered in document order.

use crate::resolve::{Block, Document, ImageData, ImageKind};

/// An image part and its relationship id.
pub(super) struct Media<'a> {
    /// 1-based position in document order.
    pub index: usize,
    /// The image.
    pub image: &'a ImageData,
}

impl Media<'_> {
    /// File extension, which also selects the content type.
    pub fn extension(&self) -> &'static str {
        match self.image.kind {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpeg",
        }
    }

    /// The package path.
    pub fn part_name(&self) -> String {
        format!("word/media/image{}.{}", self.index, self.extension())
    }

    /// The relationship id from document.xml. `rId1`–`rId6` are the fixed parts.
    pub fn rel_id(&self) -> String {
        format!("rId{}", 6 + self.index)
    }
}

/// The images of `doc` in the order `document.xml` meets them. One part per use:
/// a report has a seal and a few figures, so sharing parts is not worth the bookkeeping.
pub(super) fn collect(doc: &Document) -> Vec<Media<'_>> {
    doc.blocks
        .iter()
        .filter_map(|block| match block {
            Block::Figure(f) => Some(&*f.image),
            Block::Signature(s) => s.seal.as_ref().map(|(img, _)| &**img),
            _ => None,
        })
        .enumerate()
        .map(|(i, image)| Media { index: i + 1, image })
        .collect()
}
