//! Renders diagnostics for people (with the source line and a caret), for logs
//! (one line each) and for tools (JSON).

use super::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceKind, SourceLookup};
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The source a diagnostic points into (the first one given when its own is unknown, so a
/// detached problem still names the report).
fn source_of<'a>(diag: &Diagnostic, sources: &'a dyn SourceLookup) -> Option<&'a SourceFile> {
    sources.source(diag.span.source).or_else(|| sources.source(crate::source::SourceId::REPORT))
}

fn location(diag: &Diagnostic, file: Option<&SourceFile>) -> String {
    match file {
        Some(f) if f.id() == diag.span.source => f.describe(diag.span),
        Some(f) => f.describe(crate::source::Span::detached()),
        None => String::from("?"),
    }
}

/// The full human form: header, location, the source line with a caret under the
/// offending text (display width aware), key path, label and hints.
pub fn render_human(diag: &Diagnostic, sources: &dyn SourceLookup) -> String {
    let mut out = String::new();
    let file = source_of(diag, sources);
    let sev = severity_word(diag.severity);
    let _ = writeln!(out, "{sev}[{}]: {}", diag.code.as_str(), diag.message_zh);
    let _ = writeln!(out, "  ({})", diag.message_en);
    let _ = writeln!(out, "  --> {}", location(diag, file));
    if diag.span.is_located()
        && let Some(line) =
            file.filter(|f| f.id() == diag.span.source).and_then(|f| f.line_text(diag.span.line))
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
pub fn render_short(diag: &Diagnostic, sources: &dyn SourceLookup) -> String {
    let mut out = format!(
        "{}: {}[{}]: {} ({})",
        location(diag, source_of(diag, sources)),
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
pub fn render_json(diag: &Diagnostic, sources: &dyn SourceLookup) -> serde_json::Value {
    let mut value = serde_json::to_value(diag).unwrap_or(serde_json::Value::Null);
    let file = source_of(diag, sources);
    if let Some(obj) = value.as_object_mut() {
        let path = file.map(|f| f.path().display().to_string()).unwrap_or_default();
        obj.insert("file".into(), path.into());
        if let Some(f) = file.filter(|f| f.id() == diag.span.source)
            && let SourceKind::Document { labels } = f.kind()
            && let Some(label) = labels.get(diag.span.line.saturating_sub(1) as usize)
        {
            obj.insert("place".into(), label.clone().into());
        }
        if diag.span.is_located() {
            obj.insert("line".into(), diag.span.line.into());
            obj.insert("column".into(), diag.span.col.into());
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceKind, SourceSet, Span};

    #[test]
    fn a_span_renders_in_the_source_it_points_into() {
        let mut sources = SourceSet::default();
        sources.add(SourceFile::new("unit.yaml", "unit: 某局\nyear: 2024\n".into()));
        let labels = vec!["表三 表头".into(), "表三 第2行（本年新收）".into()];
        let doc = SourceFile::new("last-year.html", "申请情况\n一、本年新收 | 7 | 0\n".into())
            .with_kind(SourceKind::Document { labels });
        let id = sources.add(doc);
        let d = crate::diag!(BadYear, Span::new(2, 10, 1).in_source(id), text = "7");
        let human = render_human(&d, &sources);
        assert!(human.contains("--> last-year.html:2:10（表三 第2行（本年新收））"), "{human}");
        assert!(human.contains("2 | 一、本年新收 | 7 | 0"), "{human}");
        let json = render_json(&d, &sources);
        assert_eq!(json["file"], "last-year.html");
        assert_eq!(json["place"], "表三 第2行（本年新收）");
        // A report's own span still renders against the report.
        let own = crate::diag!(BadYear, Span::new(2, 7, 4), text = "2024");
        assert!(render_short(&own, &sources).starts_with("unit.yaml:2:7: error[E-V1]"));
    }
}
