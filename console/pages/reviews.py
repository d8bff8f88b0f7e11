"""待审: what waits for review, oldest first, with 通过/驳回 per item (the chat's 审核)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from console import readers, web
from console.actions import run_as

__all__ = ["bp"]

bp = Blueprint("reviews", __name__)

REVIEW_PAGE = 40


@bp.route("/reviews", methods=["GET", "POST"])
@web.staff_only
def reviews(session: Any) -> Any:
    reply = None
    if request.method == "POST":
        the_unit = web.unit_for(session, web.form_int("unit_id"))
        verdict = "通过" if request.form.get("verdict") == "accept" else "驳回"
        reason = " ".join(request.form.get("reason", "").split())
        code = request.form.get("code", "").strip()
        period = request.form.get("period", "").strip()  # one period only, as in chat
        if verdict == "驳回" and not reason:
            reply = "驳回时请写明理由，联络员才知道怎么改。"
        else:
            reply = run_as(web.chat(), session.member,
                           " ".join(filter(None, ["审核", the_unit.name, code, period, verdict,
                                                  reason])),
                           request.form.get("form_id", "")).text
    d = web.desk(session)
    only = request.values.get("unit", "")
    only_unit = web.unit_for(session, web.whole(only)) if web.whole(only) is not None else None
    queue = readers.review_queue(d, only_unit)
    # A page of the oldest: reviewing is done from the top, and a page of thousands of
    # records helps nobody (the unit filter narrows it).
    return web.page("reviews.html", session, queue=queue[:REVIEW_PAGE], total=len(queue),
                    reply=reply, labels=readers.metric_labels(d), units=d.units(), only=only_unit)
