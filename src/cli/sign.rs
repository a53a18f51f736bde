//! Signing from the command line: `nianbao sign` (re-sign an existing PDF) and the helpers
//! `render --sign` and batch runs share. The key is loaded once ([`Signing::load`]) and reused
//! for every file; the password comes from `NIANBAO_P12_PASSWORD`, `--password-file` or a
//! prompt, never from an argument. Nothing is written when loading the key or signing fails,
//! and an existing output is only replaced with `--force`.

use crate::layout::SealPlacement;
use crate::sign::{SealAppearance, SignOptions, Signer, read_password, sign_pdf};
use crate::template::Style;
use clap::Args;
use std::path::{Path, PathBuf};

/// Environment variable that fixes the signing time (unix seconds or RFC 3339), for
/// reproducible output in tests. Without it the signing time is the system clock.
pub const SIGNING_TIME_ENV: &str = "NIANBAO_SIGNING_TIME";

/// Arguments of `nianbao sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The PDF to sign (it stays an unchanged prefix of the output).
    #[arg(value_name = "IN.pdf")]
    pub input: PathBuf,
    /// The signed PDF to write.
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: PathBuf,
    /// PKCS#12 file (.p12/.pfx) with the signing key and its certificate (chain).
    /// Password: env NIANBAO_P12_PASSWORD, else --password-file, else a prompt.
    #[arg(long = "sign", value_name = "KEY.p12")]
    pub key: PathBuf,
    /// File whose first line is the PKCS#12 password.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Seal image (PNG with transparency, or JPEG) shown in the signature field.
    /// Without it the signature is invisible.
    #[arg(long, value_name = "FILE")]
    pub seal: Option<PathBuf>,
    /// Page of the seal, counted from 1 (default: the last page).
    #[arg(long, value_name = "N", requires = "seal", value_parser = clap::value_parser!(u32).range(1..))]
    pub seal_page: Option<u32>,
    /// Seal rectangle x0,y0,x1,y1 in pt, PDF coordinates (origin bottom-left). Default: a
    /// 42 mm square centred 4 characters in from the right edge of the GB/T 9704 type area,
    /// its lower edge on the type area's lower edge (35 mm above the page's bottom).
    #[arg(long, value_name = "x0,y0,x1,y1", requires = "seal", value_parser = parse_rect)]
    pub seal_rect: Option<SealRect>,
    #[command(flatten)]
    pub info: SignInfo,
    /// Replace OUT.pdf if it exists.
    #[arg(long)]
    pub force: bool,
}

/// What a signature says about itself: `/Reason` and `/Location` in its dictionary,
/// shown by PDF readers in the signature panel. Shared by `render`, `batch` and `sign`.
#[derive(Debug, Clone, Default, Args)]
pub struct SignInfo {
    /// With --sign: why the document is signed, e.g. 发布政府信息公开工作年度报告
    /// (the signature's /Reason).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// With --sign: where it is signed, e.g. 浙江省舟山市嵊泗县 (the signature's /Location).
    #[arg(long, value_name = "TEXT")]
    pub location: Option<String>,
}

impl SignInfo {
    /// Whether either text was given.
    pub fn is_set(&self) -> bool {
        self.reason.is_some() || self.location.is_some()
    }
}

/// Everything a run signs with, loaded once: the key, the signing time, the texts.
pub struct Signing {
    pub signer: Signer,
    pub time_unix: i64,
    pub info: SignInfo,
}

impl Signing {
    /// Loads and checks the key at the signing time ([`signing_time`]); one password prompt.
    pub fn load(key: &Path, password_file: Option<&Path>, info: &SignInfo) -> Result<Self, String> {
        let time_unix = signing_time()?;
        let signer = load_signer_at(key, password_file, time_unix)?;
        Ok(Signing { signer, time_unix, info: info.clone() })
    }

    /// Signs `pdf`, with `appearance` as the visible seal (none: an invisible signature).
    pub fn sign(&self, pdf: &[u8], appearance: Option<SealAppearance>) -> Result<Vec<u8>, String> {
        let options = SignOptions {
            signing_time_unix: self.time_unix,
            appearance,
            reason: self.info.reason.clone(),
            location: self.info.location.clone(),
        };
        sign_pdf(pdf, &self.signer, &options).map_err(|e| e.to_string())
    }
}

/// A seal rectangle given on the command line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SealRect(pub [f32; 4]);

/// Parses `x0,y0,x1,y1` (pt).
pub fn parse_rect(s: &str) -> Result<SealRect, String> {
    let nums: Vec<f32> = s
        .split(',')
        .map(|p| p.trim().parse::<f32>().map_err(|_| format!("`{p}` is not a number")))
        .collect::<Result<_, _>>()?;
    let [x0, y0, x1, y1]: [f32; 4] =
        nums.try_into().map_err(|_| "expected four numbers x0,y0,x1,y1".to_string())?;
    if !(x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite())
        || x1 <= x0
        || y1 <= y0
    {
        return Err("expected x0 < x1 and y0 < y1".into());
    }
    Ok(SealRect([x0, y0, x1, y1]))
}

/// The signing time in unix seconds: `NIANBAO_SIGNING_TIME` if set, else the system clock.
/// This is the one place nianbao reads the clock; rendering never does.
pub fn signing_time() -> Result<i64, String> {
    match std::env::var(SIGNING_TIME_ENV) {
        Ok(v) => parse_time(v.trim()).ok_or_else(|| {
            format!(
                "环境变量 {SIGNING_TIME_ENV} 不是有效时间：{v} \
                 ({SIGNING_TIME_ENV} must be unix seconds or RFC 3339, e.g. 2025-01-22T10:00:00+08:00)"
            )
        }),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .map_err(|e| format!("系统时钟早于 1970 年 (the system clock is before 1970: {e})")),
    }
}

/// Unix seconds, or RFC 3339 (`2025-01-22T10:00:00Z`, `…+08:00`, fraction ignored).
fn parse_time(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) { t.parse().ok() } else { None }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || rb[3] != b':' || !matches!(rb[0], b'+' | b'-') {
                return None;
            }
            let h: i64 = rest[1..3].parse().ok()?;
            let m: i64 = rest[4..6].parse().ok()?;
            if h > 23 || m > 59 {
                return None;
            }
            let sign = if rb[0] == b'-' { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
    };
    let dt = der::DateTime::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
        u8::try_from(hour).ok()?,
        u8::try_from(min).ok()?,
        u8::try_from(sec).ok()?,
    )
    .ok()?;
    Some(dt.unix_duration().as_secs() as i64 - offset)
}

/// Reads the password (env, file or prompt), opens the PKCS#12 file and checks the
/// certificate at `now_unix` (unix seconds). Errors are Chinese first, then English.
pub fn load_signer_at(
    path: &Path,
    password_file: Option<&Path>,
    now_unix: i64,
) -> Result<Signer, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "无法读取密钥文件 {}：{e} (cannot read the key file {})",
            path.display(),
            path.display()
        )
    })?;
    let password = read_password(password_file).map_err(|e| e.to_string())?;
    Signer::from_p12(&bytes, &password, now_unix)
        .map_err(|e| format!("{e}\n  --> {}", path.display()))
}

/// The widget rectangle of a layout seal: `[left, top, width, height]` from the page's top-left
/// corner → `[x0, y0, x1, y1]` in PDF user space (origin bottom-left) on a page `page_height`
/// pt high.
pub fn seal_rect_pdf(placement: &SealPlacement, page_height: f64) -> [f32; 4] {
    let [left, top, w, h] = placement.rect;
    [left as f32, (page_height - top - h) as f32, (left + w) as f32, (page_height - top) as f32]
}

/// Signs a PDF nianbao rendered (with `omit_seal`), showing the layout's seal, if any, as the
/// signature's appearance at the place the layout reserved for it.
pub fn sign_rendered(
    pdf: &[u8],
    seal: Option<&SealPlacement>,
    style: &Style,
    signing: &Signing,
) -> Result<Vec<u8>, String> {
    let appearance = seal.map(|p| SealAppearance {
        page_index: p.page,
        rect: seal_rect_pdf(p, style.page.height.to_pt()),
        image: p.image.bytes.clone(),
    });
    signing.sign(pdf, appearance)
}

/// [`load_signing`] for a command: an error is printed and becomes exit code 2.
pub fn load_signing_or_report(
    key: Option<&Path>,
    password_file: Option<&Path>,
    info: &SignInfo,
) -> Result<Option<Signing>, u8> {
    load_signing(key, password_file, info).map_err(|e| {
        eprintln!("错误：{e}");
        2
    })
}

/// Loads the key for a `render` or `batch` run with `--sign` (one password prompt), or
/// refuses `--reason`/`--location` without it.
pub fn load_signing(
    key: Option<&Path>,
    password_file: Option<&Path>,
    info: &SignInfo,
) -> Result<Option<Signing>, String> {
    let Some(key) = key else {
        if info.is_set() {
            return Err("--reason 和 --location 需与 --sign 一起使用 (error: --reason and --location need --sign)".into());
        }
        return Ok(None);
    };
    Signing::load(key, password_file, info).map(Some)
}

/// The default seal rectangle on a page with the given media box: a square of the style's seal
/// size, centred 4 body characters in from the right edge of the type area (版心), its lower edge
/// on the type area's lower edge. The type area is the style's, anchored to the page's right
/// and bottom edges, so it is exact on A4 and sensible on other sizes.
pub fn default_seal_rect(media_box: [f32; 4], style: &Style) -> [f32; 4] {
    let page = &style.page;
    let d = style.seal_size.to_pt() as f32;
    let right = media_box[2] - page.margin_right.to_pt() as f32;
    let cx = right - 4.0 * page.char_pitch().to_pt() as f32;
    let y0 = media_box[1] + page.margin_bottom.to_pt() as f32;
    [cx - d / 2.0, y0, cx + d / 2.0, y0 + d]
}

/// Page count and the last page's (or page `index`'s) media box, read with lopdf.
fn page_box(pdf: &[u8], index: Option<usize>) -> Result<(usize, [f32; 4]), String> {
    let doc = lopdf::Document::load_mem(pdf)
        .map_err(|e| format!("无法读取 PDF 文件 (cannot read the PDF: {e})"))?;
    let pages = doc.get_pages();
    let count = pages.len();
    let index = index.unwrap_or(count.saturating_sub(1));
    let Some(&id) = pages.values().nth(index) else {
        return Err(format!(
            "印章页码超出范围：第 {} 页，文档共 {count} 页 (seal page {} is out of range; the document has {count} pages)",
            index + 1,
            index + 1
        ));
    };
    // /MediaBox may be inherited from a /Pages node.
    let mut node = doc.get_dictionary(id).ok();
    let mut depth = 0;
    while let Some(dict) = node {
        if let Ok(obj) = dict.get(b"MediaBox") {
            let arr = match obj {
                lopdf::Object::Reference(r) => doc.get_object(*r).and_then(|o| o.as_array()),
                o => o.as_array(),
            };
            if let Ok(arr) = arr
                && arr.len() == 4
            {
                let v: Vec<f32> = arr.iter().filter_map(|o| o.as_float().ok()).collect();
                if let [a, b, c, d] = v[..] {
                    return Ok((count, [a.min(c), b.min(d), a.max(c), b.max(d)]));
                }
            }
            break;
        }
        depth += 1;
        node = dict
            .get(b"Parent")
            .and_then(|p| p.as_reference())
            .and_then(|r| doc.get_dictionary(r))
            .ok()
            .filter(|_| depth < 64);
    }
    // No readable /MediaBox: A4, the default of this tool.
    Ok((count, [0.0, 0.0, 595.276, 841.89]))
}

/// The message for an output that exists and was not replaced.
pub fn exists_message(path: &Path) -> String {
    format!(
        "输出文件 {} 已存在，未覆盖；如需覆盖请加 --force ({} exists; use --force to replace it)",
        path.display(),
        path.display()
    )
}

/// Refuses an existing output unless `force`; the message is ready to print.
pub fn check_overwrite(path: &Path, force: bool) -> Result<(), String> {
    if !force && path.exists() {
        return Err(exists_message(path));
    }
    Ok(())
}

/// Writes a signed file: atomic, and without `force` never over an existing file.
pub fn write_output(path: &Path, bytes: &[u8], force: bool) -> Result<(), String> {
    super::write_atomic(path, bytes, force).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            exists_message(path)
        } else {
            format!("无法写入 {}：{e} (cannot write {})", path.display(), path.display())
        }
    })
}

/// Runs `nianbao sign`; returns the exit code (0 signed, 2 any failure, nothing written).
pub fn run(args: &SignArgs) -> u8 {
    match sign_file(args) {
        Ok(()) => {
            println!("✓ {} → {}（已签名 / signed）", args.input.display(), args.output.display());
            0
        }
        Err(e) => {
            eprintln!("错误：{e}");
            2
        }
    }
}

fn sign_file(args: &SignArgs) -> Result<(), String> {
    check_overwrite(&args.output, args.force)?;
    let pdf = std::fs::read(&args.input).map_err(|e| {
        format!("无法读取 {}：{e} (cannot read {})", args.input.display(), args.input.display())
    })?;
    let signing = Signing::load(&args.key, args.password_file.as_deref(), &args.info)?;
    let appearance = match &args.seal {
        None => None,
        Some(seal) => {
            let image = std::fs::read(seal).map_err(|e| {
                format!(
                    "无法读取印章图片 {}：{e} (cannot read the seal image {})",
                    seal.display(),
                    seal.display()
                )
            })?;
            let page = args.seal_page.map(|n| n as usize - 1);
            let (count, media_box) = page_box(&pdf, page)?;
            let rect = match args.seal_rect {
                Some(SealRect(r)) => r,
                None => default_seal_rect(media_box, crate::template::default_style()),
            };
            Some(SealAppearance {
                page_index: page.unwrap_or(count.saturating_sub(1)),
                rect,
                image,
            })
        }
    };
    let signed = signing.sign(&pdf, appearance)?;
    write_output(&args.output, &signed, args.force)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_unix_or_rfc3339() {
        assert_eq!(parse_time("1768473000"), Some(1_768_473_000));
        assert_eq!(parse_time("2026-01-15T10:30:00Z"), Some(1_768_473_000));
        assert_eq!(parse_time("2026-01-15T18:30:00+08:00"), Some(1_768_473_000));
        assert_eq!(parse_time("2026-01-15t10:30:00.25z"), Some(1_768_473_000));
        assert_eq!(parse_time("2026-01-15T05:30:00-05:00"), Some(1_768_473_000));
        for bad in ["", "soon", "2026-01-15", "2026-13-15T10:30:00Z", "2026-01-15T10:30:00"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn rects_parse_and_reject_nonsense() {
        assert_eq!(parse_rect("1,2,3,4"), Ok(SealRect([1.0, 2.0, 3.0, 4.0])));
        assert_eq!(parse_rect(" 1.5, 2 ,3,4 "), Ok(SealRect([1.5, 2.0, 3.0, 4.0])));
        assert!(parse_rect("1,2,3").is_err());
        assert!(parse_rect("3,2,1,4").is_err());
        assert!(parse_rect("a,2,3,4").is_err());
    }

    #[test]
    fn layout_seal_converts_to_bottom_left_space() {
        let image = std::sync::Arc::new(crate::resolve::ImageData {
            bytes: Vec::new(),
            kind: crate::resolve::ImageKind::Png,
            width_px: 1,
            height_px: 1,
        });
        let p = SealPlacement { page: 2, rect: [100.0, 600.0, 119.0, 119.0], image };
        assert_eq!(seal_rect_pdf(&p, 842.0), [100.0, 123.0, 219.0, 242.0]);
    }

    #[test]
    fn default_rect_on_a4_sits_on_the_type_area() {
        let style = crate::template::default_style();
        let r = default_seal_rect([0.0, 0.0, 595.276, 841.89], style);
        let mm = 72.0 / 25.4;
        // 42 mm square; centre 26 mm + 4 × 5.571 mm from the right edge; bottom 35 mm up
        assert!(((r[2] - r[0]) - 42.0 * mm).abs() < 0.01);
        assert!(((r[3] - r[1]) - 42.0 * mm).abs() < 0.01);
        let cx = (r[0] + r[2]) / 2.0;
        assert!((cx - (595.276 - (26.0 + 4.0 * 156.0 / 28.0) * mm)).abs() < 0.05, "{cx}");
        assert!((r[1] - 35.0 * mm).abs() < 0.01);
    }
}
