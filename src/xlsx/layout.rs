//! Where the official tables sit in a workbook: one sheet per table, its grid (labels and
//! merges from the format data, the same grid the PDF prints) below a title and a line for
//! the unit and year. The template writer places cells by it; tests and scripts that fill a
//! template find an input cell's address through it (the reader does not: it finds the
//! numbers by their labels).

use crate::template::{CellContent, FieldRef, Format, GridCell, TableDef, place_cells};

/// The row of the sheet where the grid starts (0-based): a title row, the unit/year row and
/// an empty row come first.
pub const GRID_TOP: u32 = 3;

/// One table's sheet.
#[derive(Debug, Clone)]
pub struct SheetLayout {
    /// Index of the table in [`Format::tables`].
    pub table: usize,
    /// The sheet's name (`二、主动公开政府信息情况`, at most 31 characters).
    pub name: String,
    /// The section heading printed as the sheet's title.
    pub title: String,
    /// Every grid cell with its place: (row, column) of its top-left corner in the sheet.
    pub cells: Vec<Placed>,
    /// Number of grid columns.
    pub columns: usize,
}

/// A grid cell placed on its sheet.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Sheet row of the top-left corner (0-based).
    pub row: u32,
    /// Sheet column of the top-left corner (0-based).
    pub col: u16,
    /// The grid cell (content, spans, header flag).
    pub cell: GridCell,
}

impl SheetLayout {
    /// The place of the number (`record`, `field`) of this sheet's table.
    pub fn place_of(&self, record: usize, field: FieldRef) -> Option<(u32, u16)> {
        self.cells.iter().find_map(|p| match p.cell.content {
            CellContent::Value { record: r, field: f } if r == record && f == field => {
                Some((p.row, p.col))
            }
            _ => None,
        })
    }
}

/// The sheets of the official tables, in the format's section order.
pub fn sheets(format: &Format) -> Vec<SheetLayout> {
    let mut out = Vec::new();
    for (section, ti) in format.section_tables() {
        let def: &TableDef = &format.tables[ti];
        let columns = def.grid.widths.len();
        let starts = place_cells(&def.grid.rows, columns).expect("the format's grids were checked");
        let mut cells = Vec::new();
        for (r, (row, cols)) in def.grid.rows.iter().zip(&starts).enumerate() {
            for (cell, &c) in row.iter().zip(cols) {
                cells.push(Placed { row: GRID_TOP + r as u32, col: c as u16, cell: cell.clone() });
            }
        }
        let title = section.heading();
        let name: String = title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        out.push(SheetLayout { table: ti, name, title, cells, columns });
    }
    out
}

/// `C12` for row 11, column 2 (both 0-based).
pub fn a1(row: u32, col: u16) -> String {
    let mut letters = Vec::new();
    let mut n = u32::from(col) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row + 1).to_string()
}

/// Every input cell of the template by key: `(key, sheet name, A1 address)`, in the
/// format's order (what a script that fills the template needs).
pub fn input_addresses(format: &Format) -> Vec<(String, String, String)> {
    let sheets = sheets(format);
    crate::model::input_cells(format)
        .into_iter()
        .filter_map(|c| {
            let s = sheets.iter().find(|s| s.table == c.table)?;
            let (r, col) = s.place_of(c.record, c.field)?;
            Some((c.key, s.name.clone(), a1(r, col)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a1_names() {
        assert_eq!(super::a1(0, 0), "A1");
        assert_eq!(super::a1(11, 2), "C12");
        assert_eq!(super::a1(0, 25), "Z1");
        assert_eq!(super::a1(0, 26), "AA1");
    }
}
