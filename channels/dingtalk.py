"""DingTalk (钉钉 / 专有钉钉) channel adapter.

Three parts, each usable alone:

* signatures — `callback_sign`, `verify_callback` (robot HTTP callback) and `robot_sign`
  (custom group robot, 自定义机器人);
* inbound — `parse_callback` turns a callback body into a `Message`, `render_reply` turns a
  `Reply` into the JSON DingTalk accepts in the HTTP 200 answer or on a sessionWebhook, and
  `make_blueprint` wires both into Flask at `POST /dingtalk/callback`;
* outbound — `DingTalkClient` pushes messages to users (batchSend), downloads files users sent,
  replies on a sessionWebhook and posts to custom group robots.

Every host is a setting (专有钉钉 runs the same APIs elsewhere); the defaults are the public ones.
Secrets, tokens and webhook query strings are never logged.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests
from flask import Blueprint, Response, jsonify, request
from werkzeug.datastructures import Headers

from channels.message import Attachment, Message, Reply

__all__ = [
    "APOLOGY_TEXT",
    "DEFAULT_API_BASE",
    "DEFAULT_OAPI_BASE",
    "DingTalkAuthError",
    "DingTalkClient",
    "DingTalkError",
    "DingTalkPayloadError",
    "DingTalkSendError",
    "allowed_networks",
    "callback_sign",
    "make_blueprint",
    "parse_callback",
    "render_reply",
    "robot_sign",
    "strip_mentions",
    "verify_callback",
]

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.dingtalk.com"
DEFAULT_OAPI_BASE = "https://oapi.dingtalk.com"
APOLOGY_TEXT = "抱歉，系统出了点问题，请稍后再试。"
UNSUPPORTED_TEXT = "暂不支持识别该类消息，请发送文字、图片或文件。"
MAX_CLOCK_SKEW_MS = 3600 * 1000
SHANGHAI = ZoneInfo("Asia/Shanghai")

BATCH_LIMIT = 20  # userIds per oToMessages/batchSend call
TOKEN_MARGIN_S = 300.0  # refresh this long before DingTalk says the token expires
TOKEN_ERROR_CODES = frozenset({"InvalidAuthentication", "40014", "42001"})
# What a robot file message (sampleFile) can carry.
FILE_TYPES = frozenset({"xlsx", "pdf", "zip", "rar", "doc", "docx"})
RETRYABLE_CODES = frozenset({"429", "system.busy", "410100", "130101"})
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


# --------------------------------------------------------------------------- errors


class DingTalkError(Exception):
    """Base class for everything this adapter raises."""


class DingTalkAuthError(DingTalkError):
    """The callback's timestamp/sign headers do not prove it came from DingTalk."""


class DingTalkPayloadError(DingTalkError):
    """The callback body is not a DingTalk robot message we understand."""


class DingTalkSendError(DingTalkError):
    """A DingTalk API call failed. `retryable` tells a job whether trying later may help;
    `user_ids` names the users a push did not reach (retry only those)."""

    def __init__(
        self, code: str, message: str, retryable: bool, user_ids: Sequence[str] = ()
    ) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.retryable = retryable
        self.user_ids = tuple(user_ids)


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


# --------------------------------------------------------------------------- Flask blueprint


def _wall_clock_ms() -> int:
    return int(time.time() * 1000)


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
    now_ms: Callable[[], int] = _wall_clock_ms,
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
        return jsonify(render_reply(_safe_handle(handle, msg)))

    return bp


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # deep nesting too
        raise DingTalkPayloadError("消息体不是合法的 JSON") from exc
    if not isinstance(body, dict):
        raise DingTalkPayloadError("消息体应为 JSON 对象")
    return body


def _safe_handle(handle: Callable[[Message], Reply], msg: Message) -> Reply:
    try:
        return handle(msg)
    except Exception:
        log.exception("DingTalk handler failed for msgId=%s", msg.msg_id)
        return Reply(APOLOGY_TEXT)


# --------------------------------------------------------------------------- outbound client


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _redact(url: str) -> str:
    """Webhook URLs carry access tokens in the query: log only scheme, host and path."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


# DingTalk echoes request parts in its error messages: tokens, secrets, signed URLs.
_SECRET_TEXT = re.compile(r"(access_?token|appsecret|app_secret|secret|sign|token|key)"
                          r"([\"']?\s*[=:]\s*[\"']?)[^&\s'\",}]+", re.IGNORECASE)
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{24,}={0,2}")


def _redact_text(text: str) -> str:
    """An API error message fit for logs and the outbox: secrets masked, length capped."""
    text = _SECRET_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _LONG_TOKEN.sub("***", text)[:300]


def _error_code(status: int, data: Mapping[str, Any]) -> str:
    """One code for both API generations: new (`code`) and old (`errcode`)."""
    code = data.get("code") or data.get("errcode")
    if code not in (None, "", 0, "0"):
        return str(code)
    return str(status) if status >= 400 else ""


class DingTalkClient:
    """Outbound DingTalk calls with a cached access token.

    `clock` drives token expiry (monotonic seconds); `sleep` waits between flow-control rounds;
    `now_ms` is the wall clock used to sign custom-robot requests. All are injectable for tests.
    """

    def __init__(
        self,
        settings: Mapping[str, Any],
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now_ms: Callable[[], int] = _wall_clock_ms,
    ) -> None:
        self.api_base = str(settings.get("DINGTALK_API_BASE") or DEFAULT_API_BASE).rstrip("/")
        self.oapi_base = str(settings.get("DINGTALK_OAPI_BASE") or DEFAULT_OAPI_BASE).rstrip("/")
        self.app_key = str(settings.get("DINGTALK_APP_KEY") or "")
        self._app_secret = str(settings.get("DINGTALK_APP_SECRET") or "")
        self.robot_code = str(settings.get("DINGTALK_ROBOT_CODE") or self.app_key)
        self.timeout = float(settings.get("DINGTALK_TIMEOUT", DEFAULT_TIMEOUT_S))
        self.flow_control_rounds = int(settings.get("DINGTALK_FLOW_CONTROL_ROUNDS", 3))
        self.flow_control_delay = float(settings.get("DINGTALK_FLOW_CONTROL_DELAY", 1.0))
        self.max_download_bytes = int(
            settings.get("DINGTALK_MAX_DOWNLOAD_BYTES", DEFAULT_MAX_DOWNLOAD_BYTES)
        )
        self.session = session or requests.Session()
        self._clock = clock
        self._sleep = sleep
        self._now_ms = now_ms
        self._token = ""
        self._token_expires = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never show the secret or the token
        return f"DingTalkClient(api_base={self.api_base!r}, app_key={self.app_key!r})"

    # ---- transport

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            log.warning("DingTalk %s %s failed: %s", method, _redact(url), type(exc).__name__)
            raise DingTalkSendError("network", f"网络错误：{type(exc).__name__}", True) from exc

    @staticmethod
    def _json(resp: requests.Response) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _check(resp: requests.Response, data: Mapping[str, Any], what: str) -> None:
        code = _error_code(resp.status_code, data)
        if not code:
            return
        message = _redact_text(str(data.get("message") or data.get("errmsg") or resp.reason or ""))
        retryable = code in RETRYABLE_CODES or resp.status_code == 429 or resp.status_code >= 500
        log.warning("DingTalk %s failed: code=%s http=%s %s", what, code, resp.status_code, message)
        raise DingTalkSendError(code, f"{what}失败：{message}", retryable)

    # ---- access token

    def access_token(self) -> str:
        """A valid app access token, fetched once and reused until shortly before expiry."""
        with self._lock:
            if self._token and self._clock() < self._token_expires:
                return self._token
            resp = self._request(
                "POST",
                f"{self.api_base}/v1.0/oauth2/accessToken",
                json={"appKey": self.app_key, "appSecret": self._app_secret},
            )
            data = self._json(resp)
            self._check(resp, data, "获取 accessToken")
            token, expire_in = data.get("accessToken"), data.get("expireIn", 7200)
            if not isinstance(token, str) or not token:
                raise DingTalkSendError("token", "获取 accessToken 失败：响应中没有 accessToken", True)
            self._token = token
            self._token_expires = self._clock() + max(float(expire_in) - TOKEN_MARGIN_S, 0.0)
            return token

    def _invalidate_token(self, stale: str) -> None:
        with self._lock:
            if self._token == stale:
                self._token, self._token_expires = "", 0.0

    def _api(self, path: str, body: Mapping[str, Any], what: str) -> dict[str, Any]:
        """POST to the new API with the token; refresh once if DingTalk says it is bad."""
        for attempt in (1, 2):
            token = self.access_token()
            resp = self._request(
                "POST",
                f"{self.api_base}{path}",
                json=body,
                headers={"x-acs-dingtalk-access-token": token},
            )
            data = self._json(resp)
            code = _error_code(resp.status_code, data)
            if attempt == 1 and (code in TOKEN_ERROR_CODES or resp.status_code == 401):
                log.info("DingTalk token rejected (%s); refreshing", code)
                self._invalidate_token(token)
                continue
            self._check(resp, data, what)
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    # ---- pushing to users

    def batch_send(
        self,
        user_ids: list[str],
        text: str,
        markdown: bool = False,
        title: str = "信用考核助手",
    ) -> None:
        """Send one robot message to each user, ≤20 per call, retrying flow-controlled ids.

        Raises a retryable `DingTalkSendError` whose `user_ids` are the users not reached.
        """
        self._send_all(user_ids, *self._sample_message(text, markdown, title))

    def _send_all(self, user_ids: list[str], msg_key: str, msg_param: str) -> None:
        unsent: list[str] = []
        chunks = list(_chunks(list(dict.fromkeys(user_ids)), BATCH_LIMIT))
        for index, chunk in enumerate(chunks):
            try:
                unsent += self._send_chunk(chunk, msg_key, msg_param)
            except DingTalkSendError as exc:
                rest = [uid for later in chunks[index:] for uid in later]
                raise DingTalkSendError(exc.code, exc.message, exc.retryable, unsent + rest) from exc
        if unsent:
            raise DingTalkSendError(
                "flow_controlled", f"以下用户被钉钉限流，稍后重试：{'、'.join(unsent)}", True, unsent
            )

    @staticmethod
    def _sample_message(text: str, markdown: bool, title: str) -> tuple[str, str]:
        if markdown:
            param = {"title": title, "text": text}
            return "sampleMarkdown", json.dumps(param, ensure_ascii=False)
        return "sampleText", json.dumps({"content": text}, ensure_ascii=False)

    def _send_chunk(self, user_ids: list[str], msg_key: str, msg_param: str) -> list[str]:
        """Send to ≤20 users; return those still flow-controlled after the bounded retries."""
        pending = user_ids
        for round_no in range(self.flow_control_rounds + 1):
            if round_no:
                self._sleep(self.flow_control_delay * round_no)
            body = {
                "robotCode": self.robot_code,
                "userIds": pending,
                "msgKey": msg_key,
                "msgParam": msg_param,
            }
            data = self._api("/v1.0/robot/oToMessages/batchSend", body, "批量发送单聊消息")
            invalid = data.get("invalidStaffIdList") or []
            if invalid:
                log.warning("DingTalk batchSend: %d invalid user id(s): %s", len(invalid), invalid)
            pending = [uid for uid in data.get("flowControlledStaffIdList") or [] if uid in pending]
            if not pending:
                return []
            log.info("DingTalk batchSend: %d user(s) flow-controlled, round %d", len(pending), round_no)
        return pending

    # ---- files to users

    def upload_file(self, content: bytes, name: str) -> str:
        """oapi POST /media/upload?type=file (multipart `media`); returns the media_id."""
        for attempt in (1, 2):
            token = self.access_token()
            resp = self._request("POST", f"{self.oapi_base}/media/upload",
                                 params={"access_token": token, "type": "file"},
                                 files={"media": (name, content, "application/octet-stream")})
            data = self._json(resp)
            code = _error_code(resp.status_code, data)
            if attempt == 1 and code in TOKEN_ERROR_CODES:
                self._invalidate_token(token)
                continue
            self._check(resp, data, "上传文件")
            media_id = data.get("media_id")
            if not isinstance(media_id, str) or not media_id:
                raise DingTalkSendError("upload", "上传文件失败：响应中没有 media_id", True)
            return media_id
        raise AssertionError("unreachable")  # pragma: no cover

    def send_file(self, user_ids: list[str], content: bytes, name: str) -> None:
        """Upload a file and send it to each user as a robot file message (sampleFile), which
        takes only the types in FILE_TYPES."""
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in FILE_TYPES:
            raise DingTalkSendError("file_type", f"钉钉机器人不能发送 .{suffix or '无扩展名'} 文件", False)
        media_id = self.upload_file(content, name)
        param = json.dumps({"mediaId": media_id, "fileName": name, "fileType": suffix},
                           ensure_ascii=False)
        self._send_all(user_ids, "sampleFile", param)

    # ---- files users sent

    def download_file(self, download_code: str) -> tuple[bytes, str]:
        """Fetch a file/picture a user sent: exchange the downloadCode, then GET the URL."""
        data = self._api(
            "/v1.0/robot/messageFiles/download",
            {"downloadCode": download_code, "robotCode": self.robot_code},
            "获取文件下载地址",
        )
        url = data.get("downloadUrl")
        if not isinstance(url, str) or not url:
            raise DingTalkSendError("download", "获取文件下载地址失败：响应中没有 downloadUrl", False)
        return self._fetch(url)

    def _fetch(self, url: str) -> tuple[bytes, str]:
        resp = self._request("GET", url, stream=True)
        with resp:
            if resp.status_code >= 400:
                retryable = resp.status_code >= 500 or resp.status_code == 429
                raise DingTalkSendError(str(resp.status_code), "下载文件失败", retryable)
            content = bytearray()
            for block in resp.iter_content(64 * 1024):
                content += block
                if len(content) > self.max_download_bytes:
                    raise DingTalkSendError("too_large", "文件过大，无法下载", False)
            content_type = resp.headers.get("Content-Type", "application/octet-stream")
        return bytes(content), content_type

    # ---- webhooks

    def _absolute(self, url: str) -> str:
        return url if urllib.parse.urlsplit(url).scheme else f"{self.oapi_base}/{url.lstrip('/')}"

    def session_reply(self, session_webhook: str, reply_json: Mapping[str, Any]) -> None:
        """POST a rendered reply to the callback's sessionWebhook (valid ~1.5 h)."""
        resp = self._request("POST", self._absolute(session_webhook), json=dict(reply_json))
        data = self._json(resp)
        code = _error_code(resp.status_code, data)
        if code == "session.expired" or code.startswith("300"):
            raise DingTalkSendError(code, "会话已过期，无法通过 sessionWebhook 回复", False)
        self._check(resp, data, "会话回复")

    def group_robot_send(
        self,
        webhook_url: str,
        secret: str | None,
        text: str,
        at_user_ids: list[str] | None = None,
        markdown: bool = False,
        title: str = "信用考核助手",
    ) -> None:
        """Post to a custom group robot (自定义机器人), signing when a `SEC…` secret is given.

        DingTalk allows 20 messages a minute per robot; beyond that it answers 410100 and
        throttles for 10 minutes, raised here as a retryable `DingTalkSendError`.
        """
        if not text:
            return
        reply = Reply(text, markdown=markdown, title=title, mentions=list(at_user_ids or []))
        url = self._absolute(webhook_url)
        if secret:
            timestamp = str(self._now_ms())
            sep = "&" if urllib.parse.urlsplit(url).query else "?"
            url = f"{url}{sep}timestamp={timestamp}&sign={robot_sign(timestamp, secret)}"
        resp = self._request("POST", url, json=render_reply(reply))
        self._check(resp, self._json(resp), "群机器人发送")
