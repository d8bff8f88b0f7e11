"""总览: every unit's total, band, rank and category sub-scores in the scheme and year asked
for — searchable by name or 简称, filtered by band, a category the unit lost points in, 有待审
and 有缺项, sorted by any column — the shape of the totals, and the grid of 月报/季度台账
periods per unit (the rows with 缺/迟 unless all are asked for), each cell opening that
period's records. On a city scheme, each item scored per responsible unit lists the units whose
points make the city's, worst first (the worst few unless all are asked for), and 查找 finds
responsible units there and in the grids.

Everything is chosen by the query string, so a filtered, sorted view is a link staff can keep.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Callable

from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup, escape

from console import readers, web
from console.charts import band_colour, histogram
from console.readers import OverviewRow
from ledger.facts import CITY
from ledger.office import years
from scoring.card import STATUS_ZH, ItemCard

__all__ = ["bp"]

bp = Blueprint("overview", __name__)

BIN = Decimal(5)  # points per column of the distribution


@bp.get("/overview")
@web.staff_only
def overview(session: Any) -> Any:
    d = web.desk(session)
    # The content is the same for everyone until the ledger changes (every write to a scored
    # table bumps its version): kept per version and query, so looking again costs no scoring
    # and no rendering of 200 rows.
    key = ("overview", d.office.scheme.id, d.office.year, d.today, d.version,
           tuple(years(d.db)), tuple(sorted(request.args.items(multi=True))))
    body = web.console().memo.get(key, lambda: Markup(_content(d)))
    return web.page("overview.html", session, body=body)


def _content(d: readers.Desk) -> str:
    cards = d.cards()
    scheme = d.office.scheme
    bands = [b.name for b in scheme.bands]
    all_grids = readers.period_grid(d, web.console().memo)
    all_rows = readers.overview_rows(d, cards, all_grids)
    cats = [c.name for c in scheme.categories if c.section in ("base", "bonus")]
    v = request.args
    q = " ".join(v.get("q", "").split())
    band = v.get("band") if v.get("band") in bands else ""
    cat = v.get("cat") if v.get("cat") in cats else ""
    city = d.office.city_level
    units = {u.name: u for u in d.all_units()}
    def found(name: str) -> bool:
        unit = units.get(name)
        return not q or q in name or (unit is not None and any(q in a for a in unit.aliases))
    # On a city scheme the one row is the city's: 查找 looks for its responsible units (in the
    # grids and the items scored per unit), never hides the city.
    rows = [r for r in all_rows
            if (city or found(r.name))
            and (not band or r.card.band == band) and (not cat or r.lost_in(cat))
            and (not v.get("pending") or r.pending) and (not v.get("gaps") or r.gaps)]
    sort, desc = v.get("sort", "rank"), v.get("dir", "") == "desc"
    key = _sort_key(sort, cats, bands)
    if key is None:
        sort, key = "rank", _sort_key("rank", cats, bands)
    rows.sort(key=key, reverse=desc)  # type: ignore[arg-type]
    shown = {r.name for r in rows}
    only_problems = v.get("grid") != "all"  # at 200 units the rows with 缺/迟 come first
    # The grids follow the table's filter, worst first (new Grids: the memo's are shared).
    grids = [replace(grid, rows=sorted((g for g in grid.rows
                                        if (found(g.unit.name) if city else g.unit.name in shown)
                                        and (not only_problems or g.late or g.missing)),
                                       key=lambda g: (-g.missing, -g.late, g.unit.name)))
             for grid in all_grids]
    args = {k: v[k] for k in ("q", "band", "cat", "pending", "gaps", "grid", "units", "scheme", "year")
            if v.get(k)}
    every_unit = v.get("units") == "all"
    per_unit = [_per_unit_view(p, found, every_unit)
                for p in readers.per_unit_items(d.office, cards.get(CITY))]
    return render_template("console/_overview_main.html", **web.switch(d), rows=rows,
                           total=len(all_rows),
                    chart=histogram(_bins(all_rows, scheme, bands)),
                    counts=readers.band_counts(d.office, cards),
                    colours={b: band_colour(b, bands) for b in bands}, bands=bands, cats=cats,
                    provisional=sum(1 for r in all_rows if r.provisional),
                    grids=grids, city=city, q=q, per_unit=per_unit, every_unit=every_unit,
                    unit_ids={n: u.id for n, u in units.items()}, status_zh=STATUS_ZH,
                    per_unit_shown=PER_UNIT_SHOWN,
                    per_unit_paged=any(len(p.units) < p.found for p in per_unit), band=band, cat=cat,
                    sort=sort, desc=desc, args=args, only_problems=only_problems,
                    bonus=bool(scheme.bonus_cap), two=_two, cells=_cells,
                    # built once, not per row: 200 rows × url_for was a fifth of the page's time
                    unit_url=url_for("console.units.unit", unit_id=0)[:-1],
                    reviews_url=url_for("console.reviews.reviews") + "?unit=")


PER_UNIT_SHOWN = 10  # units listed per item until all are asked for: the worst are what staff act on


@dataclass
class PerUnitView:
    """An item scored per unit as 总览 shows it: the units 查找 found, the worst
    PER_UNIT_SHOWN of them unless all are asked for."""

    entry: readers.PerUnitItem
    found: int  # units matching 查找
    units: list[tuple[int, str, ItemCard]]


def _per_unit_view(entry: readers.PerUnitItem, found: Callable[[str], bool],
                   every: bool) -> PerUnitView:
    matching = [u for u in entry.units if found(u[1])]
    return PerUnitView(entry, len(matching), matching if every else matching[:PER_UNIT_SHOWN])


def _cells(cells: list[readers.GridCell], base: str) -> Markup:
    """A grid row's cells, each a link to its period's records. Made here in one string: 2,400
    cells through the template's escaping cost more than the rest of the page."""
    return Markup("".join(
        f'<td class="cell {c.state}" title="{escape(c.title)}"><a href="{escape(base)}/{c.period}">'
        f'{c.label}</a></td>' for c in cells))


def _two(value: Decimal | None) -> str:
    """Points with two decimals, so a column of totals lines up (84.00, 84.90, 86.24)."""
    return "—" if value is None else f"{value:.2f}"


def _sort_key(sort: str, cats: list[str], bands: list[str]) -> Callable[[OverviewRow], Any] | None:
    """The key of a column; a missing value sorts last whichever way (as 0 for figures)."""
    def num(get: Callable[[OverviewRow], Decimal | int | None]) -> Callable[[OverviewRow], Any]:
        return lambda r: (get(r) if get(r) is not None else Decimal("-1e9"), r.name)
    keys: dict[str, Callable[[OverviewRow], Any]] = {
        "rank": lambda r: (r.card.rank or 10**6, r.name),
        "name": lambda r: r.name,
        "total": num(lambda r: r.card.total),
        "band": lambda r: (bands.index(r.card.band) if r.card.band in bands else len(bands), r.name),
        "bonus": num(lambda r: r.card.bonus),
        "deductions": num(lambda r: r.card.deductions),
        "pending": num(lambda r: r.pending),
        "gaps": num(lambda r: r.gaps),
    }
    def category(name: str) -> Callable[[OverviewRow], Decimal | None]:
        return lambda r: r.category(name)
    for n, name in enumerate(cats):
        keys[f"cat{n}"] = num(category(name))
    return keys.get(sort)


def _bins(rows: list[OverviewRow], scheme: Any, bands: list[str]) -> list[tuple[Decimal, Decimal, int, str]]:
    """Columns of BIN points from the lowest total's to the best possible, each coloured by the
    band most of its units are in."""
    totals = [(r.card.total, r.card.band) for r in rows if r.card.total is not None]
    if not totals:
        return []
    top = Decimal(scheme.base_total or max(t for t, _ in totals)) + Decimal(scheme.bonus_cap or 0)
    low = min(t for t, _ in totals) // BIN * BIN
    out: list[tuple[Decimal, Decimal, int, str]] = []
    while low < top or not out:
        high = low + BIN
        inside = [b for t, b in totals if low <= t < high or (high >= top and t >= low)]
        common = max(set(inside), key=inside.count) if inside else None
        out.append((low, high, len(inside), band_colour(common, bands)))
        low = high
    return out
