//! `nianbao serve` over HTTP, the browser's side: login links and cookie sessions, CSRF,
//! slowed bad logins, the form's routes, and the office's actions (issue #18).

use crate::serve_support;

use nianbao::serve::{BAD_TOKEN_DELAY, Store, issue_tokens};
use serde_json::{Value, json};
use serve_support::{EXAMPLE, Office, get, login, office, request, version, with_session};
use std::time::{Duration, Instant};

#[test]
fn a_login_link_sets_an_http_only_strict_cookie_and_leaves_the_address() {
    let o = office();
    let r = request(o.addr, "GET", &format!("/?token={}", o.a), None, &[], b"");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/"), "the token leaves the address bar");
    let cookie = r.header("set-cookie").unwrap();
    let attrs: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attrs[0].starts_with("nianbao_session=") && attrs[0].len() == 16 + 64, "{cookie}");
    assert!(!cookie.contains(&o.a), "the cookie is not the token");
    for a in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attrs.contains(&a), "{a} in {cookie}");
    }
    let s = login(&o, &o.a);
    let who = with_session(&o, &s, None, "GET", "/api/session", &[], b"").json();
    assert_eq!((who["role"].as_str(), who["unit"].as_str()), (Some("unit"), Some("a.yaml")));
    assert_eq!(s.csrf.len(), 64);
    // The page, its script and styles, from the binary.
    let page = request(o.addr, "GET", "/", None, &[], b"");
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.body);
    assert!(html.contains("<script type=\"module\" src=\"/form.js\""), "{html}");
    assert!(page.header("content-security-policy").unwrap().contains("default-src 'self'"));
    let js = request(o.addr, "GET", "/form.js", None, &[], b"");
    assert!(js.header("content-type").unwrap().starts_with("text/javascript"));
    assert!(String::from_utf8_lossy(&js.body).contains("X-CSRF-Token"));
    // A session without a cookie is no session.
    assert_eq!(request(o.addr, "GET", "/api/session", None, &[], b"").status, 401);
}

#[test]
fn a_bad_login_link_is_401_and_repeated_ones_are_slowed() {
    let o = office();
    let bad = || {
        let t = Instant::now();
        let r = request(o.addr, "GET", &format!("/?token={}", "0".repeat(64)), None, &[], b"");
        assert_eq!(r.status, 401);
        assert!(r.header("set-cookie").is_none());
        t.elapsed()
    };
    let times: Vec<Duration> = (0..4).map(|_| bad()).collect();
    assert!(times[0] >= BAD_TOKEN_DELAY, "{times:?}");
    assert!(times[3] >= BAD_TOKEN_DELAY * 8, "the fourth waits 8 × as long: {times:?}");
    // A wrong cookie counts the same way; a good login clears the count.
    let r = request(o.addr, "GET", "/api/reports", None, &[("Cookie", "nianbao_session=00")], b"");
    assert_eq!(r.status, 401);
    login(&o, &o.a);
    assert!(bad() < BAD_TOKEN_DELAY * 2, "counted afresh after a good login");
}

#[test]
fn a_change_by_a_session_needs_its_csrf_token_and_bearer_needs_none() {
    let o = office();
    let s = login(&o, &o.a);
    let v0 = version(&o, "a", &o.a);
    let quoted = format!("\"{v0}\"");
    let if_match = [("If-Match", quoted.as_str())];
    let edited = EXAMPLE.replace("licensing: 0", "licensing: 3");
    for csrf in [None, Some("0".repeat(64).as_str()), Some("")] {
        let r = with_session(&o, &s, csrf, "PUT", "/api/reports/a", &if_match, edited.as_bytes());
        assert_eq!(r.status, 403, "{csrf:?}");
        assert_eq!(r.json()["error"], "csrf");
        let check = with_session(&o, &s, csrf, "POST", "/api/check", &[], EXAMPLE.as_bytes());
        assert_eq!(check.status, 403);
    }
    assert_eq!(std::fs::read_to_string(o.root.join("a.yaml")).unwrap(), EXAMPLE, "untouched");
    // Reading needs none.
    assert_eq!(with_session(&o, &s, None, "GET", "/api/reports/a", &[], b"").status, 200);
    // With it: saved.
    let r =
        with_session(&o, &s, Some(&s.csrf), "PUT", "/api/reports/a", &if_match, edited.as_bytes());
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // Another session's token does not do.
    let other = login(&o, &o.a);
    let v1 = r.json()["version"].as_str().unwrap().to_string();
    let q1 = format!("\"{v1}\"");
    let r =
        with_session(&o, &s, Some(&other.csrf), "PUT", "/api/reports/a", &[("If-Match", &q1)], b"");
    assert_eq!(r.status, 403);
    // Bearer: no CSRF token, no cookie.
    let r = request(
        o.addr,
        "PUT",
        "/api/reports/a",
        Some(&o.a),
        &[("If-Match", &q1)],
        EXAMPLE.as_bytes(),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn a_session_ends_with_logout_or_new_tokens_and_sees_only_its_unit() {
    let o = office();
    let s = login(&o, &o.a);
    for path in ["/api/reports/sub~b/form", "/api/reports/sub~b", "/api/reports/sub~b/history"] {
        let r = with_session(&o, &s, None, "GET", path, &[], b"");
        assert_eq!(r.status, 404, "{path}");
        assert!(!String::from_utf8_lossy(&r.body).contains("菜园镇"));
    }
    let r = with_session(&o, &s, Some(&s.csrf), "POST", "/api/logout", &[], b"");
    assert_eq!(r.status, 204);
    assert_eq!(with_session(&o, &s, None, "GET", "/api/reports", &[], b"").status, 401);
    let s = login(&o, &o.b);
    issue_tokens(&Store::new(&o.root).unwrap()).unwrap();
    assert_eq!(with_session(&o, &s, None, "GET", "/api/reports", &[], b"").status, 401, "revoked");
}

fn form_of(o: &Office, token: &str, id: &str) -> Value {
    let r = get(o, &format!("/api/reports/{id}/form"), token);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn post_form(
    o: &Office,
    token: &str,
    path: &str,
    method: &str,
    form: &Value,
    h: &[(&str, &str)],
) -> serve_support::Resp {
    let body = json!({"edition": 2021, "form": form}).to_string();
    let mut headers = vec![("Content-Type", "application/json")];
    headers.extend_from_slice(h);
    request(o.addr, method, path, Some(token), &headers, body.as_bytes())
}

#[test]
fn the_form_routes_check_save_and_preview_what_was_typed() {
    let o = office();
    let v = form_of(&o, &o.a, "a");
    assert_eq!((v["status"].as_str(), v["edition"].as_u64()), (Some("passed"), Some(2021)));
    let mut form = v["form"].clone();
    assert_eq!(form["numbers"]["applications.received.natural_person"], "7");
    form["numbers"]["applications.received.natural_person"] = "9".into();
    let r = post_form(&o, &o.a, "/api/reports/a/form/check", "POST", &form, &[]);
    assert_eq!(r.status, 200);
    let checked = r.json();
    assert_eq!(checked["status_zh"], "有错误");
    let e =
        checked["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "E-R3").unwrap();
    let cells: Vec<&str> =
        e["cells"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(cells.contains(&"applications.received.natural_person"), "{cells:?}");
    assert!(e["message_zh"].as_str().unwrap().contains("一+二 = 10"));
    assert_eq!(
        std::fs::read_to_string(o.root.join("a.yaml")).unwrap(),
        EXAMPLE,
        "a check saves nothing"
    );
    // A broken draft does not preview; a good one does.
    assert_eq!(post_form(&o, &o.a, "/api/reports/a/form/preview", "POST", &form, &[]).status, 422);
    form["numbers"]["applications.carried_forward.natural_person"] = "2".into();
    let pdf = post_form(&o, &o.a, "/api/reports/a/form/preview", "POST", &form, &[]);
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with(b"%PDF-"));

    // Saved through the form; a second save from the old version is 409 with the newer one.
    let v0 = v["version"].as_str().unwrap();
    let q0 = format!("\"{v0}\"");
    let r = post_form(&o, &o.a, "/api/reports/a/form", "PUT", &form, &[("If-Match", &q0)]);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["status"], "passed");
    let disk = std::fs::read_to_string(o.root.join("a.yaml")).unwrap();
    assert!(disk.contains("natural_person: 9") || disk.contains("[9, 0, 0, 0, 0, 0]"), "{disk}");
    let mut mine = v["form"].clone();
    mine["numbers"]["proactive.licensing"] = "4".into();
    let r = post_form(&o, &o.a, "/api/reports/a/form", "PUT", &mine, &[("If-Match", &q0)]);
    assert_eq!(r.status, 409);
    let stale = r.json();
    assert_eq!(stale["newer"]["form"]["numbers"]["applications.received.natural_person"], "9");
    assert_eq!(stale["newer"]["version"], stale["version"]);
    // The old version as a form, for restoring.
    let old = get(&o, &format!("/api/reports/a/history/{v0}/form"), &o.a);
    assert_eq!(old.json()["form"]["numbers"]["applications.received.natural_person"], "7");
    // Downloads: the saved YAML as it is on disk.
    let yaml = get(&o, "/api/reports/a/render?format=yaml", &o.a);
    assert_eq!(yaml.body, disk.as_bytes());
    assert!(yaml.header("content-disposition").unwrap().contains("a.yaml"));
    // A file the form cannot show (a YAML syntax error, typed by hand): 422, with why.
    std::fs::write(o.root.join("sub/b.yaml"), "unit: [\n").unwrap();
    let r = get(&o, "/api/reports/sub~b/form", &o.b);
    assert_eq!(r.status, 422);
    let v = r.json();
    assert_eq!((v["error"].as_str(), v["why"].as_str()), (Some("not-a-form"), Some("yaml-syntax")));
    assert_eq!(v["diagnostics"][0]["code"], "E-Y1");
    // The grids: the format's own.
    let g = get(&o, "/api/format", &o.a).json();
    assert_eq!(g["tables"].as_array().unwrap().len(), 3);
}

#[test]
fn office_actions_work_for_the_office_and_are_403_for_a_unit() {
    let o = office();
    let new_unit =
        json!({"file": "sub/c.yaml", "unit": "嵊泗县五龙乡人民政府", "year": 2025}).to_string();
    let json_h = [("Content-Type", "application/json")];
    let unit_attempts: [(&str, &str, &[u8]); 5] = [
        ("POST", "/api/units", new_unit.as_bytes()),
        ("POST", "/api/batch", b""),
        ("GET", "/api/summary?format=pdf", b""),
        ("GET", "/api/audit", b""),
        ("PUT", "/api/tokens/a", b""),
    ];
    for (method, path, body) in unit_attempts {
        let r = request(o.addr, method, path, Some(&o.a), &json_h, body);
        assert_eq!(r.status, 403, "{method} {path}");
    }
    assert!(!o.root.join("sub/c.yaml").exists());

    // Create a unit: its skeleton and a login link that works for it alone.
    let r = request(o.addr, "POST", "/api/units", Some(&o.admin), &json_h, new_unit.as_bytes());
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let made = r.json();
    assert_eq!(made["id"], "sub~c");
    let c = made["token"].as_str().unwrap().to_string();
    assert_eq!(made["link"], format!("/?token={c}"));
    assert!(
        std::fs::read_to_string(o.root.join("sub/c.yaml"))
            .unwrap()
            .contains("嵊泗县五龙乡人民政府")
    );
    let list = get(&o, "/api/reports", &c).json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        (list[0]["id"].as_str(), list[0]["status_zh"].as_str()),
        (Some("sub~c"), Some("草稿"))
    );
    assert_eq!(get(&o, "/api/reports", &o.a).status, 200, "the other tokens still work");
    let again = request(o.addr, "POST", "/api/units", Some(&o.admin), &json_h, new_unit.as_bytes());
    assert_eq!(again.status, 409);
    let outside = json!({"file": "../x.yaml", "unit": "某局", "year": 2025}).to_string();
    let r = request(o.addr, "POST", "/api/units", Some(&o.admin), &json_h, outside.as_bytes());
    assert_eq!(r.status, 400);

    // Batch: every unit, the outputs under the state folder, then as one zip.
    assert_eq!(get(&o, "/api/batch/outputs.zip", &o.admin).status, 404, "no batch yet");
    let r = request(o.addr, "POST", "/api/batch", Some(&o.admin), &[], b"");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let units = r.json()["units"].as_array().unwrap().clone();
    assert_eq!(units.len(), 3);
    assert!(units.iter().filter(|u| u["status"] == "rendered").count() >= 2, "{units:?}");
    assert!(o.root.join(".nianbao/batch/a.pdf").is_file());
    let zip = get(&o, r.json()["download"].as_str().unwrap(), &o.admin);
    assert_eq!(zip.status, 200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body)).unwrap();
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    for n in ["a.pdf", "sub/b.pdf", "summary.json"] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    assert!(archive.by_name("a.pdf").is_ok());
    assert_eq!(get(&o, "/api/batch/outputs.zip", &o.a).status, 403);
    assert!(!r.json().to_string().contains(o.root.to_str().unwrap()), "no server paths");

    // The 汇总表 of the approved units (issue #32), named for the office, as PDF and CSV.
    assert_eq!(get(&o, "/api/summary?format=pdf", &o.admin).status, 400, "no office named");
    for id in ["a", "sub~b"] {
        for step in ["submit", "approve"] {
            let path = format!("/api/reports/{id}/{step}");
            assert_eq!(request(o.addr, "POST", &path, Some(&o.admin), &[], b"").status, 200);
        }
    }
    let pdf = get(&o, "/api/summary?format=pdf&year=2024&office=%E6%9F%90%E5%8E%BF", &o.admin);
    assert_eq!(pdf.status, 200, "{}", String::from_utf8_lossy(&pdf.body));
    assert!(pdf.body.starts_with(b"%PDF-"));
    let csv = get(&o, "/api/summary?format=csv&year=2024&office=x", &o.admin);
    assert_eq!(csv.status, 200);
    let csv = String::from_utf8(csv.body).unwrap();
    assert!(csv.lines().count() >= 3, "{csv}");

    // The audit of every unit together.
    let audit = get(&o, "/api/audit", &o.admin);
    assert_eq!(audit.status, 200);
    let rows = audit.json();
    assert_eq!(rows.as_array().unwrap().len(), 3);
    assert!(rows.as_array().unwrap().iter().all(|r| r["diagnostics"].is_array()));

    // A unit's new link: the old one stops working.
    let r = request(o.addr, "PUT", "/api/tokens/a", Some(&o.admin), &[], b"");
    assert_eq!(r.status, 200);
    let fresh = r.json()["token"].as_str().unwrap().to_string();
    assert_eq!(get(&o, "/api/reports", &o.a).status, 401);
    assert_eq!(get(&o, "/api/reports", &fresh).status, 200);

    // From the office's browser: the same routes, with the CSRF token.
    let s = login(&o, &o.admin);
    let d = json!({"file": "d.yaml", "unit": "某某局", "year": 2025}).to_string();
    let r = with_session(&o, &s, None, "POST", "/api/units", &json_h, d.as_bytes());
    assert_eq!(r.status, 403);
    let r = with_session(&o, &s, Some(&s.csrf), "POST", "/api/units", &json_h, d.as_bytes());
    assert_eq!(r.status, 201);
}
