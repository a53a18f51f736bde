//! `nianbao audit`: every check an evaluator makes, for one report or a folder of
//! units, written as an audit sheet (HTML or CSV): one row per unit and check
//! family with pass / warn / fail and the findings. Also the audit flags `check`
//! shares (`--previous`, `--threshold`, `--deadline`).

use clap::Args;
use nianbao::audit::AuditOptions;
use nianbao::audit::sheet::{to_csv, to_html, unit_rows};
use nianbao::diag::{Severity, has_errors};
use nianbao::engine::{audit_batch, families_run, load_previous, match_by_unit};
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

/// For a report that was published, not written as YAML: the published file, its import
/// and the YAML the import wrote (in memory).
/// The reports to audit, checked, each with the published report it was imported from, if
/// any (two lists side by side: the audit takes the checked reports as one slice).
fn load_all(paths: &[PathBuf]) -> Result<(Vec<nianbao::Loaded>, Vec<Option<Published>>), String> {
    use rayon::prelude::*;
    let mut published: Vec<PathBuf> = Vec::new();
    for p in paths.iter().filter(|p| p.is_dir()) {
        published.extend(published_in(p).map_err(|e| format!("{}: {e}", p.display()))?);
    }
    let inputs = nianbao::batch::discover(paths, None)?.inputs;
    let (files, yaml): (Vec<_>, Vec<_>) = inputs.into_iter().partition(|i| is_published(&i.path));
    published.extend(files.into_iter().map(|i| i.path));
    // Audited together below (雷同 across units), so the check leaves the audit out.
    let engine = super::check_engine()?;
    let options = nianbao::CheckOptions { audit: None, ..Default::default() };
    let mut loaded: Vec<nianbao::Loaded> =
        yaml.par_iter().map(|i| super::check_file(&engine, &i.path, &options)).collect();
    let mut sources: Vec<Option<Published>> = (0..loaded.len()).map(|_| None).collect();
    let format = super::import::import_format();
    let imported: Vec<(nianbao::Loaded, Published)> = published
        .par_iter()
        .map(|file| {
            let p = Published::read(file, FormatChoice::Auto, format)
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let bytes = Some(p.yaml.clone().into_bytes());
            let mut checked = super::check_bytes(&engine, &p.yaml_name(), bytes, &options);
            // What the import could not read is a finding of the report: a table it could
            // not read fails the unit (never a pass on numbers it did not see).
            checked.diags.extend(
                p.imported
                    .diags
                    .iter()
                    .filter(|d| super::import::unread_cell(d.diag.code.as_str()))
                    .map(|d| d.diag.clone()),
            );
            Ok((checked, p))
        })
        .collect::<Result<_, String>>()?;
    for (checked, source) in imported {
        loaded.push(checked);
        sources.push(Some(source));
    }
    Ok((loaded, sources))
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
    let (mut loaded, sources) = match load_all(&args.inputs) {
        Ok(l) if !l.0.is_empty() => l,
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
            Ok((l, _)) => l.into_iter().filter(nianbao::Loaded::is_ok).collect(),
            Err(e) => {
                eprintln!("错误：{e}");
                return 2;
            }
        },
    };
    let previous: Vec<Option<&nianbao::Loaded>> =
        if args.previous.as_deref().is_some_and(Path::is_file) && loaded.len() == 1 {
            vec![last.first()]
        } else {
            match_by_unit(&loaded, &last)
        };
    let opts = args.flags.options();
    audit_batch(&mut loaded, &previous, &opts);
    let batch = loaded.len() > 1;
    for (l, source) in loaded.iter_mut().zip(&sources) {
        if let Some(published) = source {
            published.name_places(&mut l.diags);
        }
    }
    let mut rows = Vec::new();
    let (mut bad, mut warned) = (0, 0);
    for ((l, source), prev) in loaded.iter().zip(&sources).zip(&previous) {
        let file = match source {
            Some(published) => published.name.display().to_string(),
            None => l.file.path().display().to_string(),
        };
        let unit = l.report.as_ref().map(|r| r.unit.text.clone()).unwrap_or_default();
        rows.extend(unit_rows(&file, &unit, &l.diags, &families_run(l, prev.is_some(), batch)));
        if has_errors(&l.diags) {
            bad += 1;
        } else if l.diags.iter().any(|d| d.severity == Severity::Warning) {
            warned += 1;
        }
    }
    let text = if html { to_html(&rows) } else { to_csv(&rows) };
    if let Err(e) = nianbao::io::write_atomic(&args.output, text.as_bytes(), args.force) {
        eprintln!("错误：{}: {e}", args.output.display());
        return 2;
    }
    let n = loaded.len();
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
