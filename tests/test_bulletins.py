"""The documents the office sends upward, read back with python-docx: the month's 报送情况通报
(each report due in the month: on time, late with days, not sent, with counts) and the year's
考核结果通报 (ranking table with two decimals, bands, deductions, the chart as an image; 暂计
while the year is open, final once it is closed), in the GB/T 9704 page layout."""
from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.shared import Pt
from PIL import Image

from ledger.office import close_year, open_year
from reports.chart import cjk_font, ranking_png


def _office(office):
    """Four units: one sends July's 工作总结 on time, one three days late, one is turned back,
    one sends nothing."""
    for n, name in enumerate(("市发展改革委", "市税务局", "市民政局", "市教育局")):
        office.unit(name, f"u{n}", f"联络员{n}")
    office.staff()
    office.at("2022-08-01T09:00:00").chat("u0", "月报 2022-07 七月完成了信用承诺归集")
    office.at("2022-08-05T09:00:00").chat("u1", "月报 2022-07 七月工作总结")
    office.at("2022-08-01T10:00:00").chat("u2", "月报 2022-07 七月工作")
    office.at("2022-08-03T10:00:00").chat("staff1", "审核 市民政局 月报 2022-07 驳回 内容过于简单")
    office.at("2022-09-15T10:00:00")
    return office


def _doc(office, text: str) -> tuple[str, Document]:
    reply = office.pipeline.handle(office.message("staff1", text))
    assert reply.files, reply.text
    assert reply.files[0].endswith(".docx")
    return reply.text, Document(reply.files[0])


def _body(doc: Document) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def _table(doc: Document, n: int = 0) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in doc.tables[n].rows]


def test_the_month_bulletin_names_who_was_on_time_late_and_missing(office):
    _office(office)
    reply, doc = _doc(office, "通报 2022-08")
    assert "2022年8月报送情况通报（到期事项 1 项）" in reply
    body = _body(doc)
    assert doc.paragraphs[0].text == "关于2022年8月社会信用体系建设工作报送情况的通报"
    assert _table(doc) == [["序号", "报送事项", "应报", "按时", "逾期", "未报送"],
                           ["1", "2022年7月工作报送（截止8月2日）", "4", "1", "1", "2"]]
    assert "按时报送1个：市发展改革委。" in body
    assert "逾期报送1个：市税务局（逾期3天）。" in body
    assert "未报送1个：市教育局。" in body
    assert "报送后被退回、尚未重新报送1个：市民政局。" in body
    assert body.rstrip().endswith("吕梁市社会信用体系建设工作领导小组办公室\n2022年9月15日")


def test_a_quarter_s_ledger_falls_due_in_its_month(office):
    _office(office)
    _, doc = _doc(office, "通报 2022-07")  # Q2's 双公示 台账 (due 7月10日) and June's 工作总结
    rows = _table(doc)
    assert [r[1] for r in rows[1:]] == ["2022年6月工作报送（截止7月4日）",
                                         "2022年第二季度“双公示”(行政许可和行政处罚信息)归集共享情况（截止7月11日）"]
    assert all(r[5] == "4" for r in rows[1:])  # nobody sent either


def test_the_page_is_the_official_layout(office):
    _office(office)
    _, doc = _doc(office, "通报 2022-08")
    s = doc.sections[0]
    mm = lambda *lengths: [round(x.mm) for x in lengths]  # stored in twips: 210 mm is 209.99
    assert mm(s.page_width, s.page_height) == [210, 297]
    assert mm(s.top_margin, s.bottom_margin, s.left_margin, s.right_margin) == [37, 35, 28, 26]
    title = doc.paragraphs[0].runs[0]
    assert (title.font.name, title.font.size) == ("方正小标宋简体", Pt(22))
    heading = next(p for p in doc.paragraphs if p.text.startswith("一、"))
    assert heading.runs[0].font.name == "黑体"
    sub = next(p for p in doc.paragraphs if p.text.startswith("（一）"))
    assert sub.runs[0].font.name == "楷体_GB2312"
    body = next(p for p in doc.paragraphs if p.text.startswith("应报送"))
    assert (body.runs[0].font.name, body.runs[0].font.size) == ("仿宋_GB2312", Pt(16))
    grid = s._sectPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docGrid")
    assert grid.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}linePitch") == "579"
    assert "PAGE" in s.footer.paragraphs[0]._p.xml  # — 1 — at the foot


def test_the_year_bulletin_while_the_year_is_open_is_marked_provisional(office):
    _office(office)
    office.chat("u0", "报送 信用承诺 420")
    office.chat("staff1", "扣分 市税务局 乱收费 被省通报1起")
    reply, doc = _doc(office, "通报 2022")
    assert "2022年度考核结果通报（暂计）" in reply
    assert doc.paragraphs[1].text == "（暂计，统计截至2022年9月15日）"
    rows = _table(doc)
    assert rows[0] == ["排名", "单位", "基础分", "附加分", "扣分", "总分", "等级", "备注"]
    by_unit = {r[1]: r for r in rows[1:]}
    assert set(by_unit) == {"市发展改革委", "市税务局", "市民政局", "市教育局"}
    assert all(len(cell.split(".")[1]) == 2 for r in rows[1:] for cell in r[2:6])  # two decimals
    assert by_unit["市税务局"][4] == "5.00"
    assert by_unit["市发展改革委"][7] == "2项待审"  # the 工作总结 and the 信用承诺 figure
    body = _body(doc)
    assert "市税务局：行业协会乱收费扣5.00分。" in body
    assert "参加考核4个单位，其中优秀0个，良好0个，一般0个，较差4个。" in body
    if cjk_font() is not None:
        assert len(doc.inline_shapes) == 1
    else:
        assert "没有中文字体，未能绘制排名图" in body


def test_a_closed_year_s_bulletin_is_final(office):
    _office(office)
    open_year(office.db, 2023, office.now)
    close_year(office.db, 2022, office.now)
    office.at("2023-01-20T10:00:00")
    reply, doc = _doc(office, "通报 2022")
    assert "2022年度考核结果通报（最终结果）" in reply
    assert "暂计" not in _body(doc)
    assert _table(doc)[0][-1] == "等级"  # no 备注 column: nothing is waiting any more


def test_bulletins_refuse_clearly(office):
    _office(office)
    assert "没有 2030 考核年度" in office.chat("staff1", "通报 2030")
    assert "请写月份或年度" in office.chat("staff1", "通报 八月")
    assert "仅限信用办工作人员" in office.chat("u0", "通报 2022-08")


def test_the_ranking_chart_is_a_png_with_a_bar_per_unit():
    font = cjk_font()
    if font is None:
        assert cjk_font() is None  # nothing to draw with; the document says so (test above)
        return
    rows = [(f"市第{n}局", 90 - n, "#2e7d32") for n in range(10)]
    one = Image.open(io.BytesIO(ranking_png(rows[:1], 100, "总分排名", font)))
    ten = Image.open(io.BytesIO(ranking_png(rows, 100, "总分排名", font)))
    assert one.format == ten.format == "PNG"
    assert ten.height - one.height == 9 * 26 * 2  # one row per unit
    # the first bar is drawn in its band's colour, 90% of the way along
    px = ten.convert("RGB").getpixel((220 * 2 + int(400 * 2 * 0.5), 40 * 2 + 26))
    assert px == (0x2e, 0x7d, 0x32)


def test_the_command_line_writes_both_documents_and_the_import_round_trip(tmp_path: Path):
    from command_line import creditbot
    from openpyxl import load_workbook
    env = {"CREDITBOT_DB": tmp_path / "c.db", "CREDITBOT_DATA": tmp_path / "data",
           "CREDITBOT_NOW": "2022-09-15T10:00:00"}
    assert creditbot("init", "--scheme", "lvliang-2022-departments", "--year", "2022", env=env).returncode == 0
    for name in ("市税务局", "市民政局"):
        assert creditbot("unit", "add", name, env=env).returncode == 0
    month = creditbot("report", "month", "2022-08", "-o", tmp_path / "m.docx", env=env)
    assert month.returncode == 0, month.stderr
    assert _table(Document(tmp_path / "m.docx"))[1][2:] == ["2", "0", "0", "2"]
    year = creditbot("report", "year", "2022", "-o", tmp_path / "y.docx", env=env)
    assert year.returncode == 0 and "暂计" in year.stdout
    assert len(_table(Document(tmp_path / "y.docx"))) == 3
    bad = creditbot("report", "year", "2022", "-o", tmp_path / "y.pdf", env=env)
    assert bad.returncode == 1 and "应以 .docx 结尾" in bad.stderr

    made = creditbot("data", "template", "信用承诺", "2022-08", "-o", tmp_path / "t.xlsx", env=env)
    assert made.returncode == 0, made.stderr
    wb = load_workbook(tmp_path / "t.xlsx")
    wb["填报"]["C2"], wb["填报"]["C3"] = "三十五", 120
    wb.save(tmp_path / "t.xlsx")
    preview = creditbot("data", "import", tmp_path / "t.xlsx", env=env)
    assert preview.returncode == 0
    assert "市税务局：报送归集的企业（含个体工商户）信用承诺信息 （空） → 35" in preview.stdout
    assert "未写入任何数据" in preview.stdout
    applied = creditbot("data", "import", tmp_path / "t.xlsx", "--yes", env=env)
    assert applied.returncode == 0 and "编号 1" in applied.stdout
    again = creditbot("data", "import", tmp_path / "t.xlsx", "--yes", env=env)
    assert "没有需要导入的变化" in again.stdout
    wb["填报"]["C3"] = "-4"
    wb.save(tmp_path / "t.xlsx")
    refused = creditbot("data", "import", tmp_path / "t.xlsx", "--yes", env=env)
    assert refused.returncode == 1
    assert "「填报」表第3行 C列" in refused.stderr and "不能为负数" in refused.stderr
