//! The prose of an imported report: page chrome dropped, the title read for the unit
//! and year, paragraphs assigned to the preamble and the six sections (by their
//! headings, or by where the tables stand when a page has no headings), and
//! （一）-style sub-headings turned into subsections.

use super::Loc;
use super::scan::{TableKind, is_cjk};
use crate::model::PLACEHOLDER;
use crate::model::{Date, ProseItem, Signature, Subsection, Text};
use crate::source::Span;
use crate::template::{Format, ImportWords, Words};

/// A paragraph of prose, or the place where a table stood.
#[derive(Debug, Clone)]
pub(super) enum Piece {
    Para(String, Loc),
    Table(TableKind),
}

/// The prose parts of a report.
pub(super) struct Prose {
    pub unit: String,
    pub year: i32,
    pub date: Option<Date>,
    pub title: Option<String>,
    pub preamble: Vec<ProseItem>,
    /// Per section of the format: its prose (for table sections, the intro).
    pub sections: Vec<Vec<ProseItem>>,
    /// Per section: prose after its table.
    pub notes: Vec<Vec<ProseItem>>,
    pub signature: Signature,
    /// What could not be found: (what, the guess written, where).
    pub unknown: Vec<(String, String, Option<Loc>)>,
}

/// Whether any of `words` is in `t`.
fn has(t: &str, words: &[String]) -> bool {
    words.iter().any(|w| t.contains(w.as_str()))
}

/// Whether `t` starts with any of `words`.
fn starts(t: &str, words: &[String]) -> bool {
    words.iter().any(|w| t.starts_with(w.as_str()))
}

/// A line of page chrome (metadata bars, share bars, attachment lists, breadcrumbs).
fn is_chrome(t: &str, words: &Words<ImportWords>) -> bool {
    let t = t.trim();
    t.is_empty()
        || (starts(t, words.get(ImportWords::PageChrome))
            && t.chars().count() < 80
            && !t.contains('。'))
        || t.chars().all(|c| !is_cjk(c) && !c.is_alphanumeric())
        || t.contains(" > ")
        || t.contains(">>")
}

/// Half-width punctuation next to Chinese becomes full-width; spaces next to Chinese go.
pub(super) fn tidy(text: &str) -> String {
    let chars: Vec<char> =
        text.chars().map(|c| if c == '\u{a0}' || c == '\u{3000}' { ' ' } else { c }).collect();
    let cjkish = |c: Option<&char>| {
        c.is_some_and(|&c| {
            is_cjk(c)
                || ('\u{3000}'..='\u{303f}').contains(&c)
                || ('\u{ff00}'..='\u{ffef}').contains(&c)
                || "“”‘’《》".contains(c)
        })
    };
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        // The previous character as already converted (`)` may have become `）`).
        let last = out.chars().last();
        let prev = last.as_ref().or(if i > 0 { chars.get(i - 1) } else { None });
        let next = chars.get(i + 1);
        let near = cjkish(prev) || cjkish(next);
        match c {
            ' ' | '\t' if near || prev.is_some_and(|c| c.is_ascii_digit()) && cjkish(next) => {}
            ',' if near => out.push('，'),
            ':' if near => out.push('：'),
            ';' if near => out.push('；'),
            '(' if near || next.is_some_and(|c| "一二三四五六七八九十".contains(*c)) => {
                out.push('（')
            }
            ')' if near || prev.is_some_and(|c| "一二三四五六七八九十".contains(*c)) => {
                out.push('）')
            }
            '!' if near => out.push('！'),
            '?' if near => out.push('？'),
            c => out.push(c),
        }
    }
    // Spaces left between Chinese characters after the pass (runs of several).
    let mut cleaned = String::new();
    let cs: Vec<char> = out.chars().collect();
    for (i, &c) in cs.iter().enumerate() {
        if c == ' ' {
            let prev = cs[..i].iter().rev().find(|c| **c != ' ');
            let next = cs[i + 1..].iter().find(|c| **c != ' ');
            if cjkish(prev) || cjkish(next) {
                continue;
            }
        }
        cleaned.push(c);
    }
    cleaned.trim().to_string()
}

/// `一、总体情况` → 0; headings of the six sections by their numeral.
fn section_heading(t: &str) -> Option<usize> {
    let mut chars = t.chars();
    let n = "一二三四五六".find(chars.next()?)? / 3;
    let sep = chars.next()?;
    if !"、.．".contains(sep)
        || t.chars().count() > 40
        || t.trim_end().ends_with('。') && t.chars().count() > 20
    {
        return None;
    }
    Some(n)
}

/// The level of a numbered sub-heading and its number's length in bytes:
/// `（一）` 1, `1.` / `1、` 2, `（1）` 3.
fn numbering(t: &str) -> Option<(usize, usize)> {
    if let Some(rest) = t.strip_prefix('（') {
        let close = rest.find('）')?;
        let num = &rest[..close];
        let end = '（'.len_utf8() + close + '）'.len_utf8();
        if !num.is_empty() && num.chars().all(|c| "一二三四五六七八九十".contains(c)) {
            return Some((1, end));
        }
        if !num.is_empty() && num.len() <= 2 && num.bytes().all(|b| b.is_ascii_digit()) {
            return Some((3, end));
        }
        return None;
    }
    let digits = t.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let sep = t[digits..].chars().next()?;
    let after = t[digits + sep.len_utf8()..].chars().next()?;
    (".、．".contains(sep) && !after.is_ascii_digit()).then_some((2, digits + sep.len_utf8()))
}

/// `（一）主动公开。…` → (level, `主动公开。`, rest): a numbered sub-heading.
fn subheading(t: &str) -> Option<(usize, String, String)> {
    let (level, len) = numbering(t)?;
    let body = t[len..].trim();
    if body.is_empty() {
        return None;
    }
    let short = body.chars().count() <= 30;
    // Heading-only line: short, with no sentence after its end mark.
    let cut = body
        .char_indices()
        .take(31)
        .find(|(_, c)| "。：".contains(*c))
        .map(|(i, c)| i + c.len_utf8());
    match cut {
        Some(i) if i < body.len() => {
            Some((level, body[..i].to_string(), body[i..].trim().to_string()))
        }
        _ if short => Some((level, body.to_string(), String::new())),
        _ => None,
    }
}

/// The unit named before `{year}年(度)政府信息公开工作年度报告` inside a sentence: the
/// text back to `公布`, `现将`, `印发`, a comma or a bracket.
fn unit_in_sentence(p: &str, words: &Words<ImportWords>) -> Option<String> {
    let end = words.get(ImportWords::ReportTitle).iter().find_map(|w| p.find(w.as_str()))?;
    let before = p[..end].trim_end_matches('度').strip_suffix('年')?;
    let digits = before.chars().rev().take_while(|c| c.is_ascii_digit()).count();
    if digits != 4 {
        return None;
    }
    let name = &before[..before.len() - 4];
    let start = words
        .get(ImportWords::UnitStart)
        .iter()
        .filter_map(|m| name.rfind(m.as_str()).map(|i| i + m.len()))
        .max()
        .unwrap_or(0);
    let unit = name[start..].trim();
    (unit.chars().count() >= 2 && unit.chars().count() <= 40 && unit.chars().all(is_cjk))
        .then(|| unit.to_string())
}

/// `2025年1月22日` alone on a line.
fn chinese_date(t: &str) -> Option<Date> {
    let t = t.trim();
    let (y, rest) = t.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    crate::model::parse_date(&format!("{}-{}-{}", y.trim(), m.trim(), d.trim()))
}

/// `发布时间:2025-01-22 08:45` → the date.
fn published_date(t: &str, words: &Words<ImportWords>) -> Option<Date> {
    if !starts(t, words.get(ImportWords::Published)) {
        return None;
    }
    let start = t.find(|c: char| c.is_ascii_digit())?;
    let date: String = t[start..].chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
    crate::model::parse_date(&date).or_else(|| chinese_date(t[start..].split_whitespace().next()?))
}

/// `嵊泗县人民政府办公室2024年度政府信息公开工作年度报告(图文版)` → unit, year, title.
fn title_line(t: &str, words: &Words<ImportWords>) -> Option<(String, i32, String)> {
    if !has(t, words.get(ImportWords::ReportTitle)) || t.contains('。') || t.chars().count() > 80 {
        return None;
    }
    let title = t.split(['(', '（']).next().unwrap_or(t).trim();
    let pos = title.find("年")?;
    let before = &title[..pos];
    let digits: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if digits.len() != 4 {
        return None;
    }
    let year: i32 = digits.parse().ok()?;
    let unit = before[..before.len() - 4].trim().to_string();
    Some((unit, year, title.to_string()))
}

fn para(text: &str) -> ProseItem {
    ProseItem::Paragraph(Text { text: text.to_string(), span: Span::detached() })
}

fn text(t: &str) -> Text {
    Text { text: t.to_string(), span: Span::detached() }
}

/// Paragraphs → items: `（一）`, `1.` and `（1）` sub-headings become nested
/// subsections (a deeper level only inside the level above it).
fn structure(paras: &[String]) -> Vec<ProseItem> {
    fn close(stack: &mut Vec<(usize, Subsection)>, root: &mut Vec<ProseItem>, level: usize) {
        while stack.last().is_some_and(|(l, _)| *l >= level) {
            let (_, sub) = stack.pop().expect("checked");
            match stack.last_mut() {
                Some((_, parent)) => parent.items.push(ProseItem::Subsection(sub)),
                None => root.push(ProseItem::Subsection(sub)),
            }
        }
    }
    let mut root: Vec<ProseItem> = Vec::new();
    let mut stack: Vec<(usize, Subsection)> = Vec::new();
    for p in paras {
        let open = stack.last().map_or(0, |(l, _)| *l);
        match subheading(p) {
            Some((level, heading, rest)) if level == 1 || level <= open + 1 => {
                close(&mut stack, &mut root, level);
                let run_in = !rest.is_empty();
                let body = if run_in { vec![text(&rest)] } else { Vec::new() };
                let sub =
                    Subsection { heading: text(&heading), run_in, text: body, items: Vec::new() };
                stack.push((level, sub));
            }
            _ => match stack.last_mut() {
                Some((_, s)) if s.items.is_empty() => s.text.push(text(p)),
                Some((_, s)) => s.items.push(para(p)),
                None => root.push(para(p)),
            },
        }
    }
    close(&mut stack, &mut root, 0);
    root
}

/// Splits the prose pieces of a document into the report's parts.
pub(super) fn split_prose(pieces: &[Piece], format: &Format) -> Prose {
    let count = format.sections.len();
    let words = &format.import.words;
    let table_section =
        |k: TableKind| format.sections.iter().position(|s| s.table.as_deref() == Some(k.key()));
    let mut unit = None;
    let mut year = None;
    let mut title = None;
    let mut date = None;
    let mut published = None;
    let mut unknown = Vec::new();

    // Buckets: 0 = before any section, then (section, after its table).
    let mut pre: Vec<String> = Vec::new();
    let mut body: Vec<Vec<String>> = vec![Vec::new(); count];
    let mut after: Vec<Vec<String>> = vec![Vec::new(); count];
    let mut current: Option<(usize, bool)> = None;
    let mut headings = vec![false; count];
    let mut last_loc = None;
    let mut signer: Option<String> = None;
    for piece in pieces {
        match piece {
            Piece::Table(k) => {
                if let Some(s) = table_section(*k) {
                    current = Some((s, true));
                }
            }
            Piece::Para(t, loc) => {
                if let Some(d) = published_date(t, words) {
                    published = published.or(Some(d));
                    continue;
                }
                if let Some((u, y, full)) = title_line(t, words) {
                    if unit.is_none() && !u.is_empty() {
                        unit = Some(u);
                        title = Some(full);
                    }
                    year = year.or(Some(y));
                    continue;
                }
                if is_chrome(t, words) {
                    continue;
                }
                if let Some(d) = chinese_date(t) {
                    date = Some(d);
                    // 落款: the unit's name on the line before the date.
                    let bucket = match current {
                        None => &mut pre,
                        Some((s, false)) => &mut body[s],
                        Some((s, true)) => &mut after[s],
                    };
                    if bucket.last().is_some_and(|p| {
                        p.chars().count() <= 40 && !p.contains(['。', '，', '；', '：'])
                    }) {
                        signer = bucket.pop();
                    }
                    continue;
                }
                if let Some(s) = section_heading(t) {
                    current = Some((s, false));
                    headings[s] = true;
                    continue;
                }
                last_loc = Some(*loc);
                match current {
                    None => pre.push(t.clone()),
                    Some((s, false)) => body[s].push(t.clone()),
                    Some((s, true)) => after[s].push(t.clone()),
                }
            }
        }
    }

    // No 一 heading: the 本报告根据… sentence is the preamble, the rest is 一.
    let mut preamble = Vec::new();
    if headings[0] {
        preamble = pre;
    } else {
        let mut rest = pre.into_iter();
        let mut first = rest.next();
        if let Some(p) = &first
            && starts(p, words.get(ImportWords::Preamble))
        {
            preamble.push(first.take().expect("checked"));
        }
        let mut overview: Vec<String> = first.into_iter().chain(rest).collect();
        overview.append(&mut body[0]);
        body[0] = overview;
    }
    // No 五/六 headings: the prose after the last table is 五, and from a paragraph
    // about fees or 其他需要报告 on, 六.
    let last_table = (0..count).rev().find(|&s| format.sections[s].table.is_some());
    if let Some(lt) = last_table
        && !headings[lt + 1..].iter().any(|&h| h)
        && lt + 2 < count + 1
    {
        let tail = std::mem::take(&mut after[lt]);
        let split = tail
            .iter()
            .position(|p| has(p, words.get(ImportWords::OtherMatters)))
            .unwrap_or(tail.len());
        if lt + 1 < count {
            body[lt + 1].extend(tail[..split].iter().cloned());
        }
        if lt + 2 < count {
            body[lt + 2].extend(tail[split..].iter().cloned());
        }
    }
    // A year no report can be for (`1012年度`, a typo) is not taken: it is reported as not
    // found, as the YAML would refuse it.
    let year = year.filter(|y| crate::model::REPORT_YEARS.contains(y));
    let year_value = year.or_else(|| {
        preamble.iter().chain(body[0].iter()).find_map(|p| {
            let i = p.find("年1月1日")?;
            p[..i]
                .chars()
                .rev()
                .take(4)
                .collect::<String>()
                .chars()
                .rev()
                .collect::<String>()
                .parse()
                .ok()
                .filter(|y| crate::model::REPORT_YEARS.contains(y))
        })
    });
    let year_value = match year_value {
        Some(y) => y,
        None => {
            unknown.push(("年度 (year)".to_string(), "2024".to_string(), last_loc));
            2024
        }
    };
    if year.is_none() {
        unknown.push((
            "标题 (title)".to_string(),
            format!("{year_value} 年，取自统计期限 (from the statistics period)"),
            None,
        ));
    }
    // No title line: the name in a sentence (`现公布白城市农业农村局2024年政府信息公开…`).
    let unit = unit.or_else(|| {
        let found = preamble.iter().chain(body[0].iter()).find_map(|p| unit_in_sentence(p, words));
        if let Some(u) = &found {
            unknown.push((
                "标题 (title)".to_string(),
                format!("发布机关取自正文：{u} (unit taken from the text)"),
                None,
            ));
        }
        found
    });
    let unit = unit.unwrap_or_else(|| {
        unknown.push(("发布机关 (unit)".to_string(), PLACEHOLDER.to_string(), None));
        PLACEHOLDER.to_string()
    });
    let mut signature = Signature::default();
    if let Some(s) = signer.filter(|s| *s != unit) {
        signature.unit = Some(text(&s));
    }
    let default_title =
        format.title.replace("{unit}", &unit).replace("{year}", &year_value.to_string());
    let title = title.filter(|t| *t != default_title && !t.is_empty());
    Prose {
        unit,
        year: year_value,
        date: date.or(published),
        title,
        preamble: preamble.iter().map(|p| para(p)).collect(),
        sections: body.iter().map(|b| structure(b)).collect(),
        notes: after.iter().map(|b| structure(b)).collect(),
        signature,
        unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_makes_punctuation_full_width_next_to_chinese() {
        assert_eq!(
            tidy("2024 年,县政府(其中1 件为去年结转):"),
            "2024年，县政府（其中1件为去年结转）："
        );
        assert_eq!(tidy("(一)主动公开。"), "（一）主动公开。");
        assert_eq!(tidy("PDF 1.7, A4"), "PDF 1.7, A4");
    }

    #[test]
    fn subheadings_split_run_in_text() {
        assert_eq!(subheading("（一）主动公开。"), Some((1, "主动公开。".into(), String::new())));
        assert_eq!(
            subheading("（一）存在的主要问题：一是……"),
            Some((1, "存在的主要问题：".into(), "一是……".into()))
        );
        assert_eq!(subheading("1.规章文件"), Some((2, "规章文件".into(), String::new())));
        assert_eq!(subheading("（1）第三级"), Some((3, "第三级".into(), String::new())));
        assert_eq!(subheading("1.5亿元用于……"), None);
        assert_eq!(subheading("一是……"), None);
    }

    #[test]
    fn title_gives_unit_and_year() {
        let words = &crate::template::bundled_format(2021).unwrap().import.words;
        let (u, y, _) =
            title_line("嵊泗县人民政府办公室2024年度政府信息公开工作年度报告(图文版)", words)
                .unwrap();
        assert_eq!((u.as_str(), y), ("嵊泗县人民政府办公室", 2024));
        assert_eq!(section_heading("一、总体情况"), Some(0));
        assert_eq!(section_heading("三、本年度办理结果"), Some(2));
        assert_eq!(chinese_date("2025年1月22日").map(|d| d.day), Some(22));
        let p = "根据《中华人民共和国政府信息公开条例》规定，现公布白城市农业农村局2024年政府信息公开工作年度报告。";
        assert_eq!(unit_in_sentence(p, words).as_deref(), Some("白城市农业农村局"));
        assert_eq!(unit_in_sentence("本报告根据条例编制。", words), None);
    }
}
