"""A full disk, told apart from other failures. SQLite says SQLITE_FULL ("database or disk is
full") at the statement or the commit that needed a page; the file system says ENOSPC or EDQUOT.
Nothing is recorded then, so the sender is told to send again later — and reads, which need
no space, go on answering."""
from __future__ import annotations

import errno
import sqlite3

__all__ = ["DISK_FULL", "is_disk_full"]

# What a sender of a write is told (README, "Durability"): nothing was saved, send it again.
DISK_FULL = "服务器存储空间不足，这条消息没有保存。请稍后重新发送，并告知市信用办。"


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        return "full" in str(exc).lower()
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
