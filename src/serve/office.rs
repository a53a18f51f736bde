//! What only the office token may do, from the browser or a script: create a unit (its
//! skeleton report and its login link), run `batch` over every unit, make the 汇总表 of the
//! units that pass, and audit them all together. A unit's token gets 403.

use super::api::{Answer, download};
use super::session::Caller;
use super::{App, Unit, Who, blocking, diagnostics, error, error_why, internal, visible};
use crate::OutputKind;
use crate::batch::{BatchConfig, lock_outdir, remove_stale_temps, run_batch};
use crate::diag::Reply;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Where `POST /api/batch` writes (hidden: never taken for a unit).
const BATCH_DIR: &str = "batch";

fn office_only(who: &Who) -> Result<(), Response> {
    match who {
        Who::Office(_) => Ok(()),
        Who::Unit(_) => Err(error(StatusCode::FORBIDDEN, Reply::OfficeOnly)),
    }
}

/// The body of `POST /api/units`.
#[derive(Debug, serde::Deserialize)]
pub(super) struct NewUnit {
    /// The report's file, relative to the served folder (`乡镇/某镇.yaml`).
    file: String,
    /// The unit's name.
    unit: String,
    /// The reported year.
    year: i32,
}

fn bad_new_unit(reply: Reply) -> Response {
    error(StatusCode::BAD_REQUEST, reply)
}

/// The new report's path: a `.yaml` name inside the folder, in an existing folder that is no
/// link out of it, not hidden, not taken.
fn new_report_path(app: &App, file: &str) -> Result<std::path::PathBuf, Response> {
    let path = std::path::Path::new(file);
    let hidden = path.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    if file.len() > 200 || !crate::world::is_confined(file) || hidden || !file.ends_with(".yaml") {
        return Err(bad_new_unit(Reply::UnitFile));
    }
    let root = app.store.root();
    let target = root.join(path);
    let parent_ok =
        target.parent().and_then(|p| p.canonicalize().ok()).is_some_and(|p| p.starts_with(root));
    if !parent_ok {
        return Err(bad_new_unit(Reply::UnitFolder));
    }
    // Any file the new one's id maps to (`x.yml` beside a new `x.yaml`) is taken: ids are
    // unique whatever the extension.
    let stem = crate::world::report_stem(file);
    let taken = ["yaml", "yml", "YAML", "YML", "Yaml", "Yml"]
        .iter()
        .any(|ext| std::fs::symlink_metadata(root.join(format!("{stem}.{ext}"))).is_ok());
    if taken || std::fs::symlink_metadata(&target).is_ok() {
        return Err(error(StatusCode::CONFLICT, Reply::UnitExists));
    }
    Ok(target)
}

pub(super) async fn create_unit(
    State(app): State<Arc<App>>,
    caller: Caller,
    axum::Json(new): axum::Json<NewUnit>,
) -> Answer {
    office_only(&caller.who)?;
    let app2 = app.clone();
    let v = blocking(app.work.clone(), move || {
        let name = new.unit.trim();
        if name.is_empty() || name.chars().count() > 100 || !(1900..=2200).contains(&new.year) {
            return Err(bad_new_unit(Reply::UnitName));
        }
        let target = new_report_path(&app, &new.file)?;
        let format = app.engine.formats().get(app.engine.formats().default_edition());
        let format = format.ok_or_else(|| internal("no default edition"))?;
        let text = crate::model::skeleton(format, name, new.year);
        crate::io::write_atomic(&target, text.as_bytes(), false)
            .map_err(|e| internal(&e.to_string()))?;
        app.store.rescan();
        let unit = app
            .store
            .units()
            .into_iter()
            .find(|u| u.path == target || u.rel == new.file)
            .ok_or_else(|| internal("the new report is not found as a unit"))?;
        let token = super::issue_unit_token(&app.store, &unit.rel).map_err(|e| internal(&e))?;
        Ok(json!({"id": unit.id, "file": unit.rel, "token": token, "link": format!("/?token={token}")}))
    })
    .await??;
    caller.audit(&app2, "unit-created", v["id"].as_str().unwrap_or(""), "");
    caller.audit(&app2, "token-issued", v["id"].as_str().unwrap_or(""), "");
    Ok((StatusCode::CREATED, axum::Json(v)).into_response())
}

/// `PUT /api/tokens/{id}`: a new login link for one unit (its old one stops working).
pub(super) async fn reissue(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    caller: Caller,
) -> Answer {
    office_only(&caller.who)?;
    caller.audit(&app, "token-issued", &id, "");
    let v = app
        .on_unit(caller.who.clone(), id, |app, _, unit| {
            let token = super::issue_unit_token(&app.store, &unit.rel).map_err(|e| internal(&e))?;
            Ok(json!({"id": unit.id, "token": token, "link": format!("/?token={token}")}))
        })
        .await?;
    Ok(axum::Json(v).into_response())
}

pub(super) async fn batch(State(app): State<Arc<App>>, Caller { who, .. }: Caller) -> Answer {
    office_only(&who)?;
    let _turn = super::limits::office_turn(&app).await?;
    let v = blocking(app.work.clone(), move || {
        let outdir = app.store.state_dir().join(BATCH_DIR);
        std::fs::create_dir_all(&outdir).map_err(|e| internal(&e.to_string()))?;
        let _lock = lock_outdir(&outdir).map_err(|e| internal(&e))?;
        remove_stale_temps(&outdir);
        let found =
            crate::batch::discover(std::slice::from_ref(&app.store.root().to_path_buf()), None)
                .map_err(|e| internal(&e))?;
        let config = BatchConfig {
            outdir: outdir.clone(),
            outputs: vec![OutputKind::Pdf],
            changed: false,
            replace: crate::io::Replace::Always,
            confine: true,
            keep_loaded: false,
            audit: crate::audit::AuditOptions::default(),
            previous: Arc::new(Default::default()),
        };
        let stop = AtomicBool::new(false);
        let result = run_batch(&found.inputs, &config, &app.engine, &stop, &|_| {});
        crate::batch::write_summaries(&outdir, &result.units)
            .map_err(|e| internal(&e.to_string()))?;
        // Paths as the served folder names them, not the server's disk.
        let root = app.store.root().display().to_string();
        let strip = |s: &str| s.replace(&format!("{root}/"), "");
        // Each unit's messages as the form words them (not the command line's lines), with
        // its id for the page's link.
        let units: Vec<Value> = result
            .units
            .iter()
            .map(|u| {
                let rel = strip(&u.file);
                let unit = app.store.unit_by_rel(&rel);
                let diags = unit.as_ref().and_then(|unit| {
                    let (bytes, _) = app.store.read(unit).ok()?;
                    Some(diagnostics(&app.check(&unit.rel, bytes, &unit.path)))
                });
                json!({"file": rel, "id": unit.map(|u| u.id), "unit": u.unit, "year": u.year,
                       "status": u.status.as_str(), "pages": u.pages, "warnings": u.warnings,
                       "outputs": u.outputs.iter().map(|o| strip(o)).collect::<Vec<_>>(),
                       "diagnostics": diags.unwrap_or_default()})
            })
            .collect();
        let failed = result.units.iter().filter(|u| u.status.as_str() == "failed").count();
        Ok(json!({"units": units, "failed": failed,
                  "outdir": format!("{}/{BATCH_DIR}", super::STATE_DIR),
                  "download": "/api/batch/outputs.zip"}))
    })
    .await??;
    Ok(axum::Json(v).into_response())
}

/// The files under `dir` (not hidden), relative `/`-separated names, in directory order.
fn files_under(dir: &std::path::Path, rel: &str, out: &mut Vec<(String, std::path::PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else { continue };
        if name.starts_with('.') || kind.is_symlink() {
            continue;
        }
        let rel = if rel.is_empty() { name } else { format!("{rel}/{name}") };
        if kind.is_dir() {
            files_under(&entry.path(), &rel, out);
        } else if kind.is_file() {
            out.push((rel, entry.path()));
        }
    }
}

/// `GET /api/batch/outputs.zip`: what the last batch wrote, as one download.
pub(super) async fn batch_zip(State(app): State<Arc<App>>, Caller { who, .. }: Caller) -> Answer {
    office_only(&who)?;
    let _turn = super::limits::office_turn(&app).await?;
    let bytes = blocking(app.work.clone(), move || {
        let mut files = Vec::new();
        files_under(&app.store.state_dir().join(BATCH_DIR), "", &mut files);
        files.sort();
        if files.is_empty() {
            return Err(error(StatusCode::NOT_FOUND, Reply::NoBatch));
        }
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, path) in files {
            let data = std::fs::read(&path).map_err(|e| internal(&e.to_string()))?;
            zip.start_file(name, options).map_err(|e| internal(&e.to_string()))?;
            std::io::Write::write_all(&mut zip, &data).map_err(|e| internal(&e.to_string()))?;
        }
        let cursor = zip.finish().map_err(|e| internal(&e.to_string()))?;
        Ok(cursor.into_inner())
    })
    .await??;
    let disposition = "attachment; filename=\"batch-outputs.zip\"";
    let headers = [
        (axum::http::header::CONTENT_TYPE, "application/zip"),
        (axum::http::header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, bytes).into_response())
}

/// Every unit's report `who` may see, checked (without the audit).
fn load_all(app: &App, who: &Who) -> Vec<(Unit, crate::Loaded)> {
    let mut out = Vec::new();
    for unit in app.store.units() {
        let Ok(unit) = visible(app, who, &unit.id) else { continue };
        let Ok((bytes, _)) = app.store.read(&unit) else { continue };
        let resources = crate::world::FsResources::for_report(&unit.path, true);
        // Audited together by the caller (雷同 across units).
        let options = crate::CheckOptions { audit: None, ..Default::default() };
        let loaded = app.engine.check(crate::Source::new(&unit.rel, bytes), &resources, &options);
        out.push((unit, loaded));
    }
    out
}

/// `?format=`, `?year=` and `?office=` of the 汇总表 route.
#[derive(Debug, serde::Deserialize)]
pub(super) struct SummaryQuery {
    format: Option<String>,
    year: Option<i32>,
    office: Option<String>,
}

/// The 汇总表's plan: the year, the units summed with their approved bytes, those left out.
type Plan = (i32, Vec<(Unit, Vec<u8>)>, Vec<Value>);

/// What the 汇总表 of a scope and year sums: the 已通过审核 and 已发布 reports (the version
/// approved), and every other unit with why it is left out.
fn summary_plan(app: &App, who: &Who, year: Option<i32>) -> Plan {
    let (year, rows) = super::dashboard::rows(app, who, year);
    let mut taken = Vec::new();
    let mut left = Vec::new();
    for r in rows {
        let why = if !r.state.summed() {
            match r.file_year {
                Some(y) if y != year && r.filing.is_none() => {
                    format!("报告年度为{y}年，不是{year}年")
                }
                _ => format!("状态为“{}”，未通过审核", r.state.zh()),
            }
        } else {
            let version = r.filing.as_ref().map(|f| f.version.clone()).unwrap_or_default();
            match app.store.version_bytes(&r.unit, &version) {
                Some(bytes) => {
                    taken.push((r.unit, bytes));
                    continue;
                }
                None => "通过审核的版本已不在历史记录中".to_string(),
            }
        };
        left.push(json!({"id": r.unit.id, "file": r.unit.rel, "unit": r.name,
                         "state": r.state.code(), "state_zh": r.state.zh(), "why": why}));
    }
    (year, taken, left)
}

pub(super) async fn summary(
    State(app): State<Arc<App>>,
    Query(q): Query<SummaryQuery>,
    caller: Caller,
) -> Answer {
    office_only(&caller.who)?;
    let format = q.format.clone().unwrap_or_else(|| "pdf".into());
    if !["pdf", "csv", "json"].contains(&format.as_str()) {
        return Err(error(StatusCode::BAD_REQUEST, Reply::BadSummaryFormat));
    }
    let office: String = q.office.as_deref().unwrap_or("").trim().chars().take(60).collect();
    if office.is_empty() && format != "json" {
        return Err(error(StatusCode::BAD_REQUEST, Reply::OfficeName));
    }
    let _turn = super::limits::office_turn(&app).await?;
    let who = caller.who.clone();
    let app2 = app.clone();
    let json_only = format == "json";
    let (year, names, left, first) = blocking(app.work.clone(), move || {
        let (year, taken, left) = summary_plan(&app2, &who, q.year);
        let names: Vec<Value> = taken
            .iter()
            .map(|(u, b)| {
                let s = app2.summary(u, &super::version_of(b), b.clone());
                json!({"id": u.id, "file": u.rel, "unit": s.unit})
            })
            .collect();
        if json_only || taken.is_empty() {
            return Ok((year, names, left, None));
        }
        let loaded: Vec<crate::Loaded> = taken
            .into_iter()
            .map(|(u, b)| {
                let resources = crate::world::FsResources::for_report(&u.path, true);
                let options = crate::CheckOptions { audit: None, ..Default::default() };
                app2.engine.check(crate::Source::new(&u.rel, b), &resources, &options)
            })
            .collect();
        let passed: Vec<&crate::Loaded> = loaded.iter().filter(|l| l.is_ok()).collect();
        let reports =
            crate::batch::summary_reports(&passed, &app2.engine, &[OutputKind::Pdf], &office)
                .map_err(|e| error_why(StatusCode::UNPROCESSABLE_ENTITY, Reply::NoSummary, &e))?;
        let first = reports.into_iter().next().ok_or_else(|| internal("no summary"))?;
        Ok::<_, Response>((year, names, left, Some(first)))
    })
    .await??;
    caller.audit(&app, "summary", &year.to_string(), &format!("{} {}", names.len(), format));
    if json_only {
        return Ok(
            axum::Json(json!({"year": year, "units": names, "left_out": left})).into_response()
        );
    }
    let Some(first) = first else {
        let why = format!("{year}年度没有已通过审核或已发布的报告");
        return Err(error_why(StatusCode::UNPROCESSABLE_ENTITY, Reply::NoSummary, &why));
    };
    if format == "csv" {
        let mime = [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")];
        return Ok((mime, first.numbers_csv).into_response());
    }
    let pdf = first.rendered.outputs.into_iter().find(|o| o.kind == OutputKind::Pdf);
    let pdf = pdf.ok_or_else(|| internal("the 汇总表 has no PDF"))?;
    let title =
        format!("{}{year}年度政府信息公开工作年度报告汇总表", q.office.unwrap_or_default().trim());
    Ok(download(pdf.bytes, Some(OutputKind::Pdf), &title, "summary-report"))
}

/// The body of `POST /api/tokens`: an office token for a folder of the caller's scope.
#[derive(Debug, serde::Deserialize)]
pub(super) struct NewOffice {
    folder: String,
}

/// `POST /api/tokens`: an office token limited to a folder (within the caller's own scope):
/// a city's office gives each county its own, a county its departments'.
pub(super) async fn office_token(
    State(app): State<Arc<App>>,
    caller: Caller,
    axum::Json(new): axum::Json<NewOffice>,
) -> Answer {
    let Who::Office(own) = &caller.who else {
        return Err(error(StatusCode::FORBIDDEN, Reply::OfficeOnly));
    };
    let scope = super::auth::scope_of(&new.folder)
        .filter(|s| !s.is_empty() && s.starts_with(own.as_str()) && s.chars().count() <= 200)
        .ok_or_else(|| error(StatusCode::BAD_REQUEST, Reply::BadScope))?;
    let app2 = app.clone();
    let scope2 = scope.clone();
    let token = blocking(app.work.clone(), move || super::issue_office_token(&app2.store, &scope2))
        .await?
        .map_err(|e| internal(&e))?;
    caller.audit(&app, "office-token", &scope, "");
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"scope": scope, "token": token,
        "link": format!("/?token={token}")})),
    )
        .into_response())
}

pub(super) async fn audit(State(app): State<Arc<App>>, Caller { who, .. }: Caller) -> Answer {
    office_only(&who)?;
    let _turn = super::limits::office_turn(&app).await?;
    let v = blocking(app.work.clone(), move || {
        let (units, mut loaded): (Vec<Unit>, Vec<crate::Loaded>) =
            load_all(&app, &who).into_iter().unzip();
        let previous = vec![None; loaded.len()];
        crate::engine::audit_batch(&mut loaded, &previous, &crate::audit::AuditOptions::default());
        let rows: Vec<Value> = units
            .iter()
            .zip(&loaded)
            .map(|(u, l)| {
                let errors = l.diags.iter().filter(|d| d.is_error()).count();
                json!({"id": u.id, "file": u.rel,
                       "unit": l.report.as_ref().map(|r| r.unit.text.clone()),
                       "errors": errors, "diagnostics": diagnostics(l)})
            })
            .collect();
        Value::Array(rows)
    })
    .await?;
    Ok(axum::Json(v).into_response())
}
