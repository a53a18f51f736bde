//! Turns the seal image (PNG with alpha, or JPEG) into PDF image XObject data.

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

/// The image limits of `check` (a decompression bomb must not be decoded here either).
fn within_limits(width: u32, height: u32) -> Result<(), SignError> {
    use crate::resolve::{MAX_PIXELS, MAX_SIDE_PX};
    if width > MAX_SIDE_PX
        || height > MAX_SIDE_PX
        || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(invalid(format!(
            "image too large: {width} × {height} pixels (limit {MAX_SIDE_PX} per side, \
             {MAX_PIXELS} in all)"
        )));
    }
    Ok(())
}

fn invalid<E: std::fmt::Display>(e: E) -> SignError {
    SignError::InvalidImage(e.to_string())
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, SignError> {
    // Level 1: seal images are small and mostly flat colour, so the size barely
    // changes, while level 6 took most of the signing time. One call with the
    // output sized up front: no intermediate buffer, no regrowing.
    let mut compress = flate2::Compress::new(flate2::Compression::fast(), true);
    let mut out = Vec::with_capacity(data.len() / 4 + 64);
    loop {
        let consumed = usize::try_from(compress.total_in()).map_err(invalid)?;
        let status = compress
            .compress_vec(&data[consumed..], &mut out, flate2::FlushCompress::Finish)
            .map_err(invalid)?;
        if status == flate2::Status::StreamEnd {
            return Ok(out);
        }
        out.reserve(out.capacity().max(4096));
    }
}

fn decode_png(bytes: &[u8]) -> Result<SealImage, SignError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(invalid)?;
    within_limits(reader.info().width, reader.info().height)?;
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
    let rows = pixels.chunks_exact(info.line_size);
    let width = info.width as usize;
    let (color, alpha) = match channels {
        1 => split::<1>(rows, width),
        2 => split::<2>(rows, width),
        3 => split::<3>(rows, width),
        _ => split::<4>(rows, width),
    };
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

/// Splits rows of `C`-channel 8-bit pixels into colour bytes and, for grey + alpha
/// and RGBA, alpha bytes (a PDF image keeps alpha in a separate soft mask). The
/// channel count is a constant so the per-pixel copy compiles to fixed-size moves.
fn split<'a, const C: usize>(
    rows: impl ExactSizeIterator<Item = &'a [u8]>,
    width: usize,
) -> (Vec<u8>, Vec<u8>) {
    let colors = if C.is_multiple_of(2) { C - 1 } else { C };
    let height = rows.len();
    let mut color = vec![0; width * height * colors];
    let mut alpha = vec![0; if colors == C { 0 } else { width * height }];
    let color_rows = color.chunks_exact_mut(width * colors);
    if colors == C {
        for (row, out) in rows.zip(color_rows) {
            out.copy_from_slice(&row[..width * C]);
        }
        return (color, alpha);
    }
    for ((row, c_row), a_row) in rows.zip(color_rows).zip(alpha.chunks_exact_mut(width)) {
        let targets = c_row.chunks_exact_mut(colors).zip(a_row);
        for (px, (c, a)) in row[..width * C].chunks_exact(C).zip(targets) {
            c.copy_from_slice(&px[..colors]);
            *a = px[colors];
        }
    }
    (color, alpha)
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
            within_limits(width, height)?;
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

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn split_separates_alpha_and_drops_row_padding() {
        // Two rows of two RGBA pixels, each row padded with one junk byte.
        let rows = [[1, 2, 3, 10, 4, 5, 6, 20, 99], [7, 8, 9, 30, 11, 12, 13, 40, 99]];
        let (color, alpha) = split::<4>(rows.iter().map(|r| &r[..]), 2);
        assert_eq!(color, [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13]);
        assert_eq!(alpha, [10, 20, 30, 40]);

        let grey_alpha = [[50, 255, 60, 128]];
        let (color, alpha) = split::<2>(grey_alpha.iter().map(|r| &r[..]), 2);
        assert_eq!((color, alpha), (vec![50, 60], vec![255, 128]));

        let rgb = [[1, 2, 3, 4, 5, 6, 0]];
        let (color, alpha) = split::<3>(rgb.iter().map(|r| &r[..]), 2);
        assert_eq!((color, alpha), (vec![1, 2, 3, 4, 5, 6], vec![]));
    }
}
