//! Bad input never panics and never passes silently.
//!
//! `suite_validate_folder` runs every `tests/suite/validate/*.yaml` (one problem per
//! file, expectations inline as `# expect: CODE line:col ~ needle`) and asserts the
//! exact set of diagnostics. The other tests build the inputs that cannot be
//! committed as text: broken encodings, huge or hostile files, missing paths.

use crate::common;

use common::{Expect, diag_text, key, parse_expectations, summary};
use nianbao::Loaded;
use nianbao::diag::Code;
use std::path::Path;

/// Checks one fixture against its expectations; `Err` explains the mismatch.
fn run_case(path: &Path, text: &str) -> Result<(), String> {
    let expected = parse_expectations(text)?;
    if expected.is_empty() {
        return Err("no `# expect:` line (every fixture must say what it expects)".into());
    }
    let bytes = text.as_bytes().to_vec();
    let mut loaded = std::panic::catch_unwind(|| nianbao::check_bytes(path, bytes))
        .map_err(|_| "the checker panicked".to_string())?;
    // Fixtures are short reports: the rows they leave out (W-P7) count only where expected.
    if !expected.iter().any(|e| e.code == "W-P7") {
        loaded = common::without_blanks(loaded);
    }
    compare(&loaded, &expected)
}

/// The diagnostics must be exactly the expected (code, line:col) multiset, and each
/// needle must occur in a diagnostic with that code and place.
fn compare(loaded: &Loaded, expected: &[Expect]) -> Result<(), String> {
    let mut want: Vec<_> = expected.iter().map(|e| (e.code.clone(), e.loc)).collect();
    let mut got: Vec<_> = loaded.diags.iter().map(key).collect();
    want.sort();
    got.sort();
    if want != got {
        return Err(format!(
            "expected [{}]\n     got [{}]\n{}",
            want.iter().map(fmt_key).collect::<Vec<_>>().join(", "),
            summary(&loaded.diags),
            loaded
                .diags
                .iter()
                .map(|d| nianbao::diag::render_short(d, &loaded.file))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    for e in expected {
        let Some(needle) = &e.needle else { continue };
        let found = loaded
            .diags
            .iter()
            .filter(|d| key(d) == (e.code.clone(), e.loc))
            .any(|d| diag_text(d).contains(needle.as_str()));
        if !found {
            return Err(format!(
                "no {} diagnostic mentions `{needle}`",
                fmt_key(&(e.code.clone(), e.loc))
            ));
        }
    }
    let errors = expected.iter().any(|e| e.code.starts_with("E-"));
    if errors == loaded.is_ok() {
        return Err(format!(
            "is_ok() is {} but the expectations say errors: {errors}",
            loaded.is_ok()
        ));
    }
    if !errors && loaded.checked.is_none() {
        return Err("a file with only warnings must still be checked".into());
    }
    Ok(())
}

fn fmt_key(k: &(String, Option<(u32, u32)>)) -> String {
    match k {
        (c, Some((l, col))) => format!("{c} {l}:{col}"),
        (c, None) => c.clone(),
    }
}

#[test]
fn suite_validate_folder() {
    let dir = common::repo("tests/suite/validate");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/suite/validate exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut malformed = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("fixtures are UTF-8");
        if parse_expectations(&text).is_ok_and(|e| e.iter().any(|e| e.code.starts_with("E-"))) {
            malformed += 1;
        }
        if let Err(why) = run_case(path, &text) {
            failures.push(format!("{}:\n{why}", path.file_name().unwrap().to_string_lossy()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
    assert!(malformed >= 30, "only {malformed} malformed fixtures");
}

#[test]
fn expectation_syntax() {
    let e = parse_expectations("# expect: E-N1 12:24 ~ state_secret[2]\n# expect: E-Y5\nx: 1\n")
        .unwrap();
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].loc, Some((12, 24)));
    assert_eq!(e[0].needle.as_deref(), Some("state_secret[2]"));
    assert_eq!(e[1], Expect { code: "E-Y5".into(), loc: None, needle: None });
    assert!(parse_expectations("# expect: E-N1 12:24 extra\n").is_err());
}

// --- generated cases -----------------------------------------------------------

/// A small valid report; the generated cases break it.
const BASE: &str = "unit: 某某县某某局
year: 2025
date: 2026-01-20
overview:
  - 本年度，本局认真落实政务公开各项工作。
proactive:
  licensing: 0
applications:
  received: [0, 0, 0, 0, 0, 0]
reviews_lawsuits:
problems:
  - 无。
other:
  - 无。
";

/// The generated cases' diagnostics, without the W-P7 warnings of the rows `BASE` leaves out.
fn check(bytes: impl Into<Vec<u8>>) -> Loaded {
    common::without_blanks(nianbao::check_bytes(Path::new("generated.yaml"), bytes.into()))
}

/// The only diagnostic's code and location.
fn only(loaded: &Loaded) -> (Code, u32, u32) {
    assert_eq!(loaded.diags.len(), 1, "expected one diagnostic, got [{}]", summary(&loaded.diags));
    let d = &loaded.diags[0];
    assert!(!loaded.is_ok());
    (d.code, d.span.line, d.span.col)
}

#[test]
fn base_is_clean() {
    let loaded = check(BASE);
    assert!(loaded.diags.is_empty(), "{}", summary(&loaded.diags));
}

#[test]
fn non_utf8_bytes_are_e_y4_at_the_first_bad_character() {
    // `年报` in GBK on line 2, after `other: 中` in UTF-8 on the same line.
    let mut bytes = BASE.replace("year: 2025\n", "").into_bytes();
    bytes.extend_from_slice("extra: 中".as_bytes());
    bytes.extend_from_slice(&[0xC4, 0xEA, 0xB1, 0xA8, b'\n']);
    let loaded = check(bytes);
    let last_line = BASE.lines().count() as u32; // one line removed, one added
    assert_eq!(only(&loaded), (Code::Encoding, last_line, 9));
    assert!(loaded.diags[0].message_en.contains("0xC4"));
    assert!(loaded.diags[0].hints[0].contains("iconv"));
}

#[test]
fn utf16_is_e_y4() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in BASE.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(only(&check(bytes)), (Code::Encoding, 1, 1));
}

#[test]
fn truncated_utf8_at_the_end_is_e_y4() {
    let mut bytes = BASE.as_bytes().to_vec();
    bytes.extend_from_slice(&"中".as_bytes()[..2]);
    let lines = BASE.lines().count() as u32;
    assert_eq!(only(&check(bytes)), (Code::Encoding, lines + 1, 1));
}

#[test]
fn utf8_bom_is_accepted_and_columns_do_not_count_it() {
    let text = format!("\u{feff}{}", BASE.replace("licensing: 0", "licensing: -1"));
    let loaded = check(text);
    assert_eq!(only(&loaded), (Code::Negative, 7, 14));
    let clean = check(format!("\u{feff}{BASE}"));
    assert!(clean.is_ok() && clean.diags.is_empty(), "{}", summary(&clean.diags));
}

#[test]
fn nul_byte_is_a_syntax_error_not_a_tab_error() {
    let loaded = check(BASE.replace("无。\nother", "无\0。\nother"));
    assert_eq!(only(&loaded), (Code::Syntax, 12, 6));
    assert!(loaded.diags[0].hints.is_empty(), "no tab hint for a NUL byte");
    assert!(!loaded.diags[0].message_zh.contains("制表符"));
}

#[test]
fn empty_and_blank_files_are_e_y5() {
    for text in ["", "\n\n", "   \n", "\u{feff}", "~\n", "null\n"] {
        let loaded = check(text);
        assert_eq!(loaded.diags.len(), 1, "{text:?}: {}", summary(&loaded.diags));
        assert_eq!(loaded.diags[0].code, Code::Empty, "{text:?}");
        assert!(!loaded.is_ok());
    }
}

#[test]
fn five_megabyte_file_is_e_y6() {
    let mut text = BASE.to_string();
    text.push_str("other_notes: |\n");
    while text.len() < 5 * 1024 * 1024 {
        text.push_str("  这一行只是为了让文件变大。这一行只是为了让文件变大。\n");
    }
    let loaded = check(text);
    assert_eq!(loaded.diags.len(), 1, "{}", summary(&loaded.diags));
    assert_eq!(loaded.diags[0].code, Code::TooLarge);
    assert!(!loaded.diags[0].span.is_located());
}

#[test]
fn deep_nesting_is_e_y3() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let nested = format!("{}0{}", open.repeat(10_000), close.repeat(10_000));
        let loaded = check(BASE.replace("licensing: 0", &format!("licensing: {nested}")));
        let (code, line, _) = only(&loaded);
        assert_eq!((code, line), (Code::TooComplex, 7), "{open}");
    }
    let mut block = String::from("licensing:\n");
    for depth in 0..200 {
        block.push_str(&format!("{}- \n", "  ".repeat(depth + 2)));
    }
    let loaded = check(BASE.replace("licensing: 0\n", &block));
    assert_eq!(only(&loaded).0, Code::TooComplex);
}

#[test]
fn alias_bomb_is_e_y3() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    text.push_str(BASE);
    let loaded = check(text);
    let (code, line, _) = only(&loaded);
    assert_eq!(code, Code::TooComplex);
    assert!((1..=12).contains(&line));
}

#[test]
fn small_aliases_are_fine() {
    let text = BASE.replace(
        "  received: [0, 0, 0, 0, 0, 0]",
        "  received: &row [1, 0, 0, 0, 0, 0]\n  disclosed: *row",
    );
    let loaded = check(text);
    assert!(loaded.diags.is_empty(), "{}", summary(&loaded.diags));
}

#[test]
fn missing_file_and_directory_are_e_io() {
    let dir = tempfile::tempdir().unwrap();
    for path in [dir.path().join("没有这个文件.yaml"), dir.path().to_path_buf()] {
        let loaded = nianbao::load_and_check(&path);
        assert_eq!(loaded.diags.len(), 1);
        assert_eq!(loaded.diags[0].code, Code::Io);
        assert!(!loaded.is_ok() && loaded.report.is_none());
    }
}

#[test]
fn crlf_line_endings_keep_lines_and_columns() {
    let text = BASE.replace("licensing: 0", "licensing: 1.5").replace('\n', "\r\n");
    assert_eq!(only(&check(text)), (Code::NotInteger, 7, 14));
}

#[test]
fn control_characters_and_odd_unicode_do_not_panic() {
    for insert in ["\u{7}", "\u{200b}", "\u{202e}", "\u{fffd}", "𠀀", "\r", "\u{85}", "\u{2028}"]
    {
        let text = BASE.replace("本局", &format!("本{insert}局"));
        let _ = check(text);
    }
}

#[test]
fn lone_cr_line_endings_count_as_lines() {
    let text = BASE.replace("licensing: 0", "licensing: -1").replace('\n', "\r");
    let loaded = check(text);
    assert_eq!(only(&loaded), (Code::Negative, 7, 14));
    assert_eq!(
        loaded.file.line_text(7),
        Some("  licensing: -1"),
        "the rendered line is the parser's line"
    );
}

#[test]
fn syntax_error_at_the_very_end_points_inside_the_file() {
    // No final line break: the parser reports the line after the last one.
    let text = format!("{BASE}【待填写】");
    let lines = BASE.lines().count() as u32 + 1;
    assert_eq!(only(&check(text)), (Code::Syntax, lines, 6));
}
