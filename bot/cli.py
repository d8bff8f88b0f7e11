"""`creditbot …` — thin subcommands over the library; domain errors become a clear message and
a non-zero exit code here, at the edge."""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

__all__ = ["main", "build_parser"]


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    from bot.config import load_settings
    return load_settings(getattr(args, "config", None))


def _db(settings: dict[str, Any]):
    from ledger.db import open_db
    return open_db(settings["CREDITBOT_DB"])


def _now(settings: dict[str, Any]) -> datetime:
    from bot.app import make_clock
    return make_clock(settings)()


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# ---- scheme ----------------------------------------------------------------------------------

def cmd_scheme_list(args, settings) -> int:
    from schemes.loader import shipped_schemes
    rows = [{"id": s.id, "title": s.title, "year": s.year, "audience": s.audience}
            for s in shipped_schemes().values()]
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            print(f"{r['id']:32} {r['year']} {r['audience']:12} {r['title']}")
    return 0


def _dec(v) -> Any:
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


def indicator_kind(ind) -> str:
    """One word for an indicator's rule: its parts' kind when they share one, else "composite"
    (the parts are listed under "parts")."""
    kinds = {p.kind for p in ind.parts}
    return kinds.pop() if len(kinds) == 1 else "composite"


def scheme_json(s) -> dict[str, Any]:
    inds = []
    for cat, ind in s.indicators():
        inds.append({
            "code": ind.code, "name": ind.name, "category": cat.name, "section": cat.section,
            "max_points": _dec(ind.max_points),
            "kind": indicator_kind(ind),
            "parts": [{"label": p.label or None, "kind": p.kind, "max_points": _dec(p.max_points)}
                      for p in ind.parts],
            "metrics": [{"name": m.name, "label": m.label, "type": m.type, "unit": m.unit or None}
                        for m in ind.metrics],
            "responsible": (list(ind.lead) + list(ind.responsible)) or None,
            "due": ind.due.model_dump(mode="json", exclude_defaults=True) if ind.due else None,
            "gate": ind.gate.kind if ind.gate else None,
            "evidence": ind.evidence or None,
            "note": ind.note or None,
        })
    return {"id": s.id, "title": s.title, "issuer": s.issuer, "doc_number": s.doc_number or None,
            "year": s.year, "audience": s.audience, "base_total": _dec(s.base_total),
            "bonus_cap": _dec(s.bonus_cap), "deduction_cap": _dec(s.deduction_cap),
            "bands": [{"name": b.name, "min": _dec(b.min)} for b in s.bands] or None,
            "downgrade_events": [e.name for e in s.downgrade_events] or None,
            "note": s.note or None, "indicators": inds}


def cmd_scheme_show(args, settings) -> int:
    from schemes.loader import scheme_by_id
    s = scheme_by_id(args.id)
    data = scheme_json(s)
    if args.json:
        _print_json(data)
        return 0
    print(f"{s.title}（{s.id}）{s.doc_number}")
    print(f"总分 {data['base_total']}，附加分上限 {data['bonus_cap']}，扣分上限 {data['deduction_cap']}")
    for i in data["indicators"]:
        print(f"  {i['code']:8} {i['name'][:40]:42} {i['max_points']}")
    return 0


def cmd_scheme_check(args, settings) -> int:
    from schemes.loader import SchemeError, load_scheme
    try:
        s = load_scheme(args.file)
    except SchemeError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        print(f"检查未通过：{len(exc.lines)} 处问题", file=sys.stderr)
        return 1
    n = len(s.indicators())
    print(f"{args.file}: 检查通过 — {s.id}，{len(s.categories)} 个类别，{n} 个指标")
    return 0


# ---- score -----------------------------------------------------------------------------------

def cmd_score(args, settings) -> int:
    from scoring.engine import score
    if args.scheme:
        from bot.facts_file import FactsFileError, read_facts_file
        from schemes.loader import scheme_by_id
        from scoring.engine import SELF, build_ranks
        scheme = scheme_by_id(args.scheme)
        try:
            read = read_facts_file(args.facts, scheme) if args.facts else None
        except FactsFileError as exc:
            for line in exc.lines:
                print(f"错误：{line}", file=sys.stderr)
            return 1
        for w in read.warnings if read else []:
            print(f"警告：{w}", file=sys.stderr)
        facts = read.facts if read else {}
        # Rank items: against the given peers, or at the given points (else ranked alone).
        ranks = build_ranks(scheme, {**(read.peers if read else {}), SELF: facts})
        for key, pts in (read.rank_points if read else {}).items():
            ranks[key] = {**ranks.get(key, {}), SELF: (pts, f"按事实文件给定的排名得分 {pts} 分")}
        card = score(scheme, facts, ranks=ranks)
        cards = {None: card}
    else:
        from bot.app import make_calendar
        from ledger.facts import all_facts
        from scoring.engine import score_all
        from ledger.office import offices
        db = _db(settings)
        today, cal = _now(settings).date(), make_calendar(settings)
        cards = {}
        for off in offices(db, args.year):  # each scheme scores the units it assesses
            cards.update(score_all(off.scheme, all_facts(db, off, today, cal)))
        if args.unit:
            from ledger.units import find_unit
            name = find_unit(db, args.unit).name
            cards = {name: cards[name] if name in cards else next(iter(cards.values()))}
    if args.json:
        out = [c.to_json() for c in cards.values()]
        _print_json(out[0] if len(out) == 1 else out)
        return 0
    from scoring.card import fmt
    for unit, c in cards.items():
        print(f"{unit or c.scheme_id}: 总分 {fmt(c.total)} {c.band or ''} 门槛{'达标' if c.gates_passed else '未达标'}")
        for i in c.items:
            print(f"  {i.code:8} {fmt(i.points):>8}/{fmt(i.max_points):<6} {i.status:12} {i.explain[:90]}")
    return 0


# ---- office ----------------------------------------------------------------------------------

def cmd_init(args, settings) -> int:
    from ledger.office import init_office, offices
    db = _db(settings)
    init_office(db, args.scheme, args.year, _now(settings))
    for off in offices(db, args.year):
        print(f"已初始化：{off.scheme.title}（{off.scheme.id}），考核年度 {off.year}，"
              f"数据库 {settings['CREDITBOT_DB']}")
    return 0


def cmd_scheme_add(args, settings) -> int:
    from ledger.db import LedgerError
    from ledger.office import KIND_OF_AUDIENCE, add_scheme, office_schemes, open_years, years
    db = _db(settings)
    try:
        s = add_scheme(db, args.id, _now(settings), from_year=args.from_year)
    except LedgerError as exc:
        from bot.authoring import scheme_ref
        new = scheme_ref(args.id)
        kind = KIND_OF_AUDIENCE.get(new.audience)
        clash = [o for o in office_schemes(db)
                 if o.id != new.id and kind and KIND_OF_AUDIENCE.get(o.audience) == kind]
        if not clash or args.from_year is not None:
            raise
        # this year's document for the same units: it takes over from a year on
        # the document's year, or the office's latest open one if that is later
        year = max([new.year or 0, *open_years(db)]) or "年份"
        print(f"错误：{exc}。\n  若要用新方案替换 {clash[0].id}（如新一年的细则）：creditbot scheme add "
              f"{args.id} --from {year}。{year} 年度起按新方案计分，以前的年度（含已关闭的）仍按 "
              f"{clash[0].id} 计分。", file=sys.stderr)
        return 1
    print(f"已加入本办：{s.title}（{s.id}，{AUDIENCE_ZH.get(s.audience, s.audience)}）"
          + (f"，{args.from_year} 年度起使用" if args.from_year is not None else ""))
    if not years(db):  # a new office: nothing is assessed until a year is open
        print(f"本办还没有考核年度：运行 creditbot init --scheme {args.id} --year {s.year or '年份'} 开始考核")
    elif s.year and s.year not in open_years(db):
        # a 2025 document in an office still in 2024 (or already in 2026) scores that year
        later = s.year > max(y for y, _ in years(db))
        print(f"注意：这是 {s.year} 年的方案，本办开启的考核年度是 {'、'.join(map(str, open_years(db)))}，"
              f"会按它给这些年度计分" + (f"。开启 {s.year} 年度：creditbot year open {s.year}" if later else ""))
    return 0


AUDIENCE_ZH = {"departments": "考核市直单位", "counties": "考核县（市、区）", "city": "示范城市评估",
               "tasks": "工作任务"}


def cmd_year_open(args, settings) -> int:
    from ledger.office import office_schemes, open_year, open_years, years
    db = _db(settings)
    if not years(db) and office_schemes(db):
        from_file = {r[0] for r in db.execute(
            "SELECT scheme_id FROM office_schemes WHERE source IS NOT NULL").fetchall()}
        ids = " ".join(f"--scheme {'<' + o.id + ' 的方案文件>' if o.id in from_file else o.id}"
                       for o in office_schemes(db))
        print(f"错误：本办还没有开始考核（方案已加入，但没有考核年度）：运行 creditbot init {ids} "
              f"--year {args.year}", file=sys.stderr)
        return 1
    open_year(db, args.year, _now(settings))
    print(f"已开启 {args.year} 考核年度。开启中的年度：{'、'.join(map(str, open_years(db)))}"
          f"（上一年度仍可补报到期事项，定稿后运行 creditbot year close）")
    return 0


def cmd_year_close(args, settings) -> int:
    from ledger.office import close_year
    close_year(_db(settings), args.year, _now(settings))
    print(f"已关闭 {args.year} 考核年度：结果已定稿，不再接受报送和修改。")
    return 0


def cmd_year_list(args, settings) -> int:
    from ledger.office import years
    for y, status in years(_db(settings)):
        print(f"{y} {'开启' if status == 'open' else '已关闭'}")
    return 0


def cmd_unit_add(args, settings) -> int:
    from ledger.db import LedgerError
    from ledger.office import KIND_ZH, unit_kinds
    from ledger.units import add_unit, kind_of
    db = _db(settings)
    assessed = unit_kinds(db)
    kind = kind_of(args.kind or "", assessed)
    if assessed is not None and kind not in assessed:
        raise LedgerError(f"本办没有考核{KIND_ZH[kind]}的方案，先运行 creditbot scheme add 方案编号")
    u = add_unit(db, args.name, kind, args.alias or [], _now(settings))
    print(f"已添加单位：{u.name}（编号 {u.id}）")
    return 0


def cmd_unit_list(args, settings) -> int:
    from ledger.units import list_units
    units = list_units(_db(settings))
    if args.json:
        _print_json([u.to_json() for u in units])
    else:
        for u in units:
            short = f"，简称：{'、'.join(u.aliases)}" if u.aliases else ""
            print(f"{u.id:4} {u.name} ({u.kind}{short})")
    return 0


def cmd_unit_alias(args, settings) -> int:
    from ledger.units import find_unit, set_aliases
    db = _db(settings)
    u = set_aliases(db, find_unit(db, args.name, loose=False), args.aliases, _now(settings))
    print(f"{u.name} 的简称：{'、'.join(u.aliases)}")
    return 0


def cmd_unit_import(args, settings) -> int:
    from ledger.units import import_units
    from bot.config import member_channel
    units, members = import_units(_db(settings), args.file, _now(settings),
                                  channel=member_channel(settings, args.channel))
    print(f"已导入：新增单位 {units} 个，联络员 {members} 名")
    return 0


def cmd_unit_group(args, settings) -> int:
    from ledger.units import find_unit, set_group
    db = _db(settings)
    unit = find_unit(db, args.name)
    set_group(db, unit, args.webhook or None, args.channel, args.secret, not args.no_mention,
              _now(settings), "cli")
    print(f"已设置 {unit.name} 的群机器人" + ("" if args.webhook else "（已清除）"))
    return 0


def cmd_member_add(args, settings) -> int:
    from ledger.units import add_member, find_unit
    db = _db(settings)
    unit_id = find_unit(db, args.unit).id if args.unit else None
    from bot.config import member_channel
    m = add_member(db, args.user_id, args.name, args.role, unit_id,
                   member_channel(settings, args.channel), _now(settings))
    print(f"已绑定：{m.name}（{m.user_id}，{m.role_zh}）"
          + (f"，单位：{args.unit}" if args.unit else ""))
    return 0


def cmd_submissions(args, settings) -> int:
    from ledger.submissions import list_submissions
    from ledger.units import find_unit, list_units
    db = _db(settings)
    unit_id = find_unit(db, args.unit).id if args.unit else None
    names = {u.id: u.name for u in list_units(db)}
    rows = []
    for s in list_submissions(db, unit_id):
        d = s.to_json()
        d["unit"] = names.get(s.unit_id)
        rows.append(d)
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            print(f"#{r['id']} {r['unit']} {r['indicator']} {r['period']} {r['kind']} {r['status']} "
                  f"{r['received_at']} {r['text'][:40]}")
    return 0


def cmd_export(args, settings) -> int:
    from bot.app import make_calendar
    from bot.export import export_xlsx
    from ledger.office import offices
    if not args.file.lower().endswith(".xlsx"):
        print("错误：导出文件名应以 .xlsx 结尾，例如 考核表.xlsx", file=sys.stderr)
        return 1
    db = _db(settings)
    offs = offices(db, args.year)
    for off in offs:  # one workbook per scheme: each ranks its own units
        name = args.file if len(offs) == 1 else f"{args.file[:-5]}-{off.scheme.id}.xlsx"
        path = export_xlsx(db, off, name, _now(settings).date(), make_calendar(settings))
        print(f"已导出：{path}")
    return 0


# ---- chat ------------------------------------------------------------------------------------

def cmd_chat(args, settings) -> int:
    import secrets
    from bot.app import make_pipeline
    from channels.message import Attachment, Message
    pipeline = make_pipeline(settings)

    def send(text: str, files: list[str]) -> None:
        atts = tuple(Attachment("file", Path(f).name, path=str(Path(f).resolve())) for f in files)
        msg = Message("console", args.as_user, args.as_user, text,
                      f"console-{datetime.now():%Y%m%d%H%M%S%f}-{secrets.token_hex(3)}",
                      pipeline.clock(), atts)
        reply = pipeline.handle(msg)
        print(reply.text)
        for f in reply.files:
            print(f"[文件] {f}")

    if args.text or args.file:
        send(" ".join(args.text), args.file or [])
        return 0
    print(f"以 {args.as_user} 的身份对话；输入「帮助」查看命令，Ctrl-D 退出。")
    while True:
        try:
            line = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if line in ("退出", "exit", "quit"):
            return 0
        if line:
            send(line, [])


# ---- serve -----------------------------------------------------------------------------------

def cmd_serve(args, settings) -> int:
    from bot.server import serve
    return serve(settings, args.host, args.port, demo=False)


def cmd_demo(args, settings) -> int:
    from bot.demo import ensure_demo
    from bot.server import serve
    ensure_demo(settings)
    return serve(settings, args.host, args.port, demo=True)


def cmd_stream(args, settings) -> int:
    """DingTalk stream mode: an outbound connection, no public callback URL needed."""
    from bot.app import make_pipeline
    from channels.dingtalk_stream import DingTalkStreamUnavailable, run_stream
    missing = [k for k in ("DINGTALK_APP_KEY", "DINGTALK_APP_SECRET") if not settings.get(k)]
    if missing:
        print(f"错误：钉钉 Stream 模式需要配置 {'、'.join(missing)}", file=sys.stderr)
        return 1
    from bot.logs import setup_logging
    setup_logging(settings)
    from ledger.integrity import refuse_damaged
    refuse_damaged(settings)
    scheduler = None
    if not settings.get("CREDITBOT_NO_SCHEDULER"):
        from reminders.scheduler import start_scheduler
        scheduler = start_scheduler(settings)
    from ledger.backup import serving
    from bot.server import stop_on_sigterm
    stop_on_sigterm()
    try:
        with serving(settings["CREDITBOT_DB"]):
            run_stream(settings, make_pipeline(settings).handle)
    except DingTalkStreamUnavailable as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    return 0


def cmd_remind(args, settings) -> int:
    from reminders.jobs import remind_command
    return remind_command(settings, dry_run=args.dry_run, as_json=args.json, at=args.at)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="creditbot", description="信用考核助手 — 信用办考核聊天机器人")
    p.add_argument("--config", help="配置文件（默认 ./creditbot.toml）")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, fn: Callable, help: str, parent=sub) -> argparse.ArgumentParser:
        sp = parent.add_parser(name, help=help, description=help)
        sp.set_defaults(fn=fn)
        return sp

    sp = add("scheme", None, "考核方案：列出、查看、检查；从考核文件起草、Excel 往返、比较")
    ss = sp.add_subparsers(dest="scheme_command", required=True)
    a = add("list", cmd_scheme_list, "列出内置方案", ss)
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = add("show", cmd_scheme_show, "查看一个方案", ss)
    a.add_argument("id")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = add("check", cmd_scheme_check, "检查方案文件（YAML）", ss)
    a.add_argument("file")
    a = add("add", cmd_scheme_add, "把方案加入本办（内置方案编号或 YAML 文件路径）", ss)
    a.add_argument("id", help="方案编号，或方案文件路径（按 scheme check 检查后加入）")
    a.add_argument("--from", dest="from_year", type=int, metavar="YEAR",
                   help="从该年度起替换考核同一类单位的方案（以前的年度仍按原方案计分）")
    from bot.authoring import add_authoring_commands
    add_authoring_commands(ss, add)

    yp = add("year", None, "考核年度：开启、关闭、列出")
    ys = yp.add_subparsers(dest="year_command", required=True)
    a = add("open", cmd_year_open, "开启新的考核年度（上一年度保持开启，直到关闭）", ys)
    a.add_argument("year", type=int)
    a = add("close", cmd_year_close, "关闭考核年度（结果定稿，不再接受报送）", ys)
    a.add_argument("year", type=int)
    add("list", cmd_year_list, "列出考核年度", ys)

    a = add("score", cmd_score, "计算得分（--scheme 用事实文件，否则用台账）")
    a.add_argument("--scheme", help="方案编号；给出时按 --facts 文件计分")
    a.add_argument("--facts", help="事实文件（YAML/JSON）：指标编号 → 数据项 → 值")
    a.add_argument("--unit", help="只看一个单位（台账模式）")
    a.add_argument("--year", type=int, help="考核年度（默认最新开启的年度）")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")

    a = add("init", cmd_init, "初始化考核方案和年度")
    a.add_argument("--scheme", required=True, action="append",
                   help="方案编号或方案文件；可多次使用（如市直和县区两个方案）")
    a.add_argument("--year", type=int, required=True)

    up = add("unit", None, "单位管理")
    us = up.add_subparsers(dest="unit_command", required=True)
    a = add("add", cmd_unit_add, "添加单位", us)
    a.add_argument("name")
    a.add_argument("--kind", default="", help="单位类型：市直/县区 等（或 department/county/city）；"
                                            "不写则为本办唯一考核的类型")
    a.add_argument("--alias", action="append", help="简称，可多次使用")
    a = add("list", cmd_unit_list, "列出单位", us)
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = add("import", cmd_unit_import,
            "从 CSV 导入单位和联络员（单位,类型,简称,联络员,用户ID；类型如 市直、县区）", us)
    a.add_argument("file")
    a.add_argument("--channel", choices=["wecom", "dingtalk"],
                   help="联络员所在的平台；两个平台都启用时必须写")
    a = add("alias", cmd_unit_alias, "给单位添加简称（聊天中用简称也能找到该单位）", us)
    a.add_argument("name")
    a.add_argument("aliases", nargs="+")

    a = add("group", cmd_unit_group, "设置单位的群机器人（提醒时 @ 联络员）", us)
    a.add_argument("name")
    a.add_argument("--webhook", help="群机器人地址；留空则清除")
    a.add_argument("--channel", choices=["wecom", "dingtalk"])
    a.add_argument("--secret", help="钉钉自定义机器人加签密钥（SEC…）")
    a.add_argument("--no-mention", action="store_true", help="在群里提醒但不 @ 联络员")

    mp = add("member", None, "人员管理")
    ms = mp.add_subparsers(dest="member_command", required=True)
    a = add("add", cmd_member_add, "绑定人员（联络员/工作人员/管理员）", ms)
    a.add_argument("user_id")
    a.add_argument("--name", required=True)
    a.add_argument("--unit", help="单位名称（可写名称中的几个字）")
    a.add_argument("--role", required=True, choices=["liaison", "staff", "admin"])
    a.add_argument("--channel", choices=["wecom", "dingtalk"],
                   help="此人所在的平台；只启用一个平台时可省略，两个都启用时必须写")

    a = add("submissions", cmd_submissions, "列出全部报送记录（含已撤回、已替代）")
    a.add_argument("--unit", help="单位名称（可写名称中的几个字）")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")

    a = add("export", cmd_export, "导出年度考核表（Excel；多个方案时每个方案一个文件）")
    a.add_argument("file")
    a.add_argument("--year", type=int, help="考核年度（默认最新开启的年度）")

    a = add("chat", cmd_chat, "以某个用户身份对话（不经过渠道）")
    a.add_argument("--as", dest="as_user", required=True, help="用户ID")
    a.add_argument("--file", action="append", help="随消息发送的本地文件")
    a.add_argument("text", nargs="*")

    for name, fn, help in (("serve", cmd_serve, "启动服务（渠道回调 + 定时提醒）"),
                           ("demo", cmd_demo, "用演示数据启动服务")):
        a = add(name, fn, help)
        a.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        a.add_argument("--port", type=int, default=5000, help="端口（默认 5000）")

    add("stream", cmd_stream, "钉钉 Stream 模式（无需公网回调地址；需 pip install '.[stream]'）")

    from bot.cli_ops import register
    register(sub, add)

    a = add("remind", cmd_remind, "按当前时间生成提醒（--dry-run 只显示不发送）")
    a.add_argument("--dry-run", action="store_true")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a.add_argument("--at", help="按指定时间计算（ISO 格式），默认当前时间或 CREDITBOT_NOW")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.fn is None:
        build_parser().print_help()
        return 2
    from ledger.db import LedgerError
    from schemes.loader import SchemeError
    settings = None
    try:
        settings = _settings(args)
        return args.fn(args, settings)
    except sqlite3.Error as exc:  # a damaged file or a full disk: say so, no traceback
        from ledger.integrity import trouble
        print(f"错误：{trouble(settings, exc)}", file=sys.stderr)
        return 1
    except (LedgerError, SchemeError, KeyError, ValueError, FileNotFoundError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"错误：{msg}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `creditbot … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so exit's flush is quiet
        return 0


if __name__ == "__main__":
    sys.exit(main())
