//! `nianbao init`: write a skeleton report that passes `check` unchanged.

use clap::Args;
use nianbao::model::skeleton;
use std::path::PathBuf;

/// Arguments of `nianbao init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// 发布机关（单位名称）。Issuing body (发布机关), e.g. 某某县某某局.
    #[arg(long, required_unless_present = "from")]
    pub unit: Option<String>,
    /// 从去年的报告开始。Start from last year's report (YAML, or a file `nianbao import` wrote).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// 报告年度。Reported year, e.g. 2025.
    #[arg(long, value_parser = clap::value_parser!(i32).range(1990..=2100))]
    pub year: i32,
    /// 输出文件。Output file (default: `{unit}-{year}.yaml` in the current folder).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// 覆盖已有文件。Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Runs `init`; returns the exit code.
pub fn run(args: &InitArgs) -> u8 {
    if let Some(from) = &args.from {
        return super::import::init_from(from, args.year, args.output.as_deref(), args.force);
    }
    let unit = args.unit.as_deref().unwrap_or("").trim();
    if unit.is_empty() {
        eprintln!("错误：--unit 不能为空 (error: --unit must not be empty)");
        return 2;
    }
    let formats = nianbao::template::Formats::bundled();
    let format = formats.get(formats.default_edition()).expect("a bundled edition");
    let text = skeleton(format, unit, args.year);
    // The default name comes from the unit: it must stay a plain file name in this folder.
    if args.output.is_none() && (unit.contains(['/', '\\', '\0']) || unit.starts_with('.')) {
        eprintln!(
            "错误：单位名称含有路径分隔符或以“.”开头，不能用作文件名，请用 -o 指定输出文件 \
             (error: the unit name contains a path separator or starts with a dot; name the file with -o)"
        );
        return 2;
    }
    let path =
        args.output.clone().unwrap_or_else(|| PathBuf::from(format!("{unit}-{}.yaml", args.year)));
    if path.exists() && !args.force {
        eprintln!(
            "错误：{} 已存在，如需覆盖请加 --force (error: {} exists; pass --force to overwrite)",
            path.display(),
            path.display()
        );
        return 2;
    }
    match nianbao::io::write_atomic(&path, text.as_bytes(), args.force) {
        Ok(()) => {
            println!("已生成 {} (wrote {})", path.display(), path.display());
            0
        }
        Err(err) => {
            eprintln!(
                "错误：无法写入 {}：{err} (error: cannot write {}: {err})",
                path.display(),
                path.display()
            );
            2
        }
    }
}
