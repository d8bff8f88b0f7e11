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


def entries(db: sqlite_utils.Database, limit: int = 200, action: str | None = None) -> list[dict]:
    sql = "SELECT * FROM audit"
    args: list[Any] = []
    if action:
        sql += " WHERE action = ?"
        args.append(action)
    sql += " ORDER BY id DESC LIMIT ?"
    args.append(limit)
    rows = [dict(r) for r in db.query(sql, args)]
    for r in rows:
        r["detail"] = loads(r["detail"], {})
    return rows
