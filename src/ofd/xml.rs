//! A small XML writer for the OFD's parts (no indentation: the parts are read by programs),
//! and the number forms OFD uses.

use std::fmt::Write;

/// The namespace of GB/T 33190-2016.
pub(super) const NS: &str = "http://www.ofdspec.org/2016";

/// Points (the layout's unit) to millimetres (OFD's).
pub(super) fn mm(pt: f64) -> f64 {
    pt * 25.4 / 72.0
}

/// A number with at most three decimals (a micrometre), without trailing zeros.
pub(super) fn num(v: f64) -> String {
    let mut s = String::with_capacity(10);
    push_num(&mut s, v);
    s
}

fn push_num(out: &mut String, v: f64) {
    let rounded = (v * 1000.0).round() / 1000.0;
    let start = out.len();
    let _ = write!(out, "{:.3}", if rounded == 0.0 { 0.0 } else { rounded });
    let trimmed = out[start..].trim_end_matches('0').trim_end_matches('.').len();
    out.truncate(start + trimmed);
}

/// A box: left, top, width, height.
pub(super) fn boxed(b: [f64; 4]) -> String {
    let mut s = String::with_capacity(32);
    for (i, v) in b.into_iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        push_num(&mut s, v);
    }
    s
}

/// A `DeltaX` list, each run of two or more equal values as `g COUNT VALUE` (GB/T 33190
/// table 46).
pub(super) fn deltas(values: &[f64]) -> String {
    let mut out = String::with_capacity(values.len() * 4);
    let text: Vec<String> = values.iter().map(|&v| num(v)).collect();
    let mut i = 0;
    while i < text.len() {
        let mut end = i + 1;
        while end < text.len() && text[end] == text[i] {
            end += 1;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        if end - i >= 2 {
            let _ = write!(out, "g {} {}", end - i, text[i]);
        } else {
            out.push_str(&text[i]);
        }
        i = end;
    }
    out
}

/// An XML document being written.
pub(super) struct Xml {
    out: String,
}

impl Xml {
    pub(super) fn new() -> Xml {
        let mut out = String::with_capacity(16 * 1024);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Xml { out }
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape(&mut self.out, value);
            self.out.push('"');
        }
    }

    /// `<name attrs>`.
    pub(super) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push('>');
    }

    /// `<name attrs/>`.
    pub(super) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push_str("/>");
    }

    /// `</name>` and a line break.
    pub(super) fn close(&mut self, name: &str) {
        self.close_inline(name);
        self.out.push('\n');
    }

    /// `</name>`.
    pub(super) fn close_inline(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Character data.
    pub(super) fn text(&mut self, text: &str) {
        escape(&mut self.out, text);
    }

    /// `<name>text</name>`.
    pub(super) fn leaf(&mut self, name: &str, text: &str) {
        self.open(name, &[]);
        self.text(text);
        self.close(name);
    }

    pub(super) fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

/// Escapes text or an attribute value (both quoted with `"`). Characters XML 1.0 cannot
/// carry (controls other than tab, line feed and carriage return) are left out.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_deltas_repeat_with_g() {
        assert_eq!(num(5.644_444), "5.644");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(0.1), "0.1");
        assert_eq!(deltas(&[1.0, 1.0, 1.0, 2.5, 1.0]), "g 3 1 2.5 1");
        assert_eq!(deltas(&[]), "");
        assert_eq!(boxed([0.0, 1.5, 210.0, 297.0]), "0 1.5 210 297");
    }

    #[test]
    fn text_is_escaped_and_controls_dropped() {
        let mut s = String::new();
        escape(&mut s, "a<b>&\"c\u{1}\n");
        assert_eq!(s, "a&lt;b&gt;&amp;&quot;c&#10;");
    }
}
