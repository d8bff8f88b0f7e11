"""How a reported figure is echoed back to the liaison in the 已记录 line."""
from __future__ import annotations

from decimal import Decimal

from bot.liaison import _show
from schemes.model import Metric


def test_a_whole_number_is_echoed_as_typed_not_as_a_float():
    count = Metric(name="n", label="信用承诺书数量", type="number")
    assert _show(40.0, count) == "40" and _show(Decimal("40.50"), count) == "40.5"
    assert _show(0.97, Metric(name="r", label="上报率", type="percent")) == "97%"
    assert _show(12, Metric(name="c", label="案例", type="count", unit="个")) == "12个"
    assert _show(True, Metric(name="b", label="是否", type="bool")) == "是"
