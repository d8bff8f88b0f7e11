"""单位: one unit's card, month-by-month line, records and files (staff: any unit, with 打分
beside each item; a liaison: their own), and the files themselves."""
from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, request, send_file

from console import readers, web
from console.charts import line_chart
from ledger import submissions as subs
from ledger.facts import CITY
from ledger.files import locate

__all__ = ["bp", "unit_page", "INLINE_TYPES"]

bp = Blueprint("units", __name__)

INLINE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                ".gif": "image/gif", ".webp": "image/webp", ".bmp": "image/bmp",
                ".pdf": "application/pdf"}


@bp.get("/units/<int:unit_id>")
@web.signed_in
def unit(session: Any, unit_id: int) -> Any:
    return unit_page(session, unit_id)


def unit_page(session: Any, unit_id: int, reply: str | None = None) -> Any:
    """The unit's page, with `reply` (a form's answer) on top."""
    d = web.desk(session)
    the_unit = web.unit_for(session, unit_id)
    card = d.card_of(the_unit)
    months, series = readers.unit_history(d, web.console().history)
    key = CITY if d.office.city_level else the_unit.name
    top = (d.office.scheme.base_total or 100) + (d.office.scheme.bonus_cap or 0)
    chart = line_chart(months, series.get(key, []), top) if months else None
    mine = {i.code for i in d.indicators(the_unit)}
    targets: dict[str, list[tuple[str, str]]] = {}
    if session.member.is_staff:  # 打分 beside the item, with its material on the same page
        for value, label in readers.point_targets(d.office.scheme, web.chat().staff_only_metrics):
            targets.setdefault(value.partition("|")[0], []).append((value, label))
    return web.page("unit.html", session, office=d.office, unit=the_unit, card=card, reply=reply,
                    targets=targets,
                    chart=chart, items=[i for i in card.items if i.code in mine],
                    submissions=subs.list_submissions(d.db, the_unit.id, limit=200),
                    files=subs.list_evidence(d.db, the_unit.id), names=readers.indicator_names(d),
                    labels=readers.metric_labels(d),
                    show=readers.value_shower(d, web.chat().show_value))


@bp.get("/units/<int:unit_id>/<code>/<period>")
@web.signed_in
def unit_period(session: Any, unit_id: int, code: str, period: str) -> Any:
    """One unit's records and files of one item and period (a cell of 总览's grid)."""
    d = web.desk(session)
    the_unit = web.unit_for(session, unit_id)
    ind = d.scheme_of(the_unit).indicator(code)
    if ind is None:
        abort(404)
    records = [s for s in subs.list_submissions(d.db, the_unit.id)
               if s.indicator == code and s.period == period]
    files = [f for f in subs.list_evidence(d.db, the_unit.id) if f["indicator"] == code]
    return web.page("unit_period.html", session, unit=the_unit, ind=ind, period=period,
                    records=records, files=[f for f in files if f.get("period") == period],
                    loose=[f for f in files if not f.get("period")],
                    labels=readers.metric_labels(d),
                    show=readers.value_shower(d, web.chat().show_value))


@bp.get("/files/<int:file_id>")
@web.signed_in
def evidence_file(session: Any, file_id: int) -> Any:
    row = subs.get_evidence(web.db(), file_id)
    if row is None:
        abort(404)
    web.unit_for(session, row["unit_id"])
    path = locate(web.chat().data_dir, row["path"])
    if not path.exists():
        abort(404)
    suffix = path.suffix.lower()
    inline = suffix in INLINE_TYPES and not request.args.get("download")
    resp = send_file(path, mimetype=INLINE_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]
                     or "application/octet-stream", as_attachment=not inline,
                     download_name=row["original_name"])
    # An uploaded file is shown, never run: no sniffing, no framing by other sites, and no
    # scripts or requests from anything but a PDF (whose viewer the browser runs itself).
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = (
        "frame-ancestors 'self'" if suffix == ".pdf" else
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'")
    return resp
