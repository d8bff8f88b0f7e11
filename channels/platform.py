"""What the platform clients share (channels/wecom_client.py, channels/dingtalk_client.py):
the send error whose `retryable` the outbox trusts, one cached access token per client that is
fetched again once when the platform rejects it, downloads read up to a cap, and secret
masking for anything that reaches a log or the outbox."""
from __future__ import annotations

import logging
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # imported where a client is made: a process that sends nothing skips ~0.1 s
    import requests

__all__ = ["SendError", "TokenClient", "read_capped", "mask_secrets", "mask_url"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class SendError(Exception):
    """An outbound platform call failed. `retryable` says whether trying again later may help
    (the outbox believes it); `user_ids` names the users a push did not reach (retry only
    those); `code` is the platform's (WeCom: a number, DingTalk: a string)."""

    def __init__(self, code: int | str, message: str, retryable: bool,
                 user_ids: Sequence[str] = (), text: str | None = None) -> None:
        super().__init__(text if text is not None else message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.user_ids = tuple(user_ids)


# Platforms echo request parts in their error messages: tokens, secrets, signed URLs.
_SECRET_TEXT = re.compile(r"(access_?token|corpsecret|appsecret|app_secret|secret|sign|token|key)"
                          r"([\"']?\s*[=:]\s*[\"']?)[^&\s'\",}]+", re.IGNORECASE)
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{24,}={0,2}")


def mask_secrets(text: str, limit: int = 300) -> str:
    """Text fit for logs and the outbox: key=value secrets and long token-like strings masked,
    length capped."""
    text = _SECRET_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _LONG_TOKEN.sub("***", text)[:limit]


def mask_url(url: str) -> str:
    """Webhook and download URLs carry tokens in the query: keep scheme, host and path."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def read_capped(resp: requests.Response, limit: int, too_large: Callable[[], Exception]) -> bytes:
    """The body of a streamed response, refused (and the connection closed) past `limit`."""
    data = bytearray()
    with resp:
        for block in resp.iter_content(64 * 1024):
            data.extend(block)
            if len(data) > limit:
                raise too_large()
    return bytes(data)


class TokenClient:
    """A platform client's access token: cached per instance (thread-safe), fetched again
    shortly before it expires, and dropped when the platform rejects it — a call then tries
    once more with a fresh one (`with_token`)."""

    _log = log  # each platform's client logs under its channel's logger

    def __init__(self, settings: Mapping[str, Any], session: requests.Session | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`session`: the HTTP session (tests pass a fake platform's); `clock`: monotonic
        seconds for token expiry."""
        if session is None:
            import requests
            session = requests.Session()
        self.session = session
        self._clock = clock
        self._token_lock = threading.Lock()
        self._token = ""
        self._token_expires = 0.0
        self._configure(settings)

    def _configure(self, settings: Mapping[str, Any]) -> None:
        """Read this platform's settings: hosts, credentials, timeouts, limits."""
        raise NotImplementedError

    def _fetch_token(self) -> tuple[str, float]:
        """A new token from the platform and how many seconds to keep using it."""
        raise NotImplementedError

    def access_token(self) -> str:
        """The cached token, or a new one when it is missing or about to expire."""
        with self._token_lock:
            if self._token and self._clock() < self._token_expires:
                return self._token
            token, good_for = self._fetch_token()
            self._token, self._token_expires = token, self._clock() + good_for
            return token

    def _invalidate(self, stale: str) -> None:
        with self._token_lock:
            if self._token == stale:  # another thread may have refreshed it already
                self._token, self._token_expires = "", 0.0

    def with_token(self, call: Callable[[str], T], rejected: Callable[[T], Any]) -> T:
        """`call(token)`; when `rejected(answer)` says the platform refused the token (revoked,
        expired early), fetch a new one and call once more. The second answer stands."""
        token = self.access_token()
        answer = call(token)
        if rejected(answer):
            self._log.info("%s: access token rejected; refreshing once", type(self).__name__)
            self._invalidate(token)
            answer = call(self.access_token())
        return answer
