"""Message -> Reply: de-duplicate, identify the sender, dispatch, commit, answer.

The whole handling of one message runs in one write transaction that starts by claiming the
(channel, msg_id) row, so a platform retry of the same message waits for the first delivery and
then gets the same reply; a reply is only produced after its writes are committed.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import sqlite_utils

from bot.commands import dispatch
from bot.context import Ctx, Fetcher
from bot.evidence import handle_attachments, resolve_waiting_file, take_pending
from bot.message import Message, Reply
from bot.parse import Ambiguous, CommandError
from ledger.db import LedgerError, dumps, immediate, loads, now_iso
from ledger.facts import office
from ledger.units import find_member
from reminders.calendar import WorkCalendar

__all__ = ["Pipeline", "APOLOGY", "UNBOUND"]

log = logging.getLogger("creditbot")

APOLOGY = "抱歉，系统出了点问题，请稍后再试。如果一直不行，请联系市信用办。"
UNBOUND = ("您好，您的账号（用户ID：{uid}）还没有绑定单位，暂时无法使用。请把这个用户ID发给市信用办，"
           "由工作人员为您绑定（绑定后发送「帮助」即可开始）。")
MAX_TEXT = 4000


@dataclass
class Pipeline:
    """Everything a message needs; built once per app (or per CLI call)."""

    open_db: Callable[[], sqlite_utils.Database]
    data_dir: Path
    cal: WorkCalendar
    clock: Callable[[], datetime]
    fetchers: dict[str, Fetcher]
    settings: dict[str, Any]

    def handle(self, msg: Message, db: sqlite_utils.Database | None = None) -> Reply:
        own = db is None
        db = db or self.open_db()
        try:
            return self._handle(msg, db)
        except Exception:  # never let an error reach the webhook (it would retry)
            log.exception("message %s/%s failed", msg.channel, msg.msg_id)
            return Reply(APOLOGY)
        finally:
            if own:
                db.close()

    def _handle(self, msg: Message, db: sqlite_utils.Database) -> Reply:
        now = self.clock()
        with immediate(db):
            row = db.execute("SELECT reply FROM inbound WHERE channel = ? AND msg_id = ?",
                             [msg.channel, msg.msg_id]).fetchone()
            if row is not None:
                return _reply_from(row[0])
            reply = self._answer(msg, db, now)
            db.execute("INSERT INTO inbound(channel, msg_id, sender, received_at, text, reply) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       [msg.channel, msg.msg_id, msg.sender_id, now_iso(now), msg.text[:MAX_TEXT],
                        dumps({"text": reply.text, "markdown": reply.markdown,
                               "mentions": reply.mentions, "files": reply.files})])
        return reply

    def _answer(self, msg: Message, db: sqlite_utils.Database, now: datetime) -> Reply:
        member = find_member(db, msg.channel, msg.sender_id)
        if member is None:
            return Reply(UNBOUND.format(uid=msg.sender_id))
        if len(msg.text) > MAX_TEXT:
            return Reply(f"消息太长（{len(msg.text)}字），请控制在{MAX_TEXT}字以内，或把长文作为文件发送。")
        try:
            off = office(db)
        except LedgerError as exc:
            return Reply(str(exc))
        ctx = Ctx(db, off, member, msg, now, self.cal, self.data_dir,
                  self.fetchers.get(msg.channel.split("_")[0]) or self.fetchers.get(msg.channel),
                  self.settings)
        # A failed command must leave nothing behind: run it in a savepoint.
        try:
            with db.atomic():
                return self._route(ctx)
        except Ambiguous as exc:
            with db.atomic():
                _remember_choice(ctx, exc)
            return Reply(str(exc))
        except (CommandError, LedgerError) as exc:
            return Reply(str(exc))

    def _route(self, ctx: Ctx) -> Reply:
        msg = ctx.msg
        text = msg.text.strip()
        pending = take_pending(ctx) if text and not msg.attachments else None
        if pending:
            kind, data = pending
            if kind == "choose" and re.fullmatch(r"\d{1,2}", text):
                n = int(text)
                if not 1 <= n <= len(data["options"]):
                    raise CommandError(f"请回复 1 到 {len(data['options'])} 之间的序号。")
                chosen = data["template"].replace(data["ambiguous"], data["options"][n - 1], 1)
                return dispatch(chosen, ctx)
            if kind == "file_waiting" and not _looks_like_command(text):
                return resolve_waiting_file(ctx, data, text)
            if kind == "evidence_for":
                from bot.evidence import _set_pending
                _set_pending(ctx, kind, data)  # still waiting for the file
        if msg.attachments and not _looks_like_command(text):
            return handle_attachments(ctx)
        return dispatch(text, ctx)


def _looks_like_command(text: str) -> bool:
    from bot.commands import COMMANDS
    first = text.split(" ")[0] if text else ""
    return any(first.lower() in c.words for c in COMMANDS)


def _remember_choice(ctx: Ctx, exc: Ambiguous) -> None:
    from bot.evidence import _set_pending
    _set_pending(ctx, "choose", {"template": ctx.msg.text.strip(), "ambiguous": exc.text,
                                 "options": [i.code for i in exc.options]})


def _reply_from(stored: str | None) -> Reply:
    data = loads(stored, {}) or {}
    return Reply(data.get("text", ""), markdown=data.get("markdown", False),
                 mentions=data.get("mentions", []), files=data.get("files", []))
