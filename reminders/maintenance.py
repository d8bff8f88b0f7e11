"""The scheduler's housekeeping jobs: a heartbeat readiness checks read, the nightly backup
with rotation, and the retention prune. Plain functions of settings, each with its own
connection; errors are logged, never raised into the scheduler."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from ledger.backup import backup, rotate
from ledger.db import immediate, now_iso, open_db, set_meta
from ledger.retention import Retention, prune
from worktime.clock import shanghai_now

__all__ = ["HEARTBEAT", "REMINDERS_RUN", "LAST_BACKUP", "beat", "backup_tick", "retention_tick",
           "mark"]

log = logging.getLogger("creditbot.maintenance")

HEARTBEAT = "scheduler_heartbeat"
REMINDERS_RUN = "reminders_last_run"
LAST_BACKUP = "backup_last"


def mark(db_path: str, key: str) -> None:
    """Record in the ledger that a job ran now (real Beijing time: readiness measures ages)."""
    db = open_db(db_path, migrate=False)
    try:
        with immediate(db):
            set_meta(db, key, now_iso(shanghai_now()))
    finally:
        db.close()


def beat(settings: Mapping[str, Any]) -> None:
    try:
        mark(str(settings["CREDITBOT_DB"]), HEARTBEAT)
    except Exception:
        log.exception("scheduler heartbeat failed")


def backup_tick(settings: Mapping[str, Any]) -> Path | None:
    """Nightly: a backup into BACKUP_DIR, keeping the newest BACKUP_KEEP (default 14)."""
    dest = str(settings.get("BACKUP_DIR") or "").strip()
    if not dest:
        return None
    try:
        folder = backup(settings["CREDITBOT_DB"], settings["CREDITBOT_DATA"], dest, shanghai_now())
        removed = rotate(dest, int(settings.get("BACKUP_KEEP") or 14))
        mark(str(settings["CREDITBOT_DB"]), LAST_BACKUP)
        log.info("backup written to %s (%d old removed)", folder, len(removed))
        return folder
    except Exception:
        log.exception("nightly backup failed")
        return None


def retention_tick(settings: Mapping[str, Any]) -> dict[str, int] | None:
    db = open_db(settings["CREDITBOT_DB"], migrate=False)
    try:
        counts = prune(db, settings["CREDITBOT_DATA"], shanghai_now(),
                       Retention.from_settings(settings))
        log.info("retention: %s", counts)
        return counts
    except Exception:
        log.exception("retention job failed")
        return None
    finally:
        db.close()
