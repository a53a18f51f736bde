//! nianbao (年报) renders a unit's 政府信息公开工作年度报告 (annual report on government
//! information disclosure) from YAML into the documents the unit must publish.
//!
//! The pipeline runs one way:
//! `source` (YAML → spanned tree) → `model` (typed report) → `validate` (勾稽关系,
//! computed totals) → `resolve` (the shared styled block tree) → `layout` + `pdf`
//! or `docx` → optional `sign`. `batch` drives that pipeline for many files.

pub mod audit;
pub mod batch;
pub mod cli;
pub mod diag;
pub mod docx;
pub mod fonts;
pub mod layout;
pub mod model;
pub mod pdf;
pub mod render;
pub mod resolve;
pub mod sign;
pub mod source;
pub mod template;
pub mod units;
pub mod validate;

use diag::{Code, Diagnostic};
use model::Report;
use source::{SourceFile, Span};
use std::path::Path;
use validate::Checked;

/// A report read from disk and checked: everything later stages need.
#[derive(Debug)]
pub struct Loaded {
    /// The source file (for rendering diagnostics).
    pub file: SourceFile,
    /// The report, when the file could be read into one.
    pub report: Option<Report>,
    /// Computed tables, when the report loaded.
    pub checked: Option<Checked>,
    /// Every problem found, in file order.
    pub diags: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether the report can be rendered (no errors).
    pub fn is_ok(&self) -> bool {
        self.report.is_some() && !diag::has_errors(&self.diags)
    }
}

/// Reads a report file and runs every check on it. I/O and encoding problems are
/// diagnostics too, so one call answers "what is wrong with this file".
pub fn load_and_check(path: &Path) -> Loaded {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(err) => {
            let d = Diagnostic::error(
                Code::Io,
                Span::detached(),
                format!("无法读取文件：{err}"),
                format!("failed to read the file ({err})"),
            );
            return Loaded {
                file: SourceFile::new(path, String::new()),
                report: None,
                checked: None,
                diags: vec![d],
            };
        }
    };
    check_bytes(path, bytes)
}

/// Like [`load_and_check`] for bytes already in memory.
pub fn check_bytes(path: &Path, bytes: Vec<u8>) -> Loaded {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let file = SourceFile::new(path, prefix);
            let (line, col) = file.line_col_of_byte(valid);
            let d = Diagnostic::error(
                Code::Encoding,
                Span::new(line, col, 1),
                format!("文件不是 UTF-8 编码（第 {} 字节处，字节值 0x{:02X}）", valid, bytes[valid]),
                format!("the file is not UTF-8 (byte {} is 0x{:02X})", valid, bytes[valid]),
            )
            .with_hint("请用 UTF-8 保存文件（GBK/GB18030 文件可用 iconv -f GBK -t UTF-8 转换） (save the file as UTF-8)");
            return Loaded { file, report: None, checked: None, diags: vec![d] };
        }
    };
    let file = SourceFile::new(path, text);
    let base = path.parent().unwrap_or(Path::new("."));
    let (report, mut diags) = model::load_report(&file, base);
    let mut checked = None;
    if let Some(r) = &report {
        let format =
            template::bundled_format(r.format).expect("loaded reports name a bundled format");
        let (c, more) = validate::validate_report(r, format);
        diags.extend(more);
        checked = Some(c);
    }
    diags.sort_by_key(|d| (d.span.line == 0, d.span.line, d.span.col));
    Loaded { file, report, checked, diags }
}
