"""The chat language: a command word -> a small function (msg, ctx) -> Reply.

Each command has a Chinese help line and the roles allowed to use it. A `CommandError` becomes
the reply text; anything else is logged by the pipeline and answered with an apology.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Callable

from bot.cards import card_text, deadline_text, missing_lines, next_deadline, staff_only_metrics
from bot.context import Ctx
from bot.message import Reply
from bot.parse import CommandError, find_indicator, normalise, parse_metrics, split_indicator
from ledger import submissions as subs
from ledger.db import LedgerError
from ledger.facts import CITY, default_period
from ledger.responsibility import duties
from ledger.units import (Unit, add_member, find_member, find_unit, list_members, list_units,
                          pause_unit, set_deputy)
from reminders.calendar import (deadline_info, parse_period, period_of_submission,
                                upcoming_deadlines)
from schemes.model import Indicator, metrics_read
from scoring.card import fmt, pts

__all__ = ["COMMANDS", "Command", "dispatch", "help_text", "briefing_indicator"]

Handler = Callable[[list[str], Ctx], Reply]


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    roles: tuple[str, ...]
    usage: str
    help: str
    fn: Handler


COMMANDS: list[Command] = []
LIAISON, STAFF = ("liaison",), ("staff", "admin")
EVERYONE = ("liaison", "staff", "admin")


def command(words: tuple[str, ...], roles: tuple[str, ...], usage: str, help: str):
    def deco(fn: Handler) -> Handler:
        COMMANDS.append(Command(words, roles, usage, help, fn))
        return fn
    return deco


def _lookup(word: str) -> Command | None:
    w = word.lower()
    for c in COMMANDS:
        if w in c.words:
            return c
    return None


def dispatch(text: str, ctx: Ctx) -> Reply:
    text = normalise(text)
    if not text:
        raise CommandError("收到空消息。发送「帮助」查看可用的命令。")
    word, *rest = text.split(" ")
    cmd = _lookup(word)
    if cmd is None:
        # "我的得分" and friends: try the longest known command word at the start.
        for c in COMMANDS:
            for w in sorted(c.words, key=len, reverse=True):
                if text.startswith(w) and len(w) >= 2:
                    cmd, rest = c, normalise(text[len(w):]).split(" ") if text[len(w):].strip() else []
                    break
            if cmd:
                break
    if cmd is None and " " in text:  # 「得 分」: a command word typed with a space in it
        squeezed = text.replace(" ", "")
        if any(squeezed == w for c in COMMANDS for w in c.words):
            return dispatch(squeezed, ctx)
    if cmd is None:
        raise CommandError(f"没有看懂「{text[:20]}」。发送「帮助」查看可用的命令，例如：得分、缺项、截止、"
                           f"月报 本月工作…、报送 信用承诺 35。")
    if ctx.member.role not in cmd.roles:
        who = "信用办工作人员" if cmd.roles == STAFF else "单位联络员"
        raise CommandError(f"「{cmd.words[0]}」仅限{who}使用。发送「帮助」查看您可用的命令。")
    return cmd.fn([w for w in rest if w], ctx)


def help_text(role: str) -> str:
    lines = ["信用考核助手 可用命令："]
    for c in COMMANDS:
        if role in c.roles:
            lines.append(f"· {c.usage} — {c.help}")
    return "\n".join(lines)


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


def briefing_indicator(ctx_scheme) -> Indicator | None:
    """The indicator that takes the monthly briefing: alias 月报, else the first monthly one."""
    inds = [i for _, i in ctx_scheme.indicators()]
    for i in inds:
        if "月报" in i.aliases:
            return i
    return next((i for i in inds if i.due and i.due.frequency == "monthly"), None)


def _mine(ctx: Ctx, unit: Unit | None) -> set[str] | None:
    """For a city scheme or a work plan, the indicators this unit answers for (None: all)."""
    if unit is None or ctx.office.scheme.audience not in ("city", "tasks"):
        return None
    return duties(ctx.office.scheme, unit)


# ---- everyone --------------------------------------------------------------------------------

@command(("帮助", "help", "?", "？", "菜单"), EVERYONE, "帮助", "查看命令和示例")
def cmd_help(words: list[str], ctx: Ctx) -> Reply:
    text = help_text(ctx.member.role)
    if ctx.member.role == "liaison":
        text += "\n示例：月报 8月完成了…；报送 信用承诺 35；佐证 双公示（随后发文件）；得分；缺项"
    else:
        text += "\n示例：排名；单位 市发展改革委；审核 市税务局 双公示 通过；未交 2022-09"
    return Reply(text)


@command(("截止", "待办", "deadline"), EVERYONE, "截止 / 待办", "即将到期的事项（按工作日计）")
def cmd_due(words: list[str], ctx: Ctx) -> Reply:
    unit = ctx.unit
    rows = []
    mine = _mine(ctx, unit)
    live = {(s.indicator, s.period) for s in subs.list_submissions(
        ctx.db, unit.id, statuses=subs.LIVE)} if unit else set()
    if unit:  # a one-off item is met by its 佐证材料 too (as the reminders count it)
        once = {i.code: i.due.date.isoformat() for _, i in ctx.office.scheme.indicators()
                if i.due and i.due.frequency == "once" and i.due.date}
        live |= {(e["indicator"], once[e["indicator"]]) for e in subs.list_evidence(ctx.db, unit.id)
                 if e["indicator"] in once and e["status"] in subs.LIVE}
    for _, ind in ctx.office.scheme.indicators():
        if ind.due is None or (mine is not None and ind.code not in mine):
            continue
        d = ind.due
        for period, dl in upcoming_deadlines(ctx.cal, d.frequency, ctx.today, d.day, d.date,
                                             horizon_days=92)[:1]:
            info = deadline_info(ctx.cal, d.frequency, period, d.day, d.date)
            done = (ind.code, period) in live
            rows.append((dl, ind, period, info, done))
    if not rows:
        return Reply("近三个月没有到期事项。")
    rows.sort(key=lambda r: (r[0], r[1].code))
    lines = ["近期截止事项："]
    for dl, ind, period, info, done in rows[:12]:
        moved = f"（{info.describe()}）" if info.moved else ""
        state = f"｜{'✓已报送' if done else '未报送'}" if unit else ""
        lines.append(f"· {ind.code} {ind.name}｜{period}｜{deadline_text(dl, ctx.today, ctx.cal)}"
                     f"{moved}{state}")
    if unit is None:
        lines.append("各单位的报送情况：未交 [月份]；待审")
    shown_years = {str(r[0].year) for r in rows[:12]}
    for w in ctx.cal.warnings():  # only for the years of the deadlines listed
        if any(y in w for y in shown_years):
            lines.append(f"注意：{w}")
    return Reply("\n".join(lines))


@command(("单位列表", "全部单位"), EVERYONE, "单位列表", "参加考核的全部单位")
def cmd_units(words: list[str], ctx: Ctx) -> Reply:
    units = list_units(ctx.db)
    if not units:
        return Reply("还没有单位。")
    return Reply(f"参加考核的单位（{len(units)} 个）：\n" + "、".join(u.name for u in units))


# ---- liaisons --------------------------------------------------------------------------------

@command(("月报", "报告", "工作总结"), LIAISON, "月报 [2022-08] <内容>", "报送上月工作情况（每月2日前）")
def cmd_briefing(words: list[str], ctx: Ctx) -> Reply:
    unit = _own_unit(ctx)
    ind = briefing_indicator(ctx.office.scheme)
    if ind is None or ind.due is None:
        raise CommandError("当前考核方案没有月报要求。")
    period = _named_month(words[0], ctx) if words else None
    if period is not None:
        words = words[1:]
    text = " ".join(words).strip()
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
    words = _loosen(words)
    ind, rest = _ind(ctx, words)
    metrics = parse_metrics(ind, rest)
    period = default_period(ind, ctx.office.year, ctx.today, ctx.cal)
    dl = next_deadline(ind, ctx.today, ctx.cal)
    sub = subs.record_submission(
        ctx.db, unit_id=unit.id, indicator=ind.code, period=period, kind="data", metrics=metrics,
        text=" ".join(words), now=ctx.now, member_id=ctx.member.id, channel=ctx.msg.channel,
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


@command(("得分", "我的得分", "分数", "score"), EVERYONE, "得分",
         "总分、等级、排名和失分项（信用办人员：各单位排名，示范城市方案为全市预计得分）")
def cmd_score(words: list[str], ctx: Ctx) -> Reply:
    if ctx.member.is_staff and not ctx.unit:
        if ctx.office.city_level:
            return Reply(card_text(ctx.cards()[CITY], f"{CITY}（预计）", ctx.office))
        return cmd_ranking(words, ctx)
    unit = _own_unit(ctx)
    who = f"{CITY}（预计）·{unit.name}" if ctx.office.city_level else unit.name
    return Reply(card_text(ctx.card_of(unit), who, ctx.office))


@command(("缺项", "缺什么", "missing"), EVERYONE, "缺项", "缺少、被驳回或逾期的项目，按分值排序")
def cmd_missing(words: list[str], ctx: Ctx) -> Reply:
    unit = ctx.unit
    if unit is None:
        if not ctx.office.city_level:
            raise CommandError("请用「单位 <名称>」查看某单位的情况。")
        card, mine = ctx.cards()[CITY], None
    else:
        card = ctx.card_of(unit)
        mine = _mine(ctx, unit)
        if mine is not None and not mine:
            return Reply(f"方案中没有列明由{unit.name}负责的指标。如有遗漏，请联系市信用办。")
    items = [i for i in card.items if mine is None or i.code in mine]
    inds = {i.code: i for _, i in ctx.office.scheme.indicators()}
    lines = missing_lines(items, inds, ctx.today, ctx.cal, staff=ctx.member.is_staff)
    if not lines:
        return Reply("没有缺项，负责的指标都已报送。发送「得分」查看得分。")
    tasks = ctx.office.scheme.base_total is None
    order = "按任务序号" if tasks else "按分值从高到低"
    head = f"{unit.name if unit else CITY} 待补 {len(lines)} 项（{order}）："
    more = f"\n……另有 {len(lines) - 15} 项，处理完以上再看。" if len(lines) > 15 else ""
    return Reply("\n".join([head] + lines[:15]) + more + "\n报送数据：报送 <指标> <数值>；上传材料：佐证 <指标>")


@command(("记录", "我的记录", "history"), LIAISON, "记录", "本单位最近的报送记录")
def cmd_records(words: list[str], ctx: Ctx) -> Reply:
    unit = _own_unit(ctx)
    rows = subs.list_submissions(ctx.db, unit.id, limit=15)
    if not rows:
        return Reply("还没有报送记录。")
    lines = [f"{unit.name} 最近的报送记录："]
    for s in rows:
        what = {"briefing": "月报", "data": "数据", "report": "台账"}.get(s.kind, s.kind)
        lines.append(f"#{s.id} {s.received_at[:16].replace('T', ' ')} {s.indicator} {what} {s.period}"
                     f"｜{subs._STATUS_ZH[s.status]}"
                     + (f"｜{'按时' if s.on_time else '逾期'}" if s.on_time is not None else ""))
    lines.append("撤回某条：撤回 <编号>")
    return Reply("\n".join(lines))


@command(("撤回", "撤销"), EVERYONE, "撤回 <编号>", "撤回一条报送（保留在审计记录中）")
def cmd_withdraw(words: list[str], ctx: Ctx) -> Reply:
    if not words or not words[0].lstrip("#").isdigit() or len(words[0].lstrip("#")) > 12:
        raise CommandError("请写上记录编号，例如：撤回 12（发送「记录」查看编号）")
    unit_id = None if ctx.member.is_staff else _own_unit(ctx).id
    try:
        sub = subs.withdraw(ctx.db, int(words[0].lstrip("#")), unit_id, ctx.now, ctx.actor)
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    if ctx.member.is_staff:
        from ledger.units import get_unit
        _tell_liaisons(ctx, get_unit(ctx.db, sub.unit_id),
                       f"市信用办撤回了您单位的记录 #{sub.id}（{sub.indicator} {sub.period}）。"
                       f"如有疑问请联系市信用办。")
    return Reply(f"已撤回记录 #{sub.id}（{sub.indicator} {sub.period}），该记录仍保留在审计记录中。")


@command(("代理", "请假"), LIAISON, "代理 <用户ID> [至 2022-10-31]", "请假期间由同事代收提醒")
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
    until = _until(words[1:])
    if until is not None and until < ctx.today.isoformat():
        raise CommandError(f"日期 {until} 已经过去，请写今天以后的日期。")
    set_deputy(ctx.db, ctx.member, deputy.user_id, until, ctx.now, ctx.actor)
    when = f"至 {until}" if until else "直到取消"
    return Reply(f"已设置：{when}，本单位的提醒改发给 {deputy.name}（{deputy.user_id}）。"
                 f"取消请发：代理 取消")


def _until(words: list[str]) -> str | None:
    words = [w for w in words if w not in ("至", "到")]
    if not words:
        return None
    try:
        return date.fromisoformat(words[0]).isoformat()
    except ValueError:
        raise CommandError(f"日期「{words[0]}」格式不对，请写成 2022-10-31") from None


# ---- staff -----------------------------------------------------------------------------------

@command(("排名", "排行", "ranking"), STAFF, "排名 [类别]", "各单位得分排名")
def cmd_ranking(words: list[str], ctx: Ctx) -> Reply:
    cards = ctx.cards()
    if ctx.office.city_level:
        return Reply(card_text(cards[CITY], f"{CITY}（预计）", ctx.office))
    if ctx.office.scheme.base_total is None:  # a work plan: progress, not points
        done = {u: sum(1 for i in c.items if i.status == "reported") for u, c in cards.items()}
        mine = {u.name: len(duties(ctx.office.scheme, u)) for u in list_units(ctx.db)}
        lines = [f"{ctx.office.year}年 任务进展（已报告/负责的任务）："]
        for name in sorted(cards, key=lambda u: (-done[u], u)):
            lines.append(f"· {name} {done[name]}/{mine.get(name, 0)}")
        return Reply("\n".join(lines[:61]))
    cat = " ".join(words)
    if cat:
        names = [c.name for c in ctx.office.scheme.categories]
        match = [n for n in names if cat in n]
        if len(match) != 1:
            raise CommandError(f"没有唯一匹配「{cat}」的类别。可选：{'、'.join(names)}")
        key = lambda c: next(p for n, p, _ in c.categories if n == match[0]) or 0
        title = f"{match[0]} 排名："
    else:
        key = lambda c: c.total or 0
        title = f"{ctx.office.year}年度 总分排名（{len(cards)} 个单位）："
    ordered = sorted(cards.items(), key=lambda kv: (-key(kv[1]), kv[0]))
    lines = [title]
    rank, prev = 0, None
    for n, (name, card) in enumerate(ordered, start=1):
        if key(card) != prev:  # ties share the better rank, as on the cards (1, 2, 2, 4)
            rank, prev = n, key(card)
        band = f" {card.band}" if card.band and not cat else ""
        lines.append(f"{rank}. {name} {pts(key(card))}{band}")
    return Reply("\n".join(lines[:61]) + ("\n……" if len(lines) > 61 else ""))


@command(("单位",), STAFF, "单位 <名称>", "查看任一单位的得分卡")
def cmd_unit(words: list[str], ctx: Ctx) -> Reply:
    if not words:
        names = "、".join(u.name for u in list_units(ctx.db))
        return Reply(f"请写单位名称。现有单位：{names}")
    unit = _find_unit(ctx, " ".join(words))
    card = ctx.card_of(unit)
    text = card_text(card, unit.name, ctx.office, weakest=5)
    return Reply(text)


def _find_unit(ctx: Ctx, text: str) -> Unit:
    try:
        return find_unit(ctx.db, text)
    except LedgerError as exc:
        raise CommandError(str(exc)) from None


def _unit_and_rest(ctx: Ctx, words: list[str]) -> tuple[Unit, list[str]]:
    if not words:
        raise CommandError("请写单位名称。")
    for n in range(1, len(words) + 1):  # unit names come first and are short
        try:
            return find_unit(ctx.db, " ".join(words[:n]), loose=False), words[n:]
        except LedgerError:
            continue
    return _find_unit(ctx, words[0]), words[1:]


@command(("审核",), STAFF, "审核 <单位> <指标> 通过/驳回 [理由]", "审核报送的数据和材料，联络员会收到通知")
def cmd_review(words: list[str], ctx: Ctx) -> Reply:
    unit, rest = _unit_and_rest(ctx, words)
    verdicts = {"通过": True, "同意": True, "驳回": False, "退回": False, "不通过": False}
    idx = next((n for n, w in enumerate(rest) if w in verdicts), None)
    if idx is None:
        raise CommandError("请写明「通过」或「驳回」，例如：审核 市税务局 双公示 驳回 缺少盖章")
    named, period = rest[:idx], None
    if len(named) > 1:  # 审核 市民政局 月报 2022-09 驳回 …: one period only
        try:
            period = parse_period(named[-1], default_year=ctx.office.year)
            named = named[:-1]
        except ValueError:
            period = None
    ind = find_indicator(ctx.office.scheme, " ".join(named))
    accept, reason = verdicts[rest[idx]], " ".join(rest[idx + 1:])
    if not accept and not reason:
        raise CommandError("驳回时请写明理由，联络员才知道怎么改。")
    try:
        n = subs.review_latest(ctx.db, unit.id, ind.code, accept, reason, ctx.member.id, ctx.now,
                               ctx.actor, period=period)
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    verdict = "通过" if accept else f"驳回（{reason}）"
    users = [m.user_id for m in list_members(ctx.db, unit.id, "liaison")]
    ctx.notify(users, f"市信用办审核了您单位的「{ind.code} {ind.name}」：{verdict}。"
                      + ("" if accept else "请补正后重新报送。"),
               key=f"review:{unit.id}:{ind.code}:{ctx.msg.channel}:{ctx.msg.msg_id}")
    which = f" {period}" if period else ""
    return Reply(f"已{verdict}：{unit.name}「{ind.code} {ind.name}」{which}{n} 条记录，已通知联络员。"
                 + ("" if period or n <= 1 else "\n只审核某一期请写期别，例如：审核 单位 月报 2022-09 驳回 理由"))


@command(("待审", "待审核"), STAFF, "待审 [单位]", "等待审核的报送和材料，最早的在前")
def cmd_pending_reviews(words: list[str], ctx: Ctx) -> Reply:
    unit = _find_unit(ctx, " ".join(words)) if words else None
    names = {u.id: u.name for u in list_units(ctx.db)}
    waiting: dict[tuple[int, str], dict] = {}
    for s in subs.list_submissions(ctx.db, unit.id if unit else None, statuses=("submitted",)):
        w = waiting.setdefault((s.unit_id, s.indicator), {"data": 0, "files": 0, "since": s.received_at})
        w["data"] += 1
        w["since"] = min(w["since"], s.received_at)
    for e in subs.list_evidence(ctx.db, unit.id if unit else None):
        if e["status"] == "submitted":
            w = waiting.setdefault((e["unit_id"], e["indicator"]),
                                   {"data": 0, "files": 0, "since": e["received_at"]})
            w["files"] += 1
            w["since"] = min(w["since"], e["received_at"])
    if not waiting:
        return Reply("没有等待审核的报送或材料。")
    rows = sorted(waiting.items(), key=lambda kv: kv[1]["since"])
    lines = [f"待审核 {len(rows)} 项（最早的在前）："]
    for (unit_id, code), w in rows[:20]:
        ind = ctx.office.scheme.indicator(code)
        what = "、".join(filter(None, [f"数据 {w['data']} 条" if w["data"] else "",
                                        f"材料 {w['files']} 个" if w["files"] else ""]))
        lines.append(f"· {names.get(unit_id, unit_id)}｜{code} {ind.name if ind else ''}｜{what}"
                     f"｜{w['since'][5:16].replace('T', ' ')}起")
    if len(rows) > 20:
        lines.append(f"……另有 {len(rows) - 20} 项")
    lines.append("审核：审核 <单位> <指标> 通过/驳回 [理由]")
    return Reply("\n".join(lines))


@command(("打分", "酌情"), STAFF, "打分 <单位> <指标> [分项=]<分> [理由]",
         "酌情计分（在该项分值内）；一项有多个酌情分项时写 分项序号=分")
def cmd_points(words: list[str], ctx: Ctx) -> Reply:
    unit, rest = _unit_and_rest(ctx, words)
    at = next((n for n, w in enumerate(rest) if n and (_is_number(w) or "=" in w)), None)
    if at is None:
        raise CommandError("格式：打分 <单位> <指标> <分> [理由]，例如：打分 市税务局 一 4 贯彻部署到位；"
                           "信用办录入的数据项写 名称=值，例如：打分 市税务局 双公示 concealed_cut=2")
    ind = find_indicator(ctx.office.scheme, " ".join(rest[:at]))
    parts = [p for p in ind.parts if p.kind == "discretionary"]
    which, _, amount = rest[at].rpartition("=")
    staff_metric = _staff_metric(ind, which)
    if staff_metric is not None:  # e.g. 双公示 瞒报5条以下时的酌情扣分
        return _staff_value(ctx, unit, ind, staff_metric, amount, " ".join(rest[at + 1:]))
    if not parts:
        raise CommandError(f"「{ind.code} {ind.name}」不是酌情计分项，其得分按报送数据自动计算。")
    part = _discretionary_part(ind, parts, which)
    if not _is_number(amount):
        raise CommandError(f"「{amount}」不是有效的分数")
    pts, cap = Decimal(amount), part.max_points if part.max_points is not None else ind.max_points
    if pts < 0 or (cap is not None and pts > cap):
        raise CommandError(f"「{part.label or ind.name}」的分数应在 0 到 {fmt(cap)} 之间")
    reason = " ".join(rest[at + 1:])
    subs.add_adjustment(ctx.db, unit_id=unit.id, kind="points", indicator=ind.code,
                        value={"metric": part.metric, "points": str(pts)}, reason=reason,
                        member_id=ctx.member.id, now=ctx.now, actor=ctx.actor)
    label = f"{part.label}：" if len(parts) > 1 and part.label else ""
    return Reply(f"已记录：{unit.name}「{ind.code} {ind.name}」{label}酌情计 {fmt(pts)}/{fmt(cap)} 分"
                 + (f"，理由：{reason}" if reason else ""))


def _staff_metric(ind: Indicator, which: str):
    """A value only staff enter (a staff value, a gate or 基础指标 confirmation — not 酌情
    points, which have their own path), named by name or a piece of its label."""
    if not which:
        return None
    key = which.lower()
    for m in staff_only_metrics(ind):
        if any(p.kind == "discretionary" and p.metric == m.name for p in ind.parts):
            continue
        if key == m.name.lower() or which in m.label:
            return m
    return None


def _staff_cap(ind: Indicator, metric) -> Decimal | None:
    """A staff-entered number may not exceed what the parts reading it can give or take."""
    caps = [p.max_points if p.max_points is not None else ind.max_points
            for p in ind.parts if metric.name in metrics_read(p)]
    caps = [c for c in caps if c is not None]
    return min(caps) if caps else None


def _staff_value(ctx: Ctx, unit: Unit, ind: Indicator, metric, amount: str, reason: str) -> Reply:
    from bot.parse import parse_value
    value = parse_value(metric, amount)
    cap = _staff_cap(ind, metric) if metric.type in ("number", "count") else None
    if cap is not None and Decimal(str(value)) > cap:
        raise CommandError(f"「{metric.label}」应在 0 到 {fmt(cap)} 之间")
    subs.add_adjustment(ctx.db, unit_id=unit.id, kind="points", indicator=ind.code,
                        value={"metric": metric.name, "points": value}, reason=reason,
                        member_id=ctx.member.id, now=ctx.now, actor=ctx.actor)
    ctx._cards = None
    item = ctx.item_of(unit, ind.code)
    _tell_liaisons(ctx, unit, f"市信用办录入了您单位「{ind.code} {ind.name}」的{metric.label}："
                              f"{amount}；本项现为 {fmt(item.points)}/{fmt(item.max_points)} 分。")
    return Reply(f"已记录：{unit.name}「{ind.code} {ind.name}」{metric.label} = {amount}；"
                 f"本项现为 {fmt(item.points)}/{fmt(item.max_points)} 分。")


def _discretionary_part(ind: Indicator, parts: list, which: str):
    """The 酌情 part named by its number (1, 2 …) or a piece of its label."""
    if len(parts) == 1 and not which:
        return parts[0]
    listing = "；".join(f"{n}={p.label or p.metric}（最高{fmt(p.max_points or ind.max_points)}分）"
                       for n, p in enumerate(parts, start=1))
    if not which:
        raise CommandError(f"「{ind.code} {ind.name}」有{len(parts)}个酌情分项，请写 分项序号=分，"
                           f"例如：打分 单位 {ind.code} 1=2 理由。分项：{listing}")
    if which.isdigit() and 1 <= int(which) <= len(parts):
        return parts[int(which) - 1]
    hits = [p for p in parts if which in (p.label or "") or which == p.metric]
    if len(hits) == 1:
        return hits[0]
    raise CommandError(f"没有唯一匹配「{which}」的分项。分项：{listing}")


def _is_number(w: str) -> bool:
    try:
        float(w)
        return True
    except ValueError:
        return False


@command(("扣分", "事件"), STAFF, "扣分 <单位> <情形> [说明]", "记录扣分情形或重大失信事件")
def cmd_deduct(words: list[str], ctx: Ctx) -> Reply:
    unit, rest = _unit_and_rest(ctx, words)
    if not rest:
        raise CommandError("请写明扣分情形，例如：扣分 市民政局 养老托幼 被省通报1起")
    scheme = ctx.office.scheme
    text = " ".join(rest)
    for ev in scheme.downgrade_events:
        # 「重大失信事件」, its id, or a clear start of it such as 「重大失信」
        if ev.name in text or ev.id == rest[0] or (len(rest[0]) >= 4 and ev.name.startswith(rest[0])):
            subs.add_adjustment(ctx.db, unit_id=unit.id, kind="event", indicator=None,
                                value=ev.name, reason=text, member_id=ctx.member.id, now=ctx.now,
                                actor=ctx.actor)
            return Reply(f"已记录 {unit.name} 发生「{ev.name}」：考核结果降低{ev.levels}个档次。")
    deds = [i for c in scheme.categories if c.section == "deduction" for i in c.indicators]
    if not deds:
        raise CommandError("当前方案没有扣分情形。")
    ind, note = split_indicator(scheme, rest)
    if ind not in deds:
        names = "、".join(f"{i.code} {i.name}" for i in deds)
        raise CommandError(f"「{ind.name}」不是扣分情形。可选：{names}")
    cases = 1
    if note and re.fullmatch(r"\d{1,2}(起|个|件)?", note[0]):  # 扣分 单位 乱收费 2 …
        cases, note = int(re.match(r"\d+", note[0]).group(0)), note[1:]
        if cases < 1:
            raise CommandError("起数应至少为 1")
    for _ in range(cases):  # one row per case: each can be withdrawn on its own
        subs.add_adjustment(ctx.db, unit_id=unit.id, kind="deduction", indicator=ind.code,
                            value=1, reason=" ".join(note), member_id=ctx.member.id,
                            now=ctx.now, actor=ctx.actor)
    ctx._cards = None
    item = ctx.item_of(unit, ind.code)
    _tell_liaisons(ctx, unit, f"市信用办记录了您单位的扣分情形「{ind.name}」{cases} 起，"
                              f"本项现扣 {fmt(-item.points)} 分。如有异议请联系市信用办。")
    return Reply(f"已记录 {unit.name}「{ind.code} {ind.name}」{cases} 起，本项合计扣 {fmt(-item.points)} 分。")


def _tell_liaisons(ctx: Ctx, unit: Unit, text: str) -> None:
    """Staff changed a unit's score: its liaisons hear of it."""
    users = [m.user_id for m in list_members(ctx.db, unit.id, "liaison")]
    ctx.notify(users, text, key=f"notice:{unit.id}:{ctx.msg.channel}:{ctx.msg.msg_id}")


@command(("未交", "未报", "谁没交"), STAFF, "未交 [2022-09]", "尚未报送月报的单位")
def cmd_not_sent(words: list[str], ctx: Ctx) -> Reply:
    ind = briefing_indicator(ctx.office.scheme)
    if ind is None or ind.due is None:
        raise CommandError("当前考核方案没有月报要求。")
    if words:
        try:
            period = parse_period(words[0], default_year=ctx.today.year)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    else:
        period = period_of_submission(ind.due.frequency, ctx.today, ind.due.day)
    sent = {s.unit_id for s in subs.list_submissions(ctx.db, statuses=subs.LIVE, kind="briefing")
            if s.period == period}
    missing = [u for u in list_units(ctx.db) if u.id not in sent]
    info = deadline_info(ctx.cal, ind.due.frequency, period, ind.due.day, ind.due.date)
    head = f"{period} 月报（截止{info.deadline.month}月{info.deadline.day}日" + \
        ("，尚未到截止日）" if ctx.today <= info.deadline else "）")
    if not missing:
        return Reply(f"{head}：全部单位已报送。")
    return Reply(f"{head} 未报送 {len(missing)} 个单位：\n" + "\n".join(f"· {u.name}" for u in missing))


@command(("导出", "export"), STAFF, "导出", "导出本年度考核表（Excel）")
def cmd_export(words: list[str], ctx: Ctx) -> Reply:
    from bot.export import export_xlsx
    folder = ctx.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"考核表-{ctx.office.year}-{ctx.now:%Y%m%d%H%M%S}-{secrets.token_hex(2)}.xlsx"
    export_xlsx(ctx.db, ctx.office, path, ctx.today, ctx.cal)
    link = download_link(ctx, path)
    where = (f"下载（{ctx.settings.get('UPLOAD_LINK_HOURS') or 24}小时内有效）：{link}" if link else
             f"文件保存在服务器：{path}。配置 PUBLIC_BASE_URL 后可在聊天中直接获取下载链接。")
    return Reply(f"已导出 {ctx.office.year} 年度考核表 {path.name}\n{where}", files=[str(path)])


def download_link(ctx: Ctx, path) -> str | None:
    """A time-limited link to a file the bot made (the chat channels cannot carry it)."""
    base = str(ctx.settings.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not base:
        return None
    token = secrets.token_urlsafe(24)
    hours = int(ctx.settings.get("UPLOAD_LINK_HOURS") or 24)
    ctx.db.execute("INSERT INTO downloads(token, path, name, member_id, expires_at, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [token, str(path), path.name, ctx.member.id,
                    (ctx.now + timedelta(hours=hours)).isoformat(timespec="seconds"),
                    ctx.now.isoformat(timespec="seconds")])
    return f"{base}/download/{token}"


@command(("绑定",), STAFF, "绑定 <用户ID> <单位> [姓名]", "把联络员绑定到单位（管理员可写「工作人员」绑定同事）")
def cmd_bind(words: list[str], ctx: Ctx) -> Reply:
    if len(words) < 2:
        raise CommandError("格式：绑定 <用户ID> <单位> [姓名]，例如：绑定 zhangsan 市税务局 张三。"
                           "未绑定的人发消息时，机器人会告诉他自己的用户ID。")
    user_id, rest = words[0], words[1:]
    if rest[0] in ("工作人员", "信用办"):
        if ctx.member.role != "admin":
            raise CommandError("只有管理员可以绑定信用办工作人员。")
        name = " ".join(rest[1:]) or user_id
        add_member(ctx.db, user_id, name, "staff", None, now=ctx.now, actor=ctx.actor)
        return Reply(f"已绑定信用办工作人员：{name}（{user_id}）。")
    unit, name_words = _unit_and_rest(ctx, rest)
    move = bool(name_words) and name_words[-1] == "改绑"
    name_words = name_words[:-1] if move else name_words
    current = find_member(ctx.db, ctx.msg.channel, user_id)
    if current is not None and current.is_staff:
        raise CommandError(f"{current.name}（{user_id}）是{current.role_zh}，不能改绑为联络员。"
                           f"如确需调整，请管理员在服务器上用 creditbot member add 处理。")
    if current is not None and current.unit_id not in (None, unit.id) and not move:
        from ledger.units import get_unit
        old = get_unit(ctx.db, current.unit_id).name
        raise CommandError(f"{current.name}（{user_id}）现在是{old}的联络员。如确需改到{unit.name}，"
                           f"请发：绑定 {user_id} {unit.name} {current.name} 改绑")
    name = " ".join(name_words) or (current.name if current else user_id)
    add_member(ctx.db, user_id, name, "liaison", unit.id, now=ctx.now, actor=ctx.actor)
    ctx.notify([user_id], f"您已被绑定为{unit.name}的联络员。发送「帮助」查看可用的命令。",
               key=f"bind:{user_id}:{ctx.msg.channel}:{ctx.msg.msg_id}")
    return Reply(f"已绑定：{name}（{user_id}）为{unit.name}的联络员。")


@command(("暂停提醒",), STAFF, "暂停提醒 <单位> 至 <日期>", "暂停某单位的提醒到指定日期")
def cmd_pause(words: list[str], ctx: Ctx) -> Reply:
    unit, rest = _unit_and_rest(ctx, words)
    until = _until(rest)
    if until is None:
        raise CommandError("请写明日期，例如：暂停提醒 市税务局 至 2022-10-31")
    if until < ctx.today.isoformat():
        raise CommandError(f"日期 {until} 已经过去，请写今天以后的日期。")
    pause_unit(ctx.db, unit, until, ctx.now, ctx.actor)
    return Reply(f"已暂停 {unit.name} 的提醒至 {until}（含）。")


@command(("恢复提醒",), STAFF, "恢复提醒 <单位>", "恢复某单位的提醒")
def cmd_resume(words: list[str], ctx: Ctx) -> Reply:
    unit, _ = _unit_and_rest(ctx, words)
    pause_unit(ctx.db, unit, None, ctx.now, ctx.actor)
    return Reply(f"已恢复 {unit.name} 的提醒。")
