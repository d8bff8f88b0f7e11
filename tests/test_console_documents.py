"""The console's 数据导入 · 通报 page: the sheet downloaded, uploaded filled in, previewed
(unit: old → new), confirmed as one record that one 撤销 undoes — the chat's own steps — and
the 通报 downloaded as Word documents."""
from __future__ import annotations

import io
import re
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from ledger import submissions as subs
from test_console import Console


@pytest.fixture
def console(lvliang: Any) -> Console:
    return Console(lvliang)


def _form(html: str) -> dict[str, str]:
    return {"csrf": re.search(r'name="csrf" value="([^"]+)"', html).group(1),
            "form_id": re.search(r'name="form_id" value="([^"]+)"', html).group(1)}


def _accuracy(console: Console, unit_id: int) -> Any:
    live = [s for s in subs.list_submissions(console.office.db, unit_id, statuses=subs.LIVE)
            if s.indicator == "3" and s.period == "2022-Q3" and s.kind == "data"]
    return live[0].metrics.get("accuracy") if live else None


def test_download_upload_preview_confirm_and_undo(console: Console):
    c = console.client("staff1")
    page = c.get("/console/documents").data.decode()
    assert "导入·通报" in page and "3 “双公示”" in page
    assert 'name="period" value="2022-Q2"' in page  # the last quarter, as of 2022-09-01
    sheet = c.get("/console/documents/template?code=3&period=2022-Q3")
    assert sheet.status_code == 200
    assert "attachment" in sheet.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(sheet.data))
    assert [r[0] for r in wb["填报"].iter_rows(values_only=True)] == ["单位", "市税务局", "市民政局"]
    wb["填报"]["C2"], wb["填报"]["C3"] = "98%", "百分之九十"
    filled = io.BytesIO()
    wb.save(filled)
    filled.seek(0)

    preview = c.post("/console/documents", content_type="multipart/form-data", data={
        **_form(page), "kind": "upload", "file": (filled, "双公示.xlsx")}).data.decode()
    assert "市税务局：数据准确率（报送正确数据量/报送数据量） （空） → 98%" in preview
    assert "市民政局：数据准确率（报送正确数据量/报送数据量） （空） → 90%" in preview
    assert 'id="confirm-button"' in preview
    assert _accuracy(console, 1) is None  # nothing applied before the confirmation

    done = c.post("/console/documents", data={**_form(preview), "kind": "confirm"}).data.decode()
    assert "已导入" in done and "2 个单位 2 项" in done and 'id="confirm-button"' not in done
    assert (_accuracy(console, 1), _accuracy(console, 2)) == (0.98, 0.9)
    number = re.search(r"编号 (\d+)", done).group(1)
    assert console.count("SELECT COUNT(*) FROM outbox WHERE key LIKE 'import:%'") == 2

    entry = c.get("/console/entry").data.decode()
    undone = c.post("/console/entry", data={**_form(entry), "kind": "undo", "act": number}).data.decode()
    assert f"已撤销编号 {number}（导入）" in undone
    assert (_accuracy(console, 1), _accuracy(console, 2)) == (None, None)


def test_a_bad_sheet_shows_its_cells_and_offers_no_confirmation(console: Console):
    c = console.client("staff1")
    page = c.get("/console/documents").data.decode()
    wb = load_workbook(io.BytesIO(c.get("/console/documents/template?code=3&period=2022-Q3").data))
    wb["填报"]["D3"] = "很多"
    filled = io.BytesIO()
    wb.save(filled)
    filled.seek(0)
    reply = c.post("/console/documents", content_type="multipart/form-data", data={
        **_form(page), "kind": "upload", "file": (filled, "x.xlsx")}).data.decode()
    assert "「填报」表第3行 D列（“双公示”信息瞒报条数）" in reply and "未导入任何数据" in reply
    assert 'id="confirm-button"' not in reply


def test_the_bulletins_download_as_word_documents(console: Console):
    c = console.client("staff1")
    month = c.get("/console/documents/bulletin?which=2022-08")
    assert month.status_code == 200
    doc = Document(io.BytesIO(month.data))
    assert doc.paragraphs[0].text == "关于2022年8月社会信用体系建设工作报送情况的通报"
    year = Document(io.BytesIO(c.get("/console/documents/bulletin?which=2022").data))
    assert year.paragraphs[1].text.startswith("（暂计")
    assert c.get("/console/documents/bulletin?which=2031").status_code == 409


def test_a_liaison_cannot_open_the_page(console: Console):
    c = console.client("sw1")
    assert c.get("/console/documents").status_code == 403
    assert c.get("/console/documents/template?code=3&period=2022-Q3").status_code == 403
