"""This year's documents of an imagined city (云川市, in no seed), built as offices build them:
a Word table with merged cells and Word-numbered bullets, the same table in Excel, and its
tab-separated text. Tests build them here instead of shipping binaries."""
from __future__ import annotations

import re
from pathlib import Path

__all__ = ["TITLE", "HEADER", "ROWS", "write_docx", "write_xlsx", "write_tsv", "seed_docx"]

TITLE = "云川市2025年度县（市、区）社会信用体系建设工作考核细则"
HEADER = ["考核项目", "序号", "考核内容", "分值", "评分标准", "评分细则", "责任单位"]
# One row per indicator: (category, code, name, points, bullets, notes, units). A category or
# units cell spanning rows is written only on its first row and merged down by the writers.
ROWS: list[tuple[str, str, str, str, list[str], list[str], str]] = [
    ("一、组织保障（10分）", "1", "工作机构", "4",
     ["明确分管领导和信用工作科室的，得2分。", "确定专职联络员并报市信用办备案的，得2分。"],
     [], "各县（市、区）人民政府"),
    ("", "2", "制度建设", "6",
     ["出台本地区信用承诺制度的，得3分。", "出台本地区信用修复工作办法的，得3分。"],
     [], ""),
    ("二、信用信息归集（30分）", "3", "双公示报送", "10",
     ["行政许可、行政处罚信息7个工作日内上报率达到100%的得10分，每低1个百分点扣1分，扣完为止。"],
     ["上报率=按时上报条数/应上报条数。"], "市发展改革委、市市场监管局"),
    ("", "4", "信用承诺", "10",
     ["信用承诺书数量最多的得10分，最少的得4分，中间的依排序赋分。"],
     [], ""),
    ("", "5", "联合奖惩案例", "10",
     ["报送联合奖惩典型案例，按报送数量计分，最高10分。每月5日前报送上月案例。"],
     ["1.每报送1个联合奖惩典型案例得1分，最高10分。", "2.典型案例指经市信用办审核采用的案例。"],
     "市信用办"),
    ("三、信用应用（10分）", "6", "信用报告使用", "10",
     ["在政府采购、评先评优中查询使用信用报告的，酌情计分，最高10分。"],
     [], "市财政局"),
    ("四、失信惩戒（扣分项）", "7", "失信事件", "10",
     ["本地区发生被省级以上通报的失信事件的，每起扣5分，最多扣10分。"],
     [], "各县（市、区）人民政府"),
    ("五、加分项（5分）", "8", "创新示范", "5",
     ["信用工作经验被国家级推广的加3分、省级推广的加2分，最高加5分。"],
     [], "市信用办"),
    ("", "9", "交办任务", "",
     ["按时完成市信用办交办的其他信用工作任务。"],
     [], ""),
]


def write_docx(path: Path, rows=ROWS, title: str = TITLE, numbered: bool = True) -> Path:
    """A Word file as offices send it: a notice, then 附件 with the table. Bullets are separate
    paragraphs, Word-numbered (the number is not in the text, as in Word), category and units
    cells merged down across their rows."""
    import docx
    d = docx.Document()
    d.add_paragraph("云川市社会信用体系建设领导小组办公室")
    d.add_paragraph("云信用办〔2025〕3号")
    d.add_paragraph("关于印发《" + title + "》的通知")
    d.add_paragraph("考核结果分为优秀、良好、合格、不合格四个等次，90分及以上为优秀，"
                    "80分至89分为良好，60分至79分为合格，60分以下为不合格。")
    d.add_paragraph("附件")
    d.add_paragraph(title)
    t = d.add_table(rows=1 + len(rows), cols=len(HEADER))
    t.style = "Table Grid"
    for c, h in enumerate(HEADER):
        t.cell(0, c).text = h
    for r, (cat, code, name, points, bullets, notes, units) in enumerate(rows, start=1):
        for c, v in ((0, cat), (1, code), (2, name), (3, points), (6, units)):
            t.cell(r, c).text = v
        for col, texts in ((4, bullets), (5, notes)):
            cell = t.cell(r, col)
            for k, text in enumerate(texts):
                p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
                p.text = text
                if numbered and len(texts) > 1:
                    p.style = d.styles["List Number"]
    _merge_down(t, rows, 0)
    _merge_down(t, rows, 6)
    d.save(str(path))
    return path


def _spans(rows, col: int) -> list[tuple[int, int]]:
    """(first, last) table rows of each cell written once and blank below."""
    value = {0: 0, 6: 6}[col]
    spans, start = [], None
    for r, row in enumerate(rows, start=1):
        if row[value]:
            if start is not None:
                spans.append((start, r - 1))
            start = r
    if start is not None:
        spans.append((start, len(rows)))
    return [(a, b) for a, b in spans if b > a]


def _merge_down(table, rows, col: int) -> None:
    for a, b in _spans(rows, col):
        text = table.cell(a, col).text
        merged = table.cell(a, col).merge(table.cell(b, col))
        merged.text = text  # merge() joins the blank cells' empty paragraphs to the text


def write_xlsx(path: Path, rows=ROWS, title: str = TITLE, header=HEADER) -> Path:
    """The same table in Excel: a title row merged across, category and units merged down,
    bullets in one cell separated by line breaks."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "考核细则"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(list(header))
    for cat, code, name, points, bullets, notes, units in rows:
        ws.append([cat or None, code, name, float(points) if points else None,
                   "\n".join(f"{k}.{b}" for k, b in enumerate(bullets, start=1)) if len(bullets) > 1
                   else "".join(bullets), "\n".join(notes) or None, units or None])
    for col in (0, 6):
        for a, b in _spans(rows, col):
            ws.merge_cells(start_row=a + 2, start_column=col + 1, end_row=b + 2, end_column=col + 1)
    wb.save(path)
    return path


def write_tsv(path: Path, rows=ROWS, title: str = TITLE) -> Path:
    """The table copied out as text: one line per row, cells split by tabs, merged cells
    written once."""
    lines = ["云信用办〔2025〕3号", title, "\t".join(HEADER)]
    for cat, code, name, points, bullets, notes, units in rows:
        lines.append("\t".join([cat, code, name, points, " ".join(bullets), " ".join(notes), units]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seed_docx(seed: Path, path: Path) -> Path:
    """A seed text (tab-separated rows between paragraphs) typed into Word: each run of rows
    one table, every other line a paragraph."""
    import docx
    d = docx.Document()
    table: list[list[str]] = []

    def flush() -> None:
        if not table:
            return
        width = max(len(r) for r in table)
        t = d.add_table(rows=len(table), cols=width)
        for r, cells in enumerate(table):
            for c, v in enumerate(cells):
                t.cell(r, c).text = v
        table.clear()

    for line in seed.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            table.append([c.strip() for c in line.split("\t")])
        elif line.strip():
            flush()
            d.add_paragraph(line.strip())
    flush()
    d.save(str(path))
    return path


SCHEME_ID = "yunchuan-2025-counties"


def resolve_draft(text: str) -> str:
    """What office staff do to the 云川 draft in a text editor, each 待确认 and each misreading
    they spot against the printed table:
    - 3 双公示报送: the rate's label, which liaisons see, shortened;
    - 8 创新示范: the two tiers add up (capped at 5), so its 待确认 is deleted;
    - 9 交办任务 has no points: not scored, the row is deleted;
    - the office's own id."""
    def block(start: str, end: str) -> tuple[int, int]:
        a = text.index(start)
        return a, text.index(end, a)

    text = text.replace("label: 行政许可、行政处罚信息7个工作日内上报率\n", "label: 双公示7个工作日内上报率\n")
    a, b = block("  - code: '8'", "  - code: '9'")
    text = text[:a] + re.sub(r"      待确认: .*\n", "", text[a:b]) + text[b:]
    text = text[:text.index("  - code: '9'")]
    return text.replace("id: draft-2025\n", f"id: {SCHEME_ID}\n", 1)
