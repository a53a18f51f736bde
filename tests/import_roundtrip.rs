//! Round trips: import(render(r)) == r for the numbers, and the prose up to
//! whitespace, for both examples, from our DOCX and our PDF; and a Word-style DOCX.

use nianbao::import::{FormatChoice, SourceKind, import_bytes};
use nianbao::model::{ProseItem, Report, strip_locations};
use nianbao::template::bundled_format;
use std::path::Path;

use crate::import_support as support;
use crate::libreoffice;
use support::{flatten_html, numbers, prose, repo, squash};

fn docx_of(path: &Path) -> (Report, Vec<u8>) {
    let loaded = nianbao::load_and_check(path);
    assert!(loaded.is_ok(), "{:#?}", loaded.diags);
    let engine = nianbao::Engine::new(nianbao::EngineOptions::default()).unwrap();
    let (doc, _) = engine.resolve(&loaded).unwrap();
    let bytes = nianbao::docx::export(&doc, &nianbao::docx::DocxOptions::default());
    (loaded.report.unwrap(), bytes)
}

#[test]
fn roundtrip_docx_of_both_examples() {
    for name in ["shengsi-2024.yaml", "township-2025.yaml"] {
        let (report, bytes) = docx_of(&repo().join("examples").join(name));
        let started = std::time::Instant::now();
        let imp = import_bytes(
            &bytes,
            SourceKind::sniff("x.docx", &bytes),
            FormatChoice::Auto,
            bundled_format(2021).unwrap(),
        );
        eprintln!("{name}: DOCX import took {:?}", started.elapsed());
        assert!(imp.diags.is_empty(), "{name}: {:#?}", imp.diags);
        assert_eq!(numbers(&imp.report), numbers(&report), "{name}");
        assert_eq!(prose(&imp.report), prose(&report), "{name}");
        let (a, b) = (strip_locations(&imp.report), strip_locations(&report));
        assert_eq!((&a.unit, a.year.0, a.date), (&b.unit, b.year.0, b.date), "{name}");
        // The signing unit comes back only where it differs from the unit.
        let signer = |r: &Report| r.signing_unit().to_string();
        assert_eq!(signer(&a), signer(&b), "{name}");
    }
}

/// What a clerk's own office suite makes of our DOCX: LibreOffice's PDF export (its own
/// line breaking and table layout, fonts switching between Chinese and digits, simple
/// fonts whose characters are only in /ToUnicode) and the DOCX re-saved by it (its own
/// table XML). Both import to the same numbers and prose.
#[test]
fn roundtrip_libreoffice_pdf_and_resaved_docx_of_both_examples() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["shengsi-2024.yaml", "township-2025.yaml"] {
        let (report, bytes) = docx_of(&repo().join("examples").join(name));
        let docx = dir.path().join(name).with_extension("docx");
        std::fs::write(&docx, bytes).unwrap();
        let resaved_dir = dir.path().join("resaved");
        std::fs::create_dir_all(&resaved_dir).unwrap();
        let pdf = libreoffice::convert(&docx, "pdf", dir.path());
        let resaved = libreoffice::convert(&docx, "docx:MS Word 2007 XML", &resaved_dir);
        // LibreOffice leaves out a 。 it cannot fit at the end of a justified line (not
        // drawn, not in the text layer): the PDF's prose is the report's less what
        // pdftotext, too, does not find in it.
        let pdf_text = page_text(&pdf);
        for file in [pdf, resaved] {
            let bytes = std::fs::read(&file).unwrap();
            let kind = SourceKind::sniff(&file.to_string_lossy(), &bytes);
            let imp = import_bytes(&bytes, kind, FormatChoice::Auto, bundled_format(2021).unwrap());
            let what = format!("{name} via {}", file.display());
            assert!(imp.diags.is_empty(), "{what}: {:#?}", imp.diags);
            assert_eq!(numbers(&imp.report), numbers(&report), "{what}");
            let (got, want) = (prose(&imp.report), prose(&report));
            if file.extension().is_some_and(|e| e == "docx") {
                assert_eq!(got, want, "{what}");
            } else {
                assert_eq!(got.len(), want.len(), "{what}: paragraphs");
                for ((gp, g), (wp, w)) in got.iter().zip(&want) {
                    assert_eq!(gp, wp, "{what}");
                    assert!(pdf_text.contains(g.as_str()), "{what}: not in the PDF: {g}");
                    let lost = lost_chars(w, g);
                    assert!(
                        lost.len() <= 2 && lost.iter().all(|c| "。，、；".contains(*c)),
                        "{what}: {g} lost {lost:?} of {w}"
                    );
                }
            }
            let (a, b) = (strip_locations(&imp.report), strip_locations(&report));
            assert_eq!((&a.unit, a.year.0, a.date), (&b.unit, b.year.0, b.date), "{what}");
        }
    }
}

/// The text of a PDF as pdftotext reads it, page numbers dropped, whitespace removed.
fn page_text(pdf: &Path) -> String {
    let out =
        std::process::Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let folio = |l: &str| {
        let t = squash(l);
        t.starts_with('—')
            && t.ends_with('—')
            && t.trim_matches('—').chars().all(|c| c.is_ascii_digit())
    };
    squash(&text.lines().filter(|l| !folio(l)).collect::<String>())
}

/// The characters of `full` that `part` lacks, when `part` is `full` with some left out.
fn lost_chars(full: &str, part: &str) -> Vec<char> {
    let mut rest = part.chars().peekable();
    let mut lost = Vec::new();
    for c in full.chars() {
        if rest.peek() == Some(&c) {
            rest.next();
        } else {
            lost.push(c);
        }
    }
    assert!(rest.next().is_none(), "{part} is not {full} with characters left out");
    lost
}

fn pdf_of(path: &Path) -> (Report, Vec<u8>) {
    let loaded = nianbao::load_and_check(path);
    assert!(loaded.is_ok(), "{:#?}", loaded.diags);
    let engine = nianbao::Engine::new(nianbao::EngineOptions::default()).unwrap();
    let out = engine.render(&loaded, &[nianbao::OutputKind::Pdf]).unwrap();
    let pdf = out.pdf().unwrap().to_vec();
    (loaded.report.unwrap(), pdf)
}

#[test]
fn roundtrip_pdf_of_both_examples() {
    for name in ["shengsi-2024.yaml", "township-2025.yaml"] {
        let (report, bytes) = pdf_of(&repo().join("examples").join(name));
        let started = std::time::Instant::now();
        let imp = import_bytes(
            &bytes,
            SourceKind::sniff("x.pdf", &bytes),
            FormatChoice::Auto,
            bundled_format(2021).unwrap(),
        );
        eprintln!("{name}: PDF import took {:?}", started.elapsed());
        assert!(imp.diags.is_empty(), "{name}: {:#?}", imp.diags);
        assert_eq!(numbers(&imp.report), numbers(&report), "{name}");
        assert_eq!(prose(&imp.report), prose(&report), "{name}");
        let (a, b) = (strip_locations(&imp.report), strip_locations(&report));
        assert_eq!((&a.unit, a.year.0, a.date), (&b.unit, b.year.0, b.date), "{name}");
        assert_eq!(a.signing_unit(), b.signing_unit(), "{name}");
        // Numbers are traced to their page, line and cell.
        let loc = imp.locations.get("applications.received[0]").copied();
        assert!(matches!(loc, Some(nianbao::import::Loc::Pdf { .. })), "{loc:?}");
    }
}

fn html_of(path: &Path) -> (Report, Vec<u8>) {
    let loaded = nianbao::load_and_check(path);
    assert!(loaded.is_ok(), "{:#?}", loaded.diags);
    let engine = nianbao::Engine::new(nianbao::EngineOptions::default()).unwrap();
    let out = engine.render(&loaded, &[nianbao::OutputKind::Html]).unwrap();
    let html = out.get(nianbao::OutputKind::Html).unwrap().to_vec();
    (loaded.report.unwrap(), html)
}

/// Our own HTML page comes back with the same numbers and prose (#15 item 5, now that the
/// HTML backend exists).
#[test]
fn roundtrip_html_of_both_examples() {
    for name in ["shengsi-2024.yaml", "township-2025.yaml"] {
        let (report, bytes) = html_of(&repo().join("examples").join(name));
        let imp = import_bytes(
            &bytes,
            SourceKind::sniff("x.html", &bytes),
            FormatChoice::Auto,
            bundled_format(2021).unwrap(),
        );
        assert!(imp.diags.is_empty(), "{name}: {:#?}", imp.diags);
        assert_eq!(numbers(&imp.report), numbers(&report), "{name}");
        assert_eq!(prose(&imp.report), prose(&report), "{name}");
        let (a, b) = (strip_locations(&imp.report), strip_locations(&report));
        assert_eq!((&a.unit, a.year.0, a.date), (&b.unit, b.year.0, b.date), "{name}");
    }
}

#[test]
fn roundtrip_suite_reports_that_render() {
    // Every prose form (three heading levels, run-in headings, figures), and a report
    // with a character no bundled font has (it cannot come back from the PDF's text).
    for (name, pdf_prose) in
        [("forms/prose-forms.yaml", true), ("render/missing-glyph.yaml", false)]
    {
        let path = repo().join("tests/suite").join(name);
        let (report, docx) = docx_of(&path);
        let (_, pdf) = pdf_of(&path);
        for (kind, bytes, check_prose) in [("docx", docx, true), ("pdf", pdf, pdf_prose)] {
            let imp = import_bytes(
                &bytes,
                SourceKind::sniff(kind, &bytes),
                FormatChoice::Auto,
                bundled_format(2021).unwrap(),
            );
            let what = format!("{name} from {kind}");
            assert!(imp.diags.is_empty(), "{what}: {:#?}", imp.diags);
            assert_eq!(numbers(&imp.report), numbers(&report), "{what}");
            if check_prose {
                assert_eq!(prose(&imp.report), prose(&report), "{what}");
            }
        }
    }
}

#[test]
fn roundtrip_broken_docx_is_an_error_not_a_panic() {
    let imp = import_bytes(
        b"PK\x03\x04 not really a zip",
        SourceKind::Docx,
        FormatChoice::Auto,
        bundled_format(2021).unwrap(),
    );
    assert_eq!(imp.diags[0].diag.code.as_str(), "E-I2");
    let imp = import_bytes(
        b"%PDF-1.7 truncated",
        SourceKind::Pdf,
        FormatChoice::Auto,
        bundled_format(2021).unwrap(),
    );
    assert_eq!(imp.diags[0].diag.code.as_str(), "E-I2");
}

/// A Word-style package: runs split mid-word, proofing marks, bookmarks, vertical
/// merges as `<w:vMerge w:val="restart"/>` + `<w:vMerge/>`, `<w:gridSpan>`, header
/// words broken with `<w:br/>`, the numbers in separate runs.
fn word_docx(r: &Report) -> Vec<u8> {
    use std::io::Write;
    let format = nianbao::template::bundled_format(2021).unwrap();
    let run = |t: &str| {
        let mut chars: Vec<char> = t.chars().collect();
        let tail = chars.split_off(chars.len() / 2);
        let head: String = chars.into_iter().collect();
        let tail: String = tail.into_iter().collect();
        format!(
            "<w:r><w:rPr><w:rFonts w:hint=\"eastAsia\"/></w:rPr><w:t>{}</w:t></w:r><w:proofErr w:type=\"spellStart\"/><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>",
            head.replace('&', "&amp;"),
            tail.replace('&', "&amp;")
        )
    };
    let para = |t: &str| {
        format!(
            "<w:p><w:pPr><w:ind w:firstLineChars=\"200\"/></w:pPr><w:bookmarkStart w:id=\"0\" w:name=\"_GoBack\"/>{}<w:bookmarkEnd w:id=\"0\"/></w:p>",
            run(t)
        )
    };
    let mut body = para(&format!("{}{}年度政府信息公开工作年度报告", r.unit.text, r.year.0));
    for item in &r.preamble {
        if let ProseItem::Paragraph(t) = item {
            body.push_str(&para(&t.text));
        }
    }
    for (def, section) in format.sections.iter().zip(&r.sections) {
        body.push_str(&para(&def.heading()));
        let mut n = 0;
        for item in &section.prose {
            match item {
                ProseItem::Paragraph(t) => body.push_str(&para(&t.text)),
                ProseItem::Subsection(s) => {
                    n += 1;
                    let num = ["一", "二", "三", "四", "五", "六"][n - 1];
                    let text = s.text.first().map_or("", |t| t.text.as_str());
                    if s.run_in {
                        body.push_str(&para(&format!("（{num}）{}{text}", s.heading.text)));
                    } else {
                        body.push_str(&para(&format!("（{num}）{}", s.heading.text)));
                        body.push_str(&para(text));
                    }
                }
                ProseItem::Figure(_) => {}
            }
        }
        let Some(tkey) = &def.table else { continue };
        let tdef = format.table(tkey).unwrap();
        let data = r.table(tkey).unwrap();
        let placed =
            nianbao::template::place_cells(&tdef.grid.rows, tdef.grid.widths.len()).unwrap();
        // Vertical merges: the covered cells below a rowspan are written as continuations.
        let mut cont: Vec<(usize, usize, usize)> = Vec::new(); // (row, col, colspan)
        body.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>");
        for (ri, grid_row) in tdef.grid.rows.iter().enumerate() {
            let mut cells: Vec<(usize, String)> = Vec::new();
            for (cell, &col) in grid_row.iter().zip(&placed[ri]) {
                let text = match &cell.content {
                    nianbao::template::CellContent::Text(t) => {
                        t.replace("商业企业", "商业<w:br/>企业")
                    }
                    nianbao::template::CellContent::Value { record, field } => {
                        let rec = &data.records[*record];
                        match field {
                            nianbao::template::FieldRef::Field(f) => {
                                let i = tdef.records[*record]
                                    .fields
                                    .iter()
                                    .position(|x| x == f)
                                    .unwrap();
                                rec.values[i].value.display()
                            }
                            nianbao::template::FieldRef::Total => rec
                                .values
                                .iter()
                                .fold(nianbao::model::Value::Count(0), |a, n| a.plus(n.value))
                                .display(),
                            nianbao::template::FieldRef::Scalar => rec.values[0].value.display(),
                        }
                    }
                };
                let merge = if cell.rowspan > 1 {
                    for k in 1..cell.rowspan {
                        cont.push((ri + k, col, cell.colspan));
                    }
                    "<w:vMerge w:val=\"restart\"/>"
                } else {
                    ""
                };
                let runs = if text.contains("<w:br/>") {
                    format!(
                        "<w:r><w:t>{}</w:t></w:r>",
                        text.replace("<w:br/>", "</w:t><w:br/><w:t>")
                    )
                } else if text.chars().all(|c| c.is_ascii_digit() || c == '.') && text.len() > 1 {
                    text.chars().map(|c| format!("<w:r><w:t>{c}</w:t></w:r>")).collect()
                } else {
                    run(&text)
                };
                cells.push((col, format!(
                    "<w:tc><w:tcPr><w:gridSpan w:val=\"{}\"/>{merge}<w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{runs}</w:p></w:tc>",
                    cell.colspan
                )));
            }
            for &(row, col, span) in &cont {
                if row == ri {
                    cells.push((col, format!("<w:tc><w:tcPr><w:gridSpan w:val=\"{span}\"/><w:vMerge/></w:tcPr><w:p/></w:tc>")));
                }
            }
            cells.sort_by_key(|c| c.0);
            body.push_str("<w:tr>");
            for (_, c) in cells {
                body.push_str(&c);
            }
            body.push_str("</w:tr>");
        }
        body.push_str("</w:tbl>");
    }
    body.push_str(&para(&r.unit.text));
    if let Some((d, _)) = r.date {
        body.push_str(&para(&d.to_chinese()));
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>").unwrap();
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn roundtrip_word_style_docx() {
    let path = repo().join("examples/shengsi-2024.yaml");
    let loaded = nianbao::load_and_check(&path);
    let report = loaded.report.unwrap();
    let bytes = word_docx(&report);
    let imp = import_bytes(
        &bytes,
        SourceKind::sniff("unit.docx", &bytes),
        FormatChoice::Auto,
        bundled_format(2021).unwrap(),
    );
    assert!(imp.diags.is_empty(), "{:#?}", imp.diags);
    assert_eq!(numbers(&imp.report), numbers(&report));
    assert_eq!(prose(&imp.report), prose(&report));
    // A cell below a vertical merge keeps its grid column: 三（四）1. / 自然人.
    assert_eq!(
        imp.locations.get("applications.unable.not_held[0]"),
        Some(&nianbao::import::Loc::Cell { table: 2, row: 16, col: 4 })
    );
}

/// A PDF laid out the way Word and WPS export tables: the block label
/// 三、本年度办理结果 printed one character per line, group labels wrapped (（三）不予 /
/// 公开), header words broken (商业企 / 业), `1、` instead of `1.`, and a page break
/// inside the table with the page number `- 1 -` between the rows. The font is a
/// Type0 font with a ToUnicode map and no glyphs: only the text layer matters here.
fn word_style_pdf(r: &Report) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let format = nianbao::template::bundled_format(2021).unwrap();
    let apps = format.table("applications").unwrap();
    let data = r.table("applications").unwrap();
    // Every piece of text: (page, x, y, size, text).
    let mut pieces: Vec<(usize, f64, f64, f64, String)> = Vec::new();
    let mut page = 0;
    let mut y = 780.0;
    let line = |pieces: &mut Vec<_>, page: &mut usize, y: &mut f64, items: Vec<(f64, String)>| {
        if *y < 80.0 {
            pieces.push((*page, 280.0, 40.0, 9.0, format!("- {} -", *page + 1)));
            *page += 1;
            *y = 780.0;
        }
        for (x, t) in items {
            pieces.push((*page, x, *y, 10.5, t));
        }
        *y -= 16.0;
    };
    line(&mut pieces, &mut page, &mut y, vec![(72.0, "三、收到和处理政府信息公开申请情况".into())]);
    line(
        &mut pieces,
        &mut page,
        &mut y,
        vec![
            (72.0, "（本列数据的勾稽关系为：第一项加第二项之和，".into()),
            (330.0, "申请人情况".into()),
        ],
    );
    line(
        &mut pieces,
        &mut page,
        &mut y,
        vec![
            (72.0, "等于第三项加第四项之和）".into()),
            (300.0, "自然人".into()),
            (340.0, "商业企".into()),
            (380.0, "科研机".into()),
            (500.0, "总计".into()),
        ],
    );
    line(&mut pieces, &mut page, &mut y, vec![(340.0, "业".into()), (380.0, "构".into())]);
    let block = "三、本年度办理结果".chars().collect::<Vec<_>>();
    let mut in_block = 0;
    let mut group_seen = String::new();
    for (i, rdef) in apps.records.iter().enumerate() {
        let rec = &data.records[i];
        let mut label = apps.grid.rows.iter().find_map(|row| {
            let has = row.iter().any(|c| matches!(c.content, nianbao::template::CellContent::Value { record, .. } if record == i));
            has.then(|| row.iter().rev().find_map(|c| match &c.content {
                nianbao::template::CellContent::Text(t) if !c.head => Some(t.clone()),
                _ => None,
            }))?
        }).unwrap();
        label = label.replacen('.', "、", 1);
        let mut items: Vec<(f64, String)> = Vec::new();
        let in_results =
            !matches!(rdef.key.as_str(), "received" | "carried_over" | "carried_forward");
        if in_results {
            if in_block < block.len() {
                items.push((60.0, block[in_block].to_string()));
            }
            in_block += 1;
            if let Some((g, _)) = rdef.key.split_once('.')
                && group_seen != g
            {
                group_seen = g.to_string();
                let glabel = rdef.label.split_once('）').map_or("", |(a, _)| a).to_string();
                let title = apps.grid.rows.iter().flatten().find_map(|c| match &c.content {
                    nianbao::template::CellContent::Text(t)
                        if t.starts_with(&format!(
                            "{}）",
                            &glabel[glabel.len() - 3..].replace('（', "")
                        )) || t.contains(&glabel[3..]) =>
                    {
                        Some(t.clone())
                    }
                    _ => None,
                });
                if let Some(t) = title.filter(|t| t.chars().count() > 4) {
                    let (a, b) = t.split_at(t.char_indices().nth(5).map_or(t.len(), |(i, _)| i));
                    items.push((80.0, a.to_string()));
                    pieces.push((page, 80.0, y - 16.0, 10.5, b.to_string()));
                }
            }
        }
        let total: u64 = rec.values.iter().map(|n| n.value.count().unwrap()).sum();
        // Long labels wrap in their cell, twelve characters a line.
        let label: Vec<char> = label.chars().collect();
        let mut wrapped = label.chunks(12).map(|c| c.iter().collect::<String>());
        items.push((140.0, wrapped.next().unwrap()));
        for (k, n) in rec.values.iter().enumerate() {
            items.push((300.0 + 40.0 * k as f64, n.value.display()));
        }
        items.push((540.0, total.to_string()));
        line(&mut pieces, &mut page, &mut y, items);
        for rest in wrapped {
            line(&mut pieces, &mut page, &mut y, vec![(140.0, rest)]);
        }
        if y < 300.0 && page == 0 {
            y = 60.0; // force the page break inside the table
        }
    }
    // The character table of the font: CID = index + 1.
    let mut chars: Vec<char> = pieces.iter().flat_map(|p| p.4.chars()).collect();
    chars.sort_unstable();
    chars.dedup();
    let cid = |c: char| chars.iter().position(|&x| x == c).unwrap() + 1;
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /T def 1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    for chunk in chars.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for &c in chunk {
            let mut units = [0u16; 2];
            let hex: String =
                c.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
            cmap.push_str(&format!("<{:04X}> <{hex}>\n", cid(c)));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end");
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
    let descendant = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "SimSun",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
        "DW" => 1000,
    });
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "SimSun", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![descendant.into()], "ToUnicode" => to_unicode,
    });
    let mut kids = Vec::new();
    for p in 0..=page {
        let mut content = String::new();
        for (_, x, y, size, text) in pieces.iter().filter(|q| q.0 == p) {
            let hex: String = text.chars().map(|c| format!("{:04X}", cid(c))).collect();
            content.push_str(&format!("BT /F1 {size} Tf 1 0 0 1 {x} {y} Tm <{hex}> Tj ET\n"));
        }
        let contents = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }.into(),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn roundtrip_word_style_pdf_table() {
    let report =
        nianbao::load_and_check(&repo().join("examples/township-2025.yaml")).report.unwrap();
    let bytes = word_style_pdf(&report);
    let imp = import_bytes(
        &bytes,
        SourceKind::sniff("w.pdf", &bytes),
        FormatChoice::Auto,
        bundled_format(2021).unwrap(),
    );
    let apps = |r: &Report| {
        numbers(r).into_iter().filter(|l| l.starts_with("applications")).collect::<Vec<_>>()
    };
    assert_eq!(apps(&imp.report), apps(&report));
    // Only the tables this page does not have are reported (and the missing title): each
    // an error (E-I3, the page cannot be taken for a whole report), its rows named.
    for d in &imp.diags {
        let path = d.diag.path.as_deref().unwrap_or("");
        assert!(
            d.diag.code.as_str() == "W-I8"
                || (matches!(d.diag.code.as_str(), "W-I5" | "E-I3")
                    && !path.starts_with("applications")),
            "{d:#?}"
        );
    }
    // The page break fell inside the table: rows on page 2 are traced there.
    let loc = imp.locations.get("applications.carried_forward[0]").copied();
    assert!(matches!(loc, Some(nianbao::import::Loc::Pdf { page: 2, .. })), "{loc:?}");
}

#[test]
fn roundtrip_cut_or_damaged_docx_and_pdf_never_panic() {
    let path = repo().join("examples/shengsi-2024.yaml");
    let (_, docx) = docx_of(&path);
    let (_, pdf) = pdf_of(&path);
    for (kind, bytes) in [(SourceKind::Docx, docx), (SourceKind::Pdf, pdf)] {
        for i in (0..bytes.len()).step_by(bytes.len() / 23 + 1) {
            let _ =
                import_bytes(&bytes[..i], kind, FormatChoice::Auto, bundled_format(2021).unwrap());
        }
        let mut damaged = bytes.clone();
        for i in (100..damaged.len()).step_by(997) {
            damaged[i] ^= 0x5a;
        }
        let _ = import_bytes(&damaged, kind, FormatChoice::Auto, bundled_format(2021).unwrap());
    }
}

// ------------------------------------------------- text as people have it (#30)

/// Whether a command-line tool this test needs is installed: when it is not the test is
/// skipped with a message, except under CI, where it must be there.
fn have(tool: &str) -> bool {
    let ok = std::process::Command::new(tool).arg("-v").output().is_ok();
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "`{tool}` is needed for this test under CI");
        eprintln!("skipped: `{tool}` is not installed (apt-get install poppler-utils)");
    }
    ok
}

/// The text `pdftotext` (`-layout` or `-raw`) gives for a PDF.
fn pdftotext(pdf: &Path, mode: &str) -> Vec<u8> {
    let out = std::process::Command::new("pdftotext").arg(mode).arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext {mode} {}", pdf.display());
    out.stdout
}

/// Header words of the official tables: none may end up in the prose more often than the
/// report's own prose holds it.
const HEADER_WORDS: &[&str] = &[
    "信息内容",
    "本年制发件数",
    "本年处理决定数量",
    "申请人情况",
    "自然人",
    "法人或其他组织",
    "商业企业",
    "法律服务机构",
    "结果维持",
    "尚未审结",
    "未经复议直接起诉",
    "复议后起诉",
    "总计",
];

fn header_words_in_prose(imported: &Report, original: &Report) {
    let (got, want) = (prose(imported), prose(original));
    for w in HEADER_WORDS {
        let count = |p: &[(String, String)]| p.iter().filter(|(_, t)| t.contains(w)).count();
        assert!(
            count(&got) <= count(&want),
            "table header {w} in the prose: {:#?}",
            got.iter().filter(|(_, t)| t.contains(w)).collect::<Vec<_>>()
        );
    }
}

/// Text from a PDF viewer: our PDFs through `pdftotext -layout` (columns as runs of spaces,
/// header cells on lines of their own, wrapped labels with the numbers between their lines,
/// page numbers and page breaks between rows) and `-raw` (reading order, one space between
/// cells) give back every number, the fee's decimal point included, and keep the table
/// headers out of the prose.
#[test]
fn roundtrip_pdftotext_layout_and_raw_of_our_pdfs() {
    if !have("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "examples/shengsi-2024.yaml",
        "examples/township-2025.yaml",
        "tests/suite/render/big-numbers.yaml",
    ] {
        let (report, bytes) = pdf_of(&repo().join(name));
        let pdf = dir.path().join("report.pdf");
        std::fs::write(&pdf, bytes).unwrap();
        for mode in ["-layout", "-raw"] {
            let text = pdftotext(&pdf, mode);
            let started = std::time::Instant::now();
            let imp = import_bytes(
                &text,
                SourceKind::Text,
                FormatChoice::Auto,
                bundled_format(2021).unwrap(),
            );
            eprintln!("{name} {mode}: import took {:?}", started.elapsed());
            let what = format!("{name} via pdftotext {mode}");
            assert!(
                imp.diags.iter().all(|d| !d.diag.code.as_str().starts_with("W-I3")
                    && !d.diag.code.as_str().starts_with("W-I5")
                    && !d.diag.is_error()),
                "{what}: {:#?}",
                imp.diags
            );
            assert_eq!(numbers(&imp.report), numbers(&report), "{what}");
            header_words_in_prose(&imp.report, &report);
        }
    }
}

/// A clerk's office suite: LibreOffice's PDF export of our DOCX (its own table layout:
/// header cells broken inside words, labels wrapped with the numbers on their middle line)
/// through `pdftotext -layout`.
#[test]
fn roundtrip_libreoffice_pdf_through_pdftotext_layout() {
    if !have("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for name in ["shengsi-2024.yaml", "township-2025.yaml"] {
        let (report, bytes) = docx_of(&repo().join("examples").join(name));
        let docx = dir.path().join(name).with_extension("docx");
        std::fs::write(&docx, bytes).unwrap();
        let pdf = libreoffice::convert(&docx, "pdf", dir.path());
        let text = pdftotext(&pdf, "-layout");
        let imp = import_bytes(
            &text,
            SourceKind::Text,
            FormatChoice::Auto,
            bundled_format(2021).unwrap(),
        );
        let what = format!("{name} via LibreOffice and pdftotext -layout");
        assert!(imp.diags.iter().all(|d| !d.diag.is_error()), "{what}: {:#?}", imp.diags);
        assert_eq!(numbers(&imp.report), numbers(&report), "{what}");
        header_words_in_prose(&imp.report, &report);
    }
}

/// Every number of `got` is the one of `want`, or its cell was named in a warning that its
/// digits could not be split (never a wrong number, never a silent guess); and at most
/// `unsure` cells are so named.
fn numbers_exact_or_named(imp: &nianbao::import::Imported, want: &Report, unsure: usize) {
    let (got, want_n) = (numbers(&imp.report), numbers(want));
    assert_eq!(got.len(), want_n.len());
    let named: Vec<&str> = imp
        .diags
        .iter()
        .filter(|d| d.diag.code.as_str() == "W-I3")
        .filter_map(|d| d.diag.path.as_deref())
        .collect();
    let mut differing = 0;
    for (g, w) in got.iter().zip(&want_n) {
        if g != w {
            differing += 1;
            let key = g.split(' ').next().unwrap();
            assert!(named.contains(&key), "{g} (wanted {w}) is not named in {:#?}", imp.diags);
            assert!(g.split(' ').nth(1).unwrap().split(',').all(|v| v == "0"), "{g}");
        }
    }
    assert!(differing <= unsure, "{differing} rows unsure: {got:#?}");
    assert!(imp.diags.iter().all(|d| !d.diag.is_error()), "{:#?}", imp.diags);
}

/// A page flattened to one line (`规章000行政规范性文件6233440第二十条第（五）项…`):
/// the real portal page and the seed report, headings, prose and tables run together.
/// The 勾稽 rules split the glued digits of tables 三 and 四 exactly; the first table's
/// rows have no rule to choose with, so a row that can be read several ways is named,
/// never guessed.
#[test]
fn roundtrip_pages_flattened_to_one_line() {
    let page = std::fs::read(repo().join("tests/suite/import/pingtan-2024.html")).unwrap();
    let from_html =
        import_bytes(&page, SourceKind::Html, FormatChoice::Auto, bundled_format(2021).unwrap())
            .report;
    let flat = flatten_html(&String::from_utf8(page).unwrap());
    assert!(!flat.contains('\n') && flat.contains("规章000行政规范性文件6233440"), "{flat}");
    let imp = import_bytes(
        flat.as_bytes(),
        SourceKind::Text,
        FormatChoice::Auto,
        bundled_format(2021).unwrap(),
    );
    numbers_exact_or_named(&imp, &from_html, 1);
    header_words_in_prose(&imp.report, &from_html);
    assert_eq!(imp.report.year.0, 2024);

    let seed =
        std::fs::read_to_string(repo().join("tests/suite/import/seed-report-shengsi-2024.txt"))
            .unwrap();
    let example =
        nianbao::load_and_check(&repo().join("examples/shengsi-2024.yaml")).report.unwrap();
    let flat: String = seed.chars().filter(|c| !c.is_whitespace() && *c != '|').collect();
    let imp = import_bytes(
        flat.as_bytes(),
        SourceKind::Text,
        FormatChoice::Auto,
        bundled_format(2021).unwrap(),
    );
    numbers_exact_or_named(&imp, &example, 1);
    header_words_in_prose(&imp.report, &example);
}
