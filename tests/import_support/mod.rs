//! What the import tests compare: a report's numbers and its prose, read off the model.

#![allow(dead_code, reason = "each test binary uses a part")]

use nianbao::model::{ProseItem, Report};
use std::path::PathBuf;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every number of every table: (table, record, values).
pub fn numbers(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for s in &r.sections {
        if let Some(t) = &s.table {
            for rec in &t.records {
                let v: Vec<String> = rec.values.iter().map(|n| n.value.display()).collect();
                out.push(format!("{}.{} {}", t.key, rec.key, v.join(",")));
            }
        }
    }
    out
}

/// All prose of a report as (part, text without whitespace), headings included.
pub fn prose(r: &Report) -> Vec<(String, String)> {
    fn walk(part: &str, items: &[ProseItem], out: &mut Vec<(String, String)>) {
        for item in items {
            match item {
                ProseItem::Paragraph(t) => out.push((part.into(), squash(&t.text))),
                ProseItem::Subsection(s) => {
                    out.push((part.into(), squash(&s.heading.text)));
                    for t in &s.text {
                        out.push((part.into(), squash(&t.text)));
                    }
                    walk(part, &s.items, out);
                }
                // The image is not imported; its printed caption comes back as text.
                ProseItem::Figure(f) => {
                    if let Some(c) = &f.caption {
                        out.push((part.into(), squash(&c.text)));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("preamble", &r.preamble, &mut out);
    for s in &r.sections {
        walk(&s.key, &s.prose, &mut out);
        walk(&format!("{}.notes", s.key), &s.notes, &mut out);
    }
    out
}

pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The text of an HTML page as a crawler keeps it: tags dropped, entities decoded, every
/// whitespace and line break gone: one line.
pub fn flatten_html(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out.replace("&nbsp;", "").replace("&ldquo;", "“").replace("&rdquo;", "”");
    squash(&out)
}
