//! Next year's report from last year's (`nianbao init --from`): the prose kept as a
//! draft marked with the placeholder (so `check` warns until it is rewritten), the
//! numbers zeroed except what carries over: 上年结转 = last year's 结转下年度继续办理,
//! and the 现行有效件数 of 规章 and 行政规范性文件 = last year's (to which this year's
//! 制发 are added and 废止 taken away once they are filled in).

use crate::model::PLACEHOLDER;
use crate::model::{Decimal, Num, ProseItem, Report, Text, Value};
use crate::source::Span;
use crate::template::Format;

/// Builds the report for `year` from last year's report.
pub fn next_year(last: &Report, format: &Format, year: i32) -> Report {
    let old = last.year.0.to_string();
    let new = year.to_string();
    let mut r = last.clone();
    r.year = (year, Span::detached());
    r.date = None;
    r.signature.date = None;
    // Last year's settled findings are not this year's.
    r.dismissed.clear();
    r.title = r.title.map(|t| Text { text: t.text.replace(&old, &new), span: Span::detached() });
    // The preamble is the standard sentence: only its period changes.
    for item in &mut r.preamble {
        if let ProseItem::Paragraph(t) = item {
            t.text = t.text.replace(&format!("{old}年"), &format!("{new}年"));
        }
    }
    for s in &mut r.sections {
        mark(&mut s.prose);
        mark(&mut s.notes);
        let Some(table) = &mut s.table else { continue };
        let def = format.table(&table.key).expect("the report's tables are the format's");
        let last_table = last.table(&table.key).expect("same tables");
        for (i, rec) in table.records.iter_mut().enumerate() {
            rec.given_total = None;
            rec.span = Span::detached();
            for n in &mut rec.values {
                let value = match n.value {
                    Value::Count(_) => Value::Count(0),
                    Value::Decimal(_) => Value::Decimal(Decimal::from_int(0)),
                };
                *n = Num::written(value, Span::detached());
            }
            let rdef = &def.records[i];
            let carried = match (table.key.as_str(), rdef.key.as_str()) {
                ("applications", "carried_over") => last_table.record("carried_forward"),
                _ => None,
            };
            if let Some(from) = carried {
                for (n, v) in rec.values.iter_mut().zip(&from.values) {
                    n.value = v.value;
                }
            }
            if let Some(f) = rdef.fields.iter().position(|&f| def.fields[f].0 == "in_force") {
                rec.values[f].value = last_table.records[i].values[f].value;
            }
        }
    }
    r
}

/// Marks every paragraph as a draft to rewrite.
fn mark(items: &mut [ProseItem]) {
    let draft = |t: &mut Text| {
        if !t.text.starts_with(PLACEHOLDER) {
            t.text = format!("{PLACEHOLDER}{}", t.text);
        }
    };
    for item in items {
        match item {
            ProseItem::Paragraph(t) => draft(t),
            ProseItem::Subsection(s) => {
                s.text.iter_mut().for_each(draft);
                mark(&mut s.items);
            }
            ProseItem::Figure(_) => {}
        }
    }
}
