//! The JSON API on the store and the engine (the routes are listed in `serve`'s docs).

use super::session::Caller;
use super::{
    App, SaveError, Unit, Who, blocking, diagnostics, error, error_why, internal, not_found,
    reply_json, status_of, summarize,
};
use crate::Loaded;
use crate::OutputKind;
use crate::diag::Reply;
use crate::diag::{has_errors, render_json};
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// What a handler answers: a response either way.
pub(super) type Answer = Result<Response, Response>;

pub(super) fn etag(version: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"\""))
}

pub(super) async fn list(State(app): State<Arc<App>>, Caller { who, .. }: Caller) -> Answer {
    let list = blocking(app.work.clone(), move || {
        let mut out = Vec::new();
        for unit in app.store.units().into_iter().filter(|u| who.may_see(&u.rel)) {
            let Ok((bytes, version)) = app.store.read(&unit) else { continue };
            let s = app.summary(&unit, &version, bytes);
            let (status, status_zh) = status_of(&s);
            out.push(json!({
                "id": unit.id, "file": unit.rel, "unit": s.unit, "year": s.year,
                "status": status, "status_zh": status_zh, "errors": s.errors,
                "warnings": s.warnings, "version": version,
            }));
        }
        out
    })
    .await?;
    Ok(axum::Json(Value::Array(list)).into_response())
}

pub(super) async fn get_report(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Caller { who, .. }: Caller,
) -> Answer {
    let (v, version) = app
        .on_unit(who, id, |app, _, unit| {
            let (bytes, version) = app.store.read(&unit).map_err(|e| internal(&e))?;
            let yaml = String::from_utf8_lossy(&bytes).into_owned();
            let loaded = app.check(&unit.rel, bytes, unit.dir());
            Ok(report_json(&unit, &version, &loaded, Some(yaml)))
        })
        .await?;
    Ok(([(header::ETAG, etag(&version))], axum::Json(v)).into_response())
}

pub(super) fn report_json(
    unit: &Unit,
    version: &str,
    loaded: &Loaded,
    yaml: Option<String>,
) -> (Value, String) {
    let s = summarize(loaded);
    let (status, status_zh) = status_of(&s);
    let mut v = json!({
        "id": unit.id, "file": unit.rel, "unit": s.unit, "year": s.year, "version": version,
        "status": status, "status_zh": status_zh, "diagnostics": diagnostics(loaded),
    });
    if let (Some(yaml), Some(obj)) = (yaml, v.as_object_mut()) {
        obj.insert("yaml".into(), yaml.into());
    }
    (v, version.to_string())
}

pub(super) fn if_match(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::IF_MATCH)?.to_str().ok()?.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    Some(v.trim_matches('"').to_string())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// What a save writes: the body through the Report → YAML writer when it loads without
/// schema errors; otherwise (a draft the model cannot hold yet) the bytes as typed, so that
/// nothing typed is lost. A report with a `dismissed:` list is kept as typed too: the writer
/// has no place for the audit's list yet.
pub(super) fn normalized(app: &App, loaded: &Loaded, body: &[u8], unit: &Unit) -> Vec<u8> {
    let Some(report) = &loaded.report else { return body.to_vec() };
    let (_, load_diags) = crate::model::load_report(&loaded.file, app.pdf.formats());
    if has_errors(&load_diags) {
        return body.to_vec();
    }
    let (root, _) = crate::source::parse_yaml(loaded.file.text(), Default::default());
    if root.as_ref().is_some_and(|r| r.get("dismissed").is_some()) {
        return body.to_vec();
    }
    let Some(format) = app.pdf.formats().get(report.format) else { return body.to_vec() };
    crate::model::emit_yaml(report, format, unit.dir(), unit.dir()).into_bytes()
}

pub(super) async fn put_report(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Caller { who, .. }: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let started = if_match(&headers);
    let (v, version) = app
        .on_unit(who, id, move |app, who, unit| {
            let started = started.ok_or_else(if_match_required)?;
            save(app, who, &unit, &started, &body).map_err(|e| e.response())
        })
        .await?;
    Ok(([(header::ETAG, etag(&version))], axum::Json(v)).into_response())
}

pub(super) fn if_match_required() -> Response {
    error(StatusCode::PRECONDITION_REQUIRED, Reply::IfMatchRequired)
}

/// Why [`save`] did not save.
pub(super) enum Refused {
    /// The file is at `current`, with these bytes, not at the version the save started from.
    Stale { current: String, bytes: Vec<u8> },
    /// An answer to give as it is.
    Other(Response),
}

impl Refused {
    /// The 409 (with the newer version's YAML) or the other answer.
    pub(super) fn response(self) -> Response {
        match self {
            Refused::Stale { current, bytes } => stale(
                &current,
                json!({
                    "yaml": String::from_utf8_lossy(&bytes),
                }),
            ),
            Refused::Other(r) => r,
        }
    }
}

/// A 409 naming the newer version, with `extra` fields.
pub(super) fn stale(current: &str, extra: Value) -> Response {
    let mut v = reply_json(Reply::Stale, "", extra);
    v["version"] = current.into();
    (StatusCode::CONFLICT, [(header::ETAG, etag(current))], axum::Json(v)).into_response()
}

/// Checks `body`, writes it (normalized) if the file is still at `started`, and answers with
/// the new version's status and diagnostics.
pub(super) fn save(
    app: &App,
    who: &Who,
    unit: &Unit,
    started: &str,
    body: &[u8],
) -> Result<(Value, String), Refused> {
    let loaded = app.check(&unit.rel, body.to_vec(), unit.dir());
    let bytes = normalized(app, &loaded, body, unit);
    let lock = app.lock_of(&unit.id);
    let held = lock.lock().unwrap_or_else(|e| e.into_inner());
    match app.store.save(unit, started, &bytes, &who.label(), now()) {
        Ok(version) => {
            drop(held);
            let loaded = if bytes[..] == body[..] {
                loaded
            } else {
                app.check(&unit.rel, bytes, unit.dir())
            };
            Ok(report_json(unit, &version, &loaded, None))
        }
        Err(SaveError::Stale { current, bytes }) => Err(Refused::Stale { current, bytes }),
        Err(SaveError::Io(e)) => Err(Refused::Other(internal(&e))),
    }
}

pub(super) async fn history(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Caller { who, .. }: Caller,
) -> Answer {
    let h = app.on_unit(who, id, |app, _, unit| Ok(app.store.history(&unit))).await?;
    Ok(axum::Json(h).into_response())
}

pub(super) async fn check(
    State(app): State<Arc<App>>,
    Caller { who, .. }: Caller,
    body: Bytes,
) -> Answer {
    let v = blocking(app.work.clone(), move || {
        // A unit's check reads the files its report names from its own folder only.
        let (name, dir) = match &who {
            Who::Unit(rel) => match app.store.units().into_iter().find(|u| &u.rel == rel) {
                Some(u) => (u.rel.clone(), u.dir().to_path_buf()),
                None => return Err(not_found()),
            },
            Who::Admin => ("check.yaml".to_string(), app.store.root().to_path_buf()),
        };
        let loaded = app.check(&name, body.to_vec(), &dir);
        Ok(json!([{
            "file": name,
            "ok": !has_errors(&loaded.diags),
            "diagnostics": diagnostics(&loaded),
        }]))
    })
    .await??;
    Ok(axum::Json(v).into_response())
}

/// `?format=` of the render route.
#[derive(Debug, serde::Deserialize)]
pub(super) struct RenderQuery {
    format: Option<String>,
}

/// What a render route gives.
pub(super) fn kind_of(format: Option<&str>) -> Result<Option<OutputKind>, Response> {
    match format.unwrap_or("pdf") {
        "pdf" => Ok(Some(OutputKind::Pdf)),
        "docx" => Ok(Some(OutputKind::Docx)),
        "html" => Ok(Some(OutputKind::Html)),
        "yaml" => Ok(None),
        _ => Err(error(StatusCode::BAD_REQUEST, Reply::BadFormat)),
    }
}

/// The document `bytes` (a unit's report) rendered as `kind`; 422 with the diagnostics when
/// it has errors. The caller holds a render permit.
pub(super) fn render_report(
    app: &App,
    unit: &Unit,
    bytes: Vec<u8>,
    kind: OutputKind,
) -> Result<Vec<u8>, Response> {
    let version = super::version_of(&bytes);
    let loaded = app.check(&unit.rel, bytes, unit.dir());
    let unrenderable = |loaded: &Loaded, diags: Vec<Value>| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(reply_json(
                Reply::HasErrors,
                "",
                json!({"version": version, "diagnostics": diags, "ok": !has_errors(&loaded.diags)}),
            )),
        )
            .into_response()
    };
    if !loaded.is_ok() {
        return Err(unrenderable(&loaded, diagnostics(&loaded)));
    }
    let engine = match kind {
        OutputKind::Pdf => &app.pdf,
        OutputKind::Docx => &app.docx,
        OutputKind::Html => &app.html,
        // Not offered by the server yet (`kind_of` never gives it).
        OutputKind::Ofd => return Err(error(StatusCode::BAD_REQUEST, Reply::BadFormat)),
    };
    match engine.render(&loaded) {
        Ok(rendered) => {
            let out = rendered.outputs.into_iter().find(|o| o.kind == kind);
            out.map(|o| o.bytes).ok_or_else(|| internal("no output rendered"))
        }
        Err(diags) => {
            let d = diags.iter().map(|d| render_json(d, &loaded.file)).collect();
            Err(unrenderable(&loaded, d))
        }
    }
}

/// The `Content-Type` of an output (`None`: the YAML).
pub(super) fn mime(kind: Option<OutputKind>) -> &'static str {
    match kind {
        Some(OutputKind::Pdf) => "application/pdf",
        Some(OutputKind::Docx) => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        Some(OutputKind::Html) => "text/html; charset=utf-8",
        Some(OutputKind::Ofd) => "application/ofd",
        None => "application/yaml; charset=utf-8",
    }
}

/// A download: the bytes with their type and a file name.
pub(super) fn download(bytes: Vec<u8>, kind: Option<OutputKind>, stem: &str) -> Response {
    let ext = kind.map_or("yaml", OutputKind::ext);
    let name: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{name}.{ext}\"");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime(kind))),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub(super) async fn render(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Query(q): Query<RenderQuery>,
    Caller { who, .. }: Caller,
) -> Answer {
    let kind = kind_of(q.format.as_deref())?;
    let Ok(permit) = app.renders.clone().acquire_owned().await else {
        return Err(internal("the render queue is closed"));
    };
    let (bytes, stem) = app
        .on_unit(who, id, move |app, _, unit| {
            let _permit = permit;
            let (bytes, _) = app.store.read(&unit).map_err(|e| internal(&e))?;
            let out = match kind {
                Some(kind) => render_report(app, &unit, bytes, kind)?,
                None => bytes,
            };
            Ok((out, unit.id))
        })
        .await?;
    Ok(download(bytes, kind, &stem))
}

/// `?name=` of the upload route.
#[derive(Debug, serde::Deserialize)]
pub(super) struct UploadQuery {
    name: Option<String>,
}

fn bad_name() -> Response {
    error(StatusCode::BAD_REQUEST, Reply::BadName)
}

/// Where an upload called `name` goes: inside the unit's folder (no absolute path, no `..`, no
/// hidden part, no symbolic link on the way or at the end; an existing folder), an image
/// extension.
fn upload_target(unit: &Unit, name: &str) -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(name);
    let image_ext = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["png", "jpg", "jpeg"].contains(&e.to_ascii_lowercase().as_str()));
    let hidden = path.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    if name.len() > 200 || !crate::world::is_confined(name) || hidden || !image_ext {
        return None;
    }
    let base = unit.dir().canonicalize().ok()?;
    let target = base.join(path);
    // No folder is made: creating one through a link would reach outside before the check.
    let parent = target.parent()?;
    if !parent.canonicalize().ok()?.starts_with(&base) {
        return None;
    }
    match std::fs::symlink_metadata(&target) {
        Ok(m) if !m.is_file() => None,
        _ => Some(target),
    }
}

pub(super) async fn upload(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Query(q): Query<UploadQuery>,
    Caller { who, .. }: Caller,
    body: Bytes,
) -> Answer {
    let v = app
        .on_unit(who, id, move |_, _, unit| {
            let name = q.name.unwrap_or_default();
            let target = upload_target(&unit, &name).ok_or_else(bad_name)?;
            let image = crate::resolve::ImageData::from_bytes(body.to_vec())
                .map_err(|e| error_why(StatusCode::UNPROCESSABLE_ENTITY, Reply::BadImage, &e))?;
            crate::io::write_atomic(&target, &image.bytes, true)
                .map_err(|e| internal(&e.to_string()))?;
            Ok(json!({
                "name": name, "bytes": image.bytes.len(),
                "width": image.width_px, "height": image.height_px,
            }))
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(v)).into_response())
}

pub(super) async fn old_version(
    State(app): State<Arc<App>>,
    UrlPath((id, version)): UrlPath<(String, String)>,
    Caller { who, .. }: Caller,
) -> Answer {
    let bytes = app
        .on_unit(who, id, move |app, _, unit| {
            app.store.version_bytes(&unit, &version).ok_or_else(not_found)
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, mime(None))], bytes).into_response())
}
