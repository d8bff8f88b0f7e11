"""Settings: one TOML file (creditbot.toml) with environment overrides.

Keys are upper-case (WECOM_CORP_ID …). The file may use a [wecom]/[dingtalk] table with
lower-case keys; they are read as WECOM_…/DINGTALK_…. The environment wins over the file.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Mapping

from channels.status import channel_status, platforms_in_use

__all__ = ["ConfigError", "load_settings", "DEFAULTS", "KNOWN_KEYS", "channel_status", "platforms_in_use",
           "member_channel"]



class ConfigError(ValueError):
    """A setting the office must correct: the message names it and what it should be."""


DEFAULTS: dict[str, Any] = {
    "CREDITBOT_DB": "creditbot.db",
    "CREDITBOT_DATA": "data",
    "CREDITBOT_NOW": "",
    "CREDITBOT_HOLIDAYS": "",
    "PUBLIC_BASE_URL": "",
    "UPLOAD_LINK_HOURS": 24,
    "REVIEW_GRACE_WORKDAYS": 3,
    "CONSOLE_IDLE_HOURS": 8,
    "MAX_BODY_BYTES": 5 * 1024 * 1024,
    "WECOM_API_BASE": "https://qyapi.weixin.qq.com",
    "DINGTALK_API_BASE": "https://api.dingtalk.com",
    "DINGTALK_OAPI_BASE": "https://oapi.dingtalk.com",
    "REMIND_HOUR": 9,
    "QUIET_START": 21,
    "QUIET_END": 8,
    "REMIND_DAYS_BEFORE": 1,
    "REMIND_MENTION_IN_GROUP": True,
    "REMIND_DIRECT": True,
    "REMIND_DIGEST": True,
}
KNOWN_KEYS = set(DEFAULTS) | {
    "WECOM_CORP_ID", "WECOM_TOKEN", "WECOM_AES_KEY", "WECOM_AGENT_ID", "WECOM_SECRET",
    "WECOM_AIBOT_TOKEN", "WECOM_AIBOT_AES_KEY", "DINGTALK_APP_KEY", "DINGTALK_APP_SECRET",
    "DINGTALK_ROBOT_CODE", "STAFF_GROUP_WEBHOOK", "STAFF_GROUP_SECRET", "STAFF_GROUP_CHANNEL",
    "DINGTALK_ALLOWED_IPS", "BACKUP_DIR", "BACKUP_KEEP", "BACKUP_HOUR", "LOG_FILE", "LOG_LEVEL",
    "LOG_MAX_MB", "LOG_BACKUPS", "HEALTH_MIN_FREE_MB", "HEALTH_HEARTBEAT_MAX_S",
    "HEALTH_OUTBOX_MAX_AGE_S", "HEALTH_REMINDERS_MAX_AGE_S", "RETAIN_INBOUND_DAYS",
    "RETAIN_TOKEN_DAYS", "RETAIN_EXPORT_DAYS", "RETAIN_ORPHAN_DAYS", "WECOM_AIBOT_FILE_HOSTS",
    "DINGTALK_CORP_ID", "CONSOLE_OAUTH", "WECOM_OAUTH_BASE",
}


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}{k}".upper()
        if isinstance(v, Mapping) and k.lower() not in ("groups",):
            out.update(_flatten(v, f"{key}_"))
        else:
            out[key] = v
    return out


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None,
                  overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    env = os.environ if env is None else env
    settings = dict(DEFAULTS)
    file = Path(path or env.get("CREDITBOT_CONFIG") or "creditbot.toml")
    if file.exists():
        try:
            settings.update(_flatten(tomllib.loads(file.read_text(encoding="utf-8"))))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: 配置文件格式错误：{exc}") from None
    for key in list(KNOWN_KEYS) + [k for k in env if k.startswith(("WECOM_", "DINGTALK_", "CREDITBOT_"))]:
        if key in env and env[key] != "":
            settings[key] = env[key]
    settings.update(overrides or {})
    if not str(settings.get("CREDITBOT_NOW") or "").strip():
        from ledger.db import DEMO_CLOCK, peek_meta  # the demo office keeps its day (bot.demo)
        settings["CREDITBOT_NOW"] = peek_meta(settings["CREDITBOT_DB"], DEMO_CLOCK) or ""
    return settings


def member_channel(settings: Mapping[str, Any], asked: str | None = None) -> str:
    """The channel a new binding belongs to: the one asked for, else the only platform in use,
    else '*' when none is configured yet (chat-only trials). With both platforms in use the
    person's platform must be named: the same user id there may be someone else."""
    if asked:
        return asked
    platforms = platforms_in_use(settings)
    if len(platforms) > 1:
        raise ConfigError("已同时启用企业微信和钉钉，两边的用户ID互不相通："
                         "请用 --channel wecom 或 --channel dingtalk 指明此人所在的平台")
    return platforms[0] if platforms else "*"
