"""A city scheme whose document scores each responsible unit separately (issue 20 item 8):
`per_unit` keeps each 责任单位's figures as its own, scores them one by one (rank parts ranked
among those units) and makes the city's points their mean, lowest or sum, as declared. 打分,
报送, 得分, 排名, the export and the console all show the units' own figures. Worked numbers
from the composed scheme tests/fixtures/city_per_unit.yaml."""
from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import Office
from schemes.loader import SchemeError, load_scheme, load_text
from scoring.engine import score_all
from test_console import Console

SCHEME = Path(__file__).parent / "fixtures" / "city_per_unit.yaml"
UNITS = [("市发展改革委", "fgw1"), ("市市场监管局", "scj1"), ("市税务局", "sw1")]


def test_the_engine_scores_each_unit_and_makes_the_citys_points_as_declared():
    scheme = load_scheme(SCHEME)
    facts = {"全市": {
        "1": {"pledges": 500},
        "2": {"_units": {"市发展改革委": {"rate": D("0.98")}, "市市场监管局": {"rate": D("0.9")},
                         "市税务局": {"rate": D("0.7")}}},
        "3": {"_units": {"市发展改革委": {"points": 8}, "市市场监管局": {"points": 6}, "市税务局": {}}},
        "4": {"_units": {"市发展改革委": {"cases": 12}, "市市场监管局": {"cases": 12}, "市税务局": {"cases": 3}}},
    }}
    card = score_all(scheme, facts)["全市"]
    # 2: bands 5, 3, 0 -> mean 8/3; 3: 8, 6 and one unit with nothing (0) -> mean 14/3
    assert card.item("2").points == D("2.6667") and card.item("3").points == D("4.6667")
    assert "市税务局 未报送（0分）" in card.item("3").explain and card.item("3").status == "missing"
    # 4: two units tie for first (5 each, the better place), the third is 3rd (1): sum 11, capped at 9
    four = card.item("4")
    assert [four.units[u].points for u, _ in UNITS] == [5, 5, 1] and four.points == 9
    assert "全市取合计" in four.explain
    # the city as a whole: 500 pledges, 0.5 per 100 = 2.5; total 2.5 + 8/3 + 14/3 + 9, rounded once
    assert card.total == D("18.8333")
    own = card.for_unit("市税务局")
    assert own.item("2").points == 0 and own.item("4").points == 1 and own.item("1").points == D("2.5")
    assert own.total == card.total and "本单位分别计分（全市本项 2.6667 分）" in own.item("2").explain


def test_lowest_takes_the_weakest_unit():
    text = SCHEME.read_text(encoding="utf-8").replace("per_unit: mean", "per_unit: lowest")
    card = score_all(load_text(text), {"全市": {"2": {"_units": {
        "市发展改革委": {"rate": D("0.98")}, "市市场监管局": {"rate": D("0.9")}}}}})["全市"]
    assert card.item("2").points == 3 and "全市取最低" in card.item("2").explain


@pytest.mark.parametrize("change, words", [
    (("audience: city", "audience: departments"), "只用于全市评估的方案"),
    (("responsible: [市发展改革委, 市市场监管局, 市税务局]\n        per_unit: mean\n      - code: \"3\"",
      "per_unit: mean\n      - code: \"3\""), "须列出牵头/责任单位"),
    (("per_unit: sum", "per_unit: average"), "per_unit"),
])
def test_the_loader_refuses_per_unit_where_it_cannot_work(change, words):
    text = SCHEME.read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(SchemeError) as err:
        load_text(text.replace(*change, 1), "city.yaml")
    assert words in str(err.value)


@pytest.fixture
def city(tmp_path: Path) -> Office:
    office = Office(tmp_path, str(SCHEME), 2025)
    office.at("2025-06-10T10:00:00")
    for name, liaison in UNITS:
        office.unit(name, liaison)
    office.staff()
    return office


def test_in_chat_each_unit_keeps_its_own_figure_and_the_city_its_mean(city: Office):
    # the city-wide item adds the units' counts: 300 + 200 = 500 -> 2.5
    city.chat("fgw1", "报送 信用承诺 300")
    assert "本项暂计 2.5/5 分" in city.chat("scj1", "报送 信用承诺 200")
    # each unit's rate is its own: 98% -> 5, 90% -> 3, 70% -> 0; the city's mean 8/3
    assert "本项暂计 5/5 分" in city.chat("fgw1", "报送 双公示 98%")
    assert "本项暂计 3/5 分" in city.chat("scj1", "报送 双公示 90%")
    last = city.chat("sw1", "报送 双公示 70%")
    assert "本项暂计 0/5 分" in last and "全市本项 2.6667 分" in last
    # two departments' 打分 are two records: (8 + 6 + 0) / 3, then 8 replaced by 9: (9 + 6 + 0) / 3
    first = city.chat("staff1", "打分 市发展改革委 信用工作考评 8 工作扎实")
    assert "这是市发展改革委自己的数值；全市本项取各单位平均，现为 2.6667/10 分" in first
    second = city.chat("staff1", "打分 市市场监管局 信用工作考评 6")
    assert "替换" not in second and "现为 4.6667/10 分" in second
    third = city.chat("staff1", "打分 市发展改革委 信用工作考评 9")
    assert "替换了此前 8分" in third and "现为 5/10 分" in third
    # ranked among the three: 12, 7, 3 -> places 1, 2, 3 -> 5, 3, 1; the city's sum 9
    city.chat("fgw1", "报送 联合奖惩案例 12")
    city.chat("scj1", "报送 联合奖惩案例 7")
    assert "排第3名；第3名得1分" in city.chat("sw1", "报送 联合奖惩案例 3")

    ranking = city.chat("staff1", "排名")
    assert "总分 19.17" in ranking  # 2.5 + 8/3 + 5 + 9 = 19.1667
    block = ranking[ranking.index("分别计分的指标"):]
    assert re.search(r"2 双公示数据报送（全市 2.67/5）：\n  1\. 市发展改革委 5.*\n  2\. 市市场监管局 3.*\n"
                     r"  3\. 市税务局 0", block)
    assert re.search(r"3 信用工作考评（全市 5/10）：\n  1\. 市发展改革委 9\n  2\. 市市场监管局 6\n"
                     r"  3\. 市税务局 0（未报送）", block)
    # a liaison's 得分 shows the unit's own points on the items scored per unit
    own = city.chat("sw1", "得分")
    assert "全市（预计）·市税务局" in own and "3 信用工作考评 0/10" in own and "4 联合奖惩案例 1/9" in own


def test_the_export_and_the_console_show_the_units_own_figures(city: Office, tmp_path: Path):
    city.chat("fgw1", "报送 双公示 98%")
    city.chat("sw1", "报送 双公示 70%")
    city.chat("staff1", "打分 市市场监管局 信用工作考评 6")
    from bot.export import export_xlsx
    from ledger.facts import office
    from worktime.calendar import WorkCalendar
    path = export_xlsx(city.db, office(city.db, 2025), tmp_path / "年度.xlsx", city.now.date(), WorkCalendar())
    rows = list(load_workbook(path)["分别计分"].iter_rows(values_only=True))
    assert rows[0][:7] == ("指标编号", "指标", "责任单位", "单位得分", "满分", "状态", "全市本项得分")
    got = {(r[0], r[2]): (r[3], r[6]) for r in rows[1:]}
    # 2: 5 and 0, the unit with nothing 0: mean 5/3; 3: 0, 6, 0: mean 2
    assert got[("2", "市发展改革委")] == (5, pytest.approx(1.6667)) and got[("2", "市税务局")] == (0, pytest.approx(1.6667))
    assert got[("3", "市市场监管局")] == (6, 2)
    page = Console(city).client("sw1").get(f"/console/units/{_unit_id(city, '市税务局')}").data.decode()
    assert "本单位分别计分（全市本项 1.6667 分）" in page


def _unit_id(city: Office, name: str) -> int:
    from ledger.units import find_unit
    return find_unit(city.db, name).id


def test_per_unit_round_trips_through_the_workbook(tmp_path: Path):
    from authoring.workbook import export_workbook, import_workbook
    scheme = load_scheme(SCHEME)
    back, _ = import_workbook(export_workbook(scheme, tmp_path / "city.xlsx"))
    assert [i.per_unit for _, i in back.indicators()] == [None, "mean", "mean", "sum"]
    assert back == scheme


def test_scheme_diff_names_a_change_to_per_unit():
    from authoring.diff import diff_schemes
    old = load_scheme(SCHEME)
    new = load_text(SCHEME.read_text(encoding="utf-8").replace("per_unit: sum", "per_unit: lowest"))
    text = str(diff_schemes(old, new).changed)
    assert "计分方式由「各责任单位分别计分、全市取合计」改为「各责任单位分别计分、全市取最低」" in text


def test_a_facts_file_gives_each_units_figures(tmp_path: Path):
    from bot.facts_file import FactsFileError, read_facts_file
    scheme = load_scheme(SCHEME)
    (tmp_path / "f.yaml").write_text("'2':\n  units:\n    市发展改革委: {rate: 98%}\n    市税务局: {rate: '70%'}\n",
                                     encoding="utf-8")
    read = read_facts_file(str(tmp_path / "f.yaml"), scheme)
    card = score_all(scheme, {"全市": read.facts})["全市"]
    assert card.item("2").points == D("2.5")  # (5 + 0) / 2
    (tmp_path / "bad.yaml").write_text("'1':\n  units: {市A局: {pledges: 5}}\n", encoding="utf-8")
    with pytest.raises(FactsFileError) as err:
        read_facts_file(str(tmp_path / "bad.yaml"), scheme)
    assert "不是分别计分项（per_unit），不能写 units" in str(err.value)


def test_the_draft_proposes_per_unit_where_a_city_document_scores_each_unit():
    """各责任单位分别计分，全市取平均 -> per_unit: mean, read silently only when the text says
    how the city's points are made; otherwise asked. The clause is not the metric's name."""
    from authoring.document import blocks_from_text
    from authoring.draft import draft_blocks
    text = "\n".join([
        "某市2025年社会信用体系建设示范城市评估指标", "序号\t考核指标\t分值\t评分标准\t责任单位",
        "1\t双公示数据报送\t5\t各责任单位分别计分，全市取平均。按时报送率95%及以上得5分，80%至95%得3分，"
        "低于80%不得分。\t市发展改革委、市市场监管局",
        "2\t联合奖惩案例\t5\t由各责任单位分别计分，全市取各单位得分之和。每报送1个案例得1分，最高5分。\t市发展改革委、市税务局",
        "3\t信用修复\t5\t各责任单位分别计分。办结率达到100%的得5分，未达到的不得分。\t市发展改革委、市税务局",
        "4\t信用承诺\t5\t每归集100份信用承诺书得0.5分，最高5分。\t市发展改革委"])
    (d,) = draft_blocks(blocks_from_text(text), "2025评估指标.txt")
    assert d.data["audience"] == "city"
    inds = [i for c in d.data["categories"] for i in c["indicators"]]
    assert [i.get("per_unit") for i in inds] == ["mean", "sum", "mean", None]
    assert "待确认" not in inds[0] and inds[0]["metrics"][0]["label"] == "按时报送率"
    assert "没有写明全市得分如何由各单位得分得出" in inds[2]["待确认"] and d.unresolved == 1
