"""What sending a report on time is worth to one unit now: the points its item scores with the
period in on time, less the points it scores without it, by the engine and against the other
units as they stand. A reminder or `缺项` says this, not the item's full value: a missing
quarterly 台账 costs what the timeliness parts give (and what requires them), and nothing once
an earlier period was already missed. Pure: no ledger, no clock."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from schemes.model import Indicator, Scheme
from scoring.engine import score

__all__ = ["timeliness_metric", "on_time_stake"]

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
