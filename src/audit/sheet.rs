//! The audit sheet: one row per unit and check family with pass / warn / fail and
//! the findings, as CSV or a self-contained HTML page, for the office that reviews
//! its units' reports before publication.

use super::Family;
use super::dismiss::reason;
use crate::diag::{Diagnostic, Severity};
use std::fmt::Write;

/// The outcome of one family for one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing found (notes and dismissed findings allowed).
    Pass,
    /// Warnings.
    Warn,
    /// Errors.
    Fail,
    /// The family was not checked (no previous report, a single unit, or the
    /// report did not load).
    NotRun,
}

impl Status {
    /// The word in the sheet.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::NotRun => "n/a",
        }
    }
}

/// One finding as the sheet shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// `file:line:col`.
    pub place: String,
    /// The diagnostic code.
    pub code: String,
    /// `error`, `warning`, `note`.
    pub severity: &'static str,
    /// Chinese message.
    pub message: String,
    /// The reviewer's reason, for dismissed findings.
    pub dismissed: Option<String>,
    /// The finding's hints (near misses, repeated passages, per-section shares).
    pub hints: Vec<String>,
}

/// One row: a unit and a family.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The report file.
    pub file: String,
    /// The unit's name (empty when the file did not load).
    pub unit: String,
    /// The family.
    pub family: Family,
    /// The outcome.
    pub status: Status,
    /// The findings of that family.
    pub items: Vec<Item>,
}

/// The rows of one unit: every family, with the ones not run marked so.
pub fn unit_rows(file: &str, unit: &str, diags: &[Diagnostic], run: &[Family]) -> Vec<Row> {
    Family::ALL
        .iter()
        .map(|&family| {
            let mine: Vec<&Diagnostic> =
                diags.iter().filter(|d| Family::of(d.code) == family).collect();
            let status = if mine.iter().any(|d| d.severity == Severity::Error) {
                Status::Fail
            } else if mine.iter().any(|d| d.severity == Severity::Warning) {
                Status::Warn
            } else if run.contains(&family) {
                Status::Pass
            } else {
                Status::NotRun
            };
            let items = mine
                .iter()
                .map(|d| Item {
                    place: if d.span.is_located() {
                        format!("{file}:{}:{}", d.span.line, d.span.col)
                    } else {
                        file.to_string()
                    },
                    code: d.code.as_str().to_string(),
                    severity: match d.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Note => "note",
                    },
                    message: d.message_zh.clone(),
                    dismissed: reason(d).map(str::to_string),
                    hints: d
                        .hints
                        .iter()
                        .filter(|h| !h.starts_with("已复核 (dismissed): "))
                        .cloned()
                        .collect(),
                })
                .collect();
            Row { file: file.to_string(), unit: unit.to_string(), family, status, items }
        })
        .collect()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn item_line(i: &Item) -> String {
    let mut s = format!("{} {}[{}] {}", i.place, i.severity, i.code, i.message);
    if let Some(r) = &i.dismissed {
        let _ = write!(s, "（已复核：{r}）");
    }
    for h in &i.hints {
        let _ = write!(s, "；{h}");
    }
    s
}

/// The sheet as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese).
pub fn to_csv(rows: &[Row]) -> String {
    let mut out = String::from("\u{feff}file,unit,family,family_en,status,findings,details\n");
    for r in rows {
        let (zh, en) = r.family.name();
        let details: Vec<String> = r.items.iter().map(item_line).collect();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            csv_field(&r.file),
            csv_field(&r.unit),
            csv_field(zh),
            csv_field(en),
            r.status.as_str(),
            r.items.len(),
            csv_field(&details.join(" | "))
        );
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The sheet as one HTML page: a table of units × families, findings under each cell.
pub fn to_html(rows: &[Row]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>年报审核表 (audit sheet)</title>\n<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px;vertical-align:top}.pass{background:#dfd}.warn{background:#ffd}.fail{background:#fdd}.na{color:#888}ul{margin:0;padding-left:1.2em}small{color:#555}</style></head><body>\n<h1>政府信息公开工作年度报告审核表</h1>\n<table>\n<tr><th>文件 file</th><th>单位 unit</th>",
    );
    for f in Family::ALL {
        let (zh, en) = f.name();
        let _ = write!(out, "<th>{zh}<br><small>{en}</small></th>");
    }
    out.push_str("</tr>\n");
    for unit_rows in rows.chunk_by(|a, b| a.file == b.file) {
        let first = &unit_rows[0];
        let _ = write!(out, "<tr><td>{}</td><td>{}</td>", esc(&first.file), esc(&first.unit));
        for r in unit_rows {
            let class = match r.status {
                Status::Pass => "pass",
                Status::Warn => "warn",
                Status::Fail => "fail",
                Status::NotRun => "na",
            };
            let _ = write!(out, "<td class=\"{class}\"><b>{}</b>", r.status.as_str());
            if !r.items.is_empty() {
                out.push_str("<ul>");
                for i in &r.items {
                    let _ = write!(out, "<li>{}</li>", esc(&item_line(i)));
                }
                out.push_str("</ul>");
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n</body></html>\n");
    out
}
