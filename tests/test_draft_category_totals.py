"""Points read from the rules (no 分值 column) are each row's own and are checked against the
category's printed total (issue 20 item 1): a category cell 工作绩效（10分） merged over rows whose
rules give 4 and 4 is a mismatch to report, never 10 given to the first row."""
from __future__ import annotations

from authoring.document import blocks_from_text
from authoring.draft import draft_blocks

TABLE = "\n".join([
    "2025年度考核细则",
    "项目\t序号\t指标\t评分标准",
    "工作绩效（10分）\t1\t工作机制\t建立工作机制的得4分",
    "\t2\t信息报送\t按时报送的得4分",
    "配置效益\t3\t信用承诺\t承诺书覆盖率达到95%以上的得5分",
])


def test_rule_points_are_each_rows_and_a_short_category_is_reported():
    (d,) = draft_blocks(blocks_from_text(TABLE), "2025细则.txt")
    first = d.data["categories"][0]
    assert [i["max_points"] for i in first["indicators"]] == [4, 4] and first["max_points"] == 10
    assert any("分值 10 与其指标分值合计 8 不符" in p for p in d.problems)


def test_rule_points_that_add_up_to_the_category_pass():
    (d,) = draft_blocks(blocks_from_text(TABLE.replace("得4分\n", "得6分\n", 1)), "2025细则.txt")
    assert [i["max_points"] for i in d.data["categories"][0]["indicators"]] == [6, 4]
    assert not d.problems
