"""A 120-unit office's month in the console, in headless Chromium, counted: approve the month's
pending items, enter the platform's figures for three indicators, produce the month's 通报.

    .venv/bin/python bench/staff_month.py [--units 120]

The office is seeded on 2022-09-15 (Beijing) with the year so far: January–July reviewed,
August's 工作总结 and 信用承诺 figures waiting. A staff member then does the month as a person
would, and every click, upload or typed command is counted as one staff action:

  log in (the chat's link, then 进入控制台) · 待审 · 期别 2022-08 · 通过筛选出的全部 · 确认 ·
  导入·通报 · for 双公示 2022-Q2, 信用承诺 2022-08 and 行政强制 2022: 下载 · (fill the sheet in
  Excel: not counted) · choose the file · 上传并预览 · 确认导入 · and 下载月度通报.

It prints the count (goal: at most 20) and the wall time of the browser part, and checks the
result: nothing left waiting for August, the figures in the ledger, the 通报 a Word file.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _common import machine, serve_in_chromium

from bot.app import create_app
from ledger.db import immediate, open_db
from ledger.facts import briefing_indicator, init_office
from ledger.sessions import issue_login
from ledger.submissions import record_submission
from ledger.units import add_member, add_unit, find_member
from worktime.calendar import WorkCalendar
from worktime.period import deadline

NOW = datetime(2022, 9, 15, 10, 0)
MONTH = "2022-08"
# (indicator as typed, its period, the column values to fill in per unit: unit number -> text)
SHEETS = [("双公示", "2022-Q2", lambda n: [f"{99.5 - (n % 40) * 0.1:.1f}%", "0"]),
          ("信用承诺", "2022-08", lambda n: [str(30 + n % 50)]),
          ("行政强制", "2022", lambda n: [str(1 + n % 5)])]


def seed(db_path: Path, units: int) -> int:
    """The year so far; returns how many items wait for August."""
    rng = random.Random(7)
    db = open_db(db_path)
    off = init_office(db, "lvliang-2022-departments", 2022)
    cal = WorkCalendar.default()
    brief = briefing_indicator(off.scheme)
    at = datetime(2022, 1, 4, 9, 0)
    with immediate(db):
        staff = add_member(db, "staff1", "刘洋", "staff", None, now=at)
        for n in range(units):
            unit = add_unit(db, f"市第{n + 1:03d}单位局", now=at)
            member = add_member(db, f"u{n:03d}", f"联络员{n}", "liaison", unit.id, now=at)
            for month in range(1, 9):
                period = f"2022-{month:02d}"
                due = deadline(cal, "monthly", period, brief.due.day)
                common = dict(unit_id=unit.id, member_id=member.id, channel="seed",
                              source_msg_id=None, now=datetime(2022, month + 1, 1, 9, 0))
                b = record_submission(db, indicator=brief.code, period=period, kind="briefing",
                                      metrics={}, text=f"{month}月工作总结", deadline=due.isoformat(),
                                      on_time=rng.random() < 0.9, **common)
                d = record_submission(db, indicator="7", period=period, kind="data",
                                      metrics={"commitments": rng.randint(10, 400)}, text="报送",
                                      **common)
                if month < 8:  # reviewed; August's wait
                    for sub in (b, d):
                        db.execute("UPDATE submissions SET status = 'accepted', reviewed_by = ? "
                                   "WHERE id = ?", [staff.id, sub.id])
    waiting = db.execute("SELECT COUNT(*) FROM submissions WHERE status = 'submitted' "
                         "AND period = ?", [MONTH]).fetchone()[0]
    db.close()
    return waiting


def fill(path: Path, values) -> None:
    """What staff do in Excel: type each unit's figures (not counted as console actions)."""
    from openpyxl import load_workbook
    wb = load_workbook(path)
    ws = wb["填报"]
    for row in ws.iter_rows(min_row=2):
        n = int(row[0].value[2:5]) - 1
        for col, text in enumerate(values(n), start=2):
            row[col].value = text
    wb.save(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=120)
    args = ap.parse_args(argv)
    browser, driver_path = shutil.which("chromium") or shutil.which("chromium-browser"), \
        shutil.which("chromedriver")
    if not browser or not driver_path:
        print("需要 chromium 和 chromium-driver（apt-get install -y chromium chromium-driver）")
        return 1
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    print(f"staff month bench: {machine()}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        downloads = tmp / "downloads"
        downloads.mkdir()
        t0 = time.perf_counter()
        waiting = seed(tmp / "office.db", args.units)
        print(f"seeded {args.units} units, {waiting} items waiting for {MONTH} "
              f"in {time.perf_counter() - t0:.1f} s; clock {NOW:%Y-%m-%d %H:%M}")
        settings = {"CREDITBOT_DB": str(tmp / "office.db"), "CREDITBOT_DATA": str(tmp / "data"),
                    "CREDITBOT_NOW": NOW.isoformat(), "CREDITBOT_NO_SCHEDULER": "1",
                    "CREDITBOT_CONFIG": str(tmp / "none.toml"),
                    "PUBLIC_BASE_URL": "http://127.0.0.1:5000"}
        app = create_app(settings)
        server, base, driver = serve_in_chromium(app, browser, driver_path, "1366,900")
        driver.execute_cdp_cmd("Page.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
        wait = WebDriverWait(driver, 120)
        actions: list[str] = []

        def act(what: str) -> None:
            actions.append(what)

        def click(by: str, what: str, label: str) -> None:
            wait.until(EC.element_to_be_clickable((by, what))).click()
            act(label)

        def downloaded(suffix: str, before: set[str]) -> Path:
            """The file the last click downloaded (waits until Chromium has finished it)."""
            def done(_):
                new = [p for p in downloads.iterdir() if p.name not in before
                       and p.suffix == suffix]
                return new[0] if new else False
            return wait.until(done)

        try:
            db = open_db(settings["CREDITBOT_DB"])
            token = issue_login(db, find_member(db, "web", "staff1"), NOW)
            db.close()
            started = time.perf_counter()
            driver.get(f"{base}/console/login/{token}")
            act("open the chat's login link")
            click(By.ID, "login", "进入控制台")
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.who")))

            # 1. approve the month's pending items
            click(By.LINK_TEXT, "待审", "待审")
            Select(wait.until(EC.presence_of_element_located((By.NAME, "period")))).select_by_value(MONTH)
            act(f"期别 {MONTH}")
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f"option[value='{MONTH}'][selected]")))
            click(By.ID, "approve-filter", "通过筛选出的全部")
            click(By.ID, "confirm-apply", "确认通过")
            wait.until(EC.presence_of_element_located((By.ID, "reply")))

            # 2. the platform's figures for three indicators
            click(By.LINK_TEXT, "导入·通报", "导入·通报")
            for indicator, period, values in SHEETS:
                row = wait.until(EC.presence_of_element_located(
                    (By.XPATH, f"//table[@id='templates']//tr[td[contains(., '{indicator}')]]")))
                field = row.find_element(By.NAME, "period")
                if field.get_attribute("value") != period:
                    field.clear()
                    field.send_keys(period)
                    act(f"期别 {period}")
                before = {p.name for p in downloads.iterdir()}
                row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
                act(f"下载 {indicator}")
                sheet = downloaded(".xlsx", before)
                fill(sheet, values)
                wait.until(EC.presence_of_element_located((By.NAME, "file"))).send_keys(str(sheet))
                act(f"选择 {sheet.name}")
                click(By.CSS_SELECTOR, "#upload-form button[type=submit]", "上传并预览")
                click(By.ID, "confirm-button", "确认导入")
                wait.until(EC.text_to_be_present_in_element((By.ID, "reply"), "已导入"))

            # 3. the month's 通报
            before = {p.name for p in downloads.iterdir()}
            month = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#month-bulletin input[name=which]")))
            if month.get_attribute("value") != MONTH:
                driver.execute_script("arguments[0].value = arguments[1]", month, MONTH)
                act(f"月份 {MONTH}")
            click(By.CSS_SELECTOR, "#month-bulletin button[type=submit]", "下载月度通报")
            bulletin = downloaded(".docx", before)
            wall = time.perf_counter() - started
        finally:
            driver.quit()
            server.shutdown()

        db = open_db(settings["CREDITBOT_DB"])
        left = db.execute("SELECT COUNT(*) FROM submissions WHERE status = 'submitted' AND period = ?",
                          [MONTH]).fetchone()[0]
        imports = db.execute("SELECT COUNT(*) FROM staff_acts WHERE kind = '导入'").fetchone()[0]
        db.close()
        from docx import Document
        title = Document(str(bulletin)).paragraphs[0].text
        print(f"\nstaff actions: {len(actions)} (goal ≤ 20)")
        for n, what in enumerate(actions, start=1):
            print(f"  {n:2}. {what}")
        print(f"wall time (browser, login to 通报): {wall:.1f} s")
        print(f"result: {waiting - left} of {waiting} items for {MONTH} approved, {left} left; "
              f"{imports} imports recorded; 通报: {title}")
        return 0 if left == 0 and imports == len(SHEETS) and len(actions) <= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
