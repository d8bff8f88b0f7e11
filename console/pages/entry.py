"""打分扣分: the office's own records — 打分, 扣分, 代报, 确认, 撤销 and any chat command —
each run as the chat command a staff member would type."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from console import readers, web
from console.actions import run_as
from console.pages.units import unit_page

__all__ = ["bp"]

bp = Blueprint("entry", __name__)


@bp.route("/entry", methods=["GET", "POST"])
@web.staff_only
def entry(session: Any) -> Any:
    chat = web.chat()
    reply, kind = None, request.form.get("kind", "")
    if request.method == "POST" and kind == "command":  # any chat command, as typed in chat
        text = " ".join(request.form.get("text", "").split())
        reply = (run_as(chat, session.member, text, request.form.get("form_id", "")).text
                 if text else "请输入命令，例如：未交 2022-08")
    elif request.method == "POST" and kind == "undo":  # 撤销 <编号>: the act's own number
        text = "撤销 " + "".join(request.form.get("act", "").split())
        reply = run_as(chat, session.member, text, request.form.get("form_id", "")).text
    elif request.method == "POST" and kind in ("enter", "confirm"):  # 代报 / 确认
        the_unit = web.unit_for(session, web.form_int("unit_id"))
        words = [request.form.get(k, "") for k in
                 (("code", "period", "values") if kind == "enter" else ("code", "verdict", "reason"))]
        text = " ".join(["代报" if kind == "enter" else "确认", the_unit.name]
                        + [" ".join(w.split()) for w in words if w.strip()])
        reply = run_as(chat, session.member, text, request.form.get("form_id", "")).text
    elif request.method == "POST":
        the_unit = web.unit_for(session, web.form_int("unit_id"))
        code = request.form.get("code", "").strip()
        note = " ".join(request.form.get("reason", "").split())
        if kind == "points":  # the target is "code|part": 酌情 part number or staff value
            code, _, part = code.partition("|")
            amount = "".join(request.form.get("points", "").split())
            amount = f"{part}={amount}" if part else amount
            text = f"打分 {the_unit.name} {code} {amount} {note}"
        else:
            event = any(e.name == code for e in web.desk(session).scheme_of(the_unit).downgrade_events)
            cases = "" if event else "".join(request.form.get("cases", "").split()) or "1"
            text = f"扣分 {the_unit.name} {code} {cases} {note}"
        reply = run_as(chat, session.member, text.strip(), request.form.get("form_id", "")).text
        if request.form.get("back") == "unit":
            return unit_page(session, the_unit.id, reply)
    d = web.desk(session)
    scheme = d.office.scheme
    deductions = [i for c in scheme.categories if c.section == "deduction" for i in c.indicators]
    return web.page("entry.html", session, **web.switch(d), units=d.units(),
                    targets=readers.point_targets(scheme, chat.staff_only_metrics),
                    deductions=deductions, events=scheme.downgrade_events, reply=reply,
                    chosen=request.form)
