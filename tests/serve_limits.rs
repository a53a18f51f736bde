//! Issue #29 against `nianbao serve`: slow clients, floods of heavy work and hostile YAML are
//! bounded, and every refusal is JSON with a Chinese-first message. Each test makes its hostile
//! input at run time and stops by itself (loopback only).

use crate::hostile_support as hostile;
use crate::serve_support as support;

use nianbao::serve::Limits;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use support::*;

/// Whether `s` (non-blocking) has been closed by the server: a read gives 0 bytes or an error.
fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // a 408 or the like before the close
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}

/// `n` connections that send a request's headers one byte a second, for at most `secs`
/// seconds; returns how many the server had closed by then, and when the last one closed.
fn slowloris(addr: SocketAddr, n: usize, secs: u64) -> (usize, Duration) {
    let start = Instant::now();
    let mut conns: Vec<(TcpStream, bool)> = (0..n)
        .map(|_| {
            let s = TcpStream::connect(addr).expect("connect");
            s.set_nonblocking(true).unwrap();
            (s, false)
        })
        .collect();
    let head =
        b"GET /api/reports HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let mut last_close = Duration::ZERO;
    for tick in 0..secs as usize {
        for (s, closed) in conns.iter_mut().filter(|(_, c)| !*c) {
            let byte = [head[tick % head.len()]];
            if s.write(&byte).is_err() || closed_by_server(s) {
                *closed = true;
                last_close = start.elapsed();
            }
        }
        if conns.iter().all(|(_, c)| *c) {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    (conns.iter().filter(|(_, c)| *c).count(), last_close)
}

fn quick_limits() -> Limits {
    Limits { header_read_timeout: Duration::from_secs(2), ..Limits::default() }
}

/// `n` slow clients against a server within `limits`, and a normal request among them (half a
/// second after they start): how long the normal request took, how many slow clients the
/// server cut off within 12 s, and when the last of them was cut off.
fn beside_slow_clients(limits: Limits, n: usize) -> (Duration, usize, Duration) {
    let o = office_within(limits);
    let addr = o.addr;
    let slow = std::thread::spawn(move || slowloris(addr, n, 12));
    std::thread::sleep(Duration::from_millis(500));
    let t = Instant::now();
    let r = get(&o, "/api/reports", &o.a);
    let took = t.elapsed();
    assert_eq!(r.status, 200);
    let (closed, last) = slow.join().unwrap();
    (took, closed, last)
}

#[test]
fn slow_clients_are_cut_off_and_a_normal_request_stays_quick() {
    // Beside 300 clients trickling their headers, a normal request is answered at once.
    let (took, closed, last) = beside_slow_clients(quick_limits(), 300);
    assert!(took < Duration::from_secs(1), "a normal request took {took:?}");
    // Every slow client is cut off after the header-read timeout (2 s), not served forever.
    assert_eq!(closed, 300, "slow connections the server closed within 12 s");
    assert!(last < Duration::from_secs(6), "the last slow client was cut off after {last:?}");
}

#[test]
fn beyond_the_connection_cap_slow_clients_make_room_for_a_normal_request() {
    // Twice the cap of slow clients: the ones waiting longest for their headers are closed to
    // make room, so a normal request is not kept in the accept queue behind them.
    let limits = Limits { max_connections: 20, ..quick_limits() };
    let (took, closed, _) = beside_slow_clients(limits, 40);
    assert!(took < Duration::from_secs(1), "a normal request beyond the cap took {took:?}");
    assert_eq!(closed, 40);
}

/// Sends `head` on a new connection and reads until the server closes it (10 s at most): the
/// bytes and how long the server took to close.
fn until_closed(addr: SocketAddr, head: &str) -> (Vec<u8>, Duration) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let t = Instant::now();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    (raw, t.elapsed())
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let o = office_within(quick_limits());
    // One answer, then the connection stays idle until the server closes it.
    let head = format!("GET /form.css HTTP/1.1\r\nHost: {}\r\n\r\n", o.addr);
    let (all, took) = until_closed(o.addr, &head);
    assert!(all.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&all));
    assert!(took < Duration::from_secs(5), "the idle connection stayed open {took:?}");
}

/// Whether the reply is JSON whose `message` starts with Chinese and carries English after.
fn chinese_first(r: &Resp) -> serde_json::Value {
    let v = r.json();
    let m = v["message"].as_str().unwrap_or_else(|| panic!("no message: {v}"));
    assert!(m.chars().next().is_some_and(|c| c > '\u{2e80}'), "not Chinese first: {m}");
    assert!(m.contains(" (") && m.ends_with(')'), "no English after the Chinese: {m}");
    v
}

#[test]
fn a_body_sent_too_slowly_is_refused_with_a_message() {
    let limits = Limits { body_idle_timeout: Duration::from_secs(1), ..Limits::default() };
    let o = office_within(limits);
    let head = format!(
        "POST /api/check HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nConnection: close\r\nContent-Length: 100\r\n\r\nunit: x\n",
        o.addr, o.a
    );
    let (raw, took) = until_closed(o.addr, &head);
    assert!(took < Duration::from_secs(5), "waited {took:?} for the body");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let body = if text.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(&raw[split + 4..])
    } else {
        raw[split + 4..].to_vec()
    };
    let r = Resp { status: 400, headers: Vec::new(), body };
    assert_eq!(chinese_first(&r)["error"], "bad-request");
}

#[test]
fn heavy_work_beyond_the_limit_is_503_with_retry_after() {
    let limits = Limits { heavy: 1, heavy_queue: 0, ..Limits::default() };
    let o = office_within(limits);
    let addr = o.addr;
    let token = o.a.clone();
    let go = std::sync::Arc::new(std::sync::Barrier::new(6));
    let renders: Vec<_> = (0..6)
        .map(|_| {
            let (go, token) = (go.clone(), token.clone());
            std::thread::spawn(move || {
                go.wait();
                request(addr, "GET", "/api/reports/a/render?format=pdf", Some(&token), &[], b"")
            })
        })
        .collect();
    let answers: Vec<Resp> = renders.into_iter().map(|t| t.join().unwrap()).collect();
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let busy: Vec<&Resp> = answers.iter().filter(|r| r.status == 503).collect();
    assert!(
        ok >= 1 && !busy.is_empty(),
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(ok + busy.len(), 6);
    for r in busy {
        assert_eq!(r.header("retry-after"), Some("5"));
        assert_eq!(chinese_first(r)["error"], "busy");
    }
    // The refused are refused, not the server: the next render goes through.
    assert_eq!(get(&o, "/api/reports/a/render?format=pdf", &o.a).status, 200);
}

#[test]
fn an_alias_bomb_is_422_and_the_server_keeps_serving() {
    let o = office();
    let bomb = hostile::alias_bomb_yaml();
    let t = Instant::now();
    let r = request(o.addr, "POST", "/api/check", Some(&o.a), &[], bomb.as_bytes());
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    let v = chinese_first(&r);
    assert_eq!(v["error"], "too-complex");
    assert_eq!(v["diagnostics"][0]["code"], "E-Y3", "{v}");
    let v0 = version(&o, "a", &o.a);
    assert_eq!(put(&o, "a", &o.a, Some(&v0), &bomb).status, 422);
    assert_eq!(std::fs::read_to_string(o.root.join("a.yaml")).unwrap(), EXAMPLE);
    assert!(t.elapsed() < Duration::from_secs(20), "took {:?}", t.elapsed());
    assert_eq!(get(&o, "/api/reports", &o.a).status, 200);
}

#[test]
fn every_refusal_is_json_with_a_chinese_first_message_and_no_path() {
    // (A body over its cap: tests/serve.rs `too_large_bodies_are_413`.)
    let o = office();
    let v0 = version(&o, "a", &o.a);
    // JSON that does not parse, a route that does not exist, a method it does not take.
    let r = request(
        o.addr,
        "POST",
        "/api/reports/a/form/check",
        Some(&o.a),
        &[("Content-Type", "application/json")],
        b"{not json",
    );
    assert!(r.status == 400 || r.status == 422, "{}", r.status);
    assert_eq!(chinese_first(&r)["error"], "bad-request");
    let r = get(&o, "/api/no-such-route", &o.a);
    assert_eq!(r.status, 404);
    assert_eq!(chinese_first(&r)["error"], "not-found");
    let r = request(o.addr, "DELETE", "/api/reports/a", Some(&o.a), &[], b"");
    assert_eq!(r.status, 405);
    assert_eq!(chinese_first(&r)["error"], "method-not-allowed");
    assert!(r.header("allow").is_some());
    // A server error (the history cannot be written) names no path and no OS error.
    let state = o.root.join(".nianbao");
    std::fs::create_dir_all(&state).unwrap();
    let _ = std::fs::remove_dir_all(state.join("history"));
    std::fs::write(state.join("history"), b"not a folder").unwrap();
    let r = put(&o, "a", &o.a, Some(&v0), &EXAMPLE.replace("嵊泗", "嵊泗县"));
    assert_eq!(r.status, 500, "{}", String::from_utf8_lossy(&r.body));
    let text = String::from_utf8_lossy(&r.body).into_owned();
    assert_eq!(chinese_first(&r)["error"], "internal");
    let root = o.root.display().to_string();
    for leak in [root.as_str(), "/tmp", ".nianbao", "history", "os error", "panicked"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

#[test]
fn listening_beyond_loopback_warns_that_tls_must_be_in_front() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), EXAMPLE).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["serve", "--listen", "0.0.0.0:0"])
        .arg(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        lines.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = lines.concat();
    let zh = text.find("警告").unwrap_or_else(|| panic!("no warning: {text}"));
    let en = text.find("warning:").unwrap_or_else(|| panic!("no English: {text}"));
    assert!(zh < en && text.contains("TLS") && text.contains("nginx"), "{text}");
    // On loopback there is nothing to warn about.
    let lo: SocketAddr = "127.0.0.1:8080".parse().unwrap();
    assert!(nianbao::serve::exposure_warning(lo).is_none());
    assert!(nianbao::serve::exposure_warning("[::]:8080".parse().unwrap()).is_some());
}
