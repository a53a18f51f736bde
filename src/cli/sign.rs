//! `nianbao sign`: sign an existing PDF. The password comes from `NIANBAO_P12_PASSWORD`,
//! `--password-file` or a prompt, never from an argument. Nothing is written when loading the
//! key or signing fails, and an existing output is only replaced with `--force`.

use super::options::{SignInfoArgs, load_signing};
use clap::Args;
use nianbao::io::{limits, read_capped};
use nianbao::sign::{SealAppearance, default_seal_rect, page_box};
use std::path::{Path, PathBuf};

/// Arguments of `nianbao sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// 要签名的 PDF。The PDF to sign (it stays an unchanged prefix of the output).
    #[arg(value_name = "IN.pdf")]
    pub input: PathBuf,
    /// 签名后的 PDF。The signed PDF to write.
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: PathBuf,
    /// 证书文件。PKCS#12 file (.p12/.pfx) with the signing key and its certificate (chain).
    /// Password: env NIANBAO_P12_PASSWORD, else --password-file, else a prompt.
    #[arg(long = "sign", value_name = "KEY.p12")]
    pub key: PathBuf,
    /// 密码文件。File whose first line is the PKCS#12 password.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// 印章图片。Seal image (PNG with transparency, or JPEG) shown in the signature field.
    /// Without it the signature is invisible.
    #[arg(long, value_name = "FILE")]
    pub seal: Option<PathBuf>,
    /// 印章所在页。Page of the seal, counted from 1 (default: the last page).
    #[arg(long, value_name = "N", requires = "seal", value_parser = clap::value_parser!(u32).range(1..))]
    pub seal_page: Option<u32>,
    /// 印章位置。Seal rectangle x0,y0,x1,y1 in pt, PDF coordinates (origin bottom-left). Default: a
    /// 42 mm square centred 4 characters in from the right edge of the GB/T 9704 type area,
    /// its lower edge on the type area's lower edge (35 mm above the page's bottom).
    #[arg(long, value_name = "x0,y0,x1,y1", requires = "seal", value_parser = parse_rect)]
    pub seal_rect: Option<SealRect>,
    #[command(flatten)]
    pub info: SignInfoArgs,
    /// 覆盖已有文件。Replace OUT.pdf if it exists.
    #[arg(long)]
    pub force: bool,
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

/// Refuses an existing output unless `force` (a signed output never replaces a file).
fn check_overwrite(path: &Path, force: bool) -> Result<(), String> {
    if !force && path.exists() {
        return Err(nianbao::io::exists_message(path));
    }
    Ok(())
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
    let pdf = read_capped(&args.input, limits::PDF).map_err(|e| {
        format!("无法读取 {}：{e} (cannot read {})", args.input.display(), args.input.display())
    })?;
    let signing = load_signing(&args.key, args.password_file.as_deref(), args.info.info())?;
    let appearance = match &args.seal {
        None => None,
        Some(seal) => {
            // Checked like every image `check` sees: capped, within the pixel limits,
            // decodable, bytes after a PNG's IEND dropped.
            let image = super::options::load_image(seal)
                .map_err(|e| {
                    format!(
                        "无法使用印章图片 {}：{e} (cannot use the seal image {})",
                        seal.display(),
                        seal.display()
                    )
                })?
                .bytes;
            let page = args.seal_page.map(|n| n as usize - 1);
            let (count, media_box) = page_box(&pdf, page)?;
            let rect = match args.seal_rect {
                Some(SealRect(r)) => r,
                None => default_seal_rect(media_box, nianbao::template::default_style()),
            };
            Some(SealAppearance {
                page_index: page.unwrap_or(count.saturating_sub(1)),
                rect,
                image,
            })
        }
    };
    let signed = signing.sign(&pdf, appearance)?;
    nianbao::io::write_all(&[(args.output.clone(), signed.as_slice())], replace(args.force))
        .map_err(|e| e.to_string())
}

fn replace(force: bool) -> nianbao::io::Replace {
    if force { nianbao::io::Replace::Always } else { nianbao::io::Replace::UnlessSigned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rects_parse_and_reject_nonsense() {
        assert_eq!(parse_rect("1,2,3,4"), Ok(SealRect([1.0, 2.0, 3.0, 4.0])));
        assert_eq!(parse_rect(" 1.5, 2 ,3,4 "), Ok(SealRect([1.5, 2.0, 3.0, 4.0])));
        assert!(parse_rect("1,2,3").is_err());
        assert!(parse_rect("3,2,1,4").is_err());
        assert!(parse_rect("a,2,3,4").is_err());
    }
}
