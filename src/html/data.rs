//! The machine-readable companion: every table number under its stable key.

use crate::resolve::{Block, Document};
use std::fmt::Write as _;

/// The numbers of every table of `doc` as one JSON object:
/// `{"schema": "nianbao-numbers/1", "title", "unit", "date", "numbers": {key: value}}`.
///
/// Keys are those of batch's `summary.csv` (`table.record.field`, `table.record.total`,
/// `table.record` for a one-number record), in the order the tables print them. Values
/// are JSON numbers written exactly as printed (`1.50` stays `1.50`), so a portal or the
/// county can aggregate without scraping.
pub fn numbers_json(doc: &Document) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("{\"schema\":\"nianbao-numbers/1\",\"title\":");
    out.push_str(&json_string(&doc.title));
    out.push_str(",\"unit\":");
    out.push_str(&json_string(&doc.author));
    out.push_str(",\"date\":");
    match doc.date {
        Some(d) => {
            let _ = write!(out, "\"{:04}-{:02}-{:02}\"", d.year, d.month, d.day);
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"numbers\":{");
    let mut first = true;
    for block in &doc.blocks {
        let Block::Table(t) = block else { continue };
        for cell in &t.cells {
            let Some(key) = &cell.key else { continue };
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&json_string(key));
            out.push(':');
            // Printed numbers are digits with at most one point; anything else (an empty
            // cell) is written as a string so the JSON stays valid.
            if is_json_number(&cell.text) {
                out.push_str(&cell.text);
            } else {
                out.push_str(&json_string(&cell.text));
            }
        }
    }
    out.push_str("}}");
    out
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serializes")
}

/// Whether `text` is a JSON number of the printed forms: `0`, `12`, `1.50`.
fn is_json_number(text: &str) -> bool {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && (int == "0" || !int.starts_with('0')) && frac.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::is_json_number;

    #[test]
    fn printed_numbers_are_json_numbers() {
        for ok in ["0", "7", "182", "1.50", "0.32"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in ["", "01", "1.", ".5", "1e3", "-1", "１"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }
}
