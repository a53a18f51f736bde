//! The engine as a library: rendering from memory (`examples/embed.rs`) gives the CLI's bytes,
//! an edition is data (a trimmed 2021 format under another number needs no code), and
//! `batch` takes every option `render` takes, through the same code.

use crate::common;

#[allow(dead_code, reason = "only `render` is used here")]
#[path = "../examples/embed.rs"]
mod embed;

use nianbao::diag::Code;
use nianbao::template::Format;
use nianbao::world::MemoryResources;
use nianbao::{Engine, EngineOptions, OutputKind, Source};
use std::path::Path;
use std::process::{Command, Output};

fn nianbao(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nianbao")).args(args).output().expect("run nianbao")
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `nianbao render --format pdf FILE -o DIR`, then the PDF's bytes.
fn cli_pdf(yaml: &Path, dir: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec![os("render"), os("--format"), os("pdf"), os("-o"), dir.as_os_str()];
    args.extend(extra.iter().map(|a| os(a)));
    args.push(yaml.as_os_str());
    assert_success(&nianbao(&args));
    let stem = yaml.file_stem().unwrap().to_string_lossy();
    std::fs::read(dir.join(format!("{stem}.pdf"))).expect("the PDF was written")
}

#[test]
fn embed_example_renders_from_memory_byte_identical_to_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let example = common::repo("examples/shengsi-2024.yaml");
    let yaml = std::fs::read(&example).unwrap();
    let from_memory = embed::render(yaml.clone()).expect("embed renders the example");
    assert_eq!(from_memory, cli_pdf(&example, dir.path(), &[]), "the example");

    // With a seal: the CLI reads it from the report's folder, embed serves it from memory.
    let mut sealed = yaml;
    sealed.extend_from_slice(b"\nsignature:\n  seal: demo-seal.png\n");
    let unit = dir.path().join("sealed.yaml");
    std::fs::write(&unit, &sealed).unwrap();
    std::fs::copy(common::repo("examples/demo-seal.png"), dir.path().join("demo-seal.png"))
        .unwrap();
    let from_memory = embed::render(sealed).expect("embed renders the sealed report");
    let from_disk = cli_pdf(&unit, &dir.path().join("out"), &[]);
    assert_eq!(from_memory, from_disk, "the sealed report");
    assert!(from_disk.windows(8).any(|w| w == b"/SMask  " || w.starts_with(b"/SMask")));
}

#[test]
fn memory_resources_report_a_missing_image_at_its_key() {
    let engine = Engine::new(EngineOptions::default()).unwrap();
    let mut yaml = common::example_text();
    yaml.push_str("\nsignature:\n  seal: nowhere.png\n");
    let line = yaml.lines().count() as u32;
    let loaded = engine.check(
        Source::new("form", yaml.into_bytes()),
        &MemoryResources::new(),
        &Default::default(),
    );
    let d = loaded.diags.iter().find(|d| d.code == Code::MissingFile).expect("E-F1");
    assert_eq!((d.span.line, d.path.as_deref()), (line, Some("signature.seal")));
    assert!(!loaded.is_ok());
}

/// The 2021 format without table 四 (its section, table and rule), under edition 2099.
fn trimmed_format() -> Format {
    let text = std::fs::read_to_string(common::repo("templates/formats/2021.yaml")).unwrap();
    let text = text.replace("edition: 2021", "edition: 2099");
    let mut out = String::new();
    let mut skip = false;
    for line in text.lines() {
        // the section entry, the table (up to the next top-level block) and its rule
        if line.starts_with("  - {key: reviews_lawsuits") {
            continue;
        }
        if line.starts_with("  reviews_lawsuits:") {
            skip = true;
            continue;
        }
        if skip && (line.starts_with("# ") || !line.starts_with(' ') && !line.is_empty()) {
            skip = false;
        }
        if skip {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    let out = out.replace(
        "  - code: E-R4\n    kind: row_total\n    table: reviews_lawsuits\n",
        "  - code: E-R4\n    kind: row_total\n    table: applications\n",
    );
    Format::from_yaml(&out).expect("the trimmed format reads")
}

#[test]
fn an_edition_is_a_data_file() {
    let format = trimmed_format();
    assert_eq!(format.edition, 2099);
    assert!(format.table("reviews_lawsuits").is_none() && format.sections.len() == 5);
    let options = EngineOptions { extra_formats: vec![format], ..EngineOptions::default() };
    let engine = Engine::new(options).unwrap();
    assert_eq!(engine.formats().editions(), [2021, 2099]);

    // The example without table 四, in edition 2099: clean, and rendered with five sections.
    let text = common::example_text().replace("format: 2021", "format: 2099");
    let (head, tail) = text.split_once("reviews_lawsuits:").unwrap();
    let tail = &tail[tail.find("\nproblems:").unwrap()..];
    let report = format!("{head}{tail}");
    let loaded = engine.check(
        Source::new("2099.yaml", report.into_bytes()),
        &MemoryResources::new(),
        &Default::default(),
    );
    assert!(loaded.is_ok(), "{:#?}", loaded.diags);
    let rendered = engine.render(&loaded, &[OutputKind::Pdf]).expect("renders");
    assert!(rendered.pages().expect("a PDF").count >= 3);

    // In edition 2099 the key of the dropped section is unknown; in 2021 it is required.
    let with_four = engine.check(
        Source::new("x.yaml", text.clone().into_bytes()),
        &MemoryResources::new(),
        &Default::default(),
    );
    let unknown: Vec<_> = with_four.diags.iter().filter(|d| d.code == Code::UnknownKey).collect();
    assert_eq!(unknown.len(), 1, "{:#?}", with_four.diags);
    assert_eq!(unknown[0].path.as_deref(), Some("reviews_lawsuits"));
}

#[test]
fn batch_takes_the_font_option_of_render() {
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units");
    std::fs::create_dir(&units).unwrap();
    let unit = units.join("shengsi.yaml");
    std::fs::copy(common::repo("examples/shengsi-2024.yaml"), &unit).unwrap();
    let font = common::repo("fonts/FandolKai-Regular.otf");
    let font_arg = format!("body={}", font.display());

    let rendered = cli_pdf(&unit, &dir.path().join("render"), &["--font", &font_arg]);
    let plain = cli_pdf(&unit, &dir.path().join("plain"), &[]);
    assert_ne!(rendered, plain, "--font changes the body face");

    let out = dir.path().join("batch");
    assert_success(&nianbao(&[
        os("batch"),
        units.as_os_str(),
        os("-o"),
        out.as_os_str(),
        os("--format"),
        os("pdf"),
        os("--font"),
        os(&font_arg),
    ]));
    let batched = std::fs::read(out.join("shengsi.pdf")).unwrap();
    assert_eq!(batched, rendered, "batch --font gives render --font's bytes");
}

#[test]
fn a_truncated_font_is_an_error_naming_the_role() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(common::repo("fonts/FandolFang-Regular.otf")).unwrap();
    let half = dir.path().join("half.otf");
    std::fs::write(&half, &full[..full.len() / 2]).unwrap();
    let tiny = dir.path().join("tiny.otf");
    std::fs::write(&tiny, &full[..1024]).unwrap();
    let example = common::repo("examples/shengsi-2024.yaml");
    for font in [&half, &tiny] {
        let arg = format!("body={}", font.display());
        let out = nianbao(&[
            os("render"),
            os("-o"),
            dir.path().as_os_str(),
            os("--font"),
            os(&arg),
            example.as_os_str(),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("body") && err.contains("font"), "{err}");
        assert!(!dir.path().join("shengsi-2024.pdf").exists(), "nothing written");
    }
}

/// #28 item 1: what PDF/A and PDF/UA would refuse in the PDF step (E-P1) is told by the
/// check — at the place of a character no font draws, and for PDF/A a report with no date
/// — so `batch --pdfa` and the form see it before a render; without --pdfa/--pdfua nothing
/// changes. The render of such a report is refused with the same message.
#[test]
fn the_check_predicts_the_archive_refusals() {
    let glyph = std::fs::read(common::repo("tests/suite/render/missing-glyph.yaml")).unwrap();
    let undated = std::fs::read(common::repo("tests/suite/render/undated.yaml")).unwrap();
    let line = String::from_utf8_lossy(&glyph)
        .lines()
        .position(|l| l.contains('\u{20000}') && !l.starts_with('#'))
        .unwrap() as u32
        + 1;
    let check = |options: EngineOptions, bytes: &[u8]| {
        let engine = Engine::new(options).unwrap();
        let source = Source::new("r.yaml", bytes.to_vec());
        let loaded = engine.check(source, &MemoryResources::new(), &Default::default());
        let refusals: Vec<_> =
            loaded.diags.iter().filter(|d| d.code == Code::PdfA).cloned().collect();
        (engine, loaded, refusals)
    };
    let pdfa = EngineOptions { pdfa: true, ..EngineOptions::default() };
    let ua = EngineOptions { pdfua: true, ..EngineOptions::default() };
    for options in [pdfa.clone(), ua.clone()] {
        let (_, loaded, refusals) = check(options, &glyph);
        assert_eq!(refusals.len(), 1, "{:#?}", loaded.diags);
        assert_eq!(refusals[0].span.line, line);
        assert!(refusals[0].message_zh.contains("“\u{20000}”"), "{}", refusals[0].message_zh);
        assert!(!loaded.is_ok(), "an error: nothing is rendered");
    }
    let (_, _, refusals) = check(pdfa.clone(), &undated);
    assert_eq!(refusals.len(), 1);
    assert!(refusals[0].hints.iter().any(|h| h.contains("signature.date")), "{refusals:#?}");
    // PDF/UA alone needs no date; neither needs anything without the options.
    assert!(check(ua, &undated).2.is_empty());
    let (engine, loaded, refusals) = check(EngineOptions::default(), &glyph);
    assert!(refusals.is_empty() && loaded.is_ok());
    assert!(engine.render(&loaded, &[OutputKind::Pdf]).is_ok());
    // The PDF step itself refuses the same (the check was skipped here: no prediction).
    let engine = Engine::new(pdfa).unwrap();
    let bare = engine.check(
        Source::new("r.yaml", glyph.clone()),
        &MemoryResources::new(),
        &nianbao::CheckOptions { predict: false, ..Default::default() },
    );
    let err = engine.render(&bare, &[OutputKind::Pdf]).expect_err("refused");
    assert!(err.iter().any(|d| d.code == Code::PdfA), "{err:#?}");
}
