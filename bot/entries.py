"""The office's own entries: 代报 (figures and period reports entered for a unit), 确认 (gates by
their printed names), 撤销 (undo any staff record by its 编号) and 批准代理 (registered in
bot.commands)."""
from __future__ import annotations

import re
from typing import Any

from bot.city_figures import city_note, city_values
from bot.commands import EVERYONE, STAFF, _tell_liaisons, _unit_and_rest, command
from bot.context import Ctx
from channels.message import Reply
from bot.numbers import show_value
from bot.metric_words import enterable, example, read_metrics, short_name
from bot.parse import CommandError, exact_tail, exact_text, split_indicator
from bot.records import recorded
from ledger import acts
from ledger import submissions as subs
from ledger.db import LedgerError
from ledger.facts import briefing_indicator, default_period
from ledger.office import year_status
from ledger.units import Unit, get_unit
from worktime.period import KIND_OF_FREQUENCY, Period, deadline_info, parse_period
from schemes.asks import staff_only_metrics
from schemes.model import Indicator, Metric
from scoring.card import pts

__all__ = ["staff_writable"]


# ---- 代报 ----------------------------------------------------------------------------------

_REPORT_WORDS = {"台账", "报告", "材料", "月报", "已报", "已交", "收到", "已收到"}
_ON_TIME = {"按时": True, "逾期": False, "迟报": False, "超期": False}
_PERIODISH = re.compile(r"[-/.年月季Qq]|^第?[一二三四1-4]季度?$")


def _split_period(ctx: Ctx, ind: Indicator, words: list[str]) -> tuple[str | None, list[str]]:
    """An explicit period (2022-Q1, 2022-09, 9月, 三季度) among the words, checked against the
    indicator's frequency and the assessment year."""
    for n, w in enumerate(words):
        if "=" in w or not _PERIODISH.search(w):
            continue
        try:
            period = parse_period(w, default_year=ctx.office.year)
        except ValueError:
            continue
        freq = ind.due.frequency if ind.due else "yearly"
        named = Period.from_label(period)
        fits = freq == "once" or named.kind == KIND_OF_FREQUENCY[freq]
        if not fits or year_status(ctx.db, named.year) is None:
            raise CommandError(f"期别 {period} 与「{ind.code} {ind.name}」的报送周期或本办的考核年度不符" + ("，季度写作 2022-Q1" if freq == "quarterly" else
                                                 "，月份写作 2022-09" if freq == "monthly" else ""))
        return period, words[:n] + words[n + 1:]
    return None, words


def staff_writable(ind: Indicator) -> list[Metric]:
    """What staff may enter for a unit: every input except those the ledger counts itself."""
    return enterable(ind)


def _accept_entered(ctx: Ctx, sub_id: int) -> None:
    """Figures the office enters are its own: they count as reviewed."""
    subs.accept_as_entered(ctx.db, sub_id, ctx.member.id, ctx.now)


@command(("代报", "代填", "录入"), STAFF, "代报 <单位> <指标> [期别] <数值…>",
         "替单位录入数据或登记台账/月报已收到（如 代报 市税务局 双公示 台账 2022-Q1 按时）", runs_on=True)
@recorded("代报")
def cmd_enter(words: list[str], ctx: Ctx) -> Reply:
    unit, rest = _unit_and_rest(ctx, words)
    if not rest:
        raise CommandError("格式：代报 <单位> <指标> [期别] <数值…>，例如：代报 市税务局 双公示 准确率=95%；"
                           "代报 市税务局 双公示 台账 2022-Q1 按时")
    from bot.liaison import _filing_year, _loosen, _named_period, figures_in, other_year_hint
    ind, rest = split_indicator(ctx.office.scheme, _loosen(rest))
    timing = [w for w in rest if w in _ON_TIME]
    if timing or any(w in _REPORT_WORDS for w in rest if "=" not in w):
        if ind.due is None or ind.due.frequency not in ("monthly", "quarterly"):
            raise CommandError(f"{unit.name}所用方案中的「{ind.code} {ind.name}」没有按月或按季度报送的"
                               f"台账或月报，请直接写数值，例如：{example(ind, staff_writable(ind), f'代报 {unit.name} {ind.code}')}")
        period, rest = _split_period(ctx, ind, rest)
        return _enter_report(ctx, unit, ind, period, timing, [w for w in rest if w not in _ON_TIME
                                                              and w not in _REPORT_WORDS])
    # figures go where a liaison's own would: the named period, else the current one
    named, rest = _named_period(ind, rest, ctx)
    metrics = read_metrics(ind, rest, allowed=staff_writable(ind),
                           say=f"代报 {unit.name} {ind.aliases[0] if ind.aliases else ind.code}")
    period = named or default_period(ind, _filing_year(ctx, ind, figures_in(ctx, unit, ind, metrics)),
                                     ctx.today, ctx.cal)
    ctx.use_period(unit, period)
    was = city_values(ctx, ind)
    sub = subs.record_submission(
        ctx.db, unit_id=unit.id, indicator=ind.code, period=period, kind="data", metrics=metrics,
        text=exact_tail(ctx.msg.text, words), now=ctx.now, member_id=ctx.member.id,
        channel=ctx.msg.channel,
        source_msg_id=ctx.msg.msg_id, actor=ctx.actor)
    _accept_entered(ctx, sub.id)
    ctx._cards = None
    item = ctx.item_of(unit, ind.code)
    shown = "，".join(f"{m.label} {_shown(m, metrics[m.name])}" for m in ind.metrics if m.name in metrics)
    score = f"本项现为 {pts(item.points)}/{pts(item.max_points)} 分"
    _tell_liaisons(ctx, unit, f"市信用办为您单位代报了「{ind.code} {ind.name}」{period} 期：{shown}；{score}。"
                              f"如有疑问请联系市信用办。")
    return Reply(f"已代报 {unit.name}「{ind.code} {ind.name}」{period} 期：{shown}；{score}，已通知联络员。"
                 + _judgement_owed(unit, ind, item.missing)
                 + ("" if named else "".join(f"\n{h}" for h in [other_year_hint(
                     ctx, ind, period, f"代报 {' '.join(words)}", "年")] if h))
                 + city_note(ctx, unit, ind=ind, changed=_city_change(ctx, ind, metrics, was),
                             shares=all(m.type == "count" for m in ind.metrics if m.name in metrics)))


def _city_change(ctx: Ctx, ind: Indicator, entered: dict[str, Any], was: dict[str, Any]) -> str:
    """What a 代报 did to the city's figures: a value replaced (the newest counts), or a count
    whose departments' total moved; '' off a city scheme."""
    if not ctx.office.city_level or ind.per_unit is not None:
        return ""
    now = city_values(ctx, ind)
    bits = []
    for m in ind.metrics:
        if m.name not in entered:
            continue
        old, new = was.get(m.name), now.get(m.name)
        if old is None:
            bits.append(f"此前全市没有「{m.label}」的数值")
        elif m.type == "count":
            bits.append(f"全市「{m.label}」合计由 {_shown(m, old)} 变为 {_shown(m, new)}")
        elif _shown(m, old) != _shown(m, new):
            bits.append(f"替换了此前全市的「{m.label}」{_shown(m, old)}")
        else:
            bits.append(f"全市「{m.label}」仍为 {_shown(m, new)}")
    return "；".join(bits)


def _judgement_owed(unit: Unit, ind: Indicator, missing: list[str]) -> str:
    """A finding that leaves a judgement to make (瞒报1–4条: 酌情扣分) says so, with the 打分
    that enters it: the item is not complete until the office has judged."""
    owed = [m for m in staff_only_metrics(ind) if m.label in missing and not m.by_office
            and m.type in ("number", "count") and m.derived is True]
    short = ind.aliases[0] if ind.aliases else ind.code
    return "".join(f"\n还需信用办录入「{m.label}」：打分 {unit.name} {short} {short_name(ind, m)}=<分> 理由"
                   for m in owed)


def _shown(m: Metric, v: Any) -> str:
    if m.type == "bool":
        return "是" if v else "否"
    return str(v) if m.type == "text" else show_value(m, v)


def _enter_report(ctx: Ctx, unit: Unit, ind: Indicator, period: str | None, timing: list[str],
                  text: list[str]) -> Reply:
    """台账/月报 received for a period: recorded as that period's report, on time or late."""
    due = ind.due
    if due is None:  # only items reported by period come here
        raise CommandError(f"「{ind.code} {ind.name}」没有报送期限，不按期代报")
    if period is None:
        raise CommandError(f"请写明期别，例如：代报 {unit.name} {ind.aliases[0] if ind.aliases else ind.code} "
                           f"台账 {ctx.office.year}-{'Q1' if due.frequency == 'quarterly' else '09'} 按时")
    ctx.use_period(unit, period)
    info = deadline_info(ctx.cal, due.frequency, period, due.day, due.date)
    filed = Period.from_label(period)
    if filed > Period.containing(filed.kind, ctx.today):
        raise CommandError(f"{period} 还没到，不能提前登记。")
    on_time = _ON_TIME[timing[0]] if timing else ctx.today <= info.deadline
    briefing = briefing_indicator(ctx.office.scheme)
    kind = "briefing" if briefing is not None and briefing.code == ind.code else "report"
    sub = subs.record_submission(
        ctx.db, unit_id=unit.id, indicator=ind.code, period=period, kind=kind, metrics={},
        text=exact_text(ctx.msg.text, text) or "信用办登记已收到", now=ctx.now, member_id=ctx.member.id,
        channel=ctx.msg.channel, source_msg_id=ctx.msg.msg_id, deadline=info.deadline.isoformat(),
        on_time=on_time, actor=ctx.actor)
    _accept_entered(ctx, sub.id)
    state = "按时" if on_time else "逾期"
    what = "月报" if kind == "briefing" else "台账"
    _tell_liaisons(ctx, unit, f"市信用办登记了您单位「{ind.code} {ind.name}」{period} 的{what}：{state}"
                              f"（截止{info.deadline.month}月{info.deadline.day}日）。")
    return Reply(f"已登记 {unit.name}「{ind.code} {ind.name}」{period} {what}已收到，{state}"
                 f"（截止{info.deadline.month}月{info.deadline.day}日），已通知联络员。")


# ---- 确认 ----------------------------------------------------------------------------------

_PASS = {"达标": True, "通过": True, "是": True, "合格": True, "已达标": True, "符合": True,
         "未达标": False, "不达标": False, "否": False, "不合格": False, "不通过": False,
         "不符合": False}


@command(("确认",), STAFF, "确认 <单位> <基础指标> 达标/未达标 [理由]",
         "确认基础指标或一票否决项是否达标（也可写 是/否）")
@recorded("确认")
def cmd_confirm(words: list[str], ctx: Ctx) -> Reply:
    unit, rest = _unit_and_rest(ctx, words)
    idx = next((n for n, w in enumerate(rest) if w in _PASS), None)
    gates = [i for _, i in ctx.office.scheme.indicators() if i.gate]
    if not gates:
        raise CommandError("当前考核方案没有基础指标或一票否决项。")
    if idx is None or idx == 0:
        listing = "、".join(f"{i.code} {i.name}" for i in gates[:12])
        raise CommandError(f"格式：确认 <单位> <基础指标> 达标/未达标 [理由]，例如：确认 {unit.name} "
                           f"{gates[0].code} 达标。可确认：{listing}")
    ind, extra = split_indicator(ctx.office.scheme, rest[:idx])
    if extra or ind.gate is None:
        listing = "、".join(f"{i.code} {i.name}" for i in gates[:12])
        raise CommandError(f"「{' '.join(rest[:idx])}」不是基础指标或一票否决项。可确认：{listing}")
    passed, reason = _PASS[rest[idx]], exact_text(ctx.msg.text, rest[idx + 1:])
    if not passed and not reason:
        raise CommandError("未达标时请写明理由，联络员才知道差在哪里。")
    subs.add_adjustment(ctx.db, year=ctx.office.year, unit_id=unit.id, kind="points",
                        indicator=ind.code,
                        value={"metric": ind.gate.metric, "points": passed}, reason=reason,
                        member_id=ctx.member.id, now=ctx.now, actor=ctx.actor)
    word = "达标" if passed else f"未达标（{reason}）"
    gate = {"veto": "一票否决项", "no_excellent": "一票否优项"}.get(ind.gate.kind, "基础指标")
    _tell_liaisons(ctx, unit, f"市信用办确认您单位{gate}「{ind.code} {ind.name}」{word}。")
    return Reply(f"已确认 {unit.name} {gate}「{ind.code} {ind.name}」{word}，已通知联络员。")


# ---- 撤销 ----------------------------------------------------------------------------------

@command(("撤销",), EVERYONE, "撤销 <编号>",
         "信用办：撤销一条信用办记录（代报、确认、打分、扣分、事件、审核、绑定）；联络员：同「撤回」")
def cmd_undo(words: list[str], ctx: Ctx) -> Reply:
    if not ctx.member.is_staff:  # a liaison's 撤销 is a 撤回 of their own submission
        from bot.commands import cmd_withdraw
        return cmd_withdraw(words, ctx)
    key = words[0].lstrip("#") if words else ""
    if not key.isdigit() or len(key) > 12:
        recent = [a for a in acts.acts_of_member(ctx.db, ctx.member.id, limit=50)
                  if not a.undone_at][:8]
        listing = "".join(f"\n#{a.id} {a.created_at[5:16].replace('T', ' ')} {a.kind}：{a.summary[:40]}"
                          for a in recent)
        raise CommandError("请写上编号，例如：撤销 12（编号在每条代报、打分、扣分、审核等回复的末尾）"
                           + (f"\n您最近的记录：{listing}" if listing else ""))
    try:
        act, kept = acts.undo_act(ctx.db, int(key), ctx.now, ctx.actor, ctx.member.id,
                                  may_undo_others=ctx.member.role == "admin")
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    ctx._cards = None
    touched = act.changes.get("units") or ([act.unit_id] if act.unit_id is not None else [])
    for unit_id in touched:  # a batch approval touched several units: each hears once
        unit = get_unit(ctx.db, unit_id)
        _tell_liaisons(ctx, unit, f"市信用办撤销了对您单位的一条记录（{act.kind}）：「{act.summary}」。")
    note = (f"\n以下内容之后已有新的变化，保持不变：{'、'.join(kept)}" if kept else "")
    return Reply(f"已撤销编号 {act.id}（{act.kind}），原记录为「{act.summary}」。\n原记录和撤销都保留在审计记录中。{note}")


# ---- 代理 approved by staff --------------------------------------------------------------

@command(("批准代理",), STAFF, "批准代理 <联络员ID> <代理人ID> 至 <日期>",
         "为联络员设置本单位以外的代理人（到期自动结束）")
def cmd_approve_deputy(words: list[str], ctx: Ctx) -> Reply:
    from bot.liaison import deputy_until
    from ledger.units import find_member, set_deputy
    if len(words) < 2:
        raise CommandError("格式：批准代理 <联络员ID> <代理人ID> 至 <日期>，例如：批准代理 zhangsan lisi 至 2022-10-31")
    liaison = find_member(ctx.db, ctx.msg.channel, words[0])
    if liaison is None or liaison.role != "liaison":
        raise CommandError(f"「{words[0]}」不是已绑定的联络员，请核对用户ID。")
    deputy = find_member(ctx.db, ctx.msg.channel, words[1])
    if deputy is None:
        raise CommandError(f"代理人「{words[1]}」还没有绑定，提醒无法送达。请先绑定此人。")
    if deputy.id == liaison.id:
        raise CommandError("代理人不能是联络员本人。")
    until = deputy_until(ctx, words[2:], f"批准代理 {liaison.user_id} {deputy.user_id}")
    set_deputy(ctx.db, liaison, deputy.user_id, until, ctx.now, ctx.actor)
    ctx.notify([liaison.user_id, deputy.user_id],
               f"市信用办已批准：至 {until}，{liaison.name}的提醒改发给 {deputy.name}（{deputy.user_id}）。",
               key=f"deputy:{liaison.user_id}:{ctx.msg.channel}:{ctx.msg.msg_id}")
    return Reply(f"已批准：至 {until}（含），{liaison.name}（{liaison.user_id}）的提醒改发给 "
                 f"{deputy.name}（{deputy.user_id}），到期自动恢复。")
