//! Valid input in every form the spec allows: both row forms, omitted rows, every
//! prose form, figures, bare and quoted dates, and the defaults.

use crate::common;

use common::{check_str, example_text, repo, summary};
use nianbao::Loaded;
use nianbao::model::{Date, ProseItem, Report};
use std::path::Path;

fn check(text: &str) -> Loaded {
    check_str(Path::new("examples/shengsi-2024.yaml"), text)
}

/// No problem but the W-P7 warnings of what a short spelling leaves out.
fn clean(loaded: &Loaded) -> &Report {
    clean_but_blanks(loaded);
    loaded.report.as_ref().expect("a clean file gives a report")
}

/// Clean but for the W-P7 warnings of the rows left out, which are returned.
fn clean_but_blanks(loaded: &Loaded) -> Vec<&nianbao::diag::Diagnostic> {
    let others: Vec<_> =
        loaded.diags.iter().filter(|d| d.code.as_str() != "W-P7").cloned().collect();
    assert!(others.is_empty(), "[{}]", summary(&others));
    assert!(loaded.is_ok());
    loaded.diags.iter().filter(|d| d.code.as_str() == "W-P7").collect()
}

/// Every computed number of every table, for comparing two spellings of one report.
fn numbers(loaded: &Loaded) -> Vec<String> {
    let checked = loaded.checked.as_ref().expect("checked");
    let mut out = Vec::new();
    for t in &checked.tables {
        for r in &t.records {
            let cells: Vec<String> = r.values.iter().map(|v| v.display()).collect();
            let total = r.total.map(|v| v.display()).unwrap_or_default();
            out.push(format!("{} {} {total}", t.key, cells.join(",")));
        }
    }
    out
}

#[test]
fn map_rows_equal_list_rows() {
    let list = check(&example_text());
    let text = example_text()
        .replace("received:         [7, 0, 0, 0, 0, 0]", "received: {natural_person: 7, business: 0}")
        .replace("carried_over:     [1, 0, 0, 0, 0, 0]", "carried_over: {natural_person: 1, total: 1}")
        .replace(
            "not_held:       [2, 0, 0, 0, 0, 0]",
            "not_held: {natural_person: 2, business: 0, research: 0, public_interest: 0, legal_service: 0, other_org: 0, total: 2}",
        )
        .replace("total:            [8, 0, 0, 0, 0, 0, 8]", "total: {natural_person: 8, total: 8}");
    let map = check(&text);
    clean(&map);
    assert_eq!(numbers(&list), numbers(&map));
}

#[test]
fn omitted_rows_are_blank_counted_as_zeros_and_warned_by_name() {
    let full = check(&example_text());
    // Drop every all-zero row, the empty groups and the optional total row.
    let mut text = String::new();
    for line in example_text().lines() {
        let t = line.trim_start();
        let drop = line.ends_with("[0, 0, 0, 0, 0, 0]")
            || t.starts_with("total:")
            || ["withheld:", "not_processed:", "other_handling:"].contains(&t)
            || t.starts_with("lawsuit_");
        if !drop {
            text.push_str(line);
            text.push('\n');
        }
    }
    assert!(text.len() < example_text().len() - 1000, "rows were removed");
    let sparse = check(&text);
    let blanks = clean_but_blanks(&sparse);
    assert_eq!(numbers(&full), numbers(&sparse));
    // Each row left out is named, with the keys of its cells (where the form shows it).
    let state_secret = blanks
        .iter()
        .find(|d| d.path.as_deref() == Some("applications.withheld.state_secret"))
        .expect("the omitted 国家秘密 row is warned of");
    assert!(
        state_secret.message_zh.contains("三（三）1.属于国家秘密"),
        "{}",
        state_secret.message_zh
    );
    assert_eq!(state_secret.cells.len(), 6);
    assert_eq!(state_secret.cells[1], "applications.withheld.state_secret.business");
    assert!(!blanks.iter().any(|d| d.path.as_deref() == Some("applications.received")));
    // An empty table section (`reviews_lawsuits:` and nothing under it) is all zeros too.
    let text: String = example_text()
        .lines()
        .filter(|l| !l.starts_with("  review:") && !l.starts_with("  lawsuit_"))
        .map(|l| format!("{l}\n"))
        .collect();
    let loaded = check(&text);
    assert_eq!(clean_but_blanks(&loaded).len(), 3, "one warning per row of table 四");
    let t = loaded.checked.as_ref().unwrap().table("reviews_lawsuits").unwrap();
    assert!(t.records.iter().all(|r| r.total.unwrap().display() == "0"));
}

#[test]
fn seventh_element_is_checked_not_required() {
    let without = example_text().replace("[8, 0, 0, 0, 0, 0, 8]", "[8, 0, 0, 0, 0, 0]");
    assert_eq!(numbers(&check(&without)), numbers(&check(&example_text())));
}

#[test]
fn dates_bare_or_quoted() {
    let bare = check(&example_text());
    let quoted = check(&example_text().replace("date: 2025-01-22", "date: \"2025-01-22\""));
    let single = check(&example_text().replace("date: 2025-01-22", "date: '2025-01-22'"));
    let want = Some(Date { year: 2025, month: 1, day: 22 });
    for loaded in [&bare, &quoted, &single] {
        assert_eq!(clean(loaded).date.map(|(d, _)| d), want);
    }
    let leap = check(&example_text().replace("date: 2025-01-22", "date: 2024-02-29"));
    // A leap day is a real date; it lies inside the reported year, hence only W-P4.
    assert_eq!(summary(&leap.diags), "W-P4 7:7");
}

#[test]
fn prose_forms() {
    let path = repo("tests/suite/forms/prose-forms.yaml");
    let loaded = nianbao::load_and_check(&path);
    let report = clean(&loaded);
    assert_eq!(report.format, 2021, "format defaults to 2021");
    assert_eq!(report.title, None);
    assert_eq!(
        report.title_text("{unit}{year}年度政府信息公开工作年度报告"),
        "某某县某某局2025年度政府信息公开工作年度报告"
    );
    assert_eq!(report.signing_unit(), "某某县某某局");
    assert!(report.signature.seal.is_some());

    let overview = &report.section("overview").unwrap().prose;
    let paragraphs: Vec<(&str, u32, u32)> = overview
        .iter()
        .filter_map(|p| match p {
            ProseItem::Paragraph(t) => Some((t.text.as_str(), t.span.line, t.span.col)),
            _ => None,
        })
        .collect();
    // One paragraph per non-empty line of a `|` string, each at its own line and column.
    assert_eq!(
        paragraphs,
        vec![("第一段。", 7, 5), ("多行字符串的第一段。", 9, 5), ("多行字符串的第二段。", 11, 7)]
    );
    let subs: Vec<_> = overview
        .iter()
        .filter_map(|p| match p {
            ProseItem::Subsection(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0].heading.text, "主动公开。");
    assert!(!subs[0].run_in);
    let ProseItem::Subsection(level2) = &subs[0].items[0] else { panic!("nested subsection") };
    assert_eq!(level2.text.len(), 2);
    let ProseItem::Subsection(level3) = &level2.items[0] else { panic!("third level") };
    assert_eq!(level3.text[0].text, "第三级正文。");
    assert!(subs[1].run_in);
    let figures: Vec<_> = overview
        .iter()
        .filter_map(|p| match p {
            ProseItem::Figure(f) => Some(f),
            _ => None,
        })
        .collect();
    assert_eq!(figures.len(), 2);
    assert_eq!(figures[0].width_mm, Some(120.0));
    assert_eq!(figures[0].caption.as_ref().unwrap().text, "图1 依申请公开数量");
    assert!(figures[1].caption.is_none() && !figures[1].image.name.is_empty());
    assert!(loaded.images.contains_key(&figures[1].image.name), "the image was fetched");

    let problems = &report.section("problems").unwrap().prose;
    assert_eq!(problems.len(), 1, "a single string is one paragraph");
    let applications = report.section("applications").unwrap();
    assert_eq!(applications.prose.len(), 1);
    assert_eq!(applications.notes.len(), 1);
    let fees = loaded.checked.as_ref().unwrap().table("proactive").unwrap().records[5].values[0];
    assert_eq!(fees.display(), "1.50", "fees are kept as written");
}

#[test]
fn year_and_counts_may_be_quoted() {
    let text = example_text()
        .replace("year: 2024", "year: \"2024\"")
        .replace("licensing: 0", "licensing: '0'");
    clean(&check(&text));
}
