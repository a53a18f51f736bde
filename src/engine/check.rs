//! Checking a source: bytes → text → report → every rule, and every file the report names
//! fetched through [`Resources`] and decoded, so that a report that passes `check` renders.

use crate::audit::AuditOptions;
use crate::diag;
use crate::diag::{Code, Diagnostic, Hint};
use crate::fonts::FontBook;
use crate::io::{ReadError, limits, read_capped};
use crate::layout::Layout;
use crate::model::{Report, load_report};
use crate::resolve::{Document, ImageData, Images};
use crate::source::{SourceFile, Span};
use crate::template::Formats;
use crate::validate::{Checked, validate_report};
use crate::world::{IMAGE_LIMIT, ResourceError, Resources};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A report source: its bytes and the name it is shown under (a file path, a form's name).
#[derive(Debug, Clone)]
pub struct Source {
    /// Shown in diagnostics (`units/a.yaml`).
    pub name: PathBuf,
    /// The YAML bytes.
    pub bytes: Vec<u8>,
}

impl Source {
    /// A source from bytes held in memory.
    pub fn new(name: impl Into<PathBuf>, bytes: Vec<u8>) -> Self {
        Source { name: name.into(), bytes }
    }

    /// Reads a report file (at most [`limits::REPORT`] bytes; a folder, FIFO or device is
    /// refused without blocking). The error is the diagnostic `check` prints.
    pub fn read(path: &Path) -> Result<Source, Box<Diagnostic>> {
        match read_capped(path, limits::REPORT) {
            Ok(bytes) => Ok(Source::new(path, bytes)),
            Err(ReadError::TooLarge { size, limit }) => Err(Box::new(diag!(
                FileTooLargeAtLeast,
                Span::detached(),
                size = size,
                limit = limit
            ))),
            Err(e) => {
                let (zh, en) = e.message();
                Err(Box::new(diag!(FileUnreadable, Span::detached(), why_zh = zh, why_en = en)))
            }
        }
    }
}

/// Which of last year's reports `--previous` compares a report with.
#[derive(Debug, Clone, Copy, Default)]
pub enum Previous<'a> {
    /// None: no year ↔ year checks.
    #[default]
    None,
    /// This one, whatever unit it is of (one file checked against one given).
    Given(&'a Loaded),
    /// The one of the same unit (by `unit` name), if any (a batch, several files).
    SameUnit(&'a std::collections::HashMap<String, Loaded>),
}

impl<'a> Previous<'a> {
    /// Last year's report for `report`.
    pub fn of(self, report: &Report) -> Option<&'a Loaded> {
        match self {
            Previous::None => None,
            Previous::Given(l) => Some(l),
            Previous::SameUnit(by_unit) => by_unit.get(&report.unit.text),
        }
    }
}

/// What [`super::Engine::check`] runs besides the schema, the rules and the images.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions<'a> {
    /// The evaluators' audit of the report on its own and against `previous`, and its
    /// `dismissed:` entries settled. `None` when the caller audits several reports together
    /// (`nianbao audit`, the office's audit: 雷同 across units) or wants the rules alone.
    pub audit: Option<AuditOptions>,
    /// Last year's report.
    pub previous: Previous<'a>,
    /// Predict what the renderers would refuse or warn of: the report resolved and laid out
    /// as a render would (E-W1 numbers too wide, W-G1 characters no font can draw, W-G3 those
    /// an installed font draws, E-P1 what PDF/A or PDF/UA would refuse).
    pub predict: bool,
    /// Keep the resolved document and its layout in the [`Loaded`] report for the
    /// [`super::Engine::render`] that follows (by the same engine), which then neither
    /// resolves nor lays it out again.
    pub keep_for_render: bool,
}

impl Default for CheckOptions<'_> {
    fn default() -> Self {
        CheckOptions {
            audit: Some(AuditOptions::default()),
            previous: Previous::None,
            predict: true,
            keep_for_render: false,
        }
    }
}

impl CheckOptions<'_> {
    /// The whole check, for a render that follows.
    pub fn for_render() -> Self {
        CheckOptions { keep_for_render: true, ..CheckOptions::default() }
    }

    /// The schema, the rules and the images only (reading last year's report, the tests of
    /// the rules).
    pub fn rules_only() -> Self {
        CheckOptions { audit: None, predict: false, ..CheckOptions::default() }
    }
}

/// The document and layout a check made for the render that follows.
pub(super) struct Prepared {
    /// The engine that made them (a layout is only good for the fonts and options it used).
    pub engine: u64,
    pub doc: Document,
    /// The warnings of resolving `doc`.
    pub warnings: Vec<Diagnostic>,
    /// The layout and, when installed fonts were needed, the font book with them.
    pub layout: Layout,
    pub fonts: Option<FontBook>,
}

/// A report read and checked: everything later stages need.
#[derive(Debug)]
pub struct Loaded {
    /// The source file (for rendering diagnostics).
    pub file: SourceFile,
    /// The report, when the file could be read into one.
    pub report: Option<Report>,
    /// Computed tables, when the report loaded.
    pub checked: Option<Checked>,
    /// Every image the report names, fetched and decoded once.
    pub images: Images,
    /// Every problem found, in file order.
    pub diags: Vec<Diagnostic>,
    /// The edition the report was read in, from the registry that checked it (the audit
    /// reads its tables and `audit:` data).
    pub format: Option<std::sync::Arc<crate::template::Format>>,
    /// With [`CheckOptions::keep_for_render`]: the document and layout for the render.
    pub(super) prepared: Kept,
}

/// [`Prepared`] behind a lock: the render takes it (and frees it) through `&Loaded`.
#[derive(Default)]
pub(super) struct Kept(pub std::sync::Mutex<Option<Box<Prepared>>>);

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let held = self.0.lock().map(|p| p.is_some()).unwrap_or(false);
        f.write_str(if held { "Prepared" } else { "None" })
    }
}

impl Loaded {
    /// A report checked elsewhere (the 汇总表 sums checked reports into one).
    pub fn new(
        file: SourceFile,
        report: Option<Report>,
        checked: Option<Checked>,
        images: Images,
        diags: Vec<Diagnostic>,
    ) -> Loaded {
        Loaded { file, report, checked, images, diags, format: None, prepared: Kept::default() }
    }

    /// Frees what a check kept for a render that will not come (a unit left unchanged).
    pub fn forget_prepared(&self) {
        self.prepared.0.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    /// Whether the report can be rendered (no errors).
    pub fn is_ok(&self) -> bool {
        self.report.is_some() && !crate::diag::has_errors(&self.diags)
    }

    /// A source that could not even be read: `diag` says why.
    pub fn unreadable(name: &Path, diag: impl Into<Box<Diagnostic>>) -> Loaded {
        let diag = *diag.into();
        Loaded::new(SourceFile::new(name, String::new()), None, None, Images::new(), vec![diag])
    }

    /// Whether a problem is about reading the source itself (exit code 2 rather than 1).
    pub fn is_io_failure(&self) -> bool {
        self.diags.iter().any(|d| d.code == Code::Io)
    }
}

/// Checks a source in one of `formats`, fetching the files it names from `resources`.
pub fn check_source(source: Source, formats: &Formats, resources: &dyn Resources) -> Loaded {
    let Source { name, bytes } = source;
    if bytes.len() as u64 > limits::REPORT {
        let d = diag!(FileTooLarge, Span::detached(), size = bytes.len(), limit = limits::REPORT);
        return Loaded::unreadable(&name, d);
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(err) => return not_utf8(&name, err),
    };
    let file = SourceFile::new(&name, text);
    let (report, mut diags) = load_report(&file, formats);
    let mut checked = None;
    let mut images = Images::new();
    if let Some(r) = &report {
        let format = formats.get(r.format).expect("loaded reports name a registered format");
        let (c, more) = validate_report(r, format);
        diags.extend(more);
        checked = Some(c);
        fetch_images(r, resources, &mut images, &mut diags);
    }
    diags.sort_by_key(|d| (d.span.line == 0, d.span.line, d.span.col));
    let format = report.as_ref().and_then(|r| formats.shared(r.format));
    let mut loaded = Loaded::new(file, report, checked, images, diags);
    loaded.format = format;
    loaded
}

fn not_utf8(name: &Path, err: std::string::FromUtf8Error) -> Loaded {
    let valid = err.utf8_error().valid_up_to();
    let bytes = err.into_bytes();
    let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
    let file = SourceFile::new(name, prefix);
    let (line, col) = file.line_col_of_byte(valid);
    let value = format!("{:02X}", bytes[valid]);
    let d = diag!(NotUtf8, Span::new(line, col, 1), byte = valid, value = value)
        .hint(Hint::SaveUtf8, &[]);
    Loaded::new(file, None, None, Images::new(), vec![d])
}

/// Fetches and decodes every image the report names (once per name); a problem is an error at
/// the key that names the file.
fn fetch_images(
    report: &Report,
    resources: &dyn Resources,
    images: &mut Images,
    diags: &mut Vec<Diagnostic>,
) {
    let mut failed: Vec<&str> = Vec::new();
    for (res, label) in report.resources() {
        if res.name.is_empty() || images.contains_key(&res.name) || failed.contains(&&*res.name) {
            continue;
        }
        let result = resources
            .read(&res.name, IMAGE_LIMIT)
            .map_err(|e| match e {
                ResourceError::Read(ReadError::NotFound) => None,
                e => Some(e.message()),
            })
            .and_then(|bytes| ImageData::from_bytes(bytes).map_err(|e| Some((e.clone(), e))));
        match result {
            Ok(img) => {
                images.insert(res.name.clone(), Arc::new(img));
            }
            Err(why) => {
                failed.push(&res.name);
                let place = resources.describe(&res.name);
                let d = match why {
                    None => {
                        diag!(ImageNotFound, res.span, place = place).hint(Hint::RelativePaths, &[])
                    }
                    Some((zh, en)) => diag!(
                        ImageUnusable,
                        res.span,
                        label = label,
                        place = place,
                        why_zh = zh,
                        why_en = en
                    ),
                };
                diags.push(d.with_path(res.key.clone()).with_label(label));
            }
        }
    }
}
