"""推送: the outbox of notices and reminders, and a retry of a failed one."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from console import web
from console.auth import Denied
from ledger.db import LedgerError
from ledger.outbox import list_items, retry_failed

__all__ = ["bp"]

bp = Blueprint("outbox", __name__)


@bp.get("/outbox")
@web.staff_only
def outbox(session: Any) -> Any:
    status = request.args.get("status") or None
    items = list_items(web.db(), status)[-300:][::-1]
    return web.page("outbox.html", session, items=items, status=status)


@bp.post("/outbox/<int:item_id>/retry")
@web.staff_only
def outbox_retry(session: Any, item_id: int) -> Any:
    try:  # the same function as `creditbot outbox retry`
        retry_failed(web.db(), [item_id], web.chat().clock(),
                     f"{session.member.name}({session.member.user_id})")
    except LedgerError as exc:
        raise Denied(409, str(exc)) from None
    return redirect(url_for(".outbox"), code=303)
