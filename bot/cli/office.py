"""`creditbot init | year … | unit … | member add | list | remove`: setting the office up — its
years, its units and the people who speak for them (a person may be bound on both platforms)."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import Settings, add, office_now, open_ledger, print_json, refuse

if TYPE_CHECKING:
    from bot.cli.common import Subcommands

__all__ = ["register"]


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.office import init_office, offices
    db = open_ledger(settings)
    init_office(db, args.scheme, args.year, office_now(settings))
    for off in offices(db, args.year):
        print(f"已初始化：{off.scheme.title}（{off.scheme.id}），考核年度 {off.year}，"
              f"数据库 {settings['CREDITBOT_DB']}")
    return 0


def cmd_year_open(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.office import office_schemes, open_year, open_years, schemes_from_files, years
    db = open_ledger(settings)
    if not years(db) and office_schemes(db):
        from_file = schemes_from_files(db)
        ids = " ".join(f"--scheme {'<' + o.id + ' 的方案文件>' if o.id in from_file else o.id}"
                       for o in office_schemes(db))
        return refuse(f"本办还没有开始考核（方案已加入，但没有考核年度）：运行 creditbot init {ids} "
                      f"--year {args.year}")
    open_year(db, args.year, office_now(settings))
    print(f"已开启 {args.year} 考核年度。开启中的年度：{'、'.join(map(str, open_years(db)))}"
          f"（上一年度仍可补报到期事项，定稿后运行 creditbot year close）")
    return 0


def cmd_year_close(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.office import close_year, open_years, year_status
    db = open_ledger(settings)
    now = office_now(settings)
    if not args.yes and year_status(db, args.year) == "open" and len(open_years(db)) > 1:
        from bot.app import make_calendar
        from bot.closing import loose_ends
        left = loose_ends(db, args.year, now.date(), make_calendar(settings))
        if left:
            print(f"{args.year} 年度还有未了事项，关闭后不能再审核或补报，结果按现状定稿：")
            print("\n".join(left.lines()))
        else:
            print(f"{args.year} 年度没有待审或逾期事项。")
        return refuse(f"未关闭。确认关闭请运行：creditbot year close {args.year} --yes")
    close_year(db, args.year, now)
    print(f"已关闭 {args.year} 考核年度：结果已定稿，不再接受报送和修改。")
    return 0


def cmd_year_list(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.office import years
    for y, status in years(open_ledger(settings)):
        print(f"{y} {'开启' if status == 'open' else '已关闭'}")
    return 0


def cmd_unit_add(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.db import LedgerError
    from ledger.office import KIND_ZH, unit_kinds
    from ledger.units import add_unit, kind_of
    db = open_ledger(settings)
    assessed = unit_kinds(db)
    kind = kind_of(args.kind or "", assessed)
    if assessed is not None and kind not in assessed:
        raise LedgerError(f"本办没有考核{KIND_ZH[kind]}的方案，先运行 creditbot scheme add 方案编号")
    u = add_unit(db, args.name, kind, args.alias or [], office_now(settings))
    print(f"已添加单位：{u.name}（编号 {u.id}）")
    _warn_overlaps(db)
    return 0


def _warn_overlaps(db) -> None:
    """A scheme's 前三名/后三名 rules overlap in an office with fewer than six units: say so
    whenever the units change, so the office asks before the first ranking."""
    from ledger.db import LedgerError
    from ledger.office import offices
    from ledger.units import list_units
    from schemes.overlaps import rank_overlaps
    try:
        offs = offices(db)
    except LedgerError:  # no assessment year yet: nothing is ranked
        return
    units = list_units(db)
    for off in offs:
        count = sum(1 for u in units if off.assesses(u.kind))
        for rule in rank_overlaps(off.scheme, count):
            print(f"注意：{off.scheme.title}：{rule.describe(count)}")


def cmd_unit_list(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.office import KIND_ZH
    from ledger.units import list_units
    units = list_units(open_ledger(settings))
    if args.json:
        print_json([u.to_json() for u in units])
    else:
        for u in units:
            short = f"，简称：{'、'.join(u.aliases)}" if u.aliases else ""
            print(f"{u.id:4} {u.name}（{KIND_ZH.get(u.kind, u.kind)}{short}）")
        counts = "，".join(f"{KIND_ZH[k]} {n} 个" for k in KIND_ZH
                          if (n := sum(1 for u in units if u.kind == k)))
        print(f"共 {len(units)} 个单位" + (f"：{counts}" if counts else ""))
    return 0


def cmd_unit_alias(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.units import find_unit, set_aliases
    db = open_ledger(settings)
    u = set_aliases(db, find_unit(db, args.name, loose=False), args.aliases, office_now(settings))
    print(f"{u.name} 的简称：{'、'.join(u.aliases)}")
    return 0


def cmd_unit_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.config import member_channel
    from ledger.units import import_units
    units, members = import_units(open_ledger(settings), args.file, office_now(settings),
                                  channel=member_channel(settings, args.channel))
    print(f"已导入：新增单位 {units} 个，联络员 {members} 名")
    _warn_overlaps(open_ledger(settings))
    return 0


def cmd_unit_group(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.units import find_unit, set_group
    db = open_ledger(settings)
    unit = find_unit(db, args.name)
    set_group(db, unit, args.webhook or None, args.channel, args.secret, not args.no_mention,
              office_now(settings), "cli")
    print(f"已设置 {unit.name} 的群机器人" + ("" if args.webhook else "（已清除）"))
    return 0


def cmd_member_add(args: argparse.Namespace, settings: Settings) -> int:
    from bot.config import member_channel
    from ledger.units import (CHANNEL_ZH, add_member, bindings_of, find_binding, find_unit,
                              get_unit, list_members)
    db = open_ledger(settings)
    channel = member_channel(settings, args.channel)
    same = find_binding(db, args.same_as) if args.same_as else None
    # binding someone again (an unscoped binding pinned with --channel): who they are is known
    known = same or next((m for m in list_members(db) if m.user_id == args.user_id
                          and m.channel in (channel, "*")), None)
    name = args.name or (known.name if known else None)
    role = args.role or (known.role if known else None)
    if not name or not role:
        return refuse("请写 --name 和 --role（重新绑定已有人员、或用 --same-as 并到已绑定的人员名下时可省略）")
    unit_id = find_unit(db, args.unit).id if args.unit else (known.unit_id if known else None)
    m = add_member(db, args.user_id, name, role, unit_id, channel, office_now(settings),
                   same_as=same, join_lookalike=not args.new_person)
    unit = f"，单位：{get_unit(db, m.unit_id).name}" if m.unit_id else ""
    others = [b for b in bindings_of(db, m.person_id) if b.id != m.id]
    also = ("，与" + "、".join(f"{CHANNEL_ZH.get(b.channel, b.channel)} {b.user_id}" for b in others)
            + " 是同一人（记录和撤销权限沿用；提醒发到此绑定）"
            + ("" if same or not others else "。如不是同一人：creditbot member remove "
               f"{m.channel}:{m.user_id} --only-this-platform，再加 --new-person 重新绑定")
            if others else "")
    print(f"已绑定：{m.name}（{CHANNEL_ZH.get(m.channel, m.channel)} {m.user_id}，{m.role_zh}）"
          f"{unit}{also}")
    return 0


def cmd_member_list(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.units import (CHANNEL_ZH, ROLE_ZH, find_unit, list_members, list_units,
                              reminder_binding)
    db = open_ledger(settings)
    unit = find_unit(db, args.unit) if args.unit else None
    role = _ROLE_WORDS.get(args.role or "", args.role)
    everyone = list_members(db)
    people: dict[int, list] = {}
    for b in everyone:
        people.setdefault(b.person_id, []).append(b)
    names = {u.id: u.name for u in list_units(db)}
    shown = [bs for bs in people.values()
             if (unit is None or bs[0].unit_id == unit.id) and (role is None or bs[0].role == role)
             and (args.channel is None or any(b.channel == args.channel for b in bs))]
    shown.sort(key=lambda bs: (_ROLE_ORDER.get(bs[0].role, 9), names.get(bs[0].unit_id or 0, ""),
                               bs[0].name))
    if args.json:
        print_json([{"name": bs[0].name, "role": bs[0].role, "unit": names.get(bs[0].unit_id or 0),
                     "bindings": [{"channel": b.channel, "user_id": b.user_id,
                                   "reminders": b is reminder_binding(bs)} for b in bs]}
                    for bs in shown])
        return 0
    for bs in shown:
        first, reach = bs[0], reminder_binding(bs)
        ids = "、".join(f"{CHANNEL_ZH.get(b.channel, b.channel)} {b.user_id}"
                       + ("（提醒发此）" if len(bs) > 1 and b is reach else "") for b in bs)
        unit_name = f"｜{names.get(first.unit_id, first.unit_id)}" if first.unit_id else ""
        leave = next((b for b in bs if b.deputy_user_id), None)
        deputy = (f"｜代理：{leave.deputy_user_id}" + (f" 至 {leave.deputy_until}" if leave.deputy_until
                                                     else "")) if leave else ""
        print(f"{first.name}｜{ROLE_ZH[first.role]}{unit_name}｜{ids}{deputy}")
    by_role = "，".join(f"{ROLE_ZH[r]} {n}" for r in _ROLE_ORDER
                        if (n := sum(1 for bs in shown if bs[0].role == r)))
    bindings = [b for bs in shown for b in bs]
    by_platform = "，".join(f"{CHANNEL_ZH[c]} {n}" for c in CHANNEL_ZH
                            if (n := sum(1 for b in bindings if b.channel == c)))
    print(f"共 {len(shown)} 人" + (f"（{by_role}）" if by_role else "")
          + (f"；绑定 {len(bindings)} 个：{by_platform}" if bindings else ""))
    if role in (None, "liaison") and args.channel is None:
        served = {bs[0].unit_id for bs in people.values() if bs[0].role == "liaison"}
        alone = [n for uid, n in names.items() if uid not in served
                 and (unit is None or uid == unit.id)]
        if alone:  # reminders for these units reach no one
            more = f" 等 {len(alone)} 个" if len(alone) > 10 else ""
            print(f"注意：没有联络员的单位（提醒无人接收）：{'、'.join(alone[:10])}{more}")
    return 0


_ROLE_ORDER = {"admin": 0, "staff": 1, "liaison": 2}
_ROLE_WORDS = {"联络员": "liaison", "工作人员": "staff", "信用办": "staff", "管理员": "admin"}


def cmd_member_remove(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.units import CHANNEL_ZH, bindings_of, find_binding, remove_member
    db = open_ledger(settings)
    m = find_binding(db, args.user_id, args.channel)
    ended = remove_member(db, m, office_now(settings), only_binding=args.only_this_platform)
    what = "、".join(f"{CHANNEL_ZH.get(b.channel, b.channel)} {b.user_id}" for b in ended)
    left = bindings_of(db, m.person_id)
    tail = ("；仍保留：" + "、".join(f"{CHANNEL_ZH.get(b.channel, b.channel)} {b.user_id}" for b in left)
            if left else "；此人不再收到提醒，其以往的记录保留并仍署其姓名")
    print(f"已解除 {m.name}（{m.role_zh}）的绑定：{what}{tail}。")
    return 0


def register(sub: Subcommands) -> None:
    a = add(sub, "init", cmd_init, "初始化考核方案和年度")
    a.add_argument("--scheme", required=True, action="append",
                   help="方案编号或方案文件；可多次使用（如市直和县区两个方案）")
    a.add_argument("--year", type=int, required=True)

    yp = add(sub, "year", None, "考核年度：开启、关闭、列出")
    ys = yp.add_subparsers(dest="year_command", required=True)
    a = add(ys, "open", cmd_year_open, "开启新的考核年度（上一年度保持开启，直到关闭）")
    a.add_argument("year", type=int)
    a = add(ys, "close", cmd_year_close, "关闭考核年度（结果定稿，不再接受报送）；先列出待审和逾期事项")
    a.add_argument("year", type=int)
    a.add_argument("--yes", action="store_true", help="确认关闭（不加时只列出待审和逾期事项）")
    add(ys, "list", cmd_year_list, "列出考核年度")

    up = add(sub, "unit", None, "单位管理")
    us = up.add_subparsers(dest="unit_command", required=True)
    a = add(us, "add", cmd_unit_add, "添加单位")
    a.add_argument("name")
    a.add_argument("--kind", default="", help="单位类型：市直/县区 等（或 department/county/city）；"
                                            "不写则为本办唯一考核的类型")
    a.add_argument("--alias", action="append", help="简称，可多次使用")
    a = add(us, "list", cmd_unit_list, "列出单位")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = add(us, "import", cmd_unit_import,
            "从 CSV 导入单位和联络员（单位,类型,简称,联络员,用户ID；类型如 市直、县区）")
    a.add_argument("file")
    a.add_argument("--channel", choices=["wecom", "dingtalk"],
                   help="联络员所在的平台；两个平台都启用时必须写")
    a = add(us, "alias", cmd_unit_alias, "给单位添加简称（聊天中用简称也能找到该单位）")
    a.add_argument("name")
    a.add_argument("aliases", nargs="+")
    a = add(us, "group", cmd_unit_group, "设置单位的群机器人（提醒时 @ 联络员）")
    a.add_argument("name")
    a.add_argument("--webhook", help="群机器人地址；留空则清除")
    a.add_argument("--channel", choices=["wecom", "dingtalk"])
    a.add_argument("--secret", help="钉钉自定义机器人加签密钥（SEC…）")
    a.add_argument("--no-mention", action="store_true", help="在群里提醒但不 @ 联络员")

    mp = add(sub, "member", None, "人员管理")
    ms = mp.add_subparsers(dest="member_command", required=True)
    a = add(ms, "add", cmd_member_add, "绑定人员（联络员/工作人员/管理员）")
    a.add_argument("user_id")
    a.add_argument("--name", help="姓名（用 --same-as 时可省略）")
    a.add_argument("--unit", help="单位名称（可写名称中的几个字）")
    a.add_argument("--role", choices=["liaison", "staff", "admin"], help="角色（用 --same-as 时可省略）")
    a.add_argument("--channel", choices=["wecom", "dingtalk"],
                   help="此人所在的平台；只启用一个平台时可省略，两个都启用时必须写")
    a.add_argument("--same-as", metavar="[平台:]用户ID",
                   help="此人已在另一平台绑定（如 wecom:zhangsan）：新绑定并到其名下，记录和撤销权限沿用；"
                        "同一平台上换了用户ID时，新ID替换旧ID")
    a.add_argument("--new-person", action="store_true",
                   help="与其他平台上同名、同角色、同单位的人员不是同一人（默认视为同一人）")
    a = add(ms, "list", cmd_member_list, "列出人员及其在各平台的绑定（可按单位、角色、平台筛选）")
    a.add_argument("--unit", help="单位名称（可写名称中的几个字）")
    a.add_argument("--role", choices=["liaison", "staff", "admin", "联络员", "工作人员", "管理员"])
    a.add_argument("--channel", choices=["wecom", "dingtalk"], help="只列出在此平台绑定的人员")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = add(ms, "remove", cmd_member_remove,
            "解除人员的绑定（以往的记录保留，仍署其姓名）")
    a.add_argument("user_id", metavar="[平台:]用户ID")
    a.add_argument("--channel", choices=["wecom", "dingtalk"],
                   help="同一用户ID在两个平台上是不同的人时，写明哪一个")
    a.add_argument("--only-this-platform", action="store_true",
                   help="只解除这一个平台的绑定，此人在其他平台的绑定保留")
