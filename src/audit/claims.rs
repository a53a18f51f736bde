//! Claims the prose makes about whole kinds of case (均获维持, 未收到申请, 未发生行政复议,
//! 未制发规范性文件) against the cells that say otherwise.

use super::*;
use crate::audit::ProseText;

/// Sentence claims: 均获维持 against results that are not 维持; 「未收到申请」,
/// 「未发生行政复议」, 「未制发规范性文件」 against non-zero cells.
pub(super) fn claims(
    pt: &ProseText,
    chars: &[char],
    para: &Para,
    file: Option<&SourceFile>,
    out: &mut Vec<Diagnostic>,
) {
    let c = &para.cells;
    let mut start = 0;
    while start < chars.len() {
        let end = chars[start..]
            .iter()
            .position(|c| SENTENCE_BREAK.contains(c))
            .map_or(chars.len(), |p| start + p + 1);
        let sentence: String = chars[start..end].iter().collect();
        let at = |word: &str| -> usize {
            sentence.find(word).map_or(0, |b| sentence[..b].chars().count()) + start
        };
        let quote: String = sentence.chars().take(40).collect();
        let mut push = |code: AuditCode, msg: Msg, pos: usize, len: usize, label: String| {
            let (zh, en) = text(&msg);
            out.push(
                Diagnostic::with_text(Code::Audit(code), located(file, pt.text, pos, len), zh, en)
                    .with_path(pt.section)
                    .with_label(label),
            );
        };
        // 均获维持 and the like.
        if para.disclosure
            && let Some(w) = [
                "均获维持",
                "均被维持",
                "全部维持",
                "均维持",
                "均予以维持",
                "结果维持",
                "全部胜诉",
                "均胜诉",
            ]
            .into_iter()
            .find(|w| sentence.contains(w))
        {
            let mut groups = Vec::new();
            if sentence.contains("复议") {
                groups.push("review");
            }
            if sentence.contains("诉讼") || sentence.contains("起诉") {
                groups.extend(["lawsuit_direct", "lawsuit_after_review"]);
            }
            let bad: Vec<Quantity> = groups
                .iter()
                .flat_map(|g| [1, 2, 3].map(|f| c.review(g, f)))
                .filter(|q| q.value > 0)
                .collect();
            if !bad.is_empty() {
                let cells_text = describe(&bad);
                let label = bad.iter().map(|q| q.label.as_str()).collect::<Vec<_>>().join("；");
                push(
                    AuditCode::ProseClaim,
                    Msg::Upheld { quote: &quote, cells: &cells_text },
                    at(w),
                    w.chars().count(),
                    label,
                );
            }
        }
        // A claim that there were none of something, against the cells that hold some.
        let mut none_claim = |w: &str, mut bad: Vec<Quantity>| {
            bad.retain(|q| q.value > 0);
            if !bad.is_empty() {
                let cells_text = describe(&bad);
                let label = bad.iter().map(|q| q.label.as_str()).collect::<Vec<_>>().join("；");
                let msg = Msg::NoneClaim { quote: &quote, cells: &cells_text };
                push(AuditCode::ProseClaim, msg, at(w), w.chars().count(), label);
            }
        };
        // None received.
        let none_words = ["未收到", "没有收到", "未接到", "尚未收到", "未受理"];
        if let Some(w) = none_words.into_iter().find(|w| sentence.contains(w))
            && sentence[sentence.find(w).unwrap_or(0)..].contains("申请")
            && !has(&sentence, &["复议", "诉讼", "补正"])
        {
            none_claim(w, vec![c.app("received", 6)]);
        }
        // No 复议 / 诉讼.
        if para.disclosure
            && let Some(w) =
                ["未发生", "没有发生", "未产生", "未出现", "未被申请", "无行政", "未收到"]
                    .into_iter()
                    .find(|w| sentence.contains(w))
        {
            let after = &sentence[sentence.find(w).unwrap_or(0)..];
            let corrected = has(after, &["纠错", "纠正", "败诉", "被撤销"]);
            let mut bad = Vec::new();
            let field = if corrected { 1 } else { 4 };
            if after.contains("复议") {
                bad.push(c.review("review", field));
            }
            if after.contains("诉讼") {
                bad.push(c.review("lawsuit_direct", field));
                bad.push(c.review("lawsuit_after_review", field));
            }
            none_claim(w, bad);
        }
        // No 规范性文件 / 规章 issued.
        if let Some(w) = ["未制发", "没有制发", "未制定", "未出台", "未印发"]
            .into_iter()
            .find(|w| sentence.contains(w))
        {
            let after = &sentence[sentence.find(w).unwrap_or(0)..];
            let mut bad = Vec::new();
            if after.contains("规范性文件") {
                bad.push(c.proactive("normative_documents", 0));
            }
            if after.contains("规章") {
                bad.push(c.proactive("regulations", 0));
            }
            none_claim(w, bad);
        }
        start = end;
    }
}
