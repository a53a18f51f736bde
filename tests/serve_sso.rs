//! Single sign-on (issue #32): `nianbao serve` against a small OpenID Connect provider this
//! test starts on loopback (discovery, an authorization endpoint that logs in whoever the test
//! says, a token endpoint that checks the client's secret and each code once, and ID tokens
//! that can be made wrong on purpose).

use crate::serve_support;

use nianbao::serve::{ServeOptions, SsoConfig, Store, issue_tokens, start_with};
use serve_support::{EXAMPLE, Resp, request};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

const CLIENT: &str = "nianbao-county";
const SECRET: &str = "s3cret:with/odd chars";

/// What the provider does next.
#[derive(Default)]
struct Provider {
    /// The value of the `org` claim of whoever logs in next.
    user: String,
    /// `code` → the nonce and redirect URI it was issued for.
    codes: HashMap<String, (String, String)>,
    /// `aud` to put in the ID token instead of the client's id.
    wrong_aud: Option<String>,
    /// Token requests that presented the right client secret.
    authenticated: usize,
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn query(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            let v = percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned();
            (k.to_string(), v)
        })
        .collect()
}

fn answer(s: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &str) {
    let mut head =
        format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body.as_bytes());
}

/// Serves one request of the provider.
fn serve_one(s: TcpStream, base: &str, state: &Mutex<Provider>) {
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let (method, target) =
        (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        if h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    let (path, q) = target.split_once('?').unwrap_or((&target, ""));
    let mut s = s;
    match (method.as_str(), path) {
        ("GET", "/.well-known/openid-configuration") => {
            let doc = serde_json::json!({
                "issuer": base, "authorization_endpoint": format!("{base}/authorize"),
                "token_endpoint": format!("{base}/token"), "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            });
            answer(
                &mut s,
                "200 OK",
                &[("Content-Type", "application/json".into())],
                &doc.to_string(),
            );
        }
        ("GET", "/authorize") => {
            let q = query(q);
            let ok = q.get("response_type").map(String::as_str) == Some("code")
                && q.get("client_id").map(String::as_str) == Some(CLIENT)
                && q.get("scope").is_some_and(|s| s.split(' ').any(|x| x == "openid"));
            if !ok {
                return answer(&mut s, "400 Bad Request", &[], "bad authorization request");
            }
            let code = format!("code-{}", rand_hex());
            let redirect = q["redirect_uri"].clone();
            state
                .lock()
                .unwrap()
                .codes
                .insert(code.clone(), (q["nonce"].clone(), redirect.clone()));
            let location = format!("{redirect}?code={code}&state={}", q["state"]);
            answer(&mut s, "302 Found", &[("Location", location)], "");
        }
        ("POST", "/token") => {
            use base64::Engine as _;
            let enc = |x: &str| {
                percent_encoding::utf8_percent_encode(x, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
            };
            let expected = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                enc(CLIENT),
                enc(SECRET)
            ));
            if headers.get("authorization") != Some(&format!("Basic {expected}")) {
                return answer(&mut s, "401 Unauthorized", &[], r#"{"error":"invalid_client"}"#);
            }
            let form = query(&String::from_utf8_lossy(&body));
            let mut st = state.lock().unwrap();
            st.authenticated += 1;
            let Some((nonce, redirect)) = form.get("code").and_then(|c| st.codes.remove(c)) else {
                return answer(&mut s, "400 Bad Request", &[], r#"{"error":"invalid_grant"}"#);
            };
            if form.get("redirect_uri") != Some(&redirect)
                || form.get("grant_type").map(String::as_str) != Some("authorization_code")
            {
                return answer(&mut s, "400 Bad Request", &[], r#"{"error":"invalid_grant"}"#);
            }
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let claims = serde_json::json!({
                "iss": base, "sub": format!("user-{}", st.user), "org": st.user,
                "aud": st.wrong_aud.clone().unwrap_or_else(|| CLIENT.into()),
                "exp": now + 300, "iat": now, "nonce": nonce,
            });
            let jwt = format!(
                "{}.{}.{}",
                b64(br#"{"alg":"RS256","typ":"JWT"}"#),
                b64(claims.to_string().as_bytes()),
                b64(b"signature")
            );
            let body =
                serde_json::json!({"access_token": "at", "token_type": "Bearer", "id_token": jwt});
            answer(
                &mut s,
                "200 OK",
                &[("Content-Type", "application/json".into())],
                &body.to_string(),
            );
        }
        _ => answer(&mut s, "404 Not Found", &[], ""),
    }
}

fn rand_hex() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::time::Instant::now().elapsed().as_nanos() as u64);
    format!("{:016x}", h.finish())
}

/// The provider on a loopback port: its address and its state.
fn provider() -> (SocketAddr, Arc<Mutex<Provider>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(Mutex::new(Provider::default()));
    let st = state.clone();
    std::thread::spawn(move || {
        let base = format!("http://{addr}");
        for s in listener.incoming().flatten() {
            serve_one(s, &base, &st);
        }
    });
    (addr, state)
}

struct Served {
    _dir: tempfile::TempDir,
    addr: SocketAddr,
    provider: SocketAddr,
    state: Arc<Mutex<Provider>>,
}

fn config(provider: SocketAddr, server: &str, secret: &str) -> SsoConfig {
    let map = [("330922101", "unit:a.yaml"), ("330922", "office:sub/"), ("33", "office:")];
    SsoConfig {
        issuer: format!("http://{provider}"),
        client_id: CLIENT.into(),
        client_secret: secret.into(),
        redirect_uri: format!("http://{server}/sso/callback"),
        claim: "org".into(),
        map: map.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

/// Two units (`a.yaml`, `sub/b.yaml`) served with single sign-on against a fresh provider.
fn served(secret: &str) -> Served {
    let (provider, state) = provider();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("a.yaml"), EXAMPLE).unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    std::fs::write(
        root.join("sub/b.yaml"),
        EXAMPLE.replace("嵊泗县人民政府办公室", "嵊泗县菜园镇人民政府"),
    )
    .unwrap();
    issue_tokens(&Store::new(root).unwrap()).unwrap();
    // The callback's address is the server's own, known once it listens: port picked first.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let options = ServeOptions {
        sso: Some(config(provider, &port.to_string(), secret)),
        ..ServeOptions::default()
    };
    let running = start_with(root, &port.to_string(), options).unwrap();
    let addr = running.addr;
    std::mem::forget(running);
    Served { _dir: dir, addr, provider, state }
}

fn location(r: &Resp) -> String {
    r.header("location")
        .unwrap_or_else(|| panic!("no Location: {} {}", r.status, String::from_utf8_lossy(&r.body)))
        .to_string()
}

/// The browser's way through: /sso/login → the provider → the callback. The callback's answer.
fn log_in(s: &Served, who: &str) -> (Resp, String) {
    s.state.lock().unwrap().user = who.into();
    let r = request(s.addr, "GET", "/sso/login", None, &[], b"");
    assert_eq!(r.status, 303, "{}", String::from_utf8_lossy(&r.body));
    let to = location(&r);
    let at_provider = to.strip_prefix(&format!("http://{}", s.provider)).expect("to the provider");
    let r = request(s.provider, "GET", at_provider, None, &[], b"");
    assert_eq!(r.status, 302, "{}", String::from_utf8_lossy(&r.body));
    let back = location(&r);
    let callback =
        back.strip_prefix(&format!("http://{}", s.addr)).expect("back to the server").to_string();
    (request(s.addr, "GET", &callback, None, &[], b""), callback)
}

fn cookie(r: &Resp) -> String {
    r.header("set-cookie").expect("a session cookie").split(';').next().unwrap().to_string()
}

fn as_session(s: &Served, cookie: &str, path: &str) -> serde_json::Value {
    let r = request(s.addr, "GET", path, None, &[("Cookie", cookie)], b"");
    assert_eq!(r.status, 200, "{path}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

#[test]
fn single_sign_on_logs_a_unit_or_an_office_in_and_refuses_the_rest() {
    let s = served(SECRET);
    assert_eq!(request(s.addr, "GET", "/sso", None, &[], b"").json()["enabled"], true);

    // A clerk whose org maps to a.yaml: a session of that unit alone.
    let (r, callback) = log_in(&s, "330922101");
    assert_eq!(r.status, 303, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(location(&r), "/");
    let c = cookie(&r);
    assert!(r.header("set-cookie").unwrap().contains("HttpOnly"));
    let who = as_session(&s, &c, "/api/session");
    assert_eq!((who["role"].as_str(), who["unit"].as_str()), (Some("unit"), Some("a.yaml")));
    let list = as_session(&s, &c, "/api/reports");
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        s.state.lock().unwrap().authenticated,
        1,
        "the client secret went to the token endpoint"
    );
    // The same callback again (a replayed state): refused, no session.
    let again = request(s.addr, "GET", &callback, None, &[], b"");
    assert_eq!(again.status, 400);
    assert!(again.header("set-cookie").is_none());
    // A forged state.
    let forged = request(s.addr, "GET", "/sso/callback?code=x&state=forged", None, &[], b"");
    assert_eq!(forged.status, 400);

    // The county office of sub/: an office session that sees that folder only.
    let (r, _) = log_in(&s, "330922");
    assert_eq!(r.status, 303);
    let c = cookie(&r);
    let who = as_session(&s, &c, "/api/session");
    assert_eq!((who["role"].as_str(), who["scope"].as_str()), (Some("office"), Some("sub/")));
    let ids: Vec<String> = as_session(&s, &c, "/api/reports")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["sub~b"]);
    assert_eq!(as_session(&s, &c, "/api/dashboard")["total"], 1);

    // Someone the mapping does not know: 403, no session.
    let (r, _) = log_in(&s, "110000");
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.header("set-cookie").is_none());
    assert!(r.json()["message"].as_str().unwrap().starts_with("您的账号没有对应的单位或办公室"));

    // An ID token for another client: 401.
    s.state.lock().unwrap().wrong_aud = Some("another-client".into());
    let (r, _) = log_in(&s, "330922101");
    assert_eq!(r.status, 401, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.header("set-cookie").is_none());

    // Every login and refusal is in the audit log.
    let c = serve_support::db(s._dir.path());
    let actions: Vec<String> = c
        .prepare("SELECT action || ' ' || detail FROM audit WHERE action LIKE 'sso%' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        actions,
        [
            "sso-login ",
            "sso-refused state",
            "sso-refused state",
            "sso-login ",
            "sso-refused unmapped",
            "sso-refused another audience"
        ]
    );
}

#[test]
fn a_wrong_client_secret_or_an_insecure_provider_is_refused() {
    let s = served("not the secret");
    let (r, _) = log_in(&s, "330922101");
    assert_eq!(
        r.status,
        502,
        "the provider refused the client: {}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(r.header("set-cookie").is_none());

    // A provider over plain HTTP elsewhere than this machine, a mapping to nothing: the
    // server does not start.
    let dir = tempfile::tempdir().unwrap();
    let mut bad = config("127.0.0.1:9".parse().unwrap(), "127.0.0.1:1", SECRET);
    bad.issuer = "http://id.example.gov.cn".into();
    let r = start_with(
        dir.path(),
        "127.0.0.1:0",
        ServeOptions { sso: Some(bad), ..ServeOptions::default() },
    );
    assert!(r.unwrap_err().contains("https"));
    let mut bad = config("127.0.0.1:9".parse().unwrap(), "127.0.0.1:1", SECRET);
    bad.map.insert("x".into(), "unit:../x.yaml".into());
    assert!(
        start_with(
            dir.path(),
            "127.0.0.1:0",
            ServeOptions { sso: Some(bad), ..ServeOptions::default() }
        )
        .is_err()
    );
}
