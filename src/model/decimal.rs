//! A small exact decimal for 万元 amounts: kept as written, summed without floats.

use std::fmt;

/// A non-negative decimal number: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decimal {
    mantissa: u128,
    scale: u8,
}

impl Decimal {
    /// Most digits after the point that are accepted.
    pub const MAX_SCALE: u8 = 6;

    /// Parses `0`, `1.5`, `0.32`, `96171.6`. Rejects signs, exponents and more than
    /// six decimal places.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, f),
            None => (text, ""),
        };
        if int.is_empty() || int.len() > 20 || frac.len() > Self::MAX_SCALE as usize {
            return None;
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if text.contains('.') && frac.is_empty() {
            return None;
        }
        let mantissa: u128 = format!("{int}{frac}").parse().ok()?;
        Some(Decimal { mantissa, scale: frac.len() as u8 })
    }

    /// An integer as a decimal.
    pub fn from_int(n: u64) -> Decimal {
        Decimal { mantissa: n as u128, scale: 0 }
    }

    fn rescale(self, scale: u8) -> u128 {
        self.mantissa * 10u128.pow(u32::from(scale - self.scale))
    }

    /// Exact sum.
    pub fn plus(self, other: Decimal) -> Decimal {
        let scale = self.scale.max(other.scale);
        Decimal { mantissa: self.rescale(scale) + other.rescale(scale), scale }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let pow = 10u128.pow(u32::from(self.scale));
        write!(
            f,
            "{}.{:0width$}",
            self.mantissa / pow,
            self.mantissa % pow,
            width = self.scale as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_amounts_as_written_and_sums_exactly() {
        for s in ["0", "1.5", "0.32", "96171.6", "282.10"] {
            assert_eq!(Decimal::parse(s).unwrap().to_string(), s);
        }
        let sum = Decimal::parse("0.1").unwrap().plus(Decimal::parse("0.2").unwrap());
        assert_eq!(sum.to_string(), "0.3");
        for bad in ["-1", "1e3", "1.", ".5", "abc", "1.2345678", ""] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
    }
}
