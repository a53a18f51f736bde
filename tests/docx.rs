//! DOCX backend: determinism, schema validity (openxml-audit), read-back with
//! python-docx, and LibreOffice rendering. External tools are required: a missing
//! tool fails the test with the line that installs it (CI installs them all).
//!
//! Outputs are kept in `tests/store/docx/` for a look: the DOCX files, the
//! LibreOffice PDF and one PNG per page.

use crate::common;

use common::example_document;
use nianbao::docx::{DocxFonts, DocxOptions, export};
use nianbao::resolve::{Block, Document, FigureBlock, ImageData, ParaStyle, Paragraph, Run};
use nianbao::template::Role;
use nianbao::units::Abs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use crate::libreoffice;

const EXAMPLE: &str = "examples/shengsi-2024.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A red seal-like PNG with alpha: a ring and a filled centre dot.
fn seal_png() -> ImageData {
    let n = 240u32;
    let img = image::RgbaImage::from_fn(n, n, |x, y| {
        let (dx, dy) = (x as f64 - 119.5, y as f64 - 119.5);
        let r = (dx * dx + dy * dy).sqrt();
        let on = (105.0..118.0).contains(&r) || r < 20.0;
        image::Rgba(if on { [220, 20, 30, 190] } else { [0, 0, 0, 0] })
    });
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    ImageData::from_bytes(bytes).unwrap()
}

/// The example with a seal on the signature and a captioned figure before it.
fn sealed_document() -> Document {
    let mut doc = example_document();
    let seal = Arc::new(seal_png());
    let pos = doc.blocks.iter().position(|b| matches!(b, Block::Signature(_))).unwrap();
    if let Block::Signature(s) = &mut doc.blocks[pos] {
        s.seal = Some((seal.clone(), doc.style.seal_size));
    }
    let caption = Paragraph {
        runs: vec![Run { text: "图1 示例图".into(), role: Role::Caption }],
        first_line_indent_chars: 0,
        align: nianbao::resolve::Align::Center,
        keep_with_next: false,
        style: ParaStyle::Caption,
        span: Default::default(),
    };
    let figure = FigureBlock {
        image: seal,
        width: Abs::mm(30.0),
        height: Abs::mm(30.0),
        caption: Some(caption),
        alt: None,
        span: Default::default(),
    };
    doc.blocks.insert(pos - 1, Block::Figure(figure));
    doc
}

/// Writes `bytes` under `tests/store/docx/` and returns the path.
fn store(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = root().join("tests/store/docx");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Fails with the install line when `tool` cannot be run.
fn require(tool: &str, probe: &[&str], install: &str) {
    let ok = Command::new(tool).args(probe).output().is_ok_and(|o| o.status.success());
    assert!(ok, "`{tool}` is needed for this test; install it with: {install}");
}

fn official() -> DocxOptions {
    DocxOptions { fonts: DocxFonts::Official }
}

#[test]
fn docx_deterministic() {
    let doc = example_document();
    let a = export(&doc, &official());
    let b = export(&doc, &official());
    assert!(a == b, "two exports of the same document differ");
    let sealed = sealed_document();
    assert!(export(&sealed, &official()) == export(&sealed, &official()));
    // Every entry carries the zip epoch, never the clock.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    assert_eq!(names[0], "[Content_Types].xml");
    for i in 0..zip.len() {
        let f = zip.by_index(i).unwrap();
        let t = f.last_modified().unwrap();
        assert_eq!((t.year(), t.month(), t.day()), (1980, 1, 1), "{}", f.name());
    }
}

#[test]
fn docx_bundled_fonts_name_fandol_families() {
    let bytes = export(&example_document(), &DocxOptions { fonts: DocxFonts::Bundled });
    let styles = part(&bytes, "word/styles.xml");
    assert!(styles.contains("w:eastAsia=\"FandolFang\""), "{styles}");
    // Title: FandolSong-Bold → family FandolSong, bold.
    let title = &styles[styles.find("w:styleId=\"Title\"").unwrap()..];
    let title = &title[..title.find("</w:style>").unwrap()];
    assert!(title.contains("w:eastAsia=\"FandolSong\"") && title.contains("<w:b/>"), "{title}");
    assert!(!styles.contains("仿宋_GB2312"));
}

#[test]
fn docx_never_writes_val_true() {
    let bytes = export(&sealed_document(), &official());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    for i in 0..zip.len() {
        let name = zip.by_index(i).unwrap().name().to_string();
        if name.ends_with(".xml") || name.ends_with(".rels") {
            let text = part(&bytes, &name);
            assert!(!text.contains("w:val=\"true\""), "{name}");
        }
    }
}

fn part(docx: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The DOCX of a report as `nianbao render --format pdf,docx` makes it: told the PDF's
/// page breaks (labels restarted at table breaks, text carried to the signature).
fn rendered_docx(rel: &str) -> Vec<u8> {
    let loaded = nianbao::load_and_check(&root().join(rel));
    assert!(loaded.is_ok(), "{:?}", loaded.diags);
    let outputs = [nianbao::OutputKind::Pdf, nianbao::OutputKind::Docx];
    let engine = nianbao::Engine::new(nianbao::EngineOptions::default()).unwrap();
    engine.render(&loaded, &outputs).expect("renders").docx().unwrap().to_vec()
}

#[test]
fn docx_openxml_audit_clean() {
    require("openxml-audit", &["--help"], "pip install openxml-audit");
    let paginated = rendered_docx(EXAMPLE);
    let carried = rendered_docx("tests/suite/render/signature-near-foot.yaml");
    // Both cases use what pagination adds, or the audit would not see it.
    let xml = part(&paginated, "word/document.xml");
    assert!(xml.matches("三、本年度办理结果").count() >= 2, "a restarted label");
    assert!(part(&carried, "word/document.xml").contains("<w:keepLines/>"), "a carried part");
    for (name, bytes) in [
        ("audit-example.docx", export(&example_document(), &official())),
        ("audit-sealed.docx", export(&sealed_document(), &official())),
        ("audit-paginated.docx", paginated),
        ("audit-carried.docx", carried),
    ] {
        let path = store(name, &bytes);
        let out = Command::new("openxml-audit")
            .args(["--format", "office2019", "--output", "json", "--max-errors", "0"])
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let json: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("openxml-audit output is not JSON ({e}): {text}"));
        let report = &json[0];
        let errors = report["error_count"].as_u64().expect("error_count in the audit report");
        let warnings = report["warning_count"].as_u64().unwrap_or(0);
        println!("openxml-audit {name}: {errors} errors, {warnings} warnings");
        assert_eq!(errors + warnings, 0, "openxml-audit findings in {name}:\n{text}");
        assert_eq!(report["valid"], true, "{text}");
        assert!(out.status.success(), "openxml-audit failed on {name}:\n{text}");
    }
}

#[test]
fn docx_python_docx_reads_back() {
    require("python3", &["-c", "import docx"], "pip install python-docx");
    let path = store("readback-sealed.docx", &export(&sealed_document(), &official()));
    let out = Command::new("python3")
        .arg(root().join("tests/tools/docx_readback.py"))
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "python-docx read-back failed:\n{stdout}\n{stderr}");
}

/// Converts `docx` to PDF with LibreOffice (bundled fonts under the official names)
/// next to it and returns the PDF's path.
fn libreoffice_pdf(docx: &Path) -> PathBuf {
    libreoffice::convert(docx, "pdf", docx.parent().unwrap())
}

/// Page count of `docx` as LibreOffice lays it out. The PDF backend's page count for
/// the same report should match (compare in the PDF tests).
fn libreoffice_pages(docx: &Path) -> usize {
    let pdf = libreoffice_pdf(docx);
    require("pdfinfo", &["-v"], "apt-get install -y poppler-utils");
    let out = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&out.stdout);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count from pdfinfo:\n{info}"))
}

#[test]
fn docx_libreoffice_renders() {
    let doc = example_document();
    let path = store("shengsi-2024.docx", &export(&doc, &official()));
    let pages = libreoffice_pages(&path);
    println!("LibreOffice pages for {EXAMPLE}: {pages}");
    assert!((3..=6).contains(&pages), "unexpected page count {pages}");

    // The fonts LibreOffice used must be the bundled ones, not a system fallback.
    let pdf = path.with_extension("pdf");
    require("pdffonts", &["-v"], "apt-get install -y poppler-utils");
    let out = Command::new("pdffonts").arg(&pdf).output().unwrap();
    let fonts = String::from_utf8_lossy(&out.stdout);
    println!("{fonts}");
    for family in ["FandolFang", "FandolSong-Regular", "FandolSong-Bold", "FandolHei", "FandolKai"]
    {
        assert!(fonts.contains(family), "{family} missing from the PDF:\n{fonts}");
    }

    // Pages as PNG for a look (tests/store/docx/shengsi-2024-N.png).
    require("pdftoppm", &["-v"], "apt-get install -y poppler-utils");
    let prefix = path.with_extension("");
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-png"])
        .arg(&pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());

    // With the Fandol names written into the DOCX, LibreOffice paginates the same.
    let bundled = DocxOptions { fonts: DocxFonts::Bundled };
    let bundled = store("shengsi-2024-bundled.docx", &export(&doc, &bundled));
    assert_eq!(libreoffice_pages(&bundled), pages, "bundled-font DOCX paginates differently");

    // The sealed variant renders too.
    let sealed = store("shengsi-2024-sealed.docx", &export(&sealed_document(), &official()));
    let sealed_pages = libreoffice_pages(&sealed);
    println!("LibreOffice pages with seal and figure: {sealed_pages}");
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-png"])
        .arg(sealed.with_extension("pdf"))
        .arg(sealed.with_extension(""))
        .status()
        .unwrap();
    assert!(status.success());
}

/// The DOCX, laid out by LibreOffice with the bundled fonts under the official
/// names, has as many pages as our own PDF, for every bundled example.
#[test]
fn docx_page_count_matches_pdf() {
    for name in ["shengsi-2024", "township-2025"] {
        let path = root().join("examples").join(format!("{name}.yaml"));
        let loaded = nianbao::load_and_check(&path);
        assert!(loaded.is_ok(), "{name} must be clean");
        let engine = nianbao::Engine::new(nianbao::EngineOptions::default()).unwrap();
        let outputs = [nianbao::OutputKind::Pdf, nianbao::OutputKind::Docx];
        let rendered = engine.render(&loaded, &outputs).unwrap();
        let pages = rendered.pages().expect("a PDF").count;
        let docx = store(&format!("{name}-pages.docx"), rendered.docx().unwrap());
        let lo = libreoffice_pages(&docx);
        println!("{name}: our PDF {pages} pages, LibreOffice {lo} pages");
        assert_eq!(lo, pages, "{name}: page counts differ");
    }
}
