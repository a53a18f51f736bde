//! Import speed: one report from each kind of source, parsed and mapped onto the
//! format, then written as YAML. Run with `cargo bench --bench import`
//! (target: milliseconds, not seconds, per report).

use nianbao::import::{FormatChoice, SourceKind, import_bytes};
use std::path::Path;

#[path = "support/mod.rs"]
mod bench_support;
#[path = "../tests/import_support/mod.rs"]
mod import_support;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = root.join("examples/shengsi-2024.yaml");
    let loaded = nianbao::load_and_check(&example);
    let engine = nianbao::Engine::new(nianbao::EngineOptions::default()).expect("bundled fonts");
    let out = engine
        .render(&loaded, &[nianbao::OutputKind::Pdf, nianbao::OutputKind::Docx])
        .expect("the example renders");
    let read = |p: &str| std::fs::read(root.join("tests/suite/import").join(p)).expect("fixture");
    // The portal page's text as a crawler keeps it: tags dropped, all on one line (#30).
    let flat =
        import_support::flatten_html(&String::from_utf8(read("pingtan-2024.html")).expect("UTF-8"));
    let sources: [(&str, SourceKind, Vec<u8>); 6] = [
        ("text (seed)", SourceKind::Text, read("seed-report-shengsi-2024.txt")),
        (
            "text (WPS PDF via pdftotext -layout)",
            SourceKind::Text,
            read("wps-layout-shengsi-2024.txt"),
        ),
        ("text (pingtan, one line)", SourceKind::Text, flat.into_bytes()),
        ("HTML (pingtan)", SourceKind::Html, read("pingtan-2024.html")),
        ("DOCX (ours)", SourceKind::Docx, out.docx().expect("docx").to_vec()),
        ("PDF (ours, 6 pages)", SourceKind::Pdf, out.pdf().expect("pdf").to_vec()),
    ];
    let format = nianbao::template::bundled_format(2021).expect("bundled");
    for (name, kind, bytes) in &sources {
        let ms = bench_support::median_ms(50, || {
            let imp = import_bytes(bytes, *kind, FormatChoice::Auto, format);
            let yaml = nianbao::model::emit_yaml(&imp.report, format, root, root);
            std::hint::black_box(yaml);
        });
        println!("import {name}: {ms:.2} ms per report (median of 50, {} bytes)", bytes.len());
    }
}
