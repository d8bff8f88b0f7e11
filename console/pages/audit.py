"""审计: the audit log, newest first."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

from console import web
from ledger import audit as audit_log_

__all__ = ["bp"]

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@web.staff_only
def audit_log(session: Any) -> Any:
    names = {str(u.id): u.name for u in web.desk(session).units()}
    rows = audit_log_.entries(web.db(), limit=300)
    for r in rows:  # "3/11" (unit id / indicator) reads better as 市民政局 11
        unit_id, sep, code = r["target"].partition("/")
        if sep and unit_id in names:
            r["target"] = f"{names[unit_id]} {code}".strip()
    return web.page("audit.html", session, rows=rows)
