"""Which platforms this office is configured for, read from settings (no I/O): used by the
app to register callbacks and by the reminder jobs to pick a push route."""
from __future__ import annotations

from typing import Any, Mapping

__all__ = ["channel_status", "platforms_in_use"]


def channel_status(settings: Mapping[str, Any]) -> dict[str, bool]:
    """Which channels are configured (a channel without its settings is off)."""
    return {
        "wecom": all(settings.get(k) for k in ("WECOM_CORP_ID", "WECOM_TOKEN", "WECOM_AES_KEY")),
        "wecom_aibot": bool(settings.get("WECOM_AIBOT_TOKEN") and settings.get("WECOM_AIBOT_AES_KEY")),
        "dingtalk": bool(settings.get("DINGTALK_APP_SECRET")),
    }


def platforms_in_use(settings: Mapping[str, Any]) -> list[str]:
    """The user directories this office talks to: wecom (app or 智能机器人) and/or dingtalk
    (HTTP callback or Stream mode)."""
    status = channel_status(settings)
    out = []
    if status["wecom"] or status["wecom_aibot"] or settings.get("WECOM_SECRET"):
        out.append("wecom")
    if status["dingtalk"] or settings.get("DINGTALK_APP_KEY"):
        out.append("dingtalk")
    return out
