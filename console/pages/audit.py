"""审计: the audit log in Chinese, newest first, a page at a time, filtered by who, unit, action
and dates; the filtered rows as an Excel workbook (words and the log's own codes side by side)."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, request, send_file

from authoring.sheet_cell import put
from console import web
from console.audit_words import ACTION_GROUPS, Names, actor_name, describe
from ledger import audit as audit_log_
from ledger.db import LedgerError
from ledger.units import Unit, find_unit, list_members

__all__ = ["bp", "PAGE"]

bp = Blueprint("audit", __name__)

PAGE = 50  # rows per page


@dataclass
class Filters:
    query: audit_log_.AuditQuery
    args: dict[str, str]  # as the form sent them (to keep in links and in the export)
    unit: Unit | None
    problems: list[str]


def _date(text: str, label: str, problems: list[str]) -> str | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        problems.append(f"{label}「{text}」不是日期，请写成 2022-09-01；此条件未使用。")
        return None


def _filters() -> Filters:
    """The filters from the query; one that cannot be read is named, and left out."""
    v = request.args
    problems: list[str] = []
    who = " ".join(v.get("who", "").split())
    unit_text = " ".join(v.get("unit", "").split())
    unit = None
    if unit_text:
        try:
            unit = find_unit(web.db(), unit_text, loose=False)
        except LedgerError as exc:
            problems.append(f"{exc}（单位条件未使用）")
    group = v.get("action", "")
    actions = ACTION_GROUPS[group][1] if group in ACTION_GROUPS else ()
    since, until = _date(v.get("from", ""), "起始日期", problems), _date(v.get("to", ""), "截止日期", problems)
    users = tuple(m.user_id for m in list_members(web.db(), unit.id)) if unit else ()
    query = audit_log_.AuditQuery(who or None, actions, (unit.id, unit.name, users) if unit else None,
                                  since, until)
    args = {k: x for k, x in (("who", who), ("unit", unit.name if unit else unit_text),
                              ("action", group if actions else ""), ("from", since or ""),
                              ("to", until or "")) if x}
    return Filters(query, args, unit, problems)


def _names(d: Any) -> Names:
    return Names({u.id: u for u in d.all_units()}, list_members(web.db(), include_ended=True),
                 d.offices)


@bp.get("/audit")
@web.staff_only
def audit_log(session: Any) -> Any:
    d = web.desk(session)
    f = _filters()
    total = audit_log_.search(web.db(), f.query, limit=0)[1]
    pages = max(1, -(-total // PAGE))
    page_no = min(max(web.arg_int("page") or 1, 1), pages)
    rows, _ = audit_log_.search(web.db(), f.query, offset=(page_no - 1) * PAGE, limit=PAGE)
    names = _names(d)
    people = []  # the 操作人 choices: each name once, as people are known
    for actor in audit_log_.actors(web.db()):
        name = actor_name(actor, names)[0]
        if name not in people:
            people.append(name)
    return web.page("audit.html", session, lines=[describe(r, names) for r in rows], total=total,
                    page_no=page_no, pages=pages, first=(page_no - 1) * PAGE + 1, f=f,
                    groups=ACTION_GROUPS, people=people, units=d.all_units())


@bp.get("/audit.xlsx")
@web.staff_only
def audit_export(session: Any) -> Any:
    """Every row the filters select, oldest first: the words of the page and the log's codes."""
    from openpyxl import Workbook  # here, not at start: a ~0.2 s import few requests need
    from openpyxl.styles import Font
    d = web.desk(session)
    f = _filters()
    rows, _ = audit_log_.search(web.db(), f.query, limit=None)
    names = _names(d)
    wb = Workbook()
    ws = wb.active
    ws.title = "审计日志"
    head = ["编号", "时间", "操作人", "用户ID", "操作", "对象", "详情", "操作代码", "对象代码", "原始详情"]
    for c, h in enumerate(head, start=1):
        put(ws, 1, c, h).font = Font(bold=True)
    for n, r in enumerate(reversed(rows), start=2):
        line = describe(r, names)
        for c, value in enumerate([line.id, line.at, line.actor, line.actor_id, line.action,
                                   line.target, line.detail, r["action"], r["target"],
                                   json.dumps(r["detail"], ensure_ascii=False, sort_keys=True)],
                                  start=1):
            put(ws, n, c, value)
    for col, width in zip("ABCDEFGHIJ", (8, 17, 10, 12, 16, 30, 60, 18, 12, 60)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    stamp = web.chat().clock().strftime("%Y%m%d")
    return send_file(buf, as_attachment=True, download_name=f"审计日志-{stamp}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
