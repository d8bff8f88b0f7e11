"""Time-limited links: upload pages for evidence (one use each) and downloads of exports and
evidence files (`once`: spent by the first download)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from ledger.db import immediate, now_iso

__all__ = ["UploadLink", "Download", "add_upload_link", "upload_link", "upload_link_used",
           "spend_upload_link", "add_download", "take_download"]


@dataclass(frozen=True)
class UploadLink:
    token: str
    unit_id: int
    unit_name: str
    indicator: str
    member_id: int | None
    expires_at: str
    used_at: str | None
    period: str | None = None  # named in chat; None: the period current when files arrive


@dataclass(frozen=True)
class Download:
    path: str
    name: str
    expires_at: str
    single_use: bool
    used_at: str | None  # when an earlier download spent a one-time link


def add_upload_link(db: sqlite_utils.Database, token: str, unit_id: int, indicator: str,
                    member_id: int | None, expires: datetime, period: str | None = None) -> None:
    with immediate(db):
        db.execute("INSERT INTO upload_tokens(token, unit_id, indicator, member_id, expires_at,"
                   " period) VALUES (?, ?, ?, ?, ?, ?)",
                   [token, unit_id, indicator, member_id, now_iso(expires), period])


def upload_link(db: sqlite_utils.Database, token: str) -> UploadLink | None:
    row = db.execute(
        "SELECT t.unit_id, u.name, t.indicator, t.member_id, t.expires_at, t.used_at, t.period "
        "FROM upload_tokens t JOIN units u ON u.id = t.unit_id WHERE t.token = ?",
        [token]).fetchone()
    return None if row is None else UploadLink(token, *row)


def upload_link_used(db: sqlite_utils.Database, token: str) -> bool:
    """Read again under the write lock: two posts of one link race."""
    row = db.execute("SELECT used_at FROM upload_tokens WHERE token = ?", [token]).fetchone()
    return row is None or bool(row[0])


def spend_upload_link(db: sqlite_utils.Database, token: str, now: datetime) -> None:
    db.execute("UPDATE upload_tokens SET used_at = ? WHERE token = ?", [now_iso(now), token])


def add_download(db: sqlite_utils.Database, token: str, path: str, name: str,
                 member_id: int | None, expires: datetime, now: datetime,
                 once: bool = False) -> None:
    db.execute("INSERT INTO downloads(token, path, name, member_id, expires_at, created_at, "
               "single_use) VALUES (?, ?, ?, ?, ?, ?, ?)",
               [token, path, name, member_id, now_iso(expires), now_iso(now), int(once)])


def take_download(db: sqlite_utils.Database, token: str, now: datetime) -> Download | None:
    """The link's file, marking a one-time link spent (by the first download only)."""
    with immediate(db):
        row = db.execute("SELECT path, name, expires_at, single_use, used_at FROM downloads "
                         "WHERE token = ?", [token]).fetchone()
        if row is not None and row[3] and not row[4]:
            db.execute("UPDATE downloads SET used_at = ? WHERE token = ?", [now_iso(now), token])
    return None if row is None else Download(row[0], row[1], row[2], bool(row[3]), row[4])
