"""`creditbot scheme list | show | check | add`: the schemes the office can use and the ones it
uses (the authoring verbs under `scheme` are in bot.cli.authoring)."""
from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.cli.common import Settings, add, office_now, open_ledger, print_json

if TYPE_CHECKING:
    from bot.cli.common import Subcommands
    from schemes.model import Indicator, Scheme

__all__ = ["register", "scheme_json", "indicator_kind", "AUDIENCE_ZH"]

AUDIENCE_ZH = {"departments": "考核市直单位", "counties": "考核县（市、区）", "city": "示范城市评估",
               "tasks": "工作任务"}


def cmd_scheme_list(args: argparse.Namespace, settings: Settings) -> int:
    from schemes.loader import shipped_schemes
    rows = [{"id": s.id, "title": s.title, "year": s.year, "audience": s.audience}
            for s in shipped_schemes().values()]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            print(f"{r['id']:32} {r['year']} {r['audience']:12} {r['title']}")
    return 0


def _dec(v: Decimal | None) -> int | float | None:
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


def indicator_kind(ind: Indicator) -> str:
    """One word for an indicator's rule: its parts' kind when they share one, else "composite"
    (the parts are listed under "parts")."""
    kinds = {p.kind for p in ind.parts}
    return kinds.pop() if len(kinds) == 1 else "composite"


def scheme_json(s: Scheme) -> dict[str, Any]:
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


def cmd_scheme_show(args: argparse.Namespace, settings: Settings) -> int:
    from schemes.loader import scheme_by_id
    s = scheme_by_id(args.id)
    data = scheme_json(s)
    if args.json:
        print_json(data)
        return 0
    print(f"{s.title}（{s.id}）{s.doc_number}")
    print(f"总分 {data['base_total']}，附加分上限 {data['bonus_cap']}，扣分上限 {data['deduction_cap']}")
    for i in data["indicators"]:
        print(f"  {i['code']:8} {i['name'][:40]:42} {i['max_points']}")
    return 0


def cmd_scheme_check(args: argparse.Namespace, settings: Settings) -> int:
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
    from schemes.overlaps import rank_overlaps
    for rule in rank_overlaps(s):
        print(f"注意：{rule.describe()}")
    return 0


def cmd_scheme_add(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.db import LedgerError
    from ledger.office import KIND_OF_AUDIENCE, add_scheme, office_schemes, open_years, years
    db = open_ledger(settings)
    try:
        s = add_scheme(db, args.id, office_now(settings), from_year=args.from_year)
    except LedgerError as exc:
        from bot.cli.authoring import scheme_ref
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


def register(sub: Subcommands) -> Subcommands:
    """The `scheme` group; returns its verbs so bot.cli.authoring can add its own."""
    sp = add(sub, "scheme", None, "考核方案：列出、查看、检查；从考核文件起草、Excel 往返、比较")
    ss = sp.add_subparsers(dest="scheme_command", required=True)
    a = add(ss, "list", cmd_scheme_list, "列出内置方案")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = add(ss, "show", cmd_scheme_show, "查看一个方案")
    a.add_argument("id")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = add(ss, "check", cmd_scheme_check, "检查方案文件（YAML）")
    a.add_argument("file")
    a = add(ss, "add", cmd_scheme_add, "把方案加入本办（内置方案编号或 YAML 文件路径）")
    a.add_argument("id", help="方案编号，或方案文件路径（按 scheme check 检查后加入）")
    a.add_argument("--from", dest="from_year", type=int, metavar="YEAR",
                   help="从该年度起替换考核同一类单位的方案（以前的年度仍按原方案计分）")
    return ss
