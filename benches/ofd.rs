//! The OFD step against the PDF step (issue #36: writing the OFD costs no more than the PDF):
//! both examples laid out once, then `pdf::export` (tagged, as `render` makes it, and
//! untagged) and `ofd::export` each run N times from the same layout with the fonts warm.
//! Prints the median ms of each, the sizes and the peak RSS. `cargo bench --bench ofd`;
//! `NIANBAO_BENCH_ITERS` sets N (default 30).

use nianbao::layout::{LayoutOptions, layout_document};
use nianbao::ofd::OfdOptions;
use nianbao::pdf::PdfOptions;
use nianbao::{Engine, EngineOptions};
use std::path::Path;
use std::time::Instant;

#[path = "support/mod.rs"]
mod support;
use support::{median, peak_rss_mb};

fn time(iters: usize, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut times = Vec::with_capacity(iters);
    let mut size = 0;
    // One warm-up: the fonts' outlines are decompiled once per process.
    f();
    for _ in 0..iters {
        let t = Instant::now();
        size = f();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    (median(&mut times), size)
}

fn main() {
    let iters: usize =
        std::env::var("NIANBAO_BENCH_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let engine = Engine::new(EngineOptions::default()).expect("fonts");
    let fonts = engine.fonts();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!(
        "{:<16} {:>8} {:>10} {:>12} {:>10} {:>10} {:>10}",
        "report", "pages", "pdf ms", "untagged ms", "ofd ms", "pdf B", "ofd B"
    );
    for name in ["shengsi-2024", "township-2025"] {
        let loaded = nianbao::load_and_check(&root.join(format!("examples/{name}.yaml")));
        let (doc, _) = engine.resolve(&loaded).expect("resolves");
        let layout = layout_document(&doc, fonts, LayoutOptions::default());
        let tagged = PdfOptions { tagged: true, ..PdfOptions::default() };
        let (pdf_ms, pdf_b) =
            time(iters, || nianbao::pdf::export(&layout, fonts, &doc, tagged).expect("pdf").len());
        let (plain_ms, _) = time(iters, || {
            nianbao::pdf::export(&layout, fonts, &doc, PdfOptions::default()).expect("pdf").len()
        });
        let (ofd_ms, ofd_b) = time(iters, || {
            nianbao::ofd::export(&layout, fonts, &doc, OfdOptions::default()).expect("ofd").len()
        });
        println!(
            "{name:<16} {:>8} {pdf_ms:>10.2} {plain_ms:>12.2} {ofd_ms:>10.2} {pdf_b:>10} {ofd_b:>10}",
            layout.pages.len()
        );
    }
    println!("peak RSS {:.1} MB", peak_rss_mb());
}
