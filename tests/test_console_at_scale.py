"""The console of a 120-unit office in headless Chromium, through the real server: 总览 found,
filtered and sorted; the period grid narrowed to 缺/迟 with each cell opening its period; 待审
paged and filtered, keys that do nothing in a form control, and batch approval confirmed, done
and undone. 总览 and 待审 are photographed here, at 120 units, for the README."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from console_office import seed_large_office
from ledger.db import open_db
from test_console_browser import Desk, review_cards, served_desk

UNITS = 120
NOW = "2022-09-05T10:00:00"


def _seed(settings: dict[str, Any]) -> None:
    assert seed_large_office(settings, UNITS)["waiting"] == 233  # the office issue 18 met: 230-odd items waiting


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    with served_desk(tmp_path_factory.mktemp("office120"), NOW, _seed) as d:
        d.login("staff1")
        yield d


def _rows(desk: Desk) -> list[Any]:
    return desk.driver.find_elements(By.CSS_SELECTOR, "table.rank tbody tr[data-unit]")


# The page is read in one execute_script per question, not one WebDriver round trip per row or
# cell (120 rows × a dozen cells is thousands of round trips): the same attributes (getAttribute)
# and the same visible text (innerText, what an element's .text reads).
def _ranking(desk: Desk) -> list[dict[str, Any]]:
    """The ranking's rows: unit, data-total and whether the total carries 暂计."""
    return desk.driver.execute_script(
        "return Array.from(document.querySelectorAll('table.rank tbody tr[data-unit]'), r => ({"
        "unit: r.getAttribute('data-unit'), total: r.getAttribute('data-total'),"
        "provisional: r.querySelector('span.prov') !== null}))")


def _waiting(desk: Desk) -> int:
    db = open_db(desk.settings["CREDITBOT_DB"])
    try:
        return db.execute("SELECT count(*) FROM (SELECT unit_id, indicator FROM submissions WHERE "
                          "status = 'submitted' UNION SELECT unit_id, indicator FROM evidence "
                          "WHERE status = 'submitted')").fetchone()[0]
    finally:
        db.close()


def test_overview_of_120_units_is_found_filtered_and_sorted(desk: Desk):
    desk.open("/console/overview")
    rows = _ranking(desk)
    assert len(rows) == UNITS
    # Every total with two decimals; the ones with unreviewed items marked 暂计, and counted.
    totals = [r["total"] for r in rows]
    assert all(re.fullmatch(r"\d+\.\d\d", t) for t in totals), totals[:5]
    marked = sum(1 for r in rows if r["provisional"])
    assert marked > 0 and desk.driver.find_element(By.ID, "provisional-count").text == str(marked)
    # No name is clipped: each name cell shows all of its text.
    clipped = desk.driver.execute_script(
        "return Array.from(document.querySelectorAll('table.rank td.name a'))"
        ".filter(a => a.scrollWidth > a.clientWidth + 1 || a.getBoundingClientRect().left < 0)"
        ".map(a => a.textContent)")
    assert clipped == []
    desk.shot("overview")
    # Found by 简称.
    box = desk.driver.find_element(By.NAME, "q")
    box.send_keys("发改委", Keys.ENTER)
    desk.until(lambda d: len(_rows(desk)) == 1)
    assert _rows(desk)[0].get_attribute("data-unit") == "市发展和改革委员会"
    # A band and 有缺项 narrow it; the count says how many of how many.
    desk.open("/console/overview?gaps=1")
    with_gaps = [r["unit"] for r in _ranking(desk)]
    assert 0 < len(with_gaps) < UNITS
    assert f"显示 {len(with_gaps)} / {UNITS}" in desk.driver.find_element(By.ID, "shown-count").text
    # Sorted by a category's sub-score by clicking its column head (best first, then reversed).
    desk.open("/console/overview")
    head = desk.driver.find_element(By.CSS_SELECTOR, "th.cat a[data-sort='cat1']")
    column = 4 + 1 + 1  # 名次, 单位, 总分, 档次, then the categories (1-based nth-child)
    head.click()
    desk.until(lambda d: "sort=cat1" in d.current_url)

    def column_values() -> list[float]:
        return [float(t) for t in desk.driver.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]), c => c.innerText)",
            f"table.rank tbody tr td:nth-child({column})")]
    values = column_values()
    assert values == sorted(values, reverse=True) and values[0] > values[-1]
    desk.driver.find_element(By.CSS_SELECTOR, "th.cat a[data-sort='cat1']").click()
    desk.until(lambda d: "dir=asc" in d.current_url)
    assert column_values() == sorted(values)


def _briefing_rows(desk: Desk) -> list[Any]:
    """The rows of the first grid (月报; the 双公示 台账 grid follows it)."""
    return desk.driver.find_elements(By.CSS_SELECTOR, "table.grid")[0].find_elements(
        By.CSS_SELECTOR, "tbody tr[data-unit]")


def _grids(desk: Desk) -> list[list[dict[str, Any]]]:
    """Each grid's rows: the state of every cell (its last class) and the 迟/缺 counts' text."""
    return desk.driver.execute_script(
        "return Array.from(document.querySelectorAll('table.grid'), g =>"
        " Array.from(g.querySelectorAll('tbody tr[data-unit]'), r => ({"
        "  cells: Array.from(r.querySelectorAll('td.cell'), c => c.getAttribute('class')),"
        "  late: r.querySelector('td.late-count').innerText,"
        "  missing: r.querySelector('td.missing-count').innerText})))")


def test_the_grid_shows_only_late_and_missing_rows_and_a_cell_opens_its_period(desk: Desk):
    desk.open("/console/overview")
    grids = _grids(desk)
    rows = grids[0]  # 月报
    assert 0 < len(rows) < UNITS  # only the units with 缺/迟
    assert len(grids) == 2
    for row in (r for grid in grids for r in grid):
        cells = [c.split()[-1] for c in row["cells"]]
        assert int(row["late"] or 0) == cells.count("late") and int(row["missing"] or 0) == cells.count("missing")
        assert cells.count("late") + cells.count("missing") > 0
    # Worst first: the most missing periods, then the most late.
    worst = [(-int(r["missing"] or 0), -int(r["late"] or 0)) for r in rows]
    assert worst == sorted(worst)
    desk.driver.find_element(By.ID, "grid-toggle").click()
    desk.until(lambda d: "grid=all" in d.current_url)
    assert len(_briefing_rows(desk)) == UNITS
    desk.driver.find_element(By.ID, "grid-toggle").click()
    desk.until(lambda d: "grid=all" not in d.current_url)
    # The first 月报 row with a late cell: its unit, and the late cell's link.
    name, link = desk.driver.execute_script(
        "const row = Array.from(document.querySelectorAll('table.grid')[0]"
        ".querySelectorAll('tbody tr[data-unit]')).find(r => r.querySelector('td.cell.late'));"
        "return [row.getAttribute('data-unit'), row.querySelector('td.cell.late a')]")
    link.click()
    desk.wait_for(By.CSS_SELECTOR, "table.subs")
    heading = desk.driver.find_element(By.TAG_NAME, "h1").text
    assert name in heading and "工作报送" in heading and re.search(r"2022-\d\d", heading)
    assert "逾期" in desk.driver.find_element(By.CSS_SELECTOR, "table.subs").text


def test_reviews_page_through_everything_and_filter_by_unit_indicator_and_period(desk: Desk):
    desk.open("/console/reviews")
    assert "共 233 项" in desk.driver.find_element(By.TAG_NAME, "h1").text
    assert len(desk.driver.find_elements(By.CSS_SELECTOR, "article.review")) == 40
    assert not desk.driver.find_elements(By.TAG_NAME, "iframe")  # PDFs wait for a click
    desk.shot("reviews")
    # Percents as people read them.
    assert re.search(r"准确率[^：]*：\d{2}(\.\d+)?%", desk.driver.find_element(By.TAG_NAME, "main").text)
    seen = set()
    for _ in range(6):  # every page, 40 at a time
        seen |= set(review_cards(desk))
        nxt = desk.driver.find_elements(By.ID, "next-page")
        if not nxt:
            break
        desk.follow(nxt[0])
    assert len(seen) == 233
    # A unit typed by its 简称 (the list offers names and 简称).
    desk.open("/console/reviews")
    box = desk.driver.find_element(By.NAME, "q")
    box.send_keys("人社局", Keys.ENTER)
    desk.until(lambda d: "q=" in d.current_url)
    units = {unit for unit, _ in review_cards(desk)}
    assert units == {"市人力资源和社会保障局"}
    # Indicator and period.
    desk.open("/console/reviews?ind=3&period=2022-Q2")
    cards = desk.driver.execute_script(
        "return Array.from(document.querySelectorAll('article.review'),"
        " a => [a.getAttribute('data-code'), a.querySelector('button.accept').innerText])")
    assert cards and all(code == "3" for code, _ in cards)
    # The card approves the period it names.
    assert all(accept.startswith("通过 2022-Q2") for _, accept in cards)


def test_a_letter_typed_in_the_filter_approves_nothing(desk: Desk):
    desk.open("/console/reviews")
    before = _waiting(desk)
    box = desk.driver.find_element(By.NAME, "q")
    box.click()
    box.send_keys("a")  # A is 通过 — but not while typing
    select = desk.driver.find_element(By.NAME, "ind")
    select.send_keys("a")
    assert desk.driver.find_element(By.NAME, "q").get_attribute("value") == "a"
    assert _waiting(desk) == before
    assert not desk.driver.find_elements(By.ID, "reply")


def test_batch_approval_of_a_filter_is_confirmed_done_and_undone_at_once(desk: Desk):
    desk.open("/console/reviews?ind=11&period=2022-08")
    total = int(re.search(r"共 (\d+) 项", desk.driver.find_element(By.TAG_NAME, "h1").text).group(1))
    assert total > 100  # every unit's August briefing
    before = _waiting(desk)
    desk.driver.find_element(By.ID, "approve-filter").click()
    confirm = desk.wait_for(By.ID, "confirm")
    assert desk.driver.find_element(By.ID, "confirm-items").text == str(total)
    assert desk.driver.find_element(By.ID, "confirm-periods").text == "2022-08"
    assert _waiting(desk) == before  # nothing happens before the confirmation
    assert str(total) in confirm.find_element(By.ID, "confirm-apply").text
    desk.driver.find_element(By.ID, "confirm-apply").click()
    reply = desk.wait_for(By.ID, "reply").text
    assert f"已通过 {total} 条记录（{total} 个单位）" in reply
    assert _waiting(desk) == before - total
    db = open_db(desk.settings["CREDITBOT_DB"])
    acts = db.execute("SELECT count(*) FROM staff_acts WHERE summary LIKE '批量通过%'").fetchone()[0]
    db.close()
    assert acts == 1  # one record, one 编号
    desk.driver.find_element(By.ID, "undo").click()
    # the page reloads: a condition that finds #reply afresh each try (never a stale element)
    desk.until(EC.text_to_be_present_in_element((By.ID, "reply"), "已撤销编号"))
    assert _waiting(desk) == before


def test_batch_approval_of_ticked_items(desk: Desk):
    desk.open("/console/reviews?ind=3")
    cards = desk.driver.find_elements(By.CSS_SELECTOR, "article.review")[:3]
    picked = {(a.get_attribute("data-unit"), a.get_attribute("data-code")) for a in cards}
    for a in cards:
        a.find_element(By.CSS_SELECTOR, "input.pick").click()
    before = _waiting(desk)
    desk.driver.find_element(By.ID, "approve-picked").click()
    desk.wait_for(By.ID, "confirm")
    assert desk.driver.find_element(By.ID, "confirm-items").text == "3"
    listed = {tuple(td.text for td in tr.find_elements(By.TAG_NAME, "td"))[:1]
              for tr in desk.driver.find_elements(By.CSS_SELECTOR, "table.confirm-list tbody tr")}
    assert listed == {(u,) for u, _ in picked}
    desk.driver.find_element(By.ID, "confirm-apply").click()
    assert "已通过" in desk.wait_for(By.ID, "reply").text
    assert _waiting(desk) == before - 3
    left = set(review_cards(desk))
    assert not picked & left


def test_no_page_broke_its_content_security_policy(desk: Desk):
    problems = [e["message"] for e in desk.driver.get_log("browser")
                if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
    assert problems == []
