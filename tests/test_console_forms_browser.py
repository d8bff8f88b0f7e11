"""The staff's forms, 审计, 截止 and the liaison's page of a 120-unit office in headless Chromium,
through the real server: a deduction by 简称 with no unit chosen by default, the new total and
rank, 撤销 from the list; 审计 in Chinese, filtered, stacked on a phone; 截止's counts opening their
list (as the chat's 未交 counts); a liaison's 驳回 with its reason and deadline, corrected with the
page's 月报 form. entry.png, audit.png, calendar.png and liaison-phone.png are taken here."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from console_office import seed_large_office
from test_console_browser import Desk, served_desk

UNITS = 120
NOW = "2022-09-05T10:00:00"


def _seed(settings: dict[str, Any]) -> None:
    assert seed_large_office(settings, UNITS)["units"] == UNITS


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    with served_desk(tmp_path_factory.mktemp("forms120"), NOW, _seed) as d:
        d.login("staff1")
        yield d


def _submit(desk: Desk, form: Any) -> str:
    desk.follow(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    return desk.wait_for(By.ID, "reply").text


def test_a_deduction_by_short_name_shows_the_new_rank_and_is_undone_from_the_list(desk: Desk):
    desk.open("/console/entry")
    form = desk.wait_for(By.ID, "deduct-form")
    box = form.find_element(By.NAME, "unit")
    assert box.get_attribute("value") == "" and "请选择单位" in box.get_attribute("placeholder")
    # Nothing chosen: the browser does not send the form at all.
    Select(form.find_element(By.NAME, "code")).select_by_value("八.1")
    assert desk.driver.execute_script("return arguments[0].checkValidity()", form) is False
    # The datalist's names and 简称 read in one round trip (the label and value that
    # get_attribute read: the options' properties).
    names = desk.driver.execute_script(
        "return Array.from(document.querySelectorAll('#entry-units option'), o => o.label || o.value)")
    assert len(set(names)) >= UNITS
    box.send_keys("发改委")  # the 简称 of 市发展和改革委员会
    form.find_element(By.NAME, "reason").send_keys("违规收费被省通报")
    reply = _submit(desk, form)
    assert "已记录 市发展和改革委员会「八.1" in reply
    standing = desk.driver.find_element(By.ID, "standing").text
    assert re.fullmatch(r"市发展和改革委员会 现总分 \d+\.\d\d（[^）]+），第 \d+/120 名。", standing), standing
    card = desk.chat("staff1", "单位 发改委")  # the chat's card says the same total and rank
    total, place = re.search(r"总分 ([\d.]+).*排名 (\d+)/120", card).groups()
    assert f"第 {place}/120 名" in standing
    assert float(standing.split("现总分 ")[1].split("（")[0]) == pytest.approx(float(total), abs=0.005)
    # After a record the boxes are empty again: the next record needs its own choice.
    assert desk.driver.find_element(By.CSS_SELECTOR, "#deduct-form input[name=unit]").get_attribute("value") == ""
    row = desk.driver.find_element(By.CSS_SELECTOR, "#recent tr[data-act]")
    assert "市发展和改革委员会" in row.text and "扣分" in row.text
    desk.shot("entry")
    act = row.get_attribute("data-act")
    row.find_element(By.CSS_SELECTOR, "button.undo").click()
    desk.until(EC.text_to_be_present_in_element((By.ID, "reply"), f"已撤销编号 {act}"))
    assert "undone" in desk.driver.find_element(By.CSS_SELECTOR, f"#recent tr[data-act='{act}']").get_attribute("class")


def test_the_audit_in_chinese_filtered_by_unit_and_action_and_stacked_on_a_phone(desk: Desk):
    desk.chat("staff1", "审核 发改委 月报 2022-08 驳回 请补充盖章的工作总结")
    desk.open("/console/audit")
    text = desk.driver.find_element(By.TAG_NAME, "main").text
    assert "审核驳回" in text and "登录控制台" in text and "撤销记录" in text
    assert not re.search(r"act\.add|adjust\.|review\.|sha256", text)
    form = desk.driver.find_element(By.ID, "audit-filter")
    form.find_element(By.NAME, "unit").send_keys("发改委")
    Select(form.find_element(By.NAME, "action")).select_by_value("reject")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    desk.until(lambda d: "action=reject" in d.current_url)
    rows = desk.driver.find_elements(By.CSS_SELECTOR, "table.audit tbody tr[data-code]")
    assert rows and all(r.get_attribute("data-code") == "review.rejected" for r in rows)
    assert all("市发展和改革委员会" in r.text for r in rows)
    assert "请补充盖章的工作总结" in rows[0].text
    export = desk.driver.find_element(By.ID, "audit-export").get_attribute("href")
    assert "/console/audit.xlsx?" in export and "action=reject" in export
    desk.open("/console/audit")
    desk.shot("audit")
    # On a phone each row is a block of labelled lines, and nothing is wider than the screen.
    desk.driver.set_window_size(390, 844)
    desk.open("/console/audit")
    cell = desk.driver.find_element(By.CSS_SELECTOR, "table.audit tbody td.text")
    assert desk.driver.execute_script("return getComputedStyle(arguments[0]).display", cell) == "block"
    assert desk.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1")
    desk.driver.set_window_size(1366, 768)


def test_deadline_counts_open_their_list_and_agree_with_not_sent(desk: Desk):
    said = desk.chat("staff1", "未交 2022-08")
    missing = int(re.search(r"未报送 (\d+) 个单位", said).group(1))
    late = re.search(r"逾期报送 (\d+) 个单位", said)
    desk.open("/console/calendar")
    row = desk.wait_for(By.CSS_SELECTOR, "tr[data-code='11'][data-period='2022-08']")
    counts = {e.get_attribute("data-state"): int(re.search(r"\d+", e.text).group(0))
              for e in row.find_elements(By.CSS_SELECTOR, "td.counts [data-state]")}
    assert counts["missing"] == missing and counts["late"] == (int(late.group(1)) if late else 0)
    assert sum(counts.values()) == UNITS
    desk.shot("calendar")
    row.find_element(By.CSS_SELECTOR, "a[data-state='missing']").click()
    desk.wait_for(By.CSS_SELECTOR, "table.filings")
    listed = [r.get_attribute("data-unit") for r in desk.driver.find_elements(By.CSS_SELECTOR, "table.filings tr[data-unit]")]
    assert len(listed) == missing and all(f"· {name}" in said for name in listed)


def test_a_liaison_sees_the_rejection_s_reason_and_deadline_and_corrects_it_by_form(desk: Desk):
    desk.logout()
    desk.login("u010")  # 市发展和改革委员会's liaison; its August 月报 was rejected above
    desk.driver.set_window_size(390, 844)  # a phone, as in the WeCom / DingTalk browser
    desk.open("/console/mine")
    box = desk.wait_for(By.CSS_SELECTOR, "#rejections .rejection[data-code='11'][data-period='2022-08']")
    assert "请补充盖章的工作总结" in box.text and "补正截止：" in box.text and "保留原按时记录" in box.text
    assert desk.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1")
    desk.shot("liaison-phone", width=390)
    form = desk.driver.find_element(By.ID, "briefing-form")
    Select(form.find_element(By.NAME, "month")).select_by_value("2022-08")
    form.find_element(By.NAME, "text").send_keys("8月开展诚信宣传3次，工作总结已盖章。")
    reply = _submit(desk, form)
    assert "已收到市发展和改革委员会 2022年8月月报" in reply and "按时" in reply
    assert not desk.driver.find_elements(By.ID, "rejections")
    desk.driver.set_window_size(1366, 768)


def test_no_page_broke_its_content_security_policy(desk: Desk):
    problems = [e["message"] for e in desk.driver.get_log("browser")
                if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
    assert problems == []
