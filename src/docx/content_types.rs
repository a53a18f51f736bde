//! `[Content_Types].xml`: the media type of every part.

use super::media::Media;
use super::xml::Xml;

const NS: &str = "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"";
const WML: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";

/// Writes the content types: defaults by extension, overrides for the XML parts.
pub(super) fn write(media: &[Media]) -> Vec<u8> {
    let mut x = Xml::new();
    x.elem("Types").raw_attrs(NS).open();
    let mut default = |ext: &str, ty: &str| {
        x.elem("Default").attr("Extension", ext).attr("ContentType", ty).empty();
    };
    default("rels", "application/vnd.openxmlformats-package.relationships+xml");
    default("xml", "application/xml");
    if media.iter().any(|m| m.extension() == "png") {
        default("png", "image/png");
    }
    if media.iter().any(|m| m.extension() == "jpeg") {
        default("jpeg", "image/jpeg");
    }
    let overrides = [
        ("/word/document.xml", format!("{WML}.document.main+xml")),
        ("/word/styles.xml", format!("{WML}.styles+xml")),
        ("/word/settings.xml", format!("{WML}.settings+xml")),
        ("/word/fontTable.xml", format!("{WML}.fontTable+xml")),
        ("/word/footer1.xml", format!("{WML}.footer+xml")),
        ("/word/footer2.xml", format!("{WML}.footer+xml")),
        (
            "/word/theme/theme1.xml",
            "application/vnd.openxmlformats-officedocument.theme+xml".into(),
        ),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml".into()),
        (
            "/docProps/app.xml",
            "application/vnd.openxmlformats-officedocument.extended-properties+xml".into(),
        ),
    ];
    for (part, ty) in overrides {
        x.elem("Override").attr("PartName", part).attr("ContentType", ty).empty();
    }
    x.close("Types");
    x.finish()
}
