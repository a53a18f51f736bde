//! The import's diagnostic codes and their wording, Chinese then English, in one
//! table (to move into the message catalogue as it is).

/// Codes of problems found while importing a published report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportCode {
    /// A table cell is blank (imported as 0, never silently).
    Blank,
    /// Digits glued together without separators, read one way by the 勾稽 rules.
    GluedResolved,
    /// Glued digits with several (or no) readings that balance: cells left blank.
    GluedAmbiguous,
    /// 2019 labels (or a mix of 2019 and 2021 labels) in the tables.
    Edition,
    /// A record of the official table was not found in the document.
    MissingRow,
    /// A number cell holds something that is not a number.
    BadCell,
    /// A row has more numbers than the official table has cells.
    ExtraCells,
    /// The issuing body or the year could not be found.
    Unknown,
    /// An amount was converted from 元 to 万元.
    Converted,
    /// None of the three official tables were found (published as images?).
    NoTables,
    /// The document cannot be read (a broken DOCX, not a PDF …).
    Unreadable,
}

impl ImportCode {
    /// The stable short code.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportCode::Blank => "W-I1",
            ImportCode::GluedResolved => "W-I2",
            ImportCode::GluedAmbiguous => "W-I3",
            ImportCode::Edition => "W-I4",
            ImportCode::MissingRow => "W-I5",
            ImportCode::BadCell => "W-I6",
            ImportCode::ExtraCells => "W-I7",
            ImportCode::Unknown => "W-I8",
            ImportCode::Converted => "W-I9",
            ImportCode::NoTables => "E-I1",
            ImportCode::Unreadable => "E-I2",
        }
    }

    /// Whether the problem is an error (the import is unusable without a fix).
    pub fn is_error(self) -> bool {
        matches!(self, ImportCode::NoTables | ImportCode::Unreadable)
    }
}

/// The Chinese and English message of `code`; `a` is the cell or row (official
/// label), `b` a detail (the text found, the readings, the edition).
pub fn message(code: ImportCode, a: &str, b: &str) -> (String, String) {
    match code {
        ImportCode::Blank => (
            format!("“{a}”为空白，已按 0 导入，请核对"),
            format!("cell {a} is blank; imported as 0, please check"),
        ),
        ImportCode::GluedResolved => (
            format!("“{a}”的数字连在一起（{b}），已按勾稽关系拆分"),
            format!("the digits of {a} are glued together ({b}); split by the consistency rules"),
        ),
        ImportCode::GluedAmbiguous => (
            format!("“{a}”的数字连在一起，无法确定拆分方式（{b}），已按 0 导入，请核对"),
            format!(
                "the digits of {a} are glued together and cannot be split with certainty ({b}); imported as 0, please check"
            ),
        ),
        ImportCode::Edition => {
            (format!("“{a}”是{b}格式的标签"), format!("{a} is a label of the {b} format"))
        }
        ImportCode::MissingRow => (
            format!("原文中没有找到“{a}”，已按 0 导入"),
            format!("row {a} was not found in the document; imported as 0"),
        ),
        ImportCode::BadCell => (
            format!("“{a}”不是数字（{b}），已按 0 导入"),
            format!("cell {a} is not a number ({b}); imported as 0"),
        ),
        ImportCode::ExtraCells => (
            format!("“{a}”一行的数字多于官方表格的格数（多出：{b}），多出部分未导入"),
            format!(
                "row {a} has more numbers than the official table has cells (extra: {b}); not imported"
            ),
        ),
        ImportCode::Unknown => (
            format!("没有找到{a}，已填入占位文字或推测值（{b}），请核对"),
            format!("no {a} found; a placeholder or a guess was written ({b}), please check"),
        ),
        ImportCode::Converted => (
            format!("“{a}”以元为单位（{b}），已换算为万元"),
            format!("{a} is given in 元 ({b}); converted to 万元"),
        ),
        ImportCode::Unreadable => {
            (format!("无法读取文档（{a}）"), format!("failed to read the document ({a})"))
        }
        ImportCode::NoTables => (
            "没有找到任何一张官方表格（表格可能以图片或附件形式发布）".to_string(),
            "none of the official tables were found (published as images or attachments?)"
                .to_string(),
        ),
    }
}
