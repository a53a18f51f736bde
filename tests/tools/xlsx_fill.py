"""Fills a nianbao workbook template the way a script or a clerk's macro would: openpyxl opens
the template, writes each value given as JSON {"sheet": {"C12": value-or-null}} into its cell
(null leaves it blank; a string is typed as text) and saves. openpyxl keeps the formulas but
drops their cached results, so whoever opens the file next must recalculate.

usage: xlsx_fill.py TEMPLATE.xlsx VALUES.json OUT.xlsx
"""
import json
import sys

import openpyxl

book = openpyxl.load_workbook(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as f:
    values = json.load(f)
for sheet, cells in values.items():
    ws = book[sheet]
    for ref, value in cells.items():
        ws[ref] = value
book.save(sys.argv[3])
