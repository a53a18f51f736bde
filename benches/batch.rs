//! Batch throughput: generates N units (default 1000, `NIANBAO_BENCH_UNITS`),
//! renders them to PDF+DOCX with one and with two worker threads, and prints
//! units per second and peak RSS. `cargo bench --bench batch`.
//!
//! The two thread counts alternate for `NIANBAO_BENCH_ROUNDS` rounds (default 2):
//! this VM's speed drifts by up to 30 % over a minute, and a ratio taken from
//! runs minutes apart would measure the drift as much as the threads.

#[allow(dead_code, reason = "the generator's own main is not used here")]
#[path = "../examples/gen_units.rs"]
mod gen_units;

use nianbao::batch::{BatchConfig, Status, discover, run_batch};
use nianbao::io::Replace;
use nianbao::{Engine, EngineOptions};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

#[path = "support/mod.rs"]
mod support;
use support::peak_rss_mb;

fn main() {
    let n: usize =
        std::env::var("NIANBAO_BENCH_UNITS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let units = tmp.path().join("units");
    gen_units::generate(&units, n);
    let inputs = discover(&[units], None).expect("discover").inputs;
    let t = Instant::now();
    let engine = Engine::new(EngineOptions::default()).expect("fonts");
    println!("engine (fonts) ready in {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let rounds: usize =
        std::env::var("NIANBAO_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 1..=rounds.max(1) {
        for jobs in [1, 2] {
            let out = tmp.path().join(format!("out-{jobs}"));
            std::fs::create_dir_all(&out).expect("outdir");
            let config = BatchConfig {
                outdir: out.clone(),
                outputs: vec![nianbao::OutputKind::Pdf],
                changed: false,
                replace: Replace::UnlessSigned,
                confine: false,
                keep_loaded: false,
                audit: Default::default(),
                previous: Default::default(),
            };
            let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build().expect("pool");
            let stop = AtomicBool::new(false);
            let start = Instant::now();
            let results =
                pool.install(|| run_batch(&inputs, &config, &engine, &stop, &|_| {})).units;
            let secs = start.elapsed().as_secs_f64();
            let ok = results.iter().filter(|u| u.status == Status::Rendered).count();
            let failed = results.iter().filter(|u| u.status == Status::Failed).count();
            let rate = n as f64 / secs;
            rates[jobs - 1].push(rate);
            println!(
                "round {round}, jobs {jobs}: {n} units ({ok} rendered, {failed} failed as generated) in {secs:.2} s = {rate:.1} units/s, PDF+DOCX outputs, peak RSS so far {:.0} MB",
                peak_rss_mb()
            );
            std::fs::remove_dir_all(&out).expect("clear the outputs");
        }
        let r = rates[1][round - 1] / rates[0][round - 1];
        println!("round {round}: speed-up jobs 2 / jobs 1: {r:.2}x");
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (one, two) = (mean(&rates[0]), mean(&rates[1]));
    println!(
        "mean of {} rounds: jobs 1 {one:.1} units/s, jobs 2 {two:.1} units/s, speed-up {:.2}x; peak RSS {:.0} MB",
        rates[0].len(),
        two / one,
        peak_rss_mb()
    );
    println!(
        "targets: jobs 2 >= 60 units/s -> {}; speed-up >= 1.7x -> {}; peak RSS <= 300 MB -> {}",
        if two >= 60.0 { "met" } else { "MISSED" },
        if two / one >= 1.7 { "met" } else { "MISSED" },
        if peak_rss_mb() <= 300.0 { "met" } else { "MISSED" }
    );
}
