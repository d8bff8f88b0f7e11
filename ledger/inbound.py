"""Messages received: one row per (channel, msg_id), holding the reply that was given, so a
platform's retry of a message gets the first answer and changes nothing."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ledger.db import dumps, loads, now_iso

__all__ = ["answered", "seen", "record_inbound"]


def seen(db: sqlite_utils.Database, channel: str, msg_id: str) -> bool:
    """Whether this message was handled before."""
    return db.execute("SELECT 1 FROM inbound WHERE channel = ? AND msg_id = ?",
                      [channel, msg_id]).fetchone() is not None


def answered(db: sqlite_utils.Database, channel: str, msg_id: str) -> dict[str, Any] | None:
    """The reply stored for this message ({} if none was kept), or None when it is new."""
    row = db.execute("SELECT reply FROM inbound WHERE channel = ? AND msg_id = ?",
                     [channel, msg_id]).fetchone()
    return None if row is None else (loads(row[0], {}) or {})


def record_inbound(db: sqlite_utils.Database, channel: str, msg_id: str, sender: str,
                   now: datetime, text: str, reply: dict[str, Any], if_new: bool = False) -> bool:
    """Keep the message and its reply. With `if_new`, a row already there wins (a concurrent
    delivery of the same message): returns whether this one was written."""
    cur = db.execute(
        f"INSERT {'OR IGNORE ' if if_new else ''}INTO inbound(channel, msg_id, sender, received_at, "
        "text, reply) VALUES (?, ?, ?, ?, ?, ?)",
        [channel, msg_id, sender, now_iso(now), text, dumps(reply)])
    return cur.rowcount == 1
