//! The YAML loader and every check: any bytes, named as a report, through `Engine::check`
//! with in-memory resources (one valid seal image, so `signature.seal: seal.png` is decoded).
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao::world::MemoryResources;
use nianbao::{Engine, EngineOptions, Source};
use std::sync::OnceLock;

fn engine() -> &'static (Engine, MemoryResources) {
    static E: OnceLock<(Engine, MemoryResources)> = OnceLock::new();
    E.get_or_init(|| {
        let engine = Engine::new(EngineOptions::default()).expect("bundled fonts");
        let mut res = MemoryResources::new();
        // An 8 × 8 grey PNG.
        res.insert("seal.png", include_bytes!("../seeds/seal.png").to_vec());
        (engine, res)
    })
}

fuzz_target!(|data: &[u8]| {
    let (engine, res) = engine();
    let loaded = engine.check(Source::new("fuzz.yaml", data.to_vec()), res);
    let lines = loaded.file.line_count() as u32;
    for d in &loaded.diags {
        // Every diagnostic has a message in both languages, and a line inside the file.
        assert!(!d.message_zh.is_empty() && !d.message_en.is_empty(), "empty message: {d:?}");
        assert!(d.span.line <= lines + 1, "line past the end: {d:?}");
    }
});
