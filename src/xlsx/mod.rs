//! Spreadsheets written (issue #34): the template a unit fills in ([`template`]) and the 汇总
//! workbooks batch writes ([`summary_workbook`], [`numbers_workbook`]), with rust_xlsxwriter.
//! A filled workbook is read back by `import` (`crate::import::import_workbook`, calamine),
//! which finds the numbers by the format's labels, not by this module's positions. Numbers
//! go in and out through the report's numbers view ([`crate::model::Report::numbers`]).

mod layout;
mod write;

pub use layout::{GRID_TOP, SheetLayout, a1, input_addresses, sheets};
pub use write::{numbers_workbook, summary_workbook, template};
