"""吕梁 2022 附件2 各县（市、区）考核指标 (seed 004): worked numbers from the text."""
from __future__ import annotations

from decimal import Decimal

import pytest

from schemes.loader import scheme_by_id
from scoring.engine import grade, score, score_all

ID = "lvliang-2022-counties"


def scheme():
    return scheme_by_id(ID)


def pts(card, code):
    return next(i for i in card.items if i.code == code).points


def full_facts():
    """A county that meets every bullet (scored alone, rank parts give the top points)."""
    return {
        "1": {"leading_group": "是", "mechanism": "是", "meetings": "是"},
        "2": {"work_plan": True, "implemented": True},
        "3": {"records": 1200, "accuracy": 1},
        "4": {"enterprises": 1000, "water_records": 1000, "power_records": 1500},
        "5": {"classes": 5},
        "6": {"platform_docked": True},
        "7": {"commitments": 300},
        "8": {"fulfilments": 300},
        "9": {"activities": 6, "joined": True},
        "10": {"on_time_reports": 12},
        "11": {"cases": 20},
        "12": {"realtime_push": True},
        "13": {"central_praise": 4},
    }


def test_loads_and_adds_up():
    s = scheme()
    assert s.id == ID and s.audience == "counties" and s.year == 2022
    assert s.doc_number == "吕信用办发〔2022〕16号"
    assert s.base_total == 100
    assert s.bonus_cap is None
    assert s.deduction_cap == 30
    base = [c for c in s.categories if c.section == "base"]
    assert [c.max_points for c in base] == [10, 40, 10, 10, 10, 20]
    for c in base:
        assert c.max_points == sum(i.max_points for i in c.indicators)
    assert sum(c.max_points for c in base) == 100
    assert [(b.name, b.min) for b in s.bands] == [("优秀", 90), ("良好", 80), ("一般", 60), ("较差", 0)]
    assert [e.id for e in s.downgrade_events] == ["major-dishonesty"]
    assert len(s.indicators()) == 16
    assert s.indicator("10").due.frequency == "monthly" and s.indicator("10").due.day == 2


def test_same_structure_as_departments():
    d, c = scheme_by_id("lvliang-2022-departments"), scheme()
    assert d.bands == c.bands
    assert d.downgrade_events[0].id == c.downgrade_events[0].id
    assert d.downgrade_events[0].name == c.downgrade_events[0].name


def test_empty_facts_missing_and_zero():
    card = score(scheme(), {})
    for item in card.items:
        expected = "scored" if item.section == "deduction" else "missing"
        assert item.status == expected, item.code
    assert card.total == 0 and card.deductions == 0
    assert card.band == "较差"


def test_full_marks_then_deductions_and_bands():
    s = scheme()
    card = score(s, full_facts())
    assert card.base == 100 and card.total == 100 and card.band == "优秀"
    # 每发生1个典型案例扣5分，最高扣10分: 3 cases -> 10
    facts = {**full_facts(), "七.1": {"cases": 3}}
    card = score(s, facts)
    assert pts(card, "七.1") == Decimal(-10)
    assert card.deductions == 10 and card.total == 90 and card.band == "优秀"
    # 重大失信事件: one band down
    card = score(s, {**facts, "_events": ["重大失信事件"]})
    assert card.band_before_downgrade == "优秀" and card.band == "良好"
    # 1 case -> 5
    card = score(s, {**full_facts(), "七.2": {"cases": 1}})
    assert pts(card, "七.2") == Decimal(-5) and card.total == 95


def test_deduction_cap_30():
    s = scheme()
    facts = {**full_facts(), "七.1": {"cases": 3}, "七.2": {"cases": 2}, "七.3": {"cases": 5}}
    card = score(s, facts)
    assert [pts(card, c) for c in ("七.1", "七.2", "七.3")] == [-10, -10, -10]
    assert card.deductions == 30 and card.total == 70 and card.band == "一般"


def test_grade_boundaries():
    s = scheme()
    assert grade(s, Decimal("90"), [])[0] == "优秀"
    assert grade(s, Decimal("89.99"), [])[0] == "良好"
    assert grade(s, Decimal("80"), [])[0] == "良好"
    assert grade(s, Decimal("79.99"), [])[0] == "一般"
    assert grade(s, Decimal("60"), [])[0] == "一般"
    assert grade(s, Decimal("59.99"), [])[0] == "较差"
    assert grade(s, Decimal("95"), ["major-dishonesty"])[:2] == ("良好", "优秀")
    assert grade(s, Decimal("50"), ["重大失信事件"])[0] == "较差"


def test_checklists():
    s = scheme()
    card = score(s, {"1": {"leading_group": "是", "mechanism": "否", "meetings": "是"},
                     "2": {"work_plan": True, "implemented": False},
                     "6": {"platform_docked": "否"}, "12": {"realtime_push": "是"}})
    assert pts(card, "1") == 3
    assert pts(card, "2") == Decimal("2.5")
    assert pts(card, "6") == 0
    assert pts(card, "12") == 5


def test_water_power_ratio_bands():
    s = scheme()
    card = score(s, {"4": {"enterprises": 1000, "water_records": 1000, "power_records": 999}})
    assert pts(card, "4") == Decimal("2.5")
    card = score(s, {"4": {"enterprises": 1000, "water_records": 1001, "power_records": 2000}})
    assert pts(card, "4") == 5
    card = score(s, {"4": {"enterprises": 1000, "water_records": 10, "power_records": 0}})
    assert pts(card, "4") == 0


def test_per_item_classes_and_innovation_caps():
    s = scheme()
    assert pts(score(s, {"5": {"classes": 3}}), "5") == 3
    assert pts(score(s, {"5": {"classes": 5}}), "5") == 5
    # 新媒体每项1分最高5分；其他部门表彰每项1分最高5分
    card = score(s, {"13": {"ndrc_media": 7, "other_awards": 2}})
    assert pts(card, "13") == 7
    # 中央表扬每项5分 + 发改委信息推广每项5分, indicator capped at 20
    card = score(s, {"13": {"central_praise": 2, "ndrc_bulletin": 1, "ndrc_media": 9}})
    assert pts(card, "13") == 20


def test_shuang_gongshi_quantity_top_bottom_with_tie():
    """前三名得5分，后三名不得分，中间名次依次排序赋分 — 8 counties, a tie at rank 2."""
    s = scheme()
    values = [100, 90, 90, 80, 70, 60, 50, 40]
    facts = {f"县{n}": {"3": {"records": v}} for n, v in enumerate(values)}
    cards = score_all(s, facts)
    got = [pts(cards[f"县{n}"], "3") for n in range(8)]
    assert got[:3] == [5, 5, 5]
    assert got[3] == pytest.approx(Decimal("3.3333"), abs=Decimal("1e-4"))
    assert got[4] == pytest.approx(Decimal("1.6667"), abs=Decimal("1e-4"))
    assert got[5:] == [0, 0, 0]


def test_shuang_gongshi_quantity_tie_at_third_place():
    s = scheme()
    values = [100, 90, 80, 80, 70, 60, 50, 40]
    facts = {f"县{n}": {"3": {"records": v}} for n, v in enumerate(values)}
    cards = score_all(s, facts)
    got = [pts(cards[f"县{n}"], "3") for n in range(8)]
    assert got[:4] == [5, 5, 5, 5]  # ties share the better rank (3)
    assert got[4] == pytest.approx(Decimal("1.6667"), abs=Decimal("1e-4"))
    assert got[5:] == [0, 0, 0]


def test_shuang_gongshi_accuracy_full_then_rank():
    """比值达100%得10分，剩余按排名依次赋分，比值越低得分越低."""
    s = scheme()
    values = [1, 1, 0.99, 0.98, 0.98, 0.9]
    facts = {f"县{n}": {"3": {"accuracy": v}} for n, v in enumerate(values)}
    cards = score_all(s, facts)
    got = [pts(cards[f"县{n}"], "3") for n in range(6)]
    assert got == [10, 10, 8, 6, 6, 2]


def test_linear_rank_five_to_one():
    s = scheme()
    facts = {"A": {"7": {"commitments": 300}}, "B": {"7": {"commitments": 200}},
             "C": {"7": {"commitments": 200}}, "D": {"7": {"commitments": 100}},
             "E": {"7": {"commitments": 0}}}
    cards = score_all(s, facts)
    assert [pts(cards[u], "7") for u in "ABCDE"] == [
        5, pytest.approx(Decimal("3.6667"), abs=Decimal("1e-4")),
        pytest.approx(Decimal("3.6667"), abs=Decimal("1e-4")), 1, 0]


def test_publicity_rank_three_to_one_plus_participation():
    s = scheme()
    facts = {"A": {"9": {"activities": 8, "joined": True}},
             "B": {"9": {"activities": 5, "joined": False}},
             "C": {"9": {"activities": 2, "joined": True}}}
    cards = score_all(s, facts)
    assert pts(cards["A"], "9") == 5
    assert pts(cards["B"], "9") == 2
    assert pts(cards["C"], "9") == 3


def test_evidence_names_basis_and_method():
    """考核依据 + 考核方式 as printed, for every indicator."""
    expected = {
        "1": "文件资料（年底集中督查）", "2": "文件资料（年底集中督查）",
        "3": "市信用办统计资料（日常工作调度）", "4": "市信用办统计资料（日常工作调度）",
        "5": "市信用办统计资料（日常工作调度）", "6": "县级平台建设情况（年底集中评价）",
        "7": "文件资料（日常工作调度）", "8": "文件资料（日常工作调度）",
        "9": "相关报道、照片（日常工作调度）", "10": "文件资料（日常工作调度）",
        "11": "文件资料（日常工作调度）", "12": "文件资料（日常工作调度）",
        "13": "文件资料（日常工作调度与年底集中评查相结合）",
        "七.1": "文件资料（日常工作调度与年底集中评查相结合）",
        "七.2": "文件资料（日常工作调度与年底集中评查相结合）",
        "七.3": "文件资料（日常工作调度与年底集中评查相结合）",
    }
    assert {i.code: i.evidence for _, i in scheme().indicators()} == expected


def test_aliases_resolve_uniquely():
    from bot.parse import find_indicator
    s = scheme()
    for _, ind in s.indicators():
        assert 1 <= len(ind.aliases) <= 3, ind.code
        for a in ind.aliases:
            assert find_indicator(s, a).code == ind.code, a
    assert find_indicator(s, "工作机制").code == "1"
    assert find_indicator(s, "制度建设").code == "2"


@pytest.mark.parametrize("code, metric", [("7", "commitments"), ("8", "fulfilments"),
                                          ("10", "on_time_reports"), ("11", "cases")])
def test_rank_five_to_one_not_sent_zero(code, metric):
    """最多的得5分，最少的得1分，中间依序赋分；未报送的不得分."""
    values = [300, 200, 100, 0, None]
    facts = {f"县{n}": ({code: {metric: v}} if v is not None else {}) for n, v in enumerate(values)}
    cards = score_all(scheme(), facts)
    assert [pts(cards[f"县{n}"], code) for n in range(5)] == [5, 3, 1, 0, 0]


def test_innovation_per_item_points():
    s = scheme()
    # 中央表扬每项5分；发改委信息推广每项5分（无单独上限）；当月其他部门表彰每项1分最高5分
    assert pts(score(s, {"13": {"central_praise": 1}}), "13") == 5
    assert pts(score(s, {"13": {"ndrc_bulletin": 3}}), "13") == 15
    assert pts(score(s, {"13": {"other_awards": 8}}), "13") == 5
    assert pts(score(s, {"13": {"ndrc_media": 3, "other_awards": 1, "ndrc_bulletin": 1}}), "13") == 9
