"""Prints every cell value of a workbook as JSON {"sheet": {"C12": value}}: the values a
spreadsheet program saved (formulas as their cached results, openpyxl's data_only).

usage: xlsx_values.py BOOK.xlsx
"""
import json
import sys

import openpyxl

book = openpyxl.load_workbook(sys.argv[1], data_only=True)
out = {}
for ws in book.worksheets:
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                cells[c.coordinate] = c.value
    out[ws.title] = cells
json.dump(out, sys.stdout, ensure_ascii=False, default=str)
