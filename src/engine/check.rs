//! Checking a source: bytes → text → report → every rule, and every file the report names
//! fetched through [`Resources`] and decoded, so that a report that passes `check` renders.

use crate::diag;
use crate::diag::{Code, Diagnostic, Hint};
use crate::io::{ReadError, limits, read_capped};
use crate::model::{Report, load_report};
use crate::resolve::{ImageData, Images};
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
}

impl Loaded {
    /// Whether the report can be rendered (no errors).
    pub fn is_ok(&self) -> bool {
        self.report.is_some() && !crate::diag::has_errors(&self.diags)
    }

    /// A source that could not even be read: `diag` says why.
    pub fn unreadable(name: &Path, diag: impl Into<Box<Diagnostic>>) -> Loaded {
        let diag = *diag.into();
        Loaded {
            file: SourceFile::new(name, String::new()),
            report: None,
            checked: None,
            images: Images::new(),
            diags: vec![diag],
            format: None,
        }
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
    Loaded { file, report, checked, images, diags, format }
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
    Loaded {
        file,
        report: None,
        checked: None,
        images: Images::new(),
        diags: vec![d],
        format: None,
    }
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
