"""Liaison commands: 月报, 报送, 佐证, 记录, 代理 (registered in bot.commands)."""
from __future__ import annotations

import re
from datetime import date, timedelta
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from bot.cards import next_deadline
from bot.commands import LIAISON, _ind, _own_unit, _until, briefing_indicator, command
from bot.context import Ctx
from channels.message import Reply
from bot.metric_words import enterable, read_metrics
from bot.parse import CommandError, exact_tail, writable_metrics
from ledger import submissions as subs
from ledger.facts import (default_period, filing_year, other_filing_year, reports_per_period,
                          unit_figures)
from ledger.labels import RECORD_STATUS_ZH, record_status_zh
from ledger.office import year_status, years
from ledger.units import Unit, find_member, list_members, set_deputy
from worktime.numerals import read_int
from worktime.period import (KIND_OF_FREQUENCY, Period, deadline_info, parse_period,
                             period_of_submission)
from schemes.asks import needs_report, send_command
from schemes.model import Indicator
from scoring.card import fmt, pts

__all__: list[str] = []  # commands register themselves with @command


@command(("月报", "报告", "工作总结"), LIAISON, "月报 [8月] <内容>", "报送月度工作情况（每月2日前报上月；也可写 8月月报 <内容>）",
         free_text=True)
def cmd_briefing(words: list[str], ctx: Ctx) -> Reply:
    unit = _own_unit(ctx)
    ind = briefing_indicator(ctx.office.scheme)
    if ind is None or ind.due is None:
        raise CommandError("当前考核方案没有月报要求。")
    # the text as sent (full-width punctuation, line breaks), without leading separators
    text = re.sub(r"^[\s:：,，、.。\-—]+", "", exact_tail(ctx.msg.text, words)).strip()
    period, text = _named_month(text, ctx)
    if not text and not ctx.msg.attachments:
        raise CommandError("月报内容不能为空。请这样发：月报 8月开展了诚信宣传活动2次……")
    if period is None:
        period = _unnamed_month(ctx, unit, ind, text)
        if period is None:
            return _ask_month(ctx, text)
    month = Period.from_label(period)
    ctx.use_period(unit, month)  # last year's December, sent in January
    if month.year != ctx.office.year:
        raise CommandError(f"{period} 不在{ctx.office.year}年度考核期内，请写考核年度内的月份，例如：月报 "
                           f"{ctx.office.year}-08 工作内容")
    if month > Period.containing("month", ctx.today):
        raise CommandError(f"{period} 还没到，不能提前报送。月报报送的是上月（或本月）的工作。")
    info = deadline_info(ctx.cal, ind.due.frequency, period, ind.due.day, ind.due.date)
    on_time = ctx.today <= info.deadline
    kept = not on_time and subs.keeps_on_time(
        ctx.db, ctx.cal, unit.id, ind.code, period, "briefing", ctx.today,
        int(ctx.settings.get("REVIEW_GRACE_WORKDAYS", 3) or 0))
    on_time = on_time or kept
    sub = subs.record_submission(
        ctx.db, unit_id=unit.id, indicator=ind.code, period=period, kind="briefing", metrics={},
        text=text, now=ctx.now, member_id=ctx.member.id, channel=ctx.msg.channel,
        source_msg_id=ctx.msg.msg_id, deadline=info.deadline.isoformat(), on_time=on_time,
        actor=ctx.actor)
    when = f"截止{info.deadline.month}月{info.deadline.day}日"
    if info.moved:
        when += f"，{info.describe()}"
    state = "按时（更正，保留原按时报送记录）" if kept else "按时" if on_time else "逾期"
    return Reply(f"已收到{unit.name} {month.label}月报（记录编号 {sub.id}），{state}（{when}）。"
                 + ("" if on_time else "\n逾期报送不计入按时次数，请下月按时报送。"))


def _unnamed_month(ctx: Ctx, unit, ind: Indicator, text: str) -> str | None:
    """No month named: the previous month up to its deadline; after it, this month if the
    previous one is in; None when the previous month is missing and overdue (ask)."""
    prev = period_of_submission("monthly", ctx.today)
    due = ind.due
    info = deadline_info(ctx.cal, "monthly", prev, due.day if due else None, due.date if due else None)
    if ctx.today <= info.deadline:
        return prev
    sent = subs.has_standing(ctx.db, unit.id, ind.code, prev, "briefing")
    prev_year = Period.from_label(prev).year
    if sent or prev_year != ctx.office.year and year_status(ctx.db, prev_year) != "open":
        return str(Period.containing("month", ctx.today))
    return None


_ASK = "〔月份〕"


def _ask_month(ctx: Ctx, text: str) -> Reply:
    """The previous month is missing and overdue: which month is this? Nothing is recorded
    until the liaison answers with a number."""
    from bot.evidence import _set_pending
    this = Period.containing("month", ctx.today)
    prev = this.previous()
    _set_pending(ctx, "choose", {"template": f"月报 {_ASK} {text}", "ambiguous": _ASK,
                                 "options": [str(prev), str(this)], "sent": ctx.sent()})
    return Reply(f"这份月报是哪个月的？{prev.short_label}的月报还没有报送，已逾期。请回复序号：\n"
                 f"1. {prev.short_label}（上月补报，逾期）\n2. {this.short_label}（本月）\n"
                 f"也可以直接写明月份重新发送，例如：月报 {this.short_label} 工作内容")


_MONTH_IN = re.compile(
    r"(?P<ym>(?P<y>\d{4})\s*[-/.年]\s*(?P<m1>\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:月份?)?)"
    r"|(?P<md>(?<!\d)(?P<m2>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月份?)"
    r"|(?P<rel>本月|这个月|当月|上月|上个月)")


def _named_month(text: str, ctx: Ctx) -> tuple[str | None, str]:
    """The month a 月报 names in its first words (「8月」「八月份」「本月」「上月」「2022-08」
    「2022年8月」), and the text without a month that stands alone as the first word. Without
    a year, the latest such month that is not in the future (12月 sent in January)."""
    m = _MONTH_IN.search(text[:12])
    if m is None:
        return None, text
    this = Period.containing("month", ctx.today)
    if m.group("rel"):
        month = this if m.group("rel") in ("本月", "这个月", "当月") else this.previous()
    else:
        try:
            mo = read_int(m.group("m1") or m.group("m2"))
        except ValueError:
            mo = 0  # 十十: no number at all
        if not 1 <= mo <= 12:
            raise CommandError(f"月份「{m.group(0)}」不对。月份请写成 8月 或 2022-08")
        if m.group("y"):
            month = Period.of_month(int(m.group("y")), mo)
        else:
            month = Period.of_month(this.year, mo)
            month = month if month <= this else Period.of_month(this.year - 1, mo)
    rest = text
    end = m.start() + len(m.group(0).rstrip())  # 「2022-01 完成…」: the match took the space
    if m.start() == 0 and (end == len(text) or text[end] in " :：,，\n"):
        rest = re.sub(r"^[\s:：,，]+", "", text[end:])
    return str(month), rest


@command(("报送", "填报", "上报"), LIAISON, "报送 <指标> <数值> 或 <名称>=<数值>、<名称> <数值> …",
         "报送数据，立即显示该项得分（如 报送 双公示 准确率 98.5%；可一行一项）", runs_on=True)
def cmd_submit(words: list[str], ctx: Ctx) -> Reply:
    unit = _own_unit(ctx)
    typed = exact_tail(ctx.msg.text, words)
    words = _loosen(words)
    ind, rest = _ind(ctx, words)
    named, rest = _named_period(ind, rest, ctx)
    metrics = read_metrics(ind, rest, say=f"报送 {ind.aliases[0] if ind.aliases else ind.code}")
    period = named or default_period(ind, _filing_year(ctx, ind, figures_in(ctx, unit, ind, metrics)),
                                     ctx.today, ctx.cal)
    ctx.use_period(unit, period)  # January: last year's Q4 still goes to last year
    filed = Period.from_label(period)
    if named and filed.kind != "year" \
            and filed > Period.from_label(default_period(ind, filed.year, ctx.today, ctx.cal)):
        raise CommandError(f"{period} 还没到，不能提前报送。")
    dl = next_deadline(ind, ctx.today, ctx.cal)
    sub = subs.record_submission(
        ctx.db, unit_id=unit.id, indicator=ind.code, period=period, kind="data", metrics=metrics,
        text=typed, now=ctx.now, member_id=ctx.member.id, channel=ctx.msg.channel,
        source_msg_id=ctx.msg.msg_id, deadline=dl.isoformat() if dl else None,
        on_time=(ctx.today <= dl) if dl else None, actor=ctx.actor)
    ctx._cards = None
    item = ctx.item_of(unit, ind.code)
    shown = "，".join(f"{m.label} {_show(metrics[m.name], m)}" for m in ind.metrics if m.name in metrics)
    lines = [f"已记录（编号 {sub.id}，{_scope(ind, period, metrics)}）：{ind.code} {ind.name}｜{shown}"]
    if reports_per_period(ind):
        year = unit_figures(ctx.db, unit.id, ind, ctx.office.year)
        for agg, how in (("sum", "全年累计"), ("max", "全年最高")):
            totals = [f"{m.label} {_show(year[m.name], m)}" for m in ind.metrics
                      if m.name in metrics and m.name in year and m.aggregate(True) == agg]
            if totals:
                lines.append(f"{ctx.office.year}年{how}：{'，'.join(totals)}")
    # a quarter's 台账 is asked for once the quarter has ended (figures may come earlier)
    if needs_report(ind) and filed.end < ctx.today \
            and not subs.has_standing(ctx.db, unit.id, ind.code, period, "report"):
        # the figures are in, but the period counts only when its 台账 (files) arrives
        lines.append(f"{period} 的台账尚未报送（数据不能代替台账）：请发送 {send_command(ind, period)}")
    lines += [
             f"本项暂计 {pts(item.points)}/{pts(item.max_points)} 分（待信用办审核）：{item.explain}"]
    if item.missing:
        lines.append(f"本项还缺：{'、'.join(dict.fromkeys(item.missing))}")
    if not named:
        lines.append(other_year_hint(ctx, ind, period, f"报送 {' '.join(words)}", "年"))
    return Reply("\n".join(line for line in lines if line))


_PERIOD_WORD = re.compile(r"^(\d{4})(?:-?Q[1-4]|-\d{1,2}|年(?:第?[一二三四1-4]季度|\d{1,2}月份?)?|年度)$",
                          re.IGNORECASE)


def _named_period(ind: Indicator, words: list[str], ctx: Ctx) -> tuple[str | None, list[str]]:
    """「报送 双公示 2022-Q4 准确率=100%」: a period among the words names where the figures go
    (and so the year); it must fit the indicator's reporting period. 「上年度」「今年」 name a
    year; a bare 2022 only where it cannot be a value (`_bare_year`)."""
    from bot.registry import RELATIVE_YEARS
    for n, w in enumerate(words):
        if w in RELATIVE_YEARS:
            period = str(ctx.today.year + RELATIVE_YEARS[w])
        elif n == 0 and _bare_year(ind, words, ctx):
            period = w
        elif not _PERIOD_WORD.match(w):
            continue
        else:
            try:
                period = parse_period(w)
            except ValueError as exc:
                raise CommandError(f"{exc}") from None
        per = reports_per_period(ind)
        want = {"monthly": "2022-08", "quarterly": "2022-Q3", None: "2022"}[per]
        if Period.from_label(period).kind != KIND_OF_FREQUENCY[per or "yearly"]:
            raise CommandError(f"「{ind.code} {ind.name}」按{ {'monthly': '月', 'quarterly': '季度'}.get(per or '', '年度')}"
                               f"报送，期别请写成 {want} 的样子")
        year = Period.from_label(period).year
        if year_status(ctx.db, year) is None:
            raise CommandError(f"{year} 不是本办的考核年度。")
        return period, words[:n] + words[n + 1:]
    return None, words


def _bare_year(ind: Indicator, words: list[str], ctx: Ctx) -> bool:
    """「代报 单位 工作机制 2022 是 是」: a bare year of the office's, first after the item and
    followed by the values, is the year — unless the item has a figure that 2022 could be and
    the words, 2022 included, are exactly its values in order (「报送 X 2022 35」 with two
    counts); a year standing alone or after a name (「数量 2022」) is a value."""
    if not (re.fullmatch(r"(19|20)\d\d", words[0]) and len(words) > 1):
        return False
    if year_status(ctx.db, int(words[0])) is None:
        return False
    pool = enterable(ind)
    if any(m.type == "text" for m in pool):
        return False  # a progress report's words are its own
    figures = [m for m in pool if m.type not in ("bool", "percent")]
    in_order = len(words) in (len(pool), len(writable_metrics(ind))) \
        and not any("=" in w for w in words)
    return not (figures and in_order)


def _filing_year(ctx: Ctx, ind: Indicator, filed: Callable[[int], bool] | None = None) -> int:
    """The year a yearly item's filing goes to when none is named (ledger.facts.filing_year;
    `filed`: whether a year already holds what is being sent)."""
    return filing_year(ctx.db, ind, ctx.today, ctx.cal, ctx.office.year, filed)


def figures_in(ctx: Ctx, unit: Unit, ind: Indicator, metrics: dict[str, Any]) -> Callable[[int], bool]:
    """Whether a year's standing data of the unit already holds every figure being sent: then
    sending them again in January is the new year's (last year's are in)."""
    return lambda year: set(metrics) <= subs.standing_figures(ctx.db, unit.id, ind.code, str(year))


def other_year_hint(ctx: Ctx, ind: Indicator, period: str | None, again: str, suffix: str = "") -> str:
    """In January, a yearly item filed under a year nobody named: how to file it for the other
    open year instead ('' when there is no other). `again` is the command as sent; the year
    word goes last (`2023年`: never read as a value)."""
    if period is None or Period.from_label(period).kind != "year":
        return ""
    other = other_filing_year(ctx.db, ind, int(period))
    return f"如为{other}年度，请发送：{again} {other}{suffix}" if other else ""


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
    """Say what a number stands for: this period's figure (periods add up; sending again for
    the same period replaces it) or the year's (a new one replaces it) — liaisons otherwise
    guess."""
    if reports_per_period(ind):
        adds = any(m.aggregate(True) == "sum" and m.name in metrics for m in ind.metrics)
        filed = Period.from_label(period)
        return filed.label if filed.kind == "month" and adds \
            else f"{period} 期" + ("，各期数量逐期累加" if adds else "")
    counts = any(m.type == "count" and m.name in metrics for m in ind.metrics)
    return "本年度累计数，再次报送会替换此数" if counts else "本年度数据"


def _show(v, m) -> str:
    if m.type == "bool":
        return "是" if v else "否"
    if m.type == "percent":
        return f"{fmt(Decimal(str(v)) * 100)}%"
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        return f"{fmt(Decimal(str(v)))}{m.unit}"  # 40, not 40.0
    return f"{v}{m.unit}"


@command(("佐证", "材料", "附件"), LIAISON, "佐证 <指标>（随后发送文件或图片）", "上传佐证材料")
def cmd_evidence(words: list[str], ctx: Ctx) -> Reply:
    from bot.evidence import accept_files, remember_target
    unit = _own_unit(ctx)
    ind, rest = _ind(ctx, words)
    period = None
    due = ind.due
    periodic = due is not None and due.frequency in ("monthly", "quarterly")
    if due is None or not periodic:  # 佐证 工作机制 2022 / 上年度: the year the files are for
        from bot.registry import take_year
        year, rest = take_year(rest, ctx)
        # January: last year's year-end items, unless last year's files are in
        period = str(year or _filing_year(
            ctx, ind, lambda y: subs.has_standing_files(ctx.db, unit.id, ind.code, y)))
        if year_status(ctx.db, int(period)) == "closed":
            raise CommandError(f"{period}年度已关闭，结果已定稿，不能再上传材料。")
        ctx.use_period(unit, period)
    elif rest:
        from bot.registry import RELATIVE_YEARS
        each = "季度" if due.frequency == "quarterly" else "月"
        bare = re.fullmatch(r"(20\d\d)年?度?", rest[0])
        year = (int(bare.group(1)) if bare else ctx.today.year + RELATIVE_YEARS[rest[0]]
                if rest[0] in RELATIVE_YEARS else ctx.office.year)
        example = f"{year}-Q4" if each == "季度" else f"{year}-12"
        how = f"「{ind.code} {ind.name}」按{each}报送，请写期别，例如：佐证 {ind.code} {example}"
        if bare or rest[0] in RELATIVE_YEARS:
            raise CommandError(how)  # a year alone names no quarter or month
        try:  # 佐证 双公示 2022-Q3: a late ledger for the quarter it belongs to
            period = parse_period(rest[0], default_year=ctx.office.year)
        except ValueError as exc:
            raise CommandError(str(exc) if "请写成" in str(exc) else f"{exc}。{how}") from None
        ctx.use_period(unit, period)  # a period of the other open year
        named = Period.from_label(period)
        if named.year != ctx.office.year or named.kind != KIND_OF_FREQUENCY[due.frequency]:
            raise CommandError(f"期别 {period} 与「{ind.name}」的报送周期或考核年度不符")
    reply = accept_files(ctx, unit, ind, period) if ctx.msg.attachments \
        else remember_target(ctx, unit, ind, period)
    if periodic or year is not None:
        return reply
    hint = other_year_hint(ctx, ind, period, f"佐证 {' '.join(words)}")
    return replace(reply, text=f"{reply.text}\n{hint}") if hint else reply


@command(("记录", "我的记录", "history"), LIAISON, "记录", "本单位最近的报送记录",
         read_only=True)
def cmd_records(words: list[str], ctx: Ctx) -> Reply:
    unit = _own_unit(ctx)
    rows = subs.list_submissions(ctx.db, unit.id, limit=15)
    if not rows:
        return Reply("还没有报送记录。")
    lines = [f"{unit.name} 最近的报送记录："]
    office_ids = {m.id for m in list_members(ctx.db, include_ended=True) if m.is_staff}
    closed = {y for y, status in years(ctx.db) if status == "closed"}
    for s in rows:
        what = {"briefing": "月报", "data": "数据", "report": "台账"}.get(s.kind, s.kind)
        lines.append(f"#{s.id} {s.received_at[:16].replace('T', ' ')} {s.indicator} {what} {s.period}"
                     f"｜{record_status_zh(s.status, Period.from_label(s.period).year, closed)}"
                     + ("｜信用办代报" if s.member_id in office_ids else "")
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
