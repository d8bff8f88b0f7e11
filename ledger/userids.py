"""Platform user ids as they may be stored or sent to: WeCom userids and DingTalk staffIds are
1–64 letters, digits and `_ - . @`, starting with a letter or digit. Anything else (`@all`,
`a|b`, spaces) would address someone other than the one person meant."""
from __future__ import annotations

import re

from ledger.db import LedgerError

__all__ = ["USER_ID_RULE", "is_user_id", "check_user_id", "CHANNELS", "channel_family"]

USER_ID_RULE = "用户ID只能由字母、数字和 _ - . @ 组成，以字母或数字开头，最长 64 个字符"
_USER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
CHANNELS = ("wecom", "dingtalk")


def is_user_id(value: str) -> bool:
    return isinstance(value, str) and _USER_ID.fullmatch(value) is not None


def check_user_id(value: str) -> str:
    """The id, stripped, or a LedgerError saying what a user id may contain."""
    text = (value or "").strip()
    if not is_user_id(text):
        raise LedgerError(f"用户ID「{text[:70]}」无效：{USER_ID_RULE}。")
    return text


def channel_family(channel: str) -> str:
    """wecom_aibot and wecom share one user directory (the same corp's userids)."""
    return channel.split("_")[0]
