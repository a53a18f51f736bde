//! PDF with a text layer → blocks, from positioned text (lopdf reads the file, the
//! fonts' ToUnicode maps decode the glyphs). Every text run gets its page position;
//! runs on one baseline close together are one cell, lines are read top to bottom;
//! body lines that run to the right margin are joined with the next unindented
//! line into one paragraph. Table cells come out one per block, in reading order,
//! the way text copied from a page does, and the core finds the tables in them.
//! Page numbers (`- 4 -`, `— 4 —`) are dropped, wherever they fall.

use super::Loc;
use super::scan::{Block, Cell, is_cjk};
use lopdf::{Document, Encoding, Object};
use std::collections::BTreeMap;

/// A piece of text shown at one place.
#[derive(Debug, Clone)]
struct Run {
    x: f64,
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

type Matrix = [f64; 6];

fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn num(o: &Object) -> f64 {
    match o {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        _ => 0.0,
    }
}

/// The most a font's /ToUnicode stream may inflate to (a real one is a few KB).
const CMAP_LIMIT: usize = 4 * 1024 * 1024;

/// The most one object or cross-reference stream may inflate to while the file is loaded
/// (a real one is a few hundred KB).
const LOAD_LIMIT: usize = 16 * 1024 * 1024;

/// Reads a PDF into blocks; `Err` says why it cannot be read. Every stream is inflated
/// within a cap: each object stream within [`LOAD_LIMIT`], each /ToUnicode within
/// [`CMAP_LIMIT`], and all pages' content together within [`super::INFLATE_LIMIT`], so a
/// small file that inflates to gigabytes is refused instead of exhausting memory.
pub(super) fn read_pdf(bytes: &[u8]) -> Result<Vec<Block>, String> {
    let options =
        lopdf::LoadOptions { max_decompressed_size: Some(LOAD_LIMIT), ..Default::default() };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| inflate_error(&e))?;
    if doc.is_encrypted() {
        return Err("the PDF is encrypted".into());
    }
    let mut pages = Vec::new();
    let mut budget = super::INFLATE_LIMIT;
    for (page_no, page_id) in doc.get_pages() {
        let fonts = doc.get_page_fonts(page_id).map_err(|e| e.to_string())?;
        // A font's /ToUnicode says what its codes mean, whatever its /Encoding: LibreOffice
        // and Word write Chinese in simple fonts with a WinAnsi /Encoding and the real
        // characters only in /ToUnicode. lopdf prefers /Encoding, so it gets the font
        // without it.
        let fonts: Vec<(Vec<u8>, lopdf::Dictionary)> = fonts
            .into_iter()
            .map(|(name, font)| {
                let mut font = font.clone();
                if font.has(b"ToUnicode") {
                    font.remove(b"Encoding");
                }
                (name, font)
            })
            .collect();
        let encodings: BTreeMap<Vec<u8>, PdfFont> = fonts
            .iter()
            .filter_map(|(name, font)| {
                let encoding = font.get_font_encoding_with_limit(&doc, CMAP_LIMIT).ok()?;
                Some((name.clone(), PdfFont { encoding, widths: Widths::of(&doc, font) }))
            })
            .collect();
        let content =
            doc.get_page_content_with_limit(page_id, budget).map_err(|e| inflate_error(&e))?;
        budget -= content.len().min(budget);
        let content = lopdf::content::Content::decode(&content).map_err(|e| e.to_string())?;
        pages.push((page_no, page_runs(&content.operations, &encodings)));
    }
    let body = Body::of(pages.iter().flat_map(|(_, runs)| runs));
    let mut out = Vec::new();
    let mut open = None;
    for (page_no, runs) in pages {
        page_blocks(page_no, runs, &body, &mut open, &mut out);
    }
    if let Some(p) = open {
        out.push(Block::Para(p.cell));
    }
    Ok(out)
}

/// lopdf's error, said in Chinese too when a stream inflates past its cap.
fn inflate_error(e: &lopdf::Error) -> String {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            super::inflate_refused()
        }
        other => other.to_string(),
    }
}

/// A font of a page: how its codes decode and how wide its glyphs are.
struct PdfFont<'a> {
    encoding: Encoding<'a>,
    widths: Widths,
}

/// Glyph widths (1/1000 of the font size) by character code, from the font dictionary.
/// A run's end comes from them: LibreOffice and Word switch fonts for digits and Latin
/// text inside a line, and a guessed width would open a gap between the runs that reads
/// as a cell boundary.
enum Widths {
    /// A simple font: one byte per code, `/Widths` from `/FirstChar`.
    Simple { first: u32, widths: Vec<f64>, missing: f64 },
    /// A CID font (`Type0`): two bytes per code, `/W` and `/DW`.
    Cid { widths: BTreeMap<u32, f64>, default: f64 },
    /// None given: the width is guessed from the character.
    Unknown,
}

impl Widths {
    fn of(doc: &Document, font: &lopdf::Dictionary) -> Widths {
        let deref = |o: &Object| -> Option<Object> {
            match o {
                Object::Reference(id) => doc.get_object(*id).ok().cloned(),
                other => Some(other.clone()),
            }
        };
        let get = |d: &lopdf::Dictionary, k: &[u8]| d.get(k).ok().and_then(deref);
        let is_type0 = font.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Type0");
        if is_type0 {
            let Some(Object::Array(desc)) = get(font, b"DescendantFonts") else {
                return Widths::Unknown;
            };
            let Some(Object::Dictionary(cid)) = desc.first().and_then(deref) else {
                return Widths::Unknown;
            };
            let default = get(&cid, b"DW").map_or(1000.0, |o| num(&o));
            let mut widths = BTreeMap::new();
            if let Some(Object::Array(w)) = get(&cid, b"W") {
                let mut i = 0;
                while i + 1 < w.len() {
                    let start = num(&w[i]) as u32;
                    match deref(&w[i + 1]) {
                        Some(Object::Array(list)) => {
                            for (k, v) in list.iter().enumerate().take(65_536) {
                                widths.insert(start + k as u32, num(v));
                            }
                            i += 2;
                        }
                        _ if i + 2 < w.len() => {
                            let end = (num(&w[i + 1]) as u32).min(start.saturating_add(65_536));
                            for c in start..=end {
                                widths.insert(c, num(&w[i + 2]));
                            }
                            i += 3;
                        }
                        _ => break,
                    }
                }
            }
            return Widths::Cid { widths, default };
        }
        let Some(Object::Array(list)) = get(font, b"Widths") else { return Widths::Unknown };
        let first = get(font, b"FirstChar").map_or(0.0, |o| num(&o)) as u32;
        let missing = get(font, b"FontDescriptor")
            .and_then(|d| d.as_dict().ok().and_then(|d| get(d, b"MissingWidth")))
            .map_or(0.0, |o| num(&o));
        Widths::Simple { first, widths: list.iter().map(num).collect(), missing }
    }

    /// How many character codes `bytes` hold (each gets the character spacing, `Tc`).
    fn codes(&self, bytes: &[u8], text: &str) -> usize {
        match self {
            Widths::Simple { .. } => bytes.len(),
            Widths::Cid { .. } => bytes.len().div_ceil(2),
            Widths::Unknown => text.chars().count(),
        }
    }

    /// The advance of the shown `bytes` in text space (font size 1), or `None` to guess.
    fn advance(&self, bytes: &[u8]) -> Option<f64> {
        match self {
            Widths::Simple { first, widths, missing } => Some(
                bytes
                    .iter()
                    .map(|&b| {
                        let i = u32::from(b).checked_sub(*first).map(|i| i as usize);
                        i.and_then(|i| widths.get(i)).copied().unwrap_or(*missing)
                    })
                    .sum::<f64>()
                    / 1000.0,
            ),
            Widths::Cid { widths, default } => Some(
                bytes
                    .chunks(2)
                    .map(|c| {
                        let code = c.iter().fold(0u32, |a, &b| a << 8 | u32::from(b));
                        widths.get(&code).copied().unwrap_or(*default)
                    })
                    .sum::<f64>()
                    / 1000.0,
            ),
            Widths::Unknown => None,
        }
    }
}

/// Every text run of a page with its position in page space.
fn page_runs(ops: &[lopdf::content::Operation], fonts: &BTreeMap<Vec<u8>, PdfFont>) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut ctm = IDENTITY;
    // The graphics state's part of the text state: the CTM and the character spacing.
    let mut stack: Vec<(Matrix, f64)> = Vec::new();
    let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
    let (mut size, mut leading) = (12.0f64, 0.0f64);
    // `Tc`, in unscaled text space units, added after each character code.
    let mut spacing = 0.0f64;
    let mut font: Option<&PdfFont> = None;
    for op in ops {
        let a = &op.operands;
        match op.operator.as_str() {
            "q" => stack.push((ctm, spacing)),
            "Q" => (ctm, spacing) = stack.pop().unwrap_or((IDENTITY, 0.0)),
            "Tc" if !a.is_empty() => spacing = num(&a[0]),
            "cm" if a.len() == 6 => {
                let m = [num(&a[0]), num(&a[1]), num(&a[2]), num(&a[3]), num(&a[4]), num(&a[5])];
                ctm = mul(&m, &ctm);
            }
            "BT" => {
                tm = IDENTITY;
                tlm = IDENTITY;
            }
            "Tf" if a.len() == 2 => {
                font = match &a[0] {
                    Object::Name(n) => fonts.get(n),
                    _ => None,
                };
                size = num(&a[1]);
            }
            "TL" if !a.is_empty() => leading = num(&a[0]),
            "Td" | "TD" if a.len() == 2 => {
                if op.operator == "TD" {
                    leading = -num(&a[1]);
                }
                tlm = mul(&[1.0, 0.0, 0.0, 1.0, num(&a[0]), num(&a[1])], &tlm);
                tm = tlm;
            }
            "Tm" if a.len() == 6 => {
                tlm = [num(&a[0]), num(&a[1]), num(&a[2]), num(&a[3]), num(&a[4]), num(&a[5])];
                tm = tlm;
            }
            "T*" => {
                tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -leading], &tlm);
                tm = tlm;
            }
            "Tj" | "TJ" | "'" | "\"" => {
                if op.operator == "\"" && a.len() == 3 {
                    spacing = num(&a[1]);
                }
                if matches!(op.operator.as_str(), "'" | "\"") {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -leading], &tlm);
                    tm = tlm;
                }
                let Some(font) = font else { continue };
                let parts: Vec<&Object> = match a.last() {
                    Some(Object::Array(items)) => items.iter().collect(),
                    Some(o) => vec![o],
                    None => continue,
                };
                let mut text = String::new();
                let mut advance = 0.0;
                for p in parts {
                    match p {
                        Object::String(bytes, _) => {
                            let s =
                                Document::decode_text(&font.encoding, bytes).unwrap_or_default();
                            advance += font.widths.advance(bytes).unwrap_or_else(|| {
                                s.chars()
                                    .map(|c| {
                                        // CJK, and the quotes and dashes set full width beside it.
                                        let wide = is_cjk(c)
                                            || c > '\u{2e80}'
                                            || ('\u{2010}'..='\u{206f}').contains(&c);
                                        if wide { 1.0 } else { 0.5 }
                                    })
                                    .sum::<f64>()
                            });
                            if size != 0.0 {
                                advance += spacing / size * font.widths.codes(bytes, &s) as f64;
                            }
                            text.push_str(&s);
                        }
                        // A large kerning gap in Word output is a space.
                        o @ (Object::Integer(_) | Object::Real(_)) => {
                            let adj = num(o) / 1000.0;
                            advance -= adj;
                            if adj < -0.25 {
                                text.push(' ');
                            }
                        }
                        _ => {}
                    }
                }
                let trm = mul(&tm, &ctm);
                let scale = (trm[0] * trm[3] - trm[1] * trm[2]).abs().sqrt();
                let eff = size * scale;
                let x = trm[4];
                let y = trm[5];
                tm = mul(&[1.0, 0.0, 0.0, 1.0, advance * size, 0.0], &tm);
                if !text.trim().is_empty() {
                    runs.push(Run { x, y, end: x + advance * eff, size: eff, text });
                }
            }
            _ => {}
        }
    }
    runs
}

/// The body text of the whole document: its most common size (by characters of its
/// sentences) and the right edge of its lines.
#[derive(Debug, Clone, Copy)]
struct Body {
    size: f64,
    right: f64,
}

impl Body {
    fn of<'a>(runs: impl Iterator<Item = &'a Run> + Clone) -> Body {
        let mut sizes: BTreeMap<i64, usize> = BTreeMap::new();
        // Sentences only (table labels never hold a 。): a report of mostly table cells
        // must not make the cell size the body's.
        let sentences = runs.clone().filter(|r| r.text.contains('。'));
        let long = runs.clone().filter(|r| r.text.chars().count() >= 12);
        let pick = if sentences.clone().next().is_some() {
            sentences.collect::<Vec<_>>()
        } else {
            long.collect()
        };
        for r in pick {
            *sizes.entry((r.size * 10.0).round() as i64).or_default() += r.text.chars().count();
        }
        let size = sizes.iter().max_by_key(|(_, n)| **n).map_or(16.0, |(s, _)| *s as f64 / 10.0);
        let right =
            runs.filter(|r| (r.size - size).abs() < 0.5).map(|r| r.end).fold(f64::MIN, f64::max);
        Body { size, right }
    }
}

/// `- 4 -`, `— 4 —`, `-4-`, `第4页`, `第 4 页 共 6 页`, `4/6`: a page number.
pub(super) fn is_page_number(t: &str) -> bool {
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let core = t.trim_matches(|c| matches!(c, '-' | '—' | '–' | '－' | '─'));
    if core.len() < t.len() && digits(core) {
        return true;
    }
    if let Some((a, b)) = t.split_once('/') {
        return digits(a) && digits(b);
    }
    let Some(rest) = t.strip_prefix('第') else { return false };
    let Some((n, tail)) = rest.split_once('页') else { return false };
    digits(n)
        && (tail.is_empty()
            || tail.strip_prefix('共').and_then(|x| x.strip_suffix('页')).is_some_and(digits))
}

/// The paragraph being joined (it may go on on the next page).
struct Para {
    cell: Cell,
    /// Where its last line ends.
    end: f64,
    size: f64,
    /// Where its first line starts (indented by two characters in official documents).
    first_x: f64,
    /// Where its second line started, once it has one.
    cont_x: Option<f64>,
}

type Open = Option<Para>;

/// Lines and cells of a page → blocks.
fn page_blocks(
    page: u32,
    mut runs: Vec<Run>,
    body_text: &Body,
    open: &mut Open,
    out: &mut Vec<Block>,
) {
    runs.retain(|r| !is_page_number(&r.text));
    // Top to bottom (PDF y grows upwards), then left to right.
    runs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Vec<Run>> = Vec::new();
    for r in runs {
        match lines.last_mut() {
            Some(line) if (line[0].y - r.y).abs() < 0.3 * r.size.max(line[0].size) => line.push(r),
            _ => lines.push(vec![r]),
        }
    }
    // Cells: runs on a line closer than half a character are one piece of text.
    let mut rows: Vec<Vec<Run>> = Vec::new();
    for mut line in lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut cells: Vec<Run> = Vec::new();
        for r in line {
            match cells.last_mut() {
                Some(c) if r.x - c.end < 0.5 * r.size => {
                    c.text.push_str(&r.text);
                    c.end = r.end.max(c.end);
                }
                _ => cells.push(r),
            }
        }
        // A page number drawn in pieces (dashes in one font, digits in another) is one
        // cell only once its runs are joined.
        cells.retain(|c| !is_page_number(&c.text));
        if !cells.is_empty() {
            rows.push(cells);
        }
    }
    let Body { size: body, right, .. } = *body_text;
    let is_body = |c: &Run| (c.size - body).abs() < 0.5;
    let flush = |open: &mut Open, out: &mut Vec<Block>| {
        if let Some(p) = open.take() {
            out.push(Block::Para(p.cell));
        }
    };
    for (li, cells) in rows.into_iter().enumerate() {
        let single = cells.len() == 1;
        for (ci, c) in cells.into_iter().enumerate() {
            let loc = Loc::Pdf { page, line: li as u32 + 1, col: ci as u32 + 1 };
            let body_line = single && is_body(&c);
            // A title set larger than the body and broken over lines is one paragraph.
            let title_line = single && c.size > body + 1.0;
            if body_line || title_line {
                // A body line goes on the paragraph above when that one's last line is
                // full and this line starts where continuation lines do: left of the
                // indented first line, or where the paragraph's second line started.
                if let Some(p) = open
                    && (c.size - p.size).abs() < 0.5
                    && (title_line
                        || (p.end >= right - 1.5 * c.size
                            && match p.cont_x {
                                Some(x) => (c.x - x).abs() < 0.5 * c.size,
                                None => c.x < p.first_x - 0.5 * c.size,
                            }))
                {
                    p.cell.text.push_str(&c.text);
                    p.end = c.end;
                    p.cont_x = p.cont_x.or(Some(c.x));
                    continue;
                }
                flush(open, out);
                *open = Some(Para {
                    cell: Cell { text: c.text, loc },
                    end: c.end,
                    size: c.size,
                    first_x: c.x,
                    cont_x: None,
                });
            } else {
                flush(open, out);
                out.push(Block::Para(Cell { text: c.text, loc }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_recognised() {
        for t in ["- 4 -", "— 12 —", "-4-", "－3－", "第4页", "第 4 页 共 6 页", "4/6"]
        {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["4", "2024", "一、", "-", "第二十条", "1/2项"] {
            assert!(!is_page_number(t), "{t}");
        }
    }
}
