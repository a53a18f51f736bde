//! DOCX export speed: resolve the example once, then time 200 `docx::export` calls.
//! Run with `cargo bench --bench docx` (target: ≤ 5 ms per report, warm).

use nianbao::docx::{DocxOptions, export};
use std::path::Path;
use std::time::Instant;

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shengsi-2024.yaml");
    let loaded = nianbao::load_and_check(&path);
    let report = loaded.report.as_ref().expect("the example loads");
    let format = nianbao::template::bundled_format(report.format).expect("bundled format");
    let (doc, _) = nianbao::resolve::resolve_document(
        report,
        loaded.checked.as_ref().expect("the example is checked"),
        format,
        nianbao::template::default_style(),
        &loaded.images,
    );
    let options = DocxOptions::default();
    let mut size = export(&doc, &options).len(); // warm-up
    let runs = 200;
    let start = Instant::now();
    for _ in 0..runs {
        size = std::hint::black_box(export(&doc, &options)).len();
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    println!("docx::export: {ms:.3} ms per report ({runs} runs, {size} bytes)");
}
