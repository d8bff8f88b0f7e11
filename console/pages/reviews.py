"""待审: what waits for review, oldest first, a page at a time, narrowed by unit (name or 简称
typed), indicator, period and kind; 通过/驳回 per item, and 批量通过 of the items ticked or of
everything the filter shows, after a confirmation naming how many items and which periods.

Approvals are one act each (ledger.approvals through the chat's own handler, so notices, 编号
and the audit are the chat's); a rejection is the chat's `审核 … 驳回 理由`, one period at a time.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, request

from console import readers, web
from console.actions import nonce, run_as
from console.readers import REVIEW_KINDS, PendingItem, ReviewFilter
from ledger.approvals import Target, waiting

__all__ = ["bp", "PAGE"]

bp = Blueprint("reviews", __name__)

PAGE = 40  # items per page: reviewing goes from the top, a page at a time


@bp.route("/reviews", methods=["GET", "POST"])
@web.staff_only
def reviews(session: Any) -> Any:
    d = web.desk(session)
    flt, unit_text, only = _filter(session, d)
    action = request.form.get("action", "") if request.method == "POST" else ""
    reply, act = None, None
    if action == "preview":
        targets, items = _chosen(d, flt)
        if not targets:
            reply = "请先勾选要通过的项目。" if request.form.get("scope") == "picked" \
                else "筛选范围内没有待审核的项目。"
        else:
            return _confirm(session, d, targets, items, _args(flt, unit_text, only))
    elif action == "apply":
        targets = [t for t in map(readers.parse_pick, request.form.getlist("pick")) if t]
        summary = " ".join(request.form.get("summary", "").split())[:80]  # kept with the act
        reply, act = _approve(session, targets, summary or "批量通过")
    elif action == "undo":
        reply = run_as(web.chat(), session.member,
                       "撤销 " + "".join(request.form.get("act", "").split()),
                       request.form.get("form_id", "")).text
    elif request.method == "POST":
        reply, act = _decide(session)
    queue = readers.review_queue(d, flt)
    pages = max(1, -(-len(queue) // PAGE))
    page_no = min(max(_int(request.values.get("page"), 1), 1), pages)
    shown = queue[(page_no - 1) * PAGE: page_no * PAGE]
    around = readers.review_queue(d, ReviewFilter(flt.units)) if flt != ReviewFilter(flt.units) \
        else queue  # the choices of indicator and period: what waits for these units
    return web.page("reviews.html", session, queue=shown, total=len(queue), page_no=page_no,
                    pages=pages, first=(page_no - 1) * PAGE + 1, reply=reply, act=act,
                    labels=readers.metric_labels(d), show=readers.value_shower(d, web.chat().show_value), units=d.all_units(),
                    only=only, unit_text=unit_text, flt=flt, kinds=REVIEW_KINDS,
                    indicators=_indicator_choices(around), periods=_period_choices(around),
                    args=_args(flt, unit_text, only))


def _filter(session: Any, d: readers.Desk) -> tuple[ReviewFilter, str, Any]:
    """The filter from the query (or the form's hidden copy of it)."""
    v = request.values
    only = v.get("unit", "")
    wanted = web.whole(only)
    only_unit = web.unit_for(session, wanted) if wanted is not None else None
    text = " ".join(v.get("q", "").split())
    units: tuple[int, ...] | None = None
    if only_unit is not None:
        units = (only_unit.id,)
    elif text:  # a part of the name or of a 简称, as typed
        units = tuple(u.id for u in d.all_units()
                      if text in u.name or any(text in a for a in u.aliases))
    kind = v.get("kind") if v.get("kind") in REVIEW_KINDS else None
    return (ReviewFilter(units, v.get("ind") or None, v.get("period") or None, kind),
            text, only_unit)


def _args(flt: ReviewFilter, text: str, only: Any) -> dict[str, str]:
    """The filter as query arguments (for the page links and the forms' hidden fields)."""
    out = {"q": text, "ind": flt.indicator or "", "period": flt.period or "",
           "kind": flt.kind or ""}
    if only is not None:
        out = {"unit": str(only.id), **{k: v for k, v in out.items() if k != "q"}}
    return {k: v for k, v in out.items() if v}


def _int(value: str | None, default: int) -> int:
    number = web.whole(value)
    return default if number is None else number


def _chosen(d: readers.Desk, flt: ReviewFilter) -> tuple[list[Target], list[PendingItem]]:
    """The ticked cards, or every card the filter shows (all pages)."""
    if request.form.get("scope") == "picked":
        picks = set(request.form.getlist("pick"))
        items = [it for it in readers.review_queue(d, flt) if it.pick() in picks]
        return [it.target() for it in items], items
    items = readers.review_queue(d, flt)
    return [it.target() for it in items], items


def _confirm(session: Any, d: readers.Desk, targets: list[Target], items: list[PendingItem],
             args: dict[str, str]) -> Any:
    rows = waiting(d.db, targets)
    records = len(rows["submissions"]) + len(rows["evidence"])
    periods = sorted({r["period"] for t in rows.values() for r in t.values() if r["period"]})
    loose = any(not r["period"] for r in rows["evidence"].values())
    units = {it.unit.id for it in items}
    summary = (f"批量通过 {len(items)} 项（{len(units)} 个单位）"
               + (f" {periods[0]}" if len(periods) == 1 else
                  f" {periods[0]}至{periods[-1]}" if periods else ""))
    return web.page("reviews_confirm.html", session, items=items, records=records,
                    periods=periods, loose=loose, units=len(units), summary=summary,
                    args=args)


def _approve(session: Any, targets: list[Target], summary: str) -> tuple[str, int | None]:
    if not targets:
        return "没有选中任何项目。", None
    reply = web.chat().approve(session.member, request.form.get("form_id", "") or nonce(),
                               targets, summary).text
    m = re.search(r"撤销请发：撤销 (\d+)", reply)
    return reply, int(m.group(1)) if m else None


def _decide(session: Any) -> tuple[str, int | None]:
    """One card's 通过 (everything it shows, as one act) or 驳回 (one period, with a reason)."""
    the_unit = web.unit_for(session, web.form_int("unit_id"))
    code = request.form.get("code", "").strip()
    if request.form.get("verdict") == "accept":
        target = readers.parse_pick(request.form.get("pick", ""))
        if target is None or target.unit_id != the_unit.id:
            return "表单内容不完整，请刷新页面后重新提交。", None
        return _approve(session, [target], f"{the_unit.name}「{code}」")
    reason = " ".join(request.form.get("reason", "").split())
    period = request.form.get("reject_period", "").strip()  # one period only, as in chat
    if not reason:
        return "驳回时请写明理由，联络员才知道怎么改。", None
    text = " ".join(filter(None, ["审核", the_unit.name, code, period, "驳回", reason]))
    return run_as(web.chat(), session.member, text, request.form.get("form_id", "")).text, None


def _indicator_choices(queue: list[PendingItem]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for it in queue:
        seen.setdefault(it.code, f"{it.code} {it.indicator.name}" if it.indicator else it.code)
    return sorted(seen.items(), key=lambda kv: _code_key(kv[0]))


def _code_key(code: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-]", code))


def _period_choices(queue: list[PendingItem]) -> list[str]:
    return sorted({p for it in queue for p in it.periods() if p})
