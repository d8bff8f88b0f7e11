"""截止 for staff: for each deadline of the year, who filed on time, who late (and how late) and
who has not filed — counted as the chat's 未交 counts the 月报: a unit has filed when a record
of the period stands (waiting, approved or rejected); it was on time when any of them was; a
late one is as late as its first.

Which records complete a period is the ledger's rule (ledger.facts.period_gaps): the 月报 by
its briefing, a quarterly 台账 by its report (or a briefing), any other item by any record."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from console.readers import Desk, year_calendar
from ledger.facts import briefing_indicator
from ledger.submissions import year_filings
from ledger.units import Unit
from schemes.asks import needs_report
from schemes.model import Indicator
from worktime.period import Deadline

__all__ = ["Filed", "DeadlineCount", "STATES", "deadline_counts"]

STATES = {"on_time": "按时", "late": "逾期", "missing": "未报送"}


@dataclass(frozen=True)
class Filed:
    unit: Unit
    received: date | None  # the first standing record's day (None: not filed)
    days_late: int = 0
    workdays_late: int = 0


@dataclass
class DeadlineCount:
    day: date
    indicator: Indicator
    info: Deadline
    passed: bool  # the deadline is behind us: not filed is 未报送, not just 尚未报送
    on_time: list[Filed] = field(default_factory=list)
    late: list[Filed] = field(default_factory=list)
    missing: list[Filed] = field(default_factory=list)

    @property
    def period(self) -> str:
        return self.info.period

    def of(self, state: str) -> list[Filed]:
        return {"on_time": self.on_time, "late": self.late, "missing": self.missing}[state]


def _kinds(ind: Indicator, briefing: Indicator | None) -> tuple[str, ...] | None:
    if briefing is not None and ind.code == briefing.code:
        return ("briefing",)
    if needs_report(ind):
        return ("report", "briefing")
    return None  # any record


def deadline_counts(desk: Desk) -> list[DeadlineCount]:
    """Every deadline of the year (soonest first) with its units sorted into on time, late and
    not filed; the units are those the scheme assesses and that answer for the item."""
    cal = desk.cal
    briefing = briefing_indicator(desk.office.scheme)
    units = desk.units()
    answer = {u.id: {i.code for i in desk.indicators(u)} for u in units}
    filed: dict[tuple[str, str], dict[int, list[Any]]] = {}  # (code, period) -> unit -> records
    for unit_id, code, period, kind, on_time, received in year_filings(desk.db, desk.office.year):
        filed.setdefault((code, period), {}).setdefault(unit_id, []).append((kind, on_time, received))
    out = []
    for day, ind, info in year_calendar(desk):
        code, kinds = ind.code, _kinds(ind, briefing)
        row = DeadlineCount(day, ind, info, passed=day < desk.today)
        of_period = filed.get((code, info.period), {})
        last = day.isoformat()
        for unit in units:
            if code not in answer[unit.id]:
                continue
            recs = [r for r in of_period.get(unit.id, ()) if kinds is None or r[0] in kinds]
            if not recs:
                row.missing.append(Filed(unit, None))
                continue
            got = date.fromisoformat(recs[0][2][:10])
            if any(t if t is not None else r[:10] <= last for _, t, r in recs):
                row.on_time.append(Filed(unit, got))
            else:
                row.late.append(Filed(unit, got, (got - day).days, cal.workdays_between(day, got)))
        row.late.sort(key=lambda f: (-f.days_late, f.unit.name))
        out.append(row)
    return out
