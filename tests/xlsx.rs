//! Spreadsheets (issue #34): the template a unit fills in and the reader that takes it back.
//! Round trips through a script (openpyxl) and through LibreOffice (.xlsx, .ods, .xls saved
//! by another program), LibreOffice's recalculation of the template's formulas, and hostile
//! workbooks (a zip bomb, a million rows, formulas everywhere, a password, not a workbook).

use crate::common::repo;
use nianbao::import::{ImportCode, Imported};
use nianbao::model::{Num, Report};
use nianbao::source::Span;
use nianbao::template::{Format, bundled_format};
use serde_json::{Map, Value as Json, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn format() -> &'static Format {
    bundled_format(2021).unwrap()
}

fn report(name: &str) -> Report {
    nianbao::load_and_check(&repo("examples").join(name)).report.unwrap()
}

/// The numbers by key, a blank as `None`.
fn numbers(r: &Report) -> Vec<(String, Option<String>)> {
    r.numbers(format()).into_iter().map(|c| (c.key, c.value.map(|n| n.value.display()))).collect()
}

fn python(script: &str, args: &[&Path]) -> std::process::Output {
    let out = Command::new("python3")
        .arg(repo("tests/tools").join(script))
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{script} failed (openpyxl is pinned in tests/requirements.txt; put .venv/bin on PATH):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The template filled by openpyxl with `r`'s numbers (blanks left blank, `text` typed as
/// text into the cells named), as a script or a clerk would.
fn filled_by_script(r: &Report, dir: &Path, text: &[(&str, &str)]) -> PathBuf {
    let template = dir.join("template.xlsx");
    let bytes =
        nianbao::xlsx::template(format(), Some(&r.unit.text), Some(r.year.0), None).unwrap();
    std::fs::write(&template, bytes).unwrap();
    let values: std::collections::HashMap<String, Option<String>> =
        numbers(r).into_iter().collect();
    let mut sheets: Map<String, Json> = Map::new();
    for (key, sheet, cell) in nianbao::xlsx::input_addresses(format()) {
        let v = match text.iter().find(|(k, _)| *k == key) {
            Some((_, t)) => json!(t),
            None => match &values[&key] {
                Some(n) => serde_json::from_str::<Json>(n).unwrap(),
                None => Json::Null,
            },
        };
        sheets.entry(sheet).or_insert_with(|| json!({}))[&cell] = v;
    }
    let json_path = dir.join("values.json");
    std::fs::write(&json_path, serde_json::to_vec(&sheets).unwrap()).unwrap();
    let out = dir.join("filled.xlsx");
    python("xlsx_fill.py", &[&template, &json_path, &out]);
    out
}

fn import(path: &Path) -> Imported {
    nianbao::import::import_workbook(&std::fs::read(path).unwrap(), format())
}

/// LibreOffice (calc) saves `file` as `target` (`xlsx`, `ods`, `xls:MS Excel 97`) in `outdir`.
fn libreoffice(file: &Path, target: &str, outdir: &Path) -> PathBuf {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--headless", "--norestore", "--convert-to", target, "--outdir"])
        .arg(outdir)
        .arg(file)
        .output()
        .expect("`soffice` runs (apt-get install libreoffice-calc-nogui)");
    let ext = target.split(':').next().unwrap();
    let written = outdir.join(file.file_name().unwrap()).with_extension(ext);
    assert!(
        written.exists(),
        "LibreOffice did not write {target} (is libreoffice-calc-nogui installed?):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    written
}

/// The township example with two cells left blank, so the round trips carry blanks too.
fn with_blanks() -> Report {
    let mut r = report("township-2025.yaml");
    for key in ["applications.unable.unclear.business", "proactive.coercion"] {
        r.set_number(format(), key, None).unwrap();
    }
    r
}

#[test]
fn a_template_filled_by_a_script_imports_to_the_same_numbers() {
    for r in [report("shengsi-2024.yaml"), report("township-2025.yaml"), with_blanks()] {
        let dir = tempfile::tempdir().unwrap();
        let imported = import(&filled_by_script(&r, dir.path(), &[]));
        assert_eq!(numbers(&imported.report), numbers(&r), "{}", r.unit.text);
        assert_eq!(imported.report.unit.text, r.unit.text);
        assert_eq!(imported.report.year.0, r.year.0);
        // A blank stays blank and is named by its sheet and cell.
        let blanks: Vec<&str> = imported
            .diags
            .iter()
            .filter(|d| d.diag.code.as_str() == "W-I1")
            .map(|d| d.diag.message_zh.as_str())
            .collect();
        let expected = numbers(&r).iter().filter(|(_, v)| v.is_none()).count();
        assert_eq!(blanks.len(), expected, "{blanks:?}");
        if expected > 0 {
            assert!(
                blanks.iter().any(|m| m.contains("三、收到和处理政府信息公开申请情况!E21")),
                "{blanks:?}"
            );
        }
    }
}

#[test]
fn the_imported_yaml_keeps_blanks_blank_and_check_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let imported = import(&filled_by_script(&with_blanks(), dir.path(), &[]));
    let yaml = nianbao::model::emit_yaml(&imported.report, format(), dir.path(), dir.path());
    assert!(yaml.contains("unclear: {natural_person: 1, research: 0"), "{yaml}");
    assert!(!yaml.contains("coercion:"), "{yaml}");
    assert!(yaml.contains("【待填写】"), "prose is left as drafts");
    let loaded = nianbao::check_bytes(Path::new("unit.yaml"), yaml.into_bytes());
    assert!(loaded.is_ok());
    let blank: Vec<_> = loaded.diags.iter().filter(|d| d.code.as_str() == "W-P7").collect();
    assert_eq!(blank.len(), 2, "{blank:?}");
    assert!(blank.iter().any(|d| d.cells == ["applications.unable.unclear.business"]));
}

#[test]
fn text_in_number_cells_is_read_with_a_note_or_refused_by_cell() {
    let r = report("township-2025.yaml");
    let dir = tempfile::tempdir().unwrap();
    let text = [
        ("applications.received.natural_person", "12件"),
        ("applications.received.business", "２"),
        ("applications.carried_over.business", "—"),
        ("applications.disclosed.natural_person", "五件"),
    ];
    let imported = import(&filled_by_script(&r, dir.path(), &text));
    let mut want = numbers(&r);
    for (k, v) in &mut want {
        if k == "applications.disclosed.natural_person" {
            *v = None;
        }
    }
    assert_eq!(numbers(&imported.report), want);
    let notes: Vec<String> = imported
        .diags
        .iter()
        .map(|d| format!("{} {}", d.diag.code.as_str(), d.diag.message_zh))
        .collect();
    let sheet = "三、收到和处理政府信息公开申请情况";
    for (code, cell, text) in
        [("W-I9", "D7", "12件"), ("W-I9", "E7", "２"), ("W-I9", "E8", "—"), ("W-I6", "D9", "五件")]
    {
        assert!(
            notes.iter().any(|n| n.starts_with(code)
                && n.contains(&format!("{sheet}!{cell}"))
                && n.contains(text)),
            "{code} {cell}: {notes:#?}"
        );
    }
}

#[test]
fn workbooks_libreoffice_saved_import_to_the_same_numbers() {
    let r = with_blanks();
    let dir = tempfile::tempdir().unwrap();
    let filled = filled_by_script(&r, dir.path(), &[]);
    for target in ["xlsx", "ods", "xls:MS Excel 97"] {
        let out = dir.path().join(target.split(':').next().unwrap());
        std::fs::create_dir_all(&out).unwrap();
        let saved = libreoffice(&filled, target, &out);
        let imported = import(&saved);
        let errors: Vec<_> = imported.diags.iter().filter(|d| d.diag.is_error()).collect();
        assert!(errors.is_empty(), "{target}: {errors:?}");
        let (got, want) = (numbers(&imported.report), numbers(&r));
        let differ: Vec<_> = got.iter().zip(&want).filter(|(g, w)| g != w).collect();
        assert!(differ.is_empty(), "{target}: {differ:?}");
    }
}

/// The formulas of the template compute what nianbao cached: openpyxl drops the cached
/// results, LibreOffice recalculates them, and they equal those of a template nianbao wrote
/// with the same numbers.
#[test]
fn libreoffice_recalculates_the_formulas_to_the_cached_values() {
    let r = report("township-2025.yaml");
    let dir = tempfile::tempdir().unwrap();
    let filled = filled_by_script(&r, dir.path(), &[]);
    let out = dir.path().join("lo");
    std::fs::create_dir_all(&out).unwrap();
    let recalculated = libreoffice(&filled, "xlsx", &out);
    let cached = dir.path().join("cached.xlsx");
    let numbers = r.numbers(format());
    let bytes =
        nianbao::xlsx::template(format(), Some(&r.unit.text), Some(r.year.0), Some(&numbers))
            .unwrap();
    std::fs::write(&cached, bytes).unwrap();
    let values = |p: &Path| -> Json {
        serde_json::from_slice(&python("xlsx_values.py", &[p]).stdout).unwrap()
    };
    let (ours, theirs) = (values(&cached), values(&recalculated));
    let sheet = &ours["三、收到和处理政府信息公开申请情况"];
    // 三（七）总计 / 总计 and 一、本年新收 / 总计 of the example.
    assert_eq!(sheet["J30"], json!(16), "{sheet}");
    assert_eq!(sheet["J7"], json!(15));
    let as_num = |v: &Json| v.as_f64().map(|f| f.to_string()).unwrap_or_else(|| v.to_string());
    for (name, cells) in ours.as_object().unwrap() {
        for (cell, v) in cells.as_object().unwrap() {
            let theirs = &theirs[name][cell];
            assert_eq!(as_num(v), as_num(theirs), "{name}!{cell}");
        }
    }
}

fn assert_refused(imported: &Imported, zh: &str, en: &str) {
    let d = &imported.diags[0].diag;
    assert_eq!(d.code.as_str(), "E-I2", "{d:?}");
    let text = &d.message_zh;
    let (z, e) = (text.find(zh), text.find(en));
    assert!(z.is_some() && e.is_some() && z < e, "Chinese then English: {text}");
    assert_eq!(ImportCode::Unreadable.as_str(), "E-I2");
}

/// A minimal .xlsx with one sheet whose XML is `sheet` (deflated).
fn raw_xlsx(sheet: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &[u8]); 4] = [
        ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
    ];
    for (name, bytes) in parts {
        w.start_file(name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    w.write_all(sheet).unwrap();
    w.finish().unwrap();

    buf.into_inner()
}

fn sheet_xml(rows: impl Iterator<Item = String>) -> Vec<u8> {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    rows.for_each(|r| s.push_str(&r));
    s.push_str("</sheetData></worksheet>");
    s.into_bytes()
}

#[test]
fn hostile_workbooks_are_refused_with_a_reason() {
    // A million rows: refused before calamine builds the sheet.
    let rows = sheet_xml(
        (1..=1_000_000).map(|i| format!(r#"<row r="{i}"><c r="A{i}"><v>1</v></c></row>"#)),
    );
    let big = raw_xlsx(&rows);
    assert!(big.len() < 8 << 20, "{}", big.len());
    let imported = nianbao::import::import_workbook(&big, format());
    assert_refused(&imported, "解压后超过", "inflates past");
    // A zip bomb: one part of 100 MiB of spaces.
    let bomb = raw_xlsx(&vec![b' '; 100 << 20]);
    assert_refused(&nianbao::import::import_workbook(&bomb, format()), "压缩炸弹", "zip bomb");
    // Not a workbook at all, and a damaged zip.
    let text = b"unit: x\nyear: 2025\n";
    assert_refused(&nianbao::import::import_workbook(text, format()), "不是", "not an");
    let cut = &nianbao::xlsx::template(format(), None, None, None).unwrap()[..4000];
    let imported = nianbao::import::import_workbook(cut, format());
    assert_eq!(imported.diags[0].diag.code.as_str(), "E-I2");
    // Formulas everywhere (no cached results): read, and no table found.
    let rows = sheet_xml((1..=2000).map(|i| {
        let cells: String = (0..50u8)
            .map(|c| format!(r#"<c r="{}{i}"><f>SUM(A1:A{i})</f></c>"#, (b'A' + c % 26) as char))
            .collect();
        format!(r#"<row r="{i}">{cells}</row>"#)
    }));
    let imported = nianbao::import::import_workbook(&raw_xlsx(&rows), format());
    let codes: Vec<&str> = imported.diags.iter().map(|d| d.diag.code.as_str()).collect();
    assert!(codes.contains(&"E-I1"), "{codes:?}");
}

#[test]
fn a_password_protected_workbook_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.xlsx");
    std::fs::write(&plain, nianbao::xlsx::template(format(), None, None, None).unwrap()).unwrap();
    let locked = dir.path().join("locked.xlsx");
    let out = Command::new("msoffcrypto-tool")
        .args(["-e", "-p", "secret"])
        .arg(&plain)
        .arg(&locked)
        .output()
        .expect("msoffcrypto-tool (tests/requirements.txt) runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_refused(&import(&locked), "密码", "password");
}

#[test]
fn the_cli_writes_a_template_and_imports_it() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_nianbao");
    let book = dir.path().join("年报数据.xlsx");
    let example = repo("examples/township-2025.yaml");
    let out = Command::new(bin)
        .args(["xlsx", "template", "--from"])
        .arg(&example)
        .arg("-o")
        .arg(&book)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let yaml = dir.path().join("unit.yaml");
    let out = Command::new(bin).arg("import").arg(&book).arg("-o").arg(&yaml).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let back = nianbao::load_and_check(&yaml);
    assert_eq!(numbers(back.report.as_ref().unwrap()), numbers(&report("township-2025.yaml")));
    // set_number is the one way in: a written number is written, not blank.
    let mut r = report("township-2025.yaml");
    let n = Num::written(nianbao::model::Value::Count(3), Span::detached());
    r.set_number(format(), "proactive.coercion", Some(n)).unwrap();
    assert!(numbers(&r).contains(&("proactive.coercion".to_string(), Some("3".to_string()))));
}
