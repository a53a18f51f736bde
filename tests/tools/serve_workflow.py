#!/usr/bin/env python3
"""The filing workflow of `nianbao serve` (issue #32) in headless Chromium (Selenium), as the
people would use it, each in a browser of their own:

1. unit A's clerk opens the login link, changes a number, saves and submits: the form says
   已提交 and is read-only;
2. the office's dashboard counts one 已提交; 全部审核 opens the report, the office returns it
   with a comment;
3. the clerk reloads: the comment at the top, the form editable; fixes, saves, submits again;
4. the office approves and publishes (the published files' links appear); the counts move;
5. the 汇总表's scope (named for the office) holds exactly the approved unit, the other one
   left out with why; the 催报 text and the audit log.

axe-core on every page shown; screenshots at 1366 and 390 wide. Reports what it saw as JSON.

usage: serve_workflow.py BASE_URL LINK_A LINK_B LINK_OFFICE OUTDIR AXE.min.js
"""

import json
import os
import sys
import time

from selenium.webdriver.common.by import By

from html_browser import AXE_JS, screenshot, set_width
from serve_browser import browser, click, wait

RECEIVED = "applications.received.natural_person"
FORWARD = "applications.carried_forward.natural_person"


def text(d, id_):
    return d.find_element(By.ID, id_).text


def counts(d):
    return d.execute_script(
        "return Object.fromEntries(Array.from(document.querySelectorAll('#counts button'))"
        ".map((b) => [b.classList[1], +b.querySelector('.n').textContent]))")


def type_into(d, key, value):
    cell = d.find_element(By.CSS_SELECTOR, 'input[data-key="%s"]' % key)
    click(d, cell)
    cell.send_keys("\ue009a")  # Ctrl+A
    cell.send_keys(value)
    return cell


def main():
    base, link_a, link_b, link_office, outdir, axe_path = sys.argv[1:7]
    axe = open(axe_path, encoding="utf-8").read()
    downloads = os.path.join(outdir, "downloads")
    os.makedirs(downloads, exist_ok=True)
    out = {"axe": {}}

    def check_axe(d, name):
        d.execute_script(axe)
        out["axe"][name] = d.execute_async_script(AXE_JS)

    def shots(d, name):
        for width in (1366, 390):
            set_width(d, width, 768 if width > 600 else 844)
            time.sleep(0.3)
            screenshot(d, os.path.join(outdir, "%s-%d.png" % (name, width)), True)
            out.setdefault("overflow", {})["%s-%d" % (name, width)] = d.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        set_width(d, 1366, 768)

    a = browser(downloads)
    office = browser(downloads)
    b = browser(downloads)
    try:
        # 1. The clerk fills and submits.
        a.get(link_a)
        wait(a, "return document.querySelector('input[data-key=\"%s\"]') !== null" % RECEIVED)
        wait(a, "return document.getElementById('state').textContent !== '—'")
        out["a_state_first"] = text(a, "state")
        out["a_deadline"] = text(a, "deadline-line")
        check_axe(a, "clerk-editing")
        type_into(a, RECEIVED, "9")
        type_into(a, FORWARD, "2")
        wait(a, "return document.getElementById('status').textContent === '校验通过'")
        click(a, a.find_element(By.ID, "submit-report"))
        wait(a, "return document.getElementById('state').textContent === '已提交'")
        out["a_after_submit"] = {
            "note": text(a, "filing-note"), "locked": text(a, "locked-note"),
            "disabled": a.execute_script(
                "return Array.from(document.querySelectorAll('#report input')).every((e) => e.disabled)"),
            "save_hidden": a.execute_script("return document.getElementById('save').hidden"),
            "submit_hidden": a.execute_script("return document.getElementById('submit-report').hidden"),
        }
        check_axe(a, "clerk-submitted")
        shots(a, "clerk-submitted")

        # 2. The office: the counts, 全部审核, 退回 with a comment.
        office.get(link_office)
        wait(office, "return document.querySelectorAll('#counts button').length === 6")
        out["counts_submitted"] = counts(office)
        out["dash_rows"] = [tr.text for tr in office.find_elements(By.CSS_SELECTOR, "#units tr")]
        check_axe(office, "office-dashboard")
        shots(office, "office-dashboard")
        click(office, office.find_element(By.ID, "review-all"))
        wait(office, "return !document.getElementById('review-bar').hidden && document.getElementById('state').textContent === '已提交'")
        out["review_pos"] = text(office, "review-pos")
        out["review_title"] = text(office, "report-title")
        check_axe(office, "office-review")
        shots(office, "office-review")
        box = office.find_element(By.ID, "comment")
        click(office, box)
        box.send_keys("表三第一行的数字请与台账核对后再提交。")
        click(office, office.find_element(By.ID, "send-back"))
        wait(office, "return document.getElementById('state').textContent === '已退回'")
        out["office_after_return"] = text(office, "filing-note")
        click(office, office.find_element(By.ID, "review-next"))
        wait(office, "return !document.getElementById('office').hidden")
        wait(office, "return document.querySelectorAll('#counts button').length === 6")
        out["counts_returned"] = counts(office)
        out["review_note"] = text(office, "review-note")

        # 3. The clerk sees the comment, fixes, resubmits.
        a.get(base + "/")
        wait(a, "return document.getElementById('state').textContent === '已退回'")
        out["a_returned"] = {
            "comment": text(a, "returned-comment"),
            "shown": a.execute_script("return !document.getElementById('returned').hidden"),
            "comment_above_form": a.execute_script(
                "return document.getElementById('returned').getBoundingClientRect().top < "
                "document.getElementById('report').getBoundingClientRect().top"),
            "editable": a.execute_script(
                "return Array.from(document.querySelectorAll('#report input')).every((e) => !e.disabled)"),
        }
        check_axe(a, "clerk-returned")
        shots(a, "clerk-returned")
        type_into(a, RECEIVED, "10")
        type_into(a, FORWARD, "3")
        wait(a, "return document.getElementById('status').textContent === '校验通过'")
        click(a, a.find_element(By.ID, "save"))
        wait(a, "return document.getElementById('save-note').textContent.includes('已保存')")
        click(a, a.find_element(By.ID, "submit-report"))
        wait(a, "return document.getElementById('state').textContent === '已提交'")

        # 4. The office (its page reloaded) approves and publishes.
        office.get(base + "/")
        wait(office, "return document.querySelectorAll('#counts button').length === 6")
        out["counts_resubmitted"] = counts(office)
        click(office, office.find_element(By.ID, "review-all"))
        wait(office, "return !document.getElementById('review-bar').hidden && document.getElementById('state').textContent === '已提交'")
        out["second_review_value"] = office.find_element(
            By.CSS_SELECTOR, 'input[data-key="%s"]' % RECEIVED).get_attribute("value")
        click(office, office.find_element(By.ID, "approve"))
        wait(office, "return document.getElementById('state').textContent === '已通过审核'")
        click(office, office.find_element(By.ID, "publish"))
        wait(office, "return document.getElementById('state').textContent === '已发布'", 120)
        out["published_links"] = [e.text for e in office.find_elements(By.CSS_SELECTOR, "#published a")]
        check_axe(office, "office-published")
        shots(office, "office-published")
        click(office, office.find_element(By.ID, "review-next"))
        wait(office, "return !document.getElementById('office').hidden")
        wait(office, "return document.querySelectorAll('#counts button').length === 6")
        out["counts_published"] = counts(office)
        # Another year: nobody has started 2023's report here; then back to 2024.
        for year in ("2023", "2024"):
            box = office.find_element(By.ID, "f-year")
            click(office, box)
            box.send_keys("\ue009a")
            box.send_keys(year + "\t")
            wait(office, "return document.getElementById('dash-year').textContent.startsWith('%s')" % year)
            out["year_" + year] = {"head": text(office, "dash-year"), "counts": counts(office)}

        # Unit B: the login page first (no session), then its link; 填报中, not submitted (left
        # out of the 汇总表).
        b.get(base + "/")
        wait(b, "return !document.getElementById('login').hidden")
        check_axe(b, "login")
        b.get(link_b)
        wait(b, "return document.getElementById('state').textContent !== '—'")
        out["b_state"] = text(b, "state")

        # 5. The 汇总表's scope, the 催报 text, the audit log.
        name = office.find_element(By.ID, "office-name")
        click(office, name)
        name.send_keys("嵊泗县人民政府办公室")
        click(office, office.find_element(By.CSS_SELECTOR, "#summary-form button"))
        wait(office, "return document.querySelector('#summary-plan a') !== null")
        out["summary_plan"] = text(office, "summary-plan")
        out["summary_pdf_href"] = office.find_element(By.CSS_SELECTOR, "#summary-plan a").get_attribute("href")
        click(office, office.find_element(By.ID, "remind-text"))
        wait(office, "return document.getElementById('remind-out').value.length > 0")
        out["remind_text"] = office.execute_script("return document.getElementById('remind-out').value")
        click(office, office.find_element(By.ID, "show-log"))
        wait(office, "return document.querySelectorAll('#office-result tbody tr').length > 0")
        out["log_actions"] = [td.text for td in office.find_elements(By.CSS_SELECTOR, "#office-result tbody tr td:nth-child(3)")]
        check_axe(office, "office-summary-log")
        shots(office, "office-summary-log")
        # The login page asks who it is and is told 401 (no session yet): the browser logs
        # that refusal, which the page handles by showing the login; anything else is an error.
        expected = "/api/session - Failed to load resource: the server responded with a status of 401"
        out["console_errors"] = [m["message"] for d in (a, office, b) for m in d.get_log("browser")
                                 if m["level"] == "SEVERE" and expected not in m["message"]]
    finally:
        for d in (a, office, b):
            d.quit()
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
