//! The written PDF, read back with poppler and qpdf: real text (every paragraph,
//! table label and number), embedded subset fonts, valid structure, metadata,
//! determinism, missing glyphs, the seal, PDF/A, atomic writes, page images.
//! Needs `poppler-utils` and `qpdf`; a missing tool fails the test and names it.

use crate::render_support;
use render_support as common;

use common::{
    Laid, example, example_laid, fonts, geometry, grid_lines, lay_out, nianbao, render_pdf, store,
    strip_ws, tool, tool_ok, uncompressed, write,
};
use nianbao::OutputKind;
use nianbao::diag::Code;
use nianbao::layout::Item;
use nianbao::model::ProseItem;
use nianbao::pdf::PdfOptions;
use nianbao::resolve::Block;
use nianbao::template::{CellContent, bundled_format};
use std::path::Path;

/// The example's PDF, written to tests/store/pdf/<name>/shengsi-2024.pdf.
fn example_pdf(name: &str) -> String {
    let dir = store("pdf", name);
    write(&dir, "shengsi-2024.pdf", &render_pdf(&example(), false))
}

/// Every paragraph of a report's prose, as written in the YAML.
fn prose_texts(items: &[ProseItem], out: &mut Vec<String>) {
    for item in items {
        match item {
            ProseItem::Paragraph(t) => out.push(t.text.clone()),
            ProseItem::Subsection(s) => {
                out.push(s.heading.text.clone());
                out.extend(s.text.iter().map(|t| t.text.clone()));
                prose_texts(&s.items, out);
            }
            ProseItem::Figure(f) => out.extend(f.caption.iter().map(|c| c.text.clone())),
        }
    }
}

#[test]
fn pdf_text_round_trip_keeps_every_paragraph() {
    let pdf = example_pdf("text-paragraphs");
    // Page numbers (`— 2 —`) stand between the parts of a paragraph that
    // crosses a page; drop them before joining the text.
    let raw = tool_ok("pdftotext", &["-enc", "UTF-8", &pdf, "-"]);
    let is_folio = |l: &str| {
        let t = strip_ws(l);
        t.len() > 6
            && t.starts_with('—')
            && t.ends_with('—')
            && t[3..t.len() - 3].chars().all(|c| c.is_ascii_digit())
    };
    let text = strip_ws(&raw.lines().filter(|l| !is_folio(l)).collect::<Vec<_>>().join("\n"));
    let laid = example_laid();
    let report = laid.loaded.report.as_ref().unwrap();
    let mut want = Vec::new();
    prose_texts(&report.preamble, &mut want);
    for s in &report.sections {
        prose_texts(&s.prose, &mut want);
        prose_texts(&s.notes, &mut want);
    }
    assert!(want.len() >= 12, "prose of the example: {want:?}");
    want.push(laid.doc.title.clone());
    for def in &bundled_format(2021).unwrap().sections {
        want.push(def.heading());
    }
    want.extend(["嵊泗县人民政府办公室".to_string(), "2025年1月22日".to_string()]);
    for p in &want {
        assert!(text.contains(&strip_ws(p)), "pdftotext lost the paragraph: {p}");
    }
}

/// A word of `pdftotext -bbox`: page, box and text.
struct Word {
    page: usize,
    x: f64,
    y: f64,
    text: String,
}

fn bbox_words(pdf: &str) -> Vec<Word> {
    let xml = tool_ok("pdftotext", &["-bbox", "-enc", "UTF-8", pdf, "-"]);
    let attr = |tag: &str, name: &str| -> f64 {
        let key = format!("{name}=\"");
        let start = tag.find(&key).expect("bbox attribute") + key.len();
        tag[start..].split('"').next().unwrap().parse().expect("a number")
    };
    let mut words = Vec::new();
    let mut page = 0;
    for part in xml.split('<').skip(1) {
        if part.starts_with("page ") {
            page += 1;
        } else if let Some(rest) = part.strip_prefix("word ") {
            let (tag, text) = rest.split_once('>').expect("a closed tag");
            let text = text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            words.push(Word {
                page: page - 1,
                x: (attr(tag, "xMin") + attr(tag, "xMax")) / 2.0,
                y: (attr(tag, "yMin") + attr(tag, "yMax")) / 2.0,
                text,
            });
        }
    }
    words
}

/// The ruled boxes of table cells on each page, found from the rules alone: the rules'
/// x and y positions cut the page into elementary boxes; neighbours not parted by a rule
/// belong to one cell; a cell is a group whose outline is ruled all round (the space
/// between two tables is not).
fn cell_boxes(laid: &Laid) -> Vec<(usize, [f64; 4])> {
    let mut out = Vec::new();
    for (p, page) in laid.layout.pages.iter().enumerate() {
        let (mut hs, mut vs) = (Vec::new(), Vec::new());
        for item in &page.items {
            if let Item::Line { x0, y0, x1, y1, .. } = *item {
                if (y0 - y1).abs() < 0.01 {
                    hs.push((y0, x0.min(x1), x0.max(x1)));
                } else if (x0 - x1).abs() < 0.01 {
                    vs.push((x0, y0.min(y1), y0.max(y1)));
                }
            }
        }
        let levels = |v: Vec<f64>| {
            let mut v = v;
            v.sort_by(f64::total_cmp);
            v.dedup_by(|a, b| (*a - *b).abs() < 0.01);
            v
        };
        let xs = levels(vs.iter().map(|v| v.0).collect());
        let ys = levels(hs.iter().map(|h| h.0).collect());
        if xs.len() < 2 || ys.len() < 2 {
            continue;
        }
        // Whether a rule covers the segment from a to b at `at` (horizontal or vertical).
        let covered = |rules: &[(f64, f64, f64)], at: f64, a: f64, b: f64| {
            rules.iter().any(|r| (r.0 - at).abs() < 0.01 && r.1 <= a + 0.01 && r.2 >= b - 0.01)
        };
        let (nx, ny) = (xs.len() - 1, ys.len() - 1);
        let mut group = vec![usize::MAX; nx * ny];
        for start in 0..nx * ny {
            if group[start] != usize::MAX {
                continue;
            }
            group[start] = start;
            let mut stack = vec![start];
            let mut members = Vec::new();
            while let Some(k) = stack.pop() {
                members.push(k);
                let (i, j) = (k % nx, k / nx);
                let mut visit = |n: usize| {
                    if group[n] == usize::MAX {
                        group[n] = start;
                        stack.push(n);
                    }
                };
                if i + 1 < nx && !covered(&vs, xs[i + 1], ys[j], ys[j + 1]) {
                    visit(k + 1);
                }
                if i > 0 && !covered(&vs, xs[i], ys[j], ys[j + 1]) {
                    visit(k - 1);
                }
                if j + 1 < ny && !covered(&hs, ys[j + 1], xs[i], xs[i + 1]) {
                    visit(k + nx);
                }
                if j > 0 && !covered(&hs, ys[j], xs[i], xs[i + 1]) {
                    visit(k - nx);
                }
            }
            let (i0, i1) =
                (members.iter().map(|k| k % nx).min(), members.iter().map(|k| k % nx).max());
            let (j0, j1) =
                (members.iter().map(|k| k / nx).min(), members.iter().map(|k| k / nx).max());
            let (Some(i0), Some(i1), Some(j0), Some(j1)) = (i0, i1, j0, j1) else { continue };
            let [x0, x1, y0, y1] = [xs[i0], xs[i1 + 1], ys[j0], ys[j1 + 1]];
            let rect = members.len() == (i1 - i0 + 1) * (j1 - j0 + 1);
            let ruled = covered(&hs, y0, x0, x1)
                && covered(&hs, y1, x0, x1)
                && covered(&vs, x0, y0, y1)
                && covered(&vs, x1, y0, y1);
            if rect && ruled {
                out.push((p, [x0, y0, x1, y1]));
            }
        }
    }
    out
}

#[test]
fn pdf_text_round_trip_keeps_every_table_label_and_number() {
    // pdftotext's reading order interleaves wrapped labels of neighbouring cells,
    // so each cell is read on its own: words of `pdftotext -bbox` whose centre lies
    // in the cell's ruled box, top to bottom, left to right.
    let pdf = example_pdf("text-tables");
    let laid = example_laid();
    let words = bbox_words(&pdf);
    let mut cells: Vec<String> = Vec::new();
    for (page, [x0, y0, x1, y1]) in cell_boxes(laid) {
        let mut inside: Vec<&Word> = words
            .iter()
            .filter(|w| w.page == page && w.x > x0 && w.x < x1 && w.y > y0 && w.y < y1)
            .collect();
        inside.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
        cells.push(inside.iter().map(|w| w.text.as_str()).collect());
    }
    // Every printed label of the official format, each in a cell of its own.
    let format = bundled_format(2021).unwrap();
    let mut labels = 0;
    for table in &format.tables {
        for cell in table.grid.rows.iter().flatten() {
            if let CellContent::Text(label) = &cell.content {
                let label = strip_ws(label);
                assert!(
                    cells.contains(&label),
                    "table {}: label `{label}` not read back",
                    table.key
                );
                labels += 1;
            }
        }
    }
    assert!(labels > 70, "{labels} labels");
    // Every number, exactly as many times as the tables print it.
    let mut want: Vec<String> = laid
        .doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .flat_map(|t| t.cells.iter().filter(|c| c.numeric).map(|c| c.text.clone()))
        .collect();
    let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.');
    let mut got: Vec<String> = cells.into_iter().filter(|c| numeric(c)).collect();
    want.sort();
    got.sort();
    assert_eq!(want.len(), 200, "10 + 175 + 15 numbers in tables 二, 三, 四");
    assert_eq!(got, want, "numbers read back from the tables");
}

#[test]
fn pdf_fonts_are_embedded_subset_with_unicode_maps() {
    let pdf = example_pdf("fonts");
    let out = tool_ok("pdffonts", &[&pdf]);
    let rows: Vec<&str> = out.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(rows.len(), 5, "{out}");
    for face in [
        "FandolSong-Regular",
        "FandolSong-Bold",
        "FandolHei-Regular",
        "FandolFang-Regular",
        "FandolKai-Regular",
    ] {
        let row = rows.iter().find(|r| r.contains(&format!("+{face}"))).unwrap_or_else(|| {
            panic!("{face} is not a subset font in the PDF:\n{out}");
        });
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "emb sub uni: {row}");
    }
}

/// The font programs are written by our own Huffman coder (vendor/krilla, `literals.rs`):
/// each must inflate with another implementation (lopdf's) to the bare CFF font the
/// subsetter made (its header, its face's name), and rasterise (poppler, `pdf_pages_rasterise`).
#[test]
fn pdf_font_programs_inflate_to_the_subset_fonts() {
    let pdf = std::fs::read(example_pdf("font-programs")).expect("the PDF");
    let doc = lopdf::Document::load_mem(&pdf).expect("lopdf reads the PDF");
    let mut faces = Vec::new();
    for object in doc.objects.values() {
        let Ok(stream) = object.as_stream() else { continue };
        let Ok(subtype) = stream.dict.get(b"Subtype").and_then(|s| s.as_name()) else { continue };
        if subtype != b"CIDFontType0C" {
            continue;
        }
        let font = stream.decompressed_content().expect("the font program inflates");
        assert_eq!(font[..4], [1, 0, 4, 4], "a CFF header");
        assert!(font.len() > 4_000, "a subset with its glyphs: {} bytes", font.len());
        let name = ["FandolSong-Regular", "FandolSong-Bold", "FandolHei-Regular"]
            .into_iter()
            .chain(["FandolFang-Regular", "FandolKai-Regular"])
            .find(|n| font.windows(n.len()).any(|w| w == n.as_bytes()));
        faces.push(name.expect("the face's name in the CFF name index"));
    }
    faces.sort_unstable();
    faces.dedup();
    assert_eq!(faces.len(), 5, "one program per Fandol face: {faces:?}");
}

#[test]
fn pdf_structure_and_metadata() {
    let pdf = example_pdf("structure");
    let check = tool("qpdf", &["--check", &pdf]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "qpdf --check failed:\n{stdout}");
    assert!(stdout.contains("No syntax or stream encoding errors"), "{stdout}");
    let info = tool_ok("pdfinfo", &["-isodates", "-f", "1", "-l", "99", &pdf]);
    let field = |name: &str| -> Vec<String> {
        info.lines()
            .filter(|l| l.starts_with(name))
            .map(|l| l.split_once(':').unwrap().1.trim().to_string())
            .collect()
    };
    assert_eq!(field("Title:"), ["嵊泗县人民政府办公室2024年度政府信息公开工作年度报告"]);
    assert_eq!(field("Author:"), ["嵊泗县人民政府办公室"]);
    // Dates come from the report (date: 2025-01-22, Beijing time), never the clock.
    assert_eq!(field("CreationDate:"), ["2025-01-22T00:00:00+08"]);
    assert_eq!(field("Pages:"), ["6"]);
    let sizes: Vec<String> = info
        .lines()
        .filter(|l| l.starts_with("Page ") && l.contains("size:"))
        .map(String::from)
        .collect();
    assert_eq!(sizes.len(), 6, "{info}");
    for s in sizes {
        assert!(s.ends_with("595.276 x 841.89 pts (A4)"), "{s}");
    }
}

#[test]
fn pdf_output_is_deterministic() {
    let a = render_pdf(&example(), false);
    let b = render_pdf(&example(), false);
    assert!(a == b, "two renders in one process differ");
    // Two processes (hash seeds, thread timing, allocation addresses all differ).
    let dir = store("pdf", "deterministic");
    for sub in ["one", "two"] {
        let out = nianbao()
            .args(["render", "-o"])
            .arg(dir.join(sub))
            .arg(example())
            .output()
            .expect("run nianbao");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let one = std::fs::read(dir.join("one/shengsi-2024.pdf")).unwrap();
    let two = std::fs::read(dir.join("two/shengsi-2024.pdf")).unwrap();
    assert!(one == two, "two processes wrote different bytes");
    assert!(one == a, "the CLI and the library wrote different bytes");
    // The pieces agree too: render() is resolve → layout → pdf::export.
    let laid = lay_out(&example());
    // The engine tags by default.
    let options = PdfOptions { tagged: true, ..PdfOptions::default() };
    let direct = nianbao::pdf::export(&laid.layout, fonts(), &laid.doc, options).expect("exports");
    assert!(direct == a);
}

#[test]
fn pdf_missing_glyph_warns_and_renders() {
    let path = common::root().join("tests/suite/render/missing-glyph.yaml");
    let line = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .position(|l| l.contains('\u{20000}') && !l.starts_with('#'))
        .unwrap() as u32
        + 1;
    let loaded = common::load(&path);
    let out = common::engine(false)
        .render(&loaded, &[OutputKind::Pdf])
        .expect("renders despite the glyph");
    let warns: Vec<_> = out.warnings.iter().filter(|d| d.code == Code::MissingGlyph).collect();
    assert_eq!(warns.len(), 1, "one warning per character and place: {:#?}", out.warnings);
    let w = warns[0];
    assert_eq!(w.span.line, line);
    assert!(
        w.message_en.contains('\u{20000}') && w.message_en.contains("U+20000"),
        "{}",
        w.message_en
    );
    let dir = store("pdf", "missing-glyph");
    let pdf = write(&dir, "missing-glyph.pdf", out.pdf().unwrap());
    assert!(tool("qpdf", &["--check", &pdf]).status.success());
    // The CLI prints it with the code and the line, and still writes the file.
    let cli = nianbao()
        .args(["render", "--diagnostics", "short", "-o"])
        .arg(dir.join("cli"))
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(cli.status.success(), "{stderr}");
    assert!(
        stderr.contains("W-G1")
            && stderr.contains("U+20000")
            && stderr.contains(&format!(":{line}:")),
        "{stderr}"
    );
    assert!(dir.join("cli/missing-glyph.pdf").is_file());
}

/// A red ring on a transparent background, like a scanned seal.
fn write_seal(path: &Path) {
    let n = 240u32;
    let img = image::RgbaImage::from_fn(n, n, |x, y| {
        let (dx, dy) = (f64::from(x) - 119.5, f64::from(y) - 119.5);
        let r = (dx * dx + dy * dy).sqrt();
        if (100.0..118.0).contains(&r) || (dx.abs() < 30.0 && dy.abs() < 30.0) {
            image::Rgba([220, 0, 0, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    img.save_with_format(path, image::ImageFormat::Png).expect("write the seal PNG");
}

#[test]
fn pdf_seal_sits_on_the_date_per_gbt9704() {
    let dir = store("pdf", "seal");
    write_seal(&dir.join("seal.png"));
    let yaml = std::fs::read_to_string(example()).unwrap() + "\nsignature:\n  seal: seal.png\n";
    std::fs::write(dir.join("sealed.yaml"), yaml).unwrap();
    let laid = lay_out(&dir.join("sealed.yaml"));
    let g = geometry();

    // The PDF draws the image with its alpha channel as a soft mask.
    let pdf = write(&dir, "sealed.pdf", &render_pdf(&dir.join("sealed.yaml"), false));
    let list = tool_ok("pdfimages", &["-list", &pdf]);
    let kinds: Vec<&str> =
        list.lines().skip(2).filter_map(|l| l.split_whitespace().nth(2)).collect();
    assert_eq!(kinds, ["image", "smask"], "{list}");
    assert!(tool("qpdf", &["--check", &pdf]).status.success());

    let last = laid.layout.pages.len() - 1;
    let seals: Vec<[f64; 4]> = laid.layout.pages[last]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Image { x, y, w, h, .. } => Some([*x, *y, *w, *h]),
            _ => None,
        })
        .collect();
    assert_eq!(seals.len(), 1, "the seal is drawn once, on the signature's page");
    let [sx, sy, sw, sh] = seals[0];
    assert!((sw - 42.0 * 72.0 / 25.4).abs() < 0.01 && (sw - sh).abs() < 0.01);

    let grid = grid_lines(&laid.layout);
    let n = grid.len();
    let (unit, date) = (&grid[n - 2], &grid[n - 1]);
    assert_eq!((unit.text.as_str(), date.text.as_str()), ("嵊泗县人民政府办公室", "2025年1月22日"));
    assert_eq!(unit.page, last);
    // 成文日期右空四字; the unit name centred on the date; the seal centred on both.
    assert!((date.x1 - (g.right - 4.0 * g.char_pitch)).abs() < 0.05, "date ends at {}", date.x1);
    let centre = (date.x0 + date.x1) / 2.0;
    assert!(((unit.x0 + unit.x1) / 2.0 - centre).abs() < 0.5);
    assert!((sx + sw / 2.0 - centre).abs() < 0.5, "seal centre {} vs date {centre}", sx + sw / 2.0);
    // 居印章中心偏下: the text sits below the seal's centre, inside the seal.
    let text_mid = (unit.y + date.y) / 2.0 - 16.0 * 0.38;
    assert!(text_mid > sy + sh / 2.0, "the text is not below the seal's centre");
    assert!(date.y < sy + sh, "the date is below the seal");
    // 印章顶端应当上距正文一行之内: the seal's top lies below the text above (its
    // em box bottom) by less than one line.
    let above = &grid[n - 3];
    assert_eq!(above.page, last, "the text above is on the seal's page");
    let text_bottom = above.y + 0.12 * above.size;
    let gap = sy - text_bottom;
    assert!(
        (0.0..=g.pitch).contains(&gap),
        "seal top {sy:.2} is {gap:.2} pt below the text above (want 0..{:.2})",
        g.pitch
    );
}

#[test]
fn pdf_a_has_pdfaid_metadata_and_passes_qpdf() {
    let dir = store("pdf", "pdfa");
    let pdf = write(&dir, "shengsi-2024-a.pdf", &render_pdf(&example(), true));
    let check = tool("qpdf", &["--check", &pdf]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let text = uncompressed(Path::new(&pdf));
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"), "no PDF/A part in the XMP");
    assert!(text.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    assert!(text.contains("/OutputIntents"), "PDF/A needs an output intent");
    // The plain PDF does not claim PDF/A.
    let plain = String::from_utf8_lossy(&render_pdf(&example(), false)).into_owned();
    assert!(!plain.contains("pdfaid"));
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn pdf_writes_are_atomic() {
    let dir = store("pdf", "atomic");
    // A report with errors: exit 1, nothing written.
    let bad = std::fs::read_to_string(example())
        .unwrap()
        .replace("received:         [7, 0, 0, 0, 0, 0]", "received:         [9, 0, 0, 0, 0, 0]");
    std::fs::write(dir.join("bad.yaml"), bad).unwrap();
    let out_bad = dir.join("out-bad");
    let st =
        nianbao().args(["render", "-o"]).arg(&out_bad).arg(dir.join("bad.yaml")).output().unwrap();
    assert_eq!(st.status.code(), Some(1), "{}", String::from_utf8_lossy(&st.stderr));
    assert_eq!(listing(&out_bad), Vec::<String>::new());

    // The target cannot be replaced (a folder holds its name): exit 2, no temp file.
    let blocked = dir.join("blocked");
    std::fs::create_dir_all(blocked.join("shengsi-2024.pdf")).unwrap();
    let st = nianbao().args(["render", "-o"]).arg(&blocked).arg(example()).output().unwrap();
    assert_eq!(st.status.code(), Some(2), "{}", String::from_utf8_lossy(&st.stderr));
    assert_eq!(listing(&blocked), ["shengsi-2024.pdf"]);
    assert!(blocked.join("shengsi-2024.pdf").is_dir());

    // A read-only folder: exit 2, nothing written.
    let ro = dir.join("read-only");
    std::fs::create_dir_all(&ro).unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms.clone()).unwrap();
    let privileged = std::fs::write(ro.join("probe"), b"").is_ok();
    if privileged {
        let _ = std::fs::remove_file(ro.join("probe"));
        eprintln!(
            "NOTICE pdf_writes_are_atomic: running with privileges that ignore folder \
             permissions (root?); the read-only folder case is not exercised here"
        );
    } else {
        let st = nianbao().args(["render", "-o"]).arg(&ro).arg(example()).output().unwrap();
        assert_eq!(st.status.code(), Some(2), "{}", String::from_utf8_lossy(&st.stderr));
        assert_eq!(listing(&ro), Vec::<String>::new());
    }
    #[allow(clippy::permissions_set_readonly_false, reason = "let the store be cleaned")]
    perms.set_readonly(false);
    std::fs::set_permissions(&ro, perms).unwrap();
}

#[test]
fn pdf_pages_rasterise() {
    let dir = store("render", "shengsi-2024");
    let pdf = write(&dir, "shengsi-2024.pdf", &render_pdf(&example(), false));
    tool_ok("pdftoppm", &["-r", "60", "-png", &pdf, &dir.join("page").to_string_lossy()]);
    let mut pngs: Vec<String> = listing(&dir).into_iter().filter(|n| n.ends_with(".png")).collect();
    pngs.sort();
    assert_eq!(
        pngs,
        ["page-1.png", "page-2.png", "page-3.png", "page-4.png", "page-5.png", "page-6.png"]
    );
    for name in pngs {
        let img = image::open(dir.join(&name)).expect("a readable PNG").to_luma8();
        // A4 at 60 dpi.
        let (w, h) = img.dimensions();
        assert!((496..=497).contains(&w) && (701..=702).contains(&h), "{name}: {w}x{h}");
        let ink = img.pixels().filter(|p| p.0[0] < 128).count();
        assert!(ink > 500, "{name} is blank");
    }
}

/// A figure from the prose (`{image, caption, width_mm}`) is drawn centred at the asked
/// width with its aspect ratio, inside the 版心, and its caption comes back from pdftotext.
#[test]
fn pdf_figure_is_centred_with_its_caption() {
    let dir = store("pdf", "figure");
    // A 300 × 150 JPEG chart stand-in.
    let img = image::RgbImage::from_fn(300, 150, |x, _| image::Rgb([(x % 256) as u8, 90, 160]));
    img.save_with_format(dir.join("chart.jpg"), image::ImageFormat::Jpeg).expect("write the JPEG");
    let yaml = std::fs::read_to_string(example()).unwrap().replace(
        "other:\n",
        "other:\n  - image: chart.jpg\n    caption: 图1 2024年依申请公开办理情况\n    width_mm: 100\n",
    );
    assert!(yaml.contains("image: chart.jpg"));
    std::fs::write(dir.join("figure.yaml"), yaml).unwrap();
    let laid = lay_out(&dir.join("figure.yaml"));
    let g = geometry();
    let figures: Vec<[f64; 4]> = laid
        .layout
        .pages
        .iter()
        .flat_map(|p| p.items.iter())
        .filter_map(|i| match i {
            Item::Image { x, y, w, h, .. } => Some([*x, *y, *w, *h]),
            _ => None,
        })
        .collect();
    assert_eq!(figures.len(), 1);
    let [x, y, w, h] = figures[0];
    assert!((w - 100.0 * 72.0 / 25.4).abs() < 0.01, "width {w}");
    assert!((h - w / 2.0).abs() < 0.01, "aspect ratio kept: {w} × {h}");
    assert!(((x + w / 2.0) - (g.left + g.right) / 2.0).abs() < 0.01, "centred in the 版心");
    assert!(y >= g.top - 0.01 && y + h <= g.bottom + 0.01, "inside the 版心 vertically");
    let pdf = write(&dir, "figure.pdf", &render_pdf(&dir.join("figure.yaml"), false));
    let list = tool_ok("pdfimages", &["-list", &pdf]);
    assert!(list.lines().skip(2).any(|l| l.split_whitespace().nth(3) == Some("300")), "{list}");
    let text = strip_ws(&tool_ok("pdftotext", &["-enc", "UTF-8", &pdf, "-"]));
    assert!(text.contains("图12024年依申请公开办理情况"), "caption missing");
}
