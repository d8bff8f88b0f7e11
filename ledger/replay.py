"""The memory of messages already acted on, kept as long as the records they made.

The `inbound` table (the message's words and the reply) is a copy the retention job deletes after
RETAIN_INBOUND_DAYS; what it de-duplicates must not be forgotten with it. A message that took the
write path leaves its (channel, msg_id) here, and a delivery of the same message — a platform
retry, a duplicate, a captured request replayed, before or after `creditbot prune` — finds it
and records nothing again. The rows are small (no text) and retention never deletes them.
"""
from __future__ import annotations

from datetime import datetime

import sqlite_utils

from ledger.db import now_iso

__all__ = ["handled_at", "remember"]


def handled_at(db: sqlite_utils.Database, channel: str, msg_id: str) -> str | None:
    """When this message was first acted on, or None if it never was."""
    row = db.execute("SELECT handled_at FROM handled_messages WHERE channel = ? AND msg_id = ?",
                     [channel, msg_id]).fetchone()
    return row[0] if row else None


def remember(db: sqlite_utils.Database, channel: str, msg_id: str, now: datetime) -> None:
    """Mark the message as acted on; call inside the transaction that commits its records."""
    db.execute("INSERT OR IGNORE INTO handled_messages(channel, msg_id, handled_at) "
               "VALUES (?, ?, ?)", [channel, msg_id, now_iso(now)])
