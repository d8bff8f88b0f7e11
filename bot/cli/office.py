"""`creditbot init | year … | unit … | member add`: setting the office up — its years, its units
and the people who speak for them."""
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
    from ledger.units import list_units
    units = list_units(open_ledger(settings))
    if args.json:
        print_json([u.to_json() for u in units])
    else:
        for u in units:
            short = f"，简称：{'、'.join(u.aliases)}" if u.aliases else ""
            print(f"{u.id:4} {u.name} ({u.kind}{short})")
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
    from ledger.units import add_member, find_unit
    db = open_ledger(settings)
    unit_id = find_unit(db, args.unit).id if args.unit else None
    m = add_member(db, args.user_id, args.name, args.role, unit_id,
                   member_channel(settings, args.channel), office_now(settings))
    print(f"已绑定：{m.name}（{m.user_id}，{m.role_zh}）"
          + (f"，单位：{args.unit}" if args.unit else ""))
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
    a.add_argument("--name", required=True)
    a.add_argument("--unit", help="单位名称（可写名称中的几个字）")
    a.add_argument("--role", required=True, choices=["liaison", "staff", "admin"])
    a.add_argument("--channel", choices=["wecom", "dingtalk"],
                   help="此人所在的平台；只启用一个平台时可省略，两个都启用时必须写")
