//! 落款 arrangement shared by both backends (GB/T 9704 §7.3.5): which lines the unit
//! name turns into, how far each line stands from the right edge of the 版心, and
//! where the seal's centre goes. Lengths are in body characters (the grid pitch)
//! and lines, so the PDF and the DOCX set the same lines at the same places.

use super::SignatureBlock;
use super::breaks::{break_lines, em_width};

/// One line of the signature block.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureLine {
    /// The text.
    pub text: String,
    /// Space between the line's end and the right edge of the 版心, in characters.
    pub right_chars: f64,
    /// Estimated width in characters.
    pub width_chars: f64,
}

/// The signature block's lines and the seal's centre.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureLayout {
    /// The unit name's lines, then the date's line.
    pub lines: Vec<SignatureLine>,
    /// How many of `lines` are the unit name.
    pub unit_lines: usize,
    /// The seal's centre: (characters from the right edge of the 版心, lines below
    /// the top of the first line). None without a seal.
    pub seal_centre: Option<(f64, f64)>,
}

impl SignatureBlock {
    /// Arranges the block for a measure of `chars_per_line` characters and a line
    /// pitch of `pitch` pt (the seal's diameter is in pt). Lines break on the
    /// estimated widths (so both backends turn them alike); `width` gives the width
    /// of a text in characters for placing them (the PDF measures its glyphs, the
    /// DOCX passes [`em_width`]).
    ///
    /// With a seal (§7.3.5.1) the date stands 右空四字 and each line of the unit
    /// name is centred on it, so a name turns into lines no wider than the date plus
    /// eight characters; the seal is centred on the date with the name and date in
    /// its lower half (印章…居中下压发文机关署名和成文日期，使其居印章中心偏下). Without
    /// (§7.3.5.2) the name stands 右空二字 and the date's first character two
    /// characters right of the name's; a date longer than that stands 右空二字 and
    /// pushes the name left.
    pub fn arrange(
        &self,
        chars_per_line: u32,
        pitch: f64,
        width: &dyn Fn(&str) -> f64,
    ) -> SignatureLayout {
        let measure = f64::from(chars_per_line);
        let sealed = self.seal.is_some();
        let max = if sealed {
            let est = self.date.as_deref().map_or(0.0, em_width);
            if self.date.is_some() { 8.0 + est } else { measure - 4.0 }
        } else {
            measure - 2.0
        };
        // Units signing together: each starts a line, the lead unit first (联合行文).
        let names: Vec<String> = std::iter::once(&self.unit)
            .chain(&self.joint)
            .flat_map(|u| break_lines(u, max.max(2.0), &[]))
            .collect();
        let date_w = self.date.as_deref().map_or(0.0, width);
        let widths: Vec<f64> = names.iter().map(|n| width(n)).collect();
        let widest = widths.iter().copied().fold(0.0, f64::max);
        let line = |text: &str, right: f64, width: f64| SignatureLine {
            text: text.to_string(),
            right_chars: right.max(0.0),
            width_chars: width,
        };
        let mut lines = Vec::new();
        if sealed {
            // Centre of the name lines, in characters from the right edge.
            let centre = if self.date.is_some() { 4.0 + date_w / 2.0 } else { 4.0 + widest / 2.0 };
            for (n, &w) in names.iter().zip(&widths) {
                lines.push(line(n, centre - w / 2.0, w));
            }
            if let Some(d) = &self.date {
                lines.push(line(d, 4.0, date_w));
            }
        } else {
            // The date starts two characters right of the name's first character.
            let mut name_right = 2.0;
            let mut date_right = widest - 2.0 - date_w + name_right;
            if self.date.is_some() && date_right < 2.0 {
                name_right += 2.0 - date_right;
                date_right = 2.0;
            }
            for (n, &w) in names.iter().zip(&widths) {
                lines.push(line(n, name_right, w));
            }
            if let Some(d) = &self.date {
                lines.push(line(d, date_right, date_w));
            }
        }
        let unit_lines = names.len();
        let seal_centre = self.seal.as_ref().map(|(_, diameter)| {
            let d = diameter.to_pt();
            let x = lines.last().map_or(4.0, |l| l.right_chars + l.width_chars / 2.0);
            let n = lines.len() as f64;
            // The first line's centre 0.2 line below the seal's centre (all text in
            // the seal's lower half) …
            let mut y = 0.3;
            // … unless the block is taller than that allows: then the last line's
            // centre stays 0.6 line inside the seal's lower edge.
            let radius = d / 2.0 / pitch;
            let last_centre = n - 0.5;
            if last_centre - y > radius - 0.6 {
                y = last_centre - radius + 0.6;
            }
            (x, y)
        });
        SignatureLayout { lines, unit_lines, seal_centre }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Abs;

    fn block(unit: &str, seal: bool) -> SignatureBlock {
        let image = crate::resolve::ImageData {
            bytes: Vec::new(),
            kind: crate::resolve::ImageKind::Png,
            width_px: 100,
            height_px: 100,
        };
        SignatureBlock {
            unit: unit.to_string(),
            joint: Vec::new(),
            date: Some("2025年1月22日".to_string()),
            seal: seal.then(|| (std::sync::Arc::new(image), Abs::mm(42.0))),
            seal_alt: None,
        }
    }

    #[test]
    fn long_name_turns_and_stays_inside() {
        let unit = "某某省某某市某某县人民政府办公室（某某县大数据发展管理局、某某县政务服务中心）";
        for seal in [true, false] {
            let a = block(unit, seal).arrange(28, 28.99, &em_width);
            assert!(a.unit_lines >= 2, "{a:?}");
            let joined: String = a.lines[..a.unit_lines].iter().map(|l| l.text.as_str()).collect();
            assert_eq!(joined, unit);
            for l in &a.lines {
                assert!(l.right_chars >= 0.0 && l.right_chars + l.width_chars <= 28.0, "{l:?}");
            }
            let date = a.lines.last().unwrap();
            assert_eq!(date.right_chars, if seal { 4.0 } else { date.right_chars });
        }
    }

    #[test]
    fn short_name_keeps_the_old_places() {
        let a = block("嵊泗县人民政府办公室", true).arrange(28, 28.99, &em_width);
        assert_eq!(a.unit_lines, 1);
        assert_eq!(a.lines[1].right_chars, 4.0);
        assert!((a.lines[0].right_chars - (4.0 + (6.5 - 10.0) / 2.0)).abs() < 1e-9);
        let (_, y) = a.seal_centre.unwrap();
        assert!(y < 0.5, "the name's centre must lie below the seal's");
        let a = block("嵊泗县人民政府办公室", false).arrange(28, 28.99, &em_width);
        assert_eq!(a.lines[0].right_chars, 2.0);
        assert!((a.lines[1].right_chars - (10.0 - 6.5)).abs() < 1e-9);
    }
}
