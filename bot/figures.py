"""The platform's figures for every unit at once, in chat: 导入模板 sends the sheet, a filled-in
sheet sent by staff is previewed (unit: old → new), and `确认` applies it as one record with
one 编号 (`撤销` undoes all of it). The CLI (`creditbot data`) and the console's 数据导入 page
use the same functions; the sheet itself is reports.sheet / reports.figures."""
from __future__ import annotations

import hashlib
import secrets
import shutil
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.commands import STAFF, command
from bot.context import Ctx
from bot.parse import CommandError, find_indicator, parse_value
from bot.records import number_line
from channels.message import Reply
from ledger.db import LedgerError
from ledger.office import Office, default_year, offices
from reports import figures
from reports.sheet import SheetError, SheetPlan
from schemes.model import Indicator, Metric
from worktime.period import parse_period

__all__ = ["read_cell", "find_target", "is_sheet", "preview_file", "confirm_import",
           "template_file", "PENDING_KIND", "CONFIRM"]

PENDING_KIND = "import"
CONFIRM = {"确认", "确认导入", "确定", "是"}
CHAT_PREVIEW_UNITS = 40  # a chat message stays readable; the console and the CLI show all


def read_cell(metric: Metric, text: str) -> Any:
    """A cell read as chat reads a typed value (98%, 三十五, 是); ValueError when it is not."""
    try:
        return parse_value(metric, text)
    except CommandError as exc:  # AskValue too: a sheet cannot ask back, so say what to write
        options = getattr(exc, "options", None)
        if options:
            raise ValueError(f"「{text}」可读作 {' 或 '.join(options)}，请写明 %") from None
        raise ValueError(str(exc)) from None


def find_target(db: sqlite_utils.Database, indicator: str, period: str
                ) -> tuple[Office, Indicator, str]:
    """The office, indicator and period named by words (双公示 2022-Q3, 信用承诺 2022-08)."""
    try:
        label = parse_period(period, default_year=default_year(db))
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    found: list[tuple[Office, Indicator]] = []
    problems: list[str] = []
    for off in offices(db, int(label[:4])):
        try:
            found.append((off, find_indicator(off.scheme, indicator, fuzzy=False)))
        except CommandError as exc:
            problems.append(str(exc))
    if not found:
        raise CommandError(problems[0] if problems else f"本办没有 {label[:4]} 考核年度")
    if len(found) > 1:
        names = "、".join(f"{o.scheme.title}（{i.code} {i.name}）" for o, i in found)
        raise CommandError(f"「{indicator}」在多个方案中都有：{names}。请写指标的完整名称。")
    off, ind = found[0]
    try:
        figures.check_period(db, ind, label)
    except figures.FiguresError as exc:
        raise CommandError(str(exc)) from None
    return off, ind, label


def is_sheet(att: Any) -> bool:
    return str(att.name or att.path).lower().endswith(".xlsx")


def _plan(ctx: Ctx, path: str) -> SheetPlan:
    try:
        return figures.plan_for(ctx.db, path, read_cell)
    except SheetError as exc:
        raise CommandError("表格中有以下问题，未导入任何数据：\n" + "\n".join(exc.problems[:30])
                           + (f"\n……共 {len(exc.problems)} 处" if len(exc.problems) > 30 else "")
                           + "\n请改正后重新发送。") from None
    except figures.FiguresError as exc:
        raise CommandError(str(exc)) from None


def preview_file(ctx: Ctx) -> Reply:
    """A sheet sent by staff: the preview, and a pending 确认 that applies exactly it."""
    from bot.evidence import _set_pending
    att = next(a for a in ctx.msg.attachments if is_sheet(a))
    folder = ctx.data_dir / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    # the confirmation reads this copy; retention keeps it while the pending 确认 names it
    kept = folder / f"import-{ctx.now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}.xlsx"
    shutil.copyfile(att.path, kept)
    plan = _plan(ctx, str(kept))
    text = figures.preview_text(plan, limit=CHAT_PREVIEW_UNITS)
    if not plan.changes:
        return Reply(text)
    _set_pending(ctx, PENDING_KIND, {"path": str(kept), "seen": _digest(plan)})
    return Reply(f"{text}\n确认导入请回复「确认」；放弃请回复「取消」。")


def _digest(plan: SheetPlan) -> str:
    return hashlib.sha256(figures.fingerprint(plan).encode()).hexdigest()


def confirm_import(ctx: Ctx, data: dict) -> Reply:
    """`确认` after a preview: apply the sheet if it still reads as previewed."""
    from bot.evidence import _set_pending
    if not Path(data.get("path", "")).exists():
        raise CommandError("导入的表格已不在服务器上，请重新发送。")
    plan = _plan(ctx, data["path"])
    if _digest(plan) != data.get("seen"):  # someone changed a figure since the preview
        _set_pending(ctx, PENDING_KIND, {"path": data["path"], "seen": _digest(plan)})
        return Reply("预览之后有单位的数据发生了变化，请核对新的预览：\n"
                     + figures.preview_text(plan, limit=CHAT_PREVIEW_UNITS)
                     + "\n确认导入请再次回复「确认」。")
    try:
        act_id = figures.apply(ctx.db, plan, member_id=ctx.member.id, now=ctx.now,
                               actor=ctx.actor, channel=ctx.msg.channel, source=ctx.msg.msg_id)
    except (figures.FiguresError, LedgerError) as exc:
        raise CommandError(str(exc)) from None
    ctx._cards = None
    tell_units(ctx, plan, act_id)
    return Reply(f"已导入 {plan.indicator.code} {plan.indicator.name} {plan.key.period}："
                 f"{len(plan.units())} 个单位 {len(plan.changes)} 项，已通知各单位联络员。\n"
                 f"{number_line(act_id)}")


def tell_units(ctx: Ctx, plan: SheetPlan, act_id: int) -> None:
    """One notice per affected unit, to its liaisons."""
    for unit in plan.units():
        ctx.notify_liaisons(unit.id, figures.notice_text(plan, unit), key=f"import:{act_id}:{unit.id}")


def template_file(db: sqlite_utils.Database, data_dir: Path, indicator: str, period: str,
                  now: Any) -> Path:
    off, ind, label = find_target(db, indicator, period)
    folder = data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"数据导入-{ind.code}-{label}-{now:%Y%m%d%H%M%S}-{secrets.token_hex(2)}.xlsx"
    try:
        return figures.write_for(db, off, ind, label, path, now)
    except figures.FiguresError as exc:
        raise CommandError(str(exc)) from None


@command(("导入模板", "数据模板"), STAFF, "导入模板 <指标> <期别>",
         "下载平台数据批量导入表（每个单位一行，填好后把表格发回即可导入），如 导入模板 双公示 2022-Q3")
def cmd_template(words: list[str], ctx: Ctx) -> Reply:
    if len(words) < 2:
        raise CommandError("格式：导入模板 <指标> <期别>，例如：导入模板 双公示 2022-Q3；导入模板 信用承诺 2022-08")
    path = template_file(ctx.db, ctx.data_dir, " ".join(words[:-1]), words[-1], ctx.now)
    from bot.staff import download_link
    link = download_link(ctx, path)
    where = f"\n下载：{link}" if link else ""
    return Reply(f"已生成导入表 {path.name}：每个单位一行，已填入现有数值。填好后把表格发给我，"
                 f"先预览、回复「确认」后才导入。{where}", files=[str(path)])
