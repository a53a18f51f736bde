//! Chinese line breaking: glyphs on the character grid, Latin and digit runs kept
//! whole, no line starting with closing punctuation or ending with opening
//! punctuation (pull back with half-width compression, or push forward), then
//! justification by spreading the remaining space between units.

use crate::fonts::{FaceId, FontBook};
use crate::resolve::{Align, Run};
use crate::template::Role;

/// Characters that must not start a line (W3C clreq: closing marks and marks
/// that stay with their left neighbour).
const NO_START: &str = "，。、；：？！）》」』”’〕】…—〉］｝％·～,.;:?!)]}%";
/// Characters that must not end a line (opening marks).
const NO_END: &str = "（《「『“‘〔【〈［｛([{";

/// Full-width marks whose ink sits in the left half of the cell (mainland forms).
const CLOSE_HALF: &str = "，。、）》」』”’〕】〉";
/// Full-width marks whose ink sits in the right half.
const OPEN_HALF: &str = "（《「『“‘〔【〈";
/// Full-width punctuation a compressed mark may stand against.
const PUNCT: &str = "，。、；：？！）》」』”’〕】〉（《「『“‘〔【〈";

/// 标点挤压 (clreq §3.1.6, adjacent punctuation): where two full-width marks meet,
/// the blank half between them goes. A mark with its ink on the left before any
/// mark (`》（` `），` `。”`), and a mark with its ink on the right before another
/// such (`（《`), give up their blank half, so the pair takes one and a half
/// cells. Applied before a line is broken and stretched, so justification spreads
/// what is left rather than the blanks of the marks.
pub fn compress_punctuation(glyphs: &mut [Glyph]) {
    for i in 1..glyphs.len() {
        let (a, b) = (glyphs[i - 1].ch, glyphs[i].ch);
        let full = glyphs[i - 1].width > 0.8 * glyphs[i - 1].size;
        let pair = (CLOSE_HALF.contains(a) && PUNCT.contains(b))
            || (OPEN_HALF.contains(a) && OPEN_HALF.contains(b));
        if full && pair {
            glyphs[i - 1].width /= 2.0;
        }
    }
}

/// One glyph ready for placement.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// The character it shows.
    pub ch: char,
    /// Face that draws it.
    pub face: FaceId,
    /// Glyph id in that face.
    pub gid: u16,
    /// Font size in pt.
    pub size: f64,
    /// Advance in pt (grid-adjusted; justification added when a line is set).
    pub width: f64,
    /// Whether a face had the character.
    pub found: bool,
}

/// Measures text for one role set: font size per role and the character pitch
/// that full-width glyphs of grid roles snap to.
pub struct Shaper<'a> {
    /// The fonts.
    pub fonts: &'a FontBook,
    /// Size of each role, in pt.
    pub size: &'a dyn Fn(Role) -> f64,
    /// Pitch of a full-width character for roles on the body grid (None: natural).
    pub grid_pitch: &'a dyn Fn(Role) -> Option<f64>,
}

impl Shaper<'_> {
    /// Turns runs into glyphs.
    pub fn shape(&self, runs: &[Run]) -> Vec<Glyph> {
        let mut out = Vec::new();
        for run in runs {
            let size = (self.size)(run.role);
            let pitch = (self.grid_pitch)(run.role);
            for ch in run.text.chars() {
                if ch == '\n' || ch == '\r' {
                    continue;
                }
                let g = self.fonts.glyph(run.role, ch);
                let natural = f64::from(g.advance) * size;
                // On the grid every character takes the grid's tracking (pitch −
                // size), as Word applies the DOCX's `w:spacing` to each character:
                // a full-width one fills its cell exactly, digits and Latin letters
                // lose the same fraction of a point.
                let width = match pitch {
                    Some(p) if g.advance > 0.0 => (natural + p - size).max(0.0),
                    _ => natural,
                };
                out.push(Glyph { ch, face: g.face, gid: g.gid, size, width, found: g.found });
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Normal,
    Space,
    NoStart,
    NoEnd,
}

#[derive(Debug, Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    width: f64,
    kind: Kind,
    /// A later piece of a long Latin run turned after `/`, `.` or `-`: justification adds
    /// no space before it (a URL is never spaced out).
    piece: bool,
}

fn classify(c: char) -> Kind {
    if c == ' ' || c == '\u{3000}' {
        Kind::Space
    } else if NO_START.contains(c) {
        Kind::NoStart
    } else if NO_END.contains(c) {
        Kind::NoEnd
    } else {
        Kind::Normal
    }
}

fn is_latin(c: char) -> bool {
    c.is_ascii_graphic() && !"([{".contains(c)
}

/// Groups glyphs into unbreakable units: a Latin/digit run, a run of `—` or `…`,
/// or a single character. A Latin run wider than `max` is split into characters.
fn units(glyphs: &[Glyph], max: f64) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    for (i, g) in glyphs.iter().enumerate() {
        let joins = match out.last() {
            Some(u) if u.end == i => {
                let prev = glyphs[i - 1].ch;
                (is_latin(prev) && is_latin(g.ch) && u.kind != Kind::Space)
                    || (prev == g.ch && (g.ch == '—' || g.ch == '…'))
            }
            _ => false,
        };
        if joins {
            let u = out.last_mut().expect("checked above");
            u.end = i + 1;
            u.width += g.width;
            // A Latin run that starts with `.` or `)` still may not start a line.
            continue;
        }
        out.push(Unit { start: i, end: i + 1, width: g.width, kind: classify(g.ch), piece: false });
    }
    // A long Latin run (a URL, a file name, a hyphenated word) may turn after `/`, `.`
    // or `-`, as a typesetter breaks it, without adding a hyphen (#31: kept whole, it went
    // to the next line and left the line before stretched by 42 %). A piece that still
    // cannot fit a line is broken into characters.
    let mut split = Vec::with_capacity(out.len());
    for u in out {
        let long = u.end - u.start >= LONG_RUN && u.kind == Kind::Normal;
        let mut start = u.start;
        for i in u.start..u.end {
            let ends =
                i + 1 == u.end || (long && breaks_after(&glyphs[u.start..u.end], i - u.start));
            if !ends {
                continue;
            }
            let width = advance(&glyphs[start..=i]);
            if width > max && i > start {
                for (j, g) in glyphs.iter().enumerate().take(i + 1).skip(start) {
                    split.push(Unit {
                        start: j,
                        end: j + 1,
                        width: g.width,
                        kind: Kind::Normal,
                        piece: false,
                    });
                }
            } else {
                let piece = start > u.start;
                let kind = if piece { Kind::Normal } else { u.kind };
                split.push(Unit { start, end: i + 1, width, kind, piece });
            }
            start = i + 1;
        }
    }
    split
}

/// Latin runs of this many characters or more may turn inside (after `/`, `.`, `-`);
/// shorter ones (`GB/T`, `2024-25`, `12.5%`) never do.
const LONG_RUN: usize = 10;

/// Whether a long Latin run may turn after its character `i`: after `/`, `-`, or a `.`
/// that is not a decimal point, and not before another of these marks (`//`, `..`), so
/// each piece after the first starts with a letter or digit.
fn breaks_after(run: &[Glyph], i: usize) -> bool {
    let c = run[i].ch;
    let Some(next) = run.get(i + 1).map(|g| g.ch) else { return false };
    let mark = |c: char| matches!(c, '/' | '.' | '-');
    let decimal = c == '.' && i > 0 && run[i - 1].ch.is_ascii_digit() && next.is_ascii_digit();
    mark(c) && !mark(next) && !decimal
}

/// A set line: glyphs with final advances, and the x offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct SetLine {
    /// Offset from the left edge of the measure.
    pub x: f64,
    /// Glyphs with final advances.
    pub glyphs: Vec<Glyph>,
}

/// The summed advances of `glyphs`, pt.
pub fn advance(glyphs: &[Glyph]) -> f64 {
    glyphs.iter().map(|g| g.width).sum()
}

impl SetLine {
    /// Width of the line as set.
    pub fn width(&self) -> f64 {
        advance(&self.glyphs)
    }

    /// The line's text.
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.ch).collect()
    }
}

/// Breaks glyphs into lines of `width` (the first line `indent` narrower) and sets
/// each line with `align`. Justified paragraphs leave the last line flush left.
pub fn set_paragraph(glyphs: &[Glyph], width: f64, indent: f64, align: Align) -> Vec<SetLine> {
    const EPS: f64 = 1e-6;
    let mut compressed = glyphs.to_vec();
    compress_punctuation(&mut compressed);
    let glyphs = &compressed[..];
    let units = units(glyphs, width * 0.6);
    let mut lines: Vec<(usize, usize, f64)> = Vec::new(); // unit range + squeeze on the last unit
    let mut i = 0;
    while i < units.len() {
        while i < units.len() && units[i].kind == Kind::Space {
            i += 1;
        }
        if i == units.len() {
            break;
        }
        let avail = if lines.is_empty() { width - indent } else { width };
        let mut j = i;
        let mut used = 0.0;
        while j < units.len() && used + units[j].width <= avail + EPS {
            used += units[j].width;
            j += 1;
        }
        if j == i {
            j = i + 1; // a single unit wider than the line: it goes alone
            lines.push((i, j, 0.0));
            i = j;
            continue;
        }
        let mut squeeze = 0.0;
        if j < units.len() {
            let next = units[j];
            if next.kind == Kind::NoStart {
                let overflow = used + next.width - avail;
                if overflow <= next.width * 0.5 + EPS {
                    // Pull the mark back onto this line, compressed (行末点号压缩).
                    squeeze = overflow.max(0.0);
                    j += 1;
                } else {
                    while j > i + 1 && units[j].kind == Kind::NoStart {
                        j -= 1;
                    }
                }
            }
            // Never end a line with an opening mark.
            while j > i + 1 && units[j - 1].kind == Kind::NoEnd {
                j -= 1;
                squeeze = 0.0;
            }
            // Pushing forward may have left a closing mark at the next line's start.
            while j > i + 1 && j < units.len() && units[j].kind == Kind::NoStart {
                j -= 1;
                squeeze = 0.0;
            }
        }
        lines.push((i, j, squeeze));
        i = j;
    }

    let count = lines.len();
    let mut out = Vec::with_capacity(count);
    for (n, &(a, mut b, squeeze)) in lines.iter().enumerate() {
        while b > a + 1 && units[b - 1].kind == Kind::Space {
            b -= 1;
        }
        let avail = if n == 0 { width - indent } else { width };
        let start_x = if n == 0 { indent } else { 0.0 };
        let mut set: Vec<Glyph> = glyphs[units[a].start..units[b - 1].end].to_vec();
        if squeeze > 0.0
            && let Some(last) = set.last_mut()
        {
            last.width -= squeeze;
        }
        let natural = advance(&set);
        let last_line = n + 1 == count;
        let x = match align {
            Align::Left => start_x,
            Align::Justify => {
                // The gaps: after each unit but the last, except inside a turned URL.
                let gap = |k: usize| !units[k + 1].piece;
                let gaps = (a..b - 1).filter(|&k| gap(k)).count();
                if !last_line && gaps > 0 {
                    let extra = (avail - natural) / gaps as f64;
                    for k in (a..b - 1).filter(|&k| gap(k)) {
                        set[units[k].end - 1 - units[a].start].width += extra;
                    }
                }
                start_x
            }
            Align::Center => start_x + (avail - natural) / 2.0,
            Align::Right => start_x + avail - natural,
        };
        out.push(SetLine { x, glyphs: set });
    }
    out
}

/// Balanced lines for a title: as many lines as greedy filling needs, each about
/// equally long, so no line is left with one orphan character.
pub fn set_balanced(glyphs: &[Glyph], width: f64) -> Vec<SetLine> {
    let natural = advance(glyphs);
    let greedy = set_paragraph(glyphs, width, 0.0, Align::Center);
    if greedy.len() < 2 {
        return greedy;
    }
    let n = greedy.len() as f64;
    let mut target = natural / n;
    loop {
        let lines = set_paragraph(glyphs, target.min(width), 0.0, Align::Center);
        if lines.len() <= greedy.len() || target >= width {
            return lines
                .into_iter()
                .map(|l| {
                    let w = l.width();
                    SetLine { x: (width - w) / 2.0, glyphs: l.glyphs }
                })
                .collect();
        }
        target += glyphs.first().map_or(1.0, |g| g.size) * 0.5;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(text: &str) -> Vec<Glyph> {
        text.chars()
            .map(|ch| {
                let width = if ch.is_ascii() { 8.0 } else { 16.0 };
                Glyph { ch, face: 0, gid: 1, size: 16.0, width, found: true }
            })
            .collect()
    }

    fn lines(text: &str, chars: usize, indent: usize) -> Vec<String> {
        set_paragraph(&glyphs(text), chars as f64 * 16.0, indent as f64 * 16.0, Align::Justify)
            .iter()
            .map(SetLine::text)
            .collect()
    }

    #[test]
    fn text_no_line_starts_with_closing_punctuation() {
        // 10 characters per line; the 11th is "，": a full cell over, so "十" goes
        // with it to the next line.
        let l = lines("一二三四五六七八九十，甲乙丙", 10, 0);
        assert_eq!(l, ["一二三四五六七八九", "十，甲乙丙"]);
        // Half a cell over (an indent of half a character): the mark is pulled
        // back and compressed.
        let g = glyphs("一二三四五六七八九，甲乙");
        let set = set_paragraph(&g, 9.5 * 16.0, 0.0, Align::Justify);
        assert_eq!(set[0].text(), "一二三四五六七八九，");
        assert!((set[0].width() - 9.5 * 16.0).abs() < 1e-6);
        // Two closing marks that cannot both be squeezed: push a character forward.
        let l = lines("一二三四五六七八九十。”甲乙", 10, 0);
        assert!(!l[1].starts_with(['。', '”']), "{l:?}");
        for line in &l {
            assert!(!line.starts_with(|c| NO_START.contains(c)), "{l:?}");
        }
    }

    #[test]
    fn text_no_line_ends_with_opening_punctuation() {
        let l = lines("一二三四五六七八九《十一》", 10, 0);
        assert_eq!(l[0], "一二三四五六七八九");
        assert!(l[1].starts_with('《'));
    }

    #[test]
    fn text_latin_and_digit_runs_stay_whole() {
        let l = lines("按照GB/T 9704规定，共2024件，占比100%。", 8, 0);
        let joined = l.join("|");
        for word in ["GB/T", "9704", "2024", "100%"] {
            assert!(l.iter().any(|line| line.contains(word)), "{word} broken: {joined}");
        }
    }

    #[test]
    fn text_justified_lines_fill_the_measure() {
        let g =
            glyphs("按照2024年规定编制的报告内容，所列数据统计期限从一月一日至十二月三十一日。");
        let set = set_paragraph(&g, 160.0, 32.0, Align::Justify);
        assert!((set[0].x - 32.0).abs() < 1e-9);
        assert!((set[0].x + set[0].width() - 160.0).abs() < 1e-6);
        for l in &set[1..set.len() - 1] {
            assert!((l.width() - 160.0).abs() < 1e-6);
        }
        let last = set.last().unwrap();
        assert!(last.width() <= 160.0 + 1e-6);
    }

    #[test]
    fn text_adjacent_punctuation_is_compressed() {
        // `》（` and `），` each take one and a half cells; a lone mark keeps its cell.
        let g = glyphs("依据《办法》（国办函），规定。");
        let set = set_paragraph(&g, 40.0 * 16.0, 0.0, Align::Justify);
        let widths: Vec<(char, f64)> = set[0].glyphs.iter().map(|g| (g.ch, g.width)).collect();
        let w = |c: char, n: usize| widths.iter().filter(|x| x.0 == c).nth(n).unwrap().1;
        assert_eq!(w('》', 0), 8.0);
        assert_eq!(w('）', 0), 8.0);
        assert_eq!(w('（', 0), 16.0);
        assert_eq!(w('，', 0), 16.0);
        assert_eq!(w('《', 0), 16.0);
        assert_eq!(w('。', 0), 16.0);
        let g = glyphs("甲（《乙》）");
        let set = set_paragraph(&g, 40.0 * 16.0, 0.0, Align::Left);
        assert_eq!(set[0].width(), 16.0 * 6.0 - 8.0 * 2.0);
    }

    #[test]
    fn text_title_lines_are_balanced() {
        let g = glyphs("嵊泗县人民政府办公室二〇二四年度政府信息公开工作年度报告");
        let set = set_balanced(&g, 20.0 * 16.0);
        assert_eq!(set.len(), 2);
        let counts: Vec<usize> = set.iter().map(|l| l.glyphs.len()).collect();
        assert!(counts[0].abs_diff(counts[1]) <= 1, "{counts:?}");
    }
}
