"""APScheduler wiring for `creditbot serve`: one in-memory job store per process, stable job
ids, coalescing, a misfire grace time. Jobs are plain functions of time (reminders.jobs)."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from worktime.clock import SHANGHAI

__all__ = ["start_scheduler"]

log = logging.getLogger("creditbot")


def start_scheduler(settings: dict[str, Any]) -> BackgroundScheduler:
    from reminders import jobs, maintenance

    scheduler = BackgroundScheduler(timezone=SHANGHAI)
    senders = jobs.outbox_senders(settings)  # once, so access tokens stay cached
    scheduler.add_job(jobs.outbox_tick, "interval", seconds=15, args=[settings, senders],
                      id="outbox", replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=60)
    scheduler.add_job(jobs.reminder_tick, "interval", minutes=10, args=[settings],
                      id="reminders", replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=600)
    scheduler.add_job(maintenance.beat, "interval", seconds=30, args=[settings],
                      id="heartbeat", replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=30, next_run_time=datetime.now(SHANGHAI))
    scheduler.add_job(maintenance.retention_tick, "cron", hour=3, minute=30, args=[settings],
                      id="retention", replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=3600)
    if settings.get("BACKUP_DIR"):
        scheduler.add_job(maintenance.backup_tick, "cron",
                          hour=int(settings.get("BACKUP_HOUR") or 2), minute=0, args=[settings],
                          id="backup", replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=3600)
    scheduler.start()
    log.info("scheduler started: outbox every 15 s, reminders every 10 min, retention at 03:30"
             + (", backup nightly" if settings.get("BACKUP_DIR") else ""))
    return scheduler
