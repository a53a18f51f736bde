//! `nianbao render`: check, then write the PDF (and DOCX) next to the input or into
//! `-o OUTDIR`. Nothing is written for a file with errors; a unit's outputs are written
//! together (all or none, each atomically). Two inputs that would write the same output are
//! refused before any work. With `--sign` the PDF is signed, the seal becoming the signature's
//! appearance. An output is replaced without `--force` only when no signature is involved.

use super::DiagFormat;
use super::options::OutputArgs;
use clap::Args;
use nianbao::batch::with_ext;
use nianbao::diag::{Diagnostic, render_human, render_short};
use nianbao::source::SourceFile;
use nianbao::world::FsResources;
use nianbao::{CheckOptions, Loaded, Source};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Arguments of `nianbao render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// 报告文件（YAML）(report files, YAML).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// 输出文件夹，默认与输入文件相同 (output folder; default: each input's folder).
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
    /// 去年的报告：与之比对检查（同 check --previous），生成图解时画在今年旁边（多个文件时只
    /// 用于同一单位）(last year's report: checked against, and drawn beside this year in the
    /// 图解; with several files, for the file of the same unit).
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// 问题的显示方式 (how to print diagnostics).
    #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
    pub diagnostics: DiagFormat,
}

/// Prints diagnostics for one file to stderr.
pub fn print_diags(diags: &[Diagnostic], file: &SourceFile, format: DiagFormat) {
    for d in diags {
        match format {
            DiagFormat::Short | DiagFormat::Json => eprintln!("{}", render_short(d, file)),
            DiagFormat::Human => eprintln!("{}", render_human(d, file)),
        }
    }
}

/// The output path (without extension) for an input: its file name without the last
/// extension (every other dot kept), in `outdir` or beside the input.
pub fn output_stem(input: &Path, outdir: Option<&Path>) -> PathBuf {
    let stem = input.file_stem().map_or_else(|| "report".into(), |s| s.to_os_string());
    let dir = match outdir {
        Some(d) => d.to_path_buf(),
        None => input.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    dir.join(stem)
}

/// Two inputs that would write the same file (`a/x.yaml b/x.yaml -o OUT`): refused before any
/// work, naming both, rather than one silently replacing the other.
fn clashing_inputs(args: &RenderArgs) -> Option<String> {
    let mut seen: HashMap<String, &Path> = HashMap::new();
    for input in &args.files {
        let stem = output_stem(input, args.output.as_deref());
        // Compared without case: macOS and Windows file systems ignore it.
        let key = stem.to_string_lossy().to_lowercase();
        if let Some(first) = seen.insert(key, input)
            && first != input.as_path()
        {
            return Some(format!(
                "{} 与 {} 会写入同一个输出文件 {}.*；请分开运行或改用 nianbao batch \
                 ({} and {} would write the same output {}.*; render them apart or use nianbao batch, which names them apart)",
                first.display(),
                input.display(),
                stem.display(),
                first.display(),
                input.display(),
                stem.display()
            ));
        }
    }
    None
}

/// Runs `render`; returns the exit code.
pub fn run(args: &RenderArgs) -> u8 {
    if let Some(e) = clashing_inputs(args) {
        eprintln!("错误：{e}");
        return 2;
    }
    let (engine, outputs) = match args.out.engine() {
        Ok(e) => e,
        Err(code) => return code,
    };
    if let Some(dir) = &args.output
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!(
            "错误：无法创建输出目录 {}：{e} (error: cannot create {})",
            dir.display(),
            dir.display()
        );
        return 2;
    }
    let replace = args.out.replace();
    let previous = match args.previous.as_deref().map(nianbao::engine::load_previous).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    let last = super::LastYear::new(previous, args.files.len());
    let previous = last.previous();
    let mut code = 0;
    for input in &args.files {
        let loaded = match Source::read(input) {
            Ok(source) => engine.check(
                source,
                &FsResources::for_report(input, args.out.confine),
                &CheckOptions { previous, ..CheckOptions::for_render() },
            ),
            Err(d) => Loaded::unreadable(input, d),
        };
        let last = loaded.report.as_ref().and_then(|r| previous.of(r));
        print_diags(&loaded.diags, &loaded.file, args.diagnostics);
        if !loaded.is_ok() {
            code = code.max(if loaded.is_io_failure() { 2 } else { 1 });
            eprintln!("✗ {}：有错误，未生成文件 (errors: nothing written)", input.display());
            continue;
        }
        let rendered = match engine.render_compared(&loaded, last, &outputs) {
            Ok(r) => r,
            Err(diags) => {
                print_diags(&diags, &loaded.file, args.diagnostics);
                let signing = diags.iter().any(|d| d.code == nianbao::diag::Code::Signing);
                code = code.max(if signing { 2 } else { 1 });
                continue;
            }
        };
        print_diags(&rendered.warnings, &loaded.file, args.diagnostics);
        let stem = output_stem(input, args.output.as_deref());
        let files: Vec<(PathBuf, &[u8])> = rendered
            .outputs
            .iter()
            .map(|o| (with_ext(&stem, o.kind.ext()), o.bytes.as_slice()))
            .collect();
        if let Err(e) = nianbao::io::write_all(&files, replace) {
            eprintln!("错误：{e}");
            code = 2;
            continue;
        }
        let written: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        let pages = match rendered.pages() {
            Some(facts) => {
                let signed = if facts.signed { "，已签名 / signed" } else { "" };
                format!("（{} 页 / pages{signed}）", facts.count)
            }
            None => String::new(),
        };
        println!("✓ {} → {}{pages}", input.display(), written.join(", "));
    }
    code
}
