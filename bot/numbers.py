"""Numbers as people write them: 35份, 三十五, 一千二百, 百分之九十八, 十万分之三, 3‰, 5000万元, -10%.

`read_value(metric, text)` turns what was typed into the metric's own unit (a percent as a
fraction, money in the metric's 元/万元/亿元, a 十万分之几 rate as its count) and checks the
metric's declared range. Chinese numerals go through worktime.numerals (cn2an); the scales (%, ‰, 百分之, 万分之, 万元
…) and the range check are ours. A bare number that could mean two things for a percent (1.5:
1.5% or 150%?) is not guessed: `AmbiguousValue` asks which.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from schemes.model import Metric
from worktime.numerals import CN_DIGITS, read_int, read_number as read_numeral

__all__ = ["NumberError", "AmbiguousValue", "Reading", "read_number", "read_value", "show_value"]


class NumberError(ValueError):
    """What was typed is not a number this metric can take (the message is for people)."""


@dataclass
class AmbiguousValue(NumberError):
    """Two readings fit the metric's range: ask, with the options written out in full."""

    text: str
    options: list[str]
    label: str

    def __str__(self) -> str:
        lines = [f"「{self.text}」是指哪一个？（{self.label}）请回复序号："]
        lines += [f"{n}. {o}" for n, o in enumerate(self.options, start=1)]
        return "\n".join(lines)


@dataclass(frozen=True)
class Reading:
    """A number as typed: its value and, when written with one, its scale (a fraction such as
    % or 十万分之 is already divided out: 3% reads as 0.03 with `fraction` set)."""

    value: Decimal
    fraction: bool = False
    money_scale: Decimal | None = None  # 5000万元 -> value 5000, scale 10000


_FRACTION_WORDS = {"百分之": 100, "千分之": 1000, "万分之": 10_000, "十万分之": 100_000,
                   "百万分之": 1_000_000}
_FRACTION = re.compile(r"^(负|-)?(百万分之|十万分之|万分之|千分之|百分之)(.+)$")
_MONEY = {"元": 1, "千元": 1000, "万元": 10_000, "万": 10_000, "亿元": 100_000_000,
          "亿": 100_000_000}
# Measure words and units people put after a number; stripped before reading it.
_MEASURE = ("个工作日", "份", "个", "条", "户", "项", "次", "类", "件", "人", "起", "家", "笔",
            "家次", "人次", "分", "天", "日", "万元", "亿元", "千元", "元", "余")
_SCIENTIFIC = re.compile(r"\d\s*[eE]\s*[-+]?\s*\d")
def _number(text: str, original: str, lone_units: bool = False) -> Decimal:
    """An Arabic or Chinese numeral (三十五, 一千二百, 一点五, 负十), with 1,200 separators;
    with `lone_units`, 百 alone too (百分之百)."""
    t = text.strip()
    if lone_units and t in ("百", "千", "万"):
        return Decimal(read_int(t, lone_units=True))
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    try:
        return read_numeral(t)
    except ValueError:
        raise NumberError(f"「{original}」不是有效的数字") from None


def read_number(text: str, unit: str = "") -> Reading:
    """Read a number with its scale; `unit` (the metric's) is allowed after it."""
    original = (text or "").strip()
    t = unicodedata.normalize("NFKC", original).replace(" ", "").replace("，", ",")
    t = t.removeprefix("约").removeprefix("共")
    if not t:
        raise NumberError("没有写数值")
    if _SCIENTIFIC.search(t):
        raise NumberError(f"「{original}」是科学计数法，请直接写数字，例如 1000000 或 100万")
    m = _FRACTION.match(t)
    if m:  # 百分之九十八, 十万分之三
        num = _number(m.group(3).rstrip("%"), original, lone_units=True)  # 百分之百
        value = num / _FRACTION_WORDS[m.group(2)]
        return Reading(-value if m.group(1) else value, fraction=True)
    for mark, den in (("%", 100), ("‰", 1000), ("‱", 10_000)):
        if t.endswith(mark):
            return Reading(_number(t[: -len(mark)], original) / den, fraction=True)
    if unit and t.endswith(unit) and unit not in _MONEY:
        t = t[: -len(unit)]
    for word, scale in sorted(_MONEY.items(), key=lambda kv: -len(kv[0])):
        if t.endswith(word) and len(t) > len(word) and (t[-len(word) - 1].isdigit()
                                                        or t[-len(word) - 1] in CN_DIGITS):
            head = t[: -len(word)]
            if word in ("万", "亿") and not head[-1].isdigit():
                break  # 三十五万: a Chinese numeral, cn2an reads the 万 itself
            return Reading(_number(head, original), money_scale=Decimal(scale))
    for word in sorted(_MEASURE, key=len, reverse=True):
        if t.endswith(word) and len(t) > len(word):
            t = t[: -len(word)]
            break
    return Reading(_number(t, original))


def _per(unit: str) -> int | None:
    """A rate counted per N (「/10万」「十万分之」): N, else None."""
    u = unit.replace(" ", "")
    if u in ("/10万", "/十万", "十万分之", "1/10万"):
        return 100_000
    if u in ("/万", "万分之", "‱"):
        return 10_000
    if u in ("‰", "千分之", "/千"):
        return 1000
    return None


def show_value(metric: Metric, value: Decimal | float | int) -> str:
    """A value in the metric's unit as people read it (percents as %)."""
    d = Decimal(str(value))
    if metric.type == "percent":
        return f"{_plain(d * 100)}%"
    return f"{_plain(d)}{metric.unit if metric.unit and _per(metric.unit) is None else ''}"


def _plain(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _range_text(metric: Metric) -> str:
    lo, hi = metric.bounds()
    if lo is not None and hi is not None:
        return f"在 {show_value(metric, lo)} 到 {show_value(metric, hi)} 之间"
    if lo is not None:
        return f"不小于 {show_value(metric, lo)}"
    if hi is not None:
        return f"不大于 {show_value(metric, hi)}"
    return "在允许的范围内"  # not reached: a value out of range has a bound it passed


def in_range(metric: Metric, value: Decimal) -> bool:
    lo, hi = metric.bounds()
    return (lo is None or value >= lo) and (hi is None or value <= hi)


SANE = Decimal(10) ** 15  # no figure in a credit assessment comes near this: a slip of the keys


def _check(metric: Metric, value: Decimal, original: str) -> Decimal:
    if abs(value) > SANE:
        raise NumberError(f"「{metric.label}」数值过大，请核对（收到 {original}）")
    if in_range(metric, value):
        return value
    lo, _ = metric.bounds()
    if lo == 0 and value < 0:
        raise NumberError(f"「{metric.label}」不能为负数（收到 {original}）")
    raise NumberError(f"「{metric.label}」应{_range_text(metric)}，收到：{original}。请核对后重新填写。")


def read_value(metric: Metric, text: str) -> Decimal:
    """`text` in the metric's unit, range-checked. Raises NumberError (or AmbiguousValue)."""
    original = (text or "").strip()
    r = read_number(original, metric.unit)
    if metric.type == "percent":
        return _check(metric, _percent(metric, r, original), original)
    per = _per(metric.unit)
    value = r.value
    if r.fraction:
        if per is None:
            raise NumberError(f"「{metric.label}」的单位是{metric.unit or '个数'}，不是比例，收到：{original}")
        value = r.value * per  # 0.003% of a 十万分之几 rate is 3
    if r.money_scale is not None:
        if metric.type != "money":
            if metric.type == "count" and metric.unit not in _MONEY:
                value = r.value * r.money_scale  # 3万户
            else:
                raise NumberError(f"「{metric.label}」不是金额，收到：{original}")
        else:
            value = r.value * r.money_scale / Decimal(_MONEY.get(metric.unit, 1))
    if metric.type == "count" and value != value.to_integral_value():
        raise NumberError(f"「{metric.label}」应是整数，收到：{original}")
    return _check(metric, value, original)


def _percent(metric: Metric, r: Reading, original: str) -> Decimal:
    """A percent metric: 95% and 百分之九十五 are explicit, and a bare 95 is 95%. A bare number
    that reads two ways within the metric's range is asked, not guessed: 0.8 (80% or 0.8%? a
    不良贷款率 is often below 1%) or, where more than 100% is possible, 1.5 (1.5% or 150%).
    0 and 1 are 0% and 100%."""
    if r.fraction:
        return r.value
    if r.money_scale is not None:
        raise NumberError(f"「{metric.label}」是比例，收到：{original}")
    x = r.value
    as_percent, as_fraction = x / 100, x
    if x in (0, 1):
        return as_fraction
    # the likelier reading first: 0.95 is 95% before 0.95%, 1.5 is 1.5% before 150%
    order = [(as_fraction, "fraction"), (as_percent, "percent")] if abs(x) < 1 else \
        [(as_percent, "percent"), (as_fraction, "fraction")]
    readings = [v for v, how in order if in_range(metric, v)
                and not (how == "fraction" and abs(x) > 10)]  # 98 is never 9800%
    if len(readings) == 2:
        raise AmbiguousValue(original, [f"{_plain(v * 100)}%" for v in readings], metric.label)
    return readings[0] if readings else as_percent
