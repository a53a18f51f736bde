//! Validation: the consistency rules (勾稽关系) of the format, run on the loaded
//! report, plus the plausibility warnings a reviewer would raise. Produces the
//! computed numbers the renderers print (totals are always computed).

mod plausibility;

use crate::diag::{Code, Diagnostic, Msg};
use crate::model::{Num, Record, Report, Value};
use crate::source::Span;
use crate::template::{FieldRef, Format, RecordDef, RuleDef, TableDef};

/// The numbers of one record as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedRecord {
    /// Field values in the format's order (one for scalar records).
    pub values: Vec<Value>,
    /// The row total, for tables with a total column.
    pub total: Option<Value>,
}

/// The numbers of one table as printed, records in the format's order.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedTable {
    /// Table key.
    pub key: String,
    /// Records.
    pub records: Vec<ComputedRecord>,
}

/// A report whose numbers have been checked and completed.
#[derive(Debug, Clone)]
pub struct Checked {
    /// One entry per table of the format, in the format's order.
    pub tables: Vec<ComputedTable>,
}

impl Checked {
    /// The computed table with this key.
    pub fn table(&self, key: &str) -> Option<&ComputedTable> {
        self.tables.iter().find(|t| t.key == key)
    }
}

fn sum(values: impl IntoIterator<Item = Value>) -> Value {
    values.into_iter().fold(Value::Count(0), Value::plus)
}

/// Checks every rule of the format and returns the computed tables plus every
/// problem (errors for broken rules, warnings for implausible content).
pub fn validate_report(report: &Report, format: &Format) -> (Checked, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut tables: Vec<ComputedTable> = format
        .tables
        .iter()
        .map(|def| {
            let data = report.table(&def.key);
            let records = def
                .records
                .iter()
                .enumerate()
                .map(|(i, rdef)| {
                    // A missing table (its key misspelt or left out, already an error)
                    // is all zeros: the rules index every field of every record.
                    let width = if rdef.scalar.is_some() { 1 } else { rdef.fields.len() };
                    let values: Vec<Value> = data.map_or_else(
                        || vec![Value::Count(0); width],
                        |d| d.records[i].values.iter().map(|n| n.value).collect(),
                    );
                    let total = def.total_label.as_ref().map(|_| sum(values.iter().copied()));
                    ComputedRecord { values, total }
                })
                .collect();
            ComputedTable { key: def.key.clone(), records }
        })
        .collect();

    for rule in &format.rules {
        match rule {
            RuleDef::RowTotal { code, table } => {
                let def = &format.tables[*table];
                let Some(data) = report.table(&def.key) else {
                    continue;
                };
                row_totals(
                    *code,
                    format.rule_hint(*code),
                    def,
                    &data.records,
                    &tables[*table],
                    &mut diags,
                );
            }
            RuleDef::ColumnSum { code, table, total, parts } => {
                let def = &format.tables[*table];
                let ct = &mut tables[*table];
                let width = def.records[*total].fields.len();
                let computed: Vec<Value> = (0..width)
                    .map(|c| sum(parts.iter().map(|&p| ct.records[p].values[c])))
                    .collect();
                ct.records[*total].total = Some(sum(computed.iter().copied()));
                ct.records[*total].values = computed;
                if let Some(data) = report.table(&def.key) {
                    let (rdef, given) = (&def.records[*total], &data.records[*total]);
                    let hint = format.rule_hint(*code);
                    column_sum(*code, hint, def, rdef, given, &ct.records[*total], &mut diags);
                }
            }
            RuleDef::Balance { code, table, left, right, left_label, right_label } => {
                let def = &format.tables[*table];
                let ct = &tables[*table];
                let Some(data) = report.table(&def.key) else {
                    continue;
                };
                let columns = def.fields.len() + usize::from(def.total_label.is_some());
                let cell = |r: usize, c: usize| -> Value {
                    let rec = &ct.records[r];
                    if c < rec.values.len() {
                        rec.values[c]
                    } else {
                        rec.total.unwrap_or(Value::Count(0))
                    }
                };
                for c in 0..columns {
                    let l = sum(left.iter().map(|&r| cell(r, c)));
                    let r = sum(right.iter().map(|&r| cell(r, c)));
                    if l == r {
                        continue;
                    }
                    let column = column_label(def, c);
                    let span = right
                        .iter()
                        .chain(left.iter())
                        .map(|&i| data.records[i].span)
                        .find(Span::is_located)
                        .unwrap_or_default();
                    let (l, r) = (l.display(), r.display());
                    diags.push(
                        Diagnostic::of(
                            Msg::for_rule(*code, Msg::Balance),
                            span,
                            &[
                                ("column", &column),
                                ("left", left_label),
                                ("right", right_label),
                                ("l", &l),
                                ("r", &r),
                            ],
                        )
                        .with_path(def.key.clone())
                        .with_label(format!("{left_label} ≠ {right_label} / {column}"))
                        .with_hints(format.rule_hint(*code))
                        .with_cells(balance_cells(
                            def,
                            left.iter().chain(right),
                            c,
                        )),
                    );
                }
            }
        }
    }
    plausibility::check(report, format, &mut diags);
    (Checked { tables }, diags)
}

/// The keys of column `c` (a field, or the total column after the fields) of `records`.
fn balance_cells<'a>(
    def: &TableDef,
    records: impl Iterator<Item = &'a usize>,
    c: usize,
) -> Vec<String> {
    let field = if c < def.fields.len() { FieldRef::Field(c) } else { FieldRef::Total };
    records.map(|&r| def.cell_key(r, field)).collect()
}

fn column_label(def: &TableDef, c: usize) -> String {
    match def.fields.get(c) {
        Some((_, label)) => label.clone(),
        None => def.total_label.clone().unwrap_or_default(),
    }
}

fn cell_path(def: &TableDef, rec: &Record, index: usize, field_key: &str) -> String {
    if rec.from_list {
        format!("{}.{}[{index}]", def.key, rec.key)
    } else {
        format!("{}.{}.{field_key}", def.key, rec.key)
    }
}

fn row_totals(
    code: Code,
    hint: Option<&str>,
    def: &TableDef,
    records: &[Record],
    ct: &ComputedTable,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(total_label) = &def.total_label else {
        return;
    };
    for (i, rec) in records.iter().enumerate() {
        let rdef = &def.records[i];
        let Some(given) = rec.given_total else {
            continue;
        };
        if rdef.computed {
            continue; // checked against the computed column sums instead
        }
        let computed = ct.records[i].total.unwrap_or(Value::Count(0));
        if given.value != computed {
            let (g, s) = (given.value.display(), computed.display());
            diags.push(
                Diagnostic::of(
                    Msg::for_rule(code, Msg::RowTotal),
                    given.span,
                    &[
                        ("row", &rdef.label),
                        ("total", total_label),
                        ("key", &rec.key),
                        ("given", &g),
                        ("sum", &s),
                    ],
                )
                .with_path(cell_path(def, rec, rdef.fields.len(), "total"))
                .with_label(format!("{} / {total_label}", rdef.label))
                .with_hints(hint),
            );
        }
    }
}

fn column_sum(
    code: Code,
    hint: Option<&str>,
    def: &TableDef,
    rdef: &RecordDef,
    given: &Record,
    computed: &ComputedRecord,
    diags: &mut Vec<Diagnostic>,
) {
    for (c, (num, value)) in given.values.iter().zip(&computed.values).enumerate() {
        if !num.span.is_located() || num.value == *value {
            continue;
        }
        let (field_key, field_label) = &def.fields[rdef.fields[c]];
        let path = cell_path(def, given, c, field_key);
        diags.push(column_diag(code, hint, &rdef.label, field_label, num, *value, path));
    }
    if let (Some(num), Some(value), Some(total_label)) =
        (given.given_total, computed.total, &def.total_label)
        && num.value != value
    {
        let path = cell_path(def, given, rdef.fields.len(), "total");
        diags.push(column_diag(code, hint, &rdef.label, total_label, &num, value, path));
    }
}

/// E-R2: a supplied cell of the total row against the computed column sum.
fn column_diag(
    code: Code,
    hint: Option<&str>,
    row_label: &str,
    column: &str,
    given: &Num,
    computed: Value,
    path: String,
) -> Diagnostic {
    let (span, g, s) = (given.span, given.value.display(), computed.display());
    Diagnostic::of(
        Msg::for_rule(code, Msg::ColumnTotal),
        span,
        &[("row", &row_label), ("column", &column), ("given", &g), ("sum", &s)],
    )
    .with_path(path)
    .with_label(format!("{row_label} / {column}"))
    .with_hints(hint)
}
