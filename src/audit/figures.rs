//! Figures in prose: numbers written with digits or in Chinese (七件, 百分之百, 一百二十三),
//! their unit (件, 条 …), percentages, and whether they are approximate (余, 以上, 左右).

use crate::template::{AuditWords, Words};

/// A number found in the prose.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// First character (index into the paragraph's characters).
    pub start: usize,
    /// One past the last character of the number and its unit.
    pub end: usize,
    /// `mantissa / 10^scale`.
    pub mantissa: u128,
    /// Decimal places.
    pub scale: u32,
    /// A percentage (`%`, `百分之`).
    pub percent: bool,
    /// Approximate (`900余条`, `约`, `超过`): never compared.
    pub approx: bool,
    /// The counting word after the number (`件`), if any.
    pub unit: Option<char>,
    /// `万元` follows.
    pub wan_yuan: bool,
}

impl Figure {
    pub(crate) fn integer(&self) -> Option<u64> {
        (self.scale == 0).then(|| u64::try_from(self.mantissa).ok()).flatten()
    }

    pub(crate) fn shown(&self) -> String {
        let n = if self.scale == 0 {
            self.mantissa.to_string()
        } else {
            let p = 10u128.pow(self.scale);
            format!("{}.{:0w$}", self.mantissa / p, self.mantissa % p, w = self.scale as usize)
        };
        if self.percent { format!("{n}%") } else { n }
    }
}

const UNITS: &[char] = &['件', '条', '个', '次', '篇', '项', '宗', '起', '例', '人', '家', '份'];
const CN_DIGITS: &[(char, u128)] = &[
    ('零', 0),
    ('〇', 0),
    ('一', 1),
    ('二', 2),
    ('两', 2),
    ('三', 3),
    ('四', 4),
    ('五', 5),
    ('六', 6),
    ('七', 7),
    ('八', 8),
    ('九', 9),
];

fn cn_digit(c: char) -> Option<u128> {
    CN_DIGITS.iter().find(|(d, _)| *d == c).map(|&(_, v)| v)
}

fn is_cn_numeral(c: char) -> bool {
    cn_digit(c).is_some() || matches!(c, '十' | '百' | '千' | '万')
}

/// Parses a Chinese numeral such as 七, 十二, 一百零三, 三千五百 (no fraction).
pub fn parse_chinese(chars: &[char]) -> Option<u128> {
    let (mut total, mut section, mut number) = (0u128, 0u128, 0u128);
    let mut any = false;
    for &c in chars {
        if let Some(d) = cn_digit(c) {
            number = d;
            any = true;
            continue;
        }
        let mult = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => {
                total = total.saturating_add((section + number).saturating_mul(10_000));
                section = 0;
                number = 0;
                any = true;
                continue;
            }
            _ => return None,
        };
        let n = if number == 0 && !any { 1 } else { number };
        section = section.saturating_add(n.saturating_mul(mult));
        number = 0;
        any = true;
    }
    any.then_some(total + section + number)
}

/// Finds every number in a paragraph, Arabic or Chinese, with its unit.
pub fn scan(chars: &[char], words: &Words<AuditWords>) -> Vec<Figure> {
    let numeral_words = words.get(AuditWords::NumeralWords);
    let approximate = words.get(AuditWords::Approximate);
    let mut out = Vec::new();
    let n = chars.len();
    let mut i = 0;
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let value = |c: char| {
        if c.is_ascii_digit() { c as u128 - '0' as u128 } else { c as u128 - '０' as u128 }
    };
    while i < n {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|j| chars[j]);
        if digit(c) {
            let start = i;
            let mut m = 0u128;
            while i < n && digit(chars[i]) {
                m = m.saturating_mul(10).saturating_add(value(chars[i]));
                i += 1;
            }
            let mut scale = 0;
            if i + 1 < n && matches!(chars[i], '.' | '．') && digit(chars[i + 1]) {
                i += 1;
                while i < n && digit(chars[i]) {
                    m = m.saturating_mul(10).saturating_add(value(chars[i]));
                    scale += 1;
                    i += 1;
                }
            }
            // Codes and telephone numbers (`0561-3055002`, `A3`) are not figures.
            let glued = prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '-')
                || chars.get(i).is_some_and(|&p| p.is_ascii_alphabetic() || p == '-');
            let ordinal = prev == Some('第');
            let fig = finish(chars, (start, i), (m, scale, false), approximate);
            i = fig.end.max(i);
            if !glued && !ordinal {
                out.push(fig);
            }
            continue;
        }
        if chars[i..].starts_with(&['百', '分', '之']) {
            let start = i;
            let mut j = i + 3;
            let int_start = j;
            while j < n && is_cn_numeral(chars[j]) {
                j += 1;
            }
            let Some(mut m) = parse_chinese(&chars[int_start..j]) else {
                i += 3;
                continue;
            };
            let mut scale = 0;
            if j + 1 < n && chars[j] == '点' && cn_digit(chars[j + 1]).is_some() {
                j += 1;
                while j < n
                    && let Some(d) = cn_digit(chars[j])
                {
                    m = m * 10 + d;
                    scale += 1;
                    j += 1;
                }
            }
            out.push(Figure {
                start,
                end: j,
                mantissa: m,
                scale,
                percent: true,
                approx: false,
                unit: None,
                wan_yuan: false,
            });
            i = j;
            continue;
        }
        if is_cn_numeral(c) && c != '万' {
            let start = i;
            let mut j = i;
            while j < n && is_cn_numeral(chars[j]) {
                j += 1;
            }
            // Only a counted thing is a figure: 七件, 十二条; not 一是, 三类, 一网通办.
            let unit =
                chars.get(j).copied().filter(|u| matches!(u, '件' | '条' | '篇' | '宗' | '起'));
            let word = prev.is_some_and(|p| numeral_words.iter().any(|w| w.chars().eq([p])))
                || chars.get(j + 1) == Some(&'事');
            if let (Some(_), false, Some(m)) = (unit, word, parse_chinese(&chars[start..j])) {
                let fig = finish(chars, (start, j), (m, 0, false), approximate);
                i = fig.end;
                out.push(fig);
            } else {
                i = j.max(i + 1);
            }
            continue;
        }
        i += 1;
    }
    out
}

/// Reads what follows a number: `%`, `余`/`多`, the unit, `万元`, `以上`.
/// `approximate` are the words that make a figure approximate when they come right before it.
fn finish(
    chars: &[char],
    (start, num_end): (usize, usize),
    (m, scale, pct): (u128, u32, bool),
    approximate: &[String],
) -> Figure {
    let mut k = num_end;
    while chars.get(k) == Some(&' ') {
        k += 1;
    }
    let mut fig = Figure {
        start,
        end: num_end,
        mantissa: m,
        scale,
        percent: pct,
        approx: false,
        unit: None,
        wan_yuan: false,
    };
    let before: String = chars[start.saturating_sub(4)..start].iter().collect();
    if approximate.iter().any(|w| before.ends_with(w.as_str())) {
        fig.approx = true;
    }
    if matches!(chars.get(k), Some('%' | '％')) {
        fig.percent = true;
        fig.end = k + 1;
        return fig;
    }
    if matches!(chars.get(k), Some('余' | '多')) {
        fig.approx = true;
        k += 1;
    }
    if chars[k.min(chars.len())..].starts_with(&['万', '元']) {
        fig.wan_yuan = true;
        fig.end = k + 2;
        return fig;
    }
    if let Some(&u) = chars.get(k).filter(|u| UNITS.contains(u)) {
        fig.unit = Some(u);
        k += 1;
        fig.end = k;
    }
    let rest = &chars[k.min(chars.len())..];
    if rest.starts_with(&['以', '上']) || rest.starts_with(&['左', '右']) {
        fig.approx = true;
    }
    fig
}
