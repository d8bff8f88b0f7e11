"""The retention job: what the bot keeps only for a while. Records of the assessment
(submissions, evidence rows and their files, adjustments, the audit log, the outbox history)
are never pruned; copies and one-time helpers are."""
from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping

import sqlite_utils

from ledger import audit
from ledger.db import immediate, now_iso

__all__ = ["Retention", "prune"]


@dataclass(frozen=True)
class Retention:
    inbound_days: int = 180  # message copies (they only de-duplicate platform retries)
    token_days: int = 30  # used or expired upload links, download links
    export_days: int = 7  # exported workbooks and 通报 in data/exports
    orphan_days: int = 2  # files no row points to (a crash between file and row)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "Retention":
        def days(key: str, default: int) -> int:
            return max(int(settings.get(key) or default), 1)
        return cls(days("RETAIN_INBOUND_DAYS", cls.inbound_days),
                   days("RETAIN_TOKEN_DAYS", cls.token_days),
                   days("RETAIN_EXPORT_DAYS", cls.export_days),
                   days("RETAIN_ORPHAN_DAYS", cls.orphan_days))


def _older(path: Path, days: int, wall: float) -> bool:
    try:
        return path.stat().st_mtime < wall - days * 86400
    except OSError:
        return False


def _unlink_all(paths: list[Path]) -> int:
    n = 0
    for path in paths:
        try:
            path.unlink()
            n += 1
        except OSError:
            pass
    return n


def prune(db: sqlite_utils.Database, data_dir: str | Path, now: datetime,
          keep: Retention = Retention()) -> dict[str, int]:
    """Delete what has outlived its use; returns counts per kind (also written to the audit
    log). File ages are read from the file system's clock, row ages from `now`."""
    data = Path(data_dir)
    wall = _time.time()
    counts: dict[str, int] = {}
    with immediate(db):
        for kind, sql, cutoff in (
            ("inbound", "DELETE FROM inbound WHERE received_at < ?", now - timedelta(keep.inbound_days)),
            ("pending", "DELETE FROM pending WHERE expires_at < ?", now),
            ("upload_tokens", "DELETE FROM upload_tokens WHERE expires_at < ?",
             now - timedelta(keep.token_days)),
            ("downloads", "DELETE FROM downloads WHERE expires_at < ?",
             now - timedelta(keep.token_days)),
            ("signatures", "DELETE FROM callback_signatures WHERE seen_at < ?",
             now - timedelta(days=1)),
        ):
            counts[kind] = db.execute(sql, [now_iso(cutoff)]).rowcount
        # By file name, not full path: a restored or moved data folder keeps its names
        # (evidence files are named by their sha256), and must never look orphaned.
        live = {Path(r[0]).name for r in db.execute("SELECT path FROM evidence")}
        live |= {Path(r[0]).name for r in db.execute("SELECT path FROM downloads")}
        waiting = " ".join(r[0] for r in db.execute("SELECT data FROM pending"))
    exports = [p for p in (data / "exports").glob("*") if p.suffix in (".xlsx", ".docx")
               if p.name not in live and _older(p, keep.export_days, wall)]
    counts["exports"] = _unlink_all(exports)
    orphans = [p for p in (data / "evidence").rglob("*")
               if p.is_file() and p.name not in live and _older(p, keep.orphan_days, wall)]
    orphans += [p for p in (data / "incoming").glob("*")
                if p.is_file() and p.name not in waiting and _older(p, keep.orphan_days, wall)]
    counts["orphan_files"] = _unlink_all(orphans)
    if any(counts.values()):
        with immediate(db):
            audit.log(db, now, "system", "retention.prune", "", **counts)
    return counts
