"""APScheduler wiring for `creditbot serve`: one in-memory job store per process, stable job
ids, coalescing, a misfire grace time. Jobs are plain functions of time (reminders.jobs)."""
from __future__ import annotations

import logging
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

__all__ = ["start_scheduler"]

log = logging.getLogger("creditbot")


def start_scheduler(settings: dict[str, Any]) -> BackgroundScheduler:
    from reminders import jobs

    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    senders = jobs.outbox_senders(settings)  # once, so access tokens stay cached
    scheduler.add_job(jobs.outbox_tick, "interval", seconds=15, args=[settings, senders],
                      id="outbox", replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=60)
    scheduler.add_job(jobs.reminder_tick, "interval", minutes=10, args=[settings],
                      id="reminders", replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=600)
    scheduler.start()
    log.info("scheduler started: outbox every 15 s, reminders every 10 min")
    return scheduler
