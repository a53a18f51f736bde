//! The importers: any bytes as a published report (the first byte picks the reader: sniffed
//! as `nianbao import` does, or forced to text, HTML, DOCX or PDF), then the imported report
//! written as YAML and loaded back, as `nianbao import` and `init --from` do.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao::import::{FormatChoice, SourceKind, import_bytes};
use nianbao::model::{emit_yaml, load_report, strip_locations};
use nianbao::source::SourceFile;
use nianbao::template::{Formats, bundled_format};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, doc)) = data.split_first() else { return };
    let kind = match pick % 5 {
        0 => SourceKind::sniff("report", doc),
        1 => SourceKind::Text,
        2 => SourceKind::Html,
        3 => SourceKind::Docx,
        _ => SourceKind::Pdf,
    };
    let into = bundled_format(2021).expect("bundled");
    let imported = import_bytes(doc, kind, FormatChoice::Auto, into);
    for d in &imported.diags {
        let d = &d.diag;
        assert!(!d.message_zh.is_empty() && !d.message_en.is_empty(), "empty message: {d:?}");
    }
    // What is imported is written as YAML that reads back as the same report.
    let format = bundled_format(imported.report.format).expect("a bundled edition");
    let here = Path::new(".");
    let yaml = emit_yaml(&imported.report, format, here, here);
    let (again, _) = load_report(&SourceFile::new(Path::new("x.yaml"), yaml.clone()), Formats::bundled());
    let again = again.unwrap_or_else(|| panic!("the emitted YAML does not load:\n{yaml}"));
    assert_eq!(
        strip_locations(&again),
        strip_locations(&imported.report),
        "load(emit(import(x))) != import(x)\n{yaml}"
    );
});
