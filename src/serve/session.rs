//! Who a request is from: `Authorization: Bearer TOKEN` (scripts), or a browser session made
//! by opening a login link (`/?token=TOKEN`). A session is a random id in a cookie
//! (`HttpOnly; SameSite=Strict`) that the server maps to the hash of the token it logged in
//! with, so re-issuing the tokens ends it; every request of a session that changes something
//! carries the session's CSRF token in `X-CSRF-Token` (403 without it). Bearer requests need
//! none: a browser never adds that header on its own.
//!
//! A wrong token or session waits before its 401, longer for each failure from the same
//! address (200 ms doubling to 6.4 s, forgotten after ten quiet minutes).

use super::auth::{authenticate_hash, hash, random_token};
use super::{App, Who, error};
use crate::diag::Reply;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// How long a request with a wrong token waits before its 401, the first time (slows guessing).
pub const BAD_TOKEN_DELAY: Duration = Duration::from_millis(200);
/// The longest wait: the first delay doubled five times.
const MAX_DOUBLINGS: u32 = 5;
/// Failures older than this are forgotten.
const FAILURE_MEMORY: Duration = Duration::from_secs(600);
/// A session ends this long after its login.
const SESSION_LIFE: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most (the oldest goes first): logins cannot grow the map without end.
const MAX_SESSIONS: usize = 10_000;
/// The session cookie's name.
pub const COOKIE: &str = "nianbao_session";
/// The header that carries a session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

struct Session {
    token_hash: [u8; 32],
    csrf: String,
    started: Instant,
}

/// Browser sessions and the failed logins of each address.
#[derive(Default)]
pub struct Sessions {
    /// By the SHA-256 of the session id (the id itself is only in the cookie).
    live: Mutex<HashMap<[u8; 32], Session>>,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl Sessions {
    /// A new session for a token already checked; returns the cookie value.
    fn open(&self, token: &str) -> Result<String, String> {
        let id = random_token()?;
        let session =
            Session { token_hash: hash(token), csrf: random_token()?, started: Instant::now() };
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.retain(|_, s| s.started.elapsed() < SESSION_LIFE);
        while live.len() >= MAX_SESSIONS {
            let Some(oldest) = live.iter().min_by_key(|(_, s)| s.started).map(|(k, _)| *k) else {
                break;
            };
            live.remove(&oldest);
        }
        live.insert(hash(&id), session);
        Ok(id)
    }

    fn close(&self, id: &str) {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).remove(&hash(id));
    }

    /// The token hash and CSRF token of a live session.
    fn get(&self, id: &str) -> Option<([u8; 32], String)> {
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        let s = live.get(&hash(id)).filter(|s| s.started.elapsed() < SESSION_LIFE)?;
        Some((s.token_hash, s.csrf.clone()))
    }

    /// Counts a failure from `ip` and waits: 200 ms, then twice as long each time.
    pub async fn fail(&self, ip: Option<IpAddr>) {
        let n = match ip {
            None => 1,
            Some(ip) => {
                let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
                failures.retain(|_, (_, at)| at.elapsed() < FAILURE_MEMORY);
                let entry = failures.entry(ip).or_insert((0, Instant::now()));
                *entry = (entry.0.saturating_add(1), Instant::now());
                entry.0
            }
        };
        let doublings = n.saturating_sub(1).min(MAX_DOUBLINGS);
        tokio::time::sleep(BAD_TOKEN_DELAY * 2u32.pow(doublings)).await;
    }

    fn succeed(&self, ip: Option<IpAddr>) {
        if let Some(ip) = ip {
            self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(&ip);
        }
    }
}

/// The caller of a request, as every API handler takes it.
pub struct Caller {
    /// Who it is.
    pub who: Who,
    /// The CSRF token, for a browser session.
    pub csrf: Option<String>,
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn peer(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

fn unauthorized() -> Response {
    error(StatusCode::UNAUTHORIZED, Reply::Unauthorized)
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Caller, Response> {
        let ip = peer(parts);
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let session = cookie(&parts.headers, COOKIE).and_then(|id| app.sessions.get(id));
        let found = match (bearer, &session) {
            (Some(token), _) => authenticate_hash(&app.store, &hash(token)).map(|w| (w, None)),
            (None, Some((h, csrf))) => {
                authenticate_hash(&app.store, h).map(|w| (w, Some(csrf.clone())))
            }
            (None, None) => None,
        };
        let Some((who, csrf)) = found else {
            app.sessions.fail(ip).await;
            return Err(unauthorized());
        };
        app.sessions.succeed(ip);
        if let Some(expected) = &csrf
            && !matches!(parts.method, Method::GET | Method::HEAD)
        {
            let sent = parts.headers.get(CSRF_HEADER).map(HeaderValue::as_bytes).unwrap_or(b"");
            if !bool::from(sent.ct_eq(expected.as_bytes())) {
                return Err(error(StatusCode::FORBIDDEN, Reply::Csrf));
            }
        }
        Ok(Caller { who, csrf })
    }
}

/// `?token=` of the login link.
#[derive(Debug, serde::Deserialize)]
pub struct LoginQuery {
    token: Option<String>,
}

fn session_cookie(id: &str, max_age: u64) -> HeaderValue {
    let v = format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}");
    HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static(""))
}

/// `GET /?token=TOKEN`: a valid token opens a session (the cookie) and sends the browser on to
/// `/` without the token in its address bar; `GET /` serves the form's page.
pub async fn index(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
    request: axum::extract::Request,
) -> Response {
    let Some(token) = q.token else { return super::form_api::page() };
    let ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if authenticate_hash(&app.store, &hash(token.trim())).is_none() {
        app.sessions.fail(ip).await;
        return (StatusCode::UNAUTHORIZED, super::form_api::page()).into_response();
    }
    app.sessions.succeed(ip);
    match app.sessions.open(token.trim()) {
        Ok(id) => (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, session_cookie(&id, SESSION_LIFE.as_secs())),
                (header::LOCATION, HeaderValue::from_static("/")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        Err(e) => super::internal(&e),
    }
}

/// `GET /api/session`: who the caller is and, for a browser session, its CSRF token.
pub async fn whoami(caller: Caller) -> Response {
    let (role, unit) = match &caller.who {
        Who::Admin => ("office", None),
        Who::Unit(rel) => ("unit", Some(rel.clone())),
    };
    axum::Json(serde_json::json!({"role": role, "unit": unit, "csrf": caller.csrf})).into_response()
}

/// `POST /api/logout`: ends the browser session.
pub async fn logout(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    _caller: Caller,
    headers: HeaderMap,
) -> Response {
    if let Some(id) = cookie(&headers, COOKIE) {
        app.sessions.close(id);
    }
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, session_cookie("", 0))]).into_response()
}
