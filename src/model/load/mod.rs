//! YAML node tree → [`Report`], following `spec/report-yaml.md`. Every problem is
//! collected (not only the first) with its line, key path and official label.

mod tables;

use super::{
    Date, Figure, Num, ProseItem, Report, ResourceRef, Section, Signature, Subsection, Text, Value,
};
use crate::diag::{Code, Diagnostic};
use crate::source::{Node, NodeKind, SourceFile, Span, YamlLimits, parse_yaml};
use crate::template::{Format, Formats};

/// Largest report file accepted; real reports are a few tens of KB.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// Deepest subsection level below a section (（一） → 1. → （1）).
const MAX_PROSE_LEVEL: usize = 3;

/// Top-level keys every edition has; the sections' keys come from the format.
const FIXED_KEYS: &[&str] = &["format", "unit", "year", "date", "title", "preamble", "signature"];

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
        cx.diags.push(Diagnostic::error(
            Code::TooLarge,
            Span::detached(),
            format!("文件过大（{} 字节，上限 {} 字节）", file.text().len(), MAX_FILE_BYTES),
            format!("file too large ({} bytes, limit {} bytes)", file.text().len(), MAX_FILE_BYTES),
        ));
        return (None, cx.diags);
    }
    let (root, diags) = parse_yaml(file.text(), YamlLimits::default());
    cx.diags.extend(diags);
    let Some(root) = root else {
        if cx.diags.is_empty() {
            cx.diags.push(Diagnostic::error(
                Code::Empty,
                Span::detached(),
                "文件为空，没有报告内容",
                "the file is empty: no report in it",
            ).with_hint("用 `nianbao init --unit 单位名称 --year 年份` 生成模板 (run `nianbao init` for a skeleton)"));
        }
        return (None, cx.diags);
    };
    if root.is_null() {
        cx.diags.push(Diagnostic::error(
            Code::Empty,
            root.span,
            "文件为空，没有报告内容",
            "the file is empty: no report in it",
        ));
        return (None, cx.diags);
    }
    if !matches!(root.kind, NodeKind::Map(_)) {
        let (zh, en) = root.type_name();
        cx.diags.push(Diagnostic::error(
            Code::TopLevel,
            root.span,
            format!("文件顶层应为键值映射（unit: …、year: …），实际是{zh}"),
            format!("the top level must be a mapping (unit: …, year: …), found a {en}"),
        ));
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
                    self.diags.push(
                        Diagnostic::error(
                            Code::BadValue,
                            node.span,
                            format!("不支持的格式版本 `{}`", node.as_scalar().unwrap_or("?")),
                            format!(
                                "unsupported format edition `{}`",
                                node.as_scalar().unwrap_or("?")
                            ),
                        )
                        .with_path("format")
                        .with_hint(format!("可用版本 (editions): {editions:?}")),
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
            self.diags.push(
                Diagnostic::error(
                    Code::BadValue,
                    u.span,
                    "发布机关不能为空",
                    "unit must not be empty",
                )
                .with_path("unit"),
            );
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
                            Diagnostic::warning(
                                Code::EmptySection,
                                node.span,
                                format!("“{label}”没有内容，发布的报告中该节将为空"),
                                format!("section {} has no text; it will be empty in the report", def.key),
                            )
                            .with_path(def.key.clone())
                            .with_label(&label)
                            .with_hint("没有可报告的内容时写明“无”或相应说明 (write 无 or a sentence saying so)"),
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
        Some(Report {
            format,
            unit: unit?,
            year: year?,
            date,
            title,
            preamble,
            sections,
            signature,
        })
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
                Diagnostic::error(
                    Code::MissingKey,
                    parent.span,
                    format!("缺少必填项 `{key}`（{label}）"),
                    format!("missing required key `{key}`"),
                )
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
                Diagnostic::error(
                    Code::WrongType,
                    node.span,
                    format!("此处应为键值映射，实际是{zh}"),
                    format!("expected a mapping, found a {en}"),
                )
                .with_path(path.to_string())
                .with_label(label),
            );
            return false;
        };
        for (key, _) in entries {
            let Some(name) = key.as_scalar() else {
                self.diags.push(
                    Diagnostic::error(
                        Code::WrongType,
                        key.span,
                        "键必须是文字",
                        "keys must be plain text",
                    )
                    .with_path(path.to_string()),
                );
                continue;
            };
            if allowed.contains(&name) {
                continue;
            }
            let full = join(path, name);
            let mut d = Diagnostic::error(
                Code::UnknownKey,
                key.span,
                format!("未知的键 `{name}`（该项内容不会被使用）"),
                format!("unknown key `{name}` (its content would be dropped)"),
            )
            .with_path(full)
            .with_label(label);
            match did_you_mean(name, allowed) {
                Some(best) => {
                    d = d.with_hint(format!("是否应为 `{best}`？ (did you mean `{best}`?)"))
                }
                None => d = d.with_hint(format!("允许的键 (allowed keys): {}", allowed.join(", "))),
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
                    Diagnostic::error(
                        Code::WrongType,
                        node.span,
                        format!("此处应为文字，实际是{zh}"),
                        format!("expected text, found a {en}"),
                    )
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
            Some(y) if (1990..=2100).contains(&y) => Some((y, node.span)),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        Code::BadValue,
                        node.span,
                        format!(
                            "年度应为四位年份（如 2024），实际是 `{}`",
                            node.as_scalar().unwrap_or("…")
                        ),
                        format!(
                            "year must be a four-digit year such as 2024, found `{}`",
                            node.as_scalar().unwrap_or("…")
                        ),
                    )
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
                    Diagnostic::error(
                        Code::BadValue,
                        node.span,
                        format!("日期格式应为 YYYY-MM-DD 且为真实日期，实际是 `{text}`"),
                        format!("date must be a real date written YYYY-MM-DD, found `{text}`"),
                    )
                    .with_path(path)
                    .with_label("成文日期"),
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
                        Diagnostic::error(
                            Code::BadValue,
                            item.span,
                            format!(
                                "小标题最多 {MAX_PROSE_LEVEL} 级（（一）、1.、（1）），此处过深"
                            ),
                            format!("subsections nest at most {MAX_PROSE_LEVEL} levels deep"),
                        )
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
                            self.diags.push(
                                Diagnostic::error(
                                    Code::WrongType,
                                    n.span,
                                    "run_in 只能是 true 或 false",
                                    "run_in must be true or false",
                                )
                                .with_path(join(path, "run_in")),
                            );
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
                self.diags.push(
                    Diagnostic::error(
                        Code::WrongType,
                        item.span,
                        "段落列表中不能再嵌套列表（小标题请用 heading/text/items）",
                        "a prose item cannot be a list (use heading/text/items for subsections)",
                    )
                    .with_path(path.to_string()),
                );
            }
        }
    }

    fn figure(&mut self, node: &Node, path: &str) -> Option<Figure> {
        self.check_keys(node, &["image", "caption", "width_mm"], path, "图片");
        let image = node.get("image").and_then(|n| self.text(n, &join(path, "image"), "图片"))?;
        let caption =
            node.get("caption").and_then(|n| self.text(n, &join(path, "caption"), "图题"));
        let width_mm = match node.get("width_mm") {
            None => None,
            Some(n) => match n.as_scalar().and_then(|s| s.parse::<f64>().ok()) {
                Some(w) if w.is_finite() && w > 0.0 && w <= 500.0 => Some(w),
                _ => {
                    self.diags.push(
                        Diagnostic::error(
                            Code::BadValue,
                            n.span,
                            "width_mm 应为正数（毫米）",
                            "width_mm must be a positive number of millimetres",
                        )
                        .with_path(join(path, "width_mm")),
                    );
                    None
                }
            },
        };
        let image = self.resource(image, join(path, "image"));
        Some(Figure { image, caption, width_mm, span: node.span })
    }

    /// A file the report names: recorded with its key path, fetched when the report is checked.
    fn resource(&mut self, text: Text, key: String) -> ResourceRef {
        if text.text.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    Code::BadValue,
                    text.span,
                    "文件名不能为空",
                    "the file name is empty",
                )
                .with_path(key.clone()),
            );
        }
        ResourceRef { name: text.text, span: text.span, key }
    }

    fn signature(&mut self, node: &Node) -> Signature {
        let mut sig = Signature::default();
        if node.is_null() || !self.check_keys(node, &["unit", "date", "seal"], "signature", "落款")
        {
            return sig;
        }
        sig.unit = node.get("unit").and_then(|n| self.text(n, "signature.unit", "落款单位"));
        sig.date = node.get("date").and_then(|n| self.date(n, "signature.date"));
        if let Some(n) = node.get("seal")
            && let Some(t) = self.text(n, "signature.seal", "印章")
        {
            sig.seal = Some(self.resource(t, "signature.seal".into()));
        }
        sig
    }
}

fn zeros(n: usize) -> Vec<Num> {
    vec![Num { value: Value::Count(0), span: Span::detached() }; n]
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
