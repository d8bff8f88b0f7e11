"""What one table cell says: its text without markup, points in brackets（N分）, whether it reads
as rules, a title, or only names units.
"""
from __future__ import annotations

import re
from decimal import Decimal

from authoring.rule_words import NUM, normalise, parse_number
from authoring.units import looks_like_units

CN_ORDINAL = r"[一二三四五六七八九十]+"
# markup left by conversion (<p>, </li>, <input …>); a '<' before a space or digit is 小于
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


_POINTS_IN = re.compile(rf"[(（]\s*({NUM})\s*分?\s*[)）]")


def _points(text: str) -> Decimal | None:
    t = normalise(text)
    m = re.fullmatch(rf"({NUM})分?", t)
    if m:
        return parse_number(m.group(1))
    m = re.search(rf"({NUM})分", t)
    return parse_number(m.group(1)) if m and len(t) < 12 else None


def _name_points(text: str) -> tuple[str, Decimal | None]:
    """'工作保障（2分）' -> ('工作保障', 2)."""
    t = re.sub(r"\s+", "", _TAG.sub("", text))
    m = _POINTS_IN.search(t)
    if m:
        return (t[:m.start()] + t[m.end():]).strip(), parse_number(m.group(1))
    return t, None


def _is_title(text: str) -> bool:
    t = re.sub(r"[#*\s]", "", text)
    return (4 <= len(t) <= 60 and bool(re.search(r"(细则|指标|清单|台账|办法|考核表|评分表|要点|建设标准|评分标准)(（.*）|\(.*\))?$", t))
            and not t.startswith("附件:") and not t.startswith("附件："))


def _looks_like_rules(text: str) -> bool:
    return bool(re.search(r"【|[·•]|(?:得|加|扣|减)\s*\d+(?:\.\d+)?\s*分|酌情|一票否决|计分|赋分", text))


def _only_units(text: str) -> str:
    """A 责任单位 cell into which OCR ran a paragraph of the 落实路径 column beside it
    ('<p>…完善出台政策措施，及时反馈…</p> <p>市工商局、市食药监局…</p>'): keep the paragraphs
    that are lists of units, when some are."""
    # markup is gone by now; paragraphs are what wide gaps and line breaks separate
    paras = [p.strip() for p in re.split(r"<p[^>]*>|</p>|\n|\s{2,}", text) if p.strip()]
    units = [p for p in paras if looks_like_units(p)]
    if not units or len(units) == len(paras):
        return text
    # the units a prose paragraph names (…；市信用信息中心、市大数据公司提供技术支持) are the
    # row's units too: the cell is 责任单位 whatever else OCR ran into it
    return "\n".join(units)
