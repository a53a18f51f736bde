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
    pub fn from_bytes(bytes: Vec<u8>) -> Result<ImageData, String> {
        let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            ImageKind::Png
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            ImageKind::Jpeg
        } else {
            return Err("not a PNG or JPEG file".into());
        };
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
        reader.decode().map_err(|e| format!("broken image data: {e}"))?;
        Ok(ImageData { bytes, kind, width_px, height_px })
    }
}
