"""An assessment document as a flat list of blocks: paragraphs and table rows, in reading order.

Word files are read with python-docx (body order, merged cells once), Excel with openpyxl
(every sheet; a vertically merged cell repeats its text, as a reader sees it), and text with
tab-separated table rows (what a table copied out of Word or a PDF looks like).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Block", "read_blocks", "blocks_from_text", "DocumentError"]


class DocumentError(ValueError):
    """A file the draft reader cannot open."""


@dataclass(frozen=True)
class Block:
    """A paragraph (`cells` empty) or a table row (`text` is the cells joined by tabs)."""

    text: str
    cells: tuple[str, ...] = ()

    @property
    def is_row(self) -> bool:
        return bool(self.cells)


def blocks_from_text(text: str) -> list[Block]:
    out = []
    for line in text.splitlines():
        if "\t" in line:
            cells = tuple(c.strip() for c in line.split("\t"))
            if any(cells):
                out.append(Block(line, cells))
        elif line.strip():
            out.append(Block(line.strip()))
    return out


def _docx_blocks(path: Path) -> list[Block]:
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception:  # python-docx raises several kinds for a damaged file
        raise DocumentError(f"无法读取 Word 文件 {path.name}：文件已损坏、加了密码，或不是 .docx 格式"
                            f"（请在 WPS 或 Word 中打开，另存为 .docx 后再试）") from None
    out: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            if item.text.strip():
                out.append(Block(item.text.strip()))
        elif isinstance(item, Table):
            for row in item.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    # a horizontally merged cell is returned once per grid column: its text
                    # once, then blanks, so every row keeps the grid's columns (a header cell
                    # over two columns, 考核内容 over name and rules, stays over both)
                    if id(cell._tc) in seen:
                        cells.append("")
                        continue
                    seen.add(id(cell._tc))
                    cells.append("\n".join(p.text for p in cell.paragraphs).strip())
                while cells and not cells[-1]:
                    cells.pop()  # a Word row always spans the grid; empty cells at its end say nothing
                if any(cells):
                    out.append(Block("\t".join(cells), tuple(cells)))
    return out


def _xlsx_blocks(path: Path) -> list[Block]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(str(path), data_only=True, read_only=False)
    except Exception:  # openpyxl raises several kinds for a damaged file
        raise DocumentError(f"无法读取 Excel 文件 {path.name}：文件已损坏、加了密码，或不是 .xlsx 格式"
                            f"（请在 WPS 或 Excel 中打开，另存为 .xlsx 后再试）") from None
    out: list[Block] = []
    sheets = [ws for ws in wb.worksheets if ws.max_row > 1]
    for k, ws in enumerate(wb.worksheets, start=1):
        if len(sheets) > 1 and ws in sheets:
            # 市直 and 县 annexes on two sheets are two schemes, as 附件1 / 附件2 are in Word
            out.append(Block(f"附件{sheets.index(ws) + 1}"))
        merged = {}
        for rng in ws.merged_cells.ranges:
            value = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col) and c == rng.min_col:
                        merged[(r, c)] = value
        for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = []
            for c, v in enumerate(row, start=1):
                v = merged.get((r, c), v)
                cells.append("" if v is None else str(v).strip())
            while cells and not cells[-1]:
                cells.pop()
            if len([c for c in cells if c]) == 1 and cells[0]:
                out.append(Block(cells[0]))  # a title line typed into column A
            elif cells:
                out.append(Block("\t".join(cells), tuple(cells)))
    return out


def read_blocks(path: str | Path) -> list[Block]:
    """Paragraphs and table rows of a .docx, .xlsx or text file."""
    path = Path(path)
    if not path.exists():
        raise DocumentError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _docx_blocks(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_blocks(path)
    if suffix in (".doc", ".xls", ".pdf", ".wps", ".et"):
        raise DocumentError(f"暂不能直接读取 {suffix} 文件：请在 WPS 或 Word 中另存为 .docx / .xlsx，"
                            f"或把表格复制为文本（制表符分隔）后再试")
    try:
        return blocks_from_text(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        try:
            return blocks_from_text(path.read_text(encoding="gb18030"))
        except UnicodeDecodeError:
            raise DocumentError(f"无法识别 {path.name} 的文字编码（应为 UTF-8 或 GBK）") from None
