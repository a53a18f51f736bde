//! The numbers view of a report: every input number of the official tables by the format's
//! stable cell key (`applications.received.natural_person`, `proactive.fees`), in the
//! format's order, with its official label, its kind and whether it was written or left
//! blank. Everything that moves numbers in or out by key — batch's `numbers.csv`, the
//! spreadsheet template and reader, a form — goes through [`Report::numbers`] and
//! [`Report::set_number`] instead of walking the tables itself.

use super::{Decimal, Num, Report, Value};
use crate::template::{FieldRef, Format, ScalarKind, TableDef};
use std::fmt;

/// One input number of the official tables (the computed ones — the 总计 column and the
/// `computed:` records — are not input numbers and are not listed).
#[derive(Debug, Clone, PartialEq)]
pub struct NumberCell {
    /// The stable key (`applications.withheld.state_secret.business`, `proactive.fees`).
    pub key: String,
    /// Index of the table in [`Format::tables`].
    pub table: usize,
    /// Index of the record in the table.
    pub record: usize,
    /// Which number of the record.
    pub field: FieldRef,
    /// The official label, as messages name the cell (`三（三）1.属于国家秘密 / 商业企业`).
    pub label: String,
    /// A whole count or an amount with two decimals (万元).
    pub kind: ScalarKind,
    /// The number, or `None` when the cell was left blank.
    pub value: Option<Num>,
}

/// Why [`Report::set_number`] refused a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetNumberError {
    /// No input cell of the format has this key (a computed cell's key is refused too).
    UnknownKey(String),
    /// An amount given for a cell that holds a whole count.
    NotACount(String),
}

impl fmt::Display for SetNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetNumberError::UnknownKey(k) => {
                write!(f, "没有可填写的单元格 `{k}` (no input cell has the key `{k}`)")
            }
            SetNumberError::NotACount(k) => {
                write!(f, "`{k}` 只能填整数 (`{k}` holds a whole count, not an amount)")
            }
        }
    }
}

impl std::error::Error for SetNumberError {}

/// The input cells of `format` in its order (sections, records, fields), without values.
pub fn input_cells(format: &Format) -> Vec<NumberCell> {
    let mut out = Vec::new();
    for (_, ti) in format.section_tables() {
        let def = &format.tables[ti];
        for (ri, rdef) in def.records.iter().enumerate() {
            if rdef.computed {
                continue;
            }
            match rdef.scalar {
                Some(kind) => out.push(NumberCell {
                    key: def.cell_key(ri, FieldRef::Scalar),
                    table: ti,
                    record: ri,
                    field: FieldRef::Scalar,
                    label: rdef.label.clone(),
                    kind,
                    value: None,
                }),
                None => {
                    for &f in &rdef.fields {
                        out.push(NumberCell {
                            key: def.cell_key(ri, FieldRef::Field(f)),
                            table: ti,
                            record: ri,
                            field: FieldRef::Field(f),
                            label: format!("{} / {}", rdef.label, def.fields[f].1),
                            kind: ScalarKind::Count,
                            value: None,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Where the number of `field` of record `record` sits in the record's `values`.
fn slot(def: &TableDef, record: usize, field: FieldRef) -> usize {
    match field {
        FieldRef::Field(f) => def.records[record].fields.iter().position(|&x| x == f).unwrap_or(0),
        FieldRef::Scalar | FieldRef::Total => 0,
    }
}

/// The input cell with key `key` — (table, record, field, kind) — found the way
/// [`input_cells`] lists them, without making the list and its labels (a workbook sets every
/// cell through [`Report::set_number`]).
fn find_input(format: &Format, key: &str) -> Option<(usize, usize, FieldRef, ScalarKind)> {
    for (_, ti) in format.section_tables() {
        let def = &format.tables[ti];
        let Some(rest) = key.strip_prefix(def.key.as_str()).and_then(|r| r.strip_prefix('.'))
        else {
            continue;
        };
        for (ri, rdef) in def.records.iter().enumerate().filter(|(_, r)| !r.computed) {
            match rdef.scalar {
                Some(kind) if rest == rdef.key => return Some((ti, ri, FieldRef::Scalar, kind)),
                Some(_) => {}
                None => {
                    let Some(field) =
                        rest.strip_prefix(rdef.key.as_str()).and_then(|r| r.strip_prefix('.'))
                    else {
                        continue;
                    };
                    if let Some(&f) = rdef.fields.iter().find(|&&f| def.fields[f].0 == field) {
                        return Some((ti, ri, FieldRef::Field(f), ScalarKind::Count));
                    }
                }
            }
        }
    }
    None
}

impl Report {
    /// Every input number by its stable key, in the format's order: the one way numbers
    /// leave the report by key.
    pub fn numbers(&self, format: &Format) -> Vec<NumberCell> {
        let mut cells = input_cells(format);
        for cell in &mut cells {
            let def = &format.tables[cell.table];
            let num = self
                .table(&def.key)
                .and_then(|t| t.records.get(cell.record))
                .and_then(|r| r.values.get(slot(def, cell.record, cell.field)));
            cell.value = num.copied().filter(|n| !n.blank);
        }
        cells
    }

    /// Writes (or, with `None`, blanks) the input number with key `key`; the one way numbers
    /// enter the report by key. A count given for an amount cell becomes an amount; an
    /// amount for a count cell, and any key that is not an input cell's, are refused.
    pub fn set_number(
        &mut self,
        format: &Format,
        key: &str,
        num: Option<Num>,
    ) -> Result<(), SetNumberError> {
        let (ti, record, field, kind) =
            find_input(format, key).ok_or_else(|| SetNumberError::UnknownKey(key.to_string()))?;
        let def = &format.tables[ti];
        let num = match num {
            None => Num::blank(),
            Some(n) => {
                let value = match (kind, n.value) {
                    (ScalarKind::Count, Value::Decimal(_)) => {
                        return Err(SetNumberError::NotACount(key.to_string()));
                    }
                    (ScalarKind::Decimal, Value::Count(c)) => Value::Decimal(Decimal::from_int(c)),
                    (_, v) => v,
                };
                Num::written(value, n.span)
            }
        };
        let i = slot(def, record, field);
        let record = self
            .sections
            .iter_mut()
            .filter_map(|s| s.table.as_mut())
            .find(|t| t.key == def.key)
            .and_then(|t| t.records.get_mut(record))
            .ok_or_else(|| SetNumberError::UnknownKey(key.to_string()))?;
        match record.values.get_mut(i) {
            Some(v) => *v = num,
            None => return Err(SetNumberError::UnknownKey(key.to_string())),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load_report;
    use crate::source::{SourceFile, Span};
    use crate::template::{Formats, bundled_format};

    fn township() -> Report {
        let text = include_str!("../../examples/township-2025.yaml");
        let (r, diags) =
            load_report(&SourceFile::new("t.yaml", text.to_string()), Formats::bundled());
        assert!(diags.iter().all(|d| d.severity != crate::diag::Severity::Error), "{diags:?}");
        r.unwrap()
    }

    #[test]
    fn the_view_lists_every_input_cell_in_the_formats_order() {
        let f = bundled_format(2021).unwrap();
        let cells = input_cells(f);
        // 2 × 3 + 4 scalars; 24 input records × 6; 3 × 4
        assert_eq!(cells.len(), 10 + 24 * 6 + 12);
        assert_eq!(cells[0].key, "proactive.regulations.issued");
        assert_eq!(cells[9].key, "proactive.fees");
        assert_eq!(cells[9].kind, ScalarKind::Decimal);
        assert_eq!(cells[10].key, "applications.received.natural_person");
        assert_eq!(cells[10].label, "一、本年新收政府信息公开申请数量 / 自然人");
        assert!(cells.iter().all(|c| !c.key.ends_with(".total")));
        assert!(!cells.iter().any(|c| c.key.starts_with("applications.total.")));
    }

    #[test]
    fn set_number_writes_blanks_and_refuses_unknown_keys() {
        let f = bundled_format(2021).unwrap();
        let mut r = township();
        assert!(r.numbers(f).iter().all(|c| c.value.is_some()), "the example writes every cell");
        let key = "applications.withheld.third_party.research";
        r.set_number(f, key, Some(Num::written(Value::Count(7), Span::detached()))).unwrap();
        let cell = r.numbers(f).into_iter().find(|c| c.key == key).unwrap();
        assert_eq!(cell.value.unwrap().value, Value::Count(7));
        r.set_number(f, key, None).unwrap();
        let cell = r.numbers(f).into_iter().find(|c| c.key == key).unwrap();
        assert_eq!(cell.value, None);
        let fees = Some(Num::written(Value::Count(3), Span::detached()));
        r.set_number(f, "proactive.fees", fees).unwrap();
        let fee = r.numbers(f).into_iter().find(|c| c.key == "proactive.fees").unwrap();
        assert_eq!(fee.value.unwrap().value.display(), "3");
        let amount = Some(Num::written(Value::Decimal(Decimal::from_int(1)), Span::detached()));
        assert!(matches!(
            r.set_number(f, "proactive.licensing", amount),
            Err(SetNumberError::NotACount(_))
        ));
        for bad in ["applications.total.business", "applications.received.total", "nope"] {
            assert_eq!(
                r.set_number(f, bad, None),
                Err(SetNumberError::UnknownKey(bad.to_string()))
            );
        }
    }
}
