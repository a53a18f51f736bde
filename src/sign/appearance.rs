//! Turns the seal image (PNG with alpha, or JPEG) into PDF image XObject data.

use std::io::Write;

use super::SignError;

/// Image data ready to be written as PDF image XObjects.
pub(super) struct SealImage {
    pub width: u32,
    pub height: u32,
    /// `/ColorSpace` name: `DeviceGray`, `DeviceRGB` or `DeviceCMYK`.
    pub color_space: &'static str,
    /// `/Filter` name: `FlateDecode` or `DCTDecode`.
    pub filter: &'static str,
    /// `/Decode` array for inverted (Adobe) CMYK JPEGs.
    pub invert_cmyk: bool,
    /// Filtered colour samples (8 bits per component).
    pub data: Vec<u8>,
    /// Deflated 8-bit alpha channel for an `/SMask`, if the image is not fully opaque.
    pub alpha: Option<Vec<u8>>,
}

impl SealImage {
    /// Decodes PNG or JPEG bytes (detected by signature).
    pub fn decode(bytes: &[u8]) -> Result<Self, SignError> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            decode_png(bytes)
        } else if bytes.starts_with(&[0xFF, 0xD8]) {
            decode_jpeg(bytes)
        } else {
            Err(SignError::InvalidImage("unknown format (not PNG, not JPEG)".to_owned()))
        }
    }
}

fn invalid<E: std::fmt::Display>(e: E) -> SignError {
    SignError::InvalidImage(e.to_string())
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, SignError> {
    // Level 1: seal images are small and mostly flat colour, so the size barely
    // changes, while level 6 took most of the signing time.
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).map_err(invalid)?;
    enc.finish().map_err(invalid)
}

fn decode_png(bytes: &[u8]) -> Result<SealImage, SignError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(invalid)?;
    let size = reader.output_buffer_size().ok_or_else(|| invalid("image too large"))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(invalid)?;
    let pixels = &buf[..info.line_size * info.height as usize];
    let (channels, color_space) = match info.color_type {
        png::ColorType::Grayscale => (1, "DeviceGray"),
        png::ColorType::GrayscaleAlpha => (2, "DeviceGray"),
        png::ColorType::Rgb => (3, "DeviceRGB"),
        png::ColorType::Rgba => (4, "DeviceRGB"),
        png::ColorType::Indexed => return Err(invalid("indexed PNG was not expanded")),
    };
    let has_alpha = channels == 2 || channels == 4;
    let colors = if has_alpha { channels - 1 } else { channels };
    let row_pixels = info.width as usize;
    let mut color = Vec::with_capacity(row_pixels * info.height as usize * colors);
    let mut alpha =
        Vec::with_capacity(if has_alpha { row_pixels * info.height as usize } else { 0 });
    for row in pixels.chunks_exact(info.line_size) {
        for px in row[..row_pixels * channels].chunks_exact(channels) {
            color.extend_from_slice(&px[..colors]);
            if has_alpha {
                alpha.push(px[colors]);
            }
        }
    }
    let alpha =
        if has_alpha && alpha.iter().any(|&a| a != 255) { Some(deflate(&alpha)?) } else { None };
    Ok(SealImage {
        width: info.width,
        height: info.height,
        color_space,
        filter: "FlateDecode",
        invert_cmyk: false,
        data: deflate(&color)?,
        alpha,
    })
}

/// Reads width, height and component count from the JPEG's SOF segment; the data is
/// embedded unchanged with `/DCTDecode`.
fn decode_jpeg(bytes: &[u8]) -> Result<SealImage, SignError> {
    let mut pos = 2;
    let mut adobe = false;
    while pos + 4 <= bytes.len() {
        if bytes[pos] != 0xFF {
            return Err(invalid("corrupt JPEG marker"));
        }
        let marker = bytes[pos + 1];
        if marker == 0xFF {
            pos += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]));
        let seg_end = pos + 2 + len;
        if len < 2 || seg_end > bytes.len() {
            return Err(invalid("truncated JPEG segment"));
        }
        let seg = &bytes[pos + 4..seg_end];
        if marker == 0xEE && seg.starts_with(b"Adobe") {
            adobe = true;
        }
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            if seg.len() < 6 {
                return Err(invalid("truncated JPEG SOF"));
            }
            let precision = seg[0];
            let height = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
            let width = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
            let components = seg[5];
            if precision != 8 || width == 0 || height == 0 {
                return Err(invalid(format!(
                    "unsupported JPEG ({precision}-bit, {width}x{height})"
                )));
            }
            let color_space = match components {
                1 => "DeviceGray",
                3 => "DeviceRGB",
                4 => "DeviceCMYK",
                n => return Err(invalid(format!("JPEG with {n} components"))),
            };
            return Ok(SealImage {
                width,
                height,
                color_space,
                filter: "DCTDecode",
                invert_cmyk: components == 4 && adobe,
                data: bytes.to_vec(),
                alpha: None,
            });
        }
        if marker == 0xDA {
            break;
        }
        pos = seg_end;
    }
    Err(invalid("no JPEG frame header found"))
}
