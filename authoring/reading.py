"""What a bullet was read as (`Reading`), and the pieces every rule reader shares: caps,
points (得X分 / a bare X分), the subject of a clause, metric entries, links between bullets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from authoring.rule_words import NUM, parse_number, plain

KIND_ZH = {
    "checklist": "达标得分", "per_item": "按个数计分", "formula": "公式计分", "piecewise": "分段计分",
    "bands": "分档计分", "rank": "排名赋分", "deduction": "扣分", "discretionary": "酌情计分",
    "pass_fail": "达标门槛", "task": "工作任务",
}


@dataclass
class Reading:
    """What one bullet is read as. `kind` None means not recognised (`reason` says why)."""

    text: str
    kind: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    reason: str = ""
    points: Decimal | None = None  # the most this bullet can give (None: unknown)
    gate: str | None = None  # "veto" / "basic" when the bullet is a gate
    links: list[int] = field(default_factory=list)  # 1-based bullets that also score 0
    each_of: list[str] = field(default_factory=list)  # 水费、电费…各得2分: one part per name
    label: str = ""

    def part(self) -> dict[str, Any]:
        """The part as scheme data (without id/requires, which need the indicator)."""
        out: dict[str, Any] = {"kind": self.kind or "discretionary"}
        if self.label:
            out["label"] = self.label
        out.update(self.params)
        if self.points is not None and "max_points" not in out and self.kind not in (
                "pass_fail", "task"):
            out["max_points"] = self.points
        out["text"] = self.text
        return out

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "kind_zh": KIND_ZH.get(self.kind or "", "待确认"),
                "params": plain(self.params), "metrics": plain(self.metrics),
                "points": plain(self.points), "gate": self.gate, "links": self.links,
                "each_of": self.each_of,
                "words": self.words, "reason": self.reason or None, "label": self.label}


class _Unsure(Exception):
    """A reader saw what the bullet is but no single rule can say it (two deductions in one
    bullet, a ratio without its terms): the bullet is 待确认 and no later reader may guess.
    `points`: the most it gives when the bullet says so (按数量计分，最高10分), so a finer note
    (评分细则) of the same points can be paired with it."""

    def __init__(self, reason: str, points: Decimal | None = None):
        super().__init__(reason)
        self.points = points

_CAP = re.compile(rf"(?:最高|最多|最高不超过|不超过|不得超过|满分|上限|封顶|最高计|最多计|最高得|总加分不得超过|总分|共|占)"
                  rf"(?:的|得|计|加|扣|为)?(?P<n>{NUM})分")
# points written without a verb: 报送的，10分； / 开展宣传活动2分 / 开展宣传月活动（1分）. Not a total
# (满分5分, 本项3分, 最高3分, 占4分) nor part of a number or range (二十分, 1至2分).
_NOT_BEFORE = "满项值为共高多扣减计得加记给予赋过占至到顶限总本分最前后第零〇一二两三四五六七八九十百千"
_BARE = (rf"(?<=[\u4e00-\u9fff”\",，])(?<![{_NOT_BEFORE}])(?P<bare>{NUM})分(?=[;；。,，)）]|$)"
         # 信用环境（2分） alone is a heading; 宣传资料（展板、标语）（10分）。 after an aside too
         rf"|(?<=[\u4e00-\u9fff)）][(（])(?P<par>{NUM})分[)）](?=[;；。,，])")
_POINTS = re.compile(rf"(?:得|计|加|记|给予?|赋)(?P<n>{NUM})分|{_BARE}")


def _pts(m: re.Match) -> Decimal:
    """The points of a _POINTS (or _GOT) match; 不得分 is 0."""
    n = next((m.group(g) for g in ("n", "bare", "par") if g in m.re.groupindex and m.group(g)), None)
    return parse_number(n) if n else Decimal(0)
_SUBJECT_END = re.compile(r"(?:的|者)?[,，:：]?$")


def _cap(t: str) -> tuple[Decimal | None, str]:
    m = _CAP.search(t)
    return (parse_number(m.group("n")), m.group(0)) if m else (None, "")


def _subject(t: str, stop: int) -> str:
    """The words before the rule (建立信用修复机制的，得1分 -> 建立信用修复机制)."""
    s = t[:stop]
    s = re.sub(r"^(?:\(?\d{1,2}[)、.．]|[一二三四五六七八九十]+、|\(\S{1,2}\))", "", s)
    s = re.sub(r"(?:以此为基数)?(?:每|按|凡|对|如|若|各|分别)$", "", s)
    s = s.rstrip(",，;；:：。")
    s = re.sub(r"(?:的|者|即可)$", "", s)
    return s.strip(",，;；:：。、")[:60]


def _metric(name: str, label: str, type_: str, unit: str = "", **extra: Any) -> dict[str, Any]:
    out = {"name": name, "label": label or name, "type": type_}
    if unit:
        out["unit"] = unit
    out.update(extra)
    return out


def _links(t: str) -> list[int]:
    """未按时报送…的不得分且第二条也不得分 -> [2]."""
    out = []
    for m in re.finditer(rf"第({NUM})(?:条|项|款)(?:也|亦|均|同时)?(?:不得分|不计分|为0分|得0分)", t):
        out.append(int(parse_number(m.group(1))))
    return out


_FULL_MARK = re.compile(rf"(?:(?:本项|此项|该项|本指标|本条)(?:满分)?(?:为|计)?|满分(?:为)?|^|[:：])(?P<n>{NUM})分(?![/之])")
