//! The import core: blocks of a document (paragraphs, table rows) → the three
//! official tables, record by record, using the format data; everything else goes
//! to the prose splitter.
//!
//! Tables are found by their anchors (第二十条第（一）项, the 勾稽关系 corner note, 行政复议)
//! and continue while the document holds labels of the official grid, numbers, or
//! pieces of labels (header words broken over lines). Inside a table the cells are
//! cut into segments of (labels, numbers); the last label of a segment names the
//! record, so a row that starts with its group label (（三）不予公开 | 1.属于国家秘密)
//! and a header row glued onto the first data row both find their record.

use super::messages::ImportCode;
use super::prose::{Piece, split_prose};
use super::scan::*;
use super::{Edition, FormatChoice, ImportDiag, Imported, Loc};
use crate::diag::Hint;
use crate::model::{Decimal, MAX_COUNT, Num, Record, Report, Section, TableData, Text, Value};
use crate::source::Span;
use crate::template::{Format, RuleDef, ScalarKind, TableDef};
use std::collections::BTreeMap;

/// What the mapper found for one record.
#[derive(Debug, Clone)]
struct Found {
    /// Candidate readings (one unless glued digits were ambiguous).
    readings: Vec<Reading>,
    glued: bool,
    /// Where each cell came from (the label's place for glued cells).
    locs: Vec<Loc>,
    label_loc: Loc,
    raw: String,
}

/// The context the mapper builds while importing.
struct Mapper<'f> {
    format: &'f Format,
    diags: Vec<ImportDiag>,
    locations: BTreeMap<String, Loc>,
    marks_2019: Vec<(String, Loc)>,
    marks_2021: bool,
    choice: FormatChoice,
}

impl Mapper<'_> {
    fn warn(&mut self, code: ImportCode, loc: Option<Loc>, a: &str, b: &str, path: Option<String>) {
        let mut diag = code.diagnostic(a, b);
        if let Some(l) = loc {
            diag = diag.hint(Hint::ImportSource, &[("zh", &l.zh()), ("en", &l.en())]);
        }
        if let Some(p) = path {
            diag = diag.with_path(p);
        }
        self.diags.push(ImportDiag { diag: diag.with_label(a), loc });
    }

    /// Maps the segments of one table region onto the records of the table.
    fn table(
        &mut self,
        kind: TableKind,
        segs: &[Segment],
        labels: &Labels,
        found: &mut [Option<Found>],
    ) {
        let def = self.format.table(kind.key()).expect("bundled format has the table");
        let mut columns_2019 = self.choice == FormatChoice::F2019;
        let mut items_2019 = false;
        let mut loose: Vec<(NumText, String, Loc)> = Vec::new();
        for seg in segs {
            for (l, loc) in &seg.labels {
                if labels.earlier.contains(l) && !self.marks_2019.iter().any(|(m, _)| m == l) {
                    self.marks_2019.push((l.clone(), *loc));
                }
                if labels.only_this.contains(l) {
                    self.marks_2021 = true;
                }
                if labels.columns.contains(l) {
                    columns_2019 = false;
                }
                if labels.earlier_columns.contains(l) {
                    columns_2019 = true;
                }
                // The 2019 blocks （五）（六）（八） count items: 上一年项目数量 / 本年增/减 ….
                if labels.items_start.contains(l) {
                    items_2019 = true;
                }
                if labels.items_end.contains(l) {
                    items_2019 = false;
                }
            }
            // Header words broken over lines (`本年新` / `制作数量`): look at them joined.
            let joined: String = seg.labels.iter().map(|(l, _)| l.as_str()).collect();
            for (_, m) in &labels.earlier_joined {
                if joined.contains(m.as_str())
                    && !seg.labels.iter().any(|(l, _)| l == m)
                    && !self.marks_2019.iter().any(|(x, _)| x == m)
                {
                    self.marks_2019.push((m.clone(), seg.labels[0].1));
                    columns_2019 |= labels.earlier_columns.contains(m);
                }
            }
            if seg.values.is_empty() {
                continue;
            }
            if kind == TableKind::Reviews {
                loose.extend(seg.values.iter().cloned());
                continue;
            }
            let record = seg.labels.iter().rev().find_map(|(l, _)| labels.record_of(l, kind));
            // A header row (empty cells after its words) has no numbers: only a row
            // named exactly by its label can be all blanks.
            let all_blank = seg.values.iter().all(|v| v.0 == NumText::Blank);
            if all_blank && !seg.labels.iter().any(|(l, _)| labels.rows.contains_key(l)) {
                continue;
            }
            // A segment with numbers has a label (the reviews table is handled above).
            let Some((label, label_loc)) = seg.labels.last().cloned() else { continue };
            // 2019: （六）其他处理 is one row with numbers; it goes to 3.其他 with a note.
            let merged = labels.merged_rows.iter().find(|(_, n, _, _)| *n == label);
            let record = match (record, merged) {
                (Some(r), Some((shown, _, group, to)))
                    if def.records[r]
                        .key
                        .strip_prefix(group.as_str())
                        .is_some_and(|k| k.starts_with('.')) =>
                {
                    self.marks_2019.push((shown.clone(), label_loc));
                    def.record_index(to)
                }
                (None, Some((shown, _, _, to))) => {
                    self.marks_2019.push((shown.clone(), label_loc));
                    def.record_index(to)
                }
                (r, _) => r,
            };
            let Some(r) = record else { continue };
            let rdef = &def.records[r];
            if kind == TableKind::Proactive && rdef.scalar.is_none() && columns_2019 {
                // Never map 本年新制作数量/本年新公开数量/对外公开总数量 onto 本年制发件数….
                self.warn(
                    ImportCode::Edition,
                    Some(label_loc),
                    &rdef.label,
                    "2019 年（未导入：2019 年的列与 2021 年的列含义不同 / not imported: the 2019 columns mean something else)",
                    Some(format!("{}.{}", def.key, rdef.key)),
                );
                continue;
            }
            if found[r].is_some() {
                continue; // the first occurrence wins (a repeated header row)
            }
            let n = rdef.fields.len().max(1)
                + usize::from(def.total_label.is_some() && rdef.scalar.is_none());
            let decimal_at = (rdef.scalar == Some(ScalarKind::Decimal)).then_some(0);
            let has_total = def.total_label.is_some() && rdef.scalar.is_none();
            let valid = move |v: &[u64]| {
                !has_total || v[..v.len() - 1].iter().sum::<u64>() == v[v.len() - 1]
            };
            // 2019 (五)(六): 上一年项目数量 / 本年增/减 / 处理决定数量 — the last is the 2021 count.
            let mut values = seg.values.clone();
            if rdef.scalar == Some(ScalarKind::Count)
                && values.len() == 3
                && (items_2019 || columns_2019)
            {
                values.drain(..2);
            }
            if rdef.scalar == Some(ScalarKind::Decimal) && items_2019 {
                // 2019's 行政事业性收费 row counts items; the 2021 amount is not in it.
                self.warn(
                    ImportCode::Edition,
                    Some(label_loc),
                    &rdef.label,
                    "2019 年（未导入：2019 年此行是项目数量而非收费金额 / not imported: the 2019 row counts items, not 万元)",
                    Some(format!("{}.{}", def.key, rdef.key)),
                );
                continue;
            }
            if rdef.scalar == Some(ScalarKind::Decimal)
                && let Some((NumText::Amount(a, true), raw, loc)) = values.first()
            {
                self.warn(
                    ImportCode::Converted,
                    Some(*loc),
                    &rdef.label,
                    &format!("{raw} → {} 万元", yuan_to_wan(*a)),
                    None,
                );
            }
            let (readings, glued, extra) = readings(&values, n, decimal_at, &valid);
            if !extra.is_empty() {
                self.warn(
                    ImportCode::ExtraCells,
                    Some(label_loc),
                    &rdef.label,
                    &extra.join(" "),
                    None,
                );
            }
            let mut locs: Vec<Loc> = if glued {
                vec![values.first().map_or(label_loc, |v| v.2); n]
            } else {
                values
                    .iter()
                    .filter(|v| {
                        values.iter().filter(|w| w.0 != NumText::Blank).count() < n
                            || v.0 != NumText::Blank
                    })
                    .map(|v| v.2)
                    .collect()
            };
            locs.resize(n, label_loc);
            let raw = values.iter().map(|v| v.1.as_str()).collect::<Vec<_>>().join(" ");
            found[r] = Some(Found { readings, glued, locs, label_loc, raw });
        }
        if kind == TableKind::Reviews && !loose.is_empty() {
            let n = def.records.len() * 5;
            let valid = |v: &[u64]| v.chunks(5).all(|g| g[..4].iter().sum::<u64>() == g[4]);
            let (rs, glued, extra) = readings(&loose, n, None, &valid);
            if !extra.is_empty() {
                // The table named by its section's number (四).
                let section =
                    self.format.sections.iter().find(|s| s.table.as_ref() == Some(&def.key));
                let number = section.map_or(def.key.as_str(), |s| s.number.as_str());
                self.warn(ImportCode::ExtraCells, Some(loose[0].2), number, &extra.join(" "), None);
            }
            let mut locs: Vec<Loc> = loose.iter().map(|v| v.2).collect();
            locs.resize(n, loose[0].2);
            for (i, slot) in found.iter_mut().enumerate() {
                let readings = rs.iter().map(|r| r[i * 5..i * 5 + 5].to_vec()).collect::<Vec<_>>();
                let mut uniq: Vec<Reading> = Vec::new();
                for r in readings {
                    if !uniq.contains(&r) {
                        uniq.push(r);
                    }
                }
                *slot = Some(Found {
                    readings: uniq,
                    glued,
                    locs: if glued { vec![loose[0].2; 5] } else { locs[i * 5..i * 5 + 5].to_vec() },
                    label_loc: loose[0].2,
                    raw: loose.iter().map(|v| v.1.as_str()).collect::<Vec<_>>().join(" "),
                });
            }
        }
    }

    /// Picks one reading per record: a single one as it is; for glued rows with
    /// several readings, the combination that satisfies the table's rules.
    fn resolve(&mut self, def: &TableDef, table_index: usize, found: &mut [Option<Found>]) {
        // Glued digits that no split can make agree with the row's own total.
        for (i, slot) in found.iter_mut().enumerate() {
            let Some(f) = slot.as_mut().filter(|f| f.readings.is_empty()) else { continue };
            let rdef = &def.records[i];
            let width = rdef.fields.len().max(1)
                + usize::from(def.total_label.is_some() && rdef.scalar.is_none());
            let detail =
                format!("{}：没有一种拆分与该行总计相符 / no reading matches the row total", f.raw);
            f.readings = vec![vec![None; width]];
            f.glued = false;
            f.raw = String::new();
            let (label, loc) = (rdef.label.clone(), f.label_loc);
            let path = format!("{}.{}", def.key, rdef.key);
            self.warn(ImportCode::GluedAmbiguous, Some(loc), &label, &detail, Some(path));
        }
        let ambiguous: Vec<usize> = (0..found.len())
            .filter(|&i| found[i].as_ref().is_some_and(|f| f.readings.len() > 1))
            .collect();
        if ambiguous.is_empty() {
            return;
        }
        let combos: usize = ambiguous
            .iter()
            .map(|&i| found[i].as_ref().map_or(1, |f| f.readings.len()))
            .try_fold(1usize, |acc, n| acc.checked_mul(n))
            .unwrap_or(usize::MAX);
        let mut passing: Vec<Vec<usize>> = Vec::new();
        if combos <= 200_000 {
            let mut choice = vec![0usize; ambiguous.len()];
            loop {
                let grid = self.grid(def, found, &ambiguous, &choice);
                if rules_hold(self.format, def, table_index, &grid) {
                    passing.push(choice.clone());
                    if passing.len() > 1 {
                        break;
                    }
                }
                // next combination
                let mut k = 0;
                loop {
                    if k == choice.len() {
                        break;
                    }
                    choice[k] += 1;
                    if choice[k] < found[ambiguous[k]].as_ref().map_or(1, |f| f.readings.len()) {
                        break;
                    }
                    choice[k] = 0;
                    k += 1;
                }
                if k == choice.len() {
                    break;
                }
            }
        }
        if passing.len() == 1 {
            for (k, &i) in ambiguous.iter().enumerate() {
                let f = found[i].as_mut().expect("ambiguous rows were found");
                let pick = f.readings[passing[0][k]].clone();
                f.readings = vec![pick];
            }
        } else {
            let why = if passing.is_empty() {
                "没有一种拆分能满足勾稽关系 / no reading balances"
            } else {
                "多种拆分都满足勾稽关系 / several readings balance"
            };
            for &i in &ambiguous {
                let f = found[i].as_mut().expect("ambiguous rows were found");
                let options: Vec<String> = f
                    .readings
                    .iter()
                    .take(4)
                    .map(|r| {
                        r.iter()
                            .map(|v| v.map_or("?".to_string(), |v| v.display()))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .collect();
                let detail = format!("{}：{}；{why}", f.raw, options.join(" | "));
                let width = f.readings[0].len();
                f.readings = vec![vec![None; width]];
                f.glued = false;
                let label = def.records[i].label.clone();
                let loc = f.label_loc;
                self.warn(
                    ImportCode::GluedAmbiguous,
                    Some(loc),
                    &label,
                    &detail,
                    Some(format!("{}.{}", def.key, def.records[i].key)),
                );
                // The cells are reported here, not again as blanks.
                found[i].as_mut().expect("present").raw = String::new();
            }
        }
    }

    /// The table's numbers (fields then total) with the chosen readings.
    fn grid(
        &self,
        def: &TableDef,
        found: &[Option<Found>],
        ambiguous: &[usize],
        choice: &[usize],
    ) -> Vec<Vec<u64>> {
        def.records
            .iter()
            .enumerate()
            .map(|(i, rdef)| {
                let width = rdef.fields.len().max(1) + usize::from(def.total_label.is_some());
                let Some(f) = &found[i] else { return vec![0; width] };
                let pick = ambiguous.iter().position(|&a| a == i).map_or(0, |k| choice[k]);
                let mut row: Vec<u64> = f.readings[pick]
                    .iter()
                    .map(|v| v.and_then(|v| v.count()).unwrap_or(0))
                    .collect();
                if row.len() < width {
                    let sum = row.iter().sum();
                    row.push(sum);
                }
                row
            })
            .collect()
    }

    /// Builds the table's records from what was found, with blanks and missing rows reported.
    fn records(&mut self, def: &TableDef, found: &[Option<Found>]) -> TableData {
        let mut records = Vec::new();
        for (i, rdef) in def.records.iter().enumerate() {
            let width = if rdef.scalar.is_some() { 1 } else { rdef.fields.len() };
            let zero = Num::written(Value::Count(0), Span::detached());
            let zero_of = |kind: Option<ScalarKind>| match kind {
                Some(ScalarKind::Decimal) => {
                    Num::written(Value::Decimal(Decimal::from_int(0)), Span::detached())
                }
                _ => zero,
            };
            let mut rec = Record {
                key: rdef.key.clone(),
                span: Span::detached(),
                values: vec![zero_of(rdef.scalar); width],
                given_total: None,
                from_list: def.list_form,
            };
            let Some(f) = &found[i] else {
                if !rdef.computed {
                    // A row not found stays blank, not a written 0 (`check` names it, W-P7).
                    rec.values = vec![Num::blank(); width];
                    self.warn(
                        ImportCode::MissingRow,
                        None,
                        &rdef.label,
                        "",
                        Some(format!("{}.{}", def.key, rdef.key)),
                    );
                }
                records.push(rec);
                continue;
            };
            let reading = &f.readings[0];
            if f.glued {
                let text: Vec<String> =
                    reading.iter().map(|v| v.map_or("?".into(), |v| v.display())).collect();
                self.warn(
                    ImportCode::GluedResolved,
                    Some(f.label_loc),
                    &rdef.label,
                    &format!("{} → {}", f.raw, text.join(", ")),
                    None,
                );
            }
            let columns = width + usize::from(def.total_label.is_some() && rdef.scalar.is_none());
            for c in 0..columns {
                let (col_key, col_label) = if rdef.scalar.is_some() {
                    (None, None)
                } else if c < width {
                    let (k, l) = &def.fields[rdef.fields[c]];
                    (Some(k.clone()), Some(l.clone()))
                } else {
                    (Some("total".to_string()), def.total_label.clone())
                };
                let path = match (&col_key, def.list_form) {
                    (None, _) => format!("{}.{}", def.key, rdef.key),
                    (Some(_), true) => format!("{}.{}[{c}]", def.key, rdef.key),
                    (Some(k), false) => format!("{}.{}.{k}", def.key, rdef.key),
                };
                let loc = f.locs.get(c).copied().unwrap_or(f.label_loc);
                let cell_label = match &col_label {
                    Some(l) => format!("{} / {l}", rdef.label),
                    None => rdef.label.clone(),
                };
                match reading.get(c).copied().flatten() {
                    Some(v) => {
                        let v = match (rdef.scalar, v) {
                            // A fraction in a count, or a count past what a report's YAML
                            // may hold (the loader refuses it): a bad cell.
                            (Some(ScalarKind::Count) | None, v) if !matches!(v, Value::Count(n) if n <= MAX_COUNT) =>
                            {
                                self.warn(
                                    ImportCode::BadCell,
                                    Some(loc),
                                    &cell_label,
                                    &v.display(),
                                    Some(path.clone()),
                                );
                                Value::Count(0)
                            }
                            (Some(ScalarKind::Decimal), Value::Count(n)) => {
                                Value::Decimal(Decimal::from_int(n))
                            }
                            (_, v) => v,
                        };
                        let num = Num::written(v, Span::detached());
                        if c < width {
                            rec.values[c] = num;
                        } else {
                            rec.given_total = Some(num);
                        }
                        self.locations.insert(path, loc);
                    }
                    None => {
                        // A blank cell stays blank in the YAML (`check` names it, W-P7); a
                        // computed row's cells are the rules' anyway.
                        if c < width && !rdef.computed {
                            rec.values[c] = Num::blank();
                        }
                        if !f.raw.is_empty() {
                            self.warn(
                                ImportCode::Blank,
                                Some(loc),
                                &cell_label,
                                "",
                                Some(path.clone()),
                            );
                        }
                        self.locations.insert(path, loc);
                    }
                }
            }
            records.push(rec);
        }
        TableData { key: def.key.clone(), records }
    }
}

/// Whether the format's column-sum and balance rules hold for a table's numbers
/// (each record: fields, then its total).
fn rules_hold(format: &Format, def: &TableDef, table_index: usize, grid: &[Vec<u64>]) -> bool {
    let width = def.fields.len() + usize::from(def.total_label.is_some());
    let col = |recs: &[usize], c: usize| -> u64 {
        recs.iter().map(|&r| grid[r].get(c).copied().unwrap_or(0)).sum()
    };
    format.rules.iter().all(|rule| match rule {
        RuleDef::ColumnSum { table, total, parts, .. } if *table == table_index => {
            (0..width).all(|c| grid[*total].get(c).copied().unwrap_or(0) == col(parts, c))
        }
        RuleDef::Balance { table, left, right, .. } if *table == table_index => {
            (0..width).all(|c| col(left, c) == col(right, c))
        }
        _ => true,
    })
}

/// Builds a report from the blocks of a document.
pub fn build_report(blocks: &[Block], choice: FormatChoice, format: &Format) -> Imported {
    build_report_with(blocks, choice, format, &Labels::new(format))
}

/// [`build_report`] with the edition's labels already normalised (the text reader used them
/// to tell table lines from prose).
pub(super) fn build_report_with(
    blocks: &[Block],
    choice: FormatChoice,
    format: &Format,
    labels: &Labels,
) -> Imported {
    // A page flattened to one line is cut into its pieces first.
    let headings: Vec<String> = format.sections.iter().map(|s| norm(&s.heading())).collect();
    let flat = super::flat::unflatten(blocks, labels, &headings);
    let scan = scan(flat.as_deref().unwrap_or(blocks), labels);
    let mut mx = Mapper {
        format,
        diags: Vec::new(),
        locations: BTreeMap::new(),
        marks_2019: Vec::new(),
        marks_2021: false,
        choice,
    };
    let mut tables: BTreeMap<&str, TableData> = BTreeMap::new();
    for kind in [TableKind::Proactive, TableKind::Applications, TableKind::Reviews] {
        let (ti, def) =
            format.tables.iter().enumerate().find(|(_, t)| t.key == kind.key()).expect("bundled");
        let mut found: Vec<Option<Found>> = vec![None; def.records.len()];
        for (k, segs) in &scan.tables {
            if *k == kind {
                mx.table(kind, segs, labels, &mut found);
            }
        }
        mx.resolve(def, ti, &mut found);
        // A table with not one number read is an error, never a table of zeros that
        // looks complete (the rows are named one by one as well).
        let read = found
            .iter()
            .flatten()
            .any(|f| f.readings.first().is_some_and(|r| r.iter().any(Option::is_some)));
        if !read && !scan.tables.is_empty() {
            let title = format.sections.iter().find(|s| s.table.as_deref() == Some(&def.key));
            let why = if scan.tables.iter().any(|(k, _)| *k == kind) {
                "表中没有一行数字能读出 / none of its rows could be read"
            } else {
                "原文中没有找到这张表 / it is not in the document"
            };
            let title = title.map_or_else(|| def.key.clone(), |s| s.heading());
            mx.warn(ImportCode::TableUnread, None, &title, why, Some(def.key.clone()));
        }
        tables.insert(def.key.as_str(), mx.records(def, &found));
    }
    if scan.tables.is_empty() {
        mx.warn(ImportCode::NoTables, None, "", "", None);
    }
    let edition = match (mx.marks_2019.is_empty(), mx.marks_2021) {
        (true, _) => Edition::F2021,
        (false, true) => Edition::Mixed,
        (false, false) => Edition::F2019,
    };
    let edition_name = match edition {
        Edition::Mixed => {
            "2019 年（本文混用 2019 与 2021 年格式 / the document mixes the 2019 and 2021 formats）"
        }
        _ => "2019 年 (2019)",
    };
    for (label, loc) in mx.marks_2019.clone() {
        if mx.choice != FormatChoice::F2019 {
            mx.warn(ImportCode::Edition, Some(loc), &label, edition_name, None);
        }
    }

    let prose = split_prose(&scan.pieces, format);
    for (what, guess, loc) in &prose.unknown {
        mx.warn(ImportCode::Unknown, *loc, what, guess, None);
    }
    let sections = format
        .sections
        .iter()
        .enumerate()
        .map(|(i, def)| Section {
            key: def.key.clone(),
            span: Span::detached(),
            prose: prose.sections[i].clone(),
            table: def.table.as_ref().and_then(|t| tables.remove(t.as_str())),
            notes: prose.notes[i].clone(),
        })
        .collect();
    let report = Report {
        format: format.edition,
        unit: Text { text: prose.unit, span: Span::detached() },
        year: (prose.year, Span::detached()),
        date: prose.date.map(|d| (d, Span::detached())),
        title: prose.title.map(|t| Text { text: t, span: Span::detached() }),
        preamble: prose.preamble,
        sections,
        signature: prose.signature,
        dismissed: Vec::new(),
    };
    mx.diags.sort_by_key(|d| d.loc);
    let paragraphs = scan
        .pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Para(text, loc) => Some((text.clone(), *loc)),
            Piece::Table(_) => None,
        })
        .collect();
    Imported { report, edition, diags: mx.diags, locations: mx.locations, paragraphs }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::bundled_format;

    #[test]
    fn numbers_keep_blanks_apart_from_zeros_and_decimals_exact() {
        assert_eq!(parse_number(" 0 "), Some(NumText::Digits("0".into())));
        assert_eq!(parse_number("\u{a0}"), Some(NumText::Blank));
        assert_eq!(parse_number("—"), Some(NumText::Blank));
        assert_eq!(parse_number("１２"), Some(NumText::Digits("12".into())));
        assert_eq!(parse_number("1,234"), Some(NumText::Digits("1234".into())));
        let d = |s: &str| Decimal::parse(s).unwrap();
        assert_eq!(parse_number("5949.088667"), Some(NumText::Amount(d("5949.088667"), false)));
        assert_eq!(parse_number("96171.6万元"), Some(NumText::Amount(d("96171.6"), false)));
        assert_eq!(parse_number("3200元"), Some(NumText::Amount(d("3200"), true)));
        assert_eq!(yuan_to_wan(d("3200")).to_string(), "0.32");
        assert_eq!(yuan_to_wan(d("5")).to_string(), "0.0005");
        assert_eq!(yuan_to_wan(d("123456.5")).to_string(), "12.34565");
        assert_eq!(parse_number("规章"), None);
        // After a comma, three bytes that end inside a character (found by fuzzing: the
        // check sliced the text there and panicked).
        assert_eq!(parse_number("1,2止"), None);
        assert_eq!(parse_number("12,3止4"), None);
    }

    #[test]
    fn glued_digits_give_every_reading_without_leading_zeros() {
        let mut out = Vec::new();
        split_groups(&["7000007"], 7, &mut Vec::new(), &mut out, 1000);
        assert_eq!(out, vec![vec![7, 0, 0, 0, 0, 0, 7]]);
        let mut out = Vec::new();
        split_groups(&["270020130"], 7, &mut Vec::new(), &mut out, 1000);
        let balanced: Vec<_> = out.iter().filter(|r| r[..6].iter().sum::<u64>() == r[6]).collect();
        assert!(balanced.contains(&&vec![27, 0, 0, 2, 0, 1, 30]));
        assert!(balanced.contains(&&vec![2, 7, 0, 0, 20, 1, 30]));
    }

    #[test]
    fn labels_find_records_whatever_the_brackets() {
        let f = bundled_format(2021).unwrap();
        let labels = Labels::new(f);
        let apps = f.table("applications").unwrap();
        let r = labels.record_of(&norm("(三)不予公开 1、属于国家秘密"), TableKind::Applications);
        assert_eq!(r.map(|r| apps.records[r].key.as_str()), Some("withheld.state_secret"));
        let r = labels.record_of(&norm("1、属于国家秘密"), TableKind::Applications).unwrap();
        assert_eq!(apps.records[r].key, "withheld.state_secret");
        let r = labels.record_of(&norm("3.其他"), TableKind::Applications).unwrap();
        assert_eq!(apps.records[r].key, "other_handling.other");
        assert!(labels.is_table_text(&norm("商业")));
        assert!(labels.is_table_text(&norm("本年新")));
        assert!(!labels.is_table_text(&norm("三、收到和处理政府信息公开申请情况")));
    }
}
