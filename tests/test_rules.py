"""Every rule kind, with the documents' own numbers: small inline schemes (`load_text`) and the
shipped ones. Points are Decimal; the explanation is Chinese and names inputs and points."""
from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from schemes.loader import SchemeError, load_text, scheme_by_id, shipped_schemes
from scoring.engine import grade, score, score_all

D = Decimal
HEAD = """\
id: t
title: 测试方案
issuer: 测试信用办
year: 2022
audience: departments
"""


def load(body: str) -> object:
    return load_text(HEAD + textwrap.dedent(body), "inline.yaml")


def one(kind_yaml: str, metrics: str, max_points: int = 10, extra: str = "") -> object:
    """A scheme with one base indicator "1" of `max_points` whose single part is `kind_yaml`."""
    return load(f"""\
        base_total: {max_points}
        categories:
          - code: 一
            name: 类别
            indicators:
              - code: "1"
                name: 指标
                max_points: {max_points}
                metrics: {metrics}
                parts:
                  - {kind_yaml}
        {extra}""")


def item(card, code="1"):
    return card.item(code)


def pts(card, code="1"):
    return card.item(code).points


def part(card, code, label):
    return next(p for p in card.item(code).parts if p.label == label)


def _scheme(sid: str):
    @pytest.fixture(scope="module")
    def fixture():
        return scheme_by_id(sid)
    return fixture


lv_dept = _scheme("lvliang-2022-departments")
lv_county = _scheme("lvliang-2022-counties")
zz_dept = _scheme("zhengzhou-2019-departments")
zz_county = _scheme("zhengzhou-2019-counties")
huangshi = _scheme("huangshi-2019-demo-city")
puyang = _scheme("puyang-2021-demo-city")


# ---- the shipped schemes add up ---------------------------------------------------------------

@pytest.mark.parametrize("sid", sorted(shipped_schemes()))
def test_shipped_points_add_up(sid):
    s = scheme_by_id(sid)
    base = [c for c in s.categories if c.section == "base"]
    for c in s.categories:
        if c.max_points is not None and c.section in ("base", "bonus"):
            assert c.max_points == sum(i.max_points for i in c.indicators), c.name
    if s.base_total is None:
        assert all(i.max_points is None for _, i in s.indicators())
    else:
        assert sum(c.max_points if c.max_points is not None
                   else sum(i.max_points for i in c.indicators) for c in base) == s.base_total


# ---- checklist --------------------------------------------------------------------------------

def test_checklist_lvliang_mechanism(lv_dept):
    # 明确分管领导、责任科室、联络员得2分；制定工作机制得3分
    card = score(lv_dept, {"1": {"staffed": "是", "mechanism": "否"}})
    assert pts(card, "1") == 2
    assert "明确分管领导、责任科室、联络员：是，2分" in item(card, "1").explain
    assert "制定工作机制：否，0分" in item(card, "1").explain
    assert pts(score(lv_dept, {"1": {"staffed": True, "mechanism": True}}), "1") == 5
    card = score(lv_dept, {"1": {"mechanism": "是"}})
    assert pts(card, "1") == 3 and "未报送" in item(card, "1").explain


def test_checklist_when_false_and_cap():
    s = one("{kind: checklist, items: [{metric: a, points: 2, when: false}, {metric: b, points: 2}]}",
            "[{name: a, label: 发生风险, type: bool}, {name: b, label: 有制度, type: bool}]",
            max_points=3)
    assert pts(score(s, {"1": {"a": "否", "b": "是"}})) == 3  # 4 capped at the max 3
    assert "已达上限" in item(score(s, {"1": {"a": "否", "b": "是"}})).explain
    assert pts(score(s, {"1": {"a": "是", "b": "否"}})) == 0


# ---- per item with cap ------------------------------------------------------------------------

def test_per_item_zhengzhou_cases(zz_dept, zz_county):
    # 每个案例0.1分，最高4分
    assert part(score(zz_dept, {"七": {"cases": 45}}), "七", "联合奖惩案例").points == 4
    p = part(score(zz_dept, {"七": {"cases": 23}}), "七", "联合奖惩案例")
    assert p.points == D("2.3") and "23" in p.explain and "2.3分" in p.explain
    # 每10个0.1分，最高6分
    assert part(score(zz_county, {"十": {"cases": 125}}), "十", "联合奖惩案例").points == D("1.2")
    assert part(score(zz_county, {"十": {"cases": 9}}), "十", "联合奖惩案例").points == 0


def test_per_item_inline_per_ten():
    s = one("{kind: per_item, value: n, per: 10, points: 0.1}",
            "[{name: n, label: 案例, type: count, unit: 个}]", max_points=6)
    card = score(s, {"1": {"n": 125}})
    assert pts(card) == D("1.2")
    assert "案例 125个" in item(card).explain and "每10个0.1分" in item(card).explain
    assert "最高6分" in item(card).explain
    assert pts(score(s, {"1": {"n": 100000}})) == 6


def test_per_item_base_is_not_fooled_by_float_noise():
    # 达到10%得1分，以此为基数每增加10%得1分: 0.7 − 0.4 is 0.29999999999999993 in floats
    s = one("{kind: per_item, value: a - b, base: 0.1, per: 0.1, points: 1}",
            "[{name: a, label: 甲, type: percent}, {name: b, label: 乙, type: percent}]",
            max_points=4)
    assert pts(score(s, {"1": {"a": 0.7, "b": 0.4}})) == 3
    assert pts(score(s, {"1": {"a": 0.15, "b": 0.1}})) == 0


# ---- formula with cap / floor -----------------------------------------------------------------

def test_formula_xinyipi_and_xinyidai(huangshi):
    # 信易批 = 已实施容缺受理部门数/审批部门总量×2，最高2分
    card = score(huangshi, {"九.3": {"depts_tolerant": 15, "depts_approval": 20}})
    assert pts(card, "九.3") == D("1.5")
    assert "15个" in item(card, "九.3").explain and "得1.5分" in item(card, "九.3").explain
    # 信易贷 = 放款金额/在运营市场主体数×0.002%：户均5万元 -> 1分；户均20万元 -> 4，封顶2分
    assert pts(score(huangshi, {"九.4": {"loans": 5_000_000_000, "entities": 100_000}}), "九.4") == 1
    card = score(huangshi, {"九.4": {"loans": 20_000_000_000, "entities": 100_000}})
    assert pts(card, "九.4") == 2 and "上限2分" in item(card, "九.4").explain


def test_formula_division_by_zero_says_so(huangshi):
    card = score(huangshi, {"九.3": {"depts_tolerant": 3, "depts_approval": 0}})
    it = item(card, "九.3")
    assert it.points == 0 and "无法计算" in it.explain and "分母为0" in it.explain
    assert "无法计算，无法计算" not in it.explain and "无法计算：分母为0，无法计算" not in it.explain


def test_formula_floor_and_cap_inline():
    s = one("{kind: formula, expr: a - 5, floor: 0}", "[{name: a, label: 甲}]", max_points=3)
    card = score(s, {"1": {"a": 2}})
    assert pts(card) == 0 and "下限0分" in item(card).explain
    assert pts(score(s, {"1": {"a": 9}})) == 3
    assert pts(score(s, {"1": {"a": D("6.25")}})) == D("1.25")


def test_formula_rounds_half_up_to_four_places():
    s = one("{kind: formula, expr: a / 3}", "[{name: a, label: 甲}]", max_points=3)
    assert pts(score(s, {"1": {"a": 2}})) == D("0.6667")
    assert isinstance(pts(score(s, {"1": {"a": 2}})), Decimal)


# ---- piecewise linear -------------------------------------------------------------------------

@pytest.mark.parametrize("rate, expected", [
    (0.03, D("1.3333")), (0.019, 2), (0.02, 2), (0.05, 0), (0.08, 0), (0.045, D("0.3333")),
])
def test_piecewise_npl_rate(huangshi, rate, expected):
    # <2% -> 2；2%≤x<5% -> 2/3×(5−x×100)；≥5% -> 0
    assert pts(score(huangshi, {"七.1": {"npl_rate": rate}}), "七.1") == expected


def test_piecewise_explain_shows_percent(huangshi):
    text = item(score(huangshi, {"七.1": {"npl_rate": 0.03}}), "七.1").explain
    assert "地区不良贷款率 3%" in text and "<5%" in text and "1.3333" in text


def test_piecewise_closure_rate(huangshi):
    assert pts(score(huangshi, {"七.3": {"closure_rate": 0.8}}), "七.3") == 1
    assert pts(score(huangshi, {"七.3": {"closure_rate": 0.4}}), "七.3") == D("0.5")
    assert pts(score(huangshi, {"七.3": {"closure_rate": 0}}), "七.3") == 0


# ---- bands ------------------------------------------------------------------------------------

@pytest.mark.parametrize("share, expected", [(0.6, 1), (0.5, 1), (0.3, D("0.5")), (0.2, D("0.5")),
                                             (0.19, 0)])
def test_bands_fifty_twenty(puyang, share, expected):
    # ≥50% -> 1，20%–50% -> 0.5，<20% -> 0
    assert part(score(puyang, {"四(一)": {"dept_share": share}}), "四(一)", "部门间共享").points == expected


def test_bands_ratio_at_least_one(lv_dept):
    # 纳税信息条数/企业数 ≥1 -> 3，否则 0
    facts = {"4": {"enterprises": 1000, "tax_records": 1000}}
    assert part(score(lv_dept, facts), "4", "纳税信息").points == 3
    facts = {"4": {"enterprises": 1000, "tax_records": 999}}
    assert part(score(lv_dept, facts), "4", "纳税信息").points == 0


def test_bands_yes_no(zz_county):
    # 重大区域金融风险：是 -> 0，否 -> 2
    assert part(score(zz_county, {"七.2": {"major_risk": "否"}}), "七.2", "重大区域金融风险").points == 2
    assert part(score(zz_county, {"七.2": {"major_risk": "是"}}), "七.2", "重大区域金融风险").points == 0
    p = part(score(zz_county, {"七.2": {"major_risk": "否"}}), "七.2", "重大区域金融风险")
    assert "否" in p.explain and "2分" in p.explain


# ---- rank among units -------------------------------------------------------------------------

def test_rank_linear_five_to_one_with_ties(lv_county):
    facts = {u: {"7": {"commitments": v}} for u, v in
             zip("ABCDE", (300, 200, 200, 100, 0))}
    cards = score_all(lv_county, facts)
    assert [pts(cards[u], "7") for u in "ABCDE"] == [5, D("3.6667"), D("3.6667"), 1, 0]
    text = item(cards["B"], "7").explain
    assert "排第2名" in text and "并列" in text and "3.6667" in text
    assert "未报送或为0" in item(cards["E"], "7").explain


def test_rank_top_bottom(lv_county):
    # 前三名5分、后三名0分、中间依次赋分
    values = [100, 90, 90, 80, 70, 60, 50, 40]
    cards = score_all(lv_county, {f"县{n}": {"3": {"records": v}} for n, v in enumerate(values)})
    got = [part(cards[f"县{n}"], "3", "双公示数量").points if any(
        p.label == "双公示数量" for p in cards[f"县{n}"].item("3").parts) else pts(cards[f"县{n}"], "3")
        for n in range(8)]
    assert got == [5, 5, 5, D("3.3333"), D("1.6667"), 0, 0, 0]


def test_rank_full_then_rank(lv_county):
    # 比值达100%得10分，剩余按排名依次赋分
    values = [1, 1, 0.99, 0.98, 0.98, 0.9]
    cards = score_all(lv_county, {f"县{n}": {"3": {"accuracy": v}} for n, v in enumerate(values)})
    assert [pts(cards[f"县{n}"], "3") for n in range(6)] == [10, 10, 8, 6, 6, 2]
    assert "达到100%" in item(cards["县0"], "3").explain
    assert "并列" in item(cards["县3"], "3").explain


def test_rank_all_zero_and_alone(lv_county):
    cards = score_all(lv_county, {u: {"7": {"commitments": 0}} for u in "ABC"})
    assert all(pts(c, "7") == 0 for c in cards.values())
    alone = score(lv_county, {"7": {"commitments": 12}})
    assert pts(alone, "7") == 5
    assert "(1−1)" not in item(alone, "7").explain and "仅1个单位" in item(alone, "7").explain


def test_rank_all_equal_without_zero_rule():
    s = one("{kind: rank, value: n, top: 5, bottom: 1, zero_if_none: false}",
            "[{name: n, label: 条数, type: count}]", max_points=5)
    cards = score_all(s, {u: {"1": {"n": 0}} for u in "ABC"})
    assert all(pts(c) == 5 for c in cards.values())
    cards = score_all(s, {"A": {"1": {"n": 3}}, "B": {"1": {"n": 1}}})
    assert (pts(cards["A"]), pts(cards["B"])) == (5, 1)
    assert "末名名次2−1" in item(cards["A"]).explain


def test_rank_shared_last_place_still_gets_the_bottom_score():
    # 吕梁: 最多的得5分、最少的得1分 — also when the fewest is a tie
    s = one("{kind: rank, value: n, top: 5, bottom: 1}", "[{name: n, label: 条数, type: count}]",
            max_points=5)
    cards = score_all(s, {"A": {"1": {"n": 300}}, "B": {"1": {"n": 100}}, "C": {"1": {"n": 100}}})
    assert [pts(cards[u]) for u in "ABC"] == [5, 1, 1]
    cards = score_all(s, {u: {"1": {"n": v}} for u, v in zip("ABCDE", (50, 40, 40, 30, 20))})
    assert [pts(cards[u]) for u in "ABCDE"] == [5, 4, 4, 2, 1]


def test_rank_lower_is_better():
    s = one("{kind: rank, value: n, top: 4, bottom: 0, higher_is_better: false, zero_if_none: false}",
            "[{name: n, label: 投诉, type: count}]", max_points=4)
    cards = score_all(s, {"A": {"1": {"n": 0}}, "B": {"1": {"n": 5}}, "C": {"1": {"n": 9}}})
    assert [pts(cards[u]) for u in "ABC"] == [4, 2, 0]


# ---- deductions -------------------------------------------------------------------------------

def test_deduction_lvliang_cases_capped(lv_dept):
    # 每发生1个案例扣5分，最高扣10分
    card = score(lv_dept, {"八.1": {"cases": 3}})
    assert pts(card, "八.1") == -10 and card.deductions == 10
    assert "3个" in item(card, "八.1").explain and "扣10分" in item(card, "八.1").explain
    assert pts(score(lv_dept, {"八.1": {"cases": 1}}), "八.1") == -5
    card = score(lv_dept, {"八.1": {"cases": 3}, "八.2": {"cases": 3}})
    assert card.deductions == 20


def test_deduction_scheme_cap_across_items():
    s = load("""\
        base_total: 10
        deduction_cap: 8
        categories:
          - code: 一
            name: 基础
            indicators:
              - {code: "1", name: 甲, max_points: 10, metrics: [{name: a, label: 甲}],
                 parts: [{kind: formula, expr: a}]}
          - code: 二
            name: 扣分情形
            section: deduction
            indicators:
              - {code: 二.1, name: 乙, max_points: 10, metrics: [{name: n, label: 乙案例, unit: 个}],
                 parts: [{kind: deduction, value: n, each: 5}]}
              - {code: 二.2, name: 丙, max_points: 10, metrics: [{name: n, label: 丙案例, unit: 个}],
                 parts: [{kind: deduction, value: n, each: 5}]}
        """)
    card = score(s, {"1": {"a": 10}, "二.1": {"n": 1}, "二.2": {"n": 1}})
    assert (pts(card, "二.1"), pts(card, "二.2")) == (-5, -5)
    assert card.deductions == 8 and card.total == 2
    card = score(s, {"1": {"a": 3}, "二.1": {"n": 2}})
    assert card.total == 0  # never below zero


def test_deduction_from_base(zz_dept):
    # 无失信事件得3分，每增加1件减1分，减至0分为止
    p = part(score(zz_dept, {"三": {"unrectified_events": 2}}), "三", "政府失信事件")
    assert p.points == 1
    assert "2件" in p.explain and "每增加1件减1分" in p.explain and "得1分" in p.explain
    p = part(score(zz_dept, {"三": {"unrectified_events": 5}}), "三", "政府失信事件")
    assert p.points == 0 and "减至0分为止" in p.explain
    assert "每21件" not in p.explain


def test_deduction_from_base_per_step_and_missing():
    s = one("{kind: deduction, value: n, per: 2, each: 1, base: 3}",
            "[{name: n, label: 未整改事件, type: count, unit: 件}]", max_points=3)
    card = score(s, {"1": {"n": 5}})
    assert pts(card) == 1 and "每增加2件减1分" in item(card).explain
    # without the count the item is missing and scores nothing until reported
    card = score(s, {})
    assert item(card).status == "missing" and pts(card) == 0
    assert item(card).missing == ["未整改事件"]


def test_deduction_per_percent_point(huangshi):
    # 存量代码转换率100%得1分，每降低1%减0.2分
    assert pts(score(huangshi, {"八.1": {"conversion_rate": 0.97}}), "八.1") == D("0.4")
    assert pts(score(huangshi, {"八.1": {"conversion_rate": 1}}), "八.1") == 1
    assert pts(score(huangshi, {"八.1": {"conversion_rate": 0.8}}), "八.1") == 0


# ---- linked items -----------------------------------------------------------------------------

def test_linked_lvliang_shuang_gongshi(lv_dept):
    # 未按时报送台账的不得分且第二条（瞒报情况）也不得分
    on_time = score(lv_dept, {"3": {"concealed": 0, "ledger_on_time": True}})
    assert part(on_time, "3", "瞒报情况").points == 4
    assert part(on_time, "3", "季度台账按时报送").points == 3
    late = score(lv_dept, {"3": {"concealed": 0, "ledger_on_time": False}})
    assert part(late, "3", "瞒报情况").points == 0
    assert part(late, "3", "季度台账按时报送").points == 0
    assert "本项也不得分" in part(late, "3", "瞒报情况").explain
    assert pts(late, "3") == 0


# ---- applicability with transfer --------------------------------------------------------------

TRANSFER = """\
    base_total: 10
    categories:
      - code: 一
        name: 征信体系
        max_points: 10
        indicators:
          - code: 涉企
            name: 涉企信用信息共享
            max_points: 6
            metrics: [{name: a, label: 共享比例, type: percent}]
            parts: [{kind: formula, expr: a * 6}]
          - code: 农村
            name: 农村信用
            max_points: 4
            metrics: [{name: urban, label: 城镇化率, type: percent}, {name: b, label: 覆盖率, type: percent}]
            parts: [{kind: formula, expr: b * 4}]
            applies: {expr: urban < 0.9, transfer_to: 涉企, text: 城镇化率≥90%，农村信用不适用}
    """


def test_applicability_transfer_scales_target():
    s = load(TRANSFER)
    card = score(s, {"涉企": {"a": 0.5}, "农村": {"urban": 0.92, "b": 1}})
    rural, firm = item(card, "农村"), item(card, "涉企")
    assert rural.status == "not_applicable" and rural.points is None
    assert "转入涉企" in rural.explain
    assert firm.max_points == 10 and firm.points == 5  # 3 of 6, scaled to 10
    assert "不适用转入的4分" in firm.explain
    assert card.total == 5
    assert card.categories == [("征信体系", D(5), D(10))]  # max not counted twice


def test_applicability_applies_below_threshold_or_without_data():
    s = load(TRANSFER)
    card = score(s, {"涉企": {"a": 0.5}, "农村": {"urban": 0.6, "b": 0.5}})
    assert item(card, "农村").status == "scored" and pts(card, "农村") == 2
    assert item(card, "涉企").max_points == 6 and card.total == 5
    card = score(s, {"农村": {"b": 0.5}})  # no 城镇化率 yet: it applies
    assert item(card, "农村").status == "scored"


def test_transfer_to_unknown_code_is_refused():
    with pytest.raises(SchemeError) as exc:
        load(TRANSFER.replace("transfer_to: 涉企", "transfer_to: 不存在"))
    assert "不存在" in str(exc.value) and "inline.yaml:" in str(exc.value)


# ---- discretionary ----------------------------------------------------------------------------

def test_discretionary_within_and_over_max():
    s = one("{kind: discretionary}", "[{name: points, label: 信用办评分, derived: true}]",
            max_points=3)
    card = score(s, {"1": {"points": 2, "_reason": "创新做法被省里推广"}})
    assert pts(card) == 2
    assert "酌情计分 2分" in item(card).explain and "创新做法被省里推广" in item(card).explain
    card = score(s, {"1": {"points": 5, "_reason": "表现突出"}})
    assert pts(card) == 3 and "超过上限，按3分计" in item(card).explain
    assert pts(score(s, {"1": {"points": -1}})) == 0


# ---- gates ------------------------------------------------------------------------------------

GATES = """\
    base_total: 10
    categories:
      - code: 一
        name: 基础指标
        section: gate
        indicators:
          - {code: 基础1, name: 有平台, metrics: [{name: passed, label: 达标, type: bool}],
             gate: {kind: basic, metric: passed}, parts: [{kind: pass_fail, metric: passed}]}
      - code: 二
        name: 评分指标
        indicators:
          - {code: "1", name: 甲, max_points: 10, metrics: [{name: a, label: 甲},
                                                             {name: veto_ok, label: 无否决情形, type: bool}],
             gate: {kind: veto, metric: veto_ok}, parts: [{kind: formula, expr: a}]}
    """


@pytest.mark.parametrize("basic, veto, passed", [
    (True, True, True), (False, True, False), (True, False, False), (None, True, False),
])
def test_gates(basic, veto, passed):
    s = load(GATES)
    facts = {"1": {"a": 9, "veto_ok": veto}}
    if basic is not None:
        facts["基础1"] = {"passed": basic}
    card = score(s, facts)
    assert card.gates_passed is passed and card.counted is passed
    assert card.total == 9  # shown, but it does not count when a gate failed
    assert item(card, "基础1").gate_passed is basic
    assert card.to_json()["gates_passed"] is passed


# ---- bonus cap, grades ------------------------------------------------------------------------

def test_bonus_cap():
    s = load("""\
        base_total: 10
        bonus_cap: 10
        categories:
          - code: 一
            name: 基础
            indicators:
              - {code: "1", name: 甲, max_points: 10, metrics: [{name: a, label: 甲}],
                 parts: [{kind: formula, expr: a}]}
          - code: 附加
            name: 附加分
            section: bonus
            indicators:
              - {code: 附1, name: 乙, max_points: 8, metrics: [{name: points, label: 分}],
                 parts: [{kind: discretionary}]}
              - {code: 附2, name: 丙, max_points: 8, metrics: [{name: points, label: 分}],
                 parts: [{kind: discretionary}]}
        """)
    card = score(s, {"1": {"a": 7}, "附1": {"points": 8}, "附2": {"points": 6}})
    assert card.bonus == 10 and card.base == 7 and card.total == 17


def test_grade_bands_and_downgrade(lv_dept):
    assert grade(lv_dept, D("90"), [])[0] == "优秀"
    assert grade(lv_dept, D("89.99"), [])[0] == "良好"
    assert grade(lv_dept, D("59.99"), [])[0] == "较差"
    assert grade(lv_dept, D("95"), ["重大失信事件"])[:2] == ("良好", "优秀")
    assert grade(lv_dept, D("30"), ["major-dishonesty"])[0] == "较差"


def test_downgrade_on_the_card(lv_county):
    facts = {"1": {"leading_group": "是", "mechanism": "是", "meetings": "是"},
             "2": {"work_plan": True, "implemented": True}, "3": {"records": 1, "accuracy": 1},
             "4": {"enterprises": 1, "water_records": 1, "power_records": 1}, "5": {"classes": 5},
             "6": {"platform_docked": True}, "7": {"commitments": 1}, "8": {"fulfilments": 1},
             "9": {"activities": 1, "joined": True}, "10": {"on_time_reports": 1},
             "11": {"cases": 1}, "12": {"realtime_push": True}, "13": {"central_praise": 4}}
    card = score(lv_county, {**facts, "_events": ["重大失信事件"]})
    assert card.total == 100 and card.band == "良好" and card.band_before_downgrade == "优秀"
    assert card.events == ["重大失信事件"]


# ---- statuses ---------------------------------------------------------------------------------

def test_statuses():
    s = one("{kind: formula, expr: a}", "[{name: a, label: 甲}]", max_points=5)
    assert item(score(s, {})).status == "missing"
    assert item(score(s, {"1": {"_overdue": True}})).status == "overdue"
    assert item(score(s, {"1": {"a": 3}})).status == "scored"
    card = score(s, {"1": {"a": 3, "_status": "provisional"}})
    assert item(card).status == "provisional" and pts(card) == 3
    card = score(s, {"1": {"a": 3, "_status": "rejected", "_reject_reason": "材料不清晰"}})
    assert item(card).status == "rejected" and pts(card) == 0
    assert "材料不清晰" in item(card).missing[0]
    card = load(TRANSFER)
    assert item(score(card, {"农村": {"urban": 0.95}}), "农村").status == "not_applicable"


def test_explain_names_inputs_and_points(lv_dept):
    card = score(lv_dept, {"5": {"classes": 3}})
    text = item(card, "5").explain
    assert "已共享的行政管理信息类别数（共5类） 3类" in text and "得6分" in text
    assert item(card, "6").explain.startswith("缺少数据") or "未报送" in item(card, "6").explain


def test_rank_lower_is_better_zero_is_best():
    s = one("{kind: rank, value: n, top: 4, bottom: 0, higher_is_better: false}",
            "[{name: n, label: 投诉, type: count}]", max_points=4)
    cards = score_all(s, {"A": {"1": {"n": 0}}, "B": {"1": {"n": 5}}, "C": {}})
    assert (pts(cards["A"]), pts(cards["B"]), pts(cards["C"])) == (4, 0, 0)
    assert item(cards["C"]).status == "missing"


def test_applicability_reads_yes_no():
    s = load(TRANSFER.replace("urban < 0.9", "not city").replace(
        "{name: urban, label: 城镇化率, type: percent}", "{name: city, label: 全部为城区, type: bool}"))
    assert item(score(s, {"农村": {"city": "是"}}), "农村").status == "not_applicable"
    assert item(score(s, {"农村": {"city": "否", "b": 1}}), "农村").status == "scored"
