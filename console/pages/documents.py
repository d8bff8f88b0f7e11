"""数据导入 · 通报: the platform's figures for every unit at once (download the sheet, upload it
filled in, see unit: old → new, confirm) and the 通报 to send upward (.docx). Each step is the
chat's own: 导入模板, a sheet sent by staff, 确认 / 取消, 通报 — run as the staff member, so
the preview, the all-or-nothing check, the one 编号 and the liaisons' notices are the chat's."""
from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, request, send_file

from console import web
from console.actions import nonce, run_as
from console.auth import Denied
from reports.figures import importable, period_kind
from worktime.period import Period

__all__ = ["bp"]

bp = Blueprint("documents", __name__)

_WAITING = "回复「确认」"


def _importable(scheme: Any) -> list[tuple[str, str, str]]:
    """(code, label, period kind) of the indicators whose figures a sheet can carry."""
    return [(i.code, f"{i.code} {i.name}", period_kind(i)) for i in importable(scheme)]


def _suggested(today: date) -> dict[str, str]:
    """The period a sheet is usually for: last month, the last quarter, this year."""
    return {"monthly": str(Period.containing("month", today).previous()),
            "quarterly": str(Period.containing("quarter", today).previous()),
            "yearly": str(today.year)}


def _file_of(reply: Any) -> Any:
    if not reply.files:
        raise Denied(409, reply.text)
    path = Path(reply.files[0]).resolve()
    return send_file(path, as_attachment=True, download_name=path.name)


@bp.get("/documents/template")
@web.staff_only
def template(session: Any) -> Any:
    code = " ".join(request.args.get("code", "").split())
    period = "".join(request.args.get("period", "").split())
    if not code or not period:
        raise Denied(400, "请选择指标并填写期别，例如 2022-Q3。")
    return _file_of(run_as(web.chat(), session.member, f"导入模板 {code} {period}", nonce()))


@bp.get("/documents/bulletin")
@web.staff_only
def bulletin(session: Any) -> Any:
    which = "".join(request.args.get("which", "").split())
    if not which:
        raise Denied(400, "请填写月份（如 2022-08）或年度（如 2022）。")
    return _file_of(run_as(web.chat(), session.member, f"通报 {which}", nonce()))


@bp.route("/documents", methods=["GET", "POST"])
@web.staff_only
def documents(session: Any) -> Any:
    chat = web.chat()
    reply, waiting = None, False
    kind = request.form.get("kind", "")
    if request.method == "POST" and kind == "upload":
        sheet = request.files.get("file")
        if sheet is None or not sheet.filename:
            reply = "请选择填好的导入表（.xlsx）。"
        elif not sheet.filename.lower().endswith(".xlsx"):
            reply = "请上传由「下载导入表」生成的 .xlsx 文件。"
        else:
            folder = chat.data_dir / "incoming"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{secrets.token_hex(12)}.part"
            sheet.save(path)
            reply = run_as(chat, session.member, "", request.form.get("form_id", ""),
                           [(path, sheet.filename, sheet.mimetype or "")]).text
            waiting = _WAITING in reply
    elif request.method == "POST" and kind in ("confirm", "cancel"):
        reply = run_as(chat, session.member, "确认" if kind == "confirm" else "取消",
                       request.form.get("form_id", "")).text
        waiting = _WAITING in reply  # changed since the preview: a new preview to confirm
    d = web.desk(session)
    today = chat.clock().date()
    return web.page("documents.html", session, **web.switch(d), reply=reply, waiting=waiting,
                    importable=_importable(d.office.scheme), suggested=_suggested(today),
                    month=_suggested(today)["monthly"], year=d.office.year)
