"""截止: every deadline of the assessment year (a liaison: those of their unit's items); staff
see, per deadline, how many units filed on time, late and not at all, each count opening its
list of units."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from console import readers, web
from console.auth import Denied
from ledger.db import data_version
from console.deadlines import STATES, deadline_counts

__all__ = ["bp"]

bp = Blueprint("calendar", __name__)


@bp.get("/calendar")
@web.signed_in
def calendar(session: Any) -> Any:
    d = web.desk(session)
    cal = d.cal
    if session.member.is_staff:
        counts = _counts(d)
        rows = [(c.day, c.indicator, c.info) for c in counts]
        return web.page("calendar.html", session, **web.switch(d), rows=rows, today=d.today,
                        cal=cal, counts=counts, units_total=len(d.units()))
    own = web.own(session)
    mine = {i.code for i in d.indicators(own)}
    rows = [r for r in readers.year_calendar(d) if r[1].code in mine]
    return web.page("calendar.html", session, **web.switch(d), rows=rows, today=d.today, cal=cal,
                    counts=None)


def _counts(d: readers.Desk) -> list[Any]:
    """The year's counts, kept while the ledger and the day are unchanged (200 units × 30
    deadlines are worth reading once, not on every look)."""
    kept = web.console().deadline_counts
    key = (d.office.scheme.id, d.office.year)
    version = data_version(d.db)
    hit = kept.get(key)
    if hit is not None and hit[0] == version and hit[1] == d.today:
        return hit[2]
    counts = deadline_counts(d)
    kept[key] = (version, d.today, counts)
    return counts


@bp.get("/calendar/filings")
@web.staff_only
def filings(session: Any) -> Any:
    """The units behind one count: who filed a deadline's period on time, late, or not yet."""
    d = web.desk(session)
    code, period, state = (request.args.get(k, "") for k in ("code", "period", "state"))
    found = next((c for c in _counts(d) if c.indicator.code == code and c.period == period),
                 None)
    if found is None:
        raise Denied(404, f"{d.office.year}年度没有这个截止事项（{code} {period}）。")
    state = state if state in STATES else "missing"
    return web.page("filings.html", session, **web.switch(d), c=found, state=state,
                    states=STATES, shown=found.of(state), today=d.today)
