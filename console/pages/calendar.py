"""截止: every deadline of the assessment year (a liaison: those of their unit's items)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

from console import readers, web

__all__ = ["bp"]

bp = Blueprint("calendar", __name__)


@bp.get("/calendar")
@web.signed_in
def calendar(session: Any) -> Any:
    d = web.desk(session)
    own = None if session.member.is_staff else web.own(session)
    mine = {i.code for i in d.indicators(own)}
    rows = [r for r in readers.year_calendar(d) if r[1].code in mine]
    return web.page("calendar.html", session, **web.switch(d), rows=rows, today=d.today, cal=d.cal)
