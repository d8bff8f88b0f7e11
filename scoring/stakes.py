"""What sending a report on time is worth to one unit now: the points its item scores with the
period in on time, less the points it scores without it, by the engine and against the other
units as they stand. A reminder or `缺项` says this, not the item's full value: a missing
quarterly 台账 costs what the timeliness parts give (and what requires them), and nothing once
an earlier period was already missed. Pure: no ledger, no clock."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from schemes.model import Indicator, Scheme, metrics_read
from scoring.card import ItemCard
from scoring.engine import score

__all__ = ["timeliness_metric", "on_time_stake", "gain_now"]

ZERO = Decimal(0)


def timeliness_metric(ind: Indicator) -> str | None:
    """The metric that counts this item's reports in on time (derived by the ledger)."""
    return next((m.name for m in ind.metrics
                 if m.derived in ("on_time_count", "all_on_time")), None)


def on_time_stake(scheme: Scheme, facts_by_unit: Mapping[str, Mapping[str, Any]], unit: str,
                  code: str) -> Decimal | None:
    """Points `unit` gains on item `code` by sending the current period on time rather than
    not at all; None when the item counts no reports (its full value is then at stake)."""
    ind = next((i for _, i in scheme.indicators() if i.code == code), None)
    name = timeliness_metric(ind) if ind is not None else None
    if ind is None or name is None or unit not in facts_by_unit:
        return None
    derived = next(m.derived for m in ind.metrics if m.name == name)
    facts = facts_by_unit[unit]
    values = dict(facts.get(code) or {})
    now = values.get(name)
    if derived == "on_time_count":
        sent, missed = (now or 0) + 1, now or 0
    else:  # every elapsed period on time so far (or none elapsed yet), and this one too
        sent, missed = (True if now is None else bool(now)), False

    def points(value: Any) -> Decimal:
        mine = {**facts, code: {**values, name: value}}
        card = score(scheme, mine, peers={**facts_by_unit, unit: mine}, unit=unit)
        return card.item(code).points or ZERO

    return max(points(sent) - points(missed), ZERO)


def gain_now(scheme: Scheme, facts_by_unit: Mapping[str, Mapping[str, Any]], unit: str,
             item: ItemCard) -> Decimal | None:
    """What `unit` can still gain on `item` by acting now, for an item that counts reports in
    on time: an item that is nothing but that count (月报) gains what the next period on time
    is worth (`on_time_stake`); an item whose timeliness is already lost for the year (a 台账
    missed) gains only what its other parts can still give — never the parts that read the
    timeliness, nor those that require them (瞒报 without 台账). None: every point short of
    the max can still be won."""
    ind = scheme.indicator(item.code)
    name = timeliness_metric(ind) if ind is not None else None
    if ind is None or name is None or unit not in facts_by_unit:
        return None
    if all(metrics_read(p) <= {name} for p in ind.parts):
        return on_time_stake(scheme, facts_by_unit, unit, item.code)
    derived = next(m.derived for m in ind.metrics if m.name == name)
    now = (facts_by_unit[unit].get(item.code) or {}).get(name)
    if derived != "all_on_time" or now is None or bool(now) or len(item.parts) != len(ind.parts):
        return None
    ids = [p.id or f"p{n + 1}" for n, p in enumerate(ind.parts)]
    tied = {ids[n] for n, p in enumerate(ind.parts) if name in metrics_read(p)}
    grew = True
    while grew:  # what requires a tied part is tied too
        more = {ids[n] for n, p in enumerate(ind.parts) if set(p.requires) & tied} - tied
        tied |= more
        grew = bool(more)
    free = ZERO
    for pid, part, got in zip(ids, ind.parts, item.parts):
        cap = part.max_points if part.max_points is not None else ind.max_points
        if pid not in tied and cap is not None:
            free += max(cap - got.points, ZERO)
    short = (item.max_points or ZERO) - (item.points or ZERO)
    return max(min(free, short), ZERO)
