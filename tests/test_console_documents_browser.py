"""数据导入 · 通报 in a real browser (headless Chromium, as tests/test_console_browser.py):
the sheet for every unit uploaded, the preview read, the import confirmed as one 编号, and that
编号 undone by its 撤销 button on the 打分扣分 page."""
from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from command_line import creditbot
from test_console_browser import Desk, desk  # noqa: F401  (the module's own browser)


def test_import_preview_apply_and_undo_in_the_browser(desk: Desk, tmp_path: Path):
    desk.login("staff1")
    desk.open("/console/documents")
    assert "3 “双公示”" in desk.wait_for(By.ID, "templates").text
    sheet = tmp_path / "双公示.xlsx"
    made = creditbot("data", "template", "双公示", "2022-Q3", "-o", sheet, env=desk.settings)
    assert made.returncode == 0, made.stderr
    wb = load_workbook(sheet)
    rows = {r[0].value: r[0].row for r in wb["填报"].iter_rows(min_row=2)}
    wb["填报"][f"C{rows['市税务局']}"] = "99%"
    wb["填报"][f"D{rows['市民政局']}"] = "两"
    wb.save(sheet)

    form = desk.wait_for(By.ID, "upload-form")
    form.find_element(By.NAME, "file").send_keys(str(sheet))
    desk.follow(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    preview = desk.wait_for(By.ID, "reply").text
    assert "→ 99%" in preview and "“双公示”信息瞒报条数 （空） → 2" in preview
    desk.shot("documents-preview")
    desk.wait_for(By.ID, "confirm-button").click()
    desk.until(EC.text_to_be_present_in_element((By.ID, "reply"), "已导入"))
    done = desk.driver.find_element(By.ID, "reply").text
    number = re.search(r"编号 (\d+)", done).group(1)
    assert desk.driver.find_elements(By.ID, "confirm-button") == []

    desk.open("/console/entry")
    row = desk.wait_for(By.CSS_SELECTOR, f"#recent tr[data-act='{number}']")  # 我最近的记录
    assert "导入" in row.text
    row.find_element(By.CSS_SELECTOR, "button.undo").click()
    assert f"已撤销编号 {number}（导入）" in desk.wait_for(By.ID, "reply").text
    desk.logout()
