//! YAML → spanned node tree, on saphyr-parser's event stream. Every node keeps
//! the line and column it came from, so schema and arithmetic errors can point at
//! the exact cell. Duplicate keys are found here; aliases are expanded under a
//! node budget and a byte budget (no "billion laughs", and no one long string
//! copied a hundred thousand times), and nesting depth is capped.

use super::Span;
use crate::diag::{Diagnostic, Hint};
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// A YAML node with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub kind: NodeKind,
    /// Where it starts in the file.
    pub span: Span,
}

/// The content of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar; `plain` is false for quoted and block scalars, which are always strings.
    Scalar {
        /// The scalar's text.
        text: String,
        /// Whether the scalar was written unquoted.
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// Whether this is a null (`~`, `null`, or nothing after the colon).
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { text, plain: true }
            if text.is_empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }

    /// The scalar text, if this is a scalar.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A short description of the node's type, for "expected X, found Y" messages.
    pub fn type_name(&self) -> (&'static str, &'static str) {
        match &self.kind {
            _ if self.is_null() => ("空值", "null"),
            NodeKind::Scalar { .. } => ("标量", "scalar"),
            NodeKind::Seq(_) => ("列表", "list"),
            NodeKind::Map(_) => ("映射", "mapping"),
        }
    }

    /// Looks up a key in a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => {
                entries.iter().find(|(k, _)| k.as_scalar() == Some(key)).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    /// Number of nodes in this subtree and the bytes of its scalars' text: what an alias to
    /// it adds to the tree.
    fn weight(&self) -> (usize, usize) {
        match &self.kind {
            NodeKind::Scalar { text, .. } => (1, text.len()),
            NodeKind::Seq(items) => items.iter().map(Node::weight).fold((1, 0), add),
            NodeKind::Map(entries) => {
                entries.iter().flat_map(|(k, v)| [k.weight(), v.weight()]).fold((1, 0), add)
            }
        }
    }
}

fn add(a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    (a.0 + b.0, a.1.saturating_add(b.1))
}

/// Limits that keep hostile input from exhausting memory or the stack.
#[derive(Debug, Clone, Copy)]
pub struct YamlLimits {
    /// Most nodes in the tree after alias expansion.
    pub max_nodes: usize,
    /// Most bytes of scalar text all aliases together may copy into the tree (so the expanded
    /// tree holds at most the file's own text plus this much).
    pub max_alias_bytes: usize,
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            max_nodes: 200_000,
            max_alias_bytes: crate::io::limits::REPORT as usize,
            max_depth: 64,
        }
    }
}

fn span_of(span: &saphyr_parser::Span) -> Span {
    let len = span.end.index().saturating_sub(span.start.index());
    let len = if span.start.line() == span.end.line() { len.max(1) } else { 1 };
    Span::new(span.start.line() as u32, span.start.col() as u32 + 1, len as u32)
}

enum Frame {
    Seq(Span, usize, Vec<Node>),
    Map(Span, usize, Vec<(Node, Node)>, Option<Node>),
}

/// Parses a YAML text into a node tree. Returns the tree (if the syntax allowed
/// one) and every problem found on the way (duplicate keys are all reported).
pub fn parse_yaml(text: &str, limits: YamlLimits) -> (Option<Node>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // Each anchored node with its weight, counted once when the anchor is defined.
    let mut anchors: HashMap<usize, (Node, (usize, usize))> = HashMap::new();
    let remember = |anchors: &mut HashMap<_, _>, id: usize, node: &Node| {
        if id > 0 {
            anchors.insert(id, (node.clone(), node.weight()));
        }
    };
    let mut root: Option<Node> = None;
    let mut documents = 0;
    let mut nodes = 0usize;
    let mut alias_bytes = 0usize;

    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(pair) => pair,
            Err(err) => {
                let m = err.marker();
                let info = err.info().to_string();
                // Whole words only: "unprintable" contains "tab" too.
                let tab = mentions_tab(&info);
                let mut line_no = m.line();
                let mut col = m.col() as u32 + 1;
                // At the end of a file without a final line break the parser reports
                // the line after the last one; point at the end of the last line.
                let lines = yaml_lines(text);
                if line_no > lines.len() {
                    line_no = lines.len().max(1);
                    col = lines.last().map_or(0, |l| l.chars().count()) as u32 + 1;
                }
                // Tab errors are raised just after the tab; point at the tab itself.
                if tab
                    && let Some(line) = lines.get(line_no.saturating_sub(1))
                    && col >= 2
                    && line.chars().nth(col as usize - 1) != Some('\t')
                    && line.chars().nth(col as usize - 2) == Some('\t')
                {
                    col -= 1;
                }
                let sp = Span::new(line_no as u32, col, 1);
                // The scanner has its own nesting limit for flow collections (`[[[…`),
                // hit before ours: the same problem, so the same code.
                if info.contains("recursion limit") {
                    diags.push(too_deep(sp, limits.max_depth));
                    return (None, diags);
                }
                let mut d =
                    crate::diag!(YamlSyntax, sp, cause_zh = zh_syntax(&info), cause_en = info);
                if tab {
                    d = d.hint(Hint::Tabs, &[]);
                }
                diags.push(d);
                return (None, diags);
            }
        };
        let sp = span_of(&span);
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => {
                continue;
            }
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    diags.push(crate::diag!(SecondDocument, sp));
                    return (None, diags);
                }
                continue;
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= limits.max_depth {
                    diags.push(too_deep(sp, limits.max_depth));
                    return (None, diags);
                }
                stack.push(Frame::Seq(sp, anchor, Vec::new()));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= limits.max_depth {
                    diags.push(too_deep(sp, limits.max_depth));
                    return (None, diags);
                }
                stack.push(Frame::Map(sp, anchor, Vec::new(), None));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(s, id, items)) => {
                    let node = Node { kind: NodeKind::Seq(items), span: s };
                    remember(&mut anchors, id, &node);
                    node
                }
                _ => unreachable!("saphyr-parser pairs SequenceStart and SequenceEnd"),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(s, id, entries, _)) => {
                    let node = Node { kind: NodeKind::Map(entries), span: s };
                    remember(&mut anchors, id, &node);
                    node
                }
                _ => unreachable!("saphyr-parser pairs MappingStart and MappingEnd"),
            },
            Event::Scalar(value, style, id, _) => {
                let plain = matches!(style, ScalarStyle::Plain);
                // NOTE: saphyr starts a quoted scalar's span at the quote but a block
                // scalar's at its first content line; point both at the text itself, so
                // `span.col + i` is the column of the text's i-th character.
                let sp = match style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                        Span::new(sp.line, sp.col + 1, sp.len.saturating_sub(2).max(1))
                    }
                    _ => sp,
                };
                let node =
                    Node { kind: NodeKind::Scalar { text: value.into_owned(), plain }, span: sp };
                remember(&mut anchors, id, &node);
                node
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some((target, (count, bytes))) => {
                    nodes += count;
                    if nodes > limits.max_nodes {
                        diags.push(crate::diag!(AliasBomb, sp, limit = limits.max_nodes));
                        return (None, diags);
                    }
                    // Checked before the copy is made: the copy is what would exhaust memory.
                    alias_bytes = alias_bytes.saturating_add(*bytes);
                    if alias_bytes > limits.max_alias_bytes {
                        let mib = limits.max_alias_bytes as f64 / (1024.0 * 1024.0);
                        diags.push(crate::diag!(AliasBytes, sp, limit = format!("{mib:.0} MiB")));
                        return (None, diags);
                    }
                    let mut copy = target.clone();
                    copy.span = sp;
                    copy
                }
                None => {
                    diags.push(crate::diag!(UnknownAnchor, sp));
                    return (None, diags);
                }
            },
        };
        nodes += 1;
        if nodes > limits.max_nodes {
            diags.push(crate::diag!(TooManyNodes, sp, limit = limits.max_nodes));
            return (None, diags);
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(_, _, items)) => items.push(node),
            Some(Frame::Map(_, _, entries, pending)) => match pending.take() {
                None => {
                    if let Some(key) = node.as_scalar()
                        && let Some((first, _)) =
                            entries.iter().find(|(k, _)| k.as_scalar() == Some(key))
                    {
                        diags.push(
                            crate::diag!(
                                DuplicateKey,
                                node.span,
                                key = key,
                                first = first.span.line
                            )
                            .hint(Hint::MergeDuplicate, &[]),
                        );
                    }
                    *pending = Some(node);
                }
                Some(key) => entries.push((key, node)),
            },
        }
    }
    (root, diags)
}

/// The lines of a text split as YAML splits them (LF, CRLF, lone CR), like
/// [`super::SourceFile`] does.
fn yaml_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['\n', '\r']) {
        out.push(&rest[..i]);
        let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[i + skip..];
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn too_deep(span: Span, depth: usize) -> Diagnostic {
    crate::diag!(TooDeep, span, depth = depth)
}

/// Whether a parser message is about a tab character.
fn mentions_tab(info: &str) -> bool {
    info.split(|c: char| !c.is_ascii_alphabetic()).any(|w| w == "tab" || w == "tabs")
}

/// A short Chinese gloss of the parser's English message.
fn zh_syntax(info: &str) -> &'static str {
    let info = info.to_ascii_lowercase();
    if mentions_tab(&info) {
        "此处不能使用制表符"
    } else if info.contains("mapping values are not allowed") {
        "此处不能出现键值对（检查冒号和缩进）"
    } else if info.contains("did not find expected") || info.contains("while parsing a flow") {
        "缺少预期的符号（检查括号、引号是否成对）"
    } else if info.contains("indent") {
        "缩进不正确"
    } else if info.contains("unclosed") || info.contains("end of stream") {
        "括号或引号未闭合"
    } else if info.contains("unprintable") {
        "文件中有不可打印的控制字符"
    } else {
        "无法解析"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    fn parse(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
        parse_yaml(text, YamlLimits::default())
    }

    #[test]
    fn spans_count_characters() {
        let (root, diags) = parse("# 中文注释\nunit: 嵊泗县\nyear: abc\n");
        assert!(diags.is_empty());
        let root = root.unwrap();
        let year = root.get("year").unwrap();
        assert_eq!((year.span.line, year.span.col, year.span.len), (3, 7, 3));
        let (_, diags) = parse("名称: 某某  \nx: [1, 2\n");
        assert_eq!(diags[0].code, Code::Syntax);
    }

    #[test]
    fn duplicate_keys_are_all_reported() {
        let (_, diags) = parse("a: 1\nb: 2\na: 3\nb: 4\n");
        let lines: Vec<u32> = diags.iter().map(|d| d.span.line).collect();
        assert_eq!(lines, vec![3, 4]);
        assert!(diags.iter().all(|d| d.code == Code::DuplicateKey));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            let list = vec![prev; 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{list}]\n"));
        }
        let (root, diags) = parse(&text);
        assert!(root.is_none());
        assert_eq!(diags[0].code, Code::TooComplex);
    }

    #[test]
    fn one_long_string_copied_many_times_is_refused() {
        // Few nodes (under the node budget) but gigabytes once expanded.
        let mut text = format!("a: &a \"{}\"\nb: [", "x".repeat(64 * 1024));
        text.push_str(&vec!["*a"; 100_000].join(", "));
        text.push_str("]\n");
        let (root, diags) = parse(&text);
        assert!(root.is_none());
        assert_eq!(diags[0].code, Code::TooComplex);
        assert!(diags[0].message_zh.contains("别名"), "{:?}", diags[0]);
        // A paragraph reused a few times is fine.
        let text = format!("a: &a \"{}\"\nb: [*a, *a, *a]\n", "x".repeat(64 * 1024));
        let (root, diags) = parse(&text);
        assert!(root.is_some() && diags.is_empty(), "{diags:?}");
    }
}
