//! The audit's stable codes (`W-A1` …): a family of [`super::Code`], kept here with the
//! other codes so that `diag` depends on nothing above `source`.

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
