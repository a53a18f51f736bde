//! Rendering: any bytes, named as a report, through `Engine::check`; a report without
//! errors is rendered to a tagged PDF (the default), the DOCX and the HTML page. Rendering
//! a checked report never panics; what it refuses comes back as diagnostics with both
//! messages; what it makes is a PDF, a ZIP and an HTML page.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao::world::MemoryResources;
use nianbao::{Engine, EngineOptions, OutputKind, Source};
use std::sync::OnceLock;

fn engine() -> &'static (Engine, MemoryResources) {
    static E: OnceLock<(Engine, MemoryResources)> = OnceLock::new();
    E.get_or_init(|| {
        let options = EngineOptions {
            outputs: vec![OutputKind::Pdf, OutputKind::Docx, OutputKind::Html],
            ..EngineOptions::default()
        };
        assert!(options.tagged, "the PDF is tagged by default");
        let engine = Engine::new(options).expect("bundled fonts");
        let mut res = MemoryResources::new();
        // An 8 × 8 grey PNG as the seal, and the figures case's chart.
        res.insert("seal.png", include_bytes!("../seeds/seal.png").to_vec());
        res.insert("chart.png", include_bytes!("../../tests/suite/html/chart.png").to_vec());
        (engine, res)
    })
}

fuzz_target!(|data: &[u8]| {
    let (engine, res) = engine();
    let loaded = engine.check(Source::new("fuzz.yaml", data.to_vec()), res);
    if !loaded.is_ok() {
        return;
    }
    match engine.render(&loaded) {
        Ok(out) => {
            assert!(out.pdf().is_some_and(|p| p.starts_with(b"%PDF-")), "not a PDF");
            assert!(out.docx().is_some_and(|d| d.starts_with(b"PK")), "not a DOCX");
            let html = out.get(OutputKind::Html).expect("an HTML page");
            assert!(html.starts_with(b"<!DOCTYPE html>"), "not an HTML page");
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "refused without a reason");
            for d in &diags {
                assert!(!d.message_zh.is_empty() && !d.message_en.is_empty(), "{d:?}");
            }
        }
    }
});
