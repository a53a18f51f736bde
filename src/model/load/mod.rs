//! YAML node tree → [`Report`], following `spec/report-yaml.md`. Every problem is
//! collected (not only the first) with its line, key path and official label.

mod tables;

use super::{
    Date, Figure, Num, ProseItem, Report, ResourceRef, Section, Signature, Subsection, Text,
};
use crate::diag;
use crate::diag::{Diagnostic, Hint};
use crate::source::{Node, NodeKind, SourceFile, Span, YamlLimits, parse_yaml};
use crate::template::{Format, Formats};

/// Largest report file accepted; real reports are a few tens of KB.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// The widest figure accepted (an A4 page is 210 mm wide; the type area 156 mm).
const MAX_WIDTH_MM: f64 = 500.0;

/// Deepest subsection level below a section (（一） → 1. → （1）).
const MAX_PROSE_LEVEL: usize = 3;

/// Top-level keys every edition has; the sections' keys come from the format.
/// (`dismissed`: findings a reviewer settled, read by the audit.)
const FIXED_KEYS: &[&str] =
    &["format", "unit", "year", "date", "title", "preamble", "signature", "dismissed"];

/// The allowed top-level keys of a report in `format`: the fixed ones and one per section.
fn top_keys(format: &Format) -> Vec<&str> {
    let mut keys = FIXED_KEYS.to_vec();
    keys.extend(format.sections.iter().map(|s| s.key.as_str()));
    keys
}

/// Reads a report from a source file, in an edition of `formats`. Returns the report when
/// the file could be read into one (it may still carry errors in the diagnostics: callers
/// check `has_errors`). Files the report names (seal, figures) are only recorded here; they
/// are fetched when the report is checked.
pub fn load_report(file: &SourceFile, formats: &Formats) -> (Option<Report>, Vec<Diagnostic>) {
    let mut cx = Loader { diags: Vec::new(), formats };
    if file.text().len() > MAX_FILE_BYTES {
        let size = file.text().len();
        cx.diags.push(diag!(FileTooLarge, Span::detached(), size = size, limit = MAX_FILE_BYTES));
        return (None, cx.diags);
    }
    let (root, diags) = parse_yaml(file.text(), YamlLimits::default());
    cx.diags.extend(diags);
    let Some(root) = root else {
        if cx.diags.is_empty() {
            cx.diags.push(diag!(EmptyFile, Span::detached()).hint(Hint::Init, &[]));
        }
        return (None, cx.diags);
    };
    if root.is_null() {
        cx.diags.push(diag!(EmptyFile, root.span));
        return (None, cx.diags);
    }
    if !matches!(root.kind, NodeKind::Map(_)) {
        let (zh, en) = root.type_name();
        cx.diags.push(diag!(TopLevelNotMap, root.span, found_zh = zh, found_en = en));
        return (None, cx.diags);
    }
    let report = cx.report(&root);
    (report, cx.diags)
}

struct Loader<'a> {
    diags: Vec<Diagnostic>,
    formats: &'a Formats,
}

impl Loader<'_> {
    fn report(&mut self, root: &Node) -> Option<Report> {
        let formats = self.formats;
        let editions = formats.editions();
        let format = match root.get("format") {
            None => formats.default_edition(),
            Some(node) => match node.as_scalar().and_then(|s| s.parse::<u32>().ok()) {
                Some(e) if editions.contains(&e) => e,
                _ => {
                    let edition = node.as_scalar().unwrap_or("?");
                    let list = format!("{editions:?}");
                    self.diags.push(
                        diag!(UnsupportedEdition, node.span, edition = edition)
                            .with_path("format")
                            .hint(Hint::Editions, &[("editions", &list)]),
                    );
                    return None;
                }
            },
        };
        let fmt = formats.get(format).expect("editions() lists only registered formats");
        self.check_keys(root, &top_keys(fmt), "", "");

        let unit =
            self.required(root, "unit", "发布机关").and_then(|n| self.text(n, "unit", "发布机关"));
        if let Some(u) = &unit
            && u.text.trim().is_empty()
        {
            self.diags.push(diag!(UnitEmpty, u.span).with_path("unit"));
        }
        let year = self.required(root, "year", "年度").and_then(|n| self.year(n));
        let date = root.get("date").and_then(|n| self.date(n, "date"));
        let title = root.get("title").and_then(|n| self.text(n, "title", "标题"));
        let preamble =
            root.get("preamble").map(|n| self.prose(n, "preamble", 1)).unwrap_or_default();

        let mut sections = Vec::new();
        for def in &fmt.sections {
            let label = def.heading();
            let Some(node) = self.required(root, &def.key, &label) else {
                continue;
            };
            match &def.table {
                None => {
                    let empty = node.is_null()
                        || matches!(&node.kind, NodeKind::Seq(items) if items.is_empty());
                    if empty {
                        self.diags.push(
                            diag!(EmptySection, node.span, label = label, key = def.key)
                                .with_path(def.key.clone())
                                .with_label(&label)
                                .hint(Hint::WriteNone, &[]),
                        );
                    }
                    sections.push(Section {
                        key: def.key.clone(),
                        span: node.span,
                        prose: self.prose(node, &def.key, 1),
                        table: None,
                        notes: Vec::new(),
                    });
                }
                Some(table_key) => {
                    let tdef = fmt.table(table_key).expect("format checked");
                    let (table, intro, notes) = self.table_section(node, tdef, &label);
                    sections.push(Section {
                        key: def.key.clone(),
                        span: node.span,
                        prose: intro,
                        table: Some(table),
                        notes,
                    });
                }
            }
        }
        let signature = root.get("signature").map(|n| self.signature(n)).unwrap_or_default();
        let (unit, year) = (unit?, year?);
        let (dismissed, problems) = super::read_dismissed(root.get("dismissed"));
        self.diags.extend(problems);
        Some(Report { format, dismissed, unit, year, date, title, preamble, sections, signature })
    }

    fn required<'n>(&mut self, parent: &'n Node, key: &str, label: &str) -> Option<&'n Node> {
        self.required_in(parent, "", key, label)
    }

    /// Like [`Self::required`] for a key below `path` (the parent's key path).
    fn required_in<'n>(
        &mut self,
        parent: &'n Node,
        path: &str,
        key: &str,
        label: &str,
    ) -> Option<&'n Node> {
        let found = parent.get(key);
        if found.is_none() {
            self.diags.push(
                diag!(MissingKey, parent.span, key = key, label = label)
                    .with_path(join(path, key))
                    .with_label(label),
            );
        }
        found
    }

    /// Reports unknown keys of a mapping (with a "did you mean"). Returns false when
    /// the node is not a mapping at all.
    fn check_keys(&mut self, node: &Node, allowed: &[&str], path: &str, label: &str) -> bool {
        let NodeKind::Map(entries) = &node.kind else {
            let (zh, en) = node.type_name();
            self.diags.push(
                diag!(ExpectedMapping, node.span, found_zh = zh, found_en = en)
                    .with_path(path.to_string())
                    .with_label(label),
            );
            return false;
        };
        for (key, _) in entries {
            let Some(name) = key.as_scalar() else {
                self.diags.push(diag!(KeyNotText, key.span).with_path(path.to_string()));
                continue;
            };
            if allowed.contains(&name) {
                continue;
            }
            let full = join(path, name);
            let mut d = diag!(UnknownKey, key.span, name = name).with_path(full).with_label(label);
            match did_you_mean(name, allowed) {
                Some(best) => d = d.hint(Hint::DidYouMean, &[("best", &best)]),
                None => d = d.hint(Hint::AllowedKeys, &[("keys", &allowed.join(", "))]),
            }
            self.diags.push(d);
        }
        true
    }

    fn text(&mut self, node: &Node, path: &str, label: &str) -> Option<Text> {
        match &node.kind {
            NodeKind::Scalar { text, .. } if !node.is_null() => {
                Some(Text { text: text.trim().to_string(), span: node.span })
            }
            _ => {
                let (zh, en) = node.type_name();
                self.diags.push(
                    diag!(ExpectedText, node.span, found_zh = zh, found_en = en)
                        .with_path(path)
                        .with_label(label),
                );
                None
            }
        }
    }

    fn year(&mut self, node: &Node) -> Option<(i32, Span)> {
        let parsed = node.as_scalar().and_then(|s| s.parse::<i32>().ok());
        match parsed {
            Some(y) if REPORT_YEARS.contains(&y) => Some((y, node.span)),
            _ => {
                self.diags.push(
                    diag!(BadYear, node.span, text = node.as_scalar().unwrap_or("…"))
                        .with_path("year")
                        .with_label("年度"),
                );
                None
            }
        }
    }

    fn date(&mut self, node: &Node, path: &str) -> Option<(Date, Span)> {
        let text = node.as_scalar().unwrap_or("");
        match parse_date(text.trim()) {
            Some(d) => Some((d, node.span)),
            None => {
                self.diags.push(
                    diag!(BadDate, node.span, text = text).with_path(path).with_label("成文日期"),
                );
                None
            }
        }
    }

    /// A prose value: a list of items, or (as a convenience) one string.
    fn prose(&mut self, node: &Node, path: &str, level: usize) -> Vec<ProseItem> {
        let mut out = Vec::new();
        match &node.kind {
            NodeKind::Scalar { .. } if node.is_null() => {}
            NodeKind::Scalar { text, plain } => push_paragraphs(&mut out, text, node.span, *plain),
            NodeKind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    self.prose_item(item, &item_path, level, &mut out);
                }
            }
            NodeKind::Map(_) => self.prose_item(node, path, level, &mut out),
        }
        out
    }

    fn prose_item(&mut self, item: &Node, path: &str, level: usize, out: &mut Vec<ProseItem>) {
        match &item.kind {
            NodeKind::Scalar { .. } if item.is_null() => {}
            NodeKind::Scalar { text, plain } => push_paragraphs(out, text, item.span, *plain),
            NodeKind::Map(_) if item.get("image").is_some() => {
                if let Some(fig) = self.figure(item, path) {
                    out.push(ProseItem::Figure(fig));
                }
            }
            NodeKind::Map(_) => {
                if !self.check_keys(item, &["heading", "text", "items", "run_in"], path, "") {
                    return;
                }
                if level > MAX_PROSE_LEVEL {
                    self.diags.push(
                        diag!(ProseTooDeep, item.span, max = MAX_PROSE_LEVEL)
                            .with_path(path.to_string()),
                    );
                    return;
                }
                let Some(heading) = self
                    .required_in(item, path, "heading", "小标题")
                    .and_then(|n| self.text(n, &join(path, "heading"), "小标题"))
                else {
                    return;
                };
                let run_in = match item.get("run_in") {
                    None => false,
                    Some(n) => match n.as_scalar() {
                        Some("true") => true,
                        Some("false") => false,
                        _ => {
                            self.diags
                                .push(diag!(RunInNotBool, n.span).with_path(join(path, "run_in")));
                            false
                        }
                    },
                };
                let mut text = Vec::new();
                let mut items = Vec::new();
                if let Some(t) = item.get("text") {
                    for p in self.prose(t, &join(path, "text"), level + 1) {
                        match p {
                            ProseItem::Paragraph(t) if items.is_empty() => text.push(t),
                            other => items.push(other),
                        }
                    }
                }
                if let Some(n) = item.get("items") {
                    items.extend(self.prose(n, &join(path, "items"), level + 1));
                }
                out.push(ProseItem::Subsection(Subsection { heading, run_in, text, items }));
            }
            NodeKind::Seq(_) => {
                self.diags.push(diag!(NestedList, item.span).with_path(path.to_string()));
            }
        }
    }

    fn figure(&mut self, node: &Node, path: &str) -> Option<Figure> {
        self.check_keys(node, &["image", "caption", "width_mm", "alt"], path, "图片");
        let image = node.get("image").and_then(|n| self.text(n, &join(path, "image"), "图片"))?;
        let caption =
            node.get("caption").and_then(|n| self.text(n, &join(path, "caption"), "图题"));
        let width_mm = match node.get("width_mm") {
            None => None,
            Some(n) => match n.as_scalar().and_then(|s| s.parse::<f64>().ok()) {
                Some(w) if w.is_finite() && w > 0.0 && w <= MAX_WIDTH_MM => Some(w),
                parsed => {
                    // Too large is not "not positive": say which, with the limit.
                    let d = match parsed {
                        Some(w) if w > MAX_WIDTH_MM => {
                            diag!(WidthTooLarge, n.span, value = w, limit = MAX_WIDTH_MM)
                        }
                        _ => diag!(WidthNotPositive, n.span),
                    };
                    self.diags.push(d.with_path(join(path, "width_mm")));
                    None
                }
            },
        };
        let alt = node.get("alt").and_then(|n| self.text(n, &join(path, "alt"), "替代文本"));
        let image = self.resource(image, join(path, "image"));
        Some(Figure { image, caption, width_mm, alt, span: node.span })
    }

    /// A file the report names: recorded with its key path, fetched when the report is checked.
    fn resource(&mut self, text: Text, key: String) -> ResourceRef {
        if text.text.is_empty() {
            self.diags.push(diag!(FileNameEmpty, text.span).with_path(key.clone()));
        }
        ResourceRef { name: text.text, span: text.span, key }
    }

    fn signature(&mut self, node: &Node) -> Signature {
        let mut sig = Signature::default();
        if node.is_null() || !self.check_keys(node, &["unit", "date", "seal"], "signature", "落款")
        {
            return sig;
        }
        // `unit: 某某局` or, for units signing together, `unit: [某某局, 某某委员会]`.
        if let Some(n) = node.get("unit") {
            match &n.kind {
                NodeKind::Seq(items) if !items.is_empty() => {
                    let mut units = items.iter().enumerate().filter_map(|(i, item)| {
                        self.text(item, &format!("signature.unit[{i}]"), "落款单位")
                    });
                    sig.unit = units.next();
                    sig.joint = units.collect();
                }
                _ => sig.unit = self.text(n, "signature.unit", "落款单位"),
            }
        }
        sig.date = node.get("date").and_then(|n| self.date(n, "signature.date"));
        // `seal: FILE` or `seal: {image: FILE, alt: TEXT}`.
        let mut seal = node.get("seal");
        let mut key = "signature.seal";
        if let Some(n) = seal.filter(|n| matches!(n.kind, NodeKind::Map(_))) {
            self.check_keys(n, &["image", "alt"], "signature.seal", "印章");
            sig.seal_alt =
                n.get("alt").and_then(|a| self.text(a, "signature.seal.alt", "替代文本"));
            seal = self.required_in(n, "signature.seal", "image", "印章");
            key = "signature.seal.image";
        }
        if let Some(n) = seal
            && let Some(t) = self.text(n, key, "印章")
        {
            sig.seal = Some(self.resource(t, key.into()));
        }
        sig
    }
}

fn zeros(n: usize) -> Vec<Num> {
    vec![Num::blank(); n]
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// `三（三）1.属于国家秘密` → `三（三）不予公开 …`: the group part of a record label.
fn group_label(label: &str) -> String {
    label.split_once(|c: char| c.is_ascii_digit()).map_or(label, |(g, _)| g).to_string()
}

fn is_float_syntax(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.parse::<f64>().is_ok()
        && (t.contains('e') || t.contains('.'))
        && !t.contains("inf")
        && !t.contains("nan")
}

/// Splits a string into paragraphs: every non-empty line is one paragraph.
fn push_paragraphs(out: &mut Vec<ProseItem>, text: &str, span: Span, plain: bool) {
    let lines: Vec<&str> = text.lines().collect();
    let block = !plain && lines.len() > 1;
    // NOTE: a block scalar's span starts at its first non-empty content line (not
    // at the `|`), so leading empty lines come before the span's line.
    let leading = lines.iter().take_while(|l| l.is_empty()).count() as u32;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let indent = raw.chars().take_while(|c| c.is_whitespace()).count() as u32;
        let span = if block {
            let line_no = (span.line + i as u32).saturating_sub(leading);
            Span::new(line_no, span.col + indent, line.chars().count() as u32)
        } else {
            Span::new(span.line, span.col + indent, span.len)
        };
        out.push(ProseItem::Paragraph(Text { text: line.to_string(), span }));
    }
}

/// The years a report can be for (the YAML's `year`; the importer takes no other).
pub const REPORT_YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// The largest count a report may hold (32 bits); the importer keeps to it as well.
pub const MAX_COUNT: u64 = u32::MAX as u64;

/// Parses `YYYY-MM-DD` (also `YYYY-M-D`) into a real calendar date.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1990..=2200).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (day >= 1 && day <= days[month as usize - 1]).then_some(Date { year, month, day })
}

/// The closest allowed key within a small edit distance.
fn did_you_mean<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (levenshtein(name, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.chars().count() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real() {
        assert_eq!(parse_date("2025-01-22"), Some(Date { year: 2025, month: 1, day: 22 }));
        assert_eq!(parse_date("2024-02-29").map(|d| d.day), Some(29));
        assert_eq!(parse_date("2025-02-29"), None);
        assert_eq!(parse_date("2025-13-01"), None);
        assert_eq!(parse_date("2025/01/22"), None);
    }

    #[test]
    fn suggestions_are_close_keys() {
        assert_eq!(did_you_mean("recieved", &["received", "carried_over"]), Some("received"));
        let format = Formats::bundled().get(2021).unwrap();
        assert_eq!(did_you_mean("overveiw", &top_keys(format)), Some("overview"));
        assert_eq!(did_you_mean("zzzzzz", &top_keys(format)), None);
    }
}
