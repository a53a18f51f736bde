//! Lowering: report + computed numbers + format + style → [`Document`].

use super::{
    Align, Block, Document, FigureBlock, ImageData, ParaStyle, Paragraph, Run, SignatureBlock,
    Table, TableCell, em_width,
};
use crate::diag::Diagnostic;
use crate::model::{ProseItem, Report, Text};
use crate::source::Span;
use crate::template::{
    CellContent, FieldRef, Format, PageStyle, Role, Style, TableDef, place_cells,
};
use crate::units::Abs;
use crate::validate::Checked;
use std::sync::Arc;

/// The images a report names, fetched and checked once, by the name written in the report.
pub type Images = std::collections::BTreeMap<String, Arc<ImageData>>;

/// Lowers a checked report into the shared block tree. `images` holds every image the report
/// names (fetched when it was checked); one missing from it is an error diagnostic.
pub fn resolve_document(
    report: &Report,
    checked: &Checked,
    format: &Format,
    style: &Style,
    images: &Images,
) -> (Document, Vec<Diagnostic>) {
    let mut cx = Lower { style, images, blocks: Vec::new(), diags: Vec::new() };
    let title = report.title_text(&format.title);
    // The title's lines, decided here so the PDF and the DOCX turn them at the same
    // places (GB/T 9704 §7.3.1 词意完整): after the unit's name when the title starts
    // with it, else at punctuation and word boundaries. Each run is one line.
    let unit_end = title
        .strip_prefix(report.unit.text.as_str())
        .filter(|rest| !rest.is_empty() && !report.unit.text.is_empty())
        .map(|_| report.unit.text.chars().count());
    let title_size = style.role(Role::Title).size.to_pt();
    let measure = style.page.text_width().to_pt() / title_size;
    let strong: Vec<usize> = unit_end.into_iter().collect();
    let runs = super::break_lines(&title, measure, &strong)
        .into_iter()
        .map(|text| Run { text, role: Role::Title })
        .collect();
    cx.blocks.push(Block::Paragraph(Paragraph {
        runs,
        first_line_indent_chars: 0,
        align: Align::Center,
        keep_with_next: true,
        style: ParaStyle::Title,
        span: report.title.as_ref().map_or(report.unit.span, |t| t.span),
    }));
    cx.blocks.push(Block::BlankLine);
    cx.prose(&report.preamble, 0);
    for def in &format.sections {
        let Some(section) = report.section(&def.key) else {
            continue;
        };
        cx.heading(ParaStyle::Heading1, def.heading(), section.span);
        cx.prose(&section.prose, 0);
        if let Some(table_key) = &def.table {
            let tdef = format.table(table_key).expect("format checked");
            if let Some(ct) = checked.table(table_key) {
                let span = section
                    .table
                    .as_ref()
                    .and_then(|t| t.records.first())
                    .map_or(section.span, |r| r.span);
                match lower_table(tdef, ct, style, span, &def.heading()) {
                    Ok(t) => cx.blocks.push(Block::Table(t)),
                    Err(d) => cx.diags.push(*d),
                }
            }
        }
        cx.prose(&section.notes, 0);
    }
    let seal = report.signature.seal.as_ref().and_then(|seal| match images.get(&seal.name) {
        Some(img) => Some((img.clone(), style.seal_size)),
        None => {
            cx.diags.push(image_error(&seal.name, seal.span, "印章"));
            None
        }
    });
    cx.blocks.push(Block::BlankLine);
    cx.blocks.push(Block::Signature(SignatureBlock {
        unit: report.signing_unit().to_string(),
        joint: report.signature.joint.iter().map(|t| t.text.clone()).collect(),
        date: report.signing_date().map(|d| d.to_chinese()),
        seal,
        seal_alt: report.signature.seal_alt.as_ref().map(|t| t.text.clone()),
    }));
    let doc = Document {
        title,
        author: report.unit.text.clone(),
        date: report.signing_date(),
        style: style.clone(),
        blocks: cx.blocks,
    };
    (doc, cx.diags)
}

/// An image the report names that was not fetched: the front end did not check the report.
fn image_error(name: &str, span: Span, label: &str) -> Diagnostic {
    crate::diag!(ImageNotLoaded, span, label = label, name = name).with_label(label)
}

struct Lower<'a> {
    style: &'a Style,
    images: &'a Images,
    blocks: Vec<Block>,
    diags: Vec<Diagnostic>,
}

impl Lower<'_> {
    fn heading(&mut self, style: ParaStyle, text: String, span: Span) {
        self.blocks.push(Block::Paragraph(Paragraph {
            runs: vec![Run { text, role: style.role() }],
            first_line_indent_chars: self.style.indent_chars,
            align: Align::Justify,
            keep_with_next: true,
            style,
            span,
        }));
    }

    fn body(&mut self, runs: Vec<Run>, span: Span) {
        self.blocks.push(Block::Paragraph(Paragraph {
            runs,
            first_line_indent_chars: self.style.indent_chars,
            align: Align::Justify,
            keep_with_next: false,
            style: ParaStyle::Body,
            span,
        }));
    }

    /// Prose at a nesting `depth` (0 = directly under a section heading).
    fn prose(&mut self, items: &[ProseItem], depth: usize) {
        let mut counter = 0;
        for item in items {
            match item {
                ProseItem::Paragraph(t) => {
                    self.body(vec![Run { text: t.text.clone(), role: Role::Body }], t.span)
                }
                ProseItem::Subsection(sub) => {
                    counter += 1;
                    let (number, style) = match depth {
                        0 => (format!("（{}）", chinese_numeral(counter)), ParaStyle::Heading2),
                        1 => (format!("{counter}."), ParaStyle::Heading3),
                        _ => (format!("（{counter}）"), ParaStyle::Heading4),
                    };
                    let heading = format!("{number}{}", sub.heading.text);
                    let mut text: &[Text] = &sub.text;
                    if sub.run_in {
                        let mut runs = vec![Run { text: heading, role: style.role() }];
                        if let Some((first, rest)) = text.split_first() {
                            runs.push(Run { text: first.text.clone(), role: Role::Body });
                            text = rest;
                        }
                        self.body(runs, sub.heading.span);
                    } else {
                        self.heading(style, heading, sub.heading.span);
                    }
                    for t in text {
                        self.body(vec![Run { text: t.text.clone(), role: Role::Body }], t.span);
                    }
                    self.prose(&sub.items, depth + 1);
                }
                ProseItem::Figure(fig) => match self.images.get(&fig.image.name) {
                    Some(img) => {
                        let page = &self.style.page;
                        let natural = Abs::pt(f64::from(img.width_px) * 72.0 / 150.0);
                        let wanted = fig.width_mm.map_or(natural, Abs::mm);
                        let lines = fig.caption.as_ref().map_or(0, |c| {
                            (em_width(&c.text) / f64::from(page.chars_per_line)).ceil() as u32
                        });
                        let (width, height) =
                            figure_size(wanted, img.width_px, img.height_px, page, lines);
                        let caption = fig.caption.as_ref().map(|c| Paragraph {
                            runs: vec![Run { text: c.text.clone(), role: Role::Caption }],
                            first_line_indent_chars: 0,
                            align: Align::Center,
                            keep_with_next: false,
                            style: ParaStyle::Caption,
                            span: c.span,
                        });
                        self.blocks.push(Block::Figure(FigureBlock {
                            image: img.clone(),
                            width,
                            height,
                            caption,
                            alt: fig.alt.as_ref().map(|t| t.text.clone()),
                            span: fig.span,
                        }));
                    }
                    None => self.diags.push(image_error(&fig.image.name, fig.span, "图片")),
                },
            }
        }
    }
}

/// A figure's printed size: the width asked for (or the image's own at 150 dpi), scaled
/// down so the image fits the 版心 across and, with its caption's `caption_lines` under it,
/// down (#31: a 1:5 image 120 mm wide would be 600 mm tall on a 225 mm type area, its
/// caption lost off the page). The aspect ratio is kept; a panoramic image is held by the
/// width, a tall one by the height.
pub(crate) fn figure_size(
    wanted: Abs,
    width_px: u32,
    height_px: u32,
    page: &PageStyle,
    caption_lines: u32,
) -> (Abs, Abs) {
    let ratio = f64::from(height_px.max(1)) / f64::from(width_px.max(1));
    let pitch = page.line_pitch();
    // One line spare: Word and LibreOffice set the image's paragraph and the caption on
    // their own line grid, and with the image filling all but the caption's lines they put
    // the caption over (seen in LibreOffice). At least one line for the image, however
    // long the caption.
    let room = (page.text_height() - pitch * f64::from(caption_lines + 1)).max(pitch);
    let width = wanted.min(page.text_width()).min(room / ratio);
    (width, width * ratio)
}

/// 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一.
pub fn chinese_numeral(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) { "" } else { DIGITS[n % 10] }
        ),
        _ => n.to_string(),
    }
}

fn lower_table(
    def: &TableDef,
    ct: &crate::validate::ComputedTable,
    style: &Style,
    span: Span,
    heading: &str,
) -> Result<Table, Box<Diagnostic>> {
    let ncols = def.grid.widths.len();
    let placed = place_cells(&def.grid.rows, ncols).expect("bundled grids are checked at load");
    let nrows = def.grid.rows.len();
    let mut cells = Vec::new();
    for (r, row) in def.grid.rows.iter().enumerate() {
        for (cell, &c) in row.iter().zip(&placed[r]) {
            let (text, numeric, key) = match &cell.content {
                CellContent::Text(t) => (t.clone(), false, None),
                CellContent::Value { record, field } => {
                    let rec = &ct.records[*record];
                    let value = match field {
                        FieldRef::Scalar => rec.values.first().copied(),
                        FieldRef::Total => rec.total,
                        FieldRef::Field(f) => def.records[*record]
                            .fields
                            .iter()
                            .position(|x| x == f)
                            .and_then(|i| rec.values.get(i).copied()),
                    };
                    let key = def.cell_key(*record, *field);
                    (value.map(|v| v.display()).unwrap_or_default(), true, Some(key))
                }
            };
            // Numbers, header labels and merged group labels are centred; item
            // labels run flush left as in the official tables.
            let align =
                if numeric || cell.head || cell.rowspan > 1 { Align::Center } else { Align::Left };
            let role = if cell.head { Role::TableHead } else { Role::Table };
            cells.push(TableCell {
                row: r,
                col: c,
                rowspan: cell.rowspan,
                colspan: cell.colspan,
                text,
                head: cell.head,
                numeric,
                align,
                role,
                key,
            });
        }
    }
    let keep_with_next = super::columns::keep_rules(nrows, def.grid.header_rows, &cells);
    let size = style.role(Role::Table).size;
    let mut table = Table {
        key: def.key.clone(),
        columns: Vec::new(),
        rows: nrows,
        header_rows: def.grid.header_rows,
        keep_with_next,
        size,
        pad_x: style.table_cell_padding,
        cells,
        span,
    };
    let fitted = super::columns::fit(
        &def.grid.widths,
        &table.cells,
        style.page.text_width(),
        size,
        style.table_cell_padding,
    );
    match fitted {
        Ok((columns, size, pad_x)) => {
            table.columns = columns;
            table.size = size;
            table.pad_x = pad_x;
            Ok(table)
        }
        Err(bad) => Err(Box::new(super::columns::too_wide(&table, &bad, heading, span))),
    }
}

#[cfg(test)]
mod tests {
    use super::chinese_numeral;

    #[test]
    fn numerals() {
        let got: Vec<String> = [1, 6, 10, 11, 20, 23].iter().map(|&n| chinese_numeral(n)).collect();
        assert_eq!(got, ["一", "六", "十", "十一", "二十", "二十三"]);
    }
}
