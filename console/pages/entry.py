"""打分扣分: the office's own records — 打分, 扣分, 代报, 确认, 撤销 and any chat command —
each run as the chat command a staff member would type.

Forms that cannot misfire at 200 units: no unit is chosen until staff choose one (typed by name
or 简称 and matched exactly, never the first of a list); after a record the page says the unit's
new total and rank; the member's own latest records are listed with a 撤销 button each."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from console import readers, web
from console.actions import run_as
from console.pages.units import unit_page
from ledger import acts
from ledger.db import LedgerError
from ledger.units import Unit, get_unit, list_units

__all__ = ["bp", "chosen_unit"]

bp = Blueprint("entry", __name__)

RECENT = 12  # the member's own records listed for 撤销


class NoUnit(Exception):
    """The form names no unit, or not exactly one; the message says which."""


def chosen_unit(session: Any) -> Unit:
    """The unit a form chose: a hidden id (a unit's own page), or the name or 简称 typed in the
    unit box — exactly, since a part of a name could be another unit among 200."""
    if request.form.get("unit_id"):
        return web.unit_for(session, web.form_int("unit_id"))
    text = " ".join(request.form.get("unit", "").split())
    if not text:
        raise NoUnit("请选择单位：在「单位」框里输入名称或简称，从列表中选定。")
    units = list_units(web.db())
    exact = [u for u in units if u.name == text or text in u.aliases]
    if len(exact) == 1:
        return exact[0]
    like = [u.name for u in units if text in u.name or any(text in a for a in u.aliases)]
    hint = f"可能是：{'、'.join(like[:8])}{' 等' if len(like) > 8 else ''}。" if like else ""
    raise NoUnit(f"没有名称或简称为「{text}」的单位，未记录。{hint}请从列表中选定单位。")


def _command(session: Any, kind: str) -> tuple[str, Unit | None]:
    """The chat command a form stands for, and the unit it is about."""
    form = request.form
    if kind == "command":  # any chat command, as typed in chat
        return " ".join(form.get("text", "").split()), None
    if kind == "undo":  # 撤销 <编号>: the button carries the act's own number
        return "撤销 " + "".join(form.get("act", "").split()), None
    the_unit = chosen_unit(session)
    if kind in ("enter", "confirm"):  # 代报 / 确认
        words = [form.get(k, "") for k in
                 (("code", "period", "values") if kind == "enter" else ("code", "verdict", "reason"))]
        return " ".join(["代报" if kind == "enter" else "确认", the_unit.name]
                        + [" ".join(w.split()) for w in words if w.strip()]), the_unit
    code = form.get("code", "").strip()
    note = " ".join(form.get("reason", "").split())
    if kind == "points":  # the target is "code|part": 酌情 part number or staff value
        code, _, part = code.partition("|")
        amount = "".join(form.get("points", "").split())
        amount = f"{part}={amount}" if part else amount
        return f"打分 {the_unit.name} {code} {amount} {note}".strip(), the_unit
    event = any(e.name == code for e in web.desk(session).scheme_of(the_unit).downgrade_events)
    cases = "" if event else "".join(form.get("cases", "").split()) or "1"
    return f"扣分 {the_unit.name} {code} {cases} {note}".strip(), the_unit


def _standing(d: readers.Desk, the_unit: Unit) -> str:
    """The unit's total, band and rank after a record, as 得分 would say them."""
    card = d.card_of(the_unit)
    rank = f"，第 {card.rank}/{card.rank_of} 名" if card.rank and card.rank_of else ""
    band = f"（{card.band}）" if card.band else ""
    return f"{the_unit.name} 现总分 {'—' if card.total is None else f'{card.total:.2f}'}{band}{rank}。"


def _undone_unit(act: str) -> Unit | None:
    """The unit an undone record was about (its total and rank moved back)."""
    act_id = web.whole(act)
    if act_id is None:
        return None
    try:
        unit_id = acts.get_act(web.db(), act_id).unit_id
        return get_unit(web.db(), unit_id) if unit_id is not None else None
    except LedgerError:
        return None


@bp.route("/entry", methods=["GET", "POST"])
@web.staff_only
def entry(session: Any) -> Any:
    chat = web.chat()
    reply, standing = None, None
    kept: dict[str, Any] = {}
    kind = request.form.get("kind", "") if request.method == "POST" else ""
    if kind:
        before = acts.latest_act_id(web.db(), session.member.id)
        try:
            text, the_unit = _command(session, kind)
        except NoUnit as exc:
            reply, kept = str(exc), request.form
        else:
            reply = (run_as(chat, session.member, text, request.form.get("form_id", "")).text
                     if text else "请输入命令，例如：未交 2022-08")
            recorded = acts.latest_act_id(web.db(), session.member.id) > before
            if kind == "undo" and reply.startswith("已撤销"):
                the_unit = _undone_unit(request.form.get("act", ""))
                recorded = the_unit is not None
            if the_unit is not None and recorded:
                standing = _standing(web.desk(session), the_unit)
            elif not recorded and kind != "command":
                kept = request.form  # refused: the form keeps what was typed, to be corrected
            if request.form.get("back") == "unit" and the_unit is not None:
                return unit_page(session, the_unit.id, "\n".join(filter(None, (reply, standing))))
    d = web.desk(session)
    scheme = d.office.scheme
    deductions = [i for c in scheme.categories if c.section == "deduction" for i in c.indicators]
    units = {u.id: u for u in d.all_units()}
    recent = acts.acts_of_member(web.db(), session.member.id, RECENT)
    return web.page("entry.html", session, **web.switch(d), units=d.units(), all_units=units,
                    targets=readers.point_targets(scheme, chat.staff_only_metrics),
                    deductions=deductions, events=scheme.downgrade_events, reply=reply,
                    standing=standing, chosen=kept, kind=kind, recent=recent)
