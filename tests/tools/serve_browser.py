#!/usr/bin/env python3
"""Drives the `nianbao serve` form in headless Chromium (Selenium), as a unit's clerk would,
and reports what it saw as JSON on stdout:

1. opens unit A's login link; the form of its report appears;
2. types a number into 三 一、本年新收 / 自然人 that breaks 一+二 = 三（七）+四 and waits for
   the engine's diagnostic at that cell (how long from the keystroke, and the request alone);
3. fixes it in another cell, uploads the seal, saves, reloads the page, reads it all back;
4. downloads the PDF through the page's own link (the session cookie) and the preview;
5. someone else saves meanwhile (a script with A's token): A's save is refused, the page
   shows what differs and keeps what was typed; A keeps its own and saves on the newer one;
6. the history: the first version loaded back and saved (restored);
7. screenshots at desktop (1280) and phone (390) widths, with the page's and the tables'
   overflow;
8. a second browser (unit B's link) asks for A's report and gets nothing of it;
9. the office's link: every unit listed, a unit created (its link shown), the audit and the
   batch run from the page, a unit's report opened.

Also axe-core on the form while it shows an error, and on the office's page.

usage: serve_browser.py BASE_URL LINK_A LINK_B LINK_OFFICE OUTDIR AXE.min.js
"""

import base64
import glob
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# The DOM grid of every table, spans expanded, with a check that the cell boxes line up: the
# same script the HTML page's test reads the page's tables with.
from html_browser import AXE_JS, GRID_JS

RECEIVED = "applications.received.natural_person"
FORWARD = "applications.carried_forward.natural_person"


def browser(downloads):
    profile = tempfile.mkdtemp(prefix="nianbao-serve-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--window-size=1280,900", "--user-data-dir=" + profile]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {
        "download.default_directory": downloads, "download.prompt_for_download": False,
        "plugins.always_open_pdf_externally": True})
    # The console's messages (a refused style, a script error), for `console_errors`.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver", env=dict(os.environ))
    driver = webdriver.Chrome(options=options, service=service)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return driver


def wait(driver, what, seconds=20):
    return WebDriverWait(driver, seconds, poll_frequency=0.005).until(lambda d: d.execute_script(what))


def click(driver, element):
    """Clicks as a user would: the element scrolled to the middle of the window first (the
    sticky toolbar covers the top)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def cell(driver, key):
    return driver.find_element(By.CSS_SELECTOR, 'input[data-key="%s"]' % key)


def type_into(driver, key, text):
    box = cell(driver, key)
    click(driver, box)
    box.send_keys("\ue009a")  # Ctrl+A
    box.send_keys(text)


def screenshot(driver, path, width):
    """The whole page at `width` (PATH), the viewport at table 三 (PATH with -table), and the
    overflow of the page and of each table's box."""
    driver.set_window_size(width, 900)
    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.3)
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    height = int(metrics["cssContentSize"]["height"])
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 16000), "scale": 1}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    driver.execute_script(
        "const t = document.querySelector('[data-table=applications]');"
        "if (t) t.closest('.grid-box').scrollIntoView()")
    time.sleep(0.2)
    driver.save_screenshot(path.replace(".png", "-table.png"))
    return driver.execute_script("""
      const doc = document.documentElement;
      return {page_scroll_width: doc.scrollWidth, page_client_width: doc.clientWidth,
        boxes: Array.from(document.querySelectorAll('.grid-box')).map(b => ({
          table: b.querySelector('table').dataset.table, scroll: b.scrollWidth, client: b.clientWidth,
          right: b.getBoundingClientRect().right}))};""")


def bearer(base, token, method, path, body=None, headers=None):
    h = {"Authorization": "Bearer " + token}
    h.update(headers or {})
    req = urllib.request.Request(base + path, data=body, method=method, headers=h)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read().decode())


def someone_else_saves(base, link):
    """Another clerk of the same unit saves (licensing 0 → 5, punishment 0 → 4) behind the
    page's back."""
    token = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["token"][0]
    now = bearer(base, token, "GET", "/api/reports/a")
    text = now["yaml"].replace("licensing: 0", "licensing: 5").replace("punishment: 0", "punishment: 4")
    assert text != now["yaml"]
    saved = bearer(base, token, "PUT", "/api/reports/a", text.encode(),
                   {"If-Match": '"%s"' % now["version"]})
    return saved["version"]


def main():
    base, link_a, link_b, link_office, outdir, axe_path = sys.argv[1:7]
    axe = open(axe_path, encoding="utf-8").read()
    os.makedirs(outdir, exist_ok=True)
    downloads = os.path.join(outdir, "downloads")
    os.makedirs(downloads, exist_ok=True)
    out = {}
    a = browser(downloads)
    try:
        a.get(link_a)
        out["after_login_url"] = a.current_url
        wait(a, "return document.querySelector('input[data-key=\"%s\"]') !== null" % RECEIVED)
        out["title"] = a.find_element(By.ID, "report-title").text
        out["grids"] = [t for t in a.execute_script(GRID_JS) if t["key"]]
        out["inputs"] = a.execute_script(
            "return Object.fromEntries(Array.from(document.querySelectorAll('table.grid'))"
            ".map(t => [t.dataset.table, t.querySelectorAll('td input').length]))")
        out["status_before"] = a.find_element(By.ID, "status").text
        out["cookie_http_only"] = [c.get("httpOnly") for c in a.get_cookies()]
        out["cookie_visible_to_js"] = a.execute_script("return document.cookie")
        out["value_before"] = cell(a, RECEIVED).get_attribute("value")

        # A number that breaks 一+二 = 三（七）+四 in the 自然人 column.
        checked = a.execute_script("return document.body.dataset.checked || '0'")
        start = time.monotonic()
        type_into(a, RECEIVED, "9")
        wait(a, "return document.querySelector('input[data-key=\"%s\"]').classList.contains('bad')" % RECEIVED)
        out["seen_after_ms"] = round((time.monotonic() - start) * 1000)
        out["check_request_ms"] = int(a.execute_script("return document.body.dataset.checkMs"))
        out["since_input_ms"] = int(a.execute_script("return document.body.dataset.sinceInputMs"))
        out["checks_before"] = int(checked)
        out["cell_title"] = cell(a, RECEIVED).get_attribute("title")
        out["cell_invalid"] = cell(a, RECEIVED).get_attribute("aria-invalid")
        out["table_diags"] = [li.text for li in a.find_elements(By.CSS_SELECTOR, '[data-table-diags="applications"] li')]
        out["row_total"] = a.execute_script(
            "return document.querySelector('output[data-key=\"applications.received.total\"]').value")
        out["status_broken"] = a.find_element(By.ID, "status").text
        screenshot(a, os.path.join(outdir, "desktop-error.png"), 1280)
        a.execute_script(axe)
        out["axe_form"] = a.execute_async_script(AXE_JS)

        # Fixed in another cell of the same column: 9 + 1 = 8 + 2.
        type_into(a, FORWARD, "2")
        wait(a, "return document.querySelectorAll('#report .bad').length === 0")
        out["status_fixed"] = a.find_element(By.ID, "status").text
        # A table section's note, and the seal uploaded from the signature's file input.
        note = a.find_element(By.ID, "f-applications_intro")
        click(a, note)
        note.send_keys("表中数字截至12月31日。")
        upload = a.find_element(By.CSS_SELECTOR, "fieldset.signature input[type=file]")
        upload.send_keys(os.environ["NIANBAO_SEAL"])
        wait(a, "return document.getElementById('f-signature_seal').value === 'a.files/seal/demo-seal.png'")
        click(a, a.find_element(By.ID, "save"))
        wait(a, "return document.getElementById('save-note').textContent.includes('已保存')")
        out["save_note"] = a.find_element(By.ID, "save-note").text

        a.refresh()
        wait(a, "return document.querySelector('input[data-key=\"%s\"]') !== null" % RECEIVED)
        out["after_reload"] = {RECEIVED: cell(a, RECEIVED).get_attribute("value"),
                               FORWARD: cell(a, FORWARD).get_attribute("value"),
                               "seal": a.find_element(By.ID, "f-signature_seal").get_attribute("value"),
                               "intro": a.find_element(By.ID, "f-applications_intro").get_attribute("value")}
        out["status_saved"] = a.find_element(By.ID, "status").text

        # The preview pane and the PDF download (the page's link, the session's cookie).
        click(a, a.find_element(By.ID, "show-preview"))
        wait(a, "return document.getElementById('preview').src.startsWith('blob:')", 60)
        out["preview_note"] = a.find_element(By.ID, "preview-note").text
        click(a, a.find_element(By.ID, "dl-pdf"))
        deadline = time.time() + 60
        pdfs = []
        while time.time() < deadline:
            pdfs = [p for p in glob.glob(os.path.join(downloads, "*.pdf"))]
            if pdfs and not glob.glob(os.path.join(downloads, "*.crdownload")):
                break
            time.sleep(0.2)
        out["downloaded"] = pdfs

        # A save from a replaced version: what only the other changed (licensing) merges; the
        # cell both changed (punishment) is asked about, side by side; kept on purpose.
        out["other_version"] = someone_else_saves(base, link_a)
        type_into(a, "proactive.punishment", "3")
        wait(a, "return document.body.dataset.sinceInputMs !== undefined")
        click(a, a.find_element(By.ID, "save"))
        wait(a, "return !document.getElementById('conflict').hidden")
        out["conflict_diff"] = [li.text for li in a.find_elements(By.CSS_SELECTOR, "#conflict-diff li")]
        out["typed_kept"] = cell(a, "proactive.punishment").get_attribute("value")
        out["conflict_note"] = a.find_element(By.ID, "save-note").text
        screenshot(a, os.path.join(outdir, "desktop-conflict.png"), 1280)
        click(a, a.find_element(By.ID, "keep-mine"))
        wait(a, "return document.getElementById('save-note').textContent.includes('已保存')")
        out["after_keep_mine"] = a.find_element(By.ID, "save-note").text
        out["after_merge"] = {"licensing": cell(a, "proactive.licensing").get_attribute("value"),
                              "punishment": cell(a, "proactive.punishment").get_attribute("value")}

        # The history: the first version back, saved.
        click(a, a.find_element(By.ID, "show-history"))
        wait(a, "return document.querySelectorAll('#history-list li').length >= 4")
        entries = a.find_elements(By.CSS_SELECTOR, "#history-list li")
        out["history"] = [li.text for li in entries]
        click(a, entries[-1].find_element(By.TAG_NAME, "button"))
        wait(a, "return document.getElementById('save-note').textContent.includes('已载入版本')")
        out["restored_value"] = cell(a, RECEIVED).get_attribute("value")
        click(a, a.find_element(By.ID, "save"))
        wait(a, "return document.getElementById('save-note').textContent.includes('已保存')")

        out["desktop"] = screenshot(a, os.path.join(outdir, "desktop.png"), 1280)
        out["phone"] = screenshot(a, os.path.join(outdir, "phone.png"), 390)
        a.execute_script("document.querySelector('.grid-box').scrollIntoView()")
    finally:
        a.quit()

    b = browser(downloads)
    try:
        b.get(link_b)
        wait(b, "return document.querySelector('input[data-key=\"%s\"]') !== null" % RECEIVED)
        out["b_title"] = b.find_element(By.ID, "report-title").text
        out["b_sees_a"] = b.execute_async_script("""
          const done = arguments[arguments.length - 1];
          Promise.all(['/api/reports/a/form', '/api/reports/a', '/api/reports/a/render?format=pdf',
                       '/api/reports/a/history'].map(u => fetch(u).then(async r => ({url: u, status: r.status, body: await r.text()}))))
            .then(done);""")
        out["b_list"] = b.execute_async_script("""
          const done = arguments[arguments.length - 1];
          fetch('/api/reports').then(r => r.json()).then(done);""")
    finally:
        b.quit()
    office = browser(downloads)
    try:
        office.get(link_office)
        wait(office, "return document.querySelectorAll('#units tr').length >= 2")
        out["office_rows"] = [tr.text for tr in office.find_elements(By.CSS_SELECTOR, "#units tr")]
        office.execute_script(axe)
        out["axe_office"] = office.execute_async_script(AXE_JS)
        form = office.find_element(By.ID, "new-unit")
        for name, value in [("file", "c.yaml"), ("unit", "嵊泗县测试局"), ("year", "2025")]:
            form.find_element(By.NAME, name).send_keys(value)
        click(office, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        wait(office, "return !document.getElementById('new-unit-result').hidden")
        out["new_unit_note"] = office.find_element(By.ID, "new-unit-result").text
        wait(office, "return document.querySelectorAll('#units tr').length >= 3")
        out["office_rows_after"] = [tr.text for tr in office.find_elements(By.CSS_SELECTOR, "#units tr")]
        for button, title in [("run-audit", "检查"), ("run-batch", "批量生成")]:
            click(office, office.find_element(By.ID, button))
            wait(office, "return (document.querySelector('#office-result h3') || {}).textContent === '%s'" % title, 120)
            # One collapsed entry per unit: its summary line, and its messages once opened.
            out[button] = [e.text for e in office.find_elements(By.CSS_SELECTOR, "#office-result details summary")]
            office.execute_script("document.querySelectorAll('#office-result details').forEach((d) => { d.open = true; })")
            out[button + "-text"] = office.find_element(By.ID, "office-result").text
        screenshot(office, os.path.join(outdir, "office.png"), 1280)
        click(office, office.find_element(By.CSS_SELECTOR, "#units tr button"))
        wait(office, "return document.querySelector('input[data-key=\"%s\"]') !== null" % RECEIVED)
        out["office_opened"] = office.find_element(By.ID, "report-title").text
    finally:
        office.quit()
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
