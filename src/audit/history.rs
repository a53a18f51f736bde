//! Year ↔ year: this year's report against last year's. 上年结转 must equal last
//! year's 结转下年度继续办理 in every applicant column; 现行有效件数 must equal last
//! year's + 本年制发 − 本年废止 (规章 and 行政规范性文件). A count that triples or
//! drops to a third is a note for the reviewer, not a warning.

use super::codes::{AuditCode, Msg};
use super::{Unit, finding};
use crate::diag::Diagnostic;
use crate::model::Report;
use crate::source::Span;

/// The span of a cell of this year's report, or of its record, or of the section.
fn cell_span(report: &Report, table: &str, record: &str, field: usize) -> Span {
    let Some(t) = report.table(table) else {
        return Span::detached();
    };
    let Some(r) = t.record(record) else {
        return Span::detached();
    };
    match r.values.get(field) {
        Some(n) if n.span.is_located() => n.span,
        _ if field >= r.values.len() && r.given_total.is_some_and(|t| t.span.is_located()) => {
            r.given_total.map(|t| t.span).unwrap_or_default()
        }
        _ if r.span.is_located() => r.span,
        _ => report.section(table).map(|s| s.span).unwrap_or_default(),
    }
}

/// Compares this year's report with last year's.
pub fn check(this: &Unit, last: &Unit) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let (year, last_year) = (this.report.year.0, last.report.year.0);
    if last_year != year - 1 {
        out.push(
            finding(
                AuditCode::PreviousYear,
                this.report.year.1,
                &Msg::PreviousYear { this: year, last: last_year },
            )
            .with_path("year"),
        );
        // Comparing with a report of another year would only produce noise.
        return out;
    }
    let (now, then) = (this.cells(), last.cells());
    for col in 0..6 {
        let column = now.app_column(col);
        let (over, forward) = (now.app("carried_over", col), then.app("carried_forward", col));
        let (a, b) = (over.value, forward.value);
        if a != b {
            let span = cell_span(this.report, "applications", "carried_over", col);
            out.push(
                finding(
                    AuditCode::CarriedOver,
                    span,
                    &Msg::CarriedOver { column, this: a, last: b },
                )
                .with_path("applications.carried_over")
                .with_label(over.label)
                .with_hint(format!(
                    "上年报告“{}”为 {b} (last year's report carried forward {b})",
                    forward.label
                )),
            );
        }
    }
    let proactive = this.format.table("proactive");
    for key in ["regulations", "normative_documents"] {
        let Some(label) = proactive.and_then(|t| Some(t.row_label(t.record_index(key)?))) else {
            continue;
        };
        let issued = now.proactive(key, 0).value;
        let repealed = now.proactive(key, 1).value;
        let in_force = now.proactive(key, 2).value;
        let before = then.proactive(key, 2).value;
        let expected = i128::from(before) + i128::from(issued) - i128::from(repealed);
        if i128::from(in_force) != expected {
            out.push(
                finding(
                    AuditCode::InForce,
                    cell_span(this.report, "proactive", key, 2),
                    &Msg::InForce {
                        label,
                        this: in_force,
                        last: before,
                        issued,
                        repealed,
                        expected,
                    },
                )
                .with_path(format!("proactive.{key}.in_force"))
                .with_label(now.proactive(key, 2).label),
            );
        }
    }
    // Sharp jumps: the counts a reader compares year on year.
    let mut pairs = Vec::new();
    for key in ["received", "total", "disclosed", "partly_disclosed"] {
        pairs.push((now.app(key, 6), then.app(key, 6), "applications", key, 6));
    }
    for (key, field) in
        [("normative_documents", 0), ("licensing", 0), ("punishment", 0), ("coercion", 0)]
    {
        pairs.push((
            now.proactive(key, field),
            then.proactive(key, field),
            "proactive",
            key,
            field,
        ));
    }
    for key in ["review", "lawsuit_direct", "lawsuit_after_review"] {
        pairs.push((now.review(key, 4), then.review(key, 4), "reviews_lawsuits", key, 4));
    }
    for (a, b, table, key, field) in pairs {
        if sharp(b.value, a.value) {
            out.push(
                finding(
                    AuditCode::SharpJump,
                    cell_span(this.report, table, key, field),
                    &Msg::Jump {
                        label: &a.label,
                        this: &a.value.to_string(),
                        last: &b.value.to_string(),
                    },
                )
                .with_path(format!("{table}.{key}"))
                .with_label(a.label.clone()),
            );
        }
    }
    out
}

/// A change to three times or to a third, where the larger count is at least 10.
pub fn sharp(last: u64, this: u64) -> bool {
    let (lo, hi) = (last.min(this), last.max(this));
    hi >= 10 && hi >= lo.saturating_mul(3)
}

#[cfg(test)]
mod tests {
    use super::sharp;

    #[test]
    fn sharp_jumps() {
        assert!(sharp(3, 30));
        assert!(sharp(0, 10));
        assert!(sharp(90, 30));
        assert!(!sharp(0, 9));
        assert!(!sharp(20, 50));
        assert!(!sharp(7, 8));
    }
}
