"""本单位: a liaison's own page — the card, what is missing, deadlines, and upload."""
from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, redirect, request, url_for

from console import web
from console.actions import run_as
from ledger.units import Unit

__all__ = ["bp"]

bp = Blueprint("liaison", __name__)


@bp.route("/mine", methods=["GET", "POST"])
@web.signed_in
def mine(session: Any) -> Any:
    if session.member.is_staff:
        return redirect(url_for("console.overview.overview"))
    the_unit = web.own(session)
    reply = None
    if request.method == "POST":
        reply = _upload(session, the_unit)
    d = web.desk(session)
    card = d.card_of(the_unit)
    chat = web.chat()
    texts = {word: chat.ask(word, d.ctx) for word in ("缺项", "截止")}
    inds = [i for i in d.indicators(the_unit) if i.evidence or (i.due is not None)]
    return web.page("mine.html", session, unit=the_unit, card=card, texts=texts, inds=inds,
                    reply=reply, office=d.office)


def _upload(session: Any, the_unit: Unit) -> str:
    files = [f for f in request.files.getlist("file") if f.filename]
    code = request.form.get("code", "").strip()
    if not code:
        return "请选择指标。"
    if not files:
        return "请选择要上传的文件。"
    chat = web.chat()
    folder = chat.data_dir / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    stored = []
    for f in files:
        path = folder / f"{secrets.token_hex(12)}.part"
        f.save(path)
        stored.append((path, f.filename or "", f.mimetype or ""))  # named: kept above
    return run_as(chat, session.member, code, request.form.get("form_id", ""), stored).text
