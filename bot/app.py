"""The Flask app factory: channel blueprints, /healthz, the link pages and the console.

Nothing here starts a scheduler (that is `creditbot serve` only) and nothing is held at module
level: tests build as many apps as they like, each with its own database.
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from flask import Flask, Response, g, jsonify, request

from bot.config import channel_status, load_settings, platforms_in_use
from bot.cards import staff_only_metrics
from bot.numbers import show_value
from bot.staff import approve_targets
from ledger.approvals import Target
from bot import link_pages
from bot.context import Ctx
from bot.parse import CommandError
from bot.registry import dispatch
from channels.fetch import fetchers
from channels.message import Message, Reply
from console.actions import web_channel
from console.bridge import Chat
from console import pages as console_pages
from bot.pipeline import Pipeline
from bot.readiness import Readiness
from ledger.db import LedgerError, now_iso, open_db
from ledger.diskspace import is_disk_full
from ledger.outbox import enqueue
from ledger.signatures import claim_signature
from ledger.units import scope_members
from worktime.calendar import make_calendar
from worktime.clock import make_clock

__all__ = ["create_app", "make_pipeline", "make_clock", "make_calendar"]

log = logging.getLogger("creditbot")
DISK_FULL_PAGE = "服务器存储空间不足，刚才的操作没有保存。请稍后再试，并告知市信用办。"


def make_pipeline(settings: dict[str, Any]) -> Pipeline:
    db_path = str(settings["CREDITBOT_DB"])
    db = open_db(db_path)  # create / migrate once, up front
    try:
        platforms = platforms_in_use(settings)
        if platforms:  # bindings made before a platform was configured now belong to it
            scope_members(db, platforms, make_clock(settings)())
    finally:
        db.close()
    return Pipeline(lambda: open_db(db_path, migrate=False), Path(settings["CREDITBOT_DATA"]),
                    make_calendar(settings), make_clock(settings), fetchers(settings), settings)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` overrides settings (tests pass their own DB and keys)."""
    settings = load_settings(overrides=config or {})
    app = Flask(__name__)
    limit = int(settings.get("MAX_BODY_BYTES") or 5 * 1024 * 1024)
    app.config["MAX_CONTENT_LENGTH"] = link_pages.MAX_UPLOAD_BYTES
    pipeline = make_pipeline(settings)
    app.extensions["creditbot"] = pipeline
    status = channel_status(settings)

    @app.before_request
    def _body_limit() -> None:
        # Callbacks are small; only the upload pages take files.
        if not request.path.startswith(("/upload/", "/console/")):
            request.max_content_length = limit

    @app.errorhandler(413)
    def _too_large(_: Exception) -> Any:
        if request.path.startswith("/upload/"):
            return link_pages.too_large()
        return Response("请求内容过大", status=413, mimetype="text/plain")

    @app.after_request
    def _security_headers(resp: Response) -> Response:
        # The pages are tiny forms: no scripts, no framing, no sniffing, no caching of links.
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; "
                                "form-action 'self'; frame-ancestors 'none'")
        if request.path.startswith(link_pages.PREFIXES):
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(sqlite3.OperationalError)
    def _disk_full(exc: sqlite3.OperationalError) -> Any:
        """A page or upload that needed to write on a full disk: a Chinese answer, not a 500
        (the chat callbacks answer in chat, see Pipeline.handle)."""
        if not is_disk_full(exc):
            raise exc
        log.error("%s %s: %s", request.method, request.path, exc)
        return Response(DISK_FULL_PAGE, status=503, mimetype="text/plain")

    @app.errorhandler(404)
    def _not_found(_: Exception) -> Response:
        return Response("页面不存在或链接无效", status=404, mimetype="text/plain")

    def handle(msg: Message) -> Reply:
        g.creditbot_msg_id = msg.msg_id  # keys the overflow push of this reply (see below)
        return pipeline.handle(msg)

    def push_overflow(user_id: str, reply: Reply) -> None:
        """The part of a WeCom passive reply beyond 2048 bytes goes out by message/send. Keyed
        by the message id, so WeCom's retries of one message queue it once."""
        if not reply.text.strip():
            return  # nothing to push (files travel as download links in the text)
        db = pipeline.open_db()
        try:
            digest = hashlib.sha256(reply.text.encode()).hexdigest()[:16]
            source = getattr(g, "creditbot_msg_id", None) or now_iso(pipeline.clock())
            enqueue(db, f"overflow:wecom:{user_id}:{source}:{digest}", "wecom",
                    {"users": [user_id]}, {"text": reply.text, "markdown": reply.markdown},
                    pipeline.clock())
        finally:
            db.close()

    from channels import dingtalk_routes, wecom_routes
    if status["wecom"] or status["wecom_aibot"]:
        app.register_blueprint(wecom_routes.make_blueprint(settings, handle, push_overflow,
                                                    claim=_signature_claim(pipeline, "wecom")))
    if status["dingtalk"]:
        app.register_blueprint(dingtalk_routes.make_blueprint(settings, handle,
                                                       claim=_signature_claim(pipeline, "dingtalk")))

    ready_check = Readiness(settings, pipeline.open_db)

    @app.get("/healthz")
    def healthz() -> Any:
        ready, body = ready_check()
        return jsonify({**body, "channels": status}), 200 if ready else 503

    app.register_blueprint(link_pages.make_blueprint(pipeline))
    console_pages.install(app, console_chat(pipeline))
    return app


def console_chat(pipeline: Pipeline) -> Chat:
    """What the web console uses of the chat (it sits below bot and cannot import it): the
    pipeline's handling, its context and card cache, and the read-only commands' answers. The
    clock is read through the pipeline each time (tests and demos move it)."""
    def context(db: Any, off: Any, member: Any, msg: Message, version: int) -> Ctx:
        return Ctx(db, off, member, msg, msg.at, pipeline.cal, pipeline.data_dir,
                   pipeline.settings, card_cache=pipeline.cards, base_version=version)

    def ask(text: str, ctx: Ctx) -> str:
        try:
            return dispatch(text, ctx).text
        except (CommandError, LedgerError) as exc:
            return str(exc)

    def approve(member: Any, form_id: str, targets: list[Target], summary: str) -> Reply:
        msg = Message(web_channel(member), member.user_id, member.user_id, f"审核 {summary}",
                      f"web:{form_id}", pipeline.clock(), sender_name=member.name)
        return pipeline.handle(msg, run=lambda ctx: approve_targets(ctx, targets, summary))

    return Chat(handle=lambda msg: pipeline.handle(msg), context=context, ask=ask,
                staff_only_metrics=staff_only_metrics, show_value=show_value, approve=approve,
                clock=lambda: pipeline.clock(),
                cal=pipeline.cal, data_dir=pipeline.data_dir, settings=pipeline.settings)


def _signature_claim(pipeline: Pipeline, channel: str) -> Callable[[str, str, bytes], bool]:
    """Binds each DingTalk sign (WeCom timestamp+nonce) to its first msgId and body in the
    ledger, so every worker process refuses a replayed pair for as long as the timestamp would
    pass (the retention job keeps these rows a day, longer than that)."""
    from channels.dingtalk import MAX_CLOCK_SKEW_MS
    from channels.freshness import WECOM_MAX_SKEW_S

    skew_s = MAX_CLOCK_SKEW_MS / 1000 if channel == "dingtalk" else WECOM_MAX_SKEW_S
    window = timedelta(seconds=2 * skew_s)  # ± the skew either side

    unsaved: dict[str, tuple[str, str, datetime]] = {}  # claimed while the disk was full

    def claim(sign: str, msg_id: str, body: bytes) -> bool:
        # The request thread's own connection, as the pipeline uses next: opening (and
        # migration-checking) a connection per callback was most of the guard's cost.
        digest, now = hashlib.sha256(body).hexdigest(), pipeline.clock()
        try:
            return claim_signature(pipeline.thread_db(), channel, sign, msg_id, digest, now,
                                   window)
        except sqlite3.OperationalError as exc:
            if not is_disk_full(exc):
                raise
        # A full disk: the ledger's bindings were read and none refuses this pair, but it
        # cannot be written. Reads must keep answering, so this process remembers it instead.
        for old in [k for k, v in unsaved.items() if v[2] < now - window]:
            del unsaved[old]
        first = unsaved.setdefault(sign, (msg_id, digest, now))
        return first[:2] == (msg_id, digest)

    return claim
