//! A tiny XML builder over a `String`: elements are written in the order the
//! caller writes them, so each part's code reads in schema (CT_*) order.

use quick_xml::escape::escape;
use std::fmt::{Display, Write};

/// The XML declaration every part starts with.
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// An XML text being built.
pub(super) struct Xml {
    buf: String,
}

impl Xml {
    /// A new part, starting with the XML declaration.
    pub fn new() -> Xml {
        Xml::with_capacity(4096)
    }

    /// A new part with room for `cap` bytes.
    pub fn with_capacity(cap: usize) -> Xml {
        let mut buf = String::with_capacity(cap);
        buf.push_str(DECLARATION);
        Xml { buf }
    }

    /// Starts an element; add attributes, then call `open` or `empty`.
    pub fn elem(&mut self, name: &'static str) -> Elem<'_> {
        self.buf.push('<');
        self.buf.push_str(name);
        Elem { x: self }
    }

    /// `<name>` with no attributes.
    pub fn open(&mut self, name: &'static str) {
        self.elem(name).open();
    }

    /// `<name/>` with no attributes.
    pub fn empty(&mut self, name: &'static str) {
        self.elem(name).empty();
    }

    /// `<name w:val="value"/>`, the shape of most WordprocessingML properties.
    pub fn val(&mut self, name: &'static str, value: impl Display) {
        self.elem(name).attr("w:val", value).empty();
    }

    /// `</name>`.
    pub fn close(&mut self, name: &'static str) {
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
    }

    /// Escaped character data.
    pub fn text(&mut self, text: &str) {
        self.buf.push_str(&escape(text));
    }

    /// `<name>text</name>`.
    pub fn leaf(&mut self, name: &'static str, text: &str) {
        self.open(name);
        self.text(text);
        self.close(name);
    }

    /// Trusted markup written as is (static namespace lists, fixed parts).
    pub fn raw(&mut self, markup: &str) {
        self.buf.push_str(markup);
    }

    /// The finished part.
    pub fn finish(self) -> Vec<u8> {
        self.buf.into_bytes()
    }
}

/// An element whose start tag is still open for attributes.
pub(super) struct Elem<'a> {
    x: &'a mut Xml,
}

impl Elem<'_> {
    /// Adds `key="value"`, escaping the value.
    pub fn attr(self, key: &str, value: impl Display) -> Self {
        let buf = &mut self.x.buf;
        buf.push(' ');
        buf.push_str(key);
        buf.push_str("=\"");
        let start = buf.len();
        write!(buf, "{value}").expect("writing to a String cannot fail");
        if buf[start..].contains(['&', '<', '>', '"', '\'']) {
            let escaped = escape(&buf[start..]).into_owned();
            buf.truncate(start);
            buf.push_str(&escaped);
        }
        buf.push('"');
        self
    }

    /// Adds trusted attribute markup (namespace declarations).
    pub fn raw_attrs(self, markup: &str) -> Self {
        self.x.buf.push(' ');
        self.x.buf.push_str(markup);
        self
    }

    /// Ends the start tag: `>`.
    pub fn open(self) {
        self.x.buf.push('>');
    }

    /// Ends an element with no content: `/>`.
    pub fn empty(self) {
        self.x.buf.push_str("/>");
    }
}

#[cfg(test)]
mod tests {
    use super::Xml;

    #[test]
    fn escapes_text_and_attributes() {
        let mut x = Xml::new();
        x.elem("w:p").attr("a", "x&\"y").open();
        x.text("1 < 2");
        x.val("w:jc", 3);
        x.close("w:p");
        let s = String::from_utf8(x.finish()).unwrap();
        assert!(s.ends_with("<w:p a=\"x&amp;&quot;y\">1 &lt; 2<w:jc w:val=\"3\"/></w:p>"), "{s}");
    }
}
