//! `nianbao serve`: a small web server a county office runs for all its units (issue #18), on
//! the engine, with the unit YAML files as the store `batch` reads.
//!
//! The browser form is `/` (a login link `/?token=TOKEN` opens a session; see `session`), its
//! page, script and styles are embedded in the binary (`form`). The JSON API takes
//! `Authorization: Bearer TOKEN` or the session cookie plus `X-CSRF-Token`:
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the form's page; `/?token=TOKEN` opens a session and sends the browser on to `/` |
//! | `GET /form.js`, `GET /form.css`, `GET /modules/{name}` | the page's script, styles and script modules (embedded) |
//! | `GET /api/session` | who the caller is (`office` or `unit`), and a session's CSRF token |
//! | `POST /api/logout` | ends the browser session |
//! | `GET /api/format` | the official tables' grids and the sections, for the form |
//! | `GET /api/reports?offset=&limit=` | the reports the caller may see: id, file, unit, year, status, version (the total in `X-Total-Count`) |
//! | `GET /api/reports/{id}` | YAML, version (also the `ETag`), status, diagnostics |
//! | `PUT /api/reports/{id}` | `If-Match: VERSION`, the YAML as body → new version and diagnostics; 409 stale, 428 without `If-Match`, 413 too large |
//! | `GET /api/reports/{id}/form` | the report as the form edits it, with version, status and diagnostics |
//! | `POST /api/reports/{id}/form/check` | the form's report checked: diagnostics (with the cells they belong to) |
//! | `PUT /api/reports/{id}/form` | the form's report saved (`If-Match` as above; a 409 carries the newer version as a form) |
//! | `POST /api/reports/{id}/form/preview` | the form's report (not saved) as PDF |
//! | `GET /api/reports/{id}/history` | every saved version with who and when |
//! | `GET /api/reports/{id}/history/{version}` | that version's YAML (restoring it is a `PUT` of it) |
//! | `GET /api/reports/{id}/history/{version}/form` | that version as a form |
//! | `POST /api/reports/{id}/files?kind=seal\|figure&name=公章.png` | a seal or figure (PNG/JPEG within the size and pixel limits) into the unit's own folder (`a.files/seal/`, `a.files/figures/`), under its own name or the next free one (`replace=true` replaces) → 201 with the name the report uses; 400 for a bad name, 422 for a bad image, 413 above 20 MiB |
//! | `POST /api/check` | YAML in, the JSON of `nianbao check --diagnostics json` out |
//! | `GET /api/reports/{id}/render?format=pdf\|docx\|html\|yaml` | the bytes; 422 with diagnostics when the report has errors |
//! | `POST /api/units` | office: a new unit's report (`nianbao init`'s skeleton) and its login link |
//! | `POST /api/batch` | office: `nianbao batch` of every unit into `DIR/.nianbao/batch/` |
//! | `GET /api/batch/outputs.zip` | office: what the last batch wrote, zipped |
//! | `GET /api/summary?format=pdf\|csv\|json&year=&office=` | office: the 汇总表 of the scope's 已通过审核/已发布 reports of the year, titled for `office` (required); `json`: the units summed and every unit left out with why |
//! | `GET /api/audit` | office: the audit of every unit |
//! | `GET /api/reports/{id}/filing` | the workflow's state of the report's year, its comment, the deadline, every step, every publication (`workflow`) |
//! | `POST /api/reports/{id}/submit` | 提交 (422 with errors; 409 from a state it does not leave) |
//! | `POST /api/reports/{id}/approve`, `POST /api/reports/{id}/return`, `POST /api/reports/{id}/publish`, `POST /api/reports/{id}/withdraw` | office: 通过审核, 退回 (body `{comment}`, required), 发布 (the files written once), 撤回发布 (body `{comment}`: the reason, required); 403 for a unit, 409 from a wrong state |
//! | `GET /api/reports/{id}/published/{seq}/{name}` | a publication's file (`report.pdf`, `report.docx`, `report.html`, `fragment.html`, `report.yaml`), checked against its recorded SHA-256 |
//! | `GET /api/dashboard?year=&state=&folder=&late=1&sort=&offset=&limit=` | office: counts per state and a page of the scope's units (state, check, last save, days to the deadline) |
//! | `GET /api/reminders?year=&folder=&format=csv\|text\|json` | office: the 催报 list (CSV with a BOM, or a notice's text) |
//! | `GET /api/deadline?year=`, `PUT /api/deadline` | the deadline of a year's reports (default 1 月 31 日 of the next year; set by the office; the `PUT` body `{year, deadline}`) |
//! | `GET /api/log?format=json\|csv` | office: the audit log, newest first (never deleted by the server) |
//! | `POST /api/tokens` | office: an office token limited to a folder of its own scope (body `{folder}`) |
//! | `PUT /api/tokens/{id}` | office: a new login link for a unit (its old token and sessions revoked) |
//! | `GET /sso`, `GET /sso/login`, `GET /sso/callback` | single sign-on (feature `sso`, when configured): whether it is on; to the provider; the provider's answer → a session |
//!
//! An office token may be limited to a folder (`Who::Office(scope)`): it sees, lists, sums and
//! reviews only the units under it, as a unit token sees only its own unit.
//!
//! 401 for a missing or wrong token (after a delay that grows with repeated failures), 404 for
//! a unit the caller may not see (a unit token cannot tell another unit's report from none),
//! 403 for an office action by a unit or a session's change without its CSRF token.
//!
//! Every refusal is JSON `{error, message}` with the message Chinese first; 503 with
//! `Retry-After` when heavy work (renders, previews, office actions) is beyond its limit; 422
//! for a YAML beyond the parser's limits. The connection, header, body and work limits are in
//! `limits` ([`Limits`]) and `docs/security.md`.

#![allow(
    clippy::result_large_err,
    reason = "the handlers' errors are axum `Response`s, made once per failed request"
)]

mod api;
mod auth;
mod dashboard;
mod db;
mod filing_api;
mod form;
mod form_api;
mod limits;
mod office;
mod session;
#[cfg(feature = "sso")]
mod sso;
mod store;
mod workflow;

pub use auth::{
    DESKTOP_TOKEN_FILE, Issued, Who, authenticate, issue_office_token, issue_tokens,
    issue_unit_token, scope_of,
};
pub use db::{DB_FILE, Db};
pub use form::{FormError, form_of, grids_json, yaml_of};
pub use limits::Limits;
pub use session::{BAD_TOKEN_DELAY, COOKIE, CSRF_HEADER, SESSIONS_PER_CALLER};
#[cfg(feature = "sso")]
pub use sso::SsoConfig;
pub use store::{
    HISTORY_KEEP_NEWEST, HISTORY_MAX_BYTES, HISTORY_MAX_ENTRIES, HistoryEntry, STATE_DIR,
    SaveError, Store, Unit, version_of,
};
pub use workflow::{PUBLISHED_DIR, State};

use crate::diag::{Code, Reply, Severity, render_json};
use crate::io::limits as io_limits;
use crate::world::FsResources;
use crate::{CheckOptions, Engine, EngineOptions, Loaded, Source};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The server's shared state.
pub struct App {
    store: Store,
    /// The one engine: every check and every kind of output.
    engine: Engine,
    sessions: session::Sessions,
    /// Status of each unit at a version (for the list).
    summaries: Mutex<HashMap<String, (String, Summary)>>,
    /// Heavy work at once (renders, previews and office actions; one per core by default),
    /// with a bounded queue: a burst beyond it is answered 503 with `Retry-After` instead of
    /// each taking a blocking thread and a document's memory.
    heavy: limits::Heavy,
    /// The version of each unit's file as last read, by its size and modification time: the
    /// list reads only the files that changed.
    seen: Mutex<HashMap<String, (u64, std::time::SystemTime, String)>>,
    /// Blocking work at once (two per core): a burst of checks queues here rather than each
    /// taking a thread of tokio's blocking pool (and its allocator heap).
    work: Arc<tokio::sync::Semaphore>,
    /// One office action (batch, 汇总表, audit) at a time.
    office: Arc<tokio::sync::Mutex<()>>,
    /// The engine of the portal's HTML fragment (a publication's), made when first needed.
    fragment: std::sync::OnceLock<Engine>,
    /// The key a publication's PDF is signed with, when one is configured.
    publish_key: Option<PublishKey>,
    /// Single sign-on, when configured.
    #[cfg(feature = "sso")]
    sso: Option<Arc<sso::Sso>>,
    /// The desktop mode's login link opens one session only: its token's hash, and whether
    /// the link was used (`GET /?token=` with it again is refused; see [`start_desktop`]).
    once: Mutex<Option<([u8; 32], bool)>>,
}

/// What a server is started with besides its folder and address.
#[derive(Debug, Default)]
pub struct ServeOptions {
    /// The connection, body and work limits.
    pub limits: Limits,
    /// The key publications are signed with.
    pub publish_key: Option<PublishKey>,
    /// Single sign-on (OIDC).
    #[cfg(feature = "sso")]
    pub sso: Option<SsoConfig>,
}

/// The key (PKCS#12) a publication's PDF is signed with (`nianbao serve --sign KEY.p12`): kept
/// in memory, each publication signed at its own time.
#[derive(Clone)]
pub struct PublishKey {
    /// The PKCS#12 file's bytes.
    pub p12: Vec<u8>,
    /// Its password.
    pub password: String,
    /// `/Reason` and `/Location`.
    #[cfg(feature = "sign")]
    pub info: crate::sign::SignInfo,
}

impl std::fmt::Debug for PublishKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublishKey").finish_non_exhaustive()
    }
}

impl PublishKey {
    /// The engine that renders (and signs) a publication's PDF now.
    #[cfg(feature = "sign")]
    fn engine(&self) -> Result<Engine, String> {
        let now = db::now() as i64;
        let signing = crate::sign::Signing::new(&self.p12, &self.password, now, self.info.clone())?;
        Ok(Engine::new(EngineOptions::default())?.with_signing(signing))
    }

    /// Without the `sign` feature a key cannot be used.
    #[cfg(not(feature = "sign"))]
    fn engine(&self) -> Result<Engine, String> {
        Err("this build has no signing (the `sign` feature)".into())
    }

    /// Whether the key opens with its password and its certificate is valid now.
    pub fn check(&self) -> Result<(), String> {
        self.engine().map(|_| ())
    }
}

#[derive(Debug, Clone)]
struct Summary {
    unit: String,
    year: Option<i32>,
    errors: usize,
    warnings: usize,
    /// Placeholder text or an empty section is still there (W-P5, W-P6).
    draft: bool,
}

impl App {
    /// The state for serving `store` within the default limits.
    pub fn new(store: Store) -> Result<App, String> {
        App::with_limits(store, &Limits::default())
    }

    /// The state for serving `store` within `limits`.
    pub fn with_limits(store: Store, limits: &Limits) -> Result<App, String> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(App {
            sessions: session::Sessions::new(store.db_arc()),
            store,
            engine: Engine::new(EngineOptions::default())?,
            summaries: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashMap::new()),
            heavy: limits::Heavy::new(limits),
            work: Arc::new(tokio::sync::Semaphore::new(2 * cores)),
            office: Arc::new(tokio::sync::Mutex::new(())),
            fragment: std::sync::OnceLock::new(),
            publish_key: None,
            #[cfg(feature = "sso")]
            sso: None,
            once: Mutex::new(None),
        })
    }

    /// The engine that renders the portal's HTML fragment (the article alone).
    fn fragment_engine(&self) -> Result<&Engine, String> {
        if let Some(e) = self.fragment.get() {
            return Ok(e);
        }
        let mut options = EngineOptions::default();
        options.html.fragment = true;
        let engine = Engine::new(options)?;
        Ok(self.fragment.get_or_init(|| engine))
    }

    /// Checks as `nianbao check` does (without a previous year). The files the report names
    /// are read from the folder of the report file at `report`, confined to it (and to its own
    /// `*.files`).
    fn check(&self, name: &str, bytes: Vec<u8>, report: &std::path::Path) -> Loaded {
        self.check_with(name, bytes, report, &CheckOptions::default())
    }

    /// Checks with `options` (a render follows, the office audits units together).
    fn check_with(
        &self,
        name: &str,
        bytes: Vec<u8>,
        report: &std::path::Path,
        options: &CheckOptions,
    ) -> Loaded {
        let resources = FsResources::for_report(report, true);
        self.engine.check(Source::new(name, bytes), &resources, options)
    }

    fn summary(&self, unit: &Unit, version: &str, bytes: Vec<u8>) -> Summary {
        if let Some((v, s)) = self.summaries.lock().unwrap_or_else(|e| e.into_inner()).get(&unit.id)
            && v == version
        {
            return s.clone();
        }
        let loaded = self.check(&unit.rel, bytes, &unit.path);
        let s = summarize(&loaded);
        self.summaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(unit.id.clone(), (version.to_string(), s.clone()));
        s
    }

    /// The unit's version and status for the list: from the cache while the file's size and
    /// modification time are those it was read at, else read and checked again.
    fn listed(&self, unit: &Unit) -> Option<(String, Summary)> {
        let meta = std::fs::metadata(&unit.path).ok()?;
        let stamp = (meta.len(), meta.modified().ok()?);
        let cached = {
            let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            seen.get(&unit.id).filter(|(n, t, _)| (*n, *t) == stamp).map(|(_, _, v)| v.clone())
        };
        if let Some(version) = cached {
            let summaries = self.summaries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((v, s)) = summaries.get(&unit.id)
                && *v == version
            {
                return Some((version, s.clone()));
            }
        }
        let (bytes, version) = self.store.read(unit).ok()?;
        let s = self.summary(unit, &version, bytes);
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(unit.id.clone(), (stamp.0, stamp.1, version.clone()));
        Some((version, s))
    }

    /// Runs `f` on a blocking thread (within the work limit) with the unit `id`, if `who` may
    /// see it (404 otherwise, whether or not it exists).
    async fn on_unit<T: Send + 'static>(
        self: &Arc<Self>,
        who: Who,
        id: String,
        f: impl FnOnce(&App, &Who, Unit) -> Result<T, Response> + Send + 'static,
    ) -> Result<T, Response> {
        let app = self.clone();
        blocking(self.work.clone(), move || {
            let unit = visible(&app, &who, &id)?;
            f(&app, &who, unit)
        })
        .await?
    }
}

fn summarize(loaded: &Loaded) -> Summary {
    Summary {
        unit: loaded.report.as_ref().map(|r| r.unit.text.clone()).unwrap_or_default(),
        year: loaded.report.as_ref().map(|r| r.year.0),
        errors: loaded.diags.iter().filter(|d| d.is_error()).count(),
        warnings: loaded.diags.iter().filter(|d| d.severity == Severity::Warning).count(),
        draft: loaded
            .diags
            .iter()
            .any(|d| matches!(d.code, Code::Placeholder | Code::EmptySection)),
    }
}

/// The automatic check's verdict: 有错误 (any error), 草稿 (no error, but placeholder text or
/// an empty section left), 校验通过 (the check passed; not the office's review, which is the
/// workflow's 已通过审核).
fn status_of(s: &Summary) -> (&'static str, &'static str) {
    if s.errors > 0 {
        ("errors", "有错误")
    } else if s.draft {
        ("draft", "草稿")
    } else {
        ("passed", "校验通过")
    }
}

fn diagnostics(loaded: &Loaded) -> Vec<Value> {
    loaded.diags.iter().map(|d| render_json(d, &loaded.file)).collect()
}

/// The router of the form and the API, with the default limits.
pub fn router(app: Arc<App>) -> Router {
    router_within(app, &Limits::default())
}

/// The router of the form and the API: every body capped (2 MiB, an upload 20 MiB) and
/// failing when the client pauses too long, every refusal JSON with a Chinese-first message.
fn router_within(app: Arc<App>, limits: &Limits) -> Router {
    let router = Router::new();
    #[cfg(feature = "sso")]
    let router = router
        .route("/sso", get(sso::status))
        .route("/sso/login", get(sso::login))
        .route("/sso/callback", get(sso::callback));
    router
        .route("/", get(session::index))
        .route("/form.js", get(form_api::script))
        .route("/modules/{name}", get(form_api::module))
        .route("/form.css", get(form_api::styles))
        .route("/api/session", get(session::whoami))
        .route("/api/logout", post(session::logout))
        .route("/api/format", get(form_api::format))
        .route("/api/reports", get(api::list))
        .route("/api/reports/{id}", get(api::get_report).put(api::put_report))
        .route("/api/reports/{id}/form", get(form_api::get_form).put(form_api::put_form))
        .route("/api/reports/{id}/form/check", post(form_api::check_form))
        .route("/api/reports/{id}/form/preview", post(form_api::preview))
        .route("/api/reports/{id}/history", get(api::history))
        .route("/api/reports/{id}/history/{version}", get(api::old_version))
        .route("/api/reports/{id}/history/{version}/form", get(form_api::old_form))
        .route("/api/reports/{id}/render", get(api::render))
        .route(
            "/api/reports/{id}/files",
            post(api::upload).layer(DefaultBodyLimit::max(io_limits::IMAGE as usize)),
        )
        .route("/api/check", post(api::check))
        .route("/api/units", post(office::create_unit))
        .route("/api/batch", post(office::batch))
        .route("/api/batch/outputs.zip", get(office::batch_zip))
        .route("/api/summary", get(office::summary))
        .route("/api/audit", get(office::audit))
        .route("/api/tokens/{id}", put(office::reissue))
        .route("/api/tokens", post(office::office_token))
        .route("/api/reports/{id}/filing", get(filing_api::get_filing))
        .route("/api/reports/{id}/submit", post(filing_api::submit))
        .route("/api/reports/{id}/approve", post(filing_api::approve))
        .route("/api/reports/{id}/return", post(filing_api::send_back))
        .route("/api/reports/{id}/publish", post(filing_api::publish))
        .route("/api/reports/{id}/withdraw", post(filing_api::withdraw))
        .route("/api/reports/{id}/published/{seq}/{name}", get(filing_api::published_file))
        .route("/api/dashboard", get(dashboard::dashboard))
        .route("/api/reminders", get(dashboard::reminders))
        .route("/api/deadline", get(dashboard::get_deadline).put(dashboard::put_deadline))
        .route("/api/log", get(dashboard::log))
        .layer(DefaultBodyLimit::max(io_limits::REPORT as usize))
        .layer(axum::middleware::from_fn_with_state(
            limits.body_idle_timeout,
            limits::body_deadline,
        ))
        .layer(axum::middleware::map_response(limits::json_refusals))
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

/// The lock file of the one server of a folder, under `DIR/.nianbao/`.
pub const SERVE_LOCK: &str = "serve.lock";

/// Takes the folder's server lock (a file lock, so a killed server's is free again at once) and
/// writes this process's id into it; a folder another server holds is refused, naming it.
fn lock_folder(store: &Store) -> Result<std::fs::File, String> {
    use std::io::{Read, Seek, Write};
    let path = store.state_dir().join(SERVE_LOCK);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let holder = if holder.is_empty() { "?" } else { holder };
            return Err(format!(
                "另一个 nianbao serve（进程 {holder}）正在服务此文件夹，同一文件夹只能有一个服务；\
                 请先停止它 (another nianbao serve, process {holder}, is serving {}: one server \
                 per folder; stop it first)",
                store.root().display()
            ));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(format!("{}: {e}", path.display())),
    }
    file.set_len(0).and_then(|()| file.rewind()).map_err(|e| e.to_string())?;
    writeln!(file, "{}", std::process::id()).map_err(|e| e.to_string())?;
    Ok(file)
}

/// Binds `listen` (port 0 picks one) and serves `dir` on a background thread, within the
/// default limits. A folder another server serves is refused.
pub fn start(dir: &std::path::Path, listen: &str) -> Result<Running, String> {
    start_within(dir, listen, Limits::default())
}

/// [`start`] within `limits`.
pub fn start_within(
    dir: &std::path::Path,
    listen: &str,
    limits: Limits,
) -> Result<Running, String> {
    start_with(dir, listen, ServeOptions { limits, ..ServeOptions::default() })
}

/// [`start_within`] with a key that signs every publication's PDF and single sign-on, as
/// `options` say; a key that does not open or a wrong single sign-on stops the start.
pub fn start_with(
    dir: &std::path::Path,
    listen: &str,
    options: ServeOptions,
) -> Result<Running, String> {
    let limits = options.limits;
    if let Some(key) = &options.publish_key {
        key.check()?;
    }
    #[cfg(feature = "sso")]
    let sso = options.sso.map(sso::Sso::new).transpose()?.map(Arc::new);
    let store = Store::new(dir)?;
    let held = lock_folder(&store)?;
    let mut app = App::with_limits(store, &limits)?;
    app.publish_key = options.publish_key;
    #[cfg(feature = "sso")]
    {
        app.sso = sso;
    }
    serve_app(app, held, listen, limits)
}

/// The desktop mode (`nianbao serve --open`, or the program started with no arguments): serves
/// `dir` on `listen` (loopback) and returns the one-time login link for the person at the
/// machine. The link carries a new office token (the one of the last desktop start is revoked;
/// tokens handed to units stay valid) and opens one browser session only: used again, it is
/// refused like a wrong token.
pub fn start_desktop(dir: &std::path::Path, listen: &str) -> Result<(Running, String), String> {
    let addr: SocketAddr =
        listen.parse().map_err(|e| format!("地址无效 (not an address): {listen}: {e}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "桌面模式只在本机提供服务，请用 127.0.0.1 (the desktop mode serves this machine only, \
             not {listen})"
        ));
    }
    let store = Store::new(dir)?;
    let held = lock_folder(&store)?;
    let token = auth::issue_desktop_token(&store)?;
    let app = App::with_limits(store, &Limits::default())?;
    *app.once.lock().unwrap_or_else(|p| p.into_inner()) = Some((auth::hash(&token), false));
    let running = serve_app(app, held, listen, Limits::default())?;
    let link = format!("http://{}/?token={token}", running.addr);
    Ok((running, link))
}

/// Binds `listen` and serves `app` on a background thread, holding the folder's lock.
fn serve_app(
    app: App,
    held: std::fs::File,
    listen: &str,
    limits: Limits,
) -> Result<Running, String> {
    app.store.watch();
    let app = Arc::new(app);
    // Every unit checked once in the background: the office's first dashboard of a thousand
    // units reads the cache instead of checking them all in its request.
    let warm = app.clone();
    let _ = std::thread::Builder::new().name("serve-warm".into()).spawn(move || {
        for unit in warm.store.units() {
            let _ = warm.listed(&unit);
        }
    });
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
        // The folder stays this server's for as long as it serves.
        let _held = held;
        runtime.block_on(async move {
            let listener =
                tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
            let router = router_within(app, &limits);
            limits::serve(listener, router, limits).await
        })
    });
    Ok(Running { addr, thread })
}

/// The warning `nianbao serve` prints when it listens beyond this machine: tokens and
/// session cookies travel in the clear unless a TLS proxy is in front (docs/reference.md, "Serve").
pub fn exposure_warning(addr: SocketAddr) -> Option<String> {
    if addr.ip().is_loopback() {
        return None;
    }
    Some(format!(
        "警告：正在 {addr} 上对本机以外提供服务。登录令牌和会话 Cookie 以明文传输，必须在前面放一个          HTTPS（TLS）反向代理（nginx 或 Caddy，见 docs/reference.md 的“Serve”一节），并只让代理访问本端口。\n\
         warning: serving on {addr}, beyond this machine. Login tokens and session cookies travel          in the clear: put an HTTPS (TLS) reverse proxy in front (nginx or Caddy, see docs/reference.md,          \"Serve\") and let only the proxy reach this port."
    ))
}

/// An error answer: the reply's stable `error` string and its wording from the catalogue.
fn error(status: StatusCode, reply: Reply) -> Response {
    error_why(status, reply, "")
}

/// [`error`] with the reason filled into the reply's `{why}`.
fn error_why(status: StatusCode, reply: Reply, why: &str) -> Response {
    (status, axum::Json(reply_json(reply, why, Value::Null))).into_response()
}

/// A reply's JSON body: `error`, `message`, and the fields of `extra` (an object).
fn reply_json(reply: Reply, why: &str, extra: Value) -> Value {
    let mut v = json!({"error": reply.code(), "message": reply.text(&[("why", &why)])});
    if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), extra) {
        obj.extend(extra);
    }
    v
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, Reply::NotFound)
}

fn internal(why: &str) -> Response {
    // The reason goes to the server's log, not to the caller (it may name paths).
    eprintln!("serve: {why}");
    error(StatusCode::INTERNAL_SERVER_ERROR, Reply::Internal)
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
