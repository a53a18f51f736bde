//! The integration tests, one binary (as ripgrep's `tests/tests.rs`): one link instead of one
//! per file, and the support modules compiled once. Each file below is a module; the files in
//! the support folders are shared by them. `cargo test --test tests MODULE::` runs one file's
//! tests (e.g. `cargo test --test tests pdf::`). A test file not named here would not be run:
//! `every_test_file_is_a_module` checks that none is left out.

// Support shared by the test modules.
mod common;
// The unit generator of the benches (`examples/gen_units.rs`).
#[allow(dead_code, reason = "the generator's own main is not used here")]
#[path = "../examples/gen_units.rs"]
mod gen_units;
mod hostile_support;
mod import_support;
mod libreoffice;
mod render_support;
mod serve_support;
#[macro_use]
mod sign_support;

// The test files.
mod audit;
mod batch;
mod cli;
mod determinism;
mod dist;
mod docx;
mod emit;
mod engine;
mod forms;
mod fuzz;
mod hostile;
mod html;
mod import;
mod import_cli;
mod import_roundtrip;
mod layout;
mod ofd;
mod pdf;
mod pdfua;
mod rules;
mod serve;
mod serve_form;
mod serve_limits;
mod serve_session;
mod serve_sso;
mod serve_store;
mod serve_workflow;
mod sign;
mod sign_batch;
mod sign_cli;
mod tujie;
mod typeset;
mod validate;
mod xlsx;

/// Every `tests/*.rs` file is declared above (with `autotests = false`, cargo no longer finds
/// test files by itself, so a new one left out here would silently never run).
#[test]
fn every_test_file_is_a_module() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let declared = include_str!("tests.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&root).expect("tests/") {
        let path = entry.expect("entry").path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        if path.extension().is_some_and(|e| e == "rs")
            && stem != "tests"
            && !declared.lines().any(|l| l == format!("mod {stem};"))
        {
            missing.push(stem.to_string());
        }
    }
    assert!(missing.is_empty(), "test files not declared in tests/tests.rs: {missing:?}");
}
