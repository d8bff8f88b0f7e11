"""Batch approval: every waiting record (submissions and files) a selection names, approved in
one transaction and kept as one staff act, so one `撤销 <编号>` puts all of it back.

The chat's `审核 … 全部 通过` and the console's 批量通过 both call `approve`; a selection that
finds nothing waiting changes nothing and says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils

from ledger import acts, audit
from ledger.db import LedgerError, immediate, now_iso
from ledger.submissions import NOT_FROZEN, refuse_closed

__all__ = ["Target", "Approval", "approve", "waiting", "waiting_per_unit"]

_SUB_COLS = ("status", "review_reason", "reviewed_by", "reviewed_at")
_FILE_COLS = ("status", "review_reason")


@dataclass(frozen=True)
class Target:
    """What to approve: a unit's item (unit_id None: every unit's; indicator None: every item),
    in the periods named, or in a year, or — neither — every waiting period and file."""

    unit_id: int | None
    indicator: str | None
    periods: tuple[str, ...] = ()  # "" among them: files sent for no period
    year: int | None = None
    kinds: tuple[str, ...] = ()  # submission kinds and/or "file"; () = all


@dataclass
class Approval:
    """What one batch approved: its act's 编号, and per unit, per indicator, the periods
    (files sent for no period count under "")."""

    act_id: int
    records: int
    items: dict[int, dict[str, set[str]]] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)  # records per unit

    def periods(self) -> list[str]:
        return sorted({p for per in self.items.values() for ps in per.values() for p in ps if p})


def _where(t: Target, table: str) -> tuple[str, list[Any]]:
    sql = " WHERE status = 'submitted'" + NOT_FROZEN[table]  # a closed year's are frozen
    args: list[Any] = []
    if t.unit_id is not None:
        sql += " AND unit_id = ?"
        args.append(t.unit_id)
    if t.indicator is not None:
        sql += " AND indicator = ?"
        args.append(t.indicator)
    if t.kinds:
        if table == "evidence" and "file" not in t.kinds:
            return " WHERE 0", []
        named = [k for k in t.kinds if k != "file"]
        if table == "submissions":
            sql += f" AND kind IN ({','.join('?' * len(named)) or 'NULL'})"
            args += named
    named_periods = [p for p in t.periods if p]
    if t.periods:
        sql += f" AND (period IN ({','.join('?' * len(named_periods)) or 'NULL'})"
        sql += " OR period IS NULL OR period = '')" if "" in t.periods else ")"
        args += named_periods
    elif t.year is not None:
        sql += " AND (period LIKE ?" + (" OR (period IS NULL AND year = ?))" if table == "evidence"
                                         else ")")
        args += [f"{t.year}%"] + ([t.year] if table == "evidence" else [])
    return sql, args


def waiting(db: sqlite_utils.Database, targets: list[Target]) -> dict[str, dict[int, dict[str, Any]]]:
    """The waiting rows the targets name, per table and id: unit_id, indicator, period and the
    review columns (what an undo restores)."""
    out: dict[str, dict[int, dict[str, Any]]] = {"submissions": {}, "evidence": {}}
    for table, cols in (("submissions", _SUB_COLS), ("evidence", _FILE_COLS)):
        for t in targets:
            where, args = _where(t, table)
            for r in db.query(f"SELECT id, unit_id, indicator, period, {', '.join(cols)} "
                              f"FROM {table}{where}", args):
                out[table][r["id"]] = dict(r)
    return out


def approve(db: sqlite_utils.Database, targets: list[Target], *, reviewer_id: int | None,
            now: datetime, actor: str, summary: str) -> Approval:
    """Approve every waiting record the targets name, all or nothing, as one act. Raises
    LedgerError when nothing waits (or a closed year is named)."""
    with immediate(db):
        for t in targets:  # naming a closed year is refused, not answered with "nothing waits"
            for year in [t.year, *(p[:4] for p in t.periods if p)]:
                refuse_closed(db, year)
        rows = waiting(db, targets)
        if not rows["submissions"] and not rows["evidence"]:
            raise LedgerError("所选范围内没有待审核的报送或材料。")
        at = now_iso(now)
        changes: dict[str, Any] = {}
        result = Approval(0, 0)
        for table, cols in (("submissions", _SUB_COLS), ("evidence", _FILE_COLS)):
            after_of = {"status": "accepted", "review_reason": "", "reviewed_by": reviewer_id,
                        "reviewed_at": at}
            diff = {}
            for row_id, r in rows[table].items():
                before = {c: r[c] for c in cols}
                after = {c: after_of[c] for c in cols}
                db.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in cols)} "
                           "WHERE id = ?", [after[c] for c in cols] + [row_id])
                diff[str(row_id)] = {"before": before, "after": after}
                result.items.setdefault(r["unit_id"], {}).setdefault(
                    r["indicator"], set()).add(r["period"] or "")
                result.counts[r["unit_id"]] = result.counts.get(r["unit_id"], 0) + 1
            if diff:
                changes[table] = diff
        result.records = len(rows["submissions"]) + len(rows["evidence"])
        units = sorted(result.items)
        changes["units"] = units  # whose liaisons hear of an undo
        result.act_id = acts.record(db, "审核", units[0] if len(units) == 1 else None,
                                    reviewer_id, summary, changes, now, actor)
        audit.log(db, now, actor, "review.accepted", "batch", act=result.act_id,
                  submissions=len(rows["submissions"]), files=len(rows["evidence"]),
                  units=len(units))
        return result


def waiting_per_unit(db: sqlite_utils.Database) -> dict[int, int]:
    """Per unit, how many of its items (indicators) have a record or file waiting for review,
    in open years (a closed year's are frozen: never reviewed, so never waiting)."""
    live = "(SELECT year FROM office_years WHERE status = 'open')"
    return dict(db.execute(
        "SELECT unit_id, count(DISTINCT indicator) FROM ("
        "SELECT unit_id, indicator FROM submissions WHERE status = 'submitted' "
        f"AND CAST(substr(period, 1, 4) AS INTEGER) IN {live} UNION "
        "SELECT unit_id, indicator FROM evidence WHERE status = 'submitted' "
        f"AND COALESCE(year, (SELECT MIN(year) FROM office_years)) IN {live}) GROUP BY unit_id"
    ).fetchall())
