//! The message catalogue: the Chinese and English wording of every diagnostic and every hint,
//! keyed by message and tied to its stable code. Translations, wording fixes and the table in
//! `docs/diagnostics.md` (kept in step by a test) all come from this one file.
//!
//! Placeholders are `{name}`, filled from the arguments a call site gives
//! ([`crate::diag!`]); an argument may differ by language (`{found_zh}`, `{found_en}`).

use super::{AuditCode, Code};
use std::fmt::Display;

macro_rules! catalogue {
    (
        messages { $( $id:ident => $code:expr, $zh:literal, $en:literal; )* }
        hints { $( $hid:ident => $hzh:literal, $hen:literal; )* }
        replies { $( $rid:ident => $rcode:literal, $rzh:literal, $ren:literal; )* }
    ) => {
        /// A diagnostic's message: its code and its wording in both languages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $( #[doc = $en] $id, )* }

        impl Msg {
            /// Every message, in catalogue order.
            pub const ALL: &[Msg] = &[$( Msg::$id, )*];

            /// The stable code it is reported under.
            pub fn code(self) -> Code {
                match self { $( Msg::$id => $code, )* }
            }

            /// The Chinese and English templates.
            pub fn templates(self) -> (&'static str, &'static str) {
                match self { $( Msg::$id => ($zh, $en), )* }
            }

            /// The message of a rule whose code the format file names (the first message with
            /// that code), else `default`.
            pub fn for_rule(code: Code, default: Msg) -> Msg {
                Msg::ALL.iter().copied().find(|m| m.code() == code).unwrap_or(default)
            }
        }

        /// A hint: what to do about a problem.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Hint { $( #[doc = $hzh] $hid, )* }

        impl Hint {
            /// Every hint, in catalogue order.
            pub const ALL: &[Hint] = &[$( Hint::$hid, )*];

            /// The Chinese and English templates (English empty: the hint is one text).
            pub fn templates(self) -> (&'static str, &'static str) {
                match self { $( Hint::$hid => ($hzh, $hen), )* }
            }
        }

        /// An error answer of `nianbao serve`: the stable `error` string of its JSON body and
        /// its wording (the `message`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Reply { $( #[doc = $ren] $rid, )* }

        impl Reply {
            /// Every reply, in catalogue order.
            pub const ALL: &[Reply] = &[$( Reply::$rid, )*];

            /// The stable string a script tests (`"error": "stale"`).
            pub fn code(self) -> &'static str {
                match self { $( Reply::$rid => $rcode, )* }
            }

            /// The Chinese and English templates.
            pub fn templates(self) -> (&'static str, &'static str) {
                match self { $( Reply::$rid => ($rzh, $ren), )* }
            }
        }
    };
}

catalogue! {
    messages {
        // reading the file
        FileUnreadable => Code::Io, "无法读取文件：{why_zh}", "failed to read the file ({why_en})";
        FileTooLarge => Code::TooLarge,
            "文件过大（{size} 字节，上限 {limit} 字节）",
            "file too large ({size} bytes, limit {limit} bytes)";
        FileTooLargeAtLeast => Code::TooLarge,
            "文件过大（至少 {size} 字节，上限 {limit} 字节）",
            "file too large (at least {size} bytes, limit {limit} bytes)";
        NotUtf8 => Code::Encoding,
            "文件不是 UTF-8 编码（第 {byte} 字节处，字节值 0x{value}）",
            "the file is not UTF-8 (byte {byte} is 0x{value})";
        // YAML
        YamlSyntax => Code::Syntax, "YAML 语法错误：{cause_zh}", "failed to parse YAML ({cause_en})";
        SecondDocument => Code::Syntax,
            "一个文件只能包含一份报告（发现第二个 YAML 文档）",
            "a file holds one report (found a second YAML document)";
        UnknownAnchor => Code::Syntax, "别名指向不存在的锚点", "alias refers to an unknown anchor";
        DuplicateKey => Code::DuplicateKey,
            "键 `{key}` 重复（第一次出现在第 {first} 行）",
            "duplicate key `{key}` (first at line {first})";
        AliasBomb => Code::TooComplex,
            "别名（alias）展开后超过 {limit} 个节点，拒绝处理",
            "aliases expand to more than {limit} nodes; refusing the file";
        AliasBytes => Code::TooComplex,
            "别名（alias）复制的文字超过 {limit}，拒绝处理",
            "aliases copy more than {limit} of text; refusing the file";
        TooManyNodes => Code::TooComplex,
            "文件超过 {limit} 个节点，拒绝处理",
            "the file has more than {limit} nodes; refusing it";
        TooDeep => Code::TooComplex,
            "嵌套超过 {depth} 层，拒绝处理",
            "nesting deeper than {depth} levels; refusing the file";
        // the report's shape
        EmptyFile => Code::Empty, "文件为空，没有报告内容", "the file is empty: no report in it";
        TopLevelNotMap => Code::TopLevel,
            "文件顶层应为键值映射（unit: …、year: …），实际是{found_zh}",
            "the top level must be a mapping (unit: …, year: …), found a {found_en}";
        UnknownKey => Code::UnknownKey,
            "未知的键 `{name}`（该项内容不会被使用）",
            "unknown key `{name}` (its content would be dropped)";
        MissingKey => Code::MissingKey, "缺少必填项 `{key}`（{label}）", "missing required key `{key}`";
        ExpectedMapping => Code::WrongType,
            "此处应为键值映射，实际是{found_zh}",
            "expected a mapping, found a {found_en}";
        KeyNotText => Code::WrongType, "键必须是文字", "keys must be plain text";
        ExpectedText => Code::WrongType, "此处应为文字，实际是{found_zh}", "expected text, found a {found_en}";
        ExpectedRecord => Code::WrongType,
            "此处应为{want_zh}，实际是{found_zh}",
            "expected {want_en}, found a {found_en}";
        ExpectedNumber => Code::WrongType,
            "此处应为数字，实际是{found_zh}",
            "expected a number, found a {found_en}";
        ExpectedWholeNumber => Code::WrongType,
            "此处应为整数，实际是 `{text}`",
            "expected a whole number, found `{text}`";
        NestedList => Code::WrongType,
            "段落列表中不能再嵌套列表（小标题请用 heading/text/items）",
            "a prose item cannot be a list (use heading/text/items for subsections)";
        RunInNotBool => Code::WrongType, "run_in 只能是 true 或 false", "run_in must be true or false";
        ProseTooDeep => Code::BadValue,
            "小标题最多 {max} 级（（一）、1.、（1）），此处过深",
            "subsections nest at most {max} levels deep";
        ListLength => Code::ListLength,
            "应有 {n} 个数（{names}），可再加 1 个总计，实际有 {found} 个",
            "expected {n} numbers (optionally a total as number {n1}), found {found}";
        // values
        UnsupportedEdition => Code::BadValue,
            "不支持的格式版本 `{edition}`",
            "unsupported format edition `{edition}`";
        UnitEmpty => Code::BadValue, "发布机关不能为空", "unit must not be empty";
        BadYear => Code::BadValue,
            "年度应为四位年份（如 2024），实际是 `{text}`",
            "year must be a four-digit year such as 2024, found `{text}`";
        BadDate => Code::BadValue,
            "日期格式应为 YYYY-MM-DD 且为真实日期，实际是 `{text}`",
            "date must be a real date written YYYY-MM-DD, found `{text}`";
        WidthNotPositive => Code::BadValue,
            "width_mm 应为正数（毫米）",
            "width_mm must be a positive number of millimetres";
        WidthTooLarge => Code::BadValue,
            "width_mm 过大（{value} 毫米，上限 {limit} 毫米）",
            "width_mm too large ({value} mm, the limit is {limit} mm)";
        FileNameEmpty => Code::BadValue, "文件名不能为空", "the file name is empty";
        Negative => Code::Negative, "{what_zh}不能为负数（{text}）", "{what_en} cannot be negative ({text})";
        NotInteger => Code::NotInteger,
            "件数应为整数，实际是 `{text}`",
            "counts must be whole numbers, found `{text}`";
        OutOfRange => Code::OutOfRange,
            "数字过大（{text}），上限 {limit}",
            "number too large ({text}), the limit is {limit}";
        BadDecimal => Code::BadDecimal,
            "金额应为非负数字，如 0、1.5、0.32，实际是 `{text}`",
            "amount must be a non-negative decimal such as 0, 1.5 or 0.32, found `{text}`";
        // files the report names
        ImageNotFound => Code::MissingFile, "找不到文件 `{place}`", "file not found: `{place}`";
        ImageUnusable => Code::MissingFile,
            "{label}文件 `{place}` 无法使用：{why_zh}",
            "cannot use `{place}`: {why_en}; a PNG or JPEG image is required";
        ImageNotLoaded => Code::MissingFile, "{label}“{name}”未载入", "the image `{name}` was not loaded";
        ImageNotEmbeddable => Code::MissingFile,
            "图片无法写入 PDF：{why}",
            "an image cannot be written into the PDF ({why})";
        // 勾稽关系
        RowTotal => Code::RowTotal,
            "{row}的{total}与各列之和不符：填报 {given}，各列之和 {sum}",
            "the {total} of {key} disagrees with its columns: given {given}, sum {sum}";
        ColumnTotal => Code::ColumnTotal,
            "{row}与各项之和不符（{column}列）：填报 {given}，各项之和 {sum}",
            "{row} disagrees with the sum of its items (column {column}): given {given}, sum {sum}";
        Balance => Code::Balance,
            "{column}列不平衡：{left} = {l}，{right} = {r}",
            "column {column} does not balance: {left} = {l}, {right} = {r}";
        GroupTotal => Code::GroupTotal,
            "{row}的{total}与各列之和不符：填报 {given}，各列之和 {sum}",
            "the {total} of {key} disagrees with its columns: given {given}, sum {sum}";
        // plausibility
        HalfWidthPunct => Code::HalfWidthPunct,
            "中文中使用了半角标点 `{c}`，应为全角 `{full}`（…{context}…）",
            "half-width `{c}` inside Chinese text; use the full-width `{full}`";
        TownshipRegulations => Code::TownshipRegulations,
            "乡镇（街道）无权制定规章，却填报了规章件数",
            "a township (乡/镇/街道) cannot make 规章 (regulations) but reports some";
        PeriodMismatch => Code::PeriodMismatch,
            "统计期限（{start}年—{end}年）与报告年度 {year} 不一致",
            "the statistics period ({start}–{end}) does not match the reported year {year}";
        EarlyDate => Code::EarlyDate,
            "成文日期 {date_zh} 早于报告年度 {year} 年结束",
            "the date of issue {date_en} is before the end of the reported year {year}";
        Placeholder => Code::Placeholder,
            "仍有待填写的占位文字“{placeholder}”",
            "placeholder text from `nianbao init` is still in the report";
        EmptySection => Code::EmptySection,
            "“{label}”没有内容，发布的报告中该节将为空",
            "section {key} has no text; it will be empty in the report";
        BlankCell => Code::BlankCell,
            "“{label}”留空未填写{cells}，按 0 计算；确实没有请填 0",
            "{key} ({label}) is left blank{cells_en} and counted as 0; write 0 if there were none";
        // rendering
        MissingGlyph => Code::MissingGlyph,
            "没有字体能显示字符“{c}”（U+{code}），该处将显示为空框",
            "no available font can draw “{c}” (U+{code}); it will show as a blank box";
        InstalledFont => Code::InstalledFont,
            "内置字体没有字符“{c}”（U+{code}），已用本机安装的字体“{face}”显示；在另一台电脑上生成时字形可能不同",
            "no bundled font has “{c}” (U+{code}); it is drawn with the installed font “{face}”, so on another computer it may look different";
        NumbersTooWide => Code::NumberTooWide,
            "表格“{heading}”的数字在版心宽度内放不下（字号已减到 {min} pt）：{list}",
            "the numbers of the table “{heading}” cannot fit the type area even at {min} pt: {list}";
        NumberWiderThanCell => Code::NumberTooWide,
            "表格 {table} 第{row}行第{col}列的数字 {number} 比单元格宽（{natural} pt > {width} pt）",
            "the number {number} in table {table} row {row} column {col} is wider than its cell ({natural} pt > {width} pt)";
        FontNotEmbeddable => Code::Font,
            "字体 {name} 无法嵌入 PDF（{why}）",
            "the font {name} cannot be embedded in the PDF ({why})";
        OfdFontNotEmbeddable => Code::Font,
            "字体 {name} 无法嵌入 OFD（{why}）",
            "the font {name} cannot be embedded in the OFD ({why})";
        PdfA => Code::PdfA, "不符合 {standard} 要求：{list_zh}", "the document violates {standard} ({list_en})";
        SigningFailed => Code::Signing, "签名失败：{why}", "signing failed ({why})";
        // importing a published report ({a}: the cell or row, {b}: a detail)
        ImportBlank => Code::ImportBlank,
            "“{a}”为空白，导入后仍留空（按 0 计算），请核对",
            "cell {a} is blank; it stays blank (counted as 0), please check";
        ImportGluedResolved => Code::ImportGluedResolved,
            "“{a}”的数字连在一起（{b}），已按勾稽关系拆分",
            "the digits of {a} are glued together ({b}); split by the consistency rules";
        ImportGluedAmbiguous => Code::ImportGluedAmbiguous,
            "“{a}”的数字连在一起，无法确定拆分方式（{b}），已按 0 导入，请核对",
            "the digits of {a} are glued together and cannot be split with certainty ({b}); imported as 0, please check";
        ImportEdition => Code::ImportEdition, "“{a}”是{b}格式的标签", "{a} is a label of the {b} format";
        ImportMissingRow => Code::ImportMissingRow,
            "原文中没有找到“{a}”，已按 0 导入",
            "row {a} was not found in the document; imported as 0";
        ImportBadCell => Code::ImportBadCell,
            "“{a}”不是本表可填的数（{b}），已按 0 导入",
            "cell {a} is not a number the table can hold ({b}); imported as 0";
        ImportExtraCells => Code::ImportExtraCells,
            "“{a}”一行的数字多于官方表格的格数（多出：{b}），多出部分未导入",
            "row {a} has more numbers than the official table has cells (extra: {b}); not imported";
        ImportUnknown => Code::ImportUnknown,
            "没有找到{a}，已填入占位文字或推测值（{b}），请核对",
            "no {a} found; a placeholder or a guess was written ({b}), please check";
        ImportConverted => Code::ImportConverted,
            "“{a}”以元为单位（{b}），已换算为万元",
            "{a} is given in 元 ({b}); converted to 万元";
        ImportNoTables => Code::ImportNoTables,
            "没有找到任何一张官方表格（表格可能以图片或附件形式发布）",
            "none of the official tables were found (published as images or attachments?)";
        ImportUnreadable => Code::ImportUnreadable, "无法读取文档（{a}）", "failed to read the document ({a})";
        ImportTableUnread => Code::ImportTableUnread,
            "表格“{a}”未能读出（{b}），其中的数字未导入",
            "table {a} could not be read ({b}); its numbers were not imported";
        SheetBlank => Code::ImportBlank,
            "“{a}”留空，导入后仍为空白，请核对",
            "cell {a} is blank; it stays blank, please check";
        SheetRefused => Code::ImportBadCell,
            "“{a}”不是本表可填的数（{b}），已留空",
            "cell {a} is not a number the table can hold ({b}); left blank";
        SheetNormalised => Code::ImportConverted,
            "“{a}”不是纯数字：{b}，请核对",
            "cell {a} is not a plain number: {b}; please check";
        // the evaluators' checks (src/audit; `{quote}` is the prose's own words)
        AuditFigure => Code::Audit(AuditCode::ProseFigure),
            "正文“{quote}”中的 {stated} 与表格不符：{cells}",
            "the prose “{quote}” says {stated}, the table does not agree: {cells}";
        AuditUpheld => Code::Audit(AuditCode::ProseClaim),
            "正文“{quote}”称结果均为维持，但表格中：{cells}",
            "the prose “{quote}” says every case was upheld, but the table has {cells}";
        AuditNoneClaim => Code::Audit(AuditCode::ProseClaim),
            "正文“{quote}”称没有此类情况，但表格中：{cells}",
            "the prose “{quote}” says there were none, but the table has {cells}";
        AuditPercent => Code::Audit(AuditCode::ProsePercent),
            "正文“{quote}”中的 {stated} 与表格算出的 {actual} 不符",
            "the prose “{quote}” says {stated}; the table gives {actual}";
        AuditCarriedOver => Code::Audit(AuditCode::CarriedOver),
            "二、上年结转（{column}列）为 {this}，上年报告的四、结转下年度继续办理为 {last}",
            "carried over from last year ({column}) is {this}, last year's report carried forward {last}";
        AuditInForce => Code::Audit(AuditCode::InForce),
            "{label}现行有效件数为 {this}，应为上年 {last} + 本年制发 {issued} − 本年废止 {repealed} = {expected}",
            "{label} in force is {this}; last year's {last} + issued {issued} − repealed {repealed} = {expected}";
        AuditPreviousYear => Code::Audit(AuditCode::PreviousYear),
            "上年报告是 {last} 年度的，本报告是 {this} 年度，应为 {expected} 年度",
            "the previous report is for {last}, this one for {this}: expected {expected}";
        AuditJump => Code::Audit(AuditCode::SharpJump),
            "{label}变化较大：上年 {last}，本年 {this}",
            "{label} changed sharply: last year {last}, this year {this}";
        AuditRepeatsPrevious => Code::Audit(AuditCode::RepeatsPrevious),
            "正文有 {percent}% 与上年报告雷同（阈值 {threshold}%）",
            "{percent}% of the prose repeats last year's report (threshold {threshold}%)";
        AuditRepeatsPeer => Code::Audit(AuditCode::RepeatsPeer),
            "正文有 {percent}% 与本批其他单位的报告雷同（阈值 {threshold}%），主要是 {other}",
            "{percent}% of the prose repeats other units' reports in this run (threshold {threshold}%), mostly {other}";
        AuditSectionRepeats => Code::Audit(AuditCode::SectionRepeats),
            "“{section}”部分有 {percent}% 与上年报告相同",
            "{percent}% of section “{section}” repeats last year's report";
        AuditSectionOrder => Code::Audit(AuditCode::Sections),
            "缺少或未按顺序编排第“{expected}”部分",
            "section “{expected}” is missing or out of order";
        AuditSectionTitle => Code::Audit(AuditCode::Sections),
            "标题“{found}”不是格式规定的标题，应为“{official}”",
            "heading “{found}” is not the official title “{official}”";
        AuditProblems => Code::Audit(AuditCode::ProblemsIncomplete),
            "五、存在的主要问题及改进情况未写明{missing_zh}",
            "section 五 does not name the {missing_en}";
        AuditFee => Code::Audit(AuditCode::FeeStatement),
            "六、其他需要报告的事项未说明政府信息公开信息处理费的收取情况",
            "section 六 does not state the 信息处理费 (information processing fee) charged";
        AuditPeriod => Code::Audit(AuditCode::PeriodDays),
            "统计期限“{found}”不是 {year}年1月1日至{year}年12月31日",
            "the statistics period “{found}” is not 1 January to 31 December {year}";
        AuditLate => Code::Audit(AuditCode::LateDate),
            "成文日期 {date} 晚于报送期限 {deadline}",
            "the date of issue {date} is after the deadline {deadline}";
        AuditNoDate => Code::Audit(AuditCode::NoDate),
            "报告没有成文日期，无法核对是否在 {deadline} 前发布",
            "the report has no date of issue: the deadline {deadline} cannot be checked";
        AuditUnused => Code::Audit(AuditCode::DismissalUnused),
            "已复核条目 {code} 没有对应的问题（可删除）",
            "the dismissal of {code} matches no finding (it can be removed)";
        AuditInvalid => Code::Audit(AuditCode::DismissalInvalid),
            "dismissed 条目无效：{why_zh}",
            "unusable dismissed entry: {why_en}";
        PdfBug => Code::Internal,
            "写 PDF 失败：{why}（这是程序缺陷，请报告）",
            "failed to write the PDF ({why}); this is a bug, please report it";
        TujieFailed => Code::Internal,
            "生成图解失败：{why}（这是程序缺陷，请报告）",
            "failed to make the 图解 ({why}); this is a bug, please report it";
    }
    hints {
        Init => "用 `nianbao init --unit 单位名称 --year 年份` 生成模板", "run `nianbao init` for a skeleton";
        Editions => "可用版本 (editions): {editions}", "";
        DidYouMean => "是否应为 `{best}`？", "did you mean `{best}`?";
        AllowedKeys => "允许的键 (allowed keys): {keys}", "";
        WriteNone => "没有可报告的内容时写明“无”或相应说明", "write 无 or a sentence saying so";
        SaveUtf8 =>
            "请用 UTF-8 保存文件（GBK/GB18030 文件可用 iconv -f GBK -t UTF-8 转换）",
            "save the file as UTF-8";
        Tabs => "YAML 缩进只能用空格，不能用制表符", "indent with spaces, not tabs";
        MergeDuplicate => "删除或合并其中一个", "remove or merge one of them";
        WriteZero => "没有数据请填 0", "write 0 for none";
        HalfWidthDigits => "请使用半角数字", "use half-width digits 0-9";
        NoThousands => "数字中不要加千分位逗号", "no thousands separators";
        RelativePaths => "路径相对于 YAML 文件所在目录", "paths are relative to the YAML file's folder";
        OrdinaryImage => "请换用常规的 PNG 或 JPEG 文件", "use an ordinary PNG or JPEG file";
        CompleteFont => "请换用完整、未损坏的 TrueType/OpenType 字体", "use a complete TrueType/OpenType font";
        ImportSource => "原文位置：{zh}", "source: {en}";
        NarrowDigits => "换用数字较窄的表格字体", "use a table font with narrower digits";
        ExtraDigits => "核对该数字是否填写有误（多写了位数）", "check the number for extra digits";
        DropPdfA => "去掉 --pdfa / --pdfua，或换用能嵌入的字体和图片", "drop --pdfa / --pdfua, or use embeddable fonts and images";
        AddDate =>
            "PDF/A 须有文档日期：写上成文日期 date:（或落款的 signature.date），或去掉 --pdfa",
            "PDF/A needs a document date: add the date of issue `date:` (or `signature.date`), or drop --pdfa";
        ReplaceGlyph =>
            "换用全角或常用字符，或用 --font 指定含该字符的字体",
            "replace the character, or add a font with --font";
    }
    replies {
        // nianbao serve (the `error` and `message` of its JSON error bodies)
        NotFound => "not-found", "没有这份报告", "no such report";
        Internal => "internal", "服务器内部错误", "internal error";
        Unauthorized => "unauthorized", "登录令牌无效", "missing or invalid token";
        Csrf => "csrf",
            "请求缺少有效的 CSRF 令牌，请刷新页面",
            "the request lacks a valid CSRF token; reload the page";
        IfMatchRequired => "if-match-required",
            "保存须带上所基于的版本（If-Match）",
            "a save must name the version it started from (If-Match)";
        Stale => "stale",
            "报告已被他人修改，请基于最新版本再保存",
            "the report changed since you opened it";
        HasErrors => "has-errors", "报告有错误，不能生成", "the report has errors";
        BadFormat => "bad-format",
            "格式须为 pdf、docx、html 或 yaml",
            "format must be pdf, docx, html or yaml";
        BadSummaryFormat => "bad-format", "汇总表的格式须为 pdf 或 csv", "the 汇总表 comes as pdf or csv";
        BadName => "bad-name",
            "文件名须以 .png、.jpg 或 .jpeg 结尾，不含文件夹、隐藏名或特殊字符",
            "the name must end in .png, .jpg or .jpeg, without folders, hidden names or special characters";
        UploadTooLarge => "too-large", "文件过大（上限 20 MiB）", "the file is too large (20 MiB at most)";
        UploadBroken => "broken-upload", "上传未完整到达，请重试", "the upload did not arrive whole; try again";
        NoFreeName => "no-free-name",
            "同名文件过多，请换一个文件名",
            "too many files of that name; rename the file";
        BadImage => "bad-image", "图片不可用：{why}", "the image cannot be used: {why}";
        NoEdition => "no-edition", "没有这一版格式", "no such edition of the format";
        NotAForm => "not-a-form",
            "这份 YAML 不能在表单中打开，请下载后修改",
            "the YAML cannot be shown as a form; download it to edit";
        OfficeOnly => "office-only",
            "只有县（区）办公室的令牌可以这样做",
            "only the office token may do this";
        UnitFile => "bad-unit",
            "文件名须在服务的文件夹内并以 .yaml 结尾",
            "the file must be inside the served folder and end in .yaml";
        UnitFolder => "bad-unit", "所在文件夹不存在", "the folder does not exist";
        UnitName => "bad-unit",
            "单位名称不能为空，年份须为四位数",
            "the unit needs a name and the year four digits";
        UnitExists => "exists", "该文件已存在", "the file already exists";
        NoSummary => "no-summary", "无法汇总：{why}", "no 汇总表: {why}";
        NoBatch => "no-batch", "还没有批量生成的结果", "no batch has been run yet";
        // the filing workflow (src/serve/workflow.rs)
        Locked => "locked",
            "报告{why}，不能修改；需办公室退回（已发布的须先撤回发布）后才能修改",
            "the report is {why} and cannot be changed until the office returns it (or withdraws its publication)";
        SubmitErrors => "has-errors",
            "报告还有 {why} 处错误，改正后才能提交",
            "the report still has {why} errors; fix them before submitting";
        BadTransition => "bad-state",
            "报告当前状态为{why}，不能这样操作",
            "the report is {why}: this step does not apply";
        CommentRequired => "comment-required",
            "请填写意见或理由",
            "a comment or reason is required";
        OfficeName => "office-name",
            "请填写汇总单位的名称（如：某某县人民政府办公室）",
            "give the name of the office the 汇总表 is for";
        BadDeadline => "bad-deadline",
            "截止日期须为 YYYY-MM-DD 格式的日期",
            "the deadline must be a date as YYYY-MM-DD";
        SsoProvider => "sso-provider",
            "统一身份认证服务暂时无法访问，请稍后再试或使用登录链接",
            "the single sign-on provider cannot be reached; try again or use a login link";
        SsoState => "sso-state",
            "登录请求已过期或无效，请重新登录",
            "the login expired or is not valid; log in again";
        SsoToken => "sso-token",
            "统一身份认证返回的身份信息无效",
            "the identity from single sign-on is not valid";
        SsoUnmapped => "sso-unmapped",
            "您的账号没有对应的单位或办公室，请联系办公室开通",
            "your account is mapped to no unit or office; ask the office";
        BadScope => "bad-scope",
            "范围须为本办公室范围内的文件夹",
            "the scope must be a folder within this office's own";
        // the server's bounds (src/serve/limits.rs, docs/security.md)
        Busy => "busy",
            "服务器正忙，请稍后再试",
            "the server is busy; try again shortly";
        TooLarge => "too-large", "请求内容超过大小上限", "the request body is over its size limit";
        BadRequest => "bad-request",
            "请求无法解析（内容格式不对或发送中断）",
            "the request cannot be read (malformed, or cut off while sending)";
        TooComplex => "too-complex",
            "文件超出处理上限（别名展开、节点数或嵌套层数），未处理",
            "the file is beyond the limits (aliases, nodes or nesting); not processed";
        NoRoute => "not-found", "没有这个地址", "no such address";
        MethodNotAllowed => "method-not-allowed",
            "这个地址不支持这种请求方法",
            "this address does not take this method";
    }
}

/// The arguments of a message: `(name, value)` pairs.
pub type Args<'a> = [(&'a str, &'a dyn Display)];

/// Fills `{name}` placeholders from `args`; an unknown name is left as written.
pub fn fill(template: &str, args: &Args) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(&v.to_string()),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Hint {
    /// The hint as shown: `中文 (English)`, or the one text.
    pub fn text(self, args: &Args) -> String {
        let (zh, en) = self.templates();
        if en.is_empty() {
            fill(zh, args)
        } else {
            format!("{} ({})", fill(zh, args), fill(en, args))
        }
    }
}

impl Reply {
    /// The reply as shown: `中文 (English)`.
    pub fn text(self, args: &Args) -> String {
        let (zh, en) = self.templates();
        format!("{} ({})", fill(zh, args), fill(en, args))
    }
}

/// The catalogue as a Markdown table (`docs/diagnostics.md`).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "# Diagnostics\n\nEvery message nianbao reports, with its stable code (generated from \
         `src/diag/messages.rs`; `UPDATE_REFS=1 cargo test --lib catalogue` rewrites this file).\n\n\
         | code | message | 中文 | English |\n|---|---|---|---|\n",
    );
    for m in Msg::ALL {
        let (zh, en) = m.templates();
        out.push_str(&format!("| `{}` | {m:?} | {zh} | {en} |\n", m.code().as_str()));
    }
    out.push_str("\n## Hints\n\n| hint | 中文 | English |\n|---|---|---|\n");
    for h in Hint::ALL {
        let (zh, en) = h.templates();
        out.push_str(&format!("| {h:?} | {zh} | {en} |\n"));
    }
    out.push_str(
        "\n## Server replies\n\nThe `error` and `message` of `nianbao serve`'s JSON error \
         bodies.\n\n| reply | error | 中文 | English |\n|---|---|---|---|\n",
    );
    for r in Reply::ALL {
        let (zh, en) = r.templates();
        out.push_str(&format!("| {r:?} | `{}` | {zh} | {en} |\n", r.code()));
    }
    out.replace("\\|", "|").replace(" | | ", " |  | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_by_name() {
        let n = 3;
        assert_eq!(fill("a {n} b {m} {", &[("n", &n)]), "a 3 b {m} {");
        assert_eq!(Hint::DidYouMean.text(&[("best", &"x")]), "是否应为 `x`？ (did you mean `x`?)");
    }

    #[test]
    fn every_message_fills_with_its_own_names() {
        for m in Msg::ALL {
            let (zh, en) = m.templates();
            assert!(!zh.is_empty() && !en.is_empty(), "{m:?}");
        }
    }

    #[test]
    fn catalogue_table_is_in_step_with_the_docs() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
        let table = markdown_table();
        if std::env::var_os("UPDATE_REFS").is_some() {
            std::fs::write(&path, &table).unwrap();
        }
        let docs = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            docs == table,
            "docs/diagnostics.md is stale: run UPDATE_REFS=1 cargo test --lib catalogue"
        );
    }
}
