"""Staff acts (代报, 确认, 打分, 扣分, 重大失信事件, 审核, 绑定), each with a 编号 that `撤销` undoes.

An act is recorded by watching what it changed: `recording()` snapshots the unit's submissions,
evidence and adjustments (and a member binding) before the act and diffs them after. Undo puts
every changed row back and withdraws every row the act added, but only rows still as the act
left them: whatever happened later (a liaison's new submission, another review) is kept, and
the reply says what could not be put back. Nothing is deleted; the audit log has both.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator

import sqlite_utils

from ledger import audit
from ledger.db import LedgerError, dumps, immediate, inserted_id, loads, now_iso

__all__ = ["Act", "Recording", "recording", "record", "get_act", "undo_act", "list_acts",
           "acts_of_member", "latest_act_id", "KINDS"]

KINDS = ("代报", "确认", "打分", "扣分", "事件", "审核", "绑定", "导入")

# What a row's state is for each watched table; new rows are undone by the status shown.
_WATCHED = {
    "submissions": ("status, review_reason, reviewed_by, reviewed_at", "withdrawn"),
    "evidence": ("status, review_reason", "withdrawn"),
    "adjustments": ("status", "withdrawn"),
}
_LIVE_MEMBER = "user_id, channel, name, role, unit_id, active"


@dataclass(frozen=True)
class Act:
    id: int
    kind: str
    unit_id: int | None
    member_id: int | None
    summary: str
    changes: dict[str, Any]
    created_at: str
    undone_at: str | None
    undone_by: str | None


def _act(row: dict) -> Act:
    return Act(row["id"], row["kind"], row["unit_id"], row["member_id"], row["summary"],
               loads(row["changes"], {}), row["created_at"], row["undone_at"], row["undone_by"])


def _rows(db: sqlite_utils.Database, table: str, unit_ids: list[int]) -> dict[int, dict[str, Any]]:
    cols = _WATCHED[table][0]
    marks = ",".join("?" * len(unit_ids))
    return {r["id"]: {k: r[k] for k in r if k != "id"}
            for r in db.query(f"SELECT id, {cols} FROM {table} WHERE unit_id IN ({marks})",
                              unit_ids)}


def _member_row(db: sqlite_utils.Database, user_id: str, channel: str) -> dict | None:
    rows = list(db.query(f"SELECT {_LIVE_MEMBER} FROM members WHERE user_id = ? AND channel = ?",
                         [user_id, channel]))
    return rows[0] if rows else None


@dataclass
class Recording:
    """Filled in by `recording()`: the act's 编号 once the block has run."""

    id: int | None = None
    summary: str = ""
    kind: str = ""  # may be narrowed inside the block (a 扣分 that was a 重大失信事件)
    watch_member: tuple[str, str] | None = None
    _member_before: dict | None = field(default=None, repr=False)


@contextlib.contextmanager
def recording(db: sqlite_utils.Database, kind: str, unit_id: int | None, member_id: int | None,
              now: datetime, actor: str, member: tuple[str, str] | None = None,
              units: list[int] | None = None) -> Iterator[Recording]:
    """Run a staff act inside this block; on leaving it, store what changed as one act.
    `member` (user id, channel) watches a binding as well; `units` (with unit_id None) watches
    several units at once, for a batch (an import sheet) that one 撤销 undoes. Set
    `rec.summary` inside."""
    if kind not in KINDS:
        raise ValueError(kind)
    rec = Recording(watch_member=member, kind=kind)
    watched = [unit_id] if unit_id is not None else sorted(units or [])
    with immediate(db):
        before = {t: _rows(db, t, watched) for t in _WATCHED} if watched else {}
        if member:
            rec._member_before = _member_row(db, *member)
        yield rec
        changes: dict[str, Any] = {}
        for table, rows in before.items():
            after = _rows(db, table, watched)
            diff = {str(i): {"before": rows.get(i), "after": a} for i, a in after.items()
                    if rows.get(i) != a}
            if diff:
                changes[table] = diff
        if units is not None and unit_id is None:
            changes["units"] = sorted(units)  # who was touched, for the notices of an undo
        if member:
            after_m = _member_row(db, *member)
            if after_m != rec._member_before:
                changes["member"] = {"key": list(member), "before": rec._member_before,
                                     "after": after_m}
        rec.id = record(db, rec.kind, unit_id, member_id, rec.summary, changes, now, actor)


def record(db: sqlite_utils.Database, kind: str, unit_id: int | None, member_id: int | None,
           summary: str, changes: dict[str, Any], now: datetime, actor: str) -> int:
    """Store an act whose changes the caller knows (per table, row id → before/after; "units":
    the units it touched, when several). Call inside the act's own transaction."""
    cur = db.execute(
        "INSERT INTO staff_acts(kind, unit_id, member_id, summary, changes, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [kind, unit_id, member_id, summary, dumps(changes), now_iso(now)])
    act_id = inserted_id(cur)
    audit.log(db, now, actor, "act.add", str(unit_id or ""), id=act_id, kind=kind,
              summary=summary)
    return act_id


def get_act(db: sqlite_utils.Database, act_id: int) -> Act:
    rows = list(db.query("SELECT * FROM staff_acts WHERE id = ?", [act_id]))
    if not rows:
        raise LedgerError(f"没有编号为 {act_id} 的信用办记录")
    return _act(rows[0])


def list_acts(db: sqlite_utils.Database, unit_id: int | None = None, limit: int = 20) -> list[Act]:
    sql, args = "SELECT * FROM staff_acts", []
    if unit_id is not None:
        sql += " WHERE unit_id = ?"
        args.append(unit_id)
    return [_act(r) for r in db.query(sql + " ORDER BY id DESC LIMIT ?", args + [limit])]


# The bindings of the person `?` binding belongs to (a person may be bound on both platforms).
_SAME_PERSON = ("member_id IN (SELECT id FROM members WHERE person_id = "
                "(SELECT person_id FROM members WHERE id = ?))")


def _same_person(db: sqlite_utils.Database, author: int | None, member_id: int) -> bool:
    if author is None:
        return False
    row = db.execute(f"SELECT 1 FROM (SELECT ? AS member_id) WHERE {_SAME_PERSON}",
                     [author, member_id]).fetchone()
    return author == member_id or row is not None


def acts_of_member(db: sqlite_utils.Database, member_id: int, limit: int = 10) -> list[Act]:
    """A staff member's own latest records, newest first (the 打分扣分 page's 撤销 list), on
    whichever platform they were made."""
    return [_act(r) for r in db.query(f"SELECT * FROM staff_acts WHERE {_SAME_PERSON} "
                                      "ORDER BY id DESC LIMIT ?", [member_id, limit])]


def latest_act_id(db: sqlite_utils.Database, member_id: int) -> int:
    """The id of the member's newest record (0 if none): a form compares it before and after
    to know whether it recorded something."""
    row = db.execute(f"SELECT max(id) FROM staff_acts WHERE {_SAME_PERSON}", [member_id]).fetchone()
    return row[0] or 0


def undo_act(db: sqlite_utils.Database, act_id: int, now: datetime, actor: str,
             member_id: int | None = None, may_undo_others: bool = True) -> tuple[Act, list[str]]:
    """Undo act `act_id`. Returns the act and what could not be put back (changed since)."""
    with immediate(db):
        act = get_act(db, act_id)
        if act.undone_at:
            raise LedgerError(f"编号 {act_id} 已于 {act.undone_at[:16].replace('T', ' ')} 撤销过")
        # one person's bindings on several platforms are one author (ledger.units)
        if not may_undo_others and member_id is not None and not _same_person(
                db, act.member_id, member_id):
            raise LedgerError(f"编号 {act_id} 是其他工作人员录入的，请本人或管理员撤销")
        kept: list[str] = []
        for table, diff in act.changes.items():
            if table == "units":  # who was touched (a batch over several units), not rows
                continue
            if table == "member":
                kept += _restore_member(db, diff)
                continue
            cols = _WATCHED[table][0].replace(" ", "").split(",")
            for row_id, change in diff.items():
                now_row = _one(db, table, int(row_id), cols)
                if now_row != change["after"]:
                    kept.append(f"{_TABLE_ZH[table]} #{row_id}")
                    continue
                target = change["before"] or {**change["after"], "status": _WATCHED[table][1]}
                sets = ", ".join(f"{c} = ?" for c in cols)
                db.execute(f"UPDATE {table} SET {sets} WHERE id = ?",
                           [target[c] for c in cols] + [int(row_id)])
        db.execute("UPDATE staff_acts SET undone_at = ?, undone_by = ? WHERE id = ?",
                   [now_iso(now), actor, act_id])
        audit.log(db, now, actor, "act.undo", str(act.unit_id or ""), id=act_id, kind=act.kind,
                  summary=act.summary, kept=kept)
        return get_act(db, act_id), kept


_TABLE_ZH = {"submissions": "报送记录", "evidence": "佐证材料", "adjustments": "打分/扣分记录"}


def _one(db: sqlite_utils.Database, table: str, row_id: int, cols: list[str]) -> dict | None:
    rows = list(db.query(f"SELECT {', '.join(cols)} FROM {table} WHERE id = ?", [row_id]))
    return rows[0] if rows else None


def _restore_member(db: sqlite_utils.Database, diff: dict) -> list[str]:
    user_id, channel = diff["key"]
    if _member_row(db, user_id, channel) != diff["after"]:
        return [f"绑定 {user_id}"]
    before = diff["before"]
    if before is None:  # the act created the binding: end it (the row stays for the record)
        db.execute("UPDATE members SET active = 0 WHERE user_id = ? AND channel = ?",
                   [user_id, channel])
    else:
        db.execute("UPDATE members SET name = ?, role = ?, unit_id = ?, active = ? "
                   "WHERE user_id = ? AND channel = ?",
                   [before["name"], before["role"], before["unit_id"], before["active"],
                    user_id, channel])
    return []
