"""Everyone's commands (帮助, 得分, 缺项, 截止, 记录 …) and the helpers the liaison and staff
commands share. The registry itself is bot.registry; liaison, staff and operations commands
sit in their own modules above this one and register themselves when bot.pipeline imports
them.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.cards import card_text, deadline_text, missing_lines
from bot.context import Ctx
from bot.screen import SCREEN_CHARS, one_screen
from bot.registry import (COMMANDS, EVERYONE, LIAISON, STAFF, Command, command,  # noqa: F401
                          dispatch, help_text, run)
from channels.message import Reply
from bot.parse import CommandError, split_indicator
from ledger import submissions as subs
from ledger.db import LedgerError
from ledger.facts import CITY, briefing_indicator, period_gaps
from ledger.office import offices
from ledger.responsibility import duties
from ledger.units import Unit, find_unit, list_members, list_units
from worktime.period import deadline_info, period_year, upcoming_deadlines
from schemes.asks import liaison_can_send, needs_report, send_command
from schemes.model import Indicator
from scoring.stakes import gain_now, timeliness_metric

__all__ = ["COMMANDS", "Command", "dispatch", "help_text", "briefing_indicator"]

# ---- helpers ---------------------------------------------------------------------------------

def _own_unit(ctx: Ctx) -> Unit:
    unit = ctx.unit
    if unit is None:
        raise CommandError("您的账号没有绑定单位。请联系市信用办绑定后再试。")
    return unit


def _ind(ctx: Ctx, words: list[str]) -> tuple[Indicator, list[str]]:
    if not words:
        raise CommandError("请写明指标（编号或名称）。")
    return split_indicator(ctx.office.scheme, words)


def _mine(ctx: Ctx, unit: Unit | None) -> set[str] | None:
    """For a city scheme or a work plan, the indicators this unit answers for (None: all)."""
    if unit is None or ctx.office.scheme.audience not in ("city", "tasks"):
        return None
    return duties(ctx.office.scheme, unit)


# ---- everyone --------------------------------------------------------------------------------

@command(("帮助", "help", "?", "？", "菜单"), EVERYONE, "帮助", "查看命令和示例",
         read_only=True)
def cmd_help(words: list[str], ctx: Ctx) -> Reply:
    text = help_text(ctx.member.role)
    if ctx.member.role == "liaison":
        text += "\n示例：月报 8月完成了…；报送 信用承诺 35；佐证 双公示（随后发文件）；得分；缺项"
    else:
        text += ("\n示例：排名；单位 市发展改革委；审核 市税务局 双公示 通过；待审；查看 12；"
                 "代报 市税务局 双公示 准确率=95%；撤销 3；未交 2022-09")
    return Reply(text)


@command(("截止", "截至", "待办", "deadline"), EVERYONE, "截止 [年度]", "即将到期的事项（按工作日计）",
         read_only=True, year_word="any", each_year=True)
def cmd_due(words: list[str], ctx: Ctx) -> Reply:
    unit = ctx.unit
    rows = []
    mine = _mine(ctx, unit)
    # figures alone do not complete a 台账 or a briefing: only the report (files) does
    reports = {i.code for _, i in ctx.office.scheme.indicators() if needs_report(i)}
    live = {(s.indicator, s.period) for s in subs.list_submissions(
        ctx.db, unit.id, statuses=subs.LIVE)
        if s.indicator not in reports or s.kind in ("report", "briefing")} if unit else set()
    if unit:  # a one-off item is met by its 佐证材料 too (as the reminders count it)
        once = {i.code: i.due.date.isoformat() for _, i in ctx.office.scheme.indicators()
                if i.due and i.due.frequency == "once" and i.due.date}
        live |= {(e["indicator"], once[e["indicator"]]) for e in subs.list_evidence(ctx.db, unit.id)
                 if e["indicator"] in once and e["status"] in subs.LIVE}
    inds = [i for _, i in ctx.office.scheme.indicators()]
    if unit is None:  # staff: the deadlines of every scheme the office runs
        seen = {(i.code, i.name) for i in inds}
        for off in offices(ctx.db, ctx.office.year)[1:]:
            inds += [i for _, i in off.scheme.indicators() if (i.code, i.name) not in seen]
            seen |= {(i.code, i.name) for _, i in off.scheme.indicators()}
    for ind in inds:
        if ind.due is None or (mine is not None and ind.code not in mine):
            continue
        if unit is not None and not ctx.member.is_staff and not liaison_can_send(ind):
            continue  # gate confirmations and staff-only items are the office's
        d = ind.due
        # only periods of the year spoken of: last year's December belongs to last year (and
        # is not asked for at all once that year is closed or was never assessed here)
        for period, dl in [(p, dl) for p, dl in upcoming_deadlines(
                ctx.cal, d.frequency, ctx.today, d.day, d.date, horizon_days=92)
                if period_year(d.frequency, p) == ctx.office.year][:1]:
            info = deadline_info(ctx.cal, d.frequency, period, d.day, d.date)
            done = (ind.code, period) in live
            rows.append((dl, ind, period, info, done))
    if not rows:
        return Reply(f"近三个月没有{ctx.office.year}年度的到期事项。")
    rows.sort(key=lambda r: (r[0], r[1].code))
    briefing = briefing_indicator(ctx.office.scheme)
    briefing_code = briefing.code if briefing else None
    lines = ["近期截止事项："]
    for dl, ind, period, info, done in rows[:12]:
        moved = f"（{info.describe()}）" if info.moved else ""
        state = f"｜{'✓已报送' if done else '未报送'}" if unit else ""
        how = send_command(ind, period, briefing=ind.code == briefing_code)
        ask = f"｜发送：{how}" if unit and not done and how else ""
        lines.append(f"· {ind.code} {ind.name}｜{period}｜{deadline_text(dl, ctx.today, ctx.cal)}"
                     f"{moved}{state}{ask}")
    if unit is None:
        lines.append("各单位的报送情况：未交 [月份]；待审")
    shown_years = {str(r[0].year) for r in rows[:12]}
    for w in ctx.cal.warnings():  # only for the years of the deadlines listed
        if any(y in w for y in shown_years):
            lines.append(f"注意：{w}")
    return Reply("\n".join(lines))


@command(("单位列表", "全部单位"), EVERYONE, "单位列表", "参加考核的全部单位",
         read_only=True)
def cmd_units(words: list[str], ctx: Ctx) -> Reply:
    units = list_units(ctx.db)
    if not units:
        return Reply("还没有单位。")
    return Reply(f"参加考核的单位（{len(units)} 个）：\n" + "、".join(
        u.name + (f"（{'、'.join(u.aliases)}）" if u.aliases else "") for u in units))


# ---- liaisons --------------------------------------------------------------------------------


@command(("得分", "我的得分", "分数", "score", "得份", "的分", "我的的分", "我的得份", "多少分"), EVERYONE,
         "得分 [年度]", "总分、等级、排名和失分项（信用办人员：各单位排名，示范城市方案为全市预计得分）",
         read_only=True, year_word="any")
def cmd_score(words: list[str], ctx: Ctx) -> Reply:
    if ctx.member.is_staff and not ctx.unit:
        if ctx.office.city_level:
            return Reply(card_text(ctx.cards()[CITY], f"{CITY}（预计）", ctx.office))
        return run("排名", words, ctx)  # by word: staff commands sit above this module
    unit = _own_unit(ctx)
    who = f"{CITY}（预计）·{unit.name}" if ctx.office.city_level else unit.name
    return Reply(card_text(ctx.card_of(unit), who, ctx.office))


@command(("缺项", "缺什么", "missing"), EVERYONE, "缺项 [单位] [年度] [全部]",
         "缺少、被驳回或逾期的项目和各期，按分值排序，一屏为限（「缺项 全部」看全部；信用办人员可查任一单位）",
         read_only=True, year_word="any", each_year=True)
def cmd_missing(words: list[str], ctx: Ctx) -> Reply:
    everything = any(w in _EVERYTHING for w in words)
    words = [w for w in words if w not in _EVERYTHING]
    unit = ctx.unit
    if words and ctx.member.is_staff:
        unit = _find_unit(ctx, " ".join(words))
    if unit is None:
        if not ctx.office.city_level:
            raise CommandError("请写单位名称，例如：缺项 市民政局")
        card, mine = ctx.cards()[CITY], None
    else:
        card = ctx.card_of(unit)
        mine = _mine(ctx, unit)
        if mine is not None and not mine:
            return Reply(f"方案中没有列明由{unit.name}负责的指标。如有遗漏，请联系市信用办。")
    items = [i for i in card.items if mine is None or i.code in mine]
    inds = {i.code: i for _, i in ctx.office.scheme.indicators()}
    gaps = period_gaps(ctx.db, ctx.office, unit.id, ctx.today, ctx.cal) if unit else {}
    stakes = _stakes(ctx, unit, items) if unit is not None and not ctx.office.city_level else {}
    lines = missing_lines(items, inds, ctx.today, ctx.cal, staff=ctx.member.is_staff, gaps=gaps,
                          year=ctx.office.year, stakes=stakes)
    if not lines:
        return Reply(f"{ctx.office.year}年度没有缺项，负责的指标都已报送。发送「得分」查看得分。")
    tasks = ctx.office.scheme.base_total is None
    order = "按任务序号" if tasks else "按分值从高到低"
    head = f"{unit.name if unit else CITY} 待补 {len(lines)} 项（{order}）："
    foot = "报送数据：报送 <指标> <数值>；上传材料：佐证 <指标>"
    shown = len(lines) if everything else one_screen(lines, SCREEN_CHARS - len(head) - len(foot) - 40)
    rest = len(lines) - shown
    ask = "缺项 全部" if unit is None or not ctx.member.is_staff else f"缺项 {unit.name} 全部"
    more = [f"……另有 {rest} 项未列出，查看全部请发：{ask}"] if rest else []
    return Reply("\n".join([head] + lines[:shown] + more + [foot]))


_EVERYTHING = ("全部", "所有", "更多", "全部缺项")


def _stakes(ctx: Ctx, unit: Unit, items: list) -> dict[str, Decimal | None]:
    """The engine's figure of what acting now still gains, for each item that counts reports
    in on time (月报, 台账: scoring.stakes.gain_now); the others keep max − points."""
    scheme = ctx.office.scheme
    timed = [i for i in items
             if (ind := scheme.indicator(i.code)) is not None and timeliness_metric(ind)]
    if not timed:
        return {}
    facts = ctx.facts()
    return {i.code: gain_now(scheme, facts, unit.name, i) for i in timed}


@command(("撤回",), EVERYONE, "撤回 <编号>", "撤回一条报送（保留在审计记录中）")
def cmd_withdraw(words: list[str], ctx: Ctx) -> Reply:
    if not words or not words[0].lstrip("#").isdigit() or len(words[0].lstrip("#")) > 12:
        raise CommandError("请写上记录编号，例如：撤回 12（发送「记录」查看编号）")
    unit_id = None if ctx.member.is_staff else _own_unit(ctx).id
    try:
        if unit_id is not None and subs.get(ctx.db, int(words[0].lstrip("#"))).member_id in {
                m.id for m in list_members(ctx.db, include_ended=True) if m.is_staff}:
            raise CommandError("这条记录是市信用办代报的，请联系市信用办更正。")
        sub = subs.withdraw(ctx.db, int(words[0].lstrip("#")), unit_id, ctx.now, ctx.actor)
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    if ctx.member.is_staff:
        from ledger.units import get_unit
        _tell_liaisons(ctx, get_unit(ctx.db, sub.unit_id),
                       f"市信用办撤回了您单位的记录 #{sub.id}（{sub.indicator} {sub.period}）。"
                       f"如有疑问请联系市信用办。")
    return Reply(f"已撤回记录 #{sub.id}（{sub.indicator} {sub.period}），该记录仍保留在审计记录中。")


def _until(words: list[str]) -> str | None:
    words = [w for w in words if w not in ("至", "到")]
    if not words:
        return None
    try:
        return date.fromisoformat(words[0]).isoformat()
    except ValueError:
        raise CommandError(f"日期「{words[0]}」格式不对，请写成 2022-10-31") from None


# ---- staff -----------------------------------------------------------------------------------


def _find_unit(ctx: Ctx, text: str) -> Unit:
    """A unit named by staff; from here on the command speaks of the scheme assessing it."""
    try:
        unit = find_unit(ctx.db, text)
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    ctx.use_unit(unit)
    return unit


def _unit_and_rest(ctx: Ctx, words: list[str]) -> tuple[Unit, list[str]]:
    if not words:
        raise CommandError("请写单位名称。")
    for n in range(1, len(words) + 1):  # unit names come first and are short
        try:
            unit = find_unit(ctx.db, " ".join(words[:n]), loose=False)
        except LedgerError:
            continue
        ctx.use_unit(unit)
        return unit, words[n:]
    return _find_unit(ctx, words[0]), words[1:]


def _is_number(w: str) -> bool:
    try:
        float(w)
        return True
    except ValueError:
        return False


def _tell_liaisons(ctx: Ctx, unit: Unit, text: str) -> None:
    """Staff changed a unit's score: its liaisons hear of it."""
    ctx.notify_liaisons(unit.id, text, key=f"notice:{unit.id}:{ctx.msg.channel}:{ctx.msg.msg_id}")



