//! Typography of the positioned layout (spec: /work/shared/spec/typography.md):
//! the 22 × 28 grid, indents and justification, Chinese line breaking, page
//! numbers, the title, tables and headings, checked on the shipped example.

use crate::render_support;
use render_support as common;

/// Golden files under `tests/ref/` (the helpers the validation tests use).
use crate::common as refs;

use common::{Line, example_laid, fonts, geometry, grid_lines, lines, strip_ws};
use nianbao::layout::Item;
use nianbao::resolve::{Align, Block, ParaStyle, Paragraph, Run, Table};
use nianbao::template::Role;

/// Pairs every paragraph of the resolved document with the grid lines that set it,
/// and returns the signature lines separately. Fails when the lines do not spell
/// the paragraphs in order (lost, doubled or reordered text).
fn paragraphs() -> (Vec<(&'static Paragraph, Vec<Line>)>, Vec<Line>) {
    let laid = example_laid();
    let mut lines = grid_lines(&laid.layout).into_iter();
    let mut out = Vec::new();
    let mut signature = Vec::new();
    for block in &laid.doc.blocks {
        match block {
            Block::Paragraph(p) => {
                let want = strip_ws(&p.runs.iter().map(|r| r.text.as_str()).collect::<String>());
                let mut got = String::new();
                let mut set = Vec::new();
                while got.len() < want.len() {
                    let line = lines.next().unwrap_or_else(|| panic!("text runs out at {want}"));
                    got.push_str(&line.compact());
                    set.push(line);
                }
                assert_eq!(got, want, "the lines do not spell the paragraph");
                out.push((p, set));
            }
            Block::Signature(s) => {
                let n = if s.date.is_some() { 2 } else { 1 };
                signature.extend(lines.by_ref().take(n));
            }
            _ => {}
        }
    }
    assert!(lines.next().is_none(), "grid lines left over after the signature");
    (out, signature)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn layout_grid_lines_sit_on_the_22_line_grid() {
    let g = geometry();
    let laid = example_laid();
    let body: Vec<Line> =
        grid_lines(&laid.layout).into_iter().filter(|l| close(l.size, 16.0, 0.01)).collect();
    assert!(body.len() > 60, "the example has over 60 body lines, found {}", body.len());
    // Every 16 pt line sits at the same offset inside a slot of the 22-line grid.
    let offset = (body[0].y - g.top).rem_euclid(g.pitch);
    assert!(offset > 0.0 && offset < g.pitch);
    for l in &body {
        let k = (l.y - g.top - offset) / g.pitch;
        assert!(
            close(k, k.round(), 0.01 / g.pitch),
            "page {} line `{}` is off the grid by {:.3} pt",
            l.page + 1,
            l.text,
            (k - k.round()) * g.pitch
        );
        assert!((0.0..22.0).contains(&k.round()), "line `{}` is outside the 版心", l.text);
    }
    // At most 22 lines a page; a full body page has exactly 22, one pitch apart.
    let mut full = 0;
    for p in 0..laid.layout.pages.len() {
        let on: Vec<&Line> = body.iter().filter(|l| l.page == p).collect();
        assert!(on.len() <= 22, "page {} has {} body lines", p + 1, on.len());
        if on.len() == 22 {
            full += 1;
            for w in on.windows(2) {
                assert!(
                    close(w[1].y - w[0].y, g.pitch, 0.01),
                    "page {}: `{}` → `{}` step {:.3} pt, want {:.3}",
                    p + 1,
                    w[0].text,
                    w[1].text,
                    w[1].y - w[0].y,
                    g.pitch
                );
            }
        }
    }
    assert!(full >= 1, "no full body page in the example");
    // Lines of one paragraph are always one pitch apart on a page.
    for (p, set) in paragraphs().0 {
        for w in set.windows(2).filter(|w| w[0].page == w[1].page) {
            assert!(close(w[1].y - w[0].y, g.pitch, 0.01), "{:?}: {w:?}", p.style);
        }
    }
}

#[test]
fn layout_body_paragraphs_indent_and_fill_the_measure() {
    let g = geometry();
    let indent = g.left + 2.0 * g.char_pitch;
    let mut checked = 0;
    for (p, set) in paragraphs().0 {
        if p.style != ParaStyle::Body || p.align != Align::Justify {
            continue;
        }
        let n = set.len();
        for (i, l) in set.iter().enumerate() {
            let start = if i == 0 { indent } else { g.left };
            assert!(close(l.x0, start, 0.05), "line {i} `{}` starts at {:.3}", l.text, l.x0);
            if i + 1 < n {
                assert!(
                    close(l.x1, g.right, 0.05),
                    "line {i} `{}` ends at {:.3}, not the 版心 edge {:.3}",
                    l.text,
                    l.x1,
                    g.right
                );
            } else {
                assert!(l.x1 <= g.right + 0.05, "last line `{}` overruns", l.text);
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} body lines checked");
}

#[test]
fn layout_full_cjk_line_fills_the_measure() {
    use nianbao::layout::text::{Shaper, set_paragraph};
    let g = geometry();
    let style = common::style();
    let size = |r: Role| style.role(r).size.to_pt();
    let grid = |_: Role| Some(g.char_pitch);
    let shaper = Shaper { fonts: fonts(), size: &size, grid_pitch: &grid };
    let width = g.right - g.left;
    let run = |n: usize| vec![Run { text: "政".repeat(n), role: Role::Body }];
    // 28 characters: one line (a last line, so not stretched) exactly 156 mm wide.
    let set = set_paragraph(&shaper.shape(&run(28)), width, 0.0, Align::Justify);
    assert_eq!(set.len(), 1);
    assert!(close(set[0].width(), width, 1e-6), "28 characters are {:.4} pt", set[0].width());
    // 29 do not fit.
    assert_eq!(set_paragraph(&shaper.shape(&run(29)), width, 0.0, Align::Justify).len(), 2);
    // With the 2-character indent the first line holds 26.
    let set = set_paragraph(&shaper.shape(&run(60)), width, 2.0 * g.char_pitch, Align::Justify);
    assert_eq!(set.iter().map(|l| l.glyphs.len()).collect::<Vec<_>>(), [26, 28, 6]);
}

#[test]
fn layout_line_breaking_follows_clreq() {
    const NO_START: &str = "，。、；：？！）》」』”’〕】…";
    const NO_END: &str = "（《「『“‘〔【";
    let laid = example_laid();
    for l in lines(&laid.layout) {
        let first = l.text.trim().chars().next().expect("lines are not empty");
        let last = l.text.trim().chars().last().expect("lines are not empty");
        assert!(
            !NO_START.contains(first),
            "page {} line starts with {first}: {}",
            l.page + 1,
            l.text
        );
        assert!(!NO_END.contains(last), "page {} line ends with {last}: {}", l.page + 1, l.text);
    }
    // Latin and digit runs (2024, 100%, 900) never split across lines.
    let latin = |c: char| c.is_ascii_alphanumeric() || c == '%' || c == '.';
    let mut boundaries = 0;
    for (_, set) in paragraphs().0 {
        for w in set.windows(2) {
            let a = w[0].text.trim_end().chars().last().unwrap();
            let b = w[1].text.trim_start().chars().next().unwrap();
            assert!(
                !(latin(a) && latin(b)),
                "a Latin/digit run is split: `{}` | `{}`",
                w[0].text,
                w[1].text
            );
            boundaries += 1;
        }
    }
    assert!(boundaries > 40, "only {boundaries} line breaks checked");
    let all: Vec<String> = grid_lines(&laid.layout).iter().map(Line::compact).collect();
    for word in ["2024年", "100%", "900余条", "2025年1月22日"] {
        assert!(all.iter().any(|l| l.contains(word)), "`{word}` is broken across lines");
    }
}

#[test]
fn layout_page_numbers_follow_gbt9704() {
    let g = geometry();
    let laid = example_laid();
    let all = lines(&laid.layout);
    let seven_mm = 7.0 * 72.0 / 25.4;
    for p in 0..laid.layout.pages.len() {
        let n = p + 1;
        let nums: Vec<&Line> =
            all.iter().filter(|l| l.page == p && close(l.size, 14.0, 0.01)).collect();
        assert_eq!(nums.len(), 1, "page {n}: {nums:?}");
        let l = nums[0];
        assert_eq!(l.text, format!("— {n} —"));
        assert!(l.faces.iter().all(|f| f == "FandolSong-Regular"), "{:?}", l.faces);
        if n % 2 == 1 {
            assert!(close(l.x1, g.right - 14.0, 0.05), "odd page {n} ends at {:.2}", l.x1);
        } else {
            assert!(close(l.x0, g.left + 14.0, 0.05), "even page {n} starts at {:.2}", l.x0);
        }
        // The dash line 7 mm below the 版心: the baseline a little lower.
        let below = l.y - g.bottom - seven_mm;
        assert!((2.0..=7.0).contains(&below), "page {n}: baseline {below:.2} pt below 7 mm");
    }
}

#[test]
fn layout_title_is_centred_and_balanced() {
    let g = geometry();
    let (paras, _) = paragraphs();
    let (title, set) = &paras[0];
    assert_eq!(title.style, ParaStyle::Title);
    assert!(set.len() >= 2, "the example title needs two lines");
    for l in set {
        assert!(l.faces.iter().all(|f| f == "FandolSong-Bold"), "{:?}", l.faces);
        assert!(close(l.size, 22.0, 0.01));
        // 居中 in GB/T 9704 centres on the 版心 (28 mm left, 26 mm right margin), which
        // lies 1 mm right of the page centre.
        let centre = (l.x0 + l.x1) / 2.0;
        let measure = (g.left + g.right) / 2.0;
        assert!(
            close(centre, measure, 0.5),
            "`{}` centred at {centre:.2}, not {measure:.2}",
            l.text
        );
        assert!(l.text.chars().count() >= 2, "orphan title line `{}`", l.text);
    }
    // GB/T 9704 §7.3.1: 回行时词意完整、排列对称，梯形或菱形. A title that starts with the
    // unit's name turns after it (a trapezoid: short line over a longer one); any other
    // title is balanced (line widths within one character).
    let widths: Vec<f64> = set.iter().map(|l| l.x1 - l.x0).collect();
    let spread = widths.iter().cloned().fold(f64::MIN, f64::max)
        - widths.iter().cloned().fold(f64::MAX, f64::min);
    let unit_first = set[0].text == "嵊泗县人民政府办公室" && widths[0] < widths[1];
    assert!(
        unit_first || spread <= 22.0 + 0.01,
        "title lines are neither a unit-name trapezoid nor balanced: {widths:?}"
    );
    // One blank grid line after the title.
    let (_, next) = &paras[1];
    let slot = |l: &Line| ((l.y - g.top) / g.pitch).floor() as i64;
    assert_eq!(slot(&next[0]) - slot(set.last().unwrap()), 2);
}

#[test]
fn layout_tables_stay_inside_the_measure() {
    let g = geometry();
    let laid = example_laid();
    let (mut min, mut max) = (f64::MAX, f64::MIN);
    for (p, page) in laid.layout.pages.iter().enumerate() {
        for item in &page.items {
            if let Item::Line { x0, y0, x1, y1, .. } = *item {
                for x in [x0, x1] {
                    assert!(
                        x >= g.left - 0.01 && x <= g.right + 0.01,
                        "page {}: rule at x {x}",
                        p + 1
                    );
                    min = min.min(x);
                    max = max.max(x);
                }
                for y in [y0, y1] {
                    assert!(
                        y >= g.top - 0.01 && y <= g.bottom + 0.01,
                        "page {}: rule at y {y}",
                        p + 1
                    );
                }
            }
        }
    }
    assert!(close(min, g.left, 0.01) && close(max, g.right, 0.01), "tables span {min}..{max}");
    for l in lines(&laid.layout).iter().filter(|l| l.size < 13.0) {
        assert!(l.x0 >= g.left && l.x1 <= g.right, "table text `{}` leaves the 版心", l.text);
        assert!(l.y <= g.bottom, "table text `{}` below the 版心", l.text);
    }
}

fn table(key: &str) -> &'static Table {
    example_laid()
        .doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) if t.key == key => Some(t),
            _ => None,
        })
        .expect("the example has the table")
}

/// For each left-aligned body label of a table: the page and the baseline of the
/// row's centre, found by stacking the label's wrapped lines. Fails when a label
/// is not whole on one page.
fn rows_on_pages(t: &Table) -> Vec<(usize, usize, f64, Vec<Line>)> {
    let laid = example_laid();
    let all: Vec<Line> = lines(&laid.layout).into_iter().filter(|l| l.size < 13.0).collect();
    let mut out = Vec::new();
    for cell in t.cells.iter().filter(|c| {
        !c.numeric && !c.head && c.rowspan == 1 && c.row >= t.header_rows && c.align == Align::Left
    }) {
        let want = strip_ws(&cell.text);
        let mut found = Vec::new();
        for (i, start) in all.iter().enumerate() {
            if !want.starts_with(&start.compact()) {
                continue;
            }
            let mut got = start.compact();
            let mut stack = vec![start.clone()];
            for l in &all[i + 1..] {
                if got.len() >= want.len() {
                    break;
                }
                if l.page == start.page
                    && close(l.x0, start.x0, 0.1)
                    && l.y > stack.last().unwrap().y
                {
                    got.push_str(&l.compact());
                    stack.push(l.clone());
                }
            }
            if got == want {
                found.push(stack);
            }
        }
        assert_eq!(found.len(), 1, "label `{}` is not whole on exactly one page", cell.text);
        let stack = found.pop().unwrap();
        let centre = (stack[0].y + stack.last().unwrap().y) / 2.0;
        out.push((cell.row, stack[0].page, centre, stack));
    }
    out
}

#[test]
fn layout_table_rows_are_never_split() {
    let laid = example_laid();
    let t = table("applications");
    let rows = rows_on_pages(t);
    assert!(rows.len() >= 20, "only {} labelled rows", rows.len());
    let all = lines(&laid.layout);
    for (row, page, centre, stack) in &rows {
        // The row's numbers sit on the label's page, centred on the same line.
        let numbers: Vec<&str> = t
            .cells
            .iter()
            .filter(|c| c.numeric && c.row == *row)
            .map(|c| c.text.as_str())
            .collect();
        let label_x1 = stack.iter().map(|l| l.x1).fold(0.0, f64::max);
        let got: Vec<&str> = all
            .iter()
            .filter(|l| l.page == *page && close(l.y, *centre, 0.1) && l.x0 > label_x1)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(got, numbers, "row {row} (`{}`) is split or misplaced", stack[0].text);
        // A rule above and below the label on the same page, none through it.
        let x = stack[0].x0 + 1.0;
        let (top, bottom) = (stack[0].y - 10.5, stack.last().unwrap().y + 3.0);
        let rules: Vec<f64> = laid.layout.pages[*page]
            .items
            .iter()
            .filter_map(|i| match *i {
                Item::Line { x0, y0, x1, y1, .. }
                    if close(y0, y1, 1e-9) && x0.min(x1) <= x && x <= x0.max(x1) =>
                {
                    Some(y0)
                }
                _ => None,
            })
            .collect();
        assert!(rules.iter().any(|&y| y < top), "row {row}: no rule above on page {page}");
        assert!(rules.iter().any(|&y| y > bottom), "row {row}: no rule below on page {page}");
        assert!(!rules.iter().any(|&y| y > top && y < bottom), "row {row}: a rule cuts the label");
    }
}

#[test]
fn layout_table_header_repeats_on_continuation_pages() {
    let laid = example_laid();
    let t = table("applications");
    let mut table_pages: Vec<usize> = rows_on_pages(t).iter().map(|r| r.1).collect();
    table_pages.dedup();
    assert!(table_pages.len() >= 2, "table 3 should cross a page in the example");
    let all = lines(&laid.layout);
    let with = |text: &str| -> Vec<usize> {
        let mut pages: Vec<usize> = all.iter().filter(|l| l.text == text).map(|l| l.page).collect();
        pages.dedup();
        pages
    };
    for head in ["申请人情况", "法人或其他组织", "总计"] {
        let pages = with(head);
        for p in &table_pages {
            assert!(pages.contains(p), "header `{head}` missing on page {}", p + 1);
        }
    }
    assert!(with("申请人情况").len() >= 2);
}

#[test]
fn layout_headings_use_their_fonts_and_keep_with_next() {
    let laid = example_laid();
    let all = lines(&laid.layout);
    let (paras, _) = paragraphs();
    let mut h1 = Vec::new();
    let mut kai = 0;
    for (p, set) in &paras {
        let first_face = &set[0].faces[0];
        match p.style {
            ParaStyle::Heading1 => {
                h1.push(set[0].text.clone());
                assert!(set.iter().all(|l| l.faces.iter().all(|f| f == "FandolHei-Regular")));
            }
            ParaStyle::Heading2 => {
                kai += 1;
                assert!(set.iter().all(|l| l.faces.iter().all(|f| f == "FandolKai-Regular")));
            }
            ParaStyle::Body if p.runs[0].role == Role::Heading2 => {
                kai += 1;
                assert_eq!(first_face, "FandolKai-Regular", "run-in heading `{}`", set[0].text);
                assert!(set[0].faces.contains(&"FandolFang-Regular".to_string()));
            }
            ParaStyle::Body => assert_eq!(first_face, "FandolFang-Regular"),
            _ => {}
        }
        if p.keep_with_next && p.style != ParaStyle::Title {
            let last = set.last().unwrap();
            let follows = all
                .iter()
                .any(|l| l.page == last.page && l.y > last.y && l.size > 10.0 && l.size != 14.0);
            assert!(follows, "heading `{}` is the last line of page {}", last.text, last.page + 1);
        }
    }
    assert_eq!(
        h1,
        [
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项"
        ]
    );
    assert_eq!(kai, 7, "five standalone and two run-in （一） headings");
}

/// The positioned pages of both examples as text (`layout::dump`), against
/// `tests/ref/layout/`: any change to where a glyph run, rule or image lands
/// shows up as a diff. Accept an intended change with
/// `UPDATE_REFS=1 cargo test --test layout golden` and read the diff first.
#[test]
fn golden_layout_dumps() {
    for name in ["shengsi-2024", "township-2025"] {
        let laid = common::lay_out(&common::root().join(format!("examples/{name}.yaml")));
        let dump = nianbao::layout::dump(&laid.layout, fonts());
        assert!(dump.lines().count() > 200, "{name}: a dump of a few lines is not a layout");
        refs::compare_ref(&format!("layout/{name}.txt"), &dump);
    }
}
