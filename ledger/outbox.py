"""The outbox: every push is written here first (keyed, so it is written once) and sent by a
worker with retries; a crash between writing and sending loses nothing, and the key stops a
second write of the same push (a reminder for one deadline, unit and kind)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

import sqlite_utils

from ledger.db import dumps, immediate, loads, now_iso

__all__ = ["OutboxItem", "enqueue", "due_items", "mark_sent", "mark_failed", "list_items",
           "claim", "defer", "retarget", "webhook_sent_times", "retry_now"]


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


def due_items(db: sqlite_utils.Database, now: datetime, limit: int = 100,
              channels: Iterable[str] | None = None) -> list[OutboxItem]:
    """Pending pushes whose time has come, oldest first; `channels` keeps only those channels
    (so items of a channel nobody can send for do not starve the rest)."""
    sql, args = "SELECT * FROM outbox WHERE status = 'pending' AND next_try_at <= ?", [now_iso(now)]
    if channels is not None:
        names = list(channels)
        if not names:
            return []
        sql += f" AND channel IN ({', '.join('?' * len(names))})"
        args += names
    return [_item(r) for r in db.query(sql + " ORDER BY id LIMIT ?", [*args, limit])]


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


def claim(db: sqlite_utils.Database, item_id: int, now: datetime, lease: timedelta) -> bool:
    """Take a due item for one send: its next_try_at moves to now + lease, so a second worker
    (or this one after a crash) does not pick it up before the lease ends. False if someone
    else took it or it is no longer due."""
    with immediate(db):
        cur = db.execute("UPDATE outbox SET next_try_at = ? WHERE id = ? AND status = 'pending' "
                         "AND next_try_at <= ?", [now_iso(now + lease), item_id, now_iso(now)])
        return cur.rowcount == 1


def defer(db: sqlite_utils.Database, item_id: int, until: datetime, reason: str = "") -> None:
    """Postpone without counting an attempt (a rate limit, not a failure)."""
    with immediate(db):
        db.execute("UPDATE outbox SET next_try_at = ?, last_error = COALESCE(NULLIF(?, ''), "
                   "last_error) WHERE id = ? AND status = 'pending'",
                   [now_iso(until), reason[:500], item_id])


def retarget(db: sqlite_utils.Database, item_id: int, target: dict[str, Any]) -> None:
    """Narrow a partly delivered push to whom it has not reached yet (retry only those)."""
    with immediate(db):
        db.execute("UPDATE outbox SET target = ? WHERE id = ?", [dumps(target), item_id])


def webhook_sent_times(db: sqlite_utils.Database, webhook: str, since: datetime) -> list[datetime]:
    """When pushes to this group-robot webhook were sent at or after `since`, oldest first.
    Read from the table (not memory), so a rate limit survives a restart."""
    return [datetime.fromisoformat(r[0]) for r in db.execute(
        "SELECT sent_at FROM outbox WHERE status = 'sent' AND sent_at >= ? "
        "AND json_extract(target, '$.webhook') = ? ORDER BY sent_at", [now_iso(since), webhook])]


def retry_now(db: sqlite_utils.Database, item_id: int, now: datetime, actor: str) -> OutboxItem:
    """Staff send a push again (from the console): a failed or waiting item becomes due now,
    with a fresh round of attempts. A sent push is not sent twice."""
    from ledger import audit
    from ledger.db import LedgerError
    with immediate(db):
        rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [item_id]))
        if not rows:
            raise LedgerError(f"没有编号为 {item_id} 的推送")
        if rows[0]["status"] == "sent":
            raise LedgerError(f"推送 {item_id} 已发送成功，无需重试")
        db.execute("UPDATE outbox SET status = 'pending', attempts = 0, next_try_at = ? "
                   "WHERE id = ?", [now_iso(now), item_id])
        audit.log(db, now, actor, "outbox.retry", str(item_id), key=rows[0]["key"],
                  last_error=rows[0]["last_error"])
        return _item(list(db.query("SELECT * FROM outbox WHERE id = ?", [item_id]))[0])
