//! Completeness and dates: the six sections in the official order with the
//! official titles; §五 naming both problems and improvements; §六 stating the
//! 信息处理费 (《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号), which is not
//! table 二's 行政事业性收费; the statistics period 1月1日–12月31日; the date of
//! issue no later than the deadline (1月31日 of the next year by default).
//!
//! Not repeated here: a period naming another year (W-P3), a date before the year's
//! end (W-P4), placeholders (W-P5) and empty sections (W-P6) are `validate`'s.

use super::codes::{AuditCode, Msg};
use super::prose::has;
use super::{AuditOptions, Unit, finding, headings, prose_texts};
use crate::diag::Diagnostic;
use crate::source::Span;
use crate::template::AuditWords;

const NUMBERS: [char; 6] = ['一', '二', '三', '四', '五', '六'];

/// Checks sections, §五, §六, the period and the date of issue.
pub fn check(unit: &Unit, opts: &AuditOptions) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let report = unit.report;
    let format = unit.format;
    let words = &format.audit.words;
    // Order: the report's sections must follow the format's.
    let mut next = 0;
    for def in &format.sections {
        match report.sections[next.min(report.sections.len())..]
            .iter()
            .position(|s| s.key == def.key)
        {
            Some(0) => next += 1,
            _ => out.push(
                finding(
                    AuditCode::Sections,
                    Span::detached(),
                    &Msg::SectionOrder { expected: &def.heading() },
                )
                .with_path(def.key.clone()),
            ),
        }
    }
    // Headings written into the prose that look like a section title (imported text).
    let texts = prose_texts(report);
    let mut candidates: Vec<&crate::model::Text> =
        headings(report).into_iter().map(|(_, t)| t).collect();
    candidates.extend(texts.iter().map(|p| p.text));
    for t in candidates {
        let mut chars = t.text.chars();
        let (Some(n), Some('、')) = (chars.next(), chars.next()) else {
            continue;
        };
        let Some(i) = NUMBERS.iter().position(|&c| c == n) else {
            continue;
        };
        let rest: String = chars.collect();
        let title = rest.trim_end_matches(['。', '：', ':']);
        if title.chars().count() > 30 || title.contains('，') {
            continue;
        }
        let Some(def) = format.sections.get(i) else {
            continue;
        };
        if title != def.title {
            out.push(
                finding(
                    AuditCode::Sections,
                    t.span,
                    &Msg::SectionTitle { found: &t.text, official: &def.heading() },
                )
                .with_hint("各部分标题由 nianbao 按格式生成，正文中无需再写 (nianbao prints the official titles; drop this line)"),
            );
        }
    }
    // §五: problems and improvements.
    if let Some(section) = report.section("problems") {
        let all: String = texts
            .iter()
            .filter(|p| p.section == "problems")
            .map(|p| format!("{}{}", p.heading, p.text.text))
            .collect();
        if !all.trim().is_empty() {
            let problems = has(&all, words.get(AuditWords::Problems));
            let improve = has(&all, words.get(AuditWords::Improvements));
            let missing = match (problems, improve) {
                (false, false) => Some(("存在的问题和改进情况", "problems and the improvements")),
                (false, true) => Some(("存在的问题", "problems")),
                (true, false) => Some(("改进情况", "improvements")),
                (true, true) => None,
            };
            if let Some((zh, en)) = missing {
                out.push(
                    finding(
                        AuditCode::ProblemsIncomplete,
                        section.span,
                        &Msg::Problems { missing_zh: zh, missing_en: en },
                    )
                    .with_path("problems"),
                );
            }
        }
    }
    // §六: the 信息处理费.
    if let Some(section) = report.section("other") {
        let all: String =
            texts.iter().filter(|p| p.section == "other").map(|p| p.text.text.as_str()).collect();
        if !has(&all, words.get(AuditWords::InformationFee)) {
            let mut d =
                finding(AuditCode::FeeStatement, section.span, &Msg::Fee).with_path("other");
            d = d.with_hint("例如：本年度未收取政府信息公开信息处理费 (e.g. state that no 信息处理费 was charged)");
            if has(&all, words.get(AuditWords::Fees)) {
                d = d.with_hint("行政事业性收费是表二第二十条第（八）项，不是信息处理费 (table 二's fees are another thing)");
            }
            out.push(d);
        }
    }
    // The statistics period.
    let year = report.year.0;
    for p in &texts {
        let s = &p.text.text;
        let Some(at) =
            words.get(AuditWords::Period).iter().filter_map(|w| s.find(w.as_str())).min()
        else {
            continue;
        };
        let dates = chinese_dates(&s[at..]);
        let Some(&(first, first_pos, _)) = dates.first() else {
            continue;
        };
        let (start, end) = match dates.get(1) {
            Some(&(second, _, pos)) => ((first, first_pos), (second, pos)),
            None => continue,
        };
        // Another year is W-P3's finding.
        if start.0.0 != year || end.0.0 != year {
            continue;
        }
        if (start.0.1, start.0.2) != (1, 1) || (end.0.1, end.0.2) != (12, 31) {
            let found: String = s[at..].chars().take(40).collect();
            let char_at = s[..at].chars().count() + s[at..at + start.1].chars().count();
            let len = s[at + start.1..at + end.1].chars().count();
            out.push(
                finding(
                    AuditCode::PeriodDays,
                    super::located(Some(unit.file), p.text, char_at, len.max(1)),
                    &Msg::Period { found: found.trim_end_matches('。'), year },
                )
                .with_path(p.section),
            );
        }
        break;
    }
    // The date of issue.
    let (m, d) = opts.deadline;
    let deadline = crate::model::Date { year: year + 1, month: m, day: d };
    match report.signature.date.or(report.date) {
        Some((date, span)) if date > deadline => out.push(
            finding(
                AuditCode::LateDate,
                span,
                &Msg::Late { date: &date.to_chinese(), deadline: &deadline.to_chinese() },
            )
            .with_path("date")
            .with_hint("《政府信息公开条例》第四十九条：每年1月31日前公布本机关上一年度的年度报告 (the 条例 sets 31 January)"),
        ),
        Some(_) => {}
        None => out.push(finding(AuditCode::NoDate, Span::detached(), &Msg::NoDate { deadline: &deadline.to_chinese() }).with_path("date")),
    }
    out
}

/// The `YYYY年M月D日` dates in a text with the byte offsets of their start and end.
fn chinese_dates(s: &str) -> Vec<((i32, u32, u32), usize, usize)> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let num = |i: &mut usize| -> Option<u32> {
        let start = *i;
        let mut v = 0u32;
        while *i < chars.len() && chars[*i].1.is_ascii_digit() && *i - start < 4 {
            v = v * 10 + chars[*i].1.to_digit(10)?;
            *i += 1;
        }
        (*i > start).then_some(v)
    };
    while i < chars.len() {
        let start = i;
        if let Some(y) = num(&mut i)
            && chars.get(i).map(|c| c.1) == Some('年')
        {
            i += 1;
            if let Some(m) = num(&mut i)
                && chars.get(i).map(|c| c.1) == Some('月')
            {
                i += 1;
                if let Some(d) = num(&mut i)
                    && chars.get(i).map(|c| c.1) == Some('日')
                {
                    i += 1;
                    let end = chars.get(i).map_or(s.len(), |c| c.0);
                    out.push(((y as i32, m, d), chars[start].0, end));
                    continue;
                }
            }
            continue;
        }
        i = start + 1;
    }
    out
}
