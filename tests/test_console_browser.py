"""The console in a real browser: headless Chromium (Debian's chromium + chromium-driver, driven
by selenium) against the real app on 127.0.0.1, with the fake WeCom API behind it.

One browser for the whole module; every step waits for what it needs (no sleeps). Each page is
photographed into docs/screenshots/ for the README.
"""
from __future__ import annotations

import json
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from bot.app import create_app
from channels.message import Message
from command_line import creditbot
from console_office import NOW, UNITS, seed_office
from fake_wecom import FakeWeCom
from ledger.db import open_db
from ledger.outbox import list_items
from ledger.units import find_unit
from reminders.outbox import deliver_due, make_senders
from servers import ROOT, app_server, free_port

SHOTS = ROOT / "docs" / "screenshots"
WAIT = 30  # seconds: generous, for a loaded 2-core machine; waits end as soon as the page is ready
# How often a wait looks again: a page is mostly ready within a tenth of a second, and selenium's
# default half second would be the test's own delay, paid at every wait that misses once.
POLL = 0.05
# Tencent's published sample token and EncodingAESKey: they switch the WeCom channel on.
WECOM_SAMPLE = {"WECOM_TOKEN": "QDG6eK", "WECOM_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}


def _browser_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.fail("浏览器测试需要 chromium 和 chromium-driver（Debian 软件包）；.ci/run 会自动安装：\n"
                    "apt-get install -y chromium chromium-driver fonts-noto-cjk")
    return browser, driver


def headless_chrome(browser: str, driver_path: str) -> webdriver.Chrome:
    """The one Chromium every browser test drives: headless, Chinese, 1366×768, console log kept
    (CSP reports land there)."""
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-proxy-server", "--lang=zh-CN", "--window-size=1366,768",
                "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(driver_path, port=free_port()), options=options)


@dataclass
class Desk:
    base: str
    app: Any
    fake: FakeWeCom
    settings: dict[str, Any]
    driver: webdriver.Chrome

    def chat(self, user: str, text: str) -> str:
        """A message through the app's own pipeline, as WeCom would deliver it."""
        pipeline = self.app.extensions["creditbot"]
        msg = Message("wecom", user, user, text, f"b-{user}-{text}-{datetime.now().timestamp()}",
                      pipeline.clock())
        return pipeline.handle(msg).text

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)
        self.wait_for(By.TAG_NAME, "main")

    def until(self, condition: Callable[[webdriver.Chrome], Any]) -> Any:
        """Wait until condition(driver) holds (or WAIT runs out) and return what it returned."""
        return WebDriverWait(self.driver, WAIT, poll_frequency=POLL).until(condition)

    def wait_for(self, by: str, what: str) -> Any:
        return self.until(EC.presence_of_element_located((by, what)))

    def follow(self, link: Any) -> None:
        """Click a link to another page and wait until that page is in: the old page's <html>
        gone stale, the new one's <main> there. (A wait for an element both pages have can end
        on the old page, when the click returns before the browser has begun to navigate.)"""
        old = self.driver.find_element(By.TAG_NAME, "html")
        link.click()
        self.until(EC.staleness_of(old))
        self.wait_for(By.TAG_NAME, "main")

    def shot(self, name: str, width: int = 1366) -> Path:
        """A full-page screenshot at this width (the page decides the height)."""
        height = self.driver.execute_script(
            "window.scrollTo(0, 0); return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
        self.driver.set_window_size(width, min(max(int(height) + 140, 700), 2600))
        path = SHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(1366, 768)
        return path

    def login(self, user: str) -> None:
        reply = self.chat(user, "控制台")
        link = re.search(r"(http://\S+/console/login/\S+)", reply)
        assert link, reply
        self.driver.get(link.group(1))
        self.wait_for(By.ID, "login").click()
        self.wait_for(By.CSS_SELECTOR, "form.who")

    def logout(self) -> None:
        self.driver.find_element(By.CSS_SELECTOR, "form.who button").click()
        self.until(EC.title_contains("已退出"))


@contextmanager
def served_desk(tmp: Path, now: str, seed: Callable[[dict[str, Any]], Any]) -> Iterator[Desk]:
    """The real app on loopback with the fake WeCom, an office seeded by `seed(settings)`, and a
    headless Chromium to drive it."""
    browser, driver_path = _browser_paths()
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with FakeWeCom() as fake:
        settings = {"CREDITBOT_DB": str(tmp / "creditbot.db"), "CREDITBOT_DATA": str(tmp / "data"),
                    "CREDITBOT_NOW": now, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                    **WECOM_SAMPLE, **fake.settings()}
        seed(settings)
        app = create_app(settings)
        driver = headless_chrome(browser, driver_path)
        try:
            with app_server(app, port) as base:
                yield Desk(base, app, fake, settings, driver)
        finally:
            driver.quit()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    tmp = tmp_path_factory.mktemp("console")
    with served_desk(tmp, NOW, lambda settings: seed_office(settings, tmp)) as d:
        yield d


def _score_json(settings: dict[str, Any]) -> dict[str, float]:
    out = creditbot("score", "--json", env=settings)
    assert out.returncode == 0, out.stderr
    return {c["unit"]: c["total"] for c in json.loads(out.stdout)}


def review_cards(desk: Desk) -> list[tuple[str, str]]:
    """(data-unit, data-code) of every 待审 card on the page, read in one round trip."""
    return [tuple(c) for c in desk.driver.execute_script(
        "return Array.from(document.querySelectorAll('article.review'),"
        " a => [a.getAttribute('data-unit'), a.getAttribute('data-code')])")]


def test_staff_logs_in_through_the_chat_link_and_the_table_is_the_scores(desk: Desk):
    desk.login("staff1")
    assert desk.driver.current_url.endswith("/console/overview")
    # Each list is read in one execute_script (getAttribute, innerText for .text), not one
    # WebDriver round trip per element.
    rows = desk.driver.execute_script(
        "return Array.from(document.querySelectorAll('table.rank tr[data-unit]'),"
        " r => [r.getAttribute('data-unit'), r.getAttribute('data-total')])")
    shown = dict(rows)
    scores = _score_json(desk.settings)
    assert shown == {name: f"{total:.2f}" for name, total in scores.items()}  # two decimals
    assert set(shown) == {u[0] for u in UNITS}
    # Best first, as 排名; the chart shows how the totals spread, not the ranking again.
    assert [shown[unit] for unit, _ in rows] == [
        f"{t:.2f}" for t in sorted(scores.values(), reverse=True)]
    columns = desk.driver.execute_script(
        "return Array.from(document.querySelectorAll('svg.hist rect[data-count]'),"
        " c => [c.getAttribute('data-count'), c.getAttribute('data-low'), c.getAttribute('data-high')])")
    assert sum(int(count) for count, _, _ in columns) == len(UNITS)
    for total in scores.values():
        assert any(float(low) <= total < float(high)
                   or (i == len(columns) - 1 and total >= float(low))
                   for i, (count, low, high) in enumerate(columns) if int(count))
    # The grid shows 市人社局's missing August briefing and its late ones, and counts them.
    grid = desk.driver.find_element(By.XPATH, "//table[contains(@class,'grid')]//tr[th/a[text()='市人社局']]")
    classes, late, missing = desk.driver.execute_script(
        "const r = arguments[0]; return [Array.from(r.querySelectorAll('td.cell'), c => c.getAttribute('class')),"
        " r.querySelector('td.late-count').innerText, r.querySelector('td.missing-count').innerText]", grid)
    cells = [c.split()[-1] for c in classes]
    assert cells[:8] == ["late", "on_time", "on_time", "late", "on_time", "on_time", "late", "missing"]
    assert cells[8:] == ["open"] * 4
    assert late == "3"
    assert missing == "1"


def test_unit_page_shows_items_submissions_evidence_and_the_monthly_line(desk: Desk):
    desk.driver.find_element(By.LINK_TEXT, "市税务局").click()
    desk.wait_for(By.CSS_SELECTOR, "svg.line")
    dots = desk.driver.execute_script(
        "return Array.from(document.querySelectorAll('svg.line circle[data-month]'),"
        " d => [d.getAttribute('data-month'), d.getAttribute('data-total')])")
    months = [month for month, _ in dots]
    assert months == [f"2022-{m:02d}" for m in range(1, 10)]
    totals = [float(total) for _, total in dots]
    assert totals[-1] == pytest.approx(_score_json(desk.settings)["市税务局"], abs=0.005)
    assert totals[0] < totals[-1]  # the year filled up month by month
    page = desk.driver.find_element(By.TAG_NAME, "main").text
    assert "信用承诺信息上报情况" in page and "双公示台账截图.png" in page and "8月开展诚信宣传" in page
    desk.shot("unit")


def test_review_desk_shows_the_evidence_and_approving_tells_the_liaison(desk: Desk):
    db = open_db(desk.settings["CREDITBOT_DB"])
    sw = find_unit(db, "市税务局").id
    db.close()
    desk.open(f"/console/reviews?unit={sw}")  # 待审 for one unit, as 「待审 市税务局」
    item = desk.wait_for(By.CSS_SELECTOR, "article.review[data-unit='市税务局'][data-code='3']")
    img = item.find_element(By.TAG_NAME, "img")
    desk.driver.execute_script("arguments[0].scrollIntoView()", img)  # images load lazily
    desk.until(
        lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img))
    assert not item.find_elements(By.TAG_NAME, "iframe")  # a PDF loads only when asked for
    item.find_element(By.CSS_SELECTOR, "button.preview").click()
    pdf = item.find_element(By.TAG_NAME, "iframe")  # then it shows in the page
    assert re.search(r"/console/files/\d+$", pdf.get_attribute("src"))
    assert "双公示台账2022Q2.pdf" in item.text
    item.find_element(By.CSS_SELECTOR, "button.accept").click()
    reply = desk.wait_for(By.ID, "reply").text
    assert "已通过" in reply and "市税务局" in reply, reply
    assert not desk.driver.find_elements(By.CSS_SELECTOR, "article.review[data-unit='市税务局'][data-code='3']")
    assert {unit for unit, _ in review_cards(desk)} == {"市税务局"}
    # The keyboard: J moves to the next item, R goes to its reason, Enter rejects it.
    body = desk.driver.find_element(By.TAG_NAME, "body")
    first, second = desk.driver.find_elements(By.CSS_SELECTOR, "article.review")[:2]
    assert "current" in first.get_attribute("class")
    body.send_keys("j")
    assert "current" in second.get_attribute("class")
    code = second.get_attribute("data-code")
    body.send_keys("r")
    reason = desk.driver.switch_to.active_element
    assert reason.get_attribute("name") == "reason"
    reason.send_keys("请补充盖章材料\n")
    desk.until(EC.text_to_be_present_in_element((By.ID, "reply"), "已驳回"))
    assert "请补充盖章材料" in desk.driver.find_element(By.ID, "reply").text
    assert code not in [c for _, c in review_cards(desk)]
    db = open_db(desk.settings["CREDITBOT_DB"])
    try:
        queued = [i for i in list_items(db) if i.target.get("users") == ["sw1"]]
        assert queued and queued[-1].channel == "wecom"
        deliver_due(db, datetime.fromisoformat(NOW), make_senders(desk.settings))
    finally:
        db.close()
    told = [s["text"]["content"] for s in desk.fake.sent if s["touser"] == "sw1"]
    assert any("审核了您单位" in t and "通过" in t for t in told), told
    assert any("驳回（请补充盖章材料）" in t for t in told), told


def test_staff_enter_a_deduction_with_the_chat_s_rules(desk: Desk):
    desk.open("/console/entry")
    form = desk.wait_for(By.ID, "deduct-form")
    form.find_element(By.NAME, "unit").send_keys("市民政局")  # no unit is chosen by default
    form.find_element(By.CSS_SELECTOR, "select[name=code] option[value='八.1']").click()
    form.find_element(By.NAME, "reason").send_keys("违规收费被通报")
    desk.follow(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    reply = desk.wait_for(By.ID, "reply").text
    assert "已记录 市民政局" in reply and "扣 5 分" in reply.replace("扣5分", "扣 5 分")
    assert "市民政局 现总分" in desk.driver.find_element(By.ID, "standing").text


def test_calendar_outbox_and_audit_pages(desk: Desk):
    desk.open("/console/calendar")
    text = desk.driver.find_element(By.TAG_NAME, "main").text
    assert "2022年10月" in text and "国庆" in text  # the October briefing moves past 国庆
    desk.open("/console/outbox")
    assert "审核了您单位" in desk.driver.find_element(By.TAG_NAME, "main").text
    desk.shot("outbox")
    desk.open("/console/audit")
    text = desk.driver.find_element(By.TAG_NAME, "main").text
    assert "审核通过" in text and "登录控制台" in text and "扣分" in text
    assert "review.accepted" not in text and "adjust.deduction" not in text
    desk.logout()


def test_a_liaison_sees_their_own_unit_and_not_another(desk: Desk):
    desk.login("mz1")
    assert desk.driver.current_url.endswith("/console/mine")
    page = desk.driver.find_element(By.TAG_NAME, "main").text
    assert "市民政局" in page and "缺项" in page and "上传佐证材料" in page
    db = open_db(desk.settings["CREDITBOT_DB"])
    other = find_unit(db, "市税务局").id
    db.close()
    desk.open(f"/console/units/{other}")
    assert "您只能查看本单位" in desk.driver.find_element(By.TAG_NAME, "main").text
    desk.open("/console/overview")
    assert "仅限信用办工作人员" in desk.driver.find_element(By.TAG_NAME, "main").text
    desk.open("/console/files/1")
    assert "您只能查看本单位" in desk.driver.find_element(By.TAG_NAME, "main").text


def test_no_page_broke_its_content_security_policy_or_failed_a_request(desk: Desk):
    # The liaison's refused pages (403) are expected; nothing else may fail.
    problems = [e["message"] for e in desk.driver.get_log("browser")
                if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]
                and "status of 403" not in e["message"]]
    assert problems == []
