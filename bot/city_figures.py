"""A city scheme (示范城市评估) scores the city as one: whichever unit staff enter a figure for, it
is the city's figure, and a staff value (打分) replaces the one before it. The replies say so,
and what was replaced, so two departments' 打分 are never taken for two separate records.

An item the scheme scores per responsible unit (`per_unit`, 各责任单位分别计分) is the exception:
each unit's figure is its own, a staff value replaces only that unit's earlier one, and the
reply says the unit's figure was kept and what the city's points on the item now are."""
from __future__ import annotations

from typing import Any

from bot.context import Ctx
from ledger import submissions as subs
from ledger.facts import CITY, all_facts, single_indicator
from ledger.units import Unit, list_units
from scoring.card import STATUS_ZH, Scorecard, fmt, pts
from scoring.engine import PER_UNIT_ZH
from schemes.model import Indicator

__all__ = ["replaced_points", "city_note", "per_unit_lines", "city_values"]


def replaced_points(ctx: Ctx, ind: Indicator, metric: str,
                    unit: Unit | None = None) -> tuple[str, object] | None:
    """The standing staff entry for `metric` of `ind` (unit name, value) that a new one
    replaces: the city's, or on an item scored per unit, `unit`'s own."""
    if not ctx.office.city_level:
        return None
    names = {u.id: u.name for u in list_units(ctx.db)}
    own = unit.id if ind.per_unit is not None and unit is not None else None
    prior = [a for a in subs.list_adjustments(ctx.db, year=ctx.office.year)
             if a["indicator"] == ind.code and isinstance(a["value"], dict)
             and a["value"].get("metric") == metric and own in (None, a["unit_id"])]
    if not prior:
        return None
    last = prior[-1]
    return names.get(last["unit_id"], "?"), last["value"].get("points")


def city_values(ctx: Ctx, ind: Indicator) -> dict[str, Any]:
    """The city's figures on `ind` as scored now (departments' counts added, other values the
    newest), to tell a 代报 what it changed; {} off a city scheme or on an item scored per unit."""
    if not ctx.office.city_level or ind.per_unit is not None:
        return {}
    off = single_indicator(ctx.office, ind.code) or ctx.office
    entry = all_facts(ctx.db, off, ctx.today, ctx.cal, only=ind.code if off is not ctx.office else None)
    return {k: v for k, v in entry[CITY].get(ind.code, {}).items() if not str(k).startswith("_")}


def city_note(ctx: Ctx, unit: Unit, before: tuple[str, object] | None = None, what: str = "分",
              ind: Indicator | None = None, changed: str = "", shares: bool = False) -> str:
    """'（全市计分：…）' for a city scheme's reply, '' otherwise. A staff value replaces the
    one before it (`before`); figures entered for several units are the city's together —
    unless `ind` is scored per unit, when they are each unit's own. `changed` says what a 代报
    did to the city's figures; `shares` when they are counts the departments' entries add to."""
    if not ctx.office.city_level:
        return ""
    replaced = ""
    if before is not None:
        who, value = before
        replaced = f"；替换了此前{'' if who == unit.name else who + '录入的'} {value}{what}"
    if ind is not None and ind.per_unit is not None:
        ctx._cards = None  # the figure just written
        city = ctx.cards()[CITY].item(ind.code)
        return (f"（分别计分：本项按责任单位分别计分，这是{unit.name}自己的数值{replaced}；"
                f"全市本项取各单位{PER_UNIT_ZH[ind.per_unit]}，现为 {fmt(city.points)}/{fmt(city.max_points)} 分）")
    if shares:  # departments' counts add up: the entry is this unit's share of the city's figure
        return f"（全市计分：各单位的数量相加为全市的数值，这是{unit.name}的部分{'；' + changed if changed else ''}）"
    return f"（全市计分：这是全市的数值，{unit.name}只是录入单位{replaced}{'；' + changed if changed else ''}）"


def per_unit_lines(card: Scorecard) -> list[str]:
    """The city card's items scored per unit, each with its units best first (ties share the
    better place): what 排名 shows of a city scheme besides the city's own card."""
    lines = []
    for it in card.items:
        if not it.units:
            continue
        lines.append(f"{it.code} {it.name}（全市 {pts(it.points)}/{pts(it.max_points)}）：")
        for place, name, own in it.unit_places():
            state = "" if own.status in ("scored", "reported") else f"（{STATUS_ZH[own.status]}）"
            lines.append(f"  {place}. {name} {pts(own.points)}{state}")
    return (["", "分别计分的指标（各责任单位的得分）："] + lines) if lines else []
