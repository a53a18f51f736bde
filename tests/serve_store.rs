//! `nianbao serve`'s store under hostile and crowded use (issue #29): units that share a folder
//! keep their own files, uploads keep their Chinese names, one server per folder, saves that
//! hold across processes, `x.yaml` beside `x.yml`, kill -9 with the database checked after,
//! one clerk's session flood, and the history's quota. Hostile inputs are built at run time.

use crate::serve_support;

use nianbao::serve::{
    HISTORY_KEEP_NEWEST, HISTORY_MAX_BYTES, HISTORY_MAX_ENTRIES, SESSIONS_PER_CALLER, Store,
    issue_tokens, start, version_of,
};
use serve_support::{
    EXAMPLE, db, get, history_versions, login, put, request, town, try_request, version,
    with_session,
};
use std::sync::Arc;

/// Percent-encoding of every byte (what a browser's `encodeURIComponent` does to CJK).
fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A PNG of `n`×`n` pixels in one colour: distinct bytes for each test image.
fn png(n: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(n, n, image::Rgb(rgb));
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

fn upload(
    o: &serve_support::Office,
    id: &str,
    token: &str,
    query: &str,
    body: &[u8],
) -> serve_support::Resp {
    let path = format!("/api/reports/{}/files?{query}", pct(id));
    request(o.addr, "POST", &path, Some(token), &[], body)
}

/// The report of `rel` with a seal and a figure named, saved through the API.
fn name_images(
    o: &serve_support::Office,
    id: &str,
    token: &str,
    rel: &str,
    seal: &str,
    figure: &str,
) -> serve_support::Resp {
    let v = version(o, &pct(id), token);
    let unit =
        if rel.ends_with("a.yaml") { "某某镇人民政府" } else { "另一镇人民政府" };
    let yaml = EXAMPLE.replace("嵊泗县人民政府办公室", unit)
        + &format!("  - image: {figure}\n    caption: 图一\n    alt: 柱状图\n")
        + &format!("signature:\n  seal: {seal}\n");
    put(o, &pct(id), token, Some(&v), &yaml)
}

#[test]
fn units_in_one_folder_keep_their_own_images_under_their_chinese_names() {
    let o = &town();
    let (seal_a, fig_a, seal_b, fig_b) =
        (png(60, [200, 0, 0]), png(50, [0, 0, 200]), png(61, [0, 150, 0]), png(51, [90, 90, 0]));
    // Both clerks upload 公章.png as the seal and 图一.png as the figure.
    let mut named = Vec::new();
    for (id, token, seal, fig) in
        [("乡镇~a", &o.a, &seal_a, &fig_a), ("乡镇~b", &o.b, &seal_b, &fig_b)]
    {
        let r = upload(o, id, token, &format!("kind=seal&name={}", pct("公章.png")), seal);
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        let s = r.json()["name"].as_str().unwrap().to_string();
        let r = upload(o, id, token, &format!("kind=figure&name={}", pct("图一.png")), fig);
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        let f = r.json()["name"].as_str().unwrap().to_string();
        named.push((s, f));
    }
    assert_eq!(
        named[0],
        ("a.files/seal/公章.png".to_string(), "a.files/figures/图一.png".to_string())
    );
    assert_eq!(
        named[1],
        ("b.files/seal/公章.png".to_string(), "b.files/figures/图一.png".to_string())
    );
    assert_eq!(std::fs::read(o.root.join("乡镇/a.files/seal/公章.png")).unwrap(), seal_a);
    assert_eq!(std::fs::read(o.root.join("乡镇/a.files/figures/图一.png")).unwrap(), fig_a);
    assert_eq!(std::fs::read(o.root.join("乡镇/b.files/seal/公章.png")).unwrap(), seal_b);

    // The name given in a Content-Disposition's filename* (RFC 5987) works too; a second
    // upload of a name never replaces the first unless asked.
    let cd = format!("attachment; filename*=UTF-8''{}", pct("公章.png"));
    let r = request(
        o.addr,
        "POST",
        &format!("/api/reports/{}/files?kind=seal", pct("乡镇~a")),
        Some(&o.a),
        &[("Content-Disposition", &cd)],
        &fig_a,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["name"], "a.files/seal/公章-2.png");
    assert_eq!(std::fs::read(o.root.join("乡镇/a.files/seal/公章.png")).unwrap(), seal_a, "kept");
    let r = upload(
        o,
        "乡镇~a",
        &o.a,
        &format!("kind=seal&replace=true&name={}", pct("公章-2.png")),
        &seal_a,
    );
    assert_eq!(r.json()["name"], "a.files/seal/公章-2.png");
    assert_eq!(
        std::fs::read(o.root.join("乡镇/a.files/seal/公章-2.png")).unwrap(),
        seal_a,
        "replaced when asked"
    );

    // Each report names its own; each renders with its own images.
    for (i, (id, token, rel)) in
        [("乡镇~a", &o.a, "乡镇/a.yaml"), ("乡镇~b", &o.b, "乡镇/b.yaml")].into_iter().enumerate()
    {
        let r = name_images(o, id, token, rel, &named[i].0, &named[i].1);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.json()["status"], "passed", "{}", String::from_utf8_lossy(&r.body));
    }
    // A's report naming B's seal: refused by the check, and it does not render.
    let r = name_images(
        o,
        "乡镇~a",
        &o.a,
        "乡镇/a.yaml",
        "b.files/seal/公章.png",
        "a.files/figures/图一.png",
    );
    assert_eq!(r.status, 200, "a draft is saved");
    assert_eq!(r.json()["status"], "errors", "{}", String::from_utf8_lossy(&r.body));
    let body = String::from_utf8_lossy(&r.body);
    assert!(body.contains("另一份报告的文件夹"), "{body}");
    let pdf = get(o, &format!("/api/reports/{}/render?format=pdf", pct("乡镇~a")), &o.a);
    assert_eq!(pdf.status, 422);
    // Nor through the CLI's confined batch.
    let confined = nianbao::world::FsResources::for_report(&o.root.join("乡镇/a.yaml"), true);
    use nianbao::world::Resources;
    assert!(confined.read("b.files/seal/公章.png", 1 << 20).is_err());
    assert!(confined.read("a.files/seal/公章.png", 1 << 20).is_ok());

    // Downloads are named after the unit and year.
    let pdf = get(o, &format!("/api/reports/{}/render?format=pdf", pct("乡镇~b")), &o.b);
    assert_eq!(pdf.status, 200);
    let cd = pdf.header("content-disposition").unwrap();
    let want = pct("另一镇人民政府2024年度政府信息公开工作年度报告.pdf");
    assert!(cd.contains(&format!("filename*=UTF-8''{want}")), "{cd}");
}

#[test]
fn x_yaml_and_x_yml_are_never_one_unit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("x.yml"), EXAMPLE).unwrap();
    let issued = issue_tokens(&Store::new(root).unwrap()).unwrap();
    let admin = issued.iter().find(|i| i.unit.is_none()).unwrap().token.clone();
    let running = start(root, "127.0.0.1:0").unwrap();
    let addr = running.addr;
    std::mem::forget(running);
    // A save of x.yml: a history for it.
    let r = request(addr, "GET", "/api/reports/x", Some(&admin), &[], b"");
    assert_eq!(r.status, 200);
    let v = r.json()["version"].as_str().unwrap().to_string();
    let quoted = format!("\"{v}\"");
    let edited = EXAMPLE.replace("licensing: 0", "licensing: 2");
    let r = request(
        addr,
        "PUT",
        "/api/reports/x",
        Some(&admin),
        &[("If-Match", &quoted)],
        edited.as_bytes(),
    );
    assert_eq!(r.status, 200);
    // The office cannot create x.yaml beside it.
    let body = r#"{"file": "x.yaml", "unit": "新单位", "year": 2025}"#.as_bytes();
    let r = request(
        addr,
        "POST",
        "/api/units",
        Some(&admin),
        &[("Content-Type", "application/json")],
        body,
    );
    assert_eq!(r.status, 409, "{}", String::from_utf8_lossy(&r.body));
    assert!(!root.join("x.yaml").exists());
    // Made by hand: neither file is served as `x`, and the new file never gets x.yml's history.
    std::fs::write(root.join("x.yaml"), EXAMPLE).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2200));
    let r = request(addr, "GET", "/api/reports/x/history", Some(&admin), &[], b"");
    assert_eq!(r.status, 404);
    let list = request(addr, "GET", "/api/reports", Some(&admin), &[], b"").json();
    assert!(list.as_array().unwrap().is_empty(), "{list}");
    assert!(history_versions(root, "x.yaml").is_empty());
    assert_eq!(history_versions(root, "x.yml").len(), 2);
    // Removing x.yml leaves x.yaml as `x`, with no history of x.yml's.
    std::fs::remove_file(root.join("x.yml")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2200));
    let r = request(addr, "GET", "/api/reports/x/history", Some(&admin), &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.json().as_array().unwrap().is_empty(), "{}", r.json());
}

#[test]
fn a_second_server_on_one_folder_is_refused_and_a_killed_ones_lock_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("a.yaml"), EXAMPLE).unwrap();
    issue_tokens(&Store::new(&root).unwrap()).unwrap();
    // A server in another process, killed with SIGKILL: its lock goes with it.
    let bin = env!("CARGO_BIN_EXE_nianbao");
    let (mut child, _) = serve_support::spawn_server(&root);
    let refused = start(&root, "127.0.0.1:0").unwrap_err();
    assert!(refused.contains("另一个 nianbao serve"), "{refused}");
    assert!(refused.contains(&child.id().to_string()), "names the holder's pid: {refused}");
    child.kill().unwrap();
    child.wait().unwrap();
    let running = start(&root, "127.0.0.1:0").expect("a stale lock is taken over");
    let again = start(&root, "127.0.0.1:0").unwrap_err();
    assert!(again.contains(&std::process::id().to_string()), "{again}");
    // The binary says so too, and exits.
    let out = std::process::Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one server per folder"));
    std::mem::forget(running);
}

/// Two processes' stores saving one unit (as two servers, or a server and a script, would):
/// every save answered is in the history's chain, each built on the one before it.
#[test]
fn saves_from_two_stores_never_overwrite_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("a.yaml"), EXAMPLE).unwrap();
    let stores = [Store::new(&root).unwrap(), Store::new(&root).unwrap()];
    let barrier = Arc::new(std::sync::Barrier::new(8));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let store = stores[w % 2].clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let unit = store.unit("a").unwrap();
                barrier.wait();
                let mut won = Vec::new();
                // 8 × 20 saves at most: under the history's 200-version quota, so none of the
                // answered saves is thinned out of the chain this test reads.
                for i in 0..20 {
                    let (_, started) = store.read(&unit).unwrap();
                    let body = EXAMPLE
                        .replace("licensing: 0", &format!("licensing: {}", w * 1000 + i + 1));
                    if let Ok(v) = store.save(&unit, &started, body.as_bytes(), &format!("w{w}"), 1)
                    {
                        won.push(v);
                    }
                }
                won
            })
        })
        .collect();
    let won: Vec<String> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    assert!(won.len() > 8, "some saves went through: {}", won.len());
    let unit = stores[0].unit("a").unwrap();
    let history = stores[0].history(&unit);
    for pair in history.windows(2) {
        assert_eq!(pair[1].parent, pair[0].version, "a save replaced a version it never saw");
    }
    let saved: Vec<&String> =
        history.iter().filter(|h| h.who != "disk").map(|h| &h.version).collect();
    assert_eq!(saved.len(), won.len(), "every answered save is in the history, once");
    let on_disk = version_of(&std::fs::read(root.join("a.yaml")).unwrap());
    assert_eq!(&on_disk, &history.last().unwrap().version);
}

/// A hand edit made after a client read the report: that client's save is a 409, and the hand
/// edit stays.
#[test]
fn a_save_racing_a_hand_edit_is_a_conflict() {
    let o = &town();
    let path = o.root.join("乡镇/a.yaml");
    for round in 0..20 {
        let v = version(o, &pct("乡镇~a"), &o.a);
        let hand = EXAMPLE.replace("licensing: 0", &format!("licensing: {}", 500 + round));
        // The editor writes as editors do: a new file renamed over the old.
        let tmp = o.root.join("乡镇/.edit.tmp");
        std::fs::write(&tmp, &hand).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        let r = put(
            o,
            &pct("乡镇~a"),
            &o.a,
            Some(&v),
            &EXAMPLE.replace("licensing: 0", "licensing: 1"),
        );
        assert_eq!(r.status, 409, "round {round}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), hand, "round {round}");
    }
}

/// kill -9 of the server while clients save: the database is consistent, every save answered
/// 200 is in the history, and the file is the newest of them (or a later one not yet answered).
#[test]
fn kill_9_during_saves_loses_no_answered_save_and_the_database_checks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("a.yaml"), EXAMPLE).unwrap();
    let issued = issue_tokens(&Store::new(&root).unwrap()).unwrap();
    let token = issued.iter().find(|i| i.unit.is_some()).unwrap().token.clone();
    for (round, wait_ms) in [300u64, 700, 1100].into_iter().enumerate() {
        let (mut child, addr) = serve_support::spawn_server(&root);
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let savers: Vec<_> = (0..4)
            .map(|w| {
                let (token, stop) = (token.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut answered = Vec::new();
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        n += 1;
                        let licensing = round * 100_000 + w * 10_000 + n;
                        match serve_support::save_licensing(addr, &token, licensing as u64) {
                            Some(Ok(version)) => answered.push(version),
                            Some(Err(_)) => {}
                            None => break,
                        }
                    }
                    answered
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let answered: Vec<String> = savers.into_iter().flat_map(|s| s.join().unwrap()).collect();
        let c = db(&root);
        let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok", "round {round}");
        let history = history_versions(&root, "a.yaml");
        let at = |v: &str| history.iter().rposition(|h| h == v);
        for v in &answered {
            assert!(at(v).is_some(), "round {round}: an answered save is not in the history");
        }
        let on_disk = version_of(&std::fs::read(root.join("a.yaml")).unwrap());
        if history.is_empty() {
            assert_eq!(on_disk, version_of(EXAMPLE.as_bytes()), "round {round}: nothing saved yet");
            continue;
        }
        let disk_at = at(&on_disk).unwrap_or_else(|| {
            panic!("round {round}: the file is a version the history does not know ({} answered, {} kept)", answered.len(), history.len())
        });
        let newest_answered = answered.iter().filter_map(|v| at(v)).max();
        assert!(
            newest_answered.is_none_or(|n| disk_at >= n),
            "round {round}: the file went back behind an answered save"
        );
        eprintln!("round {round}: killed after {wait_ms} ms, {} answered saves", answered.len());
    }
}

#[test]
fn one_clerks_session_flood_logs_out_only_that_clerk() {
    let o = &town();
    let office = login(o, &o.admin);
    let other = login(o, &o.b);
    let first = login(o, &o.a);
    for _ in 0..SESSIONS_PER_CALLER + 30 {
        let r = request(o.addr, "GET", &format!("/?token={}", o.a), None, &[], b"");
        assert_eq!(r.status, 303);
    }
    let last = login(o, &o.a);
    let whoami = |s: &serve_support::Session| {
        with_session(o, s, None, "GET", "/api/session", &[], b"").status
    };
    assert_eq!(whoami(&office), 200, "the office is still logged in");
    assert_eq!(whoami(&other), 200, "another clerk is still logged in");
    assert_eq!(whoami(&last), 200);
    assert_eq!(whoami(&first), 401, "the flooding clerk's oldest session went");
    let c = db(&o.root);
    let n: i64 = c.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0)).unwrap();
    assert!(n as usize <= SESSIONS_PER_CALLER + 2, "{n} sessions kept");
    // The logins are in the audit log, with where they came from.
    let logins: i64 = c
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'login' AND ip = '127.0.0.1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(logins as usize >= SESSIONS_PER_CALLER + 33, "{logins}");
}

#[test]
fn the_history_stays_within_its_quota() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("a.yaml"), EXAMPLE).unwrap();
    let store = Store::new(&root).unwrap();
    let unit = store.unit("a").unwrap();
    // Many small saves on one day: the count is bounded, the newest kept.
    let mut saved = Vec::new();
    for i in 0..HISTORY_MAX_ENTRIES + 60 {
        let (_, v) = store.read(&unit).unwrap();
        let body = EXAMPLE.replace("licensing: 0", &format!("licensing: {}", i + 1));
        saved.push(store.save(&unit, &v, body.as_bytes(), "unit:a.yaml", 1_750_000_000).unwrap());
    }
    let h = history_versions(&root, "a.yaml");
    assert!(h.len() <= HISTORY_MAX_ENTRIES, "{} entries", h.len());
    assert_eq!(h[h.len() - HISTORY_KEEP_NEWEST..], saved[saved.len() - HISTORY_KEEP_NEWEST..]);
    let blobs = std::fs::read_dir(root.join(".nianbao/history/a.yaml")).unwrap().count();
    assert_eq!(blobs, h.len(), "a thinned version's bytes go with it");
    // Large saves: the bytes are bounded too.
    let pad = "#".repeat(1_500_000);
    for i in 0..60 {
        let (_, v) = store.read(&unit).unwrap();
        let body = format!("{EXAMPLE}\n# {i}{pad}\n");
        store.save(&unit, &v, body.as_bytes(), "unit:a.yaml", 1_750_000_000 + i).unwrap();
    }
    let size: u64 = std::fs::read_dir(root.join(".nianbao/history/a.yaml"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(size <= HISTORY_MAX_BYTES, "{size} bytes kept");
    let c = db(&root);
    let rows: i64 = c.query_row("SELECT count(*) FROM history", [], |r| r.get(0)).unwrap();
    assert!(rows as usize >= HISTORY_KEEP_NEWEST, "{rows}");
}

/// Peak resident memory of process `pid` in MiB (`VmHWM`), when /proc shows it.
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// 48 clerks upload 20 MiB at once (a flood that buffered bodies turned into a gigabyte; 150 of
/// them crashed the server before #29): the server streams each to disk under the cap, so its
/// peak memory stays a fraction of what the bodies weigh, every upload gets an answer (422: not
/// an image; 413: one byte over the cap), nothing is left behind in the unit's folder, and a
/// normal request is still answered afterwards.
#[test]
fn an_upload_flood_is_streamed_within_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("a.yaml"), EXAMPLE).unwrap();
    let issued = issue_tokens(&Store::new(&root).unwrap()).unwrap();
    let token = issued.iter().find(|i| i.unit.as_deref() == Some("a.yaml")).unwrap().token.clone();
    let (mut child, addr) = serve_support::spawn_server(&root);
    let cap = 20 << 20;
    let before = peak_rss_mib(child.id());
    let clerks: Vec<_> = (0..48)
        .map(|i| {
            let token = token.clone();
            std::thread::spawn(move || {
                // Not an image: read whole by the server, then refused. Every eighth is one
                // byte over the cap.
                let len = if i % 8 == 0 { cap + 1 } else { cap };
                let body = vec![b'x'; len];
                let path = format!("/api/reports/a/files?kind=figure&name=f{i}.png");
                try_request(addr, "POST", &path, Some(&token), &[], &body).map(|r| r.status)
            })
        })
        .collect();
    let statuses: Vec<_> = clerks.into_iter().map(|c| c.join().unwrap()).collect();
    let peak = peak_rss_mib(child.id());
    let after = try_request(addr, "GET", "/api/reports/a", Some(&token), &[], b"");
    let _ = child.kill();
    let _ = child.wait();
    for (i, s) in statuses.iter().enumerate() {
        let want = if i % 8 == 0 { 413 } else { 422 };
        match s {
            Some(status) => assert_eq!(*status, want, "upload {i}"),
            // The server may close a connection whose body is over the cap before reading it
            // all; the client then sees its write fail, which is a refusal too.
            None => assert_eq!(want, 413, "upload {i}: no answer"),
        }
    }
    assert_eq!(after.expect("answered after the flood").status, 200);
    if let (Some(before), Some(peak)) = (before, peak) {
        // The bodies weigh 48 × 20 MiB = 960 MiB; streamed, the server holds a few buffers each.
        assert!(peak < 320.0, "peak {peak:.0} MiB (before the flood {before:.0} MiB)");
        eprintln!("upload flood: server peak {peak:.0} MiB (before {before:.0} MiB)");
    }
    let left: Vec<_> = walk(&root.join("a.files"));
    assert!(left.is_empty(), "nothing of a refused upload is kept: {left:?}");
}

/// Every file below `dir` (none when it does not exist).
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] })
        .collect()
}
