//! `nianbao batch`: every unit of a county or city in one run.

use super::options::OutputArgs;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use nianbao::batch::{
    BatchConfig, Status, UnitSummary, discover, discovery_rows, lock_outdir, merge_summaries,
    remove_stale_temps, run_batch, shard_of, summary_reports, write_summaries,
};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Arguments of `nianbao batch`.
#[derive(Debug, Args)]
#[command(after_help = "示例 (examples):
  nianbao batch 各单位/ -o 输出/
  nianbao batch 各单位/ -o 输出/ --changed --summary-report
  nianbao batch 各单位/ -o 输出/ --shard 1/8

文件：FILE 总会处理；DIR 递归查找 *.yaml 和 *.yml，跳过隐藏的文件和文件夹以及 OUTDIR。
Files: a FILE is always taken; a DIR is searched recursively for *.yaml and *.yml, \
skipping hidden files and folders and OUTDIR. Outputs mirror the input paths under OUTDIR \
(units/2024/a.yaml → OUTDIR/2024/a.pdf); clashing names get -2, -3.\n\
退出码 (exit codes): 0 all rendered; 1 a unit failed; 2 usage or I/O error; 130 interrupted.")]
pub struct BatchArgs {
    /// 文件夹和报告文件。Folders and report files.
    #[arg(value_name = "DIR|FILE", required_unless_present = "merge_summaries")]
    pub inputs: Vec<PathBuf>,
    /// 输出文件夹。Output folder (summary.json, summary.csv and the documents go here).
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: PathBuf,
    #[command(flatten)]
    pub out: OutputArgs,
    /// 并行线程数。Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// 跳过没有变化的单位。Skip units whose input, images, templates, fonts and nianbao version are unchanged.
    #[arg(long)]
    pub changed: bool,
    /// 只处理 N 份中的第 I 份。Render only shard I of N (a stable split by file path), e.g. --shard 2/8.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// 同时生成汇总表。Also render the 汇总表 (sum of every unit's tables) and numbers.csv.
    #[arg(long)]
    pub summary_report: bool,
    /// 汇总表标题中的办公室名称。Name of the office for the 汇总表 title.
    #[arg(long, value_name = "NAME", default_value = "汇总")]
    pub office: String,
    /// 去年的报告文件夹。Last year's reports (a folder), matched to this year's by unit name: 上年结转, 现行有效件数
    /// and 雷同 are checked against them (the audit's year ↔ year checks).
    #[arg(long, value_name = "DIR")]
    pub previous: Option<PathBuf>,
    #[command(flatten)]
    pub audit: super::audit::AuditFlags,
    /// 合并分片的汇总。Merge shard summaries (summary.json files) into OUTDIR/summary.json and .csv.
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
    if !args.merge_summaries.is_empty() {
        if let Err(e) = std::fs::create_dir_all(&args.output) {
            eprintln!(
                "错误：无法创建 {}：{e} (error: cannot create the output folder)",
                args.output.display()
            );
            return 2;
        }
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
    let found = match discover(&args.inputs, Some(&args.output)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    let mut inputs = found.inputs.clone();
    if let Some(s) = &args.shard {
        match parse_shard(s) {
            Ok((i, n)) => inputs.retain(|input| shard_of(input, n) == i),
            Err(e) => {
                eprintln!("错误：--shard {e}");
                return 2;
            }
        }
    }
    let (engine, outputs) = match args.out.engine() {
        Ok(e) => e,
        Err(code) => return code,
    };
    // Made only once the key and password are good: a failed start leaves no empty folder.
    if let Err(e) = std::fs::create_dir_all(&args.output) {
        eprintln!(
            "错误：无法创建 {}：{e} (error: cannot create the output folder)",
            args.output.display()
        );
        return 2;
    }
    // One run per OUTDIR at a time; leftovers of a killed run go first.
    let _lock = match lock_outdir(&args.output) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    remove_stale_temps(&args.output);
    // Installed only now, so Ctrl-C at the password prompt still ends the run at once.
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // Ctrl-C or SIGTERM (docker stop, systemd, CI cancelling): finish the units in progress
        // (their files are written whole), start no more, write the summary. A second signal
        // is left to the default.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let previous = match &args.previous {
        None => Default::default(),
        Some(dir) => match nianbao::batch::previous_reports(dir) {
            Ok((by_unit, skipped)) => {
                for why in skipped {
                    eprintln!("注意：{why}");
                }
                by_unit
            }
            Err(e) => {
                eprintln!("错误：--previous {e}");
                return 2;
            }
        },
    };
    let config = BatchConfig {
        outdir: args.output.clone(),
        outputs: outputs.clone(),
        changed: args.changed,
        replace: args.out.replace(),
        confine: args.out.confine,
        keep_loaded: args.summary_report,
        audit: args.audit.options(),
        previous: Arc::new(previous),
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
                    Status::Skipped => "skipped",
                };
                eprintln!("[{n}/{total}] {status} {} ({} ms)", u.file, u.ms);
            }
        }
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(args.jobs.unwrap_or(0)).build();
    let result = match pool {
        Ok(pool) => pool.install(|| run_batch(&inputs, &config, &engine, &stop, &on_done)),
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut units = result.units;
    // Folders that could not be read and links not followed are rows of the summary too.
    units.extend(discovery_rows(&found));
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
    let loaded: Vec<&nianbao::Loaded> = result.loaded.iter().flatten().collect();
    if args.summary_report
        && let Err(e) = summary_report(args, &loaded, &engine, &outputs)
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

/// Writes the 汇总表, numbers.csv and their workbooks of the rendered units (one set per edition; a run of
/// one edition writes `summary-report.*` and `numbers.csv`, of several `…-EDITION.*`).
fn summary_report(
    args: &BatchArgs,
    loaded: &[&nianbao::Loaded],
    engine: &nianbao::Engine,
    outputs: &[nianbao::OutputKind],
) -> Result<(), String> {
    let reports = summary_reports(loaded, engine, outputs, &args.office)?;
    let several = reports.len() > 1;
    for r in &reports {
        let suffix = if several { format!("-{}", r.edition) } else { String::new() };
        let mut files =
            vec![(args.output.join(format!("numbers{suffix}.csv")), r.numbers_csv.as_bytes())];
        for o in &r.rendered.outputs {
            let name = format!("summary-report{suffix}.{}", o.kind.ext());
            files.push((args.output.join(name), o.bytes.as_slice()));
        }
        // The same numbers as workbooks: the 汇总表 in the official grids, and every unit's
        // numbers under the official headers.
        let format = engine.formats().get(r.edition).ok_or("unknown edition")?;
        let summed = r.summed.numbers(format);
        let summary_xlsx =
            nianbao::xlsx::summary_workbook(format, &args.office, r.summed.year.0, &summed)?;
        let numbers_xlsx = nianbao::xlsx::numbers_workbook(format, &r.numbers)?;
        files.push((args.output.join(format!("summary-report{suffix}.xlsx")), &summary_xlsx));
        files.push((args.output.join(format!("numbers{suffix}.xlsx")), &numbers_xlsx));
        nianbao::io::write_all(&files, args.out.replace()).map_err(|e| e.to_string())?;
        println!(
            "汇总表：{} 个单位（{} 年版格式）(summary report of {} units, {} edition)",
            r.units, r.edition, r.units, r.edition
        );
    }
    Ok(())
}
