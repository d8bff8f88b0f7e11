"""A city scheme (示范城市评估) scores the city as one: whichever unit staff enter a figure for, it
is the city's figure, and a staff value (打分) replaces the one before it. The replies say so,
and what was replaced, so two departments' 打分 are never taken for two separate records."""
from __future__ import annotations

from bot.context import Ctx
from ledger import submissions as subs
from ledger.units import Unit, list_units
from schemes.model import Indicator

__all__ = ["replaced_points", "city_note"]


def replaced_points(ctx: Ctx, ind: Indicator, metric: str) -> tuple[str, object] | None:
    """The city's standing staff entry for `metric` of `ind` (unit name, value), before a new one."""
    if not ctx.office.city_level:
        return None
    names = {u.id: u.name for u in list_units(ctx.db)}
    prior = [a for a in subs.list_adjustments(ctx.db, year=ctx.office.year)
             if a["indicator"] == ind.code and isinstance(a["value"], dict)
             and a["value"].get("metric") == metric]
    if not prior:
        return None
    last = prior[-1]
    return names.get(last["unit_id"], "?"), last["value"].get("points")


def city_note(ctx: Ctx, unit: Unit, before: tuple[str, object] | None = None, what: str = "分") -> str:
    """'（全市计分：…）' for a city scheme's reply, '' otherwise. A staff value replaces the
    one before it (`before`); figures entered for several units are the city's together."""
    if not ctx.office.city_level:
        return ""
    note = f"（全市计分：这是全市的数值，{unit.name}只是录入单位"
    if before is not None:
        who, value = before
        note += f"；替换了此前{'' if who == unit.name else who + '录入的'} {value}{what}"
    return note + "）"
