//! Document properties: `docProps/core.xml` (title, author, dates) and
//! `docProps/app.xml` (the producing application).

use super::xml::Xml;
use crate::resolve::Document;

const CORE_NS: &str = "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

/// Title and creator from the document; created/modified from its date of issue,
/// never from the clock, so the package stays reproducible.
pub(super) fn core(doc: &Document) -> Vec<u8> {
    let mut x = Xml::with_capacity(1024);
    x.elem("cp:coreProperties").raw_attrs(CORE_NS).open();
    x.leaf("dc:title", &doc.title);
    x.leaf("dc:creator", &doc.author);
    x.leaf("cp:lastModifiedBy", &doc.author);
    if let Some(d) = doc.date {
        let stamp = format!("{:04}-{:02}-{:02}T00:00:00Z", d.year, d.month, d.day);
        for name in ["dcterms:created", "dcterms:modified"] {
            x.elem(name).attr("xsi:type", "dcterms:W3CDTF").open();
            x.text(&stamp);
            x.close(name);
        }
    }
    x.close("cp:coreProperties");
    x.finish()
}

/// The extended properties: only the application name (Word recomputes the rest).
pub(super) fn app() -> Vec<u8> {
    let mut x = Xml::with_capacity(512);
    x.elem("Properties")
        .raw_attrs(
            "xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
             xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\"",
        )
        .open();
    x.leaf("Application", concat!("nianbao ", env!("CARGO_PKG_VERSION")));
    x.leaf("DocSecurity", "0");
    x.close("Properties");
    x.finish()
}
