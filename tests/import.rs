//! `nianbao::import`: published reports (text, HTML) become the contract's YAML with
//! every number in place, blanks reported, glued digits split by the 勾稽 rules, the
//! edition detected and every imported value traceable to its place in the source.

use nianbao::diag::{Diagnostic, has_errors};
use nianbao::import::{Edition, FormatChoice, Imported, SourceKind, import_bytes};
use nianbao::model::{Report, emit_yaml, load_report, strip_locations};
use nianbao::source::SourceFile;
use nianbao::template::bundled_format;
use nianbao::validate::validate_report;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("tests/suite/import").join(name)).unwrap()
}

fn load_yaml(path: &Path) -> Report {
    let text = std::fs::read_to_string(path).unwrap();
    let (r, d) = load_report(&SourceFile::new(path, text), path.parent().unwrap());
    assert!(!has_errors(&d), "{d:#?}");
    r.unwrap()
}

/// Every number of every table: (table, record, values) with the given totals.
fn numbers(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for s in &r.sections {
        if let Some(t) = &s.table {
            for rec in &t.records {
                let v: Vec<String> = rec.values.iter().map(|n| n.value.display()).collect();
                out.push(format!("{}.{} {}", t.key, rec.key, v.join(",")));
            }
        }
    }
    out
}

fn codes(diags: &[nianbao::import::ImportDiag]) -> Vec<&'static str> {
    diags.iter().map(|d| d.diag.code.as_str()).collect()
}

/// The imported report written as YAML and loaded back: it must load and check.
fn reload(imp: &Imported) -> (Report, Vec<Diagnostic>) {
    let format = bundled_format(2021).unwrap();
    let yaml = emit_yaml(&imp.report, format, Path::new("."));
    let path = Path::new("imported.yaml");
    let (r, mut d) = load_report(&SourceFile::new(path, yaml.clone()), Path::new("."));
    let r = r.unwrap_or_else(|| panic!("{d:#?}\n{yaml}"));
    assert!(!has_errors(&d), "{d:#?}\n{yaml}");
    let (_, v) = validate_report(&r, format);
    d.extend(v);
    assert_eq!(strip_locations(&r), strip_locations(&imp.report), "{yaml}");
    (r, d)
}

#[test]
fn import_text_seed_gives_the_example_numbers() {
    let imp = import_bytes(
        &fixture("seed-report-shengsi-2024.txt"),
        SourceKind::Text,
        FormatChoice::Auto,
    );
    let example = load_yaml(&repo().join("examples/shengsi-2024.yaml"));
    assert!(imp.diags.is_empty(), "{:#?}", imp.diags);
    assert_eq!(numbers(&imp.report), numbers(&example));
    assert_eq!(imp.edition, Edition::F2021);
    assert!(imp.diags.is_empty(), "{:#?}", imp.diags);
    assert_eq!(imp.report.unit.text, "嵊泗县人民政府办公室");
    assert_eq!(imp.report.year.0, 2024);
    let (_, diags) = reload(&imp);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn import_text_seed_splits_the_prose_like_the_example() {
    let imp = import_bytes(
        &fixture("seed-report-shengsi-2024.txt"),
        SourceKind::Text,
        FormatChoice::Auto,
    );
    let example = strip_locations(&load_yaml(&repo().join("examples/shengsi-2024.yaml")));
    let got = strip_locations(&imp.report);
    assert_eq!(got.preamble, example.preamble);
    for key in ["overview", "problems", "other"] {
        assert_eq!(got.section(key).unwrap().prose, example.section(key).unwrap().prose, "{key}");
    }
    assert_eq!(got.date, example.date);
}
