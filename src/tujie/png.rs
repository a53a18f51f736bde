//! The long image: the 图解's SVG rasterised by resvg, with the book's faces (the bundled
//! fonts, embedded in the binary) as its only fonts: no system font, no browser, no network.

use crate::fonts::{FaceId, FontBook};
use crate::template::Role;
use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{Options, Tree, fontdb};
use std::sync::Arc;

/// The tallest long image made (pixels): a 图解 is at most a few thousand; this only bounds
/// the memory of a drawing gone wrong (1080 × 20 000 × 4 bytes = 86 MB).
pub const MAX_HEIGHT: u32 = 20_000;

/// The faces the drawing's text is set in (the roles' faces and, for a character they lack,
/// the face the book falls back to): the image's only fonts.
fn database(fonts: &FontBook, faces: &[FaceId]) -> fontdb::Database {
    let mut db = fontdb::Database::new();
    for &id in faces {
        db.load_font_source(fontdb::Source::Binary(Arc::new(fonts.face(id).data.clone())));
    }
    db
}

/// The PNG of an SVG the scene wrote, 1080 pixels wide.
pub fn rasterise(svg: &str, fonts: &FontBook, faces: &[FaceId]) -> Result<Vec<u8>, String> {
    let options = Options {
        fontdb: Arc::new(database(fonts, faces)),
        font_family: fonts.face(fonts.role_face(Role::Heading1)).family.clone(),
        ..Options::default()
    };
    let tree = Tree::from_str(svg, &options).map_err(|e| format!("SVG: {e}"))?;
    let size = tree.size().to_int_size();
    if size.height() > MAX_HEIGHT {
        return Err(format!("图解高 {} 像素，超过上限 {MAX_HEIGHT}", size.height()));
    }
    let mut pixmap = Pixmap::new(size.width(), size.height())
        .ok_or_else(|| format!("no {}×{} image", size.width(), size.height()))?;
    resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("PNG: {e}"))
}
