//! Who a request is from: `Authorization: Bearer TOKEN` (scripts), or a browser session made
//! by opening a login link (`/?token=TOKEN`). A session is a random id in a cookie
//! (`HttpOnly; SameSite=Strict`) that the server maps to the hash of the token it logged in
//! with, so re-issuing the tokens ends it; every request of a session that changes something
//! carries the session's CSRF token in `X-CSRF-Token` (403 without it). Bearer requests need
//! none: a browser never adds that header on its own.
//!
//! A wrong token or session waits before its 401, longer for each failure from the same
//! address (200 ms doubling to 6.4 s, forgotten after ten quiet minutes).
//!
//! Sessions and failure counts live in the state database (`db`): a restart keeps them, and
//! each caller (token) holds at most [`SESSIONS_PER_CALLER`] sessions, so one clerk logging in
//! ten thousand times ends only that clerk's oldest sessions.

use super::auth::{authenticate_hash, hash, random_token};
use super::db::{Db, now, optional};
use super::{App, Who, error};
use crate::diag::Reply;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::params;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// How long a request with a wrong token waits before its 401, the first time (slows guessing).
pub const BAD_TOKEN_DELAY: Duration = Duration::from_millis(200);
/// The longest wait: the first delay doubled five times.
const MAX_DOUBLINGS: u32 = 5;
/// Failures older than this are forgotten (seconds).
const FAILURE_MEMORY: u64 = 600;
/// A session ends this long after its login.
const SESSION_LIFE: Duration = Duration::from_secs(12 * 3600);
/// Sessions one caller (one token) keeps at most: its oldest goes first, never another
/// caller's. Logins cannot grow the table without end: it holds at most this many per token.
pub const SESSIONS_PER_CALLER: usize = 20;
/// The session cookie's name.
pub const COOKIE: &str = "nianbao_session";
/// The header that carries a session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Browser sessions and the failed logins of each address, in the state database.
pub struct Sessions {
    db: Arc<Db>,
}

impl Sessions {
    /// The sessions kept in `db`.
    pub fn new(db: Arc<Db>) -> Sessions {
        Sessions { db }
    }

    /// A new session for a token already checked; returns the cookie value.
    fn open(&self, token: &str) -> Result<String, String> {
        let id = random_token()?;
        let csrf = random_token()?;
        let caller = hash(token);
        let at = now() as i64;
        self.db.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "DELETE FROM sessions WHERE started < ?1",
                params![at - SESSION_LIFE.as_secs() as i64],
            )?;
            // This caller's oldest sessions beyond the limit (the new one included) go.
            tx.execute(
                "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions
                 WHERE token_hash = ?1 ORDER BY started DESC, rowid DESC LIMIT -1 OFFSET ?2)",
                params![&caller[..], SESSIONS_PER_CALLER as i64 - 1],
            )?;
            tx.execute(
                "INSERT INTO sessions (id_hash, token_hash, csrf, started) VALUES (?1, ?2, ?3, ?4)",
                params![&hash(&id)[..], &caller[..], csrf, at],
            )?;
            tx.commit()
        })?;
        Ok(id)
    }

    fn close(&self, id: &str) {
        let r = self
            .db
            .with(|c| c.execute("DELETE FROM sessions WHERE id_hash = ?1", params![&hash(id)[..]]));
        if let Err(e) = r {
            eprintln!("serve: {e}");
        }
    }

    /// The token hash and CSRF token of a live session.
    fn get(&self, id: &str) -> Option<([u8; 32], String)> {
        let since = now() as i64 - SESSION_LIFE.as_secs() as i64;
        let found = self.db.with(|c| {
            optional(c.query_row(
                "SELECT token_hash, csrf FROM sessions WHERE id_hash = ?1 AND started >= ?2",
                params![&hash(id)[..], since],
                |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?)),
            ))
        });
        let (token_hash, csrf) = found.map_err(|e| eprintln!("serve: {e}")).ok()??;
        Some((token_hash.try_into().ok()?, csrf))
    }

    /// Counts a failure from `ip` and waits: 200 ms, then twice as long each time.
    pub async fn fail(&self, ip: Option<IpAddr>) {
        let n = match ip {
            None => 1,
            Some(ip) => {
                let at = now() as i64;
                let r = self.db.with(|c| {
                    let tx = c.transaction()?;
                    tx.execute(
                        "DELETE FROM failures WHERE at < ?1",
                        params![at - FAILURE_MEMORY as i64],
                    )?;
                    let n: i64 = tx.query_row(
                        "INSERT INTO failures (ip, count, at) VALUES (?1, 1, ?2)
                         ON CONFLICT(ip) DO UPDATE SET count = count + 1, at = ?2
                         RETURNING count",
                        params![ip.to_string(), at],
                        |r| r.get(0),
                    )?;
                    tx.commit()?;
                    Ok(n)
                });
                r.map_err(|e| eprintln!("serve: {e}")).unwrap_or(1).clamp(1, 1 << 20) as u32
            }
        };
        let doublings = n.saturating_sub(1).min(MAX_DOUBLINGS);
        tokio::time::sleep(BAD_TOKEN_DELAY * 2u32.pow(doublings)).await;
    }

    fn succeed(&self, ip: Option<IpAddr>) {
        if let Some(ip) = ip {
            // Most requests come from addresses that never failed: a read, not a write.
            let r = self.db.with(|c| {
                let known: Option<i64> = optional(c.query_row(
                    "SELECT count FROM failures WHERE ip = ?1",
                    params![ip.to_string()],
                    |r| r.get(0),
                ))?;
                if known.is_some() {
                    c.execute("DELETE FROM failures WHERE ip = ?1", params![ip.to_string()])?;
                }
                Ok(())
            });
            if let Err(e) = r {
                eprintln!("serve: {e}");
            }
        }
    }
}

/// The caller of a request, as every API handler takes it.
pub struct Caller {
    /// Who it is.
    pub who: Who,
    /// The CSRF token, for a browser session.
    pub csrf: Option<String>,
    /// The address it came from (for the audit log).
    pub ip: Option<IpAddr>,
}

impl Caller {
    /// Writes a line of the audit log: this caller did `action` to `target`.
    pub fn audit(&self, app: &App, action: &str, target: &str, detail: &str) {
        let ip = self.ip.map(|ip| ip.to_string());
        app.store.db().audit(&self.who.label(), ip.as_deref(), action, target, detail);
    }
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
        Ok(Caller { who, csrf, ip })
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
    let presented = hash(token.trim());
    let reused = {
        let mut once = app.once.lock().unwrap_or_else(|p| p.into_inner());
        match once.as_mut() {
            Some((h, used)) if *h == presented => std::mem::replace(used, true),
            _ => false,
        }
    };
    let found = if reused { None } else { authenticate_hash(&app.store, &presented) };
    let Some(who) = found else {
        app.sessions.fail(ip).await;
        return (StatusCode::UNAUTHORIZED, super::form_api::page()).into_response();
    };
    app.sessions.succeed(ip);
    open_session(&app, who, token.trim(), ip, "login")
}

/// A session for `who`, logged in with `token`: its cookie set and the browser sent on to
/// `/`; `action` goes to the audit log.
pub(super) fn open_session(
    app: &App,
    who: Who,
    token: &str,
    ip: Option<IpAddr>,
    action: &str,
) -> Response {
    match app.sessions.open(token) {
        Ok(id) => {
            let caller = Caller { who, csrf: None, ip };
            caller.audit(app, action, "", "");
            (
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, session_cookie(&id, SESSION_LIFE.as_secs())),
                    (header::LOCATION, HeaderValue::from_static("/")),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
            )
                .into_response()
        }
        Err(e) => super::internal(&e),
    }
}

/// `GET /api/session`: who the caller is and, for a browser session, its CSRF token.
pub async fn whoami(caller: Caller) -> Response {
    let (role, unit, scope) = match &caller.who {
        Who::Office(scope) => ("office", None, Some(scope.clone())),
        Who::Unit(rel) => ("unit", Some(rel.clone()), None),
    };
    axum::Json(serde_json::json!({"role": role, "unit": unit, "scope": scope, "csrf": caller.csrf}))
        .into_response()
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
