//! 图解 speed (issue #37: "a few milliseconds" for the SVG and the PDF pages): check a report
//! once, then time building the chart description from its computed tables, the SVG, the
//! PDF pages (tagged, as the report's PDF), and — apart — rasterising the long PNG; for both
//! examples, after a warm-up, medians of batches. `cargo bench --bench tujie`.

use nianbao::fonts::FontBook;
use nianbao::pdf::PdfOptions;
use nianbao::template::default_style;
use nianbao::{Engine, EngineOptions};
use std::time::Instant;

#[path = "support/mod.rs"]
mod support;
use support::peak_rss_mb;

/// The median of `batches` batches of `n` calls, in ms per call.
fn time(name: &str, batches: usize, n: usize, f: &dyn Fn() -> usize) -> f64 {
    let mut size = f(); // warm-up
    let mut per = Vec::new();
    for _ in 0..batches {
        let start = Instant::now();
        for _ in 0..n {
            size = std::hint::black_box(f());
        }
        per.push(start.elapsed().as_secs_f64() * 1000.0 / n as f64);
    }
    per.sort_by(f64::total_cmp);
    let median = per[per.len() / 2];
    println!(
        "{name:<34} {median:8.3} ms (median of {batches} × {n}; min {:.3}, max {:.3}), {size} bytes",
        per[0],
        per[per.len() - 1]
    );
    median
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let engine = Engine::new(EngineOptions::default()).expect("fonts");
    let fonts = FontBook::bundled(default_style()).expect("fonts");
    let pdf = PdfOptions { tagged: true, ..PdfOptions::default() };
    let mut worst: f64 = 0.0;
    for name in ["shengsi-2024", "township-2025"] {
        let loaded = nianbao::load_and_check(&root.join(format!("examples/{name}.yaml")));
        let tujie = engine.tujie(&loaded, None).expect("an error-free report");
        println!("{name}:");
        time("  charts from the tables", 10, 500, &|| {
            engine.tujie(&loaded, None).map_or(0, |t| t.charts.len())
        });
        let svg = time("  SVG", 10, 200, &|| nianbao::tujie::svg(&tujie, &fonts).len());
        let pages = time("  PDF pages (tagged)", 10, 20, &|| {
            nianbao::tujie::pdf(&tujie, &fonts, pdf, None).map_or(0, |b| b.len())
        });
        worst = worst.max(svg + pages);
        time("  PNG 1080 px (rasterised SVG)", 5, 2, &|| {
            nianbao::tujie::png(&tujie, &fonts).map_or(0, |b| b.len())
        });
    }
    let verdict = if worst <= 5.0 { "met" } else { "MISSED" };
    println!(
        "target: SVG + PDF pages in a few ms (≤ 5 ms) → {worst:.3} ms ({verdict}); peak RSS {:.1} MiB",
        peak_rss_mb()
    );
}
