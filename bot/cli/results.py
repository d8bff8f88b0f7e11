"""`creditbot score | submissions | export`: what the office's figures say — a scorecard from
the ledger or from a facts file, the record of every submission, the year's workbook."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.cli.common import Settings, add, office_now, open_ledger, print_json, refuse

if TYPE_CHECKING:
    from bot.cli.common import Subcommands
    from scoring.card import Scorecard

__all__ = ["register"]


def cmd_score(args: argparse.Namespace, settings: Settings) -> int:
    from scoring.engine import score
    cards: dict[str | None, Scorecard]
    if args.scheme:
        from bot.facts_file import FactsFileError, read_facts_file
        from scoring.engine import SELF, build_ranks
        scheme = _scheme_to_try(args.scheme)
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
        cards = {None: score(scheme, facts, ranks=ranks)}
    else:
        from ledger.facts import all_facts
        from ledger.office import offices
        from scoring.engine import score_all
        from worktime.calendar import make_calendar
        db = open_ledger(settings)
        today, cal = office_now(settings).date(), make_calendar(settings)
        cards = {}
        for off in offices(db, args.year):  # each scheme scores the units it assesses
            cards.update(score_all(off.scheme, all_facts(db, off, today, cal)))
        if args.unit:
            from ledger.units import find_unit
            name = find_unit(db, args.unit).name
            cards = {name: cards[name] if name in cards else next(iter(cards.values()))}
    if args.json:
        out = [c.to_json() for c in cards.values()]
        print_json(out[0] if len(out) == 1 else out)
        return 0
    from scoring.card import STATUS_ZH, fmt
    for unit, c in cards.items():
        print(f"{unit or c.scheme_id}: 总分 {fmt(c.total)} {c.band or ''} 门槛{'达标' if c.gates_passed else '未达标'}")
        for i in c.items:
            # the status in words and the whole explanation: a cut one may cut a value in two
            print(f"  {i.code:8} {fmt(i.points):>8}/{fmt(i.max_points):<6} {STATUS_ZH[i.status]:6} {i.explain}")
    return 0


def _scheme_to_try(ref: str):
    """A shipped scheme by id, or a scheme file — a draft too: its 待确认 lines are listed and the
    rest is scored as the reader read it, so a draft is tried without making an office."""
    from pathlib import Path
    from schemes.loader import scheme_by_id
    if Path(ref).suffix.lower() not in (".yaml", ".yml", ".xlsx"):
        return scheme_by_id(ref)
    if Path(ref).suffix.lower() == ".xlsx":
        from authoring.workbook import import_workbook
        return import_workbook(ref)[0]
    from authoring.trial import load_trial
    scheme, marks = load_trial(ref)
    if marks:
        print(f"警告：{ref} 仍有 {len(marks)} 处待确认，以下得分按读出的规则试算（不能用于考核）：",
              file=sys.stderr)
        for line in marks:
            print(f"  {line}", file=sys.stderr)
    return scheme


def cmd_submissions(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.submissions import list_submissions
    from ledger.units import find_unit, list_units
    db = open_ledger(settings)
    unit_id = find_unit(db, args.unit).id if args.unit else None
    names = {u.id: u.name for u in list_units(db)}
    rows = []
    for s in list_submissions(db, unit_id):
        d = s.to_json()
        d["unit"] = names.get(s.unit_id)
        rows.append(d)
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            print(f"#{r['id']} {r['unit']} {r['indicator']} {r['period']} {r['kind']} {r['status']} "
                  f"{r['received_at']} {r['text'][:40]}")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.export import export_xlsx
    from ledger.office import offices
    from worktime.calendar import make_calendar
    if not args.file.lower().endswith(".xlsx"):
        return refuse("导出文件名应以 .xlsx 结尾，例如 考核表.xlsx")
    db = open_ledger(settings)
    offs = offices(db, args.year)
    for off in offs:  # one workbook per scheme: each ranks its own units
        name = args.file if len(offs) == 1 else f"{args.file[:-5]}-{off.scheme.id}.xlsx"
        path = export_xlsx(db, off, name, office_now(settings).date(), make_calendar(settings))
        print(f"已导出：{path}")
    return 0


def register(sub: Subcommands) -> None:
    a = add(sub, "score", cmd_score, "计算得分（--scheme 用事实文件，否则用台账）")
    a.add_argument("--scheme", help="方案编号或方案文件（.yaml，草稿也可，.xlsx）；给出时按 --facts 文件计分")
    a.add_argument("--facts", help="事实文件（YAML/JSON）：指标编号 → 数据项 → 值")
    a.add_argument("--unit", help="只看一个单位（台账模式）")
    a.add_argument("--year", type=int, help="考核年度（默认最新开启的年度）")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")

    a = add(sub, "submissions", cmd_submissions, "列出全部报送记录（含已撤回、已替代）")
    a.add_argument("--unit", help="单位名称（可写名称中的几个字）")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")

    a = add(sub, "export", cmd_export, "导出年度考核表（Excel；多个方案时每个方案一个文件）")
    a.add_argument("file")
    a.add_argument("--year", type=int, help="考核年度（默认最新开启的年度）")
