//! The page's stylesheet, derived from the style preset: font stacks by role with the
//! official names first, sizes relative to the body (so the large-text mode scales
//! everything at once), the GB/T 9704 measure, phone and print rules.

use crate::template::{Role, Style};
use std::fmt::Write as _;

/// Installed names of the official faces and their usual stand-ins, official first,
/// then the bundled Fandol family (installed with nianbao's fonts), then the generic.
fn stack(official: &str) -> String {
    let names: &[&str] = match official {
        "仿宋_GB2312" | "仿宋" => &[
            "仿宋_GB2312",
            "FangSong_GB2312",
            "仿宋",
            "FangSong",
            "STFangsong",
            "华文仿宋",
            "FandolFang",
        ],
        "方正小标宋简体" => &[
            "方正小标宋简体",
            "FZXiaoBiaoSong-B05S",
            "方正小标宋_GBK",
            "华文中宋",
            "STZhongsong",
            "宋体",
            "SimSun",
            "Songti SC",
            "Noto Serif CJK SC",
            "FandolSong",
        ],
        "黑体" => &[
            "黑体",
            "SimHei",
            "Heiti SC",
            "STHeiti",
            "Microsoft YaHei",
            "Noto Sans CJK SC",
            "FandolHei",
        ],
        "楷体_GB2312" | "楷体" => &[
            "楷体_GB2312",
            "KaiTi_GB2312",
            "楷体",
            "KaiTi",
            "STKaiti",
            "Kaiti SC",
            "华文楷体",
            "FandolKai",
        ],
        "宋体" => &["宋体", "SimSun", "Songti SC", "STSong", "Noto Serif CJK SC", "FandolSong"],
        other => return format!("\"{}\", serif", other.replace('"', "")),
    };
    let generic = if official == "黑体" { "sans-serif" } else { "serif" };
    let mut out: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    out.push(generic.to_string());
    out.join(", ")
}

/// The whole stylesheet.
pub(super) fn stylesheet(style: &Style) -> String {
    let body = style.role(Role::Body).size.to_pt();
    let em = |pt: f64| pt / body;
    // GB/T 9704: 28 characters a line on the 版心 width, 22 lines on its height.
    let chars = f64::from(style.page.chars_per_line.max(1));
    let pitch = style.page.text_width().to_pt() / chars;
    let tracking = em(pitch) - 1.0;
    let measure = chars * em(pitch) + 0.05;
    let line = em(style.page.line_pitch().to_pt());
    let latin = style.latin_font.replace('"', "");
    let mut css = String::with_capacity(8 * 1024);
    for role in Role::ALL {
        if role == Role::PageNumber {
            continue;
        }
        let rs = style.role(role);
        // Digits and Latin letters in the style's Latin face (Times New Roman), as in
        // the DOCX; headings in 黑体 keep their own digits.
        let latin_first = matches!(role, Role::Body | Role::Signature | Role::Table);
        let family =
            if latin_first { format!("\"{latin}\", {}", stack(&rs.docx)) } else { stack(&rs.docx) };
        let _ = writeln!(
            css,
            ".nb-{} {{ font-family: {family}; font-size: {:.4}em; font-weight: {}; }}",
            role.name().replace('_', "-"),
            em(rs.size.to_pt()),
            if rs.bold { "bold" } else { "normal" },
        );
    }
    let indent = style.indent_chars;
    let table = em(style.role(Role::Table).size.to_pt());
    let head = em(style.role(Role::TableHead).size.to_pt());
    let page_number = stack(&style.role(Role::PageNumber).docx);
    let page_number_size = style.role(Role::PageNumber).size.to_pt();
    let page = &style.page;
    let _ = write!(
        css,
        r#"html {{ -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }}
body {{ margin: 0; background: #fff; color: #000; }}
.nb-page {{ display: block; padding: 1.5rem 1rem 3rem; }}
.nianbao {{ font-size: {body}pt; line-height: {line:.3}; letter-spacing: {tracking:.4}em;
  max-width: {measure:.3}em; margin: 0 auto; color: #000; background: #fff;
  overflow-wrap: anywhere; }}
.nianbao h1, .nianbao h2, .nianbao h3, .nianbao h4, .nianbao h5, .nianbao p {{ margin: 0; }}
.nianbao h1 {{ text-align: center; line-height: 1.4; margin: 0.5em 0 {line:.3}em;
  letter-spacing: 0; }}
.nb-title-part {{ display: inline-block; }}
.nianbao h2, .nianbao h3, .nianbao h4, .nianbao h5 {{ text-indent: {indent}em; }}
.nianbao h2 {{ margin-top: 0.4em; }}
.nb-body {{ text-indent: {indent}em; text-align: justify; }}
.nb-run-in {{ font-size: 1em; }}
.nb-figure {{ margin: 0.5em 0; text-align: center; }}
.nb-figure img {{ max-width: 100%; height: auto; }}
.nb-figure figcaption {{ text-align: center; letter-spacing: 0; }}
.nb-signature-block {{ position: relative; margin-top: {line:.3}em; text-align: right; }}
.nb-signature-block p {{ font-size: 1em; }}
.nb-seal {{ position: absolute; max-width: none; mix-blend-mode: multiply; }}
.nb-table {{ overflow-x: auto; margin: 0.3em 0 0.6em; max-width: 100%; }}
.nb-table:focus-visible {{ outline: 3px solid #1a5fb4; outline-offset: 2px; }}
.nb-grid {{ border-collapse: collapse; width: 100%; font-size: {table:.4}em; line-height: 1.45;
  letter-spacing: 0; font-family: "{latin}", {table_stack}; }}
.nb-grid caption {{ position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }}
.nb-grid th, .nb-grid td {{ border: 1px solid #000; padding: 0.25em 0.3em; font-weight: normal;
  vertical-align: middle; }}
.nb-grid .nb-table-head {{ font-size: {head_rel:.4}em; }}
.nb-grid .l {{ text-align: left; }}
.nb-grid .c {{ text-align: center; }}
.nb-grid .r {{ text-align: right; }}
.nb-grid .num {{ font-variant-numeric: tabular-nums; white-space: nowrap; }}
.nb-toggle {{ position: absolute; width: 1px; height: 1px; margin: 0; opacity: 0; }}
.nb-tools {{ max-width: {measure:.3}em; margin: 0 auto 1rem; text-align: right;
  font: 1rem/1.5 system-ui, sans-serif; }}
.nb-tools label {{ display: inline-block; padding: 0.3em 0.8em; border: 2px solid #000;
  border-radius: 0.3em; cursor: pointer; color: #000; background: #fff; }}
.nb-toggle:focus-visible + .nb-tools label {{ outline: 3px solid #1a5fb4; outline-offset: 2px; }}
.nb-toggle:checked + .nb-tools label {{ color: #000; background: #ff0; }}
.nb-toggle:checked + .nb-tools label::before {{ content: "已开启："; }}
/* 适老化: large text and a high-contrast palette, switched by the checkbox above. */
.nb-toggle:checked ~ .nianbao {{ font-size: {large}pt; line-height: 1.9; letter-spacing: 0.02em;
  max-width: 30em; color: #fff; background: #000; padding: 0.5em; }}
.nb-toggle:checked ~ .nianbao h1, .nb-toggle:checked ~ .nianbao h2,
.nb-toggle:checked ~ .nianbao h3 {{ color: #ff0; }}
.nb-toggle:checked ~ .nianbao .nb-grid th, .nb-toggle:checked ~ .nianbao .nb-grid td {{
  border: 2px solid #fff; }}
.nb-toggle:checked ~ .nianbao .nb-grid {{ font-size: 0.8em; }}
/* The page around the article goes black too: a shadow, since `:has()` is not yet CSS
   every checker and older browser reads. */
.nb-toggle:checked ~ .nianbao {{ box-shadow: 0 0 0 100vmax #000; }}
@media (prefers-contrast: more) {{
  .nb-grid th, .nb-grid td {{ border-width: 2px; }}
  .nb-tools label {{ border-width: 3px; }}
}}
@media screen and (max-width: 40em) {{
  .nb-page {{ padding: 0.75rem 0.75rem 2rem; }}
  .nianbao {{ font-size: 18px; line-height: 1.75; letter-spacing: 0; }}
  .nianbao h1 {{ line-height: 1.35; margin-bottom: 1em; }}
  .nb-toggle:checked ~ .nianbao {{ font-size: 24px; }}
  /* A table keeps its printed proportions at a readable size and scrolls sideways in
     its own box; the page itself never does. */
  .nb-grid {{ font-size: 15px; width: {grid_em:.1}em; }}
  .nb-toggle:checked ~ .nianbao .nb-grid {{ font-size: 19px; }}
}}
@page {{ size: A4; margin: {mt:.1}mm {mr:.1}mm {mb:.1}mm {ml:.1}mm; }}
@page :right {{ @bottom-right {{ content: "— " counter(page) " —"; font-family: {page_number};
  font-size: {page_number_size}pt; margin-right: 1em; }} }}
@page :left {{ @bottom-left {{ content: "— " counter(page) " —"; font-family: {page_number};
  font-size: {page_number_size}pt; margin-left: 1em; }} }}
@media print {{
  .nb-page {{ padding: 0; }}
  .nb-tools, .nb-toggle {{ display: none; }}
  .nianbao, .nb-toggle:checked ~ .nianbao {{ font-size: {body}pt; line-height: {line_pt:.2}pt;
    letter-spacing: {tracking:.4}em; max-width: none; color: #000; background: none; padding: 0;
    box-shadow: none; }}
  .nb-table {{ overflow: visible; }}
  .nb-grid {{ min-width: 0 !important; }}
  .nb-grid th, .nb-grid td {{ border: 0.5pt solid #000; }}
  thead {{ display: table-header-group; }}
  tr {{ break-inside: avoid; }}
  h1, h2, h3, h4, h5 {{ break-after: avoid; }}
  .nb-figure, .nb-signature-block {{ break-inside: avoid; }}
}}
"#,
        table_stack = stack(&style.role(Role::Table).docx),
        head_rel = head / table,
        grid_em = style.page.text_width().to_pt() / style.role(Role::Table).size.to_pt(),
        large = body * 1.5,
        line_pt = style.page.line_pitch().to_pt(),
        mt = page.margin_top.to_mm(),
        mr = page.margin_right.to_mm(),
        mb = page.margin_bottom.to_mm(),
        ml = page.margin_left.to_mm(),
    );
    css
}

#[cfg(test)]
mod tests {
    use super::stack;

    #[test]
    fn official_names_come_first() {
        assert!(stack("仿宋_GB2312").starts_with("\"仿宋_GB2312\", \"FangSong_GB2312\""));
        assert!(stack("黑体").ends_with("sans-serif"));
        assert_eq!(stack("Some \"Face"), "\"Some Face\", serif");
    }
}
