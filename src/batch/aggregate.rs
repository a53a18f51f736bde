//! The county summary (汇总表): one report whose three tables sum every unit's
//! numbers, and a CSV of all units' numbers side by side.

use super::csv_field;
use crate::Loaded;
use crate::model::{Num, ProseItem, Record, Report, Section, Signature, TableData, Text, Value};
use crate::source::Span;
use crate::template::{FieldRef, Format};
use crate::validate::Checked;
use std::collections::HashMap;

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

/// A column of `numbers.csv`: one printed number of the official tables.
#[derive(Debug, Clone)]
pub struct NumberColumn {
    /// The stable key (`applications.received.natural_person`, `…received.total`).
    pub key: String,
    /// Table index in the format.
    pub table: usize,
    /// Record index in the table.
    pub record: usize,
    /// Which number of the record.
    pub field: FieldRef,
}

/// All units' numbers side by side: one row per unit, one column per printed number (input
/// cells through the report's numbers view, blank kept blank; totals as computed), and the
/// sums. What `numbers.csv` and `numbers.xlsx` write.
#[derive(Debug, Clone)]
pub struct NumbersTable {
    /// The columns, in the format's order (each record's fields, then its total).
    pub columns: Vec<NumberColumn>,
    /// `(file, unit, year, values)` per unit, a blank input cell as `None`.
    pub rows: Vec<(String, String, i32, Vec<Option<Value>>)>,
    /// The column sums (a blank counts as 0).
    pub sums: Vec<Value>,
}

impl NumbersTable {
    /// The table of `units` (loaded, error-free reports of `format`'s edition).
    pub fn of(units: &[&Loaded], format: &Format) -> NumbersTable {
        let mut columns = Vec::new();
        for (ti, t) in format.tables.iter().enumerate() {
            for (ri, r) in t.records.iter().enumerate() {
                let mut fields: Vec<FieldRef> =
                    r.fields.iter().map(|&f| FieldRef::Field(f)).collect();
                if r.scalar.is_some() {
                    fields.push(FieldRef::Scalar);
                }
                if t.total_label.is_some() {
                    fields.push(FieldRef::Total);
                }
                for field in fields {
                    columns.push(NumberColumn {
                        key: t.cell_key(ri, field),
                        table: ti,
                        record: ri,
                        field,
                    });
                }
            }
        }
        let mut rows = Vec::new();
        let mut sums = vec![Value::Count(0); columns.len()];
        for u in units {
            let (Some(report), Some(checked)) = (&u.report, &u.checked) else { continue };
            let inputs: HashMap<String, Option<Value>> = report
                .numbers(format)
                .into_iter()
                .map(|c| (c.key, c.value.map(|n| n.value)))
                .collect();
            let values: Vec<Option<Value>> = columns
                .iter()
                .map(|c| match inputs.get(&c.key) {
                    Some(v) => *v,
                    None => {
                        let rec = checked.tables.get(c.table)?.records.get(c.record)?;
                        let def = &format.tables[c.table].records[c.record];
                        match c.field {
                            FieldRef::Total => rec.total,
                            FieldRef::Scalar => rec.values.first().copied(),
                            FieldRef::Field(f) => {
                                rec.values.get(def.fields.iter().position(|&x| x == f)?).copied()
                            }
                        }
                    }
                })
                .collect();
            for (s, v) in sums.iter_mut().zip(&values) {
                *s = Value::plus(*s, v.unwrap_or(Value::Count(0)));
            }
            rows.push((
                u.file.path().display().to_string(),
                report.unit.text.clone(),
                report.year.0,
                values,
            ));
        }
        NumbersTable { columns, rows, sums }
    }
}

/// A CSV with one row per unit and one column per table cell (fields and totals), and a
/// last row with the sums; a blank input cell is an empty field. Starts with a UTF-8 BOM
/// (Excel on Chinese Windows reads a CSV without one as GBK).
pub fn numbers_csv(units: &[&Loaded], format: &Format) -> String {
    let table = NumbersTable::of(units, format);
    let mut header = vec!["file".to_string(), "unit".to_string(), "year".to_string()];
    header.extend(table.columns.iter().map(|c| c.key.clone()));
    let mut out = String::from(BOM);
    out.push_str(&header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(","));
    out.push('\n');
    for (file, unit, year, values) in &table.rows {
        let mut row = vec![file.clone(), unit.clone(), year.to_string()];
        row.extend(values.iter().map(|v| v.map(|v| v.display()).unwrap_or_default()));
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    let mut total = vec!["合计 (total)".to_string(), String::new(), String::new()];
    total.extend(table.sums.iter().map(Value::display));
    out.push_str(&total.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
    out.push('\n');
    out
}

/// The byte-order mark every CSV starts with.
pub const BOM: &str = "\u{feff}";

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
    /// The same numbers, for `numbers.xlsx`.
    pub numbers: NumbersTable,
    /// The summed report (its numbers are the 汇总表's).
    pub summed: Report,
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
        let numbers = NumbersTable::of(&same, format);
        let report = aggregate_report(&same, format, office).ok_or("nothing to sum")?;
        let (checked, diags) = crate::validate::validate_report(&report, format);
        if crate::diag::has_errors(&diags) {
            return Err("summed tables do not balance (a bug, please report it)".into());
        }
        let file = crate::source::SourceFile::new("summary-report.yaml", String::new());
        let images = crate::resolve::Images::new();
        let summed = report.clone();
        let mut loaded = Loaded::new(file, Some(report), Some(checked), images, diags);
        loaded.format = engine.formats().shared(edition);
        let rendered = engine
            .render(&loaded, kinds)
            .map_err(|d| d.iter().map(|d| d.message_en.clone()).collect::<Vec<_>>().join("; "))?;
        out.push(SummaryReport {
            edition,
            units: same.len(),
            rendered,
            numbers_csv,
            numbers,
            summed,
        });
    }
    Ok(out)
}
