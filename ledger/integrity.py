"""Is the ledger file sound? SQLite's `PRAGMA quick_check` reads every page and checks the
b-tree structure (not index contents against rows, which `integrity_check` adds at several
times the cost). A damaged file otherwise shows only as every message getting an apology
while /healthz still says ok, and a restart dies in a traceback.

The cost grows with the file (bench/integrity.py measures it), so readiness runs it every
HEALTH_QUICK_CHECK_S, never per request, and commands only on the way up.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Mapping

from ledger.db import LedgerError

__all__ = ["quick_check", "DatabaseDamaged", "damaged_message", "is_damage"]

MAX_PROBLEMS = 5  # quick_check stops after this many: the first few say what is wrong


class DatabaseDamaged(LedgerError):
    """The ledger file is damaged; the message says what was found and how to restore."""


def quick_check(db_path: str | Path) -> list[str]:
    """[] when the file is sound, else what SQLite found (at most MAX_PROBLEMS lines). A file
    that does not open as a database at all is a problem too."""
    try:
        conn = sqlite3.connect(str(db_path), timeout=15)
        try:
            rows = [str(r[0]) for r in conn.execute(f"PRAGMA quick_check({MAX_PROBLEMS})")]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        raise  # locked, unreadable, disk full: not damage, the caller says what it is
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def is_damage(exc: BaseException) -> bool:
    """A sqlite3 error that means a damaged file (not a lock, a full disk or a bad query)."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(
        exc, (sqlite3.OperationalError, sqlite3.IntegrityError, sqlite3.ProgrammingError))


def _latest_backup(settings: Mapping[str, Any]) -> str:
    folder = str(settings.get("BACKUP_DIR") or "")
    found = sorted(Path(folder).glob("creditbot-*")) if folder and Path(folder).is_dir() else []
    return str(found[-1]) if found else (f"{folder.rstrip('/')}/creditbot-<时间>" if folder
                                         else "<备份目录>/creditbot-<时间>")


def damaged_message(settings: Mapping[str, Any], problems: list[str]) -> str:
    """What the operator reads: the file, what is wrong, and the restore to run."""
    shown = "；".join(problems[:3]) + ("…" if len(problems) > 3 else "")
    return (f"数据库已损坏：{settings['CREDITBOT_DB']}（{shown}）。\n"
            f"请停止服务，从最近的好备份恢复（原文件会移到一旁保留）：\n"
            f"  creditbot restore {_latest_backup(settings)}          # 先校验备份\n"
            f"  creditbot restore {_latest_backup(settings)} --yes    # 再恢复\n"
            f"步骤见 docs/restore-drill.md「真正需要恢复时」。")


def refuse_damaged(settings: Mapping[str, Any]) -> None:
    """Raise DatabaseDamaged when the ledger exists and quick_check finds damage: a server
    must not start on it (it would answer every message with an apology)."""
    if Path(str(settings["CREDITBOT_DB"])).exists():
        problems = quick_check(settings["CREDITBOT_DB"])
        if problems:
            raise DatabaseDamaged(damaged_message(settings, problems))


def trouble(settings: Mapping[str, Any] | None, exc: BaseException) -> str | None:
    """A sqlite3 error that reached a command's edge, in words (no traceback) when it is the
    file's or the disk's fault; None when it is a bug (a bad query, a broken constraint)."""
    if settings is not None and is_damage(exc):
        try:
            problems = quick_check(settings["CREDITBOT_DB"]) or [str(exc)]
        except sqlite3.Error:
            problems = [str(exc)]
        return damaged_message(settings, problems)
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError) and "full" in text:
        return f"磁盘已满，数据库无法写入（{exc}）。请清理磁盘空间后重试；已保存的数据不受影响。"
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "unable to open" in text
                                                      or "readonly" in text or "disk i/o" in text):
        return f"数据库无法使用：{exc}"
    return None
