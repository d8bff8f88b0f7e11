"""WeCom (企业微信 / 政务微信) message formats: decrypted callback XML (self-built app) or JSON
(智能机器人) → `Message`, a `Reply` → the passive reply each expects, UTF-8 byte limits, and the
callback crypto each endpoint is configured with.

The routes that use these are in channels/wecom_routes.py, the outbound API client in
channels/wecom_client.py; nothing here holds module-level app state.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from channels.message import Attachment, Message, Reply
from channels.wecom_crypto import WeComCrypto
from worktime.clock import SHANGHAI

__all__ = [
    "WeComPayloadError",
    "aibot_crypto",
    "setting",
    "render_envelope",
    "app_crypto",
    "parse_aibot_message",
    "parse_app_message",
    "parse_xml",
    "render_aibot_reply",
    "render_app_reply",
    "split_utf8",
    "truncate_utf8",
    "MORE_NOTE",
    "TEXT_LIMIT",
    "TRUNCATED_NOTE",
]

TRUNCATED_NOTE = "…（内容过长，已截断）"
MORE_NOTE = "\n（内容较长，其余部分随后单独发送）"
TEXT_LIMIT = 2048  # bytes: passive reply Content, message/send text & markdown, robot text
WEBHOOK_MARKDOWN_LIMIT = 4096  # bytes: group robot markdown
AIBOT_STREAM_LIMIT = 20480  # bytes: 智能机器人 stream content


class WeComPayloadError(ValueError):
    """A callback body that is not the XML/JSON WeCom sends (or is hostile XML)."""


# ---------------------------------------------------------------------------------------------
# Text limits
# ---------------------------------------------------------------------------------------------
def _cut_utf8(data: bytes, limit: int) -> int:
    """Largest cut <= limit that does not split a UTF-8 character."""
    cut = min(limit, len(data))
    while 0 < cut < len(data) and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return cut


def _hard_split(line: str, limit: int) -> Iterator[str]:
    data = line.encode("utf-8")
    while data:
        cut = _cut_utf8(data, limit)
        yield data[:cut].decode("utf-8")
        data = data[cut:]


def split_utf8(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` UTF-8 bytes, split at line ends where possible (never mid-char)."""
    if limit < 4:
        raise ValueError("limit must hold at least one UTF-8 character")
    chunks: list[str] = []
    current = ""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        piece = line if index == len(lines) - 1 else line + "\n"
        if len((current + piece).encode("utf-8")) <= limit:
            current += piece
            continue
        chunks.append(current)
        current = ""
        if len(piece.encode("utf-8")) <= limit:
            current = piece
        else:
            *full, current = _hard_split(piece, limit)
            chunks.extend(full)
    chunks.append(current)
    return [chunk.rstrip("\n") for chunk in chunks if chunk.strip("\n")]


def truncate_utf8(text: str, limit: int, note: str = TRUNCATED_NOTE) -> str:
    """`text` if it fits in `limit` bytes, else its first line-aligned part plus `note`."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len(note.encode("utf-8")) - 1
    head = split_utf8(text, room)
    return (head[0] + "\n" if head else "") + note


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------
def parse_xml(data: bytes) -> Element:
    """Parse untrusted XML; DTDs, entities and external references are refused."""
    if not data or not data.strip():
        raise WeComPayloadError("请求体为空")
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise WeComPayloadError(f"拒绝不安全的 XML（{type(exc).__name__}）") from None
    except (ParseError, ValueError):
        raise WeComPayloadError("请求体不是有效的 XML") from None
    return root


def _text(root: Element, tag: str) -> str:
    return (root.findtext(tag) or "").strip()


def _created_at(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=SHANGHAI)
    except (ValueError, OverflowError, OSError):
        raise WeComPayloadError("CreateTime 无效") from None


def _app_attachments(root: Element, msg_type: str) -> tuple[Attachment, ...]:
    media_id = _text(root, "MediaId")
    if msg_type == "image":
        return (Attachment(kind="image", fetch_ref=media_id, url=_text(root, "PicUrl")),)
    if msg_type == "voice":
        fmt = _text(root, "Format").lower()
        return (Attachment(kind="voice", fetch_ref=media_id, content_type=f"audio/{fmt}" if fmt else ""),)
    if msg_type in ("video", "file") and media_id:
        name = _text(root, "FileName") or _text(root, "Title")
        size = _text(root, "FileSize")
        return (Attachment(kind=msg_type, name=name, fetch_ref=media_id, size=int(size) if size.isdigit() else None),)
    return ()


def _app_text(root: Element, msg_type: str) -> str:
    if msg_type == "text":
        return root.findtext("Content") or ""
    if msg_type == "voice":
        return _text(root, "Recognition")  # present only when speech recognition is on
    if msg_type == "location":
        return _text(root, "Label")
    if msg_type == "link":
        return "\n".join(part for part in (_text(root, "Title"), _text(root, "Url")) if part)
    return ""


def parse_app_message(xml_bytes: bytes) -> Message:
    """Decrypted self-built-app callback XML → Message (events carry text "" and no MsgId)."""
    root = parse_xml(xml_bytes)
    sender = _text(root, "FromUserName")
    msg_type = _text(root, "MsgType").lower()
    created = _text(root, "CreateTime")
    if not sender or not msg_type:
        raise WeComPayloadError("消息缺少 FromUserName 或 MsgType")
    at = _created_at(created)
    raw_type = f"event:{_text(root, 'Event')}" if msg_type == "event" else msg_type
    return Message(
        channel="wecom",
        sender_id=sender,
        chat_id=sender,
        text=_app_text(root, msg_type),
        msg_id=_text(root, "MsgId") or f"{sender}-{created}",
        at=at,
        attachments=_app_attachments(root, msg_type),
        raw_type=raw_type,
    )


_LEADING_MENTION = re.compile(r"^\s*@\S+\s*")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _aibot_parts(payload: Mapping[str, Any]) -> tuple[str, list[Attachment]]:
    msg_type = str(payload.get("msgtype") or "")
    if msg_type == "mixed":
        items = _dict(payload.get("mixed")).get("msg_item")
        texts: list[str] = []
        attachments: list[Attachment] = []
        for item in items if isinstance(items, list) else []:
            text, found = _aibot_parts(_dict(item))
            texts.append(text)
            attachments.extend(found)
        return "\n".join(t for t in texts if t), attachments
    body = _dict(payload.get(msg_type))
    if msg_type in ("text", "voice"):
        return str(body.get("content") or ""), []
    if msg_type in ("image", "file", "video") and body.get("url"):
        return "", [Attachment(kind=msg_type, url=str(body["url"]))]
    return "", []


def parse_aibot_message(payload: Mapping[str, Any], now: datetime | None = None) -> Message:
    """Decrypted 智能机器人 JSON → Message. A leading "@机器人名" is stripped from group text."""
    sender = str(_dict(payload.get("from")).get("userid") or "")
    msg_type = str(payload.get("msgtype") or "")
    if not sender or not msg_type:
        raise WeComPayloadError("消息缺少 from.userid 或 msgtype")
    is_group = payload.get("chattype") == "group"
    text, attachments = _aibot_parts(payload)
    if is_group:
        text = _LEADING_MENTION.sub("", text, count=1)
    raw_type = msg_type
    if msg_type == "event":
        raw_type = f"event:{_dict(payload.get('event')).get('eventtype', '')}"
    msg_id = str(payload.get("msgid") or "")
    if not msg_id:  # stable across platform retries of the same payload
        digest = hashlib.sha1(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()
        msg_id = f"{sender}-{digest[:16]}"
    return Message(
        channel="wecom_aibot",
        sender_id=sender,
        chat_id=str(payload.get("chatid") or sender),
        text=text.strip(),
        msg_id=msg_id,
        at=now or datetime.now(SHANGHAI),
        attachments=tuple(attachments),
        is_group=is_group,
        raw_type=raw_type,
        reply_hint=str(payload.get("response_url") or ""),
    )


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------
def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_app_reply(content: str, to_user: str, corp_id: str, create_time: int) -> bytes:
    """Plaintext passive reply. WeCom's passive replies have no markdown type, so it is text."""
    return (
        "<xml>"
        f"<ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(corp_id)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        f"<MsgType>{_cdata('text')}</MsgType>"
        f"<Content>{_cdata(content)}</Content>"
        "</xml>"
    ).encode("utf-8")


def render_envelope(encrypt: str, signature: str, timestamp: str, nonce: str) -> bytes:
    return (
        "<xml>"
        f"<Encrypt>{_cdata(encrypt)}</Encrypt>"
        f"<MsgSignature>{_cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp>"
        f"<Nonce>{_cdata(nonce)}</Nonce>"
        "</xml>"
    ).encode("utf-8")


def render_aibot_reply(reply: Reply, msg: Message) -> dict[str, Any]:
    """Plaintext passive reply for the 智能机器人.

    A user message may only be answered passively with a stream (markdown content) or a
    template card; plain text is allowed only for the enter_chat welcome event.
    """
    content = truncate_utf8(reply.text, AIBOT_STREAM_LIMIT)
    if msg.raw_type.startswith("event:"):
        return {"msgtype": "text", "text": {"content": truncate_utf8(reply.text, TEXT_LIMIT)}}
    return {
        "msgtype": "stream",
        "stream": {"id": secrets.token_hex(12), "finish": True, "content": content},
    }


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------
def setting(settings: Mapping[str, Any], key: str) -> str:
    value = settings.get(key)
    return "" if value is None else str(value).strip()


def app_crypto(settings: Mapping[str, Any]) -> WeComCrypto | None:
    token, key = setting(settings, "WECOM_TOKEN"), setting(settings, "WECOM_AES_KEY")
    if not (token and key):
        return None
    corp_id = setting(settings, "WECOM_CORP_ID")
    if not corp_id:
        raise ValueError("配置了 WECOM_TOKEN/WECOM_AES_KEY 但缺少 WECOM_CORP_ID")
    return WeComCrypto(token, key, corp_id)


def aibot_crypto(settings: Mapping[str, Any]) -> WeComCrypto | None:
    """Only the 智能机器人's own token and key: the endpoint is off unless both are set (it
    never borrows the app's), and its receiveid must be exactly "" as WeCom sends it."""
    token = setting(settings, "WECOM_AIBOT_TOKEN")
    key = setting(settings, "WECOM_AIBOT_AES_KEY")
    return WeComCrypto(token, key, "", check_receive_id=True) if token and key else None
