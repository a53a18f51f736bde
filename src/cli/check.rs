//! `nianbao check`: report every problem in every file, then a summary.

use super::DiagFormat;
use clap::Args;
use nianbao::diag::{Code, Severity, has_errors, render_human, render_json, render_short};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `nianbao check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// 报告文件（YAML）(report files, YAML).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// 问题的显示方式 (how to print diagnostics); `--format` is the old spelling.
    #[arg(long = "diagnostics", alias = "format", value_enum, default_value_t = DiagFormat::Human)]
    pub format: DiagFormat,
    /// 警告也按错误处理。Treat warnings as errors (exit 1).
    #[arg(long)]
    pub deny_warnings: bool,
    /// 去年的报告。Last year's report: 上年结转, 现行有效件数 and 雷同 are checked against it
    /// (with several files, for the file of the same unit).
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// Audit settings (issue #16).
    #[command(flatten)]
    pub audit: super::audit::AuditFlags,
}

/// Runs the check; returns the exit code.
pub fn run(args: &CheckArgs) -> u8 {
    let mut json = Vec::new();
    let (mut bad, mut warnings, mut io_failed) = (0, 0, false);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let previous = match args.previous.as_deref().map(nianbao::engine::load_previous).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    let engine = match super::check_engine() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    let last = super::LastYear::new(previous, args.files.len());
    let previous = last.previous();
    let options =
        nianbao::CheckOptions { audit: Some(args.audit.options()), previous, ..Default::default() };
    for path in &args.files {
        let loaded = super::check_file(&engine, path, &options);
        let errors = has_errors(&loaded.diags);
        let warns = loaded.diags.iter().filter(|d| d.severity == Severity::Warning).count();
        warnings += warns;
        if loaded.diags.iter().any(|d| d.code == Code::Io) {
            io_failed = true;
        }
        if errors || (args.deny_warnings && warns > 0) {
            bad += 1;
        }
        match args.format {
            DiagFormat::Json => {
                let diags: Vec<_> =
                    loaded.diags.iter().map(|d| render_json(d, &loaded.file)).collect();
                json.push(serde_json::json!({
                    "file": path.display().to_string(),
                    "ok": !errors,
                    "diagnostics": diags,
                }));
            }
            DiagFormat::Short => {
                for d in &loaded.diags {
                    let _ = writeln!(out, "{}", render_short(d, &loaded.file));
                }
            }
            DiagFormat::Human => {
                for d in &loaded.diags {
                    let _ = writeln!(out, "{}", render_human(d, &loaded.file));
                }
                if loaded.diags.is_empty() {
                    let _ = writeln!(out, "✓ {}：无问题 (no problems)", path.display());
                }
            }
        }
    }
    if args.format == DiagFormat::Json {
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&json).unwrap_or_default());
    } else {
        let n = args.files.len();
        let _ = writeln!(
            out,
            "检查 {n} 个文件：{bad} 个有错误，{warnings} 条警告 (checked {n} files: {bad} with errors, {warnings} warnings)"
        );
    }
    if io_failed {
        2
    } else if bad > 0 {
        1
    } else {
        0
    }
}
