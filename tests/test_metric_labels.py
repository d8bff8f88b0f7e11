"""Metric labels from the document's own words (issue 20 item 6): ①② are marks, not part of
the label; two metrics of one indicator never share a label; a deduction against last year
asks for the increase."""
from __future__ import annotations

from authoring.document import blocks_from_text
from authoring.draft import draft_blocks


def _metrics(row: str) -> list[tuple[str, str]]:
    text = "\n".join(["序号\t考核指标\t分值\t评分标准", row])
    (d,) = draft_blocks(blocks_from_text(text), "2025细则.txt")
    (ind,) = [i for c in d.data["categories"] for i in c["indicators"]]
    return [(m["name"], m["label"]) for m in ind["metrics"]]


def test_circled_numbers_are_marks_not_words():
    assert _metrics("1\t信用承诺\t4\t①信用承诺覆盖率达到90%的得2分；②信用修复办结率达到95%的得2分") == [
        ("p1_rate", "信用承诺覆盖率"), ("p2_rate", "信用修复办结率")]


def test_two_metrics_of_one_indicator_are_told_apart_by_the_documents_marks():
    got = _metrics("3\t数据共享\t4\t①归集数据量达到10万条的得2分；②归集数据量达到20万条的再得2分")
    assert [label for _, label in got] == ["归集数据量（①）", "归集数据量（②）"]


def test_a_deduction_against_last_year_asks_for_the_increase():
    got = _metrics("2\t失信治理\t4\t①失信被执行人数量较上年度下降的得2分；②对比上年度，每增加1人扣0.5分，最多扣2分")
    assert got[1] == ("p2_count", "较上年度增加的人数")
