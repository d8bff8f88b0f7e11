"""score(scheme, facts, peers) -> Scorecard. Pure: no Flask, no DB, no clock.

Facts are plain values: `{indicator code: {metric name: value}}`. Reserved keys in an
indicator's mapping: `_status` ("provisional" | "rejected" | "accepted"), `_overdue` (bool, the
ledger knows the calendar), `_reason` (for 酌情计分), `_reject_reason`. Reserved top-level key
`_events`: a list of downgrade event ids or names (重大失信事件).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from schemes.expr import ExprError, evaluate
from schemes.model import Category, Indicator, Scheme
from scoring.card import ItemCard, PartResult, Scorecard, fmt, q
from scoring.rules import (PartContext, prepared_values, as_bool, rank_points, score_part, spoken,
                           to_decimal)

__all__ = ["score", "score_all", "rescore", "Scored", "RankTable", "build_ranks", "grade"]

ZERO = Decimal(0)
Facts = Mapping[str, Any]
RankTable = dict[tuple[str, int], dict[str, tuple[Decimal, str]]]
SELF = "\x00self"


def _metric_values(facts: Facts, ind: Indicator) -> dict[str, Any]:
    """An indicator's values, with the default of each office-entered value the office has not
    entered yet (瞒报条数 0 until a finding is entered)."""
    raw = facts.get(ind.code) or {}
    values = {k: v for k, v in raw.items() if not str(k).startswith("_") and v is not None}
    for name in _defaulted(values, ind):
        values[name] = next(m.default for m in ind.metrics if m.name == name)
    return values


def _defaulted(values: Mapping[str, Any], ind: Indicator) -> frozenset[str]:
    """The office-entered values standing at their default: none entered."""
    return frozenset(m.name for m in ind.metrics
                     if m.default is not None and values.get(m.name) is None)


def build_ranks(scheme: Scheme, facts_by_unit: Mapping[str, Facts]) -> RankTable:
    """Points of every unit on every rank part, computed once for all units."""
    return _ranks(scheme, facts_by_unit)[0]


RankValues = dict[tuple[str, int], dict[str, Decimal | None]]


def _ranks(scheme: Scheme, facts_by_unit: Mapping[str, Facts], previous: "Scored | None" = None,
           changed: set[str] | None = None) -> tuple[RankTable, RankValues]:
    """The rank table and the values ranked. With `previous` and `changed`, only the changed
    units' values are evaluated again, and a part whose values did not move keeps its points
    (one 报送 moves one indicator's ranking, not every ranking)."""
    table: RankTable = {}
    ranked: RankValues = {}
    prev = previous if previous is not None and changed is not None and \
        set(previous.facts) == set(facts_by_unit) else None
    for _, ind in scheme.indicators():
        for idx, part in enumerate(ind.parts):
            if part.kind != "rank":
                continue
            key = (ind.code, idx)
            old = prev.rank_values.get(key) if prev is not None else None
            values: dict[str, Decimal | None] = dict(old) if old is not None else {}
            for unit, facts in facts_by_unit.items():
                if old is not None and changed is not None and unit not in changed:
                    continue
                vals = _metric_values(facts, ind)
                try:
                    values[unit] = to_decimal(evaluate(part.value, prepared_values(vals, ind)))
                except (ExprError, ArithmeticError):
                    values[unit] = None
            ranked[key] = values
            table[key] = (prev.ranks[key] if prev is not None and old is not None and old == values
                          and key in prev.ranks else rank_points(part, values))
    return table, ranked


def grade(scheme: Scheme, total: Decimal, events: list[str],
          barred: tuple[str, ...] | list[str] = ()) -> tuple[str | None, str | None, list[str]]:
    """The band for a total, then one band down per downgrade event (吕梁: 重大失信事件); a failed
    一票否优 item (`barred`) keeps the unit out of the top band without taking points."""
    if not scheme.bands:
        return None, None, []
    names = [b.name for b in scheme.bands]
    idx = next((i for i, b in enumerate(scheme.bands) if total >= b.min), len(names) - 1)
    before = names[idx]
    hit = []
    for ev in scheme.downgrade_events:
        if ev.id in events or ev.name in events:
            idx = min(idx + ev.levels, len(names) - 1)
            hit.append(ev.name)
    if barred and idx == 0 and len(names) > 1:
        idx = 1
        hit.append(f"一票否优（{'、'.join(barred)}）")
    return names[idx], before, hit


def _applicable(ind: Indicator, values: Mapping[str, Any]) -> bool:
    if ind.applies is None:
        return True
    try:
        return bool(evaluate(ind.applies.expr, prepared_values(values, ind)))
    except ExprError:
        return True  # without the data to decide, it applies


def _apply_requires(ind: Indicator, parts: list[PartResult]) -> None:
    if not any(p.requires for p in ind.parts):
        return
    ids = [p.id or f"p{n + 1}" for n, p in enumerate(ind.parts)]
    by_id = dict(zip(ids, parts))
    for part, res in zip(ind.parts, parts):
        failed = [r for r in part.requires if by_id[r].points <= 0]
        if failed and res.points != 0:
            names = "、".join(by_id[r].label or f"第{ids.index(r) + 1}部分" for r in failed)
            res.explain += f"；但「{names}」未得分，本项也不得分"
            res.points = ZERO
            res.exact = None


def _item(cat: Category, ind: Indicator, facts: Facts, ranks: RankTable, unit: str) -> ItemCard:
    raw = facts.get(ind.code) or {}
    if ind.per_unit is not None and isinstance(raw.get("_units"), Mapping):
        return _per_unit_item(cat, ind, raw["_units"])
    return _plain_item(cat, ind, facts, ranks, unit)


PER_UNIT_ZH = {"mean": "平均", "lowest": "最低", "sum": "合计"}
# The city's line on an item scored per unit: the most pressing of its units' states.
_CITY_STATE = ("rejected", "overdue", "missing", "provisional", "scored")


def _per_unit_item(cat: Category, ind: Indicator, entries: Mapping[str, Facts]) -> ItemCard:
    """各责任单位分别计分: each unit's entry is scored as its own item (rank parts ranked among
    these units), and the city's points are their mean, lowest or sum, as declared."""
    ranks: RankTable = {}
    for idx, part in enumerate(ind.parts):
        if part.kind == "rank":
            values: dict[str, Decimal | None] = {}
            for u, entry in entries.items():
                vals = _metric_values({ind.code: entry}, ind)
                try:
                    values[u] = to_decimal(evaluate(part.value, prepared_values(vals, ind)))
                except (ExprError, ArithmeticError):
                    values[u] = None
            ranks[(ind.code, idx)] = rank_points(part, values)
    units = {u: _plain_item(cat, ind, {ind.code: entry}, ranks, u) for u, entry in entries.items()}
    if not units:
        city = _plain_item(cat, ind, {}, ranks, SELF)
        city.explain = "各责任单位分别计分，但方案列出的责任单位都不在本办单位中"
        return city
    how = ind.per_unit or "mean"
    got = [i.value or ZERO for i in units.values()]
    exact = {"mean": sum(got, ZERO) / len(got), "lowest": min(got), "sum": sum(got, ZERO)}[how]
    cap = ind.max_points
    if cap is not None:
        exact = max(exact, -cap) if cat.section == "deduction" else min(max(exact, ZERO), cap)
    states = {i.status for i in units.values()}
    status = next((s for s in _CITY_STATE if s in states), "scored")
    listing = "、".join(f"{u} {fmt(i.points)}分" if i.status not in ("missing", "overdue")
                       else f"{u} 未报送（{fmt(i.points)}分）" for u, i in units.items())
    explain = f"各责任单位分别计分，全市取{PER_UNIT_ZH[how]}：{listing}，全市本项 {fmt(q(exact))} 分"
    missing = [f"{u}：{m}" for u, i in units.items() for m in i.missing]
    return ItemCard(ind.code, ind.name, cat.name, cat.section, q(exact), ind.max_points, status,
                    explain, missing, evidence=ind.evidence,
                    responsible=list(ind.lead) + list(ind.responsible), note=ind.note,
                    exact=exact, units=units, per_unit=how)


def _plain_item(cat: Category, ind: Indicator, facts: Facts, ranks: RankTable, unit: str) -> ItemCard:
    raw = facts.get(ind.code) or {}
    values = _metric_values(facts, ind)
    defaulted = _defaulted(raw, ind)
    base = ItemCard(ind.code, ind.name, cat.name, cat.section, None, ind.max_points, "missing", "",
                    gate=ind.gate.kind if ind.gate else None, evidence=ind.evidence,
                    responsible=list(ind.lead) + list(ind.responsible), note=ind.note)
    if ind.applies is not None and not _applicable(ind, values):
        base.status, base.points = "not_applicable", None
        base.explain = ind.applies.text or f"不适用（{spoken(ind, ind.applies.expr)} 不成立）"
        return base
    parts: list[PartResult] = []
    for idx, part in enumerate(ind.parts):
        cap = part.max_points if part.max_points is not None else ind.max_points
        ctx = PartContext(ind, values, cap,
                          lambda i: ranks.get((ind.code, i), {}).get(unit), idx,
                          str(raw.get("_reason") or ""), defaulted)
        parts.append(score_part(part, ctx))
    _apply_requires(ind, parts)
    base.parts = parts
    total = sum((p.value for p in parts), ZERO)  # exact: rounded once, below and in totals
    if cat.section == "deduction":
        base.exact = max(total, -(ind.max_points or -total))
    elif ind.max_points is not None:
        base.exact = min(max(total, ZERO), ind.max_points)
    base.points = None if base.exact is None else q(base.exact)
    base.missing = [m for p in parts for m in p.missing]
    base.explain = "；".join(_part_line(p, len(parts)) for p in parts)
    if ind.gate:
        ok = as_bool(values.get(ind.gate.metric))
        base.gate_passed = ok if ind.gate.metric in values else None
    base.status = _status(cat, ind, raw, values)
    if base.status == "rejected":
        if cat.section != "deduction":
            base.points = base.exact = ZERO
        reason = raw.get("_reject_reason") or ""
        base.missing.insert(0, f"材料被驳回{('：' + reason) if reason else ''}，请补正后重新报送")
    return base


def _part_line(p: PartResult, n: int) -> str:
    head = f"{p.label}：" if p.label and n > 1 else ""
    return head + p.explain


def _status(cat: Category, ind: Indicator, raw: Mapping[str, Any], values: Mapping[str, Any]) -> str:
    if cat.section == "deduction":
        return "scored"  # no event reported means no deduction
    typed = {m.name for m in ind.metrics if not m.derived and not m.by_office}
    # derived values and the office's findings alone do not make a submission
    if typed and not typed & set(values):
        values = {}
    state = raw.get("_status")
    if not values:
        # Evidence sent but no data yet (a 基础指标 awaiting the office's confirmation): the
        # item is submitted, not missing.
        if state in ("provisional", "rejected") and cat.section != "tasks":
            return str(state)
        return "overdue" if raw.get("_overdue") else "missing"
    if state == "rejected":
        return "rejected"
    if cat.section == "tasks":
        return "reported"
    return "provisional" if state == "provisional" else "scored"


def _transfer(items: list[ItemCard], scheme: Scheme) -> None:
    """不适用 items hand their max points to the named indicator, which is scaled up."""
    by_code = {i.code: i for i in items}
    for _, ind in scheme.indicators():
        item = by_code[ind.code]
        if item.status != "not_applicable" or not ind.applies or not ind.applies.transfer_to:
            continue
        target = by_code[ind.applies.transfer_to]
        moved = ind.max_points or ZERO
        if target.max_points and target.points is not None:
            scale = (target.max_points + moved) / target.max_points
            target.exact = (target.value or ZERO) * scale
            target.points = q(target.exact)
            target.explain += f"；含{ind.code}「{ind.name}」不适用转入的{fmt(moved)}分（按比例折算）"
        target.max_points = (target.max_points or ZERO) + moved
        item.explain += f"，其{fmt(moved)}分转入{target.code}「{target.name}」"


def score(scheme: Scheme, facts: Facts, peers: Mapping[str, Facts] | None = None,
          unit: str | None = None, ranks: RankTable | None = None) -> Scorecard:
    """Score one unit. `peers` are all units' facts (for rank rules); `unit` names this one in
    them. Without peers a rank rule ranks the unit alone."""
    if ranks is None:
        pool = dict(peers or {})
        key = unit if unit is not None and unit in pool else SELF
        pool[key] = facts
        ranks, unit = build_ranks(scheme, pool), key
    items = [_item(cat, ind, facts, ranks, unit or SELF) for cat, ind in scheme.indicators()]
    _transfer(items, scheme)
    return _totals(scheme, items, facts, None if unit == SELF else unit)


def _sum(items: list[ItemCard], section: str) -> Decimal:
    """Exact: the items' unrounded points, so a total is rounded once."""
    return sum((i.value or ZERO for i in items if i.section == section), ZERO)


def _totals(scheme: Scheme, items: list[ItemCard], facts: Facts, unit: str | None) -> Scorecard:
    cats = []
    for cat in scheme.categories:
        mine = [i for i in items if i.category == cat.name and i.section == cat.section]
        pts = None if cat.section in ("tasks", "gate") else q(sum((i.value or ZERO for i in mine), ZERO))
        # 不适用 items do not count towards the category's max (their points moved or lapsed)
        mx = None if pts is None else sum((i.max_points or ZERO for i in mine
                                           if i.status != "not_applicable"), ZERO)
        cats.append((cat.name, pts, mx))
    gates = [i.gate_passed for i in items if i.gate and i.gate != "no_excellent"]
    gates_passed = all(g is True for g in gates)
    barred = [f"{i.code} {i.name}" for i in items if i.gate == "no_excellent" and i.gate_passed is False]
    events = [str(e) for e in (facts.get("_events") or [])]
    if scheme.base_total is None:
        return Scorecard(scheme.id, unit, items, None, None, None, None, None, None, gates_passed,
                         gates_passed, events, categories=cats)
    base = _sum(items, "base")
    bonus = _sum(items, "bonus")
    if scheme.bonus_cap is not None:
        bonus = min(bonus, scheme.bonus_cap)
    deductions = -_sum(items, "deduction")
    if scheme.deduction_cap is not None:
        deductions = min(deductions, scheme.deduction_cap)
    total = max(base + bonus - deductions, ZERO)
    band, before, hit = grade(scheme, total, events, barred)
    return Scorecard(scheme.id, unit, items, q(base), q(bonus), q(deductions), q(total), band,
                     before, gates_passed, gates_passed, hit or events, categories=cats)


@dataclass(frozen=True)
class Scored:
    """Every unit's facts, rank table and card: what `rescore` needs to redo only the part a
    change touched. Cards in it are never modified after it is built."""

    facts: Mapping[str, Facts]
    ranks: RankTable
    cards: dict[str, Scorecard]
    rank_values: RankValues = field(default_factory=dict)


def _rank_totals(cards: dict[str, Scorecard]) -> None:
    order = sorted((c.total or ZERO for c in cards.values()), reverse=True)
    first: dict[Decimal, int] = {}
    for pos, total in enumerate(order, start=1):
        first.setdefault(total, pos)  # ties share the better rank
    for c in cards.values():
        c.rank = first[c.total or ZERO] if c.total is not None else None
        c.rank_of = len(cards)


def rescore(scheme: Scheme, facts_by_unit: Mapping[str, Facts], previous: Scored | None = None,
            changed: set[str] | None = None) -> Scored:
    """Score every unit, reusing `previous` for units whose own facts did not change and whose
    rank points are the same as before: the result equals a full `score_all`.

    `changed` names the units whose facts may differ from `previous.facts` (None: compare)."""
    ranks, values = _ranks(scheme, facts_by_unit, previous, changed)
    moved: dict[str, set[str]] = {}  # unit -> indicators whose rank points alone moved
    if previous is None:
        redo = set(facts_by_unit)
    else:
        redo = set(changed) if changed is not None else {
            u for u, f in facts_by_unit.items() if previous.facts.get(u) != f}
        redo |= set(facts_by_unit) - set(previous.cards)
        for key, points in ranks.items():
            before = previous.ranks.get(key, {})
            if before is points:
                continue
            for u, p in points.items():
                if before.get(u) != p:
                    moved.setdefault(u, set()).add(key[0])
    # A transfer of points between indicators (适用条件) can touch any item: score whole cards.
    whole = any(ind.applies for _, ind in scheme.indicators())
    cards = {}
    for u, f in facts_by_unit.items():
        if previous is None or u in redo or (u in moved and whole):
            cards[u] = score(scheme, f, unit=u, ranks=ranks)
        elif u in moved:
            cards[u] = _rescore_items(scheme, previous.cards[u], f, ranks, u, moved[u])
        else:
            cards[u] = copy.copy(previous.cards[u])  # a shallow copy: only rank fields change
    _rank_totals(cards)
    return Scored(dict(facts_by_unit), ranks, cards, values)


def _rescore_items(scheme: Scheme, card: Scorecard, facts: Facts, ranks: RankTable, unit: str,
                   codes: set[str]) -> Scorecard:
    """A unit whose own facts did not change, but whose rank points on `codes` did: those
    items are scored again, the others are the previous card's (items are never modified once
    built when no indicator transfers points)."""
    items = [_item(cat, ind, facts, ranks, unit) if ind.code in codes else old
             for (cat, ind), old in zip(scheme.indicators(), card.items)]
    return _totals(scheme, items, facts, unit)


def score_all(scheme: Scheme, facts_by_unit: Mapping[str, Facts]) -> dict[str, Scorecard]:
    """Score every unit with rank rules over all of them, then rank the totals."""
    return rescore(scheme, facts_by_unit).cards
