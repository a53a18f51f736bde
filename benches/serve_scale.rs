//! `nianbao serve` at a city's scale (issue #29): 1, 1,000 and 10,000 units in one folder
//! (100 a sub-folder), one server each; the p50 and p99 of a unit's `GET` of its report, a
//! unit's list, a page (50) of the office's list (its reports checked once before), and a
//! save, one request at a time. Aim: p99 at
//! 10,000 units within 2× of p99 at 1.
//!
//! `cargo bench --bench serve_scale` (`NIANBAO_BENCH_UNITS=1,1000` for other sizes,
//! `NIANBAO_BENCH_ROUNDS` requests of each kind, default 200).

mod support;

#[path = "../tests/serve_support/mod.rs"]
mod serve_support;

use nianbao::serve::{Store, issue_tokens, start};
use serve_support::{EXAMPLE, request};
use std::time::Instant;

fn main() {
    let sizes: Vec<usize> = std::env::var("NIANBAO_BENCH_UNITS")
        .unwrap_or_else(|_| "1,1000,10000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let rounds: usize =
        std::env::var("NIANBAO_BENCH_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(200);
    for n in sizes {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for i in 0..n {
            let folder = root.join(format!("d{:03}", i / 100));
            std::fs::create_dir_all(&folder).unwrap();
            let unit = format!("第{i}单位");
            std::fs::write(
                folder.join(format!("u{i:05}.yaml")),
                EXAMPLE.replace("嵊泗县人民政府办公室", &unit),
            )
            .unwrap();
        }
        let t0 = Instant::now();
        let issued = issue_tokens(&Store::new(root).unwrap()).unwrap();
        let issue_ms = t0.elapsed().as_secs_f64() * 1000.0;
        let admin = issued.iter().find(|i| i.unit.is_none()).unwrap().token.clone();
        let last = issued.iter().rev().find(|i| i.unit.is_some()).unwrap();
        let (token, id) = (last.token.clone(), last.id.clone().unwrap());
        let running = start(root, "127.0.0.1:0").unwrap();
        let addr = running.addr;
        std::mem::forget(running);
        let get = support::p50_p99(rounds, |_| {
            let r = request(addr, "GET", &format!("/api/reports/{id}"), Some(&token), &[], b"");
            assert_eq!(r.status, 200);
        });
        let list = support::p50_p99(rounds, |_| {
            let r = request(addr, "GET", "/api/reports", Some(&token), &[], b"");
            assert_eq!(r.status, 200);
        });
        // The office's pages once first: their reports' first check is the cold start, not
        // the steady state measured here.
        for i in 0..4 {
            let page = format!("/api/reports?offset={}&limit=50", i * 50);
            assert_eq!(request(addr, "GET", &page, Some(&admin), &[], b"").status, 200);
        }
        let office = support::p50_p99(rounds, |i| {
            let page = format!("/api/reports?offset={}&limit=50", (i % 4) * 50);
            let r = request(addr, "GET", &page, Some(&admin), &[], b"");
            assert_eq!(r.status, 200);
        });
        let mut version = String::new();
        let save = support::p50_p99(rounds, |i| {
            if version.is_empty() {
                let r = request(addr, "GET", &format!("/api/reports/{id}"), Some(&token), &[], b"");
                version = r.json()["version"].as_str().unwrap().to_string();
            }
            let body = EXAMPLE.replace("licensing: 0", &format!("licensing: {}", i + 1));
            let quoted = format!("\"{version}\"");
            let path = format!("/api/reports/{id}");
            let r = request(
                addr,
                "PUT",
                &path,
                Some(&token),
                &[("If-Match", &quoted)],
                body.as_bytes(),
            );
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            version = r.json()["version"].as_str().unwrap().to_string();
        });
        println!(
            "{n:6} units (tokens issued in {issue_ms:.0} ms): GET p50 {:.2} p99 {:.2} | unit list p50 {:.2} p99 {:.2} | office page p50 {:.2} p99 {:.2} | save p50 {:.2} p99 {:.2} (ms)",
            get.0, get.1, list.0, list.1, office.0, office.1, save.0, save.1
        );
    }
}
