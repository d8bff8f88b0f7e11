"""Server time of every staff console page at N units, and 待审 in headless Chromium.

    .venv/bin/python bench/console.py [--units 200] [--repeat 15] [--pending 230] [--no-browser]

Seeds the office the browser tests photograph (tests/console_office.seed_large_office: Jan–Aug
2022, briefings a few late or missing, the yearly data, 双公示 by quarter with files), then
approves items until `--pending` wait for review. Each page is requested in-process through the
WSGI app (no network, no browser: server time): the first request of the process (cold: the
scorecards scored, for 单位 its past months too), the median and worst of the next `--repeat`
(warm), and the first request of each page in a restarted process (a new app on the same
ledger: month totals come back from the ledger, the cards are scored again).

Then 待审 is opened in headless Chromium (Debian's chromium + chromium-driver) against the app
served on 127.0.0.1, and the Navigation Timing `loadEventEnd` of the page is printed: the page
with every file it shows (images lazy, PDFs on click) loaded.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _common import ROOT, machine, serve_in_chromium

sys.path.insert(0, str(ROOT / "tests"))  # the same office the console's browser tests use
from console_office import seed_large_office  # noqa: E402

from bot.app import create_app  # noqa: E402
from ledger.approvals import Target, approve, waiting_per_unit  # noqa: E402
from ledger.db import open_db  # noqa: E402
from ledger.sessions import issue_login  # noqa: E402
from ledger.units import find_member, list_units  # noqa: E402

NOW = datetime(2022, 9, 5, 10, 0)


def _client(app, db, user: str):
    client = app.test_client()
    token = issue_login(db, find_member(db, "web", user), NOW)
    resp = client.post(f"/console/login/{token}")
    assert resp.status_code == 303, resp.status_code
    return client


def _timed(client, path: str) -> float:
    t0 = time.perf_counter()
    resp = client.get(path)
    elapsed = (time.perf_counter() - t0) * 1000
    assert resp.status_code == 200, (path, resp.status_code)
    return elapsed


def _leave_waiting(db_path: Path, pending: int) -> int:
    """Approve 双公示 Q2 unit by unit (as the office would) until `pending` items wait."""
    db = open_db(db_path)
    try:
        staff = find_member(db, "web", "staff1")
        waiting = waiting_per_unit(db)
        extra = sum(waiting.values()) - pending
        targets = [Target(u.id, "3") for u in list_units(db) if waiting.get(u.id)][:max(extra, 0)]
        if targets:
            approve(db, targets, reviewer_id=staff.id, now=NOW, actor="bench", summary="bench")
        return sum(waiting_per_unit(db).values())
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--pending", type=int, default=230)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    print(f"console bench: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        db_path, data = Path(tmp) / "bench.db", Path(tmp) / "data"
        settings = {"CREDITBOT_DB": str(db_path), "CREDITBOT_DATA": str(data),
                    "CREDITBOT_NOW": NOW.isoformat(), "CREDITBOT_NO_SCHEDULER": "1",
                    "CREDITBOT_CONFIG": str(data / "none.toml"),
                    "PUBLIC_BASE_URL": "http://127.0.0.1:5000"}
        t0 = time.perf_counter()
        counts = seed_large_office(settings, args.units)
        waiting = _leave_waiting(db_path, args.pending)
        print(f"seeded {counts['units']} units, {counts['submissions']} submissions in "
              f"{time.perf_counter() - t0:.1f} s; {waiting} items waiting; clock {NOW:%Y-%m-%d}")
        app = create_app(settings)
        db = open_db(db_path)
        staff, liaison = _client(app, db, "staff1"), _client(app, db, "u007")
        unit_id = list_units(db)[7].id
        pages = [("总览", staff, "/console/overview"),
                 ("总览 查找+排序", staff, "/console/overview?q=局&sort=cat1&dir=desc"),
                 ("总览 全部格子", staff, "/console/overview?grid=all"),
                 ("单位", staff, f"/console/units/{unit_id}"),
                 ("单位 一期", staff, f"/console/units/{unit_id}/11/2022-03"),
                 ("待审", staff, "/console/reviews"),
                 ("待审 筛选 第2页", staff, "/console/reviews?ind=11&page=2"),
                 ("打分扣分", staff, "/console/entry"), ("截止", staff, "/console/calendar"),
                 ("推送", staff, "/console/outbox"), ("审计", staff, "/console/audit"),
                 ("本单位 (联络员)", liaison, "/console/mine")]
        print(f"\n{'page':18} {'cold ms':>9} {'warm p50':>9} {'warm max':>9}")
        for name, client, path in pages:
            cold = _timed(client, path)
            warm = [_timed(client, path) for _ in range(args.repeat)]
            print(f"{name:18} {cold:9.0f} {statistics.median(warm):9.1f} {max(warm):9.1f}")
        print(f"\n{'after a restart':18} {'first ms':>9}   (each page the first request of a new process)")
        for name, _, path in pages:
            again = create_app(settings)
            user = "u007" if "联络员" in name else "staff1"
            print(f"{name:18} {_timed(_client(again, db, user), path):9.0f}")
        db.close()
        if not args.no_browser:
            _browser(app, settings, waiting)
    return 0


def _browser(app, settings: dict, waiting: int) -> None:
    """待审 in headless Chromium: Navigation Timing loadEventEnd, first view and warm."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not browser or not driver_path:
        print("\n(no chromium/chromedriver: the browser figures are skipped)")
        return
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    server, base, driver = serve_in_chromium(app, browser, driver_path)
    try:
        db = open_db(settings["CREDITBOT_DB"])
        token = issue_login(db, find_member(db, "web", "staff1"), NOW)
        db.close()
        driver.get(f"{base}/console/login/{token}")
        driver.find_element(By.ID, "login").click()
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "form.who"))

        def load(path: str) -> tuple[float, int]:
            driver.get(base + path)
            timing = driver.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "return [n.loadEventEnd, document.querySelectorAll('article.review').length];")
            return float(timing[0]), int(timing[1])
        print(f"\n待审 in headless Chromium, {waiting} items waiting (loadEventEnd, ms):")
        for label, path in (("first page", "/console/reviews"), ("last page", "/console/reviews?page=99"),
                            ("one indicator", "/console/reviews?ind=11")):
            first, shown = load(path)
            warm = [load(path)[0] for _ in range(5)]
            heading = " ".join(driver.find_element(By.TAG_NAME, "h1").text.split())
            print(f"  {label:14} first {first:6.0f}   warm p50 {statistics.median(warm):6.0f}"
                  f"   ({shown} cards; {heading})")
    finally:
        driver.quit()
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
