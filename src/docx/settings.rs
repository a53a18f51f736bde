//! `word/settings.xml`: odd/even footers, no punctuation compression, Word 2013+
//! layout. Children are in CT_Settings order.

use super::xml::Xml;

/// Writes the settings part.
pub(super) fn write() -> Vec<u8> {
    let mut x = Xml::with_capacity(1024);
    x.elem("w:settings")
        .raw_attrs("xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"")
        .open();
    x.elem("w:zoom").attr("w:percent", 100).empty();
    x.val("w:defaultTabStop", 420);
    // Odd pages get footer1 (right), even pages footer2 (left): GB/T 9704 §7.5.
    x.empty("w:evenAndOddHeaders");
    // NOTE: keep full-width punctuation on its full cell, as the 28-character grid
    // assumes; Word's default compresses it.
    x.val("w:characterSpacingControl", "doNotCompress");
    x.open("w:compat");
    x.elem("w:compatSetting")
        .attr("w:name", "compatibilityMode")
        .attr("w:uri", "http://schemas.microsoft.com/office/word")
        .attr("w:val", 15)
        .empty();
    x.close("w:compat");
    x.elem("w:themeFontLang").attr("w:val", "en-US").attr("w:eastAsia", "zh-CN").empty();
    x.val("w:decimalSymbol", ".");
    x.val("w:listSeparator", ",");
    x.close("w:settings");
    x.finish()
}
