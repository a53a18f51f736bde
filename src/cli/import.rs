//! `nianbao import`: a published report (text, HTML) → the contract's YAML, with
//! every problem named by its place in the source document.

use crate::diag::{Severity, has_errors, render_short};
use crate::import::{Edition, FormatChoice, SourceKind, import_bytes};
use crate::model::emit_yaml;
use crate::template::bundled_format;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// Which edition of the official format the document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FormatArg {
    /// Detect 2019 and 2021 labels (and a mix of both).
    #[default]
    Auto,
    /// 国办公开办函〔2021〕30号.
    #[value(name = "2021")]
    F2021,
    /// 国办公开办函〔2019〕60号 (2019 columns are never mapped onto 2021 ones).
    #[value(name = "2019")]
    F2019,
}

/// Arguments of `nianbao import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The published report: an HTML page (any encoding) or text copied from one.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output YAML (default: FILE with the extension `.yaml`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Edition of the official format.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,
    /// Run `check` on the result and name each problem's place in the source.
    #[arg(long)]
    pub check: bool,
    /// Overwrite an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// Runs `import`; returns the exit code (0 imported, 1 imported with errors, 2 I/O).
pub fn run(args: &ImportArgs) -> u8 {
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(err) => {
            eprintln!(
                "错误：无法读取 {}：{err} (error: cannot read {})",
                args.file.display(),
                args.file.display()
            );
            return 2;
        }
    };
    let name = args.file.to_string_lossy();
    let kind = SourceKind::sniff(&name, &bytes);
    let choice = match args.format {
        FormatArg::Auto => FormatChoice::Auto,
        FormatArg::F2021 => FormatChoice::F2021,
        FormatArg::F2019 => FormatChoice::F2019,
    };
    let started = std::time::Instant::now();
    let imported = import_bytes(&bytes, kind, choice);
    let elapsed = started.elapsed();
    let out = args.output.clone().unwrap_or_else(|| args.file.with_extension("yaml"));
    if out.exists() && !args.force {
        eprintln!(
            "错误：{} 已存在，如需覆盖请加 --force (error: {} exists; pass --force to overwrite)",
            out.display(),
            out.display()
        );
        return 2;
    }
    let format = bundled_format(2021).expect("2021 is bundled");
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let yaml = emit_yaml(&imported.report, format, &dir);
    let header = format!(
        "# 由 nianbao import 从 {} 导入 (imported from {} by nianbao import)\n",
        file_name(&args.file),
        file_name(&args.file)
    );
    if let Err(err) = super::write_atomic(&out, format!("{header}{yaml}").as_bytes(), args.force) {
        eprintln!(
            "错误：无法写入 {}：{err} (error: cannot write {})",
            out.display(),
            out.display()
        );
        return 2;
    }
    for d in &imported.diags {
        let loc = d.loc.map(|l| format!("{}: ", l.en())).unwrap_or_default();
        let sev = if d.diag.severity == Severity::Error { "error" } else { "warning" };
        println!(
            "{}: {loc}{sev}[{}]: {} ({})",
            args.file.display(),
            d.diag.code.as_str(),
            d.diag.message_zh,
            d.diag.message_en
        );
    }
    let edition = match imported.edition {
        Edition::F2021 => "2021",
        Edition::F2019 => "2019",
        Edition::Mixed => "2019+2021",
    };
    let mut failed = imported.diags.iter().any(|d| d.diag.is_error());
    if args.check {
        let loaded = crate::load_and_check(&out);
        for d in &loaded.diags {
            let source = imported
                .locate(d)
                .map(|l| format!(" ← {}: {} ({})", file_name(&args.file), l.zh(), l.en()))
                .unwrap_or_default();
            println!("{}{source}", render_short(d, &loaded.file));
        }
        failed |= has_errors(&loaded.diags);
    }
    println!(
        "已导入 {} → {}（格式 {edition}，{} 条提示，用时 {:.1} ms） (imported, format {edition}, {} notes, {:.1} ms)",
        args.file.display(),
        out.display(),
        imported.diags.len(),
        elapsed.as_secs_f64() * 1000.0,
        imported.diags.len(),
        elapsed.as_secs_f64() * 1000.0,
    );
    u8::from(failed)
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}
