"""Where staff look for a city scheme's items scored per responsible unit (`per_unit`, issue 20
item 8): 总览 lists, under the city's row, each such item with the city's points, how they are
made, counts and its units worst first (the worst 10 until all are asked for, 查找 finds a
unit there); the month's 通报 and the year's 考核结果通报 give each item a table of every
unit's points. Worked numbers from tests/fixtures/city_per_unit.yaml."""
from __future__ import annotations

import re
from pathlib import Path

from docx import Document

from conftest import Office
from test_city_per_unit import SCHEME, UNITS, city  # noqa: F401  (the fixture)
from test_console import Console


def _entries(city: Office) -> None:
    """2: 98% -> 5, 70% -> 0, the third unit nothing (0): mean 5/3. 3: only 市市场监管局's 6:
    mean 2. 4: nobody has reported: sum 0."""
    city.chat("fgw1", "报送 双公示 98%")
    city.chat("sw1", "报送 双公示 70%")
    city.chat("staff1", "打分 市市场监管局 信用工作考评 6")


def _per_unit_rows(page: str, code: str) -> list[tuple[str, str, str, str]]:
    """(place, unit, points, state) of an item's table on 总览, top to bottom."""
    table = re.search(rf'<table class="rank per-unit" data-item="{code}">(.*?)</table>', page, re.S)
    assert table, page
    return re.findall(r'<tr data-unit="[^"]+" data-points="[^"]+"><td class="num">(\d+)</td>'
                      r'<td class="name"><a href="[^"]+">([^<]+)</a></td><td class="num">([^<]+)</td>'
                      r'<td class="num">[^<]+</td><td[^>]*>([^<]+)</td>', table.group(1))


def test_the_overview_lists_each_item_scored_per_unit_with_its_units_worst_first(city: Office):
    _entries(city)
    staff = Console(city).client("staff1")
    page = staff.get("/console/overview").data.decode()
    assert '<tr data-unit="全市" data-total="3.67">' in page  # 5/3 + 2 + 0
    heading = re.search(r'<h3 class="per-unit-item" data-item="2">(.*?)</h3>', page).group(1)
    assert "2 双公示数据报送" in heading and "全市取平均" in heading and ">1.67</b> / 5.00 分" in heading
    assert "3 个责任单位 · 待审核 2 · 未报送 1 · 失分 2" in heading
    # worst first: the two with 0 (the better place shared, by name), then 5
    assert _per_unit_rows(page, "2") == [("2", "市市场监管局", "0.00", "未报送"),
                                         ("2", "市税务局", "0.00", "待审核"),
                                         ("1", "市发展改革委", "5.00", "待审核")]
    assert _per_unit_rows(page, "3")[-1] == ("1", "市市场监管局", "6.00", "已计分")
    assert "全市取合计 <b class=\"city-points\">0.00</b> / 9.00 分" in page
    # each unit's name opens its page
    from ledger.units import find_unit
    assert f'href="/console/units/{find_unit(city.db, "市税务局").id}">市税务局</a>' in page
    # 查找 finds a responsible unit in every item; the city's own row stays
    found = staff.get("/console/overview?q=税务").data.decode()
    assert '<tr data-unit="全市"' in found
    assert [r[1] for r in _per_unit_rows(found, "2")] == ["市税务局"]
    assert "显示 1 / 1 个（查找「税务」，共 3 个责任单位）" in found
    assert 'id="per-unit-toggle"' not in page  # no item has more than the ten shown
    # a new figure is there at once (the page's content is kept per ledger version)
    city.chat("staff1", "打分 市税务局 信用工作考评 9")
    again = staff.get("/console/overview").data.decode()
    assert _per_unit_rows(again, "3")[-1] == ("1", "市税务局", "9.00", "已计分")


def test_a_non_city_overview_has_no_per_unit_section(lvliang):
    page = Console(lvliang).client("staff1").get("/console/overview").data.decode()
    assert "分别计分的指标" not in page and 'id="per-unit"' not in page


def test_at_many_units_the_overview_shows_the_worst_ten_until_all_are_asked_for(tmp_path: Path):
    names = [f"市第{n:02d}局" for n in range(1, 26)]
    text = SCHEME.read_text(encoding="utf-8").replace(
        "responsible: [市发展改革委, 市市场监管局, 市税务局]\n        per_unit: mean\n      - code: \"4\"",
        f"responsible: [{', '.join(names)}]\n        per_unit: mean\n      - code: \"4\"")
    assert "市第25局" in text
    path = tmp_path / "city25.yaml"
    path.write_text(text, encoding="utf-8")
    office = Office(tmp_path, str(path), 2025).at("2025-06-10T10:00:00")
    for name in names:
        office.unit(name)
    office.staff()
    for n, name in enumerate(names[:20], start=1):  # 0, 1, 1, 2, … 10; five units with nothing
        office.chat("staff1", f"打分 {name} 信用工作考评 {n // 2}")
    staff = Console(office).client("staff1")
    page = staff.get("/console/overview").data.decode()
    shown = _per_unit_rows(page, "3")
    assert len(shown) == 10 and "显示 10 / 25 个" in page
    every = _per_unit_rows(staff.get("/console/overview?units=all").data.decode(), "3")
    assert len(every) == 25 and every[:10] == shown
    points = [float(r[2]) for r in every]
    assert points == sorted(points)  # worst first, all the way down
    assert max(float(r[2]) for r in shown) <= min(points[10:])
    assert sum(1 for r in every if r[3] == "未报送") == 5
    assert "25 个责任单位 · 已计分 20 · 未报送 5" in page
    assert 'id="per-unit-toggle">显示全部单位</a>' in page
    # 查找 searches all 25, not only the ten shown
    found = _per_unit_rows(staff.get("/console/overview?q=第20局").data.decode(), "3")
    assert found == [("1", "市第20局", "10.00", "已计分")]


def _docx(city: Office, text: str) -> Document:
    reply = city.pipeline.handle(city.message("staff1", text))
    assert reply.files, reply.text
    return Document(reply.files[0])


def _unit_tables(doc: Document) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables
            if [c.text for c in t.rows[0].cells] == ["名次", "责任单位", "得分", "满分", "状态"]]


def _check_tables(doc: Document) -> None:
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "一是“2 双公示数据报送”。各责任单位分别计分，全市取平均，本项得1.67分（满分5.00分）；" \
           "3个责任单位，其中待审核2个、未报送1个。" in body
    assert "三是“4 联合奖惩案例”。各责任单位分别计分，全市取合计，本项得0.00分（满分9.00分）" in body
    tables = _unit_tables(doc)
    assert len(tables) == 3  # items 2, 3 and 4
    # best first with places, ties sharing the better one, as 排名 lists them
    assert tables[0][1:] == [["1", "市发展改革委", "5.00", "5.00", "待审核"],
                             ["2", "市市场监管局", "0.00", "5.00", "未报送"],
                             ["2", "市税务局", "0.00", "5.00", "待审核"]]
    assert tables[1][1] == ["1", "市市场监管局", "6.00", "10.00", "已计分"]


def test_the_year_bulletin_has_a_table_of_every_units_points_per_item(city: Office):
    _entries(city)
    doc = _docx(city, "通报 2025")
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "（四）分别计分指标各责任单位得分" in body
    _check_tables(doc)
    # the tables are the document's own: header in 黑体, cells in 仿宋, the header repeated per page
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "名次")
    assert table.style.name == "Table Grid"
    assert [r.font.name for r in table.rows[0].cells[0].paragraphs[0].runs if r.text] == ["黑体"]
    assert [r.font.name for r in table.rows[1].cells[1].paragraphs[0].runs if r.text] == ["仿宋_GB2312"]
    assert table.rows[0]._tr.trPr.xml.count("tblHeader") == 1


def test_the_month_bulletin_names_each_units_points_so_far(city: Office):
    _entries(city)
    doc = _docx(city, "通报 2025-06")
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "2025年6月没有到期的报送事项。" in body  # the composed scheme has no periodic report
    assert "一、云川市2025年社会信用体系建设示范城市评估任务分解分别计分指标各责任单位得分" in body
    assert "统计截至2025年6月10日，为暂计结果" in body
    _check_tables(doc)


def test_a_bulletin_of_a_scheme_without_per_unit_items_has_no_such_tables(lvliang):
    lvliang.staff()
    doc = _docx(lvliang, "通报 2022")
    assert not _unit_tables(doc) and "分别计分" not in "\n".join(p.text for p in doc.paragraphs)
