//! The report as the browser form edits it, and back to YAML.
//!
//! A form is `{"doc": …, "numbers": {key: text}}`: `doc` is the YAML's tree as JSON (every key
//! the form does not draw travels through untouched: `title`, `dismissed`, nested `items`;
//! a table's `intro`/`notes` stay there too), without the table records; `numbers` holds every number a
//! unit types, as typed, under the cells' stable keys ([`TableDef::cell_key`]). Totals are not
//! kept: the engine computes them (a typed total is only ever checked against them).
//!
//! The grids the form draws are the format's own grid data ([`grids_json`]), the data the PDF,
//! DOCX and HTML tables are drawn from.

use crate::diag::Diagnostic;
use crate::model::yaml_string;
use crate::source::{Node, NodeKind, parse_yaml};
use crate::template::{CellContent, FieldRef, Format, Formats, RuleDef, TableDef, place_cells};
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

/// Why a YAML file cannot be shown in the form.
#[derive(Debug)]
pub enum FormError {
    /// The YAML does not parse (its diagnostics).
    Syntax(Vec<Diagnostic>),
    /// The format edition is not known.
    Edition(String),
}

/// The edition a YAML tree names (the default when it names none).
fn edition_of(root: Option<&Node>, formats: &Formats) -> Result<u32, FormError> {
    match root.and_then(|r| r.get("format")).and_then(Node::as_scalar) {
        None => Ok(formats.default_edition()),
        Some(text) => text
            .trim()
            .parse()
            .ok()
            .filter(|e| formats.get(*e).is_some())
            .ok_or_else(|| FormError::Edition(text.to_string())),
    }
}

/// Whether a plain scalar is a whole number JSON can carry exactly.
fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit())
}

fn json_of(node: &Node) -> Value {
    match &node.kind {
        _ if node.is_null() => Value::Null,
        NodeKind::Scalar { text, plain: true } if text == "true" || text == "false" => {
            Value::Bool(text == "true")
        }
        NodeKind::Scalar { text, plain: true } if is_integer(text) => {
            text.parse::<i64>().map_or_else(|_| Value::String(text.clone()), Value::from)
        }
        NodeKind::Scalar { text, .. } => Value::String(text.clone()),
        NodeKind::Seq(items) => Value::Array(items.iter().map(json_of).collect()),
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_scalar().unwrap_or_default().to_string(), json_of(v)))
                .collect(),
        ),
    }
}

/// The node of a dotted record key (`withheld.state_secret`) in a table's node.
fn at<'a>(node: &'a Node, dotted: &str) -> Option<&'a Node> {
    dotted.split('.').try_fold(node, |n, part| n.get(part))
}

/// The form of a YAML report: its edition and `{doc, numbers}`.
pub fn form_of(text: &str, formats: &Formats) -> Result<(u32, Value), FormError> {
    let (root, diags) = parse_yaml(text, Default::default());
    if crate::diag::has_errors(&diags) {
        return Err(FormError::Syntax(diags));
    }
    let edition = edition_of(root.as_ref(), formats)?;
    let format = formats.get(edition).ok_or_else(|| FormError::Edition(edition.to_string()))?;
    let mut doc = match root.as_ref().map(json_of) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut numbers = Map::new();
    for def in &format.tables {
        let node = root.as_ref().and_then(|r| r.get(&def.key));
        for (i, rdef) in def.records.iter().enumerate() {
            if rdef.computed {
                continue;
            }
            let Some(rec) = node.and_then(|n| at(n, &rdef.key)) else { continue };
            let mut put = |field: FieldRef, n: Option<&Node>| {
                if let Some(n) = n
                    && !n.is_null()
                    && let Some(text) = n.as_scalar()
                {
                    numbers.insert(def.cell_key(i, field), text.into());
                }
            };
            if rdef.scalar.is_some() {
                put(FieldRef::Scalar, Some(rec));
                continue;
            }
            for (j, &f) in rdef.fields.iter().enumerate() {
                let n = match &rec.kind {
                    NodeKind::Seq(items) => items.get(j),
                    _ => rec.get(&def.fields[f].0),
                };
                put(FieldRef::Field(f), n);
            }
        }
        // The table's other keys (`intro`, `notes`) stay in `doc`.
        if let Some(Value::Object(section)) = doc.get_mut(&def.key) {
            section.retain(|k, _| !def.records.iter().any(|r| r.key.split('.').next() == Some(k)));
        }
    }
    Ok((edition, json!({"doc": doc, "numbers": numbers})))
}

/// Whether typed text is written as a plain YAML number: digits, an optional sign and point.
fn number_like(text: &str) -> bool {
    let t = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = t.split_once('.').map_or((t, None), |(i, f)| (i, Some(f)));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits)
}

/// A key as YAML: plain when it is a simple word.
fn key(k: &str) -> String {
    let simple = !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if simple { k.to_string() } else { yaml_string(k) }
}

/// Keys whose text is a number wherever they are (a figure's width).
const NUMERIC_KEYS: &[&str] = &["year", "format", "width_mm"];

/// A scalar (or empty container) written inline, `None` for a container to write as a block.
fn inline(v: &Value, numeric: bool) -> Option<String> {
    Some(match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if numeric && number_like(s.trim()) => s.trim().to_string(),
        Value::String(s) => yaml_string(s),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        _ => return None,
    })
}

/// Keys of a prose item or figure first, in the order people write them.
const KEY_ORDER: &[&str] = &["heading", "run_in", "text", "items", "image", "caption", "width_mm"];

fn entries<'a>(out: &mut String, pairs: impl Iterator<Item = (&'a str, &'a Value)>, indent: usize) {
    let mut pairs: Vec<_> = pairs.collect();
    pairs.sort_by_key(|(k, _)| KEY_ORDER.iter().position(|o| o == k).unwrap_or(KEY_ORDER.len()));
    for (k, v) in pairs {
        let pad = " ".repeat(indent);
        match inline(v, NUMERIC_KEYS.contains(&k)) {
            Some(s) => {
                let _ = writeln!(out, "{pad}{}: {s}", key(k));
            }
            None => {
                let _ = writeln!(out, "{pad}{}:", key(k));
                block(out, v, indent + 2);
            }
        }
    }
}

/// A mapping or sequence as a block at `indent`.
fn block(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(o) => entries(out, o.iter().map(|(k, v)| (k.as_str(), v)), indent),
        Value::Array(items) => {
            let pad = " ".repeat(indent);
            for item in items {
                match inline(item, false) {
                    Some(s) => {
                        let _ = writeln!(out, "{pad}- {s}");
                    }
                    None => {
                        // The item's block one level in, its first line after the dash.
                        let mut inner = String::new();
                        block(&mut inner, item, indent + 2);
                        let _ = write!(out, "{pad}- {}", &inner[indent + 2..]);
                    }
                }
            }
        }
        _ => {}
    }
}

/// A table's section: its other keys, then its records from `numbers` in the format's order
/// (a group such as `withheld:` once, its records under it), each record a flow mapping.
fn table_yaml(
    out: &mut String,
    def: &TableDef,
    extra: Option<&Value>,
    numbers: &Map<String, Value>,
) {
    let _ = writeln!(out, "{}:", def.key);
    if let Some(Value::Object(extra)) = extra {
        entries(out, extra.iter().map(|(k, v)| (k.as_str(), v)), 2);
    }
    let mut group: Option<&str> = None;
    for (i, rdef) in def.records.iter().enumerate() {
        if rdef.computed {
            continue;
        }
        let text = |field| {
            let v = numbers.get(&def.cell_key(i, field))?;
            let s = match v {
                Value::String(s) => s.trim().to_string(),
                other => other.to_string(),
            };
            (!s.is_empty()).then(|| inline(&Value::String(s), true).unwrap_or_default())
        };
        let (head, name) = match rdef.key.split_once('.') {
            Some((g, name)) => (Some(g), name),
            None => (None, rdef.key.as_str()),
        };
        if head != group {
            if let Some(g) = head {
                let _ = writeln!(out, "  {}:", key(g));
            }
            group = head;
        }
        let pad = if head.is_some() { "    " } else { "  " };
        if rdef.scalar.is_some() {
            if let Some(v) = text(FieldRef::Scalar) {
                let _ = writeln!(out, "{pad}{}: {v}", key(name));
            }
            continue;
        }
        let cells: Vec<String> = rdef
            .fields
            .iter()
            .filter_map(|&f| Some(format!("{}: {}", def.fields[f].0, text(FieldRef::Field(f))?)))
            .collect();
        let _ = writeln!(out, "{pad}{}: {{{}}}", key(name), cells.join(", "));
    }
}

/// The YAML of a form (`{doc, numbers}`) in the edition `format`.
pub fn yaml_of(form: &Value, format: &Format) -> String {
    let empty = Map::new();
    let doc = form.get("doc").and_then(Value::as_object).unwrap_or(&empty);
    let numbers = form.get("numbers").and_then(Value::as_object).unwrap_or(&empty);
    let mut out = String::with_capacity(8 * 1024);
    let mut written: Vec<&str> = Vec::new();
    let put = |out: &mut String, k: &'static str, written: &mut Vec<&str>| {
        if let Some(v) = doc.get(k) {
            entries(out, std::iter::once((k, v)), 0);
        }
        written.push(k);
    };
    for k in ["format", "unit", "year", "date", "title", "preamble"] {
        put(&mut out, k, &mut written);
    }
    for section in &format.sections {
        match format.table(section.table.as_deref().unwrap_or_default()) {
            Some(def) => table_yaml(&mut out, def, doc.get(&section.key), numbers),
            None => {
                if let Some(v) = doc.get(&section.key) {
                    entries(&mut out, std::iter::once((section.key.as_str(), v)), 0);
                }
            }
        }
    }
    let sections: Vec<&str> = format.sections.iter().map(|s| s.key.as_str()).collect();
    for k in ["signature", "dismissed"] {
        put(&mut out, k, &mut written);
    }
    let rest = doc
        .iter()
        .filter(|(k, _)| !written.contains(&k.as_str()) && !sections.contains(&k.as_str()));
    entries(&mut out, rest.map(|(k, v)| (k.as_str(), v)), 0);
    out
}

/// The keys a computed cell adds up (`None` for a cell a unit types): a record's 总计 is its
/// fields; a computed record (三（七）总计) is its rule's parts, column by column.
fn sum_of(format: &Format, t: usize, record: usize, field: FieldRef) -> Option<Vec<String>> {
    let def = &format.tables[t];
    let rdef = &def.records[record];
    let fields =
        |r: usize| def.records[r].fields.iter().map(move |&f| def.cell_key(r, FieldRef::Field(f)));
    if rdef.computed {
        let parts = format.rules.iter().find_map(|rule| match rule {
            RuleDef::ColumnSum { table, total, parts, .. } if *table == t && *total == record => {
                Some(parts)
            }
            _ => None,
        })?;
        return Some(match field {
            FieldRef::Field(f) => {
                parts.iter().map(|&p| def.cell_key(p, FieldRef::Field(f))).collect()
            }
            _ => parts.iter().flat_map(|&p| fields(p)).collect(),
        });
    }
    match field {
        FieldRef::Total => Some(fields(record).collect()),
        _ => None,
    }
}

/// The official label of a number (`三（三）1.属于国家秘密 / 科研机构`).
fn label_of(def: &TableDef, record: usize, field: FieldRef) -> String {
    let rdef = &def.records[record];
    match field {
        FieldRef::Scalar => rdef.label.clone(),
        FieldRef::Total => {
            format!("{} / {}", rdef.label, def.total_label.as_deref().unwrap_or("总计"))
        }
        FieldRef::Field(f) => format!("{} / {}", rdef.label, def.fields[f].1),
    }
}

/// What the form draws for an edition: the sections in order and every table's grid as the
/// format file gives it (spans, labels, and for each number its key, official label and,
/// for a total, the keys it adds up).
pub fn grids_json(format: &Format) -> Value {
    let sections: Vec<Value> = format
        .sections
        .iter()
        .map(|s| {
            json!({"key": s.key, "heading": s.heading(), "table": s.table,
                   "skeleton_headings": s.skeleton_headings})
        })
        .collect();
    let tables: Vec<Value> = format
        .tables
        .iter()
        .enumerate()
        .map(|(t, def)| {
            let placed = place_cells(&def.grid.rows, def.grid.widths.len()).unwrap_or_default();
            let rows: Vec<Value> = def
                .grid
                .rows
                .iter()
                .zip(&placed)
                .enumerate()
                .map(|(r, (row, cols))| {
                    let cells: Vec<Value> = row
                        .iter()
                        .zip(cols)
                        .map(|(cell, &c)| {
                            let mut v = json!({"row": r, "col": c, "rowspan": cell.rowspan,
                                "colspan": cell.colspan, "head": cell.head});
                            match &cell.content {
                                CellContent::Text(text) => v["text"] = text.clone().into(),
                                CellContent::Value { record, field } => {
                                    v["key"] = def.cell_key(*record, *field).into();
                                    v["label"] = label_of(def, *record, *field).into();
                                    v["decimal"] = (def.records[*record].scalar
                                        == Some(crate::template::ScalarKind::Decimal))
                                    .into();
                                    if let Some(sum) = sum_of(format, t, *record, *field) {
                                        v["sum"] = sum.into();
                                    }
                                }
                            }
                            v
                        })
                        .collect();
                    Value::Array(cells)
                })
                .collect();
            json!({"key": def.key, "widths": def.grid.widths, "header_rows": def.grid.header_rows,
                   "rows": rows})
        })
        .collect();
    json!({"edition": format.edition, "name": format.name, "sections": sections, "tables": tables})
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../examples/shengsi-2024.yaml");

    #[test]
    fn a_report_survives_the_form_with_its_numbers() {
        let formats = Formats::bundled();
        let (edition, form) = form_of(EXAMPLE, formats).unwrap();
        assert_eq!(edition, 2021);
        assert_eq!(form["numbers"]["applications.received.natural_person"], "7");
        assert_eq!(form["numbers"]["proactive.normative_documents.in_force"], "182");
        assert_eq!(form["numbers"]["proactive.fees"], "0");
        assert!(form["numbers"].get("applications.total.natural_person").is_none(), "computed");
        assert!(form["doc"]["applications"].as_object().unwrap().is_empty());
        let yaml = yaml_of(&form, formats.get(edition).unwrap());
        let before = crate::check_bytes(std::path::Path::new("a.yaml"), EXAMPLE.into());
        let after = crate::check_bytes(std::path::Path::new("a.yaml"), yaml.clone().into_bytes());
        assert!(after.is_ok(), "{yaml}\n{:?}", after.diags);
        let numbers = |l: &crate::Loaded| l.checked.as_ref().unwrap().tables.clone();
        assert_eq!(numbers(&before), numbers(&after), "the same numbers");
        // Everything but the typed totals (a row's 总计, the 三（七）总计 row), which the form
        // leaves to the engine.
        let strip = |l: &crate::Loaded| {
            let mut r = crate::model::strip_locations(l.report.as_ref().unwrap());
            for t in r.sections.iter_mut().filter_map(|s| s.table.as_mut()) {
                t.records.iter_mut().for_each(|rec| rec.given_total = None);
                t.records.retain(|rec| rec.key != "total");
            }
            r
        };
        assert!(strip(&before) == strip(&after), "the same report after the form");
    }

    #[test]
    fn typed_text_is_checked_where_it_was_typed() {
        let formats = Formats::bundled();
        let (_, mut form) = form_of(EXAMPLE, formats).unwrap();
        form["numbers"]["applications.received.business"] = "abc".into();
        form["numbers"]["proactive.fees"] = "1.50".into();
        form["doc"]["title"] = "标题: \"引号\"\n第二行".into();
        let yaml = yaml_of(&form, formats.get(2021).unwrap());
        assert!(yaml.contains("business: \"abc\""), "{yaml}");
        assert!(yaml.contains("fees: 1.50"), "{yaml}");
        let loaded = crate::check_bytes(std::path::Path::new("a.yaml"), yaml.into_bytes());
        let d = loaded.diags.iter().find(|d| d.is_error()).unwrap();
        assert_eq!(d.path.as_deref(), Some("applications.received.business"));
    }

    #[test]
    fn keys_the_form_does_not_draw_travel_through() {
        let formats = Formats::bundled();
        let text = EXAMPLE
            .replace("applications:\n", "applications:\n  intro: 本年度共收到申请7件。\n")
            + "title: 嵊泗县人民政府办公室2024年度政府信息公开工作年度报告\n\
               dismissed:\n  - code: W-A1\n    at: overview\n    reason: 已核实\n";
        let text = text.replace(
            "  - heading: 监督保障。\n",
            "  - heading: 监督保障。\n    items:\n      - heading: 培训\n        text: 培训1次。\n",
        );
        let (_, form) = form_of(&text, formats).unwrap();
        assert_eq!(form["doc"]["applications"]["intro"], "本年度共收到申请7件。");
        let yaml = yaml_of(&form, formats.get(2021).unwrap());
        let (_, again) = form_of(&yaml, formats).unwrap();
        assert_eq!(form, again, "{yaml}");
        assert!(yaml.contains("reason: \"已核实\""), "{yaml}");
        assert!(yaml.contains("heading: \"培训\""), "{yaml}");
        let loaded = crate::check_bytes(std::path::Path::new("a.yaml"), yaml.clone().into_bytes());
        assert!(!crate::diag::has_errors(&loaded.diags), "{yaml}\n{:?}", loaded.diags);
    }

    #[test]
    fn the_grids_are_the_format_grids() {
        let format = Formats::bundled().get(2021).unwrap();
        let g = grids_json(format);
        let t3 = &g["tables"][1];
        assert_eq!(t3["key"], "applications");
        let cells: Vec<&Value> =
            t3["rows"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap()).collect();
        let total = cells.iter().find(|c| c["key"] == "applications.total.natural_person").unwrap();
        assert_eq!(total["sum"].as_array().unwrap().len(), 21, "（一）…（六） items");
        let row = cells.iter().find(|c| c["key"] == "applications.received.total").unwrap();
        assert_eq!(row["sum"].as_array().unwrap().len(), 6);
        assert_eq!(row["label"], "一、本年新收政府信息公开申请数量 / 总计");
        let typed = cells.iter().filter(|c| c["key"].is_string() && c["sum"].is_null()).count();
        assert_eq!(typed, 24 * 6, "every applicant column of every record but the total");
    }
}
