"""The Flask app factory: channel blueprints, /healthz and the one-time upload page.

Nothing here starts a scheduler (that is `creditbot serve` only) and nothing is held at module
level: tests build as many apps as they like, each with its own database.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from flask import (Flask, Response, abort, g, jsonify, render_template_string, request,
                   send_file)

from bot.config import channel_status, load_settings, platforms_in_use
from bot.cards import staff_only_metrics
from bot.numbers import show_value
from bot.staff import approve_targets
from ledger.approvals import Target
from bot.context import Ctx, Fetcher
from bot.parse import CommandError
from bot.registry import dispatch
from bot.evidence import record_period_report
from channels.message import Attachment, Message, Reply
from console.actions import web_channel
from console.bridge import Chat
from console import pages as console_pages
from bot.pipeline import Pipeline
from bot.readiness import Readiness
from ledger.db import LedgerError, immediate, now_iso, open_db
from ledger.office import office_for_kind
from ledger.outbox import enqueue
from ledger.signatures import claim_signature
from ledger.submissions import MAX_FILE_BYTES, store_evidence
from ledger.units import get_unit, scope_members
from worktime.calendar import make_calendar
from worktime.clock import make_clock

__all__ = ["create_app", "make_pipeline", "make_clock", "make_calendar", "sniff_suffix"]

log = logging.getLogger("creditbot")




# Leading bytes of the file types evidence may have → the suffix to store them under.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", ".pdf"), (b"\x89PNG", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF8", ".gif"),
    (b"PK\x03\x04", ".zip"), (b"\xd0\xcf\x11\xe0", ".doc"), (b"Rar!", ".rar"),
    (b"7z\xbc\xaf", ".7z"), (b"BM", ".bmp"),
)


def sniff_suffix(data: bytes) -> str:
    """A file suffix from the content's magic bytes, or "" if unknown."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return next((suffix for magic, suffix in _MAGIC if data.startswith(magic)), "")


def _aibot_file_mode(settings: dict[str, Any]) -> str:
    """WECOM_AIBOT_FILE_ENCRYPTED: true (always decrypt), false (never), auto (default:
    decrypt unless the bytes already look like a known file type)."""
    value = str(settings.get("WECOM_AIBOT_FILE_ENCRYPTED", "auto")).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return "always"
    if value in ("0", "false", "no", "off"):
        return "never"
    return "auto"


def _fetchers(settings: dict[str, Any]) -> dict[str, Fetcher]:
    """How each channel downloads what users send; clients are created on first use."""
    from channels import dingtalk, wecom

    cache: dict[str, Any] = {}

    def wecom_client() -> Any:
        return cache.setdefault("wecom", wecom.WeComClient(settings))

    def aibot_fetch(att: Attachment) -> tuple[bytes, str, str]:
        # 智能机器人 files/images come as a short-lived URL whose bytes are AES-256-CBC with the
        # bot's EncodingAESKey; the name, if any, is in the download's Content-Disposition.
        problem = wecom.aibot_file_url_problem(att.url, settings)
        if problem:  # the URL is inside the (signed) message, but never fetch the intranet
            log.warning("智能机器人 file URL refused: %s", problem)
            raise ValueError(f"文件地址不可信：{problem}")
        data, name, ctype = wecom_client().download_url_named(att.url)
        mode = _aibot_file_mode(settings)
        if mode == "always" or (mode == "auto" and not sniff_suffix(data)):
            crypto = wecom._aibot_crypto(settings)
            if crypto is None:
                raise ValueError("未配置 WECOM_AIBOT_TOKEN/WECOM_AIBOT_AES_KEY，无法解密智能机器人文件")
            data = crypto.decrypt_file(data)
        name = name or att.name or ("image" if att.kind == "image" else "file")
        if not Path(name).suffix:
            name += sniff_suffix(data)
        if ctype in ("", "application/octet-stream"):
            ctype = att.content_type or ctype
        return data, name, ctype

    def wecom_fetch(att: Attachment) -> tuple[bytes, str, str]:
        if att.fetch_ref:
            data, name, ctype = wecom_client().download_media(att.fetch_ref)
            if not Path(name).suffix:
                name += sniff_suffix(data)
            return data, name, ctype
        return aibot_fetch(att)

    def dingtalk_fetch(att: Attachment) -> tuple[bytes, str, str]:
        client = cache.setdefault("dingtalk", dingtalk.DingTalkClient(settings))
        data, ctype = client.download_file(att.fetch_ref)
        name = att.name or ("image" if att.kind == "image" else "file")
        if not Path(name).suffix:
            name += sniff_suffix(data) or (".jpg" if att.kind == "image" else "")
        return data, name, ctype

    def local_fetch(att: Attachment) -> tuple[bytes, str, str]:
        path = Path(att.path)
        return path.read_bytes(), att.name or path.name, att.content_type

    return {"wecom": wecom_fetch, "wecom_aibot": aibot_fetch, "dingtalk": dingtalk_fetch,
            "console": local_fetch, "web": local_fetch}


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
                    make_calendar(settings), make_clock(settings), _fetchers(settings), settings)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` overrides settings (tests pass their own DB and keys)."""
    settings = load_settings(overrides=config or {})
    app = Flask(__name__)
    limit = int(settings.get("MAX_BODY_BYTES") or 5 * 1024 * 1024)
    # The upload page takes several files at once, each up to MAX_FILE_BYTES.
    app.config["MAX_CONTENT_LENGTH"] = 3 * MAX_FILE_BYTES + 1024 * 1024
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
            page = dict(unit="", indicator="", mb=MAX_FILE_BYTES // 1024 // 1024, open=False,
                        message=f"上传的文件合计过大（每次最多 {3 * MAX_FILE_BYTES // 1024 // 1024} MB，"
                                f"单个文件不超过 {MAX_FILE_BYTES // 1024 // 1024} MB）。请返回重新选择。")
            return render_template_string(UPLOAD_PAGE, **page), 413
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
        if request.path.startswith(("/upload/", "/download/")):
            resp.headers["Cache-Control"] = "no-store"
        return resp

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

    from channels import dingtalk, wecom
    if status["wecom"] or status["wecom_aibot"]:
        app.register_blueprint(wecom.make_blueprint(settings, handle, push_overflow))
    if status["dingtalk"]:
        app.register_blueprint(dingtalk.make_blueprint(settings, handle,
                                                       claim=_signature_claim(pipeline)))

    ready_check = Readiness(settings, pipeline.open_db)

    @app.get("/healthz")
    def healthz() -> Any:
        ready, body = ready_check()
        return jsonify({**body, "channels": status}), 200 if ready else 503

    _upload_routes(app, pipeline)
    _download_route(app, pipeline)
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


def _signature_claim(pipeline: Pipeline) -> Callable[[str, str, bytes], bool]:
    """Binds each DingTalk sign to its first msgId and body in the ledger, so every worker
    process refuses a replayed header pair for as long as the timestamp would pass."""
    from channels.dingtalk import MAX_CLOCK_SKEW_MS

    window = timedelta(milliseconds=2 * MAX_CLOCK_SKEW_MS)  # ± the skew either side

    def claim(sign: str, msg_id: str, body: bytes) -> bool:
        # The request thread's own connection, as the pipeline uses next: opening (and
        # migration-checking) a connection per callback was most of the guard's cost.
        return claim_signature(pipeline.thread_db(), "dingtalk", sign, msg_id,
                               hashlib.sha256(body).hexdigest(), pipeline.clock(), window)

    return claim


UPLOAD_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>上传佐证材料</title>
<style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em}
button{font-size:1.1em;padding:.4em 1.2em}</style></head><body>
<h2>上传佐证材料</h2><p>单位：{{ unit }}<br>指标：{{ indicator }}</p>
{% if message %}<p><b>{{ message }}</b></p>{% endif %}
{% if open %}<form method="post" enctype="multipart/form-data">
<input type="file" name="file" multiple required><p>可一次选多个文件，单个文件不超过 {{ mb }} MB；PDF、Word、Excel、图片或压缩包。</p>
<button type="submit">上传</button></form>{% endif %}</body></html>"""


def _download_route(app: Flask, pipeline: Pipeline) -> None:
    @app.get("/download/<token>")
    def download(token: str) -> Any:
        db = pipeline.open_db()
        try:
            with immediate(db):  # a one-time link is spent by the first download only
                row = db.execute("SELECT path, name, expires_at, single_use, used_at FROM downloads "
                                 "WHERE token = ?", [token]).fetchone()
                if row is not None and row[3] and not row[4]:
                    db.execute("UPDATE downloads SET used_at = ? WHERE token = ?",
                               [now_iso(pipeline.clock()), token])
        finally:
            db.close()
        if row is None:
            abort(404)
        path, name, expires, once, used = row
        if used:
            return Response("此下载链接只能使用一次，已被使用。请在聊天中重新发送「查看 编号」。",
                            status=410, mimetype="text/plain")
        if expires < now_iso(pipeline.clock()) or not Path(path).exists():
            return Response("下载链接已过期，请在聊天中重新发送「导出」或「查看 编号」。", status=410,
                            mimetype="text/plain")
        return send_file(path, as_attachment=True, download_name=name)


USED_LINK = "此链接已使用过（一次性链接）。如需再传，请在聊天中重新发送「佐证 指标」。"
STALE_LINK = "此链接已失效：发链接的联络员已改绑或解除绑定。请在聊天中重新发送「佐证 指标」。"


class _LinkSpent(Exception):
    """The upload link was used or went stale while the files were arriving."""


def _still_bound(db: Any, member_id: int | None, unit_id: int) -> bool:
    """A link is the liaison's for their unit: a rebind or an unbinding ends it."""
    if member_id is None:
        return True
    row = db.execute("SELECT unit_id, active, role FROM members WHERE id = ?",
                     [member_id]).fetchone()
    return row is not None and bool(row[1]) and (row[0] == unit_id or row[2] != "liaison")


def _upload_routes(app: Flask, pipeline: Pipeline) -> None:
    @app.route("/upload/<token>", methods=["GET", "POST"])
    def upload(token: str) -> Any:
        db = pipeline.open_db()
        try:
            row = db.execute(
                "SELECT t.unit_id, t.indicator, t.member_id, t.expires_at, u.name, t.used_at "
                "FROM upload_tokens t JOIN units u ON u.id = t.unit_id WHERE t.token = ?",
                [token]).fetchone()
            if row is None:
                abort(404)
            unit_id, indicator, member_id, expires, unit_name, used_at = row
            now = pipeline.clock()
            page = dict(unit=unit_name, indicator=indicator, mb=MAX_FILE_BYTES // 1024 // 1024,
                        open=True, message="")
            if expires < now_iso(now):
                page.update(open=False, message="链接已过期，请在聊天中重新发送「佐证 指标」获取新链接。")
                return render_template_string(UPLOAD_PAGE, **page), 410
            if used_at:
                page.update(open=False, message=USED_LINK)
                return render_template_string(UPLOAD_PAGE, **page), 410
            if not _still_bound(db, member_id, unit_id):
                page.update(open=False, message=STALE_LINK)
                return render_template_string(UPLOAD_PAGE, **page), 410
            if request.method in ("GET", "HEAD"):
                return render_template_string(UPLOAD_PAGE, **page)
            files = [f for f in request.files.getlist("file") if f.filename]
            if not files:
                page["message"] = "请选择文件。"
                return render_template_string(UPLOAD_PAGE, **page), 400
            contents = [(f, f.read(MAX_FILE_BYTES + 1)) for f in files]
            try:
                stored = []
                with immediate(db):  # all the files of one upload, or none of them
                    # Checked again under the write lock: two posts of one link race here.
                    again = db.execute("SELECT used_at FROM upload_tokens WHERE token = ?",
                                       [token]).fetchone()
                    if again[0] or not _still_bound(db, member_id, unit_id):
                        raise _LinkSpent(USED_LINK if again[0] else STALE_LINK)
                    off = office_for_kind(db, get_unit(db, unit_id).kind)
                    for f, content in contents:
                        stored.append(store_evidence(
                            db, pipeline.data_dir, unit_id=unit_id, indicator=indicator,
                            content=content, original_name=f.filename,
                            content_type=f.mimetype or "", now=now, member_id=member_id,
                            channel="upload", source_msg_id=None, actor=f"upload:{member_id}",
                            year=off.year))
                    ind = off.scheme.indicator(indicator)
                    note = record_period_report(db, pipeline.cal, unit_id, ind, now, member_id,
                                                "upload", len(contents),
                                                f"upload:{member_id}") if ind else ""
                    db.execute("UPDATE upload_tokens SET used_at = ? WHERE token = ?",
                               [now_iso(now), token])
            except _LinkSpent as exc:
                page.update(open=False, message=str(exc))
                return render_template_string(UPLOAD_PAGE, **page), 410
            except LedgerError as exc:
                page["message"] = f"上传失败：{exc}（本次文件均未保存，请修改后重新选择）"
                return render_template_string(UPLOAD_PAGE, **page), 400
            names = "、".join(row["original_name"] for row in stored)
            page.update(open=False, message=f"已收到：{names}，待信用办审核。{note.strip()}")
            return render_template_string(UPLOAD_PAGE, **page)
        finally:
            db.close()
