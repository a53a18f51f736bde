//! `nianbao batch`: every unit of a county or city in one run.

use crate::batch::{
    BatchConfig, Status, UnitSummary, aggregate_report, discover, merge_summaries, numbers_csv,
    run_batch, shard_of, write_summaries,
};
use crate::fonts::FontBook;
use crate::render::{RenderOptions, render};
use crate::template::{bundled_format, default_style};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Arguments of `nianbao batch`.
#[derive(Debug, Args)]
#[command(
    after_help = "Files: a FILE is always taken; a DIR is searched recursively for *.yaml and *.yml, \
skipping hidden files and folders and OUTDIR. Outputs mirror the input paths under OUTDIR \
(units/2024/a.yaml → OUTDIR/2024/a.pdf); clashing names get -2, -3.\n\
Exit codes: 0 all rendered; 1 a unit failed; 2 usage or I/O error; 130 interrupted."
)]
pub struct BatchArgs {
    /// Folders and report files.
    #[arg(value_name = "DIR|FILE", required_unless_present = "merge_summaries")]
    pub inputs: Vec<PathBuf>,
    /// Output folder (summary.json, summary.csv and the documents go here).
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: PathBuf,
    /// Outputs to write, comma-separated: pdf, docx, html (default pdf,docx).
    #[arg(long, value_name = "LIST", default_value = "pdf,docx")]
    pub format: String,
    #[command(flatten)]
    pub html: super::render::HtmlArgs,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Skip units whose input, images, templates, fonts and nianbao version are unchanged.
    #[arg(long)]
    pub changed: bool,
    /// Render only shard I of N (a stable split by file path), e.g. --shard 2/8.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Also render the 汇总表 (sum of every unit's tables) and numbers.csv.
    #[arg(long)]
    pub summary_report: bool,
    /// Name of the office for the 汇总表 title.
    #[arg(long, value_name = "NAME", default_value = "汇总")]
    pub office: String,
    /// Sign every PDF with this PKCS#12 key (PAdES B-B; the seal becomes the signature's
    /// appearance). The key is loaded once; the password comes from NIANBAO_P12_PASSWORD,
    /// --password-file or one prompt.
    #[arg(long, value_name = "KEY.p12")]
    pub sign: Option<PathBuf>,
    /// File holding the PKCS#12 password (first line).
    #[arg(long, value_name = "FILE", requires = "sign")]
    pub password_file: Option<PathBuf>,
    #[command(flatten)]
    pub sign_info: super::sign::SignInfo,
    /// Merge shard summaries (summary.json files) into OUTDIR/summary.json and .csv.
    #[arg(long, value_name = "SUMMARY", num_args = 1..)]
    pub merge_summaries: Vec<PathBuf>,
}

fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (i, n) = s.split_once('/').ok_or("expected I/N, e.g. 2/8")?;
    let (i, n): (u32, u32) =
        (i.trim().parse().map_err(|_| "bad I")?, n.trim().parse().map_err(|_| "bad N")?);
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: need 1 ≤ I ≤ N"));
    }
    Ok((i, n))
}

/// Runs `batch`; returns the exit code.
pub fn run(args: &BatchArgs) -> u8 {
    if let Err(e) = std::fs::create_dir_all(&args.output) {
        eprintln!(
            "错误：无法创建 {}：{e} (error: cannot create the output folder)",
            args.output.display()
        );
        return 2;
    }
    if !args.merge_summaries.is_empty() {
        return match merge_summaries(&args.merge_summaries)
            .and_then(|u| write_summaries(&args.output, &u).map(|()| u).map_err(|e| e.to_string()))
        {
            Ok(units) => {
                let failed = units.iter().filter(|u| u.status == Status::Failed).count();
                println!(
                    "合并 {} 个单位，失败 {failed} 个 (merged {} units, {failed} failed)",
                    units.len(),
                    units.len()
                );
                u8::from(failed > 0)
            }
            Err(e) => {
                eprintln!("错误：{e}");
                2
            }
        };
    }
    let (pdf, docx, html) = match super::render::parse_formats(&args.format) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误：--format {e}");
            return 2;
        }
    };
    if args.sign.is_some() && !pdf {
        eprintln!("错误：--sign 需要输出 PDF (error: --sign needs PDF output)");
        return 2;
    }
    let mut inputs = match discover(&args.inputs, Some(&args.output)) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    if let Some(s) = &args.shard {
        match parse_shard(s) {
            Ok((i, n)) => inputs.retain(|input| shard_of(input, n) == i),
            Err(e) => {
                eprintln!("错误：--shard {e}");
                return 2;
            }
        }
    }
    let style = default_style();
    let fonts = match FontBook::bundled(style) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    let signing = match super::sign::load_signing_or_report(
        args.sign.as_deref(),
        args.password_file.as_deref(),
        &args.sign_info,
    ) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // Installed only now, so Ctrl-C at the password prompt still ends the run at once.
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // Ctrl-C: finish the units in progress (their files are written whole),
        // start no more, write the summary. A second Ctrl-C is left to the default.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let config = BatchConfig {
        outdir: args.output.clone(),
        render: RenderOptions {
            pdf,
            docx,
            html: args.html.options(html),
            omit_seal: signing.is_some(),
            ..RenderOptions::default()
        },
        changed: args.changed,
        signing,
    };
    let total = inputs.len();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} 剩余 {eta} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let done = std::sync::atomic::AtomicUsize::new(0);
    let on_done = |u: &UnitSummary| {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        match &bar {
            Some(bar) => {
                bar.inc(1);
                if u.status == Status::Failed {
                    bar.println(format!("✗ {}", u.file));
                }
            }
            None => {
                let status = match u.status {
                    Status::Rendered => "ok",
                    Status::Failed => "FAILED",
                    Status::Unchanged => "unchanged",
                    Status::Interrupted => "interrupted",
                };
                eprintln!("[{n}/{total}] {status} {} ({} ms)", u.file, u.ms);
            }
        }
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(args.jobs.unwrap_or(0)).build();
    let units = match pool {
        Ok(pool) => pool.install(|| run_batch(&inputs, &config, &fonts, style, &stop, &on_done)),
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    // Diagnostics of failed units, in input order.
    for u in units.iter().filter(|u| u.status == Status::Failed) {
        eprintln!("✗ {}", u.file);
        for d in u.diagnostics.iter().filter(|d| d.contains(": error[")).take(5) {
            eprintln!("    {d}");
        }
    }
    if let Err(e) = write_summaries(&args.output, &units) {
        eprintln!("错误：无法写入汇总文件 (cannot write summary): {e}");
        return 2;
    }
    let count = |s: Status| units.iter().filter(|u| u.status == s).count();
    let (ok, failed, same, stopped) = (
        count(Status::Rendered),
        count(Status::Failed),
        count(Status::Unchanged),
        count(Status::Interrupted),
    );
    let warnings: usize = units.iter().map(|u| u.warnings).sum();
    println!(
        "渲染 {ok} 份，未变 {same} 份，失败 {failed} 份，警告 {warnings} 条 ({ok} rendered, {same} unchanged, {failed} failed, {warnings} warnings)"
    );
    if args.summary_report
        && let Err(e) = summary_report(args, &inputs, &units, &fonts, config.render)
    {
        eprintln!("错误：汇总表 (summary report): {e}");
        return 2;
    }
    if stopped > 0 || stop.load(Ordering::SeqCst) {
        eprintln!(
            "已中断：{stopped} 份未处理，重新运行加 --changed 可继续 (interrupted: re-run with --changed to continue)"
        );
        return 130;
    }
    u8::from(failed > 0)
}

/// `units` are `inputs`' results, in the same order ([`run_batch`] keeps it).
fn summary_report(
    args: &BatchArgs,
    inputs: &[crate::batch::Input],
    units: &[UnitSummary],
    fonts: &FontBook,
    options: RenderOptions,
) -> Result<(), String> {
    let loaded: Vec<crate::Loaded> = inputs
        .iter()
        .zip(units)
        .filter(|(_, u)| matches!(u.status, Status::Rendered | Status::Unchanged))
        .map(|(input, _)| crate::load_and_check(&input.path))
        .filter(crate::Loaded::is_ok)
        .collect();
    let Some(first) = loaded.first().and_then(|l| l.report.as_ref()) else {
        return Err("没有可汇总的单位 (no rendered units to sum)".into());
    };
    let format = bundled_format(first.format).ok_or("format")?;
    let same_format: Vec<&crate::Loaded> = loaded
        .iter()
        .filter(|l| l.report.as_ref().is_some_and(|r| r.format == first.format))
        .collect();
    let csv = numbers_csv(&same_format, format);
    super::write_atomic(&args.output.join("numbers.csv"), csv.as_bytes(), true)
        .map_err(|e| e.to_string())?;
    let report = aggregate_report(&same_format, format, &args.office).ok_or("nothing to sum")?;
    let (checked, diags) = crate::validate::validate_report(&report, format);
    if crate::diag::has_errors(&diags) {
        return Err("summed tables do not balance (a bug, please report it)".into());
    }
    let file =
        crate::source::SourceFile::new(args.output.join("summary-report.yaml"), String::new());
    let agg =
        crate::Loaded { file, report: Some(report), checked: Some(checked), diags: Vec::new() };
    let rendered = render(&agg, fonts, default_style(), options).map_err(|d| format!("{d:?}"))?;
    for (bytes, ext) in [(&rendered.pdf, "pdf"), (&rendered.docx, "docx")] {
        if let Some(b) = bytes {
            super::write_atomic(&args.output.join(format!("summary-report.{ext}")), b, true)
                .map_err(|e| e.to_string())?;
        }
    }
    println!(
        "汇总表：{} 个单位 (summary report of {} units)",
        same_format.len(),
        same_format.len()
    );
    Ok(())
}
