"""Logging for `creditbot serve`/`stream`: to stderr, and to a rotating file when LOG_FILE is
set. Times are Beijing time whatever the host zone. The scheduler's routine lines (a job run
every 15 s) are quiet unless LOG_LEVEL=DEBUG."""
from __future__ import annotations

import logging
import logging.handlers
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from worktime.clock import SHANGHAI

__all__ = ["setup_logging"]

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _BeijingFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        at = datetime.fromtimestamp(record.created, SHANGHAI)
        return at.strftime(datefmt) if datefmt else at.isoformat(timespec="milliseconds")


def setup_logging(settings: Mapping[str, Any]) -> list[logging.Handler]:
    """Configure the root logger once; returns the handlers added."""
    level = getattr(logging, str(settings.get("LOG_LEVEL") or "INFO").upper(), logging.INFO)
    root = logging.getLogger()
    root.setLevel(level)
    formatter = _BeijingFormatter(FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    log_file = str(settings.get("LOG_FILE") or "").strip()
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(
            log_file, maxBytes=int(settings.get("LOG_MAX_MB") or 20) * 1024 * 1024,
            backupCount=int(settings.get("LOG_BACKUPS") or 10), encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    if level > logging.DEBUG:
        # "Running job … executed successfully" four times a minute drowns everything else.
        for name in ("apscheduler.executors", "apscheduler.scheduler"):
            logging.getLogger(name).setLevel(logging.WARNING)
    return handlers
