//! `nianbao audit`: every check an evaluator makes, for one report or a folder of
//! units, written as an audit sheet (HTML or CSV): one row per unit and check
//! family with pass / warn / fail and the findings. Also the audit flags `check`
//! shares (`--previous`, `--threshold`, `--deadline`).

use clap::Args;
use nianbao::audit::AuditOptions;
use nianbao::audit::sheet::{to_csv, to_html, unit_rows};
use nianbao::diag::{Severity, has_errors};
use nianbao::engine::{Reading, audit_streamed, by_unit_name, families, load_previous};
use nianbao::import::{FormatChoice, Published, is_published, published_in};
use std::path::{Path, PathBuf};

/// The audit settings `check` and `audit` share.
#[derive(Debug, Clone, Args)]
pub struct AuditFlags {
    /// 雷同提示的阈值（百分比）。Share of prose repeated from last year or other units (percent) above which
    /// 雷同 warns.
    #[arg(long, value_name = "PERCENT", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub threshold: u32,
    /// 报送截止日期。Filing deadline in the year after the report year, MM-DD (the 条例: 01-31).
    #[arg(long, value_name = "MM-DD", default_value = "01-31", value_parser = parse_deadline)]
    pub deadline: (u32, u32),
}

impl AuditFlags {
    /// The library's options.
    pub fn options(&self) -> AuditOptions {
        AuditOptions { threshold: self.threshold, deadline: self.deadline }
    }
}

fn parse_deadline(s: &str) -> Result<(u32, u32), String> {
    let (m, d) = s.split_once('-').ok_or("expected MM-DD, e.g. 01-31")?;
    let (m, d): (u32, u32) =
        (m.parse().map_err(|_| "bad month")?, d.parse().map_err(|_| "bad day")?);
    let days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d == 0 || d > days[m as usize - 1] {
        return Err(format!("no such date: {s}"));
    }
    Ok((m, d))
}

/// Arguments of `nianbao audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// 报告文件或文件夹。Report files or folders of them: YAML, or published reports (`.html`, `.txt`,
    /// `.docx`, `.pdf`, imported on the fly; findings then name their place in the
    /// published file).
    #[arg(required = true, value_name = "FILE|DIR")]
    pub inputs: Vec<PathBuf>,
    /// 去年的报告或其文件夹。Last year's report (one input) or a folder of last year's reports, matched to
    /// this year's by unit name.
    #[arg(long, value_name = "FILE|DIR")]
    pub previous: Option<PathBuf>,
    /// 审核表文件。The audit sheet to write: `.html` or `.csv`.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    /// 覆盖已有文件。Overwrite an existing sheet.
    #[arg(long)]
    pub force: bool,
    /// Audit settings.
    #[command(flatten)]
    pub flags: AuditFlags,
}

/// The reports to audit: YAML files and published reports (`.html`, `.txt`, `.docx`,
/// `.pdf`), named in input order, YAML first.
fn inputs_of(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut published: Vec<PathBuf> = Vec::new();
    for p in paths.iter().filter(|p| p.is_dir()) {
        published.extend(published_in(p).map_err(|e| format!("{}: {e}", p.display()))?);
    }
    let inputs = nianbao::batch::discover(paths, None)?.inputs;
    let (files, yaml): (Vec<_>, Vec<_>) = inputs.into_iter().partition(|i| is_published(&i.path));
    published.extend(files.into_iter().map(|i| i.path));
    Ok(yaml.into_iter().map(|i| i.path).chain(published).collect())
}

/// Reads and checks one report: a YAML file, or a published report imported in memory
/// (with the import kept, to name each finding's place in the published file). For
/// `Reading::Prose` the check is the schema and rules alone.
fn load_one(
    engine: &nianbao::Engine,
    path: &Path,
    reading: Reading,
) -> Result<(nianbao::Loaded, Option<Published>), String> {
    // Audited by the caller (雷同 across units too), so the check leaves the audit out.
    let options = match reading {
        Reading::Audit => nianbao::CheckOptions { audit: None, ..Default::default() },
        Reading::Prose => nianbao::CheckOptions::rules_only(),
    };
    if !is_published(path) {
        return Ok((super::check_file(engine, path, &options), None));
    }
    let p = Published::read(path, FormatChoice::Auto, super::import::import_format())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes = Some(p.yaml.clone().into_bytes());
    let mut checked = super::check_bytes(engine, &p.yaml_name(), bytes, &options);
    // What the import could not read is a finding of the report: a table it could not
    // read fails the unit (never a pass on numbers it did not see).
    checked.diags.extend(
        p.imported
            .diags
            .iter()
            .filter(|d| super::import::unread_cell(d.diag.code.as_str()))
            .map(|d| d.diag.clone()),
    );
    Ok((checked, Some(p)))
}

/// Every report of `paths`, checked (last year's reports for `--previous DIR`).
fn load_all(paths: &[PathBuf]) -> Result<Vec<nianbao::Loaded>, String> {
    use rayon::prelude::*;
    let engine = super::check_engine()?;
    inputs_of(paths)?
        .par_iter()
        .map(|p| load_one(&engine, p, Reading::Audit).map(|l| l.0))
        .collect()
}

/// Runs the audit; returns the exit code (0 no errors, 1 a report has errors, 2
/// usage or I/O).
pub fn run(args: &AuditArgs) -> u8 {
    let ext = args.output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let html = match ext.as_deref() {
        Some("html" | "htm") => true,
        Some("csv") => false,
        _ => {
            eprintln!("错误：-o 须以 .html 或 .csv 结尾 (the audit sheet is .html or .csv)");
            return 2;
        }
    };
    let inputs = match inputs_of(&args.inputs) {
        Ok(i) if !i.is_empty() => i,
        Ok(_) => {
            eprintln!("错误：没有找到报告文件 (no report files found)");
            return 2;
        }
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    let last: Vec<nianbao::Loaded> = match &args.previous {
        None => Vec::new(),
        Some(p) if p.is_file() => match load_previous(p) {
            Ok(l) => vec![l],
            Err(e) => {
                eprintln!("错误：{e}");
                return 2;
            }
        },
        Some(p) => match load_all(std::slice::from_ref(p)) {
            Ok(l) => l.into_iter().filter(nianbao::Loaded::is_ok).collect(),
            Err(e) => {
                eprintln!("错误：{e}");
                return 2;
            }
        },
    };
    // One file given as last year's for one report is its previous report whatever the
    // unit's name; otherwise last year's are matched by unit name.
    let one_to_one = args.previous.as_deref().is_some_and(Path::is_file) && inputs.len() == 1;
    let by_unit = by_unit_name(&last);
    let previous = |l: &nianbao::Loaded| {
        if one_to_one {
            return last.first();
        }
        l.report.as_ref().and_then(|r| by_unit.get(r.unit.text.as_str()).copied())
    };
    let engine = match super::check_engine() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    // A published report that cannot be imported stops the run (before any sheet is
    // written), as it did when every report was read first.
    let failed = std::sync::Mutex::new(None);
    let load = |i: usize, reading: Reading| {
        load_one(&engine, &inputs[i], reading).unwrap_or_else(|e| {
            if let Ok(mut f) = failed.lock() {
                f.get_or_insert(e);
            }
            // Never read: the run stops below.
            let file = nianbao::source::SourceFile::new(&inputs[i], String::new());
            let images = nianbao::resolve::Images::new();
            (nianbao::Loaded::new(file, None, None, images, Vec::new()), None)
        })
    };
    let opts = args.flags.options();
    let audited = audit_streamed(inputs.len(), load, previous, &opts);
    if let Some(e) = failed.into_inner().ok().flatten() {
        eprintln!("error: {e}");
        return 2;
    }
    let batch = audited.len() > 1;
    let mut rows = Vec::new();
    let (mut bad, mut warned) = (0, 0);
    for (mut a, path) in audited.into_iter().zip(&inputs) {
        let file = match &a.extra {
            Some(published) => {
                published.name_places(&mut a.diags);
                published.name.display().to_string()
            }
            None => path.display().to_string(),
        };
        let unit = a.unit.clone().unwrap_or_default();
        rows.extend(unit_rows(&file, &unit, &a.diags, &families(a.ok, a.has_previous, batch)));
        if has_errors(&a.diags) {
            bad += 1;
        } else if a.diags.iter().any(|d| d.severity == Severity::Warning) {
            warned += 1;
        }
    }
    let text = if html { to_html(&rows) } else { to_csv(&rows) };
    if let Err(e) = nianbao::io::write_atomic(&args.output, text.as_bytes(), args.force) {
        eprintln!("错误：{}: {e}", args.output.display());
        return 2;
    }
    let n = inputs.len();
    println!(
        "审核 {n} 份：{bad} 份有错误，{warned} 份有警告；审核表 {} (audited {n}: {bad} with errors, {warned} with warnings)",
        args.output.display()
    );
    u8::from(bad > 0)
}

#[cfg(test)]
mod tests {
    use super::parse_deadline;

    #[test]
    fn deadlines() {
        assert_eq!(parse_deadline("01-31"), Ok((1, 31)));
        assert_eq!(parse_deadline("3-31"), Ok((3, 31)));
        assert!(parse_deadline("02-30").is_err());
        assert!(parse_deadline("13-01").is_err());
        assert!(parse_deadline("0131").is_err());
    }
}
