"""The words and numbers of rule text: normalised punctuation, Chinese and Arabic numerals,
ratios (%, ‰, 万分之), and plain values for YAML. Pure functions.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from worktime.numerals import read_int

CN_NUM = "[零〇一二两三四五六七八九十百千]+"
NUM = rf"(?:\d+(?:\.\d+)?|{CN_NUM}|半)"
# a measure word after a count: 每个, 每起, 每10个, 每1个领域
MEASURE = ("个工作日|个|起|件|项|次|家|条|户|人|名|所|份|篇|期|场|笔|宗|例|批|类|种|天|小时|位|台|处|页|张|"
           "点(?<!百分点)")


def normalise(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), no spaces or bullet marks."""
    # ①② mark bullets: NFKC would make them digits glued to the words (①覆盖率 -> 1覆盖率)
    t = re.sub(r"(^|(?<=[\s;；。,，:：]))[\u2460-\u2473\u2776-\u277f\u2780-\u2793]", r"\1", text or "")
    t = unicodedata.normalize("NFKC", t)
    # HTML fragments left by OCR/conversion; '< 2%' (小于) is not one
    t = re.sub(r"</?[A-Za-z][^<>]{0,200}>", "", t)
    # LaTeX left by OCR: $\geq 70\%$, \text{兑现率}, \times
    t = re.sub(r"\\(?:text|mathrm|textrm)\s*\{([^{}]*)\}", r"\1", t)
    t = re.sub(r"\$?\\geq?\s*", "≥", t)
    t = re.sub(r"\$?\\leq?\s*", "≤", t).replace("$", "")
    t = t.replace("\\%", "%").replace("\\times", "*").replace("\\cdot", "*").replace("\\div", "/")
    t = t.replace("\\lt", "<").replace("\\gt", ">")
    t = t.replace("\u3000", " ")
    t = re.sub(r"\s+", "", t)
    t = t.replace("％", "%").replace("×", "*").replace("÷", "/").replace("—", "-").replace("~", "-")
    return t.lstrip("·•●◆-*□■☐")


def parse_number(s: str) -> Decimal:
    """'0.5', '十', '两', '半' -> Decimal."""
    if s == "半":
        return Decimal("0.5")
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return Decimal(s)
    return Decimal(read_int(s, lone_units=True))  # the one Chinese-numerals reader


# a ratio as written: 5%, 百分之五, 3‰, 千分之三, 万分之一, 十万分之二 -> fraction
_RATIO = re.compile(
    rf"(?P<den>十万分之|万分之|千分之|百分之)(?P<a>{NUM})|(?P<b>{NUM})(?P<sym>%|‰|个百分点)?")
_DEN = {"百分之": 100, "千分之": 1000, "万分之": 10000, "十万分之": 100000}
_SYM = {"%": 100, "‰": 1000, "个百分点": 100}


def _ratio(m: re.Match) -> tuple[Decimal, bool]:
    """The value of a _RATIO match and whether it was written as a ratio."""
    if m.group("den"):
        return parse_number(m.group("a")) / _DEN[m.group("den")], True
    v = parse_number(m.group("b"))
    if m.group("sym"):
        return v / _SYM[m.group("sym")], True
    return v, False


def ratio_of(text: str) -> tuple[Decimal, bool]:
    """_ratio of a text a pattern matched as RATIO_TEXT (so it is one)."""
    m = _RATIO.fullmatch(text)
    if m is None:
        raise ValueError(f"不是比率：{text}")
    return _ratio(m)


RATIO_TEXT = rf"(?:(?:十万分之|万分之|千分之|百分之){NUM}|{NUM}(?:%|‰|个百分点)?)"


def plain(v: Any) -> Any:
    """Decimals, dates and tuples as YAML/JSON write them (6 not 6.0, 0.1 not '0.1')."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _fmt(v: Decimal) -> str:
    return format(v.normalize(), "f")
