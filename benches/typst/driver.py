"""Typst half of benches/typst.rs: one warm Typst compiler, driven over stdin.

usage: driver.py FONTS_DIR GEN_PY TABLES_TYP WARMUP.yaml UNIT.yaml...

Writes each unit as a GB/T 9704 Typst document with gen.py (not timed), compiles
WARMUP once, prints "ready", then for each line "I" on stdin compiles unit I
(distinct documents, so Typst's memoisation cannot hand back a whole result)
and prints "MS BYTES": the compile time measured in this process, the PDF size.
"""
import os
import runpy
import sys
import tempfile
import time

import typst


def typ_source(gen_py, tables, yaml_path, tmp):
    """What gen.py writes for one report (it writes r.typ into the current folder)."""
    cwd = os.getcwd()
    os.chdir(tmp)
    argv = sys.argv
    try:
        sys.argv = [gen_py, yaml_path, tables]
        runpy.run_path(gen_py, run_name="__main__")
        with open("r.typ", "rb") as f:
            return f.read()
    finally:
        sys.argv = argv
        os.chdir(cwd)


def main():
    fonts, gen_py, tables, warmup, *units = sys.argv[1:]
    tables = os.path.abspath(tables)
    with tempfile.TemporaryDirectory() as tmp:
        sources = [typ_source(gen_py, tables, os.path.abspath(u), tmp) for u in units]
        warm = typ_source(gen_py, tables, os.path.abspath(warmup), tmp)
    compiler = typst.Compiler(font_paths=[fonts], ignore_system_fonts=True)
    compiler.compile(input=warm, format="pdf")
    print("ready", flush=True)
    for line in sys.stdin:
        i = int(line)
        start = time.perf_counter()
        pdf = compiler.compile(input=sources[i], format="pdf")
        ms = (time.perf_counter() - start) * 1e3
        print(f"{ms:.4f} {len(pdf)}", flush=True)


if __name__ == "__main__":
    main()
