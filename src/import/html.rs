//! HTML page → blocks, on html5ever (through `scraper`): the page is decoded (BOM,
//! `<meta charset>`, else UTF-8 or GB18030), page chrome (navigation, breadcrumbs,
//! share bars, attachment lists, scripts) is dropped, paragraphs come out in reading
//! order, and every data table (one without tables inside) is expanded from its
//! colspan/rowspan cells into the grid, each cell placed at its first grid column.

use super::Loc;
use super::scan::{Block, Cell};
use scraper::{ElementRef, Html, Node};

/// Reads an HTML page into blocks.
pub(super) fn read_html(bytes: &[u8]) -> Vec<Block> {
    let text = decode_html(bytes);
    let doc = Html::parse_document(&text);
    let mut rx = Reader { out: Vec::new(), buf: String::new(), pre: false, paras: 0, tables: 0 };
    // The page title often carries the unit and year (`…年度报告_某某政府网`).
    if let Some(t) = doc.root_element().descendent_elements().find(|e| e.value().name() == "title")
    {
        let title = t.text().collect::<String>();
        let first = title.split(['_', '|', '-', '—']).next().unwrap_or("").trim().to_string();
        if !first.is_empty() {
            rx.buf = first;
            rx.flush();
        }
    }
    let body = doc.root_element().descendent_elements().find(|e| e.value().name() == "body");
    rx.walk(body.unwrap_or(doc.root_element()));
    rx.flush();
    rx.out
}

/// The encoding of a page: BOM, then UTF-8 if the bytes are valid, then `<meta charset>`
/// / `content="…charset=…"` in the first 4 KB, else GB18030 (a superset of GBK).
fn decode_html(bytes: &[u8]) -> String {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_with_bom_removal(bytes).0.into_owned();
    }
    // Chinese text in GBK is almost never valid UTF-8, and pages that declare GBK
    // but were re-saved as UTF-8 are common: valid UTF-8 wins over the meta tag.
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    if let Some(i) = head.find("charset=") {
        let label: String = head[i + 8..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes()) {
            // GBK and GB2312 pages often hold GB18030-only characters: decode as GB18030.
            let enc = if enc == encoding_rs::GBK { encoding_rs::GB18030 } else { enc };
            return enc.decode_without_bom_handling(bytes).0.into_owned();
        }
    }
    encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned()
}

/// Class or id words of page chrome.
const CHROME: &[&str] = &[
    "nav",
    "menu",
    "breadcrumb",
    "crumb",
    "position",
    "location",
    "share",
    "bdshare",
    "jiathis",
    "footer",
    "header",
    "toolbar",
    "print",
    "fujian",
    "attach",
    "download",
    "sidebar",
    "related",
    "pager",
    "pagination",
    "copyright",
    "search",
    "login",
    "top-bar",
    "topbar",
    "tools",
];

fn is_chrome(e: &ElementRef) -> bool {
    let v = e.value();
    if matches!(
        v.name(),
        "script"
            | "style"
            | "nav"
            | "header"
            | "footer"
            | "aside"
            | "form"
            | "select"
            | "button"
            | "iframe"
            | "noscript"
            | "template"
            | "head"
            | "object"
            | "svg"
            | "label"
            | "input"
    ) {
        return true;
    }
    if v.attr("style").is_some_and(|s| s.replace(' ', "").contains("display:none")) {
        return true;
    }
    let words = format!("{} {}", v.attr("class").unwrap_or(""), v.attr("id").unwrap_or(""))
        .to_ascii_lowercase();
    words.split(|c: char| !c.is_ascii_alphanumeric() && c != '-').any(|w| {
        !w.is_empty()
            && CHROME.iter().any(|c| {
                w == *c
                    || w.starts_with(&format!("{c}-"))
                    || w.ends_with(&format!("-{c}"))
                    || w.starts_with(c) && w.len() <= c.len() + 2
            })
    })
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "section"
            | "article"
            | "blockquote"
            | "center"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "tbody"
            | "thead"
            | "dl"
            | "dt"
            | "dd"
            | "pre"
            | "main"
    )
}

struct Reader {
    out: Vec<Block>,
    buf: String,
    /// Inside `<pre>`: line breaks are kept.
    pre: bool,
    paras: u32,
    tables: u32,
}

impl Reader {
    fn flush(&mut self) {
        let t = self.buf.trim().to_string();
        self.buf.clear();
        if !t.is_empty() {
            self.paras += 1;
            self.out.push(Block::Para(Cell { text: t, loc: Loc::Para(self.paras) }));
        }
    }

    fn walk(&mut self, el: ElementRef) {
        for child in el.children() {
            match child.value() {
                // Line breaks and tabs in the source are spaces, as a browser shows them
                // (tidying drops a space between Chinese characters); in `<pre>` they are
                // lines, each a paragraph.
                Node::Text(t) if self.pre => self.buf.push_str(&t.replace('\u{a0}', " ")),
                Node::Text(t) => self.buf.extend(t.chars().map(|c| match c {
                    '\u{a0}' | '\n' | '\r' | '\t' | '\u{c}' => ' ',
                    c => c,
                })),
                Node::Element(e) => {
                    let Some(ce) = ElementRef::wrap(child) else { continue };
                    if is_chrome(&ce) {
                        continue;
                    }
                    let name = e.name();
                    if name == "br" && matches!(el.value().name(), "h1" | "h2" | "h3" | "h4" | "h5")
                    {
                        // A title set on two lines is still one title.
                    } else if name == "br" {
                        self.flush();
                    } else if name == "table"
                        && !ce.descendent_elements().skip(1).any(|d| d.value().name() == "table")
                    {
                        self.flush();
                        self.table(ce);
                    } else if is_block(name) {
                        self.flush();
                        let outer = self.pre;
                        self.pre |= name == "pre";
                        self.walk(ce);
                        self.pre = outer;
                        self.flush();
                    } else {
                        self.walk(ce);
                    }
                }
                _ => {}
            }
        }
    }

    /// A data table: rows of the expanded grid, covered cells left out.
    fn table(&mut self, table: ElementRef) {
        self.tables += 1;
        let rows: Vec<ElementRef> =
            table.descendent_elements().filter(|e| e.value().name() == "tr").collect();
        // Column occupancy by rowspans from rows above: col → rows still covered.
        let mut covered: Vec<usize> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let mut cells = Vec::new();
            let mut col = 0usize;
            for cell in row.children().filter_map(ElementRef::wrap) {
                let name = cell.value().name();
                if name != "td" && name != "th" {
                    continue;
                }
                while covered.get(col).is_some_and(|&n| n > 0) {
                    col += 1;
                }
                let span = |a: &str| {
                    cell.value()
                        .attr(a)
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(1)
                        .clamp(1, 100)
                };
                let (colspan, rowspan) = (span("colspan"), span("rowspan"));
                if covered.len() < col + colspan {
                    covered.resize(col + colspan, 0);
                }
                for slot in &mut covered[col..col + colspan] {
                    *slot = rowspan;
                }
                cells.push(Cell {
                    text: cell_text(cell),
                    loc: Loc::Cell { table: self.tables, row: r as u32 + 1, col: col as u32 + 1 },
                });
                col += colspan;
            }
            for n in &mut covered {
                *n = n.saturating_sub(1);
            }
            if !cells.is_empty() {
                self.out.push(Block::Row(cells));
            }
        }
    }
}

/// A cell's text: text nodes joined as they are, `<p>`, `<br>` and `<div>` as spaces,
/// `&nbsp;` as a space.
fn cell_text(cell: ElementRef) -> String {
    fn walk(node: ElementRef, out: &mut String) {
        for child in node.children() {
            match child.value() {
                Node::Text(t) => out.push_str(&t.replace('\u{a0}', " ")),
                Node::Element(e) => {
                    let block = matches!(e.name(), "p" | "br" | "div" | "li");
                    if block {
                        out.push(' ');
                    }
                    if !matches!(e.name(), "script" | "style")
                        && let Some(ce) = ElementRef::wrap(child)
                    {
                        walk(ce, out);
                    }
                    if block {
                        out.push(' ');
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = String::new();
    walk(cell, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_pages_are_decoded_from_their_meta_charset() {
        let page = "<html><head><meta charset=\"gbk\"><title>某局2024年度政府信息公开工作年度报告_某某网</title></head><body><p>一、总体情况</p></body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(page);
        let blocks = read_html(&bytes);
        let texts: Vec<String> = blocks
            .iter()
            .map(|b| match b {
                Block::Para(c) => c.text.clone(),
                Block::Row(_) => String::new(),
            })
            .collect();
        assert_eq!(texts, ["某局2024年度政府信息公开工作年度报告", "一、总体情况"]);
    }

    #[test]
    fn spans_expand_into_the_grid() {
        let page = "<table><tr><td rowspan=2>a</td><td colspan=2>b</td></tr><tr><td><p>c</p><p>d</p></td><td>&nbsp;</td></tr></table>";
        let blocks = read_html(page.as_bytes());
        let Block::Row(second) = &blocks[1] else { panic!("{blocks:?}") };
        assert_eq!(second[0].text, "c d");
        assert_eq!(second[0].loc, Loc::Cell { table: 1, row: 2, col: 2 });
        assert_eq!(second[1].text, "");
        assert_eq!(second[1].loc, Loc::Cell { table: 1, row: 2, col: 3 });
    }
}
