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
#[cfg(feature = "import")]
pub mod import;
pub mod io;
pub mod layout;
pub mod model;
pub mod ofd;
pub mod pdf;
pub mod resolve;
#[cfg(feature = "serve")]
pub mod serve;
#[cfg(feature = "sign")]
pub mod sign;
pub mod source;
pub mod template;
pub mod tujie;
pub mod units;
pub mod validate;
pub mod world;
#[cfg(feature = "xlsx")]
pub mod xlsx;

pub use engine::{
    CheckOptions, Engine, EngineOptions, Loaded, Output, OutputKind, PageFacts, Previous, Rendered,
    Source, TujieForm,
};

use std::path::Path;

/// Reads a report file and checks its schema, rules and images ([`CheckOptions::rules_only`]
/// on an engine with the default options), fetching its images from the file's folder. I/O
/// and encoding problems are diagnostics too. For the whole check (the audit, the renderers'
/// refusals predicted) call [`Engine::check`].
pub fn load_and_check(path: &Path) -> Loaded {
    match Source::read(path) {
        Ok(source) => check_rules(source, path),
        Err(d) => Loaded::unreadable(path, d),
    }
}

/// Like [`load_and_check`] for bytes already in memory, named `path`.
pub fn check_bytes(path: &Path, bytes: Vec<u8>) -> Loaded {
    check_rules(Source::new(path, bytes), path)
}

fn check_rules(source: Source, path: &Path) -> Loaded {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    let engine = ENGINE
        .get_or_init(|| Engine::new(EngineOptions::default()).expect("the bundled fonts load"));
    let resources = world::FsResources::for_report(path, false);
    engine.check(source, &resources, &CheckOptions::rules_only())
}
