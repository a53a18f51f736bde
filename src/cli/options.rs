//! The options `render` and `batch` share, and the one place that turns them into an
//! [`Engine`]: the outputs, PDF/A, fonts, the seal, the signing key (password from the
//! environment, a file or one prompt). `batch` has every option `render` has because both
//! flatten [`OutputArgs`].

use nianbao::docx::DocxFonts;
use nianbao::fonts::{FontOverride, FontSpec};
use nianbao::html::HtmlOptions;
use nianbao::io::{Replace, limits, read_capped};
use nianbao::resolve::ImageData;
use nianbao::sign::{SignInfo, Signing, signing_time};
use nianbao::{Engine, EngineOptions, OutputKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Output options of `render` and `batch`.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Outputs to write, comma-separated: pdf, docx, html, ofd, tujie (the 图解: a long PNG,
    /// an SVG and A4 pages; tujie.png, tujie.svg, tujie.pdf one at a time).
    #[arg(long, value_name = "LIST", default_value = "pdf,docx")]
    pub format: String,
    /// 只输出正文，便于贴入网站编辑器。HTML: write only the article, for pasting into a portal's editor (no <head>, no
    /// <style>: classes plus a minimal inline style).
    #[arg(long)]
    pub html_fragment: bool,
    /// 网页中显示印章。HTML: show the seal image over the signature (a published page usually has none).
    #[arg(long)]
    pub html_seal: bool,
    /// 输出归档用的 PDF/A。Write PDF/A-2b for archiving (PDF/A-2a together with --pdfua).
    #[arg(long)]
    pub pdfa: bool,
    /// 不使用本机安装的字体。Draw characters no bundled font has only as missing-glyph boxes, never with an
    /// installed font (the output then depends on nianbao alone, not on the machine).
    #[arg(long)]
    pub no_system_fonts: bool,
    /// PDF 带结构标签（默认）。Tag the PDF for screen readers (the default): headings, paragraphs and the tables'
    /// cells with their labels in reading order, page furniture as artifacts. Kept for
    /// scripts written when tagging had to be asked for.
    #[arg(long, overrides_with = "untagged")]
    pub tagged: bool,
    /// PDF 不带结构标签。Leave the PDF untagged (no structure tree; about a seventh less work for the PDF step,
    /// docs/performance.md).
    /// Bookmarks are written either way.
    #[arg(long, overrides_with = "tagged", conflicts_with = "pdfua")]
    pub untagged: bool,
    /// 输出无障碍 PDF/UA。Claim PDF/UA-1 (accessible PDF) and check the file against it while writing; tags
    /// the PDF.
    #[arg(long)]
    pub pdfua: bool,
    /// 为某一角色换用字体。Use another font for a role: ROLE=FILE or ROLE=FAMILY (installed fonts, via fontdb).
    /// Roles: title, body, heading1, heading2, heading3, heading4, table, table_head,
    /// caption, signature, page_number.
    #[arg(long = "font", value_name = "ROLE=FONT")]
    pub fonts: Vec<FontSpec>,
    /// DOCX 中的字体名称。Font names in the DOCX: `official` (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312,
    /// 宋体; Times New Roman for Latin) or `bundled` (the Fandol families).
    #[arg(long, value_enum, default_value_t = DocxFontsArg::Official)]
    pub docx_fonts: DocxFontsArg,
    /// 落款处的印章图片。Seal image (PNG/JPEG) for the 落款, replacing `signature.seal` or adding one.
    #[arg(long, value_name = "FILE")]
    pub seal: Option<PathBuf>,
    /// 用此证书给 PDF 签名。Sign each PDF (PAdES B-B) with this PKCS#12 key (.p12/.pfx). The seal, if any, becomes
    /// the signature's appearance. Password: env NIANBAO_P12_PASSWORD, else --password-file,
    /// else a prompt; never an argument. Signing time: the clock, or env NIANBAO_SIGNING_TIME
    /// (unix seconds or RFC 3339). A bad key, password or certificate writes nothing (exit 2).
    #[arg(long = "sign", value_name = "KEY.p12")]
    pub sign: Option<PathBuf>,
    /// 密码文件。File whose first line is the PKCS#12 password (with --sign).
    #[arg(long, value_name = "FILE", requires = "sign")]
    pub password_file: Option<PathBuf>,
    #[command(flatten)]
    pub sign_info: SignInfoArgs,
    /// 即使涉及签名也覆盖。Replace existing outputs even when a signature is involved. Without it an output is
    /// replaced only when neither the old file nor the new one carries a signature.
    #[arg(long)]
    pub force: bool,
    /// 图片只从报告所在文件夹读取。Take images (seal, figures) only from each report's own folder: no absolute paths, no
    /// `..`, no link leading out (for reports that come from someone else).
    #[arg(long)]
    pub confine: bool,
}

/// `--reason` and `--location`, shared by `render`, `batch` and `sign`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SignInfoArgs {
    /// 签名理由。With --sign: why the document is signed, e.g. 发布政府信息公开工作年度报告
    /// (the signature's /Reason).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// 签名地点。With --sign: where it is signed, e.g. 浙江省舟山市嵊泗县 (the signature's /Location).
    #[arg(long, value_name = "TEXT")]
    pub location: Option<String>,
}

impl SignInfoArgs {
    /// The library's form.
    pub fn info(&self) -> SignInfo {
        SignInfo { reason: self.reason.clone(), location: self.location.clone() }
    }
}

/// `--docx-fonts` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocxFontsArg {
    /// 公文常用字体名。The official font names editors' machines carry.
    Official,
    /// 内置的 Fandol 字体。The bundled Fandol families.
    Bundled,
}

impl From<DocxFontsArg> for DocxFonts {
    fn from(a: DocxFontsArg) -> Self {
        match a {
            DocxFontsArg::Official => DocxFonts::Official,
            DocxFontsArg::Bundled => DocxFonts::Bundled,
        }
    }
}

impl OutputArgs {
    /// The replacement rule of this run.
    pub fn replace(&self) -> Replace {
        if self.force { Replace::Always } else { Replace::UnlessSigned }
    }

    /// The engine these options ask for: everything a run needs loaded once (fonts, seal,
    /// key and password), and the outputs to make. Errors are printed; the exit code (2)
    /// comes back.
    pub fn engine(&self) -> Result<(Engine, Vec<OutputKind>), u8> {
        self.build().map_err(|e| {
            eprintln!("错误：{e}");
            2
        })
    }

    fn build(&self) -> Result<(Engine, Vec<OutputKind>), String> {
        let outputs = OutputKind::parse_list(&self.format).map_err(|e| format!("--format {e}"))?;
        if self.sign.is_some() && !outputs.contains(&OutputKind::Pdf) {
            return Err("--sign 需要 PDF 输出 (--sign needs the pdf output format)".into());
        }
        let info = self.sign_info.info();
        if self.sign.is_none() && (info.reason.is_some() || info.location.is_some()) {
            return Err(
                "--reason 和 --location 需与 --sign 一起使用 (--reason and --location need --sign)"
                    .into(),
            );
        }
        let fonts = self
            .fonts
            .iter()
            .map(|spec| {
                FontOverride::load(spec).map_err(|e| {
                    format!(
                        "字体不可用 (font unavailable): {}={}: {e}",
                        spec.role.name(),
                        spec.source
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let seal = match &self.seal {
            None => None,
            Some(path) => Some(Arc::new(load_image(path).map_err(|e| {
                format!("无法使用印章图片 {}：{e} (cannot use the seal image)", path.display())
            })?)),
        };
        let options = EngineOptions {
            pdfa: self.pdfa,
            tagged: !self.untagged,
            pdfua: self.pdfua,
            system_fonts: !self.no_system_fonts,
            docx_fonts: self.docx_fonts.into(),
            html: HtmlOptions { fragment: self.html_fragment, seal: self.html_seal },
            fonts,
            seal,
            omit_seal: false,
            extra_formats: Vec::new(),
        };
        let engine = Engine::new(options).map_err(|e| {
            // Name the file as given on the command line (the message names the role).
            let given = self
                .fonts
                .iter()
                .find(|s| e.starts_with(&format!("{} ", s.role.name())))
                .map(|s| format!(" (--font {}={})", s.role.name(), s.source))
                .unwrap_or_default();
            format!("字体不可用 (font unavailable): {e}{given}")
        })?;
        match &self.sign {
            None => Ok((engine, outputs)),
            Some(key) => {
                let signing = load_signing(key, self.password_file.as_deref(), info)?;
                Ok((engine.with_signing(signing), outputs))
            }
        }
    }
}

/// Reads and checks an image named on the command line.
pub fn load_image(path: &Path) -> Result<ImageData, String> {
    let bytes = read_capped(path, limits::IMAGE).map_err(|e| e.to_string())?;
    ImageData::from_bytes(bytes)
}

/// Loads the key (one password prompt) and checks it at the signing time.
pub fn load_signing(
    key: &Path,
    password_file: Option<&Path>,
    info: SignInfo,
) -> Result<Signing, String> {
    let time_unix = signing_time()?;
    let p12 = read_capped(key, limits::KEY).map_err(|e| {
        format!(
            "无法读取密钥文件 {}：{e} (cannot read the key file {})",
            key.display(),
            key.display()
        )
    })?;
    let password = super::password::read_password(password_file).map_err(|e| e.to_string())?;
    Signing::new(&p12, &password, time_unix, info)
        .map_err(|e| format!("{e}\n  --> {}", key.display()))
}
