"""What staff may enter on an item besides its 酌情 points, and the hints that show it:
the values only the office enters, the caps on them, and the 打分 commands that work for an
item in its own words (used by 打分 in bot.staff)."""
from __future__ import annotations

from decimal import Decimal

from bot.cards import staff_only_metrics
from bot.city_figures import city_note, replaced_points
from bot.commands import _tell_liaisons
from bot.context import Ctx
from bot.metric_words import enterable, example, number_of, short_name
from bot.parse import CommandError, split_indicator
from channels.message import Reply
from ledger import submissions as subs
from ledger.units import Unit
from schemes.model import Indicator, metrics_read
from scoring.card import fmt


def staff_cap(ind: Indicator, metric) -> Decimal | None:
    """A staff-entered number may not exceed what the parts reading it can give or take."""
    caps = [p.max_points if p.max_points is not None else ind.max_points
            for p in ind.parts if metric.name in metrics_read(p)]
    given = [c for c in caps if c is not None]
    return min(given) if given else None


def staff_value(ctx: Ctx, unit: Unit, ind: Indicator, metric, amount: str, reason: str) -> Reply:
    from bot.parse import parse_value
    value = parse_value(metric, amount)
    cap = staff_cap(ind, metric) if metric.type in ("number", "count") else None
    if cap is not None and Decimal(str(value)) > cap:
        raise CommandError(f"「{metric.label}」应在 0 到 {fmt(cap)} 之间")
    before = replaced_points(ctx, ind, metric.name, unit)
    subs.add_adjustment(ctx.db, year=ctx.office.year, unit_id=unit.id, kind="points", indicator=ind.code,
                        value={"metric": metric.name, "points": value}, reason=reason,
                        member_id=ctx.member.id, now=ctx.now, actor=ctx.actor)
    ctx._cards = None
    item = ctx.item_of(unit, ind.code)
    _tell_liaisons(ctx, unit, f"市信用办录入了您单位「{ind.code} {ind.name}」的{metric.label}："
                              f"{amount}；本项现为 {fmt(item.points)}/{fmt(item.max_points)} 分。")
    return Reply(f"已记录：{unit.name}「{ind.code} {ind.name}」{metric.label} = {amount}；"
                 f"本项现为 {fmt(item.points)}/{fmt(item.max_points)} 分。" + city_note(ctx, unit, before, "", ind))


def discretionary_part(ind: Indicator, parts: list, which: str):
    """The 酌情 part named by its metric's printed number (as 报送 and 代报 number them)."""
    if len(parts) == 1 and not which:
        return parts[0]
    by_number = {str(number_of(ind, m)): p for p in parts for m in ind.metrics if m.name == p.metric}
    if which in by_number:
        return by_number[which]
    listing = "；".join(f"{n}={p.label or metric_label(ind, p.metric)}（最高{fmt(p.max_points or ind.max_points)}分）"
                       for n, p in by_number.items())
    first = next(iter(by_number))
    raise CommandError(f"「{ind.code} {ind.name}」有{len(parts)}个酌情分项，请写 分项序号=分，"
                       f"例如：打分 单位 {item_word(ind)} {first}=2 理由。分项：{listing}")


def metric_label(ind: Indicator, name: str) -> str:
    return next((m.label for m in ind.metrics if m.name == name), name)


def item_word(ind: Indicator) -> str:
    return ind.aliases[0] if ind.aliases else ind.code


def points_ways(ctx: Ctx, unit: Unit, ind: Indicator) -> str:
    """The commands that work for this item, in its own words: 酌情 points, values only the
    office enters, and the figures (代报)."""
    short, ways = item_word(ind), []
    parts = [p for p in ind.parts if p.kind == "discretionary"]
    for p in parts[:3]:
        most = fmt(p.max_points if p.max_points is not None else ind.max_points)
        named = "" if len(parts) == 1 else f"{number_of(ind, next(m for m in ind.metrics if m.name == p.metric))}="
        ways.append(f"酌情计分：打分 {unit.name} {short} {named}{most} 理由")
    owned = {p.metric for p in parts}
    for m in staff_only_metrics(ind):
        if m.name not in owned and m.type in ("number", "count") and not m.by_office:
            cap = staff_cap(ind, m)
            one = min(cap, Decimal(1)) if cap is not None else Decimal(1)
            ways.append(f"{m.label}：打分 {unit.name} {short} {short_name(ind, m)}={fmt(one)} 理由")
    data = [m for m in enterable(ind) if m not in staff_only_metrics(ind) or m.by_office]
    if data:
        ways.append(f"录入数据：{example(ind, data, f'代报 {unit.name} {short}')}")
    if ind.gate is not None:
        ways.append(f"基础指标：确认 {unit.name} {short} 达标")
    return "可以这样写——" + "；".join(ways) if ways else "此项无需信用办录入。"


def points_format(ctx: Ctx, unit: Unit, rest: list[str]) -> str:
    """`打分` without a number: how to write it, for the item named if there is one, else with
    an item of this scheme that takes 酌情 points."""
    if rest:
        try:
            ind, _ = split_indicator(ctx.office.scheme, rest)
            return f"格式：打分 <单位> <指标> <分> [理由]。「{ind.code} {ind.name}」" + points_ways(ctx, unit, ind)
        except CommandError:
            pass
    inds = [i for _, i in ctx.office.scheme.indicators()]
    sample = next((i for i in inds if any(p.kind == "discretionary" for p in i.parts)), None) \
        or next((i for i in inds if staff_only_metrics(i)), None)
    tail = f"。例如「{sample.code} {sample.name}」" + points_ways(ctx, unit, sample) if sample else ""
    return "格式：打分 <单位> <指标> <分> [理由]" + tail
