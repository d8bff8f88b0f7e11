"""Logging in and out: the one-time link from chat, WeCom 网页授权 and DingTalk 免登."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for

from console import web
from console.oauth_state import new_state, remember_state, state_matches
from console.auth import (COOKIE, STATE_COOKIE, Denied, cookie_args, current_session,
                          dingtalk_user_id, in_client, oauth_enabled, wecom_oauth_url,
                          wecom_user_id)
from ledger.db import LedgerError
from ledger.sessions import end_session, open_session, redeem_login
from ledger.units import find_member

__all__ = ["bp"]

log = logging.getLogger("creditbot")
bp = Blueprint("login", __name__)


@bp.get("/")
def home() -> Any:
    chat = web.chat()
    settings = chat.settings
    session = current_session(chat, web.db())
    if session is None:
        client = in_client()
        if client == "wecom" and oauth_enabled(settings, "wecom"):
            url, state = wecom_oauth_url(settings)
            resp = redirect(url)
            resp.set_cookie(STATE_COOKIE, state, max_age=600,
                            **{**cookie_args(settings), "samesite": "Lax"})
            return resp
        dingtalk = client == "dingtalk" and oauth_enabled(settings, "dingtalk")
        state = new_state() if dingtalk else ""
        resp = make_response(render_template(
            "console/login.html", session=None, nav=[], token=None, dingtalk=dingtalk,
            state=state, corp_id=settings.get("DINGTALK_CORP_ID", "")), 401)
        return remember_state(resp, state, settings) if dingtalk else resp
    return redirect(url_for("console.overview.overview" if session.member.is_staff
                            else "console.liaison.mine"))


@bp.get("/login/<token>")
def login_form(token: str) -> Any:
    # A GET only shows a button: link previews in chat must not use up the one-time link.
    return render_template("console/login.html", session=None, nav=[], token=token)


@bp.post("/login/<token>")
def login(token: str) -> Any:
    origin = request.headers.get("Origin", "")
    if origin and urlsplit(origin).netloc != request.host:  # no logging in from elsewhere
        raise Denied(403, "登录请求来源不明。请直接在浏览器中打开聊天里收到的链接。")
    conn = web.db()
    try:
        member = redeem_login(conn, token, web.chat().clock())
    except LedgerError as exc:
        return render_template("console/message.html", title="无法登录", message=str(exc),
                               session=None, nav=[]), 410
    return _start(conn, member, "chat-link", same_site=True)


def _start(conn: Any, member: Any, how: str, same_site: bool) -> Any:
    chat = web.chat()
    sid, _ = open_session(conn, member, chat.clock(), how)
    if same_site:
        resp = redirect(url_for(".home"), code=303)
    else:
        # Back from the platform's site: a SameSite=Strict cookie is not sent on a redirect
        # that started elsewhere, so this page moves on by itself, from our own site.
        resp = make_response(render_template("console/message.html", title="登录成功",
                                             message="正在进入控制台…", session=None, nav=[],
                                             refresh=url_for(".home")))
    resp.set_cookie(COOKIE, sid, **cookie_args(chat.settings))
    return resp


@bp.get("/oauth/wecom")
def oauth_wecom() -> Any:
    from channels.wecom_client import WeComClient
    return _oauth_login("wecom", WeComClient, wecom_user_id, "企业微信", "企业微信")


@bp.get("/oauth/dingtalk")
def oauth_dingtalk() -> Any:
    from channels.dingtalk_client import DingTalkClient
    return _oauth_login("dingtalk", DingTalkClient, dingtalk_user_id, "钉钉", "钉钉工作台")


def _oauth_login(channel: str, make_client: Callable[[Any], Any],
                 user_of: Callable[[Any, str], str], name: str, entry: str) -> Any:
    """Back from the platform's sign-in with a code: the state this browser was given, then
    the platform's client (one per app, kept) says whose code it is."""
    settings = web.chat().settings
    if not oauth_enabled(settings, channel):
        abort(404)
    if not state_matches():
        raise Denied(403, f"登录校验未通过（state 不符）。请关闭页面后从{entry}重新进入。")
    clients = web.console().clients
    client = clients[channel] if channel in clients \
        else clients.setdefault(channel, make_client(settings))
    user = _platform(lambda: user_of(client, request.args.get("code", "")), name)
    return _oauth_member(channel, user)


def _platform(ask: Any, name: str) -> str:
    """The platform's answer; its outage is a clear page, not a 500."""
    try:
        return ask()
    except Denied:
        raise
    except Exception as exc:  # network, token or JSON trouble on the platform's side
        log.warning("console login through %s failed: %s", name, type(exc).__name__)
        raise Denied(502, f"暂时无法连接{name}确认身份，请稍后再试，或在聊天中发送「控制台」获取登录链接。") from None


def _oauth_member(channel: str, user: str) -> Any:
    conn = web.db()
    member = find_member(conn, channel, user)
    if member is None:
        raise Denied(403, f"您的账号（用户ID：{user}）还没有绑定单位。请把用户ID发给市信用办绑定。")
    resp = _start(conn, member, f"oauth-{channel}", same_site=False)
    resp.delete_cookie(STATE_COOKIE, path="/console")
    return resp


@bp.post("/logout")
@web.signed_in
def logout(session: Any) -> Any:
    end_session(web.db(), request.cookies.get(COOKIE, ""), web.chat().clock())
    resp = make_response(render_template("console/message.html", title="已退出",
                                         message="已退出控制台。需要时在聊天中发送「控制台」重新登录。",
                                         session=None, nav=[]))
    resp.delete_cookie(COOKIE, path="/console")
    return resp
