//! Relationship parts: `_rels/.rels` (package) and `word/_rels/document.xml.rels`.

use super::media::Media;
use super::xml::Xml;

const NS: &str = "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"";
const OFFICE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn rel(x: &mut Xml, id: &str, ty: &str, target: &str) {
    x.elem("Relationship").attr("Id", id).attr("Type", ty).attr("Target", target).empty();
}

/// The package relationships: main document, core and app properties.
pub(super) fn package() -> Vec<u8> {
    let mut x = Xml::with_capacity(1024);
    x.elem("Relationships").raw_attrs(NS).open();
    rel(&mut x, "rId1", &format!("{OFFICE}/officeDocument"), "word/document.xml");
    rel(
        &mut x,
        "rId2",
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
        "docProps/core.xml",
    );
    rel(&mut x, "rId3", &format!("{OFFICE}/extended-properties"), "docProps/app.xml");
    x.close("Relationships");
    x.finish()
}

/// The document's relationships. The ids are fixed: `rId1`–`rId6` for the parts
/// below, then one per image (see [`Media::rel_id`]); `document.xml` and
/// `footer` refer to them by these names.
pub(super) fn document(media: &[Media]) -> Vec<u8> {
    let mut x = Xml::with_capacity(2048);
    x.elem("Relationships").raw_attrs(NS).open();
    let fixed = [
        ("rId1", "styles", "styles.xml"),
        ("rId2", "settings", "settings.xml"),
        ("rId3", "fontTable", "fontTable.xml"),
        ("rId4", "theme", "theme/theme1.xml"),
        (ODD_FOOTER, "footer", "footer1.xml"),
        (EVEN_FOOTER, "footer", "footer2.xml"),
    ];
    for (id, ty, target) in fixed {
        rel(&mut x, id, &format!("{OFFICE}/{ty}"), target);
    }
    for m in media {
        let target = format!("media/image{}.{}", m.index, m.extension());
        rel(&mut x, &m.rel_id(), &format!("{OFFICE}/image"), &target);
    }
    x.close("Relationships");
    x.finish()
}

/// Relationship id of the odd-page (default) footer.
pub(super) const ODD_FOOTER: &str = "rId5";
/// Relationship id of the even-page footer.
pub(super) const EVEN_FOOTER: &str = "rId6";
