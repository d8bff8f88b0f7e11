"""Grades of one thing (issue 20 item 3): 完整的10分；不完整的5分 is one choice — the most of the
items met, never their sum — however the grades are written (得, a bare N分, 为优秀)."""
from __future__ import annotations

import pytest

from authoring.rule_reader import read_rule
from scoring.engine import score
from test_rules import item, one, pts

METRICS = "[{name: a, label: 信息完整, type: bool}, {name: b, label: 信息不完整, type: bool}]"
ONE_OF = "{kind: checklist, one_of: true, items: [{metric: a, points: 10}, {metric: b, points: 5}]}"


def test_one_of_scores_the_most_of_the_items_met_never_the_sum():
    s = one(ONE_OF, METRICS, max_points=10)
    assert pts(score(s, {"1": {"a": True, "b": True}})) == 10  # a slip that ticks both: not 15
    card = score(s, {"1": {"a": False, "b": True}})
    assert pts(card) == 5 and "各档只取其一，取最高的5分" in item(card).explain
    # the grade reported is the choice: the other is not asked for as missing
    chosen = score(s, {"1": {"b": True}})
    assert pts(chosen) == 5 and item(chosen).missing == [] and "未报送" not in item(chosen).explain
    assert item(score(s, {"1": {"b": False}})).missing == ["信息完整"]  # no grade met yet
    summed = one(ONE_OF.replace("one_of: true, ", ""), METRICS, max_points=15)
    assert pts(score(summed, {"1": {"a": True, "b": True}})) == 15


@pytest.mark.parametrize("text", [
    "申报信息完整、准确的，10分；申报信息不完整，5分",
    "审读结果为优秀的，得10分；审读结果为良好的，得5分",
    "按时报送且内容完整的得10分，未按时报送的得5分",
])
def test_grades_however_written_are_read_as_one_choice(text):
    r = read_rule(text)
    assert r.kind == "checklist" and r.params.get("one_of") is True and r.points == 10
    assert not r.reason


def test_items_that_can_all_hold_still_add_up():
    r = read_rule("建立信用承诺制度的，得2分；建立信用修复制度的，得2分")
    assert "one_of" not in r.params and r.points == 4


def test_one_of_round_trips_through_the_workbook(tmp_path):
    from authoring.workbook import describe_part, export_workbook, import_workbook
    s = one(ONE_OF, METRICS, max_points=10)
    ind = s.categories[0].indicators[0]
    assert read_rule(describe_part(ind.parts[0], ind)).params["one_of"] is True
    back, _ = import_workbook(export_workbook(s, tmp_path / "g.xlsx"))
    assert back.categories[0].indicators[0].parts[0].one_of is True


def test_the_draft_keeps_grades_split_by_a_semicolon_as_one_choice():
    """A cell split at ；into sentences must not turn 完整的10分；不完整5分 into two items adding
    up: the draft reads it as `scheme rule` does."""
    from authoring.document import blocks_from_text
    from authoring.draft import draft_blocks
    text = "\n".join(["序号\t考核指标\t分值\t评分标准",
                      "1\t信用信息申报\t10\t申报信息完整、准确的，10分；申报信息不完整，5分。"])
    (d,) = draft_blocks(blocks_from_text(text), "2025细则.txt")
    (part,) = d.data["categories"][0]["indicators"][0]["parts"]
    assert part["one_of"] is True and [i["points"] for i in part["items"]] == [10, 5]
    assert "待确认" not in part
