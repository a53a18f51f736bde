//! `nianbao serve` (issue #18) over HTTP: a server on port 0 in the test process (and the
//! built binary once), driven by a plain HTTP/1.1 client on `std::net`.

use crate::serve_support;

use nianbao::serve::{Store, issue_tokens, version_of};
use serve_support::{EXAMPLE, get, office, put, request, version};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Barrier};

#[test]
fn tokens_are_random_and_only_their_hashes_are_stored() {
    let o = office();
    let c = serve_support::db(&o.root);
    let mut q =
        c.prepare("SELECT lower(hex(hash)) || ' ' || ifnull(unit, '') FROM tokens").unwrap();
    let rows: Vec<String> = q.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let stored = rows.join("\n");
    for t in [&o.admin, &o.a, &o.b] {
        assert_eq!(t.len(), 64, "256 bits as hex");
        assert!(!stored.contains(t.as_str()), "a token itself is never stored");
        assert!(stored.contains(&version_of(t.as_bytes())), "its SHA-256 is");
    }
    assert!(o.a != o.b && o.a != o.admin);
}

#[test]
fn a_unit_token_sees_only_its_own_unit() {
    let o = office();
    let list = get(&o, "/api/reports", &o.a);
    assert_eq!(list.status, 200);
    let list = list.json();
    let ids: Vec<&str> =
        list.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a"]);
    assert_eq!(list[0]["unit"], "嵊泗县人民政府办公室");
    assert_eq!(list[0]["year"], 2024);
    assert_eq!(list[0]["status"], "passed");

    let mine = get(&o, "/api/reports/a", &o.a);
    assert_eq!(mine.status, 200);
    let v = mine.json();
    assert!(v["yaml"].as_str().unwrap().contains("嵊泗县人民政府办公室"));
    assert_eq!(mine.header("etag").unwrap(), format!("\"{}\"", v["version"].as_str().unwrap()));

    // Another unit's report: 404, the same as no report, and never its content.
    for path in [
        "/api/reports/sub~b",
        "/api/reports/sub~b/render?format=pdf",
        "/api/reports/sub~b/history",
        "/api/reports/nothing",
    ] {
        let r = get(&o, path, &o.a);
        assert_eq!(r.status, 404, "{path}");
        assert!(!String::from_utf8_lossy(&r.body).contains("菜园镇"), "{path}");
    }
    let before = std::fs::read(o.root.join("sub/b.yaml")).unwrap();
    let v_b = version(&o, "sub~b", &o.b);
    let r = put(&o, "sub~b", &o.a, Some(&v_b), EXAMPLE);
    assert_eq!(r.status, 404);
    assert_eq!(std::fs::read(o.root.join("sub/b.yaml")).unwrap(), before, "untouched");

    // The office sees both.
    let all = get(&o, "/api/reports", &o.admin).json();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(get(&o, "/api/reports/sub~b", &o.admin).status, 200);
}

#[test]
fn a_missing_or_wrong_token_is_401() {
    let o = office();
    let none = request(o.addr, "GET", "/api/reports", None, &[], b"");
    assert_eq!(none.status, 401);
    let t = std::time::Instant::now();
    let wrong = get(&o, "/api/reports/a", &"0".repeat(64));
    assert_eq!(wrong.status, 401);
    assert!(t.elapsed() >= nianbao::serve::BAD_TOKEN_DELAY, "a bad token is slowed");
    assert!(!String::from_utf8_lossy(&wrong.body).contains("嵊泗"));
    let basic = request(
        o.addr,
        "GET",
        "/api/reports",
        None,
        &[("Authorization", &format!("Basic {}", o.a))],
        b"",
    );
    assert_eq!(basic.status, 401);
    // Re-issuing revokes the old tokens at once.
    issue_tokens(&Store::new(&o.root).unwrap()).unwrap();
    assert_eq!(get(&o, "/api/reports", &o.a).status, 401);
}

#[test]
fn a_save_needs_the_current_version_and_is_kept_in_the_history() {
    let o = office();
    let v0 = version(&o, "a", &o.a);
    let edited = EXAMPLE.replace("licensing: 0", "licensing: 3");

    let r = put(&o, "a", &o.a, None, &edited);
    assert_eq!(r.status, 428, "a save must say which version it started from");

    let r = put(&o, "a", &o.a, Some(&v0), &edited);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v1 = r.json()["version"].as_str().unwrap().to_string();
    assert_ne!(v1, v0);
    let on_disk = std::fs::read(o.root.join("a.yaml")).unwrap();
    assert_eq!(version_of(&on_disk), v1, "the version is the file's hash");
    let text = String::from_utf8(on_disk).unwrap();
    assert!(text.contains("licensing: 3"), "{text}");
    // Written through the Report → YAML writer: label comments.
    assert!(text.contains("# "), "emit_yaml's comments");

    // Stale: 409 with the newer version to offer.
    let r = put(&o, "a", &o.a, Some(&v0), &EXAMPLE.replace("licensing: 0", "licensing: 4"));
    assert_eq!(r.status, 409);
    let v = r.json();
    assert_eq!(v["version"], v1.as_str());
    assert!(v["yaml"].as_str().unwrap().contains("licensing: 3"));
    assert_eq!(version_of(&std::fs::read(o.root.join("a.yaml")).unwrap()), v1, "not overwritten");

    let h = get(&o, "/api/reports/a/history", &o.a).json();
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!((h[0]["version"].as_str(), h[0]["who"].as_str()), (Some(v0.as_str()), Some("disk")));
    assert_eq!(
        (h[1]["version"].as_str(), h[1]["who"].as_str()),
        (Some(v1.as_str()), Some("unit:a.yaml"))
    );
    assert_eq!(h[1]["parent"], v0.as_str());
    assert!(h[1]["at"].as_u64().unwrap() > 1_700_000_000);
    let kept = std::fs::read(o.root.join(format!(".nianbao/history/a.yaml/{v0}.yaml"))).unwrap();
    assert_eq!(kept, EXAMPLE.as_bytes(), "the first version is kept as it was");

    // Restoring the first version: fetch it from the history, save it on top.
    let old = get(&o, &format!("/api/reports/a/history/{v0}"), &o.a);
    assert_eq!(old.status, 200);
    assert_eq!(old.body, EXAMPLE.as_bytes());
    let r = put(&o, "a", &o.a, Some(&v1), std::str::from_utf8(&old.body).unwrap());
    assert_eq!(r.status, 200);
    let text = std::fs::read_to_string(o.root.join("a.yaml")).unwrap();
    assert!(text.contains("licensing: 0"), "restored (through the writer)");
    assert_eq!(get(&o, "/api/reports/a/history/0123", &o.a).status, 404);
    assert_eq!(get(&o, &format!("/api/reports/sub~b/history/{v0}"), &o.a).status, 404);
}

#[test]
fn a_hand_edit_on_disk_is_picked_up_not_overwritten() {
    let o = office();
    let v0 = version(&o, "a", &o.a);
    let hand = EXAMPLE.replace("licensing: 0", "licensing: 9");
    std::fs::write(o.root.join("a.yaml"), &hand).unwrap();
    let r = put(&o, "a", &o.a, Some(&v0), &EXAMPLE.replace("licensing: 0", "licensing: 5"));
    assert_eq!(r.status, 409);
    assert_eq!(std::fs::read_to_string(o.root.join("a.yaml")).unwrap(), hand);
    let now = get(&o, "/api/reports/a", &o.a).json();
    assert_eq!(now["version"], version_of(hand.as_bytes()).as_str());
    assert!(now["yaml"].as_str().unwrap().contains("licensing: 9"));
    // Saving on top of the hand edit keeps the hand edit in the history.
    let v_hand = now["version"].as_str().unwrap().to_string();
    assert_eq!(put(&o, "a", &o.a, Some(&v_hand), EXAMPLE).status, 200);
    let h = get(&o, "/api/reports/a/history", &o.a).json();
    assert!(
        h.as_array().unwrap().iter().any(|e| e["version"] == v_hand.as_str() && e["who"] == "disk")
    );
}

#[test]
fn a_draft_with_errors_is_saved_and_does_not_render() {
    let o = office();
    let v0 = version(&o, "a", &o.a);
    let broken = EXAMPLE.replace("licensing: 0", "licensing: -1");
    let r = put(&o, "a", &o.a, Some(&v0), &broken);
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["status"], "errors");
    assert!(!v["diagnostics"].as_array().unwrap().is_empty());
    assert!(
        std::fs::read_to_string(o.root.join("a.yaml")).unwrap().contains("licensing: -1"),
        "kept as typed"
    );
    for format in ["pdf", "docx", "html"] {
        let r = get(&o, &format!("/api/reports/a/render?format={format}"), &o.a);
        assert_eq!(r.status, 422, "{format}");
        let d = r.json();
        let codes: Vec<&str> = d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert!(codes.iter().any(|c| c.starts_with("E-")), "{codes:?}");
    }
}

#[test]
fn render_gives_pdf_docx_and_html() {
    let o = office();
    let pdf = get(&o, "/api/reports/a/render?format=pdf", &o.a);
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with(b"%PDF-"));
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let docx = get(&o, "/api/reports/a/render?format=docx", &o.a);
    assert_eq!(docx.status, 200);
    assert!(docx.body.starts_with(b"PK"));
    let html = get(&o, "/api/reports/a/render?format=html", &o.a);
    assert_eq!(html.status, 200);
    assert!(String::from_utf8_lossy(&html.body).contains("嵊泗县人民政府办公室"));
    assert_eq!(get(&o, "/api/reports/a/render?format=odt", &o.a).status, 400);
}

/// A unit's 图解 downloads as the long PNG (1080 px wide), the SVG and the A4 pages, named
/// after the report (`….tujie.png`).
#[test]
fn render_gives_the_tujie() {
    let o = office();
    let png = get(&o, "/api/reports/a/render?format=tujie.png", &o.a);
    assert_eq!(png.status, 200);
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert!(png.body.starts_with(b"\x89PNG"));
    assert_eq!(u32::from_be_bytes(png.body[16..20].try_into().unwrap()), 1080);
    let disposition = png.header("content-disposition").unwrap_or_default();
    assert!(disposition.contains(".tujie.png"), "{disposition}");
    let pdf = get(&o, "/api/reports/a/render?format=tujie.pdf", &o.a);
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with(b"%PDF-"));
    let svg = get(&o, "/api/reports/a/render?format=tujie.svg", &o.a);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(
        String::from_utf8_lossy(&svg.body).contains("data-key=\"applications.received.total\"")
    );
}

#[test]
fn too_large_bodies_are_413() {
    let o = office();
    let v0 = version(&o, "a", &o.a);
    let big = "#".repeat(nianbao::io::limits::REPORT as usize + 1);
    let r = put(&o, "a", &o.a, Some(&v0), &big);
    assert_eq!(r.status, 413);
    // The refusal the form shows, Chinese first (axum's own was English text, #29).
    let v = r.json();
    assert_eq!(v["error"], "too-large");
    assert!(v["message"].as_str().unwrap().starts_with("请求内容超过大小上限"), "{v}");
    let r = request(o.addr, "POST", "/api/check", Some(&o.a), &[], big.as_bytes());
    assert_eq!(r.status, 413);
    assert_eq!(std::fs::read_to_string(o.root.join("a.yaml")).unwrap(), EXAMPLE);
}

fn without_file(v: &serde_json::Value) -> serde_json::Value {
    let mut v = v.clone();
    if let Some(a) = v.as_array_mut() {
        for d in a {
            if let Some(o) = d.as_object_mut() {
                o.remove("file");
            }
        }
    }
    v
}

#[test]
fn check_answers_as_the_cli_does() {
    let o = office();
    let broken = EXAMPLE
        .replace("received:         [7, 0, 0, 0, 0, 0]", "received:         [8, 0, 0, 0, 0, 0]");
    assert_ne!(broken, EXAMPLE);
    let r = request(o.addr, "POST", "/api/check", Some(&o.a), &[], broken.as_bytes());
    assert_eq!(r.status, 200);
    let served = r.json();
    assert_eq!(served[0]["ok"], false);

    let file = o.root.join("cli-copy.yaml");
    std::fs::write(&file, &broken).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cli[0]["ok"], served[0]["ok"]);
    let (a, b) = (without_file(&cli[0]["diagnostics"]), without_file(&served[0]["diagnostics"]));
    assert!(!a.as_array().unwrap().is_empty());
    assert_eq!(a, b, "the same diagnostics as `nianbao check --format json`");
}

/// 20 clients save one report from the same version at once, three rounds: exactly one wins
/// each round, the others get 409, and the file is always one whole version.
#[test]
fn twenty_concurrent_saves_exactly_one_wins_per_version() {
    let o = Arc::new(office());
    let mut version_now = version(&o, "a", &o.a);
    for round in 0..3 {
        let barrier = Arc::new(Barrier::new(20));
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let (o, barrier, started) = (o.clone(), barrier.clone(), version_now.clone());
                std::thread::spawn(move || {
                    let body = EXAMPLE
                        .replace("licensing: 0", &format!("licensing: {}", round * 100 + i + 1));
                    barrier.wait();
                    let r = put(&o, "a", &o.a, Some(&started), &body);
                    (r.status, r.json()["version"].as_str().unwrap_or_default().to_string())
                })
            })
            .collect();
        let results: Vec<(u16, String)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners: Vec<&(u16, String)> = results.iter().filter(|r| r.0 == 200).collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        assert_eq!(results.iter().filter(|r| r.0 == 409).count(), 19);
        let won = winners[0].1.clone();
        assert!(results.iter().filter(|r| r.0 == 409).all(|r| r.1 == won), "409s name the winner");
        let on_disk = std::fs::read(o.root.join("a.yaml")).unwrap();
        assert_eq!(version_of(&on_disk), won, "no torn file");
        assert!(nianbao::check_bytes(Path::new("a.yaml"), on_disk).is_ok());
        version_now = won;
    }
    let h = get(&o, "/api/reports/a/history", &o.a).json();
    assert_eq!(h.as_array().unwrap().len(), 4, "the version on disk and one per round");
}

/// The binary: `--issue-tokens` prints each token once, `serve` listens on loopback.
#[test]
fn the_binary_issues_tokens_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), EXAMPLE).unwrap();
    let bin = env!("CARGO_BIN_EXE_nianbao");
    let out = std::process::Command::new(bin)
        .args(["serve", "--issue-tokens"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token_of = |who: &str| -> String {
        let line =
            stdout.lines().find(|l| l.starts_with(who)).unwrap_or_else(|| panic!("{stdout}"));
        line.rsplit("token=").next().unwrap().to_string()
    };
    let a = token_of("a.yaml");
    assert!(stdout.contains("http://127.0.0.1:8080/?token="), "{stdout}");

    let mut child = std::process::Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let addr: SocketAddr = line
        .trim()
        .rsplit("http://")
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|e| panic!("{e}: {line}"));
    assert!(addr.ip().is_loopback());
    let r = request(addr, "GET", "/api/reports", Some(&a), &[], b"");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()[0]["id"], "a");
}

/// Issue #28: the report holds its `dismissed:` list, so a save with one goes through the one
/// Report → YAML writer like any other (before, it was kept as typed: the writer had no place
/// for it). An entry the report cannot hold (W-Z2) still keeps the file as typed.
#[test]
fn a_dismissed_list_goes_through_the_writer() {
    let o = office();
    let v0 = version(&o, "a", &o.a);
    let body = format!(
        "{EXAMPLE}\ndismissed:\n  - code: W-A1\n    at: overview\n    reason: 已与业务科室核实\n"
    );
    let r = put(&o, "a", &o.a, Some(&v0), &body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let saved = std::fs::read_to_string(o.root.join("a.yaml")).unwrap();
    assert!(saved.contains("# 已复核的审核提示"), "written by the writer: {saved}");
    let loaded = nianbao::check_bytes(std::path::Path::new("a.yaml"), saved.clone().into_bytes());
    let dismissed = &loaded.report.as_ref().expect("loads").dismissed;
    assert_eq!(dismissed.len(), 1, "{saved}");
    assert_eq!(
        (dismissed[0].code.as_str(), dismissed[0].at.as_deref(), dismissed[0].reason.as_str()),
        ("W-A1", Some("overview"), "已与业务科室核实")
    );
    // No reason: the entry cannot be used, the report does not hold it, the file stays as typed.
    let v1 = version(&o, "a", &o.a);
    let unusable = format!("{EXAMPLE}\ndismissed:\n  - code: W-A1\n    at: overview\n");
    let r = put(&o, "a", &o.a, Some(&v1), &unusable);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(std::fs::read_to_string(o.root.join("a.yaml")).unwrap(), unusable);
}

/// kill -9 of the server while clients save: the file is always a whole version the history
/// knows (or the first one), and the server starts again on it.
#[test]
fn kill_9_during_saves_leaves_a_whole_version() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("a.yaml"), EXAMPLE).unwrap();
    let issued = issue_tokens(&Store::new(&root).unwrap()).unwrap();
    let token = issued.iter().find(|i| i.unit.is_some()).unwrap().token.clone();
    let mut total = 0;
    for (round, wait_ms) in [150u64, 400, 900].into_iter().enumerate() {
        let (mut child, addr) = serve_support::spawn_server(&root);
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let saver = {
            let (token, stop) = (token.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut saved = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let n = round as u64 * 10_000 + u64::from(saved) + 1;
                    match serve_support::save_licensing(addr, &token, n) {
                        Some(Ok(_)) => saved += 1,
                        Some(Err(status)) => panic!("a save failed: {status}"),
                        None => break,
                    }
                }
                saved
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let saved = saver.join().unwrap();
        let on_disk = std::fs::read(root.join("a.yaml")).unwrap();
        let v = version_of(&on_disk);
        let log = serve_support::history_versions(&root, "a.yaml");
        assert!(
            v == version_of(EXAMPLE.as_bytes()) || log.contains(&v),
            "round {round}: a version nobody saved"
        );
        assert!(
            nianbao::check_bytes(Path::new("a.yaml"), on_disk).is_ok(),
            "round {round}: torn file"
        );
        eprintln!("round {round}: killed after {wait_ms} ms, {saved} saves");
        total += saved;
    }
    assert!(total > 0, "the server was killed while saves were going on");
}

#[test]
fn uploads_go_to_the_units_own_folder_and_within_the_limits() {
    let o = office();
    let seal = include_bytes!("../examples/demo-seal.png");
    let up = |id: &str, token: &str, query: &str, body: &[u8]| {
        let path = format!("/api/reports/{id}/files?{query}");
        request(o.addr, "POST", &path, Some(token), &[], body)
    };
    let r = up("sub~b", &o.b, "kind=seal&name=seal.png", seal);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["name"], "b.files/seal/seal.png", "as the report names it");
    assert_eq!(std::fs::read(o.root.join("sub/b.files/seal/seal.png")).unwrap(), seal);
    assert!(r.json()["width"].as_u64().unwrap() > 0);
    // The report can name it now, and renders with it.
    let v = version(&o, "sub~b", &o.b);
    let body = std::fs::read_to_string(o.root.join("sub/b.yaml")).unwrap()
        + "\nsignature:\n  seal: b.files/seal/seal.png\n";
    let r = put(&o, "sub~b", &o.b, Some(&v), &body);
    assert_eq!(r.json()["status"], "passed", "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(get(&o, "/api/reports/sub~b/render?format=pdf", &o.b).status, 200);

    for name in [
        "..%2Fa.png",
        "%2Fetc%2Fx.png",
        "sub%2F..%2F..%2Fx.png",
        "x.yaml",
        ".nianbao%2Fx.png",
        "",
        ".png",
        "a%5Cb.png",
        "a%0Ab.png",
    ] {
        assert_eq!(up("sub~b", &o.b, &format!("name={name}"), seal).status, 400, "{name}");
    }
    assert_eq!(up("sub~b", &o.b, "kind=report&name=x.png", seal).status, 400);
    assert!(!o.root.join("a.png").exists());
    // A link planted where a unit's own folder goes is not written through.
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), o.root.join("a.files")).unwrap();
    assert_eq!(up("a", &o.a, "name=x.png", seal).status, 400);
    assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
    std::fs::remove_file(o.root.join("a.files")).unwrap();

    assert_eq!(up("sub~b", &o.b, "name=bad.png", b"not an image").status, 422);
    let mut wide = Vec::new();
    image::GrayImage::new(12_001, 1)
        .write_to(&mut std::io::Cursor::new(&mut wide), image::ImageFormat::Png)
        .unwrap();
    let r = up("sub~b", &o.b, "name=wide.png", &wide);
    assert_eq!(r.status, 422, "pixel limit");
    assert!(!o.root.join("sub/b.files/figures/wide.png").exists());
    let big = vec![0u8; nianbao::io::limits::IMAGE as usize + 1];
    assert_eq!(up("sub~b", &o.b, "name=big.png", &big).status, 413);
    // Nothing half-written is left behind by the refusals.
    let left: Vec<_> = std::fs::read_dir(o.root.join("sub/b.files/figures"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // Another unit's report: 404.
    assert_eq!(up("sub~b", &o.a, "name=seal.png", seal).status, 404);
    assert_eq!(up("a", &o.a, "name=seal.png", seal).status, 201);
}
