"""The DingTalk robot callback route, `POST /dingtalk/callback`: source address, signature
and replay checks, then parse (channels/dingtalk.py), handle and answer with the reply JSON —
never a 500, which would make DingTalk retry."""
from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Blueprint, Response, jsonify, request

from channels.dingtalk import (DingTalkAuthError, DingTalkPayloadError, parse_callback,
                               render_reply, verify_callback, wall_clock_ms)
from channels.message import APOLOGY, Message, Reply

__all__ = ["make_blueprint", "allowed_networks", "safe_handle"]

log = logging.getLogger("channels.dingtalk")


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def allowed_networks(value: Any) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """DINGTALK_ALLOWED_IPS: comma-separated addresses or CIDR blocks; empty allows any."""
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    try:
        return tuple(ipaddress.ip_network(str(i).strip(), strict=False)
                     for i in items if str(i).strip())
    except ValueError as exc:
        raise ValueError(f"DINGTALK_ALLOWED_IPS 格式错误：{exc}") from None


def _ip_allowed(remote: str | None, networks: Sequence[Any]) -> bool:
    if not networks:
        return True
    try:
        addr = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    return any(addr in net for net in networks)


def make_blueprint(
    settings: Mapping[str, Any],
    handle: Callable[[Message], Reply],
    now_ms: Callable[[], int] = wall_clock_ms,
    claim: Callable[[str, str, bytes], bool] | None = None,
) -> Blueprint:
    """`POST /dingtalk/callback`: verify, parse, call `handle`, answer with the reply JSON.

    The sign covers only the timestamp and the secret, so `claim(sign, msg_id, body)` binds
    each accepted sign to its first message id and body: a captured header pair replayed with
    anything else is refused. `handle` must still be idempotent on `msg_id` (DingTalk retries);
    its exceptions are logged and answered with an apology, never a 500.
    """
    bp = Blueprint("dingtalk", __name__)
    networks = allowed_networks(settings.get("DINGTALK_ALLOWED_IPS"))

    @bp.post("/dingtalk/callback")
    def callback() -> Response:
        if not _ip_allowed(request.remote_addr, networks):
            log.warning("DingTalk callback refused: source %s not in DINGTALK_ALLOWED_IPS",
                        request.remote_addr)
            return _plain("来源地址不在允许范围内", 403)
        try:
            verify_callback(request.headers, str(settings.get("DINGTALK_APP_SECRET") or ""), now_ms())
        except DingTalkAuthError as exc:
            log.warning("DingTalk callback refused: %s", exc)
            return _plain("签名校验失败", 403)
        raw = request.get_data()
        try:
            msg = parse_callback(_json_object(raw))
        except DingTalkPayloadError as exc:
            log.warning("DingTalk callback rejected: %s", exc)
            return _plain(f"请求格式错误：{exc}", 400)
        if claim is not None and not claim(request.headers["sign"].strip(), msg.msg_id, raw):
            log.warning("DingTalk callback refused: sign replayed with another body or msgId")
            return _plain("签名已被使用（疑似重放）", 403)
        return jsonify(render_reply(safe_handle(handle, msg)))

    return bp


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # deep nesting too
        raise DingTalkPayloadError("消息体不是合法的 JSON") from exc
    if not isinstance(body, dict):
        raise DingTalkPayloadError("消息体应为 JSON 对象")
    return body


def safe_handle(handle: Callable[[Message], Reply], msg: Message) -> Reply:
    try:
        return handle(msg)
    except Exception:
        log.exception("DingTalk handler failed for msgId=%s", msg.msg_id)
        return Reply(APOLOGY)
