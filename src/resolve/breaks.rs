//! Where a title or a unit name may turn its line (GB/T 9704 §7.3.1 回行时词意完整):
//! break opportunities from punctuation, a small dictionary of the words unit names
//! and titles are made of, and one best set of lines chosen for both backends.
//!
//! Widths here are estimates in ems (CJK and full-width forms 1, ASCII ½), which is
//! exact for the bundled Fandol faces and for the fonts the DOCX names, so the PDF
//! and the DOCX turn the lines at the same places.

/// Marks that must not start a line (clreq).
const NO_START: &str = "，。、；：？！）》」』”’〕】…—〉］｝％·～,.;:?!)]}%";
/// Marks that must not end a line.
const NO_END: &str = "（《「『“‘〔【〈［｛([{";

/// Administrative divisions: a name may turn after one (某某县 / 人民政府).
const DIVISIONS: &str = "省市县区州盟旗镇乡村";

/// Words that end an organ's name: a name may turn after one.
const ORGAN_ENDS: &[&str] = &[
    "人民政府",
    "政府",
    "办公室",
    "办公厅",
    "办事处",
    "委员会",
    "管委会",
    "管理局",
    "局",
    "厅",
    "中心",
    "街道",
    "社区",
    "开发区",
    "公司",
    "集团",
    "研究院",
    "研究所",
    "服务站",
    "工作站",
    "年度",
    "政府信息公开",
    "工作",
];

/// Words never broken inside, though a division or organ word sits in them.
const WORDS: &[&str] = &[
    "市场",
    "市政",
    "市民",
    "市级",
    "城市",
    "县域",
    "县级",
    "区域",
    "区划",
    "区级",
    "乡村",
    "乡镇",
    "村镇",
    "村民",
    "村委",
    "城乡",
    "镇级",
    "州府",
    "局部",
    "中心区",
    "厅局",
    "人民政府",
    "办公室",
    "办公厅",
    "办事处",
    "委员会",
    "管委会",
    "管理局",
    "政府信息公开",
    "信息公开",
    "年度报告",
    "大数据",
    "开发区",
];

/// Break penalties: lower is better.
const STRONG: u32 = 0;
const PUNCT: u32 = 1;
const WORD: u32 = 3;
const ANY: u32 = 40;
/// Cost of one more line, against the penalties above.
const LINE: f64 = 10.0;

/// Estimated width of one character in ems: ASCII ½, everything else 1.
pub fn em(c: char) -> f64 {
    if c.is_ascii() { 0.5 } else { 1.0 }
}

/// Estimated width of a text in ems.
pub fn em_width(text: &str) -> f64 {
    text.chars().map(em).sum()
}

fn latin(c: char) -> bool {
    c.is_ascii_alphanumeric() || "%.-/".contains(c)
}

/// The penalty for turning the line before character `i` (None: not allowed).
fn penalties(chars: &[char], strong: &[usize]) -> Vec<Option<u32>> {
    let n = chars.len();
    let text: String = chars.iter().collect();
    // Character index → byte offset, to match words.
    let offsets: Vec<usize> = text.char_indices().map(|(b, _)| b).chain([text.len()]).collect();
    let at = |i: usize| &text[offsets[i]..];
    let mut inside = vec![false; n + 1];
    for (i, _) in chars.iter().enumerate() {
        for w in WORDS {
            if at(i).starts_with(w) {
                let len = w.chars().count();
                for flag in &mut inside[i + 1..i + len] {
                    *flag = true;
                }
            }
        }
    }
    let mut out = vec![None; n + 1];
    for i in 1..n {
        let (a, b) = (chars[i - 1], chars[i]);
        if NO_START.contains(b) || NO_END.contains(a) || (latin(a) && latin(b)) {
            continue;
        }
        let p = if strong.contains(&i) {
            STRONG
        } else if "、，；：。".contains(a) || NO_START.contains(a) || NO_END.contains(b) {
            PUNCT
        } else if inside[i] {
            ANY
        } else if DIVISIONS.contains(a)
            || ORGAN_ENDS.iter().any(|w| text[..offsets[i]].ends_with(w))
            || (latin(a) && !latin(b) && !"年月日号".contains(b))
        {
            WORD
        } else {
            ANY
        };
        out[i] = Some(p);
    }
    out
}

/// Breaks `text` into lines no wider than `max` ems: fewest lines and best break
/// places first (after the given `strong` character indices, then at punctuation,
/// then after a division or organ word, and only as a last resort between any two
/// characters clreq allows), then lines as equal as possible; never a line of one
/// character when more than one line is needed.
pub fn break_lines(text: &str, max: f64, strong: &[usize]) -> Vec<String> {
    let chars: Vec<char> = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    let n = chars.len();
    if n == 0 || em_width(text) <= max + 1e-9 {
        return vec![chars.iter().collect()];
    }
    let pen = penalties(&chars, strong);
    let mut prefix = vec![0.0; n + 1];
    for (i, &c) in chars.iter().enumerate() {
        prefix[i + 1] = prefix[i] + em(c);
    }
    // best[j]: cost of setting chars[..j] with a break before j, and where the line started.
    let mut best: Vec<Option<(f64, usize)>> = vec![None; n + 1];
    best[0] = Some((0.0, 0));
    for j in 1..=n {
        if j < n && pen[j].is_none() {
            continue;
        }
        let p = if j == n { 0 } else { pen[j].unwrap_or(ANY) };
        for i in 0..j {
            let Some((base, _)) = best[i] else { continue };
            let w = prefix[j] - prefix[i];
            if w > max + 1e-9 {
                continue;
            }
            let orphan = if j - i == 1 { 20.0 } else { 0.0 };
            let cost = base + LINE + f64::from(p) + orphan + 2.0 * (w / max).powi(2);
            if best[j].is_none_or(|(c, _)| cost < c - 1e-12) {
                best[j] = Some((cost, i));
            }
        }
    }
    if best[n].is_none() {
        // An unbreakable run wider than the measure: cut it by width alone.
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut w = 0.0;
        for &c in &chars {
            if w + em(c) > max + 1e-9 && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                w = 0.0;
            }
            line.push(c);
            w += em(c);
        }
        lines.push(line);
        return lines;
    }
    let mut cuts = vec![n];
    let mut j = n;
    while j > 0 {
        let (_, i) = best[j].expect("reached from the start");
        cuts.push(i);
        j = i;
    }
    cuts.reverse();
    cuts.windows(2).map(|w| chars[w[0]..w[1]].iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: &str = "某某县人民政府办公室（某某县大数据发展管理局、某某县政务服务中心）";

    #[test]
    fn title_turns_at_word_boundaries() {
        let title = format!("{UNIT}2025年度政府信息公开工作年度报告");
        let unit_end = UNIT.chars().count();
        let lines = break_lines(&title, 20.1, &[unit_end]);
        assert_eq!(
            lines,
            [
                "某某县人民政府办公室（某某县",
                "大数据发展管理局、某某县政务服务中心）",
                "2025年度政府信息公开工作年度报告"
            ]
        );
    }

    #[test]
    fn short_title_turns_after_the_unit() {
        let lines =
            break_lines("嵊泗县人民政府办公室2024年度政府信息公开工作年度报告", 20.1, &[10]);
        assert_eq!(lines, ["嵊泗县人民政府办公室", "2024年度政府信息公开工作年度报告"]);
    }

    #[test]
    fn unit_name_turns_at_punctuation() {
        let lines = break_lines(UNIT, 14.5, &[]);
        assert_eq!(
            lines,
            ["某某县人民政府办公室", "（某某县大数据发展管理局、", "某某县政务服务中心）"]
        );
        let lines = break_lines("某某县市场监督管理局某某市场监管所", 8.0, &[]);
        assert!(lines.iter().all(|l| !l.ends_with('市')), "{lines:?}");
    }

    #[test]
    fn no_break_rules_hold() {
        let lines = break_lines("一二三四五六七八九十（甲乙）丙丁，戊己庚辛", 6.0, &[]);
        for l in &lines {
            assert!(!l.starts_with(|c| NO_START.contains(c)), "{lines:?}");
            assert!(!l.ends_with(|c| NO_END.contains(c)), "{lines:?}");
            assert!(em_width(l) <= 6.0);
        }
    }
}
