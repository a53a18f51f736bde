#!/usr/bin/env python3
"""Drives the `nianbao serve` form in headless Chromium as a township clerk would (mouse,
phone, a spreadsheet at hand) and reports what it saw as JSON on stdout:

1. clicks at the left edge of a number (not Tab) and types 5: the cell holds 5;
2. types ２５件 (a Chinese input method's digits, with the unit): read as 25, with a note;
3. moves with ↓, Enter and → between cells;
4. pastes a 3×7 block (tab-separated columns, one line a row, as Excel and WPS copy) at
   the first cell of table 三;
5. reloads mid-edit (warned first) and restores what was typed from the browser's draft;
6. the office reissues the unit's link (the session ends): saving asks for the link in
   place (the revoked one refused), logs in again and saves;
7. the browser console's errors, axe-core's violations, screenshots at 1366×768 and 390×844.

The paste is a `paste` event carrying the block as `text/plain` (what Ctrl+V delivers; a
headless browser has no system clipboard to copy from).

usage: serve_clerk.py BASE_URL LINK_A OFFICE_TOKEN OUTDIR AXE.min.js
"""

import json
import os
import sys
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from html_browser import AXE_JS
from serve_browser import bearer, browser, cell, click, wait

RECEIVED = "applications.received.natural_person"
CARRIED = "applications.carried_over.natural_person"

PASTE_JS = """
const [key, text] = arguments;
const input = document.querySelector('input[data-key="' + key + '"]');
input.focus();
const data = new DataTransfer();
data.setData('text/plain', text);
input.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
"""

ROWS_JS = """
const start = document.querySelector('input[data-key="' + arguments[0] + '"]');
const grid = start.closest('table');
const rows = [...new Set([...grid.querySelectorAll('input[data-key]')].map(e => +e.dataset.row))]
  .filter(r => r >= +start.dataset.row).sort((a, b) => a - b).slice(0, 3);
return rows.map(r => ({
  typed: [...grid.querySelectorAll('input[data-row="' + r + '"]')].map(e => e.value),
  total: (grid.querySelector('output[data-row="' + r + '"]') || {}).value}));
"""


def active_key(driver):
    return driver.execute_script("return document.activeElement.dataset.key || null")


def console_errors(driver):
    return [m["message"] for m in driver.get_log("browser") if m["level"] == "SEVERE"]


def shot(driver, path, width, height):
    driver.set_window_size(width, height)
    time.sleep(0.3)
    driver.save_screenshot(path)


def main():
    base, link_a, office_token, outdir, axe_path = sys.argv[1:6]
    axe = open(axe_path, encoding="utf-8").read()
    downloads = os.path.join(outdir, "downloads")
    os.makedirs(downloads, exist_ok=True)
    out = {}
    a = browser(downloads)
    try:
        a.set_window_size(1366, 768)
        a.get(link_a)
        wait(a, "return document.querySelector('input[data-key=\"%s\"]') !== null" % RECEIVED)

        # 1. A click 3 px inside the left edge of the centred 7, then 5.
        box = cell(a, RECEIVED)
        a.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        width = box.size["width"]
        ActionChains(a).move_to_element_with_offset(box, -width // 2 + 3, 0).click().perform()
        box.send_keys("5")
        out["clicked_left_then_5"] = box.get_attribute("value")

        # 2. ２５件 typed into the next row's cell (clicked into, not tabbed).
        carried = cell(a, CARRIED)
        click(a, carried)
        carried.send_keys("２５件")

        # 3. ↓ from 一 goes to 二, Enter to 三（一）, → to the next column.
        click(a, cell(a, RECEIVED))
        out["fullwidth"] = carried.get_attribute("value")
        out["fullwidth_note"] = a.find_element(By.CSS_SELECTOR, '[data-entry-note="applications"]').text
        a.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
        out["after_down"] = active_key(a)
        a.switch_to.active_element.send_keys(Keys.ENTER)
        out["after_enter"] = active_key(a)
        a.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
        out["after_right"] = active_key(a)

        # 4. A 3×7 block: six typed columns and the 总计, as a spreadsheet copies it.
        block = "\r\n".join("\t".join(str(i * 10 + j) for j in range(1, 8)) for i in range(3)) + "\r\n"
        a.execute_script(PASTE_JS, RECEIVED, block)
        out["pasted_rows"] = a.execute_script(ROWS_JS, RECEIVED)
        out["paste_note"] = a.find_element(By.CSS_SELECTOR, '[data-entry-note="applications"]').text
        wait(a, "return document.body.dataset.checked !== undefined")
        wait(a, "return document.querySelectorAll('[data-table-diags=\"applications\"] li').length > 0")

        # The clerk's language: named fields, 详细, 下一个错误, 【待填写】.
        lis = '[data-table-diags="applications"] li'
        texts = "return [...document.querySelectorAll('%s')].map(li => li.innerText)" % lis.replace('"', '\\"')
        out["table_diags"] = a.execute_script(texts)
        click(a, a.find_element(By.ID, "show-details"))
        out["table_diags_detailed"] = a.execute_script(texts)
        click(a, a.find_element(By.ID, "show-details"))
        click(a, a.find_element(By.ID, "next-error"))
        out["next_error_is_marked"] = a.execute_script(
            "return document.activeElement.classList.contains('bad')")
        todo = a.execute_script(
            "return [...document.querySelectorAll('textarea[data-path^=\"overview[\"]')][0].id")
        area = a.find_element(By.ID, todo)
        click(a, area)
        area.send_keys("\ue009a")
        area.send_keys("【待填写】")
        out["todo_marked"] = "todo" in area.get_attribute("class")
        find = ("return [...document.querySelectorAll('[data-code]')].map(e => e.innerText)"
                ".find(t => t.includes('占位') || t.includes('待填写')) || null")
        wait(a, find)
        out["todo_message"] = a.execute_script(find)
        area.send_keys("\ue009a")
        area.send_keys("本年度工作总体平稳。")

        # 6. A reload mid-edit: the browser warns first; the page then offers what was typed.
        out["leave_warned"] = a.execute_script(
            "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e);"
            "return e.defaultPrevented")
        a.refresh()
        try:
            a.switch_to.alert.accept()
        except Exception:
            pass
        wait(a, "return !document.getElementById('draft').hidden")
        out["draft_text"] = a.find_element(By.ID, "draft-text").text
        out["before_restore"] = cell(a, RECEIVED).get_attribute("value")
        click(a, a.find_element(By.ID, "restore-draft"))
        out["after_restore"] = a.execute_script(ROWS_JS, RECEIVED)
        out["unsaved_shown"] = a.find_element(By.ID, "unsaved").is_displayed()

        # 7. The session ends (the office reissues the unit's link); saving asks for the new
        # link in place, logs in again and saves with the new session's CSRF token.
        errors = console_errors(a)
        token = link_a.split("token=")[1]
        new_link = bearer(base, office_token, "PUT", "/api/tokens/a")["link"]
        click(a, a.find_element(By.ID, "save"))
        wait(a, "return document.getElementById('relogin').open")
        out["relogin_note"] = a.find_element(By.ID, "save-note").text
        field = a.find_element(By.ID, "relogin-token")
        field.send_keys(token)  # the old, revoked token first: refused in the dialog
        a.find_element(By.ID, "relogin-submit").click()
        wait(a, "return document.getElementById('relogin-error').textContent !== ''")
        out["relogin_old_token"] = a.find_element(By.ID, "relogin-error").text
        field.clear()
        field.send_keys(base + new_link)
        a.find_element(By.ID, "relogin-submit").click()
        wait(a, "return document.getElementById('save-note').textContent.includes('已保存')")
        out["saved_after_relogin"] = a.find_element(By.ID, "save-note").text
        out["drafts_left"] = a.execute_script(
            "return Object.keys(localStorage).filter(k => k.startsWith('nianbao-draft:')).length")
        out["leave_warned_after_save"] = a.execute_script(
            "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e);"
            "return e.defaultPrevented")

        # 7b. Someone else saves another cell meanwhile (licensing 0 → 5); the clerk types
        # punishment and saves: the two merge by themselves, nothing asked.
        new_token = new_link.split("token=")[1]
        now = bearer(base, new_token, "GET", "/api/reports/a")
        bearer(base, new_token, "PUT", "/api/reports/a",
               now["yaml"].replace("licensing: 0", "licensing: 5").encode(),
               {"If-Match": '"%s"' % now["version"]})
        box = cell(a, "proactive.punishment")
        click(a, box)
        box.send_keys("3")
        click(a, a.find_element(By.ID, "save"))
        wait(a, "return document.getElementById('save-note').textContent.includes('合并')")
        out["merged_note"] = a.find_element(By.ID, "save-note").text
        out["merged_conflict_shown"] = a.find_element(By.ID, "conflict").is_displayed()

        # 8. Downloads of a version saved with errors: said in the page, in Chinese.
        click(a, a.find_element(By.ID, "dl-pdf"))
        wait(a, "return document.getElementById('save-note').textContent.startsWith('下载失败')")
        out["download_saved_note"] = a.find_element(By.ID, "save-note").text
        out["still_here"] = a.execute_script("return location.pathname + (document.getElementById('report') ? ' form' : '')")
        click(a, a.find_element(By.ID, "dl-current"))
        wait(a, "return document.getElementById('save-note').textContent.startsWith('下载失败')")
        out["download_current_note"] = a.find_element(By.ID, "save-note").text

        # 9. The screenshots; on a phone the row labels stay while the table scrolls sideways,
        # the header rows while it scrolls down, the save bar while the page scrolls, and
        # the preview covers the screen.
        shot(a, os.path.join(outdir, "desktop-1366.png"), 1366, 768)
        a.set_window_size(390, 844)
        out["phone_sticky"] = a.execute_script("""
          const box = document.querySelector('[data-table=applications]').closest('.grid-box');
          box.scrollIntoView();
          window.scrollBy(0, 200);
          box.scrollLeft = box.scrollWidth; box.scrollTop = 300;
          const labels = [...box.querySelectorAll('tbody th.first .label-text')]
            .map(t => Math.round(t.getBoundingClientRect().left - box.getBoundingClientRect().left));
          const head = box.querySelector('thead th').getBoundingClientRect();
          const bar = document.getElementById('save').getBoundingClientRect();
          const b = box.getBoundingClientRect();
          return {labels, head_top: Math.round(head.top - b.top),
                  save_visible: bar.top >= 0 && bar.bottom <= innerHeight, scrolled: box.scrollLeft > 0};""")
        time.sleep(0.3)
        a.save_screenshot(os.path.join(outdir, "phone-390.png"))
        click(a, a.find_element(By.ID, "show-preview"))
        wait(a, "return document.getElementById('preview-note').textContent !== '正在生成……'")
        out["phone_preview"] = a.execute_script("""
          const r = document.getElementById('preview-pane').getBoundingClientRect();
          return {left: r.left, top: r.top, width: r.width, height: r.height, w: document.documentElement.clientWidth, h: document.documentElement.clientHeight};""")
        a.save_screenshot(os.path.join(outdir, "phone-390-preview.png"))
        click(a, a.find_element(By.ID, "close-preview"))
        a.set_window_size(1366, 768)
        a.execute_script(axe)
        out["axe"] = a.execute_async_script(AXE_JS)
        # The 401s of the ended session (the save, the revoked token), the 409 of the save
        # over someone else's and the 422s of the refused downloads are the browser logging
        # refusals the page then handles (and that this script caused); anything else is
        # an error.
        expected = ["the server responded with a status of %d" % n for n in (401, 409, 422)]
        out["console_errors"] = errors + [e for e in console_errors(a) if not any(x in e for x in expected)]
    finally:
        a.quit()
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
