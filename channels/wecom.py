"""WeCom (企业微信 / 政务微信) channel adapter.

Three parts, each usable alone:

* parsing: decrypted callback XML (self-built app) or JSON (智能机器人) → `Message`;
* `make_blueprint`: the Flask routes that verify, decrypt, call the handler and render the
  encrypted passive reply — never a 500, which would make WeCom retry;
* `WeComClient`: the outbound API (access_token, message/send, media/get, group robot webhook).

Every host is a setting (`WECOM_API_BASE`); nothing here holds module-level app state.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import re
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET
import requests
from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_options_header

from channels.freshness import WECOM_MAX_SKEW_S, timestamp_problem
from channels.message import Attachment, Message, Reply
from channels.wecom_crypto import WeComCrypto, WeComCryptoError

__all__ = [
    "APOLOGY",
    "SHANGHAI",
    "WeComClient",
    "WeComCrypto",
    "WeComCryptoError",
    "WeComPayloadError",
    "WeComSendError",
    "make_blueprint",
    "parse_aibot_message",
    "parse_app_message",
    "parse_xml",
    "render_aibot_reply",
    "render_app_reply",
    "split_utf8",
    "truncate_utf8",
]

log = logging.getLogger(__name__)


def _shanghai() -> tzinfo:
    """Asia/Shanghai from zoneinfo; a fixed +08:00 if the tz database is missing (no DST since 1991)."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Shanghai")
    except Exception:  # ZoneInfoNotFoundError on machines without tzdata
        return timezone(timedelta(hours=8), "Asia/Shanghai")


SHANGHAI = _shanghai()

APOLOGY = "抱歉，系统出了点问题，请稍后再试。"
TRUNCATED_NOTE = "…（内容过长，已截断）"
MORE_NOTE = "\n（内容较长，其余部分随后单独发送）"
TEXT_LIMIT = 2048  # bytes: passive reply Content, message/send text & markdown, robot text
WEBHOOK_MARKDOWN_LIMIT = 4096  # bytes: group robot markdown
AIBOT_STREAM_LIMIT = 20480  # bytes: 智能机器人 stream content
SEND_BATCH = 1000  # touser ids per message/send call


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


def _app_envelope(encrypt: str, signature: str, timestamp: str, nonce: str) -> bytes:
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
# Blueprint
# ---------------------------------------------------------------------------------------------
Handle = Callable[[Message], Reply]
PushOverflow = Callable[[str, Reply], None]


def _setting(settings: Mapping[str, Any], key: str) -> str:
    value = settings.get(key)
    return "" if value is None else str(value).strip()


def _app_crypto(settings: Mapping[str, Any]) -> WeComCrypto | None:
    token, key = _setting(settings, "WECOM_TOKEN"), _setting(settings, "WECOM_AES_KEY")
    if not (token and key):
        return None
    corp_id = _setting(settings, "WECOM_CORP_ID")
    if not corp_id:
        raise ValueError("配置了 WECOM_TOKEN/WECOM_AES_KEY 但缺少 WECOM_CORP_ID")
    return WeComCrypto(token, key, corp_id)


def aibot_crypto(settings: Mapping[str, Any]) -> WeComCrypto | None:
    """Only the 智能机器人's own token and key: the endpoint is off unless both are set (it
    never borrows the app's), and its receiveid must be exactly "" as WeCom sends it."""
    token = _setting(settings, "WECOM_AIBOT_TOKEN")
    key = _setting(settings, "WECOM_AIBOT_AES_KEY")
    return WeComCrypto(token, key, "", check_receive_id=True) if token and key else None


DEFAULT_AIBOT_FILE_HOSTS = (".qq.com", ".myqcloud.com", ".qpic.cn")


def aibot_file_url_problem(url: str, settings: Mapping[str, Any],
                           resolve: Callable[[str], list[str]] | None = None) -> str | None:
    """Why a 智能机器人 attachment URL must not be fetched, or None. Files come only from the
    platform's hosts (WECOM_AIBOT_FILE_HOSTS: names or ".suffix"es) and never from a private,
    loopback or link-local address — unless it is the configured WECOM_API_BASE itself, same
    scheme, host and port (政务微信 and private deployments run on the office's network)."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        return "地址格式不对"
    platform = urllib.parse.urlsplit(_setting(settings, "WECOM_API_BASE") or DEFAULT_API_BASE)
    if (parts.scheme, parts.netloc.lower()) == (platform.scheme, platform.netloc.lower()):
        return None
    if parts.scheme != "https":
        return "只接受 https 地址"
    raw = settings.get("WECOM_AIBOT_FILE_HOSTS") or DEFAULT_AIBOT_FILE_HOSTS
    allowed = [h.strip().lower() for h in (raw.split(",") if isinstance(raw, str) else raw)
               if h.strip()]
    if not any(host == a.lstrip(".") or (a.startswith(".") and host.endswith(a)) for a in allowed):
        return f"主机 {host} 不是企业微信的文件服务器"
    try:
        addresses = (resolve or _resolve)(host)
    except OSError:
        return f"无法解析主机 {host}"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return f"主机 {host} 指向内网地址"
    return None


def _resolve(host: str) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None)]


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
    encrypt = _text(root, "Encrypt")
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
    return Response(_app_envelope(encrypt, signature, timestamp, nonce), mimetype="application/xml")


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
    app_crypto = _app_crypto(settings)
    bot_crypto = aibot_crypto(settings)
    corp_id = _setting(settings, "WECOM_CORP_ID")
    bp = Blueprint("wecom", __name__, url_prefix="/wecom")

    @bp.get("/callback")
    def callback_verify() -> Response:
        return _verify(app_crypto)

    @bp.post("/callback")
    def callback_message() -> Response:
        if app_crypto is None:
            return _plain("企业微信回调未配置", 404)
        return _app_message(app_crypto, corp_id, handle, push_overflow, guard)

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


# ---------------------------------------------------------------------------------------------
# Outbound client
# ---------------------------------------------------------------------------------------------
DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
RETRYABLE_ERRCODES = frozenset({-1, 45009, 45033})
NETWORK_ERROR = -1  # code used for connection errors and timeouts (like WeCom's "system busy")
_SECRET_PARAMS = re.compile(r"(access_token|corpsecret|key)=[^&\s'\"]+")


class WeComSendError(Exception):
    """An outbound call failed. `retryable` says whether trying again later may help."""

    def __init__(self, code: int, message: str, retryable: bool = False) -> None:
        super().__init__(f"企业微信接口错误 {code}：{message}")
        self.code = code
        self.message = message
        self.retryable = retryable


def _redact(text: str) -> str:
    return _SECRET_PARAMS.sub(r"\1=***", text)


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _raise_for_errcode(data: Mapping[str, Any]) -> None:
    code = int(data.get("errcode") or 0)
    if code:
        message = _redact(str(data.get("errmsg") or ""))
        raise WeComSendError(code, message, retryable=code in RETRYABLE_ERRCODES)


class WeComClient:
    """Outbound WeCom API for one self-built app (and group robot webhooks).

    Settings: WECOM_CORP_ID, WECOM_SECRET, WECOM_AGENT_ID, WECOM_API_BASE (政务微信 and private
    deployments use their own host), WECOM_HTTP_TIMEOUT (seconds, default 5),
    WECOM_MAX_MEDIA_BYTES (default 50 MB). Thread-safe; the token is cached per instance.
    """

    def __init__(
        self,
        settings: Mapping[str, Any],
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base = (_setting(settings, "WECOM_API_BASE") or DEFAULT_API_BASE).rstrip("/")
        self._corp_id = _setting(settings, "WECOM_CORP_ID")
        self._secret = _setting(settings, "WECOM_SECRET")
        agent_id = _setting(settings, "WECOM_AGENT_ID")
        self.agent_id: int | None = int(agent_id) if agent_id else None
        self.timeout = float(settings.get("WECOM_HTTP_TIMEOUT") or 5)
        self.max_bytes = int(settings.get("WECOM_MAX_MEDIA_BYTES") or 50 * 1024 * 1024)
        self._session = session or requests.Session()
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def __repr__(self) -> str:
        return f"WeComClient(base={self.base!r}, agent_id={self.agent_id!r})"

    # -- HTTP ------------------------------------------------------------------------------
    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            resp = self._session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            detail = _redact(f"{type(exc).__name__}: {exc}")
            raise WeComSendError(NETWORK_ERROR, f"网络错误 {detail}", retryable=True) from None
        if resp.status_code >= 400:
            resp.close()
            retryable = resp.status_code >= 500
            raise WeComSendError(resp.status_code, f"HTTP {resp.status_code}", retryable=retryable)
        return resp

    @staticmethod
    def _json(resp: requests.Response) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            # A proxy's or gateway's error page is usually passing: try again later.
            raise WeComSendError(resp.status_code, "响应不是 JSON", retryable=True) from None
        if not isinstance(data, dict):
            raise WeComSendError(resp.status_code, "响应不是 JSON 对象", retryable=False)
        return data

    def _post_json(self, url: str, payload: Mapping[str, Any], params: Mapping[str, str]) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        return self._json(self._request("POST", url, params=params, data=body, headers=headers))

    # -- token -----------------------------------------------------------------------------
    def access_token(self) -> str:
        """A cached access_token, fetched again shortly before it expires."""
        with self._lock:
            if self._token and self._clock() < self._expires_at:
                return self._token
            params = {"corpid": self._corp_id, "corpsecret": self._secret}
            data = self._json(self._request("GET", f"{self.base}/cgi-bin/gettoken", params=params))
            _raise_for_errcode(data)
            token = str(data.get("access_token") or "")
            if not token:
                raise WeComSendError(NETWORK_ERROR, "gettoken 未返回 access_token", retryable=True)
            expires_in = float(data.get("expires_in") or 7200)
            self._token = token
            self._expires_at = self._clock() + expires_in - min(300.0, expires_in * 0.1)
            return token

    def _invalidate(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    def _api(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST with the token; on a token errcode refresh once and retry."""
        for attempt in (1, 2):
            token = self.access_token()
            data = self._post_json(f"{self.base}{path}", payload, {"access_token": token})
            if int(data.get("errcode") or 0) in TOKEN_ERRCODES and attempt == 1:
                self._invalidate(token)
                continue
            _raise_for_errcode(data)
            return data
        raise AssertionError("unreachable")

    # -- message/send ----------------------------------------------------------------------
    def send_text(self, user_ids: Sequence[str], text: str) -> list[str]:
        """Send text to members; returns user ids WeCom reported invalid."""
        return self._send("text", user_ids, text)

    def send_markdown(self, user_ids: Sequence[str], text: str) -> list[str]:
        """Send markdown to members (shown only in the WeCom client, not WeChat)."""
        return self._send("markdown", user_ids, text)

    def _send(self, msgtype: str, user_ids: Sequence[str], text: str) -> list[str]:
        if self.agent_id is None:
            raise ValueError("缺少 WECOM_AGENT_ID，无法发送应用消息")
        # "@all" or "a|b" would widen the audience; ids are validated where they enter, and
        # refused here again because touser is a "|"-joined list.
        users = [u for u in dict.fromkeys(user_ids) if u and "|" not in u and u[0] != "@"]
        invalid: list[str] = []
        if not users or not text.strip():
            return invalid
        for chunk in split_utf8(text, TEXT_LIMIT):
            for batch in _batches(users, SEND_BATCH):
                payload = {
                    "touser": "|".join(batch),
                    "msgtype": msgtype,
                    "agentid": self.agent_id,
                    msgtype: {"content": chunk},
                }
                data = self._api("/cgi-bin/message/send", payload)
                invalid.extend(u for u in str(data.get("invaliduser") or "").split("|") if u)
        if invalid:
            log.warning("WeCom reported invalid users: %s", ", ".join(sorted(set(invalid))))
        return sorted(set(invalid))

    # -- files to members ------------------------------------------------------------------
    def upload_file(self, content: bytes, name: str) -> str:
        """POST /cgi-bin/media/upload?type=file (multipart `media`); returns the media_id,
        which WeCom keeps for 3 days. A token errcode refreshes once and retries."""
        for attempt in (1, 2):
            token = self.access_token()
            resp = self._request("POST", f"{self.base}/cgi-bin/media/upload",
                                 params={"access_token": token, "type": "file"},
                                 files={"media": (name, content, "application/octet-stream")})
            data = self._json(resp)
            if int(data.get("errcode") or 0) in TOKEN_ERRCODES and attempt == 1:
                self._invalidate(token)
                continue
            _raise_for_errcode(data)
            media_id = str(data.get("media_id") or "")
            if not media_id:
                raise WeComSendError(NETWORK_ERROR, "media/upload 未返回 media_id", retryable=True)
            return media_id
        raise AssertionError("unreachable")

    def send_file(self, user_ids: Sequence[str], content: bytes, name: str) -> list[str]:
        """Upload a file and send it to members as a file message; returns invalid user ids."""
        if self.agent_id is None:
            raise ValueError("缺少 WECOM_AGENT_ID，无法发送应用消息")
        users = [u for u in dict.fromkeys(user_ids) if u]
        if not users:
            return []
        media_id = self.upload_file(content, name)
        invalid: list[str] = []
        for batch in _batches(users, SEND_BATCH):
            data = self._api("/cgi-bin/message/send", {"touser": "|".join(batch), "msgtype": "file",
                                                       "agentid": self.agent_id,
                                                       "file": {"media_id": media_id}})
            invalid.extend(u for u in str(data.get("invaliduser") or "").split("|") if u)
        return sorted(set(invalid))

    # -- downloads -------------------------------------------------------------------------
    def _read_capped(self, resp: requests.Response) -> bytes:
        data = bytearray()
        with resp:
            for block in resp.iter_content(64 * 1024):
                data.extend(block)
                if len(data) > self.max_bytes:
                    raise WeComSendError(NETWORK_ERROR, "文件过大", retryable=False)
        return bytes(data)

    def download_media(self, media_id: str) -> tuple[bytes, str, str]:
        """GET /cgi-bin/media/get → (bytes, filename, content_type); an errcode body raises."""
        for attempt in (1, 2):
            token = self.access_token()
            params = {"access_token": token, "media_id": media_id}
            resp = self._request("GET", f"{self.base}/cgi-bin/media/get", params=params, stream=True)
            content_type = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            disposition = resp.headers.get("Content-Disposition", "")
            data = self._read_capped(resp)
            error = _errcode_body(data, content_type, disposition)
            if error is not None:
                if int(error.get("errcode") or 0) in TOKEN_ERRCODES and attempt == 1:
                    self._invalidate(token)
                    continue
                _raise_for_errcode(error)
            return data, _filename(disposition, media_id), content_type
        raise AssertionError("unreachable")

    def download_url(self, url: str) -> bytes:
        """Fetch a 智能机器人 image/file URL (the bytes are encrypted: see
        `WeComCrypto.decrypt_file`)."""
        return self._read_capped(self._request("GET", url, stream=True))

    def download_url_named(self, url: str) -> tuple[bytes, str, str]:
        """Like `download_url`, keeping the file name (Content-Disposition, RFC 5987) and the
        content type: 智能机器人 file messages carry only the URL, so the name is only here.
        Redirects are not followed: the checked host must be the one that answers."""
        resp = self._request("GET", url, stream=True, allow_redirects=False)
        if resp.is_redirect:
            resp.close()
            raise WeComSendError(resp.status_code, "文件地址发生跳转，已拒绝", retryable=False)
        content_type = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
        disposition = resp.headers.get("Content-Disposition", "")
        return self._read_capped(resp), _filename(disposition, ""), content_type

    # -- group robot -----------------------------------------------------------------------
    def webhook_send(
        self,
        webhook_url: str,
        text: str,
        mentions: Sequence[str] | None = None,
        markdown: bool = False,
    ) -> None:
        """Post to a group robot (群机器人); long text becomes several messages.

        Text mentions go in `mentioned_list` of the first message ("@all" allowed); markdown
        has no mentioned_list, so members are @-ed with `<@userid>` at the end.
        """
        for payload in _webhook_payloads(text, list(mentions or []), markdown):
            _raise_for_errcode(self._post_json(webhook_url, payload, {}))


def _webhook_payloads(text: str, mentions: list[str], markdown: bool) -> list[dict[str, Any]]:
    if markdown:
        tail = " ".join(f"<@{user}>" for user in mentions if user != "@all")
        content = f"{text}\n{tail}" if tail else text
        chunks = split_utf8(content, WEBHOOK_MARKDOWN_LIMIT)
        return [{"msgtype": "markdown", "markdown": {"content": c}} for c in chunks]
    payloads: list[dict[str, Any]] = []
    for index, chunk in enumerate(split_utf8(text, TEXT_LIMIT)):
        body: dict[str, Any] = {"content": chunk}
        if mentions and index == 0:
            body["mentioned_list"] = mentions
        payloads.append({"msgtype": "text", "text": body})
    return payloads


def _errcode_body(data: bytes, content_type: str, disposition: str) -> dict[str, Any] | None:
    """media/get answers errors as a small JSON body instead of the file."""
    looks_like_error = content_type in ("application/json", "text/plain") or not disposition
    if not looks_like_error or len(data) > 4096:
        return None
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(parsed, dict) and "errcode" in parsed:
        return parsed
    return None


def _filename(disposition: str, fallback: str) -> str:
    if disposition:
        _, options = parse_options_header(disposition)
        name = options.get("filename", "")
        if name:
            return name.replace("/", "_").replace("\\", "_")
    return fallback
