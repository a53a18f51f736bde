#!/usr/bin/env python3
"""Two units whose reports share a folder (乡镇/a.yaml, 乡镇/b.yaml), each in its own headless
Chromium (Selenium), as their clerks would: each uploads its seal as 公章.png from the
signature's file input and a figure as 图一.png from a new figure of 其他需要报告的事项, saves,
and downloads its PDF through the page's session. Reports what it saw as JSON on stdout:
per unit, the names the form got back, the save note, the PDF (base64) and its download name.

usage: serve_browser_units.py BASE_URL LINK_A LINK_B IMAGES_A IMAGES_B
(IMAGES_X: a folder holding that unit's 公章.png and 图一.png)
"""

import json
import os
import sys

from selenium.webdriver.common.by import By

from serve_browser import browser, click, wait

FETCH_PDF = """
const done = arguments[arguments.length - 1];
// The form's state is a module's own (not a global): the unit's id comes from its list.
fetch('/api/reports', {credentials: 'same-origin'})
  .then((r) => r.json())
  .then((list) => fetch('/api/reports/' + encodeURIComponent(list[0].id) + '/render?format=pdf',
                        {credentials: 'same-origin'}))
  .then(async (r) => {
    const bytes = new Uint8Array(await r.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    done({status: r.status, disposition: r.headers.get('content-disposition'), pdf: btoa(bin)});
  })
  .catch((e) => done({error: String(e)}));
"""


def one_unit(link, images, downloads):
    d = browser(downloads)
    try:
        d.get(link)
        wait(d, "return document.getElementById('f-signature_seal') !== null")
        seal = d.find_element(By.CSS_SELECTOR, "fieldset.signature input[type=file]")
        seal.send_keys(os.path.join(images, "公章.png"))
        wait(d, "return document.getElementById('f-signature_seal').value.endsWith('/seal/公章.png')")
        add = d.find_element(By.XPATH, "//div[@data-path='other']//button[text()='＋ 图片']")
        click(d, add)
        wait(d, "return document.querySelector('.item[data-path=\"other[1]\"] input[type=file]') !== null")
        figure = d.find_element(By.CSS_SELECTOR, '.item[data-path="other[1]"] input[type=file]')
        figure.send_keys(os.path.join(images, "图一.png"))
        wait(d, "return document.getElementById('f-other_1__image').value.endsWith('/figures/图一.png')")
        for key, text in [("f-other_1__caption", "图一 示意"), ("f-other_1__alt", "单色示意图")]:
            box = d.find_element(By.ID, key)
            click(d, box)
            box.send_keys(text)
        click(d, d.find_element(By.ID, "save"))
        wait(d, "return document.getElementById('save-note').textContent.includes('已保存')")
        out = {"seal": d.find_element(By.ID, "f-signature_seal").get_attribute("value"),
               "figure": d.find_element(By.ID, "f-other_1__image").get_attribute("value"),
               "save_note": d.find_element(By.ID, "save-note").text}
        out.update(d.execute_async_script(FETCH_PDF))
        return out
    finally:
        d.quit()


def main():
    base, link_a, link_b, images_a, images_b = sys.argv[1:6]
    downloads = os.path.join(os.path.dirname(images_a), "downloads")
    os.makedirs(downloads, exist_ok=True)
    out = {"a": one_unit(link_a, images_a, downloads), "b": one_unit(link_b, images_b, downloads)}
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
