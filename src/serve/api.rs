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
use crate::io::limits;
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

/// `?offset=&limit=` of the list (the office's, of thousands of units, by pages).
#[derive(Debug, serde::Deserialize)]
pub(super) struct Page {
    offset: Option<usize>,
    limit: Option<usize>,
}

pub(super) async fn list(
    State(app): State<Arc<App>>,
    Query(page): Query<Page>,
    Caller { who, .. }: Caller,
) -> Answer {
    let (total, list) = blocking(app.work.clone(), move || {
        let (offset, limit) = (page.offset.unwrap_or(0), page.limit.unwrap_or(usize::MAX));
        let (total, units) = match &who {
            Who::Unit(rel) => {
                let own: Vec<_> = app.store.unit_by_rel(rel).into_iter().collect();
                (own.len(), own.into_iter().skip(offset).take(limit).collect())
            }
            Who::Office(scope) if scope.is_empty() => app.store.units_page(offset, limit),
            Who::Office(_) => {
                let mine: Vec<Unit> =
                    app.store.units().into_iter().filter(|u| who.may_see(&u.rel)).collect();
                (mine.len(), mine.into_iter().skip(offset).take(limit).collect())
            }
        };
        let mut out = Vec::new();
        for unit in units {
            let Some((version, s)) = app.listed(&unit) else { continue };
            let (status, status_zh) = status_of(&s);
            let filing = super::workflow::filing_json(&app, &unit, &s);
            out.push(json!({
                "id": unit.id, "file": unit.rel, "unit": s.unit, "year": s.year,
                "status": status, "status_zh": status_zh, "errors": s.errors,
                "warnings": s.warnings, "version": version,
                "state": filing["state"], "state_zh": filing["state_zh"],
            }));
        }
        (total, out)
    })
    .await?;
    let total = HeaderValue::from(total);
    Ok(([("x-total-count", total)], axum::Json(Value::Array(list))).into_response())
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
            let loaded = app.check(&unit.rel, bytes, &unit.path);
            let (mut v, version) = report_json(&unit, &version, &loaded, Some(yaml));
            v["filing"] = super::workflow::filing_json(app, &unit, &summarize(&loaded));
            Ok((v, version))
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

use super::db::now;

/// What a save writes: the body through the Report → YAML writer when it loads without
/// schema errors; otherwise (a draft the model cannot hold yet) the bytes as typed, so that
/// nothing typed is lost. A `dismissed:` list goes through the writer too, unless an entry
/// cannot be used (W-Z2): the report does not hold such an entry, so it is kept as typed.
pub(super) fn normalized(app: &App, loaded: &Loaded, body: &[u8], unit: &Unit) -> Vec<u8> {
    let Some(report) = &loaded.report else { return body.to_vec() };
    let (_, load_diags) = crate::model::load_report(&loaded.file, app.engine.formats());
    if has_errors(&load_diags) {
        return body.to_vec();
    }
    let unusable = crate::diag::Code::Audit(crate::diag::AuditCode::DismissalInvalid);
    if load_diags.iter().any(|d| d.code == unusable) {
        return body.to_vec();
    }
    let Some(format) = app.engine.formats().get(report.format) else { return body.to_vec() };
    crate::model::emit_yaml(report, format, unit.dir(), unit.dir()).into_bytes()
}

pub(super) async fn put_report(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let started = if_match(&headers);
    let (v, version) = app
        .on_unit(caller.who.clone(), id.clone(), move |app, who, unit| {
            let started = started.ok_or_else(if_match_required)?;
            save(app, who, &unit, &started, &body).map_err(|e| e.response())
        })
        .await?;
    caller.audit(&app, "save", &id, &version);
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
    let loaded = app.check(&unit.rel, body.to_vec(), &unit.path);
    if let Some(refused) = super::limits::too_complex(&loaded) {
        return Err(Refused::Other(refused));
    }
    let bytes = normalized(app, &loaded, body, unit);
    let year = loaded.report.as_ref().map(|r| r.year.0);
    // A submitted, approved or published report of that year is not changed (the year of the
    // file as it is when the body names none): checked under the unit's lock.
    let allowed = |current: &[u8]| match year.or_else(|| year_of(app, unit, current)) {
        Some(y) => match super::workflow::filing(app.store.db(), &unit.rel, y) {
            Some(f) if f.state.locked() => Err(SaveError::Locked(f.state.zh())),
            _ => Ok(()),
        },
        None => Ok(()),
    };
    // The store compares and writes under the unit's file lock.
    match app.store.save_if(unit, started, &bytes, &who.label(), now(), allowed) {
        Ok(version) => {
            if let Some(y) = year {
                super::workflow::saved(app.store.db(), &unit.rel, y, &who.label());
            }
            let loaded = if bytes[..] == body[..] {
                loaded
            } else {
                app.check(&unit.rel, bytes, &unit.path)
            };
            Ok(report_json(unit, &version, &loaded, None))
        }
        Err(SaveError::Stale { current, bytes }) => Err(Refused::Stale { current, bytes }),
        Err(SaveError::Io(e)) => Err(Refused::Other(internal(&e))),
        Err(SaveError::Locked(state)) => Err(Refused::Other(locked(state))),
    }
}

/// The 409 of a change to a report its state keeps read-only.
pub(super) fn locked(state: &str) -> Response {
    error_why(StatusCode::CONFLICT, Reply::Locked, state)
}

/// The reported year of `bytes`, the unit's report (through the list's cache).
pub(super) fn year_of(app: &App, unit: &Unit, bytes: &[u8]) -> Option<i32> {
    app.summary(unit, &super::version_of(bytes), bytes.to_vec()).year
}

/// 409 when the unit's report, as it is now, is read-only (an upload into its folder).
pub(super) fn ensure_editable(app: &App, unit: &Unit) -> Result<(), Response> {
    let (bytes, _) = app.store.read(unit).map_err(|e| internal(&e))?;
    if let Some(y) = year_of(app, unit, &bytes)
        && let Some(f) = super::workflow::filing(app.store.db(), &unit.rel, y)
        && f.state.locked()
    {
        return Err(locked(f.state.zh()));
    }
    Ok(())
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
        let (name, report) = match &who {
            Who::Unit(rel) => match app.store.unit_by_rel(rel) {
                Some(u) => (u.rel, u.path),
                None => return Err(not_found()),
            },
            Who::Office(_) => ("check.yaml".to_string(), app.store.root().join("check.yaml")),
        };
        let loaded = app.check(&name, body.to_vec(), &report);
        if let Some(refused) = super::limits::too_complex(&loaded) {
            return Err(refused);
        }
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
        "yaml" => Ok(None),
        ext => OutputKind::ALL
            .into_iter()
            .find(|k| k.ext() == ext)
            .map(Some)
            .ok_or_else(|| error(StatusCode::BAD_REQUEST, Reply::BadFormat)),
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
    let options = crate::CheckOptions::for_render();
    let loaded = app.check_with(&unit.rel, bytes, &unit.path, &options);
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
    match app.engine.render(&loaded, &[kind]) {
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
    kind.map_or("application/yaml; charset=utf-8", OutputKind::mime)
}

/// A download: the bytes with their type, named `name` (`.ext` added): `filename*` (RFC 5987,
/// UTF-8) for browsers, and an ASCII `filename` from `fallback` for the rest.
pub(super) fn download(
    bytes: Vec<u8>,
    kind: Option<OutputKind>,
    name: &str,
    fallback: &str,
) -> Response {
    let ext = kind.map_or("yaml", OutputKind::ext);
    let ascii: String = fallback
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect();
    let name: String =
        name.chars().filter(|c| !c.is_control() && !"/\\:*?\"<>|".contains(*c)).take(120).collect();
    let name = if name.trim().is_empty() { ascii.clone() } else { name };
    let full = format!("{name}.{ext}");
    let encoded = percent_encoding::utf8_percent_encode(&full, RFC5987);
    let disposition = format!("attachment; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{encoded}");
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

/// What RFC 5987's `attr-char` leaves unencoded: letters, digits and `!#$&+-.^_`|~`.
const RFC5987: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// A report's download name: `某某镇2025年度政府信息公开工作年度报告` (the unit's id when the
/// report names no unit).
pub(super) fn report_title(unit: &str, year: Option<i32>, id: &str) -> String {
    match (unit.trim(), year) {
        ("", _) => id.replace('~', "-"),
        (unit, Some(year)) => format!("{unit}{year}年度政府信息公开工作年度报告"),
        (unit, None) => format!("{unit}政府信息公开工作年度报告"),
    }
}

pub(super) async fn render(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Query(q): Query<RenderQuery>,
    caller: Caller,
) -> Answer {
    let kind = kind_of(q.format.as_deref())?;
    // The YAML is a read; only a document render waits for (or is refused) a heavy turn.
    let permit = match kind {
        Some(_) => Some(app.heavy.enter().await?),
        None => None,
    };
    let (bytes, title) = app
        .on_unit(caller.who.clone(), id.clone(), move |app, _, unit| {
            let _permit = permit;
            let (bytes, version) = app.store.read(&unit).map_err(|e| internal(&e))?;
            let s = app.summary(&unit, &version, bytes.clone());
            let title = report_title(&s.unit, s.year, &unit.id);
            let out = match kind {
                Some(kind) => render_report(app, &unit, bytes, kind)?,
                None => bytes,
            };
            Ok((out, title))
        })
        .await?;
    caller.audit(&app, "download", &id, q.format.as_deref().unwrap_or("pdf"));
    Ok(download(bytes, kind, &title, &id))
}

/// `?name=`, `?kind=` and `?replace=` of the upload route.
#[derive(Debug, serde::Deserialize)]
pub(super) struct UploadQuery {
    /// The file's name as the clerk's computer had it (`公章.png`), percent-encoded UTF-8; or
    /// in `Content-Disposition: attachment; filename*=UTF-8''…` (RFC 5987).
    name: Option<String>,
    /// `seal` or `figure` (the default): each has its own folder, so one never replaces the
    /// other.
    kind: Option<String>,
    /// Replace a file of that name and kind (else a free name is given: `公章-2.png`).
    replace: Option<bool>,
}

fn bad_name() -> Response {
    error(StatusCode::BAD_REQUEST, Reply::BadName)
}

/// The name an upload is kept under: the clerk's file name, any script, without folders,
/// hidden names, control or reserved characters, with an image extension; `None` refuses it.
fn upload_name(name: &str) -> Option<String> {
    let name = name.trim();
    let ext = std::path::Path::new(name).extension().and_then(|e| e.to_str())?;
    let image = ["png", "jpg", "jpeg"].contains(&ext.to_ascii_lowercase().as_str());
    let reserved = |c: char| c.is_control() || "/\\:*?\"<>|".contains(c);
    let stem_len = name.chars().count() - ext.chars().count() - 1;
    if !image || stem_len == 0 || name.chars().count() > 100 || name.starts_with('.') {
        return None;
    }
    if name.chars().any(reserved) || name.contains(crate::io::TEMP_PREFIX) {
        return None;
    }
    Some(name.to_string())
}

/// `filename*=UTF-8''…` (or a plain `filename="…"`) of a `Content-Disposition` header.
fn disposition_name(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_DISPOSITION)?.to_str().ok()?;
    let params = v.split(';').map(str::trim);
    let mut plain = None;
    for p in params {
        if let Some(ext) = p.strip_prefix("filename*=") {
            let (charset, rest) = ext.split_once('\'')?;
            let (_, value) = rest.split_once('\'')?;
            if !charset.eq_ignore_ascii_case("utf-8") {
                return None;
            }
            return percent_encoding::percent_decode_str(value).decode_utf8().ok().map(Into::into);
        }
        if let Some(name) = p.strip_prefix("filename=") {
            plain = Some(name.trim_matches('"').to_string());
        }
    }
    plain
}

/// A folder inside the unit's own: made if missing, refused if something else (a link) is
/// there.
fn own_folder(path: &std::path::Path) -> Result<(), Response> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(bad_name()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir(path).map_err(|e| internal(&e.to_string()))
        }
        Err(e) => Err(internal(&e.to_string())),
    }
}

/// The body into a temporary file in `dir` as it arrives, at most `cap` bytes (413 past it):
/// a burst of large uploads holds disk, not memory.
async fn stream_to_disk(
    body: axum::body::Body,
    dir: &std::path::Path,
    cap: u64,
) -> Result<tempfile::NamedTempFile, Response> {
    use http_body_util::BodyExt;
    use std::io::Write;
    let too_large = || error(StatusCode::PAYLOAD_TOO_LARGE, Reply::UploadTooLarge);
    let mut tmp = tempfile::Builder::new()
        .prefix(crate::io::TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| internal(&e.to_string()))?;
    let mut body = body;
    let mut written = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            // A body over the route's limit, or a broken connection.
            if std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            {
                too_large()
            } else {
                error(StatusCode::BAD_REQUEST, Reply::UploadBroken)
            }
        })?;
        let Ok(chunk) = frame.into_data() else { continue };
        written += chunk.len() as u64;
        if written > cap {
            return Err(too_large());
        }
        tmp.write_all(&chunk).map_err(|e| internal(&e.to_string()))?;
    }
    Ok(tmp)
}

pub(super) async fn upload(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Query(q): Query<UploadQuery>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Answer {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits::IMAGE) {
        return Err(error(StatusCode::PAYLOAD_TOO_LARGE, Reply::UploadTooLarge));
    }
    let name = q.name.clone().or_else(|| disposition_name(&headers)).unwrap_or_default();
    let folder = match q.kind.as_deref().unwrap_or("figure") {
        "seal" => "seal",
        "figure" => "figures",
        _ => return Err(bad_name()),
    };
    // The unit (404 for one the caller may not see) and its folder, before any byte is read.
    let (unit, dir) = app
        .on_unit(caller.who.clone(), id.clone(), move |app, _, unit| {
            let name = upload_name(&name).ok_or_else(bad_name)?;
            ensure_editable(app, &unit)?;
            let files = unit.files_dir();
            own_folder(&files)?;
            let dir = files.join(folder);
            own_folder(&dir)?;
            Ok((unit, (dir, name)))
        })
        .await?;
    let (dir, name) = dir;
    let tmp = stream_to_disk(body, &dir, limits::IMAGE).await?;
    let replace = q.replace.unwrap_or(false);
    let v = blocking(app.work.clone(), move || {
        let bytes = crate::io::read_capped(tmp.path(), limits::IMAGE)
            .map_err(|e| internal(&e.message().1))?;
        let image = crate::resolve::ImageData::from_bytes(bytes)
            .map_err(|e| error_why(StatusCode::UNPROCESSABLE_ENTITY, Reply::BadImage, &e))?;
        let kept = keep_upload(tmp, &dir, &name, replace)?;
        // As the report names it: from the report's folder.
        let named = format!("{}/{folder}/{kept}", unit.files_name());
        Ok::<_, Response>(json!({
            "name": named, "file": kept, "bytes": image.bytes.len(),
            "width": image.width_px, "height": image.height_px,
        }))
    })
    .await??;
    caller.audit(&app, "upload", &id, v["name"].as_str().unwrap_or(""));
    Ok((StatusCode::CREATED, axum::Json(v)).into_response())
}

/// The upload into `dir` as `name`, or (a file of that name there, and no `replace`) as the
/// first free `stem-2.ext`, `stem-3.ext`, …; returns the name it got.
fn keep_upload(
    tmp: tempfile::NamedTempFile,
    dir: &std::path::Path,
    name: &str,
    replace: bool,
) -> Result<String, Response> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    let target = dir.join(name);
    if replace {
        if std::fs::symlink_metadata(&target).is_ok_and(|m| !m.is_file()) {
            return Err(bad_name());
        }
        tmp.persist(&target).map_err(|e| internal(&e.error.to_string()))?;
        return Ok(name.to_string());
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let mut tmp = tmp;
    for n in 1..=1000 {
        let candidate = if n == 1 { name.to_string() } else { format!("{stem}-{n}.{ext}") };
        match tmp.persist_noclobber(dir.join(&candidate)) {
            Ok(_) => return Ok(candidate),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => return Err(internal(&e.error.to_string())),
        }
    }
    Err(error(StatusCode::CONFLICT, Reply::NoFreeName))
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
