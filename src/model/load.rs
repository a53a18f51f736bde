//! YAML node tree → [`Report`], following `spec/report-yaml.md`. Every problem is
//! collected (not only the first) with its line, key path and official label.

use super::{
    Date, Decimal, Figure, Num, ProseItem, Record, Report, Section, Signature, Subsection,
    TableData, Text, Value,
};
use crate::diag::{Code, Diagnostic};
use crate::source::{Node, NodeKind, SourceFile, Span, YamlLimits, parse_yaml};
use crate::template::{EDITIONS, ScalarKind, TableDef, bundled_format};
use std::path::Path;

/// Largest report file accepted; real reports are a few tens of KB.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// Deepest subsection level below a section (（一） → 1. → （1）).
const MAX_PROSE_LEVEL: usize = 3;

const TOP_KEYS: &[&str] = &[
    "format",
    "unit",
    "year",
    "date",
    "title",
    "preamble",
    "overview",
    "proactive",
    "applications",
    "reviews_lawsuits",
    "problems",
    "other",
    "signature",
    "dismissed", // reviewed findings; read by `audit::dismiss` from the node tree
];

/// Reads a report from a source file. `base_dir` resolves relative image paths.
/// Returns the report when the file could be read into one (it may still carry
/// errors in the diagnostics: callers check `has_errors`).
pub fn load_report(file: &SourceFile, base_dir: &Path) -> (Option<Report>, Vec<Diagnostic>) {
    let mut cx = Loader { diags: Vec::new(), base_dir };
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
    base_dir: &'a Path,
}

impl Loader<'_> {
    fn report(&mut self, root: &Node) -> Option<Report> {
        self.check_keys(root, TOP_KEYS, "", "");
        let format = match root.get("format") {
            None => 2021,
            Some(node) => match node.as_scalar().and_then(|s| s.parse::<u32>().ok()) {
                Some(e) if EDITIONS.contains(&e) => e,
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
                        .with_hint(format!("可用版本 (editions): {EDITIONS:?}")),
                    );
                    return None;
                }
            },
        };
        let fmt = bundled_format(format).expect("EDITIONS lists only bundled formats");

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
        let resolved = self.existing_file(&image, &join(path, "image"), "图片")?;
        Some(Figure { image: resolved, caption, width_mm, span: node.span })
    }

    fn existing_file(
        &mut self,
        text: &Text,
        path: &str,
        label: &str,
    ) -> Option<std::path::PathBuf> {
        let resolved = self.base_dir.join(&text.text);
        if resolved.is_file() {
            Some(resolved)
        } else {
            self.diags.push(
                Diagnostic::error(
                    Code::MissingFile,
                    text.span,
                    format!("找不到文件 `{}`", resolved.display()),
                    format!("file not found: `{}`", resolved.display()),
                )
                .with_path(path)
                .with_label(label)
                .with_hint(
                    "路径相对于 YAML 文件所在目录 (paths are relative to the YAML file's folder)",
                ),
            );
            None
        }
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
            && let Some(p) = self.existing_file(&t, "signature.seal", "印章")
        {
            sig.seal = Some((p, t.span));
        }
        sig
    }

    /// A table section: the table's records plus optional `intro`/`notes` prose.
    fn table_section(
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
                values: zeros(if r.scalar.is_some() { 1 } else { r.fields.len() }),
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
                    self.diags.push(
                        Diagnostic::error(
                            Code::ListLength,
                            node.span,
                            format!(
                                "应有 {n} 个数（{}），可再加 1 个总计，实际有 {} 个",
                                names.join("、"),
                                items.len()
                            ),
                            format!(
                                "expected {n} numbers (optionally a total as number {}), found {}",
                                n + 1,
                                items.len()
                            ),
                        )
                        .with_path(path)
                        .with_label(&rdef.label),
                    );
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
                self.diags.push(
                    Diagnostic::error(
                        Code::WrongType,
                        node.span,
                        format!("此处应为{want_zh}，实际是{zh}"),
                        format!("expected {want_en}, found a {en}"),
                    )
                    .with_path(path)
                    .with_label(&rdef.label),
                );
            }
        }
    }

    /// A count (non-negative whole number within u32) or a decimal amount.
    fn number(&mut self, node: &Node, kind: ScalarKind, path: &str, label: &str) -> Option<Num> {
        let err = |code: Code, zh: String, en: String| {
            Diagnostic::error(code, node.span, zh, en).with_path(path).with_label(label)
        };
        let Some(raw) = node.as_scalar().filter(|_| !node.is_null()) else {
            let (zh, en) = node.type_name();
            self.diags.push(
                err(
                    Code::WrongType,
                    format!("此处应为数字，实际是{zh}"),
                    format!("expected a number, found a {en}"),
                )
                .with_hint("没有数据请填 0 (write 0 for none)"),
            );
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
            self.diags.push(err(
                Code::Negative,
                format!("{zh}不能为负数（{text}）"),
                format!("{en} cannot be negative ({text})"),
            ));
            return None;
        }
        match kind {
            ScalarKind::Decimal => match Decimal::parse(text) {
                Some(d) => Some(Num { value: Value::Decimal(d), span: node.span }),
                None => {
                    self.diags.push(err(Code::BadDecimal, format!("金额应为非负数字，如 0、1.5、0.32，实际是 `{text}`"), format!("amount must be a non-negative decimal such as 0, 1.5 or 0.32, found `{text}`")));
                    None
                }
            },
            ScalarKind::Count => {
                if text.chars().all(|c| c.is_ascii_digit()) && !text.is_empty() {
                    match text.parse::<u64>() {
                        Ok(n) if n <= u64::from(u32::MAX) => {
                            Some(Num { value: Value::Count(n), span: node.span })
                        }
                        _ => {
                            self.diags.push(err(
                                Code::OutOfRange,
                                format!("数字过大（{text}），上限 {}", u32::MAX),
                                format!("number too large ({text}), the limit is {}", u32::MAX),
                            ));
                            None
                        }
                    }
                } else if looks_numeric || is_float_syntax(text) {
                    self.diags.push(err(
                        Code::NotInteger,
                        format!("件数应为整数，实际是 `{text}`"),
                        format!("counts must be whole numbers, found `{text}`"),
                    ));
                    None
                } else {
                    let mut d = err(
                        Code::WrongType,
                        format!("此处应为整数，实际是 `{text}`"),
                        format!("expected a whole number, found `{text}`"),
                    );
                    if text.chars().any(|c| ('０'..='９').contains(&c)) {
                        d = d.with_hint("请使用半角数字 (use half-width digits 0-9)");
                    } else if text.contains(',') || text.contains('，') {
                        d = d.with_hint("数字中不要加千分位逗号 (no thousands separators)");
                    }
                    self.diags.push(d);
                    None
                }
            }
        }
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
        assert_eq!(did_you_mean("overveiw", TOP_KEYS), Some("overview"));
        assert_eq!(did_you_mean("zzzzzz", TOP_KEYS), None);
    }
}
