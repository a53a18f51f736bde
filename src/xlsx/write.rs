//! Writing workbooks with rust_xlsxwriter: the template a unit fills in (the official grids,
//! labels locked, input cells unlocked and validated, totals as formulas with their cached
//! values, printing on A4) and the 汇总 workbooks batch forwards.

use super::layout::{GRID_TOP, SheetLayout, a1, sheets};
use crate::model::{NumberCell, Value};
use crate::template::{CellContent, FieldRef, Format, RuleDef, ScalarKind, TableDef};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format as CellFormat, FormatAlign, FormatBorder,
    Formula, Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;

/// The font of every cell (LibreOffice and WPS substitute their 宋体 when it is missing).
const FONT: &str = "宋体";
/// Width of all grid columns together, in character units (fits A4 portrait at 100 %).
const TOTAL_WIDTH: f64 = 100.0;

/// Why a workbook could not be written.
fn failed(e: XlsxError) -> String {
    format!("无法生成电子表格：{e} (cannot write the workbook: {e})")
}

struct Styles {
    title: CellFormat,
    info: CellFormat,
    head: CellFormat,
    label: CellFormat,
    count: CellFormat,
    amount: CellFormat,
    total: CellFormat,
    total_amount: CellFormat,
    text: CellFormat,
}

impl Styles {
    fn new() -> Styles {
        let base = CellFormat::new().set_font_name(FONT).set_font_size(10.5);
        let boxed = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let input = boxed.clone().set_align(FormatAlign::Center).set_unlocked();
        Styles {
            title: base.clone().set_bold().set_font_size(14).set_align(FormatAlign::Center),
            info: base.clone().set_align(FormatAlign::Left),
            head: boxed.clone().set_bold().set_align(FormatAlign::Center),
            label: boxed.clone().set_align(FormatAlign::Left),
            count: input.clone().set_num_format("0").set_background_color(Color::RGB(0xFFFDE7)),
            amount: input.set_num_format("0.00").set_background_color(Color::RGB(0xFFFDE7)),
            total: boxed.clone().set_align(FormatAlign::Center).set_num_format("0"),
            total_amount: boxed.clone().set_align(FormatAlign::Center).set_num_format("0.00"),
            text: base.set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

/// A number as the float a cell holds.
fn float(v: Value) -> f64 {
    v.display().parse().unwrap_or(0.0)
}

/// The template: the three official tables for `unit` and `year` (blank when not given),
/// with the numbers of `numbers` written in (the view of a report; `None` gives an empty
/// template), and a sheet of instructions.
pub fn template(
    format: &Format,
    unit: Option<&str>,
    year: Option<i32>,
    numbers: Option<&[NumberCell]>,
) -> Result<Vec<u8>, String> {
    tables_book(format, unit, year, numbers, true)
}

/// The 汇总表 as a workbook: the official grids with the summed numbers, every cell locked,
/// totals as formulas (`office` printed as the 填报单位).
pub fn summary_workbook(
    format: &Format,
    office: &str,
    year: i32,
    numbers: &[NumberCell],
) -> Result<Vec<u8>, String> {
    tables_book(format, Some(office), Some(year), Some(numbers), false)
}

fn tables_book(
    format: &Format,
    unit: Option<&str>,
    year: Option<i32>,
    numbers: Option<&[NumberCell]>,
    editable: bool,
) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let mut st = Styles::new();
    if editable {
        instructions(book.add_worksheet(), format, &st).map_err(failed)?;
    } else {
        st.count = st.total.clone();
        st.amount = st.total_amount.clone();
    }
    let values: HashMap<(usize, usize, FieldRef), Value> = numbers
        .unwrap_or_default()
        .iter()
        .filter_map(|c| Some(((c.table, c.record, c.field), c.value?.value)))
        .collect();
    for layout in sheets(format) {
        let ws = book.add_worksheet();
        table_sheet(ws, format, &layout, unit, year, &values, &st, editable).map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}

fn instructions(ws: &mut Worksheet, format: &Format, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name("填写说明")?;
    ws.set_column_width(0, 78)?;
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 1);
    ws.set_margins(0.6, 0.6, 0.8, 0.8, 0.3, 0.3);
    let lines = [
        format!("政府信息公开工作年度报告 数据填报表（{}）", format.name),
        "填写说明：".to_string(),
        "1. 本工作簿的三张表格与年度报告中的表格（二、三、四）一致，请在浅黄色单元格中填写数字；其余单元格已锁定。".to_string(),
        "2. 件数只能填写 0 或正整数；行政事业性收费以万元为单位，最多保留两位小数。".to_string(),
        "3. 确实没有发生的，请填 0；尚未统计、没有数据的，请留空不填写（留空与 0 不同，导入时会逐格提示）。".to_string(),
        "4. “总计”列和“（七）总计”行由公式自动计算，不需填写。".to_string(),
        "5. 第一项加第二项之和，应等于第三项（七）总计加第四项之和。".to_string(),
        "6. 填好后保存（可另存为 .xlsx、.xls 或 .ods），用 nianbao import 导入，或在网页上传。".to_string(),
        "Instructions: fill in the pale yellow cells only (whole numbers ≥ 0; the fee in 万元 with at most two decimals); leave a cell blank when there is no figure yet; totals are formulas.".to_string(),
    ];
    for (i, line) in lines.iter().enumerate() {
        let heading = st.text.clone().set_bold().set_font_size(14);
        let f = if i == 0 { &heading } else { &st.text };
        ws.write_string_with_format(i as u32, 0, line, f)?;
        ws.set_row_height(i as u32, if i == 0 { 40 } else { 36 })?;
    }
    ws.set_active(true);
    Ok(())
}

/// The cells a computed record's field sums (the `column_sum` rule naming it).
fn parts_of(format: &Format, table: usize, record: usize) -> Vec<usize> {
    format
        .rules
        .iter()
        .find_map(|r| match r {
            RuleDef::ColumnSum { table: t, total, parts, .. }
                if *t == table && *total == record =>
            {
                Some(parts.clone())
            }
            _ => None,
        })
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn table_sheet(
    ws: &mut Worksheet,
    format: &Format,
    layout: &SheetLayout,
    unit: Option<&str>,
    year: Option<i32>,
    values: &HashMap<(usize, usize, FieldRef), Value>,
    st: &Styles,
    editable: bool,
) -> Result<(), XlsxError> {
    let def: &TableDef = &format.tables[layout.table];
    ws.set_name(&layout.name)?;
    let last_col = (layout.columns - 1) as u16;
    ws.merge_range(0, 0, 0, last_col, &layout.title, &st.title)?;
    let info = format!(
        "填报单位：{}　　年度：{}",
        unit.unwrap_or("　　　　　　　　　　"),
        year.map_or("　　　　".to_string(), |y| format!("{y}年"))
    );
    ws.merge_range(1, 0, 1, last_col, &info, &st.info)?;
    ws.set_row_height(0, 24)?;
    let total: f64 = def.grid.widths.iter().sum();
    let widths: Vec<f64> = def.grid.widths.iter().map(|w| w / total * TOTAL_WIDTH).collect();
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    // Row heights: enough lines for the longest label of the row at its merged width.
    let mut heights: HashMap<u32, f64> = HashMap::new();
    for p in &layout.cells {
        if let CellContent::Text(t) = &p.cell.content {
            let width: f64 = widths[p.col as usize..p.col as usize + p.cell.colspan].iter().sum();
            let chars = t.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum::<f64>();
            let lines = (chars * 1.1 / width.max(1.0)).ceil().max(1.0);
            let per_row = lines * 14.5 / p.cell.rowspan as f64;
            for r in p.row..p.row + p.cell.rowspan as u32 {
                let h = heights.entry(r).or_insert(18.0);
                *h = h.max(per_row + 4.0);
            }
        }
    }
    for (r, h) in &heights {
        ws.set_row_height(*r, *h)?;
    }
    let place = |record: usize, field: FieldRef| layout.place_of(record, field);
    let value_of = |record: usize, field: FieldRef| -> f64 {
        values.get(&(layout.table, record, field)).copied().map_or(0.0, float)
    };
    for p in &layout.cells {
        let (r, c) = (p.row, p.col);
        let (r2, c2) = (r + p.cell.rowspan as u32 - 1, c + p.cell.colspan as u16 - 1);
        let merged = r2 > r || c2 > c;
        match &p.cell.content {
            CellContent::Text(t) => {
                let f = if p.cell.head { &st.head } else { &st.label };
                if merged {
                    ws.merge_range(r, c, r2, c2, t, f)?;
                } else {
                    ws.write_string_with_format(r, c, t, f)?;
                }
            }
            CellContent::Value { record, field } => {
                let rdef = &def.records[*record];
                let amount = rdef.scalar == Some(ScalarKind::Decimal);
                let input = !rdef.computed && !matches!(field, FieldRef::Total);
                let f = match (input, amount) {
                    (true, true) => &st.amount,
                    (true, false) => &st.count,
                    (false, true) => &st.total_amount,
                    (false, false) => &st.total,
                };
                if merged {
                    ws.merge_range(r, c, r2, c2, "", f)?;
                }
                if input {
                    match values.get(&(layout.table, *record, *field)) {
                        Some(v) => ws.write_number_with_format(r, c, float(*v), f)?,
                        None => ws.write_blank(r, c, f)?,
                    };
                    if !editable {
                        continue;
                    }
                    let rule = if amount {
                        DataValidation::new()
                            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
                            .set_error_message("请填写以万元为单位的金额（不小于 0，最多两位小数）；没有数据请留空。")?
                    } else {
                        DataValidation::new()
                            .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
                            .set_error_message("请填写 0 或正整数；没有数据请留空。")?
                    };
                    let rule = rule.set_error_title("数字有误")?;
                    ws.add_data_validation(r, c, r2, c2, &rule)?;
                    continue;
                }
                // A formula: a row's 总计 sums its fields; a computed record sums its parts.
                let (cells, cached): (Vec<(u32, u16)>, f64) = match field {
                    FieldRef::Total => {
                        let fields: Vec<FieldRef> =
                            rdef.fields.iter().map(|&f| FieldRef::Field(f)).collect();
                        let cached = if rdef.computed {
                            let parts = parts_of(format, layout.table, *record);
                            fields
                                .iter()
                                .map(|&f| parts.iter().map(|&p| value_of(p, f)).sum::<f64>())
                                .sum()
                        } else {
                            fields.iter().map(|&f| value_of(*record, f)).sum()
                        };
                        (fields.iter().filter_map(|&f| place(*record, f)).collect(), cached)
                    }
                    _ => {
                        let parts = parts_of(format, layout.table, *record);
                        let cached = parts.iter().map(|&p| value_of(p, *field)).sum();
                        (parts.iter().filter_map(|&p| place(p, *field)).collect(), cached)
                    }
                };
                let args: Vec<String> = cells.iter().map(|&(r, c)| a1(r, c)).collect();
                let formula = Formula::new(format!("=SUM({})", args.join(",")))
                    .set_result(Value::Count(cached as u64).display());
                ws.write_formula_with_format(r, c, formula, f)?;
            }
        }
    }
    let last_row =
        layout.cells.iter().map(|p| p.row + p.cell.rowspan as u32 - 1).max().unwrap_or(GRID_TOP);
    print_setup(ws, last_row, last_col)?;
    ws.protect();
    Ok(())
}

/// A4, centred, one page wide, with the title rows printed.
fn print_setup(ws: &mut Worksheet, last_row: u32, last_col: u16) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    if last_col >= 12 {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.6, 0.6, 0.8, 0.8, 0.3, 0.3);
    ws.set_print_area(0, 0, last_row, last_col)?;
    Ok(())
}

/// `numbers.xlsx`: one row per unit (names as text, never formulas), one column per printed
/// number under the official headers merged (table, row, column), blanks left blank, and a
/// total row of formulas with their cached sums.
pub fn numbers_workbook(
    format: &Format,
    table: &crate::batch::NumbersTable,
) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let st = Styles::new();
    let ws = book.add_worksheet();
    numbers_sheet(ws, format, table, &st).map_err(failed)?;
    book.save_to_buffer().map_err(failed)
}

fn numbers_sheet(
    ws: &mut Worksheet,
    format: &Format,
    table: &crate::batch::NumbersTable,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("各单位数据")?;
    const FIRST: u16 = 3;
    for (c, h) in ["文件", "单位", "年度"].iter().enumerate() {
        ws.merge_range(0, c as u16, 2, c as u16, h, &st.head)?;
    }
    ws.set_column_width(0, 26)?;
    ws.set_column_width(1, 28)?;
    ws.set_column_width(2, 7)?;
    // Merged headers: the table over its columns, the record over its numbers, the number.
    let cols = &table.columns;
    let mut c = 0;
    while c < cols.len() {
        let t = cols[c].table;
        let end = (c..cols.len()).take_while(|&i| cols[i].table == t).last().unwrap_or(c);
        let title = format
            .sections
            .iter()
            .find(|s| s.table.as_deref() == Some(format.tables[t].key.as_str()))
            .map_or_else(|| format.tables[t].key.clone(), |s| s.heading());
        span(ws, 0, FIRST + c as u16, FIRST + end as u16, &title, &st.head)?;
        let mut r = c;
        while r <= end {
            let rec = cols[r].record;
            let rend = (r..=end).take_while(|&i| cols[i].record == rec).last().unwrap_or(r);
            let def = &format.tables[t];
            span(ws, 1, FIRST + r as u16, FIRST + rend as u16, &def.records[rec].label, &st.head)?;
            for (i, col) in cols.iter().enumerate().take(rend + 1).skip(r) {
                let name = match col.field {
                    FieldRef::Field(f) => def.fields[f].1.clone(),
                    FieldRef::Total => def.total_label.clone().unwrap_or_default(),
                    FieldRef::Scalar => "数量".to_string(),
                };
                ws.write_string_with_format(2, FIRST + i as u16, &name, &st.head)?;
                ws.set_column_width(FIRST + i as u16, 9)?;
            }
            r = rend + 1;
        }
        c = end + 1;
    }
    ws.set_row_height(1, 60)?;
    let first_row = 3u32;
    for (i, (file, unit, year, values)) in table.rows.iter().enumerate() {
        let r = first_row + i as u32;
        // write_string: a unit named `=HYPERLINK(…)` stays text, never a formula.
        ws.write_string_with_format(r, 0, file, &st.label)?;
        ws.write_string_with_format(r, 1, unit, &st.label)?;
        ws.write_number_with_format(r, 2, f64::from(*year), &st.total)?;
        for (j, v) in values.iter().enumerate() {
            let col = FIRST + j as u16;
            match v {
                Some(v) => ws.write_number_with_format(r, col, float(*v), &st.total)?,
                None => ws.write_blank(r, col, &st.total)?,
            };
        }
    }
    let total_row = first_row + table.rows.len() as u32;
    ws.merge_range(total_row, 0, total_row, 2, "合计", &st.head)?;
    for (j, sum) in table.sums.iter().enumerate() {
        let col = FIRST + j as u16;
        let formula = if table.rows.is_empty() {
            Formula::new("=0").set_result("0")
        } else {
            let range = format!("{}:{}", a1(first_row, col), a1(total_row - 1, col));
            Formula::new(format!("=SUM({range})")).set_result(sum.display())
        };
        ws.write_formula_with_format(total_row, col, formula, &st.total)?;
    }
    ws.set_freeze_panes(3, FIRST)?;
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_repeat_rows(0, 2)?;
    ws.set_repeat_columns(0, FIRST - 1)?;
    Ok(())
}

/// A header over columns `c0..=c1` of row `r` (merged when it spans several).
fn span(
    ws: &mut Worksheet,
    r: u32,
    c0: u16,
    c1: u16,
    text: &str,
    f: &CellFormat,
) -> Result<(), XlsxError> {
    if c1 > c0 {
        ws.merge_range(r, c0, r, c1, text, f)?;
    } else {
        ws.write_string_with_format(r, c0, text, f)?;
    }
    Ok(())
}
