"""/healthz as a readiness check: can this instance take a message and deliver its pushes?
Each check says what it saw; any failure makes the answer 503 with the reasons, so a load
balancer or a monitor stops sending traffic and someone is told why."""
from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from ledger.db import get_meta, write_probe
from ledger.integrity import quick_check
from ledger.outbox import backlog
from reminders.maintenance import HEARTBEAT, LAST_BACKUP, REMINDERS_RUN
from worktime.clock import shanghai_now

__all__ = ["Readiness", "readiness"]


def _age_s(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    try:
        return max((now - datetime.fromisoformat(value)).total_seconds(), 0.0)
    except ValueError:
        return None


class Readiness:
    """`readiness` for one app. The write-lock and disk probes are reused for a second, so
    an eager monitor cannot take the write lock hundreds of times a second; the database's
    quick_check runs every HEALTH_QUICK_CHECK_S (300) and one at a time (ledger.integrity)."""

    def __init__(self, settings: Mapping[str, Any], open_db: Any,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings, self.open_db, self.clock = settings, open_db, clock
        self._probe: tuple[float, list[str], dict[str, Any]] | None = None
        self._checked: tuple[float, list[str]] | None = None
        self._checking = threading.Lock()

    def __call__(self) -> tuple[bool, dict[str, Any]]:
        now = self.clock()
        if self._probe is None or now - self._probe[0] >= 1.0:
            self._probe = (now, *_storage(self.settings))
        reasons, checks = list(self._probe[1]), dict(self._probe[2])
        damage = self._integrity(now)
        checks["database_check"] = damage or "ok"
        checks["database_check_age_s"] = round(now - self._checked[0], 1) if self._checked else None
        if damage:
            reasons.insert(0, f"数据库已损坏（quick_check）：{'；'.join(damage[:3])}。"
                              f"请停止服务并从备份恢复（creditbot restore，见 docs/restore-drill.md）")
        return readiness(self.settings, self.open_db, (reasons, checks))

    def _integrity(self, now: float) -> list[str]:
        """The last quick_check's findings, rerun when older than the interval. A request that
        finds another thread already checking answers with the previous result."""
        every = float(self.settings.get("HEALTH_QUICK_CHECK_S") or 300)
        if (self._checked is None or now - self._checked[0] >= every) \
                and self._checking.acquire(blocking=False):
            try:
                self._checked = (now, quick_check(self.settings["CREDITBOT_DB"]))
            except sqlite3.Error:
                pass  # locked or unreadable: the write probe reports that; keep the last result
            finally:
                self._checking.release()
        return self._checked[1] if self._checked else []


def _storage(settings: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The database takes the write lock; both disks have HEALTH_MIN_FREE_MB free."""
    reasons: list[str] = []
    checks: dict[str, Any] = {}
    db_path = str(settings["CREDITBOT_DB"])
    problem = write_probe(db_path)  # 2 s at most
    checks["database_writable"] = problem is None
    if problem:
        reasons.append(problem)
    min_free = int(settings.get("HEALTH_MIN_FREE_MB") or 200) * 1024 * 1024
    for name, folder in (("database", Path(db_path).resolve().parent),
                         ("data", Path(settings["CREDITBOT_DATA"]).resolve())):
        probe = folder if folder.exists() else folder.parent
        free = shutil.disk_usage(probe).free
        checks[f"{name}_free_mb"] = free // (1024 * 1024)
        if free < min_free:
            reasons.append(f"{name} 所在磁盘剩余 {free // (1024 * 1024)} MB，低于 {min_free // (1024 * 1024)} MB")
    return reasons, checks


def readiness(settings: Mapping[str, Any], open_db: Any,
              storage: tuple[list[str], dict[str, Any]] | None = None
              ) -> tuple[bool, dict[str, Any]]:
    """(ready, details). Thresholds: HEALTH_MIN_FREE_MB (200), HEALTH_HEARTBEAT_MAX_S (120),
    HEALTH_OUTBOX_MAX_AGE_S (1800), HEALTH_REMINDERS_MAX_AGE_S (1800). The scheduler checks
    apply only where `creditbot serve` runs one (CREDITBOT_SCHEDULER_EXPECTED)."""
    now = shanghai_now()
    found, probed = storage if storage is not None else _storage(settings)
    reasons, checks = list(found), dict(probed)
    try:
        db = open_db()
        try:
            queue = backlog(db, now)
            beat = _age_s(get_meta(db, HEARTBEAT), now)
            reminded = _age_s(get_meta(db, REMINDERS_RUN), now)
            backed_up = get_meta(db, LAST_BACKUP)
        finally:
            db.close()
    except sqlite3.Error as exc:  # damaged or unreadable: a 503 that says so, never a 500
        reasons.append(f"数据库无法读取：{exc}")
        return False, {"status": "unavailable", "reasons": reasons, "checks": checks}
    checks["outbox"] = queue
    checks["scheduler_heartbeat_age_s"] = beat
    checks["reminders_last_run_age_s"] = reminded
    checks["last_backup"] = backed_up
    if queue["oldest_due_age_s"] > float(settings.get("HEALTH_OUTBOX_MAX_AGE_S") or 1800):
        reasons.append(f"推送积压：最早一条已等待 {int(queue['oldest_due_age_s'] // 60)} 分钟"
                       f"（{queue['due']} 条待发）")
    if settings.get("CREDITBOT_SCHEDULER_EXPECTED"):
        if beat is None or beat > float(settings.get("HEALTH_HEARTBEAT_MAX_S") or 120):
            reasons.append("定时任务没有心跳" + (f"（{int(beat)} 秒前）" if beat is not None else ""))
        limit = float(settings.get("HEALTH_REMINDERS_MAX_AGE_S") or 1800)
        if reminded is not None and reminded > limit:
            reasons.append(f"提醒任务 {int(reminded // 60)} 分钟没有运行")
    return not reasons, {"status": "ok" if not reasons else "unavailable", "reasons": reasons,
                         "checks": checks}
