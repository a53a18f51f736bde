//! DOCX export speed: resolve the example once, then time 200 `docx::export` calls.
//! Run with `cargo bench --bench docx` (target: ≤ 5 ms per report, warm).

use nianbao::docx::{DocxOptions, export};
use std::time::Instant;

#[path = "support/mod.rs"]
mod support;
use support::{peak_rss_mb, resolved};

fn main() {
    let doc = resolved("examples/shengsi-2024.yaml");
    let options = DocxOptions::default();
    let mut size = export(&doc, &options).len(); // warm-up
    let runs = 200;
    let start = Instant::now();
    for _ in 0..runs {
        size = std::hint::black_box(export(&doc, &options)).len();
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    println!(
        "docx::export: {ms:.3} ms per report ({runs} runs, {size} bytes); peak RSS {:.1} MiB",
        peak_rss_mb()
    );
}
