"""Credit-office staff commands: 排名, 单位, 审核, 打分, 扣分, 未交, 导出 (registered in
bot.commands; 绑定, 暂停提醒 and 关闭年度 are in bot.staff_admin)."""
from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bot.cards import card_text, staff_only_metrics
from bot.city_figures import city_note, per_unit_lines, replaced_points
from bot.commands import (
    STAFF,
    _find_unit,
    _is_number,
    _tell_liaisons,
    _unit_and_rest,
    briefing_indicator,
    command,
)
from bot.context import Ctx
from channels.message import Reply
from bot.metric_words import enterable, find_metric, join_marks, number_of, short_name
from bot.parse import CommandError, exact_text, find_indicator, split_indicator
from bot.staff_points import discretionary_part, points_format, points_ways, item_word, staff_value
from bot.records import number_line, recorded
from bot.screen import SCREEN_CHARS, SCREEN_LINES
from ledger import submissions as subs
from ledger.approvals import Target, approve
from ledger.db import LedgerError
from ledger.links import add_download
from ledger.facts import CITY
from ledger.office import Office, offices
from ledger.responsibility import duties
from ledger.units import (KIND_WORDS, Unit,
                          get_unit, list_units)
from worktime.period import Period, deadline_info, parse_period, period_of_submission
from schemes.asks import send_command
from schemes.model import Indicator
from scoring.card import fmt, pts

__all__: list[str] = []  # commands register themselves with @command


def _year_and_offices(words: list[str], ctx: Ctx) -> tuple[list[Office], list[str]]:
    """「2022」「2022年」 names a year, 「市直」「县区」 a scheme: the offices a staff command
    speaks of (default: every scheme of the year spoken of), and the remaining words."""
    year, kind, rest = None, None, []
    for w in words:
        m = re.fullmatch(r"(20\d\d)年?度?", w)
        if m and year is None:
            year = int(m.group(1))
        elif kind is None and w in _SCHEME_WORDS:
            kind = _SCHEME_WORDS[w]
        else:
            rest.append(w)
    try:
        offs = offices(ctx.db, year or ctx.office.year)
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    if kind is not None:
        offs = [o for o in offs if o.kinds is None or kind in o.kinds] or offs
    return offs, rest


_SCHEME_WORDS = {w: k for k, ws in KIND_WORDS.items() if k != "city" for w in ws
                 if not w.isascii() and w not in ("单位", "区")}


# A ranking line is short (「12. 市发展改革委 81.38 良好」): sixty fit in two phone screens, the
# whole table of 200 units is asked for (「排名 全部」) or read in the console's 总览.
RANK_LINES = 60


@command(("排名", "排行", "ranking"), STAFF, "排名 [年度] [市直/县区] [类别] [全部]",
         f"各单位得分排名（每个方案分别排名；前{RANK_LINES}名为限，「排名 全部」看全部）", read_only=True,
         year_word="any")
def cmd_ranking(words: list[str], ctx: Ctx) -> Reply:
    offs, words = _year_and_offices(words, ctx)
    everything = any(w in _ALL for w in words)
    words = [w for w in words if w not in _ALL]
    parts = []
    for off in offs:
        ctx.use_office(off)
        head = f"【{off.scheme.title}】\n" if len(offs) > 1 else ""
        parts.append(head + _ranking(words, ctx, everything).text)
    return Reply("\n\n".join(parts))


def _more_units(shown: int, total: int, ask: str) -> str:
    return f"……另有 {total - shown} 个单位未列出（共 {total} 个），查看全部请发：{ask}"


def _ranking(words: list[str], ctx: Ctx, everything: bool = False) -> Reply:
    cards = ctx.cards()
    if ctx.office.city_level:
        return Reply("\n".join([card_text(cards[CITY], f"{CITY}（预计）", ctx.office)]
                               + per_unit_lines(cards[CITY])))
    if ctx.office.scheme.base_total is None:  # a work plan: progress, not points
        done = {u: sum(1 for i in c.items if i.status == "reported") for u, c in cards.items()}
        mine = {u.name: len(duties(ctx.office.scheme, u)) for u in list_units(ctx.db)}
        lines = [f"{ctx.office.year}年 任务进展（已报告/负责的任务）："]
        for name in sorted(cards, key=lambda u: (-done[u], u)):
            lines.append(f"· {name} {done[name]}/{mine.get(name, 0)}")
        return Reply(_cut_units(lines, everything, "排名 全部"))
    cat = " ".join(words)
    if cat:
        names = [c.name for c in ctx.office.scheme.categories]
        match = [n for n in names if cat in n]
        if len(match) != 1:
            raise CommandError(f"没有唯一匹配「{cat}」的类别。可选：{'、'.join(names)}")
        key = lambda c: next(p for n, p, _ in c.categories if n == match[0]) or Decimal(0)
        title = f"{match[0]} 排名："
    else:
        key = lambda c: c.total or Decimal(0)
        title = f"{ctx.office.year}年度 总分排名（{len(cards)} 个单位）："
    ordered = sorted(cards.items(), key=lambda kv: (-key(kv[1]), kv[0]))
    lines = [title]
    rank, prev = 0, None
    for n, (name, card) in enumerate(ordered, start=1):
        if key(card) != prev:  # ties share the better rank, as on the cards (1, 2, 2, 4)
            rank, prev = n, key(card)
        band = f" {card.band}" if card.band and not cat else ""
        lines.append(f"{rank}. {name} {pts(key(card))}{band}")
    return Reply(_cut_units(lines, everything, f"排名 {cat} 全部" if cat else "排名 全部"))


def _cut_units(lines: list[str], everything: bool, ask: str) -> str:
    """A heading and one line per unit: the first RANK_LINES units unless all are asked for."""
    rows = lines[1:]
    if everything or len(rows) <= RANK_LINES:
        return "\n".join(lines)
    return "\n".join(lines[:RANK_LINES + 1] + [_more_units(RANK_LINES, len(rows), ask)])


@command(("单位",), STAFF, "单位 <名称> [年度]", "查看任一单位的得分卡", read_only=True,
         year_word="any")
def cmd_unit(words: list[str], ctx: Ctx) -> Reply:
    offs, words = _year_and_offices(words, ctx)
    if not words:
        units = list_units(ctx.db)
        if len(units) <= SCREEN_LINES:
            return Reply(f"请写单位名称。现有单位：{'、'.join(u.name for u in units)}")
        return Reply(f"请写单位名称，例如：单位 {units[0].name}。共 {len(units)} 个单位，"
                     f"发送「单位列表」查看全部。")
    ctx.use_office(offs[0])  # the year asked for; the unit picks its scheme
    unit = _find_unit(ctx, " ".join(words))
    card = ctx.card_of(unit)
    text = card_text(card, unit.name, ctx.office, weakest=5)
    return Reply(text)


_VERDICTS = {"通过": True, "同意": True, "驳回": False, "退回": False, "不通过": False}
_ALL = ("全部", "所有", "全部期别")
_YEAR = re.compile(r"(20\d\d)年?度?")


@command(("审核",), STAFF, "审核 <单位> <指标> [期别] 通过/驳回 [理由]",
         "审核报送的数据和材料，联络员会收到通知；批量通过：审核 <单位> <指标> 全部 通过、"
         "审核 全部 <指标> [期别/年度] 通过（一个编号，撤销一次全部撤回）")
def cmd_review(words: list[str], ctx: Ctx) -> Reply:
    idx = next((n for n, w in enumerate(words) if w in _VERDICTS), len(words))
    head = words[:idx]
    periods = [w for w in head[1:] if _is_period(w, ctx)]
    accept = idx < len(words) and _VERDICTS[words[idx]]
    # A year approves its every period (月报 2022 → twelve months); a year rejected names
    # one yearly item's period, as before.
    if head and (head[0] in _ALL or any(w in _ALL for w in head[1:]) or len(periods) > 1
                 or (accept and any(_YEAR.fullmatch(w) for w in head[1:]))):
        return _bulk_review(words, idx, ctx)
    return _review_one(words, ctx)


def _is_period(word: str, ctx: Ctx) -> bool:
    if not re.search(r"\d|[一二三四]季|Q", word):
        return False
    try:
        parse_period(word, default_year=ctx.office.year)
        return True
    except ValueError:
        return False


def _bulk_review(words: list[str], idx: int, ctx: Ctx) -> Reply:
    """审核 <单位> <指标> 全部|年度|期别… 通过, 审核 全部 <指标> [期别|年度] 通过: every waiting
    record of that selection approved as one act (ledger.approvals), listed per unit."""
    if idx == len(words):
        raise CommandError("请写明「通过」，例如：审核 全部 月报 2022-08 通过")
    if not _VERDICTS[words[idx]]:
        raise CommandError("驳回需逐项写明理由，不能批量驳回。请写：审核 <单位> <指标> <期别> 驳回 <理由>")
    head = words[:idx]
    every = head[0] in _ALL
    unit, rest = (None, head[1:]) if every else _unit_and_rest(ctx, head)
    periods: list[str] = []
    year = None
    while rest:
        w = rest[-1]
        if w in _ALL:
            rest.pop()
        elif m := _YEAR.fullmatch(w):
            year = int(m.group(1))
            rest.pop()
        elif _is_period(w, ctx):
            periods.insert(0, parse_period(w, default_year=ctx.office.year))
            rest.pop()
        else:
            break
    if not rest:
        raise CommandError("请写指标，例如：审核 全部 月报 2022-08 通过，或 审核 市税务局 双公示 全部 通过")
    ind = find_indicator(ctx.office.scheme, " ".join(rest))
    if unit is not None:
        targets = [Target(unit.id, ind.code, tuple(periods), year)]
    else:  # every unit this scheme assesses (another scheme's same code is another item)
        mine = [u for u in list_units(ctx.db) if ctx.office.assesses(u.kind)]
        everyone = len(mine) == len(list_units(ctx.db))
        targets = ([Target(None, ind.code, tuple(periods), year)] if everyone else
                   [Target(u.id, ind.code, tuple(periods), year) for u in mine])
    scope = "、".join(periods) or (f"{year}年" if year else "全部期别")
    who = unit.name if unit else "全部单位"
    return approve_targets(ctx, targets, f"批量通过 {who}「{ind.code} {ind.name}」{scope}")


def approve_targets(ctx: Ctx, targets: list[Target], summary: str) -> Reply:
    """Approve what the targets name as one act, tell each unit's liaisons once, and answer
    with the count per unit (the chat's bulk 审核 and the console's 批量通过)."""
    try:
        done = approve(ctx.db, targets, reviewer_id=ctx.member.id, now=ctx.now, actor=ctx.actor,
                       summary=summary)
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    ctx._cards = None
    names = {u.id: u.name for u in list_units(ctx.db)}
    schemes: dict[str, Any] = {}
    lines = [f"已通过 {done.records} 条记录（{len(done.items)} 个单位）：{summary.removeprefix('批量通过 ')}"]
    for unit_id in sorted(done.items, key=lambda u: names.get(u, "")):
        unit = get_unit(ctx.db, unit_id)
        if unit.kind not in schemes:
            schemes[unit.kind] = ctx.office.scheme if ctx.office.assesses(unit.kind) else None
        what = "；".join(f"{_ind_label(schemes[unit.kind], code)} {_periods_text(ps)}"
                        for code, ps in sorted(done.items[unit_id].items()))
        lines.append(f"· {unit.name}：{done.counts[unit_id]} 条（{what}）")
        ctx.notify_liaisons(unit_id, f"市信用办审核了您单位的报送：{what}，通过。",
                            key=f"review:{unit_id}:batch:{ctx.msg.channel}:{ctx.msg.msg_id}")
    if len(lines) > 61:
        lines = lines[:61] + [f"……另有 {len(lines) - 61} 个单位"]
    lines.append("已通知各单位联络员。" + number_line(done.act_id) + "，一次撤销全部")
    return Reply("\n".join(lines))


def _ind_label(scheme: Any, code: str) -> str:
    ind = scheme.indicator(code) if scheme is not None else None
    return f"「{code} {ind.name}」" if ind is not None else f"「{code}」"


def _periods_text(periods: set[str]) -> str:
    named = sorted(p for p in periods if p)
    text = "、".join(named)
    if "" in periods:
        text = f"{text}及材料" if text else "材料"
    return text


@recorded("审核")
def _review_one(words: list[str], ctx: Ctx) -> Reply:
    unit, rest = _unit_and_rest(ctx, words)
    verdicts = _VERDICTS
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
    if period is None and ind.due is not None and ind.due.frequency in ("monthly", "quarterly"):
        period = _latest_period(ctx, unit, ind)  # a periodic item is reviewed one period at a time
    if not ctx.use_period(unit, period):
        raise CommandError(f"{period} 不在本办的考核年度内。")
    # the reason reaches the liaison as typed (「，」 stays 「，」)
    accept, reason = verdicts[rest[idx]], exact_text(ctx.msg.text, rest[idx + 1:])
    if not accept and not reason:
        raise CommandError("驳回时请写明理由，联络员才知道怎么改。")
    try:
        n = subs.review_latest(ctx.db, unit.id, ind.code, accept, reason, ctx.member.id, ctx.now,
                               ctx.actor, period=period)
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    verdict = "通过" if accept else f"驳回（{reason}）"
    which = f"{period} 期的" if period else ""
    ctx.notify_liaisons(unit.id, f"市信用办审核了您单位的「{ind.code} {ind.name}」{which}报送：{verdict}。"
                        + ("" if accept else _correct_hint(ctx, ind, period)),
                        key=f"review:{unit.id}:{ind.code}:{ctx.msg.channel}:{ctx.msg.msg_id}")
    lines = [f"已{verdict}：{unit.name}「{ind.code} {ind.name}」{which}共 {n} 条记录，已通知联络员。"]
    if period and not accept:
        lines.append(f"只影响 {period} 这一期；其他各期不受影响。联络员在"
                     f"{ctx.settings.get('REVIEW_GRACE_WORKDAYS', 3)}个工作日内补正的，保留原按时记录。")
    elif not period and n > 1:
        lines.append("只审核某一期请写期别，例如：审核 单位 月报 2022-09 驳回 理由")
    return Reply("\n".join(lines))


def _correct_hint(ctx: Ctx, ind: Indicator, period: str | None) -> str:
    """What to send, and by when the correction keeps the original's on-time receipt."""
    is_briefing = (b := briefing_indicator(ctx.office.scheme)) is not None and b.code == ind.code
    how = send_command(ind, period, briefing=is_briefing) if period else None
    if how is None or ind.due is None or ind.due.frequency not in ("monthly", "quarterly"):
        return "请补正后重新报送。"
    grace = int(ctx.settings.get("REVIEW_GRACE_WORKDAYS", 3) or 0)
    until = ctx.cal.add_workdays(ctx.today, grace)
    return f"请在{until.month}月{until.day}日前补正（发送：{how}），保留原按时记录。"


def _latest_period(ctx: Ctx, unit: Unit, ind: Indicator) -> str | None:
    return subs.latest_period(ctx.db, unit.id, ind.code)


@command(("打分", "酌情"), STAFF, "打分 <单位> <指标> [分项=]<分> [理由] [2022年]",
         "酌情计分（在该项分值内）；多个酌情分项写 序号=分；信用办录入的数据项写 名称=值（如 酌情扣分=1）",
         year_word="marked")
@recorded("打分")
def cmd_points(words: list[str], ctx: Ctx) -> Reply:
    unit, rest = _unit_and_rest(ctx, words)
    rest = rest[:1] + join_marks(rest[1:])  # 打分 单位 双公示 ③ 1: ③ names the metric
    at = next((n for n, w in enumerate(rest) if n and (_is_number(w) or "=" in w)), None)
    verdict = next((w for w in rest[1:] if w in ("达标", "未达标", "不达标", "是", "否")), None)
    if at is None and verdict:  # 打分 单位 基础3 达标: a gate, confirmed by name
        raise CommandError(f"基础指标和一票否决项请用「确认」：确认 {unit.name} "
                           f"{' '.join(rest[:rest.index(verdict)])} {verdict}")
    if at is None:
        raise CommandError(points_format(ctx, unit, rest))
    _same_year(ctx, " ".join(rest[at + 1:]), f"打分 {unit.name} {' '.join(rest[:at + 1])}")
    ind = find_indicator(ctx.office.scheme, " ".join(rest[:at]))
    parts = [p for p in ind.parts if p.kind == "discretionary"]
    which, _, amount = rest[at].rpartition("=")
    if which:  # the same metric words as 报送 and 代报: label, short words, printed number
        metric = find_metric(ind, which, enterable(ind), f"打分 {unit.name} {item_word(ind)}")
        owned = next((p for p in parts if p.metric == metric.name), None)
        # 双公示 瞒报…酌情扣分; a finding (瞒报条数, entered_by: office) is a figure: 代报
        if owned is None and metric in staff_only_metrics(ind) and not metric.by_office:
            return staff_value(ctx, unit, ind, metric, amount,
                                exact_text(ctx.msg.text, rest[at + 1:]))
        if owned is None:
            raise CommandError(f"「{metric.label}」是数据，不是酌情分。替单位录入请用：代报 {unit.name} "
                               f"{item_word(ind)} {short_name(ind, metric)}={amount}")
        which = str(number_of(ind, metric))
    if not parts:
        raise CommandError(f"「{ind.code} {ind.name}」不是酌情计分项，「{rest[at]}」不知道是哪一项。"
                           + points_ways(ctx, unit, ind))
    part = discretionary_part(ind, parts, which)
    if not _is_number(amount):
        raise CommandError(f"「{amount}」不是有效的分数")
    pts, cap = Decimal(amount), part.max_points if part.max_points is not None else ind.max_points
    if pts < 0 or (cap is not None and pts > cap):
        raise CommandError(f"「{part.label or ind.name}」的分数应在 0 到 {fmt(cap)} 之间")
    reason = exact_text(ctx.msg.text, rest[at + 1:])  # as typed, 「，」 and all
    before = replaced_points(ctx, ind, part.metric, unit)
    subs.add_adjustment(ctx.db, year=ctx.office.year, unit_id=unit.id, kind="points", indicator=ind.code,
                        value={"metric": part.metric, "points": str(pts)}, reason=reason,
                        member_id=ctx.member.id, now=ctx.now, actor=ctx.actor)
    label = f"{part.label}：" if len(parts) > 1 and part.label else ""
    return Reply(f"已记录：{unit.name}「{ind.code} {ind.name}」{label}酌情计 {fmt(pts)}/{fmt(cap)} 分"
                 + (f"，理由：{reason}" if reason else "") + city_note(ctx, unit, before, ind=ind))



@command(("扣分", "事件"), STAFF, "扣分 <单位> <情形> [说明] [2022年]", "记录扣分情形或重大失信事件",
         year_word="marked")
@recorded("扣分")
def cmd_deduct(words: list[str], ctx: Ctx) -> Reply:
    unit, rest = _unit_and_rest(ctx, words)
    if not rest:
        raise CommandError("请写明扣分情形，例如：扣分 市民政局 养老托幼 被省通报1起")
    scheme = ctx.office.scheme
    text = " ".join(rest)
    _same_year(ctx, text, f"扣分 {unit.name} {rest[0]}")
    for ev in scheme.downgrade_events:
        # 「重大失信事件」, its id, or a clear start of it such as 「重大失信」
        if ev.name in text or ev.id == rest[0] or (len(rest[0]) >= 4 and ev.name.startswith(rest[0])):
            subs.add_adjustment(ctx.db, year=ctx.office.year, unit_id=unit.id, kind="event", indicator=None,
                                value=ev.name, reason=exact_text(ctx.msg.text, rest),
                                member_id=ctx.member.id, now=ctx.now,
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
    counted = re.fullmatch(r"(\d{1,2})(起|个|件)?", note[0]) if note else None
    if counted:  # 扣分 单位 乱收费 2 …
        cases, note = int(counted.group(1)), note[1:]
        if cases < 1:
            raise CommandError("起数应至少为 1")
    for _ in range(cases):  # one row per case: each can be withdrawn on its own
        subs.add_adjustment(ctx.db, year=ctx.office.year, unit_id=unit.id, kind="deduction", indicator=ind.code,
                            value=1, reason=exact_text(ctx.msg.text, note), member_id=ctx.member.id,
                            now=ctx.now, actor=ctx.actor)
    ctx._cards = None
    item = ctx.item_of(unit, ind.code)
    _tell_liaisons(ctx, unit, f"市信用办记录了您单位的扣分情形「{ind.name}」{cases} 起，"
                              f"本项现扣 {fmt(-(item.points or Decimal(0)))} 分。如有异议请联系市信用办。")
    return Reply(f"已记录 {unit.name}「{ind.code} {ind.name}」{cases} 起，本项合计扣 {fmt(-(item.points or Decimal(0)))} 分。")


def _same_year(ctx: Ctx, reason: str, example: str) -> None:
    """A reason that speaks of another year (「2022年案例」) while the record would go to this
    one: say so rather than file it silently under the wrong year."""
    other = sorted({int(y) for y in re.findall(r"(20\d\d)年", reason)} - {ctx.office.year})
    if not other:
        return
    from ledger.office import year_status
    y = other[0]
    state = year_status(ctx.db, y)
    if state == "open":
        how = f"记入{y}年度请加上年度：{example} … {y}年"
    elif state == "closed":
        how = f"{y}年度已关闭，结果已定稿，不能再记录"
    else:
        how = f"{y} 不是本办的考核年度"
    raise CommandError(f"说明中写的是{y}年，而这条记录将记入{ctx.office.year}年度。{how}；"
                       f"确属{ctx.office.year}年度请写明：{example} … {ctx.office.year}年")


@command(("未交", "未报", "谁没交"), STAFF, "未交 [2022-09] [全部]",
         "尚未报送月报的单位；截止后另列逾期报送的单位和逾期天数（单位多时一屏为限，「全部」看全部）",
         read_only=True)
def cmd_not_sent(words: list[str], ctx: Ctx) -> Reply:
    ind = briefing_indicator(ctx.office.scheme)
    due = ind.due if ind is not None else None
    if due is None:
        raise CommandError("当前考核方案没有月报要求。")
    everything = any(w in _ALL for w in words)
    words = [w for w in words if w not in _ALL]
    if words:
        try:
            period = parse_period(words[0], default_year=ctx.today.year)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if Period.from_label(period).kind != "month":
            raise CommandError(f"请写月份，例如：未交 {Period.from_label(period).year}-12")
    else:
        period = period_of_submission(due.frequency, ctx.today, due.day)
    # January: December's briefing is last year's, asked by last year's schemes
    year = Period.from_label(period).year
    if year != ctx.office.year and year in ctx.open_years():
        ctx.speak_of_year(year)
        last = briefing_indicator(ctx.office.scheme)
        due = last.due if last is not None and last.due is not None else due
    briefings = [s for s in subs.list_submissions(ctx.db, statuses=subs.LIVE, kind="briefing")
                 if s.period == period]
    sent = {s.unit_id for s in briefings}
    # units of every scheme that asks for this briefing
    asking = [o for o in offices(ctx.db, ctx.office.year)
              if (b := briefing_indicator(o.scheme)) is not None and b.due is not None]
    missing = [u for u in list_units(ctx.db) if u.id not in sent
               and any(o.assesses(u.kind) for o in asking)]
    info = deadline_info(ctx.cal, due.frequency, period, due.day, due.date)
    head = f"{period} 月报（截止{info.deadline.month}月{info.deadline.day}日" + \
        ("，尚未到截止日）" if ctx.today <= info.deadline else "）")
    ask = f"未交 {period} 全部"
    late = _late_senders(ctx, briefings, info.deadline, everything, ask)
    if not missing:
        return Reply(f"{head}：全部单位已报送。" + (f"\n{late}" if late else ""))
    overdue = ctx.today > info.deadline
    days = f"，已超期 {(ctx.today - info.deadline).days} 天" if overdue else ""
    return Reply(f"{head} 未报送 {len(missing)} 个单位{days}：\n"
                 + _names([u.name for u in missing], everything, ask) + (f"\n{late}" if late else ""))


def _names(names: list[str], everything: bool, ask: str) -> str:
    """A few units one a line; many (200 units) as one paragraph of names that fills a
    screen, with the count of the rest and how to see them all."""
    if len(names) <= SCREEN_LINES:
        return "\n".join(f"· {n}" for n in names)
    if everything:
        return "、".join(names)
    shown, used = 0, 0
    for n in names:
        if used + len(n) + 1 > SCREEN_CHARS - 80 and shown:
            break
        shown, used = shown + 1, used + len(n) + 1
    text = "、".join(names[:shown])
    return text if shown == len(names) else f"{text}\n{_more_units(shown, len(names), ask)}"


def _late_senders(ctx: Ctx, briefings: list, deadline, everything: bool = True,
                  ask: str = "") -> str:
    """Units whose briefing for the period came after its deadline, and how late (a unit
    counts as on time if any of its live briefings was; a correction keeps the receipt)."""
    names = {u.id: u.name for u in list_units(ctx.db)}
    by_unit: dict[int, list] = {}
    for s in briefings:
        by_unit.setdefault(s.unit_id, []).append(s)
    rows = []
    for unit_id, lst in by_unit.items():
        if any(s.on_time for s in lst):
            continue
        first = min(lst, key=lambda s: s.received_at)
        got = date.fromisoformat(first.received_at[:10])
        work = ctx.cal.workdays_between(deadline, got)
        rows.append((got, f"· {names.get(unit_id, unit_id)} {got.month}月{got.day}日报送，"
                          f"晚 {(got - deadline).days} 天（{work} 个工作日）"))
    if not rows:
        return ""
    rows.sort()
    shown = len(rows) if everything or len(rows) <= SCREEN_LINES else SCREEN_LINES
    more = [_more_units(shown, len(rows), ask)] if shown < len(rows) else []
    return f"逾期报送 {len(rows)} 个单位：\n" + "\n".join([r for _, r in rows[:shown]] + more)


@command(("导出", "export"), STAFF, "导出 [年度] [市直/县区]", "导出考核表（Excel，每个方案一个文件）",
         year_word="any")
def cmd_export(words: list[str], ctx: Ctx) -> Reply:
    offs, _ = _year_and_offices(words, ctx)
    if len(offs) > 1:
        done = [_export(ctx, o) for o in offs]
        return Reply("\n".join(r.text for r in done), files=[f for r in done for f in r.files])
    return _export(ctx, offs[0])


def _export(ctx: Ctx, off: Office) -> Reply:
    from bot.export import export_xlsx
    ctx.use_office(off)
    folder = ctx.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    kind = "" if off.kinds is None else {"department": "-市直", "county": "-县区"}[off.kinds[0]]
    path = folder / (f"考核表-{ctx.office.year}{kind}-{ctx.now:%Y%m%d%H%M%S}-"
                     f"{secrets.token_hex(2)}.xlsx")
    export_xlsx(ctx.db, ctx.office, path, ctx.today, ctx.cal)
    link = download_link(ctx, path)
    where = (f"下载（{ctx.settings.get('UPLOAD_LINK_HOURS') or 24}小时内有效）：{link}" if link else
             "未配置 PUBLIC_BASE_URL，无法在聊天中提供下载链接：请管理员配置后重试，"
             "或在服务器上运行 creditbot export 导出。")
    return Reply(f"已导出 {ctx.office.year} 年度考核表 {path.name}\n{where}", files=[str(path)])


def download_link(ctx: Ctx, path, name: str | None = None, once: bool = False) -> str | None:
    """A time-limited link to a file (an export; with `once`, an evidence file that works for
    one download), for when the chat channel cannot carry it."""
    base = str(ctx.settings.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not base:
        return None
    token = secrets.token_urlsafe(24)
    hours = int(ctx.settings.get("UPLOAD_LINK_HOURS") or 24)
    add_download(ctx.db, token, str(path), name or path.name, ctx.member.id,
                 ctx.now + timedelta(hours=hours), ctx.now, once=once)
    return f"{base}/download/{token}"
