//! `nianbao render`: check, then write the PDF (and DOCX) next to the input or
//! into `-o OUTDIR`. Nothing is written for a file with errors; every write is
//! atomic (temporary file, then rename). With `--sign` the PDF is rendered without
//! the seal on the page and signed, the seal becoming the signature's appearance;
//! signed runs never replace an existing file without `--force`.

use super::DiagFormat;
use crate::diag::{Diagnostic, render_human, render_short};
use crate::fonts::{FontBook, FontOverride};
use crate::render::{RenderOptions, render_with_seal};
use crate::resolve::ImageData;
use crate::source::SourceFile;
use crate::template::default_style;
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Arguments of `nianbao render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Report files (YAML).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output folder (default: each input's folder).
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: Option<PathBuf>,
    /// Outputs to write: pdf, docx or pdf,docx.
    #[arg(long, value_name = "LIST", default_value = "pdf,docx")]
    pub format: String,
    /// Write PDF/A-2b for archiving.
    #[arg(long)]
    pub pdfa: bool,
    /// Use another font for a role: ROLE=FILE or ROLE=FAMILY (installed fonts, via fontdb).
    /// Roles: title, body, heading1, heading2, heading3, heading4, table, table_head,
    /// caption, signature, page_number.
    #[arg(long = "font", value_name = "ROLE=FONT")]
    pub fonts: Vec<FontOverride>,
    /// Font names in the DOCX: `official` (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312,
    /// 宋体; Times New Roman for Latin) or `bundled` (the Fandol families).
    #[arg(long, value_enum, default_value_t = DocxFontsArg::Official)]
    pub docx_fonts: DocxFontsArg,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
    pub diagnostics: DiagFormat,
    /// Sign each PDF (PAdES B-B) with this PKCS#12 key (.p12/.pfx). The seal, if any, becomes
    /// the signature's appearance. Password: env NIANBAO_P12_PASSWORD, else --password-file,
    /// else a prompt; never an argument. Signing time: the clock, or env NIANBAO_SIGNING_TIME
    /// (unix seconds or RFC 3339). A bad key, password or certificate writes nothing (exit 2).
    #[arg(long = "sign", value_name = "KEY.p12")]
    pub sign: Option<PathBuf>,
    /// File whose first line is the PKCS#12 password (with --sign).
    #[arg(long, value_name = "FILE", requires = "sign")]
    pub password_file: Option<PathBuf>,
    #[command(flatten)]
    pub sign_info: super::sign::SignInfo,
    /// Seal image (PNG/JPEG) for the 落款, replacing `signature.seal` or adding one.
    #[arg(long, value_name = "FILE")]
    pub seal: Option<PathBuf>,
    /// With --sign: replace existing output files (signed runs never overwrite otherwise).
    #[arg(long)]
    pub force: bool,
}

/// `--docx-fonts` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocxFontsArg {
    /// The official font names editors' machines carry.
    Official,
    /// The bundled Fandol families.
    Bundled,
}

impl From<DocxFontsArg> for crate::docx::DocxFonts {
    fn from(a: DocxFontsArg) -> Self {
        match a {
            DocxFontsArg::Official => crate::docx::DocxFonts::Official,
            DocxFontsArg::Bundled => crate::docx::DocxFonts::Bundled,
        }
    }
}

/// Which outputs a `--format` list asks for.
pub fn parse_formats(list: &str) -> Result<(bool, bool), String> {
    let (mut pdf, mut docx) = (false, false);
    for part in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match part {
            "pdf" => pdf = true,
            "docx" => docx = true,
            other => return Err(format!("unknown output format `{other}` (pdf, docx)")),
        }
    }
    if !pdf && !docx {
        return Err("no output format given (pdf, docx)".into());
    }
    Ok((pdf, docx))
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

/// The output path for an input and an extension.
pub fn output_path(input: &Path, outdir: Option<&Path>, ext: &str) -> PathBuf {
    let stem =
        input.file_stem().map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
    let dir = match outdir {
        Some(d) => d.to_path_buf(),
        None => input.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    dir.join(format!("{stem}.{ext}"))
}

/// Runs `render`; returns the exit code.
pub fn run(args: &RenderArgs) -> u8 {
    let (pdf, docx) = match parse_formats(&args.format) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误：--format {e}");
            return 2;
        }
    };
    if args.sign.is_some() && !pdf {
        eprintln!("错误：--sign 需要 PDF 输出 (error: --sign needs the pdf output format)");
        return 2;
    }
    let style = default_style();
    let fonts = match FontBook::new(style, &args.fonts) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误：字体不可用 (error: font unavailable): {e}");
            return 2;
        }
    };
    let seal = match &args.seal {
        None => None,
        Some(path) => match ImageData::load(path) {
            Ok(img) => Some(Arc::new(img)),
            Err(e) => {
                eprintln!(
                    "错误：无法使用印章图片 {}：{e} (error: cannot use the seal image)",
                    path.display()
                );
                return 2;
            }
        },
    };
    // The key is loaded (and the password asked) once for all files.
    let signing = match super::sign::load_signing_or_report(
        args.sign.as_deref(),
        args.password_file.as_deref(),
        &args.sign_info,
    ) {
        Ok(s) => s,
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
    // Signed: the seal is the signature widget's appearance, not page content.
    let options = RenderOptions {
        pdf,
        docx,
        pdfa: args.pdfa,
        omit_seal: signing.is_some(),
        docx_fonts: args.docx_fonts.into(),
    };
    // Signed outputs are never replaced without --force; unsigned renders keep replacing.
    let overwrite = signing.is_none() || args.force;
    let mut code = 0;
    for input in &args.files {
        if !overwrite {
            let existing = [(pdf, "pdf"), (docx, "docx")]
                .into_iter()
                .filter(|&(on, _)| on)
                .map(|(_, ext)| output_path(input, args.output.as_deref(), ext))
                .find(|p| p.exists());
            if let Some(path) = existing {
                eprintln!("错误：{}", super::sign::exists_message(&path));
                code = 2;
                continue;
            }
        }
        let loaded = crate::load_and_check(input);
        print_diags(&loaded.diags, &loaded.file, args.diagnostics);
        if !loaded.is_ok() {
            let io = loaded.diags.iter().any(|d| d.code == crate::diag::Code::Io);
            code = code.max(if io { 2 } else { 1 });
            eprintln!("✗ {}：有错误，未生成文件 (errors: nothing written)", input.display());
            continue;
        }
        let mut rendered = match render_with_seal(&loaded, &fonts, style, options, seal.as_ref()) {
            Ok(r) => r,
            Err(diags) => {
                print_diags(&diags, &loaded.file, args.diagnostics);
                code = code.max(1);
                continue;
            }
        };
        print_diags(&rendered.warnings, &loaded.file, args.diagnostics);
        if let (Some(signing), Some(unsigned)) = (&signing, &rendered.pdf) {
            match super::sign::sign_rendered(unsigned, rendered.seal.as_ref(), style, signing) {
                Ok(signed) => rendered.pdf = Some(signed),
                Err(e) => {
                    eprintln!("错误：{}：{e}", input.display());
                    code = 2;
                    continue;
                }
            }
        }
        let mut written = Vec::new();
        for (bytes, ext) in [(&rendered.pdf, "pdf"), (&rendered.docx, "docx")] {
            let Some(bytes) = bytes else { continue };
            let path = output_path(input, args.output.as_deref(), ext);
            match super::write_atomic(&path, bytes, overwrite) {
                Ok(()) => written.push(path.display().to_string()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    eprintln!("错误：{}", super::sign::exists_message(&path));
                    code = 2;
                    break;
                }
                Err(e) => {
                    // Stop here: the unit's documents are written in order (PDF, DOCX)
                    // and a later one is not written when an earlier one failed.
                    eprintln!("错误：无法写入 {}：{e} (error: cannot write it)", path.display());
                    code = 2;
                    break;
                }
            }
        }
        if !written.is_empty() {
            let signed = if signing.is_some() { "，已签名 / signed" } else { "" };
            // A DOCX alone has no page count of ours: Word paginates it (#14 item 11).
            let pages = if rendered.pdf.is_some() {
                format!("（{} 页 / pages{signed}）", rendered.pages)
            } else {
                String::new()
            };
            println!("✓ {} → {}{pages}", input.display(), written.join(", "));
        }
    }
    code
}
