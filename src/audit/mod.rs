//! Audit: checks a loaded report the way its evaluators do, beyond the table
//! arithmetic of `validate` — prose against tables, year against year, 雷同
//! (text repeated from last year or from other units), completeness and dates —
//! and settles reviewed findings (`dismissed:`).
//!
//! Every finding is a [`Diagnostic`] with a stable [`AuditCode`] (`W-A1` …), so
//! `check --format json` and the audit sheet carry them like any other problem.

mod cells;
mod codes;
pub mod completeness;
pub mod dismiss;
pub mod figures;
pub mod history;
pub mod prose;
pub mod sheet;
pub mod similarity;

pub use cells::{Cells, Quantity};
pub use codes::{AuditCode, Msg, text};

use crate::Loaded;
use crate::diag::{Code, Diagnostic};
use crate::model::{ProseItem, Report, Text};
use crate::source::{SourceFile, Span};
use crate::template::Format;
use crate::validate::Checked;

/// Settings of the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditOptions {
    /// Share of repeated text (percent) above which 雷同 warns.
    pub threshold: u32,
    /// Filing deadline in the year after the report year: (month, day). The 条例
    /// sets 1月31日; some provinces set another date.
    pub deadline: (u32, u32),
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions { threshold: 50, deadline: (1, 31) }
    }
}

/// A report that loaded without errors, with everything the audit reads.
#[derive(Debug, Clone, Copy)]
pub struct Unit<'a> {
    /// The source file (for spans and `dismissed:`).
    pub file: &'a SourceFile,
    /// The report.
    pub report: &'a Report,
    /// Its computed tables.
    pub checked: &'a Checked,
    /// Its format.
    pub format: &'a Format,
}

impl<'a> Unit<'a> {
    /// The unit of a loaded report, when it loaded without errors.
    pub fn from_loaded(loaded: &'a Loaded) -> Option<Unit<'a>> {
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

    /// Read access to the computed tables.
    pub fn cells(&self) -> Cells<'a> {
        Cells::new(self.format, self.checked)
    }
}

/// One paragraph of prose with where it belongs.
#[derive(Debug, Clone)]
pub struct ProseText<'a> {
    /// Top-level key (`overview`, `applications` for a table's intro/notes).
    pub section: &'a str,
    /// The headings of the subsections it sits in, joined.
    pub heading: String,
    /// The paragraph.
    pub text: &'a Text,
}

/// Every paragraph of the report in reading order (headings not included).
pub fn prose_texts(report: &Report) -> Vec<ProseText<'_>> {
    fn walk<'a>(
        section: &'a str,
        heading: &str,
        items: &'a [ProseItem],
        out: &mut Vec<ProseText<'a>>,
    ) {
        for item in items {
            match item {
                ProseItem::Paragraph(t) => {
                    out.push(ProseText { section, heading: heading.to_string(), text: t });
                }
                ProseItem::Subsection(s) => {
                    let h = format!("{heading}{}", s.heading.text);
                    for t in &s.text {
                        out.push(ProseText { section, heading: h.clone(), text: t });
                    }
                    walk(section, &h, &s.items, out);
                }
                ProseItem::Figure(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    walk("preamble", "", &report.preamble, &mut out);
    for s in &report.sections {
        walk(&s.key, "", &s.prose, &mut out);
        walk(&s.key, "", &s.notes, &mut out);
    }
    out
}

/// Every subsection heading of the report with its top-level key.
pub fn headings(report: &Report) -> Vec<(&str, &Text)> {
    fn walk<'a>(section: &'a str, items: &'a [ProseItem], out: &mut Vec<(&'a str, &'a Text)>) {
        for item in items {
            if let ProseItem::Subsection(s) = item {
                out.push((section, &s.heading));
                walk(section, &s.items, out);
            }
        }
    }
    let mut out = Vec::new();
    walk("preamble", &report.preamble, &mut out);
    for s in &report.sections {
        walk(&s.key, &s.prose, &mut out);
        walk(&s.key, &s.notes, &mut out);
    }
    out
}

/// The span of characters `start..start + len` of a paragraph, checked against the
/// source line (a quoted scalar starts one column after its quote); where the text
/// does not lie on one source line as written (a folded scalar), the paragraph's span.
pub fn located(file: Option<&SourceFile>, text: &Text, start: usize, len: usize) -> Span {
    let span = text.span;
    if !span.is_located() {
        return span;
    }
    let want: Vec<char> = text.text.chars().skip(start).take(len).collect();
    let Some(file) = file else {
        return Span::new(span.line, span.col + start as u32, len as u32);
    };
    let Some(line) = file.line_text(span.line) else {
        return span;
    };
    let chars: Vec<char> = line.chars().collect();
    for shift in [0usize, 1] {
        let from = span.col as usize - 1 + shift + start;
        if chars.get(from..from + len) == Some(&want[..]) {
            return Span::new(span.line, (from + 1) as u32, len as u32);
        }
    }
    span
}

/// The check families of the audit sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// 勾稽: the table rules and every schema problem.
    Rules,
    /// Prose ↔ table.
    Prose,
    /// Year ↔ year.
    History,
    /// 雷同.
    Similarity,
    /// Completeness (sections, §五, §六, placeholders, empty sections).
    Completeness,
    /// Dates (statistics period, date of issue).
    Dates,
}

impl Family {
    /// Every family in sheet order.
    pub const ALL: [Family; 6] = [
        Family::Rules,
        Family::Prose,
        Family::History,
        Family::Similarity,
        Family::Completeness,
        Family::Dates,
    ];

    /// The column heading (Chinese / English).
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Family::Rules => ("勾稽关系", "table rules"),
            Family::Prose => ("正文与表格", "prose ↔ table"),
            Family::History => ("与上年衔接", "year ↔ year"),
            Family::Similarity => ("雷同", "repeated text"),
            Family::Completeness => ("完整性", "completeness"),
            Family::Dates => ("日期", "dates"),
        }
    }

    /// The family a diagnostic belongs to.
    pub fn of(code: Code) -> Family {
        use AuditCode as A;
        match code {
            Code::Audit(A::ProseFigure | A::ProseClaim | A::ProsePercent) => Family::Prose,
            Code::Audit(A::CarriedOver | A::InForce | A::PreviousYear | A::SharpJump) => {
                Family::History
            }
            Code::Audit(A::RepeatsPrevious | A::RepeatsPeer | A::SectionRepeats) => {
                Family::Similarity
            }
            Code::Audit(A::PeriodDays | A::LateDate | A::NoDate) => Family::Dates,
            Code::PeriodMismatch | Code::EarlyDate => Family::Dates,
            Code::Audit(_) | Code::Placeholder | Code::EmptySection | Code::HalfWidthPunct => {
                Family::Completeness
            }
            _ => Family::Rules,
        }
    }
}

/// Builds a finding with its wording from the message table.
pub(crate) fn finding(code: AuditCode, span: Span, msg: &Msg) -> Diagnostic {
    let (zh, en) = text(msg);
    Diagnostic::with_text(Code::Audit(code), span, zh, en)
}

/// The audit of one unit on its own and, given last year's report, against it:
/// prose ↔ table, completeness, dates, year ↔ year and 雷同 with last year.
pub fn audit_unit(unit: &Unit, previous: Option<&Unit>, opts: &AuditOptions) -> Vec<Diagnostic> {
    let texts = prose_texts(unit.report);
    let mut out = prose::check(&texts, unit.cells(), Some(unit.file));
    out.extend(completeness::check(unit, opts));
    if let Some(last) = previous {
        out.extend(history::check(unit, last));
        out.extend(similarity::against_previous(unit, last, opts));
    }
    out
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
        let units: Vec<Option<Unit>> = loaded.iter().map(Unit::from_loaded).collect();
        let mut found: Vec<Vec<Diagnostic>> = units
            .par_iter()
            .enumerate()
            .map(|(i, unit)| {
                let Some(unit) = unit else {
                    return Vec::new();
                };
                let last = previous.get(i).copied().flatten().and_then(Unit::from_loaded);
                audit_unit(unit, last.as_ref(), opts)
            })
            .collect();
        let ok: Vec<(usize, Unit)> =
            units.iter().enumerate().filter_map(|(i, u)| u.map(|u| (i, u))).collect();
        if ok.len() > 1 {
            let peers: Vec<Unit> = ok.iter().map(|(_, u)| *u).collect();
            for ((i, _), more) in ok.iter().zip(similarity::across_units(&peers, opts)) {
                found[*i].extend(more);
            }
        }
        found
    };
    for (l, more) in loaded.iter_mut().zip(found) {
        if l.report.is_none() {
            continue;
        }
        l.diags.extend(more);
        dismiss::apply(&l.file, &mut l.diags);
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

/// The previous report `check --previous` compares a file with: the one given when
/// a single file is checked, otherwise only for the file of the same unit.
pub fn previous_for<'a>(
    loaded: &Loaded,
    previous: Option<&'a Loaded>,
    single: bool,
) -> Option<&'a Loaded> {
    let prev = previous?;
    if single {
        return Some(prev);
    }
    let unit = |l: &Loaded| l.report.as_ref().map(|r| r.unit.text.clone());
    (unit(loaded).is_some() && unit(loaded) == unit(prev)).then_some(prev)
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
