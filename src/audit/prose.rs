//! Prose ↔ table: the figures the prose states about the tables (received, carried
//! over, answered, each result, 复议 and 诉讼, 规范性文件, 许可/处罚/强制, fees,
//! percentages, Chinese numerals too) compared with the computed tables.
//!
//! A figure is only compared when the words right before it (its clause) say which
//! cell it is about; a figure about something the tables do not hold (「发布信息
//! 900余条」, 「政策性文件11件」) names no cell and is left alone. Where a clause
//! allows more than one reading (「收到并处理申请13件」), any matching reading
//! passes: a warning must be worth a reviewer's time.

use super::cells::{Cells, Quantity};
use super::codes::{AuditCode, Msg, text};
pub use super::figures::{Figure, scan};
use super::{ProseText, located};
use crate::diag::{Code, Diagnostic};
use crate::source::SourceFile;
use crate::template::{AuditWords as W, Naming, Words};
use claims::claims;

const CLAUSE_BREAK: &[char] =
    &['，', ',', '：', ':', '、', '（', '(', '）', ')', '；', ';', '。', '！', '？', '!', '?'];
const SENTENCE_BREAK: &[char] = &['。', '；', ';', '！', '？', '!', '?'];

/// What a figure is about.
#[derive(Debug, Clone)]
enum Subject<'a> {
    /// Any of these cells (a row of table 三 in `row` for later column figures).
    Cells(Vec<Quantity>, Option<&'a str>),
    /// A column of the sentence's current row.
    Column(Vec<usize>),
    /// 答复率 / 办结率.
    Rate,
    /// 占…% of the sentence's last figure.
    Share,
    /// 行政事业性收费 in 万元.
    Fees,
}

/// Last position of any of the words in `hay` (character index of its end).
fn last_pos<S: AsRef<str>>(hay: &str, words: &[S]) -> Option<usize> {
    words
        .iter()
        .map(AsRef::as_ref)
        .filter_map(|w| hay.rfind(w).map(|b| hay[..b].chars().count() + w.chars().count()))
        .max()
}

/// Whether any of the words is in `hay`.
pub(crate) fn has<S: AsRef<str>>(hay: &str, words: &[S]) -> bool {
    words.iter().any(|w| hay.contains(w.as_ref()))
}

/// The naming whose words end last in `hay`, with that position (the first naming on a tie).
fn last_named<'n>(hay: &str, namings: &'n [Naming]) -> Option<(usize, &'n Naming)> {
    namings.iter().fold(None, |best, n| match last_pos(hay, &n.words) {
        Some(p) if best.is_none_or(|(b, _)| p > b) => Some((p, n)),
        _ => best,
    })
}

/// Context of one paragraph.
struct Para<'a> {
    cells: Cells<'a>,
    /// The edition's word lists.
    w: &'a Words<W>,
    /// The paragraph (with its subsection heading) is about disclosure work, so a
    /// 复议/诉讼 figure in it is about disclosure cases.
    disclosure: bool,
}

impl<'a> Para<'a> {
    fn classify(
        &self,
        lead: &str,
        trail: &str,
        sentence: &str,
        app_topic: bool,
        fig: &Figure,
    ) -> Option<Subject<'a>> {
        let w = self.w;
        let data = &self.cells.format().audit;
        if has(lead, w.get(W::Comparison)) || fig.approx {
            return None;
        }
        let other_business = w.get(W::OtherBusiness);
        let c = &self.cells;
        // Figures no report states (more than six decimals, beyond 10^15) are typos
        // or codes; comparing them would only overflow.
        if fig.scale > 6 || fig.mantissa > 1_000_000_000_000_000 {
            return None;
        }
        if fig.percent {
            if has(lead, w.get(W::Rate))
                && app_topic
                && !has(lead, other_business)
                && !has(lead, w.get(W::OtherRate))
            {
                return Some(Subject::Rate);
            }
            // 「占33.9%」, 「占比33.9%」, 「占总数的33.9%」: a share of the table's own
            // totals; 「占全市的5%」 is a share of something else.
            if let Some(b) = lead.rfind('占') {
                let rest = lead[b + '占'.len_utf8()..].to_string();
                let base =
                    w.get(W::ShareBase).iter().fold(rest, |r, word| r.replace(word.as_str(), ""));
                if base.is_empty() {
                    return Some(Subject::Share);
                }
            }
            return None;
        }
        if fig.wan_yuan {
            return has(lead, w.get(W::Fees)).then_some(Subject::Fees);
        }
        if fig.integer().is_none() || fig.approx {
            return None;
        }
        let counted = matches!(fig.unit, Some('件' | '宗' | '起' | '个'));
        let mut best: Option<(usize, Subject)> = None;
        let mut offer = |pos: Option<usize>, s: Subject<'a>| {
            if let Some(p) = pos
                && best.as_ref().is_none_or(|(b, _)| p > *b)
            {
                best = Some((p, s));
            }
        };
        // Results of table 三; 「予以公开及部分公开」 is their sum.
        if let Some(p) = last_pos(lead, w.get(W::DisclosedAndPartly)).filter(|_| app_topic) {
            let q = Cells::sum(&[c.app("disclosed", 6), c.app("partly_disclosed", 6)]);
            offer(Some(p), Subject::Cells(vec![q], Some("disclosed+partly")));
        } else {
            // 「公文…主动公开、不予公开」 counts documents by their disclosure attribute,
            // not applications.
            let attribute = has(sentence, w.get(W::Attribute));
            for n in &data.results {
                if counted && app_topic && !attribute {
                    let key = n.key.as_str();
                    offer(last_pos(lead, &n.words), Subject::Cells(vec![c.app(key, 6)], Some(key)));
                }
            }
        }
        // Carried over and carried forward.
        let forward = w.get(W::CarriedForward);
        let over = w.get(W::CarriedOver);
        if counted {
            offer(
                last_pos(lead, forward),
                Subject::Cells(vec![c.app("carried_forward", 6)], Some("carried_forward")),
            );
            offer(
                last_pos(lead, over),
                Subject::Cells(vec![c.app("carried_over", 6)], Some("carried_over")),
            );
            if w.get(W::Copula).iter().any(|word| trail.starts_with(word.as_str())) {
                if has(trail, over) {
                    offer(
                        Some(0),
                        Subject::Cells(vec![c.app("carried_over", 6)], Some("carried_over")),
                    );
                } else if has(trail, forward) {
                    offer(
                        Some(0),
                        Subject::Cells(vec![c.app("carried_forward", 6)], Some("carried_forward")),
                    );
                }
            }
        }
        // 复议 and 诉讼 about disclosure.
        if counted && self.disclosure {
            let after_review = w.get(W::LawsuitAfterReview);
            let review = last_pos(lead, w.get(W::Review)).filter(|_| !has(lead, after_review));
            let suit = last_pos(lead, w.get(W::Lawsuit));
            let reviews = c.format().table("reviews_lawsuits");
            let field = data.review_fields.iter().find_map(|n| {
                let f = reviews?.fields.iter().position(|(k, _)| *k == n.key)?;
                last_pos(lead, &n.words).map(|p| (p, f))
            });
            let (is_review, is_suit) =
                (has(sentence, w.get(W::Review)), has(sentence, w.get(W::LawsuitOnly)));
            let scope_review = is_review && !is_suit;
            let scope_suit = is_suit && !is_review;
            let suits = |f: usize| -> Quantity {
                if has(lead, w.get(W::LawsuitDirect)) {
                    c.review("lawsuit_direct", f)
                } else if has(lead, after_review) {
                    c.review("lawsuit_after_review", f)
                } else {
                    Cells::sum(&[
                        c.review("lawsuit_direct", f),
                        c.review("lawsuit_after_review", f),
                    ])
                }
            };
            match (review, suit) {
                (Some(r), Some(s)) => offer(
                    Some(r.max(s)),
                    Subject::Cells(vec![Cells::sum(&[c.review("review", 4), suits(4)])], None),
                ),
                (Some(r), None) => {
                    offer(Some(r), Subject::Cells(vec![c.review("review", 4)], None))
                }
                (None, Some(s)) => offer(Some(s), Subject::Cells(vec![suits(4)], None)),
                (None, None) => {}
            }
            if let Some((p, f)) = field {
                if scope_review {
                    offer(Some(p), Subject::Cells(vec![c.review("review", f)], None));
                } else if scope_suit {
                    offer(Some(p), Subject::Cells(vec![suits(f)], None));
                }
            }
        }
        // 规章 and 行政规范性文件: a verb in the clause, the kind in the clause or before.
        if counted {
            let kind_pos =
                |hay: &str| last_named(hay, &data.documents).map(|(_, n)| n.key.as_str());
            let kind = kind_pos(lead).or_else(|| kind_pos(sentence));
            let proactive = c.format().table("proactive");
            if let Some(kind) = kind
                && !has(lead, w.get(W::OtherDocuments))
                && let Some(def) = proactive
                && let Some(r) = def.record_index(kind)
            {
                let verb = data
                    .document_verbs
                    .iter()
                    .filter_map(|n| {
                        let f = def.fields.iter().position(|(k, _)| *k == n.key)?;
                        let f = def.records[r].fields.iter().position(|&x| x == f)?;
                        last_pos(lead, &n.words).map(|p| (p, f))
                    })
                    .max();
                if let Some((p, f)) = verb {
                    let named = last_named(lead, &data.documents).map_or(0, |(p, _)| p);
                    offer(Some(p.max(named)), Subject::Cells(vec![c.proactive(kind, f)], None));
                }
            }
            if matches!(fig.unit, Some('件' | '宗' | '起')) {
                for n in &data.scalars {
                    offer(
                        last_pos(lead, &n.words),
                        Subject::Cells(vec![c.proactive(&n.key, 0)], None),
                    );
                }
            }
        }
        // Applications: a verb in the clause, 申请 in the sentence so far.
        if counted && app_topic && !has(lead, other_business) {
            let received = last_pos(lead, w.get(W::Received));
            let accepted = last_pos(lead, w.get(W::Accepted));
            let handled = last_pos(lead, w.get(W::Handled));
            let closed = last_pos(lead, w.get(W::Closed));
            let mut cands = Vec::new();
            let one_two = Cells::sum(&[c.app("received", 6), c.app("carried_over", 6)]);
            if received.is_some() {
                cands.push(c.app("received", 6));
            }
            if accepted.is_some() {
                cands.push(c.app("received", 6));
                cands.push(one_two.clone());
            }
            if handled.is_some() {
                cands.push(c.app("total", 6));
                cands.push(one_two.clone());
            }
            if closed.is_some() {
                cands.push(c.app("total", 6));
            }
            let pos = [received, accepted, handled, closed].into_iter().flatten().max();
            let row = if received.is_some() && handled.is_none() && closed.is_none() {
                Some("received")
            } else if handled.is_some() || closed.is_some() {
                Some("total")
            } else {
                Some("received")
            };
            if !cands.is_empty() {
                offer(pos, Subject::Cells(cands, row));
            }
        }
        // Applicant columns of the sentence's current row.
        if counted {
            let apps = c.format().table("applications");
            for n in &data.applicants {
                let Some(def) = apps else { break };
                let col: Vec<usize> = n
                    .key
                    .split('+')
                    .filter_map(|f| def.fields.iter().position(|(k, _)| k == f))
                    .collect();
                if let Some(p) = last_pos(lead, &n.words) {
                    // A column named together with a verb ("收到自然人申请12件") is a cell of
                    // that verb's row, handled below by the caller.
                    offer(Some(p), Subject::Column(col));
                }
            }
        }
        best.map(|(_, s)| s)
    }
}

/// Checks every figure and claim of the prose against the tables.
pub fn check(texts: &[ProseText], cells: Cells, file: Option<&SourceFile>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for pt in texts {
        let chars: Vec<char> = pt.text.text.chars().collect();
        let context = format!("{}{}", pt.heading, pt.text.text);
        let w = &cells.format().audit.words;
        let para = Para {
            cells,
            w,
            disclosure: pt.section == "reviews_lawsuits" || has(&context, w.get(W::Disclosure)),
        };
        let figures = scan(&chars, w);
        let mut row: Option<&str> = None;
        let mut last: Option<(u64, Vec<Quantity>)> = None;
        // Whether `last` is a part of the year's applications (a result, a column).
        let mut last_is_part = false;
        let mut sentence_start = 0;
        let mut prev_end = 0;
        for fig in &figures {
            let s = chars[..fig.start]
                .iter()
                .rposition(|c| SENTENCE_BREAK.contains(c))
                .map_or(0, |p| p + 1);
            if s != sentence_start {
                sentence_start = s;
                row = None;
                last = None;
            }
            let lead_start = chars[..fig.start]
                .iter()
                .rposition(|c| CLAUSE_BREAK.contains(c))
                .map_or(0, |p| p + 1)
                .max(prev_end.min(fig.start))
                .max(s);
            prev_end = fig.end;
            let lead: String = chars[lead_start..fig.start].iter().collect();
            let trail_end = chars[fig.end..]
                .iter()
                .position(|c| CLAUSE_BREAK.contains(c))
                .map_or(chars.len(), |p| fig.end + p);
            let trail: String = chars[fig.end..trail_end].iter().collect();
            let sentence: String = chars[s..fig.start].iter().collect();
            // 申请 in this sentence so far, or in the one before (「共收到申请7件。已办结7件。」).
            let prev_s = chars[..s.saturating_sub(1)]
                .iter()
                .rposition(|c| SENTENCE_BREAK.contains(c))
                .map_or(0, |p| p + 1);
            let before: String = chars[prev_s.min(s)..s].iter().collect();
            let app_topic =
                has(&sentence, w.get(W::Application)) || has(&before, w.get(W::Application));
            let quote: String = chars[lead_start..trail_end].iter().take(40).collect();
            let Some(subject) = para.classify(&lead, &trail, &sentence, app_topic, fig) else {
                continue;
            };
            let span = located(file, pt.text, fig.start, fig.end - fig.start);
            let stated = fig.shown();
            let mut warn = |code: AuditCode, msg: Msg, label: String, hints: Vec<String>| {
                let (zh, en) = text(&msg);
                let mut d = Diagnostic::with_text(Code::Audit(code), span, zh, en)
                    .with_path(pt.section)
                    .with_label(label);
                for h in hints {
                    d = d.with_hint(h);
                }
                out.push(d);
            };
            match subject {
                Subject::Cells(cands, new_row) => {
                    let v = fig.integer().unwrap_or(0);
                    if new_row.is_some() {
                        row = new_row.filter(|r| !r.contains('+') && !r.contains('.'));
                    }
                    last = Some((v, cands.clone()));
                    last_is_part = new_row.is_some_and(|r| !["received", "total"].contains(&r));
                    if cands.iter().any(|q| q.value == v) {
                        continue;
                    }
                    let cells_text = describe(&cands);
                    let keys: Vec<&str> =
                        new_row.map(|k| k.split('+').collect()).unwrap_or_default();
                    let keys: Vec<&str> = keys
                        .into_iter()
                        .map(|k| if k == "partly" { "partly_disclosed" } else { k })
                        .collect();
                    let hints = near_misses(v, &cands, &keys, &cells);
                    let label =
                        cands.iter().map(|q| q.label.as_str()).collect::<Vec<_>>().join("；");
                    warn(
                        AuditCode::ProseFigure,
                        Msg::Figure { quote: &quote, stated: &stated, cells: &cells_text },
                        label,
                        hints,
                    );
                }
                Subject::Column(cols) => {
                    let Some(r) = row else {
                        continue;
                    };
                    let v = fig.integer().unwrap_or(0);
                    let parts: Vec<Quantity> = cols.iter().map(|&col| cells.app(r, col)).collect();
                    last = Some((v, parts.clone()));
                    last_is_part = true;
                    let q = if parts.len() == 1 {
                        parts[0].clone()
                    } else {
                        Quantity {
                            label: format!(
                                "{} / {}（{}）",
                                parts[0].label.split(" / ").next().unwrap_or(""),
                                group_label(&cells, &cols),
                                cols.iter()
                                    .map(|&c| cells.app_column(c))
                                    .collect::<Vec<_>>()
                                    .join("+")
                            ),
                            value: parts.iter().map(|p| p.value).sum(),
                        }
                    };
                    if q.value == v {
                        continue;
                    }
                    let cells_text = describe(std::slice::from_ref(&q));
                    warn(
                        AuditCode::ProseFigure,
                        Msg::Figure { quote: &quote, stated: &stated, cells: &cells_text },
                        q.label.clone(),
                        Vec::new(),
                    );
                }
                Subject::Rate => {
                    let total = cells.app("total", 6);
                    let total_label = total.label.split(" / ").next().unwrap_or("");
                    let num = total.value;
                    let den = cells.app("received", 6).value + cells.app("carried_over", 6).value;
                    if den == 0 || percent_matches(fig, num, den) {
                        continue;
                    }
                    let actual = format!(
                        "{}（{total_label} {num} ÷（本年新收 + 上年结转）{den}）",
                        percent_text(num, den, fig.scale)
                    );
                    warn(
                        AuditCode::ProsePercent,
                        Msg::Percent { quote: &quote, stated: &stated, actual: &actual },
                        format!("{total_label} ÷（一 + 二）"),
                        Vec::new(),
                    );
                }
                Subject::Share => {
                    let Some((stated_n, cands)) = &last else {
                        continue;
                    };
                    if !last_is_part {
                        continue;
                    }
                    let dens = [
                        cells.app("total", 6),
                        cells.app("received", 6),
                        Cells::sum(&[cells.app("received", 6), cells.app("carried_over", 6)]),
                    ];
                    let nums: Vec<u64> =
                        cands.iter().map(|q| q.value).chain(std::iter::once(*stated_n)).collect();
                    let ok = dens.iter().any(|d| {
                        d.value > 0 && nums.iter().any(|&n| percent_matches(fig, n, d.value))
                    });
                    if ok || dens[0].value == 0 {
                        continue;
                    }
                    let n = cands.first().map_or(*stated_n, |q| q.value);
                    let actual = format!(
                        "{}（{n} ÷ {} {}）",
                        percent_text(n, dens[0].value, fig.scale),
                        dens[0].label.split(" / ").next().unwrap_or(""),
                        dens[0].value
                    );
                    warn(
                        AuditCode::ProsePercent,
                        Msg::Percent { quote: &quote, stated: &stated, actual: &actual },
                        "占比".into(),
                        Vec::new(),
                    );
                }
                Subject::Fees => {
                    let Some(v) = cells.fees() else {
                        continue;
                    };
                    let table = v.display();
                    if same_decimal(&stated, &table) {
                        continue;
                    }
                    let label = cells.fees_label();
                    let row = label.split(" / ").next().unwrap_or(label);
                    let cells_text = format!("{row} 为 {table} 万元");
                    warn(
                        AuditCode::ProseFigure,
                        Msg::Figure { quote: &quote, stated: &stated, cells: &cells_text },
                        label.into(),
                        Vec::new(),
                    );
                }
            }
        }
        claims(pt, &chars, &para, file, &mut out);
    }
    out
}

/// The label of the applicant columns `cols` together: the words that name exactly them
/// (法人或其他组织).
fn group_label<'a>(cells: &Cells<'a>, cols: &[usize]) -> &'a str {
    let format = cells.format();
    let apps = format.table("applications");
    format
        .audit
        .applicants
        .iter()
        .find(|n| {
            let named: Vec<usize> = n
                .key
                .split('+')
                .filter_map(|f| apps?.fields.iter().position(|(k, _)| k == f))
                .collect();
            named == cols
        })
        .and_then(|n| n.words.first())
        .map_or("", String::as_str)
}

fn same_decimal(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let s = s.to_string();
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    };
    norm(a) == norm(b)
}

fn describe(cands: &[Quantity]) -> String {
    cands.iter().map(|q| format!("{} 为 {}", q.label, q.value)).collect::<Vec<_>>().join("，或 ")
}

/// What the figure equals instead, so the warning can say how it came about:
/// `75 = 本年新收 74 + 上年结转 1` (one of the cells it is about plus another total),
/// or `258 = 三（一）予以公开 / 自然人` (a single column of a row it is about), or
/// another total (only for figures of 10 and more: small numbers match by chance).
fn near_misses(v: u64, cands: &[Quantity], keys: &[&str], cells: &Cells) -> Vec<String> {
    let totals = cells.usual_totals();
    let short = |q: &Quantity| q.label.split(" / ").next().unwrap_or(&q.label).to_string();
    let mut out = Vec::new();
    for c in cands {
        for t in &totals {
            if t.value > 0 && c.value > 0 && c.value + t.value == v && short(t) != short(c) {
                out.push(format!("{v} = {} {} + {} {}", short(c), c.value, short(t), t.value));
            }
        }
    }
    for key in keys {
        for col in 0..6 {
            let q = cells.app(key, col);
            if q.value == v && v > 0 && cells.app(key, 6).value != v {
                out.push(format!("{v} = {} {}（只是其中一列）", q.label, q.value));
            }
        }
    }
    if v >= 10 {
        for t in &totals {
            if t.value == v {
                out.push(format!("{v} = {} {}（可能写的是这一项）", short(t), t.value));
            }
        }
    }
    out.dedup();
    out.truncate(3);
    out
}

/// Whether a stated percentage is `num / den` rounded or truncated to its places.
fn percent_matches(fig: &Figure, num: u64, den: u64) -> bool {
    // classify() keeps mantissa ≤ 10^15 and scale ≤ 6, so this cannot overflow.
    let (m, b) = (fig.mantissa as i128, den as i128);
    let scaled = 100 * num as i128 * 10i128.pow(fig.scale);
    let diff = scaled - m * b; // (actual − stated) · 10^scale · den
    2 * diff.abs() <= b || (0..b).contains(&diff)
}

fn percent_text(num: u64, den: u64, scale: u32) -> String {
    let scale = scale.max(1);
    let p = 10u128.pow(scale);
    let v = (num as u128 * 100 * p * 2 + den as u128) / (den as u128 * 2);
    format!("{}.{:0w$}%", v / p, v % p, w = scale as usize)
}

#[path = "claims.rs"]
mod claims;

#[cfg(test)]
#[path = "prose_tests.rs"]
mod tests;
