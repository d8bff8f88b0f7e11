"""吕梁 2022 附件1 市直成员单位考核指标 (seed 004): worked numbers from the text.

This is also the demo scheme of the chat tests: codes 3, 7, 11, 八.1 and the aliases 信用承诺,
双公示, 乱收费, 月报 (and the deliberately ambiguous 共享 / 行政) must keep working.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from bot.parse import Ambiguous, find_indicator, writable_metrics
from schemes.loader import scheme_by_id
from scoring.engine import grade, score, score_all

ID = "lvliang-2022-departments"
D = Decimal


def scheme():
    return scheme_by_id(ID)


def pts(card, code):
    return card.item(code).points


def part(card, code, label):
    return next(p for p in card.item(code).parts if p.label == label)


def ranked(code, metric, values, **extra):
    """Points on `code` for units U0..Un reporting `values` (None: not reported)."""
    facts = {f"U{n}": {code: ({metric: v} if v is not None else {}) | extra}
             for n, v in enumerate(values)}
    cards = score_all(scheme(), facts)
    return [pts(cards[f"U{n}"], code) for n in range(len(values))]


def full_facts():
    """A department meeting every bullet (scored alone, rank parts give the top points)."""
    return {
        "1": {"staffed": "是", "mechanism": "是"},
        "2": {"implemented": True, "own_rules": True},
        "3": {"accuracy": 1, "concealed": 0, "ledger_on_time": True},
        "4": {"enterprises": 1000, "tax_records": 1000, "water_records": 1200,
              "power_records": 1000, "gas_shared": True, "property_shared": True,
              "rnd_shared": True},
        "5": {"classes": 5},
        "6": {"docked": True},
        "7": {"commitments": 300},
        "8": {"fulfilments": 300},
        "9": {"shared_credit_info": True, "registration": True, "platform_service": True,
              "joint_modeling": True},
        "10": {"activities": 4, "joined": True},
        "11": {"on_time_reports": 12},
        "12": {"cases": 20},
        "13": {"realtime_push": True},
        "14": {"central_praise": 3},
    }


# ---- shape ------------------------------------------------------------------------------------

def test_header_totals_and_categories():
    s = scheme()
    assert s.audience == "departments" and s.year == 2022
    assert s.doc_number == "吕信用办发〔2022〕16号"
    assert (s.base_total, s.bonus_cap, s.deduction_cap) == (100, None, 20)
    assert [(c.code, c.name, c.max_points) for c in s.categories] == [
        ("一", "工作机制及制度建设", 15), ("二", "信用信息归集共享", 39), ("三", "信用监管", 10),
        ("四", "营商环境", 6), ("五", "诚信宣传教育", 10), ("六", "开展守信激励和失信惩戒情况", 10),
        ("七", "工作创新", 10), ("八", "扣分情形", 20)]
    assert [i.code for _, i in s.indicators()] == [str(n) for n in range(1, 15)] + ["八.1", "八.2"]
    assert [i.max_points for _, i in s.indicators()] == [5, 10, 15, 10, 10, 4, 5, 5, 6, 5, 5, 5,
                                                          5, 10, 10, 10]
    assert [(b.name, b.min) for b in s.bands] == [("优秀", 90), ("良好", 80), ("一般", 60),
                                                 ("较差", 0)]
    ev = s.downgrade_events[0]
    assert (ev.id, ev.name, ev.levels) == ("major-dishonesty", "重大失信事件", 1)
    assert "市级行业（领域）主管部门" in ev.text


def test_evidence_names_basis_and_method():
    """考核依据 + 考核方式 as printed, for every indicator."""
    s = scheme()
    expected = {
        "1": "文件资料（年底集中评价）", "2": "文件资料（年底集中评价）",
        "3": "市信用办统计资料（日常工作调度）", "4": "市信用办统计资料（日常工作调度）",
        "5": "市信用办统计资料（日常工作调度）",
        "6": "与市信用信息共享平台实现对接（年底集中评价）",
        "7": "文件资料（日常工作调度）", "8": "文件资料（日常工作调度）",
        "9": "文件、数据资料（日常工作调度）", "10": "相关报道及照片（日常工作调度）",
        "11": "文件资料（日常工作调度）", "12": "文件资料（日常工作调度）",
        "13": "文件资料（日常工作调度）",
        "14": "文件资料（日常工作调度与年底集中评查相结合）",
        "八.1": "文件资料（日常工作调度与年底集中评查相结合）",
        "八.2": "文件资料（日常工作调度与年底集中评查相结合）",
    }
    assert {i.code: i.evidence for _, i in s.indicators()} == expected
    assert "日常工作年度与年底集中评查相结合" in s.indicator("14").note  # the OCR reading is marked


def test_due_dates():
    s = scheme()
    due = s.indicator("11").due
    assert (due.frequency, due.day, due.text) == ("monthly", 2, "每月2日前报送上月工作开展情况总结")
    due = s.indicator("3").due
    assert (due.frequency, due.day) == ("quarterly", 10)
    assert "截止日" in s.indicator("3").note  # not printed: a judgement, marked
    for code in ("1", "2", "6"):
        assert s.indicator(code).due.frequency == "yearly"
    # 每月报送 / 每月实时报送 without a printed day: no reminders invented
    for code in ("7", "12"):
        assert s.indicator(code).due is None and "未写截止日" in s.indicator(code).note


def test_aliases_resolve_uniquely_and_chat_words_keep_working():
    s = scheme()
    for _, ind in s.indicators():
        assert 1 <= len(ind.aliases) <= 3, ind.code
        for a in ind.aliases:
            assert find_indicator(s, a).code == ind.code, a
    assert find_indicator(s, "信用承诺").code == "7"
    assert find_indicator(s, "双公示").code == "3"
    assert find_indicator(s, "乱收费").code == "八.1"
    assert find_indicator(s, "月报").code == "11"
    assert find_indicator(s, "工作机制").code == "1"
    for word in ("共享", "行政"):  # the chat tests rely on these being ambiguous
        with pytest.raises(Ambiguous):
            find_indicator(s, word)


def test_full_marks_and_empty():
    s = scheme()
    card = score(s, full_facts())
    assert card.base == 100 and card.total == 100 and card.band == "优秀"
    card = score(s, {})
    assert card.total == 0 and card.band == "较差"


# ---- 一 工作机制及制度建设 ----------------------------------------------------------------------

def test_mechanism_and_rules_checklists():
    s = scheme()
    # 明确分管领导、责任科室、联络员得2分；制定工作机制得3分
    assert pts(score(s, {"1": {"staffed": "是", "mechanism": "否"}}), "1") == 2
    assert pts(score(s, {"1": {"staffed": "否", "mechanism": "是"}}), "1") == 3
    # 推进落实相关制度得5分；制定本部门…制度的得5分；未落实及未出台不得分
    assert pts(score(s, {"2": {"implemented": True, "own_rules": False}}), "2") == 5
    assert pts(score(s, {"2": {"implemented": True, "own_rules": True}}), "2") == 10
    assert pts(score(s, {"2": {"implemented": False, "own_rules": False}}), "2") == 0


# ---- 二 3 双公示 ------------------------------------------------------------------------------

def test_shuang_gongshi_accuracy_100_percent_then_by_rank():
    """比值达100%得8分，剩余按排名依次赋分，比值越低得分越低."""
    got = ranked("3", "accuracy", [1, 1, 0.99, 0.98, 0.98, 0.9, None])
    assert got[:2] == [8, 8]
    # 4 below 100%: 8×(m−r+1)/(m+1) with m=4 -> 6.4, 4.8 (tie shares rank 2), 4.8, 1.6
    assert [D(str(x)) for x in got[2:6]] == [D("6.4"), D("4.8"), D("4.8"), D("1.6")]
    assert got[6] == 0  # 未报送


@pytest.mark.parametrize("concealed, cut, expected", [
    (None, None, 4),  # nothing entered by the office: no concealment found, 未出现瞒报得4分
    (0, None, 4),   # 未出现瞒报得4分
    (5, None, 0),   # 出现5条以上扣4分 (以上 includes 5)
    (9, None, 0),
    (2, 1, 3),      # 出现5条以下的酌情扣分: the office cuts 1
    (4, 4, 0),
    (1, 0, 4),
])
def test_shuang_gongshi_concealment(concealed, cut, expected):
    values = {"concealed": concealed, "ledger_on_time": True}
    if concealed is None:
        del values["concealed"]
    if cut is not None:
        values["concealed_cut"] = cut
    p = part(score(scheme(), {"3": values}), "3", "瞒报情况")
    assert p.points == expected


def test_concealment_and_its_cut_are_for_the_office_only():
    """瞒报 is what the office finds: a liaison reports only the accuracy."""
    s = scheme()
    ind = s.indicator("3")
    assert [m.name for m in writable_metrics(ind)] == ["accuracy"]
    concealed = next(m for m in ind.metrics if m.name == "concealed")
    assert concealed.entered_by == "office" and concealed.default == 0
    # 1–4 条 without the office's cut: not scored yet, and it says what is missing
    p = part(score(s, {"3": {"concealed": 2, "ledger_on_time": True}}), "3", "瞒报情况")
    assert p.points == 0 and p.missing


def test_shuang_gongshi_ledger_linked_to_concealment():
    """每个季度按时报送台账得3分，未按时报送的不得分且第二条也不得分."""
    s = scheme()
    on_time = score(s, {"3": {"accuracy": 1, "concealed": 0, "ledger_on_time": True}})
    assert pts(on_time, "3") == 15
    late = score(s, {"3": {"accuracy": 1, "concealed": 0, "ledger_on_time": False}})
    assert part(late, "3", "季度台账按时报送").points == 0
    assert part(late, "3", "瞒报情况").points == 0
    assert part(late, "3", "数据准确率").points == 8  # the first bullet is not linked
    assert pts(late, "3") == 8
    assert s.indicator("3").metrics[-1].derived == "all_on_time"


# ---- 二 4–6 共享 ------------------------------------------------------------------------------

def test_shared_information_ratios_and_classes():
    s = scheme()
    # 纳税比值≥1得3分否则不得分；水、电比值≥1各得2分；燃气、不动产、科技研发每类1分
    card = score(s, {"4": {"enterprises": 1000, "tax_records": 1000, "water_records": 999,
                           "power_records": 1500, "gas_shared": True, "property_shared": True,
                           "rnd_shared": False}})
    assert pts(card, "4") == 7
    card = score(s, {"4": {"enterprises": 1000, "tax_records": 999, "water_records": 1000,
                           "power_records": 1000, "gas_shared": True, "property_shared": True,
                           "rnd_shared": True}})
    assert pts(card, "4") == 7
    # 每共享1类得2分，总分10分
    assert pts(score(s, {"5": {"classes": 3}}), "5") == 6
    assert pts(score(s, {"5": {"classes": 5}}), "5") == 10
    assert pts(score(s, {"5": {"classes": 0}}), "5") == 0
    assert pts(score(s, {"6": {"docked": "是"}}), "6") == 4
    assert pts(score(s, {"6": {"docked": "否"}}), "6") == 0


# ---- rank items: 最多的得5分，最少的得1分，中间依序赋分；未报送的不得分 ---------------------------

@pytest.mark.parametrize("code, metric", [("7", "commitments"), ("8", "fulfilments"),
                                          ("11", "on_time_reports"), ("12", "cases")])
def test_rank_five_to_one_and_not_sent_zero(code, metric):
    got = ranked(code, metric, [300, 200, 100, 0, None])
    assert got == [5, 3, 1, 0, 0]
    assert ranked(code, metric, [40]) == [5]  # alone: the top points


def test_briefings_counted_by_on_time_ones():
    s = scheme()
    assert [m.derived for m in s.indicator("11").metrics] == ["on_time_count"]
    # 按时报送最多的得5分、最少的得1分 — 12, 10, 10, 7 on-time briefings of the year
    got = ranked("11", "on_time_reports", [12, 10, 10, 7])
    assert got[0] == 5 and got[3] == 1
    assert got[1] == got[2] == pytest.approx(D("3.6667"), abs=D("1e-4"))


def test_publicity_activities_three_to_one_plus_participation():
    facts = {"A": {"10": {"activities": 8, "joined": True}},
             "B": {"10": {"activities": 5, "joined": False}},
             "C": {"10": {"activities": 2, "joined": True}},
             "D": {"10": {"activities": 0, "joined": False}}}
    cards = score_all(scheme(), facts)
    assert [pts(cards[u], "10") for u in "ABCD"] == [5, 2, 3, 0]


# ---- 四 信易贷, 六 红黑名单 ---------------------------------------------------------------------

def test_xinyidai_each_task_one_and_a_half():
    s = scheme()
    card = score(s, {"9": {"shared_credit_info": True, "registration": True,
                           "platform_service": True, "joint_modeling": False}})
    assert pts(card, "9") == D("4.5")
    assert pts(score(s, full_facts()), "9") == 6
    assert pts(score(s, {"13": {"realtime_push": "是"}}), "13") == 5
    assert pts(score(s, {"13": {"realtime_push": "否"}}), "13") == 0


# ---- 七 工作创新 --------------------------------------------------------------------------------

def test_innovation_per_item_caps():
    s = scheme()
    # 中央表扬每项4分；发改委新媒体每项1分最高3分；发改委信息每项1分；其他部门表彰每项1分最高2分
    assert pts(score(s, {"14": {"central_praise": 1}}), "14") == 4
    assert pts(score(s, {"14": {"ndrc_media": 5}}), "14") == 3
    assert pts(score(s, {"14": {"other_awards": 4}}), "14") == 2
    assert pts(score(s, {"14": {"ndrc_bulletin": 2, "ndrc_media": 1, "other_awards": 1}}),
               "14") == 4
    assert pts(score(s, {"14": {"central_praise": 2, "ndrc_media": 9, "other_awards": 9}}),
               "14") == 10  # 8+3+2 = 13, capped at the item's 10


# ---- 八 扣分情形, bands, downgrade -------------------------------------------------------------

def test_deductions_caps_and_bands():
    s = scheme()
    card = score(s, {**full_facts(), "八.1": {"cases": 1}})
    assert pts(card, "八.1") == -5 and card.total == 95 and card.band == "优秀"
    card = score(s, {**full_facts(), "八.1": {"cases": 3}, "八.2": {"cases": 1}})
    assert (pts(card, "八.1"), pts(card, "八.2")) == (-10, -5)  # 最高扣10分 each
    assert card.deductions == 15 and card.total == 85 and card.band == "良好"
    card = score(s, {**full_facts(), "八.1": {"cases": 4}, "八.2": {"cases": 4}})
    assert card.deductions == 20 and card.total == 80 and card.band == "良好"  # 市直最高扣20分
    card = score(s, {**full_facts(), "八.1": {"cases": 2}, "_events": ["重大失信事件"]})
    assert card.total == 90 and card.band_before_downgrade == "优秀" and card.band == "良好"


def test_grade_boundaries():
    s = scheme()
    assert [grade(s, D(v), [])[0] for v in ("90", "89.99", "80", "79.99", "60", "59.99")] == [
        "优秀", "良好", "良好", "一般", "一般", "较差"]
    assert grade(s, D("85"), ["major-dishonesty"])[:2] == ("一般", "良好")
    assert grade(s, D("30"), ["重大失信事件"])[0] == "较差"
