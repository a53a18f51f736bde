//! A signing session, the library's part of signing a run: the key loaded once, the signing
//! time read once (the only place nianbao reads the clock), the texts of the signature, and where
//! the seal goes. Where the key's bytes and its password come from (a file, a prompt) is the
//! front end's business.

use super::{SealAppearance, SignOptions, Signer, sign_pdf};
use crate::layout::SealPlacement;
use crate::template::Style;

/// Environment variable that fixes the signing time (unix seconds or RFC 3339), for
/// reproducible output in tests. Without it the signing time is the system clock.
pub const SIGNING_TIME_ENV: &str = "NIANBAO_SIGNING_TIME";

/// What a signature says about itself: `/Reason` and `/Location` in its dictionary, shown by
/// PDF readers in the signature panel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInfo {
    /// Why the document is signed, e.g. 发布政府信息公开工作年度报告.
    pub reason: Option<String>,
    /// Where it is signed, e.g. 浙江省舟山市嵊泗县.
    pub location: Option<String>,
}

/// Everything a run signs with, loaded once: the key, the signing time, the texts.
pub struct Signing {
    /// The key and its certificate chain.
    pub signer: Signer,
    /// The claimed signing time, unix seconds.
    pub time_unix: i64,
    /// `/Reason` and `/Location`.
    pub info: SignInfo,
}

impl std::fmt::Debug for Signing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signing").field("time_unix", &self.time_unix).finish_non_exhaustive()
    }
}

impl Signing {
    /// Opens a PKCS#12 key (its bytes and password) and checks the certificate at `time_unix`.
    /// Errors are Chinese first, then English.
    pub fn new(p12: &[u8], password: &str, time_unix: i64, info: SignInfo) -> Result<Self, String> {
        let signer = Signer::from_p12(p12, password, time_unix).map_err(|e| e.to_string())?;
        Ok(Signing { signer, time_unix, info })
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
pub fn page_box(pdf: &[u8], index: Option<usize>) -> Result<(usize, [f32; 4]), String> {
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
