//! `word/theme/theme1.xml`: the smallest complete DrawingML theme. Word requires a
//! theme part; our styles name every font directly, so the theme only carries the
//! body and Latin fonts for editors that fall back to theme fonts.

use super::Ctx;
use super::xml::Xml;
use crate::template::Role;

/// Writes the theme part.
pub(super) fn write(dx: &Ctx) -> Vec<u8> {
    let body = dx.role_font(Role::Body);
    let title = dx.role_font(Role::Title);
    let mut x = Xml::with_capacity(4096);
    x.elem("a:theme")
        .raw_attrs("xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"")
        .attr("name", "nianbao")
        .open();
    x.elem("a:themeElements").attr("name", "nianbao").open();
    x.raw(COLORS);
    x.elem("a:fontScheme").attr("name", "nianbao").open();
    for (name, f) in [("a:majorFont", &title), ("a:minorFont", &body)] {
        x.open(name);
        x.elem("a:latin").attr("typeface", &f.latin).empty();
        x.elem("a:ea").attr("typeface", &f.east_asia).empty();
        x.elem("a:cs").attr("typeface", "").empty();
        x.close(name);
    }
    x.close("a:fontScheme");
    x.raw(FORMATS);
    x.close("a:themeElements");
    x.empty("a:objectDefaults");
    x.empty("a:extraClrSchemeLst");
    x.close("a:theme");
    x.finish()
}

/// The 12 scheme colours (Office defaults).
const COLORS: &str = "<a:clrScheme name=\"Office\">\
<a:dk1><a:sysClr val=\"windowText\" lastClr=\"000000\"/></a:dk1>\
<a:lt1><a:sysClr val=\"window\" lastClr=\"FFFFFF\"/></a:lt1>\
<a:dk2><a:srgbClr val=\"44546A\"/></a:dk2><a:lt2><a:srgbClr val=\"E7E6E6\"/></a:lt2>\
<a:accent1><a:srgbClr val=\"4472C4\"/></a:accent1><a:accent2><a:srgbClr val=\"ED7D31\"/></a:accent2>\
<a:accent3><a:srgbClr val=\"A5A5A5\"/></a:accent3><a:accent4><a:srgbClr val=\"FFC000\"/></a:accent4>\
<a:accent5><a:srgbClr val=\"5B9BD5\"/></a:accent5><a:accent6><a:srgbClr val=\"70AD47\"/></a:accent6>\
<a:hlink><a:srgbClr val=\"0563C1\"/></a:hlink><a:folHlink><a:srgbClr val=\"954F72\"/></a:folHlink>\
</a:clrScheme>";

/// Three of each fill, line, effect and background style, as the schema requires.
const FORMATS: &str = "<a:fmtScheme name=\"Office\"><a:fillStyleLst>\
<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>\
<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>\
<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>\
</a:fillStyleLst><a:lnStyleLst>\
<a:ln w=\"6350\"><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:ln>\
<a:ln w=\"12700\"><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:ln>\
<a:ln w=\"19050\"><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:ln>\
</a:lnStyleLst><a:effectStyleLst>\
<a:effectStyle><a:effectLst/></a:effectStyle>\
<a:effectStyle><a:effectLst/></a:effectStyle>\
<a:effectStyle><a:effectLst/></a:effectStyle>\
</a:effectStyleLst><a:bgFillStyleLst>\
<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>\
<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>\
<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>\
</a:bgFillStyleLst></a:fmtScheme>";
