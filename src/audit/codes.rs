//! The audit's stable codes and, in one place, their Chinese and English wording
//! (the lead moves this table into the diagnostics catalogue).

/// Stable codes of the audit findings. `W-` warns, `N-` is a note that never fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuditCode {
    /// A figure in the prose disagrees with the table cell it is about.
    ProseFigure,
    /// A claim in the prose (均获维持, 未收到申请, 未发生复议) contradicts the table.
    ProseClaim,
    /// A percentage in the prose (答复率, 占…%) disagrees with the table.
    ProsePercent,
    /// 上年结转 differs from last year's 结转下年度继续办理.
    CarriedOver,
    /// 现行有效件数 differs from last year's + 本年制发 − 本年废止.
    InForce,
    /// The previous report is not for the year before.
    PreviousYear,
    /// A count changed sharply from last year (a note).
    SharpJump,
    /// Much of the prose repeats last year's report (雷同).
    RepeatsPrevious,
    /// Much of the prose repeats another unit's report in the same run (雷同).
    RepeatsPeer,
    /// One section repeats last year's text although the whole report does not (a note).
    SectionRepeats,
    /// Sections missing, out of order, or with a heading that is not the official title.
    Sections,
    /// §五 does not name both problems and improvements.
    ProblemsIncomplete,
    /// §六 does not state the 信息处理费.
    FeeStatement,
    /// The statistics period is not 1月1日–12月31日 of the year.
    PeriodDays,
    /// The date of issue is after the filing deadline.
    LateDate,
    /// No date of issue: the deadline cannot be checked (a note).
    NoDate,
    /// A `dismissed:` entry that matches no finding (a note).
    DismissalUnused,
    /// A `dismissed:` entry that cannot be used.
    DismissalInvalid,
}

impl AuditCode {
    /// The stable short code shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditCode::ProseFigure => "W-A1",
            AuditCode::ProseClaim => "W-A2",
            AuditCode::ProsePercent => "W-A3",
            AuditCode::CarriedOver => "W-Y1",
            AuditCode::InForce => "W-Y2",
            AuditCode::PreviousYear => "W-Y3",
            AuditCode::SharpJump => "N-Y4",
            AuditCode::RepeatsPrevious => "W-S1",
            AuditCode::RepeatsPeer => "W-S2",
            AuditCode::SectionRepeats => "N-S3",
            AuditCode::Sections => "W-C1",
            AuditCode::ProblemsIncomplete => "W-C2",
            AuditCode::FeeStatement => "W-C3",
            AuditCode::PeriodDays => "W-D1",
            AuditCode::LateDate => "W-D2",
            AuditCode::NoDate => "N-D3",
            AuditCode::DismissalUnused => "N-Z1",
            AuditCode::DismissalInvalid => "W-Z2",
        }
    }

    /// Every code, for lookups by string (`dismissed:` entries).
    pub const ALL: [AuditCode; 18] = [
        AuditCode::ProseFigure,
        AuditCode::ProseClaim,
        AuditCode::ProsePercent,
        AuditCode::CarriedOver,
        AuditCode::InForce,
        AuditCode::PreviousYear,
        AuditCode::SharpJump,
        AuditCode::RepeatsPrevious,
        AuditCode::RepeatsPeer,
        AuditCode::SectionRepeats,
        AuditCode::Sections,
        AuditCode::ProblemsIncomplete,
        AuditCode::FeeStatement,
        AuditCode::PeriodDays,
        AuditCode::LateDate,
        AuditCode::NoDate,
        AuditCode::DismissalUnused,
        AuditCode::DismissalInvalid,
    ];
}

/// What a finding says, with its numbers; [`text`] words it.
#[derive(Debug, Clone)]
pub enum Msg<'a> {
    /// W-A1.
    Figure { quote: &'a str, stated: &'a str, cells: &'a str },
    /// W-A2 for 均获维持 against results that are not 维持.
    Upheld { quote: &'a str, cells: &'a str },
    /// W-A2 for a "none" claim against a non-zero cell.
    NoneClaim { quote: &'a str, cells: &'a str },
    /// W-A3.
    Percent { quote: &'a str, stated: &'a str, actual: &'a str },
    /// W-Y1.
    CarriedOver { column: &'a str, this: u64, last: u64 },
    /// W-Y2.
    InForce { label: &'a str, this: u64, last: u64, issued: u64, repealed: u64, expected: i128 },
    /// W-Y3.
    PreviousYear { this: i32, last: i32 },
    /// N-Y4.
    Jump { label: &'a str, this: &'a str, last: &'a str },
    /// W-S1.
    RepeatsPrevious { percent: u32, threshold: u32 },
    /// W-S2.
    RepeatsPeer { percent: u32, threshold: u32, other: &'a str },
    /// N-S3.
    SectionRepeats { section: &'a str, percent: u32 },
    /// W-C1: a section is missing or out of order.
    SectionOrder { expected: &'a str },
    /// W-C1: a heading that looks like a section title but is not the official one.
    SectionTitle { found: &'a str, official: &'a str },
    /// W-C2.
    Problems { missing_zh: &'a str, missing_en: &'a str },
    /// W-C3.
    Fee,
    /// W-D1.
    Period { found: &'a str, year: i32 },
    /// W-D2.
    Late { date: &'a str, deadline: &'a str },
    /// N-D3.
    NoDate { deadline: &'a str },
    /// N-Z1.
    Unused { code: &'a str },
    /// W-Z2.
    Invalid { why_zh: &'a str, why_en: &'a str },
}

/// The Chinese and English text of a finding.
pub fn text(msg: &Msg) -> (String, String) {
    match msg {
        Msg::Figure { quote, stated, cells } => (
            format!("正文“{quote}”中的 {stated} 与表格不符：{cells}"),
            format!("the prose “{quote}” says {stated}, the table does not agree: {cells}"),
        ),
        Msg::Upheld { quote, cells } => (
            format!("正文“{quote}”称结果均为维持，但表格中：{cells}"),
            format!("the prose “{quote}” says every case was upheld, but the table has {cells}"),
        ),
        Msg::NoneClaim { quote, cells } => (
            format!("正文“{quote}”称没有此类情况，但表格中：{cells}"),
            format!("the prose “{quote}” says there were none, but the table has {cells}"),
        ),
        Msg::Percent { quote, stated, actual } => (
            format!("正文“{quote}”中的 {stated} 与表格算出的 {actual} 不符"),
            format!("the prose “{quote}” says {stated}; the table gives {actual}"),
        ),
        Msg::CarriedOver { column, this, last } => (
            format!(
                "二、上年结转（{column}列）为 {this}，上年报告的四、结转下年度继续办理为 {last}"
            ),
            format!(
                "carried over from last year ({column}) is {this}, last year's report carried forward {last}"
            ),
        ),
        Msg::InForce { label, this, last, issued, repealed, expected } => (
            format!(
                "{label}现行有效件数为 {this}，应为上年 {last} + 本年制发 {issued} − 本年废止 {repealed} = {expected}"
            ),
            format!(
                "{label} in force is {this}; last year's {last} + issued {issued} − repealed {repealed} = {expected}"
            ),
        ),
        Msg::PreviousYear { this, last } => (
            format!("上年报告是 {last} 年度的，本报告是 {this} 年度，应为 {} 年度", this - 1),
            format!(
                "the previous report is for {last}, this one for {this}: expected {}",
                this - 1
            ),
        ),
        Msg::Jump { label, this, last } => (
            format!("{label}变化较大：上年 {last}，本年 {this}"),
            format!("{label} changed sharply: last year {last}, this year {this}"),
        ),
        Msg::RepeatsPrevious { percent, threshold } => (
            format!("正文有 {percent}% 与上年报告雷同（阈值 {threshold}%）"),
            format!("{percent}% of the prose repeats last year's report (threshold {threshold}%)"),
        ),
        Msg::RepeatsPeer { percent, threshold, other } => (
            format!(
                "正文有 {percent}% 与本批其他单位的报告雷同（阈值 {threshold}%），主要是 {other}"
            ),
            format!(
                "{percent}% of the prose repeats other units' reports in this run (threshold {threshold}%), mostly {other}"
            ),
        ),
        Msg::SectionRepeats { section, percent } => (
            format!("“{section}”部分有 {percent}% 与上年报告相同"),
            format!("{percent}% of section “{section}” repeats last year's report"),
        ),
        Msg::SectionOrder { expected } => (
            format!("缺少或未按顺序编排第“{expected}”部分"),
            format!("section “{expected}” is missing or out of order"),
        ),
        Msg::SectionTitle { found, official } => (
            format!("标题“{found}”不是格式规定的标题，应为“{official}”"),
            format!("heading “{found}” is not the official title “{official}”"),
        ),
        Msg::Problems { missing_zh, missing_en } => (
            format!("五、存在的主要问题及改进情况未写明{missing_zh}"),
            format!("section 五 does not name the {missing_en}"),
        ),
        Msg::Fee => (
            "六、其他需要报告的事项未说明政府信息公开信息处理费的收取情况".to_string(),
            "section 六 does not state the 信息处理费 (information processing fee) charged"
                .to_string(),
        ),
        Msg::Period { found, year } => (
            format!("统计期限“{found}”不是 {year}年1月1日至{year}年12月31日"),
            format!("the statistics period “{found}” is not 1 January to 31 December {year}"),
        ),
        Msg::Late { date, deadline } => (
            format!("成文日期 {date} 晚于报送期限 {deadline}"),
            format!("the date of issue {date} is after the deadline {deadline}"),
        ),
        Msg::NoDate { deadline } => (
            format!("报告没有成文日期，无法核对是否在 {deadline} 前发布"),
            format!("the report has no date of issue: the deadline {deadline} cannot be checked"),
        ),
        Msg::Unused { code } => (
            format!("已复核条目 {code} 没有对应的问题（可删除）"),
            format!("the dismissal of {code} matches no finding (it can be removed)"),
        ),
        Msg::Invalid { why_zh, why_en } => {
            (format!("dismissed 条目无效：{why_zh}"), format!("unusable dismissed entry: {why_en}"))
        }
    }
}
