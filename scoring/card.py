"""The scorecard: what a unit scored on each indicator, how, and what is missing."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["Q", "q", "fmt", "pts", "PartResult", "ItemCard", "Scorecard", "STATUS_ZH"]

Q = Decimal("0.0001")

STATUS_ZH = {
    "scored": "已计分",
    "provisional": "待审核",
    "missing": "未报送",
    "overdue": "已逾期",
    "rejected": "已驳回",
    "not_applicable": "不适用",
    "reported": "已报告",
}


def q(value: Decimal | float | int) -> Decimal:
    """Round points to 4 places, half up (the documents never need more)."""
    return Decimal(str(value)).quantize(Q, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None, places: int = 4) -> str:
    """Points for people: 1.3333, 5, 0.5 — no trailing zeros. Explanations keep 4 places (the
    documents' own worked numbers); totals and tables use `places=2`."""
    if value is None:
        return "—"
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(rounded.normalize(), "f")
    return "0" if text in ("-0", "") else text


def pts(value: Decimal | None) -> str:
    """Points in cards, rankings and lists: 2 decimal places, as score sheets print them."""
    return fmt(value, 2)


@dataclass
class PartResult:
    label: str
    kind: str
    points: Decimal
    max_points: Decimal | None
    explain: str
    missing: list[str] = field(default_factory=list)
    complete: bool = True  # all metrics the part reads were present
    # The points before rounding (2/3 of a rank step): items and totals add these and round
    # once, so 46.2333… shows as 46.2333, never as a sum of rounded parts. None: `points`.
    exact: Decimal | None = None

    @property
    def value(self) -> Decimal:
        return self.points if self.exact is None else self.exact


@dataclass
class ItemCard:
    code: str
    name: str
    category: str
    section: str
    points: Decimal | None
    max_points: Decimal | None
    status: str
    explain: str
    missing: list[str] = field(default_factory=list)
    parts: list[PartResult] = field(default_factory=list)
    gate: str | None = None  # "basic" | "veto" | "no_excellent"
    gate_passed: bool | None = None
    evidence: str = ""
    responsible: list[str] = field(default_factory=list)
    note: str = ""
    exact: Decimal | None = None  # `points` before rounding (see PartResult.exact)
    # An item scored per responsible unit (per_unit): each unit's own item, by unit name; the
    # points above are the city's, made from theirs.
    units: dict[str, "ItemCard"] = field(default_factory=dict)
    per_unit: str | None = None  # how the city's points are made from the units': mean | lowest | sum

    @property
    def value(self) -> Decimal | None:
        """The points to add up: exact, rounded only where shown."""
        return self.points if self.exact is None else self.exact

    def unit_places(self) -> list[tuple[int, str, "ItemCard"]]:
        """An item scored per unit: its units best first with their place among them (ties
        share the better place) — the order of 排名, the console and the 通报."""
        order = sorted(self.units.items(), key=lambda kv: (-(kv[1].value or 0), kv[0]))
        out: list[tuple[int, str, ItemCard]] = []
        for n, (name, own) in enumerate(order, start=1):
            tied = out and (own.value or 0) == (out[-1][2].value or 0)
            out.append((out[-1][0] if tied else n, name, own))
        return out

    @property
    def lost(self) -> Decimal:
        if self.points is None or self.max_points is None or self.section != "base":
            return Decimal(0)
        return self.max_points - self.points

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "category": self.category,
            "points": _num(self.points),
            "max_points": _num(self.max_points),
            "status": self.status,
            "explain": self.explain,
            "missing": self.missing,
            "gate_passed": self.gate_passed,
        }
        if self.units:
            out["units"] = {u: {"points": _num(i.points), "status": i.status, "explain": i.explain}
                            for u, i in self.units.items()}
        return out


def _num(v: Decimal | None) -> float | int | None:
    if v is None:
        return None
    v = q(v)
    return int(v) if v == v.to_integral_value() else float(v)


@dataclass
class Scorecard:
    scheme_id: str
    unit: str | None
    items: list[ItemCard]
    base: Decimal | None
    bonus: Decimal | None
    deductions: Decimal | None
    total: Decimal | None
    band: str | None
    band_before_downgrade: str | None
    gates_passed: bool
    counted: bool  # False when a gate failed: the total does not count
    events: list[str] = field(default_factory=list)
    rank: int | None = None
    rank_of: int | None = None
    categories: list[tuple[str, Decimal | None, Decimal | None]] = field(default_factory=list)

    def item(self, code: str) -> ItemCard:
        for it in self.items:
            if it.code == code:
                return it
        raise KeyError(code)

    def for_unit(self, unit: str) -> "Scorecard":
        """The city's card as one responsible unit reads it: each item scored per unit shows
        that unit's own points (the city's beside them, in its explanation); totals stay the
        city's. The card itself is not modified."""
        if not any(unit in i.units for i in self.items):
            return self
        items = []
        for it in self.items:
            own = it.units.get(unit)
            if own is None:
                items.append(it)
                continue
            items.append(replace(own, explain=f"本单位分别计分（全市本项 {fmt(it.points)} 分）：{own.explain}"))
        return replace(self, items=items)

    def weakest(self, n: int = 3) -> list[ItemCard]:
        lost = [i for i in self.items if i.lost > 0]
        return sorted(lost, key=lambda i: i.lost, reverse=True)[:n]

    def to_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme_id,
            "unit": self.unit,
            "total": _num(self.total),
            "base": _num(self.base),
            "bonus": _num(self.bonus),
            "deductions": _num(self.deductions),
            "band": self.band,
            "band_before_downgrade": self.band_before_downgrade,
            "gates_passed": self.gates_passed,
            "counted": self.counted,
            "events": self.events,
            "rank": self.rank,
            "rank_of": self.rank_of,
            "categories": [{"name": n, "points": _num(p), "max_points": _num(m)}
                           for n, p, m in self.categories],
            "indicators": [i.to_json() for i in self.items],
        }
