//! The command line: arguments (clap), and one module per subcommand. Exit codes:
//! 0 success (warnings allowed), 1 a report has errors, 2 usage, I/O, key/certificate/
//! password, signing or internal failure.

mod audit;
mod batch;
mod check;
mod generate;
mod import;
mod init;
mod options;
mod password;
mod render;
mod serve;
mod sign;
mod xlsx;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::Path;
use std::process::ExitCode;

/// The engine `check`, `audit`, `import --check` and `init --from` check with: as `render`
/// does by default, installed fonts draw what the bundled faces lack, so the check warns of
/// exactly the characters a render cannot draw.
fn check_engine() -> Result<nianbao::Engine, String> {
    nianbao::Engine::new(nianbao::EngineOptions { system_fonts: true, ..Default::default() })
}

/// Reads and checks a report file with `engine` (images from the file's folder); a file that
/// cannot be read is a diagnostic too.
fn check_file(
    engine: &nianbao::Engine,
    path: &Path,
    options: &nianbao::CheckOptions,
) -> nianbao::Loaded {
    check_bytes(engine, path, None, options)
}

/// Like [`check_file`] for bytes already in memory (`Some`), named `path`.
fn check_bytes(
    engine: &nianbao::Engine,
    path: &Path,
    bytes: Option<Vec<u8>>,
    options: &nianbao::CheckOptions,
) -> nianbao::Loaded {
    let source = match bytes {
        Some(bytes) => nianbao::Source::new(path, bytes),
        None => match nianbao::Source::read(path) {
            Ok(source) => source,
            Err(d) => return nianbao::Loaded::unreadable(path, d),
        },
    };
    let resources = nianbao::world::FsResources::for_report(path, false);
    engine.check(source, &resources, options)
}

/// The help page's layout: Chinese headings first (clap's own are English).
const HELP_TEMPLATE: &str = "\
{before-help}{name} {version}
{about-with-newline}
用法 (usage): {usage}

{all-args}{after-help}";

/// A subcommand's help page: as [`HELP_TEMPLATE`] without the version line.
const SUB_HELP_TEMPLATE: &str = "\
{before-help}{about-with-newline}
用法 (usage): {usage}

{all-args}{after-help}";

/// 把政府信息公开工作年度报告从 YAML 生成 PDF、DOCX、HTML、OFD，并检查勾稽关系。
/// Renders 政府信息公开工作年度报告 from YAML to PDF, DOCX, HTML and OFD, and checks their
/// numbers.
#[derive(Debug, Parser)]
#[command(
    name = "nianbao",
    version = VERSION,
    long_version = VERSION,
    about = "年报：把政府信息公开工作年度报告从 YAML 生成 PDF、DOCX、HTML、OFD，并检查勾稽关系\n\
             (renders annual reports on government information disclosure from YAML and checks their numbers)",
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "命令 (commands)",
    next_help_heading = "选项 (options)",
    disable_help_subcommand = true,
    after_help = "\
不带参数启动（例如双击）即为桌面模式：在本机打开浏览器填写报告，见 `nianbao serve --open`。
(Started with no arguments, e.g. by a double-click, it is the desktop mode: see `nianbao serve --open`.)

示例 (examples):
  nianbao init --unit 某某县某某局 --year 2025 -o 某某局.yaml
  nianbao check 某某局.yaml
  nianbao render 某某局.yaml --format pdf,docx
  nianbao serve --open 年报文件夹

退出码 (exit codes): 0 成功（可有警告）(success, warnings allowed); 1 报告有错误 (a report has
errors); 2 用法、读写、签名或内部错误，此时不写任何文件 (usage, I/O, signing or internal
failure; nothing is written then)."
)]
pub struct Args {
    /// The command to run; none: the desktop mode.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// 生成手册页或补全脚本 (for packagers): man, cli-reference, bash, zsh, fish, powershell, elvish.
    #[arg(long, hide = true, value_name = "WHAT")]
    pub generate: Option<generate::What>,
    /// Where `--generate man` writes its pages.
    #[arg(long, hide = true, value_name = "DIR", requires = "generate")]
    pub out_dir: Option<std::path::PathBuf>,
}

/// The version line: the crate's version and, when built from a git checkout, its commit.
const VERSION: &str = env!("NIANBAO_VERSION");

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// 检查报告：格式问题与勾稽关系，附行号和标签 (check reports: schema and 勾稽关系, with
    /// line and label)
    #[command(after_help = "示例 (examples):
  nianbao check 某某局.yaml
  nianbao check --previous 去年.yaml 某某局.yaml
  nianbao check --diagnostics json 报告/*.yaml")]
    Check(check::CheckArgs),
    /// 生成一份可填写的完整报告骨架 (write a complete skeleton report to fill in)
    #[command(after_help = "示例 (examples):
  nianbao init --unit 某某县某某局 --year 2025 -o 某某局.yaml
  nianbao init --from 某某局-2024.yaml --year 2025 -o 某某局-2025.yaml")]
    Init(init::InitArgs),
    /// 生成 PDF、DOCX 等：FILE.yaml → FILE.pdf、FILE.docx (render reports to PDF and DOCX)
    #[command(after_help = "示例 (examples):
  nianbao render 某某局.yaml
  nianbao render 某某局.yaml --format pdf,docx,html,ofd -o 输出
  nianbao render 某某局.yaml --pdfa --seal 公章.png")]
    Render(render::RenderArgs),
    /// 批量生成文件夹下所有单位的报告，并写汇总 (render every unit under folders, with a
    /// summary)
    Batch(batch::BatchArgs),
    /// 给已有 PDF 加数字签名（PAdES B-B）(sign an existing PDF with a PKCS#12 key)
    #[command(after_help = "示例 (examples):
  nianbao sign 某某局.pdf -o 某某局-已签名.pdf --sign 单位证书.p12 --seal 公章.png")]
    Sign(sign::SignArgs),
    /// 把已发布的报告（HTML、文本、DOCX、PDF）导入为 YAML (import published reports as YAML)
    #[command(after_help = "示例 (examples):
  nianbao import 2024年报.html -o 某某局-2024.yaml --check
  nianbao import 已发布报告/ -o yaml/")]
    Import(import::ImportArgs),
    /// 像评估方一样审核报告并写审核表 (audit reports as evaluators do: FILE|DIR -o
    /// audit.html|.csv)
    #[command(after_help = "示例 (examples):
  nianbao audit 报告/ --previous 去年/ -o 审核表.html")]
    Audit(audit::AuditArgs),
    /// 为浏览器提供填报和汇总的网页服务 (serve a folder of unit reports to browsers)
    #[command(after_help = "示例 (examples):
  nianbao serve --open 年报文件夹          # 桌面模式：只在本机，自动打开浏览器 (desktop mode)
  nianbao serve --issue-tokens 单位文件夹  # 为每个单位生成登录链接 (login links for every unit)
  nianbao serve --listen 127.0.0.1:8080 单位文件夹")]
    Serve(serve::ServeArgs),
    /// 电子表格：生成单位填写的模板（xlsx template）；填好的表格用 import 读回 (spreadsheets:
    /// the template a unit fills in; a filled one is read back by `import`)
    #[command(after_help = "示例 (examples):
  nianbao xlsx template --unit 某某县某某局 --year 2025 -o 年报数据.xlsx
  nianbao import 年报数据.xlsx -o 某某局.yaml")]
    Xlsx(xlsx::XlsxArgs),
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiagFormat {
    /// 附源文件行和标记，给人看 (with the source line and a caret, for people).
    #[default]
    Human,
    /// 每条一行，给日志和编辑器 (one line each, for logs and editors).
    Short,
    /// JSON，给程序 (JSON, for tools).
    Json,
}

/// The command line as clap sees it, with the help and version flags' own words in Chinese
/// first (the man pages, completions and docs/cli.md are made from this too).
pub fn command() -> clap::Command {
    use clap::{Arg, ArgAction, CommandFactory};
    fn localise(cmd: clap::Command, root: bool) -> clap::Command {
        let mut cmd = cmd.disable_help_flag(true).subcommand_help_heading("命令 (commands)").arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助 (print help)"),
        );
        if root {
            cmd = cmd.disable_version_flag(true).arg(
                Arg::new("version")
                    .short('V')
                    .long("version")
                    .action(ArgAction::Version)
                    .help("显示版本和提交 (print the version and commit)"),
            );
        }
        let cmd = cmd.mut_args(|a| match a.get_help_heading() {
            Some(_) => a,
            None if a.is_positional() => a.help_heading("参数 (arguments)"),
            None => a.help_heading("选项 (options)"),
        });
        cmd.mut_subcommands(|c| localise(c.help_template(SUB_HELP_TEMPLATE), false))
    }
    localise(Args::command(), true)
}

/// Prints an error the one way every subcommand does: `错误：` then the message (Chinese
/// first, English in parentheses).
pub fn error(message: impl std::fmt::Display) {
    eprintln!("错误：{message}");
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return usage_error(&e),
    };
    let args = match <Args as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    if let Some(what) = args.generate {
        return ExitCode::from(generate::run(what, args.out_dir.as_deref()));
    }
    let code = match args.command {
        None => serve::desktop(),
        Some(Command::Check(a)) => check::run(&a),
        Some(Command::Init(a)) => init::run(&a),
        Some(Command::Render(a)) => render::run(&a),
        Some(Command::Batch(a)) => batch::run(&a),
        Some(Command::Sign(a)) => sign::run(&a),
        Some(Command::Import(a)) => import::run(&a),
        Some(Command::Audit(a)) => audit::run(&a),
        Some(Command::Serve(a)) => serve::run(&a),
        Some(Command::Xlsx(a)) => xlsx::run(&a),
    };
    ExitCode::from(code)
}

/// Last year's report given with `--previous`: with one file, compared with it whatever its
/// unit; with several, with the file of the same unit only (`check`, `render`).
pub struct LastYear {
    given: Option<nianbao::Loaded>,
    by_unit: std::collections::HashMap<String, nianbao::Loaded>,
}

impl LastYear {
    /// Last year's report for a run over `files` files.
    pub fn new(previous: Option<nianbao::Loaded>, files: usize) -> LastYear {
        let (mut given, mut by_unit) = (None, std::collections::HashMap::new());
        if let Some(p) = previous {
            if files == 1 {
                given = Some(p);
            } else if let Some(unit) = p.report.as_ref().map(|r| r.unit.text.clone()) {
                by_unit.insert(unit, p);
            }
        }
        LastYear { given, by_unit }
    }

    /// As the check takes it.
    pub fn previous(&self) -> nianbao::Previous<'_> {
        match &self.given {
            Some(p) => nianbao::Previous::Given(p),
            None => nianbao::Previous::SameUnit(&self.by_unit),
        }
    }
}

/// Help and version go to stdout (exit 0); a usage mistake is printed as every other error
/// is (`错误：`), with clap's English explanation after it (exit 2).
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    error(format_args!(
        "命令行有误，用 nianbao --help 查看用法 (usage error; see nianbao --help): {text}"
    ));
    ExitCode::from(2)
}
