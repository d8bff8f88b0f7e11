"""Callback signatures already accepted: a header signature that does not cover the body is
bound, on first use, to that body and message id for as long as the platform accepts it."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from ledger.db import immediate, now_iso

__all__ = ["claim_signature"]


def claim_signature(db: sqlite_utils.Database, channel: str, sign: str, msg_id: str,
                    body_sha256: str, now: datetime, window: timedelta) -> bool:
    """True when `sign` is new, or was seen with this very msg_id and body (a platform retry);
    False when it was seen with anything else (a replay). An entry older than `window` no
    longer binds (the platform's timestamp check refuses that sign anyway); the retention job
    deletes old entries, so a callback costs one small write."""
    row = db.execute("SELECT msg_id, body_sha256, seen_at FROM callback_signatures "
                     "WHERE channel = ? AND sign = ?", [channel, sign]).fetchone()
    if row is not None and row[2] >= now_iso(now - window):
        return tuple(row[:2]) == (msg_id, body_sha256)
    with immediate(db):
        # Re-read under the write lock: two deliveries of one pair race here.
        row = db.execute("SELECT msg_id, body_sha256, seen_at FROM callback_signatures "
                         "WHERE channel = ? AND sign = ?", [channel, sign]).fetchone()
        if row is not None and row[2] >= now_iso(now - window):
            return tuple(row[:2]) == (msg_id, body_sha256)
        db.execute("INSERT OR REPLACE INTO callback_signatures(channel, sign, msg_id, "
                   "body_sha256, seen_at) VALUES (?, ?, ?, ?, ?)",
                   [channel, sign, msg_id, body_sha256, now_iso(now)])
        return True
