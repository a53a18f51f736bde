//! Batch: many units rendered in parallel with one font book and one template
//! set, every unit attempted whatever the others do, outputs named from the input
//! paths without collisions, a summary (JSON + CSV), `--changed` skipping, shards
//! for many machines, and a county summary report (汇总表).

mod aggregate;
mod discover;

pub use aggregate::{aggregate_report, numbers_csv};
pub use discover::{Input, discover, output_stems, shard_of};

use crate::diag::{Severity, render_short};
use crate::fonts::FontBook;
use crate::render::{RenderOptions, render};
use crate::template::Style;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What happened to one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Rendered and written.
    Rendered,
    /// Input errors or a write failure: nothing written for it.
    Failed,
    /// Unchanged since the last run (`--changed`): outputs kept.
    Unchanged,
    /// Not attempted because the run was interrupted.
    Interrupted,
}

impl Status {
    /// The word used in summary.json, summary.csv and the log lines.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Rendered => "rendered",
            Status::Failed => "failed",
            Status::Unchanged => "unchanged",
            Status::Interrupted => "interrupted",
        }
    }
}

/// One row of the summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitSummary {
    /// The input file.
    pub file: String,
    /// Issuing unit, when the file could be read.
    pub unit: Option<String>,
    /// Reported year.
    pub year: Option<i32>,
    /// Outcome.
    pub status: Status,
    /// Pages of the PDF.
    pub pages: usize,
    /// Output files written (or kept).
    pub outputs: Vec<String>,
    /// Errors and warnings, one line each (short form).
    pub diagnostics: Vec<String>,
    /// Number of warnings.
    pub warnings: usize,
    /// Time spent on the unit.
    pub ms: u64,
}

impl UnitSummary {
    /// A row for `file` with `status` and nothing else known yet.
    pub fn new(file: String, status: Status) -> Self {
        UnitSummary {
            file,
            unit: None,
            year: None,
            status,
            pages: 0,
            outputs: Vec::new(),
            diagnostics: Vec::new(),
            warnings: 0,
            ms: 0,
        }
    }
}

/// Settings of a batch run.
pub struct BatchConfig {
    /// Output folder.
    pub outdir: PathBuf,
    /// What to render.
    pub render: RenderOptions,
    /// Skip units whose inputs are unchanged since the last run.
    pub changed: bool,
    /// Sign every PDF with this key (loaded once for the whole run), at this time, with these texts.
    pub signing: Option<crate::cli::sign::Signing>,
}

/// The cache of content hashes kept in OUTDIR for `--changed`.
pub const CACHE_FILE: &str = ".nianbao-cache.json";

/// The part of every unit's content hash that is the same for the whole run:
/// the nianbao version, the options, the templates and the fonts.
fn run_hash(options: &RenderOptions) -> Sha256 {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(format!("{options:?}").as_bytes());
    for t in crate::template::bundled_sources() {
        h.update(t.as_bytes());
    }
    h.update(crate::fonts::BUNDLED_FONTS_ID.as_bytes());
    h
}

/// Content hash of a unit: [`run_hash`], then its YAML and the files it refers to.
fn unit_hash(run: &Sha256, loaded: &crate::Loaded) -> String {
    let mut h = run.clone();
    h.update(loaded.file.text().as_bytes());
    if let Some(r) = &loaded.report {
        let mut files: Vec<&Path> = r.signature.seal.iter().map(|(p, _)| p.as_path()).collect();
        files.extend(r.figure_paths());
        for f in files {
            h.update(std::fs::read(f).unwrap_or_default());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs a batch over already discovered inputs. `on_done` is called once per unit
/// as it finishes (from worker threads). `stop` ends the run early: units not
/// started are reported as interrupted.
pub fn run_batch(
    inputs: &[Input],
    config: &BatchConfig,
    fonts: &FontBook,
    style: &Style,
    stop: &AtomicBool,
    on_done: &(dyn Fn(&UnitSummary) + Sync),
) -> Vec<UnitSummary> {
    let cache_path = config.outdir.join(CACHE_FILE);
    let old_cache: BTreeMap<String, String> = std::fs::read(&cache_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let new_cache = Mutex::new(BTreeMap::new());
    let cache = Cache { old: &old_cache, new: &new_cache, run: run_hash(&config.render) };
    let stems = output_stems(inputs);
    let results: Vec<UnitSummary> = inputs
        .par_iter()
        .zip(stems.par_iter())
        .map(|(input, stem)| {
            let file = input.path.display().to_string();
            if stop.load(Ordering::Relaxed) {
                return UnitSummary::new(file, Status::Interrupted);
            }
            let start = Instant::now();
            let mut summary = render_unit(input, file, stem, config, fonts, style, &cache);
            summary.ms = start.elapsed().as_millis() as u64;
            on_done(&summary);
            summary
        })
        .collect();
    // Keep the hashes of units not in this run (another shard, or files skipped).
    let mut cache = old_cache;
    cache.extend(new_cache.into_inner().unwrap_or_default());
    if let Ok(bytes) = serde_json::to_vec_pretty(&cache) {
        let _ = crate::cli::write_atomic(&cache_path, &bytes, true);
    }
    results
}

/// The `--changed` hashes: last run's, this run's, and the part every unit shares.
struct Cache<'a> {
    old: &'a BTreeMap<String, String>,
    new: &'a Mutex<BTreeMap<String, String>>,
    run: Sha256,
}

fn render_unit(
    input: &Input,
    file: String,
    stem: &Path,
    config: &BatchConfig,
    fonts: &FontBook,
    style: &Style,
    cache: &Cache,
) -> UnitSummary {
    let loaded = crate::load_and_check(&input.path);
    let mut summary = UnitSummary {
        unit: loaded.report.as_ref().map(|r| r.unit.text.clone()),
        year: loaded.report.as_ref().map(|r| r.year.0),
        diagnostics: loaded.diags.iter().map(|d| render_short(d, &loaded.file)).collect(),
        warnings: loaded.diags.iter().filter(|d| d.severity == Severity::Warning).count(),
        ..UnitSummary::new(file.clone(), Status::Failed)
    };
    if !loaded.is_ok() {
        return summary;
    }
    let base = config.outdir.join(stem);
    let hash = unit_hash(&cache.run, &loaded);
    if config.changed
        && cache.old.get(&file) == Some(&hash)
        && config.render.extensions().all(|e| base.with_extension(e).is_file())
    {
        summary.status = Status::Unchanged;
        summary.outputs = config
            .render
            .extensions()
            .map(|e| base.with_extension(e).display().to_string())
            .collect();
        if let Ok(mut c) = cache.new.lock() {
            c.insert(file, hash);
        }
        return summary;
    }
    let mut rendered = match render(&loaded, fonts, style, config.render) {
        Ok(r) => r,
        Err(diags) => {
            summary.diagnostics.extend(diags.iter().map(|d| render_short(d, &loaded.file)));
            return summary;
        }
    };
    if let (Some(signing), Some(pdf)) = (&config.signing, &rendered.pdf) {
        match crate::cli::sign::sign_rendered(pdf, rendered.seal.as_ref(), style, signing) {
            Ok(signed) => rendered.pdf = Some(signed),
            Err(e) => {
                summary.diagnostics.push(format!("签名失败 (signing failed): {e}"));
                return summary;
            }
        }
    }
    summary.warnings += rendered.warnings.len();
    summary.diagnostics.extend(rendered.warnings.iter().map(|d| render_short(d, &loaded.file)));
    summary.pages = rendered.pages;
    if let Some(parent) = base.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    for (ext, bytes) in rendered.outputs() {
        let path = base.with_extension(ext);
        if let Err(e) = crate::cli::write_atomic(&path, bytes, true) {
            summary.diagnostics.push(format!("{}: 无法写入 (cannot write): {e}", path.display()));
            return summary;
        }
        summary.outputs.push(path.display().to_string());
    }
    summary.status = Status::Rendered;
    if let Ok(mut c) = cache.new.lock() {
        c.insert(file, hash);
    }
    summary
}

/// Writes `summary.json` and `summary.csv` into `outdir`.
pub fn write_summaries(outdir: &Path, units: &[UnitSummary]) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(units).map_err(std::io::Error::other)?;
    crate::cli::write_atomic(&outdir.join("summary.json"), &json, true)?;
    let mut csv = String::from("file,unit,year,status,pages,outputs,diagnostics,ms\n");
    for u in units {
        let status = u.status.as_str().to_string();

        let fields = [
            u.file.clone(),
            u.unit.clone().unwrap_or_default(),
            u.year.map(|y| y.to_string()).unwrap_or_default(),
            status,
            u.pages.to_string(),
            u.outputs.join(";"),
            u.diagnostics.join("\n"),
            u.ms.to_string(),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    crate::cli::write_atomic(&outdir.join("summary.csv"), csv.as_bytes(), true)
}

/// Quotes a CSV field when it needs it (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Merges shard summaries (sorted by file; a later duplicate replaces an earlier one).
pub fn merge_summaries(paths: &[PathBuf]) -> Result<Vec<UnitSummary>, String> {
    let mut all: BTreeMap<String, UnitSummary> = BTreeMap::new();
    for p in paths {
        let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let units: Vec<UnitSummary> = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not a nianbao summary ({e})", p.display()))?;
        for u in units {
            all.insert(u.file.clone(), u);
        }
    }
    Ok(all.into_values().collect())
}
