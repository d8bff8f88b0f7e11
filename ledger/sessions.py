"""Console logins: one-time login links sent in chat, and the browser sessions they open.

Only SHA-256 digests of tokens are stored, so a copy of the database opens no session. A link
is good once, for LOGIN_MINUTES; a session ends after `idle` without a request, or on 退出.
"""
from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from ledger import audit
from ledger.db import LedgerError, immediate, now_iso
from ledger.diskspace import is_disk_full
from ledger.units import Member, _member

__all__ = ["LOGIN_MINUTES", "ConsoleSession", "issue_login", "redeem_login", "open_session",
           "find_session", "end_session"]

LOGIN_MINUTES = 10
# A session's last-seen time is written at most this often: a page view should not take the
# write lock just to say "still here".
_TOUCH_EVERY = timedelta(minutes=1)
_KEEP = timedelta(days=30)


@dataclass(frozen=True)
class ConsoleSession:
    member: Member
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_login(db: sqlite_utils.Database, member: Member, now: datetime) -> str:
    """A one-time login token for this member, valid LOGIN_MINUTES."""
    token = secrets.token_urlsafe(24)
    with immediate(db):
        db.execute("INSERT INTO console_logins(token_hash, member_id, expires_at, created_at) "
                   "VALUES (?, ?, ?, ?)",
                   [_digest(token), member.id, now_iso(now + timedelta(minutes=LOGIN_MINUTES)),
                    now_iso(now)])
    return token


def redeem_login(db: sqlite_utils.Database, token: str, now: datetime) -> Member:
    """Use a login token (once): the member it was issued to, or a LedgerError saying why not."""
    with immediate(db):
        row = db.execute("SELECT member_id, expires_at, used_at FROM console_logins "
                         "WHERE token_hash = ?", [_digest(token)]).fetchone()
        if row is None:
            raise LedgerError("登录链接无效。请在聊天中发送「控制台」获取新链接。")
        member_id, expires, used = row
        if used:
            raise LedgerError("此登录链接已使用过（一次性链接）。请在聊天中重新发送「控制台」。")
        if expires < now_iso(now):
            raise LedgerError(f"登录链接已过期（{LOGIN_MINUTES}分钟内有效）。请在聊天中重新发送「控制台」。")
        db.execute("UPDATE console_logins SET used_at = ? WHERE token_hash = ?",
                   [now_iso(now), _digest(token)])
        member = _active_member(db, member_id)
        if member is None:
            raise LedgerError("您的账号已停用或解绑，无法登录。请联系市信用办。")
        return member


def _active_member(db: sqlite_utils.Database, member_id: int) -> Member | None:
    rows = list(db.query("SELECT * FROM members WHERE id = ? AND active = 1", [member_id]))
    return _member(rows[0]) if rows else None


def open_session(db: sqlite_utils.Database, member: Member, now: datetime,
                 how: str) -> tuple[str, str]:
    """A new session for the member: (session id for the cookie, CSRF token for its forms)."""
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with immediate(db):
        # Old links and sessions are of no use to anyone (the audit log keeps the logins).
        stale = now_iso(now - _KEEP)
        db.execute("DELETE FROM console_sessions WHERE last_seen_at < ?", [stale])
        db.execute("DELETE FROM console_logins WHERE expires_at < ?", [stale])
        db.execute("INSERT INTO console_sessions(id_hash, member_id, csrf, created_at, last_seen_at)"
                   " VALUES (?, ?, ?, ?, ?)",
                   [_digest(sid), member.id, csrf, now_iso(now), now_iso(now)])
        audit.log(db, now, f"{member.name}({member.user_id})", "console.login", member.user_id,
                  how=how)
    return sid, csrf


def find_session(db: sqlite_utils.Database, sid: str, now: datetime,
                 idle: timedelta) -> ConsoleSession | None:
    """The live session with this id, or None (unknown, ended, idle too long, member gone)."""
    if not sid:
        return None
    row = db.execute("SELECT member_id, csrf, last_seen_at FROM console_sessions "
                     "WHERE id_hash = ? AND ended_at IS NULL", [_digest(sid)]).fetchone()
    if row is None:
        return None
    member_id, csrf, seen = row
    if datetime.fromisoformat(seen) + idle < now:
        return None
    member = _active_member(db, member_id)
    if member is None:
        return None
    if datetime.fromisoformat(seen) + _TOUCH_EVERY <= now:
        try:
            with immediate(db):
                db.execute("UPDATE console_sessions SET last_seen_at = ? WHERE id_hash = ?",
                           [now_iso(now), _digest(sid)])
        except sqlite3.OperationalError as exc:
            if not is_disk_full(exc):
                raise  # on a full disk the pages still open; the idle clock catches up later
    return ConsoleSession(member, csrf)


def end_session(db: sqlite_utils.Database, sid: str, now: datetime) -> None:
    with immediate(db):
        db.execute("UPDATE console_sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
                   [now_iso(now), _digest(sid)])
