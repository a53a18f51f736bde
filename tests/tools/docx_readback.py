"""Reads a nianbao DOCX back with python-docx and checks what Word will see:
page setup, named styles and their fonts, indents, the merged cells and numbers of
the three official tables, the footers' PAGE field, core properties.

Usage: python3 docx_readback.py FILE.docx   (exit status 1 on the first failed check)
"""

import sys

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def near(a, b, tol):
    return a is not None and abs(a - b) <= tol


d = docx.Document(sys.argv[1])

# Page: A4, GB/T 9704 margins, odd/even footers, 22-line grid.
s = d.sections[0]
check(near(s.page_width.mm, 210, 0.1) and near(s.page_height.mm, 297, 0.1), "A4 page")
check(
    near(s.top_margin.mm, 37, 0.1)
    and near(s.left_margin.mm, 28, 0.1)
    and near(s.right_margin.mm, 26, 0.1)
    and near(s.bottom_margin.mm, 35, 0.1),
    "margins 37/28/26/35 mm",
)
check(d.settings.odd_and_even_pages_header_footer, "evenAndOddHeaders")
grid = s._sectPr.find(qn("w:docGrid"))
check(grid is not None and grid.get(qn("w:type")) == "lines", "docGrid type=lines")
check(grid is not None and int(grid.get(qn("w:linePitch"))) * 22 <= Mm(225).twips, "22 lines fit")

# Footers: "— PAGE —", odd right, even left.
for footer, align in [(s.footer, WD_ALIGN_PARAGRAPH.RIGHT), (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)]:
    p = footer.paragraphs[0]
    instr = "".join(t.text for t in p._p.iter(qn("w:instrText")))
    check(instr.strip() == "PAGE", f"footer PAGE field ({align})")
    check(p.text.startswith("— ") and p.text.endswith(" —"), f"footer text {p.text!r}")
    check(p.alignment == align, f"footer alignment {align}")

# Core properties.
cp = d.core_properties
check(cp.title == "嵊泗县人民政府办公室2024年度政府信息公开工作年度报告", f"core title {cp.title!r}")
check(cp.author == "嵊泗县人民政府办公室", f"core author {cp.author!r}")
check(cp.created is not None and cp.created.year == 2025 and cp.created.month == 1, "created = date")


def style_fonts(style):
    """eastAsia font, size and bold, following basedOn."""
    east, size, bold = None, None, None
    while style is not None:
        rpr = style.element.rPr
        if rpr is not None:
            fonts = rpr.find(qn("w:rFonts"))
            if east is None and fonts is not None:
                east = fonts.get(qn("w:eastAsia"))
        if size is None:
            size = style.font.size
        if bold is None:
            bold = style.font.bold
        style = style.base_style
    return east, size, bool(bold)


expect = {
    "Title": ("方正小标宋简体", 22),
    "Body": ("仿宋_GB2312", 16),
    "Heading 1": ("黑体", 16),
    "Heading 2": ("楷体_GB2312", 16),
    "Heading 3": ("仿宋_GB2312", 16),
    "Heading 4": ("仿宋_GB2312", 16),
    "Caption": ("楷体_GB2312", 14),
    "Signature": ("仿宋_GB2312", 16),
    "Table Text": ("宋体", 10.5),
    "Table Head": ("黑体", 10.5),
    "Footer": ("宋体", 14),
}
for name, (east, size) in expect.items():
    st = d.styles[name]
    got = style_fonts(st)
    check(got[0] == east and got[1] == Pt(size), f"style {name}: {got[0]} {got[1] and got[1].pt}pt")
check(not style_fonts(d.styles["Heading 3"])[2], "Heading 3 not bold, as in the PDF (#14 item 11)")
for level in range(1, 5):
    ppr = d.styles[f"Heading {level}"].element.pPr
    lvl = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    check(lvl is not None and int(lvl.get(qn("w:val"))) == level - 1, f"Heading {level} outlineLvl")

body = d.styles["Body"]
ind = body.element.pPr.find(qn("w:ind"))
check(ind is not None and ind.get(qn("w:firstLineChars")) == "200", "Body firstLineChars=200")
check(near(body.paragraph_format.first_line_indent.pt, 31.5, 0.6), "Body first line ≈ 2 characters")
normal = d.styles["Normal"].paragraph_format
check(normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY, "exact line spacing")
check(near(normal.line_spacing.pt, 225 / 22 * 72 / 25.4, 0.06), f"line pitch {normal.line_spacing.pt}")
check(normal.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY, "justified")
spacing = body.element.rPr.find(qn("w:spacing"))
check(spacing is not None and int(spacing.get(qn("w:val"))) < 0, "Body tracking (28 per line)")

# Paragraphs use the styles.
paras = d.paragraphs
check(paras[0].style.name == "Title" and paras[0].text.replace("\n", "") == cp.title, "first paragraph is the title")
names = [p.style.name for p in paras]
for name in ["Body", "Heading 1", "Heading 2", "Signature"]:
    check(name in names, f"a paragraph in {name}")
h1 = [p.text for p in paras if p.style.name == "Heading 1"]
check(h1[0] == "一、总体情况" and len(h1) == 6, f"six 一、 headings: {h1}")
# Run-in heading: a Body paragraph whose first run is in the Heading 2 character style.
run_in = [p for p in paras if p.style.name == "Body" and p.runs and p.runs[0].style is not None and p.runs[0].style.name == "Heading 2 Char"]
check(len(run_in) == 2 and run_in[0].runs[0].text == "（一）存在的主要问题：", "run-in headings")

# Tables.
tables = d.tables
check(len(tables) == 3, f"three tables ({len(tables)})")
proactive, apps, reviews = tables


def cells_text(row):
    out, seen = [], set()
    for c in row.cells:
        if id(c._tc) not in seen:
            seen.add(id(c._tc))
            out.append(c.text)
    return out


check(cells_text(proactive.rows[3]) == ["行政规范性文件", "10", "2", "182"], f"proactive row {cells_text(proactive.rows[3])}")
check(proactive.cell(0, 0)._tc is proactive.cell(0, 3)._tc, "proactive heading spans 4 columns")

t = apps
check(len(t.rows) == 28 and len(t.columns) == 10, f"applications 28×10 ({len(t.rows)}×{len(t.columns)})")
corner = t.cell(0, 0)
check(corner.text.startswith("（本列数据的勾稽关系为："), "corner label")
check(all(t.cell(r, c)._tc is corner._tc or (r, c) == (0, 0) for r in range(3) for c in range(3)) and t.cell(0, 0)._tc is t.cell(2, 2)._tc, "corner spans 3×3")
check(t.cell(0, 3)._tc is t.cell(0, 9)._tc and t.cell(0, 3).text == "申请人情况", "申请人情况 spans 7")
check(t.cell(1, 3)._tc is t.cell(2, 3)._tc and t.cell(1, 3).text == "自然人", "自然人 spans 2 rows")
check(t.cell(1, 9)._tc is t.cell(2, 9)._tc and t.cell(1, 9).text == "总计", "总计 spans 2 rows")
received = cells_text(t.rows[3])
check(received == ["一、本年新收政府信息公开申请数量", "7", "0", "0", "0", "0", "0", "7"], f"received row {received}")
result = t.cell(5, 0)
check(result.text == "三、本年度办理结果", "三、本年度办理结果 label")
check(t.cell(26, 0)._tc is result._tc and t.cell(27, 0)._tc is not result._tc, "三、本年度办理结果 spans 22 rows")
check(t.cell(7, 1)._tc is t.cell(14, 1)._tc and t.cell(7, 1).text == "（三）不予公开", "（三）不予公开 spans 8 rows")
check(t.cell(7, 2).text == "1.属于国家秘密", "1.属于国家秘密")
check(cells_text(t.rows[26])[-8:] == ["（七）总计", "8", "0", "0", "0", "0", "0", "8"], f"total row {cells_text(t.rows[26])}")
trpr = [r._tr.trPr for r in t.rows]
check(all(p is not None and p.find(qn("w:cantSplit")) is not None for p in trpr), "cantSplit on every row")
heads = [p.find(qn("w:tblHeader")) is not None for p in trpr]
check(heads == [True] * 3 + [False] * 25, "tblHeader on the 3 header rows")
widths = [c.width for c in t.columns]
check(sum(w.twips for w in widths) <= Mm(156).twips + 1, "table fits the 版心")
check(t.cell(3, 3).paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.CENTER), "numbers centred")

check(len(reviews.rows) == 4 and len(reviews.columns) == 15, "reviews 4×15")
check(reviews.cell(0, 5)._tc is reviews.cell(0, 14)._tc and reviews.cell(0, 5).text == "行政诉讼", "行政诉讼 spans 10")
check(cells_text(reviews.rows[3]) == ["0"] * 15, "reviews numbers")

# Signature block and the seal, when there is one.
sig = [p for p in paras if p.style.name == "Signature"]
check([p.text for p in sig] == ["嵊泗县人民政府办公室", "2025年1月22日"], f"signature {[p.text for p in sig]}")
anchors = sig[0]._p.findall(".//" + qn("wp:anchor"))
if anchors:
    check(anchors[0].get("behindDoc") == "1", "seal behind the text, so the name and date show through (#14 item 9)")
    check(sig[1].paragraph_format.right_indent.pt == 4 * 15.75, "date right-indented 4 characters")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
