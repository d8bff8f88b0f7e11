"""Rules that stop making sense for a small office: 「前三名得5分」 and 「后三名不得分」 both
apply to the same unit when fewer than six units are ranked, and the engine would silently
take the first. `scheme check`, `unit add` and `unit import` say so, naming the rule and the
unit count. A pure function of the scheme."""
from __future__ import annotations

from dataclasses import dataclass

from schemes.model import Rank, Scheme

__all__ = ["RankOverlap", "rank_overlaps"]


@dataclass(frozen=True)
class RankOverlap:
    code: str
    name: str
    top_n: int
    bottom_n: int

    @property
    def needs(self) -> int:
        """Units needed for the top and the bottom groups to be apart."""
        return self.top_n + self.bottom_n

    def describe(self, units: int | None = None) -> str:
        count = f"本办只有 {units} 个单位，" if units is not None else ""
        return (f"{self.code} {self.name}：前{self.top_n}名 与 后{self.bottom_n}名 的规则"
                f"在少于 {self.needs} 个单位时重叠（{count}同一单位既是前{self.top_n}名又是后"
                f"{self.bottom_n}名，将按前{self.top_n}名计分），请与方案制定部门确认")


def rank_overlaps(scheme: Scheme, units: int | None = None) -> list[RankOverlap]:
    """The top/bottom rank rules of `scheme` that overlap with `units` ranked units (every
    such rule, whatever the count, when `units` is None)."""
    found = []
    for _, ind in scheme.indicators():
        for part in ind.parts:
            if isinstance(part, Rank) and part.method == "top_bottom":
                rule = RankOverlap(ind.code, ind.name, part.top_n, part.bottom_n)
                if units is None or 1 < units < rule.needs:
                    found.append(rule)
    return found
