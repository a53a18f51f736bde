//! Reading a filled workbook (.xlsx, .xls, .ods) with calamine into a report: the numbers
//! found by their labels (the format's grids), whatever the sheet order or the rows a unit
//! added; a blank cell stays blank; text in a number cell (`12件`, `１２`, `—`) read with a
//! note or refused; every problem names the sheet and the cell (`表三!D12`).

use super::{FormatChoice, ImportCode, ImportDiag, Imported, Loc, build_report};
use crate::model::{Decimal, Num, Report, Value, input_cells, load_report, skeleton};
use crate::source::{SourceFile, Span};
use crate::template::{CellContent, Format, Formats, ScalarKind, place_cells};
use calamine::{Data, Reader, Sheets, open_workbook_auto_from_rs};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// The most a workbook's compressed parts may inflate to, all together. A filled template
/// is about 100 KB inflated; a sheet of a million rows is tens of MB and is refused here,
/// before calamine builds it in memory.
pub const WORKBOOK_INFLATE_LIMIT: u64 = 16 * 1024 * 1024;
/// The most cells (rows × columns of the used range) a sheet may have.
pub const MAX_CELLS: usize = 200_000;
/// The most sheets a workbook may have.
pub const MAX_SHEETS: usize = 64;

/// Whether `name` is a workbook the reader takes (by its extension).
pub fn is_workbook(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xls", ".ods"].iter().any(|e| lower.ends_with(e))
}

/// A workbook could not be read at all: the Chinese-then-English reason.
fn refused(zh: &str, en: &str) -> String {
    format!("{zh}；{en}")
}

/// Checks what a workbook is before it is parsed: a password-protected file, something
/// that is no workbook, a zip that inflates past [`WORKBOOK_INFLATE_LIMIT`] (a zip bomb).
pub fn precheck(bytes: &[u8]) -> Result<(), String> {
    const CFB: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if bytes.starts_with(CFB) {
        // An encrypted .xlsx is an OLE file holding an `EncryptedPackage` stream.
        let marker: Vec<u8> =
            "EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect();
        if memchr::memmem::find(bytes, &marker).is_some() {
            return Err(refused(
                "工作簿设有打开密码，无法读取，请取消密码后另存再导入",
                "the workbook is password-protected; save it without a password and import again",
            ));
        }
        return Ok(());
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(refused(
            "不是 .xlsx、.xls 或 .ods 电子表格文件",
            "not an .xlsx, .xls or .ods workbook",
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        refused(&format!("电子表格已损坏（{e}）"), &format!("the workbook is damaged ({e})"))
    })?;
    if zip.len() > 10_000 {
        return Err(refused("工作簿中的部件过多", "the workbook has too many parts"));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| {
            refused(&format!("电子表格已损坏（{e}）"), &format!("the workbook is damaged ({e})"))
        })?;
        // Count what really inflates, not what the header claims.
        let budget = WORKBOOK_INFLATE_LIMIT - total + 1;
        let n = std::io::copy(&mut entry.take(budget), &mut std::io::sink()).map_err(|e| {
            refused(&format!("电子表格已损坏（{e}）"), &format!("the workbook is damaged ({e})"))
        })?;
        total += n;
        if total > WORKBOOK_INFLATE_LIMIT {
            let mib = WORKBOOK_INFLATE_LIMIT / (1024 * 1024);
            return Err(refused(
                &format!("工作簿解压后超过 {mib} MiB（过大或为压缩炸弹），请只保留年报的三张表格"),
                &format!(
                    "the workbook inflates past {mib} MiB (too large, or a zip bomb); keep only the report's three tables"
                ),
            ));
        }
    }
    Ok(())
}

/// A text region of a sheet: its normalised text and the cells it covers (merged or filled).
#[derive(Debug, Clone)]
struct Region {
    text: String,
    r0: u32,
    r1: u32,
    c0: u32,
    c1: u32,
}

/// One sheet as the matcher sees it.
struct Sheet {
    name: String,
    cells: HashMap<(u32, u32), Data>,
    regions: Vec<Region>,
    by_text: HashMap<String, Vec<usize>>,
}

/// Labels compared without spaces and line breaks, ASCII brackets as the full-width ones.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

/// A cell that holds a label (text that is not a number a unit typed).
fn label_of(d: &Data) -> Option<String> {
    match d {
        Data::String(s) if parse_text(s, ScalarKind::Count).is_err() && !s.trim().is_empty() => {
            Some(norm(s))
        }
        _ => None,
    }
}

impl Sheet {
    fn new(
        name: String,
        range: &calamine::Range<Data>,
        merges: Option<Vec<calamine::Dimensions>>,
    ) -> Sheet {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut cells = HashMap::new();
        for (r, c, d) in range.used_cells() {
            cells.insert((r0 + r as u32, c0 + c as u32), d.clone());
        }
        let mut regions = Vec::new();
        let mut covered: HashMap<(u32, u32), ()> = HashMap::new();
        match merges {
            Some(list) => {
                for m in list {
                    if let Some(text) = cells.get(&m.start).and_then(label_of) {
                        regions.push(Region {
                            text,
                            r0: m.start.0,
                            r1: m.end.0,
                            c0: m.start.1,
                            c1: m.end.1,
                        });
                        for r in m.start.0..=m.end.0 {
                            for c in m.start.1..=m.end.1 {
                                covered.insert((r, c), ());
                            }
                        }
                    }
                }
                for (&(r, c), d) in &cells {
                    if covered.contains_key(&(r, c)) {
                        continue;
                    }
                    if let Some(text) = label_of(d) {
                        regions.push(Region { text, r0: r, r1: r, c0: c, c1: c });
                    }
                }
            }
            None => {
                // No merge information (.ods through calamine): a label reaches over the
                // empty cells to its right (a merged header) and below it (a merged row
                // label). A header (on a row without numbers) stops above the first row of
                // data; a row label (on a row of data) reaches down over the rows it spans.
                let mut keys: Vec<_> = cells.keys().copied().collect();
                keys.sort_unstable();
                let numeric_rows: std::collections::HashSet<u32> = cells
                    .iter()
                    .filter(|(_, d)| matches!(d, Data::Int(_) | Data::Float(_)))
                    .map(|(&(r, _), _)| r)
                    .collect();
                let empty =
                    |r: u32, c: u32| cells.get(&(r, c)).is_none_or(|d| matches!(d, Data::Empty));
                for (r, c) in keys {
                    let Some(text) = cells.get(&(r, c)).and_then(label_of) else { continue };
                    let mut c1 = c;
                    while c1 - c < 16 && empty(r, c1 + 1) {
                        c1 += 1;
                    }
                    let mut r1 = r;
                    let header = !numeric_rows.contains(&r);
                    while r1 - r < 32
                        && empty(r1 + 1, c)
                        && !(header && numeric_rows.contains(&(r1 + 1)))
                    {
                        r1 += 1;
                    }
                    regions.push(Region { text, r0: r, r1, c0: c, c1 });
                }
            }
        }
        let mut by_text: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, reg) in regions.iter().enumerate() {
            by_text.entry(reg.text.clone()).or_default().push(i);
        }
        Sheet { name, cells, regions, by_text }
    }

    /// A label `t` on row `r` left of column `c`.
    fn left_of(&self, t: &str, r: u32, c: u32) -> bool {
        self.by_text.get(t).is_some_and(|l| {
            l.iter().any(|&i| {
                let g = &self.regions[i];
                g.r0 <= r && r <= g.r1 && g.c0 < c
            })
        })
    }

    /// A label `t` in column `c` above row `r`.
    fn above(&self, t: &str, r: u32, c: u32) -> bool {
        self.by_text.get(t).is_some_and(|l| {
            l.iter().any(|&i| {
                let g = &self.regions[i];
                g.c0 <= c && c <= g.c1 && g.r0 < r
            })
        })
    }
}

/// What a grid's input cell is known by: the labels left of it in its row and above it in
/// its column, nearest last.
struct Signature {
    key: String,
    label: String,
    kind: ScalarKind,
    rows: Vec<String>,
    cols: Vec<String>,
}

fn signatures(format: &Format) -> Vec<Signature> {
    let mut out = Vec::new();
    let inputs = input_cells(format);
    for (ti, def) in format.tables.iter().enumerate() {
        let columns = def.grid.widths.len();
        let Ok(starts) = place_cells(&def.grid.rows, columns) else { continue };
        // Every text cell with its rectangle.
        let mut texts: Vec<(String, usize, usize, usize, usize)> = Vec::new();
        for (r, (row, cols)) in def.grid.rows.iter().zip(&starts).enumerate() {
            for (cell, &c) in row.iter().zip(cols) {
                if let CellContent::Text(t) = &cell.content {
                    texts.push((norm(t), r, r + cell.rowspan - 1, c, c + cell.colspan - 1));
                }
            }
        }
        for (r, (row, cols)) in def.grid.rows.iter().zip(&starts).enumerate() {
            for (cell, &c) in row.iter().zip(cols) {
                let CellContent::Value { record, field } = cell.content else { continue };
                let Some(input) =
                    inputs.iter().find(|i| i.table == ti && i.record == record && i.field == field)
                else {
                    continue;
                };
                let mut rows: Vec<_> =
                    texts.iter().filter(|t| t.1 <= r && r <= t.2 && t.4 < c).collect();
                rows.sort_by_key(|t| t.3);
                let mut cols: Vec<_> =
                    texts.iter().filter(|t| t.3 <= c && c <= t.4 && t.2 < r).collect();
                cols.sort_by_key(|t| t.1);
                out.push(Signature {
                    key: input.key.clone(),
                    label: input.label.clone(),
                    kind: input.kind,
                    rows: rows.iter().map(|t| t.0.clone()).collect(),
                    cols: cols.iter().map(|t| t.0.clone()).collect(),
                });
            }
        }
    }
    out
}

/// Where a signature's cell is in the workbook: (sheet index, row, column).
fn find(sheets: &[Sheet], sig: &Signature) -> Option<(usize, u32, u32)> {
    for (si, sheet) in sheets.iter().enumerate() {
        let Some(col_regions) = sig.cols.last().and_then(|t| sheet.by_text.get(t)) else {
            continue;
        };
        let mut candidates: Vec<(u32, u32)> = Vec::new();
        match sig.rows.last() {
            Some(row_label) => {
                let Some(row_regions) = sheet.by_text.get(row_label) else { continue };
                for &ri in row_regions {
                    for &ci in col_regions {
                        let (rg, cg) = (&sheet.regions[ri], &sheet.regions[ci]);
                        for r in rg.r0..=rg.r1 {
                            for c in cg.c0..=cg.c1 {
                                if c > rg.c1 && r > cg.r0 {
                                    candidates.push((r, c));
                                }
                            }
                        }
                    }
                }
            }
            // No row label (table 四's one row): the row right under the header.
            None => {
                for &ci in col_regions {
                    let cg = &sheet.regions[ci];
                    for c in cg.c0..=cg.c1 {
                        candidates.push((cg.r1 + 1, c));
                    }
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        for (r, c) in candidates {
            if sig.rows.iter().all(|t| sheet.left_of(t, r, c))
                && sig.cols.iter().all(|t| sheet.above(t, r, c))
            {
                return Some((si, r, c));
            }
        }
    }
    None
}

/// A typed number cell's text read as a number, with what was changed (`12件` → 12).
fn parse_text(raw: &str, kind: ScalarKind) -> Result<(Value, Option<String>), String> {
    let trimmed = raw.trim();
    if matches!(trimmed, "—" | "－" | "-" | "–" | "——" | "/" | "无") {
        return Ok((zero(kind), Some(format!("“{trimmed}”读作 0 (read as 0)"))));
    }
    let mut s: String = trimmed
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            c => c,
        })
        .collect();
    let mut changed = s != trimmed;
    for unit in ["件", "个", "次", "条", "项", "万元"] {
        if let Some(rest) = s.strip_suffix(unit) {
            s = rest.trim_end().to_string();
            changed = true;
        }
    }
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(format!("“{trimmed}”不是数字 (not a number)"));
    }
    let value = match kind {
        ScalarKind::Count => {
            let n: u64 =
                s.parse().map_err(|_| format!("“{trimmed}”不是整数 (not a whole number)"))?;
            if n > crate::model::MAX_COUNT {
                return Err(format!("“{trimmed}”过大 (too large)"));
            }
            Value::Count(n)
        }
        ScalarKind::Decimal => Value::Decimal(
            Decimal::parse(&s).ok_or_else(|| format!("“{trimmed}”不是金额 (not an amount)"))?,
        ),
    };
    let note = changed
        .then(|| format!("“{trimmed}”读作 {} (read as {})", value.display(), value.display()));
    Ok((value, note))
}

fn zero(kind: ScalarKind) -> Value {
    match kind {
        ScalarKind::Count => Value::Count(0),
        ScalarKind::Decimal => Value::Decimal(Decimal::from_int(0)),
    }
}

/// A number cell read: a number, a blank, or a refusal.
fn read_cell(
    d: Option<&Data>,
    kind: ScalarKind,
) -> Result<(Option<Value>, Option<String>), String> {
    let float = |x: f64| -> Result<Value, String> {
        if !x.is_finite() || x < 0.0 {
            return Err(format!("{x} 不能为负数 (cannot be negative)"));
        }
        match kind {
            ScalarKind::Count => {
                if x.fract() != 0.0 {
                    return Err(format!("{x} 不是整数 (not a whole number)"));
                }
                if x > crate::model::MAX_COUNT as f64 {
                    return Err(format!("{x} 过大 (too large)"));
                }
                Ok(Value::Count(x as u64))
            }
            ScalarKind::Decimal => {
                let cents = (x * 100.0).round();
                if (x * 100.0 - cents).abs() > 1e-6 {
                    return Err(format!("{x} 超过两位小数 (more than two decimals)"));
                }
                let text = format!("{:.2}", cents / 100.0);
                let text = text.trim_end_matches('0').trim_end_matches('.');
                Decimal::parse(text).map(Value::Decimal).ok_or_else(|| format!("{x}"))
            }
        }
    };
    match d {
        None | Some(Data::Empty) => Ok((None, None)),
        Some(Data::Int(i)) => float(*i as f64).map(|v| (Some(v), None)),
        Some(Data::Float(x)) => float(*x).map(|v| (Some(v), None)),
        Some(Data::String(s)) if s.trim().is_empty() => Ok((None, None)),
        Some(Data::String(s)) => parse_text(s, kind).map(|(v, n)| (Some(v), n)),
        Some(Data::Error(e)) => Err(format!("公式错误 {e} (a formula error)")),
        Some(other) => Err(format!("“{other}”不是数字 (not a number)")),
    }
}

/// Reads the workbook `bytes` (named `name`) into a report of `format`.
pub fn import_workbook(bytes: &[u8], format: &Format) -> Imported {
    match read_sheets(bytes) {
        Ok(sheets) => from_sheets(&sheets, format),
        Err(why) => {
            let mut imported = build_report(&[], FormatChoice::Auto, format);
            imported.diags.clear();
            let diag = ImportCode::Unreadable.diagnostic(&why, "");
            imported.diags.push(ImportDiag { diag, loc: None });
            imported
        }
    }
}

fn read_sheets(bytes: &[u8]) -> Result<Vec<Sheet>, String> {
    precheck(bytes)?;
    let mut book: Sheets<_> =
        open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| {
            refused(&format!("无法读取电子表格（{e}）"), &format!("cannot read the workbook ({e})"))
        })?;
    let names = book.sheet_names();
    if names.len() > MAX_SHEETS {
        return Err(refused("工作表过多", "too many sheets"));
    }
    let mut out = Vec::new();
    for name in names {
        let range = book.worksheet_range(&name).map_err(|e| {
            refused(
                &format!("无法读取工作表“{name}”（{e}）"),
                &format!("cannot read the sheet {name} ({e})"),
            )
        })?;
        let (h, w) = range.get_size();
        if h.saturating_mul(w) > MAX_CELLS {
            return Err(refused(
                &format!("工作表“{name}”过大（{h} 行 × {w} 列），请只保留年报的三张表格"),
                &format!(
                    "the sheet {name} is too large ({h} rows × {w} columns); keep only the report's three tables"
                ),
            ));
        }
        #[allow(deprecated)]
        let merges = match &mut book {
            Sheets::Xlsx(x) => x.worksheet_merge_cells(&name).and_then(Result::ok),
            Sheets::Xls(x) => x.worksheet_merge_cells(&name),
            _ => None,
        };
        out.push(Sheet::new(name, &range, merges));
    }
    Ok(out)
}

/// `填报单位：X` and `年度：2025年` written by the template (or typed by a unit).
fn unit_and_year(sheets: &[Sheet]) -> (Option<String>, Option<i32>) {
    let (mut unit, mut year) = (None, None);
    for s in sheets {
        for d in s.cells.values() {
            let Data::String(t) = d else { continue };
            if let Some(rest) = t.split("填报单位：").nth(1) {
                let u = rest.split("年度").next().unwrap_or("").trim().trim_matches('　').trim();
                if !u.is_empty() && unit.is_none() {
                    unit = Some(u.to_string());
                }
            }
            if let Some(rest) = t.split("年度：").nth(1) {
                let digits: String = rest.trim().chars().take_while(char::is_ascii_digit).collect();
                if year.is_none() {
                    year = digits.parse().ok();
                }
            }
        }
    }
    (unit, year)
}

fn from_sheets(sheets: &[Sheet], format: &Format) -> Imported {
    let mut diags = Vec::new();
    let (unit, year) = unit_and_year(sheets);
    if unit.is_none() || year.is_none() {
        let what = match (unit.is_none(), year.is_none()) {
            (true, true) => "填报单位和年度",
            (true, false) => "填报单位",
            _ => "年度",
        };
        let diag = ImportCode::Unknown.diagnostic(what, crate::model::PLACEHOLDER);
        diags.push(ImportDiag { diag, loc: None });
    }
    let mut report = draft(format, unit.as_deref(), year.unwrap_or(2025));
    let mut locations = std::collections::BTreeMap::new();
    let mut found_any = false;
    let sigs = signatures(format);
    for sig in &sigs {
        let Some((si, r, c)) = find(sheets, sig) else {
            continue;
        };
        found_any = true;
        let sheet = &sheets[si];
        let place = format!("{}!{}", sheet.name, super::a1(r + 1, c + 1));
        let loc = Loc::Sheet { sheet: si as u32 + 1, row: r + 1, col: c + 1 };
        let named = format!("{place} {}", sig.label);
        match read_cell(sheet.cells.get(&(r, c)), sig.kind) {
            Ok((Some(v), note)) => {
                let _ =
                    report.set_number(format, &sig.key, Some(Num::written(v, Span::detached())));
                if let Some(note) = note {
                    let diag = ImportCode::SheetNormalised.diagnostic(&named, &note);
                    diags
                        .push(ImportDiag { diag: diag.with_path(sig.key.clone()), loc: Some(loc) });
                }
            }
            Ok((None, _)) => {
                let diag = ImportCode::SheetBlank.diagnostic(&named, "");
                diags.push(ImportDiag { diag: diag.with_path(sig.key.clone()), loc: Some(loc) });
            }
            Err(why) => {
                let diag = ImportCode::SheetRefused.diagnostic(&named, &why);
                diags.push(ImportDiag { diag: diag.with_path(sig.key.clone()), loc: Some(loc) });
            }
        }
        locations.insert(sig.key.clone(), loc);
    }
    if !found_any {
        let diag = ImportCode::NoTables.diagnostic("", "");
        diags.push(ImportDiag { diag, loc: None });
    } else {
        // Cells of a found table that no label led to: blank, and said so.
        for sig in sigs.iter().filter(|s| !locations.contains_key(&s.key)) {
            let diag = ImportCode::MissingRow.diagnostic(&sig.label, "");
            diags.push(ImportDiag { diag: diag.with_path(sig.key.clone()), loc: None });
        }
    }
    Imported { report, edition: super::Edition::F2021, diags, locations, paragraphs: Vec::new() }
}

/// The report a workbook gives before its numbers: the skeleton's prose (【待填写】 drafts)
/// and every input cell blank.
pub fn draft(format: &Format, unit: Option<&str>, year: i32) -> Report {
    let text = skeleton(format, unit.unwrap_or(crate::model::PLACEHOLDER), year);
    let formats = Formats::bundled();
    let (report, _) = load_report(&SourceFile::new("draft.yaml", text), formats);
    let mut report = report.expect("the skeleton loads");
    report.format = format.edition;
    for cell in input_cells(format) {
        let _ = report.set_number(format, &cell.key, None);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_read_with_a_note_or_refused() {
        let c = ScalarKind::Count;
        assert_eq!(parse_text("12", c).unwrap(), (Value::Count(12), None));
        assert_eq!(parse_text("12件", c).unwrap().0, Value::Count(12));
        assert!(parse_text("12件", c).unwrap().1.is_some());
        assert_eq!(parse_text("１２", c).unwrap().0, Value::Count(12));
        assert_eq!(parse_text("—", c).unwrap().0, Value::Count(0));
        assert!(parse_text("十二", c).is_err());
        assert!(parse_text("1.5", c).is_err());
        assert!(parse_text("-3", c).is_err());
        assert_eq!(parse_text("0.32万元", ScalarKind::Decimal).unwrap().0.display(), "0.32");
        assert!(read_cell(Some(&Data::Float(2.5)), c).is_err());
        assert_eq!(read_cell(Some(&Data::Float(3.0)), c).unwrap().0, Some(Value::Count(3)));
        assert_eq!(read_cell(Some(&Data::Empty), c).unwrap().0, None);
        assert!(read_cell(Some(&Data::Float(0.125)), ScalarKind::Decimal).is_err());
        assert_eq!(
            read_cell(Some(&Data::Float(1.5)), ScalarKind::Decimal).unwrap().0.unwrap().display(),
            "1.5"
        );
    }

    #[test]
    fn not_a_workbook_and_bombs_are_refused_before_parsing() {
        assert!(precheck(b"hello").unwrap_err().contains("not an .xlsx"));
        // A zip whose one entry inflates to 64 MiB of zeros.
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
            let chunk = vec![0u8; 1 << 20];
            for _ in 0..64 {
                std::io::Write::write_all(&mut w, &chunk).unwrap();
            }
            w.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert!(bytes.len() < 1 << 20, "{}", bytes.len());
        assert!(precheck(&bytes).unwrap_err().contains("zip bomb"));
    }
}
