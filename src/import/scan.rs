//! Scanning a document for the official tables: its cells and paragraphs, the labels of the
//! format's grid, the tokens of a row (labels, numbers, glued digits) and the readings of glued
//! digits. `core` maps what this finds onto the format's records.

use super::Loc;
use super::prose::{Piece, tidy};
use crate::model::{Decimal, MAX_COUNT, Value};
use crate::template::{Anchor, CellContent, Format};
use std::collections::BTreeMap;

/// One cell or paragraph of the source document with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The text as found (entities decoded, tags removed).
    pub text: String,
    /// Where it is.
    pub loc: Loc,
}

/// A piece of a document: a paragraph, or one row of a table's expanded grid.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph (or, in text copied from a page, one line).
    Para(Cell),
    /// A table row; empty cells are kept (they are blanks or covered cells).
    Row(Vec<Cell>),
}

/// Which official table a region of the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum TableKind {
    Proactive,
    Applications,
    Reviews,
}

impl TableKind {
    pub(super) fn key(self) -> &'static str {
        match self {
            TableKind::Proactive => "proactive",
            TableKind::Applications => "applications",
            TableKind::Reviews => "reviews_lawsuits",
        }
    }
}

/// Keeps CJK ideographs, letters and digits (full-width digits made ASCII): the form
/// labels are compared in, whatever brackets, numbering marks and spaces were used.
pub(super) fn norm(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = fullwidth_to_ascii(c);
            (c.is_ascii_alphanumeric() || is_cjk(c)).then_some(c)
        })
        .collect()
}

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}' | '〇')
}

pub(super) fn fullwidth_to_ascii(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '．' | '，' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        c => c,
    }
}

/// What a cell holds as a number.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum NumText {
    /// Digits only (a count, or glued counts).
    Digits(String),
    /// A decimal amount, in 万元.
    Amount(Decimal, bool),
    /// Nothing (a blank cell, `—`, `/`, `无`).
    Blank,
}

/// Reads a cell as a number: spaces, `&nbsp;`, thousands commas and a unit (件, 万元,
/// 元) are allowed; `—`, `-`, `/`, `无` and an empty cell are blanks.
pub(super) fn parse_number(raw: &str) -> Option<NumText> {
    let mut t: String = raw
        .chars()
        .map(fullwidth_to_ascii)
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{3000}')
        .collect();
    if t.is_empty() || matches!(t.as_str(), "—" | "-" | "/" | "无" | "——" | "－" | "／" | "─")
    {
        return Some(NumText::Blank);
    }
    let mut yuan = false;
    for unit in ["万元", "元", "件", "个", "条", "项", "次"] {
        if let Some(s) = t.strip_suffix(unit) {
            yuan = unit == "元";
            t = s.to_string();
            break;
        }
    }
    // Thousands separators: only between groups of three digits.
    if t.contains(',') {
        let parts: Vec<&str> = t.split(',').collect();
        let ok = parts[0].len() <= 3
            && !parts[0].is_empty()
            && parts[1..]
                .iter()
                .all(|p| p.len() >= 3 && p.as_bytes()[..3].iter().all(u8::is_ascii_digit));
        if !ok {
            return None;
        }
        t = parts.concat();
    }
    if t.is_empty() {
        return None;
    }
    if t.bytes().all(|b| b.is_ascii_digit()) && !yuan {
        return Some(NumText::Digits(t));
    }
    let d = Decimal::parse(&t)?;
    Some(NumText::Amount(d, yuan))
}

/// A cell of a table region, classified.
#[derive(Debug, Clone)]
pub(super) enum Tok {
    Label(String, Loc),
    Value(NumText, String, Loc),
}

/// A run of labels followed by a run of numbers.
#[derive(Debug, Clone, Default)]
pub(super) struct Segment {
    pub(super) labels: Vec<(String, Loc)>,
    pub(super) values: Vec<(NumText, String, Loc)>,
}

/// The grid labels of the format, normalised, and which record each row label names;
/// with the rest of the edition's `import:` data, normalised once per import.
pub(super) struct Labels {
    /// Every text cell of every table, normalised.
    pub(super) all: Vec<String>,
    /// Cells that start a table.
    anchors: Vec<(TableKind, Vec<Anchor>)>,
    /// Labels only this edition has.
    pub(super) only_this: Vec<String>,
    /// This edition's columns of the documents table.
    pub(super) columns: Vec<String>,
    /// Labels only the earlier edition has.
    pub(super) earlier: Vec<String>,
    /// The earlier edition's columns of the documents table.
    pub(super) earlier_columns: Vec<String>,
    /// Earlier header words looked for across broken cells (as written, normalised).
    pub(super) earlier_joined: Vec<(String, String)>,
    /// Labels that start and end the earlier edition's item-counting blocks.
    pub(super) items_start: Vec<String>,
    pub(super) items_end: Vec<String>,
    /// Earlier rows this edition splits: (label as written, normalised, group, record).
    pub(super) merged_rows: Vec<(String, String, String, String)>,
    /// Row label → (table, record) for rows with numbers.
    pub(super) rows: BTreeMap<String, (TableKind, usize)>,
    /// The same with the leading numbering removed (`予以公开`), when unique.
    pub(super) bare_rows: BTreeMap<String, Option<(TableKind, usize)>>,
}

pub(super) fn table_kind(key: &str) -> Option<TableKind> {
    match key {
        "proactive" => Some(TableKind::Proactive),
        "applications" => Some(TableKind::Applications),
        "reviews_lawsuits" => Some(TableKind::Reviews),
        _ => None,
    }
}

/// Removes a leading item number: `一`, `1`, `三一` (from `三（一）`) before a label.
pub(super) fn strip_ordinal(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
}

impl Labels {
    pub(super) fn new(format: &Format) -> Labels {
        let mut all = Vec::new();
        let mut rows = BTreeMap::new();
        for t in &format.tables {
            let Some(kind) = table_kind(&t.key) else { continue };
            for row in &t.grid.rows {
                let mut label = None;
                let mut record = None;
                for cell in row {
                    match &cell.content {
                        CellContent::Text(s) => {
                            all.push(norm(s));
                            if !cell.head {
                                label = Some(norm(s));
                            }
                        }
                        CellContent::Value { record: r, .. } => record = record.or(Some(*r)),
                    }
                }
                if let (Some(l), Some(r)) = (label, record) {
                    rows.insert(l, (kind, r));
                }
            }
        }
        let data = &format.import;
        for (table, record, names) in &data.aliases {
            let (Some(kind), Some(def)) = (table_kind(table), format.table(table)) else {
                continue;
            };
            let Some(r) = def.record_index(record) else { continue };
            for name in names {
                all.push(norm(name));
                rows.insert(norm(name), (kind, r));
            }
        }
        let norms = |list: &[String]| list.iter().map(|s| norm(s)).collect::<Vec<_>>();
        let earlier = norms(&data.earlier.labels);
        all.extend(earlier.iter().cloned());
        let mut bare_rows: BTreeMap<String, Option<(TableKind, usize)>> = BTreeMap::new();
        for (l, v) in &rows {
            let bare = strip_ordinal(l).to_string();
            bare_rows.entry(bare).and_modify(|e| *e = None).or_insert(Some(*v));
        }
        Labels {
            all,
            anchors: data
                .anchors
                .iter()
                .filter_map(|(t, list)| Some((table_kind(t)?, list.clone())))
                .collect(),
            only_this: norms(&data.labels),
            columns: norms(&data.columns),
            earlier,
            earlier_columns: norms(&data.earlier.columns),
            earlier_joined: data.earlier.joined.iter().map(|s| (s.clone(), norm(s))).collect(),
            items_start: norms(&data.earlier.items_start),
            items_end: norms(&data.earlier.items_end),
            merged_rows: data
                .earlier
                .merged_rows
                .iter()
                .map(|m| (m.label.clone(), norm(&m.label), m.group.clone(), m.to.clone()))
                .collect(),
            rows,
            bare_rows,
        }
    }

    /// The table a normalised cell starts, if it is one of the edition's anchors.
    pub(super) fn anchor(&self, n: &str) -> Option<TableKind> {
        self.anchors.iter().find(|(_, list)| list.iter().any(|a| a.matches(n))).map(|(k, _)| *k)
    }

    /// Whether a piece of text belongs to a table: a label, a fragment of one, or a
    /// label with its numbers glued on.
    pub(super) fn is_table_text(&self, n: &str) -> bool {
        if n.is_empty() {
            return true;
        }
        let label = n.trim_end_matches(|c: char| c.is_ascii_digit());
        if label.is_empty() {
            return true;
        }
        self.all.iter().any(|l| {
            l == label
                || l.contains(label)
                || (label.chars().count() >= 4
                    && label.contains(l.as_str())
                    && l.chars().count() >= 4)
        })
    }

    /// [`Labels::is_table_text`] for a line of text as written: a line of header cells set
    /// apart by spaces (`结果 结果 其他 尚未`, `维持 纠正`) is table text when each of them is,
    /// and so is a row label published with a character left out.
    pub(super) fn is_table_line(&self, text: &str) -> bool {
        let n = norm(text);
        if text.contains('。') {
            return false;
        }
        self.is_table_text(&n)
            || self.typo_row(n.trim_end_matches(|c: char| c.is_ascii_digit()), None).is_some()
            || (text.split_whitespace().nth(1).is_some()
                && text
                    .split_whitespace()
                    .all(|w| parse_number(w).is_some() || self.is_table_text(&norm(w))))
    }

    /// The row a label published with characters left out names (`2.其他法律行政止公开`):
    /// the one row label (of `kind`, when given) that holds all of its characters in order,
    /// with at most a quarter of them missing and the same item number.
    pub(super) fn typo_row(
        &self,
        label: &str,
        kind: Option<TableKind>,
    ) -> Option<(TableKind, usize)> {
        let len = label.chars().count();
        if len < 6 {
            return None;
        }
        let mut hits = self.rows.iter().filter(|(l, (k, _))| {
            let full = l.chars().count();
            kind.is_none_or(|want| want == *k)
                && full > len
                && len * 4 >= full * 3
                && l.chars().next() == label.chars().next()
                && is_subsequence(label, l)
        });
        match (hits.next(), hits.next()) {
            (Some((_, v)), None) => Some(*v),
            _ => None,
        }
    }

    pub(super) fn record_of(&self, label: &str, kind: TableKind) -> Option<usize> {
        // A group label run into its row's label (`四无法2没有现成信息需要另`, a line of
        // text laid out by a PDF viewer): the row's label starts at its item number.
        self.record_of_whole(label, kind).or_else(|| {
            label
                .char_indices()
                .skip(1)
                .filter(|(i, c)| {
                    c.is_ascii_digit() && !label[..*i].ends_with(|p: char| p.is_ascii_digit())
                })
                .find_map(|(i, _)| self.record_of_whole(&label[i..], kind))
        })
    }

    fn record_of_whole(&self, label: &str, kind: TableKind) -> Option<usize> {
        if let Some(&(k, r)) = self.rows.get(label)
            && k == kind
        {
            return Some(r);
        }
        if let Some(Some((k, r))) = self.bare_rows.get(strip_ordinal(label))
            && *k == kind
            && strip_ordinal(label).chars().count() >= 3
        {
            return Some(*r);
        }
        // Cells run together (`三、本年度办理结果（一）予以公开`): the longest row label
        // the text ends with.
        if let Some(r) = self
            .rows
            .iter()
            .filter(|(l, (k, _))| {
                *k == kind && l.chars().count() >= 3 && label.ends_with(l.as_str())
            })
            .max_by_key(|(l, _)| l.len())
            .map(|(_, (_, r))| *r)
        {
            return Some(r);
        }
        // A label wrapped in its cell (`1.本机关不掌握相关政府` / `信息`): the one row
        // label it begins.
        let mut starts = self
            .rows
            .iter()
            .filter(|(l, (k, _))| *k == kind && label.chars().count() >= 4 && l.starts_with(label));
        match (starts.next(), starts.next()) {
            (Some((_, (_, r))), None) => Some(*r),
            _ => self.typo_row(label, Some(kind)).map(|(_, r)| r),
        }
    }
}

/// Whether the characters of `short` all appear in `long`, in order.
fn is_subsequence(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().all(|c| rest.any(|d| d == c))
}

/// The pass over the blocks: regions of tables (as segments) and prose pieces.
pub(super) struct Scan {
    pub(super) pieces: Vec<Piece>,
    pub(super) tables: Vec<(TableKind, Vec<Segment>)>,
}

/// Prose as the report holds it: every non-empty line of `text` a paragraph of its own, as
/// the YAML loader reads a string (a cell or paragraph of several lines, a `<br>` in a
/// portal's page), so that what is imported is what its YAML reads back as. Tidied here,
/// once, for both the report's prose and the paragraphs kept for the audit.
fn push_prose(pieces: &mut Vec<Piece>, text: &str, loc: Loc) {
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        pieces.push(Piece::Para(tidy(line), loc));
    }
}

pub(super) fn scan(blocks: &[Block], labels: &Labels) -> Scan {
    let mut pieces = Vec::new();
    let mut tables: Vec<(TableKind, Vec<Segment>)> = Vec::new();
    let mut current: Option<TableKind> = None;
    let mut seg = Segment::default();

    pub(super) fn flush(seg: &mut Segment, tables: &mut [(TableKind, Vec<Segment>)]) {
        if (!seg.labels.is_empty() || !seg.values.is_empty())
            && let Some(t) = tables.last_mut()
        {
            t.1.push(std::mem::take(seg));
        }
        *seg = Segment::default();
    }

    let start = |kind: TableKind,
                 seg: &mut Segment,
                 tables: &mut Vec<(TableKind, Vec<Segment>)>,
                 pieces: &mut Vec<Piece>| {
        flush(seg, tables);
        tables.push((kind, Vec::new()));
        pieces.push(Piece::Table(kind));
    };

    for block in blocks {
        match block {
            Block::Row(cells) => {
                let first = cells.iter().map(|c| norm(&c.text)).find(|n| !n.is_empty());
                if let Some(k) = first.as_deref().and_then(|n| labels.anchor(n))
                    && current != Some(k)
                {
                    current = Some(k);
                    start(k, &mut seg, &mut tables, &mut pieces);
                }
                // A table split in two (prose between the halves): a row named by an
                // official row label goes on with its table.
                if current.is_none()
                    && let Some(k) =
                        cells.iter().find_map(|c| labels.rows.get(&norm(&c.text)).map(|(k, _)| *k))
                {
                    current = Some(k);
                    start(k, &mut seg, &mut tables, &mut pieces);
                }
                if current.is_none() {
                    // A table before any official one (page layout): its text is prose.
                    for c in cells {
                        push_prose(&mut pieces, &c.text, c.loc);
                    }
                    continue;
                }
                flush(&mut seg, &mut tables);
                let mut seen_label = false;
                for c in cells {
                    for tok in classify(&c.text, c.loc) {
                        match tok {
                            Tok::Label(l, loc) => {
                                if !seg.values.is_empty() {
                                    flush(&mut seg, &mut tables);
                                }
                                seen_label = true;
                                seg.labels.push((l, loc));
                            }
                            Tok::Value(NumText::Blank, _, _)
                                if !seen_label && seg.values.is_empty() =>
                            {
                                // Empty cells before the first label cover merged label cells.
                            }
                            Tok::Value(v, raw, loc) => seg.values.push((v, raw, loc)),
                        }
                    }
                }
                flush(&mut seg, &mut tables);
            }
            Block::Para(c) => {
                let n = norm(&c.text);
                let resumes = || {
                    let label = n.trim_end_matches(|c: char| c.is_ascii_digit());
                    labels.rows.get(label).map(|(k, _)| *k)
                };
                if let Some(k) = labels.anchor(&n)
                    && current != Some(k)
                    && (current.is_some() || n.chars().count() < 40)
                {
                    current = Some(k);
                    start(k, &mut seg, &mut tables, &mut pieces);
                } else if current.is_none()
                    && !c.text.contains('。')
                    && let Some(k) = resumes()
                {
                    current = Some(k);
                    start(k, &mut seg, &mut tables, &mut pieces);
                } else if current.is_some()
                    && !labels.is_table_line(&c.text)
                    && parse_number(&c.text).is_none()
                {
                    flush(&mut seg, &mut tables);
                    current = None;
                }
                if current.is_none() {
                    push_prose(&mut pieces, &c.text, c.loc);
                    continue;
                }
                for tok in classify(&c.text, c.loc) {
                    match tok {
                        Tok::Label(l, loc) => {
                            if !seg.values.is_empty() {
                                flush(&mut seg, &mut tables);
                            }
                            seg.labels.push((l, loc));
                        }
                        // A blank line between cells is spacing, not a blank cell.
                        Tok::Value(NumText::Blank, _, _) => {}
                        Tok::Value(v, raw, loc) => seg.values.push((v, raw, loc)),
                    }
                }
            }
        }
    }
    flush(&mut seg, &mut tables);
    Scan { pieces, tables }
}

/// Splits a cell into a label and numbers: `行政规范性文件102182` → label + digits;
/// `规章 0 0 0` (a line of text laid out by a PDF viewer) → label + three numbers; a cell of
/// numbers separated by spaces (`0 0 0`) gives several numbers. A decimal point is never
/// dropped: `行政事业性收费96171.6` and `96171 .6` are the amount 96171.6.
pub(super) fn classify(text: &str, loc: Loc) -> Vec<Tok> {
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '|');
    let parts = number_parts(trimmed);
    // The numbers at the end, each set apart by spaces (blanks among them).
    let first_number = parts.iter().rposition(|p| parse_number(p).is_none()).map_or(0, |i| i + 1);
    let numbers = &parts[first_number..];
    if numbers.iter().any(|p| parse_number(p) != Some(NumText::Blank))
        && (numbers.len() > 1 || first_number > 0)
    {
        let label = norm(&parts[..first_number].concat());
        let mut out = Vec::new();
        if !label.is_empty() {
            if !label.chars().any(is_cjk) {
                // `No. 3 5`: not a label with its numbers.
                return vec![Tok::Label(norm(trimmed), loc)];
            }
            out.extend(glued(&parts[..first_number].concat(), loc));
        }
        out.extend(
            numbers
                .iter()
                .map(|p| Tok::Value(parse_number(p).expect("checked"), p.to_string(), loc)),
        );
        return out;
    }
    if let Some(n) = parse_number(trimmed) {
        return vec![Tok::Value(n, trimmed.to_string(), loc)];
    }
    glued(trimmed, loc)
}

/// The pieces of a cell's text between spaces, a number broken at its decimal point
/// (`96171 .6`, `96171. 6`) or set apart from its unit (`96171.6 万元`) joined again.
fn number_parts(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in text.split(|c: char| c.is_whitespace() || c == '\u{a0}') {
        if p.is_empty() {
            continue;
        }
        let ascii: String = p.chars().map(fullwidth_to_ascii).collect();
        let join = out.last().is_some_and(|prev: &String| {
            let prev: String = prev.chars().map(fullwidth_to_ascii).collect();
            let ends_digit = prev.ends_with(|c: char| c.is_ascii_digit());
            let starts_digit = ascii.starts_with(|c: char| c.is_ascii_digit());
            (ends_digit && ascii.starts_with('.') && ascii.len() > 1)
                || (prev.ends_with('.') && prev.len() > 1 && starts_digit)
                || (ends_digit && ["万元", "元", "件"].contains(&ascii.as_str()))
        });
        match out.last_mut() {
            Some(prev) if join => prev.push_str(p),
            _ => out.push(p.to_string()),
        }
    }
    out
}

/// A label with digits (or an amount) glued onto its end (labels never end with a digit).
fn glued(text: &str, loc: Loc) -> Vec<Tok> {
    let n = norm(text);
    if n.is_empty() {
        return Vec::new();
    }
    let label = n.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &n[label.len()..];
    if label.is_empty() || digits.is_empty() || !label.chars().any(is_cjk) {
        return vec![Tok::Label(n, loc)];
    }
    // The same end of the text as written: with a decimal point, it is an amount.
    let ascii: String =
        text.chars().map(fullwidth_to_ascii).filter(|c| !c.is_whitespace()).collect();
    let ascii = ["万元", "元"].iter().fold(ascii.as_str(), |t, u| t.strip_suffix(u).unwrap_or(t));
    let tail_at = ascii
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.')
        .last()
        .map_or(ascii.len(), |(i, _)| i);
    let tail = ascii[tail_at..].trim_start_matches('.');
    if tail.contains('.')
        && let Some(NumText::Amount(a, y)) = parse_number(tail)
    {
        return vec![
            Tok::Label(label.to_string(), loc),
            Tok::Value(NumText::Amount(a, y), tail.to_string(), loc),
        ];
    }
    vec![
        Tok::Label(label.to_string(), loc),
        Tok::Value(NumText::Digits(digits.to_string()), digits.to_string(), loc),
    ]
}

/// One way of reading the numbers of a row.
pub(super) type Reading = Vec<Option<Value>>;

/// The readings of a row of `n` cells from its value cells, and whether digits had
/// to be split. `valid` says whether a full reading satisfies the row's own rule.
pub(super) fn readings(
    values: &[(NumText, String, Loc)],
    n: usize,
    decimal_at: Option<usize>,
    valid: &dyn Fn(&[u64]) -> bool,
) -> (Vec<Reading>, bool, Vec<String>) {
    let filled = values.iter().filter(|(v, _, _)| *v != NumText::Blank).count();
    let to_value = |v: &NumText| match v {
        NumText::Digits(d) => d.parse::<u64>().ok().map(Value::Count),
        NumText::Amount(a, _) => Some(Value::Decimal(*a)),
        NumText::Blank => None,
    };
    if filled >= n || values.len() >= n {
        // Blanks count as cells only where there are not enough numbers without them.
        let cells: Vec<&NumText> = if filled >= n {
            values.iter().map(|(v, _, _)| v).filter(|v| **v != NumText::Blank).collect()
        } else {
            values.iter().map(|(v, _, _)| v).collect()
        };
        let extra: Vec<String> = if filled > n {
            values
                .iter()
                .filter(|(v, _, _)| *v != NumText::Blank)
                .skip(n)
                .map(|(_, r, _)| r.clone())
                .collect()
        } else {
            Vec::new()
        };
        let reading: Reading = cells[..n]
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                NumText::Amount(a, y) if Some(i) == decimal_at => {
                    Some(Value::Decimal(if *y { yuan_to_wan(*a) } else { *a }))
                }
                NumText::Digits(d) if Some(i) == decimal_at => {
                    Decimal::parse(d).map(Value::Decimal)
                }
                v => to_value(v),
            })
            .collect();
        return (vec![reading], false, extra);
    }
    // Fewer cells than the table has: glued digits, if any cell has several.
    let groups: Vec<&str> = values
        .iter()
        .filter_map(|(v, _, _)| match v {
            NumText::Digits(d) => Some(d.as_str()),
            _ => None,
        })
        .collect();
    let digit_count: usize = groups.iter().map(|g| g.len()).sum();
    if groups.len() == filled && digit_count >= n && decimal_at.is_none() {
        let mut out = Vec::new();
        split_groups(&groups, n, &mut Vec::new(), &mut out, 100_000);
        let found: Vec<Reading> = out
            .into_iter()
            .filter(|r| valid(r))
            .map(|r| r.into_iter().map(|x| Some(Value::Count(x))).collect())
            .collect();
        return (found, true, Vec::new());
    }
    // Cells missing at the end of the row: blanks.
    let mut reading: Reading = values.iter().map(|(v, _, _)| to_value(v)).collect();
    reading.resize(n, None);
    (vec![reading], false, Vec::new())
}

/// Every way to cut each digit group into numbers (no leading zeros) so that the
/// numbers total `n`, at most `cap` of them. The search is bounded too: a row of long
/// digit runs has more ways to be cut than can be tried (the number of ways to cut 100
/// digits into 15 numbers has 16 digits), so it stops after [`SPLIT_STEPS`] tries, with
/// what it found by then.
pub(super) fn split_groups(
    groups: &[&str],
    n: usize,
    acc: &mut Vec<u64>,
    out: &mut Vec<Vec<u64>>,
    cap: usize,
) {
    Split { n, acc, out, cap, steps: SPLIT_STEPS }.groups(groups);
}

/// How many cuts [`split_groups`] tries at most (a few milliseconds).
const SPLIT_STEPS: usize = 200_000;

/// One search of [`split_groups`]: the numbers wanted, the cuts so far, what was found,
/// and the tries left.
struct Split<'a> {
    n: usize,
    acc: &'a mut Vec<u64>,
    out: &'a mut Vec<Vec<u64>>,
    cap: usize,
    steps: usize,
}

impl Split<'_> {
    /// The next group, or the cuts made so far when every group is cut (`cut` checks that
    /// the numbers left can be made).
    fn groups(&mut self, groups: &[&str]) {
        match groups.split_first() {
            Some((first, rest)) => self.cut(first, rest),
            None if self.acc.len() == self.n && self.out.len() < self.cap => {
                self.out.push(self.acc.clone())
            }
            None => {}
        }
    }

    fn cut(&mut self, s: &str, rest: &[&str]) {
        if self.steps == 0 || self.out.len() >= self.cap {
            return;
        }
        self.steps -= 1;
        if s.is_empty() {
            self.groups(rest);
            return;
        }
        // The digits left must make the numbers left: each has one digit at least and ten
        // at most (a count fits in 32 bits), each group one number at least.
        let slots = self.n.saturating_sub(self.acc.len());
        let digits_left = s.len() + rest.iter().map(|g| g.len()).sum::<usize>();
        if slots < 1 + rest.len() || digits_left < slots || digits_left > slots * 10 {
            return;
        }
        let max_len = if s.starts_with('0') { 1 } else { s.len().min(10) };
        for len in 1..=max_len {
            let Ok(v) = s[..len].parse::<u64>() else { break };
            if v > MAX_COUNT {
                break;
            }
            self.acc.push(v);
            self.cut(&s[len..], rest);
            self.acc.pop();
        }
    }
}

/// `3200` 元 → `0.32` 万元 (exact: the decimal point moves four places).
pub(super) fn yuan_to_wan(d: Decimal) -> Decimal {
    let s = d.to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let digits = format!("{int}{frac}");
    let point = int.len() as isize - 4;
    let text = if point > 0 {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    } else {
        format!("0.{}{}", "0".repeat((-point) as usize), digits)
    };
    let text = text.trim_end_matches('0').trim_end_matches('.');
    Decimal::parse(if text.is_empty() { "0" } else { text }).unwrap_or(d)
}
