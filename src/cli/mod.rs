//! The command line: arguments (clap), and one module per subcommand. Exit codes:
//! 0 success (warnings allowed), 1 a report has errors, 2 usage, I/O, key/certificate/
//! password, signing or internal failure.

mod audit;
mod batch;
mod check;
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

/// Renders 政府信息公开工作年度报告 from YAML to PDF and DOCX, and checks their numbers.
///
/// Exit codes: 0 success (warnings allowed); 1 a report has errors;
/// 2 usage, I/O or internal failure, and every signing failure (wrong password,
/// corrupt .p12, expired or not yet valid certificate, key/certificate mismatch,
/// missing key usage, existing output without --force); nothing is written then.
#[derive(Debug, Parser)]
#[command(name = "nianbao", version, about, long_about = None, arg_required_else_help = true)]
pub struct Args {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check report files: every schema problem and broken 勾稽关系, with line and label.
    Check(check::CheckArgs),
    /// Write a complete skeleton report (every section and table row) to fill in.
    Init(init::InitArgs),
    /// Render reports to PDF (and DOCX): FILE.yaml → FILE.pdf, FILE.docx.
    Render(render::RenderArgs),
    /// Render every unit under folders in parallel, with a summary (JSON, CSV).
    Batch(batch::BatchArgs),
    /// Sign an existing PDF (PAdES B-B, incremental update) with a PKCS#12 key.
    Sign(sign::SignArgs),
    /// Import published reports (HTML, text, DOCX, PDF) as YAML, a file or a folder.
    Import(import::ImportArgs),
    /// Audit reports as evaluators do (prose ↔ table, year ↔ year, 雷同, completeness,
    /// dates) and write an audit sheet: FILE|DIR -o audit.html|.csv.
    Audit(audit::AuditArgs),
    /// Serve a folder of unit reports to browsers and scripts (JSON API, tokens per unit).
    Serve(serve::ServeArgs),
    /// Spreadsheets: the template a unit fills in (`xlsx template`); a filled one is read by `import`.
    Xlsx(xlsx::XlsxArgs),
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiagFormat {
    /// With the source line and a caret (for people).
    #[default]
    Human,
    /// One line each (for logs and editors).
    Short,
    /// JSON (for tools).
    Json,
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let args = Args::parse();
    let code = match args.command {
        Command::Check(a) => check::run(&a),
        Command::Init(a) => init::run(&a),
        Command::Render(a) => render::run(&a),
        Command::Batch(a) => batch::run(&a),
        Command::Sign(a) => sign::run(&a),
        Command::Import(a) => import::run(&a),
        Command::Audit(a) => audit::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Xlsx(a) => xlsx::run(&a),
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
