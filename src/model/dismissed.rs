//! Findings a reviewer has settled: the report's optional top-level `dismissed:` list, read
//! into [`super::Report::dismissed`] (the audit settles the findings with it, the Report → YAML
//! writer writes it back).
//!
//! ```yaml
//! dismissed:
//!   - code: W-A1                 # the finding's code (required)
//!     at: overview               # its key path, or a prefix of it (optional)
//!     text: 75件                  # text its message or label contains (optional)
//!     reason: 75 含上年结转 1 件，已与业务科室核实   # why it stands (required)
//! ```
//!
//! Errors cannot be dismissed: a broken 勾稽关系 is never an accepted exception.

use crate::diag::{AuditCode, Diagnostic};
use crate::source::{Node, NodeKind, Span};

/// One `dismissed:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Dismissal {
    /// The finding's code (`W-A1`).
    pub code: String,
    /// Key path or its prefix.
    pub at: Option<String>,
    /// Text the finding's message or label contains.
    pub text: Option<String>,
    /// The reviewer's reason.
    pub reason: String,
    /// Where the entry is written.
    pub span: Span,
}

impl Dismissal {
    /// Whether this entry settles the diagnostic.
    pub fn matches(&self, d: &Diagnostic) -> bool {
        if d.code.as_str() != self.code {
            return false;
        }
        if let Some(at) = &self.at {
            let path = d.path.as_deref().unwrap_or("");
            let prefix = path == at
                || path.strip_prefix(at.as_str()).is_some_and(|r| r.starts_with(['.', '[']));
            if !prefix {
                return false;
            }
        }
        if let Some(t) = &self.text {
            let inside = d.message_zh.contains(t.as_str())
                || d.message_en.contains(t.as_str())
                || d.label.as_deref().is_some_and(|l| l.contains(t.as_str()));
            if !inside {
                return false;
            }
        }
        true
    }
}

fn scalar(node: &Node, key: &str) -> Option<String> {
    node.get(key).and_then(Node::as_scalar).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn invalid(span: Span, zh: &str, en: &str) -> Diagnostic {
    crate::diag!(AuditInvalid, span, why_zh = zh, why_en = en).with_path("dismissed")
}

/// Reads a report's `dismissed:` list (its node, when the report has one); problems with
/// entries are warnings (W-Z2), and such entries are left out.
pub fn read(list: Option<&Node>) -> (Vec<Dismissal>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let Some(list) = list else {
        return (out, diags);
    };
    let NodeKind::Seq(items) = &list.kind else {
        if !list.is_null() {
            diags.push(invalid(list.span, "dismissed 应为列表", "dismissed must be a list"));
        }
        return (out, diags);
    };
    for item in items {
        if !matches!(item.kind, NodeKind::Map(_)) {
            diags.push(invalid(
                item.span,
                "每一条应为 code/at/text/reason 映射",
                "each entry must be a mapping of code, at, text, reason",
            ));
            continue;
        }
        if let NodeKind::Map(entries) = &item.kind {
            for (k, _) in entries {
                let key = k.as_scalar().unwrap_or("");
                if !["code", "at", "text", "reason"].contains(&key) {
                    diags.push(invalid(
                        k.span,
                        &format!("未知的键 `{key}`"),
                        &format!("unknown key `{key}`"),
                    ));
                }
            }
        }
        let Some(code) = scalar(item, "code") else {
            diags.push(invalid(item.span, "缺少 code", "code is missing"));
            continue;
        };
        let Some(reason) = scalar(item, "reason") else {
            diags.push(invalid(item.span, "缺少 reason（复核理由）", "reason is missing"));
            continue;
        };
        if code.starts_with("E-") {
            diags.push(invalid(
                item.span,
                &format!("错误 {code} 不能标记为已复核，须改正"),
                &format!("error {code} cannot be dismissed, it must be fixed"),
            ));
            continue;
        }
        let known = AuditCode::ALL.iter().any(|c| c.as_str() == code)
            || ["W-P1", "W-P2", "W-P3", "W-P4", "W-P5", "W-P6", "W-G1"].contains(&code.as_str());
        if !known {
            diags.push(invalid(
                item.span,
                &format!("未知的代码 `{code}`"),
                &format!("unknown code `{code}`"),
            ));
            continue;
        }
        out.push(Dismissal {
            code,
            at: scalar(item, "at"),
            text: scalar(item, "text"),
            reason,
            span: item.span,
        });
    }
    (out, diags)
}
