"""A small, real HTTP fake of the DingTalk endpoints `channels.dingtalk_client.DingTalkClient` calls.

    with FakeDingTalk() as fake:
        client = DingTalkClient(fake.settings(), session=fake.session())
        client.batch_send(["u1"], "你好")
        assert fake.batch_calls[0]["userIds"] == ["u1"]

It runs on 127.0.0.1 on a free port in a background thread, records every call, and can be
scripted: token expiry and invalidation, flow control, 429, robot throttling (410100 when
scripted or beyond 20 messages a minute) and expired sessions. Signatures are checked with its
own HMAC code, independent of the code under test.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import requests
from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, make_server

__all__ = ["FakeDingTalk"]

ROBOT_LIMIT_PER_MINUTE = 20


def _sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class FakeDingTalk:
    """Fake api.dingtalk.com + oapi.dingtalk.com on one local port."""

    def __init__(
        self,
        app_key: str = "dingappkey",
        app_secret: str = "app-secret",
        robot_code: str = "dingrobotcode",
        robot_access_token: str = "robot-token",
        robot_secret: str = "SECtest-robot-secret",
        expire_in: int = 7200,
        now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self.app_key, self.app_secret, self.robot_code = app_key, app_secret, robot_code
        self.robot_access_token, self.robot_secret = robot_access_token, robot_secret
        self.expire_in = expire_in
        self.now_ms = now_ms
        # recordings
        self.token_requests = 0
        self.issued_tokens: list[str] = []
        self.batch_calls: list[dict[str, Any]] = []
        self.download_requests: list[dict[str, Any]] = []
        self.robot_messages: list[dict[str, Any]] = []
        self.robot_rejections: list[int] = []
        self.session_messages: list[dict[str, Any]] = []
        # scripts
        self.valid_tokens: set[str] = set()
        self.flow_control_once: set[str] = set()
        self.flow_control_always: set[str] = set()
        self.batch_status_script: list[int] = []
        self.robot_errcode_script: list[int] = []
        self.expired_sessions: set[str] = set()
        self.files: dict[str, tuple[bytes, str]] = {}
        self.uploads: dict[str, tuple[bytes, str]] = {}  # media_id -> (bytes, file name)
        self.auth_codes: dict[str, str] = {}  # 免登 authCode -> userid (single use)
        self._robot_times: list[float] = []
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def __enter__(self) -> "FakeDingTalk":
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server and self._thread
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        assert self._server, "use FakeDingTalk as a context manager"
        return f"http://127.0.0.1:{self._server.server_port}"

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """Settings pointing both API generations at this fake."""
        values = {
            "DINGTALK_API_BASE": self.base_url,
            "DINGTALK_OAPI_BASE": self.base_url,
            "DINGTALK_APP_KEY": self.app_key,
            "DINGTALK_APP_SECRET": self.app_secret,
            "DINGTALK_ROBOT_CODE": self.robot_code,
            "DINGTALK_TIMEOUT": 5,
            "DINGTALK_FLOW_CONTROL_DELAY": 0,
        }
        return values | overrides

    @staticmethod
    def session() -> requests.Session:
        """A session that ignores proxy variables, so requests really reach 127.0.0.1."""
        session = requests.Session()
        session.trust_env = False
        return session

    @property
    def robot_webhook(self) -> str:
        return f"{self.base_url}/robot/send?access_token={self.robot_access_token}"

    def session_webhook(self, session: str = "sess-1") -> str:
        return f"{self.base_url}/robot/sendBySession?session={session}"

    def invalidate_tokens(self) -> None:
        """Make every issued token answer 401 InvalidAuthentication, as after a secret reset."""
        with self._lock:
            self.valid_tokens.clear()

    # ---- the WSGI app

    def _app(self) -> Flask:
        app = Flask("fake_dingtalk")
        app.add_url_rule("/v1.0/oauth2/accessToken", view_func=self._access_token, methods=["POST"])
        app.add_url_rule(
            "/v1.0/robot/oToMessages/batchSend", view_func=self._batch_send, methods=["POST"]
        )
        app.add_url_rule(
            "/v1.0/robot/messageFiles/download", view_func=self._download, methods=["POST"]
        )
        app.add_url_rule("/files/download", view_func=self._file, methods=["GET"])
        app.add_url_rule("/media/upload", view_func=self._media_upload, methods=["POST"])
        app.add_url_rule("/robot/send", view_func=self._robot_send, methods=["POST"])
        app.add_url_rule("/robot/sendBySession", view_func=self._session_send, methods=["POST"])
        app.add_url_rule("/topapi/v2/user/getuserinfo", view_func=self._user_info, methods=["POST"])
        return app

    @staticmethod
    def _error(status: int, code: str, message: str) -> tuple[Response, int]:
        return jsonify({"code": code, "message": message, "requestid": "fake"}), status

    def _token_error(self) -> tuple[Response, int] | None:
        token = request.headers.get("x-acs-dingtalk-access-token", "")
        with self._lock:
            if token in self.valid_tokens:
                return None
        return self._error(401, "InvalidAuthentication", "不合法的access_token")

    def _user_info(self) -> Any:
        """免登: authCode -> userid; the old API takes the token as a query parameter."""
        with self._lock:
            if request.args.get("access_token", "") not in self.valid_tokens:
                return jsonify({"errcode": 40014, "errmsg": "不合法的access_token"})
            user = self.auth_codes.pop(str(request.get_json(force=True).get("code", "")), None)
        if user is None:
            return jsonify({"errcode": 40078, "errmsg": "不存在的临时授权码"})
        return jsonify({"errcode": 0, "errmsg": "ok", "result": {"userid": user, "name": "x"}})

    def _access_token(self) -> Any:
        body = request.get_json(force=True)
        with self._lock:
            self.token_requests += 1
            if body.get("appKey") != self.app_key or body.get("appSecret") != self.app_secret:
                return self._error(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
            token = f"fake-token-{self.token_requests}"
            self.issued_tokens.append(token)
            self.valid_tokens.add(token)
        return jsonify({"accessToken": token, "expireIn": self.expire_in})

    def _batch_send(self) -> Any:
        if (bad := self._token_error()) is not None:
            return bad
        body = request.get_json(force=True)
        with self._lock:
            if self.batch_status_script:
                status = self.batch_status_script.pop(0)
                return self._error(status, "Throttling" if status == 429 else "system.busy", "忙")
            problem = self._batch_problem(body)
            if problem:
                return self._error(400, "param.invalid", problem)
            self.batch_calls.append(body)
            ids = body["userIds"]
            controlled = [u for u in ids if u in self.flow_control_once | self.flow_control_always]
            self.flow_control_once -= set(controlled)
        return jsonify(
            {
                "processQueryKey": f"pqk-{len(self.batch_calls)}",
                "invalidStaffIdList": [],
                "flowControlledStaffIdList": controlled,
            }
        )

    def _batch_problem(self, body: dict[str, Any]) -> str:
        if body.get("robotCode") != self.robot_code:
            return "robotCode 不正确"
        ids = body.get("userIds")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 20:
            return "userIds 数量应为 1-20"
        if body.get("msgKey") not in ("sampleText", "sampleMarkdown", "sampleFile"):
            return "msgKey 不支持"
        try:
            param = json.loads(body.get("msgParam", ""))
        except (TypeError, ValueError):
            return "msgParam 不是 JSON 字符串"
        needed = {"sampleText": {"content"}, "sampleMarkdown": {"title", "text"},
                  "sampleFile": {"mediaId", "fileName", "fileType"}}[body["msgKey"]]
        if not needed <= set(param):
            return "msgParam 缺少字段"
        if body["msgKey"] == "sampleFile" and param["mediaId"] not in self.uploads:
            return "mediaId 无效"
        if body["msgKey"] == "sampleFile" and param["fileType"] not in (
                "xlsx", "pdf", "zip", "rar", "doc", "docx"):
            return "fileType 不支持"
        return ""

    def _media_upload(self) -> Any:
        """oapi POST /media/upload?access_token&type=file, multipart field `media`."""
        with self._lock:
            if request.args.get("access_token", "") not in self.valid_tokens:
                return jsonify({"errcode": 40014, "errmsg": "不合法的access_token"})
        if request.args.get("type") not in ("image", "voice", "video", "file"):
            return jsonify({"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
        upload = request.files.get("media")
        if upload is None:
            return jsonify({"errcode": 41005, "errmsg": "缺少多媒体文件数据"})
        data = upload.read()
        if len(data) > 20 * 1024 * 1024:
            return jsonify({"errcode": 40006, "errmsg": "不合法的文件大小"})
        with self._lock:
            media_id = f"@lAfake{len(self.uploads) + 1}"
            self.uploads[media_id] = (data, upload.filename or "")
        return jsonify({"errcode": 0, "errmsg": "ok", "type": request.args["type"],
                        "media_id": media_id, "created_at": int(time.time() * 1000)})

    def _download(self) -> Any:
        if (bad := self._token_error()) is not None:
            return bad
        body = request.get_json(force=True)
        self.download_requests.append(body)
        code = body.get("downloadCode", "")
        if body.get("robotCode") != self.robot_code or code not in self.files:
            return self._error(400, "resource.not.found", "下载码无效")
        query = urllib.parse.urlencode({"code": code, "Expires": 600, "Signature": "x"})
        return jsonify({"downloadUrl": f"{self.base_url}/files/download?{query}"})

    def _file(self) -> Any:
        code = request.args.get("code", "")
        if code not in self.files:
            return Response("not found", status=404)
        content, content_type = self.files[code]
        return Response(content, mimetype=content_type)

    def _robot_send(self) -> Any:
        args = request.args
        if args.get("access_token") != self.robot_access_token:
            return jsonify({"errcode": 300001, "errmsg": "token is not exist"})
        if self.robot_secret and not self._robot_sign_ok(args.get("timestamp", ""), args.get("sign", "")):
            self.robot_rejections.append(310000)
            return jsonify({"errcode": 310000, "errmsg": "sign not match"})
        with self._lock:
            if self.robot_errcode_script:
                code = self.robot_errcode_script.pop(0)
                self.robot_rejections.append(code)
                return jsonify({"errcode": code, "errmsg": "send too fast, exceed 20 times per minute"})
            now = time.monotonic()
            self._robot_times = [t for t in self._robot_times if now - t < 60] + [now]
            if len(self._robot_times) > ROBOT_LIMIT_PER_MINUTE:
                self.robot_rejections.append(410100)
                return jsonify({"errcode": 410100, "errmsg": "send too fast, exceed 20 times per minute"})
            self.robot_messages.append(request.get_json(force=True))
        return jsonify({"errcode": 0, "errmsg": "ok"})

    def _robot_sign_ok(self, timestamp: str, sign: str) -> bool:
        # request.args already URL-decoded the sign once, as DingTalk does.
        if not timestamp.isdigit() or abs(self.now_ms() - int(timestamp)) > 3600 * 1000:
            return False
        return hmac.compare_digest(sign, _sign(timestamp, self.robot_secret))

    def _session_send(self) -> Any:
        session = request.args.get("session", "")
        if session in self.expired_sessions:
            return jsonify({"errcode": 300001, "errmsg": "session.expired"})
        self.session_messages.append(request.get_json(force=True))
        return jsonify({"errcode": 0, "errmsg": "ok"})
