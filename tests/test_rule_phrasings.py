"""Phrasings the held-out corpus (bench/rule_corpus.yaml: other cities', provinces' and
industries' documents) taught the rule reader. Each test is worded for itself, with other
numbers and nouns than the corpus, and each reading is scored through the real engine: a
reading is right only if it gives the points the sentence promises. Bullets no single rule can
say must come back 待确认 with a reason in Chinese that tells staff what to fix."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from schemes.model import Scheme
from authoring.rule_words import plain
from authoring.rule_reader import read_rule
from scoring.engine import score, score_all


def _scheme(text: str) -> Scheme:
    r = read_rule(text)
    assert r.kind, r.reason
    part = r.part()
    part.pop("text")
    mx = r.points if r.points is not None else Decimal(100)
    section = "deduction" if r.kind == "deduction" and not r.params.get("base") else "base"
    ind = {"code": "1", "name": "试", "max_points": mx, "metrics": r.metrics, "parts": [part]}
    return Scheme.model_validate({
        "id": "t", "title": "t", "issuer": "t", "year": 2025, "audience": "departments",
        "base_total": mx if section == "base" else None,
        "categories": [{"code": "一", "name": "c", "section": section, "indicators": [ind]}]})


def pts(text: str, *values: Any) -> Decimal:
    """The points the engine gives the reading; values in the order the reader lists metrics."""
    r = read_rule(text)
    facts = {m["name"]: v for m, v in zip(r.metrics, values)}
    return score(_scheme(text), {"1": facts}).items[0].points


def unsure(text: str, *words: str) -> None:
    r = read_rule(text)
    assert r.kind is None, (r.kind, r.params)
    for w in words:
        assert w in r.reason, r.reason


# ---- shorthands: 3分/个, -1.5分/次, 得0.2， ------------------------------------------------

@pytest.mark.parametrize("n,want", [(2, 6), (5, 9)])
def test_points_per_unit_written_after_the_points(n, want):
    text = "每新建一个信用示范街区，3分/个，最高9分。"
    r = read_rule(text)
    assert (r.kind, r.params["points"], r.points) == ("per_item", 3, 9)
    assert pts(text, n) == want


def test_a_minus_per_time_is_a_deduction():
    text = "被市级媒体曝光的，-1.5分/次。"
    r = read_rule(text)
    assert (r.kind, r.params["each"]) == ("deduction", Decimal("1.5"))
    assert pts(text, 2) == -3


def test_points_without_the_word_fen():
    text = "每推送一条守信激励案例得0.2，最高得1分。"
    assert read_rule(text).params["points"] == Decimal("0.2")
    assert pts(text, 3) == Decimal("0.6")
    assert pts(text, 9) == 1


# ---- points printed without a verb ----------------------------------------------------------

def test_points_after_the_condition_without_de():
    text = "组织召开信用工作推进会的，2分；印发年度工作方案的，1分。"
    r = read_rule(text)
    assert r.kind == "checklist" and [i["points"] for i in r.params["items"]] == [2, 1]
    assert pts(text, "是", "否") == 2


def test_points_in_brackets_after_the_work():
    text = "开展诚信教育进校园活动（1.5分）。"
    assert read_rule(text).params["items"][0]["points"] == Decimal("1.5")
    assert pts(text, "是") == Decimal("1.5")


def test_a_heading_with_its_points_is_not_a_rule():
    assert read_rule("营商环境（3分）").kind is None


# ---- deductions: steps written apart, 少得, 满分 in its own sentence ------------------------

@pytest.mark.parametrize("over,want", [("0.004", 6), ("0.012", 4), ("0.05", 0)])
def test_a_step_in_percentage_points_after_words(over, want):
    text = "本项6分，每高于警戒线0.5个百分点扣1分，扣完为止。"
    r = read_rule(text)
    assert (r.kind, r.params["base"], r.params["per"]) == ("deduction", 6, Decimal("0.005"))
    assert pts(text, Decimal(over)) == want


@pytest.mark.parametrize("n,want", [(1, "1.5"), (3, 0)])
def test_a_count_of_one_is_the_step(n, want):
    text = "无超时办结的得3分，查实1件超时扣1.5分，扣完为止。"
    r = read_rule(text)
    assert (r.kind, r.params["base"], r.params["each"]) == ("deduction", 3, Decimal("1.5"))
    assert pts(text, n) == Decimal(want)


def test_shao_de_takes_points_off():
    text = "佐证材料齐全得8分，每缺一份少得2分。"
    assert read_rule(text).params["base"] == 8
    assert pts(text, 3) == 2


def test_the_full_mark_in_a_sentence_of_its_own():
    text = "满分5分。网站信用专栏未按期更新的，每次扣1分。"
    assert read_rule(text).params["base"] == 5
    assert pts(text, 2) == 3


def test_the_full_mark_after_a_colon_and_de_man_fen():
    text = "到期履约率：12分，达标得满分；每低于目标1个百分点扣2分，最多扣完。"
    r = read_rule(text)
    assert (r.params["base"], r.params["per"]) == (12, Decimal("0.01"))
    assert pts(text, Decimal("0.03")) == 6


@pytest.mark.parametrize("text,words", [
    ("迟报一次扣0.2分，错报一次扣0.4分。", ("0.2分", "0.4分", "拆成")),
    ("每举办一场信用讲座加1分；每发布一篇信用案例加0.5分，最高3分。", ("1分", "0.5分", "拆成")),
])
def test_two_rules_in_one_bullet_ask_to_be_split(text, words):
    unsure(text, *words)


# ---- per item: rates, 万, a count of one -----------------------------------------------------

@pytest.mark.parametrize("drop,want", [("0.025", "0.6"), ("0.2", "1.5")])
def test_points_per_step_of_a_rate(drop, want):
    text = "辖区失信主体占比每降低一个百分点加0.3分，最高1.5分。"
    r = read_rule(text)
    assert (r.kind, r.params["per"], r.params["points"]) == ("per_item", Decimal("0.01"), Decimal("0.3"))
    assert pts(text, Decimal(drop)) == Decimal(want)


def test_a_step_in_ten_thousands():
    text = "每归集2万条信用信息得0.5分，最高3分。"
    assert read_rule(text).params["per"] == 20000
    assert pts(text, 50000) == 1


def test_one_piece_with_its_points_and_a_cap():
    text = "发布信用修复案例1篇得0.3分，最多1.5分。"
    assert read_rule(text).kind == "per_item"
    assert pts(text, 4) == Decimal("1.2")
    assert pts(text, 8) == Decimal("1.5")


# ---- bands: units, 万, (含), 前/后 shares, 其余 ------------------------------------------------

@pytest.mark.parametrize("days,want", [(1, 3), (3, 2), (5, 0)])
def test_bands_of_working_days(days, want):
    assert pts("平均办结时间不超过2个工作日的得3分，2至4个工作日的得2分，超过4个工作日的不得分。", days) == want


@pytest.mark.parametrize("n,want", [(250000, 4), (150000, 2), (5000, 0)])
def test_bands_in_ten_thousand_records(n, want):
    assert pts("年度归集数据20万条以上的得4分，10万条至20万条的得2分。", n) == want


@pytest.mark.parametrize("n,want", [(60, 6), (30, 3), (10, 0)])
def test_bands_in_ten_thousand_yuan_keep_the_unit(n, want):
    assert pts("年度信用服务收入超过50万元的，6分；20-50万元的，3分。", n) == want


@pytest.mark.parametrize("x,want", [("0.98", 2), ("0.95", 1), ("0.94", 0)])
def test_included_bounds(x, want):
    assert pts("报送及时率98%（含）以上的得2分，95%（含）至98%的得1分。", Decimal(x)) == want


@pytest.mark.parametrize("x,want", [("0.2", 4), ("0.5", 2), ("0.8", 0)])
def test_shares_of_a_ranking_and_the_rest(x, want):
    text = "群众满意度位居前30%的得4分，位居后30%的不得分，其余得2分。"
    assert read_rule(text).kind == "bands"
    assert pts(text, Decimal(x)) == want


def test_a_band_that_only_scores_nothing_asks_to_be_joined():
    unsure("抽查合格率低于90%的不得分。", "不得分", "requires")


# ---- rank ----------------------------------------------------------------------------------

def _ranked(text: str, values: dict[str, int]) -> dict[str, Decimal]:
    cards = score_all(_scheme(text), {u: {"1": {"value": v}} for u, v in values.items()})
    return {u: cards[u].items[0].points for u in values}


def test_shortest_first_ranks_lower_as_better():
    text = "办理时长最短的得3分，最长的得1分，其余按排名赋分。"
    r = read_rule(text)
    assert r.params["higher_is_better"] is False
    assert _ranked(text, {"甲": 2, "乙": 5, "丙": 9}) == {"甲": 3, "乙": 2, "丙": 1}


def test_top_and_bottom_by_wei():
    r = read_rule("数据质量排名前两位的得5分，后两位的得2分，其余按名次赋分。")
    assert (r.kind, r.params["method"], r.params["top_n"], r.params["bottom_n"]) == ("rank", "top_bottom", 2, 2)


def test_full_then_rank_by_a_named_rate():
    r = read_rule("公示率达到100%的得5分，未达到的按公示率排名赋分。")
    assert (r.kind, r.params["method"], r.params["top"]) == ("rank", "full_then_rank", 5)


def test_ranks_in_fixed_steps_ask_for_both_ends():
    unsure("排名第一的得最高分，其余依次递减0.2分。", "第一名和最后一名")


# ---- discretionary, share, formula ------------------------------------------------------------

def test_a_span_of_points_judged_by_staff():
    r = read_rule("由考核组视情况给予1-4分。")
    assert (r.kind, r.points) == ("discretionary", 4)
    assert pts("由考核组视情况给予1-4分。", 3) == 3


@pytest.mark.parametrize("x,want", [("0.95", 4), ("0.5", 2)])
def test_full_above_a_bar_else_its_share_times_points(x, want):
    text = "数据准确率90%以上（含90%）得4分；90%以下的按百分比×4得分。"
    assert read_rule(text).kind == "piecewise"
    assert pts(text, Decimal(x)) == want


def test_full_at_all_else_in_proportion():
    text = "整改办结率达到100%的得5分，低于100%的按实际比例得分。"
    assert read_rule(text).kind == "formula"
    assert pts(text, Decimal("0.6")) == 3


def test_full_at_a_count_else_in_proportion():
    text = "信用培训达到300人次的得3分，不足的按比例得分。"
    assert read_rule(text).metrics[0]["label"] == "信用培训"
    assert pts(text, 150) == Decimal("1.5")
    assert pts(text, 600) == 3


@pytest.mark.parametrize("text,x,want", [
    ("按实际完成比例计分，本项满分8分。", "0.25", 2),
    ("年度任务10分，未完成的按任务完成比例扣分。", "0.7", 7),
])
def test_points_times_the_share_done(text, x, want):
    assert read_rule(text).kind == "formula"
    assert pts(text, Decimal(x)) == want


def test_a_ratio_without_its_terms_asks_for_them():
    unsure("根据应报数量和实报数量按比值给分，最高3分。", "A/B")


@pytest.mark.parametrize("text,values,want,most", [
    ("计分方法：信息公示率×4分。", ("0.5",), 2, 4),
    ("按照承诺履约率×6计分。", ("0.5",), 3, 6),
    ("得分=（按期办结件数÷受理件数）×5。", ("8", "10"), 4, 5),
    ("公示占3分，得分=公示数量/10*3。", ("5",), "1.5", 3),
])
def test_formulas_in_other_words(text, values, want, most):
    r = read_rule(text)
    assert (r.kind, r.points) == ("formula", most)
    assert pts(text, *(Decimal(v) for v in values)) == Decimal(want)


def test_yes_no_with_bu_de_fen():
    text = "是否开通信用修复网上申请：是，得2分；否，不得分。"
    assert read_rule(text).kind == "bands"
    assert pts(text, "是") == 2 and pts(text, "否") == 0


# ---- doubts staff must settle -------------------------------------------------------------

@pytest.mark.parametrize("text,words", [
    ("年度考评结果为优秀的，6分；年度考评结果为合格的，3分。", ("只取其一",)),
    ("按时完成的，3分；未开展工作的，-2分。", ("负分", "-2分")),
    ("投诉率低于全市平均水平的得1分。", ("不是数值", "平均水平")),
])
def test_doubtful_tiers_are_read_with_a_reason(text, words):
    r = read_rule(text)
    assert r.kind == "checklist"
    for w in words:
        assert w in r.reason, r.reason


def test_a_step_label_says_what_staff_enter():
    r = read_rule("本项4分，每超出限值0.2个百分点扣0.5分。")
    assert r.metrics[0]["label"] == "超出限值的幅度" and r.metrics[0]["type"] == "percent"


@pytest.mark.parametrize("text", ["存在伪造佐证材料的，直接判为D档。", "瞒报重大失信事件的，年度考核评为不合格。"])
def test_a_grade_set_directly_is_a_downgrade_event(text):
    unsure(text, "downgrade_events")


def test_the_full_mark_lost_on_an_event_without_ru():
    text = "本项2分，发生信用信息泄露的单位，本项不得分。"
    r = read_rule(text)
    assert (r.kind, r.points) == ("bands", 2)
    assert pts(text, "是") == 0 and pts(text, "否") == 2


def test_each_of_a_list_after_a_comma():
    r = read_rule("信用工作台账齐全，有会议记录、培训记录、督查记录的，各得0.5分。")
    assert r.kind == "checklist" and r.each_of == ["会议记录", "培训记录", "督查记录"]
    assert r.params["items"][0]["points"] == Decimal("0.5")
    assert not r.metrics[0]["label"].endswith(("各", ","))


# ---- what a staff walkthrough of a new city found --------------------------------------------

def explain(text: str, *values: Any) -> str:
    """The engine's words for the reading's points."""
    r = read_rule(text)
    facts = {m["name"]: v for m, v in zip(r.metrics, values)}
    return score(_scheme(text), {"1": facts}).items[0].parts[0].explain


@pytest.mark.parametrize("rate,want", [("0.96", 3), ("0.955", 3), ("0.99", 6), ("0.9", 0)])
def test_a_rate_below_its_full_mark_bar_loses_points_per_percentage_point(rate, want):
    # the liaison reports the rate itself (96%), not how far it fell; whole 百分点 count (2.5 is 2)
    text = "信用承诺书公示率达到98%的得6分，每低1个百分点扣1.5分，扣完为止。"
    r = read_rule(text)
    assert (r.kind, r.params["base"], r.params["per"]) == ("deduction", 6, Decimal("0.01"))
    assert [(m["label"], m["type"]) for m in r.metrics] == [("信用承诺书公示率", "percent")]
    assert pts(text, Decimal(rate)) == Decimal(want)


@pytest.mark.parametrize("text,rate,want", [
    ("按时办结率达到90%及以上的得满分4分，每降低2个百分点扣1分，扣完为止。", "0.86", 2),
    ("本项5分。行政处罚信息公示率以97%为标准，每下降1个百分点减0.5分，减完为止。", "0.95", 4),
    ("数据合规率须达到99%，达到的得3分；每低0.5个百分点扣0.5分，扣完为止。", "0.98", 2),
    ("归档完整率达到96%得满分7分，低于96%的，每降低1个百分点扣2分。", "0.93", 1),
])
def test_other_full_mark_bars_measure_the_rate_too(text, rate, want):
    r = read_rule(text)
    assert r.metrics[0]["name"] == "rate" and r.metrics[0]["label"].endswith("率")
    assert pts(text, Decimal(rate)) == want
    assert pts(text, Decimal(1)) == r.points


@pytest.mark.parametrize("rate,want", [("0.93", "-0.6"), ("0.5", -1), ("0.97", 0)])
def test_a_bar_with_no_base_deducts_from_the_total(rate, want):
    text = "归集及时率以96%为标准，每降低1个百分点扣0.2分，最多扣1分。"
    assert read_rule(text).metrics[0]["label"] == "归集及时率"
    assert pts(text, Decimal(rate)) == Decimal(want)


@pytest.mark.parametrize("rate,want", [("0.045", 3), ("0.01", 5), ("0.2", 0)])
def test_a_rate_above_a_ceiling_loses_points(rate, want):
    text = "差错率控制在2%以内得5分，每超出1个百分点扣1分，扣完为止。"
    assert read_rule(text).metrics[0]["label"] == "差错率"
    assert pts(text, Decimal(rate)) == want


def test_the_card_says_how_far_below_the_bar_in_percentage_points():
    text = "双公示上报率达到95%的得10分，每低1个百分点扣2分，扣完为止。"
    assert explain(text, Decimal("0.92")) == (
        "双公示上报率 92%，低于95% 3个百分点；起评10分，每低1个百分点减2分：10−2×3 = 4，得4分")


@pytest.mark.parametrize("rate,want", [("0.97", 2), ("1", 8), ("0.9", 0)])
def test_qi_ping_and_a_rate_falling_from_full(rate, want):
    text = "起评8分，双公示上报率每降低1个百分点减2分。"
    r = read_rule(text)
    assert [(m["label"], m["type"]) for m in r.metrics] == [("双公示上报率", "percent")]
    assert pts(text, Decimal(rate)) == want


def test_a_drop_with_no_bar_and_no_rate_named_still_counts_the_drop():
    text = "本项5分，每低于控制线1个百分点扣1分。"
    r = read_rule(text)
    assert r.metrics[0]["label"] == "低于控制线的幅度"
    assert pts(text, Decimal("0.02")) == 3


@pytest.mark.parametrize("text,values,want,most", [
    ("得分=6-(1-归集率)×50，最低0分", ("0.95",), "3.5", 6),
    ("得分=6-(1-归集率)×50，最低0分", ("0.8",), 0, 6),
    ("得分=2+完成率×4，最高5分", ("0.9",), 5, 5),
    ("得分=2+完成率×4，最高5分", ("0.5",), 4, 5),
    ("得分=(1-差错率)×20，最低5分", ("0.8",), 5, 20),
])
def test_a_floor_or_cap_after_a_formula_is_not_a_term(text, values, want, most):
    r = read_rule(text)
    assert r.kind == "formula" and len(r.metrics) == 1 and r.metrics[0]["type"] == "percent"
    assert r.points == most and all("分" not in m["label"] for m in r.metrics)
    assert pts(text, *(Decimal(v) for v in values)) == Decimal(want)


def test_a_formula_floor_is_named_once_in_the_words():
    r = read_rule("得分=6-(1-归集率)×50，最低0分")
    assert len(r.words) == len(set(r.words)) and r.params.get("floor") is None


@pytest.mark.parametrize("text", [
    "报送守信激励案例，最高8分。每季度结束后10日内报送。",
    "报送守信激励案例，最高8分。请于每月10日前报送上月案例。",
])
def test_a_sentence_about_when_to_report_does_not_stop_the_reading(text):
    r = read_rule(text)
    assert (r.kind, r.points) == ("discretionary", 8)


def test_a_deadline_sentence_after_a_counting_rule():
    text = "每发布1篇信用修复案例得0.5分，最高3分。于每季度末前报送。"
    r = read_rule(text)
    assert (r.kind, r.params["points"], r.points) == ("per_item", Decimal("0.5"), 3)
    assert pts(text, 4) == 2


def test_counted_without_points_per_piece_asks_for_them():
    text = "报送守信激励案例，按报送数量计分，最高8分。每季度结束后10日内报送。"
    unsure(text, "按报送数量计分", "每个得X分")
    assert read_rule(text).points == 8  # a 评分细则 note worth 8 can then be paired with it
    assert read_rule("根据报送数量酌情计分，最高5分。").kind == "discretionary"


@pytest.mark.parametrize("national,provincial,want", [("是", "是", 5), ("否", "是", 2), ("是", "否", 4)])
def test_tiers_that_add_up_to_their_own_cap_ask_whether_exclusive(national, provincial, want):
    text = "获评国家级示范的加4分、省级示范的加2分，最高加5分。"
    r = read_rule(text)
    assert (r.kind, r.points) == ("checklist", 5) and "只取其一" in r.reason
    assert [m["label"] for m in r.metrics] == ["获评国家级示范", "省级示范"]
    assert len(r.words) == len(set(r.words))
    assert pts(text, national, provincial) == want


def test_discretionary_words_name_the_cap_once():
    r = read_rule("信用工作经验被推广的，最高加3分。")
    assert r.kind == "discretionary" and r.words == ["最高加3分"]


@pytest.mark.parametrize("part", [
    {"kind": "deduction", "value": "0.96 - rate", "base": 7, "each": 1.5, "per": 0.02},
    {"kind": "deduction", "value": "0.97 - rate", "each": 0.4, "per": 0.01, "cap": 2},
    {"kind": "deduction", "value": "rate - 0.03", "base": 4, "each": 1, "per": 0.005},
])
def test_a_bar_rule_in_workbook_words_reads_back_the_same(part):
    # staff who clear 规则参数 in the workbook get the rule back from 规则说明
    from authoring.workbook import describe_part
    ind = {"code": "1", "name": "试", "max_points": 10, "parts": [part],
           "metrics": [{"name": "rate", "label": "行政许可公示率", "type": "percent"}]}
    scheme = Scheme.model_validate({
        "id": "t", "title": "t", "issuer": "t", "year": 2025, "audience": "departments", "base_total": 10,
        "categories": [{"code": "一", "name": "c", "indicators": [ind]}]})
    indicator = scheme.categories[0].indicators[0]
    words = describe_part(indicator.parts[0], indicator)
    r = read_rule(words)
    assert {k: v for k, v in part.items() if k != "kind"} == plain(r.params), words
    assert (r.kind, r.metrics[0]["label"], r.metrics[0]["type"]) == ("deduction", "行政许可公示率", "percent")
