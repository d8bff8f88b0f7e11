"""How old a signed callback may be. A signature proves who sent a request, not when: without a
window, a request captured once could be sent again for ever, long after the memory of the
messages it carried is gone."""
from __future__ import annotations

__all__ = ["timestamp_problem", "WECOM_MAX_SKEW_S"]

# As DingTalk's ±1 hour: WeCom retries within seconds, and a server clock an hour off is
# already broken for everything else.
WECOM_MAX_SKEW_S = 3600


def timestamp_problem(value: str, now_s: float, window_s: float) -> str | None:
    """Why a callback timestamp (whole seconds since the epoch) is refused, or None when it is
    within `window_s` of `now_s` either side."""
    # isdigit() alone accepts "²" and other Unicode digits int() refuses; 10 digits is now.
    if not (value.isascii() and value.isdigit() and len(value) <= 12):
        return "timestamp 不是秒数"
    if abs(now_s - int(value)) > window_s:
        return "timestamp 与当前时间相差过大（疑似重放或服务器时钟不准）"
    return None
