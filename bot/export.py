"""The year's table as .xlsx (openpyxl): totals and ranks, one sheet per category, evidence."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from authoring.sheet_cell import clean, put
from ledger.facts import Office, all_facts
from ledger.labels import record_status_zh
from ledger.office import years
from ledger.submissions import list_evidence
from ledger.units import list_units
from worktime.calendar import WorkCalendar
from worktime.period import Period
from scoring.card import STATUS_ZH, q
from scoring.engine import score_all

# openpyxl is imported where a workbook is written, not with this module (which the chat's
# 导出 command brings into every `creditbot serve` at start): it costs ~0.2 s to import.
if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = ["export_xlsx"]


def _num(v):
    if v is None:
        return None
    v = q(v)
    return int(v) if v == v.to_integral_value() else float(v)


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], first: bool = False):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)  # one per sheet
    ws = wb.active if first else wb.create_sheet()
    ws.title = clean(title)[:31].replace("/", "、").replace("?", "").replace("*", "").replace("[", "(").replace("]", ")").replace(":", "：")
    for c, h in enumerate(header, start=1):
        cell = put(ws, 1, c, h)
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = head_align
    for n, r in enumerate(rows, start=2):
        for c, v in enumerate(r, start=1):
            # names people typed are data, never formulas, and lose what openpyxl refuses
            cell = put(ws, n, c, v)
            if isinstance(cell.value, float):
                cell.number_format = "0.00"  # points print with 2 decimals; the value keeps 4
    for n, h in enumerate(header, start=1):
        width = max([len(str(h))] + [len(str(r[n - 1])) for r in rows if n - 1 < len(r) and r[n - 1] is not None])
        ws.column_dimensions[get_column_letter(n)].width = min(max(8, width * 1.8 + 2), 60)
    ws.freeze_panes = "B2"
    return ws


def _period(evidence: dict) -> str:
    """The period a file counts for, as the chat says it (2022年第三季度); a file of a yearly
    or one-off item counts for the year."""
    try:
        return Period.from_label(evidence["period"]).label if evidence["period"] else \
            f"{evidence['year']}年度"
    except ValueError:
        return str(evidence["period"])


def export_xlsx(db: sqlite_utils.Database, off: Office, path: str | Path, today: date,
                cal: WorkCalendar) -> Path:
    """Write the workbook; Chinese headers; opens in Excel and WPS."""
    from openpyxl import Workbook
    path = Path(path)
    cards = score_all(off.scheme, all_facts(db, off, today, cal))
    ordered = sorted(cards.items(), key=lambda kv: (kv[1].rank or 0, kv[0]))
    wb = Workbook()
    cats = [c for c in off.scheme.categories if c.section in ("base", "bonus", "deduction")]
    header = ["排名", "单位", "总分", "等级", "基础分", "附加分", "扣分", "门槛指标"] + [
        f"{c.code}、{c.name}" for c in cats]
    rows = []
    for name, card in ordered:
        by_cat = {n: p for n, p, _ in card.categories}
        rows.append([card.rank, name, _num(card.total), card.band or "", _num(card.base),
                     _num(card.bonus), _num(card.deductions),
                     "达标" if card.gates_passed else "未达标"]
                    + [_num(by_cat.get(c.name)) for c in cats])
    _sheet(wb, "总分及排名", header, rows, first=True)
    for cat in off.scheme.categories:
        inds = cat.indicators
        head = ["单位"] + [f"{i.code} {i.name}（{i.max_points if i.max_points is not None else '—'}）"
                           for i in inds]
        body = []
        for name, card in ordered:
            row = [name]
            for i in inds:
                item = card.item(i.code)
                if item.points is None:
                    row.append(STATUS_ZH[item.status])
                else:
                    row.append(_num(item.points))
            body.append(row)
        _sheet(wb, f"{cat.code}{cat.name}", head, body)
    split = [[it.code, it.name, name, _num(own.points), _num(it.max_points), STATUS_ZH[own.status],
              _num(it.points), own.explain]
             for card in cards.values() for it in card.items for name, own in it.units.items()]
    if split:  # a city scheme's items scored per responsible unit: each unit's own figure
        _sheet(wb, "分别计分", ["指标编号", "指标", "责任单位", "单位得分", "满分", "状态", "全市本项得分",
                                "说明"], split)
    units = {u.id: u.name for u in list_units(db) if off.assesses(u.kind)}
    closed = {y for y, status in years(db) if status == "closed"}
    ev_rows = [[units.get(e["unit_id"], e["unit_id"]), e["indicator"], _period(e),
                e["original_name"], e["size"], record_status_zh(e["status"], off.year, closed),
                e["review_reason"] or "", e["received_at"].replace("T", " ")]
               for e in list_evidence(db, year=off.year) if e["unit_id"] in units]
    _sheet(wb, "佐证材料", ["单位", "指标", "期别", "文件名", "大小（字节）", "状态", "审核意见", "收到时间"],
           ev_rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)
    return path
