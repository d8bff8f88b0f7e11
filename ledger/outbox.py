"""The outbox: every push is written here first (keyed, so it is written once) and sent by a
worker with retries; a crash between writing and sending loses nothing, and the key stops a
second write of the same push (a reminder for one deadline, unit and kind)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

import sqlite_utils

from ledger import audit
from ledger.db import LedgerError, dumps, immediate, loads, now_iso

__all__ = ["OutboxItem", "enqueue", "keys_like", "due_items", "mark_sent", "mark_failed", "list_items",
           "claim", "defer", "retarget", "webhook_sent_times", "backlog", "retry_failed",
           "waiting_items"]


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
    created_at: str = ""
    next_try_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "channel": self.channel, "target": self.target,
                "payload": self.payload, "status": self.status, "attempts": self.attempts,
                "last_error": self.last_error, "created_at": self.created_at,
                "next_try_at": self.next_try_at}


def _item(row: dict) -> OutboxItem:
    return OutboxItem(row["id"], row["key"], row["channel"], loads(row["target"], {}),
                      loads(row["payload"], {}), row["status"], row["attempts"], row["last_error"],
                      row["created_at"], row["next_try_at"])


def enqueue(db: sqlite_utils.Database, key: str, channel: str, target: dict[str, Any],
            payload: dict[str, Any], now: datetime) -> bool:
    """Write a push once. Returns False when a push with this key already exists."""
    with immediate(db):
        cur = db.execute(
            "INSERT OR IGNORE INTO outbox(key, channel, target, payload, next_try_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [key, channel, dumps(target), dumps(payload), now_iso(now), now_iso(now)])
        return cur.rowcount == 1


def keys_like(db: sqlite_utils.Database, pattern: str) -> list[str]:
    """Keys of pushes matching a LIKE pattern (reminders read back what they queued today)."""
    return [k for (k,) in db.execute("SELECT key FROM outbox WHERE key LIKE ?", [pattern])]


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


def claim(db: sqlite_utils.Database, item_id: int, now: datetime, lease: timedelta,
          claimed_at: datetime | None = None) -> bool:
    """Take a due item for one send: its next_try_at moves to claimed_at (default now) + lease,
    so a second worker (or this one after a crash) does not pick it up before the lease ends.
    A slow run claims its later items minutes after the tick: the lease counts from the claim.
    False if someone else took it or it is no longer due."""
    start = max(now, claimed_at or now)
    with immediate(db):
        cur = db.execute("UPDATE outbox SET next_try_at = ? WHERE id = ? AND status = 'pending' "
                         "AND next_try_at <= ?", [now_iso(start + lease), item_id, now_iso(now)])
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


def waiting_items(db: sqlite_utils.Database, limit: int = 50) -> list[OutboxItem]:
    """What staff should look at: failed pushes, then pending ones that already failed a try
    (retrying), newest first within each."""
    return [_item(r) for r in db.query(
        "SELECT * FROM outbox WHERE status = 'failed' OR (status = 'pending' AND attempts > 0) "
        "ORDER BY CASE status WHEN 'failed' THEN 0 ELSE 1 END, id DESC LIMIT ?", [limit])]


def backlog(db: sqlite_utils.Database, now: datetime) -> dict[str, Any]:
    """Counts for readiness and 推送状态: pending, due now, failed, and the oldest due item."""
    pending, failed = db.execute(
        "SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'failed'), 0) "
        "FROM outbox").fetchone()
    due, oldest = db.execute(
        "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending' "
        "AND next_try_at <= ?", [now_iso(now)]).fetchone()
    age = (now - datetime.fromisoformat(oldest)).total_seconds() if oldest else 0.0
    return {"pending": pending, "due": due, "failed": failed, "oldest_due": oldest,
            "oldest_due_age_s": max(age, 0.0)}


def retry_failed(db: sqlite_utils.Database, ids: Iterable[int] | None, now: datetime,
                 actor: str) -> int:
    """Put failed pushes back in the queue (all of them when `ids` is None), with a fresh
    count of tries. Returns how many."""
    with immediate(db):
        if ids is None:
            rows = [r[0] for r in db.execute("SELECT id FROM outbox WHERE status = 'failed'")]
        else:
            rows = [int(i) for i in ids]
            known = {r[0] for r in db.execute(
                f"SELECT id FROM outbox WHERE status = 'failed' AND id IN "
                f"({', '.join('?' * len(rows))})", rows)} if rows else set()
            missing = [i for i in rows if i not in known]
            if missing:
                raise LedgerError(f"没有失败的推送 #{'、#'.join(map(str, missing))}（已发送或仍在重试的不需要重发）")
        for item_id in rows:
            db.execute("UPDATE outbox SET status = 'pending', attempts = 0, next_try_at = ? "
                       "WHERE id = ?", [now_iso(now), item_id])
        if rows:
            audit.log(db, now, actor, "outbox.retry", ",".join(map(str, rows)), count=len(rows))
        return len(rows)
