"""Who is at the console: the session cookie, CSRF on every form, roles on every route, and
the in-client logins (WeCom 网页授权, DingTalk 免登) that turn a platform code into a member.

Sessions live in the ledger (ledger.sessions), so a restart or a second worker keeps them; the
cookie holds only a random id: HttpOnly, SameSite=Strict, Secure behind HTTPS.
"""
from __future__ import annotations

import functools
import hmac
import secrets
from datetime import timedelta
from typing import Any, Callable
from urllib.parse import quote

from flask import g, request

from ledger.sessions import ConsoleSession, find_session

__all__ = ["COOKIE", "STATE_COOKIE", "idle_limit", "current_session", "cookie_args",
           "csrf_ok", "Denied", "require", "wecom_oauth_url", "wecom_user_id",
           "dingtalk_user_id", "oauth_enabled", "in_client"]

COOKIE = "creditbot_console"
STATE_COOKIE = "creditbot_oauth_state"
STAFF_ROLES = ("staff", "admin")


class Denied(Exception):
    """Not logged in (401) or not allowed here (403); the message is for people."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def idle_limit(settings: dict[str, Any]) -> timedelta:
    try:
        hours = float(settings.get("CONSOLE_IDLE_HOURS") or 8)
    except (TypeError, ValueError):
        hours = 8.0
    return timedelta(hours=hours if hours > 0 else 8)


def current_session(chat: Any, db: Any) -> ConsoleSession | None:
    if "console_session" not in g:
        g.console_session = find_session(db, request.cookies.get(COOKIE, ""), chat.clock(),
                                         idle_limit(chat.settings))
    return g.console_session


def cookie_args(settings: dict[str, Any]) -> dict[str, Any]:
    """HttpOnly and SameSite=Strict always; Secure when the console is reached over HTTPS."""
    base = str(settings.get("PUBLIC_BASE_URL") or "")
    secure = request.is_secure or base.startswith("https://")
    return {"httponly": True, "samesite": "Strict", "secure": secure, "path": "/console"}


def csrf_ok(session: ConsoleSession) -> bool:
    sent = request.form.get("csrf", "") or request.headers.get("X-CSRF-Token", "")
    return bool(sent) and hmac.compare_digest(sent, session.csrf)


def require(chat: Callable[[], Any], open_db: Callable[[], Any], staff: bool = False) -> Callable:
    """Decorator: a live session (and a staff role when `staff`); POSTs need the CSRF token.
    The view gets the session as its first argument. `chat` and `open_db` are asked at each
    request (the blueprints are module-level; the app holds the chat)."""
    def deco(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            session = current_session(chat(), open_db())
            if session is None:
                raise Denied(401, "请先登录：在企业微信或钉钉里给信用考核助手发送「控制台」，打开回复的链接。")
            if staff and session.member.role not in STAFF_ROLES:
                raise Denied(403, "此页面仅限信用办工作人员使用。")
            if request.method == "POST" and not csrf_ok(session):
                raise Denied(403, "页面已过期或来源不明（安全校验未通过）。请刷新页面后重新提交。")
            return view(session, *args, **kwargs)
        return wrapped
    return deco


# ---- in-client login ----------------------------------------------------------------------

def in_client() -> str | None:
    """The platform whose built-in browser this is, from its User-Agent."""
    agent = request.headers.get("User-Agent", "")
    if "wxwork" in agent or "MicroMessenger" in agent:
        return "wecom"
    if "DingTalk" in agent or "AliApp(DingTalk" in agent:
        return "dingtalk"
    return None


def oauth_enabled(settings: dict[str, Any], platform: str) -> bool:
    """WeCom needs the corp, the app and a public address to come back to; DingTalk needs the
    app key and secret. CONSOLE_OAUTH=off turns both off."""
    if str(settings.get("CONSOLE_OAUTH") or "on").lower() in ("off", "0", "false", "no"):
        return False
    if platform == "wecom":
        return all(settings.get(k) for k in ("WECOM_CORP_ID", "WECOM_SECRET", "WECOM_AGENT_ID",
                                             "PUBLIC_BASE_URL"))
    return all(settings.get(k) for k in ("DINGTALK_APP_KEY", "DINGTALK_APP_SECRET"))


def wecom_oauth_url(settings: dict[str, Any]) -> tuple[str, str]:
    """The 网页授权 address to send the browser to, and the state to check on the way back."""
    state = secrets.token_urlsafe(16)
    back = str(settings["PUBLIC_BASE_URL"]).rstrip("/") + "/console/oauth/wecom"
    base = str(settings.get("WECOM_OAUTH_BASE") or "https://open.weixin.qq.com").rstrip("/")
    url = (f"{base}/connect/oauth2/authorize?appid={quote(str(settings['WECOM_CORP_ID']))}"
           f"&redirect_uri={quote(back, safe='')}&response_type=code&scope=snsapi_base"
           f"&state={state}&agentid={quote(str(settings['WECOM_AGENT_ID']))}#wechat_redirect")
    return url, state


def wecom_user_id(client: Any, code: str) -> str:
    """code → userid through /cgi-bin/auth/getuserinfo (the token is refreshed once if stale)."""
    import requests  # at a platform login, not at start: ~0.1 s a server may never need
    for attempt in (1, 2):
        token = client.access_token()
        resp = requests.get(f"{client.base}/cgi-bin/auth/getuserinfo",
                            params={"access_token": token, "code": code}, timeout=client.timeout)
        resp.raise_for_status()  # the platform is down: the caller says "try again later"
        data = resp.json()
        if data.get("errcode") in (40014, 42001) and attempt == 1:
            client._invalidate(token)
            continue
        user = str(data.get("userid") or data.get("UserId") or "")
        if data.get("errcode") or not user:
            raise Denied(403, "企业微信未能确认您的身份（授权码无效或已过期，或您不是本企业成员）。"
                              "请关闭页面重新进入，或在聊天中发送「控制台」获取登录链接。")
        return user
    raise AssertionError("unreachable")


def dingtalk_user_id(client: Any, code: str) -> str:
    """免登 authCode → userid through /topapi/v2/user/getuserinfo."""
    import requests  # as in wecom_user_id
    resp = requests.post(f"{client.oapi_base}/topapi/v2/user/getuserinfo",
                         params={"access_token": client.access_token()}, json={"code": code},
                         timeout=client.timeout)
    resp.raise_for_status()
    data = resp.json()
    user = str((data.get("result") or {}).get("userid") or "")
    if data.get("errcode") or not user:
        raise Denied(403, "钉钉未能确认您的身份（免登码无效或已过期）。请在聊天中发送「控制台」获取登录链接。")
    return user
