#!/usr/bin/env python3
"""The desktop mode as the person at the machine meets it: starts `nianbao` with no arguments
(the double-click) on a folder, takes the login link it would open in the default browser,
opens it in headless Chromium and takes the screenshots of docs/使用说明.md:

1. desktop-first.png: the first page after the double-click (the office's list of units);
2. desktop-form.png: a unit's report opened from it (the form);
3. desktop-error.png: a number that breaks a 勾稽关系 typed into the form, with its message.

Reports as JSON on stdout what the first page said (title, the units listed) and whether the
link worked a second time (it must not).

usage: desktop_shots.py NIANBAO_BINARY FOLDER OUTDIR
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from selenium.webdriver.common.by import By

from serve_browser import browser, cell, wait

RECEIVED = "applications.received.natural_person"


def main():
    binary, folder, outdir = sys.argv[1:4]
    os.makedirs(outdir, exist_ok=True)
    env = dict(os.environ, NIANBAO_BROWSER="none", NIANBAO_HOME=folder)
    server = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, text=True)
    said, link = [], None
    try:
        for line in server.stdout:
            said.append(line.rstrip("\n"))
            if "http://" in line:
                link = line[line.index("http://"):].strip()
            if "Ctrl+C" in line:
                break
        driver = browser(outdir)
        driver.set_window_size(1280, 800)
        driver.get(link)
        wait(driver, "return document.querySelectorAll('#units tr').length > 0")
        time.sleep(1.0)
        driver.save_screenshot(os.path.join(outdir, "desktop-first.png"))
        first = {"title": driver.title, "text": driver.find_element(By.TAG_NAME, "body").text[:600]}
        # The second use of the link is refused.
        try:
            urllib.request.urlopen(urllib.request.Request(link), timeout=10)
            again = "accepted"
        except urllib.error.HTTPError as e:
            again = e.code
        # A unit's report from the list.
        opened = None
        for row in driver.find_elements(By.CSS_SELECTOR, "#units tr"):
            opened = row.find_element(By.TAG_NAME, "th").text
            row.find_element(By.XPATH, ".//button[text()='打开']").click()
            break
        form, error = False, False
        if opened:
            wait(driver, "return !!document.querySelector('input[data-key=\"%s\"]')" % RECEIVED)
            time.sleep(0.5)
            driver.save_screenshot(os.path.join(outdir, "desktop-form.png"))
            form = True
            c = cell(driver, RECEIVED)
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", c)
            c.clear()
            c.send_keys("999")
            time.sleep(2.0)
            driver.save_screenshot(os.path.join(outdir, "desktop-error.png"))
            error = "有错误" in driver.find_element(By.TAG_NAME, "body").text
        driver.quit()
        print(json.dumps({"said": said, "first": first, "link_again": again, "opened": opened,
                          "form": form, "error": error}, ensure_ascii=False))
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
