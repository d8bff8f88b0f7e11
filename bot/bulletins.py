"""通报 in chat: `通报 2022-08` (the month's 报送情况通报) and `通报 2022` (the year's 考核结果通报)
as .docx files, sent the way 导出 sends its workbook (reports.month / reports.year write them)."""
from __future__ import annotations

import secrets
from pathlib import Path

import sqlite_utils

from bot.commands import STAFF, command
from bot.context import Ctx
from bot.parse import CommandError
from channels.message import Reply
from ledger.office import offices
from worktime.period import Period

__all__ = ["issuer_of", "bulletin_file"]


def issuer_of(db: sqlite_utils.Database, year: int) -> str:
    """The office that signs: the issuer printed in the year's first scheme."""
    found = [o.scheme.issuer for o in offices(db, year) if o.scheme.issuer]
    return found[0] if found else "市社会信用体系建设工作领导小组办公室"


def bulletin_file(ctx: Ctx, which: str) -> tuple[Path, str]:
    """Write the 通报 named by `which` (2022-08 or 2022) under data/exports; (path, what)."""
    # Here, not at the top: reports.month and reports.year bring python-docx and Pillow, which
    # this module (a chat command, imported by every `creditbot serve` at start) needs only
    # when a 通报 is written.
    from reports.month import MonthError, month_report, write_month
    from reports.year import YearError, write_year, year_report
    folder = ctx.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{ctx.now:%Y%m%d%H%M%S}-{secrets.token_hex(2)}"
    try:
        try:
            period = Period.parse(which)
        except ValueError:
            period = None
        if period is not None and period.kind == "month":
            report = month_report(ctx.db, str(period), ctx.today, ctx.cal)
            path = folder / f"报送情况通报-{period}-{stamp}.docx"
            write_month(report, path, issuer_of(ctx.db, period.year))
            return path, f"{period.label}报送情况通报（到期事项 {len(report.items)} 项）"
        if period is not None and period.kind == "year":
            year = period.year
            result = year_report(ctx.db, year, ctx.today, ctx.cal)
            path = folder / f"考核结果通报-{year}{'' if result.final else '-暂计'}-{stamp}.docx"
            write_year(result, path, issuer_of(ctx.db, year))
            return path, f"{year}年度考核结果通报（{'最终结果' if result.final else '暂计'}）"
    except (MonthError, YearError) as exc:
        raise CommandError(str(exc)) from None
    raise CommandError(f"请写月份或年度，例如：通报 {ctx.office.year}-08（月度报送情况）；通报 {ctx.office.year}（年度考核结果）")


@command(("通报",), STAFF, "通报 <月份>|<年度>",
         "生成上报用的通报（Word）：通报 2022-08 为当月报送情况，通报 2022 为年度考核结果")
def cmd_bulletin(words: list[str], ctx: Ctx) -> Reply:
    from bot.registry import take_year
    year, words = take_year(words, ctx, bare=False)  # 2022年, 上年度 (a bare 2022 is read below)
    which = "".join(words) or (str(year) if year else "")
    if not which:
        raise CommandError(f"请写月份或年度，例如：通报 {ctx.office.year}-08；通报 {ctx.office.year}")
    path, what = bulletin_file(ctx, which)
    of = Period.parse(which).year  # bulletin_file read it
    if of in ctx.open_years():
        ctx.speak_of_year(of)  # January: the reply is labelled with the year it reports
    else:
        ctx.labelled = True
    from bot.staff import download_link
    link = download_link(ctx, path)
    where = f"\n下载（{ctx.settings.get('UPLOAD_LINK_HOURS') or 24}小时内有效）：{link}" if link else ""
    return Reply(f"已生成{what}：{path.name}{where}", files=[str(path)])
