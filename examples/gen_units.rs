//! Generates N realistic unit reports for batch benchmarks and tests:
//! `cargo run --release --example gen_units -- OUTDIR 1000`.
//! Prose lengths and table numbers vary; every table satisfies every rule,
//! except every 97th unit, which is deliberately broken (一+二 ≠ 三（七）+四).

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
}

const SENTENCES: &[&str] = &[
    "坚持以公开促落实、强监管、优环境，不断提升政府透明度。",
    "集中、规范发布政府文件、政府会议、重要规划计划、人事任免信息等。",
    "对涉及市场主体和人民群众切身利益的重大政策文件，做到应解读尽解读。",
    "严格按照《中华人民共和国政府信息公开条例》要求，确保答复依法合规。",
    "坚持“先审查、后公开”原则，把牢信息公开审核关，切实提升公开质量。",
    "加强政府门户网站内容建设，优化完善政策文件库，开设专题专栏4个。",
    "每季度发布政务公开工作情况通报，持续加强日常指导和监督检查。",
    "全年组织开展政务公开业务培训2次，并通过网上问卷调查方式开展社会评议。",
];
const KINDS: &[&str] = &[
    "镇人民政府",
    "街道办事处",
    "县卫生健康局",
    "县教育局",
    "县自然资源和规划局",
    "县市场监督管理局",
];

fn prose(rng: &mut Rng, min: u64, spread: u64) -> String {
    let sentences = min + rng.below(spread);
    (0..sentences).map(|_| SENTENCES[rng.below(SENTENCES.len() as u64) as usize]).collect()
}

fn row(v: &[u64; 6]) -> String {
    format!("[{}]", v.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))
}

fn unit(i: usize, rng: &mut Rng) -> String {
    let kind = KINDS[i % KINDS.len()];
    let name = format!("示例县第{i}{kind}");
    let township = kind.contains('镇') || kind.contains("街道");
    let mut s = String::new();
    let _ = writeln!(s, "unit: {name}\nyear: 2025\ndate: 2026-01-20");
    let _ = writeln!(
        s,
        "preamble:\n  - 本年度报告根据《中华人民共和国政府信息公开条例》编制，所列数据统计期限从2025年1月1日至2025年12月31日。"
    );
    let _ = writeln!(s, "overview:\n  - {}", prose(rng, 2, 4));
    for h in
        ["主动公开。", "依申请公开。", "政府信息管理。", "政府信息公开平台建设。", "监督保障。"]
    {
        let _ = writeln!(s, "  - heading: {h}\n    text: {}", prose(rng, 1, 6));
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
    if i % 97 == 96 {
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
        prose(rng, 1, 3)
    );
    let _ =
        writeln!(s, "  - heading: 改进情况：\n    run_in: true\n    text: {}", prose(rng, 1, 3));
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
