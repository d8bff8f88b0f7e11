"""`creditbot data template | import` and `creditbot report month | year`: the platform's
figures for every unit at once (an Excel sheet out and back in, previewed, applied as one
record with one 编号), and the documents the office sends upward (.docx 通报)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import CliError, Settings, add, office_now, open_ledger

if TYPE_CHECKING:
    from bot.cli.common import Subcommands

__all__ = ["register"]


def _writable(out: str, suffix: str) -> Path:
    path = Path(out)
    if path.suffix.lower() != suffix:
        raise CliError(f"输出文件名应以 {suffix} 结尾（收到 {out}）")
    if not path.parent.is_dir():
        raise CliError(f"无法写入 {out}：文件夹 {path.parent} 不存在")
    return path


def cmd_template(args: argparse.Namespace, settings: Settings) -> int:
    from bot.figures import find_target
    from bot.parse import CommandError
    from reports import figures
    db = open_ledger(settings)
    path = _writable(args.output, ".xlsx")
    try:
        off, ind, period = find_target(db, args.indicator, args.period)
        figures.write_for(db, off, ind, period, path, office_now(settings))
    except (CommandError, figures.FiguresError) as exc:
        raise CliError(str(exc)) from None
    print(f"已生成 {path}：{ind.code} {ind.name} {period}，每个单位一行，已填入现有数值。"
          f"填好后运行 creditbot data import {path.name}")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.figures import read_cell
    from reminders.jobs import default_channel
    from reports import figures
    from reports.sheet import SheetError
    from ledger.outbox import enqueue
    from ledger.units import by_channel, liaison_contacts
    db = open_ledger(settings)
    if not Path(args.file).is_file():
        raise CliError(f"找不到文件 {args.file}")
    try:
        plan = figures.plan_for(db, args.file, read_cell)
    except SheetError as exc:
        for line in exc.problems:
            print(f"错误：{line}", file=sys.stderr)
        print("错误：表格有以上问题，未导入任何数据。", file=sys.stderr)
        return 1
    except figures.FiguresError as exc:
        raise CliError(str(exc)) from None
    print(figures.preview_text(plan))
    if not plan.changes:
        return 0
    if not args.yes and not _confirmed():
        print("以上为预览，未写入任何数据。确认无误后加 --yes 重新运行。")
        return 0
    now = office_now(settings)
    try:
        act_id = figures.apply(db, plan, member_id=None, now=now, actor="cli", channel="cli",
                               source=None)
    except figures.FiguresError as exc:
        raise CliError(str(exc)) from None
    channel = default_channel(settings)
    for unit in plan.units():  # one notice per affected unit and person, sent by the outbox
        groups = by_channel(liaison_contacts(db, unit.id, deputies=False), channel)
        for ch, users in sorted(groups.items()):
            enqueue(db, f"import:{act_id}:{unit.id}" + (f":{ch}" if len(groups) > 1 else ""), ch,
                    {"users": users}, {"text": figures.notice_text(plan, unit)}, now)
    print(f"已导入：{len(plan.units())} 个单位 {len(plan.changes)} 项，已通知各单位联络员。"
          f"编号 {act_id}（撤销：在聊天中发送「撤销 {act_id}」）")
    return 0


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        return input("确认导入？输入 y 确认：").strip().lower() in ("y", "yes", "是", "确认")
    except EOFError:
        return False


def cmd_report_month(args: argparse.Namespace, settings: Settings) -> int:
    from reports.month import MonthError, month_report, write_month
    from worktime.calendar import make_calendar
    db = open_ledger(settings)
    path = _writable(args.output, ".docx")
    today = office_now(settings).date()
    try:
        report = month_report(db, args.month, today, make_calendar(settings))
    except MonthError as exc:
        raise CliError(str(exc)) from None
    from bot.bulletins import issuer_of
    write_month(report, path, issuer_of(db, int(args.month[:4])))
    print(f"已生成 {path}：{args.month} 到期的报送事项 {len(report.items)} 项")
    return 0


def cmd_report_year(args: argparse.Namespace, settings: Settings) -> int:
    from reports.year import YearError, write_year, year_report
    from worktime.calendar import make_calendar
    db = open_ledger(settings)
    path = _writable(args.output, ".docx")
    try:
        report = year_report(db, args.year, office_now(settings).date(), make_calendar(settings))
    except YearError as exc:
        raise CliError(str(exc)) from None
    from bot.bulletins import issuer_of
    write_year(report, path, issuer_of(db, args.year))
    print(f"已生成 {path}：{args.year} 年度考核结果通报（{'最终结果' if report.final else '暂计'}）")
    return 0


def register(sub: Subcommands) -> None:
    data = add(sub, "data", None, "平台数据批量导入：每个单位一行的 Excel 表").add_subparsers(
        dest="data_command", required=True)
    t = add(data, "template", cmd_template, "生成导入表：每个单位一行、每个数据项一列，已填入现有数值")
    t.add_argument("indicator", help="指标编号或名称，如 双公示")
    t.add_argument("period", help="期别，如 2022-Q3、2022-08、2022")
    t.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件")
    i = add(data, "import", cmd_import, "导入填好的表：先列出 原值 → 新值，加 --yes 才写入（整批一个编号）")
    i.add_argument("file", help="填好的 .xlsx 文件")
    i.add_argument("--yes", action="store_true", help="确认写入（不加则只预览）")
    report = add(sub, "report", None, "生成上报文件（通报，.docx）").add_subparsers(
        dest="report_command", required=True)
    m = add(report, "month", cmd_report_month, "月度报送情况通报：当月到期的各报送事项，按时、逾期（天数）、未报送")
    m.add_argument("month", help="月份，如 2022-08")
    m.add_argument("-o", "--output", required=True, help="输出的 .docx 文件")
    y = add(report, "year", cmd_report_year, "年度考核结果通报：各方案的排名表、等级、扣分和排名图")
    y.add_argument("year", type=int, help="考核年度，如 2022")
    y.add_argument("-o", "--output", required=True, help="输出的 .docx 文件")
