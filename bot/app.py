"""The Flask app factory: channel blueprints, /healthz and the one-time upload page.

Nothing here starts a scheduler (that is `creditbot serve` only) and nothing is held at module
level: tests build as many apps as they like, each with its own database.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from flask import Flask, Response, abort, jsonify, render_template_string, request

from bot.config import channel_status, load_settings
from bot.context import Fetcher
from bot.message import Attachment, Message, Reply
from bot.pipeline import Pipeline
from ledger.db import LedgerError, immediate, now_iso, open_db
from ledger.outbox import enqueue
from ledger.submissions import MAX_FILE_BYTES, store_evidence
from reminders.calendar import WorkCalendar

__all__ = ["create_app", "make_pipeline", "make_clock", "make_calendar"]

log = logging.getLogger("creditbot")


def make_clock(settings: dict[str, Any]) -> Callable[[], datetime]:
    """CREDITBOT_NOW fixes the clock (demos, tests); otherwise local wall time."""
    fixed = str(settings.get("CREDITBOT_NOW") or "").strip()
    if fixed:
        try:
            at = datetime.fromisoformat(fixed)
        except ValueError:
            raise ValueError(f"CREDITBOT_NOW 格式错误：{fixed}（应为 2022-09-01T10:00:00）") from None
        return lambda: at
    return datetime.now


def make_calendar(settings: dict[str, Any]) -> WorkCalendar:
    extra = str(settings.get("CREDITBOT_HOLIDAYS") or "").strip()
    return WorkCalendar.from_file(extra) if extra else WorkCalendar.default()


def _fetchers(settings: dict[str, Any]) -> dict[str, Fetcher]:
    """How each channel downloads what users send; clients are created on first use."""
    from bot import dingtalk, wecom

    cache: dict[str, Any] = {}

    def wecom_fetch(att: Attachment) -> tuple[bytes, str, str]:
        client = cache.setdefault("wecom", wecom.WeComClient(settings))
        if att.fetch_ref:
            return client.download_media(att.fetch_ref)
        data = client.download_url(att.url)
        return data, att.name or "file", att.content_type

    def dingtalk_fetch(att: Attachment) -> tuple[bytes, str, str]:
        client = cache.setdefault("dingtalk", dingtalk.DingTalkClient(settings))
        data, ctype = client.download_file(att.fetch_ref)
        return data, att.name or ("image.jpg" if att.kind == "image" else "file"), ctype

    def local_fetch(att: Attachment) -> tuple[bytes, str, str]:
        path = Path(att.path)
        return path.read_bytes(), att.name or path.name, att.content_type

    return {"wecom": wecom_fetch, "dingtalk": dingtalk_fetch, "console": local_fetch}


def make_pipeline(settings: dict[str, Any]) -> Pipeline:
    db_path = str(settings["CREDITBOT_DB"])
    open_db(db_path).close()  # create / migrate once, up front
    return Pipeline(lambda: open_db(db_path, migrate=False), Path(settings["CREDITBOT_DATA"]),
                    make_calendar(settings), make_clock(settings), _fetchers(settings), settings)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` overrides settings (tests pass their own DB and keys)."""
    settings = load_settings(overrides=config or {})
    app = Flask(__name__)
    limit = int(settings.get("MAX_BODY_BYTES") or 5 * 1024 * 1024)
    app.config["MAX_CONTENT_LENGTH"] = MAX_FILE_BYTES + 1024 * 1024
    pipeline = make_pipeline(settings)
    app.extensions["creditbot"] = pipeline
    status = channel_status(settings)

    @app.before_request
    def _body_limit() -> None:
        # Callbacks are small; only the upload page takes files.
        if not request.path.startswith("/upload/"):
            request.max_content_length = limit

    @app.errorhandler(413)
    def _too_large(_: Exception) -> Response:
        return Response("请求内容过大", status=413, mimetype="text/plain")

    def push_overflow(user_id: str, reply: Reply) -> None:
        db = pipeline.open_db()
        try:
            digest = hashlib.sha256(reply.text.encode()).hexdigest()[:16]
            enqueue(db, f"overflow:wecom:{user_id}:{digest}:{now_iso(pipeline.clock())}", "wecom",
                    {"users": [user_id]}, {"text": reply.text, "markdown": reply.markdown},
                    pipeline.clock())
        finally:
            db.close()

    from bot import dingtalk, wecom
    if status["wecom"] or status["wecom_aibot"]:
        app.register_blueprint(wecom.make_blueprint(settings, pipeline.handle, push_overflow))
    if status["dingtalk"]:
        app.register_blueprint(dingtalk.make_blueprint(settings, pipeline.handle))

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok", "channels": status})

    _upload_routes(app, pipeline)
    return app


UPLOAD_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>上传佐证材料</title>
<style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em}
button{font-size:1.1em;padding:.4em 1.2em}</style></head><body>
<h2>上传佐证材料</h2><p>单位：{{ unit }}<br>指标：{{ indicator }}</p>
{% if message %}<p><b>{{ message }}</b></p>{% endif %}
{% if open %}<form method="post" enctype="multipart/form-data">
<input type="file" name="file" multiple required><p>单个文件不超过 {{ mb }} MB；PDF、Word、Excel、图片或压缩包。</p>
<button type="submit">上传</button></form>{% endif %}</body></html>"""


def _upload_routes(app: Flask, pipeline: Pipeline) -> None:
    @app.route("/upload/<token>", methods=["GET", "POST"])
    def upload(token: str) -> Any:
        db = pipeline.open_db()
        try:
            row = db.execute(
                "SELECT t.unit_id, t.indicator, t.member_id, t.expires_at, u.name FROM "
                "upload_tokens t JOIN units u ON u.id = t.unit_id WHERE t.token = ?",
                [token]).fetchone()
            if row is None:
                abort(404)
            unit_id, indicator, member_id, expires, unit_name = row
            now = pipeline.clock()
            page = dict(unit=unit_name, indicator=indicator, mb=MAX_FILE_BYTES // 1024 // 1024,
                        open=True, message="")
            if expires < now_iso(now):
                page.update(open=False, message="链接已过期，请在聊天中重新发送「佐证 指标」获取新链接。")
                return render_template_string(UPLOAD_PAGE, **page), 410
            if request.method == "GET":
                return render_template_string(UPLOAD_PAGE, **page)
            files = [f for f in request.files.getlist("file") if f.filename]
            if not files:
                page["message"] = "请选择文件。"
                return render_template_string(UPLOAD_PAGE, **page), 400
            names = []
            for f in files:
                content = f.read(MAX_FILE_BYTES + 1)
                try:
                    store_evidence(db, pipeline.data_dir, unit_id=unit_id, indicator=indicator,
                                   content=content, original_name=f.filename,
                                   content_type=f.mimetype or "", now=now, member_id=member_id,
                                   channel="upload", source_msg_id=None, actor=f"upload:{member_id}")
                except LedgerError as exc:
                    page["message"] = f"{f.filename}：{exc}"
                    return render_template_string(UPLOAD_PAGE, **page), 400
                names.append(f.filename)
            page["message"] = f"已收到：{'、'.join(names)}，待信用办审核。可以继续上传。"
            return render_template_string(UPLOAD_PAGE, **page)
        finally:
            db.close()
