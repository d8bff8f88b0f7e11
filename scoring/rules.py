"""One scoring function per rule kind, in a registry keyed by `kind`.

Each function takes the part, the indicator's metric values and a context, and returns a
`PartResult` whose `explain` says in Chinese what was read and how the points were reached.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

from schemes.expr import ExprError, MissingName, bar_gap, evaluate, in_words, names_in
from schemes.model import (Bands, Checklist, Deduction, Discretionary, Formula, Indicator,
                           PassFail, PerItem, Piece, Piecewise, Rank, Task, metrics_read)
from scoring.card import PartResult, fmt, q

__all__ = ["RULES", "PartContext", "score_part", "as_bool", "rank_points", "to_decimal",
           "prepared_values", "spoken", "tie_notes", "PLACE_TIES"]

ZERO = Decimal(0)


@dataclass
class PartContext:
    indicator: Indicator
    values: Mapping[str, Any]
    cap: Decimal | None  # the part's own max, else the indicator's
    rank: Callable[[int], tuple[Decimal, str] | None]  # part index -> (points, explain)
    index: int
    reason: str = ""
    # office-entered values the office has not entered: their default stands, and the
    # explanation says so (未录入，按 0 计)
    defaulted: frozenset[str] = frozenset()


def as_bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, Decimal)):
        return v != 0
    if isinstance(v, str):
        t = v.strip().lower()
        if t in ("是", "有", "已", "yes", "y", "true", "1", "√", "✓", "通过", "达标", "完成", "已完成"):
            return True
        if t in ("否", "无", "未", "no", "n", "false", "0", "×", "未通过", "不达标", "未完成"):
            return False
    return None


def _label(ind: Indicator, name: str) -> str:
    for m in ind.metrics:
        if m.name == name:
            return m.label
    return name


def spoken(ind: Indicator, expr: str, x: str | None = None) -> str:
    """A formula of this indicator in its metrics' labels (`x`, a piece's value, as `x` says)."""
    names = {m.name: m.label for m in ind.metrics}
    if x is not None:
        names["x"] = x
    return in_words(expr, names)


def _show(ind: Indicator, name: str, v: Any, defaulted: frozenset[str] = frozenset()) -> str:
    for m in ind.metrics:
        if m.name == name:
            if m.type == "bool":
                shown = '是' if as_bool(v) else '否'
            elif m.type == "percent" and isinstance(v, (int, float, Decimal)):
                shown = f"{fmt(Decimal(str(v)) * 100)}%"
            else:
                num = isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)
                shown = f"{fmt(Decimal(str(v))) if num else v}{m.unit}"
            if name in defaulted:  # the office has entered nothing: its default stands
                return f"{m.label}：信用办未录入，按{shown}计"
            return f"{m.label}：{shown}" if m.type == "bool" else f"{m.label} {shown}"
    return f"{v}"  # not a metric of this indicator (scheme check refuses such a formula)


def _seen(ctx: "PartContext", name: str) -> str:
    """A value read by a part as the explanation shows it (its default marked as such)."""
    return _show(ctx.indicator, name, ctx.values[name], ctx.defaulted)


def _clamp(v: Decimal, lo: Decimal, hi: Decimal | None) -> Decimal:
    v = max(v, lo)
    return min(v, hi) if hi is not None else v


def prepared_values(values: Mapping[str, Any], ind: Indicator) -> dict[str, Any]:
    """Booleans typed as 是/否 become True/False so formulas and eq: true/false can read them."""
    out = dict(values)
    for m in ind.metrics:
        if m.type == "bool" and m.name in out:
            b = as_bool(out[m.name])
            if b is not None:
                out[m.name] = b
    return out


def _checklist(part: Checklist, ctx: PartContext) -> PartResult:
    total, bits, missing = ZERO, [], []
    for item in part.items:
        label = item.label or _label(ctx.indicator, item.metric)
        if item.metric not in ctx.values:
            missing.append(_label(ctx.indicator, item.metric))
            bits.append(f"{label}：未报送，0分")
            continue
        met = as_bool(ctx.values[item.metric]) == item.when
        got = item.points if met else ZERO
        total = max(total, got) if part.one_of else total + got
        said = '是' if as_bool(ctx.values[item.metric]) else '否'
        if item.metric in ctx.defaulted:
            said = f"信用办未录入，按{said}计"
        bits.append(f"{label}：{said}，{fmt(got)}分")
    if part.one_of and total > 0:
        # one grade met is the choice made: the other grades are not missing, nor worth listing
        missing = []
        bits = [b for b in bits if not b.endswith("未报送，0分")]
    pts = _clamp(total, ZERO, ctx.cap)
    capped = "（已达上限）" if pts < total else ""
    if part.one_of:
        capped += f"（各档只取其一，取最高的{fmt(pts)}分）"
    return PartResult(part.label, part.kind, pts, ctx.cap, "；".join(bits) + capped, missing,
                      not missing)


def to_decimal(v: float) -> Decimal:
    """A computed value as Decimal without binary-float noise (0.1*3 -> 0.3, not 0.30000000000000004),
    so that floor() in 每10个 / 每降低1% rules counts whole steps."""
    return Decimal(repr(float(v))).quantize(Decimal("1e-9")).normalize()


def _value(part: PerItem | Piecewise | Bands | Rank | Deduction, ctx: PartContext) -> Decimal:
    return to_decimal(evaluate(part.value, prepared_values(ctx.values, ctx.indicator)))


def _unit(ctx: PartContext, expr: str) -> str:
    """The unit of the single metric an expression reads (个, 件 …), else ''."""
    names = names_in(expr)
    for m in ctx.indicator.metrics:
        if names == {m.name} and m.type != "percent":
            return m.unit
    return ""


def _is_percent(ctx: PartContext, expr: str) -> bool:
    names = names_in(expr)
    return any(names == {m.name} and m.type == "percent" and expr.strip() == m.name
               for m in ctx.indicator.metrics)


def _per_item(part: PerItem, ctx: PartContext) -> PartResult:
    v = _value(part, ctx)
    if part.base:
        steps = 0 if v < part.base else 1 + math.floor((v - part.base) / part.per) if part.per else 1
        raw = part.points * steps
        how = f"达到{fmt(part.base)}得{fmt(part.points)}分，此后每增加{fmt(part.per)}再得{fmt(part.points)}分"
    else:
        steps = math.floor(v / part.per) if part.per else 0
        raw = part.points * steps
        per = "每个" if part.per == 1 else f"每{fmt(part.per)}个"
        how = f"{per}{fmt(part.points)}分"
    pts = _clamp(q(raw), ZERO, ctx.cap)
    cap = f"，最高{fmt(ctx.cap)}分" if ctx.cap is not None else ""
    return PartResult(part.label, part.kind, pts, ctx.cap,
                      f"{_describe_value(part.value, v, ctx)}，{how}{cap}：得{fmt(pts)}分")


def _describe_value(expr: str, v: Decimal, ctx: PartContext) -> str:
    names = sorted(names_in(expr))
    if len(names) == 1 and expr.strip() == names[0]:
        return _seen(ctx, names[0])
    shown = "，".join(_seen(ctx, n) for n in names)
    return f"{shown}；{spoken(ctx.indicator, expr)} = {fmt(v)}"


def _formula(part: Formula, ctx: PartContext) -> PartResult:
    value = evaluate(part.expr, prepared_values(ctx.values, ctx.indicator))
    raw = q(value)
    pts = _clamp(raw, part.floor, ctx.cap)
    exact = _clamp(to_decimal(value), part.floor, ctx.cap)
    names = sorted(names_in(part.expr))
    shown = "，".join(_seen(ctx, n) for n in names)
    cap = f"（上限{fmt(ctx.cap)}分）" if ctx.cap is not None and raw > ctx.cap else ""
    floor = f"（下限{fmt(part.floor)}分）" if raw < part.floor else ""
    return PartResult(part.label, part.kind, pts, ctx.cap,
                      f"{shown}；按公式 {spoken(ctx.indicator, part.expr)} = {fmt(raw)}{cap}{floor}，得{fmt(pts)}分",
                      exact=exact)


def _matches(piece: Piece, x: Decimal) -> bool:
    if piece.lt is not None and not x < piece.lt:
        return False
    if piece.le is not None and not x <= piece.le:
        return False
    if piece.gt is not None and not x > piece.gt:
        return False
    if piece.ge is not None and not x >= piece.ge:
        return False
    if piece.eq is not None:
        target = Decimal(1 if piece.eq else 0) if isinstance(piece.eq, bool) else Decimal(str(piece.eq))
        if x != target:
            return False
    return True


def _cond_text(piece: Piece, percent: bool = False) -> str:
    bits = []
    for op, sym in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
        v = getattr(piece, op)
        if v is not None:
            bits.append(f"{sym}{fmt(v * 100)}%" if percent else f"{sym}{fmt(v)}")
    if piece.eq is not None:
        bits.append(("为“是”" if piece.eq else "为“否”") if isinstance(piece.eq, bool)
                    else f"为{fmt(piece.eq) if isinstance(piece.eq, Decimal) else piece.eq}")
    return " 且 ".join(bits) or "其他情况"


def _piecewise(part: Piecewise | Bands, ctx: PartContext) -> PartResult:
    values = prepared_values(ctx.values, ctx.indicator)
    x = to_decimal(evaluate(part.value, values))
    pct = _is_percent(ctx, part.value)
    for piece in part.pieces:
        if _matches(piece, x):
            if isinstance(piece.then, str):
                raw = q(evaluate(piece.then, {**values, "x": x}))
                how = f"{_cond_text(piece, pct)}：{spoken(ctx.indicator, piece.then, _x(ctx, part.value))} = {fmt(raw)}"
            else:
                raw = q(piece.then)
                how = _cond_text(piece, pct)
            pts = _clamp(raw, ZERO, ctx.cap)
            return PartResult(part.label, part.kind, pts, ctx.cap,
                              f"{_describe_value(part.value, x, ctx)}；{how}，得{fmt(pts)}分")
    return PartResult(part.label, part.kind, ZERO, ctx.cap,
                      f"{_describe_value(part.value, x, ctx)}；不在任何计分区间，0分")


def _x(ctx: PartContext, value: str) -> str:
    """What a piece's `x` stands for: the metric's label, or the value's formula in words."""
    names = names_in(value)
    if len(names) == 1 and value.strip() in names:
        return spoken(ctx.indicator, value)
    return f"({spoken(ctx.indicator, value)})"


def _rank(part: Rank, ctx: PartContext) -> PartResult:
    got = ctx.rank(ctx.index)
    if got is None:
        return PartResult(part.label, part.kind, ZERO, ctx.cap, "无法排名", [], False)
    pts, how = got
    try:
        how = f"{_describe_value(part.value, _value(part, ctx), ctx)}；{how}"
    except (ExprError, ArithmeticError):
        pass  # the rank explanation alone still says what happened
    exact = _clamp(pts, ZERO, ctx.cap)  # the rank table keeps points unrounded
    return PartResult(part.label, part.kind, q(exact), ctx.cap, how, exact=exact)


def _percent_gap(part: Deduction, ctx: PartContext, v: Decimal) -> tuple[str, str] | None:
    """每低1个百分点扣1分 over a rate the liaison reports (value `1 - rate`, `rate - 0.02` or
    `rate`): what was seen and the step, in 百分点 as the documents write them."""
    gap = bar_gap(part.value)
    if not gap or not any(x.name == gap[0] and x.type == "percent" for x in ctx.indicator.metrics):
        return None
    name, bar, down = gap
    shown = _seen(ctx, name)
    side = "低于" if down else "高于"
    step = f"{fmt(part.per * 100)}个百分点"
    if not down and bar == 0:  # the figure itself is what is counted
        return shown, f"每增加{step}"
    if v > 0:
        return f"{shown}，{side}{fmt(bar * 100)}% {fmt(v * 100)}个百分点", f"每{side[0]}{step}"
    return f"{shown}，未{side}{fmt(bar * 100)}%", f"每{side[0]}{step}"


def _deduction(part: Deduction, ctx: PartContext) -> PartResult:
    v = _value(part, ctx)
    units = max(math.floor(v / part.per), 0)
    gross = part.each * units
    unit = _unit(ctx, part.value)
    per = f"{fmt(part.per)}{unit if part.base else unit or '个'}"
    seen = _describe_value(part.value, v, ctx)
    step = f"每增加{per}" if part.base else f"每发生{per}"
    gap = _percent_gap(part, ctx, v)
    if gap:
        seen, step = gap
    if part.base:
        left = part.base - gross
        pts = _clamp(left, ZERO, part.base)
        floor = "，减至0分为止" if left < 0 else ""
        how = (f"起评{fmt(part.base)}分，{step}减{fmt(part.each)}分：{fmt(part.base)}−"
               f"{fmt(part.each)}×{units} = {fmt(left)}{floor}")
        return PartResult(part.label, part.kind, pts, part.base, f"{seen}；{how}，得{fmt(pts)}分")
    cap = part.cap if part.cap is not None else ctx.cap
    taken = min(gross, cap) if cap is not None else gross
    capped = f"，最高扣{fmt(cap)}分" if cap is not None else ""
    return PartResult(part.label, part.kind, -taken, cap,
                      f"{seen}；{step}扣{fmt(part.each)}分{capped}："
                      f"{fmt(part.each)}×{units} = {fmt(gross)}，扣{fmt(taken)}分")


def _discretionary(part: Discretionary, ctx: PartContext) -> PartResult:
    raw = Decimal(str(ctx.values[part.metric]))
    pts = _clamp(q(raw), ZERO, ctx.cap)
    reason = f"，理由：{ctx.reason}" if ctx.reason else ""
    capped = f"（超过上限，按{fmt(ctx.cap)}分计）" if ctx.cap is not None and raw > ctx.cap else ""
    return PartResult(part.label, part.kind, pts, ctx.cap,
                      f"信用办酌情计分 {fmt(raw)}分{capped}{reason}")


def _pass_fail(part: PassFail, ctx: PartContext) -> PartResult:
    ok = as_bool(ctx.values[part.metric])
    return PartResult(part.label, part.kind, ZERO, None, "达标" if ok else "未达标")


def _task(part: Task, ctx: PartContext) -> PartResult:
    return PartResult(part.label, part.kind, ZERO, None, f"进展：{ctx.values[part.metric]}")


RULES: dict[str, Callable[[Any, PartContext], PartResult]] = {
    "checklist": _checklist,
    "per_item": _per_item,
    "formula": _formula,
    "piecewise": _piecewise,
    "bands": _piecewise,  # same evaluation; bands just never use expressions in `then`
    "rank": _rank,
    "deduction": _deduction,
    "discretionary": _discretionary,
    "pass_fail": _pass_fail,
    "task": _task,
}


_SINGLE_METRIC = {"rank", "discretionary", "pass_fail", "task"}


def _missing(part: Any, ctx: PartContext, names: list[str]) -> PartResult:
    if part.kind == "deduction" and not part.base:
        return PartResult(part.label, part.kind, ZERO, ctx.cap, "无扣分记录，不扣分")
    labels = [_label(ctx.indicator, n) for n in names]
    return PartResult(part.label, part.kind, ZERO, ctx.cap, f"缺少数据：{'、'.join(labels)}",
                      labels, False)


def score_part(part: Any, ctx: PartContext) -> PartResult:
    """Score one part; a part whose metrics are absent scores 0 and lists what is missing."""
    reads = metrics_read(part)
    if part.kind == "deduction" and not part.base and reads and reads <= ctx.defaulted:
        return _missing(part, ctx, [])  # the office has recorded no case: nothing deducted
    if part.kind in _SINGLE_METRIC:
        absent = [n for n in sorted(reads) if n not in ctx.values]
        if absent:
            return _missing(part, ctx, absent)
    try:
        return RULES[part.kind](part, ctx)
    except MissingName as exc:
        return _missing(part, ctx, [exc.name])
    except ExprError as exc:
        # the evaluator's own words (English, a formula) are for the log, not for the liaison
        why = str(exc) if str(exc) == "分母为0" else "所填数值无法代入计分公式"
        return PartResult(part.label, part.kind, ZERO, ctx.cap, f"无法计算：{why}",
                          [f"可计算的数据（{why}，请核对）"], False)
    except (ArithmeticError, TypeError, ValueError):
        return PartResult(part.label, part.kind, ZERO, ctx.cap, "数据无法计分：请核对所填数值",
                          [], False)


def rank_points(part: Any, values: Mapping[str, Decimal | None]) -> dict[str, tuple[Decimal, str]]:
    """Points for every unit on one rank part. `values` maps unit -> value (None: not sent).

    Ties share the better rank (competition ranking 1, 2, 2, 4). Between the best and the worst
    points go linearly by rank position, the last place (shared or not) getting the bottom
    score — the rule is written into every explanation.
    """
    sign = 1 if part.higher_is_better else -1
    out: dict[str, tuple[Decimal, str]] = {}
    ranked: dict[str, Decimal] = {}
    for unit, v in values.items():
        # 0 means "nothing reported" only when more is better; when less is better 0 is the best
        if v is None or (part.zero_if_none and part.higher_is_better and v == 0):
            out[unit] = (ZERO, "未报送或为0，不得分" if part.zero_if_none else "未报送，不得分")
        else:
            ranked[unit] = v
    if part.method == "places":
        return _place_points(part, values, out, ranked, sign)
    top, bottom = part.top, part.bottom
    if part.method == "full_then_rank":
        full = {u for u, v in ranked.items() if part.full_at is not None and v >= part.full_at}
        for u in full:
            out[u] = (top, f"达到{fmt(part.full_at * 100)}%，得{fmt(top)}分")
        rest = {u: v for u, v in ranked.items() if u not in full}
        m = len(rest)
        for u, (r, n) in _competition(rest, sign).items():
            pts = bottom + (top - bottom) * Decimal(m - r + 1) / Decimal(m + 1)
            out[u] = (pts, f"未达{fmt(part.full_at * 100)}%，在其余{m}个单位中排第{r}名；"
                           f"按{fmt(bottom)}+({fmt(top)}−{fmt(bottom)})×({m}−名次+1)/({m}+1)赋分，"
                           f"得{fmt(pts)}分（{part.tie_rule}）")
        return out
    n = len(ranked)
    ranks = _competition(ranked, sign)
    last = max((rk for rk, _ in ranks.values()), default=1)  # the rank of the last place
    for u, (r, _) in ranks.items():
        if part.method == "top_bottom":
            if r <= part.top_n:
                pts, how = top, f"前{part.top_n}名得{fmt(top)}分"
            elif r > n - part.bottom_n:
                pts, how = bottom, f"后{part.bottom_n}名得{fmt(bottom)}分"
            else:
                span = n - part.top_n - part.bottom_n + 1
                pts = top - (top - bottom) * Decimal(r - part.top_n) / Decimal(span)
                how = (f"前{part.top_n}名得{fmt(top)}分、后{part.bottom_n}名得{fmt(bottom)}分，"
                       f"中间按名次线性赋分（{fmt(top)}−({fmt(top)}−{fmt(bottom)})×"
                       f"(名次−{part.top_n})/{span}）")
        else:
            # The lowest value always gets `bottom` (最少的得1分), even when it is shared:
            # positions run from 1 to the rank of the last place, not to n.
            pts = top if last == 1 else top - (top - bottom) * Decimal(r - 1) / Decimal(last - 1)
            how = ("目前仅1个单位有数据或数值全部相同，按最高分计" if last == 1 else
                   f"最好的得{fmt(top)}分、最差的得{fmt(bottom)}分，中间按名次线性赋分"
                   f"（{fmt(top)}−({fmt(top)}−{fmt(bottom)})×(名次−1)/(末名名次{last}−1)）")
        out[u] = (pts, f"在{n}个单位中排第{r}名；{how}，得{fmt(pts)}分（{part.tie_rule}）")
    return out


PLACE_TIES = {"better": "并列者取较好名次", "average": "并列者平分所占名次的分数"}


def tie_notes(parts: Iterable[Any]) -> set[str]:
    """The tie rules rank explanations end with, bracketed as they are written: a reply that
    shows several rank items says each once (bot.screen.notes_once)."""
    notes = set()
    for part in parts:
        if getattr(part, "kind", None) != "rank":
            continue
        notes.add(f"（{PLACE_TIES[part.ties] if part.method == 'places' else part.tie_rule}）")
    return notes


def _place_words(pl: Any) -> str:
    end = f"至{pl.last}" if pl.last is not None and pl.last != pl.first else ""
    return f"{'倒数' if pl.from_bottom else ''}第{pl.first}{end}名得{fmt(pl.points)}分"


def _at_place(part: Any, place: int, n: int) -> tuple[Decimal, str]:
    """The points of one place among `n`, and the band that gave them."""
    for pl in part.places:
        if pl.covers(n - place + 1 if pl.from_bottom else place):
            return pl.points, _place_words(pl)
    return part.rest, f"其余名次得{fmt(part.rest)}分"


def _place_points(part: Any, values: Mapping[str, Decimal | None], out: dict[str, tuple[Decimal, str]],
                  ranked: dict[str, Decimal], sign: int) -> dict[str, tuple[Decimal, str]]:
    """Fixed points by place. With pool `all` the units without a value take the last places
    together (and, under zero_if_none, still score 0); with `reported` they take none."""
    unplaced = [u for u in values if u not in ranked]
    n = len(ranked) + (len(unplaced) if part.pool == "all" else 0)
    who = "全部" if part.pool == "all" else "已报送的"
    ties = PLACE_TIES[part.ties]
    groups: dict[int, list[str]] = {}
    for u, (r, _) in _competition(ranked, sign).items():
        groups.setdefault(r, []).append(u)
    if part.pool == "all" and unplaced:
        groups.setdefault(len(ranked) + 1, []).extend(unplaced)
    for r, units in groups.items():
        if part.ties == "average" and len(units) > 1:
            got = [_at_place(part, p, n)[0] for p in range(r, r + len(units))]
            pts = q(sum(got, ZERO) / Decimal(len(got)))
            how = (f"与另{len(units) - 1}个单位并列第{r}名，平分第{r}至{r + len(units) - 1}名的分数"
                   f"（{'、'.join(fmt(g) for g in got)}），得{fmt(pts)}分")
        else:
            pts, band = _at_place(part, r, n)
            how = f"{band}，得{fmt(pts)}分"
        for u in units:
            if u in ranked:
                out[u] = (pts, f"在{who}{n}个单位中排第{r}名；{how}（{ties}）")
            else:
                note = "，不得分" if part.zero_if_none else f"；{how}"
                out[u] = (ZERO if part.zero_if_none else pts,
                          f"未报送或为0，在全部{n}个单位中列第{r}名{note}（{ties}）")
    return out


def _competition(values: Mapping[str, Decimal], sign: int) -> dict[str, tuple[int, int]]:
    order = sorted(values.items(), key=lambda kv: sign * kv[1], reverse=True)
    out: dict[str, tuple[int, int]] = {}
    prev, rank = None, 0
    for pos, (u, v) in enumerate(order, start=1):
        if v != prev:
            rank, prev = pos, v
        out[u] = (rank, len(order))
    return out
