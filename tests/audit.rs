//! The audit (issue #16): prose ↔ table, year ↔ year, 雷同, completeness and
//! dates, dismissed findings and the audit sheet. Every family has true positives
//! and as many true negatives, the negatives in the wording of real reports (the
//! sentences are copied here from published reports; their sources are named).

use crate::gen_units;
use nianbao::audit::AuditOptions;
use nianbao::engine::audit_loaded;
use nianbao::{Loaded, check_bytes};
use std::path::Path;

const SHENGSI: &str = include_str!("../examples/shengsi-2024.yaml");
const TOWNSHIP: &str = include_str!("../examples/township-2025.yaml");
const PINGTAN: &str = include_str!("suite/audit/pingtan-2024.yaml");

/// The township example as it first stood: its prose says 「已办结16件，结转下年度1件」 while
/// its table has 三（七）总计 17 and 四、结转下年度继续办理 0 — the kind of report the audit is
/// for. (The example itself was corrected to agree with its prose.)
fn township_contradicting() -> String {
    let t = TOWNSHIP
        .replace("disclosed:        [5, 1, 0, 0, 0, 0]", "disclosed:        [6, 1, 0, 0, 0, 0]")
        .replace(
            "total:            [13, 2, 0, 0, 1, 0, 16]",
            "total:            [14, 2, 0, 0, 1, 0, 17]",
        )
        .replace("carried_forward:  [1, 0, 0, 0, 0, 0]", "carried_forward:  [0, 0, 0, 0, 0, 0]");
    assert_ne!(t, TOWNSHIP, "the example's table rows changed: update this copy");
    t
}

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
    for (n, d) in not_held.iter_mut().zip(t.disclosed) {
        *n -= d;
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
fn audit_township_prose_contradicting_its_table() {
    // 「已办结16件，结转下年度1件」 against 三（七）总计 17 and 四、结转下年度继续办理 0: two
    // true findings, nothing else (「收到申请15件，其中自然人12件、商业企业2件、法律服务机构1件，
    // 上年结转2件」 and 「部分公开的3件中」 agree with the table). The example itself passes.
    assert!(findings(&audited(TOWNSHIP)).is_empty(), "{:#?}", findings(&audited(TOWNSHIP)));
    let town = township_contradicting();
    let l = audited(&town);
    let f = findings(&l);
    assert_eq!(codes(&l), ["W-A1", "W-A1"], "{f:#?}");
    assert!(f[0].message_zh.contains("16") && f[0].message_zh.contains("17"));
    assert!(
        f[1].message_zh.contains("结转下年度")
            && f[1].label.as_deref().unwrap().contains("四、结转下年度")
    );
    let line = town.lines().position(|l| l.contains("已办结16件")).unwrap() as u32 + 1;
    assert_eq!(f[0].span.line, line);
    let col = town.lines().nth(line as usize - 1).unwrap().chars().position(|c| c == '1').unwrap();
    // The span is the figure itself, in characters.
    let at: String = town
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
        // documents counted by their disclosure attribute, shares of other bases,
        // rates of other business, approximate shares
        (
            Tables { received: received(300), ..zero.clone() },
            "全年共审核公文1200件，其中主动公开800件、依申请公开300件、不予公开40件。",
        ),
        (
            Tables { received: received(300), ..zero.clone() },
            "全年收到政府信息公开申请300件，占全市申请总量的5%。",
        ),
        (
            Tables { received: received(10), carried_forward: 2, ..zero.clone() },
            "全年收到政府信息公开申请10件；办理人大代表建议12件，建议办结率100%。",
        ),
        (
            Tables { received: received(10), carried_forward: 2, ..zero.clone() },
            "全年收到政府信息公开申请10件，超过90%的申请在10个工作日内答复。",
        ),
        // the 信息处理费 of §六 is not table 二's 行政事业性收费
        (Tables { fees: "18651.06", ..zero.clone() }, "本年度收取政府信息公开信息处理费0.5万元。"),
        // 嵊泗 2024 as the web page gives it (seed text): spaces before the units
        (
            Tables { received: received(7), carried: 1, ..zero.clone() },
            "2024 年，县政府办公室共收到信息公开申请7件，办理答复8件(其中1 件为去年结转)，答复率100%，未发生因政府信息公开引起的行政复议、行政诉讼。",
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

// ---------------------------------------------------------------- year ↔ year

fn last_year(yaml: &str) -> String {
    yaml.replace("year: 2024", "year: 2023")
        .replace("2025-01-20", "2024-01-20")
        .replace("2024年", "2023年")
}

fn against(this: &str, last: &str) -> Loaded {
    let mut l = load("this.yaml", this);
    let prev = load("last.yaml", last);
    audit_loaded(&mut l, Some(&prev), &AuditOptions::default());
    l
}

/// The year ↔ year warnings (notes of sharp jumps left out), sorted.
fn history_codes(l: &Loaded) -> Vec<&'static str> {
    let mut c: Vec<_> = codes(l).into_iter().filter(|c| c.starts_with("W-Y")).collect();
    c.sort();
    c
}

#[test]
fn audit_history_carried_over_and_in_force() {
    // Last year: 2 carried forward, 470 in force. This year: 1 carried over and
    // 440 in force where 470 + 62 − 33 = 499.
    let last = Tables {
        received: received(20),
        carried_forward: 2,
        normative: [5, 0, 470],
        ..Tables::default()
    };
    let this = Tables {
        received: received(21),
        carried: 1,
        normative: [62, 33, 440],
        ..Tables::default()
    };
    let l = against(&report(&this, &[]), &last_year(&report(&last, &[])));
    assert_eq!(history_codes(&l), ["W-Y1", "W-Y2"], "{:#?}", findings(&l));
    let f = findings(&l);
    let y1 = f.iter().find(|d| d.code.as_str() == "W-Y1").unwrap();
    assert!(
        y1.message_zh.contains("自然人")
            && y1.message_zh.contains("为 1")
            && y1.message_zh.contains("为 2")
    );
    let y2 = f.iter().find(|d| d.code.as_str() == "W-Y2").unwrap();
    assert!(
        y2.message_zh.contains("440")
            && y2.message_zh.contains("470 + 本年制发 62 − 本年废止 33 = 499"),
        "{}",
        y2.message_zh
    );
    // The finding points at the cell: the 440 of `in_force: 440`.
    let text = report(&this, &[]);
    let line = text.lines().nth(y2.span.line as usize - 1).unwrap();
    let at: String = line.chars().skip(y2.span.col as usize - 1).take(3).collect();
    assert_eq!(at, "440");
}

#[test]
fn audit_history_consistent_years_pass() {
    let last = Tables {
        received: received(20),
        carried_forward: 2,
        normative: [50, 0, 411],
        ..Tables::default()
    };
    let this = Tables {
        received: received(25),
        carried: 2,
        normative: [62, 33, 440],
        ..Tables::default()
    };
    let l = against(&report(&this, &[]), &last_year(&report(&last, &[])));
    assert!(history_codes(&l).is_empty(), "{:#?}", findings(&l));
    // The real 平潭 2024 report against a 2023 report consistent with it.
    let pingtan_2023 = last_year(PINGTAN).replace("in_force: 440", "in_force: 411");
    let l = against(PINGTAN, &pingtan_2023);
    assert!(history_codes(&l).is_empty(), "{:#?}", findings(&l));
}

#[test]
fn audit_history_sharp_jump_is_a_note() {
    let last = Tables { received: received(5), ..Tables::default() };
    let this = Tables { received: received(50), ..Tables::default() };
    let l = against(&report(&this, &[]), &last_year(&report(&last, &[])));
    let f = findings(&l);
    let jumps: Vec<_> = f.iter().filter(|d| d.code.as_str() == "N-Y4").collect();
    assert!(!jumps.is_empty(), "{f:#?}");
    assert!(jumps.iter().all(|d| d.severity == nianbao::diag::Severity::Note));
    assert!(jumps[0].message_zh.contains("上年 5，本年 50"));
    // A modest change is not a jump.
    let this = Tables { received: received(9), ..Tables::default() };
    let l = against(&report(&this, &[]), &last_year(&report(&last, &[])));
    assert!(history_codes(&l).is_empty(), "{:#?}", findings(&l));
}

#[test]
fn audit_history_previous_of_another_year() {
    let t = Tables::default();
    let l = against(&report(&t, &[]), &report(&t, &[]));
    assert_eq!(history_codes(&l), ["W-Y3"]);
}

// ---------------------------------------------------------------- completeness and dates

fn with(base: &str, from: &str, to: &str) -> String {
    assert!(base.contains(from), "{from}");
    base.replacen(from, to, 1)
}

fn completeness_codes(l: &Loaded) -> Vec<&'static str> {
    codes(l).into_iter().filter(|c| c.starts_with("W-C") || c.contains("-D")).collect()
}

#[test]
fn audit_completeness_positives() {
    let base = report(&Tables::default(), &[]);
    let problems_only = with(
        &base,
        "存在的主要问题：政策解读形式较为单一。改进情况：下一步将丰富解读形式。",
        "存在的主要问题：政策解读形式较为单一。",
    );
    assert_eq!(completeness_codes(&audited(&problems_only)), ["W-C2"]);
    let improvements_only = with(
        &base,
        "存在的主要问题：政策解读形式较为单一。改进情况：下一步将丰富解读形式。",
        "下一步将丰富解读形式。",
    );
    assert_eq!(completeness_codes(&audited(&improvements_only)), ["W-C2"]);
    let no_fee = with(
        &base,
        "本年度未收取政府信息公开信息处理费，无其他需要报告的事项。",
        "本年度行政事业性收费0万元，无其他需要报告的事项。",
    );
    let l = audited(&no_fee);
    assert_eq!(completeness_codes(&l), ["W-C3"]);
    assert!(findings(&l)[0].hints.iter().any(|h| h.contains("第二十条第（八）项")));
    // 淮北市人民医院 2022: the period ends on 20 December.
    let early_end = with(
        &base,
        "所列数据统计期限从2024年1月1日至2024年12月31日。",
        "本报告中所列数据的统计期限自2024年1月1日起至2024年12月20日止。",
    );
    let l = audited(&early_end);
    assert_eq!(completeness_codes(&l), ["W-D1"]);
    assert_eq!(findings(&l)[0].span.line, 5);
    let late = with(&base, "date: 2025-01-20", "date: 2025-02-15");
    let l = audited(&late);
    assert_eq!(completeness_codes(&l), ["W-D2"]);
    assert_eq!(findings(&l)[0].span.line, 3);
    let undated = with(&base, "date: 2025-01-20\n", "");
    assert_eq!(completeness_codes(&audited(&undated)), ["N-D3"]);
    // A section title written into the prose in a wording the format does not use.
    let title =
        report(&Tables::default(), &["四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"]);
    assert_eq!(completeness_codes(&audited(&title)), ["W-C1"]);
}

#[test]
fn audit_completeness_negatives() {
    let base = report(&Tables::default(), &[]);
    assert!(completeness_codes(&audited(&base)).is_empty());
    // 湖北省教育厅 2021 and 白城市农业农村局 2024 state their periods so.
    for period in [
        "本报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止。",
        "本报告所列数据统计期限为2024年1月1日至2024年12月31日。",
        "所列数据截止日期为2024年12月31日。",
    ] {
        let t = with(
            &base,
            "本年度报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》规定编制，所列数据统计期限从2024年1月1日至2024年12月31日。",
            period,
        );
        assert!(completeness_codes(&audited(&t)).is_empty(), "{period}");
    }
    // 平潭 2024's §六 「2024年，无收取信息处理费情况。」 and §五.
    assert!(completeness_codes(&audited(PINGTAN)).is_empty());
    // A province that sets 3月31日.
    let late = with(&base, "date: 2025-01-20", "date: 2025-03-20");
    let mut l = load("this.yaml", &late);
    audit_loaded(&mut l, None, &AuditOptions { deadline: (3, 31), ..AuditOptions::default() });
    assert!(completeness_codes(&l).is_empty());
    // The official titles themselves, as a unit might write them in the prose.
    let title = report(&Tables::default(), &["四、政府信息公开行政复议、行政诉讼情况"]);
    assert!(completeness_codes(&audited(&title)).is_empty());
    // 「一、主动公开情况」-style numbered headings of long text are not titles.
    let long = report(
        &Tables::default(),
        &["一、主动公开方面，全年通过门户网站主动公开各类政府信息，持续加强公开力度。"],
    );
    assert!(completeness_codes(&audited(&long)).is_empty());
}

// ---------------------------------------------------------------- dismissed

#[test]
fn audit_dismissed_findings_become_notes_with_the_reason() {
    let town = township_contradicting();
    let yaml = format!(
        "{town}\ndismissed:\n  - code: W-A1\n    at: overview\n    text: 已办结16件\n    reason: 1件不予处理不计入办结，已与业务科室核实\n  - code: W-A1\n    text: 结转下年度\n    reason: 表格待改正\n  - code: W-A3\n    reason: 没有对应问题\n  - code: E-R3\n    reason: 错误不能忽略\n  - code: W-A2\n"
    );
    let l = audited(&yaml);
    let f = findings(&l);
    let a1: Vec<_> = f.iter().filter(|d| d.code.as_str() == "W-A1").collect();
    assert_eq!(a1.len(), 2);
    assert!(a1.iter().all(|d| d.severity == nianbao::diag::Severity::Note), "{a1:#?}");
    assert_eq!(
        nianbao::audit::dismiss::reason(a1[0]),
        Some("1件不予处理不计入办结，已与业务科室核实")
    );
    assert_eq!(nianbao::audit::dismiss::reason(a1[1]), Some("表格待改正"));
    let mut rest: Vec<&str> =
        f.iter().filter(|d| d.code.as_str() != "W-A1").map(|d| d.code.as_str()).collect();
    rest.sort();
    // W-A3 matches nothing (N-Z1); E-R3 cannot be dismissed and W-A2 has no reason (W-Z2).
    assert_eq!(rest, ["N-Z1", "W-Z2", "W-Z2"], "{f:#?}");
    // Without the dismissals the same findings warn.
    let plain = audited(&town);
    assert!(findings(&plain).iter().all(|d| d.severity == nianbao::diag::Severity::Warning));
}

#[test]
fn audit_dismissed_entry_must_match_place_and_text() {
    let town = township_contradicting();
    let yaml = format!(
        "{town}\ndismissed:\n  - code: W-A1\n    at: problems\n    reason: 另一部分\n  - code: W-A1\n    text: 不存在的文字\n    reason: 不匹配\n"
    );
    let l = audited(&yaml);
    let f = findings(&l);
    assert_eq!(
        f.iter()
            .filter(|d| d.code.as_str() == "W-A1" && d.severity == nianbao::diag::Severity::Warning)
            .count(),
        2
    );
    assert_eq!(f.iter().filter(|d| d.code.as_str() == "N-Z1").count(), 2);
}

// ---------------------------------------------------------------- 雷同

fn similarity_codes(l: &Loaded) -> Vec<&'static str> {
    codes(l).into_iter().filter(|c| c.starts_with("W-S")).collect()
}

/// 嵊泗 2024 as if it were the 2023 report, its figures changed.
fn shengsi_2023() -> String {
    SHENGSI
        .replace("year: 2024", "year: 2023")
        .replace("date: 2025-01-22", "date: 2024-01-20")
        .replace("2024年", "2023年")
        .replace("900余条", "800余条")
        .replace("文件49件、会议类33件", "文件45件、会议类30件")
        .replace("解读材料21篇", "解读材料18篇")
        // one application went on into 2024 (嵊泗 2024 has 上年结转 1)
        .replace("received:         [7,", "received:         [8,")
        .replace("共收到信息公开申请7件", "共收到信息公开申请8件")
        .replace("carried_forward:  [0,", "carried_forward:  [1,")
        // 174 + 10 − 2 = 182 in force in 2024
        .replace("in_force: 182}", "in_force: 174}")
}

#[test]
fn audit_similarity_text_repeated_from_last_year() {
    // A unit's 2023 text repeated in 2024 with the numbers changed.
    let l = against(SHENGSI, &shengsi_2023());
    assert_eq!(similarity_codes(&l), ["W-S1"], "{:#?}", findings(&l));
    let d = findings(&l).into_iter().find(|d| d.code.as_str() == "W-S1").unwrap();
    assert!(d.message_zh.contains("100%"), "{}", d.message_zh);
    // The longest passages with their places in both files.
    let passage = d.hints.iter().find(|h| h.contains("相同段落")).expect("a passage");
    assert!(passage.contains("last.yaml:"), "{passage}");
    assert!(d.span.is_located());
    // Threshold: a partly rewritten report repeats less.
    let rewritten = shengsi_2023().replace(
        "稳步提升依申请公开答复质量。严格按照《中华人民共和国政府信息公开条例》要求，确保答复依法合规，并通过服务和创新尽量满足群众特定信息需求。",
        "全面梳理依申请公开办理流程，建立申请登记台账，逐件明确承办科室和答复时限，按月通报办理进度。",
    );
    let mut l = load("this.yaml", SHENGSI);
    let prev = load("last.yaml", &rewritten);
    audit_loaded(&mut l, Some(&prev), &AuditOptions { threshold: 99, ..AuditOptions::default() });
    assert!(similarity_codes(&l).is_empty(), "{:#?}", findings(&l));
    // ... but its other sections are still copied whole: a note for each.
    let notes: Vec<_> = findings(&l).into_iter().filter(|d| d.code.as_str() == "N-S3").collect();
    assert!(
        notes.iter().any(|d| d.message_zh.contains("五、存在的主要问题及改进情况")
            && d.message_zh.contains("100%")),
        "{notes:#?}"
    );
    assert!(!notes.iter().any(|d| d.path.as_deref() == Some("overview")), "{notes:#?}");
}

#[test]
fn audit_similarity_different_reports_and_boilerplate_pass() {
    // 平潭's prose against 嵊泗's: both carry the 条例 sentence, the period and the
    // 信息处理费 statement, and nothing else in common.
    let pingtan_as_2023 =
        PINGTAN.replace("year: 2024", "year: 2023").replace("date: 2025-01-20", "date: 2024-01-20");
    let l = against(SHENGSI, &pingtan_as_2023);
    assert!(similarity_codes(&l).is_empty(), "{:#?}", findings(&l));
    // Two reports whose only common text is the boilerplate every report carries.
    let a = report(
        &Tables::default(),
        &[
            "全年通过门户网站主动公开各类政府信息，聚焦营商环境、项目投资、产业政策等重点领域发布权威信息，开展在线访谈12期。",
        ],
    );
    let b = last_year(&report(
        &Tables::default(),
        &[
            "坚持以公开为常态、不公开为例外，围绕乡村振兴、民生保障和基层治理推进政务公开，按季度公开低保发放对象和金额。",
        ],
    ));
    let l = against(&a, &b);
    assert!(similarity_codes(&l).is_empty(), "{:#?}", findings(&l));
}

#[test]
fn audit_similarity_across_units_of_a_batch() {
    let copy =
        SHENGSI.replace("嵊泗县人民政府办公室", "岱山县人民政府办公室").replace("嵊泗县", "岱山县");
    let mut units = vec![
        load("shengsi.yaml", SHENGSI),
        load("daishan.yaml", &copy),
        load("pingtan.yaml", PINGTAN),
    ];
    nianbao::engine::audit_batch(&mut units, &[None, None, None], &AuditOptions::default());
    let s: Vec<Vec<&str>> = units.iter().map(similarity_codes).collect();
    assert_eq!(
        s,
        [vec!["W-S2"], vec!["W-S2"], vec![]],
        "{:#?}",
        units.iter().map(findings).collect::<Vec<_>>()
    );
    let d = findings(&units[0]).into_iter().find(|d| d.code.as_str() == "W-S2").unwrap();
    assert!(d.message_zh.contains("岱山县人民政府办公室"), "{}", d.message_zh);
    assert!(d.hints.iter().any(|h| h.contains("daishan.yaml:")), "{:?}", d.hints);
}

/// `n` generated units (stock phrases every unit shares, a few pairs reaching a third of
/// each other's prose, planted copies), each checked, with its number in the generator.
fn generated_units(n: usize) -> Vec<(usize, Loaded)> {
    let tmp = tempfile::tempdir().unwrap();
    gen_units::generate(tmp.path(), n);
    let mut files = nianbao::batch::discover(&[tmp.path().to_path_buf()], None).unwrap().inputs;
    files.sort_by_key(|i| i.path.clone());
    let mut loaded: Vec<(usize, Loaded)> = files
        .iter()
        .map(|i| {
            let stem = i.path.file_stem().unwrap().to_str().unwrap();
            let k: usize = stem.trim_start_matches("unit-").parse().unwrap();
            (k, nianbao::load_and_check(&i.path))
        })
        .collect();
    loaded.sort_by_key(|(k, _)| *k);
    loaded
}

#[test]
fn audit_similarity_across_units_finds_every_pair_the_exact_method_finds() {
    use nianbao::audit::similarity::{across_units, exact_partners};
    // Unit 96 is generated broken (its tables do not balance) and is left out.
    let loaded = generated_units(150);
    let (numbers, units): (Vec<usize>, Vec<nianbao::audit::Unit>) =
        loaded.iter().filter_map(|(k, l)| Some((*k, l.unit()?))).unzip();
    assert_eq!(units.len(), 149);
    let n = units.len();
    let opts = AuditOptions::default();
    // Every pair compared on its text ...
    let exact = exact_partners(&units, opts.threshold);
    // ... and the sketches, which compare only the candidate pairs.
    let sketched = across_units(&units, &opts);
    let flagged = |i: usize| sketched[i].iter().any(|d| d.code.as_str() == "W-S2");
    let exact_flagged: Vec<usize> = (0..n).filter(|&i| exact[i].is_some()).collect();
    let sketch_flagged: Vec<usize> = (0..n).filter(|&i| flagged(i)).collect();
    assert_eq!(sketch_flagged, exact_flagged);
    // Every planted copy is among them, with the share the exact method measures and a
    // unit whose prose it holds.
    let planted = gen_units::planted(150);
    assert_eq!(planted.len(), 6);
    for (copy, from) in planted {
        let copy = numbers.iter().position(|&k| k == copy).unwrap();
        let (partner, percent) = exact[copy].expect("a planted copy repeats its original");
        let d = sketched[copy].iter().find(|d| d.code.as_str() == "W-S2").unwrap();
        assert!(d.message_zh.contains(&format!("正文有 {percent}% ")), "{}", d.message_zh);
        let name = |k: usize| units[k].report.unit.text.clone();
        assert!(
            d.message_zh.contains(&format!("主要是 {}（", name(partner))),
            "{copy} copies {from}: {}",
            d.message_zh
        );
    }
    // The stock phrases alone flag nobody: most units are not flagged.
    assert!(exact_flagged.len() < 30, "{exact_flagged:?}");
}

// ---------------------------------------------------------------- the binary

fn nianbao(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run nianbao")
}

#[test]
fn audit_check_json_carries_audit_findings_and_previous() {
    let town = township_contradicting();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("this.yaml"), SHENGSI).unwrap();
    std::fs::write(dir.path().join("last.yaml"), shengsi_2023()).unwrap();
    std::fs::write(
        dir.path().join("town.yaml"),
        format!(
            "{town}\ndismissed:\n  - code: W-A1\n    text: 结转下年度\n    reason: 表格待改正\n"
        ),
    )
    .unwrap();
    let out =
        nianbao(dir.path(), &["check", "--format", "json", "this.yaml", "--previous", "last.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = json[0]["diagnostics"].as_array().unwrap();
    let s1 = diags.iter().find(|d| d["code"] == "W-S1").expect("W-S1 in the JSON");
    assert_eq!(s1["severity"], "warning");
    assert!(s1["line"].as_u64().is_some());
    let out = nianbao(dir.path(), &["check", "--format", "json", "town.yaml"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = json[0]["diagnostics"].as_array().unwrap();
    let sev: Vec<(&str, &str)> = diags
        .iter()
        .filter(|d| d["code"] == "W-A1")
        .map(|d| (d["severity"].as_str().unwrap(), d["message_zh"].as_str().unwrap()))
        .collect();
    assert_eq!(sev.len(), 2);
    assert!(sev.iter().any(|(s, m)| *s == "note" && m.contains("结转下年度")), "{sev:?}");
    assert!(sev.iter().any(|(s, m)| *s == "warning" && m.contains("16")), "{sev:?}");
    // With several files, last year's report is compared only with its own unit's.
    let out = nianbao(
        dir.path(),
        &["check", "--format", "json", "this.yaml", "town.yaml", "--previous", "last.yaml"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let has = |i: usize, code: &str| {
        json[i]["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == code)
    };
    assert!(has(0, "W-S1"));
    assert!(!has(1, "W-Y3") && !has(1, "W-S1"));
    // A previous report with errors cannot serve.
    std::fs::write(dir.path().join("bad.yaml"), "unit: x\n").unwrap();
    let out = nianbao(dir.path(), &["check", "this.yaml", "--previous", "bad.yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn audit_sheet_for_a_folder_of_units() {
    let dir = tempfile::tempdir().unwrap();
    let (units, last) = (dir.path().join("2024"), dir.path().join("2023"));
    std::fs::create_dir_all(&units).unwrap();
    std::fs::create_dir_all(&last).unwrap();
    std::fs::write(units.join("shengsi.yaml"), SHENGSI).unwrap();
    std::fs::write(units.join("pingtan.yaml"), PINGTAN).unwrap();
    std::fs::write(
        units.join("broken.yaml"),
        SHENGSI.replace("carried_over:     [1,", "carried_over:     [2,"),
    )
    .unwrap();
    std::fs::write(last.join("shengsi-2023.yaml"), shengsi_2023()).unwrap();
    let out = nianbao(dir.path(), &["audit", "2024", "--previous", "2023", "-o", "sheet.csv"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "one unit has errors: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("sheet.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().filter(|l| l.starts_with("2024/")).collect();
    assert_eq!(rows.len(), 3 * 6, "{csv}");
    let status = |file: &str, family: &str| -> String {
        let row = rows.iter().find(|r| r.starts_with(file) && r.contains(family)).unwrap();
        row.split(',').nth(4).unwrap().to_string()
    };
    assert_eq!(status("2024/broken.yaml", "table rules"), "fail");
    assert_eq!(status("2024/broken.yaml", "prose"), "n/a");
    assert_eq!(status("2024/shengsi.yaml", "table rules"), "pass");
    assert_eq!(status("2024/shengsi.yaml", "prose"), "pass");
    // Matched by unit name with last year's folder: 100 % repeated.
    assert_eq!(status("2024/shengsi.yaml", "repeated text"), "warn");
    assert_eq!(status("2024/shengsi.yaml", "year"), "pass");
    // 平潭 has no previous report; as a unit of the batch it is compared with 嵊泗.
    assert_eq!(status("2024/pingtan.yaml", "year"), "n/a");
    assert_eq!(status("2024/pingtan.yaml", "repeated text"), "pass");
    let out = nianbao(dir.path(), &["audit", "2024/shengsi.yaml", "-o", "sheet.html"]);
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(dir.path().join("sheet.html")).unwrap();
    assert!(
        html.contains("<table>")
            && html.contains("嵊泗县人民政府办公室")
            && html.contains("class=\"pass\"")
    );
    // Existing sheet, wrong extension: usage errors.
    assert_eq!(
        nianbao(dir.path(), &["audit", "2024/shengsi.yaml", "-o", "sheet.html"]).status.code(),
        Some(2)
    );
    assert_eq!(nianbao(dir.path(), &["audit", "2024", "-o", "sheet.txt"]).status.code(), Some(2));
}

// ---------------------------------------------------------------- robustness

#[test]
fn audit_never_panics_on_mutated_prose() {
    // Deterministic mutations of the prose of three real reports: numbers, Chinese
    // numerals, keywords and punctuation spliced in anywhere. Every finding must
    // point inside the file.
    const PIECES: &[&str] = &[
        "收到申请",
        "75件",
        "七件",
        "百分之百",
        "占33.9%",
        "予以公开及部分公开",
        "上年结转",
        "结转下年度",
        "均获维持",
        "未收到",
        "行政复议",
        "诉讼",
        "规范性文件",
        "现行有效",
        "制发",
        "答复率",
        "12.5%",
        "99999999999999999999999999999999999999%",
        "0.0000001%",
        "九千九百万万万万件",
        "，",
        "。",
        "（",
        "）",
        "其中自然人",
        "法人或其他组织",
        "行政事业性收费1.5万元",
        "统计期限自2024年1月1日至2024年2月",
        "一、总体",
        "2024年13月40日",
        "第",
        "%",
        "件",
        "万元",
        "余",
        "约",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let last = load("last.yaml", &shengsi_2023());
    for base in [SHENGSI, TOWNSHIP, PINGTAN] {
        let lines: Vec<&str> = base.lines().collect();
        let prose: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                lines[i].contains("text: ")
                    || (lines[i].trim_start().starts_with("- ") && lines[i].chars().count() > 30)
            })
            .collect();
        for _ in 0..120 {
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            for _ in 0..3 {
                let i = prose[next(prose.len())];
                let chars: Vec<char> = out[i].chars().collect();
                let at = chars.len() - next(chars.len() / 2 + 1);
                let piece = PIECES[next(PIECES.len())];
                out[i] = chars[..at].iter().collect::<String>()
                    + piece
                    + &chars[at..].iter().collect::<String>();
            }
            let text = out.join("\n") + "\n";
            let mut l = check_bytes(Path::new("m.yaml"), text.as_bytes().to_vec());
            audit_loaded(&mut l, Some(&last), &AuditOptions::default());
            for d in findings(&l) {
                if d.span.is_located() {
                    let line = l.file.line_text(d.span.line).unwrap_or_else(|| panic!("{d:?}"));
                    assert!((d.span.col as usize) <= line.chars().count() + 1, "{d:?}\n{line}");
                }
            }
        }
    }
}

#[test]
fn audit_prose_reviews_and_lawsuits_in_section_four() {
    // Section 四's intro against 平潭 2024's table 四 (复议 2/1/3/1 = 7, 诉讼 after
    // review 13/2/4/0 = 19); the wording follows the reports quoted above.
    let intro = |text: &str| {
        with(
            PINGTAN,
            "reviews_lawsuits:\n",
            &format!("reviews_lawsuits:\n  intro:\n    - {}\n", quoted(text)),
        )
    };
    let good = "本年度发生行政复议7件，其中维持2件、纠正1件、其他结果3件、尚未审结1件；行政诉讼19件（均为复议后起诉），其中维持13件，纠正2件，其他4件。";
    let l = audited(&intro(good));
    assert!(findings(&l).is_empty(), "{:#?}", findings(&l));
    let bad =
        "本年度发生行政复议7件，其中维持2件、纠正1件、其他结果4件、尚未审结0件；行政诉讼18件。";
    let l = audited(&intro(bad));
    let msgs: Vec<&str> = findings(&l).iter().map(|d| d.message_zh.as_str()).collect();
    assert_eq!(msgs.len(), 3, "{msgs:#?}");
    assert!(msgs[0].contains("其他结果 为 3"), "{msgs:#?}");
    assert!(msgs[1].contains("尚未审结 为 1"), "{msgs:#?}");
    assert!(msgs[2].contains("18") && msgs[2].contains("为 19"), "{msgs:#?}");
}

// ------------------------------------------------- published pages it cannot read (#30)

const SEED: &str = include_str!("suite/import/seed-report-shengsi-2024.txt");

/// The seed report as a published page with its lines `from..to` (1-based, inclusive)
/// replaced by `with`.
fn seed_with(from: usize, to: usize, with: &str) -> String {
    let lines: Vec<&str> = SEED.lines().collect();
    let mut out: Vec<&str> = lines[..from - 1].to_vec();
    out.extend(with.lines());
    out.extend(&lines[to..]);
    out.join("\n")
}

/// The status of one family of the audit sheet (`sheet.csv`) for `file`.
fn sheet_status(csv: &str, file: &str, family: &str) -> String {
    let row =
        csv.lines().find(|r| r.starts_with(file) && r.contains(family)).unwrap_or_else(|| {
            panic!("no {family} row for {file} in {csv}");
        });
    row.split(',').nth(4).unwrap().to_string()
}

/// A published page whose table could not be read is never a pass: not with the table
/// published as an image (no numbers), not with its numbers unreadable, not with no table
/// at all. The audit fails the unit's 勾稽关系 with the reason, and `import` writes no
/// report that looks complete (only with --force, the unread cells named).
#[test]
fn audit_never_passes_a_page_whose_table_it_cannot_read() {
    let image = seed_with(32, 59, "（表格以图片形式发布）");
    let unreadable: String =
        seed_with(32, 59, &SEED.lines().collect::<Vec<_>>()[31..59].join("\n"))
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if (31..59).contains(&i) {
                    l.replace(|c: char| c.is_ascii_digit(), "×")
                } else {
                    l.into()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    let no_tables: String =
        SEED.lines().filter(|l| !l.contains('|')).collect::<Vec<_>>().join("\n");
    for (name, page) in [("image", image), ("unreadable", unreadable), ("none", no_tables)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("page.txt"), &page).unwrap();
        let out = nianbao(dir.path(), &["audit", "page.txt", "-o", "sheet.csv"]);
        let csv = std::fs::read_to_string(dir.path().join("sheet.csv")).unwrap_or_default();
        assert_eq!(out.status.code(), Some(1), "{name}: {csv}");
        assert_eq!(sheet_status(&csv, "page.txt", "table rules"), "fail", "{name}: {csv}");
        assert!(csv.contains("E-I"), "{name}: the reason is named: {csv}");
        // `import` refuses to write it; with --force it writes it, every unread cell named.
        let out = nianbao(dir.path(), &["import", "page.txt", "-o", "page.yaml"]);
        assert_ne!(out.status.code(), Some(0), "{name}");
        assert!(!dir.path().join("page.yaml").exists(), "{name}: written without --force");
        let out = nianbao(dir.path(), &["import", "page.txt", "-o", "page.yaml", "--force"]);
        assert_ne!(out.status.code(), Some(0), "{name}");
        let yaml = std::fs::read_to_string(dir.path().join("page.yaml")).unwrap();
        if name != "none" {
            assert!(yaml.contains("未能读出"), "{name}: unread cells named: {yaml}");
        }
    }
}

/// A fee with a decimal point, however a page sets it: the audit passes only when the
/// imported report holds the fee exactly (a dropped point, `96171.6` → `961716`, can never
/// pass).
#[test]
fn audit_never_passes_a_dropped_decimal() {
    for fee in [
        "行政事业性收费 | 96171.6 |",
        "行政事业性收费        96171.6",
        "行政事业性收费 96171.6",
        "行政事业性收费96171.6",
        "行政事业性收费      96171.6 万元",
        "行政事业性收费 96171 .6",
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("page.txt"), seed_with(31, 31, fee)).unwrap();
        let audit = nianbao(dir.path(), &["audit", "page.txt", "-o", "sheet.csv"]);
        nianbao(dir.path(), &["import", "page.txt", "-o", "page.yaml", "--force"]);
        let yaml = std::fs::read_to_string(dir.path().join("page.yaml")).unwrap();
        let fees =
            yaml.lines().find(|l| l.trim_start().starts_with("fees:")).unwrap_or("").to_string();
        if audit.status.code() == Some(0) {
            assert!(fees.contains("96171.6"), "{fee}: audit passed with {fees}");
        } else {
            let csv = std::fs::read_to_string(dir.path().join("sheet.csv")).unwrap();
            assert_eq!(sheet_status(&csv, "page.txt", "table rules"), "fail", "{fee}: {csv}");
        }
        assert!(!fees.contains("961716"), "{fee}: {fees}");
    }
}
