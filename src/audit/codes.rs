//! The audit's typed findings; their codes ([`AuditCode`], with the other codes in `diag`) and
//! their wording (the diagnostics catalogue, `diag/messages.rs`) live in `diag`.

pub use crate::diag::AuditCode;

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

/// The Chinese and English text of a finding, from the message catalogue.
pub fn text(msg: &Msg) -> (String, String) {
    use crate::diag::Msg as M;
    let (m, args): (M, Vec<(&str, String)>) = match msg {
        Msg::Figure { quote, stated, cells } => (
            M::AuditFigure,
            vec![
                ("quote", quote.to_string()),
                ("stated", stated.to_string()),
                ("cells", cells.to_string()),
            ],
        ),
        Msg::Upheld { quote, cells } => {
            (M::AuditUpheld, vec![("quote", quote.to_string()), ("cells", cells.to_string())])
        }
        Msg::NoneClaim { quote, cells } => {
            (M::AuditNoneClaim, vec![("quote", quote.to_string()), ("cells", cells.to_string())])
        }
        Msg::Percent { quote, stated, actual } => (
            M::AuditPercent,
            vec![
                ("quote", quote.to_string()),
                ("stated", stated.to_string()),
                ("actual", actual.to_string()),
            ],
        ),
        Msg::CarriedOver { column, this, last } => (
            M::AuditCarriedOver,
            vec![
                ("column", column.to_string()),
                ("this", this.to_string()),
                ("last", last.to_string()),
            ],
        ),
        Msg::InForce { label, this, last, issued, repealed, expected } => (
            M::AuditInForce,
            vec![
                ("label", label.to_string()),
                ("this", this.to_string()),
                ("last", last.to_string()),
                ("issued", issued.to_string()),
                ("repealed", repealed.to_string()),
                ("expected", expected.to_string()),
            ],
        ),
        Msg::PreviousYear { this, last } => (
            M::AuditPreviousYear,
            vec![
                ("this", this.to_string()),
                ("last", last.to_string()),
                ("expected", (this - 1).to_string()),
            ],
        ),
        Msg::Jump { label, this, last } => (
            M::AuditJump,
            vec![
                ("label", label.to_string()),
                ("this", this.to_string()),
                ("last", last.to_string()),
            ],
        ),
        Msg::RepeatsPrevious { percent, threshold } => (
            M::AuditRepeatsPrevious,
            vec![("percent", percent.to_string()), ("threshold", threshold.to_string())],
        ),
        Msg::RepeatsPeer { percent, threshold, other } => (
            M::AuditRepeatsPeer,
            vec![
                ("percent", percent.to_string()),
                ("threshold", threshold.to_string()),
                ("other", other.to_string()),
            ],
        ),
        Msg::SectionRepeats { section, percent } => (
            M::AuditSectionRepeats,
            vec![("section", section.to_string()), ("percent", percent.to_string())],
        ),
        Msg::SectionOrder { expected } => {
            (M::AuditSectionOrder, vec![("expected", expected.to_string())])
        }
        Msg::SectionTitle { found, official } => (
            M::AuditSectionTitle,
            vec![("found", found.to_string()), ("official", official.to_string())],
        ),
        Msg::Problems { missing_zh, missing_en } => (
            M::AuditProblems,
            vec![("missing_zh", missing_zh.to_string()), ("missing_en", missing_en.to_string())],
        ),
        Msg::Fee => (M::AuditFee, Vec::new()),
        Msg::Period { found, year } => {
            (M::AuditPeriod, vec![("found", found.to_string()), ("year", year.to_string())])
        }
        Msg::Late { date, deadline } => {
            (M::AuditLate, vec![("date", date.to_string()), ("deadline", deadline.to_string())])
        }
        Msg::NoDate { deadline } => (M::AuditNoDate, vec![("deadline", deadline.to_string())]),
        Msg::Unused { code } => (M::AuditUnused, vec![("code", code.to_string())]),
        Msg::Invalid { why_zh, why_en } => {
            (M::AuditInvalid, vec![("why_zh", why_zh.to_string()), ("why_en", why_en.to_string())])
        }
    };
    let args: Vec<(&str, &dyn std::fmt::Display)> =
        args.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
    let (zh, en) = m.templates();
    (crate::diag::fill(zh, &args), crate::diag::fill(en, &args))
}
