//! The audit over checked reports: what [`super::Engine::check`] runs on one report, and what
//! a front end runs on several together (雷同 across units: `nianbao audit`, the office's
//! audit). The evaluators' checks themselves are in `crate::audit`, which reads a report and
//! its computed tables ([`Unit`]) and knows nothing of the engine.

use super::Loaded;
use crate::audit::{AuditOptions, Family, Unit};
use crate::diag::Diagnostic;

impl Loaded {
    /// The report as the audit reads it, when it loaded without errors.
    pub fn unit(&self) -> Option<Unit<'_>> {
        let loaded = self;
        if !loaded.is_ok() {
            return None;
        }
        let report = loaded.report.as_ref()?;
        Some(Unit {
            file: &loaded.file,
            report,
            checked: loaded.checked.as_ref()?,
            format: loaded.format.as_deref().filter(|f| f.edition == report.format)?,
        })
    }
}

/// Runs the audit on a loaded report (when it loaded without errors), adds the
/// findings to its diagnostics, settles `dismissed:` entries and sorts by position.
pub fn audit_loaded(loaded: &mut Loaded, previous: Option<&Loaded>, opts: &AuditOptions) {
    audit_batch(std::slice::from_mut(loaded), &[previous], opts);
}

/// Runs the audit on every report of a batch: each on its own and against its
/// previous report (`previous[i]`, if any), and, with more than one report, 雷同
/// across the batch. Findings are added to each report's diagnostics, then
/// `dismissed:` entries are settled and the diagnostics sorted by position.
pub fn audit_batch(loaded: &mut [Loaded], previous: &[Option<&Loaded>], opts: &AuditOptions) {
    use rayon::prelude::*;
    let found: Vec<Vec<Diagnostic>> = {
        let units: Vec<Option<Unit>> = loaded.iter().map(Loaded::unit).collect();
        let mut found: Vec<Vec<Diagnostic>> = units
            .par_iter()
            .enumerate()
            .map(|(i, unit)| {
                let Some(unit) = unit else {
                    return Vec::new();
                };
                let last = previous.get(i).copied().flatten().and_then(Loaded::unit);
                crate::audit::audit_unit(unit, last.as_ref(), opts)
            })
            .collect();
        let ok: Vec<(usize, Unit)> =
            units.iter().enumerate().filter_map(|(i, u)| u.map(|u| (i, u))).collect();
        if ok.len() > 1 {
            let peers: Vec<Unit> = ok.iter().map(|(_, u)| *u).collect();
            for ((i, _), more) in
                ok.iter().zip(crate::audit::similarity::across_units(&peers, opts))
            {
                found[*i].extend(more);
            }
        }
        found
    };
    for (l, more) in loaded.iter_mut().zip(found) {
        let Some(report) = &l.report else { continue };
        l.diags.extend(more);
        crate::audit::dismiss::apply(&report.dismissed, &mut l.diags);
        l.diags.sort_by_key(|d| (d.span.line == 0, d.span.line, d.span.col));
    }
}

/// Loads last year's report for `--previous`; a report with errors cannot serve.
pub fn load_previous(path: &std::path::Path) -> Result<Loaded, String> {
    let l = crate::load_and_check(path);
    if l.is_ok() {
        Ok(l)
    } else {
        let n = l.diags.iter().filter(|d| d.is_error()).count();
        Err(format!(
            "上年报告 {} 有 {n} 个错误，无法用于比较（先用 nianbao check 改正） (the previous report has {n} errors; fix it first)",
            path.display()
        ))
    }
}

/// Matches each report to last year's report of the same unit (by `unit` name).
pub fn match_by_unit<'a>(this: &[Loaded], last: &'a [Loaded]) -> Vec<Option<&'a Loaded>> {
    let mut by_name: std::collections::HashMap<&str, &Loaded> = std::collections::HashMap::new();
    for l in last {
        if let Some(r) = &l.report {
            by_name.entry(r.unit.text.as_str()).or_insert(l);
        }
    }
    this.iter()
        .map(|l| l.report.as_ref().and_then(|r| by_name.get(r.unit.text.as_str()).copied()))
        .collect()
}

/// The families that were checked for a report (for the audit sheet).
pub fn families_run(loaded: &Loaded, has_previous: bool, batch: bool) -> Vec<Family> {
    if !loaded.is_ok() {
        return vec![Family::Rules];
    }
    let mut run = vec![Family::Rules, Family::Prose, Family::Completeness, Family::Dates];
    if has_previous {
        run.push(Family::History);
    }
    if has_previous || batch {
        run.push(Family::Similarity);
    }
    run
}
