"""One safe way to put a value in a spreadsheet cell, for every workbook the project writes (the
scheme workbook here, the year's table in bot.export): text loses the control characters openpyxl
refuses (a `\\v` typed into a label must not crash an export), and text is always text, never a
formula (=HYPERLINK, =cmd|…, DDE)."""
from __future__ import annotations

from typing import Any

__all__ = ["clean", "put"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(value: Any) -> Any:
    """Text without the control characters openpyxl refuses; other values unchanged."""
    if not isinstance(value, str):
        return value
    # openpyxl's own pattern, imported here: only a workbook being written needs it, and
    # importing openpyxl at module level would cost every process that imports this one
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def put(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write `value` at (row, col) of worksheet `ws` and return the cell."""
    cell = ws.cell(row=row, column=col, value=clean(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value[:1] in _FORMULA_START:
            cell.quotePrefix = True  # shown as typed; reads back as the same text
    return cell
