//! `word/fontTable.xml`: declares each font the styles name, with the character set
//! and the usual substitute, so editors without the font pick a close one.

use super::Ctx;
use super::xml::Xml;
use crate::template::Role;

/// Writes the font table: every East Asian and Latin font of every role, first use first.
pub(super) fn write(dx: &Ctx) -> Vec<u8> {
    let mut names: Vec<String> = Vec::new();
    for role in Role::ALL {
        let f = dx.role_font(role);
        for name in [f.east_asia, f.latin] {
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let mut x = Xml::with_capacity(2048);
    x.elem("w:fonts")
        .raw_attrs("xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"")
        .open();
    for name in &names {
        let cjk = !name.is_ascii() || name.starts_with("Fandol");
        x.elem("w:font").attr("w:name", name).open();
        if let Some(alt) = alt_name(name) {
            x.val("w:altName", alt);
        }
        x.val("w:charset", if cjk { "86" } else { "00" });
        x.val("w:family", if cjk { "modern" } else { "roman" });
        x.val("w:pitch", if cjk { "fixed" } else { "variable" });
        x.close("w:font");
    }
    x.close("w:fonts");
    x.finish()
}

/// The Windows font Word should use when the GB2312-era name is not installed.
fn alt_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "仿宋_GB2312" => "仿宋",
        "楷体_GB2312" => "楷体",
        "方正小标宋简体" => "宋体",
        "宋体" => "SimSun",
        "黑体" => "SimHei",
        _ => return None,
    })
}
