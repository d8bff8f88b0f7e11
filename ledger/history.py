"""Month-end totals kept for the console's month-by-month charts.

Scoring a past month means scoring every unit as the ledger stood then (rank rules need all
of them), so each month is kept here with a fingerprint of the rows it was computed from; a
restart does not recompute the year, and a change to old rows makes its months stale.
"""
from __future__ import annotations

import sqlite3
from decimal import Decimal

import sqlite_utils

from ledger.db import dumps, immediate, loads
from ledger.diskspace import is_disk_full

__all__ = ["load_month", "save_month", "fingerprint"]


def load_month(db: sqlite_utils.Database, scheme_id: str, year: int, month: str,
               fingerprint: str) -> dict[str, Decimal | None] | None:
    row = db.execute("SELECT totals FROM month_totals WHERE scheme_id = ? AND year = ? AND "
                     "month = ? AND fingerprint = ?", [scheme_id, year, month, fingerprint]).fetchone()
    if row is None:
        return None
    return {k: None if v is None else Decimal(v) for k, v in loads(row[0], {}).items()}


def save_month(db: sqlite_utils.Database, scheme_id: str, year: int, month: str,
               fingerprint: str, totals: dict[str, Decimal | None]) -> None:
    try:
        with immediate(db):
            db.execute("INSERT OR REPLACE INTO month_totals(scheme_id, year, month, fingerprint, "
                       "totals) VALUES (?, ?, ?, ?, ?)",
                       [scheme_id, year, month, fingerprint,
                        dumps({k: None if v is None else str(v) for k, v in totals.items()})])
    except sqlite3.OperationalError as exc:
        if not is_disk_full(exc):
            raise  # a cache: on a full disk the chart is drawn from the computed totals



def fingerprint(db: sqlite_utils.Database, cutoff: str) -> str:
    """What the ledger held before `cutoff` that a total depends on: the rows received by then
    and which of them were since rejected or withdrawn (a record replaced later still counts
    with its value then; an approval changes no points)."""
    out = []
    for table, when in (("submissions", "received_at"), ("evidence", "received_at"),
                        ("adjustments", "created_at")):
        out.append("/".join(str(v) for v in db.execute(
            f"SELECT count(*), coalesce(max(id), 0), "
            f"total(CASE WHEN status IN ('rejected', 'withdrawn') THEN id END) "
            f"FROM {table} WHERE {when} < ?", [cutoff]).fetchone()))
    return "|".join(out)
