//! The OFD (GB/T 33190-2016, issue #36) of the examples and the typesetting suite's reports:
//! every XML part against the standard's schemas (`xmllint --schema`, tests/ofd-xsd/), the
//! references the schemas cannot see (our own check below), the text read back by an
//! independent reader (`ofdkit`, PyPI) against the PDF's (`pdftotext`), the pages drawn by an
//! independent renderer (`ofd-core`, crates.io, through tests/tools/ofd-render) against the
//! PDF's pages (`pdftoppm`), the metadata and outline, the size against the PDF, and the same
//! bytes twice. Files worth looking at go to tests/store/ofd/.

use crate::render_support::{lay_out, root, store, strip_ws, tool_ok};
use nianbao::layout::Layout;
use nianbao::ofd::OfdOptions;
use nianbao::pdf::PdfOptions;
use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The reports the OFD tests cover: both examples and every suite report that renders.
fn reports() -> Vec<PathBuf> {
    let mut list =
        vec![root().join("examples/shengsi-2024.yaml"), root().join("examples/township-2025.yaml")];
    let mut suite: Vec<PathBuf> = std::fs::read_dir(root().join("tests/suite/render"))
        .expect("tests/suite/render")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        // E-W1 by design: nothing is rendered.
        .filter(|p| !p.ends_with("number-too-wide.yaml"))
        .collect();
    suite.sort();
    list.extend(suite);
    list
}

/// One report as PDF (untagged: the smaller one) and OFD from the same layout.
struct Both {
    name: String,
    layout: Layout,
    pdf: Vec<u8>,
    ofd: Vec<u8>,
    dir: PathBuf,
}

fn both(path: &Path) -> Both {
    let laid = lay_out(path);
    let fonts = crate::render_support::fonts();
    let pdf =
        nianbao::pdf::export(&laid.layout, fonts, &laid.doc, PdfOptions::default()).expect("a PDF");
    let ofd = nianbao::ofd::export(&laid.layout, fonts, &laid.doc, OfdOptions::default())
        .expect("an OFD");
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let dir = store("ofd", &name);
    std::fs::write(dir.join(format!("{name}.pdf")), &pdf).unwrap();
    std::fs::write(dir.join(format!("{name}.ofd")), &ofd).unwrap();
    Both { name, layout: laid.layout, pdf, ofd, dir }
}

/// Every report's PDF and OFD, made once per test binary.
fn all() -> &'static [Both] {
    static ALL: OnceLock<Vec<Both>> = OnceLock::new();
    ALL.get_or_init(|| reports().iter().map(|p| both(p)).collect())
}

/// The package's entries: name → bytes.
fn entries(ofd: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(ofd)).expect("an OFD is a zip");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.insert(entry.name().to_string(), bytes);
    }
    out
}

/// The schema of a part (the spec folder's check.sh mapping).
fn schema(part: &str) -> Option<&'static str> {
    let file = part.rsplit('/').next().unwrap();
    match file {
        "OFD.xml" => Some("OFD.xsd"),
        "Document.xml" => Some("Document.xsd"),
        "PublicRes.xml" | "DocumentRes.xml" | "PageRes.xml" => Some("Res.xsd"),
        "Content.xml" => Some("Page.xsd"),
        "Signatures.xml" => Some("Signatures.xsd"),
        "Annotations.xml" => Some("Annotations.xsd"),
        _ => None,
    }
}

/// xmllint's verdict on one part (None when valid).
fn xmllint(schema: &str, file: &Path) -> Option<String> {
    let xsd = root().join("tests/ofd-xsd").join(schema);
    let out =
        match Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(file).output() {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                panic!("`xmllint` is not installed: apt-get install libxml2-utils")
            }
            Err(e) => panic!("cannot run xmllint: {e}"),
        };
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn every_xml_part_passes_the_gbt_33190_schemas() {
    let mut checked = 0;
    for b in all() {
        let parts = entries(&b.ofd);
        let dir = b.dir.join("parts");
        for (name, bytes) in &parts {
            if !name.ends_with(".xml") {
                continue;
            }
            let schema = schema(name).unwrap_or_else(|| panic!("{}: no schema for {name}", b.name));
            let file = dir.join(name);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, bytes).unwrap();
            if let Some(why) = xmllint(schema, &file) {
                panic!("{}: {name} fails {schema}:\n{why}", b.name);
            }
            checked += 1;
        }
    }
    assert!(checked >= 4 * all().len(), "only {checked} parts checked");
}

/// A schema check that can fail: a part with an element out of order is refused.
#[test]
fn the_schema_check_refuses_a_broken_part() {
    let b = &all()[0];
    let parts = entries(&b.ofd);
    let doc = String::from_utf8(parts["Doc_0/Document.xml"].clone()).unwrap();
    // MaxUnitID must come first in CommonData.
    let broken = doc.replacen("<ofd:MaxUnitID>", "<ofd:Nonsense/><ofd:MaxUnitID>", 1);
    let file = store("ofd", "broken").join("Document.xml");
    std::fs::write(&file, broken).unwrap();
    assert!(xmllint("Document.xsd", &file).is_some(), "xmllint accepted a broken part");
}

/// One element of a part: its name without the prefix and its attributes, and its text.
struct Element {
    part: String,
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
}

fn elements(part: &str, bytes: &[u8]) -> Vec<Element> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut out: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) => {
                out.push(element(part, &e));
                open.push(out.len() - 1);
            }
            Event::Empty(e) => out.push(element(part, &e)),
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    out[i].text.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(&i) = open.last() {
                    let c = match r.resolve_char_ref().ok().flatten() {
                        Some(c) => c.to_string(),
                        None => {
                            let name = r.decode().unwrap();
                            quick_xml::escape::resolve_predefined_entity(&name)
                                .expect("a predefined entity")
                                .to_string()
                        }
                    };
                    out[i].text.push_str(&c);
                }
            }
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
        buf.clear();
    }
    out
}

fn element(part: &str, e: &quick_xml::events::BytesStart<'_>) -> Element {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = BTreeMap::new();
    for a in e.attributes() {
        let a = a.unwrap();
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        attrs.insert(key, a.unescape_value().unwrap().into_owned());
    }
    Element { part: part.to_string(), name, attrs, text: String::new() }
}

/// What the schemas cannot see: every reference resolves (ResourceID → an image,
/// Font → a font, PageID → a page, every BaseLoc, FontFile and MediaFile present in the
/// package, each font file a font), every ID is unique, MaxUnitID is the largest.
fn reference_problems(ofd: &[u8]) -> Vec<String> {
    let parts = entries(ofd);
    let mut problems = Vec::new();
    let mut all: Vec<Element> = Vec::new();
    for (name, bytes) in &parts {
        if name.ends_with(".xml") {
            all.extend(elements(name, bytes));
        }
    }
    let dir = |part: &str| part.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
    let present = |path: &str, problems: &mut Vec<String>, what: &str| {
        if !parts.contains_key(path) {
            problems.push(format!("{what} {path} is not in the package"));
        }
    };
    // The entry and the document root.
    let roots: Vec<&Element> = all.iter().filter(|e| e.name == "DocRoot").collect();
    if roots.is_empty() {
        problems.push("OFD.xml has no DocRoot".into());
    }
    for r in &roots {
        present(&r.text, &mut problems, "DocRoot");
    }
    // IDs: unique over the document, MaxUnitID the largest.
    let mut ids: BTreeMap<u64, String> = BTreeMap::new();
    for e in &all {
        if let Some(id) = e.attrs.get("ID") {
            let id: u64 = id.parse().unwrap_or_else(|_| panic!("ID {id} is a number"));
            if let Some(other) = ids.insert(id, format!("{} {}", e.part, e.name)) {
                problems.push(format!("ID {id} twice: {other} and {} {}", e.part, e.name));
            }
        }
    }
    let max: Option<u64> =
        all.iter().find(|e| e.name == "MaxUnitID").and_then(|e| e.text.trim().parse().ok());
    match (max, ids.keys().next_back()) {
        (Some(m), Some(&top)) if m != top => {
            problems.push(format!("MaxUnitID {m}, the largest ID is {top}"))
        }
        (None, _) => problems.push("no MaxUnitID".into()),
        _ => {}
    }
    let kind_of = |id: &str| -> Option<&str> {
        let id: u64 = id.parse().ok()?;
        all.iter()
            .find(|e| e.attrs.get("ID").and_then(|v| v.parse::<u64>().ok()) == Some(id))
            .map(|e| e.name.as_str())
    };
    // Resource files: BaseLoc of each Res part, then its font and media files.
    for e in all.iter().filter(|e| e.name == "PublicRes" || e.name == "DocumentRes") {
        present(&format!("{}{}", dir(&e.part), e.text), &mut problems, &e.name);
    }
    for e in all.iter().filter(|e| e.name == "Page" && e.attrs.contains_key("BaseLoc")) {
        present(&format!("{}{}", dir(&e.part), e.attrs["BaseLoc"]), &mut problems, "page");
    }
    let res_base: BTreeMap<&str, String> = all
        .iter()
        .filter(|e| e.name == "Res")
        .map(|e| (e.part.as_str(), format!("{}{}/", dir(&e.part), e.attrs["BaseLoc"])))
        .collect();
    for e in all.iter().filter(|e| e.name == "FontFile" || e.name == "MediaFile") {
        let path = format!("{}{}", res_base[e.part.as_str()], e.text);
        present(&path, &mut problems, &e.name);
        if e.name == "FontFile"
            && let Some(bytes) = parts.get(&path)
            && skrifa::FontRef::new(bytes).is_err()
        {
            problems.push(format!("{path} is not a font"));
        }
    }
    // References by ID.
    for e in &all {
        let wants: &[(&str, &str)] = match e.name.as_str() {
            "TextObject" => &[("Font", "Font")],
            "ImageObject" => &[("ResourceID", "MultiMedia")],
            "Dest" => &[("PageID", "Page")],
            _ => &[],
        };
        for &(attr, kind) in wants {
            match e.attrs.get(attr) {
                None => problems.push(format!("{} {} without {attr}", e.part, e.name)),
                Some(id) if kind_of(id) != Some(kind) => problems.push(format!(
                    "{} {} {attr}={id} names no {kind} (it is {:?})",
                    e.part,
                    e.name,
                    kind_of(id)
                )),
                _ => {}
            }
        }
    }
    problems
}

#[test]
fn every_reference_resolves_ids_are_unique_and_max_unit_id_is_right() {
    for b in all() {
        let problems = reference_problems(&b.ofd);
        assert!(problems.is_empty(), "{}: {problems:#?}", b.name);
    }
}

/// The reference check finds what it looks for: a package with a missing font file, a
/// repeated ID and a wrong MaxUnitID.
#[test]
fn the_reference_check_finds_broken_references() {
    let b = &all()[0];
    let parts = entries(&b.ofd);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in &parts {
        if name.ends_with(".otf") && name.contains("font_1.") {
            continue;
        }
        let mut bytes = bytes.clone();
        if name.ends_with("Document.xml") {
            let text = String::from_utf8(bytes).unwrap();
            let max = text.split("<ofd:MaxUnitID>").nth(1).unwrap().split('<').next().unwrap();
            let wrong = max.parse::<u32>().unwrap() + 1;
            bytes = text
                .replacen(&format!("<ofd:MaxUnitID>{max}<"), &format!("<ofd:MaxUnitID>{wrong}<"), 1)
                .into_bytes();
        }
        if name.ends_with("Page_0/Content.xml") {
            let text = String::from_utf8(bytes).unwrap();
            // The layer takes the ID of the font.
            let layer = text.split("<ofd:Layer ID=\"").nth(1).unwrap().split('"').next().unwrap();
            bytes = text
                .replacen(&format!("<ofd:Layer ID=\"{layer}\""), "<ofd:Layer ID=\"1\"", 1)
                .into_bytes();
        }
        zip.start_file(name.as_str(), options).unwrap();
        std::io::Write::write_all(&mut zip, &bytes).unwrap();
    }
    let broken = zip.finish().unwrap().into_inner();
    let problems = reference_problems(&broken).join("\n");
    assert!(problems.contains("font_1.otf is not in the package"), "{problems}");
    assert!(problems.contains("ID 1 twice"), "{problems}");
    assert!(problems.contains("MaxUnitID"), "{problems}");
}

/// The text of every `TextCode`, in the package's order.
fn text_codes(ofd: &[u8]) -> Vec<String> {
    let parts = entries(ofd);
    let mut pages: Vec<(usize, &String)> = parts
        .keys()
        .filter_map(|k| {
            let n = k.strip_prefix("Doc_0/Pages/Page_")?.strip_suffix("/Content.xml")?;
            Some((n.parse().ok()?, k))
        })
        .collect();
    pages.sort();
    pages
        .iter()
        .flat_map(|(_, k)| elements(k, &parts[*k]))
        .filter(|e| e.name == "TextCode")
        .map(|e| e.text)
        .collect()
}

#[test]
fn every_glyph_is_text_with_its_advances() {
    for b in all() {
        let codes = text_codes(&b.ofd);
        let drawn: Vec<String> = b
            .layout
            .pages
            .iter()
            .flat_map(|p| &p.items)
            .filter_map(|i| match i {
                nianbao::layout::Item::Text(t) => Some(t.text.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(codes, drawn, "{}: the TextCodes are the layout's runs", b.name);
        let parts = entries(&b.ofd);
        let page = String::from_utf8(parts["Doc_0/Pages/Page_0/Content.xml"].clone()).unwrap();
        assert!(page.contains("DeltaX=\"g "), "{}: grid text repeats its advance", b.name);
    }
}

/// Each embedded font maps every character drawn with it to a glyph.
#[test]
fn the_embedded_fonts_map_every_character_drawn() {
    use skrifa::MetadataProvider;
    for b in all() {
        let parts = entries(&b.ofd);
        let mut fonts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for e in elements("Doc_0/PublicRes.xml", &parts["Doc_0/PublicRes.xml"]) {
            if e.name == "Font" {
                fonts.insert(e.attrs["ID"].clone(), Vec::new());
            }
            if e.name == "FontFile" {
                let id = fonts.keys().next_back().unwrap().clone();
                fonts.insert(id, parts[&format!("Doc_0/Res/{}", e.text)].clone());
            }
        }
        let mut missing = BTreeSet::new();
        for (name, bytes) in parts.iter().filter(|(n, _)| n.ends_with("Content.xml")) {
            let els = elements(name, bytes);
            let mut font = String::new();
            for e in els {
                if e.name == "TextObject" {
                    font = e.attrs["Font"].clone();
                }
                if e.name == "TextCode" {
                    let f = skrifa::FontRef::new(&fonts[&font]).expect("a font");
                    let cmap = f.charmap();
                    for c in e.text.chars().filter(|c| !c.is_whitespace()) {
                        if cmap.map(c).is_none_or(|g| g.to_u32() == 0) {
                            missing.insert(c);
                        }
                    }
                }
            }
        }
        // missing-glyph.yaml draws one character no font has, as .notdef, in both formats.
        let expected: BTreeSet<char> = b.layout.missing.iter().copied().collect();
        assert_eq!(missing, expected, "{}: characters the embedded fonts do not map", b.name);
    }
}

#[test]
fn metadata_and_outline() {
    let b = all().iter().find(|b| b.name == "shengsi-2024").unwrap();
    let parts = entries(&b.ofd);
    let info = elements("OFD.xml", &parts["OFD.xml"]);
    let get = |n: &str| info.iter().find(|e| e.name == n).map(|e| e.text.clone());
    let laid = lay_out(&root().join("examples/shengsi-2024.yaml"));
    assert_eq!(get("Title").as_deref(), Some(laid.doc.title.as_str()));
    assert_eq!(get("Author").as_deref(), Some(laid.doc.author.as_str()));
    let d = laid.doc.date.expect("the example has a date");
    let date = format!("{:04}-{:02}-{:02}", d.year, d.month, d.day);
    assert_eq!(get("CreationDate"), Some(date));
    assert_eq!(get("DocID").map(|s| s.len()), Some(32));

    // The outline: the six sections, each with its （一） headings, pointing at pages.
    let doc = String::from_utf8(parts["Doc_0/Document.xml"].clone()).unwrap();
    let outline = doc.split("<ofd:Outlines>").nth(1).expect("an outline");
    let mut depth = 0;
    let mut top = Vec::new();
    let mut children = 0;
    for piece in outline.split('<').skip(1) {
        if let Some(rest) = piece.strip_prefix("ofd:OutlineElem Title=\"") {
            let title = rest.split('"').next().unwrap().to_string();
            if depth == 0 {
                top.push(title);
            } else {
                assert!(title.starts_with('（'), "a sub-entry is a （一） heading: {title}");
                children += 1;
            }
            depth += 1;
        } else if piece.starts_with("/ofd:OutlineElem") {
            depth -= 1;
        }
    }
    let firsts: Vec<&str> = top.iter().map(|t| t.split('、').next().unwrap()).collect();
    assert_eq!(firsts, ["一", "二", "三", "四", "五", "六"], "{top:?}");
    assert!(children >= 4, "the （一） headings are in the outline ({children})");
}

#[test]
fn the_same_report_gives_the_same_bytes_with_fixed_times() {
    let b = &all()[0];
    let laid = lay_out(&root().join("examples/shengsi-2024.yaml"));
    let fonts = crate::render_support::fonts();
    let again = nianbao::ofd::export(&laid.layout, fonts, &laid.doc, OfdOptions::default());
    assert!(b.ofd == again.expect("an OFD"), "two OFDs of the same report differ");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&b.ofd)).unwrap();
    for i in 0..zip.len() {
        let e = zip.by_index(i).unwrap();
        let t = e.last_modified().unwrap();
        assert_eq!((t.year(), t.month(), t.day()), (1980, 1, 1), "{}", e.name());
    }
}

#[test]
fn an_ofd_is_no_larger_than_1_2_times_the_pdf() {
    for b in all() {
        let ratio = b.ofd.len() as f64 / b.pdf.len() as f64;
        eprintln!("{}: OFD {} bytes, PDF {} bytes, {ratio:.3}", b.name, b.ofd.len(), b.pdf.len());
        assert!(ratio <= 1.2, "{}: the OFD is {ratio:.2} × the PDF", b.name);
    }
}

/// `ofdkit text` (an independent reader, PyPI) reads the PDF's text in the PDF's order,
/// whitespace aside: `pdftotext -layout`'s, line by line down the page as ofdkit reads (plain
/// `pdftotext` follows the text flow into each multi-line table cell first, ofdkit does not);
/// and the same characters as plain `pdftotext`.
#[test]
fn ofdkit_reads_the_text_of_the_pdf() {
    for b in all() {
        let ofd = b.dir.join(format!("{}.ofd", b.name));
        let pdf = b.dir.join(format!("{}.pdf", b.name));
        let out = match Command::new("ofdkit").arg("text").arg(&ofd).output() {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "`ofdkit` is not installed: ./test.sh --setup-only installs it into .venv \
                 (tests/requirements.txt); put .venv/bin on PATH"
            ),
            Err(e) => panic!("cannot run ofdkit: {e}"),
        };
        assert!(out.status.success(), "ofdkit: {}", String::from_utf8_lossy(&out.stderr));
        let read = String::from_utf8(out.stdout).unwrap();
        std::fs::write(b.dir.join("ofdkit.txt"), &read).unwrap();
        let pdf_text = tool_ok("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
        std::fs::write(b.dir.join("pdftotext.txt"), &pdf_text).unwrap();
        // A character no font has is drawn as .notdef in both; the OFD's TextCode keeps it,
        // the PDF's text loses it or not (poppler drops U+4DAE there, keeps U+20BB7): such
        // characters are left out of both.
        let known = |s: &str| s.chars().filter(|c| !b.layout.missing.contains(c)).collect();
        let (read, pdf_text): (String, String) = (known(&read), known(&pdf_text));
        let (ours, theirs) = (strip_ws(&read), strip_ws(&pdf_text));
        // Compared with `-layout`'s text, which keeps every glyph: in its reading mode poppler
        // joins a line that ends in `-` to the next and drops the hyphen (a URL turned after
        // `-`, #31), which the PDF and the OFD both draw.
        let sorted = |s: &str| {
            let mut v: Vec<char> = s.chars().collect();
            v.sort_unstable();
            v
        };
        assert!(sorted(&ours) == sorted(&theirs), "{}: other characters than pdftotext's", b.name);
        assert!(ours.chars().count() > 500, "{}: ofdkit read {} characters", b.name, ours.len());
        // The suite's stress cases (table 四's labels stacked in narrow cells, set a fraction
        // of a point off each other's baselines) are grouped into lines differently by the two
        // readers' heuristics: there the characters alone are compared (above).
        let example = b.name == "shengsi-2024" || b.name == "township-2025";
        if example && ours != theirs {
            let at = ours.chars().zip(theirs.chars()).take_while(|(a, b)| a == b).count();
            let show = |s: &str| s.chars().skip(at.saturating_sub(20)).take(60).collect::<String>();
            panic!(
                "{}: ofdkit's text differs from pdftotext's at character {at}:\n ofdkit: {}\n    pdf: {}",
                b.name,
                show(&ours),
                show(&theirs)
            );
        }
    }
}

/// The ofd-core renderer (tests/tools/ofd-render, its own small cargo project: a dev tool,
/// not a dependency of nianbao), built once per test binary into the target folder.
fn ofd_render() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| root().join("target"), PathBuf::from)
            .join("ofd-render");
        let manifest = root().join("tests/tools/ofd-render/Cargo.toml");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "--quiet", "--locked", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target)
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "building tests/tools/ofd-render failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        target.join("debug/ofd-render")
    })
}

/// A page image as luma, 0 (black) to 255.
struct Gray {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

fn gray(path: &Path) -> Gray {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_luma8();
    Gray { w: img.width() as usize, h: img.height() as usize, px: img.into_raw() }
}

/// How two drawings of a page differ: the share of the page's pixels where one has ink
/// (darker than mid-grey) and the other is blank (near white) within one pixel, and the ink
/// of each. How dark an antialiased hairline comes out is the rasteriser's; a mark one
/// drawing has and the other lacks is the document's.
fn ink_difference(a: &Gray, b: &Gray) -> (f64, usize, usize) {
    let (w, h) = (a.w.min(b.w), a.h.min(b.h));
    let ink = |g: &Gray, x: usize, y: usize| g.px[y * g.w + x] < 128;
    let near = |g: &Gray, x: usize, y: usize| {
        (y.saturating_sub(1)..=(y + 1).min(h - 1)).any(|yy| {
            (x.saturating_sub(1)..=(x + 1).min(w - 1)).any(|xx| g.px[yy * g.w + xx] < 224)
        })
    };
    let (mut differ, mut ink_a, mut ink_b) = (0usize, 0usize, 0usize);
    for y in 0..h {
        for x in 0..w {
            let (ia, ib) = (ink(a, x, y), ink(b, x, y));
            ink_a += usize::from(ia);
            ink_b += usize::from(ib);
            if (ia && !near(b, x, y)) || (ib && !near(a, x, y)) {
                differ += 1;
            }
        }
    }
    (differ as f64 / (w * h) as f64, ink_a, ink_b)
}

/// Pixels that differ, at most this share of a page (at 100 dpi, after allowing a pixel's
/// shift): what two rasterisers' antialiasing and the seal's blending (the PDF multiplies it
/// over the text, OFD has no blend mode and draws it over with its own transparency) leave.
const PAGE_DIFFERENCE: f64 = 0.0005;

/// ofd-core draws every page of the OFD like pdftoppm draws the PDF's page.
#[test]
fn ofd_core_draws_each_page_like_the_pdf() {
    let bin = ofd_render();
    for b in all() {
        let dir = b.dir.join("pages");
        std::fs::create_dir_all(&dir).unwrap();
        let ofd = b.dir.join(format!("{}.ofd", b.name));
        let pdf = b.dir.join(format!("{}.pdf", b.name));
        let out = Command::new(bin).arg(&ofd).arg("100").arg(&dir).output().expect("ofd-render");
        assert!(out.status.success(), "ofd-render: {}", String::from_utf8_lossy(&out.stderr));
        let pages: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        assert_eq!(pages, b.layout.pages.len(), "{}: ofd-core's page count", b.name);
        let prefix = dir.join("pdf");
        tool_ok(
            "pdftoppm",
            &["-r", "100", "-png", pdf.to_str().unwrap(), prefix.to_str().unwrap()],
        );
        for n in 1..=pages {
            let ofd_page = gray(&dir.join(format!("page-{n}.png")));
            let digits = pages.to_string().len();
            let pdf_page = gray(&dir.join(format!("pdf-{n:0digits$}.png")));
            assert!(
                ofd_page.w.abs_diff(pdf_page.w) <= 1 && ofd_page.h.abs_diff(pdf_page.h) <= 1,
                "{} page {n}: sizes {}×{} and {}×{}",
                b.name,
                ofd_page.w,
                ofd_page.h,
                pdf_page.w,
                pdf_page.h
            );
            let (share, ink_ofd, ink_pdf) = ink_difference(&ofd_page, &pdf_page);
            eprintln!(
                "{} page {n}: {:.4} % of the pixels differ; ink OFD {ink_ofd}, PDF {ink_pdf}",
                b.name,
                share * 100.0
            );
            assert!(ink_ofd * 5 >= ink_pdf * 4, "{} page {n}: ofd-core drew less ink", b.name);
            assert!(
                share <= PAGE_DIFFERENCE,
                "{} page {n}: {:.3} % of the pixels differ (at most {:.1} %)",
                b.name,
                share * 100.0,
                PAGE_DIFFERENCE * 100.0
            );
        }
    }
}

/// `nianbao render --format pdf,ofd` writes the OFD beside the PDF: the package the library
/// makes from the same layout.
#[test]
fn render_format_ofd_writes_the_package() {
    let dir = store("ofd", "cli");
    let example = root().join("examples/shengsi-2024.yaml");
    let out = crate::render_support::nianbao()
        .args(["render", "--no-system-fonts", "--format", "pdf,ofd", "-o"])
        .arg(&dir)
        .arg(&example)
        .output()
        .expect("nianbao runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read(dir.join("shengsi-2024.ofd")).expect("the OFD is written");
    let b = all().iter().find(|b| b.name == "shengsi-2024").unwrap();
    assert!(written == b.ofd, "the CLI's OFD differs from the library's");
    assert!(dir.join("shengsi-2024.pdf").exists());
}

/// An OFD alone is paged: the engine reports its pages (batch's summary shows them).
#[test]
fn an_ofd_alone_reports_its_pages() {
    let engine = crate::render_support::engine(false);
    let loaded = crate::render_support::load(&root().join("examples/shengsi-2024.yaml"));
    let rendered = engine.render(&loaded, &[nianbao::OutputKind::Ofd]).expect("renders");
    let b = all().iter().find(|b| b.name == "shengsi-2024").unwrap();
    assert_eq!(rendered.pages().map(|p| p.count), Some(b.layout.pages.len()));
    assert!(rendered.get(nianbao::OutputKind::Ofd) == Some(b.ofd.as_slice()));
}
