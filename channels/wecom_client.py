"""The WeCom outbound API for one self-built app: access token (channels/platform.py), message/send,
media upload and download, 智能机器人 file URLs, group robot webhooks. Every host is a setting
(`WECOM_API_BASE`)."""
from __future__ import annotations

import ipaddress
import json
import logging
import socket
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from werkzeug.http import parse_options_header

from channels.platform import SendError, TokenClient, mask_secrets, read_capped
from channels.wecom import TEXT_LIMIT, WEBHOOK_MARKDOWN_LIMIT, setting, split_utf8

if TYPE_CHECKING:  # imported by TokenClient when a client is made
    import requests

__all__ = ["WeComClient", "WeComSendError", "aibot_file_url_problem", "TOKEN_ERRCODES",
           "RETRYABLE_ERRCODES"]

log = logging.getLogger("channels.wecom")

SEND_BATCH = 1000  # touser ids per message/send call


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
    platform = urllib.parse.urlsplit(setting(settings, "WECOM_API_BASE") or DEFAULT_API_BASE)
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


DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
RETRYABLE_ERRCODES = frozenset({-1, 45009, 45033})
NETWORK_ERROR = -1  # code used for connection errors and timeouts (like WeCom's "system busy")


class WeComSendError(SendError):
    """A WeCom call failed (`code`: WeCom's errcode, an HTTP status, or -1 for the network)."""

    def __init__(self, code: int, message: str, retryable: bool = False) -> None:
        super().__init__(code, message, retryable, text=f"企业微信接口错误 {code}：{message}")


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _raise_for_errcode(data: Mapping[str, Any]) -> None:
    code = int(data.get("errcode") or 0)
    if code:
        message = mask_secrets(str(data.get("errmsg") or ""))
        raise WeComSendError(code, message, retryable=code in RETRYABLE_ERRCODES)


def _token_rejected(data: Mapping[str, Any] | None) -> bool:
    return data is not None and int(data.get("errcode") or 0) in TOKEN_ERRCODES


class WeComClient(TokenClient):
    """Outbound WeCom API for one self-built app (and group robot webhooks).

    Settings: WECOM_CORP_ID, WECOM_SECRET, WECOM_AGENT_ID, WECOM_API_BASE (政务微信 and private
    deployments use their own host), WECOM_HTTP_TIMEOUT (seconds, default 5),
    WECOM_MAX_MEDIA_BYTES (default 50 MB). Thread-safe; the token is cached per instance.
    """

    _log = log

    def _configure(self, settings: Mapping[str, Any]) -> None:
        self.base = (setting(settings, "WECOM_API_BASE") or DEFAULT_API_BASE).rstrip("/")
        self._corp_id = setting(settings, "WECOM_CORP_ID")
        self._secret = setting(settings, "WECOM_SECRET")
        agent_id = setting(settings, "WECOM_AGENT_ID")
        self.agent_id: int | None = int(agent_id) if agent_id else None
        self.timeout = float(settings.get("WECOM_HTTP_TIMEOUT") or 5)
        self.max_bytes = int(settings.get("WECOM_MAX_MEDIA_BYTES") or 50 * 1024 * 1024)

    def __repr__(self) -> str:
        return f"WeComClient(base={self.base!r}, agent_id={self.agent_id!r})"

    # -- HTTP ------------------------------------------------------------------------------
    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        import requests  # made the session (TokenClient): already loaded
        try:
            resp = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            detail = mask_secrets(f"{type(exc).__name__}: {exc}")
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
    def _fetch_token(self) -> tuple[str, float]:
        params = {"corpid": self._corp_id, "corpsecret": self._secret}
        data = self._json(self._request("GET", f"{self.base}/cgi-bin/gettoken", params=params))
        _raise_for_errcode(data)
        token = str(data.get("access_token") or "")
        if not token:
            raise WeComSendError(NETWORK_ERROR, "gettoken 未返回 access_token", retryable=True)
        expires_in = float(data.get("expires_in") or 7200)
        return token, expires_in - min(300.0, expires_in * 0.1)

    def _api(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST with the token (refreshed once if WeCom rejects it)."""
        data = self.with_token(
            lambda token: self._post_json(f"{self.base}{path}", payload, {"access_token": token}),
            _token_rejected)
        _raise_for_errcode(data)
        return data

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
        which WeCom keeps for 3 days."""
        data = self.with_token(
            lambda token: self._json(self._request(
                "POST", f"{self.base}/cgi-bin/media/upload",
                params={"access_token": token, "type": "file"},
                files={"media": (name, content, "application/octet-stream")})),
            _token_rejected)
        _raise_for_errcode(data)
        media_id = str(data.get("media_id") or "")
        if not media_id:
            raise WeComSendError(NETWORK_ERROR, "media/upload 未返回 media_id", retryable=True)
        return media_id

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
        return read_capped(resp, self.max_bytes,
                           lambda: WeComSendError(NETWORK_ERROR, "文件过大", retryable=False))

    def download_media(self, media_id: str) -> tuple[bytes, str, str]:
        """GET /cgi-bin/media/get → (bytes, filename, content_type); an errcode body raises."""
        def fetch(token: str) -> tuple[bytes, str, str]:
            resp = self._request("GET", f"{self.base}/cgi-bin/media/get",
                                 params={"access_token": token, "media_id": media_id}, stream=True)
            content_type = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            disposition = resp.headers.get("Content-Disposition", "")
            return self._read_capped(resp), content_type, disposition

        data, content_type, disposition = self.with_token(
            fetch, lambda got: _token_rejected(_errcode_body(*got)))
        error = _errcode_body(data, content_type, disposition)
        if error is not None:
            _raise_for_errcode(error)
        return data, _filename(disposition, media_id), content_type

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
