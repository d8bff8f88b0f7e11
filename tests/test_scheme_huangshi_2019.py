"""黄石市社会信用体系建设示范城市评估指标任务分解清单（2019年参考版，黄信用办〔2019〕1号）as data.

Worked numbers come from the document itself (不良贷款率, 执结率, 兑现率, 非法集资增长率, 行政干预,
政府失信事件, 近6期监测得分平均值*0.01, 每1个领域0.1/0.2分, 司法5类人群 0.15+0.15+0.3 …).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from schemes.loader import scheme_by_id
from scoring.engine import score, score_all

SCHEME_ID = "huangshi-2019-demo-city"
VETO_CODES = {"八.1", "八.2", "三.2", "八.3", "八.5", "十.8", "十.6", "十.7", "十.1", "三.3"}


@pytest.fixture(scope="module")
def scheme():
    return scheme_by_id(SCHEME_ID)


def item(card, code):
    return next(i for i in card.items if i.code == code)


def pts(scheme, code, values):
    """Points as float (for pytest.approx); exact Decimal checks read the card directly."""
    p = item(score(scheme, {code: values}), code).points
    return None if p is None else float(p)


def approx(v):
    return pytest.approx(v, abs=1e-4)


# ---- shape --------------------------------------------------------------------------------------

def test_loads_with_header(scheme):
    assert scheme.id == SCHEME_ID
    assert scheme.audience == "city"
    assert scheme.year == 2019
    assert scheme.doc_number == "黄信用办〔2019〕1号"
    assert scheme.issuer == "黄石市社会信用体系建设领导小组办公室"
    assert scheme.bands == []


def test_totals_and_caps(scheme):
    assert scheme.base_total == Decimal(100)
    assert scheme.bonus_cap == Decimal(10)
    assert scheme.deduction_cap is None
    base = [c for c in scheme.categories if c.section == "base"]
    assert [c.code for c in base] == ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"]
    assert [int(c.max_points) for c in base] == [4, 4, 6, 6, 6, 6, 10, 17, 14, 22, 5]
    for c in base:
        assert sum(i.max_points for i in c.indicators) == c.max_points, c.name
    assert sum(c.max_points for c in base) == Decimal(100)
    bonus = [c for c in scheme.categories if c.section == "bonus"]
    assert len(bonus) == 1 and bonus[0].max_points == Decimal(10)


def test_ten_veto_gates(scheme):
    vetoes = {i.code for _, i in scheme.indicators() if i.gate}
    assert vetoes == VETO_CODES
    for _, ind in scheme.indicators():
        if ind.gate:
            assert ind.gate.kind == "veto" and ind.gate.metric == "veto_ok"


def test_due_dates(scheme):
    for cat, ind in scheme.indicators():
        assert ind.due is not None and ind.due.frequency == "once", ind.code
        if cat.section == "tasks":
            assert ind.due.date == dt.date(2019, 1, 18)
        else:
            assert ind.due.date == dt.date(2019, 2, 15)


def test_roster_task(scheme):
    card = score(scheme, {"回执": {"progress": "已于1月17日报送"}})
    roster = item(card, "回执")
    assert roster.status == "reported" and roster.points is None
    # 三.2 无政府重大失信事件得2分: the events are the office's to enter (根据中经网信息考核), none yet
    assert card.total == Decimal(2)


def test_veto_mapping_is_marked_as_from_the_national_list(scheme):
    # The OCR lost the numbers in the boxes: the document shows only that these ten bullets are boxed.
    # Which boxed bullets are 1-10 comes from the national 示范城市评审硬指标 list, and every veto says so.
    assert "第三方转载件" in scheme.note and "27条带方框" in scheme.note
    for _, ind in scheme.indicators():
        if ind.gate:
            assert "国家《示范城市评审硬指标》" in ind.note, ind.code
            assert "序号不可辨" in ind.note, ind.code
            label = next(m.label for m in ind.metrics if m.name == "veto_ok")
            assert label.startswith("一票否决：") and "硬指标" not in label, ind.code


def test_responsible_units_follow_the_last_column(scheme):
    def resp(code):
        ind = scheme.indicator(code)
        return ind.lead, ind.responsible
    for code in ("四.1", "四.4", "五.1", "五.3"):  # 市信用信息中心 is only in 落实路径
        assert "市信用信息中心" not in resp(code)[1], code
    assert resp("四.1")[1][0] == "市农业局" and resp("五.1")[1][-1] == "市网信办"
    for code in ("六.1", "六.2", "六.3"):  # one cell for the whole of 六
        assert resp(code)[1] == ["市法院", "市司法局", "市信用信息中心", "市大数据公司"], code
    assert resp("三.2") == ([], ["县（市）区人民政府", "市直各部门"])
    assert resp("十.7") == ([], ["市信用办", "县（市）区人民政府", "市直相关部门"])
    assert resp("十.6")[1] == ["市信用办", "市法院", "市工商局", "市税务局"]
    assert resp("十.1")[0] == ["市工商局"] and "市人防办" in resp("十.1")[1]
    assert "市大数据公司" not in resp("十.1")[1]
    for code in ("十.2", "十.3", "十.4", "十.5"):
        r = resp(code)[1]
        assert "市信用办" not in r and r[0] == "市法院" and len(r) == len(set(r)), code
    assert resp("二.1")[0] == ["市信用办", "市文明办"]
    assert resp("九.2") == ([], ["县（市）区人民政府", "市直相关单位"])
    assert resp("八.5")[1] == ["具有行政权力的各级部门（含县市区）"]


def test_aliases_short_unique_and_not_generic(scheme):
    seen = {}
    for _, ind in scheme.indicators():
        assert 1 <= len(ind.aliases) <= 3, ind.code
        for a in ind.aliases:
            assert a not in seen, (a, ind.code, seen.get(a))
            seen[a] = ind.code
    # words that name several indicators must not be claimed by one (the bot then asks which)
    for generic in ("联合奖惩", "诚信档案", "金融风险", "考核", "创新", "红黑名单", "信用记录"):
        assert generic not in seen, generic


def test_every_indicator_has_responsible_units(scheme):
    for _, ind in scheme.indicators():
        assert ind.lead or ind.responsible, ind.code
        assert ind.evidence, ind.code


def test_no_urbanization_rule_in_this_document(scheme):
    # The 城镇化率≥90% → 农村信用不适用 rule is not in 黄信用办〔2019〕1号 (no 农村信用 indicator).
    assert all(ind.applies is None for _, ind in scheme.indicators())
    assert "城镇化率" in scheme.note


# ---- piecewise (七 金融生态环境) ----------------------------------------------------------------

@pytest.mark.parametrize("rate, expected", [
    (0.03, 2 / 3 * (5 - 3)),  # 1.3333
    (0.0199, 2), (0.01, 2),    # < 2% -> 2
    (0.02, 2), (0.049, 2 / 3 * 0.1),
    (0.05, 0), (0.08, 0),      # ≥ 5% -> 0
])
def test_npl_rate(scheme, rate, expected):
    assert pts(scheme, "七.1", {"npl_rate": rate}) == approx(expected)


def test_npl_rate_3_percent_exact(scheme):
    assert item(score(scheme, {"七.1": {"npl_rate": 0.03}}), "七.1").points == Decimal("1.3333")


@pytest.mark.parametrize("rate, expected", [(0.8, 1), (0.95, 1), (0.4, 0.5), (0.79, 0.9875), (0, 0)])
def test_closure_rate(scheme, rate, expected):
    assert pts(scheme, "七.3", {"closure_rate": rate}) == approx(expected)


@pytest.mark.parametrize("rate, expected", [(0.7, 1), (1.0, 1), (0.35, 0.5), (0, 0)])
def test_recovery_rate(scheme, rate, expected):
    assert pts(scheme, "七.4", {"recovery_rate": rate}) == approx(expected)


@pytest.mark.parametrize("growth, expected", [(-0.2, 1), (0, 1), (0.25, 0.5), (0.49, 0.02), (0.5, 0), (1.2, 0)])
def test_illegal_fundraising_growth(scheme, growth, expected):
    assert pts(scheme, "七.5", {"growth": growth}) == approx(expected)


# ---- bands (是/否 tiers) --------------------------------------------------------------------------

def test_major_regional_risk(scheme):
    assert pts(scheme, "七.2", {"major_risk": "是"}) == approx(0)
    assert pts(scheme, "七.2", {"major_risk": "否"}) == approx(2)


def test_administrative_interference_any_yes_gives_zero(scheme):
    none = {"induce": "否", "quota": "否", "restrict_flow": "否"}
    assert pts(scheme, "七.6", none) == approx(1)
    for key in none:
        assert pts(scheme, "七.6", {**none, key: "是"}) == approx(0)
    assert pts(scheme, "七.8", {"no_division": False, "no_emergency": False, "no_duty": False,
                                "failed_disposal": False}) == approx(1)
    assert pts(scheme, "七.8", {"no_division": False, "no_emergency": True, "no_duty": False,
                                "failed_disposal": False}) == approx(0)


def test_personal_credit_score_coverage(scheme):
    def cov(n):
        return pts(scheme, "九.1", {"scored_persons": n, "hukou_population": 1000})
    assert cov(500) == approx(0)      # 须超过50%
    assert cov(501) == approx(1.5)
    assert cov(600) == approx(2)      # 每多10%加0.5分
    assert cov(790) == approx(2.5)
    assert cov(1000) == approx(4)     # 最高4分


# ---- deduction from a base ----------------------------------------------------------------------

@pytest.mark.parametrize("events, expected", [(0, 2), (1, 1.5), (2, 1), (4, 0), (7, 0)])
def test_government_dishonesty_events(scheme, events, expected):
    # 细则(3)：2018.12.15—2019.3.15 每新增1件政府失信事件减0.5分
    assert pts(scheme, "三.2", {"open_events": 0, "new_events": events, "veto_ok": True}) == approx(expected)


def test_unrectified_government_events_also_deduct(scheme):
    # 评分标准：每增加1件未整改到位的政府失信事件减0.5分（截至12月15日未整改到位的 + 窗口内新增的）
    assert pts(scheme, "三.2", {"open_events": 1, "new_events": 0}) == approx(1.5)
    assert pts(scheme, "三.2", {"open_events": 1, "new_events": 2}) == approx(0.5)
    assert pts(scheme, "三.2", {"open_events": 3, "new_events": 2}) == approx(0)  # 减至0为止
    # the events are found by the office (根据中经网信息考核): none entered, none found, 得2分
    card = item(score(scheme, {}), "三.2")
    assert card.points == Decimal(2) and not card.missing
    assert "信用办未录入，按0件计" in card.explain


def test_code_conversion_and_duplicates(scheme):
    assert pts(scheme, "八.1", {"conversion_rate": 1.0}) == approx(1)
    assert pts(scheme, "八.1", {"conversion_rate": 0.98}) == approx(0.6)   # 每降低1%减0.2分
    assert pts(scheme, "八.1", {"conversion_rate": 0.93}) == approx(0)     # floored at 0
    assert pts(scheme, "八.2", {"dup_rate": 0}) == approx(1)
    assert pts(scheme, "八.2", {"dup_rate": 0.0003}) == approx(0.7)        # 每增加0.01%减0.1分


def test_halls_units_and_double_disclosure(scheme):
    assert pts(scheme, "八.3", {"halls_unconnected": 0}) == approx(3)
    assert pts(scheme, "八.3", {"halls_unconnected": 2}) == approx(1)
    assert pts(scheme, "八.4", {"units_unconnected": 3}) == approx(2.5)
    assert pts(scheme, "八.4", {"units_unconnected": 9}) == approx(0)
    assert pts(scheme, "八.5", {"disclosure_rate": 1.0}) == approx(2)
    assert pts(scheme, "八.5", {"disclosure_rate": 0.95}) == approx(1)


# ---- formulas -----------------------------------------------------------------------------------

def test_credit_monitoring(scheme):
    # 近6期监测得分平均值*0.01，最高1分 + 延伸至县市区且有规划 1分
    assert pts(scheme, "三.3", {"extended": "是", "planned": "是", "monitor_avg": 85.5}) == approx(1.855)
    assert pts(scheme, "三.3", {"extended": "是", "planned": "否", "monitor_avg": 85.5}) == approx(0.855)
    assert pts(scheme, "三.3", {"extended": "是", "planned": "是", "monitor_avg": 130}) == approx(2)


def test_civil_servant_files(scheme):
    # 比例得分最高1分 + 用于干部考核酌情最高1分
    assert pts(scheme, "三.1", {"servants_filed": 8000, "servants_total": 10000, "use_points": 0.6}) == approx(1.4)
    assert pts(scheme, "三.1", {"servants_filed": 10000, "servants_total": 10000, "use_points": 3}) == approx(2)


def test_judicial_people_and_orgs(scheme):
    full = {"people_filed": 5, "people_graded": 5, "orgs_filed": 4, "orgs_graded": 4}
    assert pts(scheme, "六.1", full) == approx(3)  # 0.75+0.75+0.3 = 1.8, plus 1.2
    assert pts(scheme, "六.1", {**full, "orgs_filed": 0, "orgs_graded": 0}) == approx(1.8)
    # 5类建档、4类分级监管：no +0.3 bonus
    assert pts(scheme, "六.1", {"people_filed": 5, "people_graded": 4, "orgs_filed": 0,
                                "orgs_graded": 0}) == approx(1.35)
    assert pts(scheme, "六.1", {"people_filed": 2, "people_graded": 1, "orgs_filed": 3,
                                "orgs_graded": 1}) == approx(0.45 + 0.6)


def test_credit_supervision_formulas(scheme):
    assert pts(scheme, "九.3", {"depts_tolerant": 15, "depts_approval": 30}) == approx(1)
    assert pts(scheme, "九.4", {"loans": 2_500_000_000, "entities": 50_000}) == approx(1)  # 5万元/户*0.002%
    assert pts(scheme, "九.4", {"loans": 10_000_000_000, "entities": 50_000}) == approx(2)
    assert pts(scheme, "十.2", {"linked": 30, "unit_records": 40}) == approx(1.5)
    assert pts(scheme, "十.3", {"fields": 30}) == approx(0.75)
    assert pts(scheme, "十.3", {"fields": 50}) == approx(1)
    assert pts(scheme, "十.5", {"cases": 60, "redblack_operating": 200}) == approx(1.5)
    assert pts(scheme, "十.6", {"exited": 30, "blacklist_operating": 100, "veto_ok": True}) == approx(1.5)
    assert pts(scheme, "十.7", {"trained": 50, "blacklist_operating": 100, "veto_ok": True}) == approx(1)
    assert pts(scheme, "十.8", {"submitted": 80, "subjects": 100, "veto_ok": True}) == approx(4)
    assert pts(scheme, "八.6", {"m": 3}) == approx(1.5)
    assert pts(scheme, "八.6", {"m": 5}) == approx(2)
    assert pts(scheme, "八.7", {"n": 0.012}) == approx(1.2)


def test_commitment_coverage(scheme):
    facts = {"active_commit": 900, "selfreg_commit": 100, "new_entities": 2000, "substitute_items": 19,
             "tolerant_items": 50, "approval_items": 100, "repair_commit": 10,
             "blacklist_operating": 100, "veto_ok": True}
    assert pts(scheme, "十.1", facts) == approx(0.5 + 1 + 0.5 + 0.1)
    full = {**facts, "active_commit": 1900, "tolerant_items": 100, "repair_commit": 100}
    assert pts(scheme, "十.1", full) == approx(4)


def test_division_by_zero_scores_zero(scheme):
    card = item(score(scheme, {"九.3": {"depts_tolerant": 1, "depts_approval": 0}}), "九.3")
    assert card.points == Decimal(0)


# ---- per item -----------------------------------------------------------------------------------

def test_commerce_and_social_fields(scheme):
    # 每1个领域建立信用记录/公示 0.1分，红黑名单/分级监管 0.2分（10个领域）
    assert pts(scheme, "四.1", {"fields": 7}) == approx(0.7)
    assert pts(scheme, "四.2", {"fields": 10}) == approx(1)
    assert pts(scheme, "四.3", {"fields": 4}) == approx(0.8)
    assert pts(scheme, "四.4", {"fields": 12}) == approx(2)  # capped
    assert pts(scheme, "五.3", {"fields": 10}) == approx(2)
    assert pts(scheme, "五.1", {"fields": 3}) == approx(0.3)


def test_special_governance_fields(scheme):
    assert pts(scheme, "二.2", {"fields": 15, "other_fields": 0}) == approx(1.5)
    assert pts(scheme, "二.2", {"fields": 15, "other_fields": 5}) == approx(1.8)  # 其他领域最多3个
    assert pts(scheme, "二.2", {"fields": 20, "other_fields": 3}) == approx(2)


def test_innovation_and_disclosure(scheme):
    assert pts(scheme, "九.2", {"fields": 8}) == approx(2.4)
    assert pts(scheme, "九.2", {"fields": 25}) == approx(6)
    assert pts(scheme, "六.2", {"kinds": 3}) == approx(0.75)
    assert pts(scheme, "十.4", {"fields": 25}) == approx(2)


# ---- checklist / discretionary ------------------------------------------------------------------

def test_checklists(scheme):
    assert pts(scheme, "二.1", {"relay": "否", "education": "是", "companies": "否"}) == approx(2)  # 有其一即可
    assert pts(scheme, "二.1", {"relay": "是", "education": "是", "companies": "是"}) == approx(2)
    assert pts(scheme, "二.1", {"relay": "否", "education": "否", "companies": "否"}) == approx(0)
    assert pts(scheme, "十一.3", {"tasks": True, "units": True, "schedule": False}) == approx(0.8)
    assert pts(scheme, "十一.4", {"notice": True, "results": False}) == approx(0.5)
    assert pts(scheme, "六.3", {"identified": True, "shared": True}) == approx(2)


def test_discretionary_within_max(scheme):
    assert pts(scheme, "一.1", {"points": 3.5}) == approx(3.5)
    assert pts(scheme, "一.1", {"points": 9}) == approx(4)
    assert pts(scheme, "八.8", {"points": 1.5}) == approx(1.5)


def test_bonus_capped(scheme):
    card = score(scheme, {"附加.1": {"points": 14}})
    assert card.bonus == Decimal(10)
    assert card.total == Decimal(12)  # 10 + 三.2's 2 (no 政府失信事件 entered by the office)


# ---- gates and totals ---------------------------------------------------------------------------

def full_facts(veto_ok=True):
    return {
        "一.1": {"points": 4},
        "二.1": {"relay": True, "education": True, "companies": True},
        "二.2": {"fields": 20, "other_fields": 0},
        "三.1": {"servants_filed": 100, "servants_total": 100, "use_points": 1},
        "三.2": {"open_events": 0, "new_events": 0, "veto_ok": veto_ok},
        "三.3": {"extended": True, "planned": True, "monitor_avg": 100, "veto_ok": True},
        "四.1": {"fields": 10}, "四.2": {"fields": 10}, "四.3": {"fields": 10}, "四.4": {"fields": 10},
        "五.1": {"fields": 10}, "五.2": {"fields": 10}, "五.3": {"fields": 10}, "五.4": {"fields": 10},
        "六.1": {"people_filed": 5, "people_graded": 5, "orgs_filed": 4, "orgs_graded": 4},
        "六.2": {"kinds": 4},
        "六.3": {"identified": True, "shared": True},
        "七.1": {"npl_rate": 0.015},
        "七.2": {"major_risk": False},
        "七.3": {"closure_rate": 0.85},
        "七.4": {"recovery_rate": 0.75},
        "七.5": {"growth": -0.1},
        "七.6": {"induce": False, "quota": False, "restrict_flow": False},
        "七.7": {"weak_supervision": False, "no_statistics": False, "major_incident": False},
        "七.8": {"no_division": False, "no_emergency": False, "no_duty": False, "failed_disposal": False},
        "八.1": {"conversion_rate": 1, "veto_ok": True},
        "八.2": {"dup_rate": 0, "veto_ok": True},
        "八.3": {"halls_unconnected": 0, "veto_ok": True},
        "八.4": {"units_unconnected": 0},
        "八.5": {"disclosure_rate": 1, "veto_ok": True},
        "八.6": {"m": 4}, "八.7": {"n": 0.02}, "八.8": {"points": 2},
        "九.1": {"scored_persons": 100, "hukou_population": 100},
        "九.2": {"fields": 20},
        "九.3": {"depts_tolerant": 30, "depts_approval": 30},
        "九.4": {"loans": 10_000_000_000, "entities": 50_000},
        "十.1": {"active_commit": 2000, "selfreg_commit": 0, "new_entities": 2000, "substitute_items": 19,
                 "tolerant_items": 100, "approval_items": 100, "repair_commit": 50,
                 "blacklist_operating": 50, "veto_ok": True},
        "十.2": {"linked": 10, "unit_records": 10},
        "十.3": {"fields": 40},
        "十.4": {"fields": 20},
        "十.5": {"cases": 100, "redblack_operating": 100},
        "十.6": {"exited": 60, "blacklist_operating": 100, "veto_ok": True},
        "十.7": {"trained": 100, "blacklist_operating": 100, "veto_ok": True},
        "十.8": {"submitted": 100, "subjects": 100, "veto_ok": True},
        "十一.1": {"leadership": True}, "十一.2": {"funding": True},
        "十一.3": {"tasks": True, "units": True, "schedule": True},
        "十一.4": {"notice": True, "results": True}, "十一.5": {"pilots": True},
        "附加.1": {"points": 6},
        "回执": {"progress": "已报送"},
    }


def test_full_marks_and_gates_pass(scheme):
    card = score(scheme, full_facts())
    assert card.base == Decimal(100)
    assert card.bonus == Decimal(6)
    assert card.total == Decimal(106)
    assert card.gates_passed is True
    for it in card.items:
        if it.section == "base":
            assert it.points == it.max_points, it.code


def test_veto_failing_makes_gates_fail(scheme):
    card = score(scheme, full_facts(veto_ok=False))
    assert item(card, "三.2").gate_passed is False
    assert card.gates_passed is False
    assert card.base == Decimal(100)  # points still shown; the card says the total does not count


def test_veto_not_reported_makes_gates_fail(scheme):
    facts = full_facts()
    del facts["十.8"]["veto_ok"]
    card = score(scheme, facts)
    assert item(card, "十.8").gate_passed is None
    assert card.gates_passed is False


def test_empty_facts(scheme):
    card = score(scheme, {})
    for it in card.items:
        assert it.status == "missing", it.code
    # only 三.2 scores: 无政府重大失信事件得2分 until the office enters an event
    assert card.total == Decimal(2)
    assert card.base == Decimal(2)
    assert card.gates_passed is False


def test_score_all_ranks_cities(scheme):
    a = full_facts()
    b = full_facts()
    b["七.1"] = {"npl_rate": 0.03}  # 1.3333 instead of 2
    c = full_facts()
    c["七.1"] = {"npl_rate": 0.03}
    cards = score_all(scheme, {"甲": a, "乙": b, "丙": c})
    assert cards["甲"].total == Decimal(106)
    assert float(cards["乙"].total) == approx(106 - 2 + 4 / 3)
    assert cards["甲"].rank == 1
    assert cards["乙"].rank == cards["丙"].rank == 2  # tie shares the better rank
