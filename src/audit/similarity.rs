//! 雷同: how much of a report's prose repeats last year's report, or other units'
//! reports of the same run.
//!
//! Before comparing, the text every report must contain is removed — the format's
//! own sentences and titles, the standard subsection headings, the unit's name,
//! dates and digits — and so are punctuation and spaces, so a text copied with
//! only its numbers changed still counts as repeated. What is left is cut into
//! overlapping 8-character shingles; a character counts as repeated when a shingle
//! covering it occurs in the other text. The share is repeated characters over
//! all characters; the longest repeated runs are reported with their places in
//! both files.
//!
//! Across a batch, a unit repeats another when that one unit holds `threshold` percent
//! of its prose (the share [`compare`] measures, pair by pair). Comparing every pair
//! is quadratic and needs every text at once, so a batch keeps a [`Sketch`] of each
//! unit instead — one shingle in [`SAMPLE`], chosen by hash so the same shingles are
//! kept in every unit, about 0.5 KB a unit — and lets the texts go. [`candidates`]
//! finds, for each unit, the units whose sketches hold at least half the threshold
//! of its sketch: an inverted index over the sampled shingles, probed with the
//! rarest of each unit's shingles first (prefix filtering: a unit sharing that many
//! must share one of them), and never with a stock phrase (a shingle more than
//! [`STOCK`] units hold), so the phrases every unit carries cost nothing.
//! Only those candidates are compared exactly, on their texts read again; the unit
//! named as the source is the one it repeats most.

use super::codes::{AuditCode, Msg};
use super::{AuditOptions, Unit, finding, located, prose_texts};
use crate::diag::Diagnostic;
use crate::model::Text;
use crate::source::SourceFile;
use crate::template::AuditWords;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Shingle length in characters.
pub const SHINGLE: usize = 8;

/// Texts shorter than this (after normalising) are not judged: a two-line §六 is
/// the same every year by nature.
pub const MIN_CHARS: usize = 60;

/// A hasher for keys that are already hashes.
#[derive(Default)]
struct Pass(u64);

impl Hasher for Pass {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type FastMap<V> = HashMap<u64, V, BuildHasherDefault<Pass>>;

/// One shingle in `SAMPLE` (those whose hash is a multiple of it) is kept in a sketch.
pub const SAMPLE: u64 = 8;

/// A report's prose, normalised for comparison.
#[derive(Debug)]
pub struct Doc<'a> {
    /// The paragraphs, with their section keys.
    texts: Vec<(&'a str, &'a Text)>,
    /// The normalised characters.
    chars: Vec<char>,
    /// For each normalised character: paragraph index and character index in it.
    origin: Vec<(u32, u32)>,
    /// The shingle starting at each position (`chars.len() + 1 - SHINGLE` of them).
    hashes: Vec<u64>,
}

fn shingle_hash(window: &[char]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in window {
        h = (h ^ u64::from(u32::from(c))).wrapping_mul(0x100_0000_01b3);
    }
    // Finalise (splitmix) so the low bits the map uses are well mixed.
    h ^= h >> 31;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 29)
}

impl<'a> Doc<'a> {
    /// Normalises a unit's prose.
    pub fn new(unit: &Unit<'a>) -> Doc<'a> {
        let report = unit.report;
        // Sentences and words every report carries (the format's and the 条例's).
        let mut remove: Vec<String> = unit.format.audit.words.get(AuditWords::Boilerplate).to_vec();
        remove.push(report.unit.text.clone());
        remove.push(report.signing_unit().to_string());
        remove.extend(unit.format.sections.iter().map(|s| s.title.clone()));
        remove.retain(|s| !s.is_empty());
        remove.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        let texts: Vec<(&str, &Text)> =
            prose_texts(report).into_iter().map(|p| (p.section, p.text)).collect();
        let mut chars = Vec::new();
        let mut origin = Vec::new();
        for (ti, (_, t)) in texts.iter().enumerate() {
            let cs: Vec<char> = t.text.chars().collect();
            let mut keep = vec![true; cs.len()];
            for r in &remove {
                let rc: Vec<char> = r.chars().collect();
                let mut i = 0;
                while i + rc.len() <= cs.len() {
                    if cs[i..i + rc.len()] == rc[..] {
                        keep[i..i + rc.len()].iter_mut().for_each(|k| *k = false);
                        i += rc.len();
                    } else {
                        i += 1;
                    }
                }
            }
            let mut after_digit = false;
            for (ci, &c) in cs.iter().enumerate() {
                let digit = c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '.';
                // Dates go with their digits: 2024年1月1日.
                let date_word = after_digit && matches!(c, '年' | '月' | '日' | '号');
                after_digit = digit || (date_word && after_digit);
                if !keep[ci] || digit || date_word || !c.is_alphanumeric() {
                    continue;
                }
                chars.push(c);
                origin.push((ti as u32, ci as u32));
            }
        }
        let hashes = if chars.len() >= SHINGLE {
            chars.windows(SHINGLE).map(shingle_hash).collect()
        } else {
            Vec::new()
        };
        Doc { texts, chars, origin, hashes }
    }

    /// Number of normalised characters.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Whether nothing is left after normalising.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    fn covered(&self, shared: impl Fn(u64) -> bool) -> Vec<bool> {
        let mut mask = vec![false; self.chars.len()];
        for (i, &h) in self.hashes.iter().enumerate() {
            if shared(h) {
                mask[i..i + SHINGLE].iter_mut().for_each(|m| *m = true);
            }
        }
        mask
    }
}

/// A repeated passage: where it is in this report and in the other.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// Normalised length in characters.
    pub len: usize,
    /// Section key in this report.
    pub section: String,
    /// Where it starts in this report.
    pub here: crate::source::Span,
    /// Where it starts in the other report.
    pub there: crate::source::Span,
    /// The passage as written here (first characters).
    pub excerpt: String,
}

/// How much of `a` repeats `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Repeated characters over all characters of `a`, in percent (rounded down).
    pub percent: u32,
    /// The same per section key, for sections long enough to judge.
    pub sections: Vec<(String, u32)>,
    /// The longest repeated passages, longest first (at most three).
    pub passages: Vec<Passage>,
}

fn percent(part: usize, whole: usize) -> u32 {
    (part * 100).checked_div(whole).map_or(0, |p| p as u32)
}

/// Compares `a` with `b` (shingle sets; linear in their lengths).
pub fn compare(
    a: &Doc,
    a_file: Option<&SourceFile>,
    b: &Doc,
    b_file: Option<&SourceFile>,
) -> Comparison {
    let mut first_in_b: FastMap<usize> = FastMap::default();
    for (i, &h) in b.hashes.iter().enumerate() {
        first_in_b.entry(h).or_insert(i);
    }
    let mask = a.covered(|h| first_in_b.contains_key(&h));
    let repeated = mask.iter().filter(|&&m| m).count();
    // Per section.
    let mut per: Vec<(String, usize, usize)> = Vec::new();
    for (i, &m) in mask.iter().enumerate() {
        let key = a.texts[a.origin[i].0 as usize].0;
        match per.iter_mut().find(|(k, _, _)| k == key) {
            Some(e) => {
                e.1 += usize::from(m);
                e.2 += 1;
            }
            None => per.push((key.to_string(), usize::from(m), 1)),
        }
    }
    let sections = per
        .into_iter()
        .filter(|(_, _, n)| *n >= MIN_CHARS)
        .map(|(k, r, n)| (k, percent(r, n)))
        .collect();
    // Runs of repeated characters.
    let mut runs = Vec::new();
    let mut i = 0;
    while i < mask.len() {
        if !mask[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < mask.len() && mask[i] {
            i += 1;
        }
        runs.push((start, i));
    }
    runs.sort_by_key(|&(s, e)| (std::cmp::Reverse(e - s), s));
    let passages = runs
        .into_iter()
        .take(3)
        .map(|(s, e)| {
            let (ti, ci) = a.origin[s];
            let (section, text) = a.texts[ti as usize];
            let same_para = a.origin[s..e].iter().take_while(|o| o.0 == ti).count();
            let last = a.origin[s + same_para - 1].1 as usize;
            let here = located(a_file, text, ci as usize, last + 1 - ci as usize);
            let excerpt: String = text
                .text
                .chars()
                .skip(ci as usize)
                .take((last + 1 - ci as usize).min(30))
                .collect();
            let there = a.hashes.get(s).and_then(|h| first_in_b.get(h)).map_or_else(
                crate::source::Span::detached,
                |&bi| {
                    let (tj, cj) = b.origin[bi];
                    let tb = b.texts[tj as usize].1;
                    let n = b.origin[bi..].iter().take(e - s).take_while(|o| o.0 == tj).count();
                    let last_b = b.origin[bi + n.max(1) - 1].1 as usize;
                    located(b_file, tb, cj as usize, last_b + 1 - cj as usize)
                },
            );
            Passage { len: e - s, section: section.to_string(), here, there, excerpt }
        })
        .collect();
    Comparison { percent: percent(repeated, mask.len()), sections, passages }
}

fn hints(cmp: &Comparison, unit: &Unit, other_path: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !cmp.sections.is_empty() {
        let title = |key: &str| {
            unit.format.sections.iter().find(|s| s.key == key).map_or_else(
                || if key == "preamble" { "前言".to_string() } else { key.to_string() },
                |s| s.heading(),
            )
        };
        let s: Vec<String> =
            cmp.sections.iter().map(|(k, p)| format!("{} {p}%", title(k))).collect();
        out.push(format!("各部分雷同比例：{} (per section)", s.join("，")));
    }
    for p in &cmp.passages {
        out.push(format!(
            "相同段落 {} 字：本报告 {}:{} ↔ {other_path}:{}:{}「{}…」 (repeated passage)",
            p.len, p.here.line, p.here.col, p.there.line, p.there.col, p.excerpt
        ));
    }
    out
}

/// 雷同 with last year's report.
pub fn against_previous(this: &Unit, last: &Unit, opts: &AuditOptions) -> Vec<Diagnostic> {
    let (a, b) = (Doc::new(this), Doc::new(last));
    if a.len() < MIN_CHARS {
        return Vec::new();
    }
    let cmp = compare(&a, Some(this.file), &b, Some(last.file));
    if cmp.percent < opts.threshold {
        // The report as a whole is rewritten; say which sections are not.
        return cmp
            .sections
            .iter()
            .filter(|(_, p)| *p >= opts.threshold)
            .map(|(key, p)| {
                let title = this
                    .format
                    .sections
                    .iter()
                    .find(|s| &s.key == key)
                    .map_or(key.clone(), |s| s.heading());
                let span = this.report.section(key).map(|s| s.span).unwrap_or_default();
                finding(
                    AuditCode::SectionRepeats,
                    span,
                    &Msg::SectionRepeats { section: &title, percent: *p },
                )
                .with_path(key.clone())
            })
            .collect();
    }
    let span = cmp.passages.first().map(|p| p.here).unwrap_or_default();
    let mut d = finding(
        AuditCode::RepeatsPrevious,
        span,
        &Msg::RepeatsPrevious { percent: cmp.percent, threshold: opts.threshold },
    );
    if let Some(p) = cmp.passages.first() {
        d = d.with_path(p.section.clone());
    }
    for h in hints(&cmp, this, &last.file.path().display().to_string()) {
        d = d.with_hint(h);
    }
    vec![d]
}

/// What a batch keeps of a unit's prose: its sampled shingles (the high half of each
/// hash, sorted) and its length. About `len / SAMPLE` × 4 bytes, whatever the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sketch {
    prints: Box<[u32]>,
    chars: u32,
}

impl Sketch {
    /// The sketch of a normalised report.
    pub fn new(doc: &Doc) -> Sketch {
        let mut prints: Vec<u32> =
            doc.hashes.iter().filter(|&&h| h % SAMPLE == 0).map(|&h| (h >> 32) as u32).collect();
        prints.sort_unstable();
        prints.dedup();
        Sketch { prints: prints.into_boxed_slice(), chars: doc.len() as u32 }
    }

    /// Number of sampled shingles.
    pub fn len(&self) -> usize {
        self.prints.len()
    }

    /// Whether no shingle was sampled.
    pub fn is_empty(&self) -> bool {
        self.prints.is_empty()
    }

    /// Sampled shingles held by both (both lists are sorted).
    fn shared(&self, other: &Sketch) -> usize {
        let (a, b) = (&self.prints, &other.prints);
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    }
}

/// How many of a sketch's `len` shingles another unit must hold to be compared with it
/// exactly: half the threshold (the exact share counts every character a repeated
/// shingle covers, so it runs above the share of shingles), and a single one for a
/// short text, whose sample is too small to judge by.
fn needed(len: usize, threshold: u32) -> usize {
    if len < 32 {
        return 1;
    }
    (len * threshold as usize).div_ceil(200).max(1)
}

/// A sampled shingle held by more units than this is a stock phrase of the batch: it
/// counts towards a pair's share but does not make a pair a candidate (a phrase every
/// unit uses would make every pair one).
pub const STOCK: usize = 100;

/// For each unit, the other units that may hold `threshold` percent of its prose: those
/// whose sketch holds at least [`needed`] of its sampled shingles, in index order. Units
/// too short to judge get none.
///
/// Exact (for the sketches) whenever a unit's own shingles — held by at most [`STOCK`]
/// units — are enough to reach [`needed`]: they are probed rarest first, and a unit
/// holding enough of them holds one of the first `own - (needed - stock) + 1` (prefix
/// filtering). A unit made mostly of shingles that many units hold — a template copied
/// by a whole district — is paired with the units holding any of its shingles held by
/// at most ten times [`STOCK`] units.
pub fn candidates(sketches: &[Sketch], threshold: u32) -> Vec<Vec<u32>> {
    use rayon::prelude::*;
    // The inverted index: (shingle, unit) sorted, so a shingle's units are one run.
    let mut index: Vec<(u32, u32)> = sketches
        .par_iter()
        .enumerate()
        .flat_map_iter(|(u, s)| s.prints.iter().map(move |&f| (f, u as u32)))
        .collect();
    index.par_sort_unstable();
    let run = |f: u32| {
        let lo = index.partition_point(|e| e.0 < f);
        lo..lo + index[lo..].partition_point(|e| e.0 == f)
    };
    sketches
        .par_iter()
        .enumerate()
        .map(|(a, s)| {
            if (s.chars as usize) < MIN_CHARS || s.is_empty() {
                return Vec::new();
            }
            let need = needed(s.len(), threshold);
            let mut runs: Vec<std::ops::Range<usize>> = s.prints.iter().map(|&f| run(f)).collect();
            runs.sort_unstable_by_key(|r| (r.len(), r.start));
            let own = runs.partition_point(|r| r.len() <= STOCK);
            let stock = runs.len() - own;
            let probe = if need > stock {
                // Rarest first: a unit holding `need - stock` of the own ones holds
                // one of the first `own - (need - stock) + 1`.
                &runs[..own + 1 - (need - stock)]
            } else {
                &runs[..runs.partition_point(|r| r.len() <= 10 * STOCK)]
            };
            let mut found: Vec<u32> = probe
                .iter()
                .flat_map(|r| index[r.clone()].iter().map(|e| e.1))
                .filter(|&b| b as usize != a)
                .collect();
            found.sort_unstable();
            found.dedup();
            found.retain(|&b| s.shared(&sketches[b as usize]) >= need);
            // The probe may have gathered many; what is kept for every unit is few.
            found.shrink_to_fit();
            found
        })
        .collect()
}

type Shingles = HashSet<u64, BuildHasherDefault<Pass>>;

fn shingles(doc: &Doc) -> Shingles {
    doc.hashes.iter().copied().collect()
}

fn share_in(a: &Doc, b: &Shingles) -> u32 {
    let mask = a.covered(|h| b.contains(&h));
    percent(mask.iter().filter(|&&m| m).count(), mask.len())
}

/// The share of `a` that repeats `b` ([`compare`]'s percent, without the passages).
pub fn share(a: &Doc, b: &Doc) -> u32 {
    share_in(a, &shingles(b))
}

/// The W-S2 finding of `unit`, which repeats `other` (`percent` of its prose): the unit it
/// repeats and the longest passages in both files.
pub fn peer_finding(
    (unit, doc): (&Unit, &Doc),
    (other, other_doc): (&Unit, &Doc),
    percent: u32,
    opts: &AuditOptions,
) -> Diagnostic {
    let cmp = compare(doc, Some(unit.file), other_doc, Some(other.file));
    let name = format!("{}（{}）", other.report.unit.text, other.file.path().display());
    let span = cmp.passages.first().map(|x| x.here).unwrap_or_default();
    let mut d = finding(
        AuditCode::RepeatsPeer,
        span,
        &Msg::RepeatsPeer { percent, threshold: opts.threshold, other: &name },
    );
    if let Some(x) = cmp.passages.first() {
        d = d.with_path(x.section.clone());
    }
    for h in hints(&cmp, unit, &other.file.path().display().to_string()) {
        d = d.with_hint(h);
    }
    d
}

/// 雷同 across the units of a batch held in memory: one warning per unit that repeats
/// another unit at the threshold or more, naming the unit it repeats most and the longest
/// passages in both files. Only the [`candidates`] are compared.
pub fn across_units(units: &[Unit], opts: &AuditOptions) -> Vec<Vec<Diagnostic>> {
    use rayon::prelude::*;
    let sketches: Vec<Sketch> = units.par_iter().map(|u| Sketch::new(&Doc::new(u))).collect();
    candidates(&sketches, opts.threshold)
        .par_iter()
        .enumerate()
        .map(|(i, found)| {
            if found.is_empty() {
                return Vec::new();
            }
            let doc = Doc::new(&units[i]);
            let best = found
                .iter()
                .map(|&b| (share(&doc, &Doc::new(&units[b as usize])), b as usize))
                .max_by_key(|&(p, b)| (p, std::cmp::Reverse(b)));
            match best {
                Some((p, b)) if p >= opts.threshold => {
                    let other = Doc::new(&units[b]);
                    vec![peer_finding((&units[i], &doc), (&units[b], &other), p, opts)]
                }
                _ => Vec::new(),
            }
        })
        .collect()
}

/// The exact method the sketches stand in for: every pair of units compared. For each
/// unit, the unit it repeats most and the share, when that reaches `threshold`.
/// Quadratic; for tests and the bench's comparison.
pub fn exact_partners(units: &[Unit], threshold: u32) -> Vec<Option<(usize, u32)>> {
    use rayon::prelude::*;
    let docs: Vec<Doc> = units.par_iter().map(Doc::new).collect();
    let sets: Vec<Shingles> = docs.par_iter().map(shingles).collect();
    docs.par_iter()
        .enumerate()
        .map(|(i, a)| {
            if a.len() < MIN_CHARS {
                return None;
            }
            (0..docs.len())
                .filter(|&j| j != i)
                .map(|j| (share_in(a, &sets[j]), j))
                .max_by_key(|&(p, j)| (p, std::cmp::Reverse(j)))
                .filter(|&(p, _)| p >= threshold)
                .map(|(p, j)| (j, p))
        })
        .collect()
}
