//! The filing workflow of `nianbao serve` (issue #32) over HTTP: every step and every refused
//! one, with its rows in the state database; a publication's bytes never change; the
//! dashboard, the deadline and the 催报 list; an office's folder scope; the 汇总表 of the
//! approved units only; the audit log.

use crate::serve_support;

use serde_json::Value;
use serve_support::{EXAMPLE, Office, get, office, put, request, version};

fn post(o: &Office, path: &str, token: &str, body: &str) -> serve_support::Resp {
    let json = [("Content-Type", "application/json")];
    request(o.addr, "POST", path, Some(token), &json, body.as_bytes())
}

fn state(o: &Office, id: &str, token: &str) -> Value {
    let r = get(o, &format!("/api/reports/{id}/filing"), token);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

/// A recorded step: from, to, who, comment.
type Step = (String, String, String, String);

/// The state stored for `rel` in 2024, and the steps recorded, from the database itself.
fn stored(o: &Office, rel: &str) -> (Option<String>, Vec<Step>) {
    let c = serve_support::db(&o.root);
    let s = c
        .query_row("SELECT state FROM filings WHERE rel = ?1 AND year = 2024", [rel], |r| r.get(0))
        .ok();
    let mut q = c
        .prepare(
            "SELECT from_state, to_state, who, comment FROM transitions WHERE rel = ?1 ORDER BY seq",
        )
        .unwrap();
    let steps = q
        .query_map([rel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (s, steps)
}

fn published_bytes(o: &Office, id: &str, seq: i64, token: &str) -> Vec<(String, Vec<u8>)> {
    ["report.pdf", "report.docx", "report.html", "fragment.html", "report.yaml"]
        .iter()
        .map(|name| {
            let r = get(o, &format!("/api/reports/{id}/published/{seq}/{name}"), token);
            assert_eq!(r.status, 200, "{name}: {}", String::from_utf8_lossy(&r.body));
            (name.to_string(), r.body)
        })
        .collect()
}

#[test]
fn every_step_of_the_filing_is_recorded_and_the_wrong_ones_are_refused() {
    let o = office();
    // A complete report never saved through the server: 填报中; a new skeleton: 未开始.
    assert_eq!(state(&o, "a", &o.a)["state_zh"], "填报中");
    let r = post(
        &o,
        "/api/units",
        &o.admin,
        r#"{"file": "c.yaml", "unit": "嵊泗县测试局", "year": 2024}"#,
    );
    assert_eq!(r.status, 201);
    assert_eq!(state(&o, "c", &o.admin)["state_zh"], "未开始");
    assert_eq!(get(&o, "/api/reports", &o.admin).json()[0]["status_zh"], "校验通过");

    // Submitting with errors: refused, nothing stored.
    let v0 = version(&o, "a", &o.a);
    let broken = EXAMPLE.replace("licensing: 0", "licensing: -1");
    assert_eq!(put(&o, "a", &o.a, Some(&v0), &broken).status, 200);
    let r = post(&o, "/api/reports/a/submit", &o.a, "");
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.json()["message"].as_str().unwrap().contains("错误"));
    assert_eq!(stored(&o, "a.yaml").0.as_deref(), Some("editing"), "the save wrote 填报中");
    assert!(stored(&o, "a.yaml").1.is_empty());

    // Fixed and submitted by the unit: 已提交, read-only.
    let v1 = version(&o, "a", &o.a);
    assert_eq!(put(&o, "a", &o.a, Some(&v1), EXAMPLE).status, 200);
    let r = post(&o, "/api/reports/a/submit", &o.a, "");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["state_zh"], "已提交");
    assert_eq!(r.json()["locked"], true);
    let submitted = std::fs::read(o.root.join("a.yaml")).unwrap();
    let v2 = version(&o, "a", &o.a);
    let edited = EXAMPLE.replace("licensing: 0", "licensing: 1");
    let r = put(&o, "a", &o.a, Some(&v2), &edited);
    assert_eq!(r.status, 409, "editing after submission");
    assert_eq!(r.json()["error"], "locked");
    assert!(
        r.json()["message"].as_str().unwrap().starts_with("报告已提交，不能修改"),
        "{}",
        r.json()
    );
    let seal = include_bytes!("../examples/demo-seal.png");
    let up =
        request(o.addr, "POST", "/api/reports/a/files?kind=seal&name=x.png", Some(&o.a), &[], seal);
    assert_eq!(up.status, 409, "an upload after submission");
    assert_eq!(std::fs::read(o.root.join("a.yaml")).unwrap(), submitted, "untouched");
    // Submitting twice: 409.
    assert_eq!(post(&o, "/api/reports/a/submit", &o.a, "").status, 409);

    // A unit token cannot review, return or publish (its own report or another's).
    for step in ["approve", "return", "publish", "withdraw"] {
        let r = post(&o, &format!("/api/reports/a/{step}"), &o.a, r#"{"comment": "x"}"#);
        assert_eq!(r.status, 403, "{step}");
    }
    assert_eq!(post(&o, "/api/reports/sub~b/approve", &o.a, "").status, 403);
    // The office cannot publish what it has not approved.
    assert_eq!(post(&o, "/api/reports/a/publish", &o.admin, "").status, 409);

    // 退回 needs a comment; the clerk sees it and may edit again.
    assert_eq!(post(&o, "/api/reports/a/return", &o.admin, "").status, 400);
    let r = post(&o, "/api/reports/a/return", &o.admin, r#"{"comment": "表三第一行请核实"}"#);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let f = state(&o, "a", &o.a);
    assert_eq!(
        (f["state_zh"].as_str(), f["comment"].as_str()),
        (Some("已退回"), Some("表三第一行请核实"))
    );
    let form = get(&o, "/api/reports/a", &o.a).json();
    assert_eq!(form["filing"]["comment"], "表三第一行请核实", "the comment comes with the report");
    let r = put(&o, "a", &o.a, Some(&v2), &edited);
    assert_eq!(r.status, 200, "editable again: {}", String::from_utf8_lossy(&r.body));
    assert_eq!(state(&o, "a", &o.a)["state_zh"], "已退回", "a save keeps the comment shown");

    // Resubmitted, approved, published.
    assert_eq!(post(&o, "/api/reports/a/submit", &o.a, "").status, 200);
    assert_eq!(post(&o, "/api/reports/a/approve", &o.admin, "").status, 200);
    assert_eq!(post(&o, "/api/reports/a/approve", &o.admin, "").status, 409, "approved twice");
    let v3 = version(&o, "a", &o.a);
    assert_eq!(put(&o, "a", &o.a, Some(&v3), EXAMPLE).status, 409, "approved is read-only");
    let r = post(&o, "/api/reports/a/publish", &o.admin, "");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let p = r.json();
    assert_eq!(p["state_zh"], "已发布");
    let seq = p["published"]["seq"].as_i64().unwrap();
    let folder = o.root.join(".nianbao/published").join(p["published"]["folder"].as_str().unwrap());
    let first = published_bytes(&o, "a", seq, &o.a);
    assert!(first[0].1.starts_with(b"%PDF"));
    assert!(first[1].1.starts_with(b"PK"));
    let page = String::from_utf8_lossy(&first[2].1).into_owned();
    let fragment = String::from_utf8_lossy(&first[3].1).into_owned();
    assert!(page.contains("<html") && !fragment.contains("<html"), "a page and a fragment");
    assert!(String::from_utf8_lossy(&first[4].1).contains("licensing: 1"), "the approved version");
    let mtimes: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().modified().unwrap())
        .collect();

    // Publishing twice: 409, and nothing written again.
    let r = post(&o, "/api/reports/a/publish", &o.admin, "");
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "bad-state");
    assert_eq!(published_bytes(&o, "a", seq, &o.admin), first);

    // 撤回发布 needs a reason; recorded; the publication's files stay as they were.
    assert_eq!(post(&o, "/api/reports/a/withdraw", &o.admin, "{}").status, 400);
    let r =
        post(&o, "/api/reports/a/withdraw", &o.admin, r#"{"comment": "数字有误，更正后重新发布"}"#);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let f = state(&o, "a", &o.a);
    assert_eq!(f["state_zh"], "已退回");
    let pubs = f["publications"].as_array().unwrap();
    assert_eq!(pubs.len(), 1);
    assert_eq!(pubs[0]["reason"], "数字有误，更正后重新发布");
    assert_eq!(pubs[0]["withdrawn_by"], "admin");
    // Changed, resubmitted, approved and published again: a new folder; the first unchanged.
    let v4 = version(&o, "a", &o.a);
    let again = EXAMPLE.replace("licensing: 0", "licensing: 2");
    assert_eq!(put(&o, "a", &o.a, Some(&v4), &again).status, 200);
    assert_eq!(post(&o, "/api/reports/a/submit", &o.a, "").status, 200);
    assert_eq!(post(&o, "/api/reports/a/approve", &o.admin, "").status, 200);
    let r = post(&o, "/api/reports/a/publish", &o.admin, "");
    assert_eq!(r.status, 200);
    let seq2 = r.json()["published"]["seq"].as_i64().unwrap();
    assert_ne!(seq2, seq);
    let second = published_bytes(&o, "a", seq2, &o.admin);
    assert!(String::from_utf8_lossy(&second[4].1).contains("licensing: 2"));
    assert_eq!(published_bytes(&o, "a", seq, &o.admin), first, "the first publication's bytes");
    let mtimes_after: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().modified().unwrap())
        .collect();
    assert_eq!(mtimes, mtimes_after, "never written again");
    // The report's file changed on disk behind the workflow's back: the dashboard says so.
    let row = |o: &Office| {
        let d = get(o, "/api/dashboard", &o.admin).json();
        d["rows"].as_array().unwrap().iter().find(|r| r["id"] == "a").unwrap().clone()
    };
    assert_eq!(row(&o)["changed_since"], false);
    let on_disk = std::fs::read_to_string(o.root.join("a.yaml")).unwrap();
    std::fs::write(
        o.root.join("a.yaml"),
        on_disk.replace("嵊泗县人民政府办公室", "嵊泗县人民政府办公室 "),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(row(&o)["changed_since"], true);
    std::fs::write(o.root.join("a.yaml"), on_disk).unwrap();
    // A published file changed on disk is refused, not served.
    std::fs::write(folder.join("report.html"), "<p>changed</p>").unwrap();
    assert_eq!(
        get(&o, &format!("/api/reports/a/published/{seq}/report.html"), &o.admin).status,
        500
    );

    // Every step in the database, with who and the comments.
    let (s, steps) = stored(&o, "a.yaml");
    assert_eq!(s.as_deref(), Some("published"));
    let path: Vec<String> = steps.iter().map(|s| format!("{}>{}", s.0, s.1)).collect();
    assert_eq!(
        path,
        [
            "editing>submitted",
            "submitted>returned",
            "returned>submitted",
            "submitted>approved",
            "approved>published",
            "published>returned",
            "returned>submitted",
            "submitted>approved",
            "approved>published"
        ]
    );
    assert_eq!(steps[0].2, "unit:a.yaml");
    assert_eq!(steps[1].2, "admin");
    assert_eq!(steps[1].3, "表三第一行请核实");
    assert_eq!(steps[5].3, "数字有误，更正后重新发布");

    // The audit log, by the office, and as CSV with a BOM; never by a unit.
    let log = get(&o, "/api/log", &o.admin).json();
    let actions: Vec<&str> =
        log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in [
        "submit",
        "return",
        "approve",
        "publish",
        "withdraw",
        "save",
        "download-published",
        "unit-created",
        "token-issued",
    ] {
        assert!(actions.contains(&a), "{a} not in {actions:?}");
    }
    assert_eq!(log[0]["action_zh"].as_str().map(|s| !s.is_empty()), Some(true));
    let csv = get(&o, "/api/log?format=csv", &o.admin);
    assert!(csv.body.starts_with("\u{feff}时间,操作者".as_bytes()));
    assert!(String::from_utf8_lossy(&csv.body).contains("撤回发布"));
    assert_eq!(get(&o, "/api/log", &o.a).status, 403);
}

#[test]
fn the_audit_log_keeps_what_is_six_months_old_across_a_restart() {
    let o = office();
    let c = serve_support::db(&o.root);
    let old = nianbao_now() - 200 * 86_400;
    c.execute(
        "INSERT INTO audit (at, who, ip, action, target, detail) VALUES (?1, 'admin', NULL, 'login', '', 'old')",
        [old],
    )
    .unwrap();
    drop(c);
    // A second store on the folder (as a restart opens it) and the log through the route.
    let _ = nianbao::serve::Store::new(&o.root).unwrap();
    let log = get(&o, "/api/log?limit=1000", &o.admin).json();
    assert!(log.as_array().unwrap().iter().any(|e| e["detail"] == "old" && e["at"] == old));
}

fn nianbao_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Units in two folders of the region tree: 乡镇/a, 乡镇/b, 县直部门/c, and one of another year.
fn county() -> Office {
    let o = office();
    for (dir, file, unit, year) in [
        ("乡镇", "a.yaml", "甲镇人民政府", 2024),
        ("乡镇", "b.yaml", "乙镇人民政府", 2024),
        ("县直部门", "c.yaml", "丙局", 2024),
        ("县直部门", "d.yaml", "丁局", 2023),
    ] {
        std::fs::create_dir_all(o.root.join(dir)).unwrap();
        let text = EXAMPLE
            .replace("嵊泗县人民政府办公室", unit)
            .replace("year: 2024", &format!("year: {year}"));
        std::fs::write(o.root.join(dir).join(file), text).unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(2100)); // the index rescans
    o
}

#[test]
fn the_dashboard_counts_filters_sorts_and_names_the_late_units() {
    let o = county();
    let d = get(&o, "/api/dashboard", &o.admin);
    assert_eq!(d.status, 200, "{}", String::from_utf8_lossy(&d.body));
    let d = d.json();
    assert_eq!(d["year"], 2024, "the year most units report");
    assert_eq!(d["total"], 6);
    assert_eq!(d["deadline"]["deadline"], "2025-01-31", "the default: 1 月 31 日 of the next year");
    let count = |d: &Value, s: &str| {
        d["counts"].as_array().unwrap().iter().find(|c| c["state"] == s).unwrap()["n"].clone()
    };
    assert_eq!(count(&d, "editing"), 5);
    assert_eq!(count(&d, "not_started"), 1, "丁局 reports 2023");
    assert_eq!(d["folders"], serde_json::json!(["sub/", "乡镇/", "县直部门/"]));

    // A submission (by the office, for 甲镇) moves the counts.
    assert_eq!(post(&o, "/api/reports/%E4%B9%A1%E9%95%87~a/submit", &o.admin, "").status, 200);
    let d = get(&o, "/api/dashboard?year=2024", &o.admin).json();
    assert_eq!((count(&d, "editing"), count(&d, "submitted")), (4.into(), 1.into()));
    let row = d["rows"].as_array().unwrap().iter().find(|r| r["id"] == "乡镇~a").unwrap().clone();
    assert_eq!(row["state_zh"], "已提交");
    assert_eq!(row["saved_by"], "disk", "the version submitted, as found on disk");

    // Filter by state, by folder; sort by unit.
    let d = get(&o, "/api/dashboard?state=submitted", &o.admin).json();
    assert_eq!(d["shown"], 1);
    let d = get(&o, "/api/dashboard?folder=%E4%B9%A1%E9%95%87/&sort=unit", &o.admin).json();
    let names: Vec<&str> =
        d["rows"].as_array().unwrap().iter().map(|r| r["unit"].as_str().unwrap()).collect();
    assert_eq!(names, ["乙镇人民政府", "甲镇人民政府"], "by the names' characters");
    let d = get(&o, "/api/dashboard?limit=2&offset=2&sort=folder", &o.admin).json();
    assert_eq!((d["rows"].as_array().unwrap().len(), d["shown"].as_u64()), (2, Some(6)));

    // The deadline 2025-01-31 is past: every unit not submitted is late; a later one set by
    // the office, none is.
    let d = get(&o, "/api/dashboard?late=1", &o.admin).json();
    assert_eq!(d["shown"], 5);
    assert!(d["rows"][0]["days_left"].as_i64().unwrap() < 0);
    let put_deadline = |body: &str| {
        request(
            o.addr,
            "PUT",
            "/api/deadline",
            Some(&o.admin),
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
    };
    assert_eq!(put_deadline(r#"{"year": 2024, "deadline": "2024-02-30"}"#).status, 400);
    assert_eq!(
        request(
            o.addr,
            "PUT",
            "/api/deadline",
            Some(&o.a),
            &[("Content-Type", "application/json")],
            br#"{"year": 2024, "deadline": "2099-01-31"}"#
        )
        .status,
        403
    );
    let r = put_deadline(r#"{"year": 2024, "deadline": "2099-01-31"}"#);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let d = get(&o, "/api/dashboard?late=1", &o.admin).json();
    assert_eq!(d["shown"], 0);
    // The clerk sees the deadline with the report.
    let f = state(&o, "sub~b", &o.b);
    assert_eq!(f["deadline"]["deadline_zh"], "2099年1月31日");
    assert!(f["deadline"]["days_left"].as_i64().unwrap() > 0);

    // The 催报 list: the units not submitted, as CSV (with a BOM) and as text for a notice.
    let csv = get(&o, "/api/reminders?format=csv", &o.admin);
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = String::from_utf8(csv.body.clone()).unwrap();
    assert!(text.starts_with("\u{feff}序号,单位,文件,状态"), "{text}");
    assert_eq!(text.lines().count(), 1 + 5, "{text}");
    assert!(!text.contains("乡镇/a.yaml"), "{text}");
    assert!(text.contains("乙镇人民政府,乡镇/b.yaml,填报中"), "{text}");
    let notice = String::from_utf8(
        get(&o, "/api/reminders?format=text&folder=%E4%B9%A1%E9%95%87/", &o.admin).body,
    )
    .unwrap();
    assert!(
        notice.contains("以下1个单位尚未提交2024年度")
            && notice.contains("1. 乙镇人民政府（填报中）"),
        "{notice}"
    );
    assert!(notice.contains("2099年1月31日前"), "{notice}");
    assert_eq!(get(&o, "/api/reminders", &o.a).status, 403);
    assert_eq!(get(&o, "/api/dashboard", &o.a).status, 403);
}

#[test]
fn an_office_of_a_folder_sees_only_its_units_and_sums_only_the_approved() {
    let o = county();
    // A county office for 乡镇/ only, made by the whole folder's office.
    let r = post(&o, "/api/tokens", &o.admin, r#"{"folder": "乡镇"}"#);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let town = r.json()["token"].as_str().unwrap().to_string();
    assert_eq!(r.json()["scope"], "乡镇/");
    assert_eq!(post(&o, "/api/tokens", &o.a, r#"{"folder": "乡镇"}"#).status, 403);
    assert_eq!(post(&o, "/api/tokens", &o.admin, r#"{"folder": "../x"}"#).status, 400);
    // Its list and dashboard hold 乡镇/ alone; another folder's unit is 404; it cannot make a
    // token beyond its scope.
    let list = get(&o, "/api/reports", &town).json();
    let files: Vec<&str> =
        list.as_array().unwrap().iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["乡镇/a.yaml", "乡镇/b.yaml"]);
    assert_eq!(get(&o, "/api/dashboard", &town).json()["total"], 2);
    assert_eq!(get(&o, "/api/reports/%E5%8E%BF%E7%9B%B4%E9%83%A8%E9%97%A8~c", &town).status, 404);
    assert_eq!(
        get(&o, "/api/reports/%E5%8E%BF%E7%9B%B4%E9%83%A8%E9%97%A8~c", &o.admin).status,
        200
    );
    assert_eq!(post(&o, "/api/tokens", &town, r#"{"folder": "县直部门"}"#).status, 400);
    assert_eq!(
        post(&o, "/api/reports/%E5%8E%BF%E7%9B%B4%E9%83%A8%E9%97%A8~c/approve", &town, "").status,
        404
    );

    // The whole office approves 甲镇 (乡镇/a) and 丙局 (县直部门/c).
    for id in ["%E4%B9%A1%E9%95%87~a", "%E5%8E%BF%E7%9B%B4%E9%83%A8%E9%97%A8~c"] {
        assert_eq!(post(&o, &format!("/api/reports/{id}/submit"), &o.admin, "").status, 200);
        assert_eq!(post(&o, &format!("/api/reports/{id}/approve"), &o.admin, "").status, 200);
    }
    // The 汇总表 needs the office's name.
    let r = get(&o, "/api/summary?format=pdf&year=2024", &o.admin);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "office-name");
    // The whole folder's: exactly the two approved; everyone else left out, saying why.
    let plan = get(&o, "/api/summary?format=json&year=2024", &o.admin).json();
    let units: Vec<&str> =
        plan["units"].as_array().unwrap().iter().map(|u| u["unit"].as_str().unwrap()).collect();
    assert_eq!(units, ["甲镇人民政府", "丙局"]);
    let left: Vec<String> = plan["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| format!("{} {}", u["unit"].as_str().unwrap(), u["why"].as_str().unwrap()))
        .collect();
    assert_eq!(left.len(), 4, "{left:?}");
    assert!(
        left.iter().any(|l| l.starts_with("丁局") && l.contains("报告年度为2023年")),
        "{left:?}"
    );
    assert!(left.iter().any(|l| l.starts_with("乙镇人民政府") && l.contains("填报中")), "{left:?}");
    // The 乡镇 office's: 甲镇 alone; 乙镇 left out; nothing of 县直部门.
    let plan = get(&o, "/api/summary?format=json&year=2024", &town).json();
    assert_eq!(plan["units"].as_array().unwrap().len(), 1);
    assert_eq!(plan["left_out"].as_array().unwrap().len(), 1);
    let r = get(
        &o,
        "/api/summary?format=pdf&year=2024&office=%E6%9F%90%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C%E5%8A%9E%E5%85%AC%E5%AE%A4",
        &o.admin,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.pdf"), &r.body).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(dir.path().join("s.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout).replace(char::is_whitespace, "");
    assert!(text.contains("某县人民政府办公室2024年度"), "{text}");
    assert!(text.contains("（2个单位）"), "{text}");
    assert!(!text.contains("汇总2024"), "{text}");
    // The CSV sums the same two.
    let csv = get(&o, "/api/summary?format=csv&year=2024&office=x", &o.admin);
    let csv = String::from_utf8_lossy(&csv.body).into_owned();
    assert!(csv.contains("甲镇人民政府") && csv.contains("丙局") && !csv.contains("乙镇"), "{csv}");
}

#[test]
fn a_publication_is_signed_when_a_key_is_configured_and_a_wrong_key_is_refused_at_start() {
    use nianbao::serve::{PublishKey, ServeOptions, Store, issue_tokens, start_with};
    let f = crate::sign_support::fixture();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("a.yaml"), EXAMPLE).unwrap();
    let issued = issue_tokens(&Store::new(root).unwrap()).unwrap();
    let admin = issued.iter().find(|i| i.unit.is_none()).unwrap().token.clone();
    let key = |password: &str| PublishKey {
        p12: f.p12["rsa"].clone(),
        password: password.into(),
        info: nianbao::sign::SignInfo {
            reason: Some("发布政府信息公开工作年度报告".into()),
            location: None,
        },
    };
    let with = |k: PublishKey| ServeOptions { publish_key: Some(k), ..ServeOptions::default() };
    let wrong = start_with(root, "127.0.0.1:0", with(key("wrong")));
    assert!(wrong.is_err(), "a wrong password stops the start");
    let running =
        start_with(root, "127.0.0.1:0", with(key(crate::sign_support::PASSWORD))).unwrap();
    let addr = running.addr;
    std::mem::forget(running);
    let call = |method: &str, path: &str| request(addr, method, path, Some(&admin), &[], b"");
    assert_eq!(call("POST", "/api/reports/a/submit").status, 200);
    assert_eq!(call("POST", "/api/reports/a/approve").status, 200);
    let r = call("POST", "/api/reports/a/publish");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["published"]["signed"], true);
    let seq = r.json()["published"]["seq"].as_i64().unwrap();
    let pdf = call("GET", &format!("/api/reports/a/published/{seq}/report.pdf")).body;
    let path = root.join("published.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let sig = crate::sign_support::pdfsig(&path);
    assert!(sig.contains("Signature is Valid."), "pdfsig: {sig}");
}
