//! What the audit and the importer know about an edition's wording, as data: the
//! `audit:` and `import:` sections of a format file. Word lists are named by the
//! [`AuditWords`] and [`ImportWords`] enums, so a list the code reads cannot be missing
//! from a loaded format and a list the file names must be one the code reads; the
//! entries that name rows, groups and columns name them by key and are checked
//! against the edition's tables when the format loads.

use super::format::TableDef;
use super::{map, opt_string, req, seq, string, uint};
use crate::source::Node;

/// A set of named word lists: every name of `W` present, no other.
#[derive(Debug, Clone)]
pub struct Words<W> {
    lists: Vec<Vec<String>>,
    _names: std::marker::PhantomData<W>,
}

/// The names of a section's word lists.
pub trait WordList: Copy + 'static {
    /// Every name, in declaration order.
    const ALL: &'static [Self];
    /// The key in the format file.
    fn name(self) -> &'static str;
    /// The position in [`WordList::ALL`].
    fn index(self) -> usize;
}

impl<W: WordList> Words<W> {
    /// The list named `w`.
    pub fn get(&self, w: W) -> &[String] {
        &self.lists[w.index()]
    }

    fn parse(node: &Node) -> Result<Words<W>, String> {
        let mut lists: Vec<Option<Vec<String>>> = vec![None; W::ALL.len()];
        for (k, v) in map(node)? {
            let name = string(k)?;
            let i = W::ALL
                .iter()
                .position(|w| w.name() == name)
                .ok_or_else(|| format!("line {}: unknown word list `{name}`", k.span.line))?;
            lists[i] = Some(strings(v)?);
        }
        let lists = lists
            .into_iter()
            .zip(W::ALL)
            .map(|(l, w)| {
                l.ok_or_else(|| {
                    format!("line {}: missing word list `{}`", node.span.line, w.name())
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Words { lists, _names: std::marker::PhantomData })
    }
}

macro_rules! word_lists {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $key:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl WordList for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)*];
            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)*
                }
            }
            fn index(self) -> usize {
                self as usize
            }
        }
    };
}

word_lists! {
    /// The word lists of the `audit: words:` section (what each one is for is said in
    /// the format file).
    AuditWords {
        /// 同比, 较上年: a figure compared with another year.
        Comparison = "comparison",
        /// 建议, 热线: business other than disclosure applications.
        OtherBusiness = "other_business",
        /// 答复率: the share of applications answered.
        Rate = "rate",
        /// 按时, 满意: a rate of something else.
        OtherRate = "other_rate",
        /// 申请总数, 的: words between 占 and a share of the year's applications.
        ShareBase = "share_base",
        /// 行政事业性收费: an amount in 万元 about the fees row.
        Fees = "fees",
        /// 予以公开及部分公开: the first two results together.
        DisclosedAndPartly = "disclosed_and_partly",
        /// 主动公开, 公文: documents counted by their disclosure attribute.
        Attribute = "attribute",
        /// 结转下年: carried forward.
        CarriedForward = "carried_forward",
        /// 上年结转: carried over.
        CarriedOver = "carried_over",
        /// 为, 是: the figure is followed by what it is.
        Copula = "copula",
        /// 复议.
        Review = "review",
        /// 诉讼, 起诉.
        Lawsuit = "lawsuit",
        /// 诉讼 (a sentence about lawsuits only).
        LawsuitOnly = "lawsuit_only",
        /// 直接起诉.
        LawsuitDirect = "lawsuit_direct",
        /// 复议后起诉.
        LawsuitAfterReview = "lawsuit_after_review",
        /// 政策性文件: documents table 二 does not count.
        OtherDocuments = "other_documents",
        /// 收到: applications received.
        Received = "received",
        /// 受理: accepted.
        Accepted = "accepted",
        /// 办理: handled.
        Handled = "handled",
        /// 办结: closed.
        Closed = "closed",
        /// 申请: the sentence is about applications.
        Application = "application",
        /// 信息公开: a paragraph about disclosure work.
        Disclosure = "disclosure",
        /// 均获维持: every case upheld.
        AllUpheld = "all_upheld",
        /// 未收到: no applications.
        NoneReceived = "none_received",
        /// 复议, 补正: a 未收到 about something else.
        NoneReceivedNot = "none_received_not",
        /// 未发生: no cases.
        NoneHappened = "none_happened",
        /// 纠错: a claim about corrected cases.
        Corrected = "corrected",
        /// 未制发: no documents issued.
        NoneIssued = "none_issued",
        /// 问题, 不足: §五 names problems.
        Problems = "problems",
        /// 改进, 下一步: §五 names improvements.
        Improvements = "improvements",
        /// 信息处理费: §六 states the fee.
        InformationFee = "information_fee",
        /// 统计期限: the statistics period follows.
        Period = "period",
        /// 约, 超过: an approximate figure follows.
        Approximate = "approximate",
        /// 第, 每 (single characters): a numeral after one of them is a word, not a figure.
        NumeralWords = "numeral_words",
        /// Sentences and words every report carries (not counted as 雷同).
        Boilerplate = "boilerplate",
    }
}

word_lists! {
    /// The word lists of the `import: words:` section.
    ImportWords {
        /// Lines of page chrome (metadata bars, share bars, breadcrumbs) a paragraph
        /// starting with one of these is.
        PageChrome = "page_chrome",
        /// 发布时间: a line giving the date of publication.
        Published = "published",
        /// 政府信息公开工作年度报告: the title of a report contains it.
        ReportTitle = "report_title",
        /// 公布, 现将: the unit's name starts after one of these in a sentence.
        UnitStart = "unit_start",
        /// 本报告, 根据: the paragraph is the preamble.
        Preamble = "preamble",
        /// 信息处理费: from this paragraph on, the prose is §六.
        OtherMatters = "other_matters",
    }
}

/// Words naming one row, group or field in prose.
#[derive(Debug, Clone)]
pub struct Naming {
    /// The words (any of them).
    pub words: Vec<String>,
    /// What they name: a record key, a group key (`withheld`) or a field key.
    pub key: String,
}

/// The `audit:` section: how the prose names the tables' rows and columns.
#[derive(Debug, Clone)]
pub struct AuditData {
    /// Groups of table 三's records the prose counts together, with their label
    /// (`withheld` → `三（三）不予公开`).
    pub groups: Vec<(String, String)>,
    /// Words naming a row or group of table 三's results.
    pub results: Vec<Naming>,
    /// Words naming a kind of document of table 二 (a record).
    pub documents: Vec<Naming>,
    /// Words naming what was done with documents (a field of table 二).
    pub document_verbs: Vec<Naming>,
    /// Words naming a one-number row of table 二.
    pub scalars: Vec<Naming>,
    /// Words naming an applicant column (or several: `columns` split on `+`) of table 三.
    pub applicants: Vec<Naming>,
    /// Words naming a result column of table 四.
    pub review_fields: Vec<Naming>,
    /// The named word lists.
    pub words: Words<AuditWords>,
}

/// A test on a normalised cell that marks where a table starts: every condition given
/// must hold.
#[derive(Debug, Clone, Default)]
pub struct Anchor {
    /// The cell is this text.
    pub equals: Option<String>,
    /// The cell starts with this text.
    pub starts_with: Option<String>,
    /// The cell contains this text.
    pub contains: Option<String>,
    /// The cell is shorter than this many bytes.
    pub max_bytes: Option<usize>,
}

impl Anchor {
    /// Whether a normalised cell matches.
    pub fn matches(&self, n: &str) -> bool {
        self.equals.as_ref().is_none_or(|e| n == e)
            && self.starts_with.as_ref().is_none_or(|s| n.starts_with(s.as_str()))
            && self.contains.as_ref().is_none_or(|c| n.contains(c.as_str()))
            && self.max_bytes.is_none_or(|m| n.len() < m)
    }
}

/// A row of the earlier edition that this edition splits into several.
#[derive(Debug, Clone)]
pub struct MergedRow {
    /// The earlier row's label.
    pub label: String,
    /// The group of this edition's records it stands for.
    pub group: String,
    /// The record its numbers go to.
    pub to: String,
}

/// What the importer knows of the edition before this one (the 2019 试行 format), so
/// that its columns are never read as this edition's.
#[derive(Debug, Clone)]
pub struct EarlierEdition {
    /// Labels only the earlier edition has.
    pub labels: Vec<String>,
    /// Its columns of the documents table (a different meaning from this edition's).
    pub columns: Vec<String>,
    /// Header words looked for across cells broken over lines.
    pub joined: Vec<String>,
    /// A label that starts its blocks counting items (上一年项目数量).
    pub items_start: Vec<String>,
    /// Labels that end them (this edition's 本年处理决定数量).
    pub items_end: Vec<String>,
    /// Its rows this edition splits.
    pub merged_rows: Vec<MergedRow>,
}

/// The `import:` section: how published reports print the tables.
#[derive(Debug, Clone)]
pub struct ImportData {
    /// Per table key, the cells that mark where the table starts.
    pub anchors: Vec<(String, Vec<Anchor>)>,
    /// Other labels a published report prints for a record: (table, record, labels).
    pub aliases: Vec<(String, String, Vec<String>)>,
    /// Labels only this edition has (a document using them follows it).
    pub labels: Vec<String>,
    /// This edition's columns of the documents table.
    pub columns: Vec<String>,
    /// The edition before this one.
    pub earlier: EarlierEdition,
    /// The named word lists.
    pub words: Words<ImportWords>,
}

fn strings(node: &Node) -> Result<Vec<String>, String> {
    seq(node)?.iter().map(string).collect()
}

fn opt_strings(node: &Node, key: &str) -> Result<Vec<String>, String> {
    node.get(key).map(strings).transpose().map(Option::unwrap_or_default)
}

/// The table an entry is about. An edition without it (a trimmed test edition) keeps the
/// entries unchecked: they name nothing, as the audit's lookups of a missing table find
/// nothing.
fn table<'a>(tables: &'a [TableDef], key: &str) -> Option<&'a TableDef> {
    tables.iter().find(|t| t.key == key)
}

/// `{words: [..], <what>: key}` entries, each key checked by `known`.
fn namings(node: &Node, what: &str, known: &dyn Fn(&str) -> bool) -> Result<Vec<Naming>, String> {
    let mut out = Vec::new();
    for item in seq(node)? {
        let key = string(req(item, what)?)?;
        if !known(&key) {
            return Err(format!("line {}: unknown {what} `{key}`", item.span.line));
        }
        out.push(Naming { words: strings(req(item, "words")?)?, key });
    }
    Ok(out)
}

fn is_record_or_group(t: Option<&TableDef>, key: &str) -> bool {
    t.is_none_or(|t| t.record_index(key).is_some() || is_group(t, key))
}

fn is_group(t: &TableDef, key: &str) -> bool {
    t.records.iter().any(|r| r.key.strip_prefix(key).is_some_and(|s| s.starts_with('.')))
}

fn is_field(t: Option<&TableDef>, key: &str) -> bool {
    t.is_none_or(|t| t.fields.iter().any(|(k, _)| k == key))
}

impl AuditData {
    /// Reads the `audit:` section against the edition's tables.
    pub(super) fn parse(node: &Node, tables: &[TableDef]) -> Result<AuditData, String> {
        let apps = table(tables, "applications");
        let proactive = table(tables, "proactive");
        let reviews = table(tables, "reviews_lawsuits");
        let mut groups = Vec::new();
        for item in seq(req(node, "groups")?)? {
            let key = string(req(item, "key")?)?;
            if !apps.is_none_or(|t| is_group(t, &key)) {
                return Err(format!("line {}: unknown group `{key}`", item.span.line));
            }
            groups.push((key, string(req(item, "label")?)?));
        }
        let in_apps = |k: &str| is_record_or_group(apps, k);
        let in_proactive = |k: &str| proactive.is_none_or(|t| t.record_index(k).is_some());
        let scalar = |k: &str| {
            proactive
                .is_none_or(|t| t.record_index(k).is_some_and(|i| t.records[i].scalar.is_some()))
        };
        let apps_fields = |k: &str| k.split('+').all(|f| is_field(apps, f));
        Ok(AuditData {
            groups,
            results: namings(req(node, "results")?, "row", &in_apps)?,
            documents: namings(req(node, "documents")?, "row", &in_proactive)?,
            document_verbs: namings(req(node, "document_verbs")?, "field", &|k| {
                is_field(proactive, k)
            })?,
            scalars: namings(req(node, "scalars")?, "row", &scalar)?,
            applicants: namings(req(node, "applicants")?, "field", &apps_fields)?,
            review_fields: namings(req(node, "review_fields")?, "field", &|k| {
                is_field(reviews, k)
            })?,
            words: Words::parse(req(node, "words")?)?,
        })
    }
}

impl ImportData {
    /// Reads the `import:` section against the edition's tables.
    pub(super) fn parse(node: &Node, tables: &[TableDef]) -> Result<ImportData, String> {
        let mut anchors = Vec::new();
        for (k, v) in map(req(node, "anchors")?)? {
            let key = string(k)?;
            let mut list = Vec::new();
            for a in seq(v)? {
                let anchor = Anchor {
                    equals: opt_string(a, "equals")?,
                    starts_with: opt_string(a, "starts_with")?,
                    contains: opt_string(a, "contains")?,
                    max_bytes: a.get("max_bytes").map(uint).transpose()?.map(|m| m as usize),
                };
                if anchor.equals.is_none()
                    && anchor.starts_with.is_none()
                    && anchor.contains.is_none()
                {
                    return Err(format!("line {}: an anchor needs a text", a.span.line));
                }
                list.push(anchor);
            }
            anchors.push((key, list));
        }
        let mut aliases = Vec::new();
        if let Some(list) = node.get("aliases") {
            for (k, v) in map(list)? {
                let key = string(k)?;
                let found = key.split_once('.').and_then(|(t, r)| {
                    let def = tables.iter().find(|d| d.key == t)?;
                    def.record_index(r).map(|_| (t.to_string(), r.to_string()))
                });
                let (t, r) =
                    found.ok_or_else(|| format!("line {}: unknown record `{key}`", k.span.line))?;
                aliases.push((t, r, strings(v)?));
            }
        }
        let earlier = req(node, "earlier")?;
        let mut merged_rows = Vec::new();
        let apps = table(tables, "applications");
        for item in seq(req(earlier, "merged_rows")?)? {
            let group = string(req(item, "group")?)?;
            let to = string(req(item, "to")?)?;
            if !apps.is_none_or(|t| is_group(t, &group) && t.record_index(&to).is_some()) {
                return Err(format!("line {}: unknown group or record", item.span.line));
            }
            merged_rows.push(MergedRow { label: string(req(item, "label")?)?, group, to });
        }
        Ok(ImportData {
            anchors,
            aliases,
            labels: strings(req(node, "labels")?)?,
            columns: strings(req(node, "columns")?)?,
            earlier: EarlierEdition {
                labels: strings(req(earlier, "labels")?)?,
                columns: strings(req(earlier, "columns")?)?,
                joined: opt_strings(earlier, "joined")?,
                items_start: opt_strings(earlier, "items_start")?,
                items_end: opt_strings(earlier, "items_end")?,
                merged_rows,
            },
            words: Words::parse(req(node, "words")?)?,
        })
    }
}
