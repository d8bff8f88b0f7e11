"""Submissions (data, monthly briefings, 台账), evidence files, reviews and staff adjustments.

Nothing is deleted: a new submission for the same unit/indicator/period marks the older one
`superseded`; a withdrawal marks it `withdrawn`; both stay readable with their history.
"""
from __future__ import annotations

import hashlib
import mimetypes
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ledger import audit
from ledger.db import LedgerError, dumps, immediate, inserted_id, loads, now_iso
from ledger.filenames import clean_file_name
from ledger.files import stored_name
from ledger.labels import RECORD_STATUS_ZH
from worktime.period import Period

__all__ = ["awaiting_review", "Submission", "record_submission", "keeps_on_time", "withdraw", "review_latest", "list_submissions",
           "latest_by_indicator", "store_evidence", "list_evidence", "add_adjustment",
           "list_adjustments", "reported_periods", "year_records", "year_filings", "standing_rejections",
           "get_evidence", "has_standing", "standing_figures", "has_standing_files",
           "latest_period", "accept_as_entered", "live_receipts", "live_evidence_receipts",
           "report_filings", "keep_sent", "MAX_FILE_BYTES", "ALLOWED_TYPES"]

MAX_FILE_BYTES = 20 * 1024 * 1024
ALLOWED_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".ofd", ".jpg", ".jpeg",
                 ".png", ".gif", ".bmp", ".webp", ".zip", ".rar", ".7z", ".txt", ".csv", ".ppt",
                 ".pptx"}
LIVE = ("submitted", "accepted", "rejected")
# Programs renamed to .pdf/.jpg: Windows PE, ELF, Mach-O, scripts.
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe",
                     b"\xca\xfe\xba\xbe", b"#!")


@dataclass(frozen=True)
class Submission:
    id: int
    unit_id: int
    indicator: str
    period: str
    kind: str
    metrics: dict[str, Any]
    text: str
    received_at: str
    deadline: str | None
    on_time: bool | None
    status: str
    channel: str
    source_msg_id: str | None
    review_reason: str | None = None
    member_id: int | None = None
    # the message(s) it came from, verbatim; after the first, answers to a follow-up question
    sent: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "unit_id": self.unit_id, "indicator": self.indicator,
                "period": self.period, "kind": self.kind, "metrics": self.metrics,
                "text": self.text, "received_at": self.received_at, "deadline": self.deadline,
                "on_time": self.on_time, "status": self.status, "channel": self.channel,
                "source_msg_id": self.source_msg_id, "review_reason": self.review_reason}


def _sub(row: dict) -> Submission:
    return Submission(row["id"], row["unit_id"], row["indicator"], row["period"], row["kind"],
                      loads(row["metrics"], {}), row["text"], row["received_at"], row["deadline"],
                      None if row["on_time"] is None else bool(row["on_time"]), row["status"],
                      row["channel"], row["source_msg_id"], row["review_reason"], row["member_id"],
                      tuple(loads(row.get("sent"), [])))


def keep_sent(db: sqlite_utils.Database, channel: str, source_msg_id: str | None,
              sent: list[str]) -> None:
    """Keep the message(s) a record came from, as sent (its text is what the command read:
    without the command word, with a month the follow-up answer supplied). Writes only when
    this message recorded something, so a question stays read-only."""
    if not source_msg_id or not sent:
        return
    if db.execute("SELECT 1 FROM submissions WHERE channel = ? AND source_msg_id = ? "
                  "AND sent IS NULL", [channel, source_msg_id]).fetchone():
        db.execute("UPDATE submissions SET sent = ? WHERE channel = ? AND source_msg_id = ? "
                   "AND sent IS NULL", [dumps(sent), channel, source_msg_id])


def record_submission(db: sqlite_utils.Database, *, unit_id: int, indicator: str, period: str,
                      kind: str, metrics: dict[str, Any], text: str, now: datetime,
                      member_id: int | None, channel: str, source_msg_id: str | None,
                      deadline: str | None = None, on_time: bool | None = None,
                      actor: str = "") -> Submission:
    """Record one submission; the previous live one for the same unit/indicator/period/kind
    becomes `superseded` (metrics merge: new values win, untouched ones carry over)."""
    with immediate(db):
        if source_msg_id and (same := list(db.query(
                "SELECT * FROM submissions WHERE channel = ? AND source_msg_id = ?",
                [channel, source_msg_id]))):
            return _sub(same[0])  # this message was recorded already: once is enough
        refuse_closed(db, Period.from_label(period).year)
        prev = list(db.query(
            "SELECT * FROM submissions WHERE unit_id = ? AND indicator = ? AND period = ? "
            "AND kind = ? AND status IN ('submitted', 'accepted', 'rejected') ORDER BY id DESC",
            [unit_id, indicator, period, kind]))
        merged = {}
        if prev and kind == "data":
            merged.update(loads(prev[0]["metrics"], {}))
        merged.update(metrics)
        for p in prev:
            db.execute("UPDATE submissions SET status = 'superseded' WHERE id = ?", [p["id"]])
        cur = db.execute(
            "INSERT INTO submissions(unit_id, indicator, period, kind, metrics, text, received_at,"
            " deadline, on_time, member_id, channel, source_msg_id, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted')",
            [unit_id, indicator, period, kind, dumps(merged), text, now_iso(now), deadline,
             None if on_time is None else int(on_time), member_id, channel, source_msg_id])
        audit.log(db, now, actor or str(member_id), "submission.add", f"{unit_id}/{indicator}",
                  id=cur.lastrowid, period=period, kind=kind, metrics=metrics,
                  superseded=[p["id"] for p in prev])
        return _sub(list(db.query("SELECT * FROM submissions WHERE id = ?", [cur.lastrowid]))[0])


def get(db: sqlite_utils.Database, sub_id: int) -> Submission:
    rows = list(db.query("SELECT * FROM submissions WHERE id = ?", [sub_id]))
    if not rows:
        raise LedgerError(f"没有编号为 {sub_id} 的记录")
    return _sub(rows[0])


def withdraw(db: sqlite_utils.Database, sub_id: int, unit_id: int | None, now: datetime,
             actor: str) -> Submission:
    """Withdraw a live submission (the unit's own unless unit_id is None for staff); the most
    recent superseded one for the same item comes back to life, so a withdrawal undoes."""
    with immediate(db):
        sub = get(db, sub_id)
        if unit_id is not None and sub.unit_id != unit_id:
            raise LedgerError(f"编号 {sub_id} 不是本单位的记录")
        refuse_closed(db, Period.from_label(sub.period).year)
        if sub.status not in LIVE:
            raise LedgerError(f"编号 {sub_id} 的记录已是「{RECORD_STATUS_ZH[sub.status]}」状态，无法撤回")
        db.execute("UPDATE submissions SET status = 'withdrawn' WHERE id = ?", [sub_id])
        prev = db.execute(
            "SELECT id FROM submissions WHERE unit_id = ? AND indicator = ? AND period = ? "
            "AND kind = ? AND status = 'superseded' AND id < ? ORDER BY id DESC LIMIT 1",
            [sub.unit_id, sub.indicator, sub.period, sub.kind, sub_id]).fetchone()
        if prev:
            db.execute("UPDATE submissions SET status = 'submitted' WHERE id = ?", [prev[0]])
        audit.log(db, now, actor, "submission.withdraw", f"{sub.unit_id}/{sub.indicator}",
                  id=sub_id, restored=prev[0] if prev else None)
        return get(db, sub_id)


def review_latest(db: sqlite_utils.Database, unit_id: int, indicator: str, accept: bool,
                  reason: str, reviewer_id: int, now: datetime, actor: str,
                  period: str | None = None) -> int:
    """Accept or reject the live submissions and evidence of a unit's indicator.
    Returns how many records were reviewed; raises when there is nothing to review."""
    status = "accepted" if accept else "rejected"
    with immediate(db):
        if period:
            refuse_closed(db, Period.from_label(period).year)
        only = " AND period = ?" if period else ""
        live = " AND status IN ('submitted', 'accepted', 'rejected')"
        subs = db.execute(
            "UPDATE submissions SET status = ?, review_reason = ?, reviewed_by = ?, "
            f"reviewed_at = ? WHERE unit_id = ? AND indicator = ?{live}{only}"
            + NOT_FROZEN["submissions"],
            [status, reason, reviewer_id, now_iso(now), unit_id, indicator]
            + ([period] if period else [])).rowcount
        # a period's review takes the files sent for that period (older files name none)
        files = db.execute(
            "UPDATE evidence SET status = ?, review_reason = ? WHERE unit_id = ? AND "
            f"indicator = ?{live}{only}" + NOT_FROZEN["evidence"],
            [status, reason, unit_id, indicator] + ([period] if period else [])).rowcount
        if subs + files == 0:
            frozen = db.execute(
                f"SELECT 1 FROM submissions WHERE unit_id = ? AND indicator = ?{live} UNION ALL "
                f"SELECT 1 FROM evidence WHERE unit_id = ? AND indicator = ?{live}",
                [unit_id, indicator, unit_id, indicator]).fetchone()
            raise LedgerError("该单位此项在开启的年度里没有报送的数据或材料；已关闭年度的记录已定稿，"
                              "不能再审核" if frozen else "该单位此项还没有报送任何数据或材料，无需审核")
        audit.log(db, now, actor, f"review.{status}", f"{unit_id}/{indicator}", reason=reason,
                  submissions=subs, files=files)
        return subs + files


def keeps_on_time(db: sqlite_utils.Database, cal: Any, unit_id: int, indicator: str,
                  period: str, kind: str, today: date, grace_workdays: int) -> bool:
    """A correction after the deadline keeps the original's on-time receipt: while the original
    stands, or within `grace_workdays` workdays of the office rejecting it (`cal`: the
    WorkCalendar)."""
    for status, reviewed_at in db.execute(
            "SELECT status, reviewed_at FROM submissions WHERE unit_id = ? AND indicator = ? "
            "AND period = ? AND kind = ? AND on_time = 1 AND status IN "
            "('submitted', 'accepted', 'rejected')", [unit_id, indicator, period, kind]).fetchall():
        if status != "rejected":
            return True
        if reviewed_at and today <= cal.add_workdays(date.fromisoformat(reviewed_at[:10]),
                                                     grace_workdays):
            return True
    return False


def list_submissions(db: sqlite_utils.Database, unit_id: int | None = None,
                     statuses: tuple[str, ...] | None = None, kind: str | None = None,
                     limit: int | None = None) -> list[Submission]:
    sql = "SELECT * FROM submissions WHERE 1 = 1"
    args: list[Any] = []
    if unit_id is not None:
        sql += " AND unit_id = ?"
        args.append(unit_id)
    if statuses:
        sql += f" AND status IN ({','.join('?' * len(statuses))})"
        args += list(statuses)
    if kind:
        sql += " AND kind = ?"
        args.append(kind)
    sql += " ORDER BY id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [_sub(r) for r in db.query(sql, args)]


def latest_by_indicator(db: sqlite_utils.Database, year: int, indicator: str | None = None,
                        unit_ids: set[int] | None = None) -> dict[int, dict[str, list[Submission]]]:
    """Live submissions of the assessment year, per unit and indicator, newest first."""
    out: dict[int, dict[str, list[Submission]]] = {}
    where = ""
    args: list[Any] = [f"{year}%"]
    if indicator is not None:
        where += " AND indicator = ?"
        args.append(indicator)
    if unit_ids is not None:
        where += f" AND unit_id IN ({','.join('?' * len(unit_ids)) or 'NULL'})"
        args += sorted(unit_ids)
    for row in db.query(
            "SELECT * FROM submissions WHERE status IN ('submitted', 'accepted', 'rejected') "
            f"AND period LIKE ?{where} ORDER BY id DESC", args):
        s = _sub(row)
        out.setdefault(s.unit_id, {}).setdefault(s.indicator, []).append(s)
    return out


def store_evidence(db: sqlite_utils.Database, data_dir: str | Path, *, unit_id: int,
                   indicator: str, content: bytes, original_name: str, content_type: str,
                   now: datetime, member_id: int | None, channel: str,
                   source_msg_id: str | None, actor: str = "", year: int | None = None,
                   period: str | None = None) -> dict[str, Any]:
    """Store a file under data_dir by sha256 (the same file twice is stored once). The name is
    cleaned here, where every channel's files arrive (see ledger.filenames)."""
    original_name = clean_file_name(original_name, "")
    suffix = Path(original_name).suffix.lower() or (mimetypes.guess_extension(content_type) or "")
    if len(content) == 0:
        raise LedgerError("文件是空的，请重新发送")
    if len(content) > MAX_FILE_BYTES:
        raise LedgerError(f"文件过大（{len(content) // 1024 // 1024} MB），单个文件不能超过 "
                          f"{MAX_FILE_BYTES // 1024 // 1024} MB，请压缩或拆分后再发")
    if suffix not in ALLOWED_TYPES:
        raise LedgerError(f"不支持的文件类型「{suffix or '未知'}」，请发送 PDF、Word、Excel、图片或压缩包")
    if content.startswith(_EXECUTABLE_MAGIC):
        raise LedgerError(f"「{original_name}」实际是可执行程序，不能作为佐证材料")
    digest = hashlib.sha256(content).hexdigest()
    folder = Path(data_dir) / "evidence" / digest[:2]
    path = folder / f"{digest}{suffix}"
    if not path.exists():
        _write_file(path, content)
    with immediate(db):
        refuse_closed(db, year)
        if source_msg_id and db.execute(
                "SELECT 1 FROM evidence WHERE channel = ? AND source_msg_id = ? AND sha256 = ?",
                [channel, source_msg_id, digest]).fetchone():
            row = list(db.query("SELECT * FROM evidence WHERE channel = ? AND source_msg_id = ? "
                                "AND sha256 = ?", [channel, source_msg_id, digest]))[0]
            return dict(row)
        cur = db.execute(
            "INSERT INTO evidence(unit_id, indicator, sha256, path, original_name, size, "
            "content_type, received_at, member_id, channel, source_msg_id, year, period) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [unit_id, indicator, digest, stored_name(data_dir, path), original_name or path.name, len(content),
             content_type, now_iso(now), member_id, channel, source_msg_id, year, period])
        audit.log(db, now, actor or str(member_id), "evidence.add", f"{unit_id}/{indicator}",
                  id=cur.lastrowid, sha256=digest, name=original_name, size=len(content))
        return dict(list(db.query("SELECT * FROM evidence WHERE id = ?", [cur.lastrowid]))[0])


def _write_file(path: Path, content: bytes) -> None:
    """Write via a .part file; on any OS error (disk full, quota) remove it and say so."""
    tmp = path.with_suffix(path.suffix + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())  # the row that points here is committed with synchronous=FULL
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LedgerError("服务器存储空间不足或无法写入，文件未保存，请稍后再发并告知信用办"
                          ) from exc


def refuse_closed(db: sqlite_utils.Database, year: int | str | None) -> None:
    """A closed year is frozen: its results are final."""
    if year and str(year).isdigit() and db.execute(
            "SELECT 1 FROM office_years WHERE year = ? AND status = 'closed'",
            [int(year)]).fetchone():
        raise LedgerError(f"{year} 考核年度已关闭，结果已定稿，不能再报送、审核或修改。")


# A closed year's rows are frozen: never reviewed, so never waiting (待审) nor reviewable.
# Evidence counts by its year (rows from before years existed: the office's first year).
CLOSED_YEARS = "(SELECT year FROM office_years WHERE status = 'closed')"
NOT_FROZEN = {"submissions": " AND CAST(substr(period, 1, 4) AS INTEGER) NOT IN " + CLOSED_YEARS,
              "evidence": " AND COALESCE(year, (SELECT MIN(year) FROM office_years)) NOT IN "
                          + CLOSED_YEARS}

# Rows from before years existed (year NULL) belong to the office's first year.
_OF_YEAR = " AND (year = ? OR (year IS NULL AND ? = (SELECT MIN(year) FROM office_years)))"


def _of(sql: str, unit_id: int | None, year: int | None) -> tuple[str, list[Any]]:
    """`sql` (ending in a WHERE clause) narrowed to one unit and one year, when given."""
    args: list[Any] = []
    if unit_id is not None:
        sql += " AND unit_id = ?"
        args.append(unit_id)
    if year is not None:
        sql += _OF_YEAR
        args += [year, year]
    return sql, args


def list_evidence(db: sqlite_utils.Database, unit_id: int | None = None,
                  year: int | None = None) -> list[dict[str, Any]]:
    sql, args = _of("SELECT * FROM evidence WHERE 1 = 1", unit_id, year)
    return [dict(r) for r in db.query(sql + " ORDER BY id DESC", args)]


def awaiting_review(db: sqlite_utils.Database, unit_id: int | None = None,
                    year: int | None = None) -> tuple[list[Submission], list[dict[str, Any]]]:
    """Submissions and files waiting for review (待审), of open years only (or of `year`): a
    closed year's are frozen — review is refused for them, so they are not offered."""
    rows = db.execute("SELECT year, status FROM office_years").fetchall()
    live = {int(y) for y, st in rows if st == "open"} if year is None else {year}
    first = min((int(y) for y, _ in rows), default=None)
    found = [s for s in list_submissions(db, unit_id, statuses=("submitted",))
             if Period.from_label(s.period).year in live]
    files = [e for e in list_evidence(db, unit_id) if e["status"] == "submitted"
             and (e["year"] if e["year"] is not None else first) in live]
    return found, files


def add_adjustment(db: sqlite_utils.Database, *, unit_id: int, kind: str, indicator: str | None,
                   value: Any, reason: str, member_id: int | None, now: datetime,
                   actor: str, year: int | None = None) -> int:
    """Staff entries: 酌情计分 (points), 扣分情形 counts (deduction), downgrade events (event).
    A new 酌情计分 for the same unit/indicator replaces the previous one (kept, withdrawn);
    deductions and events add up, one row per case."""
    with immediate(db):
        refuse_closed(db, year)
        if kind == "points":
            metric = value.get("metric") if isinstance(value, dict) else None
            db.execute("UPDATE adjustments SET status = 'withdrawn' WHERE unit_id = ? AND kind = ? "
                       "AND indicator IS ? AND status = 'active' "
                       "AND json_extract(value, '$.metric') IS ? AND year IS ?",
                       [unit_id, kind, indicator, metric, year])
        cur = db.execute(
            "INSERT INTO adjustments(unit_id, kind, indicator, value, reason, member_id, "
            "created_at, year) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [unit_id, kind, indicator, dumps(value), reason, member_id, now_iso(now), year])
        audit.log(db, now, actor, f"adjust.{kind}", f"{unit_id}/{indicator or ''}", value=value,
                  reason=reason)
        return inserted_id(cur)


def list_adjustments(db: sqlite_utils.Database, unit_id: int | None = None,
                     year: int | None = None) -> list[dict[str, Any]]:
    sql, args = _of("SELECT * FROM adjustments WHERE status = 'active'", unit_id, year)
    rows = [dict(r) for r in db.query(sql + " ORDER BY id", args)]
    for r in rows:
        r["value"] = loads(r["value"])
    return rows


def reported_periods(db: sqlite_utils.Database, year: int) -> set[tuple[int, str, str]]:
    """(unit, indicator, period) of the year's briefings and 台账 reports that stand (waiting
    or approved): the periods a grid of 月报/季度台账 shows as in."""
    return {(u, c, p) for u, c, p in db.execute(
        "SELECT unit_id, indicator, period FROM submissions WHERE period LIKE ? AND kind IN "
        "('briefing', 'report') AND status IN ('submitted', 'accepted')", [f"{year}%"]).fetchall()}


def year_filings(db: sqlite_utils.Database, year: int) -> list[tuple[int, str, str, str, bool | None, str]]:
    """(unit, indicator, period, kind, on_time, received_at) of every standing record of the
    year (waiting, approved or rejected: sent, as 未交 counts), oldest first: who filed what
    for each deadline."""
    return [(u, c, p, k, None if t is None else bool(t), r) for u, c, p, k, t, r in db.execute(
        "SELECT unit_id, indicator, period, kind, on_time, received_at FROM submissions "
        "WHERE period LIKE ? AND status IN ('submitted', 'accepted', 'rejected') ORDER BY id",
        [f"{year}%"]).fetchall()]


def standing_rejections(db: sqlite_utils.Database, unit_id: int, year: int) -> list[dict[str, Any]]:
    """What the office rejected of a unit's year and the unit has not sent again: per
    indicator and period, the reason, when it was rejected (Beijing ISO time), whether the
    rejected record was on time (a correction in the grace period keeps that), and what was
    rejected (records by kind, file names). Oldest rejection first."""
    out: dict[tuple[str, str], dict[str, Any]] = {}

    def slot(code: str, period: str | None) -> dict[str, Any]:
        return out.setdefault((code, period or ""), {
            "indicator": code, "period": period or "", "reason": "", "rejected_at": "",
            "on_time": False, "kinds": [], "files": []})
    for code, period, kind, reason, at, on_time in db.execute(
            "SELECT indicator, period, kind, review_reason, reviewed_at, on_time FROM submissions "
            "WHERE unit_id = ? AND period LIKE ? AND status = 'rejected' ORDER BY id",
            [unit_id, f"{year}%"]).fetchall():
        row = slot(code, period)
        row["reason"], row["rejected_at"] = reason or row["reason"], max(at or "", row["rejected_at"])
        row["on_time"] = row["on_time"] or bool(on_time)
        row["kinds"].append(kind)
    # A rejected file stands until a newer file of the same item and period is in.
    for file_id, code, period, name, reason in db.execute(
            "SELECT e.id, e.indicator, e.period, e.original_name, e.review_reason FROM evidence e "
            "WHERE e.unit_id = ? AND e.status = 'rejected' AND (e.year = ? OR e.year IS NULL) "
            "AND NOT EXISTS (SELECT 1 FROM evidence n WHERE n.unit_id = e.unit_id AND "
            "n.indicator = e.indicator AND n.period IS e.period AND n.id > e.id AND "
            "n.status IN ('submitted', 'accepted')) ORDER BY e.id", [unit_id, year]).fetchall():
        row = slot(code, period)
        row["reason"] = row["reason"] or reason or ""
        row["files"].append(name)
    for row in out.values():  # files carry no review time: the audit log has it
        if not row["rejected_at"]:
            got = db.execute("SELECT max(at) FROM audit WHERE action = 'review.rejected' AND "
                             "target = ?", [f"{unit_id}/{row['indicator']}"]).fetchone()[0]
            row["rejected_at"] = got or ""
    return sorted(out.values(), key=lambda r: (r["rejected_at"], r["indicator"], r["period"]))


def year_records(db: sqlite_utils.Database, year: int) -> list[Submission]:
    """The year's submissions that are or were live (a replaced value was live until it was
    replaced), newest first: what a total as the ledger stood on a past day is made of."""
    return [_sub(r) for r in db.query(
        "SELECT * FROM submissions WHERE period LIKE ? AND status IN "
        "('submitted', 'accepted', 'rejected', 'superseded') ORDER BY id DESC", [f"{year}%"])]


def get_evidence(db: sqlite_utils.Database, file_id: int) -> dict[str, Any] | None:
    """One evidence file's row, or None."""
    rows = list(db.query("SELECT * FROM evidence WHERE id = ?", [file_id]))
    return dict(rows[0]) if rows else None


def has_standing(db: sqlite_utils.Database, unit_id: int, indicator: str, period: str,
                 kind: str) -> bool:
    """Whether a submission of this kind (a 月报, a 台账) stands for the period: waiting or
    approved."""
    return db.execute(
        "SELECT 1 FROM submissions WHERE unit_id = ? AND indicator = ? AND period = ? "
        "AND kind = ? AND status IN ('submitted', 'accepted')",
        [unit_id, indicator, period, kind]).fetchone() is not None


def standing_figures(db: sqlite_utils.Database, unit_id: int, indicator: str,
                     period: str) -> set[str]:
    """The names of the figures a unit's waiting or approved data holds for a period (what a
    January 报送 of a yearly item would only repeat for last year)."""
    names: set[str] = set()
    for (metrics,) in db.execute(
            "SELECT metrics FROM submissions WHERE unit_id = ? AND indicator = ? AND period = ? "
            "AND kind = 'data' AND status IN ('submitted', 'accepted')",
            [unit_id, indicator, period]).fetchall():
        names |= {k for k, v in loads(metrics, {}).items() if v is not None}
    return names


def has_standing_files(db: sqlite_utils.Database, unit_id: int, indicator: str,
                       year: int) -> bool:
    """Whether files waiting or approved stand for a unit's item in a year."""
    sql, args = _of("SELECT 1 FROM evidence WHERE indicator = ? AND status IN ('submitted', "
                    "'accepted')", unit_id, year)
    return db.execute(sql + " LIMIT 1", [indicator, *args]).fetchone() is not None


def latest_period(db: sqlite_utils.Database, unit_id: int, indicator: str) -> str | None:
    """The period of the unit's latest live submission on an indicator."""
    row = db.execute(
        f"SELECT period FROM submissions WHERE unit_id = ? AND indicator = ? AND status IN "
        f"({', '.join('?' * len(LIVE))}) ORDER BY id DESC LIMIT 1",
        [unit_id, indicator, *LIVE]).fetchone()
    return row[0] if row else None


def accept_as_entered(db: sqlite_utils.Database, sub_id: int, member_id: int,
                      now: datetime) -> None:
    """Figures the office enters are its own: they count as reviewed."""
    db.execute("UPDATE submissions SET status = 'accepted', review_reason = '信用办代报', "
               "reviewed_by = ?, reviewed_at = ? WHERE id = ?", [member_id, now_iso(now), sub_id])


def live_receipts(db: sqlite_utils.Database) -> list[tuple[int, str, str, str, str]]:
    """(unit, indicator, period, kind, received_at) of every live submission."""
    return db.execute(
        f"SELECT unit_id, indicator, period, kind, received_at FROM submissions "
        f"WHERE status IN ({', '.join('?' * len(LIVE))})", list(LIVE)).fetchall()


def live_evidence_receipts(db: sqlite_utils.Database) -> list[tuple[int, str, str]]:
    """(unit, indicator, received_at) of every live evidence file."""
    return db.execute(
        f"SELECT unit_id, indicator, received_at FROM evidence "
        f"WHERE status IN ({', '.join('?' * len(LIVE))})", list(LIVE)).fetchall()


def report_filings(db: sqlite_utils.Database, indicator: str, period: str,
                   kinds: tuple[str, ...]) -> dict[int, list[tuple[str, bool, str]]]:
    """Per unit, the reports sent for one item's period that are or were live (waiting,
    approved, turned back), oldest first: (status, on time, received at). What a 通报 says of
    who sent it on time, late or not at all."""
    out: dict[int, list[tuple[str, bool, str]]] = {}
    for unit_id, status, on_time, received in db.execute(
            f"SELECT unit_id, status, on_time, received_at FROM submissions WHERE indicator = ? "
            f"AND period = ? AND kind IN ({','.join('?' * len(kinds))}) "
            "AND status IN ('submitted', 'accepted', 'rejected') ORDER BY id",
            [indicator, period, *kinds]).fetchall():
        out.setdefault(unit_id, []).append((status, bool(on_time), received))
    return out
