"""Totals computed exactly and rounded once, wherever they are shown (issue 19): a 吕梁 市直
office of six units whose rank items give thirds and fifths. 市民政局's 2022 total is exactly
46.2333… (its rounded items add up to 46.2334) and 市市场监管局's 22.4666… (rounded items:
22.4666). In January, with 2023 open beside it, every surface shows 2022's totals from the
exact sum: 得分, 单位, 排名, the workbook, the console and the 通报."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from conftest import Office
from ledger.office import open_year
from scoring.card import q

UNITS = (("市发展改革委", "fgw"), ("市税务局", "sw"), ("市民政局", "mz"), ("市市场监管局", "scj"),
         ("市公安局", "ga"), ("市财政局", "cz"))
# 信用承诺 and 履约践诺: four units ranked (5, 3.6667, 2.3333, 1); 联合奖惩: five (5 … 1 by 1);
# 宣传活动's own activities: six (3, 2.6, 2.2, 1.8, 1.4, 1). No ties.
FIGURES = """代报 市发展改革委 信用承诺 100
代报 市民政局 信用承诺 80
代报 市市场监管局 信用承诺 60
代报 市税务局 信用承诺 40
代报 市发展改革委 履约践诺 90
代报 市民政局 履约践诺 70
代报 市市场监管局 履约践诺 50
代报 市公安局 履约践诺 30
代报 市发展改革委 联合奖惩 50
代报 市民政局 联合奖惩 40
代报 市税务局 联合奖惩 30
代报 市公安局 联合奖惩 20
代报 市市场监管局 联合奖惩 10
代报 市发展改革委 宣传活动 12 否
代报 市税务局 宣传活动 10 否
代报 市公安局 宣传活动 8 否
代报 市市场监管局 宣传活动 6 否
代报 市民政局 宣传活动 4 是
代报 市财政局 宣传活动 2 否
代报 市民政局 工作机制 是 是
代报 市民政局 制度建设 是 是
代报 市民政局 行政强制 5
代报 市民政局 信易贷 是 否 否 否
代报 市民政局 红黑名单 是
代报 市市场监管局 工作机制 是 是
代报 市市场监管局 制度建设 是 是"""
# 民政局: 5 + 10 + 10 + 1.5 + 5 + (3.6667 + 3.6667) + 4 + (1.4 + 2) = 46.2333…
# 市场监管局: 5 + 10 + (2.3333 + 2.3333) + 1 + 1.8 = 22.4666…
EXACT = {"市民政局": Decimal(1387) / 30, "市市场监管局": Decimal(337) / 15}


@pytest.fixture
def january(tmp_path: Path) -> Office:
    o = Office(tmp_path)
    for name, uid in UNITS:
        o.unit(name, uid)
    o.staff()
    o.at("2022-12-20T10:00")
    for line in FIGURES.splitlines():
        assert "已代报" in o.chat("staff1", line), line
    open_year(o.db, 2023, o.now, "test")
    return o.at("2023-01-05T10:00")


def test_the_engine_keeps_the_exact_totals_and_the_rounded_items_would_not(january: Office):
    from bot.app import make_calendar
    from ledger.facts import all_facts
    from ledger.office import office
    from scoring.engine import score_all
    off = office(january.db, 2022)
    cards = score_all(off.scheme, all_facts(january.db, off, january.now.date(),
                                            make_calendar(january.settings)))
    for name, exact in EXACT.items():
        card = cards[name]
        assert q(card.total) == q(exact)
        naive = sum((q(i.points) for i in card.items if i.points is not None), Decimal(0))
        assert naive != q(exact)  # the old sum of rounded items: 46.2334, 22.4666
    assert (q(EXACT["市民政局"]), q(EXACT["市市场监管局"])) == (Decimal("46.2333"),
                                                               Decimal("22.4667"))


def test_chat_shows_the_totals_rounded_once(january: Office):
    assert "总分 46.23，" in january.chat("mz", "得分 2022")
    assert "总分 46.23，" in january.chat("staff1", "单位 市民政局 2022")
    assert "总分 22.47，" in january.chat("staff1", "单位 市场监管局 2022")
    ranks = january.chat("staff1", "排名 2022")
    assert re.search(r"市民政局 46\.23\b", ranks) and re.search(r"市市场监管局 22\.47\b", ranks)


def test_the_workbook_shows_the_exact_totals_to_four_places(january: Office):
    reply = january.pipeline.handle(january.message("staff1", "导出 2022"))
    assert reply.files, reply.text
    ws = load_workbook(reply.files[0])["总分及排名"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    head = rows[0]
    total = head.index(next(h for h in head if h and "总分" in str(h)))
    shown = {r[head.index("单位")]: r[total] for r in rows[1:]}
    assert shown["市民政局"] == pytest.approx(46.2333, abs=1e-9)
    assert shown["市市场监管局"] == pytest.approx(22.4667, abs=1e-9)


def test_the_year_bulletin_shows_the_totals_rounded_once(january: Office):
    reply = january.pipeline.handle(january.message("staff1", "通报 2022"))
    assert reply.files, reply.text
    doc = Document(reply.files[0])
    rows = {r.cells[1].text: [c.text for c in r.cells] for t in doc.tables for r in t.rows
            if len(r.cells) > 2}
    assert "46.23" in rows["市民政局"] and "22.47" in rows["市市场监管局"]


def test_the_console_shows_the_totals_rounded_once(january: Office):
    from test_console import Console
    console = Console(january)
    c = console.client("staff1")
    page = c.get("/console/overview?year=2022").data.decode()
    assert re.search(r"市民政局.*?46\.23\b", page, re.S)
    assert re.search(r"市市场监管局.*?22\.47\b", page, re.S)
    assert "46.24" not in page and "22.46" not in page
