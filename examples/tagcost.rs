//! Scratch: export the example N times tagged or untagged (argv[1] = "tagged" | "plain").
use nianbao::layout::{LayoutOptions, layout_document};
use nianbao::pdf::PdfOptions;
use nianbao::{Engine, EngineOptions, OutputKind};
fn main() {
    let tagged = std::env::args().nth(1).as_deref() == Some("tagged");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shengsi-2024.yaml");
    let engine = Engine::new(EngineOptions { outputs: vec![OutputKind::Pdf], ..Default::default() }).unwrap();
    let loaded = nianbao::load_and_check(&path);
    let (doc, _) = engine.resolve(&loaded).unwrap();
    let layout = layout_document(&doc, engine.fonts(), LayoutOptions::default());
    let options = PdfOptions { untagged: !tagged, ..PdfOptions::default() };
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..200 {
        n += nianbao::pdf::export(&layout, engine.fonts(), &doc, options).unwrap().len();
    }
    std::fs::write(format!("/tmp/ua/cmp/{}.pdf", if tagged {"tagged"} else {"plain"}), nianbao::pdf::export(&layout, engine.fonts(), &doc, options).unwrap()).unwrap();
    eprintln!("{} {:.2} ms/export {}", if tagged {"tagged"} else {"plain"}, t.elapsed().as_secs_f64()*1e3/200.0, n/200);
}
