"""What the console pages read from the ledger, in one place.

Every page reads through these few functions, and they call the same ledger and scoring
functions as the chat (the cards come from `bot.context.Ctx.cards`, so the console shows
exactly what 得分 and 排名 say). When the ledger becomes period-aware (several schemes, per-period
records) only this module needs to follow it.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import sqlite_utils

from channels.message import Message
from console.bridge import Chat
from ledger import submissions as subs
from ledger.facts import CITY, _facts_from, all_period_gaps, briefing_indicator, city_facts
from ledger.approvals import Target, waiting_per_unit
from ledger.history import fingerprint, load_month, save_month
from ledger.responsibility import duties
from ledger.office import Office, office_for_kind, offices
from ledger.units import Member, Unit, get_unit, list_units
from worktime.calendar import WorkCalendar
from worktime.period import Deadline, Period, deadline, deadline_info, periods_in_year
from schemes.asks import enterable, needs_report, printed_number
from schemes.model import Indicator, Scheme
from scoring.card import STATUS_ZH, ItemCard, Scorecard, fmt
from scoring.engine import PER_UNIT_ZH, score_all

__all__ = ["Desk", "make_desk", "GridCell", "GridRow", "Grid", "Memo", "OverviewRow", "overview_rows", "band_counts", "ranking", "period_grid",
           "PerUnitItem", "per_unit_items",
           "review_queue", "ReviewFilter", "REVIEW_KINDS", "parse_pick", "unit_history", "HistoryCache", "year_calendar",
           "PendingItem", "point_targets", "metric_labels", "indicator_names", "value_shower"]


@dataclass
class Desk:
    """One request's view of the office: the ledger connection, the scheme and year spoken of,
    who is looking and the clock. `ctx` is the chat's own context, so cards and permissions
    are the chat's; `offices` are every scheme of that year (the page's scheme switch)."""

    db: sqlite_utils.Database
    member: Member
    now: datetime
    cal: WorkCalendar
    ctx: Any  # the chat's context (bot.context.Ctx), made by Chat.context
    offices: list[Office] = field(default_factory=list)
    version: int = 0  # the ledger's data version the page reads (keys derived caches)

    @property
    def office(self) -> Office:
        return self.ctx.office

    @property
    def today(self) -> date:
        return self.now.date()

    def cards(self) -> dict[str, Scorecard]:
        return self.ctx.cards()

    def use_unit(self, unit: Unit) -> None:
        """Speak of the scheme that assesses `unit` (its card, its items)."""
        self.ctx.use_unit(unit)

    def card_of(self, unit: Unit) -> Scorecard:
        self.use_unit(unit)
        return self.ctx.card_of(unit)

    def units(self) -> list[Unit]:
        """The units the current scheme assesses."""
        return [u for u in list_units(self.db) if self.office.assesses(u.kind)]

    def all_units(self) -> list[Unit]:
        return list_units(self.db)

    def scheme_of(self, unit: Unit) -> Scheme:
        return office_for_kind(self.db, unit.kind, self.office.year).scheme

    def indicators(self, unit: Unit | None = None) -> list[Indicator]:
        """The scheme's indicators; for a city scheme or a work plan, those the unit answers for."""
        inds = [i for _, i in self.office.scheme.indicators()]
        if unit is None or self.office.scheme.audience not in ("city", "tasks"):
            return inds
        mine = duties(self.office.scheme, unit)
        return [i for i in inds if i.code in mine]


def make_desk(chat: Chat, db: sqlite_utils.Database, member: Member, version: int,
              scheme_id: str | None = None, year: int | None = None) -> Desk:
    """A desk over the chat's shared card cache (a page costs a few queries, not a
    recompute, while nothing has changed). A liaison speaks of their unit's scheme; staff of
    the scheme asked for (default: the office's first) in the year asked for (default: the
    latest open one). Raises LedgerError for an unknown year."""
    offs = offices(db, year)
    if member.unit_id is not None:
        off = office_for_kind(db, get_unit(db, member.unit_id).kind, offs[0].year)
    else:
        off = next((o for o in offs if o.scheme.id == scheme_id), offs[0])
    now = chat.clock()
    msg = Message("web", member.user_id, member.user_id, "", f"web-read:{now.isoformat()}", now)
    return Desk(db, member, now, chat.cal, chat.context(db, off, member, msg, version), offs,
                version)


# ---- 总览 -------------------------------------------------------------------------------------

def ranking(cards: dict[str, Scorecard]) -> list[tuple[str, Scorecard]]:
    """Units by total, best first (the order and ties of 排名)."""
    return sorted(cards.items(), key=lambda kv: (-(kv[1].total or 0), kv[0]))


def band_counts(off: Office, cards: dict[str, Scorecard]) -> list[tuple[str, int]]:
    """How many units are in each grade band, in the scheme's order."""
    names = [b.name for b in off.scheme.bands]
    counts = {n: 0 for n in names}
    for card in cards.values():
        if card.band in counts:
            counts[card.band] += 1
    return [(n, counts[n]) for n in names]


@dataclass
class OverviewRow:
    """One unit on 总览: its card, and what is open for it (items waiting for review, items
    whose points are 暂计 until reviewed, items missing or overdue)."""

    unit: Unit | None  # None for the city itself (a city-level scheme)
    name: str
    card: Scorecard
    pending: int = 0
    provisional: int = 0
    gaps: int = 0

    def category(self, name: str) -> Decimal | None:
        if not hasattr(self, "_cats"):
            self._cats = {n: got for n, got, _ in self.card.categories}
        return self._cats.get(name)

    def lost_in(self, name: str) -> bool:
        """Whether the unit fell short of the category's full points."""
        return any(n == name and got is not None and mx is not None and got < mx
                   for n, got, mx in self.card.categories)


def overview_rows(desk: Desk, cards: dict[str, Scorecard], grids: list[Grid]) -> list[OverviewRow]:
    """Every unit's row of 总览, in the order of 排名. Its 缺项 are the items past their
    deadline and the 月报/台账 periods not sent (the grids' 缺)."""
    by_name = {u.name: u for u in desk.units()}
    waiting = waiting_per_unit(desk.db)
    missed: dict[str, int] = {}
    for grid in grids:
        for row in grid.rows:
            missed[row.unit.name] = missed.get(row.unit.name, 0) + row.missing
    out = []
    for name, card in ranking(cards):
        unit = by_name.get(name)
        out.append(OverviewRow(
            unit, name, card, waiting.get(unit.id, 0) if unit else sum(waiting.values()),
            sum(1 for i in card.items if i.status == "provisional"),
            sum(1 for i in card.items if i.status == "overdue") + missed.get(name, 0)))
    return out


@dataclass
class PerUnitItem:
    """An item of a city scheme scored per responsible unit (`per_unit`): the city's points,
    how they are made from the units' (平均, 最低, 合计) and the units worst first, each with
    its place among them — what 总览 lists under the city's row."""

    item: ItemCard
    how: str
    units: list[tuple[int, str, ItemCard]]  # (place, unit name, the unit's own item), worst first

    def counts(self) -> list[tuple[str, int]]:
        """How many units are in each state (the scheme's words), then how many fell short of
        the item's full points; states no unit is in are left out."""
        states = [u.status for _, _, u in self.units]
        out = [(zh, states.count(s)) for s, zh in STATUS_ZH.items() if s in states]
        short = sum(1 for _, _, u in self.units if u.points is not None and u.max_points is not None
                    and u.points < u.max_points)
        return out + ([("失分", short)] if short else [])


def per_unit_items(off: Office, card: Scorecard | None) -> list[PerUnitItem]:
    """The city card's items scored per unit, in the scheme's order; [] off a city scheme."""
    if card is None or not off.city_level:
        return []
    return [PerUnitItem(item, PER_UNIT_ZH[item.per_unit],
                        sorted(item.unit_places(), key=lambda p: (-p[0], p[1])))
            for item in card.items if item.units and item.per_unit is not None]


@dataclass(frozen=True)
class GridCell:
    state: str  # on_time | late | rejected | missing | open
    label: str
    title: str
    period: str = ""


class GridRow(NamedTuple):
    unit: Unit
    cells: list[GridCell]
    late: int
    missing: int


@dataclass
class Grid:
    """Units × periods of one periodic indicator (月报, 季度台账)."""

    indicator: Indicator
    periods: list[str]
    rows: list[GridRow] = field(default_factory=list)


_CELL = {"on_time": "按", "late": "迟", "rejected": "驳", "missing": "缺", "open": "·"}
_CELL_ZH = {"on_time": "按时报送", "late": "逾期报送", "rejected": "已驳回", "missing": "未报送（已过截止日）",
            "open": "未到截止日"}


def _periodic(off: Office) -> list[Indicator]:
    """The items whose periods are in only by a report: the briefing first, then each
    quarterly 台账 (as 缺项 and the reminders count them)."""
    brief = briefing_indicator(off.scheme)
    out = [brief] if brief is not None and brief.due is not None else []
    out += [i for _, i in off.scheme.indicators() if needs_report(i) and i not in out]
    return out


class Memo:
    """Page data derived from the ledger (the period grids, 总览's content), kept per (what,
    scheme, year, day, data version, …): every write to a scored table bumps the version, so a stale entry is never
    reached and nothing is invalidated by hand. Entries are shared: callers must not mutate."""

    def __init__(self, size: int = 32) -> None:
        self._entries: dict[tuple, Any] = {}
        self._lock = threading.Lock()
        self.size = size

    def get(self, key: tuple, compute: Any) -> Any:
        with self._lock:
            if key in self._entries:
                return self._entries[key]
        value = compute()
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.pop(next(iter(self._entries)))
        return value


def period_grid(desk: Desk, memo: Memo | None = None) -> list[Grid]:
    """The grids of `_period_grid`, from `memo` while the ledger is unchanged."""
    if memo is None:
        return _period_grid(desk)
    key = ("grid", desk.office.scheme.id, desk.office.year, desk.today, desk.version)
    return memo.get(key, lambda: _period_grid(desk))


def _period_grid(desk: Desk) -> list[Grid]:
    """On-time / late / rejected / missing per unit and period, for the briefing and the
    quarterly 台账: the gaps are the ledger's own (ledger.facts.period_gaps, which 缺项 uses);
    a period that is not a gap is in on time, or not yet due."""
    items = _periodic(desk.office)
    if not items:
        return []
    codes = {i.code for i in items}
    sent = {t for t in subs.reported_periods(desk.db, desk.office.year) if t[1] in codes}
    cal = desk.cal
    dues = [(ind, ind.due) for ind in items if ind.due is not None]  # a periodic item has one
    grids = [Grid(ind, periods_in_year(due.frequency, desk.office.year)) for ind, due in dues]
    closes = {ind.code: {p: deadline(cal, due.frequency, p, due.day, due.date)
                         for p in grid.periods} for (ind, due), grid in zip(dues, grids)}
    units = desk.units()
    every = all_period_gaps(desk.db, desk.office, desk.today, cal, [u.id for u in units])
    for unit in units:
        gaps = every.get(unit.id, {})
        mine = {i.code for i in desk.indicators(unit)}
        for grid in grids:
            ind = grid.indicator
            if ind.code not in mine:
                continue
            missed = {p: state for p, state, _ in gaps.get(ind.code, [])}
            cells = []
            for p in grid.periods:
                due = closes[ind.code][p]
                state = missed.get(p) or ("on_time" if (unit.id, ind.code, p) in sent
                                          or due < desk.today else "open")
                cells.append(GridCell(state, _CELL[state], f"{p}：{_CELL_ZH[state]}（截止{due:%m-%d}）",
                                      p))
            grid.rows.append(GridRow(unit, cells, sum(c.state == "late" for c in cells),
                                     sum(c.state == "missing" for c in cells)))
    return grids


# ---- 单位: the month-by-month total ----------------------------------------------------------

class HistoryCache:
    """Each past month's totals for every unit, kept while the rows received up to that month's
    end are unchanged (see ledger.history.fingerprint): a new submission today leaves past months alone, a
    late rejection of an old one recomputes only the months after it. Months are also kept in
    the ledger (ledger.history), so a restart does not score the year again."""

    def __init__(self) -> None:
        self._months: dict[tuple[str, int, str], tuple[str, dict[str, Decimal | None]]] = {}
        self._lock = threading.Lock()
        self.computed = 0  # months scored so far (the bench and the tests read it)

    def month(self, db: sqlite_utils.Database, key: tuple[str, int, str], fingerprint: str,
              compute: Any) -> dict[str, Decimal | None]:
        with self._lock:
            hit = self._months.get(key)
            if hit is not None and hit[0] == fingerprint:
                return hit[1]
        totals = load_month(db, *key, fingerprint)
        if totals is None:
            totals = compute()
            save_month(db, *key, fingerprint, totals)
            with self._lock:
                self.computed += 1
        with self._lock:
            self._months[key] = (fingerprint, totals)
        return totals


def _totals_at(desk: Desk, day: date, rows: list[subs.Submission], adjs: list[dict],
               files: list[dict]) -> dict[str, Decimal | None]:
    """Every unit's total as the ledger stood at the end of `day` (the records received by
    then; a record replaced later counts with the value it had). The facts come from the
    ledger's own builder (ledger.facts._facts_from) and the points from the scoring engine:
    only the choice of rows is the console's."""
    cutoff = (day + timedelta(days=1)).isoformat()
    seen: set[tuple] = set()
    by_unit: dict[int, dict[str, list[subs.Submission]]] = {}
    for s in rows:  # newest first: the first of each item/period/kind received by then stands
        if s.received_at >= cutoff:
            continue
        slot = (s.unit_id, s.indicator, s.period, s.kind)
        if slot in seen:
            continue
        seen.add(slot)
        if s.status == "superseded":
            s = subs.Submission(**{**s.__dict__, "status": "submitted"})
        by_unit.setdefault(s.unit_id, {}).setdefault(s.indicator, []).append(s)
    adjs_of: dict[int, list[dict]] = {}
    for a in adjs:
        if a["created_at"] < cutoff:
            adjs_of.setdefault(a["unit_id"], []).append(a)
    files_of: dict[int, list[dict]] = {}
    for e in files:
        if e["received_at"] < cutoff:
            files_of.setdefault(e["unit_id"], []).append(e)
    off = desk.office
    units = desk.units()
    if off.city_level:
        facts = {CITY: city_facts(off, units, by_unit, adjs_of, files_of, day, desk.cal)}
    else:
        facts = {u.name: _facts_from(off.scheme, off.year, by_unit.get(u.id, {}),
                                     adjs_of.get(u.id, []), files_of.get(u.id, []), day, desk.cal)
                 for u in units}
    return {name: card.total for name, card in score_all(off.scheme, facts).items()}


def unit_history(desk: Desk, cache: HistoryCache) -> tuple[list[str], dict[str, list[Decimal | None]]]:
    """Month labels of the assessment year so far, and each unit's total at each month's end.
    The last point is the live total, so the line ends where the card stands: this month's,
    or, once the year is over, December with the late filings still coming in January."""
    year = desk.office.year
    last = 12 if desk.today.year > year else desk.today.month if desk.today.year == year else 0
    months = [str(Period.of_month(year, m)) for m in range(1, last + 1)]
    if not months:
        return [], {}
    rows: list[subs.Submission] | None = None
    series: dict[str, list[Decimal | None]] = {}
    for label in months[:-1]:
        end = Period.from_label(label).end
        key = (desk.office.scheme.id, year, label)
        fp = fingerprint(desk.db, (end + timedelta(days=1)).isoformat())

        def compute(end: date = end) -> dict[str, Decimal | None]:
            nonlocal rows
            if rows is None:
                rows = subs.year_records(desk.db, year)
            return _totals_at(desk, end, rows, subs.list_adjustments(desk.db, year=year),
                              subs.list_evidence(desk.db, year=year))
        for name, total in cache.month(desk.db, key, fp, compute).items():
            series.setdefault(name, []).append(total)
    for name, card in desk.cards().items():
        series.setdefault(name, [None] * (len(months) - 1)).append(card.total)
    return months, series


# ---- 待审 -------------------------------------------------------------------------------------

REVIEW_KINDS = {"data": "数据", "briefing": "月报", "report": "台账/材料", "file": "佐证文件"}


@dataclass(frozen=True)
class ReviewFilter:
    """What 待审 shows: some units (None: all), one indicator, one period, one kind."""

    units: tuple[int, ...] | None = None
    indicator: str | None = None
    period: str | None = None
    kind: str | None = None  # a submission kind, or "file"


@dataclass
class PendingItem:
    unit: Unit
    indicator: Indicator | None
    code: str
    since: str
    submissions: list[subs.Submission] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)

    def periods(self) -> list[str]:
        """The periods shown ("" for files sent for no period), in order."""
        return sorted({s.period for s in self.submissions}
                      | {f.get("period") or "" for f in self.files}, key=lambda p: (p == "", p))

    def kinds(self) -> list[str]:
        return sorted({s.kind for s in self.submissions} | ({"file"} if self.files else set()))

    def target(self) -> Target:
        """Exactly what this card shows, as an approval target."""
        return Target(self.unit.id, self.code, tuple(self.periods()), kinds=tuple(self.kinds()))

    def pick(self) -> str:
        """The card's checkbox value (read back by `parse_pick`)."""
        return "|".join([str(self.unit.id), self.code, ",".join(self.periods()),
                         ",".join(self.kinds())])

    def periods_text(self) -> str:
        named = [p for p in self.periods() if p]
        text = "、".join(named)
        if "" in self.periods():
            text = f"{text}及材料" if text else "材料"
        return text


def parse_pick(value: str) -> Target | None:
    """A card's checkbox value as a target; None for anything malformed (a stale or forged form)."""
    parts = value.split("|")
    # ASCII digits short of SQLite's limit ("²".isdigit() is true; int() refuses it)
    if len(parts) != 4 or not re.fullmatch(r"[0-9]{1,18}", parts[0]) or not parts[1]:
        return None
    periods = tuple(parts[2].split(",")) if parts[2] or "," in parts[2] else ("",)
    kinds = tuple(k for k in parts[3].split(",") if k in REVIEW_KINDS)
    return Target(int(parts[0]), parts[1], periods, kinds=kinds)


def review_queue(desk: Desk, flt: ReviewFilter = ReviewFilter()) -> list[PendingItem]:
    """What waits for review, per unit and indicator, oldest first (the chat's 待审), narrowed
    by `flt`: an item shows only its rows of that period and kind."""
    units = {u.id: u for u in desk.all_units()}
    schemes: dict[str, Scheme] = {}
    items: dict[tuple[int, str], PendingItem] = {}
    wanted = set(flt.units) if flt.units is not None else None

    def item(unit_id: int, code: str, at: str) -> PendingItem:
        it = items.get((unit_id, code))
        if it is None:
            the_unit = units[unit_id]
            if the_unit.kind not in schemes:  # each unit's item is its own scheme's
                schemes[the_unit.kind] = desk.scheme_of(the_unit)
            it = items[(unit_id, code)] = PendingItem(the_unit, schemes[the_unit.kind].indicator(code),
                                                      code, at)
        it.since = min(it.since, at)
        return it

    def keep(unit_id: int, code: str, period: str | None, kind: str) -> bool:
        return ((wanted is None or unit_id in wanted) and flt.indicator in (None, code)
                and flt.period in (None, period or "") and flt.kind in (None, kind))

    uid = flt.units[0] if flt.units is not None and len(flt.units) == 1 else None
    waiting, files = subs.awaiting_review(desk.db, uid)  # a closed year's are frozen
    for s in waiting:
        if keep(s.unit_id, s.indicator, s.period, s.kind):
            item(s.unit_id, s.indicator, s.received_at).submissions.append(s)
    for e in files:
        if keep(e["unit_id"], e["indicator"], e.get("period"), "file"):
            item(e["unit_id"], e["indicator"], e["received_at"]).files.append(e)
    for it in items.values():
        it.submissions.sort(key=lambda s: s.id)
        it.files.sort(key=lambda e: e["id"])
    return sorted(items.values(), key=lambda it: it.since)


# ---- 截止 -------------------------------------------------------------------------------------

def year_calendar(desk: Desk) -> list[tuple[date, Indicator, Deadline]]:
    """Every deadline of the assessment year's periods, soonest first (holidays applied)."""
    out = []
    for ind in desk.indicators(None):
        due = ind.due
        if due is None:
            continue
        periods = ([due.date.isoformat()] if due.frequency == "once" and due.date else
                   [] if due.frequency == "once" else periods_in_year(due.frequency, desk.office.year))
        for p in periods:
            info = deadline_info(desk.cal, due.frequency, p, due.day, due.date)
            out.append((info.deadline, ind, info))
    return sorted(out, key=lambda t: (t[0], t[1].code))


# ---- what the forms offer ---------------------------------------------------------------------

def point_targets(scheme: Scheme, staff_only_metrics: Any) -> list[tuple[str, str]]:
    """What 打分 can set, as (form value, label): each 酌情 part, and each value only the
    office enters (the chat's `打分 单位 指标 名称=值`)."""
    out = []
    for _, ind in scheme.indicators():
        parts = [p for p in ind.parts if p.kind == "discretionary"]
        numbers = {m.name: printed_number(ind, m) for m in enterable(ind)}
        for p in parts:  # named by the number the chat prints before it (打分 单位 指标 4=2)
            cap = p.max_points if p.max_points is not None else ind.max_points
            out.append((f"{ind.code}|{numbers.get(p.metric, '') if len(parts) > 1 else ''}",
                        f"{ind.code} {ind.name} · {p.label or '酌情计分'}（0–{fmt(cap)} 分）"))
        for m in staff_only_metrics(ind):
            if any(p.metric == m.name for p in parts) or m.by_office:
                continue  # a finding (瞒报条数) is a figure: the 代报 form enters it
            out.append((f"{ind.code}|{printed_number(ind, m)}", f"{ind.code} {ind.name} · {m.label}"))
    return out


def metric_labels(desk: Desk) -> dict[str, dict[str, str]]:
    """Per indicator, each metric's Chinese label (submissions store the metric names)."""
    return {i.code: {m.name: m.label for m in i.metrics} for _, i in desk.office.scheme.indicators()}


def indicator_names(desk: Desk) -> dict[str, str]:
    return {i.code: i.name for _, i in desk.office.scheme.indicators()}


def value_shower(desk: Desk, show_value: Any) -> Any:
    """show(code, metric name, value): a stored value as the chat shows it (是/否, 0.975 →
    97.5%), with the chat's own `show_value` (bot.numbers, handed over by the bridge)."""
    metrics = {i.code: {m.name: m for m in i.metrics} for _, i in desk.office.scheme.indicators()}

    def show(code: str, name: str, value: Any) -> str:
        if value is True or value is False:
            return "是" if value else "否"
        m = metrics.get(code, {}).get(name)
        try:
            return show_value(m, value) if m is not None else str(value)
        except (TypeError, ValueError, ArithmeticError):  # a text where a figure was expected
            return str(value)
    return show
