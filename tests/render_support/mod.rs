//! Shared helpers for the PDF and layout suites: loading and rendering reports
//! with the bundled fonts, grouping positioned glyph runs into lines, running the
//! poppler/qpdf tools (a missing tool fails the test, naming the package).

#![allow(dead_code, reason = "each test binary uses a different subset")]

use nianbao::Loaded;
use nianbao::fonts::FontBook;
use nianbao::layout::{Item, Layout, LayoutOptions, TextItem, layout_document, line_extent};
use nianbao::resolve::Document;
use nianbao::template::{Style, default_style};
use nianbao::{Engine, EngineOptions, OutputKind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped example every suite renders.
pub fn example() -> PathBuf {
    root().join("examples/shengsi-2024.yaml")
}

/// A fresh folder under `tests/store/<area>/<name>` (git-ignored) for outputs
/// worth looking at after a run.
pub fn store(area: &str, name: &str) -> PathBuf {
    let dir = root().join("tests/store").join(area).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create tests/store folder");
    dir
}

/// The bundled style.
pub fn style() -> &'static Style {
    default_style()
}

/// The bundled fonts, loaded once per test binary.
pub fn fonts() -> &'static FontBook {
    static BOOK: OnceLock<FontBook> = OnceLock::new();
    BOOK.get_or_init(|| FontBook::bundled(default_style()).expect("bundled fonts load"))
}

/// An engine with the bundled fonts.
pub fn engine(pdfa: bool) -> Engine {
    Engine::new(EngineOptions { pdfa, ..EngineOptions::default() }).expect("the bundled fonts load")
}

/// Loads and checks a report that must have no errors.
pub fn load(path: &Path) -> Loaded {
    let loaded = nianbao::load_and_check(path);
    assert!(loaded.is_ok(), "{} has errors: {:#?}", path.display(), loaded.diags);
    loaded
}

/// A report resolved and laid out.
pub struct Laid {
    pub loaded: Loaded,
    pub doc: Document,
    pub layout: Layout,
}

/// Resolves and lays out a report.
pub fn lay_out(path: &Path) -> Laid {
    let loaded = load(path);
    let (doc, diags) = engine(false).resolve(&loaded).expect("resolves");
    assert!(!nianbao::diag::has_errors(&diags));
    let layout = layout_document(&doc, fonts(), LayoutOptions::default());
    Laid { loaded, doc, layout }
}

/// Renders a report to PDF bytes through the library's public pipeline.
pub fn render_pdf(path: &Path, pdfa: bool) -> Vec<u8> {
    let loaded = load(path);
    let out = engine(pdfa).render(&loaded, &[OutputKind::Pdf]).expect("renders");
    out.pdf().expect("a PDF was asked for").to_vec()
}

/// The example laid out once per test binary.
pub fn example_laid() -> &'static Laid {
    static LAID: OnceLock<Laid> = OnceLock::new();
    LAID.get_or_init(|| lay_out(&example()))
}

// --- lines ---------------------------------------------------------------------

/// A line as drawn: glyph runs on one baseline that touch end to end.
#[derive(Debug, Clone)]
pub struct Line {
    /// 0-based page index.
    pub page: usize,
    /// Baseline, pt from the top.
    pub y: f64,
    /// Left edge.
    pub x0: f64,
    /// Right edge (sum of advances, justification included).
    pub x1: f64,
    /// Largest font size in the line.
    pub size: f64,
    /// Face names of the runs, left to right.
    pub faces: Vec<String>,
    /// The characters.
    pub text: String,
}

impl Line {
    /// The line's text without whitespace.
    pub fn compact(&self) -> String {
        strip_ws(&self.text)
    }
}

/// Removes every whitespace character.
pub fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every line of the layout, in reading order (page, baseline, left to right).
/// Runs on the same baseline join when one ends where the next starts (within
/// 0.5 pt); table cells in one row stay separate lines.
pub fn lines(layout: &Layout) -> Vec<Line> {
    let names = |t: &TextItem| fonts().face(t.face).name.clone();
    let mut out = Vec::new();
    for (p, page) in layout.pages.iter().enumerate() {
        let mut items: Vec<&TextItem> = page
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text(t) => Some(t),
                _ => None,
            })
            .collect();
        items.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
        let mut current: Option<Line> = None;
        for t in items {
            let (x0, x1) = line_extent(t);
            if let Some(l) = current.as_mut()
                && (l.y - t.y).abs() < 0.01
                && (l.x1 - x0).abs() < 0.5
            {
                l.x1 = x1;
                l.size = l.size.max(t.size);
                l.faces.push(names(t));
                l.text.push_str(&t.text);
                continue;
            }
            if let Some(l) = current.take() {
                out.push(l);
            }
            current = Some(Line {
                page: p,
                y: t.y,
                x0,
                x1,
                size: t.size,
                faces: vec![names(t)],
                text: t.text.clone(),
            });
        }
        out.extend(current);
    }
    out
}

/// Lines set on the body grid (16 pt roles and the 22 pt title), in reading order.
pub fn grid_lines(layout: &Layout) -> Vec<Line> {
    lines(layout).into_iter().filter(|l| l.size >= 15.9).collect()
}

// --- external tools ------------------------------------------------------------

/// Runs an external tool; a missing tool fails the test and names its package.
pub fn tool(name: &str, args: &[&str]) -> Output {
    let package = match name {
        "qpdf" => "qpdf",
        _ => "poppler-utils",
    };
    match Command::new(name).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{name}` is not installed: install the `{package}` package \
             (apt-get install {package}) to run the PDF tests"
        ),
        Err(e) => panic!("cannot run {name}: {e}"),
    }
}

/// Runs a tool that must succeed and returns its stdout as text.
pub fn tool_ok(name: &str, args: &[&str]) -> String {
    let out = tool(name, args);
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("tool output is UTF-8")
}

/// The file `pdf` uncompressed and without object streams (`qpdf --qdf`, written beside it
/// as `*.qdf.pdf`), as text: the catalog, the XMP and the dictionaries can be searched.
pub fn uncompressed(pdf: &Path) -> String {
    let plain = pdf.with_extension("qdf.pdf");
    let (from, to) = (pdf.to_string_lossy(), plain.to_string_lossy());
    tool_ok("qpdf", &["--qdf", "--object-streams=disable", &from, &to]);
    String::from_utf8_lossy(&std::fs::read(&plain).expect("qpdf wrote it")).into_owned()
}

/// Writes bytes to a file (tests/store) and returns its path as a string.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test output");
    path.to_string_lossy().into_owned()
}

/// The built `nianbao` binary.
pub fn nianbao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
}

/// Page geometry of the bundled style, in pt.
pub struct Geometry {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub pitch: f64,
    pub char_pitch: f64,
    pub page_width: f64,
}

/// The 版心 of the bundled style, computed from the spec's millimetres (not from
/// the style, so a wrong style value fails the tests).
pub fn geometry() -> Geometry {
    let mm = |v: f64| v * 72.0 / 25.4;
    Geometry {
        left: mm(28.0),
        right: mm(28.0 + 156.0),
        top: mm(37.0),
        bottom: mm(297.0 - 35.0),
        pitch: mm(225.0) / 22.0,
        char_pitch: mm(156.0) / 28.0,
        page_width: mm(210.0),
    }
}
