//! Spreadsheet speed (issue #34): writing the template with a report's numbers, reading it
//! back, and refusing a million-row workbook. Run with `cargo bench --bench xlsx`.

use std::path::Path;

mod support;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = nianbao::load_and_check(&root.join("examples/township-2025.yaml")).report.unwrap();
    let format = nianbao::template::bundled_format(2021).unwrap();
    let numbers = report.numbers(format);
    let unit = report.unit.text.as_str();
    let book = nianbao::xlsx::template(format, Some(unit), Some(2025), Some(&numbers)).unwrap();
    let write = support::median_ms(20, || {
        nianbao::xlsx::template(format, Some(unit), Some(2025), Some(&numbers)).unwrap();
    });
    let read = support::median_ms(20, || {
        let imported = nianbao::import::import_workbook(&book, format);
        assert!(imported.diags.is_empty());
    });
    println!("template with numbers: {write:.1} ms, {} bytes", book.len());
    println!("import of the filled template: {read:.1} ms");
    // A million rows of one number each (deflated), refused before it is parsed.
    let mut rows = String::from(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for i in 1..=1_000_000 {
        rows.push_str(&format!(r#"<row r="{i}"><c r="A{i}"><v>1</v></c></row>"#));
    }
    rows.push_str("</sheetData></worksheet>");
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        std::io::Write::write_all(&mut w, rows.as_bytes()).unwrap();
        w.finish().unwrap();
    }
    let big = buf.into_inner();
    let refuse = support::median_ms(5, || {
        let imported = nianbao::import::import_workbook(&big, format);
        assert_eq!(imported.diags[0].diag.code.as_str(), "E-I2");
    });
    println!(
        "a million rows ({} KB deflated, {} MB inflated) refused in {refuse:.1} ms",
        big.len() / 1024,
        rows.len() / (1024 * 1024)
    );
    println!(
        "peak RSS of the whole run (the million-row text itself included): {:.0} MB",
        support::peak_rss_mb()
    );
}
