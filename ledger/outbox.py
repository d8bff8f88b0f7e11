"""The outbox: every push is written here first (keyed, so it is written once) and sent by a
worker with retries; a crash between writing and sending loses nothing, and the key stops a
second write of the same push (a reminder for one deadline, unit and kind)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from ledger.db import dumps, immediate, loads, now_iso

__all__ = ["OutboxItem", "enqueue", "due_items", "mark_sent", "mark_failed", "list_items"]


@dataclass(frozen=True)
class OutboxItem:
    id: int
    key: str
    channel: str
    target: dict[str, Any]
    payload: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "channel": self.channel, "target": self.target,
                "payload": self.payload, "status": self.status, "attempts": self.attempts,
                "last_error": self.last_error}


def _item(row: dict) -> OutboxItem:
    return OutboxItem(row["id"], row["key"], row["channel"], loads(row["target"], {}),
                      loads(row["payload"], {}), row["status"], row["attempts"], row["last_error"])


def enqueue(db: sqlite_utils.Database, key: str, channel: str, target: dict[str, Any],
            payload: dict[str, Any], now: datetime) -> bool:
    """Write a push once. Returns False when a push with this key already exists."""
    with immediate(db):
        cur = db.execute(
            "INSERT OR IGNORE INTO outbox(key, channel, target, payload, next_try_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [key, channel, dumps(target), dumps(payload), now_iso(now), now_iso(now)])
        return cur.rowcount == 1


def due_items(db: sqlite_utils.Database, now: datetime, limit: int = 100) -> list[OutboxItem]:
    return [_item(r) for r in db.query(
        "SELECT * FROM outbox WHERE status = 'pending' AND next_try_at <= ? ORDER BY id LIMIT ?",
        [now_iso(now), limit])]


def mark_sent(db: sqlite_utils.Database, item_id: int, now: datetime) -> None:
    with immediate(db):
        db.execute("UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 "
                   "WHERE id = ?", [now_iso(now), item_id])


def mark_failed(db: sqlite_utils.Database, item_id: int, now: datetime, error: str,
                retry_in: timedelta | None) -> None:
    """Record a failed try; with `retry_in` it stays pending until then, else it is final."""
    with immediate(db):
        if retry_in is None:
            db.execute("UPDATE outbox SET status = 'failed', attempts = attempts + 1, "
                       "last_error = ? WHERE id = ?", [error[:500], item_id])
        else:
            db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                       "next_try_at = ? WHERE id = ?",
                       [error[:500], now_iso(now + retry_in), item_id])


def list_items(db: sqlite_utils.Database, status: str | None = None) -> list[OutboxItem]:
    sql, args = "SELECT * FROM outbox", []
    if status:
        sql += " WHERE status = ?"
        args.append(status)
    return [_item(r) for r in db.query(sql + " ORDER BY id", args)]
