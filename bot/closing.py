"""Closing a year: what is still waiting for review (待审) or overdue, said before the year is
frozen — once closed, none of it can be reviewed or sent any more, so the office decides
knowingly (chat 「关闭年度 2022 确认」, CLI `year close 2022 --yes`)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from ledger import submissions as subs
from ledger.facts import period_gaps
from ledger.office import office_for_kind
from ledger.units import list_units
from worktime.calendar import WorkCalendar

__all__ = ["LooseEnds", "loose_ends"]


@dataclass
class LooseEnds:
    """A year's unfinished business, per unit."""

    year: int
    waiting: Counter = field(default_factory=Counter)  # unit name -> items waiting for review
    overdue: Counter = field(default_factory=Counter)  # unit name -> periods never sent

    def __bool__(self) -> bool:
        return bool(self.waiting or self.overdue)

    def lines(self, most: int = 5) -> list[str]:
        out = []
        for counts, what in ((self.waiting, "待审核"), (self.overdue, "逾期未报")):
            if counts:
                top = "、".join(f"{u} {n}" for u, n in counts.most_common(most))
                more = f" 等 {len(counts)} 个单位" if len(counts) > most else ""
                out.append(f"· {what} {sum(counts.values())} 条（{top}{more}）")
        return out


def loose_ends(db: sqlite_utils.Database, year: int, today: date,
               cal: WorkCalendar) -> LooseEnds:
    """What of `year` is still 待审 (submissions and files) or overdue (a 月报 or 台账 period
    past its deadline and never sent)."""
    found = LooseEnds(year)
    units = {u.id: u for u in list_units(db)}
    waiting, files = subs.awaiting_review(db, year=year)
    for row in [s.unit_id for s in waiting] + [e["unit_id"] for e in files]:
        if row in units:
            found.waiting[units[row].name] += 1
    for unit in units.values():
        off = office_for_kind(db, unit.kind, year)
        if not off.assesses(unit.kind) or off.city_level:
            continue
        for gaps in period_gaps(db, off, unit.id, today, cal).values():
            missing = sum(1 for _, state, dl in gaps if state == "missing" and dl < today)
            if missing:
                found.overdue[unit.name] += missing
    return found
