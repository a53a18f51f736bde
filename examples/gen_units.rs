//! Generates N realistic unit reports for batch benchmarks and tests:
//! `cargo run --release --example gen_units -- OUTDIR 1000`.
//! Prose lengths and table numbers vary; every table satisfies every rule,
//! except every 97th unit, which is deliberately broken (一+二 ≠ 三（七）+四).
//!
//! The prose is what a province's units write: sentences built from the words such
//! reports use (so any two units share stock phrases: a median of about 13 % of one's
//! prose repeats another's, a few pairs reach a third), about one sentence in eight
//! taken from a pool of stock sentences every unit may copy, and planted copies
//! ([`planted`]): every 50th unit copies an earlier unit's prose whole, every 50th
//! (offset 24) copies five of its eight paragraphs and writes the rest itself.

use std::fmt::Write;
use std::path::PathBuf;

/// A small deterministic generator (splitmix64), so runs are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len() as u64) as usize]
    }
}

/// Stock sentences any unit may copy.
const SENTENCES: &[&str] = &[
    "坚持以公开促落实、强监管、优环境，不断提升政府透明度。",
    "集中、规范发布政府文件、政府会议、重要规划计划、人事任免信息等。",
    "对涉及市场主体和人民群众切身利益的重大政策文件，做到应解读尽解读。",
    "严格按照《中华人民共和国政府信息公开条例》要求，确保答复依法合规。",
    "坚持“先审查、后公开”原则，把牢信息公开审核关，切实提升公开质量。",
    "加强政府门户网站内容建设，优化完善政策文件库，开设专题专栏4个。",
    "每季度发布政务公开工作情况通报，持续加强日常指导和监督检查。",
    "全年组织开展政务公开业务培训2次，并通过网上问卷调查方式开展社会评议。",
    "以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央、国务院关于政务公开工作的决策部署。",
    "认真落实政府信息公开工作要点，推动政务公开标准化规范化建设。",
    "公开工作仍存在信息更新不够及时、政策解读形式较为单一等问题。",
    "下一步将进一步加强业务培训，提升工作人员业务能力。",
];
const WHEN: &[&str] = &[
    "年初",
    "上半年",
    "下半年",
    "全年",
    "今年以来",
    "年内",
    "一季度",
    "二季度",
    "三季度",
    "四季度",
    "汛期前",
    "每月",
    "每季度",
    "春节前后",
    "开学前",
    "年中",
    "节假日期间",
    "换届后",
];
const WHO: &[&str] = &[
    "我局",
    "本单位",
    "办公室",
    "各科室",
    "局党组",
    "分管领导",
    "信息公开工作小组",
    "法规科",
    "综合科",
    "各业务股室",
    "政务服务窗口",
    "网站编辑部",
    "各村（社区）",
    "执法大队",
    "财务室",
    "档案室",
    "党政办",
    "便民服务中心",
];
const DO: &[&str] = &[
    "梳理",
    "更新",
    "集中发布",
    "主动公开",
    "解读",
    "核查",
    "清理",
    "完善",
    "组织编制",
    "动态调整",
    "逐条审核",
    "汇总",
    "分类整理",
    "定期维护",
    "专项检查",
    "跟踪督办",
    "公示",
    "细化",
];
const FIELD: &[&str] = &[
    "行政许可",
    "财政预决算",
    "重大建设项目",
    "公共资源配置",
    "义务教育招生",
    "医疗卫生",
    "农村低保",
    "安全生产",
    "环境监测",
    "征地补偿",
    "不动产登记",
    "食品安全",
    "权责清单",
    "政策文件",
    "依申请公开",
    "政务新媒体",
    "惠民惠农补贴",
    "社会救助",
    "就业创业",
    "市场主体登记",
    "防汛抗旱",
    "老旧小区改造",
    "规范性文件",
    "行政处罚",
    "双随机抽查",
    "人事任免",
    "乡村振兴",
    "河湖长制",
    "耕地保护",
    "养老服务",
    "住房保障",
    "交通运输",
    "文化旅游",
    "退役军人",
    "残疾人帮扶",
    "消防安全",
    "燃气安全",
    "校园安全",
    "药品监管",
    "森林防火",
];
const ITEM: &[&str] = &[
    "信息",
    "事项",
    "数据",
    "结果",
    "名单",
    "目录",
    "办事指南",
    "政策",
    "台账",
    "方案",
    "资金",
    "标准",
    "流程",
    "清单",
    "通知",
    "公告",
];
const HOW: &[&str] = &[
    "在门户网站专栏集中展示",
    "确保准确完整",
    "接受社会监督",
    "回应群众关切",
    "应公开尽公开",
    "方便群众查阅",
    "明确责任人和时限",
    "同步推送新媒体",
    "提升可读性",
    "避免错发漏发",
    "形成长效机制",
    "保障群众知情权",
    "按统一标准发布",
    "建立更新台账",
    "做好政策解读",
    "开展效果评估",
    "及时更新维护",
    "强化审核把关",
];
const GOAL: &[&str] = &[
    "群众",
    "企业",
    "基层",
    "社会公众",
    "市场主体",
    "办事人",
    "老年人",
    "农户",
    "学生家长",
    "新闻媒体",
];
const ACT: &[&str] = &["查阅", "监督", "办事", "理解", "反馈", "咨询", "参与", "获取"];

fn sentence(rng: &mut Rng) -> String {
    if rng.below(8) == 0 {
        return rng.pick(SENTENCES).to_string();
    }
    let tail = match rng.below(3) {
        0 => rng.pick(HOW).to_string(),
        1 => format!("方便{}{}", rng.pick(GOAL), rng.pick(ACT)),
        _ => format!(
            "{}{}{}{}",
            rng.pick(&["全年", "累计", "共"]),
            rng.pick(DO),
            rng.pick(ITEM),
            rng.pick(&["若干", "多次", "多批"])
        ),
    };
    format!(
        "{}，{}{}{}{}，{tail}。",
        rng.pick(WHEN),
        rng.pick(WHO),
        rng.pick(DO),
        rng.pick(FIELD),
        rng.pick(ITEM)
    )
}

fn paragraph(rng: &mut Rng, min: u64, spread: u64) -> String {
    let n = min + rng.below(spread);
    (0..n).map(|_| sentence(rng)).collect()
}

/// A unit's eight paragraphs: 总体情况's opening, its five subsections, §五's two.
type Prose = [String; 8];

/// The prose unit `i` writes itself (a copy takes another unit's from here).
fn own_prose(i: usize) -> Prose {
    let mut rng = Rng(0x5EED_0000 ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    std::array::from_fn(|p| match p {
        0 => paragraph(&mut rng, 3, 5),
        1..=5 => paragraph(&mut rng, 3, 8),
        _ => paragraph(&mut rng, 2, 3),
    })
}

/// How unit `i`'s prose was made: its own, or copied from an earlier unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planted {
    /// Every paragraph of unit `from`.
    Whole { from: usize },
    /// Paragraphs 0, 1, 2, 4 and 6 of unit `from` (about two thirds), the others its own.
    Half { from: usize },
}

/// The planted copy unit `i` is, if any (the same whatever the number of units). Units
/// that are generated broken (every 97th) are not audited and copy nobody.
pub fn copy_of(i: usize) -> Option<Planted> {
    if broken(i) {
        return None;
    }
    // An earlier unit that is not broken, spread over all of them.
    let from = |salt: u64| {
        let mut k = Rng(i as u64 ^ salt).below(i as u64) as usize;
        while broken(k) {
            k -= 1;
        }
        k
    };
    match i % 50 {
        49 => Some(Planted::Whole { from: from(13) }),
        24 => Some(Planted::Half { from: from(101) }),
        _ => None,
    }
}

/// Whether unit `i` is generated with tables that do not balance.
pub fn broken(i: usize) -> bool {
    i % 97 == 96
}

/// Every planted copy among `n` units: (copy, original).
pub fn planted(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .filter_map(|i| match copy_of(i)? {
            Planted::Whole { from } | Planted::Half { from } => Some((i, from)),
        })
        .collect()
}

fn prose(i: usize) -> Prose {
    let own = own_prose(i);
    match copy_of(i) {
        None => own,
        Some(Planted::Whole { from }) => prose(from),
        Some(Planted::Half { from }) => {
            let theirs = prose(from);
            std::array::from_fn(|p| {
                if p % 2 == 0 || p == 1 { theirs[p].clone() } else { own[p].clone() }
            })
        }
    }
}

const KINDS: &[&str] = &[
    "镇人民政府",
    "街道办事处",
    "县卫生健康局",
    "县教育局",
    "县自然资源和规划局",
    "县市场监督管理局",
];

fn row(v: &[u64; 6]) -> String {
    format!("[{}]", v.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))
}

fn unit(i: usize, rng: &mut Rng) -> String {
    let text = prose(i);
    let kind = KINDS[i % KINDS.len()];
    let name = format!("示例县第{i}{kind}");
    let township = kind.contains('镇') || kind.contains("街道");
    let mut s = String::new();
    let _ = writeln!(s, "unit: {name}\nyear: 2025\ndate: 2026-01-20");
    let _ = writeln!(
        s,
        "preamble:\n  - 本年度报告根据《中华人民共和国政府信息公开条例》编制，所列数据统计期限从2025年1月1日至2025年12月31日。"
    );
    let _ = writeln!(s, "overview:\n  - {}", text[0]);
    for (h, t) in
        ["主动公开。", "依申请公开。", "政府信息管理。", "政府信息公开平台建设。", "监督保障。"]
            .iter()
            .zip(&text[1..6])
    {
        let _ = writeln!(s, "  - heading: {h}\n    text: {t}");
    }
    let regs = if township { 0 } else { rng.below(3) };
    let _ = writeln!(
        s,
        "proactive:\n  regulations: {{issued: {regs}, repealed: 0, in_force: {}}}\n  normative_documents: {{issued: {}, repealed: {}, in_force: {}}}\n  licensing: {}\n  punishment: {}\n  coercion: {}\n  fees: {}.{}",
        regs * 3,
        rng.below(20),
        rng.below(5),
        rng.below(300),
        rng.below(5000),
        rng.below(800),
        rng.below(50),
        rng.below(500),
        rng.below(10)
    );
    // Outcomes first, then received/carried so that 一+二 = 三（七）+四 holds.
    let keys = [
        ("disclosed", ""),
        ("partly_disclosed", ""),
        ("withheld", "state_secret"),
        ("withheld", "third_party"),
        ("withheld", "process_information"),
        ("unable", "not_held"),
        ("unable", "unclear"),
        ("not_processed", "repeated"),
        ("other_handling", "other"),
    ];
    let mut total = [0u64; 6];
    let mut lines = Vec::new();
    for (group, key) in keys {
        let mut v = [0u64; 6];
        for (c, x) in v.iter_mut().enumerate() {
            *x = if c == 0 { rng.below(12) } else { rng.below(3) * u64::from(rng.below(3) == 0) };
            total[c] += *x;
        }
        lines.push((group, key, v));
    }
    let forward: [u64; 6] = std::array::from_fn(|c| rng.below(2) * u64::from(c == 0));
    let carried: [u64; 6] = std::array::from_fn(|c| (total[c] + forward[c]).min(rng.below(3)));
    let mut received: [u64; 6] = std::array::from_fn(|c| total[c] + forward[c] - carried[c]);
    if broken(i) {
        received[0] += 1; // deliberately broken
    }
    let _ = writeln!(
        s,
        "applications:\n  received: {}\n  carried_over: {}",
        row(&received),
        row(&carried)
    );
    let mut last_group = "";
    for (group, key, v) in &lines {
        if key.is_empty() {
            let _ = writeln!(s, "  {group}: {}", row(v));
        } else {
            if *group != last_group {
                let _ = writeln!(s, "  {group}:");
                last_group = group;
            }
            let _ = writeln!(s, "    {key}: {}", row(v));
        }
    }
    let _ = writeln!(s, "  carried_forward: {}", row(&forward));
    let g = |rng: &mut Rng| {
        format!(
            "{{upheld: {}, corrected: {}, other: 0, pending: {}}}",
            rng.below(3),
            rng.below(2),
            rng.below(2)
        )
    };
    let _ = writeln!(
        s,
        "reviews_lawsuits:\n  review: {}\n  lawsuit_direct: {}\n  lawsuit_after_review: {}",
        g(rng),
        g(rng),
        g(rng)
    );
    let _ = writeln!(
        s,
        "problems:\n  - heading: 存在的主要问题：\n    run_in: true\n    text: {}",
        text[6]
    );
    let _ = writeln!(s, "  - heading: 改进情况：\n    run_in: true\n    text: {}", text[7]);
    let _ = writeln!(s, "other:\n  - 2025年度未收取政府信息公开信息处理费，无其他需要报告的事项。");
    s
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(n)) = (args.next(), args.next()) else {
        eprintln!("usage: gen_units OUTDIR COUNT");
        std::process::exit(2);
    };
    let n: usize = n.parse().unwrap_or_else(|_| {
        eprintln!("COUNT must be a number");
        std::process::exit(2)
    });
    let dir = PathBuf::from(dir);
    generate(&dir, n);
    println!("wrote {n} units under {}", dir.display());
}

/// Writes `n` units into `dir/district-NN/unit-NNNN.yaml` (also used by the bench).
pub fn generate(dir: &std::path::Path, n: usize) {
    let mut rng = Rng(2025);
    for i in 0..n {
        let sub = dir.join(format!("district-{:02}", i % 10));
        std::fs::create_dir_all(&sub).expect("create output folder");
        std::fs::write(sub.join(format!("unit-{i:04}.yaml")), unit(i, &mut rng))
            .expect("write unit");
    }
}
