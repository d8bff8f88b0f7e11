"""One safe way to put a value in a spreadsheet cell, for every workbook the project writes (the
scheme workbook here, the year's table in bot.export): text loses the control characters openpyxl
refuses (a `\\v` typed into a label must not crash an export), and text is always text, never a
formula (=HYPERLINK, =cmd|…, DDE)."""
from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

__all__ = ["clean", "put"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(value: Any) -> Any:
    """Text without the control characters openpyxl refuses; other values unchanged."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def put(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write `value` at (row, col) of worksheet `ws` and return the cell."""
    cell = ws.cell(row=row, column=col, value=clean(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value[:1] in _FORMULA_START:
            cell.quotePrefix = True  # shown as typed; reads back as the same text
    return cell
