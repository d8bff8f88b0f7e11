"""The one-time evidence upload page (/upload/<token>), served for real on loopback."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.app import create_app
from channels.message import Message
from ledger.files import locate
from ledger.db import open_db
from ledger.facts import init_office
from ledger.submissions import MAX_FILE_BYTES, list_evidence, list_submissions
from ledger.units import add_member, add_unit
from servers import app_server

PUBLIC = "https://credit.example.gov.cn/bot"
NOW = datetime(2022, 9, 1, 10, 0)
PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass
class Site:
    base: str
    app: Any
    settings: dict[str, Any]

    def link(self, user: str = "sw1", text: str = "佐证 双公示") -> str:
        """Ask for evidence in chat; return the upload URL from the reply, on loopback."""
        pipeline = self.app.extensions["creditbot"]
        reply = pipeline.handle(Message("console", user, user, text, f"m-{text}-{user}", NOW))
        found = re.search(r"https?://\S+/upload/[\w-]+", reply.text)
        assert found, reply.text
        assert found.group(0).startswith(PUBLIC + "/upload/")
        return found.group(0).replace(PUBLIC, self.base)

    def evidence(self) -> list[dict[str, Any]]:
        db = open_db(self.settings["CREDITBOT_DB"])
        try:
            return list_evidence(db)
        finally:
            db.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    settings = {"CREDITBOT_DB": str(tmp_path / "c.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
                "CREDITBOT_NOW": NOW.isoformat(), "PUBLIC_BASE_URL": PUBLIC + "/",
                "UPLOAD_LINK_HOURS": 24}
    db = open_db(settings["CREDITBOT_DB"])
    init_office(db, "lvliang-2022-departments", 2022)
    add_member(db, "sw1", "张敏", "liaison", add_unit(db, "市税务局").id)
    db.close()
    app = create_app(settings)
    with app_server(app) as base:
        yield Site(base, app, settings)


def test_page_and_upload_store_evidence_for_the_unit_and_indicator(site: Site):
    url = site.link()
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert "上传佐证材料" in page.text and "市税务局" in page.text and 'type="file"' in page.text
    resp = requests.post(url, files={"file": ("双公示台账.pdf", PDF, "application/pdf")}, timeout=10)
    assert resp.status_code == 200 and "已收到" in resp.text
    rows = site.evidence()
    assert len(rows) == 1
    assert (rows[0]["indicator"], rows[0]["original_name"], rows[0]["channel"]) == \
        ("3", "双公示台账.pdf", "upload")
    assert locate(site.settings["CREDITBOT_DATA"], rows[0]["path"]).read_bytes() == PDF


def test_the_link_says_how_long_it_lasts(site: Site):
    pipeline = site.app.extensions["creditbot"]
    reply = pipeline.handle(Message("console", "sw1", "sw1", "佐证 双公示", "m-hours", NOW))
    assert "24小时内有效" in reply.text


def test_expired_token_is_gone(site: Site):
    url = site.link()
    site.app.extensions["creditbot"].clock = lambda: NOW + timedelta(hours=25)
    assert requests.get(url, timeout=5).status_code == 410
    resp = requests.post(url, files={"file": ("a.pdf", PDF)}, timeout=10)
    assert resp.status_code == 410 and "过期" in resp.text
    assert site.evidence() == []


def test_unknown_token_is_not_found(site: Site):
    assert requests.get(f"{site.base}/upload/no-such-token", timeout=5).status_code == 404


def test_file_over_20_mb_is_refused_and_nothing_stored(site: Site):
    url = site.link()
    big = b"%PDF" + b"0" * MAX_FILE_BYTES
    resp = requests.post(url, files={"file": ("大文件.pdf", big, "application/pdf")}, timeout=30)
    assert resp.status_code in (400, 413)
    assert "过大" in resp.text
    assert site.evidence() == []
    huge = b"0" * (3 * MAX_FILE_BYTES + 2 * 1024 * 1024)  # over the whole-request limit
    try:
        resp = requests.post(url, files={"file": ("巨大.pdf", huge)}, timeout=30)
        status, text = resp.status_code, resp.text
    except requests.ConnectionError:
        status, text = -1, ""
    assert status == 413 and ("过大" in text or status == -1)
    assert site.evidence() == []
    assert requests.get(f"{site.base}/healthz", timeout=5).status_code == 200


def test_the_link_works_once_and_counts_as_the_quarterly_ledger(site: Site):
    url = site.link()
    files = [("file", ("台账一.pdf", PDF, "application/pdf")),
             ("file", ("台账二.pdf", PDF + b"2", "application/pdf"))]
    resp = requests.post(url, files=files, timeout=10)
    assert resp.status_code == 200 and "台账一.pdf" in resp.text and "台账二.pdf" in resp.text
    assert len(site.evidence()) == 2
    again = requests.post(url, files={"file": ("台账三.pdf", PDF + b"3")}, timeout=10)
    assert again.status_code == 410 and "已使用" in again.text
    assert requests.get(url, timeout=5).status_code == 410
    assert len(site.evidence()) == 2
    db = open_db(site.settings["CREDITBOT_DB"])
    reports = [s for s in list_submissions(db) if s.kind == "report"]
    assert len(reports) == 1 and reports[0].indicator == "3" and reports[0].channel == "upload"


def test_a_bad_file_in_an_upload_stores_none_of_them(site: Site):
    url = site.link()
    files = [("file", ("好的.pdf", PDF, "application/pdf")),
             ("file", ("病毒.exe", b"MZ...", "application/octet-stream"))]
    resp = requests.post(url, files=files, timeout=10)
    assert resp.status_code == 400 and "均未保存" in resp.text
    assert site.evidence() == []
    assert requests.get(url, timeout=5).status_code == 200  # not used up


def test_a_program_renamed_to_pdf_is_refused(site: Site):
    url = site.link()
    resp = requests.post(url, files={"file": ("a.pdf", b"MZ\x90\x00" + b"0" * 100)}, timeout=10)
    assert resp.status_code == 400 and "可执行程序" in resp.text
    assert site.evidence() == []


def test_head_and_unknown_pages_answer_plainly(site: Site):
    url = site.link()
    assert requests.head(url, timeout=5).status_code == 200
    missing = requests.get(f"{site.base}/upload/nope", timeout=5)
    assert missing.status_code == 404 and "链接无效" in missing.text


def test_export_in_chat_gives_a_download_link(site: Site):
    from openpyxl import load_workbook
    import io
    db = open_db(site.settings["CREDITBOT_DB"])
    add_member(db, "staff9", "刘洋", "staff", None)
    db.close()
    pipeline = site.app.extensions["creditbot"]
    reply = pipeline.handle(Message("console", "staff9", "staff9", "导出", "m-export", NOW)).text
    link = re.search(r"https?://\S+/download/\S+", reply).group(0).replace(PUBLIC, site.base)
    got = requests.get(link, timeout=10)
    assert got.status_code == 200 and "attachment" in got.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(got.content))
    assert "总分及排名" in wb.sheetnames
    pipeline.clock = lambda: NOW + timedelta(hours=25)
    assert requests.get(link, timeout=10).status_code == 410


def _january_site(tmp_path: Path, when: datetime) -> tuple[dict[str, Any], Any]:
    """吕梁 市直 with 市税务局, 2022 and 2023 both open."""
    from ledger.office import open_year
    settings = {"CREDITBOT_DB": str(tmp_path / "c.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
                "CREDITBOT_NOW": when.isoformat(), "PUBLIC_BASE_URL": PUBLIC + "/"}
    db = open_db(settings["CREDITBOT_DB"])
    init_office(db, "lvliang-2022-departments", 2022)
    add_member(db, "sw1", "张敏", "liaison", add_unit(db, "市税务局").id)
    add_member(db, "staff9", "刘洋", "staff", None)
    open_year(db, 2023, when, "test")
    db.close()
    app = create_app(settings)
    app.extensions["creditbot"].clock = lambda: when
    return settings, app


def _evidence_sheets(settings: dict[str, Any], tmp_path: Path, when: datetime) -> dict[int, list]:
    """Every cell of each open year's 佐证材料 sheet."""
    from openpyxl import load_workbook
    from bot.app import make_calendar
    from bot.export import export_xlsx
    from ledger.office import office
    db = open_db(settings["CREDITBOT_DB"])
    try:
        sheets = {}
        for year in (2022, 2023):
            path = tmp_path / f"{year}.xlsx"
            export_xlsx(db, office(db, year), path, when.date(), make_calendar(settings))
            sheets[year] = [c.value for r in load_workbook(path)["佐证材料"].iter_rows()
                            for c in r]
        return sheets
    finally:
        db.close()


def test_in_january_an_upload_is_stored_under_the_year_and_quarter_it_counts_for(tmp_path: Path):
    """2023-01-05, both years open: the Q4 台账 sent on the page is 2022's (as in chat), so it
    is in 2022's export and not in 2023's."""
    when = datetime(2023, 1, 5, 10, 0)
    settings, app = _january_site(tmp_path, when)
    with app_server(app) as base:
        site = Site(base, app, settings)
        resp = requests.post(site.link(), files={"file": ("台账.pdf", PDF, "application/pdf")},
                             timeout=10)
        assert resp.status_code == 200 and "2022-Q4" in resp.text
    [row] = site.evidence()
    assert (row["year"], row["period"]) == (2022, "2022-Q4")
    sheets = _evidence_sheets(settings, tmp_path, when)
    assert "台账.pdf" in sheets[2022] and "台账.pdf" not in sheets[2023]


def test_a_period_named_in_chat_goes_with_the_upload_link(tmp_path: Path):
    """2023-01-20, after Q4's deadline (the page alone would file 2023-Q1): the link asked for
    with 佐证 双公示 2022年第四季度 stores the files under 2022 and 2022-Q4, late, in 2022's
    export only."""
    when = datetime(2023, 1, 20, 10, 0)
    settings, app = _january_site(tmp_path, when)
    with app_server(app) as base:
        site = Site(base, app, settings)
        url = site.link(text="佐证 双公示 2022年第四季度")
        assert "2022-Q4" in requests.get(url, timeout=5).text  # the page says which period
        resp = requests.post(url, files={"file": ("四季度台账.pdf", PDF, "application/pdf")},
                             timeout=10)
        assert resp.status_code == 200 and "已计为 2022-Q4 的报送，逾期" in resp.text
        plain = requests.post(site.link(), files={"file": ("一季度.pdf", PDF, "application/pdf")},
                              timeout=10)
        assert plain.status_code == 200 and "2023-Q1" in plain.text
    assert {(r["original_name"], r["year"], r["period"]) for r in site.evidence()} == {
        ("四季度台账.pdf", 2022, "2022-Q4"), ("一季度.pdf", 2023, "2023-Q1")}
    sheets = _evidence_sheets(settings, tmp_path, when)
    assert "四季度台账.pdf" in sheets[2022] and "四季度台账.pdf" not in sheets[2023]
    assert "一季度.pdf" in sheets[2023] and "一季度.pdf" not in sheets[2022]


def test_a_link_for_a_year_closed_since_stores_nothing(tmp_path: Path):
    when = datetime(2023, 1, 20, 10, 0)
    settings, app = _january_site(tmp_path, when)
    with app_server(app) as base:
        site = Site(base, app, settings)
        url = site.link(text="佐证 双公示 2022-Q4")
        pipeline = app.extensions["creditbot"]
        closed = pipeline.handle(Message("console", "staff9", "staff9", "关闭年度 2022 确认",
                                         "m-close", when)).text
        assert "已关闭 2022" in closed
        resp = requests.post(url, files={"file": ("台账.pdf", PDF, "application/pdf")}, timeout=10)
        assert resp.status_code == 410 and "2022年度已关闭" in resp.text
    assert site.evidence() == []


def test_a_yearly_item_s_link_in_january_stores_under_the_year_it_is_due_in(tmp_path: Path):
    """工作机制 is 2022's until 1-31: its link in January stores the files under 2022 (as a file
    sent in chat); with 2023 named, under 2023."""
    when = datetime(2023, 1, 5, 10, 0)
    settings, app = _january_site(tmp_path, when)
    with app_server(app) as base:
        site = Site(base, app, settings)
        for text, name in (("佐证 工作机制", "去年.pdf"), ("佐证 工作机制 2023", "今年.pdf")):
            resp = requests.post(site.link(text=text),
                                 files={"file": (name, PDF, "application/pdf")}, timeout=10)
            assert resp.status_code == 200 and "已收到" in resp.text
    assert {(r["original_name"], r["year"], r["period"]) for r in site.evidence()} == {
        ("去年.pdf", 2022, None), ("今年.pdf", 2023, None)}
    sheets = _evidence_sheets(settings, tmp_path, when)
    assert "去年.pdf" in sheets[2022] and "去年.pdf" not in sheets[2023]
