//! The one chart description: which charts a 图解 has and the numbers on them, read from the
//! report's computed tables ([`Checked`]) by the format's cell keys ([`TableDef::cell_key`]),
//! the keys the HTML page's `data-key`, batch's `summary.csv` and the form use. Every drawing
//! (SVG, PNG, the PDF page) is made from this description alone.

use crate::model::{Report, Value};
use crate::template::{FieldRef, Format};
use crate::validate::Checked;
use std::collections::BTreeMap;

/// A 图解: the report's charts, in the order they are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Tujie {
    /// The issuing unit.
    pub unit: String,
    /// The reported year.
    pub year: i32,
    /// The report's title (`某某局2024年度政府信息公开工作年度报告`).
    pub title: String,
    /// Last year, when the charts compare with it.
    pub previous_year: Option<i32>,
    /// The charts.
    pub charts: Vec<Chart>,
}

/// How a chart draws its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// One horizontal bar per row (two with last year), its number at its end.
    Bars,
    /// The rows as shares of their sum: one bar cut in parts, each row's number and
    /// percentage beside its swatch.
    Shares,
}

/// One chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// A stable name (`results`), for ids and tests.
    pub key: &'static str,
    /// The title printed above it.
    pub title: String,
    /// What its numbers count (`件`, `万元`).
    pub measure: &'static str,
    /// How it is drawn.
    pub kind: ChartKind,
    /// The rows, in drawing order.
    pub rows: Vec<Row>,
    /// What is printed instead of the chart when every number on it is 0.
    pub zero_sentence: String,
}

/// One number of a chart (and last year's, when compared).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// A heading the row is drawn under (`行政复议`), shared by the rows after it.
    pub group: Option<String>,
    /// The row's own label (`结果维持`).
    pub label: String,
    /// The cell key it is read from (`applications.received.total`); a sum of rows is named
    /// by the pattern of its parts (`applications.withheld.*.total`).
    pub key: String,
    /// This year's number, as the table prints it.
    pub value: Value,
    /// Last year's.
    pub previous: Option<Value>,
    /// For a share: this year's percentage in tenths of a percent (largest remainder, so the
    /// chart's add to 1000).
    pub permille: Option<u32>,
    /// Last year's percentage, likewise.
    pub previous_permille: Option<u32>,
}

impl Row {
    /// The label with its group (`行政复议 结果维持`).
    pub fn full_label(&self) -> String {
        match &self.group {
            Some(g) => format!("{g} {}", self.label),
            None => self.label.clone(),
        }
    }
}

impl Chart {
    /// Whether every number on the chart, this year's and last year's, is 0: then a sentence
    /// is printed instead.
    pub fn is_zero(&self) -> bool {
        self.rows.iter().all(|r| is_zero(r.value) && r.previous.is_none_or(is_zero))
    }

    /// Whether it compares with last year.
    pub fn compares(&self) -> bool {
        self.rows.iter().any(|r| r.previous.is_some())
    }

    /// The chart in words, for its alternative text and `<desc>`: every number on it.
    pub fn description(&self, year: i32, previous_year: Option<i32>) -> String {
        if self.is_zero() {
            return format!("{}：{}", self.title, self.zero_sentence);
        }
        let mut parts = Vec::new();
        for row in &self.rows {
            let mut s = format!("{}{}{}", row.full_label(), row.value.display(), self.measure);
            if let Some(p) = row.permille {
                s.push_str(&format!("，占{}", percent_text(p)));
            }
            if let (Some(prev), Some(py)) = (row.previous, previous_year) {
                s.push_str(&format!("（{py}年{}{}）", prev.display(), self.measure));
            }
            parts.push(s);
        }
        let kind = match self.kind {
            ChartKind::Bars => "条形图",
            ChartKind::Shares => "占比图",
        };
        format!(
            "{}（{year}年，{kind}，单位：{}）：{}。",
            self.title,
            self.measure,
            parts.join("；")
        )
    }
}

/// A chart's numbers as a table: the header row and one row per chart row, the first cell
/// its label; a number's cell names its key and year.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberTable {
    /// 项目 | this year (| 占比) (| last year (| 占比)).
    pub head: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<TableCell>>,
}

/// A cell of a [`NumberTable`].
#[derive(Debug, Clone, PartialEq)]
pub struct TableCell {
    /// As printed.
    pub text: String,
    /// For a number: its cell key and year.
    pub number: Option<(String, i32)>,
}

impl Chart {
    /// The chart's numbers as a table (the PDF's and the HTML page's).
    pub fn table(&self, year: i32, previous_year: Option<i32>) -> NumberTable {
        let shares = self.kind == ChartKind::Shares;
        let mut head = vec!["项目".to_string(), format!("{year}年（{}）", self.measure)];
        if shares {
            head.push(format!("{year}年占比"));
        }
        let prev = previous_year.filter(|_| self.compares());
        if let Some(py) = prev {
            head.push(format!("{py}年（{}）", self.measure));
            if shares {
                head.push(format!("{py}年占比"));
            }
        }
        let text = |t: String| TableCell { text: t, number: None };
        let rows = self
            .rows
            .iter()
            .map(|row| {
                let mut cells = vec![
                    text(row.full_label()),
                    TableCell { text: row.value.display(), number: Some((row.key.clone(), year)) },
                ];
                if shares {
                    cells.push(text(percent_text(row.permille.unwrap_or(0))));
                }
                if let Some(py) = prev {
                    let v = row.previous.unwrap_or(Value::Count(0));
                    cells
                        .push(TableCell { text: v.display(), number: Some((row.key.clone(), py)) });
                    if shares {
                        cells.push(text(percent_text(row.previous_permille.unwrap_or(0))));
                    }
                }
                cells
            })
            .collect();
        NumberTable { head, rows }
    }
}

fn is_zero(v: Value) -> bool {
    as_f64(v) == 0.0
}

/// A value as a float, for lengths only (the text printed is always [`Value::display`]).
pub fn as_f64(v: Value) -> f64 {
    v.display().parse().unwrap_or(0.0)
}

/// Tenths of a percent as printed: `62.5%`.
pub fn percent_text(permille: u32) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

/// Shares of `parts` in tenths of a percent that add to exactly 1000 (largest remainder:
/// each share rounded down, then the tenths left over go to the largest remainders, ties to
/// the earlier part). All zero: all zero.
pub fn largest_remainder(parts: &[u64]) -> Vec<u32> {
    let total: u128 = parts.iter().map(|&p| u128::from(p)).sum();
    if total == 0 {
        return vec![0; parts.len()];
    }
    let mut shares: Vec<u32> = Vec::with_capacity(parts.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(parts.len());
    for (i, &p) in parts.iter().enumerate() {
        let scaled = u128::from(p) * 1000;
        shares.push(u32::try_from(scaled / total).unwrap_or(1000));
        remainders.push((scaled % total, i));
    }
    let left = 1000 - shares.iter().sum::<u32>();
    // Largest remainder first; among equal ones, the earlier part.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(left as usize) {
        shares[i] += 1;
    }
    shares
}

/// The computed numbers of a report under their cell keys.
#[derive(Debug, Clone, Default)]
pub struct Numbers {
    cells: BTreeMap<String, Value>,
}

impl Numbers {
    /// Every number of `checked` (totals included) under its cell key.
    pub fn new(format: &Format, checked: &Checked) -> Numbers {
        let mut cells = BTreeMap::new();
        for def in &format.tables {
            let Some(table) = checked.table(&def.key) else { continue };
            for (i, (rdef, rec)) in def.records.iter().zip(&table.records).enumerate() {
                if rdef.scalar.is_some() {
                    if let Some(&v) = rec.values.first() {
                        cells.insert(def.cell_key(i, FieldRef::Scalar), v);
                    }
                    continue;
                }
                for (&f, &v) in rdef.fields.iter().zip(&rec.values) {
                    cells.insert(def.cell_key(i, FieldRef::Field(f)), v);
                }
                if let Some(t) = rec.total {
                    cells.insert(def.cell_key(i, FieldRef::Total), t);
                }
            }
        }
        Numbers { cells }
    }

    /// The number under a cell key, or the sum of a pattern's cells (`a.b.*.total`: every
    /// `a.b.X.total`).
    pub fn get(&self, key: &str) -> Option<Value> {
        if let Some((head, tail)) = key.split_once(".*.") {
            let prefix = format!("{head}.");
            let mut found = None;
            for (k, &v) in self.cells.range(prefix.clone()..) {
                let Some(rest) = k.strip_prefix(&prefix) else { break };
                let part = rest.strip_suffix(tail).and_then(|m| m.strip_suffix('.'));
                if part.is_some_and(|m| !m.is_empty() && !m.contains('.')) {
                    found = Some(found.map_or(v, |s: Value| s.plus(v)));
                }
            }
            return found;
        }
        self.cells.get(key).copied()
    }
}

/// What one chart reads: its rows as (group, label, cell key).
struct Spec {
    key: &'static str,
    title: &'static str,
    measure: &'static str,
    kind: ChartKind,
    rows: Vec<(Option<&'static str>, &'static str, String)>,
    zero: &'static str,
}

/// The charts of the 2021 format (the only edition with these tables; another edition's
/// cells that are missing are left out of its charts).
fn specs() -> Vec<Spec> {
    let docs = |kind: &str| -> Vec<String> {
        ["issued", "repealed", "in_force"].iter().map(|f| format!("proactive.{kind}.{f}")).collect()
    };
    let (reg, norm) = (docs("regulations"), docs("normative_documents"));
    let field_labels = ["本年制发", "本年废止", "现行有效"];
    let mut documents = Vec::new();
    for (group, keys) in [("规章", reg), ("行政规范性文件", norm)] {
        for (label, key) in field_labels.iter().zip(keys) {
            documents.push((Some(group), *label, key));
        }
    }
    let mut reviews = Vec::new();
    for (group, record) in [
        ("行政复议", "review"),
        ("行政诉讼（未经复议直接起诉）", "lawsuit_direct"),
        ("行政诉讼（复议后起诉）", "lawsuit_after_review"),
    ] {
        for (label, field) in [
            ("结果维持", "upheld"),
            ("结果纠正", "corrected"),
            ("其他结果", "other"),
            ("尚未审结", "pending"),
            ("总计", "total"),
        ] {
            reviews.push((Some(group), label, format!("reviews_lawsuits.{record}.{field}")));
        }
    }
    vec![
        Spec {
            key: "documents",
            title: "主动公开：规章和行政规范性文件",
            measure: "件",
            kind: ChartKind::Bars,
            rows: documents,
            zero: "本年度未制发、废止规章和行政规范性文件，现行有效件数为 0。",
        },
        Spec {
            key: "decisions",
            title: "主动公开：行政许可、行政处罚、行政强制处理决定",
            measure: "件",
            kind: ChartKind::Bars,
            rows: vec![
                (None, "行政许可", "proactive.licensing".into()),
                (None, "行政处罚", "proactive.punishment".into()),
                (None, "行政强制", "proactive.coercion".into()),
            ],
            zero: "本年度行政许可、行政处罚、行政强制的处理决定数量均为 0。",
        },
        Spec {
            key: "fees",
            title: "主动公开：行政事业性收费",
            measure: "万元",
            kind: ChartKind::Bars,
            rows: vec![(None, "本年收费金额", "proactive.fees".into())],
            zero: "本年度行政事业性收费金额为 0。",
        },
        Spec {
            key: "applications",
            title: "依申请公开：收到和办理申请",
            measure: "件",
            kind: ChartKind::Bars,
            rows: vec![
                (None, "本年新收申请", "applications.received.total".into()),
                (None, "上年结转申请", "applications.carried_over.total".into()),
                (None, "本年办理（总计）", "applications.total.total".into()),
                (None, "结转下年度继续办理", "applications.carried_forward.total".into()),
            ],
            zero: "本年度未收到政府信息公开申请，也没有上年结转的申请。",
        },
        Spec {
            key: "results",
            title: "依申请公开：办理结果",
            measure: "件",
            kind: ChartKind::Shares,
            rows: vec![
                (None, "予以公开", "applications.disclosed.total".into()),
                (None, "部分公开", "applications.partly_disclosed.total".into()),
                (None, "不予公开", "applications.withheld.*.total".into()),
                (None, "无法提供", "applications.unable.*.total".into()),
                (None, "不予处理", "applications.not_processed.*.total".into()),
                (None, "其他处理", "applications.other_handling.*.total".into()),
            ],
            zero: "本年度没有办理完毕的政府信息公开申请。",
        },
        Spec {
            key: "reviews",
            title: "政府信息公开行政复议、行政诉讼",
            measure: "件",
            kind: ChartKind::Bars,
            rows: reviews,
            zero: "本年度未发生政府信息公开行政复议、行政诉讼。",
        },
    ]
}

/// The 图解 of a checked report in `format`, compared with last year's report when given
/// (its own format and computed tables).
pub fn build(
    report: &Report,
    format: &Format,
    checked: &Checked,
    previous: Option<(&Report, &Format, &Checked)>,
) -> Tujie {
    let numbers = Numbers::new(format, checked);
    let last = previous.map(|(_, f, c)| Numbers::new(f, c));
    let mut charts = Vec::new();
    for spec in specs() {
        let mut rows: Vec<Row> = spec
            .rows
            .into_iter()
            .filter_map(|(group, label, key)| {
                let value = numbers.get(&key)?;
                Some(Row {
                    group: group.map(str::to_string),
                    label: label.to_string(),
                    previous: last.as_ref().map(|l| l.get(&key).unwrap_or(Value::Count(0))),
                    key,
                    value,
                    permille: None,
                    previous_permille: None,
                })
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        if spec.kind == ChartKind::Shares {
            let counts = |f: &dyn Fn(&Row) -> Option<Value>| -> Vec<u64> {
                rows.iter().map(|r| f(r).and_then(|v| v.count()).unwrap_or(0)).collect()
            };
            let this = largest_remainder(&counts(&|r| Some(r.value)));
            let prev = largest_remainder(&counts(&|r| r.previous));
            let has_prev = rows.iter().any(|r| r.previous.is_some());
            for (i, row) in rows.iter_mut().enumerate() {
                row.permille = Some(this[i]);
                row.previous_permille = has_prev.then_some(prev[i]);
            }
        }
        charts.push(Chart {
            key: spec.key,
            title: spec.title.to_string(),
            measure: spec.measure,
            kind: spec.kind,
            rows,
            zero_sentence: spec.zero.to_string(),
        });
    }
    Tujie {
        unit: report.unit.text.clone(),
        year: report.year.0,
        title: report.title_text(&format.title),
        previous_year: previous.map(|(r, _, _)| r.year.0),
        charts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_to_a_hundred_percent() {
        assert_eq!(largest_remainder(&[1, 1, 1]), [334, 333, 333]);
        assert_eq!(largest_remainder(&[0, 0]), [0, 0]);
        assert_eq!(largest_remainder(&[2, 1]), [667, 333]);
        assert_eq!(largest_remainder(&[u64::MAX, u64::MAX, 1]), [500, 500, 0]);
        // Every split of up to 40 into six parts adds to 1000.
        for a in 0..8u64 {
            for b in 0..8 {
                for c in 0..5 {
                    let parts = [a, b, c, 1, 0, a * b % 3];
                    assert_eq!(largest_remainder(&parts).iter().sum::<u32>(), 1000, "{parts:?}");
                }
            }
        }
        // Rounding each share on its own would give 33.3 * 3 = 99.9.
        assert_eq!(percent_text(334), "33.4%");
    }
}
