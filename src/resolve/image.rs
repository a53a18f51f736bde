//! Images (seal, figures): read once, format and pixel size known to both backends.

use std::path::Path;

/// The largest image accepted, in pixels per side and in all (a 42 mm seal at 600 dpi is about
/// 1000 × 1000; a full-page figure at 300 dpi about 2500 × 3500).
pub const MAX_SIDE_PX: u32 = 12_000;
/// Pixels in all (width × height).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Memory the decoder may take for one image.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Image container format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// PNG (may have alpha).
    Png,
    /// JPEG.
    Jpeg,
}

/// An image file's bytes with its format and size in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageData {
    /// The file's bytes, unchanged.
    pub bytes: Vec<u8>,
    /// Format.
    pub kind: ImageKind,
    /// Width in pixels.
    pub width_px: u32,
    /// Height in pixels.
    pub height_px: u32,
}

impl ImageData {
    /// Reads and checks an image file (at most [`crate::io::limits::IMAGE`] bytes).
    pub fn load(path: &Path) -> Result<ImageData, String> {
        let bytes =
            crate::io::read_capped(path, crate::io::limits::IMAGE).map_err(|e| e.message().1)?;
        ImageData::from_bytes(bytes)
    }

    /// Checks image bytes: PNG or JPEG, within the size limits, and decodable to the last
    /// pixel (a bad CRC, a broken zlib stream or a truncated file is found here, not when a PDF
    /// is written). Only PNG and JPEG are accepted.
    pub fn from_bytes(mut bytes: Vec<u8>) -> Result<ImageData, String> {
        let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            ImageKind::Png
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            ImageKind::Jpeg
        } else {
            return Err("not a PNG or JPEG file".into());
        };
        if kind == ImageKind::Png {
            // Bytes after IEND are no part of the image: they are not embedded in the outputs.
            if let Some(end) = png_end(&bytes) {
                bytes.truncate(end);
            }
        }
        let format = match kind {
            ImageKind::Png => image::ImageFormat::Png,
            ImageKind::Jpeg => image::ImageFormat::Jpeg,
        };
        let reader = image::ImageReader::with_format(std::io::Cursor::new(&bytes), format);
        let (width_px, height_px) =
            reader.into_dimensions().map_err(|e| format!("unreadable image: {e}"))?;
        if width_px == 0 || height_px == 0 {
            return Err("empty image".into());
        }
        let pixels = u64::from(width_px) * u64::from(height_px);
        if width_px > MAX_SIDE_PX || height_px > MAX_SIDE_PX || pixels > MAX_PIXELS {
            return Err(format!(
                "image too large: {width_px} × {height_px} pixels (limit {MAX_SIDE_PX} per side, \
                 {MAX_PIXELS} in all)"
            ));
        }
        let mut reader = image::ImageReader::with_format(std::io::Cursor::new(&bytes), format);
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_SIDE_PX);
        limits.max_image_height = Some(MAX_SIDE_PX);
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        reader.limits(limits);
        // A decoder bug must not take a batch down: zune-jpeg 0.5.15 panics in its AVX2
        // upsampler on some broken JPEGs, png 0.18.1 in its palette expansion on a short
        // palette (both found by cargo fuzz, tests/suite/fuzz/).
        match guarded(|| reader.decode()) {
            Some(r) => r.map_err(|e| format!("broken image data: {e}"))?,
            None => return Err("broken image data: the decoder failed on it".into()),
        };
        Ok(ImageData { bytes, kind, width_px, height_px })
    }
}

thread_local! {
    /// Set while a decoder runs under [`guarded`] on this thread.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into `None` without the panic's message and backtrace on
/// stderr (the caller reports the image as broken). Panics elsewhere, on any thread, reach
/// the hook that was installed before, as they did.
fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(std::cell::Cell::get) {
                before(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    result.ok()
}

/// The length of a PNG up to and including its IEND chunk, when the chunks can be walked.
fn png_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 8;
    loop {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        let end = at.checked_add(12)?.checked_add(len)?;
        if end > bytes.len() {
            return None;
        }
        if kind == b"IEND" {
            return Some(end);
        }
        at = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let img = image::RgbaImage::new(w, h);
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn trailing_bytes_after_iend_are_dropped() {
        let clean = png(4, 4);
        let mut padded = clean.clone();
        padded.extend_from_slice(&[0u8; 5000]);
        assert_eq!(ImageData::from_bytes(padded).unwrap().bytes, clean);
    }

    #[test]
    fn images_over_the_pixel_limits_are_refused_before_decoding() {
        // A header claiming 30000 × 30000 (the decompression bomb's shape).
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&30_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&30_000u32.to_be_bytes());
        let err = ImageData::from_bytes(bomb).unwrap_err();
        assert!(err.contains("too large") || err.contains("unreadable"), "{err}");
        // A broken CRC is found by check, not by the PDF writer.
        let mut bad_crc = png(8, 8);
        let n = bad_crc.len();
        bad_crc[n - 20] ^= 0xff;
        assert!(ImageData::from_bytes(bad_crc).is_err());
    }
}
