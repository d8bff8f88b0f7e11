"""What every console page shares: the console's state on the app, the request's ledger
connection, the role guards, the desk (the scheme and year a page speaks of) and the page
renderer.

The page blueprints are module-level (console.pages.*); the app factory hands the chat over
once (`console.pages.install`) and pages reach it through `current_app`, so nothing at module
level holds an app, a connection or settings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app, g, render_template, request

from console import readers
from console.actions import nonce
from console.auth import Denied, require
from console.bridge import Chat
from ledger.db import LedgerError, data_version, open_db
from ledger.office import years
from ledger.units import Unit, get_unit

__all__ = ["Console", "EXTENSION", "console", "chat", "db", "close_db", "signed_in",
           "staff_only", "desk", "switch", "page", "nav", "unit_for", "own", "form_int",
           "whole", "arg_int", "SQLITE_MAX"]

EXTENSION = "creditbot.console"


@dataclass
class Console:
    """One app's console: the chat it speaks through, the month-total cache of the unit charts
    and the platform API clients (made on first use; their tokens are cached)."""

    chat: Chat
    history: readers.HistoryCache = field(default_factory=readers.HistoryCache)
    memo: readers.Memo = field(default_factory=readers.Memo)
    clients: dict[str, Any] = field(default_factory=dict)
    # 截止's counts per (scheme, year): (data version, day, counts), made again when either moves
    deadline_counts: dict[tuple[str, int], tuple[int, Any, Any]] = field(default_factory=dict)


def console() -> Console:
    return current_app.extensions[EXTENSION]


def chat() -> Chat:
    return console().chat


def db() -> Any:
    """The request's own ledger connection (closed by close_db at the end of the request)."""
    if "console_db" not in g:
        g.console_db = open_db(chat().settings["CREDITBOT_DB"], migrate=False)
    return g.console_db


def close_db(_: BaseException | None = None) -> None:
    conn = g.pop("console_db", None)
    if conn is not None:
        conn.close()


signed_in = require(chat, db)
staff_only = require(chat, db, staff=True)


def desk(session: Any) -> readers.Desk:
    """The scheme (?scheme=) and year (?year=) the page speaks of, as chosen on the page."""
    conn = db()
    year = request.values.get("year", "")
    try:
        return readers.make_desk(chat(), conn, session.member, data_version(conn),
                                 request.values.get("scheme") or None, arg_int("year"))
    except LedgerError as exc:
        raise Denied(404 if year else 503, str(exc)) from None


def switch(d: readers.Desk) -> dict[str, Any]:
    """What the scheme/year switch of a page needs."""
    return {"offices": d.offices, "years": years(db()), "office": d.office}


def page(template: str, session: Any, **kw: Any) -> str:
    return render_template(f"console/{template}", session=session, nav=nav(session),
                           csrf=session.csrf, form_id=nonce(), **kw)


def nav(session: Any) -> list[tuple[str, str]]:
    if session is None:
        return []
    if session.member.is_staff:
        return [("console.overview.overview", "总览"), ("console.reviews.reviews", "待审"),
                ("console.entry.entry", "打分扣分"), ("console.documents.documents", "导入·通报"),
                ("console.calendar.calendar", "截止"),
                ("console.outbox.outbox", "推送"), ("console.audit.audit_log", "审计"),
                ("console.export.export", "导出")]
    return [("console.liaison.mine", "本单位"), ("console.calendar.calendar", "截止")]


def unit_for(session: Any, unit_id: int) -> Unit:
    """Staff see any unit; a liaison only their own (as in chat)."""
    try:
        the_unit = get_unit(db(), unit_id)
    except LedgerError:
        abort(404)
    if not session.member.is_staff and session.member.unit_id != the_unit.id:
        raise Denied(403, "您只能查看本单位的得分和材料。")
    return the_unit


def own(session: Any) -> Unit:
    """A liaison's own unit."""
    if session.member.unit_id is None:
        raise Denied(403, "您的账号没有绑定单位。")
    return get_unit(db(), session.member.unit_id)


# The largest whole number SQLite stores: a bigger one in a query would be an OverflowError.
SQLITE_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def whole(text: str | None) -> int | None:
    """`text` as a whole number SQLite can store, or None. Only ASCII digits count
    ("²".isdigit() is true, yet int() refuses it), and 2**63 would overflow SQLite."""
    value = (text or "").strip()
    if not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= SQLITE_MAX else None


def arg_int(name: str) -> int | None:
    """A whole number from the query or form (None when absent or not one: the page then
    shows its default, as for a parameter left out)."""
    return whole(request.values.get(name))


def form_int(name: str) -> int:
    """A whole number a form must carry (its hidden ids): else a clear 400, nothing changed."""
    value = whole(request.form.get(name))
    if value is None:
        raise Denied(400, "表单内容不完整，请刷新页面后重新提交。")
    return value
