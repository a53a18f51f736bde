//! Named numbers of the computed tables, as the audit compares them with prose and
//! with last year's report.

use crate::model::Value;
use crate::template::Format;
use crate::validate::{Checked, ComputedRecord};

/// A number of the tables with the label a reviewer knows it by.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// Official label (`一、本年新收政府信息公开申请数量 / 总计`).
    pub label: String,
    /// The computed value.
    pub value: u64,
}

/// Read access to the computed tables by record key.
#[derive(Clone, Copy)]
pub struct Cells<'a> {
    format: &'a Format,
    checked: &'a Checked,
}

impl<'a> Cells<'a> {
    /// Wraps the computed tables of a report in the given format.
    pub fn new(format: &'a Format, checked: &'a Checked) -> Self {
        Cells { format, checked }
    }

    /// The format the tables are in.
    pub fn format(&self) -> &'a Format {
        self.format
    }

    /// The label of a column of `table`: a field's, or (`col` past the fields) the total's.
    fn column(&self, table: &str, col: usize) -> &'a str {
        let Some(def) = self.format.table(table) else { return "" };
        match def.fields.get(col) {
            Some((_, label)) => label,
            None => def.total_label.as_deref().unwrap_or(""),
        }
    }

    /// The label of a column of table 三 (`col` 6 is 总计).
    pub fn app_column(&self, col: usize) -> &'a str {
        self.column("applications", col)
    }

    fn record(&self, table: &str, key: &str) -> Option<(&'a str, &'a ComputedRecord)> {
        let def = self.format.table(table)?;
        let i = def.record_index(key)?;
        let rec = self.checked.table(table)?.records.get(i)?;
        Some((def.records[i].label.as_str(), rec))
    }

    /// A row of table 三 (or a group such as `withheld`) in one column; `col` 6 is 总计.
    pub fn app(&self, key: &str, col: usize) -> Quantity {
        let label_col = self.app_column(col);
        if let Some((label, rec)) = self.record("applications", key) {
            let v = if col >= 6 { rec.total } else { rec.values.get(col).copied() };
            return Quantity {
                label: format!("{label} / {label_col}"),
                value: v.and_then(|v| v.count()).unwrap_or(0),
            };
        }
        let groups = &self.format.audit.groups;
        let group = groups.iter().find(|(k, _)| k == key).map_or(key, |(_, l)| l.as_str());
        let mut value = 0;
        if let (Some(def), Some(table)) =
            (self.format.table("applications"), self.checked.table("applications"))
        {
            for (rdef, rec) in def.records.iter().zip(&table.records) {
                if rdef.key.strip_prefix(key).is_some_and(|r| r.starts_with('.')) {
                    let v = if col >= 6 { rec.total } else { rec.values.get(col).copied() };
                    value += v.and_then(|v| v.count()).unwrap_or(0);
                }
            }
        }
        Quantity { label: format!("{group} / {label_col}"), value }
    }

    /// A field of a group of table 四 (`review`); `field` 4 is 总计.
    pub fn review(&self, key: &str, field: usize) -> Quantity {
        let Some((label, rec)) = self.record("reviews_lawsuits", key) else {
            return Quantity { label: key.to_string(), value: 0 };
        };
        let v = if field >= 4 { rec.total } else { rec.values.get(field).copied() };
        Quantity {
            label: format!("{label} / {}", self.column("reviews_lawsuits", field)),
            value: v.and_then(|v| v.count()).unwrap_or(0),
        }
    }

    /// A count of table 二 (`normative_documents` field 2 = 现行有效件数; scalars field 0).
    pub fn proactive(&self, key: &str, field: usize) -> Quantity {
        let Some(def) = self.format.table("proactive") else {
            return Quantity { label: key.to_string(), value: 0 };
        };
        let Some((label, rec)) = self.record("proactive", key) else {
            return Quantity { label: key.to_string(), value: 0 };
        };
        let i = def.record_index(key).unwrap_or(0);
        let field_label = def.records[i]
            .fields
            .get(field)
            .map(|&f| format!(" / {}", def.fields[f].1))
            .unwrap_or_default();
        let label = label.split(" / ").next().unwrap_or(label);
        Quantity {
            label: format!("{label}{field_label}"),
            value: rec.values.get(field).and_then(Value::count).unwrap_or(0),
        }
    }

    /// The label of the 行政事业性收费 row (`… / 本年收费金额（单位：万元）`).
    pub fn fees_label(&self) -> &'a str {
        self.record("proactive", "fees").map_or("", |(label, _)| label)
    }

    /// The 行政事业性收费 amount (万元).
    pub fn fees(&self) -> Option<Value> {
        self.record("proactive", "fees").and_then(|(_, r)| r.values.first().copied())
    }

    /// The sum of two quantities under a joined label.
    pub fn sum(parts: &[Quantity]) -> Quantity {
        Quantity {
            label: parts.iter().map(|q| q.label.as_str()).collect::<Vec<_>>().join(" + "),
            value: parts.iter().map(|q| q.value).sum(),
        }
    }

    /// The row totals a figure is most often confused with, for explaining near misses.
    pub fn usual_totals(&self) -> Vec<Quantity> {
        let mut out = Vec::new();
        for key in ["received", "carried_over", "disclosed", "partly_disclosed"] {
            out.push(self.app(key, 6));
        }
        for (key, _) in &self.format.audit.groups {
            out.push(self.app(key, 6));
        }
        out.push(self.app("total", 6));
        out.push(self.app("carried_forward", 6));
        for key in ["review", "lawsuit_direct", "lawsuit_after_review"] {
            out.push(self.review(key, 4));
        }
        out
    }
}
