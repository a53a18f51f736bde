//! `nianbao import`: a published report (text, HTML) → the contract's YAML, with
//! every problem named by its place in the source document.

use clap::{Args, ValueEnum};
use nianbao::diag::{Severity, has_errors, render_short};
use nianbao::import::{Edition, FormatChoice, Published, published_in};
use nianbao::model::emit_yaml;
use nianbao::template::{Format, Formats};
use std::path::{Path, PathBuf};

/// Which edition of the official format the document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FormatArg {
    /// 自动识别。Detect 2019 and 2021 labels (and a mix of both).
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
    /// 已发布的报告或其文件夹。The published report: an HTML page (any encoding), text copied from one, a DOCX
    /// or a PDF with a text layer; or a folder of them (each imported, then a summary).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// 输出的 YAML。Output YAML (default: FILE with the extension `.yaml`); for a folder, the
    /// output folder (default: FOLDER/yaml).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// 官方格式的版本。Edition of the official format.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,
    /// 导入后检查，并指出问题在原文中的位置。Run `check` on the result and name each problem's place in the source.
    #[arg(long)]
    pub check: bool,
    /// 覆盖已有文件。Overwrite an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// Runs `import`; returns the exit code (0 imported, 1 imported with errors or not written for
/// a table that could not be read, 2 I/O or an output that exists).
pub fn run(args: &ImportArgs) -> u8 {
    if args.file.is_dir() {
        return run_folder(args);
    }
    let out = args.output.clone().unwrap_or_else(|| args.file.with_extension("yaml"));
    import_one(args, &args.file, &out).1
}

/// How one file of a folder imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Clean,
    Warned,
    Failed,
}

/// Reads `file` (up to the published-report cap), imports it as what it looks like, and
/// writes the report as YAML for a file in `dir`; with the time the import took.
fn import_file(
    file: &Path,
    choice: FormatChoice,
    dir: &Path,
) -> Result<(nianbao::import::Imported, String, std::time::Duration), nianbao::io::ReadError> {
    let bytes = nianbao::io::read_capped(file, nianbao::io::limits::PUBLISHED)?;
    let format = import_format();
    let started = std::time::Instant::now();
    let published = Published::from_bytes(file, &bytes, choice, format, dir);
    Ok((published.imported, published.yaml, started.elapsed()))
}

/// The edition published reports are imported into (by `import` and `audit`): the newest the
/// CLI's registry knows (the CLI adds no editions to the bundled ones).
pub(super) fn import_format() -> &'static Format {
    let formats = Formats::bundled();
    formats.get(formats.default_edition()).expect("the default edition is registered")
}

/// `nianbao import FOLDER -o OUTDIR`: every published report (`.html`, `.htm`, `.shtml`,
/// `.txt`, `.docx`, `.pdf`) of the folder, sorted by name, into OUTDIR, then a summary.
fn run_folder(args: &ImportArgs) -> u8 {
    let out_dir = args.output.clone().unwrap_or_else(|| args.file.join("yaml"));
    let files: Vec<PathBuf> = match published_in(&args.file) {
        Ok(files) => files,
        Err(err) => {
            eprintln!(
                "错误：无法读取 {}：{err} (error: cannot read {})",
                args.file.display(),
                args.file.display()
            );
            return 2;
        }
    };
    if let Err(err) = std::fs::create_dir_all(&out_dir) {
        eprintln!(
            "错误：无法创建 {}：{err} (error: cannot create {})",
            out_dir.display(),
            out_dir.display()
        );
        return 2;
    }
    let mut counts = [0usize; 3];
    for file in &files {
        let stem =
            file.file_stem().map_or_else(|| "unit".into(), |s| s.to_string_lossy().into_owned());
        let (outcome, _) = import_one(args, file, &out_dir.join(format!("{stem}.yaml")));
        counts[outcome as usize] += 1;
    }
    println!(
        "导入 {} 份：无问题 {} 份，有提示 {} 份，失败 {} 份 ({} imported: {} clean, {} with warnings, {} failed)",
        files.len(),
        counts[0],
        counts[1],
        counts[2],
        files.len(),
        counts[0],
        counts[1],
        counts[2]
    );
    u8::from(counts[2] > 0)
}

/// Imports one file to `out`; returns how it went and the exit code.
fn import_one(args: &ImportArgs, file: &Path, out: &Path) -> (Outcome, u8) {
    let fail = (Outcome::Failed, 2);
    let choice = match args.format {
        FormatArg::Auto => FormatChoice::Auto,
        FormatArg::F2021 => FormatChoice::F2021,
        FormatArg::F2019 => FormatChoice::F2019,
    };
    let (imported, yaml, elapsed) = match import_file(file, choice, nianbao::io::folder_of(out)) {
        Ok(done) => done,
        Err(err) => {
            eprintln!(
                "错误：无法读取 {}：{err} (error: cannot read {})",
                file.display(),
                file.display()
            );
            return fail;
        }
    };
    if out.exists() && !args.force {
        eprintln!(
            "错误：{} 已存在，如需覆盖请加 --force (error: {} exists; pass --force to overwrite)",
            out.display(),
            out.display()
        );
        return fail;
    }
    // A report with a table that could not be read is not written as if it were complete:
    // only with --force, with every cell that was not read named at its head.
    let unreadable = imported.diags.iter().any(|d| d.diag.is_error());
    if unreadable && !args.force {
        print_diags(file, &imported.diags);
        eprintln!(
            "错误：{} 有未能读出的表格，未写入 {}；如仍需写入请加 --force (error: a table of {} could not be read; {} not written, pass --force to write it)",
            file.display(),
            out.display(),
            file.display(),
            out.display()
        );
        // An error in the document, not in reading it: 1, as for a report imported with errors.
        return (Outcome::Failed, 1);
    }
    let mut header = format!(
        "# 由 nianbao import 从 {} 导入 (imported from {} by nianbao import)\n",
        file_name(file),
        file_name(file)
    );
    if unreadable {
        header.push_str("# 未能读出（not read; written as 0, check each against the source）：\n");
        for d in imported.diags.iter().filter(|d| unread_cell(d.diag.code.as_str())) {
            let what = d.diag.path.as_deref().unwrap_or_default();
            header.push_str(&format!("#   未能读出 {what}：{}\n", d.diag.message_zh));
        }
    }
    let written = format!("{header}{yaml}");
    if let Err(err) = nianbao::io::write_atomic(out, written.as_bytes(), args.force) {
        eprintln!(
            "错误：无法写入 {}：{err} (error: cannot write {})",
            out.display(),
            out.display()
        );
        return fail;
    }
    print_diags(file, &imported.diags);
    let edition = match imported.edition {
        Edition::F2021 => "2021",
        Edition::F2019 => "2019",
        Edition::Mixed => "2019+2021",
    };
    let mut failed = imported.diags.iter().any(|d| d.diag.is_error());
    if args.check {
        // The same check as `nianbao check`.
        let loaded = match super::check_engine() {
            Ok(engine) => super::check_file(&engine, out, &nianbao::CheckOptions::default()),
            Err(e) => {
                eprintln!("错误：{e}");
                return (Outcome::Failed, 2);
            }
        };
        for d in &loaded.diags {
            let source = imported
                .locate_in(d, &written)
                .map(|l| format!(" ← {}: {} ({})", file_name(file), l.zh(), l.en()))
                .unwrap_or_default();
            println!("{}{source}", render_short(d, &loaded.file));
        }
        failed |= has_errors(&loaded.diags);
    }
    println!(
        "已导入 {} → {}（格式 {edition}，{} 条提示，用时 {:.1} ms） (imported, format {edition}, {} notes, {:.1} ms)",
        file.display(),
        out.display(),
        imported.diags.len(),
        elapsed.as_secs_f64() * 1000.0,
        imported.diags.len(),
        elapsed.as_secs_f64() * 1000.0,
    );
    let outcome = if failed {
        Outcome::Failed
    } else if imported.diags.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Warned
    };
    (outcome, u8::from(failed))
}

/// Prints the import's problems, one a line, with their place in `file`.
fn print_diags(file: &Path, diags: &[nianbao::import::ImportDiag]) {
    for d in diags {
        let loc = d.loc.map(|l| format!("{}: ", l.en())).unwrap_or_default();
        let sev = if d.diag.severity == Severity::Error { "error" } else { "warning" };
        println!(
            "{}: {loc}{sev}[{}]: {} ({})",
            file.display(),
            d.diag.code.as_str(),
            d.diag.message_zh,
            d.diag.message_en
        );
    }
}

/// Whether an import diagnostic names cells that were not read (a table, a row, glued
/// digits with no certain split, a cell holding no number the table can hold).
pub fn unread_cell(code: &str) -> bool {
    matches!(code, "E-I1" | "E-I3" | "W-I3" | "W-I5" | "W-I6")
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// `nianbao init --from last.yaml --year 2025`: next year's report from last year's.
pub fn init_from(from: &Path, year: i32, output: Option<&Path>, force: bool) -> u8 {
    let engine = match super::check_engine() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    let loaded = super::check_file(&engine, from, &nianbao::CheckOptions::default());
    let Some(last) = loaded.report.as_ref().filter(|_| !has_errors(&loaded.diags)) else {
        for d in &loaded.diags {
            eprintln!("{}", render_short(d, &loaded.file));
        }
        eprintln!(
            "错误：{} 有错误，无法据此生成 (error: {} has errors)",
            from.display(),
            from.display()
        );
        return 1;
    };
    let format = loaded.format.as_deref().expect("a loaded report keeps its format");
    let next = nianbao::import::next_year(last, format, year);
    let path = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("{}-{year}.yaml", next.unit.text)));
    if path.exists() && !force {
        eprintln!(
            "错误：{} 已存在，如需覆盖请加 --force (error: {} exists; pass --force to overwrite)",
            path.display(),
            path.display()
        );
        return 2;
    }
    let header = format!(
        "# 由 nianbao init --from {} 生成：正文沿用上年，请改写所有标有“{}”的段落并填写本年数字。\n\
         # 上年结转 = 上年“结转下年度继续办理”；现行有效件数 = 上年数 + 本年制发 − 本年废止。\n\
         # (generated from last year's report: rewrite every marked paragraph, fill in this year's numbers)\n",
        file_name(from),
        nianbao::model::PLACEHOLDER
    );
    let yaml =
        emit_yaml(&next, format, nianbao::io::folder_of(from), nianbao::io::folder_of(&path));
    match nianbao::io::write_atomic(&path, format!("{header}{yaml}").as_bytes(), force) {
        Ok(()) => {
            println!("已生成 {} (wrote {})", path.display(), path.display());
            0
        }
        Err(err) => {
            eprintln!(
                "错误：无法写入 {}：{err} (error: cannot write {})",
                path.display(),
                path.display()
            );
            2
        }
    }
}
