"""A rule continued in the next sentence (issue 20 item 4): 得N分。若…每少…扣… keeps its starting
points; an exemption (可不扣分, 除外) is never dropped but asked; the draft and `scheme rule`
read a bullet the same way."""
from __future__ import annotations

from decimal import Decimal

import pytest

from authoring.bullets import split_bullets
from authoring.document import blocks_from_text
from authoring.draft import draft_blocks
from authoring.rule_reader import read_rule

FUNDS = "足额保障信用建设工作经费的，得2分。若保障不到位的，每少1%，扣0.1分；但因上级政策调整的可不扣分"


@pytest.mark.parametrize("text, base", [
    ("按时报送的得1分。每低1%，扣0.1分", 1),
    (FUNDS, 2),
])
def test_the_deduction_keeps_the_points_it_comes_off(text, base):
    r = read_rule(text)
    assert (r.kind, r.params["base"], r.params["each"], r.params["per"], r.points) == (
        "deduction", base, Decimal("0.1"), Decimal("0.01"), base)
    assert "低于要求的幅度" in r.metrics[0]["label"]  # the shortfall is entered, not the rate


@pytest.mark.parametrize("text, words", [
    (FUNDS, "因上级政策调整的可不扣分"),
    ("每发生1起失信事件扣2分，不可抗力造成的除外。", "不可抗力造成的除外"),
])
def test_an_exemption_is_asked_never_dropped(text, words):
    r = read_rule(text)
    assert r.kind == "deduction" and words in r.reason and "例外" in r.reason


def test_the_draft_reads_the_bullet_as_scheme_rule_does():
    assert split_bullets(FUNDS) == [FUNDS]
    text = "\n".join(["序号\t考核指标\t分值\t评分标准", f"1\t经费保障\t2\t{FUNDS}"])
    (d,) = draft_blocks(blocks_from_text(text), "2025细则.txt")
    (part,) = d.data["categories"][0]["indicators"][0]["parts"]
    alone = read_rule(FUNDS)
    assert {k: Decimal(str(part[k])) for k in ("base", "each", "per")} == {
        k: alone.params[k] for k in ("base", "each", "per")} and part["kind"] == alone.kind
    assert part["待确认"] == alone.reason
