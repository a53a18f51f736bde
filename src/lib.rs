//! nianbao (年报) renders a unit's 政府信息公开工作年度报告 (annual report on government
//! information disclosure) from YAML into the documents the unit must publish.
//!
//! The pipeline runs one way:
//! `source` (YAML → spanned tree) → `model` (typed report) → `validate` (勾稽关系,
//! computed totals) → `resolve` (the shared styled block tree) → `layout` + `pdf`
//! or `docx` → optional `sign`. Every front end (the command line, `batch`, the benches)
//! drives it through one [`Engine`]: [`Engine::check`] a [`Source`], then
//! [`Engine::render`] the [`Loaded`] report. The pipeline reads no file: bytes come through
//! the source and the [`world::Resources`] it names; [`io`] has the file services the front
//! ends share (capped reads, atomic writes, the rule for replacing outputs).

pub mod audit;
pub mod batch;
pub mod diag;
pub mod docx;
pub mod engine;
pub mod fonts;
pub mod html;
pub mod import;
pub mod io;
pub mod layout;
pub mod model;
pub mod ofd;
pub mod pdf;
pub mod resolve;
pub mod serve;
pub mod sign;
pub mod source;
pub mod template;
pub mod units;
pub mod validate;
pub mod world;

pub use engine::{Engine, EngineOptions, Loaded, Output, OutputKind, Rendered, Source};

use std::path::Path;

/// Reads a report file and runs every check on it, fetching its images from the file's folder.
/// I/O and encoding problems are diagnostics too, so one call answers "what is wrong with this
/// file". (The bundled editions; an [`Engine`] knows any it was given.)
pub fn load_and_check(path: &Path) -> Loaded {
    match Source::read(path) {
        Ok(source) => check_source(source, path),
        Err(d) => Loaded::unreadable(path, d),
    }
}

/// Like [`load_and_check`] for bytes already in memory, named `path`.
pub fn check_bytes(path: &Path, bytes: Vec<u8>) -> Loaded {
    check_source(Source::new(path, bytes), path)
}

fn check_source(source: Source, path: &Path) -> Loaded {
    let resources = world::FsResources::for_report(path, false);
    engine::check_source(source, template::Formats::bundled(), &resources)
}
