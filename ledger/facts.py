"""From the ledger to the plain facts the scoring engine reads.

An `Office` (ledger.office) is one scheme in one assessment year. For unit-level schemes
each unit gets its own facts; for a city scheme (示范城市) the departments' submissions together
make the city's facts, and a department is answerable for the items naming it as 责任单位.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from collections.abc import Callable
from typing import Any

import sqlite_utils

from ledger.office import Office, init_office, office, open_years, year_status
from ledger.submissions import Submission, latest_by_indicator, list_adjustments, list_evidence
from ledger.responsibility import answers_for
from ledger.units import Unit, list_units
from worktime.calendar import WorkCalendar
from worktime.period import (KIND_OF_FREQUENCY, DeadlineCalendar, Period, deadline,
                             period_of_submission, periods_in_year)
from schemes.asks import needs_report
from schemes.model import Discretionary, Indicator, Scheme

__all__ = ["Office", "office", "init_office", "all_facts", "CITY", "briefing_indicator",
           "period_gaps", "all_period_gaps", "unit_figures", "reports_per_period", "city_facts",
           "filing_year", "other_filing_year"]

CITY = "全市"


def _merge(ind: Indicator, subs: list[Submission]) -> dict[str, Any]:
    """Per unit: the newest value per metric, counts reported per period adding up. Across
    units (the departments of a city scheme): counts add up, other values are the newest."""
    by_unit: dict[int, list[Submission]] = {}
    for s in subs:
        by_unit.setdefault(s.unit_id, []).append(s)
    if len(by_unit) <= 1:
        return _merge_unit(ind, subs)
    counts = {m.name for m in ind.metrics if m.type == "count"}
    out: dict[str, Any] = {}
    # oldest unit first, so the newest unit's non-count values win
    for unit_subs in sorted(by_unit.values(), key=lambda lst: lst[0].id):
        for k, v in _merge_unit(ind, unit_subs).items():
            out[k] = (Decimal(str(out.get(k, 0))) + Decimal(str(v))) if k in counts else v
    return out


def _merge_unit(ind: Indicator, subs: list[Submission]) -> dict[str, Any]:
    """One unit's figures for the year: per metric, the newest figure of each period, added up
    as the metric declares (sum / latest / max; see Metric.adds_up)."""
    per_period = reports_per_period(ind) is not None
    how = {m.name: m.aggregate(per_period) for m in ind.metrics}
    out: dict[str, Any] = {}
    seen_periods: dict[str, set[str]] = {}
    for s in subs:  # newest first
        if s.kind != "data":
            continue
        for k, v in s.metrics.items():
            agg = how.get(k, "latest")
            if agg == "latest" or not per_period:
                out.setdefault(k, v)
                continue
            if s.period in seen_periods.setdefault(k, set()):
                continue  # an older figure for a period already read
            seen_periods[k].add(s.period)
            if k not in out:
                out[k] = Decimal(str(v))
            elif agg == "sum":
                out[k] = Decimal(str(out[k])) + Decimal(str(v))
            else:
                out[k] = max(Decimal(str(out[k])), Decimal(str(v)))
    return out


def reports_per_period(ind: Indicator) -> str | None:
    """'monthly' or 'quarterly' when the indicator's figures are stored per period (its due
    date is monthly/quarterly, or its metrics are reported per month/quarter), else None."""
    if ind.due is not None and ind.due.frequency in ("monthly", "quarterly"):
        return ind.due.frequency
    per = next((m.period for m in ind.metrics if m.period in ("month", "quarter")), None)
    return {"month": "monthly", "quarter": "quarterly"}[per] if per else None


def unit_figures(db: sqlite_utils.Database, unit_id: int, ind: Indicator,
                 year: int) -> dict[str, Any]:
    """A unit's year figures on one indicator, as scored (the reply to a 报送 shows them)."""
    subs = latest_by_indicator(db, year, ind.code, {unit_id}).get(unit_id, {}).get(ind.code, [])
    return _merge_unit(ind, subs)


def _elapsed_periods(ind: Indicator, year: int, today: date, cal: WorkCalendar) -> list[str]:
    due = ind.due
    if due is None or due.frequency == "once":
        return []
    periods = periods_in_year(due.frequency, year)
    return [p for p in periods
            if deadline(cal, due.frequency, p, due.day, due.date) < today]


def _derived(ind: Indicator, subs: list[Submission], year: int, today: date,
             cal: WorkCalendar) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # A rejected briefing does not count as sent, on time or not.
    reports = [s for s in subs if s.kind in ("briefing", "report") and s.status != "rejected"]
    on_time = {s.period for s in reports if s.on_time}
    for m in ind.metrics:
        if m.derived == "on_time_count":
            if reports:
                out[m.name] = len(on_time)
        elif m.derived == "all_on_time":
            elapsed = _elapsed_periods(ind, year, today, cal)
            if elapsed:
                out[m.name] = all(p in on_time for p in elapsed)
            elif reports:
                out[m.name] = bool(on_time)
    return out


def _status(ind: Indicator, subs: list[Submission]) -> str | None:
    data = [s for s in subs if s.kind in ("data", "report", "briefing")]
    if not data:
        return None
    if ind.due is not None and ind.due.frequency in ("monthly", "quarterly"):
        # Each period is reviewed on its own: a rejected month leaves the on-time count (and
        # the rank) without it, it never turns the whole item into "rejected".
        live = [s for s in data if s.status != "rejected"]
        if not live:
            return None
        return "provisional" if any(s.status == "submitted" for s in live) else "accepted"
    latest = data[0].status
    return {"submitted": "provisional", "rejected": "rejected"}.get(latest, "accepted")


def _overdue(ind: Indicator, year: int, today: date, cal: WorkCalendar) -> bool:
    due = ind.due
    if due is None:
        return False
    if due.frequency == "once":
        return due.date is not None and cal.adjust_deadline(due.date) < today
    return bool(_elapsed_periods(ind, year, today, cal))


def _facts_from(scheme: Scheme, year: int, by_ind: dict[str, list[Submission]],
                adjustments: list[dict], evidence: list[dict], today: date,
                cal: WorkCalendar) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for _, ind in scheme.indicators():
        subs = by_ind.get(ind.code, [])
        values = _merge(ind, subs)
        values.update(_derived(ind, subs, year, today, cal))
        entry: dict[str, Any] = dict(values)
        state = _status(ind, subs)
        files = [e for e in evidence if e["indicator"] == ind.code
                 and e["status"] in ("submitted", "accepted", "rejected")]
        if files and state is None:
            state = {"submitted": "provisional", "rejected": "rejected"}.get(files[0]["status"],
                                                                              "accepted")
        if state:
            entry["_status"] = state
            reasons = [s.review_reason for s in subs if s.review_reason]
            if reasons:
                entry["_reject_reason"] = reasons[0]
        if not values and _overdue(ind, year, today, cal):
            entry["_overdue"] = True
        facts[ind.code] = entry
    events: list[str] = []
    for adj in adjustments:
        if adj["kind"] == "event":
            events.append(str(adj["value"]))
            continue
        adjusted = scheme.indicator(adj["indicator"] or "")
        if adjusted is None:
            continue
        entry = facts.setdefault(adjusted.code, {})
        if adj["kind"] == "points":
            value = adj["value"]
            if not isinstance(value, dict):  # one discretionary part: the plain points
                metric = next((p.metric for p in adjusted.parts if isinstance(p, Discretionary)),
                              "points")
                value = {"metric": metric, "points": value}
            entry[value["metric"]] = value["points"]
            if adj["reason"]:
                entry["_reason"] = "；".join(filter(None, [entry.get("_reason"), adj["reason"]]))
            entry.setdefault("_status", "accepted")
        elif adj["kind"] == "deduction":
            metric = adjusted.metrics[0].name if adjusted.metrics else "cases"
            entry[metric] = Decimal(str(entry.get(metric, 0))) + Decimal(str(adj["value"] or 1))
    if events:
        facts["_events"] = events
    return facts


def facts_versions(db: sqlite_utils.Database, off: Office | None = None) -> dict[str, int]:
    """Each unit's facts version (bumped by triggers on its own writes), by unit name; with
    `off`, only the units its scheme assesses."""
    return {name: version for name, version, kind in
            db.execute("SELECT name, facts_version, kind FROM units ORDER BY id").fetchall()
            if off is None or off.assesses(kind)}


def all_facts(db: sqlite_utils.Database, off: Office, today: date,
              cal: WorkCalendar, only: str | None = None,
              units: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """Facts keyed by unit name; for a city scheme a single entry for 全市. With `only` (an
    indicator code, and `off` an office whose scheme holds just that indicator) it reads just
    what that indicator needs — a 报送 reply shows one item, ranked against every unit. With
    `units` (names; not for a city scheme) only those units' facts are built."""
    all_units = [u for u in list_units(db) if off.assesses(u.kind)]
    if off.city_level:
        units = None
    chosen = [u for u in all_units if units is None or u.name in units]
    ids = None if units is None else {u.id for u in chosen}
    subs = latest_by_indicator(db, off.year, only, ids)
    adjs = [a for a in list_adjustments(db, year=off.year) if (only is None or a["indicator"] == only)
            and (ids is None or a["unit_id"] in ids)]
    files = [e for e in list_evidence(db, year=off.year) if (only is None or e["indicator"] == only)
             and (ids is None or e["unit_id"] in ids)]
    adjs_of: dict[int, list[dict]] = {}
    for a in adjs:
        adjs_of.setdefault(a["unit_id"], []).append(a)
    files_of: dict[int, list[dict]] = {}
    for e in files:
        files_of.setdefault(e["unit_id"], []).append(e)
    if off.city_level:
        found = {CITY: city_facts(off, chosen, subs, adjs_of, files_of, today, cal)}
    else:
        found = {u.name: _facts_from(off.scheme, off.year, subs.get(u.id, {}),
                                     adjs_of.get(u.id, []), files_of.get(u.id, []), today, cal)
                 for u in chosen}
    if year_status(db, off.year) == "closed":
        _frozen(found)
    return found


def _frozen(facts: dict[str, dict[str, Any]]) -> None:
    """A closed year's results are final as they stood: what was still waiting for review is
    never reviewed, so it is no longer 待审核 (provisional) but scored as it is."""
    for unit in facts.values():
        for entry in unit.values():
            if isinstance(entry, dict) and entry.get("_status") == "provisional":
                entry["_status"] = "accepted"


def city_facts(off: Office, units: list[Unit], subs: dict[int, dict[str, list[Submission]]],
               adjs_of: dict[int, list[dict]], files_of: dict[int, list[dict]], today: date,
               cal: WorkCalendar) -> dict[str, Any]:
    """The city's facts: the departments' submissions together make the city's figures. An
    item scored per responsible unit (`per_unit`) keeps each unit's own figures instead, under
    `_units` (unit name -> that unit's entry), for the engine to score one by one — a unit
    named as responsible is there even before it sends anything, as is any unit with records."""
    merged: dict[str, list[Submission]] = {}
    for u in units:
        for code, lst in subs.get(u.id, {}).items():
            merged.setdefault(code, []).extend(lst)
    for lst in merged.values():
        lst.sort(key=lambda s: s.id, reverse=True)
    every_adj = [a for u in units for a in adjs_of.get(u.id, [])]
    every_file = [e for u in units for e in files_of.get(u.id, [])]
    facts = _facts_from(off.scheme, off.year, merged, every_adj, every_file, today, cal)
    for cat, ind in off.scheme.indicators():
        if ind.per_unit is None:
            continue
        own = off.scheme.model_copy(update={"categories": [cat.model_copy(update={"indicators": [ind]})]})
        entries: dict[str, Any] = {}
        for u in units:
            adjs = [a for a in adjs_of.get(u.id, []) if a["indicator"] == ind.code]
            files = [e for e in files_of.get(u.id, []) if e["indicator"] == ind.code]
            mine = subs.get(u.id, {}).get(ind.code, [])
            if answers_for(ind, u) or mine or adjs or files:
                entries[u.name] = _facts_from(own, off.year, {ind.code: mine}, adjs, files,
                                              today, cal).get(ind.code, {})
        facts[ind.code] = {"_units": entries}
    return facts


def single_indicator(off: Office, code: str) -> Office | None:
    """The office narrowed to one indicator, or None when another indicator can change its
    points (an applicability transfer), so only the whole scheme gives the right answer."""
    if any(ind.applies for _, ind in off.scheme.indicators()):
        return None
    for cat, ind in off.scheme.indicators():
        if ind.code == code:
            narrow = cat.model_copy(update={"indicators": [ind]})
            return Office(off.scheme.model_copy(update={"categories": [narrow]}), off.year,
                          off.kinds, off.open_years)
    return None


def briefing_indicator(scheme: Scheme) -> Indicator | None:
    """The indicator that takes the monthly briefing: alias 月报, else the first monthly one."""
    return briefing_of([i for _, i in scheme.indicators()])


def briefing_of(inds: list[Indicator]) -> Indicator | None:
    """briefing_indicator over a list of a scheme's indicators. Without the alias, the first
    monthly item that counts reports on time; a monthly figure (每月5日前报送上月案例, as drafts
    from other cities have) is data, not the 月报."""
    for i in inds:
        if "月报" in i.aliases:
            return i
    return next((i for i in inds if i.due and i.due.frequency == "monthly"
                 and any(m.derived in ("on_time_count", "all_on_time") for m in i.metrics)), None)


def filing_year(db: sqlite_utils.Database, ind: Indicator, today: date, cal: WorkCalendar,
                default: int, filed: Callable[[int], bool] | None = None) -> int:
    """With two years open and no period named, a yearly item goes to the year whose deadline
    comes next (in January: last year's year-end items) unless that year's record is already
    in (`filed`) — then it is the new year's, as a 月报 sent in January is this month's once
    December is in; past every deadline, the latest. Otherwise `default` (the year spoken of)."""
    years = open_years(db)
    due = ind.due
    if len(years) < 2 or due is None or due.frequency != "yearly":
        return default
    newest = max(years)
    ahead = [y for y in years
             if deadline(cal, "yearly", str(y), due.day, due.date) >= today
             and (y == newest or filed is None or not filed(y))]
    return min(ahead) if ahead else newest


def other_filing_year(db: sqlite_utils.Database, ind: Indicator, year: int) -> int | None:
    """The other open year a yearly item could go to in January (the reply shows how), or
    None when only one year is open or the item is not yearly."""
    years = open_years(db)
    if len(years) < 2 or ind.due is None or ind.due.frequency != "yearly":
        return None
    others = [y for y in years if y != year]
    return min(others, key=lambda y: abs(y - year)) if others else None


def default_period(ind: Indicator, year: int, today: date, cal: WorkCalendar | None = None) -> str:
    """The period a data submission made today counts for."""
    per = reports_per_period(ind)
    if per is not None and (ind.due is None or ind.due.frequency not in ("monthly", "quarterly")):
        # reported as it happens: this month's (quarter's) figure, within the year spoken of
        kind = KIND_OF_FREQUENCY[per]
        return str(Period.containing(kind, today if today.year == year else date(year, 12, 31)))
    if ind.due is None or ind.due.frequency == "yearly":
        return str(year)
    if ind.due.frequency == "once":
        return ind.due.date.isoformat() if ind.due.date else str(year)
    return period_of_submission(ind.due.frequency, today, ind.due.day, cal=cal)


def period_gaps(db: sqlite_utils.Database, off: Office, unit_id: int, today: date,
                cal: DeadlineCalendar) -> dict[str, list[tuple[str, str, date]]]:
    """Per periodic indicator of a report (月报, quarterly 台账), each elapsed period that is not
    in on time: (period, 'missing' | 'late' | 'rejected', deadline), oldest first. Figures do
    not complete a 台账 period; only its files (or the briefing) do."""
    return all_period_gaps(db, off, today, cal, [unit_id]).get(unit_id, {})


def all_period_gaps(db: sqlite_utils.Database, off: Office, today: date, cal: DeadlineCalendar,
                    unit_ids: list[int]) -> dict[int, dict[str, list[tuple[str, str, date]]]]:
    """`period_gaps` of many units in one query, each deadline worked out once (a 200-unit
    grid asked the calendar 4,000 times)."""
    briefing = briefing_indicator(off.scheme)
    marks = ",".join("?" * len(unit_ids)) or "NULL"
    by_unit: dict[int, list[tuple]] = {u: [] for u in unit_ids}
    for unit_id, *row in db.execute(
            "SELECT unit_id, indicator, period, kind, status, on_time FROM submissions WHERE "
            f"unit_id IN ({marks}) AND period LIKE ? AND status IN ('submitted', 'accepted', "
            "'rejected')", [*unit_ids, f"{off.year}%"]).fetchall():
        by_unit[unit_id].append(tuple(row))
    items = []
    for _, ind in off.scheme.indicators():
        is_briefing = briefing is not None and ind.code == briefing.code
        if not (is_briefing or needs_report(ind)) or ind.due is None:
            continue
        due = ind.due
        items.append((ind, ("briefing",) if is_briefing else ("report", "briefing"),
                      [(p, deadline(cal, due.frequency, p, due.day, due.date))
                       for p in periods_in_year(due.frequency, off.year)]))
    rank = {"ok": 3, "late": 2, "rejected": 1}
    out: dict[int, dict[str, list[tuple[str, str, date]]]] = {}
    for unit_id, rows in by_unit.items():
        mine: dict[str, list[tuple[str, str, date]]] = {}
        for ind, kinds, periods in items:
            state: dict[str, str] = {}
            for code, period, kind, status, on_time in rows:
                if code != ind.code or kind not in kinds:
                    continue
                now = "rejected" if status == "rejected" else "ok" if on_time else "late"
                if rank[now] > rank.get(state.get(period, ""), 0):
                    state[period] = now
            gaps = []
            for period, dl in periods:
                got = state.get(period)
                if got == "ok" or (got is None and dl >= today):
                    continue
                gaps.append((period, got or "missing", dl))
            if gaps:
                mine[ind.code] = gaps
        if mine:
            out[unit_id] = mine
    return out
