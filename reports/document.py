"""An official document's page in the national layout (GB/T 9704-2012, 党政机关公文格式), with
python-docx: A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; 22 lines of 28
characters; the title in 小标宋 二号, the body in 仿宋_GB2312 三号, 一、 headings in 黑体,
（一） in 楷体_GB2312; tables with a header row; the issuing office and the date at the end;
page numbers "— 1 —" at the foot. Fonts are named, not embedded: offices have them, and Word
and WPS substitute where one is missing.
"""
from __future__ import annotations

import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

__all__ = ["Official", "TITLE_FONT", "BODY_FONT", "HEADING_FONT", "SUBHEADING_FONT",
           "chinese_date", "two"]

TITLE_FONT = "方正小标宋简体"  # 小标宋
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
TABLE_FONT = "仿宋_GB2312"
_SIZE_2, _SIZE_3, _SIZE_4, _SIZE_SMALL_4 = Pt(22), Pt(16), Pt(14), Pt(12)
# 22 lines in the 225 mm text block: a line pitch of 28.95 pt (579 twips)
_LINE_TWIPS = 579
_LINE = Pt(_LINE_TWIPS / 20)


_PAGE_FIELD = (f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"/>',
               f'<w:instrText {nsdecls("w")} xml:space="preserve"> PAGE </w:instrText>',
               f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>')


def chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def two(value: Decimal | None) -> str:
    """Points with two fixed decimals, so a column of totals lines up (86.24, 84.00)."""
    if value is None:
        return "—"
    return f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def _font(run, name: str, size: Pt, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _spacing(paragraph, exact: Pt | None = _LINE) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if exact is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = exact


class Official:
    """One document being written; `save` writes it via a temporary file."""

    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(28) - Mm(7)  # the page number sits 7 mm below the text
        normal = self.doc.styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = _SIZE_3
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        _grid(section)
        self._page_numbers()

    @property
    def text_width(self) -> int:
        s = self.doc.sections[0]
        # a section from python-docx's template has all three; None only in a foreign file
        return int((s.page_width or 0) - (s.left_margin or 0) - (s.right_margin or 0))

    def _page_numbers(self) -> None:
        """— 1 — in 宋体 四号 at the foot, centred."""
        p = self.doc.sections[0].footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run("— "), "宋体", _SIZE_4)
        run = p.add_run()
        _font(run, "宋体", _SIZE_4)
        for xml in _PAGE_FIELD:  # the PAGE field: begin, its code, end
            run._element.append(parse_xml(xml))
        _font(p.add_run(" —"), "宋体", _SIZE_4)

    def title(self, text: str, note: str | None = None) -> None:
        """The title in 小标宋 二号, centred, with a blank line after it; `note` (暂计) below."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(p, Pt(35))
        _font(p.add_run(text), TITLE_FONT, _SIZE_2)
        if note:
            q = self.doc.add_paragraph()
            q.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _spacing(q)
            _font(q.add_run(note), SUBHEADING_FONT, _SIZE_3)
        _spacing(self.doc.add_paragraph())

    def para(self, text: str, indent: bool = True) -> None:
        """A body paragraph, its first line indented by two characters."""
        p = self.doc.add_paragraph()
        _spacing(p)
        if indent:
            p.paragraph_format.first_line_indent = Pt(32)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _font(p.add_run(text), BODY_FONT, _SIZE_3)

    def heading(self, text: str) -> None:
        """一、 … in 黑体, kept on the page of what follows it."""
        p = self.doc.add_paragraph()
        _spacing(p)
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.first_line_indent = Pt(32)
        _font(p.add_run(text), HEADING_FONT, _SIZE_3)

    def subheading(self, text: str) -> None:
        """（一） … in 楷体, kept on the page of what follows it."""
        p = self.doc.add_paragraph()
        _spacing(p)
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.first_line_indent = Pt(32)
        _font(p.add_run(text), SUBHEADING_FONT, _SIZE_3)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]],
              widths: Sequence[float] | None = None) -> None:
        """A table with a header row (repeated on every page) in 仿宋 小四; numbers arrive as
        text, already rounded for display."""
        t = self.doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        head = t.rows[0]
        _repeat_header(head)
        for cell, text in zip(head.cells, header):
            cell.text = ""
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _off_grid(p)
            _font(p.add_run(text), HEADING_FONT, _SIZE_SMALL_4)
        for row in rows:
            cells = t.add_row().cells
            for n, (cell, text) in enumerate(zip(cells, row)):
                p = cell.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT if n == 1 else WD_ALIGN_PARAGRAPH.CENTER
                _off_grid(p)
                _font(p.add_run(str(text)), TABLE_FONT, _SIZE_SMALL_4)
        if widths:  # Word reads the cells' widths, LibreOffice and WPS the grid's: set both
            total = sum(widths)
            for n, w in enumerate(widths):
                width = int(self.text_width * w / total)
                t.columns[n].width = width
                for cell in t.columns[n].cells:
                    cell.width = width
        _spacing(self.doc.add_paragraph(), Pt(12))

    def picture(self, png: bytes, max_height: int = Mm(195)) -> None:
        """An image as wide as the text, or narrower where it would not fit on one page with
        its heading (an image cannot break across pages)."""
        from PIL import Image
        w, h = Image.open(io.BytesIO(png)).size
        width = min(self.text_width, int(max_height * w / h))
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run().add_picture(io.BytesIO(png), width=width)

    def signature(self, issuer: str, when: date) -> None:
        """The issuing office and the date at the end, right-aligned, after a blank line."""
        _spacing(self.doc.add_paragraph())
        for text in (issuer, chinese_date(when)):
            p = self.doc.add_paragraph()
            _spacing(p)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.right_indent = Pt(64)  # 4 characters in from the right edge
            _font(p.add_run(text), BODY_FONT, _SIZE_3)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        self.doc.save(str(tmp))
        tmp.replace(path)
        return path


def _grid(section) -> None:
    """The document grid: 22 lines to the page. (A character grid as well — 28 to the line —
    spreads the characters apart where the 仿宋 font is substituted, so the line keeps the
    font's own pitch: 27–28 characters of 三号 in 156 mm.)"""
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(_LINE_TWIPS))
    if qn("w:charSpace") in grid.attrib:
        del grid.attrib[qn("w:charSpace")]


# What follows w:snapToGrid in a paragraph's properties (the schema's order; Word insists)
_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
               "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
               "w:sectPr", "w:pPrChange")


def _off_grid(paragraph) -> None:
    """A table cell's lines keep their own height instead of the page's 28.95 pt pitch."""
    ppr = paragraph._p.get_or_add_pPr()
    el = OxmlElement("w:snapToGrid")
    el.set(qn("w:val"), "0")
    ppr.insert_element_before(el, *_AFTER_SNAP)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)
