"""A member's one open question (which indicator is this file for? a file is coming), kept
for a few minutes and consumed by the next message."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ledger.db import dumps, immediate, loads, now_iso

__all__ = ["set_pending", "take_pending"]


def set_pending(db: sqlite_utils.Database, member_key: str, kind: str, data: dict[str, Any],
                expires: datetime) -> None:
    """Open a question for this member (replacing any open one)."""
    with immediate(db):
        db.execute("INSERT OR REPLACE INTO pending(member_key, kind, data, expires_at) "
                   "VALUES (?, ?, ?, ?)", [member_key, kind, dumps(data), now_iso(expires)])


def take_pending(db: sqlite_utils.Database, member_key: str,
                 now: datetime) -> tuple[str, dict[str, Any]] | None:
    """The member's open question, consumed once; None if there is none or it expired."""
    with immediate(db):
        row = db.execute("SELECT kind, data, expires_at FROM pending WHERE member_key = ?",
                         [member_key]).fetchone()
        if not row:
            return None
        db.execute("DELETE FROM pending WHERE member_key = ?", [member_key])
    if row[2] < now_iso(now):
        return None
    return row[0], loads(row[1], {})
