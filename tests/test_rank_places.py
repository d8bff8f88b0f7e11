"""Rank places as a rule kind (issue 20 item 2): fixed points per place, per band of places and
from the bottom; ties and units that have not reported follow the declared policy. Worked
numbers from the documents' wording."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from schemes.loader import SchemeError
from scoring.engine import score_all
from test_rules import item, one, pts

METRIC = "[{name: n, label: 案例数, type: count}]"
# 排名第1至5名的依次赋予60分、57分、54分、51分、48分，其余得40分
PER_PLACE = ("{kind: rank, value: n, method: places, rest: 40, places: [{first: 1, points: 60}, "
             "{first: 2, points: 57}, {first: 3, points: 54}, {first: 4, points: 51}, "
             "{first: 5, points: 48}]%s}")


def cards_for(part: str, values: dict[str, object], max_points: int = 60) -> dict:
    s = one(part, METRIC, max_points=max_points)
    return score_all(s, {u: ({"1": {"n": v}} if v is not None else {}) for u, v in values.items()})


def test_fixed_points_per_place_with_the_rest():
    values = dict(zip("ABCDEFG", (70, 60, 50, 40, 30, 20, 10)))
    cards = cards_for(PER_PLACE % "", values)
    assert [pts(cards[u]) for u in "ABCDEFG"] == [60, 57, 54, 51, 48, 40, 40]
    assert "在已报送的7个单位中排第2名；第2名得57分，得57分" in item(cards["B"]).explain
    assert "其余名次得40分" in item(cards["G"]).explain


def test_ties_take_the_better_place_or_share_the_places():
    values = dict(zip("ABCDE", (70, 60, 60, 40, 30)))
    better = cards_for(PER_PLACE % "", values)
    assert [pts(better[u]) for u in "ABCDE"] == [60, 57, 57, 51, 48]  # 1, 2, 2, 4, 5
    assert "并列者取较好名次" in item(better["B"]).explain
    average = cards_for(PER_PLACE % ", ties: average", values)
    # B and C occupy places 2 and 3: (57 + 54) / 2 = 55.5 each
    assert [pts(average[u]) for u in "ABCDE"] == [60, D("55.5"), D("55.5"), 51, 48]
    assert "平分第2至3名的分数（57、54）" in item(average["C"]).explain


BANDS = ("{kind: rank, value: n, method: places, rest: 6, places: [{first: 1, points: 0, "
         "from_bottom: true}, {first: 1, last: 3, points: 10}, {first: 4, last: 6, points: 8}]%s}")


def test_bands_of_places_and_the_last_from_the_bottom():
    # 前3名得10分，第4至6名得8分，其余得6分；倒数第1名得0分 — eight units
    values = dict(zip("ABCDEFGH", (80, 70, 60, 50, 40, 30, 20, 10)))
    cards = cards_for(BANDS % "", values, max_points=10)
    assert [pts(cards[u]) for u in "ABCDEFGH"] == [10, 10, 10, 8, 8, 8, 6, 0]
    assert "倒数第1名得0分" in item(cards["H"]).explain


def test_units_without_figures_ranked_among_those_who_reported_or_among_all():
    # four report, two do not (E sends 0, F nothing); 倒数第1名得0分
    values = {"A": 80, "B": 70, "C": 60, "D": 50, "E": 0, "F": None}
    among_reported = cards_for(BANDS % "", values, max_points=10)
    assert [pts(among_reported[u]) for u in "ABCDEF"] == [10, 10, 10, 0, 0, 0]
    assert "在已报送的4个单位中排第4名；倒数第1名得0分" in item(among_reported["D"]).explain
    among_all = cards_for(BANDS % ", pool: all", values, max_points=10)
    # D is 4th of 6 now (8 points); E and F take the last places together and score 0
    assert [pts(among_all[u]) for u in "ABCDEF"] == [10, 10, 10, 8, 0, 0]
    assert "未报送或为0，在全部6个单位中列第5名，不得分" in item(among_all["E"]).explain
    assert "缺少数据" in item(among_all["F"]).explain


def test_lower_is_better_counts_places_from_the_least():
    s = PER_PLACE % ", higher_is_better: false, zero_if_none: false"
    cards = cards_for(s, dict(zip("ABC", (3, 1, 2))))
    assert [pts(cards[u]) for u in "ABC"] == [54, 60, 57]


@pytest.mark.parametrize("part, words", [
    ("{kind: rank, value: n, method: places}", "须列出 places"),
    ("{kind: rank, value: n, top: 5, places: [{first: 1, points: 5}]}", "places 只用于 method: places"),
    ("{kind: rank, value: n, top: 5, pool: all}", "pool / ties 只用于 method: places"),
    ("{kind: rank, value: n, method: places, places: [{first: 3, last: 1, points: 5}]}", "小于 first"),
])
def test_the_loader_refuses_a_places_rule_that_cannot_work(part, words):
    with pytest.raises(SchemeError) as err:
        one(part, METRIC)
    assert words in str(err.value)


# ---- read from the document, and round-tripped through the workbook ---------------------------

def test_the_reader_reads_places_bands_and_the_bottom():
    from authoring.rule_reader import read_rule
    r = read_rule("排名第1至5名的依次赋予60分、57分、54分、51分、48分")
    assert (r.kind, r.params["method"], r.points) == ("rank", "places", 60)
    assert [(p["first"], p["points"]) for p in r.params["places"]] == [
        (1, 60), (2, 57), (3, 54), (4, 51), (5, 48)]
    r = read_rule("按案例数排名，前5名的得10分，第6至10名的得8分，其余得5分；倒数第1名得0分")
    assert r.params["places"] == [{"first": 1, "points": 0, "from_bottom": True},
                                  {"first": 1, "last": 5, "points": 10},
                                  {"first": 6, "last": 10, "points": 8}]
    assert r.params["rest"] == 5 and r.metrics[0]["label"] == "案例数"
    assert "pool: all" in r.reason  # who takes the bottom place is a choice staff confirm
    # two ends alone keep the linear middle (吕梁 前三名5分、后三名0分)
    assert read_rule("前三名得5分、后三名得0分，中间依次赋分").params["method"] == "top_bottom"
    # a list that does not match its places is not guessed
    r = read_rule("第1至5名依次得10分、9分、8分")
    assert r.kind is None and "5个名次" in r.reason


@pytest.mark.parametrize("extra", ["", ", pool: all, ties: average", ", higher_is_better: false"])
def test_places_round_trip_through_the_workbook(tmp_path, extra):
    from authoring.rule_reader import read_rule
    from authoring.workbook import describe_part, export_workbook, import_workbook
    s = one(BANDS % extra, METRIC, max_points=10)
    ind = s.categories[0].indicators[0]
    words = describe_part(ind.parts[0], ind)
    again = read_rule(words)
    assert not again.reason, words
    assert {k: v for k, v in again.params.items() if k != "value"} == {
        k: v for k, v in ind.parts[0].model_dump(exclude_defaults=True).items()
        if k in ("method", "places", "rest", "pool", "ties", "higher_is_better")}
    back, _ = import_workbook(export_workbook(s, tmp_path / "p.xlsx"))
    assert back.categories[0].indicators[0].parts[0] == ind.parts[0]


def test_a_ranking_that_does_not_name_its_figure_is_asked_in_the_draft_and_by_scheme_rule():
    """排名第1至5名的依次赋予… says nothing of what is ranked: the stand-in label 排名依据 is a
    question (待确认), never a silent answer; a bullet naming its figure asks nothing."""
    from authoring.document import blocks_from_text
    from authoring.draft import draft_blocks
    from authoring.rule_reader import read_rule
    unnamed = "排名第1至5名的依次赋予60分、57分、54分、51分、48分"
    text = "\n".join(["2025年度考核细则", "序号\t考核指标\t分值\t评分标准",
                      f"1\t城市信用监测\t60\t{unnamed}",
                      "2\t联合奖惩案例\t10\t按案例数排名，前3名得10分，其余得5分",
                      "3\t信用修复\t5\t最多的得5分，最少的得1分，中间依次赋分"])
    (d,) = draft_blocks(blocks_from_text(text), "2025细则.txt")
    parts = [i["parts"][0] for c in d.data["categories"] for i in c["indicators"]]
    assert "没有写明按哪项数据排名" in parts[0]["待确认"] and parts[0]["label"] == "排名依据"
    assert "待确认" not in parts[1] and parts[1]["label"] == "案例数"
    assert "没有写明按哪项数据排名" in parts[2]["待确认"]  # the two ends, no figure either
    assert d.unresolved == 2
    assert "没有写明按哪项数据排名" in read_rule(unnamed).reason
    assert not read_rule("按案例数排名，前3名得10分，其余得5分").reason
