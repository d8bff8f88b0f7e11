"""总览: every unit's total, band and rank in the scheme and year asked for, and the grid of
月报/季度台账 periods per unit."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for

from console import readers, web
from console.charts import band_colour, bar_chart

__all__ = ["bp"]

bp = Blueprint("overview", __name__)


@bp.get("/overview")
@web.staff_only
def overview(session: Any) -> Any:
    d = web.desk(session)
    cards = d.cards()
    bands = [b.name for b in d.office.scheme.bands]
    ids = {u.name: u.id for u in d.units()}
    ranked = readers.ranking(cards)
    top = d.office.scheme.base_total or max((c.total or 0 for c in cards.values()), default=1)
    if d.office.scheme.bonus_cap:
        top += d.office.scheme.bonus_cap
    rows = [(name, card.total, band_colour(card.band, bands),
             url_for("console.units.unit", unit_id=ids[name]) if name in ids
             else url_for(".overview"))
            for name, card in ranked]
    return web.page("overview.html", session, **web.switch(d), ranked=ranked, ids=ids,
                    chart=bar_chart(rows, top), counts=readers.band_counts(d.office, cards),
                    colours={b: band_colour(b, bands) for b in bands},
                    grids=readers.period_grid(d), city=d.office.city_level)
