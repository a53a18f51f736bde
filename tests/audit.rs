//! The audit (issue #16): prose ↔ table, year ↔ year, 雷同, completeness and
//! dates, dismissed findings and the audit sheet. Every family has true positives
//! and as many true negatives, the negatives in the wording of real reports (the
//! sentences are copied here from published reports; their sources are named).

use nianbao::audit::{AuditOptions, audit_loaded};
use nianbao::{Loaded, check_bytes};
use std::path::Path;

const SHENGSI: &str = include_str!("../examples/shengsi-2024.yaml");
const TOWNSHIP: &str = include_str!("../examples/township-2025.yaml");
const PINGTAN: &str = include_str!("suite/audit/pingtan-2024.yaml");

fn load(name: &str, yaml: &str) -> Loaded {
    let l = check_bytes(Path::new(name), yaml.as_bytes().to_vec());
    assert!(l.is_ok(), "{name}: {:#?}", l.diags);
    l
}

fn audited(yaml: &str) -> Loaded {
    let mut l = load("this.yaml", yaml);
    audit_loaded(&mut l, None, &AuditOptions::default());
    l
}

/// The audit's findings (codes `W-A…`, `W-C…`, …), not `validate`'s.
fn findings(l: &Loaded) -> Vec<&nianbao::diag::Diagnostic> {
    l.diags.iter().filter(|d| matches!(d.code, nianbao::diag::Code::Audit(_))).collect()
}

fn codes(l: &Loaded) -> Vec<&'static str> {
    findings(l).iter().map(|d| d.code.as_str()).collect()
}

/// The numbers of a report's tables; the rest of table 三 is derived so that every
/// 勾稽关系 holds (`not_held` takes what is left).
#[derive(Clone)]
struct Tables {
    received: [u64; 6],
    carried: u64,
    disclosed: [u64; 6],
    partly: u64,
    carried_forward: u64,
    review: [u64; 4],
    direct: [u64; 4],
    after: [u64; 4],
    normative: [u64; 3],
    licensing: u64,
    fees: &'static str,
}

impl Default for Tables {
    fn default() -> Self {
        Tables {
            received: [0; 6],
            carried: 0,
            disclosed: [0; 6],
            partly: 0,
            carried_forward: 0,
            review: [0; 4],
            direct: [0; 4],
            after: [0; 4],
            normative: [0, 0, 0],
            licensing: 0,
            fees: "0",
        }
    }
}

fn row(v: [u64; 6]) -> String {
    format!("[{}]", v.map(|x| x.to_string()).join(", "))
}

fn group(v: [u64; 4]) -> String {
    format!("{{upheld: {}, corrected: {}, other: {}, pending: {}}}", v[0], v[1], v[2], v[3])
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A complete report of 2024 with these tables and these overview paragraphs.
fn report(t: &Tables, overview: &[&str]) -> String {
    let mut not_held = t.received;
    not_held[0] += t.carried;
    not_held[0] -= t.carried_forward + t.partly;
    for c in 0..6 {
        not_held[c] -= t.disclosed[c];
    }
    let mut s = String::from(
        "unit: 某某县某某局\nyear: 2024\ndate: 2025-01-20\npreamble:\n  - 本年度报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》规定编制，所列数据统计期限从2024年1月1日至2024年12月31日。\noverview:\n",
    );
    for p in overview {
        s.push_str(&format!("  - {}\n", quoted(p)));
    }
    s.push_str(&format!(
        "proactive:\n  regulations: {{issued: 0, repealed: 0, in_force: 0}}\n  normative_documents: {{issued: {}, repealed: {}, in_force: {}}}\n  licensing: {}\n  punishment: 0\n  coercion: 0\n  fees: {}\n",
        t.normative[0], t.normative[1], t.normative[2], t.licensing, t.fees
    ));
    s.push_str(&format!(
        "applications:\n  received: {}\n  carried_over: {}\n  disclosed: {}\n  partly_disclosed: {}\n  unable:\n    not_held: {}\n  carried_forward: {}\n",
        row(t.received),
        row([t.carried, 0, 0, 0, 0, 0]),
        row(t.disclosed),
        row([t.partly, 0, 0, 0, 0, 0]),
        row(not_held),
        row([t.carried_forward, 0, 0, 0, 0, 0]),
    ));
    s.push_str(&format!(
        "reviews_lawsuits:\n  review: {}\n  lawsuit_direct: {}\n  lawsuit_after_review: {}\n",
        group(t.review),
        group(t.direct),
        group(t.after)
    ));
    s.push_str("problems:\n  - 存在的主要问题：政策解读形式较为单一。改进情况：下一步将丰富解读形式。\nother:\n  - 本年度未收取政府信息公开信息处理费，无其他需要报告的事项。\n");
    s
}

fn received(n: u64) -> [u64; 6] {
    [n, 0, 0, 0, 0, 0]
}

/// The findings of one overview paragraph against these tables.
fn prose_findings(t: &Tables, sentence: &str) -> Vec<(String, String, String)> {
    let l = audited(&report(t, &[sentence]));
    findings(&l)
        .iter()
        .map(|d| (d.code.as_str().to_string(), d.message_zh.clone(), d.hints.join("\n")))
        .collect()
}

// ---------------------------------------------------------------- examples

#[test]
fn audit_shengsi_example_passes_untouched() {
    // 「办理答复8件（其中1件为去年结转）」 with 7 received + 1 carried over,
    // 「发布政府信息900余条」, 「答复率100%」, 「未发生…行政复议、行政诉讼」.
    let l = audited(SHENGSI);
    assert!(findings(&l).is_empty(), "{:#?}", findings(&l));
}

#[test]
fn audit_township_example_prose_contradicts_its_table() {
    // examples/township-2025.yaml says 「已办结16件，结转下年度1件」 while its table
    // has 三（七）总计 17 and 四、结转下年度继续办理 0: two true findings, nothing else
    // (「收到申请15件，其中自然人12件、商业企业2件、法律服务机构1件，上年结转2件」 and
    // 「部分公开的3件中」 agree with the table).
    let l = audited(TOWNSHIP);
    let f = findings(&l);
    assert_eq!(codes(&l), ["W-A1", "W-A1"], "{f:#?}");
    assert!(f[0].message_zh.contains("16") && f[0].message_zh.contains("17"));
    assert!(
        f[1].message_zh.contains("结转下年度")
            && f[1].label.as_deref().unwrap().contains("四、结转下年度")
    );
    let line = TOWNSHIP.lines().position(|l| l.contains("已办结16件")).unwrap() as u32 + 1;
    assert_eq!(f[0].span.line, line);
    let col =
        TOWNSHIP.lines().nth(line as usize - 1).unwrap().chars().position(|c| c == '1').unwrap();
    // The span is the figure itself, in characters.
    let at: String = TOWNSHIP
        .lines()
        .nth(line as usize - 1)
        .unwrap()
        .chars()
        .skip(f[0].span.col as usize - 1)
        .take(f[0].span.len as usize)
        .collect();
    assert_eq!(at, "16件", "column {col}");
}

#[test]
fn audit_pingtan_real_report_prose_passes() {
    // The 2024 report of 平潭综合实验区 (tables and prose as published):
    // 「全年办理政府信息公开申请218件」, 「制发行政规范性文件62件」, 「主动公开各类政府
    // 信息10407条」, 「政策文件解读96篇」, 「对5个…政务新媒体予以关停注销」.
    let l = audited(PINGTAN);
    assert!(findings(&l).is_empty(), "{:#?}", findings(&l));
}

// ---------------------------------------------------------------- prose: positives

#[test]
fn audit_prose_sum_of_results_is_one_cell() {
    // 「予以公开及部分公开258件」 while the table gives 272 + 3 (258 is one column).
    let t = Tables {
        received: [261, 14, 0, 0, 0, 0],
        disclosed: [258, 14, 0, 0, 0, 0],
        partly: 3,
        ..Tables::default()
    };
    let f = prose_findings(&t, "全年共收到政府信息公开申请275件，予以公开及部分公开258件。");
    assert_eq!(f.len(), 1, "{f:#?}");
    let (code, msg, hints) = &f[0];
    assert_eq!(code, "W-A1");
    assert!(msg.contains("258") && msg.contains("275"), "{msg}");
    assert!(msg.contains("三（一）予以公开") && msg.contains("三（二）部分公开"), "{msg}");
    assert!(hints.contains("258 = 三（一）予以公开 / 自然人"), "{hints}");
}

#[test]
fn audit_prose_in_force_count() {
    // 「现行有效行政规范性文件393件」 and the table says 470.
    let t = Tables { normative: [62, 33, 470], ..Tables::default() };
    let f = prose_findings(&t, "截至年底，现行有效行政规范性文件393件。");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].1.contains("393") && f[0].1.contains("470") && f[0].1.contains("现行有效件数"));
}

#[test]
fn audit_prose_received_counts_the_carried_over_one() {
    // 「收到…申请75件」 and 本年新收 is 74: explained as 74 + 上年结转 1.
    let t =
        Tables { received: received(74), carried: 1, disclosed: received(40), ..Tables::default() };
    let f = prose_findings(&t, "2024年共收到政府信息公开申请75件，均在法定期限内答复。");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].1.contains("75") && f[0].1.contains("74"));
    assert!(
        f[0].2.contains(
            "75 = 一、本年新收政府信息公开申请数量 74 + 二、上年结转政府信息公开申请数量 1"
        ),
        "{}",
        f[0].2
    );
}

#[test]
fn audit_prose_upheld_while_pending() {
    // 「均获维持」 against 尚未审结 > 0.
    let t = Tables { review: [2, 0, 0, 1], ..Tables::default() };
    let f = prose_findings(&t, "因政府信息公开被申请行政复议3件，均获维持。");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, "W-A2");
    assert!(f[0].1.contains("尚未审结 为 1"), "{}", f[0].1);
}

#[test]
fn audit_prose_percentages() {
    let t = Tables { received: received(300), disclosed: received(100), ..Tables::default() };
    let f = prose_findings(&t, "全年收到政府信息公开申请300件，其中予以公开100件，占33.9%。");
    assert_eq!(f.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["W-A3"], "{f:#?}");
    assert!(f[0].1.contains("33.3%"), "{}", f[0].1);
    // 答复率100% while two applications go on into next year.
    let t = Tables { received: received(10), carried_forward: 2, ..Tables::default() };
    let f = prose_findings(&t, "全年收到政府信息公开申请10件，答复率100%。");
    assert_eq!(f.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["W-A3"], "{f:#?}");
    assert!(f[0].1.contains("80.0%"), "{}", f[0].1);
    // In words: 百分之百.
    let f = prose_findings(&t, "全年收到政府信息公开申请10件，答复率达百分之百。");
    assert_eq!(f.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["W-A3"], "{f:#?}");
}

#[test]
fn audit_prose_chinese_numerals() {
    let t = Tables { received: received(8), ..Tables::default() };
    let f = prose_findings(&t, "本年度共收到政府信息公开申请七件。");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].1.contains(" 7 ") && f[0].1.contains("为 8"), "{}", f[0].1);
}

#[test]
fn audit_prose_none_claims() {
    let t = Tables {
        received: received(3),
        review: [1, 0, 0, 0],
        normative: [2, 0, 5],
        ..Tables::default()
    };
    for (s, cell) in [
        ("本年度未收到政府信息公开申请。", "一、本年新收"),
        ("未发生因政府信息公开引起的行政复议。", "四 行政复议"),
        ("本年度未制发行政规范性文件。", "行政规范性文件 / 本年制发件数"),
    ] {
        let f = prose_findings(&t, s);
        assert_eq!(f.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["W-A2"], "{s}: {f:#?}");
        assert!(f[0].1.contains(cell), "{s}: {}", f[0].1);
    }
}

#[test]
fn audit_prose_counts_of_table_two_and_columns() {
    let t = Tables {
        received: [12, 2, 0, 0, 1, 0],
        licensing: 4529,
        fees: "18651.06",
        ..Tables::default()
    };
    for (s, wrong) in [
        ("全年办理行政许可4500件。", "4500"),
        ("行政事业性收费18000万元。", "18000"),
        ("全年收到政府信息公开申请15件，其中自然人13件、商业企业2件。", "13"),
        ("全年收到政府信息公开申请15件，其中法人或其他组织2件。", "2"),
        ("本年度制发行政规范性文件3件。", "3"),
    ] {
        let f = prose_findings(&t, s);
        assert_eq!(f.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["W-A1"], "{s}: {f:#?}");
        assert!(f[0].1.contains(wrong), "{s}: {}", f[0].1);
    }
}

// ---------------------------------------------------------------- prose: negatives

#[test]
fn audit_prose_real_wording_is_consistent() {
    // Sentences of published reports, each against tables that hold what it says.
    let zero = Tables::default();
    let cases: Vec<(Tables, &str)> = vec![
        // 03 武汉东湖卫健办 2023
        (zero.clone(), "本年度未制发和处理区级医疗卫生系统行政规范性文件。"),
        (zero.clone(), "本年度未收到政府信息公开申请。"),
        // 04 区教育局 2021
        (zero.clone(), "一年来主动公开信息共有40条,未收到依申请公开信息。"),
        // 06 淮北市人民医院 2022
        (zero.clone(), "至今，医院尚未收到市民或法人依申请公开信息要求。"),
        (
            zero.clone(),
            "2022年医院在淮北市人民政府信息公开网上及时完善内容、规范发布信息总计18条。",
        ),
        // 02 镇 2023
        (
            zero.clone(),
            "本报告是根据《中华人民共和国政府信息公开条例》(以下简称《条例》)要求,现结合我镇实际,主要从总体情况,主动公开政府信息情况,收到和处理政府信息公开申请情况,政府信息公开行政复议、行政诉讼情况,存在的主要问题及改进情况及其他需要报告的事项等六个方面汇报我镇2023年政府信息公开工作。",
        ),
        // 05 湖北省教育厅 2021
        (
            Tables { received: received(132), disclosed: received(100), ..zero.clone() },
            "2021年共收到政府信息公开申请132件，已全部办结。",
        ),
        // 07 攸县政府办 2024
        (
            Tables {
                received: received(14),
                review: [0, 0, 1, 0],
                direct: [1, 0, 0, 0],
                ..zero.clone()
            },
            "（二）依申请公开情况。完善《政府信息公开指南》，规范依申请公开登记、审核、答复、送达、归档各个环节的办理流程。2024年共受理依申请公开14件。发生行政复议1件，申请人已撤回；发生行政诉讼1件，结果维持。",
        ),
        (
            zero.clone(),
            "及时、主动向社会公开年度《政府工作报告》《政府信息公开指南》《政府信息公开工作年度报告》和主要工作动态、财政预决算、人大代表建议及政协委员提案办理等有关政务新闻和公告类信息4861条。持续做好重大决策会议信息主动公开，通过主流媒体报道政府常务会议12次，发布解读重要政策文件10篇。",
        ),
        // 08 白城市农业农村局 2024
        (
            zero.clone(),
            "2024年我局在政府信息公开基础平台公开文件38件。集中办理答复并主动公开人大政协建议提案22件。",
        ),
        (
            Tables { received: received(13), ..zero.clone() },
            "本年度共收到并妥善处理依申请公开信息13件。",
        ),
        // the issue's: figures about things the tables do not hold
        (
            Tables { normative: [8, 0, 20], ..zero.clone() },
            "全年制发政策性文件11件，其中行政规范性文件8件。",
        ),
        (
            zero.clone(),
            "2024年县政府办公室在政府网站发布政府信息900余条，其中主动公开县政府及办公室文件49件、会议类33件。",
        ),
        // comparisons and timeliness rates are not table cells
        (
            Tables { received: received(20), carried_forward: 1, ..zero.clone() },
            "全年收到政府信息公开申请20件，同比增加5件，按时答复率100%。",
        ),
        // 占…% of what the clause counted, to the stated precision
        (
            Tables { received: received(300), disclosed: received(100), ..zero.clone() },
            "全年收到政府信息公开申请300件，其中予以公开100件，占33.3%。",
        ),
        // shares and rates in words, fees as written
        (
            Tables { received: received(7), carried: 1, fees: "282.1", ..zero.clone() },
            "共收到申请七件，办理答复八件（其中一件为去年结转），答复率百分之百，行政事业性收费282.10万元。",
        ),
    ];
    for (t, s) in &cases {
        let f = prose_findings(t, s);
        assert!(f.is_empty(), "{s}: {f:#?}");
    }
}
