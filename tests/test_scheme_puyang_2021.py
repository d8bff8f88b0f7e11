"""濮阳市创建第三批社会信用体系建设示范城市工作台账 (seed 002, 濮信用〔2021〕3号).

12 基础指标 (gates), 评分指标 (100, of which 21 are a placeholder for rows missing in the OCR'd
original), 附加项 (bonus, 13). Worked numbers are the document's own thresholds.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from schemes.loader import scheme_by_id
from scoring.engine import score, score_all

ID = "puyang-2021-demo-city"
GATES = [f"基础{n}" for n in range(1, 13)]


def scheme():
    return scheme_by_id(ID)


def pts(card, code):
    return card.item(code).points


def approx(v):
    return pytest.approx(Decimal(str(v)), abs=Decimal("0.0001"))


# ---- shape ------------------------------------------------------------------------------------

def test_loads_with_header():
    s = scheme()
    assert s.id == ID
    assert s.year == 2021
    assert s.audience == "city"
    assert s.doc_number == "濮信用〔2021〕3号"
    assert s.issuer == "濮阳市社会信用体系建设工作联席会议办公室"
    assert s.base_total == 100
    assert s.bonus_cap == 13
    assert s.deduction_cap is None
    assert s.bands == []


def test_categories_add_up():
    s = scheme()
    base = [c for c in s.categories if c.section == "base"]
    assert [(c.code, c.max_points) for c in base] == [
        ("一", 5), ("二", 6), ("三", 6), ("四", 10), ("五", 25), ("六", 3), ("七", 18),
        ("八", 6), ("缺", 21)]
    assert sum(c.max_points for c in base) == 100
    for c in base:
        assert sum(i.max_points for i in c.indicators) == c.max_points, c.code
    # what the OCR'd table actually prints adds up to 79; the placeholder holds the other 21
    assert sum(c.max_points for c in base if c.code != "缺") == 79
    bonus = [c for c in s.categories if c.section == "bonus"]
    assert len(bonus) == 1 and bonus[0].max_points == 13
    assert [(i.code, i.max_points) for i in bonus[0].indicators] == [
        ("附加(一)", 5), ("附加(二)", 5), ("附加(三)", 3)]


def test_counts_and_codes():
    s = scheme()
    items = s.indicators()
    assert len(s.categories) == 11
    assert len(items) == 38
    assert sum(len(i.parts) for _, i in items) == 48
    codes = [i.code for _, i in items]
    assert len(set(codes)) == len(codes)
    assert codes[12:] == [
        "一", "二.1", "二.2", "三(一)", "三(二)", "四(一)", "四(二)", "四(三)", "四(四)",
        "五(一)", "五(二)", "五(三)", "五(四)", "五(五)", "五(六)", "六.1",
        "七(二)", "七(三)", "七(四)", "八.1", "八.2", "八.3", "六七缺",
        "附加(一)", "附加(二)", "附加(三)"]


def test_twelve_basic_gates():
    s = scheme()
    gate_cats = [c for c in s.categories if c.section == "gate"]
    assert len(gate_cats) == 1 and gate_cats[0].max_points is None
    inds = gate_cats[0].indicators
    assert [i.code for i in inds] == GATES
    for ind in inds:
        assert ind.max_points is None
        assert [p.kind for p in ind.parts] == ["pass_fail"]
        assert ind.gate is not None and ind.gate.kind == "basic"
        assert ind.gate.metric == ind.parts[0].metric
        assert [m.type for m in ind.metrics] == ["bool"]
        assert ind.evidence
        assert ind.lead or ind.responsible
    assert s.indicator("基础3").responsible == ["市中级人民法院"]
    assert s.indicator("基础6").responsible == ["濮阳银保监分局"]
    assert s.indicator("基础9").responsible == ["市发展改革委", "市财政局"]
    assert s.indicator("基础12").lead == ["市发展改革委"]
    assert s.indicator("基础12").responsible == ["出台失信约束制度的相关单位"]


def test_evidence_due_june_first():
    s = scheme()
    for _, ind in s.indicators():
        if ind.code == "六七缺":
            assert ind.due is None
            continue
        assert ind.evidence, ind.code
        assert ind.due is not None, ind.code
        assert ind.due.frequency == "once" and ind.due.date == dt.date(2021, 6, 1), ind.code


def test_units_as_printed():
    s = scheme()
    assert s.indicator("二.1").lead == ["市委宣传部", "市文明办"]
    assert s.indicator("三(二)").responsible == ["市委组织部"]
    assert s.indicator("四(一)").lead == ["市市场监管局"]
    assert s.indicator("四(四)").lead == ["市金融工作局"]
    assert "市处非办" in s.indicator("四(四)").responsible
    assert s.indicator("五(六)").lead == ["市发展改革委", "市委网信办", "市公安局"]
    assert s.indicator("八.2").responsible == ["市财政局", "市发展改革委"]
    assert "双公示" in s.indicator("五(二)").aliases
    assert "信易贷" in s.indicator("六.1").aliases


# ---- empty facts, gates ------------------------------------------------------------------------

# What the office finds and has not entered stands at nothing found (seed 002): 五(二) 信用修复
# 全部在3个工作日内办结得2分 + 全部合规办理得1分, 五(四) 可访问性好得2分 + 报告全部符合得4分, 五(六)
# 未发生信息安全事件得2分 — 11 points before anyone reports anything.
OFFICE_DEFAULTS = Decimal(11)


def test_no_facts_all_missing_but_what_the_office_has_found_nothing_of():
    card = score(scheme(), {})
    assert len(card.items) == 38
    assert {i.code for i in card.items if i.status != "missing"} == {"五(四)", "五(六)"}
    assert card.item("五(二)").points == 3 and card.item("五(二)").status == "missing"
    assert card.total == OFFICE_DEFAULTS and card.base == OFFICE_DEFAULTS and card.bonus == 0
    assert card.gates_passed is False


def test_all_gates_true_passes():
    facts = {g: {"passed": True} for g in GATES}
    card = score(scheme(), facts)
    assert card.gates_passed is True and card.counted is True
    assert all(card.item(g).gate_passed is True for g in GATES)


def test_one_gate_false_fails_but_base_still_computed():
    facts = {g: {"passed": "是"} for g in GATES}
    facts["基础7"] = {"passed": "否"}
    facts["三(二)"] = {"archive": True, "used_in_appraisal": True}
    facts["八.1"] = {"leadership": True}
    card = score(scheme(), facts)
    assert card.gates_passed is False and card.counted is False
    assert card.item("基础7").gate_passed is False
    assert card.item("基础7").points is None
    assert card.base == Decimal(4) + OFFICE_DEFAULTS
    assert card.total == Decimal(4) + OFFICE_DEFAULTS


# ---- rule kinds with the document's numbers ----------------------------------------------------

def test_discretionary_capped():
    s = scheme()
    card = score(s, {"一": {"points": 6, "_reason": "机制健全"}, "二.1": {"points": 2.5},
                     "五(五)": {"points": 1}})
    assert pts(card, "一") == approx(5)
    assert "机制健全" in card.item("一").explain
    assert pts(card, "二.1") == approx(2.5)
    assert pts(card, "五(五)") == approx(1)


def test_checklists():
    s = scheme()
    card = score(s, {"三(二)": {"archive": True, "used_in_appraisal": False},
                     "八.2": {"funding": "是"},
                     "六.1": {"docked": True}})
    assert pts(card, "三(二)") == approx(1)
    assert pts(card, "八.2") == approx(2)
    assert pts(card, "六.1") == approx(3)


def test_info_sharing_each_class_one_point_max_seven():
    classes = ["social_security", "tax", "housing_fund", "water", "power", "gas", "logistics", "ip"]
    s = scheme()
    card = score(s, {"五(三)": {c: True for c in classes}})
    assert pts(card, "五(三)") == approx(7)  # 8 classes shared, capped at 7
    three = {c: (i < 3) for i, c in enumerate(classes)}
    assert pts(score(s, {"五(三)": three}), "五(三)") == approx(3)


@pytest.mark.parametrize("share, expected", [
    (0.5, 1), (0.49, 0.5), (0.2, 0.5), (0.19, 0), (0.8, 1)])
def test_bands_50_20_percent(share, expected):
    card = score(scheme(), {"四(一)": {"platform": False, "dept_share": share, "bank_share": 0}})
    assert card.item("四(一)").parts[1].points == approx(expected)
    assert pts(card, "四(一)") == approx(expected)


def test_bands_yes_no_tiers():
    s = scheme()
    clean = {"interfered": "否", "restricted": "否", "misguided": "否", "obstructed": "否"}
    assert pts(score(s, {"四(三)": clean}), "四(三)") == approx(2)
    assert pts(score(s, {"四(三)": {**clean, "misguided": "是"}}), "四(三)") == approx(0)
    assert pts(score(s, {"四(四)": {"major_risk": "否"}}), "四(四)") == approx(2)
    assert pts(score(s, {"四(四)": {"major_risk": "是"}}), "四(四)") == approx(0)
    assert pts(score(s, {"五(六)": {"incident": False}}), "五(六)") == approx(2)
    assert pts(score(s, {"五(六)": {"incident": True}}), "五(六)") == approx(0)


@pytest.mark.parametrize("objections, expected", [
    (1, 2),      # 十万分之一（含）: 2分
    (0, 2),
    (3, 1),      # 十万分之三: 按比例 2×(5−3)/4 = 1
    (4, 0.5),
    (5, 0),
    (6, 0),      # 大于十万分之五: 0分
])
def test_double_publicity_objection_ratio_piecewise(objections, expected):
    facts = {"五(二)": {"objections": objections, "published": 100000}}
    card = score(scheme(), facts)
    assert card.item("五(二)").parts[0].points == approx(expected)


@pytest.mark.parametrize("days, expected", [(5, 2), (4, 2), (6, 1.6), (7, 1.2), (10, 0), (12, 0)])
def test_objection_days_minus_04_per_day(days, expected):
    card = score(scheme(), {"五(二)": {"objection_days": days}})
    assert card.item("五(二)").parts[1].points == approx(expected)


def test_double_publicity_repair_parts_and_total():
    facts = {"五(二)": {"objections": 1, "published": 100000, "objection_days": 5,
                       "repair_overdue": 0, "repair_irregular": 0, "same_day_sync": True}}
    s = scheme()
    assert pts(score(s, facts), "五(二)") == approx(8)
    facts["五(二)"].update(repair_overdue=1, repair_irregular=1, same_day_sync=False)
    card = score(s, facts)
    assert [p.points for p in card.item("五(二)").parts[2:]] == [approx(1), approx(0.5), approx(0)]
    assert pts(card, "五(二)") == approx(5.5)
    facts["五(二)"].update(repair_overdue=3, repair_irregular=5)
    card = score(s, facts)
    assert [p.points for p in card.item("五(二)").parts[2:4]] == [approx(0), approx(0)]


@pytest.mark.parametrize("count, expected", [(0, 4), (1, 2), (2, 0), (3, 0)])
def test_public_bodies_unrectified_minus_2_floor_0(count, expected):
    assert pts(score(scheme(), {"三(一)": {"unrectified": count}}), "三(一)") == approx(expected)


@pytest.mark.parametrize("rate, expected", [(0, 1), (1, 0.9), (3, 0.7), (10, 0), (15, 0)])
def test_credit_code_error_rate_per_100k(rate, expected):
    assert pts(score(scheme(), {"五(一)": {"error_rate": rate}}), "五(一)") == approx(expected)


def test_portal_deductions():
    s = scheme()
    card = score(s, {"五(四)": {"outages": 0, "bad_reports": 0}})
    assert pts(card, "五(四)") == approx(6)
    card = score(s, {"五(四)": {"outages": 3, "bad_reports": 1}})
    assert pts(card, "五(四)") == approx(0.5 + 3)
    card = score(s, {"五(四)": {"outages": 5, "bad_reports": 6}})
    assert pts(card, "五(四)") == approx(0)


def test_exit_rate_proportional():
    s = scheme()
    card = score(s, {"七(四)": {"repeat_exit": 1, "agency_exit": 0}})
    assert pts(card, "七(四)") == approx(2)
    card = score(s, {"七(四)": {"repeat_exit": 0.5, "agency_exit": 0.75}})
    assert pts(card, "七(四)") == approx(1 + 1.5)


def test_rural_coverage_two_decimals_and_requires_system():
    s = scheme()
    facts = {"四(二)": {"urbanization": 0.6, "local_system": True, "provincial_system": False,
                       "farmers_covered": 12345, "farmers_total": 20000,
                       "agri_covered": 300, "agri_total": 300}}
    card = score(s, facts)
    parts = card.item("四(二)").parts
    assert parts[0].points == approx(1)
    assert parts[1].points == approx(0.62)  # 0.61725 保留两位小数
    assert parts[2].points == approx(1)
    assert pts(card, "四(二)") == approx(2.62)
    facts["四(二)"].update(local_system=False)
    card = score(s, facts)
    assert pts(card, "四(二)") == approx(0)  # 均未建立系统: 覆盖率也不得分


@pytest.mark.parametrize("covered, total, expected", [
    (1, 8, 0.13),        # 0.125: 保留两位小数按四舍五入，不是银行家舍入的0.12
    (123, 200, 0.62),    # 0.615 in binary is 0.61499…; still 0.62
    (3, 8, 0.38),
    (2, 3, 0.67),
    (12345, 20000, 0.62),
])
def test_rural_coverage_rounds_half_up(covered, total, expected):
    facts = {"四(二)": {"urbanization": 0.5, "local_system": False, "provincial_system": True,
                       "farmers_covered": covered, "farmers_total": total,
                       "agri_covered": covered, "agri_total": total}}
    parts = score(scheme(), facts).item("四(二)").parts
    assert parts[1].points == approx(expected)
    assert parts[2].points == approx(expected)


def test_rural_rule_encoded_as_applies_and_transfer():
    ind = scheme().indicator("四(二)")
    assert ind.applies is not None
    assert ind.applies.expr == "urbanization < 0.9"  # 高于90%（含）不适用
    assert ind.applies.transfer_to == "四(一)"
    assert "90%" in ind.applies.text and "6分" in ind.applies.text


@pytest.mark.parametrize("rate, applies", [(0.92, False), (0.9, False), (0.89, True)])
def test_urbanization_90_moves_rural_points_to_enterprise_sharing(rate, applies):
    facts = {"四(一)": {"platform": True, "dept_share": 0.6, "bank_share": 0.3},
             "四(二)": {"urbanization": rate, "local_system": True, "provincial_system": True,
                       "farmers_covered": 1, "farmers_total": 1, "agri_covered": 1,
                       "agri_total": 2}}
    card = score(scheme(), facts)
    if applies:
        assert card.item("四(二)").status == "scored"
        assert pts(card, "四(二)") == approx(2.5)
        assert card.item("四(一)").max_points == 3
        assert pts(card, "四(一)") == approx(2.5)
    else:
        assert card.item("四(二)").status == "not_applicable"
        assert card.item("四(一)").max_points == 6
        assert pts(card, "四(一)") == approx(5)  # 各细项满分2分: (1+1+0.5)×2


@pytest.mark.parametrize("code, metric, value, expected", [
    ("七(二)", "fields", 3, 1.5),
    ("七(二)", "fields", 14, 7),
    ("七(二)", "fields", 20, 7),
    ("七(三)", "fields", 6, 6),
    ("七(三)", "fields", 9, 7),
    ("附加(三)", "practices", 2, 2),
    ("附加(三)", "practices", 5, 3),
])
def test_per_item_caps(code, metric, value, expected):
    assert pts(score(scheme(), {code: {metric: value}}), code) == approx(expected)


def test_printed_names_and_placeholder_notes():
    s = scheme()
    assert s.indicator("三(一)").name == "事业单位信用状况"  # as printed: (一)事业单位信用状况(4分)
    assert s.indicator("三(一)").note
    six = next(c for c in s.categories if c.code == "六")
    assert six.name == "“信易贷”工作" and "缺失" in six.note
    seven = next(c for c in s.categories if c.code == "七")
    assert "（一）整行缺失" in seven.note
    gap = s.indicator("六七缺")
    assert gap.max_points == 21 and [p.kind for p in gap.parts] == ["discretionary"]
    assert not gap.lead and not gap.responsible  # no liaison is asked for it
    assert "79" in s.note and "21" in s.note
    assert s.indicator("基础5").note  # 自带 → 自建; the 四种情况 paragraph


def test_bonus_cap_is_the_sum_of_the_printed_items():
    # 原文未写附加项总上限：三项 5+5+3 = 13 全部可得
    s = scheme()
    assert s.bonus_cap == 13
    bonus = [c for c in s.categories if c.section == "bonus"][0]
    assert sum(i.max_points for i in bonus.indicators) == s.bonus_cap
    card = score(s, {"附加(一)": {"city_law": True}, "附加(二)": {"tracking": False},
                     "附加(三)": {"practices": 2}})
    assert card.bonus == approx(7)


def test_aliases_short_unique_and_resolve():
    from bot.parse import find_indicator
    s = scheme()
    seen = {}
    for _, ind in s.indicators():
        assert 1 <= len(ind.aliases) <= 3, ind.code
        for a in ind.aliases:
            assert a not in seen, (a, ind.code, seen.get(a))
            seen[a] = ind.code
            assert find_indicator(s, a, fuzzy=False).code == ind.code
    assert find_indicator(s, "信易贷").code == "六.1"
    assert find_indicator(s, "双公示").code == "五(二)"
    assert find_indicator(s, "农村信用").code == "四(二)"


def test_bonus_capped_and_added():
    facts = {"附加(一)": {"city_law": True}, "附加(二)": {"tracking": True},
             "附加(三)": {"practices": 4}, "八.3": {"division": True}}
    card = score(scheme(), facts)
    assert card.bonus == approx(13)
    assert card.base == approx(2 + OFFICE_DEFAULTS)
    assert card.total == approx(15 + OFFICE_DEFAULTS)


def full_marks() -> dict:
    classes = ["social_security", "tax", "housing_fund", "water", "power", "gas", "logistics", "ip"]
    facts = {g: {"passed": True} for g in GATES}
    facts.update({
        "一": {"points": 5}, "二.1": {"points": 3}, "二.2": {"points": 3},
        "三(一)": {"unrectified": 0}, "三(二)": {"archive": True, "used_in_appraisal": True},
        "四(一)": {"platform": True, "dept_share": 0.7, "bank_share": 0.5},
        "四(二)": {"urbanization": 0.55, "local_system": True, "provincial_system": True,
                  "farmers_covered": 100, "farmers_total": 100, "agri_covered": 50,
                  "agri_total": 50},
        "四(三)": {"interfered": False, "restricted": False, "misguided": False,
                  "obstructed": False},
        "四(四)": {"major_risk": False},
        "五(一)": {"error_rate": 0},
        "五(二)": {"objections": 0, "published": 5000, "objection_days": 3, "repair_overdue": 0,
                  "repair_irregular": 0, "same_day_sync": True},
        "五(三)": {c: True for c in classes},
        "五(四)": {"outages": 0, "bad_reports": 0},
        "五(五)": {"points": 1},
        "五(六)": {"incident": False},
        "六.1": {"docked": True},
        "七(二)": {"fields": 14}, "七(三)": {"fields": 7},
        "七(四)": {"repeat_exit": 1, "agency_exit": 1},
        "八.1": {"leadership": True}, "八.2": {"funding": True}, "八.3": {"division": True},
    })
    return facts


def test_full_marks_on_printed_items_is_79_then_100():
    s = scheme()
    facts = full_marks()
    card = score(s, facts)
    assert card.gates_passed is True
    assert card.base == approx(79)
    assert card.item("六七缺").status == "missing"
    facts["六七缺"] = {"points": 21}
    card = score(s, facts)
    assert card.base == approx(100) and card.total == approx(100)
    assert all(i.points == i.max_points for i in card.items if i.section == "base")


def test_score_all_ranks_totals_with_tie():
    s = scheme()
    a = full_marks()
    b = full_marks()
    c = {"一": {"points": 2}}
    cards = score_all(s, {"濮阳": a, "对照甲": b, "对照乙": c})
    assert cards["濮阳"].total == cards["对照甲"].total == approx(79)
    assert (cards["濮阳"].rank, cards["对照甲"].rank, cards["对照乙"].rank) == (1, 1, 3)
    assert cards["对照乙"].rank_of == 3 and cards["对照乙"].total == approx(2 + OFFICE_DEFAULTS)
