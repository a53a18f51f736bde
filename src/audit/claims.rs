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
    let w = para.w;
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
            && let Some(word) = w.get(W::AllUpheld).iter().find(|x| sentence.contains(x.as_str()))
        {
            let mut groups = Vec::new();
            if has(&sentence, w.get(W::Review)) {
                groups.push("review");
            }
            if has(&sentence, w.get(W::Lawsuit)) {
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
                    at(word),
                    word.chars().count(),
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
        let find = |list: W| w.get(list).iter().find(|x| sentence.contains(x.as_str()));
        if let Some(word) = find(W::NoneReceived)
            && has(&sentence[sentence.find(word.as_str()).unwrap_or(0)..], w.get(W::Application))
            && !has(&sentence, w.get(W::NoneReceivedNot))
        {
            none_claim(word, vec![c.app("received", 6)]);
        }
        // No 复议 / 诉讼.
        if para.disclosure
            && let Some(word) = find(W::NoneHappened)
        {
            let after = &sentence[sentence.find(word.as_str()).unwrap_or(0)..];
            let corrected = has(after, w.get(W::Corrected));
            let mut bad = Vec::new();
            let field = if corrected { 1 } else { 4 };
            if has(after, w.get(W::Review)) {
                bad.push(c.review("review", field));
            }
            if has(after, w.get(W::LawsuitOnly)) {
                bad.push(c.review("lawsuit_direct", field));
                bad.push(c.review("lawsuit_after_review", field));
            }
            none_claim(word, bad);
        }
        // No 规范性文件 / 规章 issued.
        if let Some(word) = find(W::NoneIssued) {
            let after = &sentence[sentence.find(word.as_str()).unwrap_or(0)..];
            let mut bad = Vec::new();
            for n in &c.format().audit.documents {
                if has(after, &n.words) {
                    bad.push(c.proactive(&n.key, 0));
                }
            }
            none_claim(word, bad);
        }
        start = end;
    }
}
