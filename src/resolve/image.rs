//! Images (seal, figures): read once, format and pixel size known to both backends.

use std::path::Path;

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
    /// Reads and checks an image file. Only PNG and JPEG are accepted.
    pub fn load(path: &Path) -> Result<ImageData, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        ImageData::from_bytes(bytes)
    }

    /// Checks image bytes. Only PNG and JPEG are accepted.
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
        Ok(ImageData { bytes, kind, width_px, height_px })
    }
}
