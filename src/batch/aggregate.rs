//! The county summary (汇总表): one report whose three tables sum every unit's
//! numbers, and a CSV of all units' numbers side by side.

use super::csv_field;
use crate::Loaded;
use crate::model::{Num, ProseItem, Record, Report, Section, Signature, TableData, Text, Value};
use crate::source::Span;
use crate::template::Format;
use crate::validate::Checked;

fn para(text: String) -> Vec<ProseItem> {
    vec![ProseItem::Paragraph(Text { text, span: Span::detached() })]
}

/// A report whose tables are the sums of the units' computed numbers.
/// `units` are loaded, error-free reports of one format edition.
pub fn aggregate_report(units: &[&Loaded], format: &Format, office: &str) -> Option<Report> {
    let first = units.first()?.report.as_ref()?;
    let year = first.year.0;
    let n = units.len();
    let mut sections = Vec::new();
    for def in &format.sections {
        let (prose, table) = match &def.table {
            None => {
                (para(format!("本汇总表合计 {n} 个单位的数据，文字部分见各单位年度报告。")), None)
            }
            Some(key) => {
                let tdef = format.table(key)?;
                let mut records: Vec<Record> = tdef
                    .records
                    .iter()
                    .map(|r| Record {
                        key: r.key.clone(),
                        span: Span::detached(),
                        values: vec![
                            Num::written(Value::Count(0), Span::detached());
                            r.fields.len().max(1)
                        ],
                        given_total: None,
                        from_list: false,
                    })
                    .collect();
                for u in units {
                    let Some(ct) = u.checked.as_ref().and_then(|c: &Checked| c.table(key)) else {
                        continue;
                    };
                    for (rec, cr) in records.iter_mut().zip(&ct.records) {
                        for (num, v) in rec.values.iter_mut().zip(&cr.values) {
                            num.value = Value::plus(num.value, *v);
                        }
                    }
                }
                (Vec::new(), Some(TableData { key: key.clone(), records }))
            }
        };
        sections.push(Section {
            key: def.key.clone(),
            span: Span::detached(),
            prose,
            table,
            notes: Vec::new(),
        });
    }
    let unit = Text { text: office.to_string(), span: Span::detached() };
    Some(Report {
        format: first.format,
        title: Some(Text {
            text: format!("{office}{year}年度政府信息公开工作年度报告汇总表（{n}个单位）"),
            span: Span::detached(),
        }),
        unit,
        year: (year, Span::detached()),
        date: None,
        preamble: Vec::new(),
        sections,
        signature: Signature::default(),
        dismissed: Vec::new(),
    })
}

/// A CSV with one row per unit and one column per table cell (fields and totals),
/// and a last row with the sums.
pub fn numbers_csv(units: &[&Loaded], format: &Format) -> String {
    let mut header = vec!["file".to_string(), "unit".to_string(), "year".to_string()];
    for t in &format.tables {
        for r in &t.records {
            for &f in &r.fields {
                header.push(format!("{}.{}.{}", t.key, r.key, t.fields[f].0));
            }
            if r.scalar.is_some() {
                header.push(format!("{}.{}", t.key, r.key));
            }
            if t.total_label.is_some() {
                header.push(format!("{}.{}.total", t.key, r.key));
            }
        }
    }
    let mut out = header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",");
    out.push('\n');
    let mut sums: Vec<Value> = Vec::new();
    for u in units {
        let (Some(report), Some(checked)) = (&u.report, &u.checked) else { continue };
        let mut row = vec![
            u.file.path().display().to_string(),
            report.unit.text.clone(),
            report.year.0.to_string(),
        ];
        let mut values = Vec::new();
        for ct in &checked.tables {
            for rec in &ct.records {
                values.extend(rec.values.iter().copied());
                values.extend(rec.total);
            }
        }
        if sums.is_empty() {
            sums = vec![Value::Count(0); values.len()];
        }
        for (s, v) in sums.iter_mut().zip(&values) {
            *s = Value::plus(*s, *v);
        }
        row.extend(values.iter().map(Value::display));
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    let mut total = vec!["合计 (total)".to_string(), String::new(), String::new()];
    total.extend(sums.iter().map(Value::display));
    out.push_str(&total.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
    out.push('\n');
    out
}

/// The 汇总表 of one edition: the summed report rendered, and the numbers of every unit.
#[derive(Debug)]
pub struct SummaryReport {
    /// The edition summed.
    pub edition: u32,
    /// How many units it sums.
    pub units: usize,
    /// The summed report's outputs.
    pub rendered: crate::Rendered,
    /// `numbers.csv`: one row per unit, one column per table cell, a total row.
    pub numbers_csv: String,
}

/// The 汇总表 of a run: one per edition among `units` (the loaded, error-free reports of the
/// run), so units of another edition are summed apart, never dropped; each rendered as `kinds`.
pub fn summary_reports(
    units: &[&Loaded],
    engine: &crate::Engine,
    kinds: &[crate::OutputKind],
    office: &str,
) -> Result<Vec<SummaryReport>, String> {
    let mut editions: Vec<u32> =
        units.iter().filter_map(|u| Some(u.report.as_ref()?.format)).collect();
    editions.sort_unstable();
    editions.dedup();
    if editions.is_empty() {
        return Err("没有可汇总的单位 (no rendered units to sum)".into());
    }
    let mut out = Vec::new();
    for edition in editions {
        let format = engine.formats().get(edition).ok_or("unknown edition")?;
        let same: Vec<&Loaded> = units
            .iter()
            .copied()
            .filter(|u| u.report.as_ref().is_some_and(|r| r.format == edition))
            .collect();
        let numbers_csv = numbers_csv(&same, format);
        let report = aggregate_report(&same, format, office).ok_or("nothing to sum")?;
        let (checked, diags) = crate::validate::validate_report(&report, format);
        if crate::diag::has_errors(&diags) {
            return Err("summed tables do not balance (a bug, please report it)".into());
        }
        let file = crate::source::SourceFile::new("summary-report.yaml", String::new());
        let images = crate::resolve::Images::new();
        let mut loaded = Loaded::new(file, Some(report), Some(checked), images, diags);
        loaded.format = engine.formats().shared(edition);
        let rendered = engine
            .render(&loaded, kinds)
            .map_err(|d| d.iter().map(|d| d.message_en.clone()).collect::<Vec<_>>().join("; "))?;
        out.push(SummaryReport { edition, units: same.len(), rendered, numbers_csv });
    }
    Ok(out)
}
