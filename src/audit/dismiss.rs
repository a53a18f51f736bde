//! Findings a reviewer has settled: the report's optional top-level `dismissed:`
//! list. A dismissed finding stops warning (it becomes a note) and carries the
//! reviewer's reason, so the audit sheet shows why it was accepted.
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
//! The list is read with the report ([`crate::model::Report::dismissed`], its problems W-Z2
//! among the schema's); here it settles the findings.

use super::codes::{AuditCode, Msg};
use super::finding;
use crate::diag::{Diagnostic, Severity};
pub use crate::model::Dismissal;

/// Settles the report's dismissed findings: each matching warning becomes a note
/// with the reason as a hint; an entry that matches nothing is a note itself.
pub fn apply(list: &[Dismissal], diags: &mut Vec<Diagnostic>) {
    let mut problems = Vec::new();
    for entry in list {
        let mut used = false;
        for d in diags.iter_mut() {
            if d.severity != Severity::Error && entry.matches(d) {
                d.severity = Severity::Note;
                d.hints.push(format!("已复核 (dismissed): {}", entry.reason));
                used = true;
            }
        }
        if !used {
            problems.push(
                finding(AuditCode::DismissalUnused, entry.span, &Msg::Unused { code: &entry.code })
                    .with_path("dismissed"),
            );
        }
    }
    diags.extend(problems);
}

/// Whether a diagnostic was dismissed by a reviewer (and its reason).
pub fn reason(d: &Diagnostic) -> Option<&str> {
    d.hints.iter().find_map(|h| h.strip_prefix("已复核 (dismissed): "))
}
