"""The `state` of an in-client login, bound to the browser that started it. The platform's
code says who is logging in, not in which browser: without a state kept in this browser's
cookie, a page elsewhere could send a victim's browser to the callback with the attacker's
code and log the victim in as the attacker (login CSRF)."""
from __future__ import annotations

import secrets
from typing import Any, Mapping

from flask import request

from console.auth import STATE_COOKIE, cookie_args

__all__ = ["new_state", "remember_state", "state_matches", "forget_state"]

STATE_SECONDS = 600  # as long as the platform's code lives


def new_state() -> str:
    return secrets.token_urlsafe(16)


def remember_state(resp: Any, state: str, settings: Mapping[str, Any]) -> Any:
    # Lax, not Strict: the way back may be a redirect from the platform's own site.
    resp.set_cookie(STATE_COOKIE, state, max_age=STATE_SECONDS,
                    **{**cookie_args(dict(settings)), "samesite": "Lax"})
    return resp


def state_matches() -> bool:
    """The callback's `state` is the one this browser was given."""
    kept = request.cookies.get(STATE_COOKIE, "")
    sent = request.args.get("state", "")
    return bool(kept) and secrets.compare_digest(kept.encode(), sent.encode())


def forget_state(resp: Any) -> Any:
    resp.delete_cookie(STATE_COOKIE, path="/console")
    return resp
