//! Lengths: one newtype in points, with the mm and 字号 (Chinese font size names)
//! conversions settled once, when templates are read.

use std::ops::{Add, Div, Mul, Sub};

/// An absolute length in PostScript points (1/72 in).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Abs(f64);

impl Abs {
    /// Zero length.
    pub const ZERO: Abs = Abs(0.0);

    /// A length in points.
    pub const fn pt(pt: f64) -> Abs {
        Abs(pt)
    }

    /// A length in millimetres.
    pub fn mm(mm: f64) -> Abs {
        Abs(mm * 72.0 / 25.4)
    }

    /// The length in points.
    pub fn to_pt(self) -> f64 {
        self.0
    }

    /// The length in millimetres.
    pub fn to_mm(self) -> f64 {
        self.0 * 25.4 / 72.0
    }

    /// The length in twentieths of a point (DOCX "twips"), rounded.
    pub fn to_twips(self) -> i64 {
        (self.0 * 20.0).round() as i64
    }

    /// The length in English Metric Units (DOCX drawings), rounded.
    pub fn to_emu(self) -> i64 {
        (self.0 * 12700.0).round() as i64
    }

    /// The larger of two lengths.
    pub fn max(self, other: Abs) -> Abs {
        if other.0 > self.0 { other } else { self }
    }

    /// The smaller of two lengths.
    pub fn min(self, other: Abs) -> Abs {
        if other.0 < self.0 { other } else { self }
    }

    /// Parses `12pt`, `37mm`, `1.5cm` or a 字号 name such as `三号`, `小四`.
    pub fn parse(text: &str) -> Option<Abs> {
        let text = text.trim();
        if let Some(size) = font_size_name(text) {
            return Some(size);
        }
        let (num, unit) = text.split_at(text.find(|c: char| c.is_alphabetic())?);
        let value: f64 = num.trim().parse().ok()?;
        if !value.is_finite() || value < 0.0 {
            return None;
        }
        match unit {
            "pt" => Some(Abs::pt(value)),
            "mm" => Some(Abs::mm(value)),
            "cm" => Some(Abs::mm(value * 10.0)),
            "in" => Some(Abs::pt(value * 72.0)),
            _ => None,
        }
    }
}

/// The traditional Chinese type sizes (字号) in points.
pub fn font_size_name(name: &str) -> Option<Abs> {
    let pt = match name {
        "初号" => 42.0,
        "小初" => 36.0,
        "一号" => 26.0,
        "小一" => 24.0,
        "二号" => 22.0,
        "小二" => 18.0,
        "三号" => 16.0,
        "小三" => 15.0,
        "四号" => 14.0,
        "小四" => 12.0,
        "五号" => 10.5,
        "小五" => 9.0,
        "六号" => 7.5,
        "小六" => 6.5,
        "七号" => 5.5,
        "八号" => 5.0,
        _ => return None,
    };
    Some(Abs::pt(pt))
}

impl Add for Abs {
    type Output = Abs;
    fn add(self, rhs: Abs) -> Abs {
        Abs(self.0 + rhs.0)
    }
}

impl Sub for Abs {
    type Output = Abs;
    fn sub(self, rhs: Abs) -> Abs {
        Abs(self.0 - rhs.0)
    }
}

impl Mul<f64> for Abs {
    type Output = Abs;
    fn mul(self, rhs: f64) -> Abs {
        Abs(self.0 * rhs)
    }
}

impl Div<f64> for Abs {
    type Output = Abs;
    fn div(self, rhs: f64) -> Abs {
        Abs(self.0 / rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_size_names() {
        assert_eq!(Abs::parse("三号"), Some(Abs::pt(16.0)));
        assert_eq!(Abs::parse("小四"), Some(Abs::pt(12.0)));
        assert_eq!(Abs::parse("10.5pt"), Some(Abs::pt(10.5)));
        assert!((Abs::parse("25.4mm").unwrap().to_pt() - 72.0).abs() < 1e-9);
        assert_eq!(Abs::parse("-3mm"), None);
        assert_eq!(Abs::parse("12 furlongs"), None);
    }
}
