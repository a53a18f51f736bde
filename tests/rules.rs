//! The consistency rules (勾稽关系) and the plausibility warnings, each broken alone in
//! a copy of `examples/shengsi-2024.yaml` (one line replaced, so the copies follow
//! the example), plus what a diagnostic names: line, character column, key path,
//! official label, both numbers, and the human rendering (golden file).

use crate::common;

use common::{check_str, compare_ref, example_text, summary};
use nianbao::Loaded;
use nianbao::diag::{Code, Diagnostic, Severity, render_human};
use std::path::Path;
use unicode_width::UnicodeWidthStr;

const EXAMPLE: &str = "examples/shengsi-2024.yaml";

/// The example with the one line containing `old` replaced by `new`; returns the
/// text and the 1-based line number.
fn broken(old: &str, new: &str) -> (String, u32) {
    let text = example_text();
    let hits: Vec<usize> =
        text.lines().enumerate().filter(|(_, l)| l.contains(old)).map(|(i, _)| i).collect();
    assert_eq!(hits.len(), 1, "`{old}` must be on exactly one line of the example");
    let out: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == hits[0] { l.replace(old, new) } else { l.to_string() })
        .collect();
    (out.join("\n") + "\n", hits[0] as u32 + 1)
}

/// The 1-based character column of the `nth` (0-based) `needle` on `line`.
fn col_of(text: &str, line: u32, needle: &str, nth: usize) -> u32 {
    let l = text.lines().nth(line as usize - 1).expect("line exists");
    let byte = l.match_indices(needle).nth(nth).expect("needle on line").0;
    l[..byte].chars().count() as u32 + 1
}

/// The rules' diagnostics (the W-P7 warnings of rows a case rewrites short are not what
/// these cases test).
fn check(text: &str) -> Loaded {
    common::without_blanks(check_str(Path::new(EXAMPLE), text))
}

/// Asserts the only diagnostics are `n` of `code`, and returns them.
fn only(loaded: &Loaded, code: Code, n: usize) -> Vec<Diagnostic> {
    assert_eq!(loaded.diags.len(), n, "got [{}]", summary(&loaded.diags));
    assert!(loaded.diags.iter().all(|d| d.code == code), "got [{}]", summary(&loaded.diags));
    loaded.diags.clone()
}

fn assert_at(d: &Diagnostic, line: u32, col: u32) {
    assert_eq!((d.span.line, d.span.col), (line, col), "{d:?}");
}

fn assert_names(d: &Diagnostic, path: &str, label: &str, zh: &[&str], en: &[&str]) {
    assert_eq!(d.path.as_deref(), Some(path), "{d:?}");
    assert_eq!(d.label.as_deref(), Some(label), "{d:?}");
    for s in zh {
        assert!(d.message_zh.contains(s), "`{s}` not in {}", d.message_zh);
    }
    for s in en {
        assert!(d.message_en.contains(s), "`{s}` not in {}", d.message_en);
    }
}

#[test]
fn example_is_clean() {
    let loaded = check(&example_text());
    assert!(loaded.diags.is_empty(), "{}", summary(&loaded.diags));
    let t = loaded.checked.as_ref().unwrap().table("applications").unwrap();
    let total = t.records.iter().rev().nth(1).unwrap(); // 三（七）总计, before 四
    assert_eq!(total.values[0].display(), "8");
    assert_eq!(total.total.unwrap().display(), "8");
}

// --- E-R1: a row's 总计 ≠ the sum of its six columns ------------------------------

#[test]
fn r1_list_row_total() {
    let (text, line) =
        broken("received:         [7, 0, 0, 0, 0, 0]", "received:         [7, 0, 0, 0, 0, 0, 6]");
    let d = &only(&check(&text), Code::RowTotal, 1)[0];
    assert_at(d, line, col_of(&text, line, "6", 0));
    assert_names(
        d,
        "applications.received[6]",
        "一、本年新收政府信息公开申请数量 / 总计",
        &["填报 6", "各列之和 7"],
        &["given 6", "sum 7"],
    );
    assert!(d.is_error());
}

#[test]
fn r1_map_row_total() {
    let (text, line) =
        broken("received:         [7, 0, 0, 0, 0, 0]", "received: {natural_person: 7, total: 9}");
    let d = &only(&check(&text), Code::RowTotal, 1)[0];
    assert_at(d, line, col_of(&text, line, "9", 0));
    assert_names(
        d,
        "applications.received.total",
        "一、本年新收政府信息公开申请数量 / 总计",
        &["填报 9", "各列之和 7"],
        &["given 9", "sum 7"],
    );
}

#[test]
fn r1_in_a_group_row() {
    let (text, line) = broken(
        "state_secret:        [0, 0, 0, 0, 0, 0]",
        "state_secret:        [0, 0, 0, 0, 0, 0, 1]",
    );
    let d = &only(&check(&text), Code::RowTotal, 1)[0];
    assert_at(d, line, col_of(&text, line, "1", 0));
    assert_names(
        d,
        "applications.withheld.state_secret[6]",
        "三（三）1.属于国家秘密 / 总计",
        &["填报 1", "各列之和 0"],
        &[],
    );
}

// --- E-R2: 三（七）总计 ≠ the sum of (一)–(六) -----------------------------------

#[test]
fn r2_total_row_column() {
    let (text, line) = broken(
        "total:            [8, 0, 0, 0, 0, 0, 8]",
        "total:            [9, 0, 0, 0, 0, 0, 8]",
    );
    let d = &only(&check(&text), Code::ColumnTotal, 1)[0];
    assert_at(d, line, col_of(&text, line, "9", 0));
    assert_names(
        d,
        "applications.total[0]",
        "三（七）总计 / 自然人",
        &["填报 9", "各项之和 8"],
        &["given 9", "sum 8"],
    );
}

#[test]
fn r2_total_row_total_column() {
    let (text, line) = broken(
        "total:            [8, 0, 0, 0, 0, 0, 8]",
        "total:            [8, 0, 0, 0, 0, 0, 10]",
    );
    let d = &only(&check(&text), Code::ColumnTotal, 1)[0];
    assert_at(d, line, col_of(&text, line, "10", 0));
    assert_names(
        d,
        "applications.total[6]",
        "三（七）总计 / 总计",
        &["填报 10", "各项之和 8"],
        &["given 10", "sum 8"],
    );
}

#[test]
fn r2_in_map_form() {
    let (text, line) = broken(
        "total:            [8, 0, 0, 0, 0, 0, 8]",
        "total: {natural_person: 8, research: 2}",
    );
    let d = &only(&check(&text), Code::ColumnTotal, 1)[0];
    assert_at(d, line, col_of(&text, line, "2", 0));
    assert_names(
        d,
        "applications.total.research",
        "三（七）总计 / 科研机构",
        &["填报 2", "各项之和 0"],
        &[],
    );
}

// --- E-R3: 一 + 二 ≠ 三（七）总计 + 四 ----------------------------------------------

#[test]
fn r3_balance_reports_both_sides() {
    let (text, _) =
        broken("received:         [7, 0, 0, 0, 0, 0]", "received:         [8, 0, 0, 0, 0, 0]");
    let diags = only(&check(&text), Code::Balance, 2);
    let total_line =
        text.lines().position(|l| l.trim_start().starts_with("total:")).unwrap() as u32 + 1;
    for (d, column) in diags.iter().zip(["自然人", "总计"]) {
        assert_at(d, total_line, col_of(&text, total_line, "[", 0));
        assert_names(
            d,
            "applications",
            &format!("一+二 ≠ 三（七）总计+四 / {column}"),
            &["一+二 = 9，三（七）总计+四 = 8"],
            &["一+二 = 9, 三（七）总计+四 = 8"],
        );
    }
}

#[test]
fn r3_carried_forward() {
    let (text, _) =
        broken("carried_forward:  [0, 0, 0, 0, 0, 0]", "carried_forward:  [0, 1, 0, 0, 0, 0]");
    let diags = only(&check(&text), Code::Balance, 2);
    assert_eq!(diags[0].label.as_deref(), Some("一+二 ≠ 三（七）总计+四 / 商业企业"));
    assert!(
        diags[0].message_zh.contains("一+二 = 0，三（七）总计+四 = 1"),
        "{}",
        diags[0].message_zh
    );
    assert!(
        diags[1].message_zh.contains("一+二 = 8，三（七）总计+四 = 9"),
        "{}",
        diags[1].message_zh
    );
}

// --- E-R4: a 四 group's total ≠ the four results ---------------------------------------

#[test]
fn r4_review_total() {
    let (text, line) = broken(
        "review:               {upheld: 0, corrected: 0, other: 0, pending: 0, total: 0}",
        "review:               {upheld: 0, corrected: 0, other: 0, pending: 0, total: 1}",
    );
    let d = &only(&check(&text), Code::GroupTotal, 1)[0];
    assert_at(d, line, col_of(&text, line, "1", 0));
    assert_names(
        d,
        "reviews_lawsuits.review.total",
        "四 行政复议 / 总计",
        &["填报 1", "各列之和 0"],
        &["given 1", "sum 0"],
    );
}

#[test]
fn r4_lawsuit_after_review_total() {
    let (text, line) = broken(
        "lawsuit_after_review: {upheld: 0, corrected: 0, other: 0, pending: 0, total: 0}",
        "lawsuit_after_review: {upheld: 2, corrected: 1, other: 0, pending: 1, total: 3}",
    );
    let d = &only(&check(&text), Code::GroupTotal, 1)[0];
    assert_at(d, line, col_of(&text, line, "3", 0));
    assert_names(
        d,
        "reviews_lawsuits.lawsuit_after_review.total",
        "四 行政诉讼（复议后起诉） / 总计",
        &["填报 3", "各列之和 4"],
        &[],
    );
}

#[test]
fn every_rule_broken_at_once_is_reported_in_one_run() {
    let text = example_text()
        .replace("received:         [7, 0, 0, 0, 0, 0]", "received:         [8, 0, 0, 0, 0, 0, 9]")
        .replace(
            "total:            [8, 0, 0, 0, 0, 0, 8]",
            "total:            [8, 0, 0, 0, 0, 0, 7]",
        )
        .replace(
            "pending: 0, total: 0}\n  lawsuit_direct",
            "pending: 0, total: 5}\n  lawsuit_direct",
        )
        .replace("licensing: 0", "licensing: -1");
    let loaded = check(&text);
    let mut codes: Vec<&str> = loaded.diags.iter().map(|d| d.code.as_str()).collect();
    codes.dedup();
    for code in ["E-R1", "E-R2", "E-R3", "E-R4", "E-N1"] {
        assert!(codes.contains(&code), "{code} missing from [{}]", summary(&loaded.diags));
    }
    let lines: Vec<u32> = loaded.diags.iter().map(|d| d.span.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "diagnostics in file order: {lines:?}");
}

// --- what a diagnostic names ---------------------------------------------------------

#[test]
fn cell_path_and_official_label() {
    let (text, line) = broken(
        "state_secret:        [0, 0, 0, 0, 0, 0]",
        "state_secret:        [0, 0, -1, 0, 0, 0]",
    );
    let d = &only(&check(&text), Code::Negative, 1)[0];
    assert_at(d, line, col_of(&text, line, "-1", 0));
    assert_names(
        d,
        "applications.withheld.state_secret[2]",
        "三（三）1.属于国家秘密 / 科研机构",
        &["负数"],
        &["negative"],
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let text = example_text() + "signature: {unit: 嵊泗县人民政府办公室, date: 2025-02-30}\n";
    let line = text.lines().count() as u32;
    let d = &only(&check(&text), Code::BadValue, 1)[0];
    let col = col_of(&text, line, "2025", 0);
    assert_eq!(col, 37, "the fixture itself: the date starts at character 37, byte 57");
    assert_eq!(text.lines().last().unwrap().find("2025"), Some(56));
    assert_at(d, line, col);
    assert_eq!(d.path.as_deref(), Some("signature.date"));
}

#[test]
fn unknown_key_in_example_suggests_the_right_one() {
    let (text, line) = broken("needs_creation:", "needs_creaton:");
    let d = &only(&check(&text), Code::UnknownKey, 1)[0];
    assert_at(d, line, 5);
    assert!(d.hints.iter().any(|h| h.contains("did you mean `needs_creation`")), "{:?}", d.hints);
    assert_eq!(d.path.as_deref(), Some("applications.unable.needs_creaton"));
    assert!(d.message_zh.starts_with("未知的键"), "Chinese first: {}", d.message_zh);
}

// --- warnings ----------------------------------------------------------------------------

fn only_warning(text: &str, code: Code) -> Diagnostic {
    let loaded = check(text);
    assert!(loaded.is_ok(), "warnings never stop a report: [{}]", summary(&loaded.diags));
    let d = only(&loaded, code, 1).remove(0);
    assert_eq!(d.severity, Severity::Warning);
    d
}

#[test]
fn w_p1_half_width_punctuation() {
    for (old, new, mark) in [
        ("2024年，县政府办公室紧紧围绕", "2024年,县政府办公室紧紧围绕", ","),
        ("一是继续在拓展", "一是:继续在拓展", ":"),
        (
            "一是公众对政务公开的参与度、获得感有待进一步提升；",
            "一是公众对政务公开的参与度、获得感有待进一步提升;",
            ";",
        ),
        (
            "依据《政府信息公开信息处理费管理办法》（国办函",
            "依据《政府信息公开信息处理费管理办法》(国办函",
            "(",
        ),
    ] {
        let (text, line) = broken(old, new);
        let d = only_warning(&text, Code::HalfWidthPunct);
        let in_new = new[..new.find(mark).unwrap()].chars().count() as u32;
        assert_at(&d, line, col_of(&text, line, new, 0) + in_new);
        assert!(d.message_zh.contains(&format!("`{mark}`")), "{}", d.message_zh);
    }
}

#[test]
fn w_p1_not_between_ascii() {
    let (text, _) = broken("答复率100%", "答复率100%（按10:30, 3 (a) 计）");
    let loaded = check(&text);
    assert!(loaded.diags.is_empty(), "{}", summary(&loaded.diags));
}

#[test]
fn w_p2_township_reports_regulations() {
    let text = example_text()
        .replace("unit: 嵊泗县人民政府办公室", "unit: 嵊泗县菜园镇人民政府")
        .replace("regulations:         {issued: 0,", "regulations:         {issued: 1,");
    let d = only_warning(&text, Code::TownshipRegulations);
    assert_eq!(d.span.line, 26);
    assert_eq!(d.path.as_deref(), Some("proactive.regulations"));
    // The same numbers for a county office are fine.
    let county = example_text()
        .replace("regulations:         {issued: 0,", "regulations:         {issued: 1,");
    assert!(check(&county).diags.is_empty());
}

#[test]
fn w_p3_statistics_period() {
    let (text, line) =
        broken("统计期限从2024年1月1日至2024年12月31日", "统计期限从2023年1月1日至2023年12月31日");
    let d = only_warning(&text, Code::PeriodMismatch);
    assert_at(&d, line, 5);
    assert_eq!(d.path.as_deref(), Some("preamble"));
    assert!(d.message_zh.contains("2023") && d.message_zh.contains("2024"), "{}", d.message_zh);
}

// --- human rendering (golden) --------------------------------------------------------------

fn rendered(text: &str) -> String {
    let loaded = check(text);
    assert_eq!(loaded.diags.len(), 1, "{}", summary(&loaded.diags));
    let out = render_human(&loaded.diags[0], &loaded.file);
    caret_under_column(&out, &loaded);
    out
}

/// The caret sits at the display width of the text before the column (a Chinese
/// character is two cells wide).
fn caret_under_column(out: &str, loaded: &Loaded) {
    let d = &loaded.diags[0];
    let line = loaded.file.line_text(d.span.line).unwrap();
    let before: String = line.chars().take(d.span.col as usize - 1).collect();
    let caret_line = out.lines().find(|l| l.trim_end().ends_with('^')).expect("a caret line");
    let bar = caret_line.find("| ").unwrap() + 2;
    let offset = caret_line[bar..].find('^').unwrap();
    assert_eq!(offset, before.width(), "caret column in\n{out}");
}

#[test]
fn golden_bad_date_after_chinese() {
    let text = example_text() + "signature: {unit: 嵊泗县人民政府办公室, date: 2025-02-30}\n";
    compare_ref("diag/bad-date-after-chinese.txt", &rendered(&text));
}

#[test]
fn golden_half_width_in_long_paragraph() {
    let (text, _) = broken("做到应解读尽解读。", "做到应解读尽解读;");
    compare_ref("diag/half-width-in-long-paragraph.txt", &rendered(&text));
}

#[test]
fn golden_row_total() {
    let (text, _) =
        broken("carried_forward:  [0, 0, 0, 0, 0, 0]", "carried_forward:  [0, 0, 0, 0, 0, 0, 1]");
    let loaded = check(&text);
    let all: String = loaded.diags.iter().map(|d| render_human(d, &loaded.file) + "\n").collect();
    compare_ref("diag/row-total-in-carried-forward.txt", &all);
}
