//! Report → YAML (`nianbao::model::emit_yaml`): for every example and every suite
//! input that loads without errors, loading the emitted YAML gives the same report
//! (up to locations), and the emitted file checks exactly as clean as the original.

use nianbao::diag::{Diagnostic, has_errors};
use nianbao::model::{Report, emit_yaml, load_report, strip_locations};
use nianbao::source::SourceFile;
use nianbao::template::bundled_format;
use nianbao::validate::validate_report;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
}

fn load(path: &Path, text: &str, _base: &Path) -> (Option<Report>, Vec<Diagnostic>) {
    load_report(&SourceFile::new(path, text.to_string()), nianbao::template::Formats::bundled())
}

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    let mut c: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    c.sort_unstable();
    c
}

/// Emits `path`'s report and loads it back; false when the file does not load cleanly.
fn round_trip(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap();
    let base = path.parent().unwrap();
    let (report, diags) = load(path, &text, base);
    let Some(report) = report.filter(|_| !has_errors(&diags)) else {
        return false;
    };
    let format = bundled_format(report.format).unwrap();
    let emitted = emit_yaml(&report, format, base, base);
    let (again, diags2) = load(path, &emitted, base);
    assert!(
        !has_errors(&diags2),
        "{}: emitted YAML has errors: {diags2:#?}\n{emitted}",
        path.display()
    );
    let again = again.expect("emitted YAML loads");
    assert_eq!(
        strip_locations(&again),
        strip_locations(&report),
        "{}: load(emit(r)) != r\n{emitted}",
        path.display()
    );
    // The same warnings (half-width punctuation, placeholders …) are found again.
    assert_eq!(codes(&diags2), codes(&diags), "{}", path.display());
    let (_, v1) = validate_report(&report, format);
    let (_, v2) = validate_report(&again, format);
    assert_eq!(codes(&v2), codes(&v1), "{}", path.display());
    // Emitting is stable: the emitted file emits to itself.
    assert_eq!(emit_yaml(&again, format, base, base), emitted, "{}", path.display());
    true
}

#[test]
fn emit_round_trips_every_example() {
    let mut files = Vec::new();
    yaml_files(&repo().join("examples"), &mut files);
    assert!(files.len() >= 2);
    for f in &files {
        assert!(round_trip(f), "{} must load without errors", f.display());
    }
}

#[test]
fn emit_round_trips_every_suite_input_that_loads() {
    let mut files = Vec::new();
    yaml_files(&repo().join("tests/suite"), &mut files);
    let loaded = files.iter().filter(|f| round_trip(f)).count();
    // The forms fixture, the render fixture and every warning-only validate case.
    eprintln!("{loaded} of {} suite files round-tripped", files.len());
    assert!(loaded >= 10, "only {loaded} suite files loaded");
}

#[test]
fn emit_comments_records_with_official_labels() {
    let path = repo().join("examples/shengsi-2024.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let (report, _) = load(&path, &text, path.parent().unwrap());
    let emitted = emit_yaml(&report.unwrap(), bundled_format(2021).unwrap(), &repo(), &repo());
    assert!(emitted.contains("# 一、总体情况\noverview:\n"), "{emitted}");
    assert!(emitted.contains("    state_secret: [0, 0, 0, 0, 0, 0]   # 三（三）1.属于国家秘密\n"));
    assert!(
        emitted.contains("  normative_documents: {issued: 10, repealed: 2, in_force: 182}   #")
    );
    assert!(emitted.contains("  total: [8, 0, 0, 0, 0, 0, 8]   # 三（七）总计\n"));
    assert!(
        emitted.contains("  review: {upheld: 0, corrected: 0, other: 0, pending: 0, total: 0}")
    );
    assert!(emitted.contains("date: 2025-01-22"));
}
