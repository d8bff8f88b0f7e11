"""The WeCom callback routes: /wecom/callback (self-built app, XML) and /wecom/aibot
(智能机器人, JSON). Each verifies, decrypts, parses (channels/wecom.py), calls the handler and
renders the encrypted passive reply — never a 500, which would make WeCom retry."""
from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from channels.freshness import WECOM_MAX_SKEW_S, timestamp_problem
from channels.message import APOLOGY, Message, Reply
from channels.wecom import (MORE_NOTE, TEXT_LIMIT, WeComPayloadError, aibot_crypto,
                            app_crypto, parse_aibot_message, parse_app_message, parse_xml,
                            render_aibot_reply, render_app_reply, render_envelope, setting,
                            split_utf8, truncate_utf8)
from channels.wecom_crypto import WeComCrypto, WeComCryptoError

__all__ = ["make_blueprint", "Handle", "PushOverflow"]

log = logging.getLogger("channels.wecom")

Handle = Callable[[Message], Reply]
PushOverflow = Callable[[str, Reply], None]


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def _empty() -> Response:
    return Response(b"", status=200, mimetype="text/plain")


def _query() -> tuple[str, str, str] | None:
    """msg_signature, timestamp, nonce from the query string, or None if any is missing."""
    signature = request.args.get("msg_signature", "")
    timestamp = request.args.get("timestamp", "")
    nonce = request.args.get("nonce", "")
    return (signature, timestamp, nonce) if signature and timestamp and nonce else None


def _new_nonce() -> str:
    return str(secrets.randbelow(10**10))


def _call_handler(handle: Handle, msg: Message) -> Reply:
    try:
        reply = handle(msg)
    except Exception:
        log.exception("WeCom handler failed for msg_id=%s sender=%s", msg.msg_id, msg.sender_id)
        return Reply(APOLOGY)
    return reply if isinstance(reply, Reply) else Reply(str(reply or ""))


def _push(push_overflow: PushOverflow, user_id: str, reply: Reply) -> None:
    try:
        push_overflow(user_id, reply)
    except Exception:
        log.exception("WeCom push_overflow failed for user %s", user_id)


def _passive_text(reply: Reply, user_id: str, push_overflow: PushOverflow | None) -> str:
    """First ≤2048-byte chunk for the passive reply; the rest (and files) go to push_overflow."""
    if push_overflow is None or len(reply.text.encode("utf-8")) <= TEXT_LIMIT:
        if reply.files:  # files travel as links in the text (see 导出), never as attachments
            log.info("WeCom passive reply leaves %d local file(s) out", len(reply.files))
        return truncate_utf8(reply.text, TEXT_LIMIT)
    # Say that more is coming, and mark the pushed part as the continuation.
    chunks = split_utf8(reply.text, TEXT_LIMIT - len(MORE_NOTE.encode("utf-8")))
    _push(push_overflow, user_id, Reply("（续）\n" + "\n".join(chunks[1:]),
                                        markdown=reply.markdown, title=reply.title))
    return chunks[0] + MORE_NOTE


def _echostr() -> str:
    # A proxy that decodes "+" as space would break the base64; base64 never contains spaces.
    return request.args.get("echostr", "").replace(" ", "+")


def _verify(crypto: WeComCrypto | None) -> Response:
    if crypto is None:
        return _plain("企业微信回调未配置", 404)
    params = _query()
    echostr = _echostr()
    if params is None or not echostr:
        return _plain("缺少签名参数", 400)
    try:
        plaintext = crypto.verify_url(*params, echostr)
    except WeComCryptoError:
        return _plain("签名校验失败", 403)
    return _plain(plaintext, 200)


def _outer_encrypt_xml(body: bytes) -> str:
    root = parse_xml(body)
    encrypt = (root.findtext("Encrypt") or "").strip()
    if not encrypt:
        raise WeComPayloadError("缺少 Encrypt 字段")
    return encrypt


def _outer_encrypt_json(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # deep nesting too
        raise WeComPayloadError("请求体不是有效的 JSON") from None
    encrypt = payload.get("encrypt") if isinstance(payload, dict) else None
    if not isinstance(encrypt, str) or not encrypt:
        raise WeComPayloadError("缺少 encrypt 字段")
    return encrypt


def _decrypt_body(crypto: WeComCrypto, outer: Callable[[bytes], str],
                  now_s: Callable[[], float] = time.time) -> bytes | Response:
    """Signature params + outer body → decrypted plaintext, or the 400/403 response."""
    params = _query()
    if params is None:
        return _plain("缺少签名参数", 400)
    if (stale := timestamp_problem(params[1], now_s(), WECOM_MAX_SKEW_S)) is not None:
        log.warning("WeCom callback refused: %s", stale)
        return _plain(f"消息校验失败：{stale}", 403)
    try:
        encrypt = outer(request.get_data(cache=False))
        return crypto.decrypt(*params, encrypt)
    except WeComPayloadError as exc:
        return _plain(f"请求格式错误：{exc}", 400)
    except WeComCryptoError as exc:  # a bad signature, a wrong CorpID, undecryptable data
        return _plain(f"消息校验失败：{exc}", 403)


def _app_message(
    crypto: WeComCrypto, corp_id: str, handle: Handle, push_overflow: PushOverflow | None,
    guard: Guard,
) -> Response:
    plain = _decrypt_body(crypto, _outer_encrypt_xml, guard.now_s)
    if isinstance(plain, Response):
        return plain
    try:
        msg = parse_app_message(plain)
    except WeComPayloadError as exc:
        return _plain(f"消息格式错误：{exc}", 400)
    if (refused := guard.replayed(msg, plain)) is not None:
        return refused
    reply = _call_handler(handle, msg)
    content = _passive_text(reply, msg.sender_id, push_overflow) if reply else ""
    if not content:
        return _empty()
    now = int(time.time())
    timestamp, nonce = str(now), _new_nonce()
    inner = render_app_reply(content, msg.sender_id, corp_id, now)
    encrypt, signature = crypto.encrypt(inner, timestamp, nonce)
    return Response(render_envelope(encrypt, signature, timestamp, nonce), mimetype="application/xml")


def _aibot_message(crypto: WeComCrypto, handle: Handle, guard: Guard) -> Response:
    plain = _decrypt_body(crypto, _outer_encrypt_json, guard.now_s)
    if isinstance(plain, Response):
        return plain
    try:
        payload = json.loads(plain)
        if not isinstance(payload, dict):
            raise WeComPayloadError("消息不是 JSON 对象")
        if payload.get("msgtype") == "stream":  # refresh of a stream we never leave open
            return _empty()
        msg = parse_aibot_message(payload)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, nesting
        detail = exc if isinstance(exc, WeComPayloadError) else "不是有效的 JSON"
        return _plain(f"消息格式错误：{detail}", 400)
    if (refused := guard.replayed(msg, plain)) is not None:
        return refused
    reply = _call_handler(handle, msg)
    if not reply or not reply.text:
        return _empty()
    timestamp, nonce = str(int(time.time())), _new_nonce()
    inner = json.dumps(render_aibot_reply(reply, msg), ensure_ascii=False).encode("utf-8")
    encrypt, signature = crypto.encrypt(inner, timestamp, nonce)
    body = {"encrypt": encrypt, "msgsignature": signature, "timestamp": timestamp, "nonce": nonce}
    return Response(json.dumps(body), mimetype="application/json")


class Guard:
    """The replay checks around a signed callback: the clock for its timestamp window, and
    `claim(key, msg_id, plaintext)`, which binds each timestamp+nonce to the first message it
    carried for as long as the window accepts it (a retry of that message passes; the pair
    carrying anything else is refused)."""

    def __init__(self, now_s: Callable[[], float],
                 claim: Callable[[str, str, bytes], bool] | None) -> None:
        self.now_s, self.claim = now_s, claim

    def replayed(self, msg: Message, plain: bytes) -> Response | None:
        if self.claim is None:
            return None
        key = f"{request.args.get('timestamp', '')}:{request.args.get('nonce', '')}"
        if self.claim(key, msg.msg_id, plain):
            return None
        log.warning("WeCom callback refused: timestamp/nonce reused for another message")
        return _plain("消息校验失败：nonce 已被使用（疑似重放）", 403)


def _unexpected_error(exc: Exception) -> Response | HTTPException:
    if isinstance(exc, HTTPException):
        return exc
    log.exception("WeCom callback failed unexpectedly")
    return _empty()  # a 500 would make WeCom retry the same message


def make_blueprint(
    settings: Mapping[str, Any],
    handle: Handle,
    push_overflow: PushOverflow | None = None,
    now_s: Callable[[], float] = time.time,
    claim: Callable[[str, str, bytes], bool] | None = None,
) -> Blueprint:
    """Routes /wecom/callback (self-built app, XML) and /wecom/aibot (智能机器人, JSON).

    An endpoint whose token/key are not configured answers 404. A message whose signed
    timestamp is more than WECOM_MAX_SKEW_S from `now_s()` is refused, and `claim` (see Guard)
    remembers the nonces seen in that window. `handle` must be idempotent on `msg_id`: WeCom
    retries a message it got no answer for within 5 s.
    """
    guard = Guard(now_s, claim)
    app_cb = app_crypto(settings)
    bot_crypto = aibot_crypto(settings)
    corp_id = setting(settings, "WECOM_CORP_ID")
    bp = Blueprint("wecom", __name__, url_prefix="/wecom")

    @bp.get("/callback")
    def callback_verify() -> Response:
        return _verify(app_cb)

    @bp.post("/callback")
    def callback_message() -> Response:
        if app_cb is None:
            return _plain("企业微信回调未配置", 404)
        return _app_message(app_cb, corp_id, handle, push_overflow, guard)

    @bp.get("/aibot")
    def aibot_verify() -> Response:
        return _verify(bot_crypto)

    @bp.post("/aibot")
    def aibot_message() -> Response:
        if bot_crypto is None:
            return _plain("智能机器人回调未配置", 404)
        return _aibot_message(bot_crypto, handle, guard)

    bp.register_error_handler(Exception, _unexpected_error)
    return bp
