//! Plausibility warnings: things a reviewer would frown at that are not errors.

use crate::diag;
use crate::diag::Diagnostic;
use crate::model::{PLACEHOLDER, ProseItem, Report, Text};
use crate::source::Span;
use crate::template::{FieldRef, Format};

/// Half-width marks that should be full-width inside Chinese prose.
const HALF_WIDTH: &[(char, char)] =
    &[(',', '，'), (';', '；'), (':', '：'), ('(', '（'), (')', '）'), ('?', '？'), ('!', '！')];

pub(super) fn check(report: &Report, format: &Format, diags: &mut Vec<Diagnostic>) {
    // Each text with the top-level key it was written under (for the key path).
    let mut texts: Vec<(&str, &Text)> = Vec::new();
    collect_under("preamble", &report.preamble, &mut texts);
    for s in &report.sections {
        collect_under(&s.key, &s.prose, &mut texts);
        collect_under(&s.key, &s.notes, &mut texts);
    }
    for &(_, t) in &texts {
        half_width(t, diags);
        if t.text.contains(PLACEHOLDER) {
            diags.push(diag!(Placeholder, t.span, placeholder = PLACEHOLDER));
        }
    }
    township(report, format, diags);
    blank_cells(report, format, diags);
    period(report, &texts, diags);
    if let Some((date, span)) = report.signature.date.or(report.date)
        && date.year <= report.year.0
    {
        diags.push(
            diag!(
                EarlyDate,
                span,
                date_zh = date.to_chinese(),
                date_en = format!("{}-{}-{}", date.year, date.month, date.day),
                year = report.year.0
            )
            .with_path("date"),
        );
    }
}

/// W-P7: the input cells left blank, one warning per row naming each blank cell (a blank is
/// not a 0: 「没有数据…则留空不填写」 is how offices mark what they have not counted yet).
fn blank_cells(report: &Report, format: &Format, diags: &mut Vec<Diagnostic>) {
    let cells = report.numbers(format);
    let mut rows: Vec<(usize, usize, Vec<&crate::model::NumberCell>)> = Vec::new();
    for cell in cells.iter().filter(|c| c.value.is_none()) {
        match rows.last_mut() {
            Some((t, r, list)) if *t == cell.table && *r == cell.record => list.push(cell),
            _ => rows.push((cell.table, cell.record, vec![cell])),
        }
    }
    for (t, r, list) in rows {
        let def = &format.tables[t];
        let rdef = &def.records[r];
        let field_names = |en: bool| -> String {
            let names: Vec<&str> = list
                .iter()
                .filter_map(|c| match c.field {
                    FieldRef::Field(f) => {
                        Some(if en { def.fields[f].0.as_str() } else { def.fields[f].1.as_str() })
                    }
                    _ => None,
                })
                .collect();
            match (names.is_empty(), names.len() == rdef.fields.len(), en) {
                (true, _, _) => String::new(),
                (false, true, false) => "（整行）".to_string(),
                (false, true, true) => " (the whole row)".to_string(),
                (false, false, false) => format!("（{}）", names.join("、")),
                (false, false, true) => format!(" ({})", names.join(", ")),
            }
        };
        // Where the row was written, else where its table was, else nowhere.
        let span = report
            .table(&def.key)
            .and_then(|td| td.records.get(r))
            .map(|rec| rec.span)
            .filter(Span::is_located)
            .or_else(|| {
                report
                    .sections
                    .iter()
                    .find(|s| s.table.as_ref().is_some_and(|td| td.key == def.key))
                    .map(|s| s.span)
            })
            .unwrap_or_default();
        let key = format!("{}.{}", def.key, rdef.key);
        diags.push(
            diag!(
                BlankCell,
                span,
                label = rdef.label,
                key = key,
                cells = field_names(false),
                cells_en = field_names(true)
            )
            .with_path(key.clone())
            .with_label(rdef.label.clone())
            .with_cells(list.iter().map(|c| c.key.clone()).collect()),
        );
    }
}

fn collect_under<'a>(key: &'a str, items: &'a [ProseItem], out: &mut Vec<(&'a str, &'a Text)>) {
    let mut found = Vec::new();
    collect(items, &mut found);
    out.extend(found.into_iter().map(|t| (key, t)));
}

fn collect<'a>(items: &'a [ProseItem], out: &mut Vec<&'a Text>) {
    for item in items {
        match item {
            ProseItem::Paragraph(t) => out.push(t),
            ProseItem::Subsection(s) => {
                out.push(&s.heading);
                out.extend(&s.text);
                collect(&s.items, out);
            }
            ProseItem::Figure(f) => out.extend(&f.caption),
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}' | '\u{2018}'..='\u{201d}')
}

fn half_width(text: &Text, diags: &mut Vec<Diagnostic>) {
    let chars: Vec<char> = text.text.chars().collect();
    // One warning for each kind of mark in a paragraph (`,` and `;` and `(` …).
    let mut seen: Vec<char> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let Some(&(_, full)) = HALF_WIDTH.iter().find(|(h, _)| *h == c) else {
            continue;
        };
        if seen.contains(&c) {
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        // `10:30` or `(1)` between ASCII is fine; flag marks that touch Chinese.
        if !(prev.is_some_and(is_cjk) || next.is_some_and(is_cjk)) {
            continue;
        }
        let span = Span::new(text.span.line, text.span.col + i as u32, 1);
        let context: String = chars[i.saturating_sub(6)..(i + 6).min(chars.len())].iter().collect();
        diags.push(
            diag!(HalfWidthPunct, span, c = c, full = full, context = context).with_label(context),
        );
        seen.push(c);
    }
}

fn township(report: &Report, format: &Format, diags: &mut Vec<Diagnostic>) {
    let unit = report.unit.text.as_str();
    let is_township = ["镇人民政府", "乡人民政府", "街道办事处"].iter().any(|s| unit.contains(s))
        || unit.ends_with('镇')
        || unit.ends_with('乡')
        || unit.ends_with("街道");
    if !is_township {
        return;
    }
    for zero in &format.township_zero {
        let Some(rec) = report.table(&zero.table).and_then(|t| t.record(&zero.record)) else {
            continue;
        };
        if rec.values.iter().all(|n| n.value.count() == Some(0)) {
            continue;
        }
        let label = format
            .table(&zero.table)
            .and_then(|t| t.records.iter().find(|r| r.key == zero.record))
            .map(|r| r.label.clone())
            .unwrap_or_default();
        diags.push(
            diag!(TownshipRegulations, rec.span)
                .with_path(format!("{}.{}", zero.table, zero.record))
                .with_label(label)
                .with_hint(zero.hint.clone()),
        );
    }
}

/// Finds `YYYY年1月1日至YYYY年12月31日` periods that name another year.
fn period(report: &Report, texts: &[(&str, &Text)], diags: &mut Vec<Diagnostic>) {
    let year = report.year.0;
    for &(key, t) in texts {
        let s = t.text.as_str();
        for (pos, _) in s.match_indices("年1月1日") {
            let before: String =
                s[..pos].chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
            let Ok(start) = before.parse::<i32>() else {
                continue;
            };
            let after = &s[pos + "年1月1日".len()..];
            let end = after
                .strip_prefix('至')
                .or_else(|| after.strip_prefix('到'))
                .or_else(|| after.strip_prefix('—'))
                .and_then(|rest| rest.get(..4))
                .and_then(|y| y.parse::<i32>().ok())
                .unwrap_or(start);
            if start != year || end != year {
                diags.push(
                    diag!(PeriodMismatch, t.span, start = start, end = end, year = year)
                        .with_path(key),
                );
                return;
            }
        }
    }
}
