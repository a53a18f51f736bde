//! Table sections: records in list or map form, one-number records, and the numbers in them.

use super::{Loader, group_label, is_float_syntax, join, zeros};
use crate::diag;
use crate::diag::{Diagnostic, Hint};
use crate::model::{Decimal, Num, ProseItem, Record, TableData, Value};
use crate::source::{Node, NodeKind, Span};
use crate::template::{ScalarKind, TableDef};

impl Loader<'_> {
    /// A table section: the table's records plus optional `intro`/`notes` prose.
    pub(super) fn table_section(
        &mut self,
        node: &Node,
        def: &TableDef,
        section_label: &str,
    ) -> (TableData, Vec<ProseItem>, Vec<ProseItem>) {
        let mut records: Vec<Record> = def
            .records
            .iter()
            .map(|r| Record {
                key: r.key.clone(),
                span: Span::detached(),
                // A computed record (三（七）总计) is no input cell: it is never blank.
                values: zeros(if r.scalar.is_some() { 1 } else { r.fields.len() })
                    .into_iter()
                    .map(|n| Num { blank: !r.computed, ..n })
                    .collect(),
                given_total: None,
                from_list: false,
            })
            .collect();
        let mut intro = Vec::new();
        let mut notes = Vec::new();
        let mut allowed: Vec<&str> =
            def.records.iter().map(|r| r.key.split('.').next().unwrap_or(&r.key)).collect();
        allowed.dedup();
        allowed.extend(["intro", "notes"]);
        if !node.is_null() && self.check_keys(node, &allowed, &def.key, section_label) {
            if let Some(n) = node.get("intro") {
                intro = self.prose(n, &join(&def.key, "intro"), 1);
            }
            if let Some(n) = node.get("notes") {
                notes = self.prose(n, &join(&def.key, "notes"), 1);
            }
            // Groups (`withheld: {state_secret: …}`) get their own key check.
            let mut groups: Vec<&str> = Vec::new();
            for r in &def.records {
                if let Some((g, _)) = r.key.split_once('.')
                    && !groups.contains(&g)
                {
                    groups.push(g);
                }
            }
            for g in groups {
                if let Some(gn) = node.get(g) {
                    if gn.is_null() {
                        continue;
                    }
                    let members: Vec<&str> = def
                        .records
                        .iter()
                        .filter_map(|r| r.key.strip_prefix(g).and_then(|s| s.strip_prefix('.')))
                        .collect();
                    let glabel = def
                        .records
                        .iter()
                        .find(|r| r.key.starts_with(g))
                        .map(|r| group_label(&r.label))
                        .unwrap_or_default();
                    self.check_keys(gn, &members, &join(&def.key, g), &glabel);
                }
            }
            for (i, rdef) in def.records.iter().enumerate() {
                let found = match rdef.key.split_once('.') {
                    Some((g, k)) => node.get(g).and_then(|gn| gn.get(k)),
                    None => node.get(&rdef.key),
                };
                if let Some(rn) = found {
                    let path = join(&def.key, &rdef.key);
                    self.record(rn, def, i, &path, &mut records[i]);
                }
            }
        }
        (TableData { key: def.key.clone(), records }, intro, notes)
    }

    fn record(&mut self, node: &Node, def: &TableDef, index: usize, path: &str, out: &mut Record) {
        let rdef = &def.records[index];
        out.span = node.span;
        if let Some(kind) = rdef.scalar {
            if let Some(n) = self.number(node, kind, path, &rdef.label) {
                out.values[0] = n;
            }
            return;
        }
        if node.is_null() {
            return;
        }
        let field_label = |f: usize| format!("{} / {}", rdef.label, def.fields[f].1);
        let total_label = def.total_label.as_ref().map(|t| format!("{} / {t}", rdef.label));
        match &node.kind {
            NodeKind::Seq(items) if def.list_form => {
                out.from_list = true;
                let n = rdef.fields.len();
                let max = n + usize::from(total_label.is_some());
                if items.len() != n && items.len() != max {
                    let names: Vec<&str> =
                        rdef.fields.iter().map(|&f| def.fields[f].1.as_str()).collect();
                    let (names, found) = (names.join("、"), items.len());
                    let d = diag!(
                        ListLength,
                        node.span,
                        n = n,
                        names = names,
                        n1 = n + 1,
                        found = found
                    );
                    self.diags.push(d.with_path(path).with_label(&rdef.label));
                }
                for (i, item) in items.iter().enumerate().take(max) {
                    let p = format!("{path}[{i}]");
                    if i < n {
                        if let Some(v) =
                            self.number(item, ScalarKind::Count, &p, &field_label(rdef.fields[i]))
                        {
                            out.values[i] = v;
                        }
                    } else if let Some(label) = &total_label {
                        out.given_total = self.number(item, ScalarKind::Count, &p, label);
                    }
                }
            }
            NodeKind::Map(_) => {
                let mut allowed: Vec<&str> =
                    rdef.fields.iter().map(|&f| def.fields[f].0.as_str()).collect();
                if total_label.is_some() {
                    allowed.push("total");
                }
                self.check_keys(node, &allowed, path, &rdef.label);
                for (i, &f) in rdef.fields.iter().enumerate() {
                    if let Some(item) = node.get(&def.fields[f].0) {
                        let p = join(path, &def.fields[f].0);
                        if let Some(v) = self.number(item, ScalarKind::Count, &p, &field_label(f)) {
                            out.values[i] = v;
                        }
                    }
                }
                if let (Some(item), Some(label)) = (node.get("total"), &total_label) {
                    out.given_total =
                        self.number(item, ScalarKind::Count, &join(path, "total"), label);
                }
            }
            _ => {
                let (zh, en) = node.type_name();
                let (want_zh, want_en) = if def.list_form {
                    ("数字列表或键值映射", "a list of numbers or a mapping")
                } else {
                    ("键值映射", "a mapping")
                };
                let d = diag!(
                    ExpectedRecord,
                    node.span,
                    want_zh = want_zh,
                    want_en = want_en,
                    found_zh = zh,
                    found_en = en
                );
                self.diags.push(d.with_path(path).with_label(&rdef.label));
            }
        }
    }

    /// A count (non-negative whole number within u32) or a decimal amount.
    fn number(&mut self, node: &Node, kind: ScalarKind, path: &str, label: &str) -> Option<Num> {
        let err = |d: Diagnostic| d.with_path(path).with_label(label);
        let span = node.span;
        let Some(raw) = node.as_scalar().filter(|_| !node.is_null()) else {
            let (zh, en) = node.type_name();
            let d = diag!(ExpectedNumber, span, found_zh = zh, found_en = en);
            self.diags.push(err(d).hint(Hint::WriteZero, &[]));
            return None;
        };
        let text = raw.trim();
        let numeric = text.strip_prefix('-').unwrap_or(text);
        let looks_numeric = !numeric.is_empty()
            && numeric.chars().all(|c| c.is_ascii_digit() || c == '.')
            && numeric.chars().any(|c| c.is_ascii_digit());
        if text.starts_with('-') && looks_numeric {
            let (zh, en) = match kind {
                ScalarKind::Count => ("数量", "counts"),
                ScalarKind::Decimal => ("金额", "amounts"),
            };
            self.diags.push(err(diag!(Negative, span, what_zh = zh, what_en = en, text = text)));
            return None;
        }
        match kind {
            ScalarKind::Decimal => match Decimal::parse(text) {
                Some(d) => Some(Num::written(Value::Decimal(d), node.span)),
                None => {
                    self.diags.push(err(diag!(BadDecimal, span, text = text)));
                    None
                }
            },
            ScalarKind::Count => {
                if text.chars().all(|c| c.is_ascii_digit()) && !text.is_empty() {
                    match text.parse::<u64>() {
                        Ok(n) if n <= super::MAX_COUNT => {
                            Some(Num::written(Value::Count(n), node.span))
                        }
                        _ => {
                            self.diags.push(err(diag!(
                                OutOfRange,
                                span,
                                text = text,
                                limit = super::MAX_COUNT
                            )));
                            None
                        }
                    }
                } else if looks_numeric || is_float_syntax(text) {
                    self.diags.push(err(diag!(NotInteger, span, text = text)));
                    None
                } else {
                    let mut d = err(diag!(ExpectedWholeNumber, span, text = text));
                    if text.chars().any(|c| ('０'..='９').contains(&c)) {
                        d = d.hint(Hint::HalfWidthDigits, &[]);
                    } else if text.contains(',') || text.contains('，') {
                        d = d.hint(Hint::NoThousands, &[]);
                    }
                    self.diags.push(d);
                    None
                }
            }
        }
    }
}
