//! The built binary: `nianbao check` exit codes and JSON, `nianbao init` round trip.
//! Each test works in its own temporary folder.

use crate::common;

use common::{example_text, repo};
use std::path::Path;
use std::process::{Command, Output};

fn nianbao(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run nianbao")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally (no signal, no panic abort)")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

fn assert_no_panic(out: &Output) {
    assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
}

/// A temp folder with `good.yaml` (the example), `warn.yaml` (one warning) and
/// `bad.yaml` (three errors).
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = example_text();
    std::fs::write(dir.path().join("good.yaml"), &example).unwrap();
    std::fs::write(
        dir.path().join("warn.yaml"),
        example.replace("2024年，县政府办公室", "2024年,县政府办公室"),
    )
    .unwrap();
    let bad = example
        .replace("licensing: 0", "licensing: -1")
        .replace("received:         [7, 0, 0, 0, 0, 0]", "received:         [9, 0, 0, 0, 0, 0]")
        .replace("carried_over:", "carried_ovr:");
    std::fs::write(dir.path().join("bad.yaml"), bad).unwrap();
    dir
}

#[test]
fn check_exit_codes() {
    let dir = folder();
    let d = dir.path();
    let cases: &[(&[&str], i32)] = &[
        (&["check", "good.yaml"], 0),
        (&["check", "warn.yaml"], 0),
        (&["check", "--deny-warnings", "warn.yaml"], 1),
        (&["check", "bad.yaml"], 1),
        (&["check", "good.yaml", "bad.yaml", "warn.yaml"], 1),
        (&["check", "missing.yaml"], 2),
        (&["check", "good.yaml", "missing.yaml"], 2),
        (&["check", "bad.yaml", "missing.yaml"], 2),
        (&["check", "."], 2),
        (&["check"], 2),
        (&["check", "--format", "xml", "good.yaml"], 2),
        (&["check", "--no-such-flag", "good.yaml"], 2),
        (&["frobnicate"], 2),
    ];
    for (args, want) in cases {
        let out = nianbao(d, args);
        assert_no_panic(&out);
        assert_eq!(
            code(&out),
            *want,
            "nianbao {}\n{}{}",
            args.join(" "),
            stdout(&out),
            stderr(&out)
        );
    }
}

#[test]
fn human_output_names_file_line_label_and_hint() {
    let dir = folder();
    let out = nianbao(dir.path(), &["check", "bad.yaml"]);
    let text = stdout(&out);
    assert!(text.contains("error[E-N1]"), "{text}");
    assert!(text.contains("--> bad.yaml:28:14"), "{text}");
    assert!(text.contains("did you mean `carried_over`"), "{text}");
    assert!(text.contains("一+二 = 9，三（七）总计+四 = 8"), "{text}");
    let good = stdout(&nianbao(dir.path(), &["check", "good.yaml"]));
    assert!(good.contains("✓ good.yaml"), "{good}");
}

#[test]
fn json_matches_the_library() {
    let dir = folder();
    let out =
        nianbao(dir.path(), &["check", "--format", "json", "good.yaml", "bad.yaml", "warn.yaml"]);
    assert_eq!(code(&out), 1);
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&out)).expect("stdout is one JSON document");
    let files = json.as_array().expect("an array, one entry per file");
    assert_eq!(files.len(), 3);
    let names: Vec<&str> = files.iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(names, ["good.yaml", "bad.yaml", "warn.yaml"], "input order");
    let oks: Vec<bool> = files.iter().map(|f| f["ok"].as_bool().unwrap()).collect();
    assert_eq!(oks, [true, false, true]);

    for entry in files {
        let name = entry["file"].as_str().unwrap();
        let lib = nianbao::load_and_check(&dir.path().join(name));
        let diags = entry["diagnostics"].as_array().unwrap();
        assert_eq!(diags.len(), lib.diags.len(), "{name}: every problem in one run");
        for (j, d) in diags.iter().zip(&lib.diags) {
            assert_eq!(j["code"], d.code.as_str());
            if d.span.is_located() {
                assert_eq!(j["line"], d.span.line);
                assert_eq!(j["column"], d.span.col);
            } else {
                // A table left out entirely (W-P7) has no place in the file.
                assert!(j["line"].is_null() && j["column"].is_null(), "{j}");
            }
            assert_eq!(j["severity"], if d.is_error() { "error" } else { "warning" });
            assert_eq!(j["message_zh"], d.message_zh.as_str());
            assert_eq!(j["message_en"], d.message_en.as_str());
            assert_eq!(j["path"].as_str(), d.path.as_deref());
            assert_eq!(j["label"].as_str(), d.label.as_deref());
        }
    }
    let bad = &files[1]["diagnostics"];
    let codes: Vec<&str> =
        bad.as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    for c in ["E-K1", "E-N1", "E-R3"] {
        assert!(codes.contains(&c), "{c} in {codes:?}");
    }
    let unknown = bad.as_array().unwrap().iter().find(|d| d["code"] == "E-K1").unwrap();
    assert!(unknown["hints"][0].as_str().unwrap().contains("did you mean `carried_over`"));
}

#[test]
fn json_for_an_unreadable_file() {
    let dir = folder();
    let out = nianbao(dir.path(), &["check", "--format", "json", "missing.yaml"]);
    assert_eq!(code(&out), 2);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json[0]["diagnostics"][0]["code"], "E-IO");
    assert!(json[0]["diagnostics"][0].get("line").is_none());
}

#[test]
fn short_format_is_one_line_each() {
    let dir = folder();
    let out = nianbao(dir.path(), &["check", "--format", "short", "bad.yaml"]);
    let lib = nianbao::load_and_check(&dir.path().join("bad.yaml"));
    let text = stdout(&out);
    let lines = text.lines().filter(|l| l.starts_with("bad.yaml:")).count();
    assert_eq!(lines, lib.diags.len());
}

#[test]
fn check_suite_fixtures_never_crash_the_binary() {
    let dir = repo("tests/suite/validate");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    files.sort();
    let mut args = vec!["check", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let out = nianbao(&dir, &args);
    assert_no_panic(&out);
    assert_eq!(code(&out), 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json.as_array().unwrap().len(), files.len());
}

#[test]
fn init_writes_a_skeleton_that_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out =
        nianbao(d, &["init", "--unit", "某某县某某局", "--year", "2025", "-o", "report.yaml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let written = std::fs::read_to_string(d.join("report.yaml")).unwrap();
    assert!(written.contains("unit: \"某某县某某局\""));

    let out = nianbao(d, &["check", "report.yaml"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let lib = nianbao::load_and_check(&d.join("report.yaml"));
    assert!(lib.is_ok());
    assert!(lib.diags.iter().all(|d| !d.is_error()), "warnings only (placeholders)");
    let report = lib.report.unwrap();
    assert_eq!(report.year.0, 2025);
    assert_eq!(report.sections.len(), 6);

    // Default file name in the current folder.
    let out = nianbao(d, &["init", "--unit", "某某镇人民政府", "--year", "2024"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(code(&nianbao(d, &["check", "某某镇人民政府-2024.yaml"])), 0);
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("report.yaml"), "我的报告，不要覆盖\n").unwrap();
    let out =
        nianbao(d, &["init", "--unit", "某某县某某局", "--year", "2025", "-o", "report.yaml"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(d.join("report.yaml")).unwrap(), "我的报告，不要覆盖\n");

    let out = nianbao(
        d,
        &["init", "--unit", "某某县某某局", "--year", "2025", "-o", "report.yaml", "--force"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(std::fs::read_to_string(d.join("report.yaml")).unwrap().contains("某某县某某局"));
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left: {leftovers:?}");
}

#[test]
fn init_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &["init", "--unit", "  ", "--year", "2025", "-o", "a.yaml"][..],
        &["init", "--unit", "某某局", "--year", "25", "-o", "a.yaml"],
        &["init", "--unit", "某某局", "--year", "二〇二五", "-o", "a.yaml"],
        &["init", "--year", "2025", "-o", "a.yaml"],
        &["init", "--unit", "某某局", "--year", "2025", "-o", "no/such/folder/a.yaml"],
    ] {
        let out = nianbao(d, args);
        assert_no_panic(&out);
        assert_eq!(code(&out), 2, "nianbao {}", args.join(" "));
        assert!(!d.join("a.yaml").exists());
    }
}

/// A character no bundled face has (☃, U+2603) is drawn with an installed serif font (test.sh
/// installs fonts-dejavu-core and fonts-noto-cjk) by render and counted as drawable by check;
/// `--no-system-fonts` leaves it a W-G1 box.
#[test]
fn an_installed_font_draws_what_the_bundled_faces_lack() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = example_text().replacen("2024年，县政府办公室", "2024年☃，县政府办公室", 1);
    assert!(text.contains('☃'));
    std::fs::write(d.join("snow.yaml"), text).unwrap();

    let check = nianbao(d, &["check", "snow.yaml"]);
    assert_no_panic(&check);
    assert!(!stdout(&check).contains("W-G1"), "{}", stdout(&check));

    let out = nianbao(d, &["render", "snow.yaml", "--format", "pdf", "-o", "with"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!format!("{}{}", stdout(&out), stderr(&out)).contains("W-G1"));
    let fonts = Command::new("pdffonts").arg(d.join("with/snow.pdf")).output().expect("pdffonts");
    let fonts = String::from_utf8_lossy(&fonts.stdout).into_owned();
    // A serif face, as the 仿宋 body it sits in (#31 item 8; test.sh installs DejaVu Serif and
    // Noto Serif CJK, the simplified-Chinese cut tried first): names `ABCDEF+NotoSerifCJKsc-…`.
    assert!(
        fonts.lines().any(|l| l
            .split_whitespace()
            .next()
            .is_some_and(|n| n.contains('+') && n.contains("Serif") && !n.contains("Sans"))),
        "{fonts}"
    );
    let drawn = Command::new("pdftotext").arg(d.join("with/snow.pdf")).arg("-").output().unwrap();
    assert!(String::from_utf8_lossy(&drawn.stdout).contains('☃'), "☃ copies as itself");

    let args = ["render", "snow.yaml", "--format", "pdf", "-o", "without", "--no-system-fonts"];
    let out = nianbao(d, &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("W-G1") && said.contains("2603"), "{said}");
}

/// Issue #28: `check` predicts what the renderers refuse. Numbers that fit no cell of their
/// table at any allowed size (E-W1) passed `check` before, and every render then refused
/// them; now `check` fails on them, as `render` does, and names the cell.
#[test]
fn check_predicts_a_table_the_layout_refuses() {
    let dir = folder();
    let path = repo("tests/suite/render/number-too-wide.yaml");
    let path = path.to_str().unwrap();
    let out = nianbao(dir.path(), &["check", path, "--format", "short"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("error[E-W1]"), "{}", stdout(&out));
    let out = nianbao(dir.path(), &["render", path, "--format", "html", "-o", "out"]);
    assert_eq!(code(&out), 1, "no format is made of it, HTML neither: {}", stderr(&out));
    assert!(!dir.path().join("out").join("number-too-wide.html").exists());
}
