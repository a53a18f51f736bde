//! Batch: many units rendered in parallel with one font book and one template
//! set, every unit attempted whatever the others do, outputs named from the input
//! paths without collisions, a summary (JSON + CSV), `--changed` skipping, shards
//! for many machines, and a county summary report (汇总表).

mod aggregate;
mod discover;

pub use aggregate::{
    BOM, NumberColumn, NumbersTable, SummaryReport, aggregate_report, numbers_csv, summary_reports,
};
pub use discover::{Discovery, Input, discover, output_stems, shard_of, with_ext};

use crate::diag::{Severity, render_short};
use crate::io::Replace;
use crate::world::FsResources;
use crate::{CheckOptions, Engine, Loaded, Previous, Source};
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
    /// Not a unit: a link that was not followed (a loop), with the reason.
    Skipped,
}

impl Status {
    /// The word used in summary.json, summary.csv and the log lines.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Rendered => "rendered",
            Status::Failed => "failed",
            Status::Unchanged => "unchanged",
            Status::Interrupted => "interrupted",
            Status::Skipped => "skipped",
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
#[derive(Debug, Clone)]
pub struct BatchConfig {
    /// Output folder.
    pub outdir: PathBuf,
    /// The outputs made for every unit.
    pub outputs: Vec<crate::OutputKind>,
    /// Skip units whose inputs are unchanged since the last run.
    pub changed: bool,
    /// When existing outputs may be replaced (`--force`: always).
    pub replace: Replace,
    /// Confine each unit's images to its own folder (reports from someone else).
    pub confine: bool,
    /// Keep what the 汇总表 needs of every rendered unit ([`for_summary`]).
    pub keep_loaded: bool,
    /// The evaluators' checks run on every unit (as `check` runs them), against last year's
    /// report of the same unit when one is given (`--previous DIR`).
    pub audit: crate::audit::AuditOptions,
    /// Last year's reports by unit name.
    pub previous: std::sync::Arc<std::collections::HashMap<String, Loaded>>,
}

/// Last year's reports of a folder, by unit name (the first of a name wins); units whose report
/// has errors are left out, with the reason for each in the second list.
pub fn previous_reports(
    dir: &Path,
) -> Result<(std::collections::HashMap<String, Loaded>, Vec<String>), String> {
    let found = discover(&[dir.to_path_buf()], None)?;
    let mut by_unit = std::collections::HashMap::new();
    let mut skipped = Vec::new();
    for input in &found.inputs {
        match crate::engine::load_previous(&input.path) {
            Ok(l) => {
                if let Some(unit) = l.report.as_ref().map(|r| r.unit.text.clone()) {
                    by_unit.entry(unit).or_insert(l);
                }
            }
            Err(e) => skipped.push(e),
        }
    }
    Ok((by_unit, skipped))
}

/// What a run produced: a summary row per input (in input order) and, when asked for, the
/// loaded reports of the units that rendered or were unchanged.
#[derive(Debug)]
pub struct BatchResult {
    /// One row per input, in input order.
    pub units: Vec<UnitSummary>,
    /// With [`BatchConfig::keep_loaded`]: each rendered or unchanged unit as the 汇总表
    /// reads it ([`for_summary`]: its computed tables and names, not its text).
    pub loaded: Vec<Option<Loaded>>,
}

/// The cache of content hashes kept in OUTDIR for `--changed`.
pub const CACHE_FILE: &str = ".nianbao-cache.json";

/// The lock a run holds on its OUTDIR.
pub const LOCK_FILE: &str = ".nianbao.lock";

/// One unit's entry in the cache: the hash of everything its outputs depend on, and the hash
/// of each output as written. An entry vouches for outputs only while their bytes still hash
/// the same, so a file replaced by another run or left half-way by a killed one is rendered
/// again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CacheEntry {
    input: String,
    outputs: BTreeMap<String, String>,
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The part of every unit's content hash that is the same for the whole run: the nianbao
/// version, the engine's options, the templates and the fonts.
fn run_hash(engine: &Engine, outputs: &[crate::OutputKind]) -> Sha256 {
    let o = engine.options();
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(
        format!(
            "{:?} {} {} {} {} {:?} {}",
            outputs,
            o.pdfa,
            o.tagged,
            o.pdfua,
            o.system_fonts,
            o.docx_fonts,
            engine.signs()
        )
        .as_bytes(),
    );
    for f in &o.fonts {
        h.update(format!("{:?}", f.role).as_bytes());
        h.update(f.data.as_ref());
    }
    if let Some(seal) = &o.seal {
        h.update(&seal.bytes);
    }
    for t in crate::template::bundled_sources() {
        h.update(t.as_bytes());
    }
    h.update(crate::fonts::BUNDLED_FONTS_ID.as_bytes());
    h
}

/// Content hash of a unit: [`run_hash`], then its YAML and the images it names.
fn unit_hash(run: &Sha256, loaded: &Loaded, previous: Option<&Loaded>) -> String {
    let mut h = run.clone();
    h.update(loaded.file.text().as_bytes());
    // Last year's report is drawn in the 图解: another one is another output.
    if let Some(last) = previous {
        h.update(b"\0previous\0");
        h.update(last.file.text().as_bytes());
    }
    for (name, image) in &loaded.images {
        h.update(name.as_bytes());
        h.update(&image.bytes);
    }
    hex(&h.finalize())
}

/// Holds OUTDIR for one run: a second run into the same folder exits with a clear message
/// instead of mixing its files and cache with this one's.
pub fn lock_outdir(outdir: &Path) -> Result<std::fs::File, String> {
    let path = outdir.join(LOCK_FILE);
    let file =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(
            |e| format!("无法创建锁文件 {}：{e} (cannot create the lock file)", path.display()),
        )?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "另一个 nianbao batch 正在写入 {}，请等它结束 (another nianbao batch is writing into {}; wait for it to finish)",
            outdir.display(),
            outdir.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(format!("无法锁定 {}：{e} (cannot lock the output folder)", path.display()))
        }
    }
}

/// Removes temporary files a killed run left in OUTDIR (`.nianbao-*.tmp`, at any depth).
/// Call it with the OUTDIR lock held.
pub fn remove_stale_temps(outdir: &Path) -> usize {
    let mut removed = 0;
    let mut stack = vec![outdir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(ty) = entry.file_type() else { continue };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if ty.is_dir() {
                stack.push(path);
            } else if ty.is_file()
                && name.starts_with(crate::io::TEMP_PREFIX)
                && name.ends_with(".tmp")
                && std::fs::remove_file(&path).is_ok()
            {
                removed += 1;
            }
        }
    }
    removed
}

/// Runs a batch over already discovered inputs. `on_done` is called once per unit as it
/// finishes (from worker threads). `stop` ends the run early: units not started are reported
/// as interrupted. The caller holds the OUTDIR lock ([`lock_outdir`]).
pub fn run_batch(
    inputs: &[Input],
    config: &BatchConfig,
    engine: &Engine,
    stop: &AtomicBool,
    on_done: &(dyn Fn(&UnitSummary) + Sync),
) -> BatchResult {
    let cache_path = config.outdir.join(CACHE_FILE);
    let old_cache: BTreeMap<String, CacheEntry> = crate::io::read_capped(&cache_path, 64 << 20)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let new_cache = Mutex::new(BTreeMap::new());
    let cache = Cache { old: &old_cache, new: &new_cache, run: run_hash(engine, &config.outputs) };
    let stems = output_stems(inputs);
    let results: Vec<(UnitSummary, Option<Loaded>)> = inputs
        .par_iter()
        .zip(stems.par_iter())
        .map(|(input, stem)| {
            let file = input.path.display().to_string();
            if stop.load(Ordering::Relaxed) {
                return (UnitSummary::new(file, Status::Interrupted), None);
            }
            let start = Instant::now();
            let (mut summary, loaded) = render_unit(input, file, stem, config, engine, &cache);
            summary.ms = start.elapsed().as_millis() as u64;
            on_done(&summary);
            (summary, loaded.filter(|_| config.keep_loaded).map(for_summary))
        })
        .collect();
    // Keep the entries of units not in this run (another shard, or files skipped); an entry
    // of a unit that failed this time is dropped (its outputs were not vouched for).
    let mut cache = old_cache;
    for (summary, _) in &results {
        if summary.status == Status::Failed {
            cache.remove(&summary.file);
        }
    }
    cache.extend(new_cache.into_inner().unwrap_or_default());
    if let Ok(bytes) = serde_json::to_vec_pretty(&cache) {
        let _ = crate::io::write_atomic(&cache_path, &bytes, true);
    }
    let (units, loaded) = results.into_iter().unzip();
    BatchResult { units, loaded }
}

/// What the 汇总表 and `numbers.csv` read of a unit, and no more, so a run of a province's
/// units holds tens of kilobytes less per unit: its file name, its unit, year and edition,
/// its tables as written and as computed. Its text, prose, images and diagnostics are let go.
pub fn for_summary(loaded: Loaded) -> Loaded {
    let Loaded { file, report, checked, format, .. } = loaded;
    let report = report.map(|r| crate::model::Report {
        format: r.format,
        unit: r.unit,
        year: r.year,
        date: r.date,
        title: None,
        preamble: Vec::new(),
        // The tables' numbers as written (blank cells apart): `numbers.csv` and the workbooks
        // read them through the numbers view; the prose, notes and figures go.
        sections: r
            .sections
            .into_iter()
            .map(|s| crate::model::Section { prose: Vec::new(), notes: Vec::new(), ..s })
            .collect(),
        signature: Default::default(),
        dismissed: Vec::new(),
    });
    let file = crate::source::SourceFile::new(file.path(), String::new());
    let mut slim = Loaded::new(file, report, checked, Default::default(), Vec::new());
    slim.format = format;
    slim
}

/// The `--changed` hashes: last run's, this run's, and the part every unit shares.
struct Cache<'a> {
    old: &'a BTreeMap<String, CacheEntry>,
    new: &'a Mutex<BTreeMap<String, CacheEntry>>,
    run: Sha256,
}

impl Cache<'_> {
    /// Whether last run's entry for `file` matches `input` and every output on disk still
    /// holds the bytes it recorded.
    fn vouches(&self, file: &str, input: &str, outputs: &[PathBuf]) -> bool {
        let Some(entry) = self.old.get(file) else { return false };
        entry.input == input
            && entry.outputs.len() == outputs.len()
            && outputs.iter().all(|p| {
                let key = p.display().to_string();
                entry.outputs.get(&key).is_some_and(|want| {
                    crate::io::read_capped(p, crate::io::limits::PDF)
                        .is_ok_and(|b| sha256_hex(&b) == *want)
                })
            })
    }

    fn record(&self, file: String, entry: CacheEntry) {
        if let Ok(mut c) = self.new.lock() {
            c.insert(file, entry);
        }
    }
}

fn render_unit(
    input: &Input,
    file: String,
    stem: &Path,
    config: &BatchConfig,
    engine: &Engine,
    cache: &Cache,
) -> (UnitSummary, Option<Loaded>) {
    let options = CheckOptions {
        audit: Some(config.audit),
        previous: Previous::SameUnit(&config.previous),
        ..CheckOptions::for_render()
    };
    let loaded = match Source::read(&input.path) {
        Ok(source) => {
            let resources = FsResources::for_report(&input.path, config.confine);
            engine.check(source, &resources, &options)
        }
        Err(d) => Loaded::unreadable(&input.path, d),
    };
    let mut summary = UnitSummary {
        unit: loaded.report.as_ref().map(|r| r.unit.text.clone()),
        year: loaded.report.as_ref().map(|r| r.year.0),
        diagnostics: loaded.diags.iter().map(|d| render_short(d, &loaded.file)).collect(),
        warnings: loaded.diags.iter().filter(|d| d.severity == Severity::Warning).count(),
        ..UnitSummary::new(file.clone(), Status::Failed)
    };
    if !loaded.is_ok() {
        return (summary, None);
    }
    let base = config.outdir.join(stem);
    let paths: Vec<PathBuf> = config.outputs.iter().map(|k| with_ext(&base, k.ext())).collect();
    let previous = loaded.report.as_ref().and_then(|r| options.previous.of(r));
    let hash = unit_hash(&cache.run, &loaded, previous);
    if config.changed && cache.vouches(&file, &hash, &paths) {
        summary.status = Status::Unchanged;
        summary.outputs = paths.iter().map(|p| p.display().to_string()).collect();
        if let Some(entry) = cache.old.get(&file) {
            cache.record(file, entry.clone());
        }
        loaded.forget_prepared();
        return (summary, Some(loaded));
    }
    let rendered = match engine.render_compared(&loaded, previous, &config.outputs) {
        Ok(r) => r,
        Err(diags) => {
            summary.diagnostics.extend(diags.iter().map(|d| render_short(d, &loaded.file)));
            return (summary, None);
        }
    };
    summary.warnings += rendered.warnings.len();
    summary.diagnostics.extend(rendered.warnings.iter().map(|d| render_short(d, &loaded.file)));
    summary.pages = rendered.pages().map_or(0, |p| p.count);
    if let Some(parent) = base.parent()
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        summary.diagnostics.push(format!("{}: 无法创建 (cannot create): {e}", parent.display()));
        return (summary, None);
    }
    let files: Vec<(PathBuf, &[u8])> =
        paths.iter().cloned().zip(rendered.outputs.iter().map(|o| o.bytes.as_slice())).collect();
    if let Err(e) = crate::io::write_all(&files, config.replace) {
        summary.diagnostics.push(e.to_string());
        return (summary, None);
    }
    let outputs = files.iter().map(|(p, b)| (p.display().to_string(), sha256_hex(b))).collect();
    cache.record(file, CacheEntry { input: hash, outputs });
    summary.outputs = paths.iter().map(|p| p.display().to_string()).collect();
    summary.status = Status::Rendered;
    (summary, Some(loaded))
}

/// Rows for what discovery could not read or skipped: failed entries for unreadable folders,
/// `skipped` ones for links not followed.
pub fn discovery_rows(found: &Discovery) -> Vec<UnitSummary> {
    let row = |(path, why): &(PathBuf, String), status: Status, zh: &str| UnitSummary {
        diagnostics: vec![format!("{}: {zh} ({why})", path.display())],
        ..UnitSummary::new(path.display().to_string(), status)
    };
    let mut rows: Vec<UnitSummary> =
        found.unreadable.iter().map(|u| row(u, Status::Failed, "无法读取的文件夹")).collect();
    rows.extend(found.skipped.iter().map(|u| row(u, Status::Skipped, "已跳过")));
    rows
}

/// Writes `summary.json` and `summary.csv` into `outdir`.
pub fn write_summaries(outdir: &Path, units: &[UnitSummary]) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(units).map_err(std::io::Error::other)?;
    crate::io::write_atomic(&outdir.join("summary.json"), &json, true)?;
    let mut csv = format!("{BOM}file,unit,year,status,pages,outputs,diagnostics,ms\n");
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
    crate::io::write_atomic(&outdir.join("summary.csv"), csv.as_bytes(), true)
}

/// Quotes a CSV field when it needs it (RFC 4180), and neutralises a leading `=`, `+`, `-`,
/// `@`, tab or CR so a spreadsheet shows a unit name such as `=HYPERLINK(…)` as text instead of
/// running it (OWASP CSV injection).
pub fn csv_field(s: &str) -> String {
    let neutral;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        neutral = format!("'{s}");
        neutral.as_str()
    } else {
        s
    };
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
