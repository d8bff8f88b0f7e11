"""Liaison commands: 月报, 报送, 佐证, 记录, 代理 (registered in bot.commands)."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from bot.cards import next_deadline
from bot.commands import LIAISON, _ind, _own_unit, _until, briefing_indicator, command
from bot.context import Ctx
from bot.message import Reply
from bot.parse import CommandError, exact_tail, parse_metrics
from ledger import submissions as subs
from ledger.facts import default_period
from ledger.units import find_member, list_members, set_deputy
from reminders.calendar import deadline_info, parse_period, period_of_submission
from schemes.model import Indicator
from scoring.card import fmt, pts

__all__: list[str] = []  # commands register themselves with @command


@command(("月报", "报告", "工作总结"), LIAISON, "月报 [2022-08] <内容>", "报送上月工作情况（每月2日前）",
         free_text=True)
def cmd_briefing(words: list[str], ctx: Ctx) -> Reply:
    unit = _own_unit(ctx)
    ind = briefing_indicator(ctx.office.scheme)
    if ind is None or ind.due is None:
        raise CommandError("当前考核方案没有月报要求。")
    period = _named_month(words[0], ctx) if words else None
    if period is not None:
        words = words[1:]
    text = exact_tail(ctx.msg.text, words)
    if not text and not ctx.msg.attachments:
        raise CommandError("月报内容不能为空。请这样发：月报 8月开展了诚信宣传活动2次……")
    if period is None:
        period = period_of_submission(ind.due.frequency, ctx.today, ind.due.day)
    if period[:4] != str(ctx.office.year):
        raise CommandError(f"{period} 不在{ctx.office.year}年度考核期内，请写考核年度内的月份，例如：月报 "
                           f"{ctx.office.year}-08 工作内容")
    if period > f"{ctx.today.year}-{ctx.today.month:02d}":
        raise CommandError(f"{period} 还没到，不能提前报送。月报报送的是上月（或本月）的工作。")
    info = deadline_info(ctx.cal, ind.due.frequency, period, ind.due.day, ind.due.date)
    on_time = ctx.today <= info.deadline
    # A correction after the deadline keeps the original on-time receipt.
    kept = not on_time and any(
        s.on_time and s.period == period and s.indicator == ind.code
        for s in subs.list_submissions(ctx.db, unit.id, statuses=("submitted", "accepted"),
                                       kind="briefing"))
    on_time = on_time or kept
    sub = subs.record_submission(
        ctx.db, unit_id=unit.id, indicator=ind.code, period=period, kind="briefing", metrics={},
        text=text, now=ctx.now, member_id=ctx.member.id, channel=ctx.msg.channel,
        source_msg_id=ctx.msg.msg_id, deadline=info.deadline.isoformat(), on_time=on_time,
        actor=ctx.actor)
    y, m = period.split("-")
    when = f"截止{info.deadline.month}月{info.deadline.day}日"
    if info.moved:
        when += f"，{info.describe()}"
    state = "按时（更正，保留原按时报送记录）" if kept else "按时" if on_time else "逾期"
    return Reply(f"已收到{unit.name} {y}年{int(m)}月月报（记录编号 {sub.id}），{state}（{when}）。"
                 + ("" if on_time else "\n逾期报送不计入按时次数，请下月按时报送。"))


@command(("报送", "填报", "上报"), LIAISON, "报送 <指标> <数值> 或 <名称>=<数值> …",
         "报送数据，立即显示该项得分")
def cmd_submit(words: list[str], ctx: Ctx) -> Reply:
    unit = _own_unit(ctx)
    typed = exact_tail(ctx.msg.text, words)
    words = _loosen(words)
    ind, rest = _ind(ctx, words)
    metrics = parse_metrics(ind, rest)
    period = default_period(ind, ctx.office.year, ctx.today, ctx.cal)
    dl = next_deadline(ind, ctx.today, ctx.cal)
    sub = subs.record_submission(
        ctx.db, unit_id=unit.id, indicator=ind.code, period=period, kind="data", metrics=metrics,
        text=typed, now=ctx.now, member_id=ctx.member.id, channel=ctx.msg.channel,
        source_msg_id=ctx.msg.msg_id, deadline=dl.isoformat() if dl else None,
        on_time=(ctx.today <= dl) if dl else None, actor=ctx.actor)
    ctx._cards = None
    item = ctx.item_of(unit, ind.code)
    shown = "，".join(f"{m.label} {_show(metrics[m.name], m)}" for m in ind.metrics if m.name in metrics)
    lines = [f"已记录（编号 {sub.id}，{_scope(ind, period, metrics)}）：{ind.code} {ind.name}｜{shown}",
             f"本项暂计 {pts(item.points)}/{pts(item.max_points)} 分（待信用办审核）：{item.explain}"]
    if item.missing:
        lines.append(f"本项还缺：{'、'.join(dict.fromkeys(item.missing))}")
    return Reply("\n".join(lines))


def _loosen(words: list[str]) -> list[str]:
    """「信用承诺：35」「信用承诺=45」: a colon, or = right after the indicator, is a space."""
    out: list[str] = []
    for n, w in enumerate(words):
        w = w.replace("：", " ").replace(":", " ")
        if n == 0 and "=" in w:
            w = w.replace("=", " ", 1)
        out += [p for p in w.split(" ") if p]
    return out


def _scope(ind: Indicator, period: str, metrics: dict) -> str:
    """Say what a number stands for: this period's count (periods add up) or the year's total
    (a new one replaces it) — liaisons otherwise guess."""
    counts = any(m.type == "count" and m.name in metrics for m in ind.metrics)
    if ind.due and ind.due.frequency in ("monthly", "quarterly"):
        return f"{period} 期" + ("，各期数量逐期累加" if counts else "")
    return "本年度累计数，再次报送会替换此数" if counts else "本年度数据"


_MONTH_WORD = re.compile(r"^(\d{4}\s*[-/.年]\s*\d{1,2}\s*月?(份)?|\d{1,2}\s*月(份)?|[一二三四五六七八九十]{1,3}月(份)?)$")


def _named_month(word: str, ctx: Ctx) -> str | None:
    """「2022-08」「8月」 at the start of a 月报 names its month; a month-like word that is not a
    real month is an error, not part of the text. Without a year, the latest such month
    that is not in the future (12月 sent in January is last December)."""
    if not _MONTH_WORD.match(word):
        return None
    try:
        period = parse_period(word, default_year=ctx.today.year)
    except ValueError as exc:
        raise CommandError(f"{exc}。月份请写成 2022-08 或 8月") from None
    if not word[:4].isdigit() and period > f"{ctx.today.year}-{ctx.today.month:02d}":
        period = f"{int(period[:4]) - 1}{period[4:]}"
    return period


def _show(v, m) -> str:
    if m.type == "bool":
        return "是" if v else "否"
    if m.type == "percent":
        return f"{fmt(Decimal(str(v)) * 100)}%"
    return f"{v}{m.unit}"


@command(("佐证", "材料", "附件"), LIAISON, "佐证 <指标>（随后发送文件或图片）", "上传佐证材料")
def cmd_evidence(words: list[str], ctx: Ctx) -> Reply:
    from bot.evidence import accept_files, remember_target
    unit = _own_unit(ctx)
    ind, rest = _ind(ctx, words)
    period = None
    if rest and ind.due and ind.due.frequency in ("monthly", "quarterly"):
        try:  # 佐证 双公示 2022-Q3: a late ledger for the quarter it belongs to
            period = parse_period(rest[0], default_year=ctx.office.year)
        except ValueError as exc:
            raise CommandError(f"{exc}。期别请写成 2022-Q3 或 2022-08") from None
        if period[:4] != str(ctx.office.year) or (ind.due.frequency == "quarterly") != ("Q" in period):
            raise CommandError(f"期别 {period} 与「{ind.name}」的报送周期或考核年度不符")
    if ctx.msg.attachments:
        return accept_files(ctx, unit, ind, period)
    return remember_target(ctx, unit, ind, period)


@command(("记录", "我的记录", "history"), LIAISON, "记录", "本单位最近的报送记录")
def cmd_records(words: list[str], ctx: Ctx) -> Reply:
    unit = _own_unit(ctx)
    rows = subs.list_submissions(ctx.db, unit.id, limit=15)
    if not rows:
        return Reply("还没有报送记录。")
    lines = [f"{unit.name} 最近的报送记录："]
    office_ids = {m.id for m in list_members(ctx.db) if m.is_staff}
    for s in rows:
        what = {"briefing": "月报", "data": "数据", "report": "台账"}.get(s.kind, s.kind)
        lines.append(f"#{s.id} {s.received_at[:16].replace('T', ' ')} {s.indicator} {what} {s.period}"
                     f"｜{subs._STATUS_ZH[s.status]}" + ("｜信用办代报" if s.member_id in office_ids else "")
                     + (f"｜{'按时' if s.on_time else '逾期'}" if s.on_time is not None else ""))
    lines.append("撤回某条：撤回 <编号>")
    return Reply("\n".join(lines))


@command(("代理", "请假"), LIAISON, "代理 <用户ID> 至 <日期>", "请假期间由本单位同事代收提醒，到期自动恢复")
def cmd_deputy(words: list[str], ctx: Ctx) -> Reply:
    if not words:
        raise CommandError("请写上代理人的用户ID，例如：代理 zhangsan 至 2022-10-31；取消：代理 取消")
    if words[0] in ("取消", "结束"):
        set_deputy(ctx.db, ctx.member, None, None, ctx.now, ctx.actor)
        return Reply("已取消代理，提醒恢复发给您本人。")
    deputy = find_member(ctx.db, ctx.msg.channel, words[0])
    if deputy is None:
        raise CommandError(f"用户「{words[0]}」还没有绑定，提醒无法送达。请先请信用办绑定此人，"
                           f"或核对用户ID。")
    if deputy.id == ctx.member.id:
        raise CommandError("代理人不能是自己。取消代理请发：代理 取消")
    until = deputy_until(ctx, words[1:], f"代理 {deputy.user_id}")
    if deputy.unit_id != ctx.member.unit_id or deputy.role != "liaison":
        raise CommandError(f"代理人须是本单位的联络员，{deputy.name}（{deputy.user_id}）不是。如确需由其他人代理，"
                           f"请信用办设置：批准代理 {ctx.member.user_id} {deputy.user_id} 至 {until}")
    set_deputy(ctx.db, ctx.member, deputy.user_id, until, ctx.now, ctx.actor)
    return Reply(f"已设置：至 {until}（含），本单位的提醒改发给 {deputy.name}（{deputy.user_id}），"
                 f"到期自动恢复发给您。提前取消请发：代理 取消")


MAX_DEPUTY_DAYS = 183


def deputy_until(ctx: Ctx, words: list[str], example: str) -> str:
    """A deputy's end date: required, not past, and within half a year (leave has an end)."""
    until = _until(words)
    if until is None:
        raise CommandError(f"请写明代理到哪一天，例如：{example} 至 {ctx.today + timedelta(days=14)}")
    if until < ctx.today.isoformat():
        raise CommandError(f"日期 {until} 已经过去，请写今天以后的日期。")
    if date.fromisoformat(until) > ctx.today + timedelta(days=MAX_DEPUTY_DAYS):
        raise CommandError(f"代理最长半年（至 {ctx.today + timedelta(days=MAX_DEPUTY_DAYS)}），请缩短后再设。")
    return until
