"""The audit log: every change, who made it and when. Nothing in the ledger is deleted."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ledger.db import dumps, loads, now_iso

__all__ = ["log", "entries"]


def log(db: sqlite_utils.Database, now: datetime, actor: str, action: str, target: str = "",
        **detail: Any) -> None:
    db.execute("INSERT INTO audit(at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
               [now_iso(now), actor, action, target, dumps(detail)])


def entries(db: sqlite_utils.Database, limit: int | None = 200, action: str | None = None,
            since: str | None = None, oldest_first: bool = False) -> list[dict]:
    """Audit rows, newest first (or oldest first for an export); `since` is an ISO date or
    datetime in Beijing time; `limit` None means all."""
    where: list[str] = []
    args: list[Any] = []
    if action:
        where.append("action = ?")
        args.append(action)
    if since:
        where.append("at >= ?")
        args.append(since)
    sql = "SELECT * FROM audit" + (f" WHERE {' AND '.join(where)}" if where else "")
    sql += f" ORDER BY id {'ASC' if oldest_first else 'DESC'}"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    rows = [dict(r) for r in db.query(sql, args)]
    for r in rows:
        r["detail"] = loads(r["detail"], {})
    return rows
