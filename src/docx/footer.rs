//! Footers (`word/footer1.xml` odd, `footer2.xml` even): the page number `— N —`
//! (GB/T 9704 §7.5), odd pages right with one character of space on the right,
//! even pages left with one character on the left.

use super::Ctx;
use super::xml::Xml;
use crate::template::Role;

/// Which pages a footer is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// Odd pages (the default footer).
    Odd,
    /// Even pages.
    Even,
}

/// Writes one footer part.
pub(super) fn write(dx: &Ctx, side: Side) -> Vec<u8> {
    let one_char = dx.style().role(Role::PageNumber).size.to_twips();
    let mut x = Xml::with_capacity(2048);
    x.elem("w:ftr").raw_attrs(super::document::NAMESPACES).open();
    x.open("w:p");
    x.open("w:pPr");
    x.val("w:pStyle", "Footer");
    let ind = x.elem("w:ind");
    match side {
        Side::Odd => ind.attr("w:right", one_char).empty(),
        Side::Even => ind.attr("w:left", one_char).empty(),
    }
    x.val("w:jc", if side == Side::Odd { "right" } else { "left" });
    x.close("w:pPr");
    text_run(&mut x, "— ");
    field_char(&mut x, "begin");
    x.open("w:r");
    x.elem("w:instrText").attr("xml:space", "preserve").open();
    x.text(" PAGE ");
    x.close("w:instrText");
    x.close("w:r");
    field_char(&mut x, "separate");
    text_run(&mut x, "1");
    field_char(&mut x, "end");
    text_run(&mut x, " —");
    x.close("w:p");
    x.close("w:ftr");
    x.finish()
}

fn text_run(x: &mut Xml, text: &str) {
    x.open("w:r");
    x.elem("w:t").attr("xml:space", "preserve").open();
    x.text(text);
    x.close("w:t");
    x.close("w:r");
}

fn field_char(x: &mut Xml, kind: &str) {
    x.open("w:r");
    x.elem("w:fldChar").attr("w:fldCharType", kind).empty();
    x.close("w:r");
}
