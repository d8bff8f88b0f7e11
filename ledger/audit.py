"""The audit log: every change, who made it and when. Nothing in the ledger is deleted."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlite_utils

from ledger.db import dumps, loads, now_iso

__all__ = ["log", "entries", "AuditQuery", "search", "actors"]


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


@dataclass(frozen=True)
class AuditQuery:
    """Which audit rows a reader wants. `actor`: part of the actor text (a name or a user id);
    `actions`: action codes, or prefixes ending in "." (`review.`); `unit`: (id, name, its
    members' user ids) — rows about that unit whichever way their target names it; `since` and
    `until`: Beijing dates, both included."""

    actor: str | None = None
    actions: tuple[str, ...] = ()
    unit: tuple[int, str, tuple[str, ...]] | None = None
    since: str | None = None
    until: str | None = None


def _where(q: AuditQuery) -> tuple[str, list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if q.actor:
        where.append("instr(actor, ?) > 0")
        args.append(q.actor)
    if q.actions:
        ors = []
        for a in q.actions:
            ors.append("action LIKE ? ESCAPE '\\'" if a.endswith(".") else "action = ?")
            args.append(a.replace("_", "\\_") + "%" if a.endswith(".") else a)
        where.append(f"({' OR '.join(ors)})")
    if q.unit:
        unit_id, name, users = q.unit
        # Targets name a unit as "id/indicator" (records), "id" (staff acts), its name (unit
        # settings) or one of its members' user ids (bindings).
        ors = ["substr(target, 1, ?) = ?", "(target = ? AND action LIKE 'act.%')", "target = ?"]
        args += [len(str(unit_id)) + 1, f"{unit_id}/", str(unit_id), name]
        if users:
            ors.append(f"(action LIKE 'member.%' AND target IN ({','.join('?' * len(users))}))")
            args += list(users)
        where.append(f"({' OR '.join(ors)})")
    if q.since:
        where.append("at >= ?")
        args.append(q.since)
    if q.until:
        where.append("at < ?")  # the whole last day
        args.append((date.fromisoformat(q.until) + timedelta(days=1)).isoformat())
    return (" WHERE " + " AND ".join(where)) if where else "", args


def search(db: sqlite_utils.Database, q: AuditQuery, offset: int = 0,
           limit: int | None = 50) -> tuple[list[dict], int]:
    """One page of the rows `q` asks for, newest first, and how many there are in all."""
    where, args = _where(q)
    total = db.execute(f"SELECT count(*) FROM audit{where}", args).fetchone()[0]
    sql = f"SELECT * FROM audit{where} ORDER BY id DESC"
    page_args = list(args)
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        page_args += [limit, offset]
    rows = [dict(r) for r in db.query(sql, page_args)]
    for r in rows:
        r["detail"] = loads(r["detail"], {})
    return rows, total


def actors(db: sqlite_utils.Database) -> list[str]:
    """Everyone who appears in the log, most active first (the 操作人 filter's choices)."""
    return [r[0] for r in db.execute(
        "SELECT actor FROM audit GROUP BY actor ORDER BY count(*) DESC, actor").fetchall()]
