"""The DingTalk outbound client: access token (channels/platform.py), pushes to users
(batchSend), files to users, downloads of files users sent, sessionWebhook replies and custom
group robots. Every host is a setting (专有钉钉 runs the same APIs elsewhere)."""
from __future__ import annotations

import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from channels.dingtalk import DingTalkError, render_reply, robot_sign, wall_clock_ms
from channels.message import Reply
from channels.platform import SendError, TokenClient, mask_secrets, mask_url, read_capped

if TYPE_CHECKING:  # imported by TokenClient when a client is made
    import requests

__all__ = ["DingTalkClient", "DingTalkSendError", "DEFAULT_API_BASE", "DEFAULT_OAPI_BASE",
           "FILE_TYPES", "RETRYABLE_CODES", "THROTTLE_CODES", "TOKEN_ERROR_CODES"]

log = logging.getLogger("channels.dingtalk")

DEFAULT_API_BASE = "https://api.dingtalk.com"
DEFAULT_OAPI_BASE = "https://oapi.dingtalk.com"
BATCH_LIMIT = 20  # userIds per oToMessages/batchSend call
TOKEN_MARGIN_S = 300.0  # refresh this long before DingTalk says the token expires
TOKEN_ERROR_CODES = frozenset({"InvalidAuthentication", "40014", "42001"})
# What a robot file message (sampleFile) can carry.
FILE_TYPES = frozenset({"xlsx", "pdf", "zip", "rar", "doc", "docx"})
RETRYABLE_CODES = frozenset({"429", "system.busy", "410100", "130101"})
# A group robot over its 20 messages a minute is throttled for 10 minutes (the outbox waits).
THROTTLE_CODES = frozenset({"410100", "130101"})
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


class DingTalkSendError(DingTalkError, SendError):
    """A DingTalk API call failed (`code`: DingTalk's, an HTTP status, or a word of ours)."""

    def __init__(
        self, code: str, message: str, retryable: bool, user_ids: Sequence[str] = ()
    ) -> None:
        SendError.__init__(self, code, message, retryable, user_ids, text=f"[{code}] {message}")


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _error_code(status: int, data: Mapping[str, Any]) -> str:
    """One code for both API generations: new (`code`) and old (`errcode`)."""
    code = data.get("code") or data.get("errcode")
    if code not in (None, "", 0, "0"):
        return str(code)
    return str(status) if status >= 400 else ""


class DingTalkClient(TokenClient):
    """Outbound DingTalk calls with a cached access token.

    `clock` drives token expiry (monotonic seconds); `sleep` waits between flow-control rounds;
    `now_ms` is the wall clock used to sign custom-robot requests. All are injectable for tests.
    """

    _log = log

    def __init__(self, settings: Mapping[str, Any], session: requests.Session | None = None,
                 clock: Callable[[], float] = time.monotonic, *,
                 sleep: Callable[[float], None] = time.sleep,
                 now_ms: Callable[[], int] = wall_clock_ms) -> None:
        self._sleep = sleep
        self._now_ms = now_ms
        super().__init__(settings, session, clock)

    def _configure(self, settings: Mapping[str, Any]) -> None:
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

    def __repr__(self) -> str:  # never show the secret or the token
        return f"DingTalkClient(api_base={self.api_base!r}, app_key={self.app_key!r})"

    # ---- transport

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        import requests  # made the session (TokenClient): already loaded
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            log.warning("DingTalk %s %s failed: %s", method, mask_url(url), type(exc).__name__)
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
        message = mask_secrets(str(data.get("message") or data.get("errmsg") or resp.reason or ""))
        retryable = code in RETRYABLE_CODES or resp.status_code == 429 or resp.status_code >= 500
        log.warning("DingTalk %s failed: code=%s http=%s %s", what, code, resp.status_code, message)
        raise DingTalkSendError(code, f"{what}失败：{message}", retryable)

    # ---- access token

    def _fetch_token(self) -> tuple[str, float]:
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
        return token, max(float(expire_in) - TOKEN_MARGIN_S, 0.0)

    def _api(self, path: str, body: Mapping[str, Any], what: str) -> dict[str, Any]:
        """POST to the new API with the token (refreshed once if DingTalk rejects it)."""
        def call(token: str) -> tuple[requests.Response, dict[str, Any]]:
            resp = self._request("POST", f"{self.api_base}{path}", json=body,
                                 headers={"x-acs-dingtalk-access-token": token})
            return resp, self._json(resp)

        resp, data = self.with_token(call, lambda got: got[0].status_code == 401 or _error_code(
            got[0].status_code, got[1]) in TOKEN_ERROR_CODES)
        self._check(resp, data, what)
        return data

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
                raise DingTalkSendError(str(exc.code), exc.message, exc.retryable, unsent + rest) from exc
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
        def call(token: str) -> tuple[requests.Response, dict[str, Any]]:
            resp = self._request("POST", f"{self.oapi_base}/media/upload",
                                 params={"access_token": token, "type": "file"},
                                 files={"media": (name, content, "application/octet-stream")})
            return resp, self._json(resp)

        resp, data = self.with_token(
            call, lambda got: _error_code(got[0].status_code, got[1]) in TOKEN_ERROR_CODES)
        self._check(resp, data, "上传文件")
        media_id = data.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise DingTalkSendError("upload", "上传文件失败：响应中没有 media_id", True)
        return media_id

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
        if resp.status_code >= 400:
            resp.close()
            retryable = resp.status_code >= 500 or resp.status_code == 429
            raise DingTalkSendError(str(resp.status_code), "下载文件失败", retryable)
        content_type = resp.headers.get("Content-Type", "application/octet-stream")
        content = read_capped(resp, self.max_download_bytes,
                              lambda: DingTalkSendError("too_large", "文件过大，无法下载", False))
        return content, content_type

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
