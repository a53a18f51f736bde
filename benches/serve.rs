//! `nianbao serve` under a county's load (issue #18): 100 simulated clerks, each checking its
//! own report through the form's check route once per keystroke burst (a burst every 0.5–2 s,
//! the form's debounce having gathered the keys), and 10 previews (PDF) a second, for
//! `NIANBAO_BENCH_SECONDS` (default 30). Prints the p50/p99 latency of each and the process's
//! peak RSS (server and clients share the process; the clients are plain `std::net`).
//! Aims: check p99 ≤ 100 ms, preview p99 ≤ 300 ms, peak RSS ≤ 300 MB.
//!
//! `cargo bench --bench serve` (a release build).

#[path = "../tests/serve_support/mod.rs"]
mod serve_support;

use nianbao::serve::{Store, issue_tokens, start};
use serde_json::{Value, json};
use serve_support::{EXAMPLE, request};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLERKS: usize = 100;
const PREVIEWS_PER_SECOND: u64 = 10;

/// A small deterministic generator (no dependency for it).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, times: &Mutex<Vec<f64>>, errors: usize, seconds: f64) {
    let mut t = times.lock().unwrap().clone();
    t.sort_by(f64::total_cmp);
    println!(
        "{name:8} n={:5} ({:5.1}/s) p50 {:7.1} ms  p99 {:7.1} ms  max {:7.1} ms  errors {errors}",
        t.len(),
        t.len() as f64 / seconds,
        percentile(&t, 0.5),
        percentile(&t, 0.99),
        t.last().copied().unwrap_or(f64::NAN)
    );
}

fn post(addr: SocketAddr, path: &str, token: &str, body: &[u8]) -> (u16, f64) {
    let t = Instant::now();
    let r = request(addr, "POST", path, Some(token), &[("Content-Type", "application/json")], body);
    (r.status, t.elapsed().as_secs_f64() * 1000.0)
}

fn main() {
    let seconds: u64 =
        std::env::var("NIANBAO_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    for i in 0..CLERKS {
        let text = EXAMPLE.replace("unit: 嵊泗县人民政府办公室", &format!("unit: 嵊泗县第{i}局"));
        std::fs::write(dir.path().join(format!("u{i:03}.yaml")), text).unwrap();
    }
    let issued = issue_tokens(&Store::new(dir.path()).unwrap()).unwrap();
    let running = start(dir.path(), "127.0.0.1:0").unwrap();
    let addr = running.addr;
    std::mem::forget(running);
    let units: Vec<(String, String)> =
        issued.iter().filter_map(|i| Some((i.id.clone()?, i.token.clone()))).collect();
    // Each clerk's form, as the page has it after opening the report.
    let forms: Vec<Value> = units
        .iter()
        .map(|(id, token)| {
            let r = request(addr, "GET", &format!("/api/reports/{id}/form"), Some(token), &[], b"");
            assert_eq!(r.status, 200);
            r.json()["form"].clone()
        })
        .collect();
    let keys: Vec<String> = forms[0]["numbers"].as_object().unwrap().keys().cloned().collect();

    let stop = Arc::new(AtomicBool::new(false));
    let checks = Arc::new(Mutex::new(Vec::new()));
    let previews = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new((0usize, 0usize)));
    let started = Instant::now();
    let mut threads = Vec::new();
    for (n, ((id, token), form)) in units.iter().cloned().zip(forms.clone()).enumerate() {
        let (stop, checks, errors, keys) =
            (stop.clone(), checks.clone(), errors.clone(), keys.clone());
        threads.push(std::thread::spawn(move || {
            let mut rng = Lcg(n as u64 + 1);
            let mut form = form;
            std::thread::sleep(Duration::from_millis(rng.next(2000)));
            while !stop.load(Ordering::Relaxed) {
                // A burst: a few cells typed, one check after the debounce.
                for _ in 0..1 + rng.next(3) {
                    let key = &keys[rng.next(keys.len() as u64) as usize];
                    form["numbers"][key] = rng.next(20).to_string().into();
                }
                let body = json!({"edition": 2021, "form": form}).to_string();
                let (status, ms) =
                    post(addr, &format!("/api/reports/{id}/form/check"), &token, body.as_bytes());
                if status == 200 {
                    checks.lock().unwrap().push(ms);
                } else {
                    errors.lock().unwrap().0 += 1;
                }
                std::thread::sleep(Duration::from_millis(500 + rng.next(1500)));
            }
        }));
    }
    // Previews: PREVIEWS_PER_SECOND workers, each one preview a second, staggered; always of
    // a report that passes (the example's numbers), so every one renders.
    for w in 0..PREVIEWS_PER_SECOND {
        let (stop, previews, errors) = (stop.clone(), previews.clone(), errors.clone());
        let (id, token) = units[w as usize * 7 % CLERKS].clone();
        let body = json!({"edition": 2021, "form": forms[w as usize * 7 % CLERKS]}).to_string();
        threads.push(std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(w * 1000 / PREVIEWS_PER_SECOND));
            let mut next = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                let (status, ms) =
                    post(addr, &format!("/api/reports/{id}/form/preview"), &token, body.as_bytes());
                if status == 200 {
                    previews.lock().unwrap().push(ms);
                } else {
                    errors.lock().unwrap().1 += 1;
                }
                next += Duration::from_secs(1);
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
        }));
    }
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (check_errors, preview_errors) = *errors.lock().unwrap();
    println!(
        "serve bench: {CLERKS} clerks, {PREVIEWS_PER_SECOND} previews/s aimed, {elapsed:.1} s"
    );
    report("check", &checks, check_errors, elapsed);
    report("preview", &previews, preview_errors, elapsed);
    println!("peak RSS {:.1} MB (server and the simulated clients, one process)", peak_rss_mb());
}
