#!/usr/bin/env python3
"""Loads an HTML page in headless Chromium (Selenium) and reports, as JSON on stdout:
the rendered tables' grids (rowspan/colspan expanded from the browser's DOM, plus a
check that the laid-out cell boxes line up on that grid), each number cell's header
texts, page and table overflow at desktop (1280) and phone (390) widths, axe-core
violations (normal and large-text mode), screenshots, and the page printed to PDF.

usage: html_browser.py PAGE.html OUTDIR AXE.min.js
Fonts: set FONTCONFIG_FILE to limit Chromium to the bundled fonts (tests/html.rs does).
"""

import base64
import json
import os
import shutil
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

GRID_JS = r"""
const out = [];
for (const table of document.querySelectorAll('table')) {
  const slots = [];
  const cells = [];
  Array.from(table.rows).forEach((tr, y) => {
    slots[y] = slots[y] || [];
    let x = 0;
    for (const cell of tr.cells) {
      while (slots[y][x] !== undefined) x++;
      const rs = Math.max(1, cell.rowSpan), cs = Math.max(1, cell.colSpan);
      const r = cell.getBoundingClientRect();
      const info = {row: y, col: x, rowspan: rs, colspan: cs, tag: cell.tagName.toLowerCase(),
        text: cell.textContent, scope: cell.getAttribute('scope'),
        key: cell.getAttribute('data-key'),
        headers: (cell.getAttribute('headers') || '').split(/\s+/).filter(s => s)
          .map(id => { const h = document.getElementById(id); return h ? h.textContent : null; }),
        box: [r.left, r.top, r.right, r.bottom]};
      cells.push(info);
      for (let dy = 0; dy < rs; dy++) for (let dx = 0; dx < cs; dx++) {
        (slots[y + dy] = slots[y + dy] || [])[x + dx] = [y, x];
      }
      x += cs;
    }
  });
  // The boxes: every cell starting at column c has the same left edge, every cell
  // ending before column c has its right edge there (within a border's width).
  const errors = [];
  const edge = (list, i, v, what) => {
    if (list[i] === undefined) list[i] = v;
    else if (Math.abs(list[i] - v) > 2) errors.push(what + ' ' + i + ': ' + list[i] + ' vs ' + v);
  };
  const xs = [], ys = [];
  for (const c of cells) {
    edge(xs, c.col, c.box[0], 'x'); edge(xs, c.col + c.colspan, c.box[2], 'x');
    edge(ys, c.row, c.box[1], 'y'); edge(ys, c.row + c.rowspan, c.box[3], 'y');
  }
  const cap = table.caption ? table.caption.textContent : null;
  out.push({key: table.getAttribute('data-table'), caption: cap, cells: cells,
    slots: slots, geometry_errors: errors});
}
return out;
"""

METRICS_JS = r"""
const doc = document.documentElement;
const art = document.querySelector('article');
const cs = getComputedStyle(art);
const boxes = Array.from(document.querySelectorAll('.nb-table')).map(b => ({
  scroll_width: b.scrollWidth, client_width: b.clientWidth,
  right: b.getBoundingClientRect().right}));
const p = document.querySelector('p.nb-body');
return {viewport: window.innerWidth, page_scroll_width: doc.scrollWidth,
  page_client_width: doc.clientWidth, article_width: art.clientWidth,
  article_font_px: parseFloat(cs.fontSize), article_background: cs.backgroundColor,
  article_color: cs.color, body_font: p ? getComputedStyle(p).fontFamily : null,
  h1: (document.querySelector('h1') || {}).textContent || null,
  h2: document.querySelectorAll('h2').length, tables: boxes,
  numbers_json: (document.getElementById('nianbao-numbers') || {}).textContent || null};
"""

AXE_JS = r"""
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
  targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: 0}]));
"""


def set_width(driver, width, height=900):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def screenshot(driver, path, full):
    params = {"format": "png"}
    if full:
        m = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = m["cssContentSize"]
        params.update({"captureBeyondViewport": True, "clip": {
            "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    data = driver.execute_cdp_cmd("Page.captureScreenshot", params)["data"]
    with open(path, "wb") as f:
        f.write(base64.b64decode(data))


def main():
    page, outdir, axe_path = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(outdir, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="nianbao-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--user-data-dir=" + profile]:
        options.add_argument(flag)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver",
                      env=dict(os.environ))
    driver = webdriver.Chrome(options=options, service=service)
    result = {}
    try:
        driver.set_script_timeout(120)
        driver.get("file://" + os.path.abspath(page))
        axe = open(axe_path, encoding="utf-8").read()
        result["title"] = driver.title
        for name, width in [("desktop", 1280), ("phone", 390)]:
            set_width(driver, width)
            driver.execute_script("window.scrollTo(0, 0)")
            m = driver.execute_script(METRICS_JS)
            screenshot(driver, os.path.join(outdir, f"{name}-top.png"), False)
            screenshot(driver, os.path.join(outdir, f"{name}-full.png"), True)
            for i, box in enumerate(driver.find_elements("css selector", ".nb-table")):
                driver.execute_script("arguments[0].scrollIntoView()", box)
                box.screenshot(os.path.join(outdir, f"{name}-table{i + 1}.png"))
            driver.execute_script("window.scrollTo(0, 0)")
            driver.execute_script(axe)
            m["axe"] = driver.execute_async_script(AXE_JS)
            if name == "desktop":
                result["grids"] = driver.execute_script(GRID_JS)
            # The large-text, high-contrast mode: the label toggles the checkbox.
            driver.find_element("css selector", "label[for=nb-large]").click()
            large = driver.execute_script(METRICS_JS)
            large["checked"] = driver.execute_script(
                "return document.getElementById('nb-large').checked")
            large["axe"] = driver.execute_async_script(AXE_JS)
            screenshot(driver, os.path.join(outdir, f"{name}-large-top.png"), False)
            driver.find_element("css selector", "label[for=nb-large]").click()
            m["large"] = large
            result[name] = m
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
        with open(os.path.join(outdir, "print.pdf"), "wb") as f:
            f.write(base64.b64decode(pdf["data"]))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
