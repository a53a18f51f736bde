//! The audit over checked reports: what [`super::Engine::check`] runs on one report, and what
//! a front end runs on several together (雷同 across units: `nianbao audit`, the office's
//! audit). The evaluators' checks themselves are in `crate::audit`, which reads a report and
//! its computed tables ([`Unit`]) and knows nothing of the engine.

use super::Loaded;
use crate::audit::similarity::{self, Doc, Sketch};
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

/// One report of a streamed audit ([`audit_streamed`]): what is kept of it once its text is
/// let go, with the front end's own `extra` (the published file it was imported from, …).
#[derive(Debug)]
pub struct Audited<T> {
    /// Its diagnostics: the check's and every finding, `dismissed:` settled, sorted by position.
    pub diags: Vec<Diagnostic>,
    /// Whether it loaded without errors (the audit's families ran on it).
    pub ok: bool,
    /// The unit's name, when the report could be read.
    pub unit: Option<String>,
    /// Whether last year's report was given for it.
    pub has_previous: bool,
    /// What the loader returned beside the report.
    pub extra: T,
}

/// Which a loader of [`audit_streamed`] is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// The report checked as the audit needs it (first pass, once per report).
    Audit,
    /// The report again, for its prose only: the schema and rules are enough (a unit
    /// compared with another it may repeat).
    Prose,
}

/// The audit of many reports held one at a time: what [`audit_batch`] finds, with memory
/// that does not grow with the texts. `load(i, pass)` reads report `i` (of `count`);
/// `previous` gives last year's report of a loaded one. Each report is loaded, audited on
/// its own and against last year's, and reduced to its findings and a
/// [`similarity::Sketch`]; then only the units the sketches pair as candidates for 雷同
/// are read again (their prose, [`Reading::Prose`]) and compared exactly.
pub fn audit_streamed<'p, T, L, P>(
    count: usize,
    load: L,
    previous: P,
    opts: &AuditOptions,
) -> Vec<Audited<T>>
where
    T: Send,
    L: Fn(usize, Reading) -> (Loaded, T) + Sync,
    P: Fn(&Loaded) -> Option<&'p Loaded> + Sync,
{
    use rayon::prelude::*;
    let batch = count > 1;
    let first: Vec<(Audited<T>, Vec<crate::model::Dismissal>, Option<Sketch>)> = (0..count)
        .into_par_iter()
        .map(|i| {
            let (mut loaded, extra) = load(i, Reading::Audit);
            let last = previous(&loaded);
            let last_unit = last.and_then(Loaded::unit);
            let (found, sketch) = match loaded.unit() {
                Some(unit) => (
                    crate::audit::audit_unit(&unit, last_unit.as_ref(), opts),
                    batch.then(|| Sketch::new(&Doc::new(&unit))),
                ),
                None => (Vec::new(), None),
            };
            loaded.diags.extend(found);
            let dismissed = loaded.report.as_ref().map(|r| r.dismissed.clone()).unwrap_or_default();
            let audited = Audited {
                ok: loaded.is_ok(),
                unit: loaded.report.as_ref().map(|r| r.unit.text.clone()),
                has_previous: last.is_some(),
                diags: std::mem::take(&mut loaded.diags),
                extra,
            };
            (audited, dismissed, sketch)
        })
        .collect();
    // 雷同 across the units: candidates from the sketches, each compared on its text.
    let sketches: Vec<Sketch> = first.iter().map(|f| f.2.clone().unwrap_or_default()).collect();
    let pairs = similarity::candidates(&sketches, opts.threshold);
    drop(sketches);
    let prose = |i: usize| load(i, Reading::Prose).0;
    let peers: Vec<Option<Diagnostic>> = pairs
        .par_iter()
        .enumerate()
        .map(|(i, found)| {
            if found.is_empty() {
                return None;
            }
            let this = prose(i);
            let unit = this.unit()?;
            let doc = Doc::new(&unit);
            // The unit it repeats most, kept loaded for the passages.
            let mut best: Option<(u32, Loaded)> = None;
            for &b in found {
                let other = prose(b as usize);
                let Some(u) = other.unit() else { continue };
                let p = similarity::share(&doc, &Doc::new(&u));
                if best.as_ref().is_none_or(|(q, _)| p > *q) {
                    best = Some((p, other));
                }
            }
            let (p, other) = best.filter(|(p, _)| *p >= opts.threshold)?;
            let other_unit = other.unit()?;
            let other_doc = Doc::new(&other_unit);
            Some(similarity::peer_finding((&unit, &doc), (&other_unit, &other_doc), p, opts))
        })
        .collect();
    first
        .into_iter()
        .zip(peers)
        .map(|((mut audited, dismissed, _), peer)| {
            audited.diags.extend(peer);
            if audited.unit.is_some() {
                crate::audit::dismiss::apply(&dismissed, &mut audited.diags);
                audited.diags.sort_by_key(|d| (d.span.line == 0, d.span.line, d.span.col));
            }
            audited
        })
        .collect()
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

/// Last year's reports by unit name (the first of a name wins).
pub fn by_unit_name(last: &[Loaded]) -> std::collections::HashMap<&str, &Loaded> {
    let mut by_name: std::collections::HashMap<&str, &Loaded> = std::collections::HashMap::new();
    for l in last {
        if let Some(r) = &l.report {
            by_name.entry(r.unit.text.as_str()).or_insert(l);
        }
    }
    by_name
}

/// Matches each report to last year's report of the same unit (by `unit` name).
pub fn match_by_unit<'a>(this: &[Loaded], last: &'a [Loaded]) -> Vec<Option<&'a Loaded>> {
    let by_name = by_unit_name(last);
    this.iter()
        .map(|l| l.report.as_ref().and_then(|r| by_name.get(r.unit.text.as_str()).copied()))
        .collect()
}

/// The families that were checked for a report (for the audit sheet).
pub fn families_run(loaded: &Loaded, has_previous: bool, batch: bool) -> Vec<Family> {
    families(loaded.is_ok(), has_previous, batch)
}

/// The families checked for a report that loaded without errors (`ok`) or not.
pub fn families(ok: bool, has_previous: bool, batch: bool) -> Vec<Family> {
    if !ok {
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
