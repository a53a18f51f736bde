//! HTML export: the resolved block tree → one self-contained, accessible HTML page for a
//! portal (or, with [`HtmlOptions::fragment`], the article alone for pasting into a
//! portal's editor). The browser lays the text out; we state the semantics: headings as
//! `<h1>`–`<h5>`, paragraphs, the official tables with captions, header scopes, `headers`
//! on every number and the exact spans of the grid the PDF prints, figures with alt text.
//!
//! Self-contained: the styles are one `<style>` element and images are `data:` URIs, so
//! the page is a single file. The table numbers travel twice for machines: a
//! `<script type="application/json" id="nianbao-numbers">` block (full page only) and a
//! `data-key` attribute on every number cell (both modes), under the keys of batch's
//! `summary.csv` (`applications.withheld.state_secret.business`).
//!
//! 适老化: a large-text, high-contrast mode (1.5 × text, white and yellow on black)
//! switched by a CSS checkbox and its label (`:checked ~ .nianbao`, no script); under
//! `prefers-contrast: more` the default black-on-white page gets 2 px table rules.

mod css;
mod data;
mod table;

pub use data::numbers_json;

use crate::resolve::{Block, Document, FigureBlock, ImageKind, ParaStyle, Paragraph};
use crate::resolve::{SignatureBlock, Table, em_width};
use crate::template::Role;
use base64::Engine as _;
use std::fmt::Write as _;

/// How the HTML is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Only the `<article>` (no `<html>`/`<head>`, no `<style>`, no script): classes plus
    /// a minimal inline `style` fallback that survives a CMS editor.
    pub fragment: bool,
    /// Show the seal image over the signature (a published page usually shows none).
    pub seal: bool,
}

/// Writes `doc` as HTML. The same document and options always give the same text.
pub fn export(doc: &Document, options: &HtmlOptions) -> String {
    export_with(doc, options, None)
}

/// [`export`], with `extra` (HTML made elsewhere: the 图解's section) at the article's end.
pub fn export_with(doc: &Document, options: &HtmlOptions, extra: Option<&str>) -> String {
    let mut hx = Writer {
        out: String::with_capacity(96 * 1024),
        doc,
        options: *options,
        headings: 0,
        section: None,
        extra,
    };
    if options.fragment {
        hx.article();
    } else {
        hx.page();
    }
    hx.out
}

/// The HTML writer context.
struct Writer<'a> {
    out: String,
    doc: &'a Document,
    options: HtmlOptions,
    /// Headings written so far (for their ids).
    headings: usize,
    /// The text of the last section heading (names the next table).
    section: Option<String>,
    /// Written at the article's end.
    extra: Option<&'a str>,
}

impl Writer<'_> {
    fn page(&mut self) {
        let doc = self.doc;
        self.out
            .push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
        self.out
            .push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        self.out.push_str("<meta name=\"generator\" content=\"nianbao\">\n");
        let _ = writeln!(self.out, "<meta name=\"author\" content=\"{}\">", esc(&doc.author));
        let _ = writeln!(self.out, "<title>{}</title>", esc(&doc.title));
        self.out.push_str("<style>\n");
        self.out.push_str(&css::stylesheet(&doc.style));
        self.out.push_str("</style>\n");
        self.out.push_str("<script type=\"application/json\" id=\"nianbao-numbers\">");
        // NOTE: `</` inside a script element would end it; `<\/` is the same JSON string.
        self.out.push_str(&numbers_json(doc).replace("</", "<\\/"));
        self.out.push_str("</script>\n</head>\n<body>\n<main class=\"nb-page\">\n");
        // The toggle precedes the article so `:checked ~ .nianbao` can restyle it.
        self.out.push_str("<input type=\"checkbox\" id=\"nb-large\" class=\"nb-toggle\">\n");
        self.out.push_str(
            "<p class=\"nb-tools\"><label for=\"nb-large\">大字号　高对比度</label></p>\n",
        );
        self.article();
        self.out.push_str("</main>\n</body>\n</html>\n");
    }

    fn article(&mut self) {
        let doc = self.doc;
        let attrs = if self.options.fragment {
            " lang=\"zh-CN\" style=\"max-width:42em;margin:0 auto;line-height:1.8\""
        } else {
            ""
        };
        let _ = writeln!(self.out, "<article class=\"nianbao\"{attrs}>");
        for block in &doc.blocks {
            match block {
                Block::Paragraph(p) => self.paragraph(p),
                Block::Table(t) => self.table(t),
                Block::Figure(f) => self.figure(f),
                // Spacing is the stylesheet's job (margins after the title and before
                // the signature), not empty elements.
                Block::BlankLine => {}
                Block::Signature(s) => self.signature(s),
            }
        }
        if let Some(extra) = self.extra {
            self.out.push_str(extra);
        }
        self.out.push_str("</article>\n");
    }

    /// A `style` attribute in fragment mode only.
    fn inline(&self, css: &str) -> String {
        if self.options.fragment { format!(" style=\"{css}\"") } else { String::new() }
    }

    fn paragraph(&mut self, p: &Paragraph) {
        let indent = format!("text-indent:{}em", p.first_line_indent_chars);
        let (tag, fallback) = match p.style {
            ParaStyle::Title => ("h1", "text-align:center".to_string()),
            ParaStyle::Heading1 => ("h2", format!("{indent};font-size:1em")),
            ParaStyle::Heading2 => ("h3", format!("{indent};font-size:1em")),
            ParaStyle::Heading3 => ("h4", format!("{indent};font-size:1em")),
            ParaStyle::Heading4 => ("h5", format!("{indent};font-size:1em;font-weight:normal")),
            ParaStyle::Body => ("p", format!("{indent};text-align:justify")),
            ParaStyle::Caption => ("p", "text-align:center".to_string()),
            ParaStyle::Signature => ("p", "text-align:right".to_string()),
        };
        let class = role_class(p.style.role());
        let id = if tag.starts_with('h') && tag != "h1" {
            self.headings += 1;
            format!(" id=\"h{}\"", self.headings)
        } else {
            String::new()
        };
        if p.style == ParaStyle::Heading1 {
            self.section = Some(p.runs.iter().map(|r| r.text.as_str()).collect());
        }
        let fallback = self.inline(&fallback);
        let _ = write!(self.out, "<{tag}{id} class=\"{class}\"{fallback}>");
        let own = p.style.role();
        for (i, run) in p.runs.iter().enumerate() {
            if p.style == ParaStyle::Title {
                // The PDF turns the title's line after the unit's name; here each part
                // is kept whole where the screen allows.
                if i > 0 {
                    self.out.push_str("<br class=\"nb-title-break\">");
                }
                let _ = write!(self.out, "<span class=\"nb-title-part\">{}</span>", esc(&run.text));
            } else if run.role == own {
                self.out.push_str(&esc(&run.text));
            } else {
                // A run-in heading (（一）存在的主要问题：一是……) keeps its heading face.
                let _ = write!(
                    self.out,
                    "<span class=\"{} nb-run-in\">{}</span>",
                    role_class(run.role),
                    esc(&run.text)
                );
            }
        }
        let _ = writeln!(self.out, "</{tag}>");
    }

    fn table(&mut self, t: &Table) {
        let caption = self.section.clone().unwrap_or_else(|| t.key.clone());
        table::write(self, t, &caption);
    }

    /// A figure: as wide, relative to the 版心, as in the PDF (where resolve has already
    /// scaled a tall image to fit the page with its caption); in a browser window shorter
    /// than the image, `max-height` holds it to the window, keeping its proportions (#31).
    fn figure(&mut self, f: &FigureBlock) {
        let text_width = self.doc.style.page.text_width().to_pt();
        let percent = (f.width.to_pt() / text_width * 100.0).clamp(1.0, 100.0);
        let caption_text =
            f.caption.as_ref().map(|c| c.runs.iter().map(|r| r.text.as_str()).collect::<String>());
        // Without an `alt`, the caption is the best description there is; with neither,
        // the image is marked decorative (alt="") rather than given a meaningless name.
        let alt = f.alt.clone().or_else(|| caption_text.clone()).unwrap_or_default();
        let fallback = self.inline("margin:1em auto;text-align:center");
        let _ = write!(self.out, "<figure class=\"nb-figure\"{fallback}>");
        let _ = write!(
            self.out,
            "<img src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{}\" style=\"width:{percent:.1}%;max-height:90vh;object-fit:contain\">",
            data_uri(&f.image.bytes, f.image.kind),
            esc(&alt),
            f.image.width_px,
            f.image.height_px
        );
        if let Some(text) = caption_text {
            let class = role_class(Role::Caption);
            let _ = write!(self.out, "<figcaption class=\"{class}\">{}</figcaption>", esc(&text));
        }
        self.out.push_str("</figure>\n");
    }

    /// 落款 as in the PDF and DOCX (GB/T 9704 §7.3.5), arranged by
    /// [`SignatureBlock::arrange`] as they are: a long unit name (or a joint signature)
    /// turns into the same lines, each its own paragraph right-indented as in the PDF,
    /// the date under the last; with the seal shown, the date right-indented 4
    /// characters and the name centred over it. A line too wide for a narrow window
    /// gives up indent before it wraps, and the date never wraps (#31: with the indent
    /// computed from the whole name, the date stood one character per line at 1366 px).
    fn signature(&mut self, s: &SignatureBlock) {
        let seal = s.seal.as_ref().filter(|_| self.options.seal);
        let style = &self.doc.style;
        let body = style.role(Role::Body).size.to_pt();
        let pitch = style.page.line_pitch().to_pt();
        let line = pitch / body;
        // Arranged as the page shows it: with the seal only when the seal is shown.
        let shown = SignatureBlock { seal: seal.cloned(), ..s.clone() };
        let arranged = shown.arrange(style.page.chars_per_line, pitch, &em_width);
        // The seal's size and place in body em: centred on the date, the first line's
        // centre a little below its centre (as the PDF places it).
        let placed = seal.zip(arranged.seal_centre).map(|((image, diameter), (x, y))| {
            let d = diameter.to_pt() / body;
            let h = d * f64::from(image.height_px) / f64::from(image.width_px);
            (image, d, h, x - d / 2.0, line * (0.55 + y) - h / 2.0)
        });
        // Room below for a seal that reaches past the last line.
        let n = arranged.lines.len() as f64;
        let below = placed.map_or(0.0, |(_, _, h, _, top)| (top + h - n * line).max(0.0));
        let fallback = if self.options.fragment {
            format!(" style=\"text-align:right;position:relative;margin-bottom:{below:.2}em\"")
        } else if below > 0.0 {
            format!(" style=\"margin-bottom:{below:.2}em\"")
        } else {
            String::new()
        };
        let _ = write!(self.out, "<div class=\"nb-signature-block\"{fallback}>");
        let class = role_class(Role::Signature);
        if let Some((image, d, h, right, top)) = placed {
            let alt = s.seal_alt.clone().unwrap_or_else(|| format!("{}印章", s.unit));
            let _ = write!(
                self.out,
                "<img class=\"nb-seal\" src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{}\" \
                 style=\"width:{d:.2}em;height:{h:.2}em;right:{right:.2}em;top:{top:.2}em\">",
                data_uri(&image.bytes, image.kind),
                esc(&alt),
                image.width_px,
                image.height_px
            );
        }
        for (i, l) in arranged.lines.iter().enumerate() {
            let date = i >= arranged.unit_lines;
            let padding = indent(l.right_chars, l.width_chars, date);
            if !date {
                let _ = write!(
                    self.out,
                    "<p class=\"{class}\" style=\"{padding}\">{}</p>",
                    esc(&l.text)
                );
                continue;
            }
            let datetime = self.doc.date.map_or_else(String::new, |d| {
                format!(" datetime=\"{:04}-{:02}-{:02}\"", d.year, d.month, d.day)
            });
            let _ = write!(
                self.out,
                "<p class=\"{class}\" style=\"{padding}\"><time{datetime}>{}</time></p>",
                esc(&l.text)
            );
        }
        self.out.push_str("</div>\n");
    }
}

/// A signature line's right indent of `right` characters. A line that with its indent is
/// wider than a phone's column (20 characters at 390 px) gives up indent rather than
/// wrap: `min()` keeps the indent only while the line fits beside it, and the date
/// (`date`) is never broken.
fn indent(right: f64, width: f64, date: bool) -> String {
    let right = right.max(0.0);
    if right + width <= 20.0 {
        format!("padding-right:{right:.2}em")
    } else {
        let nowrap = if date { ";white-space:nowrap" } else { "" };
        format!("padding-right:min({right:.2}em,max(0em,100% - {width:.2}em)){nowrap}")
    }
}

/// The class that sets a role's font and size (`nb-heading1`).
fn role_class(role: Role) -> String {
    format!("nb-{}", role.name().replace('_', "-"))
}

fn data_uri(bytes: &[u8], kind: ImageKind) -> String {
    let mime = match kind {
        ImageKind::Png => "image/png",
        ImageKind::Jpeg => "image/jpeg",
    };
    format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Escapes text for element content and quoted attribute values (the 图解's SVG too).
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(esc("《条例》"), "《条例》");
    }
}
