"""The import sheet: the platform's figures for every unit at once (openpyxl).

`write_template` writes one row per unit (name, 简称) and one column per metric under its
Chinese label, with the current value filled in; a 说明 sheet names the scheme, indicator and
period, so the file read back says what it is for. `read_sheet` reads a filled-in copy and
compares it with the current values: the result is the preview (unit: old → new per metric)
and the figures to apply. A bad cell is named by sheet, row and column, and then nothing is
applied. Numbers are read by the caller's reader (the chat's own, so 98% and 三十五 work).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Sequence

from authoring.sheet_cell import clean, put
from ledger.units import Unit
from schemes.model import Indicator, Metric

__all__ = ["SHEET", "NOTE_SHEET", "Change", "SheetPlan", "SheetError", "SheetKey",
           "write_template", "read_key", "read_sheet", "show"]

SHEET = "填报"
NOTE_SHEET = "说明"
# openpyxl is imported by the functions that read or write a file, not with this module: the
# chat and the console import it (for SheetPlan, SheetError) in every `creditbot serve` at start,
# and openpyxl costs ~0.2 s to import.
_KEYS = {"方案": "scheme", "年度": "year", "指标": "indicator", "期别": "period"}
# Reads a cell's text as the chat reads a typed value; raises ValueError with a message.
Reader = Callable[[Metric, str], Any]


class SheetError(ValueError):
    """The sheet cannot be applied; each line names the sheet, row and column."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SheetKey:
    """What a sheet is for, from its 说明 sheet."""

    scheme: str
    year: int
    indicator: str
    period: str


@dataclass(frozen=True)
class Change:
    unit: Unit
    metric: Metric
    old: Any
    new: Any


@dataclass
class SheetPlan:
    key: SheetKey
    indicator: Indicator
    changes: list[Change] = field(default_factory=list)
    rows: int = 0  # units read

    def figures(self) -> dict[int, dict[str, Any]]:
        """Unit id -> the changed figures, as the ledger records them."""
        out: dict[int, dict[str, Any]] = {}
        for c in self.changes:
            out.setdefault(c.unit.id, {})[c.metric.name] = c.new
        return out

    def units(self) -> list[Unit]:
        return list({c.unit.id: c.unit for c in self.changes}.values())


def show(metric: Metric, value: Any) -> str:
    """A value as the preview and the sheet show it (percents with %, yes/no as 是/否)."""
    if value is None or value == "":
        return "（空）"
    if metric.type == "bool":
        return "是" if value else "否"
    if metric.type == "percent":
        text = format((Decimal(str(value)) * 100).normalize(), "f")
        return f"{text}%"
    if isinstance(value, (int, float, Decimal)):
        text = format(Decimal(str(value)).normalize(), "f")
        return text
    return str(value)


def _cell_value(metric: Metric, value: Any) -> Any:
    """The current value as a cell holds it: a percent as a fraction shown with %."""
    if value is None:
        return None
    if metric.type == "bool":
        return "是" if value else "否"
    if metric.type in ("count",):
        return int(Decimal(str(value)))
    if metric.type in ("percent", "number", "money"):
        return float(Decimal(str(value)))
    return str(value)


def write_template(path: str | Path, *, scheme_id: str, year: int, indicator: Indicator,
                   period: str, metrics: Sequence[Metric], units: Sequence[Unit],
                   current: dict[int, dict[str, Any]], now: datetime) -> Path:
    """Write the sheet for `indicator` in `period`; `current` holds each unit's values."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    header = ["单位", "简称"] + [f"{m.label}{f'（{m.unit}）' if m.unit and m.type != 'percent' else ''}"
                                for m in metrics]
    for n, text in enumerate(header, start=1):
        put(ws, 1, n, text)
    head, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font, cell.fill = head, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row, unit in enumerate(units, start=2):
        values = current.get(unit.id, {})
        put(ws, row, 1, unit.name)  # names are text, never formulas
        put(ws, row, 2, "、".join(unit.aliases))
        for n, m in enumerate(metrics, start=3):
            cell = put(ws, row, n, _cell_value(m, values.get(m.name)))
            if m.type == "percent":
                cell.number_format = "0.00%"
            elif m.type == "count":
                cell.number_format = "0"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 14
    for n in range(3, len(header) + 1):
        ws.column_dimensions[get_column_letter(n)].width = min(max(14, len(header[n - 1]) * 1.6), 40)
    ws.row_dimensions[1].height = 48
    ws.freeze_panes = "C2"
    note = wb.create_sheet(NOTE_SHEET)
    for label, value in (("方案", scheme_id), ("年度", year), ("指标", indicator.code),
                         ("期别", period), ("指标名称", indicator.name),
                         ("生成时间", now.strftime("%Y-%m-%d %H:%M"))):
        note.append([label, clean(str(value))])
    note.append([])
    for line in ("填写说明：在「填报」表中填写或修改各单位的数值，不要改动单位名称、表头和本说明表。",
                 "比例可写 98% 或 0.98；数量可写 35 或 三十五；是否类填 是 或 否。",
                 "留空的格子表示不改动该项。",
                 "填好后：creditbot data import 文件.xlsx，或在控制台「数据导入」上传，或由信用办工作人员在聊天中发送此文件。",
                 "导入前会先列出每个单位的 原值 → 新值，确认后才写入；整批导入有一个编号，「撤销 编号」可整批撤回。"):
        note.append([line])
    note.column_dimensions["A"].width = 12
    note.column_dimensions["B"].width = 40
    note.protection.sheet = True  # the key is not for editing (no password: it is no secret)
    for row in note.iter_rows():
        for cell in row:
            cell.protection = Protection(locked=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return path


def read_key(path: str | Path) -> SheetKey:
    """What the sheet is for (its 说明 sheet); SheetError when the file is not such a sheet."""
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a corrupt or non-xlsx file: openpyxl raises many kinds
        raise SheetError([f"无法读取 Excel 文件（{type(exc).__name__}），请上传由「数据导入模板」生成的 .xlsx 文件"]) from None
    try:
        if NOTE_SHEET not in wb.sheetnames or SHEET not in wb.sheetnames:
            raise SheetError([f"这不是数据导入模板：缺少「{SHEET}」或「{NOTE_SHEET}」工作表。"
                              "请先用 creditbot data template（或控制台「数据导入」）下载模板再填写。"])
        found: dict[str, str] = {}
        for row in wb[NOTE_SHEET].iter_rows(max_row=12, max_col=2, values_only=True):
            if row and row[0] in _KEYS and row[1] is not None:
                found[_KEYS[row[0]]] = str(row[1]).strip()
    finally:
        wb.close()
    missing = [zh for zh, k in _KEYS.items() if k not in found]
    if missing or not found.get("year", "").isdigit():
        raise SheetError([f"「{NOTE_SHEET}」表缺少{'、'.join(missing) or '年度'}，无法确定导入哪一项：请重新下载模板。"])
    return SheetKey(found["scheme"], int(found["year"]), found["indicator"], found["period"])


def _same(metric: Metric, old: Any, new: Any) -> bool:
    if old is None:
        return False
    if metric.type in ("bool", "text"):
        return old == new
    return Decimal(str(old)) == Decimal(str(new))


def _as_text(cell: Any) -> str:
    """A cell as typed text: a number Excel shows with % is a fraction, read back as 98%."""
    value = cell.value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if "%" in (cell.number_format or ""):
            return f"{format((Decimal(str(value)) * 100).normalize(), 'f')}%"
        return format(Decimal(str(value)).normalize(), "f")
    return str(value).strip()


def _find(units: Sequence[Unit], name: str, short: str) -> Unit | None:
    for u in units:
        if name and u.name == name:
            return u
    for u in units:
        if (name and name in u.aliases) or (short and short in u.aliases) or (short and u.name == short):
            return u
    return None


def read_sheet(path: str | Path, *, key: SheetKey, indicator: Indicator,
               metrics: Sequence[Metric], units: Sequence[Unit],
               current: dict[int, dict[str, Any]], read: Reader) -> SheetPlan:
    """Read a filled-in sheet against the current values; SheetError names every bad cell."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    wb = load_workbook(path, data_only=True)
    try:
        ws = wb[SHEET]
        rows = list(ws.iter_rows(min_row=1))
    finally:
        wb.close()
    problems: list[str] = []
    if not rows:
        raise SheetError([f"「{SHEET}」表是空的"])
    header = [str(c.value or "").strip() for c in rows[0]]
    columns: dict[int, Metric] = {}
    for m in metrics:
        col = next((n for n, h in enumerate(header) if h.startswith(m.label) or h == m.name), None)
        if col is None:
            problems.append(f"「{SHEET}」表第1行：缺少「{m.label}」一列（表头被改动了？请重新下载模板）")
        else:
            columns[col] = m
    if problems:
        raise SheetError(problems)
    plan = SheetPlan(key, indicator)
    seen: dict[int, int] = {}
    for row in rows[1:]:
        r = row[0].row
        name = str(row[0].value or "").strip() if row else ""
        short = str(row[1].value or "").strip() if len(row) > 1 else ""
        values = [row[c] for c in columns if c < len(row)]
        if not name and not short and all(c.value in (None, "") for c in values):
            continue  # a blank line
        unit = _find(units, name, short)
        if unit is None:
            problems.append(f"「{SHEET}」表第{r}行 A列：没有单位「{name or short}」（本方案考核的单位中找不到）")
            continue
        if unit.id in seen:
            problems.append(f"「{SHEET}」表第{r}行 A列：「{unit.name}」与第{seen[unit.id]}行重复")
            continue
        seen[unit.id] = r
        plan.rows += 1
        for col, metric in columns.items():
            cell = row[col] if col < len(row) else None
            if cell is None or cell.value is None or str(cell.value).strip() == "":
                continue  # left empty: unchanged
            where = f"「{SHEET}」表第{r}行 {get_column_letter(col + 1)}列（{metric.label}）"
            try:
                new = read(metric, _as_text(cell))
            except ValueError as exc:
                problems.append(f"{where}：{exc}")
                continue
            old = current.get(unit.id, {}).get(metric.name)
            if not _same(metric, old, new):
                plan.changes.append(Change(unit, metric, old, new))
    if problems:
        raise SheetError(problems)
    return plan
