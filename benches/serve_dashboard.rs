//! The office's dashboard at a county's scale and beyond (issue #32): 1,000 units in ten
//! folders, their states spread over the workflow (rows written as the server writes them),
//! one server. The first load (each report checked once: the cold start) and then, one
//! request at a time, p50 and p99 of: the dashboard as it opens (counts and the first page),
//! filtered by state, by folder, late only, sorted by last save, and the 催报 CSV. Aim: each
//! within 300 ms.
//!
//! `cargo bench --bench serve_dashboard` (`NIANBAO_BENCH_UNITS=1000,3000` for other sizes,
//! `NIANBAO_BENCH_ROUNDS` requests of each kind, default 50).

mod support;

#[path = "../tests/serve_support/mod.rs"]
mod serve_support;

use nianbao::serve::{Store, issue_tokens, start};
use serve_support::{EXAMPLE, request};
use std::time::Instant;

const STATES: [&str; 5] = ["editing", "submitted", "returned", "approved", "published"];

fn main() {
    let sizes: Vec<usize> = std::env::var("NIANBAO_BENCH_UNITS")
        .unwrap_or_else(|_| "1000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let rounds: usize =
        std::env::var("NIANBAO_BENCH_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(50);
    for n in sizes {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for i in 0..n {
            let folder = root.join(format!("第{}片区", i / (n / 10).max(1)));
            std::fs::create_dir_all(&folder).unwrap();
            let unit = format!("第{i}单位");
            let text = EXAMPLE.replace("嵊泗县人民政府办公室", &unit);
            std::fs::write(folder.join(format!("u{i:05}.yaml")), text).unwrap();
        }
        let store = Store::new(root).unwrap();
        let issued = issue_tokens(&store).unwrap();
        let admin = issued.iter().find(|i| i.unit.is_none()).unwrap().token.clone();
        // Four units in five have a state row, and a save in the history, as the server
        // writes them.
        {
            let c = serve_support::db(root);
            let mut rels: Vec<String> = issued.iter().filter_map(|i| i.unit.clone()).collect();
            rels.sort();
            c.execute_batch("BEGIN").unwrap();
            for (i, rel) in rels.iter().enumerate().filter(|(i, _)| i % 5 != 4) {
                let at = 1_735_000_000 + i as i64;
                c.execute(
                    "INSERT INTO filings (rel, year, state, who, at) VALUES (?1, 2024, ?2, 'admin', ?3)",
                    rusqlite::params![rel, STATES[i % 5], at],
                )
                .unwrap();
                c.execute(
                    "INSERT INTO history (rel, version, parent, who, at, bytes) VALUES (?1, 'v', '', ?2, ?3, 1)",
                    rusqlite::params![rel, format!("unit:{rel}"), at],
                )
                .unwrap();
            }
            c.execute_batch("COMMIT").unwrap();
        }
        drop(store);
        let running = start(root, "127.0.0.1:0").unwrap();
        let addr = running.addr;
        std::mem::forget(running);
        let get = |path: &str| {
            let r = request(addr, "GET", path, Some(&admin), &[], b"");
            assert_eq!(r.status, 200, "{path}: {}", String::from_utf8_lossy(&r.body));
            r
        };
        // The first load at once (the server's background check of every unit under way), and
        // once that is done.
        let t0 = Instant::now();
        let first = get("/api/dashboard").json();
        let cold_ms = t0.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(first["total"], n);
        let folder = first["folders"][3].as_str().unwrap().to_string();
        let folder_q =
            percent_encoding::utf8_percent_encode(&folder, percent_encoding::NON_ALPHANUMERIC);
        let kinds: Vec<(&str, String)> = vec![
            ("open", "/api/dashboard".into()),
            ("by state", "/api/dashboard?state=submitted".into()),
            ("by folder", format!("/api/dashboard?folder={folder_q}")),
            ("late only", "/api/dashboard?late=1".into()),
            ("by last save", "/api/dashboard?sort=saved&offset=100".into()),
            ("催报 CSV", "/api/reminders?format=csv".into()),
        ];
        let mut line = format!("{n:6} units: first load (each checked once) {cold_ms:.0} ms");
        for (name, path) in &kinds {
            let (p50, p99) = support::p50_p99(rounds, |_| {
                get(path);
            });
            line.push_str(&format!(" | {name} p50 {p50:.1} p99 {p99:.1}"));
        }
        let shown = get("/api/dashboard?state=submitted").json()["shown"].as_u64().unwrap();
        println!("{line} (ms); {shown} submitted");
    }
}
