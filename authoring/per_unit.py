"""A city document that scores each 责任单位 on its own (各责任单位分别计分): the draft proposes
`per_unit` for the item, with how the city's points are made from the units' when the text
says it (平均 / 最低 / 之和), and asks when it does not or names no unit."""
from __future__ import annotations

import re
from typing import Any

from schemes.loader import UNRESOLVED

__all__ = ["mark_per_unit"]

_SEPARATELY = re.compile(r"(?:各|每个)?(?:责任|牵头)?单位(?:分别|各自|单独)(?:计分|打分|评分|考核|赋分)|"
                         r"分别对各?(?:责任)?单位(?:计分|打分|评分|考核)|按(?:责任)?单位分别(?:计分|考核)")
_HOW = (("mean", re.compile(r"平均")), ("lowest", re.compile(r"最低|最少的|取低")),
        ("sum", re.compile(r"之和|合计|相加|累计")))


def mark_per_unit(ind: dict[str, Any]) -> None:
    """Set `per_unit` on a drafted indicator of a city scheme whose words score each unit."""
    words = " ".join([ind.get("content", "")] + [p.get("text", "") for p in ind.get("parts", [])])
    found = _SEPARATELY.search(words)
    if not found:
        return
    _drop_from_labels(ind)
    tail = words[found.end():found.end() + 40]
    how = [k for k, pat in _HOW if pat.search(tail)]
    ind["per_unit"] = how[0] if len(how) == 1 else "mean"
    asks = []
    if len(how) != 1:
        asks.append("原文写明各责任单位分别计分，但没有写明全市得分如何由各单位得分得出：已暂按平均（per_unit: mean），"
                    "请核对（可改为 lowest 取最低、sum 取合计）")
    if not ind.get("lead") and not ind.get("responsible"):
        asks.append("分别计分需要列出责任单位（responsible）")
    if asks:
        ind[UNRESOLVED] = "；".join(filter(None, [ind.get(UNRESOLVED), *asks]))


def _drop_from_labels(ind: dict[str, Any]) -> None:
    """'各责任单位分别计分，全市取平均。按时报送率' -> '按时报送率': the clause says how the item is
    scored, it is not the name of what is measured."""
    for thing in [*ind.get("parts", []), *ind.get("metrics", [])]:
        label = thing.get("label", "")
        found = _SEPARATELY.search(label)
        if found:
            end = re.search(r"[。；;]", label[found.end():])
            rest = label[found.end() + end.end():].strip() if end else ""
            if rest:
                thing["label"] = rest
