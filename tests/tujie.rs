//! 图解 (issue #37): the charts read back against the report. The SVG's numbers (every
//! `<text data-key>`) against the numbers the HTML page's tables print (its embedded JSON, a
//! different path from the computed tables to the page); the shares' percentages; a chart of
//! zeros as a sentence; the long PNG's width and its text drawn with the bundled fonts; the
//! PDF pages through the tagged-PDF checks of `pdfua.rs`; the CLI's `--format tujie` and
//! `--previous`.

use crate::pdfua::{assert_pdfua, qpdf_json, struct_tree};
use crate::render_support::{nianbao, root, store};
use nianbao::{Engine, EngineOptions, Loaded, OutputKind, TujieForm};
use quick_xml::events::Event;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;

const REPORTS: [&str; 2] = ["examples/shengsi-2024.yaml", "examples/township-2025.yaml"];

fn load(path: &str) -> Loaded {
    let loaded = nianbao::load_and_check(&root().join(path));
    assert!(loaded.is_ok(), "{path}: {:#?}", loaded.diags);
    loaded
}

/// The numbers the HTML page's tables print, by cell key (its `nianbao-numbers` JSON).
fn printed(engine: &Engine, loaded: &Loaded) -> BTreeMap<String, String> {
    let html = engine.render(loaded, &[OutputKind::Html]).expect("renders");
    let html = String::from_utf8(html.get(OutputKind::Html).unwrap().to_vec()).unwrap();
    let start = html.find("id=\"nianbao-numbers\">").unwrap() + "id=\"nianbao-numbers\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let json: Json = serde_json::from_str(&html[start..end]).unwrap();
    json["numbers"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.to_string())).collect()
}

/// A number the tables print, or the sum of a pattern's (`a.b.*.total`).
fn expected(numbers: &BTreeMap<String, String>, key: &str) -> String {
    match key.split_once(".*.") {
        None => numbers.get(key).unwrap_or_else(|| panic!("no printed number {key}")).clone(),
        Some((head, tail)) => {
            let sum: u64 = numbers
                .iter()
                .filter(|(k, _)| {
                    k.strip_prefix(&format!("{head}."))
                        .and_then(|r| r.strip_suffix(&format!(".{tail}")))
                        .is_some_and(|m| !m.contains('.'))
                })
                .map(|(_, v)| v.parse::<u64>().unwrap())
                .sum();
            sum.to_string()
        }
    }
}

/// One `<text>` of the SVG: its attributes and its text; `group` is the chart (`<g>` with
/// an id'd `<title>`) it is in.
#[derive(Debug)]
struct SvgText {
    attrs: BTreeMap<String, String>,
    text: String,
    chart: Option<String>,
}

fn svg_texts(svg: &str) -> Vec<SvgText> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out = Vec::new();
    let mut current: Option<SvgText> = None;
    let mut chart: Option<String> = None;
    let mut depth_of_chart: Option<usize> = None;
    let mut depth = 0usize;
    loop {
        match reader.read_event().expect("the SVG is XML") {
            Event::Start(e) => {
                depth += 1;
                let attrs: BTreeMap<String, String> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                        (key, a.unescape_value().unwrap().into_owned())
                    })
                    .collect();
                match e.name().as_ref() {
                    b"g" if attrs.get("role").is_some_and(|r| r == "img") => {
                        let label = attrs["aria-labelledby"].split(' ').next().unwrap();
                        chart = Some(label.trim_end_matches("-title").to_string());
                        depth_of_chart = Some(depth);
                    }
                    b"text" => {
                        current = Some(SvgText { attrs, text: String::new(), chart: chart.clone() })
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(c) = &mut current {
                    c.text.push_str(&t.decode().unwrap());
                }
            }
            // An entity (`&amp;`) inside a text: kept as written.
            Event::GeneralRef(r) => {
                if let Some(c) = &mut current {
                    c.text.push_str(&format!("&{};", r.decode().unwrap()));
                }
            }
            Event::End(e) => {
                if e.name().as_ref() == b"text" {
                    out.extend(current.take());
                }
                if depth_of_chart == Some(depth) {
                    chart = None;
                    depth_of_chart = None;
                }
                depth -= 1;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn svg_of(engine: &Engine, loaded: &Loaded, previous: Option<&Loaded>) -> String {
    let kinds = [OutputKind::Tujie(TujieForm::Svg)];
    let out = engine.render_compared(loaded, previous, &kinds).expect("renders");
    String::from_utf8(out.outputs[0].bytes.clone()).unwrap()
}

/// Every number on every chart is the number the report's tables print under its key (a
/// result group's, the sum of its rows); each chart with a number that is not 0 has them.
#[test]
fn every_number_on_a_chart_is_the_tables_number() {
    let engine = Engine::new(EngineOptions::default()).unwrap();
    for path in REPORTS {
        let loaded = load(path);
        let numbers = printed(&engine, &loaded);
        let year = loaded.report.as_ref().unwrap().year.0.to_string();
        let svg = svg_of(&engine, &loaded, None);
        let texts = svg_texts(&svg);
        let drawn: Vec<&SvgText> =
            texts.iter().filter(|t| t.attrs.contains_key("data-key")).collect();
        assert!(drawn.len() >= 16, "{path}: {} numbers", drawn.len());
        for t in &drawn {
            assert_eq!(t.attrs["data-year"], year);
            let key = &t.attrs["data-key"];
            assert_eq!(t.text, expected(&numbers, key), "{path}: {key}");
            assert!(t.chart.is_some(), "{key} is drawn outside a chart");
        }
        // The charts the 2021 format's tables give, each whole: 三's six results, 四's 15.
        let keys = |chart: &str| drawn.iter().filter(|t| t.chart.as_deref() == Some(chart)).count();
        assert_eq!(keys("documents"), 6, "{path}");
        assert_eq!(keys("applications"), 4, "{path}");
        assert_eq!(keys("results"), 6, "{path}");
        let reviews_zero = numbers["reviews_lawsuits.review.total"] == "0"
            && numbers["reviews_lawsuits.lawsuit_direct.total"] == "0"
            && numbers["reviews_lawsuits.lawsuit_after_review.total"] == "0";
        assert_eq!(keys("reviews"), if reviews_zero { 0 } else { 15 }, "{path}");
        // Every chart says what its numbers are, in its <desc>.
        assert!(svg.contains("<desc id=\"results-desc\">"), "{path}");
    }
}

/// The shares of 办理结果 add to 100.0 % after rounding and each is its count over 三（七）
/// 总计 to the tenth.
#[test]
fn result_shares_add_to_a_hundred_percent() {
    let engine = Engine::new(EngineOptions::default()).unwrap();
    for path in REPORTS {
        let loaded = load(path);
        let numbers = printed(&engine, &loaded);
        let total: f64 = numbers["applications.total.total"].parse().unwrap();
        let svg = svg_of(&engine, &loaded, None);
        let texts = svg_texts(&svg);
        let results: Vec<&SvgText> =
            texts.iter().filter(|t| t.chart.as_deref() == Some("results")).collect();
        let counts: Vec<f64> = results
            .iter()
            .filter(|t| t.attrs.contains_key("data-key"))
            .map(|t| t.text.parse().unwrap())
            .collect();
        let tenths: Vec<u32> = results
            .iter()
            .filter_map(|t| t.text.strip_suffix('%'))
            .map(|p| (p.parse::<f64>().unwrap() * 10.0).round() as u32)
            .collect();
        assert_eq!(tenths.len(), 6, "{path}");
        assert_eq!(tenths.iter().sum::<u32>(), 1000, "{path}: {tenths:?}");
        for (c, t) in counts.iter().zip(&tenths) {
            let exact = c / total * 1000.0;
            assert!((exact - f64::from(*t)).abs() < 1.0, "{path}: {c}/{total} drawn as {t}‰");
        }
    }
}

/// A chart whose numbers are all 0 is a sentence, with no axis or bar: the example's
/// 行政事业性收费, and every chart of a new report's skeleton.
#[test]
fn a_chart_of_zeros_is_a_sentence() {
    let engine = Engine::new(EngineOptions::default()).unwrap();
    let svg = svg_of(&engine, &load(REPORTS[0]), None);
    assert!(svg.contains("本年度行政事业性收费金额为 0。"));
    assert!(!svg.contains("data-key=\"proactive.fees\""));
    assert!(!svg.contains("id=\"fees-title\""));

    let dir = store("tujie", "skeleton");
    let yaml = dir.join("zero.yaml");
    let out = nianbao()
        .args(["init", "--unit", "某某县某某局", "--year", "2025", "-o"])
        .arg(&yaml)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let loaded = nianbao::load_and_check(&yaml);
    let svg = svg_of(&engine, &loaded, None);
    assert!(!svg.contains("data-key"), "a skeleton has no number to draw");
    assert!(!svg.contains("role=\"img\""), "a skeleton has no chart");
    for sentence in [
        "本年度未收到政府信息公开申请",
        "本年度没有办理完毕的政府信息公开申请",
        "本年度未发生政府信息公开行政复议、行政诉讼",
    ] {
        assert!(svg.contains(sentence), "{sentence}");
    }
}

/// With last year's report, each bar chart draws both years: last year's numbers are the
/// ones last year's tables print.
#[test]
fn previous_year_is_drawn_beside_this_year() {
    let engine = Engine::new(EngineOptions::default()).unwrap();
    let (this, last) = (load(REPORTS[1]), load(REPORTS[0]));
    let last_numbers = printed(&engine, &last);
    let svg = svg_of(&engine, &this, Some(&last));
    let old: Vec<SvgText> = svg_texts(&svg)
        .into_iter()
        .filter(|t| t.attrs.get("data-year").is_some_and(|y| y == "2024"))
        .collect();
    assert!(old.len() >= 20, "{} of last year's numbers", old.len());
    for t in &old {
        assert_eq!(t.text, expected(&last_numbers, &t.attrs["data-key"]));
    }
    assert!(svg.contains("2024年"));
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let be = |b: &[u8]| u32::from_be_bytes(b.try_into().unwrap());
    (be(&png[16..20]), be(&png[20..24]))
}

/// The long image is 1080 px wide, and its text is drawn: the header band's white title
/// and 图解 mark exist only as glyphs of the bundled faces, the rasteriser's only fonts.
#[test]
fn the_long_image_is_1080_wide_with_its_text_drawn() {
    let engine = Engine::new(EngineOptions::default()).unwrap();
    let dir = store("tujie", "png");
    for path in REPORTS {
        let loaded = load(path);
        let out = engine.render(&loaded, &[OutputKind::Tujie(TujieForm::Png)]).expect("renders");
        let png = &out.outputs[0].bytes;
        let name = Path::new(path).file_stem().unwrap().to_string_lossy().into_owned();
        std::fs::write(dir.join(format!("{name}.tujie.png")), png).unwrap();
        let (w, h) = png_size(png);
        assert_eq!(w, 1080);
        assert!((2000..8000).contains(&h), "{h}");
        let image = image::load_from_memory(png).unwrap().to_rgb8();
        // The title band: red, with white title lines (glyphs) and the white 图解 mark.
        let band: Vec<&image::Rgb<u8>> = (10..200)
            .flat_map(|y| (0..1080).map(move |x| (x, y)))
            .map(|(x, y)| image.get_pixel(x, y))
            .collect();
        let white = band.iter().filter(|p| p.0 == [255, 255, 255]).count();
        let red = band.iter().filter(|p| p.0 == [0x9b, 0x1c, 0x1c]).count();
        assert!(red > band.len() / 2, "the band is red");
        assert!(white > 2000, "the title is drawn: {white} white pixels");
        // The SVG the PNG is made from names the bundled faces.
        let svg = svg_of(&engine, &loaded, None);
        assert!(svg.contains("font-family=\"FandolHei, sans-serif\""));
        assert!(svg.contains("font-family=\"FandolSong, sans-serif\""));
    }
}

/// The 图解 pages pass the tagged-PDF checks the report's PDF passes (pdfua, outloud,
/// krilla's own PDF/UA-1 validation), with a Figure with alternative text and a Table per
/// chart drawn.
#[test]
fn the_pages_are_a_tagged_pdf_with_figures_and_tables() {
    let engine = Engine::new(EngineOptions { pdfua: true, ..EngineOptions::default() }).unwrap();
    let dir = store("tujie", "pdf");
    let loaded = load(REPORTS[1]);
    let out = engine.render(&loaded, &[OutputKind::Tujie(TujieForm::Pdf)]).expect("renders");
    let pdf = dir.join("township-2025.tujie.pdf");
    std::fs::write(&pdf, &out.outputs[0].bytes).unwrap();
    assert_pdfua(&pdf);
    let tree = struct_tree(&pdf);
    let mut all = Vec::new();
    tree.walk(&mut all);
    let figures: Vec<_> = all.iter().filter(|n| n.kind == "Figure").collect();
    let tables = all.iter().filter(|n| n.kind == "Table").count();
    let tujie = engine.tujie(&loaded, None).unwrap();
    let drawn = tujie.charts.iter().filter(|c| !c.is_zero()).count();
    assert_eq!(figures.len(), drawn);
    assert_eq!(tables, tujie.charts.len(), "every chart's numbers as a table");
    // Each Figure's /Alt is its chart in words, every number on it named.
    let json = qpdf_json(&pdf);
    let objects = json["qpdf"][1].as_object().expect("qpdf's objects");
    // (qpdf lists the objects by number, not in reading order.)
    let mut alts: Vec<String> = objects
        .values()
        .filter(|o| o["value"]["/S"] == "/Figure")
        .map(|o| o["value"]["/Alt"].as_str().unwrap_or_default().trim_start_matches("u:").into())
        .collect();
    alts.sort();
    let mut want: Vec<String> = tujie
        .charts
        .iter()
        .filter(|c| !c.is_zero())
        .map(|c| c.description(tujie.year, None))
        .collect();
    want.sort();
    assert_eq!(alts, want);
    assert!(alts.iter().any(|a| a.contains("予以公开6件，占37.5%")), "{alts:?}");
    // The tables' numbers are the charts' (read back as text).
    let text = crate::render_support::tool_ok("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    for chart in &tujie.charts {
        assert!(text.contains(&chart.title), "{}", chart.title);
    }
}

/// `render --format tujie` writes the three forms beside the report's name, all or none.
#[test]
fn the_cli_writes_the_three_forms() {
    let dir = store("tujie", "cli");
    let out = nianbao()
        .args(["render", "--format", "tujie", "-o"])
        .arg(&dir)
        .arg(root().join(REPORTS[1]))
        .args(["--previous"])
        .arg(root().join(REPORTS[0]))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for ext in ["svg", "png", "pdf"] {
        let f = dir.join(format!("township-2025.tujie.{ext}"));
        assert!(f.metadata().unwrap().len() > 1000, "{}", f.display());
    }
    let svg = std::fs::read_to_string(dir.join("township-2025.tujie.svg")).unwrap();
    assert!(svg.contains("data-year=\"2024\""), "--previous draws last year");
}

/// Asked for with the 图解, the HTML page carries it: each chart an inline SVG with its
/// `<title>`/`<desc>` and its numbers as a table with scoped labels, every number the one
/// the page's official tables print; axe-core finds nothing serious in Chromium, in normal
/// and large-text mode, and the page never scrolls sideways.
#[test]
fn the_html_page_carries_the_charts_accessibly() {
    let engine = Engine::new(EngineOptions::default()).unwrap();
    let loaded = load(REPORTS[1]);
    let numbers = printed(&engine, &loaded);
    let kinds = [OutputKind::Html, OutputKind::Tujie(TujieForm::Svg)];
    let out = engine.render(&loaded, &kinds).expect("renders");
    let html = String::from_utf8(out.get(OutputKind::Html).unwrap().to_vec()).unwrap();
    let section = &html[html.find("<section class=\"nb-tujie\"").expect("the 图解 section")..];
    assert_eq!(section.matches("<svg ").count(), 5, "the five charts with a number");
    assert_eq!(section.matches("<table ").count(), 6, "every chart's numbers");
    assert_eq!(section.matches("<desc id=\"nb-tujie-").count(), 5);
    // Every number of the section's tables and drawings is the page's official tables'.
    let mut seen = 0;
    for piece in section.split("data-key=\"").skip(1) {
        let (key, rest) = piece.split_once('"').unwrap();
        let text = &rest[rest.find('>').unwrap() + 1..rest.find('<').unwrap()];
        assert_eq!(text, expected(&numbers, key), "{key}");
        seen += 1;
    }
    // 34 drawn (fees are 0: a sentence), 35 in the tables.
    assert_eq!(seen, 34 + 35);
    // Without the 图解 the page is as it was.
    let plain = engine.render(&loaded, &[OutputKind::Html]).expect("renders");
    assert!(!String::from_utf8_lossy(plain.get(OutputKind::Html).unwrap()).contains("nb-tujie"));

    let page = store("tujie", "html").join("township-2025.html");
    std::fs::write(&page, &html).unwrap();
    let r = crate::html::browse(&page, "tujie");
    for view in ["desktop", "phone"] {
        for mode in [&r[view], &r[view]["large"]] {
            let axe = &mode["axe"];
            assert!(crate::html::serious(axe).is_empty(), "{view}: {axe:#}");
            assert!(
                mode["page_scroll_width"].as_f64() <= mode["page_client_width"].as_f64(),
                "{view}: the page scrolls sideways"
            );
        }
    }
}

/// A hostile report: a unit name of thousands of characters, XML in it, and counts in the
/// billions. The image stays bounded (the name wraps to four lines, ending in `…`), the SVG
/// stays well-formed XML, and the numbers are still the tables'.
#[test]
fn a_hostile_report_draws_within_bounds() {
    let yaml = std::fs::read_to_string(root().join(REPORTS[1])).unwrap();
    let long = format!("<script>&{}", "很长的单位名称".repeat(600));
    let yaml = yaml
        .replace("unit: 青山县石桥镇人民政府", &format!("unit: \"{long}\""))
        .replace("licensing: 46", "licensing: 99999999");
    let dir = store("tujie", "hostile");
    let path = dir.join("hostile.yaml");
    std::fs::write(&path, yaml).unwrap();
    let loaded = nianbao::load_and_check(&path);
    assert!(loaded.is_ok(), "{:#?}", loaded.diags);
    let engine = Engine::new(EngineOptions::default()).unwrap();
    let out = engine.render(&loaded, &nianbao::OutputKind::tujie()).expect("renders");
    let svg =
        String::from_utf8(out.get(OutputKind::Tujie(TujieForm::Svg)).unwrap().to_vec()).unwrap();
    let texts = svg_texts(&svg);
    assert!(texts.iter().any(|t| t.text.ends_with('…')), "the name is cut");
    assert!(texts.iter().any(|t| t.text == "99999999"));
    let png = out.get(OutputKind::Tujie(TujieForm::Png)).unwrap();
    let (w, h) = png_size(png);
    assert_eq!(w, 1080);
    assert!(h < 5000, "{h}");
    std::fs::write(dir.join("hostile.tujie.png"), png).unwrap();
    assert!(out.get(OutputKind::Tujie(TujieForm::Pdf)).unwrap().starts_with(b"%PDF-"));
}
