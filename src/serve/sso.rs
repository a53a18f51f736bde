//! Single sign-on (issue #32): an OpenID Connect login by the authorization code flow, as
//! provinces run 统一身份认证. Configured by the provider's issuer URL, a client id and secret,
//! the URL the provider sends the browser back to, and a claim of the ID token whose value is
//! mapped to a unit (`unit:乡镇/a.yaml`) or an office's folder scope (`office:乡镇/`, or
//! `office:` for the whole folder).
//!
//! `GET /sso/login` sends the browser to the provider with a fresh `state` and `nonce` (kept
//! ten minutes, each used once); `GET /sso/callback` exchanges the code at the provider's token
//! endpoint (HTTP Basic with the client's id and secret, over TLS), checks the ID token's
//! `iss`, `aud`, `exp` and `nonce`, maps the claim and opens a browser session as a login link
//! does. The ID token comes straight from the token endpoint over TLS, so the TLS server
//! validation stands for its signature (OpenID Connect Core 1.0, 3.1.3.7, item 6). Plain
//! `http://` is taken only for a provider on this machine (a test's).

use super::auth::{hash, random_token, scope_of};
use super::db::now;
use super::{App, Who, error};
use crate::diag::Reply;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use rusqlite::params;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a login may take at the provider.
const PENDING_LIFE: Duration = Duration::from_secs(600);
/// Logins under way at most (older ones go first).
const PENDING_MAX: usize = 10_000;
/// The provider's answers, at most.
const ANSWER_MAX: u64 = 1 << 20;

/// The provider and the mapping, as configured.
#[derive(Clone)]
pub struct SsoConfig {
    /// The issuer URL (`https://id.example.gov.cn/realms/gov`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// This server's callback as the provider knows it (`https://…/sso/callback`).
    pub redirect_uri: String,
    /// The ID token's claim that names the person's unit or office (`sub` by default).
    pub claim: String,
    /// A claim's value → `unit:REL` or `office:SCOPE`.
    pub map: HashMap<String, String>,
}

impl std::fmt::Debug for SsoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("SsoConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("claim", &self.claim)
            .finish_non_exhaustive()
    }
}

/// Whether `url` may be used: HTTPS, or HTTP to this machine.
fn secure(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host
        .rsplit_once(':')
        .map_or(host, |(h, p)| if p.bytes().all(|b| b.is_ascii_digit()) { h } else { host });
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

impl SsoConfig {
    /// Checks the configuration: secure URLs, every mapping a unit file or a folder scope.
    pub fn check(&self) -> Result<(), String> {
        for (what, url) in [("issuer", &self.issuer), ("redirect URI", &self.redirect_uri)] {
            if !secure(url) {
                return Err(format!(
                    "单点登录的 {what} 须为 https 地址 (the OIDC {what} must be https): {url}"
                ));
            }
        }
        if self.client_id.is_empty() || self.claim.is_empty() {
            return Err(
                "单点登录须有 client id 和 claim (OIDC needs a client id and a claim)".into()
            );
        }
        for (value, to) in &self.map {
            if who_of(to).is_none() {
                return Err(format!(
                    "单点登录映射 {value} → {to} 无效，须为 unit:文件 或 office:文件夹 (mapping must be unit:FILE or office:FOLDER)"
                ));
            }
        }
        Ok(())
    }
}

/// `unit:REL` → a unit, `office:SCOPE` → an office of that scope.
fn who_of(to: &str) -> Option<Who> {
    if let Some(rel) = to.strip_prefix("unit:") {
        return (!rel.is_empty() && crate::world::is_confined(rel)).then(|| Who::Unit(rel.into()));
    }
    to.strip_prefix("office:").and_then(scope_of).map(Who::Office)
}

/// The provider's endpoints, from its discovery document.
#[derive(Debug, Clone)]
struct Endpoints {
    issuer: String,
    authorization: String,
    token: String,
}

/// Single sign-on as the server runs it.
pub struct Sso {
    config: SsoConfig,
    agent: ureq::Agent,
    endpoints: OnceLock<Endpoints>,
    /// `state` → (`nonce`, when the login began).
    pending: Mutex<HashMap<String, (String, Instant)>>,
}

impl Sso {
    /// Single sign-on with `config` (checked).
    pub fn new(config: SsoConfig) -> Result<Sso, String> {
        config.check()?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(15)))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Ok(Sso { config, agent, endpoints: OnceLock::new(), pending: Mutex::new(HashMap::new()) })
    }

    fn read(
        &self,
        r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Value, String> {
        let mut r = r.map_err(|e| format!("OIDC provider: {e}"))?;
        let status = r.status();
        let text = r
            .body_mut()
            .with_config()
            .limit(ANSWER_MAX)
            .read_to_string()
            .map_err(|e| format!("OIDC provider: {e}"))?;
        if !status.is_success() {
            return Err(format!(
                "OIDC provider answered {status}: {}",
                text.chars().take(200).collect::<String>()
            ));
        }
        serde_json::from_str(&text).map_err(|e| format!("OIDC provider: {e}"))
    }

    /// The endpoints (discovered once).
    fn endpoints(&self) -> Result<Endpoints, String> {
        if let Some(e) = self.endpoints.get() {
            return Ok(e.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        );
        let v = self.read(self.agent.get(&url).call())?;
        let field =
            |k: &str| v[k].as_str().map(str::to_string).ok_or(format!("OIDC discovery has no {k}"));
        let e = Endpoints {
            issuer: field("issuer")?,
            authorization: field("authorization_endpoint")?,
            token: field("token_endpoint")?,
        };
        if e.issuer.trim_end_matches('/') != self.config.issuer.trim_end_matches('/') {
            return Err(format!("OIDC discovery names another issuer: {}", e.issuer));
        }
        if !secure(&e.authorization) || !secure(&e.token) {
            return Err("OIDC endpoints must be https".into());
        }
        Ok(self.endpoints.get_or_init(|| e).clone())
    }

    /// A new login: the provider's authorization URL with a fresh state and nonce.
    fn begin(&self) -> Result<String, String> {
        let e = self.endpoints()?;
        let (state, nonce) = (random_token()?, random_token()?);
        {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.retain(|_, (_, at)| at.elapsed() < PENDING_LIFE);
            if pending.len() >= PENDING_MAX
                && let Some(oldest) =
                    pending.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| k.clone())
            {
                pending.remove(&oldest);
            }
            pending.insert(state.clone(), (nonce.clone(), Instant::now()));
        }
        let q = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let sep = if e.authorization.contains('?') { '&' } else { '?' };
        Ok(format!(
            "{}{sep}response_type=code&scope=openid&client_id={}&redirect_uri={}&state={}&nonce={}",
            e.authorization,
            q(&self.config.client_id),
            q(&self.config.redirect_uri),
            state,
            nonce
        ))
    }

    /// The callback: the code exchanged, the ID token checked, the claim mapped.
    fn finish(&self, code: &str, state: &str) -> Result<Who, Refusal> {
        let nonce = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.remove(state).filter(|(_, at)| at.elapsed() < PENDING_LIFE).map(|(n, _)| n)
        };
        let nonce = nonce.ok_or(Refusal::State)?;
        let e = self.endpoints().map_err(Refusal::Provider)?;
        let q = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            q(&self.config.client_id),
            q(&self.config.client_secret)
        ));
        let answer = self.read(
            self.agent
                .post(&e.token)
                .header("Authorization", format!("Basic {basic}"))
                .header("Accept", "application/json")
                .send_form([
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", self.config.redirect_uri.as_str()),
                ]),
        );
        let answer = answer.map_err(Refusal::Provider)?;
        let token = answer["id_token"].as_str().ok_or(Refusal::Token("no id_token"))?;
        let claims = claims_of(token).ok_or(Refusal::Token("an ID token that cannot be read"))?;
        let t = now() as i64;
        if claims["iss"].as_str().map(|s| s.trim_end_matches('/'))
            != Some(e.issuer.trim_end_matches('/'))
        {
            return Err(Refusal::Token("another issuer"));
        }
        let aud_ok = match &claims["aud"] {
            Value::String(a) => *a == self.config.client_id,
            Value::Array(a) => {
                a.iter().any(|x| x.as_str() == Some(&self.config.client_id))
                    && (a.len() == 1 || claims["azp"].as_str() == Some(&self.config.client_id))
            }
            _ => false,
        };
        if !aud_ok {
            return Err(Refusal::Token("another audience"));
        }
        if claims["exp"].as_i64().is_none_or(|exp| exp + 60 < t) {
            return Err(Refusal::Token("expired"));
        }
        if claims["nonce"].as_str() != Some(nonce.as_str()) {
            return Err(Refusal::Token("another nonce"));
        }
        let value = match &claims[self.config.claim.as_str()] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(Refusal::Unmapped),
        };
        let to = self.config.map.get(&value).ok_or(Refusal::Unmapped)?;
        who_of(to).ok_or(Refusal::Unmapped)
    }
}

/// The claims of a JWT (its payload), not its signature (see the module's docs).
fn claims_of(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok().filter(Value::is_object)
}

/// Why a callback was refused.
#[derive(Debug)]
enum Refusal {
    /// No login under way with that state (forged, replayed or too old).
    State,
    /// The provider failed or refused.
    Provider(String),
    /// The ID token does not hold.
    Token(&'static str),
    /// The claim maps to no unit or office.
    Unmapped,
}

/// `GET /sso`: whether single sign-on is on (the login page shows its button).
pub(super) async fn status(State(app): State<Arc<App>>) -> Response {
    axum::Json(serde_json::json!({"enabled": app.sso.is_some()})).into_response()
}

/// `GET /sso/login`: to the provider.
pub(super) async fn login(State(app): State<Arc<App>>) -> Response {
    let Some(sso) = app.sso.clone() else { return super::not_found() };
    match tokio::task::spawn_blocking(move || sso.begin()).await {
        Ok(Ok(url)) => match HeaderValue::from_str(&url) {
            Ok(location) => (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, location),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
            )
                .into_response(),
            Err(_) => super::internal("OIDC authorization URL"),
        },
        Ok(Err(e)) => {
            eprintln!("serve: {e}");
            error(StatusCode::BAD_GATEWAY, Reply::SsoProvider)
        }
        Err(e) => super::internal(&e.to_string()),
    }
}

/// `?code=&state=` (or `?error=`) of the callback.
#[derive(Debug, serde::Deserialize)]
pub(super) struct Callback {
    code: Option<String>,
    state: Option<String>,
}

/// `GET /sso/callback`: the provider's answer; a session as a login link opens one.
pub(super) async fn callback(
    State(app): State<Arc<App>>,
    Query(q): Query<Callback>,
    request: axum::extract::Request,
) -> Response {
    let Some(sso) = app.sso.clone() else { return super::not_found() };
    let ip = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let (Some(code), Some(state)) = (q.code, q.state) else {
        return error(StatusCode::BAD_REQUEST, Reply::SsoState);
    };
    let who = match tokio::task::spawn_blocking(move || sso.finish(&code, &state)).await {
        Ok(r) => r,
        Err(e) => return super::internal(&e.to_string()),
    };
    let who = match who {
        Ok(who) => who,
        Err(refusal) => {
            let why = match &refusal {
                Refusal::State => "state".to_string(),
                Refusal::Provider(e) => e.clone(),
                Refusal::Token(why) => (*why).to_string(),
                Refusal::Unmapped => "unmapped".to_string(),
            };
            let ip_text = ip.map(|ip| ip.to_string());
            app.store.db().audit("sso", ip_text.as_deref(), "sso-refused", "", &why);
            return match refusal {
                Refusal::State => error(StatusCode::BAD_REQUEST, Reply::SsoState),
                Refusal::Provider(e) => {
                    eprintln!("serve: {e}");
                    error(StatusCode::BAD_GATEWAY, Reply::SsoProvider)
                }
                Refusal::Token(_) => error(StatusCode::UNAUTHORIZED, Reply::SsoToken),
                Refusal::Unmapped => error(StatusCode::FORBIDDEN, Reply::SsoUnmapped),
            };
        }
    };
    // A token of this login alone, for its session; those whose sessions have ended go.
    let token = match random_token() {
        Ok(t) => t,
        Err(e) => return super::internal(&e),
    };
    let (unit, scope) = match &who {
        Who::Unit(rel) => (Some(rel.clone()), String::new()),
        Who::Office(scope) => (None, scope.clone()),
    };
    let stored = app.store.db().with(|c| {
        let tx = c.transaction()?;
        tx.execute(
            "DELETE FROM tokens WHERE sso = 1 AND hash NOT IN (SELECT token_hash FROM sessions)",
            [],
        )?;
        tx.execute(
            "INSERT INTO tokens (hash, unit, issued_at, scope, sso) VALUES (?1, ?2, ?3, ?4, 1)",
            params![&hash(&token)[..], unit, now() as i64, scope],
        )?;
        tx.commit()
    });
    if let Err(e) = stored {
        return super::internal(&e);
    }
    super::session::open_session(&app, who, &token, ip, "sso-login")
}
