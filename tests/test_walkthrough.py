"""README "Bringing this year's document", done as office staff of a city in no seed (云川, built
in tests/office_documents.py): the Word file (merged cells, Word-numbered bullets, a 评分细则
column), the same table in Excel and as text, a seed typed into Word; the draft, its 待确认
resolved, the Excel round trip with staff's edits, last year against this year, and bad input
refused in Chinese with nothing written."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from command_line import Run, creditbot
from office_documents import (ROWS, SCHEME_ID, resolve_draft, seed_docx, write_docx, write_tsv,
                              write_xlsx)
from authoring.diff import diff_schemes
from authoring.document import DocumentError, read_blocks
from authoring.draft import draft_document, draft_yaml
from schemes.loader import SchemeError, load_scheme, shipped_schemes
from schemes.loader import load_text as load_scheme_text
from authoring.workbook import export_workbook, import_workbook
from scoring.engine import score_all

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "bench" / "seeds"


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    return creditbot(*args, cwd=cwd, env=env)


def _inds(data) -> dict[str, dict]:
    return {i["code"]: i for c in data["categories"] for i in c["indicators"]}


def _shape(data) -> list:
    """What staff check against the printed table: names, points, units, rule kinds."""
    return [(c["name"], c.get("max_points"), c["section"],
             [(i["name"], i.get("max_points"), sorted(i.get("lead", []) + i.get("responsible", [])),
               [p["kind"] for p in i["parts"]]) for i in c["indicators"]])
            for c in data["categories"]]


@pytest.fixture
def docx_draft(tmp_path):
    (d,) = draft_document(write_docx(tmp_path / "2025考核细则.docx"))
    return d


# ---- 1. the documents --------------------------------------------------------------------------

def test_word_table_with_merged_cells_and_numbered_bullets(docx_draft):
    d = docx_draft.data
    assert d["title"] == "云川市2025年度县（市、区）社会信用体系建设工作考核细则"
    assert (d["doc_number"], d["year"], d["audience"]) == ("云信用办〔2025〕3号", 2025, "counties")
    assert [(c["name"], c["max_points"]) for c in d["categories"]] == [
        ("组织保障", 10), ("信用信息归集", 30), ("信用应用", 10), ("失信惩戒（扣分项）", 10), ("加分项", 5)]
    inds = _inds(d)
    by_name = {i["name"]: i for i in inds.values()}
    # Word-numbered bullets are separate paragraphs with no number in their text: one rule each
    assert [(p["kind"], p["max_points"], p["text"]) for p in by_name["工作机构"]["parts"]] == [
        ("checklist", 2, "明确分管领导和信用工作科室的，得2分。"),
        ("checklist", 2, "确定专职联络员并报市信用办备案的，得2分。")]
    # a 责任单位 cell merged down over 双公示 and 信用承诺 belongs to both
    assert by_name["信用承诺"]["responsible"] == by_name["双公示报送"]["responsible"] == [
        "市发展改革委", "市市场监管局"]
    assert by_name["联合奖惩案例"]["due"] == {"frequency": "monthly", "day": 5, "text": "每月5日前"}
    assert by_name["信用承诺"]["parts"][0]["kind"] == "rank"
    notified = by_name["失信事件"]["parts"][0] | {"label": None}
    # a case notified from above is proposed as the office's to enter, with 0 until it does
    assert "信用办录入" in notified.pop("note")
    assert notified == {
        "kind": "deduction", "label": None, "value": "count", "each": 5, "cap": 10, "max_points": 10,
        "text": "本地区发生被省级以上通报的失信事件的，每起扣5分，最多扣10分。"}
    assert by_name["失信事件"]["metrics"][0] | {"label": None} == {
        "name": "count", "label": None, "type": "count", "unit": "起", "entered_by": "office",
        "default": 0}
    # printed 序号 are the codes; 加分项 is the bonus; a unit with 、 in its brackets is one
    assert list(inds) == [str(n) for n in range(1, 10)]
    assert d["categories"][4]["section"] == "bonus" and (d["base_total"], d["bonus_cap"]) == (50, 5)
    assert by_name["工作机构"]["responsible"] == ["各县（市、区）人民政府"]
    assert [(b["name"], b["min"]) for b in d["bands"]] == [("优秀", 90), ("良好", 80), ("合格", 60),
                                                          ("不合格", 0)]
    # 按报送数量计分 takes its points per case from the 评分细则 note beside it
    cases = by_name["联合奖惩案例"]["parts"][0]
    assert (cases["kind"], cases["points"], cases["max_points"]) == ("per_item", 1, 10)
    assert "（评分细则：每报送1个联合奖惩典型案例得1分，最高10分。）" in cases["text"]
    # tiers that may be exclusive (国家级3分、省级2分), and the task with no points (nor any of
    # the merged category's), wait for staff
    assert docx_draft.unresolved == 3
    assert all("待确认" in by_name[n]["parts"][0] for n in ("创新示范", "交办任务"))
    assert "待确认" in by_name["交办任务"] and docx_draft.problems == []


def test_excel_and_text_of_the_same_table_draft_alike(tmp_path, docx_draft):
    (x,) = draft_document(write_xlsx(tmp_path / "细则.xlsx"))
    (t,) = draft_document(write_tsv(tmp_path / "细则.txt"))
    word = _shape(docx_draft.data)
    # text prints a merged cell once, on its first row: its units still count for the rows below
    assert _shape(x.data) == _shape(t.data) == word
    assert [list(_inds(v.data)) for v in (x, t)] == [list(_inds(docx_draft.data))] * 2
    assert x.unresolved == docx_draft.unresolved == t.unresolved == 3


@pytest.mark.parametrize("seed", ["003_452f0e701efbe3d3.txt", "004_219a59123a3888cc.txt"])
def test_a_seed_typed_into_word_drafts_as_its_text(seed, tmp_path):
    text = draft_document(SEEDS / seed)
    word = draft_document(seed_docx(SEEDS / seed, tmp_path / "seed.docx"))
    assert [_shape(d.data) for d in word] == [_shape(d.data) for d in text]
    assert [d.unresolved for d in word] == [d.unresolved for d in text]


# ---- 2. resolve, check --------------------------------------------------------------------------

def test_check_refuses_each_unresolved_line_then_passes_once_staff_resolve(tmp_path):
    doc = write_docx(tmp_path / "2025考核细则.docx")
    r = cli("scheme", "draft", doc.name, "-o", "2025草稿.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "3 处待确认" in r.stdout and "待确认处理后还须修正" not in r.stdout
    r = cli("scheme", "check", "2025草稿.yaml", cwd=tmp_path)
    assert r.returncode == 1 and r.stderr.endswith("检查未通过：3 处问题\n")
    draft = (tmp_path / "2025草稿.yaml").read_text(encoding="utf-8").splitlines()
    for line in r.stderr.splitlines()[:3]:
        number, why = re.match(r"2025草稿\.yaml:(\d+) categories\[\d\]\.indicators\[\d\](?:\.parts\[0\])?: "
                               r"待确认：(.+)（核对后删除这一行）$", line).groups()
        assert draft[int(number) - 1].strip() == f"待确认: {why}"
    (tmp_path / "2025方案.yaml").write_text(resolve_draft("\n".join(draft) + "\n"), encoding="utf-8")
    r = cli("scheme", "check", "2025方案.yaml", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == (
        f"2025方案.yaml: 检查通过 — {SCHEME_ID}，5 个类别，8 个指标\n"), r.stderr
    scheme = load_scheme(tmp_path / "2025方案.yaml")
    cards = score_all(scheme, {"青山县": {"3": {"rate": Decimal("0.97")}, "5": {"count": 12},
                                        "4": {"value": 80}, "8": {"done1": "是"}},
                               "白水县": {"4": {"value": 40}, "7": {"count": 1}}})
    q = {i.code: i.points for i in cards["青山县"].items}
    assert (q["3"], q["5"], q["4"], q["8"]) == (7, 10, 10, 3)
    assert cards["青山县"].total == 30  # 7 + 10 + 10 of the base, 3 of the bonus
    白水 = {i.code: i.points for i in cards["白水县"].items}
    assert (白水["4"], 白水["7"], cards["白水县"].total) == (4, -5, 0)  # a total never goes below 0


def test_a_draft_whose_totals_do_not_add_up_is_refused_with_the_line(tmp_path):
    rows = [list(r) for r in ROWS[:2]]
    rows[0][3] = "5"  # 工作机构 printed as 5 while its bullets give 2 + 2 and the category 10
    (d,) = draft_document(write_docx(tmp_path / "x.docx", rows=[tuple(r) for r in rows]))
    path = tmp_path / "x.yaml"
    path.write_text(draft_yaml(d), encoding="utf-8")
    r = cli("scheme", "check", "x.yaml", cwd=tmp_path)
    assert r.returncode == 1
    assert re.search(r"x\.yaml:\d+ categories\[0\]\.max_points: 类别「组织保障」分值 10 与其指标分值合计 11 不符",
                     r.stderr), r.stderr


# ---- 3. bad input ------------------------------------------------------------------------------

def test_bad_documents_get_chinese_messages_and_no_draft(tmp_path):
    import docx
    from openpyxl import Workbook
    d = docx.Document()
    d.add_paragraph("关于做好2025年信用考核工作的通知")
    d.add_paragraph("各县（市、区）：考核细则另行印发。")
    d.save(str(tmp_path / "通知.docx"))
    wb = Workbook()
    wb.active.append(["单位", "联系人", "电话"])
    wb.active.append(["市财政局", "王芳", "0351-1234567"])
    wb.save(tmp_path / "通讯录.xlsx")
    (tmp_path / "坏.docx").write_bytes(b"PK\x03\x04 half a zip")
    (tmp_path / "坏.xlsx").write_bytes(b"\xd0\xcf\x11\xe0 an old .xls renamed")
    for name, words in (("通知.docx", "中没有找到考核表格"), ("通讯录.xlsx", "中没有找到考核表格"),
                        ("坏.docx", "无法读取 Word 文件 坏.docx：文件已损坏、加了密码，或不是 .docx 格式"),
                        ("坏.xlsx", "无法读取 Excel 文件 坏.xlsx：文件已损坏、加了密码，或不是 .xlsx 格式")):
        r = cli("scheme", "draft", name, "-o", "草稿.yaml", cwd=tmp_path)
        assert r.returncode == 1 and words in r.stderr and r.stdout == "", (name, r.stderr)
        assert not re.search(r"Traceback|Error|zip|Package|not found", r.stderr), r.stderr
    assert not (tmp_path / "草稿.yaml").exists()
    r = cli("scheme", "draft", "通知.docx", "-o", "没有的文件夹/草稿.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "文件夹 没有的文件夹 不存在" in r.stderr
    with pytest.raises(DocumentError, match="另存为 .docx"):
        read_blocks(tmp_path / "坏.docx")


@pytest.fixture
def resolved(tmp_path) -> Path:
    (d,) = draft_document(write_docx(tmp_path / "2025考核细则.docx"))
    path = tmp_path / "2025方案.yaml"
    path.write_text(resolve_draft(draft_yaml(d)), encoding="utf-8")
    return path


def _sheet(path: Path, name: str = "细则"):
    from openpyxl import load_workbook
    wb = load_workbook(path)
    ws = wb[name]
    return wb, ws, {c.value: c.column for c in ws[1]}


def _row_of(ws, col, code: str, label: str = "") -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["指标编号"]).value == code
                and label in (ws.cell(r, col["分项名称"]).value or ""))


def test_bad_workbooks_are_refused_by_sheet_row_and_column_and_write_nothing(tmp_path, resolved):
    book = export_workbook(load_scheme(resolved), tmp_path / "2025方案.xlsx")
    cases = {}
    wb, ws, col = _sheet(book)   # a category's points changed but not the scheme's total
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["类别编号"]).value == "三":
            ws.cell(r, col["类别分值"]).value = 8
            ws.cell(r, col["指标分值"]).value = 8
            ws.cell(r, col["分项分值"]).value = 8
    wb.save(tmp_path / "总分.xlsx")
    cases["总分.xlsx"] = "总分.xlsx[方案]:9 基础分总分: 基础分合计 48 与声明的总分 50 不符"
    wb, ws, col = _sheet(book)   # an indicator's points no longer its category's share
    ws.cell(_row_of(ws, col, "6"), col["指标分值"]).value = 12
    wb.save(tmp_path / "指标.xlsx")
    row = _row_of(ws, col, "6")
    cases["指标.xlsx"] = f"指标.xlsx[细则]:{row} 类别分值: 类别「信用应用」分值 10 与其指标分值合计 12 不符"
    wb, ws, col = _sheet(book)   # sorted by 责任单位 in Excel: one indicator's rows torn apart
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    rows = rows[1:] + rows[:1]
    for r, values in enumerate(rows, start=2):
        for c, v in enumerate(values, start=1):
            ws.cell(r, c).value = v
    wb.save(tmp_path / "排序.xlsx")
    cases["排序.xlsx"] = (f"排序.xlsx[细则]:{len(rows) + 1} 类别编号: 类别「一」的行不相连（第2行起，中间隔着别的类别）。"
                         f"工作表的行序就是方案的顺序")
    wb, ws, col = _sheet(book)   # the words edited, the parameters left as exported
    row = _row_of(ws, col, "2", "信用修复")
    ws.cell(row, col["规则说明"]).value = "出台本地区信用修复工作办法的，得4分"
    wb.save(tmp_path / "只改文字.xlsx")
    cases["只改文字.xlsx"] = (f"只改文字.xlsx[细则]:{row} 规则说明: 文字改了，规则参数没改（仍是 {{items: "
                           f"[{{metric: p2_done, points: 3}}]}}），导入会按规则参数计分。要按新文字计分请清空规则参数")
    wb, ws, col = _sheet(book, "数据项")   # a type typed in words of one's own
    ws.cell(2, col["类型"]).value = "小数"
    wb.save(tmp_path / "类型.xlsx")
    cases["类型.xlsx"] = "类型.xlsx[数据项]:2 类型: 应为 数值、计数、百分比、比值、金额、是否、文字 之一，收到「小数」"
    wb, ws, col = _sheet(book)   # a header renamed
    ws.cell(1, col["规则说明"]).value = "评分标准"
    wb.save(tmp_path / "表头.xlsx")
    cases["表头.xlsx"] = "表头.xlsx[细则]:1 缺少列：规则说明（请勿删除或改名表头）"
    write_xlsx(tmp_path / "考核细则.xlsx")  # the source document, not an exported scheme
    cases["考核细则.xlsx"] = "缺少工作表「细则」：import 只读 creditbot scheme export 导出（并修改过）的方案表；从考核文件起草请用 creditbot scheme draft"
    (tmp_path / "坏.xlsx").write_bytes(b"PK\x03\x04")
    cases["坏.xlsx"] = "无法读取 Excel 文件：文件已损坏、加了密码，或不是 .xlsx 格式"
    for name, words in cases.items():
        r = cli("scheme", "import", name, "-o", "今年.yaml", cwd=tmp_path)
        assert r.returncode == 1 and words in r.stderr, (name, r.stderr)
        assert not (tmp_path / "今年.yaml").exists()
    r = cli("scheme", "import", "2025方案.xlsx", "-o", "今年.txt", cwd=tmp_path)
    assert r.returncode == 1 and "输出文件名应以 .yaml 结尾" in r.stderr
    r = cli("scheme", "export", "2025方案.yaml", "无此文件夹/a.xlsx", cwd=tmp_path)
    assert r.returncode == 1 and "无法写入 无此文件夹/a.xlsx" in r.stderr


def test_workbook_speaks_chinese_and_still_reads_the_file_words(tmp_path, resolved):
    book = export_workbook(load_scheme(resolved), tmp_path / "方案.xlsx")
    wb, ws, col = _sheet(book, "数据项")
    types = [ws.cell(r, col["类型"]).value for r in range(2, ws.max_row + 1)]
    assert types[:2] == ["是否", "是否"] and "百分比" in types and "计数" in types
    ws.cell(2, col["类型"]).value = "bool"  # a workbook exported before the words were Chinese
    wb.save(book)
    assert import_workbook(book)[0] == load_scheme(resolved)


def test_export_refuses_a_draft_saying_why_first(tmp_path):
    (d,) = draft_document(write_docx(tmp_path / "2025考核细则.docx"))
    (tmp_path / "草稿.yaml").write_text(draft_yaml(d), encoding="utf-8")
    r = cli("scheme", "export", "草稿.yaml", "草稿.xlsx", cwd=tmp_path)
    assert r.returncode == 1 and not (tmp_path / "草稿.xlsx").exists()
    first, *rest = r.stderr.splitlines()
    assert first == "错误：草稿.yaml 未通过检查，不能导出。先处理以下各处（或导出去年的方案再修改）："
    assert len(rest) == 3 and all(re.match(r"  草稿\.yaml:\d+ .*待确认：", ln) for ln in rest)


# ---- the Excel round trip with staff's edits, and the diff -------------------------------------

def test_staff_edit_the_workbook_as_wps_saves_it_and_diff_reads_the_changes(tmp_path, resolved):
    last_year = load_scheme(resolved)
    book = export_workbook(last_year, tmp_path / "2025方案.xlsx")
    wb, ws, col = _sheet(book)
    # points: 信用报告使用 10 → 8, typed as numbers (WPS keeps them as numbers)
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["类别编号"]).value == "三":
            for c in ("类别分值", "指标分值", "分项分值"):
                ws.cell(r, col[c]).value = 8
    # a bullet reworded, its parameters cleared so the words are read again
    r = _row_of(ws, col, "2", "信用修复")
    ws.cell(r, col["规则说明"]).value = "出台信用修复工作办法并向社会公开的，得3分"
    ws.cell(r, col["规则参数"]).value = None
    # a renamed indicator
    ws.cell(_row_of(ws, col, "4"), col["指标名称"]).value = "信用承诺书报送"
    # a deleted row: 创新示范 is gone this year, and with it the bonus
    ws.delete_rows(_row_of(ws, col, "8"))
    # an added row: a new indicator typed in words, its category and rule cells only
    r = _row_of(ws, col, "6") + 1
    ws.insert_rows(r)
    for h, v in {"类别编号": "三", "指标编号": "10", "指标名称": "信用修复", "指标分值": 2,
                 "责任单位": "市发展改革委；各县（市、区）人民政府",
                 "规则说明": "每完成1家企业信用修复得0.5分，最高2分"}.items():
        ws.cell(r, col[h]).value = v
    for rr in range(2, ws.max_row + 1):
        if ws.cell(rr, col["类别编号"]).value == "三":
            ws.cell(rr, col["类别分值"]).value = 10
    ss = wb["方案"]
    for row in ss.iter_rows(min_row=2):
        if row[0].value == "附加分上限":
            row[1].value = None
    wb.save(book)
    r = cli("scheme", "import", "2025方案.xlsx", "-o", "2026方案.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"已写出 2026方案.yaml：检查通过 — {SCHEME_ID}，4 个类别，8 个指标\n"
    this_year = load_scheme(tmp_path / "2026方案.yaml")
    added = this_year.indicator("10")
    assert added.responsible == ["市发展改革委", "各县（市、区）人民政府"]
    assert (added.parts[0].kind, added.parts[0].points, added.parts[0].max_points) == (
        "per_item", Decimal("0.5"), Decimal("2"))
    r = cli("scheme", "diff", "2025方案.yaml", "2026方案.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "方案附加分上限由 5 改为 无",
        "新增指标 10 信用修复（2分）",
        "删除指标 8 创新示范（5分）",
        "指标 2 制度建设：",
        "  - 规则「出台本地区信用修复工作办法」由「出台本地区信用修复工作办法的，得3分（最高3分）」"
        "改为「出台信用修复工作办法并向社会公开的，得3分（最高3分）」",
        "指标 4 信用承诺书报送：",
        "  - 名称由「信用承诺」改为「信用承诺书报送」",
        "指标 6 信用报告使用：",
        "  - 分值由 10分 改为 8分",
        "  - 规则「在政府采购、评先评优中查询使用信用报告」由「酌情计分，最高10分」改为「酌情计分，最高8分」",
    ]
    # the same from the workbook itself, and for scripts
    assert cli("scheme", "diff", "2025方案.yaml", "2025方案.xlsx", cwd=tmp_path).stdout == r.stdout
    assert diff_schemes(last_year, this_year).to_json()["removed"] == [{"code": "8", "name": "创新示范"}]


def test_rows_of_an_indicator_reordered_together_keep_its_name(tmp_path, resolved):
    """A row typed in below an indicator with only its rule, and an indicator whose rows were
    moved as a block: both read as the staff member meant."""
    scheme = load_scheme(resolved)
    book = export_workbook(scheme, tmp_path / "方案.xlsx")
    wb, ws, col = _sheet(book)
    r = _row_of(ws, col, "1", "确定专职联络员")
    first = _row_of(ws, col, "1")
    for c in range(1, ws.max_column + 1):  # the indicator's two rows swapped
        a, b = ws.cell(first, c).value, ws.cell(r, c).value
        ws.cell(first, c).value, ws.cell(r, c).value = b, a
    wb.save(book)
    back, _ = import_workbook(book)
    ind = back.indicator("1")
    assert ind.name == "工作机构" and ind.max_points == 4 and ind.responsible == ["各县（市、区）人民政府"]
    assert [p.label for p in ind.parts] == ["确定专职联络员并报市信用办备案", "明确分管领导和信用工作科室"]
    assert score_all(back, {"甲县": {"1": {"p1_done": "是"}}})["甲县"].total == 2


# ---- 4. every shipped scheme round trips and scores the same, on varied facts ------------------

_SHIPPED = sorted(shipped_schemes())


# A value of each metric type, and the two coins a unit's report is made of.
_VALUES = {"bool": st.sampled_from(["是", "否"]),
           "percent": st.decimals(min_value=0, max_value=1, places=3),
           "ratio": st.decimals(min_value=0, max_value=3, places=3),
           "count": st.integers(min_value=0, max_value=60),
           "money": st.decimals(min_value=0, max_value=10_000, places=2),
           "number": st.decimals(min_value=0, max_value=500, places=1),
           "text": st.sampled_from(["已完成", "推进中"])}
_SENT, _PRESENT = st.booleans(), st.integers(0, 4)


@st.composite
def _facts(draw, reported: tuple) -> dict:
    """Facts of three units: each indicator with metrics a unit sends reported or not, each of
    its metrics present four times in five. One draw from the test, the strategies built once
    per scheme: drawn value by value from inside the test, most of the time went to
    Hypothesis's bookkeeping of each top-level draw, not to the scoring it checks."""
    return {unit: {code: {name: draw(value) for name, value in metrics if draw(_PRESENT) > 0}
                   for code, metrics in reported if draw(_SENT)}
            for unit in ("甲", "乙", "丙")}


def _reported(scheme) -> tuple:
    """(code, ((metric, value strategy), …)) of each indicator with metrics a unit sends."""
    out = []
    for _, ind in scheme.indicators():
        metrics = tuple((m.name, _VALUES[m.type]) for m in ind.metrics if m.derived is not True)
        if metrics:
            out.append((ind.code, metrics))
    return tuple(out)


_FACTS = {sid: _facts(_reported(shipped_schemes()[sid])) for sid in _SHIPPED}


@pytest.fixture(scope="module")
def round_tripped(tmp_path_factory) -> dict:
    out = {}
    for sid in _SHIPPED:
        path = export_workbook(shipped_schemes()[sid], tmp_path_factory.mktemp(sid) / "方案.xlsx")
        out[sid] = import_workbook(path)[0]
    return out


@pytest.mark.parametrize("sid", _SHIPPED)
@given(data=st.data())
def test_each_shipped_scheme_scores_identically_after_excel(sid, round_tripped, data):
    scheme = shipped_schemes()[sid]
    facts = data.draw(_FACTS[sid], label="facts")
    before = {u: c.to_json() for u, c in score_all(scheme, facts).items()}
    after = {u: c.to_json() for u, c in score_all(round_tripped[sid], facts).items()}
    assert after == before
    assert round_tripped[sid] == scheme


# ---- the office ---------------------------------------------------------------------------------

def test_scheme_add_says_the_next_step(tmp_path, resolved):
    env = {"CREDITBOT_DB": str(tmp_path / "o.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
           "CREDITBOT_NOW": "2025-03-10T10:00:00"}
    r = cli("scheme", "add", resolved.name, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == (f"本办还没有考核年度：运行 creditbot init --scheme 2025方案.yaml "
                                         f"--year 2025 开始考核")
    r = cli("year", "open", "2025", cwd=tmp_path, env=env)
    assert r.returncode == 1 and r.stderr == (
        f"错误：本办还没有开始考核（方案已加入，但没有考核年度）：运行 creditbot init "
        f"--scheme <{SCHEME_ID} 的方案文件> --year 2025\n")
    assert cli("init", "--scheme", resolved.name, "--year", "2025", cwd=tmp_path, env=env).returncode == 0
    # a second scheme for counties: refused, with how to replace one
    r = cli("scheme", "add", "lvliang-2022-counties", cwd=tmp_path, env=env)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"错误：本办已有考核县（市、区）的方案 {SCHEME_ID}，同一类单位只能按一个方案考核。",
        f"  若要用新方案替换 {SCHEME_ID}（如新一年的细则）：creditbot scheme add lvliang-2022-counties "
        f"--from 2025。2025 年度起按新方案计分，以前的年度（含已关闭的）仍按 {SCHEME_ID} 计分。"]
    r = cli("scheme", "add", "lvliang-2022-departments", cwd=tmp_path, env=env)
    assert r.returncode == 0 and r.stdout.splitlines()[1:] == [
        "注意：这是 2022 年的方案，本办开启的考核年度是 2025，会按它给这些年度计分"], r.stderr


def test_this_years_scheme_in_an_office_still_in_last_year_says_how_to_open_it(tmp_path, resolved):
    env = {"CREDITBOT_DB": str(tmp_path / "o.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
           "CREDITBOT_NOW": "2024-12-20T10:00:00"}
    assert cli("init", "--scheme", "lvliang-2022-departments", "--year", "2024", cwd=tmp_path,
               env=env).returncode == 0
    r = cli("scheme", "add", resolved.name, cwd=tmp_path, env=env)
    assert r.returncode == 0 and r.stdout.splitlines()[1] == (
        "注意：这是 2025 年的方案，本办开启的考核年度是 2024，会按它给这些年度计分。"
        "开启 2025 年度：creditbot year open 2025")


def test_running_a_command_again_never_overwrites_staff_work(tmp_path, resolved):
    scheme = load_scheme(resolved)
    write_docx(tmp_path / "2025考核细则.docx")
    draft = ("scheme", "draft", "2025考核细则.docx", "-o", "2025草稿.yaml")
    assert cli(*draft, cwd=tmp_path).returncode == 0
    assert cli(*draft, cwd=tmp_path).returncode == 0  # the same draft again: nothing to lose
    path = tmp_path / "2025草稿.yaml"
    edited = path.read_text(encoding="utf-8").replace("id: draft-2025\n", "id: yunchuan-2025\n")
    path.write_text(edited, encoding="utf-8")
    r = cli(*draft, cwd=tmp_path)
    assert r.returncode == 1 and r.stderr == "错误：2025草稿.yaml 已存在，可能有已做的修改：换一个文件名，或加 --force 覆盖\n"
    assert path.read_text(encoding="utf-8") == edited
    assert cli(*draft, "--force", cwd=tmp_path).returncode == 0
    assert "id: draft-2025\n" in path.read_text(encoding="utf-8")
    export = ("scheme", "export", resolved.name, "2025方案.xlsx")
    assert cli(*export, cwd=tmp_path).returncode == 0
    r = cli(*export, cwd=tmp_path)  # the workbook may hold an afternoon's edits
    assert r.returncode == 1 and "2025方案.xlsx 已存在" in r.stderr
    assert cli(*export, "--force", cwd=tmp_path).returncode == 0
    imported = ("scheme", "import", "2025方案.xlsx", "-o", resolved.name)
    r = cli(*imported, cwd=tmp_path)
    assert r.returncode == 1 and f"{resolved.name} 已存在" in r.stderr
    assert cli(*imported, "--force", cwd=tmp_path).returncode == 0
    assert load_scheme(resolved) == scheme and resolved.read_text(encoding="utf-8").startswith(
        "# 由 creditbot scheme import 从 2025方案.xlsx 生成")


_JUNK = ["", "abc", "-1", "1.5", "100", "是", "{x: 1}", "[", "{kind: formula}", "每个得1分，最高2分",
         "一", "二.1", "基础分", "附加分", "每月", "count", "percent", "累加", "不限"]


@pytest.fixture(scope="module")
def exported_book(tmp_path_factory) -> tuple[Path, Any]:
    """The exported workbook of the 云川 document, loaded once for every example below (each
    example puts back the cells it changed): reading it again per example cost more than the
    import the test checks."""
    from openpyxl import load_workbook
    base = tmp_path_factory.mktemp("junk")
    (d,) = draft_document(write_docx(base / "2025考核细则.docx"))
    source = export_workbook(load_scheme_text(resolve_draft(draft_yaml(d))), base / "方案.xlsx")
    return base, load_workbook(source)


@given(edits=st.lists(st.tuples(st.sampled_from(["细则", "数据项", "方案"]), st.integers(1, 12),
                                st.integers(1, 32), st.sampled_from(_JUNK)), min_size=1, max_size=4))
def test_any_edit_to_the_workbook_imports_or_is_refused_by_sheet_and_row(exported_book, edits):
    base, wb = exported_book
    undo = []
    for sheet, row, col, value in edits:
        ws = wb[sheet]
        # openpyxl makes a cell on first access: one the export did not write is removed again
        # (ws._cells), one it wrote gets its value and type back, so the next example saves the
        # exported workbook plus its own edits, byte for byte
        existed = (row, col) in ws._cells
        cell = ws.cell(row, col)
        undo.append((ws, row, col, existed, cell.value, cell.data_type))
        cell.value = value
    path = base / "改.xlsx"
    try:
        wb.save(path)
    finally:
        for ws, row, col, existed, old, data_type in reversed(undo):
            if existed:
                ws.cell(row, col).value = old
                ws.cell(row, col).data_type = data_type
            else:
                del ws._cells[(row, col)]
    try:
        import_workbook(path)
    except SchemeError as exc:
        assert exc.lines and all(line.startswith(f"{path}") for line in exc.lines), exc.lines
        assert all(re.match(rf"{re.escape(str(path))}(\[(细则|数据项|方案)\])?:\d+ ", line)
                   for line in exc.lines), exc.lines
