//! `nianbao xlsx template`: the workbook a unit fills in (the three official tables, labels
//! locked, input cells validated, totals as formulas, instructions in Chinese). A filled
//! workbook comes back through `nianbao import 年报数据.xlsx`.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Arguments of `nianbao xlsx`.
#[derive(Debug, Args)]
pub struct XlsxArgs {
    #[command(subcommand)]
    pub command: XlsxCommand,
}

/// What `nianbao xlsx` makes.
#[derive(Debug, Subcommand)]
pub enum XlsxCommand {
    /// 生成单位填写的年报数据表格模板 (write the template a unit fills in, 年报数据.xlsx).
    Template(TemplateArgs),
}

/// Arguments of `nianbao xlsx template`.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// 填报单位，印在每张表上 (issuing body, printed on every sheet).
    #[arg(long)]
    pub unit: Option<String>,
    /// 报告年度，印在每张表上 (reported year, printed on every sheet).
    #[arg(long, value_parser = clap::value_parser!(i32).range(1990..=2100))]
    pub year: Option<i32>,
    /// 填入这份报告的数字（及单位、年度）(fill in the numbers, unit and year of this report).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// 输出的表格文件 (output workbook).
    #[arg(short, long, value_name = "FILE", default_value = "年报数据.xlsx")]
    pub output: PathBuf,
    /// 覆盖已有文件 (overwrite an existing file).
    #[arg(long)]
    pub force: bool,
}

/// Runs `xlsx`; returns the exit code.
pub fn run(args: &XlsxArgs) -> u8 {
    match &args.command {
        XlsxCommand::Template(t) => template(t),
    }
}

fn template(args: &TemplateArgs) -> u8 {
    let formats = nianbao::template::Formats::bundled();
    let mut unit = args.unit.clone();
    let mut year = args.year;
    let mut numbers = None;
    let mut edition = formats.default_edition();
    if let Some(from) = &args.from {
        let loaded = nianbao::load_and_check(from);
        let Some(report) = loaded.report.as_ref() else {
            eprintln!(
                "错误：无法读取 {}（先运行 nianbao check） (error: cannot read {}; run nianbao check)",
                from.display(),
                from.display()
            );
            return 1;
        };
        edition = report.format;
        let format = formats.get(edition).expect("a loaded report's edition is known");
        unit = unit.or_else(|| Some(report.unit.text.clone()));
        year = year.or(Some(report.year.0));
        numbers = Some(report.numbers(format));
    }
    let format = formats.get(edition).expect("a bundled edition");
    if args.output.exists() && !args.force {
        let p = args.output.display();
        eprintln!(
            "错误：{p} 已存在，如需覆盖请加 --force (error: {p} exists; pass --force to overwrite)"
        );
        return 2;
    }
    let bytes = match nianbao::xlsx::template(format, unit.as_deref(), year, numbers.as_deref()) {
        Ok(b) => b,
        Err(why) => {
            eprintln!("错误：{why}");
            return 2;
        }
    };
    match nianbao::io::write_atomic(&args.output, &bytes, args.force) {
        Ok(()) => {
            let p = args.output.display();
            println!("已生成 {p} (wrote {p})");
            0
        }
        Err(err) => {
            let p = args.output.display();
            eprintln!("错误：无法写入 {p}：{err} (error: cannot write {p}: {err})");
            2
        }
    }
}
