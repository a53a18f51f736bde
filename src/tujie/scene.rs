//! The drawing of a 图解, made once from its [`Tujie`] description: blocks of rectangles,
//! lines and text placed in a 1080-unit-wide frame (a pixel of the long image; the PDF scales
//! the same blocks onto A4). Text is measured with the bundled fonts, so the SVG, the PNG
//! rasterised from it and the PDF page put every glyph in the same place.

use super::charts::{Chart, ChartKind, TableCell, Tujie, as_f64, percent_text};
use crate::fonts::FontBook;
use crate::model::Value;
use crate::template::Role;

/// The frame's width: the long image's 1080 pixels.
pub const WIDTH: f32 = 1080.0;
/// The side margin.
const MARGIN: f32 = 56.0;
/// The most lines a wrapped title or sentence takes (a longer one ends in `…`).
const MAX_LINES: usize = 4;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance (WCAG 2.x).
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// WCAG contrast ratio with another colour.
    pub fn contrast(self, other: Color) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// The page.
pub const WHITE: Color = Color(0xff, 0xff, 0xff);
/// Body text.
pub const INK: Color = Color(0x1f, 0x1f, 0x1f);
/// Notes and the footer.
pub const MUTED: Color = Color(0x4d, 0x4d, 0x4d);
/// The header band and the chart titles (政务 red; white text on it, it on white).
pub const ACCENT: Color = Color(0x9b, 0x1c, 0x1c);
/// This year's bars.
pub const THIS_YEAR: Color = Color(0x1d, 0x4e, 0x89);
/// Last year's bars (light, outlined: told apart from this year's in greyscale).
pub const LAST_YEAR: Color = Color(0xb4, 0xcb, 0xe4);
/// The table's header row.
pub const HEAD_FILL: Color = Color(0xec, 0xec, 0xec);
/// Grid lines.
pub const RULE: Color = Color(0x70, 0x70, 0x70);
/// The shares' parts, from dark to light: each step a clear change of lightness, so the
/// parts stay apart printed in grey (and white gaps divide them).
pub const SHARES: [Color; 6] = [
    Color(0x0b, 0x25, 0x45),
    Color(0x1d, 0x4e, 0x89),
    Color(0x3a, 0x7d, 0xc4),
    Color(0x6a, 0xa3, 0xdc),
    Color(0xa6, 0xc8, 0xec),
    Color(0xf0, 0xf6, 0xfc),
];

/// Which face text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// The title's (小标宋: FandolSong-Bold).
    Title,
    /// 黑体 (FandolHei): everything else.
    Hei,
}

impl Face {
    /// The style role whose face it is.
    pub fn role(self) -> Role {
        match self {
            Face::Title => Role::Title,
            Face::Hei => Role::Heading1,
        }
    }
}

/// One thing drawn, in the block's units (y down from the block's top).
#[derive(Debug, Clone, PartialEq)]
pub enum Prim {
    /// A filled rectangle, optionally outlined.
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Color, stroke: Option<Color> },
    /// A straight line.
    Line { x0: f32, y0: f32, x1: f32, y1: f32, width: f32, color: Color },
    /// A line of text from (x, baseline y).
    Text(Text),
}

/// A line of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// Left end.
    pub x: f32,
    /// Baseline.
    pub y: f32,
    /// Font size.
    pub size: f32,
    /// The text.
    pub text: String,
    /// The face.
    pub face: Face,
    /// Its colour.
    pub fill: Color,
    /// For a number: the cell key it shows and the year it is of.
    pub number: Option<(String, i32)>,
    /// In a table: the cell it is in.
    pub cell: Option<usize>,
    /// Beside a heading (its unit, the key): a paragraph of its own, not the heading's text.
    pub note: bool,
}

/// What a block is, for the PDF's structure tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// The band with the report's title (`H1`).
    Header {
        /// Its text, as one heading.
        title: String,
    },
    /// A chart's title (`H2`).
    Heading {
        /// Its text.
        title: String,
    },
    /// A chart (`Figure` with alternative text).
    Figure {
        /// The chart's key.
        key: &'static str,
        /// The chart in words.
        alt: String,
    },
    /// A paragraph: a chart whose numbers are all 0, or the footer (`P`).
    Sentence,
    /// A chart's numbers as a table (`Table`): each cell's row and whether it is a label.
    Table {
        /// Per cell: (row, is a header, header scope is the row's).
        cells: Vec<(usize, bool, bool)>,
    },
}

/// A block of the drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// What it is.
    pub part: Part,
    /// Its height.
    pub height: f32,
    /// What it draws. Text belongs to the part; rectangles and lines of a heading, sentence
    /// or table are decoration (artifacts in the PDF), of a figure, the figure.
    pub prims: Vec<Prim>,
}

/// Text measuring with the bundled fonts.
struct Measure<'a>(&'a FontBook);

impl Measure<'_> {
    fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        text.chars().map(|c| self.0.glyph(face.role(), c).advance).sum::<f32>() * size
    }

    /// `text` broken into lines no wider than `max` (at any character: Chinese has no
    /// spaces), at most [`MAX_LINES`], the last ending in `…` when more was left.
    fn wrap(&self, face: Face, size: f32, text: &str, max: f32) -> Vec<String> {
        let mut lines = vec![String::new()];
        let mut width = 0.0;
        for c in text.chars() {
            let w = self.width(face, size, c.encode_utf8(&mut [0; 4]));
            if width + w > max && !lines.last().is_some_and(String::is_empty) {
                if lines.len() == MAX_LINES {
                    let last = lines.last_mut().expect("a line");
                    last.pop();
                    last.push('…');
                    return lines;
                }
                lines.push(String::new());
                width = 0.0;
            }
            lines.last_mut().expect("a line").push(c);
            width += w;
        }
        lines
    }
}

fn text(x: f32, y: f32, size: f32, s: impl Into<String>, face: Face, fill: Color) -> Prim {
    Prim::Text(Text {
        x,
        y,
        size,
        text: s.into(),
        face,
        fill,
        number: None,
        cell: None,
        note: false,
    })
}

fn number(x: f32, y: f32, size: f32, v: Value, key: &str, year: i32) -> Prim {
    Prim::Text(Text {
        x,
        y,
        size,
        text: v.display(),
        face: Face::Hei,
        fill: INK,
        number: Some((key.to_string(), year)),
        cell: None,
        note: false,
    })
}

fn rect(x: f32, y: f32, w: f32, h: f32, fill: Color) -> Prim {
    Prim::Rect { x, y, w, h, fill, stroke: None }
}

/// The blocks of the long image (and the SVG): the title band, each chart's title and
/// chart (or its sentence), the source line.
pub fn long_image(t: &Tujie, fonts: &FontBook) -> Vec<Block> {
    let m = Measure(fonts);
    let mut blocks = vec![header(t, &m)];
    for chart in &t.charts {
        blocks.push(heading(t, chart, &m));
        blocks.push(figure_or_sentence(t, chart, &m));
    }
    blocks.push(footer(t, &m));
    blocks
}

/// The drawing of one chart alone (none for a chart of zeros), for the HTML page.
pub fn chart_figure(t: &Tujie, chart: &Chart, fonts: &FontBook) -> Option<Block> {
    (!chart.is_zero()).then(|| figure_or_sentence(t, chart, &Measure(fonts)))
}

/// The blocks of the PDF pages: as the long image, each chart followed by its numbers as a
/// table.
pub fn paged(t: &Tujie, fonts: &FontBook) -> Vec<Block> {
    let m = Measure(fonts);
    let mut blocks = vec![header(t, &m)];
    for chart in &t.charts {
        blocks.push(heading(t, chart, &m));
        blocks.push(figure_or_sentence(t, chart, &m));
        blocks.push(table(t, chart, &m));
    }
    blocks.push(footer(t, &m));
    blocks
}

/// The report's title on the red band: the unit, the year's report, `图解`.
fn header(t: &Tujie, m: &Measure) -> Block {
    let inner = WIDTH - 2.0 * MARGIN;
    let mut prims = Vec::new();
    let mut y = 88.0;
    let mut lines = Vec::new();
    for line in m.wrap(Face::Hei, 40.0, &t.unit, inner) {
        lines.push((line, Face::Hei, 40.0));
    }
    for line in m.wrap(Face::Title, 56.0, &format!("{}年政府信息公开工作年度报告", t.year), inner)
    {
        lines.push((line, Face::Title, 56.0));
    }
    let mut texts = Vec::new();
    for (line, face, size) in lines {
        let w = m.width(face, size, &line);
        texts.push(text((WIDTH - w) / 2.0, y, size, line, face, WHITE));
        y += size * 1.45;
    }
    // 图解 in a white pill under the title.
    let label = "图 解";
    let w = m.width(Face::Title, 44.0, label) + 64.0;
    let pill_y = y - 16.0;
    let height = pill_y + 64.0 + 48.0;
    prims.push(rect(0.0, 0.0, WIDTH, height, ACCENT));
    prims.push(rect((WIDTH - w) / 2.0, pill_y, w, 64.0, WHITE));
    prims.extend(texts);
    prims.push(text((WIDTH - w) / 2.0 + 32.0, pill_y + 48.0, 44.0, label, Face::Title, ACCENT));
    let title = format!("{}{}年政府信息公开工作年度报告图解", t.unit, t.year);
    Block { part: Part::Header { title }, height, prims }
}

/// A chart's title with a red mark before it, the unit it counts in and, comparing, the key.
fn heading(t: &Tujie, chart: &Chart, m: &Measure) -> Block {
    let inner = WIDTH - 2.0 * MARGIN - 28.0;
    let lines = m.wrap(Face::Hei, 38.0, &chart.title, inner);
    let mut prims = vec![rect(MARGIN, 40.0, 10.0, 44.0 + 52.0 * (lines.len() - 1) as f32, ACCENT)];
    let mut y = 76.0;
    for line in lines {
        prims.push(text(MARGIN + 28.0, y, 38.0, line, Face::Hei, ACCENT));
        y += 52.0;
    }
    let first_note = prims.len();
    if chart.is_zero() {
        // A sentence follows: no unit to read numbers in.
        y -= 40.0;
    } else {
        let note = format!("单位：{}", chart.measure);
        prims.push(text(MARGIN + 28.0, y + 4.0, 26.0, note, Face::Hei, MUTED));
    }
    if let (Some(py), false, ChartKind::Bars) = (t.previous_year, chart.is_zero(), chart.kind) {
        // The key: this year dark, last year light and outlined.
        let mut x = WIDTH - MARGIN;
        for (year, fill, stroke) in [(py, LAST_YEAR, Some(THIS_YEAR)), (t.year, THIS_YEAR, None)] {
            let label = format!("{year}年");
            x -= m.width(Face::Hei, 26.0, &label);
            prims.push(text(x, y + 4.0, 26.0, label, Face::Hei, INK));
            x -= 34.0;
            prims.push(Prim::Rect { x, y: y - 18.0, w: 24.0, h: 24.0, fill, stroke });
            x -= 24.0;
        }
    }
    for p in &mut prims[first_note..] {
        if let Prim::Text(t) = p {
            t.note = true;
        }
    }
    Block { part: Part::Heading { title: chart.title.clone() }, height: y + 24.0, prims }
}

fn figure_or_sentence(t: &Tujie, chart: &Chart, m: &Measure) -> Block {
    if chart.is_zero() {
        return sentence(&chart.zero_sentence, m, 30.0, INK);
    }
    let prims = match chart.kind {
        ChartKind::Bars => bars(t, chart, m),
        ChartKind::Shares => shares(t, chart, m),
    };
    let height = prims.iter().map(bottom).fold(0.0, f32::max) + 24.0;
    let alt = chart.description(t.year, t.previous_year);
    Block { part: Part::Figure { key: chart.key, alt }, height, prims }
}

fn bottom(p: &Prim) -> f32 {
    match p {
        Prim::Rect { y, h, .. } => y + h,
        Prim::Line { y0, y1, .. } => y0.max(*y1),
        Prim::Text(t) => t.y + t.size * 0.25,
    }
}

/// A wrapped paragraph.
fn sentence(s: &str, m: &Measure, size: f32, fill: Color) -> Block {
    let lines = m.wrap(Face::Hei, size, s, WIDTH - 2.0 * MARGIN);
    let mut prims = Vec::new();
    let mut y = size * 1.3;
    for line in lines {
        prims.push(text(MARGIN, y, size, line, Face::Hei, fill));
        y += size * 1.6;
    }
    Block { part: Part::Sentence, height: y, prims }
}

/// Horizontal bars: a label, the bar, its number; grouped rows under their group's name.
fn bars(t: &Tujie, chart: &Chart, m: &Measure) -> Vec<Prim> {
    const SIZE: f32 = 28.0;
    let compare = chart.compares();
    let max = chart
        .rows
        .iter()
        .flat_map(|r| [Some(r.value), r.previous].into_iter().flatten())
        .map(as_f64)
        .fold(0.0, f64::max);
    let label_w = chart.rows.iter().map(|r| m.width(Face::Hei, SIZE, &r.label)).fold(0.0, f32::max);
    let value_w = chart
        .rows
        .iter()
        .flat_map(|r| [Some(r.value), r.previous].into_iter().flatten())
        .map(|v| m.width(Face::Hei, SIZE, &v.display()))
        .fold(0.0, f32::max);
    let bar_x = MARGIN + 28.0 + label_w + 24.0;
    let bar_max = (WIDTH - MARGIN - bar_x - value_w - 16.0).max(40.0);
    let length = |v: Value| if max > 0.0 { (as_f64(v) / max) as f32 * bar_max } else { 0.0 };
    let mut prims = Vec::new();
    let mut y = 12.0;
    let mut group: Option<&str> = None;
    for row in &chart.rows {
        if row.group.as_deref() != group {
            group = row.group.as_deref();
            if let Some(g) = group {
                y += 8.0;
                prims.push(text(MARGIN, y + 30.0, 30.0, g, Face::Hei, THIS_YEAR));
                y += 50.0;
            }
        }
        let (bar_h, row_h) = if compare { (28.0, 84.0) } else { (34.0, 58.0) };
        // The axis the row's bars start from.
        prims.push(Prim::Line {
            x0: bar_x,
            y0: y,
            x1: bar_x,
            y1: y + row_h,
            width: 2.0,
            color: RULE,
        });
        prims.push(text(MARGIN + 28.0, y + 30.0, SIZE, &row.label, Face::Hei, INK));
        bar(&mut prims, bar_x, y + 6.0, length(row.value), bar_h, THIS_YEAR, None);
        let vx = bar_x + length(row.value) + 12.0;
        prims.push(number(vx, y + 6.0 + bar_h - 6.0, SIZE, row.value, &row.key, t.year));
        if let (Some(prev), Some(py)) = (row.previous, t.previous_year) {
            let py_y = y + 6.0 + bar_h + 6.0;
            bar(&mut prims, bar_x, py_y, length(prev), 24.0, LAST_YEAR, Some(THIS_YEAR));
            let vx = bar_x + length(prev) + 12.0;
            prims.push(number(vx, py_y + 21.0, 24.0, prev, &row.key, py));
        }
        y += row_h;
    }
    prims
}

fn bar(prims: &mut Vec<Prim>, x: f32, y: f32, w: f32, h: f32, fill: Color, stroke: Option<Color>) {
    if w > 0.0 {
        prims.push(Prim::Rect { x, y, w: w.max(2.0), h, fill, stroke });
    }
}

/// Shares: a bar cut into the parts (a second for last year), then a key of every part with
/// its number and percentage.
fn shares(t: &Tujie, chart: &Chart, m: &Measure) -> Vec<Prim> {
    const SIZE: f32 = 28.0;
    let mut prims = Vec::new();
    let mut y = 16.0;
    let years: Vec<(i32, bool)> = match t.previous_year {
        Some(py) if chart.compares() => vec![(t.year, true), (py, false)],
        _ => vec![(t.year, true)],
    };
    let year_w = if years.len() > 1 { m.width(Face::Hei, 26.0, "0000年") + 16.0 } else { 0.0 };
    let x0 = MARGIN + year_w;
    let full = WIDTH - MARGIN - x0;
    for &(year, this) in &years {
        if years.len() > 1 {
            prims.push(text(MARGIN, y + 42.0, 26.0, format!("{year}年"), Face::Hei, INK));
        }
        let mut x = x0;
        for (i, row) in chart.rows.iter().enumerate() {
            let p = if this { row.permille } else { row.previous_permille }.unwrap_or(0);
            let w = full * p as f32 / 1000.0;
            if w > 0.0 {
                // Outlined: the lightest part stays visible on white.
                let fill = SHARES[i % SHARES.len()];
                prims.push(Prim::Rect { x, y, w, h: 60.0, fill, stroke: Some(RULE) });
                // A white gap between parts.
                if x > x0 {
                    prims.push(Prim::Line {
                        x0: x,
                        y0: y,
                        x1: x,
                        y1: y + 60.0,
                        width: 3.0,
                        color: WHITE,
                    });
                }
            }
            x += w;
        }
        y += 84.0;
    }
    // The key: swatch, label, this year's number and share (and last year's).
    y += 8.0;
    let cols: Vec<(f32, String)> = {
        let mut c = vec![
            (WIDTH - MARGIN - 380.0, format!("{}年件数", t.year)),
            (WIDTH - MARGIN - 250.0, "占比".into()),
        ];
        if years.len() > 1 {
            c = vec![
                (WIDTH - MARGIN - 470.0, format!("{}年", t.year)),
                (WIDTH - MARGIN - 350.0, "占比".into()),
                (WIDTH - MARGIN - 170.0, format!("{}年", years[1].0)),
                (WIDTH - MARGIN, "占比".into()),
            ];
        } else {
            c[0].0 = WIDTH - MARGIN - 200.0;
            c[1].0 = WIDTH - MARGIN;
        }
        c
    };
    for (x, label) in &cols {
        let w = m.width(Face::Hei, 24.0, label);
        prims.push(text(x - w, y + 26.0, 24.0, label.clone(), Face::Hei, MUTED));
    }
    y += 44.0;
    for (i, row) in chart.rows.iter().enumerate() {
        prims.push(Prim::Rect {
            x: MARGIN,
            y: y + 6.0,
            w: 30.0,
            h: 30.0,
            fill: SHARES[i % SHARES.len()],
            stroke: Some(RULE),
        });
        prims.push(text(MARGIN + 46.0, y + 32.0, SIZE, &row.label, Face::Hei, INK));
        let mut cells: Vec<Prim> = vec![
            number(0.0, y + 32.0, SIZE, row.value, &row.key, t.year),
            text(0.0, y + 32.0, SIZE, percent_text(row.permille.unwrap_or(0)), Face::Hei, INK),
        ];
        if years.len() > 1
            && let (Some(prev), Some(py)) = (row.previous, t.previous_year)
        {
            cells.push(number(0.0, y + 32.0, SIZE, prev, &row.key, py));
            cells.push(text(
                0.0,
                y + 32.0,
                SIZE,
                percent_text(row.previous_permille.unwrap_or(0)),
                Face::Hei,
                INK,
            ));
        }
        for (mut cell, (x, _)) in cells.into_iter().zip(&cols) {
            if let Prim::Text(t) = &mut cell {
                t.x = x - m.width(Face::Hei, t.size, &t.text);
            }
            prims.push(cell);
        }
        y += 48.0;
    }
    prims
}

/// A chart's numbers as a table ([`Chart::table`]): labels flush left, numbers centred.
fn table(t: &Tujie, chart: &Chart, m: &Measure) -> Block {
    const SIZE: f32 = 24.0;
    const ROW: f32 = 44.0;
    let data = chart.table(t.year, t.previous_year);
    let inner = WIDTH - 2.0 * MARGIN;
    let first = inner * 0.46;
    let rest = (inner - first) / (data.head.len() - 1) as f32;
    let col_x = |c: usize| if c == 0 { MARGIN } else { MARGIN + first + rest * (c - 1) as f32 };
    let col_w = |c: usize| if c == 0 { first } else { rest };
    let head = data.head.iter().map(|h| TableCell { text: h.clone(), number: None }).collect();
    let rows: Vec<Vec<TableCell>> = std::iter::once(head).chain(data.rows).collect();
    let mut prims = vec![rect(MARGIN, 0.0, inner, ROW, HEAD_FILL)];
    let mut cells = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let y = ROW * r as f32;
        for (c, cell) in row.iter().enumerate() {
            let face = Face::Hei;
            // A label too long for its column is set smaller.
            let mut size = SIZE;
            let w = m.width(face, size, &cell.text);
            if w > col_w(c) - 16.0 {
                size *= (col_w(c) - 16.0) / w;
            }
            let w = m.width(face, size, &cell.text);
            let x = if c == 0 && r > 0 { col_x(c) + 10.0 } else { col_x(c) + (col_w(c) - w) / 2.0 };
            prims.push(Prim::Text(Text {
                x,
                y: y + ROW / 2.0 + size * 0.36,
                size,
                text: cell.text.clone(),
                face,
                fill: INK,
                number: cell.number.clone(),
                cell: Some(cells.len()),
                note: false,
            }));
            cells.push((r, r == 0 || c == 0, r > 0 && c == 0));
        }
    }
    let height = ROW * rows.len() as f32;
    for r in 0..=rows.len() {
        let y = ROW * r as f32;
        prims.push(Prim::Line {
            x0: MARGIN,
            y0: y,
            x1: WIDTH - MARGIN,
            y1: y,
            width: 1.5,
            color: RULE,
        });
    }
    let columns = rows[0].len();
    for c in 0..=columns {
        let x = if c == columns { WIDTH - MARGIN } else { col_x(c) };
        prims.push(Prim::Line { x0: x, y0: 0.0, x1: x, y1: height, width: 1.5, color: RULE });
    }
    Block { part: Part::Table { cells }, height: height + 24.0, prims }
}

fn footer(t: &Tujie, m: &Measure) -> Block {
    let s = format!(
        "数据来源：{}。本图解由 nianbao 依据报告的表格数据生成，图中数字与报告表格一致。",
        t.title
    );
    let mut b = sentence(&s, m, 24.0, MUTED);
    b.prims.insert(
        0,
        Prim::Line { x0: MARGIN, y0: 8.0, x1: WIDTH - MARGIN, y1: 8.0, width: 1.5, color: RULE },
    );
    b.height += 40.0;
    for p in &mut b.prims {
        if let Prim::Text(t) = p {
            t.y += 24.0;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text passes WCAG AA (4.5:1) on what it is drawn on; the shares' parts stay apart in
    /// grey.
    #[test]
    fn colours_pass_contrast_and_hold_in_grey() {
        for (fg, bg) in [
            (INK, WHITE),
            (MUTED, WHITE),
            (ACCENT, WHITE),
            (WHITE, ACCENT),
            (THIS_YEAR, WHITE),
            (INK, HEAD_FILL),
        ] {
            assert!(fg.contrast(bg) >= 4.5, "{} on {}: {}", fg.hex(), bg.hex(), fg.contrast(bg));
        }
        for pair in SHARES.windows(2) {
            assert!(pair[0].contrast(pair[1]) >= 1.5, "{} {}", pair[0].hex(), pair[1].hex());
        }
        assert!(THIS_YEAR.contrast(LAST_YEAR) >= 3.0);
    }
}
