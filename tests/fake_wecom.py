"""A small real HTTP server that behaves like the parts of the WeCom API the bot uses.

    with FakeWeCom(expires_in=7200) as wecom:
        client = WeComClient(wecom.settings())
        client.send_text(["zhangsan"], "你好")
        assert wecom.sent[0]["text"]["content"] == "你好"

Implements gettoken, message/send, media/get, webhook/send and plain file downloads
(/files/<name>), with knobs to invalidate tokens, script errcodes and HTTP failures.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

__all__ = ["FakeWeCom"]


@dataclass
class _Media:
    data: bytes
    filename: str
    content_type: str


@dataclass
class _State:
    tokens: dict[str, int] = field(default_factory=dict)  # token -> errcode (0 = valid)
    token_requests: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    send_tokens: list[str] = field(default_factory=list)
    send_errors: deque[int] = field(default_factory=deque)
    http_errors: deque[int] = field(default_factory=deque)
    invalid_users: set[str] = field(default_factory=set)
    media: dict[str, _Media] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    webhook_calls: list[dict[str, Any]] = field(default_factory=list)
    webhook_times: dict[str, deque[float]] = field(default_factory=dict)
    uploads: list[_Media] = field(default_factory=list)
    oauth_codes: dict[str, str] = field(default_factory=dict)  # 网页授权 code -> userid


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")


class FakeWeCom:
    """Context manager running the fake on 127.0.0.1 on a free port."""

    def __init__(
        self,
        corp_id: str = "wwfakecorp",
        secret: str = "fake-secret-value",
        agent_id: int = 1000002,
        expires_in: int = 7200,
        webhook_rate_limit: bool = False,
    ) -> None:
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.expires_in = expires_in
        self.webhook_rate_limit = webhook_rate_limit
        self._state = _State()
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> FakeWeCom:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "use FakeWeCom as a context manager"
        return f"http://127.0.0.1:{self._server.server_port}"

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """WeComClient settings pointing at this fake."""
        base = {
            "WECOM_API_BASE": self.base_url,
            "WECOM_CORP_ID": self.corp_id,
            "WECOM_SECRET": self.secret,
            "WECOM_AGENT_ID": str(self.agent_id),
            "WECOM_HTTP_TIMEOUT": 5,
        }
        return {**base, **overrides}

    def webhook_url(self, key: str = "robot-key") -> str:
        return f"{self.base_url}/cgi-bin/webhook/send?key={key}"

    # -- knobs -----------------------------------------------------------------------------
    def invalidate_tokens(self, errcode: int = 42001) -> None:
        """Make every token issued so far answer `errcode` (40014 invalid / 42001 expired)."""
        with self._lock:
            for token in self._state.tokens:
                self._state.tokens[token] = errcode

    def script_send_errors(self, errcode: int, times: int = 1) -> None:
        """The next `times` message/send calls answer `errcode`."""
        with self._lock:
            self._state.send_errors.extend([errcode] * times)

    def fail_http(self, status: int = 502, times: int = 1) -> None:
        """The next `times` requests of any kind answer this HTTP status."""
        with self._lock:
            self._state.http_errors.extend([status] * times)

    def mark_invalid_users(self, *user_ids: str) -> None:
        with self._lock:
            self._state.invalid_users.update(user_ids)

    def add_media(self, media_id: str, data: bytes, filename: str, content_type: str) -> None:
        with self._lock:
            self._state.media[media_id] = _Media(data, filename, content_type)

    def add_file(self, name: str, data: bytes) -> str:
        with self._lock:
            self._state.files[name] = data
        return f"{self.base_url}/files/{name}"

    def add_oauth_code(self, code: str, user_id: str) -> None:
        """A 网页授权 code that /cgi-bin/auth/getuserinfo answers once with this userid."""
        with self._lock:
            self._state.oauth_codes[code] = user_id

    # -- recorded traffic ------------------------------------------------------------------
    @property
    def token_requests(self) -> int:
        return self._state.token_requests

    @property
    def issued_tokens(self) -> list[str]:
        return list(self._state.tokens)

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Accepted message/send bodies, in order."""
        return list(self._state.sent)

    @property
    def uploads(self) -> list[_Media]:
        """Files uploaded with media/upload (type=file), in order."""
        return list(self._state.uploads)

    @property
    def send_tokens(self) -> list[str]:
        return list(self._state.send_tokens)

    @property
    def webhook_calls(self) -> list[dict[str, Any]]:
        """Accepted webhook bodies, each with an added "_key"."""
        return list(self._state.webhook_calls)

    # -- WSGI ------------------------------------------------------------------------------
    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        with self._lock:
            response = self._dispatch(request)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        if self._state.http_errors:
            return Response("upstream error", status=self._state.http_errors.popleft())
        routes = {
            "/cgi-bin/gettoken": self._gettoken,
            "/cgi-bin/message/send": self._message_send,
            "/cgi-bin/media/get": self._media_get,
            "/cgi-bin/media/upload": self._media_upload,
            "/cgi-bin/webhook/send": self._webhook_send,
            "/cgi-bin/auth/getuserinfo": self._oauth_user,
        }
        if request.path.startswith("/files/"):
            return self._file(request.path.removeprefix("/files/"))
        route = routes.get(request.path)
        return route(request) if route else Response("not found", status=404)

    def _gettoken(self, request: Request) -> Response:
        self._state.token_requests += 1
        if request.args.get("corpid") != self.corp_id:
            return _json({"errcode": 40013, "errmsg": "invalid corpid"})
        if request.args.get("corpsecret") != self.secret:
            return _json({"errcode": 40001, "errmsg": "invalid credential"})
        token = f"fake-token-{len(self._state.tokens) + 1}"
        self._state.tokens[token] = 0
        return _json({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in})

    def _token_error(self, request: Request) -> Response | None:
        token = request.args.get("access_token", "")
        if not token:
            return _json({"errcode": 41001, "errmsg": "access_token missing"})
        code = self._state.tokens.get(token, 40014)
        messages = {40014: "invalid access_token", 42001: "access_token expired"}
        return _json({"errcode": code, "errmsg": messages.get(code, "token error")}) if code else None

    def _message_send(self, request: Request) -> Response:
        error = self._token_error(request)
        if error is not None:
            return error
        if self._state.send_errors:
            code = self._state.send_errors.popleft()
            return _json({"errcode": code, "errmsg": f"scripted error {code}"})
        body = json.loads(request.get_data())
        if body.get("msgtype") == "file":  # a file message names an uploaded media_id
            media_id = str((body.get("file") or {}).get("media_id") or "")
            if media_id not in self._state.media:
                return _json({"errcode": 40007, "errmsg": "invalid media_id"})
        self._state.sent.append(body)
        self._state.send_tokens.append(request.args["access_token"])
        users = str(body.get("touser", "")).split("|")
        invalid = "|".join(u for u in users if u in self._state.invalid_users)
        return _json({"errcode": 0, "errmsg": "ok", "invaliduser": invalid, "msgid": f"m{len(self._state.sent)}"})

    def _oauth_user(self, request: Request) -> Response:
        error = self._token_error(request)
        if error is not None:
            return error
        user = self._state.oauth_codes.pop(request.args.get("code", ""), None)
        if user is None:  # codes are single use and expire in 5 minutes
            return _json({"errcode": 40029, "errmsg": "invalid code"})
        return _json({"errcode": 0, "errmsg": "ok", "userid": user, "user_ticket": "t"})

    def _media_get(self, request: Request) -> Response:
        error = self._token_error(request)
        if error is not None:
            return error
        media = self._state.media.get(request.args.get("media_id", ""))
        if media is None:
            return _json({"errcode": 40007, "errmsg": "invalid media_id"})
        disposition = f"attachment; filename*=UTF-8''{quote(media.filename)}"
        return Response(media.data, mimetype=media.content_type, headers={"Content-Disposition": disposition})

    def _media_upload(self, request: Request) -> Response:
        """POST /cgi-bin/media/upload?access_token&type=file, multipart field `media` (5 B–20 MB)."""
        error = self._token_error(request)
        if error is not None:
            return error
        kind = request.args.get("type", "")
        if kind not in ("file", "image", "voice", "video"):
            return _json({"errcode": 40004, "errmsg": "invalid media type"})
        upload = request.files.get("media")
        if upload is None:
            return _json({"errcode": 41005, "errmsg": "media data missing"})
        data = upload.read()
        if not 5 <= len(data) <= 20 * 1024 * 1024:
            return _json({"errcode": 40006, "errmsg": "invalid file size"})
        media_id = f"up-{len(self._state.uploads) + 1}"
        media = _Media(data, upload.filename or "", upload.mimetype or "")
        self._state.media[media_id] = media
        self._state.uploads.append(media)
        return _json({"errcode": 0, "errmsg": "ok", "type": kind, "media_id": media_id,
                      "created_at": str(int(time.time()))})

    def _webhook_send(self, request: Request) -> Response:
        key = request.args.get("key", "")
        if not key:
            return _json({"errcode": 93000, "errmsg": "invalid webhook url"})
        if self.webhook_rate_limit and self._over_rate(key):
            return _json({"errcode": 45009, "errmsg": "api freq out of limit"})
        body = json.loads(request.get_data())
        self._state.webhook_calls.append({**body, "_key": key})
        return _json({"errcode": 0, "errmsg": "ok"})

    def _over_rate(self, key: str) -> bool:
        now = time.monotonic()
        window = self._state.webhook_times.setdefault(key, deque())
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) >= 20:
            return True
        window.append(now)
        return False

    def _file(self, name: str) -> Response:
        data = self._state.files.get(name)
        if data is None:
            return Response("not found", status=404)
        return Response(data, mimetype="application/octet-stream")

