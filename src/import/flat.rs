//! A page flattened to one line — a portal's or a crawler's text with every line break and
//! separator gone (`规章000行政规范性文件6233440第二十条第（五）项…`) — cut back into the
//! pieces a page has: the section headings, the sentences of the prose, and in the tables
//! each label of the format's grid and each run of digits. The glued digits are left for
//! the core to split by the 勾稽 rules.
//!
//! A table starts where three labels of the grid follow each other with nothing but spaces
//! or brackets between them (prose naming two of them, `行政复议、行政诉讼`, has a mark
//! between); it goes on while labels and numbers follow, and a short text right before
//! numbers (a row label as published, with its typos) is a label too; any other text
//! starts the prose again.

use super::scan::{Block, Cell, Labels, fullwidth_to_ascii, is_cjk};
use std::collections::BTreeMap;

/// Pieces longer than this (in characters) are looked at: a page's paragraph or table cell
/// is shorter; a whole page on one line is not.
const FLAT_LEN: usize = 600;

/// The blocks with every paragraph that is a flattened page cut into its pieces (each a
/// paragraph of its own with the place of the line), or `None` when there is none.
pub(super) fn unflatten(
    blocks: &[Block],
    labels: &Labels,
    headings: &[String],
) -> Option<Vec<Block>> {
    let long = |b: &Block| matches!(b, Block::Para(c) if c.text.chars().nth(FLAT_LEN).is_some());
    if !blocks.iter().any(long) {
        return None;
    }
    let words = Words::new(labels.all.iter().map(String::as_str));
    let heads = Words::new(headings.iter().map(String::as_str));
    let mut out = Vec::with_capacity(blocks.len());
    let mut cut = false;
    for b in blocks {
        match b {
            // A long paragraph with no table in it is prose: kept whole.
            Block::Para(c)
                if long(b)
                    && let Some(pieces) = pieces(&c.text, &words, &heads) =>
            {
                cut = true;
                out.extend(
                    pieces
                        .into_iter()
                        .map(|text| Block::Para(Cell { text: text.to_string(), loc: c.loc })),
                );
            }
            b => out.push(b.clone()),
        }
    }
    cut.then_some(out)
}

/// Normalised words by their first character, longest first.
struct Words(BTreeMap<char, Vec<Vec<char>>>);

impl Words {
    fn new<'a>(words: impl Iterator<Item = &'a str>) -> Words {
        let mut map: BTreeMap<char, Vec<Vec<char>>> = BTreeMap::new();
        for w in words {
            let w: Vec<char> = w.chars().collect();
            if w.len() >= 2 {
                map.entry(w[0]).or_default().push(w);
            }
        }
        for v in map.values_mut() {
            v.sort_by_key(|w| std::cmp::Reverse(w.len()));
            v.dedup();
        }
        Words(map)
    }

    /// The length of the longest word `text` starts with.
    fn at(&self, text: &[char]) -> Option<usize> {
        let first = text.first()?;
        self.0.get(first)?.iter().find(|w| text.starts_with(w)).map(Vec::len)
    }
}

/// The cuts of one flattened text, as slices of it; `None` when it holds no table.
fn pieces<'t>(text: &'t str, words: &Words, heads: &Words) -> Option<Vec<&'t str>> {
    // The characters labels are compared in (`norm`'s), with where each is in the text.
    let kept: Vec<(char, usize, usize)> = text
        .char_indices()
        .filter_map(|(i, c)| {
            let a = fullwidth_to_ascii(c);
            (a.is_ascii_alphanumeric() || is_cjk(a)).then_some((a, i, i + c.len_utf8()))
        })
        .collect();
    let nc: Vec<char> = kept.iter().map(|k| k.0).collect();
    let n = nc.len();
    let start = |i: usize| if i < n { kept[i].1 } else { text.len() };
    let end = |i: usize| kept[i - 1].2;
    // Between two labels of a table: nothing a sentence has (`行政复议、行政诉讼`).
    let joined = |at: usize| {
        !text[end(at)..start(at)].contains(['。', '，', '、', '；', '：', ',', ';', ':'])
    };
    let chain = |i: usize| {
        let mut at = i;
        for _ in 0..3 {
            match words.at(&nc[at..]) {
                Some(len) if at == i || joined(at) => at += len,
                _ => return false,
            }
            if at >= n {
                return false;
            }
        }
        true
    };
    let mut cuts = vec![0, text.len()];
    let mut prose: Vec<(usize, usize)> = Vec::new();
    let mut prose_from = Some(0);
    let mut i = 0;
    while i < n {
        let Some(from) = prose_from else {
            // In a table: a label, a run of digits (a decimal point in it kept), a row label
            // the grid does not have verbatim before its numbers, or the prose again.
            if let Some(len) = words.at(&nc[i..]) {
                // The label's closing brackets are its own (`（单位：万元）`).
                let close = text[end(i + len)..]
                    .char_indices()
                    .find(|(_, c)| !"）)】”」".contains(*c))
                    .map_or(text.len(), |(k, _)| end(i + len) + k);
                cuts.extend([start(i), close]);
                i += len;
                continue;
            }
            let next = (i + 1..n)
                .find(|&j| {
                    (nc[j].is_ascii_digit() != nc[i].is_ascii_digit())
                        || words.at(&nc[j..]).is_some()
                })
                .unwrap_or(n);
            if nc[i].is_ascii_digit() || (next < n && nc[next].is_ascii_digit() && next - i <= 24) {
                cuts.extend([start(i), end(next)]);
                i = next;
                continue;
            }
            cuts.push(start(i));
            prose_from = Some(start(i));
            continue;
        };
        if chain(i) {
            prose.push((from, start(i)));
            prose_from = None;
            cuts.push(start(i));
            continue;
        }
        if let Some(len) = heads.at(&nc[i..]) {
            cuts.extend([start(i), end(i + len)]);
            i += len;
            continue;
        }
        i += 1;
    }
    if prose.is_empty() && prose_from == Some(0) {
        return None;
    }
    if let Some(from) = prose_from {
        prose.push((from, text.len()));
    }
    // The prose: a sentence a piece.
    for (a, b) in prose {
        cuts.extend(text[a..b].match_indices('。').map(|(k, m)| a + k + m.len()));
    }
    cuts.sort_unstable();
    cuts.dedup();
    Some(cuts.windows(2).map(|w| text[w[0]..w[1]].trim()).filter(|p| !p.is_empty()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::scan::norm;
    use crate::template::bundled_format;

    #[test]
    fn a_flattened_table_is_cut_into_labels_and_digit_runs() {
        let format = bundled_format(2021).unwrap();
        let labels = Labels::new(format);
        let words = Words::new(labels.all.iter().map(String::as_str));
        let heads: Vec<String> = format.sections.iter().map(|s| norm(&s.heading())).collect();
        let heads = Words::new(heads.iter().map(String::as_str));
        let text = "未发生行政复议、行政诉讼。二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数\
                    本年废止件数现行有效件数规章000行政规范性文件6233440第二十条第（八）项信息内容\
                    本年收费金额（单位：万元）行政事业性收费96171.6三、收到和处理政府信息公开申请情况";
        assert_eq!(pieces("未发生行政复议、行政诉讼。其他总计。", &words, &heads), None);
        let got = pieces(text, &words, &heads).unwrap();
        assert_eq!(
            got,
            [
                "未发生行政复议、行政诉讼。",
                "二、主动公开政府信息情况",
                "第二十条第（一）项",
                "信息内容",
                "本年制发件数",
                "本年废止件数",
                "现行有效件数",
                "规章",
                "000",
                "行政规范性文件",
                "6233440",
                "第二十条第（八）项",
                "信息内容",
                "本年收费金额（单位：万元）",
                "行政事业性收费",
                "96171.6",
                "三、收到和处理政府信息公开申请情况",
            ]
        );
    }
}
