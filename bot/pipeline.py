"""Message -> Reply: de-duplicate, identify the sender, dispatch, commit, answer.

A message that may change the ledger runs in one write transaction (BEGIN IMMEDIATE) that starts
by claiming the (channel, msg_id) row, so a platform retry of the same message waits for the
first delivery and then gets the same reply; a reply is only produced after its writes are
committed.

A question (得分, 排名, 缺项 …) is answered first in a read-only snapshot — no write lock, so
questions do not queue behind each other — and then its inbound row is claimed in a short write
transaction (INSERT OR IGNORE: a retry is recorded once and gets the first answer). If the
question turns out to need a write after all (an open "which indicator?" to consume, a
notification), the read-only snapshot refuses it and the message takes the write path instead.

Each thread keeps one connection (waitress reuses its threads), and every unit's scorecards are
cached per data version (bot.context.CardCache), so a question costs a few queries, not a full
recompute.
"""
from __future__ import annotations

import logging
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import sqlite_utils

from bot import commands, liaison, staff, staff_admin, entries, inbox, operations, console_link  # noqa: F401  (they register, in the help's order)
from bot import bulletins, figures  # noqa: F401  (通报, 导入模板 register too)
from bot.registry import dispatch, match
from bot.screen import notes_once
from bot.context import CardCache, Ctx
from channels.fetch import Fetcher
from bot.evidence import handle_attachments, resolve_waiting_file, take_pending
from channels.message import APOLOGY, Message, Reply
from bot.parse import Ambiguous, AskValue, CommandError, normalise
from ledger.db import LedgerError, data_version, immediate, read_only
from ledger import replay
from ledger.diskspace import DISK_FULL, is_disk_full
from ledger.inbound import answered, record_inbound, seen
from ledger.office import office, office_for_kind
from ledger.units import find_member, get_unit
from worktime.calendar import WorkCalendar
from schemes.model import Rank
from scoring.rules import PLACE_TIES, tie_notes

__all__ = ["Pipeline", "APOLOGY", "UNBOUND"]

log = logging.getLogger("creditbot")

CANCEL_WORDS = frozenset({"取消", "算了", "不用了", "不要了", "cancel"})
_CANCELLED = {"choose": "已取消，刚才的命令没有执行。",
              "file_waiting": "已取消，刚才收到的文件没有保存。",
              "evidence_for": "已取消，之后发送的文件不再计入刚才的指标。",
              "import": "已取消，表格中的数据没有导入。"}
UNBOUND = ("您好，您的账号（用户ID：{uid}）还没有绑定单位，暂时无法使用。请把这个用户ID发给市信用办，"
           "由工作人员为您绑定（绑定后发送「帮助」即可开始）。")
MAX_TEXT = 4000
# A delivery of a message acted on before, whose copy (and reply) retention has since deleted.
ALREADY_HANDLED = "这条消息已于 {at} 处理过，没有重复记录。发送「记录」可查看已报送的内容。"


@dataclass
class Pipeline:
    """Everything a message needs; built once per app (or per CLI call)."""

    open_db: Callable[[], sqlite_utils.Database]
    data_dir: Path
    cal: WorkCalendar
    clock: Callable[[], datetime]
    fetchers: dict[str, Fetcher]
    settings: dict[str, Any]
    cards: CardCache = field(default_factory=CardCache, init=False, repr=False)
    _local: threading.local = field(default_factory=threading.local, init=False, repr=False)

    def handle(self, msg: Message, db: sqlite_utils.Database | None = None,
               run: Callable[[Ctx], Reply] | None = None) -> Reply:
        """The reply to `msg`. `run` (the console's structured forms, e.g. 批量通过) answers in
        place of the command the text names, with the same sender check, de-duplication,
        write transaction and audit as a typed command."""
        own = db is None
        db = db or self.thread_db()
        try:
            msg = _clean(msg)
            early = _triage(msg)
            if early is not None:
                return early
            if msg.attachments:
                msg, failed = self._fetch_first(msg, db)
                if failed is not None:
                    return failed
            reply = self._handle(msg, db, cache=own, run=run)
            if msg.is_group and reply and msg.sender_id not in reply.mentions:
                reply.mentions.append(msg.sender_id)  # in a group, say who the answer is for
            return reply
        except Exception as exc:  # never let an error reach the webhook (it would retry)
            if is_disk_full(exc):  # nothing was recorded: say so, send again later
                log.error("message %s/%s not recorded: %s", msg.channel, msg.msg_id, exc)
                return Reply(DISK_FULL)
            log.exception("message %s/%s failed", msg.channel, msg.msg_id)
            if own:
                self._drop_thread_db()
            return Reply(APOLOGY)

    def _fetch_first(self, msg: Message, db: sqlite_utils.Database) -> tuple[Message, Reply | None]:
        """Download what a bound sender attached before any lock is taken: a slow platform
        must not hold up everyone else's writes. Files land in data/incoming; a failed
        download is not recorded as handled, so the platform's retry can succeed."""
        if find_member(db, msg.channel, msg.sender_id) is None:
            return replace(msg, attachments=()), None  # a stranger's files are never fetched
        if seen(db, msg.channel, msg.msg_id) \
                or replay.handled_at(db, msg.channel, msg.msg_id) is not None:
            return msg, None  # a retry: the first delivery already has its answer
        fetch = self.fetchers.get(msg.channel.split("_")[0]) or self.fetchers.get(msg.channel)
        if fetch is None:
            return msg, Reply("当前渠道暂不能接收文件，请发送「佐证 <指标>」获取上传链接。")
        folder = self.data_dir / "incoming"
        folder.mkdir(parents=True, exist_ok=True)
        _prune(folder)
        local = []
        for att in msg.attachments:
            if att.path:
                local.append(att)
                continue
            try:
                content, name, ctype = fetch(att)
            except Exception as exc:  # the platform's error: the user can send it again
                log.warning("download for %s/%s failed: %s", msg.channel, msg.msg_id,
                            type(exc).__name__)
                return msg, Reply("文件下载失败，请稍后重新发送。")
            path = folder / f"{secrets.token_hex(12)}.part"
            try:
                path.write_bytes(content)
            except OSError:  # disk full: leave nothing behind, let the platform's retry work
                path.unlink(missing_ok=True)
                log.error("cannot store a download for %s/%s: disk full or not writable",
                          msg.channel, msg.msg_id)
                return msg, Reply("服务器存储空间不足，文件未能保存，请稍后重新发送并告知信用办。")
            local.append(replace(att, path=str(path), name=att.name or name,
                                 content_type=ctype or att.content_type, size=len(content)))
        return replace(msg, attachments=tuple(local)), None

    def thread_db(self) -> sqlite_utils.Database:
        """This thread's connection, opened on first use (one connection per thread)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self.open_db()
        return db

    def _drop_thread_db(self) -> None:
        db = getattr(self._local, "db", None)
        self._local.db = None
        if db is not None:
            try:
                db.close()
            except sqlite3.Error:
                pass

    def _handle(self, msg: Message, db: sqlite_utils.Database, cache: bool = False,
                run: Callable[[Ctx], Reply] | None = None) -> Reply:
        now = self.clock()
        if (run is None and not msg.attachments and not db.conn.in_transaction
                and _is_question(msg.text)):
            try:
                return self._ask(msg, db, now, cache)
            except sqlite3.OperationalError as exc:
                if "readonly" not in str(exc):
                    raise
                log.debug("%s/%s needs a write; taking the write path", msg.channel, msg.msg_id)
        fresh: list[tuple] = []  # (cache key, total changes, cards, baseline)
        # immediate() queues this process's writers on the ledger's one write lock first.
        with immediate(db):
            stored = answered(db, msg.channel, msg.msg_id)
            if stored is not None:
                return _reply_from(stored)
            if (first := replay.handled_at(db, msg.channel, msg.msg_id)) is not None:
                return Reply(ALREADY_HANDLED.format(at=first[:16].replace("T", " ")))
            reply, ctx, bound = self._answer(
                msg, db, now, data_version(db) if cache else None,
                on_fresh=(lambda *c: fresh.append(c)) if cache else None, run=run)
            # Cards computed after this message's writes describe the state about to be
            # committed if nothing was written (or rolled back) since: cache them after commit.
            final = fresh and (fresh[-1][0][3], fresh[-1][1]) == (data_version(db),
                                                                db.conn.total_changes)
            _record_inbound(db, msg, now, reply, bound)
            replay.remember(db, msg.channel, msg.msg_id, now)
        if final and ctx is not None:
            key, _, cards, state = fresh[-1]
            self.cards.put(key, cards)
            self.cards.remember(key, state)  # the next write rescores from here
        return reply

    def _ask(self, msg: Message, db: sqlite_utils.Database, now: datetime, cache: bool) -> Reply:
        """A question: answer from a read-only snapshot, then claim the inbound row."""
        with read_only(db):
            stored = answered(db, msg.channel, msg.msg_id)
            if stored is not None:
                return _reply_from(stored)
            reply, _, bound = self._answer(msg, db, now, data_version(db) if cache else None)
        try:
            with immediate(db):
                if not _record_inbound(db, msg, now, reply, bound, if_new=True):
                    # a concurrent delivery of the same message won
                    return _reply_from(answered(db, msg.channel, msg.msg_id) or {})
        except sqlite3.OperationalError as exc:
            if not is_disk_full(exc):
                raise
            # The answer changed nothing; only its copy could not be kept. A read answers.
            log.warning("answer to %s/%s not copied: %s", msg.channel, msg.msg_id, exc)
        return reply

    def _answer(self, msg: Message, db: sqlite_utils.Database, now: datetime,
                version: int | None = None, on_fresh: Callable[..., None] | None = None,
                run: Callable[[Ctx], Reply] | None = None) -> tuple[Reply, Ctx | None, bool]:
        """The reply; the context when a command ran normally (None after an error); and
        whether the sender is bound. The sender is looked up here, once per message."""
        member = find_member(db, msg.channel, msg.sender_id)
        if member is None:
            return Reply(UNBOUND.format(uid=msg.sender_id)), None, False
        if len(msg.text) > MAX_TEXT:
            return (Reply(f"消息太长（{len(msg.text)}字），请控制在{MAX_TEXT}字以内，或把长文作为文件发送。"),
                    None, True)
        try:
            # a liaison speaks under the scheme that assesses their unit
            unit = get_unit(db, member.unit_id) if member.unit_id else None
            off = office_for_kind(db, unit.kind) if unit else office(db)
        except LedgerError as exc:
            return Reply(str(exc)), None, True
        ctx = Ctx(db, off, member, msg, now, self.cal, self.data_dir, self.settings,
                  card_cache=self.cards if version is not None else None,
                  base_version=version, on_fresh_cards=on_fresh)
        ctx.known(unit, version)
        # A failed command must leave nothing behind: run it in a savepoint.
        try:
            with db.atomic():
                reply = run(ctx) if run is not None else self._route(ctx)
            return _say_year(ctx, _notes_once(ctx, reply)), ctx, True
        except (Ambiguous, AskValue) as exc:
            with db.atomic():
                _remember_choice(ctx, exc)
            return Reply(str(exc)), None, True
        except (CommandError, LedgerError) as exc:
            return Reply(str(exc)), None, True

    def _route(self, ctx: Ctx) -> Reply:
        msg = ctx.msg
        text = msg.text.strip()
        pending = take_pending(ctx) if text and not msg.attachments else None
        if normalise(text).rstrip("。!！") in CANCEL_WORDS:  # 取消 ends any open question
            return Reply(_CANCELLED.get(pending[0], "已取消。") if pending
                         else "没有需要取消的操作。发送「帮助」查看可用的命令。")
        if pending:
            kind, data = pending
            if kind == "choose" and re.fullmatch(r"\d{1,2}", text):
                n = int(text)
                if not 1 <= n <= len(data["options"]):
                    raise CommandError(f"请回复 1 到 {len(data['options'])} 之间的序号。")
                chosen = data["template"].replace(data["ambiguous"], data["options"][n - 1], 1)
                # the command runs as if typed whole; its record keeps what was really sent
                ctx.said = [*data.get("sent", [data["template"]]), text]
                ctx.msg = replace(msg, text=chosen)
                return dispatch(chosen, ctx)
            if kind == "file_waiting" and not _looks_like_command(text):
                return resolve_waiting_file(ctx, data, text)
            if kind == "evidence_for":
                from bot.evidence import _set_pending
                _set_pending(ctx, kind, data)  # still waiting for the file
            if kind == figures.PENDING_KIND:  # an import sheet previewed, waiting for 确认
                if normalise(text).rstrip("。!！") in figures.CONFIRM:
                    return figures.confirm_import(ctx, data)
                from bot.evidence import _set_pending
                _set_pending(ctx, kind, data)
        if (msg.attachments and ctx.member.is_staff and not _looks_like_command(text)
                and any(figures.is_sheet(a) for a in msg.attachments)):
            return figures.preview_file(ctx)  # the platform's figures, sent back filled in
        if msg.attachments and not _looks_like_command(text):
            return handle_attachments(ctx)
        return dispatch(text, ctx)


def _notes_once(ctx: Ctx, reply: Reply) -> Reply:
    """A reply showing several rank items (a 报送 of several lines, an item with two rank
    parts) states the tie rule once."""
    notes = tie_notes(p for _, ind in ctx.office.scheme.indicators() for p in ind.parts)
    notes |= {f"（{Rank.model_fields['tie_rule'].default}）"} | {f"（{t}）" for t in PLACE_TIES.values()}
    if not any(reply.text.count(n) > 1 for n in notes):
        return reply
    return replace(reply, text=notes_once(reply.text, sorted(notes, key=len, reverse=True)))


def _say_year(ctx: Ctx, reply: Reply) -> Reply:
    """While two years are open (January: last year's final filings), every reply says which
    year it speaks of."""
    if reply.text and not ctx.labelled and len(ctx.open_years()) > 1:
        return replace(reply, text=f"【{ctx.office.year}年度】{reply.text}")
    return reply


def _record_inbound(db: sqlite_utils.Database, msg: Message, now: datetime, reply: Reply,
                    bound: bool, if_new: bool = False) -> bool:
    # The row de-duplicates retries; a stranger's words are not kept (nothing they send is
    # recorded), only that a message came.
    return record_inbound(db, msg.channel, msg.msg_id, msg.sender_id, now,
                          msg.text[:MAX_TEXT] if bound else "",
                          {"text": reply.text, "markdown": reply.markdown,
                           "mentions": reply.mentions, "files": reply.files}, if_new=if_new)


def _is_question(text: str) -> bool:
    """A read-only command (checked, not trusted: the read path enforces it), or text that is
    no command at all (answered with help)."""
    found = match(text)
    return found is None or found.command.read_only


# Message types the chat understands; everything else gets one polite answer and changes nothing.
_UNDERSTOOD = {"text", "richText", "mixed", "image", "picture", "file"}
_WELCOME = "您好，我是信用考核助手。发送「帮助」查看可用的命令。"
_UNSUPPORTED = {
    "voice": "暂不支持语音消息，请发送文字。",
    "audio": "暂不支持语音消息，请发送文字。",
    "video": "暂不支持视频，请把佐证材料以文件或图片发送。",
    "location": "暂不支持位置消息，请发送文字。",
    "link": "暂不支持链接消息。如需报送，请发送文字命令；佐证材料请以文件或图片发送。",
}


def _triage(msg: Message) -> Reply | None:
    """Events, voice without recognition, links, locations, stickers: answered here, before
    anything is recorded or any pending question is consumed."""
    if msg.raw_type.startswith("event:"):
        event = msg.raw_type.split(":", 1)[1]
        return Reply(_WELCOME if event in ("subscribe", "enter_agent", "enter_chat") else "")
    if msg.raw_type in ("voice", "audio") and msg.text.strip():
        return None  # speech recognition gave text: handled as text (the audio is dropped)
    if msg.raw_type not in _UNDERSTOOD:
        return Reply(_UNSUPPORTED.get(msg.raw_type, "暂不支持此类消息，请发送文字、图片或文件。"))
    return None


_FORMAT_CHARS = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def _clean(msg: Message) -> Message:
    """Lone surrogates (unstorable) become U+FFFD; zero-width and direction marks that pasted
    text carries are dropped, so 「\u200b得分」 is 得分."""
    def tidy(s: str) -> str:
        s = s.encode("utf-8", "replace").decode("utf-8")
        return _FORMAT_CHARS.sub("", s)
    kept = tuple(a for a in msg.attachments if a.kind in ("image", "file"))
    if msg.raw_type in ("voice", "audio"):
        kept = ()
    return replace(msg, text=tidy(msg.text), sender_id=tidy(msg.sender_id), attachments=kept)


def _prune(folder: Path, days: int = 2) -> None:
    """Incoming downloads are kept while a "which indicator?" may still be answered."""
    import time
    limit = time.time() - days * 86400
    for f in folder.glob("*.part"):
        try:
            if f.stat().st_mtime < limit:
                f.unlink()
        except OSError:
            pass


def _looks_like_command(text: str) -> bool:
    """Its first word is a command word: a caption or an answer that is not a file's name."""
    return match(text, exact=True) is not None


def _remember_choice(ctx: Ctx, exc: Ambiguous | AskValue) -> None:
    from bot.evidence import _set_pending
    _set_pending(ctx, "choose", {"template": ctx.msg.text.strip(), "ambiguous": exc.text,
                                 "options": [getattr(o, "code", o) for o in exc.options],
                                 "sent": ctx.sent()})


def _reply_from(data: dict[str, Any]) -> Reply:
    return Reply(data.get("text", ""), markdown=data.get("markdown", False),
                 mentions=data.get("mentions", []), files=data.get("files", []))
