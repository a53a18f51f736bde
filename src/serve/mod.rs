//! `nianbao serve`: a small web server a county office runs for all its units (issue #18), on
//! the engine, with the unit YAML files as the store `batch` reads.
//!
//! The JSON API (every route needs `Authorization: Bearer TOKEN`):
//!
//! | route | what |
//! |---|---|
//! | `GET /api/reports` | the reports the caller may see: id, file, unit, year, status, version |
//! | `GET /api/reports/{id}` | YAML, version (also the `ETag`), status, diagnostics |
//! | `PUT /api/reports/{id}` | `If-Match: VERSION`, the YAML as body → new version and diagnostics; 409 stale, 428 without `If-Match`, 413 too large |
//! | `GET /api/reports/{id}/history` | every saved version with who and when |
//! | `GET /api/reports/{id}/history/{version}` | that version's YAML (restoring it is a `PUT` of it) |
//! | `POST /api/reports/{id}/files?name=seal.png` | a seal or figure (PNG/JPEG within the size and pixel limits) into the unit's folder → 201; 400 for a name outside it, 422 for a bad image, 413 above 20 MiB |
//! | `POST /api/check` | YAML in, the JSON of `nianbao check --format json` out |
//! | `GET /api/reports/{id}/render?format=pdf\|docx\|html` | the bytes; 422 with diagnostics when the report has errors |
//!
//! 401 for a missing or wrong token (after a delay), 404 for a unit the caller may not see (a
//! unit token cannot tell another unit's report from none).

#![allow(
    clippy::result_large_err,
    reason = "the handlers' errors are axum `Response`s, made once per failed request"
)]

mod auth;
mod store;

pub use auth::{Issued, Who, authenticate, issue_tokens};
pub use store::{HistoryEntry, STATE_DIR, SaveError, Store, Unit, version_of};

use crate::diag::{Severity, has_errors, render_json};
use crate::io::limits;
use crate::world::FsResources;
use crate::{Engine, EngineOptions, Loaded, OutputKind, Source};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a request with a wrong token waits before its 401 (slows guessing).
pub const BAD_TOKEN_DELAY: Duration = Duration::from_millis(200);

/// The server's shared state.
pub struct App {
    store: Store,
    pdf: Engine,
    docx: Engine,
    html: Engine,
    /// One lock per unit id: saves of one report are serialized.
    locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Status of each unit at a version (for the list).
    summaries: Mutex<HashMap<String, (String, Summary)>>,
    /// Renders at once (one per core): a burst of previews queues here instead of taking a
    /// blocking thread (and a document's memory) each, and leaves cores for the checks.
    renders: Arc<tokio::sync::Semaphore>,
    /// Blocking work at once (two per core): a burst of checks queues here rather than each
    /// taking a thread of tokio's blocking pool (and its allocator heap).
    work: Arc<tokio::sync::Semaphore>,
}

#[derive(Debug, Clone)]
struct Summary {
    unit: String,
    year: Option<i32>,
    errors: usize,
    warnings: usize,
}

impl App {
    /// The state for serving `store`.
    pub fn new(store: Store) -> Result<App, String> {
        let engine =
            |kind| Engine::new(EngineOptions { outputs: vec![kind], ..Default::default() });
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(App {
            store,
            pdf: engine(OutputKind::Pdf)?,
            docx: engine(OutputKind::Docx)?,
            html: engine(OutputKind::Html)?,
            locks: Mutex::new(HashMap::new()),
            summaries: Mutex::new(HashMap::new()),
            renders: Arc::new(tokio::sync::Semaphore::new(cores)),
            work: Arc::new(tokio::sync::Semaphore::new(2 * cores)),
        })
    }

    fn lock_of(&self, id: &str) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(id.to_string()).or_default().clone()
    }

    /// Checks as `nianbao check` does: the engine's check, characters no font can draw, and
    /// the audit (without a previous year).
    fn check(&self, name: &str, bytes: Vec<u8>, unit_dir: &std::path::Path) -> Loaded {
        let resources = FsResources::confined(unit_dir);
        let mut loaded = self.pdf.check(Source::new(name, bytes), &resources);
        if !has_errors(&loaded.diags) {
            let glyphs = self
                .pdf
                .resolve(&loaded)
                .map(|(doc, _)| crate::layout::glyph_warnings(&doc, self.pdf.fonts()))
                .unwrap_or_default();
            loaded.diags.extend(glyphs);
        }
        crate::audit::audit_loaded(&mut loaded, None, &crate::audit::AuditOptions::default());
        loaded
    }

    fn summary(&self, unit: &Unit, version: &str, bytes: Vec<u8>) -> Summary {
        if let Some((v, s)) = self.summaries.lock().unwrap_or_else(|e| e.into_inner()).get(&unit.id)
            && v == version
        {
            return s.clone();
        }
        let loaded = self.check(&unit.rel, bytes, unit.dir());
        let s = summarize(&loaded);
        self.summaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(unit.id.clone(), (version.to_string(), s.clone()));
        s
    }
}

fn summarize(loaded: &Loaded) -> Summary {
    Summary {
        unit: loaded.report.as_ref().map(|r| r.unit.text.clone()).unwrap_or_default(),
        year: loaded.report.as_ref().map(|r| r.year.0),
        errors: loaded.diags.iter().filter(|d| d.is_error()).count(),
        warnings: loaded.diags.iter().filter(|d| d.severity == Severity::Warning).count(),
    }
}

fn status_of(errors: usize) -> (&'static str, &'static str) {
    if errors > 0 { ("errors", "有错误") } else { ("passed", "已通过") }
}

fn diagnostics(loaded: &Loaded) -> Vec<Value> {
    loaded.diags.iter().map(|d| render_json(d, &loaded.file)).collect()
}

/// The router of the API.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/api/reports", get(list))
        .route("/api/reports/{id}", get(get_report).put(put_report))
        .route("/api/reports/{id}/history", get(history))
        .route("/api/reports/{id}/history/{version}", get(old_version))
        .route("/api/reports/{id}/render", get(render))
        .route(
            "/api/reports/{id}/files",
            post(upload).layer(DefaultBodyLimit::max(limits::IMAGE as usize)),
        )
        .route("/api/check", post(check))
        .layer(DefaultBodyLimit::max(limits::REPORT as usize))
        .with_state(app)
}

/// A server running on its own threads.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    thread: std::thread::JoinHandle<Result<(), String>>,
}

impl Running {
    /// Waits until the server stops (it does not, unless it fails).
    pub fn join(self) -> Result<(), String> {
        self.thread.join().map_err(|_| "the server thread panicked".to_string())?
    }
}

/// Binds `listen` (port 0 picks one) and serves `dir` on a background thread.
pub fn start(dir: &std::path::Path, listen: &str) -> Result<Running, String> {
    let store = Store::new(dir)?;
    let app = Arc::new(App::new(store)?);
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let thread = std::thread::spawn(move || {
        runtime.block_on(async move {
            let listener =
                tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
            axum::serve(listener, router(app)).await.map_err(|e| e.to_string())
        })
    });
    Ok(Running { addr, thread })
}

fn error(status: StatusCode, code: &str, zh: &str, en: &str) -> Response {
    (status, axum::Json(json!({"error": code, "message": format!("{zh} ({en})")}))).into_response()
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not-found", "没有这份报告", "no such report")
}

fn internal(why: &str) -> Response {
    // The reason goes to the server's log, not to the caller (it may name paths).
    eprintln!("serve: {why}");
    error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误", "internal error")
}

async fn who(app: &App, headers: &HeaderMap) -> Result<Who, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(token) = token
        && let Some(who) = authenticate(&app.store, token)
    {
        return Ok(who);
    }
    tokio::time::sleep(BAD_TOKEN_DELAY).await;
    Err(error(StatusCode::UNAUTHORIZED, "unauthorized", "登录令牌无效", "missing or invalid token"))
}

/// The unit `id` if the caller may see it (404 otherwise, whether or not it exists).
fn visible(app: &App, who: &Who, id: &str) -> Result<Unit, Response> {
    match app.store.unit(id) {
        Some(u) if who.may_see(&u.rel) => Ok(u),
        _ => Err(not_found()),
    }
}

async fn blocking<T: Send + 'static>(
    work: Arc<tokio::sync::Semaphore>,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Response> {
    let permit = work.acquire_owned().await.map_err(|e| internal(&e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f()
    })
    .await
    .map_err(|e| internal(&e.to_string()))
}

fn etag(version: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"\""))
}

async fn list(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let who = match who(&app, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let result = blocking(app.work.clone(), move || {
        let mut out = Vec::new();
        for unit in app.store.units().into_iter().filter(|u| who.may_see(&u.rel)) {
            let Ok((bytes, version)) = app.store.read(&unit) else { continue };
            let s = app.summary(&unit, &version, bytes);
            let (status, status_zh) = status_of(s.errors);
            out.push(json!({
                "id": unit.id, "file": unit.rel, "unit": s.unit, "year": s.year,
                "status": status, "status_zh": status_zh, "errors": s.errors,
                "warnings": s.warnings, "version": version,
            }));
        }
        out
    })
    .await;
    match result {
        Ok(list) => axum::Json(Value::Array(list)).into_response(),
        Err(r) => r,
    }
}

async fn get_report(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let who = match who(&app, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let result = blocking(app.work.clone(), move || {
        let unit = visible(&app, &who, &id)?;
        let (bytes, version) = app.store.read(&unit).map_err(|e| internal(&e))?;
        let yaml = String::from_utf8_lossy(&bytes).into_owned();
        let loaded = app.check(&unit.rel, bytes, unit.dir());
        Ok::<_, Response>(report_json(&unit, &version, &loaded, Some(yaml)))
    })
    .await;
    match result {
        Ok(Ok((v, version))) => ([(header::ETAG, etag(&version))], axum::Json(v)).into_response(),
        Ok(Err(r)) | Err(r) => r,
    }
}

fn report_json(
    unit: &Unit,
    version: &str,
    loaded: &Loaded,
    yaml: Option<String>,
) -> (Value, String) {
    let s = summarize(loaded);
    let (status, status_zh) = status_of(s.errors);
    let mut v = json!({
        "id": unit.id, "file": unit.rel, "unit": s.unit, "year": s.year, "version": version,
        "status": status, "status_zh": status_zh, "diagnostics": diagnostics(loaded),
    });
    if let (Some(yaml), Some(obj)) = (yaml, v.as_object_mut()) {
        obj.insert("yaml".into(), yaml.into());
    }
    (v, version.to_string())
}

fn if_match(headers: &HeaderMap) -> Option<String> {
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
fn normalized(app: &App, loaded: &Loaded, body: &[u8], unit: &Unit) -> Vec<u8> {
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

async fn put_report(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let who = match who(&app, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(started) = if_match(&headers) else {
        let unit = blocking(app.work.clone(), {
            let app = app.clone();
            move || visible(&app, &who, &id).map(|_| ())
        })
        .await;
        if let Ok(Err(r)) | Err(r) = unit {
            return r;
        }
        return error(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "保存须带上所基于的版本（If-Match）",
            "a save must name the version it started from (If-Match)",
        );
    };
    let result = blocking(app.work.clone(), move || {
        let unit = visible(&app, &who, &id)?;
        let loaded = app.check(&unit.rel, body.to_vec(), unit.dir());
        let bytes = normalized(&app, &loaded, &body, &unit);
        let lock = app.lock_of(&unit.id);
        let held = lock.lock().unwrap_or_else(|e| e.into_inner());
        match app.store.save(&unit, &started, &bytes, &who.label(), now()) {
            Ok(version) => {
                drop(held);
                let loaded = if bytes[..] == body[..] { loaded } else { app.check(&unit.rel, bytes, unit.dir()) };
                Ok(report_json(&unit, &version, &loaded, None))
            }
            Err(SaveError::Stale { current, bytes }) => Err((
                StatusCode::CONFLICT,
                [(header::ETAG, etag(&current))],
                axum::Json(json!({
                    "error": "stale",
                    "message": "报告已被他人修改，请基于最新版本再保存 (the report changed since you opened it)",
                    "version": current,
                    "yaml": String::from_utf8_lossy(&bytes),
                })),
            )
                .into_response()),
            Err(SaveError::Io(e)) => Err(internal(&e)),
        }
    })
    .await;
    match result {
        Ok(Ok((v, version))) => ([(header::ETAG, etag(&version))], axum::Json(v)).into_response(),
        Ok(Err(r)) | Err(r) => r,
    }
}

async fn history(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let who = match who(&app, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let result = blocking(app.work.clone(), move || {
        let unit = visible(&app, &who, &id)?;
        Ok::<_, Response>(app.store.history(&unit))
    })
    .await;
    match result {
        Ok(Ok(h)) => axum::Json(h).into_response(),
        Ok(Err(r)) | Err(r) => r,
    }
}

async fn check(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let who = match who(&app, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let result = blocking(app.work.clone(), move || {
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
    .await;
    match result {
        Ok(Ok(v)) => axum::Json(v).into_response(),
        Ok(Err(r)) | Err(r) => r,
    }
}

/// `?format=` of the render route.
#[derive(Debug, serde::Deserialize)]
struct RenderQuery {
    format: Option<String>,
}

async fn render(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Query(q): Query<RenderQuery>,
    headers: HeaderMap,
) -> Response {
    let who = match who(&app, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let kind = match q.format.as_deref().unwrap_or("pdf") {
        "pdf" => OutputKind::Pdf,
        "docx" => OutputKind::Docx,
        "html" => OutputKind::Html,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad-format",
                "格式须为 pdf、docx 或 html",
                "format must be pdf, docx or html",
            );
        }
    };
    let Ok(permit) = app.renders.clone().acquire_owned().await else {
        return internal("the render queue is closed");
    };
    let result = blocking(app.work.clone(), move || {
        let _permit = permit;
        let unit = visible(&app, &who, &id)?;
        let (bytes, version) = app.store.read(&unit).map_err(|e| internal(&e))?;
        let loaded = app.check(&unit.rel, bytes, unit.dir());
        let unrenderable = |loaded: &Loaded, diags: Vec<Value>| {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({
                    "error": "has-errors",
                    "message": "报告有错误，不能生成 (the report has errors)",
                    "version": version, "diagnostics": diags,
                    "ok": !has_errors(&loaded.diags),
                })),
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
    })
    .await;
    let mime = match kind {
        OutputKind::Pdf => "application/pdf",
        OutputKind::Docx => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        OutputKind::Html => "text/html; charset=utf-8",
    };
    match result {
        Ok(Ok(bytes)) => ([(header::CONTENT_TYPE, mime)], bytes).into_response(),
        Ok(Err(r)) | Err(r) => r,
    }
}

/// `?name=` of the upload route.
#[derive(Debug, serde::Deserialize)]
struct UploadQuery {
    name: Option<String>,
}

fn bad_name() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "bad-name",
        "文件名须在本单位的文件夹内，且为 .png、.jpg 或 .jpeg",
        "the name must stay inside the unit's folder and end in .png, .jpg or .jpeg",
    )
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

async fn upload(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let who = match who(&app, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let result = blocking(app.work.clone(), move || {
        let unit = visible(&app, &who, &id)?;
        let name = q.name.unwrap_or_default();
        let target = upload_target(&unit, &name).ok_or_else(bad_name)?;
        let image = crate::resolve::ImageData::from_bytes(body.to_vec())
            .map_err(|e| error(StatusCode::UNPROCESSABLE_ENTITY, "bad-image", "图片不可用", &e))?;
        crate::io::write_atomic(&target, &image.bytes, true)
            .map_err(|e| internal(&e.to_string()))?;
        Ok::<_, Response>(json!({
            "name": name, "bytes": image.bytes.len(),
            "width": image.width_px, "height": image.height_px,
        }))
    })
    .await;
    match result {
        Ok(Ok(v)) => (StatusCode::CREATED, axum::Json(v)).into_response(),
        Ok(Err(r)) | Err(r) => r,
    }
}

async fn old_version(
    State(app): State<Arc<App>>,
    UrlPath((id, version)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let who = match who(&app, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let result = blocking(app.work.clone(), move || {
        let unit = visible(&app, &who, &id)?;
        app.store.version_bytes(&unit, &version).ok_or_else(not_found)
    })
    .await;
    match result {
        Ok(Ok(bytes)) => {
            ([(header::CONTENT_TYPE, "application/yaml; charset=utf-8")], bytes).into_response()
        }
        Ok(Err(r)) | Err(r) => r,
    }
}
