"""Unit names as a 考核细则 prints them -> the names a scheme lists under lead / responsible.

A document names the same unit several ways: 市工商局 in one row and 工商局 in the next,
市文广新局 7 项 (with its share of the work), 民政局负责, 铁山区人民政府及信用主管部门. A draft
that keeps them as printed gives staff three units where there is one, and a liaison of
市工商局 would not be asked for the rows that say 工商局. So names are cleaned here and then
settled against the names the same document prints in full.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["parse_units", "unit_list", "prose_units", "settle_names", "looks_like_units"]

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")

# what ends an organisation's name; 行 only as a bank (市人行, 中心支行), since 行政 starts words
_SUFFIX = (r"(?:人民政府|政府|委员会|管委会|委|办公室|办|局|法院|检察院|院|中心|公司|单位|部门|"
           r"人行|支行|分行|银行|分局|协会|商会|室|所|队|厅|馆|社|站|海关)")
# a name in a sentence: a level word, up to 14 characters, a suffix, and a bracketed remark
# such as （价监局） or （财贸科）; 县（市）区 is a level too
_LEVEL = r"(?:各?县[(（]市[)）]区|各?县区|各?区县(?:[(（]市[)）])?|各?县[(（]区[)）]|市|各)"
# a cell's word ends like an organisation: the suffixes above, and 行/会/处/科 (a list such as
# '市人行   市财政局、市经信委' is names, not prose)
_ORG = re.compile(rf"(?:{_SUFFIX}|行|会|处|科)(?:[(（][^)）]*[)）])?等?$")
_IN_PROSE = re.compile(rf"市人行|{_LEVEL}(?:(?!会同|配合|协助|负责|组织|按照|提供)"
                       rf"[^\s、，,。；;：:()（）《》“”\"'<>]){{1,14}}?{_SUFFIX}"
                       r"(?:[(（][^()（）]{1,10}[)）])?")
# words after a name that say what the unit does, not who it is
_ROLE_TAIL = re.compile(r"(?:按职责分工负责|按职责负责|负责|配合|牵头|协助|参与|\d+项|[(（]\d+项[)）])$")


def parse_units(text: str) -> tuple[list[str], list[str]]:
    """'牵头单位：市发展改革委；责任单位：A、B' -> (lead, responsible). Words ending in 牵头
    ('市信用办、市文明办牵头，县区人民政府') are leads too."""
    t = _TAG.sub(" ", text or "").strip()
    t = re.sub(r"\s{2,}|\n", "、", t)  # units on separate lines (or far apart in OCR text)
    t = re.sub(r"\s+", "", t)
    if not t:
        return [], []
    lead: list[str] = []
    resp: list[str] = []
    parts = re.split(r"(牵头单位|责任单位|责任部门|牵头部门|配合单位)[:：]", t)
    if len(parts) > 1:
        target = resp
        for p in parts:
            if p in ("牵头单位", "牵头部门"):
                target = lead
            elif p in ("责任单位", "责任部门", "配合单位"):
                target = resp
            else:
                target += unit_list(p)
    else:
        for seg in re.split(r"[；;，,]", t):
            if seg.endswith("牵头"):
                lead += unit_list(seg[:-2])
            else:
                resp += unit_list(seg)
    # a list continued across a page may name a unit twice; a lead is not also a responsible
    resp = [u for u in dict.fromkeys(resp) if u not in lead]
    return list(dict.fromkeys(lead)), resp


def unit_list(text: str) -> list[str]:
    """'A、B和市C，D等相关部门' -> [A, B, 市C, D]; each name cleaned (see `_clean`)."""
    out = []
    # a mark inside brackets does not part two units: 各县（市、区）人民政府 is one
    depth, cut, pieces = 0, 0, []
    for k, ch in enumerate(text):
        depth += ch in "(（"
        depth -= ch in ")）" and depth > 0
        if depth == 0 and (ch in "、，,；;/。" or (ch == "和" and text[k + 1:k + 2] in ("市", "县", "区"))):
            pieces.append(text[cut:k])
            cut = k + 1
    pieces.append(text[cut:])
    for u in pieces:
        for v in _both(u):
            v = _clean(v)
            # a long phrase that does not end like an organisation is prose OCR ran in
            prose = len(v) > 12 and not re.search(rf"{_SUFFIX}(?:[(（][^()（）]*[)）])?$", v)
            if 2 <= len(v) <= 40 and not prose and not re.fullmatch(r"[\d\W]+", v):
                out.append(v)
    return out


def _both(name: str) -> list[str]:
    """'铁山区人民政府及信用主管部门': two units joined by 及/与, when each half is one."""
    halves = re.split(r"及|与", name)
    if len(halves) == 2 and all(re.search(f"{_SUFFIX}$", _clean(h)) and len(_clean(h)) >= 3
                                for h in halves):
        return halves
    return [name]


def _clean(name: str) -> str:
    u = re.sub(r"\s+", "", name).strip("。.：:")
    u = re.sub(r"等(?:相关)?(?:部门|单位)?$", "", u)
    for _ in range(2):  # '市文广新局7项负责'
        u = _ROLE_TAIL.sub("", u).strip()
    return u


def looks_like_units(text: str) -> bool:
    """'市人行   市财政局、市经信委': a cell of organisation names, not prose."""
    tokens = [x for x in re.split(r"[、，,；;\s]+", _TAG.sub(" ", text)) if x]
    return bool(tokens) and all(len(x) <= 30 for x in tokens) and \
        sum(bool(_ORG.search(x)) for x in tokens) >= 0.6 * len(tokens)


def prose_units(text: str) -> list[str]:
    """The units a sentence names: '市直相关单位和县（市）区人民政府按照…落实；市信用信息中心、
    市大数据公司提供技术支持' -> [市直相关单位, 县（市）区人民政府, 市信用信息中心, 市大数据公司]."""
    t = re.sub(r"\s+", "", _TAG.sub(" ", text or ""))
    t = re.sub(r"《[^《》]*》", "", t)  # a document's title names no unit
    return list(dict.fromkeys(_clean(m.group(0)) for m in _IN_PROSE.finditer(t)))


def settle_names(names: list[str], text: str | None = None) -> dict[str, str]:
    """Two spellings of one unit -> the one the document uses more: 工商局 -> 市工商局 when
    it mostly says 市工商局, and 市人行某某支行 -> 人行某某支行 when it mostly says that.
    Spellings differ by a leading 市/县/区 (and a trailing remark such as （价监局）). Uses are
    counted in the document's text when given, else among the names."""
    count: dict[str, int] = {}
    for n in names:
        count[n] = count.get(n, 0) + 1
    if text is not None:
        flat = re.sub(r"\s+", "", text)
        for n in count:
            # a bare name's uses are those not already counted for a longer spelling
            count[n] = flat.count(n) - sum(flat.count(p + n) for p in "市县区")
    out = {}
    for n in count:
        bare = re.sub(r"[(（][^()（）]*[)）]$", "", n)
        if len(bare) < 2:
            continue
        other = [f for f in count if f != n and re.fullmatch(rf"[市县区]{re.escape(bare)}", f)]
        other += [f for f in count if f != n and re.fullmatch(rf"[市县区]{re.escape(f)}", n)]
        if len(other) == 1 and count[other[0]] > count[n]:
            out[n] = other[0]
    return out
