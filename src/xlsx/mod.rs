//! Spreadsheets (issue #34): the template a unit fills in ([`template`]), reading a filled
//! workbook back into a report ([`import_workbook`]), and the 汇总 workbooks batch writes
//! ([`summary_workbook`], [`numbers_workbook`]). Numbers go in and out through the report's
//! numbers view ([`crate::model::Report::numbers`]) and are found by the format's labels.

mod layout;
mod read;
mod write;

pub use layout::{GRID_TOP, SheetLayout, a1, input_addresses, sheets};
pub use read::{MAX_CELLS, WORKBOOK_INFLATE_LIMIT, draft, import_workbook, is_workbook, precheck};
pub use write::{numbers_workbook, summary_workbook, template};
