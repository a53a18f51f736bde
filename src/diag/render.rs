//! Renders diagnostics for people (with the source line and a caret), for logs
//! (one line each) and for tools (JSON).

use super::{Diagnostic, Severity};
use crate::source::SourceFile;
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn location(diag: &Diagnostic, file: &SourceFile) -> String {
    let path = file.path().display();
    if diag.span.is_located() {
        format!("{path}:{}:{}", diag.span.line, diag.span.col)
    } else {
        format!("{path}")
    }
}

/// The full human form: header, location, the source line with a caret under the
/// offending text (display width aware), key path, label and hints.
pub fn render_human(diag: &Diagnostic, file: &SourceFile) -> String {
    let mut out = String::new();
    let sev = severity_word(diag.severity);
    let _ = writeln!(out, "{sev}[{}]: {}", diag.code.as_str(), diag.message_zh);
    let _ = writeln!(out, "  ({})", diag.message_en);
    let _ = writeln!(out, "  --> {}", location(diag, file));
    if diag.span.is_located()
        && let Some(line) = file.line_text(diag.span.line)
    {
        let num = diag.span.line.to_string();
        let pad = " ".repeat(num.len());
        let chars: Vec<char> = line.chars().collect();
        let start = (diag.span.col as usize).saturating_sub(1).min(chars.len());
        let end = (start + diag.span.len.max(1) as usize).min(chars.len()).max(start);
        let before: String = chars[..start].iter().collect();
        let marked: String = chars[start..end].iter().collect();
        let shown_line = line.replace('\t', " ");
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{num} | {shown_line}");
        let offset = before.replace('\t', " ").width();
        let carets = marked.width().max(1);
        let _ = writeln!(out, "{pad} | {}{}", " ".repeat(offset), "^".repeat(carets));
    }
    if let Some(path) = &diag.path {
        match &diag.label {
            Some(label) => {
                let _ = writeln!(out, "  = 位置 (at): {path} — {label}");
            }
            None => {
                let _ = writeln!(out, "  = 位置 (at): {path}");
            }
        }
    } else if let Some(label) = &diag.label {
        let _ = writeln!(out, "  = 项目 (item): {label}");
    }
    for hint in &diag.hints {
        let _ = writeln!(out, "  = 提示 (hint): {hint}");
    }
    out
}

/// One line per diagnostic: `file:line:col: error[E-R3]: 中文 (english) [path — label]`.
pub fn render_short(diag: &Diagnostic, file: &SourceFile) -> String {
    let mut out = format!(
        "{}: {}[{}]: {} ({})",
        location(diag, file),
        severity_word(diag.severity),
        diag.code.as_str(),
        diag.message_zh,
        diag.message_en
    );
    match (&diag.path, &diag.label) {
        (Some(p), Some(l)) => {
            let _ = write!(out, " [{p} — {l}]");
        }
        (Some(p), None) => {
            let _ = write!(out, " [{p}]");
        }
        (None, Some(l)) => {
            let _ = write!(out, " [{l}]");
        }
        (None, None) => {}
    }
    out
}

/// A JSON object for one diagnostic, with the file, line and column spelled out.
pub fn render_json(diag: &Diagnostic, file: &SourceFile) -> serde_json::Value {
    let mut value = serde_json::to_value(diag).unwrap_or(serde_json::Value::Null);
    if let Some(obj) = value.as_object_mut() {
        obj.insert("file".into(), file.path().display().to_string().into());
        if diag.span.is_located() {
            obj.insert("line".into(), diag.span.line.into());
            obj.insert("column".into(), diag.span.col.into());
        }
    }
    value
}
