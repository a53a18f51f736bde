//! `word/styles.xml`: document defaults and named styles (Title, Body, Heading1–4,
//! Caption, Signature, Figure, TableText, TableHead, Footer), so an editor can
//! restyle the report. Paragraphs refer to these and repeat nothing the style says.

use super::xml::Xml;
use super::{Ctx, RoleFont};
use crate::resolve::{Align, ParaStyle};
use crate::template::Role;

/// What a paragraph style sets; `document.rs` writes only the differences.
pub(super) struct ParaDefaults {
    /// First-line indent in characters.
    pub indent_chars: u32,
    /// Alignment.
    pub align: Align,
    /// `w:keepNext`.
    pub keep_next: bool,
}

/// The style id of a shared paragraph style.
pub(super) fn para_style_id(style: ParaStyle) -> &'static str {
    match style {
        ParaStyle::Title => "Title",
        ParaStyle::Body => "Body",
        ParaStyle::Heading1 => "Heading1",
        ParaStyle::Heading2 => "Heading2",
        ParaStyle::Heading3 => "Heading3",
        ParaStyle::Heading4 => "Heading4",
        ParaStyle::Caption => "Caption",
        ParaStyle::Signature => "Signature",
    }
}

/// The character style for a run-in run of `role`, when there is one.
pub(super) fn char_style_id(role: Role) -> Option<&'static str> {
    Some(match role {
        Role::Heading1 => "Heading1Char",
        Role::Heading2 => "Heading2Char",
        Role::Heading3 => "Heading3Char",
        Role::Heading4 => "Heading4Char",
        _ => return None,
    })
}

/// The defaults the style of `style` sets.
pub(super) fn para_defaults(dx: &Ctx, style: ParaStyle) -> ParaDefaults {
    let indent = dx.style().indent_chars;
    let (indent_chars, align, keep_next) = match style {
        ParaStyle::Title => (0, Align::Center, true),
        ParaStyle::Body => (indent, Align::Justify, false),
        ParaStyle::Heading1 | ParaStyle::Heading2 | ParaStyle::Heading3 | ParaStyle::Heading4 => {
            (indent, Align::Justify, true)
        }
        ParaStyle::Caption => (0, Align::Center, false),
        ParaStyle::Signature => (0, Align::Right, false),
    };
    ParaDefaults { indent_chars, align, keep_next }
}

/// `w:jc` value of an alignment.
pub(super) fn jc(align: Align) -> &'static str {
    match align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
        Align::Justify => "both",
    }
}

/// Line spacing of a style.
#[derive(Clone, Copy)]
enum Line {
    /// Inherit.
    Inherit,
    /// Exactly this many twips.
    Exact(i64),
    /// Single, as the font needs (pictures must not be clipped).
    Auto,
}

/// One named style.
struct Def {
    id: &'static str,
    name: &'static str,
    based_on: Option<&'static str>,
    next: Option<&'static str>,
    link: Option<&'static str>,
    role: Role,
    keep_next: bool,
    snap_to_grid: bool,
    line: Line,
    first_line_chars: u32,
    align: Option<Align>,
    outline: Option<u8>,
}

impl Def {
    fn para(id: &'static str, name: &'static str, role: Role) -> Def {
        Def {
            id,
            name,
            based_on: Some("Normal"),
            next: None,
            link: None,
            role,
            keep_next: false,
            snap_to_grid: true,
            line: Line::Inherit,
            first_line_chars: 0,
            align: None,
            outline: None,
        }
    }

    fn heading(id: &'static str, name: &'static str, role: Role, level: u8) -> Def {
        let link = char_style_id(role);
        Def {
            based_on: Some("Body"),
            next: Some("Body"),
            link,
            keep_next: true,
            outline: Some(level),
            ..Def::para(id, name, role)
        }
    }

    fn off_grid(self, line: i64) -> Def {
        Def { snap_to_grid: false, line: Line::Exact(line), ..self }
    }
}

/// Writes the styles part.
pub(super) fn write(dx: &Ctx) -> Vec<u8> {
    let m = &dx.metrics;
    let table_size = dx.style().role(Role::Table).size;
    // Same leading and padding as the PDF table layout (1.3 × size), so both paginate alike.
    let table_line = (table_size * 1.3).to_twips();
    let footer_line = dx.style().role(Role::PageNumber).size.to_twips();
    let defs = [
        Def {
            based_on: None,
            line: Line::Exact(m.line_pitch),
            align: Some(Align::Justify),
            ..Def::para("Normal", "Normal", Role::Body)
        },
        Def {
            next: Some("Body"),
            keep_next: true,
            align: Some(Align::Center),
            ..Def::para("Title", "Title", Role::Title)
        }
        // NOTE: off the grid at one line pitch: LibreOffice would otherwise give each
        // 22 pt line about 1.5 grid lines, while Word ignores the grid for exact spacing.
        .off_grid(m.line_pitch),
        Def { first_line_chars: dx.style().indent_chars, ..Def::para("Body", "Body", Role::Body) },
        Def::heading("Heading1", "heading 1", Role::Heading1, 0),
        Def::heading("Heading2", "heading 2", Role::Heading2, 1),
        Def::heading("Heading3", "heading 3", Role::Heading3, 2),
        Def::heading("Heading4", "heading 4", Role::Heading4, 3),
        Def { align: Some(Align::Center), ..Def::para("Caption", "caption", Role::Caption) },
        Def { align: Some(Align::Right), ..Def::para("Signature", "Signature", Role::Signature) },
        Def {
            keep_next: true,
            snap_to_grid: false,
            line: Line::Auto,
            align: Some(Align::Center),
            ..Def::para("Figure", "Figure", Role::Body)
        },
        Def { align: Some(Align::Center), ..Def::para("TableText", "Table Text", Role::Table) }
            .off_grid(table_line),
        Def {
            based_on: Some("TableText"),
            ..Def::para("TableHead", "Table Head", Role::TableHead)
        }
        .off_grid(table_line),
        Def::para("Footer", "footer", Role::PageNumber).off_grid(footer_line),
    ];

    let mut x = Xml::with_capacity(16 * 1024);
    x.elem("w:styles")
        .raw_attrs("xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"")
        .open();
    x.open("w:docDefaults");
    x.open("w:rPrDefault");
    let normal = RoleFont { tracking: 0, ..dx.role_font(Role::Body) };
    rpr(&mut x, &normal, true);
    x.close("w:rPrDefault");
    x.close("w:docDefaults");

    for def in &defs {
        let el = x.elem("w:style").attr("w:type", "paragraph");
        let el = if def.based_on.is_none() { el.attr("w:default", 1) } else { el };
        el.attr("w:styleId", def.id).open();
        x.val("w:name", def.name);
        for (name, value) in
            [("w:basedOn", def.based_on), ("w:next", def.next), ("w:link", def.link)]
        {
            if let Some(v) = value {
                x.val(name, v);
            }
        }
        x.empty("w:qFormat");
        ppr(&mut x, dx, def);
        let mut font = dx.role_font(def.role);
        if def.id == "Normal" {
            font.tracking = 0;
        }
        if def.role == Role::PageNumber {
            // GB/T 9704 §7.5 sets the digits in 宋体 as well, and the dashes must
            // come from the East Asian font to be full-width 一字线.
            font.latin = font.east_asia.clone();
        }
        rpr(&mut x, &font, false);
        x.close("w:style");
    }
    for (role, name, link) in [
        (Role::Heading1, "Heading 1 Char", "Heading1"),
        (Role::Heading2, "Heading 2 Char", "Heading2"),
        (Role::Heading3, "Heading 3 Char", "Heading3"),
        (Role::Heading4, "Heading 4 Char", "Heading4"),
    ] {
        let id = char_style_id(role).expect("headings have character styles");
        x.elem("w:style").attr("w:type", "character").attr("w:styleId", id).open();
        x.val("w:name", name);
        x.val("w:basedOn", "DefaultParagraphFont");
        x.val("w:link", link);
        rpr(&mut x, &dx.role_font(role), false);
        x.close("w:style");
    }
    x.raw(BUILT_IN);
    x.close("w:styles");
    x.finish()
}

/// The default character and table styles Word expects in every document.
const BUILT_IN: &str = "\
<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">\
<w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/>\
<w:unhideWhenUsed/></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\">\
<w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/>\
<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/>\
<w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/>\
<w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>";

/// Writes a style's `w:pPr` in CT_PPr order, or nothing when it sets nothing.
fn ppr(x: &mut Xml, dx: &Ctx, def: &Def) {
    let normal = def.based_on.is_none();
    let indent = def.first_line_chars > 0;
    let any = def.keep_next
        || normal
        || !def.snap_to_grid
        || !matches!(def.line, Line::Inherit)
        || indent
        || def.align.is_some()
        || def.outline.is_some();
    if !any {
        return;
    }
    x.open("w:pPr");
    if def.keep_next {
        x.empty("w:keepNext");
    }
    if normal {
        // At least two lines of a paragraph on either side of a page break, as the PDF's
        // layout leaves (#31: without it LibreOffice left one-line widows and orphans).
        x.empty("w:widowControl");
    }
    if normal {
        // NOTE: no extra space between Chinese and Latin/digits: it would push
        // characters off the 28-per-line grid (the PDF adds none either).
        x.val("w:autoSpaceDE", 0);
        x.val("w:autoSpaceDN", 0);
    }
    if !def.snap_to_grid {
        x.val("w:snapToGrid", 0);
    }
    match def.line {
        Line::Inherit => {}
        Line::Exact(twips) => {
            x.elem("w:spacing").attr("w:line", twips).attr("w:lineRule", "exact").empty()
        }
        Line::Auto => x.elem("w:spacing").attr("w:line", 240).attr("w:lineRule", "auto").empty(),
    }
    if indent {
        // Word reads the character count; LibreOffice 7 and older readers the twips.
        x.elem("w:ind")
            .attr("w:firstLineChars", def.first_line_chars * 100)
            .attr("w:firstLine", dx.metrics.chars(f64::from(def.first_line_chars)))
            .empty();
    }
    if let Some(align) = def.align {
        x.val("w:jc", jc(align));
    }
    if let Some(level) = def.outline {
        x.val("w:outlineLvl", level);
    }
    x.close("w:pPr");
}

/// Writes `w:rPr` for a role in CT_RPr order; `lang` adds the document languages.
pub(super) fn rpr(x: &mut Xml, f: &RoleFont, lang: bool) {
    x.open("w:rPr");
    x.elem("w:rFonts")
        .attr("w:ascii", &f.latin)
        .attr("w:hAnsi", &f.latin)
        .attr("w:eastAsia", &f.east_asia)
        .attr("w:cs", &f.latin)
        .empty();
    if f.bold {
        x.empty("w:b");
        x.empty("w:bCs");
    }
    if f.tracking != 0 {
        x.val("w:spacing", f.tracking);
    }
    x.val("w:sz", f.half_points);
    x.val("w:szCs", f.half_points);
    if lang {
        x.elem("w:lang").attr("w:val", "en-US").attr("w:eastAsia", "zh-CN").empty();
    }
    x.close("w:rPr");
}
