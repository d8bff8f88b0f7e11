"""How a metric adds up over periods (sum / latest / max), checked by `scheme check`; where a
figure goes when a period or none is named, with one or two years open."""
from __future__ import annotations

from pathlib import Path

import pytest

from ledger.facts import _merge_unit
from ledger.office import open_year
from ledger.submissions import Submission
from schemes.loader import SchemeError, load_text, scheme_by_id

ROOT = Path(__file__).resolve().parent.parent
LVLIANG = (ROOT / "schemes" / "lvliang-2022-departments.yaml").read_text(encoding="utf-8")
COMMITMENTS = ("{name: commitments, label: 报送归集的企业（含个体工商户）信用承诺信息, type: count, "
               "unit: 条, period: month, adds_up: sum}")
ACCURACY = "{name: accuracy, label: 数据准确率（报送正确数据量/报送数据量）, type: percent}"


@pytest.mark.parametrize("old, new, message", [
    (COMMITMENTS, COMMITMENTS.replace(", period: month", ""), "按年度报送，没有可累加的各期数据"),
    (ACCURACY, ACCURACY.replace("}", ", adds_up: sum}"), "比率不能逐期相加"),
    (COMMITMENTS, COMMITMENTS.replace("type: count", "type: bool").replace(", unit: 条", ""),
     "只能 latest"),
    (ACCURACY, ACCURACY.replace("}", ", period: month}"), "与指标的截止周期（due）不一致"),
])
def test_scheme_check_refuses_a_metric_that_cannot_add_up(old, new, message):
    assert old in LVLIANG
    with pytest.raises(SchemeError) as exc:
        load_text(LVLIANG.replace(old, new, 1), "x.yaml")
    assert message in str(exc.value) and "x.yaml:" in str(exc.value)


def _sub(n: int, period: str, value) -> Submission:
    return Submission(n, 1, "7", period, "data", {"commitments": value}, "", "", None, None,
                      "submitted", "console", None)


@pytest.mark.parametrize("adds_up, expect", [("sum", 60), ("max", 35), ("latest", 25)])
def test_periods_add_up_as_declared(adds_up, expect):
    scheme = load_text(LVLIANG.replace("adds_up: sum", f"adds_up: {adds_up}", 1))
    ind = scheme.indicator("7")
    # newest first; September sent twice: its newer figure stands
    subs = [_sub(4, "2022-10", 25), _sub(3, "2022-09", 35), _sub(2, "2022-09", 99),
            _sub(1, "2022-08", 0)]
    assert _merge_unit(ind, subs)["commitments"] == expect


def test_a_named_period_sends_figures_to_its_year(lvliang):
    open_year(lvliang.db, 2023, lvliang.now, "test")
    reply = lvliang.at("2023-01-05T10:00").chat("sw1", "报送 双公示 2022-Q4 准确率=100%")
    assert reply.startswith("【2022年度】") and "2022-Q4 期" in reply
    assert "按季度报送" in lvliang.chat("sw1", "报送 双公示 2022-08 准确率=99%")
    assert "还没到" in lvliang.chat("sw1", "报送 信用承诺 2023-03 30")
    assert "不是本办的考核年度" in lvliang.chat("sw1", "报送 信用承诺 2021-12 30")


def test_with_no_period_named_a_yearly_item_goes_to_the_nearest_deadline(lvliang):
    """工作机制 is due 31 January of the next year: in January it is last year's."""
    open_year(lvliang.db, 2023, lvliang.now, "test")
    assert lvliang.at("2023-01-05T10:00").chat("sw1", "报送 工作机制 明确分管领导=是").startswith(
        "【2022年度】")
    assert lvliang.at("2023-03-01T10:00").chat("sw1", "报送 工作机制 明确分管领导=是").startswith(
        "【2023年度】")
    # a monthly count in January is January's
    assert "2023年1月" in lvliang.at("2023-01-05T10:00").chat("sw1", "报送 信用承诺 5")


def test_the_shipped_lvliang_counts_add_up_monthly():
    for sid in ("lvliang-2022-departments", "lvliang-2022-counties"):
        scheme = scheme_by_id(sid)
        for code in ("7",):
            m = scheme.indicator(code).metrics[0]
            assert (m.period, m.aggregate(True)) == ("month", "sum")
