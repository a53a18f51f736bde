//! A style preset (`templates/styles/*.yaml`): page geometry and the font of each
//! role, with 字号 and mm already turned into points.

use super::{boolean, map, opt_string, parse_template, req, string, uint};
use crate::units::Abs;
use std::collections::BTreeMap;

/// A typographic role that maps to one font and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// The report title.
    Title,
    /// Body paragraphs.
    Body,
    /// `一、` headings.
    Heading1,
    /// `（一）` headings.
    Heading2,
    /// `1.` headings.
    Heading3,
    /// `（1）` headings.
    Heading4,
    /// Table cells.
    Table,
    /// Table header labels.
    TableHead,
    /// Figure captions.
    Caption,
    /// The signature block.
    Signature,
    /// Page numbers.
    PageNumber,
}

impl Role {
    /// Every role, in a fixed order.
    pub const ALL: [Role; 11] = [
        Role::Title,
        Role::Body,
        Role::Heading1,
        Role::Heading2,
        Role::Heading3,
        Role::Heading4,
        Role::Table,
        Role::TableHead,
        Role::Caption,
        Role::Signature,
        Role::PageNumber,
    ];

    /// The name used in style files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Role::Title => "title",
            Role::Body => "body",
            Role::Heading1 => "heading1",
            Role::Heading2 => "heading2",
            Role::Heading3 => "heading3",
            Role::Heading4 => "heading4",
            Role::Table => "table",
            Role::TableHead => "table_head",
            Role::Caption => "caption",
            Role::Signature => "signature",
            Role::PageNumber => "page_number",
        }
    }

    /// The role with this name.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Font and size of one role.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleStyle {
    /// Font name for the PDF (a bundled face or a fontdb family).
    pub font: String,
    /// Official East Asian font name written into the DOCX.
    pub docx: String,
    /// Size.
    pub size: Abs,
    /// Bold (synthesised in PDF where the face is regular).
    pub bold: bool,
}

/// Page geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct PageStyle {
    /// Paper width.
    pub width: Abs,
    /// Paper height.
    pub height: Abs,
    /// 天头.
    pub margin_top: Abs,
    /// 订口.
    pub margin_left: Abs,
    /// Right margin.
    pub margin_right: Abs,
    /// Bottom margin.
    pub margin_bottom: Abs,
    /// Lines of body text per page.
    pub lines_per_page: u32,
    /// Characters of body text per line.
    pub chars_per_line: u32,
}

impl PageStyle {
    /// Width of the 版心.
    pub fn text_width(&self) -> Abs {
        self.width - self.margin_left - self.margin_right
    }

    /// Height of the 版心.
    pub fn text_height(&self) -> Abs {
        self.height - self.margin_top - self.margin_bottom
    }

    /// Body line pitch: 版心 height / lines per page.
    pub fn line_pitch(&self) -> Abs {
        self.text_height() / f64::from(self.lines_per_page)
    }

    /// Body character pitch: 版心 width / characters per line.
    pub fn char_pitch(&self) -> Abs {
        self.text_width() / f64::from(self.chars_per_line)
    }
}

/// A whole style preset.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    /// Preset name.
    pub name: String,
    /// Page geometry.
    pub page: PageStyle,
    /// Font of each role.
    pub roles: BTreeMap<Role, RoleStyle>,
    /// DOCX font for Latin letters and digits.
    pub latin_font: String,
    /// First-line indent in characters.
    pub indent_chars: u32,
    /// Gap between the 版心 and the page number line.
    pub page_number_gap: Abs,
    /// Default seal diameter.
    pub seal_size: Abs,
    /// Table rule width.
    pub table_line_width: Abs,
    /// Padding inside table cells.
    pub table_cell_padding: Abs,
}

impl Style {
    /// The style of a role (every role is present in a loaded style).
    pub fn role(&self, role: Role) -> &RoleStyle {
        &self.roles[&role]
    }

    /// Reads a style preset from YAML text.
    pub fn from_yaml(text: &str) -> Result<Style, String> {
        let root = parse_template(text)?;
        let len = |node: &crate::source::Node, key: &str| -> Result<Abs, String> {
            let n = req(node, key)?;
            let s = string(n)?;
            Abs::parse(&s)
                .ok_or_else(|| format!("line {}: `{key}` is not a length: {s}", n.span.line))
        };
        let page_node = req(&root, "page")?;
        let page = PageStyle {
            width: len(page_node, "width")?,
            height: len(page_node, "height")?,
            margin_top: len(page_node, "margin_top")?,
            margin_left: len(page_node, "margin_left")?,
            margin_right: len(page_node, "margin_right")?,
            margin_bottom: len(page_node, "margin_bottom")?,
            lines_per_page: uint(req(page_node, "lines_per_page")?)? as u32,
            chars_per_line: uint(req(page_node, "chars_per_line")?)? as u32,
        };
        let mut roles = BTreeMap::new();
        for (key, node) in map(req(&root, "roles")?)? {
            let name = string(key)?;
            let role = Role::from_name(&name)
                .ok_or_else(|| format!("line {}: unknown role `{name}`", key.span.line))?;
            roles.insert(
                role,
                RoleStyle {
                    font: string(req(node, "font")?)?,
                    docx: opt_string(node, "docx")?.unwrap_or_default(),
                    size: len(node, "size")?,
                    bold: boolean(node, "bold")?,
                },
            );
        }
        if let Some(missing) = Role::ALL.iter().find(|r| !roles.contains_key(r)) {
            return Err(format!("style has no role `{}`", missing.name()));
        }
        Ok(Style {
            name: string(req(&root, "name")?)?,
            page,
            roles,
            latin_font: string(req(&root, "latin_font")?)?,
            indent_chars: uint(req(&root, "indent_chars")?)? as u32,
            page_number_gap: len(&root, "page_number_gap")?,
            seal_size: len(&root, "seal_size")?,
            table_line_width: len(&root, "table_line_width")?,
            table_cell_padding: len(&root, "table_cell_padding")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::default_style;

    #[test]
    fn default_style_meets_gbt9704_grid() {
        let s = default_style();
        assert!((s.page.text_width().to_mm() - 156.0).abs() < 1e-6);
        assert!((s.page.text_height().to_mm() - 225.0).abs() < 1e-6);
        assert!((s.page.line_pitch().to_pt() - 28.99).abs() < 0.01);
        assert!((s.page.char_pitch().to_pt() - 15.79).abs() < 0.01);
        assert_eq!(s.role(Role::Title).size, Abs::pt(22.0));
        assert_eq!(s.role(Role::PageNumber).size, Abs::pt(14.0));
    }
}
