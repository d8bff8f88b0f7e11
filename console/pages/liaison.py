"""本单位: a liaison's own page — the card, each 驳回 with its reason and correction deadline,
what is missing, deadlines, and forms for 月报, 报送 and upload.

The forms are the chat's own commands (月报 …, 报送 …, 佐证 … with files, or any command typed),
run as the liaison through the same pipeline: the chat's rules decide the month, the period,
on time or late, and the page shows the chat's reply."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, redirect, request, url_for

from console import readers, web
from console.actions import run_as
from ledger.facts import briefing_indicator
from ledger.labels import SUBMISSION_KIND_ZH
from ledger.submissions import standing_rejections
from ledger.units import Unit
from schemes.asks import liaison_metrics, send_command
from schemes.model import Indicator
from worktime.period import deadline

__all__ = ["bp"]

bp = Blueprint("liaison", __name__)



@dataclass(frozen=True)
class Rejection:
    indicator: Indicator | None
    code: str
    period: str
    reason: str
    rejected_on: date | None
    what: str  # what was rejected: 月报, 数据, the files' names
    until: date | None  # correct by this day
    keeps_on_time: bool  # corrected by `until`, the original's on-time receipt stands
    how: str | None  # the chat command that corrects it


def _rejections(d: readers.Desk, unit: Unit) -> list[Rejection]:
    """Each standing 驳回 of the unit's year, with the correction deadline the chat's notice
    gave: a monthly or quarterly period within REVIEW_GRACE_WORKDAYS workdays of the
    rejection (keeping the on-time receipt); any other item by its own deadline."""
    scheme = d.scheme_of(unit)
    briefing = briefing_indicator(scheme)
    grace = int(web.chat().settings.get("REVIEW_GRACE_WORKDAYS", 3) or 0)
    out = []
    for r in standing_rejections(d.db, unit.id, d.office.year):
        ind = scheme.indicator(r["indicator"])
        on = date.fromisoformat(r["rejected_at"][:10]) if r["rejected_at"] else None
        periodic = ind is not None and ind.due is not None and ind.due.frequency in ("monthly", "quarterly")
        until = None
        if periodic and on is not None:
            until = d.cal.add_workdays(on, grace)
        elif ind is not None and ind.due is not None and r["period"]:
            try:
                until = deadline(d.cal, ind.due.frequency, r["period"], ind.due.day, ind.due.date)
            except ValueError:
                until = None
        what = "、".join(dict.fromkeys(SUBMISSION_KIND_ZH.get(k, k) for k in r["kinds"]))
        if r["files"]:
            what = "、".join(filter(None, (what, "材料 " + "、".join(r["files"]))))
        how = send_command(ind, r["period"] or None, briefing=briefing is not None and ind is not None
                           and ind.code == briefing.code) if ind is not None else None
        out.append(Rejection(ind, r["indicator"], r["period"], r["reason"], on, what, until,
                             periodic and r["on_time"], how))
    return out


def _briefing_months(d: readers.Desk) -> list[str]:
    """The months of the year a 月报 may name, latest first (none in the future)."""
    year, today = d.office.year, d.today
    last = 12 if today.year > year else today.month if today.year == year else 0
    return [f"{year}-{m:02d}" for m in range(last, 0, -1)]


def _form_command() -> str | None:
    """The chat command a 月报 / 报送 / 命令 form stands for ("" when it lacks what it needs)."""
    form = request.form
    kind = form.get("kind", "")
    if kind == "briefing":
        text = form.get("text", "").strip()
        month = form.get("month", "").strip()
        return f"月报 {month} {text}" if month else f"月报 {text}"
    if kind == "submit":
        code = form.get("code", "").strip()
        values = [f"{name[2:]}={''.join(v.split())}" for name, v in form.items()
                  if name.startswith("m_") and v.strip()]
        if not code or not values:
            return "报送 " + code  # the chat says what is missing, in its own words
        period = "".join(form.get("period", "").split())
        return " ".join(["报送", code] + ([period] if period else []) + values)
    if kind == "command":
        return " ".join(form.get("text", "").split())
    return None


@bp.route("/mine", methods=["GET", "POST"])
@web.signed_in
def mine(session: Any) -> Any:
    if session.member.is_staff:
        return redirect(url_for("console.overview.overview"))
    the_unit = web.own(session)
    reply = None
    if request.method == "POST":
        text = _form_command()
        if text is None:
            reply = _upload(session, the_unit)
        elif text:
            reply = run_as(web.chat(), session.member, text, request.form.get("form_id", "")).text
        else:
            reply = "请输入命令，例如：缺项"
    d = web.desk(session)
    card = d.card_of(the_unit)
    chat = web.chat()
    # a page scrolls: every missing item, not the chat's one screen
    texts = {word: chat.ask(asked, d.ctx) for word, asked in (("缺项", "缺项 全部"), ("截止", "截止"))}
    own_inds = d.indicators(the_unit)
    inds = [i for i in own_inds if i.evidence or (i.due is not None)]
    briefing = briefing_indicator(d.office.scheme)
    # what the unit reports itself: not the deduction cases (staff record those with 扣分)
    deductions = {i.code for c in d.office.scheme.categories if c.section == "deduction"
                  for i in c.indicators}
    data_inds = [(i, liaison_metrics(i)) for i in own_inds
                 if liaison_metrics(i) and i.code not in deductions]
    return web.page("mine.html", session, unit=the_unit, card=card, texts=texts, inds=inds,
                    reply=reply, office=d.office, rejections=_rejections(d, the_unit),
                    today=d.today, briefing=briefing, months=_briefing_months(d),
                    data_inds=data_inds, chosen=request.form if request.method == "POST" else {})


def _upload(session: Any, the_unit: Unit) -> str:
    files = [f for f in request.files.getlist("file") if f.filename]
    code = request.form.get("code", "").strip()
    if not code:
        return "请选择指标。"
    if not files:
        return "请选择要上传的文件。"
    # a period or year named (2022-Q4, 2022): the chat's 佐证 <指标> <期别>, so the files are
    # stored and counted where the chat would put them; none: the period they count for today
    period = " ".join(request.form.get("period", "").split())[:20]
    text = f"佐证 {code} {period}" if period else code
    chat = web.chat()
    folder = chat.data_dir / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    stored = []
    for f in files:
        path = folder / f"{secrets.token_hex(12)}.part"
        f.save(path)
        stored.append((path, f.filename or "", f.mimetype or ""))  # named: kept above
    return run_as(chat, session.member, text, request.form.get("form_id", ""), stored).text
