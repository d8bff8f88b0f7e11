"""Staff's office housekeeping commands: 绑定, 暂停提醒, 恢复提醒, 关闭年度
(registered in bot.commands; imported right after bot.staff so the help keeps its order)."""
from __future__ import annotations

import re

from bot.commands import STAFF, _unit_and_rest, _until, command
from bot.config import member_channel
from bot.context import Ctx
from bot.parse import CommandError
from bot.records import bound_unit, recorded
from channels.message import Reply
from ledger.db import LedgerError
from ledger.office import close_year
from ledger.units import CHANNEL_ZH, Member, add_member, bindings_of, find_member, pause_unit
from ledger.userids import CHANNELS, channel_family

__all__: list[str] = []  # commands register themselves with @command


@command(("绑定",), STAFF, "绑定 <用户ID> <单位> [姓名]", "把联络员绑定到单位（管理员可写「工作人员」绑定同事）")
@recorded("绑定", bound_unit, lambda words, ctx: (words[0], _bind_channel(ctx)) if words else None)
def cmd_bind(words: list[str], ctx: Ctx) -> Reply:
    if len(words) < 2:
        raise CommandError("格式：绑定 <用户ID> <单位> [姓名]，例如：绑定 zhangsan 市税务局 张三。"
                           "未绑定的人发消息时，机器人会告诉他自己的用户ID。")
    user_id, rest = words[0], words[1:]
    if rest[0] in ("工作人员", "信用办"):
        if ctx.member.role != "admin":
            raise CommandError("只有管理员可以绑定信用办工作人员。")
        name = " ".join(rest[1:]) or user_id
        m = add_member(ctx.db, user_id, name, "staff", None, channel=_bind_channel(ctx),
                       now=ctx.now, actor=ctx.actor, join_lookalike=True)
        return Reply(f"已绑定信用办工作人员：{name}（{user_id}）。" + _same_person_note(ctx, m))
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
    m = add_member(ctx.db, user_id, name, "liaison", unit.id, channel=_bind_channel(ctx),
                   now=ctx.now, actor=ctx.actor, join_lookalike=True)
    ctx.notify([user_id], f"您已被绑定为{unit.name}的联络员。发送「帮助」查看可用的命令。",
               key=f"bind:{user_id}:{ctx.msg.channel}:{ctx.msg.msg_id}")
    return Reply(f"已绑定：{name}（{user_id}）为{unit.name}的联络员。" + _same_person_note(ctx, m))


def _same_person_note(ctx: Ctx, m: Member) -> str:
    """Bound on the other platform under the same name, role and unit: one person, whose
    records and reminders follow them here."""
    others = [b for b in bindings_of(ctx.db, m.person_id) if b.id != m.id]
    if not others:
        return ""
    where = "、".join(f"{CHANNEL_ZH.get(b.channel, b.channel)} {b.user_id}" for b in others)
    return (f"\n此人已在{where}绑定，视为同一人：以往的记录沿用，提醒改发到这里。"
            f"如不是同一人，请管理员用 creditbot member 命令分开绑定。")


def _bind_channel(ctx: Ctx) -> str:
    """A binding made in chat belongs to the platform it was typed on (ids are per platform)."""
    family = channel_family(ctx.msg.channel)
    if family in CHANNELS:
        return family
    try:
        return member_channel(ctx.settings)
    except ValueError as exc:
        raise CommandError(f"{exc}（在服务器上用 creditbot member add 绑定）") from None


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


@command(("关闭年度",), STAFF, "关闭年度 <年份> [确认]",
         "年度结果定稿：先列出待审和逾期事项，确认后不再接受该年度的报送和修改")
def cmd_close_year(words: list[str], ctx: Ctx) -> Reply:
    sure = bool(words) and words[-1] in ("确认", "确定")
    words = words[:-1] if sure else words
    m = re.fullmatch(r"(20\d\d)年?度?", words[0]) if len(words) == 1 else None
    if m is None:
        raise CommandError("请写年份，例如：关闭年度 2022")
    year = int(m.group(1))
    if not sure:
        from ledger.office import year_status
        if year_status(ctx.db, year) == "open" and len(ctx.open_years()) > 1:
            from bot.closing import loose_ends
            left = loose_ends(ctx.db, year, ctx.today, ctx.cal)
            head = (f"{year}年度还有未了事项，关闭后不能再审核或补报，结果按现状定稿：\n"
                    + "\n".join(left.lines()) if left else f"{year}年度没有待审或逾期事项。")
            ctx.labelled = True
            return Reply(f"{head}\n确认关闭请发：关闭年度 {year} 确认")
    try:
        close_year(ctx.db, year, ctx.now, ctx.actor)
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    return Reply(f"已关闭 {year} 考核年度：结果定稿，不再接受报送、审核和打分。"
                 f"查看：排名 {year}；导出 {year}")
