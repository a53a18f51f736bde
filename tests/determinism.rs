//! A unit's PDF does not depend on what else the process rendered (issue #19): the
//! subsetter keeps each glyph's desubroutinised charstring per font for the whole
//! process, so the first render of a process (every cache empty) is compared with the
//! same unit rendered inside a batch of 100 on two threads (caches filled by the other
//! units in whatever order the threads took them) and rendered alone again afterwards.
//!
//! One test in this file on purpose: it must be the first render of its process.

use crate::gen_units;

use nianbao::batch::{BatchConfig, Status, discover, run_batch};
use nianbao::io::Replace;
use nianbao::world::MemoryResources;
use nianbao::{CheckOptions, Engine, EngineOptions, OutputKind, Source};
use std::path::Path;
use std::sync::atomic::AtomicBool;

fn render_alone(engine: &Engine, path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).expect("read unit");
    let loaded = engine.check(
        Source::new(path, bytes),
        &MemoryResources::new(),
        &CheckOptions::for_render(),
    );
    assert!(loaded.is_ok(), "{}: {:?}", path.display(), loaded.diags);
    engine.render(&loaded, &[OutputKind::Pdf]).expect("renders").pdf().expect("a PDF").to_vec()
}

#[test]
fn a_unit_alone_and_inside_a_batch_of_100_gives_the_same_pdf() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let units = tmp.path().join("units");
    gen_units::generate(&units, 100);
    let name = "unit-0042";
    let unit = units.join(format!("district-02/{name}.yaml"));
    let engine = Engine::new(EngineOptions::default()).expect("engine");

    // First render of the process: no glyph cached yet.
    let alone = render_alone(&engine, &unit);

    let inputs = discover(&[units], None).expect("discover").inputs;
    assert_eq!(inputs.len(), 100);
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).expect("outdir");
    let config = BatchConfig {
        outdir: out.clone(),
        outputs: vec![OutputKind::Pdf],
        changed: false,
        replace: Replace::UnlessSigned,
        confine: false,
        keep_loaded: false,
        audit: Default::default(),
        previous: Default::default(),
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("pool");
    let result =
        pool.install(|| run_batch(&inputs, &config, &engine, &AtomicBool::new(false), &|_| {}));
    let rendered = result.units.iter().filter(|u| u.status == Status::Rendered).count();
    assert_eq!(rendered, 99, "every unit but the one broken on purpose (unit 96)");

    let in_batch = std::fs::read(out.join(format!("district-02/{name}.pdf")))
        .expect("the batch wrote the unit's PDF");
    assert!(alone.starts_with(b"%PDF-") && alone.len() > 50_000, "a real PDF");
    assert!(alone == in_batch, "the unit's PDF changed inside the batch");

    // And alone again with every cache full.
    assert!(render_alone(&engine, &unit) == alone, "the unit's PDF changed after the batch");

    // Another unit rendered inside the batch was not accidentally the same file.
    let other = std::fs::read(out.join("district-03/unit-0043.pdf")).expect("another PDF");
    assert!(other != alone);
}
