"""Ladders, formulas and detail notes as documents write them: a ladder whose first step
gives other points than the rest, a formula written without "=", and a proportion whose low
end is "为0的不得分", a count times a constant, and the 评分细则 column's notes paired with the
bullets they refine. Each case in wording composed for the test, and as a seed prints it; the
readings are scored through the real engine, not only inspected."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from one_bullet import score_bullet

from authoring.detail_rules import split_notes
from authoring.document import blocks_from_text
from authoring.draft import draft_blocks, draft_document
from authoring.bullets import split_bullets
from authoring.rule_reader import read_rule

SEEDS = Path(__file__).resolve().parent.parent / "bench" / "seeds"


def _score(text: str, values: list[Decimal]) -> Decimal:
    return score_bullet(text, values)


# ---- 超过50%…得1.5分，在此基础上每多10%加0.5分 ----------------------------------------------

SEED_LADDER = ("开展市民信用分评价且超过 50% 的城区，市户籍人口拥有个人诚信分，得 1.5 分，"
               "在此基础上每多 10%，加 0.5 分，最高得 4 分。")  # 黄石 九.1


@pytest.mark.parametrize("x,pts", [("0.5", 0), ("0.51", "1.5"), ("0.6", 2), ("0.69", 2), ("0.7", "2.5"),
                                   ("0.95", "3.5"), ("1", 4)])
def test_a_ladder_with_its_own_first_step_as_the_seed_prints_it(x, pts):
    r = read_rule(SEED_LADDER)
    assert (r.kind, r.points) == ("bands", 4)
    assert r.metrics[0]["type"] == "percent" and "个人诚信分" in r.metrics[0]["label"]
    assert _score(SEED_LADDER, [Decimal(x)]) == Decimal(str(pts))


@pytest.mark.parametrize("x,pts", [(29, 0), (30, 2), (39, 2), (40, "2.5"), (70, 4), (200, 4)])
def test_a_ladder_counts_things_too(x, pts):
    text = "年度报送信用信息达到30条，且按时报送的得2分，此后每增加10条得0.5分，最高4分。"
    assert read_rule(text).kind == "bands"
    assert _score(text, [Decimal(x)]) == Decimal(str(pts))


def test_a_ladder_without_a_cap_stops_at_all_of_a_rate():
    text = "电子证照覆盖率达到60%的得2分，以此为基数每提高10%再得1分。"
    r = read_rule(text)
    assert (r.kind, r.points) == ("bands", 6)
    assert _score(text, [Decimal("0.8")]) == 4


def test_equal_steps_stay_per_item():
    # the same points at the base and for each step is what per_item already says
    r = read_rule("培训覆盖率达到10%的，得1分，以此为基数每增加10%得1分，最高不超过4分。")
    assert (r.kind, r.params["base"], r.params["points"]) == ("per_item", Decimal("0.1"), 1)


# ---- 得分为A/B: a formula without "=" -------------------------------------------------------

SEED_SHARE = ("2. (1分) 农户信用信息覆盖率。本项得分满分为1分，最低分为0分。①辖区内建立农村信用信息系统的，"
              "得分为相关信息系统涵盖农户数（多个系统相加并去重）/辖区内农户总数。")  # 濮阳 四(二)


def test_a_formula_without_equals_as_the_seed_prints_it():
    r = read_rule(SEED_SHARE)
    assert (r.kind, r.points, r.params["expr"]) == ("formula", 1, "v1 / max(v2, 1)")
    # the remark in brackets is not a term
    assert [m["label"] for m in r.metrics] == ["相关信息系统涵盖农户数", "辖区内农户总数"]
    assert _score(SEED_SHARE, [Decimal(300), Decimal(400)]) == Decimal("0.75")


def test_a_formula_without_equals_in_other_words():
    text = "分值为按时办结件数（不含退回件）÷受理件数×3，最高3分。"
    r = read_rule(text)
    assert (r.kind, r.params["expr"]) == ("formula", "v1 / max(v2, 1) * 3")
    assert _score(text, [Decimal(9), Decimal(10)]) == Decimal("2.7")
    assert _score(text, [Decimal(20), Decimal(10)]) == 3  # the cap holds


@pytest.mark.parametrize("text", ["本项得分为0、2两档：以下内容如果为“是”，得0分；如果为“否”，得2分。",
                                  "本项得分为0、1和连续打分三种情形"])
def test_a_score_named_as_tiers_is_not_a_formula(text):
    assert read_rule(text).kind != "formula"


# ---- 达到100%得2分；为0的不得分；介于两者之间按比例 ---------------------------------------

SEED_EXIT = ("(4分) 按照国家发展改革委印发的《“屡禁不止、屡罚不改”严重违法失信行为专项治理方案》要求,"
             "相关治理对象退出率达到100%的,得2分;退出率为0的不得分;介于两者之间的按比例计分。")  # 濮阳 七(四)


@pytest.mark.parametrize("x,pts", [("0", 0), ("0.4", "0.8"), ("1", 2)])
def test_a_proportion_from_nothing_as_the_seed_prints_it(x, pts):
    r = read_rule(SEED_EXIT)
    assert (r.kind, r.points, r.params["expr"]) == ("formula", 2, "2 * rate")
    assert _score(SEED_EXIT, [Decimal(x)]) == Decimal(pts)


def test_a_proportion_up_to_a_threshold_below_all():
    text = "整改完成率达到80%及以上的得3分，完成率为0的得0分，在两者之间的按比例得分。"
    assert read_rule(text).kind == "formula"
    assert _score(text, [Decimal("0.4")]) == Decimal("1.5")
    assert _score(text, [Decimal("0.9")]) == 3


def test_zero_at_the_top_end_reads_as_a_falling_line():
    text = "异议处理时间为0天时得2分，超过10天不得分，介于两者之间按比例计分。"
    r = read_rule(text)
    assert r.kind == "piecewise"
    assert [_score(text, [Decimal(x)]) for x in (0, 5, 11)] == [2, 1, 0]


def test_the_zero_end_of_a_proportion_stays_in_its_bullet():
    assert len(split_bullets(SEED_EXIT)) == 1
    assert len(split_bullets("达标率达到95%的得4分；达标率为0%的，不得分；在二者之间的按比例计分。")) == 1
    # a rule of its own after it still starts a bullet
    assert len(split_bullets("退出率达到100%的得2分；退出率为0的不得分；开展专项培训的得1分。")) == 2


def test_the_far_end_of_a_proportion_stays_in_its_bullet():
    # 濮阳 五(二) as printed, and composed: the 不得分 end stands between the two
    seed = ("1. (2分) 行政许可、行政处罚“双公示”信息有效异议占比小于十万分之一（含）的，得2分；"
            "大于十万分之五的，不得分；介于两者之间的按比例计分。")
    (bullet,) = split_bullets(seed)
    r = read_rule(bullet)
    assert r.kind == "piecewise"
    assert [_score(bullet, [Decimal(x)]) for x in ("0.00001", "0.00003", "0.00006")] == [2, 1, 0]
    composed = "投诉率低于1‰的得3分；投诉率高于4‰的得0分；在两者之间的按比例计分。培训覆盖全员的，得1分。"
    assert len(split_bullets(composed)) == 2


# ---- a count times a constant -----------------------------------------------------------------

SEED_COUNT = ("联合奖惩机制化程度根据嵌入信息系统和工作流程的比例计分，计分公式为将联合奖惩嵌入信息系统和工作流程的"
              "领域数量*0.1，最高得2分。")  # 黄石 十.4


@pytest.mark.parametrize("text,each,cap", [(SEED_COUNT, "0.1", 2), ("得分=0.5×开展信用修复培训的场次数，最高3分。", "0.5", 3)])
def test_a_count_times_a_constant_is_per_item(text, each, cap):
    r = read_rule(text)
    assert (r.kind, r.params["points"], r.points) == ("per_item", Decimal(each), cap)
    assert _score(text, [Decimal(4)]) == Decimal(each) * 4
    assert _score(text, [Decimal(100)]) == cap


def test_a_ratio_times_a_constant_stays_a_formula():
    r = read_rule("计分公式为有效的联合奖惩案例数量/在运营红黑名单主体总量*5，最高为3分。")
    assert (r.kind, r.params["expr"]) == ("formula", "v1 / max(v2, 1) * 5")
    assert read_rule("得分=信用报告使用率*2").kind == "formula"  # a rate is not a count


# ---- 评分标准 and 评分细则: numbered notes refine the bullets they name -------------------------

def _drafted(text: str) -> dict[str, dict]:
    (d,) = draft_blocks(blocks_from_text(text), "x.txt")
    return {i["code"]: i for c in d.data["categories"] for i in c["indicators"]}


DETAIL_TABLE = "\n".join([
    "项目\t分值\t评分标准\t评分细则\t责任单位",
    "一、组织保障\t3\t· 制定详细的工作任务分工，明确责任单位和进度要求的，得1分。 "
    "· 开展督查考核的，得1分。 · 召开专题会议的，得1分。\t(1)信用报告指第三方出具的报告。\t市信用办",
    "项目\t分值\t评分标准\t评分细则\t责任单位",  # a page break: the notes go on below, unnumbered rows
    "\t\t\t(2)有详细的工作任务分工的，得0.5分；明确责任单位的，得0.3分；有进度要求的，得0.2分。"
    " (3)开展督查考核，有考核通知文件的，得0.5分；有考核结果文件的，得0.5分。\t",
    "二、信用应用\t2\t· 使用信用报告的，得2分。\t(4)每使用1份信用报告得0.5分，最高得2分。\t市发展改革委",
])


def test_detail_notes_refine_the_bullets_they_name_across_a_page_break():
    inds = _drafted(DETAIL_TABLE)
    assert sorted(inds) == ["一.1", "一.2", "一.3", "二"]  # the notes-only row is not an indicator
    p1, p2, p3 = (inds[c]["parts"][0] for c in ("一.1", "一.2", "一.3"))
    assert [it["points"] for it in p1["items"]] == [0.5, 0.3, 0.2]
    assert [it["points"] for it in p2["items"]] == [0.5, 0.5]
    assert "评分细则" in p1["text"] and "评分细则" not in p3["text"]  # staff see both texts
    assert len(p3["items"]) == 1  # no note for it; a note that only explains a term refines nothing
    (use,) = inds["二"]["parts"]
    assert (use["kind"], use["points"], use["max_points"]) == ("per_item", 0.5, 2)


def test_a_note_whose_points_differ_refines_nothing():
    text = DETAIL_TABLE.replace("有进度要求的，得0.2分", "有进度要求的，得0.7分")
    p1 = _drafted(text)["一.1"]["parts"][0]
    assert len(p1["items"]) == 1 and "评分细则" not in p1["text"]


def test_split_notes():
    assert split_notes("<p>(1)甲的，得1分。</p> <p>（2）乙的，得2分。</p>") == ["甲的，得1分。", "乙的，得2分。"]
    assert split_notes("无编号的说明") == ["无编号的说明"]


def test_the_seeds_detail_notes_refine_their_bullets():
    # 黄石 十一: the notes print one row below, after the category's last page break
    (d,) = draft_document(SEEDS / "001_0d8eedc23a51c9bf.txt")
    inds = {i["code"]: i for c in d.data["categories"] for i in c["indicators"]}
    assert [it["points"] for it in inds["十一.3"]["parts"][0]["items"]] == [0.5, 0.3, 0.2]
    assert [it["points"] for it in inds["十一.4"]["parts"][0]["items"]] == [0.5, 0.5]
    assert "十一.6" not in inds


def test_a_per_item_note_without_a_cap_counts_up_to_its_bullet():
    text = "\n".join([
        "项目\t分值\t评分标准\t评分细则",
        "一、信息公开\t1\t· 公开审判信息、执行信息和司法行政信息的，得1分。"
        "\t(1)审判信息、执行信息、检务信息、司法行政信息，每公开1类，得0.25分。",
    ])
    (part,) = _drafted(text)["一"]["parts"]
    assert (part["kind"], part["points"], part["max_points"]) == ("per_item", 0.25, 1)
    # four kinds at 0.25 cannot make up 3 points: that note is about part of the bullet only
    short = text.replace("\t1\t", "\t3\t").replace("得1分", "得3分")
    (part,) = _drafted(short)["一"]["parts"]
    assert part["kind"] == "checklist" and "评分细则" not in part["text"]
