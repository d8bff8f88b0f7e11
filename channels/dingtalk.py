"""DingTalk (钉钉 / 专有钉钉) message formats and signatures: `callback_sign`, `verify_callback`
(robot HTTP callback) and `robot_sign` (custom group robot, 自定义机器人); `parse_callback` turns
a callback body into a `Message`, `render_reply` a `Reply` into the JSON DingTalk accepts in the
HTTP 200 answer or on a sessionWebhook.

The route is in channels/dingtalk_routes.py, the outbound client in channels/dingtalk_client.py.
Secrets, tokens and webhook query strings are never logged.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from channels.message import Attachment, Message, Reply
from worktime.clock import SHANGHAI

if TYPE_CHECKING:
    from werkzeug.datastructures import Headers  # what the routes hand over

__all__ = [
    "DingTalkAuthError",
    "DingTalkError",
    "DingTalkPayloadError",
    "MAX_CLOCK_SKEW_MS",
    "callback_sign",
    "parse_callback",
    "render_reply",
    "robot_sign",
    "strip_mentions",
    "verify_callback",
    "wall_clock_ms",
]

log = logging.getLogger("channels.dingtalk")

UNSUPPORTED_TEXT = "暂不支持识别该类消息，请发送文字、图片或文件。"
MAX_CLOCK_SKEW_MS = 3600 * 1000


class DingTalkError(Exception):
    """Base class for everything this adapter raises."""


class DingTalkAuthError(DingTalkError):
    """The callback's timestamp/sign headers do not prove it came from DingTalk."""


class DingTalkPayloadError(DingTalkError):
    """The callback body is not a DingTalk robot message we understand."""


# --------------------------------------------------------------------------- signatures


def _hmac_b64(timestamp_ms: str, secret: str) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def callback_sign(timestamp_ms: str, app_secret: str) -> str:
    """The `sign` header DingTalk puts on a robot callback: base64(HMAC-SHA256)."""
    return _hmac_b64(str(timestamp_ms), app_secret)


def robot_sign(timestamp_ms: str, secret: str) -> str:
    """The URL-encoded `sign` query parameter for a custom group robot (加签)."""
    return urllib.parse.quote_plus(_hmac_b64(str(timestamp_ms), secret))


def verify_callback(headers: Mapping[str, str] | Headers, app_secret: str, now_ms: int) -> None:
    """Raise `DingTalkAuthError` unless the headers carry a fresh, correct signature.

    The sign does not cover the body, so replays inside the hour are possible: callers must
    de-duplicate on `msgId`.
    """
    if not app_secret:
        raise DingTalkAuthError("未配置 DINGTALK_APP_SECRET")
    timestamp = (headers.get("timestamp") or "").strip()
    sign = (headers.get("sign") or "").strip()
    if not timestamp or not sign:
        raise DingTalkAuthError("缺少 timestamp 或 sign 请求头")
    # isdigit() alone accepts "²" and other Unicode digits int() refuses; 13 digits is ms now.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 15):
        raise DingTalkAuthError("timestamp 不是毫秒数字")
    if abs(now_ms - int(timestamp)) > MAX_CLOCK_SKEW_MS:
        raise DingTalkAuthError("timestamp 与当前时间相差超过 1 小时")
    expected = callback_sign(timestamp, app_secret)
    if not hmac.compare_digest(expected.encode(), sign.encode()):
        raise DingTalkAuthError("签名不正确")


# --------------------------------------------------------------------------- inbound parsing

_LEADING_MENTIONS = re.compile(r"^(?:\s*@[^\s@]+)+\s*")


def _require_str(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise DingTalkPayloadError(f"消息缺少字段 {key} 或类型不是字符串")
    return value


def _optional_str(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DingTalkPayloadError(f"字段 {key} 应为字符串")
    return value


def _object(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise DingTalkPayloadError(f"消息缺少对象字段 {key}")
    return value


def _created_at(body: Mapping[str, Any]) -> datetime:
    value = body.get("createAt")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise DingTalkPayloadError("消息缺少字段 createAt 或不是毫秒时间戳")
    try:
        return datetime.fromtimestamp(value / 1000, tz=SHANGHAI)
    except (OverflowError, OSError, ValueError) as exc:
        raise DingTalkPayloadError("createAt 超出有效时间范围") from exc


def strip_mentions(text: str) -> str:
    """Drop leading `@名字` tokens (DingTalk leaves other people's @ in group text)."""
    return _LEADING_MENTIONS.sub("", text.strip()).strip()


def _text_content(body: Mapping[str, Any]) -> tuple[str, tuple[Attachment, ...]]:
    content = _object(body, "text").get("content")
    if not isinstance(content, str):
        raise DingTalkPayloadError("text.content 应为字符串")
    return strip_mentions(content), ()


def _download_code(content: Mapping[str, Any], kind: str) -> str:
    code = content.get("downloadCode") or content.get("pictureDownloadCode")
    if not isinstance(code, str) or not code:
        raise DingTalkPayloadError(f"{kind} 消息缺少 content.downloadCode")
    return code


def _rich_text_content(body: Mapping[str, Any]) -> tuple[str, tuple[Attachment, ...]]:
    parts = _object(body, "content").get("richText")
    if not isinstance(parts, list):
        raise DingTalkPayloadError("richText 消息缺少 content.richText 列表")
    texts: list[str] = []
    attachments: list[Attachment] = []
    for part in parts:
        if not isinstance(part, dict):
            raise DingTalkPayloadError("content.richText 的元素应为对象")
        if isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif part.get("type") == "picture" or "downloadCode" in part:
            attachments.append(Attachment(kind="image", fetch_ref=_download_code(part, "图片")))
    return strip_mentions("".join(texts)), tuple(attachments)


def _picture_content(body: Mapping[str, Any]) -> tuple[str, tuple[Attachment, ...]]:
    code = _download_code(_object(body, "content"), "图片")
    return "", (Attachment(kind="image", fetch_ref=code),)


def _file_content(body: Mapping[str, Any]) -> tuple[str, tuple[Attachment, ...]]:
    content = _object(body, "content")
    name = content.get("fileName", "")
    if not isinstance(name, str):
        raise DingTalkPayloadError("content.fileName 应为字符串")
    code = _download_code(content, "文件")
    return "", (Attachment(kind="file", name=name, fetch_ref=code),)


def _media_content(kind: str) -> Callable[[Mapping[str, Any]], tuple[str, tuple[Attachment, ...]]]:
    """Audio/video: keep the downloadCode; audio's speech recognition becomes the text."""

    def parse(body: Mapping[str, Any]) -> tuple[str, tuple[Attachment, ...]]:
        content = body.get("content")
        if not isinstance(content, dict) or not content.get("downloadCode"):
            return UNSUPPORTED_TEXT, ()
        recognition = content.get("recognition")
        text = recognition.strip() if isinstance(recognition, str) else ""
        return text, (Attachment(kind=kind, fetch_ref=_download_code(content, kind)),)

    return parse


_CONTENT_PARSERS: dict[str, Callable[[Mapping[str, Any]], tuple[str, tuple[Attachment, ...]]]] = {
    "text": _text_content,
    "richText": _rich_text_content,
    "picture": _picture_content,
    "file": _file_content,
    "audio": _media_content("voice"),
    "video": _media_content("video"),
}


def parse_callback(body: Mapping[str, Any]) -> Message:
    """Turn a robot callback (or Stream-mode) payload into a `Message`.

    Unknown message types (e.g. a sticker) become a polite "unsupported" text rather than an
    error, so the user gets an answer.
    """
    if not isinstance(body, Mapping):
        raise DingTalkPayloadError("消息体应为 JSON 对象")
    msgtype = _require_str(body, "msgtype")
    sender_id = _optional_str(body, "senderStaffId") or _require_str(body, "senderId")
    parser = _CONTENT_PARSERS.get(msgtype)
    text, attachments = parser(body) if parser else (UNSUPPORTED_TEXT, ())
    return Message(
        channel="dingtalk",
        sender_id=sender_id,
        chat_id=_require_str(body, "conversationId"),
        text=text,
        msg_id=_require_str(body, "msgId"),
        at=_created_at(body),
        attachments=attachments,
        sender_name=_optional_str(body, "senderNick"),
        is_group=str(body.get("conversationType", "")) == "2",
        raw_type=msgtype,
        reply_hint=_optional_str(body, "sessionWebhook"),
    )


# --------------------------------------------------------------------------- rendering


def render_reply(reply: Reply) -> dict[str, Any]:
    """The message JSON for the callback's HTTP 200 answer or a sessionWebhook POST.

    Files cannot travel in this JSON; the caller must push them separately.
    """
    if not reply.text:
        if reply.files:
            log.warning("DingTalk reply has %d file(s) but no text; files not sent", len(reply.files))
        return {"msgtype": "empty"}
    at = {"atUserIds": list(reply.mentions)}
    if reply.markdown:
        text = _with_mentions(reply.text, reply.mentions)
        return {"msgtype": "markdown", "markdown": {"title": reply.title, "text": text}, "at": at}
    return {"msgtype": "text", "text": {"content": reply.text}, "at": at}


def _with_mentions(text: str, user_ids: Sequence[str]) -> str:
    """Markdown only highlights an @ when the text itself contains `@userId`."""
    missing = [f"@{uid}" for uid in user_ids if f"@{uid}" not in text]
    return f"{text}\n\n{' '.join(missing)}" if missing else text


def wall_clock_ms() -> int:
    return int(time.time() * 1000)
