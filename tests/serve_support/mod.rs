//! The HTTP client and the served office of the `serve` tests: a plain HTTP/1.1 client on
//! `std::net` (no client library: what goes over the wire is what the test wrote).

#![allow(dead_code, reason = "each test binary uses a different subset")]

use nianbao::serve::{Issued, Limits, Store, issue_tokens, start, start_within};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;

pub const EXAMPLE: &str = include_str!("../../examples/shengsi-2024.yaml");

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    try_request(addr, method, path, token, headers, body).expect("a response")
}

/// `None` when the server is gone (connection refused or closed without an answer).
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<Resp> {
    let mut s = TcpStream::connect(addr).ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).ok()?;
    // The server may answer (413) before the whole body is sent and close.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Some(Resp { status, headers, body })
}

pub fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[end + 2..end + 2 + size]);
        b = &b[end + 4 + size..];
    }
    out
}

/// The served folder's state database, opened read-write beside the server (WAL).
pub fn db(root: &std::path::Path) -> rusqlite::Connection {
    let c =
        rusqlite::Connection::open(root.join(".nianbao").join(nianbao::serve::DB_FILE)).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c
}

/// The versions the history database holds for the unit file `rel`, oldest first.
pub fn history_versions(root: &std::path::Path, rel: &str) -> Vec<String> {
    let c = db(root);
    let mut q = c.prepare("SELECT version FROM history WHERE rel = ?1 ORDER BY seq").unwrap();
    q.query_map([rel], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// `nianbao serve ROOT` in a process of its own on port 0: the child and the address it
/// printed.
pub fn spawn_server(root: &std::path::Path) -> (std::process::Child, SocketAddr) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg(root)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("serving"), "{line}");
    let addr = line.trim().rsplit("http://").next().unwrap().parse().unwrap();
    (child, addr)
}

pub struct Office {
    pub _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub addr: SocketAddr,
    pub admin: String,
    pub a: String,
    pub b: String,
}

/// Two units (`a.yaml`, `sub/b.yaml`), tokens issued, a server on port 0.
pub fn office() -> Office {
    office_within(Limits::default())
}

/// [`office`] with a server within `limits`.
pub fn office_within(limits: Limits) -> Office {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("a.yaml"), EXAMPLE).unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    let b = EXAMPLE.replace("unit: 嵊泗县人民政府办公室", "unit: 嵊泗县菜园镇人民政府");
    std::fs::write(root.join("sub/b.yaml"), b).unwrap();
    let issued = issue_tokens(&Store::new(&root).unwrap()).unwrap();
    let token = |unit: Option<&str>| -> String {
        issued.iter().find(|i: &&Issued| i.unit.as_deref() == unit).unwrap().token.clone()
    };
    let running = start_within(&root, "127.0.0.1:0", limits).unwrap();
    let addr = running.addr;
    std::mem::forget(running); // serves until the test process ends
    Office {
        admin: token(None),
        a: token(Some("a.yaml")),
        b: token(Some("sub/b.yaml")),
        _dir: dir,
        root,
        addr,
    }
}

/// Two units in one folder (`乡镇/a.yaml` of 某某镇人民政府, `乡镇/b.yaml` of 另一镇人民政府), tokens
/// issued, a server on port 0.
pub fn town() -> Office {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::create_dir(root.join("乡镇")).unwrap();
    for (file, unit) in [("a.yaml", "某某镇人民政府"), ("b.yaml", "另一镇人民政府")] {
        std::fs::write(root.join("乡镇").join(file), EXAMPLE.replace("嵊泗县人民政府办公室", unit))
            .unwrap();
    }
    let issued = issue_tokens(&Store::new(&root).unwrap()).unwrap();
    let token = |unit: Option<&str>| -> String {
        issued.iter().find(|i: &&Issued| i.unit.as_deref() == unit).unwrap().token.clone()
    };
    let running = start(&root, "127.0.0.1:0").unwrap();
    let addr = running.addr;
    std::mem::forget(running);
    Office {
        admin: token(None),
        a: token(Some("乡镇/a.yaml")),
        b: token(Some("乡镇/b.yaml")),
        _dir: dir,
        root,
        addr,
    }
}

pub fn get(o: &Office, path: &str, token: &str) -> Resp {
    request(o.addr, "GET", path, Some(token), &[], b"")
}

pub fn put(o: &Office, id: &str, token: &str, version: Option<&str>, body: &str) -> Resp {
    let quoted = version.map(|v| format!("\"{v}\""));
    let headers: Vec<(&str, &str)> =
        quoted.as_deref().map(|v| vec![("If-Match", v)]).unwrap_or_default();
    request(o.addr, "PUT", &format!("/api/reports/{id}"), Some(token), &headers, body.as_bytes())
}

pub fn version(o: &Office, id: &str, token: &str) -> String {
    let r = get(o, &format!("/api/reports/{id}"), token);
    assert_eq!(r.status, 200);
    r.json()["version"].as_str().unwrap().to_string()
}

/// A browser session: the cookie a login link set, and the session's CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// Opens `/?token=TOKEN` as a browser would; the session it sets.
pub fn login(o: &Office, token: &str) -> Session {
    let r = request(o.addr, "GET", &format!("/?token={token}"), None, &[], b"");
    assert_eq!(r.status, 303, "{}", String::from_utf8_lossy(&r.body));
    let set = r.header("set-cookie").expect("a cookie");
    let cookie = set.split(';').next().unwrap().trim().to_string();
    let who = request(o.addr, "GET", "/api/session", None, &[("Cookie", &cookie)], b"");
    assert_eq!(who.status, 200);
    let csrf = who.json()["csrf"].as_str().expect("a CSRF token").to_string();
    Session { cookie, csrf }
}

/// A request with the session's cookie, and its CSRF token when `csrf` says so.
pub fn with_session(
    o: &Office,
    s: &Session,
    csrf: Option<&str>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let mut h: Vec<(&str, &str)> = vec![("Cookie", &s.cookie)];
    if let Some(c) = csrf {
        h.push(("X-CSRF-Token", c));
    }
    h.extend_from_slice(headers);
    request(o.addr, method, path, None, &h, body)
}

/// One save as a client makes it: the report's version read, then the example with
/// `licensing: n` put with `If-Match`. `None` when the server did not answer (it was killed);
/// otherwise the new version (200) or `Err(409)` (another save came first). Any other answer
/// fails the test.
pub fn save_licensing(addr: SocketAddr, token: &str, n: u64) -> Option<Result<String, u16>> {
    let r = try_request(addr, "GET", "/api/reports/a", Some(token), &[], b"")
        .filter(|r| r.status == 200)?;
    let v = r.json()["version"].as_str().unwrap().to_string();
    let body = EXAMPLE.replace("licensing: 0", &format!("licensing: {n}"));
    let quoted = format!("\"{v}\"");
    let h = [("If-Match", quoted.as_str())];
    let r = try_request(addr, "PUT", "/api/reports/a", Some(token), &h, body.as_bytes())?;
    match r.status {
        200 => Some(Ok(r.json()["version"].as_str().unwrap().to_string())),
        409 => Some(Err(409)),
        other => panic!("a save failed: {other}"),
    }
}
