"""The draft's outline as the tables give it: categories (`_Cat`) holding indicators (`_Ind`),
and the finished `Draft`; points printed in brackets and category headings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from authoring.reading import Reading
from authoring.rule_reader import read_rule
from authoring.bullets import split_bullets
from authoring.cell_text import CN_ORDINAL, _TAG


@dataclass
class _Ind:
    code: str
    name: str
    points: Decimal | None
    rules: list[str] = field(default_factory=list)
    content: str = ""
    evidence: str = ""
    responsible: str = ""
    due: str = ""
    note: str = ""
    gate: bool = False
    shared: bool = False  # points read from a category row's 分值, i.e. the category's
    from_rules: bool = False  # shared, in a table whose rows carry no 分值: their rules give it
    refined: dict[int, tuple[str, Reading]] = field(default_factory=dict)  # bullet -> 评分细则

    def used(self) -> Decimal:
        """Points this row's bullets can give, when each says (else its 分值)."""
        got = [read_rule(b).points for r in self.rules for b in split_bullets(r)]
        said = [p for p in got if p is not None]
        if got and len(said) == len(got):
            return min(sum(said, Decimal(0)), self.points or sum(said, Decimal(0)))
        return self.points or Decimal(0)


@dataclass
class _Cat:
    code: str
    name: str
    points: Decimal | None
    section: str = "base"
    split: bool = False  # one indicator per bullet (no indicator column, or 扣分情形)
    inds: list[_Ind] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # 评分细则 notes printed in its rows
    # opened by a sub-item numbered (一) again, before the category's own heading row: a merged
    # 项目 cell prints its text in the middle of its rows, so the heading comes further down
    provisional: bool = False
    spilled: bool = False  # its first row began with the end of the category above
    subs: list[str] = field(default_factory=list)  # its (一)(二)… in order


@dataclass
class Draft:
    """One drafted scheme: the data (with 待确认 lines), what to look at, and its source."""

    data: dict[str, Any]
    problems: list[str]
    unresolved: int
    source: str


def _cat_head(text: str) -> tuple[str, str] | None:
    """'一、政务诚信建设' -> ('一', '政务诚信建设'); '附加项：探索创新' -> ('附加', …)."""
    t = re.sub(r"\s+", "", _TAG.sub("", text))
    m = re.match(rf"^({CN_ORDINAL})[、.．]\s*(.+)$", t)
    if m:
        # '四、征信体系建设 （二）农村信用体系建设（3）': the sub-item shares the merged cell
        name = re.split(rf"(?<=.)[(（]{CN_ORDINAL}[)）]", m.group(2))[0]
        return m.group(1), name
    if re.match(r"^(附加|加分)", t) or "附加分" in t:
        t = re.sub(r"[(（]附加(?:分|项)?[)）]", "", t)
        return "附加", re.sub(r"^(附加项|附加分|加分项)[:：]?", "", t) or t
    return None
