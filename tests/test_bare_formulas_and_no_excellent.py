"""Issue 20 item 5: formulas written without 得分= (a quotient of two named figures times the
points) are read; 一票否优 bars the 优秀 band without taking points."""
from __future__ import annotations

from decimal import Decimal

import pytest

from authoring.rule_reader import read_rule
from scoring.engine import score
from test_rules import load


@pytest.mark.parametrize("text, expr, top, labels", [
    ("（年度监督检查得分/监督检查总分）×60", "(v1 / max(v2, 1)) * 60", 60, ["年度监督检查得分", "监督检查总分"]),
    ("办结率=按时办结数/受理数×4分", "v1 / max(v2, 1) * 4", 4, ["按时办结数", "受理数"]),
])
def test_a_bare_formula_is_read(text, expr, top, labels):
    r = read_rule(text)
    assert (r.kind, r.params["expr"], r.points) == ("formula", expr, top)
    assert [m["label"] for m in r.metrics] == labels and not r.reason


def test_a_rate_written_out_with_its_bar_is_still_a_deduction():
    r = read_rule("办结率=按期办结数/受理数×100%，办结率达到100%的得5分，每低1个百分点扣0.5分，扣完为止。")
    assert (r.kind, r.params["base"], r.params["each"]) == ("deduction", 5, Decimal("0.5"))


SCHEME = """\
base_total: 10
bands: [{name: 优秀, min: 9}, {name: 良好, min: 8}, {name: 一般, min: 0}]
categories:
  - code: 一
    name: 工作
    indicators:
      - code: "1"
        name: 工作机制
        max_points: 10
        metrics: [{name: p, label: 评定分, type: number}]
        parts: [{kind: discretionary, metric: p}]
  - code: 否优
    name: 一票否优
    section: gate
    indicators:
      - code: "F1"
        name: 重大失信事件
        metrics: [{name: passed, label: 未发生重大失信事件, type: bool}]
        gate: {kind: no_excellent, metric: passed}
        parts: [{kind: pass_fail, metric: passed}]
"""


def test_no_excellent_bars_the_top_band_and_takes_no_points():
    s = load(SCHEME)
    clean = score(s, {"1": {"p": 9.5}, "F1": {"passed": True}})
    assert (clean.total, clean.band, clean.counted) == (Decimal("9.5"), "优秀", True)
    barred = score(s, {"1": {"p": 9.5}, "F1": {"passed": False}})
    assert (barred.total, barred.band, barred.band_before_downgrade) == (Decimal("9.5"), "良好", "优秀")
    assert barred.counted and barred.events == ["一票否优（F1 重大失信事件）"]
    below = score(s, {"1": {"p": 8.5}, "F1": {"passed": False}})
    assert below.band == "良好" and below.events == []  # not 优秀 anyway: nothing to bar


def test_the_reader_recognises_no_excellent():
    r = read_rule("发生重大失信事件的，实行一票否优。")
    assert (r.kind, r.gate, r.metrics[0]["label"]) == ("pass_fail", "no_excellent", "未发生重大失信事件")


def test_a_no_excellent_row_without_points_drafts_as_a_gate_not_a_missing_figure():
    from authoring.document import blocks_from_text
    from authoring.draft import draft_blocks
    text = "\n".join(["序号\t考核指标\t分值\t评分标准", "1\t工作机制\t10\t建立工作机制的得10分",
                      "2\t诚信建设\t\t发生重大失信事件的，实行一票否优。"])
    (d,) = draft_blocks(blocks_from_text(text), "2025细则.txt")
    ind = d.data["categories"][0]["indicators"][1]
    assert ind["gate"] == {"kind": "no_excellent", "metric": "passed"} and "max_points" not in ind
    assert d.unresolved == 0
