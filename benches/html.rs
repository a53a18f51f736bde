//! HTML export speed (issue #17: "a few milliseconds at most"): resolve a report once, then
//! time `html::export` as a whole page (styles, the JSON numbers block) and as the fragment
//! for a portal's editor, for the example and for the figures case (three figures and the
//! seal, shown, as `data:` URIs), and `html::numbers_json` alone; 500 calls each after a
//! warm-up, medians of 10 batches of 50. `cargo bench --bench html`.

use nianbao::html::{HtmlOptions, export, numbers_json};
use std::time::Instant;

#[path = "support/mod.rs"]
mod support;
use support::{peak_rss_mb, resolved};

fn main() {
    let doc = resolved("examples/shengsi-2024.yaml");
    let figures = resolved("tests/suite/html/figures.yaml");
    let time = |name: &str, f: &dyn Fn() -> usize| {
        let mut size = f(); // warm-up
        let mut batches = Vec::new();
        for _ in 0..10 {
            let start = Instant::now();
            for _ in 0..50 {
                size = std::hint::black_box(f());
            }
            batches.push(start.elapsed().as_secs_f64() * 1000.0 / 50.0);
        }
        batches.sort_by(f64::total_cmp);
        let median = (batches[4] + batches[5]) / 2.0;
        println!(
            "{name:<24} {median:.3} ms per report (median of 10 × 50; min {:.3}, max {:.3}), {size} bytes",
            batches[0], batches[9]
        );
        median
    };
    let page = time("example, page", &|| export(&doc, &HtmlOptions::default()).len());
    let fragment = time("example, fragment", &|| {
        export(&doc, &HtmlOptions { fragment: true, ..HtmlOptions::default() }).len()
    });
    let images = time("figures + seal, page", &|| {
        export(&figures, &HtmlOptions { seal: true, ..HtmlOptions::default() }).len()
    });
    time("example, numbers_json", &|| numbers_json(&doc).len());
    let worst = page.max(fragment).max(images);
    let verdict = if worst <= 3.0 { "met" } else { "MISSED" };
    println!(
        "target: a few ms at most (≤ 3 ms) → {worst:.3} ms ({verdict}); peak RSS {:.1} MiB",
        peak_rss_mb()
    );
}
